/*
 * check_json - the JSON writer (json.h): commas, nesting and refusals.
 *
 * Each case is a list of calls, one a string: "{" and "[" begin an object
 * or array, "}" ends the innermost one (json_end() ends either), "k NAME"
 * is a key, "s TEXT" a string, "S" a NULL string, "i N" an integer, "t",
 * "f" and "n" true, false and null. The table says the text the calls
 * must give and which call, if any, must be refused.
 *
 * Fail if the comma rule breaks: "empty object", "nested arrays", "key
 * after a nested object", "array of objects" and "siblings after a deep
 * close" (a comma missing or doubled, or a stale flag of an inner level
 * leaking out). Fail if nesting is not checked: "depth overflow refused",
 * "end with nothing open", "value without a key" and the other refusals.
 *
 * The JSON reporter holds its lines back in batches (reporter.batch):
 * "held_lines_on_fatal" fails if a fatal error's exit loses them.
 */
#include "config.h"

#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/wait.h>
#include <unistd.h>

#include "diag.h"
#include "escape.h"
#include "json.h"
#include "report.h"

#define CALLS 40
#define OK (-1)	/* no call refused */

struct tcase {
	const char *name;
	const char *call[CALLS];
	const char *want;
	int refused;	/* the index of the first refused call, or OK */
};

#define B4 "[", "[", "[", "["
#define B16 B4, B4, B4, B4
#define E4 "}", "}", "}", "}"
#define E16 E4, E4, E4, E4

static const struct tcase cases[] = {
	{"empty object", {"{", "}"}, "{}", OK},
	{"empty array", {"[", "]"}, "[]", OK},
	{"one member", {"{", "k a", "i 1", "}"}, "{\"a\":1}", OK},
	{"members", {"{", "k a", "i 1", "k b", "s x", "k c", "S", "}"},
	    "{\"a\":1,\"b\":\"x\",\"c\":null}", OK},
	{"nested arrays", {"[", "[", "]", "[", "i 1", "i 2", "]", "[", "[",
	    "]", "]", "]"}, "[[],[1,2],[[]]]", OK},
	{"key after a nested object", {"{", "k a", "{", "k b", "i 1", "}",
	    "k c", "n", "}"}, "{\"a\":{\"b\":1},\"c\":null}", OK},
	{"key after a nested empty array", {"{", "k a", "[", "]", "k b",
	    "t", "}"}, "{\"a\":[],\"b\":true}", OK},
	{"array of objects", {"[", "{", "}", "{", "k a", "f", "}", "{", "}",
	    "]"}, "[{},{\"a\":false},{}]", OK},
	{"siblings after a deep close", {"{", "k a", "[", "{", "k b", "[",
	    "i 1", "]", "}", "]", "k c", "[", "i 2", "]", "}"},
	    "{\"a\":[{\"b\":[1]}],\"c\":[2]}", OK},
	{"a value at the top", {"i -5"}, "-5", OK},
	{"escaped key and string", {"{", "k q\"k", "s a\\b\n\x01", "}"},
	    "{\"q\\\"k\":\"a\\\\b\\n\\u0001\"}", OK},
	{"invalid UTF-8 in a string", {"[", "s \xff", "]"},
	    "[\"\\ufffd\"]", OK},
	{"depth JSON_DEPTH is allowed", {B16, E16},
	    "[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]", OK},
	{"depth overflow refused", {B16, "[", "]"},
	    "[[[[[[[[[[[[[[[[", 16},
	{"depth overflow in an object refused", {"{", "k a", B16},
	    "{\"a\":[[[[[[[[[[[[[[[", 17},
	{"value without a key", {"{", "i 1", "}"}, "{", 1},
	{"object without a key", {"{", "{", "}", "}"}, "{", 1},
	{"key in an array", {"[", "i 1", "k a"}, "[1", 2},
	{"key at the top", {"k a"}, "", 0},
	{"two keys in a row", {"{", "k a", "k b", "i 1", "}"},
	    "{\"a\":", 2},
	{"end with a key waiting", {"{", "k a", "}"}, "{\"a\":", 2},
	{"end with nothing open", {"{", "}", "}"}, "{}", 2},
	{"a second value at the top", {"{", "}", "{", "}"}, "{}", 2},
	{"refusal sticks", {"[", "k a", "i 1", "]"}, "[", 1},
};

