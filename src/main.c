/*
 * smtplog-analyze - name the phase in which each SMTP session failed.
 *
 * main() reads the options (options.h), loads the pattern files, and
 * wires the pipeline: ingest (files -> matched lines) -> correlator ->
 * classifier -> reporter. It chooses the mode (--explain,
 * --check-patterns, a report) and alone decides the exit status:
 *
 *	0   success
 *	1   --fail-threshold reached
 *	2   bad input (a file that could not be read) or bad pattern files
 *	64  usage error
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "codes.h"
#include "correlate.h"
#include "diag.h"
#include "filter.h"
#include "ingest.h"
#include "journal.h"
#include "options.h"
#include "pattern.h"
#include "relay.h"
#include "report.h"
#include "suggest.h"

#define JOURNAL_INPUT(o) ((o)->journal || (o)->njournal_files > 0 || \
    (o)->journal_dir != NULL)

/* The journal options' usage errors: one journal, no FILE with it. */
static void
check_journal_options(const struct options *o, int argc)
{
	int kinds = (o->journal ? 1 : 0) + (o->njournal_files ? 1 : 0) +
	    (o->journal_dir ? 1 : 0);

	if (kinds > 1) {
		diag_error("give one of '--journal', '--journal-file' and "
		    "'--journal-dir'");
		options_usage(stderr, EXIT_USAGE);
	}
	if (kinds && optind < argc && !o->check) {
		diag_error("option '%s': the journal is the input; no FILE "
		    "with it", o->journal ? "--journal" : o->journal_dir ?
		    "--journal-dir" : "--journal-file");
		options_usage(stderr, EXIT_USAGE);
	}
	if (o->cursor_file && !kinds) {
		diag_error("option '--cursor-file': only with '--journal', "
		    "'--journal-file' or '--journal-dir'");
		options_usage(stderr, EXIT_USAGE);
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
		options_usage_error();
	}
	if (enh == NULL && strchr(code, '.') != NULL) {
		enh = code;	/* --explain 5.7.1 */
		code = NULL;
	}
	options_codes_path(o, path, sizeof(path));
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
	unsigned long lone;	/* messages without a session --id named */
	unsigned long failing;	/* of those, failed or partial (in the
				   --fail-threshold phase, if given) */
	struct options *o;
	struct ingest *ing;
	struct journal *jr;	/* --journal, --journal-file, --journal-dir */
	struct reporter *rep;
	struct pattern_db *db;
	struct codes *codes;
	struct run_info ri;
	double reader_cpu;	/* the reading thread's CPU seconds, if one */
	FILE *unparsed;
	struct term term;	/* width and colour of the text reports */
};

/* --id: is the session one of those the IDs name? */
static bool
wants(const struct session *s, void *arg)
{
	const struct run *r = arg;

	return ingest_wants(r->ing, s);
}

static void
emit(const struct session *s, void *arg)
{
	struct run *r = arg;

	if (!filter_match(r->o->filter, s))
		return;
	r->passed++;
	if ((s->v.status == STATUS_FAILED || s->v.status == STATUS_PARTIAL) &&
	    (r->o->threshold_phase == PHASE_NONE ||
	    s->v.phase == r->o->threshold_phase))
		r->failing++;
	r->rep->session(r->rep, s);
}

/* Does the message carry one of the --id IDs? */
static bool
ids_name_message(const struct options *o, const struct message *m)
{
	for (size_t i = 0; i < o->nids; i++)
		if (message_has_id(m, o->ids[i]))
			return true;
	return false;
}

/*
 * A message for the figures of tally.h: those queued within --since and
 * --until (a message never queued: by its first delivery attempt); the
 * other filters choose sessions, not messages.
 */
