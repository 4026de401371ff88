#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/eth.h"
#include "core/hex.h"
#include "core/log.h"
#include "responder/txmgr_internal.h"

/* A mined response: wait for its confirmations, send it again if a reorg
 * removed it, then check on-chain that it did what it was sent for. */

static l2w_status rebroadcast_mined(l2w_txmgr *m, l2w_db *db, l2w_rpc *rpc, l2w_response *r, l2w_err *err)
{
    l2w_attempt *att = NULL;
    size_t n = 0;
    l2w_status st = l2w_response_mark_reorged(db, r->id, err);
    if (st == L2W_OK)
        st = l2w_response_attempts(db, r->id, &att, &n, err);
    l2w_counter_add(m->reorged, 1);
    L2W_UNUSUAL("responder", m->chain->name, "response %lld: its transaction left the canonical chain; sending again",
                (long long)r->id);
    snprintf(r->status, sizeof r->status, "sent");
    for (size_t i = 0; st == L2W_OK && i < n; i++)
        if (l2w_hash_eq(&att[i].tx_hash, &r->tx_hash))
            st = l2w_txmgr_broadcast(m, db, rpc, r, &att[i], false, err);
    l2w_attempts_free(att, n);
    return st;
}

static l2w_status conclude(l2w_txmgr *m, l2w_db *db, l2w_rpc *rpc, l2w_response *r, const l2w_receipt *rc,
                           l2w_err *err)
{
    char note[NOTE_LEN], hash[L2W_HASH_HEX_LEN];
    l2w_hash_to_hex(hash, &r->tx_hash);
    if (!rc->success) {
        snprintf(note, sizeof note, "transaction %s reverted in block %llu", hash, (unsigned long long)rc->block_number);
        return l2w_txmgr_finish(m, db, r, "reverted", note, "response_failed", err);
    }
    const l2w_action *a = l2w_action_by_name(r->action);
    l2w_action_target t = l2w_txmgr_target_of(r);
    bool effective = false;
    char what[NOTE_LEN / 2] = "";
    l2w_status st = a ? a->verify(rpc, &t, &effective, what, sizeof what, err) : L2W_ERR_INVALID;
    if (st != L2W_OK)
        return st;
    snprintf(note, sizeof note, "transaction %s in block %llu: %s", hash, (unsigned long long)rc->block_number, what);
    if (!effective)
        return l2w_txmgr_finish(m, db, r, "failed", note, "response_failed", err);
    l2w_counter_add(m->confirmed, 1);
    l2w_histogram_observe(m->latency, r->age_seconds);
    return l2w_txmgr_finish(m, db, r, "verified", note, "response_landed", err);
}

l2w_status l2w_txmgr_on_mined(l2w_txmgr *m, l2w_db *db, l2w_rpc *rpc, l2w_response *r, bool *waiting, l2w_err *err)
{
    l2w_receipt rc;
    l2w_status st = l2w_eth_receipt(rpc, &r->tx_hash, &rc, err);
    if (st == L2W_ERR_NOT_FOUND)
        return rebroadcast_mined(m, db, rpc, r, err);
    if (st != L2W_OK)
        return st;
    if (rc.block_number != r->mined_block || !l2w_hash_eq(&rc.block_hash, &r->mined_block_hash)) {
        st = l2w_response_mark_mined(db, r->id, &r->tx_hash, rc.block_number, &rc.block_hash, err);
        r->mined_block = rc.block_number;
        r->mined_block_hash = rc.block_hash;
        if (st != L2W_OK)
            return st;
    }
    uint64_t head;
    if ((st = l2w_eth_block_number(rpc, &head, err)) != L2W_OK)
        return st;
    uint64_t depth = head >= rc.block_number ? head - rc.block_number + 1 : 0;
    if (depth < m->chain->txmgr.confirmations) {
        *waiting = true;
        return L2W_OK;
    }
    return conclude(m, db, rpc, r, &rc, err);
}

