/*
 * codes_load - patterns/codes.yaml to a struct codes (codes.h); the file
 * format is documented in patterns/README.md.
 *
 * The file is read with libyaml's document API, like the pattern files:
 * it is small, and every node carries its position, so each complaint
 * names FILE:LINE:COLUMN. libyaml accepts duplicate keys silently; the
 * loader refuses them itself, and duplicate codes too.
 *
 * The fallback meanings for codes the file does not list are built once,
 * after loading, from the class, category and subject names, so that
 * every lookup returns a string owned by the struct codes and no call
 * allocates.
 */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "codes.h"
#include "codes_int.h"
#include "diag.h"
#include "session.h"
#include "util.h"
#include "yamldoc.h"

static const char *const list_keys[L__COUNT] = {
	"success", "intermediate", "error", "common",
};
/* Cause names as in causes.yaml: lower-case words joined by '-'. */
static bool
cause_name_ok(const char *s)
{
	if (!islower((unsigned char)*s))
		return false;
	for (; *s; s++)
		if (!islower((unsigned char)*s) &&
		    !isdigit((unsigned char)*s) && *s != '-')
			return false;
	return true;
}

/* Command names: upper-case letters and '-', or "*" or ".". */
static bool
command_name_ok(const char *s)
{
	if (strcmp(s, "*") == 0 || strcmp(s, ".") == 0)
		return true;
	if (!isupper((unsigned char)*s))
		return false;
	for (; *s; s++)
		if (!isupper((unsigned char)*s) && *s != '-')
			return false;
	return true;
}

/* --- YAML helpers --------------------------------------------------------- */

struct ldr {
	const char *file;
	yaml_document_t doc;
	unsigned errors;
	struct codes *c;
};

static void lerr(struct ldr *, const yaml_node_t *, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static void
lerr(struct ldr *l, const yaml_node_t *n, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	l->errors++;
	diag_at(DIAG_ERROR, l->file, n ? n->start_mark.line + 1 : 0,
	    n ? n->start_mark.column + 1 : 0, "%s", msg);
}

static yaml_node_t *
node(struct ldr *l, int id)
{
	return yaml_document_get_node(&l->doc, id);
}

static const char *
scalar(const yaml_node_t *n)
{
	if (n == NULL || n->type != YAML_SCALAR_NODE)
		return NULL;
	return (const char *)n->data.scalar.value;
}

static size_t
line_of(const yaml_node_t *n)
{
	return n ? n->start_mark.line + 1 : 0;
}

/*
 * A copy of a scalar with trailing white space (from '>' or '|') cut;
 * parent is the entry, for the position of a missing key.
 */
static char *
text_dup(struct ldr *l, yaml_node_t *n, yaml_node_t *parent,
    const char *what)
{
	const char *s = scalar(n);
	size_t len;

	if (n == NULL) {
		lerr(l, parent, "missing %s", what);
		return NULL;
	}
	if (s == NULL || *s == '\0') {
		lerr(l, n, "%s must be a non-empty string", what);
		return NULL;
	}
	len = strlen(s);
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	return xstrndup(s, len);
}

/*
 * Fill vals[i] with the value node of keys[i]; refuse keys not in keys,
 * duplicate keys and non-scalar keys. False when m is not a mapping.
 */
static bool
take_mapping(struct ldr *l, yaml_node_t *m, const char *const *keys,
    yaml_node_t **vals, const char *what)
{
	size_t nkeys = 0;

	while (keys[nkeys])
		nkeys++;
	memset(vals, 0, nkeys * sizeof(*vals));
	if (m == NULL || m->type != YAML_MAPPING_NODE) {
		lerr(l, m, "%s must be a mapping", what);
		return false;
	}
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start;
	    p < m->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = node(l, p->key);
		const char *k = scalar(kn);
		size_t i;

		if (k == NULL) {
			lerr(l, kn, "%s: keys must be plain strings", what);
			continue;
		}
		for (i = 0; i < nkeys; i++)
			if (strcmp(keys[i], k) == 0)
				break;
		if (i == nkeys) {
			lerr(l, kn, "unknown key '%s' in %s", k, what);
			continue;
		}
		if (vals[i] != NULL) {
			lerr(l, kn, "duplicate key '%s' in %s", k, what);
			continue;
		}
		vals[i] = node(l, p->value);
	}
	return true;
}

