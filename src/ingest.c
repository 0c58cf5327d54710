/*
 * ingest - files to the correlator: reading, MTA detection, CSV records,
 * fallback prefixes, time stamps, the order of rotated files, --follow.
 *
 * It was main.c's loop; it has its own file so that the stage can be
 * tested alone and cut apart from the later stages (ingest.h).
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "csv.h"
#include "diag.h"
#include "ingest.h"
#include "journal.h"
#include "reader.h"
#include "relay.h"
#include "shapes.h"
#include "timestamp.h"

/*
 * Where a line is: for diagnostics (name, line; line 0 when the name says
 * it all, as a journal cursor does) and for the session's line list (the
 * file table's index and the number there).
 */
struct place {
	const char *name;
	size_t line;
	uint32_t idx;
	uint32_t num;
	int64_t off;	/* reader_offset(), or -1 */
};

struct input {
	struct reader *rd;
	uint32_t idx;	/* in the file table */
	const struct pattern_set *cur;	/* the set of its last line */
	struct ts_year yr;
	/* the last stamp parsed, its text and formats (stamp_of()) */
	bool have_last;
	const struct ts_formats *last_f;
	size_t last_len;
	char last_text[40];
	struct ts last_ts;
	/* its seconds: last_text[last_sec..last_send), worth last_secus
	   (last_sec 0: not known, stamp_near() does not serve) */
	size_t last_sec, last_send;
	int64_t last_secus;
	bool warned_time, warned_bare;
	unsigned long lines, recognised;	/* g->ri's when it was opened */
	struct csvlog csv;	/* a CSV log's header and records (csv.h) */
	struct journal_text *jt;	/* journalctl output, or NULL */
};

struct ingest {
	struct ingest_opts o;
	struct run_info *ri;
	bool *seen_set;	/* which pattern sets recognised a line */
	struct set_lines *sets;	/* per set, for the summary (report.h) */
	struct input follow;	/* --follow's file */
	struct buf jline;	/* a journal entry as a line */
	char **seqs;	/* journal sequences named in the file table */
	uint32_t *seq_idx;
	size_t nseqs, capseqs, capidx;
	struct relay *relay;	/* ingest_relay(), or NULL */
	struct match m;	/* the last line's (match_line()) */
	const struct pattern_set *last_set;	/* set_index()'s last */
	size_t last_idx;
	int64_t first_utc, last_utc;	/* ts_utc() of ri's first, last
					   (when they are set) */
};


/*
 * Find the set that knows this line: the file's current set first, then
 * the others; a set whose prefix matches becomes the file's set. Lines of
 * sources that stripped the prefix are tried last, against the fallback
 * prefixes of the file's set.
 */
static bool
match_line(struct ingest *g, const struct pattern_set **cur,
    struct strview line, struct match *m)
{
	size_t n = pattern_db_count(g->o.db);

	if (*cur && pattern_set_match_again(*cur, line, false, m))
		return true;
	if (!g->o.mta) {
		for (size_t i = 0; i < n; i++) {
			const struct pattern_set *s =
			    pattern_db_set(g->o.db, i);

			if (s == *cur)
				continue;
			if (pattern_set_match_again(s, line, false, m)) {
				*cur = s;
				return true;
			}
		}
	}
	for (size_t i = 0; i < n; i++) {
		const struct pattern_set *s = *cur ? *cur :
		    pattern_db_set(g->o.db, i);

		if (pattern_set_match_again(s, line, true, m) && m->pat)
			return true;
		if (*cur)
			break;
	}
	return false;
}


/* SIGINT or SIGTERM while following: stop reading, report, exit. */
static volatile sig_atomic_t stop_signal;

static bool
input_open(struct ingest *g, struct input *in, uint32_t idx, const char *path)
{
	memset(in, 0, sizeof(*in));
	if ((in->rd = reader_open(path)) == NULL)
		return false;
	in->idx = idx;
	if (g->o.mta)
		in->cur = pattern_db_find(g->o.db, g->o.mta);
	csvlog_init(&in->csv, g->o.db, in->cur);
	ts_year_init(&in->yr, reader_mtime(in->rd), g->o.year);
	in->lines = g->ri->lines;
	in->recognised = g->ri->recognised;
	return true;
}

