/*
 * pattern - see pattern.h; the schema is documented in patterns/README.md.
 *
 * Loading uses libyaml's document API: the files are small, and every node
 * carries its position, so each complaint names FILE:LINE:COLUMN. libyaml
 * accepts duplicate keys silently; the loader refuses them itself.
 *
 * Regexes are compiled without PCRE2_UTF (log files are bytes, and
 * attacker-controlled ones at that) and with PCRE2_NO_AUTO_CAPTURE, so only
 * named groups capture and authors may group with plain parentheses.
 * PCRE2_DUPNAMES lets two alternatives capture the same field; the first
 * group that is set wins. One match data block serves every pattern.
 */
#include "config.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <dirent.h>
#include <errno.h>
#include <pcre2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "csv.h"
#include "diag.h"
#include "pattern.h"
#include "session.h"
#include "yamldoc.h"

static const char *const field_names[F__COUNT] = {
	"ts", "host", "program", "daemon", "pid", "severity", "session",
	"queue", "client_name", "client_ip", "client_port", "server_ip",
	"server_port", "helo", "command", "arg", "reply", "enhanced", "text",
	"sender", "recipient", "orig_recipient", "relay", "status",
	"remote_stage", "phase", "kind", "cause", "action", "message_id",
	"size", "nrcpt", "new_queue", "orig_queue", "stats", "sasl_method",
	"sasl_user", "tls", "bytes", "count", "delay", "reason",
};

static const char *const event_names[EV__COUNT] = {
	"connect", "disconnect", "handoff", "command", "reply", "fail",
	"transaction", "accept", "delivery", "expire", "remove", "note",
	"ignore",
};

#define GROUPS_MAX 4
#define LIT_MAX 24

struct fmap {
	char *from, *to;
};

struct sample {
	char *line;
	char *log_type;	/* a CSV set's sample: its '#Log-type:' */
	char *expect[F__COUNT];
	size_t yline, ycol;
};

/* One way to key a session; see pattern_session_key(). */
struct keyalt {
	enum field key[KEY_FIELDS_MAX];
	size_t nkey;
	int64_t gap_us;
};

struct pattern {
	char *name;
	const struct pattern_set *set;
	size_t yline, ycol;
	enum event ev;
	enum scope scope;
	enum direction dir;
	bool explains, closes, fallback, needs_quit, trails;
	pcre2_code *re;
	bool jit;
	int groups[F__COUNT][GROUPS_MAX];
	unsigned char ngroups[F__COUNT];
	char *constv[F__COUNT];
	struct fmap *maps[F__COUNT];
	size_t nmaps[F__COUNT];
	char lit[LIT_MAX];
	size_t litlen;
	char **forv;
	size_t nfor;
	struct keyalt alt[KEY_ALTS_MAX];
	size_t nalt;
	char *label;
	char *reaches;	/* a phase the line shows the session got to */
	struct sample *samples;
	size_t nsamples;
	/* filled once loaded, for the hot path */
	unsigned char capf[F__COUNT], ncapf;	/* fields with groups */
	unsigned char actf[F__COUNT], nactf;	/* with a constant or map */
	struct lpart *lparts;
	size_t nlparts;
};

/* A label template, '{host}/{daemon}[{pid}]', as literal and field parts. */
struct lpart {
	int f;	/* -1: literal */
	const char *lit;
	size_t len;
};

struct group {
	size_t *idx;
	size_t n, cap;
};

struct pattern_set {
	char *mta, *description, *file;
	struct pattern *prefixes;
	size_t nprefixes;
	struct pattern *patterns;
	size_t npatterns;
	int dispatch;
	struct keyalt alt[KEY_ALTS_MAX];
	size_t nalt;
	int message_field;
	int64_t linger_us;
	char *advice;	/* what makes an inexact session key exact */
	char *label;
	struct lpart *lparts;
	size_t nlparts;
	struct strmap *groups;
	struct group dflt;
	struct group all;	/* every pattern: lines without a prefix */
	struct pattern_csv *csv;	/* a CSV log's set (csv.h), or NULL */
	pcre2_code *csv_detect;	/* a record of a file without header */
	bool csv_detect_jit;
};

struct cause_sample {
	char *text, *phase;
	size_t yline, ycol;
};

struct cause_rule {
	char *cause;
	char *file;
	pcre2_code *re;
	bool jit;
	char **phases;
	size_t nphases;
	struct cause_sample *samples;
	size_t nsamples;
	size_t yline, ycol;
};

struct pattern_db {
	struct pattern_set **sets;
	size_t nsets, capsets;
	struct cause_rule *causes;
	size_t ncauses, capcauses;
};

/*
 * One match-data block serves every regex (the tool is single-threaded);
 * it grows to the largest capture count and lives while any db does.
 */
static pcre2_match_data *mdata;
static uint32_t mdata_pairs;
static unsigned ndbs;

const char *
field_name(enum field f)
{
	return f < F__COUNT ? field_names[f] : "?";
}

const char *
event_name(enum event e)
{
	return e < EV__COUNT ? event_names[e] : "?";
}

static int
field_by_name(const char *s)
{
	for (int i = 0; i < F__COUNT; i++)
		if (strcmp(field_names[i], s) == 0)
			return i;
	return -1;
}

static int
event_by_name(const char *s)
{
	for (int i = 0; i < EV__COUNT; i++)
		if (strcmp(event_names[i], s) == 0)
			return i;
	return -1;
}

/* --- YAML helpers ------------------------------------------------------ */

struct ldr {
	const char *file;
	yaml_document_t doc;
	unsigned errors;
	const char *pname;	/* pattern being read, for messages */
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
	if (l->pname)
		diag_at(DIAG_ERROR, l->file, n ? n->start_mark.line + 1 : 0,
		    n ? n->start_mark.column + 1 : 0, "pattern '%s': %s",
		    l->pname, msg);
	else
		diag_at(DIAG_ERROR, l->file, n ? n->start_mark.line + 1 : 0,
		    n ? n->start_mark.column + 1 : 0, "%s", msg);
}

static const char *
scalar(const yaml_node_t *n)
{
	if (n == NULL || n->type != YAML_SCALAR_NODE)
		return NULL;
	return (const char *)n->data.scalar.value;
}

static yaml_node_t *
node(struct ldr *l, int id)
{
	return yaml_document_get_node(&l->doc, id);
}

/*
 * Walk a mapping: for each pair call fn(key, value); refuse duplicate keys
 * and keys not in allowed (NULL-terminated).
 */
typedef void (*pair_fn)(struct ldr *, const char *key, yaml_node_t *kn,
    yaml_node_t *vn, void *arg);

static bool
walk_mapping(struct ldr *l, yaml_node_t *m, const char *const *allowed,
    const char *what, pair_fn fn, void *arg)
{
	yaml_node_pair_t *p;

	if (m == NULL || m->type != YAML_MAPPING_NODE) {
		lerr(l, m, "%s must be a mapping", what);
		return false;
	}
	for (p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top;
	    p++) {
		yaml_node_t *kn = node(l, p->key), *vn = node(l, p->value);
		const char *k = scalar(kn);
		bool known = false;

		if (k == NULL) {
			lerr(l, kn, "%s: keys must be plain strings", what);
			continue;
		}
		for (yaml_node_pair_t *q = m->data.mapping.pairs.start; q < p;
		    q++) {
			const char *k2 = scalar(node(l, q->key));

			if (k2 && strcmp(k, k2) == 0) {
				lerr(l, kn, "duplicate key '%s' in %s", k,
				    what);
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
				lerr(l, kn, "unknown key '%s' in %s", k, what);
				continue;
			}
		}
		fn(l, k, kn, vn, arg);
	}
	return true;
}

