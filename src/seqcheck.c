/*
 * seqcheck - see seqcheck.h.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "seqcheck.h"

#define PENDING_MAX 64

static const char *const finding_names[SEQF__COUNT] = {
	"reply not allowed for its command",
	"command before the greeting",
	"command after a 421 reply",
	"DATA with no recipient accepted",
};

const char *
seq_finding_name(enum seq_finding f)
{
	return f < SEQF__COUNT ? finding_names[f] : "?";
}

/* The verb: "RCPT TO:<x>" -> "RCPT", copied into buf. */
static const char *
verb(const char *text, char *buf, size_t size)
{
	size_t n = strcspn(text, " :\t");

	if (n >= size)
		n = size - 1;
	memcpy(buf, text, n);
	buf[n] = '\0';
	return buf;
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

size_t
seqcheck(const struct session *s, const struct codes *codes,
    void (*fn)(const struct seq_note *, void *), void *arg)
{
	struct state st = {s, fn, arg, 0, {false}};
	char pending[PENDING_MAX][16];
	size_t head = 0, tail = 0;	/* FIFO of commands awaiting replies */
	bool greeted = false, closed421 = false, auth_cont = false;
	unsigned rcpt_ok = 0;

	if (codes == NULL || s->nconv == 0)
		return 0;
	for (size_t i = 0; i < s->nconv; i++) {
		const struct conv *c = &s->conv[i];
		char v[16], code[4];

		if (!c->reply) {
			if (auth_cont) {	/* an answer to 334 */
				auth_cont = false;
				snprintf(v, sizeof(v), "AUTH");
			} else {
				verb(c->text ? c->text : "", v, sizeof(v));
			}
			if (!greeted)
				note(&st, SEQF_CMD_BEFORE_GREETING, c, NULL);
			if (closed421)
				note(&st, SEQF_CMD_AFTER_421, c, NULL);
			if (strcasecmp(v, "MAIL") == 0)
				rcpt_ok = 0;
			if ((strcasecmp(v, "DATA") == 0 ||
			    strcasecmp(v, "BDAT") == 0) && rcpt_ok == 0 &&
			    head == tail && greeted)
				note(&st, SEQF_DATA_WITHOUT_RCPT, c, NULL);
			if (tail - head < PENDING_MAX)
				memcpy(pending[tail++ % PENDING_MAX], v,
				    sizeof(v));
			continue;
		}
		if (!reply_code(c, code) || c->cont)
			continue;
		if (!greeted && head == tail) {
			snprintf(v, sizeof(v), "CONNECT");
		} else if (head < tail) {
			memcpy(v, pending[head++ % PENDING_MAX], sizeof(v));
		} else {
			/* an unsolicited reply: only 421 may come so */
			v[0] = '\0';
		}
		greeted = true;
		if (v[0] != '\0' && codes_reply_check(codes, v, code) ==
		    SEQ_NOT_ALLOWED)
			note(&st, SEQF_REPLY_NOT_ALLOWED, c, v[0] ? v : NULL);
		if (strcmp(code, "421") == 0)
			closed421 = true;
		if (strcasecmp(v, "RCPT") == 0 && code[0] == '2')
			rcpt_ok++;
		if (strcasecmp(v, "DATA") == 0 && strcmp(code, "354") == 0) {
			/* the next reply answers the final dot: put it back
			 * at the front of the queue, where DATA was */
			head--;
			memcpy(pending[head % PENDING_MAX], "END-OF-DATA", 12);
		}
		if (strcasecmp(v, "AUTH") == 0 && strcmp(code, "334") == 0)
			auth_cont = true;
	}
	return st.n;
}
