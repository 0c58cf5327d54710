/*
 * check_relay - lines through the relay's two threads reach the
 * correlator as they do on one thread.
 *
 * Each case reads a sample log twice: once feeding correlator_feed()
 * directly, once through relay_put() on the relay's reading thread, with
 * batches of 1, 2, 3 and RELAY_LINES lines (SMTPLOG_ANALYZE_BATCH). Every
 * session emitted is written down (label, verdict, each line's number and
 * text) and the two records must be equal. The line is copied into a
 * scratch buffer that is wiped after it is handed on, so a batch that
 * kept a view into it would show garbage. A warning said by the reading
 * thread every 97 lines must come out on standard error where it would
 * with one thread.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "correlate.h"
#include "diag.h"
#include "pattern.h"
#include "reader.h"
#include "relay.h"
#include "session.h"
#include "timestamp.h"

static struct pattern_db *db;

static void
load_db(void)
{
	const char *env = getenv("SMTPLOG_ANALYZE_PATTERNS");
	const char *dirs[] = {env && *env ? env : SRCDIR "/patterns"};

	db = pattern_db_load(dirs, 1);
	ck_assert_msg(db != NULL, "cannot load patterns from '%s'", dirs[0]);
}

static void
free_db(void)
{
	pattern_db_free(db);
	db = NULL;
}

/* What emit() is handed, as text. */
static void
record(const struct session *s, void *arg)
{
	struct buf *b = arg;
	struct lineref *l;
	size_t n = session_lines(s, &l);

	buf_addf(b, "%s %d %d %s\n", s->label, (int)s->v.status,
	    (int)s->v.phase, s->v.cause ? s->v.cause : "-");
	for (size_t i = 0; i < n; i++)
		buf_addf(b, "  %u:%u %s\n", l[i].file, l[i].line,
		    l[i].text ? l[i].text : "(none)");
	free(l);
}

struct reading {
	const char *path;
	struct correlator *c;	/* NULL: to the relay */
	struct relay *rl;
	bool split;	/* hand the text in a buffer of its own */
	size_t lines;
};

/* Match each line as ingest does (any set), and hand it on. */
static bool
read_log(void *arg)
{
	struct reading *rd = arg;
	struct reader *r = reader_open(rd->path);
	const struct pattern_set *cur = NULL;
	struct strview line;
	struct ts_year yr;
	static char scratch[70000], other[70000];

	ck_assert_msg(r != NULL, "cannot open %s", rd->path);
	ts_year_init(&yr, 0, 2026);
	while (reader_next(r, &line)) {
		struct strview l = {scratch, line.len}, t = l;
		struct match m;
		struct ts ts = {0};

		rd->lines++;
		if (rd->lines % 97 == 0)
			diag_warning("line %zu of '%s'", rd->lines, rd->path);
		memcpy(scratch, line.p, line.len);
		if (rd->split) {
			memcpy(other, line.p, line.len);
			t.p = other;
		}
		/* the last set that knew a line, else the first that does */
		for (size_t i = 0; cur == NULL || !pattern_set_match(cur, l,
		    false, &m); i++) {
			if (i == pattern_db_count(db))
				goto next;
			cur = pattern_db_set(db, i);
		}
		if (m.pat == NULL)
			goto next;
		if (m.f[F_TS].p)
			ts_parse(m.f[F_TS], &yr, &ts);
		if (rd->c)
			correlator_feed(rd->c, &m, &ts, 0,
			    (uint32_t)rd->lines, t, -1);
		else
			relay_put(rd->rl, &m, &ts, 0, (uint32_t)rd->lines, t,
			    -1, l);
next:
		memset(scratch, '#', line.len);
		memset(other, '#', line.len);
	}
	reader_close(r);
	return true;
}

/* Standard error into a file while f runs; its text appended to err. */
static void
run_captured(struct reading *rd, bool threads, struct buf *err)
{
	char path[] = "/tmp/check-relay.XXXXXX";
	int fd = mkstemp(path), saved = dup(2);
	char chunk[4096];
	FILE *fp;
	size_t n;

	ck_assert(fd >= 0 && saved >= 0);
	fflush(stderr);
	dup2(fd, 2);
	if (threads) {
		ck_assert(relay_run(rd->rl, read_log, rd));
	} else {
		ck_assert(read_log(rd));
	}
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	fp = fdopen(fd, "r");
	rewind(fp);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(err, chunk, n);
	fclose(fp);
	unlink(path);
}

