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

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
