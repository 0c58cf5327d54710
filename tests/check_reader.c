/*
 * check_reader - unit tests for reader.h.
 *
 * Every input is written by the test into a mkdtemp() directory (libinput
 * make_data_dir style): plain files as given, gzip files with zlib's own
 * gzwrite(), and damaged gzip files by cutting or flipping bytes of a good
 * one. Each table case runs twice, plain and gzip, since zlib reads plain
 * files through the same path.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "diag.h"
#include "reader.h"

static char tmpdir[256];

/*
 * What a test opens or allocates lives here, so that the teardown frees
 * it even when an assertion ends the test early (CK_FORK=no, valgrind).
 */
static struct reader *rd;
static char *data;
static struct buf text = BUF_INIT;

/*
 * main() makes one directory for the run and removes it at the end, so
 * that nothing is left behind by a test that failed or crashed in its
 * own process (the checked teardown does not run then); each test gets a
 * fresh mkdtemp() directory inside it.
 */
static char rootdir[200];

static void
make_dir(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "%s/t-XXXXXX", rootdir);
	ck_assert_msg(mkdtemp(tmpdir) != NULL, "mkdtemp: %s", strerror(errno));
}

/* rm -r, for the test directory (it holds files and directories only) */
static void
rm_rf(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	char sub[1024];

	if (d == NULL) {
		unlink(path);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		rm_rf(sub);
	}
	closedir(d);
	rmdir(path);
}

static void
remove_dir(void)
{
	reader_close(rd);
	rd = NULL;
	free(data);
	data = NULL;
	buf_release(&text);
	if (tmpdir[0])
		rm_rf(tmpdir);
	tmpdir[0] = '\0';
}

/* Path of name in the test directory; static buffer. */
static const char *
tpath(const char *name)
{
	static char p[2][512];
	static int which;

	which ^= 1;
	snprintf(p[which], sizeof(p[which]), "%s/%s", tmpdir, name);
	return p[which];
}

static const char *
write_plain(const char *name, const char *bytes, size_t len)
{
	const char *path = tpath(name);
	FILE *fp = fopen(path, "wb");

	ck_assert_msg(fp != NULL, "cannot create '%s': %s", path,
	    strerror(errno));
	ck_assert_uint_eq(fwrite(bytes, 1, len, fp), len);
	ck_assert_int_eq(fclose(fp), 0);
	return path;
}

static const char *
write_gzip(const char *name, const char *bytes, size_t len)
{
	const char *path = tpath(name);
	gzFile gz = gzopen(path, "wb9");
	size_t off = 0;

	ck_assert_msg(gz != NULL, "cannot create '%s'", path);
	while (off < len) {
		unsigned n = len - off > 1u << 20 ? 1u << 20 :
		    (unsigned)(len - off);

		ck_assert_int_eq(gzwrite(gz, bytes + off, n), (int)n);
		off += n;
	}
	ck_assert_int_eq(gzclose(gz), Z_OK);
	return path;
}

static size_t
file_size(const char *path)
{
	struct stat st;

	ck_assert_int_eq(stat(path, &st), 0);
	return (size_t)st.st_size;
}

/* --- line splitting, plain and gzip ----------------------------------- */

struct lines_case {
	const char *name;
	const char *data;
	size_t len;		/* 0: strlen(data) */
	const char *want[8];	/* NULL-terminated */
};

