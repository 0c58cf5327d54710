#!/usr/bin/env bash
# Bad pattern files are refused with FILE:LINE:COLUMN, the pattern's name
# and the reason; a good file in --patterns DIR replaces the shipped set.
#
#   check-bad-patterns.sh BINARY SOURCEROOT
# jq and sed programs are single-quoted on purpose.
# shellcheck disable=SC2016
set -u
bin=$1
root=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); printf 'FAIL: %s\n' "$*"; }

# A valid pattern set that the cases below break one way each.
good() {
	cat <<'YAML'
mta: testmta
session: [host, pid]
message: queue
prefixes:
  - name: pfx
    regex: '^(?<ts>\w{3} [ \d]\d \d\d:\d\d:\d\d) (?<host>\S+) testd\[(?<pid>\d+)\]: '
    samples:
      - line: 'Nov 23 09:17:33 mx testd[1]: hello from 127.0.0.1'
        expect: {host: mx, pid: '1'}
patterns:
  - name: hello
    event: connect
    regex: '^hello from (?<client_ip>\S+)$'
    samples:
      - line: 'Nov 23 09:17:33 mx testd[1]: hello from 127.0.0.1'
        expect: {client_ip: 127.0.0.1}
YAML
}

# case NAME WANT-IN-MESSAGE SED-EXPRESSION: break the good file with sed,
# expect the load (or --check-patterns) to fail with FILE:LINE:COL and WANT.
case_() {
	local name=$1 want=$2 expr=$3 dir=$tmp/$1
	mkdir -p "$dir"
	good | sed -e "$expr" >"$dir/test.yaml"
	out=$("$bin" --patterns "$dir" --check-patterns 2>&1)
	rc=$?
	if [ $rc -ne 2 ]; then
		bad "$name: exit status $rc, want 2: $out"
		return
	fi
	if ! grep -qE "$dir/test\.yaml:[0-9]+:[0-9]+: error: .*$want" <<<"$out"; then
		bad "$name: no 'FILE:LINE:COL: error: ...$want' in: $out"
		return
	fi
	ok
}

case_ unknown-key "unknown key 'regx'" '0,/    regex: .\^hello/s//    regx: '"'"'^hello/'
case_ duplicate-key "duplicate key 'event'" 's/^    event: connect$/    event: connect\n    event: connect/'
case_ bad-regex "pattern 'hello': regex does not compile" 's/\^hello from (?<client_ip>\\S+)\$/^hello from (?<client_ip>\\S+$/'
case_ unknown-field "unknown field 'clientip'" 's/(?<client_ip>\\S+)\$/(?<clientip>\\S+)$/'
case_ no-samples "pattern 'hello': no samples" '/^  - name: hello$/,$ { /^    samples:$/,$d }'
case_ sample-unmatched "pattern 'hello': sample matches no pattern" '$ s/.*//; $ a\      - line: '"'"'Nov 23 09:17:33 mx testd[1]: goodbye'"'"''
case_ sample-other-field "pattern 'hello': client_ip: got '127.0.0.1', want '10.0.0.1'" 's/expect: {client_ip: 127.0.0.1}/expect: {client_ip: 10.0.0.1}/'
case_ sample-extra-field "yields client_ip '127.0.0.1', which expect does not list" 's/expect: {client_ip: 127.0.0.1}/expect: {}/'
case_ unknown-event "unknown event 'conect'" 's/event: connect/event: conect/'
case_ invalid-yaml "invalid YAML" 's/^patterns:$/patterns: [/'

# A good file in --patterns loads, and one naming an existing mta
# replaces it: a postfix set whose only pattern knows "connect from".
mkdir -p "$tmp/override"
good >"$tmp/override/test.yaml"
if out=$("$bin" --patterns "$tmp/override" --check-patterns 2>&1); then ok; else bad "good file refused: $out"; fi
cat >"$tmp/override/postfix.yaml" <<'YAML'
mta: postfix
session: [host, pid]
prefixes:
  - name: syslog
    regex: '^(?<ts>\w{3} [ \d]\d \d\d:\d\d:\d\d) (?<host>\S+) postfix/(?<daemon>\w+)\[(?<pid>\d+)\]: '
    samples:
      - line: 'Nov 23 09:17:33 mx postfix/smtpd[12202]: connect from localhost[127.0.0.1]:20104'
        expect: {host: mx, daemon: smtpd}
patterns:
  - name: only-connect
    event: connect
    regex: '^connect from (?<client_name>[^\[]+)\[(?<client_ip>[^\]]+)\]:(?<client_port>\d+)$'
    samples:
      - line: 'Nov 23 09:17:33 mx postfix/smtpd[12202]: connect from localhost[127.0.0.1]:20104'
        expect: {client_name: localhost, client_ip: 127.0.0.1, client_port: '20104'}
YAML
log=$root/samples/postfix/mail.log
out=$("$bin" --patterns "$tmp/override" --year 2026 "$log" 2>&1)
# only "connect from" lines are recognised now; the shipped set would know all
want=$(grep -c ' postfix/smtpd\[[0-9]*\]: connect from ' "$log")
if grep -q "lines: [0-9]* read, $want recognised" <<<"$out"; then ok; else bad "override not used: $(head -2 <<<"$out")"; fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
