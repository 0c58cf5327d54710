/*
 * evidence - two rungs of the order in which a log's evidence decides
 * where a session failed (doc/verdicts.md): the reply code that belongs
 * to one command, and the server's per-command counters at the end of a
 * session ("ehlo=1 mail=0/1 quit=1 commands=2/3").
 *
 * Why a module: a refusal line names its stage; these two do not, and
 * the rules that turn them into a phase are SMTP knowledge (RFC 5321,
 * RFC 4954), the same for every server. The correlator applies them.
 */
#ifndef SLA_EVIDENCE_H
#define SLA_EVIDENCE_H

#include <stdbool.h>

#include "pattern.h"
#include "session.h"
#include "util.h"

/*
 * The phase a reply code names on its own: 334, 235, 534, 535 and 538
 * answer only AUTH (RFC 4954), 354 only DATA. When the command it
 * answers is missing from the log ("alone"), 530 is taken for AUTH and
 * 220 for the greeting as well. PHASE_NONE when the code names none.
 */
enum phase evidence_reply_phase(struct strview reply, bool alone);

/* What the counters of one session say. */
struct counted {
	enum phase failed;	/* the command counted as failed, or NONE */
	enum kind kind;		/* its kind: auth, tls, protocol, rejected */
	struct strview word;	/* its counter, "mail=0/1" */
	enum phase done;	/* the furthest phase a command succeeded in */
	/* and what the correlator takes of every counter, read in the same
	 * pass: the furthest phase a command was tried in (NONE: none),
	 * the successes of DATA and BDAT (each cast to int, then summed),
	 * the successes of the last RCPT counter (when rcpt_seen), and
	 * whether QUIT succeeded */
	enum phase tried;
	int accepted;
	int rcpt_ok;
	bool rcpt_seen;
	bool quit;
};

/*
 * The next item of a list of items separated by runs of sep, from *rest
 * (which moves past it) into *item; false when none is left. Inline: the
 * counters or command list of every session end are read item by item
 * (here and in correlate_apply.c), 230,000 calls in 300,000 lines.
 */
static inline bool
evidence_next_item(struct strview *rest, char sep, struct strview *item)
{
	const char *p = rest->p, *end = rest->p + rest->len, *w;

	while (p < end && *p == sep)
		p++;
	if (p == end) {
		*rest = (struct strview){end, 0};
		return false;
	}
	w = p;
	while (p < end && *p != sep)
		p++;
	*item = (struct strview){w, (size_t)(p - w)};
	*rest = (struct strview){p, (size_t)(end - p)};
	return true;
}

/*
 * Read the "name=ok[/total]" counters of stats (items: counts of sf;
 * nothing for another format), naming phases by sw's words and the SMTP
 * commands' (phase_of_stage()), each counter once. The failed command is
 * the earliest,
 * in SMTP order, whose failure nothing later undid: a failed EHLO is
 * undone by a HELO, a MAIL or anything after it that succeeded, but a
 * refused RCPT stays refused whatever followed (some recipients may be
 * accepted). The count of unknown commands (sf's 'unknown'), when some
 * failed, is a protocol error in the furthest phase reached, unless a
 * message was accepted. The failure is judged on the first 32 counters;
 * tried, accepted, rcpt_ok and quit on all of them.
 */
void evidence_counters(const struct stats_format *sf,
    const struct stage_words *sw, struct strview stats, struct counted *out);

/*
 * A memo of evidence_counters(): a server ends most sessions with one of
 * a few counter lists ("ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5"),
 * and reading one costs some 1,800 instructions where finding it again
 * costs a hash and a compare. A fixed table of the lists last read, each
 * in its slot by hash_bytes(): lists chosen to share a slot only make
 * each other miss, and a miss costs what reading did before.
 */
struct evidence_memo;

struct evidence_memo *evidence_memo_new(void);
void evidence_memo_free(struct evidence_memo *);
/* evidence_counters(sf, sw, stats, out), from memo when it has them
 * (out->word points into stats, as evidence_counters()'s does). */
void evidence_counters_memo(struct evidence_memo *memo,
    const struct stats_format *sf, const struct stage_words *sw,
    struct strview stats, struct counted *out);

#endif
