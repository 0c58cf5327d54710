/*
 * reader - plain or gzip log files and standard input, one line at a time.
 *
 * A line is handed out as a view into the reader's buffer, without its
 * line end (LF or CRLF), and is valid until the next reader_next() call:
 * no allocation per line. Plain and gzip input go through the same path
 * (mail.log, mail.log.2.gz, and a gzip stream on stdin): gzip is
 * recognised by its magic bytes, not by the file name.
 *
 * Lines longer than READER_MAX_LINE bytes are cut there, with a warning;
 * the rest of that line is skipped, and reading goes on.
 *
 * DIAGNOSTICS: a file that cannot be opened, a directory, a read error and
 * a truncated or corrupt gzip stream are reported as errors naming the file
 * (and the line reached); reader_open() then returns NULL, or
 * reader_next() ends the file early. Nothing is ever written to the input.
 */
#ifndef SLA_READER_H
#define SLA_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "util.h"

#define READER_MAX_LINE 65536

struct reader;

/* "-" is standard input. */
struct reader *reader_open(const char *path);
/* 1 and a line, or 0 at the end of the input (or after an error). */
int reader_next(struct reader *, struct strview *line);
/* Number of the line last returned, from 1. */
size_t reader_lineno(const struct reader *);
const char *reader_name(const struct reader *);
/* The file's modification time; the current time for standard input. */
time_t reader_mtime(const struct reader *);
/* True when the input ended with an error (already reported). */
bool reader_failed(const struct reader *);
void reader_close(struct reader *);

#endif
