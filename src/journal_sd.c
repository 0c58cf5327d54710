/*
 * journal_sd - the systemd journal through libsystemd's sd-journal API
 * (journal.h, --journal, --journal-file, --journal-dir).
 *
 * The journal is an indexed store: asked for SYSLOG_IDENTIFIER=postfix/smtpd
 * it reads only those entries, and asked to seek to a time or a cursor it
 * goes there without reading what comes before. So the wanted identifiers
 * become the journal's matches (several values of one field are ORed), and
 * --since and --cursor-file are seeks, not filters over every entry.
 *
 * sd-journal's views into its memory map may move with each call, so the
 * fields of an entry are copied into buffers kept here.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

#include "diag.h"
#include "journal.h"

#define IDENT_KEY "SYSLOG_IDENTIFIER="

struct journal {
	sd_journal *j;
	struct journal_opts o;
	char *name;
	struct buf f[JF__COUNT];
	struct buf seqid;
	char *cursor;	/* of the last entry read */
	char *skip;	/* a cursor to pass over once (the last run's) */
	char **idents;	/* the identifiers matched */
	size_t nidents, capidents;
	unsigned long count;
	bool ended;	/* past o.to_us */
};

static bool
have_ident(const struct journal *jr, const char *v, size_t n)
{
	for (size_t i = 0; i < jr->nidents; i++)
		if (strlen(jr->idents[i]) == n &&
		    memcmp(jr->idents[i], v, n) == 0)
			return true;
	return false;
}

/*
 * Add the wanted identifiers the journal has and were not matched yet;
 * how many were added. *total gets how many identifiers it has in all.
 */
static size_t
find_idents(struct journal *jr, size_t *total)
{
	const void *data;
	size_t len, added = 0, n = 0;
	size_t klen = strlen(IDENT_KEY);

	if (sd_journal_query_unique(jr->j, "SYSLOG_IDENTIFIER") < 0)
		return 0;
	SD_JOURNAL_FOREACH_UNIQUE(jr->j, data, len) {
		const char *v = (const char *)data + klen;

		if (len <= klen || memcmp(data, IDENT_KEY, klen) != 0)
			continue;
		n++;
		if (have_ident(jr, v, len - klen) ||
		    !jr->o.wanted(v, len - klen, jr->o.arg))
			continue;
		grow_array((void **)&jr->idents, &jr->capidents,
		    jr->nidents + 1, sizeof(*jr->idents));
		jr->idents[jr->nidents++] = xstrndup(v, len - klen);
		added++;
	}
	if (total)
		*total = n;
	return added;
}

/* Make the matched identifiers the journal's matches. */
static bool
set_matches(struct journal *jr)
{
	struct buf m = BUF_INIT;
	int r = 0;

	sd_journal_flush_matches(jr->j);
	for (size_t i = 0; i < jr->nidents && r >= 0; i++) {
		buf_reset(&m);
		buf_adds(&m, IDENT_KEY);
		buf_add(&m, jr->idents[i], strlen(jr->idents[i]));
		r = sd_journal_add_match(jr->j, m.s, m.len);
	}
	buf_release(&m);
	if (r < 0)
		diag_error("'%s': cannot select entries: %s", jr->name,
		    strerror(-r));
	return r >= 0;
}

/* Go to the entry of this cursor, to read on after it. */
static bool
seek_after(struct journal *jr, const char *cursor)
{
	int r = sd_journal_seek_cursor(jr->j, cursor);

	if (r < 0)
		return false;
	free(jr->skip);
	jr->skip = xstrdup(cursor);
	return true;
}

/* The cursor file's cursor, NULL when there is none yet. */
static char *
read_cursor_file(const char *path, bool *ok)
{
	FILE *fp = fopen(path, "r");
	char line[1024];
	size_t n;

	*ok = true;
	if (fp == NULL) {
		if (errno != ENOENT) {
			diag_error("cannot read '%s': %s", path,
			    strerror(errno));
			*ok = false;
		}
		return NULL;
	}
	if (fgets(line, sizeof(line), fp) == NULL)
		line[0] = '\0';
	fclose(fp);
	n = strcspn(line, "\r\n");
	line[n] = '\0';
	return n ? xstrdup(line) : NULL;
}

