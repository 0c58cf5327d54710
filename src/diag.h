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
 * Control bytes in a message (C0, DEL, C1, invalid UTF-8) are escaped as
 * the text reports escape them (escape.h) before they reach the terminal,
 * since messages quote log text, and log text is attacker-controlled.
 */
#ifndef SLA_DIAG_H
#define SLA_DIAG_H

#include <stddef.h>

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
/* Warnings of one kind past this many are counted but not printed. */
void diag_set_quiet(int quiet);
/* While on, messages are neither printed nor counted (a first look at a
 * file that is read properly later, when its problems are reported). */
void diag_mute(int on);

#endif
