#include "collector/eth.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "collector/eth_logs.h"
#include "core/hex.h"
#include "core/json.h"


static json_t *quantity_json(uint64_t v)
{
    char q[19];
    l2w_u64_to_quantity(q, v);
    return json_string(q);
}

l2w_status l2w_eth_quantity_call(l2w_rpc *rpc, const char *method, json_t *params, uint64_t *out, l2w_err *err)
{
    json_t *res;
    l2w_status st = l2w_rpc_call(rpc, &res, method, params, err);
    if (st != L2W_OK)
        return st;
    st = l2w_json_to_quantity(out, res, method, err);
    if (st != L2W_OK)
        l2w_err_prefix(err, "rpc %s", l2w_rpc_current_url(rpc));
    json_decref(res);
    return st;
}

l2w_status l2w_eth_chain_id(l2w_rpc *rpc, uint64_t *out, l2w_err *err)
{
    return l2w_eth_quantity_call(rpc, "eth_chainId", NULL, out, err);
}

l2w_status l2w_eth_block_number(l2w_rpc *rpc, uint64_t *out, l2w_err *err)
{
    return l2w_eth_quantity_call(rpc, "eth_blockNumber", NULL, out, err);
}

l2w_status l2w_eth_parse_header(const json_t *obj, uint64_t expect_number, l2w_block_header *out, l2w_err *err)
{
    if (json_is_null(obj)) {
        l2w_err_set(err, "block %llu: not found", (unsigned long long)expect_number);
        return L2W_ERR_NOT_FOUND;
    }
    if (!json_is_object(obj)) {
        l2w_err_set(err, "block %llu: answer is not an object", (unsigned long long)expect_number);
        return L2W_ERR_PROTOCOL;
    }
    l2w_status st = l2w_json_get_quantity(&out->number, obj, "number", err);
    if (st == L2W_OK)
        st = l2w_json_get_hash(&out->hash, obj, "hash", err);
    if (st == L2W_OK)
        st = l2w_json_get_hash(&out->parent_hash, obj, "parentHash", err);
    if (st == L2W_OK)
        st = l2w_json_get_hash(&out->state_root, obj, "stateRoot", err);
    if (st == L2W_OK)
        st = l2w_json_get_quantity(&out->timestamp, obj, "timestamp", err);
    if (st != L2W_OK) {
        l2w_err_prefix(err, "block %llu", (unsigned long long)expect_number);
        return L2W_ERR_PROTOCOL;
    }
    if (out->number != expect_number) {
        l2w_err_set(err, "asked for block %llu, node answered block %llu", (unsigned long long)expect_number,
                    (unsigned long long)out->number);
        return L2W_ERR_PROTOCOL;
    }
    return L2W_OK;
}

static json_t *header_params(uint64_t number)
{
    return json_pack("[o, b]", quantity_json(number), 0);
}

l2w_status l2w_eth_header_by_number(l2w_rpc *rpc, uint64_t number, l2w_block_header *out, l2w_err *err)
{
    json_t *res;
    l2w_status st = l2w_rpc_call(rpc, &res, "eth_getBlockByNumber", header_params(number), err);
    if (st != L2W_OK)
        return st;
    st = l2w_eth_parse_header(res, number, out, err);
    if (st == L2W_ERR_PROTOCOL)
        l2w_err_prefix(err, "rpc %s: eth_getBlockByNumber", l2w_rpc_current_url(rpc));
    json_decref(res);
    return st;
}

/* Headers in one batch: numbers[i], or first + i when numbers is NULL. */
static l2w_status headers_batch(l2w_rpc *rpc, const uint64_t *numbers, uint64_t first, size_t count,
                                l2w_block_header *out, l2w_err *err)
{
    l2w_rpc_batch_item *items = calloc(count, sizeof *items);
    if (!items) {
        l2w_err_set(err, "headers: out of memory");
        return L2W_ERR_NOMEM;
    }
    for (size_t i = 0; i < count; i++) {
        items[i].method = "eth_getBlockByNumber";
        items[i].params = header_params(numbers ? numbers[i] : first + i);
    }
    l2w_status st = l2w_rpc_batch(rpc, items, count, err);
    for (size_t i = 0; st == L2W_OK && i < count; i++) {
        if (items[i].status != L2W_OK) {
            st = items[i].status;
            *err = items[i].err;
        } else {
            st = l2w_eth_parse_header(items[i].result, numbers ? numbers[i] : first + i, &out[i], err);
            if (st == L2W_ERR_PROTOCOL)
                l2w_err_prefix(err, "rpc %s: eth_getBlockByNumber", l2w_rpc_current_url(rpc));
        }
    }
    l2w_rpc_batch_clear(items, count);
    free(items);
    return st;
}

