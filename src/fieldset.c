/*
 * fieldset - compose one regex from a head, a field set and a tail.
 *
 * Why a composed regex and not a second matching pass over the fields:
 * PCRE2 keeps what a named group captured in an earlier turn of a repeated
 * group, so "(?: (?:S=(?<size>\d+)|T=\S+|KEY=value))*" reads every field
 * with the captures where the engine expects them, in one JIT-compiled
 * match, and the loader, the sample checks and the matcher treat the
 * result as any other pattern's regex. See fieldset.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fieldset.h"
#include "util.h"
#include "yamldoc.h"

/* Copy s to out, which has room for it; return the end. */
static char *
put(char *out, const char *s)
{
	size_t n = strlen(s);

	memcpy(out, s, n);
	return out + n;
}

char *
fieldset_compose(const struct fieldset *fs, const char *head,
    const char *tail)
{
	const char *sep = fs->separator ? fs->separator : " ";
	size_t n = strlen(head) + strlen(tail) + strlen(sep) + 64;
	char *rx, *p;

	for (size_t i = 0; i < fs->nknown; i++)
		n += strlen(fs->known[i]) + 8;
	if (fs->other)
		n += strlen(fs->other) + 8;
	rx = xmalloc(n);
	p = put(rx, "(?:");
	p = put(p, head);
	p = put(p, ")(?>(?:");
	p = put(p, sep);
	p = put(p, "(?:");
	for (size_t i = 0; i < fs->nknown; i++) {
		if (i > 0)
			p = put(p, "|");
		p = put(p, "(?:");
		p = put(p, fs->known[i]);
		p = put(p, ")");
	}
	if (fs->other) {
		if (fs->nknown > 0)
			p = put(p, "|");
		p = put(p, "(?:");
		p = put(p, fs->other);
		p = put(p, ")");
	}
	p = put(p, "))*)(?:");
	p = put(p, tail);
	p = put(p, ")");
	*p = '\0';
	return rx;
}

void
fieldset_release(struct fieldset *fs)
{
	free(fs->name);
	free(fs->separator);
	for (size_t i = 0; i < fs->nknown; i++)
		free(fs->known[i]);
	free(fs->known);
	free(fs->other);
	memset(fs, 0, sizeof(*fs));
}

static void
fieldset_pair(struct yamldoc *l, const char *k, yaml_node_t *kn,
    yaml_node_t *vn, void *arg)
{
	struct fieldset *f = arg;
	const char *v = yamldoc_scalar(vn);

	(void)kn;
	if (strcmp(k, "known") == 0) {
		f->known = yamldoc_strings(l, vn, &f->nknown, "known");
	} else if (v == NULL) {
		yamldoc_err(l, vn, "%s must be a string", k);
	} else if (strcmp(k, "separator") == 0) {
		f->separator = xstrdup(v);
	} else {
		f->other = xstrdup(v);
	}
}

static void
fieldsets_pair(struct yamldoc *l, const char *k, yaml_node_t *kn,
    yaml_node_t *vn, void *arg)
{
	static const char *const keys[] = {"separator", "known", "other",
	    NULL};
	struct fieldsets *fs = arg;
	struct fieldset *f;

	(void)kn;
	grow_array((void **)&fs->v, &fs->cap, fs->n + 1, sizeof(*fs->v));
	f = &fs->v[fs->n++];
	memset(f, 0, sizeof(*f));
	f->name = xstrdup(k);
	yamldoc_walk(l, vn, keys, "field set", fieldset_pair, f);
	if (f->nknown == 0 && f->other == NULL)
		yamldoc_err(l, vn, "field set '%s' has neither 'known' nor "
		    "'other'", k);
}

void
fieldsets_load(struct yamldoc *l, yaml_node_t *n, struct fieldsets *fs)
{
	yamldoc_walk(l, n, NULL, "field-sets", fieldsets_pair, fs);
}

const struct fieldset *
fieldsets_find(const struct fieldsets *fs, const char *name)
{
	for (size_t i = 0; fs != NULL && i < fs->n; i++)
		if (strcmp(fs->v[i].name, name) == 0)
			return &fs->v[i];
	return NULL;
}

void
fieldsets_release(struct fieldsets *fs)
{
	for (size_t i = 0; i < fs->n; i++)
		fieldset_release(&fs->v[i]);
	free(fs->v);
	memset(fs, 0, sizeof(*fs));
}

char *
fieldsets_compose(struct yamldoc *l, yaml_node_t *n,
    const struct fieldsets *fs, const char *name, const char *head,
    const char *tail)
{
	const struct fieldset *f;

	if (name == NULL) {
		if (tail)
			yamldoc_err(l, n, "'tail' without 'fields'");
		return NULL;
	}
	if ((f = fieldsets_find(fs, name)) != NULL)
		return fieldset_compose(f, head, tail ? tail : "");
	yamldoc_err(l, n, "fields: no field set '%s' in 'field-sets'", name);
	return NULL;
}