static const struct lines_case lines_cases[] = {
	{"plain", "one\ntwo\nthree\n", 0, {"one", "two", "three"}},
	{"crlf", "one\r\ntwo\r\nthree\r\n", 0, {"one", "two", "three"}},
	{"mixed-ends", "one\r\ntwo\nthree\r\n", 0, {"one", "two", "three"}},
	{"no-final-newline", "one\ntwo", 0, {"one", "two"}},
	{"no-final-newline-crlf", "one\r\ntwo", 0, {"one", "two"}},
	{"empty-lines", "\none\n\n\ntwo\n\n", 0, {"", "one", "", "", "two",
	    ""}},
	{"empty-lines-crlf", "\r\none\r\n\r\n", 0, {"", "one", ""}},
	{"only-newline", "\n", 0, {""}},
	{"empty-file", "", 0, {NULL}},
	{"cr-inside", "a\rb\nc\n", 0, {"a\rb", "c"}},
	{"nul-inside", "a\0b\nc\n", 6, {"a\0b", "c"}},
	{"syslog", "Nov 23 09:17:32 mx postfix/smtpd[12202]: connect from "
	    "localhost[127.0.0.1]:20101\nNov 23 09:17:32 mx postfix/smtpd"
	    "[12202]: disconnect from localhost[127.0.0.1]:20101 "
	    "commands=0/0\n", 0, {"Nov 23 09:17:32 mx postfix/smtpd[12202]: "
	    "connect from localhost[127.0.0.1]:20101", "Nov 23 09:17:32 mx "
	    "postfix/smtpd[12202]: disconnect from localhost[127.0.0.1]:20101 "
	    "commands=0/0"}},
};

/* Lengths of want[]: "nul-inside" has a NUL in its first line. */
static size_t
want_len(const struct lines_case *c, size_t i)
{
	if (strcmp(c->name, "nul-inside") == 0 && i == 0)
		return 3;
	return strlen(c->want[i]);
}

START_TEST(read_lines)
{
	const struct lines_case *c = &lines_cases[_i / 2];
	bool gz = _i % 2;
	size_t len = c->len ? c->len : strlen(c->data);
	const char *path = gz ? write_gzip("in.log.gz", c->data, len) :
	    write_plain("in.log", c->data, len);
	struct strview line;
	size_t n = 0;

	rd = reader_open(path);
	ck_assert_msg(rd != NULL, "%s: reader_open('%s') failed", c->name,
	    path);
	ck_assert_str_eq(reader_name(rd), path);
	ck_assert_uint_eq(reader_lineno(rd), 0);
	while (reader_next(rd, &line)) {
		ck_assert_msg(c->want[n] != NULL,
		    "%s%s: extra line %zu: '%.*s'", c->name,
		    gz ? " (gzip)" : "", n + 1, (int)line.len, line.p);
		ck_assert_msg(line.len == want_len(c, n) &&
		    memcmp(line.p, c->want[n], line.len) == 0,
		    "%s%s: line %zu: got '%.*s' (%zu bytes), want '%s'",
		    c->name, gz ? " (gzip)" : "", n + 1, (int)line.len, line.p,
		    line.len, c->want[n]);
		n++;
		ck_assert_msg(reader_lineno(rd) == n,
		    "%s%s: lineno got %zu, want %zu", c->name,
		    gz ? " (gzip)" : "", reader_lineno(rd), n);
	}
	ck_assert_msg(c->want[n] == NULL, "%s%s: got %zu lines, want more: "
	    "'%s'", c->name, gz ? " (gzip)" : "", n, c->want[n]);
	/* the end stays the end */
	ck_assert_int_eq(reader_next(rd, &line), 0);
	ck_assert_msg(!reader_failed(rd), "%s%s: reader_failed() on good input",
	    c->name, gz ? " (gzip)" : "");
}
END_TEST

/* --- long lines ----------------------------------------------------------- */

static const size_t long_lengths[] = {
	READER_MAX_LINE - 1,
	READER_MAX_LINE,
	READER_MAX_LINE + 1,
	READER_MAX_LINE + 1000,
	3 * READER_MAX_LINE,
	200 * 1024,
	1000 * 1000,
	3 * 1000 * 1000,
};

/*
 * "first\n" + a line of N bytes + "\nnext\nlast\n": the long line comes
 * out cut at READER_MAX_LINE (with one warning), and the lines after it
 * are read, with the right numbers.
 */
