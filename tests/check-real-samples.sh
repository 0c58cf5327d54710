#!/usr/bin/env bash
# Every scripted conversation of a real-server run gets its expected
# verdict: SAMPLEDIR/expected.tsv names each one (by client port, client
# address or name, HELO, sender, recipient or session ID) and the status,
# phase and kind it must have. The file column may name several files,
# separated by spaces, read in one run (a session split across files).
#
#   check-real-samples.sh BINARY SAMPLEDIR
#
# The k-th row naming the same value is checked against the k-th matching
# session in the order the sessions started; "value#N" picks the N-th
# matching session instead. Needs jq.
# jq and sed programs are single-quoted on purpose.
# shellcheck disable=SC2016
set -u
bin=$1
dir=$2
if [ ! -f "$dir/expected.tsv" ]; then
	echo "no $dir/expected.tsv" >&2
	exit 1
fi
if ! command -v jq >/dev/null; then
	echo "jq is needed (apt-get install jq)" >&2
	exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
declare -A seen
while IFS=$'\t' read -r file match value direction status phase kind note; do
	[ "$file" = file ] && continue
	[ -n "$file" ] || continue
	json="$tmp/${file//[\/ ]/_}.jsonl"
	if [ ! -f "$json" ]; then
		read -ra names <<<"$file"
		"$bin" --format json "${names[@]/#/$dir/}" >"$json" ||
			{ echo "FAIL: $bin exited $? on $file"; fail=$((fail + 1)); continue; }
	fi
	case $match in
	port) sel='select(.client.port == $v)' ;;
	ip) sel='select(.client.ip == $v)' ;;
	name) sel='select(.client.name == $v)' ;;
	helo) sel='select(.client.helo == $v)' ;;
	sender) sel='select(.sender == $v)' ;;
	recipient) sel='select(any(.recipients[]; .address == $v))' ;;
	session) sel='select(.ids.session_id == $v)' ;;
	pid) sel='select(.ids.pid == $v)' ;;
	*) echo "FAIL: unknown match '$match'"; fail=$((fail + 1)); continue ;;
	esac
	k=${seen["$file/$match/$value/$direction"]:-0}
	seen["$file/$match/$value/$direction"]=$((k + 1))
	case $value in
	*'#'*) k=$((${value##*#} - 1)); value=${value%#*} ;;
	esac
	got=$(jq -r -s --arg v "$value" --arg d "$direction" --argjson k "$k" \
	    "[.[] | select(.direction == \$d) | $sel] | sort_by(.start) | .[\$k] // empty |
	     [.status, (.phase // \"-\"), (.kind // \"-\")] | @tsv" "$json")
	want=$(printf '%s\t%s\t%s' "$status" "$phase" "$kind")
	if [ "$got" = "$want" ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		printf 'FAIL: %s %s=%s (%s): got [%s], want [%s]\n  %s\n' \
		    "$file" "$match" "$value" "$direction" \
		    "${got:-no such session}" "$want" "$note"
	fi
done <"$dir/expected.tsv"
# With SAMPLEDIR/unrecognised.txt (extended regexes, one a line, of the
# lines that may stay unrecognised; an empty file allows none), every log
# the rows name must leave no other line unrecognised.
if [ -f "$dir/unrecognised.txt" ]; then
	while IFS= read -r group; do
		read -ra names <<<"$group"
		"$bin" --unparsed "$tmp/unparsed" "${names[@]/#/$dir/}" \
		    >/dev/null 2>&1
		if grep -Ev -f "$dir/unrecognised.txt" "$tmp/unparsed" \
		    >"$tmp/left"; then
			fail=$((fail + 1))
			echo "FAIL: $group: $(wc -l <"$tmp/left") lines unrecognised:"
			head -n 5 "$tmp/left" | sed 's/^/  /'
		else
			pass=$((pass + 1))
		fi
	done < <(tail -n +2 "$dir/expected.tsv" | cut -f1 | sort -u)
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
