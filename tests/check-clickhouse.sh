#!/usr/bin/env bash
# The ClickHouse recipe of doc/clickhouse.md, run for real: start Debian's
# clickhouse-server on 127.0.0.1 from a temporary directory with a config
# written here, create doc/clickhouse/schema.sql, load the JSON of every
# sample with the documented command, run doc/clickhouse/summary.sql, and
# check that its figures equal the tool's own text summary of the same
# input: sessions by status, failures by phase (sessions, failed, partial,
# inbound, outbound) and by cause. Then the same for the whole fleet (every
# sample in one database, its figures the sums of the runs'), and the same
# queries through a Distributed table (doc/clickhouse/cluster.sql).
#
#   check-clickhouse.sh BINARY SRCDIR
#
# Skips (77) when clickhouse-server, clickhouse-client or jq is missing.
# jq and awk programs are single-quoted on purpose.
# shellcheck disable=SC2016
set -u
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
src=$2
for p in clickhouse-server clickhouse-client jq; do
	if ! command -v "$p" >/dev/null 2>&1 &&
	    ! [ -x "/usr/sbin/$p" ]; then
		echo "SKIP: $p not installed (bootstrap.sh installs it)"
		exit 77
	fi
done
server=$(command -v clickhouse-server || echo /usr/sbin/clickhouse-server)
doc=$src/doc/clickhouse
tmp=$(mktemp -d)
pid=
stop_server() {
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid"
		for _ in $(seq 1 100); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	pid=
}
trap 'stop_server; rm -rf "$tmp"' EXIT

# A config of our own: loopback only, every path under $tmp, small caches
# (the defaults reserve gigabytes), UTC, a one-shard cluster for the
# Distributed table.
write_config() { # TCPPORT HTTPPORT
	mkdir -p "$tmp/data" "$tmp/tmp" "$tmp/user_files" "$tmp/format_schemas"
	cat >"$tmp/config.xml" <<EOF
<?xml version="1.0"?>
<yandex>
	<logger>
		<level>warning</level>
		<log>$tmp/server.log</log>
		<errorlog>$tmp/server.err.log</errorlog>
		<console>0</console>
	</logger>
	<listen_host>127.0.0.1</listen_host>
	<tcp_port>$1</tcp_port>
	<http_port>$2</http_port>
	<path>$tmp/data/</path>
	<tmp_path>$tmp/tmp/</tmp_path>
	<user_files_path>$tmp/user_files/</user_files_path>
	<format_schema_path>$tmp/format_schemas/</format_schema_path>
	<users_config>$tmp/users.xml</users_config>
	<default_profile>default</default_profile>
	<default_database>default</default_database>
	<timezone>UTC</timezone>
	<mark_cache_size>67108864</mark_cache_size>
	<uncompressed_cache_size>67108864</uncompressed_cache_size>
	<max_concurrent_queries>8</max_concurrent_queries>
	<remote_servers>
		<smtplog_cluster>
			<shard>
				<replica>
					<host>127.0.0.1</host>
					<port>$1</port>
				</replica>
			</shard>
		</smtplog_cluster>
	</remote_servers>
</yandex>
EOF
	cat >"$tmp/users.xml" <<'EOF'
<?xml version="1.0"?>
<yandex>
	<profiles>
		<default>
			<max_memory_usage>1000000000</max_memory_usage>
		</default>
	</profiles>
	<users>
		<default>
			<password></password>
			<networks><ip>127.0.0.1</ip></networks>
			<profile>default</profile>
			<quota>default</quota>
		</default>
	</users>
	<quotas><default></default></quotas>
</yandex>
EOF
}

# Start on a free port; the port is chosen at random and retried, so that
# two test runs at once do not collide.
port=
# in use: something answers there (another test's server, whose answer
# would be taken for ours)
in_use() { # PORT
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}
for _ in 1 2 3 4 5; do
	p=$((20000 + RANDOM % 30000))
	if in_use "$p" || in_use $((p + 1)); then
		continue
	fi
	write_config "$p" $((p + 1))
	"$server" --config-file="$tmp/config.xml" >"$tmp/server.out" 2>&1 &
	pid=$!
	for _ in $(seq 1 150); do
		if clickhouse-client --host 127.0.0.1 --port "$p" \
		    --query 'SELECT 1' >/dev/null 2>&1; then
			# ours only if ours is still running
			kill -0 "$pid" 2>/dev/null && port=$p
			break
		fi
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.2
	done
	[ -n "$port" ] && break
	stop_server
