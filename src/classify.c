/*
 * classify - see classify.h.
 */
#include "config.h"

#include <string.h>

#include "classify.h"

/*
 * A failure that says why: a negative reply, or a TLS, AUTH or protocol
 * failure. A bare drop or timeout says only that the client went away.
 */
static bool
negative_reply(const struct failure *f)
{
	return f->reply && (f->reply[0] == '4' || f->reply[0] == '5');
}

static bool
explanatory(const struct failure *f)
{
	return negative_reply(f) ||
	    (f->kind != KIND_DROPPED && f->kind != KIND_TIMEOUT);
}

/*
 * A refusal of DATA when every recipient had been refused (RFC 5321's
 * "554 no valid recipients") repeats the RCPT refusal; it is not a phase
 * of its own.
 */
static bool
consequence(const struct session *s, const struct failure *f)
{
	bool rcpt_refused = false;

	if (f->phase != PHASE_DATA)
		return false;
	for (const struct failure *e = s->fails; e < f; e++)
		if (e->phase == PHASE_RCPT)
			rcpt_refused = true;
	if (!rcpt_refused)
		return false;
	if (s->stats_rcpt_ok >= 0)
		return s->stats_rcpt_ok == 0;
	return s->rcpt_ok == 0 && s->nconv > 0;
}

static const struct failure *
pick_failure(const struct session *s)
{
	const struct failure *best = NULL;

	for (size_t i = 0; i < s->nfails; i++) {
		const struct failure *f = &s->fails[i];

		if (consequence(s, f) && best != NULL)
			continue;
		if (best == NULL || negative_reply(f) || f->phase > best->phase ||
		    (!negative_reply(best) &&
		    (explanatory(f) || !explanatory(best))))
			best = f;
	}
	return best;
}

/* The cause an earlier failure gives to the one that speaks. */
static const char *
explained_cause(const struct session *s, const struct failure *best)
{
	for (const struct failure *e = s->fails; e < best; e++)
		if (e->explains && e->cause)
			return e->cause;
	return NULL;
}

static const char *
outcome_of(enum kind k, const char *reply)
{
	switch (k) {
	case KIND_BOUNCED:
		return "bounced";
	case KIND_DEFERRED:
		return "deferred";
	case KIND_EXPIRED:
		return "expired";
	case KIND_TEMPFAIL:
		return "tempfailed";
	case KIND_DROPPED:
	case KIND_TIMEOUT:
		return "dropped";
	default:
		break;
	}
	if (reply && reply[0] == '4')
		return "tempfailed";
	if (reply && reply[0] == '5')
		return "rejected";
	/* an AUTH failure refuses the credentials, with or without a code */
	return k == KIND_REJECTED || k == KIND_AUTH ? "rejected" : "dropped";
}

static void
from_failure(struct verdict *v, const struct session *s,
    const struct failure *f)
{
	const char *why = explained_cause(s, f);

	v->phase = f->phase;
	v->kind = f->kind;
	v->reply = f->reply;
	v->enhanced = f->enhanced;
	v->text = f->text;
	v->client_text = f->client_text;
	v->cause = why ? why : f->cause;
	v->own_cause = why == NULL;
	v->command = f->command;
}

static void
from_rcpt(struct verdict *v, const struct rcpt *r, bool postqueue)
{
	v->phase = postqueue ? PHASE_POSTQUEUE : r->phase;
	v->remote_phase = postqueue ? r->remote_phase : PHASE_NONE;
	v->kind = r->kind;
	v->reply = r->reply;
	v->enhanced = r->enhanced;
	v->text = r->text;
	v->client_text = false;
}

/*
 * The failure a session still open ended on: one logged after its last
 * command, in a phase the log named (design.md §4: an unfinished session
 * whose last word was a negative reply or a failure is failed there).
 */
static const struct failure *
last_word(const struct session *s)
{
	const struct failure *f;

	if (s->nfails == 0)
		return NULL;
	f = &s->fails[s->nfails - 1];
	if (f->seq < s->last_cmd_seq || f->phase_guessed)
		return NULL;
	return f;
}

static int
rank(enum rstatus s)
{
	switch (s) {
	case RS_EXPIRED:
		return 3;
	case RS_BOUNCED:
		return 2;
	case RS_DEFERRED:
		return 1;
	default:
		return 0;
	}
}

/* Recipients the session itself saw refused at RCPT. */
static size_t
refused_rcpts(const struct session *s)
{
	size_t n = 0;

	for (size_t i = 0; i < s->nrcpts; i++)
		if (s->rcpts[i].status == RS_REJECTED ||
		    s->rcpts[i].status == RS_TEMPFAIL)
			n++;
	return n;
}

/* A failure at MAIL or later (after the client got that far). */
static bool
failed_late(const struct session *s)
{
	for (size_t i = 0; i < s->nfails; i++)
		if (s->fails[i].phase >= PHASE_MAIL)
			return true;
	return false;
}

