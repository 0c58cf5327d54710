#!/usr/bin/env bash
# --follow as it runs during an incident: a log that grows, is rotated by
# rename and create, grows, is rotated by copytruncate and grows again
# while the analyzer reads it. Every conversation must come out exactly
# once and as a plain run over the whole log reports it; a session left
# open must come out incomplete after --session-timeout while it runs;
# SIGTERM ends it with the report finished.
#
#   check-follow.sh BINARY SOURCEROOT
# ok() always succeeds, so "test && ok || bad" is an if-then-else here.
# shellcheck disable=SC2015
set -u
bin=$1
root=$2
sample=$root/samples/postfix/mail.log
if ! command -v jq >/dev/null; then
	echo "jq not found: skipped"
	exit 77
fi
tmp=$(mktemp -d)
pid=
cleanup() {
	if [ -n "$pid" ]; then kill "$pid" 2>/dev/null; fi
	rm -rf "$tmp"
}
trap cleanup EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); printf 'FAIL: %s\n' "$*"; }

# wait_for WHAT CMD...: until CMD succeeds, for 20 s at most
wait_for() {
	local what=$1 i
	shift
	for ((i = 0; i < 200; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	bad "timed out waiting: $what"
	return 1
}

# The follower ($pid) has read FILE to its end: its descriptor's offset is
# the file's size (Linux /proc); elsewhere, give it a moment.
read_to_end() {
	local f=$1 fd size
	if [ ! -d "/proc/$pid/fdinfo" ]; then
		sleep 1.5
		return 0
	fi
	size=$(stat -c %s "$f") || return 1
	for fd in /proc/"$pid"/fd/*; do
		[ "$(readlink "$fd")" = "$f" ] || continue
		[ "$(awk '/^pos:/ { print $2 }' "/proc/$pid/fdinfo/${fd##*/}")" = "$size" ] &&
			return 0
	done
	return 1
}

# Wait until the follower has read FILE, then for one more poll (200 ms),
# so that what it read is also handled.
settle() {
	wait_for "the follower to read $1" read_to_end "$1" && sleep 0.5
}

# stop: SIGTERM the follower, wait, set rc
stop() {
	kill -TERM "$pid"
	wait "$pid"
	rc=$?
	pid=
}

# One conversation per key: the session label alone repeats (a process
# serves several clients in one second), with the client port and the
# queue IDs it does not.
key='[.session, .direction, (.client.port // "-"), (.ids.queue | tostring)] | join(" ")'
# All but where the lines were read: line numbers start again after a
# rotation.
strip='del(.file, .lines, .more_lines, .sequence[]?.file, .sequence[]?.line)'

# Split points: conversations are open across each of them (checked).
s1=300 s2=500 s3=700
"$bin" --year 2026 -f json "$sample" >"$tmp/whole.json" 2>"$tmp/whole.err"
for n in $s1 $s2 $s3; do
	jq -e -s --argjson n "$n" 'any(.[]; [.lines[]] | min <= $n and max > $n)' \
		"$tmp/whole.json" >/dev/null && ok ||
		bad "no conversation crosses line $n of the sample"
done

log=$tmp/mail.log
sed -n "1,${s1}p" "$sample" >"$log"
"$bin" --follow --year 2026 -f json "$log" >"$tmp/out.json" 2>"$tmp/err" &
pid=$!
settle "$log"
# sessions stream out while it runs, not at the end
wait_for "sessions before the first rotation" test -s "$tmp/out.json" && ok
sed -n "$((s1 + 1)),${s2}p" "$sample" >>"$log"
settle "$log"
# rename and create
mv "$log" "$log.1"
sed -n "$((s2 + 1)),$((s2 + 50))p" "$sample" >"$log"
settle "$log"
sed -n "$((s2 + 51)),${s3}p" "$sample" >>"$log"
settle "$log"
# copytruncate
cp "$log" "$log.2"
truncate -s 0 "$log"
settle "$log"
sed -n "$((s3 + 1)),\$p" "$sample" >>"$log"
settle "$log"
kill -0 "$pid" 2>/dev/null && ok || bad "the follower is not running before SIGTERM"
stop
[ "$rc" -eq 0 ] && ok || bad "--follow exit status $rc after SIGTERM: $(head -3 "$tmp/err")"
[ ! -s "$tmp/err" ] && ok || bad "--follow wrote to stderr: $(head -3 "$tmp/err")"

