/*
 * relay - see relay.h.
 *
 * The ring: batch w % RELAY_BATCHES is the reader's while it fills it;
 * it sets full (under the lock) to hand it over, and waits, before it
 * fills the next, until that one is not full. The calling thread takes
 * batch r % RELAY_BATCHES once it is full, feeds its lines, and clears
 * full (under the lock). The lock and the two condition variables are
 * the only shared state; a batch's contents belong to one thread at a
 * time, handed over with the lock, so no line needs one.
 */
#include "config.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "diag.h"
#include "relay.h"

/* A field of a line in a batch: off and len in the line's copy, or for
 * a pattern's constant the len alone, its pointer next in ext[]. A
 * line's fields follow the line before's in fields[]: first those in
 * the line, then the constants, each in field order. */
struct rfield {
	uint32_t off, len;
};

/* A line in a batch: what correlator_feed() takes. */
struct rline {
	const struct pattern_set *set;
	const struct pattern *pat;
	struct ts ts;
	int64_t off;	/* in the file, or -1 */
	uint64_t has, consts;	/* its fields; those that are constants */
	uint32_t file, num;
	uint32_t text, text_len;	/* in bytes */
	uint32_t line;	/* the fields' line, in bytes */
	uint32_t diag_end;	/* in diags: the messages said before it */
	bool fallback;
};

struct batch {
	struct rline *lines;
	size_t n;
	char *bytes;
	size_t nbytes, capbytes;
	struct rfield *fields;
	size_t nfields, capfields;
	const char **ext;
	size_t next, capext;
	struct buf diags;	/* the reader's messages (diag_defer()) */
	bool full, last;	/* under the lock */
};

struct relay {
	struct correlator *c;
	size_t max;	/* lines per batch */
	bool direct;	/* no thread: relay_put() feeds c */
	double reader_cpu;	/* seconds, set as the reading thread ends */
	size_t w;	/* the batch the reader fills */
	struct batch ring[RELAY_BATCHES];
	pthread_mutex_t lock;
	pthread_cond_t filled, emptied;
};

/* SMTPLOG_ANALYZE_BATCH, or RELAY_LINES */
static size_t
batch_lines(void)
{
	const char *v = getenv("SMTPLOG_ANALYZE_BATCH");
	long n = v ? strtol(v, NULL, 10) : 0;

	return n >= 1 && n <= RELAY_LINES ? (size_t)n : RELAY_LINES;
}

struct relay *
relay_new(struct correlator *c)
{
	struct relay *rl = xcalloc(1, sizeof(*rl));

	rl->c = c;
	rl->max = batch_lines();
	for (size_t i = 0; i < RELAY_BATCHES; i++) {
		rl->ring[i].lines = xcalloc(rl->max,
		    sizeof(*rl->ring[i].lines));
		buf_init(&rl->ring[i].diags);
	}
	pthread_mutex_init(&rl->lock, NULL);
	pthread_cond_init(&rl->filled, NULL);
	pthread_cond_init(&rl->emptied, NULL);
	return rl;
}

void
relay_free(struct relay *rl)
{
	if (rl == NULL)
		return;
	for (size_t i = 0; i < RELAY_BATCHES; i++) {
		struct batch *b = &rl->ring[i];

		free(b->lines);
		free(b->bytes);
		free(b->fields);
		free(b->ext);
		buf_release(&b->diags);
	}
	pthread_mutex_destroy(&rl->lock);
	pthread_cond_destroy(&rl->filled);
	pthread_cond_destroy(&rl->emptied);
	free(rl);
}

/* --- the reading thread -------------------------------------------------- */

static void
batch_reset(struct batch *b)
{
	b->n = b->nbytes = b->nfields = b->next = 0;
	buf_reset(&b->diags);
}

/*
 * Copy v into the batch's bytes, and a NUL after it; its offset. The NUL
 * stands for the line end that follows a line in the reader's buffer:
 * strtol() on a field at the end of a line (correlate_apply.c) stops at
 * it, where it would otherwise run on into the next line's digits.
 */
