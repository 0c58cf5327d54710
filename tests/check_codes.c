/*
 * check_codes - unit tests for codes.h.
 *
 * Four parts. The shipped patterns/codes.yaml must load and know every
 * reply code issue 6 names and every entry of the IANA enhanced status
 * code registry; --explain's text for the codes an admin meets most must
 * carry their meanings and usual causes, and an unknown code must be
 * explained by its digits and flagged. The RFC 5321 4.3.2 sequence table
 * must allow and refuse the right replies. And bad codes files, written
 * into a mkdtemp() directory, must be refused with FILE:LINE:COLUMN;
 * standard error is captured into a file to check that.
 */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codes.h"
#include "codes_int.h"
#include "util.h"

static const char *
shipped_file(void)
{
	static char path[1024];
	const char *env = getenv("SMTPLOG_ANALYZE_PATTERNS");

	snprintf(path, sizeof(path), "%s/codes.yaml",
	    env && *env ? env : SRCDIR "/patterns");
	return path;
}

static struct codes *db;

static void
load_shipped(void)
{
	db = codes_load(shipped_file());
	ck_assert_msg(db != NULL, "'%s' was refused", shipped_file());
}

static void
free_shipped(void)
{
	codes_free(db);
	db = NULL;
}

/* What codes_explain() prints, malloc'd; *ok gets its return value. */
static char *
explain(const char *code, const char *enh, bool *ok)
{
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(fp);
	*ok = codes_explain(fp, db, code, enh);
	ck_assert_int_eq(fclose(fp), 0);
	return text;
}

/* --- every code of issue 6, item 1 ---------------------------------------- */

static const char *const issue_replies[] = {
	/* RFC 5321 4.2 */
	"211", "214", "220", "221", "250", "251", "252", "354", "421", "450",
	"451", "452", "455", "500", "501", "502", "503", "504", "550", "551",
	"552", "553", "554", "555",
	/* SMTP AUTH */
	"235", "334", "432", "454", "500", "530", "534", "535", "538",
	/* STARTTLS */
	"220", "454", "501",
	/* vendors, and the corpus */
	"101", "422", "431", "441", "442", "446", "471", "510", "512", "523",
	"541", "447", "449", "540",
	/* RFC 7504 */
	"521", "556",
};

START_TEST(reply_meanings)
{
	const char *code = issue_replies[_i];
	const char *m = codes_reply_meaning(db, code);
	unsigned f = codes_reply_flags(db, code);

	ck_assert_msg(m != NULL && *m, "%s: no meaning", code);
	ck_assert_msg(!(f & CODE_UNKNOWN), "%s: not in codes.yaml", code);
	ck_assert_msg(strstr(m, "not in the table") == NULL,
	    "%s: meaning only from its digits: '%s'", code, m);
	if (code[0] == '1')
		ck_assert_msg(f & CODE_MALFORMED, "%s: not flagged", code);
	else
		ck_assert_msg(!(f & CODE_MALFORMED), "%s: flagged malformed",
		    code);
}
END_TEST

/* The IANA registry: subject and the highest detail of each. */
static const struct {
	int subject, last;
} registry[] = {
	{0, 0}, {1, 10}, {2, 4}, {3, 6}, {4, 7}, {5, 6}, {6, 10}, {7, 30},
};

START_TEST(enhanced_registry)
{
	char code[16];

	for (int d = 0; d <= registry[_i].last; d++) {
		const char *m;

		snprintf(code, sizeof(code), "5.%d.%d", registry[_i].subject,
		    d);
		m = codes_enhanced_meaning(db, code);
		ck_assert_msg(m != NULL && *m, "%s: no meaning", code);
		ck_assert_msg(!(codes_enhanced_flags(db, code) &
		    (CODE_UNKNOWN | CODE_MALFORMED)), "%s: not registered",
		    code);
		ck_assert_msg(strstr(m, "not registered") == NULL,
		    "%s: fallback meaning '%s'", code, m);
	}
}
END_TEST

/* --- --explain ------------------------------------------------------------ */

static const struct {
	const char *code, *enh;
	const char *want[4];	/* substrings of the output */
} explained[] = {
	{"550", "5.1.1", {"mailbox unavailable", "bad destination mailbox",
	    "rcpt", "unknown-user"}},
	{"554", "5.7.1", {"transaction failed", "not authorised",
	    "relay-denied", "dnsbl"}},
	{"451", "4.7.1", {"local error", "persistent transient", "greylist",
	    "rcpt"}},
	{"421", "4.7.0", {"closes the connection", "security or policy",
	    "pre-greeting", "rate-limit"}},
	{"552", "5.2.2", {"storage allocation", "mailbox is full",
	    "mailbox-full", "quota"}},
	{"535", "5.7.8", {"credentials invalid", "auth (at AUTH)",
	    "auth-failed", "SASL"}},
	{"550", "5.7.26", {"mailbox unavailable", "DMARC", "dmarc",
	    "_dmarc"}},
};

