/*
 * json - the JSON writer of json.h: a stack of open containers, each
 * knowing whether a comma is due before its next member.
 *
 * The whole rule is in value_start(): in an object a value must follow
 * its key (json_key() wrote the comma); in an array a comma goes before
 * every value but the first; at the top there is one value.
 */
#include "config.h"

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
	return false;
}

static bool
in_object(const struct json *j)
{
	return j->depth > 0 && j->open[j->depth - 1] == '{';
}

/* Before any value: the comma, or a refusal when no value fits here. */
static bool
value_start(struct json *j)
{
	if (j->failed)
		return false;
	if (j->key) {	/* only ever set in an object */
		j->key = false;
		return true;
	}
	if (in_object(j))
		return refuse(j);
	if (j->more[j->depth]) {
		if (j->depth == 0)
			return refuse(j);	/* a second value at the top */
		buf_addc(j->out, ',');
	}
	j->more[j->depth] = true;
	return true;
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
	return true;
}

bool
json_begin_object(struct json *j)
{
	return begin(j, '{');
}

bool
json_begin_array(struct json *j)
{
	return begin(j, '[');
}

bool
json_end(struct json *j)
{
	if (j->failed || j->depth == 0 || j->key)
		return refuse(j);
	j->depth--;
	buf_addc(j->out, j->open[j->depth] == '{' ? '}' : ']');
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
	return true;
}

bool
json_key_lit_slow(struct json *j, const char *qkey, size_t n)
{
	struct buf *b = j->out;
	char *o;

	if (j->failed || !in_object(j) || j->key)
		return refuse(j);
	if (b->len + n + 2 > b->cap)
		buf_grow(b, n + 1);
	o = b->s + b->len;
	if (j->more[j->depth])
		*o++ = ',';
	j->more[j->depth] = true;
	memcpy(o, qkey, n);
	o += n;
	*o = '\0';
	b->len = (size_t)(o - b->s);
	j->key = true;
	return true;
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

/* "%lld" without printf: the digits from the right, then the sign */
bool
json_int(struct json *j, long long v)
{
	char d[24], *p = d + sizeof(d);
	unsigned long long u = v < 0 ? 0ull - (unsigned long long)v :
	    (unsigned long long)v;
	struct buf *b = j->out;
	size_t n;

	if (!value_start(j))
		return false;
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	n = (size_t)(d + sizeof(d) - p);
	if (b->len + n + 1 > b->cap)
		buf_grow(b, n);
	for (size_t i = 0; i < n; i++)	/* a few digits: no memcpy call */
		b->s[b->len + i] = p[i];
	b->len += n;
	b->s[b->len] = '\0';
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
