/*
 * check_suggest - unit tests for suggest.h: the edit distance and which
 * name a mistyped option value gets suggested, the way a postmaster
 * mistypes them (a dropped letter, two letters swapped, a prefix).
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

#include "suggest.h"

static const char *const causes[] = {"pipelining", "pregreet", "non-smtp",
    "unknown-user", "mailbox-full", "relay-denied", "greylist", "dnsbl",
    "reverse-dns", "helo-policy", "spf", "dmarc", "dkim", "dns-failure",
    "sender-policy", "rate-limit", "size", "virus", "spam", "content",
    "tls-required", "auth-required", "auth-failed", "tls-failed",
    "connection-refused", "timeout", "lost-connection", "other"};
static const char *const phases[] = {"pre-greeting", "helo", "starttls",
    "auth", "mail", "rcpt", "data", "post-queue"};

static const struct {
	const char *a, *b;
	size_t d;
} distances[] = {
	{"", "", 0},
	{"rcpt", "rcpt", 0},
	{"RCPT", "rcpt", 0},
	{"rpct", "rcpt", 1},	/* a swap counts one */
	{"unkown-user", "unknown-user", 1},
	{"kitten", "sitting", 3},
	{"", "abc", 3},
	{"json", "text", 4},
};

START_TEST(distance_table)
{
	size_t got = suggest_distance(distances[_i].a, distances[_i].b);

	ck_assert_msg(got == distances[_i].d, "distance('%s', '%s'): got %zu, "
	    "want %zu", distances[_i].a, distances[_i].b, got,
	    distances[_i].d);
}
END_TEST

static const struct {
	const char *typed;
	const char *const *names;
	size_t n;
	const char *want;	/* NULL: no suggestion */
} cases[] = {
	{"unkown-user", causes, sizeof(causes) / sizeof(*causes),
	    "unknown-user"},
	{"unknown", causes, sizeof(causes) / sizeof(*causes),
	    "unknown-user"},
	{"greylisting", causes, sizeof(causes) / sizeof(*causes),
	    "greylist"},
	{"grey-list", causes, sizeof(causes) / sizeof(*causes), "greylist"},
	{"relay", causes, sizeof(causes) / sizeof(*causes), "relay-denied"},
	{"auth", causes, sizeof(causes) / sizeof(*causes), NULL},	/* 2 */
	{"sender-syntax", causes, sizeof(causes) / sizeof(*causes), NULL},
	{"rpct", phases, 8, "rcpt"},
	{"RCPT", phases, 8, "rcpt"},
	{"pregreeting", phases, 8, "pre-greeting"},
	{"postqueue", phases, 8, "post-queue"},
	{"ehlo", phases, 8, "helo"},
	{"nowhere", phases, 8, NULL},
	{"x", phases, 8, NULL},
	{"", phases, 8, NULL},
};

START_TEST(closest_table)
{
	const char *got = suggest_closest(cases[_i].typed, cases[_i].names,
	    cases[_i].n);
	const char *want = cases[_i].want;

	ck_assert_msg((got == NULL && want == NULL) ||
	    (got && want && strcmp(got, want) == 0),
	    "suggest('%s'): got %s, want %s", cases[_i].typed,
	    got ? got : "(none)", want ? want : "(none)");
}
END_TEST

START_TEST(long_words)
{
	char w[200];

	memset(w, 'a', sizeof(w) - 1);
	w[sizeof(w) - 1] = '\0';
	ck_assert_msg(suggest_closest(w, phases, 8) == NULL,
	    "a 199-byte word got a suggestion");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("suggest");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, distance_table, 0,
	    sizeof(distances) / sizeof(*distances));
	tcase_add_loop_test(tc, closest_table, 0,
	    sizeof(cases) / sizeof(*cases));
	tcase_add_test(tc, long_words);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