START_TEST(long_line)
{
	size_t n = long_lengths[_i / 2];
	bool gz = _i % 2;
	size_t want = n > READER_MAX_LINE ? READER_MAX_LINE : n;
	size_t total = 6 + n + 1 + 5 + 5;
	const char *path;
	struct strview line;
	unsigned warnings;
	size_t off = 0;

	data = malloc(total);
	ck_assert_ptr_nonnull(data);
	memcpy(data, "first\n", 6);
	off = 6;
	for (size_t i = 0; i < n; i++)
		data[off + i] = (char)('a' + i % 26);
	off += n;
	memcpy(data + off, "\nnext\nlast\n", 11);
	path = gz ? write_gzip("long.log.gz", data, total) :
	    write_plain("long.log", data, total);

	rd = reader_open(path);
	ck_assert_ptr_nonnull(rd);
	ck_assert_int_eq(reader_next(rd, &line), 1);
	ck_assert_msg(sv_eq(line, "first"), "got '%.*s', want 'first'",
	    (int)line.len, line.p);
	warnings = diag_warnings();
	ck_assert_int_eq(reader_next(rd, &line), 1);
	ck_assert_msg(line.len == want,
	    "line of %zu bytes%s: got %zu bytes, want %zu", n,
	    gz ? " (gzip)" : "", line.len, want);
	ck_assert_msg(memcmp(line.p, data + 6, want) == 0,
	    "line of %zu bytes%s: content differs", n, gz ? " (gzip)" : "");
	ck_assert_uint_eq(reader_lineno(rd), 2);
	ck_assert_msg(diag_warnings() == warnings + (n > READER_MAX_LINE),
	    "line of %zu bytes%s: got %u warnings, want %d", n,
	    gz ? " (gzip)" : "", diag_warnings() - warnings,
	    n > READER_MAX_LINE);
	ck_assert_int_eq(reader_next(rd, &line), 1);
	ck_assert_msg(sv_eq(line, "next"),
	    "line of %zu bytes%s: after it got '%.*s', want 'next'", n,
	    gz ? " (gzip)" : "", (int)(line.len > 60 ? 60 : line.len), line.p);
	ck_assert_msg(reader_lineno(rd) == 3, "lineno: got %zu, want 3",
	    reader_lineno(rd));
	ck_assert_int_eq(reader_next(rd, &line), 1);
	ck_assert_msg(sv_eq(line, "last"), "got '%.*s', want 'last'",
	    (int)line.len, line.p);
	ck_assert_uint_eq(reader_lineno(rd), 4);
	ck_assert_int_eq(reader_next(rd, &line), 0);
	ck_assert_int_eq(reader_failed(rd), false);
}
END_TEST

/* Two long lines in a row, then a short one: the skip state ends. */
START_TEST(two_long_lines)
{
	size_t n = 2 * READER_MAX_LINE + 17;
	size_t total = 2 * (n + 1) + 4;
	struct strview line;

	data = malloc(total);
	ck_assert_ptr_nonnull(data);
	memset(data, 'x', n);
	data[n] = '\n';
	memset(data + n + 1, 'y', n);
	data[2 * n + 1] = '\n';
	memcpy(data + 2 * n + 2, "end\n", 4);
	rd = reader_open(write_plain("two.log", data, total));
	ck_assert_ptr_nonnull(rd);
	ck_assert_int_eq(reader_next(rd, &line), 1);
	ck_assert_msg(line.len == READER_MAX_LINE && line.p[0] == 'x',
	    "first line: got %zu bytes starting '%c', want %d of 'x'",
	    line.len, line.p[0], READER_MAX_LINE);
	ck_assert_int_eq(reader_next(rd, &line), 1);
	ck_assert_msg(line.len == READER_MAX_LINE && line.p[0] == 'y',
	    "second line: got %zu bytes starting '%c', want %d of 'y'",
	    line.len, line.p[0], READER_MAX_LINE);
	ck_assert_uint_eq(reader_lineno(rd), 2);
	ck_assert_int_eq(reader_next(rd, &line), 1);
	ck_assert_msg(sv_eq(line, "end"), "got '%.*s', want 'end'",
	    (int)(line.len > 40 ? 40 : line.len), line.p);
	ck_assert_uint_eq(reader_lineno(rd), 3);
	ck_assert_int_eq(reader_next(rd, &line), 0);
}
END_TEST

