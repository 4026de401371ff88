#ifndef L2W_ALERTS_BACKOFF_H
#define L2W_ALERTS_BACKOFF_H

#include <stdint.h>

/* Delay before the next try after `failures` failed sends (1 for the first
 * failure): 1 s, 2 s, 4 s, ... capped at max_ms, then scaled by a jitter
 * factor in [0.8, 1.2] taken from rnd (any 64-bit random value) and capped at
 * max_ms again, so the cap is a hard ceiling. Jitter keeps replicas and a
 * sink recovering from an outage from being hit in lockstep. Never 0. */
uint64_t l2w_alert_backoff_ms(uint32_t failures, uint32_t max_ms, uint64_t rnd);

#endif
