/*
 * tally - message figures, traffic and top tables (see tally.h).
 *
 * Why a module of its own: the summary, the HTML report and any later
 * form read the same figures, and the speed work wants to change how
 * they are kept (interned keys, capped tables) in one place. Counting
 * follows the definitions in README.md ("Message figures"); where a peer
 * tool (pflogsumm, eximstats) counts the same thing, tests/check-peers.sh
 * holds us to its number and lists each deliberate difference.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tally.h"

static const char *const fig_names[TF__COUNT] = {
	"received", "  by SMTP", "  local submission", "bounce notices",
	"delivered", "  relayed over SMTP", "forwarded", "deferred",
	"bounced", "expired", "rejected", "discarded", "held",
};

static const char *const out_names[TO__COUNT] = {
	"received", "delivered", "deferred", "bounced", "expired", "rejected",
};

static const char *const top_names[TT__COUNT] = {
	"senders", "recipients", "sender domains", "recipient domains",
	"clients",
};

const char *
tally_fig_name(enum tally_fig f)
{
	return f >= 0 && f < TF__COUNT ? fig_names[f] : NULL;
}

const char *
tally_out_name(enum tally_out o)
{
	return o >= 0 && o < TO__COUNT ? out_names[o] : NULL;
}

const char *
tally_top_name(enum tally_top t)
{
	return t >= 0 && t < TT__COUNT ? top_names[t] : NULL;
}

/* --- tables ---------------------------------------------------------- */

static struct tally_row *
row_new(const char *key)
{
	struct tally_row *r = xcalloc(1, sizeof(*r));

	r->key = xstrdup(key);
	return r;
}

/* tally_table_row() of a key of len bytes */
static struct tally_row *
table_row(struct tally_table *t, const char *key, size_t len)
{
	struct tally_row *r;
	size_t slot;
	size_t max = t->max ? t->max : TALLY_ROWS_MAX;

	if ((r = keycache_get(&t->recent, key, len, &slot)) != NULL)
		return r;
	if (t->m == NULL)
		t->m = strmap_new();
	if ((r = strmap_get(t->m, key, len)) != NULL) {
		keycache_put(&t->recent, slot, r->key, len, r);
		return r;
	}
	if (t->nrows >= max) {
		if (t->other == NULL)
			t->other = row_new(TALLY_OTHER);
		return t->other;
	}
	r = row_new(key);
	strmap_put(t->m, key, len, r);
	keycache_put(&t->recent, slot, r->key, len, r);
	grow_array((void **)&t->rows, &t->cap, t->nrows + 1, sizeof(*t->rows));
	t->rows[t->nrows++] = r;
	return r;
}

struct tally_row *
tally_table_row(struct tally_table *t, const char *key)
{
	return table_row(t, key, strlen(key));
}

static int
cmp_n(const void *a, const void *b)
{
	const struct tally_row *x = *(struct tally_row *const *)a;
	const struct tally_row *y = *(struct tally_row *const *)b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	return strcmp(x->key, y->key);
}

static int
cmp_bytes(const void *a, const void *b)
{
	const struct tally_row *x = *(struct tally_row *const *)a;
	const struct tally_row *y = *(struct tally_row *const *)b;

	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->key, y->key);
}

struct tally_row **
tally_table_sorted(const struct tally_table *t, bool by_bytes, size_t *n)
{
	struct tally_row **v = xcalloc(t->nrows + 2, sizeof(*v));

	if (t->nrows)
		memcpy(v, t->rows, t->nrows * sizeof(*v));
	qsort(v, t->nrows, sizeof(*v), by_bytes ? cmp_bytes : cmp_n);
	*n = t->nrows;
	if (t->other)
		v[(*n)++] = t->other;
	return v;
}

void
tally_row_note(struct tally_row *r, const char *text)
{
	if (r->n == 0 && r->example == NULL && text)
		r->example = xstrndup(text, strnlen(text, 400));
	else if (!r->mixed && (text == NULL) != (r->example == NULL))
		r->mixed = true;
	else if (!r->mixed && text && strncmp(text, r->example, 400) != 0)
		r->mixed = true;
	r->n++;
}