START_TEST(explain_known)
{
	bool ok;
	char *out = explain(explained[_i].code, explained[_i].enh, &ok);

	ck_assert_msg(ok, "%s %s: reported malformed", explained[_i].code,
	    explained[_i].enh);
	for (size_t k = 0; k < ARRAY_SIZE(explained[_i].want); k++)
		ck_assert_msg(strstr(out, explained[_i].want[k]) != NULL,
		    "%s %s: no '%s' in:\n%s", explained[_i].code,
		    explained[_i].enh, explained[_i].want[k], out);
	ck_assert_msg(strstr(out, "flagged") == NULL, "%s %s flagged:\n%s",
	    explained[_i].code, explained[_i].enh, out);
	ck_assert_msg(strstr(out, "by its digits") == NULL,
	    "%s %s: explained by digits:\n%s", explained[_i].code,
	    explained[_i].enh, out);
	free(out);
}
END_TEST

/* Runs of white space as one space: explain's text is wrapped. */
static void
squash(char *s)
{
	char *d = s, *start = s;

	for (; *s; s++) {
		if (*s != ' ' && *s != '\n')
			*d++ = *s;
		else if (d == start || d[-1] != ' ')
			*d++ = ' ';
	}
	*d = '\0';
}

/* Every code of the issue, alone, gets a meaning and never a blank. */
START_TEST(explain_every_reply)
{
	bool ok;
	char *out = explain(issue_replies[_i], NULL, &ok);

	squash(out);
	ck_assert_msg(strstr(out, codes_reply_meaning(db, issue_replies[_i]))
	    != NULL, "%s: meaning missing in:\n%s", issue_replies[_i], out);
	ck_assert_msg(strstr(out, "class ") != NULL, "%s: no class:\n%s",
	    issue_replies[_i], out);
	free(out);
}
END_TEST

START_TEST(explain_unknown)
{
	bool ok;
	char *out = explain("599", "9.9.9", &ok);

	ck_assert_msg(!ok, "599 9.9.9 not reported malformed");
	ck_assert_msg(strstr(out, "599  not in the table; by its digits") !=
	    NULL, "599 not explained by digits:\n%s", out);
	ck_assert_msg(strstr(out, "class 5xx") && strstr(out,
	    "permanent negative completion"), "599: no class:\n%s", out);
	ck_assert_msg(strstr(out, "category x9x") && strstr(out,
	    "the middle digit 9 is not a category"),
	    "599: middle digit not flagged:\n%s", out);
	ck_assert_msg(strstr(out, "enhanced code '9.9.9' is malformed") !=
	    NULL, "9.9.9 not flagged:\n%s", out);
	ck_assert_msg(strstr(out, "class 9") && strstr(out, "subject X.9") &&
	    strstr(out, "detail X.9.9"), "9.9.9 not explained by digits:\n%s",
	    out);
	free(out);

	ck_assert_uint_eq(codes_reply_flags(db, "599"),
	    CODE_UNKNOWN | CODE_CATEGORY);
	ck_assert_uint_eq(codes_enhanced_flags(db, "9.9.9") & CODE_MALFORMED,
	    CODE_MALFORMED);
	ck_assert_str_eq(codes_reply_meaning(db, "599"),
	    "permanent failure, unknown category (code not in the table)");
	ck_assert_ptr_null(codes_enhanced_meaning(db, "9.9.9"));

	/* an unknown code in a known class: by its digits, not flagged */
	out = explain("559", "5.1.99", &ok);
	ck_assert_int_eq(ok, true);
	ck_assert_msg(strstr(out, "by its digits") && strstr(out,
	    "mail system"), "559:\n%s", out);
	ck_assert_msg(strstr(out, "detail X.1.99   not registered"),
	    "5.1.99:\n%s", out);
	free(out);
}
END_TEST

static const char *const malformed_replies[] = {
	"abc", "699", "55", "5500", "", "5a0", "099", "-50", "1xx",
};

START_TEST(malformed_reply)
{
	const char *code = malformed_replies[_i];
	bool ok;
	char *out;

	ck_assert_msg(codes_reply_flags(db, code) & CODE_MALFORMED,
	    "'%s' not malformed", code);
	ck_assert_ptr_null(codes_reply_meaning(db, code));
	out = explain(code, NULL, &ok);
	ck_assert_int_eq(ok, false);
	ck_assert_msg(strstr(out, "malformed") != NULL, "'%s':\n%s", code,
	    out);
	free(out);
}
END_TEST

static const char *const malformed_enhanced[] = {
	"9.9.9", "3.1.1", "5.1", "5.1.1.1", "5..1", "5.1000.1", "5.1.1000",
	"x.1.1", "55.1.1", "5.1.1 ", "", "5.-1.1",
};

