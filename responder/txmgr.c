#include "responder/txmgr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/finding_store.h"
#include "collector/eth.h"
#include "collector/eth_tx.h"
#include "core/hex.h"
#include "core/log.h"
#include "core/metrics.h"
#include "responder/action.h"
#include "responder/failpoint.h"
#include "responder/fees.h"
#include "responder/response_store.h"

#define NOTE_LEN 512

struct l2w_txmgr {
    const l2w_config *cfg;
    const l2w_chain_config *chain;
    const l2w_signers *signers;
    l2w_gauge *pending;
    l2w_counter *sent;
    l2w_counter *confirmed;
    l2w_counter *bumps;
    l2w_counter *reorged;
    l2w_counter *failed;
    l2w_histogram *latency;
};

l2w_status l2w_txmgr_create(l2w_txmgr **out, const l2w_config *cfg, const l2w_chain_config *chain,
                            const l2w_signers *signers, l2w_err *err)
{
    l2w_txmgr *m = calloc(1, sizeof *m);
    if (!m) {
        l2w_err_set(err, "txmgr %s: out of memory", chain->name);
        return L2W_ERR_NOMEM;
    }
    m->cfg = cfg;
    m->chain = chain;
    m->signers = signers;
    char labels[64];
    snprintf(labels, sizeof labels, "chain=\"%s\"", chain->name);
    m->pending = l2w_gauge_get("l2watch_txmgr_pending", "Responses with a transaction in flight", labels);
    m->sent = l2w_counter_get("l2watch_txmgr_sent_total", "Transactions broadcast (first attempts)", labels);
    m->confirmed = l2w_counter_get("l2watch_txmgr_confirmed_total", "Response transactions confirmed", labels);
    m->bumps = l2w_counter_get("l2watch_txmgr_bumps_total", "Fee bumps (replacement transactions)", labels);
    m->reorged = l2w_counter_get("l2watch_txmgr_reorged_total", "Mined response transactions reorged out", labels);
    m->failed = l2w_counter_get("l2watch_txmgr_failures_total", "Responses that ended failed or reverted", labels);
    static const double buckets[] = {1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800};
    m->latency = l2w_histogram_get("l2watch_response_latency_seconds",
                                   "Time from a finding to its response transaction confirmed", labels, buckets,
                                   sizeof buckets / sizeof buckets[0]);
    *out = m;
    return L2W_OK;
}

void l2w_txmgr_destroy(l2w_txmgr *m)
{
    free(m);
}

/* ---- outcomes ------------------------------------------------------------ */

/* One transaction: the response's new status and, for events worth telling,
 * the alert, so an operator never hears of a state the database lacks. */
static l2w_status finish(l2w_txmgr *m, l2w_db *db, const l2w_response *r, const char *status, const char *note,
                         const char *event, l2w_err *err)
{
    l2w_status st = l2w_db_begin(db, err);
    if (st == L2W_OK)
        st = l2w_response_finish(db, r->id, status, note, err);
    if (st == L2W_OK && event)
        st = l2w_finding_alert(db, r->finding_id, event, m->cfg, err);
    if (st == L2W_OK)
        st = l2w_db_commit(db, err);
    else
        l2w_db_rollback(db);
    if (st != L2W_OK)
        return st;
    if (strcmp(status, "failed") == 0 || strcmp(status, "reverted") == 0) {
        l2w_counter_add(m->failed, 1);
        L2W_UNUSUAL("responder", m->chain->name, "response %lld (%s) %s: %s", (long long)r->id, r->action, status,
                    note);
    } else {
        L2W_INFO("responder", m->chain->name, "response %lld (%s) %s: %s", (long long)r->id, r->action, status,
                 note);
    }
    return L2W_OK;
}

static l2w_action_target target_of(const l2w_response *r)
{
    l2w_action_target t = {.to = r->to, .params = r->params, .has_sender = r->has_sender, .sender = r->sender};
    t.tx_hash = r->tx_hash;
    t.mined_block = r->mined_block;
    return t;
}

static l2w_status gas_limit_for(l2w_txmgr *m, l2w_rpc *rpc, const l2w_response *r, const l2w_addr *from,
                                uint64_t *gas, l2w_err *err)
{
    l2w_eth_call_args call = {.from = from, .to = &r->to, .data = r->calldata.data, .data_len = r->calldata.len};
    uint64_t est;
    l2w_status st = l2w_eth_estimate_gas(rpc, &call, &est, err);
    if (st != L2W_OK)
        return st;
    uint64_t margin = est / 100 * m->chain->txmgr.gas_margin_percent;
    *gas = est + margin;
    return L2W_OK;
}

/* ---- planned ------------------------------------------------------------- */

