#include "responder/txmgr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/finding_store.h"
#include "core/log.h"
#include "responder/txmgr_internal.h"

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
l2w_status l2w_txmgr_finish(l2w_txmgr *m, l2w_db *db, const l2w_response *r, const char *status, const char *note,
                         const char *event, l2w_err *err)
{
    l2w_status st = l2w_db_begin(db, err);
    if (st == L2W_OK)
        st = l2w_response_finish(db, r->id, status, note, err);
    if (st == L2W_OK && event)
        st = l2w_finding_alert(db, r->finding_id, event, m->cfg, err);
    st = l2w_db_end(db, st, err);
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

l2w_action_target l2w_txmgr_target_of(const l2w_response *r)
{
    l2w_action_target t = {.to = r->to, .params = r->params, .has_sender = r->has_sender, .sender = r->sender};
    t.tx_hash = r->tx_hash;
    t.mined_block = r->mined_block;
    return t;
}

l2w_status l2w_txmgr_gas_limit_for(l2w_txmgr *m, l2w_rpc *rpc, const l2w_response *r, const l2w_addr *from,
                                uint64_t *gas, l2w_err *err)
{
    l2w_eth_call_args call = {
        .from = from, .to = &r->to, .data = r->calldata.data, .data_len = r->calldata.len, .value = &r->value};
    uint64_t est;
    l2w_status st = l2w_eth_estimate_gas(rpc, &call, &est, err);
    if (st != L2W_OK)
        return st;
    uint64_t margin = est / 100 * m->chain->txmgr.gas_margin_percent;
    *gas = est + margin;
    return L2W_OK;
}

/* ---- driver --------------------------------------------------------------- */

static l2w_status advance(l2w_txmgr *m, l2w_db *db, l2w_rpc *rpc, l2w_response *r, bool *in_flight, l2w_err *err)
{
    l2w_status st = L2W_OK;
    /* Each stage may hand over to the next at once, so a fresh response is
     * planned, signed and broadcast in one step. */
    if (strcmp(r->status, "planned") == 0)
        st = l2w_txmgr_on_planned(m, db, rpc, r, err);
    if (st == L2W_OK && strcmp(r->status, "nonce_assigned") == 0) {
        *in_flight = true;
        return l2w_txmgr_on_nonce_assigned(m, db, rpc, r, err);
    }
    if (st == L2W_OK && strcmp(r->status, "sent") == 0) {
        *in_flight = true;
        st = l2w_txmgr_on_sent(m, db, rpc, r, err);
    }
    if (st == L2W_OK && strcmp(r->status, "mined") == 0) {
        *in_flight = true;
        st = l2w_txmgr_on_mined(m, db, rpc, r, in_flight, err);
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