static char **
string_list(struct ldr *l, yaml_node_t *n, size_t *count, const char *what)
{
	char **v;
	size_t i = 0;

	*count = 0;
	if (scalar(n)) {
		v = xcalloc(1, sizeof(char *));
		v[0] = xstrdup(scalar(n));
		*count = 1;
		return v;
	}
	if (n == NULL || n->type != YAML_SEQUENCE_NODE) {
		lerr(l, n, "%s must be a string or a list of strings", what);
		return NULL;
	}
	v = xcalloc((size_t)(n->data.sequence.items.top -
	    n->data.sequence.items.start) + 1, sizeof(char *));
	for (yaml_node_item_t *it = n->data.sequence.items.start;
	    it < n->data.sequence.items.top; it++) {
		const char *s = scalar(node(l, *it));

		if (s == NULL) {
			lerr(l, node(l, *it), "%s must hold strings", what);
			continue;
		}
		v[i++] = xstrdup(s);
	}
	*count = i;
	return v;
}

static size_t
key_list(struct ldr *l, yaml_node_t *n, enum field *out, const char *what)
{
	size_t cnt, k = 0;
	char **v = string_list(l, n, &cnt, what);

	for (size_t i = 0; i < cnt; i++) {
		int f = field_by_name(v[i]);

		if (f < 0)
			lerr(l, n, "%s: unknown field '%s'", what, v[i]);
		else if (k >= KEY_FIELDS_MAX)
			lerr(l, n, "%s: more than %d fields", what,
			    KEY_FIELDS_MAX);
		else
			out[k++] = (enum field)f;
		free(v[i]);
	}
	free(v);
	return k;
}

/*
 * session: [host, pid]                      one key
 * session:                                  alternatives, first usable wins
 *   - {key: [pid]}
 *   - {key: [client_ip, client_port], gap: 30}
 */
struct keyalt_ctx {
	struct keyalt *a;
	bool have_key;
};

static void
keyalt_pair(struct ldr *l, const char *k, yaml_node_t *kn, yaml_node_t *vn,
    void *arg)
{
	struct keyalt_ctx *c = arg;
	const char *v;
	char *end;
	long secs;

	(void)kn;
	if (strcmp(k, "key") == 0) {
		c->a->nkey = key_list(l, vn, c->a->key, "session key");
		c->have_key = true;
	} else {
		v = scalar(vn);
		secs = v ? strtol(v, &end, 10) : -1;
		if (v == NULL || *v == '\0' || *end != '\0' || secs < 0 ||
		    secs > 86400)
			lerr(l, vn, "session gap must be seconds from 0 to "
			    "86400");
		else
			c->a->gap_us = (int64_t)secs * 1000000;
	}
}

static size_t
session_keys(struct ldr *l, yaml_node_t *n, struct keyalt *alts)
{
	static const char *const keys[] = {"key", "gap", NULL};
	size_t k = 0;

	memset(alts, 0, KEY_ALTS_MAX * sizeof(*alts));
	if (n != NULL && n->type == YAML_SEQUENCE_NODE &&
	    n->data.sequence.items.top > n->data.sequence.items.start &&
	    node(l, *n->data.sequence.items.start)->type ==
	    YAML_MAPPING_NODE) {
		for (yaml_node_item_t *it = n->data.sequence.items.start;
		    it < n->data.sequence.items.top; it++) {
			struct keyalt_ctx c = {&alts[k < KEY_ALTS_MAX ? k :
			    KEY_ALTS_MAX - 1], false};

			if (k >= KEY_ALTS_MAX) {
				lerr(l, node(l, *it), "session: more than %d "
				    "alternatives", KEY_ALTS_MAX);
				break;
			}
			walk_mapping(l, node(l, *it), keys, "session",
			    keyalt_pair, &c);
			if (!c.have_key)
				lerr(l, node(l, *it), "session alternative "
				    "without 'key'");
			k++;
		}
		return k;
	}
	alts[0].nkey = key_list(l, n, alts[0].key, "session");
	return alts[0].nkey ? 1 : 0;
}

/* --- regex compilation -------------------------------------------------- */

static void
grow_mdata(uint32_t pairs)
{
	if (pairs <= mdata_pairs)
		return;
	if (mdata)
		pcre2_match_data_free(mdata);
	mdata = pcre2_match_data_create(pairs, NULL);
	if (mdata == NULL)
		diag_fatal("out of memory");
	mdata_pairs = pairs;
}

static pcre2_code *
compile(struct ldr *l, yaml_node_t *n, const char *rx, uint32_t extra,
    bool *jit)
{
	int err;
	PCRE2_SIZE off;
	pcre2_code *re;
	uint32_t cap;

	re = pcre2_compile((PCRE2_SPTR)rx, PCRE2_ZERO_TERMINATED,
	    PCRE2_NO_AUTO_CAPTURE | PCRE2_DUPNAMES | extra, &err, &off, NULL);
	if (re == NULL) {
		char msg[256];

		pcre2_get_error_message(err, (PCRE2_UCHAR *)msg, sizeof(msg));
		lerr(l, n, "regex does not compile: %s at offset %zu", msg,
		    (size_t)off);
		return NULL;
	}
	*jit = pcre2_jit_compile(re, PCRE2_JIT_COMPLETE) == 0;
	pcre2_pattern_info(re, PCRE2_INFO_CAPTURECOUNT, &cap);
	grow_mdata(cap + 1);
	return re;
}

/* Map every named group to its field; refuse names outside the set. */
static void
resolve_groups(struct ldr *l, yaml_node_t *n, struct pattern *p)
{
	uint32_t count, size;
	PCRE2_SPTR table;

	pcre2_pattern_info(p->re, PCRE2_INFO_NAMECOUNT, &count);
	pcre2_pattern_info(p->re, PCRE2_INFO_NAMEENTRYSIZE, &size);
	pcre2_pattern_info(p->re, PCRE2_INFO_NAMETABLE, &table);
	for (uint32_t i = 0; i < count; i++, table += size) {
		int num = (table[0] << 8) | table[1];
		const char *name = (const char *)table + 2;
		int f = field_by_name(name);

		if (f < 0) {
			lerr(l, n, "unknown field '%s' (named group)", name);
			continue;
		}
		if (p->ngroups[f] < GROUPS_MAX)
			p->groups[f][p->ngroups[f]++] = num;
	}
}

/* Whether rx has a '|' outside every group and class: "^a|b". */
static bool
top_level_alternation(const char *rx)
{
	int depth = 0;
	bool in_class = false;

	for (const char *s = rx; *s; s++) {
		if (*s == '\\') {
			if (s[1] == '\0')
				break;
			s++;
		} else if (in_class) {
			if (*s == ']')
				in_class = false;
		} else if (*s == '[') {
			in_class = true;
			if (s[1] == '^')
				s++;
			if (s[1] == ']')
				s++;
		} else if (*s == '(') {
			depth++;
		} else if (*s == ')') {
			depth--;
		} else if (*s == '|' && depth == 0) {
			return true;
		}
	}
	return false;
}

