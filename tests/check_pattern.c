/*
 * check_pattern - unit tests for pattern.h.
 *
 * Three parts. The shipped pattern files must load and pass their own
 * samples. Real lines of samples/postfix/mail.log must give the pattern
 * and the fields listed in a table. And the loader must refuse bad pattern
 * files, each written into a mkdtemp() directory, with a message naming
 * FILE:LINE:COLUMN; standard error is captured into a file to check that.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "pattern.h"

static const char *
shipped_dir(void)
{
	const char *env = getenv("SMTPLOG_ANALYZE_PATTERNS");

	return env && *env ? env : SRCDIR "/patterns";
}

/* --- temporary directories and captured stderr ------------------------- */

static char tmpdir[256];

/*
 * main() makes one directory for the run and removes it at the end, so
 * that nothing is left behind by a test that failed or crashed in its
 * own process (the checked teardown does not run then); each test gets a
 * fresh mkdtemp() directory inside it.
 */
static char rootdir[200];

static void
make_dir(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "%s/t-XXXXXX", rootdir);
	ck_assert_msg(mkdtemp(tmpdir) != NULL, "mkdtemp: %s", strerror(errno));
}

/* rm -r, for the test directory (it holds files and directories only) */
static void
rm_rf(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	char sub[1024];

	if (d == NULL) {
		unlink(path);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		rm_rf(sub);
	}
	closedir(d);
	rmdir(path);
}

/* What a "refused" or "override" test holds; freed even when it fails. */
static struct pattern_db *tdb;
static char *terr;

static void
remove_dir(void)
{
	pattern_db_free(tdb);
	tdb = NULL;
	free(terr);
	terr = NULL;
	if (tmpdir[0])
		rm_rf(tmpdir);
	tmpdir[0] = '\0';
}

static void
write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "w");
	ck_assert_msg(fp != NULL, "cannot create '%s': %s", path,
	    strerror(errno));
	fputs(text, fp);
	ck_assert_int_eq(fclose(fp), 0);
}

struct capture {
	int saved;
	char path[300];
};

