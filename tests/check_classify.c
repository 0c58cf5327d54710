/*
 * check_classify - the verdict rules of classify.h on sessions built here
 * (no log, no pattern files: db is NULL, so a cause no pattern names is
 * "other").
 *
 * Each case is a closed inbound session with up to three failures (phase,
 * kind, reply) and the number of 2xx replies to RCPT it saw; the table
 * says the status, phase and reply the verdict must have. The case
 * "DATA refusal after every recipient refused" fails if a DATA refusal
 * that repeats the RCPT refusal is allowed to speak for the session.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

#include "classify.h"
#include "pattern_int.h"

struct fail_in {
	enum phase phase;
	enum kind kind;
	const char *reply;
};

struct ccase {
	const char *name;
	struct fail_in f[3];
	size_t nf;
	unsigned rcpt_ok;	/* 2xx replies to RCPT */
	bool clean_quit;
	enum status want_status;
	enum phase want_phase;
	const char *want_reply;	/* NULL: none */
};

static const struct ccase cases[] = {
	{"DATA refusal after every recipient refused",
	    {{PHASE_RCPT, KIND_REJECTED, "550"},
	    {PHASE_DATA, KIND_REJECTED, "554"}}, 2, 0, true,
	    STATUS_FAILED, PHASE_RCPT, "550"},
	{"DATA refusal after a recipient was accepted",
	    {{PHASE_RCPT, KIND_REJECTED, "550"},
	    {PHASE_DATA, KIND_REJECTED, "554"}}, 2, 1, true,
	    STATUS_FAILED, PHASE_DATA, "554"},
	{"a drop inside DATA after a refused MAIL speaks",
	    {{PHASE_MAIL, KIND_REJECTED, "553"},
	    {PHASE_DATA, KIND_DROPPED, NULL}}, 2, 0, false,
	    STATUS_FAILED, PHASE_DATA, NULL},
	{"the last negative reply speaks",
	    {{PHASE_HELO, KIND_REJECTED, "504"},
	    {PHASE_MAIL, KIND_TEMPFAIL, "451"}}, 2, 0, true,
	    STATUS_FAILED, PHASE_MAIL, "451"},
	{"EHLO then QUIT is ok", {{0}}, 0, 0, true,
	    STATUS_OK, PHASE_NONE, NULL},
};

START_TEST(verdicts)
{
	const struct ccase *c = &cases[_i];
	struct failure f[3];
	struct conv conv = {.reply = true, .text = "250 ok"};
	struct session s;

	memset(&s, 0, sizeof(s));
	memset(f, 0, sizeof(f));
	for (size_t i = 0; i < c->nf; i++) {
		f[i].phase = c->f[i].phase;
		f[i].kind = c->f[i].kind;
		f[i].reply = (char *)c->f[i].reply;
		f[i].seq = (unsigned)i + 1;
	}
	s.fails = f;
	s.nfails = c->nf;
	s.closed = true;
	s.seen_start = true;
	s.dir = DIR_INBOUND;
	s.clean_quit = c->clean_quit;
	s.rcpt_ok = c->rcpt_ok;
	s.stats_accepted = -1;
	s.stats_rcpt_ok = -1;
	s.reached = PHASE_DATA;
	s.listed_phase = PHASE_NONE;
	s.conv = &conv;
	s.nconv = 1;
	classify(&s, NULL);
	ck_assert_msg(s.v.status == c->want_status, "%s: status '%s', want "
	    "'%s'", c->name, status_name(s.v.status),
	    status_name(c->want_status));
	ck_assert_msg(s.v.phase == c->want_phase, "%s: phase '%s', want '%s'",
	    c->name, phase_name(s.v.phase) ? phase_name(s.v.phase) : "none",
	    phase_name(c->want_phase) ? phase_name(c->want_phase) : "none");
	ck_assert_msg(c->want_reply ? s.v.reply &&
	    strcmp(s.v.reply, c->want_reply) == 0 : s.v.reply == NULL,
	    "%s: reply '%s', want '%s'", c->name,
	    s.v.reply ? s.v.reply : "none",
	    c->want_reply ? c->want_reply : "none");
}
END_TEST

/* The cause of text (with reply and enhanced), the memo bypassed. */
static const char *
cause_direct(const struct pattern_db *db, enum phase ph, const char *reply,
    const char *enh, const char *text)
{
	char s[512];
	const struct cause_rule *r;

	snprintf(s, sizeof(s), "%s %s %s", reply, enh, text);
	r = cause_find(db, ph, s);
	return r ? r->cause : NULL;
}

/* Texts "A<n>B" of these (A, B). */
static const char *const memo_texts[][2] = {
	{"<u", "@x.test>: Recipient address rejected: User unknown"},
	{"<u", "@x.test>: Recipient address rejected: Mailbox full"},
	{"Service unavailable; Client host [192.0.2.", "] blocked"},
	{"<badhelo", ">: Helo command rejected: need fully-qualified "
	    "hostname"},
	{"<u", "@x.test>: Recipient address rejected: Greylisted"},
	{"Message ", " rejected"},
};

/*
 * The memo of causes (cause.c) gives what the rules give, whatever it
 * keeps; and 200 texts asked for again and again run the rules once each
 * (a table of one slot per hash lets two texts of the same slot push each
 * other out: among 200, some twenty pairs do).
 */
START_TEST(cause_memo)
{
	const char *dirs[] = {SRCDIR "/patterns"};
	struct pattern_db *db = pattern_db_load(dirs, 1);
	static const enum phase phases[] = {PHASE_RCPT, PHASE_HELO,
	    PHASE_DATA, PHASE_NONE};
	char text[160];

	ck_assert_ptr_nonnull(db);
	for (int round = 0; round < 5; round++)
		for (int i = 0; i < 200; i++) {
			enum phase ph = phases[i % 4];
			const char *got, *want;

			snprintf(text, sizeof(text), "%s%d%s",
			    memo_texts[i % ARRAY_SIZE(memo_texts)][0], i,
			    memo_texts[i % ARRAY_SIZE(memo_texts)][1]);
			got = pattern_db_cause(db, ph, "550", "5.1.1", text);
			want = cause_direct(db, ph, "550", "5.1.1", text);
			ck_assert_msg(got == want || (got && want &&
			    strcmp(got, want) == 0), "round %d, '%s': cause "
			    "%s, want %s", round, text, got ? got : "none",
			    want ? want : "none");
		}
	ck_assert_msg(cause_memo_misses(db) == 200, "%zu lookups ran the "
	    "rules, want 200", cause_memo_misses(db));
	/* a text longer than a slot: looked up every time, still right */
	memset(text, 'a', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	for (int i = 0; i < 3; i++)
		ck_assert_ptr_eq(pattern_db_cause(db, PHASE_RCPT, "550",
		    "5.1.1", text), cause_direct(db, PHASE_RCPT, "550",
		    "5.1.1", text));
	pattern_db_free(db);
}
END_TEST

int
main(void)
{
	Suite *su = suite_create("classify");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, verdicts, 0, sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, cause_memo);
	suite_add_tcase(su, tc);
	sr = srunner_create(su);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
