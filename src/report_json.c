/*
 * report_json - one JSON object per session, one per line (design.md §5).
 *
 * The keys are a contract; new keys may be added, none renamed. The
 * object is written through json.h, which places the commas and escapes
 * every string, so each line is valid JSON whatever bytes the log held.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "json.h"
#include "report.h"
#include "seqcheck.h"

/*
 * The meaning of a reply and enhanced code (codes_gist()), kept for each
 * pair met, up to GISTS of them: a log has few pairs, and the text kept
 * lives as long as the reporter, as JSON_KEY_MEMO() needs.
 */
#define GISTS 128	/* slots, a power of two; half of them are used */
struct gist {
	bool set;
	bool has_reply, has_enh;
	char reply[4], enh[16];
	char *text;	/* NULL: no meaning */
};

/*
 * The members after a verdict's cause ("meaning", "hint",
 * "remote_phase", "reached") as written for what they are made of: the
 * reply and enhanced code (the meaning), whether the session failed, its
 * server, phase and cause (the hint), and the two phases. Found again,
 * they are copied in one piece, where finding the meaning and the hint
 * and writing four members cost some 400 instructions a session. Parts
 * too long to keep are not memoised.
 */
#define TAILS 256	/* slots, a power of two */
struct tail {
	char *text;	/* NULL: empty */
	size_t len;
	const char *mta;	/* a pattern set's name: kept as long */
	int phase, remote_phase, reached;
	bool failing, has_reply, has_enh, has_cause;
	char reply[8], enh[24], cause[64];
};

struct json_reporter {
	struct reporter r;
	struct buf b;
	struct buf label;	/* "session": kept for its memory */
	struct json_memo memo;	/* members of names, hints and files */
	/* the text to its minute of the last start and of the last end:
	 * sessions end in order, but one may have begun long before */
	struct ts_cache tsc[2];
	struct lineref *lines;	/* a session's, kept for its memory */
	size_t lines_cap;
	struct gist gists[GISTS];
	size_t ngists;
	struct tail tails[TAILS];
};

/*
 * What JSON_KEY_MEMO() is given lives as long as the reporter: the names
 * of vocab.h's tables, the hints of the codes, the run's file names, a
 * pattern set's server name. Every other string is a session's and goes
 * through JSON_KEY_STR().
 */
static void
rcpt_json(struct json *j, struct json_memo *m, const struct rcpt *r)
{
	bool settled = r->status == RS_DELIVERED || r->status == RS_ACCEPTED;

	json_begin_object(j);
	JSON_KEY_STR(j, "address", r->address);
	if (r->orig)
		JSON_KEY_STR(j, "original", r->orig);
	JSON_KEY_MEMO(j, "status", m, rstatus_name(r->status));
	JSON_KEY_MEMO(j, "phase", m, settled ? NULL : phase_name(r->phase));
	if (r->remote_phase != PHASE_NONE)
		JSON_KEY_MEMO(j, "remote_phase", m,
		    phase_name(r->remote_phase));
	JSON_KEY_STR(j, "reply", r->reply);
	JSON_KEY_STR(j, "enhanced", r->enhanced);
	JSON_KEY_STR(j, "text", r->text);
	if (r->relay)
		JSON_KEY_STR(j, "relay", r->relay);
	json_end(j);
}

struct seq_json {
	struct json *j;
	struct json_memo *m;
	const char *const *files;
};

static void
seq_json_one(const struct seq_note *n, void *arg)
{
	struct seq_json *sj = arg;
	struct json *j = sj->j;

	json_begin_object(j);
	JSON_KEY_MEMO(j, "finding", sj->m, seq_finding_name(n->what));
	JSON_KEY_MEMO(j, "file", sj->m, sj->files[n->at->file]);
	JSON_KEY_INT(j, "line", n->at->line);
	json_key_str(j, n->at->reply ? "reply" : "command", n->at->text);
	JSON_KEY_STR(j, "in_reply_to", n->command);
	json_end(j);
}

