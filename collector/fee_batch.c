#include "collector/fee_batch.h"

#include <stdlib.h>
#include <string.h>

#include "collector/fee_reads.h"
#include "core/json.h"

uint64_t l2w_calldata_gas(const uint8_t *data, size_t len, size_t *zero_bytes)
{
    size_t zeros = 0;
    for (size_t i = 0; i < len; i++)
        zeros += data[i] == 0;
    *zero_bytes = zeros;
    return (uint64_t)zeros * L2W_CALLDATA_GAS_ZERO + (uint64_t)(len - zeros) * L2W_CALLDATA_GAS_NONZERO;
}

static l2w_status blob_cost(l2w_batch_cost *c, const l2w_inbox_tx *tx, const l2w_fee_receipt *r, l2w_err *err)
{
    if (tx->type != 3)
        return L2W_OK; /* some nodes report a blobGasPrice on every receipt: it charged nothing */
    if (!r->has_blob_gas_used || !r->has_blob_gas_price) {
        l2w_err_set(err, "field %s: missing from a blob transaction's receipt",
                    r->has_blob_gas_used ? "blobGasPrice" : "blobGasUsed");
        return L2W_ERR_PROTOCOL;
    }
    if (r->blob_gas_used != (uint64_t)tx->n_blobs * L2W_GAS_PER_BLOB) {
        l2w_err_set(err, "field blobGasUsed: %llu for %zu blobs, not %d a blob", (unsigned long long)r->blob_gas_used,
                    tx->n_blobs, L2W_GAS_PER_BLOB);
        return L2W_ERR_PROTOCOL;
    }
    c->blobs = (uint32_t)tx->n_blobs;
    c->blob_gas_used = r->blob_gas_used;
    c->blob_gas_price = r->blob_gas_price;
    const l2w_u256 gas = l2w_u256_from_u64(r->blob_gas_used);
    if (l2w_u256_mul(&c->blob_fee, &gas, &r->blob_gas_price) != L2W_OK) {
        l2w_err_set(err, "blobGasUsed x blobGasPrice passes 2^256");
        return L2W_ERR_PROTOCOL;
    }
    return L2W_OK;
}

l2w_status l2w_batch_cost_parse(l2w_batch_cost *out, const l2w_inbox_tx *tx, const json_t *receipt, l2w_err *err)
{
    if (json_is_null(receipt)) {
        l2w_err_set(err, "no receipt (the chain moved since the block was read?)");
        return L2W_ERR_NOT_READY;
    }
    l2w_fee_receipt r;
    l2w_status st = l2w_fee_receipt_parse(&r, receipt, err);
    if (st != L2W_OK)
        return st;
    if (!l2w_hash_eq(&r.tx_hash, &tx->tx_hash)) {
        l2w_err_set(err, "field transactionHash: the receipt of another transaction");
        return L2W_ERR_PROTOCOL;
    }
    if (!l2w_hash_eq(&r.block_hash, &tx->block_hash)) {
        l2w_err_set(err, "field blockHash: mined in another block than the one read (a reorg under way?)");
        return L2W_ERR_NOT_READY;
    }
    l2w_batch_cost c;
    memset(&c, 0, sizeof c);
    size_t zeros;
    c.calldata_gas = l2w_calldata_gas(tx->input, tx->input_len, &zeros);
    c.calldata_bytes = (uint32_t)tx->input_len; /* at most L2W_INBOX_TX_MAX_INPUT */
    c.calldata_zero_bytes = (uint32_t)zeros;
    c.gas_used = r.gas_used;
    c.effective_gas_price = r.effective_gas_price;
    c.fee = r.fee;
    const l2w_u256 calldata_gas = l2w_u256_from_u64(c.calldata_gas);
    if (l2w_u256_mul(&c.calldata_fee, &calldata_gas, &r.effective_gas_price) != L2W_OK) {
        l2w_err_set(err, "calldata gas x effectiveGasPrice passes 2^256");
        return L2W_ERR_PROTOCOL;
    }
    if ((st = blob_cost(&c, tx, &r, err)) != L2W_OK)
        return st;
    *out = c;
    return L2W_OK;
}

l2w_status l2w_batch_costs_read(l2w_rpc *rpc, const l2w_inbox_tx *txs, size_t n, l2w_batch_cost *out, l2w_err *err)
{
    if (n == 0)
        return L2W_OK;
    l2w_rpc_batch_item *items = calloc(n, sizeof *items);
    if (!items) {
        l2w_err_set(err, "batch costs: out of memory");
        return L2W_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        items[i].method = "eth_getTransactionReceipt";
        items[i].params = json_pack("[o]", l2w_json_hash(&txs[i].tx_hash));
    }
    l2w_status st = l2w_rpc_batch(rpc, items, n, err);
    for (size_t i = 0; st == L2W_OK && i < n; i++) {
        if (items[i].status != L2W_OK) {
            st = items[i].status;
            *err = items[i].err;
        } else {
            st = l2w_batch_cost_parse(&out[i], &txs[i], items[i].result, err);
        }
        if (st != L2W_OK)
            l2w_err_prefix(err, "eth_getTransactionReceipt of the posting in block %llu index %u",
                           (unsigned long long)txs[i].block_number, (unsigned)txs[i].tx_index);
    }
    l2w_rpc_batch_clear(items, n);
    free(items);
    return st;
}
