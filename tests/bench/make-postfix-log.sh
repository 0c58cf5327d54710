#!/usr/bin/env bash
# Write a large Postfix log made of the real lines of samples/postfix/mail.log,
# for benchmarks.
#
#   tests/bench/make-postfix-log.sh N OUT
#
# OUT gets at least N lines (a few hundred more at most: whole copies only).
# Deterministic (same N, same settings, same sample: same bytes), no network,
# bash and awk only (mawk or gawk).
#
# How (doc/performance.md says more):
#  - The sample is one run of a real Postfix 3.7 (41 s of conversations). It
#    is replayed as copies 0, 1, 2, ...; copy c starts c*SPACING seconds (plus
#    a fixed pseudo-random 0..SPACING-1) after the sample did, so about
#    41/SPACING copies are on the air at once.
#  - The copies are merged second by second: within one second the lines of
#    every copy that logged in that second are interleaved in proportion (a
#    copy with 2 lines in a second gives one line at each half of it), and
#    each copy keeps its own order. Time stamps never go back.
#  - Per copy: process IDs are renumbered (about 40 new pids per copy), queue
#    IDs keep their 5 hex digits of microseconds and get the inode part moved
#    by c*0x100 (still uppercase hex, unique per copy; also where a queue ID
#    appears inside a Message-ID, "queued as", "input attribute value:"),
#    client ports (20001-20599 in the sample) move by c*600 in 20001-64999,
#    and the HELO names that carry the port (p20104.client.test,
#    badhelo20109) follow their port. Message-IDs get the copy's time and a
#    per-copy client pid, so no two copies share one.
#  - master, qmgr, anvil and postscreen are single long-running processes in
#    a real Postfix: they keep one pid throughout (the sample's first).
#  - The start lines (postfix-script "starting", master "daemon started")
#    appear only in copy 0; the session left open by "postfix stop" (client
#    port 20501) and the "stopping" line only in the last copy, so that the
#    log has one incomplete session, as the sample has.
#  - debug_peer_list noise: the sample's last sessions (ports 204xx, 20501)
#    ran with debug_peer_list, which adds the lines of the "verbose-internals"
#    pattern (1011 of the sample's 1418 lines) and the "< host: COMMAND" /
#    "> host: REPLY" lines (133). One copy in VERBOSE_EVERY keeps them, with
#    the reload that turned debug_peer_list on (postfix-script "refreshing",
#    master "reload", anvil statistics); the other copies hold the same
#    sessions as Postfix logs them without debug_peer_list. Default 20, so
#    the share is reduced from 71% to about 15%. VERBOSE_EVERY=1 keeps the
#    real share, 0 drops the noise everywhere.
#
# Settings (environment): SPACING (default 4 seconds), VERBOSE_EVERY
# (default 20), SAMPLE (default samples/postfix/mail.log next to this script).
set -euo pipefail