done
if [ -z "$port" ]; then
	echo "FAIL: clickhouse-server did not start"
	cat "$tmp/server.out" "$tmp/server.err.log" 2>/dev/null | tail -n 20
	exit 1
fi
ch() {
	clickhouse-client --host 127.0.0.1 --port "$port" "$@"
}
version=$(ch --query 'SELECT version()')
echo "clickhouse-server $version on 127.0.0.1:$port"

pass=0
fail=0
check() { # NAME GOT-FILE WANT-FILE
	if diff -u "$3" "$2" >"$tmp/diff"; then
		pass=$((pass + 1))
	else
		echo "FAIL: $1 (- the tool's summary, + ClickHouse)"
		cat "$tmp/diff"
		fail=$((fail + 1))
	fi
}

# A query of summary.sql by its name, on database DB instead of smtplog.
query() { # NAME DB
	sed -n "/^-- name: $1\$/,/^\$/p" "$doc/summary.sql" |
	    sed "s/smtplog\\./$2./g"
}

# The figures of the tool's text summary, one per line:
#	status S N          sessions by status
#	phase P N F PA I O  the failures-by-phase table
#	cause P C N         a cause shown under a phase
#	causes P N          how many causes a phase has (shown + "more")
summary_figures() {
	awk '
	/^  (ok|failed|partial|incomplete) +[0-9]+/ {
		print "status", $1, $2
	}
	/^failures by phase/ { table = 1; next }
	table && /^  [a-z-]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ *$/ {
		print "phase", $1, $2, $3, $4, $5, $6
		next
	}
	table && /^$/ { table = 0 }
	/^  [a-z-]+: [0-9]+ sessions?$/ {
		phase = $1
		sub(/:$/, "", phase)
		incauses = 0
		next
	}
	phase != "" && /^    causes/ { incauses = 1; ncauses[phase] = 0; next }
	phase != "" && /^    clients/ { incauses = 0; next }
	incauses && /^ +[0-9]+  [a-z][a-z0-9-]*$/ {
		print "cause", phase, $2, $1
		ncauses[phase]++
		next
	}
	incauses && /^ +\([0-9]+ more causes\)$/ {
		n = $1
		sub(/^\(/, "", n)
		ncauses[phase] += n
	}
	END {
		for (p in ncauses)
			print "causes", p, ncauses[p]
	}' "$1" | sort
}

# The same figures from ClickHouse; only the causes the summary shows are
# compared one by one, and the number of causes per phase as a whole.
clickhouse_figures() { # DB SHOWN-CAUSES-FILE
	# one client run for the three queries (a client starts slowly on a
	# busy machine); a marker row before each result
	for q in by-status by-phase by-cause; do
		echo "SELECT '#$q';"
		query "$q" "$1"
		echo ";"
	done | ch --multiquery >"$tmp/fig.tsv"
	{
		awk -F '\t' '/^#/ { q = $1; next }
		    q == "#by-status" && $2 > 0 { print "status", $1, $2 }
		    q == "#by-phase" {
			print "phase", $1, $2, $3, $4, $5, $6
		    }' "$tmp/fig.tsv"
		for s in ok failed partial incomplete; do
			echo "status $s 0"
		done
		awk -F '\t' '/^#/ { q = $1; next } q == "#by-cause"' \
		    "$tmp/fig.tsv" >"$tmp/causes.tsv"
		awk -F '\t' 'NR == FNR { shown[$2 "\t" $3] = 1; next }
		    ($1 "\t" $2) in shown { print "cause", $1, $2, $3 }
		    { n[$1]++ }
		    END { for (p in n) print "causes", p, n[p] }' \
		    <(awk '$1 == "cause" { print $1 "\t" $2 "\t" $3 }' "$2") \
		    "$tmp/causes.tsv"
	} | awk '
	    # a status with no session: the summary prints 0, the query
	    # returns no row; keep the highest count per status
	    $1 == "status" { if (!($2 in st) || $3 > st[$2]) st[$2] = $3; next }
	    { print }
	    END { for (s in st) print "status", s, st[s] }' | sort
}

schema() { # DB
	sed "s/smtplog\\./$1./g; s/DATABASE IF NOT EXISTS smtplog;/DATABASE IF NOT EXISTS $1;/" \
	    "$doc/schema.sql"
}

# The documented load: sessions straight from the tool's JSON, recipients
# through jq. The settings are those doc/clickhouse.md gives.
load() { # DB JSONFILE
	ch --input_format_import_nested_json=1 \
	    --input_format_skip_unknown_fields=1 \
	    --date_time_input_format=best_effort \
	    --query "INSERT INTO $1.sessions FORMAT JSONEachRow" <"$2" &&
	jq -c '{host, session, start} + .recipients[]' "$2" >"$tmp/rcpt" &&
	# ClickHouse 18.16 refuses an INSERT of no rows
	if [ -s "$tmp/rcpt" ]; then
		ch --input_format_import_nested_json=1 \
		    --input_format_skip_unknown_fields=1 \
		    --date_time_input_format=best_effort \
		    --query "INSERT INTO $1.recipients FORMAT JSONEachRow" \
		    <"$tmp/rcpt"
	fi
}

ch --multiquery <"$doc/schema.sql" || {
	echo "FAIL: doc/clickhouse/schema.sql refused"
	exit 1
}

# Every sample, as the real-sample tests read it: one run per host's log.
runs=(
	"postfix/mail.log"
	"postfix/hold.log"
	"postfix/remote.log"
	"postfix/delay-reject-no/mail.log"
	"postfix/delay-reject-yes/mail.log"
	"postfix/tls-auth-only/mail.log"
	"postfix/tls-encrypt/mail.log"
	"postfix/unauth-pipelining/mail.log"
	"postfix/helo-required/mail.log"
	"postfix/hard-error-limit/mail.log"
	"postfix/postscreen-deep/mail.log"
	"postfix/no-port-logging/mail.log"
	"postfix/long-queue-ids/mail.log"
	"exim/default/mainlog exim/default/rejectlog"
	"exim/default/remote-mainlog exim/default/remote-rejectlog"
	"exim/pid/mainlog exim/pid/rejectlog"
	"exim/pid/remote-mainlog exim/pid/remote-rejectlog"
	"exim/all/mainlog exim/all/rejectlog"
	"exim/all/remote-mainlog exim/all/remote-rejectlog"
	"exim/allnopid/mainlog exim/allnopid/rejectlog"
	"exim/allnopid/remote-mainlog exim/allnopid/remote-rejectlog"
	"exim/spci/mainlog exim/spci/rejectlog"
	"exim/spci/remote-mainlog exim/spci/remote-rejectlog"
	"kerio/debug.log"
	"kerio/security.log"
	"kerio/mail.log"
	"kerio/debug-excerpt.log"
	"exchange/RECV2026112414-excerpt.LOG"
	"exchange/RECV2026112410-1.LOG exchange/RECV2026112411-1.LOG exchange/RECV2026112412-1.LOG exchange/RECV2026112413-1.LOG exchange/SEND2026112410-1.LOG exchange/MSGTRK2026112410-1.LOG"
)
# every sample file is in some run
for f in "$src"/samples/*/*.log "$src"/samples/*/*/*log "$src"/samples/*/*.LOG; do
	[ -f "$f" ] || continue
	rel=${f#"$src/samples/"}
	# README's walk-through line, unknown to the shipped patterns on
	# purpose (tests/check-extends.sh reads it)
	[ "$rel" = postfix/teach.log ] && continue
	case " ${runs[*]} " in
	*" $rel "*) ;;
	*)
		echo "FAIL: sample $rel is in no run of this test"
		fail=$((fail + 1))
		;;
	esac