/* The items of a sequence node; NULL (and an error) for anything else. */
static yaml_node_item_t *
items(struct ldr *l, yaml_node_t *n, size_t *count, const char *what)
{
	if (n == NULL || n->type != YAML_SEQUENCE_NODE) {
		lerr(l, n, "%s must be a list", what);
		*count = 0;
		return NULL;
	}
	*count = (size_t)(n->data.sequence.items.top -
	    n->data.sequence.items.start);
	return n->data.sequence.items.start;
}

static bool
bool_value(struct ldr *l, yaml_node_t *n, const char *what)
{
	const char *s = scalar(n);

	if (s && strcmp(s, "true") == 0)
		return true;
	if (s && strcmp(s, "false") == 0)
		return false;
	lerr(l, n, "%s must be true or false", what);
	return false;
}

/* --- loading -------------------------------------------------------------- */

/* usual: {phase: [cause, ...], ...} */
static struct usual *
load_usual(struct ldr *l, yaml_node_t *m, size_t *count)
{
	struct usual *u;
	size_t n = 0;

	*count = 0;
	if (m == NULL)
		return NULL;
	if (m->type != YAML_MAPPING_NODE) {
		lerr(l, m, "'usual' must map phases to lists of causes");
		return NULL;
	}
	u = xcalloc((size_t)(m->data.mapping.pairs.top -
	    m->data.mapping.pairs.start) + 1, sizeof(*u));
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start;
	    p < m->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = node(l, p->key), *vn = node(l, p->value);
		const char *k = scalar(kn);
		yaml_node_item_t *it;
		size_t ni;
		int ph = k ? phase_by_name(k, strlen(k)) : -1;

		if (ph < 0) {
			lerr(l, kn, "unknown phase '%s' in 'usual'",
			    k ? k : "?");
			continue;
		}
		for (size_t i = 0; i < n; i++)
			if (u[i].phase == ph) {
				lerr(l, kn, "duplicate key '%s' in 'usual'",
				    k);
				ph = -1;
			}
		if (ph < 0)
			continue;
		it = items(l, vn, &ni, "the causes in 'usual'");
		u[n].phase = ph;
		u[n].causes = xcalloc(ni + 1, sizeof(char *));
		for (size_t i = 0; i < ni; i++) {
			yaml_node_t *cn = node(l, it[i]);
			const char *cs = scalar(cn);

			if (cs == NULL || !cause_name_ok(cs)) {
				lerr(l, cn, "malformed cause name '%s'",
				    cs ? cs : "?");
				continue;
			}
			u[n].causes[u[n].ncauses++] = xstrdup(cs);
		}
		n++;
	}
	*count = n;
	return u;
}

static void
free_usual(struct usual *u, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < u[i].ncauses; j++)
			free(u[i].causes[j]);
		free(u[i].causes);
	}
	free(u);
}

/* classes/categories/subjects: [{digit: N, name: ..., meaning: ...}] */
static void
load_digits(struct ldr *l, yaml_node_t *n, struct digit *tab, int max,
    const char *allowed, const char *what)
{
	static const char *const keys[] = {"digit", "name", "meaning", NULL};
	yaml_node_item_t *it;
	size_t ni;

	it = items(l, n, &ni, what);
	for (size_t i = 0; i < ni; i++) {
		yaml_node_t *en = node(l, it[i]), *v[3];
		const char *ds;
		int d;

		if (!take_mapping(l, en, keys, v, what))
			continue;
		ds = scalar(v[0]);
		d = ds ? codes_parse_num(ds, strlen(ds), 3) : -1;
		if (d < 0 || d > max ||
		    (allowed && (d > 9 || strchr(allowed, '0' + d) == NULL))) {
			lerr(l, v[0] ? v[0] : en, "%s: bad or missing "
			    "'digit' '%s'", what, ds ? ds : "");
			continue;
		}
		if (tab[d].line) {
			lerr(l, v[0], "%s: duplicate digit %d (first at "
			    "line %zu)", what, d, tab[d].line);
			continue;
		}
		tab[d].name = text_dup(l, v[1], en, "'name'");
		tab[d].meaning = text_dup(l, v[2], en, "'meaning'");
		tab[d].line = line_of(en);
	}
}

