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
/* eth_getLogs with the follower's filter over from..to, keeping only the
 * logs of watched (address, topic0) pairs (collector/follower.c). */
L2W_MUST_CHECK l2w_status l2w_follower_get_logs(l2w_follower *f, l2w_rpc *rpc, uint64_t from, uint64_t to,
                                                l2w_evm_log **logs, size_t *n_logs, l2w_err *err);
/* Ingests next..(at most) last, all final enough, with one eth_getLogs and only the headers
 * the logs need (collector/follower_catch_up.c). */
L2W_MUST_CHECK l2w_status l2w_follower_catch_up(l2w_follower *f, l2w_db *db, l2w_rpc *rpc, uint64_t next, uint64_t last,
                                          const stored_tip *prev, bool *more, bool *new_facts, l2w_err *err);

#endif
