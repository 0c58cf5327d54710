/*
 * pattern_set - a set's session keys as its file gives them, its indexes
 * for the hot path (dispatch groups, the fields each pattern captures or
 * sets, label templates), and its release. Apart from pattern_load.c so
 * that neither is over long.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "pattern_int.h"

static size_t
key_list(struct yamldoc *l, yaml_node_t *n, enum field *out, const char *what)
{
	size_t cnt, k = 0;
	char **v = yamldoc_strings(l, n, &cnt, what);

	for (size_t i = 0; i < cnt; i++) {
		int f = field_by_name(v[i], strlen(v[i]));

		if (f < 0)
			yamldoc_err(l, n, "%s: unknown field '%s'", what, v[i]);
		else if (k >= KEY_FIELDS_MAX)
			yamldoc_err(l, n, "%s: more than %d fields", what,
			    KEY_FIELDS_MAX);
		else
			out[k++] = (enum field)f;
		free(v[i]);
	}
	free(v);
	return k;
}

/*
 * session: [host, pid]                      one key
 * session:                                  alternatives, first usable wins
 *   - {key: [pid]}
 *   - {key: [client_ip, client_port], gap: 30}
 */
struct keyalt_ctx {
	struct keyalt *a;
	bool have_key;
};

static void
keyalt_pair(struct yamldoc *l, const char *k, yaml_node_t *kn, yaml_node_t *vn,
    void *arg)
{
	struct keyalt_ctx *c = arg;
	const char *v;
	char *end;
	long secs;

	(void)kn;
	if (strcmp(k, "key") == 0) {
		c->a->nkey = key_list(l, vn, c->a->key, "session key");
		c->have_key = true;
	} else {
		v = yamldoc_scalar(vn);
		secs = v ? strtol(v, &end, 10) : -1;
		if (v == NULL || *v == '\0' || *end != '\0' || secs < 0 ||
		    secs > 86400)
			yamldoc_err(l, vn,
			    "session gap must be seconds from 0 to "
			    "86400");
		else
			c->a->gap_us = (int64_t)secs * 1000000;
	}
}

size_t
pattern_session_keys(struct yamldoc *l, yaml_node_t *n, struct keyalt *alts)
{
	static const char *const keys[] = {"key", "gap", NULL};
	size_t k = 0;

	memset(alts, 0, KEY_ALTS_MAX * sizeof(*alts));
	if (n != NULL && n->type == YAML_SEQUENCE_NODE &&
	    n->data.sequence.items.top > n->data.sequence.items.start &&
	    yamldoc_node(l, *n->data.sequence.items.start)->type ==
	    YAML_MAPPING_NODE) {
		for (yaml_node_item_t *it = n->data.sequence.items.start;
		    it < n->data.sequence.items.top; it++) {
			struct keyalt_ctx c = {&alts[k < KEY_ALTS_MAX ? k :
			    KEY_ALTS_MAX - 1], false};

			if (k >= KEY_ALTS_MAX) {
				yamldoc_err(l, yamldoc_node(l, *it),
				    "session: more than %d "
				    "alternatives",
				    KEY_ALTS_MAX);
				break;
			}
			yamldoc_walk(l, yamldoc_node(l, *it), keys, "session",
			    keyalt_pair, &c);
			if (!c.have_key)
				yamldoc_err(l, yamldoc_node(l, *it),
				    "session alternative "
				    "without 'key'");
			k++;
		}
		return k;
	}
	alts[0].nkey = key_list(l, n, alts[0].key, "session");
	return alts[0].nkey ? 1 : 0;
}

static void
free_pattern(struct pattern *p)
{
	free(p->name);
	free(p->every_log_has);
	if (p->re)
		pcre2_code_free(p->re);
	for (int f = 0; f < F__COUNT; f++) {
		free(p->constv[f]);
		for (size_t i = 0; i < p->nmaps[f]; i++) {
			free(p->maps[f][i].from);
			free(p->maps[f][i].to);
		}
		free(p->maps[f]);
	}
	for (size_t i = 0; i < p->nfor; i++)
		free(p->forv[i]);
	free(p->forv);
	free(p->label);
	free(p->lparts);
	pattern_stats_release(p);
	if (p->head) {
		free(p->head->program);
		for (size_t i = 0; i < p->head->nseverities; i++)
			free(p->head->severities[i]);
		free(p->head->severities);
		free(p->head->severity_len);
		free(p->head->ids);
		free(p->head);
	}
	for (size_t i = 0; i < p->nsamples; i++) {
		free(p->samples[i].line);
		free(p->samples[i].log_type);
		for (int f = 0; f < F__COUNT; f++)
			free(p->samples[i].expect[f]);
	}
	free(p->samples);
}

