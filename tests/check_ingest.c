/*
 * check_ingest - the ingest stage through ingest.h: files in, counts and
 * sessions out.
 *
 * Every input is written by the test into a mkdtemp() directory (plain,
 * or gzip through zlib's gzwrite()), in the shapes of the shipped pattern
 * sets (patterns/ of the source tree, or SMTPLOG_ANALYZE_PATTERNS), with
 * addresses of the documentation ranges; no line is copied from a real
 * log. Each file goes through ingest_new(), ingest_order() when there are
 * several, ingest_file() and correlator_flush(); the emit callback copies
 * what it needs of each session, and ingest_wants() is asked there, as
 * main.c asks it.
 *
 * Tables:
 *	files     MTA detection, --mta, CSV logs, fallback prefixes, counts,
 *	          --unparsed, the warnings of a file
 *	years     year inference for stamps without a year
 *	stamps    a stamp read from the line before's
 *	order     ingest_order(): rotated files read oldest first
 *	ids       ingest_wants() (--id)
 *
 * The cases that fail when the stage's rules break are named in each
 * table's comment.
 */
#include "config.h"

#define _XOPEN_SOURCE 700
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "correlate.h"
#include "diag.h"
#include "ingest.h"
#include "pattern.h"
#include "report.h"
#include "session.h"

static struct pattern_db *db;
static char rootdir[200];
static char tmpdir[256];

static void
load_db(void)
{
	const char *env = getenv("SMTPLOG_ANALYZE_PATTERNS");
	const char *dirs[] = {env && *env ? env : SRCDIR "/patterns"};

	db = pattern_db_load(dirs, 1);
	ck_assert_msg(db != NULL, "cannot load patterns from '%s'", dirs[0]);
}

/* rm -r, for the test directory (it holds files only) */
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

static void
setup(void)
{
	load_db();
	snprintf(tmpdir, sizeof(tmpdir), "%s/t-XXXXXX", rootdir);
	ck_assert_msg(mkdtemp(tmpdir) != NULL, "mkdtemp: %s", strerror(errno));
}

static void
teardown(void)
{
	pattern_db_free(db);
	db = NULL;
	if (tmpdir[0])
		rm_rf(tmpdir);
	tmpdir[0] = '\0';
}

/* --- the inputs --------------------------------------------------------- */

struct file_spec {
	const char *name;	/* NULL ends a list */
	const char *text;
	const char *mtime;	/* "YYYY-MM-DD HH:MM:SS" UTC, or NULL */
};

static time_t
utc_of(const char *s)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	ck_assert_msg(strptime(s, "%Y-%m-%d %H:%M:%S", &tm) != NULL,
	    "bad time '%s' in the test", s);
	return timegm(&tm);
}

/* Write f into the test directory (gzip when its name ends in .gz). */
static void
write_file(const struct file_spec *f, char *path, size_t size)
{
	size_t len = strlen(f->text);
	size_t nl = strlen(f->name);

	snprintf(path, size, "%s/%s", tmpdir, f->name);
	if (nl > 3 && strcmp(f->name + nl - 3, ".gz") == 0) {
		gzFile gz = gzopen(path, "wb9");

		ck_assert_msg(gz != NULL, "cannot create '%s'", path);
		ck_assert_int_eq(gzwrite(gz, f->text, (unsigned)len),
		    (int)len);
		ck_assert_int_eq(gzclose(gz), Z_OK);
	} else {
		FILE *fp = fopen(path, "wb");

		ck_assert_msg(fp != NULL, "cannot create '%s': %s", path,
		    strerror(errno));
		ck_assert_uint_eq(fwrite(f->text, 1, len, fp), len);
		ck_assert_int_eq(fclose(fp), 0);
	}
	if (f->mtime) {
		struct timeval tv[2] = {{utc_of(f->mtime), 0},
		    {utc_of(f->mtime), 0}};

		ck_assert_int_eq(utimes(path, tv), 0);
	}
}

/* --- what a run gives --------------------------------------------------- */

#define MAX_SESS 8
#define MAX_FILES 4

struct sess {
	char mta[24], port[16];
	enum status status;
	int64_t start;
	size_t nlines;
	unsigned files;	/* bit i: a line of file i */
	bool wanted;	/* ingest_wants() */
};

struct run {
	struct ingest_opts io;
	bool order;	/* ingest_order() first */
	/* results */
	struct run_info ri;
	struct sess s[MAX_SESS];
	size_t ns;
	char seen[64];	/* ingest_mtas(seen_only) */
	unsigned warnings;
	const char *order_got[MAX_FILES];	/* file names, as read */
	struct ingest *g;
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
	struct sess *g;
	struct lineref *lines;
	size_t n;

