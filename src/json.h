/*
 * json - write one JSON value, with the commas and nesting kept for you.
 *
 * The writer keeps a stack of the objects and arrays it is inside and,
 * for each, whether a value has been written there yet: the comma before
 * a member is its business, not the caller's. Every string goes through
 * esc_json() (escape.h), so the output is valid JSON whatever bytes the
 * log held.
 *
 *	struct json j;
 *
 *	json_init(&j, &b);
 *	json_begin_object(&j);
 *	json_key_str(&j, "mta", "smtpd");
 *	json_key(&j, "lines");
 *	json_begin_array(&j);
 *	json_int(&j, 3);
 *	json_int(&j, 9);
 *	json_end(&j);
 *	json_end(&j);
 *
 * appends {"mta":"smtpd","lines":[3,9]} to b. A writer made with
 * json_init_file() collects the value in a buffer of its own and writes
 * it to the FILE in one piece when the outermost object or array ends.
 *
 * DIAGNOSTICS: a call that would not give valid JSON is refused: a
 * member without a key in an object, a key outside an object or twice in
 * a row, json_end() with nothing open or with a key waiting for its
 * value, a second value at the top, or nesting deeper than JSON_DEPTH.
 * A refused call writes nothing and returns false, and the writer stays
 * failed: every later call writes nothing and json_ok() says false (as
 * ferror() does for a stream). Callers write fixed shapes, so a failure
 * is a bug in the caller, found by its tests.
 */
#ifndef SLA_JSON_H
#define SLA_JSON_H

#include <stdbool.h>
#include <stdio.h>

#include "util.h"

#define JSON_DEPTH 16

struct json {
	struct buf *out;	/* where the text goes */
	FILE *fp;	/* json_init_file(): written at the outermost end */
	struct buf own;	/* json_init_file()'s buffer */
	int depth;	/* open objects and arrays */
	char open[JSON_DEPTH];	/* '{' or '[' at each depth */
	bool more[JSON_DEPTH + 1];	/* a value is written at this depth */
	bool key;	/* a key waits for its value */
	bool failed;
};

/* Start a value appended to b (which the caller owns). */
void json_init(struct json *, struct buf *b);
/* Start a value written to fp when it is complete; json_release() after. */
void json_init_file(struct json *, FILE *fp);
/* Free json_init_file()'s buffer; json_init*() again before more use. */
void json_release(struct json *);
/* Whether no call was refused. */
bool json_ok(const struct json *);

bool json_begin_object(struct json *);
bool json_begin_array(struct json *);
/* End the innermost object or array. */
bool json_end(struct json *);
/* A member's name, in an object; its value is the next call. */
bool json_key(struct json *, const char *);

/* Values: in an array, after a key, or once at the top. */
bool json_str(struct json *, const char *);	/* NULL gives null */
bool json_strn(struct json *, const char *, size_t);
bool json_int(struct json *, long long);
bool json_bool(struct json *, bool);
bool json_null(struct json *);

/* json_key() and the value in one call. */
bool json_key_str(struct json *, const char *key, const char *val);
bool json_key_int(struct json *, const char *key, long long val);
bool json_key_bool(struct json *, const char *key, bool val);

#endif
