#!/usr/bin/env bash
# Throughput and memory benchmark: smtplog-analyze against wc, grep -cP with
# the log's prefix regex, and the MTA's own tools (pflogsumm for Postfix,
# eximstats and exigrep for Exim), on large logs made from the real sample
# runs (make-postfix-log.sh, make-exim-log.sh), all in one session.
#
#   tests/bench/run.sh [N...]       sizes in lines, default 1000000 10000000
#
# Settings (environment): MTAS (default "postfix exim"), RUNS (default 3),
# BENCH_DIR (default build-bench/bench/), SMTPLOG_ANALYZE (a binary to time
# instead of building build-bench/ in release mode; BENCH_REV says which
# revision it was built from), SLA_EXTRA (options
# added to every smtplog-analyze command, e.g. "--threads 1").
#
# Installs pflogsumm and time with apt-get when missing (as root or with
# sudo). Exim's tools come from exim4-base, which conflicts with postfix in
# apt: it is fetched with "apt-get download" and unpacked with "dpkg -x"
# under BENCH_DIR/exim4-base, never installed.
#
# Every command runs RUNS times on the same file after a cat has put it in
# the page cache. The report (Markdown, on standard output) gives per
# command the median, least and largest wall time, the median user+sys CPU
# time, lines/s, the peak RSS (largest max RSS of the runs, from
# /usr/bin/time %M), the speed against the MTA's own tool and the time
# against grep -cP, and what else was running (load average, the busiest
# other processes). Progress and every single run go to standard error.
set -euo pipefail

sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000000 10000000)
for n in "${sizes[@]}"; do
	if ! [[ $n =~ ^[0-9]+$ ]] || [ "$n" -lt 1 ]; then
		echo "usage: $0 [N...]   (N lines, default 1000000 10000000)" >&2
		exit 64
	fi
done
read -r -a mtas <<<"${MTAS:-postfix exim}"
for m in "${mtas[@]}"; do
	case $m in postfix | exim) ;; *) echo "$0: MTAS: postfix or exim, not $m" >&2; exit 64 ;; esac