/*
 * The literal text every match must start with, for a memcmp() before the
 * regex: the characters after '^' up to the first metacharacter; a
 * character followed by a quantifier does not count, and a regex with a
 * top-level alternative has none.
 */
static void
literal_lead(struct pattern *p, const char *rx)
{
	size_t n = 0;

	if (rx[0] != '^' || top_level_alternation(rx))
		return;
	for (const char *s = rx + 1; *s && n < LIT_MAX; s++) {
		if (strchr("\\.[]()*+?{}|^$", *s))
			break;
		if (s[1] && strchr("*?{", s[1]))
			break;
		p->lit[n++] = *s;
	}
	p->litlen = n;
}

/* --- pattern entries ----------------------------------------------------- */

static void
sample_pair(struct ldr *l, const char *k, yaml_node_t *kn, yaml_node_t *vn,
    void *arg);

static void
expect_pair(struct ldr *l, const char *k, yaml_node_t *kn, yaml_node_t *vn,
    void *arg)
{
	struct sample *s = arg;
	int f = field_by_name(k);
	const char *v = scalar(vn);

	if (f < 0) {
		lerr(l, kn, "expect: unknown field '%s'", k);
		return;
	}
	if (v == NULL) {
		lerr(l, vn, "expect: '%s' must be a string", k);
		return;
	}
	s->expect[f] = xstrdup(v);
}

static void
sample_pair(struct ldr *l, const char *k, yaml_node_t *kn, yaml_node_t *vn,
    void *arg)
{
	static const char *const keys[] = {"expect", NULL};
	struct sample *s = arg;

	if (strcmp(k, "line") == 0) {
		if (scalar(vn) == NULL)
			lerr(l, vn, "sample line must be a string");
		else
			s->line = xstrdup(scalar(vn));
	} else if (strcmp(k, "expect") == 0) {
		walk_mapping(l, vn, NULL, "expect", expect_pair, s);
	} else if (strcmp(k, "log-type") == 0) {
		if (scalar(vn) == NULL)
			lerr(l, vn, "sample log-type must be a string");
		else
			s->log_type = xstrdup(scalar(vn));
	}
	(void)keys;
	(void)kn;
}

static void
load_samples(struct ldr *l, yaml_node_t *n, struct pattern *p)
{
	static const char *const keys[] = {"line", "expect", "log-type",
	    NULL};
	size_t cnt;

	if (n == NULL || n->type != YAML_SEQUENCE_NODE) {
		lerr(l, n, "samples must be a list");
		return;
	}
	cnt = (size_t)(n->data.sequence.items.top -
	    n->data.sequence.items.start);
	p->samples = xcalloc(cnt, sizeof(struct sample));
	for (yaml_node_item_t *it = n->data.sequence.items.start;
	    it < n->data.sequence.items.top; it++) {
		yaml_node_t *sn = node(l, *it);
		struct sample *s = &p->samples[p->nsamples];

		s->yline = sn->start_mark.line + 1;
		s->ycol = sn->start_mark.column + 1;
		if (scalar(sn)) {
			s->line = xstrdup(scalar(sn));
		} else {
			walk_mapping(l, sn, keys, "sample", sample_pair, s);
			if (s->line == NULL) {
				lerr(l, sn, "sample without 'line'");
				continue;
			}
		}
		p->nsamples++;
	}
}

struct pat_ctx {
	struct pattern *p;
	const char *regex;
	yaml_node_t *regex_node, *samples_node, *node;
	bool is_prefix;
};

static void
set_pair(struct ldr *l, const char *k, yaml_node_t *kn, yaml_node_t *vn,
    void *arg)
{
	struct pattern *p = arg;
	int f = field_by_name(k);

	if (f < 0) {
		lerr(l, kn, "set: unknown field '%s'", k);
		return;
	}
	if (scalar(vn) == NULL) {
		lerr(l, vn, "set: '%s' must be a string", k);
		return;
	}
	p->constv[f] = xstrdup(scalar(vn));
}

static void
fmap_pair(struct ldr *l, const char *k, yaml_node_t *kn, yaml_node_t *vn,
    void *arg)
{
	void **a = arg;
	struct pattern *p = a[0];
	int f = *(int *)a[1];
	size_t n = p->nmaps[f];

	if (scalar(vn) == NULL) {
		lerr(l, vn, "map: value for '%s' must be a string", k);
		return;
	}
	p->maps[f] = xrealloc(p->maps[f], (n + 1) * sizeof(struct fmap));
	p->maps[f][n].from = xstrdup(k);
	p->maps[f][n].to = xstrdup(scalar(vn));
	p->nmaps[f]++;
	(void)kn;
}

static void
map_pair(struct ldr *l, const char *k, yaml_node_t *kn, yaml_node_t *vn,
    void *arg)
{
	struct pattern *p = arg;
	int f = field_by_name(k);
	void *a[2] = {p, &f};

	if (f < 0) {
		lerr(l, kn, "map: unknown field '%s'", k);
		return;
	}
	walk_mapping(l, vn, NULL, "map", fmap_pair, a);
}

static bool
bool_value(struct ldr *l, yaml_node_t *vn, const char *k)
{
	const char *v = scalar(vn);

	if (v && (strcmp(v, "true") == 0 || strcmp(v, "yes") == 0))
		return true;
	if (v && (strcmp(v, "false") == 0 || strcmp(v, "no") == 0))
		return false;
	lerr(l, vn, "'%s' must be true or false", k);
	return false;
}

static void
pattern_pair(struct ldr *l, const char *k, yaml_node_t *kn, yaml_node_t *vn,
    void *arg)
{
	struct pat_ctx *c = arg;
	struct pattern *p = c->p;
	const char *v = scalar(vn);

	(void)kn;
	if (strcmp(k, "name") == 0) {
		/* read first, see load_pattern() */
	} else if (strcmp(k, "description") == 0) {
		if (v == NULL)
			lerr(l, vn, "description must be a string");
	} else if (strcmp(k, "regex") == 0) {
		if (v == NULL)
			lerr(l, vn, "regex must be a string");
		c->regex = v;
		c->regex_node = vn;
	} else if (strcmp(k, "samples") == 0) {
		c->samples_node = vn;
	} else if (strcmp(k, "fallback") == 0) {
		p->fallback = bool_value(l, vn, k);
	} else if (strcmp(k, "event") == 0) {
		int e = v ? event_by_name(v) : -1;

		if (e < 0)
			lerr(l, vn, "unknown event '%s'", v ? v : "");
		else
			p->ev = (enum event)e;
	} else if (strcmp(k, "scope") == 0) {
		if (v && strcmp(v, "session") == 0)
			p->scope = SCOPE_SESSION;
		else if (v && strcmp(v, "message") == 0)
			p->scope = SCOPE_MESSAGE;
		else
			lerr(l, vn, "scope must be 'session' or 'message'");
	} else if (strcmp(k, "direction") == 0) {
		if (v && strcmp(v, "inbound") == 0)
			p->dir = DIR_INBOUND;
		else if (v && strcmp(v, "outbound") == 0)
			p->dir = DIR_OUTBOUND;
		else
			lerr(l, vn,
			    "direction must be 'inbound' or 'outbound'");
	} else if (strcmp(k, "for") == 0) {
		p->forv = string_list(l, vn, &p->nfor, "for");
	} else if (strcmp(k, "session") == 0) {
		p->nalt = session_keys(l, vn, p->alt);
	} else if (strcmp(k, "label") == 0) {
		if (v == NULL)
			lerr(l, vn, "label must be a string");
		else
			p->label = xstrdup(v);
	} else if (strcmp(k, "explains") == 0) {
		p->explains = bool_value(l, vn, k);
	} else if (strcmp(k, "closes") == 0) {
		p->closes = bool_value(l, vn, k);
	} else if (strcmp(k, "needs_quit") == 0) {
		p->needs_quit = bool_value(l, vn, k);
	} else if (strcmp(k, "trails") == 0) {
		p->trails = bool_value(l, vn, k);
	} else if (strcmp(k, "reaches") == 0) {
		const char *ph = scalar(vn);

		if (ph == NULL || phase_by_name(ph, strlen(ph)) == PHASE_NONE)
			lerr(l, vn, "reaches: unknown phase '%s'",
			    ph ? ph : "");
		else
			p->reaches = xstrdup(ph);
	} else if (strcmp(k, "set") == 0) {
		walk_mapping(l, vn, NULL, "set", set_pair, p);
	} else if (strcmp(k, "map") == 0) {
		walk_mapping(l, vn, NULL, "map", map_pair, p);
	}
}

