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

static bool
alnum(char c)
{
	return digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* The end of an ID of shape id at s, followed by a space; NULL if none. */
static const char *
id_at(const struct head_id *id, const char *s, const char *end)
{
	for (size_t g = 0; g < id->n; g++) {
		if (g > 0 && (s == end || *s++ != '-'))
			return NULL;
		if ((size_t)(end - s) < id->len[g])
			return NULL;
		for (size_t i = 0; i < id->len[g]; i++)
			if (!alnum(s[i]))
				return NULL;
		s += id->len[g];
	}
	return s < end && *s == ' ' ? s : NULL;
}

/*
 * DATE TIME[.fff][ +zzzz] [[PID] ][ID ]. Read as the regex
 * '^(?<ts>D{4}-DD-DD DD:DD:DD(?:\.D{3})?(?: [-+]D{4})?) (?:\[(?<pid>D+)\] )?
 * (?:(?<queue>ID) )?' does, backtracking included: a zone not followed by
 * a space is not the zone, and the pid and ID are optional, so once the
 * time is read the line is in the shape.
 */
static bool
dated_read(const struct head *h, const char *s, size_t n,
    struct strview *fv, size_t *off)
{
	const char *end = s + n, *p, *q, *pid = NULL, *pend = NULL;
	const char *id = NULL, *idend = NULL;

	if (n < 20 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) ||
	    s[7] != '-' || !digits(s + 8, 2) || s[10] != ' ' ||
	    !digits(s + 11, 2) || s[13] != ':' || !digits(s + 14, 2) ||
	    s[16] != ':' || !digits(s + 17, 2))
		return false;
	p = s + 19;
	if (end - p >= 4 && *p == '.' && digits(p + 1, 3))
		p += 4;
	if (p == end || *p != ' ')
		return false;
	if (end - p >= 7 && (p[1] == '+' || p[1] == '-') &&
	    digits(p + 2, 4) && p[6] == ' ')
		p += 6;
	q = p + 1;
	if (q < end && *q == '[') {
		const char *d = q + 1;

		while (d < end && digit(*d))
			d++;
		if (d > q + 1 && end - d >= 2 && d[0] == ']' && d[1] == ' ') {
			pid = q + 1;
			pend = d;
			q = d + 2;
		}
	}
	for (size_t i = 0; i < h->nids && id == NULL; i++)
		if ((idend = id_at(&h->ids[i], q, end)) != NULL)
			id = q;
	set(fv, F_TS, s, p);
	if (pid)
		set(fv, F_PID, pid, pend);
	if (id) {
		set(fv, F_QUEUE, id, idend);
		q = idend + 1;
	}
	*off = (size_t)(q - s);
	return true;
}

bool
head_read(const struct head *h, const char *s, size_t n, struct strview *fv,
    size_t *off)
{
	const char *end = s + n, *p, *host, *hend, *tend, *tag, *slash, *pid;

	if (h->shape == HEAD_DATED)
		return dated_read(h, s, n, fv, off);
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
