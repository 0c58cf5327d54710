/*
 * codes - see codes.h; the file format is documented in patterns/README.md.
 *
 * The file is read with libyaml's document API, like the pattern files:
 * it is small, and every node carries its position, so each complaint
 * names FILE:LINE:COLUMN. libyaml accepts duplicate keys silently; the
 * loader refuses them itself, and duplicate codes too.
 *
 * Lookups are by number: a reply code indexes a table of 1000 slots, an
 * enhanced code's subject and detail are found by a short linear search
 * (the registry has under a hundred details). The fallback meanings for
 * codes the file does not list are built once, after loading, from the
 * class, category and subject names, so that every lookup returns a
 * string owned by the struct codes and no call allocates.
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
#include "diag.h"
#include "escape.h"
#include "session.h"
#include "util.h"
#include "yamldoc.h"

/* How each phase is named for an admin, in --explain (session.h order). */
static const char *const phase_titles[PHASE__COUNT] = {
	"on connect, before or at the greeting", "at HELO/EHLO",
	"at STARTTLS", "at AUTH", "at MAIL FROM", "at RCPT TO",
	"at DATA or the end of the message", "after acceptance, on delivery",
};

struct usual {
	int phase;
	char **causes;
	size_t ncauses;
};

struct digit {
	char *name, *meaning;
	size_t line;	/* 0: not defined */
};

struct reply {
	int code;
	char *meaning, *ref;
	bool vendor;
	struct usual *usual;
	size_t nusual;
	size_t line;
};

struct detail {
	int subject, detail;
	unsigned classes;	/* bit n: class n */
	char *meaning, *ref;
	struct usual *usual;
	size_t nusual;
	size_t line;
};

enum { L_SUCCESS, L_INTERMEDIATE, L_ERROR, L_COMMON, L__COUNT };

static const char *const list_keys[L__COUNT] = {
	"success", "intermediate", "error", "common",
};

struct command {
	char *name;
	char **aliases;
	size_t naliases;
	int phase;	/* -1: none */
	int *codes[L__COUNT];
	size_t ncodes[L__COUNT];
	char *ref;
	size_t line;
};

struct hint {
	int phase;	/* -1: any */
	char *cause;	/* NULL: any */
	char *text;
	size_t line;
};

struct codes {
	struct digit rclass[10], rcat[10];
	struct digit eclass[10];
	struct digit *esubj;	/* [1000] */
	struct reply *reply[1000];
	struct detail *details;
	size_t ndetails;
	struct command *cmds;
	size_t ncmds;
	struct hint *hints;
	size_t nhints;
	/* built after loading */
	char *rfall[10][10];	/* class, middle digit */
	char *efall_cs[10][8];	/* enhanced class, subject 0-7 */
	char *efall_c[10];
};

/* --- small parsers -------------------------------------------------------- */

/* A run of 1..maxd ASCII digits, the whole string; -1 otherwise. */
static int
parse_num(const char *s, size_t len, size_t maxd)
{
	int v = 0;

	if (len == 0 || len > maxd)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* "550" -> 550; -1 unless exactly three digits. */
static int
reply_num(const char *s)
{
	return s && strlen(s) == 3 ? parse_num(s, 3, 3) : -1;
}

/*
 * "5.1.1" -> class, subject, detail: one to three digits each. The class
 * is returned whatever its digit; the caller judges it.
 */
static bool
enh_split(const char *s, int *cls, int *subj, int *det)
{
	const char *d1, *d2;

	if (s == NULL || (d1 = strchr(s, '.')) == NULL ||
	    (d2 = strchr(d1 + 1, '.')) == NULL)
		return false;
	*cls = parse_num(s, (size_t)(d1 - s), 1);
	*subj = parse_num(d1 + 1, (size_t)(d2 - d1 - 1), 3);
	*det = parse_num(d2 + 1, strlen(d2 + 1), 3);
	return *cls >= 0 && *subj >= 0 && *det >= 0;
}

static bool
enh_class_ok(int c)
{
	return c == 2 || c == 4 || c == 5;
}

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
		d = ds ? parse_num(ds, strlen(ds), 3) : -1;
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
		code = reply_num(cs);
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
		/* "X.1.1": check it as "2.1.1" */
		snprintf(buf, sizeof(buf), "2%s", cs + 1);
		if (cs[0] != 'X' || strlen(cs) >= sizeof(buf) - 1 ||
		    !enh_split(buf, &cls, &subj, &det)) {
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
			int k1 = k ? parse_num(k, strlen(k), 1) : -1;

			if (!enh_class_ok(k1))
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
		int code = reply_num(s);

		if (code < 0 || l->c->reply[code] == NULL) {
			lerr(l, cn, "command '%s': reply code '%s' is not "
			    "defined under 'reply: codes'", cmd, s ? s : "?");
			continue;
		}
		v[(*count)++] = code;
	}
	return v;
}

