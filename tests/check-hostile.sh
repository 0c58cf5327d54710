#!/usr/bin/env bash
# Hostile and broken input (issue 11): each case is a reproducer of a
# defect the fuzzers or a hostile-input review found, run on the built
# tool. Big inputs are generated here, never committed.
#
#   check-hostile.sh BINARY SOURCEROOT
set -u
bin=$1
root=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); printf 'FAIL: %s\n' "$*"; }

# A Postfix connection that never ends: one incomplete session.
good=$tmp/good.log
echo 'Nov 23 09:17:33 mx postfix/smtpd[7]: connect from a[192.0.2.1]:5' \
    >"$good"

# --- a NUL in a key field (item 1): the queue map and list must agree ----
# (a heap use-after-free: a release build crashed with status 139)
printf '%s\n%s\0%s\n' \
    'Nov 23 09:17:33 mx postfix/qmgr[1]: 1449CA72097: from=<a@b>, size=1, nrcpt=1 (queue active)' \
    'Nov 23 09:17:33 mx' ' postfix/qmgr[1]: 1449CA72097: removed' >"$tmp/nul.log"
"$bin" --year 2026 "$tmp/nul.log" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -ne 0 ]; then
	bad "NUL in the host of a queue line: exit status $rc: $(head -3 "$tmp/err")"
else
	ok
fi
# ... and a session's lines, with the same NUL, are one session
printf 'Nov 23 09:17:33 mx\0x postfix/smtpd[7]: connect from a[192.0.2.1]:5\n' \
    >"$tmp/nulkey.log"
printf 'Nov 23 09:17:34 mx\0x postfix/smtpd[7]: disconnect from a[192.0.2.1]:5 ehlo=1 quit=1 commands=2\n' \
    >>"$tmp/nulkey.log"
n=$("$bin" --year 2026 -s "$tmp/nulkey.log" 2>/dev/null | wc -l)
if [ "$n" -ne 1 ]; then
	bad "NUL in the host of a session: $n sessions, want 1"
else
	ok
fi

# --- one connection, N distinct rejected recipients (item 2) ------------
# Read in time linear in N and memory independent of N (a session keeps
# 2,000 lines and 1,000 recipients, and counts the rest); the figures
# still count every refusal.
flood() { # N FILE
	awk -v n="$1" 'BEGIN {
		p = "Nov 23 09:17:33 mx postfix/smtpd[7]: "
		print p "connect from e[10.6.6.6]:6"
		for (i = 0; i < n; i++)
			printf "%sNOQUEUE: reject: RCPT from e[10.6.6.6]:6: 550 5.1.1 <u%d@x>: Recipient address rejected: x; from=<a@b> to=<u%d@x> proto=ESMTP helo=<h>\n", p, i, i
	}' >"$2"
}
flood 20000 "$tmp/flood20k.log"
flood 200000 "$tmp/flood200k.log"
stats() { # FILE -> "SECONDS KIB", and the summary in $tmp/out
	timeout 120 "$bin" --year 2026 --stats "$1" >"$tmp/out" 2>"$tmp/err"
	sed -n 's/.* in \([0-9.]*\) s .*peak memory \([0-9]*\) KiB.*/\1 \2/p' \
	    "$tmp/err"
}
read -r t1 m1 <<<"$(stats "$tmp/flood20k.log")"
read -r t2 m2 <<<"$(stats "$tmp/flood200k.log")"
# the memory limits hold for a plain build: not under sanitizers (ASan's
# quarantine keeps freed memory, so peak memory grows with the lines), nor
# under meson test --setup valgrind (which sets SMTPLOG_ANALYZE_JIT=0)
sanitized=0
asan=0
grep -q __asan_init "$bin" 2>/dev/null && asan=1 && sanitized=1
[ "${SMTPLOG_ANALYZE_JIT:-}" = 0 ] && sanitized=1
if [ -z "${t2:-}" ] || [ -z "${m2:-}" ]; then
	bad "200,000 recipients: no --stats line: $(head -3 "$tmp/err")"
elif ! grep -Eq '^  rejected +0 +200000 ' "$tmp/out"; then
	bad "200,000 recipients: refusals miscounted: $(grep rejected "$tmp/out")"
elif awk -v a="$t1" -v b="$t2" 'BEGIN { exit !(b > 25 * a + 0.5) }'; then
	bad "200,000 recipients: $t2 s, against $t1 s for 20,000: not linear"
