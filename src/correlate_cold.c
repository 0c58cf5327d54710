/*
 * correlate_cold - held sessions written out of memory, and read back.
 *
 * A held session waits for its messages to leave the queue: behind a
 * retry queue of 100,000 messages are up to 100,000 such sessions, each
 * with its messages, strings, recipients and lines, kept for hours or
 * days while nothing reads them until a line names one of the messages.
 * Past correlate_opts.max_hot held sessions in memory, the one longest in
 * memory is written out with the texts of its messages (together, a
 * unit) to a temporary file. What stays is
 *
 *	its cold unit  its place on the held list (in the session's place),
 *	               where it is in the file, and its messages
 *	its messages   each a struct message with its flags and links, and
 *	               m->cold naming the unit: its strings, recipients and
 *	               lines are in the file
 *
 * about 400 bytes a session and message instead of 1.6 KiB. A unit is
 * read back, into a struct session with the same contents in the same
 * place on the held list, before anything reads it: when a line names
 * one of its messages (msg_get()), when one of them is retired
 * (msg_retire()), and when the session is handed on (corr_held_first()),
 * so what is handed on does not depend on max_hot. Likewise, past
 * max_hot queued messages without a session (one handed on while they
 * wait, or none: a bounce the server wrote itself), the one longest in
 * memory goes out alone, as a unit on no list (orphan).
 *
 * Only a plain unit is written out: every message of the session is its
 * own and in no re-injection link (next_hop, either way), and neither the
 * session nor a message has an index or omitted counts. Others stay.
 *
 * The file is made in $TMPDIR (else /tmp) and unlinked at once, so that
 * nothing is left behind however the run ends. The space of a unit read
 * back is taken again by later ones (below). If the file cannot be made
 * or written, one warning says so and the held sessions stay in memory
 * from then on (memory grows; nothing is lost: units not yet written
 * stay in the buffer). If a unit cannot be read back, the run stops
 * (diag_fatal()), as when memory runs out.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "correlate_int.h"
#include "diag.h"

/*
 * The pointer fields below are written out one by one; every other field
 * is copied as it is. A new field is a new line here: these fail the
 * build until whoever adds one has looked.
 */
#define FIELDS_SEEN(t, size) _Static_assert(sizeof(struct t) == (size), \
    "correlate_cold.c: a new field of struct " #t)
FIELDS_SEEN(session, 536);
FIELDS_SEEN(message, 208);
FIELDS_SEEN(failure, 72);
FIELDS_SEEN(rcpt, 96);
FIELDS_SEEN(lineref, 32);
FIELDS_SEEN(conv, 24);

/*
 * The file's space goes in blocks of COLD_STEP bytes, a bit each in a
 * map (taken or free). Units are not written one by one (a write to the
 * file system for every unit cost a tenth of the correlating thread's
 * time): they are put one after another in a buffer, for a free run of
 * up to COLD_RUN blocks of the file taken at once, and the buffer is
 * written in one go when the next unit does not fit. A unit read back
 * before then is read from the buffer. The run is looked for from where
 * the last one ended (next fit): units are read back in about the order
 * they went out, so the space behind is free again by the time the
 * search comes round. A run shorter than COLD_MIN_RUN blocks is passed
 * over unless a unit needs no more; where no run will do, the file
 * grows.
 */
#define COLD_STEP 128
#define COLD_RUN 2048	/* 256 KiB */
#define COLD_MIN_RUN 32

struct cold_unit {
	struct hnode node;	/* first: the held list holds &node */
	int64_t off;	/* in the file */
	uint32_t len;
	uint32_t nmsgs;
	bool orphan;	/* one message without a session, off the list */
	struct message *msgs[];
};

struct cold_store {
	int fd;	/* -1: the file could not be made */
	bool full;	/* a write failed: nothing more is written */
	uint64_t *taken;	/* a bit a block */
	size_t nwords;
	int64_t nblocks;	/* the file's length (so far), in blocks */
	int64_t rover;	/* where the next run is looked for */
	char *wb;	/* units for blocks run..run + room, not yet written */
	size_t wb_len, wb_cap;
	int64_t run, room;
	struct buf blob, fixed, strs;	/* a unit, a part, its strings */
	char *rd;	/* the file from rd_off on, as read last */
	size_t rd_len, rdcap;
	int64_t rd_off;
};