done

: >"$tmp/all-text"
i=0
for run in "${runs[@]}"; do
	i=$((i + 1))
	read -ra names <<<"$run"
	db=run$i
	(cd "$src/samples" && "$bin" "${names[@]}") >"$tmp/text" ||
	    { echo "FAIL: $bin exited $? on $run"; fail=$((fail + 1)); continue; }
	(cd "$src/samples" && "$bin" -f json "${names[@]}") >"$tmp/json" ||
	    { echo "FAIL: $bin -f json exited $? on $run"; fail=$((fail + 1)); continue; }
	schema "$db" | ch --multiquery || { fail=$((fail + 1)); continue; }
	if ! load "$db" "$tmp/json"; then
		echo "FAIL: loading the JSON of $run"
		fail=$((fail + 1))
		continue
	fi
	rows=$(ch --query "SELECT count() FROM $db.sessions")
	want=$(wc -l <"$tmp/json")
	if [ "$rows" != "$want" ]; then
		echo "FAIL: $run: $rows rows loaded, $want sessions"
		fail=$((fail + 1))
	fi
	summary_figures "$tmp/text" >"$tmp/want"
	if ! grep -q '^phase ' "$tmp/want" || ! grep -q '^cause ' "$tmp/want"; then
		echo "FAIL: $run: no phase or cause figures found in the summary"
		sed 's/^/	/' "$tmp/text" | head -n 40
		fail=$((fail + 1))
		continue
	fi
	clickhouse_figures "$db" "$tmp/want" >"$tmp/got"
	check "$run" "$tmp/got" "$tmp/want"
	grep -E '^(status|phase) ' "$tmp/want" >>"$tmp/all-text"
	echo "$run: $(grep -c '^phase ' "$tmp/want") phases," \
	    "$(grep -c '^cause ' "$tmp/want") causes, $rows sessions: equal"