elif [ $sanitized -eq 0 ] && [ "$m2" -gt $((m1 * 2 + 8192)) ]; then
	bad "200,000 recipients: $m2 KiB, against $m1 KiB for 20,000"
elif [ $sanitized -eq 0 ] && { [ "$m2" -gt 65536 ] ||
    awk -v b="$t2" 'BEGIN { exit !(b >= 10) }'; }; then
	bad "200,000 recipients: $t2 s and $m2 KiB, want < 10 s (2 s on an idle machine) and < 64 MiB"
else
	echo "200,000 recipients: $t2 s, $m2 KiB (20,000: $t1 s, $m1 KiB)"
	ok
fi
"$bin" --year 2026 --id 10.6.6.6 "$tmp/flood20k.log" >"$tmp/out" 2>&1
if ! grep -q '^  \.\.\. 18001 more lines left out' "$tmp/out"; then
	bad "20,000 recipients: the transcript does not say what it left out"
else
	ok
fi
# ... and JSON and CSV say how much their lists leave out: 1,000 of the
# 200,000 recipients and 2,000 of the 200,001 lines are listed; a session
# that left nothing out has no "omitted" key and zeros in CSV
want='"omitted":{"recipients":199000,"lines":198001}}'
"$bin" --year 2026 -f json "$tmp/flood200k.log" "$good" >"$tmp/out" \
    2>"$tmp/err"
if [ "$(grep -c '"omitted"' "$tmp/out")" -ne 1 ] ||
    ! grep -qF "$want" "$tmp/out"; then
	bad "200,000 recipients: JSON 'omitted' $(grep -o '"omitted".*' "$tmp/out"), want $want once"
else
	ok
fi
"$bin" --year 2026 -f csv "$tmp/flood20k.log" "$good" >"$tmp/out" \
    2>"$tmp/err"
if [ "$(head -1 "$tmp/out" | tr -d '\r' | awk -F, '{ print $(NF-1) "," $NF }')" != \
    omitted.recipients,omitted.lines ] ||
    [ "$(tail -n +2 "$tmp/out" | tr -d '\r' | awk -F, '{ print $(NF-1) "," $NF }' |
    sort | tr '\n' ' ')" != '0,0 19000,18001 ' ]; then
	bad "20,000 recipients: CSV omitted columns: $(cut -c1-60 "$tmp/out" | head -3)"
else
	ok
fi

# --- endless inputs: named, refused, the other files still read ----------
if [ -c /dev/zero ]; then
	timeout 20 "$bin" --year 2026 /dev/zero "$good" >"$tmp/out" \
	    2>"$tmp/err"
	rc=$?
	if [ $rc -eq 124 ]; then
		bad "/dev/zero: still reading after 20 s"
	elif [ $rc -ne 2 ]; then
		bad "/dev/zero: exit status $rc, want 2"
	elif ! grep -q "error: cannot read '/dev/zero': a character device" \
	    "$tmp/err"; then
		bad "/dev/zero: not named: $(cat "$tmp/err")"
	elif ! grep -q '^sessions: 1 ' "$tmp/out"; then
		bad "/dev/zero: good.log not reported: $(cat "$tmp/out")"
	else
		ok
	fi
fi
# ... /dev/null is an empty input, not a refused one
"$bin" --year 2026 /dev/null "$good" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -ne 0 ] || grep -q 'error' "$tmp/err"; then
	bad "/dev/null: exit status $rc: $(cat "$tmp/err")"
else
	ok
fi
# ... and endless bytes without a line end through a pipe end the input
head -c 200000000 /dev/zero | timeout 60 "$bin" --year 2026 - "$good" \
    >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -ne 2 ]; then
	bad "NULs on a pipe: exit status $rc, want 2: $(cat "$tmp/err")"
elif ! grep -q '(standard input):[0-9]*: error: cannot read: no line end' \
    "$tmp/err"; then
	bad "NULs on a pipe: not named: $(cat "$tmp/err")"
elif ! grep -q '^sessions: 1 ' "$tmp/out"; then
	bad "NULs on a pipe: good.log not reported: $(cat "$tmp/out")"
else
	ok
fi

# --- escaping: the text "\x1b" and an ESC byte never print the same -----
printf '%s\n' \
    'Nov 23 09:17:33 mx postfix/smtpd[7]: connect from \x1b[192.0.2.1]:5' \
    >"$tmp/esc.log"
