#!/usr/bin/env bash
# Throughput benchmark: smtplog-analyze against wc, grep and pflogsumm on
# one synthetic Postfix log (tests/bench/make-postfix-log.sh).
#
#   tests/bench/run.sh [N]          N lines, default 1000000
#
# Installs pflogsumm and time (for /usr/bin/time) with apt-get when they
# are missing (as root, or with sudo), builds smtplog-analyze in
# build-bench/ (release) unless SMTPLOG_ANALYZE names a binary, writes the
# log once to BENCH_DIR (default build-bench/bench/), then runs every
# command RUNS times (default 3) on that same file and prints a Markdown
# report: the machine, then per command the median wall time, lines/s, the
# peak memory (largest max RSS of the runs, /usr/bin/time %M) and the speed
# relative to pflogsumm. Standard output of the timed commands goes to
# BENCH_DIR/*.out (the JSON to /dev/null), standard error to BENCH_DIR/*.err.
set -euo pipefail

n=${1:-1000000}
if ! [[ $n =~ ^[0-9]+$ ]] || [ "$n" -lt 1 ]; then
	echo "usage: $0 [N]   (N lines, default 1000000)" >&2
	exit 64
fi
runs=${RUNS:-3}
if ! [[ $runs =~ ^[1-9][0-9]*$ ]]; then
	echo "$0: RUNS must be a whole number >= 1" >&2
	exit 64
fi
if [ -z "${EPOCHREALTIME:-}" ]; then
	echo "$0: needs bash 5 (EPOCHREALTIME)" >&2
	exit 2
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
dir=${BENCH_DIR:-$root/build-bench/bench}
export SMTPLOG_ANALYZE_PATTERNS=${SMTPLOG_ANALYZE_PATTERNS:-$root/patterns}
export LC_ALL=C

say() { printf '%s\n' "$*" >&2; }

# --- what it needs -------------------------------------------------------
need=()
command -v pflogsumm >/dev/null 2>&1 || need+=(pflogsumm)
[ -x /usr/bin/time ] || need+=(time)
if [ -z "${SMTPLOG_ANALYZE:-}" ] && ! command -v meson >/dev/null 2>&1; then
	need+=(meson ninja-build gcc pkg-config libpcre2-dev libyaml-dev zlib1g-dev)
fi
if [ ${#need[@]} -gt 0 ]; then
	sudo=()
	[ "$(id -u)" -eq 0 ] || sudo=(sudo)
	say "installing: ${need[*]}"
	"${sudo[@]}" apt-get update -qq >&2
	DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
		"${need[@]}" >&2
fi

if [ -n "${SMTPLOG_ANALYZE:-}" ]; then
	bin=$SMTPLOG_ANALYZE
else
	bin=$root/build-bench/smtplog-analyze
	(
		cd "$root"
		# the tests subdirectory may be half-written by someone else: then
		# build without it
		if [ ! -f build-bench/build.ninja ]; then
			meson setup build-bench --buildtype=release >&2 ||
				meson setup --wipe build-bench --buildtype=release -Dtests=disabled >&2
		fi
		ninja -C build-bench smtplog-analyze >&2 || {
			meson setup --reconfigure build-bench --buildtype=release -Dtests=disabled >&2
			ninja -C build-bench smtplog-analyze >&2
		}
	)
fi
[ -x "$bin" ] || { say "no binary $bin"; exit 2; }

# --- the log ---------------------------------------------------------------
mkdir -p "$dir"
log=$dir/postfix-$n.log
say "writing $log"
t0=$EPOCHREALTIME
"$here/make-postfix-log.sh" "$n" "$log"
t1=$EPOCHREALTIME
lines=$(wc -l <"$log")
bytes=$(wc -c <"$log")
gen_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
cat "$log" >/dev/null # into the page cache before anything is timed

# --- measuring ---------------------------------------------------------------
# measure NAME OUT CMD...: RUNS runs; sets med_s, med_cpu and peak_kib
measure() {
	local name=$1 out=$2
	shift 2
	local i m u k s e rc times=() cpu_runs=() peak=0
	for ((i = 1; i <= runs; i++)); do
		s=$EPOCHREALTIME
		rc=0
		/usr/bin/time -f '%e %M %U %S' -o "$dir/$name.time" "$@" >"$out" 2>"$dir/$name.err" || rc=$?
		e=$EPOCHREALTIME
		# grep -c exits 1 when it counts 0; anything else is a failure
		if [ "$rc" -ne 0 ] && ! { [ "$name" = grep ] && [ "$rc" -eq 1 ]; }; then
			say "$name exited $rc:"
			cat "$dir/$name.err" >&2
			exit 1
		fi
		# the last line: time puts "Command exited with non-zero status" first
		read -r _ m u k < <(tail -n 1 "$dir/$name.time")
		times+=("$(awk -v a="$s" -v b="$e" 'BEGIN { printf "%.3f", b - a }')")
		cpu_runs+=("$(awk -v a="$u" -v b="$k" 'BEGIN { printf "%.2f", a + b }')")
		if [ "$m" -gt "$peak" ]; then peak=$m; fi
		say "  $name run $i: ${times[-1]} s wall, ${cpu_runs[-1]} s CPU, $m KiB"
	done
	med_s=$(printf '%s\n' "${times[@]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
	med_cpu=$(printf '%s\n' "${cpu_runs[@]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
	peak_kib=$peak
}

load0=$(cut -d' ' -f1-3 /proc/loadavg)
names=(wc grep pflogsumm sla-summary sla-json sla-sessions)
declare -A tool cmd sec cpus mem
tool[wc]="wc"
cmd[wc]="wc -l FILE"
tool[grep]="grep"
cmd[grep]="grep -c 'status=bounced' FILE"
tool[pflogsumm]="pflogsumm"
cmd[pflogsumm]="pflogsumm FILE"
tool[sla-summary]="smtplog-analyze"
cmd[sla-summary]="smtplog-analyze FILE"
tool[sla-json]="smtplog-analyze"
cmd[sla-json]="smtplog-analyze --format json FILE >/dev/null"
tool[sla-sessions]="smtplog-analyze"
cmd[sla-sessions]="smtplog-analyze --sessions FILE"

for name in "${names[@]}"; do
	say "timing $name ($runs runs)"
	case $name in
	wc) measure wc "$dir/wc.out" wc -l "$log" ;;
	grep) measure grep "$dir/grep.out" grep -c 'status=bounced' "$log" ;;
	pflogsumm) measure pflogsumm "$dir/pflogsumm.out" pflogsumm "$log" ;;
	sla-summary) measure sla-summary "$dir/sla-summary.out" "$bin" "$log" ;;
	sla-json) measure sla-json /dev/null "$bin" --format json "$log" ;;
	sla-sessions) measure sla-sessions "$dir/sla-sessions.out" "$bin" --sessions "$log" ;;
	esac
	sec[$name]=$med_s
	cpus[$name]=$med_cpu
	mem[$name]=$peak_kib
