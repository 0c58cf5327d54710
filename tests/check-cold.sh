#!/usr/bin/env bash
# Held sessions written out to the temporary file (--held-in-memory) and
# read back change nothing: standard output, standard error and the exit
# status with --held-in-memory 0 (every held session and every queued
# message without one written out at once) are those of the default, on
# every sample (JSON, which has every field of a session, and --id),
# every golden case, and benchmark logs of 20,000 lines with and without
# --max-open evicting, also with --held-in-memory 1 and 10.
# The file is unlinked at once (nothing is left in TMPDIR), and a TMPDIR
# where none can be made gives one warning and the same report.
#
#   check-cold.sh BINARY SOURCEROOT
set -u
bin=$1
root=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
mkdir "$tmp/t"
export TMPDIR=$tmp/t

# same WHAT ARGS...: the default and --held-in-memory $hs agree, each
# reading $input on standard input; none leaves a file in TMPDIR
input=/dev/null
hs=0
same() {
	local what=$1 h rc0 rc
	shift
	"$bin" "$@" >"$tmp/d.out" 2>"$tmp/d.err" <"$input"
	rc0=$?
	for h in $hs; do
		"$bin" --held-in-memory $h "$@" >"$tmp/h.out" 2>"$tmp/h.err" <"$input"
		rc=$?
		if [ $rc0 -ne $rc ]; then
			fail=$((fail + 1)); echo "FAIL: $what: exit $rc0 by default, $rc with --held-in-memory $h"
		elif ! cmp -s "$tmp/d.out" "$tmp/h.out"; then
			fail=$((fail + 1)); echo "FAIL: $what, --held-in-memory $h: standard output differs"
			diff "$tmp/d.out" "$tmp/h.out" | head -5
		elif ! cmp -s "$tmp/d.err" "$tmp/h.err"; then
			fail=$((fail + 1)); echo "FAIL: $what, --held-in-memory $h: standard error differs"
			diff "$tmp/d.err" "$tmp/h.err" | head -5
		elif [ -n "$(ls -A "$TMPDIR")" ]; then
			fail=$((fail + 1)); echo "FAIL: $what, --held-in-memory $h: left $(ls -A "$TMPDIR") in TMPDIR"
			rm -rf "${TMPDIR:?}"/*
		else
			pass=$((pass + 1))
		fi
	done
}

# An ID of the first session: its first queue ID, else its client address.
some_id() {
	"$bin" --year 2026 -f json "$1" 2>/dev/null | head -1 |
		grep -oE '"queue":\["[^"]+|"ip":"[^"]+' | head -1 | sed 's/.*"//'
}

mapfile -t samples < <(find "$root/samples" -type f ! -name '*.md' \
	! -name '*.tsv' ! -name '*.txt' | sort)
[ "${#samples[@]}" -gt 20 ] || { echo "samples not found in $root/samples"; exit 1; }
for f in "${samples[@]}"; do
	name=${f#"$root"/}
	same "$name -f json" --year 2026 -f json "$f"
	id=$(some_id "$f")
	[ -z "$id" ] || same "$name --id $id" --year 2026 --id "$id" "$f"
done
# each folder as one run
for d in $(find "$root/samples" -type f ! -name '*.md' ! -name '*.tsv' \
	! -name '*.txt' -exec dirname {} \; | sort -u); do
	mapfile -t files < <(find "$d" -maxdepth 1 -type f ! -name '*.md' \
		! -name '*.tsv' ! -name '*.txt' | sort)
	same "${d#"$root"/}/*" --year 2026 "${files[@]}"
done

# Every golden case, with its own arguments, from its own folder.
for case in "$root"/tests/golden/*/; do
	[ -f "$case/args" ] || continue
	mapfile -t args <"$case/args"
	input=/dev/null
	[ -f "$case/stdin" ] && input=$case/stdin
	cd "$case" || exit 1
	same "golden/$(basename "$case")" "${args[@]}"
	cd - >/dev/null || exit 1
done
input=/dev/null

# Many held at once, some evicted past --max-open (read back to be
# handed on), deferred messages left at the end (read back at the end).
hs="0 1 10"
for mta in postfix exim; do
	log=$tmp/$mta.log
	if ! bash "$root/tests/bench/make-$mta-log.sh" 20000 "$log" >/dev/null 2>&1; then
		fail=$((fail + 1)); echo "FAIL: make-$mta-log.sh 20000 failed"
		continue
	fi
	same "$mta 20000 lines" "$log"
	same "$mta 20000 lines -f json" -f json "$log"
	same "$mta 20000 lines --max-open 300 -f json" --max-open 300 -f json "$log"
	same "$mta 20000 lines --max-open 300" --max-open 300 "$log"
done

# No temporary file can be made: one warning, the same report.
log=$root/samples/postfix/mail.log
"$bin" --year 2026 -f json "$log" >"$tmp/d.out" 2>/dev/null
TMPDIR=$tmp/none "$bin" --year 2026 --held-in-memory 0 -f json "$log" \
	>"$tmp/h.out" 2>"$tmp/h.err"
rc=$?
if [ $rc -eq 0 ] && cmp -s "$tmp/d.out" "$tmp/h.out" &&
	[ "$(grep -c 'cannot make a temporary file' "$tmp/h.err")" = 1 ]; then
	pass=$((pass + 1))
else
	fail=$((fail + 1)); echo "FAIL: no TMPDIR: exit $rc, $(head -3 "$tmp/h.err")"
fi
# With the default, the samples hold too few sessions to need the file.
TMPDIR=$tmp/none "$bin" --year 2026 -f json "$log" >"$tmp/h.out" 2>"$tmp/h.err"
if [ -s "$tmp/h.err" ]; then
	fail=$((fail + 1)); echo "FAIL: the default wrote out a sample's session: $(head -3 "$tmp/h.err")"
else
	pass=$((pass + 1))
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
