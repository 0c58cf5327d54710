/*
 * report_html - the nightly report as one self-contained HTML page.
 *
 * Why: the report a cron job mails is read in a mail client, where a
 * page may load nothing from outside. So the page carries its CSS in one
 * <style> element and its charts as inline SVG, runs no script, names no
 * font, image or link outside itself, and lays out with tables and block
 * elements that mail clients render. Every figure a chart shows is also
 * in a table, for clients that drop SVG.
 *
 * Sections, in order (each an <h2>; tests/check-html.sh checks them):
 * Summary, Messages, Per hour (or Per day), Failures by phase, Causes and
 * reasons, Top senders and recipients, Relays, Queue delay, TLS and
 * SASL, Worst sessions (with --worst N), Input.
 *
 * Every string that came from a log passes through esc_html(); numbers
 * and our own words are written as they are.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "reason.h"
#include "report.h"
#include "tally.h"

/*
 * Borders and padding as attributes too: a mail client that drops the
 * <style> element still shows the tables as tables.
 */
#define TABLE "<table border=\"1\" cellspacing=\"0\" cellpadding=\"3\">"

struct html_phase {
	unsigned long n, failed, partial, inbound, outbound;
	struct tally_table causes, reasons;
};

struct worst {
	int score;
	unsigned long order;
	char *label;
	char *text;	/* the --id transcript, plain text */
	size_t len;
};

struct html_reporter {
	struct reporter r;
	struct tallies fig;
	unsigned long sessions, by_status[STATUS__COUNT], inbound, outbound;
	struct tally_table outcomes;
	struct html_phase ph[PHASE__COUNT];
	struct worst *worst;	/* the --worst N, worst first */
	size_t nworst;
	unsigned long order;
};

static void
h(FILE *fp, const char *s)
{
	if (s)
		esc_html(fp, s, strlen(s));
}

/* --- collecting ------------------------------------------------------ */

/* How bad a session is: higher is worse; 0: not a candidate. */
static int
badness(const struct session *s)
{
	static const int rank[STATUS__COUNT] = {
		[STATUS_FAILED] = 30, [STATUS_PARTIAL] = 20,
		[STATUS_INCOMPLETE] = 10,
	};
	int k = s->v.kind;

	if (rank[s->v.status] == 0)
		return 0;
	return rank[s->v.status] + (k == KIND_REJECTED || k == KIND_BOUNCED ||
	    k == KIND_EXPIRED ? 3 : k == KIND_TEMPFAIL || k == KIND_DEFERRED ?
	    2 : 1);
}

static char *
transcript_of(struct html_reporter *hr, const struct session *s,
    size_t *len)
{
	char *text = NULL;
	FILE *mem = open_memstream(&text, len);
	struct reporter *t;

	if (mem == NULL)
		return NULL;
	t = report_transcript_new(mem, hr->r.files);
	t->codes = hr->r.codes;
	t->session(t, s);
	t->free(t);
	fclose(mem);
	return text;
}

/* Keep s among the --worst N if it is bad enough. */
static void
keep_worst(struct html_reporter *hr, const struct session *s)
{
	int score = badness(s);
	size_t at;

	if (hr->r.worst == 0 || score == 0)
		return;
	/* worse first; among equals, the earlier stays ahead */
	for (at = 0; at < hr->nworst && hr->worst[at].score >= score; at++)
		;
	if (at >= hr->r.worst)
		return;
	if (hr->nworst == hr->r.worst) {
		free(hr->worst[hr->nworst - 1].text);
		free(hr->worst[hr->nworst - 1].label);
		hr->nworst--;
	}
	memmove(&hr->worst[at + 1], &hr->worst[at],
	    (hr->nworst - at) * sizeof(*hr->worst));
	hr->worst[at].score = score;
	hr->worst[at].order = hr->order;
	hr->worst[at].label = xstrdup(s->label ? s->label : "?");
	hr->worst[at].text = transcript_of(hr, s, &hr->worst[at].len);
	hr->nworst++;
}