static void
row_free(struct tally_row *r)
{
	if (r) {
		free(r->example);
		free(r->key);
		free(r);
	}
}

void
tally_table_release(struct tally_table *t)
{
	for (size_t i = 0; i < t->nrows; i++)
		row_free(t->rows[i]);
	row_free(t->other);
	free(t->rows);
	if (t->m)
		strmap_free(t->m);
	memset(t, 0, sizeof(*t));
}

/* --- figures --------------------------------------------------------- */

void
tally_init(struct tallies *t)
{
	memset(t, 0, sizeof(*t));
	buf_init(&t->key);
}

void
tally_release(struct tallies *t)
{
	for (int i = 0; i < TT__COUNT; i++)
		tally_table_release(&t->top[i]);
	tally_table_release(&t->relays);
	tally_table_release(&t->tls);
	tally_table_release(&t->sasl_failed);
	free(t->days);
	buf_release(&t->key);
	memset(t, 0, sizeof(*t));
	buf_init(&t->key);
}

const char *
tally_domain(const char *addr)
{
	const char *at = addr ? strrchr(addr, '@') : NULL;

	return at ? at + 1 : "";
}

/* The hour-of-day and day slots of a time; NULL day when it has none. */
static struct tally_slot *
slot_hour(struct tallies *t, const struct ts *ts)
{
	int64_t h;

	if (!(ts->flags & TS_SET))
		return NULL;
	h = ts->us / 3600000000LL % 24;
	return &t->hour[h < 0 ? h + 24 : h];
}

static struct tally_slot *
slot_day(struct tallies *t, const struct ts *ts)
{
	int64_t d;
	size_t lo = 0, hi;

	if (!(ts->flags & TS_SET))
		return NULL;
	d = ts->us / 86400000000LL - (ts->us < 0 && ts->us % 86400000000LL);
	/* most stamps fall on the day of the one before */
	if (t->lastday < t->ndays && t->days[t->lastday].day == d)
		return &t->days[t->lastday].s;
	hi = t->ndays;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (t->days[mid].day < d)
			lo = mid + 1;
		else
			hi = mid;
	}
	t->lastday = lo;
	if (lo < t->ndays && t->days[lo].day == d)
		return &t->days[lo].s;
	grow_array((void **)&t->days, &t->capdays, t->ndays + 1,
	    sizeof(*t->days));
	memmove(&t->days[lo + 1], &t->days[lo],
	    (t->ndays - lo) * sizeof(*t->days));
	memset(&t->days[lo], 0, sizeof(*t->days));
	t->days[lo].day = d;
	t->ndays++;
	return &t->days[lo].s;
}

static void
count_out(struct tallies *t, const struct ts *ts, enum tally_out o,
    unsigned long n)
{
	struct tally_slot *s = slot_hour(t, ts);

	if (s == NULL)
		return;
	s->out[o] += n;
	slot_day(t, ts)->out[o] += n;
}

/*
 * Delay histogram: bucket i holds delays in [10^(i/HPD - 3), next), i.e.
 * from 1 ms on, HPD buckets per decade; bucket 0 also holds everything
 * below 1 ms.
 */
#define HPD 200

static size_t
hist_bucket(double secs)
{
	double i;

	if (secs < 0.001)
		return 0;
	i = floor((log10(secs) + 3) * HPD);
	return i >= TALLY_HIST ? TALLY_HIST - 1 : (size_t)i;
}

static void
add_delay(struct tallies *t, double secs)
{
	if (secs < 0)
		return;
	if (t->delay_n == 0 || secs < t->delay_min)
		t->delay_min = secs;
	if (t->delay_n == 0 || secs > t->delay_max)
		t->delay_max = secs;
	t->delay_n++;
	t->hist[hist_bucket(secs)]++;
}