if [ $# -ne 2 ] || ! [[ $1 =~ ^[0-9]+$ ]] || [ "$1" -lt 1 ]; then
	echo "usage: $0 N OUT   (N >= 1 lines)" >&2
	exit 64
fi
n=$1
out=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
sample=${SAMPLE:-$root/samples/postfix/mail.log}
patterns=$root/patterns/postfix.yaml
spacing=${SPACING:-4}
every=${VERBOSE_EVERY:-20}
for v in spacing every; do
	if ! [[ ${!v} =~ ^[0-9]+$ ]]; then
		echo "$0: $v must be a whole number" >&2
		exit 64
	fi
done
[ "$spacing" -ge 1 ] || { echo "$0: SPACING must be >= 1" >&2; exit 64; }
[ -r "$sample" ] || { echo "$0: cannot read $sample" >&2; exit 2; }

# The verbose-internals regex of the shipped pattern file, turned from PCRE
# into POSIX ERE for awk: (?: -> (, \S -> [^ ], \w -> [A-Za-z0-9_].
verbose_re=$(sed -n '/^  - name: verbose-internals$/,/^  - name:/{
	s/^    regex: '"'"'\(.*\)'"'"'$/\1/p
}' "$patterns")
if [ -z "$verbose_re" ]; then
	echo "$0: no verbose-internals regex in $patterns" >&2
	exit 2
fi
verbose_re=$(printf '%s' "$verbose_re" | sed -e 's/(?:/(/g' -e 's/\\S/[^ ]/g' \
	-e 's/\\w/[A-Za-z0-9_]/g')

VRE=$verbose_re SAMPLE=$sample LC_ALL=C awk -v N="$n" -v D="$spacing" -v K="$every" '
function die(m) { print "make-postfix-log: " m > "/dev/stderr"; exit 2 }
function hexval(s,   i, v) {
	v = 0
	for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789ABCDEF", substr(s, i, 1)) - 1
	return v
}
# seconds since 00:00 of Jan 1 of year Y0 for month name, day, h, m, s
function stamp_sec(mon, day, h, m, s) {
	return (cumdays[monidx[mon]] + day - 1) * 86400 + h * 3600 + m * 60 + s
}
function isleap(y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }
# Break seconds since Jan 1 of Y0 into Y Mo Dd hh mm ss (globals).
function breakdown(t,   days, ml) {
	days = int(t / 86400); t -= days * 86400
	hh = int(t / 3600); mm = int((t % 3600) / 60); ss = t % 60
	Y = Y0
	while (days >= (isleap(Y) ? 366 : 365)) { days -= isleap(Y) ? 366 : 365; Y++ }
	for (Mo = 1; Mo <= 12; Mo++) {
		ml = mdays[Mo] + (Mo == 2 && isleap(Y))
		if (days < ml) break
		days -= ml
	}
	Dd = days + 1
}
function syslog_stamp(t) { breakdown(t); return sprintf("%s %02d %02d:%02d:%02d", monname[Mo], Dd, hh, mm, ss) }
function msgid_stamp(t) { breakdown(t); return sprintf("%04d%02d%02d%02d%02d%02d", Y, Mo, Dd, hh, mm, ss) }
function newpid(p,   v) {
	if (cur == 0) return p
	return wrappid(c_pidbase + rank[p])
}
# Linux pid_max (4194304 with systemd): wrap above the pids of the sample
function wrappid(v) { return v < 4194304 ? v : 13000 + (v - 13000) % (4194304 - 13000) }
function newport(o) { return 20001 + (o - 20001 + cur * 600) % 45000 }
function newqid(q) { return substr(q, 1, 5) sprintf("%X", hexval(substr(q, 6)) + cur * 256) }
# Add a segment to template line i.
function seg(i, type, val) { ns[i]++; st[i, ns[i]] = type; sv[i, ns[i]] = val }
# Find the earliest token of msg; sets TT (type), TS, TL; 0 if none.
function next_token(msg,   j, best) {
	TS = 0
	for (j = 1; j <= ntok; j++) {
		if (match(msg, tokre[j]) && (TS == 0 || RSTART < TS)) {
			TS = RSTART; TL = RLENGTH; TT = toktype[j]
		}
	}
	return TS
}
BEGIN {
	Y0 = 2026                       # the sample run clock (samples/README.md)
	split("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec", monname, " ")
	split("31 28 31 30 31 30 31 31 30 31 30 31", mdays, " ")
	cumdays[1] = 0
	for (i = 1; i <= 12; i++) { monidx[monname[i]] = i; cumdays[i + 1] = cumdays[i] + mdays[i] }
	H = "[0-9A-F]"; Dg = "[0-9]"
	D14 = "20" Dg Dg Dg Dg Dg Dg Dg Dg Dg Dg Dg Dg
	ntok = 0
	tokre[++ntok] = "<" D14 "\\.[0-9]+@vm>";              toktype[ntok] = "M"  # Message-ID: time.clientpid
	tokre[++ntok] = "<" D14 "\\." H "+@";                 toktype[ntok] = "N"  # Message-ID: time.queueid
	tokre[++ntok] = "\\]:20" Dg Dg Dg;                    toktype[ntok] = "O"  # client port
	tokre[++ntok] = "p20" Dg Dg Dg "\\.client\\.test";    toktype[ntok] = "h"  # HELO name with the port
	tokre[++ntok] = "badhelo20" Dg Dg Dg;                 toktype[ntok] = "b"
	tokre[++ntok] = H H H H H H H H H H H "*";            toktype[ntok] = "Q"  # queue ID
	tokre[++ntok] = " at [A-Z][a-z][a-z] [ 0-9]" Dg " " Dg Dg ":" Dg Dg ":" Dg Dg "$"; toktype[ntok] = "A"

	nt = 0
	while ((rc = (getline line < ENVIRON["SAMPLE"])) > 0) {
		sub(/\r$/, "", line)
		if (line !~ /^[A-Z][a-z][a-z] [ 0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9] /) die("not a syslog stamp: " line)
		nt++
		t = stamp_sec(substr(line, 1, 3), substr(line, 5, 2) + 0, substr(line, 8, 2) + 0,
			substr(line, 11, 2) + 0, substr(line, 14, 2) + 0)
		if (nt == 1) t0 = t
		if (t < t0) die("time goes back in the sample: " line)
		rel[nt] = t - t0
		if (rel[nt] > R) R = rel[nt]
		rest = substr(line, 16)                     # " mx postfix/smtpd[123]: msg"
		p = index(rest, "]: ")
		if (!p) die("no [pid]: in " line)
		head = substr(rest, 1, p - 1)
		b = head; q = 0
		while ((k = index(b, "[")) > 0) { q += k; b = substr(b, k + 1) }
		pid = substr(head, q + 1) + 0
		prog = substr(head, 1, q - 1)               # " mx postfix/smtpd"
		daemon = prog; sub(/.*\//, "", daemon)
		msg = substr(rest, p + 3)
		issingle = daemon == "master" || daemon == "qmgr" || daemon == "anvil" || daemon == "postscreen"
		if (issingle) {
			if (!(daemon in firstpid)) { firstpid[daemon] = pid; sidx[daemon] = nsingle++ }
			else if (pid != firstpid[daemon] && !(daemon in secondpid)) secondpid[daemon] = pid
		} else if (!(pid in seenpid)) { seenpid[pid] = 1; pids[++npids] = pid }
		body = msg; sub(/^(warning|error|fatal|panic): /, "", body)
		# line classes: 1 start, 2 reload, 3 debug noise, 4 tail (open session + stop)
		cls[nt] = 0
		if ((daemon == "postfix-script" && body ~ /^starting the Postfix/) || (daemon == "master" && body ~ /^daemon started/)) cls[nt] = 1
		else if ((daemon == "postfix-script" && body ~ /^refreshing the Postfix/) || (daemon == "master" && body ~ /^reload /) || (daemon == "anvil" && body ~ /^statistics: /)) cls[nt] = 2
		else if (body ~ ENVIRON["VRE"] || body ~ /^[<>] [^ ]+\[[^]]+\](:[0-9]+)?: /) { cls[nt] = 3; nverbose++ }
		if (tail_from == 0 && body ~ /^connect from [^ ]*\[[^]]*\]:20501$/) tail_from = nt
		if (tail_from) { if (cls[nt] == 3) tailverbose[nt] = 1; else cls[nt] = 4 }
		# segments: literal, P pid, then the message cut at its tokens
		ns[nt] = 0
		seg(nt, "L", prog "[")
		if (!issingle) seg(nt, "P", pid)
		else if (cls[nt] == 2 && daemon == "anvil") seg(nt, "g", daemon)   # logged by the exiting anvil
		else seg(nt, "G", daemon)
		isreload[nt] = cls[nt] == 2 && daemon == "master"
		lit = "]: "
		while (next_token(msg)) {
			tok = substr(msg, TS, TL)
			pre = substr(msg, 1, TS - 1)
			after = substr(msg, TS + TL, 1)
			if (TT == "Q" && (TL > 12 || after ~ /[A-Za-z0-9]/ || pre ~ /[A-Za-z0-9]$/)) {
				lit = lit pre tok; msg = substr(msg, TS + TL); continue
			}
			if (TT == "O" && after ~ /[0-9]/) { lit = lit pre tok; msg = substr(msg, TS + TL); continue }
			seg(nt, "L", lit pre); lit = ""
			if (TT == "M" || TT == "N") {
				# <YYYYMMDDhhmmss.X@...: time relative to the sample start, then X
				x = substr(tok, 2, 14)
				tm = (cumdays[substr(x, 5, 2) + 0] + substr(x, 7, 2) - 1) * 86400 + substr(x, 9, 2) * 3600 + substr(x, 11, 2) * 60 + substr(x, 13, 2)
				seg(nt, "L", "<"); seg(nt, "T", tm - t0); seg(nt, "L", ".")
				if (TT == "M") {
					x = substr(tok, 17); sub(/@vm>$/, "", x)
					x += 0; if (!(x in seenpid)) { seenpid[x] = 1; pids[++npids] = x }
					seg(nt, "C", x); seg(nt, "L", "@vm>")
				} else {
					x = substr(tok, 17); sub(/@$/, "", x)
					seg(nt, "Q", x); seg(nt, "L", "@")
				}
			} else if (TT == "O") {
				seg(nt, "L", "]:"); seg(nt, "O", substr(tok, 3) + 0)
			} else if (TT == "h") {
				seg(nt, "L", "p"); seg(nt, "O", substr(tok, 2, 5) + 0); seg(nt, "L", ".client.test")
			} else if (TT == "b") {
				seg(nt, "L", "badhelo"); seg(nt, "O", substr(tok, 8) + 0)
			} else if (TT == "Q") {
				seg(nt, "Q", tok)
			} else if (TT == "A") {
				x = substr(tok, 5)
				seg(nt, "L", " at ")
				seg(nt, "S", stamp_sec(substr(x, 1, 3), substr(x, 5, 2) + 0, substr(x, 8, 2) + 0, substr(x, 11, 2) + 0, substr(x, 14, 2) + 0) - t0)
			}
			msg = substr(msg, TS + TL)
		}
		seg(nt, "L", lit msg)
	}
	if (rc < 0) die("cannot read " ENVIRON["SAMPLE"])
	if (nt == 0) die("empty sample " ENVIRON["SAMPLE"])
	close(ENVIRON["SAMPLE"])
	if (nverbose == 0) die("no line matched the verbose-internals regex: pattern file changed?")

	# pids: rank in the sample, about 40 new ones per copy
	for (i = 2; i <= npids; i++) {          # insertion sort, few pids
		v = pids[i]
		for (j = i - 1; j >= 1 && pids[j] > v; j--) pids[j + 1] = pids[j]
		pids[j + 1] = v
	}
	for (i = 1; i <= npids; i++) rank[pids[i]] = i - 1
	PSTEP = npids + 8
	if (nsingle > 8) die("too many single-process daemons")
	for (d in firstpid) curpid[d] = prevpid[d] = firstpid[d]

	# variants: bit 1 first copy, bit 2 last copy, bit 4 debug noise kept
	for (v = 0; v < 8; v++) {
		vlen[v] = 0
		for (i = 1; i <= nt; i++) {
			if (cls[i] == 1 && !and1(v)) continue
			if (cls[i] == 2 && !and4(v)) continue
			if (cls[i] == 4 && !and2(v)) continue
			if (cls[i] == 3 && !and4(v)) continue
			if ((i in tailverbose) && !and2(v)) continue
			r = rel[i]
			cnt[v, r]++
			lst[v, r, cnt[v, r]] = i
			vlen[v]++
		}
	}

	# how many copies: the smallest C whose lines reach N
	acc = 0
	for (C = 1; ; C++) {
		c = C - 1
		if (acc + vlen[variant(c, 1)] >= N) break
		acc += vlen[variant(c, 0)]
	}
	last = C - 1

	# copy start offsets (seconds after the sample start), strictly increasing
	for (c = 0; c < C; c++) start[c] = c * D + (c == 0 ? 0 : (c * 7919 + 13) % D)

	base = t0
	clo = 0; chi = -1; written = 0
	for (S = 0; S <= start[last] + R; S++) {
		while (chi + 1 < C && start[chi + 1] <= S) {
			chi++; vv[chi] = variant(chi, chi == last)
		}
		while (clo <= chi && start[clo] + R < S) clo++
		na = 0
		for (c = clo; c <= chi; c++) {
			r = S - start[c]
			if (((vv[c], r) in cnt)) {
				na++; ac[na] = c; an[na] = cnt[vv[c], r]; ak[na] = 1; ar[na] = r
			}
		}
		if (na == 0) continue
		stampstr = syslog_stamp(base + S)
		left = 0
		for (a = 1; a <= na; a++) left += an[a]
		while (left > 0) {
			# the copy whose next line sits earliest in its second: (2k-1)/2n smallest
			best = 0
			for (a = 1; a <= na; a++) {
				if (ak[a] > an[a]) continue
				if (best == 0 || (2 * ak[a] - 1) * an[best] < (2 * ak[best] - 1) * an[a]) best = a
			}
			cur = ac[best]
			i = lst[vv[cur], ar[best], ak[best]]
			ak[best]++; left--
			c_pidbase = 13000 + cur * PSTEP
			if (isreload[i]) {
				# postfix reload: master stays, qmgr, anvil and postscreen are
				# new processes (pids from spare slots of the reloading copy)
				for (d in curpid) {
					if (d == "master") continue
					prevpid[d] = curpid[d]
					if (cur == 0 && (d in secondpid)) curpid[d] = secondpid[d]
					else curpid[d] = wrappid(c_pidbase + npids + sidx[d])
				}
			}
			s = ""
			for (j = 1; j <= ns[i]; j++) {
				ty = st[i, j]
				if (ty == "L") s = s sv[i, j]
				else if (ty == "P") s = s newpid(sv[i, j])
				else if (ty == "G") s = s curpid[sv[i, j]]
				else if (ty == "g") s = s prevpid[sv[i, j]]
				else if (ty == "O") s = s newport(sv[i, j])
				else if (ty == "Q") s = s newqid(sv[i, j])
				else if (ty == "T") s = s msgid_stamp(base + start[cur] + sv[i, j])
				else if (ty == "S") s = s syslog_stamp(base + start[cur] + sv[i, j])
				else if (ty == "C") s = s sprintf("%06d", newpid(sv[i, j]))
			}
			print stampstr s
			written++
		}
	}
	if (written < N) die("wrote " written " lines, fewer than " N)
	exit 0
}
function variant(c, islast,   v) {
	v = 0
	if (c == 0) v += 1
	if (islast) v += 2
	if (K > 0 && c % K == 0) v += 4
	return v
}
function and1(v) { return v % 2 == 1 }
function and2(v) { return int(v / 2) % 2 == 1 }
function and4(v) { return int(v / 4) % 2 == 1 }
' >"$out.tmp.$$" || { rm -f "$out.tmp.$$"; exit 2; }
mv "$out.tmp.$$" "$out"
