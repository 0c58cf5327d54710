/*
 * vocab - the name tables of vocab.h, and the one look-up they share.
 */
#include "config.h"

#include <string.h>

#include "vocab.h"

static const char *const field_names[F__COUNT] = {
	"ts", "host", "program", "daemon", "pid", "severity", "session",
	"queue", "client_name", "client_ip", "client_port", "server_ip",
	"server_port", "helo", "command", "arg", "reply", "enhanced", "text",
	"sender", "recipient", "orig_recipient", "relay", "status",
	"remote_stage", "phase", "kind", "cause", "action", "message_id",
	"size", "nrcpt", "new_queue", "orig_queue", "stats", "sasl_method",
	"sasl_user", "tls", "bytes", "count", "delay", "reason",
};

static const char *const event_names[EV__COUNT] = {
	"connect", "disconnect", "handoff", "command", "reply", "fail",
	"transaction", "accept", "delivery", "expire", "remove", "note",
	"ignore",
};

static const char *const scope_names[SCOPE__COUNT] = {
	"session", "message",
};

static const char *const direction_names[DIR__COUNT] = {
	"inbound", "outbound",
};

static const char *const phase_names[PHASE__COUNT] = {
	"pre-greeting", "helo", "starttls", "auth", "mail", "rcpt", "data",
	"post-queue",
};

static const char *const status_names[STATUS__COUNT] = {
	"ok", "failed", "partial", "incomplete",
};

/* KIND_NONE has no name: a verdict without a kind prints null */
static const char *const kind_names[KIND__COUNT] = {
	NULL, "rejected", "tempfail", "dropped", "timeout", "protocol", "tls",
	"auth", "bounced", "deferred", "expired",
};

static const char *const rstatus_names[RS__COUNT] = {
	"accepted", "rejected", "tempfail", "delivered", "deferred",
	"bounced", "expired",
};

/* tab[v], or NULL for v out of [0, n) */
static const char *
name_of(const char *const *tab, int n, int v)
{
	return v >= 0 && v < n ? tab[v] : NULL;
}

/* The index of s[0..len) in tab[0..n), or -1 (every E_NONE is -1). */
static int
index_of(const char *const *tab, int n, const char *s, size_t len)
{
	if (s == NULL)
		return -1;
	for (int i = 0; i < n; i++)
		if (tab[i] && strlen(tab[i]) == len &&
		    memcmp(tab[i], s, len) == 0)
			return i;
	return -1;
}

#define VOCAB_NAME(E, tab, N)						\
	const char *							\
	E##_name(enum E v)						\
	{								\
		return name_of(tab, N, (int)v);				\
	}
#define VOCAB(E, tab, N)						\
	VOCAB_NAME(E, tab, N)						\
	enum E								\
	E##_by_name(const char *s, size_t len)				\
	{								\
		return (enum E)index_of(tab, N, s, len);		\
	}

VOCAB(field, field_names, F__COUNT)
VOCAB(event, event_names, EV__COUNT)
VOCAB(scope, scope_names, SCOPE__COUNT)
VOCAB(direction, direction_names, DIR__COUNT)
VOCAB(phase, phase_names, PHASE__COUNT)
VOCAB(status, status_names, STATUS__COUNT)
VOCAB_NAME(kind, kind_names, KIND__COUNT)

/* KIND_NONE is 0, not -1: a zeroed verdict has no kind */
enum kind
kind_by_name(const char *s, size_t len)
{
	int i = index_of(kind_names, KIND__COUNT, s, len);

	return i < 0 ? KIND_NONE : (enum kind)i;
}
VOCAB(rstatus, rstatus_names, RS__COUNT)