static void
capture_start(struct capture *c)
{
	int fd;

	snprintf(c->path, sizeof(c->path), "%s/.stderr", tmpdir);
	fflush(stderr);
	c->saved = dup(STDERR_FILENO);
	ck_assert_int_ge(c->saved, 0);
	fd = open(c->path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(dup2(fd, STDERR_FILENO), STDERR_FILENO);
	close(fd);
}

/* Stop capturing; the text written meanwhile, malloc'd. */
static char *
capture_end(struct capture *c)
{
	FILE *fp;
	char *text;
	long n;

	fflush(stderr);
	dup2(c->saved, STDERR_FILENO);
	close(c->saved);
	fp = fopen(c->path, "rb");
	ck_assert_ptr_nonnull(fp);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	text = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(text);
	ck_assert_uint_eq(fread(text, 1, (size_t)n, fp), (size_t)n);
	text[n] = '\0';
	fclose(fp);
	unlink(c->path);
	/* echo it, for whoever reads the test log */
	fputs(text, stderr);
	return text;
}

/* --- the shipped files ------------------------------------------------- */

static struct pattern_db *db;
static const struct pattern_set *postfix;

static void
load_shipped(void)
{
	const char *dirs[] = {shipped_dir()};

	db = pattern_db_load(dirs, 1);
	ck_assert_msg(db != NULL, "cannot load the pattern files in '%s'",
	    dirs[0]);
	postfix = pattern_db_find(db, "postfix");
	ck_assert_msg(postfix != NULL, "no pattern set 'postfix'");
}

static void
free_shipped(void)
{
	pattern_db_free(db);
	db = NULL;
	postfix = NULL;
}

START_TEST(shipped_load_and_check)
{
	unsigned n = 0, bad = pattern_db_check(db, &n);

	ck_assert_msg(bad == 0, "pattern_db_check: %u of %u samples fail", bad,
	    n);
	ck_assert_msg(n > 100, "only %u samples checked", n);
	ck_assert_str_eq(pattern_set_mta(postfix), "postfix");
	ck_assert_msg(strstr(pattern_set_file(postfix), "postfix.yaml") != NULL,
	    "set file: got '%s'", pattern_set_file(postfix));
	ck_assert_ptr_eq(pattern_db_find(db, "no-such-mta"), NULL);
	ck_assert_uint_ge(pattern_db_count(db), 1);
	ck_assert_ptr_eq(pattern_db_set(db, pattern_db_count(db)), NULL);
	for (size_t i = 0; i < pattern_db_count(db); i++)
		ck_assert_ptr_nonnull(pattern_db_set(db, i));
}
END_TEST

/* --- real lines --------------------------------------------------------- */

static const char UNSET[] = "(unset)";	/* the field must not be set */

struct fwant {
	enum field f;
	const char *v;
};

struct line_case {
	const char *line;
	const char *pattern;	/* NULL: the prefix matches, no pattern */
	struct fwant want[14];	/* ends at the first v == NULL */
};

static const struct line_case lines[] = {
	/* smtpd */
	{"Nov 23 09:17:32 mx postfix/smtpd[12155]: connect from "
	    "localhost[127.0.0.1]:20008", "smtpd-connect", {
	    {F_TS, "Nov 23 09:17:32"}, {F_HOST, "mx"}, {F_PROGRAM, "postfix"},
	    {F_DAEMON, "smtpd"}, {F_PID, "12155"}, {F_SEVERITY, UNSET},
	    {F_CLIENT_NAME, "localhost"}, {F_CLIENT_IP, "127.0.0.1"},
	    {F_CLIENT_PORT, "20008"}}},
	{"Nov 23 09:17:32 mx postfix/smtpd[12155]: disconnect from "
	    "localhost[127.0.0.1]:20008 ehlo=1 mail=1 rcpt=1 data=1 quit=1 "
	    "commands=5", "smtpd-disconnect", {
	    {F_PID, "12155"}, {F_CLIENT_PORT, "20008"},
	    {F_STATS, "ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5"}}},
	{"Nov 23 09:17:32 mx postfix/smtpd[12155]: 89C62A7208D: "
	    "client=localhost[127.0.0.1]:20008", "smtpd-client", {
	    {F_QUEUE, "89C62A7208D"}, {F_CLIENT_NAME, "localhost"},
	    {F_CLIENT_IP, "127.0.0.1"}, {F_CLIENT_PORT, "20008"},
	    {F_SASL_METHOD, UNSET}, {F_SASL_USER, UNSET}}},
	{"Nov 23 09:17:39 mx postfix/submission/smtpd[12487]: C863CA7210B: "
	    "client=localhost[127.0.0.1]:20205, sasl_method=PLAIN, "
	    "sasl_username=alice@smtplog.test", "smtpd-client", {
	    {F_PROGRAM, "postfix/submission"}, {F_DAEMON, "smtpd"},
	    {F_PID, "12487"}, {F_QUEUE, "C863CA7210B"},
	    {F_CLIENT_PORT, "20205"}, {F_SASL_METHOD, "PLAIN"},
	    {F_SASL_USER, "alice@smtplog.test"}}},
	{"Nov 23 09:17:33 mx postfix/smtpd[12202]: NOQUEUE: reject: RCPT from "
	    "localhost[127.0.0.1]:20104: 550 5.1.1 <nobody@smtplog.test>: "
	    "Recipient address rejected: User unknown in local recipient "
	    "table; from=<alice@smtplog.test> to=<nobody@smtplog.test> "
	    "proto=ESMTP helo=<p20104.client.test>", "smtpd-reject", {
	    {F_QUEUE, UNSET}, {F_ACTION, "reject"}, {F_COMMAND, "RCPT"},
	    {F_CLIENT_IP, "127.0.0.1"}, {F_CLIENT_PORT, "20104"},
	    {F_REPLY, "550"}, {F_ENHANCED, "5.1.1"},
	    {F_TEXT, "<nobody@smtplog.test>: Recipient address rejected: "
	    "User unknown in local recipient table"},
	    {F_SENDER, "alice@smtplog.test"},
	    {F_RECIPIENT, "nobody@smtplog.test"},
	    {F_HELO, "p20104.client.test"}}},
	{"Nov 23 09:17:33 mx postfix/smtpd[12202]: 6C7BEA720A8: reject: RCPT "
	    "from localhost[127.0.0.1]:20107: 550 5.1.1 <nobody@smtplog.test>: "
	    "Recipient address rejected: User unknown in local recipient "
	    "table; from=<alice@smtplog.test> to=<nobody@smtplog.test> "
	    "proto=ESMTP helo=<p20107.client.test>", "smtpd-reject", {
	    {F_QUEUE, "6C7BEA720A8"}, {F_COMMAND, "RCPT"},
	    {F_CLIENT_PORT, "20107"}, {F_REPLY, "550"},
	    {F_HELO, "p20107.client.test"}}},
	{"Nov 23 09:17:37 mx postfix/submission/smtpd[12487]: NOQUEUE: "
	    "reject: EHLO from localhost[127.0.0.1]:20201: 504 5.5.2 "
	    "<badhelo20201>: Helo command rejected: need fully-qualified "
	    "hostname; proto=SMTP helo=<badhelo20201>", "smtpd-reject", {
	    {F_COMMAND, "EHLO"}, {F_REPLY, "504"}, {F_ENHANCED, "5.5.2"},
	    {F_TEXT, "<badhelo20201>: Helo command rejected: need "
	    "fully-qualified hostname"}, {F_SENDER, UNSET},
	    {F_RECIPIENT, UNSET}, {F_HELO, "badhelo20201"}}},
	{"Nov 23 09:17:36 mx postfix/smtpd[12202]: 1D630A720B6: reject: DATA "
	    "from localhost[127.0.0.1]:20117: 503 5.5.0 <DATA>: Data command "
	    "rejected: Improper use of SMTP command pipelining; "
	    "from=<alice@smtplog.test> to=<bob@smtplog.test> proto=ESMTP "
	    "helo=<p20117.client.test>", "smtpd-reject", {
	    {F_QUEUE, "1D630A720B6"}, {F_COMMAND, "DATA"}, {F_REPLY, "503"},
	    {F_ENHANCED, "5.5.0"}, {F_TEXT, "<DATA>: Data command rejected: "
	    "Improper use of SMTP command pipelining"},
	    {F_RECIPIENT, "bob@smtplog.test"}}},
	{"Nov 23 09:17:32 mx postfix/smtpd[12202]: lost connection after "
	    "CONNECT from localhost[127.0.0.1]:20101", "smtpd-abort", {
	    {F_KIND, "dropped"}, {F_COMMAND, "CONNECT"}, {F_BYTES, UNSET},
	    {F_CLIENT_PORT, "20101"}}},
	{"Nov 23 09:17:34 mx postfix/smtpd[12202]: lost connection after DATA "
	    "(45 bytes) from localhost[127.0.0.1]:20113", "smtpd-abort", {
	    {F_KIND, "dropped"}, {F_COMMAND, "DATA"}, {F_BYTES, "45"},
	    {F_CLIENT_PORT, "20113"}}},
	{"Nov 23 09:17:44 mx postfix/slow/smtpd[12744]: timeout after EHLO "
	    "from localhost[127.0.0.1]:20302", "smtpd-abort", {
	    {F_PROGRAM, "postfix/slow"}, {F_DAEMON, "smtpd"},
	    {F_KIND, "timeout"}, {F_COMMAND, "EHLO"},
	    {F_CLIENT_PORT, "20302"}}},
	{"Nov 23 09:17:33 mx postfix/smtpd[12202]: warning: B86CAA720AA: "
	    "queue file size limit exceeded", "smtpd-queue-file-too-big", {
	    {F_SEVERITY, "warning"}, {F_QUEUE, "B86CAA720AA"},
	    {F_COMMAND, "DATA"}, {F_REPLY, "552"}, {F_ENHANCED, "5.3.4"},
	    {F_KIND, "rejected"}, {F_CAUSE, "size"},
	    {F_TEXT, "Error: message file too big"}}},
	{"Nov 23 09:17:35 mx postfix/smtpd[12202]: warning: non-SMTP command "
	    "from localhost[127.0.0.1]:20116: GET / HTTP/1.0",
	    "smtpd-non-smtp", {
	    {F_SEVERITY, "warning"}, {F_CLIENT_PORT, "20116"},
	    {F_TEXT, "GET / HTTP/1.0"}, {F_KIND, "protocol"},
	    {F_CAUSE, "non-smtp"}}},
	{"Nov 23 09:17:36 mx postfix/smtpd[12202]: improper command pipelining "
	    "after DATA from localhost[127.0.0.1]:20117: Subject: pipelined\\r"
	    "\\n\\r\\nbody\\r\\n.\\r\\n", "smtpd-pipelining", {
	    {F_COMMAND, "DATA"}, {F_CLIENT_PORT, "20117"},
	    {F_TEXT, "Subject: pipelined\\r\\n\\r\\nbody\\r\\n.\\r\\n"}}},
	{"Nov 23 09:17:39 mx postfix/submission/smtpd[12487]: warning: "
	    "localhost[127.0.0.1]:20204: SASL LOGIN authentication failed: "
	    "authentication failure, sasl_username=alice@smtplog.test",
	    "smtpd-sasl-failed", {
	    {F_SEVERITY, "warning"}, {F_CLIENT_PORT, "20204"},
	    {F_SASL_METHOD, "LOGIN"}, {F_TEXT, "authentication failure"},
	    {F_SASL_USER, "alice@smtplog.test"}, {F_PHASE, "auth"},
	    {F_KIND, "auth"}, {F_CAUSE, "auth-failed"}}},
	{"Nov 23 09:17:55 mx postfix/submission/smtpd[12832]: warning: SASL "
	    "authentication failure: Password verification failed",
	    "smtpd-sasl-detail", {
	    {F_TEXT, "Password verification failed"}}},
	{"Nov 23 09:17:39 mx postfix/submission/smtpd[12487]: SSL_accept error "
	    "from localhost[127.0.0.1]:20203: lost connection",
	    "smtpd-ssl-accept-error", {
	    {F_CLIENT_PORT, "20203"}, {F_TEXT, "lost connection"},
	    {F_PHASE, "starttls"}, {F_KIND, "tls"}, {F_CAUSE, "tls-failed"}}},
	{"Nov 23 09:17:38 mx postfix/submission/smtpd[12487]: warning: TLS "
	    "library problem: error:0A00010B:SSL routines::wrong version "
	    "number:../ssl/record/ssl3_record.c:350:",
	    "smtpd-tls-library-problem", {
	    {F_TEXT, "error:0A00010B:SSL routines::wrong version number:"
	    "../ssl/record/ssl3_record.c:350:"}, {F_PHASE, "starttls"},
	    {F_KIND, "tls"}}},
	{"Nov 23 09:17:39 mx postfix/submission/smtpd[12487]: Anonymous TLS "
	    "connection established from localhost[127.0.0.1]:20205: TLSv1.3 "
	    "with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange "
	    "X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256",
	    "smtpd-tls-established", {
	    {F_CLIENT_PORT, "20205"}, {F_TLS, "TLSv1.3 with cipher "
	    "TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 "
	    "server-signature RSA-PSS (2048 bits) server-digest SHA256"}}},
	{"Nov 23 09:17:55 mx postfix/submission/smtpd[12832]: < "
	    "localhost[127.0.0.1]:20401: EHLO p20401.client.test",
	    "smtpd-chat-command", {
	    {F_CLIENT_PORT, "20401"}, {F_COMMAND, "EHLO"},
	    {F_ARG, "p20401.client.test"}}},
	{"Nov 23 09:17:55 mx postfix/submission/smtpd[12832]: > "
	    "localhost[127.0.0.1]:20401: 220 mx.smtplog.test ESMTP "
	    "smtplog-test", "smtpd-chat-reply", {
	    {F_REPLY, "220"}, {F_ENHANCED, UNSET},
	    {F_TEXT, "mx.smtplog.test ESMTP smtplog-test"}}},
	/* postscreen */
	{"Nov 23 09:17:21 mx postfix/postscreen[11907]: CONNECT from "
	    "[127.0.0.1]:20001 to [127.0.0.1]:10025", "postscreen-connect", {
	    {F_DAEMON, "postscreen"}, {F_PID, "11907"},
	    {F_CLIENT_IP, "127.0.0.1"}, {F_CLIENT_PORT, "20001"},
	    {F_SERVER_IP, "127.0.0.1"}, {F_SERVER_PORT, "10025"}}},
	{"Nov 23 09:17:32 mx postfix/postscreen[11907]: PASS OLD "
	    "[127.0.0.1]:20008", "postscreen-pass", {
	    {F_CLIENT_IP, "127.0.0.1"}, {F_CLIENT_PORT, "20008"}}},
	{"Nov 23 09:17:32 mx postfix/postscreen[11907]: PASS NEW "
	    "[127.0.0.1]:20007", "postscreen-pass", {
	    {F_CLIENT_PORT, "20007"}}},
	{"Nov 23 09:17:21 mx postfix/postscreen[11907]: PREGREET 25 after 0 "
	    "from [127.0.0.1]:20002: EHLO p20002.client.test\\r\\n",
	    "postscreen-pregreet", {
	    {F_COUNT, "25"}, {F_CLIENT_PORT, "20002"},
	    {F_TEXT, "EHLO p20002.client.test\\r\\n"},
	    {F_PHASE, "pre-greeting"}, {F_KIND, "protocol"},
	    {F_CAUSE, "pregreet"}}},
	{"Nov 23 09:17:21 mx postfix/postscreen[11907]: HANGUP after 0 from "
	    "[127.0.0.1]:20001 in tests before SMTP handshake",
	    "postscreen-hangup", {
	    {F_CLIENT_PORT, "20001"}, {F_TEXT, "tests before SMTP handshake"},
	    {F_KIND, "dropped"}, {F_CAUSE, "lost-connection"}}},
	{"Nov 23 09:17:27 mx postfix/postscreen[11907]: COMMAND PIPELINING "
	    "from [127.0.0.1]:20005 after EHLO: MAIL "
	    "FROM:<alice@smtplog.test>\\r\\n", "postscreen-protocol", {
	    {F_CAUSE, "pipelining"}, {F_CLIENT_PORT, "20005"},
	    {F_COMMAND, "EHLO"},
	    {F_TEXT, "MAIL FROM:<alice@smtplog.test>\\r\\n"},
	    {F_KIND, "protocol"}}},
	{"Nov 23 09:17:25 mx postfix/postscreen[11907]: NON-SMTP COMMAND from "
	    "[127.0.0.1]:20004 after CONNECT: GET / HTTP/1.0",
	    "postscreen-protocol", {
	    {F_CAUSE, "non-smtp"}, {F_COMMAND, "CONNECT"},
	    {F_TEXT, "GET / HTTP/1.0"}}},
	{"Nov 23 09:17:30 mx postfix/postscreen[11907]: BARE NEWLINE from "
	    "[127.0.0.1]:20006 after EHLO p20006.client.test",
	    "postscreen-protocol", {
	    {F_CAUSE, "non-smtp"}, {F_COMMAND, "EHLO"},
	    {F_TEXT, "p20006.client.test"}}},
	{"Nov 23 09:17:32 mx postfix/postscreen[11907]: NOQUEUE: reject: RCPT "
	    "from [127.0.0.1]:20007: 450 4.3.2 Service currently unavailable; "
	    "from=<alice@smtplog.test>, to=<bob@smtplog.test>, proto=ESMTP, "
	    "helo=<p20007.client.test>", "postscreen-deep-test-tempfail", {
	    {F_COMMAND, "RCPT"}, {F_CLIENT_PORT, "20007"}, {F_REPLY, "450"},
	    {F_ENHANCED, "4.3.2"}, {F_TEXT, "Service currently unavailable"},
	    {F_SENDER, "alice@smtplog.test"}, {F_RECIPIENT, "bob@smtplog.test"},
	    {F_HELO, "p20007.client.test"}, {F_CAUSE, "greylist"}}},
	{"Nov 23 09:17:30 mx postfix/postscreen[11907]: DISCONNECT "
	    "[127.0.0.1]:20006", "postscreen-disconnect", {
	    {F_CLIENT_IP, "127.0.0.1"}, {F_CLIENT_PORT, "20006"}}},
	{"Nov 23 09:17:21 mx postfix/postscreen[11907]: cache "
	    "btree:/tmp/smtplog-postfix/data/postscreen_cache full cleanup: "
	    "retained=0 dropped=0 entries", "postscreen-housekeeping", {
	    {F_PID, "11907"}}},
	/* the smtp client */
	{"Nov 23 09:17:37 mx postfix/smtp[12421]: ACC24A720B7: "
	    "to=<u1@bounce.test>, relay=127.0.0.1[127.0.0.1]:10029, "
	    "delay=0.36, "
	    "delays=0/0.04/0.15/0.17, dsn=5.1.1, status=bounced (host "
	    "127.0.0.1[127.0.0.1] said: 550 5.1.1 <u1@bounce.test>: Recipient "
	    "address rejected: Mailbox unavailable (remote test) (in reply to "
	    "RCPT TO command))", "smtp-delivery-said", {
	    {F_DAEMON, "smtp"}, {F_PID, "12421"}, {F_QUEUE, "ACC24A720B7"},
	    {F_RECIPIENT, "u1@bounce.test"},
	    {F_RELAY, "127.0.0.1[127.0.0.1]:10029"}, {F_DELAY, "0.36"},
	    {F_ENHANCED, "5.1.1"}, {F_STATUS, "bounced"}, {F_REPLY, "550"},
	    {F_TEXT, "<u1@bounce.test>: Recipient address rejected: Mailbox "
	    "unavailable (remote test)"}, {F_REMOTE_STAGE, "RCPT TO command"}}},
	{"Nov 23 09:17:37 mx postfix/smtp[12425]: C7B8AA720BC: "
	    "to=<u2@tempfail.test>, relay=127.0.0.1[127.0.0.1]:10029, "
	    "delay=0.21, delays=0/0.07/0.06/0.08, dsn=4.2.1, status=deferred "
	    "(host 127.0.0.1[127.0.0.1] said: 450 4.2.1 <u2@tempfail.test>: "
	    "Recipient address rejected: Mailbox busy, try again later (remote "
	    "test) (in reply to RCPT TO command))", "smtp-delivery-said", {
	    {F_QUEUE, "C7B8AA720BC"}, {F_STATUS, "deferred"},
	    {F_REPLY, "450"}, {F_ENHANCED, "4.2.1"},
	    {F_REMOTE_STAGE, "RCPT TO command"}}},
	{"Nov 23 09:17:37 mx postfix/smtp[12430]: E85ADA720BF: "
	    "to=<u3@refused.test>, relay=none, delay=0.07, "
	    "delays=0/0.06/0/0, dsn=4.4.1, status=deferred (connect to "
	    "127.0.0.1[127.0.0.1]:10030: Connection refused)",
	    "smtp-delivery-connect", {
	    {F_QUEUE, "E85ADA720BF"}, {F_RECIPIENT, "u3@refused.test"},
	    {F_RELAY, "none"}, {F_ENHANCED, "4.4.1"}, {F_STATUS, "deferred"},
	    {F_TEXT, "connect to 127.0.0.1[127.0.0.1]:10030: Connection "
	    "refused"}, {F_KIND, "dropped"}, {F_PHASE, "pre-greeting"}}},
	{"Nov 23 09:17:39 mx postfix/smtp[12572]: C863CA7210B: "
	    "to=<u6@ok.test>, relay=127.0.0.1[127.0.0.1]:10029, delay=0.06, "
	    "delays=0/0.04/0.01/0.01, dsn=2.0.0, status=sent (250 2.0.0 Ok: "
	    "queued as D683FA72110)", "smtp-delivery", {
	    {F_QUEUE, "C863CA7210B"}, {F_STATUS, "delivered"},
	    {F_REPLY, "250"}, {F_NEW_QUEUE, "D683FA72110"},
	    {F_TEXT, "250 2.0.0 Ok: queued as D683FA72110"}}},
	{"Nov 23 09:17:37 mx postfix/smtp[12430]: connect to "
	    "127.0.0.1[127.0.0.1]:10030: Connection refused",
	    "smtp-connect-error", {
	    {F_QUEUE, UNSET}, {F_RELAY, "127.0.0.1[127.0.0.1]:10030"},
	    {F_TEXT, "Connection refused"}, {F_KIND, "dropped"},
	    {F_PHASE, "pre-greeting"}}},
	{"Nov 23 09:17:36 mx postfix/smtp[12421]: Untrusted TLS connection "
	    "established to 127.0.0.1[127.0.0.1]:10029: TLSv1.3 with cipher "
	    "TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 "
	    "server-signature RSA-PSS (2048 bits) server-digest SHA256",
	    "smtp-tls-established", {
	    {F_RELAY, "127.0.0.1[127.0.0.1]:10029"}}},
	{"Nov 23 09:17:56 mx postfix/smtp[12842]: > "
	    "127.0.0.1[127.0.0.1]:10029: "
	    "EHLO r7.mx.smtplog.test", "smtp-chat-command", {
	    {F_RELAY, "127.0.0.1[127.0.0.1]:10029"}, {F_COMMAND, "EHLO"},
	    {F_ARG, "r7.mx.smtplog.test"}}},
	{"Nov 23 09:17:56 mx postfix/smtp[12842]: < "
	    "127.0.0.1[127.0.0.1]:10029: "
	    "220 remote.test ESMTP remote-test", "smtp-chat-reply", {
	    {F_RELAY, "127.0.0.1[127.0.0.1]:10029"}, {F_REPLY, "220"},
	    {F_TEXT, "remote.test ESMTP remote-test"}}},
	/* the queue */
	{"Nov 23 09:17:32 mx postfix/cleanup[12159]: 89C62A7208D: "
	    "message-id=<20261123091732.012154@vm>", "cleanup-message-id", {
	    {F_DAEMON, "cleanup"}, {F_QUEUE, "89C62A7208D"},
	    {F_MESSAGE_ID, "<20261123091732.012154@vm>"}}},
	{"Nov 23 09:17:33 mx postfix/cleanup[12159]: D17A5A720AC: reject: "
	    "header Subject: REJECTME header_checks test from "
	    "localhost[127.0.0.1]:20111; from=<alice@smtplog.test> "
	    "to=<bob@smtplog.test> proto=ESMTP helo=<p20111.client.test>: "
	    "5.7.1 Subject rejected by header_checks (test)",
	    "cleanup-reject", {
	    {F_QUEUE, "D17A5A720AC"}, {F_ACTION, "reject"},
	    {F_ARG, "Subject: REJECTME header_checks test"},
	    {F_CLIENT_PORT, "20111"}, {F_SENDER, "alice@smtplog.test"},
	    {F_RECIPIENT, "bob@smtplog.test"}, {F_HELO, "p20111.client.test"},
	    {F_REPLY, UNSET}, {F_ENHANCED, "5.7.1"},
	    {F_TEXT, "Subject rejected by header_checks (test)"},
	    {F_COMMAND, "END-OF-MESSAGE"}, {F_KIND, "rejected"}}},
	{"Nov 23 09:17:32 mx postfix/qmgr[11864]: 89C62A7208D: "
	    "from=<alice@smtplog.test>, size=439, nrcpt=1 (queue active)",
	    "qmgr-active", {
	    {F_QUEUE, "89C62A7208D"}, {F_SENDER, "alice@smtplog.test"},
	    {F_SIZE, "439"}, {F_NRCPT, "1"}}},
	{"Nov 23 09:17:37 mx postfix/qmgr[11864]: 13794A720EF: from=<>, "
	    "size=2507, nrcpt=1 (queue active)", "qmgr-active", {
	    {F_QUEUE, "13794A720EF"}, {F_SENDER, ""}, {F_SIZE, "2507"}}},
	{"Nov 23 09:17:50 mx postfix/qmgr[11864]: 31694A720F6: "
	    "from=<alice@smtplog.test>, status=force-expired, returned to "
	    "sender", "qmgr-expired", {
	    {F_QUEUE, "31694A720F6"}, {F_SENDER, "alice@smtplog.test"}}},
	{"Nov 23 09:17:32 mx postfix/qmgr[11864]: 89C62A7208D: removed",
	    "qmgr-removed", {{F_QUEUE, "89C62A7208D"}}},
	{"Nov 23 09:17:50 mx postfix/postsuper[12780]: 31694A720F6: expired",
	    "postsuper-note", {
	    {F_QUEUE, "31694A720F6"}, {F_ACTION, "expired"}}},
	{"Nov 23 09:17:32 mx postfix/local[12160]: 89C62A7208D: "
	    "to=<bob@smtplog.test>, relay=local, delay=0.06, "
	    "delays=0.02/0.03/0/0, dsn=2.0.0, status=sent (delivered to file: "
	    "/tmp/smtplog-postfix/mail/bob)", "local-delivery", {
	    {F_QUEUE, "89C62A7208D"}, {F_RECIPIENT, "bob@smtplog.test"},
	    {F_RELAY, "local"}, {F_DELAY, "0.06"}, {F_ENHANCED, "2.0.0"},
	    {F_STATUS, "delivered"},
	    {F_TEXT, "delivered to file: /tmp/smtplog-postfix/mail/bob"}}},
	{"Nov 23 09:17:37 mx postfix/bounce[12433]: ACC24A720B7: sender "
	    "non-delivery notification: 13794A720EF", "bounce-notification", {
	    {F_QUEUE, "ACC24A720B7"}, {F_NEW_QUEUE, "13794A720EF"}}},
	/* no conversation */
	{"Nov 23 09:17:18 mx postfix/master[11861]: daemon started -- version "
	    "3.7.11, configuration /tmp/smtplog-postfix/etc",
	    "daemon-housekeeping", {{F_DAEMON, "master"}}},
	{"Nov 23 09:17:53 mx postfix/anvil[12157]: statistics: max connection "
	    "rate 24/60s for (127.0.0.1:10028:127.0.0.1) at Nov 23 09:17:37",
	    "daemon-housekeeping", {{F_DAEMON, "anvil"}}},
	{"Nov 23 09:17:55 mx postfix/submission/smtpd[12832]: "
	    "xsasl_cyrus_server_first: sasl_method PLAIN, init_response "
	    "AGFsaWNlAHdyb25nLWFnYWlu", "verbose-internals", {
	    {F_SASL_METHOD, UNSET}}},
	/* an smtpd line no pattern knows (made up): prefix fields only */
	{"Nov 23 09:17:33 mx postfix/smtpd[12202]: a line that no pattern "
	    "knows", NULL, {
	    {F_TS, "Nov 23 09:17:33"}, {F_HOST, "mx"}, {F_DAEMON, "smtpd"},
	    {F_PID, "12202"}, {F_CLIENT_IP, UNSET}}},
};

/* Field f of the match holds want (NULL: unset). */
static void
assert_field(const struct match *m, enum field f, const char *want,
    const char *line)
{
	if (want == NULL) {
		ck_assert_msg(m->f[f].p == NULL, "%s: %s: got '%.*s', want "
		    "it unset", line, field_name(f), (int)m->f[f].len,
		    m->f[f].p);
		return;
	}
	ck_assert_msg(sv_eq(m->f[f], want), "%s: %s: got '%.*s', want '%s'",
	    line, field_name(f), m->f[f].p ? (int)m->f[f].len : 6,
	    m->f[f].p ? m->f[f].p : "(null)", want);
}

START_TEST(real_lines)
{
	const struct line_case *c = &lines[_i];
	struct strview line = {c->line, strlen(c->line)};
	struct match m;
	const char *got;

	ck_assert_msg(pattern_set_match(postfix, line, false, &m),
	    "no prefix matches: %s", c->line);
	ck_assert_ptr_eq(m.set, postfix);
	ck_assert_msg(!m.fallback, "%s: got the fallback prefix, want the "
	    "syslog one", c->line);
	got = m.pat ? pattern_name(m.pat) : "(none)";
	ck_assert_msg(c->pattern ? m.pat && strcmp(got, c->pattern) == 0 :
	    m.pat == NULL, "%s: pattern got '%s', want '%s'", c->line, got,
	    c->pattern ? c->pattern : "(none)");
	for (size_t i = 0; i < ARRAY_SIZE(c->want) && c->want[i].v; i++) {
		enum field f = c->want[i].f;
		const char *want = c->want[i].v;

		if (want == UNSET) {
			ck_assert_msg(m.f[f].p == NULL,
			    "%s: %s: got '%.*s', want it unset",
			    c->pattern ? c->pattern : "(none)", field_name(f),
			    (int)m.f[f].len, m.f[f].p);
			continue;
		}
		ck_assert_msg(m.f[f].p != NULL && m.f[f].len == strlen(want) &&
		    memcmp(m.f[f].p, want, m.f[f].len) == 0,
		    "%s: %s: got '%.*s', want '%s'",
		    c->pattern ? c->pattern : "(none)", field_name(f),
		    m.f[f].p ? (int)m.f[f].len : 6,
		    m.f[f].p ? m.f[f].p : "(null)", want);
	}
}
END_TEST

/* Lines of no Postfix: no prefix matches. */
static const char *const foreign[] = {
	"",
	"random text",
	"2020-06-20 01:32:57 1jmRA1-0005Qn-7W <= alice@example.org "
	    "H=mx.example.org [192.0.2.1] P=esmtp S=1234",
	"Nov 23 09:17:33 mx sshd[12202]: Accepted publickey for root",
	"Nov 23 09:17:33 mx dovecot[1]: imap-login: Login: user=<bob>",
};

START_TEST(foreign_lines)
{
	struct strview line = {foreign[_i], strlen(foreign[_i])};
	struct match m;

	ck_assert_msg(!pattern_set_match(postfix, line, false, &m),
	    "'%s': a Postfix prefix matched (pattern '%s')", foreign[_i],
	    m.pat ? pattern_name(m.pat) : "(none)");
}
END_TEST

/* The fallback prefix: a line whose source stripped the syslog part. */
START_TEST(fallback_prefix)
{
	const char *s = "lost connection after DATA (45 bytes) from "
	    "localhost[127.0.0.1]:20113";
	struct strview line = {s, strlen(s)};
	struct match m;

	ck_assert_msg(!pattern_set_match(postfix, line, false, &m),
	    "an ordinary prefix matched a bare line");
	ck_assert_msg(pattern_set_match(postfix, line, true, &m),
	    "%s: got no match, want the fallback prefix's", s);
	ck_assert_msg(m.fallback, "%s: got an ordinary prefix, want the "
	    "fallback", s);
	ck_assert_msg(m.pat != NULL && strcmp(pattern_name(m.pat),
	    "smtpd-abort") == 0, "pattern: got '%s', want 'smtpd-abort'",
	    m.pat ? pattern_name(m.pat) : "(none)");
	assert_field(&m, F_BYTES, "45", s);
	assert_field(&m, F_PID, NULL, s);
}
END_TEST

/* What the correlator asks of a match. */
START_TEST(match_properties)
{
	static const char *ps = "Nov 23 09:17:32 mx postfix/postscreen[11907]: "
	    "PASS OLD [127.0.0.1]:20008";
	static const char *sd = "Nov 23 09:17:32 mx postfix/smtpd[12155]: "
	    "connect from localhost[127.0.0.1]:20008";
	static const char *lo = "Nov 23 09:17:32 mx postfix/local[12160]: "
	    "89C62A7208D: to=<bob@smtplog.test>, relay=local, delay=0.06, "
	    "delays=0.02/0.03/0/0, dsn=2.0.0, status=sent (delivered to file: "
	    "/tmp/smtplog-postfix/mail/bob)";
	static const char *sm = "Nov 23 09:17:37 mx postfix/smtp[12430]: "
	    "connect to 127.0.0.1[127.0.0.1]:10030: Connection refused";
	struct match m;
	const enum field *kf;
	size_t nk;

	ck_assert_msg(pattern_set_match(postfix, (struct strview){ps,
	    strlen(ps)}, false, &m) && m.pat, "%s: got no pattern, want one",
	    ps);
	ck_assert_int_eq(pattern_event(m.pat), EV_HANDOFF);
	nk = pattern_key_fields(&m, &kf);
	ck_assert_msg(nk == 3 && kf[0] == F_HOST && kf[1] == F_CLIENT_IP &&
	    kf[2] == F_CLIENT_PORT, "postscreen key: got %zu fields", nk);
	ck_assert_str_eq(pattern_label(&m),
	    "{host}/{program}/postscreen[{client_ip}]:{client_port}");

	ck_assert_msg(pattern_set_match(postfix, (struct strview){sd,
	    strlen(sd)}, false, &m) && m.pat, "%s: got no pattern, want one",
	    sd);
	ck_assert_int_eq(pattern_event(m.pat), EV_CONNECT);
	ck_assert_int_eq(pattern_scope(m.pat), SCOPE_SESSION);
	ck_assert_int_eq(pattern_direction(m.pat), DIR_INBOUND);
	ck_assert_int_eq(pattern_explains(m.pat), false);
	nk = pattern_key_fields(&m, &kf);
	ck_assert_msg(nk == 4 && kf[0] == F_HOST && kf[1] == F_PROGRAM &&
	    kf[2] == F_DAEMON && kf[3] == F_PID,
	    "smtpd key: got %zu fields", nk);
	ck_assert_str_eq(pattern_label(&m), "{host}/{program}/{daemon}[{pid}]");
	ck_assert_int_eq(pattern_set_message_field(postfix), F_QUEUE);

	ck_assert_msg(pattern_set_match(postfix, (struct strview){lo,
	    strlen(lo)}, false, &m) && m.pat, "%s: got no pattern, want one",
	    lo);
	ck_assert_int_eq(pattern_event(m.pat), EV_DELIVERY);
	ck_assert_int_eq(pattern_scope(m.pat), SCOPE_MESSAGE);

	ck_assert_msg(pattern_set_match(postfix, (struct strview){sm,
	    strlen(sm)}, false, &m) && m.pat, "%s: got no pattern, want one",
	    sm);
	ck_assert_int_eq(pattern_event(m.pat), EV_FAIL);
	ck_assert_int_eq(pattern_direction(m.pat), DIR_OUTBOUND);
}
END_TEST

/* The features a line shows: by a field it has, or by its pattern's
 * name (pattern_features_of(); exim.yaml's 'features'). */
static unsigned
feature_bit(const struct pattern_set *s, const char *name)
{
	const char *f;

	for (size_t i = 0; (f = pattern_set_feature(s, i)) != NULL; i++)
		if (strcmp(f, name) == 0)
			return 1u << i;
	ck_abort_msg("no feature '%s'", name);
	return 0;
}

START_TEST(features)
{
	static const struct {
		const char *line;
		const char *want[3];
	} v[] = {
		{"2026-11-23 12:20:27.236 +0000 [10748] SMTP connection from "
		    "[127.0.0.1]:22001 (TCP/IP connection count = 1)",
		    {"+pid", "+smtp_connection", "+incoming_port"}},
		{"2026-11-23 12:20:27 SMTP connection from [127.0.0.1] "
		    "(TCP/IP connection count = 1)", {"+smtp_connection"}},
		{"2026-11-23 12:20:27 no MAIL in SMTP connection from "
		    "[127.0.0.1] D=0.000s", {"+smtp_no_mail"}},
		{"2026-11-23 12:20:27 [12] SMTP connection from [127.0.0.1] "
		    "lost D=0.000s", {"+pid"}},
	};
	const struct pattern_set *exim = pattern_db_find(db, "exim");

	ck_assert_ptr_nonnull(exim);
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		struct match m;
		unsigned want = 0, got;

		ck_assert_msg(pattern_set_match(exim, (struct strview){
		    v[i].line, strlen(v[i].line)}, false, &m) && m.pat,
		    "%s: no pattern", v[i].line);
		for (size_t k = 0; k < 3 && v[i].want[k]; k++)
			want |= feature_bit(exim, v[i].want[k]);
		got = pattern_features_of(&m);
		ck_assert_msg(got == want, "%s: features %#x, want %#x",
		    v[i].line, got, want);
	}
}
END_TEST

