/*
 * pattern - matching a line against a pattern set (see pattern.h), and
 * the accessors of the loaded sets. Loading is pattern_load.c's.
 *
 * Regexes are compiled without PCRE2_UTF (log files are bytes, and
 * attacker-controlled ones at that) and with PCRE2_NO_AUTO_CAPTURE, so
 * only named groups capture and authors may group with plain parentheses.
 * PCRE2_DUPNAMES lets two alternatives capture the same field; the first
 * group that is set wins. One match data block per thread serves every
 * pattern: the thread that matches lines and the one that classifies
 * sessions (cause rules) each have their own (relay.h).
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pattern_int.h"
#include "diag.h"

static uint32_t mdata_pairs;	/* the most any regex loaded needs */
static unsigned ndbs;
static _Thread_local pcre2_match_data *mdata;
static _Thread_local uint32_t mdata_have;	/* pairs of this thread's */
/* rx's context for this thread, kept with mdata: a JIT match calls
 * pcre2_jit_match() itself, without rx_match()'s two calls */
static _Thread_local pcre2_match_context *mctx;
static _Thread_local PCRE2_SIZE *ovec;	/* mdata's, as long as it lives */

/* Called while loading, before any thread but the first matches. */
void
pattern_mdata_grow(uint32_t pairs)
{
	if (pairs > mdata_pairs)
		mdata_pairs = pairs;
}

void
pattern_mdata_hold(void)
{
	ndbs++;
}

void
pattern_thread_release(void)
{
	if (mdata)
		pcre2_match_data_free(mdata);
	mdata = NULL;
	mdata_have = 0;
	mctx = NULL;
	ovec = NULL;
	rx_thread_release();
}

void
pattern_mdata_drop(void)
{
	if (--ndbs == 0) {
		if (mdata)
			pcre2_match_data_free(mdata);
		mdata = NULL;
		mdata_have = 0;
		mdata_pairs = 0;
		ovec = NULL;
	}
}

int
pattern_exec(const pcre2_code *re, bool jit, const char *s, size_t len)
{
	if (mdata_have < mdata_pairs) {
		if (mdata)
			pcre2_match_data_free(mdata);
		mdata = pcre2_match_data_create(mdata_pairs, NULL);
		if (mdata == NULL)
			diag_fatal("out of memory");
		mdata_have = mdata_pairs;
		ovec = pcre2_get_ovector_pointer(mdata);
		mctx = rx_thread_context();
	}
	if (jit && mctx)
		return pcre2_jit_match(re, (PCRE2_SPTR)s, len, 0, 0, mdata,
		    mctx);
	return rx_match(re, jit, s, len, mdata);
}

/*
 * A regex gave up on a line (rx.h's limits): the line is taken as not
 * matching it, and the first few such regexes are named, once each, so
 * that a pattern that backtracks badly is found and rewritten.
 */
void
pattern_limit_warn(int rc, const char *what, const char *name,
    const char *file)
{
	static const char *warned[32];
	static size_t nwarned;
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	char why[120];
	bool known;

	/* both threads may get here (patterns, cause rules): rare, locked */
	pthread_mutex_lock(&lock);
	known = nwarned == ARRAY_SIZE(warned);
	for (size_t i = 0; i < nwarned && !known; i++)
		known = warned[i] == name;
	if (!known)
		warned[nwarned++] = name;
	pthread_mutex_unlock(&lock);
	if (known)
		return;
	pcre2_get_error_message(rc, (PCRE2_UCHAR *)why, sizeof(why));
	diag_at(DIAG_WARNING, file, 0, 0, "%s '%s' gave up on a line (%s): "
	    "taken as not matching; its regex backtracks too much", what,
	    name ? name : "?", why);
}

PCRE2_SIZE *
pattern_ovector(void)
{
	return ovec;
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
	int rc = pattern_exec(p->re, p->jit, s, len);

	if (rc < 0 && rc != PCRE2_ERROR_NOMATCH)
		pattern_limit_warn(rc, "pattern", p->name, p->file);
	return rc;
}

/* The fields p's groups captured: of a field's groups, the first set. */
static void
take_fields(const struct pattern *p, const char *s, struct match *m)
{
	PCRE2_SIZE *ov = pattern_ovector();
	uint64_t done = 0;

	for (unsigned k = 0; k < p->ncapg; k++) {
		unsigned f = p->capg[k].f;
		uint32_t g = p->capg[k].g;

		if (((done >> f) & 1) || ov[2 * g] == PCRE2_UNSET)
			continue;
		m->f[f].p = s + ov[2 * g];
		m->f[f].len = ov[2 * g + 1] - ov[2 * g];
		done |= (uint64_t)1 << f;
	}
	m->has |= done;
}

static void
apply_pattern(const struct pattern *p, struct match *m)
{
	for (unsigned j = 0; j < p->nactf; j++) {
		int f = p->actf[j];

		if (p->constv[f]) {
			m->f[f].p = p->constv[f];
			m->f[f].len = strlen(p->constv[f]);
			m->has |= (uint64_t)1 << f;
			m->consts |= (uint64_t)1 << f;
		}
		for (size_t i = 0; i < p->nmaps[f] && ((m->has >> f) & 1); i++)
			if (sv_eq(m->f[f], p->maps[f][i].from)) {
				m->f[f].p = p->maps[f][i].to;
				m->f[f].len = strlen(p->maps[f][i].to);
				m->consts |= (uint64_t)1 << f;
				break;
			}
	}
}

/*
 * The message against a group's patterns, those that may match its first
 * byte and its lead (pattern_lead.c), in order; the first that matches
 * gives the fields.
 */
