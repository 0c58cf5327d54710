/*
 * check_transcript - the transcript engine (transcript.h): which command
 * each reply answers.
 *
 * Each case is a conversation, one step a line: "C text" is a command,
 * "S code" a final reply and "S- code" a reply line with more to come.
 * For every reply the table says what it must answer: the index of the
 * command (its step number), or G (the greeting), U (unsolicited), and
 * its phase. The case "pipelined MAIL RCPT DATA" fails when replies are
 * paired with the last command seen instead of first in, first out.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

#include "evidence.h"
#include "seqcheck.h"
#include "transcript.h"

#define G (-1)	/* the greeting */
#define U (-2)	/* unsolicited */
#define STEPS 12

struct step {
	const char *line;	/* "C MAIL FROM:<a>", "S 250", "S- 250" */
	int want_id;	/* replies: the command step it answers, G or U */
	enum phase want_phase;
	bool want_message;	/* the reply decides the message */
};

struct tcase {
	const char *name;
	struct step s[STEPS];
};

static const struct tcase cases[] = {
	{"greeting, then one command at a time", {
		{"S 220", G, PHASE_PREGREETING, false},
		{"C EHLO client.test", 0, PHASE_NONE, false},
		{"S- 250", 1, PHASE_HELO, false},
		{"S 250", 1, PHASE_HELO, false},
		{"C MAIL FROM:<a@b.test>", 0, PHASE_NONE, false},
		{"S 250", 4, PHASE_MAIL, false},
	}},
	{"pipelined MAIL RCPT DATA", {
		{"S 220", G, PHASE_PREGREETING, false},
		{"C MAIL FROM:<a@b.test>", 0, PHASE_NONE, false},
		{"C RCPT TO:<c@d.test>", 0, PHASE_NONE, false},
		{"C DATA", 0, PHASE_NONE, false},
		{"S 250", 1, PHASE_MAIL, false},
		{"S 550", 2, PHASE_RCPT, false},
		{"S 554", 3, PHASE_DATA, false},
	}},
	{"354 puts the final dot first", {
		{"S 220", G, PHASE_PREGREETING, false},
		{"C DATA", 0, PHASE_NONE, false},
		{"S 354", 1, PHASE_DATA, false},
		{"C QUIT", 0, PHASE_NONE, false},
		{"S 250", 1, PHASE_DATA, true},
		{"S 221", 3, PHASE_NONE, false},
	}},
	{"334 makes the next line AUTH", {
		{"S 220", G, PHASE_PREGREETING, false},
		{"C AUTH LOGIN", 0, PHASE_NONE, false},
		{"S 334", 1, PHASE_AUTH, false},
		{"C dXNlcg==", 0, PHASE_NONE, false},
		{"S 334", 3, PHASE_AUTH, false},
		{"C cGFzcw==", 0, PHASE_NONE, false},
		{"S 535", 5, PHASE_AUTH, false},
	}},
	{"BDAT LAST decides the message", {
		{"S 220", G, PHASE_PREGREETING, false},
		{"C BDAT 100", 0, PHASE_NONE, false},
		{"C BDAT 20 LAST", 0, PHASE_NONE, false},
		{"S 250", 1, PHASE_DATA, false},
		{"S 554", 2, PHASE_DATA, true},
	}},
	{"a reply with nothing waiting is unsolicited", {
		{"S 220", G, PHASE_PREGREETING, false},
		{"C NOOP", 0, PHASE_NONE, false},
		{"S 250", 1, PHASE_NONE, false},
		{"S 421", U, PHASE_NONE, false},
	}},
	{"a command before the greeting takes the greeting", {
		{"C EHLO early.test", 0, PHASE_NONE, false},
		{"S 554", 0, PHASE_HELO, false},
	}},
};

START_TEST(pairing)
{
	const struct tcase *tc = &cases[_i];
	struct transcript t;

	transcript_init(&t);
	for (int i = 0; i < STEPS && tc->s[i].line; i++) {
		const struct step *st = &tc->s[i];
		const char *l = st->line;
		struct tx_reply r;
		int got;

		if (l[0] == 'C') {
			transcript_command(&t, (uint32_t)i, l + 2,
			    strlen(l + 2));
			continue;
		}
		if (strncmp(l, "S- ", 3) == 0)
			transcript_reply(&t, l + 3, true, &r);
		else
			transcript_reply(&t, l + 2, false, &r);
		got = r.answers == TX_GREETING ? G :
		    r.answers == TX_UNSOLICITED ? U : (int)r.id;
		ck_assert_msg(got == st->want_id, "%s: step %d '%s': answers "
		    "%d, want %d", tc->name, i, l, got, st->want_id);
		ck_assert_msg(r.phase == st->want_phase, "%s: step %d '%s': "
		    "phase '%s', want '%s'", tc->name, i, l,
		    phase_name(r.phase) ? phase_name(r.phase) : "none",
		    phase_name(st->want_phase) ? phase_name(st->want_phase) :
		    "none");
		ck_assert_msg(r.message == st->want_message, "%s: step %d "
		    "'%s': message %d, want %d", tc->name, i, l, r.message,
		    st->want_message);
	}
}
END_TEST