static uint32_t
add_bytes(struct batch *b, struct strview v)
{
	size_t at = b->nbytes;

	if (b->nbytes + v.len + 1 > b->capbytes) {
		b->capbytes = (b->nbytes + v.len + 1) * 2;
		b->bytes = xrealloc(b->bytes, b->capbytes);
	}
	if (v.len)
		memcpy(b->bytes + at, v.p, v.len);
	b->bytes[at + v.len] = '\0';
	b->nbytes += v.len + 1;
	return (uint32_t)at;
}

static bool
within(struct strview part, struct strview whole)
{
	uintptr_t p = (uintptr_t)part.p, w = (uintptr_t)whole.p;

	return p >= w && p + part.len <= w + whole.len;
}

/*
 * The set fields of m into the batch, after room for F__COUNT more was
 * made once for the line: those m->has names, each in line (m's fields
 * are views into it, pattern.h) but for the constants, whose pointers are
 * kept in ext[].
 */
static void
add_fields(struct batch *b, const struct match *m, struct strview line)
{
	const struct strview *fv = m->f;
	struct rfield *rf = b->fields + b->nfields;

	for (uint64_t has = m->has & ~m->consts; has; has &= has - 1, rf++) {
		int f = __builtin_ctzll(has);

		rf->off = (uint32_t)(fv[f].p - line.p);
		rf->len = (uint32_t)fv[f].len;
	}
	for (uint64_t has = m->consts; has; has &= has - 1, rf++) {
		int f = __builtin_ctzll(has);

		b->ext[b->next++] = fv[f].p;
		rf->len = (uint32_t)fv[f].len;
	}
	b->nfields = (size_t)(rf - b->fields);
}

/*
 * Hand the reader's batch over (last: the end of the input), then wait
 * for the next one to be free and make it the reader's.
 */
static void
hand_over(struct relay *rl, bool last)
{
	struct batch *b = &rl->ring[rl->w % RELAY_BATCHES];

	diag_defer(NULL);	/* b->diags is the other thread's now */
	pthread_mutex_lock(&rl->lock);
	b->full = true;
	b->last = last;
	pthread_cond_signal(&rl->filled);
	pthread_mutex_unlock(&rl->lock);
	if (last)
		return;
	b = &rl->ring[++rl->w % RELAY_BATCHES];
	pthread_mutex_lock(&rl->lock);
	while (b->full)
		pthread_cond_wait(&rl->emptied, &rl->lock);
	pthread_mutex_unlock(&rl->lock);
	batch_reset(b);
	diag_defer(&b->diags);
}

void
relay_put(struct relay *rl, const struct match *m, const struct ts *ts,
    uint32_t file, uint32_t num, struct strview text, int64_t off,
    struct strview line)
{
	struct batch *b;
	struct rline *l;

	if (rl->direct) {
		correlator_feed(rl->c, m, ts, file, num, text, off);
		return;
	}
	b = &rl->ring[rl->w % RELAY_BATCHES];
	l = &b->lines[b->n++];
	l->set = m->set;
	l->pat = m->pat;
	l->fallback = m->fallback;
	l->ts = *ts;
	l->file = file;
	l->num = num;
	l->off = off;
	l->diag_end = (uint32_t)b->diags.len;
	l->text = add_bytes(b, text);
	l->text_len = (uint32_t)text.len;
	/* one copy when the fields' line is (in) the text */
	l->line = within(line, text) ?
	    l->text + (uint32_t)(line.p - text.p) : add_bytes(b, line);
	l->has = m->has;
	if (b->nfields + F__COUNT > b->capfields)
		grow_array((void **)&b->fields, &b->capfields,
		    b->nfields + F__COUNT, sizeof(*b->fields));
	if (b->next + F__COUNT > b->capext)
		grow_array((void **)&b->ext, &b->capext, b->next + F__COUNT,
		    sizeof(*b->ext));
	l->consts = m->consts;
	add_fields(b, m, line);
	if (b->n == rl->max || b->nbytes >= RELAY_BYTES)
		hand_over(rl, false);
}

