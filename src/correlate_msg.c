/*
 * correlate_msg - the queued messages of the correlator (correlate.h):
 * found by host and queue ID, kept in a FIFO so that the oldest go first
 * past max_open, linked across a content filter's re-injection, and
 * given their recipients' delivery results.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "correlate_int.h"

void
corr_set(struct arena *a, char **dst, struct strview v)
{
	size_t n = v.p ? strnlen(v.p, v.len) : 0;

	if (v.p == NULL)
		*dst = NULL;
	else if (*dst == NULL || strlen(*dst) != n || memcmp(*dst, v.p, n))
		*dst = arena_strndup(a, v.p, n);
}

/*
 * Freed messages kept to be the next ones, as the correlator's sessions
 * are (SESSION_POOL): a message is a 208-byte calloc() and its arena's
 * first chunk a malloc(), 25,000 of each in 300,000 Postfix lines.
 */
#define MSG_POOL 64

void
msg_free(struct correlator *c, struct message *m)
{
	if (m == NULL)
		return;
	corr_orphan_del(c, m);
	/* its last word: the message figures (tally.h) count it here */
	if (c->o.message)
		c->o.message(m, c->o.arg);
	corr_pool_keep(&m->rcpts, &m->caprcpts, c->nmsg_pool < MSG_POOL);
	strmap_free(m->rcpt_idx);
	corr_pool_keep(&m->lines, &m->caplines, c->nmsg_pool < MSG_POOL);
	if (c->nmsg_pool < MSG_POOL) {
		arena_reset(&m->arena);
		m->mq_next = c->msg_pool;
		c->msg_pool = m;
		c->nmsg_pool++;
		return;
	}
	arena_release(&m->arena);
	free(m);
}

/* A zeroed message, from the pool when it has one. */
static struct message *
msg_alloc(struct correlator *c)
{
	struct message *m = c->msg_pool;
	struct arena a;
	struct rcpt *rcpts;
	struct lineref *lines;
	size_t cr, cl;

	if (m == NULL)
		return xcalloc(1, sizeof(*m));
	c->msg_pool = m->mq_next;
	c->nmsg_pool--;
	/* its arena empty, its first chunk and its arrays kept */
	a = m->arena;
	rcpts = m->rcpts;
	cr = m->caprcpts;
	lines = m->lines;
	cl = m->caplines;
	memset(m, 0, sizeof(*m));
	m->arena = a;
	m->rcpts = rcpts;
	m->caprcpts = cr;
	m->lines = lines;
	m->caplines = cl;
	return m;
}

void
msg_pool_release(struct correlator *c)
{
	while (c->msg_pool) {
		struct message *m = c->msg_pool;

		c->msg_pool = m->mq_next;
		arena_release(&m->arena);
		free(m->rcpts);
		free(m->lines);
		free(m);
	}
	c->nmsg_pool = 0;
}

static void
mq_unlink(struct correlator *c, struct message *m)
{
	struct msg_list *l = m->in_grave ? &c->graves : &c->queue;

	if (m->mq_prev)
		m->mq_prev->mq_next = m->mq_next;
	else
		l->head = m->mq_next;
	if (m->mq_next)
		m->mq_next->mq_prev = m->mq_prev;
	else
		l->tail = m->mq_prev;
	m->mq_prev = m->mq_next = NULL;
	m->in_grave = false;
}

/* m, on no list, goes at the end of the graves or of the queue. */
static void
mq_append(struct correlator *c, struct message *m, bool grave)
{
	struct msg_list *l = grave ? &c->graves : &c->queue;

	m->in_grave = grave;
	m->mq_next = NULL;
	m->mq_prev = l->tail;
	if (l->tail)
		l->tail->mq_next = m;
	else
		l->head = m;
	l->tail = m;
}

/* Host, 0x1f, queue ID, in c->ikey: sized once, then copied (a line
 * with a queue ID builds one, and so does a retired message). */
static const char *
msg_key(struct correlator *c, const char *host, size_t hl, const char *q,
    size_t ql)
{
	char *p;

	c->ikey.len = 0;
	buf_grow(&c->ikey, hl + 1 + ql);
	p = c->ikey.s;
	if (hl)
		memcpy(p, host, hl);
	p[hl] = '\x1f';
	memcpy(p + hl + 1, q, ql);
	p[hl + 1 + ql] = '\0';
	c->ikey.len = hl + 1 + ql;
	return p;
}

