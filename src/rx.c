/*
 * rx - see rx.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "rx.h"

/* SMTPLOG_ANALYZE_JIT=0 turns the JIT off; read once. */
static bool
jit_wanted(void)
{
	static int want = -1;

	if (want < 0) {
		const char *v = getenv("SMTPLOG_ANALYZE_JIT");

		want = !(v && strcmp(v, "0") == 0);
	}
	return want;
}

pcre2_code *
rx_compile(const char *rx, uint32_t flags, bool *jit, char *err,
    size_t errsize, size_t *off)
{
	int code;
	PCRE2_SIZE o;
	pcre2_code *re;

	*jit = false;
	re = pcre2_compile((PCRE2_SPTR)rx, PCRE2_ZERO_TERMINATED, flags,
	    &code, &o, NULL);
	if (re == NULL) {
		pcre2_get_error_message(code, (PCRE2_UCHAR *)err, errsize);
		*off = (size_t)o;
		return NULL;
	}
	if (jit_wanted())
		*jit = pcre2_jit_compile(re, PCRE2_JIT_COMPLETE) == 0;
	return re;
}

/*
 * The match context with the limits, and the JIT stack, made on first
 * use, one per thread (a JIT stack must not be shared between threads).
 * They live as long as the thread (rx_thread_release()); a process that
 * exits frees the first thread's.
 */
static _Thread_local pcre2_match_context *tmc;
static _Thread_local pcre2_jit_stack *tjs;

static pcre2_match_context *
limits(void)
{
	if (tmc != NULL)
		return tmc;
	if ((tmc = pcre2_match_context_create(NULL)) == NULL)
		return NULL;	/* PCRE2's defaults then */
	pcre2_set_match_limit(tmc, RX_MATCH_LIMIT);
	pcre2_set_depth_limit(tmc, RX_DEPTH_LIMIT);
	tjs = pcre2_jit_stack_create(32 * 1024, RX_JIT_STACK, NULL);
	if (tjs != NULL)
		pcre2_jit_stack_assign(tmc, NULL, tjs);
	return tmc;
}

pcre2_match_context *
rx_thread_context(void)
{
	return limits();
}

void
rx_thread_release(void)
{
	pcre2_match_context_free(tmc);
	pcre2_jit_stack_free(tjs);
	tmc = NULL;
	tjs = NULL;
}

int
rx_match(const pcre2_code *re, bool jit, const char *s, size_t len,
    pcre2_match_data *md)
{
	pcre2_match_context *mc = limits();

	if (jit)
		return pcre2_jit_match(re, (PCRE2_SPTR)s, len, 0, 0, md, mc);
	return pcre2_match(re, (PCRE2_SPTR)s, len, 0, 0, md, mc);
}
