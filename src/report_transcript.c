/*
 * report_transcript - --id: each conversation the IDs name, as the log
 * told it: its lines, the commands and replies, the recipients, the
 * verdict, what the codes mean, the RFC 5321 sequence findings and where
 * to look next. All log text passes through esc_text().
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "report.h"
#include "seqcheck.h"
static void
put_rcpt(FILE *fp, const struct rcpt *r)
{
	fputs("  to ", fp);
	report_put(fp, r->address ? r->address : "(unknown)");
	if (r->orig) {	/* as the message was sent to it */
		fputs(" <", fp);
		report_put(fp, r->orig);
		fputc('>', fp);
	}
	fprintf(fp, ": %s", rstatus_name(r->status));
	if (r->status != RS_DELIVERED && r->status != RS_ACCEPTED &&
	    phase_name(r->phase))
		fprintf(fp, " in %s", phase_name(r->phase));
	if (r->remote_phase != PHASE_NONE)
		fprintf(fp, " (remote %s)", phase_name(r->remote_phase));
	if (r->reply || r->enhanced || r->text) {
		fputs(": ", fp);
		report_put(fp, r->reply);
		if (r->reply && r->enhanced)
			fputc(' ', fp);
		report_put(fp, r->enhanced);
		if (r->text) {
			fputc(' ', fp);
			report_put(fp, r->text);
		}
	}
	fputc('\n', fp);
}

struct seq_text {
	FILE *fp;
	const char *const *files;
	bool first;
};

static void
seq_text_one(const struct seq_note *n, void *arg)
{
	struct seq_text *st = arg;
	const char *what = seq_finding_name(n->what);

	if (what == NULL)
		return;	/* no finding (seqcheck.h: never happens) */
	if (st->first)
		fputs("sequence findings (RFC 5321 4.3.2):\n", st->fp);
	st->first = false;
	fputs("  ", st->fp);
	report_put(st->fp, st->files[n->at->file]);
	fprintf(st->fp, ":%u: %s: ", n->at->line, what);
	report_put(st->fp, n->at->text);
	if (n->command) {
		fputs(" (in reply to ", st->fp);
		report_put(st->fp, n->command);
		fputc(')', st->fp);
	}
	fputc('\n', st->fp);
}

/* "== postfix inbound session LABEL, START to END" and the client */
static void
put_head(FILE *fp, const struct session *s)
{
	char t1[TS_BUFSZ], t2[TS_BUFSZ];

	fprintf(fp, "== %s %s session ", s->mta,
	    s->dir == DIR_OUTBOUND ? "outbound" : "inbound");
	report_put(fp, s->label);
	fprintf(fp, ", %s to %s\n", ts_format(&s->start, t1),
	    ts_format(&s->end, t2));
	if (s->client_ip || s->client_name) {
		fputs("client: ", fp);
		report_put(fp, s->client_name ? s->client_name : "");
		fputc('[', fp);
		report_put(fp, s->client_ip ? s->client_ip : "");
		fputc(']', fp);
		if (s->client_port) {
			fputc(':', fp);
			report_put(fp, s->client_port);
		}
		if (s->helo) {
			fputs(" helo=", fp);
			report_put(fp, s->helo);
		}
		if (s->sasl_user) {
			fputs(" sasl_username=", fp);
			report_put(fp, s->sasl_user);
		}
		fputc('\n', fp);
	}
}

/* "message: QUEUE message-id=... from=<...>" and its recipients */
static void
put_message(FILE *fp, const struct message *m)
{
	fputs("message: ", fp);
	report_put(fp, m->queue);
	if (m->message_id) {
		fputs(" message-id=", fp);
		report_put(fp, m->message_id);
	}
	if (m->sender) {	/* Exim's null sender is "<>" */
		fputs(" from=<", fp);
		report_put(fp, strcmp(m->sender, "<>") ? m->sender : "");
		fputc('>', fp);
	}
	if (m->forwarded && m->next_hop) {
		fputs(" (re-injected as ", fp);
		report_put(fp, m->next_hop->queue);
		fputc(')', fp);
	}
	fputs(m->accepted ? "" : " (not accepted)", fp);
	fputc('\n', fp);
	for (size_t k = 0; k < m->nrcpts; k++)
		put_rcpt(fp, &m->rcpts[k]);
}

/* The session's messages, each with its own recipients, then the
 * session's own (refused at RCPT). */
static void
put_messages(FILE *fp, const struct session *s)
{
	const struct message *m;

	/* each message with its own recipients, a forwarded one's too */
	for (size_t i = 0; (m = session_message(s, &i, SESSION_OWNED));)
		put_message(fp, m);
	for (size_t i = 0; i < s->nrcpts; i++)
		put_rcpt(fp, &s->rcpts[i]);
	if (s->omitted && s->omitted->rcpts)
		fprintf(fp, "  ... and %lu more recipients refused, not "
		    "listed\n", s->omitted->rcpts);

}

struct transcript_rep {
	struct reporter r;	/* first: the reporter's address is ours */
	struct line_file lf;
};

/* "lines:", then "  FILE:LINE: text" for each of the n; frees lines */
static void
put_line_list(struct reporter *rep, struct lineref *lines, size_t n)
{
	struct transcript_rep *tr = (struct transcript_rep *)rep;

	fputs("lines:\n", rep->out);
	for (size_t i = 0; i < n; i++) {
		fputs("  ", rep->out);
		report_put(rep->out, rep->files[lines[i].file]);
		fprintf(rep->out, ":%u: ", lines[i].line);
		report_put(rep->out, report_line_text(&tr->lf, rep->files,
		    &lines[i]));
		fputc('\n', rep->out);
	}
	free(lines);
}

