/*
 * yamldoc - see yamldoc.h. The node readers were pattern.c's; they are
 * here so that every YAML file is read by the same rules.
 *
 * The file is read through a handler that counts its bytes, so that the
 * size limit holds for whatever the path names (a FIFO, a file that grows
 * while it is read), not only for what stat() said beforehand.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "util.h"
#include "yamldoc.h"

struct source {
	FILE *fp;
	size_t total;
	bool too_big, failed;
};

/* libyaml's read handler: 1 on success (0 bytes at the end), 0 on error. */
static int
read_source(void *data, unsigned char *buf, size_t size, size_t *got)
{
	struct source *src = data;

	*got = fread(buf, 1, size, src->fp);
	src->total += *got;
	if (src->total > YAMLDOC_MAX_BYTES) {
		src->too_big = true;
		return 0;
	}
	if (*got == 0 && ferror(src->fp)) {
		src->failed = true;
		return 0;
	}
	return 1;
}

bool
yamldoc_load(const char *path, const char *what, yaml_document_t *doc,
    yaml_node_t **root)
{
	yaml_parser_t parser;
	struct source src = {0};
	bool ok;

	src.fp = fopen(path, "rb");
	if (src.fp == NULL) {
		diag_error("cannot open '%s': %s", path, strerror(errno));
		return false;
	}
	if (!yaml_parser_initialize(&parser)) {
		diag_error("cannot read '%s': out of memory", path);
		fclose(src.fp);
		return false;
	}
	yaml_parser_set_input(&parser, read_source, &src);
	ok = yaml_parser_load(&parser, doc);
	if (!ok && src.too_big)
		diag_at(DIAG_ERROR, path, 0, 0, "%s larger than %u MiB: "
		    "refused", what, YAMLDOC_MAX_BYTES / (1024 * 1024));
	else if (!ok && src.failed)
		diag_at(DIAG_ERROR, path, 0, 0, "read error: %s",
		    strerror(errno));
	else if (!ok)
		diag_at(DIAG_ERROR, path, parser.problem_mark.line + 1,
		    parser.problem_mark.column + 1, "invalid YAML: %s%s%s",
		    parser.problem ? parser.problem : "syntax error",
		    parser.context ? " " : "",
		    parser.context ? parser.context : "");
	yaml_parser_delete(&parser);
	fclose(src.fp);
	if (!ok)
		return false;
	*root = yaml_document_get_root_node(doc);
	if (*root == NULL) {
		diag_at(DIAG_ERROR, path, 0, 0, "empty %s", what);
		yaml_document_delete(doc);
		return false;
	}
	return true;
}

void
yamldoc_err(struct yamldoc *l, const yaml_node_t *n, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	l->errors++;
	if (l->subject)
		diag_at(DIAG_ERROR, l->file, n ? n->start_mark.line + 1 : 0,
		    n ? n->start_mark.column + 1 : 0, "%s '%s': %s",
		    l->subject_kind, l->subject, msg);
	else
		diag_at(DIAG_ERROR, l->file, n ? n->start_mark.line + 1 : 0,
		    n ? n->start_mark.column + 1 : 0, "%s", msg);
}

const char *
yamldoc_scalar(const yaml_node_t *n)
{
	if (n == NULL || n->type != YAML_SCALAR_NODE)
		return NULL;
	return (const char *)n->data.scalar.value;
}

yaml_node_t *
yamldoc_node(struct yamldoc *l, int id)
{
	return yaml_document_get_node(&l->doc, id);
}

bool
yamldoc_walk(struct yamldoc *l, yaml_node_t *m, const char *const *allowed,
    const char *what, yamldoc_pair_fn fn, void *arg)
{
	yaml_node_pair_t *p;

	if (m == NULL || m->type != YAML_MAPPING_NODE) {
		yamldoc_err(l, m, "%s must be a mapping", what);
		return false;
	}
	for (p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top;
	    p++) {
		yaml_node_t *kn = yamldoc_node(l, p->key),
			    *vn = yamldoc_node(l, p->value);
		const char *k = yamldoc_scalar(kn);
		bool known = false;

		if (k == NULL) {
			yamldoc_err(l, kn, "%s: keys must be plain strings",
			    what);
			continue;
		}
		for (yaml_node_pair_t *q = m->data.mapping.pairs.start; q < p;
		    q++) {
			const char *k2 =
			    yamldoc_scalar(yamldoc_node(l, q->key));

			if (k2 && strcmp(k, k2) == 0) {
				yamldoc_err(l, kn, "duplicate key '%s' in %s",
				    k, what);
				known = true; /* reported; skip */
				break;
			}
		}
		if (known)
			continue;
		if (allowed) {
			for (size_t i = 0; allowed[i]; i++)
				if (strcmp(allowed[i], k) == 0)
					known = true;
			if (!known) {
				yamldoc_err(l, kn, "unknown key '%s' in %s", k,
				    what);
				continue;
			}
		}
		fn(l, k, kn, vn, arg);
	}
	return true;
}