/* Make one call; false when the writer refused it. */
static bool
call(struct json *j, const char *c)
{
	switch (c[0]) {
	case '{':
		return json_begin_object(j);
	case '[':
		return json_begin_array(j);
	case '}':
	case ']':
		return json_end(j);
	case 'k':
		return json_key(j, c + 2);
	case 's':
		return json_str(j, c + 2);
	case 'S':
		return json_str(j, NULL);
	case 'i':
		return json_int(j, strtoll(c + 2, NULL, 10));
	case 't':
	case 'f':
		return json_bool(j, c[0] == 't');
	case 'n':
		return json_null(j);
	}
	ck_abort_msg("bad call '%s' in the table", c);
	return false;
}

START_TEST(writer)
{
	const struct tcase *tc = &cases[_i];
	struct buf b = BUF_INIT;
	struct json j;
	int refused = OK;

	json_init(&j, &b);
	for (int i = 0; i < CALLS && tc->call[i]; i++) {
		bool ok = call(&j, tc->call[i]);

		if (!ok && refused == OK)
			refused = i;
		ck_assert_msg(ok || !json_ok(&j), "%s: call %d '%s' refused, "
		    "got json_ok() true, want false", tc->name, i,
		    tc->call[i]);
	}
	ck_assert_msg(strcmp(b.s, tc->want) == 0,
	    "%s: got '%s', want '%s'", tc->name, b.s, tc->want);
	ck_assert_msg(refused == tc->refused,
	    "%s: first refused call %d, want %d", tc->name, refused,
	    tc->refused);
	ck_assert_msg(json_ok(&j) == (tc->refused == OK),
	    "%s: json_ok() %d, want %d", tc->name, json_ok(&j),
	    tc->refused == OK);
	buf_release(&b);
}
END_TEST

/*
 * A key is written as esc_json_str() writes it, whether json.c copies it
 * as it is (printable ASCII) or escapes it: the edges of the plain range,
 * a quote, a backslash, controls, DEL, UTF-8 and a byte that is not.
 */
static const char *const keys[] = {
	"status", "", " ", "~tilde~", "a\"b", "back\\slash", "tab\t",
	"\x1f", "del\x7f", "caf\xc3\xa9", "bad\xff", "line\nbreak",
};

START_TEST(keys_as_escaped)
{
	struct buf got = BUF_INIT, want = BUF_INIT;
	struct json j;

	json_init(&j, &got);
	json_begin_object(&j);
	json_key(&j, keys[_i]);
	buf_addc(&want, '{');
	esc_json_str(&want, keys[_i]);
	buf_addc(&want, ':');
	ck_assert_msg(got.len == want.len && strcmp(got.s, want.s) == 0,
	    "key %d: got '%s', want '%s'", _i, got.s, want.s);
	buf_release(&got);
	buf_release(&want);
}
END_TEST

/*
 * JSON_KEY_STR() and JSON_KEY_INT(), the inline path for literal keys,
 * write what json_key_str() and json_key_int() write: the comma after a
 * first member, a refusal outside an object or after a key.
 */
