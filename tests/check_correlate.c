/*
 * check_correlate - correlate.h's rules, driven through its API with
 * lines matched by the shipped pattern sets (patterns/ of the source
 * tree, or SMTPLOG_ANALYZE_PATTERNS).
 *
 * Each scenario is a list of log lines written for the test (addresses of
 * the documentation ranges; no line is copied from a real log), each
 * matched by the first set that knows it (pattern_set_match()), its time
 * stamp parsed (ts_parse(), year 2026), and fed with correlator_feed(),
 * in order, from a scratch buffer that is wiped after each feed (so that
 * a correlator that kept a view into the caller's line would show
 * garbage); then correlator_flush(). The emit callback writes each
 * session as one line of text:
 *
 *	WHO STATUS PHASE KIND REPLY CAUSE
 *
 * (WHO the client port, or "out" for an outbound session; "-" for none),
 * its recipients as "address:status,...", and the number of lines fed
 * when it was emitted (0: by the flush). Each failure prints the got and
 * want of those lines.
 *
 * The cases that fail when a rule of the correlator breaks:
 *	"pid reused after disconnect", "pid reused without disconnect"
 *	        a connect on a live key starts a new session
 *	"re-injected by a content filter"
 *	        the copy's deliveries are the original's; the re-injecting
 *	        session is folded away, not emitted
 *	"pipelined, inbound" and "pipelined, outbound"
 *	        each reply answers its own command (transcript.h)
 *	"held until its message leaves"
 *	        a closed session waits for its queued message
 *	"max-open evicts the oldest", "max-open evicts held first"
 *	        past max_open the oldest is handed on, marked evicted
 *	"main and reject log"
 *	        a failure line another file repeats is dropped
 *	"outbound ends once quiet after its result"
 *	        a delivery process's session ends 5 minutes after its result
 *	wants_before_classify
 *	        a session --id does not want is neither classified nor
 *	        handed on, but still counted
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "correlate.h"
#include "pattern.h"
#include "session.h"
#include "timestamp.h"

static struct pattern_db *db;

static void
load_db(void)
{
	const char *env = getenv("SMTPLOG_ANALYZE_PATTERNS");
	const char *dirs[] = {env && *env ? env : SRCDIR "/patterns"};

	db = pattern_db_load(dirs, 1);
	ck_assert_msg(db != NULL, "cannot load patterns from '%s'", dirs[0]);
}

static void
free_db(void)
{
	pattern_db_free(db);
	db = NULL;
}

/* --- what emit() is handed ---------------------------------------------- */

#define MAX_RECS 8

struct rec {
	char verdict[160];
	char rcpts[160];
	size_t at;	/* lines fed when emitted; 0: by the flush */
	size_t nlines;
	bool evicted;
};

struct run {
	struct rec recs[MAX_RECS];
	size_t n;
	size_t fed;
	bool flushing;
	unsigned long folded, duplicates, evicted, messages, sessions;
	const char *want_port;	/* wants(): only this client port */
	unsigned long asked;	/* times wants() was asked */
};

static const char *
or_dash(const char *s)
{
	return s && *s ? s : "-";
}

static void
record(const struct session *s, void *arg)
{
	struct run *r = arg;
	struct rec *rc;
	struct session_iter it = SESSION_ITER_INIT;
	const struct rcpt *rp;
	size_t len = 0;

	ck_assert_msg(r->n < MAX_RECS, "more than %d sessions", MAX_RECS);
	rc = &r->recs[r->n++];
	snprintf(rc->verdict, sizeof(rc->verdict), "%s %s %s %s %s %s",
	    s->dir == DIR_OUTBOUND ? "out" : or_dash(s->client_port),
	    status_name(s->v.status), or_dash(phase_name(s->v.phase)),
	    or_dash(kind_name(s->v.kind)), or_dash(s->v.reply),
	    or_dash(s->v.cause));
	rc->rcpts[0] = '\0';
	while ((rp = session_rcpt(s, &it)) != NULL && len < sizeof(rc->rcpts))
		len += (size_t)snprintf(rc->rcpts + len,
		    sizeof(rc->rcpts) - len, "%s%s:%s", len ? "," : "",
		    or_dash(rp->address), or_dash(rstatus_name(rp->status)));
	rc->at = r->flushing ? 0 : r->fed;
	rc->nlines = s->nlines;
	rc->evicted = s->evicted;
}

