/*
 * util - see util.h.
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

bool
sv_eq_nocase(struct strview v, const char *s, size_t n)
{
	return v.p != NULL && v.len == n && strncasecmp(v.p, s, n) == 0;
}

/*
 * Out of memory: say so as diag_fatal() would and exit 2. util is the
 * leaf every module uses, diag.c among them (through escape.c), so it
 * does not call diag.h itself: no include cycle.
 */
static _Noreturn void
no_memory(const char *what, size_t n, size_t size)
{
	if (size)	/* the words of diag_fatal()'s callers before */
		fprintf(stderr, "%s: fatal: out of memory: %zu elements of "
		    "%zu bytes\n", PACKAGE_NAME, n, size);
	else
		fprintf(stderr, "%s: fatal: out of memory %s %zu bytes\n",
		    PACKAGE_NAME, what, n);
	exit(2);
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		no_memory("allocating", n, 0);
	return p;
}

void *
xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);

	if (p == NULL)
		no_memory("allocating", n * sz, 0);
	return p;
}

void *
xrealloc(void *old, size_t n)
{
	void *p = realloc(old, n ? n : 1);

	if (p == NULL)
		no_memory("allocating", n, 0);
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
	/* a first array of about 64 bytes: most of a session's arrays
	 * (recipients, failures, lines) hold one to four elements, and tens
	 * of thousands of sessions and queued messages keep theirs for hours */
	size_t n = *cap ? *cap : elsz >= 64 ? 1 : elsz >= 16 ? 64 / elsz : 8;
	/* No object may be larger than PTRDIFF_MAX bytes (C17 6.5.6). */
	size_t max = (size_t)PTRDIFF_MAX / (elsz ? elsz : 1);

	if (need <= *cap)
		return;
	if (need > max)
		no_memory("growing to", need, elsz);
	while (n < need)
		n = n > max / 2 ? max : n * 2;
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
 * Chunks start small, the second as small as the first, then double up to
 * ARENA_CHUNK: most sessions and queued messages keep 100 to 400 bytes
 * (a held Exim session of the benchmark log about 100, its message 126),
 * and a log can have a hundred thousand of them waiting for their
 * messages to leave the queue (a queued message of the benchmark logs
 * kept 815 bytes of chunks for 351 used when the second chunk doubled).
 */
#define ARENA_FIRST 128
#define ARENA_CHUNK 4096

/* n bytes at a multiple of align (a power of two) from the chunk start */
__attribute__((noinline)) static void *
arena_take(struct arena *a, size_t n, size_t align)
{
	struct arena_chunk *c = a->head;
	size_t at = c ? (c->used + align - 1) & ~(align - 1) : 0;

	if (c == NULL || at > c->size || c->size - at < n) {
		size_t size = c == NULL || c->next == NULL ? ARENA_FIRST :
		    c->size >= ARENA_CHUNK ? ARENA_CHUNK : c->size * 2;

		if (size < n)
			size = n;
		c = xmalloc(sizeof(*c) + size);
		c->size = size;
		c->used = 0;
		c->next = a->head;
		a->head = c;
		at = 0;
	}
	c->used = at + n;
	return (char *)c->data + at;
}

void *
arena_alloc(struct arena *a, size_t n)
{
	return arena_take(a, n ? n : 1, sizeof(max_align_t));
}

/*
 * A string needs no alignment: packed, a queued message's ten strings
 * take about 60 bytes less than at max_align_t each. A million strings
 * in 300,000 lines, nearly all into a chunk with room: that case here,
 * the rest in arena_take(), kept out of line so that this one saves no
 * registers.
 */
char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	struct arena_chunk *c = a->head;
	char *p;

	if (c != NULL && c->size - c->used > n) {
		p = (char *)c->data + c->used;
		c->used += n + 1;
	} else {
		p = arena_take(a, n + 1, 1);
	}

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void
arena_reset(struct arena *a)
{
	struct arena_chunk *c = a->head, *next;

	for (; c != NULL && c->next != NULL; c = next) {
		next = c->next;
		free(c);
	}
	a->head = c;
	if (c != NULL && c->size != ARENA_FIRST)
		arena_release(a);
	else if (c != NULL)
		c->used = 0;
}

void
arena_release(struct arena *a)
{
	struct arena_chunk *c, *next;

	for (c = a->head; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	a->head = NULL;
}

/*
 * Hash map: linear probing, at most half full (linear probing slows down
 * sharply past that). A delete moves back the keys after it that may
 * (Knuth's algorithm R), so no slot is ever a tombstone: sessions come
 * and go all the time, and with tombstones the correlator's maps were
 * rebuilt in place every cap/16 insertions (a calloc() of the whole map
 * each time, 1.6% of its thread), and every lookup walked them.
 *
 * The keys come from the log (host names, HELO names, queue IDs), and so
 * from whoever connects to the mail server: with a hash anyone can compute,
 * keys chosen to share one slot make every insertion walk all the others
 * (100,000 of them cost minutes). The map's hash is keyed with a secret
 * drawn for each map (SipHash-1-3, as Rust's and Python's maps use), so
 * nobody outside the process can tell which keys collide.
 */

/*
 * 24 bytes: a queued message's slot is a good part of what a deferred
 * message costs while it waits, and a busy queue holds 100,000 of them.
 * The hash's low half both places the key (the capacity stays below
 * 2^32) and, compared first, spares most reads of a key that is not it.
 */
struct slot {
	char *key; /* NULL = empty */
	void *val;
	uint32_t hash;	/* the low half of the key's hash */
	uint32_t len;
};

struct strmap {
	struct slot *slots;
	size_t cap, count;
	uint64_t k0, k1;	/* the hash key */
	bool borrowed;	/* keys are the caller's (strmap_new_borrowed()) */
};

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

#define ROTL(x, b) (((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND(v0, v1, v2, v3) do { \
		v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32); \
		v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2; \
		v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0; \
		v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32); \
	} while (0)

