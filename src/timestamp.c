/*
 * timestamp - see timestamp.h.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timestamp.h"

static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

static bool zone_is_fixed;
static bool zone_set;
/* The offset of the last local hour looked up, for a zone name. */
static int64_t cache_hour = INT64_MIN;
static int cache_off;
static int zone_fixed_off;	/* minutes */

int64_t
ts_days_from_civil(int y, int m, int d)
{
	/* Howard Hinnant's algorithm. */
	int64_t yy = y - (m <= 2);
	int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
	int64_t yoe = yy - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

void
ts_civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

void
ts_year_init(struct ts_year *y, time_t mtime, int forced_year)
{
	struct tm tm;

	memset(y, 0, sizeof(*y));
	/* a modification time past what struct tm holds: 1970 */
	if (localtime_r(&mtime, &tm) == NULL) {
		memset(&tm, 0, sizeof(tm));
		tm.tm_year = 70;
	}
	y->mtime_year = tm.tm_year + 1900;
	y->mtime_month = tm.tm_mon + 1;
	if (forced_year > 0) {
		y->year = forced_year;
		y->fixed = true;
	}
}

static int
month_of(const char *p)
{
	for (int i = 0; i < 12; i++)
		if (memcmp(months + 3 * i, p, 3) == 0)
			return i + 1;
	return 0;
}

/* Read exactly n digits at *p. */
static bool
digits(const char **p, const char *end, int n, int *out)
{
	int v = 0;

	if (end - *p < n)
		return false;
	for (int i = 0; i < n; i++) {
		char c = (*p)[i];

		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (c - '0');
	}
	*p += n;
	*out = v;
	return true;
}

static bool
expect(const char **p, const char *end, char c)
{
	if (*p >= end || **p != c)
		return false;
	(*p)++;
	return true;
}

/* SS[.frac] or SS[,frac]: seconds (60: a leap second) and a fraction */
static bool
clock_seconds(const char **p, const char *end, int *s, int *us,
    int *fdigits)
{
	*us = 0;
	*fdigits = 0;
	if (!digits(p, end, 2, s))
		return false;
	if (*p < end && (**p == '.' || **p == ',')) {
		int scale = 100000;

		(*p)++;
		while (*p < end && **p >= '0' && **p <= '9') {
			if (*fdigits < 6) {
				*us += (**p - '0') * scale;
				scale /= 10;
				(*fdigits)++;
			}
			(*p)++;
		}
	}
	return *s < 61;
}

/* HH:MM:SS[.frac] */
static bool
clock_part(const char **p, const char *end, int *h, int *mi, int *s,
    int *us, int *fdigits)
{
	if (!digits(p, end, 2, h) || !expect(p, end, ':') ||
	    !digits(p, end, 2, mi) || !expect(p, end, ':') ||
	    !clock_seconds(p, end, s, us, fdigits))
		return false;
	return *h < 24 && *mi < 60;
}

/* Z, +HH:MM, +HHMM, with an optional space before the sign. */
static bool
zone_part(const char **p, const char *end, struct ts *out)
{
	const char *q = *p;
	int hh, mm, sign;

	if (q < end && *q == 'Z') {
		out->off = 0;
		out->flags |= TS_OFFSET;
		*p = q + 1;
		return true;
	}
	if (q < end && *q == ' ')
		q++;
	if (q >= end || (*q != '+' && *q != '-'))
		return true; /* no zone */
	sign = *q == '-' ? -1 : 1;
	q++;
	if (!digits(&q, end, 2, &hh))
		return true;
	if (q < end && *q == ':')
		q++;
	if (!digits(&q, end, 2, &mm) || hh > 23 || mm > 59)
		return false;
	out->off = (int16_t)(sign * (hh * 60 + mm));
	out->flags |= TS_OFFSET;
	*p = q;
	return true;
}

/* Does y-m-d exist in the proleptic Gregorian calendar? */
static bool
date_exists(int y, int m, int d)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31};

	if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return false;
	if (m == 2 && d == 29)
		return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return true;
}

