#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/bridge_reads.h"
#include "collector/eth.h"
#include "collector/eth_tx.h"
#include "core/abi.h"
#include "core/hex.h"
#include "core/json.h"
#include "responder/action.h"

/* L2OutputOracle.deleteL2Outputs(index): the CHALLENGER role removes an
 * output and every one after it, so a wrong root can no longer prove
 * withdrawals. The contract refuses a finalized output and any index at or
 * past nextOutputIndex(), and emits OutputsDeleted(prevNextOutputIndex,
 * newNextOutputIndex) with both indexed. */

#define OUTPUTS_DELETED_EVENT "OutputsDeleted(uint256,uint256)"

static l2w_status evidence_string(const l2w_finding *f, const char *key, const char **out, l2w_err *err)
{
    const json_t *v = json_object_get(f->evidence, key);
    if (!json_is_string(v)) {
        l2w_err_set(err, "finding %s: evidence has no %s", f->dedup_key, key);
        return L2W_ERR_INVALID;
    }
    *out = json_string_value(v);
    return L2W_OK;
}

static l2w_status encode_delete(const l2w_u256 *index, l2w_bytes *out, l2w_err *err)
{
    l2w_abi_value arg = l2w_abi_val_uint(index);
    l2w_abi_value args = l2w_abi_val_tuple(&arg, 1);
    return l2w_action_calldata(out, "deleteL2Outputs(uint256)", &args, err);
}

static l2w_status plan(const l2w_finding *f, const l2w_config *cfg, l2w_action_plan *out, l2w_err *err)
{
    (void)cfg;
    memset(out, 0, sizeof *out);
    const char *index_text, *root, *oracle_text, *l1_chain;
    l2w_status st = evidence_string(f, "output_index", &index_text, err);
    if (st == L2W_OK)
        st = evidence_string(f, "posted_output_root", &root, err);
    if (st == L2W_OK)
        st = evidence_string(f, "l2_output_oracle", &oracle_text, err);
    if (st == L2W_OK)
        st = evidence_string(f, "l1_chain", &l1_chain, err);
    l2w_u256 index;
    if (st == L2W_OK && (l2w_u256_from_dec(&index, index_text) != L2W_OK || l2w_addr_from_hex(&out->to, oracle_text) != L2W_OK)) {
        l2w_err_set(err, "finding %s: evidence has a malformed output_index or l2_output_oracle", f->dedup_key);
        st = L2W_ERR_INVALID;
    }
    if (st == L2W_OK)
        st = encode_delete(&index, &out->calldata, err);
    if (st == L2W_OK && !(out->params = json_pack("{s:s, s:s}", "output_index", index_text, "posted_output_root", root)))
        st = L2W_ERR_NOMEM;
    if (st != L2W_OK) {
        l2w_action_plan_clear(out);
        return st;
    }
    /* One deletion per fact answered: the finding's key names the proposal's
     * log (block hash and index), so a proposal re-mined on a new branch after
     * a reorg gets its own answer. */
    snprintf(out->idempotency_key, sizeof out->idempotency_key, "delete_l2_outputs:%s", f->dedup_key);
    snprintf(out->chain, sizeof out->chain, "%s", l1_chain);
    snprintf(out->summary, sizeof out->summary, "deleteL2Outputs(%s) on L2OutputOracle %s (%s)", index_text,
             oracle_text, l1_chain);
    return L2W_OK;
}

static l2w_status params_index(const l2w_action_target *t, l2w_u256 *index, l2w_err *err)
{
    const json_t *v = json_object_get(t->params, "output_index");
    if (!json_is_string(v) || l2w_u256_from_dec(index, json_string_value(v)) != L2W_OK) {
        l2w_err_set(err, "response params: output_index missing or malformed");
        return L2W_ERR_INVALID;
    }
    return L2W_OK;
}

static l2w_status next_output_index(l2w_rpc *rpc, const l2w_addr *oracle, const char *tag, l2w_u256 *out,
                                    l2w_err *err)
{
    uint8_t w[32];
    l2w_status st = l2w_eth_call_words(rpc, oracle, "nextOutputIndex()", NULL, tag, NULL, 1, w, err);
    if (st == L2W_OK)
        l2w_u256_from_be32(out, w);
    return st;
}

