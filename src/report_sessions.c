/*
 * report_sessions - --sessions: one line per session, as it ends, for
 * grep and sort: its time, status, phase, client, label, HELO, cause and
 * outcome. All log text passes through esc_text().
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "report.h"
#include "seqcheck.h"
/*
 * " id=QUEUE from=<a@b> to=<c@d>+2": the session's first own message's
 * queue ID (else its Message-ID, else the queue ID an outbound session
 * delivered), sender, and first recipient with how many more.
 */
static void
sessions_ids(FILE *fp, const struct session *s)
{
	const char *id = NULL, *sender = session_sender(s), *first = NULL;
	struct session_iter it = SESSION_ITER_INIT;
	const struct message *m;
	const struct rcpt *r = session_rcpt(s, &it);
	size_t nr = session_nrcpts(s), i = 0;

	if (r != NULL)
		first = r->address;
	while (id == NULL &&
	    (m = session_message(s, &i, SESSION_OWNED)) != NULL)
		id = m->queue ? m->queue : m->message_id;
	if (id == NULL)
		id = s->queue;
	if (id) {
		fputs(" id=", fp);
		report_put(fp, id);
	}
	if (sender) {
		fputs(" from=<", fp);
		report_put(fp, sender);
		fputc('>', fp);
	}
	if (nr) {
		fputs(" to=<", fp);
		report_put(fp, first ? first : "");
		fputc('>', fp);
		if (nr > 1)
			fprintf(fp, "+%zu", nr - 1);
	}
}

static void
sessions_session(struct reporter *rep, const struct session *s)
{
	FILE *fp = rep->out;
	const struct verdict *v = &s->v;
	char t[TS_BUFSZ];

	fprintf(fp, "%-19s ", ts_format(&s->start, t));
	report_painted(fp, rep->term, report_status_paint(v->status),
	    status_name(v->status), 11);
	report_painted(fp, rep->term, PAINT_PHASE, phase_name(v->phase) ?
	    phase_name(v->phase) : "-", 13);
	fprintf(fp, "%-9s %-3s %-9s ",
	    kind_name(v->kind) ? kind_name(v->kind) : "-",
	    v->reply ? v->reply : "-", v->enhanced ? v->enhanced : "-");
	fputs(s->dir == DIR_OUTBOUND ? "out " : "in  ", fp);
	if (s->dir == DIR_OUTBOUND)
		report_put(fp, s->relay ? s->relay : "-");
	else
		report_put(fp, s->client_ip ? s->client_ip : "-");
	fputc(' ', fp);
	report_put(fp, s->label);
	if (s->helo) {
		fputs(" helo=", fp);
		report_put(fp, s->helo);
	}
	if (v->cause) {
		fputs(" cause=", fp);
		report_put(fp, v->cause);
	}
	if (v->status == STATUS_OK) {
		fputs(" outcome=", fp);
		report_put(fp, v->outcome);
	}
	sessions_ids(fp, s);
	fputc('\n', fp);
}

struct reporter *
report_sessions_new(FILE *out, const char *const *files)
{
	struct reporter *r = xcalloc(1, sizeof(*r));

	r->session = sessions_session;
	r->finish = report_finish_flush;
	r->free = report_free_plain;
	r->out = out;
	r->files = files;
	return r;
}