/* correlate_opts.wants, as --id: the session of one client port */
static bool
wants_port(const struct session *s, void *arg)
{
	struct run *r = arg;

	r->asked++;
	ck_assert_msg(s->v.outcome == NULL,
	    "wants() asked after classify()");
	return s->client_port && strcmp(s->client_port, r->want_port) == 0;
}

/* A line as the shipped patterns read it: the first set that knows it. */
static void
match_line(struct strview line, struct match *m)
{
	for (size_t i = 0; i < pattern_db_count(db); i++)
		if (pattern_set_match(pattern_db_set(db, i), line, false, m) &&
		    m->pat != NULL)
			return;
	ck_abort_msg("no pattern knows: %.*s", (int)line.len, line.p);
}

/*
 * Feed the lines; a line starting with "@N " is of file N (else file 0),
 * as a second input file (Exim's reject log) would be.
 */
static void
run_lines(struct run *r, const char *const *lines, size_t max_open,
    int idle_s)
{
	struct correlate_opts o = {.max_open = max_open, .db = db,
	    .emit = record, .arg = r, .idle_us = idle_s * 1000000LL,
	    .wants = r->want_port ? wants_port : NULL};
	struct correlator *c = correlator_new(&o);
	const struct correlate_stats *st;
	struct ts_year yr;
	char scratch[4096];

	ts_year_init(&yr, 0, 2026);
	for (size_t i = 0; lines[i]; i++) {
		const char *l = lines[i];
		uint32_t file = 0;
		size_t len;
		struct strview line;
		struct match m;
		struct ts ts = {0};

		if (l[0] == '@') {
			file = (uint32_t)(l[1] - '0');
			l += 3;
		}
		len = strlen(l);
		ck_assert_msg(len < sizeof(scratch), "line %zu: %zu bytes, "
		    "want < %zu", i + 1, len, sizeof(scratch));
		memcpy(scratch, l, len);
		line = (struct strview){scratch, len};
		match_line(line, &m);
		ck_assert_msg(m.f[F_TS].p == NULL || ts_parse(m.f[F_TS], &yr,
		    &ts), "time stamp not understood: %s", l);
		r->fed = i + 1;
		correlator_feed(c, &m, &ts, file, (uint32_t)(i + 1), line,
		    -1);
		memset(scratch, '#', sizeof(scratch));
	}
	r->flushing = true;
	correlator_flush(c);
	st = correlator_stats(c);
	r->folded = st->folded;
	r->duplicates = st->duplicates;
	r->evicted = st->evicted;
	r->messages = st->messages;
	r->sessions = st->sessions;
	correlator_free(c);
}

/* --- the lines ---------------------------------------------------------- */

#define PF(ts, daemon, text) "Mar  4 " ts " mx1 postfix/" daemon ": " text
#define SMTPD(ts, text) PF(ts, "smtpd[4101]", text)
#define CLIENT(port) "client.example.test[192.0.2.20]:" port
#define REJECT_RCPT(port) \
	"NOQUEUE: reject: RCPT from " CLIENT(port) ": 550 5.1.1 " \
	"<nobody@example.test>: Recipient address rejected: User unknown in " \
	"local recipient table; from=<anna@client.example.test> " \
	"to=<nobody@example.test> proto=ESMTP helo=<client.example.test>"

/* two smtpd processes, their lines interleaved */
static const char *const two_pids[] = {
	SMTPD("10:00:01", "connect from " CLIENT("40001")),
	PF("10:00:01", "smtpd[4102]", "connect from "
	    "other.example.test[192.0.2.30]:40002"),
	SMTPD("10:00:02", REJECT_RCPT("40001")),
	PF("10:00:02", "smtpd[4102]", "disconnect from "
	    "other.example.test[192.0.2.30]:40002 ehlo=1 quit=1 commands=2"),
	SMTPD("10:00:03", "disconnect from " CLIENT("40001") " ehlo=1 mail=1 "
	    "rcpt=0/1 quit=1 commands=3/4"),
	NULL,
};

