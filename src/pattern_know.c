/*
 * pattern_know - what a pattern set says about its server beyond the
 * patterns of its lines: the words its log uses for a stage ('stages'),
 * and how a pattern's line writes the count of the commands ('stats').
 *
 * The C knows SMTP (transcript.h: the command words); a server's own
 * phrases for a stage ("timeout after END-OF-MESSAGE", "SMTP error from
 * remote mail server after initial connection") are data, so a file can
 * teach them:
 *
 *	stages:
 *	  END-OF-MESSAGE: data
 *	  initial connection: pre-greeting
 *
 * and so are the counters a server writes at a session's end, which the
 * correlator reads through a struct stats_format (pattern.h):
 *
 *	stats: {separator: ' ', items: counts, unknown: unknown}
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "pattern_int.h"
#include "suggest.h"

/* Refuse a phase no stage can name, with a suggestion. */
static enum phase
stage_phase(struct yamldoc *l, yaml_node_t *vn, const char *word)
{
	const char *v = yamldoc_scalar(vn);
	enum phase p = v ? phase_by_name(v, strlen(v)) : PHASE_NONE;
	const char *names[PHASE__COUNT];
	struct buf b = BUF_INIT;
	size_t n = 0;

	if (p != PHASE_NONE && p != PHASE_POSTQUEUE)
		return p;
	for (int j = 0; j < PHASE__COUNT; j++)
		if (j != PHASE_POSTQUEUE)
			names[n++] = phase_name((enum phase)j);
	suggest_phrase(&b, "phase", v ? v : "", names, n);
	yamldoc_err(l, vn, "stages: '%s': %s (a stage of the SMTP "
	    "conversation)", word, b.s);
	buf_release(&b);
	return PHASE_NONE;
}

static void
stage_pair(struct yamldoc *l, const char *k, yaml_node_t *kn,
    yaml_node_t *vn, void *arg)
{
	struct stage_words *sw = arg;
	enum phase p;

	if (*k == '\0' || strchr(k, '<') != NULL) {
		yamldoc_err(l, kn, "stages: a word is not empty and has no "
		    "'<' (what follows it is an address, never read)");
		return;
	}
	p = stage_phase(l, vn, k);
	if (p == PHASE_NONE)
		return;
	sw->v = xrealloc(sw->v, (sw->n + 1) * sizeof(*sw->v));
	sw->v[sw->n].word = xstrdup(k);
	sw->v[sw->n].len = strlen(k);
	sw->v[sw->n].phase = p;
	sw->n++;
}

void
pattern_stages_load(struct yamldoc *l, struct pattern_set *s,
    yaml_node_t *n)
{
	yamldoc_walk(l, n, NULL, "stages", stage_pair, &s->stages);
}

/* The array a (an elements of elsz bytes) followed by w (wn), in a's
 * memory; w is freed. */
static void *
prepend(void *a, size_t an, void *w, size_t wn, size_t elsz)
{
	char *v = xrealloc(a, (an + wn) * elsz);

	if (wn)
		memcpy(v + an * elsz, w, wn * elsz);
	free(w);
	return v;
}

/* An extending file's stage words and time-stamp formats before t's;
 * add keeps none. */
void
pattern_know_merge(struct pattern_set *t, struct pattern_set *add)
{
	if (add->tsf.n) {
		t->tsf.v = prepend(add->tsf.v, add->tsf.n, t->tsf.v,
		    t->tsf.n, sizeof(*t->tsf.v));
		t->tsf.n += add->tsf.n;
		add->tsf = (struct ts_formats){NULL, 0};
	}
	if (add->stages.n) {
		t->stages.v = prepend(add->stages.v, add->stages.n,
		    t->stages.v, t->stages.n, sizeof(*t->stages.v));
		t->stages.n += add->stages.n;
		add->stages = (struct stage_words){NULL, 0};
	}
}

/* --- a set's time stamps ------------------------------------------------ */

static void
ts_add(struct yamldoc *l, yaml_node_t *n, struct pattern_set *s,
    const char *spec)
{
	char err[200];
	struct ts_fmt f;

	if (!ts_fmt_compile(spec, &f, err, sizeof(err))) {
		yamldoc_err(l, n, "timestamp-format: %s", err);
		return;
	}
	s->tsf.v = xrealloc(s->tsf.v, (s->tsf.n + 1) * sizeof(*s->tsf.v));
	s->tsf.v[s->tsf.n++] = f;
}