static l2w_status dry_run(l2w_txmgr *m, l2w_db *db, l2w_rpc *rpc, l2w_response *r, const l2w_signer *signer,
                          l2w_err *err)
{
    const l2w_addr *from = signer ? l2w_signer_address(signer) : NULL;
    char note[NOTE_LEN], to[L2W_ADDR_HEX_LEN], sender[L2W_ADDR_HEX_LEN] = "(no signer configured)";
    l2w_addr_to_hex(to, &r->to);
    if (from)
        l2w_addr_to_hex(sender, from);
    uint64_t gas = 0;
    l2w_err gerr = {{0}};
    l2w_status st = gas_limit_for(m, rpc, r, from, &gas, &gerr);
    if (st == L2W_ERR_RPC)
        snprintf(note, sizeof note, "dry run: the call to %s from %s would fail: %.300s", to, sender, gerr.msg);
    else if (st == L2W_OK)
        snprintf(note, sizeof note, "dry run: would call %s from %s with gas limit %llu", to, sender,
                 (unsigned long long)gas);
    else {
        *err = gerr;
        return st;
    }
    if (gas && (st = l2w_response_set_gas(db, r->id, from, gas, err)) != L2W_OK)
        return st;
    return finish(m, db, r, "dry_run", note, "response_dry_run", err);
}

static l2w_status take_nonce(l2w_txmgr *m, l2w_db *db, l2w_rpc *rpc, l2w_response *r, const l2w_signer *signer,
                             l2w_err *err)
{
    const l2w_addr *from = l2w_signer_address(signer);
    uint64_t gas, pending;
    l2w_err gerr = {{0}};
    l2w_status st = gas_limit_for(m, rpc, r, from, &gas, &gerr);
    if (st == L2W_ERR_RPC) {
        /* The node says the call reverts: no nonce is spent on it. */
        char note[NOTE_LEN];
        snprintf(note, sizeof note, "not sent: eth_estimateGas says the call fails: %.400s", gerr.msg);
        return finish(m, db, r, "failed", note, "response_failed", err);
    }
    if (st != L2W_OK) {
        *err = gerr;
        return st;
    }
    if ((st = l2w_eth_nonce(rpc, from, true, &pending, err)) != L2W_OK)
        return st;
    if ((st = l2w_db_begin(db, err)) != L2W_OK)
        return st;
    st = l2w_response_set_gas(db, r->id, from, gas, err);
    if (st == L2W_OK)
        st = l2w_response_assign_nonce(db, r->id, m->chain->name, from, pending, &r->nonce, err);
    if (st == L2W_OK)
        st = l2w_db_commit(db, err);
    else
        l2w_db_rollback(db);
    if (st != L2W_OK)
        return st;
    r->has_nonce = true;
    r->gas_limit = gas;
    r->has_sender = true;
    r->sender = *from;
    snprintf(r->status, sizeof r->status, "nonce_assigned");
    L2W_INFO("responder", m->chain->name, "response %lld: nonce %llu, gas limit %llu", (long long)r->id,
             (unsigned long long)r->nonce, (unsigned long long)gas);
    return L2W_OK;
}

static l2w_status on_planned(l2w_txmgr *m, l2w_db *db, l2w_rpc *rpc, l2w_response *r, l2w_err *err)
{
    const l2w_action *a = l2w_action_by_name(r->action);
    if (!a)
        return finish(m, db, r, "failed", "this l2watch version does not know the action", "response_failed", err);
    l2w_action_target t = target_of(r);
    bool needed = true;
    char note[NOTE_LEN] = "";
    l2w_status st = a->still_needed(rpc, &t, &needed, note, sizeof note, err);
    if (st != L2W_OK)
        return st;
    if (!needed)
        return finish(m, db, r, "not_needed", note, NULL, err);
    l2w_signer *signer = r->signer[0] ? l2w_signers_find(m->signers, r->signer) : NULL;
    if (strcmp(r->mode, "dry-run") == 0)
        return dry_run(m, db, rpc, r, signer, err);
    if (!signer) {
        snprintf(note, sizeof note, "signer \"%s\" is not loaded", r->signer);
        return finish(m, db, r, "failed", note, "response_failed", err);
    }
    return take_nonce(m, db, rpc, r, signer, err);
}

/* ---- signing and broadcast ----------------------------------------------- */

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

/* Broadcasts a stored attempt and records that a node has it. */
static l2w_status broadcast(l2w_txmgr *m, l2w_db *db, l2w_rpc *rpc, const l2w_response *r, const l2w_attempt *a,
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
    if (st == L2W_OK)
        st = l2w_db_commit(db, err);
    else
        l2w_db_rollback(db);
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

static l2w_status on_nonce_assigned(l2w_txmgr *m, l2w_db *db, l2w_rpc *rpc, l2w_response *r, l2w_err *err)
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
        st = broadcast(m, db, rpc, r, &att[n - 1], false, err);
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
    if (st == L2W_ERR_RANGE) {
        L2W_UNUSUAL("responder", m->chain->name,
                    "response %lld: at the fee cap of %llu gwei and still not mined; re-broadcasting",
                    (long long)r->id, (unsigned long long)m->chain->txmgr.fee_cap_gwei);
        return broadcast(m, db, rpc, r, last, false, err);
    }
    if (st == L2W_OK)
        st = sign_attempt(m, db, r, last->attempt + 1, &fees, err);
    l2w_attempt *att = NULL;
    size_t n = 0;
    if (st == L2W_OK)
        st = l2w_response_attempts(db, r->id, &att, &n, err);
    if (st == L2W_OK)
        st = broadcast(m, db, rpc, r, &att[n - 1], true, err);
    l2w_attempts_free(att, n);
    return st;
}

