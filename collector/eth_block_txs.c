#include "collector/eth_block_txs.h"

#include <stdlib.h>
#include <string.h>

#include "core/hex.h"
#include "core/json.h"

void l2w_inbox_txs_free(l2w_inbox_tx *txs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(txs[i].input);
    free(txs);
}

static l2w_status push(l2w_inbox_tx **txs, size_t *n, size_t *cap, l2w_err *err)
{
    if (*n == *cap) {
        size_t want = *cap ? *cap * 2 : 8;
        l2w_inbox_tx *grown = realloc(*txs, want * sizeof **txs);
        if (!grown) {
            l2w_err_set(err, "inbox transactions: out of memory");
            return L2W_ERR_NOMEM;
        }
        *txs = grown;
        *cap = want;
    }
    memset(&(*txs)[*n], 0, sizeof **txs);
    return L2W_OK;
}

/* to is null for a contract creation: never an inbox posting. */
static bool sent_to(const json_t *tx, const l2w_addr *to, l2w_status *st, l2w_err *err)
{
    const json_t *v = json_object_get(tx, "to");
    if (!v || json_is_null(v))
        return false;
    l2w_addr a;
    if ((*st = l2w_json_get_addr(&a, tx, "to", err)) != L2W_OK)
        return false;
    return l2w_addr_eq(&a, to);
}

static l2w_status blob_hashes(l2w_inbox_tx *out, const json_t *tx, l2w_err *err)
{
    const json_t *arr = json_object_get(tx, "blobVersionedHashes");
    if (out->type != 3)
        return L2W_OK;
    if (!json_is_array(arr) || json_array_size(arr) == 0) {
        l2w_err_set(err, "field blobVersionedHashes: a type-3 transaction needs a non-empty list");
        return L2W_ERR_PROTOCOL;
    }
    if (json_array_size(arr) > L2W_INBOX_TX_MAX_BLOBS) {
        l2w_err_set(err, "field blobVersionedHashes: %zu blobs, more than %d", json_array_size(arr),
                    L2W_INBOX_TX_MAX_BLOBS);
        return L2W_ERR_PROTOCOL;
    }
    for (size_t i = 0; i < json_array_size(arr); i++) {
        l2w_status st = l2w_json_to_hash(&out->blob_hashes[i], json_array_get(arr, i), "blobVersionedHashes", err);
        if (st != L2W_OK)
            return st;
    }
    out->n_blobs = json_array_size(arr);
    return L2W_OK;
}

static l2w_status parse_tx(l2w_inbox_tx *out, const json_t *tx, const l2w_block_header *h, size_t position,
                           l2w_err *err)
{
    uint64_t number, index, type;
    l2w_hash block_hash;
    l2w_status st = l2w_json_get_hash(&out->tx_hash, tx, "hash", err);
    if (st == L2W_OK)
        st = l2w_json_get_hash(&block_hash, tx, "blockHash", err);
    if (st == L2W_OK)
        st = l2w_json_get_quantity(&number, tx, "blockNumber", err);
    if (st == L2W_OK)
        st = l2w_json_get_quantity(&index, tx, "transactionIndex", err);
    if (st == L2W_OK)
        st = l2w_json_get_quantity(&type, tx, "type", err);
    if (st != L2W_OK)
        return st;
    if (!l2w_hash_eq(&block_hash, &h->hash) || number != h->number || index != position) {
        l2w_err_set(err, "transaction at position %zu names block %llu index %llu, not its own block %llu",
                    position, (unsigned long long)number, (unsigned long long)index, (unsigned long long)h->number);
        return L2W_ERR_PROTOCOL;
    }
    if (type > 0xff) {
        l2w_err_set(err, "field type: %llu is no transaction type", (unsigned long long)type);
        return L2W_ERR_PROTOCOL;
    }
    out->type = (uint8_t)type;
    out->tx_index = (uint32_t)index;
    out->block_number = h->number;
    out->block_hash = h->hash;
    out->block_timestamp = h->timestamp;
    if ((st = blob_hashes(out, tx, err)) != L2W_OK)
        return st;
    return l2w_json_get_data(&out->input, &out->input_len, tx, "input", L2W_INBOX_TX_MAX_INPUT, err);
}

