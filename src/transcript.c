/*
 * transcript - see transcript.h.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "session.h"
#include "transcript.h"

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
	p = phase_of_stage(v, vl);	/* the verb's: "EHLO mail.x" is HELO */
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
