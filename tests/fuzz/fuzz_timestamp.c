/*
 * fuzz_timestamp - ts_parse() and ts_format() on every line of the input,
 * all with one year state (so that a sequence of months can drive the
 * year inference), and the same lines without one.
 *
 * Byte 0 picks the state: bit 0 a fixed --year (1970 + byte 1 * 40, which
 * reaches past 9999), else a modification time of byte 1 * 2^30 seconds.
 * Whatever is accepted must print as a four-digit year and read back to
 * the same instant.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "timestamp.h"

static void
check(const struct ts *t)
{
	char buf[TS_BUFSZ];
	struct ts back;

	ts_format(t, buf);
	(void)ts_utc(t);
	/* YYYY-MM-DDTHH:MM:SS, then a fraction and an offset maybe */
	if (strlen(buf) < 19 || buf[4] != '-' || buf[10] != 'T')
		__builtin_trap();
	if (!ts_parse((struct strview){buf, strlen(buf)}, NULL, &back) ||
	    back.us / 1000000 != t->us / 1000000)
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	struct ts_year yr;

	if (size < 2)
		return 0;
	if (data[0] & 1)
		ts_year_init(&yr, 0, 1970 + data[1] * 40);
	else
		ts_year_init(&yr, (time_t)data[1] << 30, 0);
	p += 2;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		struct strview v = {p, (size_t)((nl ? nl : end) - p)};
		struct ts t;

		if (ts_parse(v, &yr, &t) && t.us >= 0)
			check(&t);
		if (ts_parse(v, NULL, &t) && t.us >= 0)
			check(&t);
		p = nl ? nl + 1 : end;
	}
	return 0;
}
