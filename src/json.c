/*
 * json - the JSON writer of json.h: a stack of open containers, each
 * knowing whether a comma is due before its next member.
 *
 * The whole rule is in value_start(): in an object a value must follow
 * its key (json_key() wrote the comma); in an array a comma goes before
 * every value but the first; at the top there is one value.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "json.h"

void
json_init(struct json *j, struct buf *b)
{
	memset(j, 0, sizeof(*j));
	buf_init(&j->own);
	j->out = b;
}

void
json_init_file(struct json *j, FILE *fp)
{
	memset(j, 0, sizeof(*j));
	j->fp = fp;
	buf_init(&j->own);
	j->out = &j->own;
}

void
json_release(struct json *j)
{
	buf_release(&j->own);
}

bool
json_ok(const struct json *j)
{
	return !j->failed;
}

static bool
refuse(struct json *j)
{
	j->failed = true;
	j->keyable = false;
	return false;
}

static bool
in_object(const struct json *j)
{
	return j->depth > 0 && j->open[j->depth - 1] == '{';
}

/*
 * Before any value: whether a comma goes before it (1) or not (0), or a
 * refusal (-1) when no value fits here. The caller writes the comma.
 */
static int
value_sep(struct json *j)
{
	if (j->failed)
		return -1;
	if (j->key) {	/* only ever set in an object */
		j->key = false;
		j->keyable = true;
		return 0;
	}
	if (in_object(j) || (j->more[j->depth] && j->depth == 0)) {
		refuse(j);	/* no key, or a second value at the top */
		return -1;
	}
	if (j->more[j->depth])
		return 1;
	j->more[j->depth] = true;
	return 0;
}

/* value_sep() with the comma written. */
static bool
value_start(struct json *j)
{
	int sep = value_sep(j);

	if (sep > 0)
		buf_addc(j->out, ',');
	return sep >= 0;
}

static bool
begin(struct json *j, char c)
{
	if (!j->failed && j->depth == JSON_DEPTH)
		return refuse(j);
	if (!value_start(j))
		return false;
	buf_addc(j->out, c);
	j->open[j->depth++] = c;
	j->more[j->depth] = false;
	j->keyable = c == '{';
	return true;
}

bool
json_begin_slow(struct json *j, char c)
{
	return begin(j, c);
}

bool
json_end_slow(struct json *j)
{
	if (j->failed || j->depth == 0 || j->key)
		return refuse(j);
	j->depth--;
	buf_addc(j->out, j->open[j->depth] == '{' ? '}' : ']');
	j->keyable = in_object(j);
	if (j->depth == 0 && j->fp) {
		fwrite(j->out->s, 1, j->out->len, j->fp);
		buf_reset(j->out);
	}
	return true;
}

/*
 * "key": of b. A key is nearly always the writer's own name ("status"),
 * printable ASCII with no quote or backslash (esc_json_plain[]; NUL ends
 * it): then it is copied as it is, which escaping it would give too (a
 * JSON report writes some 30 keys a session, and escaping them cost a
 * fifth of its time); any other key is escaped as a string value is.
 */
static void
put_key(struct buf *b, const char *key)
{
	const unsigned char *k = (const unsigned char *)key;
	size_t n = 0;
	char *o;

	while (esc_json_plain[k[n]])
		n++;
	if (k[n] != '\0') {
		esc_json_str(b, key);
		buf_addc(b, ':');
		return;
	}
	if (b->len + n + 4 > b->cap)
		buf_grow(b, n + 3);
	o = b->s + b->len;
	*o++ = '"';
	memcpy(o, key, n);
	o += n;
	*o++ = '"';
	*o++ = ':';
	*o = '\0';
	b->len = (size_t)(o - b->s);
}

bool
json_key(struct json *j, const char *key)
{
	if (j->failed || !in_object(j) || j->key || key == NULL)
		return refuse(j);
	if (j->more[j->depth])
		buf_addc(j->out, ',');
	j->more[j->depth] = true;
	put_key(j->out, key);
	j->key = true;
	j->keyable = false;
	return true;
}

/* json_key_lit()'s way out: a refusal, or room to make first */
bool
json_key_lit_slow(struct json *j, const char *qkey, size_t n)
{
	if (j->failed || !in_object(j) || j->key)
		return refuse(j);
	buf_grow(j->out, n + 1);
	return json_key_lit(j, qkey, n);	/* now with room */
}

/* json_lit_str()'s way out: a refusal, as json_key_lit() and json_str()
 * give it */
bool
json_lit_str_slow(struct json *j, const char *qkey, size_t n, const char *v)
{
	return json_key_lit(j, qkey, n) && json_str(j, v);
}

const char json_memo_null[1];