l2w_status l2w_eth_headers(l2w_rpc *rpc, uint64_t first, size_t count, l2w_block_header *out, l2w_err *err)
{
    return headers_batch(rpc, NULL, first, count, out, err);
}

l2w_status l2w_eth_headers_at(l2w_rpc *rpc, const uint64_t *numbers, size_t count, l2w_block_header *out,
                              l2w_err *err)
{
    for (size_t done = 0; done < count;) {
        size_t n = count - done < L2W_ETH_HEADERS_PER_BATCH ? count - done : L2W_ETH_HEADERS_PER_BATCH;
        l2w_status st = headers_batch(rpc, numbers + done, 0, n, out + done, err);
        if (st != L2W_OK)
            return st;
        done += n;
    }
    return L2W_OK;
}

void l2w_logs_free(l2w_evm_log *logs, size_t n)
{
    if (!logs)
        return;
    for (size_t i = 0; i < n; i++)
        free(logs[i].data);
    free(logs);
}

static l2w_status parse_log(const json_t *obj, l2w_evm_log *out, l2w_err *err)
{
    if (!json_is_object(obj)) {
        l2w_err_set(err, "log is not an object");
        return L2W_ERR_PROTOCOL;
    }
    json_t *removed = json_object_get(obj, "removed");
    if (json_is_true(removed)) {
        l2w_err_set(err, "log flagged removed (chain reorganised during the call)");
        return L2W_ERR_NOT_READY;
    }
    uint64_t index;
    l2w_status st = l2w_json_get_quantity(&out->block_number, obj, "blockNumber", err);
    if (st == L2W_OK)
        st = l2w_json_get_hash(&out->block_hash, obj, "blockHash", err);
    if (st == L2W_OK)
        st = l2w_json_get_hash(&out->tx_hash, obj, "transactionHash", err);
    if (st == L2W_OK)
        st = l2w_json_get_quantity(&index, obj, "logIndex", err);
    if (st == L2W_OK && index > INT32_MAX) {
        l2w_err_set(err, "field logIndex: too large");
        st = L2W_ERR_PROTOCOL;
    }
    if (st == L2W_OK)
        st = l2w_json_get_addr(&out->address, obj, "address", err);
    if (st != L2W_OK)
        return st;
    out->log_index = (uint32_t)index;
    json_t *topics = json_object_get(obj, "topics");
    if (!json_is_array(topics) || json_array_size(topics) > L2W_LOG_MAX_TOPICS) {
        l2w_err_set(err, "field topics: expected an array of at most 4 hashes");
        return L2W_ERR_PROTOCOL;
    }
    out->n_topics = json_array_size(topics);
    for (size_t i = 0; i < out->n_topics; i++)
        if ((st = l2w_json_to_hash(&out->topics[i], json_array_get(topics, i), "topics[]", err)) != L2W_OK)
            return st;
    return l2w_json_get_data(&out->data, &out->data_len, obj, "data", L2W_LOG_MAX_DATA, err);
}

static json_t *filter_params(uint64_t from, uint64_t to, const l2w_addr *addresses, size_t n_addresses,
                             const l2w_hash *topic0s, size_t n_topic0s)
{
    json_t *addrs = json_array();
    json_t *t0 = json_array();
    for (size_t i = 0; addrs && i < n_addresses; i++)
        json_array_append_new(addrs, l2w_json_addr(&addresses[i]));
    for (size_t i = 0; t0 && i < n_topic0s; i++)
        json_array_append_new(t0, l2w_json_hash(&topic0s[i]));
    /* No address: logs of any contract (a topic watched wherever it is
     * emitted, like Vector's ChannelDisputed from every channel). */
    if (n_addresses == 0) {
        json_decref(addrs);
        return json_pack("[{s:o, s:o, s:[o]}]", "fromBlock", quantity_json(from), "toBlock", quantity_json(to),
                         "topics", t0);
    }
    return json_pack("[{s:o, s:o, s:o, s:[o]}]", "fromBlock", quantity_json(from), "toBlock", quantity_json(to),
                     "address", addrs, "topics", t0);
}

