#!/usr/bin/env bash
# What `meson install` puts on a postmaster's machine works there: the
# tool, its pattern files, both man pages (which render without a
# warning) and the bash completion, which bash loads and which completes
# options, fixed values and the names the pattern files define.
#
#   check-install.sh BUILDDIR SOURCEROOT
#
# Installs into a --destdir under a temporary directory, never into the
# system. Skips (77) without meson or bash-completion's helpers.
# ok() always succeeds, so "test && ok || bad" is an if-then-else here.
# shellcheck disable=SC2015,SC2016
set -u
build=$1
root=$2
command -v meson >/dev/null || { echo "no meson: skipped"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); printf 'FAIL: %s\n' "$*"; }

if ! meson install -C "$build" --destdir "$tmp/dest" --no-rebuild \
    >"$tmp/install.log" 2>&1; then
	cat "$tmp/install.log"
	echo "meson install failed"
	exit 1
fi
find_one() { find "$tmp/dest" -path "$1" | head -1; }
bin=$(find_one '*/bin/smtplog-analyze')
comp=$(find_one '*/bash-completion/completions/smtplog-analyze')
man1=$(find_one '*/man1/smtplog-analyze.1')
man5=$(find_one '*/man5/smtplog-analyze-patterns.5')
pats=$(find_one '*/smtplog-analyze/patterns')
for f in bin comp man1 man5 pats; do
	[ -n "${!f}" ] && ok || bad "meson install put no $f under $tmp/dest"
done
# where bash-completion's pkg-config file says, under our prefix
if want=$(pkg-config --variable=completionsdir bash-completion 2>/dev/null); then
	prefix=$(meson introspect --buildoptions "$build" 2>/dev/null |
		grep -o '"name": "prefix", "value": "[^"]*"' | sed 's/.*"value": "//; s/"$//')
	case $comp in
	"$tmp/dest${want/#\/usr/$prefix}/smtplog-analyze") ok ;;
	*) bad "completion at ${comp#"$tmp/dest"}, want under ${want/#\/usr/$prefix}" ;;
	esac
fi

# The Must-show command: bash sources the installed file and knows it.
out=$(bash -c 'source "$1" && complete -p smtplog-analyze' _ "$comp" 2>&1)
[ "$out" = "complete -F _smtplog_analyze smtplog-analyze" ] && ok ||
	bad "complete -p smtplog-analyze: '$out'"
echo "$out"

# Both installed pages render without a warning.
if command -v groff >/dev/null; then
	for page in "$man1" "$man5"; do
		w=$(groff -ww -z -mandoc "$page" 2>&1)
		[ -z "$w" ] && ok || bad "groff -ww on $page: $w"
		w=$(man --warnings -l "$page" 2>&1 >/dev/null)
		[ -z "$w" ] && ok || bad "man -l $page: $w"
	done
else
	echo "no groff: man pages not rendered"
fi

# Completion as bash runs it, when bash-completion's helpers exist.
helpers=/usr/share/bash-completion/bash_completion
if [ ! -r "$helpers" ]; then
	echo "$pass passed, $fail failed (no $helpers: completion not run)"
	[ "$fail" -eq 0 ]
	exit $?
fi
mkdir "$tmp/local"
printf 'mta: site-relay\n' >"$tmp/local/relay.yaml"
complete_words() { # WORD... (the last is the one being completed)
	PATH="${bin%/*}:$PATH" SMTPLOG_ANALYZE_PATTERNS="$pats" bash -c '
		source "$1"; source "$2"; shift 2
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		_smtplog_analyze smtplog-analyze "${COMP_WORDS[COMP_CWORD]}" \
		    "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}" | sort' _ "$helpers" "$comp" "$@"
}
got=$(complete_words smtplog-analyze --cause unk | tr '\n' ' ')
[ "$got" = "unknown-user " ] && ok || bad "--cause unk completes to '$got'"
got=$(complete_words smtplog-analyze --mta '' | tr '\n' ' ')
for m in postfix exim kerio exchange; do
	case " $got" in *" $m "*) ok ;; *) bad "--mta completes '$got', no $m" ;; esac
done
got=$(complete_words smtplog-analyze -p "$tmp/local" --mta si | tr '\n' ' ')
[ "$got" = "site-relay " ] && ok || bad "--mta after -p DIR completes '$got'"
got=$(complete_words smtplog-analyze --phase r | tr '\n' ' ')
[ "$got" = "rcpt " ] && ok || bad "--phase r completes '$got'"
got=$(complete_words smtplog-analyze --status '' | tr '\n' ' ')
[ "$got" = "failed incomplete ok partial " ] && ok || bad "--status completes '$got'"
got=$(complete_words smtplog-analyze --color a | tr '\n' ' ')
[ "$got" = "always auto " ] && ok || bad "--color a completes '$got'"
got=$(complete_words smtplog-analyze --format '' | tr '\n' ' ')
[ "$got" = "csv html json text " ] && ok || bad "--format completes '$got'"
# every long option of --help completes
"$bin" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u >"$tmp/want"
complete_words smtplog-analyze -- | sed 's/=$//' | sort -u >"$tmp/got"
missing=$(comm -23 "$tmp/want" "$tmp/got" | tr '\n' ' ')
[ -z "$missing" ] && ok || bad "options of --help that do not complete: $missing"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