START_TEST(literal_keys)
{
	struct buf got = BUF_INIT, want = BUF_INIT;
	struct json g, w;

	json_init(&g, &got);
	json_init(&w, &want);
	json_begin_object(&g);
	json_begin_object(&w);
	ck_assert(JSON_KEY_STR(&g, "status", "fail\"ed"));
	ck_assert(json_key_str(&w, "status", "fail\"ed"));
	ck_assert(JSON_KEY_INT(&g, "line_no", -42));
	ck_assert(json_key_int(&w, "line_no", -42));
	ck_assert(JSON_KEY_STR(&g, "null", NULL));
	ck_assert(json_key_str(&w, "null", NULL));
	JSON_KEY(&g, "a");
	json_key(&w, "a");
	json_begin_array(&g);
	json_begin_array(&w);
	ck_assert(!JSON_KEY(&g, "in_array"));	/* refused, as json_key() */
	ck_assert(!json_key(&w, "in_array"));
	ck_assert_msg(strcmp(got.s, want.s) == 0, "got '%s', want '%s'",
	    got.s, want.s);
	ck_assert(!json_ok(&g) && !json_ok(&w));
	buf_release(&got);
	buf_release(&want);
}
END_TEST

/*
 * JSON_KEY_MEMO() writes what JSON_KEY_STR() writes, when its slot is
 * made and when it is found: first and later members, NULL, a string to
 * escape, one string under two keys, two strings of the same text, and
 * more pairs than the memo has slots (those past half of them are not
 * kept), asked for three times in turn.
 */
START_TEST(memo_as_literal_keys)
{
	static const char *const names[] = {"failed", "rcpt", NULL,
	    "a \"quoted\" hint\n", "", "pre-greeting"};
	static char many[2 * JSON_MEMO_SLOTS][8];
	struct json_memo *m = calloc(1, sizeof(*m));
	struct buf got = BUF_INIT, want = BUF_INIT;
	struct json g, w;

	ck_assert(m != NULL);
	for (size_t i = 0; i < ARRAY_SIZE(many); i++)
		snprintf(many[i], sizeof(many[i]), "n%zu", i % 700);
	for (int round = 0; round < 3; round++) {
		buf_reset(&got);
		buf_reset(&want);
		json_init(&g, &got);
		json_init(&w, &want);
		json_begin_object(&g);
		json_begin_object(&w);
		for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
			ck_assert(JSON_KEY_MEMO(&g, "status", m, names[i]));
			ck_assert(JSON_KEY_STR(&w, "status", names[i]));
			ck_assert(JSON_KEY_MEMO(&g, "phase", m, names[i]));
			ck_assert(JSON_KEY_STR(&w, "phase", names[i]));
		}
		JSON_KEY(&g, "o");
		JSON_KEY(&w, "o");
		json_begin_object(&g);	/* first member: no comma */
		json_begin_object(&w);
		for (size_t i = 0; i < ARRAY_SIZE(many); i++) {
			ck_assert(JSON_KEY_MEMO(&g, "k", m, many[i]));
			ck_assert(JSON_KEY_STR(&w, "k", many[i]));
		}
		json_end(&g);
		json_end(&w);
		json_end(&g);
		json_end(&w);
		ck_assert(json_ok(&g) && json_ok(&w));
		ck_assert_msg(got.len == want.len && strcmp(got.s, want.s) ==
		    0, "round %d: got '%s', want '%s'", round, got.s, want.s);
	}
	/* refused where a key is: in an array, as JSON_KEY_STR() */
	json_init(&g, &got);
	json_begin_array(&g);
	ck_assert(!JSON_KEY_MEMO(&g, "status", m, "failed"));
	ck_assert(!json_ok(&g));
	json_memo_release(m);
	free(m);
	buf_release(&got);
	buf_release(&want);
}
END_TEST

/*
 * Objects and arrays begun after a key (inline) and elsewhere (json.c),
 * ended inline, with the buffer's end at every place of the text: what
 * is written is the same, and the refusals are json_end()'s.
 */
