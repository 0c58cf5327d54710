/*
 * escape - make attacker-controlled log text safe for its destination.
 *
 * Log lines carry whatever a client sent: HELO names, addresses, bytes
 * before the greeting. Text output passes valid UTF-8 through and writes
 * control bytes (C0, DEL, C1) and invalid bytes as \xNN, so no escape
 * sequence reaches a terminal; a backslash that could start what reads as
 * such an escape is written twice, so that the text "\x1b" in a log never
 * prints as an ESC byte does. JSON output is
 * valid JSON for any input: control bytes become \u00NN and invalid UTF-8
 * becomes U+FFFD.
 */
#ifndef SLA_ESCAPE_H
#define SLA_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

#include "util.h"

void esc_text(FILE *, const char *, size_t);
/* Quoted JSON string; NULL gives null. */
void esc_json(struct buf *, const char *, size_t);
void esc_json_str(struct buf *, const char *);
/*
 * esc_json() after npre bytes of pre, copied as they are: JSON text the
 * caller vouches for (a literal key with its colon, ",\"status\":"), in
 * the same step.
 */
void esc_json_pre(struct buf *, const char *pre, size_t npre,
    const char *, size_t);
/* The bytes esc_json() copies as they are (1): printable ASCII but the
 * quote and the backslash. Every other byte, NUL among them, is 0. */
extern const unsigned char esc_json_plain[256];
/*
 * HTML element content or a quoted attribute value: esc_text()'s bytes
 * (so control bytes and invalid UTF-8 show as \xNN), with & < > " '
 * as entities.
 */
void esc_html(FILE *, const char *, size_t);
/*
 * Text that esc_text() already made safe (a transcript rendered for the
 * terminal), as HTML: only & < > " ' become entities, so that its escapes
 * are not escaped a second time and its line ends stay line ends.
 */
void esc_html_text(FILE *, const char *, size_t);
/*
 * One RFC 4180 field: esc_text()'s bytes, quoted (quotes doubled) when it
 * holds a comma, semicolon or quote; a field that starts with = + - @ is
 * quoted and starts with a ' so that no spreadsheet runs it as a formula.
 * Control bytes never reach the file raw, so neither do CR or LF.
 */
void esc_csv(FILE *, const char *, size_t);

#endif