l2w_status l2w_eth_logs_from_json(const json_t *res, uint64_t from, uint64_t to, l2w_evm_log **out, size_t *n_out,
                                  l2w_err *err)
{
    *out = NULL;
    *n_out = 0;
    if (!json_is_array(res)) {
        l2w_err_set(err, "answer is not an array");
        return L2W_ERR_PROTOCOL;
    }
    size_t n = json_array_size(res);
    if (n > L2W_ETH_MAX_LOGS_PER_CALL) {
        l2w_err_set(err, "%llu..%llu: more than %d logs; ask for a narrower range", (unsigned long long)from,
                    (unsigned long long)to, L2W_ETH_MAX_LOGS_PER_CALL);
        return L2W_ERR_RANGE;
    }
    l2w_evm_log *logs = calloc(n ? n : 1, sizeof *logs);
    if (!logs)
        return L2W_ERR_NOMEM;
    l2w_status st = L2W_OK;
    for (size_t i = 0; i < n && st == L2W_OK; i++) {
        st = parse_log(json_array_get(res, i), &logs[i], err);
        if (st == L2W_OK && (logs[i].block_number < from || logs[i].block_number > to)) {
            l2w_err_set(err, "log %zu is in block %llu, outside the range asked for", i,
                        (unsigned long long)logs[i].block_number);
            st = L2W_ERR_PROTOCOL;
        }
    }
    if (st != L2W_OK) {
        l2w_logs_free(logs, n);
        return st;
    }
    *out = logs;
    *n_out = n;
    return L2W_OK;
}

/* The logs of an eth_getLogs answer for from..to (res is borrowed). */
static l2w_status logs_from_result(l2w_rpc *rpc, const json_t *res, uint64_t from, uint64_t to, l2w_evm_log **out,
                                   size_t *n_out, l2w_err *err)
{
    l2w_status st = l2w_eth_logs_from_json(res, from, to, out, n_out, err);
    if (st != L2W_OK)
        l2w_err_prefix(err, "rpc %s: eth_getLogs", l2w_rpc_current_url(rpc));
    return st;
}

l2w_status l2w_eth_get_logs(l2w_rpc *rpc, uint64_t from, uint64_t to, const l2w_addr *addresses, size_t n_addresses,
                            const l2w_hash *topic0s, size_t n_topic0s, l2w_evm_log **out, size_t *n_out, l2w_err *err)
{
    *out = NULL;
    *n_out = 0;
    json_t *res;
    l2w_status st =
        l2w_rpc_call(rpc, &res, "eth_getLogs", filter_params(from, to, addresses, n_addresses, topic0s, n_topic0s), err);
    if (st != L2W_OK)
        return st;
    st = logs_from_result(rpc, res, from, to, out, n_out, err);
    json_decref(res);
    return st;
}

/* The first batch of l2w_eth_headers_and_logs: the eth_getLogs first (so a
 * failure of the batch as a whole names it, as l2w_eth_logs_range_refused
 * needs) and count headers. */