/* Many lines across many buffer refills: none lost, none split. */
START_TEST(many_lines)
{
	enum { N = 200000 };
	char want[64];
	struct strview line;
	size_t n = 0;

	for (int i = 0; i < N; i++)
		buf_addf(&text, "line %06d%s\n", i, i % 7 ? "" : " padding");
	rd = reader_open(_i ? write_gzip("many.gz", text.s, text.len) :
	    write_plain("many.log", text.s, text.len));
	ck_assert_ptr_nonnull(rd);
	while (reader_next(rd, &line)) {
		snprintf(want, sizeof(want), "line %06zu%s", n,
		    n % 7 ? "" : " padding");
		ck_assert_msg(sv_eq(line, want), "line %zu: got '%.*s', "
		    "want '%s'", n + 1, (int)line.len, line.p, want);
		n++;
	}
	ck_assert_msg(n == N, "got %zu lines, want %d", n, N);
	ck_assert_uint_eq(reader_lineno(rd), N);
	ck_assert_int_eq(reader_failed(rd), false);
}
END_TEST

/* --- damaged gzip --------------------------------------------------------- */

static void
numbered_lines(int n)
{
	unsigned x = 12345;

	/* some noise so that the compressed stream is not tiny */
	for (int i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		buf_addf(&text, "Nov 23 09:17:%02d mx postfix/smtpd[%u]: line "
		    "%05d %08x\n", i % 60, x % 30000, i, x);
	}
}

/*
 * A gzip file cut short: the lines before the cut are delivered, then the
 * input ends with an error and reader_failed() says so.
 */
START_TEST(truncated_gzip)
{
	enum { N = 20000 };
	const char *path;
	size_t size;
	struct strview line;
	size_t n = 0, off = 0;
	unsigned errors;

	numbered_lines(N);
	path = write_gzip("cut.log.gz", text.s, text.len);
	size = file_size(path);
	ck_assert_int_eq(truncate(path, (off_t)(size / 2)), 0);
	errors = diag_errors();
	rd = reader_open(path);
	ck_assert_ptr_nonnull(rd);
	while (reader_next(rd, &line)) {
		const char *nl = memchr(text.s + off, '\n', text.len - off);
		size_t wl = (size_t)(nl - (text.s + off));

		/* each line is the original; the last may be a part of it */
		ck_assert_msg(line.len <= wl &&
		    memcmp(line.p, text.s + off, line.len) == 0,
		    "line %zu: got '%.*s', want '%.*s'", n + 1, (int)line.len,
		    line.p, (int)wl, text.s + off);
		if (line.len < wl)
			ck_assert_msg(reader_next(rd, &line) == 0,
			    "a line after the partial line %zu", n + 1);
		off += wl + 1;
		n++;
	}
	ck_assert_msg(n > N / 10 && n < N, "got %zu lines of %d", n, N);
	ck_assert_msg(reader_failed(rd),
	    "cut at %zu of %zu bytes: reader_failed() is false", size / 2,
	    size);
	ck_assert_msg(diag_errors() > errors, "no error reported");
}
END_TEST

/*
 * A gzip file whose trailer CRC is wrong: like a cut file, the lines
 * before the error (here: all of them) are delivered, then the error.
 */
