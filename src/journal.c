/*
 * journal - see journal.h. This file: an entry as a syslog line, and
 * journalctl's export and JSON output read by their fields; the journal
 * itself (sd-journal) is journal_sd.c.
 *
 * Export format (systemd's JOURNAL_EXPORT_FORMATS): records separated by
 * an empty line; a field is "NAME=value\n", or, for a value that is not
 * plain text, "NAME\n", its length as 64-bit little-endian, the bytes and
 * "\n". The reader hands out lines, and reader_bytes() the length-prefixed
 * values, newlines and all.
 *
 * JSON (journalctl -o json): one object per line, every value a string,
 * except that a value that is not valid UTF-8 is an array of byte values,
 * a field given several times is an array of its values (the first one is
 * taken), and a value too large for journalctl is null.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "journal.h"
#include "timestamp.h"

static const char *const field_names[JF__COUNT] = {
	[JF_IDENT] = "SYSLOG_IDENTIFIER",
	[JF_COMM] = "_COMM",
	[JF_HOST] = "_HOSTNAME",
	[JF_SYSLOG_PID] = "SYSLOG_PID",
	[JF_PID] = "_PID",
	[JF_MESSAGE] = "MESSAGE",
	[JF_CURSOR] = "__CURSOR",
	[JF_REALTIME] = "__REALTIME_TIMESTAMP",
	[JF_SOURCE_TIME] = "_SOURCE_REALTIME_TIMESTAMP",
	[JF_SEQNUM] = "__SEQNUM",
	[JF_SEQNUM_ID] = "__SEQNUM_ID",
};

const char *
journal_field_name(enum journal_field f)
{
	return f >= 0 && f < JF__COUNT ? field_names[f] : NULL;
}

enum journal_field
journal_field_by_name(const char *name, size_t len)
{
	/* most of an entry's fields are none of ours: the length and the
	 * first byte after the leading underscores rule them out at once */
	for (int i = 0; i < JF__COUNT; i++)
		if (name[len > 2 ? 2 : 0] == field_names[i][len > 2 ? 2 : 0] &&
		    strlen(field_names[i]) == len &&
		    memcmp(field_names[i], name, len) == 0)
			return (enum journal_field)i;
	return JF_NONE;
}

static struct strview
view(const struct buf *b)
{
	struct strview v = {b->len ? b->s : NULL, b->len};

	return v;
}

