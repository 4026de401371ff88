#include "core/tx.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/keccak.h"
#include "core/rlp.h"

/* One table per envelope lists its RLP fields in order; the encoder, the
 * signing hash and the decoder all walk the same table, so the three cannot
 * disagree about the layout. */
typedef enum {
    F_U64,         /* a uint64_t member at offset */
    F_U256,        /* an l2w_u256 member at offset */
    F_TO,          /* empty (creation) or 20 bytes */
    F_DATA,
    F_ACCESS_LIST,
    F_V,           /* legacy: 27/28 or EIP-155 */
    F_YPARITY,     /* typed: 0 or 1 */
    F_R,
    F_S,
} field_kind;

typedef struct {
    const char *name;
    field_kind kind;
    size_t offset;
} field_desc;

#define FIELD(name, kind, member) {name, kind, offsetof(l2w_tx, member)}
#define SIG_FIELD(name, kind) {name, kind, 0}

static const field_desc legacy_fields[] = {
    FIELD("nonce", F_U64, nonce),     FIELD("gasPrice", F_U256, gas_price), FIELD("gas", F_U64, gas_limit),
    FIELD("to", F_TO, to),            FIELD("value", F_U256, value),        FIELD("data", F_DATA, data),
    SIG_FIELD("v", F_V),              SIG_FIELD("r", F_R),                  SIG_FIELD("s", F_S),
};

static const field_desc eip2930_fields[] = {
    FIELD("chainId", F_U64, chain_id), FIELD("nonce", F_U64, nonce),
    FIELD("gasPrice", F_U256, gas_price), FIELD("gas", F_U64, gas_limit),
    FIELD("to", F_TO, to),            FIELD("value", F_U256, value),
    FIELD("data", F_DATA, data),      FIELD("accessList", F_ACCESS_LIST, access_list),
    SIG_FIELD("yParity", F_YPARITY),  SIG_FIELD("r", F_R),
    SIG_FIELD("s", F_S),
};

static const field_desc eip1559_fields[] = {
    FIELD("chainId", F_U64, chain_id),
    FIELD("nonce", F_U64, nonce),
    FIELD("maxPriorityFeePerGas", F_U256, max_priority_fee_per_gas),
    FIELD("maxFeePerGas", F_U256, max_fee_per_gas),
    FIELD("gas", F_U64, gas_limit),
    FIELD("to", F_TO, to),
    FIELD("value", F_U256, value),
    FIELD("data", F_DATA, data),
    FIELD("accessList", F_ACCESS_LIST, access_list),
    SIG_FIELD("yParity", F_YPARITY),
    SIG_FIELD("r", F_R),
    SIG_FIELD("s", F_S),
};

/* The last three fields of every envelope are the signature. */
enum { SIG_FIELDS = 3, MAX_FIELDS = 12 };

typedef struct {
    const field_desc *fields;
    size_t count; /* 0 for an unknown type */
} layout;

static layout layout_of(l2w_tx_type type)
{
    switch (type) {
    case L2W_TX_LEGACY:
        return (layout){legacy_fields, sizeof legacy_fields / sizeof legacy_fields[0]};
    case L2W_TX_EIP2930:
        return (layout){eip2930_fields, sizeof eip2930_fields / sizeof eip2930_fields[0]};
    case L2W_TX_EIP1559:
        return (layout){eip1559_fields, sizeof eip1559_fields / sizeof eip1559_fields[0]};
    }
    return (layout){NULL, 0};
}

const char *l2w_tx_type_name(l2w_tx_type type)
{
    switch (type) {
    case L2W_TX_LEGACY:
        return "legacy";
    case L2W_TX_EIP2930:
        return "eip2930";
    case L2W_TX_EIP1559:
        return "eip1559";
    }
    return "unknown";
}

static const uint64_t *u64_at(const l2w_tx *tx, const field_desc *f)
{
    return (const uint64_t *)((const char *)tx + f->offset);
}

static const l2w_u256 *u256_at(const l2w_tx *tx, const field_desc *f)
{
    return (const l2w_u256 *)((const char *)tx + f->offset);
}

/* ------------------------------------------------------------------ encoding */

static l2w_status check_shape(layout *lay, const l2w_tx *tx, l2w_err *err)
{
    *lay = layout_of(tx->type);
    if (lay->count == 0) {
        l2w_err_set(err, "tx: unknown type %d", (int)tx->type);
        return L2W_ERR_INVALID;
    }
    if (tx->type == L2W_TX_LEGACY && tx->access_list_len > 0) {
        l2w_err_set(err, "tx: a legacy transaction cannot carry an access list");
        return L2W_ERR_INVALID;
    }
    return L2W_OK;
}

