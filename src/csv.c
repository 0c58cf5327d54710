/*
 * csv - see csv.h.
 *
 * States of a csvlog:
 *
 *	FIRST   nothing read yet: the first non-empty line decides
 *	OFF     not a CSV log: every line passes as it is
 *	ON      a CSV log: '#' lines are its header, the rest are records
 *	        (rewritten once a set is chosen, else passed)
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csv.h"

static void
rec_push(struct csv_rec *r, size_t off, size_t len)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		r->off = xrealloc(r->off, r->cap * sizeof(*r->off));
		r->len = xrealloc(r->len, r->cap * sizeof(*r->len));
	}
	r->off[r->n] = off;
	r->len[r->n] = len;
	r->n++;
}

size_t
csv_split(struct csv_rec *r, struct strview rec)
{
	const char *p = rec.p, *end = rec.p + rec.len;

	buf_reset(&r->buf);
	r->n = 0;
	for (;;) {
		size_t off = r->buf.len;

		if (p < end && *p == '"') {
			/* quoted: up to the lone closing quote; anything
			 * between it and the next comma is kept as it is */
			for (p++; p < end; p++) {
				if (*p == '"') {
					if (p + 1 < end && p[1] == '"') {
						buf_addc(&r->buf, '"');
						p++;
						continue;
					}
					p++;
					break;
				}
				buf_addc(&r->buf, *p);
			}
		}
		while (p < end && *p != ',')
			buf_addc(&r->buf, *p++);
		rec_push(r, off, r->buf.len - off);
		if (p >= end)
			break;
		p++;	/* the comma: another field follows, maybe empty */
	}
	return r->n;
}

struct strview
csv_field(const struct csv_rec *r, size_t i)
{
	if (i >= r->n)
		return (struct strview){NULL, 0};
	return (struct strview){r->buf.s + r->off[i], r->len[i]};
}

void
csv_rec_release(struct csv_rec *r)
{
	buf_release(&r->buf);
	free(r->off);
	free(r->len);
	*r = (struct csv_rec)CSV_REC_INIT;
}

size_t
csv_columns(const struct pattern_csv *spec, struct strview header, int *col)
{
	size_t have = 0;

	for (size_t i = 0; i < spec->nfields; i++) {
		const char *name = spec->fields[i];
		size_t nl = strlen(name);
		const char *p = header.p, *end = header.p + header.len;
		int c = 0;

		col[i] = -1;
		if (strcmp(name, "log-type") == 0) {
			col[i] = CSV_COL_LOGTYPE;
			continue;
		}
		while (p <= end) {
			const char *e = memchr(p, ',', (size_t)(end - p));
			const char *w = p, *we;

			if (e == NULL)
				e = end;
			we = e;
			while (w < we && (*w == ' ' || *w == '\t'))
				w++;
			while (we > w && (we[-1] == ' ' || we[-1] == '\t'))
				we--;
			if ((size_t)(we - w) == nl &&
			    strncasecmp(w, name, nl) == 0) {
				col[i] = c;
				have++;
				break;
			}
			c++;
			p = e + 1;
		}
	}
	return have;
}

static void
add_value(struct buf *out, struct strview v)
{
	for (size_t i = 0; i < v.len; i++)
		buf_addc(out, v.p[i] == CSV_SEP ? ' ' : v.p[i]);
}

void
csv_canonical(const struct pattern_csv *spec, const int *col,
    struct strview log_type, const struct csv_rec *r, struct buf *out)
{
	buf_reset(out);
	for (size_t i = 0; i < spec->nfields; i++) {
		if (i)
			buf_addc(out, CSV_SEP);
		if (col[i] == CSV_COL_LOGTYPE)
			add_value(out, log_type);
		else if (col[i] >= 0)
			add_value(out, csv_field(r, (size_t)col[i]));
	}
}

void
csvlog_init(struct csvlog *cl, const struct pattern_db *db,
    const struct pattern_set *only)
{
	memset(cl, 0, sizeof(*cl));
	buf_init(&cl->log_type);
	buf_init(&cl->fields);
	cl->rec = (struct csv_rec)CSV_REC_INIT;
	buf_init(&cl->line);
	cl->state = CSVLOG_FIRST;
	cl->db = db;
	cl->only = only;
}

void
csvlog_release(struct csvlog *cl)
{
	free(cl->col);
	buf_release(&cl->log_type);
	buf_release(&cl->fields);
	buf_release(&cl->line);
	csv_rec_release(&cl->rec);
	csvlog_init(cl, NULL, NULL);	/* empty, its buffers too */
}

const struct pattern_set *
csvlog_set(const struct csvlog *cl)
{
	return cl->set;
}

/* Use set s with the columns of header for the records that follow. */
static size_t
use_set(struct csvlog *cl, const struct pattern_set *s, struct strview header)
{
	const struct pattern_csv *spec = pattern_set_csv(s);

	free(cl->col);
	cl->col = xcalloc(spec->nfields ? spec->nfields : 1, sizeof(int));
	cl->set = s;
	return csv_columns(spec, header, cl->col);
}

