/*
 * pattern_load - pattern files (YAML) to compiled pattern sets; the schema
 * is documented in patterns/README.md, and every rule it states is
 * checked here.
 *
 * Loading uses libyaml's document API through yamldoc.h: the files are
 * small, and every node carries its position, so each complaint names
 * FILE:LINE:COLUMN. Cause rules in the same files are cause.c's.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "fieldset.h"
#include "pattern_int.h"
#include "session.h"
#include "suggest.h"

/* --- regex compilation -------------------------------------------------- */

pcre2_code *
pattern_compile(struct yamldoc *l, yaml_node_t *n, const char *rx,
    uint32_t extra, bool *jit)
{
	char msg[256];
	size_t off;
	pcre2_code *re;
	uint32_t cap;

	re = rx_compile(rx, PCRE2_NO_AUTO_CAPTURE | PCRE2_DUPNAMES | extra,
	    jit, msg, sizeof(msg), &off);
	if (re == NULL) {
		yamldoc_err(l, n, "regex does not compile: %s at offset %zu",
		    msg, off);
		return NULL;
	}
	pcre2_pattern_info(re, PCRE2_INFO_CAPTURECOUNT, &cap);
	pattern_mdata_grow(cap + 1);
	return re;
}

/* Map every named group to its field; refuse names outside the set. */
static void
resolve_groups(struct yamldoc *l, yaml_node_t *n, struct pattern *p)
{
	uint32_t count, size;
	PCRE2_SPTR table;

	pcre2_pattern_info(p->re, PCRE2_INFO_NAMECOUNT, &count);
	pcre2_pattern_info(p->re, PCRE2_INFO_NAMEENTRYSIZE, &size);
	pcre2_pattern_info(p->re, PCRE2_INFO_NAMETABLE, &table);
	for (uint32_t i = 0; i < count; i++, table += size) {
		int num = (table[0] << 8) | table[1];
		const char *name = (const char *)table + 2;
		int f = field_by_name(name, strlen(name));

		if (f < 0) {
			yamldoc_err(l, n, "unknown field '%s' (named group)",
			    name);
			continue;
		}
		if (p->ngroups[f] < GROUPS_MAX)
			p->groups[f][p->ngroups[f]++] = num;
	}
}

/* --- pattern entries ----------------------------------------------------- */


struct pat_ctx {
	struct pattern *p;
	const char *regex, *fields, *tail;	/* fieldset.h */
	const struct fieldsets *fs;
	yaml_node_t *regex_node, *samples_node, *node;
	bool is_prefix;
};


/* id: ['6-6-2', '6-11-4']: the shapes of an ID after a dated head. */
static void
head_ids(struct yamldoc *l, yaml_node_t *vn, struct head *h)
{
	size_t n;
	char **v = yamldoc_strings(l, vn, &n, "id");

	h->ids = xcalloc(n + 1, sizeof(*h->ids));
	for (size_t i = 0; i < n; i++) {
		struct head_id *id = &h->ids[h->nids];
		const char *p = v[i];
		char *e;

		while (*p && id->n < HEAD_ID_GROUPS) {
			unsigned long len = strtoul(p, &e, 10);

			if (e == p || len == 0 || len > 64 || (*e && *e != '-'))
				break;
			id->len[id->n++] = len;
			p = *e ? e + 1 : e;
		}
		if (*p || id->n == 0)
			yamldoc_err(l, vn, "head: id '%s' is not lengths "
			    "joined by '-' (at most %d, each 1 to 64), such "
			    "as '6-6-2'", v[i], HEAD_ID_GROUPS);
		else
			h->nids++;
		free(v[i]);
	}
	free(v);
}

