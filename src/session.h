/*
 * session - what the correlator builds and the classifier and reporters
 * read: SMTP sessions, the messages they queued, and the verdicts.
 *
 * A session owns an arena; every string it holds lives there. Messages
 * have arenas of their own because they outlive the session that made
 * them by hours (a deferred message) or are made before any session is
 * known (a re-injected one).
 *
 * The phase, status and kind names are a contract (design.md §4 and §5):
 * they appear in JSON, in --phase and --status, and in scripts.
 */
#ifndef SLA_SESSION_H
#define SLA_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "timestamp.h"
#include "transcript.h"
#include "util.h"
#include "vocab.h"

struct pattern_set;
struct cold_unit;

/* A place on the correlator's held list: a held session's, or that of a
 * cold unit, which stands for a held session written out to the
 * correlator's temporary file (correlate_cold.c). */
struct hnode {
	struct hnode *prev, *next;
	bool cold;	/* the node of a struct cold_unit */
};

struct failure {
	enum phase phase;
	enum kind kind;
	char *reply, *enhanced, *text, *cause, *command, *recipient;
	const char *pattern;
	bool explains;	/* its cause explains later refusals */
	bool client_text;	/* text is what the client sent */
	bool phase_guessed;	/* no phase or stage named: the last phase
				   reached when it was logged */
	unsigned seq;
};

struct rcpt {
	char *address;
	/* the address as the message was sent to it, where the server
	 * logged it beside the one it delivered to after routing (Postfix's
	 * orig_to=, Exim's "=> bob <bob@example.org>"); else NULL */
	char *orig;
	enum rstatus status;
	enum phase phase;	/* where it was refused or failed */
	enum phase remote_phase;	/* post-queue: the remote's stage */
	enum kind kind;
	char *reply, *enhanced, *text, *relay;
	/* post-queue: the latest attempt's time, the delay it logged in
	 * seconds (-1: none), the deferrals so far, and whether an
	 * outbound (SMTP) delivery made it rather than a local one */
	struct ts at;
	double delay;
	unsigned deferrals;
	bool remote;
};

/*
 * With correlate_opts.keep_text a line keeps its text, or, when its file
 * can be read again, only where it is (off, len: report_line_text()
 * reads it back), which is what keeps --id as small as the summary.
 */
struct lineref {
	uint32_t file;	/* index into the run's file table */
	uint32_t line;
	char *text;	/* only with correlate_opts.keep_text */
	int64_t off;	/* with keep_text and no text: its offset */
	uint32_t len;	/* and its length */
	enum event ev;
};

struct conv {		/* one command or reply of a transcript */
	bool reply;
	bool cont;	/* a reply line with more to come ("250-...") */
	char *text;
	uint32_t line;
	uint32_t file;
};

struct verdict {
	enum status status;
	enum phase phase;	/* PHASE_NONE when ok */
	enum kind kind;
	enum phase remote_phase;
	enum phase reached;	/* the last phase the session got to */
	bool own_cause;	/* the cause came from the failure itself */
	bool client_text;	/* text is what the client sent, no reply */
	const char *outcome;
	const char *reply, *enhanced, *text, *cause, *command;
};

/*
 * What a session left out past its caps (correlate.h: SESSION_MAX_*):
 * a connection that sends 200,000 commands must not hold 200,000 lines.
 * Allocated only for such a session; the counts keep the figures right.
 */
struct omitted {
	unsigned long lines;	/* lines not listed */
	unsigned long conv;	/* commands and replies not kept */
	unsigned long rcpts;	/* recipients not kept */
	/* failures not kept (explanatory ones aside), by phase + 1 (0: no
	 * phase) and kind */
	unsigned long fails[PHASE__COUNT + 1][KIND__COUNT];
	struct arena arena;	/* the strings of the latest failure kept
				   in the last slot past the cap */
};

struct message {
	struct arena arena;
	char *host, *queue, *message_id, *sender, *size;
	bool accepted, removed, abandoned, expired, forwarded, closed_map;
	bool smtp;	/* received in an inbound SMTP session */
	bool owned;	/* a session owned it at some time (--id shows
			   one no session owned on its own) */
	bool held, discarded;	/* a HOLD or DISCARD action named it */
	bool reinjected;	/* a content filter's copy of another */
	bool in_grave;	/* on the correlator's list of the unqueued */
	bool hop_target;	/* another message's next_hop */
	unsigned seq;
	struct ts accepted_at;	/* when it was queued */
	struct session *owner;	/* the inbound session that queued it */
	/* with owner NULL: the unit its owner and its strings, recipients
	 * and lines are written out in (correlate_cold.c); read back before
	 * anything reads them */
	struct cold_unit *cold;
	struct message *next_hop;	/* re-injected copy (content filter) */
	struct rcpt *rcpts;
	size_t nrcpts, caprcpts;
	struct strmap *rcpt_idx;	/* rcpts by address, when many */
	struct lineref *lines;
	size_t nlines, caplines;
	/* the correlator's queue list, or its list of messages that never
	 * reached the queue (in_grave), until grave_until (log time) */
	struct message *mq_prev, *mq_next;
	int64_t grave_until;
	/* the correlator's list of queued messages in memory without a
	 * session, to be written out oldest first (correlate_cold.c) */
	struct message *or_prev, *or_next;
};