/*
 * The header is complete ('#Fields:' read): the set whose log-types names
 * the log type, else the first whose columns the header all has.
 */
static void
choose_set(struct csvlog *cl)
{
	struct strview hdr = {cl->fields.s, cl->fields.len};
	size_t n = pattern_db_count(cl->db);

	cl->set = NULL;
	for (size_t i = 0; i < n; i++) {
		const struct pattern_set *s = pattern_db_set(cl->db, i);
		const struct pattern_csv *spec = pattern_set_csv(s);

		if (spec == NULL || (cl->only && s != cl->only))
			continue;
		for (size_t j = 0; j < spec->nlog_types; j++)
			if (cl->log_type.len > 0 &&
			    strcasecmp(spec->log_types[j], cl->log_type.s) ==
			    0) {
				use_set(cl, s, hdr);
				return;
			}
	}
	for (size_t i = 0; i < n; i++) {
		const struct pattern_set *s = pattern_db_set(cl->db, i);
		const struct pattern_csv *spec = pattern_set_csv(s);
		size_t real = 0;

		if (spec == NULL || (cl->only && s != cl->only))
			continue;
		for (size_t j = 0; j < spec->nfields; j++)
			real += strcmp(spec->fields[j], "log-type") != 0;
		if (use_set(cl, s, hdr) == real)
			return;
	}
	cl->set = NULL;
}

/* "#Name: value" -> value, when the line is that directive. */
static bool
directive(struct strview line, const char *name, struct strview *value)
{
	size_t n = strlen(name);
	const char *p, *end = line.p + line.len;

	if (line.len < n + 2 || strncasecmp(line.p + 1, name, n) != 0 ||
	    line.p[n + 1] != ':')
		return false;
	for (p = line.p + n + 2; p < end && *p == ' '; p++)
		;
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	*value = (struct strview){p, (size_t)(end - p)};
	return true;
}

static enum csvlog_result
header_line(struct csvlog *cl, struct strview line)
{
	struct strview v;

	if (directive(line, "Log-type", &v)) {
		buf_reset(&cl->log_type);
		buf_add(&cl->log_type, v.p, v.len);
		cl->set = NULL;
	} else if (directive(line, "Fields", &v)) {
		buf_reset(&cl->fields);
		buf_add(&cl->fields, v.p, v.len);
		choose_set(cl);
	} else if (directive(line, "Software", &v)) {
		/* a new header: forget the last one's log type */
		buf_reset(&cl->log_type);
		cl->set = NULL;
	} else if (!directive(line, "Version", &v) &&
	    !directive(line, "Date", &v)) {
		return CSVLOG_PASS;
	}
	return CSVLOG_HEADER;
}

/* A first line without a header: does a set's detect regex know it? */
static bool
detect(struct csvlog *cl, struct strview line)
{
	size_t n = pattern_db_count(cl->db);

	for (size_t i = 0; i < n; i++) {
		const struct pattern_set *s = pattern_db_set(cl->db, i);
		const struct pattern_csv *spec = pattern_set_csv(s);

		if (spec == NULL || (cl->only && s != cl->only) ||
		    !pattern_csv_detect(s, line))
			continue;
		buf_reset(&cl->log_type);
		buf_reset(&cl->fields);
		buf_adds(&cl->fields, spec->header);
		use_set(cl, s, (struct strview){cl->fields.s,
		    cl->fields.len});
		return true;
	}
	return false;
}

/* "#Software: ...", "#Fields: ...": a W3C header directive */
static bool
is_directive(struct strview l)
{
	size_t i = 1;

	if (l.len < 3 || l.p[0] != '#')
		return false;
	while (i < l.len && ((l.p[i] >= 'A' && l.p[i] <= 'Z') ||
	    (l.p[i] >= 'a' && l.p[i] <= 'z') || l.p[i] == '-'))
		i++;
	return i > 1 && i < l.len && l.p[i] == ':';
}

enum csvlog_result
csvlog_line(struct csvlog *cl, struct strview *line)
{
	const struct pattern_csv *spec;

	if (cl->state == CSVLOG_OFF)
		return CSVLOG_PASS;
	if (line->len == 0)
		return CSVLOG_PASS;
	if (cl->state == CSVLOG_FIRST) {
		/* a header directive, not any '#': a binary file or a
		 * commented excerpt is not a CSV log */
		if (is_directive(*line))
			cl->state = CSVLOG_ON;
		else if (detect(cl, *line))
			cl->state = CSVLOG_ON;
		else {
			cl->state = CSVLOG_OFF;
			return CSVLOG_PASS;
		}
	}
	if (line->p[0] == '#')
		return header_line(cl, *line);
	if (cl->set == NULL)
		return CSVLOG_PASS;
	spec = pattern_set_csv(cl->set);
	csv_split(&cl->rec, *line);
	csv_canonical(spec, cl->col, (struct strview){cl->log_type.s,
	    cl->log_type.len}, &cl->rec, &cl->line);
	*line = (struct strview){cl->line.s, cl->line.len};
	return CSVLOG_RECORD;
}
