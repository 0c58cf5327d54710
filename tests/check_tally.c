/*
 * check_tally - unit tests for tally.h and reason.h: the message figures
 * as README.md defines them, built from hand-made messages and sessions;
 * capped tables; queue-delay quantiles; per-day slots; TLS versions; and
 * the masking of reply texts into distinct reasons.
 */
#include "config.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reason.h"
#include "tally.h"

/* --- reason_mask ------------------------------------------------------- */

static const struct {
	const char *in, *want;
} masks[] = {
	{"<u1@bounce.test>: Recipient address rejected: Mailbox unavailable",
	    "<ARG>: Recipient address rejected: Mailbox unavailable"},
	{"Service unavailable; client [192.0.2.7] blocked using "
	    "zen.example.net",
	    "Service unavailable; client [IP] blocked using zen.example.net"},
	{"Service unavailable; client [192.0.2.8] blocked using "
	    "bl.example.org",
	    "Service unavailable; client [IP] blocked using bl.example.org"},
	{"host mx.example.com[198.51.100.4] said: 550 no",
	    "host HOST[IP] said: N no"},
	{"connect to 127.0.0.1[127.0.0.1]:10030: Connection refused",
	    "connect to IP[IP]:N: Connection refused"},
	{"mail for alice@example.org loops back",
	    "mail for ADDR loops back"},
	{"queued as 7548BA722D9, id=1xVT2I-000326-1n",
	    "queued as ID, id=ID"},
	{"client 2001:db8::25 refused", "client IP refused"},
	{"error:0A00010B:SSL routines::wrong version number:"
	    "../ssl/record/ssl3_record.c:350:",
	    "error:ID:SSL routines::wrong version number:"
	    "../ssl/record/ssl3_record.c:N:"},
	{"tlsv1 alert unknown ca", "tlsv1 alert unknown ca"},
	{"", ""},
	/* a NUL ends the text, nothing after it is read */
	{"x@", "x@"},
	{"@y", "@y"},
	{"helo mail.example.com rejected", "helo HOST rejected"},
};

START_TEST(reason_masks)
{
	struct buf b = BUF_INIT;

	reason_mask(masks[_i].in, &b);
	ck_assert_msg(strcmp(b.s, masks[_i].want) == 0,
	    "mask '%s': got '%s', want '%s'", masks[_i].in, b.s,
	    masks[_i].want);
	buf_release(&b);
}
END_TEST

START_TEST(reason_null)
{
	struct buf b = BUF_INIT;

	reason_mask(NULL, &b);
	ck_assert_msg(b.len == 0, "NULL: got %zu bytes, want 0", b.len);
	buf_release(&b);
}
END_TEST

/* --- tables ------------------------------------------------------------ */

START_TEST(table_cap)
{
	struct tally_table t = {.max = 2};
	struct tally_row **v;
	size_t n;

	tally_table_row(&t, "a")->n += 3;
	tally_table_row(&t, "b")->n += 5;
	tally_table_row(&t, "c")->n += 7;	/* past max: other */
	tally_table_row(&t, "d")->n += 1;	/* other too */
	tally_table_row(&t, "a")->n += 1;	/* held: its own row */
	v = tally_table_sorted(&t, false, &n);
	ck_assert_msg(n == 3, "rows: got %zu, want 3", n);
	ck_assert_msg(strcmp(v[0]->key, "b") == 0 && v[0]->n == 5,
	    "first: got %s %lu, want b 5", v[0]->key, v[0]->n);
	ck_assert_msg(strcmp(v[1]->key, "a") == 0 && v[1]->n == 4,
	    "second: got %s %lu, want a 4", v[1]->key, v[1]->n);
	ck_assert_msg(strcmp(v[2]->key, TALLY_OTHER) == 0 && v[2]->n == 8,
	    "last: got %s %lu, want %s 8", v[2]->key, v[2]->n, TALLY_OTHER);
	free(v);
	tally_table_release(&t);
}
END_TEST

/*
 * A table's cache of recent rows (tally.c): every key gets its own row,
 * the same one each time, among 500 keys asked for in turn (many share a
 * slot of the cache); and after tally_table_release() the table starts
 * afresh, no row of before comes back.
 */
