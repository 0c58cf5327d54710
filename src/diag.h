/*
 * diag - the one way this program talks about problems.
 *
 * Every message has the form
 *
 *	smtplog-analyze: FILE:LINE[:COL]: SEVERITY: message
 *	smtplog-analyze: SEVERITY: message          (no location)
 *
 * Messages start lowercase, have no final period and quote their subject
 * in single quotes (git's rules). Errors and warnings are counted so that
 * main() can choose the exit status; diag_fatal() exits with status 2.
 * The file name and the message are written through esc_text() (escape.h),
 * exactly as the text reports write log text: C0, DEL, C1 and invalid
 * UTF-8 as \xNN, an ambiguous backslash doubled, since messages quote log
 * text, and log text is attacker-controlled.
 *
 * errno is the same after a diag call as before it, even when writing to
 * stderr fails, so a caller may report and then test errno:
 *
 *	if (fd < 0) {
 *		diag_error("cannot open '%s': %s", path, strerror(errno));
 *		if (errno == ENOENT)
 *			...
 */
#ifndef SLA_DIAG_H
#define SLA_DIAG_H

#include <stddef.h>

#include "util.h"

enum diag_severity {
	DIAG_WARNING,
	DIAG_ERROR,
};

void diag_at(enum diag_severity, const char *file, size_t line, size_t col,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
#define diag_error(...) diag_at(DIAG_ERROR, NULL, 0, 0, __VA_ARGS__)
#define diag_warning(...) diag_at(DIAG_WARNING, NULL, 0, 0, __VA_ARGS__)
_Noreturn void diag_fatal(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

unsigned diag_errors(void);
unsigned diag_warnings(void);
/* While on, messages are neither printed nor counted (a first look at a
 * file that is read properly later, when its problems are reported). */
void diag_mute(int on);

/*
 * A thread that does not print defers its messages to the one that does
 * (relay.h), so that they come out where a single thread would have said
 * them. While b is set (NULL: unset), the calling thread's messages are
 * appended to b, severity, place and text, neither printed nor counted;
 * diag_replay() prints and counts the messages of such bytes, in order,
 * as if they were said now. diag_fatal() is never deferred.
 */
void diag_defer(struct buf *b);
void diag_replay(const char *p, size_t len);

#endif
