#!/usr/bin/env bash
# What the tool knows about servers comes from the pattern files, not the
# C: a file in --patterns that says otherwise changes the verdicts. Each
# section runs a shipped sample with the shipped files, then with one
# more file that declares the knowledge differently, and wants the
# difference (and --check-patterns to accept the file).
#
#   check-knowledge.sh BINARY SOURCEROOT
# ok() always succeeds, so "test && ok || bad" is an if-then-else here.
# shellcheck disable=SC2015,SC2016
set -u
bin=$1
root=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); printf 'FAIL: %s\n' "$*"; }
command -v jq >/dev/null || { echo "jq is missing: skipped"; exit 77; }

# verdicts DIR|- LOG JQ: the jq filter's lines over the JSON of LOG, run
# with the extra pattern directory DIR (- for none), sorted and counted
verdicts() {
	local dir=$1 log=$2 filter=$3
	if [ "$dir" = - ]; then
		"$bin" --year 2026 --format json "$log"
	else
		"$bin" --patterns "$dir" --year 2026 --format json "$log"
	fi | jq -r "$filter" | sort | uniq -c | sed 's/^ *//'
}

# loads DIR: --check-patterns accepts the shipped files with DIR's
loads() {
	local out
	out=$("$bin" --patterns "$1" --check-patterns 2>&1) && ok ||
		bad "--check-patterns refuses $1: $out"
}

# --- causes.yaml: a rule's kind, and the defaults ------------------------
log=$root/samples/postfix/mail.log
mkdir "$tmp/causes"
# pipelining refused by a 503 is a protocol failure because the shipped
# rule says kind: protocol; a rule put before it that says rejected makes
# it a refusal again
cat >"$tmp/causes/kind.yaml" <<'YAML'
extends: postfix
causes:
  - cause: pipelining
    kind: rejected
    regex: 'improper use of SMTP command pipelining'
    samples:
      - '503 5.5.0 <DATA>: Data command rejected: Improper use of SMTP command pipelining'
YAML
# a drop no rule names is "lost-connection" by the shipped defaults
cat >"$tmp/causes/defaults.yaml" <<'YAML'
defaults:
  dropped: client-went-away
YAML
loads "$tmp/causes"
f='select(.cause == "pipelining") | .kind'
got=$(verdicts - "$log" "$f" | tr '\n' ' ')
[ "$got" = "2 protocol " ] && ok || bad "shipped: pipelining kinds '$got', want '2 protocol '"
got=$(verdicts "$tmp/causes" "$log" "$f" | tr '\n' ' ')
[ "$got" = "1 protocol 1 rejected " ] && ok ||
	bad "kind: rejected: pipelining kinds '$got', want '1 protocol 1 rejected '"
f='select(.kind == "dropped") | .cause'
got=$(verdicts - "$log" "$f" | tr '\n' ' ')
[ "$got" = "1 connection-refused 5 lost-connection " ] && ok ||
	bad "shipped: causes of drops '$got'"
got=$(verdicts "$tmp/causes" "$log" "$f" | tr '\n' ' ')
[ "$got" = "4 client-went-away 1 connection-refused 1 lost-connection " ] && ok ||
	bad "defaults: causes of drops '$got', want the default's"
# the default's cause is one --cause may name
n=$("$bin" --patterns "$tmp/causes" --year 2026 --sessions --cause client-went-away "$log" | wc -l)
[ "$n" -eq 4 ] && ok || bad "--cause client-went-away: $n sessions, want 4"
# refused with FILE:LINE:COL
printf 'defaults:\n  droped: x\n' >"$tmp/bad-default.yaml"
mkdir "$tmp/bd" && mv "$tmp/bad-default.yaml" "$tmp/bd/x.yaml"
out=$("$bin" --patterns "$tmp/bd" --check-patterns 2>&1)
grep -qE "$tmp/bd/x.yaml:2:3: error: defaults: unknown kind 'droped'.*'dropped'" <<<"$out" &&
	ok || bad "an unknown kind in defaults: $out"
sed 's/kind: rejected/kind: rejectd/' "$tmp/causes/kind.yaml" >"$tmp/bd/x.yaml"
out=$("$bin" --patterns "$tmp/bd" --check-patterns 2>&1)
grep -qE "$tmp/bd/x.yaml:4:11: error: .*unknown kind 'rejectd'" <<<"$out" &&
	ok || bad "an unknown kind in a rule: $out"

# --- stages: a set's words for a stage ----------------------------------
log=$root/samples/exim/default/mainlog
# "SMTP error from remote mail server after initial connection" is a
# remote refusal before the greeting by exim.yaml's stages; a word put
# before it says otherwise
mkdir "$tmp/stages"
cat >"$tmp/stages/x.yaml" <<'YAML'
extends: exim
stages:
  initial connection: helo
YAML
out=$("$bin" --patterns "$tmp/stages" --check-patterns 2>&1) &&
	grep -qx "$tmp/stages/x.yaml: extends exim (1 stage word)" <<<"$out" &&
	ok || bad "--check-patterns with a stage word: $out"