START_TEST(names)
{
	ck_assert_str_eq(field_name(F_TS), "ts");
	ck_assert_str_eq(field_name(F_CLIENT_IP), "client_ip");
	ck_assert_str_eq(field_name(F_REMOTE_STAGE), "remote_stage");
	ck_assert_str_eq(field_name(F_REASON), "reason");
	ck_assert_ptr_null(field_name(F__COUNT));
	ck_assert_ptr_null(field_name(F_NONE));
	ck_assert_str_eq(event_name(EV_CONNECT), "connect");
	ck_assert_str_eq(event_name(EV_IGNORE), "ignore");
	ck_assert_ptr_null(event_name(EV__COUNT));
}
END_TEST

struct cause_case {
	const char *phase, *reply, *enhanced, *text, *want;
};

static const struct cause_case causes[] = {
	{"rcpt", "550", "5.1.1", "<nobody@smtplog.test>: Recipient address "
	    "rejected: User unknown in local recipient table", "unknown-user"},
	{"rcpt", "554", "5.7.1", "<someone@example.com>: Relay access denied",
	    "relay-denied"},
	{"data", "503", "5.5.0", "<DATA>: Data command rejected: Improper use "
	    "of SMTP command pipelining", "pipelining"},
	{"rcpt", "450", "4.2.0", "<greylist@smtplog.test>: Recipient address "
	    "rejected: Greylisted, please try again later", "greylist"},
	{"rcpt", "250", "2.0.0", "Ok", NULL},
};