/* smtpd[4101] serves 40001, then 40003 */
static const char *const pid_reused[] = {
	SMTPD("10:00:01", "connect from " CLIENT("40001")),
	SMTPD("10:00:02", REJECT_RCPT("40001")),
	SMTPD("10:00:03", "disconnect from " CLIENT("40001") " ehlo=1 mail=1 "
	    "rcpt=0/1 quit=1 commands=3/4"),
	SMTPD("10:00:04", "connect from " CLIENT("40003")),
	SMTPD("10:00:05", "disconnect from " CLIENT("40003") " ehlo=1 quit=1 "
	    "commands=2"),
	NULL,
};

/* the same without the first disconnect (a log that lost it) */
static const char *const pid_reused_no_disconnect[] = {
	SMTPD("10:00:01", "connect from " CLIENT("40001")),
	SMTPD("10:00:02", REJECT_RCPT("40001")),
	SMTPD("10:00:04", "connect from " CLIENT("40003")),
	SMTPD("10:00:05", "disconnect from " CLIENT("40003") " ehlo=1 quit=1 "
	    "commands=2"),
	NULL,
};

/*
 * A content filter: smtpd[4101] takes 3F2A1B0C9D from the client; our
 * smtp client hands it to the filter on 10024, which re-injects it
 * through smtpd[4201] on 10025 as 7E5D4C3B2A; that is delivered.
 */
#define LOCAL "localhost[127.0.0.1]:43000"
static const char *const reinjected[] = {
	SMTPD("10:00:01", "connect from " CLIENT("42000")),
	SMTPD("10:00:01", "3F2A1B0C9D: client=" CLIENT("42000")),
	PF("10:00:01", "cleanup[4102]", "3F2A1B0C9D: "
	    "message-id=<r1@client.example.test>"),
	PF("10:00:01", "qmgr[4100]", "3F2A1B0C9D: "
	    "from=<anna@client.example.test>, size=500, nrcpt=1 "
	    "(queue active)"),
	SMTPD("10:00:02", "disconnect from " CLIENT("42000") " ehlo=1 mail=1 "
	    "rcpt=1 data=1 quit=1 commands=5"),
	PF("10:00:02", "smtpd[4201]", "connect from " LOCAL),
	PF("10:00:02", "smtpd[4201]", "7E5D4C3B2A: client=" LOCAL),
	PF("10:00:02", "cleanup[4102]", "7E5D4C3B2A: "
	    "message-id=<r1@client.example.test>"),
	PF("10:00:02", "qmgr[4100]", "7E5D4C3B2A: "
	    "from=<anna@client.example.test>, size=900, nrcpt=1 "
	    "(queue active)"),
	PF("10:00:02", "smtpd[4201]", "disconnect from " LOCAL " ehlo=1 "
	    "mail=1 rcpt=1 data=1 quit=1 commands=5"),
	PF("10:00:02", "smtp[4103]", "3F2A1B0C9D: to=<bob@example.test>, "
	    "relay=127.0.0.1[127.0.0.1]:10024, delay=1, delays=0/0/0/1, "
	    "dsn=2.0.0, status=sent (250 2.0.0 from "
	    "MTA(smtp:[127.0.0.1]:10025): 250 2.0.0 Ok: queued as "
	    "7E5D4C3B2A)"),
	PF("10:00:02", "qmgr[4100]", "3F2A1B0C9D: removed"),
	PF("10:00:03", "local[4104]", "7E5D4C3B2A: to=<bob@example.test>, "
	    "relay=local, delay=1.2, delays=0/0/0/0.2, dsn=2.0.0, "
	    "status=sent (delivered to mailbox)"),
	PF("10:00:03", "qmgr[4100]", "7E5D4C3B2A: removed"),
	NULL,
};

/*
 * RFC 2920: the client sent MAIL, RCPT and DATA at once; the replies
 * came after, 250, 550 5.1.1, 554 5.5.1 (smtpd with debug_peer_list).
 */
