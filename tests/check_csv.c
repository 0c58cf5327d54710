/*
 * check_csv - unit tests for csv.h: csv_split() and csv_field().
 *
 * Records are split as RFC 4180 says; each case gives the record and the
 * fields it must yield. An empty field is a set view of length 0 (its p is
 * not NULL), and a field past the last one is unset: the two must never be
 * confused, whatever the record holds.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"

struct split_case {
	const char *rec;
	size_t n;
	const char *want[8];
};

static const struct split_case splits[] = {
	{"a,b,c", 3, {"a", "b", "c"}},
	{"\"a,b\",c,\"\"\"\"", 3, {"a,b", "c", "\""}},
	{"a,", 2, {"a", ""}},
	{",", 2, {"", ""}},
	/* every field empty: nothing is copied into the buffer (issue 11) */
	{",,,,", 5, {"", "", "", "", ""}},
	{"", 1, {""}},
	{"\"\"", 1, {""}},
	{"\"\",\"\"", 2, {"", ""}},
	{"\"unterminated,x", 1, {"unterminated,x"}},
	{"\"q\"tail,x", 2, {"qtail", "x"}},
};

START_TEST(split_table)
{
	const struct split_case *c = &splits[_i];
	struct csv_rec r = CSV_REC_INIT;
	struct strview v = {c->rec, strlen(c->rec)};
	size_t n = csv_split(&r, v);

	ck_assert_msg(n == c->n, "'%s': got %zu fields, want %zu", c->rec, n,
	    c->n);
	for (size_t i = 0; i < n; i++) {
		struct strview f = csv_field(&r, i);

		ck_assert_msg(f.p != NULL, "'%s': field %zu unset, want '%s'",
		    c->rec, i, c->want[i]);
		ck_assert_msg(f.len == strlen(c->want[i]) &&
		    memcmp(f.p, c->want[i], f.len) == 0,
		    "'%s': field %zu got '%.*s', want '%s'", c->rec, i,
		    (int)f.len, f.p, c->want[i]);
	}
	ck_assert_msg(csv_field(&r, n).p == NULL,
	    "'%s': field %zu past the last is set", c->rec, n);
	csv_rec_release(&r);
}
END_TEST

/* A record reused after a longer one keeps nothing of it. */
START_TEST(split_reuse)
{
	struct csv_rec r = CSV_REC_INIT;
	struct strview big = {"aaaa,bbbb,cccc", 14}, empty = {",,", 2};

	ck_assert_uint_eq(csv_split(&r, big), 3);
	ck_assert_uint_eq(csv_split(&r, empty), 3);
	for (size_t i = 0; i < 3; i++) {
		struct strview f = csv_field(&r, i);

		ck_assert_msg(f.p != NULL && f.len == 0,
		    "field %zu: got '%.*s', want empty", i, (int)f.len,
		    f.p ? f.p : "(unset)");
	}
	/* a _release leaves it as CSV_REC_INIT made it, usable again */
	csv_rec_release(&r);
	ck_assert_msg(r.n == 0 && r.buf.s != NULL && r.buf.s[0] == '\0' &&
	    r.buf.len == 0, "after release: got %zu fields, buf '%s', want "
	    "none and ''", r.n, r.buf.s ? r.buf.s : "(NULL)");
	ck_assert_msg(csv_field(&r, 0).p == NULL,
	    "after release: field 0 is set");
	ck_assert_uint_eq(csv_split(&r, empty), 3);
	ck_assert_msg(csv_field(&r, 2).p != NULL && csv_field(&r, 2).len == 0,
	    "after release: field 2 of ',,' unset or not empty");
	csv_rec_release(&r);
}
END_TEST

static Suite *
csv_suite(void)
{
	Suite *s = suite_create("csv");
	TCase *tc = tcase_create("split");

	tcase_add_loop_test(tc, split_table, 0, (int)ARRAY_SIZE(splits));
	tcase_add_test(tc, split_reuse);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(csv_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
