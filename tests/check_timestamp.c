/*
 * check_timestamp - unit tests for timestamp.h.
 *
 * Expected instants are given as seconds since the epoch worked out
 * outside this code (date -u -d ... +%s) or with libc's timegm(), never
 * with the module's own calendar functions. Nothing depends on today's
 * date: year-less stamps get their year from a fixed --year or from a
 * fixed modification time, and TZ is pinned to UTC before the tests run.
 *
 * The --tz state is global to the process; the zone tests come last so
 * that, with CK_FORK=no, they cannot change what the others see.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "timestamp.h"

#define US 1000000LL

static struct strview
sv(const char *s)
{
	struct strview v = {s, strlen(s)};

	return v;
}

/* --- shapes ------------------------------------------------------------- */

/*
 * The formats the shipped pattern sets declare (timestamp-format), in one
 * list: the shape cases below are read with it.
 */
static struct ts_fmt shipped_v[3];
static struct ts_formats shipped = {shipped_v, 3};

static void
shipped_compile(void)
{
	static const char *const specs[] = {"rfc3164", "iso8601",
	    "%d/%b/%Y %H:%M:%S"};
	char err[200];

	for (size_t i = 0; i < 3; i++)
		if (shipped_v[i].spec == NULL)
			ck_assert_msg(ts_fmt_compile(specs[i], &shipped_v[i],
			    err, sizeof(err)), "'%s': %s", specs[i], err);
}

struct shape_case {
	const char *in;
	long long secs;		/* wall clock as if UTC */
	int us;
	int frac;
	bool has_off;
	int off;
	const char *fmt;	/* ts_format() */
};

static const struct shape_case shapes[] = {
	/* RFC 3164, year 2026 from --year */
	{"Jan 28 06:40:37", 1769582437, 0, 0, false, 0, "2026-01-28T06:40:37"},
	{"Jan  8 06:40:37", 1767854437, 0, 0, false, 0, "2026-01-08T06:40:37"},
	{"Jan 08 06:40:37", 1767854437, 0, 0, false, 0, "2026-01-08T06:40:37"},
	{"Jan 28 06:40:37.123", 1769582437, 123000, 3, false, 0,
	    "2026-01-28T06:40:37.123"},
	{"Jan 28 06:40:37.5", 1769582437, 500000, 1, false, 0,
	    "2026-01-28T06:40:37.5"},
	{"Jan 28 06:40:37.000001", 1769582437, 1, 6, false, 0,
	    "2026-01-28T06:40:37.000001"},
	{"Jan 28 06:40:37.1234567", 1769582437, 123456, 6, false, 0,
	    "2026-01-28T06:40:37.123456"},
	{"Nov 23 09:17:18", 1795425438, 0, 0, false, 0, "2026-11-23T09:17:18"},
	/* RFC 3339 */
	{"2016-03-20T13:30:53.574978+01:00", 1458480653, 574978, 6, true, 60,
	    "2016-03-20T13:30:53.574978+01:00"},
	{"2016-03-20T13:30:53-05:30", 1458480653, 0, 0, true, -330,
	    "2016-03-20T13:30:53-05:30"},
	{"2016-03-20T13:30:53+00:00", 1458480653, 0, 0, true, 0,
	    "2016-03-20T13:30:53Z"},
	{"2016-03-20T13:30:53", 1458480653, 0, 0, false, 0,
	    "2016-03-20T13:30:53"},
	/* journald short-iso */
	{"2023-01-15T10:20:30+0100", 1673778030, 0, 0, true, 60,
	    "2023-01-15T10:20:30+01:00"},
	/* Exim with log_timezone */
	{"2020-06-20 01:32:57 +0200", 1592616777, 0, 0, true, 120,
	    "2020-06-20T01:32:57+02:00"},
	{"2020-06-20 01:32:57", 1592616777, 0, 0, false, 0,
	    "2020-06-20T01:32:57"},
	/* UTC */
	{"2022-04-14T00:16:57.566Z", 1649895417, 566000, 3, true, 0,
	    "2022-04-14T00:16:57.566Z"},
	/* '%d/%b/%Y %H:%M:%S' (Kerio) */
	{"16/Mar/2021 18:24:42", 1615919082, 0, 0, false, 0,
	    "2021-03-16T18:24:42"},
	/* a leap day that exists */
	{"2024-02-29T12:00:00", 1709208000, 0, 0, false, 0,
	    "2024-02-29T12:00:00"},
	{"29/Feb/2024 12:00:00", 1709208000, 0, 0, false, 0,
	    "2024-02-29T12:00:00"},
};

START_TEST(parse_shapes)
{
	const struct shape_case *c = &shapes[_i];
	struct ts_year yr;
	struct ts t;
	char buf[TS_BUFSZ];
	long long want_us = c->secs * US + c->us;

	shipped_compile();
	ts_year_init(&yr, 1795435200 /* 2026-11-23 */, 2026);
	ck_assert_msg(ts_parse_with(&shipped, sv(c->in), &yr, &t),
	    "'%s': refused", c->in);
	ck_assert_msg(t.flags & TS_SET, "'%s': TS_SET not set", c->in);
	ck_assert_msg(t.us == want_us, "'%s': got %lld us, want %lld", c->in,
	    (long long)t.us, want_us);
	ck_assert_msg(t.frac == c->frac, "'%s': frac got %d, want %d", c->in,
	    t.frac, c->frac);
	ck_assert_msg(!!(t.flags & TS_OFFSET) == c->has_off,
	    "'%s': TS_OFFSET got %d, want %d", c->in, !!(t.flags & TS_OFFSET),
	    c->has_off);
	ck_assert_msg(!(t.flags & TS_ASSUMED), "'%s': TS_ASSUMED without --tz",
	    c->in);
	if (c->has_off) {
		ck_assert_msg(t.off == c->off, "'%s': off got %d, want %d",
		    c->in, t.off, c->off);
		ck_assert_msg(ts_utc(&t) == want_us - c->off * 60 * US,
		    "'%s': ts_utc got %lld, want %lld", c->in,
		    (long long)ts_utc(&t), want_us - c->off * 60 * US);
	} else {
		ck_assert_msg(ts_utc(&t) == want_us,
		    "'%s': ts_utc got %lld, want %lld (wall)", c->in,
		    (long long)ts_utc(&t), want_us);
	}
	ts_format(&t, buf);
	ck_assert_msg(strcmp(buf, c->fmt) == 0, "'%s': got '%s', want '%s'",
	    c->in, buf, c->fmt);
}
END_TEST