START_TEST(malformed_enh)
{
	const char *enh = malformed_enhanced[_i];

	ck_assert_msg(codes_enhanced_flags(db, enh) & CODE_MALFORMED,
	    "'%s' not malformed", enh);
	ck_assert_ptr_null(codes_enhanced_meaning(db, enh));
}
END_TEST

START_TEST(meanings_fall_back)
{
	const char *m;

	m = codes_enhanced_meaning(db, "5.1.99");
	ck_assert_msg(m && strstr(m, "permanent failure") &&
	    strstr(m, "addressing") && strstr(m, "not registered"),
	    "5.1.99: '%s'", m ? m : "(null)");
	m = codes_enhanced_meaning(db, "4.12.343");
	ck_assert_msg(m && strstr(m, "persistent transient failure") &&
	    strstr(m, "subject not registered"), "4.12.343: '%s'",
	    m ? m : "(null)");
	ck_assert_uint_eq(codes_enhanced_flags(db, "4.12.343"), CODE_UNKNOWN);
	/* a registered detail in a class the registry does not pair */
	ck_assert_uint_eq(codes_enhanced_flags(db, "2.1.1"), CODE_CLASS);
	ck_assert_uint_eq(codes_enhanced_flags(db, "5.1.1"), 0);
	ck_assert_uint_eq(codes_enhanced_flags(db, "5.01.001"), 0);
	m = codes_reply_meaning(db, "459");
	ck_assert_msg(m && strstr(m, "transient failure, mail system"),
	    "459: '%s'", m ? m : "(null)");
	ck_assert_uint_eq(codes_reply_flags(db, "422"), CODE_VENDOR);
	ck_assert_uint_eq(codes_reply_flags(db, "550"), 0);
}
END_TEST

START_TEST(class_mismatch)
{
	bool ok;
	char *out = explain("550", "4.1.1", &ok);

	ck_assert_int_eq(ok, true);
	ck_assert_msg(strstr(out, "the reply is 5xx but the enhanced code's "
	    "class is 4"), "no mismatch flag:\n%s", out);
	ck_assert_msg(strstr(out, "5 only; class 4 is unusual"),
	    "no registry class note:\n%s", out);
	free(out);
}
END_TEST

/* User text reaches the terminal escaped. */
START_TEST(explain_escapes)
{
	bool ok;
	char *out = explain("5\x1b[2J0", "5.\x07.1", &ok);

	ck_assert_int_eq(ok, false);
	ck_assert_msg(strchr(out, '\x1b') == NULL && strchr(out, '\x07') ==
	    NULL, "control bytes in:\n%s", out);
	ck_assert_msg(strstr(out, "5\\x1b[2J0") != NULL, "not escaped:\n%s",
	    out);
	free(out);
}
END_TEST

/* --- RFC 5321 4.3.2 sequences --------------------------------------------- */

static const struct {
	const char *command, *code;
	enum codes_seq want;
} seqs[] = {
	{"DATA", "251", SEQ_NOT_ALLOWED},
	{"RCPT", "354", SEQ_NOT_ALLOWED},
	{"RCPT", "250", SEQ_ALLOWED},
	{"RCPT", "251", SEQ_ALLOWED},
	{"RCPT TO:<x@example.org>", "550", SEQ_ALLOWED},
	{"rcpt to:<x@example.org>", "450", SEQ_ALLOWED},
	{"RCPT", "554", SEQ_COMMON},
	{"RCPT", "235", SEQ_NOT_ALLOWED},
	{"DATA", "354", SEQ_ALLOWED},
	{"DATA", "250", SEQ_NOT_ALLOWED},
	{"DATA", "503", SEQ_ALLOWED},
	{"END-OF-DATA", "250", SEQ_ALLOWED},
	{"END-OF-MESSAGE", "552", SEQ_ALLOWED},
	{".", "354", SEQ_NOT_ALLOWED},
	{"MAIL FROM:<a@b>", "250", SEQ_ALLOWED},
	{"MAIL", "251", SEQ_NOT_ALLOWED},
	{"MAIL", "421", SEQ_ALLOWED},	/* any command */
	{"MAIL", "500", SEQ_ALLOWED},
	{"EHLO", "250", SEQ_ALLOWED},
	{"EHLO", "504", SEQ_ALLOWED},
	{"HELO", "354", SEQ_NOT_ALLOWED},
	{"CONNECT", "220", SEQ_ALLOWED},
	{"GREETING", "554", SEQ_ALLOWED},
	{"CONNECT", "500", SEQ_NOT_ALLOWED},	/* the greeting is no command */
	{"CONNECT", "250", SEQ_NOT_ALLOWED},
	{"STARTTLS", "220", SEQ_ALLOWED},
	{"STARTTLS", "454", SEQ_ALLOWED},
	{"STARTTLS", "250", SEQ_NOT_ALLOWED},
	{"AUTH PLAIN", "334", SEQ_ALLOWED},
	{"AUTH", "235", SEQ_ALLOWED},
	{"AUTH", "535", SEQ_ALLOWED},
	{"AUTH", "354", SEQ_NOT_ALLOWED},
	{"QUIT", "221", SEQ_ALLOWED},
	{"QUIT", "250", SEQ_NOT_ALLOWED},
	{"NOOP", "250", SEQ_ALLOWED},
	{"RSET", "250", SEQ_ALLOWED},
	{"HELP", "214", SEQ_ALLOWED},
	{"VRFY", "252", SEQ_ALLOWED},
	{"EXPN", "251", SEQ_NOT_ALLOWED},
	{"RCPT", "abc", SEQ_NOT_ALLOWED},
	{"XYZZY", "250", SEQ_UNKNOWN_COMMAND},
	{"", "250", SEQ_UNKNOWN_COMMAND},
	{"*", "421", SEQ_UNKNOWN_COMMAND},
};