static void
head_pair(struct yamldoc *l, const char *k, yaml_node_t *kn, yaml_node_t *vn,
    void *arg)
{
	struct head *h = arg;
	const char *v = yamldoc_scalar(vn);
	unsigned char c;

	(void)kn;
	if (strcmp(k, "program") == 0) {
		if (v == NULL || *v == '\0' || strpbrk(v, "/[ \t\n\v\f\r")) {
			yamldoc_err(l, vn, "head: program must be a word "
			    "without '/', '[' or spaces");
			return;
		}
		h->program = xstrdup(v);
		h->program_len = strlen(v);
	} else if (strcmp(k, "shape") == 0) {
		if (v && strcmp(v, "dated") == 0)
			h->shape = HEAD_DATED;
		else if (v == NULL || strcmp(v, "syslog") != 0)
			yamldoc_err(l, vn, "head: shape is syslog or dated");
	} else if (strcmp(k, "id") == 0) {
		head_ids(l, vn, h);
	} else if (strcmp(k, "severities") == 0) {
		h->severities = yamldoc_strings(l, vn, &h->nseverities,
		    "severities");
		h->severity_len = xcalloc(h->nseverities + 1, sizeof(size_t));
		for (size_t i = 0; i < h->nseverities; i++) {
			h->severity_len[i] = strlen(h->severities[i]);
			if (h->severity_len[i] == 0)
				yamldoc_err(l, vn, "head: an empty severity");
			c = (unsigned char)h->severities[i][0];
			h->severity_first[c >> 3] |= (unsigned char)(1u <<
			    (c & 7));
		}
	}
}

/*
 * head: {program: postfix, severities: [warning, ...]}: the prefix's regex
 * reads a syslog head (head.h); head: {shape: dated, id: ['6-6-2']}: a
 * dated head. head_check() holds it to the samples.
 */
static void
load_head(struct yamldoc *l, yaml_node_t *n, struct pattern *p)
{
	static const char *const keys[] = {"shape", "program", "severities",
	    "id", NULL};

	p->head = xcalloc(1, sizeof(*p->head));
	yamldoc_walk(l, n, keys, "head", head_pair, p->head);
	if (p->head->shape == HEAD_SYSLOG && p->head->program == NULL)
		yamldoc_err(l, n, "head needs a 'program'");
}

/*
 * A head must read every sample it reads at all exactly as the regex
 * does (the same fields, the message at the same place), and read some.
 */
static void
head_check(struct yamldoc *l, yaml_node_t *n, struct pattern *p)
{
	size_t nread = 0;

	for (size_t i = 0; i < p->nsamples; i++) {
		const char *line = p->samples[i].line;
		size_t len = strlen(line), off = 0;
		struct match m;
		PCRE2_SIZE *ov;
		bool same;

		memset(&m, 0, sizeof(m));
		if (!head_read(p->head, line, len, m.f, &m.has, &off))
			continue;
		nread++;
		same = pattern_exec(p->re, p->jit, line, len) > 0;
		ov = pattern_ovector();
		same = same && ov[1] == off;
		for (int f = 0; same && f < F__COUNT; f++) {
			const char *v = NULL;
			size_t vl = 0;

			for (unsigned j = 0; j < p->ngroups[f]; j++) {
				int g = p->groups[f][j];

				if (ov[2 * g] != PCRE2_UNSET) {
					v = line + ov[2 * g];
					vl = ov[2 * g + 1] - ov[2 * g];
					break;
				}
			}
			same = v == m.f[f].p && vl == m.f[f].len;
		}
		if (!same)
			yamldoc_err(l, n, "head reads sample %zu otherwise "
			    "than the regex: '%s'", i + 1, line);
	}
	if (nread == 0)
		yamldoc_err(l, n, "head reads none of the samples");
}

/* The pattern's flag a true/false key sets, or NULL for another key. */
static bool *
bool_key(struct pattern *p, const char *k)
{
	static const char *const keys[] = {"fallback", "explains", "closes",
	    "needs_quit", "client_text", "trails", "repeats"};
	bool *const flags[] = {&p->fallback, &p->explains, &p->closes,
	    &p->needs_quit, &p->client_text, &p->trails, &p->repeats};

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (strcmp(k, keys[i]) == 0)
			return flags[i];
	return NULL;
}

