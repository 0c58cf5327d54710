/*
 * options - the command line, apart from main() so that main.c holds only
 * the wiring: getopt_long() over the long options in alphabetical order,
 * every value checked here (or by filter.c for the filters) so that a bad
 * one is a usage error before any file is opened.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "diag.h"
#include "options.h"
#include "suggest.h"
#include "term.h"
#include "timestamp.h"
#include "util.h"

static const char *const format_names[FORMAT__COUNT] = {
	[FORMAT_TEXT] = "text",
	[FORMAT_JSON] = "json",
	[FORMAT_CSV] = "csv",
	[FORMAT_HTML] = "html",
};

/* --format's word, by vocab.h's rule: FORMAT_NONE when unknown. */
static enum format
format_by_name(const char *s, size_t len)
{
	for (int i = 0; i < FORMAT__COUNT; i++)
		if (strlen(format_names[i]) == len &&
		    memcmp(s, format_names[i], len) == 0)
			return (enum format)i;
	return FORMAT_NONE;
}

_Noreturn void
options_usage_error(void)
{
	fputs("Try 'smtplog-analyze --help'.\n", stderr);
	exit(EXIT_USAGE);
}

/* what --help prints */
static const char usage_text[] =
"usage: smtplog-analyze [options] [FILE...]\n"
"\n"
"Read the logs of the mail servers the pattern files describe (plain or\n"
"gzip; '-' or none: standard input) and say for every SMTP session what\n"
"happened and, when it failed, in which phase: pre-greeting, helo,\n"
"starttls, auth, mail, rcpt, data, post-queue.\n"
"\n"
"  -f, --format FMT       text (default); json: one JSON object per session;\n"
"                         csv: one row per session (RFC 4180); html: the\n"
"                         summary as one self-contained page\n"
"  -i, --id ID            only the conversations carrying ID (queue ID, pid,\n"
"                         client IP, Message-ID, sender or recipient); with\n"
"                         text output, print each one's lines and verdict,\n"
"                         and a message no session brought (a bounce);\n"
"                         repeatable\n"
"  -s, --sessions         one line per session instead of the summary\n"
"      --color WHEN       colour statuses and phases: auto (on a terminal,\n"
"                         unless NO_COLOR is set), always or never\n"
"  -m, --mta NAME         read every file as NAME's log (no detection)\n"
"  -p, --patterns DIR     load DIR/*.yaml after the shipped pattern files;\n"
"                         a file naming the same mta replaces the shipped one\n"
"      --check-patterns   load every pattern file, test its samples, exit\n"
"      --explain CODE [ENHANCED]\n"
"                         what a reply code (and enhanced status code)\n"
"                         means, the usual causes per phase, where to look\n"
"      --unparsed FILE    write the mail-server lines no pattern recognised\n"
"      --year YEAR        year of the first line of year-less logs\n"
"      --tz ZONE          zone of zone-less time stamps: UTC, +01:00, or a\n"
"                         name such as Europe/Berlin\n"
"      --max-open N       sessions and queued messages held at most\n"
"                         (default 100000); past it the oldest are reported\n"
"                         as they stand\n"
"      --held-in-memory N sessions waiting for their queued messages, and\n"
"                         queued messages without one, kept in memory (1000\n"
"                         of each by default); the rest go to a temporary file\n"
"      --session-timeout SECONDS\n"
"                         a session quiet this long (in log time) is over:\n"
"                         inbound incomplete, outbound with a result after\n"
"                         300 at most (default 3600; 0: at the end)\n"
"  -F, --follow           read FILE, then wait for more and report each\n"
"                         session as it ends, across log rotation, until\n"
"                         interrupted; one plain FILE (or the journal) only\n"
"      --journal          read this host's systemd journal (the entries of\n"
"                         the mail servers' syslog identifiers), not FILEs\n"
"      --journal-file FILE\n"
"                         read a saved journal file; repeatable\n"
"      --journal-dir DIR  read the journal files in DIR\n"
"      --cursor-file FILE with a journal: start after the entry FILE names,\n"
"                         and write there the last one read\n"
"      --stats            print lines/s, sessions, peak memory and CPU time\n"
"                         to stderr\n"
"      --threads N        1: everything on one thread; 2 or more: read and\n"
"                         match lines on one, correlate and report on\n"
"                         another (default: 2 with 2 CPUs or more)\n"
"      --top N            rows of each top table of the summary (default 10)\n"
"      --worst N          html: add the transcripts of the N worst sessions\n"
"\n";
/* two strings: C99 compilers need take no more than 4095 bytes */
static const char usage_filters[] =
"Filters (all must hold; one given twice accepts either value):\n"
"      --failed           failed or partial sessions\n"
"      --status S         ok, failed, partial or incomplete\n"
"      --phase P          failed in phase P, or incomplete there\n"
"      --cause C          failed for cause C (unknown-user, greylist, ...)\n"
"      --client IP[/N]    client address, or the server's for outbound\n"
"      --from ADDR        sender address, or a domain\n"
"      --to ADDR          recipient address, or a domain\n"
"      --code N           reply code (550, 5xx) or enhanced code (5.1.1)\n"
"      --grep REGEX       conversations any line of which matches\n"
"      --since T, --until T\n"
"                         sessions overlapping [since, until): 2026-11-22,\n"
"                         2026-11-22T06:00, today, yesterday, -24h, -7d\n"
"      --fail-threshold N|P%[,phase=P]\n"
"                         exit 1 when N sessions (or P% of them) failed,\n"
"                         in phase P if given\n"
"  -q, --quiet            print nothing when no session passes the filters\n"
"  -h, --help             print this help and exit\n"
"  -V, --version          print the version and exit\n"
"\n"
"Exit status: 0 success, 1 --fail-threshold reached, 2 unreadable input\n"
"or bad pattern files, 64 usage error. See smtplog-analyze(1).\n";

