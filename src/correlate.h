/*
 * correlate - group matched lines into SMTP sessions and queued messages.
 *
 * A session is keyed by the fields its pattern file names (for Postfix:
 * host, daemon and pid). A connect event always opens a new session, so a
 * reused key never merges two conversations; a disconnect closes it. A
 * message is keyed by host and queue ID; the transaction event links it to
 * the session that created it, and its deliveries, however much later,
 * land on it. A closed session is handed on when each of its messages has
 * left the queue (or was abandoned), so that the verdict can see how the
 * delivery went; at the end of input everything is handed on.
 *
 * Memory holds only live sessions and queued messages. Past
 * correlate_opts.max_open of either, the oldest is handed on as it stands
 * (a session as incomplete), never dropped. Of the held sessions, at
 * most correlate_opts.max_hot stay in memory with their messages' texts;
 * the others are written to an unlinked temporary file and read back
 * when a line names one of their messages or they are handed on, which
 * changes nothing in what is handed on. A session keeps at most
 * SESSION_MAX_LINES line references, SESSION_MAX_CONV commands and
 * replies, SESSION_MAX_RCPTS refused recipients and SESSION_MAX_FAILS
 * failures (the first ones, and always the latest failure): past them it
 * counts what it left out in its struct omitted, which the figures add
 * in and the transcript names, so that one connection that tries 200,000
 * recipients costs what one that tries 2,000 does, and gets the same
 * verdict.
 *
 * Every session emit() wants is classified (classify.h) before emit()
 * sees it; each is freed when emit() returns.
 */
#ifndef SLA_CORRELATE_H
#define SLA_CORRELATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pattern.h"
#include "session.h"
#include "timestamp.h"

#define SESSION_MAX_LINES 2000
#define SESSION_MAX_CONV 2000
#define SESSION_MAX_RCPTS 1000
#define SESSION_MAX_FAILS 1000

struct correlate_opts {
	bool keep_text;	/* keep each line's text (for transcripts) */
	/* with keep_text, a line whose file can be read again there (off
	 * >= 0) keeps its place instead, for report_line_text() */
	bool reread;
	/* no consumer reads struct lineref (the summary, -s): keep none */
	bool no_lines;
	size_t max_open;	/* live sessions, and queued messages, at most */
	/* held sessions kept in memory, at most; SIZE_MAX: all */
	size_t max_hot;
	int64_t idle_us;	/* an open session idle this long (log time)
				   is over; 0: never */
	/* the files the lines come from (file indexes below it); 0: not
	 * known. From one file, no failure line is another file's copy,
	 * and none is remembered to find them */
	size_t nfiles;
	const struct pattern_db *db;
	void (*emit)(const struct session *, void *arg);
	/* optional: whether emit() wants the session (--id); one it does
	   not is neither classified nor handed on. NULL: every one */
	bool (*wants)(const struct session *, void *arg);
	/* optional: each message once, when it leaves the correlator
	   (after its session's emit(), if it has one); unfiltered */
	void (*message)(const struct message *, void *arg);
	void *arg;
};

struct correlate_stats {
	unsigned long sessions;	/* handed on to emit() */
	unsigned long evicted;	/* handed on early past max_open */
	unsigned long idle;	/* inbound, idle past idle_us: incomplete */
	unsigned long inexact;	/* inbound, keyed by a key with a gap */
	unsigned long duplicates;	/* failure lines read twice */
	const struct pattern_set *inexact_set;	/* the last such's set */
	unsigned long folded;	/* re-injection sessions merged away */
	unsigned long messages;	/* queued messages seen */
	size_t peak_open;
};

struct correlator;

struct correlator *correlator_new(const struct correlate_opts *);
/*
 * One recognised line; text is the whole line; off is where it starts in
 * the file, when the file can be read again there (a plain file, not
 * followed), else -1 (see reader_offset()).
 */
void correlator_feed(struct correlator *, const struct match *,
    const struct ts *, uint32_t file, uint32_t line, struct strview text,
    int64_t off);
/*
 * Log time is now (UTC microseconds) though no line says so: a followed
 * log that is quiet. Ends the sessions idle or lingering by then, as a
 * line of that time would; a time at or before the latest line's is
 * ignored, and so is any before the first line with a time.
 */
void correlator_tick(struct correlator *, int64_t now);
/* End of input: hand on everything still held. */
void correlator_flush(struct correlator *);
const struct correlate_stats *correlator_stats(const struct correlator *);
void correlator_free(struct correlator *);

#endif
