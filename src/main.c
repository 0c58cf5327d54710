/*
 * smtplog-analyze - name the phase in which each SMTP session failed.
 *
 * main() parses the options, loads the pattern files, and runs the
 * pipeline: reader -> pattern match -> correlator -> classifier ->
 * reporter. It alone decides the exit status:
 *
 *	0   success
 *	1   --fail-threshold reached
 *	2   bad input (a file that could not be read) or bad pattern files
 *	64  usage error
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "codes.h"
#include "correlate.h"
#include "csv.h"
#include "diag.h"
#include "filter.h"
#include "pattern.h"
#include "reader.h"
#include "report.h"
#include "timestamp.h"

enum exit_code {
	EXIT_OK = 0,
	EXIT_THRESHOLD = 1,
	EXIT_BAD_INPUT = 2,
	EXIT_USAGE = 64,
};

enum format {
	FORMAT_TEXT,
	FORMAT_JSON,
	FORMAT_CSV,
	FORMAT_HTML,
};

struct options {
	enum format format;
	const char **ids;
	size_t nids;
	bool sessions, check, stats;
	bool follow;	/* --follow FILE */
	const char *mta;
	const char **pattern_dirs;
	size_t npattern_dirs;
	const char *unparsed;
	int year;
	size_t max_open;
	long session_timeout;
	struct filter *filter;
	const char *explain;	/* --explain CODE */
	bool quiet;
	/* --fail-threshold: a count, or a percentage of the sessions */
	bool have_threshold, threshold_pct;
	double threshold;
	enum phase threshold_phase;	/* PHASE_NONE: any phase */
	unsigned top;	/* --top N: rows of each top table */
	unsigned worst;	/* --worst N: transcripts in the HTML report */
};