l2w_status l2w_inbox_txs_from_block(const json_t *block, uint64_t expect_number, const l2w_addr *to,
                                    const l2w_addr *from, l2w_block_header *header, l2w_inbox_tx **txs,
                                    size_t *n_txs, size_t *cap, l2w_err *err)
{
    l2w_status st = l2w_eth_parse_header(block, expect_number, header, err);
    if (st != L2W_OK)
        return st;
    const json_t *list = json_object_get(block, "transactions");
    if (!json_is_array(list)) {
        l2w_err_set(err, "block %llu: field transactions is not a list", (unsigned long long)expect_number);
        return L2W_ERR_PROTOCOL;
    }
    for (size_t i = 0; i < json_array_size(list); i++) {
        const json_t *tx = json_array_get(list, i);
        if (!json_is_object(tx)) {
            l2w_err_set(err, "block %llu: transaction %zu is not an object (were full transactions asked for?)",
                        (unsigned long long)expect_number, i);
            return L2W_ERR_PROTOCOL;
        }
        if (!sent_to(tx, to, &st, err)) {
            if (st != L2W_OK)
                break;
            continue;
        }
        l2w_addr sender;
        if ((st = l2w_json_get_addr(&sender, tx, "from", err)) != L2W_OK)
            break;
        if (!l2w_addr_eq(&sender, from))
            continue; /* op-node derives only from the batcher's transactions */
        if ((st = push(txs, n_txs, cap, err)) != L2W_OK)
            return st;
        st = parse_tx(&(*txs)[*n_txs], tx, header, i, err);
        (*n_txs)++; /* counted even on failure, so its input is freed */
        if (st != L2W_OK)
            break;
    }
    if (st == L2W_ERR_PROTOCOL)
        l2w_err_prefix(err, "block %llu", (unsigned long long)expect_number);
    return st;
}

static json_t *full_block_params(uint64_t number)
{
    char q[19];
    l2w_u64_to_quantity(q, number);
    return json_pack("[s, b]", q, 1);
}

l2w_status l2w_eth_inbox_txs(l2w_rpc *rpc, uint64_t first, size_t count, const l2w_addr *to, const l2w_addr *from,
                             l2w_block_header *headers, l2w_inbox_tx **txs, size_t *n_txs, l2w_err *err)
{
    *txs = NULL;
    *n_txs = 0;
    if (count == 0)
        return L2W_OK;
    l2w_rpc_batch_item *items = calloc(count, sizeof *items);
    if (!items) {
        l2w_err_set(err, "inbox transactions: out of memory");
        return L2W_ERR_NOMEM;
    }
    for (size_t i = 0; i < count; i++) {
        items[i].method = "eth_getBlockByNumber";
        items[i].params = full_block_params(first + i);
    }
    size_t cap = 0;
    l2w_status st = l2w_rpc_batch(rpc, items, count, err);
    for (size_t i = 0; st == L2W_OK && i < count; i++) {
        if (items[i].status != L2W_OK) {
            st = items[i].status;
            *err = items[i].err;
            break;
        }
        st = l2w_inbox_txs_from_block(items[i].result, first + i, to, from, &headers[i], txs, n_txs, &cap, err);
        if (st == L2W_ERR_PROTOCOL)
            l2w_err_prefix(err, "rpc %s: eth_getBlockByNumber", l2w_rpc_current_url(rpc));
    }
    l2w_rpc_batch_clear(items, count);
    free(items);
    if (st != L2W_OK) {
        l2w_inbox_txs_free(*txs, *n_txs);
        *txs = NULL;
        *n_txs = 0;
    }
    return st;
}
