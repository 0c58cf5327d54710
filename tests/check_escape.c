/*
 * check_escape - unit tests for escape.h.
 *
 * esc_text() is checked byte for byte against tables. esc_json() is
 * checked against tables too, and its output for every single byte, every
 * pair of bytes and a deterministic stream of random sequences is run
 * through a strict JSON string parser written here (RFC 8259: no raw
 * control characters, only the defined escapes, UTF-8 text, no lone
 * surrogates), whose decoded code points are compared with the input.
 */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"

/* --- esc_text ------------------------------------------------------------ */

static char *
text_of(const char *in, size_t n, size_t *outlen)
{
	char *out = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&out, &len);

	ck_assert_ptr_nonnull(fp);
	esc_text(fp, in, n);
	ck_assert_int_eq(fclose(fp), 0);
	*outlen = len;
	return out;
}

struct text_case {
	const char *name;
	const char *in;
	size_t len;	/* 0: strlen */
	const char *want;
};

static const struct text_case text_cases[] = {
	{"ascii", "EHLO p20104.client.test", 0, "EHLO p20104.client.test"},
	{"empty", "", 0, ""},
	{"nul", "a\0b", 3, "a\\x00b"},
	{"tab", "a\tb", 0, "a\\x09b"},
	{"newline", "line\r\n", 0, "line\\x0d\\x0a"},
	{"escape sequence", "\x1b[31mred\x1b[0m", 0,
	    "\\x1b[31mred\\x1b[0m"},
	{"bell and backspace", "\a\b", 0, "\\x07\\x08"},
	{"unit separator", "\x1f", 0, "\\x1f"},
	{"DEL", "x\x7fy", 0, "x\\x7fy"},
	{"C1 U+0080", "\xc2\x80", 0, "\\xc2\\x80"},
	{"C1 U+009B (CSI)", "\xc2\x9b" "2J", 0, "\\xc2\\x9b2J"},
	{"C1 U+009F", "\xc2\x9f", 0, "\\xc2\\x9f"},
	{"U+00A0 passes", "\xc2\xa0", 0, "\xc2\xa0"},
	{"latin", "h\xc3\xa9llo", 0, "h\xc3\xa9llo"},
	{"euro", "\xe2\x82\xac 5", 0, "\xe2\x82\xac 5"},
	{"emoji", "\xf0\x9f\x98\x80", 0, "\xf0\x9f\x98\x80"},
	{"U+10FFFF", "\xf4\x8f\xbf\xbf", 0, "\xf4\x8f\xbf\xbf"},
	{"cjk", "\xe4\xb8\xad\xe6\x96\x87", 0, "\xe4\xb8\xad\xe6\x96\x87"},
	{"lone continuation", "a\x80z", 0, "a\\x80z"},
	{"0xff", "\xff", 0, "\\xff"},
	{"0xfe", "\xfe\xfe", 0, "\\xfe\\xfe"},
	{"overlong slash", "\xc0\xaf", 0, "\\xc0\\xaf"},
	{"overlong 3-byte", "\xe0\x80\xaf", 0, "\\xe0\\x80\\xaf"},
	{"overlong 4-byte", "\xf0\x80\x80\xaf", 0, "\\xf0\\x80\\x80\\xaf"},
	{"surrogate", "\xed\xa0\x80", 0, "\\xed\\xa0\\x80"},
	{"past U+10FFFF", "\xf4\x90\x80\x80", 0, "\\xf4\\x90\\x80\\x80"},
	{"f5 lead", "\xf5\x80\x80\x80", 0, "\\xf5\\x80\\x80\\x80"},
	{"truncated at end", "ab\xe2\x82", 0, "ab\\xe2\\x82"},
	{"truncated inside", "a\xe2\x82z", 0, "a\\xe2\\x82z"},
	{"lead then ascii", "\xc3(", 0, "\\xc3("},
	{"valid after invalid", "\xff\xc3\xa9", 0, "\\xff\xc3\xa9"},
	{"latin-1 name", "M\xfcller", 0, "M\\xfcller"},
	/* a backslash that could start an escape is doubled, so that the
	 * text "\x1b" and an ESC byte never print the same; elsewhere it
	 * stays one */
	{"backslash in a path", "C:\\dir\\Frontend", 0,
	    "C:\\dir\\Frontend"},
	{"text that looks escaped", "\\x1b[31m", 0, "\\\\x1b[31m"},
	{"backslash then ESC", "\\\x1b", 0, "\\\\\\x1b"},
	{"backslash then invalid", "\\\xff", 0, "\\\\\\xff"},
	{"two backslashes", "a\\\\b", 0, "a\\\\\\b"},
	{"backslash at the end", "a\\", 0, "a\\\\"},
	{"CRLF written as text", "\\r\\n", 0, "\\r\\n"},
};

