/*
 * correlate - see correlate.h.
 *
 * States of a session:
 *
 *	open     in c->open under its key, and on the LRU list; an
 *	         outbound one with its result logged also on the resulted
 *	         list, a lingering inbound one on the lingering list
 *	stashed  handed off by a screening process (postscreen), in
 *	         c->handoff under host + client address, waiting for the
 *	         server process that takes the client over; on the LRU list
 *	held     closed, waiting for its messages to leave the queue; on
 *	         the held list only
 *
 * A session leaves all of them through finish(), which classifies it,
 * emits it and frees it. Messages are in c->msgs while in the queue and on
 * their own FIFO list; a removed message is freed with its owner, or at
 * once when it has none.
 *
 * This file keeps the sessions' life (keys, closing, lingering, hand-offs,
 * eviction) and feeding; what a line does to a session is
 * correlate_apply.c's, the lists are correlate_list.c's, and the queued
 * messages are correlate_msg.c's.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "classify.h"
#include "correlate.h"
#include "correlate_int.h"
#include "diag.h"
#include "evidence.h"

/* A handed-off client must reach its server process within this time. */
#define HANDOFF_WINDOW_US (300LL * 1000000)
/*
 * Failure lines remembered to drop the copies another file repeats (Exim's
 * reject log repeats the main log's refusals): a fixed table, so memory
 * does not grow; a copy further back than it holds is counted twice.
 */
#define SEEN_SLOTS 65536

/* How often (in log time) idle sessions are looked for. */
#define SWEEP_EVERY_US (60LL * 1000000)

struct correlator *
correlator_new(const struct correlate_opts *o)
{
	struct correlator *c = xcalloc(1, sizeof(*c));

	c->o = *o;
	buf_init(&c->key);
	buf_init(&c->ikey);
	buf_init(&c->label);
	if (c->o.max_open == 0)
		c->o.max_open = 100000;
	c->open = strmap_new_borrowed();	/* each session's s->key */
	c->msgs = strmap_new();
	c->open_hm = xcalloc(1, sizeof(*c->open_hm));
	c->msgs_hm = xcalloc(1, sizeof(*c->msgs_hm));
	c->handoff = strmap_new();
	if (c->o.nfiles != 1)
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

char *
corr_dup(struct arena *a, struct strview v)
{
	return v.p ? arena_strndup(a, v.p, v.len) : NULL;
}

static const char *
build_key(struct correlator *c, const struct match *m, const enum field *kf,
    size_t nk)
{
	const char *mta = pattern_set_mta(m->set);
	size_t n;
	char *p;

	if (mta != c->key_mta) {	/* its length once, not a line */
		c->key_mta = mta;
		c->key_mta_len = strlen(mta);
	}
	n = c->key_mta_len + nk;	/* sized once, then copied */
	for (size_t i = 0; i < nk; i++)
		n += m->f[kf[i]].p ? m->f[kf[i]].len : 0;
	buf_reset(&c->key);
	buf_grow(&c->key, n);
	p = c->key.s;
	n = c->key_mta_len;
	memcpy(p, mta, n);
	/* up to a NUL a field may hold: the key is stored and removed as
	 * the C string it is, so it must be looked up as one */
	for (size_t i = 0; i < nk; i++) {
		p[n++] = '\x1f';
		n += sv_copy_cstr(p + n, m->f[kf[i]]);
	}
	c->key.len = n;
	p[n] = '\0';
	return p;
}

/* Formatted in c->label: no buffer to allocate and free a session. */
static char *
make_label(struct correlator *c, struct arena *a, const struct match *m,
    const enum field *kf, size_t nk)
{
	buf_reset(&c->label);
	pattern_format_label(m, kf, nk, &c->label);
	return arena_strndup(a, c->label.s, c->label.len);
}

struct omitted *
corr_omitted(struct session *s)
{
	if (s->omitted == NULL)
		s->omitted = xcalloc(1, sizeof(*s->omitted));
	return s->omitted;
}

static void
add_line(struct correlator *c, struct arena *a, struct lineref **v,
    size_t *n, size_t *cap, uint32_t file, uint32_t line, struct strview text,
    enum event ev)
{
	struct lineref *l;

	if (c->o.no_lines)
		return;
	grow_array((void **)v, cap, *n + 1, sizeof(**v));
	l = &(*v)[(*n)++];
	l->file = file;
	l->line = line;
	l->ev = ev;
	l->text = NULL;
	l->len = (uint32_t)text.len;
	/* read back when printed (report_line_text()) */
	l->off = c->o.keep_text && c->o.reread ? c->line_off : -1;
	if (c->o.keep_text && l->off < 0)
		l->text = corr_dup(a, text);
}

/* A line of s, unless it has SESSION_MAX_LINES already. */
static void
session_line(struct correlator *c, struct session *s, uint32_t file,
    uint32_t line, struct strview text, enum event ev)
{
	if (s->nlines >= SESSION_MAX_LINES) {
		corr_omitted(s)->lines++;
		return;
	}
	add_line(c, &s->arena, &s->lines, &s->nlines, &s->caplines, file,
	    line, text, ev);
}

/* --- sessions ---------------------------------------------------------- */

static void
session_free(struct correlator *c, struct session *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->nmsgs; i++) {
		struct message *m = s->msgs[i];

		if (m->owner != s)
			continue;
		msg_disown(c, m);
	}
	corr_session_release(c, s);
}