	ck_assert_msg(r->ns < MAX_SESS, "more than %d sessions", MAX_SESS);
	g = &r->s[r->ns++];
	copy(g->mta, sizeof(g->mta), s->mta);
	copy(g->port, sizeof(g->port), s->client_port);
	g->status = s->v.status;
	g->start = (s->start.flags & TS_SET) ? s->start.us : INT64_MIN;
	n = session_lines(s, &lines);
	g->nlines = n;
	for (size_t i = 0; i < n; i++)
		if (lines[i].file < 32)
			g->files |= 1u << lines[i].file;
	free(lines);
	g->wanted = ingest_wants(r->g, s);
}

/* The base name of a path in the test directory. */
static const char *
base(const char *path)
{
	const char *p = strrchr(path, '/');

	return p ? p + 1 : path;
}

/* Write the files, then read them as main.c does. */
static void
run_files(struct run *r, const struct file_spec *fs)
{
	char paths[MAX_FILES][512];
	const char *files[MAX_FILES];
	struct correlate_opts co = {.db = db, .emit = record, .arg = r};
	struct correlator *c;
	struct buf seen = BUF_INIT;
	unsigned w0 = diag_warnings();
	size_t n = 0;

	for (; fs[n].name; n++) {
		ck_assert_msg(n < MAX_FILES, "more than %d files", MAX_FILES);
		write_file(&fs[n], paths[n], sizeof(paths[n]));
		files[n] = paths[n];
	}
	r->io.db = db;
	r->g = ingest_new(&r->io, &r->ri);
	r->ri.files = files;
	r->ri.nfiles = n;
	if (r->order)
		ingest_order(r->g, files, n);
	c = correlator_new(&co);
	for (size_t i = 0; i < n; i++) {
		r->order_got[i] = base(files[i]);
		ck_assert_msg(ingest_file(r->g, c, (uint32_t)i, files[i]),
		    "'%s' not read", files[i]);
	}
	correlator_flush(c);
	correlator_free(c);
	ingest_mtas(r->g, &seen, true);
	copy(r->seen, sizeof(r->seen), seen.s);
	buf_release(&seen);
	ingest_free(r->g);
	r->g = NULL;
	r->warnings = diag_warnings() - w0;
	/* order_got points into paths[]: keep only the base names' text */
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; fs[j].name; j++)
			if (strcmp(r->order_got[i], fs[j].name) == 0)
				r->order_got[i] = fs[j].name;
}

/* --- lines of each pattern set (documentation addresses) ---------------- */

#define PF_A \
	"Mar  4 10:00:01 mx1 postfix/smtpd[4101]: connect from " \
	"client.example.test[192.0.2.20]:40001\n" \
	"Mar  4 10:00:02 mx1 postfix/smtpd[4101]: 3F2A1B0C9D: " \
	"client=client.example.test[192.0.2.20]:40001\n" \
	"Mar  4 10:00:02 mx1 postfix/cleanup[4102]: 3F2A1B0C9D: " \
	"message-id=<m1@client.example.test>\n" \
	"Mar  4 10:00:03 mx1 postfix/smtpd[4101]: disconnect from " \
	"client.example.test[192.0.2.20]:40001 ehlo=1 mail=1 rcpt=1 data=1 " \
	"quit=1 commands=5\n"
#define PF_B \
	"Mar  4 10:00:04 mx1 postfix/smtpd[4101]: connect from " \
	"other.example.test[192.0.2.30]:40009\n" \
	"Mar  4 10:00:05 mx1 postfix/smtpd[4101]: disconnect from " \
	"other.example.test[192.0.2.30]:40009 ehlo=1 quit=1 commands=2\n"
#define EXIM \
	"2026-03-04 10:00:01.100 +0000 [5101] SMTP connection from " \
	"[192.0.2.21]:40002 (TCP/IP connection count = 1)\n" \
	"2026-03-04 10:00:01.300 +0000 [5102] SMTP connection from " \
	"(h.example.test) [192.0.2.21]:40002 closed by QUIT\n" \
	"2026-03-04 10:00:01.300 +0000 [5102] no MAIL in SMTP connection " \
	"from (h.example.test) [192.0.2.21]:40002 D=0.200s C=EHLO,QUIT\n"
#define KERIO \
	"[04/Mar/2026 10:00:01][6101] {smtps} SMTP server session begin; " \
	"client connected from 192.0.2.22:40003\n" \
	"[04/Mar/2026 10:00:01][6101] {smtps} Sent SMTP greeting to " \
	"192.0.2.22:40003\n" \
	"[04/Mar/2026 10:00:02][6101] {smtps} Command EHLO h.example.test\n" \
	"[04/Mar/2026 10:00:02][6101] {smtps} Sent reply to EHLO: 250 " \
	"mail.example.test ...\n" \
	"[04/Mar/2026 10:00:02][6101] {smtps} Command QUIT\n" \
	"[04/Mar/2026 10:00:02][6101] {smtps} Sent reply to QUIT: 221 2.0.0 " \
	"SMTP closing connection\n" \
	"[04/Mar/2026 10:00:03][6101] {smtps} SMTP server session end\n"

