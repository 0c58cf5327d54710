-- smtplog-analyze on a ClickHouse cluster: every shard holds its own
-- smtplog.sessions and smtplog.recipients (doc/clickhouse/schema.sql, run
-- on each shard), and a Distributed table on any node reads them all.
-- Replace {cluster} with the name of the cluster in the servers'
-- <remote_servers> configuration. Runs on ClickHouse 18.16 and later.
--
-- Each mail host inserts into the shard it is nearest to (its local
-- tables), or into the Distributed table, which spreads rows by the
-- sharding key: by host, so that one host's sessions stay on one shard.
-- The queries of summary.sql run unchanged on smtplog.sessions_all.

-- name: distributed
CREATE TABLE IF NOT EXISTS smtplog.sessions_all AS smtplog.sessions
ENGINE = Distributed({cluster}, smtplog, sessions, cityHash64(ifNull(host, '')));
CREATE TABLE IF NOT EXISTS smtplog.recipients_all AS smtplog.recipients
ENGINE = Distributed({cluster}, smtplog, recipients, cityHash64(ifNull(host, '')));

-- With ZooKeeper configured (distributed DDL), schema.sql's tables can be
-- made on every shard at once: add "ON CLUSTER {cluster}" after each
-- "CREATE DATABASE IF NOT EXISTS smtplog" and "CREATE TABLE IF NOT EXISTS
-- smtplog.<table>". Replicated shards use ReplicatedMergeTree(
-- '/clickhouse/tables/{shard}/smtplog/sessions', '{replica}') in place of
-- MergeTree(), with the same PARTITION BY and ORDER BY.
