#!/usr/bin/env python3
"""Print, for every row of expected.tsv, the log lines it is about.

Usage: show-expected.py [DIR]     (default: samples/postfix)

A reading aid for checking samples made by postfix-run.sh by eye: it finds
each row's session with simple rules (the client port, the HELO name, the
recipient) and prints its main lines, leaving out the debug_peer_list noise
except the '<' and '>' conversation lines.  It is not the analyzer and
decides nothing.
"""

import collections
import os
import re
import sys

LINE = re.compile(r"^(\S+ +\d+ [\d:]+) (\S+) (\S+)\[(\d+)\]: (.*)$")
QID = re.compile(r"^([0-9A-F]{6,}|NOQUEUE): ")
KEEP = re.compile(
    r"^(?:[0-9A-F]{6,}: |NOQUEUE: )?(?:connect from|disconnect from|lost connection|"
    r"timeout after|too many errors|improper command|CONNECT from|PASS |PREGREET|HANGUP|"
    r"NON-SMTP|COMMAND |BARE NEWLINE|DISCONNECT|reject|warning|SSL_accept|SSL_connect|"
    r"\S+ TLS connection established|[<>] |client=|to=|from=|message-id=|connect to|"
    r"sender non-delivery|removed|status=)"
)


def load(path):
    out = []
    with open(path, encoding="utf-8", errors="replace") as fh:
        for n, raw in enumerate(fh, 1):
            m = LINE.match(raw.rstrip("\n"))
            if m:
                out.append((n, m.group(3), m.group(4), m.group(5), raw.rstrip("\n")))
    return out


def session_by_port(lines, port):
    """Lines of the postscreen and smtpd sessions of client port PORT."""
    tag = f"[127.0.0.1]:{port}"
    picked = set()
    for i, (n, prog, pid, msg, raw) in enumerate(lines):
        if tag not in msg or not re.search(re.escape(tag) + r"(?!\d)", msg):
            continue
        picked.add(i)
        if prog.endswith("smtpd") and "connect from" in msg and not msg.startswith("disconnect"):
            for j in range(i + 1, len(lines)):
                _, p2, pid2, m2, _ = lines[j]
                if p2 == prog and pid2 == pid:
                    picked.add(j)
                    if m2.startswith("disconnect from") or m2.startswith("connect from"):
                        break
    qids = set()
    for i in picked:
        m = QID.match(lines[i][3])
        if m and m.group(1) != "NOQUEUE":
            qids.add(m.group(1))
    for i, l in enumerate(lines):
        m = QID.match(l[3])
        if m and m.group(1) in qids:
            picked.add(i)
    return sorted(picked)


def by_recipient(lines, rcpt, inbound):
    picked = set()
    for i, (n, prog, pid, msg, raw) in enumerate(lines):
        if f"to=<{rcpt}>" not in msg:
            continue
        picked.add(i)
        m = QID.match(msg)
        if inbound and m and m.group(1) != "NOQUEUE":
            for j, l in enumerate(lines):
                c = re.match(re.escape(m.group(1)) + r": client=.*\]:(\d+)", l[3])
                if c:
                    picked.update(session_by_port(lines, c.group(1)))
        if not inbound:
            for j in range(max(0, i - 400), i):
                if lines[j][1] == prog and lines[j][2] == pid and (
                    lines[j][3].startswith("connect to") or re.match(r"[<>] ", lines[j][3])
                ):
                    picked.add(j)
    return sorted(picked)


def by_helo(lines, helo):
    ports = collections.OrderedDict()
    for n, prog, pid, msg, raw in lines:
        if f"helo=<{helo}>" in msg or msg.endswith(f"EHLO {helo}"):
            m = re.search(r"\[127\.0\.0\.1\]:(\d+)", msg)
            if m:
                ports[m.group(1)] = True
    picked = set()
    for p in ports:
        picked.update(session_by_port(lines, p))
    return sorted(picked)


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else "samples/postfix"
    logs = {}
    with open(os.path.join(d, "expected.tsv"), encoding="utf-8") as fh:
        header = fh.readline().rstrip("\n").split("\t")
        rows = [dict(zip(header, l.rstrip("\n").split("\t"))) for l in fh if l.strip()]
    for r in rows:
        f = r["file"]
        if f not in logs:
            logs[f] = load(os.path.join(d, f))
        lines = logs[f]
        if r["match"] == "port":
            idx = session_by_port(lines, r["value"])
        elif r["match"] == "recipient":
            idx = by_recipient(lines, r["value"], r["direction"] == "inbound")
        elif r["match"] == "helo":
            idx = by_helo(lines, r["value"])
        else:
            idx = []
        print(f"### {f} {r['match']}={r['value']} {r['direction']} {r['status']} "
              f"{r['phase']} {r['kind']}\n#   {r['note']}")
        shown = [lines[i] for i in idx if KEEP.match(lines[i][3])]
        hidden = len(idx) - len(shown)
        for n, prog, pid, msg, raw in shown:
            print(f"{n:5d}: {raw}")
        if not idx:
            print("      (no lines found)")
        if hidden:
            print(f"      (+{hidden} debug lines not shown)")
        print()


if __name__ == "__main__":
    main()