f='select(.remote_phase != null) | .remote_phase'
got=$(verdicts - "$log" "$f" | grep -E 'helo|pre-greeting' | tr '\n' ' ')
[ "$got" = "1 helo 2 pre-greeting " ] && ok || bad "shipped: remote phases '$got'"
got=$(verdicts "$tmp/stages" "$log" "$f" | grep -E 'helo|pre-greeting' | tr '\n' ' ')
[ "$got" = "2 helo 1 pre-greeting " ] && ok ||
	bad "stages: initial connection: helo: remote phases '$got', want '2 helo 1 pre-greeting '"
# refused with FILE:LINE:COL: a phase no stage is, a word with '<'
printf 'extends: exim\nstages:\n  initial connection: post-queue\n' >"$tmp/bd/x.yaml"
out=$("$bin" --patterns "$tmp/bd" --check-patterns 2>&1)
grep -qE "$tmp/bd/x.yaml:3:23: error: stages: 'initial connection': unknown phase 'post-queue'" <<<"$out" &&
	ok || bad "a stage in post-queue: $out"
printf 'extends: exim\nstages:\n  RCPT TO:<: rcpt\n' >"$tmp/bd/x.yaml"
out=$("$bin" --patterns "$tmp/bd" --check-patterns 2>&1)
grep -qE "$tmp/bd/x.yaml:3:3: error: stages: a word .*'<'" <<<"$out" &&
	ok || bad "a stage word with '<': $out"

# --- stats: how a pattern's line writes the counters ----------------------
# A made-up server that ends a session with "ehlo=1,mail=0/1,quit=1": how
# its pattern declares the counters decides the verdict.
testset() {	# SEPARATOR UNKNOWN-KEY
	cat <<YAML
mta: testmta
session: [host, pid]
prefixes:
  - name: pfx
    regex: '^(?<ts>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ) (?<host>\S+) testd\[(?<pid>\d+)\]: '
    samples:
      - line: '2026-11-23T09:00:00Z mx testd[1]: hello from 192.0.2.1'
        expect: {ts: '2026-11-23T09:00:00Z', host: mx, pid: '1'}
patterns:
  - name: hello
    event: connect
    regex: '^hello from (?<client_ip>\S+)$'
    samples:
      - line: '2026-11-23T09:00:00Z mx testd[1]: hello from 192.0.2.1'
        expect: {client_ip: 192.0.2.1}
  - name: bye
    event: disconnect
    stats: {separator: '$1', items: counts$2}
    regex: '^bye from (?<client_ip>\S+) (?<stats>.*)$'
    samples:
      - line: '2026-11-23T09:00:01Z mx testd[1]: bye from 192.0.2.1 ehlo=1'
        expect: {client_ip: 192.0.2.1, stats: ehlo=1}
YAML
}
printf '%s\n' '2026-11-23T09:00:00Z mx testd[1]: hello from 192.0.2.1' \
	'2026-11-23T09:00:01Z mx testd[1]: bye from 192.0.2.1 ehlo=1,mail=0/1,quit=1' \
	'2026-11-23T09:00:02Z mx testd[2]: hello from 192.0.2.2' \
	'2026-11-23T09:00:03Z mx testd[2]: bye from 192.0.2.2 ehlo=1,unknown=0/1,quit=1' \
	>"$tmp/test.log"
