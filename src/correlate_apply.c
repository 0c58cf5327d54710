/*
 * correlate_apply - what one line of session scope does to its session:
 * the fields it names, the transcript's commands and replies, failures
 * (merged when a reply and a reject line tell of one), and the counters
 * of a close line.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "correlate_int.h"
#include "evidence.h"

struct transcript *
corr_tx(struct session *s)
{
	if (s->tx == NULL) {
		s->tx = xcalloc(1, sizeof(*s->tx));
		transcript_init(s->tx);
	}
	return s->tx;
}

void
corr_advance(struct session *s, enum phase p)
{
	if (p != PHASE_NONE && p != PHASE_POSTQUEUE && p > s->reached)
		s->reached = p;
}

/* Is the C string c the bytes of v (sv_eq() without strlen() and
 * memcmp() calls: a process ID of a few digits, compared every line)? */
static bool
sv_is(struct strview v, const char *c)
{
	for (size_t i = 0; i < v.len; i++)
		if (c[i] == '\0' || c[i] != v.p[i])
			return false;
	return c[v.len] == '\0';
}

void
corr_harvest(struct session *s, const struct match *m)
{
	struct arena *a = &s->arena;

	corr_keep(a, &s->host, m->f[F_HOST]);
	/* the last process wins: Exim's daemon logs the connection, the
	 * process it forks logs the session */
	if (m->f[F_PID].p && m->f[F_PID].len && (s->pid == NULL ||
	    !sv_is(m->f[F_PID], s->pid)))
		s->pid = corr_dup(a, m->f[F_PID]);
	corr_keep(a, &s->session_id, m->f[F_SESSION]);
	corr_keep(a, &s->client_name, m->f[F_CLIENT_NAME]);
	corr_keep(a, &s->client_ip, m->f[F_CLIENT_IP]);
	corr_keep(a, &s->client_port, m->f[F_CLIENT_PORT]);
	corr_keep(a, &s->helo, m->f[F_HELO]);
	corr_keep(a, &s->sender, m->f[F_SENDER]);
	corr_keep(a, &s->sasl_user, m->f[F_SASL_USER]);
	corr_keep(a, &s->tls, m->f[F_TLS]);
	if (s->dir == DIR_OUTBOUND) {
		corr_keep(a, &s->relay, m->f[F_RELAY]);
		return;
	}
	/* A line that names the client's HELO, a sender or a recipient
	 * shows how far the conversation got, even where the server logs no
	 * commands (Exim's "SMTP command timeout" after MAIL and RCPT). */
	if (m->f[F_HELO].p)
		corr_advance(s, PHASE_HELO);
	if (m->f[F_SENDER].p && pattern_scope(m->pat) == SCOPE_SESSION)
		corr_advance(s, PHASE_MAIL);
	if (m->f[F_RECIPIENT].p && pattern_scope(m->pat) == SCOPE_SESSION)
		corr_advance(s, PHASE_RCPT);
}

enum kind
corr_kind_of(const struct match *m, enum phase ph, struct strview reply)
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
 * A refused recipient of s: past SESSION_MAX_RCPTS a new one is counted
 * and not kept, NULL (its failure line still counts).
 */
