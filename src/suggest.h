/*
 * suggest - "did you mean ...?" for a mistyped name.
 *
 * A postmaster who types --cause unkown-user, --phase rpct or --format
 * jsno gets the closest known name instead of a silent empty report or
 * a list to read through. Closeness is the optimal-string-alignment edit
 * distance (a swap of two neighbours counts one), compared without regard
 * to case; a name is close enough when it is at most a third of the
 * longer word's length away (at least 1, at most 3). A word that starts exactly one
 * known name is a prefix of that name: "unknown" suggests "unknown-user".
 */
#ifndef SLA_SUGGEST_H
#define SLA_SUGGEST_H

#include <stddef.h>

/*
 * The name of names[0..n) closest to s, or NULL when none is close
 * enough or two are equally close. s itself, when it is in names, is
 * returned as it is spelt there.
 */
const char *suggest_closest(const char *s, const char *const *names,
    size_t n);

/*
 * Report an unknown value of an option, on one line:
 *
 *	option '--phase': unknown phase 'rpct'; did you mean 'rcpt'?
 *	option '--phase': unknown phase 'x' (pre-greeting, helo, ...)
 *
 * the list when nothing is close (at most the first 12 names, then
 * "..."). what names the kind of value ("phase"); opt may be NULL.
 */
void suggest_unknown(const char *opt, const char *what, const char *v,
    const char *const *names, size_t n);

struct buf;
/* The same words without the option and without printing them:
 * "unknown phase 'rpct'; did you mean 'rcpt'?", added to b. */
void suggest_phrase(struct buf *b, const char *what, const char *v,
    const char *const *names, size_t n);

/* The edit distance of a and b, case folded; for tests. */
size_t suggest_distance(const char *a, const char *b);

#endif
