/*
 * cause - cause rules (patterns/causes.yaml): a reply's code and text to
 * the cause of a failure ("unknown-user", "greylist"). A rule is a
 * caseless regex over "REPLY ENHANCED TEXT", limited to some phases; the
 * first rule that matches wins, so the files order them. A rule's 'kind'
 * is what a refusal with its cause is instead ("pipelining": protocol),
 * and the 'defaults' name the cause of a failure no rule names, by kind.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "pattern_int.h"
#include "session.h"
#include "suggest.h"

/* What classify.c calls a failure that neither a rule nor a default
 * names (classify.h). */
static const char cause_last_resort[] = "other";

/* A rule's 'phase': a phase or a list of them. */
static void
rule_phases(struct yamldoc *l, yaml_node_t *vn, struct cause_rule *r)
{
	size_t n;
	char **pv = yamldoc_strings(l, vn, &n, "phase");

	for (size_t i = 0; i < n; i++) {
		enum phase p = phase_by_name(pv[i], strlen(pv[i]));

		if (p == PHASE_NONE) {
			const char *names[PHASE__COUNT];
			struct buf b = BUF_INIT;

			for (int j = 0; j < PHASE__COUNT; j++)
				names[j] = phase_name((enum phase)j);
			suggest_phrase(&b, "phase", pv[i], names,
			    PHASE__COUNT);
			yamldoc_err(l, vn, "phase: %s", b.s);
			buf_release(&b);
		} else {
			r->phases |= 1u << p;
		}
		free(pv[i]);
	}
	free(pv);
}

static void
cause_pair(struct yamldoc *l, const char *k, yaml_node_t *kn, yaml_node_t *vn,
    void *arg)
{
	void **a = arg;
	struct cause_rule *r = a[0];
	const char **rx = a[1];
	yaml_node_t **rxn = a[2];
	const char *v = yamldoc_scalar(vn);

	(void)kn;
	if (strcmp(k, "cause") == 0) {
		if (v == NULL) {
			yamldoc_err(l, vn, "cause must be a name");
		} else {
			free(r->cause);	/* a duplicate key, reported */
			r->cause = xstrdup(v);
		}
	} else if (strcmp(k, "regex") == 0) {
		*rx = v;
		*rxn = vn;
	} else if (strcmp(k, "kind") == 0) {
		r->kind = v ? kind_by_name(v, strlen(v)) : KIND_NONE;
		if (r->kind == KIND_NONE)
			yamldoc_err(l, vn, "kind: unknown kind '%s'",
			    v ? v : "");
	} else if (strcmp(k, "phase") == 0) {
		rule_phases(l, vn, r);
	} else if (strcmp(k, "samples") == 0) {
		if (vn == NULL || vn->type != YAML_SEQUENCE_NODE) {
			yamldoc_err(l, vn, "samples must be a list");
			return;
		}
		for (yaml_node_item_t *it = vn->data.sequence.items.start;
		    it < vn->data.sequence.items.top; it++) {
			yaml_node_t *sn = yamldoc_node(l, *it);
			struct cause_sample *cs;
			const char *text = yamldoc_scalar(sn), *ph = NULL;

			if (text == NULL) {
				text = yamldoc_get(l, sn, "text", NULL);
				ph = yamldoc_get(l, sn, "phase", NULL);
			}
			if (text == NULL) {
				yamldoc_err(l, sn,
				    "a sample is a reply text, or a "
				    "mapping with 'text' and 'phase'");
				continue;
			}
			r->samples = xrealloc(r->samples, (r->nsamples + 1) *
			    sizeof(*r->samples));
			cs = &r->samples[r->nsamples++];
			cs->text = xstrdup(text);
			cs->phase = ph ? phase_by_name(ph, strlen(ph)) :
			    PHASE_NONE;
			if (ph && cs->phase == PHASE_NONE)
				yamldoc_err(l, sn, "unknown phase '%s'", ph);
			cs->yline = sn->start_mark.line + 1;
			cs->ycol = sn->start_mark.column + 1;
		}
	}
}