_Noreturn void
options_usage(FILE *fp, int status)
{
	fputs(usage_text, fp);
	fputs(usage_filters, fp);
	exit(status);
}

static void
add_str(const char ***v, size_t *n, const char *s)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = s;
}

static long
number(const char *opt, const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		diag_error("option '%s': '%s' is not a number from %ld to %ld",
		    opt, s, min, max);
		options_usage_error();
	}
	return v;
}

/* "10", "5%", "10,phase=rcpt", "2.5%,phase=data" */
static bool
parse_threshold(struct options *o, const char *v)
{
	char *end;
	double n;

	errno = 0;
	n = strtod(v, &end);
	if (errno || end == v || n < 0 || v[0] == '-' || v[0] == '+')
		goto bad;
	o->threshold_pct = *end == '%';
	if (o->threshold_pct) {
		end++;
		if (n > 100)
			goto bad;
	} else if (n != (double)(long)n) {
		goto bad;
	}
	o->threshold_phase = PHASE_NONE;
	if (strncmp(end, ",phase=", 7) == 0) {
		o->threshold_phase = phase_by_name(end + 7, strlen(end + 7));
		if (o->threshold_phase == PHASE_NONE)
			goto bad;
	} else if (*end != '\0') {
		goto bad;
	}
	o->threshold = n;
	o->have_threshold = true;
	return true;
bad:
	diag_error("option '--fail-threshold': '%s' is not N, P%% or either "
	    "followed by ,phase=PHASE", v);
	return false;
}

/*
 * getopt_long() found an unknown option ('?') or one without its value
 * (':'): say which, with the closest option for a typo, and exit 64.
 */
