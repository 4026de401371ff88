#include "collector/eth_tx.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "collector/eth.h"
#include "core/abi.h"
#include "core/hex.h"
#include "core/json.h"

#define FEE_HISTORY_BLOCKS 10
#define MAX_CALL_RESULT (1024 * 1024)

l2w_status l2w_eth_nonce(l2w_rpc *rpc, const l2w_addr *account, bool pending, uint64_t *out, l2w_err *err)
{
    json_t *params = json_pack("[o, s]", l2w_json_addr(account), pending ? "pending" : "latest");
    return l2w_eth_quantity_call(rpc, "eth_getTransactionCount", params, out, err);
}

static l2w_status median_tip(const json_t *reward, l2w_u256 *tip, l2w_err *err)
{
    /* reward is [[p50], [p50], ...]; take the median of the per-block medians
     * so one block of outliers does not set our price. */
    size_t n = json_is_array(reward) ? json_array_size(reward) : 0;
    l2w_u256 v[FEE_HISTORY_BLOCKS];
    size_t k = 0;
    for (size_t i = 0; i < n && k < FEE_HISTORY_BLOCKS; i++) {
        const json_t *row = json_array_get(reward, i);
        const json_t *r = json_is_array(row) ? json_array_get(row, 0) : NULL;
        if (!json_is_string(r) || l2w_u256_from_hex(&v[k], json_string_value(r)) != L2W_OK) {
            l2w_err_set(err, "eth_feeHistory: reward[%zu] is not a hex quantity", i);
            return L2W_ERR_PROTOCOL;
        }
        k++;
    }
    for (size_t i = 1; i < k; i++)
        for (size_t j = i; j > 0 && l2w_u256_cmp(&v[j - 1], &v[j]) > 0; j--) {
            l2w_u256 t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    *tip = k ? v[k / 2] : l2w_u256_from_u64(0);
    return L2W_OK;
}

l2w_status l2w_eth_fee_market(l2w_rpc *rpc, l2w_fee_market *out, l2w_err *err)
{
    json_t *res;
    json_t *params = json_pack("[i, s, [i]]", FEE_HISTORY_BLOCKS, "latest", 50);
    l2w_status st = l2w_rpc_call(rpc, &res, "eth_feeHistory", params, err);
    if (st != L2W_OK)
        return st;
    const json_t *base = json_object_get(res, "baseFeePerGas");
    size_t n = json_is_array(base) ? json_array_size(base) : 0;
    const json_t *last = n ? json_array_get(base, n - 1) : NULL;
    if (!json_is_string(last) || l2w_u256_from_hex(&out->next_base_fee, json_string_value(last)) != L2W_OK) {
        l2w_err_set(err, "eth_feeHistory: baseFeePerGas is missing or not a list of hex quantities");
        st = L2W_ERR_PROTOCOL;
    } else {
        st = median_tip(json_object_get(res, "reward"), &out->tip, err);
    }
    json_decref(res);
    return st;
}

static json_t *call_object(const l2w_eth_call_args *a)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    int bad = 0;
    if (a->from)
        bad |= json_object_set_new(o, "from", l2w_json_addr(a->from));
    bad |= json_object_set_new(o, "to", l2w_json_addr(a->to));
    bad |= json_object_set_new(o, "data", l2w_json_hex(a->data, a->data_len));
    if (a->value && !l2w_u256_is_zero(a->value)) {
        char q[L2W_U256_HEX_LEN];
        l2w_u256_to_hex(q, a->value);
        bad |= json_object_set_new(o, "value", json_string(q));
    }
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

l2w_status l2w_eth_estimate_gas(l2w_rpc *rpc, const l2w_eth_call_args *args, uint64_t *gas, l2w_err *err)
{
    return l2w_eth_quantity_call(rpc, "eth_estimateGas", json_pack("[o]", call_object(args)), gas, err);
}

/* The block a call runs against: a tag or number as text, or (EIP-1898) a
 * block hash, so that a read belongs to exactly the block a fact came from. */
static json_t *block_param(const char *block_tag, const l2w_hash *block_hash)
{
    if (block_hash)
        return json_pack("{s:o, s:b}", "blockHash", l2w_json_hash(block_hash), "requireCanonical", 1);
    return json_string(block_tag);
}

l2w_status l2w_eth_call(l2w_rpc *rpc, const l2w_eth_call_args *args, const char *block_tag, uint8_t **out,
                        size_t *out_len, l2w_err *err)
{
    return l2w_eth_call_at(rpc, args, block_tag, NULL, out, out_len, err);
}

l2w_status l2w_eth_call_at(l2w_rpc *rpc, const l2w_eth_call_args *args, const char *block_tag,
                           const l2w_hash *block_hash, uint8_t **out, size_t *out_len, l2w_err *err)
{
    json_t *res;
    l2w_status st = l2w_rpc_call(rpc, &res, "eth_call", json_pack("[o, o]", call_object(args),
                                                                  block_param(block_tag, block_hash)), err);
    if (st != L2W_OK)
        return st;
    json_t *wrap = json_pack("{s: O}", "result", res);
    st = wrap ? l2w_json_get_data(out, out_len, wrap, "result", MAX_CALL_RESULT, err) : L2W_ERR_NOMEM;
    json_decref(wrap);
    json_decref(res);
    if (st != L2W_OK)
        l2w_err_prefix(err, "eth_call");
    return st;
}

l2w_status l2w_eth_call_words(l2w_rpc *rpc, const l2w_addr *to, const char *signature, const uint8_t *arg,
                              const char *block_tag, const l2w_hash *block_hash, size_t words, uint8_t *out,
                              l2w_err *err)
{
    uint8_t data[4 + 32];
    l2w_status st = l2w_abi_selector(data, signature, err);
    if (st != L2W_OK)
        return st;
    if (arg)
        memcpy(data + 4, arg, 32);
    l2w_eth_call_args args = {.to = to, .data = data, .data_len = arg ? sizeof data : 4};
    uint8_t *ret = NULL;
    size_t len = 0;
    if ((st = l2w_eth_call_at(rpc, &args, block_tag, block_hash, &ret, &len, err)) != L2W_OK)
        return st;
    if (len != 32 * words) {
        l2w_err_set(err, "%s: expected %zu bytes back, got %zu", signature, 32 * words, len);
        st = L2W_ERR_PROTOCOL;
    } else {
        memcpy(out, ret, len);
    }
    free(ret);
    return st;
}

l2w_status l2w_eth_balance_at(l2w_rpc *rpc, const l2w_addr *account, const char *block_tag,
                              const l2w_hash *block_hash, l2w_u256 *out, l2w_err *err)
{
    json_t *res;
    l2w_status st = l2w_rpc_call(rpc, &res, "eth_getBalance",
                                 json_pack("[o, o]", l2w_json_addr(account), block_param(block_tag, block_hash)), err);
    if (st != L2W_OK)
        return st;
    json_t *wrap = json_pack("{s: O}", "result", res);
    st = wrap ? l2w_json_get_u256(out, wrap, "result", err) : L2W_ERR_NOMEM;
    json_decref(wrap);
    json_decref(res);
    if (st != L2W_OK)
        l2w_err_prefix(err, "eth_getBalance");
    return st;
}

const char *l2w_send_outcome_name(l2w_send_outcome o)
{
    switch (o) {
    case L2W_SEND_ACCEPTED:
        return "accepted";
    case L2W_SEND_KNOWN:
        return "already known";
    case L2W_SEND_NONCE_USED:
        return "nonce already used";
    case L2W_SEND_UNDERPRICED:
        return "underpriced";
    }
    return "?";
}

/* Nodes word these differently (geth, reth, anvil, erigon); match the
 * phrases they share. */
static bool classify_rejection(const char *msg, l2w_send_outcome *outcome)
{
    static const struct {
        const char *phrase;
        l2w_send_outcome outcome;
    } table[] = {
        {"already known", L2W_SEND_KNOWN},       {"already imported", L2W_SEND_KNOWN},
        {"known transaction", L2W_SEND_KNOWN},   {"nonce too low", L2W_SEND_NONCE_USED},
        {"underpriced", L2W_SEND_UNDERPRICED},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strcasestr(msg, table[i].phrase)) {
            *outcome = table[i].outcome;
            return true;
        }
    return false;
}

l2w_status l2w_eth_send_raw(l2w_rpc *rpc, const uint8_t *raw, size_t len, const l2w_hash *expect_hash,
                            l2w_send_outcome *outcome, l2w_err *err)
{
    json_t *res;
    l2w_status st = l2w_rpc_call(rpc, &res, "eth_sendRawTransaction", json_pack("[o]", l2w_json_hex(raw, len)), err);
    if (st == L2W_ERR_RPC && err && classify_rejection(err->msg, outcome))
        return L2W_OK;
    if (st != L2W_OK)
        return st;
    l2w_hash got;
    st = l2w_json_to_hash(&got, res, "eth_sendRawTransaction", err);
    json_decref(res);
    if (st != L2W_OK)
        return st;
    if (!l2w_hash_eq(&got, expect_hash)) {
        char a[L2W_HASH_HEX_LEN], b[L2W_HASH_HEX_LEN];
        l2w_hash_to_hex(a, &got);
        l2w_hash_to_hex(b, expect_hash);
        l2w_err_set(err, "eth_sendRawTransaction: node answered hash %s for transaction %s", a, b);
        return L2W_ERR_PROTOCOL;
    }
    *outcome = L2W_SEND_ACCEPTED;
    return L2W_OK;
}

l2w_status l2w_eth_receipt(l2w_rpc *rpc, const l2w_hash *tx_hash, l2w_receipt *out, l2w_err *err)
{
    json_t *res;
    l2w_status st = l2w_rpc_call(rpc, &res, "eth_getTransactionReceipt", json_pack("[o]", l2w_json_hash(tx_hash)), err);
    if (st != L2W_OK)
        return st;
    if (json_is_null(res)) {
        json_decref(res);
        return L2W_ERR_NOT_FOUND;
    }
    uint64_t status = 0;
    l2w_hash got;
    st = l2w_json_get_hash(&got, res, "transactionHash", err);
    if (st == L2W_OK)
        st = l2w_json_get_quantity(&status, res, "status", err);
    if (st == L2W_OK)
        st = l2w_json_get_quantity(&out->block_number, res, "blockNumber", err);
    if (st == L2W_OK)
        st = l2w_json_get_hash(&out->block_hash, res, "blockHash", err);
    if (st == L2W_OK)
        st = l2w_json_get_quantity(&out->gas_used, res, "gasUsed", err);
    json_decref(res);
    if (st != L2W_OK) {
        l2w_err_prefix(err, "eth_getTransactionReceipt");
        return L2W_ERR_PROTOCOL;
    }
    if (!l2w_hash_eq(&got, tx_hash) || status > 1) {
        l2w_err_set(err, "eth_getTransactionReceipt: answer is for another transaction or has status %llu",
                    (unsigned long long)status);
        return L2W_ERR_PROTOCOL;
    }
    out->success = status == 1;
    return L2W_OK;
}
