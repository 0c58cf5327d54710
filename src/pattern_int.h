/*
 * pattern_int - what the pattern modules share and nobody else sees: the
 * compiled pattern sets and cause rules, and the one match-data block.
 *
 *	pattern_load.c   YAML -> struct pattern_set (the schema's checks)
 *	pattern_fields.c a pattern's set:, map: and samples
 *	pattern_extend.c files that extend a set (extends: NAME)
 *	pattern_set.c    a set's indexes for matching; freeing a set
 *	pattern_lead.c   what a regex's matches start with, from its text
 *	pattern.c        matching a line; the accessors of pattern.h
 *	cause.c          cause rules: loading and matching
 *	pattern_check.c  --check-patterns: every sample against its set
 *	pattern_know.c   a set's words for its server's stages
 *
 * Include only from those files.
 */
#ifndef SLA_PATTERN_INT_H
#define SLA_PATTERN_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "head.h"
#include "pattern.h"
#include "rx.h"
#include "timestamp.h"
#include "transcript.h"
#include "yamldoc.h"

#define GROUPS_MAX 4
#define LIT_MAX 24
#define REQ_MAX 32
#define REQ_ALTS 6

#define REQ_LONG 8	/* a literal sought anywhere is as long */

/* Literal text a match has (pattern_lead.c): at the subject's start
 * (at0), or anywhere; rare: the index of the byte its search looks for
 * first, the one least likely in a log line. */
struct reqlit {
	char s[REQ_MAX];
	uint8_t len, rare;
	bool at0;
};

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

/* A group that captures field f (struct pattern's capg). */
struct capgroup {
	uint8_t f;
	uint32_t g;
};

struct pattern {
	char *name;
	const struct pattern_set *set;
	const char *file;	/* where it was read: the set's file, or an
				   extending file (the set's xfiles) */
	size_t yline, ycol;
	enum event ev;
	enum scope scope;
	enum direction dir;
	bool explains, closes, fallback, needs_quit, trails, repeats;
	bool client_text;	/* its text is what the client sent */
	pcre2_code *re;
	bool jit;
	int groups[F__COUNT][GROUPS_MAX];
	unsigned char ngroups[F__COUNT];
	char *constv[F__COUNT];
	struct fmap *maps[F__COUNT];
	size_t nmaps[F__COUNT];
	/* pattern_lead.c: what a match starts with (firstall: any byte) and
	   a lead every match has: run[] bytes (runmin..runmax, if runmax)
	   and then lit */
	uint8_t first[32], run[32];
	bool firstall;
	size_t runmin, runmax;
	unsigned runid;	/* patterns with the same run[] share it; 0: none */
	unsigned leadid;	/* patterns with the same lead (run[], its
				   counts, lit) share it, from 1 */
	char lit[LIT_MAX];
	size_t litlen;
	/* and literal text every match has, besides the lead's: one of
	   req[0..nreq) (0: none known); the regex runs only on a line that
	   has it */
	struct reqlit req[REQ_ALTS];
	size_t nreq;
	struct head *head;	/* a prefix read without its regex (head.h) */
	char **forv;
	size_t nfor;
	struct keyalt alt[KEY_ALTS_MAX];
	size_t nalt;
	char *label;
	char *every_log_has;	/* a kind of line every real log has */
	enum phase reaches;	/* a phase the line shows the session got
				   to, or PHASE_NONE */
	struct stats_format *stats;	/* 'stats', or NULL */
	struct sample *samples;
	size_t nsamples;
	/* filled once loaded, for the hot path */
	/* the groups that capture a field: by field, each field's in
	   order (the first set one gives it) */
	struct capgroup capg[F__COUNT * GROUPS_MAX];
	unsigned ncapg;
	unsigned char actf[F__COUNT], nactf;	/* with a constant or map */
	unsigned featmask;	/* the set's features that name it */
	struct lpart *lparts;
	size_t nlparts;
};