START_TEST(text_table)
{
	const struct text_case *c = &text_cases[_i];
	size_t n = c->len ? c->len : strlen(c->in), got;
	char *out = text_of(c->in, n, &got);

	ck_assert_msg(got == strlen(c->want) && memcmp(out, c->want, got) == 0,
	    "%s: got '%.*s', want '%s'", c->name, (int)got, out, c->want);
	free(out);
}
END_TEST

/* Every single byte: printable ASCII as is, anything else as \xNN. */
START_TEST(text_single_bytes)
{
	char in = (char)_i, want[8];
	size_t got;
	char *out = text_of(&in, 1, &got);

	if (_i == '\\')
		snprintf(want, sizeof(want), "\\\\");
	else if (_i >= 0x20 && _i < 0x7f)
		snprintf(want, sizeof(want), "%c", _i);
	else
		snprintf(want, sizeof(want), "\\x%02x", _i);
	ck_assert_msg(got == strlen(want) && memcmp(out, want, got) == 0,
	    "byte 0x%02x: got '%.*s', want '%s'", _i, (int)got, out, want);
	free(out);
}
END_TEST

/*
 * Undo esc_text(): two backslashes are one, backslash x NN the byte NN,
 * anything else (a lone backslash too) itself.
 */
static char *
text_unescape(const char *s, size_t n, size_t *outlen)
{
	char *out = malloc(n + 1);
	size_t o = 0;

	ck_assert_ptr_nonnull(out);
	for (size_t i = 0; i < n; i++) {
		unsigned v;

		if (s[i] != '\\') {
			out[o++] = s[i];
			continue;
		}
		if (i + 1 < n && s[i + 1] == '\\') {
			out[o++] = '\\';
			i++;
		} else if (i + 3 < n && s[i + 1] == 'x' &&
		    sscanf(s + i + 2, "%2x", &v) == 1) {
			out[o++] = (char)v;
			i += 3;
		} else {
			out[o++] = '\\';
		}
	}
	*outlen = o;
	return out;
}

/* Two inputs never print the same: the output reads back to the input. */
START_TEST(text_reversible)
{
	static const char *const tricky[] = {
		"\\x1b", "\\\x1b", "\\\\x1b", "a\\", "\\xzz", "\\x0",
		"\\\\", "x\\xc2\\x9b",
	};
	unsigned char in[3];

	for (size_t t = 0; t < ARRAY_SIZE(tricky); t++) {
		size_t got, back;
		char *out = text_of(tricky[t], strlen(tricky[t]), &got);
		char *orig = text_unescape(out, got, &back);

		ck_assert_msg(back == strlen(tricky[t]) &&
		    memcmp(orig, tricky[t], back) == 0, "'%s': printed as "
		    "'%.*s', which reads back as something else", tricky[t],
		    (int)got, out);
		free(out);
		free(orig);
	}
	/* a backslash at each place among every pair of bytes */
	for (int pos = 0; pos < 3; pos++)
		for (int a = 0; a < 256; a++)
			for (int b = 0; b < 256; b++) {
				size_t got, back;
				char *out, *orig;

				in[pos] = '\\';
				in[pos == 0] = (unsigned char)a;
				in[pos == 2 ? 1 : 2] = (unsigned char)b;
				out = text_of((char *)in, 3, &got);
				orig = text_unescape(out, got, &back);
				ck_assert_msg(back == 3 &&
				    memcmp(orig, in, 3) == 0, "%02x %02x %02x: "
				    "printed as '%.*s', which reads back as "
				    "something else", in[0], in[1], in[2],
				    (int)got, out);
				free(out);
				free(orig);
			}
}
END_TEST

