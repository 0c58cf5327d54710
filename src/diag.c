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

void
diag_at(enum diag_severity sev, const char *file, size_t line, size_t col,
    const char *fmt, ...)
{
	va_list ap;
	int saved = errno;	/* the caller's, for after the message */

	if (muted)
		return;
	if (sev == DIAG_ERROR)
		nerrors++;
	else
		nwarnings++;
	va_start(ap, fmt);
	vdiag(sev == DIAG_ERROR ? "error" : "warning", file, line, col, fmt,
	    ap);
	va_end(ap);
	errno = saved;
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