void
pattern_ts_load(struct yamldoc *l, struct pattern_set *s, yaml_node_t *n)
{
	size_t cnt;
	char **v = yamldoc_strings(l, n, &cnt, "timestamp-format");

	for (size_t i = 0; i < cnt; i++) {
		ts_add(l, n, s, v[i]);
		free(v[i]);
	}
	free(v);
	if (cnt == 0)
		yamldoc_err(l, n, "timestamp-format: no format");
}

void
pattern_ts_defaults(struct pattern_set *s)
{
	if (s->tsf.n == 0) {
		ts_add(NULL, NULL, s, "rfc3164");
		ts_add(NULL, NULL, s, "iso8601");
	}
}

const struct ts_formats *
pattern_set_ts_formats(const struct pattern_set *s)
{
	return s != NULL ? &s->tsf : NULL;
}

void
pattern_know_release(struct pattern_set *s)
{
	for (size_t i = 0; i < s->tsf.n; i++)
		ts_fmt_release(&s->tsf.v[i]);
	free(s->tsf.v);
	s->tsf.v = NULL;
	s->tsf.n = 0;
	for (size_t i = 0; i < s->stages.n; i++)
		free(s->stages.v[i].word);
	free(s->stages.v);
	s->stages.v = NULL;
	s->stages.n = 0;
}

const struct stage_words *
pattern_set_stages(const struct pattern_set *s)
{
	return s != NULL && s->stages.n > 0 ? &s->stages : NULL;
}

/* --- a pattern's counters ---------------------------------------------- */

static void
stats_pair(struct yamldoc *l, const char *k, yaml_node_t *kn,
    yaml_node_t *vn, void *arg)
{
	struct stats_format *sf = arg;
	const char *v = yamldoc_scalar(vn);

	(void)kn;
	if (v == NULL) {
		yamldoc_err(l, vn, "stats: '%s' must be a string", k);
	} else if (strcmp(k, "field") == 0) {
		sf->field = field_by_name(v, strlen(v));
		if (sf->field == F_NONE)
			yamldoc_err(l, vn, "stats: unknown field '%s'", v);
	} else if (strcmp(k, "separator") == 0) {
		if (strlen(v) != 1)
			yamldoc_err(l, vn, "stats: the separator is one "
			    "character, ' ' or ','");
		sf->sep = v[0];
	} else if (strcmp(k, "items") == 0) {
		if (strcmp(v, "counts") == 0)
			sf->items = STATS_COUNTS;
		else if (strcmp(v, "commands") == 0)
			sf->items = STATS_COMMANDS;
		else
			yamldoc_err(l, vn, "stats: items are 'counts' "
			    "(NAME=N, NAME=OK/TOTAL) or 'commands' (the "
			    "commands sent, in order), not '%s'", v);
	} else if (strcmp(k, "unknown") == 0) {
		free((char *)sf->unknown);
		sf->unknown = xstrdup(v);
	}
}

void
pattern_stats_load(struct yamldoc *l, yaml_node_t *n, struct pattern *p)
{
	static const char *const keys[] = {"field", "separator", "items",
	    "unknown", NULL};
	struct stats_format *sf = xcalloc(1, sizeof(*sf));

	sf->field = F_STATS;
	sf->sep = '\0';
	sf->items = (enum stats_items)-1;
	pattern_stats_release(p);	/* a duplicate key, reported */
	p->stats = sf;
	if (!yamldoc_walk(l, n, keys, "stats", stats_pair, sf))
		return;
	if (sf->sep == '\0' || (int)sf->items < 0)
		yamldoc_err(l, n, "stats: needs 'separator' and 'items'");
	if (sf->unknown && sf->items == STATS_COMMANDS)
		yamldoc_err(l, n, "stats: 'unknown' names a count: only "
		    "with items: counts");
}

void
pattern_stats_check(struct yamldoc *l, yaml_node_t *n,
    const struct pattern *p)
{
	const struct stats_format *sf = p->stats;

	if (sf == NULL) {
		if (p->ev == EV_DISCONNECT && p->ngroups[F_STATS] > 0)
			yamldoc_err(l, n, "captures 'stats' but has no "
			    "'stats:' saying how the counters are written");
		return;
	}
	if (p->ev != EV_DISCONNECT)
		yamldoc_err(l, n, "stats: counters are read from a "
		    "session's end line, event disconnect");
	if (sf->field != F_NONE && p->ngroups[sf->field] == 0 &&
	    p->constv[sf->field] == NULL)
		yamldoc_err(l, n, "stats: the regex captures no '%s'",
		    field_name(sf->field));
}

void
pattern_stats_release(struct pattern *p)
{
	if (p->stats == NULL)
		return;
	free((char *)p->stats->unknown);
	free(p->stats);
	p->stats = NULL;
}
