/*
 * session - the SMTP stage words, and ID look-up.
 *
 * phase_of_stage() is SMTP knowledge, not any one server's: the words
 * RFC 5321 gives the commands, as every MTA writes them in its logs.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "session.h"

static bool
has_word(const char *s, size_t n, const char *w)
{
	size_t wl = strlen(w);
	int c0 = w[0] | 0x20;	/* the words are letters */

	for (size_t i = 0; i + wl <= n; i++) {
		if ((s[i] | 0x20) != c0 || strncasecmp(s + i, w, wl) != 0)
			continue;
		if (i > 0 && ((s[i - 1] >= 'A' && s[i - 1] <= 'Z') ||
		    (s[i - 1] >= 'a' && s[i - 1] <= 'z')))
			continue;
		if (i + wl < n && ((s[i + wl] >= 'A' && s[i + wl] <= 'Z') ||
		    (s[i + wl] >= 'a' && s[i + wl] <= 'z')))
			continue;
		return true;
	}
	return false;
}

static bool
letters_only(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = (char)(s[i] | 0x20);

		if (c < 'a' || c > 'z')
			return false;
	}
	return n > 0;
}

enum phase
phase_of_stage(const char *s, size_t n)
{
	static const struct {
		const char *word;
		enum phase phase;
	} words[] = {
		/* order matters: "end of DATA" before "MAIL" etc. */
		{"END-OF-MESSAGE", PHASE_DATA},
		{"end of data", PHASE_DATA},
		{"message body", PHASE_DATA},
		{"DATA", PHASE_DATA},
		{"BDAT", PHASE_DATA},
		{"RCPT", PHASE_RCPT},
		{"MAIL", PHASE_MAIL},
		{"AUTH", PHASE_AUTH},
		{"STARTTLS", PHASE_STARTTLS},
		{"TLS", PHASE_STARTTLS},
		{"EHLO", PHASE_HELO},
		{"HELO", PHASE_HELO},
		{"LHLO", PHASE_HELO},
		{"CONNECT", PHASE_PREGREETING},
		{"greeting", PHASE_PREGREETING},
		{"initial connection", PHASE_PREGREETING},
		{"connect", PHASE_PREGREETING},
	};

	if (s == NULL)
		return PHASE_NONE;
	/* "RCPT TO:<mail@x>": the stage is what comes before the address */
	for (size_t i = 0; i < n; i++)
		if (s[i] == '<') {
			n = i;
			break;
		}
	/*
	 * One word of letters ("rcpt" of a disconnect line's counters, "EHLO"
	 * of a command list): a word of the table is in it only when it is
	 * the whole token, so compare lengths first instead of searching.
	 */
	if (letters_only(s, n)) {
		for (size_t i = 0; i < ARRAY_SIZE(words); i++)
			if (strlen(words[i].word) == n &&
			    strncasecmp(s, words[i].word, n) == 0)
				return words[i].phase;
		return PHASE_NONE;
	}
	for (size_t i = 0; i < ARRAY_SIZE(words); i++)
		if (has_word(s, n, words[i].word))
			return words[i].phase;
	return PHASE_NONE;
}

static bool
id_eq(const char *have, const char *id)
{
	size_t n;

	if (have == NULL || *have == '\0')
		return false;
	if (strcasecmp(have, id) == 0)
		return true;
	/* Message-IDs with or without their angle brackets */
	n = strlen(have);
	if (have[0] == '<' && have[n - 1] == '>' && strlen(id) == n - 2 &&
	    strncasecmp(have + 1, id, n - 2) == 0)
		return true;
	return false;
}

bool
session_has_id(const struct session *s, const char *id)
{
	if (id_eq(s->pid, id) || id_eq(s->session_id, id) ||
	    id_eq(s->client_ip, id) || id_eq(s->sender, id) ||
	    id_eq(s->label, id) || id_eq(s->queue, id) ||
	    id_eq(s->helo, id) || id_eq(s->sasl_user, id))
		return true;
	for (size_t i = 0; i < s->nrcpts; i++)
		if (id_eq(s->rcpts[i].address, id))
			return true;
	for (size_t i = 0; i < s->nmsgs; i++) {
		const struct message *m = s->msgs[i];

		if (id_eq(m->queue, id) || id_eq(m->message_id, id) ||
		    id_eq(m->sender, id))
			return true;
		for (size_t j = 0; j < m->nrcpts; j++)
			if (id_eq(m->rcpts[j].address, id))
				return true;
	}
	return false;
}
