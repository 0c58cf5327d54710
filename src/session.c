/*
 * session - the view of a session its consumers share, and ID look-up.
 *
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "session.h"

/* ASCII's tolower(), which is the C locale's: the program sets none */
static inline int
fold(char c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : (unsigned char)c;
}

/* A Message-ID, with or without its angle brackets. */
__attribute__((noinline)) static bool
id_eq_bracketed(const char *have, const char *id)
{
	size_t n;

	if (strcasecmp(have, id) == 0)
		return true;
	n = strlen(have);
	return have[n - 1] == '>' && strlen(id) == n - 2 &&
	    strncasecmp(have + 1, id, n - 2) == 0;
}

/* Inline: a session's fields are asked twenty times at its end, and most
 * part from the ID at their first two bytes. */
static inline bool
id_eq(const char *have, const char *id)
{
	if (have == NULL || *have == '\0')
		return false;
	if (*have == '<')
		return id_eq_bracketed(have, id);
	return fold(have[0]) == fold(id[0]) && fold(have[1]) == fold(id[1]) &&
	    strcasecmp(have, id) == 0;
}

const struct message *
session_message(const struct session *s, size_t *i, enum session_msgs which)
{
	while (*i < s->nmsgs) {
		const struct message *m = s->msgs[(*i)++];

		if (m->owner != s)
			continue;
		if (which == SESSION_FINAL && m->forwarded)
			continue;
		return m;
	}
	return NULL;
}

const struct rcpt *
session_rcpt(const struct session *s, struct session_iter *it)
{
	if (it->i < s->nrcpts)
		return &s->rcpts[it->i++];
	while (it->i - s->nrcpts < s->nmsgs) {
		const struct message *m = s->msgs[it->i - s->nrcpts];

		if (m->owner == s && !m->forwarded && it->j < m->nrcpts)
			return &m->rcpts[it->j++];
		it->i++;
		it->j = 0;
	}
	return NULL;
}

size_t
session_nrcpts(const struct session *s)
{
	struct session_iter it = SESSION_ITER_INIT;
	size_t n = 0;

	while (session_rcpt(s, &it) != NULL)
		n++;
	return n;
}

const char *
session_sender(const struct session *s)
{
	const struct message *m;
	size_t i = 0;

	if (s->sender)
		return s->sender;
	while ((m = session_message(s, &i, SESSION_OWNED)) != NULL)
		if (m->sender)
			return m->sender;
	return NULL;
}

static int
cmp_lineref(const void *a, const void *b)
{
	const struct lineref *x = a, *y = b;

	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

/*
 * Sorted by cmp_lineref(), equal ones kept in their order as glibc's
 * qsort() (a merge sort) keeps them: the first copy of a line is the one
 * session_lines() keeps. The lists joined are each in log order, so a
 * session's few lines are nearly sorted: an insertion sort is a few
 * compares a line where qsort() cost 600 instructions a session. Long
 * lists, which need not be nearly sorted, go to qsort().
 */
static void
sort_lines(struct lineref *v, size_t n)
{
	if (n > 64) {
		qsort(v, n, sizeof(*v), cmp_lineref);
		return;
	}
	for (size_t i = 1; i < n; i++) {
		struct lineref x = v[i];
		size_t j = i;

		while (j > 0 && cmp_lineref(&v[j - 1], &x) > 0) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = x;
	}
}

/* Sort the n lines of v and drop the repeats; returns how many remain. */
static size_t
sort_unique(struct lineref *v, size_t n)
{
	size_t k = 0;

	sort_lines(v, n);
	for (size_t j = 0; j < n; j++)
		if (k == 0 || cmp_lineref(&v[k - 1], &v[j]) != 0)
			v[k++] = v[j];
	return k;
}

size_t
session_lines(const struct session *s, struct lineref **out)
{
	size_t cap = 0;

	*out = NULL;
	return session_lines_buf(s, out, &cap);
}

size_t
session_lines_buf(const struct session *s, struct lineref **out,
    size_t *cap)
{
	const struct message *m;
	size_t n = s->nlines, k, i = 0;
	struct lineref *v;

	while ((m = session_message(s, &i, SESSION_OWNED)) != NULL)
		n += m->nlines;
	grow_array((void **)out, cap, n ? n : 1, sizeof(*v));
	v = *out;
	if (s->nlines)
		memcpy(v, s->lines, s->nlines * sizeof(*v));
	k = s->nlines;
	i = 0;
	while ((m = session_message(s, &i, SESSION_OWNED)) != NULL) {
		if (m->nlines)
			memcpy(v + k, m->lines, m->nlines * sizeof(*v));
		k += m->nlines;
	}
	*out = v;
	return sort_unique(v, k);
}

bool
session_has_id(const struct session *s, const char *id)
{
	struct session_iter it = SESSION_ITER_INIT;
	const struct message *m;
	const struct rcpt *r;
	size_t i = 0;

	if (id_eq(s->pid, id) || id_eq(s->session_id, id) ||
	    id_eq(s->client_ip, id) || id_eq(s->sender, id) ||
	    id_eq(s->label, id) || id_eq(s->queue, id) ||
	    id_eq(s->helo, id) || id_eq(s->sasl_user, id))
		return true;
	while ((r = session_rcpt(s, &it)) != NULL)
		if (id_eq(r->address, id) || id_eq(r->orig, id))
			return true;
	while ((m = session_message(s, &i, SESSION_OWNED)) != NULL)
		if (id_eq(m->queue, id) || id_eq(m->message_id, id) ||
		    id_eq(m->sender, id))
			return true;
	return false;
}

bool
message_null_sender(const struct message *m)
{
	return m->sender == NULL || *m->sender == '\0' ||
	    strcmp(m->sender, "<>") == 0;
}

bool
message_has_id(const struct message *m, const char *id)
{
	if (id_eq(m->queue, id) || id_eq(m->message_id, id) ||
	    id_eq(m->sender, id))
		return true;
	for (size_t i = 0; i < m->nrcpts; i++)
		if (id_eq(m->rcpts[i].address, id) ||
		    id_eq(m->rcpts[i].orig, id))
			return true;
	return false;
}

size_t
message_lines(const struct message *m, struct lineref **out)
{
	struct lineref *v = xmalloc((m->nlines ? m->nlines : 1) *
	    sizeof(*v));

	if (m->nlines)
		memcpy(v, m->lines, m->nlines * sizeof(*v));
	*out = v;
	return sort_unique(v, m->nlines);
}
