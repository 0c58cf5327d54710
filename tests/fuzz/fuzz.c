/*
 * fuzz - see fuzz.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "diag.h"
#include "fuzz.h"

static struct pattern_db *db;
static struct codes *codes;
static FILE *sink;
static int fds[8] = {-1, -1, -1, -1, -1, -1, -1, -1};
static char paths[8][64];

const char *
fuzz_patterns_dir(void)
{
	const char *env = getenv("SMTPLOG_ANALYZE_PATTERNS");

	return env && *env ? env : PATTERNS_SRCDIR;
}

const struct pattern_db *
fuzz_db(void)
{
	const char *dir = fuzz_patterns_dir();

	if (db == NULL && (db = pattern_db_load(&dir, 1)) == NULL) {
		fprintf(stderr, "fuzz: cannot load the pattern files in %s\n",
		    dir);
		abort();
	}
	diag_mute(1);
	return db;
}

const struct codes *
fuzz_codes(void)
{
	char path[4096];

	if (codes == NULL) {
		snprintf(path, sizeof(path), "%s/codes.yaml",
		    fuzz_patterns_dir());
		if ((codes = codes_load(path)) == NULL) {
			fprintf(stderr, "fuzz: cannot load %s\n", path);
			abort();
		}
	}
	diag_mute(1);
	return codes;
}

const char *
fuzz_file(int slot, const void *data, size_t size)
{
	const char *p = data;

	if (fds[slot] < 0) {
		fds[slot] = memfd_create("fuzz", 0);
		if (fds[slot] < 0) {
			perror("fuzz: memfd_create");
			abort();
		}
		snprintf(paths[slot], sizeof(paths[slot]), "/proc/self/fd/%d",
		    fds[slot]);
	}
	if (ftruncate(fds[slot], 0) != 0 || lseek(fds[slot], 0, SEEK_SET) != 0)
		abort();
	while (size > 0) {
		ssize_t n = write(fds[slot], p, size);

		if (n <= 0)
			abort();
		p += n;
		size -= (size_t)n;
	}
	return paths[slot];
}

void
fuzz_file_release(int slot)
{
	if (fds[slot] >= 0 && ftruncate(fds[slot], 0) != 0)
		abort();
}

FILE *
fuzz_sink(void)
{
	if (sink == NULL && (sink = fopen("/dev/null", "w")) == NULL)
		abort();
	return sink;
}