START_TEST(table_recent_rows)
{
	struct tally_table t = {0};
	struct tally_row *first[500];
	char k[32];

	for (int round = 0; round < 3; round++)
		for (int i = 0; i < 500; i++) {
			struct tally_row *r;

			snprintf(k, sizeof(k), "key-%d", i * 7919 % 500);
			r = tally_table_row(&t, k);
			ck_assert_str_eq(r->key, k);
			if (round == 0)
				first[i] = r;
			ck_assert_ptr_eq(r, first[i]);
			r->n++;
		}
	ck_assert_uint_eq(t.nrows, 500);
	for (size_t i = 0; i < t.nrows; i++)
		ck_assert_uint_eq(t.rows[i]->n, 3);
	tally_table_release(&t);
	for (int i = 0; i < 500; i++) {
		struct tally_row *r;

		snprintf(k, sizeof(k), "key-%d", i);
		r = tally_table_row(&t, k);
		ck_assert_str_eq(r->key, k);
		ck_assert_uint_eq(r->n, 0);
		r->n++;
	}
	ck_assert_uint_eq(t.nrows, 500);
	tally_table_release(&t);
}
END_TEST

START_TEST(table_by_bytes)
{
	struct tally_table t = {0};
	struct tally_row **v;
	size_t n;

	tally_table_row(&t, "many")->n = 9;
	tally_table_row(&t, "many")->bytes = 10;
	tally_table_row(&t, "big")->n = 1;
	tally_table_row(&t, "big")->bytes = 1000;
	v = tally_table_sorted(&t, true, &n);
	ck_assert_msg(n == 2 && strcmp(v[0]->key, "big") == 0,
	    "by bytes: got %s first, want big", v[0]->key);
	free(v);
	v = tally_table_sorted(&t, false, &n);
	ck_assert_msg(strcmp(v[0]->key, "many") == 0,
	    "by count: got %s first, want many", v[0]->key);
	free(v);
	tally_table_release(&t);
}
END_TEST

/* --- figures from messages --------------------------------------------- */

static struct ts
at(int day, int hour, double sec)
{
	struct ts t = {0};

	t.us = (int64_t)day * 86400000000LL + (int64_t)hour * 3600000000LL +
	    (int64_t)(sec * 1e6);
	t.flags = TS_SET;
	return t;
}

static struct rcpt
rcpt(const char *addr, enum rstatus st, double delay, unsigned deferrals,
    bool remote, struct ts when)
{
	struct rcpt r = {0};

	r.address = (char *)addr;
	r.status = st;
	r.delay = delay;
	r.deferrals = deferrals;
	r.remote = remote;
	r.relay = (char *)(remote ? "mx.example.net[192.0.2.9]:25" : "local");
	r.at = when;
	return r;
}

