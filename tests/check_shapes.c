/*
 * check_shapes - unit tests for shapes.h: masks from a table of real-looking
 * lines, the top shapes and their order, and the bound on distinct shapes.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shapes.h"
#include "util.h"

static const struct mask_case {
	const char *in, *want;
} mask_cases[] = {
	{"", ""},
	{"Start queue run", "Start queue run"},
	{"2026-12-01 04:52:03 1xYFqV-0006tR-2x ** failme@exim.test R=failer: "
	    "No such user", "N N:N:N N ** ADDR R=failer: No such user"},
	{"H=(p22012.client.test) [127.0.0.1]:22012 F=<alice@exim.test> x",
	    "H=(N.client.test) [N.N.N.N]:N F=<ADDR> x"},
	{"a \t\r b", "a b"},
	{"ctl\x01\x1b[2Jx", "ctl [N"},
	{"RCPT TO:<u1@bounce.test>: 550 5.1.1 no", "RCPT TO:<ADDR>: N N.N.N no"},
};

START_TEST(mask_table)
{
	const struct mask_case *c = &mask_cases[_i];
	char out[SHAPE_LEN + 1];
	size_t n = shapes_mask((struct strview){c->in, strlen(c->in)}, out);

	ck_assert_msg(n == strlen(out) && strcmp(out, c->want) == 0,
	    "'%s': got '%s', want '%s'", c->in, out, c->want);
}
END_TEST

START_TEST(mask_bounded)
{
	char in[1000], out[SHAPE_LEN + 1];
	size_t n;

	memset(in, 'x', sizeof(in));
	n = shapes_mask((struct strview){in, sizeof(in)}, out);
	ck_assert_msg(n == SHAPE_LEN, "got %zu bytes, want %d", n, SHAPE_LEN);
	ck_assert_uint_eq(strlen(out), SHAPE_LEN);
}
END_TEST

static void
add(struct shapes *t, const char *s)
{
	shapes_add(t, (struct strview){s, strlen(s)});
}

START_TEST(top_three)
{
	struct shapes *t = shapes_new();
	const char *shape[4];
	unsigned long count[4];
	size_t n;

	add(t, "one 1");
	add(t, "two a@b");
	add(t, "two c@d");
	add(t, "three 7");
	add(t, "one 2");
	add(t, "one 3");
	add(t, "four");
	n = shapes_top(t, 3, shape, count);
	ck_assert_uint_eq(n, 3);
	ck_assert_msg(strcmp(shape[0], "one N") == 0 && count[0] == 3,
	    "first: got '%s' x%lu, want 'one N' x3", shape[0], count[0]);
	ck_assert_msg(strcmp(shape[1], "two ADDR") == 0 && count[1] == 2,
	    "second: got '%s' x%lu, want 'two ADDR' x2", shape[1], count[1]);
	ck_assert_msg(strcmp(shape[2], "three N") == 0 && count[2] == 1,
	    "third: got '%s' x%lu, want 'three N' (first seen of the ties)",
	    shape[2], count[2]);
	ck_assert_uint_eq(shapes_total(t), 7);
	shapes_free(t);
}
END_TEST

START_TEST(bounded_distinct)
{
	struct shapes *t = shapes_new();
	char line[64];
	const char *shape[1];
	unsigned long count[1];

	for (int i = 0; i < SHAPES_MAX + 10; i++) {
		/* letters only: every line its own shape */
		snprintf(line, sizeof(line), "w%c%c%c", 'a' + i % 26,
		    'a' + i / 26 % 26, 'a' + i / 676 % 26);
		add(t, line);
	}
	ck_assert_uint_eq(shapes_total(t), SHAPES_MAX + 10);
	ck_assert_uint_eq(shapes_other(t), 10);
	ck_assert_uint_eq(shapes_top(t, 1, shape, count), 1);
	ck_assert_uint_eq(count[0], 1);
	shapes_free(t);
}
END_TEST

static Suite *
shapes_suite(void)
{
	Suite *s = suite_create("shapes");
	TCase *tc = tcase_create("shapes");

	tcase_add_loop_test(tc, mask_table, 0, (int)ARRAY_SIZE(mask_cases));
	tcase_add_test(tc, mask_bounded);
	tcase_add_test(tc, top_three);
	tcase_add_test(tc, bounded_distinct);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(shapes_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
