/*
 * check_journal - unit tests for journal.h: journalctl's export and JSON
 * output read by their fields, and an entry written as a syslog line.
 *
 * The inputs are written into a mkdtemp() file and read through reader.h,
 * as the tool reads them: export records with binary fields whose bytes
 * hold newlines (and whose length bytes are themselves a newline), JSON
 * with escapes, byte arrays and repeated fields. The journal itself
 * (sd-journal) is tested on a real journal file by check-journal.sh.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "journal.h"
#include "reader.h"
#include "timestamp.h"

static char path[256];
static struct reader *rd;
static struct journal_text jt;
static struct buf line = BUF_INIT;

static void
setup(void)
{
	const char *t = getenv("TMPDIR");
	int fd;

	snprintf(path, sizeof(path), "%s/check-journal-XXXXXX",
	    t && *t ? t : "/tmp");
	fd = mkstemp(path);
	ck_assert_msg(fd >= 0, "mkstemp: %s", strerror(errno));
	close(fd);
}

static void
teardown(void)
{
	reader_close(rd);
	rd = NULL;
	journal_text_release(&jt);
	memset(&jt, 0, sizeof(jt));
	buf_release(&line);
	unlink(path);
}

static void
write_input(const char *s, size_t n)
{
	FILE *fp = fopen(path, "w");

	ck_assert_msg(fp != NULL, "%s: %s", path, strerror(errno));
	ck_assert_uint_eq(fwrite(s, 1, n, fp), n);
	ck_assert_int_eq(fclose(fp), 0);
}

/* Open the input and recognise it from its first line, as ingest does. */
static void
open_input(enum journal_format want)
{
	struct strview first;
	enum journal_format got;

	rd = reader_open(path);
	ck_assert_ptr_nonnull(rd);
	ck_assert_int_eq(reader_next(rd, &first), 1);
	got = journal_format_of(first);
	ck_assert_msg(got == want, "format: got %d, want %d", got, want);
	journal_text_init(&jt, got, first);
}

static void
assert_view(const char *what, struct strview v, const char *want,
    size_t wlen)
{
	ck_assert_msg(v.len == wlen && (wlen == 0 ||
	    memcmp(v.p, want, wlen) == 0),
	    "%s: got '%.*s' (%zu bytes), want '%.*s' (%zu bytes)", what,
	    (int)v.len, v.p ? v.p : "", v.len, (int)wlen, want, wlen);
}

/* A literal's bytes, NULs and all */
#define ASSERT_VIEW(what, v, lit) assert_view(what, v, lit, sizeof(lit) - 1)

static void
assert_line(const struct journal_entry *e, const char *want)
{
	ck_assert_int_eq(journal_entry_line(e, &line), true);
	ck_assert_msg(strcmp(line.s, want) == 0, "line: got '%s', want '%s'",
	    line.s, want);
}

START_TEST(format_recognised)
{
	static const struct {
		const char *line;
		enum journal_format want;
	} cases[] = {
		{"__CURSOR=s=1;i=2", JOURNAL_EXPORT},
		{"__REALTIME_TIMESTAMP=1795425438000000", JOURNAL_EXPORT},
		{"{\"MESSAGE\":\"x\",\"__REALTIME_TIMESTAMP\":\"1\"}",
		    JOURNAL_JSON},
		{"Nov 23 09:17:18 mx postfix/master[11861]: daemon started",
		    JOURNAL_NONE},
		{"{\"mta\":\"postfix\",\"start\":\"2026-11-23T09:17:21\"}",
		    JOURNAL_NONE},
		{"__CURSOR", JOURNAL_NONE},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct strview v = {cases[i].line, strlen(cases[i].line)};
		enum journal_format got = journal_format_of(v);

		ck_assert_msg(got == cases[i].want, "'%s': got %d, want %d",
		    cases[i].line, got, cases[i].want);
	}
}
END_TEST

/*
 * Two records; the second's MESSAGE is binary, 10 bytes long (so its
 * first length byte is '\n') and holds a newline of its own.
 */
