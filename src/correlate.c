/*
 * correlate - see correlate.h.
 *
 * States of a session:
 *
 *	open     in c->open under its key, and on the LRU list
 *	stashed  handed off by a screening process (postscreen), in
 *	         c->handoff under host + client address, waiting for the
 *	         server process that takes the client over; on the LRU list
 *	held     closed, waiting for its messages to leave the queue; on
 *	         the LRU list only
 *
 * A session leaves all of them through finish(), which classifies it,
 * emits it and frees it. Messages are in c->msgs while in the queue and on
 * their own FIFO list; a removed message is freed with its owner, or at
 * once when it has none.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "classify.h"
#include "correlate.h"
#include "diag.h"

/* A handed-off client must reach its server process within this time. */
#define HANDOFF_WINDOW_US (300LL * 1000000)
/*
 * Failure lines remembered to drop the copies another file repeats (Exim's
 * reject log repeats the main log's refusals): a fixed table, so memory
 * does not grow; a copy further back than it holds is counted twice.
 */
#define SEEN_SLOTS 65536

struct seen_line {
	uint64_t hash;
	uint32_t file;	/* file index + 1; 0: empty */
};

/* How often (in log time) idle sessions are looked for. */
#define SWEEP_EVERY_US (60LL * 1000000)

struct msgnode {
	struct message *m;
	struct msgnode *prev, *next;
};

struct correlator {
	struct correlate_opts o;
	struct strmap *open, *msgs, *handoff;
	struct session *lru_head, *lru_tail;
	/* held sessions, on their own list (same links): the idle sweep
	 * walks the LRU list only */
	struct session *held_head, *held_tail;
	size_t nlive;
	struct msgnode *mq_head, *mq_tail;
	unsigned seq;
	struct correlate_stats st;
	struct buf key;
	int64_t now, last_sweep;	/* log time, UTC microseconds */
	struct session *lg_head, *lg_tail;	/* lingering, by end time */
	struct seen_line *seen;	/* SEEN_SLOTS */
	bool have_now;
};

struct correlator *
correlator_new(const struct correlate_opts *o)
{
	struct correlator *c = xcalloc(1, sizeof(*c));

	c->o = *o;
	if (c->o.max_open == 0)
		c->o.max_open = 100000;
	c->open = strmap_new();
	c->msgs = strmap_new();
	c->handoff = strmap_new();
	c->seen = xcalloc(SEEN_SLOTS, sizeof(*c->seen));
	return c;
}

/* A failure line another file already gave, byte for byte? */
static bool
seen_elsewhere(struct correlator *c, uint32_t file, struct strview text)
{
	uint64_t h = hash_bytes(text.p, text.len);
	struct seen_line *sl = &c->seen[h & (SEEN_SLOTS - 1)];

	if (sl->file != 0 && sl->hash == h && sl->file != file + 1)
		return true;
	sl->hash = h;
	sl->file = file + 1;
	return false;
}

const struct correlate_stats *
correlator_stats(const struct correlator *c)
{
	return &c->st;
}

/* --- small helpers --------------------------------------------------- */

static char *
adup(struct arena *a, struct strview v)
{
	return v.p ? arena_strndup(a, v.p, v.len) : NULL;
}

/* Keep the first value seen, unless the new one is better than none. */
static void
keep(struct arena *a, char **dst, struct strview v)
{
	if (v.p && v.len && (*dst == NULL || **dst == '\0'))
		*dst = adup(a, v);
}

static void
list_unlink(struct session **head, struct session **tail, struct session *s)
{
	if (s->lru_prev)
		s->lru_prev->lru_next = s->lru_next;
	else if (*head == s)
		*head = s->lru_next;
	if (s->lru_next)
		s->lru_next->lru_prev = s->lru_prev;
	else if (*tail == s)
		*tail = s->lru_prev;
	s->lru_prev = s->lru_next = NULL;
}

static void
list_append(struct session **head, struct session **tail, struct session *s)
{
	s->lru_prev = *tail;
	s->lru_next = NULL;
	if (*tail)
		(*tail)->lru_next = s;
	else
		*head = s;
	*tail = s;
}

static void
lru_unlink(struct correlator *c, struct session *s)
{
	if (s->held)
		list_unlink(&c->held_head, &c->held_tail, s);
	else
		list_unlink(&c->lru_head, &c->lru_tail, s);
	s->held = false;
}

static void
lru_append(struct correlator *c, struct session *s)
{
	list_append(&c->lru_head, &c->lru_tail, s);
}

static void
touch(struct correlator *c, struct session *s)
{
	if (c->lru_tail == s || s->held)
		return;
	lru_unlink(c, s);
	lru_append(c, s);
}

static const char *
build_key(struct correlator *c, const struct match *m, const enum field *kf,
    size_t nk)
{
	buf_reset(&c->key);
	buf_add(&c->key, pattern_set_mta(m->set),
	    strlen(pattern_set_mta(m->set)));
	for (size_t i = 0; i < nk; i++) {
		buf_addc(&c->key, '\x1f');
		if (m->f[kf[i]].p)
			buf_add(&c->key, m->f[kf[i]].p, m->f[kf[i]].len);
	}
	return c->key.s;
}

static char *
make_label(struct arena *a, const struct match *m, const enum field *kf,
    size_t nk)
{
	struct buf b = {0};
	char *out;

	pattern_format_label(m, kf, nk, &b);
	out = arena_strndup(a, b.s ? b.s : "", b.len);
	buf_free(&b);
	return out;
}

static void
add_line(struct correlator *c, struct arena *a, struct lineref **v,
    size_t *n, size_t *cap, uint32_t file, uint32_t line, struct strview text,
    enum event ev)
{
	struct lineref *l;

	grow_array((void **)v, cap, *n + 1, sizeof(**v));
	l = &(*v)[(*n)++];
	l->file = file;
	l->line = line;
	l->ev = ev;
	l->text = c->o.keep_text ? adup(a, text) : NULL;
}

/* --- messages ------------------------------------------------------------ */

static void
msg_free(struct correlator *c, struct message *m)
{
	/* its last word: the message figures (tally.h) count it here */
	if (c->o.message)
		c->o.message(m, c->o.arg);
	free(m->rcpts);
	free(m->lines);
	arena_free(&m->arena);
	free(m);
}

