/*
 * rx - the one way this program compiles and runs a regex (pattern
 * files, cause rules, --grep): PCRE2 on bytes (no PCRE2_UTF: log lines
 * are attacker-controlled bytes), compiled once, with JIT when it can.
 *
 * JIT is skipped when the environment has SMTPLOG_ANALYZE_JIT=0: memory
 * checkers cannot follow JIT-compiled code and report its every branch
 * as one on uninitialised memory (meson test --setup valgrind sets it).
 * Matches are the same either way; only speed differs.
 *
 * Every match runs under limits, since both the regex (a user's pattern
 * file) and the line (anyone's text) can make a backtracking regex take
 * seconds on one line: RX_MATCH_LIMIT steps, RX_DEPTH_LIMIT of
 * backtracking depth, and a JIT stack of at most RX_JIT_STACK bytes.
 * A match that reaches one fails with PCRE2's error code (the caller
 * names the regex in a warning).
 */
#define RX_MATCH_LIMIT 1000000
#define RX_DEPTH_LIMIT 10000
#define RX_JIT_STACK (1024 * 1024)
#ifndef SLA_RX_H
#define SLA_RX_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Compile rx with PCRE2 options flags. On failure returns NULL and puts
 * PCRE2's message in err (errsize bytes) and the offset in *off. *jit
 * says whether rx_match() may use the JIT.
 */
pcre2_code *rx_compile(const char *rx, uint32_t flags, bool *jit, char *err,
    size_t errsize, size_t *off);

/* pcre2_match() or pcre2_jit_match() of s[0..len) into md: > 0 on a
 * match, PCRE2_ERROR_NOMATCH, or another PCRE2 error (a limit:
 * PCRE2_ERROR_MATCHLIMIT, _DEPTHLIMIT, _JIT_STACKLIMIT, _HEAPLIMIT). */
int rx_match(const pcre2_code *re, bool jit, const char *s, size_t len,
    pcre2_match_data *md);

/* Free the calling thread's match context and JIT stack (made on its
 * first rx_match()); a thread that matched calls it before it ends. */
void rx_thread_release(void);

/*
 * The calling thread's match context (the limits, its JIT stack), made
 * on first use, for callers that match many times and keep it: valid
 * until rx_thread_release() on this thread. NULL when it cannot be made
 * (PCRE2's defaults then).
 */
pcre2_match_context *rx_thread_context(void);

#endif