static void
group_unindex(struct group *g)
{
	for (size_t i = 0; i < g->ncls; i++)
		free(g->bycls[i].idx);
	free(g->bycls);
	g->bycls = NULL;
	g->ncls = g->capcls = 0;
}

void
pattern_group_release(struct group *g)
{
	group_unindex(g);
	free(g->idx);
	memset(g, 0, sizeof(*g));
}

static void
free_group(void *val, void *arg)
{
	(void)arg;
	pattern_group_release(val);
	free(val);
}

void
pattern_set_free(struct pattern_set *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->nprefixes; i++)
		free_pattern(&s->prefixes[i]);
	for (size_t i = 0; i < s->npatterns; i++)
		free_pattern(&s->patterns[i]);
	free(s->prefixes);
	free(s->patterns);
	if (s->groups) {
		strmap_each(s->groups, free_group, NULL);
		strmap_free(s->groups);
	}
	pattern_group_release(&s->dflt);
	pattern_group_release(&s->all);
	free(s->mta);
	free(s->description);
	free(s->file);
	for (size_t i = 0; i < s->nxfiles; i++)
		free(s->xfiles[i]);
	free(s->xfiles);
	pattern_know_release(s);
	free(s->label);
	free(s->advice);
	for (size_t i = 0; i < s->nfeat; i++) {
		free(s->feat_name[i]);
		free(s->feat_pat[i]);
	}
	free(s->lparts);
	free(s->gtab);
	if (s->csv) {
		for (size_t i = 0; i < s->csv->nfields; i++)
			free(s->csv->fields[i]);
		free(s->csv->fields);
		for (size_t i = 0; i < s->csv->nlog_types; i++)
			free(s->csv->log_types[i]);
		free(s->csv->log_types);
		free(s->csv->header);
		free(s->csv);
	}
	if (s->csv_detect)
		pcre2_code_free(s->csv_detect);
	if (s->journal_re)
		pcre2_code_free(s->journal_re);
	for (size_t i = 0; i < s->njournal_samples; i++)
		free(s->journal_samples[i]);
	free(s->journal_samples);
	free(s);
}

static void
group_add(struct group *g, size_t idx)
{
	grow_array((void **)&g->idx, &g->cap, g->n + 1, sizeof(size_t));
	g->idx[g->n++] = idx;
}

/*
 * Dispatch groups: for each value named in some pattern's "for", the
 * patterns for it and those without "for", in file order; the default
 * group holds only the patterns without "for".
 */
void
pattern_set_build_groups(struct pattern_set *s)
{
	s->groups = strmap_new();
	for (size_t i = 0; i < s->npatterns; i++)
		group_add(&s->all, i);
	for (size_t i = 0; i < s->npatterns; i++)
		for (size_t j = 0; j < s->patterns[i].nfor; j++) {
			const char *v = s->patterns[i].forv[j];

			if (!strmap_get(s->groups, v, strlen(v)))
				strmap_put(s->groups, v, strlen(v),
				    xcalloc(1, sizeof(struct group)));
		}
	for (size_t i = 0; i < s->npatterns; i++) {
		struct pattern *p = &s->patterns[i];

		if (p->nfor == 0) {
			group_add(&s->dflt, i);
			continue;
		}
		for (size_t j = 0; j < p->nfor; j++)
			group_add(strmap_get(s->groups, p->forv[j],
			    strlen(p->forv[j])), i);
	}
	/* patterns without "for" join every named group, in order */
	for (size_t i = 0; i < s->npatterns; i++) {
		if (s->patterns[i].nfor)
			continue;
		for (size_t a = 0; a < s->npatterns; a++)
			for (size_t j = 0; j < s->patterns[a].nfor; j++) {
				struct group *g;
				const char *v = s->patterns[a].forv[j];
				bool have = false;

				g = strmap_get(s->groups, v, strlen(v));
				for (size_t k = 0; k < g->n; k++)
					have |= g->idx[k] == i;
				if (!have)
					group_add(g, i);
			}
	}
	/* keep file order inside each group */
	for (size_t a = 0; a < s->npatterns; a++)
		for (size_t j = 0; j < s->patterns[a].nfor; j++) {
			const char *v = s->patterns[a].forv[j];
			struct group *g = strmap_get(s->groups, v, strlen(v));

			for (size_t x = 1; x < g->n; x++)
				for (size_t y = x; y > 0 &&
				    g->idx[y - 1] > g->idx[y]; y--) {
					size_t t = g->idx[y];

					g->idx[y] = g->idx[y - 1];
					g->idx[y - 1] = t;
				}
		}
}

