/*
 * check_filter - which sessions --failed, --status, --phase, --from, --to,
 * --code and --grep select (filter.h), on sessions built here, and the
 * session view they share with the reporters (session.h).
 *
 * The session of every case received message A, which a content filter
 * took (delivered to 127.0.0.1:10024, "250 2.0.0 Ok: queued as B") and
 * re-injected as B, delivered to the mailbox: A is forwarded, and the
 * JSON lists B's recipient only. A filter must not match through A what
 * the report does not show: the case "--code 250 not through the
 * forwarded message" fails when the filter reads every message instead
 * of the session's view.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "session.h"

static struct message msg_a, msg_b;
static struct rcpt rcpt_a, rcpt_b;
static struct message *msgs[2];
static struct lineref lines_s[1], lines_a[1], lines_b[1];
static struct session sess;

static void
build(void)
{
	memset(&sess, 0, sizeof(sess));
	memset(&msg_a, 0, sizeof(msg_a));
	memset(&msg_b, 0, sizeof(msg_b));
	rcpt_a = (struct rcpt){.address = "bob@example.test",
	    .status = RS_DELIVERED, .phase = PHASE_NONE, .reply = "250",
	    .enhanced = "2.0.0", .text = "Ok: queued as B",
	    .relay = "127.0.0.1[127.0.0.1]:10024"};
	rcpt_b = (struct rcpt){.address = "bob@example.test",
	    .status = RS_DELIVERED, .phase = PHASE_NONE,
	    .text = "delivered to mailbox"};
	msg_a.queue = "A";
	msg_a.sender = "alice@sender.test";
	msg_a.accepted = true;
	msg_a.forwarded = true;
	msg_a.next_hop = &msg_b;
	msg_a.rcpts = &rcpt_a;
	msg_a.nrcpts = 1;
	lines_a[0] = (struct lineref){.line = 3,
	    .text = "A: to=<bob@example.test>, "
	    "relay=127.0.0.1[127.0.0.1]:10024, status=sent",
	    .off = -1, .ev = EV_DELIVERY};
	msg_a.lines = lines_a;
	msg_a.nlines = 1;
	msg_b.queue = "B";
	msg_b.sender = "alice@sender.test";
	msg_b.accepted = true;
	msg_b.reinjected = true;
	msg_b.rcpts = &rcpt_b;
	msg_b.nrcpts = 1;
	lines_b[0] = (struct lineref){.line = 5,
	    .text = "B: to=<bob@example.test>, "
	    "relay=local, status=sent (delivered to mailbox)",
	    .off = -1, .ev = EV_DELIVERY};
	msg_b.lines = lines_b;
	msg_b.nlines = 1;
	msgs[0] = &msg_a;
	msgs[1] = &msg_b;
	sess.msgs = msgs;
	sess.nmsgs = 2;
	msg_a.owner = msg_b.owner = &sess;
	lines_s[0] = (struct lineref){.line = 1,
	    .text = "connect from client.test",
	    .off = -1, .ev = EV_CONNECT};
	sess.lines = lines_s;
	sess.nlines = 1;
	sess.client_ip = "192.0.2.7";
	sess.v.status = STATUS_OK;
	sess.v.phase = PHASE_NONE;
	sess.v.reached = PHASE_DATA;
}

struct fcase {
	const char *name;
	const char *opt, *value;	/* one criterion */
	bool want;
};

static const struct fcase cases[] = {
	{"--code 250 not through the forwarded message", "--code", "250",
	    false},
	{"--code 2.0.0 not through the forwarded message", "--code", "2.0.0",
	    false},
	{"--to the final recipient", "--to", "bob@example.test", true},
	{"--to a domain", "--to", "example.test", true},
	{"--to another", "--to", "carol@example.test", false},
	{"--from the sender", "--from", "sender.test", true},
	{"--grep a line of the session", "--grep", "connect from", true},
	{"--grep a line of the re-injected copy", "--grep", "mailbox", true},
	{"--grep a line of the forwarded message (listed)", "--grep",
	    "10024", true},
	{"--status ok", "--status", "ok", true},
	{"--failed", "--failed", NULL, false},
	{"--phase rcpt", "--phase", "rcpt", false},
};

static bool
add(struct filter *f, const char *opt, const char *v)
{
	if (strcmp(opt, "--code") == 0)
		return filter_code(f, opt, v);
	if (strcmp(opt, "--to") == 0)
		return filter_to(f, opt, v);
	if (strcmp(opt, "--from") == 0)
		return filter_from(f, opt, v);
	if (strcmp(opt, "--grep") == 0)
		return filter_grep(f, opt, v);
	if (strcmp(opt, "--status") == 0 || strcmp(opt, "--failed") == 0)
		return filter_status(f, opt, v);
	if (strcmp(opt, "--phase") == 0)
		return filter_phase(f, opt, v);
	return false;
}

START_TEST(selects)
{
	const struct fcase *c = &cases[_i];
	struct filter *f = filter_new();
	bool got;

	build();
	ck_assert_msg(add(f, c->opt, c->value), "%s: '%s %s' refused",
	    c->name, c->opt, c->value ? c->value : "");
	got = filter_match(f, &sess);
	ck_assert_msg(got == c->want, "%s: got %s, want %s", c->name,
	    got ? "match" : "no match", c->want ? "match" : "no match");
	filter_free(f);
}
END_TEST

/* The view the reporters and filters share (session.h). */
START_TEST(view)
{
	struct session_iter it = SESSION_ITER_INIT;
	const struct rcpt *r, *seen[4];
	const struct message *m;
	struct lineref *l;
	size_t n = 0, i = 0, nl;

	build();
	while ((r = session_rcpt(&sess, &it)) != NULL && n < 4)
		seen[n++] = r;
	ck_assert_msg(n == 1 && seen[0] == &rcpt_b, "recipients: got %zu "
	    "(first %s), want 1 (the re-injected copy's)", n,
	    n && seen[0] == &rcpt_a ? "the forwarded one's" : "-");
	ck_assert_msg(session_nrcpts(&sess) == 1, "session_nrcpts: got %zu, "
	    "want 1", session_nrcpts(&sess));
	n = 0;
	while ((m = session_message(&sess, &i, SESSION_OWNED)) != NULL)
		n++;
	ck_assert_msg(n == 2, "owned messages: got %zu, want 2", n);
	i = n = 0;
	while ((m = session_message(&sess, &i, SESSION_FINAL)) != NULL)
		n++;
	ck_assert_msg(n == 1, "final messages: got %zu, want 1", n);
	ck_assert_msg(strcmp(session_sender(&sess), "alice@sender.test") == 0,
	    "sender: got '%s', want 'alice@sender.test'",
	    session_sender(&sess));
	nl = session_lines(&sess, &l);
	ck_assert_msg(nl == 3 && l[0].line == 1 && l[1].line == 3 &&
	    l[2].line == 5, "lines: got %zu, want 1, 3, 5", nl);
	free(l);
	ck_assert_msg(session_has_id(&sess, "A") && session_has_id(&sess, "B"),
	    "--id A and B: got %d %d, want both", session_has_id(&sess, "A"),
	    session_has_id(&sess, "B"));
	ck_assert_msg(!session_has_id(&sess, "C"), "--id C: got a match, "
	    "want none");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("filter");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, selects, 0, sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, view);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
