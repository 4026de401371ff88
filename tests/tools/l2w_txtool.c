/* l2w_txtool: transaction signing, decoding and message digests behind a
 * JSON-lines protocol, so that tests/diff can send a whole batch in one
 * process and compare every answer with cast.
 *
 * One JSON object per input line, one JSON object per output line, in order:
 *   {"op": "sign_tx", "key": "0x..", "tx": TX}
 *       -> {"raw", "hash", "signing_hash", "address" (of the key),
 *           "sender" (recovered by decoding raw), "reencodes" (decode then
 *           encode gives raw back)}
 *   {"op": "decode_tx", "raw": "0x.."}   -> {"tx": TX, "sender", "hash"}
 *   {"op": "personal", "msg": "0x..", "key": "0x.." (optional)}
 *       -> {"digest", "signature" (when a key is given)}      (EIP-191)
 *   {"op": "typed", "doc": {...}, "key": "0x.." (optional)}
 *       -> {"digest", "domain_separator", "message_hash", "signature"
 *           (r || s || v with v = 27 + recid, when a key is given)}
 *   {"op": "address", "key": "0x.."}     -> {"address"}
 * TX = {"type": 0|1|2, "chain_id", "nonce", "gas_limit", "gas_price",
 *       "max_priority_fee_per_gas", "max_fee_per_gas", "value" (decimal
 *       strings or JSON integers; absent = 0), "to": "0x.." or null,
 *       "data": "0x..", "access_list": [{"address", "storageKeys": [..]}]}
 * A failure answers {"error": "<message>"} and the tool goes on. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "core/eth_sign.h"
#include "core/hex.h"
#include "core/json.h"
#include "core/keccak.h"
#include "core/secp.h"
#include "core/tx.h"

/* Hex of whole transactions travels on one line; far above what tests send. */
#define MAX_LINE (8u * 1024 * 1024)

/* ------------------------------------------------------------ reading */

static l2w_status get_u256(l2w_u256 *out, const json_t *obj, const char *key, l2w_err *err)
{
    const json_t *v = json_object_get(obj, key);
    *out = l2w_u256_from_u64(0);
    if (!v)
        return L2W_OK;
    if (json_is_integer(v) && json_integer_value(v) >= 0) {
        *out = l2w_u256_from_u64((uint64_t)json_integer_value(v));
        return L2W_OK;
    }
    if (json_is_string(v) && l2w_u256_from_dec(out, json_string_value(v)) == L2W_OK)
        return L2W_OK;
    l2w_err_set(err, "%s: expected a decimal string below 2^256", key);
    return L2W_ERR_INVALID;
}

static l2w_status get_u64(uint64_t *out, const json_t *obj, const char *key, l2w_err *err)
{
    l2w_u256 v;
    l2w_status st = get_u256(&v, obj, key, err);
    if (st == L2W_OK && l2w_u256_to_u64(out, &v) != L2W_OK) {
        l2w_err_set(err, "%s: above 2^64-1", key);
        st = L2W_ERR_RANGE;
    }
    return st;
}

/* Hex bytes into a malloc'd buffer (non-NULL even when empty). */
static l2w_status get_hex(uint8_t **out, size_t *len, const json_t *v, const char *what, l2w_err *err)
{
    const char *s = json_string_value(v);
    size_t n = s ? strlen(s) : 0;
    *out = malloc(n / 2 + 1);
    if (!*out) {
        l2w_err_set(err, "%s: out of memory", what);
        return L2W_ERR_NOMEM;
    }
    if (!s || l2w_hex_decode(*out, n / 2 + 1, len, s, n) != L2W_OK) {
        l2w_err_set(err, "%s: expected 0x hex", what);
        return L2W_ERR_INVALID;
    }
    return L2W_OK;
}

static l2w_status get_key(uint8_t key[32], const json_t *req, l2w_err *err)
{
    const char *s = json_string_value(json_object_get(req, "key"));
    if (!s || l2w_hex_decode_exact(key, 32, s) != L2W_OK) {
        l2w_err_set(err, "key: expected 0x + 64 hex digits");
        return L2W_ERR_INVALID;
    }
    return L2W_OK;
}

/* Memory behind a parsed request's transaction views. */
typedef struct {
    uint8_t *data;
    l2w_access_entry *entries;
    l2w_hash *keys;
} tx_memory;

static void tx_memory_free(tx_memory *m)
{
    free(m->data);
    free(m->entries);
    free(m->keys);
}

