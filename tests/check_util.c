/*
 * check_util - unit tests for util.h: the string map, arenas, the growing
 * buffer and grow_array().
 *
 * The map is exercised past several rehashes, through long runs of
 * put/del whose holes the keys after them move back into, against a plain
 * array of what each key holds, and with keys that differ only in
 * length or in bytes after a NUL: it is keyed by (bytes, length), not by
 * C strings.
 */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define NKEYS 20000

static void *
ival(size_t i)
{
	return (void *)(uintptr_t)(i + 1);
}

static size_t
keyf(char *buf, size_t sz, const char *pfx, size_t i)
{
	return (size_t)snprintf(buf, sz, "%s-%zu", pfx, i);
}

/* --- strmap ------------------------------------------------------------ */

START_TEST(strmap_many_keys)
{
	struct strmap *m = strmap_new();
	char k[64];
	size_t n;

	ck_assert_uint_eq(strmap_count(m), 0);
	for (size_t i = 0; i < NKEYS; i++) {
		n = keyf(k, sizeof(k), "key", i);
		strmap_put(m, k, n, ival(i));
		ck_assert_msg(strmap_count(m) == i + 1,
		    "after put '%s': count got %zu, want %zu", k,
		    strmap_count(m), i + 1);
	}
	/* every key survives every rehash */
	for (size_t i = 0; i < NKEYS; i++) {
		void *got;

		n = keyf(k, sizeof(k), "key", i);
		got = strmap_get(m, k, n);
		ck_assert_msg(got == ival(i), "get '%s': got %p, want %p", k,
		    got, ival(i));
	}
	/* keys never put */
	for (size_t i = 0; i < 1000; i++) {
		n = keyf(k, sizeof(k), "absent", i);
		ck_assert_msg(strmap_get(m, k, n) == NULL,
		    "get '%s': got %p, want NULL", k, strmap_get(m, k, n));
	}
	n = keyf(k, sizeof(k), "key", (size_t)NKEYS);
	ck_assert_ptr_null(strmap_get(m, k, n));
	strmap_free(m);
}
END_TEST

START_TEST(strmap_overwrite)
{
	struct strmap *m = strmap_new();
	char k[64];
	size_t n;

	for (size_t i = 0; i < 500; i++) {
		n = keyf(k, sizeof(k), "k", i);
		strmap_put(m, k, n, ival(i));
	}
	for (size_t i = 0; i < 500; i++) {
		n = keyf(k, sizeof(k), "k", i);
		strmap_put(m, k, n, ival(i + 1000));
	}
	ck_assert_msg(strmap_count(m) == 500,
	    "count after overwriting: got %zu, want 500", strmap_count(m));
	for (size_t i = 0; i < 500; i++) {
		n = keyf(k, sizeof(k), "k", i);
		ck_assert_msg(strmap_get(m, k, n) == ival(i + 1000),
		    "get '%s': got %p, want %p", k, strmap_get(m, k, n),
		    ival(i + 1000));
	}
	strmap_free(m);
}
END_TEST

START_TEST(strmap_delete)
{
	struct strmap *m = strmap_new();
	char k[64];
	size_t n;

	for (size_t i = 0; i < NKEYS; i++) {
		n = keyf(k, sizeof(k), "key", i);
		strmap_put(m, k, n, ival(i));
	}
	/* delete the odd ones */
	for (size_t i = 1; i < NKEYS; i += 2) {
		void *got;

		n = keyf(k, sizeof(k), "key", i);
		got = strmap_del(m, k, n);
		ck_assert_msg(got == ival(i), "del '%s': got %p, want %p", k,
		    got, ival(i));
	}
	ck_assert_msg(strmap_count(m) == NKEYS / 2,
	    "count: got %zu, want %d", strmap_count(m), NKEYS / 2);
	for (size_t i = 0; i < NKEYS; i++) {
		void *got, *want = i % 2 ? NULL : ival(i);

		n = keyf(k, sizeof(k), "key", i);
		got = strmap_get(m, k, n);
		ck_assert_msg(got == want, "get '%s': got %p, want %p", k,
		    got, want);
	}
	/* deleting again, or a key never put, is a no-op */
	n = keyf(k, sizeof(k), "key", 1);
	ck_assert_ptr_null(strmap_del(m, k, n));
	n = keyf(k, sizeof(k), "never", 1);
	ck_assert_ptr_null(strmap_del(m, k, n));
	ck_assert_uint_eq(strmap_count(m), NKEYS / 2);
	strmap_free(m);
}
END_TEST

