/*
 * vocab - the words every stage shares: the fields a pattern captures
 * and the events it names (patterns/README.md), a pattern's scope and a
 * session's direction, and the phases, statuses and kinds of a verdict
 * and a recipient's status (design.md sections 4 and 5: a contract).
 *
 * A leaf: it includes nothing of the project, so that every module may
 * use these enums, and none of them crosses a module as a string.
 *
 * One rule for every enum E here, and for every name table elsewhere:
 *
 *	const char *E_name(enum E);	its name; NULL for E_NONE, for a
 *					value without a name (KIND_NONE)
 *					and for one out of range
 *	enum E E_by_name(const char *s, size_t len);
 *					the value named s[0..len), exactly
 *					(case counts); E_NONE when unknown
 *
 *	phase_by_name("rcpt", 4) == PHASE_RCPT
 *	phase_name(PHASE_NONE) == NULL
 *
 * The tables elsewhere that follow it: term_color (term.h), journal_field
 * (journal.h), seq_finding (seqcheck.h, names only), tally_fig, tally_out
 * and tally_top (tally.h, names only), and --format in options.c.
 */
#ifndef SLA_VOCAB_H
#define SLA_VOCAB_H

#include <stddef.h>

/* Keep in step with field_names[] in vocab.c and patterns/README.md. */
enum field {
	F_NONE = -1,
	F_TS,
	F_HOST,
	F_PROGRAM,
	F_DAEMON,
	F_PID,
	F_SEVERITY,
	F_SESSION,
	F_QUEUE,
	F_CLIENT_NAME,
	F_CLIENT_IP,
	F_CLIENT_PORT,
	F_SERVER_IP,
	F_SERVER_PORT,
	F_HELO,
	F_COMMAND,
	F_ARG,
	F_REPLY,
	F_ENHANCED,
	F_TEXT,
	F_SENDER,
	F_RECIPIENT,
	F_ORIG_RECIPIENT,
	F_RELAY,
	F_STATUS,
	F_REMOTE_STAGE,
	F_PHASE,
	F_KIND,
	F_CAUSE,
	F_ACTION,
	F_MESSAGE_ID,
	F_SIZE,
	F_NRCPT,
	F_NEW_QUEUE,
	F_ORIG_QUEUE,
	F_STATS,
	F_SASL_METHOD,
	F_SASL_USER,
	F_TLS,
	F_BYTES,
	F_COUNT,
	F_DELAY,
	F_REASON,
	F__COUNT
};
enum event {
	EV_NONE = -1,
	EV_CONNECT,	/* opens a session */
	EV_DISCONNECT,	/* closes it */
	EV_HANDOFF,	/* a screening session passes the client on */
	EV_COMMAND,	/* a client command seen in a transcript */
	EV_REPLY,	/* a server reply seen in a transcript */
	EV_FAIL,	/* a negative outcome: reject, drop, timeout, ... */
	EV_TRANSACTION,	/* a session's message got its queue ID */
	EV_ACCEPT,	/* the message is in the queue */
	EV_DELIVERY,	/* one recipient's delivery attempt */
	EV_EXPIRE,	/* the message gave up: every open recipient fails */
	EV_REMOVE,	/* the message left the queue */
	EV_NOTE,	/* recognised, kept in the transcript */
	EV_IGNORE,	/* recognised, belongs to no conversation */
	EV__COUNT
};
enum scope {
	SCOPE_NONE = -1,
	SCOPE_SESSION,
	SCOPE_MESSAGE,
	SCOPE__COUNT
};
enum direction {
	DIR_NONE = -1,
	DIR_INBOUND,
	DIR_OUTBOUND,
	DIR__COUNT
};

enum phase {
	PHASE_NONE = -1,
	PHASE_PREGREETING,
	PHASE_HELO,
	PHASE_STARTTLS,
	PHASE_AUTH,
	PHASE_MAIL,
	PHASE_RCPT,
	PHASE_DATA,
	PHASE_POSTQUEUE,
	PHASE__COUNT
};
enum status {
	STATUS_NONE = -1,
	STATUS_OK,
	STATUS_FAILED,
	STATUS_PARTIAL,
	STATUS_INCOMPLETE,
	STATUS__COUNT
};
enum kind {
	KIND_NONE,
	KIND_REJECTED,
	KIND_TEMPFAIL,
	KIND_DROPPED,
	KIND_TIMEOUT,
	KIND_PROTOCOL,
	KIND_TLS,
	KIND_AUTH,
	KIND_BOUNCED,
	KIND_DEFERRED,
	KIND_EXPIRED,
	KIND__COUNT
};
/* Where one recipient stands. */
enum rstatus {
	RS_NONE = -1,
	RS_ACCEPTED,	/* accepted by the server, no delivery seen yet */
	RS_REJECTED,	/* refused at RCPT (5xx) */
	RS_TEMPFAIL,	/* refused at RCPT (4xx) */
	RS_DELIVERED,
	RS_DEFERRED,
	RS_BOUNCED,
	RS_EXPIRED,
	RS__COUNT
};

const char *field_name(enum field);
enum field field_by_name(const char *, size_t);
const char *event_name(enum event);
enum event event_by_name(const char *, size_t);
const char *scope_name(enum scope);
enum scope scope_by_name(const char *, size_t);
const char *direction_name(enum direction);
enum direction direction_by_name(const char *, size_t);
const char *phase_name(enum phase);
enum phase phase_by_name(const char *, size_t);
const char *status_name(enum status);
enum status status_by_name(const char *, size_t);
const char *kind_name(enum kind);
enum kind kind_by_name(const char *, size_t);
const char *rstatus_name(enum rstatus);
enum rstatus rstatus_by_name(const char *, size_t);

#endif