yaml_node_item_t *
yamldoc_items(struct yamldoc *l, yaml_node_t *n, size_t *count,
    const char *what)
{
	*count = yamldoc_len(n);
	if (n == NULL || n->type != YAML_SEQUENCE_NODE) {
		yamldoc_err(l, n, "%s must be a list", what);
		return NULL;
	}
	return n->data.sequence.items.start;
}

size_t
yamldoc_len(const yaml_node_t *n)
{
	if (n == NULL || n->type != YAML_SEQUENCE_NODE)
		return 0;
	return (size_t)(n->data.sequence.items.top -
	    n->data.sequence.items.start);
}

bool
yamldoc_take(struct yamldoc *l, yaml_node_t *m, const char *const *keys,
    yaml_node_t **vals, const char *what)
{
	size_t nkeys = 0;

	while (keys[nkeys])
		nkeys++;
	memset(vals, 0, nkeys * sizeof(*vals));
	if (m == NULL || m->type != YAML_MAPPING_NODE) {
		yamldoc_err(l, m, "%s must be a mapping", what);
		return false;
	}
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start;
	    p < m->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = yamldoc_node(l, p->key);
		const char *k = yamldoc_scalar(kn);
		size_t i;

		if (k == NULL) {
			yamldoc_err(l, kn, "%s: keys must be plain strings",
			    what);
			continue;
		}
		for (i = 0; i < nkeys; i++)
			if (strcmp(keys[i], k) == 0)
				break;
		if (i == nkeys) {
			yamldoc_err(l, kn, "unknown key '%s' in %s", k, what);
			continue;
		}
		if (vals[i] != NULL) {
			yamldoc_err(l, kn, "duplicate key '%s' in %s", k,
			    what);
			continue;
		}
		vals[i] = yamldoc_node(l, p->value);
	}
	return true;
}

void
yamldoc_for_each_mapping(struct yamldoc *l, yaml_node_t *list,
    const char *list_what, const char *const *keys, const char *what,
    yamldoc_entry_fn fn, void *arg)
{
	yaml_node_t *vals[YAMLDOC_MAX_KEYS];
	yaml_node_item_t *it;
	size_t n, nkeys = 0;

	while (keys[nkeys])
		nkeys++;
	if (nkeys > YAMLDOC_MAX_KEYS)
		diag_fatal("internal error: %zu keys for %s, past %d", nkeys,
		    what, YAMLDOC_MAX_KEYS);
	it = yamldoc_items(l, list, &n, list_what);
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *item = yamldoc_node(l, it[i]);

		if (yamldoc_take(l, item, keys, vals, what))
			fn(l, item, vals, arg);
	}
}

char **
yamldoc_strings(struct yamldoc *l, yaml_node_t *n, size_t *count,
		const char *what)
{
	char **v;
	size_t i = 0;

	*count = 0;
	if (yamldoc_scalar(n)) {
		v = xcalloc(1, sizeof(char *));
		v[0] = xstrdup(yamldoc_scalar(n));
		*count = 1;
		return v;
	}
	if (n == NULL || n->type != YAML_SEQUENCE_NODE) {
		yamldoc_err(l, n, "%s must be a string or a list of strings",
		    what);
		return NULL;
	}
	v = xcalloc((size_t)(n->data.sequence.items.top -
	    n->data.sequence.items.start) + 1, sizeof(char *));
	for (yaml_node_item_t *it = n->data.sequence.items.start;
	    it < n->data.sequence.items.top; it++) {
		const char *s = yamldoc_scalar(yamldoc_node(l, *it));

		if (s == NULL) {
			yamldoc_err(l, yamldoc_node(l, *it),
			    "%s must hold strings", what);
			continue;
		}
		v[i++] = xstrdup(s);
	}
	*count = i;
	return v;
}

bool
yamldoc_bool(struct yamldoc *l, yaml_node_t *vn, const char *k)
{
	const char *v = yamldoc_scalar(vn);

	if (v && (strcmp(v, "true") == 0 || strcmp(v, "yes") == 0))
		return true;
	if (v && (strcmp(v, "false") == 0 || strcmp(v, "no") == 0))
		return false;
	yamldoc_err(l, vn, "'%s' must be true or false", k);
	return false;
}

const char *
yamldoc_get(struct yamldoc *l, yaml_node_t *m, const char *key,
    yaml_node_t **out)
{
	if (m == NULL || m->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start;
	    p < m->data.mapping.pairs.top; p++) {
		const char *k = yamldoc_scalar(yamldoc_node(l, p->key));

		if (k && strcmp(k, key) == 0) {
			if (out)
				*out = yamldoc_node(l, p->value);
			return yamldoc_scalar(yamldoc_node(l, p->value));
		}
	}
	return NULL;
}