START_TEST(cause_rules)
{
	const struct cause_case *c = &causes[_i];
	const char *got = pattern_db_cause(db, phase_by_name(c->phase,
	    strlen(c->phase)), c->reply, c->enhanced, c->text);

	ck_assert_msg(c->want ? got && strcmp(got, c->want) == 0 : got == NULL,
	    "%s %s %s: got '%s', want '%s'", c->reply, c->enhanced, c->text,
	    got ? got : "(none)", c->want ? c->want : "(none)");
}
END_TEST

/* --- files the loader must refuse --------------------------------------- */

/*
 * A small valid set; each bad case below changes one thing in it. Lines
 * 1-10 are shared; the comments give the line numbers of the rest.
 */
#define HEAD \
	"mta: testmta\n" \
	"session: [host, pid]\n" \
	"prefixes:\n" \
	"  - name: p\n" \
	"    regex: '^(?<host>\\S+) (?<pid>\\d+): '\n" \
	"    samples:\n" \
	"      - line: 'mx 12: hello world'\n" \
	"        expect: {host: mx, pid: '12'}\n" \
	"patterns:\n" \
	"  - name: hello\n"
#define EVENT "    event: note\n"				/* 11 */
#define REGEX "    regex: '^hello (?<text>\\w+)$'\n"	/* 12 */
#define SAMPLES "    samples:\n"				/* 13 */
#define SAMPLE "      - line: 'mx 12: hello world'\n"	/* 14 */
#define EXPECT "        expect: {text: world}\n"		/* 15 */