done

# The fleet: every run in one database; its figures are the runs' sums.
for k in $(seq 1 "$i"); do
	echo "INSERT INTO smtplog.sessions SELECT * FROM run$k.sessions;"
	echo "INSERT INTO smtplog.recipients SELECT * FROM run$k.recipients;"
done | ch --multiquery || { echo "FAIL: copying the runs"; fail=$((fail + 1)); }
awk '$1 == "status" { s[$2] += $3 }
    $1 == "phase" { for (k = 3; k <= 7; k++) p[$2, k] += $k; ph[$2] = 1 }
    END {
	for (x in s) print "status", x, s[x]
	for (x in ph) print "phase", x, p[x, 3], p[x, 4], p[x, 5], p[x, 6], p[x, 7]
    }' "$tmp/all-text" | sort >"$tmp/want"
clickhouse_figures smtplog /dev/null | grep -E '^(status|phase) ' >"$tmp/got"
check "every sample in one table" "$tmp/got" "$tmp/want"

# A cluster: the per-shard table is smtplog.sessions; the Distributed
# table over the one-shard cluster of the config must give the same.
sed "s/{cluster}/smtplog_cluster/g" "$doc/cluster.sql" |
    sed -n '/^-- name: distributed$/,/^$/p' | ch --multiquery ||
    { echo "FAIL: doc/clickhouse/cluster.sql refused"; fail=$((fail + 1)); }
ch --query "$(query by-phase smtplog | sed 's/smtplog\.sessions/smtplog.sessions_all/')" \
    >"$tmp/dist" 2>&1
ch --query "$(query by-phase smtplog)" >"$tmp/local"
check "the Distributed table" "$tmp/dist" "$tmp/local"

# Continuous shipping (doc/clickhouse/ship.sh): rows arrive while the
# stream is still open, and all of them by its end.
before=$(ch --query 'SELECT count() FROM smtplog.sessions')
(cd "$src/samples" && "$bin" -f json postfix/mail.log) >"$tmp/json"
# The stream stays open until the first 10 rows are seen (or 60 s have
# passed): a deadline, not a fixed sleep, which a loaded machine missed.
{
	head -n 10 "$tmp/json"
	for ((i = 0; i < 600; i++)); do
		[ -e "$tmp/seen10" ] && break
		sleep 0.1
	done
	tail -n +11 "$tmp/json"
} | "$doc/ship.sh" 1 1000 --host 127.0.0.1 --port "$port" &
ship=$!
for ((i = 0; i < 600; i++)); do
	mid=$(ch --query 'SELECT count() FROM smtplog.sessions')
	[ $((mid - before)) -ge 10 ] && break
	sleep 0.1
done
touch "$tmp/seen10"
wait "$ship"
after=$(ch --query 'SELECT count() FROM smtplog.sessions')
if [ $((mid - before)) -eq 10 ] &&
    [ $((after - before)) -eq "$(wc -l <"$tmp/json")" ]; then
	pass=$((pass + 1))
else
	echo "FAIL: ship.sh: $((mid - before)) rows while the stream was" \
	    "open (want 10), $((after - before)) at the end" \
	    "(want $(wc -l <"$tmp/json"))"
	fail=$((fail + 1))
fi

for n in $(sed -n 's/^-- name: //p' "$doc/summary.sql"); do
	if ! ch --query "$(query "$n" smtplog)" >"$tmp/q" 2>&1 ||
	    ! [ -s "$tmp/q" ]; then
		echo "FAIL: query '$n' of summary.sql"
		cat "$tmp/q"
		fail=$((fail + 1))
	else
		pass=$((pass + 1))
	fi
done

stop_server
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
