/*
 * reader - see reader.h.
 *
 * The buffer holds [start, end) of unread bytes. reader_next() looks for a
 * newline there; when there is none it moves the partial line to the front
 * and reads more. A line longer than READER_MAX_LINE is cut there, and the
 * rest of it is skipped up to the next newline.
 *
 * Gzip input is inflated here with zlib's inflate() rather than gzread():
 * gzread() throws away what it decompressed in the call that meets a
 * damaged stream (a bad CRC, a cut file), and those are exactly the lines
 * an administrator wants from a rotated log that was copied half-way.
 * inflate() says how much it wrote before the error, so every line before
 * the damage is delivered and the error is reported after them.
 *
 * Follow mode asks the file itself what happened, the way tail -F does:
 * the name now on another inode is a rename and create; a size below the
 * offset read, or bytes that are no longer those read, is a copytruncate.
 * Two marks are kept for that: the first MARK_BYTES of the file and the
 * last MARK_BYTES before the offset. They catch a file cut and written
 * past the old offset again while the tool slept, which the size alone
 * would miss; the second also when every file starts with the same
 * header. The reader moves to the new file only once it is not empty: a
 * server writes there only after it reopened the name, so the old file is
 * complete by then, and the lines it got between the create and the
 * reopen are read.
 *
 * The rule that makes a copytruncate safe at any moment, not only at a
 * poll: no byte read from past offset 0 is handed out before the file has
 * been seen, after that read, to still hold both marks as they were
 * before it. Bytes read before a cut pass and are the old file's; bytes
 * read after it, or by a read that straddles it, fail the check, are
 * dropped with any unfinished line held, and the file is read again from
 * its start. Inode, size and times cannot tell: a copytruncate keeps the
 * inode, a refill can make the size anything, and an append changes the
 * times as a cut does.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "diag.h"
#include "reader.h"

#define READ_CHUNK (256 * 1024)
/* A "line" this long is no line: /dev/zero through a pipe, a disk image. */
#define MAX_RUN (64u * 1024 * 1024)
#define RAW_CHUNK (64 * 1024)
/* Bytes of a followed file kept to recognise it after a cut. */
#define MARK_BYTES 128

/* What the file held at offset at, when it was read. */
struct mark {
	off_t at;
	size_t len;
	unsigned char b[MARK_BYTES];
};

struct reader {
	char *name;
	int fd;
	char *buf;
	size_t cap, start, end;
	size_t lineno;
	time_t mtime;
	bool eof, failed, skipping;
	size_t skipped;	/* bytes of the line being skipped */
	/* gzip */
	bool gzip, in_member;
	z_stream zs;
	unsigned char *raw;
	/* an error met while filling, reported once the lines before it
	 * have been handed out */
	char *pending;
	/* follow mode */
	bool regular;	/* a plain file opened by name */
	int64_t line_off;	/* reader_offset() */
	bool follow;
	bool drain;	/* switched files: hand out what is left of the
			   old one, then start again at line 1 */
	dev_t dev;
	ino_t ino;
	off_t offset;	/* bytes read from fd */
	struct mark head;	/* the first of them */
	struct mark tail;	/* the last of them, up to offset */
};

static void
set_pending(struct reader *r, const char *what, const char *why)
{
	size_t n = strlen(what) + strlen(why) + 3;

	if (r->pending != NULL)
		return;
	r->pending = xmalloc(n);
	snprintf(r->pending, n, "%s: %s", what, why);
	r->failed = true;
}

/* The got bytes at p were read at r->offset: note them in the marks. */
static void
note_read(struct reader *r, const unsigned char *p, size_t got)
{
	struct mark *t = &r->tail;
	size_t take, keep;

	if (r->offset < MARK_BYTES) {
		size_t k = MARK_BYTES - (size_t)r->offset;

		if (k > got)
			k = got;
		memcpy(r->head.b + r->offset, p, k);
		r->head.len = (size_t)r->offset + k;
	}
	/* the tail: the last MARK_BYTES of what it held and what came */
	take = got < MARK_BYTES ? got : MARK_BYTES;
	keep = MARK_BYTES - take < t->len ? MARK_BYTES - take : t->len;
	memmove(t->b, t->b + t->len - keep, keep);
	memcpy(t->b + keep, p + got - take, take);
	t->len = keep + take;
	r->offset += (off_t)got;
	t->at = r->offset - (off_t)t->len;
}