static _Noreturn void
usage(FILE *fp, int status)
{
	fputs(
"usage: smtplog-analyze [options] [FILE...]\n"
"\n"
"Read Postfix, Exim, Kerio Connect and Microsoft Exchange logs (plain or\n"
"gzip; '-' or none: standard input) and say for every SMTP session what\n"
"happened and, when it failed, in which phase: pre-greeting, helo,\n"
"starttls, auth, mail, rcpt, data, post-queue.\n"
"\n"
"  -f, --format FMT       text (default); json: one JSON object per session;\n"
"                         csv: one row per session (RFC 4180); html: the\n"
"                         summary as one self-contained page\n"
"  -i, --id ID            only the conversations carrying ID (queue ID, pid,\n"
"                         client IP, Message-ID, sender or recipient); with\n"
"                         text output, print each one's lines and verdict;\n"
"                         repeatable\n"
"  -s, --sessions         one line per session instead of the summary\n"
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
"      --session-timeout SECONDS\n"
"                         a session with no line for this long (in log\n"
"                         time) is over: incomplete when inbound (default\n"
"                         3600; 0: wait for the end of the input)\n"
"  -F, --follow           read FILE, then wait for more and report each\n"
"                         session as it ends, across log rotation, until\n"
"                         interrupted; one plain FILE only\n"
"      --stats            print lines/s, sessions and peak memory to stderr\n"
"      --top N            rows of each top table of the summary (default 10)\n"
"      --worst N          html: add the transcripts of the N worst sessions\n"
"\n"
"Filters (all must hold; one given twice accepts either value):\n"
"      --failed           failed or partial sessions\n"
"      --status S         ok, failed, partial or incomplete\n"
"      --phase P          failed in phase P\n"
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
"or bad pattern files, 64 usage error. See smtplog-analyze(1).\n", fp);
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
		usage(stderr, EXIT_USAGE);
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

static void
parse_options(int argc, char **argv, struct options *o)
{
	enum {
		OPT_CHECK = 256,
		OPT_CAUSE,
		OPT_CLIENT,
		OPT_CODE,
		OPT_EXPLAIN,
		OPT_FAIL_THRESHOLD,
		OPT_FAILED,
		OPT_FROM,
		OPT_GREP,
		OPT_PHASE,
		OPT_SINCE,
		OPT_STATUS,
		OPT_TO,
		OPT_UNTIL,
		OPT_MAX_OPEN,
		OPT_SESSION_TIMEOUT,
		OPT_STATS,
		OPT_TOP,
		OPT_TZ,
		OPT_UNPARSED,
		OPT_WORST,
		OPT_YEAR,
	};
	static const struct option longopts[] = {
		{"cause", required_argument, NULL, OPT_CAUSE},
		{"check-patterns", no_argument, NULL, OPT_CHECK},
		{"client", required_argument, NULL, OPT_CLIENT},
		{"code", required_argument, NULL, OPT_CODE},
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
		{"help", no_argument, NULL, 'h'},
		{"id", required_argument, NULL, 'i'},
		{"max-open", required_argument, NULL, OPT_MAX_OPEN},
		{"mta", required_argument, NULL, 'm'},
		{"patterns", required_argument, NULL, 'p'},
		{"session-timeout", required_argument, NULL,
		    OPT_SESSION_TIMEOUT},
		{"sessions", no_argument, NULL, 's'},
		{"stats", no_argument, NULL, OPT_STATS},
		{"top", required_argument, NULL, OPT_TOP},
		{"tz", required_argument, NULL, OPT_TZ},
		{"unparsed", required_argument, NULL, OPT_UNPARSED},
		{"version", no_argument, NULL, 'V'},
		{"worst", required_argument, NULL, OPT_WORST},
		{"year", required_argument, NULL, OPT_YEAR},
		{NULL, 0, NULL, 0},
	};
	int c;

	time_t now = time(NULL);
	bool ok = true;

	o->filter = filter_new();
	while ((c = getopt_long(argc, argv, "Ff:hi:m:p:qsV", longopts,
	    NULL)) != -1) {
		switch (c) {
		case OPT_FAILED:
			ok = filter_status(o->filter, "--failed", NULL);
			break;
		case OPT_STATUS:
			ok = filter_status(o->filter, "--status", optarg);
			break;
		case OPT_PHASE:
			ok = filter_phase(o->filter, "--phase", optarg);
			break;
		case OPT_CAUSE:
			ok = filter_cause(o->filter, "--cause", optarg);
			break;
		case OPT_CLIENT:
			ok = filter_client(o->filter, "--client", optarg);
			break;
		case OPT_FROM:
			ok = filter_from(o->filter, "--from", optarg);
			break;
		case OPT_TO:
			ok = filter_to(o->filter, "--to", optarg);
			break;
		case OPT_CODE:
			ok = filter_code(o->filter, "--code", optarg);
			break;
		case OPT_GREP:
			ok = filter_grep(o->filter, "--grep", optarg);
			break;
		case OPT_SINCE:
			ok = filter_since(o->filter, "--since", optarg, now);
			break;
		case OPT_UNTIL:
			ok = filter_until(o->filter, "--until", optarg, now);
			break;
		case OPT_FAIL_THRESHOLD:
			ok = parse_threshold(o, optarg);
			break;
		case 'q':
			o->quiet = true;
			break;
		case OPT_EXPLAIN:
			o->explain = optarg;
			break;
		case 'f':
			if (strcmp(optarg, "text") == 0) {
				o->format = FORMAT_TEXT;
			} else if (strcmp(optarg, "json") == 0) {
				o->format = FORMAT_JSON;
			} else if (strcmp(optarg, "csv") == 0) {
				o->format = FORMAT_CSV;
			} else if (strcmp(optarg, "html") == 0) {
				o->format = FORMAT_HTML;
			} else {
				diag_error("unknown format '%s' (text, json, csv "
				    "or html)", optarg);
				usage(stderr, EXIT_USAGE);
			}
			break;
		case 'F':
			o->follow = true;
			break;
		case 'h':
			usage(stdout, EXIT_OK);
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
		case OPT_MAX_OPEN:
			o->max_open = (size_t)number("--max-open", optarg, 1,
			    100000000);
			break;
		case OPT_SESSION_TIMEOUT:
			o->session_timeout = number("--session-timeout",
			    optarg, 0, 100L * 365 * 86400);
			break;
		case OPT_STATS:
			o->stats = true;
			break;
		case OPT_TOP:
			o->top = (unsigned)number("--top", optarg, 1, 1000000);
			break;
		case OPT_WORST:
			o->worst = (unsigned)number("--worst", optarg, 0, 1000);
			break;
		case OPT_TZ:
			if (!ts_set_default_zone(optarg)) {
				diag_error("option '--tz': cannot use zone "
				    "'%s'", optarg);
				usage(stderr, EXIT_USAGE);
			}
			break;
		case OPT_UNPARSED:
			o->unparsed = optarg;
			break;
		case OPT_YEAR:
			o->year = (int)number("--year", optarg, 1970, 9999);
			break;
		default:
			usage(stderr, EXIT_USAGE);
		}
		if (!ok)
			usage(stderr, EXIT_USAGE);
	}
}

/* The shipped patterns: installed, or the source tree's for a build tree. */
static const char *
shipped_patterns(void)
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
static void
codes_path(const struct options *o, const char *shipped, char *path,
    size_t size)
{
	struct stat st;

	snprintf(path, size, "%s/codes.yaml", shipped);
	for (size_t i = o->npattern_dirs; i-- > 0;) {
		char p[4096];

		snprintf(p, sizeof(p), "%s/codes.yaml", o->pattern_dirs[i]);
		if (stat(p, &st) == 0) {
			snprintf(path, size, "%s", p);
			return;
		}
	}
}

/* --explain CODE [ENHANCED], --explain ENHANCED: offline, no log read */
static int
explain(const struct options *o, int argc, char **argv)
{
	const char *code = o->explain, *enh = NULL;
	char path[4096];
	struct codes *c;
	bool ok;

	if (optind < argc)
		enh = argv[optind];
	if (optind + 1 < argc) {
		diag_error("--explain takes a reply code and an optional "
		    "enhanced status code, no files");
		usage(stderr, EXIT_USAGE);
	}
	if (enh == NULL && strchr(code, '.') != NULL) {
		enh = code;	/* --explain 5.7.1 */
		code = NULL;
	}
	codes_path(o, shipped_patterns(), path, sizeof(path));
	if ((c = codes_load(path)) == NULL) {
		diag_error("codes file refused; nothing to explain");
		return EXIT_BAD_INPUT;
	}
	ok = codes_explain(stdout, c, code, enh);
	codes_free(c);
	return ok ? EXIT_OK : EXIT_BAD_INPUT;
}

struct run {
	unsigned long passed;	/* sessions that passed the filters */
	unsigned long failing;	/* of those, failed or partial (in the
				   --fail-threshold phase, if given) */
	bool *seen_set;	/* which pattern sets recognised a line */
	struct options *o;
	struct reporter *rep;
	struct pattern_db *db;
	struct codes *codes;
	struct run_info ri;
	FILE *unparsed;
};

static void
emit(const struct session *s, void *arg)
{
	struct run *r = arg;

	if (r->o->nids > 0) {
		bool hit = false;

		for (size_t i = 0; i < r->o->nids && !hit; i++)
			hit = session_has_id(s, r->o->ids[i]);
		if (!hit)
			return;
	}
	if (!filter_match(r->o->filter, s))
		return;
	r->passed++;
	if ((s->v.status == STATUS_FAILED || s->v.status == STATUS_PARTIAL) &&
	    (r->o->threshold_phase == PHASE_NONE ||
	    s->v.phase == r->o->threshold_phase))
		r->failing++;
	r->rep->session(r->rep, s);
}

static void
on_message(const struct message *m, void *arg)
{
	struct run *r = arg;

	if (r->rep->message)
		r->rep->message(r->rep, m);
}

/*
 * --fail-threshold reached: one line on standard error that says which
 * threshold, and the figures that reached it.
 */
static void
threshold_say(const struct run *r)
{
	const struct options *o = r->o;
	const char *ph = phase_name(o->threshold_phase);

	fprintf(stderr, "%s: --fail-threshold %g%s%s%s reached: %lu of %lu "
	    "sessions failed or partial%s%s (%.1f%%)\n", PACKAGE_NAME,
	    o->threshold, o->threshold_pct ? "%" : "", ph ? ",phase=" : "",
	    ph ? ph : "", r->failing, r->passed, ph ? " in " : "",
	    ph ? ph : "", r->passed ? 100.0 * (double)r->failing /
	    (double)r->passed : 0.0);
}

static bool
threshold_reached(const struct run *r)
{
	const struct options *o = r->o;

	if (!o->have_threshold)
		return false;
	if (o->threshold_pct)
		return r->passed > 0 &&
		    100.0 * (double)r->failing / (double)r->passed >=
		    o->threshold;
	return (double)r->failing >= o->threshold;
}

/*
 * Find the set that knows this line: the file's current set first, then
 * the others; a set whose prefix matches becomes the file's set. Lines of
 * sources that stripped the prefix are tried last, against the fallback
 * prefixes of the file's set.
 */
static bool
match_line(struct run *r, const struct pattern_set **cur, struct strview line,
    struct match *m)
{
	size_t n = pattern_db_count(r->db);

	if (*cur && pattern_set_match(*cur, line, false, m))
		return true;
	if (!r->o->mta) {
		for (size_t i = 0; i < n; i++) {
			const struct pattern_set *s = pattern_db_set(r->db, i);

			if (s == *cur)
				continue;
			if (pattern_set_match(s, line, false, m)) {
				*cur = s;
				return true;
			}
		}
	}
	for (size_t i = 0; i < n; i++) {
		const struct pattern_set *s = *cur ? *cur :
		    pattern_db_set(r->db, i);

		if (pattern_set_match(s, line, true, m) && m->pat)
			return true;
		if (*cur)
			break;
	}
	return false;
}

/* One input file as read_lines() leaves it between calls. */
struct input {
	struct reader *rd;
	uint32_t idx;	/* in the file table */
	const struct pattern_set *cur;	/* the set of its last line */
	struct ts_year yr;
	bool warned_time, warned_bare;
	unsigned long lines, recognised;	/* r->ri's when it was opened */
	struct csvlog csv;	/* a CSV log's header and records (csv.h) */
};

/* SIGINT or SIGTERM while following: stop reading, report, exit. */
static volatile sig_atomic_t stop_signal;

static bool
input_open(struct run *r, struct input *in, uint32_t idx, const char *path)
{
	memset(in, 0, sizeof(*in));
	if ((in->rd = reader_open(path)) == NULL)
		return false;
	in->idx = idx;
	if (r->o->mta)
		in->cur = pattern_db_find(r->db, r->o->mta);
	csvlog_init(&in->csv, r->db, in->cur);
	ts_year_init(&in->yr, reader_mtime(in->rd), r->o->year);
	in->lines = r->ri.lines;
	in->recognised = r->ri.recognised;
	return true;
}

/* Close the input; false when it ended with a read error (reported). */
static bool
input_close(struct run *r, struct input *in)
{
	bool ok = !reader_failed(in->rd);

	if (r->ri.lines > in->lines && r->ri.recognised == in->recognised)
		diag_at(DIAG_WARNING, reader_name(in->rd), 0, 0, "none of its "
		    "%lu lines was recognised as a mail server's log line",
		    r->ri.lines - in->lines);
	else if (r->ri.lines == in->lines && ok && !r->o->quiet)
		/* --quiet: an empty log is a quiet night, not news */
		diag_at(DIAG_WARNING, reader_name(in->rd), 0, 0, "nothing to "
		    "read: the file is empty, or a FIFO that no process "
		    "writes to");
	reader_close(in->rd);
	in->rd = NULL;
	csvlog_free(&in->csv);
	return ok;
}

/*
 * line is what the patterns match; raw is the line as the file holds it,
 * kept for transcripts and --unparsed (they differ for a CSV log's
 * records, see csv.h).
 */
static void
read_line(struct run *r, struct correlator *c, struct input *in,
    struct strview line, struct strview raw)
{
	struct reader *rd = in->rd;
	struct ts ts = {0};
	struct match m;

	r->ri.lines++;
	if (line.len == 0)
		return;
	if (!match_line(r, &in->cur, line, &m)) {
		r->ri.other++;
		return;
	}
	if (m.pat == NULL) {
		r->ri.unrecognised++;
		if (r->unparsed) {
			fwrite(raw.p, 1, raw.len, r->unparsed);
			fputc('\n', r->unparsed);
		}
		return;
	}
	r->ri.recognised++;
	for (size_t i = 0; i < pattern_db_count(r->db); i++)
		if (pattern_db_set(r->db, i) == m.set)
			r->seen_set[i] = true;
	if (m.fallback) {
		/* no process ID or host: nothing to group by; a line known
		 * to belong to no conversation (a reject log entry's header
		 * dump) is no loss */
		if (!in->warned_bare && pattern_event(m.pat) != EV_IGNORE)
			diag_at(DIAG_WARNING, reader_name(rd),
			    reader_lineno(rd), 0, "line without a syslog "
			    "prefix: such lines are counted but cannot be "
			    "grouped into sessions");
		in->warned_bare = true;
		return;
	}
	if (m.f[F_TS].p && !ts_parse(m.f[F_TS], &in->yr, &ts)) {
		r->ri.bad_time++;
		if (!in->warned_time)
			diag_at(DIAG_WARNING, reader_name(rd),
			    reader_lineno(rd), 0, "time stamp '%.*s' not "
			    "understood", (int)m.f[F_TS].len, m.f[F_TS].p);
		in->warned_time = true;
	}
	if (ts.flags & TS_SET) {
		if (!(r->ri.first.flags & TS_SET) ||
		    ts_utc(&ts) < ts_utc(&r->ri.first))
			r->ri.first = ts;
		if (!(r->ri.last.flags & TS_SET) ||
		    ts_utc(&ts) > ts_utc(&r->ri.last))
			r->ri.last = ts;
	}
	correlator_feed(c, &m, &ts, in->idx, (uint32_t)reader_lineno(rd),
	    raw);
}

/* Every line there is for now (in follow mode), or to the end. */
static void
read_lines(struct run *r, struct correlator *c, struct input *in)
{
	struct strview line, raw;

	while (!stop_signal && reader_next(in->rd, &line)) {
		raw = line;
		if (csvlog_off(&in->csv)) {
			read_line(r, c, in, line, raw);
			continue;
		}
		switch (csvlog_line(&in->csv, &line)) {
		case CSVLOG_HEADER:
			/* a CSV log's header: understood, nothing to match */
			r->ri.lines++;
			r->ri.recognised++;
			continue;
		case CSVLOG_RECORD:
			in->cur = csvlog_set(&in->csv);
			break;
		case CSVLOG_PASS:
			break;
		}
		read_line(r, c, in, line, raw);
	}
}

static bool
read_file(struct run *r, struct correlator *c, uint32_t idx, const char *path)
{
	struct input in;

	if (!input_open(r, &in, idx, path))
		return false;
	read_lines(r, c, &in);
	return input_close(r, &in);
}

static void
on_signal(int sig)
{
	stop_signal = sig;
}

static int64_t
monotonic_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

/*
 * --follow: read the opened file, then wait for more, across logrotate's
 * rotations (reader_poll()), until SIGINT or SIGTERM. Sessions are
 * reported as they end; stdout is flushed after each batch of lines, so
 * that a pipe sees them at once.
 *
 * While the log is quiet, log time is taken to go on as the wall clock
 * does from the time of the latest line (read at wall time w0, it is
 * latest + now - w0), so that a session left open is reported incomplete
 * after --session-timeout though no later line comes to say so. Only
 * spans of time are compared, so the log's clock need not agree with ours.
 */
static bool
follow(struct run *r, struct correlator *c, struct input *in)
{
	const struct timespec nap = {0, 200 * 1000000L};
	struct sigaction sa;
	int64_t base = INT64_MIN, base_mono = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	while (!stop_signal && !reader_failed(in->rd)) {
		read_lines(r, c, in);
		if ((r->ri.last.flags & TS_SET) &&
		    ts_utc(&r->ri.last) != base) {
			base = ts_utc(&r->ri.last);
			base_mono = monotonic_us();
		}
		if (base != INT64_MIN)
			correlator_tick(c, base + (monotonic_us() - base_mono));
		if (r->unparsed)
			fflush(r->unparsed);
		if (fflush(stdout) != 0 || ferror(stdout))
			break;	/* reported at the end */
		if (!stop_signal && !reader_poll(in->rd))
			nanosleep(&nap, NULL);
	}
	return input_close(r, in);
}

/*
 * The time of the first line of a file that carries one (within its first
 * PEEK_LINES lines), as read: INT64_MAX when none, or when the file cannot
 * be read (reading it later reports why). Standard input is not peeked.
 */
#define PEEK_LINES 1000

static int64_t
first_time(struct run *r, const char *path, time_t *mtime)
{
	struct reader *rd;
	struct strview line;
	struct ts_year yr;
	const struct pattern_set *cur = NULL;
	struct match m;
	int64_t t = INT64_MAX;
	struct csvlog cl;

	*mtime = 0;
	if (strcmp(path, "-") == 0)
		return t;
	{
		/* a pipe or FIFO can be read only once: not peeked */
		struct stat st;

		if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
			return t;
	}
	diag_mute(1);
	rd = reader_open(path);
	if (rd != NULL) {
		*mtime = reader_mtime(rd);
		if (r->o->mta)
			cur = pattern_db_find(r->db, r->o->mta);
		csvlog_init(&cl, r->db, cur);
		ts_year_init(&yr, reader_mtime(rd), r->o->year);
		for (int i = 0; i < PEEK_LINES && reader_next(rd, &line);
		    i++) {
			struct ts ts;
			enum csvlog_result cr = csvlog_line(&cl, &line);

			if (cr == CSVLOG_HEADER)
				continue;
			if (cr == CSVLOG_RECORD)
				cur = csvlog_set(&cl);
			if (line.len == 0 || !match_line(r, &cur, line, &m) ||
			    m.f[F_TS].p == NULL ||
			    !ts_parse(m.f[F_TS], &yr, &ts))
				continue;
			t = ts_utc(&ts);
			break;
		}
		csvlog_free(&cl);
		reader_close(rd);
	}
	diag_mute(0);
	return t;
}

struct ordered {
	const char *path;
	int64_t t;
	long age;	/* logrotate's .N: higher is older; -1 none */
	time_t mtime;
	size_t pos;
};

/* "mail.log.2.gz" -> 2, "mail.log.1" -> 1, "mail.log" -> -1 */
static long
rotation_age(const char *path)
{
	static const char *const ext[] = {".gz", ".xz", ".bz2", ".zst"};
	size_t n = strlen(path), d;

	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		size_t el = strlen(ext[i]);

		if (n > el && strcmp(path + n - el, ext[i]) == 0) {
			n -= el;
			break;
		}
	}
	for (d = n; d > 0 && path[d - 1] >= '0' && path[d - 1] <= '9'; d--)
		;
	if (d == n || n - d > 4 || d == 0 || path[d - 1] != '.')
		return -1;
	return strtol(path + d, NULL, 10);
}