/* Take m out of the queue map; free it unless a session still shows it. */
void
msg_retire(struct correlator *c, struct message *m)
{
	const char *k;

	if (m->cold)
		corr_cold_thaw(c, m);
	k = msg_key(c, m->host, strlen(m->host), m->queue, strlen(m->queue));

	if (strmap_del_h(c->msgs, k, c->ikey.len, strmap_hash_memo(c->msgs,
	    c->msgs_hm, k, c->ikey.len)) != NULL)
		mq_unlink(c, m);
	m->closed_map = true;
	if (m->owner)
		corr_try_finish(c, m->owner);
	else
		msg_free(c, m);
}

/*
 * How long, in log time, a message that never reached the queue stays
 * findable after its session ended: its server may log a line about it
 * just after the session's end (Postfix's cleanup names the Message-ID
 * of a message whose client dropped in DATA after smtpd logged the
 * disconnect), which must land on it rather than start a new message.
 */
#define GRAVE_US (60LL * 1000000)

/*
 * The session that owned m is going. A message that left the queue goes
 * with it; one that never reached the queue is retired GRAVE_US later,
 * since no line will say it left (Postfix logs no "removed" for a
 * message its cleanup refused): kept to --max-open, such messages would
 * push real queued messages out first. Else m stays queued, an orphan.
 */
void
msg_disown(struct correlator *c, struct message *m)
{
	m->owner = NULL;
	if (m->closed_map) {
		msg_free(c, m);
	} else if (m->abandoned && !m->accepted && !m->in_grave) {
		mq_unlink(c, m);
		m->grave_until = c->now + GRAVE_US;
		mq_append(c, m, true);
	} else {
		corr_orphan_add(c, m);
	}
}

void
msg_sweep_graves(struct correlator *c, int64_t now)
{
	while (c->graves.head && c->graves.head->grave_until <= now) {
		struct message *m = c->graves.head;

		if (m->accepted) {
			/* a later line said it was queued after all */
			mq_unlink(c, m);
			mq_append(c, m, false);
			continue;
		}
		msg_retire(c, m);
	}
}

/*
 * The host and queue ID are used up to a NUL they may hold (a damaged or
 * hostile log): they are kept as C strings, and msg_retire() finds the
 * entry again by them. A lookup by all the bytes once missed the entry
 * that the retire removed, and a freed message stayed on the queue list.
 */
struct message *
msg_get(struct correlator *c, struct strview host, struct strview q,
    bool create)
{
	size_t hl = host.p ? strnlen(host.p, host.len) : 0;
	size_t ql = q.p ? strnlen(q.p, q.len) : 0;
	const char *k = msg_key(c, host.p, hl, q.p ? q.p : "", ql);
	uint64_t h = strmap_hash_memo(c->msgs, c->msgs_hm, k, c->ikey.len);
	struct message *m = strmap_get_h(c->msgs, k, c->ikey.len, h);

	if (m && m->cold)
		corr_cold_thaw(c, m);
	if (m || !create)
		return m;
	m = msg_alloc(c);
	m->host = arena_strndup(&m->arena, host.p ? host.p : "", hl);
	m->queue = arena_strndup(&m->arena, q.p ? q.p : "", ql);
	m->seq = ++c->seq;
	mq_append(c, m, false);
	corr_orphan_add(c, m);
	/* the key of m->host and m->queue: k, still */
	strmap_put_h(c->msgs, k, c->ikey.len, h, m);
	c->st.messages++;
	return m;
}

void
msg_attach(struct session *s, struct message *m)
{
	for (size_t i = 0; i < s->nmsgs; i++)
		if (s->msgs[i] == m)
			return;
	grow_array((void **)&s->msgs, &s->capmsgs, s->nmsgs + 1,
	    sizeof(*s->msgs));
	s->msgs[s->nmsgs++] = m;
}

/* m no longer belongs to s (it moved to another session). */
void
msg_detach(struct session *s, struct message *m)
{
	for (size_t i = 0; i < s->nmsgs; i++)
		if (s->msgs[i] == m) {
			memmove(&s->msgs[i], &s->msgs[i + 1],
			    (s->nmsgs - i - 1) * sizeof(*s->msgs));
			s->nmsgs--;
			return;
		}
}

/*
 * Past this many recipients a list is indexed by address: a connection
 * that tries 200,000 addresses (a dictionary attack on a server without
 * an error limit) would otherwise compare each new one with all before.
 */
#define RCPT_INDEX_MIN 16

static void
rcpt_index(struct strmap *idx, const struct rcpt *v, size_t i)
{
	const char *a = v[i].address;

	if (a && strmap_get(idx, a, strlen(a)) == NULL)
		strmap_put(idx, a, strlen(a), (void *)(uintptr_t)(i + 1));
}

