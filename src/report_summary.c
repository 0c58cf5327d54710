/*
 * report_summary - the default report. It answers "what went wrong, and
 * where?": sessions by status, then for each phase in session order the
 * failed and partial sessions, their causes, reply codes with an example
 * text, and top clients and servers; the time span and the lines read,
 * recognised and not recognised open it. All log text passes through
 * esc_text().
 *
 * Layout: the report is written to memory, then each line is cut to the
 * width term.h chose (80 columns unless standard output is a terminal)
 * with "..."; so that little is cut, an example text gets a line of its
 * own under its reply. Statuses and phases are coloured when term.h says
 * so. --id and JSON show every text whole.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "reason.h"
#include "report.h"
#include "seqcheck.h"
#include "shapes.h"
#include "tally.h"

#define TOP_N 5
/*
 * A table of the summary holds at most this many keys: a --follow run of
 * weeks meets millions of client addresses and masked replies. Past it,
 * the half counted least is dropped into "others" (counts and keys), so
 * the keys counted most stay, each with its count since it was last
 * taken in (lossy counting, Manku and Motwani 2002).
 */
#define TALLY_KEYS_MAX 20000

/* --- counting ------------------------------------------------------------ */
struct count {
	char *key;
	char *example;
	unsigned long n;
	bool mixed;	/* not every text counted here was the example */
};

struct tally {
	struct strmap *m;
	struct keycache recent;	/* counts of m lately asked for */
	unsigned long total;
	unsigned long other_n;	/* counted under keys dropped past the cap */
	unsigned long other_keys;	/* keys dropped */
	unsigned long prunes;	/* times counts were dropped (and freed) */
};

static void tally_prune(struct tally *);

/* Count key (NULL or "": "-") of len bytes, with its example text;
 * returns its count. */
static struct count *
tally_add_n(struct tally *t, const char *key, size_t len, const char *example)
{
	struct count *c;
	size_t slot;

	if (key == NULL || len == 0) {
		key = "-";
		len = 1;
	}
	if ((c = keycache_get(&t->recent, key, len, &slot)) == NULL) {
		if (t->m == NULL)
			t->m = strmap_new();
		c = strmap_get(t->m, key, len);
		if (c == NULL && strmap_count(t->m) >= TALLY_KEYS_MAX)
			tally_prune(t);
	}
	if (c == NULL) {
		c = xcalloc(1, sizeof(*c));
		c->key = xstrndup(key, len);
		if (example)
			c->example = xstrndup(example, strnlen(example, 160));
		strmap_put(t->m, key, len, c);
	} else if (!c->mixed && (example == NULL) != (c->example == NULL)) {
		c->mixed = true;
	} else if (!c->mixed && example && strncmp(example, c->example,
	    strlen(c->example) + 1) != 0) {
		c->mixed = true;
	}
	keycache_put(&t->recent, slot, c->key, len, c);
	c->n++;
	t->total++;
	return c;
}

