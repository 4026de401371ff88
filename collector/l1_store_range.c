#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/finding_store.h"
#include "collector/chain_store.h"
#include "collector/eth.h"
#include "collector/l1_follower_internal.h"
#include "collector/log_ranges.h"
#include "collector/op_outputs.h"
#include "core/hex.h"
#include "core/log.h"
#include "core/metrics.h"

static const char *l2_of(const l2w_l1_follower *f, const l2w_addr *a)
{
    for (size_t i = 0; i < f->n_contracts; i++)
        if (l2w_addr_eq(&f->contracts[i].address, a))
            return f->contracts[i].l2_chain;
    return NULL;
}

/* Decodes the watched oracles' OutputProposed logs into out (room for
 * n_logs); returns how many. A log that does not decode is logged and
 * skipped: it stays stored as a log, never becomes a proposal. */
static size_t decode_proposals(l2w_l1_follower *f, const l2w_evm_log *logs, size_t n_logs, l2w_output_proposal *out)
{
    size_t n = 0;
    for (size_t i = 0; i < n_logs; i++) {
        const l2w_evm_log *log = &logs[i];
        const char *l2 = l2_of(f, &log->address);
        if (!l2)
            continue;
        l2w_output_proposal *p = &out[n];
        memset(p, 0, sizeof *p);
        l2w_err derr;
        if (l2w_decode_output_proposed(p, log, &derr) != L2W_OK) {
            char tx[L2W_HASH_HEX_LEN];
            l2w_hash_to_hex(tx, &log->tx_hash);
            L2W_UNUSUAL("follower", f->chain->name, "log %u of tx %s not decoded: %s", log->log_index, tx, derr.msg);
            continue;
        }
        snprintf(p->l1_chain, sizeof p->l1_chain, "%s", f->chain->name);
        snprintf(p->l2_chain, sizeof p->l2_chain, "%s", l2);
        n++;
    }
    return n;
}

/* Stores headers [0, n) and their logs in one transaction and advances the
 * checkpoint to the last header. The headers are in ascending order and need
 * not be consecutive (catch-up stores only the blocks that carry logs). */
l2w_status l2w_l1_commit_range(l2w_l1_follower *f, l2w_db *db, const l2w_block_header *h, size_t n,
                               const l2w_evm_log *logs, size_t n_logs, bool *new_facts, l2w_err *err)
{
    const char *name = f->chain->name;
    l2w_output_proposal *proposals = calloc(n_logs ? n_logs : 1, sizeof *proposals);
    if (!proposals) {
        l2w_err_set(err, "follower %s: %zu log(s): out of memory", name, n_logs);
        return L2W_ERR_NOMEM;
    }
    size_t n_proposals = decode_proposals(f, logs, n_logs, proposals);
    l2w_status st = l2w_db_begin(db, err);
    if (st == L2W_OK)
        st = l2w_store_blocks(db, name, h, n, err);
    if (st == L2W_OK)
        st = l2w_store_logs(db, name, logs, n_logs, err);
    if (st == L2W_OK)
        st = l2w_store_output_proposals(db, name, proposals, n_proposals, err);
    if (st == L2W_OK)
        st = l2w_store_set_synced(db, name, h[n - 1].number, err);
    free(proposals);
    if ((st = l2w_db_end(db, st, err)) == L2W_OK && n_proposals > 0)
        *new_facts = true;
    return st;
}