struct bad_case {
	const char *name;
	const char *text;
	bool loads;		/* the load succeeds, pattern_db_check fails */
	int line, col;		/* of the complaint; 0: no complaint */
	const char *says;	/* a part of the message */
};

static const struct bad_case bad_files[] = {
	{"valid", HEAD EVENT REGEX SAMPLES SAMPLE EXPECT, true, 0, 0, NULL},
	/* valid too: the second branch has its own literal start */
	{"alternation at the top level", HEAD EVENT
	    "    regex: '^hello (?<text>\\w+)$|^goodbye (?<text>\\w+)$'\n"
	    SAMPLES SAMPLE EXPECT
	    "      - line: 'mx 12: goodbye moon'\n"
	    "        expect: {text: moon}\n", true, 0, 0, NULL},
	{"unknown key", HEAD EVENT "    colour: blue\n" REGEX SAMPLES SAMPLE
	    EXPECT, false, 12, 5, "unknown key 'colour'"},
	{"duplicate key", HEAD EVENT "    event: note\n" REGEX SAMPLES SAMPLE
	    EXPECT, false, 12, 5, "duplicate key 'event'"},
	{"duplicate top-level key", "mta: other\n" HEAD EVENT REGEX SAMPLES
	    SAMPLE EXPECT, false, 2, 1, "duplicate key 'mta'"},
	{"regex does not compile", HEAD EVENT
	    "    regex: '^hello (?<text>\\w+$'\n" SAMPLES SAMPLE EXPECT, false,
	    12, 12, "regex does not compile"},
	{"named group not a field", HEAD EVENT
	    "    regex: '^hello (?<colour>\\w+)$'\n" SAMPLES SAMPLE
	    "        expect: {}\n", false, 12, 12, "unknown field 'colour'"},
	{"no samples", HEAD EVENT REGEX, false, 10, 5, "no samples"},
	{"fields names no field set", HEAD EVENT REGEX "    fields: dlv\n"
	    SAMPLES SAMPLE EXPECT, false, 10, 5, "no field set 'dlv'"},
	{"tail without fields", HEAD EVENT REGEX "    tail: '$'\n"
	    SAMPLES SAMPLE EXPECT, false, 10, 5, "'tail' without 'fields'"},
	{"empty samples", HEAD EVENT REGEX "    samples: []\n", false, 13, 14,
	    "no samples"},
	{"unknown event", HEAD "    event: natter\n" REGEX SAMPLES SAMPLE
	    EXPECT, false, 11, 12, "unknown event 'natter'"},
	{"unknown field in expect", HEAD EVENT REGEX SAMPLES SAMPLE
	    "        expect: {txt: world}\n", false, 15, 18,
	    "unknown field 'txt'"},
	{"invalid YAML", HEAD "    event: note: bad\n" REGEX SAMPLES SAMPLE
	    EXPECT, false, 11, 16, "invalid YAML"},
	{"sample matches no pattern", HEAD EVENT REGEX SAMPLES
	    "      - line: 'mx 12: goodbye world'\n" "        expect: {}\n",
	    true, 14, 9, "sample matches no pattern"},
	{"expected field differs", HEAD EVENT REGEX SAMPLES SAMPLE
	    "        expect: {text: earth}\n", true, 14, 9,
	    "got 'world', want 'earth'"},
	{"sample taken by an earlier pattern", HEAD EVENT REGEX SAMPLES SAMPLE
	    EXPECT
	    "  - name: hello-again\n"			/* 16 */
	    "    event: note\n"
	    "    regex: '^hello'\n"
	    "    samples:\n"
	    "      - line: 'mx 12: hello there'\n",	/* 20 */
	    true, 20, 9, "matched first by pattern 'hello'"},
	{"prefix sample matches no prefix", "mta: testmta\n"
	    "session: [host, pid]\n"
	    "prefixes:\n"
	    "  - name: p\n"
	    "    regex: '^(?<host>\\S+) (?<pid>\\d+): '\n"
	    "    samples:\n"
	    "      - line: 'no prefix here'\n"		/* 7 */
	    "patterns:\n"
	    "  - name: hello\n"
	    EVENT REGEX SAMPLES SAMPLE EXPECT, true, 7, 9,
	    "matches no prefix"},
};