static const char *
open_journal(struct journal *jr, const struct journal_opts *o)
{
	int r;

	if (o->dir) {
		jr->name = xstrdup(o->dir);
		r = sd_journal_open_directory(&jr->j, o->dir, 0);
	} else if (o->nfiles) {
		const char **paths = xcalloc(o->nfiles + 1, sizeof(*paths));

		for (size_t i = 0; i < o->nfiles; i++)
			paths[i] = o->files[i];
		jr->name = xstrdup(o->files[0]);
		r = sd_journal_open_files(&jr->j, paths, 0);
		free(paths);
	} else {
		jr->name = xstrdup("journal");
		r = sd_journal_open(&jr->j, SD_JOURNAL_LOCAL_ONLY);
	}
	if (r < 0) {
		jr->j = NULL;
		return strerror(-r);
	}
	return NULL;
}

/* Say why there is nothing to read; a hint when it may be permissions. */
static void
nothing_to_read(const struct journal *jr, bool no_files, size_t total)
{
	const char *hint = geteuid() == 0 ? "" : " (root, and the groups "
	    "systemd-journal and adm, may read the system journal)";

	if (no_files && jr->o.local)
		diag_error("the journal is empty or absent: no journal files "
		    "in /var/log/journal or /run/log/journal that this user "
		    "may read%s", hint);
	else if (no_files)
		diag_error("'%s': no journal files there", jr->name);
	else
		diag_error("'%s': no entry of a mail server: none of its %zu "
		    "syslog identifiers is one a pattern set reads%s",
		    jr->name, total, hint);
}

struct journal *
journal_open(const struct journal_opts *o)
{
	struct journal *jr = xcalloc(1, sizeof(*jr));
	const char *err;
	uint64_t bytes = 0;
	size_t total = 0;
	char *cursor = NULL;
	bool ok;

	jr->o = *o;
	buf_init(&jr->seqid);
	for (int i = 0; i < JF__COUNT; i++)
		buf_init(&jr->f[i]);
	if ((err = open_journal(jr, o)) != NULL) {
		diag_error("cannot open the journal '%s': %s", jr->name, err);
		goto fail;
	}
	/* the default cuts fields at 64 KiB; ours is the reader's limit */
	sd_journal_set_data_threshold(jr->j, READER_MAX_LINE + 32);
	if (sd_journal_get_usage(jr->j, &bytes) >= 0 && bytes == 0) {
		nothing_to_read(jr, true, 0);
		goto fail;
	}
	if (find_idents(jr, &total) == 0) {
		nothing_to_read(jr, false, total);
		goto fail;
	}
	if (!set_matches(jr))
		goto fail;
	if (o->cursor_file) {
		cursor = read_cursor_file(o->cursor_file, &ok);
		if (!ok)
			goto fail;
	}
	if (cursor && !seek_after(jr, cursor)) {
		diag_error("'%s': '%s' is not a journal cursor", o->cursor_file,
		    cursor);
		goto fail;
	}
	if (!cursor && o->from_us != INT64_MIN && o->from_us > 0)
		sd_journal_seek_realtime_usec(jr->j, (uint64_t)o->from_us);
	else if (!cursor)
		sd_journal_seek_head(jr->j);
	free(cursor);
	return jr;
fail:
	free(cursor);
	journal_free(jr);
	return NULL;
}

/*
 * Copy the fields of the current entry that make a line; absent ones are
 * left empty. One pass over the entry's data (sd_journal_get_data() would
 * walk it once per field); of a field given twice, the first value.
 */
static void
get_fields(struct journal *jr)
{
	const void *data;
	size_t len;

	for (int i = 0; i < JF__COUNT; i++)
		buf_reset(&jr->f[i]);
	SD_JOURNAL_FOREACH_DATA(jr->j, data, len) {
		const char *p = data, *eq = memchr(p, '=', len);
		size_t n;
		enum journal_field f;

		if (eq == NULL)
			continue;
		f = journal_field_by_name(p, (size_t)(eq - p));
		if (f == JF_NONE || jr->f[f].len > 0)
			continue;
		n = len - (size_t)(eq - p) - 1;
		buf_add(&jr->f[f], eq + 1, n > READER_MAX_LINE ?
		    READER_MAX_LINE : n);
	}
}