static void
pattern_pair(struct yamldoc *l, const char *k, yaml_node_t *kn, yaml_node_t *vn,
    void *arg)
{
	struct pat_ctx *c = arg;
	struct pattern *p = c->p;
	const char *v = yamldoc_scalar(vn);

	(void)kn;
	if (strcmp(k, "name") == 0) {
		/* read first, see load_pattern() */
	} else if (strcmp(k, "description") == 0) {
		if (v == NULL)
			yamldoc_err(l, vn, "description must be a string");
	} else if (strcmp(k, "regex") == 0) {
		if (v == NULL)
			yamldoc_err(l, vn, "regex must be a string");
		c->regex = v;
		c->regex_node = vn;
	} else if (strcmp(k, "fields") == 0 || strcmp(k, "tail") == 0) {
		if (v == NULL)
			yamldoc_err(l, vn, "%s must be a string", k);
		else
			*(k[0] == 'f' ? &c->fields : &c->tail) = v;
	} else if (strcmp(k, "samples") == 0) {
		c->samples_node = vn;
	} else if (bool_key(p, k) != NULL) {
		*bool_key(p, k) = yamldoc_bool(l, vn, k);
	} else if (strcmp(k, "event") == 0) {
		int e = v ? event_by_name(v, strlen(v)) : -1;

		if (e < 0)
			yamldoc_err(l, vn, "unknown event '%s'", v ? v : "");
		else
			p->ev = (enum event)e;
	} else if (strcmp(k, "scope") == 0) {
		if ((p->scope = scope_by_name(v, v ? strlen(v) : 0)) < 0)
			yamldoc_err(l, vn,
			    "scope must be 'session' or 'message'");
	} else if (strcmp(k, "direction") == 0) {
		if ((p->dir = direction_by_name(v, v ? strlen(v) : 0)) < 0)
			yamldoc_err(l, vn,
			    "direction must be 'inbound' or 'outbound'");
	} else if (strcmp(k, "for") == 0) {
		p->forv = yamldoc_strings(l, vn, &p->nfor, "for");
	} else if (strcmp(k, "session") == 0) {
		p->nalt = pattern_session_keys(l, vn, p->alt);
	} else if (strcmp(k, "label") == 0) {
		if (v == NULL)
			yamldoc_err(l, vn, "label must be a string");
		else
			p->label = xstrdup(v);
	} else if (strcmp(k, "every-log-has") == 0) {
		if (v == NULL)
			yamldoc_err(l, vn, "every-log-has must be a string");
		else
			p->every_log_has = xstrdup(v);
	} else if (strcmp(k, "reaches") == 0) {
		const char *ph = yamldoc_scalar(vn);

		p->reaches = ph ? phase_by_name(ph, strlen(ph)) : PHASE_NONE;
		if (p->reaches == PHASE_NONE)
			yamldoc_err(l, vn, "reaches: unknown phase '%s'",
			    ph ? ph : "");
	} else if (strcmp(k, "stats") == 0) {
		pattern_stats_load(l, vn, p);
	} else if (strcmp(k, "head") == 0) {
		load_head(l, vn, p);
	} else if (strcmp(k, "set") == 0) {
		yamldoc_walk(l, vn, NULL, "set", pattern_set_pair, p);
	} else if (strcmp(k, "map") == 0) {
		yamldoc_walk(l, vn, NULL, "map", pattern_map_pair, p);
	}
}

