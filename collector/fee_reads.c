#include "collector/fee_reads.h"

#include <stdlib.h>
#include <string.h>

#include "core/hex.h"
#include "core/json.h"

/* A field that may be absent: absent or JSON null is "not there", anything
 * else must be a valid quantity. */
static bool present(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    return v && !json_is_null(v);
}

static l2w_status optional_u256(bool *has, l2w_u256 *out, const json_t *obj, const char *key, l2w_err *err)
{
    *has = present(obj, key);
    return *has ? l2w_json_get_u256(out, obj, key, err) : L2W_OK;
}

static l2w_status optional_quantity(bool *has, uint64_t *out, const json_t *obj, const char *key, l2w_err *err)
{
    *has = present(obj, key);
    return *has ? l2w_json_get_quantity(out, obj, key, err) : L2W_OK;
}

l2w_status l2w_fee_receipt_parse(l2w_fee_receipt *out, const json_t *receipt, l2w_err *err)
{
    memset(out, 0, sizeof *out);
    if (!json_is_object(receipt)) {
        l2w_err_set(err, "the receipt is not an object");
        return L2W_ERR_PROTOCOL;
    }
    l2w_status st = l2w_json_get_hash(&out->tx_hash, receipt, "transactionHash", err);
    if (st == L2W_OK)
        st = l2w_json_get_hash(&out->block_hash, receipt, "blockHash", err);
    if (st == L2W_OK)
        st = l2w_json_get_quantity(&out->block_number, receipt, "blockNumber", err);
    if (st == L2W_OK)
        st = l2w_json_get_quantity(&out->tx_index, receipt, "transactionIndex", err);
    if (st == L2W_OK)
        st = l2w_json_get_quantity(&out->gas_used, receipt, "gasUsed", err);
    if (st == L2W_OK)
        st = l2w_json_get_u256(&out->effective_gas_price, receipt, "effectiveGasPrice", err);
    if (st == L2W_OK)
        st = optional_u256(&out->has_l1_fee, &out->l1_fee, receipt, "l1Fee", err);
    if (st == L2W_OK)
        st = optional_quantity(&out->has_blob_gas_used, &out->blob_gas_used, receipt, "blobGasUsed", err);
    if (st == L2W_OK)
        st = optional_u256(&out->has_blob_gas_price, &out->blob_gas_price, receipt, "blobGasPrice", err);
    if (st != L2W_OK)
        return st;
    const l2w_u256 gas = l2w_u256_from_u64(out->gas_used);
    if (l2w_u256_mul(&out->fee, &gas, &out->effective_gas_price) != L2W_OK) {
        l2w_err_set(err, "gasUsed x effectiveGasPrice passes 2^256");
        return L2W_ERR_PROTOCOL;
    }
    return L2W_OK;
}

/* Receipt i of block h: its own transaction, in its place. */
static l2w_status check_place(const l2w_fee_receipt *r, const l2w_block_header *h, const json_t *tx_hashes, size_t i,
                              l2w_err *err)
{
    l2w_hash want;
    l2w_status st = l2w_json_to_hash(&want, json_array_get(tx_hashes, i), "transactions", err);
    if (st != L2W_OK)
        return st;
    if (r->block_number != h->number) {
        l2w_err_set(err, "field blockNumber: the receipt is of block %llu", (unsigned long long)r->block_number);
        return L2W_ERR_PROTOCOL;
    }
    if (!l2w_hash_eq(&r->block_hash, &h->hash)) {
        /* Both were asked by number: the chain moved between the two reads. */
        l2w_err_set(err, "field blockHash: the receipt is of another block at this height (a reorg under way?)");
        return L2W_ERR_NOT_READY;
    }
    if (r->tx_index != i || !l2w_hash_eq(&r->tx_hash, &want)) {
        l2w_err_set(err, "field transactionHash/transactionIndex: not the block's transaction %zu", i);
        return L2W_ERR_PROTOCOL;
    }
    return L2W_OK;
}

static l2w_status add(l2w_u256 *sum, const l2w_u256 *v, const char *what, l2w_err *err)
{
    if (l2w_u256_add(sum, sum, v) != L2W_OK) {
        l2w_err_set(err, "the block's %s passes 2^256", what);
        return L2W_ERR_PROTOCOL;
    }
    return L2W_OK;
}

