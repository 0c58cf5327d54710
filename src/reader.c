/*
 * reader - see reader.h.
 *
 * The buffer holds [start, end) of unread bytes. reader_next() looks for a
 * newline there; when there is none it moves the partial line to the front
 * and reads more. A line that does not fit in READER_MAX_LINE is cut, and
 * its tail is skipped up to the next newline.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "diag.h"
#include "reader.h"

#define READ_CHUNK (256 * 1024)

struct reader {
	char *name;
	gzFile gz;
	char *buf;
	size_t cap, start, end;
	size_t lineno;
	time_t mtime;
	bool eof, failed, skipping;
};

struct reader *
reader_open(const char *path)
{
	struct reader *r;
	struct stat st;
	int fd;

	if (strcmp(path, "-") == 0) {
		fd = dup(STDIN_FILENO);
		if (fd < 0) {
			diag_error("cannot read standard input: %s",
			    strerror(errno));
			return NULL;
		}
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			diag_error("cannot open '%s': %s", path,
			    strerror(errno));
			return NULL;
		}
	}
	if (fstat(fd, &st) != 0) {
		diag_error("cannot stat '%s': %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	if (S_ISDIR(st.st_mode)) {
		diag_error("cannot read '%s': Is a directory", path);
		close(fd);
		return NULL;
	}
	r = xcalloc(1, sizeof(*r));
	r->name = xstrdup(strcmp(path, "-") == 0 ? "(standard input)" : path);
	r->mtime = S_ISREG(st.st_mode) ? st.st_mtime : time(NULL);
	r->gz = gzdopen(fd, "rb");
	if (r->gz == NULL) {
		diag_error("cannot read '%s': out of memory", path);
		close(fd);
		free(r->name);
		free(r);
		return NULL;
	}
	gzbuffer(r->gz, 128 * 1024);
	r->cap = READ_CHUNK + READER_MAX_LINE;
	r->buf = xmalloc(r->cap);
	return r;
}

/* Read more bytes after end; false at end of input. */
static bool
fill(struct reader *r)
{
	int n;
	int err;
	const char *msg;

	if (r->eof)
		return false;
	if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
	}
	n = gzread(r->gz, r->buf + r->end, (unsigned)(r->cap - r->end));
	if (n > 0) {
		r->end += (size_t)n;
		return true;
	}
	r->eof = true;
	msg = gzerror(r->gz, &err);
	if (n < 0 || (err != Z_OK && err != Z_STREAM_END)) {
		r->failed = true;
		diag_at(DIAG_ERROR, r->name, r->lineno + 1, 0,
		    "read error: %s", err == Z_ERRNO ? strerror(errno) : msg);
	}
	return false;
}

int
reader_next(struct reader *r, struct strview *line)
{
	for (;;) {
		char *s = r->buf + r->start;
		size_t avail = r->end - r->start;
		char *nl = avail ? memchr(s, '\n', avail) : NULL;
		size_t len;

		if (nl == NULL && avail < READER_MAX_LINE && fill(r))
			continue;
		if (nl == NULL && avail == 0)
			return 0;
		if (nl == NULL && avail >= READER_MAX_LINE) {
			/* Too long: hand out the first part, skip the rest. */
			len = READER_MAX_LINE;
			if (r->skipping) {
				r->start = r->end;
				continue;
			}
			r->lineno++;
			diag_at(DIAG_WARNING, r->name, r->lineno, 0,
			    "line longer than %d bytes, truncated",
			    READER_MAX_LINE);
			r->start += len;
			r->skipping = true;
			line->p = s;
			line->len = len;
			return 1;
		}
		len = nl ? (size_t)(nl - s) : avail;
		r->start += nl ? len + 1 : len;
		if (r->skipping) {
			r->skipping = false;
			continue;
		}
		r->lineno++;
		if (len > 0 && s[len - 1] == '\r')
			len--;
		line->p = s;
		line->len = len;
		return 1;
	}
}

size_t
reader_lineno(const struct reader *r)
{
	return r->lineno;
}

const char *
reader_name(const struct reader *r)
{
	return r->name;
}

time_t
reader_mtime(const struct reader *r)
{
	return r->mtime;
}

bool
reader_failed(const struct reader *r)
{
	return r->failed;
}

void
reader_close(struct reader *r)
{
	if (r == NULL)
		return;
	gzclose(r->gz);
	free(r->buf);
	free(r->name);
	free(r);
}