/* read(2) that retries on EINTR; -1 with r->pending set on failure. */
static ssize_t
raw_read(struct reader *r, void *p, size_t n)
{
	ssize_t got;

	do
		got = read(r->fd, p, n);
	while (got < 0 && errno == EINTR);
	if (got < 0)
		set_pending(r, "read error", strerror(errno));
	if (got > 0)
		note_read(r, p, (size_t)got);
	return got;
}

/*
 * A device is no log: /dev/zero and /dev/urandom never end, a disk is
 * gigabytes of anything. A terminal is read (a user typing or pasting
 * lines), and so is /dev/null (an empty input).
 */
static bool
endless(int fd, const struct stat *st)
{
	struct stat null;

	if (S_ISBLK(st->st_mode))
		return true;
	if (!S_ISCHR(st->st_mode) || isatty(fd))
		return false;
	return stat("/dev/null", &null) != 0 || !S_ISCHR(null.st_mode) ||
	    null.st_rdev != st->st_rdev;
}

/* The descriptor to read path from ("-": standard input), or -1 after
 * saying why. */
static int
open_fd(const char *path)
{
	int fd;

	if (strcmp(path, "-") == 0) {
		fd = dup(STDIN_FILENO);
		if (fd < 0) {
			diag_error("cannot read standard input: %s",
			    strerror(errno));
			return -1;
		}
	} else {
		struct stat pst;
		/* A named FIFO: opening it waits for a writer, maybe forever;
		 * open without waiting, then read it as a stream (a shell's
		 * <(zcat ...) is a pipe with its writer already there). */
		bool fifo = stat(path, &pst) == 0 && S_ISFIFO(pst.st_mode);

		fd = open(path, O_RDONLY | O_CLOEXEC | (fifo ? O_NONBLOCK : 0));
		if (fd < 0) {
			diag_error("cannot open '%s': %s", path,
			    strerror(errno));
			return -1;
		}
		if (fifo)
			fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	}
	return fd;
}

struct reader *
reader_open(const char *path)
{
	struct reader *r;
	struct stat st;
	ssize_t got;
	int fd;

	if ((fd = open_fd(path)) < 0)
		return NULL;
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
	if (endless(fd, &st)) {
		diag_error("cannot read '%s': a %s device, not a log file",
		    strcmp(path, "-") == 0 ? "(standard input)" : path,
		    S_ISBLK(st.st_mode) ? "block" : "character");
		close(fd);
		return NULL;
	}
	r = xcalloc(1, sizeof(*r));
	r->fd = fd;
	r->name = xstrdup(strcmp(path, "-") == 0 ? "(standard input)" : path);
	r->mtime = S_ISREG(st.st_mode) ? st.st_mtime : time(NULL);
	r->regular = S_ISREG(st.st_mode) && strcmp(path, "-") != 0;
	r->dev = st.st_dev;
	r->ino = st.st_ino;
	r->cap = READ_CHUNK + READER_MAX_LINE;
	r->buf = xmalloc(r->cap);

	/* Sniff the gzip magic; what was read stays input either way. */
	r->raw = xmalloc(RAW_CHUNK);
	got = 0;
	while (got < 2) {
		ssize_t n = raw_read(r, r->raw + got, RAW_CHUNK - (size_t)got);

		if (n <= 0)
			break;
		got += n;
	}
	if (got >= 2 && r->raw[0] == 0x1f && r->raw[1] == 0x8b) {
		r->gzip = true;
		if (inflateInit2(&r->zs, 15 + 16) != Z_OK) {
			diag_error("cannot read '%s': out of memory", path);
			reader_close(r);
			return NULL;
		}
		r->zs.next_in = r->raw;
		r->zs.avail_in = (uInt)got;
		r->in_member = true;
	} else {
		memcpy(r->buf, r->raw, (size_t)(got > 0 ? got : 0));
		r->end = (size_t)(got > 0 ? got : 0);
		free(r->raw);
		r->raw = NULL;
		if (got <= 0 && r->pending == NULL)
			r->eof = true;
	}
	return r;
}

/*
 * Inflate into buf[end, cap). True when bytes were added; false at the end
 * of the input or at an error (left in r->pending).
 */