START_TEST(export_fields)
{
	static const char in[] =
	    "__CURSOR=s=739ad463348b4ceca5a9e69c95a3c93f;i=4ece7;b=6c;"
	    "m=1;t=2;x=3\n"
	    "__REALTIME_TIMESTAMP=1795425441250000\n"
	    "_HOSTNAME=mx\n"
	    "SYSLOG_IDENTIFIER=postfix/submission/smtpd\n"
	    "_PID=8310\n"
	    "SYSLOG_PID=8311\n"
	    "MESSAGE=connect from localhost[127.0.0.1]:20205\n"
	    "\n"
	    "__REALTIME_TIMESTAMP=1795425442000000\n"
	    "_HOSTNAME=mx\n"
	    "_COMM=smtpd\n"
	    "_PID=8312\n"
	    "MESSAGE\n"
	    "\x0a\0\0\0\0\0\0\0" "ab\ncd\r\nefg\n"
	    "PRIORITY=6\n"
	    "\n";
	struct journal_entry e;

	write_input(in, sizeof(in) - 1);
	open_input(JOURNAL_EXPORT);
	ts_set_default_zone("UTC");

	ck_assert_int_eq(journal_text_next(&jt, rd, &e), 1);
	assert_view("ident", e.ident, "postfix/submission/smtpd", 24);
	assert_view("pid", e.pid, "8311", 4);	/* SYSLOG_PID first */
	ck_assert_msg(e.time_us == 1795425441250000, "time: got %lld",
	    (long long)e.time_us);
	ck_assert_str_eq(e.seqid, "s=739ad463348b4ceca5a9e69c95a3c93f");
	ck_assert_msg(e.seqnum == 0x4ece7, "seqnum: got %llu",
	    (unsigned long long)e.seqnum);
	assert_line(&e, "2026-11-23T09:17:21.250000 mx "
	    "postfix/submission/smtpd[8311]: connect from "
	    "localhost[127.0.0.1]:20205");

	ck_assert_int_eq(journal_text_next(&jt, rd, &e), 1);
	assert_view("ident", e.ident, "smtpd", 5);	/* _COMM */
	ASSERT_VIEW("message", e.message, "ab\ncd\r\nefg");
	ck_assert_msg(e.seqid == NULL && e.seqnum == 2,
	    "place: got %s/%llu, want none/2", e.seqid ? e.seqid : "none",
	    (unsigned long long)e.seqnum);
	assert_line(&e, "2026-11-23T09:17:22 mx smtpd[8312]: ab\ncd\r\nefg");

	ck_assert_int_eq(journal_text_next(&jt, rd, &e), 0);
}
END_TEST

START_TEST(export_cut_short)
{
	static const char in[] =
	    "__REALTIME_TIMESTAMP=1795425442000000\n"
	    "MESSAGE\n"
	    "\x40\0\0\0\0\0\0\0" "too short";
	struct journal_entry e;

	write_input(in, sizeof(in) - 1);
	open_input(JOURNAL_EXPORT);
	ck_assert_int_eq(journal_text_next(&jt, rd, &e), 0);
}
END_TEST