START_TEST(corrupt_gzip_crc)
{
	enum { N = 500 };
	const char *path;
	size_t size;
	struct strview line;
	unsigned char c;
	size_t n = 0;
	int fd;

	numbered_lines(N);
	path = write_gzip("crc.log.gz", text.s, text.len);
	size = file_size(path);
	/* the CRC32 is the 8th to 5th byte from the end */
	fd = open(path, O_RDWR);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pread(fd, &c, 1, (off_t)(size - 8)), 1);
	c ^= 0xff;
	ck_assert_int_eq(pwrite(fd, &c, 1, (off_t)(size - 8)), 1);
	close(fd);
	rd = reader_open(path);
	ck_assert_ptr_nonnull(rd);
	while (reader_next(rd, &line))
		n++;
	ck_assert_msg(reader_failed(rd), "bad CRC: reader_failed() is false");
	ck_assert_msg(n == N, "got %zu lines, want %d", n, N);
}
END_TEST

/* --- opening ------------------------------------------------------------- */

START_TEST(open_missing)
{
	unsigned errors = diag_errors();

	rd = reader_open(tpath("no-such-file.log"));
	ck_assert_msg(rd == NULL, "reader_open() of a missing file: got %p, "
	    "want NULL", (void *)rd);
	ck_assert_msg(diag_errors() == errors + 1, "errors: got %u, want %u",
	    diag_errors() - errors, 1u);
}
END_TEST

START_TEST(open_directory)
{
	unsigned errors = diag_errors();

	ck_assert_int_eq(mkdir(tpath("subdir"), 0700), 0);
	rd = reader_open(tpath("subdir"));
	ck_assert_msg(rd == NULL, "reader_open() of a directory: got %p, "
	    "want NULL", (void *)rd);
	ck_assert_msg(diag_errors() == errors + 1, "errors: got %u, want %u",
	    diag_errors() - errors, 1u);
	rd = reader_open(tmpdir);
	ck_assert_ptr_null(rd);
}
END_TEST

/* The modification time is the file's, not the clock's. */
START_TEST(mtime_of_file)
{
	const char *path = write_plain("old.log", "x\n", 2);
	struct timespec ts[2] = {{1700000000, 0}, {1600000000, 0}};

	ck_assert_int_eq(utimensat(AT_FDCWD, path, ts, 0), 0);
	rd = reader_open(path);
	ck_assert_ptr_nonnull(rd);
	ck_assert_msg(reader_mtime(rd) == 1600000000,
	    "mtime: got %lld, want 1600000000", (long long)reader_mtime(rd));
	reader_close(rd);
	rd = NULL;
	reader_close(NULL);
}
END_TEST

