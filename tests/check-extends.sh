#!/usr/bin/env bash
# Teaching the tool a line without copying a shipped file: a file that
# says "extends: postfix" in a directory of its own holds one new pattern
# (and the cause rule its refusal needs); --check-patterns checks it
# against the merged set while every shipped sample still passes, and the
# real Postfix line it knows (samples/postfix/teach.log), unrecognised
# before, is recognised after, with its verdict. An extending file that
# breaks the rules is refused with FILE:LINE:COL.
#
#   check-extends.sh BINARY SOURCEROOT
# ok() always succeeds, so "test && ok || bad" is an if-then-else here.
# shellcheck disable=SC2015,SC2016
set -u
bin=$1
root=$2
log=$root/samples/postfix/teach.log
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); printf 'FAIL: %s\n' "$*"; }

extension() {
	cat <<'YAML'
extends: postfix
description: smtpd refusing a RCPT TO address it cannot parse
patterns:
  - name: local-illegal-recipient
    for: [smtpd]
    event: fail
    set: {command: RCPT, reply: '501', enhanced: 5.1.3, text: Bad recipient address syntax}
    regex: '^Illegal address syntax from (?<client_name>[^\s\[\]]+)\[(?<client_ip>[^\]]+)\](?::(?<client_port>\d+))? in RCPT command: (?<arg>.*)$'
    samples:
      - line: 'Dec 01 05:32:25 mx postfix/smtpd[11783]: warning: Illegal address syntax from localhost[127.0.0.1]:20601 in RCPT command: <bob smith@smtplog.test>'
        expect: {client_name: localhost, client_ip: 127.0.0.1, client_port: '20601', arg: '<bob smith@smtplog.test>', command: RCPT, reply: '501', enhanced: 5.1.3, text: Bad recipient address syntax}
causes:
  - cause: recipient-syntax
    phase: [rcpt]
    regex: '\b5\.1\.3\b|bad recipient address syntax'
    samples:
      - {text: '501 5.1.3 Bad recipient address syntax', phase: rcpt}
YAML
}
mkdir "$tmp/local"
extension >"$tmp/local/recipient-syntax.yaml"

# The shipped files alone: how many samples, and the line is unknown.
"$bin" --check-patterns >"$tmp/shipped" 2>&1 && ok || bad "shipped --check-patterns: $(cat "$tmp/shipped")"
nshipped=$(sed -n 's/^\([0-9]*\) samples in .*/\1/p' "$tmp/shipped")
"$bin" --format json --unparsed "$tmp/before.txt" "$log" >"$tmp/before.json" 2>&1
grep -q 'Illegal address syntax' "$tmp/before.txt" && [ "$(wc -l <"$tmp/before.txt")" -eq 1 ] &&
	ok || bad "before: the line was not the one unrecognised line: $(cat "$tmp/before.txt")"

# Checked against the merged set: the new samples and every shipped one.
"$bin" --patterns "$tmp/local" --check-patterns >"$tmp/check" 2>&1
rc=$?
[ "$rc" -eq 0 ] && ok || bad "--check-patterns with the extension: exit $rc: $(cat "$tmp/check")"
grep -qx "$tmp/local/recipient-syntax.yaml: extends postfix (1 pattern, 1 cause rule)" "$tmp/check" &&
	ok || bad "--check-patterns does not say what the file extended: $(cat "$tmp/check")"
want=$((nshipped + 2))
grep -qx "$want samples in [0-9]* pattern sets: $want passed, 0 failed" "$tmp/check" &&
	ok || bad "want $want samples ($nshipped shipped + 2) all passed: $(cat "$tmp/check")"
cat "$tmp/check"

# After: recognised, with its verdict.
"$bin" --patterns "$tmp/local" --format json --unparsed "$tmp/after.txt" "$log" >"$tmp/after.json" 2>&1
[ ! -s "$tmp/after.txt" ] && ok || bad "after: still unrecognised: $(cat "$tmp/after.txt")"
if command -v jq >/dev/null; then
	got=$(jq -r '[.status, .phase, .kind, .reply, .enhanced, .cause] | join(" ")' "$tmp/after.json")
	[ "$got" = "failed rcpt rejected 501 5.1.3 recipient-syntax" ] && ok ||
		bad "after: verdict '$got', want 'failed rcpt rejected 501 5.1.3 recipient-syntax'"
	echo "verdict after: $got"
