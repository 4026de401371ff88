#include "responder/signer_remote.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "collector/rpc.h"
#include "core/hex.h"
#include "core/json.h"
#include "core/keccak.h"

#define REMOTE_TIMEOUT_MS 10000
#define MAX_RAW_TX (128 * 1024)

struct l2w_remote_signer {
    l2w_addr address;
    l2w_rpc *rpc;
    pthread_mutex_t lock; /* one curl handle: one request at a time */
};

l2w_status l2w_remote_signer_create(l2w_remote_signer **out, const char *url, const l2w_addr *address, l2w_err *err)
{
    l2w_remote_signer *s = calloc(1, sizeof *s);
    if (!s) {
        l2w_err_set(err, "remote signer: out of memory");
        return L2W_ERR_NOMEM;
    }
    s->address = *address;
    const char *urls[] = {url};
    l2w_rpc_options opt = {.chain = "signer", .urls = urls, .n_urls = 1, .timeout_ms = REMOTE_TIMEOUT_MS};
    l2w_status st = l2w_rpc_create(&s->rpc, &opt, err);
    if (st != L2W_OK) {
        free(s);
        return st;
    }
    pthread_mutex_init(&s->lock, NULL);
    *out = s;
    return L2W_OK;
}

void l2w_remote_signer_destroy(l2w_remote_signer *s)
{
    if (!s)
        return;
    l2w_rpc_destroy(s->rpc);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

static json_t *u256_json(const l2w_u256 *v)
{
    char hex[L2W_U256_HEX_LEN];
    l2w_u256_to_hex(hex, v);
    return json_string(hex);
}

static json_t *u64_json(uint64_t v)
{
    char q[19];
    l2w_u64_to_quantity(q, v);
    return json_string(q);
}

static json_t *request_object(const l2w_remote_signer *s, const l2w_tx *tx)
{
    char *data = l2w_hex_encode_alloc(tx->data, tx->data_len);
    json_t *o = data ? json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:s, s:o, s:s}", "from", l2w_json_addr(&s->address),
                                 "to", l2w_json_addr(&tx->to), "gas", u64_json(tx->gas_limit), "maxFeePerGas",
                                 u256_json(&tx->max_fee_per_gas), "maxPriorityFeePerGas",
                                 u256_json(&tx->max_priority_fee_per_gas), "value", u256_json(&tx->value), "nonce",
                                 u64_json(tx->nonce), "data", data, "chainId", u64_json(tx->chain_id), "type", "0x2")
                     : NULL;
    free(data);
    return o;
}

/* web3signer answers the raw hex; clef and geth answer {raw, tx}. */
static l2w_status raw_from_answer(const json_t *res, uint8_t **raw, size_t *len, l2w_err *err)
{
    json_t *wrap = json_is_string(res) ? json_pack("{s:O}", "raw", res) : json_incref((json_t *)res);
    l2w_status st = json_is_object(wrap) ? l2w_json_get_data(raw, len, wrap, "raw", MAX_RAW_TX, err)
                                         : L2W_ERR_PROTOCOL;
    if (!json_is_object(wrap))
        l2w_err_set(err, "answer is neither a hex string nor an object with raw");
    json_decref(wrap);
    return st;
}

static bool same_u256(const l2w_u256 *a, const l2w_u256 *b)
{
    return l2w_u256_cmp(a, b) == 0;
}

/* The signed transaction must be the one asked for, field by field. */
static l2w_status check_signed(const l2w_remote_signer *s, const l2w_tx *want, const l2w_tx *got,
                               const l2w_signature *sig, l2w_err *err)
{
    const char *bad = NULL;
    if (got->type != want->type)
        bad = "type";
    else if (got->chain_id != want->chain_id)
        bad = "chainId";
    else if (got->nonce != want->nonce)
        bad = "nonce";
    else if (got->gas_limit != want->gas_limit)
        bad = "gas";
    else if (!same_u256(&got->max_fee_per_gas, &want->max_fee_per_gas) ||
             !same_u256(&got->max_priority_fee_per_gas, &want->max_priority_fee_per_gas))
        bad = "fees";
    else if (!got->has_to || !l2w_addr_eq(&got->to, &want->to))
        bad = "to";
    else if (!same_u256(&got->value, &want->value))
        bad = "value";
    else if (got->data_len != want->data_len || (want->data_len && memcmp(got->data, want->data, want->data_len)))
        bad = "data";
    else if (got->access_list_len != 0)
        bad = "accessList";
    if (bad) {
        l2w_err_set(err, "remote signer changed the transaction's %s", bad);
        return L2W_ERR_PROTOCOL;
    }
    l2w_addr from;
    l2w_status st = l2w_tx_sender(&from, got, sig, err);
    if (st == L2W_OK && !l2w_addr_eq(&from, &s->address)) {
        char a[L2W_ADDR_HEX_LEN];
        l2w_addr_to_hex(a, &from);
        l2w_err_set(err, "remote signer signed with %s, not the configured address", a);
        st = L2W_ERR_PROTOCOL;
    }
    return st;
}

l2w_status l2w_remote_signer_sign_tx(l2w_remote_signer *s, const l2w_tx *tx, l2w_bytes *raw, l2w_hash *hash,
                                     l2w_err *err)
{
    if (tx->type != L2W_TX_EIP1559 || !tx->has_to || tx->access_list_len) {
        l2w_err_set(err, "remote signing supports EIP-1559 calls without access lists only");
        return L2W_ERR_INVALID;
    }
    json_t *req = request_object(s, tx), *res = NULL;
    if (!req) {
        l2w_err_set(err, "remote signer: out of memory");
        return L2W_ERR_NOMEM;
    }
    pthread_mutex_lock(&s->lock);
    l2w_status st = l2w_rpc_call(s->rpc, &res, "eth_signTransaction", json_pack("[o]", req), err);
    pthread_mutex_unlock(&s->lock);
    uint8_t *bytes = NULL;
    size_t len = 0;
    if (st == L2W_OK)
        st = raw_from_answer(res, &bytes, &len, err);
    json_decref(res);
    l2w_tx got;
    l2w_signature sig;
    if (st == L2W_OK && (st = l2w_tx_decode(&got, &sig, bytes, len, err)) == L2W_OK) {
        st = check_signed(s, tx, &got, &sig, err);
        l2w_tx_free(&got);
    }
    if (st == L2W_OK) {
        l2w_keccak256_hash(hash, bytes, len);
        l2w_bytes_append(raw, bytes, len);
        st = l2w_bytes_status(raw);
    }
    free(bytes);
    if (st != L2W_OK)
        l2w_err_prefix(err, "eth_signTransaction");
    return st;
}
