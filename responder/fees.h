#ifndef L2W_RESPONDER_FEES_H
#define L2W_RESPONDER_FEES_H

#include <stdbool.h>

#include "collector/eth_tx.h"
#include "core/config.h"
#include "core/status.h"
#include "core/u256.h"

/* EIP-1559 fee choice for responses. Pure arithmetic, so the rules are unit
 * tested without a node. */

typedef struct {
    l2w_u256 max_fee;  /* maxFeePerGas */
    l2w_u256 tip;      /* maxPriorityFeePerGas */
} l2w_fees;

/* First attempt: tip = max(market tip, configured floor); max fee = twice the
 * next base fee plus the tip (room for six full blocks of base-fee rises).
 * Both are held under the configured cap; *capped says the cap bit. */
L2W_MUST_CHECK l2w_status l2w_fees_initial(const l2w_fee_market *m, const l2w_txmgr_config *cfg, l2w_fees *out,
                                           bool *capped);

/* Replacement: each of max fee and tip at least 10% above the previous
 * attempt (rounded up, as nodes require) and never below what the market
 * asks now. L2W_ERR_RANGE when the previous attempt already sits at the cap,
 * so no valid replacement exists. */
L2W_MUST_CHECK l2w_status l2w_fees_bump(const l2w_fees *prev, const l2w_fee_market *m, const l2w_txmgr_config *cfg,
                                        l2w_fees *out, bool *capped);

/* Responses with a deadline (a channel's dispute window) pay more as the
 * window runs out. Urgency, in thousandths: 0 with the whole window ahead,
 * 1000 at the deadline (and after it); 0 without a deadline. */
unsigned l2w_fees_urgency(int64_t window_start, int64_t deadline, int64_t now);

/* Raises f for urgency u: the tip becomes at least (u/1000)^2 of the
 * headroom between the cap and twice the next base fee, so it grows slowly
 * while time is plenty and reaches the whole headroom at the deadline; the
 * max fee keeps room for that tip over twice the base fee. Never lowers f;
 * the cap holds. */
L2W_MUST_CHECK l2w_status l2w_fees_urgent(l2w_fees *f, const l2w_fee_market *m, const l2w_txmgr_config *cfg,
                                          unsigned urgency, bool *capped);

/* How long an attempt waits before it is replaced: resubmit_after_ms,
 * shortened to a sixth of the time left before deadline (at least 1 s),
 * so several replacements fit in what remains of the window. */
uint32_t l2w_fees_resubmit_ms(const l2w_txmgr_config *cfg, int64_t deadline, int64_t now);

#endif