static bool
load_pattern(struct yamldoc *l, yaml_node_t *n, struct pattern *p,
    bool is_prefix, const struct fieldsets *fs)
{
	static const char *const pkeys[] = {"name", "description", "for",
	    "event", "scope", "direction", "session", "label", "explains",
	    "closes", "needs_quit", "client_text", "trails", "repeats",
	    "reaches", "every-log-has", "stats", "set", "map", "regex",
	    "fields", "tail",
	    "samples", NULL};
	static const char *const xkeys[] = {"name", "description", "regex",
	    "fallback", "head", "samples", NULL};
	struct pat_ctx c = {.p = p, .node = n, .is_prefix = is_prefix,
	    .fs = fs};
	unsigned before = l->errors;
	const char *name = yamldoc_get(l, n, "name", NULL);
	char where[64];

	if (name == NULL) {
		snprintf(where, sizeof(where), "#%zu",
		    n ? n->start_mark.line + 1 : 0);
		name = where;
		yamldoc_err(l, n, "%s without a name", is_prefix ? "prefix" :
		    "pattern");
	}
	p->name = xstrdup(name);
	l->subject_kind = "pattern";
	l->subject = p->name;
	p->yline = n ? n->start_mark.line + 1 : 0;
	p->ycol = n ? n->start_mark.column + 1 : 0;
	p->ev = EV__COUNT;
	p->reaches = PHASE_NONE;
	p->scope = SCOPE_SESSION;
	yamldoc_walk(l, n, is_prefix ? xkeys : pkeys,
	    is_prefix ? "prefix" : "pattern", pattern_pair, &c);
	if (!is_prefix && p->ev == EV__COUNT && l->errors == before)
		yamldoc_err(l, n, "no 'event'");
	if (!is_prefix && yamldoc_get(l, n, "scope", NULL) == NULL &&
	    (p->ev == EV_ACCEPT || p->ev == EV_DELIVERY ||
	    p->ev == EV_EXPIRE || p->ev == EV_REMOVE))
		p->scope = SCOPE_MESSAGE;
	if (c.regex == NULL) {
		if (c.regex_node == NULL)
			yamldoc_err(l, n, "no 'regex'");
	} else {
		char *rx = fieldsets_compose(l, n, c.fs, c.fields, c.regex,
		    c.tail);

		p->re = pattern_compile(l, c.regex_node, rx ? rx : c.regex, 0,
		    &p->jit);
		if (p->re) {
			resolve_groups(l, c.regex_node, p);
			pattern_lead(p, c.regex, rx ? rx : c.regex);
			pattern_stats_check(l, n, p);
		}
		free(rx);
	}
	if (c.samples_node == NULL)
		yamldoc_err(l, n,
		    "no samples: every pattern carries real lines");
	else
		pattern_load_samples(l, c.samples_node, p);
	if (c.samples_node && p->nsamples == 0)
		yamldoc_err(l, c.samples_node,
		    "no samples: every pattern carries "
		    "real lines");
	if (p->head && p->re && p->nsamples)
		head_check(l, n, p);
	l->subject = NULL;
	return l->errors == before;
}

/* --- files -------------------------------------------------------------- */

struct set_ctx {
	struct pattern_set *s;
	struct pattern_db *db;
	yaml_node_t *prefixes, *patterns, *causes, *defaults, *fieldsets;
	struct fieldsets fs;
	const char *extends;	/* an extending file: the set's name */
	yaml_node_t *extends_node;
};

/*
 * csv:
 *   log-types: [SMTP Receive Protocol Log]   '#Log-type:' values
 *   fields: [log-type, date-time, ...]       the canonical line's columns
 *   header: [date-time, connector-id, ...]   the documented '#Fields:'
 *   detect: '^\d{4}-...'                     a record without a header
 */
