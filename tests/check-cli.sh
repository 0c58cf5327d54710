#!/usr/bin/env bash
# The command line as a user meets it: help and version, usage errors,
# bad input that is reported while the rest is still read, --unparsed,
# --id, and every option of --help also in README.md and the man page.
#
#   check-cli.sh BINARY SOURCEROOT
# ok() always succeeds, so "test && ok || bad" is an if-then-else here.
# shellcheck disable=SC2015,SC2016
set -u
bin=$1
root=$2
log=$root/samples/postfix/mail.log
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); printf 'FAIL: %s\n' "$*"; }
expect_rc() { # WANT DESCRIPTION CMD...
	local want=$1 what=$2
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"
	local rc=$?
	if [ "$rc" -eq "$want" ]; then ok; else bad "$what: exit $rc, want $want: $(head -3 "$tmp/err")"; fi
}

expect_rc 0 "--help" "$bin" --help
grep -q '^usage: smtplog-analyze' "$tmp/out" && ok || bad "--help prints no usage line on stdout"
expect_rc 0 "-V" "$bin" -V
[ "$(cat "$tmp/out")" = "smtplog-analyze 0.1.0" ] && ok || bad "-V printed '$(cat "$tmp/out")'"
expect_rc 64 "unknown option" "$bin" --no-such-option
expect_rc 64 "bad --format" "$bin" --format xml "$log"
grep -q "unknown format 'xml'" "$tmp/err" && ok || bad "bad --format: $(cat "$tmp/err")"
expect_rc 64 "--worst without --format html" "$bin" --worst 3 "$log"
grep -q "'--worst' needs '--format html'" "$tmp/err" && ok || bad "--worst: $(cat "$tmp/err")"
expect_rc 64 "bad --year" "$bin" --year 19 "$log"
expect_rc 64 "unknown --mta" "$bin" --mta nosuch "$log"

# Every long option of --help is documented in README.md and the man page.
"$bin" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u >"$tmp/opts"
while read -r opt; do
	grep -qF -- "$opt" "$root/README.md" || bad "README.md does not mention $opt"
	# mdoc writes --name as "Fl \-name"
	grep -qF -- "Fl \\-${opt#--}" "$root/doc/smtplog-analyze.1" ||
		bad "doc/smtplog-analyze.1 does not mention $opt"
done <"$tmp/opts"
[ -s "$tmp/opts" ] && ok || bad "--help lists no long option"

# Usage errors: one line naming the problem, then "Try ... --help", 64.
expect_rc 64 "misspelt --cause" "$bin" --cause unkown-user "$log"
[ "$(wc -l <"$tmp/err")" -eq 2 ] && grep -q "did you mean 'unknown-user'" "$tmp/err" &&
	[ "$(tail -1 "$tmp/err")" = "Try 'smtplog-analyze --help'." ] && ok ||
	bad "--cause unkown-user: $(cat "$tmp/err")"
[ ! -s "$tmp/out" ] && ok || bad "a usage error printed a report"
expect_rc 64 "--until before --since" "$bin" --since yesterday --until -2d "$log"
grep -q "not after '--since'" "$tmp/err" && ok || bad "--until before --since: $(cat "$tmp/err")"
expect_rc 64 "misspelt --mta" "$bin" --mta postfx "$log"
grep -q "did you mean 'postfix'" "$tmp/err" && ok || bad "--mta postfx: $(cat "$tmp/err")"
for o in "--format jsno" "--phase rpct" "--status faild" "--color allways" "--sesions"; do
	# shellcheck disable=SC2086
	expect_rc 64 "$o" "$bin" $o "$log"
	grep -q "did you mean" "$tmp/err" && [ "$(wc -l <"$tmp/err")" -eq 2 ] && ok ||
		bad "$o: $(cat "$tmp/err")"
done

# A run whose every input failed prints the errors and no summary.
expect_rc 2 "only input missing" "$bin" "$tmp/no-such.log"
[ ! -s "$tmp/out" ] && ok || bad "a summary of nothing beside the error: $(head -3 "$tmp/out")"
grep -q "cannot open '$tmp/no-such.log'" "$tmp/err" && ok || bad "missing input not named: $(cat "$tmp/err")"

