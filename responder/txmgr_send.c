#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/finding_store.h"
#include "core/hex.h"
#include "core/log.h"
#include "responder/failpoint.h"
#include "responder/fees.h"
#include "responder/txmgr_internal.h"

/* Getting a response's transaction mined: sign (only when nothing is stored
 * yet), store, broadcast; then follow receipts and replace the transaction
 * with higher fees when it waits too long. */

static l2w_status sign_attempt(l2w_txmgr *m, l2w_db *db, const l2w_response *r, int attempt, const l2w_fees *fees,
                               l2w_err *err)
{
    l2w_signer *signer = l2w_signers_find(m->signers, r->signer);
    if (!signer) {
        l2w_err_set(err, "response %lld: signer \"%s\" is not loaded; its nonce %llu waits for it", (long long)r->id,
                    r->signer, (unsigned long long)r->nonce);
        return L2W_ERR_CONFIG;
    }
    l2w_tx tx;
    memset(&tx, 0, sizeof tx);
    tx.type = L2W_TX_EIP1559;
    tx.chain_id = m->chain->chain_id;
    tx.nonce = r->nonce;
    tx.max_priority_fee_per_gas = fees->tip;
    tx.max_fee_per_gas = fees->max_fee;
    tx.gas_limit = r->gas_limit;
    tx.has_to = true;
    tx.to = r->to;
    tx.data = r->calldata.data;
    tx.data_len = r->calldata.len;
    tx.value = r->value;
    l2w_bytes raw = L2W_BYTES_INIT;
    l2w_hash hash;
    l2w_failpoint("before_sign");
    l2w_status st = l2w_signer_sign_tx(signer, &tx, &raw, &hash, err);
    if (st == L2W_OK)
        st = l2w_response_add_attempt(db, r->id, attempt, &hash, &raw, fees, err);
    l2w_bytes_free(&raw);
    if (st == L2W_OK)
        l2w_failpoint("after_sign");
    return st;
}

/* A response racing a deadline pays more the less of its window is left. */
static l2w_status urgent(l2w_txmgr *m, const l2w_response *r, const l2w_fee_market *market, l2w_fees *fees)
{
    unsigned u = l2w_fees_urgency(r->window_start, r->deadline, time(NULL));
    if (u == 0)
        return L2W_OK;
    bool capped;
    l2w_status st = l2w_fees_urgent(fees, market, &m->chain->txmgr, u, &capped);
    if (st == L2W_OK)
        L2W_INFO("responder", m->chain->name, "response %lld: %u.%u%% of its window used; tip raised", (long long)r->id,
                 u / 10, u % 10);
    return st;
}

/* Broadcasts a stored attempt and records that a node has it. */
l2w_status l2w_txmgr_broadcast(l2w_txmgr *m, l2w_db *db, l2w_rpc *rpc, const l2w_response *r, const l2w_attempt *a,
                            bool bumped, l2w_err *err)
{
    l2w_send_outcome outcome;
    l2w_status st = l2w_eth_send_raw(rpc, a->raw.data, a->raw.len, &a->tx_hash, &outcome, err);
    if (st != L2W_OK)
        return st;
    l2w_failpoint("after_send");
    bool first = strcmp(r->status, "nonce_assigned") == 0;
    if ((st = l2w_db_begin(db, err)) != L2W_OK)
        return st;
    st = l2w_response_mark_sent(db, r->id, &a->tx_hash, bumped, err);
    if (st == L2W_OK && first)
        st = l2w_finding_alert(db, r->finding_id, "response_sent", m->cfg, err);
    st = l2w_db_end(db, st, err);
    if (st != L2W_OK)
        return st;
    char hash[L2W_HASH_HEX_LEN];
    l2w_hash_to_hex(hash, &a->tx_hash);
    L2W_INFO("responder", m->chain->name, "response %lld: attempt %d %s broadcast (%s), nonce %llu",
             (long long)r->id, a->attempt, hash, l2w_send_outcome_name(outcome), (unsigned long long)r->nonce);
    if (first)
        l2w_counter_add(m->sent, 1);
    if (bumped)
        l2w_counter_add(m->bumps, 1);
    return L2W_OK;
}

l2w_status l2w_txmgr_on_nonce_assigned(l2w_txmgr *m, l2w_db *db, l2w_rpc *rpc, l2w_response *r, l2w_err *err)
{
    l2w_attempt *att = NULL;
    size_t n = 0;
    l2w_status st = l2w_response_attempts(db, r->id, &att, &n, err);
    if (st == L2W_OK && n == 0) {
        /* Nothing was signed yet, so nothing can have been broadcast: sign
         * the first attempt with today's fees. */
        l2w_fee_market market;
        l2w_fees fees;
        bool capped;
        st = l2w_eth_fee_market(rpc, &market, err);
        if (st == L2W_OK)
            st = l2w_fees_initial(&market, &m->chain->txmgr, &fees, &capped);
        if (st == L2W_OK)
            st = urgent(m, r, &market, &fees);
        if (st == L2W_OK)
            st = sign_attempt(m, db, r, 1, &fees, err);
        if (st == L2W_OK) {
            l2w_attempts_free(att, n);
            att = NULL;
            st = l2w_response_attempts(db, r->id, &att, &n, err);
        }
    }
    /* Otherwise a crash came between signing and recording the broadcast:
     * send the stored bytes again (a node that has them says so). */
    if (st == L2W_OK && n > 0)
        st = l2w_txmgr_broadcast(m, db, rpc, r, &att[n - 1], false, err);
    l2w_attempts_free(att, n);
    return st;
}

