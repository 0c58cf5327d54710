/*
 * util - memory, string views, arenas and a string-keyed hash map.
 *
 * Everything here dies on allocation failure (the x prefix, as in git and
 * OpenSMTPD): a log analyzer that cannot allocate has nothing useful left
 * to do, and callers stay free of error paths that can never be tested.
 *
 * A struct strview points into memory owned by someone else, usually the
 * reader's line buffer; it is valid until that owner moves on.
 *
 * Lifecycle names, one meaning each in every module (git's coding
 * guidelines):
 *	x_init(x), X_INIT	make x empty and usable; allocates nothing
 *	x_release(x)	free what x holds and leave x empty, as x_init()
 *			made it; x itself (often inside another struct or
 *			on the stack) is not freed and may be used again
 *	x_free(x)	release what x holds and free x itself, which
 *			x_new() or x_open() allocated; x_free(NULL) does
 *			nothing
 *	x_reset(x)	make x empty but keep its memory for reuse
 *	x_close(x)	an input's x_free: reader_close() closes the file
 *			and frees the reader, as fclose() does
 * No _clear or _destroy: a function that frees the struct it is given is
 * a _free, one that does not is a _release.
 */
#ifndef SLA_UTIL_H
#define SLA_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct strview {
	const char *p; /* NULL when unset */
	size_t len;
};

#define SV_SET(v) ((v).p != NULL)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static inline bool
sv_eq(struct strview v, const char *s)
{
	size_t n = strlen(s);

	return v.p != NULL && v.len == n && memcmp(v.p, s, n) == 0;
}

bool sv_eq_nocase(struct strview, const char *, size_t);
/* Whether one of the bytes of w is 0 (the bit trick of Mycroft, 1987). */
#define WORD_HAS_NUL(w, ones) ((((w) - (ones)) & ~(w) & ((ones) << 7)) != 0)

/*
 * Copy v's bytes up to the first NUL it may hold (a damaged log's) to dst,
 * which has room for v.len; no NUL is added. How many were copied; none
 * from an unset v. Inline, and whole words while none of their bytes is
 * NUL, the last ones overlapping the ones before: the correlator builds
 * a key of such fields (2 to 40 bytes each) for every line, and a loop a
 * byte at a time was 3% of its thread.
 */
static inline size_t
sv_copy_cstr(char *dst, struct strview v)
{
	const uint64_t ones = 0x0101010101010101ull;
	size_t n = v.len, i = 0;
	uint64_t w;
	uint32_t h, t;

	if (v.p == NULL)
		return 0;
	if (n >= 8) {
		for (; i + 8 <= n; i += 8) {
			memcpy(&w, v.p + i, 8);
			if (WORD_HAS_NUL(w, ones))
				break;
			memcpy(dst + i, &w, 8);
		}
		if (i == n)
			return n;
		memcpy(&w, v.p + n - 8, 8);
		if (i + 8 > n && !WORD_HAS_NUL(w, ones)) {
			memcpy(dst + n - 8, &w, 8);
			return n;
		}
	} else if (n >= 4) {
		memcpy(&h, v.p, 4);
		memcpy(&t, v.p + n - 4, 4);
		if (!WORD_HAS_NUL(h, (uint32_t)ones) &&
		    !WORD_HAS_NUL(t, (uint32_t)ones)) {
			memcpy(dst, &h, 4);
			memcpy(dst + n - 4, &t, 4);
			return n;
		}
	}
	/* a NUL somewhere after i, or fewer than four bytes */
	for (; i < n && v.p[i] != '\0'; i++)
		dst[i] = v.p[i];
	return i;
}

/*
 * A 64-bit hash of n bytes, fast and the same in every run: not for a
 * table whose keys come from the log, where anyone can choose keys that
 * collide (strmap keys its hash with a secret for that reason).
 */
uint64_t hash_bytes(const char *, size_t);

/*
 * The slot of a key in a small cache in front of a map or a table: the
 * key's length and its first and last eight bytes (four, or every byte
 * of a shorter key), mixed into 24 bits; not every byte, which cost more
 * than the rest of a look-up. Keys that differ only in their middle
 * share a value: for a cache that costs a miss, never a wrong answer.
 */
static inline uint64_t
hash_ends(const char *s, size_t n)
{
	uint64_t a = 0, z = 0, h;
	uint32_t c, d;

	if (n >= 8) {
		memcpy(&a, s, 8);
		memcpy(&z, s + n - 8, 8);
	} else if (n >= 4) {
		memcpy(&c, s, 4);
		memcpy(&d, s + n - 4, 4);
		a = c;
		z = d;
	} else {
		for (size_t i = 0; i < n; i++)
			a = a << 8 | (unsigned char)s[i];
	}
	h = (a ^ n) * 0x9e3779b97f4a7c15ull ^ z * 0xc4ceb9fe1a85ec53ull;
	return h >> 40;	/* the bits all of a and z reach */
}