static void
html_session(struct reporter *rep, const struct session *s)
{
	struct html_reporter *hr = (struct html_reporter *)rep;
	const struct verdict *v = &s->v;
	struct html_phase *p;
	struct buf key = BUF_INIT;

	hr->order++;
	hr->sessions++;
	hr->by_status[v->status]++;
	if (s->dir == DIR_OUTBOUND)
		hr->outbound++;
	else
		hr->inbound++;
	tally_session(&hr->fig, s);
	if (v->status == STATUS_OK)
		tally_table_row(&hr->outcomes, v->outcome ? v->outcome :
		    "-")->n++;
	keep_worst(hr, s);
	if ((v->status != STATUS_FAILED && v->status != STATUS_PARTIAL) ||
	    v->phase == PHASE_NONE)
		return;
	p = &hr->ph[v->phase];
	p->n++;
	*(s->dir == DIR_OUTBOUND ? &p->outbound : &p->inbound) += 1;
	*(v->status == STATUS_FAILED ? &p->failed : &p->partial) += 1;
	tally_table_row(&p->causes, v->cause ? v->cause : "-")->n++;
	/* cause \x1f reply \x1f masked text: one row per distinct reason */
	buf_addf(&key, "%s\x1f%s%s%s\x1f", v->cause ? v->cause : "-",
	    v->reply ? v->reply : "", v->reply && v->enhanced ? " " : "",
	    v->enhanced ? v->enhanced : v->reply ? "" :
	    kind_name(v->kind) ? kind_name(v->kind) : "");
	reason_mask(v->text, &key);
	tally_row_note(tally_table_row(&p->reasons, key.s), v->text);
	buf_release(&key);
}

static void
html_message(struct reporter *rep, const struct message *m)
{
	tally_message(&((struct html_reporter *)rep)->fig, m);
}

/* --- charts ---------------------------------------------------------- */

struct series {
	const char *name;
	const char *colour;
};

static const struct series status_series[STATUS__COUNT] = {
	{"ok", "#4c9a2a"}, {"failed", "#c8102e"}, {"partial", "#e8a33d"},
	{"incomplete", "#8a8a8a"},
};

static const struct series out_series[TO__COUNT] = {
	{"received", "#3b6ea5"}, {"delivered", "#4c9a2a"},
	{"deferred", "#e8a33d"}, {"bounced", "#c8102e"},
	{"expired", "#7b3f98"}, {"rejected", "#5a5a5a"},
};

/*
 * A stacked bar chart: n columns of k values each (v[col * k + series]),
 * labelled below; a legend above.
 */
static void
svg_bars(FILE *fp, const char *title, const char *const *labels, size_t n,
    const unsigned long *v, const struct series *ser, size_t k)
{
	const int W = 640, H = 150, top = 28, left = 36;
	unsigned long max = 1;
	double bw;

	for (size_t c = 0; c < n; c++) {
		unsigned long sum = 0;

		for (size_t i = 0; i < k; i++)
			sum += v[c * k + i];
		if (sum > max)
			max = sum;
	}
	bw = (double)(W - left - 8) / (double)(n ? n : 1);
	fprintf(fp, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
	    "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
	    "aria-label=\"", W, H + top + 22, W, H + top + 22);
	h(fp, title);
	fputs("\">\n", fp);
	for (size_t i = 0, x = left; i < k; i++) {
		fprintf(fp, "<rect x=\"%zu\" y=\"6\" width=\"10\" "
		    "height=\"10\" fill=\"%s\"/><text x=\"%zu\" y=\"15\" "
		    "font-size=\"11\">%s</text>\n", x, ser[i].colour, x + 14,
		    ser[i].name);
		x += 24 + 7 * strlen(ser[i].name);
	}
	fprintf(fp, "<text x=\"%d\" y=\"%d\" font-size=\"10\" "
	    "text-anchor=\"end\">%lu</text>\n", left - 4, top + 8, max);
	fprintf(fp, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
	    "stroke=\"#999\"/>\n", left, top + H, W - 8, top + H);
	for (size_t c = 0; c < n; c++) {
		double y = top + H, x = left + (double)c * bw + bw * 0.1;

		for (size_t i = 0; i < k; i++) {
			double hh = (double)v[c * k + i] * H / (double)max;

			if (v[c * k + i] == 0)
				continue;
			y -= hh;
			fprintf(fp, "<rect x=\"%.1f\" y=\"%.1f\" "
			    "width=\"%.1f\" height=\"%.1f\" fill=\"%s\">"
			    "<title>%s %s: %lu</title></rect>\n", x, y,
			    bw * 0.8, hh, ser[i].colour, labels[c],
			    ser[i].name, v[c * k + i]);
		}
		if (n <= 24 || c % (n / 24 + 1) == 0)
			fprintf(fp, "<text x=\"%.1f\" y=\"%d\" "
			    "font-size=\"10\" text-anchor=\"middle\">%s"
			    "</text>\n", x + bw * 0.4, top + H + 14, labels[c]);
	}
	fputs("</svg>\n", fp);
}

