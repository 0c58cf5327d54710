#!/usr/bin/env bash
# Golden tests: each directory under GOLDENDIR is a case holding
#
#   args          the command-line arguments, one per line, run from the
#                 case directory (inputs are named relative to it)
#   expected.out  what must appear on standard output
#   expected.err  (optional) what must appear on standard error; without
#                 it, standard error must be empty
#   expected.rc   (optional) the exit status, 0 when absent
#   stdin         (optional) what standard input reads (else /dev/null)
#
# and any input files. Output is compared with diff -u.
#
#   run-golden.sh BINARY GOLDENDIR [--update]
#
# --update rewrites the expected files from the current output, for a
# developer who has read the difference and agrees with it.
set -u
bin=$1
dir=$2
update=${3:-}
pass=0
fail=0
for case in "$dir"/*/; do
	case=${case%/}
	name=${case##*/}
	[ -f "$case/args" ] || continue
	mapfile -t args <"$case/args"
	out=$(mktemp)
	err=$(mktemp)
	in=/dev/null
	[ -f "$case/stdin" ] && in=$case/stdin
	(cd "$case" && "$bin" "${args[@]}" >"$out" 2>"$err") <"$in"
	rc=$?
	want_rc=0
	[ -f "$case/expected.rc" ] && want_rc=$(cat "$case/expected.rc")
	if [ "$update" = --update ]; then
		cp "$out" "$case/expected.out"
		if [ -s "$err" ] || [ -f "$case/expected.err" ]; then
			cp "$err" "$case/expected.err"
		fi
		if [ "$rc" -ne 0 ]; then echo "$rc" >"$case/expected.rc"; else rm -f "$case/expected.rc"; fi
		rm -f "$out" "$err"
		echo "updated: $name"
		continue
	fi
	ok=1
	if ! diff -u "$case/expected.out" "$out" >"$out.diff"; then
		ok=0
		echo "FAIL: $name: standard output differs"
		head -40 "$out.diff"
	fi
	if [ -f "$case/expected.err" ] && ! diff -u "$case/expected.err" "$err" >"$err.diff"; then
		ok=0
		echo "FAIL: $name: standard error differs"
		head -20 "$err.diff"
	elif [ ! -f "$case/expected.err" ] && [ -s "$err" ]; then
		ok=0
		echo "FAIL: $name: standard error not empty (no expected.err):"
		head -5 "$err"
	fi
	if [ "$rc" != "$want_rc" ]; then
		ok=0
		echo "FAIL: $name: exit status $rc, want $want_rc"
		head -5 "$err"
	fi
	if [ $ok = 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
	rm -f "$out" "$err" "$out.diff" "$err.diff"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
