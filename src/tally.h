/*
 * tally - the figures a postmaster reads beside the session view:
 * messages and recipients by what became of them, bytes, sessions and
 * messages per hour and per day, the top senders, recipients, domains and
 * clients, a table per relay, queue delays, TLS versions and failed SASL
 * logins. README.md ("Message figures") defines every count.
 *
 * Sessions come in through tally_session() (after the filters), messages
 * through tally_message() (each once, when the correlator lets it go; see
 * correlate_opts.message). Nothing here knows which server wrote a line:
 * a message is "received by SMTP" when an inbound session owned it, a
 * bounce notice when it came from no session with the null sender, a
 * local submission otherwise.
 *
 * Memory: the top tables hold at most TALLY_ROWS_MAX keys each (then
 * new keys are counted in one "(other)" row); delays go into a fixed
 * log-scale histogram, so the median and p95 are within 1%.
 */
#ifndef SLA_TALLY_H
#define SLA_TALLY_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "session.h"

#define TALLY_ROWS_MAX 100000
#define TALLY_OTHER "(other)"

/* One row of a top table or of the per-relay table. */
struct tally_row {
	char *key;
	unsigned long n;	/* messages, recipients or sessions */
	unsigned long long bytes;
	unsigned long delivered, deferrals, bounced, expired;
	double delay_sum;	/* seconds, over delay_n deliveries */
	unsigned long delay_n;
	char *example;	/* the first text counted here (tally_row_note) */
	bool mixed;	/* and not every one was the same */
};

/* Count a text under r: r keeps the first as its example. */
void tally_row_note(struct tally_row *r, const char *text);

/* A string-keyed table of rows, capped (see tally_table_row()). */
struct tally_table {
	struct strmap *m;
	struct tally_row **rows;
	size_t nrows, cap, max;	/* max 0: TALLY_ROWS_MAX */
	struct tally_row *other;
	struct keycache recent;	/* rows of m lately asked for */
};

/*
 * The row of key (created with zero counts), or once the table holds
 * max rows, its "(other)" row for a key it does not hold yet.
 */
struct tally_row *tally_table_row(struct tally_table *, const char *key);
/*
 * The rows, most first by count (by_bytes: by bytes), ties by key;
 * "(other)" last. *n is set; free the array only.
 */
struct tally_row **tally_table_sorted(const struct tally_table *,
    bool by_bytes, size_t *n);
void tally_table_release(struct tally_table *);

/* What became of messages and recipients (README.md defines each). */
enum tally_fig {
	TF_RECEIVED,	/* queued: by SMTP + local */
	TF_RECEIVED_SMTP,
	TF_RECEIVED_LOCAL,
	TF_NOTICES,	/* bounce notices the server generated */
	TF_DELIVERED,
	TF_RELAYED,	/* delivered to another server over SMTP */
	TF_FORWARDED,	/* handed to a content filter and re-queued */
	TF_DEFERRED,
	TF_BOUNCED,
	TF_EXPIRED,
	TF_REJECTED,	/* refused by this server before queueing */
	TF_DISCARDED,
	TF_HELD,
	TF__COUNT
};
const char *tally_fig_name(enum tally_fig);

/* Messages per hour or day, by outcome. */
enum tally_out {
	TO_RECEIVED,
	TO_DELIVERED,
	TO_DEFERRED,
	TO_BOUNCED,
	TO_EXPIRED,
	TO_REJECTED,
	TO__COUNT
};
const char *tally_out_name(enum tally_out);

struct tally_slot {
	unsigned long st[STATUS__COUNT];	/* sessions by status */
	unsigned long out[TO__COUNT];
};

struct tally_day {
	int64_t day;	/* days since 1970-01-01, wall clock */
	struct tally_slot s;
};

#define TALLY_HIST 2048

enum tally_top {
	TT_SENDERS,
	TT_RECIPIENTS,
	TT_SENDER_DOMAINS,
	TT_RECIPIENT_DOMAINS,
	TT_CLIENTS,
	TT__COUNT
};
const char *tally_top_name(enum tally_top);

struct tallies {
	unsigned long msgs[TF__COUNT], rcpts[TF__COUNT];
	unsigned long deferral_events;
	unsigned long long bytes_received, bytes_delivered;
	struct tally_slot hour[24];
	struct tally_day *days;
	size_t ndays, capdays;
	size_t lastday;	/* the index slot_day() found last */
	struct tally_table top[TT__COUNT];
	struct tally_table relays;
	struct tally_table tls;	/* sessions by protocol version */
	unsigned long tls_none;	/* sessions that got past HELO without */
	struct tally_table sasl_failed;	/* failed logins by user name */
	/* queue delay of delivered recipients */
	unsigned long delay_n;
	double delay_min, delay_max;
	unsigned long hist[TALLY_HIST];
	struct buf key;	/* a row's key, built per session */
};

void tally_init(struct tallies *);
void tally_release(struct tallies *);
/* One session that passed the filters. */
void tally_session(struct tallies *, const struct session *);
/* One message, once (correlate_opts.message). */
void tally_message(struct tallies *, const struct message *);
/* Quantile q (0..1) of the queue delays in seconds; -1 when none. */
double tally_delay_quantile(const struct tallies *, double q);
/* The domain of an address ("" when it has none). */
const char *tally_domain(const char *addr);
/* Seconds as people read them: "0.23s", "13s", "4m05s", "2h10m". */
void tally_format_secs(double, char *, size_t);

#endif
