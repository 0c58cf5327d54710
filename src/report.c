/*
 * report - what the reporters share: escaped output, the gist of a reply,
 * the plain finish and free, and a session's lines in log order.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "report.h"

void
report_put(FILE *fp, const char *s)
{
	if (s)
		esc_text(fp, s, strlen(s));
}

/*
 * What the code at the start of text ("550 5.1.1 ...", "250-PIPELINING",
 * a summary key "550 5.1.1") means, in a few words, or NULL.
 */
const char *
report_reply_gist(const struct codes *codes, const char *text, char *g,
    size_t size)
{
	char code[4], enh[16];
	const char *e = NULL;
	size_t n;

	if (codes == NULL || text == NULL || strlen(text) < 3)
		return NULL;
	memcpy(code, text, 3);
	code[3] = '\0';
	if (text[3] == ' ' && (n = strspn(text + 4, "0123456789.")) > 4 &&
	    n < sizeof(enh)) {
		memcpy(enh, text + 4, n);
		enh[n] = '\0';
		e = enh;
	}
	return codes_gist(codes, code, e, g, size);
}

void
report_finish_flush(struct reporter *rep, const struct run_info *ri)
{
	(void)ri;
	fflush(rep->out);
}

void
report_free_plain(struct reporter *rep)
{
	free(rep);
}

size_t
report_lines(const struct session *s, struct lineref **out)
{
	return session_lines(s, out);
}