static void
csv_pair(struct yamldoc *l, const char *k, yaml_node_t *kn, yaml_node_t *vn,
    void *arg)
{
	struct pattern_set *s = arg;
	struct pattern_csv *c = s->csv;

	(void)kn;
	if (strcmp(k, "log-types") == 0) {
		c->log_types = yamldoc_strings(l, vn, &c->nlog_types,
		    "csv log-types");
	} else if (strcmp(k, "fields") == 0) {
		c->fields = yamldoc_strings(l, vn, &c->nfields, "csv fields");
	} else if (strcmp(k, "header") == 0) {
		size_t n;
		char **v = yamldoc_strings(l, vn, &n, "csv header");
		struct buf b = BUF_INIT;

		for (size_t i = 0; i < n; i++) {
			if (i)
				buf_addc(&b, ',');
			buf_add(&b, v[i], strlen(v[i]));
			free(v[i]);
		}
		free(v);
		free(c->header);
		c->header = xstrdup(b.s);
		buf_release(&b);
	} else if (strcmp(k, "detect") == 0) {
		if (yamldoc_scalar(vn) == NULL)
			yamldoc_err(l, vn, "csv detect must be a regex");
		else
			s->csv_detect = pattern_compile(
			    l, vn, yamldoc_scalar(vn), 0, &s->csv_detect_jit);
	}
}

static void
load_csv(struct yamldoc *l, struct pattern_set *s, yaml_node_t *vn)
{
	static const char *const keys[] = {"log-types", "fields", "header",
	    "detect", NULL};

	if (s->csv) {
		yamldoc_err(l, vn, "duplicate key 'csv'");
		return;
	}
	s->csv = xcalloc(1, sizeof(*s->csv));
	yamldoc_walk(l, vn, keys, "csv", csv_pair, s);
	if (s->csv->nfields == 0)
		yamldoc_err(l, vn,
		    "csv: no 'fields': which columns make a line");
	if (s->csv->header == NULL)
		yamldoc_err(l, vn,
		    "csv: no 'header': the documented '#Fields:' "
		    "columns, for samples and files without a header");
}

/*
 * journal:
 *   identifier: '^postfix(?:-[^/]+)?(?:/[^/]+)+$'   SYSLOG_IDENTIFIER values
 *   samples: [postfix/smtpd, postfix/submission/smtpd]
 */
static void
journal_pair(struct yamldoc *l, const char *k, yaml_node_t *kn,
    yaml_node_t *vn, void *arg)
{
	struct pattern_set *s = arg;

	(void)kn;
	if (strcmp(k, "identifier") == 0) {
		if (yamldoc_scalar(vn) == NULL)
			yamldoc_err(l, vn,
			    "journal identifier must be a regex");
		else if (s->journal_re == NULL)
			s->journal_re = pattern_compile(l, vn,
			    yamldoc_scalar(vn), 0, &s->journal_jit);
	} else if (strcmp(k, "samples") == 0) {
		s->journal_samples = yamldoc_strings(l, vn,
		    &s->njournal_samples, "journal samples");
	}
}

static void
load_journal(struct yamldoc *l, struct pattern_set *s, yaml_node_t *vn)
{
	static const char *const keys[] = {"identifier", "samples", NULL};

	s->journal_yline = vn->start_mark.line + 1;
	s->journal_ycol = vn->start_mark.column + 1;
	if (!yamldoc_walk(l, vn, keys, "journal", journal_pair, s))
		return;
	if (s->journal_re == NULL)
		yamldoc_err(l, vn, "journal: no 'identifier': which syslog "
		    "identifiers the set reads");
	if (s->njournal_samples == 0)
		yamldoc_err(l, vn, "journal: no 'samples': identifiers the "
		    "regex must take");
}