/* Not time stamps, or impossible dates. */
static const char *const invalid[] = {
	"",
	"garbage",
	"garbage that is long enough",
	"12345678",
	"Foo 12 10:00:00",
	"jan 28 06:40:37",
	"Feb 30 10:00:00",
	"Feb 29 10:00:00",	/* 2026 is no leap year */
	"Apr 31 10:00:00",
	"Jan 32 06:40:37",
	"Jan 00 06:40:37",
	"Jan 28 25:00:00",
	"Jan 28 06:60:00",
	"Jan 28 06:40",
	"Jan 28 6:40:37",
	"Jan 28 06:40:3x",
	"2021-02-30T10:00:00",
	"2021-13-01T10:00:00",
	"2021-00-10T10:00:00",
	"2021-04-31 10:00:00",
	"2021-06-20T24:00:00",
	"2021-06-20X10:00:00",
	"2021-6-20T10:00:00Z",
	"2021-06-20T01:32:57+01",
	"2021-06-20T01:32:57 +02",
	"30/Feb/2021 10:00:00",
	"16/Foo/2021 18:24:42",
	"16/mar/2021 18:24:42",
	"16/Mar/21 18:24:42 ",
};

/*
 * Stamps in a row, as a log has them: those of one minute are read from
 * the seconds on (timestamp.c's iso_last); each must read as alone.
 */
START_TEST(iso_same_minute)
{
	static const struct {
		const char *in;
		bool ok;
		long long secs;
		int us, frac, off;
	} v[] = {
		{"2026-12-01 04:52:20.771 +0000", true, 1796100740, 771000, 3,
		    0},
		{"2026-12-01 04:52:21.005 +0000", true, 1796100741, 5000, 3, 0},
		{"2026-12-01 04:52:59", true, 1796100779, 0, 0, -1},
		{"2026-12-01 04:52:61", false, 0, 0, 0, 0},
		{"2026-12-01 04:52:7 +0000", false, 0, 0, 0, 0},
		{"2026-12-01 04:52-07 +0000", false, 0, 0, 0, 0},
		{"2026-12-01 04:52:07+01:00", true, 1796100727, 0, 0, 60},
		{"2026-12-01 04:52:07+25:00", false, 0, 0, 0, 0},
		{"2026-12-01T04:52:08Z", true, 1796100728, 0, 0, 0},
		{"2026-12-01 04:53:00.5", true, 1796100780, 500000, 1, -1},
		{"2026-02-29 04:53:00", false, 0, 0, 0, 0},
		{"2026-02-29 04:53:01", false, 0, 0, 0, 0},
		{"2026-12-01 04:53:01", true, 1796100781, 0, 0, -1},
	};
	struct ts_year yr;
	struct ts t;

	ts_year_init(&yr, 1795435200, 2026);
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		bool ok = ts_parse(sv(v[i].in), &yr, &t);

		ck_assert_msg(ok == v[i].ok, "'%s': %s", v[i].in,
		    ok ? "accepted" : "refused");
		if (!ok) {
			ck_assert(!(t.flags & TS_SET));
			continue;
		}
		ck_assert_msg(t.us == v[i].secs * US + v[i].us,
		    "'%s': got %lld us", v[i].in, (long long)t.us);
		ck_assert_int_eq(t.frac, v[i].frac);
		ck_assert_int_eq(!!(t.flags & TS_OFFSET), v[i].off >= 0);
		if (v[i].off >= 0)
			ck_assert_int_eq(t.off, v[i].off);
		ck_assert_int_eq(yr.last_month,
		    (v[i].in[5] - '0') * 10 + v[i].in[6] - '0');
	}
}
END_TEST

START_TEST(parse_invalid)
{
	const char *in = invalid[_i];
	struct ts_year yr;
	struct ts t;

	shipped_compile();
	ts_year_init(&yr, 1795435200, 2026);
	memset(&t, 0xa5, sizeof(t));
	ck_assert_msg(!ts_parse_with(&shipped, sv(in), &yr, &t),
	    "'%s': accepted as %lld us", in, (long long)t.us);
	ck_assert_msg(!(t.flags & TS_SET), "'%s': refused but TS_SET", in);
}
END_TEST

/*
 * A format decides: each stamp read with its format gives its instant,
 * and is refused by the default formats (rfc3164, iso8601) and by the
 * other cases' formats. "a day-first date" fails if the C reads stamps
 * by shapes of its own instead of the declared format.
 */
static const struct {
	const char *name, *spec, *in;
	long long secs;
	int us;
	bool has_off;
	int off;
} specs[] = {
	{"a day-first date", "%d.%m.%Y %H:%M:%S", "23.11.2026 09:17:18",
	    1795425438, 0, false, 0},
	{"%T and %z", "[%Y/%m/%d %T %z]", "[2026/11/23 09:17:18 -0130]",
	    1795425438, 0, true, -90},
	{"year-less, %e, a fraction", "%e-%b %T", " 3-Nov 09:17:18,25",
	    1793697438, 250000, false, 0},
	{"%%", "%Y%m%d %H%M %% x", "20261123 0917 % x", 1795425420, 0,
	    false, 0},
};

