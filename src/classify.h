/*
 * classify - the verdict of a session (design.md §4).
 *
 * The phase is the stage of the command whose reply was negative; for a
 * drop, a timeout or a protocol error it is the stage of the last command
 * seen. A session fails when no message was accepted because of a refusal,
 * a drop, a timeout or a protocol error, or when an accepted message later
 * bounced, expired or is still deferred (phase post-queue, with the
 * remote's phase beside it). Some recipients refused and others accepted
 * make it partial; a clean session without mail is ok with outcome
 * "no-mail"; one still open at the end of input is incomplete.
 *
 * Which failure speaks for a session that had several: the last negative
 * reply, else the last failure that says why (TLS, AUTH, protocol); a
 * failure in a later phase always speaks (a drop inside DATA after a
 * refused MAIL). A DATA refusal after every
 * recipient was refused repeats the RCPT refusal and does not speak. A
 * failure whose pattern "explains" lends its cause to the later refusal
 * (postscreen's PREGREET under "enforce" is why RCPT got 550 5.5.1): the
 * phase stays the stage of the negative reply, the cause is the reason.
 */
#ifndef SLA_CLASSIFY_H
#define SLA_CLASSIFY_H

#include "pattern.h"
#include "session.h"

/* Fill s->v; strings point into s or db. */
void classify(struct session *s, const struct pattern_db *db);

#endif