static l2w_status on_sent(l2w_txmgr *m, l2w_db *db, l2w_rpc *rpc, l2w_response *r, l2w_err *err)
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
        st = finish(m, db, r, "failed", note, "response_failed", err);
    } else if (st == L2W_OK && att[n - 1].age_seconds * 1000.0 >= m->chain->txmgr.resubmit_after_ms) {
        st = bump(m, db, rpc, r, &att[n - 1], err);
    } else if (st == L2W_OK && !att[n - 1].sent) {
        st = broadcast(m, db, rpc, r, &att[n - 1], false, err);
    }
    l2w_attempts_free(att, n);
    return st;
}

/* ---- mined: confirmations, reorgs, effect ---------------------------------- */

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
            st = broadcast(m, db, rpc, r, &att[i], false, err);
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
        return finish(m, db, r, "reverted", note, "response_failed", err);
    }
    const l2w_action *a = l2w_action_by_name(r->action);
    l2w_action_target t = target_of(r);
    bool effective = false;
    char what[NOTE_LEN / 2] = "";
    l2w_status st = a ? a->verify(rpc, &t, &effective, what, sizeof what, err) : L2W_ERR_INVALID;
    if (st != L2W_OK)
        return st;
    snprintf(note, sizeof note, "transaction %s in block %llu: %s", hash, (unsigned long long)rc->block_number, what);
    if (!effective)
        return finish(m, db, r, "failed", note, "response_failed", err);
    l2w_counter_add(m->confirmed, 1);
    l2w_histogram_observe(m->latency, r->age_seconds);
    return finish(m, db, r, "verified", note, "response_landed", err);
}

static l2w_status on_mined(l2w_txmgr *m, l2w_db *db, l2w_rpc *rpc, l2w_response *r, bool *waiting, l2w_err *err)
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

/* ---- driver --------------------------------------------------------------- */

static l2w_status advance(l2w_txmgr *m, l2w_db *db, l2w_rpc *rpc, l2w_response *r, bool *in_flight, l2w_err *err)
{
    l2w_status st = L2W_OK;
    /* Each stage may hand over to the next at once, so a fresh response is
     * planned, signed and broadcast in one step. */
    if (strcmp(r->status, "planned") == 0)
        st = on_planned(m, db, rpc, r, err);
    if (st == L2W_OK && strcmp(r->status, "nonce_assigned") == 0) {
        *in_flight = true;
        return on_nonce_assigned(m, db, rpc, r, err);
    }
    if (st == L2W_OK && strcmp(r->status, "sent") == 0) {
        *in_flight = true;
        st = on_sent(m, db, rpc, r, err);
    }
    if (st == L2W_OK && strcmp(r->status, "mined") == 0) {
        *in_flight = true;
        st = on_mined(m, db, rpc, r, in_flight, err);
    }
    return st;
}

l2w_status l2w_txmgr_step(l2w_txmgr *m, l2w_db *db, l2w_rpc *rpc, bool *in_flight, l2w_err *err)
{
    *in_flight = false;
    int64_t after = 0;
    l2w_status result = L2W_OK;
    for (;;) {
        l2w_response r;
        l2w_status st = l2w_responses_next_open(db, m->chain->name, after, &r, err);
        if (st == L2W_ERR_NOT_FOUND)
            break;
        if (st != L2W_OK)
            return st;
        after = r.id;
        l2w_err one = {{0}};
        st = advance(m, db, rpc, &r, in_flight, &one);
        if (st != L2W_OK) {
            l2w_err_set(err, "response %lld (%s): %s", (long long)r.id, r.action, one.msg);
            result = st;
            /* Best effort: the operator sees why it waits; the retry does not
             * depend on this write, whose own failure the next step reports. */
            if (l2w_response_note(db, r.id, one.msg, NULL) != L2W_OK)
                L2W_DEBUG("responder", m->chain->name, "response %lld: could not record its note", (long long)r.id);
        }
        l2w_response_clear(&r);
    }
    int64_t count = 0;
    if (l2w_responses_in_flight(db, m->chain->name, &count, NULL) == L2W_OK)
        l2w_gauge_set(m->pending, (double)count);
    return result;
}