/* Whatever the input, no byte below 0x20 nor 0x7f reaches the output. */
START_TEST(text_no_control_out)
{
	unsigned char in[2];

	for (int a = 0; a < 256; a++)
		for (int b = 0; b < 256; b++) {
			size_t got;
			char *out;

			in[0] = (unsigned char)a;
			in[1] = (unsigned char)b;
			out = text_of((char *)in, 2, &got);
			for (size_t i = 0; i < got; i++) {
				unsigned char c = (unsigned char)out[i];

				ck_assert_msg(c >= 0x20 && c != 0x7f,
				    "%02x %02x: control byte 0x%02x in the "
				    "output", a, b, c);
			}
			/* C1 as UTF-8 */
			ck_assert_msg(!(got >= 2 && (unsigned char)out[0] ==
			    0xc2 && (unsigned char)out[1] < 0xa0),
			    "%02x %02x: C1 in the output", a, b);
			free(out);
		}
}
END_TEST

/* --- a strict JSON string parser ----------------------------------------- */

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool
hex4(const char *s, size_t n, size_t i, unsigned *v)
{
	*v = 0;
	if (i + 4 > n)
		return false;
	for (size_t k = 0; k < 4; k++) {
		int h = hexval(s[i + k]);

		if (h < 0)
			return false;
		*v = *v * 16 + (unsigned)h;
	}
	return true;
}

/*
 * Is s[0..n) exactly one JSON string? Decode it into cp[] (at most max
 * code points). On failure, *why says what is wrong.
 */
static bool
json_string(const char *s, size_t n, unsigned *cp, size_t max, size_t *ncp,
    const char **why)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 1;

	*ncp = 0;
	if (n < 2 || s[0] != '"') {
		*why = "does not start with a quote";
		return false;
	}
	while (i < n) {
		unsigned c = u[i], v;

		if (c == '"') {
			if (i != n - 1) {
				*why = "text after the closing quote";
				return false;
			}
			return true;
		}
		if (c < 0x20) {
			*why = "raw control character";
			return false;
		}
		if (c == '\\') {
			if (i + 1 >= n) {
				*why = "backslash at the end";
				return false;
			}
			switch (s[i + 1]) {
			case '"': v = '"'; break;
			case '\\': v = '\\'; break;
			case '/': v = '/'; break;
			case 'b': v = '\b'; break;
			case 'f': v = '\f'; break;
			case 'n': v = '\n'; break;
			case 'r': v = '\r'; break;
			case 't': v = '\t'; break;
			case 'u':
				if (!hex4(s, n, i + 2, &v)) {
					*why = "bad \\u escape";
					return false;
				}
				i += 4;
				if (v >= 0xdc00 && v <= 0xdfff) {
					*why = "lone low surrogate";
					return false;
				}
				if (v >= 0xd800 && v <= 0xdbff) {
					unsigned lo;

					if (i + 2 + 6 > n || s[i + 2] != '\\' ||
					    s[i + 3] != 'u' ||
					    !hex4(s, n, i + 4, &lo) ||
					    lo < 0xdc00 || lo > 0xdfff) {
						*why = "lone high surrogate";
						return false;
					}
					v = 0x10000 + ((v - 0xd800) << 10) +
					    (lo - 0xdc00);
					i += 6;
				}
				break;
			default:
				*why = "unknown escape";
				return false;
			}
			i += 2;
		} else if (c < 0x80) {
			v = c;
			i++;
		} else {
			size_t len;
			unsigned min;

			if (c >= 0xc2 && c <= 0xdf) {
				len = 2;
				v = c & 0x1f;
				min = 0x80;
			} else if (c >= 0xe0 && c <= 0xef) {
				len = 3;
				v = c & 0x0f;
				min = 0x800;
			} else if (c >= 0xf0 && c <= 0xf4) {
				len = 4;
				v = c & 0x07;
				min = 0x10000;
			} else {
				*why = "invalid UTF-8 lead byte";
				return false;
			}
			if (i + len > n) {
				*why = "truncated UTF-8";
				return false;
			}
			for (size_t k = 1; k < len; k++) {
				if ((u[i + k] & 0xc0) != 0x80) {
					*why = "bad UTF-8 continuation";
					return false;
				}
				v = (v << 6) | (u[i + k] & 0x3f);
			}
			if (v < min || v > 0x10ffff ||
			    (v >= 0xd800 && v <= 0xdfff)) {
				*why = "overlong, surrogate or too big UTF-8";
				return false;
			}
			i += len;
		}
		if (*ncp < max)
			cp[*ncp] = v;
		(*ncp)++;
	}
	*why = "no closing quote";
	return false;
}

