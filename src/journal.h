/*
 * journal - systemd journal entries as the lines the pattern sets read.
 *
 * On a current distribution Postfix and Exim log to the systemd journal
 * and there may be no mail.log at all. Entries come from two sources:
 *
 *	journal_open()     the journal itself, through libsystemd's sd-journal:
 *	                   the local one (--journal), saved journal files
 *	                   (--journal-file) or a directory of them
 *	                   (--journal-dir); seeks to --since, follows
 *	                   (--follow), resumes from a cursor file
 *	journal_text_*()   the output of journalctl -o export and -o json,
 *	                   on any input the reader reads (standard input, a
 *	                   file, gzip), read by its fields
 *
 * Either gives a struct journal_entry, and journal_entry_line() writes it
 * as the syslog line of the same message:
 *
 *	2026-11-23T09:17:21.250000+01:00 mx postfix/smtpd[11907]: connect ...
 *
 * built from the entry's own fields, never from text: the time to the
 * microsecond (_SOURCE_REALTIME_TIMESTAMP, else __REALTIME_TIMESTAMP) in
 * the --tz zone (wall time, as a text log has it) or else with the local
 * zone's exact offset; _HOSTNAME; SYSLOG_IDENTIFIER (else _COMM);
 * SYSLOG_PID (else _PID); MESSAGE whatever bytes it holds. The pattern
 * sets read that line with the prefix they read a text log with, so the
 * program, daemon, pid, host and time fields, and every pattern and
 * verdict, are those of the text log of the same traffic.
 *
 * Which entries: journal_opts.wanted says which syslog identifiers are
 * read (the pattern sets name them). The journal's own index is asked for
 * those alone: its SYSLOG_IDENTIFIER values are listed and the wanted ones
 * become the journal's matches, so other programs' entries are never read.
 * While following, an identifier that appears later (postfix/bounce at
 * its first bounce) is added when the journal changes.
 *
 * Where: an entry's place is its sequence (s=, one per journal writer and
 * host) and its number in it (i=); "s=ID;i=HEX" is a cursor journalctl
 * takes (journalctl --cursor 's=...;i=5a'). Diagnostics name the entry's
 * full cursor where a text log's would name FILE:LINE.
 *
 * DIAGNOSTICS: a journal that cannot be opened, a local journal with no
 * files (or none this user may read), one with no entry of a wanted
 * identifier, a cursor file that cannot be read or written, and export or
 * JSON records that are cut or malformed are reported; journal_open()
 * returns NULL for the first three. Nothing is written to a journal.
 *
 * BUGS: sequence numbers above 2^32 are reported modulo 2^32 (the
 * session's line list holds 32-bit numbers). A session that was open when
 * a --cursor-file run stopped is reported in two halves by the two runs.
 */
#ifndef SLA_JOURNAL_H
#define SLA_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "reader.h"
#include "util.h"

/* One entry; the views are valid until the next entry is read. */
struct journal_entry {
	struct strview ident;	/* SYSLOG_IDENTIFIER, else _COMM */
	struct strview host;	/* _HOSTNAME */
	struct strview pid;	/* SYSLOG_PID, else _PID */
	struct strview message;	/* MESSAGE, any bytes */
	int64_t time_us;	/* UTC microseconds; INT64_MIN: none */
	const char *seqid;	/* "s=<32 hex digits>", or NULL if unknown */
	uint64_t seqnum;	/* the entry's i= in that sequence, 0 unknown */
	const char *cursor;	/* its cursor, or NULL */
};

/*
 * Write the entry as a syslog line (see above) into b, replacing what b
 * held. false, b unchanged, when the entry has no identifier or message:
 * it is no line of a program's log.
 */
bool journal_entry_line(const struct journal_entry *, struct buf *b);

/* --- the journal itself, through sd-journal ----------------------------- */