START_TEST(parse_spec)
{
	struct ts_fmt f[ARRAY_SIZE(specs)];
	struct ts_formats one = {NULL, 1};
	struct ts_year yr;
	struct ts t;
	char err[200];

	for (size_t i = 0; i < ARRAY_SIZE(specs); i++)
		ck_assert_msg(ts_fmt_compile(specs[i].spec, &f[i], err,
		    sizeof(err)), "%s: '%s': %s", specs[i].name, specs[i].spec,
		    err);
	ts_year_init(&yr, 1795435200, 2026);
	one.v = &f[_i];
	ck_assert_msg(ts_parse_with(&one, sv(specs[_i].in), &yr, &t),
	    "%s: '%s' refused by '%s'", specs[_i].name, specs[_i].in,
	    specs[_i].spec);
	ck_assert_msg(t.us == specs[_i].secs * US + specs[_i].us,
	    "%s: got %lld us, want %lld", specs[_i].name, (long long)t.us,
	    specs[_i].secs * US + specs[_i].us);
	ck_assert_msg(!!(t.flags & TS_OFFSET) == specs[_i].has_off &&
	    (!specs[_i].has_off || t.off == specs[_i].off),
	    "%s: offset %d (flag %d), want %d", specs[_i].name, t.off,
	    !!(t.flags & TS_OFFSET), specs[_i].off);
	ck_assert_msg(!ts_parse(sv(specs[_i].in), &yr, &t),
	    "%s: '%s' read without its format", specs[_i].name,
	    specs[_i].in);
	for (size_t i = 0; i < ARRAY_SIZE(specs); i++) {
		one.v = &f[i];
		ck_assert_msg(i == (size_t)_i ||
		    !ts_parse_with(&one, sv(specs[_i].in), &yr, &t),
		    "%s: '%s' read by '%s'", specs[_i].name, specs[_i].in,
		    specs[i].spec);
	}
	for (size_t i = 0; i < ARRAY_SIZE(specs); i++)
		ts_fmt_release(&f[i]);
}
END_TEST

/* Formats refused, and what the message says. */
static const struct {
	const char *spec, *want;
} bad_specs[] = {
	{"kerio", "neither a named time-stamp format"},
	{"%Y-%m-%d %H:%M:%q", "'%q' is not a conversion"},
	{"%H:%M:%S", "reads a month"},
	{"%d %H:%M", "reads a month"},
	{"%b %d", "an hour"},
	{"%b %d %H:%M %", "'%' is not a conversion"},
};

START_TEST(compile_bad)
{
	struct ts_fmt f;
	char err[200] = "";

	ck_assert_msg(!ts_fmt_compile(bad_specs[_i].spec, &f, err,
	    sizeof(err)), "'%s': accepted", bad_specs[_i].spec);
	ck_assert_msg(strstr(err, bad_specs[_i].want) != NULL,
	    "'%s': got '%s', want '%s'", bad_specs[_i].spec, err,
	    bad_specs[_i].want);
}
END_TEST

START_TEST(parse_null_view)
{
	struct strview v = {NULL, 0};
	struct ts t;

	ck_assert_int_eq(ts_parse(v, NULL, &t), false);
	ck_assert_uint_eq(t.flags & TS_SET, 0);
}
END_TEST

/* --- year inference ---------------------------------------------------- */

struct year_step {
	const char *in;
	int y, m, d;	/* the date it must get */
};

struct year_case {
	const char *name;
	const char *mtime;	/* "YYYY-MM-DD", noon UTC */
	int forced;
	struct year_step steps[8];
};

static const struct year_case years[] = {
	{"same month as mtime", "2026-11-23", 0, {
	    {"Nov 23 09:17:18", 2026, 11, 23},
	    {"Nov 23 09:17:19", 2026, 11, 23}}},
	{"earlier month than mtime", "2026-06-15", 0, {
	    {"Mar  1 00:00:00", 2026, 3, 1},
	    {"Apr  1 00:00:00", 2026, 4, 1},
	    {"Jun 15 11:00:00", 2026, 6, 15}}},
	{"first month after mtime month: previous year", "2026-11-23", 0, {
	    {"Dec 30 10:00:00", 2025, 12, 30},
	    {"Dec 31 23:59:59", 2025, 12, 31},
	    {"Jan  1 00:00:00", 2026, 1, 1},
	    {"Jun  1 00:00:00", 2026, 6, 1},
	    {"Nov 23 08:00:00", 2026, 11, 23}}},
	{"December to January within a file", "2027-01-05", 0, {
	    {"Dec 30 10:00:00", 2026, 12, 30},
	    {"Dec 31 23:59:59", 2026, 12, 31},
	    {"Jan  1 00:00:01", 2027, 1, 1},
	    {"Jan  2 08:00:00", 2027, 1, 2}}},
	{"a stray older line after the turn", "2027-01-05", 0, {
	    {"Dec 31 23:59:59", 2026, 12, 31},
	    {"Jan  1 00:00:01", 2027, 1, 1},
	    {"Dec 31 23:59:58", 2026, 12, 31},
	    {"Jan  1 00:00:02", 2027, 1, 1}}},
	{"leap day from mtime year", "2024-03-10", 0, {
	    {"Feb 29 12:00:00", 2024, 2, 29}}},
	{"--year fixed, whatever the mtime", "2026-11-23", 2020, {
	    {"Dec 31 10:00:00", 2020, 12, 31},
	    {"Nov 23 09:17:18", 2020, 11, 23}}},
	{"--year is the first line's; the turn still counts", "2026-03-01",
	    2020, {
	    {"Dec 31 23:59:59", 2020, 12, 31},
	    {"Jan  1 00:00:00", 2021, 1, 1},
	    {"Feb 28 00:00:00", 2021, 2, 28}}},
	{"--year of a leap year", "2026-11-23", 2024, {
	    {"Feb 29 12:00:00", 2024, 2, 29}}},
	/* stamps that carry a year are not inferred, and do not disturb */
	{"RFC 3339 between RFC 3164 lines", "2026-11-23", 0, {
	    {"Nov 23 09:17:18", 2026, 11, 23},
	    {"2026-11-23T09:17:19+01:00", 2026, 11, 23},
	    {"Nov 23 09:17:20", 2026, 11, 23}}},
};

