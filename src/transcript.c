/*
 * transcript - see transcript.h.
 *
 * phase_of_stage() knows the SMTP commands only, the words RFC 5321
 * gives them as every MTA writes them in its logs; the other words a
 * server uses for a stage are its pattern set's ('stages').
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "transcript.h"
#include "util.h"

enum {
	SLOT_AUTH_CONT = 1u << 0,	/* a line after 334 */
	SLOT_END_OF_DATA = 1u << 1,	/* the dot after DATA's 354 */
	SLOT_BDAT_LAST = 1u << 2,	/* BDAT n LAST */
	SLOT_DATA = 1u << 3,	/* DATA, whose 354 brings the dot */
	SLOT_AUTH = 1u << 4,	/* AUTH, whose 334 brings a line */
};

void
transcript_init(struct transcript *t)
{
	memset(t, 0, sizeof(*t));
}

const char *
transcript_verb(const char *text, char *buf, size_t size)
{
	size_t n = strcspn(text, " :\t");

	if (n >= size)
		n = size - 1;
	memcpy(buf, text, n);
	buf[n] = '\0';
	return buf;
}

/* Does the command end with the word LAST ("BDAT 6110 LAST")? */
static bool
ends_last(const char *text, size_t len)
{
	while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\r'))
		len--;
	return len >= 5 && strncasecmp(text + len - 5, " LAST", 5) == 0;
}

static void
push(struct transcript *t, uint32_t id, enum phase p, unsigned flags)
{
	struct tx_slot *s;

	if (t->n == TX_PENDING)
		return;
	s = &t->q[(t->head + t->n++) % TX_PENDING];
	s->id = id;
	s->phase = (signed char)p;
	s->flags = (unsigned char)flags;
}

static bool
has_word(const char *s, size_t n, const char *w, size_t wl)
{
	int c0 = w[0] | 0x20;

	for (size_t i = 0; i + wl <= n; i++) {
		if ((s[i] | 0x20) != c0 || strncasecmp(s + i, w, wl) != 0)
			continue;
		if (i > 0 && ((s[i - 1] >= 'A' && s[i - 1] <= 'Z') ||
		    (s[i - 1] >= 'a' && s[i - 1] <= 'z')))
			continue;
		if (i + wl < n && ((s[i + wl] >= 'A' && s[i + wl] <= 'Z') ||
		    (s[i + wl] >= 'a' && s[i + wl] <= 'z')))
			continue;
		return true;
	}
	return false;
}

/* The first of v[0..nv) in s[0..n): the whole of it when token. */
static enum phase
first_word(const struct stage_word *v, size_t nv, const char *s, size_t n,
    bool token)
{
	int c0 = n ? s[0] | 0x20 : 0;

	/* a token: its length, its first letter, then the whole word (most
	 * differ in length or first letter, and strncasecmp() costs more) */
	if (token) {
		for (size_t i = 0; i < nv; i++)
			if (v[i].len == n && (v[i].word[0] | 0x20) == c0 &&
			    strncasecmp(s, v[i].word, n) == 0)
				return v[i].phase;
		return PHASE_NONE;
	}
	for (size_t i = 0; i < nv; i++)
		if (has_word(s, n, v[i].word, v[i].len))
			return v[i].phase;
	return PHASE_NONE;
}

/* The first 4 (8) bytes at s as a number: a word compared at once. */
static inline uint32_t
w4(const char *s)
{
	uint32_t w;

	memcpy(&w, s, 4);
	return w;
}

static inline uint64_t
w8(const char *s)
{
	uint64_t w;

	memcpy(&w, s, 8);
	return w;
}

/*
 * The SMTP command that the token s (n letters) is, in any case: its
 * letters folded to lower case (| 0x20, exact for letters) and compared
 * whole, four or eight bytes in one load. The commands that name a stage
 * are DATA, BDAT, RCPT, MAIL, AUTH, STARTTLS, EHLO, HELO and LHLO
 * (transcript.h; check_transcript tries each as a token and in a text).
 */
static enum phase
smtp_token(const char *s, size_t n)
{
	uint32_t w;

	if (n == 8)
		return (w8(s) | 0x2020202020202020ull) == w8("starttls") ?
		    PHASE_STARTTLS : PHASE_NONE;
	if (n != 4)
		return PHASE_NONE;
	w = w4(s) | 0x20202020u;
	if (w == w4("data") || w == w4("bdat"))
		return PHASE_DATA;
	if (w == w4("rcpt"))
		return PHASE_RCPT;
	if (w == w4("mail"))
		return PHASE_MAIL;
	if (w == w4("auth"))
		return PHASE_AUTH;
	if (w == w4("ehlo") || w == w4("helo") || w == w4("lhlo"))
		return PHASE_HELO;
	return PHASE_NONE;
}

