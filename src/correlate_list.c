/*
 * correlate_list - the correlator's lists of sessions.
 *
 * Through its lru links a session is on one of
 *
 *	the LRU list   open and stashed sessions, by last line
 *	the hot list   held sessions in memory, in the order they came
 *	               to it (held, or read back), to be written out
 *	               oldest first (correlate_cold.c)
 *
 * and a held session (closed, waiting for its messages to leave) is on
 * the held list through its held_node, in the order it was held; one
 * written out is there as its cold unit's node, in the same place.
 *
 * and through its lg links on at most one of
 *
 *	the lingering list  ended inbound sessions still taking lines under
 *	                    their key, by the time they stop
 *	the resulted list   outbound sessions whose result is logged, by last
 *	                    line, to end once quiet
 *
 * (an outbound session never lingers). Each list is in the order its
 * walker needs, so every walk stops at the first session not yet due.
 *
 * Freed sessions wait on the pool (through lru_next) to be the next ones.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "correlate_int.h"

/*
 * Freed sessions kept to be the next ones: a session is a malloc() and a
 * memset() of 500 bytes, its first strings another malloc(), and 300,000
 * lines of a busy server open 56,000 sessions. A few suffice, since
 * sessions end about as often as they begin; the pool never grows past
 * this, whatever ended at once.
 */
#define SESSION_POOL 64

/*
 * A pooled session keeps its arrays of lines, messages, failures and
 * recipients of up to POOL_KEEP elements: the next one fills them where
 * it would have made a malloc() and two realloc()s (a line array grows
 * 2, 4, 8), more than one a line in all on the Exim benchmark log.
 */
#define POOL_KEEP 16

/* Free *v unless a pooled session or message keeps it (and its *cap). */
void
corr_pool_keep(void *v, size_t *cap, bool pooled)
{
	void **p = v;

	if (!pooled || *cap > POOL_KEEP) {
		free(*p);
		*p = NULL;
		*cap = 0;
	}
}

/* The session's arrays corr_session_alloc() hands on, kept or freed. */
static void
keep_arrays(struct session *s, bool pooled)
{
	corr_pool_keep(&s->msgs, &s->capmsgs, pooled);
	corr_pool_keep(&s->fails, &s->capfails, pooled);
	corr_pool_keep(&s->rcpts, &s->caprcpts, pooled);
	corr_pool_keep(&s->lines, &s->caplines, pooled);
}

void
corr_session_release(struct correlator *c, struct session *s)
{
	bool pooled = c->npool < SESSION_POOL;

	keep_arrays(s, pooled);
	if (s->omitted)
		arena_release(&s->omitted->arena);
	free(s->omitted);
	strmap_free(s->rcpt_idx);
	free(s->conv);
	free(s->tx);
	if (pooled) {
		arena_reset(&s->arena);
		s->lru_next = c->pool;
		c->pool = s;
		c->npool++;
		return;
	}
	arena_release(&s->arena);
	free(s);
}

void
corr_session_drop_arrays(struct session *s)
{
	keep_arrays(s, false);
}

struct session *
corr_session_alloc(struct correlator *c)
{
	struct session *s = c->pool;
	struct arena a;
	struct message **msgs;
	struct failure *fails;
	struct rcpt *rcpts;
	struct lineref *lines;
	size_t cm, cf, cr, cl;

	if (s == NULL)
		return xcalloc(1, sizeof(*s));
	c->pool = s->lru_next;
	c->npool--;
	/* its arena empty, its first chunk and its arrays kept */
	a = s->arena;
	msgs = s->msgs;
	cm = s->capmsgs;
	fails = s->fails;
	cf = s->capfails;
	rcpts = s->rcpts;
	cr = s->caprcpts;
	lines = s->lines;
	cl = s->caplines;
	memset(s, 0, sizeof(*s));
	s->arena = a;
	s->msgs = msgs;
	s->capmsgs = cm;
	s->fails = fails;
	s->capfails = cf;
	s->rcpts = rcpts;
	s->caprcpts = cr;
	s->lines = lines;
	s->caplines = cl;
	return s;
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
held_unlink(struct correlator *c, struct hnode *n)
{
	if (n->prev)
		n->prev->next = n->next;
	else
		c->held_head = n->next;
	if (n->next)
		n->next->prev = n->prev;
	else
		c->held_tail = n->prev;
	n->prev = n->next = NULL;
}

void
corr_held_replace(struct correlator *c, struct hnode *old, struct hnode *new)
{
	new->prev = old->prev;
	new->next = old->next;
	if (new->prev)
		new->prev->next = new;
	else
		c->held_head = new;
	if (new->next)
		new->next->prev = new;
	else
		c->held_tail = new;
	old->prev = old->next = NULL;
}

void
corr_lru_unlink(struct correlator *c, struct session *s)
{
	if (s->held) {
		held_unlink(c, &s->held_node);
		corr_hot_unlink(c, s);
	} else {
		list_unlink(&c->lru_head, &c->lru_tail, s);
	}
	s->held = false;
}

void
corr_lru_append(struct correlator *c, struct session *s)
{
	list_append(&c->lru_head, &c->lru_tail, s);
}

void
corr_touch(struct correlator *c, struct session *s)
{
	if (c->lru_tail == s || s->held)
		return;
	corr_lru_unlink(c, s);
	corr_lru_append(c, s);
}

void
corr_hot_unlink(struct correlator *c, struct session *s)
{
	if (!s->in_hot)
		return;
	list_unlink(&c->hot_head, &c->hot_tail, s);
	s->in_hot = false;
	c->nhot--;
}

void
corr_hot_append(struct correlator *c, struct session *s)
{
	list_append(&c->hot_head, &c->hot_tail, s);
	s->in_hot = true;
	c->nhot++;
}

void
corr_hold(struct correlator *c, struct session *s)
{
	struct hnode *n = &s->held_node;

	corr_lru_unlink(c, s);
	n->cold = false;
	n->next = NULL;
	n->prev = c->held_tail;
	if (c->held_tail)
		c->held_tail->next = n;
	else
		c->held_head = n;
	c->held_tail = n;
	s->held = true;
	corr_hot_append(c, s);
}

static void
lg_list_unlink(struct session **head, struct session **tail,
    struct session *s)
{
	if (s->lg_prev)
		s->lg_prev->lg_next = s->lg_next;
	else
		*head = s->lg_next;
	if (s->lg_next)
		s->lg_next->lg_prev = s->lg_prev;
	else
		*tail = s->lg_prev;
	s->lg_prev = s->lg_next = NULL;
}

static void
lg_list_append(struct session **head, struct session **tail,
    struct session *s)
{
	s->lg_next = NULL;
	s->lg_prev = *tail;
	if (*tail)
		(*tail)->lg_next = s;
	else
		*head = s;
	*tail = s;
}

void
corr_lg_unlink(struct correlator *c, struct session *s)
{
	if (s->lingering)
		lg_list_unlink(&c->lg_head, &c->lg_tail, s);
	else if (s->resulted)
		lg_list_unlink(&c->rs_head, &c->rs_tail, s);
	s->lingering = s->resulted = false;
}

void
corr_linger(struct correlator *c, struct session *s)
{
	corr_lg_unlink(c, s);
	s->lingering = true;
	lg_list_append(&c->lg_head, &c->lg_tail, s);
}

void
corr_resulted(struct correlator *c, struct session *s)
{
	corr_lg_unlink(c, s);
	s->resulted = true;
	lg_list_append(&c->rs_head, &c->rs_tail, s);
}