static time_t
noon_utc(const char *ymd)
{
	struct tm tm = {0};

	ck_assert_int_eq(sscanf(ymd, "%d-%d-%d", &tm.tm_year, &tm.tm_mon,
	    &tm.tm_mday), 3);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	tm.tm_hour = 12;
	return timegm(&tm);
}

START_TEST(year_inference)
{
	const struct year_case *c = &years[_i];
	struct ts_year yr;

	ts_year_init(&yr, noon_utc(c->mtime), c->forced);
	for (size_t i = 0; i < ARRAY_SIZE(c->steps) && c->steps[i].in; i++) {
		const struct year_step *st = &c->steps[i];
		struct ts t;
		struct tm tm = {0};
		time_t secs;
		int h = 0, mi = 0, s = 0;
		const char *clock = strchr(st->in, ':') - 2;

		ck_assert_msg(ts_parse(sv(st->in), &yr, &t),
		    "%s: step %zu '%s': refused", c->name, i + 1, st->in);
		ck_assert_int_eq(sscanf(clock, "%d:%d:%d", &h, &mi, &s), 3);
		tm.tm_year = st->y - 1900;
		tm.tm_mon = st->m - 1;
		tm.tm_mday = st->d;
		tm.tm_hour = h;
		tm.tm_min = mi;
		tm.tm_sec = s;
		secs = timegm(&tm);
		ck_assert_msg(t.us == (long long)secs * US,
		    "%s: step %zu '%s': got %lld, want %04d-%02d-%02d "
		    "(%lld)", c->name, i + 1, st->in, (long long)t.us / US,
		    st->y, st->m, st->d, (long long)secs);
	}
}
END_TEST

/* Without a struct ts_year a year-less stamp still parses. */
START_TEST(no_year_state)
{
	struct ts t;

	ck_assert_int_eq(ts_parse(sv("2022-04-14T00:16:57.566Z"), NULL, &t),
	    true);
	ck_assert_int_eq(t.us, 1649895417LL * US + 566000);
	ck_assert_int_eq(ts_parse(sv("Mar  1 00:00:00"), NULL, &t), true);
	ck_assert_uint_eq(t.flags & TS_SET, TS_SET);
}
END_TEST

/* --- ts_format ---------------------------------------------------------- */

struct fmt_case {
	long long us;
	int off;
	unsigned flags;
	int frac;
	const char *want;
};

static const struct fmt_case fmts[] = {
	{1795425438LL * US, 0, TS_SET, 0, "2026-11-23T09:17:18"},
	{1795425438LL * US + 500000, 0, TS_SET, 1, "2026-11-23T09:17:18.5"},
	{1795425438LL * US + 120000, 0, TS_SET, 3, "2026-11-23T09:17:18.120"},
	{1795425438LL * US + 1, 0, TS_SET, 6, "2026-11-23T09:17:18.000001"},
	{1795425438LL * US + 999999, 0, TS_SET, 6,
	    "2026-11-23T09:17:18.999999"},
	/* no fraction shown when the log had none */
	{1795425438LL * US + 500000, 0, TS_SET, 0, "2026-11-23T09:17:18"},
	{1795425438LL * US, 60, TS_SET | TS_OFFSET, 0,
	    "2026-11-23T09:17:18+01:00"},
	{1795425438LL * US, -330, TS_SET | TS_OFFSET, 0,
	    "2026-11-23T09:17:18-05:30"},
	{1795425438LL * US, 345, TS_SET | TS_OFFSET, 0,
	    "2026-11-23T09:17:18+05:45"},
	{1795425438LL * US + 5000, -600, TS_SET | TS_OFFSET, 4,
	    "2026-11-23T09:17:18.0050-10:00"},
	{1795425438LL * US, 0, TS_SET | TS_OFFSET, 0, "2026-11-23T09:17:18Z"},
	{1795425438LL * US, 0, TS_SET | TS_OFFSET | TS_ASSUMED, 0,
	    "2026-11-23T09:17:18+00:00"},
	{0, 0, TS_SET, 0, "1970-01-01T00:00:00"},
	{-500000, 0, TS_SET, 1, "1969-12-31T23:59:59.5"},
	{951868800LL * US - 1, 0, TS_SET, 6, "2000-02-29T23:59:59.999999"},
	{253402300799LL * US + 999999, -1439, TS_SET | TS_OFFSET, 6,
	    "9999-12-31T23:59:59.999999-23:59"},
	/* unset: empty */
	{1795425438LL * US, 0, 0, 0, ""},
	/* the edges of the digit-by-digit path and what it hands to printf */
	{-62167219200LL * US, 0, TS_SET, 0, "0000-01-01T00:00:00"},
	{-62167219200LL * US - 1, 0, TS_SET, 6,
	    "-001-12-31T23:59:59.999999"},
	{253402300800LL * US, 0, TS_SET, 0, "10000-01-01T00:00:00"},
	{0, 5999, TS_SET | TS_OFFSET, 0, "1970-01-01T00:00:00+99:59"},
	{0, 6000, TS_SET | TS_OFFSET, 0, "1970-01-01T00:00:00+100:00"},
	{0, -32768, TS_SET | TS_OFFSET, 0, "1970-01-01T00:00:00-546:08"},
	{123456, 0, TS_SET, 9, "1970-01-01T00:00:00.123456"},
	{123456, 0, TS_SET | TS_OFFSET | TS_ASSUMED, 2,
	    "1970-01-01T00:00:00.12+00:00"},
};

