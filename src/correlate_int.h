/*
 * correlate_int - what the correlator's files share and nobody else sees.
 *
 *	correlate.c        the correlator: session keys, lists, closing,
 *	                   lingering, hand-offs, eviction; feeding a line
 *	correlate_apply.c  what a line does to its session: fields, the
 *	                   transcript, failures, the close line's counters
 *	correlate_list.c   the lists sessions are on (LRU, held, lingering,
 *	                   resulted), and the pool of freed ones
 *	correlate_msg.c    queued messages: lookup, deliveries, re-injection,
 *	                   retirement
 *	correlate_cold.c   held sessions and their messages written out to a
 *	                   temporary file, and read back
 *
 * Include only from those files.
 */
#ifndef SLA_CORRELATE_INT_H
#define SLA_CORRELATE_INT_H

#include "correlate.h"

struct seen_line {
	uint64_t hash;
	uint32_t file;	/* file index + 1; 0: empty */
};

/* A list of messages through their mq links. */
struct msg_list {
	struct message *head, *tail;
};

struct correlator {
	struct correlate_opts o;
	struct strmap *open, *msgs, *handoff;
	struct session *lru_head, *lru_tail;
	/* held sessions, on their own list (held_node): the idle sweep
	 * walks the LRU list only. Those in memory are also on the hot
	 * list (lru links), in the order they came to memory, until
	 * correlate_cold.c writes them out past max_hot. */
	struct hnode *held_head, *held_tail;
	struct session *hot_head, *hot_tail;
	size_t nhot;
	struct cold_store *cold;	/* NULL until the first is written */
	/* queued messages in memory that may have no session (m->owner
	 * is checked when one is to be written out), oldest first */
	struct message *or_head, *or_tail;
	size_t norphans;
	size_t nlive;
	/* queued messages, oldest first (struct message's mq links), and
	 * those that never reached the queue, in the order their sessions
	 * ended, until their grace ends (msg_disown()) */
	struct msg_list queue, graves;
	unsigned seq;
	struct correlate_stats st;
	struct buf key;	/* build_key()'s only: whatever a line's session
			   ends or takes over meanwhile, it stays */
	struct buf ikey;	/* the key of a message (msg_get()) or of a
				   handed-off client (handoff_key()) */
	const char *key_mta;	/* build_key(): the last set's name */
	size_t key_mta_len;	/* and its length */
	struct buf label;	/* make_label()'s */
	/* close lines' counters read (apply_counters()); NULL until one
	 * is */
	struct evidence_memo *counters;
	/* the hashes of keys in open and in msgs */
	struct hashmemo *open_hm, *msgs_hm;
	int64_t now, last_sweep;	/* log time, UTC microseconds */
	struct session *lg_head, *lg_tail;	/* lingering, by end time */
	/* outbound sessions with a result, by last line (lg links) */
	struct session *rs_head, *rs_tail;
	struct seen_line *seen;	/* SEEN_SLOTS */
	int64_t line_off;	/* the offset of the line being fed, or -1 */
	/* freed sessions kept for the next ones (lru_next links), at most
	 * SESSION_POOL, each with its arena's first chunk */
	struct session *pool;
	size_t npool;
	/* and freed messages (mq_next links), at most MSG_POOL */
	struct message *msg_pool;
	size_t nmsg_pool;
	bool have_now;
};

/* correlate.c */

/* A copy of v in arena a; NULL when v is unset. */
char *corr_dup(struct arena *a, struct strview v);
/* *dst becomes a copy of v (NULL when v is unset); a value equal to the
 * one it holds is not copied again: a message deferred every 15 minutes
 * for days logs the same reply each time, and the arena must not grow. */
void corr_set(struct arena *a, char **dst, struct strview v);
/* Keep the first value seen in *dst, unless the new one is better than
 * none. Inline: corr_harvest() asks five times a line, and most times
 * *dst is already set. */
static inline void
corr_keep(struct arena *a, char **dst, struct strview v)
{
	if (v.p && v.len && (*dst == NULL || **dst == '\0'))
		*dst = corr_dup(a, v);
}
/* Hand s on (or hold it) if it is closed and its messages have left. */
void corr_try_finish(struct correlator *, struct session *);

/* correlate_list.c: the session lists (see there) */

/* A zeroed session, from the pool of freed ones when it has one. */
struct session *corr_session_alloc(struct correlator *);
/* Free s and what it holds (to the pool), but not its messages. */
void corr_session_release(struct correlator *, struct session *);
/* Free the array at v (a pointer to the pointer) and zero *cap, unless
 * pooled and small: a pooled session or message keeps it for the next. */