done
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
read -r -a extra <<<"${SLA_EXTRA:-}"
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
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
if [ ${#need[@]} -gt 0 ]; then
	say "installing: ${need[*]}"
	"${sudo[@]}" apt-get update -qq >&2
	DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
		"${need[@]}" >&2
fi
mkdir -p "$dir"
exim_tools=$dir/exim4-base/usr/sbin
if [[ " ${mtas[*]} " == *" exim "* ]] && [ ! -f "$exim_tools/eximstats" ]; then
	say "fetching exim4-base (eximstats, exigrep) into $dir/exim4-base"
	rm -rf "$dir/exim4-base" "$dir/deb"
	mkdir -p "$dir/deb"
	(cd "$dir/deb" && apt-get download exim4-base >&2) || {
		"${sudo[@]}" apt-get update -qq >&2
		(cd "$dir/deb" && apt-get download exim4-base >&2)
	}
	dpkg -x "$dir"/deb/exim4-base_*.deb "$dir/exim4-base"
fi

if [ -n "${SMTPLOG_ANALYZE:-}" ]; then
	bin=$SMTPLOG_ANALYZE
else
	bin=$root/build-bench/smtplog-analyze
	(
		cd "$root"
		# release with link-time optimisation: the build README.md
		# gives for speed
		if [ ! -f build-bench/build.ninja ]; then
			meson setup build-bench --buildtype=release -Db_lto=true >&2 ||
				meson setup --wipe build-bench --buildtype=release -Db_lto=true -Dtests=disabled >&2
		else
			meson configure build-bench --buildtype=release -Db_lto=true >&2
		fi
		ninja -j2 -C build-bench smtplog-analyze >&2
	)
fi
[ -x "$bin" ] || { say "no binary $bin"; exit 2; }
has_html=0
help=$("$bin" --help 2>/dev/null || true)
if grep -q -w html <<<"$help"; then has_html=1; fi

# The first prefix regex of a pattern file (a YAML single-quoted scalar).
prefix_re() {
	awk '/^prefixes:/ { p = 1; next }
		p && /^    regex: '"'"'/ {
			s = $0; sub(/^    regex: '"'"'/, "", s); sub(/'"'"'$/, "", s)
			gsub(/'"''"'/, "'"'"'", s); print s; exit
		}' "$root/patterns/$1.yaml"
}

# --- measuring ---------------------------------------------------------------
# measure NAME OUT CMD...: RUNS runs; sets med_s, min_s, max_s, med_cpu, peak_kib
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
		if [ "$rc" -ne 0 ] && ! { [[ $name == *grep* ]] && [ "$rc" -eq 1 ]; }; then
			say "$name exited $rc:"
			tail -n 5 "$dir/$name.err" >&2
			exit 1
		fi
		read -r _ m u k < <(tail -n 1 "$dir/$name.time")
		times+=("$(awk -v a="$s" -v b="$e" 'BEGIN { printf "%.3f", b - a }')")
		cpu_runs+=("$(awk -v a="$u" -v b="$k" 'BEGIN { printf "%.2f", a + b }')")
		if [ "$m" -gt "$peak" ]; then peak=$m; fi
		say "  $name run $i: ${times[-1]} s wall, ${cpu_runs[-1]} s CPU, $m KiB"
	done
	local sorted
	sorted=$(printf '%s\n' "${times[@]}" | sort -n)
	med_s=$(awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }' <<<"$sorted")
	min_s=$(head -n 1 <<<"$sorted")
	max_s=$(tail -n 1 <<<"$sorted")
	med_cpu=$(printf '%s\n' "${cpu_runs[@]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
	peak_kib=$peak
}

# row TOOL CMD LINES PEER GREP PEERCPU: one table row from the last measure
row() {
	awk -v t="$1" -v c="$2" -v l="$3" -v p="$4" -v g="$5" -v pc="${6:-}" \
		-v s="$med_s" -v lo="$min_s" -v hi="$max_s" -v u="$med_cpu" \
		-v m="$peak_kib" 'BEGIN {
		ls = s > 0 ? commas(l / s) : "-"
		r = (p != "" && s > 0) ? sprintf("%.2fx", p / s) : "-"
		rc = (pc != "" && u > 0) ? sprintf("%.2fx", pc / u) : "-"
		q = (g != "" && g > 0) ? sprintf("%.1fx", s / g) : "-"
		printf "| %s | `%s` | %.3f | %.3f-%.3f | %.2f | %s | %.1f | %s | %s | %s |\n",
			t, c, s, lo, hi, u, ls, m / 1024, r, rc, q
	}
	function commas(x,   d, o) {
		d = sprintf("%.0f", x); o = ""
		while (length(d) > 3) { o = "," substr(d, length(d) - 2) o; d = substr(d, 1, length(d) - 3) }
		return d o
	}'
}

# The busiest other processes right now (top's second sample), to say what
# else ran.
others() {
	top -b -n 2 -d 1 -w 200 2>/dev/null | awk '
		/^top -/ { it++; next }
		it == 2 && /^ *PID/ { on = 1; next }
		on && $9 + 0 >= 5 && n < 8 { printf "%s%s %s%%", n++ ? ", " : "", $12, $9 }
		END { if (!n) printf "none at 5%% CPU or more" }'
}

cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
pf=$(dpkg-query -W pflogsumm 2>/dev/null | tr '\t' ' ' || echo "pflogsumm (not from dpkg)")
exv=$(ls "$dir"/deb/exim4-base_*.deb 2>/dev/null | sed 's,.*/,,' || true)
rev=$(git -C "$root" describe --always --dirty 2>/dev/null || echo "not a git checkout")
echo "## smtplog-analyze benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "- command: \`$0 ${sizes[*]}\` (MTAS=\"${mtas[*]}\", RUNS=$runs${SLA_EXTRA:+, SLA_EXTRA=\"$SLA_EXTRA\"})"
echo "- machine: $(nproc) CPUs (nproc), ${cpu:-unknown CPU}, $(uname -sr)"
if [ -n "${SMTPLOG_ANALYZE:-}" ]; then
	echo "- $("$bin" --version): $bin, ${BENCH_REV:-revision not given (BENCH_REV)}"
else
	echo "- $("$bin" --version), built in release mode from $rev"
fi
echo "- $pf; ${exv:-no exim4-base}; $(wc --version | head -n 1); $(grep --version | head -n 1)"
echo "- each command $runs times on the same file (in the page cache); wall = median (least-largest) seconds, CPU = median user+sys seconds, peak = largest max RSS (/usr/bin/time %M); vs peer = the MTA tool's median wall / this one's (above 1: faster), CPU vs peer the same with CPU times; vs grep = this one's median wall / grep -cP's"
echo "- load average at the start: $(cut -d' ' -f1-3 /proc/loadavg); busiest processes: $(others)"

for mta in "${mtas[@]}"; do
	re=$(prefix_re "$mta")
	[ -n "$re" ] || { say "no prefix regex in patterns/$mta.yaml"; exit 2; }
	for n in "${sizes[@]}"; do
		log=$dir/$mta-$n.log
		if [ ! -s "$log" ] || [ "$log" -ot "$here/make-$mta-log.sh" ]; then
			say "writing $log"
			"$here/make-$mta-log.sh" "$n" "$log"
		fi
		lines=$(wc -l <"$log")
		bytes=$(wc -c <"$log")
		cat "$log" >/dev/null
		# --id: a message from the middle of the file
		half=$((lines / 2))
		if [ "$mta" = postfix ]; then
			id=$(tail -n +"$half" "$log" | grep -m 1 -oE 'postfix/smtpd\[[0-9]+\]: [0-9A-F]{10,}: client=' |
				sed -E 's/.*: ([0-9A-F]+): client=/\1/') || true
		else
			id=$(tail -n +"$half" "$log" | grep -m 1 -oE '[0-9A-Za-z]{6}-[0-9A-Za-z]{6}-[0-9A-Za-z]{2} <= ' |
				cut -d' ' -f1) || true
		fi
		[ -n "$id" ] || { say "no message in the second half of $log"; exit 2; }
		say "== $mta, $lines lines, id $id"
		echo
		echo "### $mta, $lines lines ($(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }') MiB), --id $id"
		echo
		echo "| tool | command | wall s | wall range | CPU s | lines/s | peak MiB | vs peer | CPU vs peer | vs grep -cP |"
		echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
		measure "$mta-$n-wc" "$dir/$mta-$n-wc.out" wc -l "$log"
		row wc "wc -l" "$lines" "" ""
		measure "$mta-$n-grep" "$dir/$mta-$n-grep.out" grep -cP "$re" "$log"
		g=$med_s
		row grep "grep -cP PREFIX" "$lines" "" ""
		if [ "$mta" = postfix ]; then
			measure "$mta-$n-peer" "$dir/$mta-$n-pflogsumm.out" pflogsumm "$log"
			p=$med_s pc=$med_cpu
			row pflogsumm "pflogsumm" "$lines" "$p" "$g" "$pc"
		else
			measure "$mta-$n-peer" "$dir/$mta-$n-eximstats.out" perl "$exim_tools/eximstats" "$log"
			p=$med_s pc=$med_cpu
			row eximstats "eximstats" "$lines" "$p" "$g" "$pc"
			measure "$mta-$n-exigrep" "$dir/$mta-$n-exigrep.out" perl "$exim_tools/exigrep" "$id" "$log"
			pg=$med_s pgc=$med_cpu
			row exigrep "exigrep ID" "$lines" "" "$g"
		fi
		measure "$mta-$n-summary" "$dir/$mta-$n-summary.out" "$bin" "${extra[@]}" "$log"
		row smtplog-analyze "(summary)" "$lines" "$p" "$g" "$pc"
		measure "$mta-$n-json" /dev/null "$bin" "${extra[@]}" -f json "$log"
		row smtplog-analyze "-f json" "$lines" "$p" "$g" "$pc"
		measure "$mta-$n-failed" "$dir/$mta-$n-failed.out" "$bin" "${extra[@]}" -s --failed "$log"
		row smtplog-analyze "-s --failed" "$lines" "$p" "$g" "$pc"
		measure "$mta-$n-id" "$dir/$mta-$n-id.out" "$bin" "${extra[@]}" --id "$id" "$log"
		row smtplog-analyze "--id ID" "$lines" "${pg:-}" "$g" "${pgc:-}"
		if [ "$has_html" -eq 1 ]; then
			measure "$mta-$n-html" /dev/null "$bin" "${extra[@]}" -f html "$log"
			row smtplog-analyze "-f html" "$lines" "$p" "$g" "$pc"
		fi
		unset pg pgc
		"$bin" "${extra[@]}" --stats "$log" 2>&1 >/dev/null | sed 's/^/    /'
		echo
		echo "busiest processes after: $(others); load average $(cut -d' ' -f1-3 /proc/loadavg)"
	done
done
echo
echo "(--id's \"vs peer\" is against exigrep with the same ID.)"
