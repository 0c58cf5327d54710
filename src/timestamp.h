/*
 * timestamp - the time stamps of every log format we read.
 *
 * A pattern set says which formats its stamps (its "ts" field) use,
 * in the spirit of lnav's timestamp-format: a list of named formats,
 * read by hand-written fast paths, and strptime-like ones:
 *
 *	rfc3164   Jan 28 06:40:37, Jan  8 06:40:37.123 (year-less; the
 *	          day space- or zero-padded, an optional fraction)
 *	iso8601   2016-03-20T13:30:53.574978+01:00 (RFC 3339),
 *	          2023-01-15T10:20:30+0100, 2020-06-20 01:32:57 +0200,
 *	          2022-04-14T00:16:57.566Z, 2020-06-20 01:32:57 (no zone)
 *	'%d/%b/%Y %H:%M:%S'   16/Mar/2021 18:24:42
 *
 * A strptime-like format has %Y (4 digits), %m %d %H %M (2), %e (a day,
 * space-padded or not), %b (Jan..Dec), %S (2 digits and an optional
 * fraction after '.' or ','), %T (%H:%M:%S), %z (Z, +HH:MM or +HHMM,
 * after an optional space; optional) and %%; any other character stands
 * for itself. Without %Y the year is inferred as for rfc3164. What
 * follows the stamp is not read.
 *
 * A struct ts keeps the wall-clock time as written (microseconds since
 * 1970 as if it were UTC) and the offset when the log had one, so output
 * shows the time the admin sees in the log.
 *
 * Year-less stamps take their year from a struct ts_year kept per input
 * file: the file's modification year, one less when the first month lies
 * after the modification month, and one more each time the month goes
 * backwards (December -> January) while the file is read in order.
 */
#ifndef SLA_TIMESTAMP_H
#define SLA_TIMESTAMP_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "util.h"

#define TS_SET 1u
#define TS_OFFSET 2u	/* off is meaningful */
#define TS_ASSUMED 4u	/* off came from --tz, not from the log */

struct ts {
	int64_t us;	/* wall clock, microseconds since 1970-01-01 */
	int16_t off;	/* minutes east of UTC */
	uint8_t flags;
	uint8_t frac;	/* digits of fraction shown in the log, 0..6 */
};

/*
 * The years a stamp may name. A year-less stamp whose inferred year falls
 * outside them (a damaged log that turns the year thousands of times) is
 * refused, as is a stamp written with a year before 1970.
 */
#define TS_YEAR_MIN 1
#define TS_YEAR_MAX 9999

struct ts_year {
	int year;	/* year of the current line */
	int last_month;	/* 1..12, 0 before the first line */
	int mtime_year, mtime_month;
	bool fixed;	/* --year: no inference */
};

void ts_year_init(struct ts_year *, time_t mtime, int forced_year);

/* A time-stamp format, compiled. */
enum ts_fmt_kind {
	TSF_RFC3164,
	TSF_ISO8601,
	TSF_SPEC,	/* strptime-like */
};
struct ts_fmt {
	enum ts_fmt_kind kind;
	char *spec;	/* as written */
};
/* The formats a pattern set's stamps use, tried in order. */
struct ts_formats {
	struct ts_fmt *v;
	size_t n;
};

/*
 * Compile spec ("rfc3164", "iso8601" or a strptime-like format) into
 * *out; false with a message in err when it is none of them. Release it
 * with ts_fmt_release().
 */
bool ts_fmt_compile(const char *spec, struct ts_fmt *out, char *err,
    size_t errsz);
void ts_fmt_release(struct ts_fmt *);

/*
 * Parse v into *out with the first of fs's formats that reads it (fs
 * NULL or empty: rfc3164, then iso8601). Returns false, leaving *out
 * unset, when none reads it or it names an impossible date.
 * ts_parse() is ts_parse_with(NULL, ...).
 */
bool ts_parse_with(const struct ts_formats *fs, struct strview v,
    struct ts_year *, struct ts *out);
bool ts_parse(struct strview v, struct ts_year *, struct ts *out);

/*
 * --tz: "UTC", "Z", "+01:00", "-0530" or a zone name such as
 * "Europe/Berlin". Returns false for a value it cannot use.
 */
bool ts_set_default_zone(const char *);
/* Give a zone-less stamp the --tz offset, when one was set. */
void ts_apply_default_zone(struct ts *);
/*
 * The offset (minutes east of UTC) at the instant utc_us (UTC
 * microseconds) of the --tz zone when one was set (then true), else of
 * the local zone (false): for sources that give an instant, not a wall
 * time (the systemd journal).
 */
bool ts_zone_offset(int64_t utc_us, int *off);

/* Microseconds since the epoch in UTC (wall time when the zone is unknown). */
int64_t ts_utc(const struct ts *);

/* ISO 8601, e.g. 2026-11-21T06:40:37 or 2026-11-21T06:40:37.5+01:00. */
#define TS_BUFSZ 40
char *ts_format(const struct ts *, char buf[TS_BUFSZ]);

/*
 * ts_format() for a writer of many stamps in order (a JSON report: two a
 * session): the text of the last stamp up to its minute
 * ("2026-11-21T06:40:") is kept, so that a stamp of the same minute costs
 * its seconds, fraction and offset. The text is ts_format()'s, byte for
 * byte. Zeroed (TS_CACHE_INIT) a cache is empty; it holds no memory.
 * For one thread.
 */
struct ts_cache {
	bool set;	/* prefix holds the text of minute */
	int64_t minute;	/* the wall clock's seconds / 60, rounded down */
	char prefix[17];	/* "YYYY-MM-DDTHH:MM:" */
};
#define TS_CACHE_INIT {false, 0, ""}
char *ts_format_cached(struct ts_cache *, const struct ts *,
    char buf[TS_BUFSZ]);

/* Helpers shared with option parsing. */
int64_t ts_days_from_civil(int y, int m, int d);
void ts_civil_from_days(int64_t z, int *y, int *m, int *d);

#endif