static const char *
mapping_get(struct ldr *l, yaml_node_t *m, const char *key, yaml_node_t **out)
{
	if (m == NULL || m->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start;
	    p < m->data.mapping.pairs.top; p++) {
		const char *k = scalar(node(l, p->key));

		if (k && strcmp(k, key) == 0) {
			if (out)
				*out = node(l, p->value);
			return scalar(node(l, p->value));
		}
	}
	return NULL;
}

static bool
load_pattern(struct ldr *l, yaml_node_t *n, struct pattern *p,
    bool is_prefix)
{
	static const char *const pkeys[] = {"name", "description", "for",
	    "event", "scope", "direction", "session", "label", "explains",
	    "closes", "needs_quit", "trails", "reaches", "set", "map", "regex",
	    "samples", NULL};
	static const char *const xkeys[] = {"name", "description", "regex",
	    "fallback", "samples", NULL};
	struct pat_ctx c = {.p = p, .node = n, .is_prefix = is_prefix};
	unsigned before = l->errors;
	const char *name = mapping_get(l, n, "name", NULL);
	char where[64];

	if (name == NULL) {
		snprintf(where, sizeof(where), "#%zu",
		    n ? n->start_mark.line + 1 : 0);
		name = where;
		lerr(l, n, "%s without a name", is_prefix ? "prefix" :
		    "pattern");
	}
	p->name = xstrdup(name);
	l->pname = p->name;
	p->yline = n ? n->start_mark.line + 1 : 0;
	p->ycol = n ? n->start_mark.column + 1 : 0;
	p->ev = EV__COUNT;
	p->scope = SCOPE_SESSION;
	walk_mapping(l, n, is_prefix ? xkeys : pkeys,
	    is_prefix ? "prefix" : "pattern", pattern_pair, &c);
	if (!is_prefix && p->ev == EV__COUNT && l->errors == before)
		lerr(l, n, "no 'event'");
	if (!is_prefix && mapping_get(l, n, "scope", NULL) == NULL &&
	    (p->ev == EV_ACCEPT || p->ev == EV_DELIVERY ||
	    p->ev == EV_EXPIRE || p->ev == EV_REMOVE))
		p->scope = SCOPE_MESSAGE;
	if (c.regex == NULL) {
		if (c.regex_node == NULL)
			lerr(l, n, "no 'regex'");
	} else {
		p->re = compile(l, c.regex_node, c.regex, 0, &p->jit);
		if (p->re) {
			resolve_groups(l, c.regex_node, p);
			literal_lead(p, c.regex);
		}
	}
	if (c.samples_node == NULL)
		lerr(l, n, "no samples: every pattern carries real lines");
	else
		load_samples(l, c.samples_node, p);
	if (c.samples_node && p->nsamples == 0)
		lerr(l, c.samples_node, "no samples: every pattern carries "
		    "real lines");
	l->pname = NULL;
	return l->errors == before;
}

/* --- files -------------------------------------------------------------- */

struct set_ctx {
	struct pattern_set *s;
	struct pattern_db *db;
	yaml_node_t *prefixes, *patterns, *causes;
};

/*
 * csv:
 *   log-types: [SMTP Receive Protocol Log]   '#Log-type:' values
 *   fields: [log-type, date-time, ...]       the canonical line's columns
 *   header: [date-time, connector-id, ...]   the documented '#Fields:'
 *   detect: '^\d{4}-...'                     a record without a header
 */
static void
csv_pair(struct ldr *l, const char *k, yaml_node_t *kn, yaml_node_t *vn,
    void *arg)
{
	struct pattern_set *s = arg;
	struct pattern_csv *c = s->csv;

	(void)kn;
	if (strcmp(k, "log-types") == 0) {
		c->log_types = string_list(l, vn, &c->nlog_types,
		    "csv log-types");
	} else if (strcmp(k, "fields") == 0) {
		c->fields = string_list(l, vn, &c->nfields, "csv fields");
	} else if (strcmp(k, "header") == 0) {
		size_t n;
		char **v = string_list(l, vn, &n, "csv header");
		struct buf b = {0};

		for (size_t i = 0; i < n; i++) {
			if (i)
				buf_addc(&b, ',');
			buf_add(&b, v[i], strlen(v[i]));
			free(v[i]);
		}
		free(v);
		free(c->header);
		c->header = xstrdup(b.s ? b.s : "");
		buf_free(&b);
	} else if (strcmp(k, "detect") == 0) {
		if (scalar(vn) == NULL)
			lerr(l, vn, "csv detect must be a regex");
		else
			s->csv_detect = compile(l, vn, scalar(vn), 0,
			    &s->csv_detect_jit);
	}
}

static void
load_csv(struct ldr *l, struct pattern_set *s, yaml_node_t *vn)
{
	static const char *const keys[] = {"log-types", "fields", "header",
	    "detect", NULL};

	if (s->csv) {
		lerr(l, vn, "duplicate key 'csv'");
		return;
	}
	s->csv = xcalloc(1, sizeof(*s->csv));
	walk_mapping(l, vn, keys, "csv", csv_pair, s);
	if (s->csv->nfields == 0)
		lerr(l, vn, "csv: no 'fields': which columns make a line");
	if (s->csv->header == NULL)
		lerr(l, vn, "csv: no 'header': the documented '#Fields:' "
		    "columns, for samples and files without a header");
}