static void put_access_list(l2w_bytes *out, const l2w_tx *tx)
{
    size_t list = l2w_rlp_list_begin(out);
    for (size_t i = 0; i < tx->access_list_len; i++) {
        const l2w_access_entry *e = &tx->access_list[i];
        size_t entry = l2w_rlp_list_begin(out);
        l2w_rlp_put_bytes(out, e->address.b, sizeof e->address.b);
        size_t keys = l2w_rlp_list_begin(out);
        for (size_t k = 0; k < e->storage_keys_len; k++)
            l2w_rlp_put_bytes(out, e->storage_keys[k].b, sizeof e->storage_keys[k].b);
        l2w_rlp_list_end(out, keys);
        l2w_rlp_list_end(out, entry);
    }
    l2w_rlp_list_end(out, list);
}

/* v = 35 + 2*chainId + parity needs 65 bits for the largest chain ids. */
static l2w_u256 legacy_v(uint64_t chain_id, int parity)
{
    if (chain_id == 0)
        return l2w_u256_from_u64(27 + (uint64_t)parity);
    uint64_t twice = chain_id << 1;
    uint64_t lo = twice + 35 + (uint64_t)parity;
    uint64_t hi = (chain_id >> 63) + (lo < twice);
    return (l2w_u256){{lo, hi, 0, 0}};
}

static void put_be32_int(l2w_bytes *out, const uint8_t be[32])
{
    l2w_u256 v;
    l2w_u256_from_be32(&v, be);
    l2w_rlp_put_u256(out, &v);
}

/* sig is NULL while building the signing payload (no signature fields). */
static void put_field(l2w_bytes *out, const l2w_tx *tx, const field_desc *f, const l2w_signature *sig)
{
    switch (f->kind) {
    case F_U64:
        l2w_rlp_put_u64(out, *u64_at(tx, f));
        return;
    case F_U256:
        l2w_rlp_put_u256(out, u256_at(tx, f));
        return;
    case F_TO:
        l2w_rlp_put_bytes(out, tx->to.b, tx->has_to ? sizeof tx->to.b : 0);
        return;
    case F_DATA:
        l2w_rlp_put_bytes(out, tx->data, tx->data_len);
        return;
    case F_ACCESS_LIST:
        put_access_list(out, tx);
        return;
    case F_V: {
        l2w_u256 v = legacy_v(tx->chain_id, sig->recid);
        l2w_rlp_put_u256(out, &v);
        return;
    }
    case F_YPARITY:
        l2w_rlp_put_u64(out, (uint64_t)sig->recid);
        return;
    case F_R:
        put_be32_int(out, sig->r);
        return;
    case F_S:
        put_be32_int(out, sig->s);
        return;
    }
}

/* The envelope with or without its signature: type byte, then the list. */
static void put_envelope(l2w_bytes *out, const l2w_tx *tx, const layout *lay, const l2w_signature *sig)
{
    if (tx->type != L2W_TX_LEGACY)
        l2w_bytes_append_byte(out, (uint8_t)tx->type);
    size_t list = l2w_rlp_list_begin(out);
    size_t n = sig ? lay->count : lay->count - SIG_FIELDS;
    for (size_t i = 0; i < n; i++)
        put_field(out, tx, &lay->fields[i], sig);
    if (!sig && tx->type == L2W_TX_LEGACY && tx->chain_id != 0) {
        /* EIP-155: the chain id and two empty fields stand where v, r, s go. */
        l2w_rlp_put_u64(out, tx->chain_id);
        l2w_rlp_put_u64(out, 0);
        l2w_rlp_put_u64(out, 0);
    }
    l2w_rlp_list_end(out, list);
}

l2w_status l2w_tx_signing_hash(l2w_hash *out, const l2w_tx *tx, l2w_err *err)
{
    layout lay;
    l2w_status st = check_shape(&lay, tx, err);
    if (st != L2W_OK)
        return st;
    l2w_bytes payload = L2W_BYTES_INIT;
    put_envelope(&payload, tx, &lay, NULL);
    st = l2w_bytes_status(&payload);
    if (st == L2W_OK)
        l2w_keccak256_hash(out, payload.data, payload.len);
    else
        l2w_err_set(err, "tx: out of memory building the signing payload");
    l2w_bytes_free(&payload);
    return st;
}