START_TEST(format)
{
	const struct fmt_case *c = &fmts[_i];
	struct ts t = {.us = c->us, .off = (int16_t)c->off,
	    .flags = (uint8_t)c->flags, .frac = (uint8_t)c->frac};
	char buf[TS_BUFSZ];
	char *ret;

	memset(buf, 'X', sizeof(buf));
	ret = ts_format(&t, buf);
	ck_assert_ptr_eq(ret, buf);
	ck_assert_msg(strcmp(buf, c->want) == 0,
	    "%lld us, off %d, flags %u, frac %d: got '%s', want '%s'", c->us,
	    c->off, c->flags, c->frac, buf, c->want);
}
END_TEST

/* ts_format() as it was written with snprintf(), the reference below */
static void
format_printf(const struct ts *t, char *buf, size_t sz)
{
	long long secs = t->us / US, sod;
	int us = (int)(t->us % US), y, m, d, n, off = abs(t->off);
	char f[8];

	if (us < 0) {
		us += (int)US;
		secs--;
	}
	sod = ((secs % 86400) + 86400) % 86400;
	ts_civil_from_days((secs - sod) / 86400, &y, &m, &d);
	n = snprintf(buf, sz, "%04d-%02d-%02dT%02d:%02d:%02d", y, m, d,
	    (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60));
	snprintf(f, sizeof(f), "%06d", us);
	if (t->frac > 0)
		n += snprintf(buf + n, sz - (size_t)n, ".%.*s", t->frac, f);
	if ((t->flags & TS_OFFSET) && t->off == 0 && !(t->flags & TS_ASSUMED))
		snprintf(buf + n, sz - (size_t)n, "Z");
	else if (t->flags & TS_OFFSET)
		snprintf(buf + n, sz - (size_t)n, "%c%02d:%02d",
		    t->off < 0 ? '-' : '+', off / 60, off % 60);
}

/*
 * Pseudo-random stamps from about year -50 to 10050, fractions of 0 to
 * 7 digits, offsets of either sign up to the most an int16_t holds.
 */
START_TEST(format_like_printf)
{
	uint64_t x = 88172645463325252u;
	long long lo = -63745056000LL * US, span = 319298400000LL * US;

	for (int r = 0; r < 300000; r++) {
		struct ts t;
		char got[TS_BUFSZ], want[64];

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		t.us = lo + (long long)(x % (uint64_t)span);
		t.off = (int16_t)((int)(x >> 40 & (r % 3 ? 0xfff : 0xffff)) -
		    (r % 3 ? 0x800 : 0x8000));
		t.flags = (uint8_t)(TS_SET | (x >> 20 & 1 ? TS_OFFSET : 0) |
		    (x >> 21 & 1 ? TS_ASSUMED : 0));
		t.frac = (uint8_t)(x >> 24 & 7);
		if (r % 5 == 0)
			t.off = 0;
		format_printf(&t, want, sizeof(want));
		ts_format(&t, got);
		ck_assert_msg(strcmp(got, want) == 0, "%lld us, off %d, flags "
		    "%u, frac %u: got '%s', want '%s'", (long long)t.us, t.off,
		    t.flags, t.frac, got, want);
	}
}
END_TEST

/* ts_format_cached() of t gives ts_format()'s text, in its buffer. */
static void
cached_as_plain(struct ts_cache *c, const struct ts *t)
{
	char got[TS_BUFSZ], want[TS_BUFSZ];

	ts_format(t, want);
	ck_assert_ptr_eq(ts_format_cached(c, t, got), got);
	ck_assert_msg(strcmp(got, want) == 0, "%lld us, off %d, flags %u, "
	    "frac %u: got '%s', want '%s'", (long long)t->us, t->off,
	    t->flags, t->frac, got, want);
}

/*
 * The cached text of a minute over runs of stamps in order across the
 * end of a minute, hour, day, month, leap February and year, 1970 and
 * the edges of the years ts_format() writes digit by digit; each stamp
 * with an offset, fraction and flags of its own, as a log whose zone
 * changes (summer time) has in one minute; and a cache shared by
 * stamps in no order at all, unset ones and printf()'s among them.
 */