/* strmap_del_val(): only a key that holds that value goes. */
START_TEST(strmap_delete_val)
{
	struct strmap *m = strmap_new();
	char k[64];
	size_t n;

	for (size_t i = 0; i < 1000; i++) {
		n = keyf(k, sizeof(k), "key", i);
		strmap_put(m, k, n, ival(i));
	}
	for (size_t i = 0; i < 1000; i++) {
		bool got;

		n = keyf(k, sizeof(k), "key", i);
		got = strmap_del_val(m, k, n, ival(i % 2 ? i : i + 1));
		ck_assert_msg(got == (i % 2 == 1), "del_val '%s': got %d, "
		    "want %d", k, (int)got, (int)(i % 2 == 1));
	}
	ck_assert_msg(strmap_count(m) == 500, "count: got %zu, want 500",
	    strmap_count(m));
	for (size_t i = 0; i < 1000; i++) {
		void *got, *want = i % 2 ? NULL : ival(i);

		n = keyf(k, sizeof(k), "key", i);
		got = strmap_get(m, k, n);
		ck_assert_msg(got == want, "get '%s': got %p, want %p", k,
		    got, want);
	}
	n = keyf(k, sizeof(k), "never", 1);
	ck_assert_msg(!strmap_del_val(m, k, n, NULL), "del_val of a key "
	    "never put: got true, want false");
	strmap_free(m);
}
END_TEST

/*
 * Keys that come and go again (a server process's session key): a put
 * must find the key itself, wherever deletes before it moved it, rather
 * than put it twice.
 */
START_TEST(strmap_reput)
{
	struct strmap *m = strmap_new();
	char k[64];
	size_t n;

	for (size_t i = 0; i < 50; i++) {
		n = keyf(k, sizeof(k), "proc", i);
		strmap_put(m, k, n, ival(i));
	}
	for (size_t r = 0; r < 100000; r++) {
		size_t i = (r * 7) % 50;

		n = keyf(k, sizeof(k), "proc", i);
		if (r % 3 == 0) {
			/* an overwrite: the key where it was moved to */
			strmap_put(m, k, n, ival(i + r % 2));
			strmap_put(m, k, n, ival(i));
			continue;
		}
		ck_assert_msg(strmap_del(m, k, n) == ival(i), "round %zu: "
		    "del '%s' missed", r, k);
		strmap_put(m, k, n, ival(i));
	}
	ck_assert_msg(strmap_count(m) == 50, "count: got %zu, want 50",
	    strmap_count(m));
	for (size_t i = 0; i < 50; i++) {
		n = keyf(k, sizeof(k), "proc", i);
		ck_assert_msg(strmap_del(m, k, n) == ival(i), "del '%s': got "
		    "another value", k);
		ck_assert_msg(strmap_get(m, k, n) == NULL, "'%s' still there "
		    "after its del: put twice", k);
	}
	ck_assert_uint_eq(strmap_count(m), 0);
	strmap_free(m);
}
END_TEST

/*
 * A map that never holds more than a few keys but sees many distinct ones
 * come and go (the correlator's open sessions): each delete must leave its
 * slot empty, or the probe loop would never find an empty slot.
 */
START_TEST(strmap_tombstones)
{
	struct strmap *m = strmap_new();
	char k[64];
	size_t n;

	for (size_t i = 0; i < 200000; i++) {
		n = keyf(k, sizeof(k), "s", i);
		strmap_put(m, k, n, ival(i));
		if (i >= 3) {
			void *got;

			n = keyf(k, sizeof(k), "s", i - 3);
			got = strmap_del(m, k, n);
			ck_assert_msg(got == ival(i - 3),
			    "del '%s': got %p, want %p", k, got, ival(i - 3));
		}
	}
	ck_assert_msg(strmap_count(m) == 3, "count: got %zu, want 3",
	    strmap_count(m));
	for (size_t i = 200000 - 3; i < 200000; i++) {
		n = keyf(k, sizeof(k), "s", i);
		ck_assert_msg(strmap_get(m, k, n) == ival(i),
		    "get '%s': got %p, want %p", k, strmap_get(m, k, n),
		    ival(i));
	}
	n = keyf(k, sizeof(k), "s", 0);
	ck_assert_ptr_null(strmap_get(m, k, n));
	strmap_free(m);
}
END_TEST

/*
 * Random puts and deletes of 3,000 keys, the map checked against an array
 * of what each key holds: a delete moves back the keys after it only as
 * far as their probes still reach them, also across the end of the slots.
 */
START_TEST(strmap_churn)
{
	struct strmap *m = strmap_new();
	static void *want[3000];
	uint32_t r = 12345;
	size_t live = 0;
	char k[64];
	size_t n;

	for (size_t op = 0; op < 300000; op++) {
		size_t i;

		r = r * 1103515245u + 12345u;
		i = (r >> 8) % ARRAY_SIZE(want);
		n = keyf(k, sizeof(k), "c", i);
		ck_assert_msg(strmap_get(m, k, n) == want[i], "op %zu: get "
		    "'%s': got %p, want %p", op, k, strmap_get(m, k, n),
		    want[i]);
		if (want[i] != NULL && (r >> 4) % 4 != 0) {
			ck_assert_ptr_eq(strmap_del(m, k, n), want[i]);
			want[i] = NULL;
			live--;
		} else {
			live += want[i] == NULL;
			want[i] = ival(op + 1);
			strmap_put(m, k, n, want[i]);
		}
		ck_assert_uint_eq(strmap_count(m), live);
	}
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		n = keyf(k, sizeof(k), "c", i);
		ck_assert_msg(strmap_get(m, k, n) == want[i], "get '%s': got "
		    "%p, want %p", k, strmap_get(m, k, n), want[i]);
	}
	strmap_free(m);
}
END_TEST

