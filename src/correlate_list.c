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
 */
#include "config.h"

#include "correlate_int.h"

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
