#!/bin/sh
# Run one libFuzzer target for a fixed time on its committed corpus and on
# seeds made afresh from the source tree (make-seeds.sh: the samples, the
# golden inputs, the shipped pattern files); exit non-zero on any finding
# (a crash, a sanitizer report, a leak, an input that takes more than 10 s
# or 2 GB).
#
#   run-fuzz.sh TARGET NAME SOURCEROOT [SECONDS]  (or FUZZ_SECONDS, 60)
#
# The corpus is read, never written: new inputs go to a temporary
# directory, removed afterwards. A finding's input is kept in FUZZ_KEEP
# (default ./fuzz-findings: the build directory under meson test).
set -u
target=$1
name=$2
root=$3
secs=${4:-${FUZZ_SECONDS:-60}}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
keep=${FUZZ_KEEP:-$PWD/fuzz-findings}
mkdir -p "$keep" "$tmp/new"
bash "$root/tests/fuzz/make-seeds.sh" "$root" "$tmp/seeds" 2>/dev/null || {
	echo "FAIL: $name: cannot make the seeds"
	exit 1
}
"$target" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$keep/" "$tmp/new" \
    "$root/tests/fuzz/corpus/$name" "$tmp/seeds/$name" >"$tmp/log" 2>&1
rc=$?
grep -E '^(stat::number_of_executed_units|stat::average_exec_per_sec|#[0-9]+.*DONE)' \
    "$tmp/log" | tail -3
if [ $rc -ne 0 ]; then
	grep -E '^==[0-9]+==|ERROR|runtime error|SUMMARY|Test unit written|^    #[0-9]' \
	    "$tmp/log" | head -40
	echo "FAIL: $name: finding (exit $rc); the input is in $keep"
	exit 1
fi
echo "$name: no finding in $secs s"
