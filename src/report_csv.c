/*
 * report_csv - the session list for spreadsheets: RFC 4180, a header row,
 * then one row per session, in the order sessions end.
 *
 * Why a form of its own: a spreadsheet cannot read JSON lines, and the
 * people who sort and filter sessions by hand use spreadsheets. The
 * columns are the JSON keys (design.md §5) in the same order; an object's
 * keys are flattened with a dot (client.ip), a list of values is joined
 * by one space (ids.queue, lines), and the recipients' keys become one
 * column each, their values joined by " | " in recipient order. A null
 * is an empty field. Rows end in CRLF; every field passes through
 * esc_csv(), so no control byte, and no formula, reaches the sheet.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "report.h"
#include "seqcheck.h"

static const char *const columns[] = {
	"mta", "host", "session", "direction", "start", "end",
	"client.ip", "client.name", "client.port", "client.helo",
	"client.sasl_username", "relay", "ids.pid", "ids.session_id",
	"ids.queue", "ids.message_id", "sender", "recipients.address",
	"recipients.status", "recipients.phase", "recipients.reply",
	"recipients.enhanced", "recipients.text", "status", "outcome",
	"phase", "kind", "reply", "enhanced", "text", "cause", "meaning",
	"hint", "remote_phase", "reached", "sequence", "screened", "file",
	"lines", "omitted.recipients", "omitted.lines",
};

struct csv_reporter {
	struct reporter r;
	struct buf row;	/* one field's text before it is escaped */
	bool header;
};

static void
field(FILE *fp, const char *s, bool *first)
{
	if (!*first)
		fputc(',', fp);
	*first = false;
	if (s)
		esc_csv(fp, s, strlen(s));
}

/* Append v to b, after sep when b is not empty. */
static void
join(struct buf *b, const char *sep, const char *v)
{
	if (b->len)
		buf_adds(b, sep);
	if (v)
		buf_adds(b, v);
}

/* The recipients a session's JSON lists, in its order. */
static size_t
session_rcpts(const struct session *s, const struct rcpt **out, size_t max)
{
	struct session_iter it = SESSION_ITER_INIT;
	const struct rcpt *r;
	size_t n = 0;

	while (n < max && (r = session_rcpt(s, &it)) != NULL)
		out[n++] = r;
	return n;
}

static size_t
count_rcpts(const struct session *s)
{
	return session_nrcpts(s);
}

static const char *
rcpt_value(const struct rcpt *r, int which)
{
	bool settled = r->status == RS_DELIVERED || r->status == RS_ACCEPTED;

	switch (which) {
	case 0: return r->address;
	case 1: return rstatus_name(r->status);
	case 2: return settled ? NULL : phase_name(r->phase);
	case 3: return r->reply;
	case 4: return r->enhanced;
	default: return r->text;
	}
}

static void
rcpt_fields(FILE *fp, struct buf *b, const struct session *s, bool *first)
{
	size_t max = count_rcpts(s);
	const struct rcpt **v = xcalloc(max + 1, sizeof(*v));
	size_t n = session_rcpts(s, v, max);

	for (int which = 0; which < 6; which++) {
		buf_reset(b);
		for (size_t i = 0; i < n; i++) {
			const char *val = rcpt_value(v[i], which);

			if (i)
				buf_add(b, " | ", 3);
			if (val)
				buf_adds(b, val);
		}
		field(fp, n ? b->s : NULL, first);
	}
	free(v);
}

static void
seq_name(const struct seq_note *n, void *arg)
{
	join(arg, " ", seq_finding_name(n->what));
}

static void
ids_fields(FILE *fp, struct buf *b, const struct session *s, bool *first)
{
	const char *message_id = NULL;
	const struct message *m;
	size_t i = 0;

	field(fp, s->pid, first);
	field(fp, s->session_id, first);
	buf_reset(b);
	if (s->queue)
		join(b, " ", s->queue);
	while ((m = session_message(s, &i, SESSION_OWNED)) != NULL) {
		join(b, " ", m->queue);
		if (!message_id)
			message_id = m->message_id;
	}
	field(fp, b->len ? b->s : NULL, first);
	field(fp, message_id, first);
}

/* omitted.recipients and omitted.lines: 0 when nothing was left out
 * (the JSON key is then absent) */