#define PEER "client.example.test[192.0.2.20]:40005"
static const char *const pipelined_in[] = {
	SMTPD("10:00:01", "connect from " PEER),
	SMTPD("10:00:01", "> " PEER ": 220 mx1.example.test ESMTP"),
	SMTPD("10:00:01", "< " PEER ": EHLO client.example.test"),
	SMTPD("10:00:01", "> " PEER ": 250-mx1.example.test"),
	SMTPD("10:00:01", "> " PEER ": 250 PIPELINING"),
	SMTPD("10:00:02", "< " PEER ": MAIL FROM:<anna@client.example.test>"),
	SMTPD("10:00:02", "< " PEER ": RCPT TO:<nobody@example.test>"),
	SMTPD("10:00:02", "< " PEER ": DATA"),
	SMTPD("10:00:02", "> " PEER ": 250 2.1.0 Ok"),
	SMTPD("10:00:02", "> " PEER ": 550 5.1.1 <nobody@example.test>: "
	    "Recipient address rejected: User unknown in local recipient "
	    "table"),
	SMTPD("10:00:02", "> " PEER ": 554 5.5.1 Error: no valid recipients"),
	SMTPD("10:00:03", "< " PEER ": QUIT"),
	SMTPD("10:00:03", "> " PEER ": 221 2.0.0 Bye"),
	SMTPD("10:00:03", "disconnect from " PEER " ehlo=1 mail=1 rcpt=0/1 "
	    "data=0/1 quit=1 commands=3/5"),
	NULL,
};

/* the same from our smtp client's side, delivering 5B6C7D8E9F */
#define REMOTE "mx.partner.example.test[198.51.100.7]:25"
#define SMTP(ts, text) PF(ts, "smtp[4103]", text)
static const char *const pipelined_out[] = {
	SMTP("10:00:01", "< " REMOTE ": 220 mx.partner.example.test ESMTP"),
	SMTP("10:00:01", "> " REMOTE ": EHLO mx1.example.test"),
	SMTP("10:00:01", "< " REMOTE ": 250-mx.partner.example.test"),
	SMTP("10:00:01", "< " REMOTE ": 250 PIPELINING"),
	SMTP("10:00:02", "> " REMOTE ": MAIL FROM:<anna@example.test>"),
	SMTP("10:00:02", "> " REMOTE ": RCPT TO:<ghost@partner.example.test>"),
	SMTP("10:00:02", "> " REMOTE ": DATA"),
	SMTP("10:00:02", "< " REMOTE ": 250 2.1.0 Ok"),
	SMTP("10:00:02", "< " REMOTE ": 550 5.1.1 "
	    "<ghost@partner.example.test>: Recipient address rejected: User "
	    "unknown in virtual mailbox table"),
	SMTP("10:00:02", "< " REMOTE ": 554 5.5.1 Error: no valid recipients"),
	SMTP("10:00:02", "> " REMOTE ": QUIT"),
	NULL,
};

/* the session ends at line 5; its message is bounced at line 7 */
static const char *const held[] = {
	SMTPD("10:00:01", "connect from " CLIENT("40007")),
	SMTPD("10:00:01", "5B6C7D8E9F: client=" CLIENT("40007")),
	PF("10:00:01", "cleanup[4102]", "5B6C7D8E9F: "
	    "message-id=<h1@client.example.test>"),
	PF("10:00:01", "qmgr[4100]", "5B6C7D8E9F: "
	    "from=<anna@client.example.test>, size=700, nrcpt=1 "
	    "(queue active)"),
	SMTPD("10:00:02", "disconnect from " CLIENT("40007") " ehlo=1 mail=1 "
	    "rcpt=1 data=1 quit=1 commands=5"),
	SMTPD("10:00:03", "connect from " CLIENT("40008")),
	SMTP("10:05:00", "5B6C7D8E9F: to=<ghost@partner.example.test>, "
	    "relay=" "mx.partner.example.test[198.51.100.7]:25, delay=299, "
	    "delays=0/0/0.1/0.1, dsn=5.1.1, status=bounced (host "
	    "mx.partner.example.test[198.51.100.7] said: 550 5.1.1 "
	    "<ghost@partner.example.test>: Recipient address rejected: User "
	    "unknown (in reply to RCPT TO command))"),
	PF("10:05:00", "qmgr[4100]", "5B6C7D8E9F: removed"),
	SMTPD("10:05:01", "disconnect from " CLIENT("40008") " ehlo=1 quit=1 "
	    "commands=2"),
	NULL,
};

