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

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
