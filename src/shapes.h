/*
 * shapes - the most common shapes of the lines no pattern recognised.
 *
 * When a server's lines go unrecognised, the admin needs to see which
 * kinds of line, not a thousand instances of one: a line's shape is the
 * line with its addresses and numbers masked ("N-N-N N:N:N [N] N == ADDR
 * R=remote defer (N): ..."), so lines that differ only in those count as
 * one. The tally is bounded: past SHAPES_MAX distinct shapes new ones are
 * counted as "other" only, so a log of random garbage costs fixed memory.
 */
#ifndef SLA_SHAPES_H
#define SLA_SHAPES_H

#include <stddef.h>

#include "util.h"

#define SHAPES_MAX 4096
#define SHAPE_LEN 100	/* a shape keeps at most this many bytes */

struct shapes;

struct shapes *shapes_new(void);
void shapes_free(struct shapes *);

/* Count one line's shape. */
void shapes_add(struct shapes *, struct strview line);

/*
 * The shape of line into out (at least SHAPE_LEN + 1 bytes), NUL-ended:
 * a run of address characters around '@' becomes ADDR, a word holding a
 * digit (a number, an IP address part, an ID) becomes N. Returns its
 * length.
 */
size_t shapes_mask(struct strview line, char *out);

/*
 * The n most common shapes, most common first (ties: the first seen
 * first); returns how many there are (<= n). The strings live as long as
 * the tally.
 */
size_t shapes_top(const struct shapes *, size_t n, const char **shape,
    unsigned long *count);

/* Lines counted, and lines whose shape was not kept (past SHAPES_MAX). */
unsigned long shapes_total(const struct shapes *);
unsigned long shapes_other(const struct shapes *);

#endif