static void
mq_unlink(struct correlator *c, struct msgnode *n)
{
	if (n->prev)
		n->prev->next = n->next;
	else
		c->mq_head = n->next;
	if (n->next)
		n->next->prev = n->prev;
	else
		c->mq_tail = n->prev;
	free(n);
}

static const char *
msg_key(struct correlator *c, const char *host, size_t hl, const char *q,
    size_t ql)
{
	buf_reset(&c->key);
	buf_add(&c->key, host ? host : "", hl);
	buf_addc(&c->key, '\x1f');
	buf_add(&c->key, q, ql);
	return c->key.s;
}

/* The node of m in the FIFO is kept in a side map: key -> node. */
struct msgentry {
	struct message *m;
	struct msgnode *node;
};

static void try_finish(struct correlator *, struct session *);

/* Take m out of the queue map; free it unless a session still shows it. */
static void
msg_retire(struct correlator *c, struct message *m)
{
	struct msgentry *e;
	const char *k = msg_key(c, m->host, strlen(m->host), m->queue,
	    strlen(m->queue));

	e = strmap_del(c->msgs, k, c->key.len);
	if (e) {
		mq_unlink(c, e->node);
		free(e);
	}
	m->closed_map = true;
	if (m->owner)
		try_finish(c, m->owner);
	else
		msg_free(c, m);
}

static void evict_messages(struct correlator *);

static struct message *
msg_get(struct correlator *c, struct strview host, struct strview q,
    bool create)
{
	const char *k = msg_key(c, host.p, host.p ? host.len : 0, q.p, q.len);
	struct msgentry *e = strmap_get(c->msgs, k, c->key.len);
	struct message *m;

	if (e || !create)
		return e ? e->m : NULL;
	m = xcalloc(1, sizeof(*m));
	m->host = arena_strndup(&m->arena, host.p ? host.p : "",
	    host.p ? host.len : 0);
	m->queue = arena_strndup(&m->arena, q.p, q.len);
	m->seq = ++c->seq;
	e = xcalloc(1, sizeof(*e));
	e->m = m;
	e->node = xcalloc(1, sizeof(*e->node));
	e->node->m = m;
	e->node->prev = c->mq_tail;
	if (c->mq_tail)
		c->mq_tail->next = e->node;
	else
		c->mq_head = e->node;
	c->mq_tail = e->node;
	k = msg_key(c, m->host, strlen(m->host), m->queue, strlen(m->queue));
	strmap_put(c->msgs, k, c->key.len, e);
	c->st.messages++;
	return m;
}

static void
session_add_msg(struct session *s, struct message *m)
{
	for (size_t i = 0; i < s->nmsgs; i++)
		if (s->msgs[i] == m)
			return;
	grow_array((void **)&s->msgs, &s->capmsgs, s->nmsgs + 1,
	    sizeof(*s->msgs));
	s->msgs[s->nmsgs++] = m;
}

/* m no longer belongs to s (it moved to another session). */
static void
session_drop_msg(struct session *s, struct message *m)
{
	for (size_t i = 0; i < s->nmsgs; i++)
		if (s->msgs[i] == m) {
			memmove(&s->msgs[i], &s->msgs[i + 1],
			    (s->nmsgs - i - 1) * sizeof(*s->msgs));
			s->nmsgs--;
			return;
		}
}

static struct rcpt *
rcpt_get(struct arena *a, struct rcpt **v, size_t *n, size_t *cap,
    struct strview addr)
{
	struct rcpt *r;

	for (size_t i = 0; i < *n; i++)
		if (addr.p && (*v)[i].address && sv_eq((addr), (*v)[i].address))
			return &(*v)[i];
	grow_array((void **)v, cap, *n + 1, sizeof(**v));
	r = &(*v)[(*n)++];
	memset(r, 0, sizeof(*r));
	r->address = adup(a, addr);
	r->phase = PHASE_NONE;
	r->remote_phase = PHASE_NONE;
	r->delay = -1;
	return r;
}

/* --- sessions ---------------------------------------------------------- */

static void
session_free(struct correlator *c, struct session *s)
{
	for (size_t i = 0; i < s->nmsgs; i++) {
		struct message *m = s->msgs[i];

		if (m->owner != s)
			continue;
		if (m->closed_map)
			msg_free(c, m);
		else
			m->owner = NULL;	/* still queued: now an orphan */
	}
	free(s->msgs);
	free(s->fails);
	free(s->rcpts);
	free(s->lines);
	free(s->conv);
	arena_free(&s->arena);
	free(s);
}

static void
lg_unlink(struct correlator *c, struct session *s)
{
	if (!s->lingering)
		return;
	if (s->lg_prev)
		s->lg_prev->lg_next = s->lg_next;
	else
		c->lg_head = s->lg_next;
	if (s->lg_next)
		s->lg_next->lg_prev = s->lg_prev;
	else
		c->lg_tail = s->lg_prev;
	s->lg_prev = s->lg_next = NULL;
	s->lingering = false;
}

static void
finish(struct correlator *c, struct session *s)
{
	lg_unlink(c, s);
	lru_unlink(c, s);
	if (s->gap_us > 0 && s->dir == DIR_INBOUND && !s->seen_start) {
		/* no line showed where it began: grouped by time */
		c->st.inexact++;
		c->st.inexact_set = s->set;
	}
	/* a drop logged before the server listed the commands it saw */
	for (size_t i = 0; i < s->nfails; i++)
		if (s->fails[i].phase_guessed &&
		    s->listed_phase != PHASE_NONE)
			s->fails[i].phase = s->listed_phase;
	c->nlive--;
	classify(s, c->o.db);
	if (s->internal) {
		c->st.folded++;
	} else {
		c->st.sessions++;
		s->emitted = true;
		c->o.emit(s, c->o.arg);
	}
	session_free(c, s);
}

static bool
msg_settled(const struct session *s, const struct message *m)
{
	return m->owner != s || m->closed_map || m->abandoned;
}

static void
try_finish(struct correlator *c, struct session *s)
{
	if (!s->closed || s->handed_off)
		return;
	for (size_t i = 0; i < s->nmsgs; i++)
		if (!msg_settled(s, s->msgs[i])) {
			if (!s->held) {
				/* held: waits for its messages to leave */
				lru_unlink(c, s);
				list_append(&c->held_head, &c->held_tail, s);
				s->held = true;
			}
			return;
		}
	finish(c, s);
}

