#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/finding_store.h"
#include "collector/chain_store.h"
#include "collector/eth.h"
#include "collector/follower_internal.h"
#include "collector/log_ranges.h"
#include "collector/op_outputs.h"
#include "core/hex.h"
#include "core/log.h"
#include "core/metrics.h"

/* Walks back over the stored blocks from the tip until a stored hash equals
 * the node's hash at the same height, then deletes everything above that fork
 * point. Heights with no stored header (catch-up keeps only the blocks that
 * carry logs) are skipped, not counted as mismatches: the fork is the highest
 * stored block still on the node's chain. */
l2w_status l2w_follower_unwind_reorg(l2w_follower *f, l2w_db *db, l2w_rpc *rpc, uint64_t tip, l2w_err *err)
{
    const char *name = f->chain->name;
    bool has_fork = false;
    uint64_t fork = 0;
    const uint64_t max_depth = f->chain->max_reorg_depth;
    for (uint64_t k = tip;;) {
        uint64_t number;
        l2w_hash stored;
        l2w_status st = l2w_store_block_at_or_below(db, name, k, &number, &stored, err);
        if (st == L2W_ERR_NOT_FOUND)
            break; /* below the first stored block: unwind everything */
        if (st != L2W_OK)
            return st;
        bool too_deep = tip - number > max_depth;
        if (!too_deep) {
            l2w_block_header h;
            if ((st = l2w_eth_header_by_number(rpc, number, &h, err)) != L2W_OK)
                return st;
            if (l2w_hash_eq(&h.hash, &stored)) {
                has_fork = true;
                fork = number;
                break;
            }
        }
        if (too_deep || tip - number == max_depth) {
            L2W_BROKEN("follower", name,
                       "reorg deeper than %llu blocks (max_reorg_depth) below %llu; refusing to unwind automatically",
                       (unsigned long long)max_depth, (unsigned long long)tip);
            l2w_err_set(err, "follower %s: reorg deeper than %llu blocks", name, (unsigned long long)max_depth);
            return L2W_ERR_PROTOCOL;
        }
        if (number == 0)
            break; /* even the first block differs: unwind everything */
        k = number - 1;
    }
    l2w_status st = l2w_db_begin(db, err);
    if (st != L2W_OK)
        return st;
    size_t retracted = 0;
    st = l2w_findings_retract_unwound(db, f->cfg, name, has_fork, fork, &retracted, err);
    if (st == L2W_OK)
        st = l2w_store_unwind(db, name, has_fork, fork, err);
    if ((st = l2w_db_end(db, st, err)) != L2W_OK)
        return st;
    l2w_counter_add(f->reorgs, 1);
    if (has_fork)
        L2W_UNUSUAL("follower", name, "reorg: unwound %llu block(s) above fork point %llu, retracted %zu finding(s)",
                    (unsigned long long)(tip - fork), (unsigned long long)fork, retracted);
    else
        L2W_UNUSUAL("follower", name, "reorg below the first stored block; re-ingesting from the start");
    return L2W_OK;
}

