/*
 * check_pipeline - ingest -> correlator -> verdict, as main.c runs them.
 *
 * Each scenario is a run of real lines copied from samples/postfix/mail.log
 * (the line numbers are given), written to a file and read through
 * ingest.h (ingest_file(), year 2026 as samples/README.md says), then
 * correlator_flush(). The reader reuses its line buffer, so a correlator
 * that kept a view into it would show another line's text. The emit
 * callback copies what it needs: the session is freed when it returns.
 *
 * Expected verdicts are those of samples/postfix/expected.tsv, which says
 * what each scripted conversation did on the wire.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "correlate.h"
#include "ingest.h"
#include "pattern.h"
#include "report.h"
#include "session.h"
#include "timestamp.h"

static struct pattern_db *db;
static const struct pattern_set *postfix;

static void
load_db(void)
{
	const char *env = getenv("SMTPLOG_ANALYZE_PATTERNS");
	const char *dirs[] = {env && *env ? env : SRCDIR "/patterns"};

	db = pattern_db_load(dirs, 1);
	ck_assert_msg(db != NULL, "cannot load patterns from '%s'", dirs[0]);
	postfix = pattern_db_find(db, "postfix");
	ck_assert_ptr_nonnull(postfix);
}

static void
free_db(void)
{
	pattern_db_free(db);
	db = NULL;
}

/* --- recording what emit() is handed ------------------------------------ */

#define MAX_IDS 12
#define MAX_RECS 16

struct rec {
	char label[96], port[16], outcome[24], cause[32];
	enum direction dir;
	enum status status;
	enum phase phase, remote_phase;
	enum kind kind;
	bool screened, evicted;
	bool has[MAX_IDS];
};

struct run {
	struct rec recs[MAX_RECS];
	size_t n;
	const char *const *ids;
	size_t nids;
	bool flushing;
	size_t before_flush;	/* emitted before correlator_flush() */
};

static void
copy(char *dst, size_t sz, const char *s)
{
	snprintf(dst, sz, "%s", s ? s : "");
}

static void
record(const struct session *s, void *arg)
{
	struct run *r = arg;
	struct rec *rc;

	ck_assert_msg(r->n < MAX_RECS, "more than %d sessions", MAX_RECS);
	rc = &r->recs[r->n++];
	copy(rc->label, sizeof(rc->label), s->label);
	copy(rc->port, sizeof(rc->port), s->client_port);
	copy(rc->outcome, sizeof(rc->outcome), s->v.outcome);
	copy(rc->cause, sizeof(rc->cause), s->v.cause);
	rc->dir = s->dir;
	rc->status = s->v.status;
	rc->phase = s->v.phase;
	rc->remote_phase = s->v.remote_phase;
	rc->kind = s->v.kind;
	rc->screened = s->screened;
	rc->evicted = s->evicted;
	for (size_t i = 0; i < r->nids && i < MAX_IDS; i++)
		rc->has[i] = session_has_id(s, r->ids[i]);
	if (!r->flushing)
		r->before_flush++;
}

/*
 * Read the lines through ingest.h as main.c does; every one must be
 * recognised and carry a time stamp. Year-less stamps are read as 2026
 * (samples/README.md).
 */
static struct correlator *
run_lines(struct run *r, const char *const *lines, size_t n, size_t max_open)
{
	struct correlate_opts o = {.keep_text = true, .max_open = max_open,
	    .db = db, .emit = record, .arg = r};
	struct ingest_opts io = {.db = db, .year = 2026};
	struct run_info ri;
	struct correlator *c = correlator_new(&o);
	struct ingest *g;
	char path[] = "/tmp/check-pipeline-XXXXXX";
	int fd = mkstemp(path);
	FILE *fp;

	ck_assert_msg(fd >= 0, "mkstemp failed");
	fp = fdopen(fd, "w");
	ck_assert_ptr_nonnull(fp);
	for (size_t i = 0; i < n; i++)
		fprintf(fp, "%s\n", lines[i]);
	ck_assert_int_eq(fclose(fp), 0);
	memset(&ri, 0, sizeof(ri));
	g = ingest_new(&io, &ri);
	ck_assert_msg(ingest_file(g, c, 0, path), "'%s' not read", path);
	ingest_free(g);
	unlink(path);
	ck_assert_msg(ri.recognised == n && ri.lines == n,
	    "lines recognised: got %lu of %lu, want %zu", ri.recognised,
	    ri.lines, n);
	ck_assert_msg(ri.bad_time == 0, "time stamps not understood: got %lu, "
	    "want 0", ri.bad_time);
	r->flushing = true;
	correlator_flush(c);
	return c;
}