START_TEST(nesting_at_every_fill)
{
	const char *want = "{\"a\":{\"b\":[1,{\"c\":[]},[]],\"d\":{}},"
	    "\"e\":[[{}]]}";

	for (size_t fill = 0; fill < 140; fill++) {
		struct buf b = BUF_INIT;
		struct json j;

		for (size_t k = 0; k < fill; k++)
			buf_addc(&b, 'x');
		json_init(&j, &b);
		json_begin_object(&j);
		JSON_KEY(&j, "a");
		json_begin_object(&j);
		JSON_KEY(&j, "b");
		json_begin_array(&j);
		json_int(&j, 1);
		json_begin_object(&j);
		JSON_KEY(&j, "c");
		json_begin_array(&j);
		json_end(&j);
		json_end(&j);
		json_begin_array(&j);
		json_end(&j);
		json_end(&j);
		JSON_KEY(&j, "d");
		json_begin_object(&j);
		json_end(&j);
		json_end(&j);
		JSON_KEY(&j, "e");
		json_begin_array(&j);
		json_begin_array(&j);
		json_begin_object(&j);
		json_end(&j);
		json_end(&j);
		json_end(&j);
		json_end(&j);
		ck_assert(json_ok(&j));
		ck_assert_msg(b.len == fill + strlen(want) &&
		    strcmp(b.s + fill, want) == 0, "fill %zu: got '%s', "
		    "want '%s'", fill, b.s + fill, want);
		ck_assert(!json_end(&j));	/* nothing open */
		ck_assert(!json_ok(&j));
		ck_assert_uint_eq(b.len, fill + strlen(want));
		json_init(&j, &b);
		json_begin_object(&j);
		JSON_KEY(&j, "k");
		ck_assert(!json_end(&j));	/* a key waits */
		ck_assert(!json_begin_object(&j));	/* failed stays */
		buf_release(&b);
	}
}
END_TEST

/* json_int() writes what "%lld" does, at every number of digits. */
START_TEST(ints_as_printf)
{
	long long v[64];
	size_t n = 0;
	long long p = 1;

	v[n++] = LLONG_MIN;
	v[n++] = LLONG_MAX;
	v[n++] = LLONG_MIN + 1;
	/* where json_int() leaves 64-bit steps for 32-bit ones */
	v[n++] = 4294967295LL;
	v[n++] = 4294967296LL;
	v[n++] = -4294967296LL;
	v[n++] = 429496729600LL;
	for (int k = 0; k < 19; k++, p *= 10) {
		v[n++] = p - 1;
		v[n++] = p;
		v[n++] = -p - 1;
	}
	for (size_t i = 0; i < n; i++) {
		struct buf b = BUF_INIT;
		struct json j;
		char want[32];

		json_init(&j, &b);
		json_int(&j, v[i]);
		snprintf(want, sizeof(want), "%lld", v[i]);
		ck_assert_msg(strcmp(b.s, want) == 0 && b.len == strlen(want),
		    "got '%s' (%zu), want '%s'", b.s, b.len, want);
		buf_release(&b);
	}
}
END_TEST

/* json_uint() writes what json_int() does, in an array and elsewhere. */
START_TEST(uints_as_ints)
{
	static const uint32_t v[] = {0, 9, 10, 99, 100, 4727, 65536,
	    999999, 1000000, 4294967295u};
	struct buf b = BUF_INIT, w = BUF_INIT;
	struct json j, k;

	json_init(&j, &b);
	json_init(&k, &w);
	json_begin_array(&j);
	json_begin_array(&k);
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		ck_assert(json_uint(&j, v[i]));
		ck_assert(json_int(&k, v[i]));
	}
	json_end(&j);
	json_end(&k);
	ck_assert_str_eq(b.s, w.s);
	ck_assert_uint_eq(b.len, w.len);
	buf_reset(&b);
	json_init(&j, &b);
	ck_assert(json_uint(&j, 7));	/* at the top */
	ck_assert_str_eq(b.s, "7");
	json_init(&j, &b);
	json_begin_object(&j);
	ck_assert(!json_uint(&j, 7));	/* no key */
	ck_assert(!json_ok(&j));
	buf_release(&b);
	buf_release(&w);
}
END_TEST