struct job {
	struct relay *rl;
	bool (*read)(void *);
	void *arg;
	bool ok;
};

static void *
reader_main(void *p)
{
	struct job *j = p;
	struct timespec t;

	batch_reset(&j->rl->ring[0]);
	diag_defer(&j->rl->ring[0].diags);
	j->ok = j->read(j->arg);
	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t) == 0)
		j->rl->reader_cpu = (double)t.tv_sec + (double)t.tv_nsec / 1e9;
	hand_over(j->rl, true);	/* after it, the calling thread reads rl */
	pattern_thread_release();
	return NULL;
}

/* --- the calling thread -------------------------------------------------- */

/*
 * A line's fields into m, whose has names those of the line before: a
 * field set again is overwritten, and only those it had and this line
 * has not are cleared. *ext is the line's first constant in ext[].
 */
static const struct rfield *
unpack_fields(const struct batch *b, const struct rline *l,
    const struct rfield *rf, size_t *ext, struct match *m)
{
	const char *base = b->bytes + l->line;
	struct strview *fv = m->f;

	for (uint64_t has = m->has & ~l->has; has; has &= has - 1)
		fv[__builtin_ctzll(has)] = (struct strview){NULL, 0};
	m->has = l->has;
	m->consts = l->consts;
	for (uint64_t has = l->has & ~l->consts; has; has &= has - 1, rf++)
		fv[__builtin_ctzll(has)] = (struct strview){base + rf->off,
		    rf->len};
	for (uint64_t has = l->consts; has; has &= has - 1, rf++)
		fv[__builtin_ctzll(has)] = (struct strview){b->ext[(*ext)++],
		    rf->len};
	return rf;
}

/* Feed the batch's lines, each after the messages said before it. */
static void
feed_batch(struct relay *rl, const struct batch *b)
{
	struct match m;
	const struct rfield *rf = b->fields;
	size_t said = 0, ext = 0;

	memset(&m, 0, sizeof(m));
	for (size_t i = 0; i < b->n; i++) {
		const struct rline *l = &b->lines[i];
		struct strview text = {b->bytes + l->text, l->text_len};

		if (l->diag_end > said) {
			diag_replay(b->diags.s + said, l->diag_end - said);
			said = l->diag_end;
		}
		m.set = l->set;
		m.pat = l->pat;
		m.fallback = l->fallback;
		rf = unpack_fields(b, l, rf, &ext, &m);
		correlator_feed(rl->c, &m, &l->ts, l->file, l->num, text,
		    l->off);
	}
	if (b->diags.len > said)
		diag_replay(b->diags.s + said, b->diags.len - said);
}

/* Take the batches in order until the last. */
static void
consume(struct relay *rl)
{
	for (size_t r = 0;; r++) {
		struct batch *b = &rl->ring[r % RELAY_BATCHES];
		bool last;

		pthread_mutex_lock(&rl->lock);
		while (!b->full)
			pthread_cond_wait(&rl->filled, &rl->lock);
		pthread_mutex_unlock(&rl->lock);
		feed_batch(rl, b);
		last = b->last;
		pthread_mutex_lock(&rl->lock);
		b->full = false;
		pthread_cond_signal(&rl->emptied);
		pthread_mutex_unlock(&rl->lock);
		if (last)
			return;
	}
}

bool
relay_run(struct relay *rl, bool (*read)(void *arg), void *arg)
{
	struct job j = {rl, read, arg, false};
	sigset_t block, old;
	pthread_t t;
	int err;

	/* SIGINT and SIGTERM are the calling thread's to take */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	err = pthread_create(&t, NULL, reader_main, &j);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err != 0) {
		rl->direct = true;
		return read(arg);
	}
	consume(rl);
	pthread_join(t, NULL);
	return j.ok;
}

double
relay_reader_cpu(const struct relay *rl)
{
	return rl->reader_cpu;
}