/* What a message keeps in the file (its other fields stay in memory). */
struct msg_body {
	size_t nrcpts, nlines;
	char *host, *queue, *message_id, *sender, *size;
};

/* --- the file ----------------------------------------------------------- */

static int
open_temp(void)
{
	const char *dir = getenv("TMPDIR");
	struct buf path = BUF_INIT;
	int fd;

	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	buf_addf(&path, "%s/smtplog-analyze.XXXXXX", dir);
	fd = mkstemp(path.s);
	if (fd < 0) {
		diag_warning("cannot make a temporary file in '%s' for "
		    "held sessions: %s; they stay in memory", dir,
		    strerror(errno));
	} else {
		unlink(path.s);
		fcntl(fd, F_SETFD, FD_CLOEXEC);
	}
	buf_release(&path);
	return fd;
}

/* The store, made on first use; NULL when nothing can be written. */
static struct cold_store *
store(struct correlator *c)
{
	struct cold_store *cs = c->cold;

	if (cs == NULL) {
		cs = c->cold = xcalloc(1, sizeof(*cs));
		buf_init(&cs->blob);
		buf_init(&cs->fixed);
		buf_init(&cs->strs);
		cs->fd = open_temp();
	}
	return cs->fd >= 0 && !cs->full ? cs : NULL;
}

static int64_t
blocks(size_t len)
{
	return (int64_t)((len + COLD_STEP - 1) / COLD_STEP);
}

/* Mark blocks b..b + k taken or free. */
static void
mark(struct cold_store *cs, int64_t b, int64_t k, bool taken)
{
	for (int64_t i = b; i < b + k; i++) {
		uint64_t bit = (uint64_t)1 << (i & 63);

		if (taken)
			cs->taken[i >> 6] |= bit;
		else
			cs->taken[i >> 6] &= ~bit;
	}
}

/* The first block from b on, before limit, that is taken (or free); or
 * limit. */
static int64_t
next_block(const struct cold_store *cs, int64_t b, int64_t limit,
    bool taken)
{
	while (b < limit) {
		uint64_t w = cs->taken[b >> 6];

		w = (taken ? w : ~w) & (~(uint64_t)0 << (b & 63));
		if (w != 0) {
			b = (b & ~(int64_t)63) + __builtin_ctzll(w);
			return b < limit ? b : limit;
		}
		b = (b & ~(int64_t)63) + 64;
	}
	return limit;
}

/* The first free run from b on, before limit, of want blocks or one that
 * reaches the file's end (it can grow); -1 if none. Its length: *len. */
static int64_t
free_run(const struct cold_store *cs, int64_t b, int64_t limit,
    int64_t want, int64_t *len)
{
	while ((b = next_block(cs, b, limit, false)) < limit) {
		int64_t e = next_block(cs, b, limit, true);

		if (e - b >= want || e == cs->nblocks) {
			*len = e == cs->nblocks ? INT64_MAX : e - b;
			return b;
		}
		b = e;
	}
	return -1;
}

/* Take a run of the file for the buffer, for a unit of k blocks first. */
static void
take_run(struct cold_store *cs, int64_t k)
{
	int64_t want = k > COLD_MIN_RUN ? k : COLD_MIN_RUN;
	int64_t cap = k > COLD_RUN ? k : COLD_RUN, len = 0, at;

	at = free_run(cs, cs->rover, cs->nblocks, want, &len);
	if (at < 0)
		at = free_run(cs, 0, cs->rover, want, &len);
	if (at < 0) {
		at = cs->nblocks;
		len = cap;
	}
	cs->run = at;
	cs->room = len < cap ? len : cap;
	cs->rover = cs->run + cs->room;
	if (cs->rover > cs->nblocks) {
		size_t need = (size_t)(cs->rover + 63) / 64, had = cs->nwords;

		grow_array((void **)&cs->taken, &cs->nwords, need,
		    sizeof(*cs->taken));
		memset(cs->taken + had, 0,
		    (cs->nwords - had) * sizeof(*cs->taken));
		cs->nblocks = cs->rover;
	}
	if ((size_t)(cs->room * COLD_STEP) > cs->wb_cap) {
		cs->wb_cap = (size_t)(cs->room * COLD_STEP);
		cs->wb = xrealloc(cs->wb, cs->wb_cap);
	}
}