static size_t count_keys(const json_t *list)
{
    size_t n = 0;
    for (size_t i = 0; i < json_array_size(list); i++)
        n += json_array_size(json_object_get(json_array_get(list, i), "storageKeys"));
    return n;
}

static l2w_status get_access_entry(l2w_access_entry *e, l2w_hash *keys, const json_t *j, l2w_err *err)
{
    const json_t *ks = json_object_get(j, "storageKeys");
    const char *addr = json_string_value(json_object_get(j, "address"));
    if (!addr || l2w_addr_from_hex(&e->address, addr) != L2W_OK || !json_is_array(ks)) {
        l2w_err_set(err, "access_list: expected {address, storageKeys}");
        return L2W_ERR_INVALID;
    }
    for (size_t k = 0; k < json_array_size(ks); k++) {
        const char *key = json_string_value(json_array_get(ks, k));
        if (!key || l2w_hash_from_hex(&keys[k], key) != L2W_OK) {
            l2w_err_set(err, "access_list: a storage key is not 32 bytes of hex");
            return L2W_ERR_INVALID;
        }
    }
    e->storage_keys = keys;
    e->storage_keys_len = json_array_size(ks);
    return L2W_OK;
}

static l2w_status get_access_list(l2w_tx *tx, tx_memory *mem, const json_t *list, l2w_err *err)
{
    size_t n = json_array_size(list), n_keys = count_keys(list), used = 0;
    mem->entries = calloc(n + 1, sizeof *mem->entries);
    mem->keys = calloc(n_keys + 1, sizeof *mem->keys);
    if (!mem->entries || !mem->keys) {
        l2w_err_set(err, "access_list: out of memory");
        return L2W_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        l2w_status st = get_access_entry(&mem->entries[i], mem->keys + used, json_array_get(list, i), err);
        if (st != L2W_OK)
            return st;
        used += mem->entries[i].storage_keys_len;
    }
    tx->access_list = mem->entries;
    tx->access_list_len = n;
    return L2W_OK;
}

static l2w_status get_to(l2w_tx *tx, const json_t *j, l2w_err *err)
{
    const json_t *to = json_object_get(j, "to");
    tx->has_to = to && !json_is_null(to);
    if (tx->has_to && (!json_is_string(to) || l2w_addr_from_hex(&tx->to, json_string_value(to)) != L2W_OK)) {
        l2w_err_set(err, "to: expected an address or null");
        return L2W_ERR_INVALID;
    }
    return L2W_OK;
}

static l2w_status get_tx(l2w_tx *tx, tx_memory *mem, const json_t *j, l2w_err *err)
{
    memset(tx, 0, sizeof *tx);
    if (!json_is_object(j) || !json_is_integer(json_object_get(j, "type"))) {
        l2w_err_set(err, "tx: expected an object with an integer type");
        return L2W_ERR_INVALID;
    }
    tx->type = (l2w_tx_type)json_integer_value(json_object_get(j, "type"));
    l2w_status st = get_u64(&tx->chain_id, j, "chain_id", err);
    if (st == L2W_OK)
        st = get_u64(&tx->nonce, j, "nonce", err);
    if (st == L2W_OK)
        st = get_u64(&tx->gas_limit, j, "gas_limit", err);
    if (st == L2W_OK)
        st = get_u256(&tx->gas_price, j, "gas_price", err);
    if (st == L2W_OK)
        st = get_u256(&tx->max_priority_fee_per_gas, j, "max_priority_fee_per_gas", err);
    if (st == L2W_OK)
        st = get_u256(&tx->max_fee_per_gas, j, "max_fee_per_gas", err);
    if (st == L2W_OK)
        st = get_u256(&tx->value, j, "value", err);
    if (st == L2W_OK)
        st = get_to(tx, j, err);
    if (st == L2W_OK && json_object_get(j, "data"))
        st = get_hex(&mem->data, &tx->data_len, json_object_get(j, "data"), "data", err);
    tx->data = mem->data;
    if (st == L2W_OK && json_object_get(j, "access_list"))
        st = get_access_list(tx, mem, json_object_get(j, "access_list"), err);
    return st;
}

/* ------------------------------------------------------------ writing */

static json_t *dec_json(const l2w_u256 *v)
{
    char s[L2W_U256_DEC_LEN];
    l2w_u256_to_dec(s, v);
    return json_string(s);
}

static json_t *u64_json(uint64_t v)
{
    l2w_u256 w = l2w_u256_from_u64(v);
    return dec_json(&w);
}

