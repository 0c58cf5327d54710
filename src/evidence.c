/*
 * evidence - see evidence.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "evidence.h"

enum phase
evidence_reply_phase(struct strview r, bool alone)
{
	static const struct {
		char code[4];
		enum phase phase;
		bool alone;	/* only when the command is missing */
	} codes[] = {
		{"334", PHASE_AUTH, false}, {"235", PHASE_AUTH, false},
		{"534", PHASE_AUTH, false}, {"535", PHASE_AUTH, false},
		{"538", PHASE_AUTH, false}, {"354", PHASE_DATA, false},
		{"530", PHASE_AUTH, true}, {"220", PHASE_PREGREETING, true},
	};

	if (r.p == NULL || r.len != 3)
		return PHASE_NONE;
	for (size_t i = 0; i < ARRAY_SIZE(codes); i++)
		if (memcmp(r.p, codes[i].code, 3) == 0 &&
		    (alone || !codes[i].alone))
			return codes[i].phase;
	return PHASE_NONE;
}

struct counter {
	const char *w;
	size_t n, len;	/* name length, word length */
	long ok, total;
	enum phase phase;
};

/*
 * strtol(p, q, 10), reading a run of up to 18 digits itself: a counter's
 * value is one or two digits, and strtol() (locale, sign, base, overflow)
 * cost five times the rest of reading it.
 */
static long
count_at(const char *p, const char **q)
{
	const char *d = p;
	long v = 0;
	char *e;

	while (*d >= '0' && *d <= '9' && d - p <= 18)
		d++;
	if (d == p || d - p > 18) {	/* a sign, a space; or long */
		v = strtol(p, &e, 10);
		*q = e;
		return v;
	}
	for (; p < d; p++)
		v = v * 10 + (*p - '0');
	*q = d;
	return v;
}

/* What every counter, kept or not, tells the correlator (struct counted). */
static void
counter_note(struct counted *out, const struct counter *c)
{
	if (c->total > 0 && c->phase != PHASE_POSTQUEUE &&
	    c->phase > out->tried)
		out->tried = c->phase;
	/* DATA or BDAT: a message each that succeeded */
	if (c->phase == PHASE_DATA)
		out->accepted += (int)c->ok;
	if (c->n == 4 && c->ok > 0 &&
	    sv_eq_nocase((struct strview){c->w, c->n}, "QUIT", 4))
		out->quit = true;
	if (c->phase == PHASE_RCPT) {
		out->rcpt_ok = (int)c->ok;
		out->rcpt_seen = true;
	}
}

/* The counters of v, the first max in c, each noted in out. */
static size_t
counters_read(const struct stage_words *sw, struct strview v,
    struct counter *c, size_t max, char sep, struct counted *out)
{
	struct strview it;
	struct counter spare;
	size_t n = 0;

	while (evidence_next_item(&v, sep, &it)) {
		const char *w = it.p, *end = it.p + it.len, *eq, *q;
		struct counter *k = n < max ? &c[n] : &spare;

		eq = memchr(w, '=', it.len);
		if (eq == NULL || eq == w)
			continue;	/* no name: no phase, no QUIT */
		k->w = w;
		k->n = (size_t)(eq - w);
		k->len = it.len;
		k->ok = count_at(eq + 1, &q);
		k->total = q < end && *q == '/' ? count_at(q + 1, &q) : k->ok;
		k->phase = phase_of_stage(sw, w, k->n);
		counter_note(out, k);
		if (k != &spare)
			n++;
	}
	return n;
}

static bool
named(const struct counter *c, const char *name)
{
	return name != NULL && c->n == strlen(name) &&
	    strncasecmp(c->w, name, c->n) == 0;
}

/* Did a later or equal stage succeed after the failure of c? */
static bool
undone(const struct counter *c, const struct counter *all, size_t n)
{
	if (c->phase == PHASE_RCPT)
		return false;
	if (c->ok > 0)
		return true;
	for (size_t i = 0; i < n; i++)
		if (&all[i] != c && all[i].phase != PHASE_NONE &&
		    all[i].phase >= c->phase && all[i].ok > 0)
			return true;
	return false;
}

