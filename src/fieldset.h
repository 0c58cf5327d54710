/*
 * fieldset - one regex from a head, optional fields in any subset, a tail.
 *
 * Some servers write a fixed head and then fields whose presence depends on
 * configuration (Exim's log_selector: "=> addr R=r T=t H=h [ip] S=n QT=1s
 * DT=0s" or the same without any of R=, S=, QT=, DT=). Writing one regex per
 * combination does not scale, and a regex that skips whatever follows the
 * head recognises a line without reading it. A field set says instead:
 * these are the fields a line of this kind may carry (each a regex for one
 * whole field, with its named groups), and this is what any other field
 * looks like (a KEY=value token, say); the pattern adds the head before
 * them and the tail after them. The fields may come in any order and any
 * subset; an unknown field is read as a token and skipped, so a selector
 * the pattern file does not know never makes a line unrecognised, while
 * free text the tail does not accept still does.
 */
#ifndef SLA_FIELDSET_H
#define SLA_FIELDSET_H

#include <stddef.h>

#include "yamldoc.h"

struct fieldset {
	char *name;
	char *separator;	/* before every field: " " */
	char **known;		/* one regex per field, tried in this order */
	size_t nknown;
	char *other;		/* one field no 'known' regex reads, or NULL */
};

/*
 * The regex that matches head, then any number of fields, then tail:
 *
 *   (?:HEAD)(?>(?:SEP(?:K1|K2|...|OTHER))*)(?:TAIL)
 *
 * The fields are read possessively (no backtracking into them once the
 * tail is tried), so a field regex must not take what the tail needs.
 * Returns a string the caller frees; never NULL (allocation failure is
 * fatal).
 */
char *fieldset_compose(const struct fieldset *, const char *head,
    const char *tail);

/* Free what the set owns and zero it. */
void fieldset_release(struct fieldset *);

/* The field sets of one pattern file. */
struct fieldsets {
	struct fieldset *v;
	size_t n, cap;
};

/*
 * Read a pattern file's 'field-sets' mapping into fs:
 *
 *   field-sets:
 *     NAME: {separator: ' ', known: [REGEX, ...], other: REGEX}
 *
 * Problems are reported through l (FILE:LINE:COL) and counted there.
 */
void fieldsets_load(struct yamldoc *l, yaml_node_t *n, struct fieldsets *fs);
/* The set named name, or NULL (fs may be NULL). */
const struct fieldset *fieldsets_find(const struct fieldsets *fs,
    const char *name);
void fieldsets_release(struct fieldsets *);

/*
 * A pattern's regex: with 'fields: name' its head regex composed with the
 * set name of fs and its tail (fieldset_compose(), a string to free);
 * without it NULL, the head being the whole regex. An unknown set, or a
 * tail without a set, is reported at n through l, and gives NULL.
 */
char *fieldsets_compose(struct yamldoc *l, yaml_node_t *n,
    const struct fieldsets *fs, const char *name, const char *head,
    const char *tail);

#endif
