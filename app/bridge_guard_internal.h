#ifndef L2W_APP_BRIDGE_GUARD_INTERNAL_H
#define L2W_APP_BRIDGE_GUARD_INTERNAL_H

/* Internal to the bridge guard (app/bridge_guard*.c). */

#include <stdbool.h>
#include <stdint.h>

#include "collector/rpc.h"
#include "core/config.h"
#include "core/db.h"
#include "core/metrics.h"
#include "detectors/bridge_facts.h"

typedef struct {
    l2w_gauge *escrow;
    l2w_gauge *supply;
    l2w_gauge *drawdown_ratio;   /* the window's fall / its peak */
    /* Readings in a row whose supply exceeded the escrow, and the escrow
     * block of the last one: a shortfall is raised only when two readings
     * at different escrow blocks agree, so a lagging endpoint on one side
     * cannot raise it alone. */
    unsigned backing_strikes;
    uint64_t backing_last_block;
    /* The latest sample the outflow check last ran on: its verdict depends
     * on the samples alone, so it is not recomputed (a 30-day aggregate)
     * until a new sample is stored. */
    bool outflow_checked;
    l2w_hash outflow_checked_hash;
} token_metrics;

/* One bridge's state, owned by its thread. */
typedef struct {
    const l2w_config *cfg;
    const l2w_bridge_config *bridge;
    const l2w_chain_config *chain;         /* the escrow's */
    const l2w_chain_config *remote;
    l2w_rpc *rpc;                          /* escrow chain */
    l2w_rpc *remote_rpc;
    token_metrics tokens[L2W_MAX_BRIDGE_TOKENS];
    l2w_gauge *paused;
    l2w_counter *judged_backed;
    l2w_counter *judged_forged;
    bool raised;                           /* a finding was raised this pass: wake the responder */
} bridge_ctx;

void l2w_bridge_subject_of(l2w_bridge_subject *s, const bridge_ctx *c, const l2w_bridge_token *t);
/* The subject of a lasting condition on token (detectors/bridge_facts.h). */
L2W_MUST_CHECK l2w_status l2w_bridge_token_subject(char *out, size_t size, const bridge_ctx *c,
                                                   const l2w_bridge_token *t, l2w_err *err);

/* app/bridge_guard_escrow.c: samples, backing, drawdown, outflow, pause state. */
L2W_MUST_CHECK l2w_status l2w_bridge_sample_escrow(bridge_ctx *c, l2w_db *db, l2w_err *err);
L2W_MUST_CHECK l2w_status l2w_bridge_check_limits(bridge_ctx *c, l2w_db *db, l2w_err *err);
L2W_MUST_CHECK l2w_status l2w_bridge_check_backing(bridge_ctx *c, l2w_db *db, l2w_err *err);

/* app/bridge_guard_withdrawals.c: forged_withdrawal on pending events. */
L2W_MUST_CHECK l2w_status l2w_bridge_judge_pending(bridge_ctx *c, l2w_db *db, l2w_err *err);

#endif
