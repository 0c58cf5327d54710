/*
 * filter - see filter.h.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "diag.h"
#include "filter.h"
#include "rx.h"
#include "suggest.h"
#include "timestamp.h"

#define MAX_VALUES 16

struct net {
	int af;
	unsigned char addr[16];
	unsigned bits;
};

struct filter {
	bool status[STATUS__COUNT], any_status;
	bool phase[PHASE__COUNT], any_phase;
	const char *cause[MAX_VALUES];
	size_t ncause;
	struct net client[MAX_VALUES];
	size_t nclient;
	const char *from[MAX_VALUES], *to[MAX_VALUES], *code[MAX_VALUES];
	size_t nfrom, nto, ncode;
	pcre2_code *grep[MAX_VALUES];
	bool grep_jit[MAX_VALUES];
	size_t ngrep;
	pcre2_match_data *md;
	bool have_since, have_until;
	int64_t since_naive, since_utc, until_naive, until_utc;
};

struct filter *
filter_new(void)
{
	return xcalloc(1, sizeof(struct filter));
}

void
filter_free(struct filter *f)
{
	if (f == NULL)
		return;
	for (size_t i = 0; i < f->ngrep; i++)
		pcre2_code_free(f->grep[i]);
	if (f->md)
		pcre2_match_data_free(f->md);
	free(f);
}

static bool
room(const char *opt, size_t n)
{
	if (n < MAX_VALUES)
		return true;
	diag_error("option '%s': given more than %d times", opt, MAX_VALUES);
	return false;
}

bool
filter_status(struct filter *f, const char *opt, const char *v)
{
	enum status s;

	if (v == NULL) {	/* --failed */
		f->status[STATUS_FAILED] = f->status[STATUS_PARTIAL] = true;
		f->any_status = true;
		return true;
	}
	s = status_by_name(v, strlen(v));
	if (s == STATUS_NONE) {
		const char *names[STATUS__COUNT];

		for (int i = 0; i < STATUS__COUNT; i++)
			names[i] = status_name((enum status)i);
		suggest_unknown(opt, "status", v, names, STATUS__COUNT);
		return false;
	}
	f->status[s] = f->any_status = true;
	return true;
}

bool
filter_phase(struct filter *f, const char *opt, const char *v)
{
	enum phase p = phase_by_name(v, strlen(v));

	if (p == PHASE_NONE) {
		const char *names[PHASE__COUNT];

		for (int i = 0; i < PHASE__COUNT; i++)
			names[i] = phase_name((enum phase)i);
		suggest_unknown(opt, "phase", v, names, PHASE__COUNT);
		return false;
	}
	f->phase[p] = f->any_phase = true;
	return true;
}

bool
filter_cause(struct filter *f, const char *opt, const char *v)
{
	if (!room(opt, f->ncause))
		return false;
	f->cause[f->ncause++] = v;
	return true;
}

/* "192.0.2.0/24", "2001:db8::/32", or an address alone. */
static bool
parse_net(const char *v, struct net *n)
{
	char buf[64];
	const char *slash = strchr(v, '/');
	size_t len = slash ? (size_t)(slash - v) : strlen(v);
	unsigned max;

	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, v, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET, buf, n->addr) == 1) {
		n->af = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, n->addr) == 1) {
		n->af = AF_INET6;
		max = 128;
	} else {
		return false;
	}
	n->bits = max;
	if (slash) {
		char *end;
		long b = strtol(slash + 1, &end, 10);

		if (slash[1] == '\0' || *end != '\0' || b < 0 || b > max)
			return false;
		n->bits = (unsigned)b;
	}
	return true;
}

bool
filter_client(struct filter *f, const char *opt, const char *v)
{
	if (!room(opt, f->nclient))
		return false;
	if (!parse_net(v, &f->client[f->nclient])) {
		diag_error("option '%s': '%s' is not an IP address or "
		    "ADDRESS/PREFIX", opt, v);
		return false;
	}
	f->nclient++;
	return true;
}