/* A date written with its year: 1970 to 9999. */
static bool
valid_date(int y, int m, int d)
{
	return y >= 1970 && y <= TS_YEAR_MAX && date_exists(y, m, d);
}

static void
set_time(struct ts *out, int y, int m, int d, int h, int mi, int s, int us,
    int fdigits)
{
	out->us = ((ts_days_from_civil(y, m, d) * 86400 + h * 3600 + mi * 60 +
	    s) * 1000000) + us;
	out->frac = (uint8_t)fdigits;
	out->flags |= TS_SET;
}

/*
 * The year of a year-less stamp. Each turn of the year moves it by one, so
 * a log can push it anywhere (a line in January after one in December, a
 * million times over): it is held within [TS_YEAR_MIN - 1, TS_YEAR_MAX +
 * 1], and ts_parse() refuses the stamps that fall outside the range, so
 * that no year can take the microsecond count past 64 bits.
 */
static int
infer_year(struct ts_year *yr, int month)
{
	if (yr->fixed) {
		if (yr->last_month && month < yr->last_month - 6)
			yr->year++;
	} else if (yr->last_month == 0) {
		yr->year = yr->mtime_year - (month > yr->mtime_month);
	} else if (month < yr->last_month - 6) {
		yr->year++;	/* December -> January */
	} else if (month > yr->last_month + 6) {
		yr->year--;	/* a stray older line after the turn */
	}
	if (yr->year < TS_YEAR_MIN - 1)
		yr->year = TS_YEAR_MIN - 1;
	else if (yr->year > TS_YEAR_MAX + 1)
		yr->year = TS_YEAR_MAX + 1;
	yr->last_month = month;
	return yr->year;
}

/* rfc3164: Mmm dd HH:MM:SS[.frac], the day space- or zero-padded */
static bool
parse_rfc3164(const char *p, const char *end, struct ts_year *yr,
    struct ts *out)
{
	int y, m, d, h, mi, s, us, fd;

	if (end - p < 14 || p[0] < 'A' || p[0] > 'Z')
		return false;
	m = month_of(p);
	if (m == 0 || p[3] != ' ')
		return false;
	p += 4;
	if (*p == ' ')
		p++;
	if (p < end && p[0] >= '0' && p[0] <= '9' &&
	    (p + 1 >= end || p[1] == ' ')) {
		d = p[0] - '0';
		p++;
	} else if (!digits(&p, end, 2, &d)) {
		return false;
	}
	if (!expect(&p, end, ' ') ||
	    !clock_part(&p, end, &h, &mi, &s, &us, &fd))
		return false;
	y = yr ? infer_year(yr, m) : 1970;
	/* an inferred year may lie before 1970 (a file from early January,
	 * a December line) */
	if (y < TS_YEAR_MIN || y > TS_YEAR_MAX || !date_exists(y, m, d))
		return false;
	set_time(out, y, m, d, h, mi, s, us, fd);
	return true;
}

/*
 * The last iso8601 stamp's first ISO_MINUTE bytes, "YYYY-MM-DD HH:MM",
 * read and found valid, and what they make: a log's stamps share them
 * for a minute, and only the seconds on are read again. One per thread.
 */
#define ISO_MINUTE 16

static _Thread_local struct {
	char text[ISO_MINUTE];
	int64_t us;	/* the minute's start */
	int month;
	bool ok;
} iso_last;

/* The rest of a stamp whose minute is iso_last's: seconds and zone. */
static bool
iso_same_minute(const char *p, const char *end, struct ts_year *yr,
    struct ts *out)
{
	int s, us, fd;

	p += ISO_MINUTE;
	if (!expect(&p, end, ':') || !clock_seconds(&p, end, &s, &us, &fd))
		return false;
	out->us = iso_last.us + (int64_t)s * 1000000 + us;
	out->frac = (uint8_t)fd;
	out->flags |= TS_SET;
	if (!zone_part(&p, end, out)) {
		memset(out, 0, sizeof(*out));
		return false;
	}
	if (yr)
		yr->last_month = iso_last.month;
	return true;
}

