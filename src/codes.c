/*
 * codes - the lookups of codes.h: meanings, flags, the replies a command
 * may get, hints, --explain and the gist of a reply. Loading is
 * codes_load.c's.
 *
 * Lookups are by number: a reply code indexes a table of 1000 slots, an
 * enhanced code's subject and detail are found by a short linear search
 * (the registry has under a hundred details).
 */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "codes.h"
#include "codes_int.h"
#include "escape.h"
#include "session.h"
#include "util.h"

/* How each phase is named for an admin, in --explain (session.h order). */
static const char *const phase_titles[PHASE__COUNT] = {
	"on connect, before or at the greeting", "at HELO/EHLO",
	"at STARTTLS", "at AUTH", "at MAIL FROM", "at RCPT TO",
	"at DATA or the end of the message", "after acceptance, on delivery",
};

/* --- small parsers (codes_int.h) --------------------------------------- */

/* A run of 1..maxd ASCII digits, the whole string; -1 otherwise. */
int
codes_parse_num(const char *s, size_t len, size_t maxd)
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
int
codes_reply_num(const char *s)
{
	return s && strlen(s) == 3 ? codes_parse_num(s, 3, 3) : -1;
}

/*
 * "5.1.1" -> class, subject, detail: one to three digits each. The class
 * is returned whatever its digit; the caller judges it.
 */
bool
codes_enh_split(const char *s, int *cls, int *subj, int *det)
{
	const char *d1, *d2;

	if (s == NULL || (d1 = strchr(s, '.')) == NULL ||
	    (d2 = strchr(d1 + 1, '.')) == NULL)
		return false;
	*cls = codes_parse_num(s, (size_t)(d1 - s), 1);
	*subj = codes_parse_num(d1 + 1, (size_t)(d2 - d1 - 1), 3);
	*det = codes_parse_num(d2 + 1, strlen(d2 + 1), 3);
	return *cls >= 0 && *subj >= 0 && *det >= 0;
}

bool
codes_enh_class_ok(int c)
{
	return c == 2 || c == 4 || c == 5;
}

struct command *
codes_find_command(const struct codes *c, const char *name, size_t len)
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

/* --- lookups -------------------------------------------------------------- */

/* c->details is sorted by subject and detail (codes_load.c): a binary
 * search, where a JSON report asked twice a session for the meaning of
 * its enhanced code, each time walking the whole list. */