static struct command *
find_command(const struct codes *c, const char *name, size_t len)
{
	for (size_t i = 0; i < c->ncmds; i++) {
		struct command *k = &c->cmds[i];

		if (strlen(k->name) == len &&
		    strncasecmp(k->name, name, len) == 0)
			return k;
		for (size_t j = 0; j < k->naliases; j++)
			if (strlen(k->aliases[j]) == len &&
			    strncasecmp(k->aliases[j], name, len) == 0)
				return k;
	}
	return NULL;
}

static bool
name_taken(struct ldr *l, yaml_node_t *n, const char *name)
{
	if (find_command(l->c, name, strlen(name)) == NULL)
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
	static const char *const keys[] = {"phase", "cause", "hint", NULL};
	struct codes *c = l->c;
	yaml_node_item_t *it;
	size_t ni;

	it = items(l, n, &ni, "'hints'");
	c->hints = xcalloc(ni + 1, sizeof(*c->hints));
	for (size_t i = 0; i < ni; i++) {
		yaml_node_t *en = node(l, it[i]), *v[3];
		struct hint *h = &c->hints[c->nhints];
		const char *ph, *cs;
		bool bad = false;

		if (!take_mapping(l, en, keys, v, "hint"))
			continue;
		ph = scalar(v[0]);
		cs = scalar(v[1]);
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
			    strcmp(cs, c->hints[j].cause) == 0))) {
				lerr(l, en, "duplicate hint for phase '%s' "
				    "and cause '%s' (first at line %zu)",
				    ph ? ph : "*", cs ? cs : "*",
				    c->hints[j].line);
				bad = true;
				break;
			}
		if (bad)
			continue;
		h->cause = cs ? xstrdup(cs) : NULL;
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
	struct buf b = {0};
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
		if (!enh_class_ok(k))
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

/* --- lookups -------------------------------------------------------------- */

static const struct detail *
find_detail(const struct codes *c, int subj, int det)
{
	for (size_t i = 0; i < c->ndetails; i++)
		if (c->details[i].subject == subj &&
		    c->details[i].detail == det)
			return &c->details[i];
	return NULL;
}

/* The reply code's number when it is three digits, the first 2-5. */
static int
reply_ok(const char *code)
{
	int n = reply_num(code);

	return n >= 200 && n <= 599 ? n : -1;
}

const char *
codes_reply_meaning(const struct codes *c, const char *code)
{
	int n = reply_num(code);

	if (n >= 0 && c->reply[n])
		return c->reply[n]->meaning;
	if ((n = reply_ok(code)) < 0)
		return NULL;
	return c->rfall[n / 100][n / 10 % 10];
}

unsigned
codes_reply_flags(const struct codes *c, const char *code)
{
	int n = reply_num(code);
	unsigned f = 0;

	if (reply_ok(code) < 0)
		f |= CODE_MALFORMED;
	if (n < 0)
		return f | CODE_UNKNOWN;
	if (c->reply[n] == NULL)
		f |= CODE_UNKNOWN;
	else if (c->reply[n]->vendor)
		f |= CODE_VENDOR;
	if (n / 10 % 10 > 5)
		f |= CODE_CATEGORY;
	return f;
}