/*
 * Write the buffer. On failure (warned) its units stay in it, to be read
 * back from there, and nothing more is written.
 */
static bool
flush(struct cold_store *cs)
{
	size_t done = 0;

	while (done < cs->wb_len) {
		ssize_t w = pwrite(cs->fd, cs->wb + done, cs->wb_len - done,
		    cs->run * COLD_STEP + (int64_t)done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			diag_warning("cannot write the temporary file of held "
			    "sessions: %s; they stay in memory",
			    w < 0 ? strerror(errno) : "nothing written");
			cs->full = true;
			return false;
		}
		done += (size_t)w;
	}
	/* what was read of the file before is not what it holds now */
	if (cs->run * COLD_STEP < cs->rd_off + (int64_t)cs->rd_len &&
	    cs->rd_off < cs->run * COLD_STEP + (int64_t)cs->wb_len)
		cs->rd_len = 0;
	cs->wb_len = 0;
	cs->room = 0;
	return true;
}

/* Where p (len bytes) goes in the file, or -1 (warned). */
static int64_t
spill_put(struct cold_store *cs, const char *p, size_t len)
{
	int64_t k = blocks(len), off;
	size_t used = (size_t)k * COLD_STEP;

	if (cs->wb_len + used > (size_t)(cs->room * COLD_STEP)) {
		if (!flush(cs))
			return -1;
		take_run(cs, k);
	}
	off = cs->run * COLD_STEP + (int64_t)cs->wb_len;
	memcpy(cs->wb + cs->wb_len, p, len);
	memset(cs->wb + cs->wb_len + len, 0, used - len);
	cs->wb_len += used;
	mark(cs, off / COLD_STEP, k, true);
	return off;
}

static void
spill_drop(struct cold_store *cs, int64_t off, size_t len)
{
	mark(cs, off / COLD_STEP, blocks(len), false);
}

/*
 * The len bytes at off: in the buffer, or in what was read of the file.
 * The file is read COLD_RUN blocks at a time: units come back in about
 * the order they went out, so the next one is most often in the same
 * read (one read for a hundred units or more).
 */
static const char *
spill_get(struct cold_store *cs, int64_t off, size_t len)
{
	int64_t in = off - cs->run * COLD_STEP;
	size_t want = len > COLD_RUN * COLD_STEP ? len : COLD_RUN * COLD_STEP;

	if (in >= 0 && (size_t)in + len <= cs->wb_len)
		return cs->wb + in;
	in = off - cs->rd_off;
	if (in >= 0 && (size_t)in + len <= cs->rd_len)
		return cs->rd + in;
	if (want > cs->rdcap) {
		cs->rd = xrealloc(cs->rd, want);
		cs->rdcap = want;
	}
	cs->rd_off = off;
	cs->rd_len = 0;
	while (cs->rd_len < len) {
		ssize_t r = pread(cs->fd, cs->rd + cs->rd_len,
		    want - cs->rd_len, off + (int64_t)cs->rd_len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			diag_fatal("cannot read back the temporary file of "
			    "held sessions: %s",
			    r < 0 ? strerror(errno) : "it is shorter");
		cs->rd_len += (size_t)r;
	}
	return cs->rd;
}

/* --- writing a unit ----------------------------------------------------- */

/*
 * A unit is a session's part and one part per message, each its fixed
 * fields (uint32_t length) and its strings (uint32_t length). A string
 * is written as its offset in its part's strings plus one, in place of
 * the pointer; NULL stays NULL.
 */
static char *
put_str(struct cold_store *cs, const char *s)
{
	uintptr_t at = cs->strs.len + 1;

	if (s == NULL)
		return NULL;
	buf_add(&cs->strs, s, strlen(s) + 1);
	return (char *)at;
}

static void
part_begin(struct cold_store *cs)
{
	buf_reset(&cs->fixed);
	buf_reset(&cs->strs);
}

static void
part_add(struct cold_store *cs, const void *p, size_t n)
{
	buf_add(&cs->fixed, p, n);
}

static void
part_end(struct cold_store *cs)
{
	uint32_t h[2] = {(uint32_t)cs->fixed.len, (uint32_t)cs->strs.len};

	buf_add(&cs->blob, (const char *)h, sizeof(h));
	buf_add(&cs->blob, cs->fixed.s, cs->fixed.len);
	buf_add(&cs->blob, cs->strs.s, cs->strs.len);
}

static void
put_rcpts(struct cold_store *cs, const struct rcpt *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct rcpt r = v[i];

		r.address = put_str(cs, r.address);
		r.orig = put_str(cs, r.orig);
		r.reply = put_str(cs, r.reply);
		r.enhanced = put_str(cs, r.enhanced);
		r.text = put_str(cs, r.text);
		r.relay = put_str(cs, r.relay);
		part_add(cs, &r, sizeof(r));
	}
}