/* iso8601: YYYY-MM-DD(T| )HH:MM:SS[.frac][[ ]Z|+HH[:]MM] (RFC 3339) */
static bool
parse_iso8601(const char *p, const char *end, struct ts_year *yr,
    struct ts *out)
{
	const char *p0 = p;
	int y, m, d, h, mi, s, us, fd;

	if (end - p < 19 || p[4] != '-')
		return false;
	if (iso_last.ok && memcmp(p, iso_last.text, ISO_MINUTE) == 0)
		return iso_same_minute(p, end, yr, out);
	if (!digits(&p, end, 4, &y) || !expect(&p, end, '-') ||
	    !digits(&p, end, 2, &m) || !expect(&p, end, '-') ||
	    !digits(&p, end, 2, &d))
		return false;
	if (p >= end || (*p != 'T' && *p != ' '))
		return false;
	p++;
	if (!clock_part(&p, end, &h, &mi, &s, &us, &fd) ||
	    !valid_date(y, m, d))
		return false;
	set_time(out, y, m, d, h, mi, s, us, fd);
	if (!zone_part(&p, end, out)) {
		memset(out, 0, sizeof(*out));
		return false;
	}
	if (yr)
		yr->last_month = m;
	memcpy(iso_last.text, p0, ISO_MINUTE);
	iso_last.us = out->us - ((int64_t)s * 1000000 + us);
	iso_last.month = m;
	iso_last.ok = true;
	return true;
}

/* The fields a strptime-like format reads; -1: not given. */
struct tparts {
	int y, m, d, h, mi, s, us, fd;
};

/* One conversion of a format ('Y', 'b', ...) at *p. */
static bool
convert(char c, const char **p, const char *end, struct tparts *t,
    struct ts *out)
{
	switch (c) {
	case 'Y':
		return digits(p, end, 4, &t->y);
	case 'm':
		return digits(p, end, 2, &t->m);
	case 'd':
		return digits(p, end, 2, &t->d);
	case 'e':
		if (*p < end && **p == ' ')
			(*p)++;
		if (end - *p >= 2 && (*p)[1] >= '0' && (*p)[1] <= '9')
			return digits(p, end, 2, &t->d);
		return digits(p, end, 1, &t->d);
	case 'b':
		if (end - *p < 3 || (t->m = month_of(*p)) == 0)
			return false;
		*p += 3;
		return true;
	case 'H':
		return digits(p, end, 2, &t->h) && t->h < 24;
	case 'M':
		return digits(p, end, 2, &t->mi) && t->mi < 60;
	case 'S':
		return clock_seconds(p, end, &t->s, &t->us, &t->fd);
	case 'T':
		return convert('H', p, end, t, out) && expect(p, end, ':') &&
		    convert('M', p, end, t, out) && expect(p, end, ':') &&
		    convert('S', p, end, t, out);
	case 'z':
		return zone_part(p, end, out);
	case '%':
		return expect(p, end, '%');
	default:
		return false;
	}
}

/* A strptime-like format; what follows the stamp is not read. */
static bool
parse_spec(const char *spec, const char *p, const char *end,
    struct ts_year *yr, struct ts *out)
{
	struct tparts t = {-1, -1, -1, 0, 0, 0, 0, 0};
	struct ts zone = {0};
	int y;

	for (const char *f = spec; *f; f++) {
		if (*f == '%') {
			if (!convert(*++f, &p, end, &t, &zone))
				return false;
		} else if (!expect(&p, end, *f)) {
			return false;
		}
	}
	if (t.m < 0 || t.d < 0)
		return false;
	if (t.y >= 0) {
		if (!valid_date(t.y, t.m, t.d))
			return false;
		y = t.y;
	} else {
		y = yr ? infer_year(yr, t.m) : 1970;
		if (y < TS_YEAR_MIN || y > TS_YEAR_MAX ||
		    !date_exists(y, t.m, t.d))
			return false;
	}
	set_time(out, y, t.m, t.d, t.h, t.mi, t.s, t.us, t.fd);
	out->off = zone.off;
	out->flags |= zone.flags & TS_OFFSET;
	return true;
}