static void
tally_add(struct tally *t, const char *key, const char *example)
{
	tally_add_n(t, key, key ? strlen(key) : 0, example);
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

/* Clients and servers: most frequent first, then by address. */
static int
cmp_count_addr(const void *a, const void *b)
{
	const struct count *x = *(struct count *const *)a;
	const struct count *y = *(struct count *const *)b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return report_addr_cmp(x->key, y->key);
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

static struct count **
tally_sorted_addr(const struct tally *t, size_t *n)
{
	struct count **v = tally_sorted(t, n);

	if (*n > 1)
		qsort(v, *n, sizeof(*v), cmp_count_addr);
	return v;
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

/* Drop the half of t's keys counted least (ties: the later key). */
static void
tally_prune(struct tally *t)
{
	size_t n;
	struct count **v = tally_sorted(t, &n);

	for (size_t i = n / 2; i < n; i++) {
		t->other_n += v[i]->n;
		t->other_keys++;
		strmap_del(t->m, v[i]->key, strlen(v[i]->key));
		free_count(v[i], NULL);
	}
	free(v);
	keycache_reset(&t->recent);	/* it may point at freed counts */
	t->prunes++;	/* and so may a struct reason_memo */
}

static void
summary_tally_release(struct tally *t)
{
	if (t->m) {
		strmap_each(t->m, free_count, NULL);
		strmap_free(t->m);
	}
	t->m = NULL;
	keycache_reset(&t->recent);
	t->total = 0;
	t->other_n = t->other_keys = 0;
}

/*
 * A reason met lately, by what its key is made of (the verdict's cause,
 * reply, enhanced code, kind and text): found again, it is counted
 * without its key built, the text masked (reason.h) and the key looked
 * up, which cost some 450 instructions a failed session. Parts too long
 * to keep are not memoised. same: the text is its count's example.
 */
#define REASON_MEMO_SLOTS 64
#define REASON_MEMO_TEXT 200
struct reason_memo {
	struct count *c;	/* NULL: empty */
	unsigned long prunes;	/* the tally's when kept */
	int phase;
	enum kind kind;
	bool has_reply, has_enh, same;
	size_t tlen;
	char cause[64], reply[8], enh[24];
	char text[REASON_MEMO_TEXT];
};

/* --- summary ------------------------------------------------------------- */
struct phase_tally {
	unsigned long n, inbound, outbound, failed, partial;
	struct tally causes, replies;
	struct tally clients;	/* inbound: the client's address */
	struct tally servers;	/* outbound: the server we delivered to */
};

struct summary {
	struct reporter r;
	unsigned long sessions, by_status[STATUS__COUNT], inbound, outbound;
	struct tally outcomes;
	struct phase_tally ph[PHASE__COUNT];
	unsigned long seq_sessions, seq[SEQF__COUNT];	/* RFC 5321 */
	struct tallies fig;	/* messages and traffic (tally.h) */
	struct buf key;	/* a reason's key, built per session */
	struct reason_memo memo[REASON_MEMO_SLOTS];
};

static void
seq_count(const struct seq_note *n, void *arg)
{
	struct summary *sm = arg;

	sm->seq[n->what]++;
}

/* The reply of a reason's key: "550 5.1.1", "550", "5.1.1", else the
 * kind in parentheses, at most REPLY_MAX bytes. */
#define REPLY_MAX 63
static void
put_reply(struct buf *b, const struct verdict *v)
{
	size_t start = b->len;

	if (v->reply)
		buf_adds(b, v->reply);
	if (v->reply && v->enhanced)
		buf_addc(b, ' ');
	if (v->enhanced)
		buf_adds(b, v->enhanced);
	if (b->len == start) {
		buf_addc(b, '(');
		buf_adds(b, kind_name(v->kind) ? kind_name(v->kind) :
		    "no reply");
		buf_addc(b, ')');
	}
	if (b->len - start > REPLY_MAX) {
		b->len = start + REPLY_MAX;
		b->s[b->len] = '\0';
	}
}

/* The memo slot of the reason of v in phase p, text of tlen bytes. */
static struct reason_memo *
reason_slot(struct summary *sm, const struct verdict *v, size_t tlen)
{
	return &sm->memo[(hash_ends(v->text, tlen) + (size_t)v->phase) &
	    (REASON_MEMO_SLOTS - 1)];
}

/*
 * Count the reason of v under pt: "cause\x1freply\x1fmasked text"
 * (reason.h), built with no printf and in one buffer for the run (a
 * printf per session was 6% of a summary's instructions), or found in
 * the memo.
 */
static void
count_reason(struct summary *sm, struct phase_tally *pt,
    const struct verdict *v)
{
	const char *cause = v->cause ? v->cause : "-";
	size_t tlen = v->text ? strlen(v->text) : 0;
	struct reason_memo *e = NULL;
	struct count *c;
	bool had;

	if (v->text && tlen < REASON_MEMO_TEXT) {
		e = reason_slot(sm, v, tlen);
		if (e->c && e->prunes == pt->replies.prunes &&
		    e->phase == (int)v->phase && e->kind == v->kind &&
		    e->tlen == tlen && memcmp(e->text, v->text, tlen) == 0 &&
		    strcmp(e->cause, cause) == 0 &&
		    str_kept_is(e->reply, e->has_reply, v->reply) &&
		    str_kept_is(e->enh, e->has_enh, v->enhanced)) {
			c = e->c;
			c->n++;
			pt->replies.total++;
			if (!e->same)
				c->mixed = true;
			return;
		}
	}
	buf_reset(&sm->key);
	buf_adds(&sm->key, cause);
	buf_addc(&sm->key, '\x1f');
	put_reply(&sm->key, v);
	buf_addc(&sm->key, '\x1f');
	reason_mask(v->text, &sm->key);
	c = tally_add_n(&pt->replies, sm->key.s, sm->key.len, v->text);
	if (e == NULL)
		return;
	e->c = NULL;
	if (!str_keep(e->cause, sizeof(e->cause), &had, cause) ||
	    !str_keep(e->reply, sizeof(e->reply), &e->has_reply, v->reply) ||
	    !str_keep(e->enh, sizeof(e->enh), &e->has_enh, v->enhanced))
		return;
	memcpy(e->text, v->text, tlen);
	e->tlen = tlen;
	e->phase = (int)v->phase;
	e->kind = v->kind;
	e->prunes = pt->replies.prunes;
	e->same = c->example && strncmp(v->text, c->example,
	    strlen(c->example) + 1) == 0;
	e->c = c;
}

static void
summary_session(struct reporter *rep, const struct session *s)
{
	struct summary *sm = (struct summary *)rep;
	const struct verdict *v = &s->v;
	struct phase_tally *pt;

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
	count_reason(sm, pt, v);
	if (s->dir == DIR_OUTBOUND)
		tally_add(&pt->servers, s->relay ? s->relay : s->label, NULL);
	else
		tally_add(&pt->clients, s->client_ip, NULL);
}



static void
print_top(FILE *fp, const char *title, const struct tally *t, bool examples)
{
	size_t n;
	struct count **v = tally_sorted_addr(t, &n);

	if (n == 0) {
		free(v);
		return;
	}
	fprintf(fp, "    %s:\n", title);
	for (size_t i = 0; i < n && i < TOP_N; i++) {
		fprintf(fp, "      %6lu  ", v[i]->n);
		report_put(fp, v[i]->key);
		if (examples && v[i]->example) {
			fputs("  \"", fp);
			report_put(fp, v[i]->example);
			fputc('"', fp);
		}
		fputc('\n', fp);
	}
	if (n > TOP_N)
		fprintf(fp, "      (%zu more)\n", n - TOP_N);
	if (t->other_keys)
		fprintf(fp, "      (and %lu others: %lu keys not kept past "
		    "%d)\n", t->other_n, t->other_keys, TALLY_KEYS_MAX);
	free(v);
}

/* Each top cause, and under it its top replies with an example text. */
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
		report_put(fp, cv[i]->key);
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
			if (report_reply_gist(codes, reply, g, sizeof(g))) {
				fputs(" (", fp);
				report_put(fp, g);
				fputc(')', fp);
			}
			/* one text: as logged; several: the reason they
			 * share; on a line of its own, where it has room */
			if (rv[j]->mixed && masked[1]) {
				fputs("\n                      \"", fp);
				report_put(fp, masked + 1);
				fputc('"', fp);
			} else if (rv[j]->example) {
				fputs("\n                      \"", fp);
				report_put(fp, rv[j]->example);
				fputc('"', fp);
			}
			fputc('\n', fp);
		}
		if (more)
			fprintf(fp, "              (%zu more)\n", more);
	}
	if (nc > TOP_N)
		fprintf(fp, "      (%zu more causes)\n", nc - TOP_N);
	if (pt->replies.other_keys)
		fprintf(fp, "      (and %lu others: %lu reasons not kept "
		    "past %d)\n", pt->replies.other_n, pt->replies.other_keys,
		    TALLY_KEYS_MAX);
	free(cv);
	free(rv);
}