bool
filter_from(struct filter *f, const char *opt, const char *v)
{
	if (!room(opt, f->nfrom))
		return false;
	f->from[f->nfrom++] = v;
	return true;
}

bool
filter_to(struct filter *f, const char *opt, const char *v)
{
	if (!room(opt, f->nto))
		return false;
	f->to[f->nto++] = v;
	return true;
}

/* "550", "5xx", "55x", "5.1.1", "5.7" */
static bool
code_ok(const char *v)
{
	size_t n = strlen(v);

	if (n == 3 && v[0] >= '2' && v[0] <= '5' && v[1] != '.') {
		for (size_t i = 1; i < 3; i++)
			if (!isdigit((unsigned char)v[i]) &&
			    v[i] != 'x' && v[i] != 'X')
				return false;
		return true;
	}
	if (n >= 3 && (v[0] == '2' || v[0] == '4' || v[0] == '5') &&
	    v[1] == '.') {
		for (size_t i = 2; i < n; i++)
			if (!isdigit((unsigned char)v[i]) && v[i] != '.')
				return false;
		return v[n - 1] != '.';
	}
	return false;
}

bool
filter_code(struct filter *f, const char *opt, const char *v)
{
	if (!room(opt, f->ncode))
		return false;
	if (!code_ok(v)) {
		diag_error("option '%s': '%s' is not a reply code (550, 5xx) "
		    "or an enhanced status code (5.1.1, 5.7)", opt, v);
		return false;
	}
	f->code[f->ncode++] = v;
	return true;
}

bool
filter_grep(struct filter *f, const char *opt, const char *v)
{
	char msg[256];
	size_t off;
	pcre2_code *re;
	bool jit;

	if (!room(opt, f->ngrep))
		return false;
	re = rx_compile(v, 0, &jit, msg, sizeof(msg), &off);
	if (re == NULL) {
		diag_error("option '%s': regex does not compile: %s at offset "
		    "%zu", opt, msg, off);
		return false;
	}
	f->grep_jit[f->ngrep] = jit;
	f->grep[f->ngrep++] = re;
	if (f->md == NULL)
		f->md = pcre2_match_data_create(1, NULL);
	return true;
}

/* --- time ---------------------------------------------------------------- */

/* The local zone's offset at t, in seconds east of UTC. */
static long
local_offset(time_t t)
{
	struct tm lt;

	localtime_r(&t, &lt);
	return lt.tm_gmtoff;
}

static int
num(const char **p, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + (*p)[i] - '0';
	}
	*p += n;
	return v;
}

/* "now", "today", "yesterday", "-24h", "-90m", "-7d", "-30s": 1 when
 * v is one (times set), 0 when it is none, -1 when it is a bad one. */
static int
relative_time(const char *v, time_t now, int64_t *naive_us, int64_t *utc_us)
{
	const int64_t M = 1000000;
	struct tm tm;
	time_t t;

	if (strcmp(v, "now") == 0) {
		*utc_us = (int64_t)now * M;
		*naive_us = *utc_us + local_offset(now) * M;
		return 1;
	}
	if (strcmp(v, "today") == 0 || strcmp(v, "yesterday") == 0) {
		localtime_r(&now, &tm);
		if (v[0] == 'y')
			tm.tm_mday--;
		tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
		tm.tm_isdst = -1;
		t = mktime(&tm);	/* normalises the day */
		localtime_r(&t, &tm);
		*utc_us = (int64_t)t * M;
		*naive_us = (ts_days_from_civil(tm.tm_year + 1900,
		    tm.tm_mon + 1, tm.tm_mday) * 86400 +
		    tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec) * M;
		return 1;
	}
	if (v[0] == '-') {
		char *end;
		long n = strtol(v + 1, &end, 10);
		long unit;

		if (end == v + 1 || n < 0 || end[0] == '\0' || end[1] != '\0')
			return -1;
		switch (*end) {
		case 's': unit = 1; break;
		case 'm': unit = 60; break;
		case 'h': unit = 3600; break;
		case 'd': unit = 86400; break;
		default: return -1;
		}
		if (n > 100L * 366 * 86400 / unit)
			return -1;
		t = now - (time_t)(n * unit);
		*utc_us = (int64_t)t * M;
		*naive_us = *utc_us + local_offset(t) * M;
		return 1;
	}
	return 0;
}

