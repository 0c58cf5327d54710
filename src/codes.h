/*
 * codes - what SMTP reply codes and enhanced status codes mean, which
 * replies each command may get, and where an admin should look.
 *
 * All of it is data: patterns/codes.yaml, whose schema is documented in
 * patterns/README.md. The file holds the meanings of the reply codes (RFC
 * 5321, RFC 3207, RFC 4954, RFC 7504 and vendor codes) and of the enhanced
 * status codes (RFC 3463 and the IANA registry), the usual causes of each
 * code per phase, the replies RFC 5321 4.3.2 allows for each command, and
 * hints per phase and cause class.
 *
 * Codes are passed as strings, the way logs hold them: "550", "5.1.1".
 * A code that is not in the file is still explained, by its digits.
 *
 *	struct codes *c = codes_load(PATTERNS_DIR "/codes.yaml");
 *	codes_reply_meaning(c, "550");	   "action not taken, mailbox ..."
 *	codes_enhanced_meaning(c, "4.7.99") "persistent transient failure;
 *					    security or policy (detail not
 *					    registered)"
 *	codes_reply_allowed(c, "RCPT", "354")	false
 *	codes_explain(stdout, c, "550", "5.1.1");
 *
 * Every string returned belongs to the struct codes and lives until
 * codes_free().
 *
 * DIAGNOSTICS: codes_load() reports every problem in the file as
 * FILE:LINE:COLUMN through diag (unknown or duplicate keys, duplicate or
 * malformed codes, unknown phases, commands naming codes the file does not
 * define, missing classes) and returns NULL when there was any.
 */
#ifndef SLA_CODES_H
#define SLA_CODES_H

#include <stdbool.h>
#include <stdio.h>

#include "vocab.h"

struct codes;

/* Flags from codes_reply_flags() and codes_enhanced_flags(). */
#define CODE_MALFORMED	(1u << 0) /* not [2-5]dd, not [245].d{1,3}.d{1,3} */
#define CODE_UNKNOWN	(1u << 1) /* well formed, not in codes.yaml */
#define CODE_VENDOR	(1u << 2) /* in codes.yaml, but no RFC defines it */
#define CODE_CATEGORY	(1u << 3) /* reply: middle digit not 0-5 */
#define CODE_CLASS	(1u << 4) /* enhanced: registry does not pair this
				     detail with this class (2.1.1) */

/* Where a reply stands for a command (codes_reply_check()). */
enum codes_seq {
	SEQ_ALLOWED,		/* the RFCs list it for the command */
	SEQ_COMMON,		/* not listed, but widespread servers send it */
	SEQ_NOT_ALLOWED,	/* not listed: worth a finding */
	SEQ_UNKNOWN_COMMAND,	/* the file says nothing about this command */
};

/* NULL, with the reasons reported through diag, if the file is refused. */
struct codes *codes_load(const char *path);
void	codes_free(struct codes *);

/*
 * The meaning of a reply code. A well-formed code that the file does not
 * list gets a meaning built from its digits ("permanent failure, mail
 * system (code not in the table)"); NULL only for a malformed code.
 */
const char *codes_reply_meaning(const struct codes *, const char *code);

/*
 * The meaning of an enhanced status code: the detail's own meaning, else
 * its class and subject ("permanent failure; addressing (detail not
 * registered)"), else its class alone; NULL when malformed.
 */
const char *codes_enhanced_meaning(const struct codes *, const char *enh);

unsigned codes_reply_flags(const struct codes *, const char *code);
unsigned codes_enhanced_flags(const struct codes *, const char *enh);

/*
 * Whether code answers command per the RFCs (RFC 5321 4.3.2, RFC 3207,
 * RFC 4954, RFC 7504). command is the verb as logged, in any case, and
 * may carry arguments ("RCPT TO:<x>"); "CONNECT" or "GREETING" stands for
 * the connection opening, "END-OF-DATA" ("END-OF-MESSAGE", ".") for the
 * final dot. codes_reply_allowed() is true for SEQ_ALLOWED only, and for
 * commands the file does not know (no finding without knowledge).
 */
enum codes_seq codes_reply_check(const struct codes *, const char *command,
    const char *code);
bool	codes_reply_allowed(const struct codes *, const char *command,
    const char *code);

/*
 * A few words for a report: the registered enhanced code's meaning, else
 * the reply code's, each up to its first ':', ';' or '(' ("bad destination
 * mailbox"). Written into buf; NULL when there is nothing to say.
 */
const char *codes_gist(const struct codes *, const char *reply,
    const char *enhanced, char *buf, size_t size);

/*
 * Where to look: the hint for phase and cause, else for cause, else for
 * phase; phase may be PHASE_NONE and cause NULL. NULL when the file has
 * none.
 */
const char *codes_hint(const struct codes *, enum phase phase,
    const char *cause);
/*
 * The same for a session of server mta (its pattern set's name): a hint
 * that names an mta is only that server's, and wins over one for any
 * server at the same level; one of another server is never given, so a
 * Postfix setting never reaches an Exim session. mta NULL: only hints
 * for any server (codes_hint()).
 */
const char *codes_hint_mta(const struct codes *, const char *mta,
    enum phase phase, const char *cause);
/* (It keeps its recent answers in the codes: not for two threads at
 * once.) */

/*
 * Print for a terminal what code (and enhanced, which may be NULL) mean:
 * meaning, class, category, the commands that may get it, the enhanced
 * code's class, subject and detail, the usual causes per phase with their
 * hints, and any flags (malformed, unknown, vendor, mismatched classes).
 * User-given text is escaped (escape.h). Returns true when both codes are
 * well formed.
 */
bool	codes_explain(FILE *, const struct codes *, const char *code,
    const char *enhanced);

#endif