/*
 * A string kept in a fixed buffer k, with whether there was one (NULL is
 * not ""): str_keep() copies s into k[size], false when it does not fit;
 * str_kept_is() says whether k holds s.
 */
static inline bool
str_keep(char *k, size_t size, bool *has, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	*has = s != NULL;
	if (n >= size)
		return false;
	memcpy(k, s ? s : "", n + 1);
	return true;
}

static inline bool
str_kept_is(const char *k, bool has, const char *s)
{
	return has ? s != NULL && strcmp(k, s) == 0 : s == NULL;
}

/* SipHash-2-4 of n bytes with a 16-byte key (for tests and seeds). */
uint64_t hash_siphash24(const unsigned char key[16], const char *, size_t);
/* SipHash-1-3, strmap's (for tests). */
uint64_t hash_siphash13(const unsigned char key[16], const char *, size_t);

void *xmalloc(size_t);
void *xcalloc(size_t, size_t);
void *xrealloc(void *, size_t);
char *xstrdup(const char *);
char *xstrndup(const char *, size_t);

/*
 * Grow *arr (elements of size elsz, capacity *cap) so that it holds at
 * least need elements. Dies (diag_fatal) when need * elsz bytes cannot be
 * addressed, as on any other allocation failure.
 */
void grow_array(void **arr, size_t *cap, size_t need, size_t elsz);

/*
 * An arena hands out memory that is freed all at once (cf. git mem_pool):
 * a session copies every string it keeps into its own arena, and one
 * arena_release() releases the lot.
 */
struct arena {
	struct arena_chunk *head;
};

void *arena_alloc(struct arena *, size_t);
char *arena_strndup(struct arena *, const char *, size_t);
void arena_release(struct arena *);
/*
 * Empty a, keeping its first chunk where that is of the usual first size
 * (a pooled session's arena: the next session's first strings go there,
 * without a malloc() and a free() each); else as arena_release().
 */
void arena_reset(struct arena *);

/*
 * strmap - open-addressing hash map from byte strings to pointers.
 * Keys are copied (but see strmap_new_borrowed()); values are the
 * caller's. Each map hashes with its own secret key, so keys chosen by a
 * log's writer cannot be made to collide, and the order of strmap_each()
 * differs from run to run.
 */
struct strmap;

struct strmap *strmap_new(void);
/*
 * A map that keeps the caller's key pointers instead of copies (the
 * correlator's open sessions, each keyed by its own arena's copy of its
 * key: no malloc() and free() a session). A key must stay as it is while
 * it is in the map; a put of a key that is there takes the new pointer
 * with the new value.
 */
struct strmap *strmap_new_borrowed(void);
void *strmap_get(const struct strmap *, const char *key, size_t len);
void strmap_put(struct strmap *, const char *key, size_t len, void *val);
void *strmap_del(struct strmap *, const char *key, size_t len);
/* Remove key only where its value is val (a session leaving the open
 * map, unless another has taken its key since): one hash, one probe,
 * where strmap_get() and then strmap_del() take two. True if removed. */
bool strmap_del_val(struct strmap *, const char *key, size_t len,
    const void *val);
/*
 * The hash of a key in this map, and get and put with it: a caller that
 * looks a key up and then puts it (a new session) hashes it once. h must
 * be strmap_hash() of the same map and key.
 */
uint64_t strmap_hash(const struct strmap *, const char *key, size_t len);
void *strmap_get_h(const struct strmap *, const char *key, size_t len,
    uint64_t h);
void strmap_put_h(struct strmap *, const char *key, size_t len, uint64_t h,
    void *val);
/* strmap_del_val() with strmap_hash(): a session keeps its key's, and
 * leaves the map without hashing the key again. */
bool strmap_del_val_h(struct strmap *, const char *key, size_t len,
    uint64_t h, const void *val);
/* strmap_del() with strmap_hash(). */
void *strmap_del_h(struct strmap *, const char *key, size_t len, uint64_t h);
size_t strmap_count(const struct strmap *);
/* Call fn for every entry; fn must not change the map. */
void strmap_each(const struct strmap *, void (*fn)(void *val, void *arg),
    void *arg);
void strmap_free(struct strmap *);