const char *
codes_enhanced_meaning(const struct codes *c, const char *enh)
{
	int cls, subj, det;
	const struct detail *d;

	if (!enh_split(enh, &cls, &subj, &det) || !enh_class_ok(cls))
		return NULL;
	if ((d = find_detail(c, subj, det)) != NULL)
		return d->meaning;
	if (subj < 8)
		return c->efall_cs[cls][subj];
	return c->efall_c[cls];
}

unsigned
codes_enhanced_flags(const struct codes *c, const char *enh)
{
	int cls, subj, det;
	const struct detail *d;

	if (!enh_split(enh, &cls, &subj, &det))
		return CODE_MALFORMED | CODE_UNKNOWN;
	if ((d = find_detail(c, subj, det)) == NULL)
		return (enh_class_ok(cls) ? 0 : CODE_MALFORMED) | CODE_UNKNOWN;
	if (!enh_class_ok(cls))
		return CODE_MALFORMED;
	return (d->classes & (1u << cls)) ? 0 : CODE_CLASS;
}

static const struct command *
command_of(const struct codes *c, const char *command)
{
	size_t len;

	if (command == NULL)
		return NULL;
	while (*command == ' ' || *command == '\t')
		command++;
	len = strcspn(command, " \t:");
	if (len == 0)
		return NULL;
	return find_command(c, command, len);
}

static bool
in_list(const struct command *k, int list, int code)
{
	for (size_t i = 0; k && i < k->ncodes[list]; i++)
		if (k->codes[list][i] == code)
			return true;
	return false;
}

enum codes_seq
codes_reply_check(const struct codes *c, const char *command,
    const char *code)
{
	const struct command *k = command_of(c, command), *any;
	int n = reply_num(code);

	if (k == NULL || strcmp(k->name, "*") == 0)
		return SEQ_UNKNOWN_COMMAND;
	if (n < 0)
		return SEQ_NOT_ALLOWED;
	if (in_list(k, L_SUCCESS, n) || in_list(k, L_INTERMEDIATE, n) ||
	    in_list(k, L_ERROR, n))
		return SEQ_ALLOWED;
	/* "*" is what any command may get; the greeting is no command. */
	any = find_command(c, "*", 1);
	if (k->phase != 0 && in_list(any, L_ERROR, n))
		return SEQ_ALLOWED;
	if (in_list(k, L_COMMON, n))
		return SEQ_COMMON;
	return SEQ_NOT_ALLOWED;
}

bool
codes_reply_allowed(const struct codes *c, const char *command,
    const char *code)
{
	enum codes_seq s = codes_reply_check(c, command, code);

	return s == SEQ_ALLOWED || s == SEQ_UNKNOWN_COMMAND;
}

const char *
codes_hint(const struct codes *c, const char *phase, const char *cause)
{
	int ph = phase ? phase_by_name(phase, strlen(phase)) : -1;
	const struct hint *byphase = NULL, *bycause = NULL;

	for (size_t i = 0; i < c->nhints; i++) {
		const struct hint *h = &c->hints[i];
		bool cm = cause && h->cause && strcmp(cause, h->cause) == 0;

		if (ph >= 0 && h->phase == ph && cm)
			return h->text;
		if (h->phase < 0 && cm)
			bycause = h;
		if (ph >= 0 && h->phase == ph && h->cause == NULL)
			byphase = h;
	}
	if (bycause)
		return bycause->text;
	return byphase ? byphase->text : NULL;
}

/* --- explain -------------------------------------------------------------- */

#define WRAP 78

static void
put(FILE *out, const char *s)
{
	esc_text(out, s, strlen(s));
}