START_TEST(verb)
{
	static const struct {
		const char *text, *want;
	} v[] = {
		{"RCPT TO:<a@b>", "RCPT"}, {"EHLO mail.x", "EHLO"},
		{"QUIT", "QUIT"}, {"", ""},
		{"AVERYLONGVERBINDEEDMORE", "AVERYLONGVERBIN"},
	};
	char buf[16];

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		const char *got = transcript_verb(v[i].text, buf, sizeof(buf));

		ck_assert_msg(strcmp(got, v[i].want) == 0,
		    "'%s': got '%s', want '%s'", v[i].text, got, v[i].want);
	}
}
END_TEST

/* phase_of_stage(): the SMTP words, and a set's words tried first. The
 * case "a set's word before the commands" fails if the set's words are
 * not read, or read after the commands. */
static struct stage_word set_words[] = {
	{(char *)"END-OF-MESSAGE", 14, PHASE_DATA},
	{(char *)"initial connection", 18, PHASE_PREGREETING},
	{(char *)"MAIL FROM", 9, PHASE_RCPT},	/* a set may say otherwise */
	{(char *)"BDAT", 4, PHASE_PREGREETING},	/* a token, too */
};
static const struct stage_words set = {set_words, 4};

static const struct {
	const char *text;
	bool with_set;
	enum phase want;
} stages[] = {
	{"RCPT TO:<x@y>", false, PHASE_RCPT},
	{"rcpt", false, PHASE_RCPT},
	{"sending RCPT TO", false, PHASE_RCPT},
	{"MAIL FROM:<a <b>", false, PHASE_MAIL},
	{"pipelined end of data", false, PHASE_DATA},
	{"EHLOX", false, PHASE_NONE},	/* a token is a whole word */
	{"QUIT", false, PHASE_NONE},
	{"END-OF-MESSAGE", false, PHASE_NONE},	/* no set: no word */
	{"END-OF-MESSAGE", true, PHASE_DATA},
	{"timeout after end-of-message", true, PHASE_DATA},
	{"after initial connection", true, PHASE_PREGREETING},
	{"initial connectionx", true, PHASE_NONE},
	{"a set's word before the commands: MAIL FROM", true, PHASE_RCPT},
	{"<initial connection>", true, PHASE_NONE},	/* after '<' */
	{"bdat", true, PHASE_PREGREETING},	/* the set's token first */
	/* every command as a token (compared whole, in any case) and as a
	 * word of a text (searched): both ways must know the same words */
	{"DATA", false, PHASE_DATA}, {"data", false, PHASE_DATA},
	{"bdat", false, PHASE_DATA}, {"BDAT 6110 LAST", false, PHASE_DATA},
	{"Rcpt", false, PHASE_RCPT}, {"rcpt=0/1", false, PHASE_RCPT},
	{"MAIL", false, PHASE_MAIL}, {"mail=1", false, PHASE_MAIL},
	{"aUTH", false, PHASE_AUTH}, {"AUTH PLAIN", false, PHASE_AUTH},
	{"STARTTLS", false, PHASE_STARTTLS},
	{"StartTls", false, PHASE_STARTTLS},
	{"starttls=1", false, PHASE_STARTTLS},
	{"EHLO", false, PHASE_HELO}, {"helo", false, PHASE_HELO},
	{"LHLO", false, PHASE_HELO}, {"ehlo mx.example", false, PHASE_HELO},
	{"lhlo=1", false, PHASE_HELO},
	{"DATx", false, PHASE_NONE}, {"STARTTLX", false, PHASE_NONE},
	{"STARTTL", false, PHASE_NONE}, {"DAT", false, PHASE_NONE},
	{"quit", false, PHASE_NONE}, {"commands", false, PHASE_NONE},
	{"", false, PHASE_NONE}, {"<", false, PHASE_NONE},
	{"D@TA", false, PHASE_NONE},	/* '@' | 0x20 is '`', no letter */
};

START_TEST(stage)
{
	const char *t = stages[_i].text;
	enum phase got = phase_of_stage(stages[_i].with_set ? &set : NULL, t,
	    strlen(t));
	const char *g = phase_name(got), *w = phase_name(stages[_i].want);

	ck_assert_msg(got == stages[_i].want, "'%s'%s: got %s, want %s", t,
	    stages[_i].with_set ? " with the set's words" : "",
	    g ? g : "none", w ? w : "none");
}
END_TEST

