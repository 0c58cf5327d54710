#!/usr/bin/env bash
# README.md's examples are what the tool does: every fenced block of it is
# run here, and a block that shows output must match what the tool prints.
# A README that drifts from the program (60 sessions shown, 59 printed)
# fails this test instead of misleading the reader.
#
#   check-readme.sh BINARY SOURCEROOT
#
# The blocks run in order, in one fresh directory that holds samples/ and
# patterns/ (this tree's) and mail.log (a copy of samples/postfix/mail.log),
# with the built smtplog-analyze first on PATH, so a walk-through (write a
# file, check it, use it) runs as a reader would follow it.
#
#   ```            a block whose first line starts with "$ ": commands
#   $ CMD          (after "$ "), each followed by what it prints, standard
#   output         output and error together. An output line "..." stands
#   ```            for any number of lines; all else must be equal.
#   ```sh          commands, one a line: each must exit 0 (print anything)
#   ```json        output of the command an "output" comment names: the
#                  JSON the command prints must have every key and value of
#                  the block; a string with "..." matches any text in its
#                  place
#
# HTML comments on the lines right above a block say more:
#
#   <!-- example: file PATH -->          the block is a file: write it
#   <!-- example: output CMD -->         (json) the block is CMD's output
#   <!-- example: varies WORD... -->     each WORD of the output block may
#                                        be any other word (a year, a time)
#   <!-- example: interrupt SECONDS -->  the commands run that long, then
#                                        get SIGINT (--follow)
#   <!-- example: not run: REASON -->    never run (it builds this tree)
#
# Any other block fails the test: none is left unchecked by accident.
# ok() always succeeds, so "test && ok || bad" is an if-then-else here.
# shellcheck disable=SC2015
set -u
bin=$1
root=$2
readme=$root/README.md
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/bin" "$tmp/run"
ln -s "$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")" "$tmp/bin/smtplog-analyze"
ln -s "$root/samples" "$tmp/run/samples"
ln -s "$root/patterns" "$tmp/run/patterns"
cp -p "$root/samples/postfix/mail.log" "$tmp/run/mail.log"
export PATH="$tmp/bin:$PATH"
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); printf 'FAIL: README.md:%s\n' "$*"; }

# match WANT GOT VARIES: exit 0 when GOT fits WANT (see above).
match() {
	awk -v varies="$3" '
	function esc(s,   out, c, i) {
		out = ""
		for (i = 1; i <= length(s); i++) {
			c = substr(s, i, 1)
			out = out (c ~ /[][\\^$.|?*+(){}\/]/ ? "\\" c : c)
		}
		return out
	}
	# a literal line as a regex; each varying word becomes [^ ]+
	function rx(s,   out, nw, w, k, e, p) {
		out = esc(s)
		nw = split(varies, w, " ")
		for (k = 1; k <= nw; k++) {
			e = esc(w[k])
			while ((p = index(out, e)) > 0)
				out = substr(out, 1, p - 1) "[^ ]+" \
				    substr(out, p + length(e))
		}
		return "^" out "$"
	}
	function fits(i, j,   k) {
		if (i > nwant)
			return j > ngot
		if (want[i] == "...") {
			for (k = j; k <= ngot + 1; k++)
				if (fits(i + 1, k))
					return 1
			return 0
		}
		return j <= ngot && got[j] ~ pat[i] && fits(i + 1, j + 1)
	}
	FNR == NR { want[++nwant] = $0; pat[nwant] = rx($0); next }
	{ got[++ngot] = $0 }
	END { exit fits(1, 1) ? 0 : 1 }' "$1" "$2"
}

# JSON: every key of WANT is in GOT with the same value ("a...b" fits any
# string that starts with a and ends with b).
json_fits() { # WANT GOT
	jq -n -e --slurpfile w "$1" --slurpfile g "$2" '
	def fits($w; $g):
		if ($w | type) == "object" then
			($g | type) == "object" and
			all($w | keys[]; . as $k | ($g | has($k)) and fits($w[$k]; $g[$k]))
		elif ($w | type) == "array" then
			($g | type) == "array" and ($w | length) == ($g | length) and
			all(range($w | length); fits($w[.]; $g[.]))
		elif ($w | type) == "string" and ($w | contains("...")) then
			($g | type) == "string" and
			($w | split("...")) as $p |
			($g | startswith($p[0])) and ($g | endswith($p[-1]))
		else $w == $g end;
	($w | length) == 1 and ($g | length) == 1 and fits($w[0]; $g[0])'
}