/*
 * Print text word by word, escaped, wrapping at WRAP columns; continuation
 * lines start at column indent. col is where the cursor is now.
 */
static void
wrap(FILE *out, const char *text, int indent, int col)
{
	const char *s = text;

	while (*s) {
		size_t w = strcspn(s, " ");

		if (col > indent && col + 1 + (int)w > WRAP) {
			fprintf(out, "\n%*s", indent, "");
			col = indent;
		} else if (col > indent) {
			fputc(' ', out);
			col++;
		} else if (col < indent) {
			fprintf(out, "%*s", indent - col, "");
			col = indent;
		}
		esc_text(out, s, w);
		col += (int)w;
		s += w;
		while (*s == ' ')
			s++;
	}
	fputc('\n', out);
}

/* "label" then text wrapped under column 18. */
static void
row(FILE *out, const char *label, const char *text)
{
	int col;

	fprintf(out, "  ");
	put(out, label);
	col = 2 + (int)strlen(label);
	wrap(out, text, 18, col);
}

/* The commands whose RFC lists contain code, e.g. "MAIL RCPT". */
static void
answers(const struct codes *c, int code, struct buf *b)
{
	const struct command *any = find_command(c, "*", 1);

	if (in_list(any, L_ERROR, code)) {
		buf_add(b, "any command", strlen("any command"));
		return;
	}
	for (size_t i = 0; i < c->ncmds; i++) {
		const struct command *k = &c->cmds[i];

		if (strcmp(k->name, "*") == 0)
			continue;
		if (in_list(k, L_SUCCESS, code) ||
		    in_list(k, L_INTERMEDIATE, code) ||
		    in_list(k, L_ERROR, code)) {
			if (b->len)
				buf_addc(b, ' ');
			buf_add(b, k->name, strlen(k->name));
		}
	}
}

/* A cause (or "where to look") and its hint, in two columns. */
static void
cause_row(FILE *out, const char *label, const char *text)
{
	int w = (int)strlen(label);

	fprintf(out, "    ");
	put(out, label);
	wrap(out, text, 24, 4 + w);
}