static json_t *access_list_json(const l2w_tx *tx)
{
    json_t *list = json_array();
    for (size_t i = 0; list && i < tx->access_list_len; i++) {
        const l2w_access_entry *e = &tx->access_list[i];
        json_t *keys = json_array();
        for (size_t k = 0; keys && k < e->storage_keys_len; k++)
            json_array_append_new(keys, l2w_json_hash(&e->storage_keys[k]));
        json_array_append_new(list, json_pack("{s:o,s:o}", "address", l2w_json_addr(&e->address), "storageKeys",
                                              keys));
    }
    return list;
}

static json_t *tx_json(const l2w_tx *tx)
{
    return json_pack("{s:i,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "type", (int)tx->type, "chain_id",
                     u64_json(tx->chain_id), "nonce", u64_json(tx->nonce), "gas_limit", u64_json(tx->gas_limit),
                     "gas_price", dec_json(&tx->gas_price), "max_priority_fee_per_gas",
                     dec_json(&tx->max_priority_fee_per_gas), "max_fee_per_gas", dec_json(&tx->max_fee_per_gas),
                     "value", dec_json(&tx->value), "to", tx->has_to ? l2w_json_addr(&tx->to) : json_null(),
                     "data", l2w_json_hex(tx->data, tx->data_len), "access_list", access_list_json(tx));
}

/* ------------------------------------------------------------ operations */

/* Decodes raw and recovers its sender; *reencodes says whether encoding
 * the decoded transaction gives raw back. */
static l2w_status decode_raw(json_t **tx_out, l2w_addr *sender, bool *reencodes, const uint8_t *raw, size_t len,
                             l2w_err *err)
{
    l2w_tx tx;
    l2w_signature sig;
    l2w_status st = l2w_tx_decode(&tx, &sig, raw, len, err);
    if (st != L2W_OK)
        return st;
    l2w_bytes again = L2W_BYTES_INIT;
    st = l2w_tx_sender(sender, &tx, &sig, err);
    if (st == L2W_OK)
        st = l2w_tx_encode_signed(&again, &tx, &sig, err);
    *reencodes = st == L2W_OK && again.len == len && memcmp(again.data, raw, len) == 0;
    if (st == L2W_OK && tx_out)
        *tx_out = tx_json(&tx);
    l2w_bytes_free(&again);
    l2w_tx_free(&tx);
    return st;
}

static l2w_status op_sign_tx(json_t **out, const json_t *req, l2w_err *err)
{
    uint8_t key[32];
    l2w_tx tx;
    tx_memory mem = {0};
    l2w_bytes raw = L2W_BYTES_INIT;
    l2w_hash digest, tx_hash;
    l2w_addr address, sender;
    bool reencodes = false;
    l2w_status st = get_key(key, req, err);
    if (st == L2W_OK)
        st = get_tx(&tx, &mem, json_object_get(req, "tx"), err);
    if (st == L2W_OK)
        st = l2w_tx_signing_hash(&digest, &tx, err);
    if (st == L2W_OK)
        st = l2w_tx_sign(&raw, &tx_hash, &tx, key, err);
    if (st == L2W_OK)
        st = l2w_secp_address(&address, key, err);
    if (st == L2W_OK)
        st = decode_raw(NULL, &sender, &reencodes, raw.data, raw.len, err);
    if (st == L2W_OK)
        *out = json_pack("{s:o,s:o,s:o,s:o,s:o,s:b}", "raw", l2w_json_hex(raw.data, raw.len), "hash",
                         l2w_json_hash(&tx_hash), "signing_hash", l2w_json_hash(&digest), "address",
                         l2w_json_addr(&address), "sender", l2w_json_addr(&sender), "reencodes", reencodes);
    l2w_wipe(key, sizeof key);
    l2w_bytes_free(&raw);
    tx_memory_free(&mem);
    return st;
}

static l2w_status op_decode_tx(json_t **out, const json_t *req, l2w_err *err)
{
    uint8_t *raw = NULL;
    size_t len = 0;
    json_t *tx = NULL;
    l2w_addr sender;
    bool reencodes;
    l2w_status st = get_hex(&raw, &len, json_object_get(req, "raw"), "raw", err);
    if (st == L2W_OK)
        st = decode_raw(&tx, &sender, &reencodes, raw, len, err);
    if (st == L2W_OK) {
        l2w_hash h;
        l2w_keccak256_hash(&h, raw, len);
        *out = json_pack("{s:o,s:o,s:o,s:b}", "tx", tx, "sender", l2w_json_addr(&sender), "hash",
                         l2w_json_hash(&h), "reencodes", reencodes);
    }
    free(raw);
    return st;
}

