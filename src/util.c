/*
 * util - see util.h.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "diag.h"
#include "util.h"

bool
sv_eq_nocase(struct strview v, const char *s, size_t n)
{
	return v.p != NULL && v.len == n && strncasecmp(v.p, s, n) == 0;
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		diag_fatal("out of memory allocating %zu bytes", n);
	return p;
}

void *
xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);

	if (p == NULL)
		diag_fatal("out of memory allocating %zu bytes", n * sz);
	return p;
}

void *
xrealloc(void *old, size_t n)
{
	void *p = realloc(old, n ? n : 1);

	if (p == NULL)
		diag_fatal("out of memory allocating %zu bytes", n);
	return p;
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

void
grow_array(void **arr, size_t *cap, size_t need, size_t elsz)
{
	size_t n = *cap ? *cap : 8;

	if (need <= *cap)
		return;
	while (n < need)
		n *= 2;
	*arr = xrealloc(*arr, n * elsz);
	*cap = n;
}

/* Arena */

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, size;
	max_align_t data[];
};

/*
 * Chunks start small and double up to ARENA_CHUNK: most sessions keep a
 * few hundred bytes, and a log can have tens of thousands of them waiting
 * for their messages to leave the queue.
 */
#define ARENA_FIRST 256
#define ARENA_CHUNK 4096

void *
arena_alloc(struct arena *a, size_t n)
{
	struct arena_chunk *c = a->head;
	size_t align = sizeof(max_align_t);

	n = (n + align - 1) / align * align;
	if (c == NULL || c->size - c->used < n) {
		size_t size = c == NULL ? ARENA_FIRST :
		    c->size >= ARENA_CHUNK ? ARENA_CHUNK : c->size * 2;

		if (size < n)
			size = n;

		c = xmalloc(sizeof(*c) + size);
		c->size = size;
		c->used = 0;
		c->next = a->head;
		a->head = c;
	}
	c->used += n;
	return (char *)c->data + c->used - n;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void
arena_free(struct arena *a)
{
	struct arena_chunk *c, *next;

	for (c = a->head; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	a->head = NULL;
}

/*
 * Hash map: linear probing, tombstones on delete. At most half
 * full, tombstones included: sessions come and go all the time, and
 * linear probing slows down sharply past that.
 */

struct slot {
	char *key; /* NULL = empty; TOMBSTONE = deleted */
	size_t len;
	uint64_t hash;
	void *val;
};

struct strmap {
	struct slot *slots;
	size_t cap, count, used; /* used counts tombstones too */
};

static char tombstone;
#define TOMBSTONE (&tombstone)

/*
 * Eight bytes at a time, each word multiplied in and folded (the mixing of
 * MurmurHash's finaliser): keys are 20 to 60 bytes, and byte-wise FNV was
 * a tenth of the run time.
 */
uint64_t
hash_bytes(const char *s, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ull ^ n;
	uint64_t w;

	while (n >= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 29;
		s += 8;
		n -= 8;
	}
	if (n > 0) {
		w = 0;
		memcpy(&w, s, n);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
	}
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

struct strmap *
strmap_new(void)
{
	struct strmap *m = xcalloc(1, sizeof(*m));

	m->cap = 64;
	m->slots = xcalloc(m->cap, sizeof(struct slot));
	return m;
}

static struct slot *
find_slot(const struct strmap *m, const char *key, size_t len, uint64_t h)
{
	size_t mask = m->cap - 1;

	for (size_t i = h & mask;; i = (i + 1) & mask) {
		struct slot *s = &m->slots[i];

		if (s->key == NULL)
			return s;
		if (s->key != TOMBSTONE && s->hash == h && s->len == len &&
		    memcmp(s->key, key, len) == 0)
			return s;
	}
}

static void
rehash(struct strmap *m, size_t cap)
{
	struct slot *old = m->slots;
	size_t oldcap = m->cap;

	m->slots = xcalloc(cap, sizeof(struct slot));
	m->cap = cap;
	m->used = m->count;
	for (size_t i = 0; i < oldcap; i++) {
		if (old[i].key == NULL || old[i].key == TOMBSTONE)
			continue;
		*find_slot(m, old[i].key, old[i].len, old[i].hash) = old[i];
	}
	free(old);
}

void *
strmap_get(const struct strmap *m, const char *key, size_t len)
{
	struct slot *s = find_slot(m, key, len, hash_bytes(key, len));

	return s->key ? s->val : NULL;
}

void
strmap_put(struct strmap *m, const char *key, size_t len, void *val)
{
	uint64_t h = hash_bytes(key, len);
	struct slot *s;

	if ((m->used + 1) * 2 >= m->cap)
		rehash(m, (m->count + 1) * 4 >= m->cap ? m->cap * 2 : m->cap);
	s = find_slot(m, key, len, h);
	if (s->key == NULL) {
		s->key = xstrndup(key, len);
		s->len = len;
		s->hash = h;
		m->count++;
		m->used++;
	}
	s->val = val;
}

void *
strmap_del(struct strmap *m, const char *key, size_t len)
{
	struct slot *s = find_slot(m, key, len, hash_bytes(key, len));
	void *val;

	if (s->key == NULL)
		return NULL;
	val = s->val;
	free(s->key);
	s->key = TOMBSTONE;
	s->val = NULL;
	m->count--;
	return val;
}

size_t
strmap_count(const struct strmap *m)
{
	return m->count;
}

void
strmap_each(const struct strmap *m, void (*fn)(void *, void *), void *arg)
{
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].key != NULL && m->slots[i].key != TOMBSTONE)
			fn(m->slots[i].val, arg);
}

void
strmap_free(struct strmap *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].key != NULL && m->slots[i].key != TOMBSTONE)
			free(m->slots[i].key);
	free(m->slots);
	free(m);
}

/* Growing buffer */

void
buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;

		while (cap < b->len + n + 1)
			cap *= 2;
		b->s = xrealloc(b->s, cap);
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
buf_addc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

void
buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	char tmp[256];
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(tmp)) {
		buf_add(b, tmp, (size_t)n);
		return;
	}
	{
		char *big = xmalloc((size_t)n + 1);

		va_start(ap, fmt);
		vsnprintf(big, (size_t)n + 1, fmt, ap);
		va_end(ap);
		buf_add(b, big, (size_t)n);
		free(big);
	}
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = '\0';
}

void
buf_free(struct buf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}
