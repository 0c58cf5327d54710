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

/*
 * The required literal: what is read from a regex, and a string the
 * regex matches (which must hold it) with one that lacks it.
 */
struct req_case {
	const char *rx;
	uint32_t flags;		/* compiled with these too */
	const char *req;
	const char *match;	/* the regex matches it */
};

static const struct req_case reqs[] = {
	{"^SMTP connection from (?<c>\\S+) \\(TCP/IP connection count = "
	    "(?<n>\\d+)\\)$", 0, " (TCP/IP connection count = ",
	    "SMTP connection from [1.2.3.4]:5 (TCP/IP connection count = 1)"},
	/* the lead's literal holds it: nothing more */
	{"^connect from (?<c>\\S+)$", 0, "", "connect from x"},
	/* one byte: in most lines, not worth a search */
	{"^connect from (?<c>[^\\[]+)\\[", 0, "", "connect from x["},
	/* alternatives: none of their text */
	{"^x (?:abc|abd) yz", 0, " yz", "x abd yz"},
	{"^(?<s>=>|->|\\*>) (?<r>\\S+) R=", 0, " R=", "*> bob R=x"},
	{"^abcdef|xy", 0, "", "xy"},
	/* optional items end a run and are not in it */
	{"^a (?:foo bar baz )?qux$", 0, "qux", "a qux"},
	{"^ab{0,}cdef", 0, "cdef", "acdef"},
	{"^abc?defg", 0, "defg", "abdefg"},
	{"^ab*cd", 0, "cd", "acd"},
	{"^[0-9]+ (?:abcdef){0,}xy", 0, "xy", "1 xy"},
	{"^[0-9]+ (?:abcdef)*xy", 0, "xy", "1 xy"},
	{"^[0-9]+ (?:abcdef)?xy", 0, "xy", "1 xy"},
	/* a repeated byte ends one run and starts the next */
	{"^[0-9]wxy+z", 0, "wxy", "0wxyyz"},
	{"^[0-9]q{2}rst", 0, "qrst", "0qqrst"},
	{"^[0-9]ab+?cde", 0, "bcde", "0abbcde"},
	/* a group taken once is read in line; a repeated one on its own */
	{"^q (?:abc(?<n>def)) ghi", 0, "^q abcdef ghi", "q abcdef ghi"},
	{"^[0-9]x(?:ab)+y", 0, "ab", "0xababy"},
	{"^[0-9]x(?:abc){2}y", 0, "abc", "0xabcabcy"},
	/* a group's own quantifier, not its first item's, counts */
	{"^[0-9](?: ?: abcdef)", 0, ": abcdef", "0: abcdef"},
	{"^[0-9](?:(?=x)xyz)", 0, "xyz", "0xyz"},
	{"^[0-9]x(?:a?bcdef)+y", 0, "bcdef", "0xbcdefabcdefy"},
	{"^[0-9]x(?:a+bc)?yz", 0, "yz", "0xyz"},
	/* escapes and classes of one byte are literal text */
	{"^[0-9]* a\\.b\\(c\\)\\x2d", 0, " a.b(c)-", "1 a.b(c)-"},
	{"^[0-9]x[a]yz[bc]de", 0, "xayz", "0xayzbde"},
	{"^[0-9][\\]]yz", 0, "]yz", "0]yz"},
	{"^[0-9]+ \\d\\w\\s\\S. ab", 0, " ab", "1 1a b. ab"},
	/* lookarounds: a positive one's text is in the subject */
	{"^(?=.* H=\\S+ \\[)x", 0, " H=", "x H=h [1]"},
	{"^(?!.*abcdef)xy", 0, "^xy", "xy"},
	{"^(?<=)xy(?!abc)", 0, "^xy", "xy"},
	/* alternatives: one of a set, at the start where they can be */
	{"^(?:exim \\S+ daemon started|Start queue run|pid \\d+: SIGHUP)",
	    0, "^exim |^Start queue run|^pid ", "pid 12: SIGHUP"},
	{"^[0-9]+ (?:abcdefgh|cdefghij)", 0, "abcdefgh|cdefghij",
	    "1 cdefghij"},
	{"^[0-9](?=.*(?:foobarbaz|barbazfoo))", 0, "foobarbaz|barbazfoo",
	    "1 x barbazfoo"},
	/* not when one is short and not at the start: a search as dear as
	   the regex */
	{"^(?:do not list |\\S+ is (?:unavailable|gone)|\\w+_(?:maps|x): )",
	    0, "", "x is gone"},
	{"^[0-9]+ (?:ab|cd)", 0, "", "1 cd"},
	{"^(?<s>=>|->|\\*>) (?<r>\\S+)", 0, "^=>|^->|^*>", "*> bob"},
	/* not when one alternative has none, nor when there are many */
	{"^(?:abc|\\d+) x", 0, " x", "12 x"},
	{"^(?:a1|b2|c3|d4|e5|f6|g7)", 0, "", "g7"},
	/* nor when the group is optional or a negative lookaround */
	{"^[0-9](?:abc|def)?ghi", 0, "ghi", "0ghi"},
	{"^[0-9](?!abc|def)xyz", 0, "xyz", "0xyz"},
	/* a run of 2 bytes or more is preferred to a set */
	{"^(?:ab|cd) ef", 0, " ef", "cd ef"},
	{"^(?:ab|cd) ", 0, "^ab|^cd", "cd "},
	/* options that change what a byte matches: none */
	{"^abc def", PCRE2_CASELESS, "", "ABC DEF"},
	{"^(?i)abc def", 0, "", "ABC DEF"},
	{"^[0-9](?i:abc) def", 0, "", "0ABC def"},
	{"^abc def ghi", PCRE2_EXTENDED, "", "abcdefghi"},
	{"^[0-9]\\Qabc\\E", 0, "", "0abc"},
	{"^[0-9](?<a>x)\\k<a>yz", 0, "", "0xxyz"},
	/* a long run: its end is kept */
	{"^[a-z]+ 0123456789012345678901234567890123456789", 0,
	    "89012345678901234567890123456789",
	    "ab 0123456789012345678901234567890123456789"},
};

