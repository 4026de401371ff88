#ifndef L2W_COLLECTOR_LOG_RANGES_H
#define L2W_COLLECTOR_LOG_RANGES_H

#include <stdbool.h>
#include <stdint.h>

/* How many blocks to ask eth_getLogs for at once during catch-up.
 *
 * Providers refuse ranges that are too wide or too full ("query returned more
 * than 10000 results", "block range too large", an answer over the size cap,
 * a timeout), with limits they seldom document and that can depend on how
 * many logs the blocks hold. So the span adapts: it halves on a refusal
 * (falling back to the widest span that worked, when that is wider), grows
 * after successes in a row, and never grows back to a span refused recently,
 * so it settles just under the provider's limit. A refusal is forgotten after
 * enough successes, since a result-count limit moves with the density of the
 * chain.
 *
 * Pure: no I/O, no clock, no allocation. */

#define L2W_LOG_RANGE_INITIAL 10000u
#define L2W_LOG_RANGE_MAX 100000u
/* Full-span successes in a row before the span grows. */
#define L2W_LOG_RANGE_GROW_AFTER 2u
/* Successes after a refusal before it no longer caps growth. */
#define L2W_LOG_RANGE_FORGET_AFTER 64u

typedef struct {
    uint64_t span;                    /* blocks in the next request, 1..max */
    uint64_t max;
    uint64_t good;                    /* widest span that succeeded since the last refusal; 0 = none */
    uint64_t refused;                 /* the last span refused, not yet forgotten; 0 = none */
    uint32_t successes_in_row;        /* full-span successes since the span last changed */
    uint32_t successes_since_refusal;
} l2w_log_ranges;

/* initial and max are clamped to at least 1, initial to at most max. */
void l2w_log_ranges_init(l2w_log_ranges *r, uint64_t initial, uint64_t max);

/* The last block of the next request that starts at from, never past last.
 * from must be <= last. */
uint64_t l2w_log_ranges_end(const l2w_log_ranges *r, uint64_t from, uint64_t last);

/* A request over span blocks succeeded. A span narrower than the current
 * one (the end of the catch-up clamped it) says nothing about growing. */
void l2w_log_ranges_success(l2w_log_ranges *r, uint64_t span);

/* A request over span blocks was refused as too large. Returns false when
 * span was a single block: the refusal cannot be about the range, and the
 * caller must treat it as an ordinary error. */
bool l2w_log_ranges_refused(l2w_log_ranges *r, uint64_t span);

#endif