bool
filter_parse_time(const char *v, time_t now, int64_t *naive_us,
    int64_t *utc_us)
{
	const int64_t M = 1000000;
	const char *p = v;
	int y, mo, d, h = 0, mi = 0, s = 0;
	struct tm tm;
	time_t t;

	switch (relative_time(v, now, naive_us, utc_us)) {
	case 1:
		return true;
	case -1:
		return false;
	}
	if ((y = num(&p, 4)) < 0 || *p++ != '-' || (mo = num(&p, 2)) < 1 ||
	    mo > 12 || *p++ != '-' || (d = num(&p, 2)) < 1 || d > 31)
		return false;
	if (*p == 'T' || *p == ' ') {
		p++;
		if ((h = num(&p, 2)) < 0 || h > 23 || *p++ != ':' ||
		    (mi = num(&p, 2)) < 0 || mi > 59)
			return false;
		if (*p == ':' && ((p++, s = num(&p, 2)) < 0 || s > 60))
			return false;
	}
	*naive_us = (ts_days_from_civil(y, mo, d) * 86400 + h * 3600 +
	    mi * 60 + s) * M;
	if (*p == '\0') {
		memset(&tm, 0, sizeof(tm));
		tm.tm_year = y - 1900;
		tm.tm_mon = mo - 1;
		tm.tm_mday = d;
		tm.tm_hour = h;
		tm.tm_min = mi;
		tm.tm_sec = s;
		tm.tm_isdst = -1;
		t = mktime(&tm);
		if (t == (time_t)-1 && !(y == 1969 && mo == 12 && d == 31))
			return false;
		*utc_us = (int64_t)t * M;
		return true;
	}
	if (strcmp(p, "Z") == 0) {
		*utc_us = *naive_us;
		return true;
	}
	if (*p == '+' || *p == '-') {
		int sign = *p == '-' ? -1 : 1, oh, om;

		p++;
		if ((oh = num(&p, 2)) < 0 || oh > 23)
			return false;
		if (*p == ':')
			p++;
		if ((om = num(&p, 2)) < 0 || om > 59 || *p != '\0')
			return false;
		*utc_us = *naive_us - sign * (oh * 3600 + om * 60) * M;
		return true;
	}
	return false;
}

static bool
set_time(const char *opt, const char *v, time_t now, int64_t *naive,
    int64_t *utc)
{
	if (filter_parse_time(v, now, naive, utc))
		return true;
	diag_error("option '%s': '%s' is not a time (2026-11-22, "
	    "2026-11-22T06:00[:00][Z|+01:00], today, yesterday, now, -24h, "
	    "-7d)", opt, v);
	return false;
}

bool
filter_since(struct filter *f, const char *opt, const char *v, time_t now)
{
	f->have_since = set_time(opt, v, now, &f->since_naive, &f->since_utc);
	return f->have_since;
}

bool
filter_until(struct filter *f, const char *opt, const char *v, time_t now)
{
	f->have_until = set_time(opt, v, now, &f->until_naive, &f->until_utc);
	return f->have_until;
}