/* "client":{...} and, outbound, "relay" */
static void
json_client(struct json *j, const struct session *s)
{
	JSON_KEY(j, "client");
	json_begin_object(j);
	JSON_KEY_STR(j, "ip", s->client_ip);
	JSON_KEY_STR(j, "name", s->client_name);
	JSON_KEY_STR(j, "port", s->client_port);
	JSON_KEY_STR(j, "helo", s->helo);
	if (s->sasl_user)
		JSON_KEY_STR(j, "sasl_username", s->sasl_user);
	json_end(j);
	if (s->dir == DIR_OUTBOUND)
		JSON_KEY_STR(j, "relay", s->relay);
}

/* "ids":{"pid", "session_id", "queue":[...], "message_id"} */
static void
json_ids(struct json *j, const struct session *s)
{
	const char *message_id = NULL;
	const struct message *m;
	size_t i = 0;

	JSON_KEY(j, "ids");
	json_begin_object(j);
	JSON_KEY_STR(j, "pid", s->pid);
	if (s->session_id)
		JSON_KEY_STR(j, "session_id", s->session_id);
	JSON_KEY(j, "queue");
	json_begin_array(j);
	if (s->queue)
		json_str(j, s->queue);
	while ((m = session_message(s, &i, SESSION_OWNED)) != NULL) {
		json_str(j, m->queue);
		if (!message_id && m->message_id)
			message_id = m->message_id;
	}
	json_end(j);
	JSON_KEY_STR(j, "message_id", message_id);
	json_end(j);
}

/* "recipients":[...]: the session's view (session_rcpt()) */
static void
json_recipients(struct json *j, struct json_memo *m,
    const struct session *s)
{
	struct session_iter it = SESSION_ITER_INIT;
	const struct rcpt *r;

	JSON_KEY(j, "recipients");
	json_begin_array(j);
	while ((r = session_rcpt(s, &it)) != NULL)
		rcpt_json(j, m, r);
	json_end(j);
}

/* Whether slot g holds the pair reply, enhanced. */
static bool
gist_is(const struct gist *g, const char *reply, const char *enh)
{
	return g->has_reply == (reply != NULL) && g->has_enh == (enh != NULL) &&
	    (!reply || strcmp(g->reply, reply) == 0) &&
	    (!enh || strcmp(g->enh, enh) == 0);
}

/*
 * codes_gist() of reply and enh, from the pairs met before; into g (and
 * false: not kept) for a pair too long to keep or when the table is half
 * full.
 */
static bool
json_gist(struct json_reporter *jr, const char *reply, const char *enh,
    char g[160], const char **text)
{
	size_t h = 5381, lr = reply ? strlen(reply) : 0;
	size_t le = enh ? strlen(enh) : 0;
	struct gist *e;

	if (lr >= sizeof(e->reply) || le >= sizeof(e->enh)) {
		*text = codes_gist(jr->r.codes, reply, enh, g, 160);
		return false;
	}
	for (size_t i = 0; i < lr; i++)
		h = h * 33 + (unsigned char)reply[i];
	for (size_t i = 0; i < le; i++)
		h = h * 33 + (unsigned char)enh[i];
	h = h * 4 + (reply != NULL) * 2 + (enh != NULL);
	for (;;) {
		e = &jr->gists[h % GISTS];
		if (!e->set || gist_is(e, reply, enh))
			break;
		h++;
	}
	if (e->set) {
		*text = e->text;
		return true;
	}
	*text = codes_gist(jr->r.codes, reply, enh, g, 160);
	if (jr->ngists >= GISTS / 2)
		return false;
	jr->ngists++;
	e->set = true;
	e->has_reply = reply != NULL;
	e->has_enh = enh != NULL;
	memcpy(e->reply, reply ? reply : "", lr + 1);
	memcpy(e->enh, enh ? enh : "", le + 1);
	e->text = *text ? xstrdup(*text) : NULL;
	*text = e->text;
	return true;
}

