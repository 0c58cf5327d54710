/*
 * report - what the reporters share: escaped output, the gist of a reply,
 * the plain finish and free, and a session's lines in log order.
 */
#include "config.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "escape.h"
#include "report.h"

void
report_put(FILE *fp, const char *s)
{
	if (s)
		esc_text(fp, s, strlen(s));
}

/*
 * What the code at the start of text ("550 5.1.1 ...", "250-PIPELINING",
 * a summary key "550 5.1.1") means, in a few words, or NULL.
 */
const char *
report_reply_gist(const struct codes *codes, const char *text, char *g,
    size_t size)
{
	char code[4], enh[16];
	const char *e = NULL;
	size_t n;

	if (codes == NULL || text == NULL || strlen(text) < 3)
		return NULL;
	memcpy(code, text, 3);
	code[3] = '\0';
	if (text[3] == ' ' && (n = strspn(text + 4, "0123456789.")) > 4 &&
	    n < sizeof(enh)) {
		memcpy(enh, text + 4, n);
		enh[n] = '\0';
		e = enh;
	}
	return codes_gist(codes, code, e, g, size);
}

void
report_finish_flush(struct reporter *rep, const struct run_info *ri)
{
	(void)ri;
	fflush(rep->out);
}

void
report_free_plain(struct reporter *rep)
{
	free(rep);
}

size_t
report_lines(const struct session *s, struct lineref **out)
{
	return session_lines(s, out);
}

void
report_line_file_close(struct line_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	free(f->s);
	f->s = NULL;
	f->cap = 0;
}

const char *
report_line_text(struct line_file *f, const char *const *files,
    const struct lineref *l)
{
	ssize_t got;

	if (l->text || l->off < 0)
		return l->text ? l->text : "";
	if (f->fd < 0 || f->idx != l->file) {
		if (f->fd >= 0)
			close(f->fd);
		f->idx = l->file;
		f->fd = open(files[l->file], O_RDONLY | O_CLOEXEC);
	}
	grow_array((void **)&f->s, &f->cap, (size_t)l->len + 1, 1);
	got = f->fd < 0 ? -1 : pread(f->fd, f->s, l->len, (off_t)l->off);
	if (got != (ssize_t)l->len) {
		if (!f->warned)
			diag_warning("cannot read '%s' again at line %u: the "
			    "file changed", files[l->file], l->line);
		f->warned = true;
		got = got < 0 ? 0 : got;
	}
	f->s[got] = '\0';
	return f->s;
}

/* The address in key: "[...]" when it has brackets, else the whole key
 * up to a space; family 0 when it is none. */
static int
key_addr(const char *key, unsigned char addr[16], long *port)
{
	const char *p = strchr(key, '['), *e;
	char ip[64];
	size_t n;

	*port = -1;
	if (p && (e = strchr(p, ']')) != NULL) {
		n = (size_t)(e - p - 1);
		p++;
		if (e[1] == ':')
			*port = strtol(e + 2, NULL, 10);
	} else {
		p = key;
		n = strcspn(key, " ");
	}
	if (n == 0 || n >= sizeof(ip))
		return 0;
	memcpy(ip, p, n);
	ip[n] = '\0';
	if (inet_pton(AF_INET, ip, addr) == 1)
		return 4;
	if (inet_pton(AF_INET6, ip, addr) == 1)
		return 6;
	return 0;
}

int
report_addr_cmp(const char *a, const char *b)
{
	unsigned char x[16], y[16];
	long px, py;
	int fa = key_addr(a, x, &px), fb = key_addr(b, y, &py), c;

	if (fa != fb)
		return fa == 0 ? 1 : fb == 0 ? -1 : fa < fb ? -1 : 1;
	if (fa == 0)
		return strcmp(a, b);
	if ((c = memcmp(x, y, fa == 4 ? 4 : 16)) != 0)
		return c;
	if (px != py)
		return px < py ? -1 : 1;
	return strcmp(a, b);
}

void
report_painted(FILE *fp, const struct term *t, enum term_paint p,
    const char *word, int width)
{
	int n = (int)strlen(word);

	fprintf(fp, "%s%s%s%*s", term_sgr(t, p), word, term_sgr_end(t),
	    width > n ? width - n : 0, "");
}

enum term_paint
report_status_paint(enum status s)
{
	switch (s) {
	case STATUS_OK:
		return PAINT_OK;
	case STATUS_FAILED:
		return PAINT_FAILED;
	case STATUS_PARTIAL:
		return PAINT_PARTIAL;
	default:
		return PAINT_INCOMPLETE;
	}
}
