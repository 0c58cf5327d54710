/*
 * fuzz_codes - codes.yaml loading: the input is a codes file, loaded as
 * the tool loads patterns/codes.yaml, then, when it loads, asked what a
 * few reply and enhanced codes mean (--explain and the reports' look-ups).
 */
#include "config.h"

#include <stdio.h>

#include "diag.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const replies[] = {"550", "421", "250", "999",
	    "5", ""};
	static const char *const enh[] = {"5.1.1", "4.7.1", "2.0.0", "5.9.9",
	    "x.y.z"};
	const char *path = fuzz_file(0, data, size);
	struct codes *c;

	diag_mute(1);
	if ((c = codes_load(path)) == NULL)
		return 0;
	for (size_t i = 0; i < sizeof(replies) / sizeof(*replies); i++) {
		char g[256];

		codes_reply_meaning(c, replies[i]);
		codes_reply_check(c, "RCPT", replies[i]);
		codes_reply_check(c, "DATA", replies[i]);
		codes_gist(c, replies[i], enh[i % 5], g, sizeof(g));
		codes_reply_flags(c, replies[i]);
		codes_explain(fuzz_sink(), c, replies[i], enh[i % 5]);
	}
	for (size_t i = 0; i < sizeof(enh) / sizeof(*enh); i++) {
		codes_enhanced_meaning(c, enh[i]);
		codes_explain(fuzz_sink(), c, NULL, enh[i]);
	}
	codes_free(c);
	return 0;
}