/* s (NULL: 0) as a number, for a memo's slot */
static uint64_t
part_mix(const char *s)
{
	return s == NULL ? 0 : hash_ends(s, strlen(s)) | 1;
}

/* The slot of the members after the cause of s's verdict. */
static struct tail *
tail_slot(struct json_reporter *jr, const struct session *s, bool failing)
{
	const struct verdict *v = &s->v;
	uint64_t h = (uint64_t)v->phase * 131 + (uint64_t)v->remote_phase *
	    17 + (uint64_t)v->reached * 5 + failing;

	h = h * 0xff51afd7ed558ccdull ^ part_mix(v->cause);
	h = h * 0xff51afd7ed558ccdull ^ part_mix(v->reply);
	h = h * 0xff51afd7ed558ccdull ^ part_mix(v->enhanced);
	h *= 0xc4ceb9fe1a85ec53ull;
	return &jr->tails[(h >> 40) & (TAILS - 1)];
}

/* Whether t holds the members after the cause of s's verdict. */
static bool
tail_is(const struct tail *t, const struct session *s, bool failing)
{
	const struct verdict *v = &s->v;

	return t->text && t->failing == failing && t->mta == s->mta &&
	    t->phase == (int)v->phase &&
	    t->remote_phase == (int)v->remote_phase &&
	    t->reached == (int)v->reached &&
	    str_kept_is(t->reply, t->has_reply, v->reply) &&
	    str_kept_is(t->enh, t->has_enh, v->enhanced) &&
	    str_kept_is(t->cause, t->has_cause, v->cause);
}

/* Keep in t the len bytes at text, the members after s's cause. */
static void
tail_keep(struct tail *t, const struct session *s, bool failing,
    const char *text, size_t len)
{
	const struct verdict *v = &s->v;

	free(t->text);
	t->text = NULL;
	if (len == 0 || text[0] != ',' ||
	    !str_keep(t->reply, sizeof(t->reply), &t->has_reply, v->reply) ||
	    !str_keep(t->enh, sizeof(t->enh), &t->has_enh, v->enhanced) ||
	    !str_keep(t->cause, sizeof(t->cause), &t->has_cause, v->cause))
		return;
	t->mta = s->mta;
	t->failing = failing;
	t->phase = (int)v->phase;
	t->remote_phase = (int)v->remote_phase;
	t->reached = (int)v->reached;
	t->len = len;
	t->text = xstrndup(text, len);
}

/* "meaning", "hint", "remote_phase" and "reached" */
static void
json_tail(struct json_reporter *jr, struct json *j, const struct session *s)
{
	const struct verdict *v = &s->v;
	bool failing = v->status == STATUS_FAILED ||
	    v->status == STATUS_PARTIAL;
	struct tail *t = tail_slot(jr, s, failing);
	size_t at = j->out->len;
	char g[160];
	const char *meaning;

	if (tail_is(t, s, failing) && json_put_members(j, t->text, t->len))
		return;
	if (json_gist(jr, v->reply, v->enhanced, g, &meaning))
		JSON_KEY_MEMO(j, "meaning", &jr->memo, meaning);
	else
		JSON_KEY_STR(j, "meaning", meaning);
	JSON_KEY_MEMO(j, "hint", &jr->memo, failing ? codes_hint_mta(
	    jr->r.codes, s->mta, v->phase, v->cause) : NULL);
	JSON_KEY_MEMO(j, "remote_phase", &jr->memo,
	    phase_name(v->remote_phase));
	JSON_KEY_MEMO(j, "reached", &jr->memo, phase_name(v->reached));
	if (json_ok(j))
		tail_keep(t, s, failing, j->out->s + at, j->out->len - at);
}