START_TEST(sequences)
{
	enum codes_seq got = codes_reply_check(db, seqs[_i].command,
	    seqs[_i].code);
	bool allowed = codes_reply_allowed(db, seqs[_i].command,
	    seqs[_i].code);
	bool want_allowed = seqs[_i].want == SEQ_ALLOWED ||
	    seqs[_i].want == SEQ_UNKNOWN_COMMAND;

	ck_assert_msg(got == seqs[_i].want, "%s -> %s: got %d, want %d",
	    seqs[_i].command, seqs[_i].code, (int)got, (int)seqs[_i].want);
	ck_assert_msg(allowed == want_allowed,
	    "%s -> %s: allowed got %d, want %d", seqs[_i].command,
	    seqs[_i].code, allowed, want_allowed);
}
END_TEST

/* --- hints ---------------------------------------------------------------- */

/* Issue 6, item 2. */
static const char *const causes[] = {
	"unknown-user", "mailbox-full", "relay-denied", "dnsbl", "greylist",
	"helo-policy", "sender-policy", "reverse-dns", "spf", "dkim",
	"dmarc", "rate-limit", "size", "content", "spam", "virus",
	"auth-failed", "auth-required", "tls-required", "tls-failed",
	"timeout", "lost-connection", "pipelining", "pregreet", "non-smtp",
	"dns-failure", "connection-refused", "other",
};

static const char *const phases[] = {
	"pre-greeting", "helo", "starttls", "auth", "mail", "rcpt", "data",
	"post-queue",
};

static bool
known_cause(const char *s, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(causes); i++)
		if (strlen(causes[i]) == len && memcmp(causes[i], s, len) == 0)
			return true;
	return false;
}

/* A hint is chosen by the session's server: never another server's
 * setting (an Exim pregreet got postscreen_greet_action). */
static const struct {
	const char *mta;
	enum phase phase;
	const char *cause, *want, *never;
} server_hints[] = {
	{"exim", PHASE_PREGREETING, "pregreet", "smtp_enforce_sync",
	    "postscreen"},
	{"postfix", PHASE_PREGREETING, "pregreet", "postscreen_greet_action",
	    "smtp_enforce_sync"},
	{"kerio", PHASE_PREGREETING, "pregreet", "spam bots", "postscreen"},
	{"exim", PHASE_RCPT, "relay-denied", "relay_from_hosts",
	    "mynetworks"},
	{"exchange", PHASE_RCPT, "relay-denied", "trusted network",
	    "mynetworks"},
	{"exchange-tracking", PHASE_MAIL, "size", "MaxMessageSize",
	    "message_size_limit"},
	{"exim", PHASE_HELO, NULL, "acl_smtp_helo", "smtpd_"},
	{NULL, PHASE_HELO, NULL, "HELO restrictions", "smtpd_"},
};

START_TEST(hints_by_server)
{
	const char *h = codes_hint_mta(db, server_hints[_i].mta,
	    server_hints[_i].phase, server_hints[_i].cause);
	const char *mta = server_hints[_i].mta ? server_hints[_i].mta : "-";

	ck_assert_msg(h != NULL, "%s %s %s: no hint", mta,
	    phase_name(server_hints[_i].phase), server_hints[_i].cause);
	ck_assert_msg(strstr(h, server_hints[_i].want) != NULL,
	    "%s: got '%s', want '%s' in it", mta, h, server_hints[_i].want);
	ck_assert_msg(strstr(h, server_hints[_i].never) == NULL,
	    "%s: got '%s', which names '%s'", mta, h,
	    server_hints[_i].never);
}
END_TEST