/* A deleted key can come back, with a new value, counted once. */
START_TEST(strmap_reput_deleted)
{
	struct strmap *m = strmap_new();
	char k[64];
	size_t n;

	/* enough neighbours that deletes move keys back */
	for (size_t i = 0; i < 40; i++) {
		n = keyf(k, sizeof(k), "n", i);
		strmap_put(m, k, n, ival(i));
	}
	for (size_t i = 0; i < 40; i += 2) {
		n = keyf(k, sizeof(k), "n", i);
		strmap_del(m, k, n);
	}
	for (size_t round = 0; round < 3; round++)
		for (size_t i = 0; i < 40; i += 2) {
			n = keyf(k, sizeof(k), "n", i);
			strmap_put(m, k, n, ival(100 * round + i));
			ck_assert_msg(strmap_get(m, k, n) ==
			    ival(100 * round + i), "get '%s' after re-put: "
			    "got %p, want %p", k, strmap_get(m, k, n),
			    ival(100 * round + i));
			if (round < 2)
				ck_assert_ptr_eq(strmap_del(m, k, n),
				    ival(100 * round + i));
		}
	ck_assert_msg(strmap_count(m) == 40, "count: got %zu, want 40",
	    strmap_count(m));
	for (size_t i = 1; i < 40; i += 2) {
		n = keyf(k, sizeof(k), "n", i);
		ck_assert_ptr_eq(strmap_get(m, k, n), ival(i));
	}
	strmap_free(m);
}
END_TEST

/* Keys are (bytes, length): a NUL inside a key or a shorter prefix is
 * another key; the map keeps its own copy of the bytes. */
START_TEST(strmap_binary_keys)
{
	struct strmap *m = strmap_new();
	char k[8] = "ab\0cd";

	strmap_put(m, k, 2, ival(1));	/* "ab" */
	strmap_put(m, k, 3, ival(2));	/* "ab\0" */
	strmap_put(m, k, 5, ival(3));	/* "ab\0cd" */
	strmap_put(m, k, 1, ival(4));	/* "a" */
	strmap_put(m, k, 0, ival(5));	/* "" */
	ck_assert_uint_eq(strmap_count(m), 5);
	memset(k, 'z', sizeof(k));	/* the map must not point into k */
	ck_assert_ptr_eq(strmap_get(m, "ab", 2), ival(1));
	ck_assert_ptr_eq(strmap_get(m, "ab\0", 3), ival(2));
	ck_assert_ptr_eq(strmap_get(m, "ab\0cd", 5), ival(3));
	ck_assert_ptr_eq(strmap_get(m, "a", 1), ival(4));
	ck_assert_ptr_eq(strmap_get(m, "", 0), ival(5));
	ck_assert_ptr_null(strmap_get(m, "ab\0c", 4));
	ck_assert_ptr_null(strmap_get(m, "zz", 2));
	ck_assert_ptr_eq(strmap_del(m, "ab\0", 3), ival(2));
	ck_assert_ptr_eq(strmap_get(m, "ab", 2), ival(1));
	ck_assert_ptr_eq(strmap_get(m, "ab\0cd", 5), ival(3));
	strmap_free(m);
}
END_TEST

static void
sum_fn(void *val, void *arg)
{
	size_t *acc = arg;

	acc[0] += (size_t)(uintptr_t)val;
	acc[1]++;
}

START_TEST(strmap_each_visits_live)
{
	struct strmap *m = strmap_new();
	size_t acc[2] = {0, 0}, want = 0;
	char k[64];
	size_t n;

	for (size_t i = 0; i < 1000; i++) {
		n = keyf(k, sizeof(k), "e", i);
		strmap_put(m, k, n, ival(i));
	}
	for (size_t i = 0; i < 1000; i += 3) {
		n = keyf(k, sizeof(k), "e", i);
		strmap_del(m, k, n);
	}
	for (size_t i = 0; i < 1000; i++)
		if (i % 3)
			want += i + 1;
	strmap_each(m, sum_fn, acc);
	ck_assert_msg(acc[1] == strmap_count(m),
	    "visited: got %zu, want %zu", acc[1], strmap_count(m));
	ck_assert_msg(acc[0] == want, "sum of values: got %zu, want %zu",
	    acc[0], want);
	strmap_free(m);
	strmap_free(NULL);
}
END_TEST

/* --- arena ------------------------------------------------------------- */

START_TEST(arena_strndup_copies)
{
	struct arena a = {0};
	const char *src = "connect from localhost[127.0.0.1]";
	char *p, *q, *e;
	char buf[16] = "mutable";

	p = arena_strndup(&a, src, 7);
	ck_assert_msg(strcmp(p, "connect") == 0, "got '%s', want 'connect'",
	    p);
	q = arena_strndup(&a, buf, strlen(buf));
	memcpy(buf, "CHANGED", 7);
	ck_assert_msg(strcmp(q, "mutable") == 0,
	    "copy changed with its source: got '%s', want 'mutable'", q);
	e = arena_strndup(&a, src, 0);
	ck_assert_msg(e != NULL && e[0] == '\0', "empty copy: got '%s'",
	    e ? e : "(null)");
	/* the bytes, embedded NUL included, and a terminating NUL */
	p = arena_strndup(&a, "a\0b", 3);
	ck_assert_mem_eq(p, "a\0b", 4);
	arena_release(&a);
	ck_assert_ptr_null(a.head);
	arena_release(&a);	/* twice is harmless */
	/* a _release leaves the arena usable (util.h) */
	p = arena_strndup(&a, "again", 5);
	ck_assert_msg(strcmp(p, "again") == 0, "after release: got '%s', "
	    "want 'again'", p);
	arena_release(&a);
}
END_TEST

