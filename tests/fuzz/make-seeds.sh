#!/usr/bin/env bash
# Seed inputs for the fuzz targets, from samples/ and tests/golden/ (real
# server logs and the shipped pattern files), written to OUT/<target>/.
# tests/fuzz/README.md says how they become the committed corpus (merged,
# so minimised, with libFuzzer's -merge=1).
#
#   make-seeds.sh SOURCEROOT OUT
set -eu
root=$1
out=$2
mkdir -p "$out"/{pipeline,csv,timestamp,patterns,codes}

# seed TARGET < bytes: named by its SHA-1, as libFuzzer names its inputs
seed() {
	local t
	t=$(mktemp "$out/$1/.new.XXXXXX")
	cat >"$t"
	mv "$t" "$out/$1/$(sha1sum <"$t" | cut -c1-40)"
}

# Chunks of 40 lines of a file, each with the three settings bytes of
# fuzz_pipeline.c in front (the report kinds in turn).
chunks() { # FILE
	local f=$1 total i
	total=$(wc -l <"$f")
	for ((i = 1; i <= total; i += 40)); do
		{ printf "\\$(printf %03o $((i / 40 % 6)))\\003\\001"
		  sed -n "$i,$((i + 39))p" "$f"; } | seed pipeline
	done
}

for f in "$root"/samples/*/*.log "$root"/samples/*/*.LOG \
    "$root"/samples/exim/*/mainlog "$root"/samples/exim/*/rejectlog; do
	[ -f "$f" ] || continue
	chunks "$f"
	# time stamps: the first 40 bytes of its first lines
	head -n 20 "$f" | cut -c1-40 | { printf '\000\001'; cat; } |
	    seed timestamp
done
# several files in one run: main and reject log, Exchange's three logs
for d in "$root"/samples/exim/*/; do
	{ printf '\003\002\001'; head -n 30 "$d/mainlog"; printf '\f\n'
	  head -n 30 "$d/rejectlog"; } | seed pipeline
done
{ printf '\000\002\000'; head -n 30 "$root"/samples/exchange/RECV2026112410-1.LOG
  printf '\f\n'; head -n 30 "$root"/samples/exchange/SEND2026112410-1.LOG
  printf '\f\n'; head -n 30 "$root"/samples/exchange/MSGTRK2026112410-1.LOG
} | seed pipeline
for f in "$root"/tests/golden/*/input*; do
	{ printf '\002\001\001'; cat "$f"; } | seed pipeline
done
# CSV: the Exchange logs, whole lines
for f in "$root"/samples/exchange/*.LOG; do
	head -n 40 "$f" | seed csv
done
printf 'a,"b,c",""""\n,,,,\n"unterminated\n' | seed csv
# time stamps of every shape, and a year-turning run
printf '\001\001Jan 28 06:40:37\n2016-03-20T13:30:53.574978+01:00\n' | seed timestamp
printf '\000\002Dec 31 23:59:59\nJan  1 00:00:00\n16/Mar/2021 18:24:42\n' |
    seed timestamp
printf '\000\003Feb 29 12:00:00\n2020-06-20 01:32:57 +0200\n' | seed timestamp
# pattern files and codes
for f in "$root"/patterns/*.yaml; do
	case $f in
	*/codes.yaml) seed codes <"$f" ;;
	*) seed patterns <"$f" ;;
	esac
done
for t in pipeline csv timestamp patterns codes; do
	echo "$t: $(find "$out/$t" -type f | wc -l) seeds" >&2
done