/* A finding about the codes themselves, wrapped. */
static void flag(FILE *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
flag(FILE *out, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fputc('\n', out);
	wrap(out, msg, 2, 0);
}

static const struct usual *
usual_for(const struct usual *u, size_t n, int phase)
{
	for (size_t i = 0; i < n; i++)
		if (u[i].phase == phase)
			return &u[i];
	return NULL;
}

static void
explain_reply(FILE *out, const struct codes *c, const char *code,
    unsigned f)
{
	int n = reply_num(code);
	const struct reply *r = n >= 0 ? c->reply[n] : NULL;
	struct buf b = {0};
	char lab[32];

	put(out, code);
	if (r) {
		fputs("  ", out);
		wrap(out, r->meaning, (int)strlen(code) + 2,
		    (int)strlen(code) + 2);
	} else if (!(f & CODE_MALFORMED)) {
		fputs("  not in the table; by its digits:\n", out);
	} else {
		fputs("  malformed: a reply code is three digits, the first "
		    "2-5\n", out);
	}
	if (n >= 0) {
		int k = n / 100, m = n / 10 % 10;

		snprintf(lab, sizeof(lab), "class %dxx", k);
		row(out, lab, k >= 2 && k <= 5 && c->rclass[k].meaning ?
		    c->rclass[k].meaning : "not an SMTP reply class "
		    "(RFC 5321 uses 2-5)");
		snprintf(lab, sizeof(lab), "category x%dx", m);
		if (k >= 2 && k <= 5)
			row(out, lab, m <= 5 && c->rcat[m].meaning ?
			    c->rcat[m].meaning : "not a category RFC 5321 "
			    "defines (0-5)");
	}
	if (n >= 0) {
		answers(c, n, &b);
		if (b.len)
			row(out, "answers", b.s);
	}
	if (r && r->ref)
		row(out, "defined by", r->ref);
	buf_free(&b);
}

static void
explain_enhanced(FILE *out, const struct codes *c, const char *enh,
    unsigned f)
{
	int cls, subj, det;
	const struct detail *d = NULL;
	char lab[48];

	if (!enh_split(enh, &cls, &subj, &det)) {
		put(out, enh);
		fputs("  malformed: an enhanced status code is "
		    "CLASS.SUBJECT.DETAIL, the class 2, 4 or 5, the others "
		    "1-3 digits\n", out);
		return;
	}
	d = find_detail(c, subj, det);
	put(out, enh);
	if (d && !(f & CODE_MALFORMED)) {
		fputs("  ", out);
		wrap(out, d->meaning, (int)strlen(enh) + 2,
		    (int)strlen(enh) + 2);
	} else if (f & CODE_MALFORMED) {
		fputs("  malformed: the class must be 2, 4 or 5; by its "
		    "digits:\n", out);
	} else {
		fputs("  not in the registry; by its digits:\n", out);
	}
	snprintf(lab, sizeof(lab), "class %d", cls);
	row(out, lab, enh_class_ok(cls) && c->eclass[cls].meaning ?
	    c->eclass[cls].meaning : "not an enhanced status class (2, 4, "
	    "5)");
	snprintf(lab, sizeof(lab), "subject X.%d", subj);
	row(out, lab, c->esubj[subj].meaning ? c->esubj[subj].meaning :
	    "not a registered subject");
	snprintf(lab, sizeof(lab), "detail X.%d.%d", subj, det);
	if (d == NULL)
		row(out, lab, "not registered");
	else if (f & CODE_MALFORMED)
		row(out, lab, d->meaning);
	if (d && d->ref)
		row(out, "defined by", d->ref);
	if (d && (f & CODE_CLASS)) {
		struct buf b = {0};

		for (int k = 2; k <= 5; k++)
			if (d->classes & (1u << k))
				buf_addf(&b, "%s%d", b.len ? ", " : "", k);
		buf_addf(&b, " only; class %d is unusual for it", cls);
		row(out, "registered for", b.s);
		buf_free(&b);
	}
}

/*
 * The usual causes per phase: the enhanced code's (more specific), kept
 * to the phases the reply code is seen in when the two share any.
 */
static void
explain_causes(FILE *out, const struct codes *c, const struct reply *r,
    const struct detail *d)
{
	const struct usual *ru = r ? r->usual : NULL, *eu = d ? d->usual : NULL;
	size_t rn = r ? r->nusual : 0, en = d ? d->nusual : 0;
	bool shared = false, any = false;

	for (int p = 0; p < PHASE__COUNT; p++)
		if (usual_for(eu, en, p) && usual_for(ru, rn, p))
			shared = true;
	fputs("\nusual causes, by phase\n", out);
	for (int p = 0; p < PHASE__COUNT; p++) {
		const struct usual *u = usual_for(eu, en, p);

		if (u == NULL ? en > 0 : shared && !usual_for(ru, rn, p))
			continue;
		if (u == NULL && (u = usual_for(ru, rn, p)) == NULL)
			continue;
		fprintf(out, "  %s (%s)\n", phase_name(p), phase_titles[p]);
		for (size_t i = 0; i < u->ncauses; i++) {
			const char *h = codes_hint(c, phase_name(p),
			    u->causes[i]);

			cause_row(out, u->causes[i], h ? h : "");
		}
		if (codes_hint(c, phase_name(p), NULL))
			cause_row(out, "where to look",
			    codes_hint(c, phase_name(p), NULL));
		any = true;
	}
	if (!any) {
		const char *h = codes_hint(c, NULL, "other");

		fputs("  none recorded for this code\n", out);
		if (h)
			cause_row(out, "where to look", h);
	}
}

bool
codes_explain(FILE *out, const struct codes *c, const char *code,
    const char *enhanced)
{
	unsigned rf = code ? codes_reply_flags(c, code) : 0;
	unsigned ef = enhanced ? codes_enhanced_flags(c, enhanced) : 0;
	int n = code ? reply_num(code) : -1, cls, subj, det;
	bool esplit = enhanced && enh_split(enhanced, &cls, &subj, &det);
	const struct reply *r = n >= 0 ? c->reply[n] : NULL;
	const struct detail *d = esplit && !(ef & CODE_MALFORMED) ?
	    find_detail(c, subj, det) : NULL;
	bool positive;

	if (code)
		explain_reply(out, c, code, rf);
	if (enhanced) {
		if (code)
			fputc('\n', out);
		explain_enhanced(out, c, enhanced, ef);
	}

	/*
	 * Flags. The codes go through wrap(), which escapes them: they are
	 * the user's text (a bounce pasted on the command line).
	 */
	if (code && (rf & CODE_MALFORMED))
		flag(out, "flagged: reply code '%.40s' is malformed: not three "
		    "digits starting 2-5%s", code,
		    r ? " (a vendor code, not an SMTP reply)" : "");
	else if (code && (rf & CODE_CATEGORY))
		flag(out, "flagged: %d: the middle digit %c is not a "
		    "category RFC 5321 defines (0-5)", n, code[1]);
	if (code && (rf & CODE_VENDOR) && !(rf & CODE_MALFORMED))
		flag(out, "note: a vendor code; no RFC defines it, and "
		    "servers differ in what they mean by it");
	if (enhanced && (ef & CODE_MALFORMED))
		flag(out, "flagged: enhanced code '%.40s' is malformed: not "
		    "CLASS.SUBJECT.DETAIL with class 2, 4 or 5 and 1-3 "
		    "digits each", enhanced);
	if (code && esplit && n >= 0 && !(rf & CODE_MALFORMED) &&
	    !(ef & CODE_MALFORMED) && n / 100 != cls && n / 100 != 3)
		flag(out, "flagged: the reply is %dxx but the enhanced "
		    "code's class is %d; they should agree (RFC 2034); the "
		    "reply code is what the client acts on", n / 100, cls);

	positive = (code && n >= 200 && n < 400 && !(rf & CODE_MALFORMED)) ||
	    (!code && esplit && cls == 2);
	if (positive)
		fputs("\na positive reply: nothing failed\n", out);
	else
		explain_causes(out, c, r, d);
	return !(rf & CODE_MALFORMED) && !(ef & CODE_MALFORMED);
}

/* The meaning up to its first ':', ';' or '(': "bad destination mailbox". */
static size_t
gist(const char *m, char *buf, size_t size, size_t off)
{
	size_t n = m ? strcspn(m, ":;(") : 0;

	while (n > 0 && m[n - 1] == ' ')
		n--;
	if (m == NULL || off >= size)
		return off;
	if (n > size - off - 1)
		n = size - off - 1;
	memcpy(buf + off, m, n);
	buf[off + n] = '\0';
	return off + n;
}

const char *
codes_gist(const struct codes *c, const char *reply, const char *enhanced,
    char *buf, size_t size)
{
	size_t off = 0;

	if (size == 0)
		return NULL;
	buf[0] = '\0';
	if (c == NULL)
		return NULL;
	/* the enhanced code says more about a refusal, unless it is the
	 * generic X.0.0; for a success the reply code says it best */
	if (enhanced && (reply == NULL || reply[0] == '4' ||
	    reply[0] == '5') && strcmp(enhanced + 1, ".0.0") != 0 &&
	    !(codes_enhanced_flags(c, enhanced) &
	    (CODE_MALFORMED | CODE_UNKNOWN)))
		off = gist(codes_enhanced_meaning(c, enhanced), buf, size, 0);
	if (off == 0 && reply &&
	    !(codes_reply_flags(c, reply) & CODE_MALFORMED))
		off = gist(codes_reply_meaning(c, reply), buf, size, 0);
	return off ? buf : NULL;
}