double
tally_delay_quantile(const struct tallies *t, double q)
{
	unsigned long want, seen = 0;

	if (t->delay_n == 0)
		return -1;
	if (q <= 0)
		return t->delay_min;
	if (q >= 1)
		return t->delay_max;
	/* the nearest-rank value: the ceil(q * n)-th smallest */
	want = (unsigned long)ceil(q * (double)t->delay_n);
	if (want == 0)
		want = 1;
	for (size_t i = 0; i < TALLY_HIST; i++) {
		seen += t->hist[i];
		if (seen >= want) {
			/* the bucket's geometric middle, within its range */
			double v = i == 0 ? t->delay_min :
			    pow(10, ((double)i + 0.5) / HPD - 3);

			if (v < t->delay_min)
				v = t->delay_min;
			if (v > t->delay_max)
				v = t->delay_max;
			return v;
		}
	}
	return t->delay_max;
}

void
tally_format_secs(double s, char *buf, size_t size)
{
	/* a log's delay= may say anything: past 10,000 days (or not a
	 * number) it is not cast to an int (found by fuzz_pipeline) */
	if (!(s >= 0))
		snprintf(buf, size, "-");
	else if (s >= 86400.0 * 10000)
		snprintf(buf, size, ">10000d");
	else if (s < 10)
		snprintf(buf, size, "%.2fs", s);
	else if (s < 60)
		snprintf(buf, size, "%.0fs", s);
	else if (s < 3600)
		snprintf(buf, size, "%dm%02ds", (int)s / 60, (int)s % 60);
	else if (s < 86400)
		snprintf(buf, size, "%dh%02dm", (int)(s / 3600),
		    (int)s % 3600 / 60);
	else
		snprintf(buf, size, "%dd%02dh", (int)(s / 86400),
		    (int)s % 86400 / 3600);
}

/*
 * The size= of m as strtoull() reads it: digits alone (nearly every
 * size) without it, whose call cost some 150 instructions a message.
 */
static unsigned long long
msg_size(const struct message *m)
{
	unsigned long long v = 0;
	const char *p = m->size;

	if (p == NULL)
		return 0;
	for (int i = 0; i < 19; i++, p++) {
		if (*p < '0' || *p > '9')
			return *p == '\0' && i > 0 ? v :
			    strtoull(m->size, NULL, 10);
		v = v * 10 + (unsigned long long)(*p - '0');
	}
	return strtoull(m->size, NULL, 10);
}

static void
top_add(struct tallies *t, enum tally_top which, const char *key,
    unsigned long long bytes)
{
	struct tally_row *r = tally_table_row(&t->top[which], key);

	r->n++;
	r->bytes += bytes;
}

/* One recipient of a message: delivered, deferred, bounced, expired. */
static void
message_rcpt(struct tallies *t, const struct message *m,
    const struct rcpt *r, unsigned long long size, bool forwarded,
    bool *seen)
{
	struct tally_row *rel = tally_table_row(&t->relays, r->relay ?
	    r->relay : "(none logged)");

	if (r->deferrals) {
		t->rcpts[TF_DEFERRED]++;
		t->deferral_events += r->deferrals;
		rel->deferrals += r->deferrals;
		count_out(t, &r->at, TO_DEFERRED, r->deferrals);
		seen[TF_DEFERRED] = true;
	}
	switch (r->status) {
	case RS_DELIVERED:
		if (forwarded)
			break;
		t->rcpts[TF_DELIVERED]++;
		seen[TF_DELIVERED] = true;
		if (r->remote) {
			t->rcpts[TF_RELAYED]++;
			seen[TF_RELAYED] = true;
		}
		t->bytes_delivered += size;
		rel->n++;
		rel->delivered++;
		rel->bytes += size;
		count_out(t, &r->at, TO_DELIVERED, 1);
		top_add(t, TT_RECIPIENTS, r->address ? r->address : "<>",
		    size);
		top_add(t, TT_RECIPIENT_DOMAINS, tally_domain(r->address),
		    size);
		{
			double d = r->delay;

			if (d < 0 && (r->at.flags & TS_SET) &&
			    (m->accepted_at.flags & TS_SET))
				d = (double)(ts_utc(&r->at) -
				    ts_utc(&m->accepted_at)) / 1e6;
			if (d >= 0) {
				add_delay(t, d);
				rel->delay_sum += d;
				rel->delay_n++;
			}
		}
		break;
	case RS_BOUNCED:
		t->rcpts[TF_BOUNCED]++;
		seen[TF_BOUNCED] = true;
		rel->bounced++;
		count_out(t, &r->at, TO_BOUNCED, 1);
		break;
	case RS_EXPIRED:
		t->rcpts[TF_EXPIRED]++;
		seen[TF_EXPIRED] = true;
		rel->expired++;
		count_out(t, &r->at, TO_EXPIRED, 1);
		break;
	default:
		break;
	}
}

