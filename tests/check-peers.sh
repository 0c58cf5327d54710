#!/usr/bin/env bash
# The message figures of the summary agree with the tools postmasters
# already trust, on the same real logs: pflogsumm (Debian's package) on
# samples/postfix/mail.log, eximstats (from Debian's exim4-base, unpacked
# with dpkg -x into a temporary directory, since exim4 conflicts with
# postfix) on samples/exim/*/mainlog.
#
#   check-peers.sh BINARY SOURCEROOT pflogsumm|eximstats
#
# Where we count differently on purpose, the difference is named below
# (DIFF lines), computed from the log itself with grep and awk, and
# explained in README.md ("Message figures"); every figure must then be
# exactly equal. Exit 77 (skipped) when the tool cannot be had.
set -u
bin=$1
root=$2
tool=${3:?usage: check-peers.sh BINARY SOURCEROOT pflogsumm|eximstats}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ran=0

# eq NAME THEIRS OURS: the figures agree
eq() {
	if [ "$2" = "$3" ]; then
		pass=$((pass + 1))
		printf 'ok:   %-44s %s\n' "$1" "$2"
	else
		fail=$((fail + 1))
		printf 'FAIL: %-44s theirs %s, ours %s\n' "$1" "$2" "$3"
	fi
}

# ours FILE... -> "name messages recipients" lines of the summary's
# message figures, and "refusals N"
ours() {
	"$bin" --year 2026 "$@" | awk '
	/^messages:/ { on = 1; next }
	on && /^  bytes:/ { print "bytes_received", $2; print "bytes_delivered", $4; on = 0 }
	on && /^  / {
		name = $1; n = 2
		if ($1 == "by") { name = "smtp"; n = 3 }
		else if ($1 == "local") { name = "local"; n = 3 }
		else if ($1 == "bounce") { name = "notices"; n = 3 }
		else if ($1 == "relayed") { name = "relayed"; n = 4 }
		print name, $n, $(n + 1)
		if ($1 == "deferred" && /deferral/) { d = $0; sub(/.*\(/, "", d); sub(/ .*/, "", d); print "deferrals", d }
	}'
}

# fig FILE NAME [COLUMN]: one figure from ours() (column 2 messages,
# 3 recipients)
fig() {
	awk -v n="$2" -v c="${3:-2}" '$1 == n { print $c; f = 1 } END { if (!f) print 0 }' "$1"
}

# --- pflogsumm -----------------------------------------------------------
# pflogsumm_vs LOG LABEL
pflogsumm_vs() {
	local log=$1
	echo "== pflogsumm $(dpkg-query -W -f='${Version}' pflogsumm 2>/dev/null) on $2"
	pflogsumm "$log" >"$tmp/pf" 2>&1
	ours "$log" >"$tmp/ours"
	pf() { awk -v w="$1" '$2 == w && !done { print $1; done = 1 }' "$tmp/pf"; }
	pf_deferrals=$(sed -n 's/.* deferred *(\([0-9]*\) *deferrals).*/\1/p' "$tmp/pf")

	# queue IDs that reached the queue manager (queued), with their size
	grep -oE 'postfix/qmgr\[[0-9]+\]: [0-9A-Za-z]+: from=<[^>]*>, size=[0-9]+' "$log" |
	    awk '{ id = $2; sub(/:$/, "", id); sz = $NF; sub(/.*size=/, "", sz)
		if (!(id in seen)) print id, sz; seen[id] = 1 }' |
	    sort >"$tmp/queued"
	# "client=" lines, by whether pflogsumm knows their service name
	# (it knows smtpd, smtps/smtpd and submission/smtpd only)
	grep -E 'postfix/([^/[]+/)?smtpd\[[0-9]+\]: [0-9A-Za-z]+: client=' "$log" |
	    awk '{ svc = $5; sub(/\[.*/, "", svc); id = $6; sub(/:$/, "", id)
		std = (svc == "postfix/smtpd" || svc == "postfix/smtps/smtpd" ||
		    svc == "postfix/submission/smtpd")
		print (std ? "std" : "other"), id }' >"$tmp/clients"
	awk '$1 == "std" { print $2 }' "$tmp/clients" | sort -u >"$tmp/std"
	awk '$1 == "other" { print $2 }' "$tmp/clients" | sort -u >"$tmp/other"
	# DIFF 1: pflogsumm counts a transaction as received at its
	# "client=" line, before the message is queued; one refused at the
	# end of DATA or cut off never reaches the queue, and is not received
	d1=$(join -v 1 "$tmp/std" "$tmp/queued" | wc -l)
	# DIFF 2: pflogsumm misses service names other than smtpd,
	# smtps/smtpd and submission/smtpd (postfix/slow/smtpd,
	# postfix/strict/smtpd), and their messages' bytes
	d2=$(join "$tmp/other" "$tmp/queued" | wc -l)
	d2b=$(join "$tmp/other" "$tmp/queued" | awk '{ n += $2 } END { print n + 0 }')
	echo "DIFF received: +$d1 transactions never queued (pflogsumm counts them), -$d2 received under other service names (pflogsumm misses them, and their $d2b bytes)"
	recv=$(( $(fig "$tmp/ours" smtp) + $(fig "$tmp/ours" local) ))
	eq "received (messages)" "$(pf received)" "$((recv + d1 - d2))"
	eq "delivered (recipients)" "$(pf delivered)" "$(fig "$tmp/ours" delivered 3)"
	eq "forwarded (messages)" "$(pf forwarded)" "$(fig "$tmp/ours" forwarded)"
	eq "deferred (messages)" "$(pf deferred)" "$(fig "$tmp/ours" deferred)"
	eq "deferrals" "${pf_deferrals:-0}" "$(fig "$tmp/ours" deferrals)"
	eq "bounced (recipients)" "$(pf bounced)" "$(fig "$tmp/ours" bounced 3)"
	# DIFF 3: pflogsumm 1.1.5 has no expired figure; we count the
	# messages Postfix gave up on ("status=expired" or force-expired)
	expired=$(grep -cE 'postfix/qmgr\[[0-9]+\]: [0-9A-Za-z]+: from=<[^>]*>, status=(force-)?expired' "$log")
	echo "DIFF expired: pflogsumm has no such figure; checked against the qmgr lines"
	eq "expired (messages, qmgr lines)" "$expired" "$(fig "$tmp/ours" expired)"
	# DIFF 4: a refusal Postfix logs as a warning, not a "reject:" line
	# (552 for a message over message_size_limit: "queue file size
	# limit exceeded"); pflogsumm sees no reject
	d4=$(grep -cE 'postfix/([^/[]+/)?smtpd\[[0-9]+\]: warning: [0-9A-Za-z]+: queue file size limit exceeded' "$log")
	# DIFF 5: reject lines under service names pflogsumm misses
	d5=$(grep -E 'postfix/[^/[]+/smtpd\[[0-9]+\]: [0-9A-Za-z]+: reject: ' "$log" |
	    grep -vcE 'postfix/(smtps|submission)/smtpd\[')
	echo "DIFF rejected: -$d4 refusals logged as warnings, -$d5 under other service names"
	refusals=$(( $(fig "$tmp/ours" rejected 2) + $(fig "$tmp/ours" rejected 3) ))
	eq "rejected (refusals)" "$(pf rejected)" "$((refusals - d4 - d5))"
	eq "held" "$(pf held)" "$(fig "$tmp/ours" held)"
	eq "discarded" "$(pf discarded)" "$(fig "$tmp/ours" discarded)"
	eq "bytes received" "$(pf bytes | head -1)" \
	    "$(( $(fig "$tmp/ours" bytes_received) - d2b ))"
	eq "bytes delivered" "$(awk '$2 == "bytes" && $3 == "delivered" { print $1 }' "$tmp/pf")" \
	    "$(fig "$tmp/ours" bytes_delivered)"
}