/* What was read: files, servers, the time span, the lines. */
/* A kind of line a real log always has: warn after this many lines. */
#define KIND_MIN_LINES 100

/*
 * One server's lines: more than 1% not recognised, or none of a kind
 * every real log of it has (its file's 'every-log-has'): say so, with the
 * commonest shapes of what was not recognised and where to write them.
 */
static void
print_set_warning(FILE *fp, const struct set_lines *sl, const char *file)
{
	unsigned long all = sl->recognised + sl->unrecognised;
	const char *shape[3];
	unsigned long count[3];
	size_t n;
	bool said = false;

	if (sl->recognised == 0)
		return;	/* not this server's log: the warning above says so */
	if (sl->unrecognised * 100 > all) {
		fprintf(fp, "warning: %s: %lu of %lu lines (%.1f%%) not "
		    "recognised\n", pattern_set_mta(sl->set), sl->unrecognised,
		    all, 100.0 * (double)sl->unrecognised / (double)all);
		said = true;
	}
	for (size_t k = 0; all >= KIND_MIN_LINES && k < sl->nkinds; k++) {
		if (sl->kind_seen[k])
			continue;
		fprintf(fp, "warning: %s: %lu lines, none of them %s\n",
		    pattern_set_mta(sl->set), all, sl->kinds[k]);
		said = true;
	}
	if (!said || sl->unrecognised == 0)
		return;
	n = shapes_top(sl->shapes, 3, shape, count);
	fputs("  commonest shapes of the lines not recognised:\n", fp);
	for (size_t i = 0; i < n; i++) {
		fprintf(fp, "  %8lu  ", count[i]);
		report_put(fp, shape[i]);
		fputc('\n', fp);
	}
	if (file == NULL)
		fputs("  (write them all with --unparsed FILE)\n", fp);
}