f='[.client.ip, .status, (.phase // "-"), (.kind // "-")] | join(" ")'
for v in comma:,:, space:' ': unknown:,:', unknown: unknown'; do
	name=${v%%:*} rest=${v#*:}
	mkdir "$tmp/st-$name"
	testset "${rest%%:*}" "${rest#*:}" >"$tmp/st-$name/testmta.yaml"
	loads "$tmp/st-$name"
done
got=$(verdicts "$tmp/st-comma" "$tmp/test.log" "$f" | tr '\n' ' ')
[ "$got" = "1 192.0.2.1 failed mail rejected 1 192.0.2.2 ok - - " ] && ok ||
	bad "counts split at ',': '$got', want the MAIL refusal and no protocol error"
got=$(verdicts "$tmp/st-space" "$tmp/test.log" "$f" | tr '\n' ' ')
[ "$got" = "1 192.0.2.1 ok - - 1 192.0.2.2 ok - - " ] && ok ||
	bad "counts split at ' ': '$got', want no failure read"
got=$(verdicts "$tmp/st-unknown" "$tmp/test.log" "$f" | tr '\n' ' ')
[ "$got" = "1 192.0.2.1 failed mail rejected 1 192.0.2.2 failed helo protocol " ] && ok ||
	bad "counts with unknown: '$got', want the unknown command a protocol error"
# a command list: the commands sent, in order
sed -e "s/items: counts/items: commands/" "$tmp/st-comma/testmta.yaml" >"$tmp/st-unknown/testmta.yaml"
printf '%s\n' '2026-11-23T09:00:00Z mx testd[1]: hello from 192.0.2.1' \
	'2026-11-23T09:00:01Z mx testd[1]: bye from 192.0.2.1 EHLO,MAIL,RCPT' >"$tmp/list.log"
got=$("$bin" --patterns "$tmp/st-unknown" --year 2026 --format json "$tmp/list.log" | jq -r '.reached')
[ "$got" = rcpt ] && ok || bad "a command list: reached '$got', want rcpt"
# refused with FILE:LINE:COL
sed -e "s/    stats: .*//" "$tmp/st-comma/testmta.yaml" >"$tmp/bd/x.yaml"
out=$("$bin" --patterns "$tmp/bd" --check-patterns 2>&1)
grep -qE "$tmp/bd/x.yaml:[0-9]+:[0-9]+: error: pattern 'bye': captures 'stats' but has no 'stats:'" <<<"$out" &&
	ok || bad "a disconnect line's counters without 'stats:': $out"
sed -e "s/items: counts/items: tallies/" "$tmp/st-comma/testmta.yaml" >"$tmp/bd/x.yaml"
out=$("$bin" --patterns "$tmp/bd" --check-patterns 2>&1)
grep -qE "$tmp/bd/x.yaml:[0-9]+:[0-9]+: error: pattern 'bye': stats: items are 'counts'" <<<"$out" &&
	ok || bad "unknown stats items: $out"
sed -e "s/stats: {separator/stats: {field: helo, separator/" "$tmp/st-comma/testmta.yaml" >"$tmp/bd/x.yaml"
out=$("$bin" --patterns "$tmp/bd" --check-patterns 2>&1)
grep -qE "$tmp/bd/x.yaml:[0-9]+:[0-9]+: error: pattern 'bye': stats: the regex captures no 'helo'" <<<"$out" &&
	ok || bad "stats of a field not captured: $out"

# --- timestamp-format: the formats of a set's stamps ----------------------
# the made-up server again, writing its stamps day first
mkdir "$tmp/ts-iso" "$tmp/ts-dmy"
sed -e 's/(?<ts>[^)]*)/(?<ts>\\S+ \\S+)/' -e 's/2026-11-23T09:00:0\([01]\)Z/23.11.2026 09:00:0\1/' \
	"$tmp/st-comma/testmta.yaml" >"$tmp/ts-iso/testmta.yaml"
sed -e "s/^session:/timestamp-format: ['%d.%m.%Y %H:%M:%S']\nsession:/" \
	"$tmp/ts-iso/testmta.yaml" >"$tmp/ts-dmy/testmta.yaml"
sed 's/2026-11-23T09:00:0\([0-3]\)Z/23.11.2026 09:00:0\1/' "$tmp/test.log" >"$tmp/dmy.log"
loads "$tmp/ts-dmy"
# without the declaration the set's stamps are the defaults' (rfc3164,
# iso8601), and its samples' stamps are refused
out=$("$bin" --patterns "$tmp/ts-iso" --check-patterns 2>&1)
grep -qE "$tmp/ts-iso/testmta.yaml:[0-9]+:[0-9]+: error: prefix 'pfx': time stamp '23.11.2026 09:00:00' is in none of the set's timestamp-format" <<<"$out" &&
	ok || bad "a sample's stamp in no format of the set: $out"
got=$("$bin" --patterns "$tmp/ts-dmy" --format json "$tmp/dmy.log" | jq -r '.start' | tr '\n' ' ')
[ "$got" = "2026-11-23T09:00:00 2026-11-23T09:00:02 " ] && ok ||
	bad "timestamp-format '%d.%m.%Y %H:%M:%S': starts '$got'"
"$bin" --patterns "$tmp/ts-iso" --format json "$tmp/dmy.log" >"$tmp/out.json" 2>"$tmp/err"
grep -q "time stamp '23.11.2026 09:00:00' not understood" "$tmp/err" && ok ||
	bad "the same stamps without the format: $(cat "$tmp/err")"
# an extending file may add a format, tried before the set's
mkdir "$tmp/ts-ext"
printf 'extends: testmta\ntimestamp-format: "%%d.%%m.%%Y %%T"\n' >"$tmp/ts-ext/x.yaml"
got=$("$bin" --patterns "$tmp/ts-iso" --patterns "$tmp/ts-ext" --format json "$tmp/dmy.log" 2>&1 | jq -r '.start' | tr '\n' ' ')
[ "$got" = "2026-11-23T09:00:00 2026-11-23T09:00:02 " ] && ok ||
	bad "a format added by an extending file: starts '$got'"
# refused with FILE:LINE:COL
sed -e "s/%d.%m.%Y %H:%M:%S/%d.%m.%Y %H:%M:%Q/" "$tmp/ts-dmy/testmta.yaml" >"$tmp/bd/x.yaml"
out=$("$bin" --patterns "$tmp/bd" --check-patterns 2>&1)
grep -qE "$tmp/bd/x.yaml:2:19: error: timestamp-format: '%Q' is not a conversion" <<<"$out" &&
	ok || bad "a bad timestamp-format: $out"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
