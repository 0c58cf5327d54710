/*
 * seqcheck - RFC 5321 §4.3.2 sequence checks on the commands and replies
 * a log shows (Postfix debug_peer_list, Exchange protocol logs, Kerio
 * debug logs).
 *
 * Replies are paired with commands first in, first out, so pipelined
 * commands get their own replies; a multi-line reply counts once, by its
 * last line. The greeting answers the connection itself ("CONNECT"); the
 * reply after 354 answers the final dot ("END-OF-DATA"); a line after a
 * 334 continues AUTH. Findings never change a verdict: they are shown
 * beside it (--id) and counted (summary).
 */
#ifndef SLA_SEQCHECK_H
#define SLA_SEQCHECK_H

#include <stddef.h>

#include "codes.h"
#include "session.h"

enum seq_finding {
	SEQF_NONE = -1,
	SEQF_REPLY_NOT_ALLOWED,	/* e.g. 251 to DATA, 354 to RCPT */
	SEQF_CMD_BEFORE_GREETING,
	SEQF_CMD_AFTER_421,
	SEQF_DATA_WITHOUT_RCPT,	/* DATA with no RCPT accepted before it */
	SEQF__COUNT
};

struct seq_note {
	enum seq_finding what;	/* never SEQF_NONE */
	const struct conv *at;	/* the offending command or reply */
	const char *command;	/* the command a reply answered, or NULL */
};

/* What the finding says; NULL for SEQF_NONE and out of range (vocab.h). */
const char *seq_finding_name(enum seq_finding);

/*
 * Check s's transcript; call fn for each finding (fn may be NULL).
 * Returns the number of findings.
 */
size_t seqcheck(const struct session *, const struct codes *,
    void (*fn)(const struct seq_note *, void *), void *arg);

#endif