/* ---- sent: receipts, bumps ------------------------------------------------ */

static l2w_status find_mined(l2w_rpc *rpc, const l2w_attempt *att, size_t n, size_t *which, l2w_receipt *rc,
                             bool *found, l2w_err *err)
{
    *found = false;
    for (size_t i = n; i-- > 0;) {
        l2w_status st = l2w_eth_receipt(rpc, &att[i].tx_hash, rc, err);
        if (st == L2W_ERR_NOT_FOUND)
            continue;
        if (st != L2W_OK)
            return st;
        *which = i;
        *found = true;
        return L2W_OK;
    }
    return L2W_OK;
}

static l2w_status bump(l2w_txmgr *m, l2w_db *db, l2w_rpc *rpc, const l2w_response *r, const l2w_attempt *last,
                       l2w_err *err)
{
    l2w_fee_market market;
    l2w_fees fees;
    bool capped;
    l2w_status st = l2w_eth_fee_market(rpc, &market, err);
    if (st != L2W_OK)
        return st;
    st = l2w_fees_bump(&last->fees, &market, &m->chain->txmgr, &fees, &capped);
    if (st == L2W_OK)
        st = urgent(m, r, &market, &fees);
    if (st == L2W_ERR_RANGE) {
        L2W_UNUSUAL("responder", m->chain->name,
                    "response %lld: at the fee cap of %llu gwei and still not mined; re-broadcasting",
                    (long long)r->id, (unsigned long long)m->chain->txmgr.fee_cap_gwei);
        return l2w_txmgr_broadcast(m, db, rpc, r, last, false, err);
    }
    if (st == L2W_OK)
        st = sign_attempt(m, db, r, last->attempt + 1, &fees, err);
    l2w_attempt *att = NULL;
    size_t n = 0;
    if (st == L2W_OK)
        st = l2w_response_attempts(db, r->id, &att, &n, err);
    if (st == L2W_OK)
        st = l2w_txmgr_broadcast(m, db, rpc, r, &att[n - 1], true, err);
    l2w_attempts_free(att, n);
    return st;
}

l2w_status l2w_txmgr_on_sent(l2w_txmgr *m, l2w_db *db, l2w_rpc *rpc, l2w_response *r, l2w_err *err)
{
    l2w_failpoint("before_receipt");
    l2w_attempt *att = NULL;
    size_t n = 0, which = 0;
    l2w_receipt rc;
    bool found = false;
    uint64_t mined_nonce = 0;
    l2w_status st = l2w_response_attempts(db, r->id, &att, &n, err);
    if (st == L2W_OK && n == 0) {
        l2w_err_set(err, "response %lld is sent but has no stored transaction", (long long)r->id);
        st = L2W_ERR_DB;
    }
    /* Read the nonce first: if it has moved past ours and still none of our
     * attempts has a receipt afterwards, a foreign transaction took it. */
    if (st == L2W_OK)
        st = l2w_eth_nonce(rpc, &r->sender, false, &mined_nonce, err);
    if (st == L2W_OK)
        st = find_mined(rpc, att, n, &which, &rc, &found, err);
    if (st == L2W_OK && found) {
        st = l2w_response_mark_mined(db, r->id, &att[which].tx_hash, rc.block_number, &rc.block_hash, err);
        if (st == L2W_OK) {
            snprintf(r->status, sizeof r->status, "mined");
            r->tx_hash = att[which].tx_hash;
            r->has_tx_hash = true;
            r->mined_block = rc.block_number;
            r->mined_block_hash = rc.block_hash;
            r->has_mined = true;
        }
    } else if (st == L2W_OK && mined_nonce > r->nonce) {
        char note[NOTE_LEN];
        snprintf(note, sizeof note, "nonce %llu was used by a transaction l2watch did not sign",
                 (unsigned long long)r->nonce);
        st = l2w_txmgr_finish(m, db, r, "failed", note, "response_failed", err);
    } else if (st == L2W_OK &&
               att[n - 1].age_seconds * 1000.0 >= l2w_fees_resubmit_ms(&m->chain->txmgr, r->deadline, time(NULL))) {
        st = bump(m, db, rpc, r, &att[n - 1], err);
    } else if (st == L2W_OK && !att[n - 1].sent) {
        st = l2w_txmgr_broadcast(m, db, rpc, r, &att[n - 1], false, err);
    }
    l2w_attempts_free(att, n);
    return st;
}