struct rcpt *
rcpt_get(struct arena *a, struct rcpt **v, size_t *n, size_t *cap,
    struct strmap **idx, struct strview addr)
{
	struct rcpt *r;
	/* an address is kept as a C string: compared as one */
	size_t len = addr.p ? strnlen(addr.p, addr.len) : 0;

	if (addr.p && *idx) {
		void *at = strmap_get(*idx, addr.p, len);

		if (at)
			return &(*v)[(uintptr_t)at - 1];
	} else if (addr.p) {
		for (size_t i = 0; i < *n; i++)
			if ((*v)[i].address && strlen((*v)[i].address) == len &&
			    memcmp((*v)[i].address, addr.p, len) == 0)
				return &(*v)[i];
	}
	grow_array((void **)v, cap, *n + 1, sizeof(**v));
	r = &(*v)[(*n)++];
	memset(r, 0, sizeof(*r));
	r->address = addr.p ? arena_strndup(a, addr.p, len) : NULL;
	r->phase = PHASE_NONE;
	r->remote_phase = PHASE_NONE;
	r->delay = -1;
	if (*idx) {
		rcpt_index(*idx, *v, *n - 1);
	} else if (*n > RCPT_INDEX_MIN) {
		*idx = strmap_new();
		for (size_t i = 0; i < *n; i++)
			rcpt_index(*idx, *v, i);
	}
	return r;
}

/*
 * A content filter re-injected message "from" as "to": the deliveries of
 * "to" decide; the session that re-injected it is internal plumbing.
 */
void
msg_link_forward(struct correlator *c, struct message *from, struct message *to,
    struct session *via)
{
	if (from == to || from->next_hop == to)
		return;
	from->forwarded = true;
	from->next_hop = to;
	to->hop_target = true;
	to->reinjected = true;
	if (via == NULL)
		via = to->owner;
	if (from->owner && to->owner != from->owner) {
		if (via && via != from->owner)
			via->internal = true;
		if (to->owner) {
			to->owner->internal = true;
			msg_detach(to->owner, to);
			corr_try_finish(c, to->owner);
		}
		to->owner = from->owner;
		to->owned = true;
		msg_attach(from->owner, to);
		if (!to->accepted && !to->closed_map)
			to->abandoned = false;
	}
}

/* A delivery line's status field: delivered, bounced, expired, else
 * deferred (the words the pattern files map each server's to). */
static enum rstatus
delivery_status(struct strview st)
{
	if (sv_eq(st, "delivered"))
		return RS_DELIVERED;
	if (sv_eq(st, "bounced"))
		return RS_BOUNCED;
	if (sv_eq(st, "expired"))
		return RS_EXPIRED;
	return RS_DEFERRED;
}

/* The outbound session's view of a delivery attempt it made. */
static void
outbound_result(struct session *out, const struct message *msg,
    const struct match *m, enum rstatus rs, enum phase rp)
{
	struct rcpt *o = rcpt_get(&out->arena, &out->rcpts,
	    &out->nrcpts, &out->caprcpts, &out->rcpt_idx,
	    m->f[F_RECIPIENT]);
	enum kind k = corr_kind_of(m, rp, m->f[F_REPLY]);

	o->status = rs == RS_DELIVERED ? RS_DELIVERED :
	    rs == RS_DEFERRED ? RS_TEMPFAIL : RS_REJECTED;
	o->phase = rp;
	o->kind = rs == RS_DELIVERED ? KIND_NONE :
	    (k == KIND_PROTOCOL && !m->f[F_KIND].p) ?
	    (rs == RS_DEFERRED ? KIND_TEMPFAIL :
	    KIND_REJECTED) : k;
	o->reply = corr_dup(&out->arena, m->f[F_REPLY]);
	o->enhanced = corr_dup(&out->arena, m->f[F_ENHANCED]);
	o->text = corr_dup(&out->arena, m->f[F_TEXT]);
	o->relay = corr_dup(&out->arena, m->f[F_RELAY]);
	corr_keep(&out->arena, &out->sender, (struct strview){
	    msg->sender, msg->sender ? strlen(msg->sender) :
	    0});
	corr_advance(out, rp);
}

