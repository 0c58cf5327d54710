/*
 * pattern_lead - what every match of a pattern's regex starts with, read
 * from the regex's text, so that matching skips the patterns that cannot
 * match a line without running them (pattern_set_match()).
 *
 * Three things are read: the bytes a match may start with (a set of
 * 256); a lead every match has: a run of bytes of one class (a queue ID,
 * "[0-9A-Za-z]{5,}") and then literal text (": removed"), or the literal
 * text alone; and, from the whole regex, literal text every match holds
 * somewhere or at its start, or one of a set of such texts, looked for
 * before the regex runs. The regex stays the definition: what is read
 * here is only ever a necessary condition, and anything this reader does
 * not know (an escape, an option, a verb) makes it give up, which leaves
 * the pattern tried on every line, as before.
 *
 * The subset of PCRE2's syntax read: literals, '\' escapes of punctuation,
 * \d \D \w \W \s \S \t \n \r \f \xhh, '.', classes with ranges and those
 * escapes, groups "(...)", "(?:...)", "(?>...)", "(?<name>...)",
 * "(?P<name>...)", "(?'name'...)", "(?|...)", lookarounds (taken as
 * matching the empty string), the anchors ^ and $, alternatives, and the
 * quantifiers ? * + {n} {n,} {n,m} with a lazy or possessive suffix. The
 * patterns are compiled without PCRE2_CASELESS, PCRE2_EXTENDED and UTF,
 * so a literal is one byte that stands for itself.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "pattern_int.h"

struct set256 {
	uint8_t b[32];
};

/* One item of a regex as read: the bytes it may start with, whether it
 * may match the empty string, and, for one byte matcher (a literal, a
 * class, an escape, '.') repeated, the counts. */
struct item {
	struct set256 first;
	bool nullable;
	bool single;	/* one byte matcher, or a group of just that */
	bool literal;	/* single, and one byte, exactly once */
	size_t min, max;	/* single: how many times */
	size_t qmin, qmax;	/* the item's own quantifier's counts */
};

struct rd {
	const char *s;
	bool bad;
};

static void
set_add(struct set256 *v, unsigned c)
{
	v->b[c >> 3] |= (uint8_t)(1u << (c & 7));
}

static void
set_range(struct set256 *v, unsigned lo, unsigned hi)
{
	for (unsigned c = lo; c <= hi; c++)
		set_add(v, c);
}

static void
set_or(struct set256 *v, const struct set256 *w)
{
	for (size_t i = 0; i < sizeof(v->b); i++)
		v->b[i] |= w->b[i];
}

static void
set_not(struct set256 *v)
{
	for (size_t i = 0; i < sizeof(v->b); i++)
		v->b[i] = (uint8_t)~v->b[i];
}

