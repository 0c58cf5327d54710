/*
 * report - what the user reads: a reporter receives each session as it
 * is handed on, then the run's figures at the end.
 *
 *	summary      the default text report (report_summary.c)
 *	sessions     one line per session (report_sessions.c)
 *	transcript   every line and the verdict of each session (--id,
 *	             report_transcript.c)
 *	json         one JSON object per session (design.md §5, a contract;
 *	             report_json.c)
 *	csv          the same keys as RFC 4180 rows (report_csv.c)
 *	html         the summary as one self-contained page for a mail
 *	             client (report_html.c)
 *
 * The summary and the HTML page also take each message once (the
 * message member), for the figures of tally.h; report_tally.c prints
 * those in the summary.
 *
 * Reporters write escaped text only (escape.h), whatever the log held.
 */
#ifndef SLA_REPORT_H
#define SLA_REPORT_H

#include <stdio.h>

#include "codes.h"
#include "correlate.h"
#include "session.h"
#include "term.h"
#include "timestamp.h"

struct run_info {
	const char *const *files;	/* file table of lineref.file */
	size_t nfiles;
	const char *journal;	/* the journal read (--journal, --journal-file,
				   --journal-dir), or NULL: files */
	unsigned long lines;	/* read */
	unsigned long recognised;	/* a pattern matched */
	unsigned long unrecognised;	/* an MTA's line no pattern knew */
	unsigned long other;	/* not any known MTA's line */
	unsigned long bad_time;	/* time stamp not understood */
	const char *mtas;	/* e.g. "postfix" */
	struct ts first, last;
	const struct correlate_stats *cst;
	const char *unparsed_file;	/* --unparsed, or NULL */
	const struct set_lines *sets;	/* per pattern set, nsets of them */
	size_t nsets;
};

/*
 * The lines one pattern set's prefixes matched: how many a pattern
 * recognised, the shapes of the rest, and the kinds of line every real
 * log of that server has ('every-log-has' in its file) of which none was
 * recognised.
 */
#define SET_KINDS_MAX 4
struct shapes;
struct set_lines {
	const struct pattern_set *set;
	unsigned long recognised, unrecognised;
	struct shapes *shapes;
	const char *kinds[SET_KINDS_MAX];	/* the set's kinds */
	bool kind_seen[SET_KINDS_MAX];
	size_t nkinds;
	unsigned features;	/* pattern_set_feature() bits lines showed */
};

struct reporter {
	void (*session)(struct reporter *, const struct session *);
	/* optional: each message once, unfiltered (tally.h); NULL: none */
	void (*message)(struct reporter *, const struct message *);
	/* optional: a message no session owned (queued on the host, a
	 * bounce) that --id named; NULL: sessions only */
	void (*lone)(struct reporter *, const struct message *);
	void (*finish)(struct reporter *, const struct run_info *);
	void (*free)(struct reporter *);
	FILE *out;
	const char *const *files;
	const struct codes *codes;	/* meanings, hints, sequence checks;
					   may be NULL */
	const struct term *term;	/* width and colour of text reports;
					   NULL: 80 columns, no colour */
	unsigned top;	/* --top: rows of each top table (0: 10) */
	unsigned worst;	/* --worst: transcripts in the HTML report */
	/* whether a reporter may hold what it wrote back and write it out
	 * in blocks (not when following a log, nor on a terminal) */
	bool batch;
};

struct reporter *report_summary_new(FILE *, const char *const *files);
struct reporter *report_sessions_new(FILE *, const char *const *files);
struct reporter *report_transcript_new(FILE *, const char *const *files);
struct reporter *report_json_new(FILE *, const char *const *files);
/* RFC 4180, one row per session, the JSON keys as columns (report_csv.c) */
struct reporter *report_csv_new(FILE *, const char *const *files);
/* one self-contained HTML page (report_html.c) */
struct reporter *report_html_new(FILE *, const char *const *files);

struct tallies;
/* The text summary's message figures (beside the session counts) and
 * its traffic sections (per hour, tops, relays, delays, TLS, SASL). */
void report_tally_figures(FILE *, const struct tallies *);
void report_tally_traffic(FILE *, const struct tallies *, unsigned top);

/* Shared by the reporters (report.c). */

/* Write s (NULL: nothing) to fp through esc_text(). */
void report_put(FILE *fp, const char *s);
/*
 * What the code at the start of text ("550 5.1.1 ...", "250-PIPELINING",
 * a summary key "550 5.1.1") means, in a few words (codes_gist()) into
 * g, or NULL; NULL also when codes is NULL.
 */
const char *report_reply_gist(const struct codes *codes, const char *text,
    char *g, size_t size);
/* A reporter's finish that flushes its output, and a free that frees the
 * struct reporter alone. */
void report_finish_flush(struct reporter *, const struct run_info *);
void report_free_plain(struct reporter *);

/* session_lines() (session.h), under the name reporters know. */
size_t report_lines(const struct session *, struct lineref **out);
/*
 * The text of a line: the one it kept, or read back from its file at its
 * offset (struct lineref, correlate_opts.reread) into f's buffer. A file
 * that can no longer be read there gives "" and one warning.
 */
struct line_file {
	int fd;	/* -1: none open */
	uint32_t idx;	/* the file table's index of fd */
	bool warned;
	char *s;	/* the line read back */
	size_t cap;
};
#define LINE_FILE_INIT {-1, 0, false, NULL, 0}
const char *report_line_text(struct line_file *, const char *const *files,
    const struct lineref *);
void report_line_file_close(struct line_file *);

/*
 * Order two client or server keys ("192.0.2.7", "2001:db8::1",
 * "mx.example.org[192.0.2.7]:25") by their address as numbers: IPv4
 * before IPv6, then the port; keys without an address after those, by
 * text. For lists sorted by count, then address (10.0.0.9 before
 * 10.0.0.10).
 */
int report_addr_cmp(const char *a, const char *b);

/*
 * word in the colour of p when t says so (term.h), then spaces up to
 * width columns: "%-12s" for a coloured word. report_status_paint() is
 * the colour of a status.
 */
void report_painted(FILE *, const struct term *t, enum term_paint p,
    const char *word, int width);
enum term_paint report_status_paint(enum status);

#endif