l2w_status l2w_tx_encode_signed(l2w_bytes *out, const l2w_tx *tx, const l2w_signature *sig, l2w_err *err)
{
    layout lay;
    l2w_status st = check_shape(&lay, tx, err);
    if (st != L2W_OK)
        return st;
    if (sig->recid != 0 && sig->recid != 1) {
        l2w_err_set(err, "tx: recovery id %d cannot be encoded (only parity 0 or 1 travels)", sig->recid);
        return L2W_ERR_INVALID;
    }
    put_envelope(out, tx, &lay, sig);
    st = l2w_bytes_status(out);
    if (st != L2W_OK)
        l2w_err_set(err, "tx: out of memory encoding the signed transaction");
    return st;
}

l2w_status l2w_tx_sign(l2w_bytes *raw, l2w_hash *tx_hash, const l2w_tx *tx, const uint8_t seckey[32],
                       l2w_err *err)
{
    l2w_hash digest;
    l2w_status st = l2w_tx_signing_hash(&digest, tx, err);
    if (st != L2W_OK)
        return st;
    l2w_signature sig;
    st = l2w_secp_sign(&sig, seckey, digest.b, err);
    if (st != L2W_OK)
        return st;
    size_t start = raw->len;
    st = l2w_tx_encode_signed(raw, tx, &sig, err);
    if (st != L2W_OK)
        return st;
    l2w_keccak256_hash(tx_hash, raw->data + start, raw->len - start);
    return L2W_OK;
}

l2w_status l2w_tx_sender(l2w_addr *out, const l2w_tx *tx, const l2w_signature *sig, l2w_err *err)
{
    l2w_hash digest;
    l2w_status st = l2w_tx_signing_hash(&digest, tx, err);
    if (st != L2W_OK)
        return st;
    return l2w_secp_recover(out, digest.b, sig, err);
}

void l2w_tx_free(l2w_tx *tx)
{
    free(tx->owned);
    tx->owned = NULL;
    tx->data = NULL;
    tx->data_len = 0;
    tx->access_list = NULL;
    tx->access_list_len = 0;
}

/* ------------------------------------------------------------------ decoding */

/* Views the decoder copies into the transaction's own block at the end. */
typedef struct {
    l2w_rlp_item data;
    l2w_rlp_item access_list;
    size_t entries;
    size_t keys;
} pending;

static l2w_status expect_string(const l2w_rlp_item *it, l2w_err *err)
{
    if (it->is_list) {
        l2w_err_set(err, "expected a string, found a list");
        return L2W_ERR_INVALID;
    }
    return L2W_OK;
}

static l2w_status expect_string_of(const l2w_rlp_item *it, size_t len, const char *what, l2w_err *err)
{
    if (it->is_list || it->len != len) {
        l2w_err_set(err, "%s must be a %zu-byte string", what, len);
        return L2W_ERR_INVALID;
    }
    return L2W_OK;
}

static l2w_status walk_keys(const l2w_rlp_item *list, l2w_hash *keys, size_t *n, l2w_err *err)
{
    if (!list->is_list) {
        l2w_err_set(err, "storage keys must be a list");
        return L2W_ERR_INVALID;
    }
    l2w_rlp_cursor_t cur = l2w_rlp_cursor(list);
    l2w_rlp_item key;
    l2w_status st;
    while ((st = l2w_rlp_next(&cur, &key, err)) == L2W_OK) {
        st = expect_string_of(&key, 32, "a storage key", err);
        if (st != L2W_OK) {
            l2w_err_prefix(err, "storage key %zu", *n);
            return st;
        }
        if (keys)
            memcpy(keys[*n].b, key.p, 32);
        (*n)++;
    }
    return st == L2W_ERR_NOT_FOUND ? L2W_OK : st;
}

static l2w_status walk_entry(const l2w_rlp_item *entry, l2w_access_entry *out, l2w_hash *keys, size_t *n_keys,
                             l2w_err *err)
{
    l2w_rlp_item parts[2];
    size_t count;
    l2w_status st = l2w_rlp_list_items(entry, parts, 2, &count, err);
    if (st == L2W_OK && count != 2) {
        l2w_err_set(err, "has %zu items, expected [address, storageKeys]", count);
        st = L2W_ERR_INVALID;
    }
    if (st == L2W_OK)
        st = expect_string_of(&parts[0], 20, "the address", err);
    if (st != L2W_OK)
        return st;
    size_t first = *n_keys;
    st = walk_keys(&parts[1], keys, n_keys, err);
    if (st == L2W_OK && out) {
        memcpy(out->address.b, parts[0].p, 20);
        out->storage_keys = keys + first;
        out->storage_keys_len = *n_keys - first;
    }
    return st;
}

