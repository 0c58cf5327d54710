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
 * Follow mode (reader_follow(), for --follow) tails a growing plain file:
 * the end of the file only means "no more for now". reader_next() then
 * returns 0 but keeps a last line that has no newline yet, and
 * reader_poll() notices when logrotate has replaced the file or cut it:
 *
 *	rename and create   once the new file under the name is written to,
 *	                    the old one is read to its end, its unfinished
 *	                    last line handed out as it stands, then the new
 *	                    file is read from its start
 *	copytruncate        the file is shorter than the offset read, or
 *	                    its first 128 bytes or the 128 before that
 *	                    offset are no longer those read: it is read
 *	                    again from its start, and an unfinished line
 *	                    held is dropped; checked at each poll and after
 *	                    each read, before any byte of it is handed out,
 *	                    so a file cut and refilled beyond the offset
 *	                    between two polls, or during a read, is never
 *	                    read on from the middle of a line
 *
 * Line numbers start again from 1 in either case. While the name is
 * missing (between the rename and the create), the old file is followed.
 *
 * DIAGNOSTICS: a file that cannot be opened, a directory, a device (one
 * that is not a terminal or /dev/null: /dev/zero would never end), a read
 * error, a truncated or corrupt gzip stream and 64 MiB without a line end
 * are reported as errors naming the file (and the line reached);
 * reader_open() then returns NULL, or reader_next() ends the file early.
 * Nothing is ever written to the input.
 *
 * BUGS: in follow mode, lines written to the renamed file after the new
 * one got its first line are not read (a server does not do that). A file
 * cut and refilled past the offset read with the same bytes at both marks
 * (its first 128, and the 128 before that offset) is taken for the same
 * file, as nothing else tells (copytruncate keeps the inode): it is read
 * on from the offset, so the new file's lines before it are not read, and
 * none is read twice. Lines of the old file that a read meeting the cut
 * brought in are dropped with it (they are in the copy), and lines
 * written between the copy and the cut are lost to every reader, as
 * logrotate(8) says.
 */
#ifndef SLA_READER_H
#define SLA_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "util.h"

#define READER_MAX_LINE 65536

struct reader;

/* "-" is standard input. */
struct reader *reader_open(const char *path);
/* 1 and a line, or 0 at the end of the input (or after an error). */
int reader_next(struct reader *, struct strview *line);
/*
 * The next n bytes (n <= READER_MAX_LINE) as they are, newlines and all,
 * for a length-prefixed field inside a line-based format (the journal
 * export format's binary fields): 1 and a view valid until the next call,
 * or 0 when the input ends first (what was left is consumed). Line
 * numbers do not count the newlines inside.
 */
int reader_bytes(struct reader *, size_t n, struct strview *out);
/* Number of the line last returned, from 1. */
size_t reader_lineno(const struct reader *);
/*
 * Where the line last returned starts in the file, when the file can be
 * read there again (a plain regular file, not followed): its first
 * bytes up to the line's length are the line. -1 for gzip, standard
 * input, pipes and --follow.
 */
int64_t reader_offset(const struct reader *);
const char *reader_name(const struct reader *);
/* The file's modification time; the current time for standard input. */
time_t reader_mtime(const struct reader *);
/*
 * Follow a plain file (not gzip, not standard input) as it grows; false,
 * and nothing changed, when the input is not one.
 */
bool reader_follow(struct reader *);
/*
 * Follow mode, after reader_next() returned 0: true when there may be more
 * to read at once (the file grew, was rotated or cut), false to wait.
 */
bool reader_poll(struct reader *);
/* True when the input ended with an error (already reported). */
bool reader_failed(const struct reader *);
void reader_close(struct reader *);

#endif
