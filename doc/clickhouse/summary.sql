-- The text summary of smtplog-analyze, over every host loaded into
-- smtplog.sessions (doc/clickhouse/schema.sql). One query per block; each
-- block starts with a "-- name:" line (tests/check-clickhouse.sh runs
-- them by name). Add "AND start >= today() - 1" (or a host) to any WHERE
-- to narrow it; every query runs on ClickHouse 18.16.
--
--   clickhouse-client --query "$(sed -n '/name: by-phase/,/^$/p' summary.sql)"

-- name: by-status
-- The headline: sessions by status, inbound and outbound.
SELECT
	status,
	count() AS sessions,
	countIf(direction = 'inbound') AS inbound,
	countIf(direction = 'outbound') AS outbound
FROM smtplog.sessions
GROUP BY status
ORDER BY indexOf(['ok', 'failed', 'partial', 'incomplete'], status)

-- name: by-phase
-- Failures by phase (failed and partial sessions), in phase order.
SELECT
	phase,
	count() AS sessions,
	countIf(status = 'failed') AS failed,
	countIf(status = 'partial') AS partial,
	countIf(direction = 'inbound') AS inbound,
	countIf(direction = 'outbound') AS outbound
FROM smtplog.sessions
WHERE status IN ('failed', 'partial')
GROUP BY phase
ORDER BY indexOf(['pre-greeting', 'helo', 'starttls', 'auth', 'mail',
	'rcpt', 'data', 'post-queue'], assumeNotNull(phase))

-- name: by-cause
-- The causes of each phase's failures, most frequent first.
SELECT
	phase,
	ifNull(cause, 'other') AS cause,
	count() AS sessions
FROM smtplog.sessions
WHERE status IN ('failed', 'partial')
GROUP BY phase, cause
ORDER BY indexOf(['pre-greeting', 'helo', 'starttls', 'auth', 'mail',
	'rcpt', 'data', 'post-queue'], assumeNotNull(phase)),
	sessions DESC, cause

-- name: replies
-- The replies behind each phase and cause: code, enhanced code, text.
SELECT
	phase,
	ifNull(cause, 'other') AS cause,
	ifNull(reply, '') AS reply,
	ifNull(enhanced, '') AS enhanced,
	ifNull(text, '') AS text,
	count() AS sessions
FROM smtplog.sessions
WHERE status IN ('failed', 'partial')
GROUP BY phase, cause, reply, enhanced, text
ORDER BY phase, cause, sessions DESC
LIMIT 5 BY phase, cause

-- name: top-clients
-- The clients (for outbound sessions: the servers) with the most
-- failures, five per phase.
SELECT
	phase,
	ifNull(if(direction = 'outbound', relay, client.ip), '') AS peer,
	count() AS sessions
FROM smtplog.sessions
WHERE status IN ('failed', 'partial')
GROUP BY phase, peer
ORDER BY phase, sessions DESC, peer
LIMIT 5 BY phase

-- name: per-hour
-- Sessions per hour, failed or not, across the fleet.
SELECT
	toStartOfHour(start) AS hour,
	count() AS sessions,
	countIf(status IN ('failed', 'partial')) AS failing,
	round(100 * failing / sessions, 1) AS pct
FROM smtplog.sessions
GROUP BY hour
ORDER BY hour

-- name: per-host
-- Which hosts fail most, and where.
SELECT
	ifNull(host, '') AS host,
	mta,
	count() AS sessions,
	countIf(status IN ('failed', 'partial')) AS failing,
	topK(3)(phase) AS top_phases
FROM smtplog.sessions
GROUP BY host, mta
ORDER BY failing DESC

-- name: rejected-recipients
-- Recipients refused most often, and in which phase (smtplog.recipients).
SELECT
	ifNull(address, '') AS address,
	ifNull(phase, '') AS phase,
	count() AS refusals
FROM smtplog.recipients
WHERE status != 'delivered'
GROUP BY address, phase
ORDER BY refusals DESC, address
LIMIT 20
