#!/usr/bin/env bash
# doc/smtplog-report-mail, the cron and systemd-timer recipe of
# doc/operations.md, builds the mail it promises: multipart/alternative,
# a text/plain part that is the text summary (headed by the threshold
# line when one was reached) and a text/html part that is --format html;
# the subject says when the threshold was reached; nothing is sent for an
# empty log. The mail goes to a file instead of sendmail.
#
#   check-report-mail.sh BINARY SOURCEROOT
#
# Needs python3 (its email module reads MIME); exit 77 without it.
set -u
bin=$1
root=$2
command -v python3 >/dev/null 2>&1 || { echo "no python3: skipped"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); printf 'FAIL: %s\n' "$*"; }
script=$root/doc/smtplog-report-mail
log=$root/samples/postfix/mail.log
export SMTPLOG_ANALYZE=$bin
export SENDMAIL="tee $tmp/mail"

REPORT_OPTS="--year 2026 --fail-threshold 10%" sh "$script" \
    postmaster@example.org "$log" >/dev/null
rc=$?
[ "$rc" -eq 1 ] && ok || bad "threshold reached: exit $rc, want 1"
"$bin" --year 2026 "$log" >"$tmp/text"
"$bin" --year 2026 --worst 5 --format html "$log" >"$tmp/html"
python3 - "$tmp/mail" "$tmp/text" "$tmp/html" <<'EOF' && ok || bad "the mail is not what it should be"
import email, sys
msg = email.message_from_binary_file(open(sys.argv[1], 'rb'))
assert msg['To'] == 'postmaster@example.org', msg['To']
assert msg['Subject'].endswith('failure threshold reached'), msg['Subject']
assert msg.get_content_type() == 'multipart/alternative', msg.get_content_type()
parts = msg.get_payload()
assert [p.get_content_type() for p in parts] == ['text/plain', 'text/html']
text = parts[0].get_payload(decode=True)
html = parts[1].get_payload(decode=True)
first, rest = text.split(b'\n', 1)
assert b'--fail-threshold 10% reached' in first, first
assert rest == open(sys.argv[2], 'rb').read(), 'text part'
assert html == open(sys.argv[3], 'rb').read(), 'html part'
assert all(len(l) <= 998 for l in open(sys.argv[1], 'rb').read().split(b'\n'))
EOF

rm -f "$tmp/mail"
: >"$tmp/empty.log"
REPORT_OPTS="--year 2026" sh "$script" postmaster@example.org \
    "$tmp/empty.log" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] && ok || bad "empty log: exit $rc"
[ ! -e "$tmp/mail" ] && ok || bad "empty log: a mail was sent"
[ ! -s "$tmp/out" ] && [ ! -s "$tmp/err" ] && ok ||
    bad "empty log: printed '$(cat "$tmp/out" "$tmp/err")'"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