START_TEST(figures)
{
	struct tallies t;
	struct rcpt r1[] = {
		rcpt("bob@example.org", RS_DELIVERED, 0.5, 0, false,
		    at(0, 9, 1)),
		rcpt("x@far.example", RS_DELIVERED, -1, 2, true, at(0, 9, 31)),
		rcpt("y@far.example", RS_BOUNCED, 2, 0, true, at(0, 9, 5)),
	};
	struct rcpt r2[] = {
		rcpt("alice@example.org", RS_DELIVERED, 4, 0, false,
		    at(1, 10, 4)),
	};
	struct rcpt r3[] = {
		rcpt("carol@example.org", RS_EXPIRED, -1, 3, true,
		    at(2, 3, 0)),
	};
	struct message m1 = {0}, m2 = {0}, m3 = {0};

	tally_init(&t);
	/* by SMTP: 3 recipients, one delivered locally, one relayed after
	 * two deferrals (no delay logged: from the times), one bounced */
	m1.accepted = m1.smtp = true;
	m1.sender = (char *)"alice@example.org";
	m1.size = (char *)"1000";
	m1.accepted_at = at(0, 9, 0);
	m1.rcpts = r1;
	m1.nrcpts = 3;
	/* a bounce notice: no session, null sender */
	m2.accepted = true;
	m2.sender = (char *)"";
	m2.size = (char *)"300";
	m2.accepted_at = at(1, 10, 0);
	m2.rcpts = r2;
	m2.nrcpts = 1;
	/* local submission, expired after three deferrals */
	m3.accepted = true;
	m3.sender = (char *)"root";
	m3.size = (char *)"50";
	m3.accepted_at = at(1, 23, 0);
	m3.rcpts = r3;
	m3.nrcpts = 1;
	tally_message(&t, &m1);
	tally_message(&t, &m2);
	tally_message(&t, &m3);

#define FIG(f, wm, wr) ck_assert_msg(t.msgs[f] == (wm) && \
	    t.rcpts[f] == (wr), "%s: got %lu/%lu, want %lu/%lu", \
	    tally_fig_name(f), t.msgs[f], t.rcpts[f], (unsigned long)(wm), \
	    (unsigned long)(wr))
	FIG(TF_RECEIVED, 2, 4);
	FIG(TF_RECEIVED_SMTP, 1, 3);
	FIG(TF_RECEIVED_LOCAL, 1, 1);
	FIG(TF_NOTICES, 1, 1);
	FIG(TF_DELIVERED, 2, 3);
	FIG(TF_RELAYED, 1, 1);
	FIG(TF_DEFERRED, 2, 2);
	FIG(TF_BOUNCED, 1, 1);
	FIG(TF_EXPIRED, 1, 1);
	ck_assert_msg(t.deferral_events == 5, "deferrals: got %lu, want 5",
	    t.deferral_events);
	ck_assert_msg(t.bytes_received == 1050,
	    "bytes received: got %llu, want 1050", t.bytes_received);
	ck_assert_msg(t.bytes_delivered == 2300,
	    "bytes delivered: got %llu, want 2300", t.bytes_delivered);
	/* three days; the received ones on the days they were queued */
	ck_assert_msg(t.ndays == 3, "days: got %zu, want 3", t.ndays);
	ck_assert_msg(t.days[0].s.out[TO_RECEIVED] == 1 &&
	    t.days[1].s.out[TO_RECEIVED] == 1,
	    "received per day: got %lu %lu, want 1 1",
	    t.days[0].s.out[TO_RECEIVED], t.days[1].s.out[TO_RECEIVED]);
	ck_assert_msg(t.hour[9].out[TO_DELIVERED] == 2 &&
	    t.hour[10].out[TO_DELIVERED] == 1,
	    "delivered at 09 and 10: got %lu %lu, want 2 1",
	    t.hour[9].out[TO_DELIVERED], t.hour[10].out[TO_DELIVERED]);
	/* delays 0.5, 31 (from the times), 4: min, median, max */
	ck_assert_msg(t.delay_n == 3, "delays: got %lu, want 3", t.delay_n);
	ck_assert_msg(tally_delay_quantile(&t, 0) == 0.5,
	    "min: got %g, want 0.5", tally_delay_quantile(&t, 0));
	ck_assert_msg(fabs(tally_delay_quantile(&t, 0.5) - 4) < 4 * 0.012,
	    "median: got %g, want 4 within 1.2%%",
	    tally_delay_quantile(&t, 0.5));
	ck_assert_msg(tally_delay_quantile(&t, 1) == 31,
	    "max: got %g, want 31", tally_delay_quantile(&t, 1));
	tally_release(&t);
}
END_TEST

START_TEST(forwarded_not_delivered)
{
	struct tallies t;
	struct rcpt r[] = {
		rcpt("bob@example.org", RS_DELIVERED, 0.1, 0, true,
		    at(0, 1, 0)),
	};
	struct message from = {0}, copy = {0};

	tally_init(&t);
	from.accepted = from.smtp = from.forwarded = true;
	from.sender = (char *)"a@example.org";
	from.rcpts = r;
	from.nrcpts = 1;
	copy.accepted = copy.reinjected = true;
	copy.sender = (char *)"a@example.org";
	copy.rcpts = r;
	copy.nrcpts = 1;
	copy.held = true;	/* a header check held the copy */
	tally_message(&t, &from);
	tally_message(&t, &copy);
	FIG(TF_HELD, 1, 0);
	FIG(TF_RECEIVED, 1, 1);
	FIG(TF_FORWARDED, 1, 1);
	FIG(TF_DELIVERED, 1, 1);
	tally_release(&t);
}
END_TEST