/* Parse a label template; a '{' without a known field stays literal. */
static struct lpart *
label_parts(const char *t, size_t *n)
{
	struct lpart *v = NULL;
	size_t cap = 0;

	*n = 0;
	if (t == NULL)
		return NULL;
	while (*t) {
		const char *e = NULL;
		int f = -1;

		if (*t == '{' && (e = strchr(t, '}')) != NULL) {
			for (int i = 0; i < F__COUNT; i++)
				if (strlen(field_name(i)) ==
				    (size_t)(e - t - 1) &&
				    memcmp(field_name(i), t + 1,
				    (size_t)(e - t - 1)) == 0)
					f = i;
		}
		grow_array((void **)&v, &cap, *n + 1, sizeof(*v));
		if (f >= 0) {
			v[*n] = (struct lpart){f, NULL, 0};
			t = e + 1;
		} else {
			size_t len = 1 + strcspn(t + 1, "{");

			v[*n] = (struct lpart){-1, t, len};
			t += len;
		}
		(*n)++;
	}
	return v;
}

static void
index_pattern(struct pattern *p)
{
	p->ncapg = p->nactf = 0;
	for (int f = 0; f < F__COUNT; f++) {
		for (unsigned i = 0; i < p->ngroups[f]; i++)
			p->capg[p->ncapg++] = (struct capgroup){
			    (uint8_t)f, (uint32_t)p->groups[f][i]};
		if (p->constv[f] || p->nmaps[f])
			p->actf[p->nactf++] = (unsigned char)f;
	}
	free(p->lparts);
	p->lparts = label_parts(p->label, &p->nlparts);
}

/*
 * For each byte, the group's patterns a message starting with it may
 * match (pattern_lead.c), in the group's order; bytes with the same list
 * share it.
 */
static void
group_index(const struct pattern_set *s, struct group *g)
{
	uint32_t *tmp = xcalloc(g->n + 1, sizeof(*tmp));

	group_unindex(g);
	for (unsigned c = 0; c < 256; c++) {
		size_t n = 0, k;

		for (size_t i = 0; i < g->n; i++) {
			const struct pattern *p = &s->patterns[g->idx[i]];

			if (p->firstall ||
			    pattern_lead_has(p->first, (unsigned char)c))
				tmp[n++] = (uint32_t)g->idx[i];
		}
		for (k = 0; k < g->ncls; k++)
			if (g->bycls[k].n == n && memcmp(g->bycls[k].idx, tmp,
			    n * sizeof(*tmp)) == 0)
				break;
		if (k == g->ncls) {
			grow_array((void **)&g->bycls, &g->capcls, k + 1,
			    sizeof(*g->bycls));
			g->bycls[k].idx = xcalloc(n + 1, sizeof(*tmp));
			memcpy(g->bycls[k].idx, tmp, n * sizeof(*tmp));
			g->bycls[k].n = n;
			g->ncls++;
		}
		g->cls[c] = (uint8_t)k;
	}
	free(tmp);
}

struct group_index_ctx {
	const struct pattern_set *s;
};

static void
group_index_each(void *val, void *arg)
{
	struct group_index_ctx *c = arg;

	group_index(c->s, val);
}

/*
 * The first eight bytes of a dispatch value (those it has) as one word,
 * byte i in bits 8i to 8i+7: a daemon's name ("smtpd") is most often all
 * of it, so it is compared as one, without hash_bytes() and memcmp()
 * (80 instructions a line went to them).
 */
static inline uint64_t
name_word(const char *v, size_t len)
{
	uint64_t w = 0;

	for (size_t i = 0; i < len && i < 8; i++)
		w |= (uint64_t)(unsigned char)v[i] << (8 * i);
	return w;
}

/* The same, with eight bytes at v readable: one load, masked. */
static inline uint64_t
name_word_at(const char *v, size_t len)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint64_t w;

	memcpy(&w, v, sizeof(w));
	return len >= 8 ? w : w & (((uint64_t)1 << (8 * len)) - 1);
#else
	return name_word(v, len);
#endif
}

static inline size_t
name_slot(const struct pattern_set *s, uint64_t w, size_t len)
{
	return (size_t)(((w ^ len) * 0x9e3779b97f4a7c15ull) >> 32) &
	    (s->gcap - 1);
}

/*
 * The groups by dispatch value in a table of its own: the values are the
 * pattern file's, so the table is made once, at most a quarter full, and
 * a line's value (whatever it is) probes a few slots at most. A plain
 * hash of the first eight bytes and the length does: no key is ever
 * added from the input.
 */
