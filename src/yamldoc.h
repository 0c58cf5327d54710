/*
 * yamldoc - the YAML kit: a YAML file loaded as a libyaml document, and
 * the strict readers of its nodes. The one way the pattern files and
 * codes.yaml are read, with the same diagnostics: FILE:LINE:COLUMN for
 * invalid YAML, "empty WHAT" for no document, and for every node that is
 * not what the schema says (yamldoc_err()).
 *
 * libyaml accepts duplicate keys silently; yamldoc_walk() refuses them,
 * and keys the caller does not list.
 */
#ifndef SLA_YAMLDOC_H
#define SLA_YAMLDOC_H

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

/* A document being read, and the problems found in it so far. */
struct yamldoc {
	const char *file;
	yaml_document_t doc;
	unsigned errors;
	/* While set, messages start "SUBJECT_KIND 'SUBJECT': ", e.g.
	   "pattern 'smtpd-reject': " */
	const char *subject_kind, *subject;
};

/*
 * The largest file loaded: the shipped ones are below 64 KiB, and libyaml
 * holds about 16 bytes per byte read, so that a 100 MB file would take
 * 1.6 GB before any check of its content could refuse it.
 */
#define YAMLDOC_MAX_BYTES (4u * 1024 * 1024)

/*
 * Load path into *doc and set *root; a file past YAMLDOC_MAX_BYTES is
 * refused ("WHAT larger than 4 MiB"). On false the problem was reported
 * and nothing is left to free; on true the caller deletes *doc.
 */
bool yamldoc_load(const char *path, const char *what, yaml_document_t *doc,
    yaml_node_t **root);

/*
 * Report a problem at node n (NULL: the file) as FILE:LINE:COL and count
 * it in y->errors.
 */
void yamldoc_err(struct yamldoc *y, const yaml_node_t *n, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

/* The node of an id, or NULL. */
yaml_node_t *yamldoc_node(struct yamldoc *, int id);

/* A scalar node's text; NULL for any other node and for NULL. */
const char *yamldoc_scalar(const yaml_node_t *);

/*
 * Walk mapping m: for each pair call fn(key, key node, value node).
 * Duplicate keys and keys not in allowed (NULL-terminated; NULL: any)
 * are reported and skipped. False (reported) when m is not a mapping;
 * what names it in messages.
 */
typedef void (*yamldoc_pair_fn)(struct yamldoc *, const char *key,
    yaml_node_t *kn, yaml_node_t *vn, void *arg);
bool yamldoc_walk(struct yamldoc *, yaml_node_t *m,
    const char *const *allowed, const char *what, yamldoc_pair_fn fn,
    void *arg);

/*
 * A string or a list of strings, as a malloc'd array of *count malloc'd
 * strings (NULL-terminated). Items that are not strings are reported.
 */
char **yamldoc_strings(struct yamldoc *, yaml_node_t *n, size_t *count,
    const char *what);

/* The scalar value of key in mapping m (and its node in *out when not
 * NULL), or NULL; reports nothing. */
const char *yamldoc_get(struct yamldoc *, yaml_node_t *m, const char *key,
    yaml_node_t **out);

/* true/yes or false/no; anything else is reported (as false). */
bool yamldoc_bool(struct yamldoc *, yaml_node_t *n, const char *what);

#endif