jq -r "$key" "$tmp/whole.json" | sort >"$tmp/whole.keys"
jq -r "$key" "$tmp/out.json" | sort >"$tmp/out.keys"
[ -z "$(uniq -d "$tmp/out.keys")" ] && ok ||
	bad "conversations reported twice: $(uniq -d "$tmp/out.keys" | head -3)"
cmp -s "$tmp/whole.keys" "$tmp/out.keys" && ok ||
	bad "conversations differ from a plain run: $(diff "$tmp/whole.keys" "$tmp/out.keys" | head -5)"
[ "$(wc -l <"$tmp/out.keys")" -eq "$(wc -l <"$tmp/whole.keys")" ] && [ -s "$tmp/out.keys" ] && ok ||
	bad "$(wc -l <"$tmp/out.keys") conversations, want $(wc -l <"$tmp/whole.keys")"
jq -c "$strip" "$tmp/whole.json" | sort >"$tmp/whole.stripped"
jq -c "$strip" "$tmp/out.json" | sort >"$tmp/out.stripped"
cmp -s "$tmp/whole.stripped" "$tmp/out.stripped" && ok ||
	bad "verdicts differ from a plain run: $(diff "$tmp/whole.stripped" "$tmp/out.stripped" | head -3)"

# A session that never ends is reported incomplete after --session-timeout
# of quiet, while the follower runs.
idle=$tmp/idle.log
echo 'Nov 23 09:00:00 mx postfix/smtpd[100]: connect from a.test[192.0.2.1]:1000' >"$idle"
"$bin" --follow --session-timeout 1 --year 2026 -f json "$idle" >"$tmp/idle.json" 2>"$tmp/idle.err" &
pid=$!
wait_for "the idle session to be reported" test -s "$tmp/idle.json" &&
	jq -e -s 'length == 1 and .[0].status == "incomplete" and .[0].client.ip == "192.0.2.1"' \
		"$tmp/idle.json" >/dev/null && ok || bad "idle session: $(cat "$tmp/idle.json")"
kill -0 "$pid" 2>/dev/null && ok || bad "the follower ended by itself: $(cat "$tmp/idle.err")"
stop
[ "$rc" -eq 0 ] && [ "$(wc -l <"$tmp/idle.json")" -eq 1 ] && ok ||
	bad "after SIGTERM: exit $rc, $(wc -l <"$tmp/idle.json") sessions"

# SIGINT in summary mode: the summary of what was read, then exit 0.
cp "$sample" "$log"
"$bin" --follow --year 2026 "$log" >"$tmp/summary.txt" 2>"$tmp/err" &
pid=$!
settle "$log"
[ ! -s "$tmp/summary.txt" ] && ok || bad "the summary came before the end"
kill -INT "$pid"
wait "$pid"
rc=$?
pid=
[ "$rc" -eq 0 ] && grep -q '^sessions: 59 ' "$tmp/summary.txt" && ok ||
	bad "summary after SIGINT: exit $rc: $(head -5 "$tmp/summary.txt")"

# Usage errors: one plain FILE only.
expect_64() { # WHAT ARGS...
	local what=$1
	shift
	"$bin" "$@" >/dev/null 2>"$tmp/err" </dev/null
	local r=$?
	[ "$r" -eq 64 ] && grep -q -- "--follow" "$tmp/err" && ok ||
		bad "$what: exit $r, want 64: $(head -2 "$tmp/err")"
}
gzip -c "$sample" >"$tmp/mail.log.gz"
expect_64 "--follow without FILE" --follow
expect_64 "--follow with standard input" --follow -
expect_64 "--follow with two files" --follow "$log" "$log.1"
expect_64 "--follow with a gzip file" --follow "$tmp/mail.log.gz"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