static const struct {
	const char *tls, *want;
} tls_cases[] = {
	{"TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)",
	    "TLSv1.3"},
	{"TLS1.2:ECDHE_RSA_AES_128_GCM_SHA256:128", "TLSv1.2"},
	{"SP_PROT_TLS1_2_SERVER", "TLSv1.2"},
	{"SSLv3 with cipher X", "SSLv3"},
	{"SSLv3.0.1 ", "SSLv3.0.1"},
	{"TLSv1. x", "TLSv1"},
	{"TLS 1.2, TLS1_3", "TLSv1.3"},
	/* cut to the 31 bytes of tally_session()'s buffer, as snprintf()
	 * cuts */
	{"TLSv1234567890123456789012345678901234567890.5",
	    "TLSv123456789012345678901234567"},
};

START_TEST(tls_versions)
{
	struct tallies t;
	struct session s = {0};
	struct tally_row **v;
	size_t n;

	tally_init(&t);
	s.tls = (char *)tls_cases[_i].tls;
	s.v.reached = PHASE_DATA;
	tally_session(&t, &s);
	v = tally_table_sorted(&t.tls, false, &n);
	ck_assert_msg(n == 1 && strcmp(v[0]->key, tls_cases[_i].want) == 0,
	    "'%s': got %s, want %s", tls_cases[_i].tls, n ? v[0]->key :
	    "nothing", tls_cases[_i].want);
	free(v);
	tally_release(&t);
}
END_TEST

START_TEST(refusals_and_logins)
{
	struct tallies t;
	struct session s = {0};
	struct failure f[] = {
		{.phase = PHASE_RCPT, .kind = KIND_REJECTED},
		{.phase = PHASE_RCPT, .kind = KIND_TEMPFAIL},
		{.phase = PHASE_DATA, .kind = KIND_REJECTED},
		/* explains a later refusal: not one itself */
		{.phase = PHASE_MAIL, .kind = KIND_REJECTED, .explains = true},
		/* a drop is no refusal */
		{.phase = PHASE_DATA, .kind = KIND_DROPPED},
		{.phase = PHASE_AUTH, .kind = KIND_AUTH},
	};

	tally_init(&t);
	s.dir = DIR_INBOUND;
	s.fails = f;
	s.nfails = ARRAY_SIZE(f);
	s.sasl_user = (char *)"alice";
	s.nhold = 1;
	s.ndiscard = 2;
	tally_session(&t, &s);
	FIG(TF_REJECTED, 1, 2);
	FIG(TF_HELD, 1, 0);
	FIG(TF_DISCARDED, 2, 0);
	ck_assert_msg(t.sasl_failed.nrows == 1 &&
	    strcmp(t.sasl_failed.rows[0]->key, "alice") == 0,
	    "failed logins: got %zu rows, want alice", t.sasl_failed.nrows);
	tally_release(&t);
}
END_TEST

static const struct {
	double secs;
	const char *want;
} secs_cases[] = {
	{-1, "-"}, {0.234, "0.23s"}, {13, "13s"}, {245, "4m05s"},
	{7800, "2h10m"}, {90000, "1d01h"},
	/* a log's delay= past what an int holds in seconds (fuzz_pipeline):
	 * the cast was undefined, the days printed negative */
	{8488840000.0, ">10000d"}, {1e300, ">10000d"}, {863913600, "9999d00h"},
	{NAN, "-"},
};

START_TEST(format_secs)
{
	char b[32];

	tally_format_secs(secs_cases[_i].secs, b, sizeof(b));
	ck_assert_msg(strcmp(b, secs_cases[_i].want) == 0,
	    "%g s: got '%s', want '%s'", secs_cases[_i].secs, b,
	    secs_cases[_i].want);
}
END_TEST

static Suite *
tally_suite(void)
{
	Suite *s = suite_create("tally");
	TCase *tc = tcase_create("all");

	tcase_add_loop_test(tc, reason_masks, 0, (int)ARRAY_SIZE(masks));
	tcase_add_test(tc, reason_null);
	tcase_add_test(tc, table_cap);
	tcase_add_test(tc, table_by_bytes);
	tcase_add_test(tc, table_recent_rows);
	tcase_add_test(tc, figures);
	tcase_add_test(tc, forwarded_not_delivered);
	tcase_add_loop_test(tc, tls_versions, 0, (int)ARRAY_SIZE(tls_cases));
	tcase_add_test(tc, refusals_and_logins);
	tcase_add_loop_test(tc, format_secs, 0, (int)ARRAY_SIZE(secs_cases));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(tally_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
