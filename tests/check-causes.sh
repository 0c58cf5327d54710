#!/usr/bin/env bash
# Each cause class on real lines: tests/causes.tsv names a line of a real
# log and the cause its session must get. Lines of ../shared/corpus are
# skipped when the corpus is absent (it is not shipped).
#
#   check-causes.sh BINARY SOURCEROOT
# jq programs are single-quoted on purpose.
# shellcheck disable=SC2016
set -u
bin=$1
root=$2
corpus=${SMTPLOG_CORPUS:-$root/../shared/corpus}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0 skip=0
while IFS=$'\t' read -r where file line cause note; do
	case $where in '#'* | '') continue ;; esac
	case $where in
	samples) path=$root/samples/$file ;;
	corpus) path=$corpus/$file ;;
	*) echo "FAIL: causes.tsv: unknown root '$where'"; fail=$((fail + 1)); continue ;;
	esac
	if [ ! -f "$path" ]; then
		[ "$where" = corpus ] && { skip=$((skip + 1)); continue; }
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
[ "$skip" -gt 0 ] && echo "skipped $skip corpus lines: $corpus is absent"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