static struct rcpt *
refused_rcpt(struct session *s, struct strview addr)
{
	if (s->nrcpts >= SESSION_MAX_RCPTS) {
		size_t len = addr.p ? strnlen(addr.p, addr.len) : 0;
		void *at = s->rcpt_idx && addr.p ?
		    strmap_get(s->rcpt_idx, addr.p, len) : NULL;

		if (at)
			return &s->rcpts[(uintptr_t)at - 1];
		corr_omitted(s)->rcpts++;
		return NULL;
	}
	return rcpt_get(&s->arena, &s->rcpts, &s->nrcpts, &s->caprcpts,
	    &s->rcpt_idx, addr);
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
	struct arena *a;
	struct failure *f = NULL;

	if (s->nfails) {
		struct failure *l = &s->fails[s->nfails - 1];

		/* one from a transcript reply, one from a pattern */
		if (l->seq > last_cmd_seq && l->phase == ph &&
		    (m == NULL || l->pattern == NULL) &&
		    (!l->reply || !reply.p || sv_eq(reply, l->reply)))
			f = l;
	}
	if (f == NULL && s->nfails >= SESSION_MAX_FAILS) {
		/* full: the latest failure takes the last slot, the one it
		 * held is counted (correlate.h) */
		struct omitted *o = corr_omitted(s);

		f = &s->fails[s->nfails - 1];
		if (!f->explains)
			o->fails[f->phase + 1][f->kind]++;
		arena_release(&o->arena);
		memset(f, 0, sizeof(*f));
		f->phase = ph;
		f->kind = k;
		f->seq = ++c->seq;
	} else if (f == NULL) {
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
	a = s->nfails >= SESSION_MAX_FAILS && s->omitted ?
	    &s->omitted->arena : &s->arena;
	if (!f->reply)
		f->reply = corr_dup(a, reply);
	if (!f->enhanced)
		f->enhanced = corr_dup(a, enh);
	if (text.p && (!f->text || (m && m->pat))) {
		f->text = corr_dup(a, text);
		f->client_text = m && m->pat && pattern_client_text(m->pat);
	}
	if (m) {
		if (m->pat) {
			f->pattern = pattern_name(m->pat);
			f->explains |= pattern_explains(m->pat);
		}
		if (!f->cause)
			f->cause = corr_dup(a, m->f[F_CAUSE]);
		if (!f->command)
			f->command = corr_dup(a, m->f[F_COMMAND]);
		if (!f->recipient)
			f->recipient = corr_dup(a, m->f[F_RECIPIENT]);
	}
	corr_advance(s, ph);
}

/* A command list, "EHLO,STARTTLS,AUTH,QUIT" (items: commands): how far
 * the session got, its last command's phase, and whether it ended with
 * QUIT. */
static void
read_commands(struct session *s, const struct stage_words *sw, char sep,
    struct strview v)
{
	struct strview w;

	while (evidence_next_item(&v, sep, &w)) {
		enum phase ph = phase_of_stage(sw, w.p, w.len);

		if (ph != PHASE_NONE) {
			s->listed_phase = ph;
			corr_advance(s, ph);
		}
		if (sv_eq_nocase(w, "QUIT", 4))
			s->clean_quit = true;
	}
}

/*
 * The server's counters, "ehlo=1 mail=1 rcpt=0/1 data=0/1 quit=1
 * commands=3/5" (items: counts), read once: how far the session got,
 * the messages and recipients accepted, and whether QUIT ended it. Then
 * the third rung of doc/verdicts.md: a failure whose line named no stage
 * ("too many errors after UNKNOWN") takes the phase they show, and a
 * command they count as failed with no failure of its own in that phase
 * ("mail=0/1" after a silent 530) becomes one.
 */
static void
apply_counters(struct correlator *c, struct session *s,
    const struct stats_format *sf, const struct stage_words *sw,
    struct strview v)
{
	struct counted k;
	enum phase p;
	bool have = false;

	if (c->counters == NULL)
		c->counters = evidence_memo_new();
	evidence_counters_memo(c->counters, sf, sw, v, &k);
	corr_advance(s, k.tried);
	if (k.quit)
		s->clean_quit = true;
	if (k.rcpt_seen)
		s->stats_rcpt_ok = k.rcpt_ok;
	s->stats_accepted = k.accepted;
	p = k.failed != PHASE_NONE ? k.failed : k.done;
	for (size_t i = 0; i < s->nfails; i++) {
		struct failure *f = &s->fails[i];

		if (f->phase_guessed && p != PHASE_NONE) {
			f->phase = p;
			f->phase_guessed = false;
		}
		if (f->phase == k.failed)
			have = true;
	}
	if (k.failed != PHASE_NONE && !have)
		add_failure(c, s, NULL, k.failed, k.kind, (struct strview){0},
		    (struct strview){0}, k.word, s->last_cmd_seq);
}

static struct conv *
add_conv(struct session *s, bool reply, struct strview text, uint32_t file,
    uint32_t line)
{
	struct conv *cv;

	if (s->nconv >= SESSION_MAX_CONV) {
		/* full: the caller fills a scratch entry, not kept */
		static struct conv scratch;

		corr_omitted(s)->conv++;
		memset(&scratch, 0, sizeof(scratch));
		return &scratch;
	}
	grow_array((void **)&s->conv, &s->capconv, s->nconv + 1,
	    sizeof(*s->conv));
	cv = &s->conv[s->nconv++];
	cv->reply = reply;
	cv->text = corr_dup(&s->arena, text);
	cv->file = file;
	cv->line = line;
	cv->cont = false;
	return cv;
}

/* Which phase a failure line names: its phase field, else its stage;
 * *cmd: the stage's, when read (else PHASE_NONE). */
static enum phase
phase_from(const struct session *s, const struct match *m, enum phase *cmd)
{
	enum phase p = PHASE_NONE;

	*cmd = PHASE_NONE;
	if (m->f[F_PHASE].p)
		p = phase_by_name(m->f[F_PHASE].p, m->f[F_PHASE].len);
	if (p == PHASE_NONE && m->f[F_COMMAND].p)
		p = *cmd = phase_of_stage(pattern_set_stages(m->set),
		    m->f[F_COMMAND].p, m->f[F_COMMAND].len);
	if (p == PHASE_NONE)
		p = s->reached == PHASE_NONE ? PHASE_PREGREETING : s->reached;
	return p;
}

/* The end line: its counters, and a drop when it needs QUIT. */
static void
apply_disconnect(struct correlator *c, struct session *s,
    const struct match *m)
{
	const struct stats_format *sf = pattern_stats(m->pat);

	if (sf && m->f[sf->field].p) {
		const struct stage_words *sw = pattern_set_stages(m->set);
		struct strview v = m->f[sf->field];

		if (sf->items == STATS_COMMANDS)
			read_commands(s, sw, sf->sep, v);
		else
			apply_counters(c, s, sf, sw, v);
	}
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
}

/* A command of the transcript. */
static void
apply_command(struct correlator *c, struct session *s,
    const struct match *m, uint32_t file, uint32_t line)
{
	struct arena *a = &s->arena;
	enum phase p;
	struct buf b = BUF_INIT;

	buf_add(&b, m->f[F_COMMAND].p ? m->f[F_COMMAND].p : "",
	    m->f[F_COMMAND].len);
	if (m->f[F_ARG].p && m->f[F_ARG].len) {
		buf_addc(&b, ' ');
		buf_add(&b, m->f[F_ARG].p, m->f[F_ARG].len);
	}
	add_conv(s, false, (struct strview){b.s, b.len},
	    file, line);
	p = transcript_command(corr_tx(s), (uint32_t)(s->nconv - 1),
	    b.s, b.len);
	buf_release(&b);
	if (p == PHASE_HELO && m->f[F_ARG].p && !m->f[F_HELO].p)
		corr_keep(a, &s->helo, m->f[F_ARG]);
	if (sv_eq_nocase(m->f[F_COMMAND], "QUIT", 4))
		s->clean_quit = true;
	s->last_cmd_seq = ++c->seq;
	s->last_cmd_phase = p;
	corr_advance(s, p);
}

/* A reply of the transcript: the command it answers (transcript.h) gives
 * its phase. */
static void
apply_reply(struct correlator *c, struct session *s,
    const struct match *m, uint32_t file, uint32_t line)
{
	struct strview r = m->f[F_REPLY];
	struct buf b = BUF_INIT;
	struct tx_reply tr;
	enum phase rp;
	bool unpaired;	/* no command of the log waits for it */
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
	add_conv(s, true, (struct strview){b.s, b.len},
	    file, line)->cont = cont;
	buf_release(&b);
	if (r.p == NULL || r.len != 3)
		return;
	transcript_reply(corr_tx(s), r.p, cont, &tr);
	if (r.p[0] == '2' && !cont && tr.phase == PHASE_RCPT &&
	    !tr.message)
		s->rcpt_ok++;
	if (r.p[0] == '2' && !cont && tr.message)
		s->data_ok++;
	/* a code that answers one command names its phase, also
	 * where the command is missing from an excerpt */
	unpaired = tr.answers == TX_UNSOLICITED ||
	    tr.answers == TX_GREETING;
	rp = evidence_reply_phase(r, unpaired && s->last_cmd_seq == 0);
	if (unpaired || tr.phase == PHASE_NONE)
		corr_advance(s, rp);
	else
		rp = PHASE_NONE;
	if (r.p[0] == '4' || r.p[0] == '5') {
		/* the phase of the command it answers; an
		 * unsolicited one: of the last command seen */
		enum phase p = tr.answers != TX_UNSOLICITED ?
		    tr.phase : s->last_cmd_seq ? s->last_cmd_phase :
		    PHASE_PREGREETING;
		enum phase was = s->reached;

		if (p == PHASE_NONE)
			p = s->reached == PHASE_NONE ?
			    PHASE_PREGREETING : s->reached;
		if (rp != PHASE_NONE)
			p = rp;
		add_failure(c, s, NULL, p, corr_kind_of(m, p, r), r,
		    m->f[F_ENHANCED], m->f[F_TEXT], s->last_cmd_seq);
		/* no command and no code that names one: the phase
		 * is a guess, and no evidence of how far it got */
		if (s->last_cmd_seq == 0 && rp == PHASE_NONE) {
			s->fails[s->nfails - 1].phase_guessed = true;
			s->reached = was;
		}
	}
}

/* A failure line: its phase, kind and refused recipient. */
static void
apply_fail(struct correlator *c, struct session *s,
    const struct match *m)
{
	struct arena *a = &s->arena;
	enum phase cmd;
	enum phase p = phase_from(s, m, &cmd);
	enum kind k = corr_kind_of(m, p, m->f[F_REPLY]);

	add_failure(c, s, m, p, k, m->f[F_REPLY], m->f[F_ENHANCED],
	    m->f[F_TEXT].p ? m->f[F_TEXT] : m->f[F_REASON],
	    s->last_cmd_seq);
	/* no phase field: cmd is the command's phase, if it has one */
	if (!m->f[F_PHASE].p && cmd == PHASE_NONE && s->last_cmd_seq == 0)
		s->fails[s->nfails - 1].phase_guessed = true;
	if (p == PHASE_RCPT && m->f[F_RECIPIENT].p &&
	    s->dir == DIR_INBOUND) {
		struct rcpt *r = refused_rcpt(s, m->f[F_RECIPIENT]);

		if (r == NULL)
			return;	/* past the cap: counted */
		r->status = k == KIND_TEMPFAIL ? RS_TEMPFAIL :
		    RS_REJECTED;
		r->phase = PHASE_RCPT;
		r->kind = k;
		r->reply = corr_dup(a, m->f[F_REPLY]);
		r->enhanced = corr_dup(a, m->f[F_ENHANCED]);
		r->text = corr_dup(a, m->f[F_TEXT]);
	}
}

/*
 * The message arrived through the session whose line named
 * orig_queue (Exchange: the tracking log's RECEIVE row and
 * the protocol log's "receiving message"). Whichever line
 * comes first, that session gets the message, and this one,
 * a view of the same arrival, is folded into it.
 */
static void
apply_accept(struct correlator *c, struct session *s,
    const struct match *m)
{
	if (m->f[F_ORIG_QUEUE].p && m->f[F_ORIG_QUEUE].len) {
		int qf = pattern_set_message_field(m->set);
		struct message *from = msg_get(c, m->f[F_HOST],
		    m->f[F_ORIG_QUEUE], true);
		struct message *to = qf >= 0 && m->f[qf].p ?
		    msg_get(c, m->f[F_HOST], m->f[qf], true) : NULL;

		if (to && to->owner == NULL && from->owner != NULL) {
			msg_link_forward(c, from, to, s);
		} else if (to && to->owner == NULL) {
			/* the session comes later: own it till then */
			from->forwarded = true;
			from->next_hop = to;
			to->hop_target = true;
			to->owner = s;
			to->owned = true;
			msg_attach(s, to);
		}
	}
}

/* A transaction line naming the message it re-injects. */
static void
apply_transaction(struct correlator *c, struct session *s,
    const struct match *m)
{
	if (m->f[F_ORIG_QUEUE].p) {
		struct message *from = msg_get(c, m->f[F_HOST],
		    m->f[F_ORIG_QUEUE], false);
		int qf = pattern_set_message_field(m->set);
		struct message *to = qf >= 0 && m->f[qf].p ?
		    msg_get(c, m->f[F_HOST], m->f[qf], true) : NULL;

		if (from && to)
			msg_link_forward(c, from, to, s);
	}
}

void
corr_apply_session(struct correlator *c, struct session *s,
    const struct match *m, uint32_t file, uint32_t line, struct strview text)
{
	enum phase reach = pattern_reaches(m->pat);

	corr_harvest(s, m);
	/* a HOLD or DISCARD action (pattern files map them to these words)
	 * on the session's transaction, logged by the session itself */
	if (sv_eq(m->f[F_ACTION], "held"))
		s->nhold++;
	else if (sv_eq(m->f[F_ACTION], "discarded"))
		s->ndiscard++;
	corr_advance(s, reach);
	switch (pattern_event(m->pat)) {
	case EV_CONNECT:
		s->seen_start = true;
		break;
	case EV_DISCONNECT:
		apply_disconnect(c, s, m);
		break;
	case EV_COMMAND:
		apply_command(c, s, m, file, line);
		break;
	case EV_REPLY:
		apply_reply(c, s, m, file, line);
		break;
	case EV_FAIL:
		apply_fail(c, s, m);
		break;
	case EV_ACCEPT:
		apply_accept(c, s, m);
		break;
	case EV_TRANSACTION:
		apply_transaction(c, s, m);
		break;
	default:
		break;
	}
	(void)text;
}
