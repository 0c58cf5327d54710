/*
 * fuzz - what the libFuzzer targets of tests/fuzz/ share.
 *
 * Each target is built by meson -Dfuzz=true with clang's
 * -fsanitize=fuzzer,address,undefined against the same library the tool
 * uses, and calls one stage of it the way the tool does. Inputs that need
 * a file (the reader, the YAML loaders) get one in memory: a memfd named
 * by its /proc/self/fd path, so no fuzzing run writes to a disk.
 *
 * The shipped pattern files and codes.yaml are loaded once per process
 * (PATTERNS_SRCDIR, or SMTPLOG_ANALYZE_PATTERNS when set); diagnostics
 * are muted, since a fuzzer's inputs are wrong on purpose.
 */
#ifndef SLA_FUZZ_H
#define SLA_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "codes.h"
#include "pattern.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The shipped pattern sets and codes, loaded on first use (die if not). */
const struct pattern_db *fuzz_db(void);
const struct codes *fuzz_codes(void);
const char *fuzz_patterns_dir(void);

/*
 * An in-memory file holding data[0..size): its path, valid until
 * fuzz_file_release(); slot 0..7 picks one of eight reused names.
 */
const char *fuzz_file(int slot, const void *data, size_t size);
void fuzz_file_release(int slot);

/* A stream that throws away what is written (the reports' output). */
FILE *fuzz_sink(void);

#endif