static void
put_lines(struct cold_store *cs, const struct lineref *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct lineref l = v[i];

		l.text = put_str(cs, l.text);
		part_add(cs, &l, sizeof(l));
	}
}

static void
put_session(struct cold_store *cs, const struct session *s)
{
	struct session t = *s;

	part_begin(cs);
	t.key = put_str(cs, s->key);
	t.label = put_str(cs, s->label);
	t.host = put_str(cs, s->host);
	t.pid = put_str(cs, s->pid);
	t.session_id = put_str(cs, s->session_id);
	t.client_name = put_str(cs, s->client_name);
	t.client_ip = put_str(cs, s->client_ip);
	t.client_port = put_str(cs, s->client_port);
	t.helo = put_str(cs, s->helo);
	t.sender = put_str(cs, s->sender);
	t.sasl_user = put_str(cs, s->sasl_user);
	t.tls = put_str(cs, s->tls);
	t.stats = put_str(cs, s->stats);
	t.queue = put_str(cs, s->queue);
	t.relay = put_str(cs, s->relay);
	t.arena.head = NULL;
	t.fails = NULL;
	t.rcpts = NULL;
	t.msgs = NULL;
	t.lines = NULL;
	t.conv = NULL;
	t.in_hot = false;
	t.lru_prev = t.lru_next = t.lg_prev = t.lg_next = NULL;
	t.held_node.prev = t.held_node.next = NULL;
	part_add(cs, &t, sizeof(t));
	for (size_t i = 0; i < s->nfails; i++) {
		struct failure f = s->fails[i];

		f.reply = put_str(cs, f.reply);
		f.enhanced = put_str(cs, f.enhanced);
		f.text = put_str(cs, f.text);
		f.cause = put_str(cs, f.cause);
		f.command = put_str(cs, f.command);
		f.recipient = put_str(cs, f.recipient);
		part_add(cs, &f, sizeof(f));
	}
	put_rcpts(cs, s->rcpts, s->nrcpts);
	put_lines(cs, s->lines, s->nlines);
	for (size_t i = 0; i < s->nconv; i++) {
		struct conv v;

		/* field by field: the padding after the flags is never
		 * set, and memcheck says so of a write that holds it */
		memset(&v, 0, sizeof(v));
		v.reply = s->conv[i].reply;
		v.cont = s->conv[i].cont;
		v.text = put_str(cs, s->conv[i].text);
		v.line = s->conv[i].line;
		v.file = s->conv[i].file;
		part_add(cs, &v, sizeof(v));
	}
	part_end(cs);
}

