/*
 * json - write one JSON value, with the commas and nesting kept for you.
 *
 * The writer keeps a stack of the objects and arrays it is inside and,
 * for each, whether a value has been written there yet: the comma before
 * a member is its business, not the caller's. Every string goes through
 * esc_json() (escape.h), so the output is valid JSON whatever bytes the
 * log held.
 *
 *	struct json j;
 *
 *	json_init(&j, &b);
 *	json_begin_object(&j);
 *	json_key_str(&j, "mta", "smtpd");
 *	json_key(&j, "lines");
 *	json_begin_array(&j);
 *	json_int(&j, 3);
 *	json_int(&j, 9);
 *	json_end(&j);
 *	json_end(&j);
 *
 * appends {"mta":"smtpd","lines":[3,9]} to b. A writer made with
 * json_init_file() collects the value in a buffer of its own and writes
 * it to the FILE in one piece when the outermost object or array ends.
 *
 * DIAGNOSTICS: a call that would not give valid JSON is refused: a
 * member without a key in an object, a key outside an object or twice in
 * a row, json_end() with nothing open or with a key waiting for its
 * value, a second value at the top, or nesting deeper than JSON_DEPTH.
 * A refused call writes nothing and returns false, and the writer stays
 * failed: every later call writes nothing and json_ok() says false (as
 * ferror() does for a stream). Callers write fixed shapes, so a failure
 * is a bug in the caller, found by its tests.
 */
#ifndef SLA_JSON_H
#define SLA_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "util.h"

#define JSON_DEPTH 16

struct json {
	struct buf *out;	/* where the text goes */
	FILE *fp;	/* json_init_file(): written at the outermost end */
	struct buf own;	/* json_init_file()'s buffer */
	int depth;	/* open objects and arrays */
	char open[JSON_DEPTH];	/* '{' or '[' at each depth */
	bool more[JSON_DEPTH + 1];	/* a value is written at this depth */
	bool key;	/* a key waits for its value */
	bool failed;
	/* json_key_fits(), kept as the state changes: a report asks it
	 * before each of some 36 members a session */
	bool keyable;
};

/* Start a value appended to b (which the caller owns). */
void json_init(struct json *, struct buf *b);
/* Start a value written to fp when it is complete; json_release() after. */
void json_init_file(struct json *, FILE *fp);
/* Free json_init_file()'s buffer; json_init*() again before more use. */
void json_release(struct json *);
/* Whether no call was refused. */
bool json_ok(const struct json *);

/* (json_begin_object() and json_begin_array() below) */
bool json_begin_slow(struct json *, char c);
bool json_end_slow(struct json *);
/* A member's name, in an object; its value is the next call. */
bool json_key(struct json *, const char *);

/* Values: in an array, after a key, or once at the top. */
bool json_str(struct json *, const char *);	/* NULL gives null */
bool json_strn(struct json *, const char *, size_t);
bool json_int(struct json *, long long);
bool json_bool(struct json *, bool);
bool json_null(struct json *);

/* json_key() and the value in one call. */
bool json_key_str(struct json *, const char *key, const char *val);
bool json_key_int(struct json *, const char *key, long long val);
bool json_key_bool(struct json *, const char *key, bool val);

/*
 * Begin an object or array, inline where it is a member's value (after
 * its key) and the buffer has room; anything else (a value in an array
 * or at the top, a refusal, room to make) is json.c's. A report begins
 * and ends some 8 a session.
 *
 * The inline writers here read what they need into locals and store the
 * text last: a store of a char may change any object as far as the
 * compiler knows, and each field read after one is read again.
 */
static inline bool
json_begin(struct json *j, char c)
{
	struct buf *b = j->out;
	size_t at = b->len;
	int d = j->depth;
	char *o = b->s;

	if (j->failed || !j->key || d >= JSON_DEPTH || at + 2 > b->cap)
		return json_begin_slow(j, c);
	j->key = false;
	j->keyable = c == '{';
	j->more[d + 1] = false;
	j->depth = d + 1;
	b->len = at + 1;
	j->open[d] = c;
	o[at] = c;
	o[at + 1] = '\0';
	return true;
}

static inline bool
json_begin_object(struct json *j)
{
	return json_begin(j, '{');
}

static inline bool
json_begin_array(struct json *j)
{
	return json_begin(j, '[');
}

/* End the innermost object or array; inline as json_begin(). */
static inline bool
json_end(struct json *j)
{
	struct buf *b = j->out;
	size_t at = b->len;
	int d = j->depth - 1;
	char *o = b->s;
	char c;

	if (j->failed || d < 0 || j->key || j->fp || at + 2 > b->cap)
		return json_end_slow(j);
	c = j->open[d] == '{' ? '}' : ']';
	j->keyable = d > 0 && j->open[d - 1] == '{';
	j->depth = d;
	b->len = at + 1;
	o[at] = c;
	o[at + 1] = '\0';
	return true;
}