static void
group_table(struct pattern_set *s)
{
	free(s->gtab);
	s->gtab = NULL;
	s->gcap = 0;
	if (s->groups == NULL || strmap_count(s->groups) == 0)
		return;
	s->gcap = 16;
	while (s->gcap < strmap_count(s->groups) * 4)
		s->gcap *= 2;
	s->gtab = xcalloc(s->gcap, sizeof(*s->gtab));
	for (size_t i = 0; i < s->npatterns; i++)
		for (size_t j = 0; j < s->patterns[i].nfor; j++) {
			const char *v = s->patterns[i].forv[j];
			size_t len = strlen(v);
			uint64_t w = name_word(v, len);
			size_t k = name_slot(s, w, len);

			while (s->gtab[k].name && (s->gtab[k].len != len ||
			    memcmp(s->gtab[k].name, v, len) != 0))
				k = (k + 1) & (s->gcap - 1);
			if (s->gtab[k].name)
				continue;
			s->gtab[k] = (struct gslot){v, len, w,
			    strmap_get(s->groups, v, len)};
		}
}

const struct group *
pattern_set_group(const struct pattern_set *s, const char *v, size_t len,
    size_t room)
{
	uint64_t w;
	size_t k;

	if (s->gcap == 0)
		return NULL;
	w = room >= 8 ? name_word_at(v, len) : name_word(v, len);
	k = name_slot(s, w, len);
	for (; s->gtab[k].name; k = (k + 1) & (s->gcap - 1))
		if (s->gtab[k].word == w && s->gtab[k].len == len &&
		    (len <= 8 || memcmp(s->gtab[k].name + 8, v + 8,
		    len - 8) == 0))
			return s->gtab[k].g;
	return NULL;
}

/* Do p and q have the same lead: the same run, counts and literal? */
static bool
same_lead(const struct pattern *p, const struct pattern *q)
{
	return p->runmin == q->runmin && p->runmax == q->runmax &&
	    (p->runmax == 0 || memcmp(p->run, q->run, sizeof(p->run)) == 0) &&
	    p->litlen == q->litlen && memcmp(p->lit, q->lit, p->litlen) == 0;
}

/*
 * Patterns whose leads start with the same run share a run id, so that
 * a line's run is measured once (pattern_lead_ok_at()); patterns with
 * the same lead share a lead id, so that a line's lead is checked once
 * for a row of them ("SMTP connection from " for six patterns).
 */
static void
run_ids(struct pattern_set *s)
{
	for (size_t i = 0; i < s->npatterns; i++) {
		struct pattern *p = &s->patterns[i];

		p->leadid = (unsigned)i + 1;
		for (size_t j = 0; j < i; j++)
			if (same_lead(&s->patterns[j], p)) {
				p->leadid = s->patterns[j].leadid;
				break;
			}
	}

	unsigned next = 0;

	for (size_t i = 0; i < s->npatterns; i++) {
		struct pattern *p = &s->patterns[i];

		p->runid = 0;
		if (p->runmax == 0)
			continue;
		for (size_t j = 0; j < i && p->runid == 0; j++)
			if (s->patterns[j].runid &&
			    memcmp(s->patterns[j].run, p->run,
			    sizeof(p->run)) == 0)
				p->runid = s->patterns[j].runid;
		if (p->runid == 0)
			p->runid = ++next;
	}
}

/* The features (by pattern) that name p, as pattern_features_of()'s
 * bits: found by name once, not per line. */
static unsigned
feature_mask(const struct pattern_set *s, const struct pattern *p)
{
	unsigned mask = 0;

	for (size_t i = 0; i < s->nfeat; i++)
		if (s->feat_pat[i] && strcmp(s->feat_pat[i], p->name) == 0)
			mask |= 1u << i;
	return mask;
}

void
pattern_set_index(struct pattern_set *s)
{
	struct group_index_ctx c = {s};

	for (size_t i = 0; i < s->nprefixes; i++)
		index_pattern(&s->prefixes[i]);
	for (size_t i = 0; i < s->npatterns; i++) {
		index_pattern(&s->patterns[i]);
		s->patterns[i].featmask = feature_mask(s, &s->patterns[i]);
	}
	s->nfeatf = 0;
	for (size_t i = 0; i < s->nfeat; i++)
		if (s->feat_field[i] >= 0) {
			s->featf_field[s->nfeatf] =
			    (unsigned char)s->feat_field[i];
			s->featf_bit[s->nfeatf++] = 1u << i;
		}
	group_index(s, &s->dflt);
	group_index(s, &s->all);
	if (s->groups)
		strmap_each(s->groups, group_index_each, &c);
	group_table(s);
	run_ids(s);
	free(s->lparts);
	s->lparts = label_parts(s->label, &s->nlparts);
}
