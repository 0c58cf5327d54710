/*
 * report_json - one JSON object per session, one per line (design.md §5).
 *
 * The keys are a contract; new keys may be added, none renamed. Every
 * string goes through esc_json(), so each line is valid JSON whatever
 * bytes the log held.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "report.h"
#include "seqcheck.h"

struct json_reporter {
	struct reporter r;
	struct buf b;
};


static void
key_str(struct buf *b, const char *key, const char *val, bool *first)
{
	if (!*first)
		buf_addc(b, ',');
	*first = false;
	esc_json_str(b, key);
	buf_addc(b, ':');
	esc_json_str(b, val);
}

static void
key_raw(struct buf *b, const char *key, const char *raw, bool *first)
{
	if (!*first)
		buf_addc(b, ',');
	*first = false;
	esc_json_str(b, key);
	buf_addc(b, ':');
	buf_add(b, raw, strlen(raw));
}

static void
rcpt_json(struct buf *b, const struct rcpt *r)
{
	bool first = true;
	bool settled = r->status == RS_DELIVERED || r->status == RS_ACCEPTED;

	buf_addc(b, '{');
	key_str(b, "address", r->address, &first);
	key_str(b, "status", rstatus_name(r->status), &first);
	key_str(b, "phase", settled ? NULL : phase_name(r->phase), &first);
	if (r->remote_phase != PHASE_NONE)
		key_str(b, "remote_phase", phase_name(r->remote_phase),
		    &first);
	key_str(b, "reply", r->reply, &first);
	key_str(b, "enhanced", r->enhanced, &first);
	key_str(b, "text", r->text, &first);
	if (r->relay)
		key_str(b, "relay", r->relay, &first);
	buf_addc(b, '}');
}

struct seq_json {
	struct buf *b;
	const char *const *files;
	bool first;
};

static void
seq_json_one(const struct seq_note *n, void *arg)
{
	struct seq_json *sj = arg;
	bool f = true;
	char num[16];

	if (!sj->first)
		buf_addc(sj->b, ',');
	sj->first = false;
	buf_addc(sj->b, '{');
	key_str(sj->b, "finding", seq_finding_name(n->what), &f);
	snprintf(num, sizeof(num), "%u", n->at->line);
	key_str(sj->b, "file", sj->files[n->at->file], &f);
	key_raw(sj->b, "line", num, &f);
	key_str(sj->b, n->at->reply ? "reply" : "command", n->at->text,
	    &f);
	key_str(sj->b, "in_reply_to", n->command, &f);
	buf_addc(sj->b, '}');
}

/* "client":{...} and, outbound, "relay" */
static void
json_client(struct buf *b, const struct session *s, bool *first)
{
	bool f2;

	buf_add(b, ",\"client\":{", 11);
	f2 = true;
	key_str(b, "ip", s->client_ip, &f2);
	key_str(b, "name", s->client_name, &f2);
	key_str(b, "port", s->client_port, &f2);
	key_str(b, "helo", s->helo, &f2);
	if (s->sasl_user)
		key_str(b, "sasl_username", s->sasl_user, &f2);
	buf_addc(b, '}');
	if (s->dir == DIR_OUTBOUND)
		key_str(b, "relay", s->relay, first);

}

/* "ids":{"pid", "session_id", "queue":[...], "message_id"} */
static void
json_ids(struct buf *b, const struct session *s)
{
	const char *message_id = NULL;
	bool f2;

	buf_add(b, ",\"ids\":{", 8);
	f2 = true;
	key_str(b, "pid", s->pid, &f2);
	if (s->session_id)
		key_str(b, "session_id", s->session_id, &f2);
	buf_add(b, ",\"queue\":[", 10);
	{
		bool f3 = true;
		const struct message *m;
		size_t i = 0;

		if (s->queue) {
			esc_json_str(b, s->queue);
			f3 = false;
		}
		while ((m = session_message(s, &i, SESSION_OWNED)) != NULL) {
			if (!f3)
				buf_addc(b, ',');
			f3 = false;
			esc_json_str(b, m->queue);
			if (!message_id && m->message_id)
				message_id = m->message_id;
		}
	}
	buf_addc(b, ']');
	key_str(b, "message_id", message_id, &f2);
	buf_addc(b, '}');

}

/* "recipients":[...]: the session's view (session_rcpt()) */
static void
json_recipients(struct buf *b, const struct session *s)
{
	bool f2;

	buf_add(b, ",\"recipients\":[", 15);
	f2 = true;
	{
		struct session_iter it = SESSION_ITER_INIT;
		const struct rcpt *r;

		while ((r = session_rcpt(s, &it)) != NULL) {
			if (!f2)
				buf_addc(b, ',');
			f2 = false;
			rcpt_json(b, r);
		}
	}
	buf_addc(b, ']');

}