static bool
fill_gzip(struct reader *r)
{
	size_t before = r->end;

	while (r->end == before) {
		int ret;

		if (r->zs.avail_in == 0) {
			ssize_t n = raw_read(r, r->raw, RAW_CHUNK);

			if (n < 0)
				return false;
			if (n == 0) {
				if (r->in_member)
					set_pending(r, "read error",
					    "compressed data cut short");
				return false;
			}
			r->zs.next_in = r->raw;
			r->zs.avail_in = (uInt)n;
		}
		if (!r->in_member) {
			/* a concatenated member follows, or trailing junk */
			if (r->zs.next_in[0] != 0x1f) {
				diag_at(DIAG_WARNING, r->name, r->lineno + 1,
				    0, "data after the end of the compressed "
				    "stream ignored");
				return false;
			}
			inflateReset(&r->zs);
			r->in_member = true;
		}
		r->zs.next_out = (unsigned char *)r->buf + r->end;
		r->zs.avail_out = (uInt)(r->cap - r->end);
		ret = inflate(&r->zs, Z_NO_FLUSH);
		r->end = r->cap - r->zs.avail_out;
		if (ret == Z_STREAM_END) {
			r->in_member = false;
		} else if (ret == Z_DATA_ERROR || ret == Z_NEED_DICT) {
			set_pending(r, "corrupt compressed data",
			    r->zs.msg ? r->zs.msg : "invalid data");
			break;
		} else if (ret == Z_MEM_ERROR) {
			set_pending(r, "read error", "out of memory");
			break;
		}
	}
	return r->end > before;
}

static bool changed(const struct reader *, const struct mark *tail);
static bool cut(struct reader *);

/* Read more bytes after end; false at end of input. */
static bool
fill(struct reader *r)
{
	struct mark before;
	ssize_t n;

	if (r->eof)
		return false;
	if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
	}
	if (r->gzip) {
		if (fill_gzip(r) && r->pending == NULL)
			return true;
		/* deliver what came before an error, then stop */
		r->eof = true;
		return r->end > 0;
	}
	before = r->tail;
	n = raw_read(r, r->buf + r->end, r->cap - r->end);
	if (n > 0 && r->follow && r->offset > (off_t)n &&
	    changed(r, &before)) {
		/*
		 * The file no longer holds what was read before: it was
		 * cut, before this read or during it, and refilled. These
		 * bytes may be the new file's, from the middle of a line
		 * (see the top of this file). Start again at its start.
		 */
		if (!cut(r))
			return false;
		n = raw_read(r, r->buf, r->cap);
	}
	if (n > 0) {
		r->end += (size_t)n;
		return true;
	}
	if (n == 0 && r->follow)
		return false;	/* no more for now */
	r->eof = true;
	return false;
}

/* MAX_RUN bytes without a line end: the rest is not read. */
static void
give_up(struct reader *r)
{
	char why[80];

	snprintf(why, sizeof(why), "no line end in %u MiB: not a log file, "
	    "not read further", MAX_RUN / (1024 * 1024));
	set_pending(r, "cannot read", why);
	r->eof = true;
	r->start = r->end = 0;
	r->skipping = false;
}

int
reader_next(struct reader *r, struct strview *line)
{
	for (;;) {
		char *s = r->buf + r->start;
		size_t avail = r->end - r->start;
		char *nl = avail ? memchr(s, '\n', avail) : NULL;
		size_t len;

		bool cut = false;

		if (nl == NULL && avail <= READER_MAX_LINE && !r->eof &&
		    !r->drain && fill(r))
			continue;
		if (nl == NULL && avail == 0) {
			if (r->drain) {
				/* the old file is done; the new one is read
				 * from its line 1 */
				r->drain = false;
				r->lineno = 0;
				continue;
			}
			if (r->pending != NULL) {
				diag_at(DIAG_ERROR, r->name, r->lineno + 1, 0,
				    "%s", r->pending);
				free(r->pending);
				r->pending = NULL;
			}
			return 0;
		}
		if (nl == NULL && avail <= READER_MAX_LINE && r->follow &&
		    !r->eof && !r->drain)
			return 0;	/* unfinished: wait for its end */
		if (nl == NULL && avail > READER_MAX_LINE) {
			/* No end in sight: hand out the first part. */
			if (r->skipping) {
				r->skipped += avail;
				r->start = r->end;
				if (r->skipped > MAX_RUN)
					give_up(r);
				continue;
			}
			len = READER_MAX_LINE;
			r->start += len;
			r->skipping = true;
			cut = true;
		} else {
			len = nl ? (size_t)(nl - s) : avail;
			r->start += nl ? len + 1 : len;
			if (r->skipping) {
				r->skipping = false;
				r->skipped = 0;
				continue;
			}
			if (len > READER_MAX_LINE) {
				len = READER_MAX_LINE;
				cut = true;
			}
		}
		r->lineno++;
		if (cut)
			diag_at(DIAG_WARNING, r->name, r->lineno, 0,
			    "line longer than %d bytes, truncated",
			    READER_MAX_LINE);
		else if (len > 0 && s[len - 1] == '\r')
			len--;
		line->p = s;
		line->len = len;
		r->line_off = r->gzip || !r->regular || r->follow ? -1 :
		    (int64_t)r->offset - (int64_t)(r->end - (size_t)(s - r->buf));
		return 1;
	}
}