/* The per-hour (one day) or per-day charts and table. */
static void
section_time(FILE *fp, const struct tallies *t)
{
	bool days = t->ndays > 1;
	size_t n = days ? t->ndays : 24;
	char (*lab)[16] = xcalloc(n + 1, sizeof(*lab));
	const char **labels = xcalloc(n + 1, sizeof(*labels));
	unsigned long *st = xcalloc(n * STATUS__COUNT + 1, sizeof(*st));
	unsigned long *out = xcalloc(n * TO__COUNT + 1, sizeof(*out));

	for (size_t c = 0; c < n; c++) {
		const struct tally_slot *s = days ? &t->days[c].s : &t->hour[c];

		if (days) {
			int y, m, d;

			ts_civil_from_days(t->days[c].day, &y, &m, &d);
			snprintf(lab[c], sizeof(lab[c]), "%02d-%02d", m, d);
		} else {
			snprintf(lab[c], sizeof(lab[c]), "%02d", (int)c);
		}
		labels[c] = lab[c];
		memcpy(st + c * STATUS__COUNT, s->st, sizeof(s->st));
		memcpy(out + c * TO__COUNT, s->out, sizeof(s->out));
	}
	fprintf(fp, "<h2>%s</h2>\n<p>Sessions by status</p>\n", days ?
	    "Per day" : "Per hour");
	svg_bars(fp, "sessions by status", labels, n, st, status_series,
	    STATUS__COUNT);
	fputs("<p>Messages by outcome</p>\n", fp);
	svg_bars(fp, "messages by outcome", labels, n, out, out_series,
	    TO__COUNT);
	fprintf(fp, TABLE "\n<tr><th>%s</th>", days ? "day" : "hour");
	for (int i = 0; i < STATUS__COUNT; i++)
		fprintf(fp, "<th>%s</th>", status_series[i].name);
	for (int i = 0; i < TO__COUNT; i++)
		fprintf(fp, "<th>%s</th>", out_series[i].name);
	fputs("</tr>\n", fp);
	for (size_t c = 0; c < n; c++) {
		unsigned long sum = 0;

		for (int i = 0; i < STATUS__COUNT; i++)
			sum += st[c * STATUS__COUNT + i];
		for (int i = 0; i < TO__COUNT; i++)
			sum += out[c * TO__COUNT + i];
		if (sum == 0)
			continue;
		fprintf(fp, "<tr><td>%s</td>", lab[c]);
		for (int i = 0; i < STATUS__COUNT; i++)
			fprintf(fp, "<td class=n>%lu</td>",
			    st[c * STATUS__COUNT + i]);
		for (int i = 0; i < TO__COUNT; i++)
			fprintf(fp, "<td class=n>%lu</td>",
			    out[c * TO__COUNT + i]);
		fputs("</tr>\n", fp);
	}
	fputs("</table>\n", fp);
	free(lab);
	free(labels);
	free(st);
	free(out);
}