START_TEST(bad_file)
{
	const struct bad_case *c = &bad_files[_i];
	const char *dirs[] = {tmpdir};
	struct capture cap;
	char where[600];
	unsigned bad = 0, n = 0;

	write_file(tmpdir, "bad.yaml", c->text);
	capture_start(&cap);
	tdb = pattern_db_load(dirs, 1);
	if (tdb != NULL)
		bad = pattern_db_check(tdb, &n);
	terr = capture_end(&cap);

	if (c->loads) {
		ck_assert_msg(tdb != NULL, "%s: the load failed: %s", c->name,
		    terr);
		ck_assert_msg(pattern_db_find(tdb, "testmta") != NULL,
		    "%s: no set 'testmta'", c->name);
		ck_assert_msg(c->line ? bad > 0 : bad == 0,
		    "%s: pattern_db_check: got %u failures of %u samples",
		    c->name, bad, n);
	} else {
		ck_assert_msg(tdb == NULL, "%s: the load succeeded", c->name);
	}
	if (c->line) {
		snprintf(where, sizeof(where), "%s/bad.yaml:%d:%d: error: ",
		    tmpdir, c->line, c->col);
		ck_assert_msg(strstr(terr, where) != NULL,
		    "%s: no '%s' in: %s", c->name, where, terr);
		ck_assert_msg(strstr(terr, c->says) != NULL,
		    "%s: no '%s' in: %s", c->name, c->says, terr);
	} else {
		ck_assert_msg(terr[0] == '\0', "%s: complaint: %s", c->name,
		    terr);
	}
}
END_TEST

/* A directory that does not exist, or holds no pattern file. */
START_TEST(missing_dir)
{
	char path[300];
	const char *dirs[] = {path};
	struct capture cap;

	snprintf(path, sizeof(path), "%s/none", tmpdir);
	capture_start(&cap);
	tdb = pattern_db_load(dirs, 1);
	terr = capture_end(&cap);
	ck_assert_msg(tdb == NULL, "missing directory: the load succeeded");
	ck_assert_msg(strstr(terr, path) != NULL, "no '%s' in: %s", path,
	    terr);
}
END_TEST

/* --- --patterns DIR: a set of the same mta replaces the shipped one ----- */

static const char override_yaml[] =
	"mta: postfix\n"
	"session: [host, daemon, pid]\n"
	"prefixes:\n"
	"  - name: syslog\n"
	"    regex: '^(?<ts>[A-Z][a-z]{2} [ 0-9]?\\d \\d\\d:\\d\\d:\\d\\d) "
	"(?<host>\\S+) (?<program>postfix[^/\\[\\s]*)/(?<daemon>[^/\\[\\s]+)"
	"\\[(?<pid>\\d+)\\]: '\n"
	"    samples:\n"
	"      - line: 'Nov 23 09:17:32 mx postfix/smtpd[12155]: hi'\n"
	"patterns:\n"
	"  - name: override-only\n"
	"    event: note\n"
	"    regex: '^hello from (?<text>.*)$'\n"
	"    samples:\n"
	"      - line: 'Nov 23 09:17:32 mx postfix/smtpd[12155]: hello from "
	"the override'\n"
	"        expect: {text: the override}\n";

START_TEST(override_set)
{
	char odir[300];
	const char *dirs[] = {shipped_dir(), odir};
	const struct pattern_set *s;
	struct match m;
	const char *mine = "Nov 23 09:17:32 mx postfix/smtpd[12155]: hello "
	    "from the override";
	const char *theirs = "Nov 23 09:17:32 mx postfix/smtpd[12155]: "
	    "connect from localhost[127.0.0.1]:20008";
	unsigned n = 0;
	size_t shipped;

	tdb = pattern_db_load(dirs, 1);
	ck_assert_ptr_nonnull(tdb);
	shipped = pattern_db_count(tdb);
	pattern_db_free(tdb);
	snprintf(odir, sizeof(odir), "%s/override", tmpdir);
	ck_assert_int_eq(mkdir(odir, 0700), 0);
	write_file(odir, "my-postfix.yaml", override_yaml);
	tdb = pattern_db_load(dirs, 2);
	ck_assert_msg(tdb != NULL, "load with an override failed");
	ck_assert_msg(pattern_db_count(tdb) == shipped,
	    "sets: got %zu, want %zu (the override replaces postfix)",
	    pattern_db_count(tdb), shipped);
	s = pattern_db_find(tdb, "postfix");
	ck_assert_ptr_nonnull(s);
	ck_assert_msg(strstr(pattern_set_file(s), "my-postfix.yaml") != NULL,
	    "set 'postfix' comes from '%s'", pattern_set_file(s));
	ck_assert_msg(pattern_set_match(s, (struct strview){mine,
	    strlen(mine)}, false, &m), "%s: got no prefix match, want one",
	    mine);
	ck_assert_msg(m.pat != NULL &&
	    strcmp(pattern_name(m.pat), "override-only") == 0,
	    "pattern: got '%s', want 'override-only'",
	    m.pat ? pattern_name(m.pat) : "(none)");
	assert_field(&m, F_TEXT, "the override", mine);
	/* the shipped patterns are gone */
	ck_assert_msg(pattern_set_match(s, (struct strview){theirs,
	    strlen(theirs)}, false, &m), "%s: got no prefix match, want one",
	    theirs);
	ck_assert_msg(m.pat == NULL, "shipped pattern '%s' still there",
	    m.pat ? pattern_name(m.pat) : "");
	/* the shipped causes stay */
	ck_assert_str_eq(pattern_db_cause(tdb, PHASE_RCPT, "554", "5.7.1",
	    "Relay access denied"), "relay-denied");
	ck_assert_uint_eq(pattern_db_check(tdb, &n), 0);
	ck_assert_uint_gt(n, 2);
}
END_TEST

/*
 * A prefix's head (head.h) must read every line as its regex does: the
 * shipped postfix.yaml, once as shipped and once with its 'head:' line
 * removed, on every line of the Postfix sample logs and on made-up heads
 * at the edges of the shape (which the head may decline: then the regex
 * reads them, and the results must still agree).
 */
static const char *const edge_heads[] = {
	"Nov  3 09:13:46 mx postfix/smtpd[7980]: connect from a[1.2.3.4]",
	"Nov 3 09:13:46 mx postfix/smtpd[7980]: connect from a[1.2.3.4]",
	"Nov 23 09:13:46.123 mx postfix/smtpd[7980]: warning: x",
	"Nov 23 09:13:46.x mx postfix/smtpd[7980]: warning: x",
	"Nov 23 09:13:46  mx   postfix/smtpd[7980]: error: x",
	"Nov 23 09:13:46\tmx postfix/smtpd[7980]: x",
	"Nov 23 09:13:46 mx\tpostfix/smtpd[7980]: x",
	"Nov 23 09:13:46 mx postfix//smtpd[7980]: x",
	"Nov 23 09:13:46 mx postfix/smtpd/[7980]: x",
	"Nov 23 09:13:46 mx postfix/[7980]: x",
	"Nov 23 09:13:46 mx postfix[7980]: x",
	"Nov 23 09:13:46 mx postfixer/a/b/smtpd[7980]: fatal: x",
	"Nov 23 09:13:46 mx postfix/smtpd[]: x",
	"Nov 23 09:13:46 mx postfix/smtpd[12]:x",
	"Nov 23 09:13:46 mx postfix/smtpd[12]: warning:x",
	"Nov 23 09:13:46 mx postfix/sm tpd[12]: x",
	"Nov 23 09:13:46 mx notpostfix/smtpd[12]: x",
	"nov 23 09:13:46 mx postfix/smtpd[12]: x",
	"2026-11-23T09:13:46Z mx postfix/smtpd[1]: x",
	"2026-11-23 09:13:46 mx postfix/smtpd[1]: x",
	"2026-11-23T09:13:46.5+01:00 mx postfix/smtpd[1]: panic: x",
	"2026-11-23T09:13:46-0130 mx postfix/smtpd[1]: x",
	"2026-11-23T09:13:46+01:0 mx postfix/smtpd[1]: x",
	"2026-11-23T09:13:46+01 mx postfix/smtpd[1]: x",
	"2026-11-23X09:13:46 mx postfix/smtpd[1]: x",
	"2026-11-23T09:13:46",
	"Nov 23 09:13:46 mx",
	"Nov 23 09:13:46 mx postfix/smtpd[7980]: ",
	"",
};

