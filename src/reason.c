/*
 * reason - mask reply texts into distinct reasons (see reason.h).
 *
 * Why a scanner and not regexes: it runs once per failed session on
 * attacker-controlled text, must never fail, and the rules are few. It
 * works on bytes: anything it does not recognise is copied as it is, so
 * the escaping of the reporters still applies afterwards.
 */
#include "config.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "reason.h"

static bool
is_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z');
}

static bool
is_local_char(unsigned char c)
{
	return is_alnum(c) || (c != '\0' && strchr("._%+=-", c) != NULL);
}

static bool
is_host_char(unsigned char c)
{
	return is_alnum(c) || c == '.' || c == '-';
}

static bool
is_hex(unsigned char c)
{
	return isxdigit(c) != 0;
}

/* Length of an address at s (local@domain), or 0. */
static size_t
match_addr(const char *s)
{
	size_t i = 0, j;

	while (is_local_char((unsigned char)s[i]))
		i++;
	if (i == 0 || s[i] != '@')
		return 0;
	j = i + 1;
	while (is_host_char((unsigned char)s[j]))
		j++;
	return j > i + 1 ? j : 0;
}

/* Length of a dotted quad at s, or 0. */
static size_t
match_ipv4(const char *s)
{
	size_t i = 0;

	for (int part = 0; part < 4; part++) {
		size_t d = 0;

		while (s[i + d] >= '0' && s[i + d] <= '9' && d < 4)
			d++;
		if (d == 0 || d > 3)
			return 0;
		i += d;
		if (part < 3) {
			if (s[i] != '.')
				return 0;
			i++;
		}
	}
	return is_alnum((unsigned char)s[i]) ? 0 : i;
}

/* Length of an IPv6 address at s (hex and colons, "::" or 3+ colons). */
static size_t
match_ipv6(const char *s)
{
	size_t i = 0, colons = 0, digits = 0;
	bool dbl = false;

	while (is_hex((unsigned char)s[i]) || s[i] == ':') {
		if (s[i] == ':') {
			colons++;
			if (s[i + 1] == ':')
				dbl = true;
		} else {
			digits++;
		}
		i++;
	}
	if (i > 0 && s[i] == '.') {
		/* an IPv4 tail: ::ffff:192.0.2.1 */
		size_t back = i;

		while (back > 0 && s[back - 1] != ':')
			back--;
		if (match_ipv4(s + back))
			i = back + match_ipv4(s + back);
	}
	if (digits == 0 || (!dbl && colons < 3) ||
	    is_alnum((unsigned char)s[i]))
		return 0;
	return i;
}

/* Length of a host name at s: 2+ labels, the last alphabetic, or 0. */
static size_t
match_host(const char *s)
{
	size_t i = 0, last = 0, labels = 0;
	bool alpha_tld = true;

	for (;;) {
		size_t j = i;

		while (is_alnum((unsigned char)s[j]) || s[j] == '-')
			j++;
		if (j == i)
			break;
		labels++;
		alpha_tld = true;
		for (size_t k = i; k < j; k++)
			if (!isalpha((unsigned char)s[k]))
				alpha_tld = false;
		last = j;
		if (s[j] != '.' || !is_alnum((unsigned char)s[j + 1]))
			break;
		i = j + 1;
	}
	if (labels < 2 || !alpha_tld || s[last] == '_' || s[last] == '@')
		return 0;
	return last;
}

/* Does a host name at text+i stand where a peer's name stands? */
static bool
host_context(const char *text, size_t i, size_t len)
{
	static const char *const before[] = {"host ", "from ", "helo ",
	    "ehlo ", "helo=", "client "};

	if (text[i + len] == '[' || (text[i + len] == ' ' &&
	    text[i + len + 1] == '['))
		return true;
	if (i > 0 && text[i - 1] != '\0' && strchr("([=", text[i - 1]))
		return true;
	for (size_t k = 0; k < ARRAY_SIZE(before); k++) {
		size_t n = strlen(before[k]);

		if (i >= n && strncasecmp(text + i - n, before[k], n) == 0)
			return true;
	}
	return false;
}

/* Length of an alphanumeric run at s, and whether it mixes. */
static size_t
alnum_run(const char *s, bool *digit, bool *alpha)
{
	size_t i = 0;

	*digit = *alpha = false;
	while (is_alnum((unsigned char)s[i])) {
		if (s[i] >= '0' && s[i] <= '9')
			*digit = true;
		else
			*alpha = true;
		i++;
	}
	return i;
}

static void
mask(const char *text, struct buf *out)
{
	size_t i = 0, n;

	if (text == NULL)
		return;
	if (text[0] == '<' && (n = strcspn(text + 1, ">")) > 0 &&
	    text[n + 1] == '>' && text[n + 2] == ':') {
		buf_add(out, "<ARG>:", 6);
		i = n + 3;
	}
	while (text[i]) {
		bool boundary = i == 0 || !is_alnum((unsigned char)text[i - 1]);
		bool dg, al;

		if (!boundary) {
			buf_addc(out, text[i++]);
			continue;
		}
		if ((n = match_addr(text + i)) > 0) {
			buf_add(out, "ADDR", 4);
		} else if ((n = match_ipv4(text + i)) > 0 ||
		    (n = match_ipv6(text + i)) > 0) {
			buf_add(out, "IP", 2);
		} else if ((n = match_host(text + i)) > 0 &&
		    host_context(text, i, n)) {
			buf_add(out, "HOST", 4);
		} else if ((n = alnum_run(text + i, &dg, &al)) > 0) {
			if (dg && !al)
				buf_addc(out, 'N');
			else if (dg && al && n >= 6) {
				/* an ID's dashed parts are the ID too
				 * (1xVT2I-000326-1n) */
				while (text[i + n] == '-' &&
				    is_alnum((unsigned char)text[i + n + 1]))
					n += 1 + alnum_run(text + i + n + 1,
					    &dg, &al);
				buf_add(out, "ID", 2);
			}
			else
				buf_add(out, text + i, n);
		} else {
			n = 1;
			buf_addc(out, text[i]);
		}
		i += n;
	}
}

/*
 * The masked form of a repeated text is remembered: the summary masks the
 * reply of every failed session, and the same few replies come back all
 * the time. A fixed table, one text per slot (a new one takes the slot
 * over), so memory does not grow with the log; longer texts, or masked
 * forms, than a slot holds are masked every time.
 */
#define MEMO_SLOTS 512
#define MEMO_TEXT 160

static struct reason_memo {
	uint64_t hash;
	unsigned short len, mlen;	/* len 0: an empty slot */
	char text[MEMO_TEXT];
	char masked[MEMO_TEXT];
} memo[MEMO_SLOTS];

void
reason_mask(const char *text, struct buf *out)
{
	size_t len, start;
	struct reason_memo *e;
	uint64_t h;

	if (text == NULL)
		return;
	len = strlen(text);
	if (len == 0 || len > MEMO_TEXT) {
		mask(text, out);
		return;
	}
	h = hash_bytes(text, len);
	e = &memo[h & (MEMO_SLOTS - 1)];
	if (e->len == len && e->hash == h && memcmp(e->text, text, len) == 0) {
		buf_add(out, e->masked, e->mlen);
		return;
	}
	start = out->len;
	mask(text, out);
	if (out->len - start <= MEMO_TEXT) {
		e->hash = h;
		e->len = (unsigned short)len;
		e->mlen = (unsigned short)(out->len - start);
		memcpy(e->text, text, len);
		if (e->mlen)
			memcpy(e->masked, out->s + start, e->mlen);
	}
}