static void
classify_inbound(struct session *s, struct verdict *v)
{
	size_t accepted = 0, delivered = 0, failed_pq = 0, refused = 0;
	const struct rcpt *worst = NULL;
	bool late_fail = false;
	const struct message *m;
	size_t mi = 0;

	while ((m = session_message(s, &mi, SESSION_FINAL)) != NULL) {
		if (m->accepted)
			accepted++;
		if (!m->accepted && !(m->nrcpts > 0))
			continue;
		for (size_t j = 0; j < m->nrcpts; j++) {
			const struct rcpt *r = &m->rcpts[j];

			if (r->status == RS_DELIVERED)
				delivered++;
			if (rank(r->status) > 0) {
				failed_pq++;
				if (worst == NULL ||
				    rank(r->status) > rank(worst->status))
					worst = r;
			}
		}
		if (!m->accepted && m->nrcpts > 0)
			accepted++;	/* its queue entry shows deliveries */
	}
	if (accepted == 0 && s->stats_accepted > 0)
		accepted = (size_t)s->stats_accepted;
	if (accepted == 0 && s->data_ok > 0)
		accepted = s->data_ok;	/* a transcript's 250 to the dot */
	refused = refused_rcpts(s);
	late_fail = failed_late(s);

	if (!s->closed || s->evicted) {
		const struct failure *f = last_word(s);

		if (f != NULL && accepted == 0) {
			from_failure(v, s, f);
			v->status = STATUS_FAILED;
			v->outcome = outcome_of(v->kind, v->reply);
			return;
		}
		v->status = STATUS_INCOMPLETE;
		v->outcome = "incomplete";
		return;
	}
	if (accepted > 0) {
		if (worst != NULL) {
			from_rcpt(v, worst, true);
			v->status = delivered > 0 || refused > 0 ?
			    STATUS_PARTIAL : STATUS_FAILED;
			v->outcome = outcome_of(v->kind, NULL);
		} else if (refused > 0 || late_fail) {
			from_failure(v, s, pick_failure(s));
			v->status = STATUS_PARTIAL;
			v->outcome = "partial";
		} else {
			v->status = STATUS_OK;
			v->outcome = delivered > 0 ? "delivered" : "accepted";
		}
		return;
	}
	if (s->nfails > 0) {
		from_failure(v, s, pick_failure(s));
		v->status = STATUS_FAILED;
		v->outcome = outcome_of(v->kind, v->reply);
		return;
	}
	if (!s->seen_start) {
		v->status = STATUS_INCOMPLETE;
		v->outcome = "incomplete";
		return;
	}
	v->status = STATUS_OK;
	v->outcome = "no-mail";
}

static void
classify_outbound(struct session *s, struct verdict *v)
{
	size_t delivered = 0, refused = 0;
	const struct rcpt *first = NULL;

	for (size_t i = 0; i < s->nrcpts; i++) {
		if (s->rcpts[i].status == RS_DELIVERED) {
			delivered++;
		} else {
			refused++;
			if (first == NULL || (first->status == RS_TEMPFAIL &&
			    s->rcpts[i].status == RS_REJECTED))
				first = &s->rcpts[i];
		}
	}
	if (refused == 0 && delivered > 0) {
		v->status = STATUS_OK;
		v->outcome = "delivered";
		return;
	}
	if (refused == 0 && s->nfails == 0) {
		v->status = s->evicted ? STATUS_INCOMPLETE : STATUS_OK;
		/* a transcript's 250 to the dot (or to BDAT LAST) */
		v->outcome = s->evicted ? "incomplete" : s->data_ok > 0 ?
		    "delivered" : "no-mail";
		return;
	}
	if (first != NULL && (first->phase != PHASE_NONE || s->nfails == 0)) {
		from_rcpt(v, first, false);
		if (v->phase == PHASE_NONE)
			v->phase = s->reached == PHASE_NONE ?
			    PHASE_PREGREETING : s->reached;
	} else {
		from_failure(v, s, pick_failure(s));
		if (first != NULL && v->kind == KIND_PROTOCOL)
			v->kind = first->kind;
	}
	v->status = delivered > 0 ? STATUS_PARTIAL : STATUS_FAILED;
	v->outcome = delivered > 0 ? "partial" : outcome_of(v->kind, v->reply);
}

void
classify(struct session *s, const struct pattern_db *db)
{
	struct verdict *v = &s->v;

	memset(v, 0, sizeof(*v));
	v->phase = PHASE_NONE;
	v->remote_phase = PHASE_NONE;
	if (s->dir == DIR_OUTBOUND)
		classify_outbound(s, v);
	else
		classify_inbound(s, v);
	v->reached = s->reached;
	if (v->status == STATUS_OK || v->status == STATUS_INCOMPLETE) {
		/* an unfinished session names the stage it had reached */
		v->phase = v->status == STATUS_INCOMPLETE ? s->reached :
		    PHASE_NONE;
		v->kind = KIND_NONE;
		return;
	}
	if (v->cause == NULL && db != NULL)
		v->cause = pattern_db_cause(db,
		    v->remote_phase != PHASE_NONE ? v->remote_phase :
		    v->phase, v->reply, v->enhanced, v->text);
	if (v->cause == NULL)
		v->cause = pattern_db_default_cause(db, v->kind);
	/* a refusal provoked by the client's own protocol error: its
	 * rule's kind (causes.yaml) */
	if (v->own_cause && (v->kind == KIND_REJECTED ||
	    v->kind == KIND_TEMPFAIL)) {
		enum kind k = pattern_db_cause_kind(db, v->cause);

		if (k != KIND_NONE)
			v->kind = k;
	}
}