static void
assert_same_match(const struct pattern_set *a, const struct pattern_set *b,
    const char *s, size_t n, const char *where)
{
	struct strview line = {s, n};
	struct match ma, mb;
	bool ra = pattern_set_match(a, line, false, &ma);
	bool rb = pattern_set_match(b, line, false, &mb);

	ck_assert_msg(ra == rb, "%s: head %d, regex %d: '%.*s'", where, ra,
	    rb, (int)n, s);
	if (!ra)
		return;
	ck_assert_msg(ma.pat == NULL ? mb.pat == NULL : mb.pat != NULL &&
	    strcmp(pattern_name(ma.pat), pattern_name(mb.pat)) == 0,
	    "%s: patterns differ: '%.*s'", where, (int)n, s);
	for (int f = 0; f < F__COUNT; f++) {
		struct strview x = ma.f[f], y = mb.f[f];
		/* a view of the line must be the same view; a constant from
		   the pattern file (set:, map:) the same text */
		bool in_line = (x.p >= s && x.p <= s + n) ||
		    (y.p >= s && y.p <= s + n);
		bool same = in_line ? x.p == y.p && x.len == y.len :
		    (x.p == NULL) == (y.p == NULL) && x.len == y.len &&
		    (x.p == NULL || memcmp(x.p, y.p, x.len) == 0);

		ck_assert_msg(same, "%s: field %s differs: '%.*s'", where,
		    field_name((enum field)f), (int)n, s);
	}
}

/*
 * The shipped MTA.yaml against itself without its 'head:' line (written to
 * tmpdir as an override), on every line of the logs and on the edges.
 */