static void
run_and_free(struct run *r, const char *const *lines, size_t n,
    size_t max_open)
{
	correlator_free(run_lines(r, lines, n, max_open));
}

/* --- scenarios ---------------------------------------------------------- */

/* mail.log lines 41-47: port 20103, clean delivery to local bob */
static const char *const clean[] = {
	"Nov 23 09:17:33 mx postfix/smtpd[12202]: connect from "
	    "localhost[127.0.0.1]:20103",
	"Nov 23 09:17:33 mx postfix/smtpd[12202]: 1449CA72097: "
	    "client=localhost[127.0.0.1]:20103",
	"Nov 23 09:17:33 mx postfix/cleanup[12159]: 1449CA72097: "
	    "message-id=<20261123091733.012204@vm>",
	"Nov 23 09:17:33 mx postfix/qmgr[11864]: 1449CA72097: "
	    "from=<alice@smtplog.test>, size=420, nrcpt=1 (queue active)",
	"Nov 23 09:17:33 mx postfix/smtpd[12202]: disconnect from "
	    "localhost[127.0.0.1]:20103 ehlo=1 mail=1 rcpt=1 data=1 quit=1 "
	    "commands=5",
	"Nov 23 09:17:33 mx postfix/local[12160]: 1449CA72097: "
	    "to=<bob@smtplog.test>, relay=local, delay=0.01, delays=0/0/0/0, "
	    "dsn=2.0.0, status=sent (delivered to file: "
	    "/tmp/smtplog-postfix/mail/bob)",
	"Nov 23 09:17:33 mx postfix/qmgr[11864]: 1449CA72097: removed",
};

/* lines 48-50: port 20104, RCPT to an unknown user */
static const char *const rcpt_rejected[] = {
	"Nov 23 09:17:33 mx postfix/smtpd[12202]: connect from "
	    "localhost[127.0.0.1]:20104",
	"Nov 23 09:17:33 mx postfix/smtpd[12202]: NOQUEUE: reject: RCPT from "
	    "localhost[127.0.0.1]:20104: 550 5.1.1 <nobody@smtplog.test>: "
	    "Recipient address rejected: User unknown in local recipient "
	    "table; from=<alice@smtplog.test> to=<nobody@smtplog.test> "
	    "proto=ESMTP helo=<p20104.client.test>",
	"Nov 23 09:17:33 mx postfix/smtpd[12202]: disconnect from "
	    "localhost[127.0.0.1]:20104 ehlo=1 mail=1 rcpt=0/1 quit=1 "
	    "commands=3/4",
};