/* A label template, '{host}/{daemon}[{pid}]', as literal and field parts. */
struct lpart {
	int f;	/* -1: literal */
	const char *lit;
	size_t len;
};

/*
 * A dispatch group: the patterns tried for a dispatch value, in file
 * order; and by the first byte of a line's message, those of them that
 * may match it: bycls[cls[byte]] (pattern_set.c).
 */
struct group {
	size_t *idx;
	size_t n, cap;
	uint8_t cls[256];
	struct group_list *bycls;
	size_t ncls, capcls;
};

/* A slot of a set's fixed table of groups by dispatch value: names come
 * from the pattern file, so it never grows (pattern_set.c). word holds
 * the name's first eight bytes: most names are no longer. */
struct gslot {
	const char *name;
	size_t len;
	uint64_t word;
	const struct group *g;
};

struct group_list {
	uint32_t *idx;
	size_t n;
};

struct pattern_set {
	char *mta, *description, *file;
	char **xfiles;	/* the files that extended it, in load order */
	size_t nxfiles;
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
	/* 'features': what a line shows of the server's configuration */
	char *feat_name[FEATURES_MAX];
	int feat_field[FEATURES_MAX];	/* a field the line has, or -1 */
	char *feat_pat[FEATURES_MAX];	/* or the pattern that read it */
	size_t nfeat;
	/* the features by field, for the hot path: field, and its bit */
	unsigned char featf_field[FEATURES_MAX];
	unsigned featf_bit[FEATURES_MAX];
	size_t nfeatf;
	char *label;
	struct lpart *lparts;
	size_t nlparts;
	struct strmap *groups;
	struct gslot *gtab;	/* the groups by name, for the hot path */
	size_t gcap;
	struct group dflt;
	struct group all;	/* every pattern: lines without a prefix */
	struct pattern_csv *csv;	/* a CSV log's set (csv.h), or NULL */
	pcre2_code *csv_detect;	/* a record of a file without header */
	bool csv_detect_jit;
	/* 'journal': the SYSLOG_IDENTIFIER values the set reads */
	pcre2_code *journal_re;
	bool journal_jit;
	char **journal_samples;
	size_t njournal_samples;
	size_t journal_yline, journal_ycol;
	struct stage_words stages;	/* 'stages', tried in order */
	struct ts_formats tsf;	/* 'timestamp-format', in order */
};

struct cause_sample {
	char *text;
	enum phase phase;	/* PHASE_NONE: none given */
	size_t yline, ycol;
};

struct cause_rule {
	char *cause;
	char *file;
	pcre2_code *re;
	bool jit;
	unsigned phases;	/* bit p: the rule holds in phase p; 0: in any */
	enum kind kind;		/* what a refusal with this cause is, or
				   KIND_NONE */
	struct cause_sample *samples;
	size_t nsamples;
	size_t yline, ycol;
};

struct cause_memo;

struct pattern_db {
	struct pattern_set **sets;
	size_t nsets, capsets;
	struct cause_rule *causes;
	size_t ncauses, capcauses;
	size_t nfront;	/* causes[0..nfront): extending files' rules */
	char **notes;	/* what extended or replaced what */
	size_t nnotes;
	struct cause_memo *memo;	/* cause.c: causes of recent texts */
	/* 'defaults': the cause of a failure no rule names, by kind */
	char *default_cause[KIND__COUNT];
	char *default_else;	/* of every other kind */
};

/*
 * One match-data block per thread serves every regex; it is made on the
 * thread's first match with the largest capture count of the regexes
 * loaded (pattern_mdata_grow(), while loading), and lives while any db
 * does (the first thread's) or until pattern_thread_release().
 * pattern_mdata_hold() and _drop() count the dbs.
 */
void pattern_mdata_grow(uint32_t pairs);
void pattern_mdata_hold(void);
void pattern_mdata_drop(void);
/* Run re over s[0..len) into the thread's block: pcre2_match's result. */
int pattern_exec(const pcre2_code *re, bool jit, const char *s, size_t len);
/* The thread's block's offsets, valid until its next pattern_exec(). */
PCRE2_SIZE *pattern_ovector(void);
/* rc, a limit error of pattern_exec(), on WHAT 'name' of file: warned
 * about once per name (the first 32 names). */
