#!/usr/bin/env bash
# Exim's own test suite logs (normalised output of hundreds of
# configurations, ../shared/corpus/exim/exim-testsuite/log/*) read through
# patterns/exim.yaml: fewer than 0.5% of the reception and delivery lines
# (flags <=, =>, ->, *>, **, ==) may be left unrecognised. The corpus is
# not shipped: without it the test is skipped (exit 77).
#
#   check-exim-testsuite.sh BINARY SOURCEROOT
#
# Prints the count, the rate and the unrecognised lines' most common
# shapes, so a failure says what to read next.
set -u
bin=$1
root=$2
corpus=${SMTPLOG_CORPUS:-$root/../shared/corpus}
dir=$corpus/exim/exim-testsuite/log
if [ ! -d "$dir" ]; then
	echo "skip: no $dir"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# DATE TIME[.mmm][ +ZZZZ][ [PID]][ MSGID] FLAG
flagline='^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}(\.[0-9]{3})?( [-+][0-9]{4})?( \[[0-9]+\])?( [0-9A-Za-z]{6}-[0-9A-Za-z]{6,11}-[0-9A-Za-z]{2,4})? (<=|=>|->|\*>|\*\*|==) '
cat "$dir"/* >"$tmp/all.log"
"$bin" --mta exim --unparsed "$tmp/unparsed.log" "$tmp/all.log" >/dev/null 2>&1
rc=$?
if [ "$rc" -gt 1 ]; then
	echo "FAIL: $bin exited $rc"
	exit 1
fi
total=$(grep -cE "$flagline" "$tmp/all.log")
bad=$(grep -cE "$flagline" "$tmp/unparsed.log")
if [ "$total" -lt 1000 ]; then
	echo "FAIL: only $total reception and delivery lines in $dir"
	exit 1
fi
# bad/total < 0.5%  <=>  200 * bad < total
rate=$(awk -v b="$bad" -v t="$total" 'BEGIN { printf "%.2f", 100 * b / t }')
echo "$bad of $total reception and delivery lines unrecognised ($rate%)"
grep -E "$flagline" "$tmp/unparsed.log" |
    sed -E 's/^[0-9-]+ [0-9:.]+( [-+][0-9]{4})?( \[[0-9]+\])?( [0-9A-Za-z-]{16,23})? //' |
    cut -c1-100 | sort | uniq -c | sort -rn | head -n 10
if [ $((200 * bad)) -ge "$total" ]; then
	echo "FAIL: $rate% is not below 0.5%"
	exit 1
fi
echo "1 passed, 0 failed"