/* --- sections -------------------------------------------------------- */

static const char style[] =
"body{font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#222;"
"background:#fff;margin:16px;max-width:960px}\n"
"h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:24px 0 8px;"
"border-bottom:2px solid #3b6ea5;padding-bottom:2px}"
"h3{font-size:15px;margin:16px 0 6px}\n"
"table{border-collapse:collapse;margin:4px 0 8px}"
"th,td{border:1px solid #ccc;padding:3px 8px;text-align:left;"
"vertical-align:top}th{background:#eef2f7}td.n{text-align:right;"
"font-variant-numeric:tabular-nums}\n"
"tr.failed td:first-child{border-left:4px solid #c8102e}"
".muted{color:#666}pre{background:#f6f6f6;border:1px solid #ddd;"
"padding:8px;overflow-x:auto;font-size:12px;white-space:pre-wrap;"
"word-break:break-all}\n"
".big{font-size:20px;font-weight:bold}\n";

static void
section_summary(FILE *fp, struct html_reporter *hr)
{
	size_t n;
	struct tally_row **v = tally_table_sorted(&hr->outcomes, false, &n);

	fputs("<h2>Summary</h2>\n" TABLE "\n", fp);
	fprintf(fp, "<tr><th>sessions</th><td class=\"n big\">%lu</td>"
	    "<td>inbound %lu, outbound %lu</td></tr>\n", hr->sessions,
	    hr->inbound, hr->outbound);
	for (int i = 0; i < STATUS__COUNT; i++) {
		fprintf(fp, "<tr%s><th>%s</th><td class=n>%lu</td><td>",
		    i == STATUS_FAILED ? " class=failed" : "",
		    status_name(i), hr->by_status[i]);
		for (size_t k = 0; i == STATUS_OK && k < n; k++) {
			fprintf(fp, "%s", k ? ", " : "");
			h(fp, v[k]->key);
			fprintf(fp, " %lu", v[k]->n);
		}
		fputs("</td></tr>\n", fp);
	}
	fputs("</table>\n", fp);
	free(v);
}

static void
section_messages(FILE *fp, const struct tallies *t)
{
	fputs("<h2>Messages</h2>\n" TABLE "\n<tr><th></th><th>messages</th>"
	    "<th>recipients</th></tr>\n", fp);
	for (int f = 0; f < TF__COUNT; f++) {
		const char *name = tally_fig_name(f);

		fputs("<tr><td>", fp);
		if (name[0] == ' ')
			fputs("&nbsp;&nbsp;&nbsp;", fp);
		fprintf(fp, "%s</td><td class=n>%lu</td><td class=n>%lu",
		    name + strspn(name, " "), t->msgs[f], t->rcpts[f]);
		if (f == TF_DEFERRED && t->deferral_events)
			fprintf(fp, " (%lu deferrals)", t->deferral_events);
		fputs("</td></tr>\n", fp);
	}
	fprintf(fp, "<tr><td>bytes received</td><td class=n colspan=2>%llu"
	    "</td></tr>\n<tr><td>bytes delivered</td><td class=n colspan=2>"
	    "%llu</td></tr>\n</table>\n", t->bytes_received,
	    t->bytes_delivered);
}