START_TEST(hints_cover)
{
	const char *h;

	for (size_t i = 0; i < ARRAY_SIZE(causes); i++) {
		h = codes_hint(db, PHASE_NONE, causes[i]);
		ck_assert_msg(h && strlen(h) > 20, "cause '%s': no hint",
		    causes[i]);
	}
	for (size_t i = 0; i < ARRAY_SIZE(phases); i++) {
		h = codes_hint(db, phase_by_name(phases[i], strlen(phases[i])),
		    NULL);
		ck_assert_msg(h && strlen(h) > 20, "phase '%s': no hint",
		    phases[i]);
	}
	/* the most specific wins, and falls back */
	ck_assert_ptr_nonnull(codes_hint(db, PHASE_POSTQUEUE, "unknown-user"));
	ck_assert_ptr_ne(codes_hint(db, PHASE_POSTQUEUE, "unknown-user"),
	    codes_hint(db, PHASE_NONE, "unknown-user"));
	ck_assert_ptr_eq(codes_hint(db, PHASE_HELO, "unknown-user"),
	    codes_hint(db, PHASE_NONE, "unknown-user"));
	ck_assert_ptr_eq(codes_hint(db, PHASE_HELO, "no-such-cause"),
	    codes_hint(db, PHASE_HELO, NULL));
	ck_assert_ptr_null(codes_hint(db, PHASE_NONE, "no-such-cause"));
	ck_assert_ptr_null(codes_hint(db, PHASE_NONE, NULL));
}
END_TEST

/* codes_hint_mta()'s ranking as first written: every hint compared */
static const char *
hint_ref(const struct codes *c, const char *mta, int ph, const char *cause)
{
	const struct hint *found = NULL;
	int best = 0;

	for (size_t i = 0; i < c->nhints; i++) {
		const struct hint *h = &c->hints[i];
		size_t n = h->mta ? strlen(h->mta) : 0;
		int fit = !h->mta ? 1 : mta && strncmp(h->mta, mta, n) == 0 &&
		    (mta[n] == '\0' || mta[n] == '-') ? 2 : 0;
		bool cm = cause && h->cause && strcmp(cause, h->cause) == 0;
		int rank = ph >= 0 && h->phase == ph && cm ? 3 :
		    h->phase < 0 && cm ? 2 :
		    ph >= 0 && h->phase == ph && !h->cause ? 1 : 0;

		if (fit && rank && rank * 2 + fit > best) {
			best = rank * 2 + fit;
			found = h;
		}
	}
	return found ? found->text : NULL;
}

/*
 * codes_hint_mta() skips the hints of another phase before comparing
 * strings, and remembers its recent answers: the same hint as the full
 * ranking for every phase, every cause and server the shipped hints name,
 * none, and unknown ones, asked twice over (the second time mostly from
 * the memo, its slots shared by several questions).
 */
START_TEST(hints_as_ranked)
{
	for (size_t m = 0; m <= 2 * (db->nhints + 2) - 1; m++) {
		size_t mi = m % (db->nhints + 2);
		const char *mta = mi < db->nhints ? db->hints[mi].mta :
		    mi == db->nhints ? "no-such-server" : NULL;


		for (size_t k = 0; k <= db->nhints + 1; k++) {
			const char *cause = k < db->nhints ?
			    db->hints[k].cause : k == db->nhints ?
			    "no-such-cause" : NULL;

			for (int ph = PHASE_NONE; ph < PHASE__COUNT; ph++) {
				const char *got = codes_hint_mta(db, mta,
				    (enum phase)ph, cause);
				const char *want = hint_ref(db, mta, ph, cause);

				ck_assert_msg(got == want, "%s %s %s: got "
				    "'%s', want '%s'", mta ? mta : "-",
				    phase_name((enum phase)ph), cause ? cause :
				    "-", got ? got : "-", want ? want : "-");
			}
		}
	}
}
END_TEST

/*
 * Every cause codes.yaml names under 'usual' is a cause class of the issue
 * (and so of causes.yaml): read the file as text, "    phase: [a, b]".
 */
START_TEST(usual_causes_known)
{
	FILE *fp = fopen(shipped_file(), "r");
	char line[1024];
	unsigned lineno = 0, seen = 0;

	ck_assert_ptr_nonnull(fp);
	while (fgets(line, sizeof(line), fp)) {
		char *s = line, *colon, *p;

		lineno++;
		while (*s == ' ')
			s++;
		if ((colon = strstr(s, ": [")) == NULL)
			continue;
		*colon = '\0';
		for (size_t i = 0; i < ARRAY_SIZE(phases); i++) {
			if (strcmp(s, phases[i]) != 0)
				continue;
			for (p = colon + 3; *p && *p != ']';) {
				size_t n = strcspn(p, ", ]");

				ck_assert_msg(known_cause(p, n), "codes.yaml:"
				    "%u: unknown cause '%.*s'", lineno,
				    (int)n, p);
				seen++;
				p += n;
				p += strspn(p, ", ");
			}
		}
	}
	fclose(fp);
	ck_assert_uint_gt(seen, 100);
}
END_TEST