/* five smtpd processes, none closes */
#define OPEN(pid, port) PF("10:00:01", "smtpd[" pid "]", "connect from " \
	CLIENT(port))
static const char *const five_open[] = {
	OPEN("4301", "40011"), OPEN("4302", "40012"), OPEN("4303", "40013"),
	OPEN("4304", "40014"), OPEN("4305", "40015"), NULL,
};

/* a held session (its message queued) and two open ones */
static const char *const held_and_open[] = {
	SMTPD("10:00:01", "connect from " CLIENT("40021")),
	SMTPD("10:00:01", "6A7B8C9D0E: client=" CLIENT("40021")),
	PF("10:00:01", "qmgr[4100]", "6A7B8C9D0E: "
	    "from=<anna@client.example.test>, size=700, nrcpt=1 "
	    "(queue active)"),
	SMTPD("10:00:02", "disconnect from " CLIENT("40021") " ehlo=1 mail=1 "
	    "rcpt=1 data=1 quit=1 commands=5"),
	OPEN("4302", "40022"), OPEN("4303", "40023"), NULL,
};

/*
 * Exim with +pid and +incoming_port: the main log (file 0), then the
 * reject log (file 1), which repeats the refusal's line byte for byte.
 */
#define EXIM(t, pid, text) "2026-03-04 10:00:" t " +0000 [" pid "] " text
#define EX_CLIENT "(client.example.test) [192.0.2.21]:40030"
#define EX_REJECT EXIM("01.200", "5102", "H=" EX_CLIENT " " \
	"F=<anna@client.example.test> rejected RCPT <nobody@example.test>: " \
	"Unrouteable address")
static const char *const main_and_reject[] = {
	EXIM("01.100", "5101", "SMTP connection from [192.0.2.21]:40030 "
	    "(TCP/IP connection count = 1)"),
	EX_REJECT,
	EXIM("01.300", "5102", "H=" EX_CLIENT " incomplete transaction "
	    "(QUIT) from <anna@client.example.test>"),
	EXIM("01.300", "5102", "SMTP connection from " EX_CLIENT " closed by "
	    "QUIT"),
	"@1 " EX_REJECT,
	NULL,
};

/*
 * A delivery, then inbound sessions at 2 and 6 minutes: the outbound
 * session (whose end Postfix does not log) ends once its process has been
 * quiet for 5 minutes, not after the hour of --session-timeout, nor
 * before the 5 minutes.
 */
static const char *const delivered_then_quiet[] = {
	SMTP("10:00:00", "5C6D7E8F9A: to=<bob@partner.example.test>, "
	    "relay=" REMOTE ", delay=1.2, delays=0/0/0.1/1.1, dsn=2.0.0, "
	    "status=sent (250 2.0.0 Ok: queued as 1A2B3C4D5E)"),
	SMTPD("10:02:00", "connect from " CLIENT("40060")),
	SMTPD("10:02:01", "disconnect from " CLIENT("40060") " ehlo=1 quit=1 "
	    "commands=2"),
	SMTPD("10:06:00", "connect from " CLIENT("40061")),
	SMTPD("10:06:01", "disconnect from " CLIENT("40061") " ehlo=1 quit=1 "
	    "commands=2"),
	NULL,
};

/* --- the table ---------------------------------------------------------- */

struct want {
	const char *verdict;	/* WHO STATUS PHASE KIND REPLY CAUSE */
	const char *rcpts;	/* NULL: not checked */
	int at;	/* lines fed when emitted, 0: by the flush */
	bool evicted;
};

struct scenario {
	const char *name;
	const char *const *lines;
	size_t max_open;
	size_t nsessions;
	struct want want[5];
	unsigned long folded, duplicates, evicted;	/* correlate_stats */
	int idle_s;	/* --session-timeout; 0: none */
};