static void
put_lines(struct reporter *rep, const struct session *s)
{
	FILE *fp = rep->out;
	struct lineref *lines;
	size_t nl = report_lines(s, &lines);

	put_line_list(rep, lines, nl);
	if (s->omitted && s->omitted->lines)
		fprintf(fp, "  ... %lu more lines left out (a session keeps "
		    "%d)\n", s->omitted->lines, SESSION_MAX_LINES);
}

/* The commands and replies, each reply's gist, the RFC 5321 findings. */
static void
put_conversation(const struct reporter *rep, const struct session *s)
{
	FILE *fp = rep->out;

	if (s->nconv) {
		struct seq_text st = {fp, rep->files, true};
		char g[160];

		fputs("conversation:\n", fp);
		for (size_t i = 0; i < s->nconv; i++) {
			const struct conv *c = &s->conv[i];

			fputs(c->reply ? "  S: " : "  C: ", fp);
			report_put(fp, c->text);
			if (c->reply && !c->cont &&
			    report_reply_gist(rep->codes, c->text, g,
			    sizeof(g))) {
				fputs("   [", fp);
				report_put(fp, g);
				fputc(']', fp);
			}
			fputc('\n', fp);
		}
		if (s->omitted && s->omitted->conv)
			fprintf(fp, "  ... %lu more commands and replies left "
			    "out\n", s->omitted->conv);
		seqcheck(s, rep->codes, seq_text_one, &st);
	}
}

static void
put_verdict(const struct reporter *rep, const struct session *s)
{
	FILE *fp = rep->out;
	const struct verdict *v = &s->v;

	fprintf(fp, "verdict: %s", status_name(v->status));
	if (v->phase != PHASE_NONE)
		fprintf(fp, " in %s", phase_name(v->phase));
	if (kind_name(v->kind))
		fprintf(fp, " (%s)", kind_name(v->kind));
	if (v->remote_phase != PHASE_NONE)
		fprintf(fp, ", remote phase %s", phase_name(v->remote_phase));
	if (v->status == STATUS_OK || v->status == STATUS_INCOMPLETE)
		fprintf(fp, ", %s", v->outcome);
	if (v->status == STATUS_INCOMPLETE && v->reached != PHASE_NONE)
		fprintf(fp, ", last phase reached %s", phase_name(v->reached));
	fputc('\n', fp);
	if (v->reply || v->enhanced || (v->text && !v->client_text)) {
		fputs("  reply: ", fp);
		report_put(fp, v->reply);
		if (v->reply && v->enhanced)
			fputc(' ', fp);
		report_put(fp, v->enhanced);
		if (v->text && !v->client_text) {
			if (v->reply || v->enhanced)
				fputc(' ', fp);
			report_put(fp, v->text);
		}
		fputc('\n', fp);
	}
	if (v->text && v->client_text) {
		/* a command before the greeting is no server's reply */
		fputs("  client sent: ", fp);
		report_put(fp, v->text);
		fputc('\n', fp);
	}
	if (v->reply || v->enhanced) {
		char g[160];

		if (codes_gist(rep->codes, v->reply, v->enhanced, g,
		    sizeof(g))) {
			fputs("  meaning: ", fp);
			report_put(fp, g);
			fputc('\n', fp);
		}
	}
	if (v->cause) {
		fputs("  cause: ", fp);
		report_put(fp, v->cause);
		fputc('\n', fp);
	}
	if (v->status == STATUS_FAILED || v->status == STATUS_PARTIAL) {
		const char *h = codes_hint_mta(rep->codes,
		    s->mta, v->phase, v->cause);

		if (h) {
			fputs("  where to look: ", fp);
			report_put(fp, h);
			fputc('\n', fp);
		}
	}
}

static void
transcript_session(struct reporter *rep, const struct session *s)
{
	put_head(rep->out, s);
	put_messages(rep->out, s);
	put_lines(rep, s);
	put_conversation(rep, s);
	put_verdict(rep, s);
	fputc('\n', rep->out);
}

/*
 * A message that no conversation brought, named by --id: queued on the
 * host (sendmail, Postfix's pickup, Exim's -bm), or written by the
 * server itself (a bounce, sender <>), or its session is outside the
 * log. Its recipients and lines; no verdict, which is a session's.
 */
static void
transcript_lone(struct reporter *rep, const struct message *m)
{
	FILE *fp = rep->out;
	struct lineref *lines;
	size_t nl;
	char t[TS_BUFSZ];

	fputs("== message ", fp);
	report_put(fp, m->queue);
	if (m->accepted_at.flags & TS_SET)
		fprintf(fp, ", queued %s", ts_format(&m->accepted_at, t));
	fputs(m->accepted && message_null_sender(m) ? "\norigin: a notice "
	    "the server wrote (sender <>), no SMTP session\n" : "\norigin: "
	    "no SMTP session in the log (submitted on the host, or its "
	    "session is not in the log)\n", fp);
	put_message(fp, m);
	nl = message_lines(m, &lines);
	put_line_list(rep, lines, nl);
	fputc('\n', fp);
}

static void
transcript_free(struct reporter *rep)
{
	struct transcript_rep *tr = (struct transcript_rep *)rep;

	report_line_file_close(&tr->lf);
	free(tr);
}

struct reporter *
report_transcript_new(FILE *out, const char *const *files)
{
	struct transcript_rep *tr = xcalloc(1, sizeof(*tr));
	struct reporter *r = &tr->r;

	tr->lf = (struct line_file)LINE_FILE_INIT;
	r->session = transcript_session;
	r->lone = transcript_lone;
	r->finish = report_finish_flush;
	r->free = transcript_free;
	r->out = out;
	r->files = files;
	return r;
}