/* What a rule holds (not the rule itself). */
static void
rule_release(struct cause_rule *r)
{
	free(r->cause);
	free(r->file);
	pcre2_code_free(r->re);
	for (size_t j = 0; j < r->nsamples; j++)
		free(r->samples[j].text);
	free(r->samples);
	memset(r, 0, sizeof(*r));
}

void
cause_load(struct yamldoc *l, struct pattern_db *db, yaml_node_t *n)
{
	static const char *const keys[] = {"cause", "regex", "kind",
	    "phase", "description", "samples", NULL};

	if (n == NULL || n->type != YAML_SEQUENCE_NODE) {
		yamldoc_err(l, n, "causes must be a list");
		return;
	}
	for (yaml_node_item_t *it = n->data.sequence.items.start;
	    it < n->data.sequence.items.top; it++) {
		yaml_node_t *cn = yamldoc_node(l, *it);
		struct cause_rule r = {0};
		const char *rx = NULL;
		yaml_node_t *rxn = NULL;
		void *a[3] = {&r, &rx, &rxn};

		r.yline = cn->start_mark.line + 1;
		r.ycol = cn->start_mark.column + 1;
		yamldoc_walk(l, cn, keys, "cause", cause_pair, a);
		if (r.cause == NULL || rx == NULL) {
			yamldoc_err(l, cn, "a cause needs 'cause' and 'regex'");
			rule_release(&r);
			continue;
		}
		r.re = pattern_compile(l, rxn, rx, PCRE2_CASELESS, &r.jit);
		if (r.re == NULL) {
			rule_release(&r);	/* refused: reported */
			continue;
		}
		r.file = xstrdup(l->file);
		if (r.nsamples == 0)
			yamldoc_err(l, cn, "cause '%s' has no samples",
			    r.cause);
		grow_array((void **)&db->causes, &db->capcauses,
		    db->ncauses + 1, sizeof(r));
		db->causes[db->ncauses++] = r;
	}
}

/* One 'defaults' pair: KIND: CAUSE, or else: CAUSE. */
static void
default_pair(struct yamldoc *l, const char *k, yaml_node_t *kn,
    yaml_node_t *vn, void *arg)
{
	struct pattern_db *db = arg;
	const char *v = yamldoc_scalar(vn);
	enum kind kd = kind_by_name(k, strlen(k));
	char **slot = strcmp(k, "else") == 0 ? &db->default_else :
	    kd != KIND_NONE ? &db->default_cause[kd] : NULL;

	if (slot == NULL) {
		const char *names[KIND__COUNT + 1];
		struct buf b = BUF_INIT;
		size_t n = 0;

		for (int j = 0; j < KIND__COUNT; j++)
			if (kind_name((enum kind)j))
				names[n++] = kind_name((enum kind)j);
		names[n++] = "else";
		suggest_phrase(&b, "kind", k, names, n);
		yamldoc_err(l, kn, "defaults: %s", b.s);
		buf_release(&b);
		return;
	}
	if (v == NULL || *v == '\0') {
		yamldoc_err(l, vn, "defaults: '%s' must name a cause", k);
		return;
	}
	free(*slot);	/* a later file's default replaces an earlier one */
	*slot = xstrdup(v);
}

void
cause_defaults_load(struct yamldoc *l, struct pattern_db *db, yaml_node_t *n)
{
	yamldoc_walk(l, n, NULL, "defaults", default_pair, db);
}

const char *
pattern_db_default_cause(const struct pattern_db *db, enum kind k)
{
	if (db == NULL)
		return cause_last_resort;
	if (k > KIND_NONE && k < KIND__COUNT && db->default_cause[k])
		return db->default_cause[k];
	return db->default_else ? db->default_else : cause_last_resort;
}