void corr_pool_keep(void *v, size_t *cap, bool pooled);
/* Free the arrays a session from the pool kept, before they are set. */
void corr_session_drop_arrays(struct session *);

/* Off the LRU or the held list, whichever s is on. */
void corr_lru_unlink(struct correlator *, struct session *);
/* To the end of the LRU list. */
void corr_lru_append(struct correlator *, struct session *);
/* s has a new line: to the end of the LRU list, unless held. */
void corr_touch(struct correlator *, struct session *);
/* From the LRU list to the end of the held list (and the hot list). */
void corr_hold(struct correlator *, struct session *);
/* To the end of the hot list; off it, if on it. */
void corr_hot_append(struct correlator *, struct session *);
void corr_hot_unlink(struct correlator *, struct session *);
/* On the held list, new takes old's place. */
void corr_held_replace(struct correlator *, struct hnode *old,
    struct hnode *new);
/* Off the lingering or the resulted list, whichever s is on. */
void corr_lg_unlink(struct correlator *, struct session *);
/* To the end of the lingering list (s->linger_until set). */
void corr_linger(struct correlator *, struct session *);
/* To the end of the resulted list (from where it was). */
void corr_resulted(struct correlator *, struct session *);

/* correlate_cold.c */

/* The oldest held session, read back if it was written out; NULL when
 * none is held. */
struct session *corr_held_first(struct correlator *);
/* Write out the held sessions in memory past max_hot, oldest first, and
 * likewise the queued messages without a session. */
void corr_cold_balance(struct correlator *);
/* m's owner was written out: read it back (m->owner is set again). */
void corr_cold_thaw(struct correlator *, struct message *m);
/* Close the temporary file. */
void corr_cold_free(struct correlator *);
/* m may be a queued message without a session from now on; m is going. */
void corr_orphan_add(struct correlator *, struct message *m);
void corr_orphan_del(struct correlator *, struct message *m);

/* correlate_apply.c */

/* s's transcript, allocated on first use. */
struct transcript *corr_tx(struct session *s);

/* Note that s got to phase p (never back, never to post-queue). */
void corr_advance(struct session *s, enum phase p);
/* The kind of a failure: the line's kind field, else from the reply. */
enum kind corr_kind_of(const struct match *m, enum phase ph,
    struct strview reply);
/* Take the session-wide fields a line names (host, pid, client, ...). */
void corr_harvest(struct session *s, const struct match *m);
/* What a line of session scope does to s. */
void corr_apply_session(struct correlator *c, struct session *s,
    const struct match *m, uint32_t file, uint32_t line,
    struct strview text);

/* correlate_msg.c */

/* The message under host and queue ID q; created when asked to. */
struct message *msg_get(struct correlator *c, struct strview host,
    struct strview q, bool create);
/* Take m out of the queue; free it unless a session still shows it. */
void msg_retire(struct correlator *c, struct message *m);
/* s closed: abandon its messages that its counts or failures say were
 * not accepted. */
void msg_abandon_unaccepted(struct session *s);
/* m's owner is being freed: free m, retire it or leave it an orphan. */
void msg_disown(struct correlator *c, struct message *m);
/* Free m, handing it to correlate_opts.message first (to the pool of
 * freed messages, or to free()). */
void msg_free(struct correlator *c, struct message *m);
/* Free the pool of freed messages. */
void msg_pool_release(struct correlator *c);
/* Free a queue map entry, a message (strmap_each(); arg: the
 * correlator). */
void msg_free_entry(void *val, void *arg);
/* Retire the messages whose grace ended by log time now. */
void msg_sweep_graves(struct correlator *c, int64_t now);
/* List m among s's messages (once); take it off. */
void msg_attach(struct session *s, struct message *m);
void msg_detach(struct session *s, struct message *m);
/* s's struct omitted, allocated on first use. */
struct omitted *corr_omitted(struct session *s);
/* The recipient addr of the list *v, added when new; *idx indexes a
 * long list (NULL until one is needed; strmap_free() it with the list). */
struct rcpt *rcpt_get(struct arena *a, struct rcpt **v, size_t *n,
    size_t *cap, struct strmap **idx, struct strview addr);
/* A content filter re-injected "from" as "to" (via: the session that
 * did, or NULL). */
void msg_link_forward(struct correlator *c, struct message *from,
    struct message *to, struct session *via);
/* What a line of message scope does to msg (and to the outbound session
 * out that delivered it, when not NULL). */
void msg_apply(struct correlator *c, struct message *msg,
    const struct match *m, struct session *out, const struct ts *ts);
/* Retire the oldest messages past max_open. */
void msg_evict(struct correlator *c);

#endif
