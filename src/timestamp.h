/*
 * timestamp - the time stamps of every log format we read.
 *
 * Shapes recognised (the pattern file's "ts" field holds one of them):
 *
 *	Jan 28 06:40:37              RFC 3164, day space- or zero-padded
 *	Jan 28 06:40:37.123          the same with a fraction
 *	2016-03-20T13:30:53.574978+01:00   RFC 3339
 *	2023-01-15T10:20:30+0100     journald short-iso (no colon)
 *	2020-06-20 01:32:57 +0200    Exim with log_timezone
 *	2022-04-14T00:16:57.566Z     UTC
 *	16/Mar/2021 18:24:42         Kerio
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

/*
 * Parse v into *out. Returns false, leaving *out unset, when v is not a
 * time stamp of a known shape or names an impossible date.
 */
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

/* Helpers shared with option parsing. */
int64_t ts_days_from_civil(int y, int m, int d);
void ts_civil_from_days(int64_t z, int *y, int *m, int *d);

#endif
