#!/usr/bin/env bash
# ship.sh - insert smtplog-analyze's JSON lines into ClickHouse, in batches.
#
#   smtplog-analyze --follow -f json --tz UTC /var/log/mail.log |
#       ship.sh [SECONDS [ROWS [CLIENT-OPTION...]]]
#
# clickhouse-client sends nothing until its input ends, so a followed log
# is cut into batches here: one INSERT into smtplog.sessions (and the
# recipients' rows, through jq, into smtplog.recipients) every SECONDS
# (default 60) or ROWS sessions (default 10000), whichever comes first,
# and one at the end of the input. Further arguments go to
# clickhouse-client (--host ch1 --user smtplog ...).
#
# A batch the server refuses or cannot take is kept and sent again with
# the next one; a warning goes to stderr. What is held when this script
# is killed is lost. See doc/clickhouse.md.
set -u
secs=${1:-60}
rows=${2:-10000}
shift $(($# < 2 ? $# : 2))
client=(clickhouse-client "$@"
	--input_format_import_nested_json=1
	--input_format_skip_unknown_fields=1
	--date_time_input_format=best_effort)
batch=$(mktemp)
trap 'rm -f "$batch" "$batch.r"' EXIT

# Send what is held; false, and the batch kept, when the server refuses.
flush() {
	[ -s "$batch" ] || return 0
	jq -c '{host, session, start} + .recipients[]' "$batch" >"$batch.r" ||
	    return 1
	"${client[@]}" --query 'INSERT INTO smtplog.sessions FORMAT JSONEachRow' \
	    <"$batch" || return 1
	# an INSERT of no rows is an error to ClickHouse 18.16
	if [ -s "$batch.r" ]; then
		"${client[@]}" --query \
		    'INSERT INTO smtplog.recipients FORMAT JSONEachRow' \
		    <"$batch.r" ||
		    echo "ship.sh: recipients of a batch not inserted" >&2
	fi
	: >"$batch"
}

n=0
eof=0
deadline=$((SECONDS + secs))
while [ "$eof" -eq 0 ]; do
	left=$((deadline - SECONDS))
	line=
	if [ "$left" -gt 0 ]; then
		if IFS= read -r -t "$left" line; then
			printf '%s\n' "$line" >>"$batch"
			n=$((n + 1))
		elif [ $? -gt 128 ]; then
			# the time ran out; finish a line that had begun
			if [ -n "$line" ]; then
				IFS= read -r rest
				printf '%s%s\n' "$line" "$rest" >>"$batch"
				n=$((n + 1))
			fi
		else
			[ -n "$line" ] && printf '%s\n' "$line" >>"$batch"
			eof=1
		fi
	fi
	if [ "$eof" -eq 1 ] || [ "$n" -ge "$rows" ] ||
	    [ "$SECONDS" -ge "$deadline" ]; then
		if flush; then
			n=0
		else
			echo "ship.sh: batch of $n sessions not inserted;" \
			    "kept for the next" >&2
			[ "$eof" -eq 1 ] && exit 1
		fi
		deadline=$((SECONDS + secs))
	fi
done