START_TEST(format_cached)
{
	static const long long starts[] = {
		1795425438LL,	/* 2026-11-23T09:17:18 */
		1798761540LL - 3600,	/* 2026-12-31T23:59:00 - 1h */
		1709164800LL - 600,	/* 2024-02-29T00:00:00 - 10min */
		1709251200LL - 600,	/* 2024-03-01 */
		-600, 951868800LL - 600,	/* 1970, 2000-02-29 */
		-62167219200LL - 300,	/* 0000-01-01: printf before */
		253402300800LL - 300,	/* 10000-01-01: printf after */
	};
	static const int offs[] = {0, 60, -330, 120, 5999, 6000, -6000};
	struct ts_cache c = TS_CACHE_INIT;
	uint64_t x = 88172645463325252u;
	struct ts t = {0};

	for (size_t i = 0; i < ARRAY_SIZE(starts); i++)
		for (long long k = 0; k < 7200; k += 1 + k % 13) {
			t.us = (starts[i] + k) * US + (k * 7919) % 1000000;
			t.off = (int16_t)offs[k % 7];
			t.flags = (uint8_t)(TS_SET | (k % 3 ? TS_OFFSET : 0) |
			    (k % 5 ? 0 : TS_ASSUMED));
			t.frac = (uint8_t)(k % 8);
			cached_as_plain(&c, &t);
		}
	for (int r = 0; r < 100000; r++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		/* near the last stamp most of the time, else anywhere */
		t.us = r % 4 ? t.us + (long long)(x % (200 * US)) :
		    -63745056000LL * US + (long long)(x % (319298400000ULL *
		    US));
		t.off = (int16_t)((int)(x >> 40 & 0xffff) - 0x8000);
		if (r % 3)
			t.off = (int16_t)(t.off % 1440);
		t.flags = (uint8_t)((r % 11 ? TS_SET : 0) |
		    (x >> 20 & 1 ? TS_OFFSET : 0) |
		    (x >> 21 & 1 ? TS_ASSUMED : 0));
		t.frac = (uint8_t)(x >> 24 & 7);
		cached_as_plain(&c, &t);
	}
}
END_TEST

/* --- calendar helpers ---------------------------------------------------- */

START_TEST(civil_days)
{
	struct {
		int y, m, d;
		long long days;
	} known[] = {
		{1970, 1, 1, 0},
		{1969, 12, 31, -1},
		{2000, 3, 1, 951868800 / 86400},
		{2026, 11, 23, 1795392000 / 86400},
		{2024, 2, 29, 1709208000 / 86400},
	};

	for (size_t i = 0; i < ARRAY_SIZE(known); i++) {
		int y, m, d;
		long long got = ts_days_from_civil(known[i].y, known[i].m,
		    known[i].d);

		ck_assert_msg(got == known[i].days,
		    "%04d-%02d-%02d: got day %lld, want %lld", known[i].y,
		    known[i].m, known[i].d, got, known[i].days);
		ts_civil_from_days(known[i].days, &y, &m, &d);
		ck_assert_msg(y == known[i].y && m == known[i].m &&
		    d == known[i].d, "day %lld: got %04d-%02d-%02d, want "
		    "%04d-%02d-%02d", known[i].days, y, m, d, known[i].y,
		    known[i].m, known[i].d);
	}
	/* every day from 1900 to 2200 against timegm() */
	for (long long z = -25567; z < 84006; z++) {
		int y, m, d;
		struct tm tm = {0};

		ts_civil_from_days(z, &y, &m, &d);
		tm.tm_year = y - 1900;
		tm.tm_mon = m - 1;
		tm.tm_mday = d;
		ck_assert_msg((long long)timegm(&tm) == z * 86400,
		    "day %lld: %04d-%02d-%02d is day %lld", z, y, m, d,
		    (long long)timegm(&tm) / 86400);
		ck_assert_int_eq(ts_days_from_civil(y, m, d), z);
	}
}
END_TEST

/* --- hostile year state (issue 11, item 4) ------------------------------- */

/*
 * The year of every stamp accepted stays within TS_YEAR_MIN..TS_YEAR_MAX,
 * whatever order of months a damaged log gives: the wall clock then fits
 * 64 bits and prints with a four-digit year. Checked without the module's
 * calendar: the bounds are 0001-01-01 and 9999-12-31 as timegm() says.
 */
static void
check_year_range(const char *what, const struct ts *t, unsigned long step)
{
	struct tm lo = {.tm_year = 1 - 1900, .tm_mday = 1};
	struct tm hi = {.tm_year = 9999 - 1900, .tm_mon = 11, .tm_mday = 31,
	    .tm_hour = 23, .tm_min = 59, .tm_sec = 59};
	long long min = (long long)timegm(&lo) * US;
	long long max = (long long)timegm(&hi) * US + US - 1;
	char buf[TS_BUFSZ];

	ts_format(t, buf);
	ck_assert_msg(t->us >= min && t->us <= max && strlen(buf) == 19 &&
	    buf[4] == '-', "%s, step %lu: got %lld us ('%s'), want a year "
	    "from 1 to 9999", what, step, (long long)t->us, buf);
}

/* Months that turn the year forwards (Dec -> Feb) every third line; the
 * leap day is the stamp that escaped the range check. */
static const char *const year_up[] = {
	"Feb 29 00:00:00", "Jun 10 00:00:00", "Dec 10 00:00:00",
};
/* ... and backwards (a stray older line after the turn), 5 times in 11. */
static const char *const year_down[] = {
	"Jan 10 00:00:00", "Aug 10 00:00:00", "Feb 10 00:00:00",
	"Sep 10 00:00:00", "Mar 10 00:00:00", "Oct 10 00:00:00",
	"Apr 10 00:00:00", "Nov 10 00:00:00", "May 10 00:00:00",
	"Dec 10 00:00:00", "Jun 10 00:00:00",
};

static void
year_flood(const char *what, const char *const *cycle, size_t n,
    unsigned long lines, int forced)
{
	struct ts_year yr;
	unsigned long accepted = 0, refused = 0;

	ts_year_init(&yr, 1795435200, forced);
	for (unsigned long i = 0; i < lines; i++) {
		struct ts t;

		if (!ts_parse(sv(cycle[i % n]), &yr, &t)) {
			refused++;
			continue;
		}
		accepted++;
		check_year_range(what, &t, i);
	}
	/* the year runs out of range long before the end: those stamps are
	 * refused, the early ones accepted */
	ck_assert_msg(accepted > 1000 && refused > 1000,
	    "%s: %lu accepted, %lu refused; want both", what, accepted,
	    refused);
}

