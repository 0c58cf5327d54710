/*
 * codes_load - patterns/codes.yaml to a struct codes (codes.h); the file
 * format is documented in patterns/README.md.
 *
 * The file is read with the YAML kit the pattern files use (yamldoc.h):
 * every node carries its position, so each complaint names
 * FILE:LINE:COLUMN; the kit refuses unknown and duplicate keys, and this
 * loader duplicate codes. Each of the file's lists of mappings (digits,
 * reply codes, enhanced codes, commands, hints) is one
 * yamldoc_for_each_mapping() with a function that reads one entry.
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

/* --- YAML ---------------------------------------------------------------- */

/* The document and its diagnostics are yamldoc's (the one YAML kit). */
struct ldr {
	struct yamldoc y;
	struct codes *c;
};

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
text_dup(struct yamldoc *y, yaml_node_t *n, yaml_node_t *parent,
    const char *what)
{
	const char *s = yamldoc_scalar(n);
	size_t len;

	if (n == NULL) {
		yamldoc_err(y, parent, "missing %s", what);
		return NULL;
	}
	if (s == NULL || *s == '\0') {
		yamldoc_err(y, n, "%s must be a non-empty string", what);
		return NULL;
	}
	len = strlen(s);
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	return xstrndup(s, len);
}

/* --- loading -------------------------------------------------------------- */