/* The code points of a byte string under "invalid bytes are U+FFFD". */
static size_t
expected_cps(const unsigned char *s, size_t n, unsigned *cp, size_t max,
    bool *exact)
{
	size_t k = 0;

	*exact = true;
	for (size_t i = 0; i < n;) {
		unsigned c = s[i], v = 0;
		size_t len = 0;

		if (c < 0x80) {
			v = c;
			len = 1;
		} else if (c >= 0xc2 && c <= 0xdf) {
			len = 2;
			v = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3;
			v = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4;
			v = c & 0x07;
		}
		if (len > 1) {
			bool ok = i + len <= n;

			for (size_t j = 1; ok && j < len; j++) {
				if ((s[i + j] & 0xc0) != 0x80)
					ok = false;
				else
					v = (v << 6) | (s[i + j] & 0x3f);
			}
			if (ok && ((len == 3 && v < 0x800) ||
			    (len == 4 && v < 0x10000) || v > 0x10ffff ||
			    (v >= 0xd800 && v <= 0xdfff)))
				ok = false;
			if (!ok)
				len = 0;
		}
		if (len == 0) {
			/* how many U+FFFD an invalid run gives is not fixed */
			*exact = false;
			v = 0xfffd;
			len = 1;
		}
		if (k < max)
			cp[k] = v;
		k++;
		i += len;
	}
	return k;
}

/*
 * esc_json(in) must be one valid JSON string; its code points are those of
 * in, with U+FFFD for invalid bytes. When in has invalid bytes, the number
 * of U+FFFD per invalid run is left open: compare with those collapsed.
 */
static void
check_json(const char *what, const unsigned char *in, size_t n)
{
	struct buf b = BUF_INIT;
	unsigned got[64], want[64];
	size_t ngot, nwant;
	const char *why = "";
	bool exact;

	esc_json(&b, (const char *)in, n);
	ck_assert_msg(json_string(b.s, b.len, got, 64, &ngot, &why),
	    "%s: not a JSON string (%s): %s", what, why, b.s);
	nwant = expected_cps(in, n, want, 64, &exact);
	if (!exact) {
		size_t a = 0, c = 0;

		for (size_t i = 0; i < ngot && i < 64; i++)
			if (!(i > 0 && got[i] == 0xfffd &&
			    got[i - 1] == 0xfffd))
				got[a++] = got[i];
		for (size_t i = 0; i < nwant && i < 64; i++)
			if (!(i > 0 && want[i] == 0xfffd &&
			    want[i - 1] == 0xfffd))
				want[c++] = want[i];
		ngot = a;
		nwant = c;
	}
	ck_assert_msg(ngot == nwant, "%s: %s: got %zu code points, want %zu",
	    what, b.s, ngot, nwant);
	for (size_t i = 0; i < ngot && i < 64; i++)
		ck_assert_msg(got[i] == want[i],
		    "%s: %s: code point %zu: got U+%04X, want U+%04X", what,
		    b.s, i, got[i], want[i]);
	buf_release(&b);
}