/* Remove s from the open map (it stays on the LRU list). */
static void
unmap(struct correlator *c, struct session *s)
{
	if (strmap_get(c->open, s->key, strlen(s->key)) == s)
		strmap_del(c->open, s->key, strlen(s->key));
}

/*
 * On close, a message that never reached the queue will never leave it:
 * abandon those the session's own counts or failures say were not
 * accepted, so the session need not wait for them.
 */
static void
abandon_unaccepted(struct session *s)
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

static void
close_session(struct correlator *c, struct session *s)
{
	lg_unlink(c, s);
	unmap(c, s);
	s->closed = true;
	if (s->dir == DIR_INBOUND)
		abandon_unaccepted(s);
	try_finish(c, s);
}

/*
 * The end line of a session of a set with a linger: it stays under its
 * key, taking the lines its server logs after the end, until linger_until
 * (or a new connect on the key); then it closes.
 */
static void
close_or_linger(struct correlator *c, struct session *s, const struct ts *ts)
{
	int64_t l = pattern_set_linger_us(s->set);

	if (s->lingering)
		return;
	if (l <= 0 || s->dir != DIR_INBOUND || !(ts->flags & TS_SET)) {
		close_session(c, s);
		return;
	}
	s->lingering = true;
	s->linger_until = ts_utc(ts) + l;
	s->lg_next = NULL;
	s->lg_prev = c->lg_tail;
	if (c->lg_tail)
		c->lg_tail->lg_next = s;
	else
		c->lg_head = s;
	c->lg_tail = s;
}

/* Close the lingering sessions whose time is up at log time now. */
static void
end_lingering(struct correlator *c, int64_t now)
{
	while (c->lg_head && c->lg_head->linger_until < now)
		close_session(c, c->lg_head);
}

/* A stashed session's key in the handoff map: host and client address. */
static void
handoff_key(struct correlator *c, const struct session *s)
{
	buf_reset(&c->key);
	buf_add(&c->key, s->host ? s->host : "", s->host ? strlen(s->host) : 0);
	buf_addc(&c->key, '\x1f');
	buf_add(&c->key, s->client_ip ? s->client_ip : "",
	    s->client_ip ? strlen(s->client_ip) : 0);
}

/*
 * Take a stashed session out of the handoff map: the screening process
 * speaks of a client it had passed, or the session is ending.
 */
static void
unstash(struct correlator *c, struct session *s)
{
	if (!s->handed_off)
		return;
	handoff_key(c, s);
	if (strmap_get(c->handoff, c->key.s, c->key.len) == s)
		strmap_del(c->handoff, c->key.s, c->key.len);
	s->handed_off = false;
}

static void
evict_sessions(struct correlator *c)
{
	while (c->nlive > c->o.max_open && (c->held_head || c->lru_head)) {
		struct session *s = c->held_head ? c->held_head : c->lru_head;

		unstash(c, s);
		unmap(c, s);
		if (!s->closed)
			s->evicted = true;
		s->closed = true;
		for (size_t i = 0; i < s->nmsgs; i++)
			if (s->msgs[i]->owner == s && !s->msgs[i]->closed_map)
				s->msgs[i]->abandoned = true;
		c->st.evicted++;
		finish(c, s);
	}
}

/*
 * Sessions with no line for idle_us of log time are over: an outbound one
 * (whose end Postfix does not log) is closed as it stands, an inbound one
 * becomes incomplete. A session keyed with a gap (a key that no line ever
 * closes, such as Exim's client address without +pid) ends, complete,
 * after its gap. Sessions closed and waiting for their messages stay.
 * The LRU list is in order of the last line, so the walk stops at the
 * first open session without a gap that is still recent.
 */
static void
sweep_idle(struct correlator *c)
{
	int64_t idle = c->o.idle_us > 0 ? c->o.idle_us : INT64_MAX / 2;
	struct session *s, *next;

	for (s = c->lru_head; s != NULL; s = next) {
		int64_t limit = s->gap_us > 0 && s->gap_us < idle ? s->gap_us :
		    idle;

		next = s->lru_next;
		if (s->closed && !s->handed_off)
			continue;	/* held */
		if (!(s->end.flags & TS_SET))
			continue;
		if (ts_utc(&s->end) >= c->now - limit) {
			if (s->gap_us > 0)
				continue;
			break;
		}
		unstash(c, s);
		if (s->dir == DIR_INBOUND && (s->seen_start || (limit == idle &&
		    c->o.idle_us > 0))) {
			s->evicted = true;
			c->st.idle++;
		}
		close_session(c, s);
	}
}

static void
evict_messages(struct correlator *c)
{
	while (strmap_count(c->msgs) > c->o.max_open && c->mq_head) {
		struct message *m = c->mq_head->m;

		m->abandoned = true;
		msg_retire(c, m);
	}
}

static struct session *
session_new(struct correlator *c, const struct match *m, const char *key,
    enum direction dir)
{
	struct session *s = xcalloc(1, sizeof(*s));
	const enum field *kf;
	size_t nk = pattern_session_key(m, &kf, &s->gap_us);


	s->set = m->set;
	s->mta = pattern_set_mta(m->set);
	s->key = arena_strndup(&s->arena, key, strlen(key));
	s->label = make_label(&s->arena, m, kf, nk);
	s->dir = dir;
	s->reached = PHASE_NONE;
	s->listed_phase = PHASE_NONE;
	s->stats_accepted = -1;
	s->stats_rcpt_ok = -1;
	s->seq = ++c->seq;
	s->seen_start = dir == DIR_OUTBOUND;
	lru_append(c, s);
	c->nlive++;
	if (c->nlive > c->st.peak_open)
		c->st.peak_open = c->nlive;
	strmap_put(c->open, key, strlen(key), s);
	return s;
}

static void
advance(struct session *s, enum phase p)
{
	if (p != PHASE_NONE && p != PHASE_POSTQUEUE && p > s->reached)
		s->reached = p;
}