static l2w_status logs_and_headers_batch(l2w_rpc *rpc, const l2w_log_filter *filter, const uint64_t *numbers,
                                         size_t count, l2w_block_header *headers, l2w_evm_log **logs,
                                         size_t *n_logs, l2w_status *logs_st, l2w_err *logs_err, l2w_err *err)
{
    l2w_rpc_batch_item *items = calloc(count + 1, sizeof *items);
    if (!items) {
        l2w_err_set(err, "headers and logs: out of memory");
        *logs_st = L2W_ERR_NOMEM;
        *logs_err = *err;
        return L2W_ERR_NOMEM;
    }
    items[0].method = "eth_getLogs";
    items[0].raw_result = true; /* scanned, no tree: it can be megabytes */
    items[0].params = filter_params(filter->from, filter->to, filter->addresses, filter->n_addresses,
                                    filter->topic0s, filter->n_topic0s);
    for (size_t i = 0; i < count; i++) {
        items[i + 1].method = "eth_getBlockByNumber";
        items[i + 1].params = header_params(numbers[i]);
    }
    l2w_status st = l2w_rpc_batch(rpc, items, count + 1, err);
    if (st != L2W_OK) {
        *logs_st = st;
        *logs_err = *err;
    } else if ((*logs_st = items[0].status) != L2W_OK) {
        *logs_err = items[0].err;
    } else {
        *logs_st = l2w_eth_logs_scan(items[0].raw, items[0].raw_len, filter->from, filter->to, logs, n_logs, logs_err);
        if (*logs_st != L2W_OK)
            l2w_err_prefix(logs_err, "rpc %s: eth_getLogs", l2w_rpc_current_url(rpc));
    }
    for (size_t i = 0; st == L2W_OK && i < count; i++) {
        if (items[i + 1].status != L2W_OK) {
            st = items[i + 1].status;
            *err = items[i + 1].err;
        } else {
            st = l2w_eth_parse_header(items[i + 1].result, numbers[i], &headers[i], err);
            if (st == L2W_ERR_PROTOCOL)
                l2w_err_prefix(err, "rpc %s: eth_getBlockByNumber", l2w_rpc_current_url(rpc));
        }
    }
    l2w_rpc_batch_clear(items, count + 1);
    free(items);
    return st;
}

l2w_status l2w_eth_headers_and_logs(l2w_rpc *rpc, const uint64_t *numbers, size_t count, l2w_block_header *headers,
                                    const l2w_log_filter *filter, l2w_evm_log **logs, size_t *n_logs,
                                    l2w_status *logs_st, l2w_err *logs_err, l2w_err *err)
{
    if (!filter)
        return l2w_eth_headers_at(rpc, numbers, count, headers, err);
    *logs = NULL;
    *n_logs = 0;
    size_t first = count < L2W_ETH_HEADERS_PER_BATCH - 1 ? count : L2W_ETH_HEADERS_PER_BATCH - 1;
    l2w_status st = logs_and_headers_batch(rpc, filter, numbers, first, headers, logs, n_logs, logs_st, logs_err,
                                           err);
    if (st == L2W_OK && first < count)
        st = l2w_eth_headers_at(rpc, numbers + first, count - first, headers + first, err);
    return st;
}

/* How providers word a refusal of the range itself (geth, erigon, nethermind,
 * besu, reth and the hosted APIs in front of them); compared lowercased. */
static const char *const range_refusal_words[] = {
    "more than",   "too many",  "too large",   "too big",   "too wide", "block range", "exceed",
    "limit",       "response size", "timeout", "timed out", "larger than",
};

static bool mentions(const char *text, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = text; *p; p++) {
        size_t k = 0;
        while (k < n && p[k] && tolower((unsigned char)p[k]) == word[k])
            k++;
        if (k == n)
            return true;
    }
    return false;
}

bool l2w_eth_logs_range_refused(l2w_status st, const l2w_err *err)
{
    switch (st) {
    case L2W_ERR_RANGE:
    case L2W_ERR_TIMEOUT:
        return true;
    case L2W_ERR_RPC:
    case L2W_ERR_PROTOCOL: {
        if (!err)
            return false;
        /* Only the node's words count, not the chain name or host before them. */
        const char *said = strstr(err->msg, "eth_getLogs");
        if (!said)
            return false;
        if (st == L2W_ERR_PROTOCOL)
            return mentions(said, "larger than"); /* the client's response size cap */
        for (size_t i = 0; i < sizeof range_refusal_words / sizeof range_refusal_words[0]; i++)
            if (mentions(said, range_refusal_words[i]))
                return true;
        return false;
    }
    case L2W_OK:
    case L2W_ERR_INVALID:
    case L2W_ERR_NOMEM:
    case L2W_ERR_IO:
    case L2W_ERR_DB:
    case L2W_ERR_DB_RETRY:
    case L2W_ERR_NOT_FOUND:
    case L2W_ERR_NOT_READY:
    case L2W_ERR_CONFIG:
        return false;
    }
    return false;
}