static _Noreturn void
bad_option(int c, char **argv, const struct option *lo)
{
	const char *word = argv[optind - 1], *names[64];
	char name[64];
	size_t n = 0, len;

	for (; lo[n].name && n < ARRAY_SIZE(names); n++)
		names[n] = lo[n].name;
	if (c == ':') {
		for (size_t i = 0; i < n; i++)
			if (lo[i].val == optopt) {
				diag_error("option '--%s' needs a value",
				    lo[i].name);
				options_usage_error();
			}
		diag_error("option '%s' needs a value", word);
		options_usage_error();
	}
	if (optopt != 0 || strncmp(word, "--", 2) != 0) {
		diag_error("unknown option '-%c'", optopt ? optopt : '?');
		options_usage_error();
	}
	len = strcspn(word + 2, "=");
	snprintf(name, sizeof(name), "%.*s", (int)len, word + 2);
	{
		const char *near = suggest_closest(name, names, n);
		size_t nprefix = 0;

		for (size_t i = 0; i < n; i++)
			nprefix += strncmp(names[i], name, len) == 0;
		if (nprefix > 1)
			diag_error("option '--%s' is ambiguous: it starts "
			    "%zu options", name, nprefix);
		else if (near)
			diag_error("unknown option '--%s'; did you mean "
			    "'--%s'?", name, near);
		else
			diag_error("unknown option '--%s'", name);
	}
	options_usage_error();
}

/* getopt_long()'s codes of the long options without a letter */
enum {
	OPT_CHECK = 256,
	OPT_CAUSE,
	OPT_CLIENT,
	OPT_CODE,
	OPT_COLOR,
	OPT_CURSOR_FILE,
	OPT_EXPLAIN,
	OPT_FAIL_THRESHOLD,
	OPT_FAILED,
	OPT_FROM,
	OPT_GREP,
	OPT_JOURNAL,
	OPT_JOURNAL_DIR,
	OPT_JOURNAL_FILE,
	OPT_PHASE,
	OPT_SINCE,
	OPT_STATUS,
	OPT_TO,
	OPT_UNTIL,
	OPT_MAX_OPEN,
	OPT_HELD_IN_MEMORY,
	OPT_SESSION_TIMEOUT,
	OPT_STATS,
	OPT_THREADS,
	OPT_TOP,
	OPT_TZ,
	OPT_UNPARSED,
	OPT_WORST,
	OPT_YEAR,
};

/* in alphabetical order, as --help lists them */
static const struct option longopts[] = {
	{"cause", required_argument, NULL, OPT_CAUSE},
	{"check-patterns", no_argument, NULL, OPT_CHECK},
	{"client", required_argument, NULL, OPT_CLIENT},
	{"code", required_argument, NULL, OPT_CODE},
	{"color", required_argument, NULL, OPT_COLOR},
	{"cursor-file", required_argument, NULL, OPT_CURSOR_FILE},
	{"explain", required_argument, NULL, OPT_EXPLAIN},
	{"fail-threshold", required_argument, NULL, OPT_FAIL_THRESHOLD},
	{"failed", no_argument, NULL, OPT_FAILED},
	{"from", required_argument, NULL, OPT_FROM},
	{"grep", required_argument, NULL, OPT_GREP},
	{"phase", required_argument, NULL, OPT_PHASE},
	{"quiet", no_argument, NULL, 'q'},
	{"since", required_argument, NULL, OPT_SINCE},
	{"status", required_argument, NULL, OPT_STATUS},
	{"to", required_argument, NULL, OPT_TO},
	{"until", required_argument, NULL, OPT_UNTIL},
	{"follow", no_argument, NULL, 'F'},
	{"format", required_argument, NULL, 'f'},
	{"held-in-memory", required_argument, NULL, OPT_HELD_IN_MEMORY},
	{"help", no_argument, NULL, 'h'},
	{"id", required_argument, NULL, 'i'},
	{"journal", no_argument, NULL, OPT_JOURNAL},
	{"journal-dir", required_argument, NULL, OPT_JOURNAL_DIR},
	{"journal-file", required_argument, NULL, OPT_JOURNAL_FILE},
	{"max-open", required_argument, NULL, OPT_MAX_OPEN},
	{"mta", required_argument, NULL, 'm'},
	{"patterns", required_argument, NULL, 'p'},
	{"session-timeout", required_argument, NULL,
	    OPT_SESSION_TIMEOUT},
	{"sessions", no_argument, NULL, 's'},
	{"stats", no_argument, NULL, OPT_STATS},
	{"threads", required_argument, NULL, OPT_THREADS},
	{"top", required_argument, NULL, OPT_TOP},
	{"tz", required_argument, NULL, OPT_TZ},
	{"unparsed", required_argument, NULL, OPT_UNPARSED},
	{"version", no_argument, NULL, 'V'},
	{"worst", required_argument, NULL, OPT_WORST},
	{"year", required_argument, NULL, OPT_YEAR},
	{NULL, 0, NULL, 0},
};

