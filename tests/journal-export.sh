#!/usr/bin/env bash
# journal-export.sh - a syslog text log as journal entries, in the journal
# export format (systemd's JOURNAL_EXPORT_FORMATS), for building a real
# journal file with systemd-journal-remote in the tests.
#
#   journal-export.sh YEAR BINARY-EVERY <mail.log >mail.export
#
# Each "Mmm dd hh:mm:ss host ident[pid]: message" line becomes one entry
# with the fields journald gives a syslog message: __REALTIME_TIMESTAMP
# (the stamp read as UTC in YEAR), __MONOTONIC_TIMESTAMP, _BOOT_ID,
# _HOSTNAME, SYSLOG_IDENTIFIER, _PID, SYSLOG_PID, SYSLOG_FACILITY=2 (mail),
# PRIORITY and MESSAGE. Every BINARY-EVERY-th entry writes its MESSAGE in
# the format's binary form (name, newline, 64-bit little-endian length,
# the bytes), as journald does for a value that is not text. Lines of any
# other shape are refused (exit 1): a test fixture must not lose lines.
set -u
year=$1
every=$2
boot=0f3c7a1e5b9d4c2a8e6f1b3d5a7c9e0b
months=(Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec)
declare -A mon
for i in "${!months[@]}"; do
	mon[${months[$i]}]=$((i + 1))
done

# Days since 1970-01-01 of a civil date (H. Hinnant's algorithm).
days_from_civil() { # Y M D
	local y=$1 m=$2 d=$3 era yoe doy doe
	((m <= 2)) && y=$((y - 1))
	era=$(((y >= 0 ? y : y - 399) / 400))
	yoe=$((y - era * 400))
	doy=$(((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1))
	doe=$((yoe * 365 + yoe / 4 - yoe / 100 + doy))
	echo $((era * 146097 + doe - 719468))
}

# The 8 bytes of N, little-endian, as printf escapes, into $le.
le64() {
	local n=$1 i b
	le=
	for i in 0 1 2 3 4 5 6 7; do
		printf -v b '\\x%02x' $(((n >> (8 * i)) & 255))
		le+=$b
	done
}

re='^([A-Z][a-z]{2}) +([0-9]{1,2}) ([0-9]{2}):([0-9]{2}):([0-9]{2}) ([^ ]+) ([^ []+)\[([0-9]+)\]: (.*)$'
declare -A dcache
n=0
lineno=0
LC_ALL=C
while IFS= read -r line || [ -n "$line" ]; do
	lineno=$((lineno + 1))
	if ! [[ $line =~ $re ]]; then
		echo "journal-export.sh: line $lineno: not a syslog line" >&2
		exit 1
	fi
	date=${BASH_REMATCH[1]}${BASH_REMATCH[2]}
	if [ -z "${dcache[$date]:-}" ]; then
		m=${mon[${BASH_REMATCH[1]}]}
		dcache[$date]=$(days_from_civil "$year" "$m" \
		    "$((10#${BASH_REMATCH[2]}))")
	fi
	days=${dcache[$date]}
	secs=$((days * 86400 + 10#${BASH_REMATCH[3]} * 3600 + \
	    10#${BASH_REMATCH[4]} * 60 + 10#${BASH_REMATCH[5]}))
	us=$((secs * 1000000))
	msg=${BASH_REMATCH[9]}
	prio=6
	case $msg in
	warning:*) prio=4 ;;
	error:* | fatal:* | panic:*) prio=3 ;;
	esac
	n=$((n + 1))
	printf '__REALTIME_TIMESTAMP=%s\n' "$us"
	# one boot since 2023-11-14: a second run continues the first's
	printf '__MONOTONIC_TIMESTAMP=%s\n' $((us - 1700000000000000))
	printf '_BOOT_ID=%s\n' "$boot"
	printf '_HOSTNAME=%s\n' "${BASH_REMATCH[6]}"
	printf 'SYSLOG_FACILITY=2\n'
	printf 'PRIORITY=%s\n' "$prio"
	printf 'SYSLOG_IDENTIFIER=%s\n' "${BASH_REMATCH[7]}"
	printf 'SYSLOG_PID=%s\n' "${BASH_REMATCH[8]}"
	printf '_PID=%s\n' "${BASH_REMATCH[8]}"
	if [ $((n % every)) -eq 0 ]; then
		printf 'MESSAGE\n'
		le64 ${#msg}
		# shellcheck disable=SC2059
		printf "$le"
		printf '%s\n' "$msg"
	else
		printf 'MESSAGE=%s\n' "$msg"
	fi
	printf '\n'
done