enum kind
pattern_db_cause_kind(const struct pattern_db *db, const char *cause)
{
	if (db == NULL || cause == NULL)
		return KIND_NONE;
	for (size_t i = 0; i < db->ncauses; i++)
		if (db->causes[i].kind != KIND_NONE &&
		    strcmp(db->causes[i].cause, cause) == 0)
			return db->causes[i].kind;
	return KIND_NONE;
}

static bool
phase_ok(const struct cause_rule *r, enum phase phase)
{
	if (r->phases == 0)
		return true;
	return phase != PHASE_NONE && (r->phases & (1u << phase));
}

const struct cause_rule *
cause_find(const struct pattern_db *db, enum phase phase, const char *s)
{
	for (size_t i = 0; i < db->ncauses; i++) {
		const struct cause_rule *r = &db->causes[i];
		int rc;

		if (!phase_ok(r, phase))
			continue;
		rc = pattern_exec(r->re, r->jit, s, strlen(s));
		if (rc > 0)
			return r;
		if (rc != PCRE2_ERROR_NOMATCH)
			pattern_limit_warn(rc, "cause rule", r->cause, r->file);
	}
	return NULL;
}

/*
 * The cause of a failure text is remembered: session after session fails
 * with the same reply ("550 5.1.1 ... User unknown"), and finding its rule
 * runs one regex per rule until one matches (some 30,000 instructions).
 * The memo is a fixed table, so it never grows with the log: a hash of
 * the phase and the text picks a set of CAUSE_MEMO_WAYS slots, and a new
 * text takes the set's least recently used one. With one slot per hash
 * (a direct-mapped table), two common replies whose hashes shared it
 * pushed each other out on every session: in a Postfix benchmark log,
 * 3,850 of 4,300 lookups were those two. Longer texts than a slot holds
 * are looked up every time.
 */
#define CAUSE_MEMO_WAYS 4
#define CAUSE_MEMO_SETS 256
#define CAUSE_MEMO_KEY 234

struct cause_entry {
	uint64_t hash;
	const struct cause_rule *rule;	/* NULL: no rule matched */
	uint32_t used;	/* the memo's clock when last found or put */
	uint16_t len;	/* of key; 0: an empty slot */
	char key[CAUSE_MEMO_KEY];	/* phase + 1, "REPLY ENHANCED TEXT" */
};

struct cause_memo {
	uint32_t clock;
	size_t misses;	/* lookups that ran the rules (for tests) */
	struct cause_entry e[CAUSE_MEMO_SETS * CAUSE_MEMO_WAYS];
};

void
cause_memo_init(struct pattern_db *db)
{
	db->memo = xcalloc(1, sizeof(*db->memo));
}

size_t
cause_memo_misses(const struct pattern_db *db)
{
	return db->memo ? db->memo->misses : 0;
}

/*
 * The slot of key k (n bytes, hash h) in memo: the one holding it (*hit
 * true), or the one to put it in: the set's least recently used.
 */
static struct cause_entry *
memo_slot(struct cause_memo *memo, const char *k, size_t n, uint64_t h,
    bool *hit)
{
	struct cause_entry *set = &memo->e[(h & (CAUSE_MEMO_SETS - 1)) *
	    CAUSE_MEMO_WAYS], *old = set;

	memo->clock++;
	for (int i = 0; i < CAUSE_MEMO_WAYS; i++) {
		struct cause_entry *e = &set[i];

		if (e->len == n && e->hash == h && memcmp(e->key, k, n) == 0) {
			e->used = memo->clock;
			*hit = true;
			return e;
		}
		if (e->used < old->used)
			old = e;
	}
	*hit = false;
	return old;
}

/* Append v (and a space when more follows and v is not empty). */
static size_t
put_part(char *s, size_t n, size_t cap, const char *v, bool space)
{
	size_t l;

	if (v == NULL || *v == '\0')
		return n;
	l = strlen(v);
	if (l > cap - n)
		l = cap - n;
	memcpy(s + n, v, l);
	n += l;
	if (space && n < cap)
		s[n++] = ' ';
	return n;
}