/* --- refused files -------------------------------------------------------- */

static char rootdir[200], tmpdir[256];

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

static char *terr;
static struct codes *tdb;

static void
make_dir(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "%s/t-XXXXXX", rootdir);
	ck_assert_msg(mkdtemp(tmpdir) != NULL, "mkdtemp: %s", strerror(errno));
}

static void
remove_dir(void)
{
	codes_free(tdb);
	tdb = NULL;
	free(terr);
	terr = NULL;
	if (tmpdir[0])
		rm_rf(tmpdir);
	tmpdir[0] = '\0';
}

/* Load text as a codes file; the captured standard error, malloc'd. */
static char *
load_text(const char *text, const char *path)
{
	char errpath[300];
	FILE *fp;
	int saved, fd;
	long n;
	char *err;

	fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	fputs(text, fp);
	ck_assert_int_eq(fclose(fp), 0);
	snprintf(errpath, sizeof(errpath), "%s/.stderr", tmpdir);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	ck_assert_int_ge(saved, 0);
	fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(dup2(fd, STDERR_FILENO), STDERR_FILENO);
	close(fd);
	tdb = codes_load(path);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	fp = fopen(errpath, "rb");
	ck_assert_ptr_nonnull(fp);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	err = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(err);
	ck_assert_uint_eq(fread(err, 1, (size_t)n, fp), (size_t)n);
	err[n] = '\0';
	fclose(fp);
	fputs(err, stderr);	/* for whoever reads the test log */
	return err;
}

/* A valid file: the required digits, one code of each kind. */
#define RHEAD \
	"reply:\n" \
	"  classes:\n" \
	"    - {digit: 2, name: s, meaning: s}\n" \
	"    - {digit: 3, name: i, meaning: i}\n" \
	"    - {digit: 4, name: t, meaning: t}\n" \
	"    - {digit: 5, name: p, meaning: p}\n" \
	"  categories:\n" \
	"    - {digit: 0, name: a, meaning: a}\n" \
	"    - {digit: 1, name: b, meaning: b}\n" \
	"    - {digit: 2, name: c, meaning: c}\n" \
	"    - {digit: 3, name: d, meaning: d}\n" \
	"    - {digit: 4, name: e, meaning: e}\n" \
	"    - {digit: 5, name: f, meaning: f}\n" \
	"  codes:\n" \
	"    - code: 250\n" \
	"      meaning: ok\n"
#define RCODE2 \
	"    - code: 550\n" \
	"      meaning: no\n" \
	"      usual: {rcpt: [unknown-user]}\n"
#define EHEAD \
	"enhanced:\n" \
	"  classes:\n" \
	"    - {digit: 2, name: s, meaning: s}\n" \
	"    - {digit: 4, name: t, meaning: t}\n" \
	"    - {digit: 5, name: p, meaning: p}\n" \
	"  subjects:\n" \
	"    - {digit: 0, name: a, meaning: a}\n" \
	"    - {digit: 1, name: b, meaning: b}\n" \
	"    - {digit: 2, name: c, meaning: c}\n" \
	"    - {digit: 3, name: d, meaning: d}\n" \
	"    - {digit: 4, name: e, meaning: e}\n" \
	"    - {digit: 5, name: f, meaning: f}\n" \
	"    - {digit: 6, name: g, meaning: g}\n" \
	"    - {digit: 7, name: h, meaning: h}\n" \
	"  details:\n" \
	"    - code: X.1.1\n" \
	"      meaning: bad mailbox\n" \
	"      classes: [5]\n"
#define CMDS \
	"commands:\n" \
	"  - command: RCPT\n" \
	"    phase: rcpt\n" \
	"    success: [250]\n" \
	"    error: [550]\n"
#define HINTS \
	"hints:\n" \
	"  - {cause: unknown-user, hint: check the user}\n"