/* usual: {phase: [cause, ...], ...} */
static struct usual *
load_usual(struct yamldoc *y, yaml_node_t *m, size_t *count)
{
	struct usual *u;
	size_t n = 0;

	*count = 0;
	if (m == NULL)
		return NULL;
	if (m->type != YAML_MAPPING_NODE) {
		yamldoc_err(y, m, "'usual' must map phases to lists of causes");
		return NULL;
	}
	u = xcalloc((size_t)(m->data.mapping.pairs.top -
	    m->data.mapping.pairs.start) + 1, sizeof(*u));
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start;
	    p < m->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = yamldoc_node(y, p->key),
			    *vn = yamldoc_node(y, p->value);
		const char *k = yamldoc_scalar(kn);
		yaml_node_item_t *it;
		size_t ni;
		int ph = k ? phase_by_name(k, strlen(k)) : -1;

		if (ph < 0) {
			yamldoc_err(y, kn, "unknown phase '%s' in 'usual'",
			    k ? k : "?");
			continue;
		}
		for (size_t i = 0; i < n; i++)
			if (u[i].phase == ph) {
				yamldoc_err(y, kn, "duplicate key '%s' in "
				    "'usual'", k);
				ph = -1;
			}
		if (ph < 0)
			continue;
		it = yamldoc_items(y, vn, &ni, "the causes in 'usual'");
		u[n].phase = ph;
		u[n].causes = xcalloc(ni + 1, sizeof(char *));
		for (size_t i = 0; i < ni; i++) {
			yaml_node_t *cn = yamldoc_node(y, it[i]);
			const char *cs = yamldoc_scalar(cn);

			if (cs == NULL || !cause_name_ok(cs)) {
				yamldoc_err(y, cn, "malformed cause name '%s'",
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

/* One table of classes, categories or subjects, and its rules. */
struct digits {
	struct digit *tab;
	int max;	/* the largest digit */
	const char *allowed;	/* the digits it may have; NULL: 0..max */
	const char *what;
};

/* {digit: N, name: ..., meaning: ...} */
static void
load_digit(struct yamldoc *y, yaml_node_t *en, yaml_node_t **v, void *arg)
{
	const struct digits *t = arg;
	const char *ds = yamldoc_scalar(v[0]);
	int d = ds ? codes_parse_num(ds, strlen(ds), 3) : -1;

	if (d < 0 || d > t->max || (t->allowed && (d > 9 ||
	    strchr(t->allowed, '0' + d) == NULL))) {
		yamldoc_err(y, v[0] ? v[0] : en, "%s: bad or missing "
		    "'digit' '%s'", t->what, ds ? ds : "");
		return;
	}
	if (t->tab[d].line) {
		yamldoc_err(y, v[0], "%s: duplicate digit %d (first at "
		    "line %zu)", t->what, d, t->tab[d].line);
		return;
	}
	t->tab[d].name = text_dup(y, v[1], en, "'name'");
	t->tab[d].meaning = text_dup(y, v[2], en, "'meaning'");
	t->tab[d].line = line_of(en);
}

/* classes/categories/subjects: [{digit: N, name: ..., meaning: ...}], with
 * an entry for each digit of need */
static void
load_digits(struct yamldoc *y, yaml_node_t *n, struct digits t,
    const char *need)
{
	static const char *const keys[] = {"digit", "name", "meaning", NULL};

	yamldoc_for_each_mapping(y, n, t.what, keys, t.what, load_digit, &t);
	for (const char *d = need; *d; d++)
		if (t.tab[*d - '0'].line == 0)
			yamldoc_err(y, n, "%s: no entry for digit %c", t.what,
			    *d);
}

/* {code, meaning, ref, vendor, usual} */
static void
load_reply(struct yamldoc *y, yaml_node_t *en, yaml_node_t **v, void *arg)
{
	struct codes *c = arg;
	const char *cs = yamldoc_scalar(v[0]);
	struct reply *r;
	int code;

	if (cs == NULL) {
		yamldoc_err(y, en, "reply code without 'code'");
		return;
	}
	code = codes_reply_num(cs);
	if (code < 100 || code > 599) {
		yamldoc_err(y, v[0], "malformed reply code '%s' (three "
		    "digits, the first 1-5)", cs);
		return;
	}
	if (c->reply[code]) {
		yamldoc_err(y, v[0], "duplicate reply code '%s' (first at "
		    "line %zu)", cs, c->reply[code]->line);
		return;
	}
	r = xcalloc(1, sizeof(*r));
	r->code = code;
	r->line = line_of(en);
	r->meaning = text_dup(y, v[1], en, "'meaning'");
	r->ref = v[2] ? text_dup(y, v[2], en, "'ref'") : NULL;
	r->vendor = v[3] ? yamldoc_bool(y, v[3], "vendor") : false;
	r->usual = load_usual(y, v[4], &r->nusual);
	if (code < 200 && !r->vendor)
		yamldoc_err(y, v[0], "reply code '%s' is not an RFC code "
		    "(first digit 2-5); mark it 'vendor: true'", cs);
	c->reply[code] = r;
}

/* The code of an enhanced entry, "X.SUBJECT.DETAIL": false (reported)
 * when malformed or a duplicate. */
static bool
detail_code(struct yamldoc *y, const struct codes *c, yaml_node_t *cn,
    int *subj, int *det)
{
	const char *cs = yamldoc_scalar(cn);
	char buf[16];
	int cls;

	/* "X.1.1": check it as "2.1.1" (cs + 1 only past an 'X': an
	 * empty code was read past its end, found by fuzz_codes) */
	if (cs[0] == 'X')
		snprintf(buf, sizeof(buf), "2%s", cs + 1);
	if (cs[0] != 'X' || strlen(cs) >= sizeof(buf) - 1 ||
	    !codes_enh_split(buf, &cls, subj, det)) {
		yamldoc_err(y, cn, "malformed enhanced code '%s' "
		    "(X.SUBJECT.DETAIL, 1-3 digits each)", cs);
		return false;
	}
	for (size_t j = 0; j < c->ndetails; j++)
		if (c->details[j].subject == *subj &&
		    c->details[j].detail == *det) {
			yamldoc_err(y, cn, "duplicate enhanced code '%s' "
			    "(first at line %zu)", cs, c->details[j].line);
			return false;
		}
	return true;
}

/* {code, meaning, classes, ref, usual} */
static void
load_detail(struct yamldoc *y, yaml_node_t *en, yaml_node_t **v, void *arg)
{
	struct codes *c = arg;
	struct detail *d = &c->details[c->ndetails];
	const char *cs = yamldoc_scalar(v[0]);
	int subj, det;
	yaml_node_item_t *ci;
	size_t nc;

	if (cs == NULL) {
		yamldoc_err(y, en, "enhanced code without 'code'");
		return;
	}
	if (!detail_code(y, c, v[0], &subj, &det))
		return;
	memset(d, 0, sizeof(*d));
	d->subject = subj;
	d->detail = det;
	d->line = line_of(en);
	d->meaning = text_dup(y, v[1], en, "'meaning'");
	d->ref = v[3] ? text_dup(y, v[3], en, "'ref'") : NULL;
	d->usual = load_usual(y, v[4], &d->nusual);
	ci = v[2] ? yamldoc_items(y, v[2], &nc, "'classes'") : NULL;
	if (v[2] == NULL)
		yamldoc_err(y, en, "enhanced code '%s' without 'classes'", cs);
	for (size_t j = 0; ci && j < nc; j++) {
		yaml_node_t *kn = yamldoc_node(y, ci[j]);
		const char *k = yamldoc_scalar(kn);
		int k1 = k ? codes_parse_num(k, strlen(k), 1) : -1;

		if (!codes_enh_class_ok(k1))
			yamldoc_err(y, kn, "bad class '%s' (2, 4 or 5)",
			    k ? k : "?");
		else
			d->classes |= 1u << k1;
	}
	c->ndetails++;
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
	it = yamldoc_items(&l->y, n, &ni, what);
	v = xcalloc(ni + 1, sizeof(int));
	for (size_t i = 0; i < ni; i++) {
		yaml_node_t *cn = yamldoc_node(&l->y, it[i]);
		const char *s = yamldoc_scalar(cn);
		int code = codes_reply_num(s);

		if (code < 0 || l->c->reply[code] == NULL) {
			yamldoc_err(&l->y, cn, "command '%s': reply code '%s' "
			    "is not defined under 'reply: codes'", cmd,
			    s ? s : "?");
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
	yamldoc_err(&l->y, n, "duplicate command '%s'", name);
	return true;
}

/* A command's aliases, each checked against every name so far. */
static void
load_aliases(struct ldr *l, struct command *k, yaml_node_t *n)
{
	yaml_node_item_t *ai;
	size_t na;

	ai = yamldoc_items(&l->y, n, &na, "'aliases'");
	k->aliases = xcalloc(na + 1, sizeof(char *));
	for (size_t j = 0; j < na; j++) {
		yaml_node_t *an = yamldoc_node(&l->y, ai[j]);
		const char *a = yamldoc_scalar(an);

		if (a == NULL || !command_name_ok(a)) {
			yamldoc_err(&l->y, an, "malformed command name '%s'",
			    a ? a : "?");
			continue;
		}
		if (name_taken(l, an, a))
			continue;
		k->aliases[k->naliases++] = xstrdup(a);
	}
}

/* {command, aliases, phase, success, intermediate, error, common, ref} */
static void
load_command(struct yamldoc *y, yaml_node_t *en, yaml_node_t **v, void *arg)
{
	struct ldr *l = arg;
	struct codes *c = l->c;
	struct command *k = &c->cmds[c->ncmds];
	const char *name = yamldoc_scalar(v[0]), *ph;

	if (name == NULL || !command_name_ok(name)) {
		yamldoc_err(y, v[0] ? v[0] : en, "malformed command name "
		    "'%s' (upper case, or \"*\")", name ? name : "");
		return;
	}
	if (name_taken(l, v[0], name))
		return;
	memset(k, 0, sizeof(*k));
	k->name = xstrdup(name);
	k->line = line_of(en);
	k->phase = -1;
	if ((ph = yamldoc_scalar(v[2])) != NULL &&
	    (k->phase = phase_by_name(ph, strlen(ph))) < 0)
		yamldoc_err(y, v[2], "unknown phase '%s'", ph);
	else if (v[2] && ph == NULL)
		yamldoc_err(y, v[2], "'phase' must be a string");
	for (int j = 0; j < L__COUNT; j++) {
		char what[64];

		snprintf(what, sizeof(what), "'%s'", list_keys[j]);
		k->codes[j] = code_list(l, v[3 + j], &k->ncodes[j], name,
		    what);
	}
	k->ref = v[7] ? text_dup(y, v[7], en, "'ref'") : NULL;
	c->ncmds++;	/* aliases are checked against the rest */
	if (v[1])
		load_aliases(l, k, v[1]);
}

/* Is there a hint for this phase, cause and mta before h? */
static bool
hint_taken(struct yamldoc *y, const struct codes *c, const struct hint *h,
    yaml_node_t *en, const char *ph, const char *cs, const char *mta)
{
	for (size_t j = 0; j < c->nhints; j++)
		if (c->hints[j].phase == h->phase &&
		    ((cs == NULL && c->hints[j].cause == NULL) ||
		    (cs && c->hints[j].cause &&
		    strcmp(cs, c->hints[j].cause) == 0)) &&
		    ((mta == NULL && c->hints[j].mta == NULL) ||
		    (mta && c->hints[j].mta &&
		    strcmp(mta, c->hints[j].mta) == 0))) {
			yamldoc_err(y, en, "duplicate hint for phase '%s', "
			    "cause '%s' and mta '%s' (first at line %zu)",
			    ph ? ph : "*", cs ? cs : "*", mta ? mta : "*",
			    c->hints[j].line);
			return true;
		}
	return false;
}

/* {phase, cause, hint, mta} */
static void
load_hint(struct yamldoc *y, yaml_node_t *en, yaml_node_t **v, void *arg)
{
	struct codes *c = arg;
	struct hint *h = &c->hints[c->nhints];
	const char *ph = yamldoc_scalar(v[0]), *cs = yamldoc_scalar(v[1]),
		   *mta = yamldoc_scalar(v[3]);
	bool bad = false;

	if (v[3] && (mta == NULL || *mta == '\0')) {
		yamldoc_err(y, v[3], "mta must name a pattern set");
		bad = true;
	}
	memset(h, 0, sizeof(*h));
	h->phase = -1;
	if (v[0] && (ph == NULL ||
	    (h->phase = phase_by_name(ph, strlen(ph))) < 0)) {
		yamldoc_err(y, v[0], "unknown phase '%s'", ph ? ph : "?");
		bad = true;
	}
	if (v[1] && (cs == NULL || !cause_name_ok(cs))) {
		yamldoc_err(y, v[1], "malformed cause name '%s'",
		    cs ? cs : "?");
		bad = true;
	}
	if (v[0] == NULL && v[1] == NULL) {
		yamldoc_err(y, en, "a hint needs 'phase', 'cause' or both");
		bad = true;
	}
	if (v[2] == NULL) {
		yamldoc_err(y, en, "a hint needs 'hint'");
		bad = true;
	}
	if (bad || hint_taken(y, c, h, en, ph, cs, mta))
		return;
	h->cause = cs ? xstrdup(cs) : NULL;
	h->mta = mta ? xstrdup(mta) : NULL;
	h->text = text_dup(y, v[2], en, "'hint'");
	h->line = line_of(en);
	c->nhints++;
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
	buf_adds(&b, tmp);
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

/* reply: {classes, categories, codes} */
static void
load_reply_section(struct ldr *l, yaml_node_t *n)
{
	static const char *const keys[] = {"classes", "categories", "codes",
	    NULL};
	static const char *const rlist[] = {"code", "meaning", "ref",
	    "vendor", "usual", NULL};
	struct yamldoc *y = &l->y;
	yaml_node_t *v[3];

	if (!yamldoc_take(y, n, keys, v, "'reply'"))
		return;
	for (int i = 0; i < 3; i++)
		if (v[i] == NULL)
			yamldoc_err(y, n, "no '%s' in 'reply'", keys[i]);
	if (v[0])
		load_digits(y, v[0], (struct digits){l->c->rclass, 9,
		    "2345", "'reply: classes'"}, "2345");
	if (v[1])
		load_digits(y, v[1], (struct digits){l->c->rcat, 9,
		    "012345", "'reply: categories'"}, "012345");
	if (v[2])
		yamldoc_for_each_mapping(y, v[2], "'reply: codes'", rlist,
		    "reply code", load_reply, l->c);
}

/* enhanced: {classes, subjects, details} */
static void
load_enhanced_section(struct ldr *l, yaml_node_t *n)
{
	static const char *const keys[] = {"classes", "subjects", "details",
	    NULL};
	static const char *const dlist[] = {"code", "meaning", "classes",
	    "ref", "usual", NULL};
	struct yamldoc *y = &l->y;
	yaml_node_t *v[3];

	if (!yamldoc_take(y, n, keys, v, "'enhanced'"))
		return;
	for (int i = 0; i < 3; i++)
		if (v[i] == NULL)
			yamldoc_err(y, n, "no '%s' in 'enhanced'", keys[i]);
	if (v[0])
		load_digits(y, v[0], (struct digits){l->c->eclass, 9, "245",
		    "'enhanced: classes'"}, "245");
	if (v[1])
		load_digits(y, v[1], (struct digits){l->c->esubj, 999, NULL,
		    "'enhanced: subjects'"}, "01234567");
	if (v[2]) {
		l->c->details = xcalloc(yamldoc_len(v[2]) + 1,
		    sizeof(*l->c->details));
		yamldoc_for_each_mapping(y, v[2], "'enhanced: details'",
		    dlist, "enhanced code", load_detail, l->c);
	}
}

/* commands: [...], hints: [...] */
static void
load_lists(struct ldr *l, yaml_node_t *cmds, yaml_node_t *hints)
{
	static const char *const ckeys[] = {"command", "aliases", "phase",
	    "success", "intermediate", "error", "common", "ref", NULL};
	static const char *const hkeys[] = {"phase", "cause", "hint", "mta",
	    NULL};
	struct codes *c = l->c;

	if (cmds) {
		c->cmds = xcalloc(yamldoc_len(cmds) + 1, sizeof(*c->cmds));
		yamldoc_for_each_mapping(&l->y, cmds, "'commands'", ckeys,
		    "command", load_command, l);
	}
	if (hints) {
		c->hints = xcalloc(yamldoc_len(hints) + 1, sizeof(*c->hints));
		yamldoc_for_each_mapping(&l->y, hints, "'hints'", hkeys,
		    "hint", load_hint, c);
	}
}

static int
cmp_detail(const void *a, const void *b)
{
	const struct detail *x = a, *y = b;

	if (x->subject != y->subject)
		return x->subject < y->subject ? -1 : 1;
	return x->detail < y->detail ? -1 : x->detail > y->detail;
}

struct codes *
codes_load(const char *path)
{
	static const char *const top[] = {"reply", "enhanced", "commands",
	    "hints", NULL};
	struct ldr l = {.y = {.file = path}};
	yaml_node_t *root, *tv[4];

	if (!yamldoc_load(path, "codes file", &l.y.doc, &root))
		return NULL;
	l.c = xcalloc(1, sizeof(*l.c));
	l.c->esubj = xcalloc(1000, sizeof(*l.c->esubj));
	/* Fixed order, whatever the file's: commands name reply codes. */
	if (yamldoc_take(&l.y, root, top, tv, "codes file")) {
		if (tv[0])
			load_reply_section(&l, tv[0]);
		if (tv[1])
			load_enhanced_section(&l, tv[1]);
		for (int i = 0; i < 2; i++)
			if (tv[i] == NULL)
				yamldoc_err(&l.y, root, "no '%s'", top[i]);
		load_lists(&l, tv[2], tv[3]);
	}
	yaml_document_delete(&l.y.doc);
	if (l.y.errors) {
		codes_free(l.c);
		return NULL;
	}
	build_fallbacks(l.c);
	/* for find_detail()'s binary search; a code is there once */
	qsort(l.c->details, l.c->ndetails, sizeof(*l.c->details),
	    cmp_detail);
	l.c->memo = xcalloc(1, sizeof(*l.c->memo));
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
	free(c->memo);
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