/* the verdict's keys, the hint and the RFC 5321 findings */
static void
json_verdict(struct json_reporter *jr, struct json *j,
    const struct session *s)
{
	const struct reporter *rep = &jr->r;
	const struct verdict *v = &s->v;
	struct seq_json sj = {j, &jr->memo, rep->files};

	JSON_KEY_MEMO(j, "status", &jr->memo, status_name(v->status));
	/* a literal of classify.c's */
	JSON_KEY_MEMO(j, "outcome", &jr->memo, v->outcome);
	JSON_KEY_MEMO(j, "phase", &jr->memo, phase_name(v->phase));
	JSON_KEY_MEMO(j, "kind", &jr->memo, kind_name(v->kind));
	JSON_KEY_STR(j, "reply", v->reply);
	JSON_KEY_STR(j, "enhanced", v->enhanced);
	JSON_KEY_STR(j, "text", v->text);
	JSON_KEY_STR(j, "cause", v->cause);
	json_tail(jr, j, s);
	JSON_KEY(j, "sequence");
	json_begin_array(j);
	seqcheck(s, rep->codes, seq_json_one, &sj);
	json_end(j);
	if (s->screened) {
		JSON_KEY(j, "screened");
		json_bool(j, true);
	}
}

/* "file", "lines" in it, and "more_lines" in later files of the set,
 * from lines sorted by file and line, without copies */
static void
json_lines_put(struct json_reporter *jr, struct json *j,
    const struct lineref *lines, size_t nl)
{
	const struct reporter *rep = &jr->r;
	size_t later = 0;

	JSON_KEY_MEMO(j, "file", &jr->memo, nl ? rep->files[lines[0].file] :
	    NULL);
	JSON_KEY(j, "lines");
	json_begin_array(j);
	for (size_t i = 0; i < nl; i++) {
		if (lines[i].file == lines[0].file)
			json_uint(j, lines[i].line);
		else
			later++;
	}
	json_end(j);
	if (later) {
		/* lines in later files of a rotated set */
		JSON_KEY(j, "more_lines");
		json_begin_array(j);
		for (size_t i = 0; i < nl; i++) {
			if (lines[i].file == lines[0].file)
				continue;
			json_begin_object(j);
			JSON_KEY_STR(j, "file", rep->files[lines[i].file]);
			JSON_KEY_INT(j, "line", lines[i].line);
			json_end(j);
		}
		json_end(j);
	}
}

/*
 * A session's lists of lines (its own, then its messages'), each in log
 * order, merged as they are read: what session_lines() gives, without
 * the copies and the sort that cost some 300 instructions a session.
 */
#define LINE_LISTS 8
struct line_merge {
	const struct lineref *v[LINE_LISTS];
	size_t n[LINE_LISTS], at[LINE_LISTS], k;
	uint64_t last;	/* file and line of the last given */
	bool any;
};

static uint64_t
line_key(const struct lineref *l)
{
	return (uint64_t)l->file << 32 | l->line;
}

/* Whether the n lines at v are sorted by file and line. */
static bool
lines_sorted(const struct lineref *v, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (line_key(&v[i]) < line_key(&v[i - 1]))
			return false;
	return true;
}

/* Take s's lists into mg; false when one is not sorted or too many. */
static bool
line_merge_init(struct line_merge *mg, const struct session *s)
{
	const struct message *m;
	size_t i = 0;

	mg->k = 0;
	mg->any = false;
	if (s->nlines) {
		mg->v[0] = s->lines;
		mg->n[0] = s->nlines;
		mg->k = 1;
	}
	while ((m = session_message(s, &i, SESSION_OWNED)) != NULL) {
		if (m->nlines == 0)
			continue;
		if (mg->k == LINE_LISTS)
			return false;
		mg->v[mg->k] = m->lines;
		mg->n[mg->k++] = m->nlines;
	}
	for (size_t l = 0; l < mg->k; l++) {
		if (!lines_sorted(mg->v[l], mg->n[l]))
			return false;
		mg->at[l] = 0;
	}
	return true;
}