static int
cmp_ordered(const void *a, const void *b)
{
	const struct ordered *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	/* the same first second: the rotation suffix, then the mtime */
	if (x->age != y->age)
		return x->age > y->age ? -1 : 1;
	if (x->mtime != y->mtime)
		return x->mtime < y->mtime ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/*
 * Read files in the time order of their content, not of their names or
 * modification times: a rotated set given as "mail.log*" (mail.log,
 * mail.log.1, mail.log.2.gz) is read oldest first, so a conversation that
 * spans a rotation is one. Files without a time keep their place among
 * themselves, after the others. Files whose first lines fall in the same
 * second are ordered by logrotate's suffix (mail.log.2 before mail.log.1
 * before mail.log), then by modification time.
 */
static void
order_by_content(struct run *r, const char **files, size_t n)
{
	struct ordered *v = xcalloc(n, sizeof(*v));

	for (size_t i = 0; i < n; i++) {
		v[i].path = files[i];
		v[i].pos = i;
		v[i].t = first_time(r, files[i], &v[i].mtime);
		v[i].age = rotation_age(files[i]);
	}
	qsort(v, n, sizeof(*v), cmp_ordered);
	for (size_t i = 0; i < n; i++)
		files[i] = v[i].path;
	free(v);
}

static void
list_mtas(struct run *r, struct buf *b, bool seen_only)
{
	for (size_t i = 0; i < pattern_db_count(r->db); i++) {
		if (seen_only && !r->seen_set[i])
			continue;
		if (b->len)
			buf_add(b, ", ", 2);
		buf_add(b, pattern_set_mta(pattern_db_set(r->db, i)),
		    strlen(pattern_set_mta(pattern_db_set(r->db, i))));
	}
}

int
main(int argc, char **argv)
{
	struct options o = {.format = FORMAT_TEXT, .session_timeout = 3600};
	struct run r = {.o = &o};
	const char **dirs = NULL;
	size_t ndirs = 0;
	struct correlator *c = NULL;
	struct correlate_opts co = {0};
	const char **files = NULL;
	int status = EXIT_OK;
	size_t nfiles;
	bool input_ok = true;
	struct timespec t0, t1;
	struct buf mtas = {0};
	struct input in = {0};

	parse_options(argc, argv, &o);
	if (o.explain) {
		status = explain(&o, argc, argv);
		goto out;
	}
	if (o.follow && !o.check && (optind != argc - 1 ||
	    strcmp(argv[optind], "-") == 0)) {
		diag_error("option '--follow': give exactly one FILE, not "
		    "standard input");
		usage(stderr, EXIT_USAGE);
	}
	add_str(&dirs, &ndirs, shipped_patterns());
	for (size_t i = 0; i < o.npattern_dirs; i++)
		add_str(&dirs, &ndirs, o.pattern_dirs[i]);
	r.db = pattern_db_load(dirs, ndirs);
	free(dirs);
	if (r.db == NULL) {
		diag_error("pattern files refused; nothing was read");
		status = EXIT_BAD_INPUT;
		goto out;
	}
	if (o.check) {
		unsigned n = 0, bad = pattern_db_check(r.db, &n);

		char path[4096];
		struct codes *cd;

		printf("%u samples in %zu pattern sets: %u passed, %u failed\n",
		    n, pattern_db_count(r.db), n - bad, bad);
		codes_path(&o, shipped_patterns(), path, sizeof(path));
		if ((cd = codes_load(path)) == NULL)
			bad++;
		else
			printf("%s: loaded\n", path);
		codes_free(cd);
		status = bad ? EXIT_BAD_INPUT : EXIT_OK;
		goto out;
	}
	{
		char path[4096];

		codes_path(&o, shipped_patterns(), path, sizeof(path));
		if ((r.codes = codes_load(path)) == NULL) {
			diag_error("codes file refused; nothing was read");
			status = EXIT_BAD_INPUT;
			goto out;
		}
	}
	if (o.mta && !pattern_db_find(r.db, o.mta)) {
		list_mtas(&r, &mtas, false);
		diag_error("option '--mta': no pattern set '%s' (have: %s)",
		    o.mta, mtas.s ? mtas.s : "none");
		status = EXIT_USAGE;
		goto out;
	}
	if (o.unparsed) {
		r.unparsed = fopen(o.unparsed, "w");
		if (r.unparsed == NULL) {
			diag_error("cannot write '%s': %s", o.unparsed,
			    strerror(errno));
			status = EXIT_BAD_INPUT;
			goto out;
		}
		r.ri.unparsed_file = o.unparsed;
	}

	nfiles = optind < argc ? (size_t)(argc - optind) : 1;
	files = xcalloc(nfiles, sizeof(*files));
	for (size_t i = 0; i < nfiles; i++)
		files[i] = optind < argc ? argv[optind + (int)i] : "-";
	if (o.follow) {
		if (!input_open(&r, &in, 0, files[0])) {
			status = EXIT_BAD_INPUT;
			goto out;
		}
		if (!reader_follow(in.rd)) {
			diag_error("option '--follow': cannot follow '%s': not "
			    "a plain, uncompressed file", files[0]);
			status = EXIT_USAGE;
			goto out;
		}
	}
	if (nfiles > 1)
		order_by_content(&r, files, nfiles);
	r.ri.files = files;
	r.ri.nfiles = nfiles;
	r.seen_set = xcalloc(pattern_db_count(r.db) + 1, sizeof(bool));

	if (o.format == FORMAT_JSON)
		r.rep = report_json_new(stdout, files);
	else if (o.format == FORMAT_CSV)
		r.rep = report_csv_new(stdout, files);
	else if (o.format == FORMAT_HTML)
		r.rep = report_html_new(stdout, files);
	else if (o.nids > 0)
		r.rep = report_transcript_new(stdout, files);
	else if (o.sessions)
		r.rep = report_sessions_new(stdout, files);
	else
		r.rep = report_summary_new(stdout, files);

	r.rep->codes = r.codes;
	r.rep->top = o.top;
	r.rep->worst = o.worst;
	co.keep_text = (o.nids > 0 && o.format == FORMAT_TEXT) ||
	    (o.worst > 0 && o.format == FORMAT_HTML) ||
	    filter_needs_text(o.filter);
	co.max_open = o.max_open;
	co.idle_us = (int64_t)o.session_timeout * 1000000;
	co.db = r.db;
	co.emit = emit;
	co.message = on_message;
	co.arg = &r;
	c = correlator_new(&co);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (o.follow)
		input_ok = follow(&r, c, &in);
	else
		for (size_t i = 0; i < nfiles; i++)
			input_ok &= read_file(&r, c, (uint32_t)i, files[i]);
	correlator_flush(c);
	clock_gettime(CLOCK_MONOTONIC, &t1);

	list_mtas(&r, &mtas, true);
	r.ri.mtas = mtas.s;
	r.ri.cst = correlator_stats(c);
	if (!o.quiet || r.passed > 0)
		r.rep->finish(r.rep, &r.ri);
	if (o.stats) {
		struct rusage ru;
		double secs = (double)(t1.tv_sec - t0.tv_sec) +
		    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;

		getrusage(RUSAGE_SELF, &ru);
		fprintf(stderr, "%s: stats: %lu lines in %.3f s (%.0f lines/s), "
		    "%lu sessions, %zu held at most, peak memory %ld KiB\n",
		    PACKAGE_NAME, r.ri.lines, secs,
		    secs > 0 ? (double)r.ri.lines / secs : 0.0,
		    r.ri.cst->sessions, r.ri.cst->peak_open, ru.ru_maxrss);
	}
	if (r.unparsed && fclose(r.unparsed) != 0) {
		diag_error("cannot write '%s': %s", o.unparsed,
		    strerror(errno));
		input_ok = false;
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		diag_error("cannot write the report: %s", strerror(errno));
		input_ok = false;
	}
	status = !input_ok ? EXIT_BAD_INPUT : threshold_reached(&r) ?
	    EXIT_THRESHOLD : EXIT_OK;
	if (status == EXIT_THRESHOLD)
		threshold_say(&r);
	r.rep->free(r.rep);
out:
	reader_close(in.rd);
	if (c)
		correlator_free(c);
	if (r.db)
		pattern_db_free(r.db);
	codes_free(r.codes);
	buf_free(&mtas);
	free(files);
	free(r.seen_set);
	free(o.ids);
	free(o.pattern_dirs);
	filter_free(o.filter);
	return status;
}
