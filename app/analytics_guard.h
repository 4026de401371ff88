#ifndef L2W_APP_ANALYTICS_GUARD_H
#define L2W_APP_ANALYTICS_GUARD_H

#include "app/wakeup.h"
#include "core/config.h"
#include "core/status.h"

/* The analytics collectors, each a thread of app/guard_loop.h led by one
 * replica at a time (an advisory lock each):
 *   - prices and TVL ("l2watch-analytics:prices"): reads every prices:
 *     feed each poll_seconds (price_samples, with its verdict) and, every
 *     analytics.tvl_interval_seconds, each bridge token's latest escrow
 *     balance with its USD value when its price is fresh (tvl_samples);
 *     started when there are bridges or prices;
 *   - fees, one per analytics.fees[] chain ("l2watch-fees:<chain>"): sums
 *     each block's fees from its receipts (fee_blocks), following the
 *     chain's parent hashes and unwinding a reorged block itself;
 *   - batch costs, one per analytics.batch_costs[] entry
 *     ("l2watch-batch-costs:<chain>"): reads the L1 blocks the L1 follower
 *     has synced, finds the batcher's postings to the inbox and stores
 *     their costs from their receipts (batch_costs).
 * Daily rows follow the block rows through triggers (sql/0012_analytics.sql). */
typedef struct l2w_analytics_guard l2w_analytics_guard;

/* Starts the threads the config asks for (*out stays NULL when none). */
L2W_MUST_CHECK l2w_status l2w_analytics_guard_start(l2w_analytics_guard **out, const l2w_config *cfg,
                                                    l2w_wakeup *wakeup, l2w_err *err);
/* Joins the threads (the wakeup must be stopping) and frees. NULL is fine. */
void l2w_analytics_guard_stop(l2w_analytics_guard *g);

#endif