/* --- esc_json ------------------------------------------------------------ */

struct json_case {
	const char *name;
	const char *in;
	size_t len;	/* 0: strlen */
	const char *want;
};

static const struct json_case json_cases[] = {
	{"ascii", "alice@smtplog.test", 0, "\"alice@smtplog.test\""},
	{"empty", "", 0, "\"\""},
	{"quote", "say \"hi\"", 0, "\"say \\\"hi\\\"\""},
	{"backslash", "C:\\dir\\", 0, "\"C:\\\\dir\\\\\""},
	{"slash is fine", "a/b", 0, "\"a/b\""},
	{"newline", "a\nb", 0, "\"a\\nb\""},
	{"crlf", "\r\n", 0, "\"\\r\\n\""},
	{"tab", "\t", 0, "\"\\t\""},
	{"nul", "a\0b", 3, "\"a\\u0000b\""},
	{"escape", "\x1b[0m", 0, "\"\\u001b[0m\""},
	{"DEL", "\x7f", 0, "\"\\u007f\""},
	{"C1", "\xc2\x85", 0, "\"\\u0085\""},
	{"latin", "h\xc3\xa9", 0, "\"h\xc3\xa9\""},
	{"emoji", "\xf0\x9f\x98\x80", 0, "\"\xf0\x9f\x98\x80\""},
	{"invalid byte", "a\xffz", 0, "\"a\\ufffdz\""},
	{"lone continuation", "\x80", 0, "\"\\ufffd\""},
	{"U+2028", "a\xe2\x80\xa8", 0, "\"a\\u2028\""},
	{"U+2029", "\xe2\x80\xa9z", 0, "\"\\u2029z\""},
	{"U+2027 passes", "\xe2\x80\xa7", 0, "\"\xe2\x80\xa7\""},
	/* esc_json() copies clean runs eight bytes at a time: one byte to
	 * escape at the start, the middle and the end of a long run, and
	 * characters across the eight-byte steps */
	{"long, quote first", "\"0123456789abcdefghijklmnopqrstuvwxyz", 0,
	    "\"\\\"0123456789abcdefghijklmnopqrstuvwxyz\""},
	{"long, ESC in the middle", "0123456789abcdefg\x1bhijklmnopqrstuvwxyz",
	    0, "\"0123456789abcdefg\\u001bhijklmnopqrstuvwxyz\""},
	{"long, backslash last", "0123456789abcdefghijklmnopqrstuvwxyz\\", 0,
	    "\"0123456789abcdefghijklmnopqrstuvwxyz\\\\\""},
	{"long, DEL last", "0123456789abcdefghijklmnopqrstuvwxyz\x7f", 0,
	    "\"0123456789abcdefghijklmnopqrstuvwxyz\\u007f\""},
	{"long, NUL at byte 8", "01234567\0" "89abcdefghijklmnop", 27,
	    "\"01234567\\u000089abcdefghijklmnop\""},
	{"long, tab at byte 7", "0123456\t789abcdefghijklmnop", 0,
	    "\"0123456\\t789abcdefghijklmnop\""},
	{"truncated UTF-8 across a step", "0123456\xe2\x82" "789abcdefg", 0,
	    "\"0123456\\ufffd\\ufffd789abcdefg\""},
	{"UTF-8 across a step", "0123456\xe2\x82\xac" "789abcdefghij", 0,
	    "\"0123456\xe2\x82\xac" "789abcdefghij\""},
	{"C1 across a step", "0123456\xc2\x85" "789abcdefghij", 0,
	    "\"0123456\\u0085789abcdefghij\""},
	{"U+2028 across a step", "012345\xe2\x80\xa8" "789abcdefghij", 0,
	    "\"012345\\u2028789abcdefghij\""},
	{"lead byte last after a step", "0123456789abcdef\xc3", 0,
	    "\"0123456789abcdef\\ufffd\""},
	{"continuation first of a step", "01234567\x80" "89abcdef", 0,
	    "\"01234567\\ufffd89abcdef\""},
};