/* Does spec read a whole stamp: a month, a day and an hour, with known
 * conversions only? */
static bool
spec_ok(const char *spec, char *err, size_t errsz)
{
	bool m = false, d = false, h = false;

	for (const char *f = spec; *f; f++) {
		if (*f != '%')
			continue;
		f++;
		if (*f == '\0' || strchr("YmdebHMSTz%", *f) == NULL) {
			snprintf(err, errsz, "'%%%.1s' is not a conversion "
			    "of a time-stamp format (%%Y %%m %%d %%e %%b %%H "
			    "%%M %%S %%T %%z %%%%)", f);
			return false;
		}
		m |= *f == 'm' || *f == 'b';
		d |= *f == 'd' || *f == 'e';
		h |= *f == 'H' || *f == 'T';
	}
	if (!m || !d || !h) {
		snprintf(err, errsz, "a time-stamp format reads a month "
		    "(%%m or %%b), a day (%%d or %%e) and an hour (%%H or %%T)");
		return false;
	}
	return true;
}

bool
ts_fmt_compile(const char *spec, struct ts_fmt *out, char *err, size_t errsz)
{
	memset(out, 0, sizeof(*out));
	if (strcmp(spec, "rfc3164") == 0) {
		out->kind = TSF_RFC3164;
	} else if (strcmp(spec, "iso8601") == 0) {
		out->kind = TSF_ISO8601;
	} else if (strchr(spec, '%') == NULL) {
		snprintf(err, errsz, "'%s' is neither a named time-stamp "
		    "format (rfc3164, iso8601) nor a strptime-like one "
		    "('%%d/%%b/%%Y %%H:%%M:%%S')", spec);
		return false;
	} else if (!spec_ok(spec, err, errsz)) {
		return false;
	} else {
		out->kind = TSF_SPEC;
	}
	out->spec = xstrdup(spec);
	return true;
}

void
ts_fmt_release(struct ts_fmt *f)
{
	free(f->spec);
	f->spec = NULL;
}

static bool
parse_one(const struct ts_fmt *f, const char *p, const char *end,
    struct ts_year *yr, struct ts *out)
{
	memset(out, 0, sizeof(*out));
	switch (f->kind) {
	case TSF_RFC3164:
		return parse_rfc3164(p, end, yr, out);
	case TSF_ISO8601:
		return parse_iso8601(p, end, yr, out);
	default:
		return parse_spec(f->spec, p, end, yr, out);
	}
}

bool
ts_parse_with(const struct ts_formats *fs, struct strview v,
    struct ts_year *yr, struct ts *out)
{
	static const struct ts_fmt dflt[] = {{TSF_RFC3164, NULL},
	    {TSF_ISO8601, NULL}};
	const struct ts_fmt *f = fs && fs->n ? fs->v : dflt;
	size_t n = fs && fs->n ? fs->n : ARRAY_SIZE(dflt);

	memset(out, 0, sizeof(*out));
	if (v.p == NULL || v.len < 8)
		return false;
	for (size_t i = 0; i < n; i++)
		if (parse_one(&f[i], v.p, v.p + v.len, yr, out)) {
			ts_apply_default_zone(out);
			return true;
		}
	memset(out, 0, sizeof(*out));
	return false;
}

bool
ts_parse(struct strview v, struct ts_year *yr, struct ts *out)
{
	return ts_parse_with(NULL, v, yr, out);
}