/* Close the input; false when it ended with a read error (reported). */
static bool
input_close(struct ingest *g, struct input *in)
{
	bool ok = !reader_failed(in->rd);

	if (g->ri->lines > in->lines && g->ri->recognised == in->recognised)
		diag_at(DIAG_WARNING, reader_name(in->rd), 0, 0, "none of its "
		    "%lu lines was recognised as a mail server's log line",
		    g->ri->lines - in->lines);
	else if (g->ri->lines == in->lines && ok && !g->o.quiet)
		/* --quiet: an empty log is a quiet night, not news */
		diag_at(DIAG_WARNING, reader_name(in->rd), 0, 0, "nothing to "
		    "read: the file is empty, or a FIFO that no process "
		    "writes to");
	reader_close(in->rd);
	in->rd = NULL;
	csvlog_release(&in->csv);
	if (in->jt) {
		journal_text_release(in->jt);
		free(in->jt);
		in->jt = NULL;
	}
	return ok;
}

/*
 * line is what the patterns match; raw is the line as the file holds it,
 * kept for transcripts and --unparsed (they differ for a CSV log's
 * records, see csv.h).
 */
/*
 * The index in the db (and in g->sets, its counters) of the set whose
 * prefix matched, or -1; the last one found is kept, as a file's lines
 * are one set's.
 */