/* SmtpReceive: the records of one session, after RECV_HEAD */
#define RECV_HEAD \
	"#Software: Microsoft Exchange Server\n" \
	"#Version: 15.0.0.0\n" \
	"#Log-type: SMTP Receive Protocol Log\n" \
	"#Date: 2026-03-04T10:00:00.000Z\n" \
	"#Fields: date-time,connector-id,session-id,sequence-number," \
	"local-endpoint,remote-endpoint,event,data,context\n"
#define RECV_ROW(t, n, ev, data, ctx) \
	"2026-03-04T10:00:01." t "Z,MX1\\Default Frontend MX1," \
	"08DE0C6B2F1A5001," n ",192.0.2.10:25,192.0.2.23:40004," ev "," \
	data "," ctx "\n"
#define RECV_ROWS RECV_ROWS_1 RECV_ROWS_2
#define RECV_ROWS_1 \
	RECV_ROW("000", "0", "+", "", "") \
	RECV_ROW("001", "1", ">", "\"220 mx1.example.test Microsoft ESMTP " \
	    "MAIL Service ready at Wed, 04 Mar 2026 11:00:01 +0100\"", "") \
	RECV_ROW("020", "2", "<", "EHLO h.example.test", "") \
	RECV_ROW("021", "3", ">", "250-mx1.example.test Hello [192.0.2.23]", \
	    "")
#define RECV_ROWS_2 \
	RECV_ROW("030", "4", "<", "QUIT", "") \
	RECV_ROW("031", "5", ">", "221 2.0.0 Service closing transmission " \
	    "channel", "") \
	RECV_ROW("032", "6", "-", "", "Local")
/* the same session under a header that orders the columns otherwise */
#define RECV_ROW2(t, n, ev, data) \
	"08DE0C6B2F1A5001," n ",2026-03-04T10:00:01." t "Z," ev "," data \
	",,MX1\\Default Frontend MX1,192.0.2.10:25,192.0.2.23:40004\n"
#define RECV_REORDERED \
	"#Software: Microsoft Exchange Server\n" \
	"#Version: 15.0.0.0\n" \
	"#Log-type: SMTP Receive Protocol Log\n" \
	"#Date: 2026-03-04T10:00:00.000Z\n" \
	"#Fields: session-id,sequence-number,date-time,event,data,context," \
	"connector-id,local-endpoint,remote-endpoint\n" \
	RECV_ROW2("000", "0", "+", "") \
	RECV_ROW2("020", "1", "<", "EHLO h.example.test") \
	RECV_ROW2("030", "2", "<", "QUIT") \
	RECV_ROW2("031", "3", ">", "221 2.0.0 Service closing transmission " \
	    "channel") \
	RECV_ROW2("032", "4", "-", "")

#define TRK_FIELDS \
	"date-time,client-ip,client-hostname,server-ip,server-hostname," \
	"source-context,connector-id,source,event-id,internal-message-id," \
	"message-id,network-message-id,recipient-address,recipient-status," \
	"total-bytes,recipient-count,related-recipient-address,reference," \
	"message-subject,sender-address,return-path,message-info," \
	"directionality,tenant-id,original-client-ip,original-server-ip," \
	"custom-data,transport-traffic-type,log-id,schema-version"
#define TRACKING \
	"#Software: Microsoft Exchange Server\n" \
	"#Version: 15.02.1544.004\n" \
	"#Log-type: Message Tracking Log\n" \
	"#Date: 2026-03-04T10:00:00.000Z\n" \
	"#Fields: " TRK_FIELDS "\n" \
	"2026-03-04T10:00:02.000Z,192.0.2.24,h.example.test,192.0.2.10,MX1," \
	"08DE0C6B2F1A5002;2026-03-04T10:00:01.900Z;1," \
	"MX1\\Default Frontend MX1,SMTP,RECEIVE,48103506650001," \
	"<t1@h.example.test>,6f0e2a41-0000-4d1b-8e55-08de0c6b0001," \
	"bob@example.test,,1234,1,,,Hi,anna@h.example.test," \
	"anna@h.example.test,04I: ,Incoming,,192.0.2.24,192.0.2.10,,Email," \
	"0c3d9a10-0000-4b61-a1c9-08de0c6b0002,15.02.1544.004\n" \
	"2026-03-04T10:00:03.000Z,,,192.0.2.12,MBX1,,,STOREDRIVER,DELIVER," \
	"48103506650001,<t1@h.example.test>," \
	"6f0e2a41-0000-4d1b-8e55-08de0c6b0001,bob@example.test," \
	"250 2.1.5 RecipientSuccessfullyDelivered,1234,1,,,Hi," \
	"anna@h.example.test,anna@h.example.test,,Incoming,,,,,Email," \
	"0c3d9a10-0000-4b61-a1c9-08de0c6b0003,15.02.1544.004\n"

