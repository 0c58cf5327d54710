/*
 * pattern_fields - the parts of a pattern entry that give fields: its
 * constant fields (set:), its translations (map:), and its samples with
 * the fields they must yield (expect:). Apart from pattern_load.c so
 * that neither is over long. A phase or kind set or mapped to must be one
 * of vocab.h's names; every problem is reported at its node.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "pattern_int.h"
#include "session.h"
#include "suggest.h"

static void
sample_pair(struct yamldoc *l, const char *k, yaml_node_t *kn, yaml_node_t *vn,
    void *arg);

static void
expect_pair(struct yamldoc *l, const char *k, yaml_node_t *kn, yaml_node_t *vn,
    void *arg)
{
	struct sample *s = arg;
	int f = field_by_name(k, strlen(k));
	const char *v = yamldoc_scalar(vn);

	if (f < 0) {
		yamldoc_err(l, kn, "expect: unknown field '%s'", k);
		return;
	}
	if (v == NULL) {
		yamldoc_err(l, vn, "expect: '%s' must be a string", k);
		return;
	}
	free(s->expect[f]);	/* a duplicate key, reported by the walk */
	s->expect[f] = xstrdup(v);
}

static void
sample_pair(struct yamldoc *l, const char *k, yaml_node_t *kn, yaml_node_t *vn,
    void *arg)
{
	static const char *const keys[] = {"expect", NULL};
	struct sample *s = arg;

	if (strcmp(k, "line") == 0) {
		if (yamldoc_scalar(vn) == NULL)
			yamldoc_err(l, vn, "sample line must be a string");
		else {
			free(s->line);
			s->line = xstrdup(yamldoc_scalar(vn));
		}
	} else if (strcmp(k, "expect") == 0) {
		yamldoc_walk(l, vn, NULL, "expect", expect_pair, s);
	} else if (strcmp(k, "log-type") == 0) {
		if (yamldoc_scalar(vn) == NULL)
			yamldoc_err(l, vn, "sample log-type must be a string");
		else {
			free(s->log_type);
			s->log_type = xstrdup(yamldoc_scalar(vn));
		}
	}
	(void)keys;
	(void)kn;
}

void
pattern_load_samples(struct yamldoc *l, yaml_node_t *n, struct pattern *p)
{
	static const char *const keys[] = {"line", "expect", "log-type",
	    NULL};
	size_t cnt;

	if (n == NULL || n->type != YAML_SEQUENCE_NODE) {
		yamldoc_err(l, n, "samples must be a list");
		return;
	}
	cnt = (size_t)(n->data.sequence.items.top -
	    n->data.sequence.items.start);
	p->samples = xcalloc(cnt, sizeof(struct sample));
	for (yaml_node_item_t *it = n->data.sequence.items.start;
	    it < n->data.sequence.items.top; it++) {
		yaml_node_t *sn = yamldoc_node(l, *it);
		struct sample *s = &p->samples[p->nsamples];

		s->yline = sn->start_mark.line + 1;
		s->ycol = sn->start_mark.column + 1;
		if (yamldoc_scalar(sn)) {
			s->line = xstrdup(yamldoc_scalar(sn));
		} else {
			yamldoc_walk(l, sn, keys, "sample", sample_pair, s);
			if (s->line == NULL) {
				yamldoc_err(l, sn, "sample without 'line'");
				/* the slot is reused: what it got is freed */
				free(s->log_type);
				for (int f = 0; f < F__COUNT; f++)
					free(s->expect[f]);
				memset(s, 0, sizeof(*s));
				continue;
			}
		}
		p->nsamples++;
	}
}

/* A phase or kind that a pattern sets or maps to must be one we know. */
static void
check_vocab(struct yamldoc *l, yaml_node_t *vn, int f, const char *v)
{
	const char *names[PHASE__COUNT + KIND__COUNT];
	size_t n = 0;
	struct buf b = BUF_INIT;

	if (f == F_PHASE) {
		if (phase_by_name(v, strlen(v)) != PHASE_NONE)
			return;
		for (int i = 0; i < PHASE__COUNT; i++)
			names[n++] = phase_name((enum phase)i);
	} else if (f == F_KIND) {
		if (kind_by_name(v, strlen(v)) != KIND_NONE)
			return;
		for (int i = KIND_NONE + 1; i < KIND__COUNT; i++)
			names[n++] = kind_name((enum kind)i);
	} else {
		return;
	}
	suggest_phrase(&b, f == F_PHASE ? "phase" : "kind", v, names, n);
	yamldoc_err(l, vn, "%s", b.s);
	buf_release(&b);
}

void
pattern_set_pair(struct yamldoc *l, const char *k, yaml_node_t *kn, yaml_node_t *vn,
    void *arg)
{
	struct pattern *p = arg;
	int f = field_by_name(k, strlen(k));

	if (f < 0) {
		yamldoc_err(l, kn, "set: unknown field '%s'", k);
		return;
	}
	if (yamldoc_scalar(vn) == NULL) {
		yamldoc_err(l, vn, "set: '%s' must be a string", k);
		return;
	}
	check_vocab(l, vn, f, yamldoc_scalar(vn));
	p->constv[f] = xstrdup(yamldoc_scalar(vn));
}

static void
fmap_pair(struct yamldoc *l, const char *k, yaml_node_t *kn, yaml_node_t *vn,
    void *arg)
{
	void **a = arg;
	struct pattern *p = a[0];
	int f = *(int *)a[1];
	size_t n = p->nmaps[f];

	if (yamldoc_scalar(vn) == NULL) {
		yamldoc_err(l, vn, "map: value for '%s' must be a string", k);
		return;
	}
	check_vocab(l, vn, f, yamldoc_scalar(vn));
	p->maps[f] = xrealloc(p->maps[f], (n + 1) * sizeof(struct fmap));
	p->maps[f][n].from = xstrdup(k);
	p->maps[f][n].to = xstrdup(yamldoc_scalar(vn));
	p->nmaps[f]++;
	(void)kn;
}

void
pattern_map_pair(struct yamldoc *l, const char *k, yaml_node_t *kn, yaml_node_t *vn,
    void *arg)
{
	struct pattern *p = arg;
	int f = field_by_name(k, strlen(k));
	void *a[2] = {p, &f};

	if (f < 0) {
		yamldoc_err(l, kn, "map: unknown field '%s'", k);
		return;
	}
	yamldoc_walk(l, vn, NULL, "map", fmap_pair, a);
}