static void
require_digits(struct ldr *l, yaml_node_t *n, const struct digit *tab,
    const char *need, const char *what)
{
	for (const char *d = need; *d; d++)
		if (tab[*d - '0'].line == 0)
			lerr(l, n, "%s: no entry for digit %c", what, *d);
}

static void
load_replies(struct ldr *l, yaml_node_t *n)
{
	static const char *const keys[] = {"code", "meaning", "ref",
	    "vendor", "usual", NULL};
	yaml_node_item_t *it;
	size_t ni;

	it = items(l, n, &ni, "'reply: codes'");
	for (size_t i = 0; i < ni; i++) {
		yaml_node_t *en = node(l, it[i]), *v[5];
		const char *cs;
		struct reply *r;
		int code;

		if (!take_mapping(l, en, keys, v, "reply code"))
			continue;
		cs = scalar(v[0]);
		if (cs == NULL) {
			lerr(l, en, "reply code without 'code'");
			continue;
		}
		code = codes_reply_num(cs);
		if (code < 100 || code > 599) {
			lerr(l, v[0], "malformed reply code '%s' (three "
			    "digits, the first 1-5)", cs);
			continue;
		}
		if (l->c->reply[code]) {
			lerr(l, v[0], "duplicate reply code '%s' (first at "
			    "line %zu)", cs, l->c->reply[code]->line);
			continue;
		}
		r = xcalloc(1, sizeof(*r));
		r->code = code;
		r->line = line_of(en);
		r->meaning = text_dup(l, v[1], en, "'meaning'");
		r->ref = v[2] ? text_dup(l, v[2], en, "'ref'") : NULL;
		r->vendor = v[3] ? bool_value(l, v[3], "'vendor'") : false;
		r->usual = load_usual(l, v[4], &r->nusual);
		if (code < 200 && !r->vendor)
			lerr(l, v[0], "reply code '%s' is not an RFC code "
			    "(first digit 2-5); mark it 'vendor: true'", cs);
		l->c->reply[code] = r;
	}
}

static void
load_details(struct ldr *l, yaml_node_t *n)
{
	static const char *const keys[] = {"code", "meaning", "classes",
	    "ref", "usual", NULL};
	struct codes *c = l->c;
	yaml_node_item_t *it;
	size_t ni;

	it = items(l, n, &ni, "'enhanced: details'");
	c->details = xcalloc(ni + 1, sizeof(*c->details));
	for (size_t i = 0; i < ni; i++) {
		yaml_node_t *en = node(l, it[i]), *v[5];
		struct detail *d = &c->details[c->ndetails];
		const char *cs;
		char buf[16];
		int cls, subj, det;
		yaml_node_item_t *ci;
		size_t nc;

		if (!take_mapping(l, en, keys, v, "enhanced code"))
			continue;
		cs = scalar(v[0]);
		if (cs == NULL) {
			lerr(l, en, "enhanced code without 'code'");
			continue;
		}
		/* "X.1.1": check it as "2.1.1" (cs + 1 only past an 'X': an
		 * empty code was read past its end, found by fuzz_codes) */
		if (cs[0] == 'X')
			snprintf(buf, sizeof(buf), "2%s", cs + 1);
		if (cs[0] != 'X' || strlen(cs) >= sizeof(buf) - 1 ||
		    !codes_enh_split(buf, &cls, &subj, &det)) {
			lerr(l, v[0], "malformed enhanced code '%s' "
			    "(X.SUBJECT.DETAIL, 1-3 digits each)", cs);
			continue;
		}
		for (size_t j = 0; j < c->ndetails; j++)
			if (c->details[j].subject == subj &&
			    c->details[j].detail == det) {
				lerr(l, v[0], "duplicate enhanced code '%s' "
				    "(first at line %zu)", cs,
				    c->details[j].line);
				subj = -1;
				break;
			}
		if (subj < 0)
			continue;
		memset(d, 0, sizeof(*d));
		d->subject = subj;
		d->detail = det;
		d->line = line_of(en);
		d->meaning = text_dup(l, v[1], en, "'meaning'");
		d->ref = v[3] ? text_dup(l, v[3], en, "'ref'") : NULL;
		d->usual = load_usual(l, v[4], &d->nusual);
		ci = v[2] ? items(l, v[2], &nc, "'classes'") : NULL;
		if (v[2] == NULL)
			lerr(l, en, "enhanced code '%s' without 'classes'",
			    cs);
		for (size_t j = 0; ci && j < nc; j++) {
			yaml_node_t *kn = node(l, ci[j]);
			const char *k = scalar(kn);
			int k1 = k ? codes_parse_num(k, strlen(k), 1) : -1;

			if (!codes_enh_class_ok(k1))
				lerr(l, kn, "bad class '%s' (2, 4 or 5)",
				    k ? k : "?");
			else
				d->classes |= 1u << k1;
		}
		c->ndetails++;
	}
}

