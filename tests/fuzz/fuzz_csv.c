/*
 * fuzz_csv - the CSV layer: csv_split() and csv_columns() on every line,
 * and a csvlog (csv.h) fed the input line by line as a CSV log's lines,
 * with the shipped pattern sets choosing the columns.
 */
#include "config.h"

#include <string.h>

#include "csv.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct pattern_db *db = fuzz_db();
	const char *p = (const char *)data, *end = p + size;
	struct csv_rec rec = CSV_REC_INIT;
	struct csvlog cl;

	csvlog_init(&cl, db, NULL);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		struct strview line = {p, (size_t)((nl ? nl : end) - p)};
		size_t n = csv_split(&rec, line);

		for (size_t i = 0; i <= n; i++) {
			struct strview f = csv_field(&rec, i);

			/* every field inside the record; none past it */
			if ((i < n) != (f.p != NULL))
				__builtin_trap();
		}
		for (size_t s = 0; s < pattern_db_count(db); s++) {
			const struct pattern_csv *spec =
			    pattern_set_csv(pattern_db_set(db, s));
			int col[64];

			if (spec && spec->nfields <= 64)
				csv_columns(spec, line, col);
		}
		csvlog_line(&cl, &line);
		p = nl ? nl + 1 : end;
	}
	csvlog_release(&cl);
	csv_rec_release(&rec);
	return 0;
}