/* Validates an access list and counts it; with entries and keys non-NULL
 * (sized from a counting pass) it also fills them. */
static l2w_status walk_access_list(const l2w_rlp_item *list, l2w_access_entry *entries, l2w_hash *keys,
                                   size_t *n_entries, size_t *n_keys, l2w_err *err)
{
    if (!list->is_list) {
        l2w_err_set(err, "expected a list, found a string");
        return L2W_ERR_INVALID;
    }
    *n_entries = *n_keys = 0;
    l2w_rlp_cursor_t cur = l2w_rlp_cursor(list);
    l2w_rlp_item entry;
    l2w_status st;
    while ((st = l2w_rlp_next(&cur, &entry, err)) == L2W_OK) {
        st = walk_entry(&entry, entries ? &entries[*n_entries] : NULL, keys, n_keys, err);
        if (st != L2W_OK) {
            l2w_err_prefix(err, "entry %zu", *n_entries);
            return st;
        }
        (*n_entries)++;
    }
    return st == L2W_ERR_NOT_FOUND ? L2W_OK : st;
}

static l2w_status decode_to(l2w_tx *tx, const l2w_rlp_item *it, l2w_err *err)
{
    l2w_status st = expect_string(it, err);
    if (st != L2W_OK)
        return st;
    if (it->len != 0 && it->len != sizeof tx->to.b) {
        l2w_err_set(err, "is %zu bytes, expected 0 (contract creation) or 20", it->len);
        return L2W_ERR_INVALID;
    }
    tx->has_to = it->len != 0;
    if (tx->has_to)
        memcpy(tx->to.b, it->p, sizeof tx->to.b);
    return L2W_OK;
}

/* The inverse of legacy_v: 27/28 (no chain id) or 35 + 2*chainId + parity. */
static l2w_status decode_v(l2w_tx *tx, l2w_signature *sig, const l2w_rlp_item *it, l2w_err *err)
{
    l2w_u256 v;
    l2w_status st = l2w_rlp_get_u256(it, &v, err);
    if (st != L2W_OK)
        return st;
    uint64_t lo = v.w[0], hi = v.w[1];
    if (v.w[2] || v.w[3] || hi > 2) {
        l2w_err_set(err, "implies a chain id above 2^64-1");
        return L2W_ERR_RANGE;
    }
    if (hi == 0 && lo < 35) {
        if (lo != 27 && lo != 28) {
            l2w_err_set(err, "%llu is neither 27/28 nor 35 + 2*chainId + parity", (unsigned long long)lo);
            return L2W_ERR_INVALID;
        }
        tx->chain_id = 0;
        sig->recid = (int)(lo - 27);
        return L2W_OK;
    }
    uint64_t x_lo = lo - 35, x_hi = hi - (lo < 35);
    if (x_hi > 1) {
        l2w_err_set(err, "implies a chain id above 2^64-1");
        return L2W_ERR_RANGE;
    }
    sig->recid = (int)(x_lo & 1);
    tx->chain_id = (x_lo >> 1) | (x_hi << 63);
    return L2W_OK;
}

static l2w_status decode_parity(l2w_signature *sig, const l2w_rlp_item *it, l2w_err *err)
{
    uint64_t p;
    l2w_status st = l2w_rlp_get_u64(it, &p, err);
    if (st != L2W_OK)
        return st;
    if (p > 1) {
        l2w_err_set(err, "is %llu, expected 0 or 1", (unsigned long long)p);
        return L2W_ERR_INVALID;
    }
    sig->recid = (int)p;
    return L2W_OK;
}

static l2w_status decode_be32(uint8_t out[32], const l2w_rlp_item *it, l2w_err *err)
{
    l2w_u256 v;
    l2w_status st = l2w_rlp_get_u256(it, &v, err);
    if (st == L2W_OK)
        l2w_u256_to_be32(out, &v);
    return st;
}

static l2w_status decode_field(l2w_tx *tx, l2w_signature *sig, pending *pend, const field_desc *f,
                               const l2w_rlp_item *it, l2w_err *err)
{
    void *member = (char *)tx + f->offset;
    switch (f->kind) {
    case F_U64:
        return l2w_rlp_get_u64(it, member, err);
    case F_U256:
        return l2w_rlp_get_u256(it, member, err);
    case F_TO:
        return decode_to(tx, it, err);
    case F_DATA:
        pend->data = *it;
        return expect_string(it, err);
    case F_ACCESS_LIST:
        pend->access_list = *it;
        return walk_access_list(it, NULL, NULL, &pend->entries, &pend->keys, err);
    case F_V:
        return decode_v(tx, sig, it, err);
    case F_YPARITY:
        return decode_parity(sig, it, err);
    case F_R:
        return decode_be32(sig->r, it, err);
    case F_S:
        return decode_be32(sig->s, it, err);
    }
    l2w_err_set(err, "unknown field kind");
    return L2W_ERR_INVALID;
}