static void
set_top_pair(struct ldr *l, const char *k, yaml_node_t *kn, yaml_node_t *vn,
    void *arg)
{
	struct set_ctx *c = arg;
	struct pattern_set *s = c->s;
	const char *v = scalar(vn);

	(void)kn;
	if (strcmp(k, "mta") == 0) {
		if (v == NULL || !*v)
			lerr(l, vn, "mta must be a name");
		else
			s->mta = xstrdup(v);
	} else if (strcmp(k, "description") == 0) {
		if (v)
			s->description = xstrdup(v);
	} else if (strcmp(k, "dispatch") == 0) {
		s->dispatch = v ? field_by_name(v) : -1;
		if (s->dispatch < 0)
			lerr(l, vn, "dispatch: unknown field '%s'",
			    v ? v : "");
	} else if (strcmp(k, "session") == 0) {
		s->nalt = session_keys(l, vn, s->alt);
	} else if (strcmp(k, "message") == 0) {
		s->message_field = v ? field_by_name(v) : -1;
		if (s->message_field < 0)
			lerr(l, vn, "message: unknown field '%s'", v ? v : "");
	} else if (strcmp(k, "label") == 0) {
		if (v)
			s->label = xstrdup(v);
	} else if (strcmp(k, "advice") == 0) {
		if (v)
			s->advice = xstrdup(v);
		else
			lerr(l, vn, "advice must be a string");
	} else if (strcmp(k, "linger") == 0) {
		char *end;
		long secs = v ? strtol(v, &end, 10) : -1;

		if (v == NULL || *v == '\0' || *end != '\0' || secs < 0 ||
		    secs > 600)
			lerr(l, vn, "linger must be seconds from 0 to 600");
		else
			s->linger_us = (int64_t)secs * 1000000;
	} else if (strcmp(k, "csv") == 0) {
		load_csv(l, s, vn);
	} else if (strcmp(k, "prefixes") == 0) {
		c->prefixes = vn;
	} else if (strcmp(k, "patterns") == 0) {
		c->patterns = vn;
	} else if (strcmp(k, "causes") == 0) {
		c->causes = vn;
	}
}

static void
free_pattern(struct pattern *p)
{
	free(p->name);
	if (p->re)
		pcre2_code_free(p->re);
	for (int f = 0; f < F__COUNT; f++) {
		free(p->constv[f]);
		for (size_t i = 0; i < p->nmaps[f]; i++) {
			free(p->maps[f][i].from);
			free(p->maps[f][i].to);
		}
		free(p->maps[f]);
	}
	for (size_t i = 0; i < p->nfor; i++)
		free(p->forv[i]);
	free(p->forv);
	free(p->label);
	free(p->reaches);
	free(p->lparts);
	for (size_t i = 0; i < p->nsamples; i++) {
		free(p->samples[i].line);
		free(p->samples[i].log_type);
		for (int f = 0; f < F__COUNT; f++)
			free(p->samples[i].expect[f]);
	}
	free(p->samples);
}

static void
free_group(void *val, void *arg)
{
	struct group *g = val;

	(void)arg;
	free(g->idx);
	free(g);
}

static void
free_set(struct pattern_set *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->nprefixes; i++)
		free_pattern(&s->prefixes[i]);
	for (size_t i = 0; i < s->npatterns; i++)
		free_pattern(&s->patterns[i]);
	free(s->prefixes);
	free(s->patterns);
	if (s->groups) {
		strmap_each(s->groups, free_group, NULL);
		strmap_free(s->groups);
	}
	free(s->dflt.idx);
	free(s->all.idx);
	free(s->mta);
	free(s->description);
	free(s->file);
	free(s->label);
	free(s->advice);
	free(s->lparts);
	if (s->csv) {
		for (size_t i = 0; i < s->csv->nfields; i++)
			free(s->csv->fields[i]);
		free(s->csv->fields);
		for (size_t i = 0; i < s->csv->nlog_types; i++)
			free(s->csv->log_types[i]);
		free(s->csv->log_types);
		free(s->csv->header);
		free(s->csv);
	}
	if (s->csv_detect)
		pcre2_code_free(s->csv_detect);
	free(s);
}

static struct pattern *
load_list(struct ldr *l, yaml_node_t *n, size_t *count, bool is_prefix)
{
	struct pattern *v;
	size_t cnt;

	*count = 0;
	if (n == NULL || n->type != YAML_SEQUENCE_NODE) {
		lerr(l, n, "%s must be a list", is_prefix ? "prefixes" :
		    "patterns");
		return NULL;
	}
	cnt = (size_t)(n->data.sequence.items.top -
	    n->data.sequence.items.start);
	v = xcalloc(cnt, sizeof(struct pattern));
	for (size_t i = 0; i < cnt; i++) {
		yaml_node_t *pn = node(l, n->data.sequence.items.start[i]);

		load_pattern(l, pn, &v[i], is_prefix);
		for (size_t j = 0; j < i; j++)
			if (strcmp(v[j].name, v[i].name) == 0)
				lerr(l, pn, "duplicate %s name '%s'",
				    is_prefix ? "prefix" : "pattern",
				    v[i].name);
	}
	*count = cnt;
	return v;
}

static void
group_add(struct group *g, size_t idx)
{
	grow_array((void **)&g->idx, &g->cap, g->n + 1, sizeof(size_t));
	g->idx[g->n++] = idx;
}

/*
 * Dispatch groups: for each value named in some pattern's "for", the
 * patterns for it and those without "for", in file order; the default
 * group holds only the patterns without "for".
 */
static void
build_groups(struct pattern_set *s)
{
	s->groups = strmap_new();
	for (size_t i = 0; i < s->npatterns; i++)
		group_add(&s->all, i);
	for (size_t i = 0; i < s->npatterns; i++)
		for (size_t j = 0; j < s->patterns[i].nfor; j++) {
			const char *v = s->patterns[i].forv[j];

			if (!strmap_get(s->groups, v, strlen(v)))
				strmap_put(s->groups, v, strlen(v),
				    xcalloc(1, sizeof(struct group)));
		}
	for (size_t i = 0; i < s->npatterns; i++) {
		struct pattern *p = &s->patterns[i];

		if (p->nfor == 0) {
			group_add(&s->dflt, i);
			continue;
		}
		for (size_t j = 0; j < p->nfor; j++)
			group_add(strmap_get(s->groups, p->forv[j],
			    strlen(p->forv[j])), i);
	}
	/* patterns without "for" join every named group, in order */
	for (size_t i = 0; i < s->npatterns; i++) {
		if (s->patterns[i].nfor)
			continue;
		for (size_t a = 0; a < s->npatterns; a++)
			for (size_t j = 0; j < s->patterns[a].nfor; j++) {
				struct group *g;
				const char *v = s->patterns[a].forv[j];
				bool have = false;

				g = strmap_get(s->groups, v, strlen(v));
				for (size_t k = 0; k < g->n; k++)
					have |= g->idx[k] == i;
				if (!have)
					group_add(g, i);
			}
	}
	/* keep file order inside each group */
	for (size_t a = 0; a < s->npatterns; a++)
		for (size_t j = 0; j < s->patterns[a].nfor; j++) {
			const char *v = s->patterns[a].forv[j];
			struct group *g = strmap_get(s->groups, v, strlen(v));

			for (size_t x = 1; x < g->n; x++)
				for (size_t y = x; y > 0 &&
				    g->idx[y - 1] > g->idx[y]; y--) {
					size_t t = g->idx[y];

					g->idx[y] = g->idx[y - 1];
					g->idx[y - 1] = t;
				}
		}
}