static const struct detail *
find_detail(const struct codes *c, int subj, int det)
{
	size_t lo = 0, hi = c->ndetails;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct detail *d = &c->details[mid];

		if (d->subject == subj && d->detail == det)
			return d;
		if (d->subject < subj || (d->subject == subj &&
		    d->detail < det))
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The reply code's number when it is three digits, the first 2-5. */
static int
reply_ok(const char *code)
{
	int n = codes_reply_num(code);

	return n >= 200 && n <= 599 ? n : -1;
}

const char *
codes_reply_meaning(const struct codes *c, const char *code)
{
	int n = codes_reply_num(code);

	if (n >= 0 && c->reply[n])
		return c->reply[n]->meaning;
	if ((n = reply_ok(code)) < 0)
		return NULL;
	return c->rfall[n / 100][n / 10 % 10];
}

unsigned
codes_reply_flags(const struct codes *c, const char *code)
{
	int n = codes_reply_num(code);
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

	if (!codes_enh_split(enh, &cls, &subj, &det) ||
	    !codes_enh_class_ok(cls))
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

	if (!codes_enh_split(enh, &cls, &subj, &det))
		return CODE_MALFORMED | CODE_UNKNOWN;
	if ((d = find_detail(c, subj, det)) == NULL)
		return (codes_enh_class_ok(cls) ? 0 : CODE_MALFORMED) |
		    CODE_UNKNOWN;
	if (!codes_enh_class_ok(cls))
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
	return codes_find_command(c, command, len);
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
	int n = codes_reply_num(code);

	if (k == NULL || strcmp(k->name, "*") == 0)
		return SEQ_UNKNOWN_COMMAND;
	if (n < 0)
		return SEQ_NOT_ALLOWED;
	if (in_list(k, L_SUCCESS, n) || in_list(k, L_INTERMEDIATE, n) ||
	    in_list(k, L_ERROR, n))
		return SEQ_ALLOWED;
	/* "*" is what any command may get; the greeting is no command. */
	any = codes_find_command(c, "*", 1);
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
codes_hint(const struct codes *c, enum phase phase, const char *cause)
{
	return codes_hint_mta(c, NULL, phase, cause);
}

/* Is hint h for a session of mta: its own, or any server's? 2: its own,
 * 1: any server's, 0: another server's. "exchange" is also the hint of
 * "exchange-tracking". */
static int
hint_fits(const struct hint *h, const char *mta)
{
	size_t n;

	if (h->mta == NULL)
		return 1;
	if (mta == NULL)
		return 0;
	n = strlen(h->mta);
	return strncmp(h->mta, mta, n) == 0 &&
	    (mta[n] == '\0' || mta[n] == '-') ? 2 : 0;
}

static const char *
hint_lookup(const struct codes *c, const char *mta, enum phase phase,
    const char *cause)
{
	int ph = (int)phase, best = 0, fit;
	const struct hint *found = NULL;

	/* rank: phase and cause 3, cause 2, phase 1; then the server's own
	 * before any server's */
	for (size_t i = 0; i < c->nhints; i++) {
		const struct hint *h = &c->hints[i];
		bool cm;
		int rank = 0;

		/* no rank without the phase, or a cause for any phase:
		 * skipped before the string compares (a JSON report asks
		 * for every failed session, of some hundred hints) */
		if (h->phase >= 0 ? h->phase != ph : h->cause == NULL)
			continue;
		if ((fit = hint_fits(h, mta)) == 0)
			continue;
		cm = cause && h->cause && strcmp(cause, h->cause) == 0;
		if (ph >= 0 && h->phase == ph && cm)
			rank = 3;
		else if (h->phase < 0 && cm)
			rank = 2;
		else if (ph >= 0 && h->phase == ph && h->cause == NULL)
			rank = 1;
		if (rank > 0 && rank * 2 + fit > best) {
			best = rank * 2 + fit;
			found = h;
		}
	}
	return found ? found->text : NULL;
}

/*
 * Is the name kept in a memo slot (none: it was NULL) the name s of n
 * bytes? The kept name ends with its NUL, so n + 1 bytes compare it all.
 */
static bool
memo_eq(const char *kept, bool none, const char *s, size_t n)
{
	return s ? !none && memcmp(kept, s, n + 1) == 0 : none;
}

/*
 * A name of n bytes (fewer than HINT_MEMO_CAUSE) mixed into h by
 * hash_ends(): its first and last eight bytes, or four, or each byte of
 * a shorter one, and its length. Only the set to look in hangs on it, so
 * names that mix alike only share a set; a call of hash_bytes() cost more
 * than the rest of a look-up.
 */
static uint64_t
memo_mix(uint64_t h, const char *s, size_t n)
{
	h = (h ^ hash_ends(s, n)) * 0xff51afd7ed558ccdull;
	return h ^ h >> 29;
}

/*
 * The memo slot of (mta, phase, cause) (codes_int.h: HINT_MEMO_SETS), the
 * names lm and lc bytes long: the one holding it (*hit true), or the
 * set's least recently used.
 */
static struct hint_memo *
memo_slot(struct hint_memos *memo, const char *mta, size_t lm,
    enum phase phase, const char *cause, size_t lc, bool *hit)
{
	uint64_t h = (uint64_t)(phase + 1) * 0xff51afd7ed558ccdull;
	struct hint_memo *set, *old;

	if (mta)
		h = memo_mix(h, mta, lm) * 3;
	if (cause)
		h = memo_mix(h, cause, lc);
	h ^= h >> 29;
	set = &memo->e[h % HINT_MEMO_SETS * HINT_MEMO_WAYS];
	old = set;
	memo->clock++;
	for (int i = 0; i < HINT_MEMO_WAYS; i++) {
		struct hint_memo *m = &set[i];

		if (m->set && m->phase == (int)phase &&
		    memo_eq(m->mta, m->no_mta, mta, lm) &&
		    memo_eq(m->cause, m->no_cause, cause, lc)) {
			m->used = memo->clock;
			*hit = true;
			return m;
		}
		if (m->used < old->used)
			old = m;
	}
	*hit = false;
	return old;
}

const char *
codes_hint_mta(const struct codes *c, const char *mta, enum phase phase,
    const char *cause)
{
	size_t lm = mta ? strlen(mta) : 0, lc = cause ? strlen(cause) : 0;
	struct hint_memo *m;
	bool hit;

	if (c->memo == NULL || lc >= HINT_MEMO_CAUSE ||
	    lm >= HINT_MEMO_CAUSE)
		return hint_lookup(c, mta, phase, cause);
	m = memo_slot(c->memo, mta, lm, phase, cause, lc, &hit);
	if (hit)
		return m->text;
	m->set = true;
	m->used = c->memo->clock;
	m->phase = (int)phase;
	m->no_mta = mta == NULL;
	m->no_cause = cause == NULL;
	memcpy(m->mta, mta ? mta : "", lm + 1);
	memcpy(m->cause, cause ? cause : "", lc + 1);
	m->text = hint_lookup(c, mta, phase, cause);
	return m->text;
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
	const struct command *any = codes_find_command(c, "*", 1);

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
			buf_adds(b, k->name);
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
	int n = codes_reply_num(code);
	const struct reply *r = n >= 0 ? c->reply[n] : NULL;
	struct buf b = BUF_INIT;
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
	buf_release(&b);
}

static void
explain_enhanced(FILE *out, const struct codes *c, const char *enh,
    unsigned f)
{
	int cls, subj, det;
	const struct detail *d = NULL;
	char lab[48];

	if (!codes_enh_split(enh, &cls, &subj, &det)) {
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
	row(out, lab, codes_enh_class_ok(cls) && c->eclass[cls].meaning ?
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
		struct buf b = BUF_INIT;

		for (int k = 2; k <= 5; k++)
			if (d->classes & (1u << k))
				buf_addf(&b, "%s%d", b.len ? ", " : "", k);
		buf_addf(&b, " only; class %d is unusual for it", cls);
		row(out, "registered for", b.s);
		buf_release(&b);
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
			const char *h = codes_hint(c, p,
			    u->causes[i]);

			cause_row(out, u->causes[i], h ? h : "");
		}
		if (codes_hint(c, p, NULL))
			cause_row(out, "where to look",
			    codes_hint(c, p, NULL));
		any = true;
	}
	if (!any) {
		const char *h = codes_hint(c, PHASE_NONE, "other");

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
	int n = code ? codes_reply_num(code) : -1, cls, subj, det;
	bool esplit = enhanced && codes_enh_split(enhanced, &cls, &subj, &det);
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