/* postfix lines without their syslog prefix (a log shipper's) */
#define PF_BARE \
	"connect from client.example.test[192.0.2.20]:40001\n" \
	"lost connection after DATA (45 bytes) from " \
	"client.example.test[192.0.2.20]:40001\n"
/* a postfix head on a text no pattern knows */
#define PF_UNKNOWN \
	"Mar  4 10:00:06 mx1 postfix/smtpd[4101]: frobnicated the widget\n"

/* --- files: detection, CSV, fallback, counts ---------------------------- */

/*
 * Each case is one file. The cases that fail when ingest's rules break:
 *   "mixed postfix and exim"     a set becomes the file's only until
 *                                another's prefix matches (MTA detection)
 *   "--mta exim reads only exim" --mta turns detection off
 *   "bare lines after exim"      fallback prefixes are the file's set's
 *   "CSV columns in another order"  columns are taken by name
 *   "stamp not understood"       bad_time counts, warned once per file
 */
struct file_case {
	const char *name;
	const char *mta;	/* --mta, or NULL */
	const char *text;
	unsigned long lines, recognised, unrecognised, other, bad_time;
	const char *seen;	/* ingest_mtas(): the sets that knew a line */
	size_t nsessions;
	const char *smta;	/* the MTA of every session */
	unsigned warnings;
	const char *unparsed;	/* what --unparsed gets, or NULL */
};

static const struct file_case file_cases[] = {
	{"postfix detected", NULL, PF_A PF_B, 6, 6, 0, 0, 0, "postfix", 2,
	    "postfix", 0, NULL},
	{"exim detected", NULL, EXIM, 3, 3, 0, 0, 0, "exim", 1, "exim", 0,
	    NULL},
	{"kerio detected", NULL, KERIO, 7, 7, 0, 0, 0, "kerio", 1, "kerio", 0,
	    NULL},
	/* the five header lines are counted as recognised */
	{"SmtpReceive CSV log", NULL, RECV_HEAD RECV_ROWS, 12, 12, 0, 0, 0,
	    "exchange", 1, "exchange", 0, NULL},
	{"CSV columns in another order", NULL, RECV_REORDERED, 10, 10, 0, 0,
	    0, "exchange", 1, "exchange", 0, NULL},
	{"CSV excerpt without header", NULL, RECV_ROWS, 7, 7, 0, 0, 0,
	    "exchange", 1, "exchange", 0, NULL},
	{"message tracking CSV log", NULL, TRACKING, 7, 7, 0, 0, 0,
	    "exchange-tracking", 1, "exchange-tracking", 0, NULL},
	{"mixed postfix and exim", NULL, PF_A EXIM PF_B, 9, 9, 0, 0, 0,
	    "exim, postfix", 3, NULL, 0, NULL},
	{"nothing recognised", NULL,
	    "hello world\nthis is no mail log\n\n", 3, 0, 0, 2, 0, "", 0,
	    NULL, 1, NULL},
	{"empty file", NULL, "", 0, 0, 0, 0, 0, "", 0, NULL, 1, NULL},
	{"a line no pattern knows", NULL, PF_A PF_UNKNOWN, 5, 4, 1, 0, 0,
	    "postfix", 1, "postfix", 0, PF_UNKNOWN},
	{"--mta exim reads only exim", "exim", PF_A EXIM, 7, 3, 0, 4, 0,
	    "exim", 1, "exim", 0, NULL},
	/* recognised through postfix's 'bare' prefix, grouped into none */
	{"bare lines", NULL, PF_BARE, 2, 2, 0, 0, 0, "postfix", 0, NULL, 1,
	    NULL},
	/* after an exim line the file is exim's: only its fallbacks */
	{"bare lines after exim", NULL, EXIM PF_BARE, 5, 3, 0, 2, 0, "exim",
	    1, "exim", 0, NULL},
	/* exim's reject log continuation: known, counted, left alone */
	{"reject log continuation", NULL, EXIM "Envelope-from: "
	    "<anna@h.example.test>\nEnvelope-to: <bob@example.test>\n", 5, 5,
	    0, 0, 0, "exim", 1, "exim", 0, NULL},
	/* Feb 30 and Foo: a prefix's shape but no date; warned once */
	{"stamp not understood", NULL,
	    "Feb 30 10:00:01 mx1 postfix/smtpd[4101]: connect from "
	    "client.example.test[192.0.2.20]:40001\n"
	    "Foo  4 10:00:02 mx1 postfix/smtpd[4101]: disconnect from "
	    "client.example.test[192.0.2.20]:40001 ehlo=1 quit=1 commands=2\n",
	    2, 2, 0, 0, 2, "postfix", 1, "postfix", 1, NULL},
};