const char *
pattern_db_cause(const struct pattern_db *db, enum phase phase,
    const char *reply, const char *enhanced, const char *text)
{
	/* the phase, then the text the rules read: all of it (a reply of
	 * several kilobytes may name its reason at the end) */
	char small[1 + 1024], *k = small;
	struct cause_entry *e = NULL;
	const struct cause_rule *r;
	uint64_t h = 0;
	size_t n, cap = 1 + (reply ? strlen(reply) + 1 : 0) +
	    (enhanced ? strlen(enhanced) + 1 : 0) + (text ? strlen(text) : 0);

	if (cap >= sizeof(small))
		k = xmalloc(cap + 1);
	k[0] = (char)(phase + 1);
	n = put_part(k, 1, cap, reply, true);
	n = put_part(k, n, cap, enhanced, true);
	n = put_part(k, n, cap, text, false);
	k[n] = '\0';
	if (db->memo && n <= CAUSE_MEMO_KEY) {
		bool hit;

		h = hash_bytes(k, n);
		e = memo_slot(db->memo, k, n, h, &hit);
		if (hit)
			return e->rule ? e->rule->cause : NULL;
	}
	if (db->memo)
		db->memo->misses++;
	r = cause_find(db, phase, k + 1);
	if (e) {
		e->hash = h;
		e->rule = r;
		e->used = db->memo->clock;
		e->len = (uint16_t)n;
		memcpy(e->key, k, n);
	}
	if (k != small)
		free(k);
	return r ? r->cause : NULL;
}

/* Put c in v (n of cap) unless it is there or NULL. */
static void
add_name(const char ***v, size_t *n, size_t *cap, const char *c)
{
	if (c == NULL)
		return;
	for (size_t j = 0; j < *n; j++)
		if (strcmp((*v)[j], c) == 0)
			return;
	grow_array((void **)v, cap, *n + 1, sizeof(**v));
	(*v)[(*n)++] = c;
}

size_t
pattern_db_cause_names(const struct pattern_db *db, const char ***out)
{
	size_t n = 0, cap = 0;
	const char **v = NULL;

	for (size_t i = 0; i < db->ncauses; i++)
		add_name(&v, &n, &cap, db->causes[i].cause);
	for (int k = 0; k < KIND__COUNT; k++)
		add_name(&v, &n, &cap, db->default_cause[k]);
	add_name(&v, &n, &cap, db->default_else);
	add_name(&v, &n, &cap, cause_last_resort);
	*out = v;
	return n;
}

/* Is name a cause? If not, say so at the pattern's place. */
static void
check_cause(struct yamldoc *l, const char **names, size_t n,
    const struct pattern *p, const char *name)
{
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return;
	suggest_phrase(&b, "cause", name, names, n);
	diag_at(DIAG_ERROR, l->file, p->yline, p->ycol, "pattern '%s': %s "
	    "(no rule of the cause files loaded so far defines it)",
	    p->name, b.s);
	l->errors++;
	buf_release(&b);
}

void
cause_check_patterns(struct yamldoc *l, const struct pattern_db *db,
    const struct pattern *v, size_t n)
{
	const char **names;
	size_t nn = pattern_db_cause_names(db, &names);

	for (size_t i = 0; i < n; i++) {
		const struct pattern *p = &v[i];

		if (p->constv[F_CAUSE])
			check_cause(l, names, nn, p, p->constv[F_CAUSE]);
		for (size_t j = 0; j < p->nmaps[F_CAUSE]; j++)
			check_cause(l, names, nn, p, p->maps[F_CAUSE][j].to);
	}
	free(names);
}

void
cause_rules_release(struct pattern_db *db)
{
	for (size_t i = 0; i < db->ncauses; i++)
		rule_release(&db->causes[i]);
	free(db->causes);
	free(db->memo);
	db->memo = NULL;
	db->causes = NULL;
	db->ncauses = 0;
	for (int k = 0; k < KIND__COUNT; k++) {
		free(db->default_cause[k]);
		db->default_cause[k] = NULL;
	}
	free(db->default_else);
	db->default_else = NULL;
}