/* The byte of a set of one byte, or -1. */
static int
set_single(const struct set256 *v)
{
	int c = -1;

	for (size_t i = 0; i < sizeof(v->b); i++) {
		unsigned x = v->b[i];

		if (x == 0)
			continue;
		if (c >= 0 || (x & (x - 1)))
			return -1;
		c = (int)i * 8;
		while (!(x & 1)) {
			x >>= 1;
			c++;
		}
	}
	return c;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * The escape at r->s (just past the '\'): its bytes into v. Only escapes
 * that match one byte are known; others make the reader give up.
 */
static void
escape(struct rd *r, struct set256 *v)
{
	char e = *r->s;
	bool neg = false;

	if (e == '\0') {
		r->bad = true;
		return;
	}
	r->s++;
	neg = e == 'D' || e == 'W' || e == 'S';
	switch (e) {
	case 'D':
	case 'd':
		set_range(v, '0', '9');
		break;
	case 'W':
	case 'w':
		set_range(v, '0', '9');
		set_range(v, 'A', 'Z');
		set_range(v, 'a', 'z');
		set_add(v, '_');
		break;
	case 'S':
	case 's':
		set_range(v, '\t', '\r');
		set_add(v, ' ');
		break;
	case 't':
		set_add(v, '\t');
		break;
	case 'n':
		set_add(v, '\n');
		break;
	case 'r':
		set_add(v, '\r');
		break;
	case 'f':
		set_add(v, '\f');
		break;
	case 'x':
		if (hexval(r->s[0]) < 0 || hexval(r->s[1]) < 0) {
			r->bad = true;
			return;
		}
		set_add(v, (unsigned)(hexval(r->s[0]) * 16 + hexval(r->s[1])));
		r->s += 2;
		break;
	default:
		if ((e >= '0' && e <= '9') || (e >= 'A' && e <= 'Z') ||
		    (e >= 'a' && e <= 'z') || (unsigned char)e >= 0x80) {
			r->bad = true;	/* \b, \A, \Q, \p, \1 ... */
			return;
		}
		set_add(v, (unsigned char)e);
	}
	if (neg)
		set_not(v);
}

/* One byte or escape inside a class: its single byte in *c, or -1. */
static void
class_elem(struct rd *r, struct set256 *v, int *c)
{
	*c = -1;
	if (*r->s == '\\') {
		struct set256 w = {{0}};

		r->s++;
		escape(r, &w);
		*c = set_single(&w);
		set_or(v, &w);
		return;
	}
	if (r->s[0] == '[' && r->s[1] == ':') {
		r->bad = true;	/* [:alpha:] */
		return;
	}
	*c = (unsigned char)*r->s++;
	set_add(v, (unsigned)*c);
}

/* A class, r->s just past its '['. */
static void
class(struct rd *r, struct set256 *v)
{
	bool neg = false, first = true;
	struct set256 w = {{0}};

	if (*r->s == '^') {
		neg = true;
		r->s++;
	}
	while (!r->bad && (first || *r->s != ']')) {
		int lo, hi;

		if (*r->s == '\0') {
			r->bad = true;
			return;
		}
		first = false;
		class_elem(r, &w, &lo);
		if (r->bad || r->s[0] != '-' || r->s[1] == ']' || lo < 0)
			continue;
		r->s++;
		class_elem(r, &w, &hi);
		if (hi < lo)
			r->bad = true;
		else
			set_range(&w, (unsigned)lo, (unsigned)hi);
	}
	r->s++;
	if (neg)
		set_not(&w);
	*v = w;
}

static size_t
number(struct rd *r)
{
	size_t n = 0;

	if (*r->s < '0' || *r->s > '9')
		r->bad = true;
	while (*r->s >= '0' && *r->s <= '9' && n < 100000)
		n = n * 10 + (size_t)(*r->s++ - '0');
	return n;
}

/* A quantifier after an item, if there is one. */
static void
quantifier(struct rd *r, struct item *it)
{
	size_t min = 1, max = 1;

	it->qmin = it->qmax = 1;
	switch (*r->s) {
	case '?':
		min = 0;
		break;
	case '*':
		min = 0;
		max = SIZE_MAX;
		break;
	case '+':
		max = SIZE_MAX;
		break;
	case '{':
		r->s++;
		min = max = number(r);
		if (*r->s == ',') {
			r->s++;
			max = *r->s == '}' ? SIZE_MAX : number(r);
		}
		if (*r->s != '}' || max < min) {
			r->bad = true;
			return;
		}
		break;
	default:
		return;
	}
	r->s++;
	if (*r->s == '?' || *r->s == '+')
		r->s++;
	if (min == 0)
		it->nullable = true;
	it->qmin = min;
	it->qmax = max;
	it->literal = false;
	it->min *= min;
	it->max = it->max == 0 ? 0 : max == SIZE_MAX || it->max == SIZE_MAX ?
	    SIZE_MAX : it->max * max;
}

static void alternatives(struct rd *, struct item *, size_t *nalt);

/*
 * A group's opening, r->s just past its '(': r->s moved to its first
 * item; *look: a lookaround, *neg: a negative one.
 */
static void
group_open(struct rd *r, bool *look, bool *neg)
{
	const char *s = r->s + 1;

	*look = *neg = false;
	if (*r->s == '*') {
		r->bad = true;	/* (*VERB) */
		return;
	}
	if (*r->s != '?')
		return;
	if (*s == ':' || *s == '>' || *s == '|' || *s == '=' || *s == '!') {
		*look = *s == '=' || *s == '!';
		*neg = *s == '!';
		s++;
	} else if (*s == '<' && (s[1] == '=' || s[1] == '!')) {
		*look = true;
		*neg = s[1] == '!';
		s += 2;
	} else if ((*s == '<' || *s == '\'' || (*s == 'P' && s[1] == '<'))) {
		char end = *s == '\'' ? '\'' : '>';

		s = strchr(s, end);
		if (s == NULL) {
			r->bad = true;
			return;
		}
		s++;
	} else {
		r->bad = true;	/* options, comments, conditions */
		return;
	}
	r->s = s;
}

/* A group, r->s just past its '('. */
static void
group(struct rd *r, struct item *it)
{
	bool look, neg;
	size_t nalt;

	group_open(r, &look, &neg);
	if (r->bad)
		return;
	alternatives(r, it, &nalt);
	if (*r->s != ')') {
		r->bad = true;
		return;
	}
	r->s++;
	if (look) {
		memset(it, 0, sizeof(*it));
		it->nullable = true;
	} else if (nalt > 1) {
		it->single = it->literal = false;
	}
}

/* One item and its quantifier. */
static void
item(struct rd *r, struct item *it)
{
	char c = *r->s;

	memset(it, 0, sizeof(*it));
	it->single = it->literal = true;
	it->min = it->max = 1;
	if (c == '(') {
		r->s++;
		group(r, it);
	} else if (c == '^' || c == '$') {
		r->s++;
		memset(it, 0, sizeof(*it));
		it->nullable = true;
		return;
	} else if (c == '[') {
		r->s++;
		class(r, &it->first);
		it->literal = false;
	} else if (c == '\\') {
		r->s++;
		escape(r, &it->first);
		it->literal = set_single(&it->first) >= 0;
	} else if (c == '.') {
		r->s++;
		set_not(&it->first);
		it->literal = false;
	} else if (c == '*' || c == '+' || c == '?' || c == '{' ||
	    c == '\0' || c == ')' || c == '|') {
		r->bad = true;
		return;
	} else {
		r->s++;
		set_add(&it->first, (unsigned char)c);
	}
	if (!r->bad)
		quantifier(r, it);
}

/*
 * A sequence of items up to '|', ')' or the end: the bytes it may start
 * with in it->first, and whether it may match the empty string. A
 * sequence of more than one item that is not nullable is not 'single'.
 */
static void
sequence(struct rd *r, struct item *seq)
{
	struct item it;
	size_t n = 0;

	memset(seq, 0, sizeof(*seq));
	seq->nullable = true;
	while (!r->bad && *r->s && *r->s != '|' && *r->s != ')') {
		item(r, &it);
		if (r->bad)
			return;
		if (seq->nullable)
			set_or(&seq->first, &it.first);
		if (n == 0)
			*seq = it;
		else
			seq->single = seq->literal = false;
		seq->nullable = seq->nullable && it.nullable;
		n++;
	}
}

static void
alternatives(struct rd *r, struct item *it, size_t *nalt)
{
	struct item seq;

	sequence(r, it);
	*nalt = 1;
	while (!r->bad && *r->s == '|') {
		r->s++;
		sequence(r, &seq);
		set_or(&it->first, &seq.first);
		it->nullable = it->nullable || seq.nullable;
		(*nalt)++;
	}
}

/* The literal lead after the run (or from the start): literal items. */
static void
lead_literal(struct rd *r, struct pattern *p)
{
	struct item it;

	while (!r->bad && p->litlen < LIT_MAX && *r->s && *r->s != '|' &&
	    *r->s != ')') {
		const char *at = r->s;

		item(r, &it);
		if (r->bad || !it.literal || it.nullable) {
			r->s = at;
			return;
		}
		p->lit[p->litlen++] = (char)set_single(&it.first);
	}
}

/*
 * The required literal: a run of literal text every match contains, read
 * from the whole regex as a sequence of items. A literal item, once,
 * extends the current run; a byte repeated (min >= 1) ends it and starts
 * the next; a group taken once without alternatives is read in line; a
 * group repeated, or a positive lookaround, is read on its own (its runs
 * are in every match, but not next to what is around them); anything
 * else (an optional item, a class, a negative lookaround) ends the run.
 * A run that starts where '^' left the match (and nothing but zero-width
 * items since) is at the subject's start: there it is compared, not
 * sought. Of the runs that the lead's literal does not already hold, the
 * longest is kept (at the start, of two as long), if it has 2 bytes or
 * more (one is in most lines). A group of alternatives, not optional,
 * gives a set: a run of each alternative (the one at its start, cheap to
 * compare, if worth it, else its longest), one of which every match
 * holds; it serves when no single run does and each of its runs is worth
 * looking for (run_worth()).
 */
struct run {
	char s[REQ_MAX];
	size_t len;
	bool at0;
};

struct req {
	const struct pattern *p;
	struct run cur, best;
	struct run best0;	/* the longest at the start */
	bool at0;	/* here is the subject's start */
	struct run any[REQ_ALTS];	/* a set of runs, one in every match */
	size_t nany, anyscore;
};

/* Is v[0..n) in s[0..len)? */
static bool
has_bytes(const char *s, size_t len, const char *v, size_t n)
{
	for (size_t i = 0; n <= len && i <= len - n; i++)
		if (memcmp(s + i, v, n) == 0)
			return true;
	return false;
}

static size_t
run_score(const struct run *v)
{
	return 2 * v->len + v->at0;
}

/* Is v worth looking for as one of a set, each of which is looked for:
 * a search costs about what a regex that fails early does, unless the
 * literal is long (its skips are long); at the start it is a compare. */
static bool
run_worth(const struct run *v)
{
	return v->len >= (v->at0 ? 2 : REQ_LONG);
}

static void
req_flush(struct req *q)
{
	if (q->cur.len == 0 ||
	    has_bytes(q->p->lit, q->p->litlen, q->cur.s, q->cur.len)) {
		q->cur.len = 0;
		return;
	}
	if (run_score(&q->cur) > run_score(&q->best))
		q->best = q->cur;
	if (q->cur.at0 && q->cur.len > q->best0.len)
		q->best0 = q->cur;
	q->cur.len = 0;
}

/* A byte onto the run; past REQ_MAX its end is kept (any part of a run
 * is in every match too, and its start is often the lead's). */
static void
req_add(struct req *q, unsigned char c)
{
	if (q->cur.len == 0)
		q->cur.at0 = q->at0;
	if (q->cur.len == REQ_MAX) {
		memmove(q->cur.s, q->cur.s + 1, --q->cur.len);
		q->cur.at0 = false;
	}
	q->cur.s[q->cur.len++] = (char)c;
}

static bool req_seq(struct rd *, struct req *);

/*
 * The alternatives of a group, r->s at its first: the best run of each
 * into q's set, if each has one, they are at most REQ_ALTS, and they
 * are better than the set q has.
 */
static void
req_alts(struct rd *r, struct req *q, bool at0)
{
	struct run v[REQ_ALTS];
	size_t n = 0, score = SIZE_MAX;

	for (;;) {
		struct req sub = {.p = q->p, .at0 = at0};
		bool last = req_seq(r, &sub);

		req_flush(&sub);
		if (r->bad || sub.best.len == 0 || n == REQ_ALTS)
			return;
		v[n++] = run_worth(&sub.best0) ? sub.best0 : sub.best;
		if (!run_worth(&v[n - 1]))
			return;
		if (v[n - 1].len < score)
			score = v[n - 1].len;
		if (last)
			break;
		r->s++;	/* the '|' */
	}
	if (score > q->anyscore) {
		memcpy(q->any, v, n * sizeof(*v));
		q->nany = n;
		q->anyscore = score;
	}
}

/* The group item it, which starts at 'at': its runs into q. */
static void
req_group(struct req *q, const char *at, const struct item *it)
{
	struct rd r = {at + 1, false};
	struct req sub;
	bool look, neg, inline_, at0 = q->at0;

	group_open(&r, &look, &neg);
	inline_ = !look && it->qmin == 1 && it->qmax == 1;
	if (!inline_)
		req_flush(q);
	if (!look)
		q->at0 = false;
	if (r.bad || neg || (!look && it->qmin == 0))
		return;
	sub = *q;
	sub.at0 = inline_ && at0;
	if (!req_seq(&r, &sub) || r.bad) {
		req_flush(q);	/* alternatives: a set of runs */
		r.s = at + 1;
		group_open(&r, &look, &neg);
		req_alts(&r, q, inline_ && at0);
		return;
	}
	if (!inline_)
		req_flush(&sub);
	sub.at0 = q->at0 || (inline_ && sub.at0);
	*q = sub;
}

/*
 * The items of a sequence from r->s to '|', ')' or the end: their runs
 * into q. False when it ends at '|' or the regex cannot be read.
 */
static bool
req_seq(struct rd *r, struct req *q)
{
	struct item it;
	int c;

	while (!r->bad && *r->s && *r->s != '|' && *r->s != ')') {
		const char *at = r->s;

		item(r, &it);
		if (r->bad)
			return false;
		if (*at == '(') {
			req_group(q, at, &it);
			continue;
		}
		c = set_single(&it.first);
		if (it.nullable || c < 0) {
			req_flush(q);	/* ^ $ . classes, optional items */
			q->at0 = *at == '^';
			continue;
		}
		req_add(q, (unsigned char)c);
		if (it.min != 1 || it.max != 1) {
			req_flush(q);
			q->at0 = false;
			req_add(q, (unsigned char)c);
		}
		q->at0 = false;
	}
	return !r->bad && *r->s != '|';
}

/*
 * How rare c is in a log line, from 0 (space, tab) up: capitals (mostly
 * in a server's own words and keys, "H=") over other punctuation over
 * letters by their frequency in English text over digits and the
 * separators of numbers, stamps and addresses.
 */
static unsigned
rarity(unsigned char c)
{
	static const char letters[] = "etaoinsrhldcumfpgwybvkxjqz";
	const char *at;

	if (c == ' ' || c == '\t')
		return 0;
	if ((c >= '0' && c <= '9') || c == '.' || c == ':' || c == '-')
		return 1;
	if (c >= 'a' && c <= 'z') {
		at = strchr(letters, c);
		return 2 + (unsigned)(at - letters);
	}
	if (c >= 'A' && c <= 'Z')
		return 60;
	return 40;
}

static void
req_set(struct reqlit *l, const struct run *v)
{
	memcpy(l->s, v->s, v->len);
	l->len = (uint8_t)v->len;
	l->at0 = v->at0;
	l->rare = 0;
	for (size_t i = 1; i < v->len; i++)
		if (rarity((unsigned char)v->s[i]) >
		    rarity((unsigned char)v->s[l->rare]))
			l->rare = (uint8_t)i;
}

/*
 * p's required literals from its whole regex rx, after its lead: none
 * when rx has options that change what a byte matches or where '^'
 * does, or cannot be read.
 */
static void
req_read(struct pattern *p, const char *rx, uint32_t opts)
{
	struct req q;
	struct rd r = {rx, false};

	p->nreq = 0;
	if (opts & (PCRE2_CASELESS | PCRE2_EXTENDED | PCRE2_EXTENDED_MORE |
	    PCRE2_LITERAL | PCRE2_UTF | PCRE2_UCP | PCRE2_MULTILINE))
		return;
	memset(&q, 0, sizeof(q));
	q.p = p;
	if (!req_seq(&r, &q) || *r.s != '\0')
		return;
	req_flush(&q);
	if (q.best.len >= 2) {
		req_set(&p->req[0], &q.best);
		p->nreq = 1;
		return;
	}
	for (size_t i = 0; i < q.nany; i++)
		req_set(&p->req[i], &q.any[i]);
	p->nreq = q.nany;
}

/*
 * The lead of p from its head (the regex, or its part before a field
 * set), whose match starts with one of the whole regex's.
 */
static void
lead_read(struct pattern *p, const char *head)
{
	struct rd r = {head, false};
	struct item whole, it;
	size_t nalt;

	alternatives(&r, &whole, &nalt);
	if (r.bad || *r.s != '\0' || head[0] != '^' || nalt > 1)
		return;
	r.s = head + 1;
	item(&r, &it);
	if (r.bad || it.nullable || !it.single || it.literal) {
		r = (struct rd){head + 1, false};	/* the literal alone */
	} else {
		memcpy(p->run, it.first.b, sizeof(p->run));
		p->runmin = it.min;
		p->runmax = it.max;
	}
	lead_literal(&r, p);
	if (p->runmax && (p->litlen == 0 ||
	    pattern_lead_has(p->run, (unsigned char)p->lit[0])))
		p->litlen = p->runmax = p->runmin = 0;	/* not exact */
}

/*
 * Read p's regex rx, made of head and what follows it (a field set's
 * fields and tail, or nothing), into p's first[], firstall, run[], runmin,
 * runmax, lit and litlen, and its required literals req and nreq. The
 * first bytes hold only when PCRE2 finds rx anchored (every branch starts
 * with '^'). What cannot be read leaves the pattern without a lead, with
 * every byte a first byte, or without a required literal.
 */
void
pattern_lead(struct pattern *p, const char *head, const char *rx)
{
	struct rd r = {rx, false};
	struct item whole;
	size_t nalt;
	uint32_t opts = 0;

	p->firstall = true;
	p->litlen = p->runmin = p->runmax = p->nreq = 0;
	if (p->re)
		pcre2_pattern_info(p->re, PCRE2_INFO_ALLOPTIONS, &opts);
	alternatives(&r, &whole, &nalt);
	if (!r.bad && *r.s == '\0' && !whole.nullable &&
	    (opts & PCRE2_ANCHORED)) {
		memcpy(p->first, whole.first.b, sizeof(p->first));
		p->firstall = false;
	}
	lead_read(p, head);
	req_read(p, rx, opts);
}

bool
pattern_lead_ok(const struct pattern *p, const char *s, size_t n)
{
	unsigned id = 0;
	size_t len = 0;

	return pattern_lead_ok_at(p, s, n, &id, &len);
}