static void
put_message(struct cold_store *cs, const struct message *m)
{
	struct msg_body b;

	part_begin(cs);
	b.nrcpts = m->nrcpts;
	b.nlines = m->nlines;
	b.host = put_str(cs, m->host);
	b.queue = put_str(cs, m->queue);
	b.message_id = put_str(cs, m->message_id);
	b.sender = put_str(cs, m->sender);
	b.size = put_str(cs, m->size);
	part_add(cs, &b, sizeof(b));
	put_rcpts(cs, m->rcpts, m->nrcpts);
	put_lines(cs, m->lines, m->nlines);
	part_end(cs);
}

/* --- reading one back --------------------------------------------------- */

struct part {
	const char *fixed;
	size_t len, at;
	char *strs;	/* copied into the arena the strings belong to */
	size_t slen;
};

static _Noreturn void
damaged(void)
{
	diag_fatal("the temporary file of held sessions reads back damaged");
}

static void
get_part(const char **p, const char *end, struct arena *a, struct part *pt)
{
	uint32_t h[2];

	if ((size_t)(end - *p) < sizeof(h))
		damaged();
	memcpy(h, *p, sizeof(h));
	*p += sizeof(h);
	if ((size_t)(end - *p) < (size_t)h[0] + h[1])
		damaged();
	pt->fixed = *p;
	pt->len = h[0];
	pt->at = 0;
	*p += h[0];
	pt->slen = h[1];
	pt->strs = NULL;
	if (h[1] > 0) {
		pt->strs = arena_alloc(a, h[1]);
		memcpy(pt->strs, *p, h[1]);
	}
	*p += h[1];
}

static void
take(struct part *pt, void *dst, size_t n)
{
	if (pt->len - pt->at < n)
		damaged();
	memcpy(dst, pt->fixed + pt->at, n);
	pt->at += n;
}

/* n elements of elsz bytes, malloc'd; NULL for none. */
static void *
take_array(struct part *pt, size_t n, size_t elsz)
{
	void *v;

	if (n == 0)
		return NULL;
	if (n > (pt->len - pt->at) / elsz)
		damaged();
	v = xmalloc(n * elsz);
	take(pt, v, n * elsz);
	return v;
}

static void
str_of(const struct part *pt, char **s)
{
	uintptr_t at = (uintptr_t)*s;

	if (at == 0)
		return;
	if (at > pt->slen)
		damaged();
	*s = pt->strs + at - 1;
}

static struct rcpt *
get_rcpts(struct part *pt, size_t n)
{
	struct rcpt *v = take_array(pt, n, sizeof(*v));

	for (size_t i = 0; i < n; i++) {
		str_of(pt, &v[i].address);
		str_of(pt, &v[i].orig);
		str_of(pt, &v[i].reply);
		str_of(pt, &v[i].enhanced);
		str_of(pt, &v[i].text);
		str_of(pt, &v[i].relay);
	}
	return v;
}

static struct lineref *
get_lines(struct part *pt, size_t n)
{
	struct lineref *v = take_array(pt, n, sizeof(*v));

	for (size_t i = 0; i < n; i++)
		str_of(pt, &v[i].text);
	return v;
}

static void
get_session(struct part *pt, struct session *s)
{
	struct arena a = s->arena;	/* holds the strings */

	corr_session_drop_arrays(s);
	take(pt, s, sizeof(*s));
	s->arena = a;
	str_of(pt, &s->key);
	str_of(pt, &s->label);
	str_of(pt, &s->host);
	str_of(pt, &s->pid);
	str_of(pt, &s->session_id);
	str_of(pt, &s->client_name);
	str_of(pt, &s->client_ip);
	str_of(pt, &s->client_port);
	str_of(pt, &s->helo);
	str_of(pt, &s->sender);
	str_of(pt, &s->sasl_user);
	str_of(pt, &s->tls);
	str_of(pt, &s->stats);
	str_of(pt, &s->queue);
	str_of(pt, &s->relay);
	s->fails = take_array(pt, s->nfails, sizeof(*s->fails));
	s->capfails = s->nfails;
	for (size_t i = 0; i < s->nfails; i++) {
		struct failure *f = &s->fails[i];

		str_of(pt, &f->reply);
		str_of(pt, &f->enhanced);
		str_of(pt, &f->text);
		str_of(pt, &f->cause);
		str_of(pt, &f->command);
		str_of(pt, &f->recipient);
	}
	s->rcpts = get_rcpts(pt, s->nrcpts);
	s->caprcpts = s->nrcpts;
	s->lines = get_lines(pt, s->nlines);
	s->caplines = s->nlines;
	s->conv = take_array(pt, s->nconv, sizeof(*s->conv));
	s->capconv = s->nconv;
	for (size_t i = 0; i < s->nconv; i++)
		str_of(pt, &s->conv[i].text);
}

