/*
 * check_pattern_lead - what pattern_lead.c reads from a regex: the bytes a
 * match may start with and the lead (a run of one class, then literal
 * text) every match has; and that pattern_lead_ok() never refuses a
 * string the regex matches.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

#include "pattern_int.h"

struct lead_case {
	const char *head;	/* the regex, or its head */
	const char *rx;		/* the whole regex; NULL: head */
	const char *first;	/* the first bytes, "*" for any */
	const char *run;	/* the run's bytes, "" for no run */
	size_t runmin, runmax;
	const char *lit;
};

#define ANY SIZE_MAX

static const struct lead_case cases[] = {
	{"^connect from (?<client>\\S+)$", NULL, "c", "", 0, 0,
	    "connect from "},
	{"^(?<queue>[0-9A-F]{5,}): removed$", NULL, "0123456789ABCDEF",
	    "0123456789ABCDEF", 5, ANY, ": removed"},
	{"^(?<q>[0-9A-F]{5,11}): to=<", NULL, "0123456789ABCDEF",
	    "0123456789ABCDEF", 5, 11, ": to=<"},
	/* the literal's first byte is in the run: no exact end, no lead */
	{"^(?<q>[a-z:]+): x", NULL, ":abcdefghijklmnopqrstuvwxyz", "", 0, 0,
	    ""},
	{"^\\*\\* (?<r>\\S+)", NULL, "*", "", 0, 0, "** "},
	{"^(?<s>=>|->|\\*>) x", NULL, "*-=", "", 0, 0, ""},
	{"^(?:a|b)c", NULL, "ab", "", 0, 0, ""},
	{"^a?b", NULL, "ab", "", 0, 0, ""},
	{"^ab?c", NULL, "a", "", 0, 0, "a"},
	{"^x{2}y", NULL, "x", "x", 2, 2, "y"},
	{"^(?=[a-z])(?:foo|bar)", NULL, "bf", "", 0, 0, ""},
	{"^(?:NOQUEUE|(?<q>[0-9A-Z]{5,})): reject", NULL,
	    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", "", 0, 0, ""},
	{"^[\\x41-\\x43]\\x2d", NULL, "ABC", "ABC", 1, 1, "-"},
	{"^[]a]", NULL, "]a", "", 0, 0, ""},
	{"^[^\\s\\[\\]]+\\[", NULL, NULL, NULL, 1, ANY, "["},
	/* a head inside a composed regex: the first bytes of the whole */
	{"^<= (?<s>\\S+)", "(?:^<= (?<s>\\S+))(?>(?: (?:S=\\d+))*)(?:$)",
	    "<", "", 0, 0, "<= "},
	/* what the reader does not know: any byte, no lead */
	{"^(?i)abc", NULL, "*", "", 0, 0, ""},
	{"^\\babc", NULL, "*", "", 0, 0, ""},
	{"^(?<a>x)\\k<a>", NULL, "*", "", 0, 0, ""},
	{"^a{,3}", NULL, "*", "", 0, 0, ""},
	{"^(*UTF)a", NULL, "*", "", 0, 0, ""},
	{"^[[:alpha:]]", NULL, "*", "", 0, 0, ""},
	/* not anchored, or may match nothing: any byte */
	{"abc", NULL, "*", "", 0, 0, ""},
	{"^a|b", NULL, "*", "", 0, 0, ""},
	{"^(?:a)?", NULL, "*", "", 0, 0, ""},
	{"^$", NULL, "*", "", 0, 0, ""},
};

static void
set_str(const uint8_t *set, char *out)
{
	size_t n = 0;

	for (unsigned c = 0; c < 256; c++)
		if (pattern_lead_has(set, (unsigned char)c))
			out[n++] = (char)c;
	out[n] = '\0';
}

static pcre2_code *
compile(const char *rx)
{
	int code;
	PCRE2_SIZE off;

	return pcre2_compile((PCRE2_SPTR)rx, PCRE2_ZERO_TERMINATED,
	    PCRE2_NO_AUTO_CAPTURE | PCRE2_DUPNAMES, &code, &off, NULL);
}

START_TEST(lead_read)
{
	const struct lead_case *c = &cases[_i];
	const char *rx = c->rx ? c->rx : c->head;
	struct pattern p;
	char got[257];

	memset(&p, 0, sizeof(p));
	p.re = compile(rx);
	pattern_lead(&p, c->head, rx);
	if (c->first) {
		if (p.firstall)
			strcpy(got, "*");
		else
			set_str(p.first, got);
		ck_assert_msg(strcmp(got, c->first) == 0,
		    "%s: first bytes '%s', want '%s'", rx, got, c->first);
	}
	if (c->run) {
		if (p.runmax)
			set_str(p.run, got);
		else
			got[0] = '\0';
		ck_assert_msg(strcmp(got, c->run) == 0,
		    "%s: run '%s', want '%s'", rx, got, c->run);
	}
	ck_assert_msg(p.runmin == c->runmin && p.runmax == c->runmax,
	    "%s: run {%zu,%zu}, want {%zu,%zu}", rx, p.runmin, p.runmax,
	    c->runmin, c->runmax);
	ck_assert_msg(p.litlen == strlen(c->lit) &&
	    memcmp(p.lit, c->lit, p.litlen) == 0,
	    "%s: literal '%.*s', want '%s'", rx, (int)p.litlen, p.lit, c->lit);
	pcre2_code_free(p.re);
}
END_TEST

/* Strings the regex matches pass the lead; some it does not, do not. */
struct ok_case {
	const char *rx;
	const char *s;
	bool want;
};

static const struct ok_case oks[] = {
	{"^(?<q>[0-9A-F]{5,}): removed$", "1449CA72097: removed", true},
	{"^(?<q>[0-9A-F]{5,}): removed$", "1449: removed", false},
	{"^(?<q>[0-9A-F]{5,}): removed$", "1449CA72097: from=<>", false},
	{"^(?<q>[0-9A-F]{5,}): removed$", "connect from x", false},
	{"^(?<q>[0-9A-F]{5,11}): x", "0123456789AB: x", false},
	{"^(?<q>[0-9A-F]{5,11}): x", "0123456789A: x", true},
	{"^connect from ", "connect from a[1.2.3.4]", true},
	{"^connect from ", "connect", false},
	{"^connect from ", "", false},
	{"^\\S+ is ", "x is unavailable", true},
	{"^\\S+ is ", "x was", false},
};

START_TEST(lead_ok)
{
	const struct ok_case *c = &oks[_i];
	struct pattern p;
	pcre2_match_data *md;
	bool got;

	memset(&p, 0, sizeof(p));
	p.re = compile(c->rx);
	pattern_lead(&p, c->rx, c->rx);
	got = pattern_lead_ok(&p, c->s, strlen(c->s));
	ck_assert_msg(got == c->want, "%s on '%s': %d, want %d", c->rx, c->s,
	    got, c->want);
	md = pcre2_match_data_create_from_pattern(p.re, NULL);
	if (pcre2_match(p.re, (PCRE2_SPTR)c->s, strlen(c->s), 0, 0, md,
	    NULL) > 0)
		ck_assert_msg(got, "%s matches '%s' but the lead refuses it",
		    c->rx, c->s);
	pcre2_match_data_free(md);
	pcre2_code_free(p.re);
}
END_TEST

static Suite *
lead_suite(void)
{
	Suite *s = suite_create("pattern_lead");
	TCase *tc = tcase_create("lead");

	tcase_add_loop_test(tc, lead_read, 0,
	    (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_loop_test(tc, lead_ok, 0, (int)(sizeof(oks) / sizeof(oks[0])));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(lead_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
