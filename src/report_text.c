/*
 * report_text - the reports people read: the summary (default), one line
 * per session (--sessions) and the transcript of a conversation (--id).
 *
 * The summary answers "what went wrong, and where?": sessions by status,
 * then for each phase in session order the failed and partial sessions,
 * their causes, reply codes with an example text, and top clients; the
 * time span and the lines read, recognised and not recognised close it.
 * All log text passes through esc_text().
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "report.h"
#include "reason.h"
#include "seqcheck.h"
#include "tally.h"

#define TOP_N 5

/* --- counting ------------------------------------------------------------ */

struct count {
	char *key;
	char *example;
	unsigned long n;
	bool mixed;	/* not every text counted here was the example */
};

struct tally {
	struct strmap *m;
	unsigned long total;
};

static void
tally_add(struct tally *t, const char *key, const char *example)
{
	struct count *c;

	if (key == NULL || *key == '\0')
		key = "-";
	if (t->m == NULL)
		t->m = strmap_new();
	c = strmap_get(t->m, key, strlen(key));
	if (c == NULL) {
		c = xcalloc(1, sizeof(*c));
		c->key = xstrdup(key);
		if (example)
			c->example = xstrndup(example, strnlen(example, 160));
		strmap_put(t->m, key, strlen(key), c);
	} else if (!c->mixed && (example == NULL) != (c->example == NULL)) {
		c->mixed = true;
	} else if (!c->mixed && example && strncmp(example, c->example,
	    strlen(c->example) + 1) != 0) {
		c->mixed = true;
	}
	c->n++;
	t->total++;
}

struct collect {
	struct count **v;
	size_t n;
};

static void
collect_one(void *val, void *arg)
{
	struct collect *c = arg;

	c->v[c->n++] = val;
}

