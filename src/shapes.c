/*
 * shapes - tally the masked shapes of unrecognised lines (shapes.h).
 *
 * Why masking by character classes and not by each server's grammar: the
 * lines counted here are exactly those no pattern file understood, so the
 * only knowledge that applies is what every log line shares: addresses
 * hold '@', numbers, addresses and IDs hold digits.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "shapes.h"
#include "util.h"

struct shape {
	unsigned long n;
	size_t order;	/* first seen: keeps ties in log order */
	char s[];
};

struct shapes {
	struct strmap *map;
	struct shape **v;	/* every kept shape, in order first seen */
	size_t nv, cap;
	unsigned long total, other;
};

struct shapes *
shapes_new(void)
{
	struct shapes *t = xcalloc(1, sizeof(*t));

	t->map = strmap_new();
	return t;
}

void
shapes_free(struct shapes *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->nv; i++)
		free(t->v[i]);
	free(t->v);
	strmap_free(t->map);
	free(t);
}

/* Characters that end a token: an address or a word run inside one. */
static bool
is_delim(unsigned char c)
{
	return c <= ' ' || c >= 0x7f || strchr("<>()[]{}\",;:'|", c) != NULL;
}

static bool
is_word(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* Append n bytes of s to out at *len, within SHAPE_LEN. */
static void
put(char *out, size_t *len, const char *s, size_t n)
{
	if (*len + n > SHAPE_LEN)
		n = SHAPE_LEN - *len;
	memcpy(out + *len, s, n);
	*len += n;
}

/* A token without '@': words with a digit become N, the rest stays. */
static void
mask_token(const char *p, size_t n, char *out, size_t *len)
{
	size_t i = 0;

	while (i < n && *len < SHAPE_LEN) {
		size_t j = i;
		bool digit = false;

		if (!is_word((unsigned char)p[i])) {
			put(out, len, p + i, 1);
			i++;
			continue;
		}
		while (j < n && is_word((unsigned char)p[j])) {
			if (p[j] >= '0' && p[j] <= '9')
				digit = true;
			j++;
		}
		if (digit)
			put(out, len, "N", 1);
		else
			put(out, len, p + i, j - i);
		i = j;
	}
}

size_t
shapes_mask(struct strview line, char *out)
{
	size_t len = 0, i = 0;

	while (i < line.len && len < SHAPE_LEN) {
		unsigned char c = (unsigned char)line.p[i];
		size_t j = i;

		if (is_delim(c)) {
			/* runs of blanks and control bytes count as one */
			if (c <= ' ' || c >= 0x7f) {
				while (j < line.len &&
				    ((unsigned char)line.p[j] <= ' ' ||
				    (unsigned char)line.p[j] >= 0x7f))
					j++;
				put(out, &len, " ", 1);
				i = j;
			} else {
				put(out, &len, line.p + i, 1);
				i++;
			}
			continue;
		}
		while (j < line.len && !is_delim((unsigned char)line.p[j]))
			j++;
		if (memchr(line.p + i, '@', j - i) != NULL)
			put(out, &len, "ADDR", 4);
		else
			mask_token(line.p + i, j - i, out, &len);
		i = j;
	}
	out[len] = '\0';
	return len;
}

void
shapes_add(struct shapes *t, struct strview line)
{
	char buf[SHAPE_LEN + 1];
	size_t n = shapes_mask(line, buf);
	struct shape *s;

	t->total++;
	if ((s = strmap_get(t->map, buf, n)) != NULL) {
		s->n++;
		return;
	}
	if (t->nv >= SHAPES_MAX) {
		t->other++;
		return;
	}
	s = xmalloc(sizeof(*s) + n + 1);
	s->n = 1;
	s->order = t->nv;
	memcpy(s->s, buf, n + 1);
	grow_array((void **)&t->v, &t->cap, t->nv + 1, sizeof(*t->v));
	t->v[t->nv++] = s;
	strmap_put(t->map, buf, n, s);
}

size_t
shapes_top(const struct shapes *t, size_t n, const char **shape,
    unsigned long *count)
{
	size_t k = 0;

	/* n is small (3): a selection pass per place beats a sort */
	for (; k < n; k++) {
		const struct shape *best = NULL;

		for (size_t i = 0; i < t->nv; i++) {
			const struct shape *s = t->v[i];
			bool taken = false;

			for (size_t j = 0; j < k; j++)
				if (shape[j] == s->s)
					taken = true;
			if (taken)
				continue;
			if (best == NULL || s->n > best->n ||
			    (s->n == best->n && s->order < best->order))
				best = s;
		}
		if (best == NULL)
			break;
		shape[k] = best->s;
		count[k] = best->n;
	}
	return k;
}

unsigned long
shapes_total(const struct shapes *t)
{
	return t->total;
}

unsigned long
shapes_other(const struct shapes *t)
{
	return t->other;
}