/*
 * hashmemo - the strmap_hash() of keys that come back: SipHash costs
 * some 150 instructions on a correlator's key, and a log names the same
 * session or message on line after line. A fixed table of keys of 8 to
 * HASHMEMO_KEY bytes and their hash in one map, each in its slot by its
 * ends (unkeyed): keys chosen to share a slot only make each other miss,
 * and a miss costs a strmap_hash(), as without the memo. The map's hash
 * itself, and so its defence, is what it was. A zeroed struct hashmemo
 * is empty; use one with one map only.
 */
#define HASHMEMO_SLOTS 256
#define HASHMEMO_KEY 64

struct hashmemo {
	struct hashmemo_slot {
		uint64_t h;
		size_t len;	/* 0: empty */
		char key[HASHMEMO_KEY];
	} e[HASHMEMO_SLOTS];
};

/* strmap_hash(m, key, len), from hm when it has it. */
uint64_t strmap_hash_memo(const struct strmap *m, struct hashmemo *hm,
    const char *key, size_t len);

/*
 * keycache - a few recently used keys of a strmap and their values, in
 * front of the map where a few keys come back again and again (the
 * summary's tables: 150,000 lookups of 90 keys in 300,000 lines). A slot
 * is picked by hash_ends(), unkeyed and many times cheaper than the
 * map's SipHash: keys chosen to share a slot only make each other miss,
 * and a miss costs a map lookup, as without the cache. The cache points
 * at a key its owner keeps (the value's own copy); when values are freed,
 * reset it. A zeroed struct keycache is empty.
 *
 *	size_t slot;
 *	v = keycache_get(&kc, key, len, &slot);
 *	if (v == NULL && (v = strmap_get(m, key, len)) != NULL)
 *		keycache_put(&kc, slot, v->key, len, v);
 */
#define KEYCACHE_SLOTS 32

struct keycache {
	struct keycache_slot {
		const char *key;	/* NULL: empty */
		size_t len;
		void *val;
	} e[KEYCACHE_SLOTS];
};

/* The value of key, or NULL; *slot is where keycache_put() puts it. */
static inline void *
keycache_get(const struct keycache *kc, const char *key, size_t len,
    size_t *slot)
{
	const struct keycache_slot *e;

	*slot = hash_ends(key, len) & (KEYCACHE_SLOTS - 1);
	e = &kc->e[*slot];
	if (e->key != NULL && e->len == len && memcmp(e->key, key, len) == 0)
		return e->val;
	return NULL;
}

/* Remember val under key (len bytes, kept by the caller) in slot. */
static inline void
keycache_put(struct keycache *kc, size_t slot, const char *key, size_t len,
    void *val)
{
	kc->e[slot].key = key;
	kc->e[slot].len = len;
	kc->e[slot].val = val;
}

static inline void
keycache_reset(struct keycache *kc)
{
	memset(kc, 0, sizeof(*kc));
}

/*
 * A growing byte buffer, NUL-terminated at all times (cf. git strbuf):
 * s is never NULL and s[len] is '\0', so b.s can be printed, compared or
 * handed on as a string whatever was added. A buffer with cap 0 owns no
 * memory: its s is buf_empty, one "" shared by all such buffers and never
 * written, and the first append allocates. Make a buffer with BUF_INIT or
 * buf_init(); a zeroed struct buf is not one (its s is NULL).
 *
 *	struct buf b = BUF_INIT;
 *	printf("'%s' %zu\n", b.s, b.len);	prints '' 0, mallocs nothing
 *	buf_addf(&b, "%d", 42);		now b.s is "42", b.len 2
 *	buf_release(&b);			empty again, as after BUF_INIT
 */
struct buf {
	char *s;
	size_t len, cap;	/* cap 0: s is buf_empty */
};

extern char buf_empty[1];
#define BUF_INIT {.s = buf_empty, .len = 0, .cap = 0}

void buf_init(struct buf *);

void buf_add(struct buf *, const char *, size_t);
/*
 * Room for n more bytes and the NUL after them, for a writer that stores
 * into s + len itself and then sets len and s[len] = '\0' (escape.c).
 */
void buf_grow(struct buf *, size_t n);
/* buf_add() of the C string s. */
static inline void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* Inline: the JSON writer and the escapers add a few punctuation bytes a
 * field. */
static inline void
buf_addc(struct buf *b, char c)
{
	if (b->len + 2 > b->cap)
		buf_grow(b, 1);
	b->s[b->len++] = c;
	b->s[b->len] = '\0';
}

void buf_addf(struct buf *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
void buf_reset(struct buf *);
void buf_release(struct buf *);

#endif
