/*
 * pattern_check - --check-patterns: every sample of every pattern must be
 * matched by its own pattern first, yield exactly the fields its expect
 * lists, and every cause sample must be given its own cause. A CSV set's
 * sample is first turned into a line as csv.h does for a real record.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "diag.h"
#include "journal.h"
#include "pattern_int.h"

static unsigned check_sample_line(const struct pattern_set *,
    const struct pattern *, const struct sample *, bool, struct strview,
    const char *);

/* A sample's time stamp is one of its set's formats. */
static unsigned
check_sample_ts(const struct pattern_set *s, const struct pattern *p,
    const struct sample *sm, const struct match *m, const char *who)
{
	struct ts t;

	if (m->f[F_TS].p == NULL ||
	    ts_parse_with(&s->tsf, m->f[F_TS], NULL, &t))
		return 0;
	diag_at(DIAG_ERROR, p->file, sm->yline, sm->ycol, "%s: time stamp "
	    "'%.*s' is in none of the set's timestamp-format", who,
	    (int)m->f[F_TS].len, m->f[F_TS].p);
	return 1;
}

static unsigned
check_sample(const struct pattern_set *s, const struct pattern *p,
    const struct sample *sm, bool is_prefix)
{
	struct strview line = {sm->line, strlen(sm->line)};
	unsigned bad;
	char who[160];
	struct buf canon = BUF_INIT;
	struct csv_rec rec = CSV_REC_INIT;
	int *col = NULL;

	snprintf(who, sizeof(who), "%s '%s'", is_prefix ? "prefix" :
	    "pattern", p->name);
	if (s->csv) {
		/* a record as the file holds it, in the documented columns */
		const char *lt = sm->log_type ? sm->log_type :
		    s->csv->nlog_types ? s->csv->log_types[0] : "";

		col = xcalloc(s->csv->nfields + 1, sizeof(int));
		csv_columns(s->csv, (struct strview){s->csv->header,
		    strlen(s->csv->header)}, col);
		csv_split(&rec, line);
		csv_canonical(s->csv, col, (struct strview){lt, strlen(lt)},
		    &rec, &canon);
		line = (struct strview){canon.s, canon.len};
	}
	bad = check_sample_line(s, p, sm, is_prefix, line, who);
	free(col);
	csv_rec_release(&rec);
	buf_release(&canon);
	return bad;
}

static unsigned
check_sample_line(const struct pattern_set *s, const struct pattern *p,
    const struct sample *sm, bool is_prefix, struct strview line,
    const char *who)
{
	struct match m;
	unsigned bad = 0;

	if (!pattern_set_match(s, line, false, &m) &&
	    !pattern_set_match(s, line, true, &m)) {
		diag_at(DIAG_ERROR, p->file, sm->yline, sm->ycol,
		    "%s: sample matches no prefix of '%s'", who, s->mta);
		return 1;
	}
	if (!is_prefix && m.pat != p) {
		if (m.pat == NULL)
			diag_at(DIAG_ERROR, p->file, sm->yline, sm->ycol,
			    "%s: sample matches no pattern", who);
		else
			diag_at(DIAG_ERROR, p->file, sm->yline, sm->ycol,
			    "%s: sample is matched first by pattern '%s'",
			    who, m.pat->name);
		return 1;
	}
	for (int f = 0; f < F__COUNT; f++) {
		const char *want = sm->expect[f];
		bool from_p = p->ngroups[f] > 0 || p->constv[f] != NULL;

		if (want == NULL) {
			/* every field the pattern itself yields is listed */
			if (from_p && m.f[f].p && m.f[f].len > 0 &&
			    (is_prefix ? false : true)) {
				diag_at(DIAG_ERROR, p->file, sm->yline,
				    sm->ycol, "%s: sample yields %s '%.*s', "
				    "which expect does not list", who,
				    field_name(f), (int)m.f[f].len,
				    m.f[f].p);
				bad++;
			}
			continue;
		}
		if (!m.f[f].p ? *want != '\0' : !sv_eq(m.f[f], want)) {
			diag_at(DIAG_ERROR, p->file, sm->yline, sm->ycol,
			    "%s: %s: got '%.*s', want '%s'", who,
			    field_name(f), m.f[f].p ? (int)m.f[f].len : 0,
			    m.f[f].p ? m.f[f].p : "", want);
			bad++;
		}
	}
	bad += check_sample_ts(s, p, sm, &m, who);
	return bad ? 1 : 0;
}

/*
 * A journal sample identifier: the set's regex takes it, and the line the
 * journal module writes for an entry of it (journal.h) is read by one of
 * the set's own prefixes, with the identifier in its program fields.
 */
static unsigned
check_journal(const struct pattern_set *s, const char *ident)
{
	struct journal_entry e = {0};
	struct buf line = BUF_INIT;
	struct match m;
	unsigned bad = 0;

	e.ident = (struct strview){ident, strlen(ident)};
	e.host = (struct strview){"mx", 2};
	e.pid = (struct strview){"4242", 4};
	e.message = (struct strview){"x", 1};
	e.time_us = 1795425441000000;
	if (!pattern_set_journal_reads(s, ident, strlen(ident))) {
		diag_at(DIAG_ERROR, s->file, s->journal_yline, s->journal_ycol,
		    "journal: sample '%s' is not taken by the identifier "
		    "regex", ident);
		bad = 1;
	} else if (!journal_entry_line(&e, &line) ||
	    !pattern_set_match(s, (struct strview){line.s, line.len}, false,
	    &m) || !sv_eq(m.f[F_PID], "4242")) {
		diag_at(DIAG_ERROR, s->file, s->journal_yline, s->journal_ycol,
		    "journal: the line of an entry of '%s' ('%s') matches no "
		    "prefix of '%s' that takes its pid", ident,
		    line.s, s->mta);
		bad = 1;
	}
	buf_release(&line);
	return bad;
}

unsigned
pattern_db_check(const struct pattern_db *db, unsigned *nsamples)
{
	unsigned bad = 0, n = 0;

	for (size_t i = 0; i < db->nsets; i++) {
		const struct pattern_set *s = db->sets[i];

		for (size_t j = 0; j < s->nprefixes; j++)
			for (size_t k = 0; k < s->prefixes[j].nsamples; k++) {
				n++;
				bad += check_sample(s, &s->prefixes[j],
				    &s->prefixes[j].samples[k], true);
			}
		for (size_t j = 0; j < s->npatterns; j++)
			for (size_t k = 0; k < s->patterns[j].nsamples; k++) {
				n++;
				bad += check_sample(s, &s->patterns[j],
				    &s->patterns[j].samples[k], false);
			}
		for (size_t j = 0; j < s->njournal_samples; j++) {
			n++;
			bad += check_journal(s, s->journal_samples[j]);
		}
	}
	for (size_t i = 0; i < db->ncauses; i++) {
		const struct cause_rule *r = &db->causes[i];

		for (size_t k = 0; k < r->nsamples; k++) {
			const struct cause_rule *got;

			n++;
			got = cause_find(db, r->samples[k].phase,
			    r->samples[k].text);
			/* an earlier rule of the same cause may take it
			 * (an extending file's, tried first) */
			if (got == NULL || strcmp(got->cause, r->cause) != 0) {
				diag_at(DIAG_ERROR, r->file,
				    r->samples[k].yline, r->samples[k].ycol,
				    "cause '%s': sample gives cause '%s'",
				    r->cause, got ? got->cause : "(none)");
				bad++;
			}
		}
	}
	if (nsamples)
		*nsamples = n;
	return bad;
}