/* Many strings, some larger than a chunk, and aligned objects between
 * them: none overwrites another. */
START_TEST(arena_many)
{
	struct arena a = {0};
	enum { N = 5000 };
	char **v = calloc(N, sizeof(char *));
	char want[9000];

	ck_assert_ptr_nonnull(v);
	for (size_t i = 0; i < N; i++) {
		size_t len = i % 97 == 0 ? 5000 + i % 3000 : i % 61;

		memset(want, 'a' + (int)(i % 26), len);
		want[len] = '\0';
		v[i] = arena_strndup(&a, want, len);
		if (i % 7 == 0) {
			/* strings are packed; an object after one is not */
			char *o = arena_alloc(&a, i % 13 + 1);

			ck_assert_msg((uintptr_t)o % _Alignof(max_align_t) ==
			    0, "object after string %zu not aligned: %p", i,
			    (void *)o);
			memset(o, 0xff, i % 13 + 1);
		}
	}
	for (size_t i = 0; i < N; i++) {
		size_t len = i % 97 == 0 ? 5000 + i % 3000 : i % 61;

		memset(want, 'a' + (int)(i % 26), len);
		want[len] = '\0';
		ck_assert_msg(strlen(v[i]) == len && strcmp(v[i], want) == 0,
		    "string %zu: got length %zu, want %zu", i, strlen(v[i]),
		    len);
	}
	arena_release(&a);
	free(v);
}
END_TEST

/* --- buf --------------------------------------------------------------- */

/*
 * buf_addf formats into 256 bytes first: lengths of %s around that edge
 * (it adds 6 bytes: 248 + 6 = 254, ..., 251 + 6 = 257).
 */
static const size_t addf_lengths[] = {0, 1, 200, 248, 249, 250, 251, 255,
    256, 511, 1000, 4096, 100000};

START_TEST(buf_addf_lengths)
{
	size_t len = addf_lengths[_i];
	struct buf b = BUF_INIT;
	char *s = malloc(len + 1);
	size_t want_len = 3 + len + 1 + 5;

	ck_assert_ptr_nonnull(s);
	for (size_t i = 0; i < len; i++)
		s[i] = (char)('A' + i % 26);
	s[len] = '\0';
	buf_add(&b, "pre", 3);
	buf_addf(&b, "%s|%05d", s, 42);
	ck_assert_msg(b.len == want_len, "len %zu: got b.len %zu, want %zu",
	    len, b.len, want_len);
	ck_assert_msg(strlen(b.s) == b.len,
	    "len %zu: strlen %zu differs from b.len %zu", len, strlen(b.s),
	    b.len);
	ck_assert_msg(memcmp(b.s, "pre", 3) == 0 &&
	    memcmp(b.s + 3, s, len) == 0 &&
	    strcmp(b.s + 3 + len, "|00042") == 0,
	    "len %zu: got '%.40s...%s'", len, b.s,
	    b.len > 10 ? b.s + b.len - 10 : b.s);
	ck_assert_uint_gt(b.cap, b.len);
	buf_release(&b);
	free(s);
}
END_TEST

START_TEST(buf_addf_many_appends)
{
	struct buf b = BUF_INIT;
	char want[64];
	size_t off = 0;

	for (int i = 0; i < 10000; i++)
		buf_addf(&b, "%d,", i);
	for (int i = 0; i < 10000; i++) {
		int n = snprintf(want, sizeof(want), "%d,", i);

		ck_assert_msg(off + (size_t)n <= b.len &&
		    memcmp(b.s + off, want, (size_t)n) == 0,
		    "item %d at %zu: got '%.*s', want '%s'", i, off, n,
		    b.s + off, want);
		off += (size_t)n;
	}
	ck_assert_uint_eq(off, b.len);
	ck_assert_uint_eq(b.s[b.len], '\0');
	buf_release(&b);
}
END_TEST

START_TEST(buf_basics)
{
	struct buf b = BUF_INIT;

	buf_addc(&b, 'x');
	buf_add(&b, "yz", 2);
	buf_add(&b, "", 0);
	ck_assert_msg(b.len == 3 && strcmp(b.s, "xyz") == 0,
	    "got '%s' (%zu), want 'xyz' (3)", b.s, b.len);
	buf_reset(&b);
	ck_assert_msg(b.len == 0 && b.s[0] == '\0',
	    "after reset: got '%s' (%zu), want '' (0)", b.s, b.len);
	buf_addc(&b, '\0');	/* a NUL byte is content */
	buf_addc(&b, 'q');
	ck_assert_uint_eq(b.len, 2);
	ck_assert_mem_eq(b.s, "\0q", 3);
	buf_release(&b);
	ck_assert_msg(b.s != NULL && b.s[0] == '\0' && b.len == 0 &&
	    b.cap == 0, "after release: got s %s, len %zu, cap %zu, want '', 0, 0",
	    b.s == NULL ? "NULL" : b.s[0] ? "not ''" : "''", b.len, b.cap);
	buf_reset(&b);	/* on an empty buffer */
	ck_assert_uint_eq(b.len, 0);
}
END_TEST