/* The next line of the merge, a line given already skipped; NULL at the
 * end. */
static inline const struct lineref *
line_merge_next(struct line_merge *mg)
{
	for (;;) {
		size_t best = mg->k;
		uint64_t key = 0;
		const struct lineref *r;

		if (mg->k == 1) {	/* the session's own lines alone */
			if (mg->at[0] == mg->n[0])
				return NULL;
			best = 0;
			key = line_key(&mg->v[0][mg->at[0]]);
		}
		for (size_t l = 0; l < mg->k && mg->k > 1; l++) {
			uint64_t x;

			if (mg->at[l] == mg->n[l])
				continue;
			x = line_key(&mg->v[l][mg->at[l]]);
			if (best == mg->k || x < key) {
				best = l;
				key = x;
			}
		}
		if (best == mg->k)
			return NULL;
		r = &mg->v[best][mg->at[best]++];
		if (mg->any && key == mg->last)
			continue;
		mg->any = true;
		mg->last = key;
		return r;
	}
}

/* json_lines_put() of the merge: the first file's lines, then the rest */
static void
json_lines(struct json_reporter *jr, struct json *j,
    const struct session *s)
{
	const struct reporter *rep = &jr->r;
	struct line_merge mg;
	const struct lineref *first, *l;

	if (!line_merge_init(&mg, s)) {
		size_t nl = session_lines_buf(s, &jr->lines, &jr->lines_cap);

		json_lines_put(jr, j, jr->lines, nl);
		return;
	}
	if ((first = line_merge_next(&mg)) == NULL) {
		json_lines_put(jr, j, NULL, 0);
		return;
	}
	JSON_KEY_MEMO(j, "file", &jr->memo, rep->files[first->file]);
	JSON_KEY(j, "lines");
	json_begin_array(j);
	json_uint(j, first->line);
	while ((l = line_merge_next(&mg)) != NULL && l->file == first->file)
		json_uint(j, l->line);
	json_end(j);
	if (l == NULL)
		return;
	/* lines in later files of a rotated set */
	JSON_KEY(j, "more_lines");
	json_begin_array(j);
	do {
		json_begin_object(j);
		JSON_KEY_STR(j, "file", rep->files[l->file]);
		JSON_KEY_INT(j, "line", l->line);
		json_end(j);
	} while ((l = line_merge_next(&mg)) != NULL);
	json_end(j);
}

/*
 * "omitted": how many refused recipients and lines the session's lists
 * leave out past its caps (correlate.h), so that a consumer knows the
 * lists are incomplete. Only when something was left out, as "screened"
 * only when true: the keys of design.md's example are always there, the
 * marks of a rare case only with it (a store reads a missing count as 0).
 */
static void
json_omitted(struct json *j, const struct omitted *o)
{
	if (o == NULL || (o->rcpts == 0 && o->lines == 0))
		return;
	JSON_KEY(j, "omitted");
	json_begin_object(j);
	JSON_KEY_INT(j, "recipients", (long long)o->rcpts);
	JSON_KEY_INT(j, "lines", (long long)o->lines);
	json_end(j);
}

/*
 * Whether a and b are the same stamp, field by field, so that their text
 * is the same: a session of one second in a log without fractions (most
 * of a Postfix log's) ends when it starts.
 */
static bool
ts_same(const struct ts *a, const struct ts *b)
{
	return a->us == b->us && a->off == b->off && a->flags == b->flags &&
	    a->frac == b->frac;
}

/*
 * The sessions' lines are written out JSON_BATCH bytes or more at a time
 * when the reporter may hold them back (reporter.batch): an fwrite() of
 * each session's line, copied into the stream's buffer, cost some 300
 * instructions a session.
 */
#define JSON_BATCH 32768