struct journal_opts {
	bool local;	/* --journal: this host's journal */
	const char *const *files;	/* --journal-file, nfiles of them */
	size_t nfiles;
	const char *dir;	/* --journal-dir, or NULL */
	/* Is this SYSLOG_IDENTIFIER one a pattern set reads? */
	bool (*wanted)(const char *ident, size_t len, void *arg);
	void *arg;
	/* Read entries from this time on (UTC microseconds), INT64_MIN:
	 * from the start; a cursor file's cursor goes first. */
	int64_t from_us;
	/* Stop at the first entry after this time, INT64_MAX: at the end. */
	int64_t to_us;
	const char *cursor_file;	/* --cursor-file, or NULL */
};

struct journal;

/*
 * Open the journal, choose the wanted identifiers and seek. NULL, after a
 * diagnostic, when it cannot be opened, has no files, or has no entry of
 * a wanted identifier: nothing to read is an error there, not a quiet
 * empty report.
 */
struct journal *journal_open(const struct journal_opts *);
/* 1 and the next entry; 0 at the end (for now, when following). */
int journal_next(struct journal *, struct journal_entry *);
/*
 * Following: wait up to timeout_us for new entries (read them with
 * journal_next()). false when no more will come: past to_us, or an error
 * (reported).
 */
bool journal_wait(struct journal *, uint64_t timeout_us);
/* The name that stands for the journal read: "journal", or a path. */
const char *journal_name(const struct journal *);
/* Entries read so far. */
unsigned long journal_count(const struct journal *);
/*
 * Write the cursor of the last entry read to the cursor file (a new file
 * renamed over it). true when written or when there is nothing to write;
 * false after a diagnostic.
 */
bool journal_save_cursor(struct journal *);
void journal_free(struct journal *);

/* --- journalctl -o export and -o json ------------------------------------ */

enum journal_format {
	JOURNAL_NONE,	/* not journalctl output: a text log */
	JOURNAL_EXPORT,	/* -o export: KEY=value lines, binary fields */
	JOURNAL_JSON,	/* -o json: one object per line */
};

/* What the first line of an input says it is. */
enum journal_format journal_format_of(struct strview first_line);

/* The journal fields an entry is made of. */
enum journal_field {
	JF_NONE = -1,
	JF_IDENT,	/* SYSLOG_IDENTIFIER */
	JF_COMM,	/* _COMM */
	JF_HOST,	/* _HOSTNAME */
	JF_SYSLOG_PID,	/* SYSLOG_PID */
	JF_PID,	/* _PID */
	JF_MESSAGE,	/* MESSAGE */
	JF_CURSOR,	/* __CURSOR (export and json only) */
	JF_REALTIME,	/* __REALTIME_TIMESTAMP */
	JF_SOURCE_TIME,	/* _SOURCE_REALTIME_TIMESTAMP */
	JF_SEQNUM,	/* __SEQNUM (journalctl 254 and later) */
	JF_SEQNUM_ID,	/* __SEQNUM_ID */
	JF__COUNT
};

struct journal_text {
	enum journal_format fmt;
	struct buf first;	/* the line read to recognise the format */
	bool have_first;
	struct buf f[JF__COUNT];	/* this record's fields */
	struct buf seqid;
	unsigned long records;
	bool warned;
};

/* Start reading an input whose first line (already read) is first. */
void journal_text_init(struct journal_text *, enum journal_format,
    struct strview first);
/*
 * 1 and the next entry of rd; 0 at its end. Records the input names no
 * sequence for (no __CURSOR, no __SEQNUM_ID) are numbered from 1 in the
 * order read, with seqid NULL.
 */
int journal_text_next(struct journal_text *, struct reader *rd,
    struct journal_entry *);
void journal_text_release(struct journal_text *);

/* --- shared by journal.c and journal_sd.c -------------------------------- */

/* vocab.h's rule: NULL for JF_NONE and out of range; JF_NONE for a name
 * not in the list. */
const char *journal_field_name(enum journal_field);
enum journal_field journal_field_by_name(const char *name, size_t len);
/*
 * Make e from the fields read (f[JF_CURSOR] or f[JF_SEQNUM*] give its
 * place; seqid receives the sequence's name). false when the fields make
 * no entry: no time stamp.
 */
bool journal_fields_entry(struct buf f[JF__COUNT], struct buf *seqid,
    struct journal_entry *e);

#endif