void pattern_limit_warn(int rc, const char *what, const char *name,
    const char *file);

/*
 * Compile rx (named groups only capture; DUPNAMES) with extra flags and
 * JIT when it can; a failure is reported at node n and returns NULL.
 */
pcre2_code *pattern_compile(struct yamldoc *, yaml_node_t *n, const char *rx,
    uint32_t extra, bool *jit);

/* pattern_lead.c: read p's lead from its regex rx, whose match starts
 * with one of head's; is s[0..n) possibly a match of p, by its lead. */
void pattern_lead(struct pattern *p, const char *head, const char *rx);
bool pattern_lead_ok(const struct pattern *p, const char *s, size_t n);
/* The group for a dispatch value v[0..len), or NULL; room: how many
 * bytes at v may be read (len or more). */
const struct group *pattern_set_group(const struct pattern_set *,
    const char *v, size_t len, size_t room);

static inline bool
pattern_lead_has(const uint8_t *set, unsigned char c)
{
	return (set[c >> 3] >> (c & 7)) & 1;
}

/*
 * pattern_lead_ok(), with the run's length in s known: *runlen, or, when
 * *runid is not p's, found and kept there for the next pattern. Inline,
 * as a line meets two or three leads; most that fail do at the literal's
 * first byte, before any call.
 */
static inline bool
pattern_lead_ok_at(const struct pattern *p, const char *s, size_t n,
    unsigned *runid, size_t *runlen)
{
	size_t i = 0;

	if (p->runmax) {
		if (*runid != p->runid || p->runid == 0) {
			while (i < n &&
			    pattern_lead_has(p->run, (unsigned char)s[i]))
				i++;
			*runid = p->runid;
			*runlen = i;
		}
		i = *runlen;
		if (i < p->runmin || i > p->runmax)
			return false;
	}
	return p->litlen == 0 || (n - i >= p->litlen && s[i] == p->lit[0] &&
	    memcmp(s + i + 1, p->lit + 1, p->litlen - 1) == 0);
}

/*
 * Is l in s[0..n): at its start, or anywhere: memchr() finds its rarest
 * byte, many bytes a step, and then the rest is compared. A Horspool
 * search looked at a byte every few of the message. Inline, as a line
 * meets two or three candidates' literals.
 */
static inline bool
pattern_req_in(const struct reqlit *l, const char *s, size_t n)
{
	size_t m = l->len, r = l->rare;
	const char *at, *end;

	if (n < m)
		return false;
	if (l->at0)
		return s[0] == l->s[0] && memcmp(s, l->s, m) == 0;
	at = s + r;
	end = s + (n - m) + r + 1;	/* past the last place of the byte */
	while ((at = memchr(at, l->s[r], (size_t)(end - at))) != NULL) {
		if (at[m - 1 - r] == l->s[m - 1] &&
		    memcmp(at - r, l->s, m) == 0)
			return true;
		at++;
	}
	return false;
}

/* Does s[0..n) hold one of p's required literals (or has p none)? */
static inline bool
pattern_req_ok(const struct pattern *p, const char *s, size_t n)
{
	for (size_t i = 0; i < p->nreq; i++)
		if (pattern_req_in(&p->req[i], s, n))
			return true;
	return p->nreq == 0;
}

/* pattern_set.c: dispatch groups (after loading a set), the hot path's
 * indexes (once every set is loaded), and the release of a set. */
void pattern_set_build_groups(struct pattern_set *);
/* A 'session:' key list or list of alternatives into alts (at most
 * KEY_ALTS_MAX); returns how many. */
size_t pattern_session_keys(struct yamldoc *, yaml_node_t *n,
    struct keyalt *alts);