/*
 * A key the caller names with a string literal, quoted at compile time:
 * JSON_KEY(&j, "status") writes what json_key(&j, "status") does, without
 * looking at the bytes again (a JSON report writes some 36 keys a
 * session). The literal must be printable ASCII without '"' or '\'
 * (esc_json_plain[]), as every name of the report's contract is; any
 * other key goes through json_key(). json_key_lit() takes the quoted key
 * with a comma before it and its colon (",\"status\":") and its length:
 * the comma is written when one is due.
 */
bool json_key_lit_slow(struct json *, const char *qkey, size_t n);

/*
 * The literal key at o with the comma before it when more: what
 * json_key_lit() writes, as moves of a length known where it is inlined.
 * Returns the end.
 */
static inline char *
json_put_qkey(char *o, const char *qkey, size_t n, bool more)
{
	*o = ',';
	memcpy(o + more, qkey + 1, n - 1);
	return o + more + n - 1;
}

/* Whether a key may be written here now: in an object, none waiting. */
static inline bool
json_key_fits(const struct json *j)
{
	return j->keyable;
}

/* Inline, so that the copy of a literal of known length is a few moves;
 * anything unusual (a refusal, a buffer to grow) is json.c's. */
static inline bool
json_key_lit(struct json *j, const char *qkey, size_t n)
{
	struct buf *b = j->out;
	size_t at = b->len;
	bool *more = &j->more[j->depth], had = *more;
	char *o = b->s + at;

	if (!json_key_fits(j) || at + n + 1 > b->cap)
		return json_key_lit_slow(j, qkey, n);
	*more = true;
	j->key = true;
	j->keyable = false;
	b->len = at + n - !had;
	o = json_put_qkey(o, qkey, n, had);
	*o = '\0';
	return true;
}
#define JSON_QKEY(k)	",\"" k "\":", sizeof(k) + 3
#define JSON_KEY(j, k)	json_key_lit((j), JSON_QKEY(k))
#define JSON_KEY_STR(j, k, v)	json_lit_str((j), JSON_QKEY(k), (v))
#define JSON_KEY_INT(j, k, v)	json_lit_int((j), JSON_QKEY(k), (v))

/*
 * The key and the string in one step (esc_json_pre()): a report writes
 * some 30 a session, and the calls they took cost as much as the text.
 * Half of them are null, written here with moves of known length.
 * Always inline: a call of its own would cost what it saves.
 */
bool json_lit_str_slow(struct json *, const char *qkey, size_t n,
    const char *v);

__attribute__((always_inline)) static inline bool
json_lit_str(struct json *j, const char *qkey, size_t n, const char *v)
{
	struct buf *b = j->out;
	bool more;
	size_t at;
	char *o;

	if (!json_key_fits(j))
		return json_lit_str_slow(j, qkey, n, v);
	more = j->more[j->depth];
	j->more[j->depth] = true;
	if (v != NULL) {
		esc_json_pre(b, qkey + !more, n - !more, v, strlen(v));
		return true;
	}
	if (b->len + n + 5 > b->cap)
		buf_grow(b, n + 4);
	at = b->len;
	o = b->s + at;
	b->len = at + n - !more + 4;
	o = json_put_qkey(o, qkey, n, more);
	memcpy(o, "null", 5);
	return true;
}

/*
 * A memo of the text of members whose string does not change while the
 * memo lives: a name from a table ("failed", "rcpt"), a hint of the
 * codes, a file name of the run. A slot is found by the addresses of the
 * key literal and of the string (the next free one when taken) and holds
 * ,"key":"string" as escaped once, so that a report writes it with one
 * copy. Slots are never given to another pair: past half of them, a new
 * pair is written as JSON_KEY_STR() writes it, which a report of a few
 * dozen names and hints never reaches. The string is known by its
 * address alone:
 * one that may be freed, changed or built in a buffer (a session's
 * fields, a meaning written into a local array) must not be given.
 * Zeroed (JSON_MEMO_INIT, or calloc()) it is empty; json_memo_release()
 * frees it. For one thread.
 */
#define JSON_MEMO_SLOTS 512
struct json_memo {
	struct json_memo_slot {
		const char *qkey, *s;	/* qkey NULL: empty */
		char *text;	/* ,"key":"string", JSON_MEMO_PAD more */
		size_t len;
	} slot[JSON_MEMO_SLOTS];
	size_t used;	/* slots taken */
};
#define JSON_MEMO_INIT {0}
void json_memo_release(struct json_memo *);
/* JSON_KEY_STR() through the memo m; v NULL gives null. */
bool json_lit_memo_slow(struct json *, const char *qkey, size_t n,
    struct json_memo *m, const char *v);