printf 'Nov 23 09:17:34 mx postfix/smtpd[8]: connect from \033[192.0.2.1]:5\n' \
    >>"$tmp/esc.log"
"$bin" --year 2026 --id 192.0.2.1 "$tmp/esc.log" 2>/dev/null |
    grep '^client:' >"$tmp/clients"
if [ "$(wc -l <"$tmp/clients")" -ne 2 ]; then
	bad "escape: want two client lines, got: $(cat "$tmp/clients")"
elif [ "$(sort -u "$tmp/clients" | wc -l)" -ne 2 ]; then
	bad "escape: the text and the byte both print as: $(head -1 \
	    "$tmp/clients")"
else
	ok
fi

# --- diagnostics: no C1 control or invalid UTF-8 byte reaches stderr ----
name=$tmp/$(printf 'x\302\233\2332J\377')
"$bin" "$name" >/dev/null 2>"$tmp/err"
if [ ! -s "$tmp/err" ]; then
	bad "C1 in a file name: no diagnostic"
elif [ "$(LC_ALL=C tr -d '\000-\177' <"$tmp/err" | wc -c)" -ne 0 ]; then
	bad "C1 in a file name: raw bytes in: $(od -c "$tmp/err" | head -3)"
else
	ok
fi

# --- pattern files: a size limit, checked before the file is parsed -----
mkdir "$tmp/big"
{
	echo 'mta: big'
	for ((i = 0; i < 5000; i++)); do
		printf '# %01000d\n' "$i"
	done
} >"$tmp/big/big.yaml"
start=$SECONDS
"$bin" --patterns "$tmp/big" "$good" >/dev/null 2>"$tmp/err"
rc=$?
if [ $rc -ne 2 ] ||
    ! grep -q "big.yaml: error: pattern file larger than 4 MiB" "$tmp/err"
then
	bad "5 MB pattern file: exit status $rc: $(cat "$tmp/err")"
elif [ $((SECONDS - start)) -gt 10 ]; then
	bad "5 MB pattern file: refused after $((SECONDS - start)) s"
else
	ok
fi

# --- pattern files: one pattern name 100,000 times over (item 6) --------
# (a list of YAML aliases of 700 KB printed N*N/2 duplicate errors)
mkdir "$tmp/alias" "$tmp/alias2"
aliased() { # N
	cat <<'YAML'
mta: aliased
session: [host, pid]
prefixes:
  - name: pfx
    regex: '^(?<host>\S+) testd\[(?<pid>\d+)\]: '
    samples:
      - line: 'mx testd[1]: hello'
        expect: {host: mx}
patterns:
  - &a
    name: hello
    event: connect
    regex: '^hello$'
    samples: ['mx testd[1]: hello']
YAML
	for ((i = 0; i < $1; i++)); do echo '  - *a'; done
}
aliased 100000 >"$tmp/alias/a.yaml"
aliased 5000 >"$tmp/alias2/a.yaml"
start=$SECONDS
timeout 60 "$bin" --patterns "$tmp/alias" --check-patterns >/dev/null \
    2>"$tmp/err"
rc=$?
timeout 60 "$bin" --patterns "$tmp/alias2" --check-patterns >/dev/null \
    2>"$tmp/err2"
rc2=$?
if [ $rc -ne 2 ] || ! grep -q 'error: 100001 patterns: more than 10000' \
    "$tmp/err"; then
	bad "100,000 aliases: exit status $rc: $(head -c 300 "$tmp/err")"
elif [ $rc2 -ne 2 ] || [ "$(grep -c "duplicate pattern name 'hello'" \
    "$tmp/err2")" -ne 1 ]; then
	bad "5,000 aliases: exit status $rc2, $(grep -c duplicate \
	    "$tmp/err2") duplicate errors, want 1"
elif [ $((SECONDS - start)) -gt 20 ]; then
	bad "aliases: $((SECONDS - start)) s"
else
	ok
fi

# --- a regex that backtracks: limited, and named (item 6) ---------------
mkdir "$tmp/bt"
cat >"$tmp/bt/bt.yaml" <<'YAML'
mta: backtrack
session: [host, pid]
prefixes:
  - name: pfx
    regex: '^(?<host>\S+) testd\[(?<pid>\d+)\]: '
    samples:
      - line: 'mx testd[1]: aaaa'
        expect: {host: mx, pid: '1'}
