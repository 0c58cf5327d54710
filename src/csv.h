/*
 * csv - CSV records, and logs written as CSV under a '#Fields:' header.
 *
 * csv_split() splits one record as RFC 4180 says, without the line end
 * (the reader has taken it off): a field may be quoted, a quoted field may
 * hold commas and a doubled quote for a quote, and a record ending in a
 * comma has an empty last field. Fields are copied, unquoted, into the
 * record's own buffer; nothing is allocated once the buffers have grown.
 *
 * A CSV log is a file whose first line starts with '#' and that has a
 * W3C-style header (Microsoft Exchange writes one at the top of every
 * protocol and message tracking log):
 *
 *	#Software: Microsoft Exchange Server
 *	#Log-type: SMTP Receive Protocol Log
 *	#Fields: date-time,connector-id,session-id,...
 *
 * or whose first line is a record that a pattern set's csv 'detect' regex
 * recognises (an excerpt that lost its header). Such a file is read in CSV
 * mode: the '#' lines are consumed, and each record is rewritten into the
 * canonical line that the pattern set chosen for the file declares (its
 * csv 'fields', see patterns/README.md): the named columns, taken by name
 * from the '#Fields:' header, in the set's order, joined by a TAB. The
 * pseudo-column "log-type" is the '#Log-type:' value; a column the file
 * lacks is empty. A TAB inside a value becomes a space, so that a TAB in
 * the canonical line always separates two columns.
 *
 *	"a,b",c,""""  ->  fields  a,b  c  "
 *
 * The set is the one whose csv 'log-types' names the file's '#Log-type:'
 * value, else the first whose columns the header all has. A file of no
 * CSV set (another W3C log) is read line by line as any other.
 *
 * A file that does not start with '#' costs one test of its first line
 * (and the 'detect' regexes): after that, csvlog_line() says CSVLOG_PASS
 * at once.
 */
#ifndef SLA_CSV_H
#define SLA_CSV_H

#include <stdbool.h>
#include <stddef.h>

#include "pattern.h"
#include "util.h"

/* The separator of the canonical line. */
#define CSV_SEP '\t'

struct csv_rec {
	struct buf buf;	/* the unquoted fields, one after another */
	size_t *off, *len;
	size_t n, cap;
};

#define CSV_REC_INIT {.buf = BUF_INIT}

/* Split rec into r (reused from call to call); returns the field count. */
size_t csv_split(struct csv_rec *r, struct strview rec);
/* Field i, or a view with p NULL past the last one. */
struct strview csv_field(const struct csv_rec *r, size_t i);
void csv_rec_release(struct csv_rec *r);

/*
 * Map the set's canonical fields to the columns of a header (a '#Fields:'
 * value, comma-separated): col[i] is the column of spec field i, -1 when
 * the header lacks it, CSV_COL_LOGTYPE for the pseudo-column. Returns how
 * many of the spec's real columns the header has.
 */
#define CSV_COL_LOGTYPE (-2)
size_t csv_columns(const struct pattern_csv *spec, struct strview header,
    int *col);
/* The canonical line of a split record into out (reset first). */
void csv_canonical(const struct pattern_csv *spec, const int *col,
    struct strview log_type, const struct csv_rec *r, struct buf *out);

enum csvlog_result {
	CSVLOG_PASS,	/* not a CSV record: use the line as it is */
	CSVLOG_HEADER,	/* a '#' header line, consumed */
	CSVLOG_RECORD,	/* a record, rewritten into *line */
};

/* States of a csvlog, see csv.c. */
enum { CSVLOG_FIRST, CSVLOG_OFF, CSVLOG_ON };

struct csvlog {
	int state;
	const struct pattern_db *db;
	const struct pattern_set *only;	/* --mta: no other set */
	const struct pattern_set *set;	/* chosen by the header */
	int *col;
	struct buf log_type, fields;
	struct csv_rec rec;
	struct buf line;
};

/* only: the one set a file may be read with (--mta), or NULL. */
void csvlog_init(struct csvlog *, const struct pattern_db *,
    const struct pattern_set *only);
/*
 * One line of the file, in order. On CSVLOG_RECORD *line is the canonical
 * line, valid until the next call, and csvlog_set() the set to match it
 * with.
 */
enum csvlog_result csvlog_line(struct csvlog *, struct strview *line);
const struct pattern_set *csvlog_set(const struct csvlog *);
/* Not a CSV log: every further line passes (the hot path's only test). */
static inline bool
csvlog_off(const struct csvlog *cl)
{
	return cl->state == CSVLOG_OFF;
}
void csvlog_release(struct csvlog *);

#endif