/* p's required literals as "a|^b": '|' between, '^' before one that is
 * at the start. */
static void
req_str(const struct pattern *p, char *out, size_t size)
{
	size_t n = 0;

	out[0] = '\0';
	for (size_t i = 0; i < p->nreq; i++)
		n += (size_t)snprintf(out + n, size - n, "%s%s%.*s",
		    i ? "|" : "", p->req[i].at0 ? "^" : "",
		    (int)p->req[i].len, p->req[i].s);
}

START_TEST(req_read)
{
	const struct req_case *c = &reqs[_i];
	struct pattern p;
	pcre2_match_data *md;
	int code;
	PCRE2_SIZE off;
	char lacks[128], got[256];
	size_t n = strlen(c->match);

	memset(&p, 0, sizeof(p));
	p.re = pcre2_compile((PCRE2_SPTR)c->rx, PCRE2_ZERO_TERMINATED,
	    PCRE2_NO_AUTO_CAPTURE | PCRE2_DUPNAMES | c->flags, &code, &off,
	    NULL);
	ck_assert_ptr_nonnull(p.re);
	pattern_lead(&p, c->rx, c->rx);
	req_str(&p, got, sizeof(got));
	ck_assert_msg(strcmp(got, c->req) == 0, "%s: required '%s', want '%s'",
	    c->rx, got, c->req);
	md = pcre2_match_data_create_from_pattern(p.re, NULL);
	ck_assert_msg(pcre2_match(p.re, (PCRE2_SPTR)c->match, n, 0, 0, md,
	    NULL) > 0, "%s does not match '%s'", c->rx, c->match);
	pcre2_match_data_free(md);
	ck_assert_msg(pattern_req_ok(&p, c->match, n),
	    "%s matches '%s' but its required literal refuses it", c->rx,
	    c->match);
	/* the match with each literal's last byte changed, everywhere */
	if (p.nreq == 0)
		goto out;
	memcpy(lacks, c->match, n + 1);
	for (size_t i = 0; i < p.nreq; i++) {
		char lit[REQ_MAX + 1], *at;

		memcpy(lit, p.req[i].s, p.req[i].len);
		lit[p.req[i].len] = '\0';
		while ((at = strstr(lacks, lit)) != NULL)
			at[p.req[i].len - 1] ^= 0x20;
	}
	ck_assert_msg(!pattern_req_ok(&p, lacks, n), "%s: '%s' lacks '%s'",
	    c->rx, lacks, c->req);
out:
	pcre2_code_free(p.re);
}
END_TEST

/* The search itself, on the edges of the text and of the literal. */
START_TEST(req_search)
{
	static const struct {
		const char *lit, *s;
		bool want;
	} v[] = {
		{"aab", "aaab", true}, {"aab", "aaa", false},
		{"abc", "abc", true}, {"abc", "ab", false},
		{"abc", "xxabc", true}, {"abc", "abcxx", true},
		{"abc", "abxabdabc", true}, {"abc", "", false},
		{"ab", "ba", false}, {"xy", "abcxy", true}, {"xy", "ax y", false},
		{"bcb", "abcbcb", true}, {"bcb", "abcacb", false},
		/* short: by its rarest byte, wherever that is in it */
		{"xA", "Axy", false}, {"xA", "xxA", true}, {"Ax", "yyA", false},
		{"Ax", "AyAx", true}, {" :T", ": T :T", true},
		/* long: by its skips */
		{"abcdefgh", "xxabcdefgh", true},
		{"abcdefgh", "abcdefgabcdefgX", false},
		{"aabbaabbc", "aabbaabbaabbc", true},
		{"aabbaabbc", "aabbaabbaabbd", false},
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct pattern p;
		char rx[64];

		memset(&p, 0, sizeof(p));
		snprintf(rx, sizeof(rx), "[0-9]%s", v[i].lit);
		pattern_lead(&p, rx, rx);
		ck_assert(p.nreq == 1 && !p.req[0].at0 &&
		    p.req[0].len == strlen(v[i].lit) &&
		    memcmp(p.req[0].s, v[i].lit, p.req[0].len) == 0);
		ck_assert_msg(pattern_req_ok(&p, v[i].s, strlen(v[i].s)) ==
		    v[i].want, "'%s' in '%s': want %d", v[i].lit, v[i].s,
		    v[i].want);
	}
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
	tcase_add_loop_test(tc, req_read, 0,
	    (int)(sizeof(reqs) / sizeof(reqs[0])));
	tcase_add_test(tc, req_search);
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