/* The 8 bytes at p as a little-endian word: one load on most machines. */
static inline uint64_t
le_word(const unsigned char *p)
{
	uint64_t w;

	memcpy(&w, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	w = __builtin_bswap64(w);
#endif
	return w;
}

/*
 * The last n (0 to 7) bytes of a message, which ends at p + n, as a word:
 * when the message has 8 bytes or more (whole), its last word shifted
 * down, one load instead of one per byte.
 */
static inline uint64_t
le_tail(const unsigned char *p, size_t n, bool whole)
{
	uint64_t w = 0;

	if (n == 0)
		return 0;
	if (whole)
		return le_word(p + n - 8) >> (8 * (8 - n));
	for (size_t i = 0; i < n; i++)
		w |= (uint64_t)p[i] << (8 * i);
	return w;
}

/*
 * SipHash with c rounds per word and d at the end, keyed (k0, k1), of n
 * bytes taken as little-endian words (Aumasson and Bernstein, 2012).
 */
static inline uint64_t
siphash(uint64_t k0, uint64_t k1, int c, int d, const char *s, size_t n)
{
	uint64_t v0 = k0 ^ 0x736f6d6570736575ull;
	uint64_t v1 = k1 ^ 0x646f72616e646f6dull;
	uint64_t v2 = k0 ^ 0x6c7967656e657261ull;
	uint64_t v3 = k1 ^ 0x7465646279746573ull;
	uint64_t b = (uint64_t)n << 56, m;
	const unsigned char *p = (const unsigned char *)s;
	bool whole = n >= 8;

	for (; n >= 8; n -= 8, p += 8) {
		m = le_word(p);
		v3 ^= m;
		for (int i = 0; i < c; i++)
			SIPROUND(v0, v1, v2, v3);
		v0 ^= m;
	}
	b |= le_tail(p, n, whole);
	v3 ^= b;
	for (int i = 0; i < c; i++)
		SIPROUND(v0, v1, v2, v3);
	v0 ^= b;
	v2 ^= 0xff;
	for (int i = 0; i < d; i++)
		SIPROUND(v0, v1, v2, v3);
	return v0 ^ v1 ^ v2 ^ v3;
}

/* SipHash-c-d of s with a 16-byte key, taken as two little-endian words. */
static uint64_t
siphash_bytes_key(const unsigned char key[16], int c, int d, const char *s,
    size_t n)
{
	uint64_t k[2] = {0, 0};

	for (int i = 0; i < 16; i++)
		k[i / 8] |= (uint64_t)key[i] << (8 * (i % 8));
	return siphash(k[0], k[1], c, d, s, n);
}

uint64_t
hash_siphash24(const unsigned char key[16], const char *s, size_t n)
{
	return siphash_bytes_key(key, 2, 4, s, n);
}

uint64_t
hash_siphash13(const unsigned char key[16], const char *s, size_t n)
{
	return siphash_bytes_key(key, 1, 3, s, n);
}

static uint64_t
map_hash(const struct strmap *m, const char *key, size_t len)
{
	return siphash(m->k0, m->k1, 1, 3, key, len);
}

uint64_t
strmap_hash(const struct strmap *m, const char *key, size_t len)
{
	return map_hash(m, key, len);
}

/*
 * The slot of a key of 8 to HASHMEMO_KEY bytes: its first and last words
 * and its length, multiplied and folded, not the whole key (hash_bytes()
 * cost half a SipHash). A correlator's keys differ most at the end (a
 * process ID, a queue ID) and often at the start (a host).
 */
static size_t
memo_slot(const char *key, size_t len)
{
	uint64_t a, b;

	memcpy(&a, key, 8);
	memcpy(&b, key + len - 8, 8);
	a = (a * 0x9e3779b97f4a7c15ull) ^ (b * 0xff51afd7ed558ccdull) ^ len;
	a ^= a >> 29;
	return (size_t)(a * 0xc4ceb9fe1a85ec53ull >> 56) &
	    (HASHMEMO_SLOTS - 1);
}

uint64_t
strmap_hash_memo(const struct strmap *m, struct hashmemo *hm, const char *key,
    size_t len)
{
	struct hashmemo_slot *e;

	if (len < 8 || len > HASHMEMO_KEY)
		return map_hash(m, key, len);
	e = &hm->e[memo_slot(key, len)];
	if (e->len != len || memcmp(e->key, key, len) != 0) {
		e->h = map_hash(m, key, len);
		e->len = len;
		memcpy(e->key, key, len);
	}
	return e->h;
}

/*
 * A key for a new map: from the kernel's random pool, or, where that is
 * not to be had, from the clock, the process and the map's address mixed
 * through SipHash (enough that no other process can know it).
 */
static void
map_key(struct strmap *m)
{
	static uint64_t count;
	uint64_t k[2], mix[4];
	struct timespec t;

	if (getrandom(k, sizeof(k), GRND_NONBLOCK) == (ssize_t)sizeof(k)) {
		m->k0 = k[0];
		m->k1 = k[1];
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &t);
	mix[0] = (uint64_t)t.tv_sec ^ (uint64_t)time(NULL) << 32;
	mix[1] = (uint64_t)t.tv_nsec ^ (uint64_t)getpid() << 32;
	mix[2] = (uint64_t)(uintptr_t)m ^ (uint64_t)(uintptr_t)&count;
	mix[3] = ++count;
	m->k0 = siphash(mix[0], mix[1], 2, 4, (const char *)mix, sizeof(mix));
	m->k1 = siphash(mix[2], mix[3], 2, 4, (const char *)mix, sizeof(mix));
}

struct strmap *
strmap_new(void)
{
	struct strmap *m = xcalloc(1, sizeof(*m));

	m->cap = 64;
	m->slots = xcalloc(m->cap, sizeof(struct slot));
	map_key(m);
	return m;
}

struct strmap *
strmap_new_borrowed(void)
{
	struct strmap *m = strmap_new();

	m->borrowed = true;
	return m;
}

static struct slot *
find_slot(const struct strmap *m, const char *key, size_t len, uint32_t h)
{
	size_t mask = m->cap - 1;

	for (size_t i = h & mask;; i = (i + 1) & mask) {
		struct slot *s = &m->slots[i];

		if (s->key == NULL)
			return s;
		if (s->hash == h && s->len == len &&
		    memcmp(s->key, key, len) == 0)
			return s;
	}
}

static void
rehash(struct strmap *m, size_t cap)
{
	struct slot *old = m->slots;
	size_t oldcap = m->cap;

	if (cap > (size_t)UINT32_MAX + 1)
		no_memory("a map of", cap, sizeof(struct slot));
	m->slots = xcalloc(cap, sizeof(struct slot));
	m->cap = cap;
	for (size_t i = 0; i < oldcap; i++) {
		if (old[i].key == NULL)
			continue;
		*find_slot(m, old[i].key, old[i].len, old[i].hash) = old[i];
	}
	free(old);
}

void *
strmap_get(const struct strmap *m, const char *key, size_t len)
{
	return strmap_get_h(m, key, len, map_hash(m, key, len));
}

void *
strmap_get_h(const struct strmap *m, const char *key, size_t len,
    uint64_t h)
{
	struct slot *s = find_slot(m, key, len, (uint32_t)h);

	return s->key ? s->val : NULL;
}

void
strmap_put(struct strmap *m, const char *key, size_t len, void *val)
{
	strmap_put_h(m, key, len, map_hash(m, key, len), val);
}

void
strmap_put_h(struct strmap *m, const char *key, size_t len, uint64_t h,
    void *val)
{
	struct slot *s;

	if (len > UINT32_MAX)
		no_memory("a map key of", len, 1);
	/* at most half full: doubled at half, not earlier, since a queue
	 * of 100,000 messages (--max-open) would take 524,288 slots,
	 * 12 MiB, and as much again while it is rebuilt */
	if ((m->count + 1) * 2 >= m->cap)
		rehash(m, m->cap * 2);
	s = find_slot(m, key, len, (uint32_t)h);
	if (s->key == NULL) {
		s->key = m->borrowed ? (char *)key : xstrndup(key, len);
		s->len = (uint32_t)len;
		s->hash = (uint32_t)h;
		m->count++;
	} else if (m->borrowed) {
		s->key = (char *)key;	/* the old value's may go */
	}
	s->val = val;
}

/*
 * Empty the live slot s; its value. Each key after the hole, up to the
 * next empty slot, moves into the hole unless its own slot (where its
 * probe starts) lies after the hole: then a lookup would no longer reach
 * it. The key moved leaves the next hole.
 */
static void *
slot_del(struct strmap *m, struct slot *s)
{
	size_t mask = m->cap - 1;
	size_t hole = (size_t)(s - m->slots);
	void *val = s->val;

	if (!m->borrowed)
		free(s->key);
	for (size_t j = (hole + 1) & mask; m->slots[j].key != NULL;
	    j = (j + 1) & mask) {
		size_t home = m->slots[j].hash & mask;

		/* home in (hole, j], cyclically: it stays */
		if (((j - home) & mask) < ((j - hole) & mask))
			continue;
		m->slots[hole] = m->slots[j];
		hole = j;
	}
	m->slots[hole].key = NULL;
	m->slots[hole].val = NULL;
	m->count--;
	return val;
}

void *
strmap_del(struct strmap *m, const char *key, size_t len)
{
	return strmap_del_h(m, key, len, map_hash(m, key, len));
}

void *
strmap_del_h(struct strmap *m, const char *key, size_t len, uint64_t h)
{
	struct slot *s = find_slot(m, key, len, (uint32_t)h);

	return s->key ? slot_del(m, s) : NULL;
}

bool
strmap_del_val(struct strmap *m, const char *key, size_t len,
    const void *val)
{
	return strmap_del_val_h(m, key, len, map_hash(m, key, len), val);
}

bool
strmap_del_val_h(struct strmap *m, const char *key, size_t len, uint64_t h,
    const void *val)
{
	struct slot *s = find_slot(m, key, len, (uint32_t)h);

	if (s->key == NULL || s->val != val)
		return false;
	slot_del(m, s);
	return true;
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
		if (m->slots[i].key != NULL)
			fn(m->slots[i].val, arg);
}

void
strmap_free(struct strmap *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->cap && !m->borrowed; i++)
		if (m->slots[i].key != NULL)
			free(m->slots[i].key);
	free(m->slots);
	free(m);
}

/* Growing buffer */

/* The s of every buffer that owns no memory; nothing writes to it. */
char buf_empty[1];

void
buf_init(struct buf *b)
{
	b->s = buf_empty;
	b->len = b->cap = 0;
}

void
buf_grow(struct buf *b, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;

		while (cap < b->len + n + 1)
			cap *= 2;
		/* cap 0: s is buf_empty, not ours to realloc */
		b->s = xrealloc(b->cap ? b->s : NULL, cap);
		b->cap = cap;
	}
}

void
buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap)
		buf_grow(b, n);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
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
	if (b->cap)
		b->s[0] = '\0';
}

void
buf_release(struct buf *b)
{
	if (b->cap)
		free(b->s);
	buf_init(b);
}
