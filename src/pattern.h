/*
 * pattern - pattern sets loaded from YAML, compiled once with PCRE2 JIT.
 *
 * One file per MTA (patterns/postfix.yaml, ...). A set has line prefixes
 * (time stamp, host, program, process ID: the part every line shares) and
 * message patterns. Each pattern names an event and captures fields with
 * named groups; the names are the fixed vocabulary of enum field, the same
 * for every MTA, so the correlator and classifier never learn which server
 * wrote a line. See patterns/README.md for the schema.
 *
 * Matching a line: the set's prefixes are tried in order; the first that
 * matches yields the prefix fields and the offset of the message. The value
 * of the set's dispatch field (e.g. the daemon, "smtpd") selects the few
 * patterns worth trying, and a literal lead checked with memcmp() skips
 * most of those before any regex runs. Fields are views into the line: no
 * allocation per line.
 *
 * DIAGNOSTICS: every problem in a pattern file is reported as
 * FILE:LINE:COLUMN with the pattern's name and the reason, and counted
 * with diag; pattern_db_load() returns NULL when any file was refused.
 */
#ifndef SLA_PATTERN_H
#define SLA_PATTERN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"
#include "vocab.h"

#define KEY_FIELDS_MAX 6
#define KEY_ALTS_MAX 4

struct pattern;
struct pattern_set;
struct pattern_db;

/* What one line yielded. */
struct match {
	const struct pattern_set *set;
	const struct pattern *pat;	/* NULL: prefix only, no pattern */
	bool fallback;	/* the prefix that matched names no program */
	uint64_t has;	/* bit f: f[f] is set (its p is not NULL) */
	uint64_t consts;	/* bit f: f[f] is a pattern's constant (set:,
				   map:), not a view into the line */
	struct strview f[F__COUNT];
};

_Static_assert(F__COUNT <= 64, "struct match's has holds a bit a field");

/*
 * Load every *.yaml file of each directory in dirs, in order; a later file
 * whose "mta" names a set already loaded replaces it (--patterns DIR).
 * Returns NULL after reporting every problem found.
 */
struct pattern_db *pattern_db_load(const char *const *dirs, size_t ndirs);
void pattern_db_free(struct pattern_db *);

/* Test every sample of every set; report each mismatch. Returns failures. */
unsigned pattern_db_check(const struct pattern_db *, unsigned *nsamples);

size_t pattern_db_count(const struct pattern_db *);
const struct pattern_set *pattern_db_set(const struct pattern_db *, size_t);
const struct pattern_set *pattern_db_find(const struct pattern_db *,
    const char *mta);

/*
 * Match a line against one set. Returns false when no prefix of the set
 * matches (the line is not this MTA's); true with m->pat NULL when the
 * prefix matched but no message pattern did (an unrecognised line).
 * With fallback false only the ordinary prefixes are tried; with true only
 * the fallback ones (for lines whose source stripped the prefix).
 */
bool pattern_set_match(const struct pattern_set *, struct strview line,
    bool fallback, struct match *m);
/*
 * The same, for an m that holds an earlier match (or was zeroed): only
 * the fields its has names are cleared, not the whole of it.
 */
bool pattern_set_match_again(const struct pattern_set *,
    struct strview line, bool fallback, struct match *m);

/*
 * Matching may run on a thread of its own (relay.h): each thread gets its
 * own match data on its first match. A thread other than the one that
 * loaded the db releases its own with this before it ends.
 */
void pattern_thread_release(void);

/*
 * Does the set read the journal entries of this SYSLOG_IDENTIFIER (its
 * 'journal' regex)? Always false for a set without one.
 */
bool pattern_set_journal_reads(const struct pattern_set *,
    const char *ident, size_t len);

/* The set's name ("postfix") and file. */
const char *pattern_set_mta(const struct pattern_set *);
const char *pattern_set_file(const struct pattern_set *);

/*
 * The key fields of the session a matched line belongs to: the first of
 * the pattern's (or else the set's) key alternatives whose fields the line
 * all has, or the last one. *gap_us, when not NULL, gets that key's gap:
 * a session under it ends after this much log time without a line (0:
 * only its own end line or the idle timeout end it).
 */
size_t pattern_key_fields(const struct match *, const enum field **out);
size_t pattern_session_key(const struct match *, const enum field **out,
    int64_t *gap_us);
/*
 * How long (log time) a session closed by its end line still takes the
 * lines of trailing patterns under its key: servers that log after the
 * end (Exim's "no MAIL in SMTP connection" after "closed by QUIT"). Any
 * other line on the key ends it at once. 0: none.
 */
int64_t pattern_set_linger_us(const struct pattern_set *);
/* What the admin can change so that sessions keyed with a gap (inexact)
 * are keyed exactly, e.g. Exim's log_selector; NULL if nothing. */
const char *pattern_set_advice(const struct pattern_set *);
/*
 * A set's 'features': settings of the server a line shows were on (Exim's
 * log_selector +pid, by a pid field; +smtp_connection, by the line its
 * pattern reads). pattern_set_feature() names feature i (NULL past the
 * last); pattern_features_of() is the mask of those a matched line shows.
 */
#define FEATURES_MAX 16
const char *pattern_set_feature(const struct pattern_set *, size_t i);
unsigned pattern_features_of(const struct match *);
/*
 * The set's own words for the stages of a conversation ('stages':
 * "END-OF-MESSAGE" is data), for phase_of_stage() (transcript.h); NULL
 * when it has none.
 */
