/*
 * head - see head.h. Every test mirrors one piece of the prefix regex it
 * stands for, and where the regex could take another path (an optional
 * part, a shorter run) the line is declined instead: the regex then reads
 * it, so a decline is always safe and only costs time.
 */
#include "config.h"

#include <string.h>

#include "head.h"

static bool
digit(char c)
{
	return c >= '0' && c <= '9';
}

/* PCRE2's \s without UTF: space, \t, \n, \v, \f, \r. */
static bool
space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static bool
digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!digit(s[i]))
			return false;
	return true;
}

/* "hh:mm:ss" at s, then an optional ".d+"; the end, or NULL. */
static const char *
clock_at(const char *s, const char *end)
{
	if (end - s < 8 || !digits(s, 2) || s[2] != ':' || !digits(s + 3, 2) ||
	    s[5] != ':' || !digits(s + 6, 2))
		return NULL;
	s += 8;
	if (s + 1 < end && *s == '.' && digit(s[1])) {
		s++;
		while (s < end && digit(*s))
			s++;
	}
	return s;
}

/* "Nov 23 09:13:46", "Nov  3 ...", "Nov 3 ..." */
static const char *
rfc3164_at(const char *s, const char *end)
{
	if (end - s < 15 || !(s[0] >= 'A' && s[0] <= 'Z') ||
	    !(s[1] >= 'a' && s[1] <= 'z') || !(s[2] >= 'a' && s[2] <= 'z') ||
	    s[3] != ' ')
		return NULL;
	if ((s[4] == ' ' || digit(s[4])) && digit(s[5]) && s[6] == ' ')
		return clock_at(s + 7, end);
	if (digit(s[4]) && s[5] == ' ')
		return clock_at(s + 6, end);
	return NULL;
}

/* "2026-11-23T09:13:46[.d+][Z|+hh[:]mm]", T or a space */
static const char *
rfc3339_at(const char *s, const char *end)
{
	if (end - s < 19 || !digits(s, 4) || s[4] != '-' ||
	    !digits(s + 5, 2) || s[7] != '-' || !digits(s + 8, 2) ||
	    (s[10] != 'T' && s[10] != ' '))
		return NULL;
	s = clock_at(s + 11, end);
	if (s == NULL || s == end)
		return s;
	if (*s == 'Z')
		return s + 1;
	if (*s == '+' || *s == '-') {
		if (end - s >= 6 && digits(s + 1, 2) && s[3] == ':' &&
		    digits(s + 4, 2))
			return s + 6;
		if (end - s >= 5 && digits(s + 1, 4))
			return s + 5;
	}
	return s;
}

static void
set(struct strview *fv, enum field f, const char *p, const char *q)
{
	fv[f].p = p;
	fv[f].len = (size_t)(q - p);
}

/*
 * PROGRAM/DAEMON at tag..end (no '[' nor \s in it): the tag starts with
 * h->program, has a '/', and no empty component after the first.
 */
static const char *
split_tag(const struct head *h, const char *tag, const char *end)
{
	const char *slash = NULL;

	/* no program: memcmp() must not see NULL, even for 0 bytes (found
	 * by fuzz_patterns) */
	if ((size_t)(end - tag) < h->program_len || (h->program_len > 0 &&
	    memcmp(tag, h->program, h->program_len) != 0))
		return NULL;
	for (const char *s = tag + h->program_len; s < end; s++)
		if (*s == '/') {
			if (slash && s == slash + 1)
				return NULL;
			slash = s;
		}
	if (slash == NULL || slash + 1 == end)
		return NULL;
	return slash;
}

bool
head_read(const struct head *h, const char *s, size_t n, struct strview *fv,
    size_t *off)
{
	const char *end = s + n, *p, *host, *hend, *tend, *tag, *slash, *pid;

	p = rfc3164_at(s, end);
	if (p == NULL)
		p = rfc3339_at(s, end);
	if (p == NULL || p == end || *p != ' ')
		return false;
	tend = p;
	while (p < end && *p == ' ')
		p++;
	host = p;
	while (p < end && !space(*p))
		p++;
	if (p == host || p == end || *p != ' ')
		return false;
	hend = p;
	while (p < end && *p == ' ')
		p++;
	tag = p;
	while (p < end && *p != '[' && !space(*p))
		p++;
	if (p == end || *p != '[' || (slash = split_tag(h, tag, p)) == NULL)
		return false;
	pid = ++p;
	while (p < end && digit(*p))
		p++;
	if (p == pid || end - p < 3 || memcmp(p, "]: ", 3) != 0)
		return false;
	set(fv, F_TS, s, tend);
	set(fv, F_HOST, host, hend);
	set(fv, F_PROGRAM, tag, slash);
	set(fv, F_DAEMON, slash + 1, pid - 1);
	set(fv, F_PID, pid, p);
	p += 3;
	for (size_t i = 0; i < h->nseverities && p < end; i++) {
		size_t l = h->severity_len[i];

		if (*p == h->severities[i][0] && (size_t)(end - p) >= l + 2 &&
		    memcmp(p, h->severities[i], l) == 0 &&
		    p[l] == ':' && p[l + 1] == ' ') {
			set(fv, F_SEVERITY, p, p + l);
			p += l + 2;
			break;
		}
	}
	*off = (size_t)(p - s);
	return true;
}
