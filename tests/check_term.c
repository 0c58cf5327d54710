/*
 * check_term - unit tests for term.h: lines cut to a width with "...",
 * counted in characters (UTF-8) and not counting our colour sequences,
 * and the --color names.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "term.h"
#include "util.h"

static const struct {
	const char *in;
	int width;
	const char *want;
} fits[] = {
	{"short\n", 80, "short\n"},
	{"abcdefghij\n", 10, "abcdefghij\n"},
	{"abcdefghijk\n", 10, "abcdefg...\n"},
	{"abcdefghijk", 10, "abcdefg..."},	/* no final newline */
	{"one\nabcdefghijklmn\nthree\n", 8, "one\nabcde...\nthree\n"},
	/* UTF-8: 11 characters, 22 bytes */
	{"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\n", 10,
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9...\n"},
	/* colour takes no columns */
	{"\033[1;31mfailed\033[m 12345\n", 12, "\033[1;31mfailed\033[m 12345\n"},
	/* a cut inside a colour closes it */
	{"ok \033[36mrcpt-and-more-words\033[m\n", 10,
	    "ok \033[36mrcpt...\033[m\n"},
	{"anything\n", 0, "anything\n"},
};

START_TEST(fit_table)
{
	char *got = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&got, &len);

	term_fit(fp, fits[_i].in, strlen(fits[_i].in), fits[_i].width);
	fclose(fp);
	ck_assert_msg(strcmp(got, fits[_i].want) == 0,
	    "fit('%s', %d): got '%s', want '%s'", fits[_i].in,
	    fits[_i].width, got, fits[_i].want);
	free(got);
}
END_TEST

/* vocab.h's rule: E_by_name() gives E_NONE, E_name() NULL for none. */
static const struct {
	const char *name;
	enum term_color want;
} colors[] = {
	{"auto", TERM_COLOR_AUTO}, {"always", TERM_COLOR_ALWAYS},
	{"never", TERM_COLOR_NEVER}, {"yes", TERM_COLOR_NONE},
	{"", TERM_COLOR_NONE}, {"Always", TERM_COLOR_NONE},
	{"alway", TERM_COLOR_NONE}, {"nevermore", TERM_COLOR_NONE},
};

START_TEST(color_names)
{
	const char *n = colors[_i].name;
	enum term_color c = term_color_by_name(n, strlen(n));
	const char *back = term_color_name(c);

	ck_assert_msg(c == colors[_i].want, "'%s': got %d, want %d", n,
	    (int)c, (int)colors[_i].want);
	if (c == TERM_COLOR_NONE)
		ck_assert_msg(back == NULL, "name of none: got '%s', want "
		    "NULL", back);
	else
		ck_assert_msg(back != NULL && strcmp(back, n) == 0,
		    "name of %d: got '%s', want '%s'", (int)c,
		    back ? back : "(NULL)", n);
	ck_assert_msg(term_color_name(TERM_COLOR__COUNT) == NULL,
	    "name past the last: got '%s', want NULL",
	    term_color_name(TERM_COLOR__COUNT));
}
END_TEST

/* Not a terminal: 80 columns whatever COLUMNS says; colour only when
 * asked for, NO_COLOR or not. */
START_TEST(not_a_tty)
{
	struct term t;
	FILE *fp = tmpfile();

	setenv("COLUMNS", "200", 1);
	unsetenv("NO_COLOR");
	term_init(&t, fp, TERM_COLOR_AUTO);
	ck_assert_msg(t.width == 80 && !t.color, "auto: got width %d, "
	    "color %d, want 80, 0", t.width, t.color);
	setenv("NO_COLOR", "1", 1);
	term_init(&t, fp, TERM_COLOR_ALWAYS);
	ck_assert_msg(t.color, "--color=always lost to NO_COLOR");
	ck_assert_msg(strcmp(term_sgr(&t, PAINT_FAILED), "") != 0,
	    "no SGR for failed with colour on");
	term_init(&t, fp, TERM_COLOR_NEVER);
	ck_assert_msg(!t.color && strcmp(term_sgr(&t, PAINT_FAILED), "") == 0,
	    "--color=never still colours");
	fclose(fp);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("term");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, fit_table, 0, sizeof(fits) / sizeof(*fits));
	tcase_add_loop_test(tc, color_names, 0, (int)ARRAY_SIZE(colors));
	tcase_add_test(tc, not_a_tty);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
