/*
 * suggest - see suggest.h. Names are short (option values, cause classes),
 * so the distance is computed in three rows on the stack; longer words
 * are never close to anything we know and get no suggestion.
 */
#include "config.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "diag.h"
#include "suggest.h"
#include "util.h"

#define SUGGEST_MAX 64	/* longer words get no suggestion */

size_t
suggest_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t rows[3][SUGGEST_MAX + 1];
	size_t *pp = rows[0], *p = rows[1], *c = rows[2];

	if (la > SUGGEST_MAX || lb > SUGGEST_MAX)
		return (size_t)-1;
	for (size_t j = 0; j <= lb; j++)
		p[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t *t;

		c[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			int ca = tolower((unsigned char)a[i - 1]);
			int cb = tolower((unsigned char)b[j - 1]);
			size_t best = p[j - 1] + (ca != cb);

			if (p[j] + 1 < best)
				best = p[j] + 1;
			if (c[j - 1] + 1 < best)
				best = c[j - 1] + 1;
			if (i > 1 && j > 1 &&
			    ca == tolower((unsigned char)b[j - 2]) &&
			    cb == tolower((unsigned char)a[i - 2]) &&
			    pp[j - 2] + 1 < best)
				best = pp[j - 2] + 1;
			c[j] = best;
		}
		t = pp;
		pp = p;
		p = c;
		c = t;
	}
	return p[lb];
}

/* How far a name may be from what was typed: a third of the longer. */
static size_t
allowed(const char *typed, const char *name)
{
	size_t lt = strlen(typed), ln = strlen(name);
	size_t n = (lt > ln ? lt : ln) / 3;

	return n < 1 ? 1 : n > 3 ? 3 : n;
}

const char *
suggest_closest(const char *s, const char *const *names, size_t n)
{
	const char *best = NULL, *prefix = NULL;
	size_t bestd = (size_t)-1, nprefix = 0, len = strlen(s);
	int ties = 0;

	for (size_t i = 0; i < n; i++) {
		size_t d = suggest_distance(s, names[i]);

		if (len > 0 && strncasecmp(s, names[i], len) == 0) {
			prefix = names[i];
			nprefix++;
		}
		if (d > allowed(s, names[i]))
			continue;
		if (d < bestd) {
			best = names[i];
			bestd = d;
			ties = 0;
		} else if (d == bestd && strcmp(best, names[i]) != 0) {
			ties++;
		}
	}
	if (best != NULL && ties == 0)
		return best;
	if (nprefix == 1 && len >= 3)
		return prefix;
	return NULL;
}

void
suggest_phrase(struct buf *b, const char *what, const char *v,
    const char *const *names, size_t n)
{
	const char *near = suggest_closest(v, names, n);

	buf_addf(b, "unknown %s '%s'", what, v);
	if (near) {
		buf_addf(b, "; did you mean '%s'?", near);
	} else if (n > 0) {
		for (size_t i = 0; i < n && i < 12; i++)
			buf_addf(b, "%s%s", i ? ", " : " (", names[i]);
		buf_addf(b, "%s)", n > 12 ? ", ..." : "");
	}
}

void
suggest_unknown(const char *opt, const char *what, const char *v,
    const char *const *names, size_t n)
{
	struct buf b = BUF_INIT;

	if (opt)
		buf_addf(&b, "option '%s': ", opt);
	suggest_phrase(&b, what, v, names, n);
	diag_error("%s", b.s);
	buf_release(&b);
}
