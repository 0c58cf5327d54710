#!/usr/bin/env bash
# The HTML report renders: headless Chromium (Debian's chromium) takes a
# screenshot of the report of samples/postfix/mail.log, which must not be
# blank, and dumps the page's DOM, which must hold every section heading.
# The page must also be self-contained: no script, no outside request
# (src=, href=, url(), @import, <link>), no web font.
#
#   check-html.sh BINARY SOURCEROOT [PNG]
#
# With PNG, the screenshot is also written there (doc/report.png is made
# this way). Exit 77 (skipped) when chromium is not installed.
set -u
bin=$1
root=$2
keep=${3:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); printf 'FAIL: %s\n' "$*"; }

headings=("Summary" "Messages" "Per hour" "Failures by phase"
    "Causes and reasons" "Top senders and recipients" "Relays"
    "Queue delay" "TLS and SASL" "Worst sessions" "Input")

"$bin" --year 2026 --format html --worst 3 "$root/samples/postfix/mail.log" \
    >"$tmp/report.html" || bad "the report failed: exit $?"

# self-contained: the only URL is SVG's namespace name, never fetched
for bad_re in '<script' '<link' '<img' '<iframe' '<object' 'src=' 'href=' \
    'url(' '@import' '@font-face'; do
	if grep -qiF -- "$bad_re" "$tmp/report.html"; then
		bad "the page holds '$bad_re'"
	else
		ok
	fi
done
if grep -oE 'https?://[^" ]*' "$tmp/report.html" | grep -qv '^http://www.w3.org/2000/svg$'; then
	bad "the page names an outside address"
else
	ok
fi
for hd in "${headings[@]}"; do
	grep -qF "<h2>$hd</h2>" "$tmp/report.html" && ok || bad "no heading '$hd' in the HTML"
done
grep -qF '<svg ' "$tmp/report.html" && ok || bad "no inline SVG chart"

chromium=$(command -v chromium || command -v chromium-browser)
if [ -z "$chromium" ]; then
	echo "chromium not installed: rendering skipped"
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ] || exit 1
	exit 77
fi

# As CI runs it: root, so no sandbox; nothing from the network; a fresh
# profile each time.
render() { # WHAT ARGS...
	local what=$1
	shift
	timeout 120 "$chromium" --headless --no-sandbox --disable-gpu \
	    --disable-background-networking --disable-component-update \
	    --disable-sync --no-first-run --disable-dev-shm-usage \
	    --user-data-dir="$tmp/profile-$what" "$@" 2>"$tmp/chromium-$what.err"
}

render shot --window-size=1000,2400 --screenshot="$tmp/report.png" \
    "file://$tmp/report.html" >/dev/null
if [ -s "$tmp/report.png" ] && [ "$(head -c 8 "$tmp/report.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; then
	ok
else
	bad "no PNG screenshot: $(tail -3 "$tmp/chromium-shot.err")"
fi

# not blank: a blank page of the same size compresses to a few KB, and
# (when python3 is here) most pixels of ours are not the background
printf '<!DOCTYPE html><html><body></body></html>\n' >"$tmp/blank.html"
render blank --window-size=1000,2400 --screenshot="$tmp/blank.png" \
    "file://$tmp/blank.html" >/dev/null
size=$(stat -c %s "$tmp/report.png" 2>/dev/null || echo 0)
blank=$(stat -c %s "$tmp/blank.png" 2>/dev/null || echo 0)
if [ "$blank" -gt 0 ] && [ "$size" -gt $((blank * 5)) ]; then
	ok
else
	bad "the screenshot looks blank: $size bytes, a blank page $blank"
fi
if command -v python3 >/dev/null 2>&1; then
	if python3 - "$tmp/report.png" <<'EOF'
import struct, sys, zlib
data = open(sys.argv[1], 'rb').read()
pos, idat, w, h, ct = 8, b'', 0, 0, 0
while pos < len(data):
    n, kind = struct.unpack('>I4s', data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b'IHDR':
        w, h, depth, ct = struct.unpack('>IIBB', body[:10])
    elif kind == b'IDAT':
        idat += body
    pos += 12 + n
bpp = {2: 3, 6: 4}[ct]
raw, stride = zlib.decompress(idat), w * bpp
prev, rows, i = bytearray(stride), [], 0
for _ in range(h):
    f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
    i += 1 + stride
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b, c = prev[x], prev[x - bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(line)
    prev = line
ink = colours = 0
seen = set()
for line in rows[::4]:
    for x in range(0, stride, bpp * 4):
        px = bytes(line[x:x + 3])
        seen.add(px)
        ink += px != b'\xff\xff\xff'
total = len(rows[::4]) * len(range(0, stride, bpp * 4))
print('non-white %.1f%%, %d colours' % (100.0 * ink / total, len(seen)))
sys.exit(0 if ink > total * 0.02 and len(seen) >= 8 else 1)
EOF
	then ok; else bad "the screenshot is (nearly) blank"; fi
fi

# the rendered page (after parsing, as the reader sees it) holds every
# section heading, and no script came to life
render dom --dump-dom "file://$tmp/report.html" >"$tmp/dom.html"
for hd in "${headings[@]}"; do
	grep -qF "<h2>$hd</h2>" "$tmp/dom.html" && ok || bad "the rendered page lacks '$hd'"
done
grep -qi '<script' "$tmp/dom.html" && bad "a script element in the rendered page" || ok

[ -n "$keep" ] && [ -s "$tmp/report.png" ] && cp "$tmp/report.png" "$keep"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
