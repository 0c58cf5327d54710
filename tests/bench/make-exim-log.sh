#!/usr/bin/env bash
# Write a large Exim main log made of the real lines of
# samples/exim/pid/mainlog, for benchmarks (tests/bench/run.sh).
#
#   tests/bench/make-exim-log.sh N OUT
#
# OUT gets at least N lines (whole copies only, so up to one sample more).
# Deterministic (same N, same settings, same sample: same bytes), no
# network, bash and awk only (mawk or gawk).
#
# Why it is built like this (doc/performance.md says more):
#  - The sample is one run of a real Exim 4.96 with log_selector +pid, 36 s
#    of conversations. It is replayed as copies 0, 1, 2, ...; copy c starts
#    c*SPACING seconds (plus a fixed pseudo-random 0..SPACING-1) after the
#    sample did, so about 36/SPACING copies are talking at once, and the
#    copies are merged by their millisecond time stamps, each copy keeping
#    its own order.
#  - Nothing may merge that would not merge in a real log, so per copy:
#    process IDs are renumbered (a block of new pids per copy, wrapping
#    below Linux's pid_max), every message ID gets the copy's time and the
#    renumbered pid of the process that made it (Exim's own recipe, so IDs
#    never repeat, also where an ID appears inside a line: R=, id=),
#    Message-IDs (id=TIME.PID@vm) get the copy's time and pid, client ports
#    (22001-22099 in the sample) move by c*100 in 22001-64999, and the HELO
#    names that carry the port (p22011.client.test, badhelo22019) follow it.
#  - The listening daemon is one process: it keeps its pid throughout and
#    its start line is only in copy 0.
#  - Deferred messages stay deferred: the sample's "==" lines with no later
#    delivery are replayed as they are, so every copy leaves its deferred
#    messages in the queue to the end of the file, as on a real MX with a
#    retry queue.
#
# Settings (environment): SPACING (default 4 seconds), SAMPLE (default
# samples/exim/pid/mainlog next to this script).
set -euo pipefail