START_TEST(files)
{
	const struct file_case *fc = &file_cases[_i];
	const struct file_spec fs[] = {{"mail.log", fc->text, NULL}, {0}};
	struct run r;
	char unparsed[256] = "";
	FILE *up = NULL;

	memset(&r, 0, sizeof(r));
	r.io.mta = fc->mta;
	r.io.year = 2026;
	r.io.quiet = false;
	if (fc->unparsed) {
		up = tmpfile();
		ck_assert_ptr_nonnull(up);
		r.io.unparsed = up;
	}
	run_files(&r, fs);
	if (up) {
		size_t n;

		rewind(up);
		n = fread(unparsed, 1, sizeof(unparsed) - 1, up);
		unparsed[n] = '\0';
		fclose(up);
		ck_assert_msg(strcmp(unparsed, fc->unparsed) == 0,
		    "%s: --unparsed got '%s', want '%s'", fc->name, unparsed,
		    fc->unparsed);
	}
#define COUNT(f) ck_assert_msg(r.ri.f == fc->f, "%s: " #f " got %lu, " \
	    "want %lu", fc->name, r.ri.f, fc->f)
	COUNT(lines);
	COUNT(recognised);
	COUNT(unrecognised);
	COUNT(other);
	COUNT(bad_time);
#undef COUNT
	ck_assert_msg(strcmp(r.seen, fc->seen) == 0,
	    "%s: sets seen got '%s', want '%s'", fc->name, r.seen, fc->seen);
	ck_assert_msg(r.ns == fc->nsessions, "%s: got %zu sessions, want %zu",
	    fc->name, r.ns, fc->nsessions);
	for (size_t i = 0; fc->smta && i < r.ns; i++)
		ck_assert_msg(strcmp(r.s[i].mta, fc->smta) == 0,
		    "%s: session %zu's MTA got '%s', want '%s'", fc->name, i,
		    r.s[i].mta, fc->smta);
	ck_assert_msg(r.warnings == fc->warnings,
	    "%s: got %u warnings, want %u", fc->name, r.warnings,
	    fc->warnings);
}
END_TEST

/* Every set's lines in one file: each session carries its own set. */
START_TEST(mixed_sessions)
{
	const struct file_spec fs[] = {
		{"mail.log", PF_A EXIM KERIO, NULL}, {0}};
	static const char *const want[] = {"postfix", "exim", "kerio"};
	struct run r;
	bool found[3] = {false, false, false};

	memset(&r, 0, sizeof(r));
	r.io.year = 2026;
	run_files(&r, fs);
	ck_assert_msg(r.ns == 3, "got %zu sessions, want 3", r.ns);
	for (size_t i = 0; i < r.ns; i++)
		for (size_t j = 0; j < 3; j++)
			if (strcmp(r.s[i].mta, want[j]) == 0)
				found[j] = true;
	for (size_t j = 0; j < 3; j++)
		ck_assert_msg(found[j], "no %s session (got %s, %s, %s)",
		    want[j], r.s[0].mta, r.s[1].mta, r.s[2].mta);
	ck_assert_msg(r.ri.recognised == 14 && r.ri.other == 0,
	    "recognised got %lu, want 14; other got %lu, want 0",
	    r.ri.recognised, r.ri.other);
}
END_TEST

/* --- years: stamps without a year --------------------------------------- */

/*
 * Year inference (timestamp.h) as ingest applies it, per file, from the
 * file's modification time. "across New Year" fails when the year does
 * not turn with the month going back, and its session then comes out as
 * two or with a negative span.
 */
struct year_case {
	const char *name;
	const char *text;
	const char *mtime;
	int year;	/* --year */
	const char *first, *last;	/* ri.first, ri.last */
	size_t nsessions;
};

#define NEWYEAR \
	"Dec 31 23:59:58 mx1 postfix/smtpd[4101]: connect from " \
	"client.example.test[192.0.2.20]:40001\n" \
	"Jan  1 00:00:01 mx1 postfix/smtpd[4101]: disconnect from " \
	"client.example.test[192.0.2.20]:40001 ehlo=1 quit=1 commands=2\n"

static const struct year_case year_cases[] = {
	{"across New Year", NEWYEAR, "2027-01-02 08:00:00", 0,
	    "2026-12-31 23:59:58", "2027-01-01 00:00:01", 1},
	/* --year is the first line's year; the turn still counts */
	{"--year names the first line's year", NEWYEAR, "2027-01-02 08:00:00",
	    2020, "2020-12-31 23:59:58", "2021-01-01 00:00:01", 1},
	{"a month after the file's: last year", PF_A, "2027-02-01 00:00:00",
	    0, "2026-03-04 10:00:01", "2026-03-04 10:00:03", 1},
	{"the file's own year", PF_A, "2026-03-05 00:00:00", 0,
	    "2026-03-04 10:00:01", "2026-03-04 10:00:03", 1},
	/* a stamp with its year: the modification time plays no part */
	{"stamp with a year", EXIM, "2030-01-01 00:00:00", 0,
	    "2026-03-04 10:00:01", "2026-03-04 10:00:01", 1},
	/* lines without a stamp: no time, and no bad time either */
	{"lines without a stamp", PF_BARE, "2027-01-02 08:00:00", 0, "unset",
	    "unset", 0},
};

