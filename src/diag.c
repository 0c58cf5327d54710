/*
 * diag - see diag.h.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "escape.h"

static unsigned nerrors, nwarnings;
static int muted;	/* diag_mute(): neither printed nor counted */
static _Thread_local struct buf *deferred;	/* diag_defer() */

/* A deferred message in its buffer: this, then file and text, each
 * NUL-terminated (file only when has_file). */
struct deferred_head {
	size_t line, col, msg_len, file_len;
	unsigned char sev, has_file;
};

/* The text reports' escaper: C0, DEL, C1 and invalid UTF-8 as \xNN. */
static void
put_escaped(const char *s)
{
	esc_text(stderr, s, strlen(s));
}

static void
vdiag(const char *sev, const char *file, size_t line, size_t col,
    const char *fmt, va_list ap)
{
	char msg[2048];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	fputs(PACKAGE_NAME ": ", stderr);
	if (file != NULL) {
		put_escaped(file);
		if (line > 0)
			fprintf(stderr, ":%zu", line);
		if (col > 0)
			fprintf(stderr, ":%zu", col);
		fputs(": ", stderr);
	}
	if (sev != NULL)
		fprintf(stderr, "%s: ", sev);
	put_escaped(msg);
	fputc('\n', stderr);
}

static void
defer(enum diag_severity sev, const char *file, size_t line, size_t col,
    const char *fmt, va_list ap)
{
	char msg[2048];
	struct deferred_head h = {line, col, 0, 0, (unsigned char)sev,
	    file != NULL};

	vsnprintf(msg, sizeof(msg), fmt, ap);
	h.msg_len = strlen(msg);
	h.file_len = file ? strlen(file) : 0;
	buf_add(deferred, (const char *)&h, sizeof(h));
	if (file)
		buf_add(deferred, file, h.file_len + 1);
	buf_add(deferred, msg, h.msg_len + 1);
}

static void
count(enum diag_severity sev)
{
	if (sev == DIAG_ERROR)
		nerrors++;
	else
		nwarnings++;
}

void
diag_at(enum diag_severity sev, const char *file, size_t line, size_t col,
    const char *fmt, ...)
{
	va_list ap;
	int saved = errno;	/* the caller's, for after the message */

	if (muted)
		return;
	if (deferred) {
		va_start(ap, fmt);
		defer(sev, file, line, col, fmt, ap);
		va_end(ap);
		errno = saved;
		return;
	}
	count(sev);
	va_start(ap, fmt);
	vdiag(sev == DIAG_ERROR ? "error" : "warning", file, line, col, fmt,
	    ap);
	va_end(ap);
	errno = saved;
}

/* vdiag() with a fixed text */
static void
say(const char *sev, const char *file, size_t line, size_t col,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(sev, file, line, col, fmt, ap);
	va_end(ap);
}

void
diag_defer(struct buf *b)
{
	deferred = b;
}

void
diag_replay(const char *p, size_t len)
{
	const char *end = p + len;
	struct deferred_head h;

	while ((size_t)(end - p) >= sizeof(h)) {
		const char *file = NULL;

		memcpy(&h, p, sizeof(h));
		p += sizeof(h);
		if (h.has_file) {
			file = p;
			p += h.file_len + 1;
		}
		count((enum diag_severity)h.sev);
		say(h.sev == DIAG_ERROR ? "error" : "warning", file, h.line,
		    h.col, "%s", p);
		p += h.msg_len + 1;
	}
}

void
diag_fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag("fatal", NULL, 0, 0, fmt, ap);
	va_end(ap);
	exit(2);
}

unsigned
diag_errors(void)
{
	return nerrors;
}

unsigned
diag_warnings(void)
{
	return nwarnings;
}

void
diag_mute(int on)
{
	muted = on;
}