bool
filter_validate(const struct filter *f, const char *const *causes,
    size_t ncauses)
{
	for (size_t i = 0; i < f->ncause; i++) {
		bool known = false;

		for (size_t j = 0; j < ncauses && !known; j++)
			known = strcmp(f->cause[i], causes[j]) == 0;
		if (!known) {
			suggest_unknown("--cause", "cause", f->cause[i],
			    causes, ncauses);
			return false;
		}
	}
	if (f->have_since && f->have_until &&
	    f->until_utc <= f->since_utc) {
		diag_error("option '--until': it is not after '--since': "
		    "no session can be in between");
		return false;
	}
	return true;
}

bool
filter_needs_text(const struct filter *f)
{
	return f->ngrep > 0;
}

bool
filter_active(const struct filter *f)
{
	return f->any_status || f->any_phase || f->ncause || f->nclient ||
	    f->nfrom || f->nto || f->ncode || f->ngrep || f->have_since ||
	    f->have_until;
}

/* --- matching ------------------------------------------------------------ */

/* A time in the frame the filter's bound uses: UTC when the log's stamp
 * had a zone, else local wall time. */
static int64_t
frame(const struct ts *t, int64_t naive, int64_t utc, int64_t *bound)
{
	*bound = (t->flags & TS_OFFSET) ? utc : naive;
	return ts_utc(t);
}

static bool
in_window(const struct filter *f, const struct session *s)
{
	int64_t b;

	if (!(s->start.flags & TS_SET) || !(s->end.flags & TS_SET))
		return false;
	if (f->have_since && frame(&s->end, f->since_naive, f->since_utc,
	    &b) < b)
		return false;
	if (f->have_until && frame(&s->start, f->until_naive, f->until_utc,
	    &b) >= b)
		return false;
	return true;
}

static bool
ip_in(const struct net *n, const char *ip)
{
	unsigned char a[16];
	unsigned full, rest;

	if (ip == NULL || inet_pton(n->af, ip, a) != 1)
		return false;
	full = n->bits / 8;
	rest = n->bits % 8;
	if (memcmp(a, n->addr, full) != 0)
		return false;
	return rest == 0 ||
	    ((a[full] ^ n->addr[full]) & (0xff00 >> rest) & 0xff) == 0;
}

/* "127.0.0.1[127.0.0.1]:10029" or "mx.example[192.0.2.1]": the address */
static bool
relay_in(const struct net *n, const char *relay)
{
	const char *a, *b;
	char buf[64];

	if (relay == NULL || (a = strchr(relay, '[')) == NULL ||
	    (b = strchr(a, ']')) == NULL || (size_t)(b - a - 1) >= sizeof(buf))
		return false;
	memcpy(buf, a + 1, (size_t)(b - a - 1));
	buf[b - a - 1] = '\0';
	return ip_in(n, buf);
}

static bool
client_ok(const struct filter *f, const struct session *s)
{
	for (size_t i = 0; i < f->nclient; i++)
		if (ip_in(&f->client[i], s->client_ip) ||
		    relay_in(&f->client[i], s->relay))
			return true;
	return false;
}

/* "user@example.com" matches itself; "example.com" or "@example.com"
 * matches every address of that domain. Case does not matter. */
static bool
addr_match(const char *want, const char *addr)
{
	size_t wl, al;

	if (addr == NULL)
		return false;
	if (want[0] != '@' && strchr(want, '@') != NULL)
		return strcasecmp(want, addr) == 0;
	if (want[0] == '@')
		want++;
	wl = strlen(want);
	al = strlen(addr);
	return al > wl && addr[al - wl - 1] == '@' &&
	    strcasecmp(addr + al - wl, want) == 0;
}

static bool
from_ok(const struct filter *f, const struct session *s)
{
	for (size_t i = 0; i < f->nfrom; i++) {
		const struct message *m;
		size_t j = 0;

		if (addr_match(f->from[i], s->sender))
			return true;
		while ((m = session_message(s, &j, SESSION_FINAL)) != NULL)
			if (addr_match(f->from[i], m->sender))
				return true;
	}
	return false;
}