static void
print_head(FILE *fp, const struct run_info *ri)
{
	char t1[TS_BUFSZ], t2[TS_BUFSZ];

	if (ri->journal) {
		fprintf(fp, "%s %s: journal ", PACKAGE_NAME, PACKAGE_VERSION);
		report_put(fp, ri->journal);
	} else {
		fprintf(fp, "%s %s: %zu file%s", PACKAGE_NAME,
		    PACKAGE_VERSION, ri->nfiles, ri->nfiles == 1 ? "" : "s");
	}
	if (ri->mtas && *ri->mtas) {
		fputs(" (", fp);
		report_put(fp, ri->mtas);
		fputc(')', fp);
	}
	fputc('\n', fp);
	if (ri->first.flags & TS_SET)
		fprintf(fp, "time: %s to %s\n", ts_format(&ri->first, t1),
		    ts_format(&ri->last, t2));
	fprintf(fp, "lines: %lu read, %lu recognised, %lu not recognised",
	    ri->lines, ri->recognised, ri->unrecognised);
	if (ri->unrecognised && ri->unparsed_file) {
		fputs(" (written to ", fp);
		report_put(fp, ri->unparsed_file);
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
	for (size_t i = 0; i < ri->nsets; i++)
		print_set_warning(fp, &ri->sets[i], ri->unparsed_file);
}

/*
 * After "  LEAD", the features (pattern.h) the set's lines showed (seen)
 * or did not, wrapped at 78 columns: the advice names only what is
 * missing. Returns how many were named.
 */
static size_t
put_features(FILE *fp, const struct set_lines *sl, const char *lead,
    bool seen)
{
	size_t col = 2 + strlen(lead), n = 0;
	const char *f;

	fprintf(fp, "  %s", lead);
	for (size_t i = 0; (f = pattern_set_feature(sl->set, i)); i++) {
		if (((sl->features >> i) & 1u) != seen)
			continue;
		if (col + 1 + strlen(f) > 78) {
			fputs("\n   ", fp);
			col = 3;
		}
		fputc(' ', fp);
		report_put(fp, f);
		col += 1 + strlen(f);
		n++;
	}
	if (n == 0)
		fputs(" none", fp);
	fputc('\n', fp);
	return n;
}

/* Per server with 'features': what its lines showed, what to add. */
static void
print_features(FILE *fp, const struct run_info *ri)
{
	for (size_t i = 0; i < ri->nsets; i++) {
		const struct set_lines *sl = &ri->sets[i];
		const char *adv = pattern_set_advice(sl->set);
		size_t nf = 0, nseen = 0;
		char lead[64];

		if (sl->recognised == 0 || !pattern_set_feature(sl->set, 0))
			continue;
		while (pattern_set_feature(sl->set, nf))
			nf++;
		snprintf(lead, sizeof(lead), "%s: its lines showed",
		    pattern_set_mta(sl->set));
		nseen = put_features(fp, sl, lead, true);
		if (nseen < nf && adv)
			put_features(fp, sl, adv, false);
	}
}

/* Sessions by status, and what the correlator had to say of them. */
static void
print_status(FILE *fp, const struct summary *sm, const struct run_info *ri)
{
	const struct term *t = sm->r.term;

	fprintf(fp, "\nsessions: %lu (inbound %lu, outbound %lu)\n",
	    sm->sessions, sm->inbound, sm->outbound);
	fputs("  ", fp);
	report_painted(fp, t, PAINT_OK, "ok", 12);
	fprintf(fp, "%8lu", sm->by_status[STATUS_OK]);
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
	for (int s = STATUS_FAILED; s <= STATUS_INCOMPLETE; s++) {
		fputs("  ", fp);
		report_painted(fp, t, report_status_paint((enum status)s), status_name((enum status)s),
		    12);
		fprintf(fp, "%8lu\n", sm->by_status[s]);
	}
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

		fprintf(fp, "  (%lu inbound sessions grouped by address and "
		    "time: approximate)\n", ri->cst->inexact);
		if (adv && !pattern_set_feature(ri->cst->inexact_set, 0)) {
			fputs("  ", fp);
			report_put(fp, adv);
			fputc('\n', fp);
		}
	}
	print_features(fp, ri);
	if (sm->seq_sessions) {
		fprintf(fp, "\nRFC 5321 sequence findings in %lu session%s "
		    "(see --id; verdicts unchanged):\n", sm->seq_sessions,
		    sm->seq_sessions == 1 ? "" : "s");
		for (int i = 0; i < SEQF__COUNT; i++)
			if (sm->seq[i] && seq_finding_name(i))
				fprintf(fp, "  %8lu  %s\n", sm->seq[i],
				    seq_finding_name(i));
	}
}