static const struct scenario scenarios[] = {
	{"sessions by their key", two_pids, 0, 2, {
	    {"40002 ok - - - -", "", 4, false},
	    {"40001 failed rcpt rejected 550 unknown-user",
	    "nobody@example.test:rejected", 5, false}},
	    0, 0, 0, 0},
	{"pid reused after disconnect", pid_reused, 0, 2, {
	    {"40001 failed rcpt rejected 550 unknown-user", NULL, 3, false},
	    {"40003 ok - - - -", "", 5, false}},
	    0, 0, 0, 0},
	{"pid reused without disconnect", pid_reused_no_disconnect, 0, 2, {
	    {"40001 failed rcpt rejected 550 unknown-user", NULL, 3, false},
	    {"40003 ok - - - -", "", 4, false}},
	    0, 0, 0, 0},
	/* one inbound session, whose recipient is the copy's; the
	 * hand-off to the filter is an outbound session of its own */
	{"re-injected by a content filter", reinjected, 0, 2, {
	    {"42000 ok - - - -", "bob@example.test:delivered", 14, false},
	    {"out ok - - - -", "bob@example.test:delivered", 0, false}},
	    1, 0, 0, 0},
	{"pipelined, inbound", pipelined_in, 0, 1, {
	    {"40005 failed rcpt rejected 550 unknown-user", NULL, 14,
	    false}},
	    0, 0, 0, 0},
	{"pipelined, outbound", pipelined_out, 0, 1, {
	    {"out failed rcpt rejected 550 unknown-user", NULL, 0, false}},
	    0, 0, 0, 0},
	{"held until its message leaves", held, 0, 3, {
	    {"40007 failed post-queue bounced 550 unknown-user",
	    "ghost@partner.example.test:bounced", 8, false},
	    {"40008 ok - - - -", "", 9, false},
	    {"out failed rcpt rejected 550 unknown-user",
	    "ghost@partner.example.test:rejected", 0, false}},
	    0, 0, 0, 0},
	{"max-open evicts the oldest", five_open, 2, 5, {
	    {"40011 incomplete - - - -", "", 3, true},
	    {"40012 incomplete - - - -", "", 4, true},
	    {"40013 incomplete - - - -", "", 5, true},
	    {"40014 incomplete - - - -", "", 0, false},
	    {"40015 incomplete - - - -", "", 0, false}},
	    0, 0, 3, 0},
	/* closed: handed on as it stands, not marked evicted */
	{"max-open evicts held first", held_and_open, 2, 3, {
	    {"40021 ok - - - -", NULL, 6, false},
	    {"40022 incomplete - - - -", "", 0, false},
	    {"40023 incomplete - - - -", "", 0, false}},
	    0, 0, 1, 0},
	{"main and reject log", main_and_reject, 0, 1, {
	    {"40030 failed rcpt rejected - unknown-user",
	    "nobody@example.test:rejected", 0, false}},
	    0, 1, 0, 0},
	{"outbound ends once quiet after its result", delivered_then_quiet,
	    0, 3, {
	    {"40060 ok - - - -", "", 3, false},
	    {"out ok - - - -", "bob@partner.example.test:delivered", 4,
	    false},
	    {"40061 ok - - - -", "", 5, false}},
	    0, 0, 0, 3600},
	/* no timeout: nothing ends by time before the input does */
	{"outbound kept without a timeout", delivered_then_quiet, 0, 3, {
	    {"40060 ok - - - -", "", 3, false},
	    {"40061 ok - - - -", "", 5, false},
	    {"out ok - - - -", "bob@partner.example.test:delivered", 0,
	    false}},
	    0, 0, 0, 0},
};

static void
check_stat(const char *name, const char *what, unsigned long got,
    unsigned long want)
{
	ck_assert_msg(got == want, "%s: %s got %lu, want %lu",
	    name, what, got, want);
}