if [ "$tool" != pflogsumm ]; then
	:
elif command -v pflogsumm >/dev/null 2>&1; then
	ran=1
	pflogsumm_vs "$root/samples/postfix/mail.log" samples/postfix/mail.log
	# HOLD and DISCARD actions at RCPT and at the end of DATA
	pflogsumm_vs "$root/samples/postfix/hold.log" samples/postfix/hold.log
	# The same log with smtpd renamed postfix/strict/smtpd (as a
	# master.cf "-o syslog_name=postfix/strict" service logs it): our
	# figures must not move, pflogsumm's fall by what DIFF 2 and 5 say
	sed 's#postfix/smtpd\[#postfix/strict/smtpd[#' \
	    "$root/samples/postfix/mail.log" >"$tmp/strict.log"
	pflogsumm_vs "$tmp/strict.log" "samples/postfix/mail.log as postfix/strict/smtpd"
	ours "$root/samples/postfix/mail.log" >"$tmp/a"
	ours "$tmp/strict.log" >"$tmp/b"
	if cmp -s "$tmp/a" "$tmp/b"; then
		eq "our figures, whatever the service name" same same
	else
		eq "our figures, whatever the service name" "$(cat "$tmp/a")" "$(cat "$tmp/b")"
	fi
else
	echo "pflogsumm not installed: its comparison is skipped"