/*
 * The reporter whose lines are held back, and how many bytes of whole
 * lines it holds: if the run exits on a fatal error (out of memory, a
 * damaged temporary file), json_write_held() writes them from atexit(),
 * before stdio flushes its streams, so that no session already reported
 * is lost.
 */
static struct json_reporter *held;
static size_t held_len;

static void
json_write_held(void)
{
	if (held != NULL && held_len > 0)
		fwrite(held->b.s, 1, held_len, held->r.out);
	held = NULL;
	held_len = 0;
}

static void
json_hold(struct json_reporter *jr)
{
	static bool registered;

	if (!registered)
		registered = atexit(json_write_held) == 0;
	held = jr;
	held_len = jr->b.len;
}

static void
json_write(struct json_reporter *jr)
{
	if (jr->b.len)
		fwrite(jr->b.s, 1, jr->b.len, jr->r.out);
	buf_reset(&jr->b);
	if (held == jr)
		held_len = 0;
}

static void
json_session(struct reporter *rep, const struct session *s)
{
	struct json_reporter *jr = (struct json_reporter *)rep;
	struct json j;
	char t1[TS_BUFSZ], t2[TS_BUFSZ];

	json_init(&j, &jr->b);
	json_begin_object(&j);
	JSON_KEY_MEMO(&j, "mta", &jr->memo, s->mta);
	JSON_KEY_STR(&j, "host", s->host);
	/* label@start; start is "" when unset, as it was with "%s@%s" */
	ts_format_cached(&jr->tsc[0], &s->start, t1);
	buf_reset(&jr->label);
	buf_adds(&jr->label, s->label);
	buf_addc(&jr->label, '@');
	buf_adds(&jr->label, t1);
	JSON_KEY_STR(&j, "session", jr->label.s);
	JSON_KEY_MEMO(&j, "direction", &jr->memo, s->dir == DIR_OUTBOUND ?
	    "outbound" : "inbound");
	JSON_KEY_STR(&j, "start", (s->start.flags & TS_SET) ? t1 : NULL);
	JSON_KEY_STR(&j, "end", !(s->end.flags & TS_SET) ? NULL :
	    ts_same(&s->end, &s->start) ? t1 :
	    ts_format_cached(&jr->tsc[1], &s->end, t2));
	json_client(&j, s);
	json_ids(&j, s);
	JSON_KEY_STR(&j, "sender", session_sender(s));
	json_recipients(&j, &jr->memo, s);
	json_verdict(jr, &j, s);
	json_lines(jr, &j, s);
	json_omitted(&j, s->omitted);
	json_end(&j);
	if (!json_ok(&j))
		diag_fatal("internal error: the JSON of a session is not "
		    "well formed");
	buf_addc(&jr->b, '\n');
	if (!rep->batch || jr->b.len >= JSON_BATCH)
		json_write(jr);
	else
		json_hold(jr);
}

static void
json_finish(struct reporter *rep, const struct run_info *ri)
{
	(void)ri;
	json_write((struct json_reporter *)rep);
	fflush(rep->out);
}

static void
json_free(struct reporter *rep)
{
	struct json_reporter *jr = (struct json_reporter *)rep;

	json_write(jr);
	if (held == jr)
		held = NULL;
	buf_release(&jr->b);
	buf_release(&jr->label);
	json_memo_release(&jr->memo);
	free(jr->lines);
	for (size_t i = 0; i < GISTS; i++)
		free(jr->gists[i].text);
	for (size_t i = 0; i < TAILS; i++)
		free(jr->tails[i].text);
	free(jr);
}

struct reporter *
report_json_new(FILE *out, const char *const *files)
{
	struct json_reporter *jr = xcalloc(1, sizeof(*jr));

	buf_init(&jr->b);
	buf_init(&jr->label);
	jr->r.session = json_session;
	jr->r.finish = json_finish;
	jr->r.free = json_free;
	jr->r.out = out;
	jr->r.files = files;
	return &jr->r;
}
