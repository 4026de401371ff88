#ifndef L2W_COLLECTOR_FOLLOWER_H
#define L2W_COLLECTOR_FOLLOWER_H

#include <stdbool.h>

#include "collector/rpc.h"
#include "core/config.h"
#include "core/db.h"

/* Follows one chain: stores block headers (the parent-hash chain that makes
 * reorgs visible) and the logs of the contracts watched on it
 * (collector/watch_list.h), decoded into facts (output proposals, bridge
 * events), one transaction per step. Facts are keyed by block hash; a reorg
 * deletes the abandoned blocks and everything hanging off them.
 *
 * Within max_reorg_depth of the target (head - confirmations) every header is
 * stored. Further behind (after downtime, or a start_block far back) the
 * follower catches up with wide eth_getLogs ranges, split when the provider
 * refuses them, and stores only the headers of the blocks that carry logs and
 * of each range's last block; the checkpoint never passes a block whose logs
 * are not stored. */
typedef struct l2w_follower l2w_follower;

/* Reorgs up to the chain's max_reorg_depth are unwound automatically; deeper
 * ones stop the follower with a BROKEN log, since facts already acted on
 * would silently change. */

L2W_MUST_CHECK l2w_status l2w_follower_create(l2w_follower **out, const l2w_config *cfg,
                                                 const l2w_chain_config *l1, l2w_err *err);
void l2w_follower_destroy(l2w_follower *f);
/* Whether any contract event is watched on the chain (an L2 without any
 * needs no follower). */
bool l2w_follower_watches(const l2w_follower *f);

/* One poll: read the head, then catch up (up to about 5 s of log ranges), ingest up to
 * max_blocks_per_poll new blocks, or unwind a reorg. *more is set when blocks
 * are known to wait beyond what this poll stored (a full batch, or any
 * catch-up range, which always leaves the last max_reorg_depth blocks), so
 * the caller steps again at once instead of sleeping. *new_facts is set when
 * any proposal or bridge event was stored. */
L2W_MUST_CHECK l2w_status l2w_follower_step(l2w_follower *f, l2w_db *db, l2w_rpc *rpc, bool *more,
                                               bool *new_facts, l2w_err *err);

#endif
