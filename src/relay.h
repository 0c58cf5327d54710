/*
 * relay - two cores: the matched lines of one thread handed to the
 * correlator on another, in batches.
 *
 * The reading thread (reading, decompressing, matching: ingest.h) puts
 * each line it would feed the correlator into a batch; the calling
 * thread takes full batches in order and feeds their lines to
 * correlator_feed() (then the correlator classifies and reports, as it
 * does with one thread). A batch owns a copy of its lines' bytes; the
 * match's fields are kept as offsets into that copy (or, for a
 * pattern's constants, as the pointer). A ring of RELAY_BATCHES batches
 * bounds the memory: the reader waits while every batch is full. The
 * one lock is taken per batch handed over, never per line.
 *
 * The output is the same as with one thread, byte for byte: the lines
 * reach the correlator in the same order, and the reading thread's
 * messages (diag.h) are deferred into the batch, each before the line
 * that it came before, and printed by the calling thread there.
 *
 * What the reading thread touches and the other does not until
 * relay_run() returns: the reader, the ingest's counts (struct run_info)
 * and the --unparsed stream. What the calling thread alone touches: the
 * correlator, the classifier, the reporters, standard output.
 *
 * The environment variable SMTPLOG_ANALYZE_BATCH=N (1 to RELAY_LINES)
 * makes batches of N lines, for tests: with 1 each line is a hand-over.
 */
#ifndef SLA_RELAY_H
#define SLA_RELAY_H

#include <stdbool.h>
#include <stdint.h>

#include "correlate.h"
#include "pattern.h"
#include "timestamp.h"
#include "util.h"

#define RELAY_BATCHES 4
#define RELAY_LINES 1024	/* lines of a batch at most */
#define RELAY_BYTES (1024 * 1024)	/* a batch is handed over past it */

struct relay;

/* A relay feeding c; nothing runs until relay_run(). */
struct relay *relay_new(struct correlator *c);
void relay_free(struct relay *);

/*
 * On the reading thread, for each line: what ingest would hand to
 * correlator_feed() (text: the line as the file has it; off: where it
 * starts in the file, or -1), and line, the
 * bytes the fields of m point into (text itself, or a CSV record's line
 * as the patterns read it). Every field is in line but those m->consts
 * names, which must live as long as the pattern db (a pattern's
 * constants).
 */
void relay_put(struct relay *, const struct match *m, const struct ts *ts,
    uint32_t file, uint32_t num, struct strview text, int64_t off,
    struct strview line);

/*
 * Run read(arg) on a new thread, which calls relay_put() for its lines,
 * while the calling thread feeds them to the correlator; return when
 * both are done, with read's result. When no thread can be made, read
 * runs here and relay_put() feeds the correlator at once.
 */
bool relay_run(struct relay *, bool (*read)(void *arg), void *arg);

/* The CPU time the reading thread took, in seconds (after relay_run();
 * 0 when read ran on the calling thread). */
double relay_reader_cpu(const struct relay *);

#endif