static void
omitted_fields(FILE *fp, struct buf *b, const struct omitted *o,
    bool *first)
{
	buf_reset(b);
	buf_addf(b, "%lu", o ? o->rcpts : 0);
	field(fp, b->s, first);
	buf_reset(b);
	buf_addf(b, "%lu", o ? o->lines : 0);
	field(fp, b->s, first);
}

static void
csv_session(struct reporter *rep, const struct session *s)
{
	struct csv_reporter *c = (struct csv_reporter *)rep;
	FILE *fp = rep->out;
	const struct verdict *v = &s->v;
	char t1[TS_BUFSZ], t2[TS_BUFSZ], g[160];
	struct lineref *lines;
	size_t nl;
	bool first = true;

	if (!c->header) {
		for (size_t i = 0; i < ARRAY_SIZE(columns); i++)
			field(fp, columns[i], &first);
		fputs("\r\n", fp);
		first = true;
		c->header = true;
	}
	field(fp, s->mta, &first);
	field(fp, s->host, &first);
	buf_reset(&c->row);
	buf_addf(&c->row, "%s@%s", s->label, ts_format(&s->start, t1));
	field(fp, c->row.s, &first);
	field(fp, s->dir == DIR_OUTBOUND ? "outbound" : "inbound", &first);
	field(fp, (s->start.flags & TS_SET) ? ts_format(&s->start, t1) :
	    NULL, &first);
	field(fp, (s->end.flags & TS_SET) ? ts_format(&s->end, t2) : NULL,
	    &first);
	field(fp, s->client_ip, &first);
	field(fp, s->client_name, &first);
	field(fp, s->client_port, &first);
	field(fp, s->helo, &first);
	field(fp, s->sasl_user, &first);
	field(fp, s->dir == DIR_OUTBOUND ? s->relay : NULL, &first);
	ids_fields(fp, &c->row, s, &first);
	field(fp, session_sender(s), &first);
	rcpt_fields(fp, &c->row, s, &first);
	field(fp, status_name(v->status), &first);
	field(fp, v->outcome, &first);
	field(fp, phase_name(v->phase), &first);
	field(fp, kind_name(v->kind), &first);
	field(fp, v->reply, &first);
	field(fp, v->enhanced, &first);
	field(fp, v->text, &first);
	field(fp, v->cause, &first);
	field(fp, codes_gist(rep->codes, v->reply, v->enhanced, g, sizeof(g)),
	    &first);
	field(fp, v->status == STATUS_FAILED || v->status == STATUS_PARTIAL ?
	    codes_hint_mta(rep->codes, s->mta, v->phase, v->cause) :
	    NULL,
	    &first);
	field(fp, phase_name(v->remote_phase), &first);
	field(fp, phase_name(v->reached), &first);
	buf_reset(&c->row);
	seqcheck(s, rep->codes, seq_name, &c->row);
	field(fp, c->row.len ? c->row.s : NULL, &first);
	field(fp, s->screened ? "true" : "false", &first);
	nl = report_lines(s, &lines);
	field(fp, nl ? rep->files[lines[0].file] : NULL, &first);
	buf_reset(&c->row);
	for (size_t i = 0; i < nl; i++)
		if (lines[i].file == lines[0].file)
			buf_addf(&c->row, c->row.len ? " %u" : "%u",
			    lines[i].line);
	field(fp, c->row.len ? c->row.s : NULL, &first);
	free(lines);
	omitted_fields(fp, &c->row, s->omitted, &first);
	fputs("\r\n", fp);
}

static void
csv_finish(struct reporter *rep, const struct run_info *ri)
{
	struct csv_reporter *c = (struct csv_reporter *)rep;
	bool first = true;

	(void)ri;
	if (!c->header) {
		/* no session: the header alone says what the columns are */
		for (size_t i = 0; i < ARRAY_SIZE(columns); i++)
			field(rep->out, columns[i], &first);
		fputs("\r\n", rep->out);
	}
	fflush(rep->out);
}

static void
csv_free(struct reporter *rep)
{
	struct csv_reporter *c = (struct csv_reporter *)rep;

	buf_release(&c->row);
	free(c);
}

struct reporter *
report_csv_new(FILE *out, const char *const *files)
{
	struct csv_reporter *c = xcalloc(1, sizeof(*c));

	buf_init(&c->row);
	c->r.session = csv_session;
	c->r.finish = csv_finish;
	c->r.free = csv_free;
	c->r.out = out;
	c->r.files = files;
	return &c->r;
}