/* the verdict's keys, the hint and the RFC 5321 findings */
static void
json_verdict(const struct reporter *rep, struct buf *b,
    const struct session *s, bool *first)
{
	const struct verdict *v = &s->v;

	key_str(b, "status", status_name(v->status), first);
	key_str(b, "outcome", v->outcome, first);
	key_str(b, "phase", phase_name(v->phase), first);
	key_str(b, "kind", kind_name(v->kind), first);
	key_str(b, "reply", v->reply, first);
	key_str(b, "enhanced", v->enhanced, first);
	key_str(b, "text", v->text, first);
	key_str(b, "cause", v->cause, first);
	{
		char g[160];

		key_str(b, "meaning", codes_gist(rep->codes, v->reply,
		    v->enhanced, g, sizeof(g)), first);
	}
	key_str(b, "hint", v->status == STATUS_FAILED ||
	    v->status == STATUS_PARTIAL ? codes_hint_mta(rep->codes,
	    s->mta, v->phase, v->cause) : NULL, first);
	key_str(b, "remote_phase", phase_name(v->remote_phase), first);
	key_str(b, "reached", phase_name(v->reached), first);
	{
		struct seq_json sj = {b, rep->files, true};

		buf_add(b, ",\"sequence\":[", 13);
		seqcheck(s, rep->codes, seq_json_one, &sj);
		buf_addc(b, ']');
	}
	if (s->screened)
		key_raw(b, "screened", "true", first);

}

/* "file", "lines" in it, and "more_lines" in later files of the set */
static void
json_lines(const struct reporter *rep, struct buf *b,
    const struct session *s, bool *first)
{
	struct lineref *lines;
	size_t nl;
	bool f2;

	nl = report_lines(s, &lines);
	key_str(b, "file", nl ? rep->files[lines[0].file] : NULL, first);
	buf_add(b, ",\"lines\":[", 10);
	f2 = true;
	for (size_t i = 0; i < nl; i++) {
		if (lines[i].file != lines[0].file)
			continue;
		buf_addf(b, f2 ? "%u" : ",%u", lines[i].line);
		f2 = false;
	}
	buf_addc(b, ']');
	/* lines in later files of a rotated set */
	f2 = true;
	for (size_t i = 0; i < nl; i++) {
		if (lines[i].file == lines[0].file)
			continue;
		if (f2)
			buf_add(b, ",\"more_lines\":[", 15);
		else
			buf_addc(b, ',');
		f2 = false;
		buf_addc(b, '{');
		{
			bool f4 = true;
			char num[16];

			key_str(b, "file", rep->files[lines[i].file], &f4);
			snprintf(num, sizeof(num), "%u", lines[i].line);
			key_raw(b, "line", num, &f4);
		}
		buf_addc(b, '}');
	}
	if (!f2)
		buf_addc(b, ']');
	free(lines);
}

/*
 * "omitted": how many refused recipients and lines the session's lists
 * leave out past its caps (correlate.h), so that a consumer knows the
 * lists are incomplete. Only when something was left out, as "screened"
 * only when true: the keys of design.md's example are always there, the
 * marks of a rare case only with it (a store reads a missing count as 0).
 */
static void
json_omitted(struct buf *b, const struct omitted *o, bool *first)
{
	char v[64];

	if (o == NULL || (o->rcpts == 0 && o->lines == 0))
		return;
	snprintf(v, sizeof(v), "{\"recipients\":%lu,\"lines\":%lu}",
	    o->rcpts, o->lines);
	key_raw(b, "omitted", v, first);
}

static void
json_session(struct reporter *rep, const struct session *s)
{
	struct json_reporter *j = (struct json_reporter *)rep;
	struct buf *b = &j->b;
	char t1[TS_BUFSZ], t2[TS_BUFSZ];
	struct buf label = BUF_INIT;
	bool first = true;

	buf_reset(b);
	buf_addc(b, '{');
	key_str(b, "mta", s->mta, &first);
	key_str(b, "host", s->host, &first);
	buf_addf(&label, "%s@%s", s->label, ts_format(&s->start, t1));
	key_str(b, "session", label.s, &first);
	buf_release(&label);
	key_str(b, "direction", s->dir == DIR_OUTBOUND ? "outbound" :
	    "inbound", &first);
	key_str(b, "start", (s->start.flags & TS_SET) ?
	    ts_format(&s->start, t1) : NULL, &first);
	key_str(b, "end", (s->end.flags & TS_SET) ? ts_format(&s->end, t2) :
	    NULL, &first);

	json_client(b, s, &first);
	json_ids(b, s);
	key_str(b, "sender", session_sender(s), &first);
	json_recipients(b, s);
	json_verdict(rep, b, s, &first);
	json_lines(rep, b, s, &first);
	json_omitted(b, s->omitted, &first);
	buf_add(b, "}\n", 2);
	fwrite(b->s, 1, b->len, rep->out);
}

static void
json_finish(struct reporter *rep, const struct run_info *ri)
{
	(void)ri;
	fflush(rep->out);
}

static void
json_free(struct reporter *rep)
{
	struct json_reporter *j = (struct json_reporter *)rep;

	buf_release(&j->b);
	free(j);
}

struct reporter *
report_json_new(FILE *out, const char *const *files)
{
	struct json_reporter *j = xcalloc(1, sizeof(*j));

	buf_init(&j->b);
	j->r.session = json_session;
	j->r.finish = json_finish;
	j->r.free = json_free;
	j->r.out = out;
	j->r.files = files;
	return &j->r;
}