void pattern_set_index(struct pattern_set *);
/* Free what a group holds and zero it. */
void pattern_group_release(struct group *);
void pattern_set_free(struct pattern_set *);

/*
 * pattern_fields.c: a pattern's 'set:' and 'map:' pairs (for
 * yamldoc_walk(), arg the pattern) and its 'samples:' list.
 */
void pattern_set_pair(struct yamldoc *, const char *key, yaml_node_t *kn,
    yaml_node_t *vn, void *p);
void pattern_map_pair(struct yamldoc *, const char *key, yaml_node_t *kn,
    yaml_node_t *vn, void *p);
void pattern_load_samples(struct yamldoc *, yaml_node_t *n,
    struct pattern *p);

/*
 * pattern_extend.c: files that say "extends: NAME". The set they extend
 * (or NULL, reported at n); a refusal of every key an extending file may
 * not have; and, once the file loaded cleanly, its prefixes and patterns
 * put before the set's own, its cause rules (db->causes[first_cause..])
 * before every other rule, and a note for --check-patterns. add's shell
 * is freed.
 */
struct pattern_set *pattern_extend_target(struct yamldoc *,
    const struct pattern_db *, const char *name, yaml_node_t *n);
void pattern_extend_keys(struct yamldoc *, yaml_node_t *root,
    const char *name);
void pattern_extend_names(struct yamldoc *, const struct pattern_set *t,
    const struct pattern_set *add);
void pattern_extend_merge(struct pattern_db *, struct pattern_set *t,
    struct pattern_set *add, size_t first_cause);
/* Add a line to what --check-patterns says about the files loaded. */
void pattern_db_note(struct pattern_db *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * pattern_know.c: a set's 'stages' mapping (word: phase) read into s;
 * an extending file's words and time-stamp formats put before t's (add
 * keeps none); and the release of what a set holds of them.
 */
void pattern_stages_load(struct yamldoc *, struct pattern_set *s,
    yaml_node_t *n);
void pattern_know_merge(struct pattern_set *t, struct pattern_set *add);
void pattern_know_release(struct pattern_set *s);
/*
 * A set's 'timestamp-format' (a format or a list) read into s; a set
 * without gets rfc3164 and iso8601 (pattern_ts_defaults(), once its
 * file is read). An extending file's formats are put before t's by
 * pattern_know_merge().
 */
void pattern_ts_load(struct yamldoc *, struct pattern_set *s,
    yaml_node_t *n);
void pattern_ts_defaults(struct pattern_set *s);
/*
 * A pattern's 'stats' mapping read into p->stats; once its regex is
 * compiled, the checks that the field it names is the pattern's, and
 * that a session's end line that captures 'stats' says how they are
 * written. pattern_stats_release() frees p->stats.
 */
void pattern_stats_load(struct yamldoc *, yaml_node_t *n, struct pattern *p);
void pattern_stats_check(struct yamldoc *, yaml_node_t *n,
    const struct pattern *p);
void pattern_stats_release(struct pattern *p);

/* cause.c: read a 'causes:' list into db; its 'defaults:' mapping (a
 * later file's cause for a kind replaces an earlier one's); free db's
 * rules; the first rule for phase matching s, or NULL. */
void cause_load(struct yamldoc *, struct pattern_db *, yaml_node_t *n);
void cause_defaults_load(struct yamldoc *, struct pattern_db *,
    yaml_node_t *n);
void cause_rules_release(struct pattern_db *);
/* Give db the (bounded) memo of the causes of recent failure texts. */
void cause_memo_init(struct pattern_db *);
/* How many of db's cause lookups ran the rules (tests). */
size_t cause_memo_misses(const struct pattern_db *);
const struct cause_rule *cause_find(const struct pattern_db *,
    enum phase phase, const char *s);
/* Refuse, at each pattern's place, a cause it sets or maps to that no
 * rule loaded so far defines (nor the classifier's own fallbacks). */
void cause_check_patterns(struct yamldoc *, const struct pattern_db *,
    const struct pattern *v, size_t n);

#endif