static void
section_phases(FILE *fp, struct html_reporter *hr)
{
	unsigned long v[PHASE__COUNT * 2];
	const char *labels[PHASE__COUNT];
	static const struct series ser[2] = {
		{"failed", "#c8102e"}, {"partial", "#e8a33d"},
	};

	fputs("<h2>Failures by phase</h2>\n", fp);
	for (int p = 0; p < PHASE__COUNT; p++) {
		labels[p] = phase_name(p);
		v[p * 2] = hr->ph[p].failed;
		v[p * 2 + 1] = hr->ph[p].partial;
	}
	svg_bars(fp, "failures by phase", labels, PHASE__COUNT, v, ser, 2);
	fputs(TABLE "\n<tr><th>phase</th><th>sessions</th><th>failed</th>"
	    "<th>partial</th><th>inbound</th><th>outbound</th></tr>\n", fp);
	for (int p = 0; p < PHASE__COUNT; p++) {
		const struct html_phase *ph = &hr->ph[p];

		if (ph->n == 0)
			continue;
		fprintf(fp, "<tr><td>%s</td><td class=n>%lu</td><td class=n>"
		    "%lu</td><td class=n>%lu</td><td class=n>%lu</td>"
		    "<td class=n>%lu</td></tr>\n", phase_name(p), ph->n,
		    ph->failed, ph->partial, ph->inbound, ph->outbound);
	}
	fputs("</table>\n", fp);
}

/* One phase's causes, each with its distinct reasons. */
static void
phase_causes(FILE *fp, const struct html_phase *ph, const char *name,
    unsigned top)
{
	size_t nc, nr;
	struct tally_row **cv = tally_table_sorted(&ph->causes, false, &nc);
	struct tally_row **rv = tally_table_sorted(&ph->reasons, false, &nr);

	fprintf(fp, "<h3>%s: %lu session%s</h3>\n" TABLE "\n<tr><th>cause</th>"
	    "<th>count</th><th>reply</th><th>reason</th></tr>\n", name, ph->n,
	    ph->n == 1 ? "" : "s");
	for (size_t i = 0; i < nc && i < top; i++) {
		size_t kl = strlen(cv[i]->key);

		fputs("<tr><td>", fp);
		h(fp, cv[i]->key);
		fprintf(fp, "</td><td class=n>%lu</td><td></td><td></td>"
		    "</tr>\n", cv[i]->n);
		for (size_t j = 0; j < nr; j++) {
			const char *k = rv[j]->key, *reply, *masked;

			if (strncmp(k, cv[i]->key, kl) != 0 || k[kl] != '\x1f')
				continue;
			reply = k + kl + 1;
			masked = strchr(reply, '\x1f');
			fprintf(fp, "<tr><td></td><td class=n>%lu</td><td>",
			    rv[j]->n);
			esc_html(fp, reply, (size_t)(masked - reply));
			fputs("</td><td>", fp);
			h(fp, rv[j]->mixed ? masked + 1 : rv[j]->example);
			fputs("</td></tr>\n", fp);
		}
	}
	fputs("</table>\n", fp);
	free(cv);
	free(rv);
}

static void
section_causes(FILE *fp, struct html_reporter *hr)
{
	fputs("<h2>Causes and reasons</h2>\n<p class=muted>Reply texts are "
	    "grouped after masking addresses (ADDR), IP addresses (IP), "
	    "peer host names (HOST), IDs (ID) and numbers (N).</p>\n", fp);
	for (int p = 0; p < PHASE__COUNT; p++)
		if (hr->ph[p].n)
			phase_causes(fp, &hr->ph[p], phase_name(p),
			    hr->r.top ? hr->r.top : 10);
}

static void
table_rows(FILE *fp, const struct tally_table *t, unsigned top,
    const char *what)
{
	size_t n;
	struct tally_row **v = tally_table_sorted(t, false, &n);

	fprintf(fp, TABLE "\n<tr><th>%s</th><th>bytes</th><th></th></tr>\n",
	    what);
	for (size_t i = 0; i < n && i < top; i++) {
		fprintf(fp, "<tr><td class=n>%lu</td><td class=n>%llu</td><td>",
		    v[i]->n, v[i]->bytes);
		h(fp, *v[i]->key ? v[i]->key : "(no domain)");
		fputs("</td></tr>\n", fp);
	}
	if (n > top)
		fprintf(fp, "<tr><td colspan=3 class=muted>%zu more</td>"
		    "</tr>\n", n - top);
	fputs("</table>\n", fp);
	free(v);
}