patterns:
  - name: nested-plus
    event: connect
    regex: '^(?:a+)+$'
    samples: ['mx testd[1]: aaaa']
YAML
for ((i = 0; i < 50; i++)); do
	printf 'mx testd[1]: %s\n' aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab
done >"$tmp/bt.log"
"$bin" --patterns "$tmp/bt" --mta backtrack "$tmp/bt.log" >/dev/null \
    2>"$tmp/err"
if [ "$(grep -c "warning: pattern 'nested-plus' gave up on a line" \
    "$tmp/err")" -ne 1 ]; then
	bad "backtracking regex: not named once: $(head -c 300 "$tmp/err")"
else
	ok
fi

# --- cause rules read the whole reply, not its first 1,023 bytes (7) ----
pad=$(printf '%01100d' 0)
{
	p='Nov 23 09:17:33 mx postfix/smtpd[7]: '
	echo "${p}connect from e[192.0.2.9]:6"
	echo "${p}NOQUEUE: reject: RCPT from e[192.0.2.9]:6: 450 4.7.1 <u@x>: Recipient address rejected: $pad Greylisted, see https://example.org; from=<a@b> to=<u@x> proto=ESMTP helo=<h>"
	echo "${p}disconnect from e[192.0.2.9]:6 ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4"
} >"$tmp/long.log"
cause=$("$bin" --year 2026 -f json "$tmp/long.log" 2>/dev/null |
    sed -n 's/.*"cause":"\([^"]*\)".*/\1/p')
if [ "$cause" != greylist ]; then
	bad "a reason after 1,100 bytes: cause '$cause', want greylist"
else
	ok
fi

# --- signals and pipes (item 7) ------------------------------------------
# A closed output pipe ends the run quietly, killed by SIGPIPE (141), even
# when the parent ignored SIGPIPE.
flood 3000 "$tmp/many.log"
for how in default ignored; do
	(
		[ $how = ignored ] && trap '' PIPE
		"$bin" --year 2026 --id 10.6.6.6 "$tmp/many.log" 2>"$tmp/err" |
		    head -n 1 >/dev/null
		echo "${PIPESTATUS[0]}" >"$tmp/rc"
	)
	rc=$(cat "$tmp/rc")
	if [ "$rc" -ne 141 ] || [ -s "$tmp/err" ]; then
		bad "closed pipe, SIGPIPE $how: exit status $rc: $(cat "$tmp/err")"
	else
		ok
	fi
done
# SIGTERM while --follow is blocked writing to a full pipe: once the
# reader drains it, the open sessions are reported, each once, status 0.
{
	for ((i = 0; i < 5; i++)); do
		echo "Nov 23 09:17:00 mx postfix/smtpd[900$i]: connect from open[192.0.2.$i]:6"
	done
	for ((i = 0; i < 3000; i++)); do
		p="Nov 23 09:17:01 mx postfix/smtpd[$((1000 + i))]: "
		echo "${p}connect from e[192.0.2.9]:6"
		echo "${p}disconnect from e[192.0.2.9]:6 ehlo=1 quit=1 commands=2"
	done
} >"$tmp/follow.log"
mkfifo "$tmp/fifo"
"$bin" --year 2026 --session-timeout 0 --follow -s "$tmp/follow.log" \
    >"$tmp/fifo" 2>"$tmp/err" &
pid=$!
exec 3<"$tmp/fifo"
# 64 KiB in the pipe: the tool waits in write(). Wait for that (up to
# 120 s: under valgrind it takes seconds to start), not a fixed time.
for ((i = 0; i < 1200; i++)); do
	grep -q pipe_write "/proc/$pid/wchan" 2>/dev/null && break
	sleep 0.1
done
kill -TERM $pid
sleep 0.5
cat <&3 >"$tmp/out"
exec 3<&-
wait $pid
rc=$?
n=$(wc -l <"$tmp/out")
if [ $rc -ne 0 ] || [ -s "$tmp/err" ]; then
	bad "SIGTERM, output blocked: exit status $rc: $(cat "$tmp/err")"
elif [ "$(grep -c ' incomplete ' "$tmp/out")" -ne 5 ]; then
	bad "SIGTERM, output blocked: $(grep -c ' incomplete ' "$tmp/out") of the 5 open sessions reported"
elif [ "$(sort -u "$tmp/out" | wc -l)" -ne "$n" ] || [ "$n" -lt 100 ]; then
	bad "SIGTERM, output blocked: $n lines, $(sort -u "$tmp/out" | wc -l) distinct"