void
tally_message(struct tallies *t, const struct message *m)
{
	unsigned long long size = msg_size(m);
	bool seen[TF__COUNT] = {0};
	enum tally_fig origin;

	if (m->accepted && !m->reinjected) {
		origin = m->smtp ? TF_RECEIVED_SMTP : message_null_sender(m) ?
		    TF_NOTICES : TF_RECEIVED_LOCAL;
		t->msgs[origin]++;
		t->rcpts[origin] += m->nrcpts;
		if (origin != TF_NOTICES) {
			t->msgs[TF_RECEIVED]++;
			t->rcpts[TF_RECEIVED] += m->nrcpts;
			t->bytes_received += size;
			count_out(t, &m->accepted_at, TO_RECEIVED, 1);
			top_add(t, TT_SENDERS, message_null_sender(m) ? "<>" :
			    m->sender, size);
			top_add(t, TT_SENDER_DOMAINS, message_null_sender(m) ?
			    "<>" : tally_domain(m->sender), size);
		}
	}
	if (m->held)
		t->msgs[TF_HELD]++;
	if (m->discarded)
		t->msgs[TF_DISCARDED]++;
	if (m->forwarded) {
		t->msgs[TF_FORWARDED]++;
		t->rcpts[TF_FORWARDED] += m->nrcpts;
	}
	for (size_t i = 0; i < m->nrcpts; i++)
		message_rcpt(t, m, &m->rcpts[i], size, m->forwarded, seen);
	for (int f = TF_DELIVERED; f < TF__COUNT; f++)
		if (seen[f])
			t->msgs[f]++;
}

/*
 * out = w, then a, then '.' and b when nb: what snprintf(out, size,
 * "%s%.*s.%.*s") gives, cut to size - 1 bytes as it cuts (snprintf cost
 * about 950 instructions a session).
 */
static void
put_version(char *out, size_t size, const char *w, const char *a, size_t na,
    const char *b, size_t nb)
{
	size_t n = 0;
	const char *part[] = {w, a, ".", b};
	size_t len[] = {strlen(w), na, nb ? 1 : 0, nb};

	for (size_t i = 0; i < 4 && size > 0; i++) {
		size_t l = len[i] < size - 1 - n ? len[i] : size - 1 - n;

		if (l == 0)
			continue;	/* b may be NULL when nb is 0 */
		memcpy(out + n, part[i], l);
		n += l;
	}
	if (size > 0)
		out[n] = '\0';
}

/* "TLSv1.3 with cipher ..." or "TLS1.3:ECDHE..." -> "TLSv1.3" */
static bool
tls_version(const char *s, char *out, size_t size)
{
	const char *p;

	for (p = s; (p = strstr(p, "TLS")) != NULL; p += 3) {
		const char *v = p + 3 + (p[3] == 'v');
		size_t n = strspn(v, "0123456789");

		if (n >= 1) {
			/* "TLS1_2" (Schannel's spelling) is TLSv1.2 */
			size_t m = (v[n] == '.' || v[n] == '_') ?
			    strspn(v + n + 1, "0123456789") : 0;

			put_version(out, size, "TLSv", v, n, v + n + 1, m);
			return true;
		}
	}
	if ((p = strstr(s, "SSLv")) != NULL) {
		put_version(out, size, "SSLv", p + 4, strspn(p + 4,
		    "0123456789."), NULL, 0);
		return true;
	}
	return false;
}

