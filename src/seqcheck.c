/*
 * seqcheck - see seqcheck.h.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "seqcheck.h"
#include "transcript.h"

static const char *const finding_names[SEQF__COUNT] = {
	"reply not allowed for its command",
	"command before the greeting",
	"command after a 421 reply",
	"DATA with no recipient accepted",
};

const char *
seq_finding_name(enum seq_finding f)
{
	return f >= 0 && f < SEQF__COUNT ? finding_names[f] : NULL;
}

/* A reply line: "250 2.1.0 Ok", "250-PIPELINING"; its code, or false. */
static bool
reply_code(const struct conv *c, char code[4])
{
	const char *t = c->text;

	if (t == NULL || strlen(t) < 3 || t[0] < '1' || t[0] > '5' ||
	    t[1] < '0' || t[1] > '9' || t[2] < '0' || t[2] > '9')
		return false;
	memcpy(code, t, 3);
	code[3] = '\0';
	return true;
}

struct state {
	const struct session *s;
	void (*fn)(const struct seq_note *, void *);
	void *arg;
	size_t n;
	bool said[SEQF__COUNT];	/* once per session and kind, but every
				   disallowed reply */
};

static void
note(struct state *st, enum seq_finding what, const struct conv *at,
    const char *command)
{
	struct seq_note n = {what, at, command};

	if (what != SEQF_REPLY_NOT_ALLOWED && st->said[what])
		return;
	st->said[what] = true;
	st->n++;
	if (st->fn)
		st->fn(&n, st->arg);
}

/* The command a reply answered, as codes.yaml names it, into v. */
static const char *
answered(const struct session *s, const struct tx_reply *r, char *v,
    size_t size)
{
	switch (r->answers) {
	case TX_GREETING:
		return "CONNECT";
	case TX_END_OF_DATA:
		return "END-OF-DATA";
	case TX_COMMAND:
		if (r->auth_cont)
			return "AUTH";
		return transcript_verb(s->conv[r->id].text ?
		    s->conv[r->id].text : "", v, size);
	case TX_UNSOLICITED:
		break;
	}
	return NULL;	/* only 421 may come so */
}

/* A command: the findings about when it came. */
static void
check_command(struct state *st, const struct conv *c, bool greeted,
    bool closed421, unsigned rcpt_ok, const struct transcript *t)
{
	char v[16];

	transcript_verb(c->text ? c->text : "", v, sizeof(v));
	if (!greeted)
		note(st, SEQF_CMD_BEFORE_GREETING, c, NULL);
	if (closed421)
		note(st, SEQF_CMD_AFTER_421, c, NULL);
	if ((strcasecmp(v, "DATA") == 0 || strcasecmp(v, "BDAT") == 0) &&
	    rcpt_ok == 0 && t->n == 0 && greeted)
		note(st, SEQF_DATA_WITHOUT_RCPT, c, NULL);
}

size_t
seqcheck(const struct session *s, const struct codes *codes,
    void (*fn)(const struct seq_note *, void *), void *arg)
{
	struct state st = {s, fn, arg, 0, {false}};
	struct transcript t;
	bool closed421 = false;
	unsigned rcpt_ok = 0;

	if (codes == NULL || s->nconv == 0)
		return 0;
	transcript_init(&t);
	for (size_t i = 0; i < s->nconv; i++) {
		const struct conv *c = &s->conv[i];
		const char *v;
		char vb[16], code[4];
		struct tx_reply r;

		if (!c->reply) {
			check_command(&st, c, t.greeted, closed421, rcpt_ok,
			    &t);
			if (transcript_command(&t, (uint32_t)i, c->text ?
			    c->text : "", c->text ? strlen(c->text) : 0) ==
			    PHASE_MAIL)
				rcpt_ok = 0;
			continue;
		}
		if (!reply_code(c, code) || c->cont)
			continue;
		transcript_reply(&t, code, false, &r);
		v = answered(s, &r, vb, sizeof(vb));
		if (v != NULL && codes_reply_check(codes, v, code) ==
		    SEQ_NOT_ALLOWED)
			note(&st, SEQF_REPLY_NOT_ALLOWED, c, v);
		if (strcmp(code, "421") == 0)
			closed421 = true;
		if (r.answers == TX_COMMAND && r.phase == PHASE_RCPT &&
		    !r.message && code[0] == '2')
			rcpt_ok++;
	}
	return st.n;
}
