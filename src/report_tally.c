/*
 * report_tally - the message figures and traffic sections of the text
 * summary (tally.h has the figures, README.md their definitions).
 *
 * Why apart from the summary's session sections: they answer the
 * morning questions pflogsumm and eximstats answer (how many received,
 * delivered, bounced; how many bytes; who sent most), and the layout of
 * the session view is another module's. Every key from the log passes
 * through esc_text(); rows are cut at --top N.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "report.h"
#include "tally.h"

static void
put(FILE *fp, const char *s)
{
	if (s)
		esc_text(fp, s, strlen(s));
}

static void
put_figures(FILE *fp, const struct tallies *t)
{
	unsigned long any = 0;

	for (int f = 0; f < TF__COUNT; f++)
		any |= t->msgs[f] | t->rcpts[f];
	if (any == 0)
		return;
	fputs("\nmessages:                     messages  recipients\n", fp);
	for (int f = 0; f < TF__COUNT; f++) {
		if (f == TF_DISCARDED || f == TF_HELD)
			if (t->msgs[f] == 0 && t->rcpts[f] == 0)
				continue;
		fprintf(fp, "  %-26s", tally_fig_name(f));
		fprintf(fp, " %9lu %11lu", t->msgs[f], t->rcpts[f]);
		if (f == TF_REJECTED && t->msgs[f] + t->rcpts[f])
			fprintf(fp, "  (%lu refusals, %lu at RCPT)",
			    t->msgs[f] + t->rcpts[f], t->rcpts[f]);
		if (f == TF_DEFERRED && t->deferral_events)
			fprintf(fp, "  (%lu deferral%s)", t->deferral_events,
			    t->deferral_events == 1 ? "" : "s");
		fputc('\n', fp);
	}
	fprintf(fp, "  bytes: %llu received, %llu delivered\n",
	    t->bytes_received, t->bytes_delivered);
}

static bool
slot_empty(const struct tally_slot *s)
{
	for (int i = 0; i < STATUS__COUNT; i++)
		if (s->st[i])
			return false;
	for (int i = 0; i < TO__COUNT; i++)
		if (s->out[i])
			return false;
	return true;
}

static void
slot_row(FILE *fp, const char *label, const struct tally_slot *s)
{
	fprintf(fp, "  %-10s %5lu %6lu %4lu %4lu |", label, s->st[STATUS_OK],
	    s->st[STATUS_FAILED], s->st[STATUS_PARTIAL],
	    s->st[STATUS_INCOMPLETE]);
	for (int i = 0; i < TO__COUNT; i++)
		fprintf(fp, " %6lu", s->out[i]);
	fputc('\n', fp);
}

static void
slot_head(FILE *fp, const char *what)
{
	fprintf(fp, "  %-10s %5s %6s %4s %4s |", what, "ok", "failed",
	    "part", "inc");
	fprintf(fp, " %6s %6s %6s %6s %6s %6s\n", "recv", "deliv",
	    "defer", "bounce", "expire", "reject");
}

static void
put_hours(FILE *fp, const struct tallies *t)
{
	bool any = false;

	for (int h = 0; h < 24 && !any; h++)
		any = !slot_empty(&t->hour[h]);
	if (!any)
		return;
	fprintf(fp, "\nper hour%s: sessions by status | messages by "
	    "outcome\n", t->ndays > 1 ? " of the day (all days)" : "");
	slot_head(fp, "hour");
	for (int h = 0; h < 24; h++) {
		char label[16];

		if (slot_empty(&t->hour[h]))
			continue;
		snprintf(label, sizeof(label), "%02d-%02d", h, h + 1);
		slot_row(fp, label, &t->hour[h]);
	}
	if (t->ndays < 2)
		return;
	fputs("\nper day: sessions by status | messages by outcome\n", fp);
	slot_head(fp, "day");
	for (size_t i = 0; i < t->ndays; i++) {
		char label[16];
		int y, m, d;

		ts_civil_from_days(t->days[i].day, &y, &m, &d);
		snprintf(label, sizeof(label), "%04d-%02d-%02d", y, m, d);
		slot_row(fp, label, &t->days[i].s);
	}
}

static void
put_top(FILE *fp, const struct tallies *t, enum tally_top which,
    unsigned top)
{
	size_t n;
	struct tally_row **v = tally_table_sorted(&t->top[which], false, &n);

	if (n == 0) {
		free(v);
		return;
	}
	fprintf(fp, "\ntop %s (%s, bytes):\n", tally_top_name(which),
	    which == TT_CLIENTS ? "sessions" : which == TT_RECIPIENTS ||
	    which == TT_RECIPIENT_DOMAINS ? "deliveries" : "messages");
	for (size_t i = 0; i < n && i < top; i++) {
		fprintf(fp, "  %8lu %10llu  ", v[i]->n, v[i]->bytes);
		put(fp, *v[i]->key ? v[i]->key : "(no domain)");
		fputc('\n', fp);
	}
	if (n > top)
		fprintf(fp, "  (%zu more)\n", n - top);
	free(v);
}

static void
put_relays(FILE *fp, const struct tallies *t, unsigned top)
{
	size_t n;
	struct tally_row **v = tally_table_sorted(&t->relays, false, &n);
	char avg[32];

	if (n == 0) {
		free(v);
		return;
	}
	fprintf(fp, "\nper relay:  delivered deferrals bounced expired "
	    "avg delay  relay\n");
	for (size_t i = 0; i < n && i < top; i++) {
		tally_format_secs(v[i]->delay_n ? v[i]->delay_sum /
		    (double)v[i]->delay_n : -1, avg, sizeof(avg));
		fprintf(fp, "  %17lu %9lu %7lu %7lu %9s  ", v[i]->delivered,
		    v[i]->deferrals, v[i]->bounced, v[i]->expired, avg);
		put(fp, v[i]->key);
		fputc('\n', fp);
	}
	if (n > top)
		fprintf(fp, "  (%zu more)\n", n - top);
	free(v);
}

static void
put_delays(FILE *fp, const struct tallies *t)
{
	static const double q[] = {0, 0.5, 0.95, 1};
	static const char *const name[] = {"min", "median", "p95", "max"};

	if (t->delay_n == 0)
		return;
	fprintf(fp, "\nqueue delay of %lu deliver%s:", t->delay_n,
	    t->delay_n == 1 ? "y" : "ies");
	for (size_t i = 0; i < ARRAY_SIZE(q); i++) {
		char b[32];

		tally_format_secs(tally_delay_quantile(t, q[i]), b, sizeof(b));
		fprintf(fp, " %s %s%s", name[i], b, i + 1 < ARRAY_SIZE(q) ?
		    "," : "\n");
	}
}

static void
put_list(FILE *fp, const char *title, const struct tally_table *tb,
    unsigned top, unsigned long extra, const char *extra_name)
{
	size_t n;
	struct tally_row **v = tally_table_sorted(tb, false, &n);

	if (n == 0 && extra == 0) {
		free(v);
		return;
	}
	fprintf(fp, "\n%s:", title);
	for (size_t i = 0; i < n && i < top; i++) {
		fprintf(fp, "%s %lu ", i ? "," : "", v[i]->n);
		put(fp, v[i]->key);
	}
	if (n > top)
		fprintf(fp, ", (%zu more)", n - top);
	if (extra_name)
		fprintf(fp, "%s %lu %s", n ? "," : "", extra, extra_name);
	fputc('\n', fp);
	free(v);
}

void
report_tally_figures(FILE *fp, const struct tallies *t)
{
	put_figures(fp, t);
}

void
report_tally_traffic(FILE *fp, const struct tallies *t, unsigned top)
{
	put_hours(fp, t);
	for (int i = 0; i < TT__COUNT; i++)
		put_top(fp, t, i, top);
	put_relays(fp, t, top);
	put_delays(fp, t);
	put_list(fp, "TLS (sessions)", &t->tls, top, t->tls_none,
	    "without TLS past HELO");
	put_list(fp, "failed SASL logins by user name", &t->sasl_failed,
	    top, 0, NULL);
}
