/*
 * options - the command line: what the user asked for, and --help.
 *
 * options_parse() reads argv with getopt_long() into a struct options;
 * a bad option or value prints a diagnostic and the usage to stderr and
 * exits 64, -h prints the usage to stdout and exits 0, -V the version.
 * On return optind is the first FILE operand. Filters (--failed ...
 * --until) are handed to filter.h as they are read.
 *
 * The exit status codes are named here because usage errors end the
 * program here; every other exit status is main.c's to decide.
 */
#ifndef SLA_OPTIONS_H
#define SLA_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "filter.h"
#include "session.h"
#include "term.h"

enum exit_code {
	EXIT_OK = 0,
	EXIT_THRESHOLD = 1,
	EXIT_BAD_INPUT = 2,
	EXIT_USAGE = 64,
};

enum format {
	FORMAT_NONE = -1,
	FORMAT_TEXT,
	FORMAT_JSON,
	FORMAT_CSV,
	FORMAT_HTML,
	FORMAT__COUNT
};

struct options {
	enum format format;
	const char **ids;	/* --id, in the order given */
	size_t nids;
	bool sessions, check, stats;
	bool follow;	/* --follow FILE */
	/* the systemd journal: --journal, --journal-file, --journal-dir */
	bool journal;
	const char **journal_files;
	size_t njournal_files;
	const char *journal_dir;
	const char *cursor_file;	/* --cursor-file */
	const char *mta;
	const char **pattern_dirs;
	size_t npattern_dirs;
	const char *unparsed;
	int year;
	size_t max_open;
	size_t held_in_memory;	/* --held-in-memory */
	long session_timeout;
	struct filter *filter;
	const char *explain;	/* --explain CODE */
	bool quiet;
	/* --fail-threshold: a count, or a percentage of the sessions */
	bool have_threshold, threshold_pct;
	double threshold;
	enum phase threshold_phase;	/* PHASE_NONE: any phase */
	enum term_color color;	/* --color */
	unsigned top;	/* --top N: rows of each top table */
	unsigned worst;	/* --worst N: transcripts in the HTML report */
	unsigned threads;	/* --threads N; 0: not given */
};

/* The defaults, before options_parse(). */
#define OPTIONS_INIT {.format = FORMAT_TEXT, .session_timeout = 3600, \
	.held_in_memory = 1000}

/*
 * Fill *o from argv (o starts as OPTIONS_INIT). Exits on a bad option
 * (64), -h and -V (0); returns otherwise, with optind on the operands.
 */
void options_parse(int argc, char **argv, struct options *o);

/* Print the usage to fp and exit with status. */
_Noreturn void options_usage(FILE *fp, int status);

/*
 * After the one line that said what is wrong: "Try 'smtplog-analyze
 * --help'." on stderr, and exit 64. A usage error is never the whole help.
 */
_Noreturn void options_usage_error(void);

/* Release what options_parse() allocated, leaving *o as OPTIONS_INIT. */
void options_release(struct options *o);

/*
 * The shipped pattern directory: $SMTPLOG_ANALYZE_PATTERNS when set, the
 * installed one when it exists, else the source tree's (a build tree).
 */
const char *options_shipped_patterns(void);

/*
 * codes.yaml's path in path (size bytes): the last --patterns DIR that
 * has one, else the shipped directory's.
 */
void options_codes_path(const struct options *o, char *path, size_t size);

#endif