static void
fmt_ts(char *out, size_t size, const struct ts *t)
{
	time_t secs;
	struct tm tm;

	if (!(t->flags & TS_SET)) {
		snprintf(out, size, "unset");
		return;
	}
	secs = (time_t)(t->us / 1000000);
	gmtime_r(&secs, &tm);
	strftime(out, size, "%Y-%m-%d %H:%M:%S", &tm);
}

START_TEST(years)
{
	const struct year_case *yc = &year_cases[_i];
	const struct file_spec fs[] = {{"mail.log", yc->text, yc->mtime},
	    {0}};
	struct run r;
	char first[32], last[32];

	memset(&r, 0, sizeof(r));
	r.io.year = yc->year;
	run_files(&r, fs);
	fmt_ts(first, sizeof(first), &r.ri.first);
	fmt_ts(last, sizeof(last), &r.ri.last);
	ck_assert_msg(strcmp(first, yc->first) == 0 &&
	    strcmp(last, yc->last) == 0, "%s: got %s to %s, want %s to %s",
	    yc->name, first, last, yc->first, yc->last);
	ck_assert_msg(r.ri.bad_time == 0, "%s: bad_time got %lu, want 0",
	    yc->name, r.ri.bad_time);
	ck_assert_msg(r.ns == yc->nsessions, "%s: got %zu sessions, want %zu",
	    yc->name, r.ns, yc->nsessions);
}
END_TEST

/* --- stamps: a stamp read from the line before's ------------------------ */

/*
 * A stamp that differs from the line before's only in its seconds is
 * read from that one's (ingest.c stamp_near()); whatever the path, each
 * line's time must be what ts_parse() makes of its text. Three lines,
 * each from the one before: ri.first and ri.last are the earliest and
 * the latest, compared in full (time, offset, flags, fraction digits).
 * "a zone changes, not the clock" fails when only the seconds are
 * compared, "the minute turns" and "the day turns" when the text before
 * them is not, "fractions" and "six digits and more" when the fraction
 * is read otherwise than timestamp.c reads it, "seconds back" and
 * "fractions" (its third line) when the time reused is not the line
 * before's.
 */
struct stamp_case {
	const char *name;
	const char *tail;	/* a line after its stamp */
	const char *ts[3];
};

#define EXIM_AT " [5101] SMTP connection from [192.0.2.21]:40002 " \
	"(TCP/IP connection count = 1)\n"
#define PF_AT " mx1 postfix/smtpd[4101]: connect from " \
	"client.example.test[192.0.2.20]:40001\n"

static const struct stamp_case stamp_cases[] = {
	{"fractions", EXIM_AT, {"2026-03-04 10:00:01.100 +0000",
	    "2026-03-04 10:00:01.250 +0000", "2026-03-04 10:00:02.005 +0000"}},
	{"seconds back", EXIM_AT, {"2026-03-04 10:00:09.900 +0000",
	    "2026-03-04 10:00:03.100 +0000", "2026-03-04 10:00:05.000 +0000"}},
	{"a zone changes, not the clock", EXIM_AT, {
	    "2026-03-04 10:00:01.100 +0000", "2026-03-04 10:00:01.100 +0100",
	    "2026-03-04 10:00:01.200 +0100"}},
	{"the minute turns", EXIM_AT, {"2026-03-04 10:00:59.900 +0000",
	    "2026-03-04 10:01:00.100 +0000", "2026-03-04 10:01:00.200 +0000"}},
	{"the day turns", EXIM_AT, {"2026-03-04 23:59:59.999 +0000",
	    "2026-03-05 23:59:59.999 +0000", "2026-03-05 23:59:58.999 +0000"}},
	{"six digits and more", PF_AT, {"2026-03-04T10:00:01.1234567+01:00",
	    "2026-03-04T10:00:01.1234569+01:00",
	    "2026-03-04T10:00:01.9999999+01:00"}},
	{"rfc3164 seconds", PF_AT, {"Mar  4 10:00:01", "Mar  4 10:00:07",
	    "Mar  4 10:00:03"}},
	{"rfc3164 fractions", PF_AT, {"Mar  4 10:00:01.5", "Mar  4 10:00:01.7",
	    "Mar  4 10:00:00.9"}},
};

static bool
ts_same(const struct ts *a, const struct ts *b)
{
	return a->us == b->us && a->off == b->off && a->flags == b->flags &&
	    a->frac == b->frac;
}

