#!/usr/bin/env bash
# Hostile log text comes out escaped in every report form. A client
# chooses its HELO name, its addresses and the bytes it sends before the
# greeting; Postfix logs them as they came. The log below (Postfix's line
# shapes, hostile values) carries <script>, <img onerror>, both quotes,
# an ampersand, an ANSI escape, BEL and a spreadsheet formula:
#
#   html  no tag of the log survives: no <script or <img, no raw control
#         byte; the text is there as &lt;script&gt;, &quot;, &#39;, &amp;
#   csv   no raw control byte; every row has as many fields as the header
#         (RFC 4180, checked by python3 when present); no field starts a
#         formula
#   text  (summary, -s, --id) no raw control byte
#
#   check-report-escape.sh BINARY
set -u
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); printf 'FAIL: %s\n' "$*"; }

esc=$'\x1b'
bel=$'\x07'
# (a value inside <...> cannot hold '>': Postfix's own field ends there)
helo="a\"b'&<img src=x onerror=alert(1)${esc}[31m"
rcpt="x\"y'z&<script@example.org"
{
	printf 'Nov 23 09:17:33 mx postfix/smtpd[100]: connect from evil<script>x[192.0.2.1]:2000\n'
	printf 'Nov 23 09:17:33 mx postfix/smtpd[100]: NOQUEUE: reject: RCPT from evil<script>x[192.0.2.1]:2000: 550 5.1.1 <%s>: Recipient address rejected: <script>alert(1)</script> =HYPERLINK("http://x")%s%s; from=<a"b'"'"'c@example.org> to=<%s> proto=ESMTP helo=<%s>\n' \
	    "$rcpt" "$esc[2J" "$bel" "$rcpt" "$helo"
	printf 'Nov 23 09:17:34 mx postfix/smtpd[100]: disconnect from evil<script>x[192.0.2.1]:2000 ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4\n'
} >"$tmp/hostile.log"

run() { # NAME ARGS...
	local name=$1
	shift
	"$bin" --year 2026 "$@" "$tmp/hostile.log" >"$tmp/$name" 2>"$tmp/$name.err"
	[ -s "$tmp/$name" ] && ok || bad "$name: no output ($(head -2 "$tmp/$name.err"))"
	if LC_ALL=C grep -q "[$esc$bel]" "$tmp/$name"; then
		bad "$name: a raw control byte in the output"
	else
		ok
	fi
}

run html --format html --worst 1
for tag in '<script' '<img' '<svg onload'; do
	grep -qiF -- "$tag" "$tmp/html" && bad "html: '$tag' survived" || ok
done
for want in '&lt;script&gt;alert(1)&lt;/script&gt;' \
    'a&quot;b&#39;&amp;&lt;img src=x onerror=alert(1)\x1b[31m' \
    'evil&lt;script&gt;x'; do
	grep -qF -- "$want" "$tmp/html" && ok || bad "html: '$want' missing"
done

run csv --format csv
if command -v python3 >/dev/null 2>&1; then
	python3 - "$tmp/csv" <<'EOF' && ok || bad "csv: not RFC 4180 or a formula"
import csv, sys
raw = open(sys.argv[1], 'rb').read()
assert raw.endswith(b'\r\n'), 'rows end in CRLF'
rows = list(csv.reader(open(sys.argv[1], newline='')))
assert len(rows) >= 2, rows
assert all(len(r) == len(rows[0]) for r in rows), [len(r) for r in rows]
for r in rows[1:]:
    for f in r:
        assert not f[:1] in ('=', '+', '@') and not (f[:1] == '-' and f[1:2] and not f[1].isdigit()), f
s = dict(zip(rows[0], rows[1]))
assert s['recipients.address'] == 'x"y\'z&<script@example.org', s
assert s['client.helo'] == 'a"b\'&<img src=x onerror=alert(1)\\x1b[31m', s
assert '=HYPERLINK' in s['text'] and '\\x07' in s['text'], s
EOF
fi

run summary
run sessions --sessions
run transcript --id 192.0.2.1
grep -qF '\x1b' "$tmp/transcript" && ok || bad "text: the ESC byte is not shown as \\x1b"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
