/*
 * pattern_extend - pattern files that add to a set instead of replacing
 * it ("extends: postfix").
 *
 * A postmaster who teaches the tool one line should not have to copy the
 * whole shipped file (and stop getting its fixes). An extending file
 * holds only new prefixes, patterns and cause rules; they are tried
 * before the set's own, so a site's line wins over a general one, and
 * --check-patterns checks every sample against the merged set: the new
 * ones, and the set's own, which a greedy new pattern would take from
 * their patterns. How the set keys and names its sessions stays the
 * set's: an extending file may not say it.
 *
 * Example: patterns/postfix.yaml has patterns A B C; local/x.yaml says
 * "extends: postfix" with N. The set's patterns become N A B C, and its
 * dispatch groups are built again. A later file "mta: postfix" replaces
 * the whole set, extensions included.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "pattern_int.h"
#include "suggest.h"

void
pattern_db_note(struct pattern_db *db, const char *fmt, ...)
{
	char line[4096 + 256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	db->notes = xrealloc(db->notes, (db->nnotes + 1) * sizeof(char *));
	db->notes[db->nnotes++] = xstrdup(line);
}

size_t
pattern_db_notes(const struct pattern_db *db, const char *const **out)
{
	*out = (const char *const *)db->notes;
	return db->nnotes;
}

struct pattern_set *
pattern_extend_target(struct yamldoc *l, const struct pattern_db *db,
    const char *name, yaml_node_t *n)
{
	const char **names;
	struct buf b = BUF_INIT;

	if (name == NULL || *name == '\0')
		return NULL;
	for (size_t i = 0; i < db->nsets; i++)
		if (strcmp(db->sets[i]->mta, name) == 0)
			return db->sets[i];
	names = xcalloc(db->nsets + 1, sizeof(*names));
	for (size_t i = 0; i < db->nsets; i++)
		names[i] = db->sets[i]->mta;
	suggest_phrase(&b, "pattern set", name, names, db->nsets);
	yamldoc_err(l, n, "extends '%s': no set of that name is shipped or "
	    "loaded before this file: %s", name, b.s);
	buf_release(&b);
	free(names);
	return NULL;
}

void
pattern_extend_keys(struct yamldoc *l, yaml_node_t *root, const char *name)
{
	static const char *const allowed[] = {"extends", "description",
	    "prefixes", "patterns", "causes", "defaults", "stages",
	    "timestamp-format", NULL};

	if (root == NULL || root->type != YAML_MAPPING_NODE)
		return;
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
	    p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = yamldoc_node(l, p->key);
		const char *k = yamldoc_scalar(kn);
		bool ok = false;

		for (size_t i = 0; k && allowed[i]; i++)
			ok |= strcmp(k, allowed[i]) == 0;
		if (k && !ok)
			yamldoc_err(l, kn, "'%s' is not in an extending file: "
			    "how set '%s' keys and names sessions stays its "
			    "own file's (an extending file holds description, "
			    "prefixes, patterns, stages, timestamp-format, causes and "
			    "defaults)", k,
			    name ? name : "");
	}
}

/* Is name already a prefix or pattern of t? Reported at p. */
static void
check_name(struct yamldoc *l, const struct pattern_set *t,
    const struct pattern *p, bool is_prefix)
{
	const struct pattern *v = is_prefix ? t->prefixes : t->patterns;
	size_t n = is_prefix ? t->nprefixes : t->npatterns;

	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].name, p->name) == 0) {
			diag_at(DIAG_ERROR, l->file, p->yline, p->ycol,
			    "%s '%s': set '%s' has one of that name already "
			    "(%s:%zu): an extending file adds, give it a name "
			    "of its own", is_prefix ? "prefix" : "pattern",
			    p->name, t->mta, v[i].file ? v[i].file : t->file,
			    v[i].yline);
			l->errors++;
			return;
		}
}

void
pattern_extend_names(struct yamldoc *l, const struct pattern_set *t,
    const struct pattern_set *add)
{
	for (size_t i = 0; i < add->nprefixes; i++)
		check_name(l, t, &add->prefixes[i], true);
	for (size_t i = 0; i < add->npatterns; i++)
		check_name(l, t, &add->patterns[i], false);
}

/* *v (n) becomes front[0..nf) then the old *v; front's array is freed. */
static void
prepend(struct pattern **v, size_t *n, struct pattern *front, size_t nf)
{
	struct pattern *all;

	if (nf == 0) {
		free(front);
		return;
	}
	all = xcalloc(*n + nf, sizeof(*all));
	memcpy(all, front, nf * sizeof(*all));
	if (*n)
		memcpy(all + nf, *v, *n * sizeof(*all));
	free(*v);
	free(front);
	*v = all;
	*n += nf;
}

/* db->causes[first..ncauses) move to db->causes[nfront..]. */
static size_t
causes_to_front(struct pattern_db *db, size_t first)
{
	size_t n = db->ncauses - first;
	struct cause_rule *tmp;

	if (n == 0)
		return 0;
	tmp = xcalloc(n, sizeof(*tmp));
	memcpy(tmp, db->causes + first, n * sizeof(*tmp));
	memmove(db->causes + db->nfront + n, db->causes + db->nfront,
	    (first - db->nfront) * sizeof(*tmp));
	memcpy(db->causes + db->nfront, tmp, n * sizeof(*tmp));
	db->nfront += n;
	free(tmp);
	return n;
}

static void
free_groups_of(void *val, void *arg)
{
	(void)arg;
	pattern_group_release(val);
	free(val);
}

void
pattern_extend_merge(struct pattern_db *db, struct pattern_set *t,
    struct pattern_set *add, size_t first_cause)
{
	size_t np = add->nprefixes, nq = add->npatterns, nc;
	size_t nw = add->stages.n;
	char *file = add->file;

	t->xfiles = xrealloc(t->xfiles, (t->nxfiles + 1) * sizeof(char *));
	t->xfiles[t->nxfiles++] = file;
	for (size_t i = 0; i < np; i++) {
		add->prefixes[i].set = t;
		add->prefixes[i].file = file;
	}
	for (size_t i = 0; i < nq; i++) {
		add->patterns[i].set = t;
		add->patterns[i].file = file;
	}
	prepend(&t->prefixes, &t->nprefixes, add->prefixes, np);
	prepend(&t->patterns, &t->npatterns, add->patterns, nq);
	/* the dispatch groups hold indexes: build them again */
	if (t->groups) {
		strmap_each(t->groups, free_groups_of, NULL);
		strmap_free(t->groups);
	}
	pattern_group_release(&t->dflt);
	pattern_group_release(&t->all);
	pattern_set_build_groups(t);
	pattern_know_merge(t, add);
	nc = causes_to_front(db, first_cause);
	{
		struct buf b = BUF_INIT;

		if (np)
			buf_addf(&b, ", %zu prefix%s", np, np == 1 ? "" : "es");
		if (nq)
			buf_addf(&b, ", %zu pattern%s", nq, nq == 1 ? "" : "s");
		if (nw)
			buf_addf(&b, ", %zu stage word%s", nw,
			    nw == 1 ? "" : "s");
		if (nc)
			buf_addf(&b, ", %zu cause rule%s", nc,
			    nc == 1 ? "" : "s");
		pattern_db_note(db, "%s: extends %s (%s)", file, t->mta,
		    b.len > 0 ? b.s + 2 : "nothing");
		buf_release(&b);
	}
	/* the shell: its lists moved, its file is t's now */
	add->prefixes = add->patterns = NULL;
	add->nprefixes = add->npatterns = 0;
	add->file = NULL;
	pattern_set_free(add);
}