struct stage_words;
const struct stage_words *pattern_set_stages(const struct pattern_set *);
/* The formats of the set's time stamps ('timestamp-format', timestamp.h),
 * for ts_parse_with(). */
struct ts_formats;
const struct ts_formats *pattern_set_ts_formats(const struct pattern_set *);
/* Message key field of the set, or -1. */
int pattern_set_message_field(const struct pattern_set *);
/* Label template of the session, e.g. "{host}/{daemon}[{pid}]". */
const char *pattern_label(const struct match *);
/* The session's name from the label template, or the key fields joined. */
void pattern_format_label(const struct match *, const enum field *kf,
    size_t nk, struct buf *);

const char *pattern_name(const struct pattern *);
enum event pattern_event(const struct pattern *);
enum scope pattern_scope(const struct pattern *);
enum direction pattern_direction(const struct pattern *);
bool pattern_explains(const struct pattern *);
bool pattern_closes(const struct pattern *);
/*
 * A disconnect line that does not say how the session ended: unless the
 * transcript showed QUIT (or a message was accepted and the client left),
 * the client dropped the connection in the phase of its last command.
 */
bool pattern_needs_quit(const struct pattern *);
/* Its text field is what the client sent (a command before the greeting,
 * pipelined input, HTTP), not a reply: --id shows it as the client's. */
bool pattern_client_text(const struct pattern *);
/* A line its server logs after a session's end line (see linger). */
bool pattern_trails(const struct pattern *);
/*
 * A delivery line that repeats a recipient's standing outcome without its
 * reason (Exim's "retry time not reached"): it sets the status of a
 * recipient that had none, and keeps the reply, text and phase of an
 * earlier line with the same status.
 */
bool pattern_repeats(const struct pattern *);
/*
 * A pattern's 'stats': how its line writes the server's count of the
 * commands of the session (read from the session's end line), e.g.
 *
 *	"ehlo=1 mail=1 rcpt=0/1 data=0/1 quit=1 commands=3/5"
 *		{F_STATS, ' ', STATS_COUNTS, "unknown"}
 *	"EHLO,STARTTLS,AUTH,QUIT"
 *		{F_STATS, ',', STATS_COMMANDS, NULL}
 *
 * STATS_COUNTS items are NAME=N or NAME=OK/TOTAL (OK of TOTAL commands
 * succeeded); STATS_COMMANDS items are the commands sent, in order.
 * pattern_stats() is NULL for a pattern without.
 */
enum stats_items {
	STATS_COUNTS,
	STATS_COMMANDS,
};
struct stats_format {
	enum field field;	/* the field that holds them */
	char sep;	/* between items (runs of it count as one) */
	enum stats_items items;
	const char *unknown;	/* STATS_COUNTS: the name of the count of
				   commands the server did not know, or
				   NULL */
};
const struct stats_format *pattern_stats(const struct pattern *);
/* The phase a line shows its session got to at least, or PHASE_NONE:
 * Exim logs "unexpected disconnection" only with a transaction open. */
enum phase pattern_reaches(const struct pattern *);
/*
 * The kind of line every real log of the set's server has that this
 * pattern reads ("deliveries"), or NULL; pattern_set_kinds() lists a
 * set's kinds (at most max, first seen first) and returns how many.
 */
const char *pattern_every_log_has(const struct pattern *);
size_t pattern_set_kinds(const struct pattern_set *, const char **out,
    size_t max);

/*
 * A set's 'csv' key: how the records of a CSV log become the lines its
 * regexes match (csv.h). NULL for sets of plain-text logs.
 */
struct pattern_csv {
	char **fields;	/* the canonical line's columns, in order;
			   "log-type" is the '#Log-type:' value */
	size_t nfields;
	char *header;	/* the documented '#Fields:' value, for files
			   without one and for samples */
	char **log_types;	/* '#Log-type:' values the set reads */
	size_t nlog_types;
};
const struct pattern_csv *pattern_set_csv(const struct pattern_set *);
/* Does the set's csv 'detect' regex know this header-less record? */
bool pattern_csv_detect(const struct pattern_set *, struct strview line);

/* Cause rules (patterns/causes.yaml): the first rule matching wins. */
/*
 * Every cause name the rules define, then those the defaults name, then
 * the classifier's last resort ("other"), each once: what --cause may
 * name. *out is malloc'd (the names are the db's); returns the count.
 */
size_t pattern_db_cause_names(const struct pattern_db *, const char ***out);
/*
 * What --check-patterns says about the files loaded, one line each:
 * "FILE: extends postfix (1 pattern, 1 cause rule)", "FILE: replaces
 * FILE". Returns the count; the lines are the db's.
 */
size_t pattern_db_notes(const struct pattern_db *,
    const char *const **out);
const char *pattern_db_cause(const struct pattern_db *, enum phase phase,
    const char *reply, const char *enhanced, const char *text);
/*
 * The cause of a failure of kind k that no rule names: the 'defaults'
 * entry for k, else their 'else', else "other" (also for db NULL).
 */
const char *pattern_db_default_cause(const struct pattern_db *, enum kind k);
/*
 * What a refusal whose cause is cause is instead, by the 'kind' of the
 * first rule for that cause that has one ("pipelining": KIND_PROTOCOL);
 * KIND_NONE when none has (and for db NULL).
 */
enum kind pattern_db_cause_kind(const struct pattern_db *, const char *cause);

#endif