/* Appending: the writer adds to what the buffer holds. */
START_TEST(appends)
{
	struct buf b = BUF_INIT;
	struct json j;
	const char *want = "x{\"a\":[1]}";

	buf_add(&b, "x", 1);
	json_init(&j, &b);
	json_begin_object(&j);
	json_key(&j, "a");
	json_begin_array(&j);
	json_int(&j, 1);
	json_end(&j);
	json_end(&j);
	ck_assert_msg(json_ok(&j) && strcmp(b.s, want) == 0,
	    "got '%s' (ok %d), want '%s'", b.s, json_ok(&j), want);
	buf_release(&b);
}
END_TEST

/* json_init_file(): nothing reaches the FILE before the outermost end. */
START_TEST(to_file)
{
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);
	struct json j;
	const char *want = "{\"a\":{\"b\":[true]},\"c\":\"d\"}";

	ck_assert_msg(fp != NULL, "open_memstream failed");
	json_init_file(&j, fp);
	json_begin_object(&j);
	json_key(&j, "a");
	json_begin_object(&j);
	json_key(&j, "b");
	json_begin_array(&j);
	json_bool(&j, true);
	json_end(&j);
	json_end(&j);
	fflush(fp);
	ck_assert_msg(len == 0, "written before the end: got '%.*s', want ''",
	    (int)len, text);
	json_key_str(&j, "c", "d");
	json_end(&j);
	fflush(fp);
	ck_assert_msg(json_ok(&j) && len == strlen(want) &&
	    memcmp(text, want, len) == 0, "got '%.*s' (ok %d), want '%s'",
	    (int)len, text, json_ok(&j), want);
	json_release(&j);
	fclose(fp);
	free(text);
}
END_TEST

/*
 * A reporter that holds its lines back writes them when the run exits on
 * a fatal error: a child reports two sessions into a file and dies by
 * diag_fatal(); the file must hold both lines, whole.
 */
START_TEST(held_lines_on_fatal)
{
	static const char *const files[] = {"a.log", NULL};
	char path[] = "/tmp/check-json-XXXXXX", text[4096];
	int fd = mkstemp(path), status = 0;
	size_t n, nl = 0;
	pid_t pid;
	FILE *fp;

	ck_assert_msg(fd >= 0, "mkstemp failed");
	close(fd);
	fflush(NULL);
	pid = fork();
	ck_assert_msg(pid >= 0, "fork failed");
	if (pid == 0) {
		struct session s;
		struct reporter *rep;

		if ((fp = fopen(path, "w")) == NULL ||
		    freopen("/dev/null", "w", stderr) == NULL)
			_exit(3);
		rep = report_json_new(fp, files);
		rep->batch = true;
		memset(&s, 0, sizeof(s));
		s.label = "one";
		rep->session(rep, &s);
		s.label = "two";
		rep->session(rep, &s);
		diag_fatal("a fatal error after two sessions");
	}
	ck_assert_msg(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 2, "the child did not exit with 2");
	fp = fopen(path, "r");
	ck_assert_msg(fp != NULL, "cannot read %s", path);
	n = fread(text, 1, sizeof(text) - 1, fp);
	fclose(fp);
	unlink(path);
	text[n] = '\0';
	for (size_t i = 0; i < n; i++)
		nl += text[i] == '\n';
	ck_assert_msg(nl == 2 && text[0] == '{' && text[n - 1] == '\n' &&
	    strstr(text, "\"one@") && strstr(text, "\"two@"),
	    "got %zu lines: '%s', want the two sessions' lines", nl, text);
}
END_TEST

static Suite *
json_suite(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, writer, 0, sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, appends);
	tcase_add_test(tc, literal_keys);
	tcase_add_test(tc, memo_as_literal_keys);
	tcase_add_test(tc, ints_as_printf);
	tcase_add_test(tc, uints_as_ints);
	tcase_add_test(tc, nesting_at_every_fill);
	tcase_add_loop_test(tc, keys_as_escaped, 0,
	    sizeof(keys) / sizeof(keys[0]));
	tcase_add_test(tc, to_file);
	tcase_add_test(tc, held_lines_on_fatal);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(json_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
