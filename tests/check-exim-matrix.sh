#!/usr/bin/env bash
# The real Exim runs of samples/exim/, one folder per log_selector
# configuration (tests/realserver/exim-run.sh), read two more ways than
# check-real-samples.sh reads them:
#
#  - every line of every log is recognised (--unparsed writes nothing): the
#    lines that belong to no SMTP session (daemon start, queue runs, cwd=
#    process lines) are recognised as such, not left over;
#  - the main log and the reject log read together give as many sessions
#    as the main log alone, in either order: a reject-log entry joins the
#    session its main-log twin is in, never makes one of its own.
#
#   check-exim-matrix.sh BINARY SAMPLEDIR
set -u
bin=$1
dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
count() {
	"$bin" --format json "$@" | grep -c '^{'
}
for cfg in "$dir"/*/; do
	cfg=${cfg%/}
	name=${cfg##*/}
	[ -f "$cfg/mainlog" ] || continue
	for log in "$cfg"/*log; do
		"$bin" --mta exim --unparsed "$tmp/unparsed" "$log" >/dev/null 2>&1
		if [ -s "$tmp/unparsed" ]; then
			fail=$((fail + 1))
			echo "FAIL: $name/${log##*/}: $(wc -l <"$tmp/unparsed") lines unrecognised:"
			head -n 5 "$tmp/unparsed" | cut -c1-200 | sed 's/^/  /'
		else
			pass=$((pass + 1))
		fi
	done
	for side in "" remote-; do
		main=$cfg/${side}mainlog
		rej=$cfg/${side}rejectlog
		[ -f "$main" ] && [ -f "$rej" ] || continue
		one=$(count "$main")
		two=$(count "$main" "$rej")
		rev=$(count "$rej" "$main")
		if [ "$one" -gt 0 ] && [ "$one" = "$two" ] && [ "$one" = "$rev" ]; then
			pass=$((pass + 1))
		else
			fail=$((fail + 1))
			echo "FAIL: $name/${side}mainlog: $one sessions alone, $two with ${side}rejectlog after it, $rev before it"
		fi
	done
done
echo "$pass passed, $fail failed"
[ "$pass" -gt 0 ] && [ "$fail" -eq 0 ]