/* Copies data and the access list into one block the transaction owns. The
 * counts come from the input, so the size is bounded by a small multiple of
 * its length. */
static l2w_status materialize(l2w_tx *tx, const pending *pend, l2w_err *err)
{
    size_t entries_size = pend->entries * sizeof(l2w_access_entry);
    size_t keys_size = pend->keys * sizeof(l2w_hash);
    size_t total = entries_size + keys_size + pend->data.len;
    if (total == 0)
        return L2W_OK;
    uint8_t *block = malloc(total);
    if (!block) {
        l2w_err_set(err, "tx: out of memory copying data and access list");
        return L2W_ERR_NOMEM;
    }
    tx->owned = block;
    l2w_access_entry *entries = (l2w_access_entry *)(void *)block;
    l2w_hash *keys = (l2w_hash *)(void *)(block + entries_size);
    uint8_t *data = block + entries_size + keys_size;
    if (pend->entries) {
        size_t n_entries, n_keys;
        l2w_status st = walk_access_list(&pend->access_list, entries, keys, &n_entries, &n_keys, err);
        if (st != L2W_OK)
            return st;
        tx->access_list = entries;
        tx->access_list_len = n_entries;
    }
    if (pend->data.len) {
        memcpy(data, pend->data.p, pend->data.len);
        tx->data = data;
        tx->data_len = pend->data.len;
    }
    return L2W_OK;
}

static l2w_status decode_fields(l2w_tx *tx, l2w_signature *sig, const uint8_t *in, size_t len, l2w_err *err)
{
    layout lay = layout_of(tx->type);
    l2w_rlp_item list, items[MAX_FIELDS + 1];
    size_t count;
    l2w_status st = l2w_rlp_decode(&list, in, len, err);
    if (st == L2W_OK)
        st = l2w_rlp_list_items(&list, items, MAX_FIELDS + 1, &count, err);
    if (st == L2W_OK && count != lay.count) {
        l2w_err_set(err, "has %zu fields, expected %zu", count, lay.count);
        st = L2W_ERR_INVALID;
    }
    if (st != L2W_OK)
        return st;
    pending pend = {0};
    for (size_t i = 0; i < count; i++) {
        st = decode_field(tx, sig, &pend, &lay.fields[i], &items[i], err);
        if (st != L2W_OK) {
            l2w_err_prefix(err, "field %s", lay.fields[i].name);
            return st;
        }
    }
    st = l2w_secp_signature_check(sig, err);
    if (st != L2W_OK) {
        l2w_err_prefix(err, "signature");
        return st;
    }
    return materialize(tx, &pend, err);
}

static l2w_status envelope_type(l2w_tx_type *type, const uint8_t *raw, size_t len, l2w_err *err)
{
    if (len == 0) {
        l2w_err_set(err, "tx: empty input");
        return L2W_ERR_INVALID;
    }
    if (raw[0] >= 0xc0) {
        *type = L2W_TX_LEGACY;
        return L2W_OK;
    }
    if (raw[0] == L2W_TX_EIP2930 || raw[0] == L2W_TX_EIP1559) {
        *type = (l2w_tx_type)raw[0];
        return L2W_OK;
    }
    if (raw[0] >= 0x80) {
        l2w_err_set(err, "tx: starts with an RLP string (0x%02x), not a transaction", raw[0]);
        return L2W_ERR_INVALID;
    }
    l2w_err_set(err, "tx: unsupported transaction type 0x%02x", raw[0]);
    return L2W_ERR_INVALID;
}

l2w_status l2w_tx_decode(l2w_tx *tx, l2w_signature *sig, const uint8_t *raw, size_t len, l2w_err *err)
{
    memset(tx, 0, sizeof *tx);
    memset(sig, 0, sizeof *sig);
    l2w_status st = envelope_type(&tx->type, raw, len, err);
    if (st != L2W_OK)
        return st;
    size_t skip = tx->type == L2W_TX_LEGACY ? 0 : 1;
    st = decode_fields(tx, sig, raw + skip, len - skip, err);
    if (st != L2W_OK) {
        l2w_err_prefix(err, "tx %s", l2w_tx_type_name(tx->type));
        l2w_tx_free(tx);
    }
    return st;
}