/* The failures a session did not keep past its cap (correlate.h). */
static void
omitted_failures(struct tallies *t, const struct session *s)
{
	for (int p = 0; p <= PHASE__COUNT; p++)
		for (int k = 0; k < KIND__COUNT; k++) {
			unsigned long n = s->omitted->fails[p][k];

			if (n == 0)
				continue;
			if (k == KIND_AUTH || (p - 1 == PHASE_AUTH &&
			    k == KIND_REJECTED)) {
				tally_table_row(&t->sasl_failed,
				    s->sasl_user ? s->sasl_user :
				    "(no user name logged)")->n += n;
				continue;
			}
			if ((k != KIND_REJECTED && k != KIND_TEMPFAIL) ||
			    p - 1 == PHASE_POSTQUEUE)
				continue;
			if (p - 1 == PHASE_RCPT)
				t->rcpts[TF_REJECTED] += n;
			else
				t->msgs[TF_REJECTED] += n;
			count_out(t, &s->start, TO_REJECTED, n);
		}
}

/* Refusals before queueing, and failed logins: from the failures. */
static void
session_failures(struct tallies *t, const struct session *s)
{
	for (size_t i = 0; i < s->nfails; i++) {
		const struct failure *f = &s->fails[i];

		if (f->kind == KIND_AUTH || (f->phase == PHASE_AUTH &&
		    f->kind == KIND_REJECTED)) {
			tally_table_row(&t->sasl_failed, s->sasl_user ?
			    s->sasl_user : "(no user name logged)")->n++;
			continue;
		}
		/* a line that explains a later refusal is not one itself */
		if ((f->kind != KIND_REJECTED && f->kind != KIND_TEMPFAIL) ||
		    f->phase == PHASE_POSTQUEUE || f->explains)
			continue;
		if (f->phase == PHASE_RCPT)
			t->rcpts[TF_REJECTED]++;
		else
			t->msgs[TF_REJECTED]++;
		count_out(t, &s->start, TO_REJECTED, 1);
	}
	if (s->omitted)
		omitted_failures(t, s);
}

void
tally_session(struct tallies *t, const struct session *s)
{
	struct tally_slot *h = slot_hour(t, &s->start);
	char v[32];

	if (h) {
		h->st[s->v.status]++;
		slot_day(t, &s->start)->st[s->v.status]++;
	}
	if (s->dir == DIR_INBOUND)
		session_failures(t, s);
	t->msgs[TF_HELD] += s->nhold;
	t->msgs[TF_DISCARDED] += s->ndiscard;
	if (s->tls && tls_version(s->tls, v, sizeof(v)))
		tally_table_row(&t->tls, v)->n++;
	else if (s->v.reached >= PHASE_MAIL)
		t->tls_none++;
	if (s->dir == DIR_INBOUND && s->client_ip) {
		struct tally_row *r;
		const struct message *m;

		/* "name[address]", in the run's buffer, with no printf */
		buf_reset(&t->key);
		if (s->client_name) {
			buf_adds(&t->key, s->client_name);
			buf_addc(&t->key, '[');
		}
		buf_adds(&t->key, s->client_ip);
		if (s->client_name)
			buf_addc(&t->key, ']');
		r = table_row(&t->top[TT_CLIENTS], t->key.s, t->key.len);
		r->n++;
		for (size_t i = 0;
		    (m = session_message(s, &i, SESSION_OWNED)) != NULL;)
			if (m->accepted && !m->reinjected)
				r->bytes += msg_size(m);
	}
}
