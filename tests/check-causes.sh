#!/usr/bin/env bash
# Each cause class on real lines: tests/causes.tsv names a line of a real
# log and the cause its session must get.
#
#   check-causes.sh BINARY SOURCEROOT samples|corpus
#
# checks the rows of one root: samples/ (shipped), or ../shared/corpus,
# which is not shipped: without it the run is a skip (exit 77, as meson
# counts skips), never a pass.
# jq programs are single-quoted on purpose.
# shellcheck disable=SC2016
set -u
bin=$1
root=$2
only=${3:-samples}
corpus=${SMTPLOG_CORPUS:-$root/../shared/corpus}
if [ "$only" = corpus ] && [ ! -d "$corpus" ]; then
	echo "skip: $corpus is absent"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
while IFS=$'\t' read -r where file line cause note; do
	case $where in '#'* | '') continue ;; esac
	case $where in samples | corpus) [ "$where" = "$only" ] || continue ;; esac
	case $where in
	samples) path=$root/samples/$file ;;
	corpus) path=$corpus/$file ;;
	*) echo "FAIL: causes.tsv: unknown root '$where'"; fail=$((fail + 1)); continue ;;
	esac
	if [ ! -f "$path" ]; then
		echo "FAIL: $path: no such file"; fail=$((fail + 1)); continue
	fi
	json=$tmp/$(printf '%s' "$where/$file" | tr '/' '_').jsonl
	[ -f "$json" ] || "$bin" --year 2026 --format json "$path" >"$json" 2>/dev/null
	got=$(jq -r --argjson n "$line" --arg f "$path" \
	    'select((.file == $f and any(.lines[]; . == $n)) or any((.more_lines // [])[]; .file == $f and .line == $n)) | .cause // "null"' "$json" | head -1)
	if [ "$got" = "$cause" ]; then
		pass=$((pass + 1))
	else
		echo "FAIL: $where/$file:$line ($note): cause '${got:-no session}', want '$cause'"
		fail=$((fail + 1))
	fi
done <"$root/tests/causes.tsv"
echo "$only: $pass passed, $fail failed"
[ "$pass" -gt 0 ] || { echo "FAIL: no $only row in causes.tsv"; exit 1; }
[ "$fail" -eq 0 ]