/* lines 57-65: port 20107, one of three recipients refused */
static const char *const partial[] = {
	"Nov 23 09:17:33 mx postfix/smtpd[12202]: connect from "
	    "localhost[127.0.0.1]:20107",
	"Nov 23 09:17:33 mx postfix/smtpd[12202]: 6C7BEA720A8: "
	    "client=localhost[127.0.0.1]:20107",
	"Nov 23 09:17:33 mx postfix/smtpd[12202]: 6C7BEA720A8: reject: RCPT "
	    "from localhost[127.0.0.1]:20107: 550 5.1.1 "
	    "<nobody@smtplog.test>: Recipient address rejected: User unknown "
	    "in local recipient table; from=<alice@smtplog.test> "
	    "to=<nobody@smtplog.test> proto=ESMTP helo=<p20107.client.test>",
	"Nov 23 09:17:33 mx postfix/cleanup[12159]: 6C7BEA720A8: "
	    "message-id=<20261123091733.012208@vm>",
	"Nov 23 09:17:33 mx postfix/qmgr[11864]: 6C7BEA720A8: "
	    "from=<alice@smtplog.test>, size=429, nrcpt=2 (queue active)",
	"Nov 23 09:17:33 mx postfix/smtpd[12202]: disconnect from "
	    "localhost[127.0.0.1]:20107 ehlo=1 mail=1 rcpt=2/3 data=1 quit=1 "
	    "commands=6/7",
	"Nov 23 09:17:33 mx postfix/local[12160]: 6C7BEA720A8: "
	    "to=<alice@smtplog.test>, relay=local, delay=0.02, "
	    "delays=0/0.01/0/0.01, dsn=2.0.0, status=sent (delivered to file: "
	    "/tmp/smtplog-postfix/mail/alice)",
	"Nov 23 09:17:33 mx postfix/local[12160]: 6C7BEA720A8: "
	    "to=<bob@smtplog.test>, relay=local, delay=0.03, "
	    "delays=0/0.02/0/0.01, dsn=2.0.0, status=sent (delivered to file: "
	    "/tmp/smtplog-postfix/mail/bob)",
	"Nov 23 09:17:33 mx postfix/qmgr[11864]: 6C7BEA720A8: removed",
};

/*
 * lines 108-112, 118, 128-134: port 20120, accepted for u1@bounce.test;
 * our smtp client then got 550 at RCPT from the remote: bounced
 */
static const char *const bounced[] = {
	"Nov 23 09:17:36 mx postfix/smtpd[12202]: connect from "
	    "localhost[127.0.0.1]:20120",
	"Nov 23 09:17:36 mx postfix/smtpd[12202]: ACC24A720B7: "
	    "client=localhost[127.0.0.1]:20120",
	"Nov 23 09:17:36 mx postfix/cleanup[12159]: ACC24A720B7: "
	    "message-id=<20261123091736.012420@vm>",
	"Nov 23 09:17:36 mx postfix/qmgr[11864]: ACC24A720B7: "
	    "from=<alice@smtplog.test>, size=428, nrcpt=1 (queue active)",
	"Nov 23 09:17:36 mx postfix/smtpd[12202]: disconnect from "
	    "localhost[127.0.0.1]:20120 ehlo=1 mail=1 rcpt=1 data=1 quit=1 "
	    "commands=5",
	"Nov 23 09:17:36 mx postfix/smtp[12421]: Untrusted TLS connection "
	    "established to 127.0.0.1[127.0.0.1]:10029: TLSv1.3 with cipher "
	    "TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 "
	    "server-signature RSA-PSS (2048 bits) server-digest SHA256",
	"Nov 23 09:17:37 mx postfix/smtp[12421]: ACC24A720B7: "
	    "to=<u1@bounce.test>, relay=127.0.0.1[127.0.0.1]:10029, "
	    "delay=0.36, delays=0/0.04/0.15/0.17, dsn=5.1.1, status=bounced "
	    "(host 127.0.0.1[127.0.0.1] said: 550 5.1.1 <u1@bounce.test>: "
	    "Recipient address rejected: Mailbox unavailable (remote test) "
	    "(in reply to RCPT TO command))",
	"Nov 23 09:17:37 mx postfix/cleanup[12159]: 13794A720EF: "
	    "message-id=<20261123091737.13794A720EF@mx.smtplog.test>",
	"Nov 23 09:17:37 mx postfix/qmgr[11864]: 13794A720EF: from=<>, "
	    "size=2507, nrcpt=1 (queue active)",
	"Nov 23 09:17:37 mx postfix/bounce[12433]: ACC24A720B7: sender "
	    "non-delivery notification: 13794A720EF",
	"Nov 23 09:17:37 mx postfix/qmgr[11864]: ACC24A720B7: removed",
	"Nov 23 09:17:37 mx postfix/local[12209]: 13794A720EF: "
	    "to=<alice@smtplog.test>, relay=local, delay=0.01, "
	    "delays=0.01/0/0/0, dsn=2.0.0, status=sent (delivered to file: "
	    "/tmp/smtplog-postfix/mail/alice)",
	"Nov 23 09:17:37 mx postfix/qmgr[11864]: 13794A720EF: removed",
};

