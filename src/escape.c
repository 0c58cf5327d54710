/*
 * escape - see escape.h.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "escape.h"

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when invalid. */
static size_t
utf8_len(const unsigned char *s, size_t n, unsigned *cp)
{
	unsigned c = s[0];
	size_t len;
	unsigned v;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		v = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		v = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && v < 0x800) || (len == 4 && v < 0x10000) ||
	    v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return len;
}

/*
 * A backslash is written twice where it could start what reads as an
 * escape: before an 'x', another backslash, a byte that is escaped, or
 * the end of the text (what follows is not known). Elsewhere, as in a
 * Windows path or an Exchange connector name ("MX1\Default Frontend"), it
 * stays one, and the output still reads back to the input.
 */
static bool
backslash_ambiguous(const unsigned char *s, size_t i, size_t n)
{
	return i + 1 >= n || s[i + 1] == 'x' || s[i + 1] == '\\' ||
	    s[i + 1] < 0x20 || s[i + 1] >= 0x7f;
}

void
esc_text(FILE *fp, const char *p, size_t n)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t i = 0;

	while (i < n) {
		unsigned cp;
		size_t len = utf8_len(s + i, n - i, &cp);
		size_t run = i;

		/* copy the longest safe run at once */
		while (run < n && s[run] >= 0x20 && s[run] < 0x7f &&
		    (s[run] != '\\' || !backslash_ambiguous(s, run, n)))
			run++;
		if (run > i) {
			fwrite(s + i, 1, run - i, fp);
			i = run;
			continue;
		}
		if (len == 1 && cp == '\\') {
			fputs("\\\\", fp);
		} else if (len == 0 || cp < 0x20 || cp == 0x7f ||
		    (cp >= 0x80 && cp < 0xa0)) {
			if (len == 0)
				len = 1;
			for (size_t k = 0; k < len; k++)
				fprintf(fp, "\\x%02x", s[i + k]);
		} else {
			fwrite(s + i, 1, len, fp);
		}
		i += len;
	}
}

/*
 * The bytes esc_json() copies as they are, a run at a time: printable
 * ASCII but the quote and the backslash. Every other byte (controls, DEL,
 * anything from 0x80) goes through json_special(), one character at a
 * time, under the rules that applied before the table existed.
 */
const unsigned char esc_json_plain[256] = {
	/* 0x00-0x1f: controls */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	/* 0x20-0x2f: " is 0x22 */
	1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	/* 0x40-0x5f: \ is 0x5c */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
	/* 0x60-0x7f: DEL is 0x7f */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,
	/* 0x80-0xff: zero, as the static storage it is */
};

/* The longest text json_special() writes: \u00NN, \ufffd, \u2028. */
#define JSON_SPECIAL_MAX 6

/*
 * The character at s (one that esc_json_plain[] does not pass) written to o:
 * the escape JSON needs, U+FFFD for an invalid byte, or the valid UTF-8
 * as it is. Returns the bytes of s used; *w is set to the bytes written,
 * at most JSON_SPECIAL_MAX.
 */
static size_t
json_special(char *o, const unsigned char *s, size_t n, size_t *w)
{
	static const char hex[] = "0123456789abcdef";
	unsigned cp;
	size_t len = utf8_len(s, n, &cp);
	char c = 0;

	if (len == 0) {
		memcpy(o, "\\ufffd", 6);
		*w = 6;
		return 1;
	}
	switch (cp) {
	case '"': c = '"'; break;
	case '\\': c = '\\'; break;
	case '\n': c = 'n'; break;
	case '\t': c = 't'; break;
	case '\r': c = 'r'; break;
	}
	if (c) {
		o[0] = '\\';
		o[1] = c;
		*w = 2;
	} else if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) ||
	    cp == 0x2028 || cp == 0x2029) {
		o[0] = '\\';
		o[1] = 'u';
		o[2] = hex[cp >> 12 & 0xf];
		o[3] = hex[cp >> 8 & 0xf];
		o[4] = hex[cp >> 4 & 0xf];
		o[5] = hex[cp & 0xf];
		*w = 6;
	} else {
		memcpy(o, s, len);
		*w = len;
	}
	return len;
}

#define ONES 0x0101010101010101u
#define HIGHS 0x8080808080808080u

/*
 * Whether all 8 bytes of x are esc_json_plain[]: no byte below 0x20
 * (x - 0x20 borrows into the high bit of the lowest such byte, which a
 * byte from 0x80 up has set anyway), none from 0x7f (x + 1 sets its high
 * bit), none equal to '"' or '\\' (x ^ c has a zero byte). A borrow or
 * carry can reach a byte above the first bad one, but never make a clean
 * word look bad or a bad word look clean: the lowest bad byte always
 * shows.
 */
static bool
word_plain(uint64_t x)
{
	uint64_t q = x ^ (ONES * '"'), bs = x ^ (ONES * '\\');

	return ((((x - ONES * 0x20) & ~x) | (x + ONES) | x |
	    ((q - ONES) & ~q) | ((bs - ONES) & ~bs)) & HIGHS) == 0;
}