START_TEST(stamps)
{
	const struct stamp_case *sc = &stamp_cases[_i];
	const char *mtime = "2026-03-05 00:00:00";
	struct file_spec fs[] = {{"mail.log", NULL, mtime}, {0}};
	struct ts want_first = {0}, want_last = {0};
	struct ts_year yr;
	struct run r;
	char text[512];
	size_t n = 0;

	ts_year_init(&yr, utc_of(mtime), 0);
	for (size_t i = 0; i < 3; i++) {
		struct ts t;
		struct strview v = {sc->ts[i], strlen(sc->ts[i])};

		ck_assert_msg(ts_parse(v, &yr, &t), "%s: '%s' not a stamp",
		    sc->name, sc->ts[i]);
		if (i == 0 || ts_utc(&t) < ts_utc(&want_first))
			want_first = t;
		if (i == 0 || ts_utc(&t) > ts_utc(&want_last))
			want_last = t;
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s%s",
		    sc->ts[i], sc->tail);
	}
	fs[0].text = text;
	memset(&r, 0, sizeof(r));
	run_files(&r, fs);
	ck_assert_msg(r.ri.recognised == 3, "%s: recognised got %lu, want 3",
	    sc->name, r.ri.recognised);
	ck_assert_msg(ts_same(&r.ri.first, &want_first) &&
	    ts_same(&r.ri.last, &want_last),
	    "%s: got first %lld%+d/%u/%u last %lld%+d/%u/%u, want first "
	    "%lld%+d/%u/%u last %lld%+d/%u/%u", sc->name,
	    (long long)r.ri.first.us, r.ri.first.off, r.ri.first.flags,
	    r.ri.first.frac, (long long)r.ri.last.us, r.ri.last.off,
	    r.ri.last.flags, r.ri.last.frac, (long long)want_first.us,
	    want_first.off, want_first.flags, want_first.frac,
	    (long long)want_last.us, want_last.off, want_last.flags,
	    want_last.frac);
}
END_TEST

/* --- order: rotated files ---------------------------------------------- */

/* connect in one file, disconnect in the next: one session if in order */
#define PF_OPEN(ts, port) \
	ts " mx1 postfix/smtpd[4101]: connect from " \
	"client.example.test[192.0.2.20]:" port "\n"
#define PF_CLOSE(ts, port) \
	ts " mx1 postfix/smtpd[4101]: disconnect from " \
	"client.example.test[192.0.2.20]:" port " ehlo=1 quit=1 commands=2\n"

/*
 * Files given in one order, read in another. "rotated set given newest
 * first" fails when ingest_order() keeps the command line's order or
 * sorts by name: its conversations that span a rotation then come out
 * split, in more sessions than want_sessions.
 */
struct order_case {
	const char *name;
	struct file_spec files[MAX_FILES + 1];
	const char *want[MAX_FILES];
	size_t nsessions;
};

static const struct order_case order_cases[] = {
	{"rotated set given newest first", {
	    {"mail.log", PF_CLOSE("Mar  4 10:00:09", "40003")
		PF_OPEN("Mar  4 10:00:10", "40004")
		PF_CLOSE("Mar  4 10:00:11", "40004"), NULL},
	    {"mail.log.1", PF_CLOSE("Mar  4 10:00:05", "40002")
		PF_OPEN("Mar  4 10:00:06", "40003"), NULL},
	    {"mail.log.2.gz", PF_OPEN("Mar  4 10:00:01", "40001")
		PF_CLOSE("Mar  4 10:00:02", "40001")
		PF_OPEN("Mar  4 10:00:04", "40002"), NULL},
	    {0}},
	    {"mail.log.2.gz", "mail.log.1", "mail.log"}, 4},
	/* the content's time, not the names */
	{"names that lie", {
	    {"a.log", PF_CLOSE("Mar  4 10:00:09", "40001"), NULL},
	    {"b.log", PF_OPEN("Mar  4 10:00:01", "40001"), NULL},
	    {0}},
	    {"b.log", "a.log"}, 1},
	/* the same first second: logrotate's suffix decides */
	{"same second: the suffix", {
	    {"mail.log.1", PF_CLOSE("Mar  4 10:00:01", "40001"), NULL},
	    {"mail.log.2", PF_OPEN("Mar  4 10:00:01", "40001"), NULL},
	    {0}},
	    {"mail.log.2", "mail.log.1"}, 1},
	/* a file without a time keeps its place, after the others */
	{"a file without a time goes last", {
	    {"notes.txt", "nothing to see here\n", NULL},
	    {"mail.log", PF_A, NULL},
	    {"old.log", PF_B, NULL},
	    {0}},
	    {"mail.log", "old.log", "notes.txt"}, 2},
	/* CSV logs are peeked through their header: an hourly split */
	{"CSV logs by their records' time", {
	    {"RECV2026030411-1.LOG", RECV_HEAD RECV_ROWS_2, NULL},
	    {"RECV2026030410-1.LOG", RECV_HEAD RECV_ROWS_1, NULL},
	    {0}},
	    {"RECV2026030410-1.LOG", "RECV2026030411-1.LOG"}, 1},
};