START_TEST(json_table)
{
	const struct json_case *c = &json_cases[_i];
	size_t n = c->len ? c->len : strlen(c->in);
	struct buf b = BUF_INIT;

	buf_add(&b, "x:", 2);	/* appends, does not replace */
	esc_json(&b, c->in, n);
	ck_assert_msg(b.len == 2 + strlen(c->want) &&
	    memcmp(b.s, "x:", 2) == 0 && strcmp(b.s + 2, c->want) == 0,
	    "%s: got '%s', want 'x:%s'", c->name, b.s, c->want);
	check_json(c->name, (const unsigned char *)c->in, n);
	buf_release(&b);
}
END_TEST

START_TEST(json_null)
{
	struct buf b = BUF_INIT;

	esc_json(&b, NULL, 0);
	ck_assert_msg(strcmp(b.s, "null") == 0, "got '%s', want null", b.s);
	buf_reset(&b);
	esc_json(&b, NULL, 5);
	ck_assert_str_eq(b.s, "null");
	buf_reset(&b);
	esc_json_str(&b, NULL);
	ck_assert_str_eq(b.s, "null");
	buf_reset(&b);
	esc_json_str(&b, "a\"b");
	ck_assert_str_eq(b.s, "\"a\\\"b\"");
	buf_release(&b);
}
END_TEST

/*
 * esc_json() as it was before clean runs were copied a word at a time,
 * one byte per test: the reference for the fast path.
 */
static void
ref_json(struct buf *b, const unsigned char *s, size_t n)
{
	buf_addc(b, '"');
	for (size_t i = 0; i < n;) {
		unsigned c = s[i], v = c;
		size_t len = 1;
		bool ok = true;

		if (c >= 0x80) {
			len = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 &&
			    c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
			v = c & (len == 2 ? 0x1f : len == 3 ? 0x0f : 0x07);
			ok = len > 0 && i + len <= n;
			for (size_t k = 1; ok && k < len; k++) {
				ok = (s[i + k] & 0xc0) == 0x80;
				v = (v << 6) | (s[i + k] & 0x3f);
			}
			ok = ok && !((len == 3 && v < 0x800) ||
			    (len == 4 && v < 0x10000) || v > 0x10ffff ||
			    (v >= 0xd800 && v <= 0xdfff));
		}
		if (!ok) {
			buf_add(b, "\\ufffd", 6);
			i++;
			continue;
		}
		if (v == '"' || v == '\\')
			buf_addf(b, "\\%c", (char)v);
		else if (v == '\n' || v == '\t' || v == '\r')
			buf_addf(b, "\\%c", v == '\n' ? 'n' :
			    v == '\t' ? 't' : 'r');
		else if (v < 0x20 || v == 0x7f || (v >= 0x80 && v < 0xa0) ||
		    v == 0x2028 || v == 0x2029)
			buf_addf(b, "\\u%04x", v);
		else
			buf_add(b, (const char *)s + i, len);
		i += len;
	}
	buf_addc(b, '"');
}

static void
same_as_ref(const char *what, const unsigned char *in, size_t n)
{
	struct buf got = BUF_INIT, want = BUF_INIT;

	esc_json(&got, (const char *)in, n);
	ref_json(&want, in, n);
	ck_assert_msg(got.len == want.len && memcmp(got.s, want.s,
	    got.len) == 0, "%s: got '%s', want '%s'", what, got.s, want.s);
	buf_release(&got);
	buf_release(&want);
}