done

# The tool's own view of the file, untimed: recognised lines, sessions, stderr.
"$bin" --stats --unparsed "$dir/unparsed.txt" "$log" >"$dir/sla-stats.out" 2>"$dir/sla-stats.err" || true

# --- report ---------------------------------------------------------------
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
[ -n "$cpu" ] || cpu=$(awk -F': ' '/^(Hardware|uarch|cpu model)/ { print $2; exit }' /proc/cpuinfo)
pf=$(dpkg-query -W pflogsumm 2>/dev/null | tr '\t' ' ' || echo "pflogsumm (not from dpkg)")
awkv=$(awk -W version 2>/dev/null | head -n 1 || true)
[ -n "$awkv" ] || awkv=$(awk --version 2>/dev/null | head -n 1)

echo "## smtplog-analyze benchmark, $(date -u +%Y-%m-%d)"
echo
echo "- machine: $(nproc) CPUs (nproc), ${cpu:-unknown CPU}, $(uname -sr)"
rev=$(git -C "$root" describe --always --dirty 2>/dev/null || echo "not a git checkout")
echo "- $("$bin" --version), built in release mode from $rev$(git -C "$root" diff --quiet HEAD -- src 2>/dev/null || echo ' (src/ has uncommitted changes)')"
echo "- $pf; $(wc --version | head -n 1); $(grep --version | head -n 1)"
echo "- log: $lines lines, $(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }') MiB ($log), written in $gen_s s by make-postfix-log.sh ($awkv)"
echo "- each command $runs times on the same file (in the page cache); seconds = median wall time, CPU s = median user+sys, peak = largest max RSS (/usr/bin/time %M)"
echo "- load average before the runs: $load0; after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| tool | command | seconds | CPU s | lines/s | peak MiB | speed vs pflogsumm |"
echo "|---|---|---:|---:|---:|---:|---:|"
for name in "${names[@]}"; do
	awk -v t="${tool[$name]}" -v c="${cmd[$name]}" -v s="${sec[$name]}" -v m="${mem[$name]}" \
		-v u="${cpus[$name]}" \
		-v l="$lines" -v p="${sec[pflogsumm]}" 'BEGIN {
		ls = s > 0 ? commas(l / s) : "-"
		r = s > 0 ? sprintf("%.2fx", p / s) : "-"
		printf "| %s | `%s` | %.3f | %.2f | %s | %.1f | %s |\n", t, c, s, u, ls, m / 1024, r
	}
	function commas(x,   d, o) {
		d = sprintf("%.0f", x); o = ""
		while (length(d) > 3) { o = "," substr(d, length(d) - 2) o; d = substr(d, 1, length(d) - 3) }
		return d o
	}'
done
echo
echo "lines/s: lines divided by the median wall seconds. speed vs pflogsumm: pflogsumm's median wall seconds divided by the command's (above 1: faster than pflogsumm)."
echo
echo "smtplog-analyze --stats on the same file (untimed run):"
echo
echo '```'
grep -E '^(lines|sessions):' "$dir/sla-stats.out" || true
cat "$dir/sla-stats.err"
echo "unparsed lines: $(wc -l <"$dir/unparsed.txt")"
echo '```'