int
journal_next(struct journal *jr, struct journal_entry *e)
{
	uint64_t rt;
	int r;

	while (!jr->ended) {
		if ((r = sd_journal_next(jr->j)) <= 0) {
			if (r < 0)
				diag_error("'%s': reading the journal: %s",
				    jr->name, strerror(-r));
			return 0;
		}
		if (jr->skip) {
			r = sd_journal_test_cursor(jr->j, jr->skip);
			free(jr->skip);
			jr->skip = NULL;
			if (r > 0)
				continue;	/* read by the last run */
		}
		if (sd_journal_get_realtime_usec(jr->j, &rt) < 0)
			continue;
		if (jr->o.to_us != INT64_MAX && (int64_t)rt > jr->o.to_us) {
			jr->ended = true;
			break;
		}
		get_fields(jr);
		buf_reset(&jr->f[JF_REALTIME]);
		buf_addf(&jr->f[JF_REALTIME], "%llu", (unsigned long long)rt);
		free(jr->cursor);
		jr->cursor = NULL;
		buf_reset(&jr->f[JF_CURSOR]);
		if (sd_journal_get_cursor(jr->j, &jr->cursor) >= 0)
			buf_add(&jr->f[JF_CURSOR], jr->cursor,
			    strlen(jr->cursor));
		if (!journal_fields_entry(jr->f, &jr->seqid, e))
			continue;
		jr->count++;
		return 1;
	}
	return 0;
}

bool
journal_wait(struct journal *jr, uint64_t timeout_us)
{
	int r;

	if (jr->ended)
		return false;
	r = sd_journal_wait(jr->j, timeout_us);
	if (r == -EINTR || r == SD_JOURNAL_NOP)
		return true;
	if (r < 0) {
		diag_error("'%s': waiting for the journal: %s", jr->name,
		    strerror(-r));
		return false;
	}
	/* a new identifier (postfix/bounce at the first bounce): match it
	 * too, and go on after the last entry read */
	if (find_idents(jr, NULL) > 0 && set_matches(jr)) {
		if (jr->cursor)
			seek_after(jr, jr->cursor);
		else
			sd_journal_seek_head(jr->j);
	}
	return true;
}

const char *
journal_name(const struct journal *jr)
{
	return jr->name;
}

unsigned long
journal_count(const struct journal *jr)
{
	return jr->count;
}

bool
journal_save_cursor(struct journal *jr)
{
	const char *path = jr->o.cursor_file;
	struct buf tmp = BUF_INIT;
	FILE *fp;
	bool ok;

	if (path == NULL || jr->cursor == NULL)
		return true;
	buf_addf(&tmp, "%s.tmp", path);
	fp = fopen(tmp.s, "w");
	ok = fp != NULL;
	if (ok) {
		fprintf(fp, "%s\n", jr->cursor);
		ok = fflush(fp) == 0 && fsync(fileno(fp)) == 0;
		ok &= fclose(fp) == 0;
	}
	if (ok && rename(tmp.s, path) != 0)
		ok = false;
	if (!ok) {
		diag_error("cannot write the cursor file '%s': %s", path,
		    strerror(errno));
		unlink(tmp.s);
	}
	buf_release(&tmp);
	return ok;
}

void
journal_free(struct journal *jr)
{
	if (jr == NULL)
		return;
	if (jr->j)
		sd_journal_close(jr->j);
	for (int i = 0; i < JF__COUNT; i++)
		buf_release(&jr->f[i]);
	buf_release(&jr->seqid);
	for (size_t i = 0; i < jr->nidents; i++)
		free(jr->idents[i]);
	free(jr->idents);
	free(jr->name);
	free(jr->cursor);
	free(jr->skip);
	free(jr);
}
