/*
 * check_diag - unit tests for diag.h's two promises to its callers.
 *
 * errno: a diag call leaves errno as it found it, even when writing to
 * stderr fails (stderr is made unwritable here, so a write would set
 * EBADF). Escaping: the file name and the message reach stderr exactly as
 * esc_text() writes them, with no ESC, C1, DEL or other control byte raw.
 * stderr is redirected to a temporary file for each case and read back.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "escape.h"

/* --- stderr to a file descriptor and back -------------------------------- */

static int saved_stderr = -1;

static void
stderr_to(int fd)
{
	fflush(stderr);
	saved_stderr = dup(STDERR_FILENO);
	ck_assert_int_ge(saved_stderr, 0);
	ck_assert_int_ge(dup2(fd, STDERR_FILENO), 0);
}

static void
stderr_back(void)
{
	fflush(stderr);
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	saved_stderr = -1;
}

/* What fp holds, NUL-terminated; *len its length. */
static char *
slurp(FILE *fp, size_t *len)
{
	long n;
	char *s;

	ck_assert_int_eq(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	ck_assert_int_ge(n, 0);
	rewind(fp);
	s = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(fread(s, 1, (size_t)n, fp), (size_t)n);
	s[n] = '\0';
	*len = (size_t)n;
	return s;
}

/* --- errno is kept ------------------------------------------------------- */

struct errno_case {
	const char *name;
	bool unwritable;	/* stderr open read-only: every write fails */
	int err;	/* errno before the call */
	int call;	/* 0 diag_warning, 1 diag_error, 2 diag_at(file) */
};

static const struct errno_case errno_cases[] = {
	{"warning, stderr unwritable, ENOENT", true, ENOENT, 0},
	{"error, stderr unwritable, EACCES", true, EACCES, 1},
	{"at file, stderr unwritable, EINTR", true, EINTR, 2},
	{"warning, stderr unwritable, errno 0", true, 0, 0},
	{"warning, stderr a file, ENOENT", false, ENOENT, 0},
	{"error, stderr a file, EISDIR", false, EISDIR, 1},
	{"at file, stderr a file, errno 0", false, 0, 2},
};

START_TEST(errno_kept)
{
	const struct errno_case *c = &errno_cases[_i];
	FILE *sink = c->unwritable ? NULL : tmpfile();
	int fd = c->unwritable ? open("/dev/null", O_RDONLY) : fileno(sink);
	unsigned nw = diag_warnings(), ne = diag_errors();
	int got;

	ck_assert_int_ge(fd, 0);
	stderr_to(fd);
	errno = c->err;
	switch (c->call) {
	case 0:
		diag_warning("'%s': \x1b[31m a warning \xff", c->name);
		break;
	case 1:
		diag_error("'%s': an error", c->name);
		break;
	default:
		diag_at(DIAG_WARNING, "maillog\x1b", 12, 3, "'%s'", c->name);
		break;
	}
	got = errno;
	stderr_back();
	ck_assert_msg(got == c->err, "%s: errno after the call: got %d (%s), "
	    "want %d (%s)", c->name, got, strerror(got), c->err,
	    strerror(c->err));
	/* counted whether or not it could be written */
	ck_assert_msg(diag_warnings() + diag_errors() == nw + ne + 1,
	    "%s: counts: got %u + %u, want %u in all", c->name,
	    diag_warnings(), diag_errors(), nw + ne + 1);
	if (sink)
		fclose(sink);
	else
		close(fd);
}
END_TEST

/* --- escaped as esc_text() escapes --------------------------------------- */

struct esc_case {
	const char *name;
	const char *file;	/* NULL: no location */
	const char *msg;
	const char *want;	/* the line after "PROG: " */
};

static const struct esc_case esc_cases[] = {
	{"ESC", NULL, "red \x1b[31mtext", "warning: red \\x1b[31mtext"},
	{"C1 CSI as UTF-8", NULL, "a\xc2\x9b" "31mb",
	    "warning: a\\xc2\\x9b31mb"},
	{"C1 byte alone", NULL, "a\x9b" "31mb", "warning: a\\x9b31mb"},
	{"DEL", NULL, "x\x7fy", "warning: x\\x7fy"},
	{"CR LF TAB BEL", NULL, "a\r\n\tb\a",
	    "warning: a\\x0d\\x0a\\x09b\\x07"},
	{"invalid UTF-8", NULL, "\xff\xfe \xe2\x82", "warning: \\xff\\xfe "
	    "\\xe2\\x82"},
	{"backslash that reads as an escape", NULL, "\\x1b",
	    "warning: \\\\x1b"},
	{"valid UTF-8 passes", NULL, "caf\xc3\xa9 \xe2\x82\xac",
	    "warning: caf\xc3\xa9 \xe2\x82\xac"},
	{"file name with OSC", "log\x1b]0;owned\a", "m",
	    "log\\x1b]0;owned\\x07:7: warning: m"},
	{"file name with C1", "a\xc2\x85" "b", "m",
	    "a\\xc2\\x85b:7: warning: m"},
};

/* What esc_text() makes of s. */
static char *
esc_of(const char *s)
{
	char *out = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&out, &len);

	ck_assert_ptr_nonnull(fp);
	esc_text(fp, s, strlen(s));
	ck_assert_int_eq(fclose(fp), 0);
	return out;
}