struct session {
	struct arena arena;
	const struct pattern_set *set;
	const char *mta;
	char *key, *label;
	/* strlen(key), and the low half of its strmap_hash() in the
	 * correlator's open map: unmapped without hashing it again */
	uint32_t key_len, key_hash;
	char *host, *pid, *session_id, *client_name, *client_ip,
	    *client_port, *helo, *sender, *sasl_user, *tls, *stats,
	    *queue,	/* outbound: the message being delivered */
	    *relay;	/* outbound: the server we talked to */
	struct ts start, end;
	int64_t gap_us;	/* ends after this much silence (its key's gap) */
	bool seen_start, closed, clean_quit, evicted, handed_off,
	    screened, internal, emitted,
	    quit_sent;	/* outbound: our QUIT seen in a transcript */
	enum direction dir;
	enum phase reached;
	enum phase last_cmd_phase;	/* of the last command seen */
	enum phase listed_phase;	/* of the last command of a logged
					   command list (Exim's C=), or NONE */
	unsigned last_cmd_seq;
	int stats_accepted;	/* data/bdat ok from the close line, -1 */
	int stats_rcpt_ok;	/* rcpt ok from the close line, -1 */
	unsigned rcpt_ok;	/* 2xx replies to RCPT seen in a transcript */
	unsigned data_ok;	/* 2xx replies to the final dot, likewise */
	/* which command each reply answers; allocated at the first
	 * command or reply, freed when the session is held */
	struct transcript *tx;
	struct failure *fails;
	size_t nfails, capfails;
	struct rcpt *rcpts;
	size_t nrcpts, caprcpts;
	struct strmap *rcpt_idx;	/* rcpts by address, when many */
	struct message **msgs;
	size_t nmsgs, capmsgs;
	struct lineref *lines;
	size_t nlines, caplines;
	struct conv *conv;
	size_t nconv, capconv;
	struct omitted *omitted;	/* NULL until a cap is reached */
	struct verdict v;
	unsigned seq;
	/* HOLD and DISCARD actions logged in it before a queue ID */
	unsigned nhold, ndiscard;
	/* on the held list (below; through held_node), and on the list
	 * of those that may be written out (lru links) */
	bool held, in_hot;
	/* ended, still taking lines under its key until linger_until */
	bool lingering;
	/* outbound, its result logged: on the correlator's list of such
	 * sessions, by last line, to end once quiet (never lingering) */
	bool resulted;
	int64_t linger_until;
	/* the correlator's list of live sessions, oldest first, or of the
	 * held ones (closed, waiting for their messages) */
	struct session *lru_prev, *lru_next;
	/* the list of the lingering, or of the resulted */
	struct session *lg_prev, *lg_next;
	struct hnode held_node;
};

/*
 * The view of a session that every consumer shares (classifier, filters,
 * --id, reporters), so that none recomputes it with rules of its own:
 *
 *	SESSION_OWNED  the messages that arrived through the session
 *	               (m->owner == s): their queue IDs, Message-IDs and
 *	               lines are the session's
 *	SESSION_FINAL  of those, the ones whose recipients are the
 *	               session's: not forwarded, since a message a content
 *	               filter re-injected lists its recipients, results and
 *	               codes on its copy, which the session also owns
 *
 *	struct session_iter it = SESSION_ITER_INIT;
 *	const struct rcpt *r;
 *
 *	while ((r = session_rcpt(s, &it)) != NULL)
 *		...every recipient a report lists, once
 */
enum session_msgs {
	SESSION_OWNED,
	SESSION_FINAL,
};

struct session_iter {
	size_t i, j;
};
#define SESSION_ITER_INIT {0, 0}

/* The next of s's messages of that kind, or NULL; *i starts at 0. */
const struct message *session_message(const struct session *, size_t *i,
    enum session_msgs);
/* The next recipient: the session's own (refusals at RCPT, an outbound
 * session's results), then those of its SESSION_FINAL messages. */
const struct rcpt *session_rcpt(const struct session *,
    struct session_iter *);
size_t session_nrcpts(const struct session *);
/* The sender: MAIL FROM as the session logged it, else its first owned
 * message's; NULL when none is known. */
const char *session_sender(const struct session *);
/*
 * The lines of a session and of its owned messages, in log order, without
 * duplicates. Returns a count; *out is malloc'd.
 */
size_t session_lines(const struct session *, struct lineref **out);
/* The same into *out, an array of *cap lines the caller keeps from one
 * session to the next (NULL and 0 at first; free(*out) at the end): grown
 * when a session has more, never allocated again when not. */
size_t session_lines_buf(const struct session *, struct lineref **out,
    size_t *cap);

/* Does this session carry the ID (queue ID, pid, IP, Message-ID, ...)? */
bool session_has_id(const struct session *, const char *id);
/* Whether its sender is <> (Exim's word) or none was logged (Postfix
 * logs from=<> as nothing): a notice such as a bounce, once queued. */
bool message_null_sender(const struct message *);
/* Whether one of the message's IDs, its sender or a recipient is id. */
bool message_has_id(const struct message *, const char *id);
/* The message's lines in log order, each once, into *out (malloc'd). */
size_t message_lines(const struct message *, struct lineref **out);

#endif
