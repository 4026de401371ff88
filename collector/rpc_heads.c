#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collector/rpc_internal.h"
#include "core/json.h"
#include "core/log.h"

/* ------------------------------------------------------------ chain and head */

static l2w_status judge_chain_id(l2w_rpc *rpc, size_t i, uint64_t id, bool *blamed, l2w_err *err)
{
    if (id == rpc->expected_chain_id) {
        l2w_rpc_health_chain_checked(&rpc->health, i, true, l2w_rpc_now_ms());
        return L2W_OK;
    }
    endpoint *e = &rpc->ep[i];
    bool known = rpc->health.ep[i].chain == L2W_RPC_CHAIN_WRONG;
    l2w_err_set(err, "rpc %s %s: endpoint %s serves chain id %llu, the config says %llu", rpc->chain, e->shown,
                e->label, (unsigned long long)id, (unsigned long long)rpc->expected_chain_id);
    l2w_rpc_count_fault(rpc, i, L2W_RPC_FAULT_WRONG_CHAIN);
    (void)l2w_rpc_health_failure(&rpc->health, i, L2W_RPC_FAULT_WRONG_CHAIN, l2w_rpc_now_ms());
    l2w_rpc_show_score(rpc, i, l2w_rpc_now_ms());
    if (l2w_rpc_several(rpc) && !known)
        L2W_UNUSUAL("rpc", rpc->chain, "%s; skipping it", err->msg);
    *blamed = true;
    return L2W_ERR_CONFIG;
}

/* Asks endpoint i its chain id before it is trusted: when first used and
 * after every outage, since what answers after one may be another node. */
l2w_status l2w_rpc_check_chain(l2w_rpc *rpc, size_t i, bool *blamed, l2w_err *err)
{
    json_t *res;
    l2w_status st = l2w_rpc_ask(rpc, i, "eth_chainId", &res, blamed, err);
    if (st != L2W_OK)
        return st;
    uint64_t id;
    st = l2w_json_to_quantity(&id, res, "eth_chainId", err);
    json_decref(res);
    if (st != L2W_OK) {
        l2w_err_prefix(err, "rpc %s %s", rpc->chain, rpc->ep[i].shown);
        l2w_rpc_blame(rpc, i, L2W_RPC_FAULT_MALFORMED, err);
        *blamed = true;
        return st;
    }
    return judge_chain_id(rpc, i, id, blamed, err);
}

static bool another_usable(l2w_rpc *rpc, size_t i)
{
    bool skip[L2W_RPC_MAX_ENDPOINTS] = {false};
    skip[i] = true;
    size_t other;
    return l2w_rpc_health_pick(&rpc->health, l2w_rpc_now_ms(), SIZE_MAX, skip, &other);
}

/* Learns from answers that pass through: an eth_chainId answer is a chain
 * check, an eth_blockNumber answer a head. A wrong chain fails the call; so
 * does a lagging head when another endpoint could answer (may_move). */
l2w_status l2w_rpc_observe(l2w_rpc *rpc, size_t i, const char *method, const json_t *result, bool may_move,
                          bool *blamed, l2w_err *err)
{
    uint64_t v;
    if (rpc->expected_chain_id && strcmp(method, "eth_chainId") == 0) {
        /* An unreadable answer is left to the caller, who names it precisely. */
        if (l2w_json_to_quantity(&v, result, method, NULL) != L2W_OK)
            return L2W_OK;
        return judge_chain_id(rpc, i, v, blamed, err);
    }
    if (rpc->health.max_head_lag == 0 || strcmp(method, "eth_blockNumber") != 0 ||
        l2w_json_to_quantity(&v, result, method, NULL) != L2W_OK)
        return L2W_OK;
    l2w_rpc_note_head(rpc, i, v);
    if (!may_move || !l2w_rpc_health_lagging(&rpc->health, i, l2w_rpc_now_ms()) || !another_usable(rpc, i))
        return L2W_OK;
    l2w_err_set(err, "rpc %s %s: eth_blockNumber: head %llu is more than %llu blocks behind another endpoint's",
                rpc->chain, rpc->ep[i].shown, (unsigned long long)v, (unsigned long long)rpc->health.max_head_lag);
    *blamed = true;
    return L2W_ERR_NOT_READY;
}

/* Reads the heads of the endpoints not in use, at most every
 * PROBE_INTERVAL_MS, from within a call: there is no thread to do it, and a
 * client that makes no calls needs no heads. An endpoint back from backoff
 * is re-checked here too, so it need not fail a real call to come back. */
void l2w_rpc_probe_heads(l2w_rpc *rpc)
{
    if (!l2w_rpc_several(rpc) || rpc->health.max_head_lag == 0)
        return;
    uint64_t now = l2w_rpc_now_ms();
    if (now - rpc->last_probe_ms < PROBE_INTERVAL_MS)
        return;
    rpc->last_probe_ms = now;
    for (size_t i = 0; i < rpc->n; i++) {
        const l2w_rpc_endpoint_health *h = &rpc->health.ep[i];
        if (l2w_rpc_health_in_backoff(&rpc->health, i, now))
            continue;
        if (i == rpc->current && h->head_known && now - h->head_at_ms < PROBE_INTERVAL_MS)
            continue; /* its own answers keep its head fresh */
        l2w_err err = {{0}};
        bool blamed;
        if (l2w_rpc_health_needs_chain_check(&rpc->health, i) && rpc->expected_chain_id &&
            l2w_rpc_check_chain(rpc, i, &blamed, &err) != L2W_OK)
            continue;
        json_t *res;
        if (l2w_rpc_ask(rpc, i, "eth_blockNumber", &res, &blamed, &err) != L2W_OK)
            continue;
        uint64_t head;
        if (l2w_json_to_quantity(&head, res, "eth_blockNumber", &err) != L2W_OK) {
            l2w_err_prefix(&err, "rpc %s %s: probe", rpc->chain, rpc->ep[i].shown);
            l2w_rpc_blame(rpc, i, L2W_RPC_FAULT_MALFORMED, &err);
        } else {
            l2w_rpc_note_head(rpc, i, head);
            l2w_rpc_credit(rpc, i);
        }
        json_decref(res);
    }
}