/* A byte no terminal should see raw: C0 but the final LF, DEL, ESC, C1. */
static bool
raw_control(const unsigned char *s, size_t n, size_t *at)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char b = s[i];
		bool c1 = b >= 0x80 && b <= 0x9f &&
		    (i == 0 || s[i - 1] < 0x80 || s[i - 1] == 0xc2);

		if ((b < 0x20 && !(b == '\n' && i == n - 1)) || b == 0x7f ||
		    c1) {
			*at = i;
			return true;
		}
	}
	return false;
}

START_TEST(escaped_like_esc_text)
{
	const struct esc_case *c = &esc_cases[_i];
	FILE *sink = tmpfile();
	char want[512], *got, *shown, *ef, *em;
	size_t len, at;

	ck_assert_ptr_nonnull(sink);
	stderr_to(fileno(sink));
	if (c->file)
		diag_at(DIAG_WARNING, c->file, 7, 0, "%s", c->msg);
	else
		diag_warning("%s", c->msg);
	stderr_back();
	got = slurp(sink, &len);
	shown = esc_of(got);	/* a failure message prints no raw ESC */
	snprintf(want, sizeof(want), PACKAGE_NAME ": %s\n", c->want);
	ck_assert_msg(strcmp(got, want) == 0, "%s: got '%s' (as esc_text() "
	    "shows it), want '%s'", c->name, shown, c->want);
	ck_assert_msg(!raw_control((const unsigned char *)got, len, &at),
	    "%s: byte 0x%02x raw at %zu of '%s'", c->name,
	    (unsigned char)got[at], at, shown);
	/* and the same bytes as esc_text() of each part */
	ef = esc_of(c->file ? c->file : "");
	em = esc_of(c->msg);
	if (c->file)
		snprintf(want, sizeof(want), PACKAGE_NAME ": %s:7: warning: "
		    "%s\n", ef, em);
	else
		snprintf(want, sizeof(want), PACKAGE_NAME ": warning: %s\n",
		    em);
	ck_assert_msg(strcmp(got, want) == 0, "%s: got '%s', esc_text() "
	    "gives '%s'", c->name, shown, want);
	free(shown);
	free(ef);
	free(em);
	free(got);
	fclose(sink);
}
END_TEST

/* Muted: neither printed nor counted. */
START_TEST(mute_prints_and_counts_nothing)
{
	FILE *sink = tmpfile();
	unsigned nw = diag_warnings(), ne = diag_errors();
	size_t len;
	char *got;

	ck_assert_ptr_nonnull(sink);
	stderr_to(fileno(sink));
	diag_mute(1);
	diag_warning("muted warning");
	diag_error("muted error");
	diag_mute(0);
	stderr_back();
	got = slurp(sink, &len);
	ck_assert_msg(len == 0, "got '%s', want nothing", got);
	ck_assert_msg(diag_warnings() == nw && diag_errors() == ne,
	    "counts: got %u warnings, %u errors, want %u, %u",
	    diag_warnings(), diag_errors(), nw, ne);
	free(got);
	fclose(sink);
}
END_TEST

static Suite *
diag_suite(void)
{
	Suite *s = suite_create("diag");
	TCase *tc;

	tc = tcase_create("errno");
	tcase_add_loop_test(tc, errno_kept, 0, (int)ARRAY_SIZE(errno_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("escape");
	tcase_add_loop_test(tc, escaped_like_esc_text, 0,
	    (int)ARRAY_SIZE(esc_cases));
	tcase_add_test(tc, mute_prints_and_counts_nothing);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(diag_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
