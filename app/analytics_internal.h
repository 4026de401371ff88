#ifndef L2W_APP_ANALYTICS_INTERNAL_H
#define L2W_APP_ANALYTICS_INTERNAL_H

/* Shared by app/analytics_guard.c (threads, prices, TVL) and
 * app/analytics_fees.c (fees per block, batch posting costs). */

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "app/guard_loop.h"
#include "collector/price_feed.h"
#include "collector/rpc.h"
#include "core/config.h"
#include "core/db.h"
#include "core/metrics.h"

typedef struct {
    const l2w_price_config *p;
    l2w_rpc *rpc;
    time_t next_read;
    int last_verdict;              /* of the last read, -1 before one: a change is logged */
    l2w_counter *reads[L2W_PRICE_VERDICTS];
    l2w_counter *errors;
    l2w_gauge *usd;
    l2w_gauge *age;
} price_feed_ctx;

typedef struct {
    const l2w_config *cfg;
    price_feed_ctx feeds[L2W_MAX_PRICES];
    size_t n_feeds;
    time_t next_tvl;
    l2w_guard_loop *loop;
} prices_ctx;

typedef struct {
    const l2w_fee_chain_config *f;
    const l2w_chain_config *chain;
    l2w_rpc *rpc;
    l2w_gauge *block;
    l2w_counter *blocks;
    l2w_counter *txs;
    l2w_counter *reorgs;
    uint32_t unwound;              /* blocks unwound since the last store */
    l2w_guard_loop *loop;
} fees_ctx;

typedef struct {
    const l2w_batch_cost_config *b;
    const l2w_chain_config *l1;
    l2w_rpc *rpc;
    l2w_gauge *block;
    l2w_counter *postings;
    l2w_guard_loop *loop;
} batch_costs_ctx;

/* One pass of each (l2w_guard_step_fn). */
L2W_MUST_CHECK l2w_status l2w_analytics_fees_step(void *ctx, l2w_db *db, bool *more, bool *raised, l2w_err *err);
L2W_MUST_CHECK l2w_status l2w_analytics_batch_costs_step(void *ctx, l2w_db *db, bool *more, bool *raised,
                                                         l2w_err *err);
/* Samples every bridge token's TVL at unix time now. */
L2W_MUST_CHECK l2w_status l2w_analytics_sample_tvl(prices_ctx *c, l2w_db *db, time_t now, l2w_err *err);

#endif