/* lines 37-40: smtpd[12202] serves 20101, then 20102 */
static const char *const reused_pid[] = {
	"Nov 23 09:17:32 mx postfix/smtpd[12202]: connect from "
	    "localhost[127.0.0.1]:20101",
	"Nov 23 09:17:32 mx postfix/smtpd[12202]: lost connection after "
	    "CONNECT from localhost[127.0.0.1]:20101",
	"Nov 23 09:17:32 mx postfix/smtpd[12202]: disconnect from "
	    "localhost[127.0.0.1]:20101 commands=0/0",
	"Nov 23 09:17:33 mx postfix/smtpd[12202]: connect from "
	    "localhost[127.0.0.1]:20102",
	"Nov 23 09:17:33 mx postfix/smtpd[12202]: disconnect from "
	    "localhost[127.0.0.1]:20102 ehlo=1 quit=1 commands=2",
};

/* lines 27-35: postscreen PASS OLD, then smtpd[12155] takes 20008 over */
static const char *const pass_old[] = {
	"Nov 23 09:17:32 mx postfix/postscreen[11907]: CONNECT from "
	    "[127.0.0.1]:20008 to [127.0.0.1]:10025",
	"Nov 23 09:17:32 mx postfix/postscreen[11907]: PASS OLD "
	    "[127.0.0.1]:20008",
	"Nov 23 09:17:32 mx postfix/smtpd[12155]: connect from "
	    "localhost[127.0.0.1]:20008",
	"Nov 23 09:17:32 mx postfix/smtpd[12155]: 89C62A7208D: "
	    "client=localhost[127.0.0.1]:20008",
	"Nov 23 09:17:32 mx postfix/cleanup[12159]: 89C62A7208D: "
	    "message-id=<20261123091732.012154@vm>",
	"Nov 23 09:17:32 mx postfix/smtpd[12155]: disconnect from "
	    "localhost[127.0.0.1]:20008 ehlo=1 mail=1 rcpt=1 data=1 quit=1 "
	    "commands=5",
	"Nov 23 09:17:32 mx postfix/qmgr[11864]: 89C62A7208D: "
	    "from=<alice@smtplog.test>, size=439, nrcpt=1 (queue active)",
	"Nov 23 09:17:32 mx postfix/local[12160]: 89C62A7208D: "
	    "to=<bob@smtplog.test>, relay=local, delay=0.06, "
	    "delays=0.02/0.03/0/0, dsn=2.0.0, status=sent (delivered to file: "
	    "/tmp/smtplog-postfix/mail/bob)",
	"Nov 23 09:17:32 mx postfix/qmgr[11864]: 89C62A7208D: removed",
};

/* lines 41-42 only: the log ends before the session does */
static const char *const never_closed[] = {
	"Nov 23 09:17:33 mx postfix/smtpd[12202]: connect from "
	    "localhost[127.0.0.1]:20103",
	"Nov 23 09:17:33 mx postfix/smtpd[12202]: 1449CA72097: "
	    "client=localhost[127.0.0.1]:20103",
};

/* line 246 only */
static const char *const connect_only[] = {
	"Nov 23 09:17:55 mx postfix/submission/smtpd[12832]: connect from "
	    "localhost[127.0.0.1]:20401",
};