/* r || s || v, v = 27 + recid: the 65-byte form wallets and cast print. */
static json_t *signature_json(const l2w_signature *sig)
{
    uint8_t rsv[65];
    memcpy(rsv, sig->r, 32);
    memcpy(rsv + 32, sig->s, 32);
    rsv[64] = (uint8_t)(27 + sig->recid);
    return l2w_json_hex(rsv, sizeof rsv);
}

/* Signs digest and adds "signature" to out when the request has a key. */
static l2w_status add_signature(json_t *out, const json_t *req, const l2w_hash *digest, l2w_err *err)
{
    if (!json_object_get(req, "key"))
        return L2W_OK;
    uint8_t key[32];
    l2w_signature sig;
    l2w_status st = get_key(key, req, err);
    if (st == L2W_OK)
        st = l2w_secp_sign(&sig, key, digest->b, err);
    l2w_wipe(key, sizeof key);
    if (st == L2W_OK)
        json_object_set_new(out, "signature", signature_json(&sig));
    return st;
}

static l2w_status op_personal(json_t **out, const json_t *req, l2w_err *err)
{
    uint8_t *msg = NULL;
    size_t len = 0;
    l2w_status st = get_hex(&msg, &len, json_object_get(req, "msg"), "msg", err);
    if (st == L2W_OK) {
        l2w_hash h;
        l2w_eip191_digest(&h, msg, len);
        *out = json_pack("{s:o}", "digest", l2w_json_hash(&h));
        st = add_signature(*out, req, &h, err);
    }
    free(msg);
    return st;
}

static l2w_status op_typed(json_t **out, const json_t *req, l2w_err *err)
{
    l2w_eip712_hashes h;
    l2w_status st = l2w_eip712_hash(&h, json_object_get(req, "doc"), err);
    if (st != L2W_OK)
        return st;
    *out = json_pack("{s:o,s:o,s:o}", "digest", l2w_json_hash(&h.digest), "domain_separator",
                     l2w_json_hash(&h.domain_separator), "message_hash", l2w_json_hash(&h.message_hash));
    return add_signature(*out, req, &h.digest, err);
}

static l2w_status op_address(json_t **out, const json_t *req, l2w_err *err)
{
    uint8_t key[32];
    l2w_addr a;
    l2w_status st = get_key(key, req, err);
    if (st == L2W_OK)
        st = l2w_secp_address(&a, key, err);
    l2w_wipe(key, sizeof key);
    if (st == L2W_OK)
        *out = json_pack("{s:o}", "address", l2w_json_addr(&a));
    return st;
}

typedef l2w_status (*op_fn)(json_t **out, const json_t *req, l2w_err *err);

static const struct {
    const char *name;
    op_fn fn;
} ops[] = {
    {"sign_tx", op_sign_tx}, {"decode_tx", op_decode_tx}, {"personal", op_personal},
    {"typed", op_typed},     {"address", op_address},
};

static json_t *answer(const char *line, size_t len)
{
    json_error_t jerr;
    json_t *req = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
    const char *op = json_string_value(json_object_get(req, "op"));
    json_t *out = NULL;
    l2w_err err = {{0}};
    l2w_status st = L2W_ERR_INVALID;
    if (!req)
        l2w_err_set(&err, "invalid JSON: %s", jerr.text);
    else
        l2w_err_set(&err, "unknown op \"%s\"", op ? op : "");
    for (size_t i = 0; op && i < sizeof ops / sizeof ops[0]; i++)
        if (strcmp(op, ops[i].name) == 0)
            st = ops[i].fn(&out, req, &err);
    json_decref(req);
    if (st == L2W_OK && out)
        return out;
    json_decref(out);
    return json_pack("{s:s}", "error", st == L2W_OK ? "out of memory" : err.msg);
}

int main(void)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, stdin)) > 0) {
        if ((size_t)n > MAX_LINE) {
            puts("{\"error\": \"line too long\"}");
            continue;
        }
        json_t *out = answer(line, (size_t)n);
        char *text = out ? json_dumps(out, JSON_COMPACT) : NULL;
        puts(text ? text : "{\"error\": \"out of memory\"}");
        fflush(stdout);
        free(text);
        json_decref(out);
    }
    free(line);
    l2w_secp_thread_cleanup();
    return 0;
}