static int *
code_list(struct ldr *l, yaml_node_t *n, size_t *count, const char *cmd,
    const char *what)
{
	yaml_node_item_t *it;
	size_t ni;
	int *v;

	*count = 0;
	if (n == NULL)
		return NULL;
	it = items(l, n, &ni, what);
	v = xcalloc(ni + 1, sizeof(int));
	for (size_t i = 0; i < ni; i++) {
		yaml_node_t *cn = node(l, it[i]);
		const char *s = scalar(cn);
		int code = codes_reply_num(s);

		if (code < 0 || l->c->reply[code] == NULL) {
			lerr(l, cn, "command '%s': reply code '%s' is not "
			    "defined under 'reply: codes'", cmd, s ? s : "?");
			continue;
		}
		v[(*count)++] = code;
	}
	return v;
}

static bool
name_taken(struct ldr *l, yaml_node_t *n, const char *name)
{
	if (codes_find_command(l->c, name, strlen(name)) == NULL)
		return false;
	lerr(l, n, "duplicate command '%s'", name);
	return true;
}

static void
load_commands(struct ldr *l, yaml_node_t *n)
{
	static const char *const keys[] = {"command", "aliases", "phase",
	    "success", "intermediate", "error", "common", "ref", NULL};
	struct codes *c = l->c;
	yaml_node_item_t *it;
	size_t ni;

	it = items(l, n, &ni, "'commands'");
	c->cmds = xcalloc(ni + 1, sizeof(*c->cmds));
	for (size_t i = 0; i < ni; i++) {
		yaml_node_t *en = node(l, it[i]), *v[8];
		struct command *k = &c->cmds[c->ncmds];
		const char *name, *ph;

		if (!take_mapping(l, en, keys, v, "command"))
			continue;
		name = scalar(v[0]);
		if (name == NULL || !command_name_ok(name)) {
			lerr(l, v[0] ? v[0] : en, "malformed command name "
			    "'%s' (upper case, or \"*\")", name ? name : "");
			continue;
		}
		if (name_taken(l, v[0], name))
			continue;
		memset(k, 0, sizeof(*k));
		k->name = xstrdup(name);
		k->line = line_of(en);
		k->phase = -1;
		if ((ph = scalar(v[2])) != NULL &&
		    (k->phase = phase_by_name(ph, strlen(ph))) < 0)
			lerr(l, v[2], "unknown phase '%s'", ph);
		else if (v[2] && ph == NULL)
			lerr(l, v[2], "'phase' must be a string");
		for (int j = 0; j < L__COUNT; j++) {
			char what[64];

			snprintf(what, sizeof(what), "'%s'", list_keys[j]);
			k->codes[j] = code_list(l, v[3 + j], &k->ncodes[j],
			    name, what);
		}
		k->ref = v[7] ? text_dup(l, v[7], en, "'ref'") : NULL;
		c->ncmds++;	/* aliases are checked against the rest */
		if (v[1]) {
			yaml_node_item_t *ai;
			size_t na;

			ai = items(l, v[1], &na, "'aliases'");
			k->aliases = xcalloc(na + 1, sizeof(char *));
			for (size_t j = 0; j < na; j++) {
				yaml_node_t *an = node(l, ai[j]);
				const char *a = scalar(an);

				if (a == NULL || !command_name_ok(a)) {
					lerr(l, an, "malformed command name "
					    "'%s'", a ? a : "?");
					continue;
				}
				if (name_taken(l, an, a))
					continue;
				k->aliases[k->naliases++] = xstrdup(a);
			}
		}
	}
}

