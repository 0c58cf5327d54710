# bash completion for smtplog-analyze                      -*- shell-script -*-
#
# Why a file of its own: a postmaster types the options and their values
# (--phase rcpt, --cause unknown-user, --mta exim) far more often than
# reads --help. The option names come from --help itself, so a new option
# completes without touching this file; the values of --phase, --status,
# --format and --color are the tool's fixed vocabulary; --mta and --cause
# complete the names the pattern files define: the shipped directory
# (SMTPLOG_ANALYZE_PATTERNS, else the one this file was installed with)
# and every --patterns DIR already on the command line.
#
# meson installs it where bash-completion's pkg-config file says
# (completionsdir), else in DATADIR/bash-completion/completions.

_smtplog_analyze_pattern_dirs()
{
	local i dir=${SMTPLOG_ANALYZE_PATTERNS:-@PATTERNS_DIR@}

	printf '%s\n' "$dir"
	for ((i = 1; i < ${#COMP_WORDS[*]} - 1; i++)); do
		case ${COMP_WORDS[i]} in
		-p | --patterns)
			printf '%s\n' "${COMP_WORDS[i + 1]}"
			;;
		--patterns=*)
			printf '%s\n' "${COMP_WORDS[i]#--patterns=}"
			;;
		esac
	done
}

# NAME: the "mta: NAME" (or "- cause: NAME") values of the pattern files
_smtplog_analyze_names()
{
	local key=$1 dir

	while IFS= read -r dir; do
		dir=${dir/#\~/$HOME}
		[[ -d $dir ]] || continue
		command sed -n -e \
		    "s/^[[:space:]-]*$key:[[:space:]]*['\"]\{0,1\}\([A-Za-z0-9._-]*\).*/\1/p" \
		    -- "$dir"/*.yaml 2>/dev/null
	done < <(_smtplog_analyze_pattern_dirs) | LC_ALL=C sort -u
}

_smtplog_analyze()
{
	local cur prev words cword split
	_init_completion -s || return

	case $prev in
	-f | --format)
		COMPREPLY=($(compgen -W 'text json csv html' -- "$cur"))
		return
		;;
	--status)
		COMPREPLY=($(compgen -W 'ok failed partial incomplete' \
		    -- "$cur"))
		return
		;;
	--phase)
		COMPREPLY=($(compgen -W 'pre-greeting helo starttls auth mail
		    rcpt data post-queue' -- "$cur"))
		return
		;;
	--color)
		COMPREPLY=($(compgen -W 'auto always never' -- "$cur"))
		return
		;;
	-m | --mta)
		COMPREPLY=($(compgen -W "$(_smtplog_analyze_names mta)" \
		    -- "$cur"))
		return
		;;
	--cause)
		COMPREPLY=($(compgen -W "$(_smtplog_analyze_names cause)
		    other timeout lost-connection" -- "$cur"))
		return
		;;
	-p | --patterns)
		_filedir -d
		return
		;;
	--unparsed)
		_filedir
		return
		;;
	--tz)
		COMPREPLY=($(compgen -W 'UTC' -- "$cur"))
		return
		;;
	--threads)
		COMPREPLY=($(compgen -W '1 2' -- "$cur"))
		return
		;;
	--since | --until)
		COMPREPLY=($(compgen -W 'today yesterday now -24h -7d' \
		    -- "$cur"))
		return
		;;
	-i | --id | --client | --from | --to | --code | --grep | \
	    --explain | --year | --max-open | --session-timeout | \
	    --fail-threshold | --top | --worst)
		return
		;;
	esac
	$split && return

	if [[ $cur == -* ]]; then
		# every option --help names, "--since T, --until T" both
		COMPREPLY=($(compgen -W "$("$1" --help 2>/dev/null |
		    command grep -oE -- '--[a-z][a-z-]+')" -- "$cur"))
		return
	fi
	_filedir
} &&
	complete -F _smtplog_analyze smtplog-analyze

# ex: filetype=sh
