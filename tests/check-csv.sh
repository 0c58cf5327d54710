#!/usr/bin/env bash
# --format csv is --format json in rows: on every sample set, the CSV has
# one row per JSON line, in the same order, and each field is the JSON
# value flattened as README.md says (objects as a.b, lists joined by a
# space, the recipients' values joined by " | ", null as empty), after
# the same escaping of control bytes (none of the samples has any).
#
#   check-csv.sh BINARY SOURCEROOT
#
# Needs python3 (its csv module reads RFC 4180); exit 77 without it.
set -u
bin=$1
root=$2
command -v python3 >/dev/null 2>&1 || { echo "no python3: skipped"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
sets=("samples/postfix/mail.log samples/postfix/remote.log"
    "samples/exim/default/mainlog samples/exim/default/rejectlog"
    "samples/exim/pid/mainlog samples/exim/pid/rejectlog"
    "samples/kerio/debug.log samples/kerio/security.log samples/kerio/mail.log"
    "samples/exchange/RECV2026112410-1.LOG samples/exchange/SEND2026112410-1.LOG samples/exchange/MSGTRK2026112410-1.LOG")
for set in "${sets[@]}"; do
	# shellcheck disable=SC2086
	(cd "$root" && "$bin" --year 2026 --format json $set >"$tmp/json" &&
	    "$bin" --year 2026 --format csv $set >"$tmp/csv") || {
		echo "FAIL: $set: the tool failed"
		fail=$((fail + 1))
		continue
	}
	python3 - "$tmp/json" "$tmp/csv" "$set" <<'EOF' || fail=$((fail + 1))
import csv, json, re, sys
# CSV values are escaped as text output is (escape.h): undo it
def unesc(s):
    return re.sub(r'\\(\\|x[0-9a-f]{2})', lambda m: '\\' if m.group(1) == '\\'
                  else chr(int(m.group(1)[1:], 16)), s)
objs = [json.loads(l) for l in open(sys.argv[1])]
rows = list(csv.reader(open(sys.argv[2], newline='')))
head, rows = rows[0], rows[1:]
def flat(o):
    out = {}
    for k, v in o.items():
        if k == 'recipients':
            for rk in ('address', 'status', 'phase', 'reply', 'enhanced', 'text'):
                out['recipients.' + rk] = ' | '.join((r.get(rk) or '') for r in v)
        elif k == 'sequence':
            out[k] = ' '.join(f['finding'] for f in v)
        elif isinstance(v, dict):
            for sk, sv in v.items():
                out[k + '.' + sk] = ' '.join(sv) if isinstance(sv, list) else sv
        elif isinstance(v, list):
            out[k] = ' '.join(str(x) for x in v)
        elif isinstance(v, bool):
            out[k] = 'true' if v else 'false'
        else:
            out[k] = v
    out.setdefault('screened', 'false')
    # present only when a list left something out; CSV says 0
    out.setdefault('omitted.recipients', '0')
    out.setdefault('omitted.lines', '0')
    return {k: ('' if v is None else str(v)) for k, v in out.items()}
bad = 0
if len(objs) != len(rows):
    print('FAIL: %s: %d JSON lines, %d CSV rows' % (sys.argv[3], len(objs), len(rows)))
    sys.exit(1)
for n, (o, r) in enumerate(zip(objs, rows), 1):
    want, got = flat(o), dict(zip(head, r))
    for k in head:
        w = want.get(k, '')
        # a formula-looking value is written with a leading '
        g = got[k][1:] if got[k][:1] == "'" and w[:1] in '=+-@' and w else got[k]
        g = unesc(g)
        if g != w:
            print('FAIL: %s: row %d, %s: csv %r, json %r' % (sys.argv[3], n, k, got[k], w))
            bad += 1
    for k in want:
        if k not in head and k != 'more_lines':
            print('FAIL: %s: JSON key %s is no CSV column' % (sys.argv[3], k))
            bad += 1
print('%s: %d rows checked, %d differences' % (sys.argv[3], len(rows), bad))
sys.exit(1 if bad else 0)
EOF
done
[ "$fail" -eq 0 ]
