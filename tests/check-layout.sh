#!/usr/bin/env bash
# The shape of src/ that doc/architecture.md promises, checked:
#
#   - the #include "..." graph of src/ has no cycle
#   - no src/*.c is over 900 lines
#   - no function is over 80 lines (tables are data, not functions)
#   - no server name (postfix, exim, kerio, exchange) in src/*.c outside
#     comments: server knowledge is in patterns/
#   - lifecycle names as util.h defines them: no x_clear() or x_destroy(),
#     and no struct buf (or struct holding one) made with {0} in src/ or
#     tests/, where s would be NULL (BUF_INIT, buf_init(), CSV_REC_INIT)
#
#   check-layout.sh SOURCEROOT
set -u
root=$1
src=$root/src
fail=0
bad() { fail=$((fail + 1)); printf 'FAIL: %s\n' "$*"; }

# Include graph of modules (x.c, x.h and the private x_int.h are module
# x): "x y" when a file of x includes y.h; tsort names a cycle. Stricter than a graph of
# headers: x.c including y.h and y.c including x.h is a cycle too.
edges=$(for f in "$src"/*.[ch]; do
	b=${f##*/}
	sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f" | while read -r h; do
		[ -f "$src/$h" ] || continue	# config.h is the build's
		m=${b%.*} n=${h%.h}
		m=${m%_int} n=${n%_int}
		[ "$m" = "$n" ] || printf '%s %s\n' "$m" "$n"
	done
done)
if ! out=$(printf '%s\n' "$edges" | tsort 2>&1 >/dev/null) ||
    [ -n "$out" ]; then
	bad "include cycle in src/: $(echo $out)"
fi

for f in "$src"/*.c; do
	n=$(wc -l <"$f")
	[ "$n" -le 900 ] || bad "${f#"$root"/}: $n lines, over 900"
done

# A function: a line "name(" at column 0 up to the next "}" at column 0.
awk -v max=80 '
FNR == 1 { fn = "" }
/^[A-Za-z_][A-Za-z0-9_]*\(/ && !/;$/ { fn = $0; sub(/\(.*/, "", fn); start = FNR; next }
fn != "" && /^}/ {
	if (FNR - start > max)
		printf "FAIL: %s: %s() is %d lines, over %d\n", FILENAME, fn, FNR - start, max
	fn = ""
}' "$src"/*.c | sed "s|$root/||" >"${TMPDIR:-/tmp}/layout.$$"
if [ -s "${TMPDIR:-/tmp}/layout.$$" ]; then
	cat "${TMPDIR:-/tmp}/layout.$$"
	fail=$((fail + $(wc -l <"${TMPDIR:-/tmp}/layout.$$")))
fi
rm -f "${TMPDIR:-/tmp}/layout.$$"

# Server names outside comments.
for f in "$src"/*.c; do
	# drop /* */ comments, keeping their line breaks
	hits=$(perl -0777 -pe 's{/\*.*?\*/}{ my $c = $&; $c =~ s/[^\n]//g; $c }gse' \
	    "$f" | grep -n -i -E 'postfix|exim|kerio|exchange')
	[ -z "$hits" ] || bad "${f#"$root"/}: server name in code: $hits"
done

# Lifecycle names and buffers made empty.
hits=$(grep -n -E '^[a-z_][a-z0-9_]*_(clear|destroy)\(' "$src"/*.c)
[ -z "$hits" ] || bad "_clear/_destroy: a _release or a _free (util.h): $hits"
hits=$(grep -n -E 'struct (buf|csv_rec) [a-z_][a-z0-9_]* = \{ *0 *\}' \
    "$src"/*.c "$root"/tests/*.c "$root"/tests/fuzz/*.c 2>/dev/null)
[ -z "$hits" ] || bad "a buffer made with {0} has s NULL: $hits"

[ "$fail" -eq 0 ] && echo "layout: ok" && exit 0
echo "layout: $fail problems"
exit 1