/* A filter (filter.h): true when c is one, with *ok false for a bad
 * value (already reported). */
static bool
filter_option(struct options *o, int c, time_t now, bool *ok)
{
	switch (c) {
	case OPT_FAILED:
		*ok = filter_status(o->filter, "--failed", NULL);
		return true;
	case OPT_STATUS:
		*ok = filter_status(o->filter, "--status", optarg);
		return true;
	case OPT_PHASE:
		*ok = filter_phase(o->filter, "--phase", optarg);
		return true;
	case OPT_CAUSE:
		*ok = filter_cause(o->filter, "--cause", optarg);
		return true;
	case OPT_CLIENT:
		*ok = filter_client(o->filter, "--client", optarg);
		return true;
	case OPT_FROM:
		*ok = filter_from(o->filter, "--from", optarg);
		return true;
	case OPT_TO:
		*ok = filter_to(o->filter, "--to", optarg);
		return true;
	case OPT_CODE:
		*ok = filter_code(o->filter, "--code", optarg);
		return true;
	case OPT_GREP:
		*ok = filter_grep(o->filter, "--grep", optarg);
		return true;
	case OPT_SINCE:
		*ok = filter_since(o->filter, "--since", optarg, now);
		return true;
	case OPT_UNTIL:
		*ok = filter_until(o->filter, "--until", optarg, now);
		return true;
	}
	return false;
}

/* An option whose value is checked here: true when c is one, with *ok
 * false for a bad value (already reported). */
static bool
value_option(struct options *o, int c, bool *ok)
{
	switch (c) {
	case OPT_FAIL_THRESHOLD:
		*ok = parse_threshold(o, optarg);
		return true;
	case 'f':
		o->format = format_by_name(optarg, strlen(optarg));
		*ok = o->format != FORMAT_NONE;
		if (!*ok)
			suggest_unknown("--format", "format", optarg,
			    format_names, FORMAT__COUNT);
		return true;
	case OPT_COLOR:
		o->color = term_color_by_name(optarg, strlen(optarg));
		if (o->color == TERM_COLOR_NONE) {
			const char *names[TERM_COLOR__COUNT];

			for (int i = 0; i < TERM_COLOR__COUNT; i++)
				names[i] = term_color_name(
				    (enum term_color)i);
			suggest_unknown("--color", "colour", optarg,
			    names, TERM_COLOR__COUNT);
			*ok = false;
		}
		return true;
	case OPT_MAX_OPEN:
		o->max_open = (size_t)number("--max-open", optarg, 1,
		    100000000);
		return true;
	case OPT_HELD_IN_MEMORY:
		o->held_in_memory = (size_t)number("--held-in-memory", optarg,
		    0, 100000000);
		return true;
	case OPT_SESSION_TIMEOUT:
		o->session_timeout = number("--session-timeout",
		    optarg, 0, 100L * 365 * 86400);
		return true;
	case OPT_THREADS:
		o->threads = (unsigned)number("--threads", optarg, 1, 1024);
		return true;
	case OPT_TOP:
		o->top = (unsigned)number("--top", optarg, 1, 1000000);
		return true;
	case OPT_WORST:
		o->worst = (unsigned)number("--worst", optarg, 0, 1000);
		return true;
	case OPT_TZ:
		if (!ts_set_default_zone(optarg)) {
			diag_error("option '--tz': cannot use zone "
			    "'%s'", optarg);
			options_usage_error();
		}
		return true;
	case OPT_YEAR:
		o->year = (int)number("--year", optarg, 1970, 9999);
		return true;
	}
	return false;
}