static void
cause_pair(struct ldr *l, const char *k, yaml_node_t *kn, yaml_node_t *vn,
    void *arg)
{
	void **a = arg;
	struct cause_rule *r = a[0];
	const char **rx = a[1];
	yaml_node_t **rxn = a[2];
	const char *v = scalar(vn);

	(void)kn;
	if (strcmp(k, "cause") == 0) {
		if (v == NULL)
			lerr(l, vn, "cause must be a name");
		else
			r->cause = xstrdup(v);
	} else if (strcmp(k, "regex") == 0) {
		*rx = v;
		*rxn = vn;
	} else if (strcmp(k, "phase") == 0) {
		r->phases = string_list(l, vn, &r->nphases, "phase");
	} else if (strcmp(k, "samples") == 0) {
		if (vn == NULL || vn->type != YAML_SEQUENCE_NODE) {
			lerr(l, vn, "samples must be a list");
			return;
		}
		for (yaml_node_item_t *it = vn->data.sequence.items.start;
		    it < vn->data.sequence.items.top; it++) {
			yaml_node_t *sn = node(l, *it);
			struct cause_sample *cs;
			const char *text = scalar(sn), *ph = NULL;

			if (text == NULL) {
				text = mapping_get(l, sn, "text", NULL);
				ph = mapping_get(l, sn, "phase", NULL);
			}
			if (text == NULL) {
				lerr(l, sn, "a sample is a reply text, or a "
				    "mapping with 'text' and 'phase'");
				continue;
			}
			r->samples = xrealloc(r->samples, (r->nsamples + 1) *
			    sizeof(*r->samples));
			cs = &r->samples[r->nsamples++];
			cs->text = xstrdup(text);
			cs->phase = ph ? xstrdup(ph) : NULL;
			cs->yline = sn->start_mark.line + 1;
			cs->ycol = sn->start_mark.column + 1;
		}
	}
}

static void
load_causes(struct ldr *l, struct pattern_db *db, yaml_node_t *n)
{
	static const char *const keys[] = {"cause", "regex", "phase",
	    "description", "samples", NULL};

	if (n == NULL || n->type != YAML_SEQUENCE_NODE) {
		lerr(l, n, "causes must be a list");
		return;
	}
	for (yaml_node_item_t *it = n->data.sequence.items.start;
	    it < n->data.sequence.items.top; it++) {
		yaml_node_t *cn = node(l, *it);
		struct cause_rule r = {0};
		const char *rx = NULL;
		yaml_node_t *rxn = NULL;
		void *a[3] = {&r, &rx, &rxn};

		r.yline = cn->start_mark.line + 1;
		r.ycol = cn->start_mark.column + 1;
		walk_mapping(l, cn, keys, "cause", cause_pair, a);
		if (r.cause == NULL || rx == NULL) {
			lerr(l, cn, "a cause needs 'cause' and 'regex'");
			continue;
		}
		r.re = compile(l, rxn, rx, PCRE2_CASELESS, &r.jit);
		if (r.re == NULL)
			continue;
		r.file = xstrdup(l->file);
		if (r.nsamples == 0)
			lerr(l, cn, "cause '%s' has no samples", r.cause);
		grow_array((void **)&db->causes, &db->capcauses,
		    db->ncauses + 1, sizeof(r));
		db->causes[db->ncauses++] = r;
	}
}