/*
 * Every byte at every place of a 40-byte clean run, and characters of
 * two to four bytes, valid and not, across every eight-byte step.
 */
START_TEST(json_in_long_runs)
{
	static const char *const seqs[] = {
		"\xc3\xa9", "\xc2\x85", "\xe2\x82\xac", "\xe2\x80\xa8",
		"\xe2\x80\xa9", "\xf0\x9f\x98\x80", "\xe2\x82", "\xc3",
		"\xed\xa0\x80", "\xf4\x90\x80\x80", "\"\\", "\r\n",
	};
	unsigned char in[48];
	char what[64];

	for (size_t pos = 0; pos < 40; pos++) {
		for (int c = 0; c < 256; c++) {
			memset(in, 'a' + (int)pos % 26, sizeof(in));
			in[pos] = (unsigned char)c;
			snprintf(what, sizeof(what), "byte 0x%02x at %zu", c,
			    pos);
			same_as_ref(what, in, 40);
			same_as_ref(what, in, pos + 1);	/* last byte */
		}
		for (size_t k = 0; k < ARRAY_SIZE(seqs); k++) {
			size_t len = strlen(seqs[k]);

			memset(in, '.', sizeof(in));
			memcpy(in + pos, seqs[k], len);
			snprintf(what, sizeof(what), "sequence %zu at %zu", k,
			    pos);
			same_as_ref(what, in, 40 + len);
			same_as_ref(what, in, pos + len - 1);	/* cut */
		}
	}
}
END_TEST

/*
 * Every length up to 40 with one byte to escape at every place of it: the
 * last eight bytes of a run are copied over the ones before them, which
 * must not hide a byte to escape or skip one never looked at.
 */
START_TEST(json_every_length)
{
	static const unsigned char bad[] = {'"', '\\', '\n', 0x01, 0x7f,
	    0xc3, 0xff};
	unsigned char in[40];
	char what[64];

	for (size_t n = 1; n <= sizeof(in); n++)
		for (size_t pos = 0; pos < n; pos++)
			for (size_t k = 0; k < sizeof(bad); k++) {
				memset(in, 'a' + (int)n % 26, sizeof(in));
				in[pos] = bad[k];
				snprintf(what, sizeof(what), "0x%02x at %zu of "
				    "%zu", bad[k], pos, n);
				same_as_ref(what, in, n);
			}
}
END_TEST

/*
 * esc_json_pre(): the prefix as it is, then esc_json()'s text, for
 * prefixes of every length to 19 and texts of every length to 40 with a
 * byte to escape anywhere or none; each text in a block of its own size,
 * so that a read past either end shows under valgrind or ASan, and each
 * appended to a buffer of every fill, so that growing it is seen too.
 */
static void
same_with_prefix(const char *pre, size_t np, size_t n, size_t pos,
    unsigned char bad)
{
	unsigned char *in = malloc(n ? n : 1);
	struct buf got = BUF_INIT, want = BUF_INIT;

	memset(in, 'a' + (int)(n % 26), n);
	if (pos < n)
		in[pos] = bad;
	buf_add(&got, "0123456789", (n + bad) % 11);
	buf_add(&want, got.s, got.len);
	buf_add(&want, pre, np);
	ref_json(&want, in, n);
	esc_json_pre(&got, pre, np, (const char *)in, n);
	ck_assert_msg(got.len == want.len && strcmp(got.s, want.s) == 0,
	    "prefix %zu, 0x%02x at %zu of %zu: got '%s', want '%s'", np,
	    bad, pos, n, got.s, want.s);
	free(in);
	buf_release(&got);
	buf_release(&want);
}