/* 300,000 turns of the year: past 292,277, where 64 bits of us end. */
START_TEST(year_flood_forwards)
{
	year_flood("forwards from the mtime", year_up, ARRAY_SIZE(year_up),
	    900000, 0);
	year_flood("forwards from --year", year_up, ARRAY_SIZE(year_up),
	    900000, 2026);
}
END_TEST

START_TEST(year_flood_backwards)
{
	year_flood("backwards", year_down, ARRAY_SIZE(year_down), 1400000, 0);
}
END_TEST

/* A leap day is no exception to the range (it was checked on its own). */
START_TEST(leap_day_out_of_range)
{
	static const int bad_years[] = {10400, 12000, 40000, 2000000};
	struct ts_year yr;
	struct ts t;

	for (size_t i = 0; i < ARRAY_SIZE(bad_years); i++) {
		ts_year_init(&yr, 1795435200, bad_years[i]);
		memset(&t, 0, sizeof(t));
		ck_assert_msg(!ts_parse(sv("Feb 29 12:00:00"), &yr, &t),
		    "year %d: Feb 29 accepted as %lld us", bad_years[i],
		    (long long)t.us);
	}
	/* the ordinary leap day still is one */
	ts_year_init(&yr, 1795435200, 2024);
	ck_assert_int_eq(ts_parse(sv("Feb 29 12:00:00"), &yr, &t), true);
	check_year_range("2024-02-29", &t, 0);
}
END_TEST

/* A modification time that struct tm cannot hold. */
START_TEST(mtime_out_of_range)
{
	struct ts_year yr;
	struct ts t;

	ts_year_init(&yr, (time_t)INT64_MAX, 0);
	if (ts_parse(sv("Nov 23 09:17:18"), &yr, &t))
		check_year_range("mtime INT64_MAX", &t, 0);
}
END_TEST

/* An offset no zone has is not one. */
START_TEST(zone_out_of_range)
{
	struct ts t;

	ck_assert_int_eq(ts_parse(sv("2021-06-20T01:32:57+99:99"), NULL, &t),
	    false);
	ck_assert_int_eq(ts_parse(sv("2021-06-20T01:32:57+24:00"), NULL, &t),
	    false);
	ck_assert_int_eq(ts_parse(sv("2021-06-20T01:32:57-00:60"), NULL, &t),
	    false);
	ck_assert_int_eq(ts_parse(sv("2021-06-20T01:32:57+14:00"), NULL, &t),
	    true);
	ck_assert_int_eq(t.off, 14 * 60);
}
END_TEST

/* --- --tz (last: the zone is process state) ------------------------------- */

struct zone_case {
	const char *zone;
	int off;
};

static const struct zone_case zones[] = {
	{"+01:00", 60},
	{"-0530", -330},
	{"+0000", 0},
	{"UTC", 0},
	{"Z", 0},
};

START_TEST(default_zone)
{
	const struct zone_case *c = &zones[_i];
	struct ts_year yr;
	struct ts t;
	char buf[TS_BUFSZ], want[TS_BUFSZ];

	ck_assert_msg(ts_set_default_zone(c->zone), "'%s': refused", c->zone);
	ts_year_init(&yr, 1795435200, 2026);

	/* a zone-less stamp gets it, marked as assumed */
	ck_assert_int_eq(ts_parse(sv("Nov 23 09:17:18"), &yr, &t), true);
	ck_assert_msg((t.flags & (TS_OFFSET | TS_ASSUMED)) ==
	    (TS_OFFSET | TS_ASSUMED), "'%s': flags got %u", c->zone, t.flags);
	ck_assert_msg(t.off == c->off, "'%s': off got %d, want %d", c->zone,
	    t.off, c->off);
	ck_assert_msg(t.us == 1795425438LL * US,
	    "'%s': the wall clock changed: %lld", c->zone, (long long)t.us);
	ck_assert_msg(ts_utc(&t) == (1795425438LL - c->off * 60) * US,
	    "'%s': ts_utc got %lld, want %lld", c->zone,
	    (long long)ts_utc(&t), (1795425438LL - c->off * 60) * US);
	snprintf(want, sizeof(want), "2026-11-23T09:17:18%c%02d:%02d",
	    c->off < 0 ? '-' : '+', abs(c->off) / 60, abs(c->off) % 60);
	ck_assert_msg(strcmp(ts_format(&t, buf), want) == 0,
	    "'%s': got '%s', want '%s'", c->zone, buf, want);

	/* a stamp with its own offset keeps it */
	ck_assert_int_eq(ts_parse(sv("2016-03-20T13:30:53+02:00"), &yr, &t),
	    true);
	ck_assert_msg(t.off == 120 && !(t.flags & TS_ASSUMED),
	    "'%s': own offset: got off %d flags %u, want 120, not assumed",
	    c->zone, t.off, t.flags);
	ck_assert_int_eq(ts_parse(sv("2022-04-14T00:16:57Z"), &yr, &t), true);
	ck_assert_msg(t.off == 0 && !(t.flags & TS_ASSUMED),
	    "'%s': Z: got off %d flags %u", c->zone, t.off, t.flags);

	/* ts_apply_default_zone on a hand-made stamp */
	memset(&t, 0, sizeof(t));
	t.us = 1795425438LL * US;
	t.flags = TS_SET;
	ts_apply_default_zone(&t);
	ck_assert_msg(t.off == c->off && (t.flags & TS_ASSUMED),
	    "'%s': apply: got off %d flags %u", c->zone, t.off, t.flags);
	/* not on one that has an offset, nor on an unset one */
	memset(&t, 0, sizeof(t));
	t.flags = TS_SET | TS_OFFSET;
	t.off = 600;
	ts_apply_default_zone(&t);
	ck_assert_msg(t.off == 600 && !(t.flags & TS_ASSUMED),
	    "'%s': apply changed an offset: got %d", c->zone, t.off);
	memset(&t, 0, sizeof(t));
	ts_apply_default_zone(&t);
	ck_assert_msg(t.flags == 0, "'%s': apply on an unset stamp: flags %u",
	    c->zone, t.flags);
}
END_TEST

