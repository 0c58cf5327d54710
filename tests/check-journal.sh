#!/usr/bin/env bash
# The systemd journal as input, on a real journal file: samples/postfix/
# mail.log is turned into journal entries (tests/journal-export.sh writes
# them in the export format, every fifth MESSAGE in its binary form) and
# Debian's systemd-journal-remote builds a journal file of them. Then:
#
#   --journal-file gives the JSON sessions of the text log, but for file
#     and lines, which name the entries' sequence and numbers (checked
#     with journalctl --cursor)
#   --since/--until select the same sessions from both
#   --cursor-file: a run over the first half, the second half appended to
#     the journal, a run from the cursor: every entry read exactly once
#   --follow on the journal file sees the second half as it is appended,
#     and reports the rest at SIGINT
#   journalctl -o export and -o json on standard input, and the export
#     file itself (binary fields), give the same sessions
#   --journal on this machine: reads the local journal, or, when it is
#     empty or absent or has no mail server's entries, says so and exits
#     2; never hangs. --journal-dir and --journal-file on what is no
#     journal exit 2.
#
#   check-journal.sh BINARY SRCDIR
#
# Skips (77) when systemd-journal-remote, journalctl or jq is missing.
# jq programs are single-quoted on purpose.
# shellcheck disable=SC2016
set -u
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
src=$2
remote=
for p in /lib/systemd/systemd-journal-remote \
    /usr/lib/systemd/systemd-journal-remote; do
	[ -x "$p" ] && remote=$p && break
done
if [ -z "$remote" ] || ! command -v journalctl >/dev/null ||
    ! command -v jq >/dev/null; then
	echo "SKIP: systemd-journal-remote, journalctl or jq missing" \
	    "(bootstrap.sh installs them)"
	exit 77
fi
tmp=$(mktemp -d)
follow_pid=
trap '[ -n "$follow_pid" ] && kill "$follow_pid" 2>/dev/null; rm -rf "$tmp"' EXIT
log=$src/samples/postfix/mail.log
export TZ=UTC
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# Sessions without the keys that name where their lines are.
strip() {
	jq -c 'del(.file, .lines, .more_lines) |
	    .sequence |= map(del(.file, .line))' "$@"
}

build_journal() { # JOURNAL TEXT-LOG
	bash "$src/tests/journal-export.sh" 2026 5 <"$2" >"$tmp/in.export" &&
	    "$remote" --output="$1" "$tmp/in.export" 2>"$tmp/remote.err"
}

if ! build_journal "$tmp/mail.journal" "$log"; then
	bad "could not build a journal file"
	cat "$tmp/remote.err"
	exit 1
fi
n=$(journalctl --file="$tmp/mail.journal" -q -o cat | wc -l)
want=$(wc -l <"$log")
[ "$n" -eq "$want" ] && ok || bad "journal file has $n entries, want $want"

# --- the same sessions as the text log ---
"$bin" --tz UTC --year 2026 -f json "$log" >"$tmp/text.json"
"$bin" --tz UTC -f json --journal-file "$tmp/mail.journal" \
    >"$tmp/journal.json" 2>"$tmp/err"
st=$?
[ "$st" -eq 0 ] && ok || { bad "--journal-file exited $st"; cat "$tmp/err"; }
strip "$tmp/text.json" >"$tmp/a"
strip "$tmp/journal.json" >"$tmp/b"
if [ -s "$tmp/a" ] && diff -u "$tmp/a" "$tmp/b" >"$tmp/diff"; then
	ok
	echo "--journal-file: $(wc -l <"$tmp/b") sessions, the same as" \
	    "the text log's $(wc -l <"$tmp/a")"
else
	bad "--journal-file sessions differ from the text log's (- text, + journal)"
	head -n 40 "$tmp/diff"
fi

# the text summary too, but for its first line (which names the input)
"$bin" --tz UTC --year 2026 "$log" | tail -n +2 >"$tmp/a"
"$bin" --tz UTC --journal-file "$tmp/mail.journal" >"$tmp/b.full"
tail -n +2 "$tmp/b.full" >"$tmp/b"
if [ -s "$tmp/a" ] && diff -u "$tmp/a" "$tmp/b" >"$tmp/diff" &&
    head -n 1 "$tmp/b.full" | grep -q "journal $tmp/mail.journal"; then
	ok
else
	bad "--journal-file summary differs from the text log's"
	head -n 1 "$tmp/b.full"
	head -n 20 "$tmp/diff"
fi

# file and lines name journal entries: the first line of each session
# is the entry s=FILE;i=HEX, whose message ends the text log's line
seqid=$(jq -r '.file' "$tmp/journal.json" | sort -u)
if [[ $seqid =~ ^s=[0-9a-f]{32}$ ]]; then
	ok
else
	bad "file of journal sessions is '$seqid', want one s=<seqnum id>"