static void
harvest(struct session *s, const struct match *m)
{
	struct arena *a = &s->arena;

	keep(a, &s->host, m->f[F_HOST]);
	/* the last process wins: Exim's daemon logs the connection, the
	 * process it forks logs the session */
	if (m->f[F_PID].p && m->f[F_PID].len && (s->pid == NULL ||
	    !sv_eq(m->f[F_PID], s->pid)))
		s->pid = adup(a, m->f[F_PID]);
	keep(a, &s->session_id, m->f[F_SESSION]);
	keep(a, &s->client_name, m->f[F_CLIENT_NAME]);
	keep(a, &s->client_ip, m->f[F_CLIENT_IP]);
	keep(a, &s->client_port, m->f[F_CLIENT_PORT]);
	keep(a, &s->helo, m->f[F_HELO]);
	keep(a, &s->sender, m->f[F_SENDER]);
	keep(a, &s->sasl_user, m->f[F_SASL_USER]);
	keep(a, &s->tls, m->f[F_TLS]);
	if (s->dir == DIR_OUTBOUND) {
		keep(a, &s->relay, m->f[F_RELAY]);
		return;
	}
	/* A line that names the client's HELO, a sender or a recipient
	 * shows how far the conversation got, even where the server logs no
	 * commands (Exim's "SMTP command timeout" after MAIL and RCPT). */
	if (m->f[F_HELO].p)
		advance(s, PHASE_HELO);
	if (m->f[F_SENDER].p && pattern_scope(m->pat) == SCOPE_SESSION)
		advance(s, PHASE_MAIL);
	if (m->f[F_RECIPIENT].p && pattern_scope(m->pat) == SCOPE_SESSION)
		advance(s, PHASE_RCPT);
}

static enum kind
kind_of(const struct match *m, enum phase ph, struct strview reply)
{
	enum kind k = KIND_NONE;

	if (m && m->f[F_KIND].p)
		k = kind_by_name(m->f[F_KIND].p, m->f[F_KIND].len);
	if (k != KIND_NONE)
		return k;
	if (reply.p && reply.len && (reply.p[0] == '4' || reply.p[0] == '5')) {
		if (ph == PHASE_AUTH)
			return KIND_AUTH;
		if (ph == PHASE_STARTTLS)
			return KIND_TLS;
		return reply.p[0] == '4' ? KIND_TEMPFAIL : KIND_REJECTED;
	}
	return KIND_PROTOCOL;
}

/*
 * Record a failure. A reply seen in a transcript and the reject line for
 * the same command describe one failure: the second merges into the first
 * (filling what it lacked) instead of counting twice.
 */
static void
add_failure(struct correlator *c, struct session *s, const struct match *m,
    enum phase ph, enum kind k, struct strview reply, struct strview enh,
    struct strview text, unsigned last_cmd_seq)
{
	struct arena *a = &s->arena;
	struct failure *f = NULL;

	if (s->nfails) {
		struct failure *l = &s->fails[s->nfails - 1];

		/* one from a transcript reply, one from a pattern */
		if (l->seq > last_cmd_seq && l->phase == ph &&
		    (m == NULL || l->pattern == NULL) &&
		    (!l->reply || !reply.p || sv_eq(reply, l->reply)))
			f = l;
	}
	if (f == NULL) {
		grow_array((void **)&s->fails, &s->capfails, s->nfails + 1,
		    sizeof(*s->fails));
		f = &s->fails[s->nfails++];
		memset(f, 0, sizeof(*f));
		f->phase = ph;
		f->kind = k;
		f->seq = ++c->seq;
	} else if (m && m->pat) {
		f->kind = k;	/* a pattern knows better than a bare reply */
	}
	if (!f->reply)
		f->reply = adup(a, reply);
	if (!f->enhanced)
		f->enhanced = adup(a, enh);
	if (text.p && (!f->text || (m && m->pat)))
		f->text = adup(a, text);
	if (m) {
		if (m->pat) {
			f->pattern = pattern_name(m->pat);
			f->explains |= pattern_explains(m->pat);
		}
		if (!f->cause)
			f->cause = adup(a, m->f[F_CAUSE]);
		if (!f->command)
			f->command = adup(a, m->f[F_COMMAND]);
		if (!f->recipient)
			f->recipient = adup(a, m->f[F_RECIPIENT]);
	}
	advance(s, ph);
}

/* "ehlo=1 mail=1 rcpt=0/1 data=0/1 quit=1 commands=3/5" */
static void
parse_stats(struct session *s, struct strview v)
{
	const char *p = v.p, *end = v.p + v.len;
	int accepted = 0;

	if (memchr(v.p, '=', v.len) == NULL) {
		/* a command list, "EHLO,STARTTLS,AUTH,QUIT" (Exim's C=) */
		while (p < end) {
			const char *w = p;
			enum phase ph;

			while (p < end && *p != ',')
				p++;
			ph = phase_of_stage(w, (size_t)(p - w));
			if (ph != PHASE_NONE) {
				s->listed_phase = ph;
				advance(s, ph);
			}
			if (p - w == 4 && strncasecmp(w, "QUIT", 4) == 0)
				s->clean_quit = true;
			if (p < end)
				p++;
		}
		return;
	}
	while (p < end) {
		const char *w = p, *eq;
		long ok, total;
		char *q;

		while (p < end && *p != ' ')
			p++;
		eq = memchr(w, '=', (size_t)(p - w));
		if (eq) {
			ok = strtol(eq + 1, &q, 10);
			total = (q < p && *q == '/') ? strtol(q + 1, NULL, 10) :
			    ok;
			if (total > 0)
				advance(s, phase_of_stage(w, (size_t)(eq - w)));
			if ((eq - w == 4 && (memcmp(w, "data", 4) == 0 ||
			    memcmp(w, "bdat", 4) == 0)))
				accepted += (int)ok;
			if (eq - w == 4 && memcmp(w, "quit", 4) == 0 && ok > 0)
				s->clean_quit = true;
			if (eq - w == 4 && memcmp(w, "rcpt", 4) == 0)
				s->stats_rcpt_ok = (int)ok;
		}
		while (p < end && *p == ' ')
			p++;
	}
	s->stats_accepted = accepted;
}

static struct conv *
add_conv(struct session *s, bool reply, struct strview text, uint32_t file,
    uint32_t line)
{
	struct conv *cv;

	grow_array((void **)&s->conv, &s->capconv, s->nconv + 1,
	    sizeof(*s->conv));
	cv = &s->conv[s->nconv++];
	cv->reply = reply;
	cv->text = adup(&s->arena, text);
	cv->file = file;
	cv->line = line;
	cv->cont = false;
	return cv;
}