START_TEST(order)
{
	const struct order_case *oc = &order_cases[_i];
	struct run r;
	size_t n = 0;

	memset(&r, 0, sizeof(r));
	r.io.year = 2026;
	r.io.quiet = true;
	r.order = true;
	run_files(&r, oc->files);
	for (; oc->files[n].name; n++)
		ck_assert_msg(strcmp(r.order_got[n], oc->want[n]) == 0,
		    "%s: file %zu read got '%s', want '%s'", oc->name, n + 1,
		    r.order_got[n], oc->want[n]);
	ck_assert_msg(r.ns == oc->nsessions, "%s: got %zu sessions, want %zu",
	    oc->name, r.ns, oc->nsessions);
	for (size_t i = 0; i < r.ns; i++)
		ck_assert_msg(r.s[i].status == STATUS_OK,
		    "%s: session on port %s got %s, want ok", oc->name,
		    r.s[i].port, status_name(r.s[i].status));
}
END_TEST

/* The session that spans the rotation lists its lines of both files. */
START_TEST(order_lines)
{
	const struct order_case *oc = &order_cases[0];
	struct run r;
	const struct sess *s = NULL;

	memset(&r, 0, sizeof(r));
	r.io.year = 2026;
	r.order = true;
	run_files(&r, oc->files);
	for (size_t i = 0; i < r.ns; i++)
		if (strcmp(r.s[i].port, "40002") == 0)
			s = &r.s[i];
	ck_assert_msg(s != NULL, "no session for port 40002");
	/* read second and first: files 0 (.2.gz) and 1 (.1) */
	ck_assert_msg(s->files == 3u && s->nlines == 2,
	    "port 40002: got %zu lines in files mask %#x, want 2 in 0x3",
	    s->nlines, s->files);
}
END_TEST

/* --- ids: ingest_wants() ------------------------------------------------ */

/*
 * "queue ID picks its session" fails when ingest_wants() passes every
 * session whatever the IDs, or none.
 */
struct id_case {
	const char *name;
	const char *ids[3];
	size_t nids;
	bool want_a, want_b;	/* the sessions of PF_A, PF_B */
};

static const struct id_case id_cases[] = {
	{"no --id: every session", {NULL}, 0, true, true},
	{"queue ID picks its session", {"3F2A1B0C9D"}, 1, true, false},
	{"client address", {"192.0.2.30"}, 1, false, true},
	{"Message-ID", {"m1@client.example.test"}, 1, true, false},
	{"either of two", {"3F2A1B0C9D", "192.0.2.30"}, 2, true, true},
	{"an ID no session has", {"3F2A1B0C9E"}, 1, false, false},
	{"the pid both share", {"4101"}, 1, true, true},
};

START_TEST(ids)
{
	const struct id_case *ic = &id_cases[_i];
	const struct file_spec fs[] = {{"mail.log", PF_A PF_B, NULL}, {0}};
	struct run r;

	memset(&r, 0, sizeof(r));
	r.io.year = 2026;
	r.io.ids = ic->ids;
	r.io.nids = ic->nids;
	run_files(&r, fs);
	ck_assert_msg(r.ns == 2, "%s: got %zu sessions, want 2", ic->name,
	    r.ns);
	for (size_t i = 0; i < 2; i++) {
		bool a = strcmp(r.s[i].port, "40001") == 0;
		bool want = a ? ic->want_a : ic->want_b;

		ck_assert_msg(r.s[i].wanted == want,
		    "%s: session on port %s: wanted got %d, want %d",
		    ic->name, r.s[i].port, r.s[i].wanted, want);
	}
}
END_TEST

static Suite *
ingest_suite(void)
{
	Suite *s = suite_create("ingest");
	TCase *tc;

	tc = tcase_create("files");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, files, 0, (int)ARRAY_SIZE(file_cases));
	tcase_add_test(tc, mixed_sessions);
	suite_add_tcase(s, tc);

	tc = tcase_create("years");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, years, 0, (int)ARRAY_SIZE(year_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("stamps");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, stamps, 0, (int)ARRAY_SIZE(stamp_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("order");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, order, 0, (int)ARRAY_SIZE(order_cases));
	tcase_add_test(tc, order_lines);
	suite_add_tcase(s, tc);

	tc = tcase_create("ids");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, ids, 0, (int)ARRAY_SIZE(id_cases));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;
	const char *t = getenv("TMPDIR");

	snprintf(rootdir, sizeof(rootdir), "%s/check-ingest-XXXXXX",
	    t && *t ? t : "/tmp");
	if (mkdtemp(rootdir) == NULL) {
		perror("mkdtemp");
		return EXIT_FAILURE;
	}
	sr = srunner_create(ingest_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	rm_rf(rootdir);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
