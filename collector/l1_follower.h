#ifndef L2W_COLLECTOR_L1_FOLLOWER_H
#define L2W_COLLECTOR_L1_FOLLOWER_H

#include <stdbool.h>

#include "collector/rpc.h"
#include "core/config.h"
#include "core/db.h"

/* Follows one L1: stores every block header (the parent-hash chain that makes
 * reorgs visible) and the logs of the contracts watched on it, decoded into
 * facts, one transaction per step. Facts are keyed by block hash; a reorg
 * deletes the abandoned blocks and everything hanging off them. */
typedef struct l2w_l1_follower l2w_l1_follower;

/* Reorgs up to the chain's max_reorg_depth are unwound automatically; deeper
 * ones stop the follower with a BROKEN log, since facts already acted on
 * would silently change. */

L2W_MUST_CHECK l2w_status l2w_l1_follower_create(l2w_l1_follower **out, const l2w_config *cfg,
                                                 const l2w_chain_config *l1, l2w_err *err);
void l2w_l1_follower_destroy(l2w_l1_follower *f);

/* One poll: read the head, ingest up to max_blocks_per_poll new blocks, or
 * unwind a reorg. *ingested is set to the number of blocks stored (0 when
 * caught up), *new_facts when any proposal was stored. */
L2W_MUST_CHECK l2w_status l2w_l1_follower_step(l2w_l1_follower *f, l2w_db *db, l2w_rpc *rpc, size_t *ingested,
                                               bool *new_facts, l2w_err *err);

#endif