int
reader_bytes(struct reader *r, size_t n, struct strview *out)
{
	if (n > READER_MAX_LINE)
		n = READER_MAX_LINE;
	while (r->end - r->start < n && !r->eof && fill(r))
		;
	out->p = r->buf + r->start;
	if (r->end - r->start < n) {
		out->len = r->end - r->start;
		r->start = r->end;
		return 0;
	}
	out->len = n;
	r->start += n;
	return 1;
}

size_t
reader_lineno(const struct reader *r)
{
	return r->lineno;
}

int64_t
reader_offset(const struct reader *r)
{
	return r->line_off;
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
reader_follow(struct reader *r)
{
	if (r->gzip || !r->regular)
		return false;
	r->follow = true;
	if (r->pending == NULL)
		r->eof = false;	/* an empty file is not the end */
	return true;
}

/* pread(2) at at that retries on EINTR; what it read, 0 on error. */
static size_t
pread_all(int fd, unsigned char *p, size_t n, off_t at)
{
	size_t got = 0;

	while (got < n) {
		ssize_t k = pread(fd, p + got, n - got, at + (off_t)got);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	return got;
}

/* True when the file no longer holds m's bytes at m's offset. */
static bool
mark_changed(int fd, const struct mark *m)
{
	unsigned char now[MARK_BYTES];

	return m->len > 0 && (pread_all(fd, now, m->len, m->at) != m->len ||
	    memcmp(now, m->b, m->len) != 0);
}

/*
 * True when the file was cut since its marks were taken: its first bytes,
 * or those of tail (the last read before the offset), are not there now.
 */
static bool
changed(const struct reader *r, const struct mark *tail)
{
	return mark_changed(r->fd, &r->head) || mark_changed(r->fd, tail);
}

/* Read the file from its start: nothing read yet. */
static void
marks_reset(struct reader *r)
{
	r->offset = 0;
	r->head.len = 0;
	r->tail.len = 0;
	r->tail.at = 0;
}

/* copytruncate: read the file again from its start, dropping what is
 * held of it. False when it cannot be. */
static bool
cut(struct reader *r)
{
	if (lseek(r->fd, 0, SEEK_SET) < 0)
		return false;
	r->start = r->end = 0;
	r->skipping = false;
	r->skipped = 0;
	r->lineno = 0;
	marks_reset(r);
	return true;
}

bool
reader_poll(struct reader *r)
{
	struct stat st, old;
	int fd;

	if (!r->follow || r->eof)
		return false;
	if (r->drain)
		return true;
	if (fstat(r->fd, &st) != 0)
		return false;
	if (st.st_size < r->offset || changed(r, &r->tail))
		return cut(r);
	if (st.st_size > r->offset)
		return true;
	/*
	 * All read: has the name moved on to a new file? Not until the
	 * server writes there, since until it reopens the name (logrotate's
	 * postrotate) it still writes to the old one; it never writes to
	 * the old one after that.
	 */
	if (stat(r->name, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (st.st_dev == r->dev && st.st_ino == r->ino) || st.st_size == 0)
		return false;	/* the same, none, or not written yet */
	fd = open(r->name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return false;
	}
	if (fstat(r->fd, &old) == 0 && old.st_size > r->offset) {
		close(fd);	/* the old file's last lines first */
		return true;
	}
	close(r->fd);
	r->fd = fd;
	r->dev = st.st_dev;
	r->ino = st.st_ino;
	marks_reset(r);
	r->drain = true;
	return true;
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
	if (r->gzip)
		inflateEnd(&r->zs);
	close(r->fd);
	free(r->raw);
	free(r->pending);
	free(r->buf);
	free(r->name);
	free(r);
}