fi

# --- eximstats -----------------------------------------------------------
eximstats=
[ "$tool" = eximstats ] && eximstats=$(command -v eximstats 2>/dev/null)
if [ "$tool" = eximstats ] && [ -z "$eximstats" ] &&
    command -v apt-get >/dev/null 2>&1; then
	# exim4-base conflicts with postfix: unpack it, do not install it
	if (cd "$tmp" && apt-get download exim4-base >/dev/null 2>&1) &&
	    dpkg -x "$tmp"/exim4-base_*.deb "$tmp/x" 2>/dev/null; then
		eximstats="perl $tmp/x/usr/sbin/eximstats"
	fi
fi
if [ -n "$eximstats" ]; then
	ran=1
	for dir in default pid; do
		log=$root/samples/exim/$dir/mainlog
		echo "== eximstats on samples/exim/$dir/mainlog"
		$eximstats -nr -nt -t0 -q0 "$log" >"$tmp/es" 2>&1
		ours "$log" >"$tmp/ours"
		es() { awk -v w="$1" '$1 == w { print $('"$2"') }' "$tmp/es" | head -1; }
		# DIFF 6: eximstats counts every "<=" as received, the bounce
		# notices Exim generates too; we show those apart
		echo "DIFF received: eximstats adds the $(fig "$tmp/ours" notices) bounce notices"
		eq "received (messages + notices)" "$(es Received 3)" \
		    "$(( $(fig "$tmp/ours" received) + $(fig "$tmp/ours" notices) ))"
		eq "delivered (addresses)" "$(es Delivered 4)" "$(fig "$tmp/ours" delivered 3)"
		# DIFF 7: eximstats' delivered "messages" are "=>" lines (one
		# per delivery process); ours are messages with a delivery
		arrows=$(grep -cE ' => ' "$log")
		msgs=$(grep -E ' (=>|->) ' "$log" | grep -oE '[0-9A-Za-z]{6}-[0-9A-Za-z]{6,11}-[0-9A-Za-z]{2,4} (=>|->)' |
		    awk '{ print $1 }' | sort -u | wc -l)
		echo "DIFF delivered messages: eximstats counts the $arrows '=>' lines; we count the $msgs messages delivered"
		eq "delivered (messages, '=>' lines)" "$(es Delivered 3)" "$arrows"
		eq "delivered (messages, distinct)" "$msgs" "$(fig "$tmp/ours" delivered)"
		eq "deferred (messages, 'Delayed')" "$(es Received 5)" "$(fig "$tmp/ours" deferred)"
		# DIFF 8: Exim logs a message that timed out with "**" like a
		# bounce; eximstats' "Failed" has both, we tell them apart
		echo "DIFF failed: eximstats' Failed is our bounced + expired"
		eq "bounced + expired (messages, 'Failed')" "$(es Received 7)" \
		    "$(( $(fig "$tmp/ours" bounced) + $(fig "$tmp/ours" expired) ))"
		# DIFF 9: eximstats counts every line saying rejected, refused
		# or dropped; we count refusals (a 4xx or 5xx reply to a
		# command). Not refusals: protocol synchronization errors,
		# connections dropped for too many errors, and our own failed
		# deliveries' "H=... Connection refused" / "SMTP error from
		# remote mail server" notes
		sync=$(grep -c 'SMTP protocol synchronization error' "$log")
		dropped=$(grep -c 'dropped: too many' "$log")
		outnotes=$(grep -E '[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?( [-+][0-9]{4})?( \[[0-9]+\])? [0-9A-Za-z]{6}-[0-9A-Za-z]{6,11}-[0-9A-Za-z]{2,4} H=' "$log" |
		    grep -cE 'Connection refused|SMTP error from remote mail server.*(rejected|refused)')
		echo "DIFF rejects: eximstats adds $sync synchronization errors, $dropped drops, $outnotes notes of our own failed deliveries"
		refusals=$(( $(fig "$tmp/ours" rejected 2) + $(fig "$tmp/ours" rejected 3) ))
		eq "rejects + temp rejects (refusals)" \
		    "$(( $(es Rejects 2) + $(es Temp 3) ))" \
		    "$((refusals + sync + dropped + outnotes))"
	done
elif [ "$tool" = eximstats ]; then
	echo "eximstats cannot be had (exim4-base not downloadable): skipped"
fi

echo "$pass passed, $fail failed"
[ "$ran" -eq 0 ] && exit 77
[ "$fail" -eq 0 ]