/* "-" reads standard input, plain or gzip. */
START_TEST(standard_input)
{
	const char *s = "alpha\r\nbeta\ngamma";
	const char *path = _i ? write_gzip("stdin.gz", s, strlen(s)) :
	    write_plain("stdin.log", s, strlen(s));
	const char *want[] = {"alpha", "beta", "gamma"};
	int saved = dup(STDIN_FILENO);
	int fd = open(path, O_RDONLY);
	struct strview line;
	size_t n = 0;

	ck_assert_int_ge(saved, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(dup2(fd, STDIN_FILENO), STDIN_FILENO);
	close(fd);
	rd = reader_open("-");
	dup2(saved, STDIN_FILENO);	/* the reader has its own descriptor */
	close(saved);
	ck_assert_ptr_nonnull(rd);
	ck_assert_str_eq(reader_name(rd), "(standard input)");
	while (reader_next(rd, &line)) {
		ck_assert_msg(n < 3 && sv_eq(line, want[n]),
		    "line %zu: got '%.*s', want '%s'", n + 1, (int)line.len,
		    line.p, n < 3 ? want[n] : "(none)");
		n++;
	}
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(reader_failed(rd), false);
}
END_TEST

/* --- follow mode -------------------------------------------------------- */

/* Append to path (or, with trunc, rewrite it in place: the same inode). */
static void
append(const char *path, const char *bytes, bool trunc)
{
	int fd = open(path, O_WRONLY | O_CREAT | (trunc ? O_TRUNC : O_APPEND),
	    0644);
	size_t len = strlen(bytes);

	ck_assert_msg(fd >= 0, "cannot write '%s': %s", path, strerror(errno));
	ck_assert_int_eq(write(fd, bytes, len), (ssize_t)len);
	close(fd);
}

/* The next line is want, numbered lineno. */
static void
expect_line(const char *want, size_t lineno)
{
	struct strview line;

	ck_assert_msg(reader_next(rd, &line) == 1, "got no line, want '%s'",
	    want);
	ck_assert_msg(sv_eq(line, want) && reader_lineno(rd) == lineno,
	    "got '%.*s' as line %zu, want '%s' as line %zu", (int)line.len,
	    line.p, reader_lineno(rd), want, lineno);
}

static void
expect_none(void)
{
	struct strview line;

	ck_assert_msg(reader_next(rd, &line) == 0, "got '%.*s', want none",
	    (int)line.len, line.p);
}

/* The end of the file is "no more for now"; an unfinished line waits. */
START_TEST(follow_grow)
{
	const char *path = write_plain("mail.log", "", 0);

	rd = reader_open(path);
	ck_assert_ptr_nonnull(rd);
	ck_assert_int_eq(reader_follow(rd), true);
	expect_none();
	ck_assert_int_eq(reader_poll(rd), false);
	append(path, "one\ntw", false);
	ck_assert_int_eq(reader_poll(rd), true);
	expect_line("one", 1);
	expect_none();
	ck_assert_int_eq(reader_poll(rd), false);
	append(path, "o\r\nthree\n", false);
	ck_assert_int_eq(reader_poll(rd), true);
	expect_line("two", 2);
	expect_line("three", 3);
	expect_none();
	ck_assert_int_eq(reader_poll(rd), false);
	ck_assert_int_eq(reader_failed(rd), false);
}
END_TEST

/*
 * Rename and create: the old file to its end, its unfinished line as it
 * stands, then the new file from line 1; no name for a while is waited out.
 */
START_TEST(follow_rename)
{
	const char *path = write_plain("mail.log", "one\ntwo\nthr", 11);
	char old[512];

	snprintf(old, sizeof(old), "%s.1", path);
	rd = reader_open(path);
	ck_assert_ptr_nonnull(rd);
	ck_assert_int_eq(reader_follow(rd), true);
	expect_line("one", 1);
	expect_line("two", 2);
	expect_none();
	ck_assert_int_eq(rename(path, old), 0);
	ck_assert_int_eq(reader_poll(rd), false);
	append(old, "ee\nfour\n", false);	/* written before the reopen */
	ck_assert_int_eq(reader_poll(rd), true);
	expect_line("three", 3);
	expect_line("four", 4);
	expect_none();
	ck_assert_int_eq(reader_poll(rd), false);
	append(path, "new\nnext", false);
	ck_assert_int_eq(reader_poll(rd), true);
	expect_line("new", 1);
	expect_none();
	/* again: the old file is followed while the new one is empty (the
	 * server has not reopened the name yet); its unfinished line */
	ck_assert_int_eq(rename(path, old), 0);
	append(path, "", false);
	ck_assert_int_eq(reader_poll(rd), false);
	append(old, " line\nlast", false);
	ck_assert_int_eq(reader_poll(rd), true);
	expect_line("next line", 2);
	expect_none();
	ck_assert_int_eq(reader_poll(rd), false);
	append(path, "newer\n", false);
	ck_assert_int_eq(reader_poll(rd), true);
	expect_line("last", 3);
	expect_line("newer", 1);
	expect_none();
	ck_assert_int_eq(reader_poll(rd), false);
}
END_TEST

/* Copytruncate: read again from the start; an unfinished line is dropped. */
START_TEST(follow_truncate)
{
	const char *path = write_plain("mail.log", "one\ntwo\nthr", 11);

	rd = reader_open(path);
	ck_assert_ptr_nonnull(rd);
	ck_assert_int_eq(reader_follow(rd), true);
	expect_line("one", 1);
	expect_line("two", 2);
	expect_none();
	ck_assert_int_eq(reader_poll(rd), false);
	ck_assert_int_eq(truncate(path, 0), 0);
	ck_assert_int_eq(reader_poll(rd), true);
	expect_none();
	ck_assert_int_eq(reader_poll(rd), false);
	append(path, "four\n", false);
	ck_assert_int_eq(reader_poll(rd), true);
	expect_line("four", 1);
	expect_none();
	/* cut and written past the old offset before the next poll: the
	 * first bytes tell */
	append(path, "fifth line, longer than all before\nsixth\n", true);
	ck_assert_int_eq(reader_poll(rd), true);
	expect_line("fifth line, longer than all before", 1);
	expect_line("sixth", 2);
	expect_none();
	ck_assert_int_eq(reader_poll(rd), false);
}
END_TEST

/*
 * Copytruncate, then refilled past the offset read before the tool looks
 * again: with or without a poll between, the new file is read whole from
 * its line 1, never from the old offset, and an unfinished line held is
 * dropped. @ stands for a 150-byte header line that every file starts
 * with (its first 128 bytes alike: only the bytes before the offset
 * tell), ~ for 127 bytes.
 */
static const struct refill_case {
	const char *name, *old, *refill;
	bool poll;
	size_t first;	/* the number of want[0] */
	const char *want[4];
} refill_cases[] = {
	{"new first bytes", "one\ntwo\n",
	    "fifth line, longer than all before\nsixth\n", false, 1,
	    {"fifth line, longer than all before", "sixth"}},
	{"new first bytes, polled", "one\ntwo\n",
	    "fifth line, longer than all before\nsixth\n", true, 1,
	    {"fifth line, longer than all before", "sixth"}},
	{"same header", "@\none\ntwo\n",
	    "@\nthree, a line longer than all before\nfour\n", false, 1,
	    {"@", "three, a line longer than all before", "four"}},
	{"same header, polled", "@\none\ntwo\n",
	    "@\nthree, a line longer than all before\nfour\n", true, 1,
	    {"@", "three, a line longer than all before", "four"}},
	{"same header, unfinished line", "@\none\ntw",
	    "@\nthree, a line longer than all before\n", false, 1,
	    {"@", "three, a line longer than all before"}},
	/* the limit (reader.h BUGS): the same bytes at both marks, so the
	 * file is taken for the same one and read on from the offset */
	{"same marks", "~\nmiddle\n~\n", "~\nMIDDLE\n~\nnext\n",
	    false, 4, {"next"}},
};

/* s of refill_cases with the header line for @ and 127 bytes for ~ */
static const char *
refill_text(const char *s, char *out, size_t size)
{
	struct buf b = BUF_INIT;

	for (; *s; s++) {
		if (*s == '@') {
			buf_add(&b, "#Fields: ", 9);
			for (int i = 9; i < 150; i++)
				buf_addc(&b, 'f');
		} else if (*s == '~') {
			for (int i = 0; i < 127; i++)
				buf_addc(&b, 'y');
		} else {
			buf_addc(&b, *s);
		}
	}
	ck_assert_uint_lt(b.len, size);
	memcpy(out, b.s, b.len + 1);
	buf_release(&b);
	return out;
}

START_TEST(follow_refill)
{
	const struct refill_case *c = &refill_cases[_i];
	char old[512], refill[512], want[512];
	const char *path;
	struct strview line;

	refill_text(c->old, old, sizeof(old));
	path = write_plain("mail.log", old, strlen(old));

	rd = reader_open(path);
	ck_assert_ptr_nonnull(rd);
	ck_assert_int_eq(reader_follow(rd), true);
	while (reader_next(rd, &line) == 1)
		;
	ck_assert_msg(!reader_poll(rd), "%s: more to read", c->name);
	append(path, refill_text(c->refill, refill, sizeof(refill)), true);
	if (c->poll)
		ck_assert_msg(reader_poll(rd), "%s: the cut not seen",
		    c->name);
	for (size_t i = 0; i < ARRAY_SIZE(c->want) && c->want[i]; i++) {
		refill_text(c->want[i], want, sizeof(want));
		ck_assert_msg(reader_next(rd, &line) == 1,
		    "%s: got no line, want '%s'", c->name, want);
		ck_assert_msg(sv_eq(line, want) &&
		    reader_lineno(rd) == c->first + i,
		    "%s: got '%.*s' as line %zu, want '%s' as line %zu",
		    c->name, (int)line.len, line.p, reader_lineno(rd), want,
		    c->first + i);
	}
	expect_none();
	ck_assert_msg(!reader_poll(rd), "%s: more to read at the end",
	    c->name);
	ck_assert_int_eq(reader_failed(rd), false);
}
END_TEST

/* Only a plain file given by name can be followed. */
START_TEST(follow_refused)
{
	const char *gz = write_gzip("mail.log.gz", "one\n", 4);
	int saved = dup(STDIN_FILENO);
	int fd = open(write_plain("in.log", "one\n", 4), O_RDONLY);

	rd = reader_open(gz);
	ck_assert_ptr_nonnull(rd);
	ck_assert_int_eq(reader_follow(rd), false);
	ck_assert_int_eq(reader_poll(rd), false);
	reader_close(rd);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(dup2(fd, STDIN_FILENO), STDIN_FILENO);
	close(fd);
	rd = reader_open("-");
	dup2(saved, STDIN_FILENO);
	close(saved);
	ck_assert_ptr_nonnull(rd);
	ck_assert_int_eq(reader_follow(rd), false);
}
END_TEST

static Suite *
reader_suite(void)
{
	Suite *s = suite_create("reader");
	TCase *tc;

	tc = tcase_create("lines");
	tcase_add_checked_fixture(tc, make_dir, remove_dir);
	tcase_add_loop_test(tc, read_lines, 0,
	    (int)(2 * ARRAY_SIZE(lines_cases)));
	tcase_add_loop_test(tc, many_lines, 0, 2);
	tcase_add_loop_test(tc, standard_input, 0, 2);
	suite_add_tcase(s, tc);

	tc = tcase_create("long");
	tcase_add_checked_fixture(tc, make_dir, remove_dir);
	tcase_add_loop_test(tc, long_line, 0,
	    (int)(2 * ARRAY_SIZE(long_lengths)));
	tcase_add_test(tc, two_long_lines);
	suite_add_tcase(s, tc);

	tc = tcase_create("damaged");
	tcase_add_checked_fixture(tc, make_dir, remove_dir);
	tcase_add_test(tc, truncated_gzip);
	tcase_add_test(tc, corrupt_gzip_crc);
	suite_add_tcase(s, tc);

	tc = tcase_create("open");
	tcase_add_checked_fixture(tc, make_dir, remove_dir);
	tcase_add_test(tc, open_missing);
	tcase_add_test(tc, open_directory);
	tcase_add_test(tc, mtime_of_file);
	suite_add_tcase(s, tc);

	tc = tcase_create("follow");
	tcase_add_checked_fixture(tc, make_dir, remove_dir);
	tcase_add_test(tc, follow_grow);
	tcase_add_test(tc, follow_rename);
	tcase_add_test(tc, follow_truncate);
	tcase_add_loop_test(tc, follow_refill, 0,
	    (int)ARRAY_SIZE(refill_cases));
	tcase_add_test(tc, follow_refused);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	const char *t = getenv("TMPDIR");
	SRunner *sr;
	int failed;

	snprintf(rootdir, sizeof(rootdir), "%s/check-reader-XXXXXX",
	    t && *t ? t : "/tmp");
	if (mkdtemp(rootdir) == NULL) {
		perror(rootdir);
		return EXIT_FAILURE;
	}
	sr = srunner_create(reader_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	rm_rf(rootdir);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