void
msg_apply(struct correlator *c, struct message *msg,
    const struct match *m, struct session *out, const struct ts *ts)
{
	enum event ev = pattern_event(m->pat);
	struct arena *a = &msg->arena;

	corr_keep(a, &msg->message_id, m->f[F_MESSAGE_ID]);
	corr_keep(a, &msg->sender, m->f[F_SENDER]);
	corr_keep(a, &msg->size, m->f[F_SIZE]);
	/* the words the pattern files give HOLD and DISCARD actions */
	if (sv_eq(m->f[F_ACTION], "held"))
		msg->held = true;
	else if (sv_eq(m->f[F_ACTION], "discarded"))
		msg->discarded = true;
	switch (ev) {
	case EV_ACCEPT:
		msg->accepted = true;
		msg->abandoned = false;
		if (!(msg->accepted_at.flags & TS_SET))
			msg->accepted_at = *ts;
		break;
	case EV_DELIVERY: {
		enum rstatus rs = delivery_status(m->f[F_STATUS]);
		enum phase rp = PHASE_NONE;
		struct rcpt *r;

		if (m->f[F_PHASE].p)
			rp = phase_by_name(m->f[F_PHASE].p, m->f[F_PHASE].len);
		if (rp == PHASE_NONE && m->f[F_REMOTE_STAGE].p)
			rp = phase_of_stage(pattern_set_stages(m->set),
			    m->f[F_REMOTE_STAGE].p,
			    m->f[F_REMOTE_STAGE].len);
		/* the message's own view: one entry per recipient */
		r = rcpt_get(a, &msg->rcpts, &msg->nrcpts, &msg->caprcpts,
		    &msg->rcpt_idx, m->f[F_RECIPIENT]);
		if (pattern_repeats(m->pat) && r->status == rs &&
		    r->text != NULL)
			break;	/* the earlier line said why */
		r->status = rs;
		r->phase = PHASE_POSTQUEUE;
		r->remote_phase = rp;
		r->kind = rs == RS_BOUNCED ? KIND_BOUNCED : rs == RS_EXPIRED ?
		    KIND_EXPIRED : rs == RS_DEFERRED ? KIND_DEFERRED :
		    KIND_NONE;
		corr_set(a, &r->reply, m->f[F_REPLY]);
		corr_set(a, &r->enhanced, m->f[F_ENHANCED]);
		corr_set(a, &r->text, m->f[F_TEXT]);
		corr_set(a, &r->relay, m->f[F_RELAY]);
		corr_keep(a, &r->orig, m->f[F_ORIG_RECIPIENT]);
		r->at = *ts;
		r->delay = m->f[F_DELAY].p ? strtod(m->f[F_DELAY].p, NULL) :
		    -1;
		r->remote = out != NULL;
		r->deferrals += rs == RS_DEFERRED;
		if (m->f[F_NEW_QUEUE].p && rs == RS_DELIVERED) {
			/* "queued as X": a re-injection only when X is in
			 * this host's queue; else it is the remote's ID */
			struct message *to = msg_get(c, m->f[F_HOST],
			    m->f[F_NEW_QUEUE], false);

			if (to != NULL)
				msg_link_forward(c, msg, to, NULL);
		}
		if (out != NULL)
			outbound_result(out, msg, m, rs, rp);
		break;
	}
	case EV_EXPIRE:
		msg->expired = true;
		for (size_t i = 0; i < msg->nrcpts; i++)
			if (msg->rcpts[i].status != RS_DELIVERED &&
			    msg->rcpts[i].status != RS_BOUNCED) {
				msg->rcpts[i].status = RS_EXPIRED;
				msg->rcpts[i].kind = KIND_EXPIRED;
			}
		break;
	default:
		break;
	}
}

/*
 * On close, a message that never reached the queue will never leave it:
 * abandon those the session's own counts or failures say were not
 * accepted, so the session need not wait for them.
 */
void
msg_abandon_unaccepted(struct session *s)
{
	size_t accepted = 0, pending = 0;
	bool data_failed = false;

	for (size_t i = 0; i < s->nmsgs; i++) {
		if (s->msgs[i]->owner != s)
			continue;
		if (s->msgs[i]->accepted)
			accepted++;
		else
			pending++;
	}
	if (pending == 0)
		return;
	for (size_t i = 0; i < s->nfails; i++)
		if (s->fails[i].phase == PHASE_DATA)
			data_failed = true;
	if (s->stats_accepted >= 0 && (size_t)s->stats_accepted <= accepted)
		data_failed = true;
	if (!data_failed)
		return;
	for (size_t i = 0; i < s->nmsgs; i++)
		if (s->msgs[i]->owner == s && !s->msgs[i]->accepted)
			s->msgs[i]->abandoned = true;
}

void
msg_evict(struct correlator *c)
{
	while (strmap_count(c->msgs) > c->o.max_open && c->graves.head)
		msg_retire(c, c->graves.head);
	while (strmap_count(c->msgs) > c->o.max_open && c->queue.head) {
		struct message *m = c->queue.head;

		m->abandoned = true;
		msg_retire(c, m);
	}
}

void
msg_free_entry(void *val, void *arg)
{
	msg_free(arg, val);
}