fi
k=0
while read -r tline jline; do
	k=$((k + 1))
	[ $((k % 7)) -eq 1 ] || continue	# every 7th session
	msg=$(journalctl --file="$tmp/mail.journal" -q -o cat -n 1 \
	    --cursor="$seqid;i=$(printf %x "$jline")" 2>/dev/null | head -n 1)
	text=$(sed -n "${tline}p" "$log")
	if [ -n "$msg" ] && [ "${text%"$msg"}" != "$text" ]; then
		ok
	else
		bad "session $k: entry i=$jline is '$msg', text line $tline is '$text'"
	fi
done < <(paste <(jq -r '.lines[0]' "$tmp/text.json") \
    <(jq -r '.lines[0]' "$tmp/journal.json"))

# --- --since/--until ---
win=(--since 2026-11-23T09:17:30Z --until 2026-11-23T09:17:45Z)
"$bin" --tz UTC --year 2026 -f json "${win[@]}" "$log" | strip >"$tmp/a"
"$bin" --tz UTC -f json "${win[@]}" --journal-file "$tmp/mail.journal" |
    strip >"$tmp/b"
all=$(wc -l <"$tmp/text.json")
if [ -s "$tmp/a" ] && [ "$(wc -l <"$tmp/a")" -lt "$all" ] &&
    diff -u "$tmp/a" "$tmp/b" >"$tmp/diff"; then
	ok
	echo "--since/--until: $(wc -l <"$tmp/b") of $all sessions, the same"
else
	bad "--since/--until: sessions differ (- text, + journal)"
	head -n 20 "$tmp/diff"
fi

# --since is a seek: with a short --session-timeout (the margin read
# before the window), the entries before it are never read; the same
# from a directory of journal files (--journal-dir)
mkdir "$tmp/dir"
cp "$tmp/mail.journal" "$tmp/dir/"
"$bin" --tz UTC --stats -f json --since 2026-11-23T09:17:50Z \
    --session-timeout 2 --journal-dir "$tmp/dir" >/dev/null 2>"$tmp/err"
n=$(sed -n 's/.*stats: \([0-9]*\) lines.*/\1/p' "$tmp/err")
first=$(journalctl --file="$tmp/mail.journal" -q -o cat \
    --since '2026-11-23 09:17:48' | wc -l)
if [ "${n:-x}" = "$first" ]; then
	ok
	echo "--since seeks: $n of $want entries read (from 09:17:48)"
else
	bad "--since with --session-timeout 2 read ${n:-?} entries, want $first"
	cat "$tmp/err"
fi

# --- --cursor-file: every entry read once ---
half=$((want / 2))
head -n "$half" "$log" >"$tmp/first.log"
tail -n +"$((half + 1))" "$log" >"$tmp/second.log"
build_journal "$tmp/cur.journal" "$tmp/first.log" || bad "first half"
lines_read() { sed -n 's/.*stats: \([0-9]*\) lines.*/\1/p' "$1"; }
"$bin" --tz UTC --stats -f json --journal-file "$tmp/cur.journal" \
    --cursor-file "$tmp/cursor" >"$tmp/run1.json" 2>"$tmp/run1.err"
build_journal "$tmp/cur.journal" "$tmp/second.log" || bad "second half"
"$bin" --tz UTC --stats -f json --journal-file "$tmp/cur.journal" \
    --cursor-file "$tmp/cursor" >"$tmp/run2.json" 2>"$tmp/run2.err"
"$bin" --tz UTC --stats -f json --journal-file "$tmp/cur.journal" \
    --cursor-file "$tmp/cursor" >"$tmp/run3.json" 2>"$tmp/run3.err"
r1=$(lines_read "$tmp/run1.err")
r2=$(lines_read "$tmp/run2.err")
r3=$(lines_read "$tmp/run3.err")
# an entry may be in two sessions of one run (a message's line in the
# inbound and the outbound session), never in both runs
dups=$(comm -12 <(jq -r '.lines[]' "$tmp/run1.json" | sort -u) \
    <(jq -r '.lines[]' "$tmp/run2.json" | sort -u) | wc -l)
if [ "${r1:-x}" = "$half" ] && [ "${r2:-x}" = $((want - half)) ] &&
    [ "${r3:-x}" = 0 ] && [ "$dups" -eq 0 ]; then
	ok
	echo "--cursor-file: $r1 + $r2 + $r3 entries read in three runs," \
	    "$want in all, none twice"
else
	bad "--cursor-file: read ${r1:-?}, ${r2:-?}, ${r3:-?} entries" \
	    "(want $half, $((want - half)), 0), $dups lines in both runs"
	cat "$tmp/run1.err" "$tmp/run2.err" "$tmp/run3.err"
fi

# --- --follow: the second half appended while it waits ---
build_journal "$tmp/fol.journal" "$tmp/first.log" || bad "first half"
"$bin" --tz UTC -f json --follow --journal-file "$tmp/fol.journal" \
    --cursor-file "$tmp/fol.cursor" >"$tmp/follow.json" 2>"$tmp/follow.err" &
follow_pid=$!
sleep 1
build_journal "$tmp/fol.journal" "$tmp/second.log" || bad "second half"
# every entry is read once the cursor file (written after each batch)
# names the journal's last entry
last=$(journalctl --file="$tmp/fol.journal" -q -n 1 -o json |
    jq -r '.__CURSOR')