fi
# the cause exists only with the extension
"$bin" --cause recipient-syntax "$log" >/dev/null 2>"$tmp/err"
[ $? -eq 64 ] && grep -q "unknown cause 'recipient-syntax'" "$tmp/err" && ok ||
	bad "--cause recipient-syntax without the extension: $(cat "$tmp/err")"
[ "$("$bin" --patterns "$tmp/local" --cause recipient-syntax --sessions "$log" | wc -l)" -eq 1 ] &&
	ok || bad "--cause recipient-syntax with the extension found no session"

# The shipped set is still whole: the Postfix sample reads the same.
strip='del(.file, .lines, .more_lines)'
if command -v jq >/dev/null; then
	"$bin" --format json "$root/samples/postfix/mail.log" | jq -c "$strip" >"$tmp/a"
	"$bin" --patterns "$tmp/local" --format json "$root/samples/postfix/mail.log" | jq -c "$strip" >"$tmp/b"
	cmp -s "$tmp/a" "$tmp/b" && ok || bad "the extension changed the verdicts of samples/postfix/mail.log"
fi

# Two directories: a later file may extend what an earlier one extended,
# and a file naming a shipped mta still replaces it, and says so.
mkdir "$tmp/repl"
sed -n '/^mta: /,$p' "$root/patterns/exim.yaml" >"$tmp/repl/exim.yaml"
"$bin" --patterns "$tmp/local" --patterns "$tmp/repl" --check-patterns >"$tmp/check2" 2>&1 &&
	grep -qx "$tmp/repl/exim.yaml: replaces $root/patterns/exim.yaml" "$tmp/check2" &&
	ok || bad "a replacing file is not named: $(cat "$tmp/check2")"

# refused: CASE WANT SED: break the extension, want FILE:LINE:COL: error
refused() {
	local name=$1 want=$2 expr=$3 dir=$tmp/$1
	mkdir -p "$dir"
	extension | sed -e "$expr" >"$dir/x.yaml"
	out=$("$bin" --patterns "$dir" --check-patterns 2>&1)
	rc=$?
	if [ "$rc" -ne 2 ]; then
		bad "$name: exit status $rc, want 2: $out"
	elif ! grep -qE "$dir/x\.yaml:[0-9]+:[0-9]+: error: .*$want" <<<"$out"; then
		bad "$name: no 'FILE:LINE:COL: error: ...$want' in: $out"
	else
		ok
	fi
}
refused unknown-set "extends 'postfx'.*did you mean 'postfix'" 's/^extends: postfix/extends: postfx/'
refused set-key "'session'.*not in an extending file" 's/^description:.*/session: [host, pid]/'
refused unknown-cause "unknown cause 'recipient-syntx'.*did you mean 'recipient-syntax'" \
	's/text: Bad recipient address syntax}$/text: Bad recipient address syntax, cause: recipient-syntx}/'
refused unknown-phase "unknown phase 'mial'" 's/set: {command: RCPT,/set: {phase: mial, command: RCPT,/'
refused unknown-kind "unknown kind 'rejectd'" 's/set: {command: RCPT,/set: {kind: rejectd, command: RCPT,/'
refused unknown-field "unknown field 'adress'" 's/(?<arg>\.\*)/(?<adress>.*)/'
refused unknown-event "unknown event 'fial'" 's/event: fail/event: fial/'
refused duplicate-name "'smtpd-connect'.*already" 's/name: local-illegal-recipient/name: smtpd-connect/'
# a new pattern that takes a shipped sample's line fails that sample
mkdir "$tmp/shadow"
extension | sed -e "s/'^Illegal address syntax from/'^(?:connect|Illegal address syntax) from/" \
	-e "s/ in RCPT command: (?<arg>\.\*)\\\$'/(?: in RCPT command: (?<arg>.*))?\$'/" >"$tmp/shadow/x.yaml"
out=$("$bin" --patterns "$tmp/shadow" --check-patterns 2>&1)
[ $? -eq 2 ] && grep -q "patterns/postfix.yaml:[0-9]*:[0-9]*: error: .*'smtpd-connect'.*local-illegal-recipient" <<<"$out" &&
	ok || bad "a pattern taking a shipped sample's line is not caught: $(head -5 <<<"$out")"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
