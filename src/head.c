/*
 * head - see head.h. Every test mirrors one piece of the prefix regex it
 * stands for, and where the regex could take another path (an optional
 * part, a shorter run) the line is declined instead: the regex then reads
 * it, so a decline is always safe and only costs time.
 */
#include "config.h"

#include <string.h>

#include "head.h"

/*
 * What a byte is, by one lookup in a table: the loops below run over
 * every byte of a head, and the comparisons they made byte by byte were
 * a third of the work of reading one.
 */
enum {
	B_DIGIT = 1,
	B_ALNUM = 2,	/* [0-9A-Za-z] */
	B_SPACE = 4,	/* PCRE2's \s without UTF: space, \t to \r */
	B_TAGEND = 8,	/* \s or '[': where a syslog tag ends */
	B_SLASH = 16,	/* '/': where a tag's components end */
};

#define D_ (B_DIGIT | B_ALNUM)
#define A_ B_ALNUM
#define S_ (B_SPACE | B_TAGEND)

static const unsigned char bclass[256] = {
	['\t'] = S_, ['\n'] = S_, ['\v'] = S_, ['\f'] = S_, ['\r'] = S_,
	[' '] = S_, ['['] = B_TAGEND, ['/'] = B_SLASH,
	['0'] = D_, ['1'] = D_, ['2'] = D_, ['3'] = D_, ['4'] = D_,
	['5'] = D_, ['6'] = D_, ['7'] = D_, ['8'] = D_, ['9'] = D_,
	['A'] = A_, ['B'] = A_, ['C'] = A_, ['D'] = A_, ['E'] = A_,
	['F'] = A_, ['G'] = A_, ['H'] = A_, ['I'] = A_, ['J'] = A_,
	['K'] = A_, ['L'] = A_, ['M'] = A_, ['N'] = A_, ['O'] = A_,
	['P'] = A_, ['Q'] = A_, ['R'] = A_, ['S'] = A_, ['T'] = A_,
	['U'] = A_, ['V'] = A_, ['W'] = A_, ['X'] = A_, ['Y'] = A_,
	['Z'] = A_,
	['a'] = A_, ['b'] = A_, ['c'] = A_, ['d'] = A_, ['e'] = A_,
	['f'] = A_, ['g'] = A_, ['h'] = A_, ['i'] = A_, ['j'] = A_,
	['k'] = A_, ['l'] = A_, ['m'] = A_, ['n'] = A_, ['o'] = A_,
	['p'] = A_, ['q'] = A_, ['r'] = A_, ['s'] = A_, ['t'] = A_,
	['u'] = A_, ['v'] = A_, ['w'] = A_, ['x'] = A_, ['y'] = A_,
	['z'] = A_,
};

#undef D_
#undef A_
#undef S_

static inline unsigned
bc(char c)
{
	return bclass[(unsigned char)c];
}

static bool
digit(char c)
{
	return bc(c) & B_DIGIT;
}

/* Are s[0..n) all digits: the classes ANDed, one test at the end. */
static inline bool
digits(const char *s, size_t n)
{
	unsigned all = B_DIGIT;

	for (size_t i = 0; i < n; i++)
		all &= bc(s[i]);
	return all & B_DIGIT;
}

/* Eight bytes at s (or of an 8-byte constant) as one word. */
static inline uint64_t
word_at(const char *s)
{
	uint64_t w;

	memcpy(&w, s, sizeof(w));
	return w;
}

/*
 * "hh:mm:ss" at s: its eight bytes there, as one word. The digits' high
 * halves are 3 and the colons' bytes are ':'; then adding 6 to each digit
 * (no byte carries: all are 0x30 to 0x3f) keeps its high half 3 only for
 * '0' to '9'. Byte order does not matter: the constants are bytes too.
 */
static inline bool
hms_at(const char *s)
{
	uint64_t w = word_at(s);

	return (w & word_at("\xf0\xf0\xff\xf0\xf0\xff\xf0\xf0")) ==
	    word_at("00:00:00") &&
	    ((w + word_at("\x06\x06\0\x06\x06\0\x06\x06")) &
	    word_at("\xf0\xf0\0\xf0\xf0\0\xf0\xf0")) ==
	    word_at("00\0" "00\0" "00");
}

/* "yyyy-mm-dd" at s: its ten bytes there, the first eight as a word
 * (as hms_at() does). */
static inline bool
date_at(const char *s)
{
	uint64_t w = word_at(s);

	return (w & word_at("\xf0\xf0\xf0\xf0\xff\xf0\xf0\xff")) ==
	    word_at("0000-00-") &&
	    ((w + word_at("\x06\x06\x06\x06\0\x06\x06\0")) &
	    word_at("\xf0\xf0\xf0\xf0\0\xf0\xf0\0")) ==
	    word_at("0000\0" "00\0") && (bc(s[8]) & bc(s[9]) & B_DIGIT);
}

/* "yyyy-mm-ddThh:mm:ss" at s, with t for the T: its 19 bytes there. */
static inline bool
date_time_at(const char *s, char t)
{
	return date_at(s) && s[10] == t && hms_at(s + 11);
}