START_TEST(scenario)
{
	const struct scenario *sc = &scenarios[_i];
	struct run r;

	memset(&r, 0, sizeof(r));
	run_lines(&r, sc->lines, sc->max_open, sc->idle_s);
	for (size_t i = 0; i < r.n && i < sc->nsessions; i++) {
		const struct want *w = &sc->want[i];
		const struct rec *g = &r.recs[i];

		ck_assert_msg(strcmp(g->verdict, w->verdict) == 0,
		    "%s: session %zu got '%s', want '%s'", sc->name, i + 1,
		    g->verdict, w->verdict);
		if (w->rcpts)
			ck_assert_msg(strcmp(g->rcpts, w->rcpts) == 0,
			    "%s: session %zu recipients got '%s', want '%s'",
			    sc->name, i + 1, g->rcpts, w->rcpts);
		ck_assert_msg(g->at == (size_t)w->at,
		    "%s: session %zu emitted after line %zu, want %d "
		    "(0: the flush)", sc->name, i + 1, g->at, w->at);
		ck_assert_msg(g->evicted == w->evicted,
		    "%s: session %zu evicted got %d, want %d", sc->name,
		    i + 1, g->evicted, w->evicted);
	}
	ck_assert_msg(r.n == sc->nsessions, "%s: got %zu sessions, want %zu "
	    "(the first: '%s')", sc->name, r.n, sc->nsessions,
	    r.n ? r.recs[0].verdict : "none");
	check_stat(sc->name, "folded", r.folded, sc->folded);
	check_stat(sc->name, "duplicates", r.duplicates, sc->duplicates);
	check_stat(sc->name, "evicted", r.evicted, sc->evicted);
}
END_TEST

/*
 * A message that never reached the queue (its client dropped in DATA)
 * stays findable for a grace after its session ended: cleanup's line
 * about it, logged after smtpd's disconnect, lands on it rather than
 * starting a second message (fails if the message is retired at once).
 */
static const char *const late_cleanup[] = {
	SMTPD("10:00:01", "connect from " CLIENT("40050")),
	SMTPD("10:00:02", "4B2D1A720AE: client=" CLIENT("40050")),
	SMTPD("10:00:03", "lost connection after DATA (45 bytes) from "
	    CLIENT("40050")),
	SMTPD("10:00:03", "disconnect from " CLIENT("40050") " ehlo=1 "
	    "mail=1 rcpt=1 data=0/1 commands=3/4"),
	PF("10:00:04", "cleanup[4200]", "4B2D1A720AE: "
	    "message-id=<late@client.example.test>"),
	SMTPD("10:05:00", "connect from " CLIENT("40051")),
	SMTPD("10:05:01", "disconnect from " CLIENT("40051") " ehlo=1 quit=1 "
	    "commands=2"),
	NULL
};

START_TEST(grace_for_the_unqueued)
{
	struct run r;

	memset(&r, 0, sizeof(r));
	run_lines(&r, late_cleanup, 100000, 0);
	ck_assert_msg(r.n == 2, "got %zu sessions, want 2", r.n);
	ck_assert_msg(strncmp(r.recs[0].verdict, "40050 failed data", 17) ==
	    0, "session 1 got '%s', want '40050 failed data ...'",
	    r.recs[0].verdict);
	check_stat("late cleanup line", "messages", r.messages, 1);
}
END_TEST

/* Each session keeps its own lines, whatever the interleaving. */
START_TEST(lines_by_key)
{
	struct run r;

	memset(&r, 0, sizeof(r));
	run_lines(&r, two_pids, 0, 0);
	ck_assert_uint_eq(r.n, 2);
	ck_assert_msg(r.recs[0].nlines == 2 && r.recs[1].nlines == 3,
	    "lines got %zu and %zu, want 2 (40002) and 3 (40001)",
	    r.recs[0].nlines, r.recs[1].nlines);
}
END_TEST

/* --id: a session wants() refuses is counted, not classified nor emitted */
START_TEST(wants_before_classify)
{
	struct run r;

	memset(&r, 0, sizeof(r));
	r.want_port = "40001";
	run_lines(&r, two_pids, 0, 0);
	ck_assert_msg(r.asked == 2, "wants() asked %lu times, want 2",
	    r.asked);
	ck_assert_msg(r.n == 1 && strncmp(r.recs[0].verdict, "40001 failed "
	    "rcpt", 17) == 0, "got %zu sessions, the first '%s', want one: "
	    "'40001 failed rcpt ...'", r.n, r.n ? r.recs[0].verdict : "");
	check_stat("wants", "sessions", r.sessions, 2);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("correlate");
	TCase *tc = tcase_create("scenarios");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, load_db, free_db);
	tcase_add_loop_test(tc, scenario, 0, (int)ARRAY_SIZE(scenarios));
	tcase_add_test(tc, lines_by_key);
	tcase_add_test(tc, grace_for_the_unqueued);
	tcase_add_test(tc, wants_before_classify);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