static void
get_message(struct part *pt, struct message *m)
{
	struct msg_body b;

	take(pt, &b, sizeof(b));
	str_of(pt, &b.host);
	str_of(pt, &b.queue);
	str_of(pt, &b.message_id);
	str_of(pt, &b.sender);
	str_of(pt, &b.size);
	m->host = b.host;
	m->queue = b.queue;
	m->message_id = b.message_id;
	m->sender = b.sender;
	m->size = b.size;
	m->rcpts = get_rcpts(pt, b.nrcpts);
	m->nrcpts = m->caprcpts = b.nrcpts;
	m->lines = get_lines(pt, b.nlines);
	m->nlines = m->caplines = b.nlines;
}

/* --- out and back ------------------------------------------------------- */

static bool
plain_message(const struct message *m)
{
	return !m->cold && !m->in_grave && !m->forwarded && !m->reinjected &&
	    !m->hop_target && !m->next_hop && !m->rcpt_idx;
}

static bool
plain_unit(const struct session *s)
{
	if (!s->held || !s->closed || s->handed_off || s->lingering ||
	    s->resulted || s->tx || s->omitted || s->rcpt_idx ||
	    s->v.outcome || s->nmsgs == 0)
		return false;
	for (size_t i = 0; i < s->nmsgs; i++) {
		const struct message *m = s->msgs[i];

		if (m->owner != s || !plain_message(m))
			return false;
	}
	return true;
}

/* m's texts are in the file: free them. */
static void
drop_body(struct message *m)
{
	free(m->rcpts);
	free(m->lines);
	arena_release(&m->arena);
	m->host = m->queue = m->message_id = m->sender = m->size = NULL;
	m->rcpts = NULL;
	m->nrcpts = m->caprcpts = 0;
	m->lines = NULL;
	m->nlines = m->caplines = 0;
}

/* The unit in cs->blob, of the n messages v, in the file; NULL when it
 * could not be written. The messages' texts are freed. */
static struct cold_unit *
write_unit(struct cold_store *cs, struct message **v, size_t n)
{
	struct cold_unit *u;
	int64_t off;

	if (cs->blob.len > UINT32_MAX ||
	    (off = spill_put(cs, cs->blob.s, cs->blob.len)) < 0)
		return NULL;
	u = xmalloc(sizeof(*u) + n * sizeof(u->msgs[0]));
	u->node.cold = true;
	u->node.prev = u->node.next = NULL;
	u->off = off;
	u->len = (uint32_t)cs->blob.len;
	u->nmsgs = (uint32_t)n;
	u->orphan = false;
	for (size_t i = 0; i < n; i++) {
		u->msgs[i] = v[i];
		drop_body(v[i]);
		v[i]->owner = NULL;
		v[i]->cold = u;
	}
	return u;
}

static void
freeze(struct correlator *c, struct session *s)
{
	struct cold_store *cs;
	struct cold_unit *u;

	if (!plain_unit(s) || (cs = store(c)) == NULL)
		return;
	buf_reset(&cs->blob);
	put_session(cs, s);
	for (size_t i = 0; i < s->nmsgs; i++)
		put_message(cs, s->msgs[i]);
	if ((u = write_unit(cs, s->msgs, s->nmsgs)) == NULL)
		return;
	corr_held_replace(c, &s->held_node, &u->node);
	corr_session_release(c, s);
}