/* features: [{name: '+pid', field: pid}, {name: X, pattern: NAME}] */
static void
load_features(struct yamldoc *l, struct pattern_set *s, yaml_node_t *n)
{
	if (n == NULL || n->type != YAML_SEQUENCE_NODE) {
		yamldoc_err(l, n, "features must be a list");
		return;
	}
	for (yaml_node_item_t *it = n->data.sequence.items.start;
	    it < n->data.sequence.items.top; it++) {
		yaml_node_t *fn = yamldoc_node(l, *it);
		const char *name = yamldoc_get(l, fn, "name", NULL);
		const char *field = yamldoc_get(l, fn, "field", NULL);
		const char *pat = yamldoc_get(l, fn, "pattern", NULL);
		int f = field ? (int)field_by_name(field, strlen(field)) : -1;

		if (s->nfeat == FEATURES_MAX || name == NULL ||
		    (field == NULL) == (pat == NULL) || f == F__COUNT) {
			yamldoc_err(l, fn, "a feature is {name: N, field: F} or "
			    "{name: N, pattern: P}, at most %d", FEATURES_MAX);
			continue;
		}
		s->feat_name[s->nfeat] = xstrdup(name);
		s->feat_field[s->nfeat] = f;
		s->feat_pat[s->nfeat] = pat ? xstrdup(pat) : NULL;
		s->nfeat++;
	}
}

static void
set_top_pair(struct yamldoc *l, const char *k, yaml_node_t *kn, yaml_node_t *vn,
    void *arg)
{
	struct set_ctx *c = arg;
	struct pattern_set *s = c->s;
	const char *v = yamldoc_scalar(vn);

	(void)kn;
	if (strcmp(k, "mta") == 0) {
		if (v == NULL || !*v)
			yamldoc_err(l, vn, "mta must be a name");
		else
			s->mta = xstrdup(v);
	} else if (strcmp(k, "extends") == 0) {
		if (v == NULL || !*v)
			yamldoc_err(l, vn, "extends must name a pattern set");
		c->extends = v;
		c->extends_node = vn;
	} else if (strcmp(k, "description") == 0) {
		if (v)
			s->description = xstrdup(v);
	} else if (strcmp(k, "dispatch") == 0) {
		s->dispatch = v ? field_by_name(v, strlen(v)) : -1;
		if (s->dispatch < 0)
			yamldoc_err(l, vn, "dispatch: unknown field '%s'",
			    v ? v : "");
	} else if (strcmp(k, "session") == 0) {
		s->nalt = pattern_session_keys(l, vn, s->alt);
	} else if (strcmp(k, "message") == 0) {
		s->message_field = v ? field_by_name(v, strlen(v)) : -1;
		if (s->message_field < 0)
			yamldoc_err(l, vn, "message: unknown field '%s'",
			    v ? v : "");
	} else if (strcmp(k, "label") == 0) {
		if (v)
			s->label = xstrdup(v);
	} else if (strcmp(k, "features") == 0) {
		load_features(l, s, vn);
	} else if (strcmp(k, "advice") == 0) {
		if (v)
			s->advice = xstrdup(v);
		else
			yamldoc_err(l, vn, "advice must be a string");
	} else if (strcmp(k, "linger") == 0) {
		char *end;
		long secs = v ? strtol(v, &end, 10) : -1;

		if (v == NULL || *v == '\0' || *end != '\0' || secs < 0 ||
		    secs > 600)
			yamldoc_err(l, vn,
			    "linger must be seconds from 0 to 600");
		else
			s->linger_us = (int64_t)secs * 1000000;
	} else if (strcmp(k, "stages") == 0) {
		pattern_stages_load(l, s, vn);
	} else if (strcmp(k, "timestamp-format") == 0) {
		pattern_ts_load(l, s, vn);
	} else if (strcmp(k, "csv") == 0) {
		load_csv(l, s, vn);
	} else if (strcmp(k, "journal") == 0) {
		load_journal(l, s, vn);
	} else if (strcmp(k, "field-sets") == 0) {
		c->fieldsets = vn;
	} else if (strcmp(k, "prefixes") == 0) {
		c->prefixes = vn;
	} else if (strcmp(k, "patterns") == 0) {
		c->patterns = vn;
	} else if (strcmp(k, "causes") == 0) {
		c->causes = vn;
	} else if (strcmp(k, "defaults") == 0) {
		c->defaults = vn;
	}
}

/* Patterns (or prefixes) in one list at most: the shipped files have
 * a few hundred; a list of aliases can have millions. */
#define PATTERNS_MAX 10000