static ptrdiff_t
set_index(struct ingest *g, const struct pattern_set *set)
{
	if (set != NULL && set == g->last_set)
		return (ptrdiff_t)g->last_idx;
	for (size_t i = 0; i < pattern_db_count(g->o.db); i++)
		if (g->sets[i].set == set) {
			g->last_set = set;
			g->last_idx = i;
			return (ptrdiff_t)i;
		}
	return -1;
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * SS[.frac] at s: its microseconds (a fraction's first six digits, as
 * timestamp.c reads it, after '.' or ',' to its last digit) into *us,
 * and its end; NULL unless the seconds are 00 to 59.
 */
static const char *
secs_at(const char *s, const char *end, int64_t *us)
{
	static const int32_t scale[6] = {100000, 10000, 1000, 100, 10, 1};
	int64_t v;
	size_t n = 0;

	if (end - s < 2 || s[0] < '0' || s[0] > '5' || !is_digit(s[1]))
		return NULL;
	v = ((s[0] - '0') * 10 + (s[1] - '0')) * INT64_C(1000000);
	s += 2;
	if (s < end && (*s == '.' || *s == ','))
		for (s++; s < end && is_digit(*s); s++, n++)
			if (n < 6)
				v += (*s - '0') * scale[n];
	*us = v;
	return s;
}

/*
 * The microseconds of the seconds at s, laid out as the last stamp's
 * were (len bytes: two digits and, past two, a '.' or ',' and digits),
 * as secs_at() reads them; -1 when they are not so laid out.
 */
static int64_t
secs_as(const char *s, size_t len)
{
	static const int32_t scale[6] = {100000, 10000, 1000, 100, 10, 1};
	int64_t v;

	if (s[0] < '0' || s[0] > '5' || !is_digit(s[1]) ||
	    (len > 2 && s[2] != '.' && s[2] != ','))
		return -1;
	v = ((s[0] - '0') * 10 + (s[1] - '0')) * INT64_C(1000000);
	for (size_t i = 3; i < len; i++) {
		if (!is_digit(s[i]))
			return -1;
		if (i < 9)
			v += (s[i] - '0') * scale[i - 3];
	}
	return v;
}

/*
 * Where the last stamp's seconds are, for stamp_near(): after the first
 * "DD:DD:" of its text, when every format of f is rfc3164 or iso8601
 * (none: those two), whose only such run is HH:MM: and whose reading of
 * the text (which format, the date, the zone, the year) the seconds do
 * not change. A strptime-like format may have other "DD:DD:" runs.
 */
static void
stamp_mark(struct input *in, const struct ts_formats *f)
{
	const char *t = in->last_text, *end = t + in->last_len, *e;

	in->last_sec = 0;
	for (size_t i = 0; f && i < f->n; i++)
		if (f->v[i].kind != TSF_RFC3164 && f->v[i].kind != TSF_ISO8601)
			return;
	for (size_t i = 6; i + 2 <= in->last_len; i++)
		if (t[i - 1] == ':' && t[i - 4] == ':' && is_digit(t[i - 2]) &&
		    is_digit(t[i - 3]) && is_digit(t[i - 5]) &&
		    is_digit(t[i - 6])) {
			e = secs_at(t + i, end, &in->last_secus);
			if (e != NULL) {
				in->last_sec = i;
				in->last_send = (size_t)(e - t);
			}
			return;
		}
}

/*
 * Are a[0..n) and b[0..n) the same: eight bytes a step, the last eight
 * overlapping the step before. A stamp is short, and the calls to
 * memcmp() that compared one cost more than the compares (50
 * instructions an Exim line).
 */
static inline bool
same_bytes(const char *a, const char *b, size_t n)
{
	uint64_t x, y;
	uint32_t u, w;

	if (n < 8) {
		if (n < 4) {
			for (size_t i = 0; i < n; i++)
				if (a[i] != b[i])
					return false;
			return true;
		}
		memcpy(&u, a, sizeof(u));
		memcpy(&w, b, sizeof(w));
		if (u != w)
			return false;
		memcpy(&u, a + n - 4, sizeof(u));
		memcpy(&w, b + n - 4, sizeof(w));
		return u == w;
	}
	for (size_t i = 0; i + 8 < n; i += 8) {
		memcpy(&x, a + i, sizeof(x));
		memcpy(&y, b + i, sizeof(y));
		if (x != y)
			return false;
	}
	memcpy(&x, a + n - 8, sizeof(x));
	memcpy(&y, b + n - 8, sizeof(y));
	return x == y;
}

/*
 * The stamp v read from the last one when it differs from it only in its
 * seconds and their fraction ("12:20:30.719" after "12:20:30.712", most
 * lines of a busy log): the same time but for the difference, and the
 * same offset, flags and number of fraction digits. False when it does
 * not (v then wants parsing).
 */
static bool
stamp_near(struct input *in, struct strview v, struct ts *out)
{
	size_t sec = in->last_sec, send = in->last_send;
	int64_t us;

	/* what follows is the last's: it ends the seconds where theirs
	   ended (a byte that is not a digit, or the end) */
	if (!same_bytes(v.p, in->last_text, sec) ||
	    !same_bytes(v.p + send, in->last_text + send, v.len - send) ||
	    (us = secs_as(v.p + sec, send - sec)) < 0)
		return false;
	*out = in->last_ts;
	out->us += us - in->last_secus;
	memcpy(in->last_text + sec, v.p + sec, send - sec);
	in->last_ts = *out;
	in->last_secus = us;
	return true;
}

/*
 * A line's stamp, parsed once per distinct text: most lines of a busy log
 * share their second with the line before (350 instructions a line went
 * to parsing the same text again), and most others differ from it only
 * in their seconds (stamp_near(): 290 went to parsing those). The year of
 * a year-less stamp cannot move between two stamps of the same minute
 * (ts_year turns only when the month does), so the stamp parsed last
 * stands for an equal or a near one.
 */
static bool
stamp_of(struct input *in, const struct ts_formats *f, struct strview v,
    struct ts *out)
{
	if (in->have_last && in->last_f == f && v.len == in->last_len) {
		if (same_bytes(v.p, in->last_text, v.len)) {
			*out = in->last_ts;
			return true;
		}
		if (in->last_sec && stamp_near(in, v, out))
			return true;
	}
	in->have_last = false;
	if (!ts_parse_with(f, v, &in->yr, out))
		return false;
	if (v.len <= sizeof(in->last_text)) {
		memcpy(in->last_text, v.p, v.len);
		in->last_len = v.len;
		in->last_f = f;
		in->last_ts = *out;
		in->have_last = true;
		stamp_mark(in, f);
	}
	return true;
}

static void
read_line(struct ingest *g, struct correlator *c, struct input *in,
    struct strview line, struct strview raw, const struct place *at)
{
	struct ts ts = {0};
	struct match *m = &g->m;
	struct set_lines *sl;
	ptrdiff_t si;

	g->ri->lines++;
	if (line.len == 0)
		return;
	if (!match_line(g, &in->cur, line, m)) {
		g->ri->other++;
		return;
	}
	si = set_index(g, m->set);
	sl = si >= 0 ? &g->sets[si] : NULL;
	if (m->pat == NULL) {
		g->ri->unrecognised++;
		if (sl) {
			sl->unrecognised++;
			shapes_add(sl->shapes, raw);
		}
		if (g->o.unparsed) {
			fwrite(raw.p, 1, raw.len, g->o.unparsed);
			fputc('\n', g->o.unparsed);
		}
		return;
	}
	g->ri->recognised++;
	if (sl) {
		const char *k = pattern_every_log_has(m->pat);

		sl->recognised++;
		sl->features |= pattern_features_of(m);
		for (size_t i = 0; k && i < sl->nkinds; i++)
			if (strcmp(sl->kinds[i], k) == 0)
				sl->kind_seen[i] = true;
	}
	if (si >= 0)
		g->seen_set[si] = true;
	if (m->fallback) {
		/* no process ID or host: nothing to group by; a line known
		 * to belong to no conversation (a reject log entry's header
		 * dump) is no loss */
		if (!in->warned_bare && pattern_event(m->pat) != EV_IGNORE)
			diag_at(DIAG_WARNING, at->name, at->line, 0, "line "
			    "without a syslog prefix: such lines are counted "
			    "but cannot be grouped into sessions");
		in->warned_bare = true;
		return;
	}
	if (m->f[F_TS].p && !stamp_of(in, pattern_set_ts_formats(m->set),
	    m->f[F_TS], &ts)) {
		g->ri->bad_time++;
		if (!in->warned_time)
			diag_at(DIAG_WARNING, at->name, at->line, 0, "time "
			    "stamp '%.*s' not understood", (int)m->f[F_TS].len,
			    m->f[F_TS].p);
		in->warned_time = true;
	}
	if (ts.flags & TS_SET) {
		int64_t u = ts_utc(&ts);

		if (!(g->ri->first.flags & TS_SET) || u < g->first_utc) {
			g->ri->first = ts;
			g->first_utc = u;
		}
		if (!(g->ri->last.flags & TS_SET) || u > g->last_utc) {
			g->ri->last = ts;
			g->last_utc = u;
		}
	}
	if (g->relay)
		relay_put(g->relay, m, &ts, at->idx, at->num, raw, at->off,
		    line);
	else
		correlator_feed(c, m, &ts, at->idx, at->num, raw, at->off);
}

/*
 * The file table's index for a journal sequence ("s=<id>"): added after
 * the inputs while there is room, else the input's own (dflt).
 */
static uint32_t
seq_index(struct ingest *g, const char *seqid, uint32_t dflt)
{
	struct run_info *ri = g->ri;

	if (seqid == NULL)
		return dflt;
	for (size_t i = 0; i < g->nseqs; i++)
		if (strcmp(g->seqs[i], seqid) == 0)
			return g->seq_idx[i];
	if (g->o.names == NULL || ri->nfiles >= g->o.names_cap)
		return dflt;
	grow_array((void **)&g->seqs, &g->capseqs, g->nseqs + 1,
	    sizeof(*g->seqs));
	grow_array((void **)&g->seq_idx, &g->capidx, g->nseqs + 1,
	    sizeof(*g->seq_idx));
	g->seqs[g->nseqs] = xstrdup(seqid);
	g->o.names[ri->nfiles] = g->seqs[g->nseqs];
	g->seq_idx[g->nseqs] = (uint32_t)ri->nfiles++;
	return g->seq_idx[g->nseqs++];
}

/*
 * A journal entry: its syslog line (journal.h) read as a text log's
 * line, in the file table under its sequence, numbered by its number
 * there; diagnostics name its cursor.
 */
static void
read_entry(struct ingest *g, struct correlator *c, struct input *in,
    const struct journal_entry *e, const char *name)
{
	struct place at = {e->cursor ? e->cursor : name, 0,
	    seq_index(g, e->seqid, in->idx), (uint32_t)e->seqnum, -1};
	struct strview line;

	if (!journal_entry_line(e, &g->jline)) {
		g->ri->lines++;
		g->ri->other++;	/* no identifier or no message */
		return;
	}
	line = (struct strview){g->jline.s, g->jline.len};
	read_line(g, c, in, line, line, &at);
}

/* Every line there is for now (in follow mode), or to the end. */
static void
read_lines(struct ingest *g, struct correlator *c, struct input *in)
{
	struct strview line, raw;
	struct place at = {reader_name(in->rd), 0, in->idx, 0, -1};
	struct journal_entry e;

	if (in->jt) {
		while (!stop_signal && journal_text_next(in->jt, in->rd, &e))
			read_entry(g, c, in, &e, reader_name(in->rd));
		return;
	}
	while (!stop_signal && reader_next(in->rd, &line)) {
		raw = line;
		at.line = reader_lineno(in->rd);
		at.num = (uint32_t)at.line;
		/* a CSV record is read again by its text, not its place */
		at.off = csvlog_off(&in->csv) ? reader_offset(in->rd) : -1;
		if (at.line == 1 && journal_format_of(line) != JOURNAL_NONE) {
			/* journalctl -o export or -o json: by its fields */
			in->jt = xcalloc(1, sizeof(*in->jt));
			journal_text_init(in->jt, journal_format_of(line),
			    line);
			read_lines(g, c, in);
			return;
		}
		if (csvlog_off(&in->csv)) {
			read_line(g, c, in, line, raw, &at);
			continue;
		}
		switch (csvlog_line(&in->csv, &line)) {
		case CSVLOG_HEADER:
			/* a CSV log's header: understood, nothing to match */
			g->ri->lines++;
			g->ri->recognised++;
			continue;
		case CSVLOG_RECORD:
			in->cur = csvlog_set(&in->csv);
			break;
		case CSVLOG_PASS:
			break;
		}
		read_line(g, c, in, line, raw, &at);
	}
}

bool
ingest_file(struct ingest *g, struct correlator *c, uint32_t idx,
    const char *path)
{
	struct input in;

	if (!input_open(g, &in, idx, path))
		return false;
	read_lines(g, c, &in);
	return input_close(g, &in);
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
 * SA_RESTART: a write to a full pipe that the signal interrupts goes on
 * once the reader drains it (it failed with EINTR, the report was cut
 * and the open sessions lost); the loop stops at the next line read.
 */
static void
catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* The log time of a quiet followed log (see ingest_follow()). */
struct follow_clock {
	int64_t base, base_mono;
};

/*
 * After a batch of lines: end the sessions idle by the log's time now,
 * and flush the output. false when standard output failed (reported at
 * the end).
 */
static bool
follow_tick(struct ingest *g, struct correlator *c, struct follow_clock *fc)
{
	if ((g->ri->last.flags & TS_SET) &&
	    ts_utc(&g->ri->last) != fc->base) {
		fc->base = ts_utc(&g->ri->last);
		fc->base_mono = monotonic_us();
	}
	if (fc->base != INT64_MIN)
		correlator_tick(c, fc->base + (monotonic_us() - fc->base_mono));
	if (g->o.unparsed)
		fflush(g->o.unparsed);
	return fflush(stdout) == 0 && !ferror(stdout);
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
bool
ingest_follow(struct ingest *g, struct correlator *c)
{
	struct input *in = &g->follow;
	const struct timespec nap = {0, 200 * 1000000L};
	struct follow_clock fc = {INT64_MIN, 0};

	catch_signals();
	while (!stop_signal && !reader_failed(in->rd)) {
		read_lines(g, c, in);
		if (!follow_tick(g, c, &fc))
			break;	/* reported at the end */
		if (!stop_signal && !reader_poll(in->rd))
			nanosleep(&nap, NULL);
	}
	return input_close(g, in);
}

bool
ingest_journal(struct ingest *g, struct correlator *c, struct journal *jr,
    bool follow)
{
	struct follow_clock fc = {INT64_MIN, 0};
	struct journal_entry e;
	struct input in;
	bool ok = true;

	memset(&in, 0, sizeof(in));
	if (g->o.mta)
		in.cur = pattern_db_find(g->o.db, g->o.mta);
	csvlog_init(&in.csv, g->o.db, in.cur);	/* unused: entries are lines */
	ts_year_init(&in.yr, time(NULL), g->o.year);
	if (follow)
		catch_signals();
	for (;;) {
		while (!stop_signal && journal_next(jr, &e))
			read_entry(g, c, &in, &e, journal_name(jr));
		if (!follow || stop_signal)
			break;
		if (!follow_tick(g, c, &fc))
			break;	/* reported at the end */
		ok &= journal_save_cursor(jr);
		if (!journal_wait(jr, 200000))
			break;	/* past --until */
	}
	ok &= journal_save_cursor(jr);
	return ok;
}

/*
 * The time of the first line of a file that carries one (within its first
 * PEEK_LINES lines), as read: INT64_MAX when none, or when the file cannot
 * be read (reading it later reports why). Standard input is not peeked.
 */
#define PEEK_LINES 1000

static int64_t
first_time(struct ingest *g, const char *path, time_t *mtime)
{
	struct reader *rd;
	struct strview line;
	struct ts_year yr;
	const struct pattern_set *cur = NULL;
	struct match m = {0};
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
		if (g->o.mta)
			cur = pattern_db_find(g->o.db, g->o.mta);
		csvlog_init(&cl, g->o.db, cur);
		ts_year_init(&yr, reader_mtime(rd), g->o.year);
		for (int i = 0; i < PEEK_LINES && reader_next(rd, &line);
		    i++) {
			struct ts ts;
			enum csvlog_result cr = csvlog_line(&cl, &line);

			if (cr == CSVLOG_HEADER)
				continue;
			if (cr == CSVLOG_RECORD)
				cur = csvlog_set(&cl);
			if (line.len == 0 || !match_line(g, &cur, line, &m) ||
			    m.f[F_TS].p == NULL ||
			    !ts_parse_with(pattern_set_ts_formats(m.set),
			    m.f[F_TS], &yr, &ts))
				continue;
			t = ts_utc(&ts);
			break;
		}
		csvlog_release(&cl);
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
void
ingest_order(struct ingest *g, const char **files, size_t n)
{
	struct ordered *v = xcalloc(n, sizeof(*v));

	for (size_t i = 0; i < n; i++) {
		v[i].path = files[i];
		v[i].pos = i;
		v[i].t = first_time(g, files[i], &v[i].mtime);
		v[i].age = rotation_age(files[i]);
	}
	qsort(v, n, sizeof(*v), cmp_ordered);
	for (size_t i = 0; i < n; i++)
		files[i] = v[i].path;
	free(v);
}

void
ingest_mtas(const struct ingest *g, struct buf *b, bool seen_only)
{
	for (size_t i = 0; i < pattern_db_count(g->o.db); i++) {
		if (seen_only && !g->seen_set[i])
			continue;
		if (b->len)
			buf_add(b, ", ", 2);
		buf_add(b, pattern_set_mta(pattern_db_set(g->o.db, i)),
		    strlen(pattern_set_mta(pattern_db_set(g->o.db, i))));
	}
}

struct ingest *
ingest_new(const struct ingest_opts *o, struct run_info *ri)
{
	struct ingest *g = xcalloc(1, sizeof(*g));

	g->o = *o;
	g->ri = ri;
	buf_init(&g->jline);
	g->seen_set = xcalloc(pattern_db_count(o->db) + 1, sizeof(bool));
	g->sets = xcalloc(pattern_db_count(o->db) + 1, sizeof(*g->sets));
	for (size_t i = 0; i < pattern_db_count(o->db); i++) {
		struct set_lines *sl = &g->sets[i];

		sl->set = pattern_db_set(o->db, i);
		sl->shapes = shapes_new();
		sl->nkinds = pattern_set_kinds(sl->set, sl->kinds,
		    SET_KINDS_MAX);
	}
	ri->sets = g->sets;
	ri->nsets = pattern_db_count(o->db);
	return g;
}

enum ingest_follow_open
ingest_follow_open(struct ingest *g, const char *path)
{
	if (!input_open(g, &g->follow, 0, path))
		return INGEST_FOLLOW_UNREADABLE;
	if (!reader_follow(g->follow.rd))
		return INGEST_FOLLOW_NOT_PLAIN;
	return INGEST_FOLLOW_OPEN;
}

void
ingest_relay(struct ingest *g, struct relay *rl)
{
	g->relay = rl;
}

bool
ingest_wants(const struct ingest *g, const struct session *s)
{
	if (g->o.nids == 0)
		return true;
	for (size_t i = 0; i < g->o.nids; i++)
		if (session_has_id(s, g->o.ids[i]))
			return true;
	return false;
}

void
ingest_free(struct ingest *g)
{
	if (g == NULL)
		return;
	if (g->follow.rd) {
		reader_close(g->follow.rd);
		csvlog_release(&g->follow.csv);
	}
	if (g->follow.jt) {
		journal_text_release(g->follow.jt);
		free(g->follow.jt);
	}
	for (size_t i = 0; i < g->nseqs; i++)
		free(g->seqs[i]);
	free(g->seqs);
	free(g->seq_idx);
	buf_release(&g->jline);
	free(g->seen_set);
	for (size_t i = 0; i < pattern_db_count(g->o.db); i++)
		shapes_free(g->sets[i].shapes);
	free(g->sets);
	g->ri->sets = NULL;
	g->ri->nsets = 0;
	free(g);
}