else
	ok
fi

# --- --follow: copytruncate, refilled past the old size between two polls
# (item 3): each session once, no piece of a line. The file is read to
# its end, then cut and written longer in one go (the tool sleeps 0.2 s
# between polls); five times over, as the race was lost 5 runs in 5.
# tests/check_reader.c makes the same cuts between two reads with no
# sleep, deterministically. Each run writes a new output file: the shell
# opens a background job's output in the job, so a file used again could
# still show the last run's lines to the first wait, which then cut the
# log before the tool had read it (60 sessions of 80, 1 run in 150).
sessions() { # FIRST COUNT HOST
	for ((i = $1; i < $1 + $2; i++)); do
		p="Nov 23 09:17:01 $3 postfix/smtpd[$i]: "
		echo "${p}connect from e[192.0.2.9]:6"
		echo "${p}disconnect from e[192.0.2.9]:6 ehlo=1 quit=1 commands=2"
	done
}
count() { # PATTERN FILE
	grep -c "$1" "$2"
}
for run in 1 2 3 4 5; do
	out=$tmp/ct.$run.out
	: >"$out"
	sessions 100 20 old >"$tmp/ct.log"
	"$bin" --year 2026 --follow -f json "$tmp/ct.log" >"$out" \
	    2>"$tmp/ct.err" &
	pid=$!
	for ((i = 0; i < 600; i++)); do	# a loaded machine: 60 s
		[ "$(count '"session":"old/' "$out")" -ge 20 ] && break
		sleep 0.1
	done
	sessions 500 60 new >"$tmp/ct.new"
	[ "$i" -lt 600 ] &&
	    cat "$tmp/ct.new" >"$tmp/ct.log"	# truncate, write past the old size
	for ((i = 0; i < 600; i++)); do
		[ "$(wc -l <"$out")" -ge 80 ] && break
		sleep 0.1
	done
	sleep 0.5
	kill -TERM $pid
	wait $pid
	n=$(wc -l <"$out")
	u=$(sed 's/.*"session":"\([^"]*\)".*/\1/' "$out" | sort -u | wc -l)
	if [ "$(count '"session":"old/' "$out")" -ne 20 ] ||
	    [ "$(count '"session":"new/' "$out")" -ne 60 ] ||
	    [ "$n" -ne 80 ] || [ "$u" -ne 80 ] || [ -s "$tmp/ct.err" ]; then
		bad "copytruncate refilled, run $run: $n sessions ($(count '"session":"old/' "$out") old, $(count '"session":"new/' "$out") new), $u distinct, want 20 + 60: $(head -2 "$tmp/ct.err")"
		break
	fi
done
[ "$run" -eq 5 ] && [ "${n:-0}" -eq 80 ] && [ "${u:-0}" -eq 80 ] && ok

# --- refused cause rules and samples are freed (item 6) -----------------
# Only a leak checker sees this: valgrind here, LeakSanitizer in the
# sanitizer build (where any leak fails the run).
mkdir "$tmp/causes"
cat >"$tmp/causes/00-bad.yaml" <<'YAML'
causes:
  - cause: no-regex-given
    samples: ['550 a']
  - cause: bad-regex
    regex: 'a('
    samples: ['550 b']
  - cause: twice
    cause: again
    regex: 'x'
    samples: ['550 x']
YAML
# valgrind cannot run a sanitized binary; LeakSanitizer checks that one
if [ $asan -eq 0 ] && command -v valgrind >/dev/null 2>&1; then
	valgrind -q --leak-check=full --errors-for-leak-kinds=definite \
	    --error-exitcode=99 "$bin" --patterns "$tmp/causes" \
	    --check-patterns >/dev/null 2>"$tmp/err"
	rc=$?
else
	"$bin" --patterns "$tmp/causes" --check-patterns >/dev/null 2>"$tmp/err"
	rc=$?
fi
if [ $rc -eq 99 ] || grep -q 'definitely lost\|LeakSanitizer' "$tmp/err"; then
	bad "refused cause rules leak: $(grep -m3 'lost\|Leak' "$tmp/err")"
elif [ $rc -ne 2 ] || ! grep -q "cause needs 'cause' and 'regex'" "$tmp/err"
then
	bad "refused cause rules: exit status $rc: $(head -3 "$tmp/err")"
else
	ok
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
