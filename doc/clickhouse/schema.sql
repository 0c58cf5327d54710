-- smtplog-analyze sessions in ClickHouse: one row per session, as
-- `smtplog-analyze -f json` prints it, and one row per recipient.
-- Runs on ClickHouse 18.16 (Debian 12's clickhouse-server) and later.
-- See doc/clickhouse.md for how to load and query it.
--
--   clickhouse-client --multiquery < doc/clickhouse/schema.sql

CREATE DATABASE IF NOT EXISTS smtplog;

-- Columns are named as the JSON keys are: a nested object's keys read
-- into `object.key` columns (input_format_import_nested_json=1), and keys
-- with no column here are skipped (input_format_skip_unknown_fields=1),
-- so keys a later version adds load without a change. Times read with
-- date_time_input_format=best_effort, which takes the offset when the
-- line had one (--tz gives one to every line) and else the server's zone.
--
-- host is NULL for logs that do not name the host (Exim's main log,
-- Kerio, Exchange): the sorting key reads it as ''.
CREATE TABLE IF NOT EXISTS smtplog.sessions
(
	mta String,
	host Nullable(String),
	session String,
	direction String,
	start DateTime,
	`end` DateTime,
	`client.ip` Nullable(String),
	`client.name` Nullable(String),
	`client.port` Nullable(String),
	`client.helo` Nullable(String),
	`ids.pid` Nullable(String),
	`ids.queue` Array(String),
	`ids.message_id` Nullable(String),
	sender Nullable(String),
	relay Nullable(String),
	status String,
	outcome Nullable(String),
	phase Nullable(String),
	kind Nullable(String),
	reply Nullable(String),
	enhanced Nullable(String),
	text Nullable(String),
	cause Nullable(String),
	remote_phase Nullable(String),
	reached Nullable(String),
	file Nullable(String),
	lines Array(UInt64)
)
ENGINE = MergeTree()
PARTITION BY toYYYYMMDD(start)
ORDER BY (ifNull(host, ''), start);

-- One row per recipient of a session, keyed by the session's host, start
-- and name. ClickHouse 18.16 cannot read a JSON array of objects into
-- columns, so the rows come from jq:
--   jq -c '{host, session, start} + .recipients[]'
CREATE TABLE IF NOT EXISTS smtplog.recipients
(
	host Nullable(String),
	session String,
	start DateTime,
	address Nullable(String),
	status String,
	phase Nullable(String),
	reply Nullable(String),
	enhanced Nullable(String),
	text Nullable(String),
	relay Nullable(String),
	original Nullable(String)
)
ENGINE = MergeTree()
PARTITION BY toYYYYMMDD(start)
ORDER BY (ifNull(host, ''), start);
