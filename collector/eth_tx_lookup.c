#include "collector/eth_tx_lookup.h"

#include <stdlib.h>
#include <string.h>

#include "core/json.h"

void l2w_eth_tx_seen_clear(l2w_eth_tx_seen *t)
{
    free(t->input);
    memset(t, 0, sizeof *t);
}

static l2w_status parse(const json_t *res, const l2w_hash *tx_hash, size_t max_input, l2w_eth_tx_seen *out,
                        l2w_err *err)
{
    l2w_hash got;
    l2w_status st = l2w_json_get_hash(&got, res, "hash", err);
    if (st == L2W_OK && !l2w_hash_eq(&got, tx_hash)) {
        l2w_err_set(err, "the answer is for another transaction");
        return L2W_ERR_PROTOCOL;
    }
    const json_t *bh = json_object_get(res, "blockHash");
    if (st == L2W_OK && (!bh || json_is_null(bh)))
        return L2W_ERR_NOT_FOUND; /* still pending on this node */
    if (st == L2W_OK)
        st = l2w_json_get_hash(&out->block_hash, res, "blockHash", err);
    if (st == L2W_OK)
        st = l2w_json_get_quantity(&out->block_number, res, "blockNumber", err);
    if (st == L2W_OK)
        st = l2w_json_get_addr(&out->from, res, "from", err);
    const json_t *to = json_object_get(res, "to");
    out->has_to = to && !json_is_null(to);
    if (st == L2W_OK && out->has_to)
        st = l2w_json_get_addr(&out->to, res, "to", err);
    if (st == L2W_OK)
        st = l2w_json_get_data(&out->input, &out->input_len, res, "input", max_input, err);
    return st;
}

l2w_status l2w_eth_transaction(l2w_rpc *rpc, const l2w_hash *tx_hash, size_t max_input, l2w_eth_tx_seen *out,
                               l2w_err *err)
{
    memset(out, 0, sizeof *out);
    json_t *res;
    l2w_status st = l2w_rpc_call(rpc, &res, "eth_getTransactionByHash", json_pack("[o]", l2w_json_hash(tx_hash)), err);
    if (st != L2W_OK)
        return st;
    if (json_is_null(res)) {
        json_decref(res);
        l2w_err_set(err, "eth_getTransactionByHash: the node does not know the transaction");
        return L2W_ERR_NOT_FOUND;
    }
    bool is_object = json_is_object(res);
    if (is_object)
        st = parse(res, tx_hash, max_input, out, err);
    else
        st = L2W_ERR_PROTOCOL;
    json_decref(res);
    if (st == L2W_ERR_NOT_FOUND) {
        l2w_err_set(err, "eth_getTransactionByHash: the transaction is not in a block on this node");
    } else if (st != L2W_OK) {
        if (!is_object)
            l2w_err_set(err, "the answer is not an object");
        l2w_err_prefix(err, "eth_getTransactionByHash");
        l2w_eth_tx_seen_clear(out);
        st = st == L2W_ERR_NOMEM ? st : L2W_ERR_PROTOCOL;
    }
    return st;
}