for i in $(seq 1 100); do
	[ "$(cat "$tmp/fol.cursor" 2>/dev/null)" = "$last" ] && break
	sleep 0.1
done
echo "--follow: the last entry read after $i polls;" \
    "$(wc -l <"$tmp/follow.json") sessions reported before SIGINT"
kill -INT "$follow_pid"
wait "$follow_pid"
st=$?
follow_pid=
strip "$tmp/text.json" | sort >"$tmp/a"
strip "$tmp/follow.json" | sort >"$tmp/b"
if [ "$st" -eq 0 ] && diff -u "$tmp/a" "$tmp/b" >"$tmp/diff"; then
	ok
else
	bad "--follow: exit $st, sessions differ (- text, + followed journal)"
	head -n 20 "$tmp/diff"
	cat "$tmp/follow.err"
fi

# --- --follow: an identifier first seen while following is read too ---
# (the first journal has no postfix/bounce entry at all; they all come
# with the second)
grep -v ' postfix/bounce\[' "$tmp/first.log" >"$tmp/nobounce.log"
{ grep ' postfix/bounce\[' "$tmp/first.log"; cat "$tmp/second.log"; } \
    >"$tmp/rest.log"
build_journal "$tmp/new.journal" "$tmp/nobounce.log" || bad "no bounce"
"$bin" --tz UTC --stats -f json --follow --journal-file "$tmp/new.journal" \
    --cursor-file "$tmp/new.cursor" >/dev/null 2>"$tmp/new.err" &
follow_pid=$!
sleep 1
build_journal "$tmp/new.journal" "$tmp/rest.log" || bad "the rest"
last=$(journalctl --file="$tmp/new.journal" -q -n 1 -o json |
    jq -r '.__CURSOR')
for i in $(seq 1 100); do
	[ "$(cat "$tmp/new.cursor" 2>/dev/null)" = "$last" ] && break
	sleep 0.1
done
kill -INT "$follow_pid"
wait "$follow_pid"
follow_pid=
n=$(lines_read "$tmp/new.err")
nb=$(grep -c ' postfix/bounce\[' "$log")
if [ "${n:-x}" = "$want" ]; then
	ok
	echo "--follow: postfix/bounce first seen while following:" \
	    "$n of $want entries read ($nb of postfix/bounce)"
else
	bad "--follow with a new identifier: ${n:-?} entries read, want $want"
	cat "$tmp/new.err"
fi

# --- journalctl's output and the export file on standard input ---
for how in "journalctl -o export" "journalctl -o json" "export file"; do
	case $how in
	"journalctl -o export")
		journalctl --file="$tmp/mail.journal" -o export ;;
	"journalctl -o json")
		journalctl --file="$tmp/mail.journal" -o json ;;
	"export file")
		bash "$src/tests/journal-export.sh" 2026 5 <"$log" ;;
	esac | "$bin" --tz UTC -f json - 2>"$tmp/err" | strip >"$tmp/b"
	strip "$tmp/text.json" >"$tmp/a"
	if diff -u "$tmp/a" "$tmp/b" >"$tmp/diff" && ! [ -s "$tmp/err" ]; then
		ok
	else
		bad "$how on standard input: sessions differ (- text, + it)"
		head -n 20 "$tmp/diff"
		cat "$tmp/err"
	fi
done

# --- this machine's journal: read, or a clear "nothing", never a hang ---
timeout 60 "$bin" --journal >"$tmp/out" 2>"$tmp/err"
st=$?
if journalctl -F SYSLOG_IDENTIFIER 2>/dev/null | grep -q '^postfix'; then
	# a journal with Postfix's entries (a mail host): it is read
	[ "$st" -eq 0 ] || [ "$st" -eq 1 ] && ok ||
	    bad "--journal on a journal with mail entries exited $st"
elif [ "$st" -eq 2 ] && grep -q 'journal' "$tmp/err" &&
    ! [ -s "$tmp/out" ]; then
	ok
	echo "--journal here: exit 2: $(cat "$tmp/err")"
else
	bad "--journal on an empty or mail-less journal: exit $st (want 2)"
	cat "$tmp/err"
fi
timeout 60 "$bin" --journal --follow >/dev/null 2>"$tmp/err2"
st2=$?
[ "$st2" = "$st" ] || [ "$st" -ne 2 ] && ok ||
    bad "--journal --follow: exit $st2 (want $st, no wait)"

mkdir "$tmp/empty"
for args in "--journal-dir $tmp/empty" "--journal-dir $tmp/none" \
    "--journal-file $log" "--journal-file $tmp/none.journal"; do
	# shellcheck disable=SC2086
	timeout 60 "$bin" $args >/dev/null 2>"$tmp/err"
	st=$?
	[ "$st" -eq 2 ] && [ -s "$tmp/err" ] && ok ||
	    bad "$args: exit $st (want 2 and a message)"
done
# a journal option and a FILE: which? a usage error
"$bin" --journal-file "$tmp/mail.journal" "$log" >/dev/null 2>&1
st=$?
[ "$st" -eq 64 ] && ok || bad "--journal-file with a FILE: exit $st (want 64)"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
