#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hex.h"
#include "core/log.h"
#include "responder/txmgr_internal.h"

/* A planned response: still needed? Then a dry run is recorded and alerted,
 * or, when the policy is on, the call is estimated and a nonce reserved. */

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
    l2w_status st = l2w_txmgr_gas_limit_for(m, rpc, r, from, &gas, &gerr);
    if (st == L2W_ERR_RPC) {
        snprintf(note, sizeof note, "dry run: the call to %s from %s would fail: %.300s", to, sender, gerr.msg);
    } else if (st == L2W_OK) {
        char value[L2W_U256_DEC_LEN];
        l2w_u256_to_dec(value, &r->value);
        snprintf(note, sizeof note, "dry run: would call %s from %s with gas limit %llu and %s wei", to, sender,
                 (unsigned long long)gas, value);
    } else {
        *err = gerr;
        return st;
    }
    if (gas && (st = l2w_response_set_gas(db, r->id, from, gas, err)) != L2W_OK)
        return st;
    return l2w_txmgr_finish(m, db, r, "dry_run", note, "response_dry_run", err);
}

static l2w_status take_nonce(l2w_txmgr *m, l2w_db *db, l2w_rpc *rpc, l2w_response *r, const l2w_signer *signer,
                             l2w_err *err)
{
    const l2w_addr *from = l2w_signer_address(signer);
    uint64_t gas, pending;
    l2w_err gerr = {{0}};
    l2w_status st = l2w_txmgr_gas_limit_for(m, rpc, r, from, &gas, &gerr);
    if (st == L2W_ERR_RPC) {
        /* The node says the call reverts: no nonce is spent on it. */
        char note[NOTE_LEN];
        snprintf(note, sizeof note, "not sent: eth_estimateGas says the call fails: %.400s", gerr.msg);
        return l2w_txmgr_finish(m, db, r, "failed", note, "response_failed", err);
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
    st = l2w_db_end(db, st, err);
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

l2w_status l2w_txmgr_on_planned(l2w_txmgr *m, l2w_db *db, l2w_rpc *rpc, l2w_response *r, l2w_err *err)
{
    const l2w_action *a = l2w_action_by_name(r->action);
    if (!a)
        return l2w_txmgr_finish(m, db, r, "failed", "this l2watch version does not know the action", "response_failed", err);
    l2w_action_target t = l2w_txmgr_target_of(r);
    bool needed = true;
    char note[NOTE_LEN] = "";
    l2w_status st = a->still_needed(rpc, &t, &needed, note, sizeof note, err);
    if (st != L2W_OK)
        return st;
    if (!needed)
        return l2w_txmgr_finish(m, db, r, "not_needed", note, NULL, err);
    l2w_signer *signer = r->signer[0] ? l2w_signers_find(m->signers, r->signer) : NULL;
    if (strcmp(r->mode, "dry-run") == 0)
        return dry_run(m, db, rpc, r, signer, err);
    if (!signer) {
        snprintf(note, sizeof note, "signer \"%s\" is not loaded", r->signer);
        return l2w_txmgr_finish(m, db, r, "failed", note, "response_failed", err);
    }
    return take_nonce(m, db, rpc, r, signer, err);
}