static struct pattern *
load_list(struct yamldoc *l, yaml_node_t *n, size_t *count, bool is_prefix,
    const struct fieldsets *fs)
{
	struct pattern *v;
	struct strmap *names;
	size_t cnt;

	*count = 0;
	if (n == NULL || n->type != YAML_SEQUENCE_NODE) {
		yamldoc_err(l, n, "%s must be a list", is_prefix ? "prefixes" :
		    "patterns");
		return NULL;
	}
	cnt = (size_t)(n->data.sequence.items.top -
	    n->data.sequence.items.start);
	if (cnt > PATTERNS_MAX) {
		yamldoc_err(l, n, "%zu %s: more than %d", cnt, is_prefix ?
		    "prefixes" : "patterns", PATTERNS_MAX);
		return NULL;
	}
	v = xcalloc(cnt, sizeof(struct pattern));
	/* names seen, each reported once when it comes again (a list of
	 * 100,000 aliases of one pattern gave 5 billion messages) */
	names = strmap_new();
	for (size_t i = 0; i < cnt; i++) {
		yaml_node_t *pn =
		    yamldoc_node(l, n->data.sequence.items.start[i]);
		const char *nm;
		uintptr_t seen;

		load_pattern(l, pn, &v[i], is_prefix, fs);
		nm = v[i].name ? v[i].name : "";
		seen = (uintptr_t)strmap_get(names, nm, strlen(nm));
		if (seen == 1)
			yamldoc_err(l, pn, "duplicate %s name '%s'",
			    is_prefix ? "prefix" : "pattern", nm);
		if (seen < 2)
			strmap_put(names, nm, strlen(nm),
			    (void *)(uintptr_t)(seen + 1));
	}
	strmap_free(names);
	*count = cnt;
	return v;
}

/* The prefixes and patterns of a file, read into c->s. */
static void
load_lists(struct yamldoc *l, struct set_ctx *c, yaml_node_t *root,
    bool need)
{
	struct pattern_set *s = c->s;

	if (c->fieldsets)
		fieldsets_load(l, c->fieldsets, &c->fs);
	if (c->prefixes)
		s->prefixes = load_list(l, c->prefixes, &s->nprefixes, true,
		    NULL);
	else if (need)
		yamldoc_err(l, root, "no 'prefixes'");
	if (c->patterns)
		s->patterns = load_list(l, c->patterns, &s->npatterns, false,
		    &c->fs);
	else if (need)
		yamldoc_err(l, root, "no 'patterns'");
	for (size_t i = 0; i < s->nprefixes; i++) {
		s->prefixes[i].set = s;
		s->prefixes[i].file = s->file;
	}
	for (size_t i = 0; i < s->npatterns; i++) {
		s->patterns[i].set = s;
		s->patterns[i].file = s->file;
	}
	cause_check_patterns(l, c->db, s->patterns, s->npatterns);
}

/* A whole set: new, or replacing the one of the same name. */
static void
add_set(struct pattern_db *db, struct pattern_set *s)
{
	pattern_set_build_groups(s);
	for (size_t i = 0; i < db->nsets; i++)
		if (strcmp(db->sets[i]->mta, s->mta) == 0) {
			pattern_db_note(db, "%s: replaces %s", s->file,
			    db->sets[i]->file);
			pattern_set_free(db->sets[i]);
			db->sets[i] = s;
			return;
		}
	grow_array((void **)&db->sets, &db->capsets, db->nsets + 1,
	    sizeof(*db->sets));
	db->sets[db->nsets++] = s;
}