static void
section_tops(FILE *fp, const struct tallies *t, unsigned top)
{
	fputs("<h2>Top senders and recipients</h2>\n", fp);
	for (int i = 0; i < TT__COUNT; i++) {
		fprintf(fp, "<h3>Top %s</h3>\n", tally_top_name(i));
		table_rows(fp, &t->top[i], top, i == TT_CLIENTS ? "sessions" :
		    i == TT_RECIPIENTS || i == TT_RECIPIENT_DOMAINS ?
		    "deliveries" : "messages");
	}
}

static void
section_relays(FILE *fp, const struct tallies *t, unsigned top)
{
	size_t n;
	struct tally_row **v = tally_table_sorted(&t->relays, false, &n);

	fputs("<h2>Relays</h2>\n" TABLE "\n<tr><th>relay</th><th>delivered"
	    "</th><th>deferrals</th><th>bounced</th><th>expired</th>"
	    "<th>average delay</th></tr>\n", fp);
	for (size_t i = 0; i < n && i < top; i++) {
		char avg[32];

		tally_format_secs(v[i]->delay_n ? v[i]->delay_sum /
		    (double)v[i]->delay_n : -1, avg, sizeof(avg));
		fputs("<tr><td>", fp);
		h(fp, v[i]->key);
		fprintf(fp, "</td><td class=n>%lu</td><td class=n>%lu</td>"
		    "<td class=n>%lu</td><td class=n>%lu</td><td class=n>%s"
		    "</td></tr>\n", v[i]->delivered, v[i]->deferrals,
		    v[i]->bounced, v[i]->expired, avg);
	}
	fputs("</table>\n", fp);
	free(v);
}

static void
section_delay(FILE *fp, const struct tallies *t)
{
	static const double q[] = {0, 0.5, 0.95, 1};
	static const char *const name[] = {"min", "median", "p95", "max"};

	fprintf(fp, "<h2>Queue delay</h2>\n<p>From reception to delivery, "
	    "%lu deliveries.</p>\n" TABLE "\n<tr>", t->delay_n);
	for (size_t i = 0; i < ARRAY_SIZE(q); i++)
		fprintf(fp, "<th>%s</th>", name[i]);
	fputs("</tr>\n<tr>", fp);
	for (size_t i = 0; i < ARRAY_SIZE(q); i++) {
		char b[32];

		tally_format_secs(tally_delay_quantile(t, q[i]), b, sizeof(b));
		fprintf(fp, "<td class=n>%s</td>", b);
	}
	fputs("</tr>\n</table>\n", fp);
}

static void
list_table(FILE *fp, const char *what, const struct tally_table *t,
    unsigned top)
{
	size_t n;
	struct tally_row **v = tally_table_sorted(t, false, &n);

	fprintf(fp, TABLE "\n<tr><th>%s</th><th>count</th></tr>\n", what);
	for (size_t i = 0; i < n && i < top; i++) {
		fputs("<tr><td>", fp);
		h(fp, v[i]->key);
		fprintf(fp, "</td><td class=n>%lu</td></tr>\n", v[i]->n);
	}
	fputs("</table>\n", fp);
	free(v);
}

static void
section_tls(FILE *fp, const struct tallies *t, unsigned top)
{
	fputs("<h2>TLS and SASL</h2>\n<h3>TLS protocol versions "
	    "(sessions)</h3>\n", fp);
	list_table(fp, "version", &t->tls, top);
	fprintf(fp, "<p>%lu sessions got past HELO without TLS.</p>\n"
	    "<h3>Failed SASL logins by user name</h3>\n", t->tls_none);
	list_table(fp, "user name", &t->sasl_failed, top);
}

static void
section_worst(FILE *fp, struct html_reporter *hr)
{
	fprintf(fp, "<h2>Worst sessions</h2>\n<p class=muted>The %zu worst "
	    "of %lu sessions (failed first, then partial, then incomplete; "
	    "refusals before temporary failures), as --id prints them.</p>\n",
	    hr->nworst, hr->sessions);
	for (size_t i = 0; i < hr->nworst; i++) {
		fputs("<h3>", fp);
		h(fp, hr->worst[i].label);
		fputs("</h3>\n<pre>", fp);
		if (hr->worst[i].text)
			esc_html_text(fp, hr->worst[i].text,
			    hr->worst[i].len);
		fputs("</pre>\n", fp);
	}
}

