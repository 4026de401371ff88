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

#endif