/* "hh:mm:ss" at s, then an optional ".d+"; the end, or NULL. */
static const char *
clock_at(const char *s, const char *end)
{
	if (end - s < 8 || !hms_at(s))
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
	if (end - s < 19 || !(bc(s[0]) & B_DIGIT) ||
	    (s[10] != 'T' && s[10] != ' ') || !date_at(s))
		return NULL;
	s = clock_at(s + 11, end);	/* the time, checked there */
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
set(struct strview *fv, uint64_t *has, enum field f, const char *p,
    const char *q)
{
	fv[f].p = p;
	fv[f].len = (size_t)(q - p);
	*has |= (uint64_t)1 << f;
}

/*
 * PROGRAM/DAEMON at tag, ended by '[' (no \s in it): the tag starts with
 * h->program, has a '/', and no empty component after the first. Its
 * last '/', and *at its '['; NULL if it is not such a tag. The program
 * has no '/', '[' nor space (pattern_load.c): it is compared, and only
 * the rest of the tag is scanned, once, for its end and its '/'s.
 */
static const char *
split_tag(const struct head *h, const char *tag, const char *end,
    const char **at)
{
	const char *slash = NULL, *s = tag + h->program_len;
	unsigned c = 0;

	/* no program: memcmp() must not see NULL, even for 0 bytes (found
	 * by fuzz_patterns) */
	if ((size_t)(end - tag) < h->program_len || (h->program_len > 0 &&
	    memcmp(tag, h->program, h->program_len) != 0))
		return NULL;
	for (; s < end && !((c = bc(*s)) & B_TAGEND); s++)
		if (c & B_SLASH) {
			if (slash && s == slash + 1)
				return NULL;
			slash = s;
		}
	if (s == end || *s != '[' || slash == NULL ||
	    slash + 1 == s)
		return NULL;
	*at = s;
	return slash;
}

/* The end of an ID of shape id at s, followed by a space; NULL if none. */
static const char *
id_at(const struct head_id *id, const char *s, const char *end)
{
	/* most lines have no ID: their first group is not followed by a
	   '-' */
	if (id->n > 1 && ((size_t)(end - s) <= id->len[0] ||
	    s[id->len[0]] != '-'))
		return NULL;
	for (size_t g = 0; g < id->n; g++) {
		unsigned all = B_ALNUM;

		if (g > 0 && (s == end || *s++ != '-'))
			return NULL;
		if ((size_t)(end - s) < id->len[g])
			return NULL;
		for (size_t i = 0; i < id->len[g]; i++)
			all &= bc(s[i]);
		if (!(all & B_ALNUM))
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
    struct strview *fv, uint64_t *has, size_t *off)
{
	const char *end = s + n, *p, *q, *pid = NULL, *pend = NULL;
	const char *id = NULL, *idend = NULL;

	if (n < 20 || !date_time_at(s, ' '))
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
	set(fv, has, F_TS, s, p);
	if (pid)
		set(fv, has, F_PID, pid, pend);
	if (id) {
		set(fv, has, F_QUEUE, id, idend);
		q = idend + 1;
	}
	*off = (size_t)(q - s);
	return true;
}

bool
head_read(const struct head *h, const char *s, size_t n, struct strview *fv,
    uint64_t *has, size_t *off)
{
	const char *end = s + n, *p, *host, *hend, *tend, *tag, *slash, *pid;

	if (h->shape == HEAD_DATED)
		return dated_read(h, s, n, fv, has, off);
	p = rfc3164_at(s, end);
	if (p == NULL)
		p = rfc3339_at(s, end);
	if (p == NULL || p == end || *p != ' ')
		return false;
	tend = p;
	while (p < end && *p == ' ')
		p++;
	host = p;
	while (p < end && !(bc(*p) & B_SPACE))
		p++;
	if (p == host || p == end || *p != ' ')
		return false;
	hend = p;
	while (p < end && *p == ' ')
		p++;
	tag = p;
	if ((slash = split_tag(h, tag, end, &p)) == NULL)
		return false;
	pid = ++p;
	while (p < end && digit(*p))
		p++;
	if (p == pid || end - p < 3 || memcmp(p, "]: ", 3) != 0)
		return false;
	set(fv, has, F_TS, s, tend);
	set(fv, has, F_HOST, host, hend);
	set(fv, has, F_PROGRAM, tag, slash);
	set(fv, has, F_DAEMON, slash + 1, pid - 1);
	set(fv, has, F_PID, pid, p);
	p += 3;
	for (size_t i = 0; i < h->nseverities && p < end &&
	    ((h->severity_first[(unsigned char)*p >> 3] >>
	    ((unsigned char)*p & 7)) & 1); i++) {
		size_t l = h->severity_len[i];

		if (*p == h->severities[i][0] && (size_t)(end - p) >= l + 2 &&
		    memcmp(p, h->severities[i], l) == 0 &&
		    p[l] == ':' && p[l + 1] == ' ') {
			set(fv, has, F_SEVERITY, p, p + l);
			p += l + 2;
			break;
		}
	}
	*off = (size_t)(p - s);
	return true;
}
