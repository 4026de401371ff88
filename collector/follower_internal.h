#ifndef L2W_COLLECTOR_FOLLOWER_INTERNAL_H
#define L2W_COLLECTOR_FOLLOWER_INTERNAL_H

/* Internal to the chain follower (collector/follower*.c): its state and the
 * pieces its files share. follower.c holds the step and the block-by-block
 * path near the head. */

#include <stdbool.h>
#include <stdint.h>

#include "collector/eth.h"
#include "collector/follower.h"
#include "collector/log_ranges.h"
#include "collector/watch_list.h"
#include "core/metrics.h"

struct l2w_follower {
    const l2w_config *cfg;
    const l2w_chain_config *chain;
    l2w_watch watches[L2W_MAX_WATCHES];
    size_t n_watches;
    /* The eth_getLogs filter: every watched address and topic0, each once. */
    l2w_addr addresses[L2W_MAX_WATCHES];
    size_t n_addresses;
    bool any_address;          /* some watch takes its topic from every address */
    l2w_hash topics[L2W_MAX_WATCHES];
    size_t n_topics;
    l2w_gauge *head_gauge;
    l2w_gauge *synced_gauge;
    l2w_counter *reorgs;
    l2w_counter *logs_counter;
    l2w_log_ranges ranges;       /* eth_getLogs span during catch-up */
    l2w_counter *range_refusals;
    l2w_gauge *range_gauge;
    bool catching_up;            /* a catch-up was announced and has not ended */
};

/* The stored block the next one must follow. */
typedef struct {
    uint64_t number;
    l2w_hash hash;
} stored_tip;


/* Walks back from the stored tip to the fork point, retracts the findings anchored above
 * it and deletes everything above it, in one transaction (collector/follower_reorg.c). */
L2W_MUST_CHECK l2w_status l2w_follower_unwind_reorg(l2w_follower *f, l2w_db *db, l2w_rpc *rpc, uint64_t tip, l2w_err *err);
/* The header at number among h[0..n) (ascending, maybe sparse), or NULL. */
const l2w_block_header *l2w_follower_header_at(const l2w_block_header *h, size_t n, uint64_t number);
/* Stores headers h[0..n), their logs and the proposals they carry in one transaction and
 * moves the checkpoint to h[n-1] (collector/follower_store_range.c). */
L2W_MUST_CHECK l2w_status l2w_follower_commit_range(l2w_follower *f, l2w_db *db, const l2w_block_header *h, size_t n,
                                              const l2w_evm_log *logs, size_t n_logs, bool *new_facts, l2w_err *err);
/* Drops the logs whose (address, topic0) pair is not watched, freeing their
 * data; *n_logs becomes the count kept (collector/follower.c). */
void l2w_follower_keep_watched(const l2w_follower *f, l2w_evm_log *logs, size_t *n_logs);
/* The eth_getLogs filter of every watched address and topic0 over from..to
 * (collector/follower.c). */
l2w_log_filter l2w_follower_filter(const l2w_follower *f, uint64_t from, uint64_t to);
/* Consecutive headers h[0..count) read with their logs in one batch (logs_st
 * and logs_err the logs' outcome): unwinds the reorg if h[0] does not follow
 * prev_hash (NULL: nothing stored yet), else stores the headers that link
 * up and their logs when every log belongs to one of them. A chain that
 * moved meanwhile, or logs flagged removed, store nothing and are retried
 * by the next step. *more when a full max_blocks_per_poll was stored
 * (collector/follower.c). */
L2W_MUST_CHECK l2w_status l2w_follower_settle_dense(l2w_follower *f, l2w_db *db, l2w_rpc *rpc,
                                                    const l2w_block_header *h, size_t count, l2w_evm_log *logs,
                                                    size_t *n_logs, l2w_status logs_st, const l2w_err *logs_err,
                                                    const l2w_hash *prev_hash, bool *more, bool *new_facts,
                                                    l2w_err *err);
/* Ingests next..(at most) last, all final enough, with one eth_getLogs per
 * range and only the headers the logs need, then, with the last range's
 * headers, the first blocks after last up to tail_to as the near-head path
 * would (collector/follower_catch_up.c). */
L2W_MUST_CHECK l2w_status l2w_follower_catch_up(l2w_follower *f, l2w_db *db, l2w_rpc *rpc, uint64_t next,
                                                uint64_t last, uint64_t tail_to, const stored_tip *prev, bool *more,
                                                bool *new_facts, l2w_err *err);

#endif