#ifdef __SSE2__
/*
 * Whether all 16 bytes at s are esc_json_plain[]: as signed bytes, none
 * below 0x20 (those from 0x80 are negative), none 0x7f, '"' or '\\'.
 * Every x86-64 has SSE2; elsewhere word_plain() does it all.
 */
static bool
plain16(const unsigned char *s)
{
	__m128i x = _mm_loadu_si128((const __m128i *)(const void *)s);
	__m128i bad = _mm_or_si128(
	    _mm_or_si128(_mm_cmplt_epi8(x, _mm_set1_epi8(0x20)),
	    _mm_cmpeq_epi8(x, _mm_set1_epi8(0x7f))),
	    _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')),
	    _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'))));

	return _mm_movemask_epi8(bad) == 0;
}
#endif

/*
 * Copy the esc_json_plain[] run of s[*i..n) to o, sixteen or eight bytes
 * at a time while it lasts; *i is moved past it and the end of the copy
 * returned. o must have room for n - *i bytes.
 */
static char *
copy_plain(char *o, const unsigned char *s, size_t *i, size_t n)
{
	size_t k = *i, start = *i;
	uint64_t x;

#ifdef __SSE2__
	while (n - k >= 16 && plain16(s + k)) {
		memcpy(o, s + k, 16);
		o += 16;
		k += 16;
	}
#endif
	while (n - k >= 8) {
		memcpy(&x, s + k, 8);
		if (!word_plain(x))
			break;
		memcpy(o, &x, 8);
		o += 8;
		k += 8;
	}
	if (k < n && n - k < 8 && n - start >= 8) {
		/* the last eight bytes, over some already copied as they
		 * are in this run: written again, the same */
		memcpy(&x, s + n - 8, 8);
		if (word_plain(x)) {
			memcpy(o - (k - (n - 8)), &x, 8);
			*i = n;
			return o + (n - k);
		}
	}
	while (k < n && esc_json_plain[s[k]])
		*o++ = (char)s[k++];
	*i = k;
	return o;
}

/*
 * The text after a special character of s[i..n), o at b->s + b->len with
 * room for s[i..n) and the closing quote: a run of plain bytes at a time,
 * each special character first making room for its longest escape.
 * Returns where the text ends. Kept out of esc_json_pre(), whose plain
 * path is then short enough to save few registers.
 */
__attribute__((noinline)) static char *
esc_json_rest(struct buf *b, char *o, const unsigned char *s, size_t i,
    size_t n)
{
	for (;;) {
		size_t w;

		o = copy_plain(o, s, &i, n);
		if (i == n)
			return o;
		b->len = (size_t)(o - b->s);
		buf_grow(b, JSON_SPECIAL_MAX + (n - i) + 1);
		o = b->s + b->len;
		i += json_special(o, s + i, n - i, &w);
		o += w;
	}
}

/* word_plain() of 4 bytes */
static bool
word4_plain(uint32_t x)
{
	uint32_t one = (uint32_t)ONES, high = (uint32_t)HIGHS;
	uint32_t q = x ^ (one * '"'), bs = x ^ (one * '\\');

	return ((((x - one * 0x20) & ~x) | (x + one) | x |
	    ((q - one) & ~q) | ((bs - one) & ~bs)) & high) == 0;
}

/*
 * Copy the n bytes at s to o when all of them are esc_json_plain[] (the
 * common case: a name, an address, a number); false when some byte is
 * not, with o[0..n) written in part. Short texts are read and written as
 * two words that overlap (bytes 0..7 and n-8..n-1 of 8 to 16), never a
 * byte beyond either end, so that a text of a few bytes costs a few
 * instructions, not a loop.
 */
__attribute__((always_inline)) static inline bool
copy_if_plain(char *o, const unsigned char *s, size_t n)
{
	uint64_t a, z;
	uint32_t c, d;

	if (n < 4) {
		for (size_t k = 0; k < n; k++) {
			if (!esc_json_plain[s[k]])
				return false;
			o[k] = (char)s[k];
		}
		return true;
	}
	if (n < 8) {
		memcpy(&c, s, 4);
		memcpy(&d, s + n - 4, 4);
		if (!word4_plain(c) || !word4_plain(d))
			return false;
		memcpy(o, &c, 4);
		memcpy(o + n - 4, &d, 4);
		return true;
	}
	if (n <= 16) {
		memcpy(&a, s, 8);
		memcpy(&z, s + n - 8, 8);
		if (!word_plain(a) || !word_plain(z))
			return false;
		memcpy(o, &a, 8);
		memcpy(o + n - 8, &z, 8);
		return true;
	}
#ifdef __SSE2__
	for (size_t k = 0; n - k > 16; k += 16)
		if (!plain16(s + k))
			return false;
	if (!plain16(s + n - 16))
		return false;
	/* in blocks, the last over the one before: no call of memcpy(),
	 * so that esc_json_pre() saves no registers */
	for (size_t k = 0; n - k > 16; k += 16)
		memcpy(o + k, s + k, 16);
	memcpy(o + n - 16, s + n - 16, 16);
	return true;
#else
	for (size_t k = 0; n - k > 8; k += 8) {
		memcpy(&a, s + k, 8);
		if (!word_plain(a))
			return false;
	}
	memcpy(&z, s + n - 8, 8);
	if (!word_plain(z))
		return false;
#endif
	memcpy(o, s, n);
	return true;
}

/* n bytes from s to o, as copy_if_plain() copies: for a short key */
__attribute__((always_inline)) static inline void
copy_bytes(char *o, const char *s, size_t n)
{
	uint64_t a, z;
	uint32_t c, d;

	if (n >= 8 && n <= 16) {
		memcpy(&a, s, 8);
		memcpy(&z, s + n - 8, 8);
		memcpy(o, &a, 8);
		memcpy(o + n - 8, &z, 8);
	} else if (n >= 4 && n < 8) {
		memcpy(&c, s, 4);
		memcpy(&d, s + n - 4, 4);
		memcpy(o, &c, 4);
		memcpy(o + n - 4, &d, 4);
	} else if (n < 4) {
		for (size_t k = 0; k < n; k++)
			o[k] = s[k];
	} else {
		memcpy(o, s, n);
	}
}

/*
 * Written straight into b: a plain byte gives one byte, so room for the
 * prefix, the input and the quotes is made once; the first special
 * character hands the rest to esc_json_rest().
 */
__attribute__((noinline)) static void
esc_json_pre_slow(struct buf *b, const char *pre, size_t npre,
    const char *p, size_t n)
{
	const unsigned char *s = (const unsigned char *)p;
	char *o;

	if (b->len + npre + n + 5 > b->cap)
		buf_grow(b, npre + n + 4);
	o = b->s + b->len;
	copy_bytes(o, pre, npre);
	o += npre;
	if (p == NULL) {
		memcpy(o, "null", 5);
		b->len = (size_t)(o + 4 - b->s);
		return;
	}
	*o++ = '"';
	if (copy_if_plain(o, s, n))
		o += n;
	else
		o = esc_json_rest(b, o, s, 0, n);
	*o++ = '"';
	*o = '\0';
	b->len = (size_t)(o - b->s);
}

/*
 * The usual case, a plain string with room for it, calls nothing (a
 * report writes some 10 strings a session, and saving and restoring the
 * registers of a function that calls cost a fifth of each); anything
 * else is esc_json_pre_slow()'s, from the start.
 */
void
esc_json_pre(struct buf *b, const char *pre, size_t npre, const char *p,
    size_t n)
{
	char *o;

	if (p == NULL || npre > 16 || b->len + npre + n + 5 > b->cap)
		goto slow;
	o = b->s + b->len;
	copy_bytes(o, pre, npre);
	o += npre;
	*o++ = '"';
	if (!copy_if_plain(o, (const unsigned char *)p, n))
		goto slow;	/* what was written is written again */
	o += n;
	*o++ = '"';
	*o = '\0';
	b->len = (size_t)(o - b->s);
	return;
slow:
	esc_json_pre_slow(b, pre, npre, p, n);
}

void
esc_json(struct buf *b, const char *p, size_t n)
{
	esc_json_pre(b, "", 0, p, n);
}

void
esc_json_str(struct buf *b, const char *s)
{
	esc_json(b, s, s ? strlen(s) : 0);
}

/*
 * The bytes of esc_text(), with the five characters HTML gives meaning
 * to written as entities: safe in element content and in quoted
 * attribute values.
 */
void
esc_html(FILE *fp, const char *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t run = i;
		const char *ent = NULL;

		while (run < n && (p[run] == '\0' ||
		    strchr("&<>\"'", p[run]) == NULL))
			run++;
		esc_text(fp, p + i, run - i);
		if (run == n)
			break;
		switch (p[run]) {
		case '&': ent = "&amp;"; break;
		case '<': ent = "&lt;"; break;
		case '>': ent = "&gt;"; break;
		case '"': ent = "&quot;"; break;
		default: ent = "&#39;"; break;
		}
		fputs(ent, fp);
		i = run + 1;
	}
}

void
esc_html_text(FILE *fp, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		switch (p[i]) {
		case '&': fputs("&amp;", fp); break;
		case '<': fputs("&lt;", fp); break;
		case '>': fputs("&gt;", fp); break;
		case '"': fputs("&quot;", fp); break;
		case '\'': fputs("&#39;", fp); break;
		default: fputc(p[i], fp); break;
		}
	}
}

void
esc_csv(FILE *fp, const char *p, size_t n)
{
	bool formula = n > 0 && p[0] != '\0' && strchr("=+-@", p[0]) != NULL;
	bool quote = formula;

	for (size_t i = 0; i < n && !quote; i++)
		quote = p[i] == ',' || p[i] == '"' || p[i] == ';';
	if (!quote) {
		esc_text(fp, p, n);
		return;
	}
	fputc('"', fp);
	if (formula)
		fputc('\'', fp);	/* not a spreadsheet formula */
	for (size_t i = 0; i < n;) {
		size_t run = i;

		while (run < n && p[run] != '"')
			run++;
		esc_text(fp, p + i, run - i);
		if (run < n)
			fputs("\"\"", fp);
		i = run + 1;
	}
	fputc('"', fp);
}