/*
 * evidence_counters(): the failed command of a session's counters, its
 * word, and how far it got. The values are read as strtol() reads them:
 * the cases past 18 digits (and strtol()'s LONG_MAX) fail if a count is
 * cut short or wraps.
 */
static const struct {
	const char *stats;
	enum phase failed, done;
	enum kind kind;
	const char *word;	/* NULL: none */
} counts[] = {
	{"ehlo=1 mail=1 rcpt=0/1 data=0/1 quit=1 commands=3/5", PHASE_RCPT,
	    PHASE_MAIL, KIND_REJECTED, "rcpt=0/1"},
	{"ehlo=1 mail=0/1 quit=1 commands=2/3", PHASE_MAIL, PHASE_HELO,
	    KIND_REJECTED, "mail=0/1"},
	{"ehlo=1  auth=0/1   quit=1", PHASE_AUTH, PHASE_HELO, KIND_AUTH,
	    "auth=0/1"},
	{"ehlo=2 starttls=1 mail=1 rcpt=1 data=1 quit=1 commands=7",
	    PHASE_NONE, PHASE_DATA, KIND_NONE, NULL},
	{"ehlo=1 unknown=0/1 commands=1/2", PHASE_HELO, PHASE_HELO,
	    KIND_PROTOCOL, "unknown=0/1"},
	{"connect=1 unknown=0/3", PHASE_PREGREETING, PHASE_NONE,
	    KIND_PROTOCOL, "unknown=0/3"},
	{"ehlo=1 rcpt=12/13", PHASE_RCPT, PHASE_RCPT, KIND_REJECTED,
	    "rcpt=12/13"},
	{"ehlo=1 rcpt=13/12", PHASE_NONE, PHASE_RCPT, KIND_NONE, NULL},
	{"rcpt=99999999999999999/100000000000000000", PHASE_RCPT,
	    PHASE_RCPT, KIND_REJECTED,
	    "rcpt=99999999999999999/100000000000000000"},
	{"rcpt=999999999999999999/1000000000000000000", PHASE_RCPT,
	    PHASE_RCPT, KIND_REJECTED,
	    "rcpt=999999999999999999/1000000000000000000"},
	{"rcpt=9223372036854775806/9223372036854775807", PHASE_RCPT,
	    PHASE_RCPT, KIND_REJECTED,
	    "rcpt=9223372036854775806/9223372036854775807"},
	/* both past LONG_MAX: strtol() gives LONG_MAX for each */
	{"rcpt=99999999999999999998/99999999999999999999", PHASE_NONE,
	    PHASE_RCPT, KIND_NONE, NULL},
	{"ehlo=1 mail=+0/1", PHASE_MAIL, PHASE_HELO, KIND_REJECTED,
	    "mail=+0/1"},
	/* no number: 0, and the '/' is not where strtol() stopped */
	{"ehlo=1 mail=x/1", PHASE_NONE, PHASE_HELO, KIND_NONE, NULL},
};

START_TEST(counters)
{
	struct stats_format sf = {F_STATS, ' ', STATS_COUNTS, "unknown"};
	const char *t = counts[_i].stats;
	struct counted out;
	const char *g, *w;

	evidence_counters(&sf, NULL, (struct strview){t, strlen(t)}, &out);
	g = phase_name(out.failed);
	w = phase_name(counts[_i].failed);
	ck_assert_msg(out.failed == counts[_i].failed, "'%s': failed %s, "
	    "want %s", t, g ? g : "none", w ? w : "none");
	g = phase_name(out.done);
	w = phase_name(counts[_i].done);
	ck_assert_msg(out.done == counts[_i].done, "'%s': done %s, want %s",
	    t, g ? g : "none", w ? w : "none");
	ck_assert_msg(out.kind == counts[_i].kind, "'%s': kind %d, want %d",
	    t, (int)out.kind, (int)counts[_i].kind);
	if (counts[_i].word == NULL)
		ck_assert_ptr_null(out.word.p);
	else
		ck_assert_msg(out.word.p && out.word.len ==
		    strlen(counts[_i].word) && memcmp(out.word.p,
		    counts[_i].word, out.word.len) == 0, "'%s': word '%.*s', "
		    "want '%s'", t, out.word.p ? (int)out.word.len : 0,
		    out.word.p ? out.word.p : "", counts[_i].word);
}
END_TEST

/*
 * What evidence_counters() hands the correlator of every counter: the
 * furthest phase tried, DATA's and BDAT's successes, the last RCPT
 * counter's and QUIT, past the 32 counters the failure is judged on too.
 */