static l2w_status still_needed(l2w_rpc *rpc, const l2w_action_target *t, bool *needed, char *note, size_t note_len,
                               l2w_err *err)
{
    l2w_u256 index, next;
    char idx[L2W_U256_DEC_LEN], nxt[L2W_U256_DEC_LEN];
    l2w_status st = params_index(t, &index, err);
    if (st == L2W_OK)
        st = next_output_index(rpc, &t->to, "latest", &next, err);
    if (st != L2W_OK)
        return st;
    l2w_u256_to_dec(idx, &index);
    if (l2w_u256_cmp(&next, &index) <= 0) {
        l2w_u256_to_dec(nxt, &next);
        snprintf(note, note_len, "output %s is no longer on the oracle (nextOutputIndex is %s)", idx, nxt);
        *needed = false;
        return L2W_OK;
    }
    l2w_hash root;
    l2w_u256 l2_block;
    if ((st = l2w_read_l2_output(rpc, &t->to, &index, NULL, &root, &l2_block, err)) != L2W_OK)
        return st;
    const json_t *posted = json_object_get(t->params, "posted_output_root");
    l2w_hash want;
    if (!json_is_string(posted) || l2w_hash_from_hex(&want, json_string_value(posted)) != L2W_OK) {
        l2w_err_set(err, "response params: posted_output_root missing or malformed");
        return L2W_ERR_INVALID;
    }
    *needed = l2w_hash_eq(&root, &want);
    if (!*needed) {
        char now[L2W_HASH_HEX_LEN];
        l2w_hash_to_hex(now, &root);
        snprintf(note, note_len, "output %s now holds %s, not the root this response was for", idx, now);
    }
    return L2W_OK;
}

static bool log_deletes_index(const l2w_evm_log *log, const l2w_action_target *t, const l2w_u256 *index)
{
    if (!l2w_hash_eq(&log->tx_hash, &t->tx_hash) || log->n_topics != 3)
        return false;
    l2w_u256 new_next;
    l2w_u256_from_be32(&new_next, log->topics[2].b);
    return l2w_u256_cmp(&new_next, index) == 0;
}

static l2w_status event_in_block(l2w_rpc *rpc, const l2w_action_target *t, const l2w_u256 *index, bool *found,
                                 l2w_err *err)
{
    l2w_hash topic;
    l2w_status st = l2w_abi_event_topic(&topic, OUTPUTS_DELETED_EVENT, err);
    l2w_evm_log *logs = NULL;
    size_t n = 0;
    if (st == L2W_OK)
        st = l2w_eth_get_logs(rpc, t->mined_block, t->mined_block, &t->to, 1, &topic, 1, &logs, &n, err);
    *found = false;
    for (size_t i = 0; st == L2W_OK && i < n && !*found; i++)
        *found = log_deletes_index(&logs[i], t, index);
    l2w_logs_free(logs, n);
    return st;
}

static l2w_status verify(l2w_rpc *rpc, const l2w_action_target *t, bool *effective, char *note, size_t note_len,
                         l2w_err *err)
{
    l2w_u256 index, before, after;
    bool found = false;
    char tag_before[19], tag_after[19], idx[L2W_U256_DEC_LEN];
    l2w_u64_to_quantity(tag_before, t->mined_block - 1);
    l2w_u64_to_quantity(tag_after, t->mined_block);
    l2w_status st = params_index(t, &index, err);
    if (st == L2W_OK)
        st = event_in_block(rpc, t, &index, &found, err);
    if (st == L2W_OK)
        st = next_output_index(rpc, &t->to, tag_before, &before, err);
    if (st == L2W_OK)
        st = next_output_index(rpc, &t->to, tag_after, &after, err);
    if (st != L2W_OK)
        return st;
    l2w_u256_to_dec(idx, &index);
    bool dropped = l2w_u256_cmp(&before, &index) > 0 && l2w_u256_cmp(&after, &index) <= 0;
    *effective = found && dropped;
    if (!found)
        snprintf(note, note_len, "no OutputsDeleted(_, %s) from the oracle in this transaction", idx);
    else if (!dropped)
        snprintf(note, note_len, "nextOutputIndex did not drop to %s in the mined block", idx);
    else
        snprintf(note, note_len, "OutputsDeleted: nextOutputIndex dropped to %s", idx);
    return L2W_OK;
}

static bool answers(const l2w_finding *f, const l2w_config *cfg)
{
    (void)cfg;
    return strcmp(f->kind, "invalid_output_root") == 0;
}

const l2w_action l2w_action_delete_l2_outputs = {
    .name = "delete_l2_outputs",
    .answers = answers,
    .plan = plan,
    .still_needed = still_needed,
    .verify = verify,
};