bool
ts_set_default_zone(const char *z)
{
	struct ts t = {0};
	struct strview v;
	const char *p = z, *end;

	if (strcmp(z, "UTC") == 0 || strcmp(z, "Z") == 0 ||
	    strcmp(z, "GMT") == 0) {
		zone_is_fixed = zone_set = true;
		zone_fixed_off = 0;
		return true;
	}
	if (z[0] == '+' || z[0] == '-') {
		v.p = z;
		v.len = strlen(z);
		end = z + v.len;
		if (!zone_part(&p, end, &t) || p != end ||
		    !(t.flags & TS_OFFSET))
			return false;
		zone_is_fixed = zone_set = true;
		zone_fixed_off = t.off;
		return true;
	}
	/* A zone name: let the C library's tz database judge it. */
	if (strchr(z, '/') == NULL && strlen(z) < 3)
		return false;
	setenv("TZ", z, 1);
	tzset();
	cache_hour = INT64_MIN;
	zone_is_fixed = false;
	zone_set = true;
	return true;
}

void
ts_apply_default_zone(struct ts *t)
{
	int64_t secs, hour;

	if (!zone_set || !(t->flags & TS_SET) || (t->flags & TS_OFFSET))
		return;
	if (zone_is_fixed) {
		t->off = (int16_t)zone_fixed_off;
	} else {
		secs = t->us / 1000000;
		hour = secs / 3600;
		if (hour != cache_hour) {
			struct tm tm;
			time_t local;
			int y, m, d;

			ts_civil_from_days(secs / 86400, &y, &m, &d);
			memset(&tm, 0, sizeof(tm));
			tm.tm_year = y - 1900;
			tm.tm_mon = m - 1;
			tm.tm_mday = d;
			tm.tm_hour = (int)(secs % 86400 / 3600);
			tm.tm_isdst = -1;
			local = mktime(&tm);
			cache_off = (int)((hour * 3600 - (int64_t)local) / 60);
			cache_hour = hour;
		}
		t->off = (int16_t)cache_off;
	}
	t->flags |= TS_OFFSET | TS_ASSUMED;
}

bool
ts_zone_offset(int64_t utc_us, int *off)
{
	time_t secs = (time_t)(utc_us / 1000000 - (utc_us % 1000000 < 0));
	struct tm tm;

	if (zone_set && zone_is_fixed) {
		*off = zone_fixed_off;
		return true;
	}
	if (localtime_r(&secs, &tm) == NULL) {
		*off = 0;
		return zone_set;
	}
	*off = (int)(tm.tm_gmtoff / 60);
	return zone_set;
}

int64_t
ts_utc(const struct ts *t)
{
	if (t->flags & TS_OFFSET)
		return t->us - (int64_t)t->off * 60 * 1000000;
	return t->us;
}