static const struct {
	const char *name, *text, *want;
} bad_files[] = {
	{"good", RHEAD RCODE2 EHEAD CMDS HINTS, NULL},
	{"unknown top key", RHEAD RCODE2 EHEAD CMDS HINTS "colour: blue\n",
	    ":45:1: error: unknown key 'colour' in codes file"},
	{"unknown code key", RHEAD "      colour: blue\n" RCODE2 EHEAD CMDS
	    HINTS, ":17:7: error: unknown key 'colour' in reply code"},
	{"duplicate key", RHEAD "      meaning: twice\n" RCODE2 EHEAD CMDS
	    HINTS, ":17:7: error: duplicate key 'meaning' in reply code"},
	{"duplicate reply code", RHEAD RCODE2 "    - code: 250\n"
	    "      meaning: again\n" EHEAD CMDS HINTS,
	    ":20:13: error: duplicate reply code '250' (first at line 15)"},
	{"malformed reply code", RHEAD "    - code: 25x\n      meaning: m\n"
	    EHEAD CMDS HINTS, ":17:13: error: malformed reply code '25x'"},
	{"reply code 699", RHEAD "    - code: 699\n      meaning: m\n"
	    EHEAD CMDS HINTS, ":17:13: error: malformed reply code '699'"},
	{"vendor code unmarked", RHEAD "    - code: 101\n      meaning: m\n"
	    RCODE2 EHEAD CMDS HINTS, ":17:13: error: reply code '101' is not "
	    "an RFC code"},
	{"malformed enhanced", RHEAD RCODE2 EHEAD "    - code: 5.1.2\n"
	    "      meaning: m\n      classes: [5]\n" CMDS HINTS,
	    ":38:13: error: malformed enhanced code '5.1.2'"},
	{"duplicate enhanced", RHEAD RCODE2 EHEAD "    - code: X.1.1\n"
	    "      meaning: m\n      classes: [5]\n" CMDS HINTS,
	    ":38:13: error: duplicate enhanced code 'X.1.1' (first at line "
	    "35)"},
	{"bad class", RHEAD RCODE2 EHEAD "    - code: X.1.2\n"
	    "      meaning: m\n      classes: [3]\n" CMDS HINTS,
	    ":40:17: error: bad class '3'"},
	{"unknown phase", RHEAD "    - code: 550\n      meaning: no\n"
	    "      usual: {rctp: [unknown-user]}\n" EHEAD CMDS HINTS,
	    ":19:15: error: unknown phase 'rctp' in 'usual'"},
	{"bad cause", RHEAD "    - code: 550\n      meaning: no\n"
	    "      usual: {rcpt: [Unknown User]}\n" EHEAD CMDS HINTS,
	    ":19:22: error: malformed cause name 'Unknown User'"},
	{"command with undefined code", RHEAD RCODE2 EHEAD CMDS
	    "    common: [554]\n" HINTS,
	    ":43:14: error: command 'RCPT': reply code '554' is not defined"},
	{"duplicate command", RHEAD RCODE2 EHEAD CMDS "  - command: RCPT\n"
	    HINTS, ":43:14: error: duplicate command 'RCPT'"},
	{"missing class", "reply:\n  classes:\n"
	    "    - {digit: 2, name: s, meaning: s}\n  codes: []\n"
	    "  categories: []\n" EHEAD CMDS HINTS,
	    ":3:5: error: 'reply: classes': no entry for digit 3"},
	{"missing section", "reply:\n  classes: []\n" EHEAD CMDS HINTS,
	    ":2:3: error: no 'categories' in 'reply'"},
	{"hint without hint", RHEAD RCODE2 EHEAD CMDS HINTS
	    "  - {phase: rcpt}\n", ":45:5: error: a hint needs 'hint'"},
	{"duplicate hint", RHEAD RCODE2 EHEAD CMDS HINTS
	    "  - {cause: unknown-user, hint: again}\n",
	    ":45:5: error: duplicate hint for phase '*', cause "
	    "'unknown-user' and mta '*' (first at line 44)"},
	{"hint of one server beside any server's", RHEAD RCODE2 EHEAD CMDS
	    HINTS "  - {cause: unknown-user, mta: exim, hint: exim's}\n"
	    "  - {cause: unknown-user, mta: exim, hint: again}\n",
	    ":46:5: error: duplicate hint for phase '*', cause "
	    "'unknown-user' and mta 'exim' (first at line 45)"},
	{"missing meaning", RHEAD "    - code: 251\n" RCODE2 EHEAD CMDS
	    HINTS, ":17:7: error: missing 'meaning'"},
	{"invalid yaml", RHEAD "    - code: [250\n", ":18:1: error: invalid "
	    "YAML"},
	{"empty", "", "error: empty codes file"},
	{"vendor not a boolean", RHEAD "    - code: 101\n      meaning: m\n"
	    "      vendor: maybe\n" RCODE2 EHEAD CMDS HINTS,
	    ":19:15: error: 'vendor' must be true or false"},
};

/*
 * Entries the YAML kit (yamldoc.h) refuses as a whole: a list that is
 * not one, an entry that is not a mapping, a key that is not a string.
 * The message is the only one: a refused entry is not read further, so
 * that "a hint needs 'hint'" and the like do not follow it.
 */