static enum kind
kind_in(enum phase p)
{
	switch (p) {
	case PHASE_AUTH:
		return KIND_AUTH;
	case PHASE_STARTTLS:
		return KIND_TLS;
	default:
		return KIND_REJECTED;
	}
}

void
evidence_counters(const struct stats_format *sf,
    const struct stage_words *sw, struct strview v, struct counted *out)
{
	struct counter c[32];
	size_t n;
	const struct counter *unknown = NULL, *best = NULL;
	bool accepted = false;

	memset(out, 0, sizeof(*out));
	out->failed = PHASE_NONE;
	out->done = PHASE_NONE;
	out->tried = PHASE_NONE;
	n = v.p && sf && sf->items == STATS_COUNTS ?
	    counters_read(sw, v, c, ARRAY_SIZE(c), sf->sep, out) : 0;
	for (size_t i = 0; i < n; i++) {
		if (c[i].phase != PHASE_NONE && c[i].ok > 0 &&
		    c[i].phase > out->done)
			out->done = c[i].phase;
		if (c[i].phase == PHASE_DATA && c[i].ok > 0)
			accepted = true;
		if (c[i].ok >= c[i].total)
			continue;
		if (named(&c[i], sf->unknown))
			unknown = &c[i];
		else if (c[i].phase != PHASE_NONE &&
		    !undone(&c[i], c, n) &&
		    (best == NULL || c[i].phase < best->phase))
			best = &c[i];
	}
	if (best != NULL) {
		out->failed = best->phase;
		out->kind = kind_in(best->phase);
		out->word = (struct strview){best->w, best->len};
	} else if (unknown != NULL && !accepted) {
		out->failed = out->done == PHASE_NONE ? PHASE_PREGREETING :
		    out->done;
		out->kind = KIND_PROTOCOL;
		out->word = (struct strview){unknown->w, unknown->len};
	}
}

/* Lists longer than EVIDENCE_MEMO_TEXT are read each time. */
#define EVIDENCE_MEMO_SLOTS 256
#define EVIDENCE_MEMO_TEXT 96

struct evidence_memo {
	struct memo_slot {
		const struct stats_format *sf;
		const struct stage_words *sw;
		size_t len;	/* 0: empty */
		size_t word_off;	/* of out.word in text, when set */
		struct counted out;
		char text[EVIDENCE_MEMO_TEXT];
	} e[EVIDENCE_MEMO_SLOTS];
};

struct evidence_memo *
evidence_memo_new(void)
{
	return xcalloc(1, sizeof(struct evidence_memo));
}

void
evidence_memo_free(struct evidence_memo *memo)
{
	free(memo);
}

void
evidence_counters_memo(struct evidence_memo *memo,
    const struct stats_format *sf, const struct stage_words *sw,
    struct strview v, struct counted *out)
{
	struct memo_slot *e;

	if (memo == NULL || v.p == NULL || v.len == 0 ||
	    v.len > EVIDENCE_MEMO_TEXT) {
		evidence_counters(sf, sw, v, out);
		return;
	}
	e = &memo->e[hash_bytes(v.p, v.len) & (EVIDENCE_MEMO_SLOTS - 1)];
	if (e->len == v.len && e->sf == sf && e->sw == sw &&
	    memcmp(e->text, v.p, v.len) == 0) {
		*out = e->out;
		if (out->word.p != NULL)
			out->word.p = v.p + e->word_off;
		return;
	}
	evidence_counters(sf, sw, v, out);
	e->sf = sf;
	e->sw = sw;
	e->len = v.len;
	e->word_off = out->word.p ? (size_t)(out->word.p - v.p) : 0;
	e->out = *out;
	memcpy(e->text, v.p, v.len);
}