static bool
load_file(struct pattern_db *db, const char *path)
{
	struct ldr l = {.file = path};
	yaml_node_t *root;
	struct set_ctx c = {0};
	static const char *const keys[] = {"mta", "description", "dispatch",
	    "session", "message", "label", "linger", "advice", "csv",
	    "prefixes", "patterns", "causes", NULL};
	bool ok;

	if (!yamldoc_load(path, "pattern file", &l.doc, &root))
		return false;
	c.s = xcalloc(1, sizeof(struct pattern_set));
	c.s->dispatch = -1;
	c.s->message_field = -1;
	c.s->file = xstrdup(path);
	c.db = db;
	walk_mapping(&l, root, keys, "pattern file", set_top_pair, &c);
	if (c.causes)
		load_causes(&l, db, c.causes);
	if (c.s->mta == NULL && c.causes == NULL && l.errors == 0)
		lerr(&l, root, "no 'mta' and no 'causes': not a pattern file");
	if (c.s->mta != NULL) {
		if (c.prefixes == NULL)
			lerr(&l, root, "no 'prefixes'");
		else
			c.s->prefixes = load_list(&l, c.prefixes,
			    &c.s->nprefixes, true);
		if (c.patterns == NULL)
			lerr(&l, root, "no 'patterns'");
		else
			c.s->patterns = load_list(&l, c.patterns,
			    &c.s->npatterns, false);
		if (c.s->nalt == 0)
			lerr(&l, root, "no 'session': which fields make a "
			    "session key");
		for (size_t i = 0; i < c.s->nprefixes; i++)
			c.s->prefixes[i].set = c.s;
		for (size_t i = 0; i < c.s->npatterns; i++)
			c.s->patterns[i].set = c.s;
	}
	ok = l.errors == 0;
	yaml_document_delete(&l.doc);
	if (!ok || c.s->mta == NULL) {
		free_set(c.s);
		return ok;
	}
	build_groups(c.s);
	for (size_t i = 0; i < db->nsets; i++)
		if (strcmp(db->sets[i]->mta, c.s->mta) == 0) {
			free_set(db->sets[i]);	/* override */
			db->sets[i] = c.s;
			return true;
		}
	grow_array((void **)&db->sets, &db->capsets, db->nsets + 1,
	    sizeof(*db->sets));
	db->sets[db->nsets++] = c.s;
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

/* Parse a label template; a '{' without a known field stays literal. */
static struct lpart *
label_parts(const char *t, size_t *n)
{
	struct lpart *v = NULL;
	size_t cap = 0;

	*n = 0;
	if (t == NULL)
		return NULL;
	while (*t) {
		const char *e = NULL;
		int f = -1;

		if (*t == '{' && (e = strchr(t, '}')) != NULL) {
			for (int i = 0; i < F__COUNT; i++)
				if (strlen(field_names[i]) ==
				    (size_t)(e - t - 1) &&
				    memcmp(field_names[i], t + 1,
				    (size_t)(e - t - 1)) == 0)
					f = i;
		}
		grow_array((void **)&v, &cap, *n + 1, sizeof(*v));
		if (f >= 0) {
			v[*n] = (struct lpart){f, NULL, 0};
			t = e + 1;
		} else {
			size_t len = 1 + strcspn(t + 1, "{");

			v[*n] = (struct lpart){-1, t, len};
			t += len;
		}
		(*n)++;
	}
	return v;
}

static void
index_pattern(struct pattern *p)
{
	p->ncapf = p->nactf = 0;
	for (int f = 0; f < F__COUNT; f++) {
		if (p->ngroups[f])
			p->capf[p->ncapf++] = (unsigned char)f;
		if (p->constv[f] || p->nmaps[f])
			p->actf[p->nactf++] = (unsigned char)f;
	}
	free(p->lparts);
	p->lparts = label_parts(p->label, &p->nlparts);
}

static void
index_set(struct pattern_set *s)
{
	for (size_t i = 0; i < s->nprefixes; i++)
		index_pattern(&s->prefixes[i]);
	for (size_t i = 0; i < s->npatterns; i++)
		index_pattern(&s->patterns[i]);
	free(s->lparts);
	s->lparts = label_parts(s->label, &s->nlparts);
}

struct pattern_db *
pattern_db_load(const char *const *dirs, size_t ndirs)
{
	struct pattern_db *db = xcalloc(1, sizeof(*db));
	bool ok = true;

	ndbs++;
	for (size_t i = 0; i < ndirs; i++)
		ok &= load_dir(db, dirs[i]);
	if (!ok) {
		pattern_db_free(db);
		return NULL;
	}
	for (size_t i = 0; i < db->nsets; i++)
		index_set(db->sets[i]);
	return db;
}

void
pattern_db_free(struct pattern_db *db)
{
	if (db == NULL)
		return;
	for (size_t i = 0; i < db->nsets; i++)
		free_set(db->sets[i]);
	free(db->sets);
	for (size_t i = 0; i < db->ncauses; i++) {
		struct cause_rule *r = &db->causes[i];

		free(r->cause);
		free(r->file);
		pcre2_code_free(r->re);
		for (size_t j = 0; j < r->nphases; j++)
			free(r->phases[j]);
		free(r->phases);
		for (size_t j = 0; j < r->nsamples; j++) {
			free(r->samples[j].text);
			free(r->samples[j].phase);
		}
		free(r->samples);
	}
	free(db->causes);
	free(db);
	if (--ndbs == 0 && mdata) {
		pcre2_match_data_free(mdata);
		mdata = NULL;
		mdata_pairs = 0;
	}
}

size_t
pattern_db_count(const struct pattern_db *db)
{
	return db->nsets;
}

const struct pattern_set *
pattern_db_set(const struct pattern_db *db, size_t i)
{
	return i < db->nsets ? db->sets[i] : NULL;
}

const struct pattern_set *
pattern_db_find(const struct pattern_db *db, const char *mta)
{
	for (size_t i = 0; i < db->nsets; i++)
		if (strcmp(db->sets[i]->mta, mta) == 0)
			return db->sets[i];
	return NULL;
}

/* --- matching ------------------------------------------------------------ */

static int
run(const struct pattern *p, const char *s, size_t len)
{
	if (p->jit)
		return pcre2_jit_match(p->re, (PCRE2_SPTR)s, len, 0, 0, mdata,
		    NULL);
	return pcre2_match(p->re, (PCRE2_SPTR)s, len, 0, 0, mdata, NULL);
}

static void
take_fields(const struct pattern *p, const char *s, struct match *m)
{
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(mdata);

	for (unsigned j = 0; j < p->ncapf; j++) {
		int f = p->capf[j];

		for (unsigned i = 0; i < p->ngroups[f]; i++) {
			int g = p->groups[f][i];

			if (ov[2 * g] == PCRE2_UNSET)
				continue;
			m->f[f].p = s + ov[2 * g];
			m->f[f].len = ov[2 * g + 1] - ov[2 * g];
			break;
		}
	}
}

static void
apply_pattern(const struct pattern *p, struct match *m)
{
	for (unsigned j = 0; j < p->nactf; j++) {
		int f = p->actf[j];

		if (p->constv[f]) {
			m->f[f].p = p->constv[f];
			m->f[f].len = strlen(p->constv[f]);
		}
		for (size_t i = 0; i < p->nmaps[f] && m->f[f].p; i++)
			if (sv_eq(m->f[f], p->maps[f][i].from)) {
				m->f[f].p = p->maps[f][i].to;
				m->f[f].len = strlen(p->maps[f][i].to);
				break;
			}
	}
}

static const struct group *
group_for(const struct pattern_set *s, const struct match *m)
{
	const struct group *g = NULL;

	if (m->fallback)
		return &s->all;
	if (s->dispatch >= 0 && m->f[s->dispatch].p)
		g = strmap_get(s->groups, m->f[s->dispatch].p,
		    m->f[s->dispatch].len);
	return g ? g : &s->dflt;
}

bool
pattern_set_match(const struct pattern_set *s, struct strview line,
    bool fallback, struct match *m)
{
	size_t off = 0;
	const struct pattern *px = NULL;
	const struct group *g;
	const char *msg;
	size_t mlen;

	memset(m, 0, sizeof(*m));
	m->set = s;
	for (size_t i = 0; i < s->nprefixes; i++) {
		const struct pattern *p = &s->prefixes[i];
		int rc;

		if (p->fallback != fallback)
			continue;
		rc = run(p, line.p, line.len);

		if (rc > 0) {
			px = p;
			take_fields(p, line.p, m);
			off = pcre2_get_ovector_pointer(mdata)[1];
			break;
		}
		if (rc != PCRE2_ERROR_NOMATCH)
			return false;	/* match limit: treat as unknown */
	}
	if (px == NULL)
		return false;
	m->fallback = px->fallback;
	msg = line.p + off;
	mlen = line.len - off;
	g = group_for(s, m);
	for (size_t i = 0; i < g->n; i++) {
		const struct pattern *p = &s->patterns[g->idx[i]];

		if (p->litlen &&
		    (mlen < p->litlen || memcmp(msg, p->lit, p->litlen) != 0))
			continue;
		if (run(p, msg, mlen) > 0) {
			take_fields(p, msg, m);
			apply_pattern(p, m);
			m->pat = p;
			break;
		}
	}
	return true;
}

const struct pattern_csv *
pattern_set_csv(const struct pattern_set *s)
{
	return s->csv;
}

bool
pattern_csv_detect(const struct pattern_set *s, struct strview line)
{
	if (s->csv_detect == NULL)
		return false;
	return (s->csv_detect_jit ? pcre2_jit_match(s->csv_detect,
	    (PCRE2_SPTR)line.p, line.len, 0, 0, mdata, NULL) :
	    pcre2_match(s->csv_detect, (PCRE2_SPTR)line.p, line.len, 0, 0,
	    mdata, NULL)) > 0;
}

const char *
pattern_set_mta(const struct pattern_set *s)
{
	return s->mta;
}

const char *
pattern_set_file(const struct pattern_set *s)
{
	return s->file;
}

size_t
pattern_session_key(const struct match *m, const enum field **out,
    int64_t *gap_us)
{
	const struct keyalt *v = m->set->alt;
	size_t n = m->set->nalt, i = 0;

	if (m->pat && m->pat->nalt) {
		v = m->pat->alt;
		n = m->pat->nalt;
	}
	if (n == 0) {
		*out = NULL;
		if (gap_us)
			*gap_us = 0;
		return 0;
	}
	for (; n > 1 && i < n - 1; i++) {
		size_t j = 0;

		while (j < v[i].nkey && m->f[v[i].key[j]].p != NULL)
			j++;
		if (j == v[i].nkey)
			break;
	}
	*out = v[i].key;
	if (gap_us)
		*gap_us = v[i].gap_us;
	return v[i].nkey;
}

size_t
pattern_key_fields(const struct match *m, const enum field **out)
{
	return pattern_session_key(m, out, NULL);
}

const char *
pattern_set_advice(const struct pattern_set *s)
{
	return s->advice;
}

int64_t
pattern_set_linger_us(const struct pattern_set *s)
{
	return s->linger_us;
}

int
pattern_set_message_field(const struct pattern_set *s)
{
	return s->message_field;
}

void
pattern_format_label(const struct match *m, const enum field *kf,
    size_t nk, struct buf *b)
{
	const struct lpart *v = m->set->lparts;
	size_t n = m->set->nlparts;

	if (m->pat && m->pat->label) {
		v = m->pat->lparts;
		n = m->pat->nlparts;
	}
	if (n == 0) {
		for (size_t i = 0; i < nk; i++) {
			if (i)
				buf_addc(b, '/');
			if (m->f[kf[i]].p)
				buf_add(b, m->f[kf[i]].p, m->f[kf[i]].len);
		}
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (v[i].f < 0)
			buf_add(b, v[i].lit, v[i].len);
		else if (m->f[v[i].f].p)
			buf_add(b, m->f[v[i].f].p, m->f[v[i].f].len);
	}
}

const char *
pattern_label(const struct match *m)
{
	if (m->pat && m->pat->label)
		return m->pat->label;
	return m->set->label;
}

const char *
pattern_name(const struct pattern *p)
{
	return p->name;
}

enum event
pattern_event(const struct pattern *p)
{
	return p->ev;
}

enum scope
pattern_scope(const struct pattern *p)
{
	return p->scope;
}

enum direction
pattern_direction(const struct pattern *p)
{
	return p->dir;
}

bool
pattern_explains(const struct pattern *p)
{
	return p->explains;
}

bool
pattern_closes(const struct pattern *p)
{
	return p->closes;
}

bool
pattern_needs_quit(const struct pattern *p)
{
	return p->needs_quit;
}

bool
pattern_trails(const struct pattern *p)
{
	return p->trails;
}

const char *
pattern_reaches(const struct pattern *p)
{
	return p->reaches;
}

/* --- causes --------------------------------------------------------------- */

static bool
phase_ok(const struct cause_rule *r, const char *phase)
{
	if (r->nphases == 0)
		return true;
	for (size_t i = 0; i < r->nphases; i++)
		if (phase && strcmp(r->phases[i], phase) == 0)
			return true;
	return false;
}

static const struct cause_rule *
cause_find(const struct pattern_db *db, const char *phase, const char *s)
{
	for (size_t i = 0; i < db->ncauses; i++) {
		const struct cause_rule *r = &db->causes[i];
		int rc;

		if (!phase_ok(r, phase))
			continue;
		rc = r->jit ? pcre2_jit_match(r->re, (PCRE2_SPTR)s, strlen(s),
		    0, 0, mdata, NULL) : pcre2_match(r->re, (PCRE2_SPTR)s,
		    strlen(s), 0, 0, mdata, NULL);
		if (rc > 0)
			return r;
	}
	return NULL;
}

const char *
pattern_db_cause(const struct pattern_db *db, const char *phase,
    const char *reply, const char *enhanced, const char *text)
{
	char s[1024];
	const struct cause_rule *r;

	snprintf(s, sizeof(s), "%s%s%s%s%s", reply ? reply : "",
	    reply && *reply ? " " : "", enhanced ? enhanced : "",
	    enhanced && *enhanced ? " " : "", text ? text : "");
	r = cause_find(db, phase, s);
	return r ? r->cause : NULL;
}

/* --- sample checks ------------------------------------------------------- */

static unsigned check_sample_line(const struct pattern_set *,
    const struct pattern *, const struct sample *, bool, struct strview,
    const char *);

static unsigned
check_sample(const struct pattern_set *s, const struct pattern *p,
    const struct sample *sm, bool is_prefix)
{
	struct strview line = {sm->line, strlen(sm->line)};
	unsigned bad;
	char who[160];
	struct buf canon = {0};
	struct csv_rec rec = {0};
	int *col = NULL;

	snprintf(who, sizeof(who), "%s '%s'", is_prefix ? "prefix" :
	    "pattern", p->name);
	if (s->csv) {
		/* a record as the file holds it, in the documented columns */
		const char *lt = sm->log_type ? sm->log_type :
		    s->csv->nlog_types ? s->csv->log_types[0] : "";

		col = xcalloc(s->csv->nfields + 1, sizeof(int));
		csv_columns(s->csv, (struct strview){s->csv->header,
		    strlen(s->csv->header)}, col);
		csv_split(&rec, line);
		csv_canonical(s->csv, col, (struct strview){lt, strlen(lt)},
		    &rec, &canon);
		line = (struct strview){canon.s ? canon.s : "", canon.len};
	}
	bad = check_sample_line(s, p, sm, is_prefix, line, who);
	free(col);
	csv_rec_free(&rec);
	buf_free(&canon);
	return bad;
}

static unsigned
check_sample_line(const struct pattern_set *s, const struct pattern *p,
    const struct sample *sm, bool is_prefix, struct strview line,
    const char *who)
{
	struct match m;
	unsigned bad = 0;

	if (!pattern_set_match(s, line, false, &m) &&
	    !pattern_set_match(s, line, true, &m)) {
		diag_at(DIAG_ERROR, s->file, sm->yline, sm->ycol,
		    "%s: sample matches no prefix of '%s'", who, s->mta);
		return 1;
	}
	if (!is_prefix && m.pat != p) {
		if (m.pat == NULL)
			diag_at(DIAG_ERROR, s->file, sm->yline, sm->ycol,
			    "%s: sample matches no pattern", who);
		else
			diag_at(DIAG_ERROR, s->file, sm->yline, sm->ycol,
			    "%s: sample is matched first by pattern '%s'",
			    who, m.pat->name);
		return 1;
	}
	for (int f = 0; f < F__COUNT; f++) {
		const char *want = sm->expect[f];
		bool from_p = p->ngroups[f] > 0 || p->constv[f] != NULL;

		if (want == NULL) {
			/* every field the pattern itself yields is listed */
			if (from_p && m.f[f].p && m.f[f].len > 0 &&
			    (is_prefix ? false : true)) {
				diag_at(DIAG_ERROR, s->file, sm->yline,
				    sm->ycol, "%s: sample yields %s '%.*s', "
				    "which expect does not list", who,
				    field_names[f], (int)m.f[f].len,
				    m.f[f].p);
				bad++;
			}
			continue;
		}
		if (!m.f[f].p ? *want != '\0' : !sv_eq(m.f[f], want)) {
			diag_at(DIAG_ERROR, s->file, sm->yline, sm->ycol,
			    "%s: %s: got '%.*s', want '%s'", who,
			    field_names[f], m.f[f].p ? (int)m.f[f].len : 0,
			    m.f[f].p ? m.f[f].p : "", want);
			bad++;
		}
	}
	return bad ? 1 : 0;
}

unsigned
pattern_db_check(const struct pattern_db *db, unsigned *nsamples)
{
	unsigned bad = 0, n = 0;

	for (size_t i = 0; i < db->nsets; i++) {
		const struct pattern_set *s = db->sets[i];

		for (size_t j = 0; j < s->nprefixes; j++)
			for (size_t k = 0; k < s->prefixes[j].nsamples; k++) {
				n++;
				bad += check_sample(s, &s->prefixes[j],
				    &s->prefixes[j].samples[k], true);
			}
		for (size_t j = 0; j < s->npatterns; j++)
			for (size_t k = 0; k < s->patterns[j].nsamples; k++) {
				n++;
				bad += check_sample(s, &s->patterns[j],
				    &s->patterns[j].samples[k], false);
			}
	}
	for (size_t i = 0; i < db->ncauses; i++) {
		const struct cause_rule *r = &db->causes[i];

		for (size_t k = 0; k < r->nsamples; k++) {
			const struct cause_rule *got;

			n++;
			got = cause_find(db, r->samples[k].phase,
			    r->samples[k].text);
			if (got != r) {
				diag_at(DIAG_ERROR, r->file,
				    r->samples[k].yline, r->samples[k].ycol,
				    "cause '%s': sample gives cause '%s'",
				    r->cause, got ? got->cause : "(none)");
				bad++;
			}
		}
	}
	if (nsamples)
		*nsamples = n;
	return bad;
}