/* The sessions and standard error of a run, one thread or two. */
static void
run(const char *path, bool threads, bool split, struct buf *out,
    struct buf *err)
{
	struct correlate_opts o = {.keep_text = true, .max_open = 100000,
	    .idle_us = 3600 * 1000000LL, .db = db, .emit = record,
	    .arg = out};
	struct correlator *c = correlator_new(&o);
	struct reading rd = {path, threads ? NULL : c, NULL, split, 0};
	unsigned warned = diag_warnings();

	if (threads)
		rd.rl = relay_new(c);
	run_captured(&rd, threads, err);
	correlator_flush(c);
	ck_assert_msg(diag_warnings() - warned == rd.lines / 97,
	    "%u warnings counted, want %zu", diag_warnings() - warned,
	    rd.lines / 97);
	relay_free(rd.rl);
	correlator_free(c);
}

static const char *const logs[] = {
	SRCDIR "/samples/postfix/mail.log",
	SRCDIR "/samples/exim/pid/mainlog",
	SRCDIR "/samples/postfix/postscreen-deep/mail.log",
};
static const char *const batches[] = {"1", "2", "3", "4096"};

START_TEST(same_as_one_thread)
{
	const char *path = logs[_i / 8];
	const char *bs = batches[_i % 4];
	bool split = (_i / 4) % 2;
	struct buf want = BUF_INIT, got = BUF_INIT, want_err = BUF_INIT,
	    got_err = BUF_INIT;

	if (access(path, R_OK) != 0)
		return;
	setenv("SMTPLOG_ANALYZE_BATCH", bs, 1);
	run(path, false, split, &want, &want_err);
	run(path, true, split, &got, &got_err);
	ck_assert_msg(want.len > 1000, "%s: only %zu bytes of sessions", path,
	    want.len);
	ck_assert_msg(got.len == want.len && memcmp(got.s, want.s,
	    want.len) == 0, "%s, batch %s%s: sessions differ: got\n%.300s\n"
	    "want\n%.300s", path, bs, split ? ", text apart" : "",
	    got.s ? got.s : "", want.s);
	ck_assert_msg(got_err.len == want_err.len && (want_err.len == 0 ||
	    memcmp(got_err.s, want_err.s, want_err.len) == 0),
	    "%s, batch %s: standard error differs: got\n%.300s\nwant\n%.300s",
	    path, bs, got_err.s ? got_err.s : "", want_err.s ? want_err.s :
	    "");
	buf_release(&want);
	buf_release(&got);
	buf_release(&want_err);
	buf_release(&got_err);
	unsetenv("SMTPLOG_ANALYZE_BATCH");
}
END_TEST

/* diag_defer(): not printed nor counted until replayed, then both. */
START_TEST(defer_and_replay)
{
	struct buf b = BUF_INIT;
	unsigned w = diag_warnings(), e = diag_errors();

	diag_defer(&b);
	diag_warning("one %d", 1);
	diag_at(DIAG_ERROR, "f.log", 7, 0, "two");
	diag_defer(NULL);
	ck_assert_uint_eq(diag_warnings(), w);
	ck_assert_uint_eq(diag_errors(), e);
	ck_assert(b.len > 0);
	diag_replay(b.s, b.len);
	ck_assert_uint_eq(diag_warnings(), w + 1);
	ck_assert_uint_eq(diag_errors(), e + 1);
	buf_release(&b);
}
END_TEST

static Suite *
relay_suite(void)
{
	Suite *s = suite_create("relay");
	TCase *tc = tcase_create("relay");

	tcase_add_checked_fixture(tc, load_db, free_db);
	tcase_add_loop_test(tc, same_as_one_thread, 0,
	    (int)(sizeof(logs) / sizeof(logs[0]) * 8));
	tcase_add_test(tc, defer_and_replay);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(relay_suite());
	int nfailed;

	srunner_run_all(sr, CK_NORMAL);
	nfailed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfailed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