static void
finish(struct correlator *c, struct session *s)
{
	corr_lg_unlink(c, s);
	corr_lru_unlink(c, s);
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
	if (s->internal) {
		c->st.folded++;
	} else {
		c->st.sessions++;
		s->emitted = true;
		if (c->o.wants == NULL || c->o.wants(s, c->o.arg)) {
			classify(s, c->o.db);
			c->o.emit(s, c->o.arg);
		}
	}
	session_free(c, s);
}

static bool
msg_settled(const struct session *s, const struct message *m)
{
	return m->owner != s || m->closed_map || m->abandoned;
}

void
corr_try_finish(struct correlator *c, struct session *s)
{
	if (!s->closed || s->handed_off)
		return;
	for (size_t i = 0; i < s->nmsgs; i++)
		if (!msg_settled(s, s->msgs[i])) {
			if (!s->held) {
				/* held: waits for its messages to leave */
				corr_hold(c, s);
				free(s->tx);	/* no more lines: closed */
				s->tx = NULL;
			}
			return;
		}
	finish(c, s);
}

/* Remove s from the open map (it stays on the LRU list), unless another
 * session has taken its key. */
static void
unmap(struct correlator *c, struct session *s)
{
	strmap_del_val_h(c->open, s->key, s->key_len, s->key_hash, s);
}