/*
 * Every way to come by an empty buffer gives one whose s is "" (never
 * NULL), owning nothing, and none of them writes to the shared "".
 */
static const char *const fresh_ways[] = {"BUF_INIT", "buf_init()",
    "buf_release()", "buf_reset() on BUF_INIT", "static BUF_INIT"};
static struct buf fresh_static = BUF_INIT;

START_TEST(buf_fresh_is_empty_string)
{
	struct buf init = BUF_INIT, b;

	memset(&b, 0x5a, sizeof(b));	/* garbage, not zeroes */
	switch (_i) {
	case 0:
		b = init;
		break;
	case 1:
		buf_init(&b);
		break;
	case 2:
		buf_init(&b);
		buf_addf(&b, "%d", 42);
		buf_release(&b);
		break;
	case 3:
		b = init;
		buf_reset(&b);
		break;
	case 4:
		b = fresh_static;
		break;
	}
	ck_assert_msg(b.s != NULL, "%s: got s NULL, want \"\"", fresh_ways[_i]);
	ck_assert_msg(b.s[0] == '\0' && b.len == 0 && b.cap == 0,
	    "%s: got '%s' (len %zu, cap %zu), want '' (0, 0)", fresh_ways[_i],
	    b.s, b.len, b.cap);
	ck_assert_msg(strcmp(b.s, "") == 0, "%s: got '%s', want ''",
	    fresh_ways[_i], b.s);
	/* it is usable as it is, then grows, leaving the shared "" alone */
	buf_add(&b, "ab", 2);
	ck_assert_msg(strcmp(b.s, "ab") == 0 && b.s != buf_empty,
	    "%s: after an append got '%s', want 'ab' in its own memory",
	    fresh_ways[_i], b.s);
	ck_assert_msg(buf_empty[0] == '\0', "%s: the shared \"\" was "
	    "written", fresh_ways[_i]);
	buf_release(&b);
}
END_TEST

/* --- grow_array -------------------------------------------------------- */

START_TEST(grow_array_grows)
{
	int *v = NULL;
	size_t cap = 0;
	void *before;
	size_t capbefore;

	grow_array((void **)&v, &cap, 1, sizeof(*v));
	ck_assert_ptr_nonnull(v);
	ck_assert_msg(cap >= 1, "cap: got %zu, want >= 1", cap);
	for (size_t i = 0; i < 100000; i++) {
		grow_array((void **)&v, &cap, i + 1, sizeof(*v));
		ck_assert_msg(cap >= i + 1, "need %zu: cap %zu", i + 1, cap);
		v[i] = (int)i * 3;
	}
	for (size_t i = 0; i < 100000; i++)
		ck_assert_msg(v[i] == (int)i * 3, "v[%zu]: got %d, want %d",
		    i, v[i], (int)i * 3);
	/* no change when it fits */
	before = v;
	capbefore = cap;
	grow_array((void **)&v, &cap, cap, sizeof(*v));
	grow_array((void **)&v, &cap, 1, sizeof(*v));
	grow_array((void **)&v, &cap, 0, sizeof(*v));
	ck_assert_ptr_eq(v, before);
	ck_assert_uint_eq(cap, capbefore);
	/* a big jump at once */
	grow_array((void **)&v, &cap, capbefore * 5 + 3, sizeof(*v));
	ck_assert_msg(cap >= capbefore * 5 + 3, "cap: got %zu, want >= %zu",
	    cap, capbefore * 5 + 3);
	for (size_t i = 0; i < 100000; i++)
		ck_assert_int_eq(v[i], (int)i * 3);
	v[cap - 1] = 7;	/* the whole capacity is usable */
	free(v);
}
END_TEST

START_TEST(grow_array_large_elements)
{
	struct big {
		char b[1000];
	} *v = NULL;
	size_t cap = 0;

	for (size_t i = 0; i < 300; i++) {
		grow_array((void **)&v, &cap, i + 1, sizeof(*v));
		memset(v[i].b, (int)(i & 0xff), sizeof(v[i].b));
	}
	for (size_t i = 0; i < 300; i++)
		ck_assert_msg((unsigned char)v[i].b[999] == (i & 0xff),
		    "v[%zu]: got %d, want %zu", i, v[i].b[999], i & 0xff);
	free(v);
}
END_TEST

/* --- hostile keys (issue 11, item 7) ------------------------------------ */

/* The inverse of an odd number modulo 2^64 (Newton's iteration). */
static uint64_t
inverse(uint64_t a)
{
	uint64_t x = a;

	for (int i = 0; i < 6; i++)
		x *= 2 - a * x;
	return x;
}

/*
 * The 8-byte key whose hash_bytes() is h: every step of that hash on one
 * word can be undone (xor-shifts by 29 and 33 bits, odd multipliers), so
 * anyone who reads the source can choose keys with any hashes at all.
 */