/* A decimal number of at most 19 digits; false for anything else. */
static bool
decimal(const struct buf *b, uint64_t *out)
{
	uint64_t v = 0;

	if (b->len == 0 || b->len > 19)
		return false;
	for (size_t i = 0; i < b->len; i++) {
		if (b->s[i] < '0' || b->s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(b->s[i] - '0');
	}
	*out = v;
	return true;
}

/* "s=<id>;i=<hex>;b=..." -> seqid "s=<id>", seqnum <hex>. */
static bool
cursor_place(const struct buf *c, struct buf *seqid, uint64_t *seqnum)
{
	const char *s = c->s, *end = c->s + c->len, *semi;
	bool have_s = false, have_i = false;

	while (s && s < end) {
		semi = memchr(s, ';', (size_t)(end - s));
		if (!semi)
			semi = end;
		if (semi - s > 2 && s[0] == 's' && s[1] == '=') {
			buf_reset(seqid);
			buf_add(seqid, s, (size_t)(semi - s));
			have_s = true;
		} else if (semi - s > 2 && s[0] == 'i' && s[1] == '=') {
			char num[24];
			char *e;

			if (semi - s - 2 >= (long)sizeof(num))
				return false;
			memcpy(num, s + 2, (size_t)(semi - s - 2));
			num[semi - s - 2] = '\0';
			*seqnum = strtoull(num, &e, 16);
			have_i = *e == '\0';
		}
		s = semi + 1;
	}
	return have_s && have_i;
}

bool
journal_fields_entry(struct buf f[JF__COUNT], struct buf *seqid,
    struct journal_entry *e)
{
	uint64_t t;

	memset(e, 0, sizeof(*e));
	if (!decimal(&f[JF_SOURCE_TIME], &t) && !decimal(&f[JF_REALTIME], &t))
		return false;
	e->time_us = (int64_t)t;
	e->ident = view(f[JF_IDENT].len ? &f[JF_IDENT] : &f[JF_COMM]);
	e->host = view(&f[JF_HOST]);
	e->pid = view(f[JF_SYSLOG_PID].len ? &f[JF_SYSLOG_PID] : &f[JF_PID]);
	e->message = view(&f[JF_MESSAGE]);
	e->cursor = f[JF_CURSOR].len ? f[JF_CURSOR].s : NULL;
	if (f[JF_CURSOR].len && cursor_place(&f[JF_CURSOR], seqid, &t)) {
		e->seqid = seqid->s;
		e->seqnum = t;
	} else if (f[JF_SEQNUM_ID].len && decimal(&f[JF_SEQNUM], &t)) {
		buf_reset(seqid);
		buf_add(seqid, "s=", 2);
		buf_add(seqid, f[JF_SEQNUM_ID].s, f[JF_SEQNUM_ID].len);
		e->seqid = seqid->s;
		e->seqnum = t;
	}
	return true;
}

bool
journal_entry_line(const struct journal_entry *e, struct buf *b)
{
	char stamp[TS_BUFSZ];
	struct ts t = {0};
	int off;
	bool zoned;

	if (!e->ident.p || e->ident.len == 0 || !e->message.p ||
	    e->time_us == INT64_MIN)
		return false;
	/* under --tz, the wall time there, as a text log writes it (the
	 * zone is then applied as it is to a text log's stamps); else the
	 * instant with the local zone's offset */
	zoned = ts_zone_offset(e->time_us, &off);
	t.us = e->time_us + (int64_t)off * 60 * 1000000;
	t.off = (int16_t)off;
	t.flags = TS_SET | (zoned ? 0 : TS_OFFSET);
	t.frac = e->time_us % 1000000 ? 6 : 0;
	buf_reset(b);
	ts_format(&t, stamp);
	buf_adds(b, stamp);
	buf_addc(b, ' ');
	if (e->host.len)
		buf_add(b, e->host.p, e->host.len);
	else
		buf_add(b, "localhost", 9);
	buf_addc(b, ' ');
	buf_add(b, e->ident.p, e->ident.len);
	if (e->pid.len) {
		buf_addc(b, '[');
		buf_add(b, e->pid.p, e->pid.len);
		buf_addc(b, ']');
	}
	buf_add(b, ": ", 2);
	buf_add(b, e->message.p, e->message.len);
	return true;
}

/* --- recognising the format ---------------------------------------------- */

enum journal_format
journal_format_of(struct strview l)
{
	static const char *const export_first[] = {
		"__CURSOR=", "__REALTIME_TIMESTAMP=", "__SEQNUM=",
	};
	static const char key[] = "\"__REALTIME_TIMESTAMP\":";
	size_t klen = sizeof(key) - 1;

	for (size_t i = 0; i < ARRAY_SIZE(export_first); i++) {
		size_t n = strlen(export_first[i]);

		if (l.len > n && memcmp(l.p, export_first[i], n) == 0)
			return JOURNAL_EXPORT;
	}
	/* an object that has the journal's own time stamp key */
	if (l.len > 2 && l.p[0] == '{' && l.p[l.len - 1] == '}')
		for (size_t i = 0; i + klen <= l.len; i++)
			if (memcmp(l.p + i, key, klen) == 0)
				return JOURNAL_JSON;
	return JOURNAL_NONE;
}

void
journal_text_init(struct journal_text *jt, enum journal_format fmt,
    struct strview first)
{
	memset(jt, 0, sizeof(*jt));
	buf_init(&jt->first);
	buf_init(&jt->seqid);
	for (int i = 0; i < JF__COUNT; i++)
		buf_init(&jt->f[i]);
	jt->fmt = fmt;
	buf_add(&jt->first, first.p, first.len);
	jt->have_first = true;
}

void
journal_text_release(struct journal_text *jt)
{
	buf_release(&jt->first);
	buf_release(&jt->seqid);
	for (int i = 0; i < JF__COUNT; i++)
		buf_release(&jt->f[i]);
	jt->have_first = jt->warned = false;
	jt->records = 0;
}

static bool
next_line(struct journal_text *jt, struct reader *rd, struct strview *l)
{
	if (jt->have_first) {
		jt->have_first = false;
		l->p = jt->first.s;
		l->len = jt->first.len;
		return true;
	}
	return reader_next(rd, l) == 1;
}

static void
bad_record(struct journal_text *jt, struct reader *rd, const char *what)
{
	if (!jt->warned)
		diag_at(DIAG_WARNING, reader_name(rd), reader_lineno(rd), 0,
		    "journal record %lu: %s; such records are skipped",
		    jt->records + 1, what);
	jt->warned = true;
}

static void
add_capped(struct buf *b, const char *p, size_t n)
{
	if (b->len + n > READER_MAX_LINE)
		n = b->len < READER_MAX_LINE ? READER_MAX_LINE - b->len : 0;
	buf_add(b, p, n);
}

/* A binary field: its length and bytes follow the name's line. */
static bool
export_binary(struct journal_text *jt, struct reader *rd,
    enum journal_field f)
{
	struct strview v;
	uint64_t len = 0;

	if (!reader_bytes(rd, 8, &v))
		return false;
	for (int i = 7; i >= 0; i--)
		len = len << 8 | (unsigned char)v.p[i];
	if (f != JF_NONE)
		buf_reset(&jt->f[f]);
	while (len > 0) {
		size_t n = len > READER_MAX_LINE ? READER_MAX_LINE :
		    (size_t)len;

		if (!reader_bytes(rd, n, &v))
			return false;
		if (f != JF_NONE)
			add_capped(&jt->f[f], v.p, v.len);
		len -= n;
	}
	return reader_bytes(rd, 1, &v) && v.p[0] == '\n';
}

static int
export_next(struct journal_text *jt, struct reader *rd)
{
	struct strview l;
	bool any = false;

	while (next_line(jt, rd, &l)) {
		const char *eq = memchr(l.p, '=', l.len);
		enum journal_field f;

		if (l.len == 0) {
			if (any)
				return 1;
			continue;
		}
		any = true;
		if (eq) {
			f = journal_field_by_name(l.p, (size_t)(eq - l.p));
			if (f != JF_NONE) {
				buf_reset(&jt->f[f]);
				add_capped(&jt->f[f], eq + 1,
				    l.len - (size_t)(eq - l.p) - 1);
			}
			continue;
		}
		f = journal_field_by_name(l.p, l.len);
		if (!export_binary(jt, rd, f)) {
			bad_record(jt, rd, "a binary field is cut short");
			return 0;
		}
	}
	return any;
}

/* --- JSON --------------------------------------------------------------- */

struct json {
	const char *p, *end;
};

static void
skip_ws(struct json *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' ||
	    *j->p == '\r' || *j->p == '\n'))
		j->p++;
}