/* n decimal digits of v, zero-padded, at p; returns p + n */
static char *
put_digits(char *p, unsigned v, int n)
{
	for (int k = n - 1; k >= 0; k--) {
		p[k] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + n;
}

/*
 * ts_format() by snprintf(), for what put_digits() does not cover: a year
 * outside 0..9999 or an offset of 100 hours or more, whose widths and
 * signs printf decides.
 */
static char *
ts_format_printf(const struct ts *t, char buf[TS_BUFSZ], int64_t secs,
    int us)
{
	int y, m, d, n;
	int64_t sod = ((secs % 86400) + 86400) % 86400;

	ts_civil_from_days((secs - sod) / 86400, &y, &m, &d);
	n = snprintf(buf, TS_BUFSZ, "%04d-%02d-%02dT%02d:%02d:%02d", y, m, d,
	    (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60));
	if (t->frac > 0) {
		char f[8];

		snprintf(f, sizeof(f), "%06d", us);
		n += snprintf(buf + n, TS_BUFSZ - (size_t)n, ".%.*s", t->frac,
		    f);
	}
	if (t->flags & TS_OFFSET) {
		int off = t->off < 0 ? -t->off : t->off;

		if (t->off == 0 && !(t->flags & TS_ASSUMED))
			snprintf(buf + n, TS_BUFSZ - (size_t)n, "Z");
		else
			snprintf(buf + n, TS_BUFSZ - (size_t)n,
			    "%c%02d:%02d", t->off < 0 ? '-' : '+', off / 60,
			    off % 60);
	}
	return buf;
}

/* The fraction and the offset of t after its seconds, at p; returns the
 * end. us is the microseconds in the second, off the offset's size. */
static char *
put_tail(char *p, const struct ts *t, int us, int off)
{
	static const unsigned scale[] = {1000000, 100000, 10000, 1000, 100,
	    10, 1};

	if (t->frac > 0) {
		/* the first frac of the 6 digits of us */
		int n = t->frac < 6 ? t->frac : 6;

		*p++ = '.';
		p = put_digits(p, (unsigned)us / scale[n], n);
	}
	if ((t->flags & TS_OFFSET) && t->off == 0 &&
	    !(t->flags & TS_ASSUMED)) {
		*p++ = 'Z';
	} else if (t->flags & TS_OFFSET) {
		*p++ = t->off < 0 ? '-' : '+';
		p = put_digits(p, (unsigned)(off / 60), 2);
		*p++ = ':';
		p = put_digits(p, (unsigned)(off % 60), 2);
	}
	return p;
}

/*
 * Digit by digit: this runs three times for every session of a JSON or
 * CSV report, where snprintf() cost more than the rest of the report.
 * The text is ts_format_printf()'s, byte for byte (check_timestamp.c
 * compares it with a printf() of its own for stamps over all years).
 */
char *
ts_format(const struct ts *t, char buf[TS_BUFSZ])
{
	int64_t secs = t->us / 1000000;
	int us = (int)(t->us % 1000000);
	int y, m, d, off = t->off < 0 ? -t->off : t->off;
	int64_t sod;
	char *p = buf;

	if (!(t->flags & TS_SET)) {
		buf[0] = '\0';
		return buf;
	}
	if (us < 0) {
		us += 1000000;
		secs--;
	}
	sod = ((secs % 86400) + 86400) % 86400;
	ts_civil_from_days((secs - sod) / 86400, &y, &m, &d);
	if (y < 0 || y > 9999 || off >= 100 * 60)
		return ts_format_printf(t, buf, secs, us);
	p = put_digits(p, (unsigned)y, 4);
	*p++ = '-';
	p = put_digits(p, (unsigned)m, 2);
	*p++ = '-';
	p = put_digits(p, (unsigned)d, 2);
	*p++ = 'T';
	p = put_digits(p, (unsigned)(sod / 3600), 2);
	*p++ = ':';
	p = put_digits(p, (unsigned)(sod / 60 % 60), 2);
	*p++ = ':';
	p = put_digits(p, (unsigned)(sod % 60), 2);
	p = put_tail(p, t, us, off);
	*p = '\0';
	return buf;
}

/*
 * A stamp of the minute the cache holds is the cached text and its own
 * seconds and tail; any other is ts_format()'s, whose text up to the
 * minute is kept when it has the fixed form (a year of 0..9999: not one
 * of ts_format_printf()'s, whose "-001" or "10000" would not fit).
 */
char *
ts_format_cached(struct ts_cache *c, const struct ts *t, char buf[TS_BUFSZ])
{
	int64_t secs = t->us / 1000000, minute;
	int us = (int)(t->us % 1000000), sec;
	int off = t->off < 0 ? -t->off : t->off;
	char *p;

	if (!(t->flags & TS_SET) || off >= 100 * 60)
		return ts_format(t, buf);
	if (us < 0) {
		us += 1000000;
		secs--;
	}
	minute = secs / 60 - (secs % 60 < 0);
	sec = (int)(secs - minute * 60);
	if (!c->set || c->minute != minute) {
		ts_format(t, buf);
		c->set = buf[0] != '-' && buf[4] == '-';
		if (c->set) {
			memcpy(c->prefix, buf, sizeof(c->prefix));
			c->minute = minute;
		}
		return buf;
	}
	memcpy(buf, c->prefix, sizeof(c->prefix));
	p = put_digits(buf + sizeof(c->prefix), (unsigned)sec, 2);
	p = put_tail(p, t, us, off);
	*p = '\0';
	return buf;
}