static bool
is_letter(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/*
 * The SMTP command that stands whole (a run of letters) in s[0..n), the
 * one of the highest phase when several do: DATA before RCPT, MAIL,
 * AUTH, STARTTLS and HELO, the order they are looked for in. One pass
 * over s, each run read as smtp_token(), instead of a search of s for
 * each of the nine words (has_word()).
 */
static enum phase
smtp_word_in(const char *s, size_t n)
{
	enum phase best = PHASE_NONE;
	size_t i = 0, j;

	while (i < n) {
		enum phase p;

		if (!is_letter(s[i])) {
			i++;
			continue;
		}
		for (j = i + 1; j < n && is_letter(s[j]); j++)
			;
		p = smtp_token(s + i, j - i);
		if (p > best)
			best = p;
		i = j;
	}
	return best;
}

enum phase
phase_of_stage(const struct stage_words *sw, const char *s, size_t n)
{
	enum phase p = PHASE_NONE;
	bool token = true;

	if (s == NULL)
		return PHASE_NONE;
	/*
	 * "RCPT TO:<mail@x>": the stage is what comes before the address.
	 * One word of letters ("rcpt" of a disconnect line's counters, "EHLO"
	 * of a command list): a word is in it only when it is the whole
	 * token, so compare lengths first instead of searching. One pass
	 * finds both.
	 */
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '<') {
			n = i;
			break;
		}
		token &= (unsigned char)((s[i] | 0x20) - 'a') < 26;
	}
	token = token && n > 0;
	if (sw != NULL)
		p = first_word(sw->v, sw->n, s, n, token);
	if (p == PHASE_NONE)
		p = token ? smtp_token(s, n) : smtp_word_in(s, n);
	return p;
}

enum phase
transcript_command(struct transcript *t, uint32_t id, const char *text,
    size_t len)
{
	char v[16];
	size_t vl;
	enum phase p;
	unsigned flags = 0;

	if (t->auth_cont) {
		t->auth_cont = false;
		push(t, id, PHASE_AUTH, SLOT_AUTH_CONT);
		return PHASE_AUTH;
	}
	vl = strcspn(text, " :\t");
	if (vl > len)
		vl = len;
	if (vl >= sizeof(v))
		vl = sizeof(v) - 1;
	memcpy(v, text, vl);
	v[vl] = '\0';
	/* the verb's: "EHLO mail.x" is HELO */
	p = phase_of_stage(NULL, v, vl);
	if (strcasecmp(v, "DATA") == 0)
		flags = SLOT_DATA;
	else if (strcasecmp(v, "AUTH") == 0)
		flags = SLOT_AUTH;
	else if (strcasecmp(v, "BDAT") == 0 && ends_last(text, len))
		flags = SLOT_BDAT_LAST;
	push(t, id, p, flags);
	return p;
}

void
transcript_reply(struct transcript *t, const char *code, bool cont,
    struct tx_reply *r)
{
	struct tx_slot *s;

	memset(r, 0, sizeof(*r));
	r->phase = PHASE_NONE;
	if (t->n == 0) {
		r->answers = t->greeted ? TX_UNSOLICITED : TX_GREETING;
		if (!t->greeted)
			r->phase = PHASE_PREGREETING;
		if (!cont)
			t->greeted = true;
		return;
	}
	t->greeted = true;
	s = &t->q[t->head];
	r->id = s->id;
	r->phase = (enum phase)s->phase;
	r->answers = s->flags & SLOT_END_OF_DATA ? TX_END_OF_DATA :
	    TX_COMMAND;
	r->auth_cont = (s->flags & SLOT_AUTH_CONT) != 0;
	r->message = (s->flags & (SLOT_END_OF_DATA | SLOT_BDAT_LAST)) != 0;
	if (cont)
		return;
	if ((s->flags & SLOT_DATA) && strncmp(code, "354", 3) == 0) {
		/* the dot takes DATA's place at the head */
		s->flags = SLOT_END_OF_DATA;
		return;
	}
	if ((s->flags & (SLOT_AUTH | SLOT_AUTH_CONT)) &&
	    strncmp(code, "334", 3) == 0)
		t->auth_cont = true;
	t->head = (t->head + 1) % TX_PENDING;
	t->n--;
}