START_TEST(json_fields)
{
	static const char in[] =
	    "{\"__CURSOR\":\"s=0123456789abcdef0123456789abcdef;i=1f\","
	    "\"__REALTIME_TIMESTAMP\":\"1795425441000000\","
	    "\"_SOURCE_REALTIME_TIMESTAMP\":\"1795425440999999\","
	    "\"_HOSTNAME\":\"mx\",\"SYSLOG_IDENTIFIER\":[\"exim\",\"x\"],"
	    "\"_PID\":\"77\",\"PRIORITY\":\"6\",\"_UID\":null,"
	    "\"MESSAGE\":\"caf\\u00e9 \\ud83d\\ude00 \\\"q\\\" \\\\ \\t\"}\n"
	    "{\"__REALTIME_TIMESTAMP\":\"1795425442000000\","
	    "\"SYSLOG_IDENTIFIER\":\"postfix/smtpd\",\"_PID\":\"9\","
	    "\"MESSAGE\":[104,105,10,255]}\n"
	    "{\"broken\":\n"
	    "{\"MESSAGE\":\"no time\",\"SYSLOG_IDENTIFIER\":\"x\"}\n";
	struct journal_entry e;

	write_input(in, sizeof(in) - 1);
	open_input(JOURNAL_JSON);
	ts_set_default_zone("UTC");

	ck_assert_int_eq(journal_text_next(&jt, rd, &e), 1);
	assert_view("ident", e.ident, "exim", 4);	/* the first value */
	ASSERT_VIEW("message", e.message, "caf\xc3\xa9 \xf0\x9f\x98\x80 "
	    "\"q\" \\ \t");
	ck_assert_msg(e.time_us == 1795425440999999, "time: got %lld",
	    (long long)e.time_us);	/* the source's time first */
	ck_assert_msg(e.seqnum == 0x1f, "seqnum: got %llu",
	    (unsigned long long)e.seqnum);

	ck_assert_int_eq(journal_text_next(&jt, rd, &e), 1);
	ASSERT_VIEW("message", e.message, "hi\n\xff");	/* bytes */
	assert_line(&e, "2026-11-23T09:17:22 localhost postfix/smtpd[9]: "
	    "hi\n\xff");

	/* the broken object and the one without a time are skipped */
	ck_assert_int_eq(journal_text_next(&jt, rd, &e), 0);
}
END_TEST

/* Without --tz: the instant with the local zone's offset. */
START_TEST(line_local_zone)
{
	struct journal_entry e = {0};

	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	e.ident = (struct strview){"postfix/smtpd", 13};
	e.host = (struct strview){"mx", 2};
	e.pid = (struct strview){"7", 1};
	e.message = (struct strview){"x", 1};
	e.time_us = 1795425441000000;	/* 2026-11-23T09:17:21Z */
	assert_line(&e, "2026-11-23T10:17:21+01:00 mx postfix/smtpd[7]: x");
	e.time_us = INT64_MIN;
	ck_assert_int_eq(journal_entry_line(&e, &line), false);
}
END_TEST

/* vocab.h's rule: a name round-trips; JF_NONE for an unknown name, and
 * NULL for the name of JF_NONE or of a value past the last. */
START_TEST(field_names)
{
	static const char *const unknown[] = {"", "MESSAGE_ID", "message",
	    "_HOSTNAMEX", "__CURSO", "SYSLOG_PI"};

	for (int f = 0; f < JF__COUNT; f++) {
		const char *n = journal_field_name((enum journal_field)f);
		enum journal_field back;

		ck_assert_msg(n != NULL, "field %d: got no name", f);
		back = journal_field_by_name(n, strlen(n));
		ck_assert_msg(back == (enum journal_field)f,
		    "'%s': got %d, want %d", n, (int)back, f);
	}
	for (size_t i = 0; i < sizeof(unknown) / sizeof(*unknown); i++) {
		enum journal_field f = journal_field_by_name(unknown[i],
		    strlen(unknown[i]));

		ck_assert_msg(f == JF_NONE, "'%s': got %d, want JF_NONE",
		    unknown[i], (int)f);
	}
	ck_assert_msg(journal_field_name(JF_NONE) == NULL,
	    "name of JF_NONE: got '%s', want NULL",
	    journal_field_name(JF_NONE));
	ck_assert_msg(journal_field_name(JF__COUNT) == NULL,
	    "name past the last: got '%s', want NULL",
	    journal_field_name(JF__COUNT));
}
END_TEST

static Suite *
journal_suite(void)
{
	Suite *s = suite_create("journal");
	TCase *tc;

	/* each in its own process: --tz and TZ are process-wide */
	tc = tcase_create("format");
	tcase_add_test(tc, format_recognised);
	tcase_add_test(tc, field_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("export");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, export_fields);
	tcase_add_test(tc, export_cut_short);
	suite_add_tcase(s, tc);

	tc = tcase_create("json");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, json_fields);
	suite_add_tcase(s, tc);

	tc = tcase_create("line");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, line_local_zone);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(journal_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