/* The body of the report, as it would be printed on a wide screen. */
static void
summary_write(struct summary *sm, FILE *fp, const struct run_info *ri)
{
	struct reporter *rep = &sm->r;
	const struct term *t = rep->term;
	unsigned long failing = sm->by_status[STATUS_FAILED] +
	    sm->by_status[STATUS_PARTIAL];

	print_head(fp, ri);
	print_status(fp, sm, ri);
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
		fputs("  ", fp);
		report_painted(fp, t, PAINT_PHASE, phase_name(p), 13);
		fprintf(fp, " %8lu %8lu %8lu %8lu %8lu\n", pt->n, pt->failed,
		    pt->partial, pt->inbound, pt->outbound);
	}
	for (int p = 0; p < PHASE__COUNT; p++) {
		const struct phase_tally *pt = &sm->ph[p];

		if (pt->n == 0)
			continue;
		fputs("\n  ", fp);
		report_painted(fp, t, PAINT_PHASE, phase_name(p), 0);
		fprintf(fp, ": %lu session%s\n", pt->n, pt->n == 1 ? "" : "s");
		print_causes(fp, pt, rep->codes);
		print_top(fp, "clients", &pt->clients, false);
		print_top(fp, "servers (outbound)", &pt->servers, false);
	}
traffic:
	report_tally_traffic(fp, &sm->fig, rep->top ? rep->top : 10);
}

static void
summary_finish(struct reporter *rep, const struct run_info *ri)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);

	if (mem == NULL) {	/* no memory: as it comes, uncut */
		summary_write((struct summary *)rep, rep->out, ri);
		return;
	}
	summary_write((struct summary *)rep, mem, ri);
	fclose(mem);
	term_fit(rep->out, text, len, rep->term ? rep->term->width :
	    TERM_WIDTH_DEFAULT);
	free(text);
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

	summary_tally_release(&sm->outcomes);
	tally_release(&sm->fig);
	for (int p = 0; p < PHASE__COUNT; p++) {
		summary_tally_release(&sm->ph[p].causes);
		summary_tally_release(&sm->ph[p].replies);
		summary_tally_release(&sm->ph[p].clients);
		summary_tally_release(&sm->ph[p].servers);
	}
	buf_release(&sm->key);
	free(sm);
}

struct reporter *
report_summary_new(FILE *out, const char *const *files)
{
	struct summary *sm = xcalloc(1, sizeof(*sm));

	buf_init(&sm->key);
	sm->r.session = summary_session;
	sm->r.message = summary_message;
	sm->r.finish = summary_finish;
	sm->r.free = summary_free;
	sm->r.out = out;
	sm->r.files = files;
	return &sm->r;
}