static void
head_vs_regex(const char *mta, const char *const *logs, size_t nlogs,
    const char *const *edges, size_t nedges)
{
	const char *dirs[] = {shipped_dir()};
	const char *odirs[] = {shipped_dir(), tmpdir};
	struct pattern_db *plain;
	char path[512], name[64], *text, *cut, *line;
	FILE *f;
	long size;
	size_t nlines = 0;

	snprintf(name, sizeof(name), "%s.yaml", mta);
	snprintf(path, sizeof(path), "%s/%s", shipped_dir(), name);
	f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)size + 1);
	ck_assert_uint_eq(fread(text, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	cut = strstr(text, "\n    head: ");
	ck_assert_msg(cut != NULL, "%s has no head: any more", name);
	memmove(cut + 1, strchr(cut + 1, '\n') + 1,
	    strlen(strchr(cut + 1, '\n') + 1) + 1);
	write_file(tmpdir, name, text);
	free(text);
	tdb = pattern_db_load(dirs, 1);
	plain = pattern_db_load(odirs, 2);
	ck_assert_ptr_nonnull(tdb);
	ck_assert_ptr_nonnull(plain);
	for (size_t i = 0; i < nlogs; i++) {
		char buf[8192];

		f = fopen(logs[i], "r");
		ck_assert_msg(f != NULL, "%s: cannot open", logs[i]);
		while ((line = fgets(buf, sizeof(buf), f)) != NULL) {
			size_t n = strcspn(line, "\n");

			assert_same_match(pattern_db_find(tdb, mta),
			    pattern_db_find(plain, mta), line, n, logs[i]);
			nlines++;
		}
		fclose(f);
	}
	ck_assert_uint_gt(nlines, 1000);
	for (size_t i = 0; i < nedges; i++)
		assert_same_match(pattern_db_find(tdb, mta),
		    pattern_db_find(plain, mta), edges[i], strlen(edges[i]),
		    "edge");
	pattern_db_free(plain);
}

START_TEST(head_as_regex)
{
	const char *const logs[] = {SRCDIR "/samples/postfix/mail.log",
	    SRCDIR "/samples/postfix/remote.log"};

	head_vs_regex("postfix", logs, ARRAY_SIZE(logs), edge_heads,
	    ARRAY_SIZE(edge_heads));
}
END_TEST

/* The same for a dated head (exim.yaml's main log prefix). */
static const char *const edge_dated[] = {
	"2026-11-23 12:20:30.719 +0000 [10984] 1xVT26-0002rA-2J <= a",
	"2026-11-23 12:20:30 1xVT26-0002rA-2J <= a",
	"2026-11-23 12:20:30 1xVT26-0002rAx-2J-0002 Completed",
	"2026-11-23 12:20:30 1xVT26-0002rA6789a-2J0A Completed",
	"2026-11-23 12:20:30 1xVT26-0002rA-2J",
	"2026-11-23 12:20:30 1xVT26-0002rA-2Jx Completed",
	"2026-11-23 12:20:30.71 +0000 x",
	"2026-11-23 12:20:30.7191 +0000 x",
	"2026-11-23 12:20:30.719",
	"2026-11-23 12:20:30.719 ",
	"2026-11-23 12:20:30 +0000",
	"2026-11-23 12:20:30 +0000 ",
	"2026-11-23 12:20:30 +00001 x",
	"2026-11-23 12:20:30 -0130 [1] x",
	"2026-11-23 12:20:30 [] x",
	"2026-11-23 12:20:30 [12]x",
	"2026-11-23 12:20:30 [12] [13] x",
	"2026-11-23 12:20:30",
	"2026-11-23 12:20:30 ",
	"2026-11-23T12:20:30 x",
	"2026-11-2312:20:30 x",
	"Nov 23 12:20:30 mx exim[1]: x",
	"",
};

START_TEST(dated_head_as_regex)
{
	const char *const logs[] = {SRCDIR "/samples/exim/all/mainlog",
	    SRCDIR "/samples/exim/default/mainlog",
	    SRCDIR "/samples/exim/pid/mainlog",
	    SRCDIR "/samples/exim/allnopid/mainlog",
	    SRCDIR "/samples/exim/spci/mainlog"};

	head_vs_regex("exim", logs, ARRAY_SIZE(logs), edge_dated,
	    ARRAY_SIZE(edge_dated));
}
END_TEST

/*
 * A field set: a head, then known and unknown KEY=value fields in any
 * order and subset, then the tail; free text the tail does not take
 * leaves the line unrecognised.
 */
static const char fieldset_yaml[] =
	"mta: fieldmta\n"
	"session: [host, pid]\n"
	"field-sets:\n"
	"  dlv:\n"
	"    known:\n"
	"      - 'S=(?<size>\\d+)'\n"
	"      - 'H=(?<relay>\\S+ \\[[^\\]]+\\])'\n"
	"      - 'K'\n"
	"    other: '[A-Za-z]+=\\S+'\n"
	"prefixes:\n"
	"  - name: p\n"
	"    regex: '^(?<host>\\S+) (?<pid>\\d+): '\n"
	"    samples:\n"
	"      - line: 'mx 12: => a@b S=5'\n"
	"        expect: {host: mx, pid: '12'}\n"
	"patterns:\n"
	"  - name: dlv\n"
	"    event: note\n"
	"    regex: '^=> (?<recipient>\\S+)'\n"
	"    fields: dlv\n"
	"    tail: '(?:: (?<text>.*))?$'\n"
	"    samples:\n"
	"      - line: 'mx 12: => a@b S=5'\n"
	"        expect: {recipient: a@b, size: '5'}\n";

static const struct fieldset_case {
	const char *line;
	const char *recipient, *size, *relay, *text;	/* NULL: unset */
} fieldset_cases[] = {
	{"mx 1: => a@b", "a@b", NULL, NULL, NULL},
	{"mx 1: => a@b S=5 H=h [1.2.3.4] K", "a@b", "5", "h [1.2.3.4]", NULL},
	{"mx 1: => a@b K H=h [1.2.3.4] S=5", "a@b", "5", "h [1.2.3.4]", NULL},
	{"mx 1: => a@b NEW=x S=7 QT=1s", "a@b", "7", NULL, NULL},
	{"mx 1: => a@b S=7: went wrong", "a@b", "7", NULL, "went wrong"},
	{"mx 1: => a@b S=7 free text", NULL, NULL, NULL, NULL},
	{"mx 1: => a@b words", NULL, NULL, NULL, NULL},
};

START_TEST(field_set)
{
	const struct fieldset_case *c = &fieldset_cases[_i];
	const char *dirs[] = {tmpdir};
	struct match m;
	unsigned n = 0;

	write_file(tmpdir, "fields.yaml", fieldset_yaml);
	tdb = pattern_db_load(dirs, 1);
	ck_assert_msg(tdb != NULL, "the field-set file did not load");
	ck_assert_uint_eq(pattern_db_check(tdb, &n), 0);
	ck_assert_msg(pattern_set_match(pattern_db_find(tdb, "fieldmta"),
	    (struct strview){c->line, strlen(c->line)}, false, &m),
	    "%s: got no prefix match, want one", c->line);
	if (c->recipient == NULL) {
		ck_assert_msg(m.pat == NULL, "%s: got pattern '%s', want the "
		    "line unrecognised", c->line, pattern_name(m.pat));
		return;
	}
	ck_assert_msg(m.pat != NULL, "%s: unrecognised", c->line);
	assert_field(&m, F_RECIPIENT, c->recipient, c->line);
	assert_field(&m, F_SIZE, c->size, c->line);
	assert_field(&m, F_RELAY, c->relay, c->line);
	assert_field(&m, F_TEXT, c->text, c->line);
}
END_TEST

/*
 * Patterns that share a lead ("SMTP connection from ") have it checked
 * once for a row of them (pattern.c match_message()); one with another
 * lead between them or after them ("SMTP command timeout from ", "SMTP ")
 * must still be tried. "another lead between" and "a shorter lead after"
 * fail when the lead of one pattern is taken for another's.
 */
#define LEAD_PAT(name, rx, line) \
	"  - name: " name "\n" \
	"    event: note\n" \
	"    regex: '" rx "'\n" \
	"    samples:\n" \
	"      - line: 'mx 12: " line "'\n"

static const char lead_yaml[] =
	"mta: leadmta\n"
	"session: [host, pid]\n"
	"prefixes:\n"
	"  - name: p\n"
	"    regex: '^(?<host>\\S+) (?<pid>\\d+): '\n"
	"    samples:\n"
	"      - line: 'mx 12: SMTP x'\n"
	"        expect: {host: mx, pid: '12'}\n"
	"patterns:\n"
	LEAD_PAT("closed", "^SMTP connection from (?<client_ip>\\S+) closed$",
	    "SMTP connection from h closed")
	LEAD_PAT("lost", "^SMTP connection from (?<client_ip>\\S+) lost$",
	    "SMTP connection from h lost")
	LEAD_PAT("timeout", "^SMTP command timeout from (?<client_ip>\\S+)$",
	    "SMTP command timeout from h")
	LEAD_PAT("open", "^SMTP connection from (?<client_ip>\\S+)$",
	    "SMTP connection from h")
	LEAD_PAT("other", "^SMTP (?<text>[a-z]+)$", "SMTP x");

static const struct lead_case {
	const char *name, *line, *want;	/* want NULL: unrecognised */
} lead_cases[] = {
	{"the first of a row", "mx 1: SMTP connection from h closed",
	    "closed"},
	{"the second of a row", "mx 1: SMTP connection from h lost", "lost"},
	{"another lead between", "mx 1: SMTP command timeout from h",
	    "timeout"},
	{"the row's lead after another", "mx 1: SMTP connection from h",
	    "open"},
	{"a shorter lead after", "mx 1: SMTP hello", "other"},
	{"no lead holds", "mx 1: SMTQ x", NULL},
};

START_TEST(shared_leads)
{
	const struct lead_case *c = &lead_cases[_i];
	const char *dirs[] = {tmpdir};
	struct match m;

	write_file(tmpdir, "lead.yaml", lead_yaml);
	tdb = pattern_db_load(dirs, 1);
	ck_assert_msg(tdb != NULL, "the lead file did not load");
	ck_assert_msg(pattern_set_match(pattern_db_find(tdb, "leadmta"),
	    (struct strview){c->line, strlen(c->line)}, false, &m),
	    "%s: got no prefix match, want one", c->name);
	ck_assert_msg(c->want ? m.pat && strcmp(pattern_name(m.pat), c->want)
	    == 0 : m.pat == NULL, "%s: got '%s', want '%s'", c->name,
	    m.pat ? pattern_name(m.pat) : "(none)", c->want ? c->want :
	    "(none)");
}
END_TEST

/*
 * A field that several groups capture (DUPNAMES) takes the first of them
 * that is set, and the fields of a line are only those its groups set
 * (pattern.c take_fields()). "both set: the first" fails when a later
 * group overrides an earlier one, "the second alone" when a field's
 * groups after its first unset one are not looked at, "neither" when a
 * field is set from an unset group.
 */
static const char dup_yaml[] =
	"mta: dupmta\n"
	"session: [host, pid]\n"
	"prefixes:\n"
	"  - name: p\n"
	"    regex: '^(?<host>\\S+) (?<pid>\\d+): '\n"
	"    samples:\n"
	"      - line: 'mx 12: x a'\n"
	"        expect: {host: mx, pid: '12'}\n"
	"patterns:\n"
	"  - name: dup\n"
	"    event: note\n"
	"    regex: '^x(?: (?<text>a+))?(?: (?<text>b+))?"
	"(?: (?<reply>\\d+))?$'\n"
	"    samples:\n"
	"      - line: 'mx 12: x a'\n"
	"        expect: {text: a}\n";

static const struct dup_case {
	const char *name, *line, *text, *reply;	/* NULL: unset */
} dup_cases[] = {
	{"both set: the first", "mx 1: x aa bb", "aa", NULL},
	{"the second alone", "mx 1: x bb 250", "bb", "250"},
	{"neither", "mx 1: x 451", NULL, "451"},
};

START_TEST(dup_groups)
{
	const struct dup_case *c = &dup_cases[_i];
	const char *dirs[] = {tmpdir};
	struct match m;

	write_file(tmpdir, "dup.yaml", dup_yaml);
	tdb = pattern_db_load(dirs, 1);
	ck_assert_msg(tdb != NULL, "the file did not load");
	ck_assert_msg(pattern_set_match(pattern_db_find(tdb, "dupmta"),
	    (struct strview){c->line, strlen(c->line)}, false, &m) && m.pat,
	    "%s: unrecognised", c->name);
	assert_field(&m, F_TEXT, c->text, c->line);
	assert_field(&m, F_REPLY, c->reply, c->line);
	ck_assert_msg(((m.has >> F_TEXT) & 1) == (c->text != NULL) &&
	    ((m.has >> F_REPLY) & 1) == (c->reply != NULL),
	    "%s: has got %#llx", c->name, (unsigned long long)m.has);
}
END_TEST

/*
 * Two databases at once (a test harness, a library user): freeing one, or
 * failing to load another, must leave the first working.
 */
static const char *const connect_line = "Nov 23 09:17:32 mx "
    "postfix/smtpd[12155]: connect from localhost[127.0.0.1]:20008";

static void
assert_still_matches(struct pattern_db *a, const char *after)
{
	struct match m;

	ck_assert_msg(pattern_set_match(pattern_db_find(a, "postfix"),
	    (struct strview){connect_line, strlen(connect_line)}, false, &m),
	    "after %s: got no prefix match, want one", after);
	ck_assert_msg(m.pat && strcmp(pattern_name(m.pat), "smtpd-connect") ==
	    0, "after %s: got '%s', want 'smtpd-connect'", after,
	    m.pat ? pattern_name(m.pat) : "(none)");
}

START_TEST(free_other_database)
{
	const char *dirs[] = {shipped_dir()};
	struct pattern_db *a, *b;

	a = pattern_db_load(dirs, 1);
	b = pattern_db_load(dirs, 1);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	assert_still_matches(a, "loading a second database");
	pattern_db_free(b);
	assert_still_matches(a, "freeing the second database");
	pattern_db_free(a);
}
END_TEST

START_TEST(failed_load_of_other_database)
{
	const char *dirs[] = {shipped_dir()};
	const char *bad[] = {tmpdir};
	struct pattern_db *a;
	struct capture cap;

	a = pattern_db_load(dirs, 1);
	ck_assert_ptr_nonnull(a);
	write_file(tmpdir, "bad.yaml", HEAD EVENT "    colour: blue\n" REGEX
	    SAMPLES SAMPLE EXPECT);
	capture_start(&cap);
	ck_assert_ptr_null(pattern_db_load(bad, 1));
	free(capture_end(&cap));
	assert_still_matches(a, "a failed load");
	pattern_db_free(a);
}
END_TEST

static Suite *
pattern_suite(void)
{
	Suite *s = suite_create("pattern");
	TCase *tc;

	tc = tcase_create("shipped");
	tcase_add_checked_fixture(tc, load_shipped, free_shipped);
	tcase_add_test(tc, shipped_load_and_check);
	tcase_add_loop_test(tc, real_lines, 0, (int)ARRAY_SIZE(lines));
	tcase_add_loop_test(tc, foreign_lines, 0, (int)ARRAY_SIZE(foreign));
	tcase_add_test(tc, fallback_prefix);
	tcase_add_test(tc, match_properties);
	tcase_add_test(tc, features);
	tcase_add_test(tc, names);
	tcase_add_loop_test(tc, cause_rules, 0, (int)ARRAY_SIZE(causes));
	suite_add_tcase(s, tc);

	tc = tcase_create("refused");
	tcase_add_checked_fixture(tc, make_dir, remove_dir);
	tcase_add_loop_test(tc, bad_file, 0, (int)ARRAY_SIZE(bad_files));
	tcase_add_test(tc, missing_dir);
	suite_add_tcase(s, tc);

	tc = tcase_create("override");
	tcase_add_checked_fixture(tc, make_dir, remove_dir);
	tcase_add_test(tc, override_set);
	tcase_add_test(tc, head_as_regex);
	tcase_add_test(tc, dated_head_as_regex);
	suite_add_tcase(s, tc);

	tc = tcase_create("field-sets");
	tcase_add_checked_fixture(tc, make_dir, remove_dir);
	tcase_add_loop_test(tc, field_set, 0, (int)ARRAY_SIZE(fieldset_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("dup-groups");
	tcase_add_checked_fixture(tc, make_dir, remove_dir);
	tcase_add_loop_test(tc, dup_groups, 0, (int)ARRAY_SIZE(dup_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("shared-leads");
	tcase_add_checked_fixture(tc, make_dir, remove_dir);
	tcase_add_loop_test(tc, shared_leads, 0, (int)ARRAY_SIZE(lead_cases));
	suite_add_tcase(s, tc);

	/*
	 * Last: with CK_FORK=no a crash here ends the run. Leave it out with
	 * CK_EXCLUDE_TAGS=shared-state.
	 */
	tc = tcase_create("two-databases");
	tcase_set_tags(tc, "shared-state");
	tcase_add_checked_fixture(tc, make_dir, remove_dir);
	tcase_add_test(tc, free_other_database);
	tcase_add_test(tc, failed_load_of_other_database);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	const char *t = getenv("TMPDIR");
	SRunner *sr;
	int failed;

	snprintf(rootdir, sizeof(rootdir), "%s/check-pattern-XXXXXX",
	    t && *t ? t : "/tmp");
	if (mkdtemp(rootdir) == NULL) {
		perror(rootdir);
		return EXIT_FAILURE;
	}
	sr = srunner_create(pattern_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	rm_rf(rootdir);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