static void
close_session(struct correlator *c, struct session *s)
{
	corr_lg_unlink(c, s);
	unmap(c, s);
	s->closed = true;
	if (s->dir == DIR_INBOUND)
		msg_abandon_unaccepted(s);
	corr_try_finish(c, s);
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
	s->linger_until = ts_utc(ts) + l;
	corr_linger(c, s);
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
	buf_reset(&c->ikey);
	buf_add(&c->ikey, s->host ? s->host : "",
	    s->host ? strlen(s->host) : 0);
	buf_addc(&c->ikey, '\x1f');
	buf_add(&c->ikey, s->client_ip ? s->client_ip : "",
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
	strmap_del_val(c->handoff, c->ikey.s, c->ikey.len, s);
	s->handed_off = false;
}

static void
evict_sessions(struct correlator *c)
{
	struct session *s;

	while (c->nlive > c->o.max_open &&
	    ((s = corr_held_first(c)) != NULL || (s = c->lru_head) != NULL)) {
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
 * An outbound conversation whose result is logged is over once its
 * process has been quiet this long (or idle_us, if shorter): after the
 * result come at most the remote's late replies and our QUIT, within
 * the connection cache's time (Postfix reuses a connection for up to
 * 300 s). Postfix logs no end of it, and a busy server's delivery
 * processes would otherwise each keep one open for idle_us.
 */
#define RESULT_IDLE_US (300LL * 1000000)

static void
sweep_resulted(struct correlator *c)
{
	int64_t limit = c->o.idle_us < RESULT_IDLE_US ? c->o.idle_us :
	    RESULT_IDLE_US;

	if (c->o.idle_us <= 0)
		return;	/* nothing ends before the input does */
	while (c->rs_head && ts_utc(&c->rs_head->end) < c->now - limit)
		close_session(c, c->rs_head);
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

	sweep_resulted(c);
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

static struct session *
session_new(struct correlator *c, const struct match *m, const char *key,
    size_t len, uint64_t h, enum direction dir)	/* h: strmap_hash() */
{
	struct session *s = corr_session_alloc(c);
	const enum field *kf;
	size_t nk = pattern_session_key(m, &kf, &s->gap_us);

	s->set = m->set;
	s->mta = pattern_set_mta(m->set);
	s->key = arena_strndup(&s->arena, key, len);
	s->key_len = (uint32_t)len;	/* strmap_put_h() allows no more */
	s->key_hash = (uint32_t)h;
	s->label = make_label(c, &s->arena, m, kf, nk);
	s->dir = dir;
	s->reached = PHASE_NONE;
	s->listed_phase = PHASE_NONE;
	s->stats_accepted = -1;
	s->stats_rcpt_ok = -1;
	s->seq = ++c->seq;
	s->seen_start = dir == DIR_OUTBOUND;
	corr_lru_append(c, s);
	c->nlive++;
	if (c->nlive > c->st.peak_open)
		c->st.peak_open = c->nlive;
	strmap_put_h(c->open, s->key, len, h, s);
	return s;
}

/* --- the outbound session of a delivery process ------------------------ */

static bool
has_result(const struct session *s)
{
	return s->nrcpts > 0;
}

/* An outbound session that now has a result goes to the end of the
 * resulted list, where sweep_resulted() finds it once it is quiet. */
static void
note_result(struct correlator *c, struct session *s)
{
	if (s->dir != DIR_OUTBOUND || s->closed || s->lingering ||
	    s->gap_us > 0 || !has_result(s) || !(s->end.flags & TS_SET))
		return;
	corr_resulted(c, s);
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
	size_t len = c->key.len;
	uint64_t h = strmap_hash_memo(c->open, c->open_hm, key, len);
	struct session *s = strmap_get_h(c->open, key, len, h);

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
		close_session(c, s);	/* key and h stay (c->key) */
		s = NULL;
	}
	if (s == NULL)
		s = session_new(c, m, key, len, h, DIR_OUTBOUND);
	if (q.p && !s->queue)
		s->queue = corr_dup(&s->arena, q);
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
	old = strmap_get(c->handoff, c->ikey.s, c->ikey.len);
	strmap_put(c->handoff, c->ikey.s, c->ikey.len, s);
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
    size_t len, uint64_t h, const struct ts *ts)	/* h: of key in open */
{
	struct session *s;
	struct buf *k = &c->ikey;
	const enum field *kf;
	size_t nk = pattern_key_fields(m, &kf);

	/* most servers screen nobody: no key to build, no lookup */
	if (!m->f[F_CLIENT_IP].p || strmap_count(c->handoff) == 0)
		return NULL;
	buf_reset(k);
	buf_add(k, m->f[F_HOST].p ? m->f[F_HOST].p : "",
	    m->f[F_HOST].p ? m->f[F_HOST].len : 0);
	buf_addc(k, '\x1f');
	buf_add(k, m->f[F_CLIENT_IP].p, m->f[F_CLIENT_IP].len);
	s = strmap_get(c->handoff, k->s, k->len);
	if (s && m->f[F_CLIENT_PORT].p && s->client_port &&
	    !sv_eq(m->f[F_CLIENT_PORT], s->client_port))
		s = NULL;
	if (s && (ts->flags & TS_SET) && (s->end.flags & TS_SET) &&
	    ts_utc(ts) - ts_utc(&s->end) > HANDOFF_WINDOW_US)
		s = NULL;
	if (s == NULL)
		return NULL;
	strmap_del(c->handoff, k->s, k->len);
	unmap(c, s);
	s->handed_off = false;
	s->screened = true;
	s->key = arena_strndup(&s->arena, key, len);
	s->key_len = (uint32_t)len;
	s->key_hash = (uint32_t)h;
	s->label = make_label(c, &s->arena, m, kf, nk);
	s->pid = NULL;
	strmap_put_h(c->open, s->key, len, h, s);
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

/* Log time moves on to ts: end what that ends (lingering and, every
 * SWEEP_EVERY_US or idle_us if shorter, idle sessions). */
static void
advance_clock(struct correlator *c, const struct ts *ts)
{
	int64_t t;

	if (!(ts->flags & TS_SET))
		return;
	t = ts_utc(ts);
	if (!c->have_now) {
		c->have_now = true;
		c->now = c->last_sweep = t;
	} else if (t > c->now) {
		c->now = t;
	}
	end_lingering(c, t);
	msg_sweep_graves(c, c->now);
	if (c->now - c->last_sweep >= (c->o.idle_us > 0 &&
	    c->o.idle_us < SWEEP_EVERY_US ? c->o.idle_us :
	    SWEEP_EVERY_US)) {
		c->last_sweep = c->now;
		sweep_idle(c);
	}
}

/* A line of message scope: the message's, and an outbound session's. */
static void
feed_message(struct correlator *c, const struct match *m,
    const struct ts *ts, struct strview q, uint32_t file, uint32_t line,
    struct strview text)
{
	enum event ev = pattern_event(m->pat);
	enum direction dir = pattern_direction(m->pat);
	struct session *s = NULL;
	struct message *msg;

	msg = msg_get(c, m->f[F_HOST], q, true);
	if (dir == DIR_OUTBOUND) {
		s = outbound_session(c, m, q, ev, ts);
		corr_harvest(s, m);
		note_time(s, ts);
		session_line(c, s, file, line, text, ev);
		corr_touch(c, s);
	}
	add_line(c, &msg->arena, &msg->lines, &msg->nlines,
	    &msg->caplines, file, line, text, ev);
	msg_apply(c, msg, m, s, ts);
	if (s != NULL)
		note_result(c, s);
	if (ev == EV_FAIL && msg->owner && !msg->owner->closed) {
		/* e.g. cleanup's header_checks: the session's refusal */
		note_time(msg->owner, ts);
		corr_touch(c, msg->owner);
		corr_apply_session(c, msg->owner, m, file, line, text);
	}
	if (ev == EV_REMOVE)
		msg_retire(c, msg);
	msg_evict(c);
	evict_sessions(c);
}

/* The inbound session a line of session scope belongs to: the open one
 * under its key, a screened one taken over, or a new one. */
static struct session *
inbound_session(struct correlator *c, const struct match *m,
    const struct ts *ts, enum event ev)
{
	struct session *s;
	const enum field *kf;
	size_t nk = pattern_key_fields(m, &kf);
	/* key and h stay what they are (c->key) whatever is closed */
	const char *key = build_key(c, m, kf, nk);
	size_t len = c->key.len;
	uint64_t h = strmap_hash_memo(c->open, c->open_hm, key, len);

	s = strmap_get_h(c->open, key, len, h);
	if (s != NULL && s->handed_off)
		unstash(c, s);
	if (s != NULL && (gap_passed(s, ts) || (s->lingering &&
	    (ev == EV_CONNECT || !pattern_trails(m->pat))))) {
		if (!s->lingering && s->seen_start)
			s->evicted = true;	/* its end never came */
		close_session(c, s);
		s = NULL;
	}
	if (ev == EV_CONNECT && s != NULL && !s->seen_start &&
	    s->nfails == 0 && s->nmsgs == 0) {
		/* lines logged while the connection was set up,
		 * before "connect from": the same session */
	} else if (ev == EV_CONNECT && s != NULL) {
		/* a reused key: the old session never closed */
		close_session(c, s);
		s = NULL;
	}
	if (s == NULL && ev == EV_CONNECT)
		s = claim_handoff(c, m, key, len, h, ts);
	if (s == NULL)
		s = session_new(c, m, key, len, h, DIR_INBOUND);
	return s;
}

/* An inbound session's line names queue ID q: the message is its. */
static void
own_message(struct correlator *c, struct session *s, const struct match *m,
    const struct ts *ts, struct strview q)
{
	struct message *msg = msg_get(c, m->f[F_HOST], q, true);

	if (msg->owner == NULL) {
		msg->owner = s;
		msg->owned = true;
		msg->smtp = true;
		msg_attach(s, msg);
		if (msg->next_hop && msg->next_hop->owner != s) {
			/* a later line's view of the arrival came
			 * first (see EV_ACCEPT): this session owns it */
			struct message *to = msg->next_hop;

			msg->next_hop = NULL;
			msg_link_forward(c, msg, to, NULL);
		}
	}
	/* scope: session on an accept: the session's own line says
	 * the message is queued (Exim's "<=") */
	if (pattern_event(m->pat) == EV_ACCEPT)
		msg_apply(c, msg, m, NULL, ts);
}

static void
feed(struct correlator *c, const struct match *m, const struct ts *ts,
    uint32_t file, uint32_t line, struct strview text, int64_t off)
{
	enum event ev;
	int qf;
	struct strview q = {0};
	struct session *s;

	if (m->pat == NULL)
		return;
	c->line_off = off;
	ev = pattern_event(m->pat);
	if (ev == EV_IGNORE)
		return;
	if (ev == EV_FAIL && c->seen && seen_elsewhere(c, file, text)) {
		c->st.duplicates++;
		return;
	}
	advance_clock(c, ts);
	qf = pattern_set_message_field(m->set);
	if (qf >= 0 && m->f[qf].p && m->f[qf].len)
		q = m->f[qf];
	if (pattern_scope(m->pat) == SCOPE_MESSAGE) {
		if (q.p)
			feed_message(c, m, ts, q, file, line, text);
		return;
	}
	if (pattern_direction(m->pat) == DIR_OUTBOUND)
		s = outbound_session(c, m, q, ev, ts);
	else
		s = inbound_session(c, m, ts, ev);
	note_time(s, ts);
	session_line(c, s, file, line, text, ev);
	corr_touch(c, s);
	corr_apply_session(c, s, m, file, line, text);
	note_result(c, s);
	if (q.p && s->dir == DIR_INBOUND)
		own_message(c, s, m, ts, q);
	if (ev == EV_HANDOFF)
		stash_handoff(c, s);
	else if (ev == EV_DISCONNECT || pattern_closes(m->pat))
		close_or_linger(c, s, ts);
	msg_evict(c);
	evict_sessions(c);
}

void
correlator_feed(struct correlator *c, const struct match *m,
    const struct ts *ts, uint32_t file, uint32_t line, struct strview text,
    int64_t off)
{
	feed(c, m, ts, file, line, text, off);
	/* here, where no caller holds a session, held ones may go out */
	corr_cold_balance(c);
}

/*
 * --follow: log time goes on while the log is quiet. Advance it to now
 * (never back) and end what that ends, as a line of that time would: the
 * lingering sessions, the messages past their grace, and every
 * SWEEP_EVERY_US (or idle_us, if shorter) the idle sessions.
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
	msg_sweep_graves(c, now);
	if (c->now - c->last_sweep >= every) {
		c->last_sweep = c->now;
		sweep_idle(c);
	}
	corr_cold_balance(c);
}

void
correlator_flush(struct correlator *c)
{
	/* Lingering sessions ended; then hand on everything, oldest first:
	 * open, stashed and held. */
	struct session *s;

	end_lingering(c, INT64_MAX);
	while ((s = corr_held_first(c)) != NULL ||
	    (s = c->lru_head) != NULL) {
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
		/* its messages, still queued, wait below: out with them */
		corr_cold_balance(c);
	}
	strmap_free(c->handoff);
	c->handoff = strmap_new();
	while (c->graves.head)
		msg_retire(c, c->graves.head);
	while (c->queue.head)
		msg_retire(c, c->queue.head);
}

void
correlator_free(struct correlator *c)
{
	if (c == NULL)
		return;
	correlator_flush(c);
	strmap_each(c->msgs, msg_free_entry, c);
	strmap_free(c->msgs);
	strmap_free(c->open);
	strmap_free(c->handoff);
	corr_cold_free(c);
	buf_release(&c->key);
	buf_release(&c->ikey);
	buf_release(&c->label);
	msg_pool_release(c);
	while (c->pool) {
		struct session *s = c->pool;

		c->pool = s->lru_next;
		arena_release(&s->arena);
		corr_session_drop_arrays(s);
		free(s);
	}
	free(c->seen);
	evidence_memo_free(c->counters);
	free(c->open_hm);
	free(c->msgs_hm);
	free(c);
}