static const struct {
	const char *stats;
	enum phase tried;
	int accepted, rcpt_ok;	/* rcpt_ok -1: no RCPT counter */
	bool quit;
} tells[] = {
	{"ehlo=1 mail=1 rcpt=0/1 data=0/1 quit=1 commands=3/5", PHASE_DATA,
	    0, 0, true},
	{"ehlo=1 mail=2 rcpt=3/4 data=1/2 bdat=2 QUIT=1", PHASE_DATA, 3, 3,
	    true},
	{"connect=1 ehlo=1 quit=0/1", PHASE_HELO, 0, -1, false},
	{"ehlo=0/0 mail=0/0 quit=0", PHASE_NONE, 0, -1, false},
	{"=1 quit rcpt=2 rcpt=5", PHASE_RCPT, 0, 5, false},
	{"x=1 x=1 x=1 x=1 x=1 x=1 x=1 x=1 x=1 x=1 x=1 x=1 x=1 x=1 x=1 x=1 "
	    "x=1 x=1 x=1 x=1 x=1 x=1 x=1 x=1 x=1 x=1 x=1 x=1 x=1 x=1 x=1 x=1 "
	    "ehlo=1 mail=1 rcpt=4/4 data=2 quit=1", PHASE_DATA, 2, 4, true},
};

START_TEST(counters_tell)
{
	struct stats_format sf = {F_STATS, ' ', STATS_COUNTS, "unknown"};
	const char *t = tells[_i].stats;
	struct counted out;
	const char *g, *w;

	evidence_counters(&sf, NULL, (struct strview){t, strlen(t)}, &out);
	g = phase_name(out.tried);
	w = phase_name(tells[_i].tried);
	ck_assert_msg(out.tried == tells[_i].tried, "'%s': tried %s, want %s",
	    t, g ? g : "none", w ? w : "none");
	ck_assert_msg(out.accepted == tells[_i].accepted, "'%s': accepted "
	    "%d, want %d", t, out.accepted, tells[_i].accepted);
	ck_assert_msg((out.rcpt_seen ? out.rcpt_ok : -1) == tells[_i].rcpt_ok,
	    "'%s': rcpt_ok %d, want %d", t, out.rcpt_seen ? out.rcpt_ok : -1,
	    tells[_i].rcpt_ok);
	ck_assert_msg(out.quit == tells[_i].quit, "'%s': quit %d, want %d", t,
	    (int)out.quit, (int)tells[_i].quit);
}
END_TEST

START_TEST(full_queue)
{
	struct transcript t;
	struct tx_reply r;

	transcript_init(&t);
	transcript_reply(&t, "220", false, &r);
	for (uint32_t i = 0; i < TX_PENDING + 4; i++)
		transcript_command(&t, i, "NOOP", 4);
	for (uint32_t i = 0; i < TX_PENDING; i++) {
		transcript_reply(&t, "250", false, &r);
		ck_assert_msg(r.answers == TX_COMMAND && r.id == i,
		    "reply %u: answers %d id %u, want command %u", i,
		    (int)r.answers, r.id, i);
	}
	transcript_reply(&t, "250", false, &r);
	ck_assert_msg(r.answers == TX_UNSOLICITED,
	    "past the queue: answers %d, want unsolicited", (int)r.answers);
}
END_TEST

/* seqcheck's names, by vocab.h's rule: each finding has one, none and
 * out of range give NULL (never "?"). */
START_TEST(finding_names)
{
	for (int f = 0; f < SEQF__COUNT; f++) {
		const char *n = seq_finding_name((enum seq_finding)f);

		ck_assert_msg(n != NULL && *n != '\0',
		    "finding %d: got no name", f);
	}
	ck_assert_msg(seq_finding_name(SEQF_NONE) == NULL,
	    "name of SEQF_NONE: got '%s', want NULL",
	    seq_finding_name(SEQF_NONE));
	ck_assert_msg(seq_finding_name(SEQF__COUNT) == NULL,
	    "name past the last: got '%s', want NULL",
	    seq_finding_name(SEQF__COUNT));
}
END_TEST

static Suite *
transcript_suite(void)
{
	Suite *s = suite_create("transcript");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, pairing, 0, sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, verb);
	tcase_add_loop_test(tc, stage, 0, sizeof(stages) / sizeof(stages[0]));
	tcase_add_test(tc, full_queue);
	tcase_add_loop_test(tc, counters, 0, sizeof(counts) / sizeof(counts[0]));
	tcase_add_loop_test(tc, counters_tell, 0,
	    sizeof(tells) / sizeof(tells[0]));
	tcase_add_test(tc, finding_names);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(transcript_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
