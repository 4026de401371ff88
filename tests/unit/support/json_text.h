#ifndef L2W_TESTS_SUPPORT_JSON_TEXT_H
#define L2W_TESTS_SUPPORT_JSON_TEXT_H

/* Random JSON texts for the differential tests of the JSON scanners
 * (test_log_scan.c, test_rpc_answer.c): a growable text, random values of
 * every kind, and byte mutations that break them in the ways jansson
 * refuses. The randomness is the harness's seeded generator. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    char *p;
    size_t len, cap;
} text;

void put_n(text *t, const char *s, size_t n);
void put(text *t, const char *s);
/* A random number below n (0 for n = 0), and true one time in n. */
uint64_t rnd(uint64_t n);
bool one_in(uint64_t n);
/* Random whitespace, often none. */
void ws(text *t);
void any_string(text *t);
void any_number(text *t);
/* Any value; containers only while depth is small. */
void any_value(text *t, int depth);
/* One to three random edits: a byte changed, dropped or inserted, or a
 * slice copied elsewhere (keys and values repeated). */
void mutate(text *t);

#endif