/* lines 29, 37, 175, 216, 219: five smtpd processes, none closes */
static const char *const five_open[] = {
	"Nov 23 09:17:32 mx postfix/smtpd[12155]: connect from "
	    "localhost[127.0.0.1]:20008",
	"Nov 23 09:17:32 mx postfix/smtpd[12202]: connect from "
	    "localhost[127.0.0.1]:20101",
	"Nov 23 09:17:37 mx postfix/submission/smtpd[12487]: connect from "
	    "localhost[127.0.0.1]:20201",
	"Nov 23 09:17:41 mx postfix/slow/smtpd[12744]: connect from "
	    "localhost[127.0.0.1]:20302",
	"Nov 23 09:17:41 mx postfix/slow/smtpd[12746]: connect from "
	    "localhost[127.0.0.1]:20303",
};

#define ANY_PHASE ((enum phase)-2)

struct want_session {
	const char *port;	/* client port; NULL: the outbound session */
	enum status status;
	enum phase phase;
	enum kind kind;
	enum phase remote_phase;	/* ANY_PHASE: not checked */
	const char *outcome;	/* NULL: not checked */
	const char *cause;	/* NULL: not checked */
	bool screened;
};

struct scenario {
	const char *name;
	const char *const *lines;
	size_t nlines;
	size_t nsessions;
	struct want_session want[4];
};

#define LINES(a) a, ARRAY_SIZE(a)

static const struct scenario scenarios[] = {
	{"clean delivery", LINES(clean), 1, {
	    {"20103", STATUS_OK, PHASE_NONE, KIND_NONE, PHASE_NONE,
	    "delivered", NULL, false}}},
	{"RCPT rejected", LINES(rcpt_rejected), 1, {
	    {"20104", STATUS_FAILED, PHASE_RCPT, KIND_REJECTED, PHASE_NONE,
	    "rejected", "unknown-user", false}}},
	{"partial", LINES(partial), 1, {
	    {"20107", STATUS_PARTIAL, PHASE_RCPT, KIND_REJECTED, PHASE_NONE,
	    NULL, "unknown-user", false}}},
	{"bounced post-queue", LINES(bounced), 2, {
	    {"20120", STATUS_FAILED, PHASE_POSTQUEUE, KIND_BOUNCED, PHASE_RCPT,
	    "bounced", "unknown-user", false},
	    {NULL, STATUS_FAILED, PHASE_RCPT, KIND_REJECTED, ANY_PHASE, NULL,
	    NULL, false}}},
	{"reused pid", LINES(reused_pid), 2, {
	    {"20101", STATUS_FAILED, PHASE_PREGREETING, KIND_DROPPED,
	    PHASE_NONE, NULL, "lost-connection", false},
	    {"20102", STATUS_OK, PHASE_NONE, KIND_NONE, PHASE_NONE, "no-mail",
	    NULL, false}}},
	{"postscreen PASS OLD joins smtpd", LINES(pass_old), 1, {
	    {"20008", STATUS_OK, PHASE_NONE, KIND_NONE, PHASE_NONE,
	    "delivered", NULL, true}}},
	{"never closed", LINES(never_closed), 1, {
	    /* its queue ID: smtpd accepted a RCPT, the stage it reached */
	    {"20103", STATUS_INCOMPLETE, PHASE_RCPT, KIND_NONE, PHASE_NONE,
	    "incomplete", NULL, false}}},
	{"connect only", LINES(connect_only), 1, {
	    {"20401", STATUS_INCOMPLETE, PHASE_NONE, KIND_NONE, PHASE_NONE,
	    "incomplete", NULL, false}}},
};

static const char *
pname(enum phase p)
{
	return p == PHASE_NONE ? "-" : phase_name(p) ? phase_name(p) : "?";
}

static const char *
kname(enum kind k)
{
	return k == KIND_NONE ? "-" : kind_name(k) ? kind_name(k) : "?";
}

static const struct rec *
find_rec(const struct run *r, const struct want_session *w)
{
	for (size_t i = 0; i < r->n; i++) {
		if (w->port == NULL && r->recs[i].dir == DIR_OUTBOUND)
			return &r->recs[i];
		if (w->port && r->recs[i].dir == DIR_INBOUND &&
		    strcmp(r->recs[i].port, w->port) == 0)
			return &r->recs[i];
	}
	return NULL;
}