static void
load_hints(struct ldr *l, yaml_node_t *n)
{
	static const char *const keys[] = {"phase", "cause", "hint", "mta",
	    NULL};
	struct codes *c = l->c;
	yaml_node_item_t *it;
	size_t ni;

	it = items(l, n, &ni, "'hints'");
	c->hints = xcalloc(ni + 1, sizeof(*c->hints));
	for (size_t i = 0; i < ni; i++) {
		yaml_node_t *en = node(l, it[i]), *v[4];
		struct hint *h = &c->hints[c->nhints];
		const char *ph, *cs, *mta;
		bool bad = false;

		if (!take_mapping(l, en, keys, v, "hint"))
			continue;
		ph = scalar(v[0]);
		cs = scalar(v[1]);
		mta = scalar(v[3]);
		if (v[3] && (mta == NULL || *mta == '\0')) {
			lerr(l, v[3], "mta must name a pattern set");
			bad = true;
		}
		memset(h, 0, sizeof(*h));
		h->phase = -1;
		if (v[0] && (ph == NULL ||
		    (h->phase = phase_by_name(ph, strlen(ph))) < 0)) {
			lerr(l, v[0], "unknown phase '%s'", ph ? ph : "?");
			bad = true;
		}
		if (v[1] && (cs == NULL || !cause_name_ok(cs))) {
			lerr(l, v[1], "malformed cause name '%s'",
			    cs ? cs : "?");
			bad = true;
		}
		if (v[0] == NULL && v[1] == NULL) {
			lerr(l, en, "a hint needs 'phase', 'cause' or both");
			bad = true;
		}
		if (v[2] == NULL) {
			lerr(l, en, "a hint needs 'hint'");
			bad = true;
		}
		if (bad)
			continue;
		for (size_t j = 0; j < c->nhints; j++)
			if (c->hints[j].phase == h->phase &&
			    ((cs == NULL && c->hints[j].cause == NULL) ||
			    (cs && c->hints[j].cause &&
			    strcmp(cs, c->hints[j].cause) == 0)) &&
			    ((mta == NULL && c->hints[j].mta == NULL) ||
			    (mta && c->hints[j].mta &&
			    strcmp(mta, c->hints[j].mta) == 0))) {
				lerr(l, en, "duplicate hint for phase '%s', "
				    "cause '%s' and mta '%s' (first at line "
				    "%zu)", ph ? ph : "*", cs ? cs : "*",
				    mta ? mta : "*", c->hints[j].line);
				bad = true;
				break;
			}
		if (bad)
			continue;
		h->cause = cs ? xstrdup(cs) : NULL;
		h->mta = mta ? xstrdup(mta) : NULL;
		h->text = text_dup(l, v[2], en, "'hint'");
		h->line = line_of(en);
		c->nhints++;
	}
}

static char *
xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *
xasprintf(const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;
	char tmp[512];

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	buf_add(&b, tmp, strlen(tmp));
	return b.s;
}

/* The meanings of codes the file does not list, from their digits. */
static void
build_fallbacks(struct codes *c)
{
	for (int k = 2; k <= 5; k++)
		for (int m = 0; m <= 9; m++)
			c->rfall[k][m] = xasprintf("%s, %s (code not in the "
			    "table)", c->rclass[k].name, m <= 5 ?
			    c->rcat[m].name : "unknown category");
	for (int k = 2; k <= 5; k++) {
		if (!codes_enh_class_ok(k))
			continue;
		c->efall_c[k] = xasprintf("%s (subject not registered)",
		    c->eclass[k].name);
		for (int s = 0; s < 8; s++)
			c->efall_cs[k][s] = xasprintf("%s; %s (detail not "
			    "registered)", c->eclass[k].name,
			    c->esubj[s].name);
	}
}

