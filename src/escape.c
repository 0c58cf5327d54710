/*
 * escape - see escape.h.
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>

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

void
esc_json(struct buf *b, const char *p, size_t n)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t i = 0;

	if (p == NULL) {
		buf_add(b, "null", 4);
		return;
	}
	buf_addc(b, '"');
	while (i < n) {
		unsigned cp;
		size_t len;
		size_t run = i;

		while (run < n && s[run] >= 0x20 && s[run] < 0x7f &&
		    s[run] != '"' && s[run] != '\\')
			run++;
		if (run > i) {
			buf_add(b, p + i, run - i);
			i = run;
			continue;
		}
		len = utf8_len(s + i, n - i, &cp);
		if (len == 0) {
			buf_add(b, "\\ufffd", 6);
			i++;
			continue;
		}
		if (cp == '"')
			buf_add(b, "\\\"", 2);
		else if (cp == '\\')
			buf_add(b, "\\\\", 2);
		else if (cp == '\n')
			buf_add(b, "\\n", 2);
		else if (cp == '\t')
			buf_add(b, "\\t", 2);
		else if (cp == '\r')
			buf_add(b, "\\r", 2);
		else if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) ||
		    cp == 0x2028 || cp == 0x2029)
			buf_addf(b, "\\u%04x", cp);
		else
			buf_add(b, p + i, len);
		i += len;
	}
	buf_addc(b, '"');
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