START_TEST(scenario)
{
	const struct scenario *sc = &scenarios[_i];
	struct run r = {0};

	run_and_free(&r, sc->lines, sc->nlines, 0);
	ck_assert_msg(r.n == sc->nsessions, "%s: got %zu sessions, want %zu",
	    sc->name, r.n, sc->nsessions);
	for (size_t i = 0; i < sc->nsessions; i++) {
		const struct want_session *w = &sc->want[i];
		const struct rec *g = find_rec(&r, w);
		const char *who = w->port ? w->port : "outbound";

		ck_assert_msg(g != NULL, "%s: no session for %s", sc->name,
		    who);
		ck_assert_msg(g->status == w->status && g->phase == w->phase &&
		    g->kind == w->kind, "%s: %s: got %s %s %s, want %s %s %s",
		    sc->name, who, status_name(g->status), pname(g->phase),
		    kname(g->kind), status_name(w->status), pname(w->phase),
		    kname(w->kind));
		if (w->remote_phase != ANY_PHASE)
			ck_assert_msg(g->remote_phase == w->remote_phase,
			    "%s: %s: remote phase got %s, want %s", sc->name,
			    who, pname(g->remote_phase),
			    pname(w->remote_phase));
		if (w->outcome)
			ck_assert_msg(strcmp(g->outcome, w->outcome) == 0,
			    "%s: %s: outcome got '%s', want '%s'", sc->name,
			    who, g->outcome, w->outcome);
		if (w->cause)
			ck_assert_msg(strcmp(g->cause, w->cause) == 0,
			    "%s: %s: cause got '%s', want '%s'", sc->name, who,
			    g->cause, w->cause);
		ck_assert_msg(g->screened == w->screened,
		    "%s: %s: screened got %d, want %d", sc->name, who,
		    g->screened, w->screened);
		ck_assert_msg(!g->evicted, "%s: %s: evicted", sc->name, who);
	}
}
END_TEST

/* A reused key without a disconnect in between is two sessions as well. */
START_TEST(reused_pid_without_disconnect)
{
	const char *const lines[] = {
		reused_pid[0], reused_pid[1], reused_pid[3], reused_pid[4],
	};
	struct run r = {0};

	run_and_free(&r, LINES(lines), 0);
	ck_assert_msg(r.n == 2, "got %zu sessions, want 2", r.n);
	ck_assert_str_eq(r.recs[0].port, "20101");
	ck_assert_str_eq(r.recs[1].port, "20102");
	ck_assert_msg(r.recs[1].status == STATUS_OK,
	    "20102: got %s, want ok", status_name(r.recs[1].status));
}
END_TEST

/* max_open 2, five open sessions: three go early, all five come out. */
START_TEST(max_open_eviction)
{
	struct run r = {0};
	struct correlator *c = run_lines(&r, LINES(five_open), 2);
	const struct correlate_stats *st = correlator_stats(c);
	static const char *const order[] = {"20008", "20101", "20201",
	    "20302", "20303"};

	ck_assert_msg(r.n == 5, "got %zu sessions, want 5", r.n);
	ck_assert_msg(r.before_flush == 3,
	    "emitted before the flush: got %zu, want 3", r.before_flush);
	ck_assert_msg(st->sessions == 5, "stats sessions: got %lu, want 5",
	    st->sessions);
	ck_assert_msg(st->evicted == 3, "stats evicted: got %lu, want 3",
	    st->evicted);
	ck_assert_msg(st->peak_open <= 3, "peak_open: got %zu, want <= 3",
	    st->peak_open);
	for (size_t i = 0; i < 5; i++) {
		const struct rec *g = &r.recs[i];

		/* the oldest goes first */
		ck_assert_msg(strcmp(g->port, order[i]) == 0,
		    "session %zu: got port %s, want %s", i + 1, g->port,
		    order[i]);
		ck_assert_msg(g->status == STATUS_INCOMPLETE,
		    "%s: got %s, want incomplete", g->port,
		    status_name(g->status));
		ck_assert_msg(g->evicted == (i < 3), "%s: evicted got %d, "
		    "want %d", g->port, g->evicted, i < 3);
	}
	correlator_free(c);
}
END_TEST