static void
section_input(FILE *fp, const struct run_info *ri)
{
	fputs("<h2>Input</h2>\n" TABLE "\n", fp);
	for (size_t i = 0; i < ri->nfiles; i++) {
		fputs("<tr><th>file</th><td>", fp);
		h(fp, ri->files[i]);
		fputs("</td></tr>\n", fp);
	}
	fprintf(fp, "<tr><th>lines</th><td>%lu read, %lu recognised, %lu "
	    "not recognised, %lu from other programs</td></tr>\n</table>\n",
	    ri->lines, ri->recognised, ri->unrecognised, ri->other);
}

static void
html_finish(struct reporter *rep, const struct run_info *ri)
{
	struct html_reporter *hr = (struct html_reporter *)rep;
	FILE *fp = rep->out;
	unsigned top = rep->top ? rep->top : 10;
	char t1[TS_BUFSZ], t2[TS_BUFSZ];

	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset="
	    "\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width,"
	    "initial-scale=1\">\n<title>", fp);
	fprintf(fp, "%s report", PACKAGE_NAME);
	if (ri->first.flags & TS_SET)
		fprintf(fp, " %s to %s", ts_format(&ri->first, t1),
		    ts_format(&ri->last, t2));
	fprintf(fp, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", style);
	fputs("<h1>Mail report</h1>\n<p class=muted>", fp);
	fprintf(fp, "%s %s", PACKAGE_NAME, PACKAGE_VERSION);
	if (ri->mtas && *ri->mtas) {
		fputs(" (", fp);
		h(fp, ri->mtas);
		fputc(')', fp);
	}
	if (ri->first.flags & TS_SET)
		fprintf(fp, ", %s to %s", t1, t2);
	fputs("</p>\n", fp);
	section_summary(fp, hr);
	section_messages(fp, &hr->fig);
	section_time(fp, &hr->fig);
	section_phases(fp, hr);
	section_causes(fp, hr);
	section_tops(fp, &hr->fig, top);
	section_relays(fp, &hr->fig, top);
	section_delay(fp, &hr->fig);
	section_tls(fp, &hr->fig, top);
	if (rep->worst)
		section_worst(fp, hr);
	section_input(fp, ri);
	fputs("</body>\n</html>\n", fp);
	fflush(fp);
}

static void
html_free(struct reporter *rep)
{
	struct html_reporter *hr = (struct html_reporter *)rep;

	tally_release(&hr->fig);
	tally_table_release(&hr->outcomes);
	for (int p = 0; p < PHASE__COUNT; p++) {
		tally_table_release(&hr->ph[p].causes);
		tally_table_release(&hr->ph[p].reasons);
	}
	for (size_t i = 0; i < hr->nworst; i++) {
		free(hr->worst[i].text);
		free(hr->worst[i].label);
	}
	free(hr->worst);
	free(hr);
}

/*
 * rep->worst must be set before the first session (the caller sets it
 * right after this returns); the array is sized then.
 */
static void
html_first(struct reporter *rep, const struct session *s)
{
	struct html_reporter *hr = (struct html_reporter *)rep;

	hr->worst = xcalloc(rep->worst + 1, sizeof(*hr->worst));
	rep->session = html_session;
	html_session(rep, s);
}

struct reporter *
report_html_new(FILE *out, const char *const *files)
{
	struct html_reporter *hr = xcalloc(1, sizeof(*hr));

	hr->r.session = html_first;
	hr->r.message = html_message;
	hr->r.finish = html_finish;
	hr->r.free = html_free;
	hr->r.out = out;
	hr->r.files = files;
	tally_init(&hr->fig);
	return &hr->r;
}