START_TEST(json_with_prefix)
{
	static const char pre[] = ",\"remote_phase\":xyz";
	static const unsigned char bad[] = {0, '"', 0x01, 0xc3};

	for (size_t np = 0; np < sizeof(pre); np++)
		for (size_t n = 0; n <= 40; n++) {
			same_with_prefix(pre, np, n, n, 'a');	/* none */
			for (size_t pos = 0; pos < n; pos++)
				for (size_t k = 0; k < sizeof(bad); k++)
					same_with_prefix(pre, np, n, pos,
					    bad[k]);
		}
}
END_TEST

/* The prefix before a NULL text, which gives null. */
START_TEST(json_null_with_prefix)
{
	struct buf b = BUF_INIT;

	esc_json_pre(&b, ",\"hint\":", 8, NULL, 0);
	ck_assert_str_eq(b.s, ",\"hint\":null");
	ck_assert_uint_eq(b.len, strlen(",\"hint\":null"));
	buf_release(&b);
}
END_TEST

/* Every single byte gives valid JSON: itself, an escape, or U+FFFD. */
START_TEST(json_single_bytes)
{
	unsigned char in = (unsigned char)_i;
	char what[16];

	snprintf(what, sizeof(what), "byte 0x%02x", _i);
	check_json(what, &in, 1);
}
END_TEST

/* Every pair of bytes. */
START_TEST(json_byte_pairs)
{
	unsigned char in[2];
	char what[16];

	for (int a = 0; a < 256; a++)
		for (int b = 0; b < 256; b++) {
			in[0] = (unsigned char)a;
			in[1] = (unsigned char)b;
			snprintf(what, sizeof(what), "%02x %02x", a, b);
			check_json(what, in, 2);
		}
}
END_TEST

/* Invalid sequences, and random bytes biased towards UTF-8 lead bytes. */
START_TEST(json_invalid_sequences)
{
	static const char *const seqs[] = {
		"\xc0\xaf", "\xe0\x80\xaf", "\xf0\x80\x80\xaf",
		"\xed\xa0\x80", "\xed\xbf\xbf", "\xf4\x90\x80\x80",
		"\xf8\x88\x80\x80\x80", "\xe2\x82", "a\xe2\x82z",
		"\xc3(", "\xff\xc3\xa9", "M\xfcller \"q\" \\",
		"\xe2\x80\xa8\xe2\x80\xa9",	/* valid: U+2028, U+2029 */
	};
	uint32_t x = 2463534242u;
	unsigned char in[12];

	for (size_t i = 0; i < ARRAY_SIZE(seqs); i++)
		check_json(seqs[i], (const unsigned char *)seqs[i],
		    strlen(seqs[i]));
	for (int r = 0; r < 200000; r++) {
		size_t n = 1 + (size_t)r % sizeof(in);
		char what[64];

		for (size_t k = 0; k < n; k++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			in[k] = (unsigned char)(x % 4 ? 0x80 + x % 0x80 : x);
		}
		snprintf(what, sizeof(what), "random #%d", r);
		check_json(what, in, n);
	}
}
END_TEST

static Suite *
escape_suite(void)
{
	Suite *s = suite_create("escape");
	TCase *tc;

	tc = tcase_create("text");
	tcase_add_loop_test(tc, text_table, 0, (int)ARRAY_SIZE(text_cases));
	tcase_add_loop_test(tc, text_single_bytes, 0, 256);
	tcase_add_test(tc, text_no_control_out);
	tcase_add_test(tc, text_reversible);
	suite_add_tcase(s, tc);

	tc = tcase_create("json");
	tcase_add_loop_test(tc, json_table, 0, (int)ARRAY_SIZE(json_cases));
	tcase_add_test(tc, json_null);
	tcase_add_loop_test(tc, json_single_bytes, 0, 256);
	tcase_add_test(tc, json_byte_pairs);
	tcase_add_test(tc, json_in_long_runs);
	tcase_add_test(tc, json_every_length);
	tcase_add_test(tc, json_with_prefix);
	tcase_add_test(tc, json_null_with_prefix);
	tcase_add_test(tc, json_invalid_sequences);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(escape_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