static const struct {
	const char *name, *text, *want;
} kit_files[] = {
	{"commands not a list", RHEAD RCODE2 EHEAD "commands: {a: 1}\n"
	    HINTS, ":38:11: error: 'commands' must be a list"},
	{"hints not a list", RHEAD RCODE2 EHEAD CMDS "hints: text\n",
	    ":43:8: error: 'hints' must be a list"},
	{"aliases not a list", RHEAD RCODE2 EHEAD CMDS
	    "  - {command: MAIL, aliases: SEND}\n" HINTS,
	    ":43:30: error: 'aliases' must be a list"},
	{"hint not a mapping", RHEAD RCODE2 EHEAD CMDS HINTS
	    "  - just text\n", ":45:5: error: hint must be a mapping"},
	{"key not a string", RHEAD RCODE2 EHEAD CMDS HINTS
	    "  - {[x]: 1, cause: c, hint: h}\n",
	    ":45:6: error: hint: keys must be plain strings"},
};

START_TEST(bad_file)
{
	char path[300], want[600];

	snprintf(path, sizeof(path), "%s/codes.yaml", tmpdir);
	terr = load_text(bad_files[_i].text, path);
	if (bad_files[_i].want == NULL) {
		ck_assert_msg(tdb != NULL, "%s: refused:\n%s",
		    bad_files[_i].name, terr);
		ck_assert_str_eq(terr, "");
		ck_assert_int_eq(codes_reply_allowed(tdb, "RCPT", "550"), true);
		ck_assert_str_eq(codes_hint(tdb, PHASE_RCPT, "unknown-user"),
		    "check the user");
		return;
	}
	ck_assert_msg(tdb == NULL, "%s: accepted", bad_files[_i].name);
	snprintf(want, sizeof(want), "%s%s", bad_files[_i].want[0] == ':' ?
	    path : "", bad_files[_i].want);
	ck_assert_msg(strstr(terr, want) != NULL, "%s: want '%s' in:\n%s",
	    bad_files[_i].name, want, terr);
}
END_TEST

START_TEST(kit_file)
{
	char path[300], want[600];

	snprintf(path, sizeof(path), "%s/codes.yaml", tmpdir);
	terr = load_text(kit_files[_i].text, path);
	snprintf(want, sizeof(want), "smtplog-analyze: %s%s\n", path,
	    kit_files[_i].want);
	ck_assert_msg(tdb == NULL && strcmp(terr, want) == 0,
	    "%s: got '%s' (%s), want '%s' (refused)", kit_files[_i].name,
	    terr, tdb ? "accepted" : "refused", want);
}
END_TEST

START_TEST(missing_file)
{
	char path[300];

	snprintf(path, sizeof(path), "%s/none/codes.yaml", tmpdir);
	ck_assert_ptr_null(codes_load(path));
}
END_TEST

static Suite *
codes_suite(void)
{
	Suite *s = suite_create("codes");
	TCase *tc;

	tc = tcase_create("shipped");
	tcase_add_checked_fixture(tc, load_shipped, free_shipped);
	tcase_add_loop_test(tc, reply_meanings, 0,
	    (int)ARRAY_SIZE(issue_replies));
	tcase_add_loop_test(tc, enhanced_registry, 0,
	    (int)ARRAY_SIZE(registry));
	tcase_add_loop_test(tc, explain_known, 0, (int)ARRAY_SIZE(explained));
	tcase_add_loop_test(tc, explain_every_reply, 0,
	    (int)ARRAY_SIZE(issue_replies));
	tcase_add_test(tc, explain_unknown);
	tcase_add_loop_test(tc, malformed_reply, 0,
	    (int)ARRAY_SIZE(malformed_replies));
	tcase_add_loop_test(tc, malformed_enh, 0,
	    (int)ARRAY_SIZE(malformed_enhanced));
	tcase_add_test(tc, meanings_fall_back);
	tcase_add_test(tc, class_mismatch);
	tcase_add_test(tc, explain_escapes);
	tcase_add_loop_test(tc, sequences, 0, (int)ARRAY_SIZE(seqs));
	tcase_add_test(tc, hints_cover);
	tcase_add_test(tc, hints_as_ranked);
	tcase_add_loop_test(tc, hints_by_server, 0, ARRAY_SIZE(server_hints));
	tcase_add_test(tc, usual_causes_known);
	suite_add_tcase(s, tc);

	tc = tcase_create("refused");
	tcase_add_checked_fixture(tc, make_dir, remove_dir);
	tcase_add_loop_test(tc, bad_file, 0, (int)ARRAY_SIZE(bad_files));
	tcase_add_loop_test(tc, kit_file, 0, (int)ARRAY_SIZE(kit_files));
	tcase_add_test(tc, missing_file);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	const char *t = getenv("TMPDIR");
	SRunner *sr;
	int failed;

	snprintf(rootdir, sizeof(rootdir), "%s/check-codes-XXXXXX",
	    t && *t ? t : "/tmp");
	if (mkdtemp(rootdir) == NULL) {
		perror(rootdir);
		return EXIT_FAILURE;
	}
	sr = srunner_create(codes_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	rm_rf(rootdir);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
