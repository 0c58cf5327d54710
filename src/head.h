/*
 * head - a syslog line head read without a regex.
 *
 * Every line of a syslog file starts with the same few fields, and a
 * prefix regex that reads them with alternatives and named groups was the
 * single most expensive piece of code per line. A prefix in a pattern file
 * may say that its regex reads a syslog head of this shape:
 *
 *	STAMP +HOST +PROGRAM/DAEMON[PID]: [SEVERITY: ]
 *
 * with STAMP an RFC 3164 stamp ("Nov 23 09:13:46", "Nov  3 ...", an
 * optional fraction) or an RFC 3339 one ("2026-11-23T09:13:46.123+01:00",
 * a space for the T, Z or +hh[:]mm optional), PROGRAM starting with the
 * prefix's "program" text, DAEMON the last '/' component of the tag, and
 * SEVERITY one of the prefix's "severities". Then head_read() reads such a
 * line; the regex stays the definition: it reads every line head_read()
 * declines, and the loader refuses a head that reads any of the prefix's
 * samples otherwise than the regex does (tests compare them on every line
 * of the sample logs too).
 *
 * A prefix with "shape: dated" reads a head of the other common shape,
 * a log file a server writes itself:
 *
 *	DATE TIME[.fff][ +zzzz] [[PID] ][ID ]
 *
 * with DATE "2026-11-23", TIME "12:20:30", a fraction of exactly three
 * digits, a numeric zone, and ID one of the prefix's "id" shapes: groups
 * of letters and digits of the given lengths joined by '-' ("6-6-2" reads
 * "1xVT26-0002rA-2J"). It gives the fields ts, pid and queue.
 */
#ifndef SLA_HEAD_H
#define SLA_HEAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"
#include "vocab.h"

enum head_shape {
	HEAD_SYSLOG,	/* STAMP HOST PROGRAM/DAEMON[PID]: */
	HEAD_DATED,	/* DATE TIME[.fff][ +zzzz] [[PID] ][ID ] */
};

#define HEAD_ID_GROUPS 4	/* at most, in an "id" shape */

/* An "id" shape: n groups of letters and digits, of these lengths. */
struct head_id {
	size_t n;
	size_t len[HEAD_ID_GROUPS];
};

struct head {
	enum head_shape shape;
	struct head_id *ids;	/* HEAD_DATED: the ID shapes */
	size_t nids;
	char *program;	/* the tag starts with this */
	size_t program_len;
	char **severities;
	size_t *severity_len;
	size_t nseverities;
	unsigned char severity_first[32];	/* the bytes they start with */
};

/*
 * Read the head of s[0..n). True with the fields ts, host, program, daemon,
 * pid and (when present) severity set in fv (F__COUNT views, a struct
 * match's f) and their bits in *has, or for HEAD_DATED ts and, when
 * present, pid and queue, and *off at the message; false, and fv and
 * *has unchanged, when the line is not in the shape.
 */
bool head_read(const struct head *, const char *s, size_t n,
    struct strview *fv, uint64_t *has, size_t *off);

#endif