static l2w_status sum_receipts(l2w_block_fees *f, const json_t *tx_hashes, const json_t *receipts, l2w_err *err)
{
    uint64_t gas = 0;
    for (size_t i = 0; i < json_array_size(receipts); i++) {
        l2w_fee_receipt r;
        l2w_status st = l2w_fee_receipt_parse(&r, json_array_get(receipts, i), err);
        if (st == L2W_OK)
            st = check_place(&r, &f->header, tx_hashes, i, err);
        if (st == L2W_OK)
            st = add(&f->execution_fee, &r.fee, "execution fee", err);
        if (st == L2W_OK && r.has_l1_fee)
            st = add(&f->l1_fee, &r.l1_fee, "L1 fee", err);
        if (st == L2W_OK && gas + r.gas_used < gas) {
            l2w_err_set(err, "field gasUsed: the receipts' sum passes 2^64");
            st = L2W_ERR_PROTOCOL;
        }
        if (st != L2W_OK) {
            l2w_err_prefix(err, "receipt %zu", i);
            return st;
        }
        gas += r.gas_used;
        f->l1_fee_txs += r.has_l1_fee;
    }
    if (gas != f->gas_used) {
        l2w_err_set(err, "the receipts' gasUsed add up to %llu, the block's gasUsed is %llu", (unsigned long long)gas,
                    (unsigned long long)f->gas_used);
        return L2W_ERR_PROTOCOL;
    }
    return L2W_OK;
}

l2w_status l2w_block_fees_parse(l2w_block_fees *out, const json_t *block, const json_t *receipts,
                                uint64_t expect_number, l2w_err *err)
{
    l2w_block_fees f;
    memset(&f, 0, sizeof f);
    l2w_status st = l2w_eth_parse_header(block, expect_number, &f.header, err);
    if (st != L2W_OK)
        return st;
    if ((st = l2w_json_get_quantity(&f.gas_used, block, "gasUsed", err)) != L2W_OK) {
        l2w_err_prefix(err, "block %llu", (unsigned long long)expect_number);
        return st;
    }
    const json_t *tx_hashes = json_object_get(block, "transactions");
    if (!json_is_array(tx_hashes) || json_array_size(tx_hashes) > L2W_FEE_MAX_BLOCK_TXS) {
        l2w_err_set(err, "block %llu: field transactions: expected a list of at most %d hashes",
                    (unsigned long long)expect_number, L2W_FEE_MAX_BLOCK_TXS);
        return L2W_ERR_PROTOCOL;
    }
    if (json_is_null(receipts)) {
        l2w_err_set(err, "block %llu: eth_getBlockReceipts: not found", (unsigned long long)expect_number);
        return L2W_ERR_NOT_FOUND;
    }
    if (!json_is_array(receipts) || json_array_size(receipts) != json_array_size(tx_hashes)) {
        l2w_err_set(err, "block %llu: eth_getBlockReceipts: expected a list of %zu receipts",
                    (unsigned long long)expect_number, json_array_size(tx_hashes));
        return L2W_ERR_PROTOCOL;
    }
    f.txs = (uint32_t)json_array_size(tx_hashes);
    if ((st = sum_receipts(&f, tx_hashes, receipts, err)) != L2W_OK) {
        l2w_err_prefix(err, "block %llu", (unsigned long long)expect_number);
        return st;
    }
    *out = f;
    return L2W_OK;
}

l2w_status l2w_block_fees_read(l2w_rpc *rpc, uint64_t first, size_t count, l2w_block_fees *out, l2w_err *err)
{
    if (count == 0)
        return L2W_OK;
    l2w_rpc_batch_item *items = calloc(2 * count, sizeof *items);
    if (!items) {
        l2w_err_set(err, "block fees: out of memory");
        return L2W_ERR_NOMEM;
    }
    for (size_t i = 0; i < count; i++) {
        char q[19];
        l2w_u64_to_quantity(q, first + i);
        items[2 * i].method = "eth_getBlockByNumber";
        items[2 * i].params = json_pack("[s, b]", q, 0);
        items[2 * i + 1].method = "eth_getBlockReceipts";
        items[2 * i + 1].params = json_pack("[s]", q);
    }
    l2w_status st = l2w_rpc_batch(rpc, items, 2 * count, err);
    for (size_t i = 0; st == L2W_OK && i < 2 * count; i++) {
        if (items[i].status != L2W_OK) {
            st = items[i].status;
            *err = items[i].err;
            l2w_err_prefix(err, "%s", items[i].method);
        }
    }
    for (size_t i = 0; st == L2W_OK && i < count; i++) {
        st = l2w_block_fees_parse(&out[i], items[2 * i].result, items[2 * i + 1].result, first + i, err);
        if (st == L2W_ERR_PROTOCOL)
            l2w_err_prefix(err, "rpc %s", l2w_rpc_current_url(rpc));
    }
    l2w_rpc_batch_clear(items, 2 * count);
    free(items);
    return st;
}