/* The other options: flags and values taken as they are. */
static void
plain_option(struct options *o, int c, char **argv)
{
	switch (c) {
	case '?':
	case ':':
		bad_option(c, argv, longopts);
		break;
	case 'q':
		o->quiet = true;
		break;
	case OPT_EXPLAIN:
		o->explain = optarg;
		break;
	case 'F':
		o->follow = true;
		break;
	case 'h':
		options_usage(stdout, EXIT_OK);
	case 'i':
		add_str(&o->ids, &o->nids, optarg);
		break;
	case 'm':
		o->mta = optarg;
		break;
	case 'p':
		add_str(&o->pattern_dirs, &o->npattern_dirs, optarg);
		break;
	case 's':
		o->sessions = true;
		break;
	case 'V':
		printf("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
		exit(EXIT_OK);
	case OPT_CHECK:
		o->check = true;
		break;
	case OPT_CURSOR_FILE:
		o->cursor_file = optarg;
		break;
	case OPT_JOURNAL:
		o->journal = true;
		break;
	case OPT_JOURNAL_DIR:
		o->journal_dir = optarg;
		break;
	case OPT_JOURNAL_FILE:
		add_str(&o->journal_files, &o->njournal_files, optarg);
		break;
	case OPT_STATS:
		o->stats = true;
		break;
	case OPT_UNPARSED:
		o->unparsed = optarg;
		break;
	default:
		options_usage_error();
	}
}

void
options_parse(int argc, char **argv, struct options *o)
{
	time_t now = time(NULL);
	bool ok = true;
	int c;

	o->filter = filter_new();
	opterr = 0;	/* bad_option() says it in one line */
	while ((c = getopt_long(argc, argv, ":Ff:hi:m:p:qsV", longopts,
	    NULL)) != -1) {
		if (!filter_option(o, c, now, &ok) &&
		    !value_option(o, c, &ok))
			plain_option(o, c, argv);
		if (!ok)
			options_usage_error();
		ok = true;
	}
	if (o->worst > 0 && o->format != FORMAT_HTML) {
		/* the transcripts go into the page; elsewhere there is --id */
		diag_error("option '--worst' needs '--format html'");
		options_usage_error();
	}
}


/* The shipped patterns: installed, or the source tree's for a build tree. */
const char *
options_shipped_patterns(void)
{
	struct stat st;
	const char *env = getenv("SMTPLOG_ANALYZE_PATTERNS");

	if (env && *env)
		return env;
	if (stat(PATTERNS_DIR, &st) == 0 && S_ISDIR(st.st_mode))
		return PATTERNS_DIR;
	return PATTERNS_SRCDIR;
}

/* codes.yaml: the last --patterns DIR that has one, else the shipped one */
void
options_codes_path(const struct options *o, char *path, size_t size)
{
	struct stat st;

	snprintf(path, size, "%s/codes.yaml", options_shipped_patterns());
	for (size_t i = o->npattern_dirs; i-- > 0;) {
		char p[4096];

		snprintf(p, sizeof(p), "%s/codes.yaml", o->pattern_dirs[i]);
		if (stat(p, &st) == 0) {
			snprintf(path, size, "%s", p);
			return;
		}
	}
}

void
options_release(struct options *o)
{
	free(o->ids);
	free(o->pattern_dirs);
	free(o->journal_files);
	filter_free(o->filter);
	*o = (struct options)OPTIONS_INIT;
}