# Run one transcript block: "$ CMD" lines and their outputs.
transcript() { # FIRSTLINE BLOCKFILE VARIES INTERRUPT
	local line=$1 file=$2 varies=$3 intr=$4 n=0 cmd="" cline=0 l
	: >"$tmp/want"
	run_one() {
		[ -n "$cmd" ] || return 0
		(cd "$tmp/run" && if [ -n "$intr" ]; then
			timeout --preserve-status -s INT "$intr" bash -c "$cmd"
		else
			bash -c "$cmd"
		fi) >"$tmp/got" 2>&1
		if match "$tmp/want" "$tmp/got" "$varies"; then
			ok
		else
			bad "$cline: '$cmd' prints otherwise:"
			diff -u "$tmp/want" "$tmp/got" | sed -n '3,40p'
		fi
		: >"$tmp/want"
	}
	while IFS= read -r l; do
		n=$((n + 1))
		if [[ $l == '$ '* ]]; then
			run_one
			cmd=${l#\$ }
			cline=$((line + n))
		else
			printf '%s\n' "$l" >>"$tmp/want"
		fi
	done <"$file"
	run_one
}

# Split README.md into blocks: BLOCK-LINE LANG DIRECTIVES, then the text.
nblocks=0
lineno=0
in=0
directives=""
while IFS= read -r l; do
	lineno=$((lineno + 1))
	if [ "$in" -eq 0 ]; then
		case $l in
		'<!-- example: '*' -->')
			d=${l#'<!-- example: '}
			directives="$directives${d%' -->'}"$'\n'
			continue
			;;
		'```'*)
			in=1
			lang=${l#'```'}
			start=$lineno
			: >"$tmp/block"
			continue
			;;
		esac
		directives=""
		continue
	fi
	if [ "$l" != '```' ]; then
		printf '%s\n' "$l" >>"$tmp/block"
		continue
	fi
	in=0
	nblocks=$((nblocks + 1))
	varies="" intr="" file="" output="" notrun=""
	while IFS= read -r d; do
		case $d in
		'varies '*) varies="$varies ${d#varies }" ;;
		'interrupt '*) intr=${d#interrupt } ;;
		'file '*) file=${d#file } ;;
		'output '*) output=${d#output } ;;
		'not run: '*) notrun=${d#not run: } ;;
		'') ;;
		*) bad "$start: unknown example comment '$d'" ;;
		esac
	done <<<"$directives"
	directives=""
	first=$(head -1 "$tmp/block")
	if [ -n "$notrun" ]; then
		echo "README.md:$start: not run: $notrun"
	elif [ -n "$file" ]; then
		mkdir -p "$tmp/run/$(dirname "$file")"
		cp "$tmp/block" "$tmp/run/$file"
		ok
	elif [[ $first == '$ '* ]]; then
		transcript "$start" "$tmp/block" "$varies" "$intr"
	elif [ "$lang" = sh ]; then
		n=0
		while IFS= read -r cmd; do
			n=$((n + 1))
			case $cmd in '' | '#'*) continue ;; esac
			if (cd "$tmp/run" && if [ -n "$intr" ]; then
				timeout --preserve-status -s INT "$intr" bash -c "$cmd"
			else
				bash -c "$cmd"
			fi) >"$tmp/got" 2>&1; then
				ok
			else
				bad "$((start + n)): '$cmd' failed: $(head -5 "$tmp/got")"
			fi
		done <"$tmp/block"
	elif [ "$lang" = json ] && [ -n "$output" ]; then
		if ! command -v jq >/dev/null; then
			echo "README.md:$start: no jq: JSON example not compared"
			continue
		fi
		(cd "$tmp/run" && bash -c "$output") >"$tmp/got" 2>&1
		if json_fits "$tmp/block" "$tmp/got" >/dev/null 2>&1; then
			ok
		else
			bad "$start: the JSON example is not what '$output' prints:"
			head -c 2000 "$tmp/got"
		fi
	else
		bad "$start: a \`\`\`$lang block that is not an example (see tests/check-readme.sh)"
	fi
done <"$readme"
[ "$in" -eq 0 ] || bad "$start: block not closed"

echo "$nblocks blocks; $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
