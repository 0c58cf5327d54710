/*
 * term - see term.h. The width of a line is counted in characters: a
 * UTF-8 lead byte starts one, continuation bytes add none, our own SGR
 * sequences ("ESC [ ... m") none.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "term.h"

static const char *const color_names[TERM_COLOR__COUNT] = {
	[TERM_COLOR_AUTO] = "auto",
	[TERM_COLOR_ALWAYS] = "always",
	[TERM_COLOR_NEVER] = "never",
};

/* ok green, failed bold red, partial yellow, incomplete magenta, phases
 * cyan, headings bold */
static const char *const sgr[PAINT__COUNT] = {
	[PAINT_OK] = "\033[32m",
	[PAINT_FAILED] = "\033[1;31m",
	[PAINT_PARTIAL] = "\033[33m",
	[PAINT_INCOMPLETE] = "\033[35m",
	[PAINT_PHASE] = "\033[36m",
	[PAINT_HEADING] = "\033[1m",
};

enum term_color
term_color_by_name(const char *s, size_t len)
{
	for (int i = 0; i < TERM_COLOR__COUNT; i++)
		if (strlen(color_names[i]) == len &&
		    memcmp(s, color_names[i], len) == 0)
			return (enum term_color)i;
	return TERM_COLOR_NONE;
}

const char *
term_color_name(enum term_color c)
{
	return c >= 0 && c < TERM_COLOR__COUNT ? color_names[c] : NULL;
}

static int
env_columns(void)
{
	const char *s = getenv("COLUMNS");
	char *end;
	long n;

	if (s == NULL || *s == '\0')
		return 0;
	n = strtol(s, &end, 10);
	return *end == '\0' && n > 0 && n < 10000 ? (int)n : 0;
}

void
term_init(struct term *t, FILE *out, enum term_color c)
{
	int fd = fileno(out);
	bool tty = fd >= 0 && isatty(fd);
	const char *nc = getenv("NO_COLOR"), *tn = getenv("TERM");

	t->width = TERM_WIDTH_DEFAULT;
	if (tty) {
		struct winsize ws;
		int n = env_columns();

		if (n == 0 && ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
			n = ws.ws_col;
		if (n > 0)
			t->width = n < 40 ? 40 : n;
	}
	switch (c) {
	case TERM_COLOR_ALWAYS:
		t->color = true;
		break;
	case TERM_COLOR_NEVER:
		t->color = false;
		break;
	default:
		t->color = tty && (nc == NULL || *nc == '\0') &&
		    (tn == NULL || strcmp(tn, "dumb") != 0);
		break;
	}
}

const char *
term_sgr(const struct term *t, enum term_paint p)
{
	return t && t->color && p >= 0 && p < PAINT__COUNT ? sgr[p] : "";
}

const char *
term_sgr_end(const struct term *t)
{
	return t && t->color ? "\033[m" : "";
}

/* Bytes of an SGR sequence at s (ESC [ digits/; m), or 0. */
static size_t
sgr_len(const char *s, size_t len)
{
	size_t i = 2;

	if (len < 3 || s[0] != '\033' || s[1] != '[')
		return 0;
	while (i < len && (s[i] == ';' || (s[i] >= '0' && s[i] <= '9')))
		i++;
	return i < len && s[i] == 'm' ? i + 1 : 0;
}

size_t
term_columns(const char *s, size_t len)
{
	size_t cols = 0, k;

	for (size_t i = 0; i < len; i++) {
		if ((k = sgr_len(s + i, len - i)) > 0) {
			i += k - 1;
			continue;
		}
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			cols++;
	}
	return cols;
}

/* One line (no '\n') cut to width. */
static void
fit_line(FILE *out, const char *s, size_t len, size_t width)
{
	size_t cols = 0, keep = width > 3 ? width - 3 : 0, i, k;
	bool open = false;

	if (width == 0 || term_columns(s, len) <= width) {
		fwrite(s, 1, len, out);
		return;
	}
	for (i = 0; i < len; i++) {
		if ((k = sgr_len(s + i, len - i)) > 0) {
			open = k != 3;	/* "ESC [ m" resets */
			fwrite(s + i, 1, k, out);
			i += k - 1;
			continue;
		}
		if (((unsigned char)s[i] & 0xc0) != 0x80) {
			if (cols == keep)
				break;
			cols++;
		}
		fputc(s[i], out);
	}
	fputs("...", out);
	if (open)
		fputs("\033[m", out);
}

void
term_fit(FILE *out, const char *text, size_t len, int width)
{
	while (len > 0) {
		const char *nl = memchr(text, '\n', len);
		size_t n = nl ? (size_t)(nl - text) : len;

		fit_line(out, text, n, width > 0 ? (size_t)width : 0);
		if (nl == NULL)
			break;
		fputc('\n', out);
		text += n + 1;
		len -= n + 1;
	}
}
