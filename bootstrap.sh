#!/bin/sh
# bootstrap.sh - set up, build, run and test smtplog-analyze on Debian.
#
#   ./bootstrap.sh          install what is missing, build, and run the tool
#                           on the bundled Postfix sample
#   ./bootstrap.sh test     the same set-up, then every test: the normal
#                           build and an AddressSanitizer + UBSan build,
#                           then each libFuzzer target (clang, build-fuzz/)
#                           for FUZZ_SECONDS (60) on its corpus;
#                           ends with "N passed, N failed"
#   ./bootstrap.sh build    only install what is missing and build
#
# Safe to run twice: packages already installed are not touched, build
# directories are reused. Installing needs root (or sudo).
set -eu

cd "$(dirname "$0")"

PACKAGES="meson ninja-build pkg-config gcc libc6-dev libpcre2-dev libyaml-dev
check zlib1g-dev jq gzip bash-completion groff-base man-db
clickhouse-server clickhouse-client libsystemd-dev systemd-journal-remote
pflogsumm chromium python3 clang libclang-rt-14-dev"

install_missing() {
	missing=""
	for p in $PACKAGES; do
		if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
		    grep -q '^install ok installed$'; then
			missing="$missing $p"
		fi
	done
	[ -z "$missing" ] && return 0
	echo "bootstrap: installing:$missing" >&2
	if [ "$(id -u)" -eq 0 ]; then
		sudo=""
	elif command -v sudo >/dev/null 2>&1; then
		sudo="sudo"
	else
		echo "bootstrap: need root to install:$missing" >&2
		exit 1
	fi
	$sudo apt-get update -qq
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing \
	    >/dev/null
}

build() { # DIR [meson options...]
	dir=$1
	shift
	if [ ! -f "$dir/build.ninja" ]; then
		meson setup "$dir" "$@" >/dev/null
	fi
	ninja -C "$dir" >/dev/null
}

# Run meson test in DIR; add its counts to $passed and $failed.
run_tests() { # DIR [meson test options...]
	dir=$1
	shift
	log=$(mktemp)
	status=0
	meson test -C "$dir" --print-errorlogs "$@" >"$log" 2>&1 || status=$?
	cat "$log"
	ok=$(sed -n 's/^Ok: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
	bad=0
	for k in 'Fail' 'Timeout' 'Unexpected Pass'; do
		n=$(sed -n "s/^$k: *\\([0-9]*\\).*/\\1/p" "$log" | tail -n 1)
		bad=$((bad + ${n:-0}))
	done
	if [ -z "$ok" ]; then
		# meson could not run the tests at all
		bad=$((bad + 1))
		ok=0
	elif [ "$status" -ne 0 ] && [ "$bad" -eq 0 ]; then
		bad=1
	fi
	passed=$((passed + ok))
	failed=$((failed + bad))
	rm -f "$log"
}

install_missing
case "${1:-run}" in
run)
	build build
	SMTPLOG_ANALYZE_PATTERNS=$PWD/patterns \
	    build/smtplog-analyze --year 2026 samples/postfix/mail.log
	;;
build)
	build build
	;;
test)
	passed=0
	failed=0
	build build
	run_tests build
	build build-asan -Db_sanitize=address,undefined -Dbuildtype=debug
	run_tests build-asan
	# the fuzz targets, built by clang, each run for a fixed time
	(CC=clang && export CC && build build-fuzz -Dfuzz=true)
	run_tests build-fuzz --suite fuzz
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	;;
*)
	echo "usage: $0 [run|build|test]" >&2
	exit 64
	;;
esac