/* Which phase a failure line names: its phase field, else its stage. */
static enum phase
phase_from(const struct session *s, const struct match *m)
{
	enum phase p = PHASE_NONE;

	if (m->f[F_PHASE].p)
		p = phase_by_name(m->f[F_PHASE].p, m->f[F_PHASE].len);
	if (p == PHASE_NONE && m->f[F_COMMAND].p)
		p = phase_of_stage(m->f[F_COMMAND].p, m->f[F_COMMAND].len);
	if (p == PHASE_NONE)
		p = s->reached == PHASE_NONE ? PHASE_PREGREETING : s->reached;
	return p;
}

static void link_forward(struct correlator *, struct message *from,
    struct message *to, struct session *via);
static void note_time(struct session *, const struct ts *);

static void
apply_session(struct correlator *c, struct session *s, const struct match *m,
    uint32_t file, uint32_t line, struct strview text)
{
	enum event ev = pattern_event(m->pat);
	struct arena *a = &s->arena;
	const char *reach = pattern_reaches(m->pat);

	harvest(s, m);
	if (reach != NULL)
		advance(s, phase_by_name(reach, strlen(reach)));
	switch (ev) {
	case EV_CONNECT:
		s->seen_start = true;
		break;
	case EV_DISCONNECT:
		if (m->f[F_STATS].p)
			parse_stats(s, m->f[F_STATS]);
		/* a disconnect alone (its session's other lines are not in
		 * the input) says nothing of where the client left */
		/* and one that follows a refusal of the last command: the
		 * refusal, not the leaving, is what went wrong */
		if (pattern_needs_quit(m->pat) && !s->clean_quit &&
		    s->data_ok == 0 && (s->seen_start || s->last_cmd_seq ||
		    s->nconv || s->nfails) && !(s->nfails > 0 &&
		    s->fails[s->nfails - 1].seq > s->last_cmd_seq &&
		    s->last_cmd_seq > 0)) {
			enum phase p = s->last_cmd_seq ? s->last_cmd_phase :
			    PHASE_PREGREETING;
			static const char why[] = "the session ended without "
			    "QUIT";

			if (p == PHASE_NONE)
				p = s->reached == PHASE_NONE ?
				    PHASE_PREGREETING : s->reached;
			add_failure(c, s, m, p, KIND_DROPPED,
			    (struct strview){0}, (struct strview){0},
			    (struct strview){why, sizeof(why) - 1},
			    s->last_cmd_seq);
		}
		break;
	case EV_COMMAND: {
		enum phase p = phase_of_stage(m->f[F_COMMAND].p,
		    m->f[F_COMMAND].len);
		struct buf b = {0};

		buf_add(&b, m->f[F_COMMAND].p ? m->f[F_COMMAND].p : "",
		    m->f[F_COMMAND].len);
		if (m->f[F_ARG].p && m->f[F_ARG].len) {
			buf_addc(&b, ' ');
			buf_add(&b, m->f[F_ARG].p, m->f[F_ARG].len);
		}
		add_conv(s, false, (struct strview){b.s ? b.s : "", b.len},
		    file, line);
		buf_free(&b);
		if (p == PHASE_HELO && m->f[F_ARG].p && !m->f[F_HELO].p)
			keep(a, &s->helo, m->f[F_ARG]);
		if (sv_eq_nocase(m->f[F_COMMAND], "QUIT", 4))
			s->clean_quit = true;
		/* RFC 3030: the reply to "BDAT n LAST" is the reply to the
		 * whole message, as the one after DATA's 354 and the dot */
		if (sv_eq_nocase(m->f[F_COMMAND], "BDAT", 4) && m->f[F_ARG].p &&
		    m->f[F_ARG].len >= 4 && strncasecmp(m->f[F_ARG].p +
		    m->f[F_ARG].len - 4, "LAST", 4) == 0)
			s->after_354 = true;
		s->last_cmd_seq = ++c->seq;
		s->last_cmd_phase = p;
		advance(s, p);
		break;
	}
	case EV_REPLY: {
		struct strview r = m->f[F_REPLY];
		struct buf b = {0};
		/* "250-PIPELINING": the separator before what follows the
		 * code, which is in the line */
		bool cont = m->f[F_ENHANCED].p ?
		    m->f[F_ENHANCED].p[-1] == '-' :
		    m->f[F_TEXT].p != NULL && m->f[F_TEXT].len > 0 &&
		    m->f[F_TEXT].p[-1] == '-';
		char sep = cont ? '-' : ' ';

		buf_add(&b, r.p ? r.p : "", r.len);
		if (m->f[F_ENHANCED].p) {
			buf_addc(&b, sep);
			buf_add(&b, m->f[F_ENHANCED].p, m->f[F_ENHANCED].len);
			sep = ' ';
		}
		if (m->f[F_TEXT].p) {
			buf_addc(&b, sep);
			buf_add(&b, m->f[F_TEXT].p, m->f[F_TEXT].len);
		}
		add_conv(s, true, (struct strview){b.s ? b.s : "", b.len},
		    file, line)->cont = cont;
		buf_free(&b);
		if (r.p && r.len == 3 && r.p[0] == '2' &&
		    s->last_cmd_phase == PHASE_RCPT)
			s->rcpt_ok++;
		if (!cont && sv_eq(r, "354")) {
			s->after_354 = true;
		} else if (!cont && s->after_354 && r.p && r.len == 3) {
			s->after_354 = false;
			if (r.p[0] == '2')
				s->data_ok++;
		}
		if (r.p && r.len == 3 && (r.p[0] == '4' || r.p[0] == '5')) {
			enum phase p = s->last_cmd_seq ? s->last_cmd_phase :
			    PHASE_PREGREETING;

			if (p == PHASE_NONE)
				p = s->reached == PHASE_NONE ?
				    PHASE_PREGREETING : s->reached;
			add_failure(c, s, NULL, p, kind_of(m, p, r), r,
			    m->f[F_ENHANCED], m->f[F_TEXT], s->last_cmd_seq);
		}
		break;
	}
	case EV_FAIL: {
		enum phase p = phase_from(s, m);
		enum kind k = kind_of(m, p, m->f[F_REPLY]);

		add_failure(c, s, m, p, k, m->f[F_REPLY], m->f[F_ENHANCED],
		    m->f[F_TEXT].p ? m->f[F_TEXT] : m->f[F_REASON],
		    s->last_cmd_seq);
		if (!m->f[F_PHASE].p && (!m->f[F_COMMAND].p ||
		    phase_of_stage(m->f[F_COMMAND].p, m->f[F_COMMAND].len) ==
		    PHASE_NONE) && s->last_cmd_seq == 0)
			s->fails[s->nfails - 1].phase_guessed = true;
		if (p == PHASE_RCPT && m->f[F_RECIPIENT].p &&
		    s->dir == DIR_INBOUND) {
			struct rcpt *r = rcpt_get(a, &s->rcpts, &s->nrcpts,
			    &s->caprcpts, m->f[F_RECIPIENT]);

			r->status = k == KIND_TEMPFAIL ? RS_TEMPFAIL :
			    RS_REJECTED;
			r->phase = PHASE_RCPT;
			r->kind = k;
			r->reply = adup(a, m->f[F_REPLY]);
			r->enhanced = adup(a, m->f[F_ENHANCED]);
			r->text = adup(a, m->f[F_TEXT]);
		}
		break;
	}
	case EV_ACCEPT:
		/*
		 * The message arrived through the session whose line named
		 * orig_queue (Exchange: the tracking log's RECEIVE row and
		 * the protocol log's "receiving message"). Whichever line
		 * comes first, that session gets the message, and this one,
		 * a view of the same arrival, is folded into it.
		 */
		if (m->f[F_ORIG_QUEUE].p && m->f[F_ORIG_QUEUE].len) {
			int qf = pattern_set_message_field(m->set);
			struct message *from = msg_get(c, m->f[F_HOST],
			    m->f[F_ORIG_QUEUE], true);
			struct message *to = qf >= 0 && m->f[qf].p ?
			    msg_get(c, m->f[F_HOST], m->f[qf], true) : NULL;

			if (to && to->owner == NULL && from->owner != NULL) {
				link_forward(c, from, to, s);
			} else if (to && to->owner == NULL) {
				/* the session comes later: own it till then */
				from->forwarded = true;
				from->next_hop = to;
				to->owner = s;
				session_add_msg(s, to);
			}
		}
		break;
	case EV_TRANSACTION:
		if (m->f[F_ORIG_QUEUE].p) {
			struct message *from = msg_get(c, m->f[F_HOST],
			    m->f[F_ORIG_QUEUE], false);
			int qf = pattern_set_message_field(m->set);
			struct message *to = qf >= 0 && m->f[qf].p ?
			    msg_get(c, m->f[F_HOST], m->f[qf], true) : NULL;

			if (from && to)
				link_forward(c, from, to, s);
		}
		break;
	default:
		break;
	}
}