static bool
load_file(struct pattern_db *db, const char *path)
{
	struct yamldoc l = {.file = path};
	yaml_node_t *root;
	struct set_ctx c = {0};
	struct pattern_set *target = NULL;
	static const char *const keys[] = {"mta", "extends", "description",
	    "dispatch", "session", "message", "label", "linger", "advice",
	    "features", "stages", "timestamp-format",
	    "csv", "journal", "field-sets", "prefixes", "patterns", "causes",
	    "defaults", NULL};
	size_t first_cause = db->ncauses;
	bool ok;

	if (!yamldoc_load(path, "pattern file", &l.doc, &root))
		return false;
	c.s = xcalloc(1, sizeof(struct pattern_set));
	c.s->dispatch = -1;
	c.s->message_field = -1;
	c.s->file = xstrdup(path);
	c.db = db;
	yamldoc_walk(&l, root, keys, "pattern file", set_top_pair, &c);
	if (c.causes)
		cause_load(&l, db, c.causes);
	if (c.defaults)
		cause_defaults_load(&l, db, c.defaults);
	if (c.extends) {
		if (c.s->mta)
			yamldoc_err(&l, c.extends_node, "a file has 'mta' "
			    "(a set of its own) or 'extends', not both");
		pattern_extend_keys(&l, root, c.extends);
		target = pattern_extend_target(&l, db, c.extends,
		    c.extends_node);
		load_lists(&l, &c, root, false);
		if (target)
			pattern_extend_names(&l, target, c.s);
	} else if (c.s->mta == NULL && c.causes == NULL &&
	    c.defaults == NULL && l.errors == 0) {
		yamldoc_err(&l, root, "no 'mta', 'extends', 'causes' or "
		    "'defaults': not a pattern file");
	} else if (c.s->mta != NULL) {
		pattern_ts_defaults(c.s);
		load_lists(&l, &c, root, true);
		if (c.s->nalt == 0)
			yamldoc_err(&l, root,
			    "no 'session': which fields make a "
			    "session key");
	}
	fieldsets_release(&c.fs);
	ok = l.errors == 0;
	yaml_document_delete(&l.doc);
	if (ok && target) {
		pattern_extend_merge(db, target, c.s, first_cause);
		return true;
	}
	if (!ok || c.s->mta == NULL) {
		pattern_set_free(c.s);
		return ok;
	}
	add_set(db, c.s);
	return true;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool
load_dir(struct pattern_db *db, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0;
	bool ok = true;

	if (d == NULL) {
		diag_error("cannot open pattern directory '%s': %s", dir,
		    strerror(errno));
		return false;
	}
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);

		/* codes.yaml lives here too but is codes.c's (codes.h) */
		if (len < 6 || strcmp(e->d_name + len - 5, ".yaml") != 0 ||
		    e->d_name[0] == '.' || strcmp(e->d_name, "codes.yaml") == 0)
			continue;
		grow_array((void **)&names, &cap, n + 1, sizeof(char *));
		names[n++] = xstrdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(char *), cmp_str);
	for (size_t i = 0; i < n; i++) {
		char path[4096];

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		ok &= load_file(db, path);
		free(names[i]);
	}
	free(names);
	if (n == 0)
		diag_warning("no pattern files (*.yaml) in '%s'", dir);
	return ok;
}

struct pattern_db *
pattern_db_load(const char *const *dirs, size_t ndirs)
{
	struct pattern_db *db = xcalloc(1, sizeof(*db));
	bool ok = true;

	pattern_mdata_hold();
	for (size_t i = 0; i < ndirs; i++)
		ok &= load_dir(db, dirs[i]);
	if (!ok) {
		pattern_db_free(db);
		return NULL;
	}
	for (size_t i = 0; i < db->nsets; i++)
		pattern_set_index(db->sets[i]);
	cause_memo_init(db);
	return db;
}

void
pattern_db_free(struct pattern_db *db)
{
	if (db == NULL)
		return;
	for (size_t i = 0; i < db->nsets; i++)
		pattern_set_free(db->sets[i]);
	free(db->sets);
	cause_rules_release(db);
	for (size_t i = 0; i < db->nnotes; i++)
		free(db->notes[i]);
	free(db->notes);
	free(db);
	pattern_mdata_drop();
}

