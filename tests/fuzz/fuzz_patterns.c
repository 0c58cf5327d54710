/*
 * fuzz_patterns - pattern-file loading: the input is one pattern file in
 * a directory of its own, loaded as --patterns DIR would be (YAML,
 * schema, regex compilation, cause rules), then, when it loads, its
 * samples checked as --check-patterns does and each of its lines matched.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "fuzz.h"

static char dir[64];
static char path[96];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *dirs[1];
	struct pattern_db *db;
	FILE *fp;

	if (dir[0] == '\0') {
		snprintf(dir, sizeof(dir), "/dev/shm/fuzz-patterns.XXXXXX");
		if (access("/dev/shm", W_OK) != 0)
			snprintf(dir, sizeof(dir), "/tmp/fuzz-patterns.XXXXXX");
		if (mkdtemp(dir) == NULL)
			abort();
		snprintf(path, sizeof(path), "%s/fuzz.yaml", dir);
		diag_mute(1);
	}
	if ((fp = fopen(path, "wb")) == NULL)
		abort();
	if (size > 0 && fwrite(data, 1, size, fp) != size)
		abort();
	fclose(fp);
	dirs[0] = dir;
	db = pattern_db_load(dirs, 1);
	if (db != NULL) {
		unsigned n = 0;
		const char *p = (const char *)data, *end = p + size;

		pattern_db_check(db, &n);
		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			struct strview line = {p, (size_t)((nl ? nl : end) - p)};
			struct match m;

			for (size_t i = 0; i < pattern_db_count(db); i++)
				pattern_set_match(pattern_db_set(db, i), line,
				    i & 1, &m);
			p = nl ? nl + 1 : end;
		}
		pattern_db_free(db);
	}
	return 0;
}
