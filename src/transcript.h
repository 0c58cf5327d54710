/*
 * transcript - the one reading of an SMTP transcript: which command each
 * reply answers.
 *
 * RFC 5321 answers commands in order, so replies are paired with the
 * commands awaiting one first in, first out, and pipelined commands
 * (RFC 2920: MAIL, RCPT, DATA sent at once, then 250, 550, 554) each get
 * their own reply, never the last command's. Further:
 *
 *	- the first reply before any command answers the connection (the
 *	  greeting, phase pre-greeting);
 *	- a reply line with more to come ("250-PIPELINING") answers the
 *	  command at the head without taking it; the last line takes it;
 *	- 354 to DATA puts the final dot at the head: the next reply
 *	  answers the message (RFC 5321 4.3.2);
 *	- a line the client sends after 334 continues AUTH (RFC 4954);
 *	- the reply to "BDAT n LAST" answers the message (RFC 3030);
 *	- a reply with no command waiting is unsolicited (only 421 may come
 *	  so).
 *
 * The correlator (correlate_apply.c) reads each line of a session through
 * one struct transcript as it comes; seqcheck.c replays a session's
 * transcript through another. A command is named by the caller's id (an
 * index into struct session's conv[]), so nothing is copied.
 *
 *	struct transcript t;
 *	struct tx_reply r;
 *
 *	transcript_init(&t);
 *	transcript_command(&t, 0, "MAIL FROM:<a@b>", 15);	PHASE_MAIL
 *	transcript_command(&t, 1, "RCPT TO:<c@d>", 13);		PHASE_RCPT
 *	transcript_command(&t, 2, "DATA", 4);			PHASE_DATA
 *	transcript_reply(&t, "250", false, &r);	r.id 0, PHASE_MAIL
 *	transcript_reply(&t, "550", false, &r);	r.id 1, PHASE_RCPT
 *	transcript_reply(&t, "554", false, &r);	r.id 2, PHASE_DATA
 */
#ifndef SLA_TRANSCRIPT_H
#define SLA_TRANSCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vocab.h"

/* Commands awaiting a reply at most; more are not paired. */
#define TX_PENDING 16

enum tx_answers {
	TX_UNSOLICITED,	/* no command was waiting */
	TX_GREETING,	/* the connection itself */
	TX_COMMAND,	/* the command id */
	TX_END_OF_DATA,	/* the final dot after DATA (id: the DATA) */
};

/* What a reply answers. */
struct tx_reply {
	enum tx_answers answers;
	uint32_t id;	/* the command's id (TX_COMMAND, TX_END_OF_DATA) */
	enum phase phase;	/* of that command; PHASE_PREGREETING for the
				   greeting; PHASE_NONE when unsolicited or
				   when the command names no phase (NOOP) */
	bool auth_cont;	/* the command was a line after 334 */
	bool message;	/* the reply decides the message: it answers the
			   final dot, or BDAT LAST */
};

struct tx_slot {
	uint32_t id;
	signed char phase;
	unsigned char flags;
};

struct transcript {
	struct tx_slot q[TX_PENDING];
	unsigned head, n;	/* the FIFO of commands awaiting replies */
	bool greeted, auth_cont;
};

void transcript_init(struct transcript *);

/*
 * The client sent text[0..len) ("RCPT TO:<x>"), named id. Returns its
 * phase (PHASE_AUTH for a line after 334; PHASE_NONE for RSET, NOOP,
 * QUIT, ...).
 */
enum phase transcript_command(struct transcript *, uint32_t id,
    const char *text, size_t len);

/*
 * The server replied code (three digits); cont: a line with more to come.
 * Fills *r with what the reply answers.
 */
void transcript_reply(struct transcript *, const char *code, bool cont,
    struct tx_reply *r);

/*
 * Words a server's log uses for a stage besides the SMTP commands (a
 * pattern set's 'stages', pattern.h): "END-OF-MESSAGE", "initial
 * connection". Case does not count.
 */
struct stage_word {
	char *word;
	size_t len;
	enum phase phase;
};
struct stage_words {
	struct stage_word *v;
	size_t n;
};

/*
 * The phase of an SMTP stage as a log names it: the first of sw's words
 * (NULL: none) in it, else the first SMTP command word (RFC 5321, 3030,
 * 4954, 2033: DATA, BDAT, RCPT, MAIL, AUTH, STARTTLS, EHLO, HELO, LHLO).
 * A word counts where it stands whole (not inside a longer word); what
 * follows a '<' is not read ("RCPT TO:<mail@x>"). A text of letters
 * only ("rcpt", "CONNECT") must be one of the words. PHASE_NONE when it
 * names none (RSET, NOOP, QUIT, ...).
 *
 *	phase_of_stage(NULL, "RCPT TO command", 15) == PHASE_RCPT
 *	with sw {"end of data": data}: "pipelined end of data": PHASE_DATA
 */
enum phase phase_of_stage(const struct stage_words *sw, const char *,
    size_t);

/* The verb of a command text, "RCPT TO:<x>" -> "RCPT", into buf. */
const char *transcript_verb(const char *text, char *buf, size_t size);

#endif