/*
 * A content filter re-injected message "from" as "to": the deliveries of
 * "to" decide; the session that re-injected it is internal plumbing.
 */
static void
link_forward(struct correlator *c, struct message *from, struct message *to,
    struct session *via)
{
	if (from == to || from->next_hop == to)
		return;
	from->forwarded = true;
	from->next_hop = to;
	to->reinjected = true;
	if (via == NULL)
		via = to->owner;
	if (from->owner && to->owner != from->owner) {
		if (via && via != from->owner)
			via->internal = true;
		if (to->owner) {
			to->owner->internal = true;
			session_drop_msg(to->owner, to);
			try_finish(c, to->owner);
		}
		to->owner = from->owner;
		session_add_msg(from->owner, to);
		if (!to->accepted && !to->closed_map)
			to->abandoned = false;
	}
}

static void
apply_message(struct correlator *c, struct message *msg,
    const struct match *m, struct session *out, const struct ts *ts)
{
	enum event ev = pattern_event(m->pat);
	struct arena *a = &msg->arena;

	keep(a, &msg->message_id, m->f[F_MESSAGE_ID]);
	keep(a, &msg->sender, m->f[F_SENDER]);
	keep(a, &msg->size, m->f[F_SIZE]);
	switch (ev) {
	case EV_ACCEPT:
		msg->accepted = true;
		msg->abandoned = false;
		if (!(msg->accepted_at.flags & TS_SET))
			msg->accepted_at = *ts;
		break;
	case EV_DELIVERY: {
		struct strview st = m->f[F_STATUS];
		enum rstatus rs = RS_DEFERRED;
		enum phase rp = PHASE_NONE;
		struct rcpt *r;

		if (sv_eq(st, "delivered"))
			rs = RS_DELIVERED;
		else if (sv_eq(st, "bounced"))
			rs = RS_BOUNCED;
		else if (sv_eq(st, "expired"))
			rs = RS_EXPIRED;
		if (m->f[F_PHASE].p)
			rp = phase_by_name(m->f[F_PHASE].p, m->f[F_PHASE].len);
		if (rp == PHASE_NONE && m->f[F_REMOTE_STAGE].p)
			rp = phase_of_stage(m->f[F_REMOTE_STAGE].p,
			    m->f[F_REMOTE_STAGE].len);
		/* the message's own view: one entry per recipient */
		r = rcpt_get(a, &msg->rcpts, &msg->nrcpts, &msg->caprcpts,
		    m->f[F_RECIPIENT]);
		r->status = rs;
		r->phase = PHASE_POSTQUEUE;
		r->remote_phase = rp;
		r->kind = rs == RS_BOUNCED ? KIND_BOUNCED : rs == RS_EXPIRED ?
		    KIND_EXPIRED : rs == RS_DEFERRED ? KIND_DEFERRED :
		    KIND_NONE;
		r->reply = adup(a, m->f[F_REPLY]);
		r->enhanced = adup(a, m->f[F_ENHANCED]);
		r->text = adup(a, m->f[F_TEXT]);
		r->relay = adup(a, m->f[F_RELAY]);
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
				link_forward(c, msg, to, NULL);
		}
		if (out != NULL) {
			/* the outbound session's view of the same attempt */
			struct rcpt *o = rcpt_get(&out->arena, &out->rcpts,
			    &out->nrcpts, &out->caprcpts, m->f[F_RECIPIENT]);
			enum kind k = kind_of(m, rp, m->f[F_REPLY]);

			o->status = rs == RS_DELIVERED ? RS_DELIVERED :
			    rs == RS_DEFERRED ? RS_TEMPFAIL : RS_REJECTED;
			o->phase = rp;
			o->kind = rs == RS_DELIVERED ? KIND_NONE :
			    (k == KIND_PROTOCOL && !m->f[F_KIND].p) ?
			    (rs == RS_DEFERRED ? KIND_TEMPFAIL :
			    KIND_REJECTED) : k;
			o->reply = adup(&out->arena, m->f[F_REPLY]);
			o->enhanced = adup(&out->arena, m->f[F_ENHANCED]);
			o->text = adup(&out->arena, m->f[F_TEXT]);
			o->relay = adup(&out->arena, m->f[F_RELAY]);
			keep(&out->arena, &out->sender, (struct strview){
			    msg->sender, msg->sender ? strlen(msg->sender) :
			    0});
			advance(out, rp);
		}
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

/* --- the outbound session of a delivery process ------------------------ */

static bool
has_result(const struct session *s)
{
	return s->nrcpts > 0;
}

/*
 * After a delivery's result, the same conversation may still log the
 * remote's late replies and our RSET or QUIT (debug_peer_list); anything
 * else that names no message starts the process's next conversation.
 */
static bool
continues_conversation(const struct session *s, const struct match *m,
    enum event ev)
{
	struct strview cmd = m->f[F_COMMAND];

	if (s->quit_sent)
		return ev == EV_REPLY || ev == EV_DISCONNECT;
	if (ev == EV_REPLY || ev == EV_DISCONNECT)
		return true;
	return ev == EV_COMMAND && cmd.p != NULL &&
	    (sv_eq_nocase(cmd, "RSET", 4) || sv_eq_nocase(cmd, "QUIT", 4));
}

/* A session keyed with a gap whose last line is older than the gap. */
static bool
gap_passed(const struct session *s, const struct ts *ts)
{
	return s->gap_us > 0 && (ts->flags & TS_SET) &&
	    (s->end.flags & TS_SET) && ts_utc(ts) - ts_utc(&s->end) > s->gap_us;
}

static struct session *
outbound_session(struct correlator *c, const struct match *m,
    struct strview q, enum event ev, const struct ts *ts)
{
	const enum field *kf;
	size_t nk = pattern_key_fields(m, &kf);
	const char *key = build_key(c, m, kf, nk);
	struct session *s = strmap_get(c->open, key, c->key.len);

	if (s && s->dir == DIR_INBOUND && !s->seen_start && s->nconv == 0 &&
	    s->nfails == 0 && s->nmsgs == 0) {
		/* its lines so far could have been either direction's
		 * (Exchange's "*" notes in an excerpt without header) */
		s->dir = DIR_OUTBOUND;
		s->seen_start = true;
	}
	if (s && (gap_passed(s, ts) ||
	    (q.p && s->queue && !sv_eq(q, s->queue)) ||
	    (!q.p && has_result(s) && !continues_conversation(s, m, ev)) ||
	    (!q.p && s->quit_sent && ev != EV_REPLY &&
	    ev != EV_DISCONNECT))) {
		close_session(c, s);
		key = build_key(c, m, kf, nk);
		s = NULL;
	}
	if (s == NULL)
		s = session_new(c, m, key, DIR_OUTBOUND);
	if (q.p && !s->queue)
		s->queue = adup(&s->arena, q);
	if (ev == EV_COMMAND && m->f[F_COMMAND].p &&
	    sv_eq_nocase(m->f[F_COMMAND], "QUIT", 4))
		s->quit_sent = true;
	return s;
}

/* --- feeding ----------------------------------------------------------- */

static void
stash_handoff(struct correlator *c, struct session *s)
{
	struct session *old;

	/* It stays under its own key too: a screening process may still
	 * speak of it (postscreen's PASS NEW, then DISCONNECT). */
	s->handed_off = true;
	handoff_key(c, s);
	old = strmap_get(c->handoff, c->key.s, c->key.len);
	strmap_put(c->handoff, c->key.s, c->key.len, s);
	if (old && old != s) {
		/* nobody took the older one over */
		unmap(c, old);
		old->handed_off = false;
		old->closed = true;
		finish(c, old);
	}
}

/* A server process takes over a client that a screening process passed. */
static struct session *
claim_handoff(struct correlator *c, const struct match *m, const char *key,
    const struct ts *ts)
{
	struct session *s;
	struct buf k = {0};
	const enum field *kf;
	size_t nk = pattern_key_fields(m, &kf);

	if (!m->f[F_CLIENT_IP].p)
		return NULL;
	buf_add(&k, m->f[F_HOST].p ? m->f[F_HOST].p : "",
	    m->f[F_HOST].p ? m->f[F_HOST].len : 0);
	buf_addc(&k, '\x1f');
	buf_add(&k, m->f[F_CLIENT_IP].p, m->f[F_CLIENT_IP].len);
	s = strmap_get(c->handoff, k.s, k.len);
	if (s && m->f[F_CLIENT_PORT].p && s->client_port &&
	    !sv_eq(m->f[F_CLIENT_PORT], s->client_port))
		s = NULL;
	if (s && (ts->flags & TS_SET) && (s->end.flags & TS_SET) &&
	    ts_utc(ts) - ts_utc(&s->end) > HANDOFF_WINDOW_US)
		s = NULL;
	if (s)
		strmap_del(c->handoff, k.s, k.len);
	buf_free(&k);
	if (s == NULL)
		return NULL;
	unmap(c, s);
	s->handed_off = false;
	s->screened = true;
	s->key = arena_strndup(&s->arena, key, strlen(key));
	s->label = make_label(&s->arena, m, kf, nk);
	s->pid = NULL;
	strmap_put(c->open, key, strlen(key), s);
	return s;
}

static void
note_time(struct session *s, const struct ts *ts)
{
	if (!(ts->flags & TS_SET))
		return;
	if (!(s->start.flags & TS_SET))
		s->start = *ts;
	s->end = *ts;
}

void
correlator_feed(struct correlator *c, const struct match *m,
    const struct ts *ts, uint32_t file, uint32_t line, struct strview text)
{
	enum event ev;
	int qf;
	struct strview q = {0};
	struct session *s = NULL;
	struct message *msg = NULL;
	enum direction dir;

	if (m->pat == NULL)
		return;
	ev = pattern_event(m->pat);
	if (ev == EV_IGNORE)
		return;
	if (ev == EV_FAIL && seen_elsewhere(c, file, text)) {
		c->st.duplicates++;
		return;
	}
	if (ts->flags & TS_SET) {
		int64_t t = ts_utc(ts);

		if (!c->have_now) {
			c->have_now = true;
			c->now = c->last_sweep = t;
		} else if (t > c->now) {
			c->now = t;
		}
		end_lingering(c, t);
		if (c->now - c->last_sweep >= (c->o.idle_us > 0 &&
		    c->o.idle_us < SWEEP_EVERY_US ? c->o.idle_us :
		    SWEEP_EVERY_US)) {
			c->last_sweep = c->now;
			sweep_idle(c);
		}
	}
	dir = pattern_direction(m->pat);
	qf = pattern_set_message_field(m->set);
	if (qf >= 0 && m->f[qf].p && m->f[qf].len)
		q = m->f[qf];

	if (pattern_scope(m->pat) == SCOPE_MESSAGE) {
		if (!q.p)
			return;
		msg = msg_get(c, m->f[F_HOST], q, true);
		if (dir == DIR_OUTBOUND) {
			s = outbound_session(c, m, q, ev, ts);
			harvest(s, m);
			note_time(s, ts);
			add_line(c, &s->arena, &s->lines, &s->nlines,
			    &s->caplines, file, line, text, ev);
			touch(c, s);
		}
		add_line(c, &msg->arena, &msg->lines, &msg->nlines,
		    &msg->caplines, file, line, text, ev);
		apply_message(c, msg, m, s, ts);
		if (ev == EV_FAIL && msg->owner && !msg->owner->closed) {
			/* e.g. cleanup's header_checks: the session's refusal */
			note_time(msg->owner, ts);
			touch(c, msg->owner);
			apply_session(c, msg->owner, m, file, line, text);
		}
		if (ev == EV_REMOVE)
			msg_retire(c, msg);
		evict_messages(c);
		evict_sessions(c);
		return;
	}

	if (dir == DIR_OUTBOUND) {
		s = outbound_session(c, m, q, ev, ts);
	} else {
		const enum field *kf;
		size_t nk = pattern_key_fields(m, &kf);
		const char *key = build_key(c, m, kf, nk);

		s = strmap_get(c->open, key, c->key.len);
		if (s != NULL && s->handed_off) {
			unstash(c, s);
			key = build_key(c, m, kf, nk);
		}
		if (s != NULL && (gap_passed(s, ts) || (s->lingering &&
		    (ev == EV_CONNECT || !pattern_trails(m->pat))))) {
			if (!s->lingering && s->seen_start)
				s->evicted = true;	/* its end never came */
			close_session(c, s);
			key = build_key(c, m, kf, nk);
			s = NULL;
		}
		if (ev == EV_CONNECT && s != NULL && !s->seen_start &&
		    s->nfails == 0 && s->nmsgs == 0) {
			/* lines logged while the connection was set up,
			 * before "connect from": the same session */
		} else if (ev == EV_CONNECT && s != NULL) {
			/* a reused key: the old session never closed */
			close_session(c, s);
			key = build_key(c, m, kf, nk);
			s = NULL;
		}
		if (s == NULL && ev == EV_CONNECT) {
			char *k = xstrdup(key);

			s = claim_handoff(c, m, k, ts);
			free(k);
			key = build_key(c, m, kf, nk);
		}
		if (s == NULL)
			s = session_new(c, m, key, DIR_INBOUND);
	}
	note_time(s, ts);
	add_line(c, &s->arena, &s->lines, &s->nlines, &s->caplines, file, line,
	    text, ev);
	touch(c, s);
	apply_session(c, s, m, file, line, text);
	if (q.p && s->dir == DIR_INBOUND) {
		msg = msg_get(c, m->f[F_HOST], q, true);
		if (msg->owner == NULL) {
			msg->owner = s;
			msg->smtp = true;
			session_add_msg(s, msg);
			if (msg->next_hop && msg->next_hop->owner != s) {
				/* a later line's view of the arrival came
				 * first (see EV_ACCEPT): this session owns it */
				struct message *to = msg->next_hop;

				msg->next_hop = NULL;
				link_forward(c, msg, to, NULL);
			}
		}
		/* scope: session on an accept: the session's own line says
		 * the message is queued (Exim's "<=") */
		if (ev == EV_ACCEPT)
			apply_message(c, msg, m, NULL, ts);
	}
	if (ev == EV_HANDOFF)
		stash_handoff(c, s);
	else if (ev == EV_DISCONNECT || pattern_closes(m->pat))
		close_or_linger(c, s, ts);
	evict_messages(c);
	evict_sessions(c);
}

/*
 * --follow: log time goes on while the log is quiet. Advance it to now
 * (never back) and end what that ends, as a line of that time would: the
 * lingering sessions, and every SWEEP_EVERY_US (or idle_us, if shorter)
 * the idle ones.
 */
void
correlator_tick(struct correlator *c, int64_t now)
{
	int64_t every = c->o.idle_us > 0 && c->o.idle_us < SWEEP_EVERY_US ?
	    c->o.idle_us : SWEEP_EVERY_US;

	if (!c->have_now || now <= c->now)
		return;
	c->now = now;
	end_lingering(c, now);
	if (c->now - c->last_sweep >= every) {
		c->last_sweep = c->now;
		sweep_idle(c);
	}
}

void
correlator_flush(struct correlator *c)
{
	/* Lingering sessions ended; then hand on everything, oldest first:
	 * open, stashed and held. */
	end_lingering(c, INT64_MAX);
	while (c->held_head || c->lru_head) {
		struct session *s = c->held_head ? c->held_head : c->lru_head;

		unmap(c, s);
		s->handed_off = false;
		for (size_t i = 0; i < s->nmsgs; i++)
			s->msgs[i]->abandoned |= !s->msgs[i]->closed_map;
		/* where a key's sessions end by a gap, the end is never
		 * logged; unless the log showed the session's start, whose
		 * end it then would have shown */
		if (!s->closed && (s->dir == DIR_OUTBOUND ||
		    (s->gap_us > 0 && !s->seen_start)))
			s->closed = true;
		finish(c, s);
	}
	strmap_free(c->handoff);
	c->handoff = strmap_new();
	while (c->mq_head)
		msg_retire(c, c->mq_head->m);
}

static void
free_entry(void *val, void *arg)
{
	struct msgentry *e = val;

	msg_free(arg, e->m);
	free(e->node);
	free(e);
}

void
correlator_free(struct correlator *c)
{
	if (c == NULL)
		return;
	correlator_flush(c);
	strmap_each(c->msgs, free_entry, c);
	strmap_free(c->msgs);
	strmap_free(c->open);
	strmap_free(c->handoff);
	buf_free(&c->key);
	free(c->seen);
	free(c);
}