# The summary fits 80 columns (log text cut with "..."), whatever COLUMNS
# says, unless standard output is a terminal: then COLUMNS, and colour
# unless NO_COLOR or --color=never.
cols() { tr -d '\r' | sed 's/\x1b\[[0-9;]*m//g' | awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }'; }
for f in "$log" "$root"/samples/exim/pid/mainlog "$root"/samples/kerio/*.log "$root"/samples/exchange/*.LOG; do
	w=$(COLUMNS=200 "$bin" --year 2026 "$f" 2>/dev/null | cols)
	[ "$w" -le 80 ] && ok || bad "summary of $f is $w columns wide"
done
if command -v script >/dev/null; then
	tty() { script -qec "$*" /dev/null </dev/null; }
	w=$(COLUMNS=120 tty "$bin" --year 2026 "$log" | cols)
	[ "$w" -gt 80 ] && [ "$w" -le 120 ] && ok || bad "COLUMNS=120 on a terminal: $w columns"
	tty "$bin" --year 2026 "$log" | grep -q $'\x1b\[' && ok || bad "no colour on a terminal"
	NO_COLOR=1 tty "$bin" --year 2026 "$log" | grep -q $'\x1b\[' && bad "colour despite NO_COLOR" || ok
	tty "$bin" --year 2026 --color=never "$log" | grep -q $'\x1b\[' && bad "colour despite --color=never" || ok
	NO_COLOR=1 tty "$bin" --year 2026 --color=always "$log" | grep -q $'\x1b\[' && ok || bad "--color=always lost to NO_COLOR"
fi
"$bin" --year 2026 "$log" | grep -q $'\x1b' && bad "colour into a pipe" || ok

# A directory, a missing file and a truncated gzip are reported by name;
# the good file beside them is still read; the exit status is 2.
head -c 2000 "$root/tests/golden/gzip/input.log.gz" >"$tmp/cut.log.gz"
head -c 400 "$root/tests/golden/gzip/input.log.gz" >"$tmp/short.log.gz"
expect_rc 2 "bad inputs" "$bin" --year 2026 --sessions "$tmp" "$tmp/missing.log" "$tmp/short.log.gz" "$log"
grep -q "cannot read '$tmp': Is a directory" "$tmp/err" && ok || bad "no directory diagnostic: $(cat "$tmp/err")"
grep -q "cannot open '$tmp/missing.log': No such file or directory" "$tmp/err" && ok || bad "no missing-file diagnostic"
grep -q "$tmp/short.log.gz:[0-9]*: error: read error" "$tmp/err" && ok || bad "no truncated-gzip diagnostic: $(cat "$tmp/err")"
[ "$(wc -l <"$tmp/out")" -ge 60 ] && ok || bad "the good file was not reported after bad ones"

# A FIFO nobody writes to and a binary file are named, never waited on,
# and the good file beside them is still read; a pipe (<(...)) is read.
mkfifo "$tmp/fifo"
# control bytes on every line, the same on every run
awk 'BEGIN { for (i = 0; i < 200; i++) { for (j = 0; j < 100; j++) printf "%c", 1 + (i * 7 + j * 13) % 31; printf "\n" } }' >"$tmp/binary.log"
timeout 20 "$bin" --year 2026 --sessions "$tmp/fifo" "$tmp/binary.log" "$log" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] && ok || bad "FIFO and binary file: exit $rc: $(head -3 "$tmp/err")"
grep -q "fifo: warning: nothing to read" "$tmp/err" && ok || bad "no FIFO diagnostic: $(cat "$tmp/err")"
grep -q "binary.log: warning: none of its" "$tmp/err" && ok || bad "no binary-file diagnostic: $(cat "$tmp/err")"
[ "$(wc -l <"$tmp/out")" -ge 55 ] && ok || bad "the good file was not reported beside a FIFO and a binary file"
[ "$(timeout 20 "$bin" --year 2026 --sessions <(cat "$log") | wc -l)" -ge 55 ] && ok || bad "a pipe given by name was not read"

# --unparsed writes exactly the lines no pattern knew, and the summary counts them.
{
	head -3 "$log"
	echo 'Nov 23 09:17:40 mx postfix/smtpd[12202]: a line no Postfix pattern knows'
} >"$tmp/u.log"
expect_rc 0 "--unparsed" "$bin" --year 2026 --unparsed "$tmp/unparsed.txt" "$tmp/u.log"
[ "$(cat "$tmp/unparsed.txt")" = 'Nov 23 09:17:40 mx postfix/smtpd[12202]: a line no Postfix pattern knows' ] && ok || bad "--unparsed wrote: $(cat "$tmp/unparsed.txt")"
grep -q '1 not recognised (written to' "$tmp/out" && ok || bad "summary does not count the unrecognised line"

# --id with a queue ID prints the session, its queue lines and its
# delivery, hours later in the log if need be.
qid=$(grep -m1 -o '[0-9A-F]*: to=<u1@bounce.test>' "$log" | cut -d: -f1)
expect_rc 0 "--id queue" "$bin" --year 2026 --id "$qid" "$log"
grep -q "client=localhost" "$tmp/out" && grep -q "status=bounced" "$tmp/out" &&
	grep -q "verdict: failed in post-queue (bounced), remote phase rcpt" "$tmp/out" && ok ||
	bad "--id $qid: $(head -20 "$tmp/out")"
expect_rc 0 "--id unknown" "$bin" --year 2026 --id NOSUCHID "$log"
[ ! -s "$tmp/out" ] && ok || bad "--id NOSUCHID printed something"

# Standard input, plain and gzip.
"$bin" --year 2026 --format json - <"$log" >"$tmp/plain.json" && ok || bad "stdin plain"
gzip -c "$log" | "$bin" --year 2026 --format json - >"$tmp/gz.json" && ok || bad "stdin gzip"
cmp -s "$tmp/plain.json" "$tmp/gz.json" && ok || bad "gzip and plain stdin differ"

# A session that goes silent is over after --session-timeout of log time:
# incomplete at once, not at the end of the input; 0 waits for the end.
{
	echo 'Nov 23 09:00:00 mx postfix/smtpd[100]: connect from a.test[192.0.2.1]:1000'
	echo 'Nov 23 09:00:01 mx postfix/smtpd[101]: connect from b.test[192.0.2.2]:1001'
	echo 'Nov 23 09:00:02 mx postfix/smtpd[101]: disconnect from b.test[192.0.2.2]:1001 ehlo=1 quit=1 commands=2'
	echo 'Nov 23 11:00:00 mx postfix/smtpd[102]: connect from c.test[192.0.2.3]:1002'
	echo 'Nov 23 11:00:01 mx postfix/smtpd[102]: disconnect from c.test[192.0.2.3]:1002 ehlo=1 quit=1 commands=2'
} >"$tmp/idle.log"
"$bin" --year 2026 --sessions "$tmp/idle.log" >"$tmp/idle.out" 2>&1
[ "$(sed -n 2p "$tmp/idle.out" | awk '{print $2, $NF}')" = "incomplete mx/postfix/smtpd[100]" ] &&
	ok || bad "idle session not reported incomplete before the later ones: $(cat "$tmp/idle.out")"
"$bin" --year 2026 "$tmp/idle.log" | grep -q '(1 sessions idle past --session-timeout' &&
	ok || bad "summary does not count the idle session"
"$bin" --year 2026 --session-timeout 0 --sessions "$tmp/idle.log" | tail -1 | grep -q 'incomplete .*smtpd\[100\]' &&
	ok || bad "--session-timeout 0 did not wait for the end"
expect_rc 64 "bad --session-timeout" "$bin" --session-timeout -1 "$tmp/idle.log"

# Filters: each narrows the sessions, together they AND, twice they OR.
n() { "$bin" --year 2026 --sessions "$@" "$log" | wc -l; }
all=$(n)
[ "$(n --phase rcpt)" -gt 0 ] && [ "$(n --phase rcpt)" -lt "$all" ] && ok || bad "--phase rcpt did not narrow"
[ "$(n --phase rcpt --phase data)" -gt "$(n --phase rcpt)" ] && ok || bad "--phase twice is not OR"
[ "$(n --failed --client 127.0.0.0/8)" -eq "$(n --failed)" ] && ok || bad "--client 127.0.0.0/8 lost sessions"
[ "$(n --client 10.0.0.0/8)" -eq 0 ] && ok || bad "--client 10.0.0.0/8 matched"
[ "$(n --client 2001:db8::/32)" -eq 0 ] && ok || bad "--client IPv6 matched an IPv4 client"
[ "$(n --to bounce.test --status failed)" -ge 1 ] && ok || bad "--to domain found nothing"
[ "$(n --to nobody@smtplog.test)" -eq 3 ] && ok || bad "--to address: want its 3 sessions"
[ "$(n --code 5.7.1)" -le "$(n --code 5.7)" ] && [ "$(n --code 5.7)" -le "$(n --code 5xx)" ] && ok || bad "--code prefixes not nested"
[ "$(n --grep 'Helo command rejected')" -eq 2 ] && ok || bad "--grep: want the 2 HELO rejections"
[ "$(n --cause unknown-user --phase rcpt)" -ge 1 ] && ok || bad "--cause with --phase"
expect_rc 64 "bad --phase" "$bin" --phase nowhere "$log"
expect_rc 64 "bad --client" "$bin" --client 300.1.1.1 "$log"
expect_rc 64 "bad --code" "$bin" --code 650 "$log"
expect_rc 64 "bad --since" "$bin" --since 'last tuesday' "$log"
expect_rc 64 "bad --grep" "$bin" --grep '(' "$log"
# --fail-threshold: 1 when reached, 0 when not; --quiet prints nothing
expect_rc 1 "--fail-threshold 1" "$bin" --year 2026 --fail-threshold 1 "$log"
expect_rc 0 "--fail-threshold 1000" "$bin" --year 2026 --fail-threshold 1000 "$log"
expect_rc 1 "--fail-threshold 50%" "$bin" --year 2026 --fail-threshold 50% "$log"
expect_rc 0 "--fail-threshold 1,phase=auth on no auth" "$bin" --year 2026 --fail-threshold 1,phase=auth --phase rcpt "$log"
expect_rc 64 "bad --fail-threshold" "$bin" --fail-threshold 5x "$log"
expect_rc 0 "--quiet" "$bin" --year 2026 --quiet --client 10.0.0.1 "$log"
[ ! -s "$tmp/out" ] && ok || bad "--quiet printed: $(head -3 "$tmp/out")"
# --since/--until on a year-less log across 31 December
{
	echo 'Dec 31 23:59:00 mx postfix/smtpd[200]: connect from a.test[192.0.2.1]:1000'
	echo 'Dec 31 23:59:01 mx postfix/smtpd[200]: disconnect from a.test[192.0.2.1]:1000 ehlo=1 quit=1 commands=2'
	echo 'Jan  1 00:01:00 mx postfix/smtpd[201]: connect from b.test[192.0.2.2]:1001'
	echo 'Jan  1 00:01:01 mx postfix/smtpd[201]: disconnect from b.test[192.0.2.2]:1001 ehlo=1 quit=1 commands=2'
} >"$tmp/newyear.log"
"$bin" --year 2025 --sessions --since 2026-01-01 "$tmp/newyear.log" >"$tmp/ny1"
"$bin" --year 2025 --sessions --until 2026-01-01 "$tmp/newyear.log" >"$tmp/ny2"
grep -q '^2026-01-01T00:01:00 .*smtpd\[201\]' "$tmp/ny1" && [ "$(wc -l <"$tmp/ny1")" -eq 1 ] &&
	ok || bad "--since 2026-01-01: $(cat "$tmp/ny1")"
grep -q '^2025-12-31T23:59:00 .*smtpd\[200\]' "$tmp/ny2" && [ "$(wc -l <"$tmp/ny2")" -eq 1 ] &&
	ok || bad "--until 2026-01-01: $(cat "$tmp/ny2")"
# --explain, offline
expect_rc 0 "--explain 550 5.1.1" "$bin" --explain 550 5.1.1
grep -q 'unknown-user' "$tmp/out" && ok || bad "--explain 550 5.1.1 names no cause"
expect_rc 2 "--explain 599 9.9.9" "$bin" --explain 599 9.9.9
grep -qi 'malformed' "$tmp/out" && ok || bad "--explain 599 9.9.9 not flagged: $(cat "$tmp/out")"

# A rotated set, plain and gzip, given in shuffled order, is read in the
# time order of its content: the same sessions as the whole file, and a
# conversation cut by the rotation is one.
if command -v jq >/dev/null; then
	mkdir "$tmp/rot"
	sed -n '1,400p' "$log" | gzip -c >"$tmp/rot/mail.log.2.gz"
	sed -n '401,700p' "$log" >"$tmp/rot/mail.log.1"
	sed -n '701,$p' "$log" >"$tmp/rot/mail.log"
	strip='del(.file, .lines, .more_lines, .sequence[].file, .sequence[].line)'
	"$bin" --year 2026 --format json "$log" | jq -c "$strip" | sort >"$tmp/whole.json"
	"$bin" --year 2026 --format json "$tmp/rot/mail.log" "$tmp/rot/mail.log.2.gz" "$tmp/rot/mail.log.1" |
		jq -c "$strip" | sort >"$tmp/rot.json"
	cmp -s "$tmp/whole.json" "$tmp/rot.json" && ok || bad "rotated set in shuffled order differs from the whole file: $(diff "$tmp/whole.json" "$tmp/rot.json" | head -5)"
	# the 20403 session's lines run from mail.log.1 into mail.log
	"$bin" --year 2026 --format json "$tmp/rot/mail.log" "$tmp/rot/mail.log.1" "$tmp/rot/mail.log.2.gz" |
		jq -e -s '[.[] | select(.client.port == "20403")] | length == 1 and (.[0].more_lines | length) > 0' >/dev/null &&
		ok || bad "the conversation across the rotation is not one"
fi

# A command sent before the greeting is the client's, not a reply.
"$bin" --year 2026 --id 127.0.0.1 "$log" | sed -n '/postscreen\[127.0.0.1\]:20002,/,/^$/p' >"$tmp/pregreet"
grep -q '^  client sent: EHLO p20002.client.test\\r\\n$' "$tmp/pregreet" &&
	! grep -q '^  reply: EHLO' "$tmp/pregreet" && ok ||
	bad "the pregreet's EHLO is not shown as the client's: $(cat "$tmp/pregreet")"
"$bin" --id 127.0.0.1 "$root"/samples/exim/pid/mainlog | grep -q '^  client sent: EHLO' && ok ||
	bad "Exim's pregreet input is not shown as the client's"

# Hints are chosen by the session's server: no session is told another
# server's setting (an Exim pregreet got postscreen_greet_action).
if command -v jq >/dev/null; then
	pf='postscreen|smtpd_|smtp_tls|smtp_destination|mynetworks|maximal_queue_lifetime|header_checks|body_checks|reject_|anvil|recipient_maps'
	ex='acl_smtp|smtp_accept_max|smtp_enforce_sync|dnslists|relay_from_hosts|relay_to_domains|exinext|exigrep|remote_max_parallel|smtp_receive_timeout|tls_require_ciphers|helo_verify_hosts'
	ms='MaxMessageSize|receive connector'
	for f in "$log" "$root"/samples/exim/*/mainlog "$root"/samples/kerio/*.log "$root"/samples/exchange/*.LOG; do
		"$bin" --year 2026 -f json "$f" 2>/dev/null | jq -r 'select(.hint) | [.mta, .hint] | @tsv'
	done >"$tmp/hints"
	[ -s "$tmp/hints" ] && ok || bad "no hints in the samples"
	awk -F '\t' -v pf="$pf" -v ex="$ex" -v ms="$ms" '
		$1 == "postfix" && ($2 ~ ex || $2 ~ ms) ||
		$1 == "exim" && ($2 ~ pf || $2 ~ ms) ||
		$1 ~ /^exchange/ && ($2 ~ pf || $2 ~ ex) ||
		$1 == "kerio" && ($2 ~ pf || $2 ~ ex || $2 ~ ms)' "$tmp/hints" >"$tmp/wrong"
	[ ! -s "$tmp/wrong" ] && ok || bad "hints naming another server's settings: $(head -3 "$tmp/wrong")"
	grep -q '^exim.*smtp_enforce_sync' "$tmp/hints" && ok || bad "no Exim pregreet hint of its own"
fi

# Every JSON line is valid JSON with the contract's keys.
if command -v jq >/dev/null; then
	jq -e -s 'all(.[]; has("mta") and has("session") and has("direction") and has("start")
		and has("end") and has("client") and has("ids") and has("sender")
		and has("recipients") and has("status") and has("outcome") and has("phase")
		and has("kind") and has("reply") and has("enhanced") and has("text")
		and has("cause") and has("file") and has("lines"))' "$tmp/plain.json" >/dev/null &&
		ok || bad "JSON lacks contract keys"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