static int
hex4(const char *p)
{
	int v = 0;

	for (int i = 0; i < 4; i++) {
		int c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

static void
add_utf8(struct buf *b, unsigned cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12);
		u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | cp >> 18);
		u[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		u[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	add_capped(b, u, n);
}

/* A string at j->p ('"'), decoded into out (NULL: skipped). */
static bool
json_string(struct json *j, struct buf *out)
{
	if (j->p >= j->end || *j->p != '"')
		return false;
	j->p++;
	while (j->p < j->end && *j->p != '"') {
		const char *run = j->p;
		int cp, lo;

		while (j->p < j->end && *j->p != '"' && *j->p != '\\')
			j->p++;
		if (out)
			add_capped(out, run, (size_t)(j->p - run));
		if (j->p >= j->end || *j->p == '"')
			break;
		if (j->end - j->p < 2)
			return false;
		j->p += 2;
		switch (j->p[-1]) {
		case 'n': cp = '\n'; break;
		case 't': cp = '\t'; break;
		case 'r': cp = '\r'; break;
		case 'b': cp = '\b'; break;
		case 'f': cp = '\f'; break;
		case '"': case '\\': case '/': cp = j->p[-1]; break;
		case 'u':
			if (j->end - j->p < 4 || (cp = hex4(j->p)) < 0)
				return false;
			j->p += 4;
			if (cp >= 0xd800 && cp < 0xdc00 && j->end - j->p >= 6 &&
			    j->p[0] == '\\' && j->p[1] == 'u' &&
			    (lo = hex4(j->p + 2)) >= 0xdc00 && lo < 0xe000) {
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    (lo - 0xdc00);
				j->p += 6;
			}
			break;
		default:
			return false;
		}
		if (out)
			add_utf8(out, (unsigned)cp);
	}
	if (j->p >= j->end)
		return false;
	j->p++;
	return true;
}

static bool json_value(struct json *, struct buf *, int depth);

/*
 * An array: of byte values (a value that is not UTF-8), or of the values
 * of a field given more than once (the first is kept).
 */
static bool
json_array(struct json *j, struct buf *out, int depth)
{
	bool first = true;

	j->p++;
	skip_ws(j);
	if (j->p < j->end && *j->p == ']') {
		j->p++;
		return true;
	}
	while (j->p < j->end) {
		skip_ws(j);
		if (j->p < j->end && *j->p >= '0' && *j->p <= '9') {
			unsigned v = 0;

			while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
				v = v * 10 + (unsigned)(*j->p++ - '0');
			if (out && v < 256) {
				char c = (char)v;

				add_capped(out, &c, 1);
			}
		} else if (!json_value(j, first ? out : NULL, depth + 1)) {
			return false;
		}
		first = false;
		skip_ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->end && *j->p == ']') {
			j->p++;
			return true;
		}
		return false;
	}
	return false;
}

/* Any value; a string or array goes into out (NULL: skipped). */
static bool
json_value(struct json *j, struct buf *out, int depth)
{
	skip_ws(j);
	if (j->p >= j->end || depth > 16)
		return false;
	if (*j->p == '"')
		return json_string(j, out);
	if (*j->p == '[')
		return json_array(j, out, depth);
	if (*j->p == '{') {
		j->p++;
		for (;;) {
			skip_ws(j);
			if (j->p < j->end && *j->p == '}') {
				j->p++;
				return true;
			}
			if (!json_string(j, NULL))
				return false;
			skip_ws(j);
			if (j->p >= j->end || *j->p++ != ':' ||
			    !json_value(j, NULL, depth + 1))
				return false;
			skip_ws(j);
			if (j->p < j->end && *j->p == ',')
				j->p++;
		}
	}
	/* null, true, false, a number */
	while (j->p < j->end && *j->p != ',' && *j->p != '}' &&
	    *j->p != ']' && *j->p != ' ')
		j->p++;
	return true;
}

/* One object: the fields of journal.h's list, the rest skipped. */
static bool
json_record(struct journal_text *jt, struct strview l)
{
	struct json j = {l.p, l.p + l.len};
	struct buf key = BUF_INIT;
	bool ok = false;

	skip_ws(&j);
	if (j.p >= j.end || *j.p++ != '{')
		goto out;
	for (;;) {
		enum journal_field f;

		skip_ws(&j);
		if (j.p < j.end && *j.p == '}') {
			ok = true;
			break;
		}
		buf_reset(&key);
		if (!json_string(&j, &key))
			break;
		skip_ws(&j);
		if (j.p >= j.end || *j.p++ != ':')
			break;
		f = journal_field_by_name(key.s, key.len);
		if (f != JF_NONE)
			buf_reset(&jt->f[f]);
		if (!json_value(&j, f != JF_NONE ? &jt->f[f] : NULL, 0))
			break;
		skip_ws(&j);
		if (j.p < j.end && *j.p == ',')
			j.p++;
	}
out:
	buf_release(&key);
	return ok;
}

int
journal_text_next(struct journal_text *jt, struct reader *rd,
    struct journal_entry *e)
{
	struct strview l;

	for (;;) {
		for (int i = 0; i < JF__COUNT; i++)
			buf_reset(&jt->f[i]);
		if (jt->fmt == JOURNAL_EXPORT) {
			if (!export_next(jt, rd))
				return 0;
		} else {
			if (!next_line(jt, rd, &l))
				return 0;
			if (l.len == 0)
				continue;
			if (!json_record(jt, l)) {
				bad_record(jt, rd, "not a JSON object");
				jt->records++;
				continue;
			}
		}
		jt->records++;
		if (!journal_fields_entry(jt->f, &jt->seqid, e)) {
			bad_record(jt, rd, "no __REALTIME_TIMESTAMP");
			continue;
		}
		if (!e->seqid)
			e->seqnum = jt->records;
		return 1;
	}
}