static bool
match_message(const struct pattern_set *s, const struct group *g,
    const char *msg, size_t mlen, struct match *m)
{
	const uint32_t *v = NULL;
	const size_t *all = g->idx;
	size_t n = g->n, runlen = 0;
	unsigned runid = 0, leadid = 0;
	bool lead = false;

	if (mlen > 0 && g->bycls) {
		const struct group_list *l = &g->bycls[g->cls[
		    (unsigned char)msg[0]]];

		v = l->idx;
		n = l->n;
	}
	for (size_t i = 0; i < n; i++) {
		const struct pattern *p = &s->patterns[v ? v[i] : all[i]];

		if (p->leadid != leadid) {	/* else as the one before */
			leadid = p->leadid;
			lead = pattern_lead_ok_at(p, msg, mlen, &runid,
			    &runlen);
		}
		if (!lead)
			continue;
		if (p->nreq && !pattern_req_ok(p, msg, mlen))
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

/* The group for m's dispatch value, which the prefix read from line:
 * the bytes after it there may be read too (pattern_set_group()). */
static const struct group *
group_for(const struct pattern_set *s, const struct match *m,
    struct strview line)
{
	const struct group *g = NULL;

	if (m->fallback)
		return &s->all;
	if (s->dispatch >= 0 && ((m->has >> s->dispatch) & 1)) {
		struct strview v = m->f[s->dispatch];
		size_t off = (size_t)((uintptr_t)v.p - (uintptr_t)line.p);

		g = pattern_set_group(s, v.p, v.len, off <= line.len &&
		    v.len <= line.len - off ? line.len - off : v.len);
	}
	return g ? g : &s->dflt;
}

/*
 * Match line against s into m, whose has is 0: its fields may hold an
 * earlier line's views, so a field is read only when its bit is set.
 */
static bool
set_match(const struct pattern_set *s, struct strview line, bool fallback,
    struct match *m)
{
	size_t off = 0;
	const struct pattern *px = NULL;
	const struct group *g;
	const char *msg;
	size_t mlen;

	m->set = s;
	m->pat = NULL;
	m->fallback = false;
	m->consts = 0;
	for (size_t i = 0; i < s->nprefixes; i++) {
		const struct pattern *p = &s->prefixes[i];
		int rc;

		if (p->fallback != fallback)
			continue;
		if (p->head && head_read(p->head, line.p, line.len, m->f,
		    &m->has, &off)) {
			px = p;
			break;
		}
		rc = run(p, line.p, line.len);

		if (rc > 0) {
			px = p;
			take_fields(p, line.p, m);
			off = pattern_ovector()[1];
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
	g = group_for(s, m, line);
	return match_message(s, g, msg, mlen, m);
}

bool
pattern_set_match(const struct pattern_set *s, struct strview line,
    bool fallback, struct match *m)
{
	memset(m, 0, sizeof(*m));
	return set_match(s, line, fallback, m);
}

/*
 * A line sets a few fields of the 42, mostly those the line before set
 * (the head's five, a pattern's): a field set again is overwritten, so
 * only those the earlier match set and this one did not are cleared,
 * once it is done (90 instructions a line went to clearing all first).
 */
bool
pattern_set_match_again(const struct pattern_set *s, struct strview line,
    bool fallback, struct match *m)
{
	uint64_t old = m->has;
	bool ok;

	m->has = 0;
	ok = set_match(s, line, fallback, m);
	for (uint64_t b = old & ~m->has; b; b &= b - 1)
		m->f[__builtin_ctzll(b)] = (struct strview){NULL, 0};
	return ok;
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
	return pattern_exec(s->csv_detect, s->csv_detect_jit, line.p,
	    line.len) > 0;
}

bool
pattern_set_journal_reads(const struct pattern_set *s, const char *ident,
    size_t len)
{
	return s->journal_re != NULL &&
	    pattern_exec(s->journal_re, s->journal_jit, ident, len) > 0;
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
pattern_client_text(const struct pattern *p)
{
	return p->client_text;
}

bool
pattern_trails(const struct pattern *p)
{
	return p->trails;
}

bool
pattern_repeats(const struct pattern *p)
{
	return p->repeats;
}

const struct stats_format *
pattern_stats(const struct pattern *p)
{
	return p ? p->stats : NULL;
}

enum phase
pattern_reaches(const struct pattern *p)
{
	return p->reaches;
}

const char *
pattern_set_feature(const struct pattern_set *s, size_t i)
{
	return i < s->nfeat ? s->feat_name[i] : NULL;
}

/* The features by pattern come from the pattern's mask (pattern_set.c),
 * made for its own set; those by field, from the fields set (the set's
 * list of them, made once). */
unsigned
pattern_features_of(const struct match *m)
{
	const struct pattern_set *s = m->set;
	bool own = m->pat && m->pat->set == s;
	unsigned mask = own ? m->pat->featmask : 0;

	for (size_t i = 0; i < s->nfeatf; i++)
		if ((m->has >> s->featf_field[i]) & 1)
			mask |= s->featf_bit[i];
	for (size_t i = 0; !own && m->pat && i < s->nfeat; i++)
		if (s->feat_pat[i] && strcmp(s->feat_pat[i], m->pat->name) == 0)
			mask |= 1u << i;
	return mask;
}

const char *
pattern_every_log_has(const struct pattern *p)
{
	return p->every_log_has;
}

size_t
pattern_set_kinds(const struct pattern_set *s, const char **out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < s->npatterns; i++) {
		const char *k = s->patterns[i].every_log_has;
		bool dup = false;

		for (size_t j = 0; k && j < n; j++)
			dup = dup || strcmp(out[j], k) == 0;
		if (k && !dup && n < max)
			out[n++] = k;
	}
	return n;
}

