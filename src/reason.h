/*
 * reason - one row per distinct reason: a reply text with the parts that
 * differ from one message to the next masked, so that the texts of one
 * cause group into the reasons behind it ("wrong version number" apart
 * from "tlsv1 alert unknown ca", one DNSBL apart from another) instead of
 * one row per client or recipient.
 *
 * Masked, in this order at each position:
 *
 *	user@example.org, <user@example.org>   ADDR, <ADDR>
 *	192.0.2.7, 2001:db8::25                IP
 *	a host name before '[' or after '(', '[', '=', "host ", "from ",
 *	"helo "/"ehlo " (any case)             HOST
 *	"<...>: " at the very start             <ARG>:  (the refused argument)
 *	a run of 6+ letters and digits with both (queue and message IDs),
 *	with the dashed runs that follow it    ID
 *	a run of digits                        N
 *
 * A domain name anywhere else (the DNSBL in "blocked using
 * zen.example.net", a policy service) is kept: it tells reasons apart.
 *
 * Example: "<u1@bounce.test>: Recipient address rejected: Mailbox
 * unavailable (remote test 42)" masks to "<ARG>: Recipient address
 * rejected: Mailbox unavailable (remote test N)".
 */
#ifndef SLA_REASON_H
#define SLA_REASON_H

#include "util.h"

/* Append the masked form of text (NULL: nothing) to out. */
void reason_mask(const char *text, struct buf *out);

#endif