/* The correlator's figures for an ordinary run. */
START_TEST(stats)
{
	struct run r = {0};
	struct correlator *c = run_lines(&r, LINES(bounced), 0);
	const struct correlate_stats *st = correlator_stats(c);

	ck_assert_uint_eq(st->sessions, 2);
	ck_assert_uint_eq(st->evicted, 0);
	ck_assert_msg(st->messages == 2, "messages: got %lu, want 2 "
	    "(ACC24A720B7 and its bounce 13794A720EF)", st->messages);
	correlator_free(c);
}
END_TEST

/* --- session_has_id ----------------------------------------------------- */

struct id_case {
	const char *id;
	bool want;
};

static const struct id_case clean_ids[] = {
	{"1449CA72097", true},			/* queue ID */
	{"127.0.0.1", true},			/* client IP */
	{"<20261123091733.012204@vm>", true},	/* Message-ID as logged */
	{"20261123091733.012204@vm", true},	/* without the brackets */
	{"12202", true},			/* pid */
	{"bob@smtplog.test", true},		/* recipient */
	{"1449CA72098", false},
	{"127.0.0.2", false},
	{"20261123091733.012204", false},
	{"<20261123091733.012204@vm", false},
	{"20261123091733.012204@vm>", false},
	{"", false},
};

START_TEST(has_id)
{
	const char *ids[ARRAY_SIZE(clean_ids)];
	struct run r = {0};

	for (size_t i = 0; i < ARRAY_SIZE(clean_ids); i++)
		ids[i] = clean_ids[i].id;
	r.ids = ids;
	r.nids = ARRAY_SIZE(ids);
	run_and_free(&r, LINES(clean), 0);
	ck_assert_uint_eq(r.n, 1);
	for (size_t i = 0; i < ARRAY_SIZE(clean_ids); i++)
		ck_assert_msg(r.recs[0].has[i] == clean_ids[i].want,
		    "session_has_id('%s'): got %d, want %d", clean_ids[i].id,
		    r.recs[0].has[i], clean_ids[i].want);
}
END_TEST

/* The screened session answers to the smtpd pid and the message. */
START_TEST(has_id_screened)
{
	static const char *const ids[] = {"12155", "89C62A7208D",
	    "20261123091732.012154@vm", "11907x"};
	struct run r = {0};

	r.ids = ids;
	r.nids = ARRAY_SIZE(ids);
	run_and_free(&r, LINES(pass_old), 0);
	ck_assert_uint_eq(r.n, 1);
	ck_assert_msg(r.recs[0].has[0], "pid 12155 not found");
	ck_assert_msg(r.recs[0].has[1], "queue ID not found");
	ck_assert_msg(r.recs[0].has[2], "Message-ID not found");
	ck_assert_msg(!r.recs[0].has[3], "'11907x' found");
}
END_TEST

static Suite *
pipeline_suite(void)
{
	Suite *s = suite_create("pipeline");
	TCase *tc;

	tc = tcase_create("verdicts");
	tcase_add_checked_fixture(tc, load_db, free_db);
	tcase_add_loop_test(tc, scenario, 0, (int)ARRAY_SIZE(scenarios));
	tcase_add_test(tc, reused_pid_without_disconnect);
	tcase_add_test(tc, max_open_eviction);
	tcase_add_test(tc, stats);
	suite_add_tcase(s, tc);

	tc = tcase_create("ids");
	tcase_add_checked_fixture(tc, load_db, free_db);
	tcase_add_test(tc, has_id);
	tcase_add_test(tc, has_id_screened);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(pipeline_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