static void
key_with_hash(uint64_t h, unsigned char key[8])
{
	uint64_t x = h ^ h >> 33;

	x *= inverse(0xc4ceb9fe1a85ec53ull);
	x ^= x >> 33;
	x ^= x >> 29 ^ x >> 58;
	x *= inverse(0xff51afd7ed558ccdull);
	x ^= 0x9e3779b97f4a7c15ull ^ 8;
	memcpy(key, &x, 8);
}

static double
cpu_seconds(void)
{
	return (double)clock() / CLOCKS_PER_SEC;
}

/* Put n keys, made by make(i); the CPU seconds it took. */
static double
time_puts(struct strmap *m, size_t n, void (*make)(size_t, unsigned char *))
{
	double t0 = cpu_seconds();
	unsigned char k[8];

	for (size_t i = 0; i < n; i++) {
		make(i, k);
		strmap_put(m, (char *)k, 8, ival(i));
		if ((i & 1023) == 0 && cpu_seconds() - t0 > 30)
			break;	/* quadratic: no need to wait for the end */
	}
	return cpu_seconds() - t0;
}

/* hash_bytes() equal in the low 24 bits: one slot in any map below 2^24 */
static void
colliding_key(size_t i, unsigned char *k)
{
	key_with_hash((uint64_t)(i + 1) << 24, k);
}

static void
plain_key(size_t i, unsigned char *k)
{
	uint64_t x = (uint64_t)(i + 1) * 0x9e3779b97f4a7c15ull;

	memcpy(k, &x, 8);
}

/*
 * 60,000 keys that share one slot under the unkeyed hash go in as fast as
 * as many ordinary ones (within a wide margin for a loaded machine):
 * linear probing over them would cost 1.8 billion probes.
 */
START_TEST(strmap_chosen_collisions)
{
	enum { N = 60000 };
	struct strmap *a = strmap_new(), *b = strmap_new();
	unsigned char k[8];
	uint64_t h0;
	double plain, chosen;

	/* the keys do collide under hash_bytes() */
	colliding_key(0, k);
	h0 = hash_bytes((char *)k, 8);
	colliding_key(1, k);
	ck_assert_msg((h0 & 0xffffff) == 0 &&
	    (hash_bytes((char *)k, 8) & 0xffffff) == 0,
	    "crafted keys: hashes %016llx %016llx", (unsigned long long)h0,
	    (unsigned long long)hash_bytes((char *)k, 8));
	plain = time_puts(a, N, plain_key);
	chosen = time_puts(b, N, colliding_key);
	ck_assert_msg(chosen < 10 * plain + 0.5, "%d chosen keys took %.3f s, "
	    "%d ordinary ones %.3f s", N, chosen, N, plain);
	for (size_t i = 0; i < N; i += 997) {
		colliding_key(i, k);
		ck_assert_msg(strmap_get(b, (char *)k, 8) == ival(i),
		    "key %zu lost", i);
	}
	ck_assert_uint_eq(strmap_count(b), N);
	strmap_free(a);
	strmap_free(b);
}
END_TEST

/*
 * The map's keyed hash is SipHash: the reference vectors of SipHash-2-4
 * (Aumasson and Bernstein's vectors.h), past one and two whole words.
 */
START_TEST(siphash_vectors)
{
	unsigned char key[16];
	char msg[64];
	static const uint64_t want[] = {
		0x726fdb47dd0e0e31ull, 0x74f839c593dc67fdull,
		0x0d6c8009d9a94f5aull, 0x85676696d7fb7e2dull,
		0xcf2794e0277187b7ull, 0x18765564cd99a68dull,
		0xcbc9466e58fee3ceull, 0xab0200f58b01d137ull,
		0x93f5f5799a932462ull, 0x9e0082df0ba9e4b0ull,
		0x7a5dbbc594ddb9f3ull, 0xf4b32f46226bada7ull,
		0x751e8fbc860ee5fbull, 0x14ea5627c0843d90ull,
		0xf723ca908e7af2eeull, 0xa129ca6149be45e5ull,
		0x3f2acc7f57c29bdbull, 0x699ae9f52cbe4794ull,
	};

	for (int i = 0; i < 16; i++)
		key[i] = (unsigned char)i;
	for (int i = 0; i < 64; i++)
		msg[i] = (char)i;
	for (size_t n = 0; n < ARRAY_SIZE(want); n++) {
		uint64_t got = hash_siphash24(key, msg, n);

		ck_assert_msg(got == want[n], "%zu bytes: got %016llx, want "
		    "%016llx", n, (unsigned long long)got,
		    (unsigned long long)want[n]);
	}
}
END_TEST

#define ROTL(x, b) (((x) << (b)) | ((x) >> (64 - (b))))

/* One SipRound, written out as the paper gives it. */
static void
ref_round(uint64_t v[4])
{
	v[0] += v[1];
	v[1] = ROTL(v[1], 13) ^ v[0];
	v[0] = ROTL(v[0], 32);
	v[2] += v[3];
	v[3] = ROTL(v[3], 16) ^ v[2];
	v[0] += v[3];
	v[3] = ROTL(v[3], 21) ^ v[0];
	v[2] += v[1];
	v[1] = ROTL(v[1], 17) ^ v[2];
	v[2] = ROTL(v[2], 32);
}

