/*
 * term - fitting the text reports to the reader's screen: how wide a line
 * may be and whether it may carry colour.
 *
 * The summary is read on a terminal, in a mail and in a pager; it fits 80
 * columns unless standard output is a terminal, whose width (COLUMNS when
 * set, else the window's) is used instead, so the same command gives the
 * same bytes in cron and in a pipe. Colour (--color): "always", "never",
 * or "auto", which colours only a terminal, and only when NO_COLOR is
 * unset or empty and TERM is not "dumb" (https://no-color.org: an explicit
 * --color=always wins over NO_COLOR).
 *
 * Lines are cut, not wrapped: term_fit() shortens each line of a text to
 * the width, ending a cut line with "...". Widths count UTF-8 characters
 * (a wide character counts one) and skip the SGR sequences term_sgr()
 * gives; log text is escaped before it gets here (escape.h), so every
 * ESC byte in a report is one of ours.
 */
#ifndef SLA_TERM_H
#define SLA_TERM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum term_color {
	TERM_COLOR_NONE = -1,
	TERM_COLOR_AUTO,
	TERM_COLOR_ALWAYS,
	TERM_COLOR_NEVER,
	TERM_COLOR__COUNT
};

/* What a coloured word is. */
enum term_paint {
	PAINT_OK,
	PAINT_FAILED,
	PAINT_PARTIAL,
	PAINT_INCOMPLETE,
	PAINT_PHASE,
	PAINT_HEADING,
	PAINT__COUNT
};

struct term {
	int width;	/* columns a line may take */
	bool color;	/* SGR sequences wanted */
};

#define TERM_WIDTH_DEFAULT 80

/* "auto", "always", "never"; TERM_COLOR_NONE for anything else, and
 * NULL for its name (vocab.h's rule). */
enum term_color term_color_by_name(const char *, size_t);
const char *term_color_name(enum term_color);

/*
 * Decide width and colour for output to out: 80 columns unless out is a
 * terminal (then COLUMNS, else the window width, at least 40); colour as
 * the header says.
 */
void term_init(struct term *, FILE *out, enum term_color);

/* The SGR sequence that starts paint p, or "" without colour. */
const char *term_sgr(const struct term *, enum term_paint);
/* The SGR sequence that ends it, or "". */
const char *term_sgr_end(const struct term *);

/*
 * Write text (len bytes, lines ending in '\n') to out, each line cut to
 * width columns: a longer line keeps width - 3 columns and gets "...".
 * A colour open where a line is cut is closed. width <= 0: no cutting.
 */
void term_fit(FILE *out, const char *text, size_t len, int width);

/* The columns s (len bytes) takes on a terminal; for tests. */
size_t term_columns(const char *s, size_t len);

#endif