#define JSON_KEY_MEMO(j, k, m, v) \
	json_lit_memo((j), JSON_QKEY(k), (m), (v))

/* The address a NULL string is kept under, its text the key and null. */
extern const char json_memo_null[1];

/* The first slot to look at for a pair: the addresses mixed (Fibonacci
 * hashing). */
static inline size_t
json_memo_hash(const char *qkey, const char *v)
{
	uint64_t h = (uint64_t)(uintptr_t)qkey * 0x9e3779b97f4a7c15u ^
	    (uint64_t)(uintptr_t)v;

	return (size_t)((h * 0x9e3779b97f4a7c15u) >> 55) % JSON_MEMO_SLOTS;
}

/*
 * A slot's text is copied 32 bytes at a time, past its end into bytes
 * that are zero or that what comes next overwrites: most texts ("status":
 * "failed") are one such copy, where a memcpy() of a length known only
 * here was a call.
 */
#define JSON_MEMO_PAD 32

/*
 * Inline: a report writes some 12 members a session from the memo. A pair
 * in its first slot, with room in the buffer, is copied here; anything
 * else (a pair met for the first time, one in a later slot, room to make,
 * a refusal) is json_lit_memo_slow()'s.
 */
static inline bool
json_lit_memo(struct json *j, const char *qkey, size_t n,
    struct json_memo *m, const char *v)
{
	const char *key = v ? v : json_memo_null;
	const struct json_memo_slot *sl = &m->slot[json_memo_hash(qkey, key)];
	struct buf *b = j->out;
	size_t at = b->len, len = sl->len;
	bool *more = &j->more[j->depth];
	char *o = b->s + at;
	const char *t;

	if (sl->qkey != qkey || sl->s != key || !json_key_fits(j) ||
	    at + len + JSON_MEMO_PAD > b->cap)
		return json_lit_memo_slow(j, qkey, n, m, v);
	t = sl->text + !*more;	/* no comma before the first */
	len -= !*more;
	*more = true;
	b->len = at + len;
	memcpy(o, t, JSON_MEMO_PAD);
	for (size_t k = JSON_MEMO_PAD; k < len; k += JSON_MEMO_PAD)
		memcpy(o + k, t + k, JSON_MEMO_PAD);
	o[len] = '\0';
	return true;
}

/*
 * Members written before, as they were written, with the comma before
 * the first (len bytes at text, a NUL after them): copied as they are
 * where a member may come and one has come before them, for a report
 * that keeps a run of members it writes again and again. Anywhere else
 * nothing is written and false returned: the caller writes them.
 */
static inline bool
json_put_members(struct json *j, const char *text, size_t len)
{
	struct buf *b = j->out;

	if (!json_key_fits(j) || !j->more[j->depth])
		return false;
	if (b->len + len + 1 > b->cap)
		buf_grow(b, len);
	memcpy(b->s + b->len, text, len + 1);
	b->len += len;
	return true;
}

/* "00" to "99", for json_int() and json_uint() */
extern const char json_digit_pairs[201];

/*
 * json_int() of v inline where it is a value in an array (a session's
 * line numbers, some 3 to 4 a session) and the buffer has room: digits
 * written leftwards into t, two a step, the comma before them when one
 * is due, then moved as 16 bytes whatever the length. Anything else is
 * json_int()'s.
 */
static inline bool
json_uint(struct json *j, uint32_t v)
{
	struct buf *b = j->out;
	size_t at = b->len;
	int d = j->depth;
	char t[32], *const e = t + 16, *p = e, *o = b->s + at;

	if (j->failed || d == 0 || j->open[d - 1] != '[' ||
	    at + 16 + 1 > b->cap)
		return json_int(j, v);
	while (v >= 100) {
		p -= 2;
		memcpy(p, json_digit_pairs + 2 * (v % 100), 2);
		v /= 100;
	}
	if (v >= 10) {
		p -= 2;
		memcpy(p, json_digit_pairs + 2 * v, 2);
	} else {
		*--p = (char)('0' + v);
	}
	if (j->more[d])
		*--p = ',';
	j->more[d] = true;
	b->len = at + (size_t)(e - p);
	memcpy(o, p, 16);	/* p + 16 is within t */
	o[e - p] = '\0';
	return true;
}

static inline bool
json_lit_int(struct json *j, const char *qkey, size_t n, long long v)
{
	return json_key_lit(j, qkey, n) && json_int(j, v);
}

#endif