static bool
to_ok(const struct filter *f, const struct session *s)
{
	for (size_t i = 0; i < f->nto; i++) {
		struct session_iter it = SESSION_ITER_INIT;
		const struct rcpt *r;

		while ((r = session_rcpt(s, &it)) != NULL)
			if (addr_match(f->to[i], r->address))
				return true;
	}
	return false;
}

static bool
code_match(const char *want, const char *reply, const char *enhanced)
{
	if (want[1] == '.') {
		size_t n = strlen(want);

		return enhanced != NULL && strncmp(enhanced, want, n) == 0 &&
		    (enhanced[n] == '\0' || enhanced[n] == '.');
	}
	if (reply == NULL || strlen(reply) != 3)
		return false;
	for (int i = 0; i < 3; i++)
		if (want[i] != 'x' && want[i] != 'X' && want[i] != reply[i])
			return false;
	return true;
}

static bool
code_ok_in(const struct filter *f, const struct session *s)
{
	for (size_t i = 0; i < f->ncode; i++) {
		const char *w = f->code[i];
		struct session_iter it = SESSION_ITER_INIT;
		const struct rcpt *r;

		if (code_match(w, s->v.reply, s->v.enhanced))
			return true;
		for (size_t j = 0; j < s->nfails; j++)
			if (code_match(w, s->fails[j].reply,
			    s->fails[j].enhanced))
				return true;
		while ((r = session_rcpt(s, &it)) != NULL)
			if (code_match(w, r->reply, r->enhanced))
				return true;
	}
	return false;
}

/* Does --grep number g match one of the lines? (0: a match whose
 * groups did not fit the one-pair match data) */
static bool
lines_grep(const struct filter *f, size_t g, const struct lineref *l,
    size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (l[i].text && rx_match(f->grep[g], f->grep_jit[g],
		    l[i].text, strlen(l[i].text), f->md) >= 0)
			return true;
	return false;
}

static bool
grep_ok(const struct filter *f, const struct session *s)
{
	for (size_t i = 0; i < f->ngrep; i++) {
		const struct message *m;
		size_t j = 0;

		if (lines_grep(f, i, s->lines, s->nlines))
			return true;
		while ((m = session_message(s, &j, SESSION_OWNED)) != NULL)
			if (lines_grep(f, i, m->lines, m->nlines))
				return true;
	}
	return false;
}

bool
filter_match(const struct filter *f, const struct session *s)
{
	const struct verdict *v = &s->v;

	if (f->any_status && !f->status[v->status])
		return false;
	if (f->any_phase && (v->phase == PHASE_NONE || !f->phase[v->phase]))
		return false;
	if (f->ncause) {
		size_t i = 0;

		while (i < f->ncause && (v->cause == NULL ||
		    strcmp(f->cause[i], v->cause) != 0))
			i++;
		if (i == f->ncause)
			return false;
	}
	if ((f->have_since || f->have_until) && !in_window(f, s))
		return false;
	if (f->nclient && !client_ok(f, s))
		return false;
	if (f->nfrom && !from_ok(f, s))
		return false;
	if (f->nto && !to_ok(f, s))
		return false;
	if (f->ncode && !code_ok_in(f, s))
		return false;
	if (f->ngrep && !grep_ok(f, s))
		return false;
	return true;
}

bool
filter_time_in(const struct filter *f, const struct ts *t)
{
	int64_t b;

	if (!(t->flags & TS_SET))
		return true;
	if (f->have_since && frame(t, f->since_naive, f->since_utc, &b) < b)
		return false;
	if (f->have_until && frame(t, f->until_naive, f->until_utc, &b) >= b)
		return false;
	return true;
}

void
filter_window(const struct filter *f, int64_t *since_utc, int64_t *until_utc)
{
	*since_utc = f->have_since ? f->since_utc : INT64_MIN;
	*until_utc = f->have_until ? f->until_utc : INT64_MAX;
}
