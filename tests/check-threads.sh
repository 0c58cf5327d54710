#!/usr/bin/env bash
# --threads 2 prints what --threads 1 prints, byte for byte: standard
# output, standard error (the reading thread's warnings in their places)
# and the exit status, on every sample in samples/ (each file alone in
# every report mode, each folder as one run) and every golden case, and
# with SMTPLOG_ANALYZE_BATCH=1 (a hand-over between the threads after
# every line) and 3.
#
#   check-threads.sh BINARY SOURCEROOT
set -u
bin=$1
root=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

# same WHAT [ENV=V...] -- ARGS...: --threads 1 and --threads 2 agree,
# each reading $input on standard input
input=/dev/null
same() {
	local what=$1 envs=()
	shift
	while [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	env "${envs[@]}" "$bin" --threads 1 "$@" >"$tmp/1.out" 2>"$tmp/1.err" <"$input"
	local rc1=$?
	env "${envs[@]}" "$bin" --threads 2 "$@" >"$tmp/2.out" 2>"$tmp/2.err" <"$input"
	local rc2=$?
	if [ $rc1 -ne $rc2 ]; then
		fail=$((fail + 1)); echo "FAIL: $what: exit $rc1 with one thread, $rc2 with two"
	elif ! cmp -s "$tmp/1.out" "$tmp/2.out"; then
		fail=$((fail + 1)); echo "FAIL: $what: standard output differs"
		diff "$tmp/1.out" "$tmp/2.out" | head -5
	elif ! cmp -s "$tmp/1.err" "$tmp/2.err"; then
		fail=$((fail + 1)); echo "FAIL: $what: standard error differs"
		diff "$tmp/1.err" "$tmp/2.err" | head -5
	else
		pass=$((pass + 1))
	fi
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
	for mode in "" -s "-f json" "-f csv" "-f html"; do
		# shellcheck disable=SC2086
		same "$name $mode" -- --year 2026 $mode "$f"
	done
	id=$(some_id "$f")
	if [ -n "$id" ]; then
		same "$name --id $id" -- --year 2026 --id "$id" "$f"
		same "$name --id $id, batch 1" SMTPLOG_ANALYZE_BATCH=1 -- \
			--year 2026 --id "$id" "$f"
	fi
	same "$name -f json, batch 1" SMTPLOG_ANALYZE_BATCH=1 -- \
		--year 2026 -f json "$f"
	same "$name -s, batch 3" SMTPLOG_ANALYZE_BATCH=3 -- --year 2026 -s "$f"
done
# each folder as one run: files read in the order of their content
for d in $(find "$root/samples" -type f ! -name '*.md' ! -name '*.tsv' \
	! -name '*.txt' -exec dirname {} \; | sort -u); do
	mapfile -t files < <(find "$d" -maxdepth 1 -type f ! -name '*.md' \
		! -name '*.tsv' ! -name '*.txt' | sort)
	same "${d#"$root"/}/*" -- --year 2026 "${files[@]}"
	same "${d#"$root"/}/* -f json, batch 1" SMTPLOG_ANALYZE_BATCH=1 -- \
		--year 2026 -f json "${files[@]}"
done

# Every golden case, with its own arguments, from its own folder.
for case in "$root"/tests/golden/*/; do
	[ -f "$case/args" ] || continue
	mapfile -t args <"$case/args"
	input=/dev/null
	[ -f "$case/stdin" ] && input=$case/stdin
	cd "$case" || exit 1
	for bs in 4096 1; do
		same "golden/$(basename "$case"), batch $bs" \
			SMTPLOG_ANALYZE_BATCH=$bs -- "${args[@]}"
	done
	cd - >/dev/null || exit 1
done
input=/dev/null

# Warnings of the reading thread among the lines: time stamps not
# understood, lines without a syslog prefix, a file nothing recognised,
# an empty one, a missing one, a truncated gzip, in several files.
log=$root/samples/postfix/mail.log
{
	sed -n '1,500p' "$log"
	echo 'Nov 99 09:17:40 mx postfix/smtpd[12202]: connect from x[192.0.2.9]'
	sed -n '501,700p' "$log"
	echo 'lost connection after DATA (45 bytes) from localhost[127.0.0.1]:20113'
	sed -n '701,$p' "$log"
} >"$tmp/warn.log"
: >"$tmp/empty.log"
printf 'not a mail log\nat all\n' >"$tmp/other.log"
head -c 400 "$root/tests/golden/gzip/input.log.gz" >"$tmp/short.log.gz"
for bs in 4096 7 1; do
	same "warnings, batch $bs" SMTPLOG_ANALYZE_BATCH=$bs -- --year 2026 -s \
		"$tmp/warn.log" "$tmp/empty.log" "$tmp/missing.log" \
		"$tmp/other.log" "$tmp/short.log.gz" "$tmp/warn.log"
done
grep -q 'not understood' "$tmp/2.err" && grep -q 'without a syslog prefix' "$tmp/2.err" &&
	grep -q 'nothing to read' "$tmp/2.err" && grep -q 'none of its' "$tmp/2.err" &&
	pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: the warnings case warned of too little: $(cat "$tmp/2.err")"; }
# Both streams into one file: the report's buffered writes and the
# warnings interleave as with one thread (all of it is said by one).
for bs in 4096 1; do
	for t in 1 2; do
		SMTPLOG_ANALYZE_BATCH=$bs "$bin" --threads $t --year 2026 -s \
			"$tmp/warn.log" "$tmp/other.log" "$tmp/warn.log" \
			>"$tmp/both.$t" 2>&1
	done
	cmp -s "$tmp/both.1" "$tmp/both.2" && pass=$((pass + 1)) ||
		{ fail=$((fail + 1)); echo "FAIL: one stream, batch $bs: $(diff "$tmp/both.1" "$tmp/both.2" | head -5)"; }
done
# --unparsed is written by the reading thread
same "--unparsed" -- --year 2026 --unparsed "$tmp/u2" "$tmp/warn.log"
"$bin" --threads 1 --year 2026 --unparsed "$tmp/u1" "$tmp/warn.log" >/dev/null 2>&1
"$bin" --threads 2 --year 2026 --unparsed "$tmp/u2" "$tmp/warn.log" >/dev/null 2>&1
cmp -s "$tmp/u1" "$tmp/u2" && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: --unparsed files differ"; }
# standard input, plain and gzip
input=$log
same "stdin" -- --year 2026 -f json -
input=$root/tests/golden/gzip/input.log.gz
same "stdin, gzip" -- --year 2026 -s -

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
