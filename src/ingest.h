/*
 * ingest - the first stage: input files to matched lines to the
 * correlator.
 *
 * For each line read (reader.h) it finds the pattern set that knows it:
 * the file's current set, then every other set (MTA detection), then the
 * fallback prefixes of lines whose source stripped the syslog prefix. A
 * set is a file's until another set's prefix matches; --mta fixes it. A
 * CSV log (csv.h) is turned into lines first; its header is counted as
 * recognised. It parses the time stamp (timestamp.h), keeps the first and
 * last, and hands the match to correlator_feed() with the file's index
 * and line number (or, on the reading thread of --threads 2, to the
 * relay: relay.h).
 *
 * It counts into the caller's struct run_info (report.h): lines read,
 * recognised, unrecognised (an MTA's line no pattern knew; written to
 * the --unparsed stream when one is given), other, and bad time stamps.
 *
 * An input whose first line is journalctl's -o export or -o json output
 * is read by its fields instead (journal.h), each entry as the syslog
 * line of its message; ingest_journal() reads the journal itself.
 *
 * Several files are read in the time order of their content, not of
 * their names (ingest_order()); --follow reads one plain file and then
 * waits for more across rotation (ingest_follow()).
 *
 * DIAGNOSTICS: a warning, once per file, for a time stamp not understood
 * and for lines without a syslog prefix; a warning for a file none of
 * whose lines was recognised, and for an empty one. Unreadable files are
 * reported by reader.h.
 */
#ifndef SLA_INGEST_H
#define SLA_INGEST_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "correlate.h"
#include "pattern.h"
#include "report.h"
#include "session.h"
#include "util.h"

struct journal;

struct ingest_opts {
	const struct pattern_db *db;
	const char *mta;	/* --mta: no detection; NULL: detect */
	int year;	/* --year; 0: from each file's modification time */
	FILE *unparsed;	/* --unparsed, or NULL */
	bool quiet;	/* --quiet: no warning for an empty file */
	const char *const *ids;	/* --id: the conversations wanted */
	size_t nids;
	/*
	 * The file table (run_info.files): the inputs, then the journal
	 * sequences ("s=<id>") that entries come from, added here up to
	 * names_cap (run_info.nfiles counts them); past it, entries name
	 * their input. NULL: none added.
	 */
	const char **names;
	size_t names_cap;
};

struct ingest;

/* ri receives the counts and must outlive the ingest. */
struct ingest *ingest_new(const struct ingest_opts *, struct run_info *ri);
void ingest_free(struct ingest *);

/*
 * Reorder files[0..n) by the time of the first line of each that carries
 * one (within its first 1000 lines): a rotated set given as "mail.log*"
 * is read oldest first. Files without a time keep their order, after the
 * others; files starting in the same second are ordered by logrotate's
 * suffix (.2 before .1 before none), then by modification time. Standard
 * input and FIFOs are not peeked. Prints nothing.
 */
void ingest_order(struct ingest *, const char **files, size_t n);

/*
 * Read the file at path ("-": standard input) to its end, as file idx of
 * the run's file table. False when it could not be opened or ended with
 * a read error (reported).
 */
bool ingest_file(struct ingest *, struct correlator *, uint32_t idx,
    const char *path);

enum ingest_follow_open {
	INGEST_FOLLOW_OPEN,
	INGEST_FOLLOW_UNREADABLE,	/* reported by reader.h */
	INGEST_FOLLOW_NOT_PLAIN,	/* compressed, a pipe: caller reports */
};

/* Open path (file 0) for ingest_follow(). */
enum ingest_follow_open ingest_follow_open(struct ingest *, const char *path);

/*
 * --follow: read the opened file, then wait for more across logrotate's
 * rotations, until SIGINT or SIGTERM. stdout is flushed after each batch
 * of lines. While the log is quiet, log time is taken to go on as the
 * wall clock does, so that correlator_tick() ends idle sessions. False
 * when reading ended with an error.
 */
bool ingest_follow(struct ingest *, struct correlator *);

/*
 * The systemd journal (journal.h), through the pipeline: every entry is
 * read as the syslog line of its message, in the file table under its
 * sequence and numbered by its sequence number. With follow, wait for
 * more as ingest_follow() does, until SIGINT, SIGTERM or --until, saving
 * the cursor file after each batch. False when the cursor file could not
 * be written (reported).
 */
bool ingest_journal(struct ingest *, struct correlator *, struct journal *,
    bool follow);

/*
 * Hand each line to rl (relay.h) instead of the correlator: then
 * ingest_file() runs on the relay's reading thread and takes a NULL
 * correlator. NULL: to the correlator again.
 */
struct relay;
void ingest_relay(struct ingest *, struct relay *rl);

/* Does the session carry one of the --id IDs (true when none given)? */
bool ingest_wants(const struct ingest *, const struct session *);

/* The MTAs of the pattern sets, comma-separated, appended to b: all of
 * them, or only those that recognised a line so far. */
void ingest_mtas(const struct ingest *, struct buf *b, bool seen_only);

#endif