/*
 * SipHash-1-3 the slow way, independent of util.c: the message padded
 * into a buffer with its length in the last byte, every word assembled
 * byte by byte.
 */
static uint64_t
ref_siphash13(const unsigned char key[16], const unsigned char *s, size_t n)
{
	uint64_t k0 = 0, k1 = 0, v[4];
	unsigned char pad[128] = {0};
	size_t words = n / 8 + 1;

	for (int i = 0; i < 8; i++) {
		k0 |= (uint64_t)key[i] << (8 * i);
		k1 |= (uint64_t)key[8 + i] << (8 * i);
	}
	v[0] = k0 ^ 0x736f6d6570736575ull;
	v[1] = k1 ^ 0x646f72616e646f6dull;
	v[2] = k0 ^ 0x6c7967656e657261ull;
	v[3] = k1 ^ 0x7465646279746573ull;
	memcpy(pad, s, n);
	pad[words * 8 - 1] = (unsigned char)n;
	for (size_t w = 0; w < words; w++) {
		uint64_t m = 0;

		for (int i = 7; i >= 0; i--)
			m = m << 8 | pad[w * 8 + (size_t)i];
		v[3] ^= m;
		ref_round(v);
		v[0] ^= m;
	}
	v[2] ^= 0xff;
	for (int i = 0; i < 3; i++)
		ref_round(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

/*
 * The map's SipHash-1-3 against the reference above: every length up to
 * 100 bytes (whole words and every tail), at every alignment, with a key
 * and bytes that use all eight bits.
 */
START_TEST(siphash13_reference)
{
	unsigned char key[16], buf[8 + 100];

	for (int i = 0; i < 16; i++)
		key[i] = (unsigned char)(0xf0 ^ (i * 37));
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(i * 151 + 7);
	for (size_t off = 0; off < 8; off++)
		for (size_t n = 0; n <= 100; n++) {
			uint64_t got = hash_siphash13(key,
			    (const char *)buf + off, n);
			uint64_t want = ref_siphash13(key, buf + off, n);

			ck_assert_msg(got == want, "%zu bytes at +%zu: got "
			    "%016llx, want %016llx", n, off,
			    (unsigned long long)got,
			    (unsigned long long)want);
		}
}
END_TEST

/* get_h and put_h with strmap_hash() are get and put. */
START_TEST(strmap_hash_once)
{
	struct strmap *m = strmap_new();
	char k[64];
	size_t n;

	for (size_t i = 0; i < 2000; i++) {
		uint64_t h;

		n = keyf(k, sizeof(k), "postfix\x1fmx\x1fsmtpd\x1f", i);
		h = strmap_hash(m, k, n);
		ck_assert_ptr_null(strmap_get_h(m, k, n, h));
		if (i % 2)
			strmap_put_h(m, k, n, h, ival(i));
		else
			strmap_put(m, k, n, ival(i));
		ck_assert_uint_eq(strmap_hash(m, k, n), h);
	}
	for (size_t i = 0; i < 2000; i++) {
		n = keyf(k, sizeof(k), "postfix\x1fmx\x1fsmtpd\x1f", i);
		ck_assert_ptr_eq(strmap_get(m, k, n), ival(i));
		ck_assert_ptr_eq(strmap_get_h(m, k, n, strmap_hash(m, k, n)),
		    ival(i));
	}
	ck_assert_uint_eq(strmap_count(m), 2000);
	strmap_free(m);
}
END_TEST

/*
 * keycache: a key's value or nothing, never another key's (keys of one
 * slot, keys that differ in length only); nothing after a reset.
 */
START_TEST(keycache_own_values)
{
	struct keycache kc = {0};
	static char keys[300][16];
	size_t slot, hits = 0;
	void *v;

	for (size_t i = 0; i < 300; i++) {
		keyf(keys[i], sizeof(keys[i]), "k", i);
		ck_assert_ptr_null(keycache_get(&kc, keys[i],
		    strlen(keys[i]), &slot));
		ck_assert_uint_lt(slot, KEYCACHE_SLOTS);
		keycache_put(&kc, slot, keys[i], strlen(keys[i]), ival(i));
		ck_assert_ptr_eq(keycache_get(&kc, keys[i], strlen(keys[i]),
		    &slot), ival(i));
		/* "k-12" stored: "k-1" is another key */
		v = keycache_get(&kc, keys[i], strlen(keys[i]) - 1, &slot);
		ck_assert_ptr_ne(v, ival(i));
	}
	for (size_t i = 0; i < 300; i++) {
		v = keycache_get(&kc, keys[i], strlen(keys[i]), &slot);
		ck_assert_msg(v == NULL || v == ival(i), "'%s': got %p, want "
		    "%p or NULL", keys[i], v, ival(i));
		hits += v != NULL;
	}
	/* the last key put in each slot is there */
	ck_assert_uint_ge(hits, KEYCACHE_SLOTS / 2);
	keycache_reset(&kc);
	for (size_t i = 0; i < 300; i++)
		ck_assert_ptr_null(keycache_get(&kc, keys[i],
		    strlen(keys[i]), &slot));
}
END_TEST

/* n * elsz past SIZE_MAX: fatal (exit 2), never a short array. */
START_TEST(grow_array_overflow_product)
{
	struct {
		char b[16];
	} *v = NULL;
	size_t cap = 0;

	grow_array((void **)&v, &cap, SIZE_MAX / 16 + 1, sizeof(*v));
	ck_abort_msg("grow_array returned: cap %zu of 16-byte elements", cap);
}
END_TEST

/* need past SIZE_MAX / 2: the doubling must not wrap to 0 and spin. */
START_TEST(grow_array_overflow_doubling)
{
	char *v = NULL;
	size_t cap = 0;

	grow_array((void **)&v, &cap, SIZE_MAX - 5, 1);
	ck_abort_msg("grow_array returned: cap %zu", cap);
}
END_TEST

/* --- small helpers ----------------------------------------------------- */

START_TEST(strview_compare)
{
	struct strview v = {"RCPT TO", 4};
	struct strview unset = {NULL, 0};

	ck_assert_int_eq(sv_eq(v, "RCPT"), true);
	ck_assert_int_eq(sv_eq(v, "RCPT TO"), false);
	ck_assert_int_eq(sv_eq(v, "RCP"), false);
	ck_assert_int_eq(sv_eq(v, "rcpt"), false);
	ck_assert_int_eq(sv_eq(unset, ""), false);
	ck_assert_int_eq(sv_eq_nocase(v, "rcpt", 4), true);
	ck_assert_int_eq(sv_eq_nocase(v, "rcpt", 3), false);
	ck_assert_int_eq(sv_eq_nocase(unset, "", 0), false);
}
END_TEST

/* Every length, with a NUL at every place or none: eight bytes at a time
 * must stop where a byte at a time would. */
START_TEST(strview_copy_cstr)
{
	char src[40], dst[48];
	struct strview unset = {NULL, 5};

	for (size_t len = 0; len <= 32; len++)
		for (size_t nul = 0; nul <= len; nul++) {
			size_t want = nul < len ? nul : len;

			memset(src, 'a', sizeof(src));
			for (size_t i = 0; i < len; i++)
				src[i] = (char)('b' + i % 20);
			if (nul < len)
				src[nul] = '\0';
			memset(dst, '#', sizeof(dst));
			ck_assert_uint_eq(sv_copy_cstr(dst,
			    (struct strview){src, len}), want);
			ck_assert_msg(memcmp(dst, src, want) == 0 &&
			    dst[want] == '#', "len %zu, NUL at %zu", len, nul);
		}
	ck_assert_uint_eq(sv_copy_cstr(dst, unset), 0);
}
END_TEST

START_TEST(xstrndup_copies)
{
	char *p = xstrndup("hello world", 5);
	char *q = xstrdup("");

	ck_assert_str_eq(p, "hello");
	ck_assert_str_eq(q, "");
	free(p);
	free(q);
}
END_TEST

static Suite *
util_suite(void)
{
	Suite *s = suite_create("util");
	TCase *tc;

	tc = tcase_create("strmap");
	tcase_add_test(tc, strmap_many_keys);
	tcase_add_test(tc, strmap_overwrite);
	tcase_add_test(tc, strmap_delete);
	tcase_add_test(tc, strmap_delete_val);
	tcase_add_test(tc, strmap_reput);
	tcase_add_test(tc, strmap_tombstones);
	tcase_add_test(tc, strmap_churn);
	tcase_add_test(tc, strmap_reput_deleted);
	tcase_add_test(tc, strmap_binary_keys);
	tcase_add_test(tc, strmap_each_visits_live);
	tcase_add_test(tc, strmap_hash_once);
	tcase_add_test(tc, keycache_own_values);
	suite_add_tcase(s, tc);

	tc = tcase_create("arena");
	tcase_add_test(tc, arena_strndup_copies);
	tcase_add_test(tc, arena_many);
	suite_add_tcase(s, tc);

	tc = tcase_create("buf");
	tcase_add_loop_test(tc, buf_addf_lengths, 0,
	    (int)ARRAY_SIZE(addf_lengths));
	tcase_add_test(tc, buf_addf_many_appends);
	tcase_add_test(tc, buf_basics);
	tcase_add_loop_test(tc, buf_fresh_is_empty_string, 0,
	    (int)ARRAY_SIZE(fresh_ways));
	suite_add_tcase(s, tc);

	tc = tcase_create("grow_array");
	tcase_add_test(tc, grow_array_grows);
	tcase_add_test(tc, grow_array_large_elements);
	suite_add_tcase(s, tc);

	tc = tcase_create("hostile");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, strmap_chosen_collisions);
	tcase_add_test(tc, siphash_vectors);
	tcase_add_test(tc, siphash13_reference);
	tcase_add_exit_test(tc, grow_array_overflow_product, 2);
	tcase_add_exit_test(tc, grow_array_overflow_doubling, 2);
	suite_add_tcase(s, tc);

	tc = tcase_create("strings");
	tcase_add_test(tc, strview_compare);
	tcase_add_test(tc, strview_copy_cstr);
	tcase_add_test(tc, xstrndup_copies);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(util_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