static void
on_message(const struct message *m, void *arg)
{
	struct run *r = arg;
	const struct ts *t = &m->accepted_at;

	/* --id of a message no conversation brought: its own lines */
	if (r->o->nids > 0 && !m->owned && !filter_active(r->o->filter) &&
	    ids_name_message(r->o, m)) {
		r->lone++;
		if (r->rep->lone)
			r->rep->lone(r->rep, m);
	}
	if (r->rep->message == NULL)
		return;
	if (!(t->flags & TS_SET) && m->nrcpts)
		t = &m->rcpts[0].at;
	if (filter_time_in(r->o->filter, t))
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

/* The shipped pattern files, then each --patterns DIR; NULL: refused. */
static struct pattern_db *
load_patterns(const struct options *o)
{
	const char **dirs = xcalloc(o->npattern_dirs + 1, sizeof(*dirs));
	struct pattern_db *db;

	dirs[0] = options_shipped_patterns();
	for (size_t i = 0; i < o->npattern_dirs; i++)
		dirs[i + 1] = o->pattern_dirs[i];
	db = pattern_db_load(dirs, o->npattern_dirs + 1);
	free(dirs);
	if (db == NULL)
		diag_error("pattern files refused; nothing was read");
	return db;
}

/* --check-patterns: every sample of every set, and codes.yaml loads */
static int
check_patterns(const struct options *o, const struct pattern_db *db)
{
	unsigned n = 0, bad = pattern_db_check(db, &n);
	char path[4096];
	struct codes *cd;
	const char *const *notes;
	size_t nn = pattern_db_notes(db, &notes);

	for (size_t i = 0; i < nn; i++)
		printf("%s\n", notes[i]);
	printf("%u samples in %zu pattern sets: %u passed, %u failed\n",
	    n, pattern_db_count(db), n - bad, bad);
	options_codes_path(o, path, sizeof(path));
	if ((cd = codes_load(path)) == NULL)
		bad++;
	else
		printf("%s: loaded\n", path);
	codes_free(cd);
	return bad ? EXIT_BAD_INPUT : EXIT_OK;
}

/*
 * The option values only the pattern files can judge: --mta names a set,
 * --cause a cause class (both may come from a --patterns DIR). A bad one
 * is a usage error, with the closest name.
 */
static int
check_names(const struct options *o, const struct pattern_db *db)
{
	const char **names;
	size_t n;
	bool ok;

	if (o->mta && pattern_db_find(db, o->mta) == NULL) {
		n = pattern_db_count(db);
		names = xcalloc(n + 1, sizeof(*names));
		for (size_t i = 0; i < n; i++)
			names[i] = pattern_set_mta(pattern_db_set(db, i));
		suggest_unknown("--mta", "pattern set", o->mta, names, n);
		free(names);
		return EXIT_USAGE;
	}
	n = pattern_db_cause_names(db, &names);
	ok = filter_validate(o->filter, names, n);
	free(names);
	return ok ? EXIT_OK : EXIT_USAGE;
}

static struct reporter *
reporter_for(const struct options *o, const char *const *files)
{
	if (o->format == FORMAT_JSON)
		return report_json_new(stdout, files);
	if (o->format == FORMAT_CSV)
		return report_csv_new(stdout, files);
	if (o->format == FORMAT_HTML)
		return report_html_new(stdout, files);
	if (o->nids > 0)
		return report_transcript_new(stdout, files);
	if (o->sessions)
		return report_sessions_new(stdout, files);
	return report_summary_new(stdout, files);
}

static void
print_stats(const struct run *r, const struct timespec *t0,
    const struct timespec *t1)
{
	struct rusage ru;
	double secs = (double)(t1->tv_sec - t0->tv_sec) +
	    (double)(t1->tv_nsec - t0->tv_nsec) / 1e9, cpu;

	getrusage(RUSAGE_SELF, &ru);
	cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	    (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
	fprintf(stderr, "%s: stats: %lu lines in %.3f s (%.0f lines/s), "
	    "%lu sessions, %zu held at most, peak memory %ld KiB, "
	    "CPU %.3f s", PACKAGE_NAME, r->ri.lines, secs,
	    secs > 0 ? (double)r->ri.lines / secs : 0.0,
	    r->ri.cst->sessions, r->ri.cst->peak_open, ru.ru_maxrss, cpu);
	/* which of the two threads sets the pace (relay.h) */
	if (r->reader_cpu > 0)
		fprintf(stderr, " (reading thread %.3f s, the rest %.3f s)",
		    r->reader_cpu, cpu - r->reader_cpu);
	fputc('\n', stderr);
}

/* The files of a run, read in order (on the relay's thread or this one). */
struct reading {
	struct run *r;
	struct correlator *c;	/* NULL on the relay's thread */
	const char **files;
	size_t nfiles;
	bool input_ok, any_ok;
};

static bool
read_files(void *arg)
{
	struct reading *rd = arg;

	for (size_t i = 0; i < rd->nfiles; i++) {
		bool ok = ingest_file(rd->r->ing, rd->c, (uint32_t)i,
		    rd->files[i]);

		rd->input_ok &= ok;
		rd->any_ok |= ok;
	}
	return rd->input_ok;
}

/*
 * Two threads (relay.h) for files read to their end, as --threads says;
 * by default when this machine has two CPUs or more. --follow and the
 * journal are read on one thread.
 */
static bool
two_threads(const struct run *r)
{
	if (r->o->follow || r->jr)
		return false;
	if (r->o->threads > 0)
		return r->o->threads > 1;
	return sysconf(_SC_NPROCESSORS_ONLN) >= 2;
}

/* Read the input into c; false when some of it could not be read. */
static bool
read_input(struct run *r, struct correlator *c, const char **files,
    size_t nfiles, bool *any_ok)
{
	struct reading rd = {r, c, files, nfiles, true, false};
	struct relay *rl;

	if (r->jr)
		return ingest_journal(r->ing, c, r->jr, r->o->follow);
	if (r->o->follow)
		return ingest_follow(r->ing, c);
	if (two_threads(r)) {
		rl = relay_new(c);
		rd.c = NULL;
		ingest_relay(r->ing, rl);
		relay_run(rl, read_files, &rd);
		r->reader_cpu = relay_reader_cpu(rl);
		ingest_relay(r->ing, NULL);
		relay_free(rl);
	} else {
		read_files(&rd);
	}
	*any_ok = rd.any_ok;
	return rd.input_ok;
}

/*
 * No session had an --id ID. A message no session brought may have: the
 * transcript shows it, the other formats hold sessions only.
 */
static void
ids_unmatched_say(const struct run *r)
{
	const struct options *o = r->o;

	if (r->lone > 0 && r->rep->lone)
		return;
	if (r->lone > 0)
		diag_warning("no session has the ID%s given, but %lu "
		    "message%s without one do%s: --id without --format "
		    "shows %s", o->nids == 1 ? "" : "s", r->lone,
		    r->lone == 1 ? "" : "s", r->lone == 1 ? "es" : "",
		    r->lone == 1 ? "it" : "them");
	else if (o->nids == 1)
		diag_warning("no session has the ID '%s'", o->ids[0]);
	else
		diag_warning("no session has any of the %zu IDs given",
		    o->nids);
}

/*
 * Read the files (or follow one) through the pipeline into r->rep, print
 * the report and free the reporter. False when an input could not be
 * read or the report not written.
 */
static bool
run_pipeline(struct run *r, const char **files, size_t nfiles)
{
	const struct options *o = r->o;
	struct correlate_opts co = {0};
	struct correlator *c;
	struct timespec t0, t1;
	struct buf mtas = BUF_INIT;
	bool input_ok = true, any_ok = false;

	co.keep_text = (o->nids > 0 && o->format == FORMAT_TEXT) ||
	    (o->worst > 0 && o->format == FORMAT_HTML) ||
	    filter_needs_text(o->filter);
	/* only the transcripts of --id print lines: read back from their
	 * files where those can be (report_line_text()) */
	co.reread = co.keep_text && !filter_needs_text(o->filter) &&
	    o->format == FORMAT_TEXT;
	/* the summary, -s and HTML without --worst list no lines */
	co.no_lines = !co.keep_text && (o->format == FORMAT_TEXT ||
	    o->format == FORMAT_HTML);
	co.max_open = o->max_open;
	co.max_hot = o->held_in_memory;
	co.idle_us = (int64_t)o->session_timeout * 1000000;
	/* the journal adds a file index for each of its sequences */
	co.nfiles = r->jr ? 0 : nfiles;
	co.db = r->db;
	co.emit = emit;
	co.wants = o->nids > 0 ? wants : NULL;
	co.message = on_message;
	co.arg = r;
	c = correlator_new(&co);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	input_ok = read_input(r, c, files, nfiles, &any_ok);
	correlator_flush(c);
	clock_gettime(CLOCK_MONOTONIC, &t1);

	ingest_mtas(r->ing, &mtas, true);
	r->ri.mtas = mtas.s;
	r->ri.cst = correlator_stats(c);
	/* every input named in an error and nothing read: no report of
	 * zeros beside the errors */
	if (!r->jr && !o->follow && !any_ok && r->ri.lines == 0)
		;
	else if (!o->quiet || r->passed > 0 ||
	    (r->lone > 0 && r->rep->lone))
		r->rep->finish(r->rep, &r->ri);
	/* nothing fails silently: an --id that matched nothing says so */
	if (o->nids > 0 && r->passed == 0 && input_ok && !o->follow)
		ids_unmatched_say(r);
	if (o->stats)
		print_stats(r, &t0, &t1);
	if (r->unparsed && fclose(r->unparsed) != 0) {
		diag_error("cannot write '%s': %s", o->unparsed,
		    strerror(errno));
		input_ok = false;
	}
	r->unparsed = NULL;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		diag_error("cannot write the report: %s", strerror(errno));
		input_ok = false;
	}
	r->rep->free(r->rep);
	correlator_free(c);
	buf_release(&mtas);
	return input_ok;
}

/* File table slots for the journal sequences entries come from. */
#define JOURNAL_SEQS 64

static bool
journal_wanted(const char *ident, size_t len, void *arg)
{
	const struct run *r = arg;

	for (size_t i = 0; i < pattern_db_count(r->db); i++) {
		const struct pattern_set *s = pattern_db_set(r->db, i);

		if ((r->o->mta == NULL ||
		    strcmp(r->o->mta, pattern_set_mta(s)) == 0) &&
		    pattern_set_journal_reads(s, ident, len))
			return true;
	}
	return false;
}

/*
 * Open the journal the options name. --since and --until are seeks, by
 * --session-timeout wider than the window: a session that overlaps it
 * is read whole (none is idle longer), as from a text log.
 */
static struct journal *
open_journal(struct run *r)
{
	const struct options *o = r->o;
	struct journal_opts jo = {0};
	int64_t since, until, margin = (int64_t)o->session_timeout * 1000000;

	jo.local = o->journal;
	jo.files = o->journal_files;
	jo.nfiles = o->njournal_files;
	jo.dir = o->journal_dir;
	jo.wanted = journal_wanted;
	jo.arg = r;
	jo.cursor_file = o->cursor_file;
	filter_window(o->filter, &since, &until);
	jo.from_us = since == INT64_MIN || margin == 0 ? INT64_MIN :
	    since - margin;
	jo.to_us = until == INT64_MAX || margin == 0 ? INT64_MAX :
	    until + margin;
	return journal_open(&jo);
}

/* Everything after the options and the pattern files: read, report. */
static int
report(struct run *r, int argc, char **argv)
{
	const struct options *o = r->o;
	struct ingest_opts io = {0};
	const char **files;
	size_t nfiles;
	int status = EXIT_OK;

	if (o->unparsed) {
		r->unparsed = fopen(o->unparsed, "w");
		if (r->unparsed == NULL) {
			diag_error("cannot write '%s': %s", o->unparsed,
			    strerror(errno));
			return EXIT_BAD_INPUT;
		}
		r->ri.unparsed_file = o->unparsed;
	}
	nfiles = optind < argc ? (size_t)(argc - optind) : 1;
	files = xcalloc(nfiles + JOURNAL_SEQS, sizeof(*files));
	for (size_t i = 0; i < nfiles; i++)
		files[i] = optind < argc ? argv[optind + (int)i] : "-";
	if (o->journal || o->njournal_files || o->journal_dir) {
		if ((r->jr = open_journal(r)) == NULL) {
			free(files);
			return EXIT_BAD_INPUT;
		}
		files[0] = journal_name(r->jr);
		r->ri.journal = files[0];
	}
	io.db = r->db;
	io.mta = o->mta;
	io.year = o->year;
	io.unparsed = r->unparsed;
	io.quiet = o->quiet;
	io.ids = o->ids;
	io.nids = o->nids;
	io.names = files;
	io.names_cap = nfiles + JOURNAL_SEQS;
	r->ri.files = files;
	r->ri.nfiles = nfiles;
	r->ing = ingest_new(&io, &r->ri);
	if (o->follow && !r->jr) {
		switch (ingest_follow_open(r->ing, files[0])) {
		case INGEST_FOLLOW_OPEN:
			break;
		case INGEST_FOLLOW_UNREADABLE:
			status = EXIT_BAD_INPUT;
			goto out;
		case INGEST_FOLLOW_NOT_PLAIN:
			diag_error("option '--follow': cannot follow '%s': "
			    "not a plain, uncompressed file", files[0]);
			status = EXIT_USAGE;
			goto out;
		}
	}
	if (nfiles > 1)
		ingest_order(r->ing, files, nfiles);
	r->rep = reporter_for(o, files);
	r->rep->codes = r->codes;
	term_init(&r->term, stdout, o->color);
	r->rep->term = &r->term;
	r->rep->top = o->top;
	r->rep->worst = o->worst;
	r->rep->batch = !o->follow && !isatty(STDOUT_FILENO);
	if (!run_pipeline(r, files, nfiles))
		status = EXIT_BAD_INPUT;
	else if (threshold_reached(r))
		status = EXIT_THRESHOLD;
	if (status == EXIT_THRESHOLD)
		threshold_say(r);
out:
	ingest_free(r->ing);
	journal_free(r->jr);
	if (r->unparsed)
		fclose(r->unparsed);
	free(files);
	return status;
}

/*
 * A reader of the report that goes away (| head) ends the run as it ends
 * any filter: SIGPIPE, quietly, status 141 in the shell. Also when the
 * parent (a service manager, a script) ignored or blocked SIGPIPE: the
 * tool would otherwise read on and end with "Broken pipe" and status 2.
 */
static void
default_sigpipe(void)
{
	sigset_t set;

	signal(SIGPIPE, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
}

int
main(int argc, char **argv)
{
	struct options o = OPTIONS_INIT;
	struct run r = {.o = &o};
	int status = EXIT_OK;
	char path[4096];

	default_sigpipe();
	options_parse(argc, argv, &o);
	if (o.explain) {
		status = explain(&o, argc, argv);
		goto out;
	}
	check_journal_options(&o, argc);
	if (o.follow && !o.check && !JOURNAL_INPUT(&o) &&
	    (optind != argc - 1 ||
	    strcmp(argv[optind], "-") == 0)) {
		diag_error("option '--follow': give exactly one FILE, not "
		    "standard input");
		options_usage_error();
	}
	if ((r.db = load_patterns(&o)) == NULL) {
		status = EXIT_BAD_INPUT;
		goto out;
	}
	if (o.check) {
		status = check_patterns(&o, r.db);
		goto out;
	}
	options_codes_path(&o, path, sizeof(path));
	if ((r.codes = codes_load(path)) == NULL) {
		diag_error("codes file refused; nothing was read");
		status = EXIT_BAD_INPUT;
		goto out;
	}
	if ((status = check_names(&o, r.db)) == EXIT_USAGE)
		options_usage_error();
	status = report(&r, argc, argv);
out:
	if (r.db)
		pattern_db_free(r.db);
	codes_free(r.codes);
	options_release(&o);
	return status;
}
