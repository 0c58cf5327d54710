/*
 * yamldoc - the YAML kit: a YAML file loaded as a libyaml document, and
 * the strict readers of its nodes. The one way the pattern files and
 * codes.yaml are read, with the same diagnostics: FILE:LINE:COLUMN for
 * invalid YAML, "empty WHAT" for no document, and for every node that is
 * not what the schema says (yamldoc_err()).
 *
 * libyaml accepts duplicate keys silently; yamldoc_walk() and
 * yamldoc_take() refuse them, and keys the caller does not list. Booleans
 * are true/yes or false/no in every file (yamldoc_bool()).
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
 * The items of sequence n, *count of them; NULL and reported ("WHAT must
 * be a list") for anything else.
 */
yaml_node_item_t *yamldoc_items(struct yamldoc *, yaml_node_t *n,
    size_t *count, const char *what);
/* How many items sequence n has; 0 for any other node (reports nothing). */
size_t yamldoc_len(const yaml_node_t *n);

/*
 * Mapping m as an array: vals[i] is the value node of keys[i]
 * (NULL-terminated), NULL when m has no such key. Keys not in keys,
 * duplicate keys and keys that are not strings are reported and skipped;
 * each key costs one pass over keys, whatever the size of m. False
 * (reported: "WHAT must be a mapping") when m is not a mapping.
 */
bool yamldoc_take(struct yamldoc *, yaml_node_t *m, const char *const *keys,
    yaml_node_t **vals, const char *what);

/*
 * A list of mappings, such as codes.yaml's "commands": for each item of
 * list that yamldoc_take(keys) accepts, call fn(item, vals) with vals as
 * yamldoc_take() filled them; items it refuses were reported and are
 * skipped. keys has at most YAMLDOC_MAX_KEYS names. "LIST_WHAT must be a
 * list" when list is not one.
 *
 *	static const char *const keys[] = {"code", "meaning", NULL};
 *
 *	yamldoc_for_each_mapping(y, n, "'codes'", keys, "code", one, c);
 *
 * calls one(y, item, vals, c) with vals[0] the node of "code" and
 * vals[1] that of "meaning" (either NULL when the item lacks it).
 */
#define YAMLDOC_MAX_KEYS 16
typedef void (*yamldoc_entry_fn)(struct yamldoc *, yaml_node_t *item,
    yaml_node_t **vals, void *arg);
void yamldoc_for_each_mapping(struct yamldoc *, yaml_node_t *list,
    const char *list_what, const char *const *keys, const char *what,
    yamldoc_entry_fn fn, void *arg);

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