bool
json_lit_memo_slow(struct json *j, const char *qkey, size_t n,
    struct json_memo *m, const char *v)
{
	const char *key = v ? v : json_memo_null;
	size_t i = json_memo_hash(qkey, key), skip, len;
	struct json_memo_slot *sl;
	struct buf *b = j->out;

	if (!json_key_fits(j))
		return json_lit_str(j, qkey, n, v);
	skip = j->more[j->depth] ? 0 : 1;	/* no comma before the first */
	for (;;) {
		sl = &m->slot[i];
		if (sl->qkey == NULL || (sl->qkey == qkey && sl->s == key))
			break;
		i = (i + 1) % JSON_MEMO_SLOTS;
	}
	if (sl->qkey == NULL) {
		struct buf t = BUF_INIT;

		if (m->used >= JSON_MEMO_SLOTS / 2)
			return json_lit_str(j, qkey, n, v);
		m->used++;

		esc_json_pre(&t, qkey, n, v, v ? strlen(v) : 0);
		/* zeroed past the text: json_lit_memo() copies them */
		sl->text = xcalloc(1, t.len + JSON_MEMO_PAD);
		memcpy(sl->text, t.s, t.len);
		sl->len = t.len;
		buf_release(&t);
		sl->qkey = qkey;
		sl->s = key;
	}
	len = sl->len - skip;
	if (b->len + len + 1 > b->cap)
		buf_grow(b, len);
	memcpy(b->s + b->len, sl->text + skip, len + 1);
	b->len += len;
	j->more[j->depth] = true;
	return true;
}

void
json_memo_release(struct json_memo *m)
{
	for (size_t i = 0; i < JSON_MEMO_SLOTS; i++)
		free(m->slot[i].text);
	memset(m, 0, sizeof(*m));
}

bool
json_strn(struct json *j, const char *s, size_t n)
{
	if (!value_start(j))
		return false;
	esc_json(j->out, s, n);
	return true;
}

bool
json_str(struct json *j, const char *s)
{
	return json_strn(j, s, s ? strlen(s) : 0);
}

const char json_digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324"
    "25262728293031323334353637383940414243444546474849"
    "50515253545556575859606162636465666768697071727374"
    "75767778798081828384858687888990919293949596979899";

/*
 * The digits of u written leftwards, two a step, to end at e; returns
 * where they start. 32-bit steps while u fits: a line number always does,
 * and a division by 100 of 32 bits is half the instructions of one of 64.
 */
static char *
put_digits_left(char *e, unsigned long long u)
{
	uint32_t w;

	while (u > UINT32_MAX) {
		memcpy(e -= 2, json_digit_pairs + 2 * (u % 100), 2);
		u /= 100;
	}
	w = (uint32_t)u;
	while (w >= 100) {
		memcpy(e -= 2, json_digit_pairs + 2 * (w % 100), 2);
		w /= 100;
	}
	if (w >= 10)
		memcpy(e -= 2, json_digit_pairs + 2 * w, 2);
	else
		*--e = (char)('0' + w);
	return e;
}

/*
 * "%lld" without printf: written from the right into the middle of t,
 * then moved to b after the comma, if one is due, as 24 bytes whatever
 * the length (a fixed copy is a few moves; the bytes past the number are
 * overwritten by what follows it). A JSON report writes every line
 * number of every session.
 */
bool
json_int(struct json *j, long long v)
{
	unsigned long long u = v < 0 ? 0ull - (unsigned long long)v :
	    (unsigned long long)v;
	struct buf *b = j->out;
	/* 24: "-" and 20 digits; 24 more for the fixed copy */
	char t[48], *const e = t + 24, *d;
	int sep = value_sep(j);
	char *o;

	if (sep < 0)
		return false;
	d = put_digits_left(e, u);
	if (v < 0)
		*--d = '-';
	if (b->len + 1 + 24 + 1 > b->cap)
		buf_grow(b, 1 + 24);
	o = b->s + b->len;
	*o = ',';
	o += sep;
	memcpy(o, d, 24);	/* d + 24 is within t */
	o += e - d;
	*o = '\0';
	b->len = (size_t)(o - b->s);
	return true;
}

bool
json_bool(struct json *j, bool v)
{
	if (!value_start(j))
		return false;
	buf_add(j->out, v ? "true" : "false", v ? 4 : 5);
	return true;
}

bool
json_null(struct json *j)
{
	if (!value_start(j))
		return false;
	buf_add(j->out, "null", 4);
	return true;
}

bool
json_key_str(struct json *j, const char *key, const char *val)
{
	return json_key(j, key) && json_str(j, val);
}

bool
json_key_int(struct json *j, const char *key, long long val)
{
	return json_key(j, key) && json_int(j, val);
}

bool
json_key_bool(struct json *j, const char *key, bool val)
{
	return json_key(j, key) && json_bool(j, val);
}