static const char *const bad_zones[] = {
	"", "+1", "+01:0", "+01:00x", "+0100 ", "-", "+ab:cd", "X", "ab",
};

START_TEST(default_zone_invalid)
{
	const char *z = bad_zones[_i];

	ck_assert_msg(!ts_set_default_zone(z), "'%s': accepted", z);
}
END_TEST

/* Before any --tz, zone-less stamps stay zone-less (see parse_shapes);
 * a refused --tz leaves the one set before in place. */
START_TEST(default_zone_refused_keeps_previous)
{
	struct ts t;

	ck_assert_int_eq(ts_set_default_zone("+02:00"), true);
	ck_assert_int_eq(ts_set_default_zone("+2"), false);
	ck_assert_int_eq(ts_parse(sv("2020-06-20 01:32:57"), NULL, &t), true);
	ck_assert_msg(t.off == 120 && (t.flags & TS_ASSUMED),
	    "got off %d flags %u, want 120 assumed", t.off, t.flags);
}
END_TEST

/* A zone name: the offset follows daylight saving time. */
START_TEST(default_zone_name)
{
	struct ts t;

	if (access("/usr/share/zoneinfo/Europe/Berlin", R_OK) != 0)
		return;	/* no tz database here */
	ck_assert_int_eq(ts_set_default_zone("Europe/Berlin"), true);
	ck_assert_int_eq(ts_parse(sv("2026-01-15 12:00:00"), NULL, &t), true);
	ck_assert_msg(t.off == 60 && (t.flags & TS_ASSUMED),
	    "January in Berlin: got off %d flags %u, want 60", t.off,
	    t.flags);
	ck_assert_int_eq(ts_parse(sv("2026-07-15 12:00:00"), NULL, &t), true);
	ck_assert_msg(t.off == 120, "July in Berlin: got off %d, want 120",
	    t.off);
}
END_TEST

/* A second --tz zone name replaces the first, for every time stamp. */
START_TEST(default_zone_name_change)
{
	struct ts t;

	if (access("/usr/share/zoneinfo/Europe/Berlin", R_OK) != 0 ||
	    access("/usr/share/zoneinfo/America/New_York", R_OK) != 0)
		return;	/* no tz database here */
	ck_assert_int_eq(ts_set_default_zone("Europe/Berlin"), true);
	ck_assert_int_eq(ts_parse(sv("2026-01-15 12:00:00"), NULL, &t), true);
	ck_assert_msg(t.off == 60, "Berlin: got off %d, want 60", t.off);
	ck_assert_int_eq(ts_set_default_zone("America/New_York"), true);
	ck_assert_int_eq(ts_parse(sv("2026-01-15 12:00:00"), NULL, &t), true);
	ck_assert_msg(t.off == -300, "New York after Berlin, same hour: got "
	    "off %d, want -300", t.off);
	ck_assert_int_eq(ts_set_default_zone("+01:00"), true);
	ck_assert_int_eq(ts_parse(sv("2026-01-15 12:00:00"), NULL, &t), true);
	ck_assert_msg(t.off == 60, "+01:00 after a name: got off %d, want 60",
	    t.off);
}
END_TEST

static Suite *
timestamp_suite(void)
{
	Suite *s = suite_create("timestamp");
	TCase *tc;

	tc = tcase_create("parse");
	tcase_add_loop_test(tc, parse_shapes, 0, (int)ARRAY_SIZE(shapes));
	tcase_add_loop_test(tc, parse_invalid, 0, (int)ARRAY_SIZE(invalid));
	tcase_add_test(tc, iso_same_minute);
	tcase_add_test(tc, parse_null_view);
	tcase_add_loop_test(tc, parse_spec, 0, (int)ARRAY_SIZE(specs));
	tcase_add_loop_test(tc, compile_bad, 0, (int)ARRAY_SIZE(bad_specs));
	suite_add_tcase(s, tc);

	tc = tcase_create("year");
	tcase_add_loop_test(tc, year_inference, 0, (int)ARRAY_SIZE(years));
	tcase_add_test(tc, no_year_state);
	suite_add_tcase(s, tc);

	tc = tcase_create("hostile");
	tcase_add_test(tc, year_flood_forwards);
	tcase_add_test(tc, year_flood_backwards);
	tcase_add_test(tc, leap_day_out_of_range);
	tcase_add_test(tc, mtime_out_of_range);
	tcase_add_test(tc, zone_out_of_range);
	suite_add_tcase(s, tc);

	tc = tcase_create("format");
	tcase_add_loop_test(tc, format, 0, (int)ARRAY_SIZE(fmts));
	tcase_add_test(tc, format_like_printf);
	tcase_add_test(tc, format_cached);
	tcase_add_test(tc, civil_days);
	suite_add_tcase(s, tc);

	tc = tcase_create("zone");
	tcase_add_loop_test(tc, default_zone_invalid, 0,
	    (int)ARRAY_SIZE(bad_zones));
	tcase_add_loop_test(tc, default_zone, 0, (int)ARRAY_SIZE(zones));
	tcase_add_test(tc, default_zone_refused_keeps_previous);
	tcase_add_test(tc, default_zone_name);
	tcase_add_test(tc, default_zone_name_change);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	/* ts_year_init() reads the mtime in local time: make that UTC */
	setenv("TZ", "UTC", 1);
	tzset();
	sr = srunner_create(timestamp_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