/* Read u back: its session (NULL for an orphan) and its messages. */
static struct session *
thaw(struct correlator *c, struct cold_unit *u)
{
	struct cold_store *cs = c->cold;
	struct session *s = NULL;
	const char *p, *end;
	struct part pt;

	p = spill_get(cs, u->off, u->len);
	end = p + u->len;
	if (!u->orphan) {
		s = corr_session_alloc(c);
		get_part(&p, end, &s->arena, &pt);
		get_session(&pt, s);
		if (pt.at != pt.len || s->nmsgs != u->nmsgs)
			damaged();
		s->msgs = xmalloc(u->nmsgs * sizeof(*s->msgs));
		s->capmsgs = u->nmsgs;
	}
	for (size_t i = 0; i < u->nmsgs; i++) {
		struct message *m = u->msgs[i];

		get_part(&p, end, &m->arena, &pt);
		get_message(&pt, m);
		if (pt.at != pt.len)
			damaged();
		m->owner = s;
		m->cold = NULL;
		if (s)
			s->msgs[i] = m;
		else
			corr_orphan_add(c, m);
	}
	if (p != end)
		damaged();
	if (s) {
		s->held_node.cold = false;
		corr_held_replace(c, &u->node, &s->held_node);
		corr_hot_append(c, s);
	}
	spill_drop(cs, u->off, u->len);
	free(u);
	return s;
}

/* --- queued messages without a session ---------------------------------- */

static bool
in_orphans(const struct correlator *c, const struct message *m)
{
	return m->or_prev != NULL || c->or_head == m;
}

void
corr_orphan_add(struct correlator *c, struct message *m)
{
	if (in_orphans(c, m))
		return;
	m->or_next = NULL;
	m->or_prev = c->or_tail;
	if (c->or_tail)
		c->or_tail->or_next = m;
	else
		c->or_head = m;
	c->or_tail = m;
	c->norphans++;
}

void
corr_orphan_del(struct correlator *c, struct message *m)
{
	if (!in_orphans(c, m))
		return;
	if (m->or_prev)
		m->or_prev->or_next = m->or_next;
	else
		c->or_head = m->or_next;
	if (m->or_next)
		m->or_next->or_prev = m->or_prev;
	else
		c->or_tail = m->or_prev;
	m->or_prev = m->or_next = NULL;
	c->norphans--;
}

/* Write out m, a queued message without a session. */
static void
freeze_orphan(struct correlator *c, struct message *m)
{
	struct cold_store *cs;
	struct cold_unit *u;

	if (m->owner || m->closed_map || !plain_message(m) ||
	    (cs = store(c)) == NULL)
		return;
	buf_reset(&cs->blob);
	put_message(cs, m);
	if ((u = write_unit(cs, &m, 1)) != NULL)
		u->orphan = true;
}

struct session *
corr_held_first(struct correlator *c)
{
	struct hnode *n = c->held_head;

	if (n == NULL)
		return NULL;
	if (n->cold)
		return thaw(c, (struct cold_unit *)n);
	return (struct session *)((char *)n -
	    offsetof(struct session, held_node));
}

void
corr_cold_thaw(struct correlator *c, struct message *m)
{
	thaw(c, m->cold);
}

void
corr_cold_balance(struct correlator *c)
{
	while (c->nhot > c->o.max_hot && c->hot_head) {
		struct session *s = c->hot_head;

		corr_hot_unlink(c, s);
		freeze(c, s);
	}
	while (c->norphans > c->o.max_hot && c->or_head) {
		struct message *m = c->or_head;

		corr_orphan_del(c, m);
		freeze_orphan(c, m);
	}
}

void
corr_cold_free(struct correlator *c)
{
	struct cold_store *cs = c->cold;

	if (cs == NULL)
		return;
	if (cs->fd >= 0)
		close(cs->fd);
	free(cs->taken);
	free(cs->wb);
	buf_release(&cs->blob);
	buf_release(&cs->fixed);
	buf_release(&cs->strs);
	free(cs->rd);
	free(cs);
	c->cold = NULL;
}