struct codes *
codes_load(const char *path)
{
	static const char *const top[] = {"reply", "enhanced", "commands",
	    "hints", NULL};
	static const char *const rkeys[] = {"classes", "categories", "codes",
	    NULL};
	static const char *const ekeys[] = {"classes", "subjects", "details",
	    NULL};
	struct ldr l = {.file = path};
	yaml_node_t *root, *tv[4], *rv[3], *ev[3];

	if (!yamldoc_load(path, "codes file", &l.doc, &root))
		return NULL;
	l.c = xcalloc(1, sizeof(*l.c));
	l.c->esubj = xcalloc(1000, sizeof(*l.c->esubj));
	/* Fixed order, whatever the file's: commands name reply codes. */
	if (take_mapping(&l, root, top, tv, "codes file")) {
		if (tv[0] && take_mapping(&l, tv[0], rkeys, rv, "'reply'")) {
			for (int i = 0; i < 3; i++)
				if (rv[i] == NULL)
					lerr(&l, tv[0], "no '%s' in 'reply'",
					    rkeys[i]);
			if (rv[0]) {
				load_digits(&l, rv[0], l.c->rclass, 9, "2345",
				    "'reply: classes'");
				require_digits(&l, rv[0], l.c->rclass, "2345",
				    "'reply: classes'");
			}
			if (rv[1]) {
				load_digits(&l, rv[1], l.c->rcat, 9, "012345",
				    "'reply: categories'");
				require_digits(&l, rv[1], l.c->rcat, "012345",
				    "'reply: categories'");
			}
			if (rv[2])
				load_replies(&l, rv[2]);
		}
		if (tv[1] && take_mapping(&l, tv[1], ekeys, ev,
		    "'enhanced'")) {
			for (int i = 0; i < 3; i++)
				if (ev[i] == NULL)
					lerr(&l, tv[1], "no '%s' in "
					    "'enhanced'", ekeys[i]);
			if (ev[0]) {
				load_digits(&l, ev[0], l.c->eclass, 9, "245",
				    "'enhanced: classes'");
				require_digits(&l, ev[0], l.c->eclass, "245",
				    "'enhanced: classes'");
			}
			if (ev[1]) {
				load_digits(&l, ev[1], l.c->esubj, 999, NULL,
				    "'enhanced: subjects'");
				require_digits(&l, ev[1], l.c->esubj,
				    "01234567", "'enhanced: subjects'");
			}
			if (ev[2])
				load_details(&l, ev[2]);
		}
		for (int i = 0; i < 2; i++)
			if (tv[i] == NULL)
				lerr(&l, root, "no '%s'", top[i]);
		if (tv[2])
			load_commands(&l, tv[2]);
		if (tv[3])
			load_hints(&l, tv[3]);
	}
	yaml_document_delete(&l.doc);
	if (l.errors) {
		codes_free(l.c);
		return NULL;
	}
	build_fallbacks(l.c);
	return l.c;
}

static void
free_digits(struct digit *d, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(d[i].name);
		free(d[i].meaning);
	}
}

void
codes_free(struct codes *c)
{
	if (c == NULL)
		return;
	free_digits(c->rclass, 10);
	free_digits(c->rcat, 10);
	free_digits(c->eclass, 10);
	free_digits(c->esubj, 1000);
	free(c->esubj);
	for (int i = 0; i < 1000; i++) {
		struct reply *r = c->reply[i];

		if (r == NULL)
			continue;
		free(r->meaning);
		free(r->ref);
		free_usual(r->usual, r->nusual);
		free(r);
	}
	for (size_t i = 0; i < c->ndetails; i++) {
		free(c->details[i].meaning);
		free(c->details[i].ref);
		free_usual(c->details[i].usual, c->details[i].nusual);
	}
	free(c->details);
	for (size_t i = 0; i < c->ncmds; i++) {
		struct command *k = &c->cmds[i];

		free(k->name);
		for (size_t j = 0; j < k->naliases; j++)
			free(k->aliases[j]);
		free(k->aliases);
		for (int j = 0; j < L__COUNT; j++)
			free(k->codes[j]);
		free(k->ref);
	}
	free(c->cmds);
	for (size_t i = 0; i < c->nhints; i++) {
		free(c->hints[i].cause);
		free(c->hints[i].mta);
		free(c->hints[i].text);
	}
	free(c->hints);
	for (int k = 0; k < 10; k++) {
		for (int m = 0; m < 10; m++)
			free(c->rfall[k][m]);
		for (int s = 0; s < 8; s++)
			free(c->efall_cs[k][s]);
		free(c->efall_c[k]);
	}
	free(c);
}