if [ $# -ne 2 ] || ! [[ $1 =~ ^[0-9]+$ ]] || [ "$1" -lt 1 ]; then
	echo "usage: $0 N OUT   (N >= 1 lines)" >&2
	exit 64
fi
n=$1
out=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
sample=${SAMPLE:-$root/samples/exim/pid/mainlog}
spacing=${SPACING:-4}
if ! [[ $spacing =~ ^[0-9]+$ ]] || [ "$spacing" -lt 1 ]; then
	echo "$0: SPACING must be a whole number >= 1" >&2
	exit 64
fi
[ -r "$sample" ] || { echo "$0: cannot read $sample" >&2; exit 2; }

SAMPLE=$sample LC_ALL=C awk -v N="$n" -v D="$spacing" '
function die(m) { print "make-exim-log: " m > "/dev/stderr"; exit 2 }
function isleap(y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }
function b62val(s,   i, v) {
	v = 0
	for (i = 1; i <= length(s); i++) v = v * 62 + index(B62, substr(s, i, 1)) - 1
	return v
}
function b62str(v, w,   s, d) {
	s = ""
	while (w-- > 0) { d = v % 62; s = substr(B62, d + 1, 1) s; v = (v - d) / 62 }
	return s
}
# milliseconds since Jan 1 of Y0 from "YYYY-MM-DD hh:mm:ss.mmm"
function stamp_ms(s,   y, mo, d, days) {
	y = substr(s, 1, 4) + 0; mo = substr(s, 6, 2) + 0; d = substr(s, 9, 2) + 0
	if (y != Y0) die("sample not from " Y0 ": " s)
	days = cumdays[mo] + (mo > 2 && isleap(y)) + d - 1
	return ((days * 24 + substr(s, 12, 2)) * 60 + substr(s, 15, 2)) * 60000 + \
		substr(s, 18, 2) * 1000 + substr(s, 21, 3)
}
# break seconds since Jan 1 of Y0 into Y Mo Dd hh mm ss (globals)
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
function log_stamp(ms,   t) {
	t = int(ms / 1000)
	if (t != last_t) {
		breakdown(t); last_t = t
		last_str = sprintf("%04d-%02d-%02d %02d:%02d:%02d", Y, Mo, Dd, hh, mm, ss)
	}
	return sprintf("%s.%03d +0000 [", last_str, ms % 1000)
}
function msgid_stamp(t) { breakdown(t); return sprintf("%04d%02d%02d%02d%02d%02d", Y, Mo, Dd, hh, mm, ss) }
function newpid(p) {
	if (p == daemonpid) return p
	v = 13000 + cur * PSTEP + rank[p]
	return v < 4194304 ? v : 13000 + (v - 13000) % (4194304 - 13000)
}
function newport(o) { return 22001 + (o - 22001 + cur * 100) % 43000 }
function newmsgid(q,   pp) {
	pp = b62val(substr(q, 8, 6))
	if (!(pp in rank)) die("message ID of an unknown pid: " q)
	return b62str(b62val(substr(q, 1, 6)) + start[cur], 6) "-" \
		b62str(newpid(pp), 6) "-" substr(q, 15, 2)
}
function seg(i, type, val) { ns[i]++; st[i, ns[i]] = type; sv[i, ns[i]] = val }
function addpid(p) { p += 0; if (!(p in seenpid)) { seenpid[p] = 1; pids[++npids] = p } }
# earliest token of msg: TT (type), TS, TL; 0 if none
function next_token(msg,   j) {
	TS = 0
	for (j = 1; j <= ntok; j++)
		if (match(msg, tokre[j]) && (TS == 0 || RSTART < TS)) {
			TS = RSTART; TL = RLENGTH; TT = toktype[j]
		}
	return TS
}
BEGIN {
	Y0 = 2026
	B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	split("31 28 31 30 31 30 31 31 30 31 30 31", mdays, " ")
	cumdays[1] = 0
	for (i = 1; i <= 12; i++) cumdays[i + 1] = cumdays[i] + mdays[i]
	A = "[0-9A-Za-z]"; Dg = "[0-9]"
	ntok = 0
	tokre[++ntok] = A A A A A A "-" A A A A A A "-" A A; toktype[ntok] = "I"
	tokre[++ntok] = "id=20" Dg Dg Dg Dg Dg Dg Dg Dg Dg Dg Dg Dg "\\.[0-9]+@vm"; toktype[ntok] = "M"
	tokre[++ntok] = "\\]:22" Dg Dg Dg;                 toktype[ntok] = "O"
	tokre[++ntok] = "p22" Dg Dg Dg "\\.client\\.test"; toktype[ntok] = "h"
	tokre[++ntok] = "badhelo22" Dg Dg Dg;              toktype[ntok] = "b"
	last_t = -1
	nt = 0
	while ((rc = (getline line < ENVIRON["SAMPLE"])) > 0) {
		if (line !~ /^20[0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]\.[0-9][0-9][0-9] \+0000 \[[0-9]+\] /)
			die("not a +pid mainlog line: " line)
		nt++
		t = stamp_ms(line)
		if (nt == 1) t0 = t
		rel[nt] = t - t0
		if (rel[nt] > R) R = rel[nt]
		rest = substr(line, 32)                 # "PID] text"
		p = index(rest, "] ")
		pid = substr(rest, 1, p - 1) + 0
		msg = substr(rest, p + 2)
		if (msg ~ /^exim [0-9.]+ daemon started: pid=/) { daemonpid = pid; first[nt] = 1 }
		addpid(pid)
		ns[nt] = 0
		seg(nt, "P", pid); lit = "] "
		while (next_token(msg)) {
			tok = substr(msg, TS, TL)
			seg(nt, "L", lit substr(msg, 1, TS - 1)); lit = ""
			if (TT == "I") seg(nt, "I", tok)
			else if (TT == "M") {
				x = substr(tok, 4, 14)
				tm = stamp_ms(substr(x, 1, 4) "-" substr(x, 5, 2) "-" substr(x, 7, 2) " " \
					substr(x, 9, 2) ":" substr(x, 11, 2) ":" substr(x, 13, 2) ".000")
				seg(nt, "L", "id="); seg(nt, "T", int(tm / 1000) - int(t0 / 1000))
				x = substr(tok, 19); sub(/@vm$/, "", x); addpid(x)
				seg(nt, "L", "."); seg(nt, "C", x + 0); seg(nt, "L", "@vm")
			} else if (TT == "O") { seg(nt, "L", "]:"); seg(nt, "O", substr(tok, 3) + 0) }
			else if (TT == "h") { seg(nt, "L", "p"); seg(nt, "O", substr(tok, 2, 5) + 0); seg(nt, "L", ".client.test") }
			else if (TT == "b") { seg(nt, "L", "badhelo"); seg(nt, "O", substr(tok, 8) + 0) }
			msg = substr(msg, TS + TL)
		}
		seg(nt, "L", lit msg)
	}
	if (rc < 0) die("cannot read " ENVIRON["SAMPLE"])
	if (nt == 0) die("empty sample " ENVIRON["SAMPLE"])
	# message IDs name pids that logged nothing (the remote instance): rank them too
	for (i = 1; i <= nt; i++)
		for (j = 1; j <= ns[i]; j++)
			if (st[i, j] == "I") addpid(b62val(substr(sv[i, j], 8, 6)))
	for (i = 2; i <= npids; i++) {          # insertion sort, few pids
		v = pids[i]
		for (j = i - 1; j >= 1 && pids[j] > v; j--) pids[j + 1] = pids[j]
		pids[j + 1] = v
	}
	for (i = 1; i <= npids; i++) rank[pids[i]] = i - 1
	PSTEP = npids + 8
	t0s = int(t0 / 1000)

	# copies: copy 0 holds every line, the others all but the daemon start
	percopy = nt - (daemonpid != "")
	C = 1; acc = nt
	while (acc < N) { C++; acc += percopy }
	for (c = 0; c < C; c++) { start[c] = c * D + (c == 0 ? 0 : (c * 7919 + 13) % D); k[c] = 1 }
	# k-way merge by time; the copies on the air are clo..chi
	clo = 0; chi = 0; written = 0
	while (clo < C) {
		best = -1
		for (c = clo; c <= chi; c++) {
			if (k[c] > nt) continue
			tc = start[c] * 1000 + rel[k[c]]
			if (best < 0 || tc < bt) { best = c; bt = tc }
		}
		# the next copy joins when its first line is due
		if (chi + 1 < C && (best < 0 || start[chi + 1] * 1000 <= bt)) { chi++; continue }
		if (best < 0) break
		cur = best
		i = k[cur]++
		if (first[i] && cur != 0) continue
		s = log_stamp(t0 + bt)
		for (j = 1; j <= ns[i]; j++) {
			ty = st[i, j]
			if (ty == "L") s = s sv[i, j]
			else if (ty == "P") s = s newpid(sv[i, j])
			else if (ty == "I") s = s newmsgid(sv[i, j])
			else if (ty == "O") s = s newport(sv[i, j])
			else if (ty == "T") s = s msgid_stamp(t0s + start[cur] + sv[i, j])
			else if (ty == "C") s = s sprintf("%06d", newpid(sv[i, j]))
		}
		print s
		written++
		while (clo < chi && k[clo] > nt) clo++
	}
	if (written < N) die("wrote " written " lines, fewer than " N)
	exit 0
}
' >"$out.tmp.$$" || { rm -f "$out.tmp.$$"; exit 2; }
mv "$out.tmp.$$" "$out"
