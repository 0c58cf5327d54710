/*
 * codes_int - the loaded codes file as codes_load.c builds it and codes.c
 * reads it; private to those two.
 */
#ifndef SLA_CODES_INT_H
#define SLA_CODES_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct usual {
	int phase;
	char **causes;
	size_t ncauses;
};

struct digit {
	char *name, *meaning;
	size_t line;	/* 0: not defined */
};

struct reply {
	int code;
	char *meaning, *ref;
	bool vendor;
	struct usual *usual;
	size_t nusual;
	size_t line;
};

struct detail {
	int subject, detail;
	unsigned classes;	/* bit n: class n */
	char *meaning, *ref;
	struct usual *usual;
	size_t nusual;
	size_t line;
};

enum { L_SUCCESS, L_INTERMEDIATE, L_ERROR, L_COMMON, L__COUNT };

struct command {
	char *name;
	char **aliases;
	size_t naliases;
	int phase;	/* -1: none */
	int *codes[L__COUNT];
	size_t ncodes[L__COUNT];
	char *ref;
	size_t line;
};

struct hint {
	int phase;	/* -1: any */
	char *cause;	/* NULL: any */
	char *mta;	/* NULL: any server; else only its sessions */
	char *text;
	size_t line;
};

struct codes {
	struct digit rclass[10], rcat[10];
	struct digit eclass[10];
	struct digit *esubj;	/* [1000] */
	struct reply *reply[1000];
	struct detail *details;
	size_t ndetails;
	struct command *cmds;
	size_t ncmds;
	struct hint *hints;
	size_t nhints;
	/* built after loading */
	char *rfall[10][10];	/* class, middle digit */
	char *efall_cs[10][8];	/* enhanced class, subject 0-7 */
	char *efall_c[10];
	/* codes_hint_mta()'s recent answers (codes.c) */
	struct hint_memos *memo;
};

/*
 * A JSON or CSV report asks codes_hint_mta() for every failed session,
 * and a few (server, phase, cause) make most of them: each answer is
 * kept, the names copied (a name of HINT_MEMO_CAUSE bytes or more is
 * not kept). A hash of the three picks a set of HINT_MEMO_WAYS slots and
 * a new question takes the set's least recently used one: with one slot
 * a hash (64 of them), the 32 questions of the Postfix benchmark log
 * pushed each other out, and 13,000 of 47,000 questions ran the ranking
 * of every hint again.
 */
#define HINT_MEMO_SETS 64
#define HINT_MEMO_WAYS 4
#define HINT_MEMO_CAUSE 48

struct hint_memo {
	bool set;
	bool no_cause;	/* asked with cause NULL */
	bool no_mta;	/* asked with mta NULL */
	int phase;
	uint32_t used;	/* the memo's clock when last found or put */
	const char *text;	/* the answer */
	char mta[HINT_MEMO_CAUSE];
	char cause[HINT_MEMO_CAUSE];
};

struct hint_memos {
	uint32_t clock;
	struct hint_memo e[HINT_MEMO_SETS * HINT_MEMO_WAYS];
};

/* A run of 1..maxd ASCII digits, the whole of s[0..len): its value;
 * -1 otherwise. */
int codes_parse_num(const char *s, size_t len, size_t maxd);
/* "550" -> 550; -1 unless exactly three digits. */
int codes_reply_num(const char *s);
/* "5.1.1" -> class, subject, detail: one to three digits each (the
 * class whatever its digit); false otherwise. */
bool codes_enh_split(const char *s, int *cls, int *subj, int *det);
/* An enhanced status class: 2, 4 or 5. */
bool codes_enh_class_ok(int c);
/* The command named name[0..len) or one of its aliases, any case. */
struct command *codes_find_command(const struct codes *c, const char *name,
    size_t len);

#endif
