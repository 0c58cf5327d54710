/*
 * fuzz_pipeline - the whole tool on logs held in memory: reader, MTA
 * detection, CSV logs, time stamps, the correlator with a small
 * --max-open, the classifier and every report format.
 *
 * Input: three bytes of settings, then up to three log files separated by
 * a line holding a form feed ("\f\n"):
 *
 *	byte 0  report: summary, --sessions, --id, json, csv, html (mod 6)
 *	byte 1  --max-open 1..8 (low 3 bits); bit 3: --session-timeout 60
 *	byte 2  bit 0: --year 2026 (else the file's mtime)
 *
 * The files are read in the order ingest_order() gives, as the tool reads
 * a rotated set.
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "correlate.h"
#include "diag.h"
#include "fuzz.h"
#include "ingest.h"
#include "report.h"

#define MAX_FILES 3

struct ctx {
	struct reporter *rep;
	struct ingest *ing;
};

static void
emit(const struct session *s, void *arg)
{
	struct ctx *c = arg;

	if (ingest_wants(c->ing, s))
		c->rep->session(c->rep, s);
}

static void
on_message(const struct message *m, void *arg)
{
	struct ctx *c = arg;

	if (c->rep->message)
		c->rep->message(c->rep, m);
}

static struct reporter *
reporter_for(int kind, FILE *out, const char *const *files)
{
	switch (kind) {
	case 0: return report_summary_new(out, files);
	case 1: return report_sessions_new(out, files);
	case 2: return report_transcript_new(out, files);
	case 3: return report_json_new(out, files);
	case 4: return report_csv_new(out, files);
	default: return report_html_new(out, files);
	}
}

/* Split data at "\f\n" lines into at most MAX_FILES parts. */
static size_t
split(const char *p, size_t n, const char **part, size_t *len)
{
	size_t k = 0;

	while (k < MAX_FILES - 1) {
		const char *ff = memmem(p, n, "\n\f\n", 3);

		if (ff == NULL)
			break;
		part[k] = p;
		len[k++] = (size_t)(ff - p) + 1;
		n -= (size_t)(ff + 3 - p);
		p = ff + 3;
	}
	part[k] = p;
	len[k++] = n;
	return k;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const ids[] = {"127.0.0.1"};
	const struct pattern_db *db = fuzz_db();
	const char *part[MAX_FILES], *files[MAX_FILES];
	size_t len[MAX_FILES], nfiles;
	struct run_info ri = {0};
	struct ingest_opts io = {0};
	struct correlate_opts co = {0};
	struct correlator *cor;
	struct ctx c;
	struct buf mtas = BUF_INIT;
	int kind;

	if (size < 3)
		return 0;
	kind = data[0] % 6;
	nfiles = split((const char *)data + 3, size - 3, part, len);
	for (size_t i = 0; i < nfiles; i++)
		files[i] = fuzz_file((int)i, part[i], len[i]);

	io.db = db;
	io.year = data[2] & 1 ? 2026 : 0;
	io.quiet = true;
	if (kind == 2) {
		io.ids = ids;
		io.nids = 1;
	}
	c.ing = ingest_new(&io, &ri);
	if (nfiles > 1)
		ingest_order(c.ing, files, nfiles);
	ri.files = files;
	ri.nfiles = nfiles;
	c.rep = reporter_for(kind, fuzz_sink(), files);
	c.rep->codes = fuzz_codes();
	c.rep->worst = 3;

	co.keep_text = kind == 2 || kind == 5;
	co.max_open = 1 + (data[1] & 7);
	co.idle_us = data[1] & 8 ? 60 * 1000000LL : 0;
	co.db = db;
	co.emit = emit;
	co.message = on_message;
	co.arg = &c;
	cor = correlator_new(&co);
	for (size_t i = 0; i < nfiles; i++)
		ingest_file(c.ing, cor, (uint32_t)i, files[i]);
	correlator_flush(cor);
	ingest_mtas(c.ing, &mtas, true);
	ri.mtas = mtas.s;
	ri.cst = correlator_stats(cor);
	c.rep->finish(c.rep, &ri);
	c.rep->free(c.rep);
	correlator_free(cor);
	ingest_free(c.ing);
	buf_release(&mtas);
	for (size_t i = 0; i < nfiles; i++)
		fuzz_file_release((int)i);
	return 0;
}
