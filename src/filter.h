/*
 * filter - which sessions the user asked for: --failed, --status, --phase,
 * --cause, --client, --from, --to, --code, --grep, --since and --until.
 * All given criteria must hold (AND); a criterion given twice accepts
 * either value (OR), e.g. --phase rcpt --phase data.
 *
 * Times: --since and --until take "2026-11-22", "2026-11-22T06:00",
 * "2026-11-22 06:00:30", any of them with "Z" or "+01:00", "today",
 * "yesterday", "now", or "-24h", "-90m", "-7d", "-30s" (before now). A
 * time without a zone is local time. A session is in the window when it
 * overlaps [since, until).
 */
#ifndef SLA_FILTER_H
#define SLA_FILTER_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "session.h"

struct filter;

struct filter *filter_new(void);
void filter_free(struct filter *);

/* Each returns false, with a diagnostic naming opt, for a bad value. */
bool filter_status(struct filter *, const char *opt, const char *v);
bool filter_phase(struct filter *, const char *opt, const char *v);
bool filter_cause(struct filter *, const char *opt, const char *v);
bool filter_client(struct filter *, const char *opt, const char *v);
bool filter_from(struct filter *, const char *opt, const char *v);
bool filter_to(struct filter *, const char *opt, const char *v);
bool filter_code(struct filter *, const char *opt, const char *v);
bool filter_grep(struct filter *, const char *opt, const char *v);
/* now: the time "today" and "-24h" count from. */
bool filter_since(struct filter *, const char *opt, const char *v,
    time_t now);
bool filter_until(struct filter *, const char *opt, const char *v,
    time_t now);

/*
 * Once the pattern files are loaded: is every --cause one of causes (the
 * cause classes they define), and --until after --since? false after a
 * diagnostic, with the closest cause name when one is close.
 */
bool filter_validate(const struct filter *, const char *const *causes,
    size_t ncauses);
/* Does the filter need each line's text (--grep)? */
bool filter_needs_text(const struct filter *);
/* Was any criterion given? */
bool filter_active(const struct filter *);
bool filter_match(const struct filter *, const struct session *);

/*
 * --since and --until as UTC microseconds: INT64_MIN and INT64_MAX for
 * those not given (for inputs that can seek by time, the journal).
 */
void filter_window(const struct filter *, int64_t *since_utc,
    int64_t *until_utc);
/*
 * Is the moment t within --since and --until (as a session's times are
 * compared: UTC when the stamp had a zone, else local wall time)? True
 * without those options, and for a time never set.
 */
bool filter_time_in(const struct filter *, const struct ts *t);

/* Parse a time as --since does; for tests. */
bool filter_parse_time(const char *v, time_t now, int64_t *naive_us,
    int64_t *utc_us);

#endif