static int
cmp_count(const void *a, const void *b)
{
	const struct count *x = *(struct count *const *)a;
	const struct count *y = *(struct count *const *)b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* The entries, most frequent first; *n is set. Free the array only. */
static struct count **
tally_sorted(const struct tally *t, size_t *n)
{
	struct collect c = {0};

	*n = 0;
	if (t->m == NULL)
		return NULL;
	c.v = xcalloc(strmap_count(t->m) + 1, sizeof(*c.v));
	strmap_each(t->m, collect_one, &c);
	qsort(c.v, c.n, sizeof(*c.v), cmp_count);
	*n = c.n;
	return c.v;
}

static void
free_count(void *val, void *arg)
{
	struct count *c = val;

	(void)arg;
	free(c->key);
	free(c->example);
	free(c);
}

static void
tally_free(struct tally *t)
{
	if (t->m) {
		strmap_each(t->m, free_count, NULL);
		strmap_free(t->m);
	}
	t->m = NULL;
}

/* --- summary ------------------------------------------------------------- */

struct phase_tally {
	unsigned long n, inbound, outbound, failed, partial;
	struct tally causes, replies, clients;
};

struct summary {
	struct reporter r;
	unsigned long sessions, by_status[STATUS__COUNT], inbound, outbound;
	struct tally outcomes;
	struct phase_tally ph[PHASE__COUNT];
	unsigned long seq_sessions, seq[SEQF__COUNT];	/* RFC 5321 */
	struct tallies fig;	/* messages and traffic (tally.h) */
};

static void
seq_count(const struct seq_note *n, void *arg)
{
	struct summary *sm = arg;

	sm->seq[n->what]++;
}

static void
summary_session(struct reporter *rep, const struct session *s)
{
	struct summary *sm = (struct summary *)rep;
	const struct verdict *v = &s->v;
	struct phase_tally *pt;
	char reply[64];

	sm->sessions++;
	sm->by_status[v->status]++;
	tally_session(&sm->fig, s);
	if (seqcheck(s, rep->codes, seq_count, sm) > 0)
		sm->seq_sessions++;
	if (s->dir == DIR_OUTBOUND)
		sm->outbound++;
	else
		sm->inbound++;
	if (v->status == STATUS_OK)
		tally_add(&sm->outcomes, v->outcome, NULL);
	if ((v->status != STATUS_FAILED && v->status != STATUS_PARTIAL) ||
	    v->phase == PHASE_NONE)
		return;
	pt = &sm->ph[v->phase];
	pt->n++;
	if (s->dir == DIR_OUTBOUND)
		pt->outbound++;
	else
		pt->inbound++;
	if (v->status == STATUS_FAILED)
		pt->failed++;
	else
		pt->partial++;
	tally_add(&pt->causes, v->cause, NULL);
	snprintf(reply, sizeof(reply), "%s%s%s", v->reply ? v->reply : "",
	    v->reply && v->enhanced ? " " : "",
	    v->enhanced ? v->enhanced : "");
	if (reply[0] == '\0')
		snprintf(reply, sizeof(reply), "(%s)", kind_name(v->kind) ?
		    kind_name(v->kind) : "no reply");
	{
		/* reasons are counted under their cause and reply:
		 * "cause\x1freply\x1fmasked text" (reason.h) */
		struct buf key = {0};

		buf_addf(&key, "%s\x1f%s\x1f", v->cause ? v->cause : "-",
		    reply);
		reason_mask(v->text, &key);
		tally_add(&pt->replies, key.s, v->text);
		buf_free(&key);
	}
	tally_add(&pt->clients, s->dir == DIR_OUTBOUND ? (s->relay ?
	    s->relay : s->label) : s->client_ip, NULL);
}

static void
put(FILE *fp, const char *s)
{
	if (s)
		esc_text(fp, s, strlen(s));
}

static void
print_top(FILE *fp, const char *title, const struct tally *t, bool examples)
{
	size_t n;
	struct count **v = tally_sorted(t, &n);

	if (n == 0) {
		free(v);
		return;
	}
	fprintf(fp, "    %s:\n", title);
	for (size_t i = 0; i < n && i < TOP_N; i++) {
		fprintf(fp, "      %6lu  ", v[i]->n);
		put(fp, v[i]->key);
		if (examples && v[i]->example) {
			fputs("  \"", fp);
			put(fp, v[i]->example);
			fputc('"', fp);
		}
		fputc('\n', fp);
	}
	if (n > TOP_N)
		fprintf(fp, "      (%zu more)\n", n - TOP_N);
	free(v);
}

/* Each top cause, and under it its top replies with an example text. */
/*
 * What the code at the start of text ("550 5.1.1 ...", "250-PIPELINING",
 * a summary key "550 5.1.1") means, in a few words, or NULL.
 */
static const char *
reply_gist(const struct codes *codes, const char *text, char *g, size_t size)
{
	char code[4], enh[16];
	const char *e = NULL;
	size_t n;

	if (codes == NULL || text == NULL || strlen(text) < 3)
		return NULL;
	memcpy(code, text, 3);
	code[3] = '\0';
	if (text[3] == ' ' && (n = strspn(text + 4, "0123456789.")) > 4 &&
	    n < sizeof(enh)) {
		memcpy(enh, text + 4, n);
		enh[n] = '\0';
		e = enh;
	}
	return codes_gist(codes, code, e, g, size);
}

static void
print_causes(FILE *fp, const struct phase_tally *pt,
    const struct codes *codes)
{
	size_t nc, nr;
	char g[160];
	struct count **cv = tally_sorted(&pt->causes, &nc);
	struct count **rv = tally_sorted(&pt->replies, &nr);

	if (nc > 0)
		fprintf(fp, "    causes, and their replies and reasons:\n");
	for (size_t i = 0; i < nc && i < TOP_N; i++) {
		size_t kl = strlen(cv[i]->key), shown = 0, more = 0;
		const char *reply, *masked;

		fprintf(fp, "      %6lu  ", cv[i]->n);
		put(fp, cv[i]->key);
		fputc('\n', fp);
		for (size_t j = 0; j < nr; j++) {
			const char *k = rv[j]->key;

			if (strncmp(k, cv[i]->key, kl) != 0 || k[kl] != '\x1f')
				continue;
			if (shown == TOP_N) {
				more++;
				continue;
			}
			shown++;
			reply = k + kl + 1;
			masked = strchr(reply, '\x1f');
			fprintf(fp, "              %6lu  ", rv[j]->n);
			esc_text(fp, reply, (size_t)(masked - reply));
			if (reply_gist(codes, reply, g, sizeof(g))) {
				fputs(" (", fp);
				put(fp, g);
				fputc(')', fp);
			}
			/* one text: as logged; several: the reason they share */
			if (rv[j]->mixed && masked[1]) {
				fputs("  \"", fp);
				put(fp, masked + 1);
				fputc('"', fp);
			} else if (rv[j]->example) {
				fputs("  \"", fp);
				put(fp, rv[j]->example);
				fputc('"', fp);
			}
			fputc('\n', fp);
		}
		if (more)
			fprintf(fp, "              (%zu more)\n", more);
	}
	if (nc > TOP_N)
		fprintf(fp, "      (%zu more causes)\n", nc - TOP_N);
	free(cv);
	free(rv);
}

static void
summary_finish(struct reporter *rep, const struct run_info *ri)
{
	struct summary *sm = (struct summary *)rep;
	FILE *fp = rep->out;
	char t1[TS_BUFSZ], t2[TS_BUFSZ];
	unsigned long failing = sm->by_status[STATUS_FAILED] +
	    sm->by_status[STATUS_PARTIAL];

	fprintf(fp, "%s %s: %zu file%s", PACKAGE_NAME, PACKAGE_VERSION,
	    ri->nfiles, ri->nfiles == 1 ? "" : "s");
	if (ri->mtas && *ri->mtas) {
		fputs(" (", fp);
		put(fp, ri->mtas);
		fputc(')', fp);
	}
	if (ri->first.flags & TS_SET)
		fprintf(fp, ", %s to %s", ts_format(&ri->first, t1),
		    ts_format(&ri->last, t2));
	fputc('\n', fp);
	fprintf(fp, "lines: %lu read, %lu recognised, %lu not recognised",
	    ri->lines, ri->recognised, ri->unrecognised);
	if (ri->unrecognised && ri->unparsed_file) {
		fputs(" (written to ", fp);
		put(fp, ri->unparsed_file);
		fputc(')', fp);
	} else if (ri->unrecognised) {
		fputs(" (see --unparsed)", fp);
	}
	if (ri->other)
		fprintf(fp, ", %lu from other programs", ri->other);
	fputc('\n', fp);
	if (ri->lines > 0 && ri->recognised == 0)
		fputs("warning: no line was recognised as a mail server's log "
		    "line; see --mta and --patterns\n", fp);

	fprintf(fp, "\nsessions: %lu (inbound %lu, outbound %lu)\n",
	    sm->sessions, sm->inbound, sm->outbound);
	fprintf(fp, "  ok          %8lu", sm->by_status[STATUS_OK]);
	{
		size_t n;
		struct count **v = tally_sorted(&sm->outcomes, &n);

		for (size_t i = 0; i < n; i++)
			fprintf(fp, "%s%s %lu", i ? ", " : "  (", v[i]->key,
			    v[i]->n);
		if (n)
			fputc(')', fp);
		free(v);
	}
	fputc('\n', fp);
	fprintf(fp, "  failed      %8lu\n", sm->by_status[STATUS_FAILED]);
	fprintf(fp, "  partial     %8lu\n", sm->by_status[STATUS_PARTIAL]);
	fprintf(fp, "  incomplete  %8lu\n", sm->by_status[STATUS_INCOMPLETE]);
	if (ri->cst && ri->cst->folded)
		fprintf(fp, "  (%lu content-filter re-injections folded into "
		    "the sessions they came from)\n", ri->cst->folded);
	if (ri->cst && ri->cst->idle)
		fprintf(fp, "  (%lu sessions idle past --session-timeout, "
		    "reported incomplete)\n", ri->cst->idle);
	if (ri->cst && ri->cst->evicted)
		fprintf(fp, "  (%lu sessions handed on early to keep memory "
		    "bounded)\n", ri->cst->evicted);
	if (ri->cst && ri->cst->duplicates)
		fprintf(fp, "  (%lu refusal lines given twice, as in a main and "
		    "a reject log, counted once)\n", ri->cst->duplicates);
	if (ri->cst && ri->cst->inexact) {
		const char *adv = pattern_set_advice(ri->cst->inexact_set);

		fprintf(fp, "  (%lu inbound sessions grouped by client address "
		    "and time, not by an ID: approximate", ri->cst->inexact);
		if (adv) {
			fputs("; ", fp);
			put(fp, adv);
		}
		fputs(")\n", fp);
	}
	if (sm->seq_sessions) {
		fprintf(fp, "\nRFC 5321 sequence findings in %lu session%s "
		    "(see --id; verdicts unchanged):\n", sm->seq_sessions,
		    sm->seq_sessions == 1 ? "" : "s");
		for (int i = 0; i < SEQF__COUNT; i++)
			if (sm->seq[i])
				fprintf(fp, "  %8lu  %s\n", sm->seq[i],
				    seq_finding_name(i));
	}

	report_tally_figures(fp, &sm->fig);
	if (failing == 0)
		goto traffic;
	fprintf(fp, "\nfailures by phase (failed and partial sessions):\n");
	fprintf(fp, "  %-13s %8s %8s %8s %8s %8s\n", "phase", "sessions",
	    "failed", "partial", "inbound", "outbound");
	for (int p = 0; p < PHASE__COUNT; p++) {
		const struct phase_tally *pt = &sm->ph[p];

		if (pt->n == 0)
			continue;
		fprintf(fp, "  %-13s %8lu %8lu %8lu %8lu %8lu\n",
		    phase_name(p), pt->n, pt->failed, pt->partial,
		    pt->inbound, pt->outbound);
	}
	for (int p = 0; p < PHASE__COUNT; p++) {
		const struct phase_tally *pt = &sm->ph[p];

		if (pt->n == 0)
			continue;
		fprintf(fp, "\n  %s: %lu session%s\n", phase_name(p), pt->n,
		    pt->n == 1 ? "" : "s");
		print_causes(fp, pt, rep->codes);
		print_top(fp, p == PHASE_POSTQUEUE ? "clients" : "clients (outbound: "
		    "servers)", &pt->clients, false);
	}
traffic:
	report_tally_traffic(fp, &sm->fig, rep->top ? rep->top : 10);
}

static void
summary_message(struct reporter *rep, const struct message *m)
{
	tally_message(&((struct summary *)rep)->fig, m);
}

static void
summary_free(struct reporter *rep)
{
	struct summary *sm = (struct summary *)rep;

	tally_free(&sm->outcomes);
	tally_release(&sm->fig);
	for (int p = 0; p < PHASE__COUNT; p++) {
		tally_free(&sm->ph[p].causes);
		tally_free(&sm->ph[p].replies);
		tally_free(&sm->ph[p].clients);
	}
	free(sm);
}

struct reporter *
report_summary_new(FILE *out, const char *const *files)
{
	struct summary *sm = xcalloc(1, sizeof(*sm));

	sm->r.session = summary_session;
	sm->r.message = summary_message;
	sm->r.finish = summary_finish;
	sm->r.free = summary_free;
	sm->r.out = out;
	sm->r.files = files;
	return &sm->r;
}

/* --- one line per session ------------------------------------------------ */

/*
 * " id=QUEUE from=<a@b> to=<c@d>+2": the session's first own message's
 * queue ID (else its Message-ID, else the queue ID an outbound session
 * delivered), sender, and first recipient with how many more.
 */
static void
sessions_ids(FILE *fp, const struct session *s)
{
	const char *id = NULL, *sender = s->sender, *first = NULL;
	size_t nr = s->nrcpts;

	if (s->nrcpts)
		first = s->rcpts[0].address;
	for (size_t i = 0; i < s->nmsgs; i++) {
		const struct message *m = s->msgs[i];

		if (m->owner != s)
			continue;
		if (id == NULL)
			id = m->queue ? m->queue : m->message_id;
		if (sender == NULL)
			sender = m->sender;
		if (m->forwarded)
			continue;
		if (first == NULL && m->nrcpts)
			first = m->rcpts[0].address;
		nr += m->nrcpts;
	}
	if (id == NULL)
		id = s->queue;
	if (id) {
		fputs(" id=", fp);
		put(fp, id);
	}
	if (sender) {
		fputs(" from=<", fp);
		put(fp, sender);
		fputc('>', fp);
	}
	if (nr) {
		fputs(" to=<", fp);
		put(fp, first ? first : "");
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

	fprintf(fp, "%-19s %-10s %-12s %-9s %-3s %-9s ",
	    ts_format(&s->start, t), status_name(v->status),
	    phase_name(v->phase) ? phase_name(v->phase) : "-",
	    kind_name(v->kind) ? kind_name(v->kind) : "-",
	    v->reply ? v->reply : "-", v->enhanced ? v->enhanced : "-");
	fputs(s->dir == DIR_OUTBOUND ? "out " : "in  ", fp);
	if (s->dir == DIR_OUTBOUND)
		put(fp, s->relay ? s->relay : "-");
	else
		put(fp, s->client_ip ? s->client_ip : "-");
	fputc(' ', fp);
	put(fp, s->label);
	if (s->helo) {
		fputs(" helo=", fp);
		put(fp, s->helo);
	}
	if (v->cause) {
		fputs(" cause=", fp);
		put(fp, v->cause);
	}
	if (v->status == STATUS_OK) {
		fputs(" outcome=", fp);
		put(fp, v->outcome);
	}
	sessions_ids(fp, s);
	fputc('\n', fp);
}

static void
plain_finish(struct reporter *rep, const struct run_info *ri)
{
	(void)ri;
	fflush(rep->out);
}

static void
plain_free(struct reporter *rep)
{
	free(rep);
}

struct reporter *
report_sessions_new(FILE *out, const char *const *files)
{
	struct reporter *r = xcalloc(1, sizeof(*r));

	r->session = sessions_session;
	r->finish = plain_finish;
	r->free = plain_free;
	r->out = out;
	r->files = files;
	return r;
}

/* --- transcript ------------------------------------------------------------ */

static void
put_rcpt(FILE *fp, const struct rcpt *r)
{
	fputs("  to ", fp);
	put(fp, r->address ? r->address : "(unknown)");
	fprintf(fp, ": %s", rstatus_name(r->status));
	if (r->status != RS_DELIVERED && r->status != RS_ACCEPTED &&
	    phase_name(r->phase))
		fprintf(fp, " in %s", phase_name(r->phase));
	if (r->remote_phase != PHASE_NONE)
		fprintf(fp, " (remote %s)", phase_name(r->remote_phase));
	if (r->reply || r->enhanced || r->text) {
		fputs(": ", fp);
		put(fp, r->reply);
		if (r->reply && r->enhanced)
			fputc(' ', fp);
		put(fp, r->enhanced);
		if (r->text) {
			fputc(' ', fp);
			put(fp, r->text);
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

	if (st->first)
		fputs("sequence findings (RFC 5321 4.3.2):\n", st->fp);
	st->first = false;
	fputs("  ", st->fp);
	put(st->fp, st->files[n->at->file]);
	fprintf(st->fp, ":%u: %s: ", n->at->line, seq_finding_name(n->what));
	put(st->fp, n->at->text);
	if (n->command) {
		fputs(" (in reply to ", st->fp);
		put(st->fp, n->command);
		fputc(')', st->fp);
	}
	fputc('\n', st->fp);
}

static void
transcript_session(struct reporter *rep, const struct session *s)
{
	FILE *fp = rep->out;
	const struct verdict *v = &s->v;
	char t1[TS_BUFSZ], t2[TS_BUFSZ];
	struct lineref *lines;
	size_t nl;

	fprintf(fp, "== %s %s session ", s->mta,
	    s->dir == DIR_OUTBOUND ? "outbound" : "inbound");
	put(fp, s->label);
	fprintf(fp, ", %s to %s\n", ts_format(&s->start, t1),
	    ts_format(&s->end, t2));
	if (s->client_ip || s->client_name) {
		fputs("client: ", fp);
		put(fp, s->client_name ? s->client_name : "");
		fputc('[', fp);
		put(fp, s->client_ip ? s->client_ip : "");
		fputc(']', fp);
		if (s->client_port) {
			fputc(':', fp);
			put(fp, s->client_port);
		}
		if (s->helo) {
			fputs(" helo=", fp);
			put(fp, s->helo);
		}
		if (s->sasl_user) {
			fputs(" sasl_username=", fp);
			put(fp, s->sasl_user);
		}
		fputc('\n', fp);
	}
	for (size_t i = 0; i < s->nmsgs; i++) {
		const struct message *m = s->msgs[i];

		if (m->owner != s)
			continue;
		fputs("message: ", fp);
		put(fp, m->queue);
		if (m->message_id) {
			fputs(" message-id=", fp);
			put(fp, m->message_id);
		}
		if (m->sender) {
			fputs(" from=<", fp);
			put(fp, m->sender);
			fputc('>', fp);
		}
		if (m->forwarded && m->next_hop) {
			fputs(" (re-injected as ", fp);
			put(fp, m->next_hop->queue);
			fputc(')', fp);
		}
		fputs(m->accepted ? "" : " (not accepted)", fp);
		fputc('\n', fp);
		for (size_t k = 0; k < m->nrcpts; k++)
			put_rcpt(fp, &m->rcpts[k]);
	}
	for (size_t i = 0; i < s->nrcpts; i++)
		put_rcpt(fp, &s->rcpts[i]);

	fputs("lines:\n", fp);
	nl = report_lines(s, &lines);
	for (size_t i = 0; i < nl; i++) {
		fputs("  ", fp);
		put(fp, rep->files[lines[i].file]);
		fprintf(fp, ":%u: ", lines[i].line);
		put(fp, lines[i].text ? lines[i].text : "");
		fputc('\n', fp);
	}
	free(lines);
	if (s->nconv) {
		struct seq_text st = {fp, rep->files, true};
		char g[160];

		fputs("conversation:\n", fp);
		for (size_t i = 0; i < s->nconv; i++) {
			const struct conv *c = &s->conv[i];

			fputs(c->reply ? "  S: " : "  C: ", fp);
			put(fp, c->text);
			if (c->reply && !c->cont && reply_gist(rep->codes,
			    c->text, g, sizeof(g))) {
				fputs("   [", fp);
				put(fp, g);
				fputc(']', fp);
			}
			fputc('\n', fp);
		}
		seqcheck(s, rep->codes, seq_text_one, &st);
	}
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
	if (v->reply || v->text) {
		fputs("  reply: ", fp);
		put(fp, v->reply);
		if (v->reply && v->enhanced)
			fputc(' ', fp);
		put(fp, v->enhanced);
		if (v->text) {
			if (v->reply)
				fputc(' ', fp);
			put(fp, v->text);
		}
		fputc('\n', fp);
	}
	if (v->reply || v->enhanced) {
		char g[160];

		if (codes_gist(rep->codes, v->reply, v->enhanced, g,
		    sizeof(g))) {
			fputs("  meaning: ", fp);
			put(fp, g);
			fputc('\n', fp);
		}
	}
	if (v->cause) {
		fputs("  cause: ", fp);
		put(fp, v->cause);
		fputc('\n', fp);
	}
	if (v->status == STATUS_FAILED || v->status == STATUS_PARTIAL) {
		const char *h = codes_hint(rep->codes, phase_name(v->phase),
		    v->cause);

		if (h) {
			fputs("  where to look: ", fp);
			put(fp, h);
			fputc('\n', fp);
		}
	}
	fputc('\n', fp);
}

struct reporter *
report_transcript_new(FILE *out, const char *const *files)
{
	struct reporter *r = xcalloc(1, sizeof(*r));

	r->session = transcript_session;
	r->finish = plain_finish;
	r->free = plain_free;
	r->out = out;
	r->files = files;
	return r;
}
