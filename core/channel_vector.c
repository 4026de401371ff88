#include "core/channel_vector.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/abi.h"
#include "core/hex.h"
#include "core/json_path.h"
#include "core/json.h"
#include "core/keccak.h"
#include "core/secp.h"

/* ---- ABI shapes (ICMCAdjudicator.sol, Types.sol) ----
 * Balance.to is `address payable[2]`, which the ABI writes as address[2]. */
#define CCS_TYPE                                                                                               \
    "(address,address,address,address[],(uint256[2],address[2])[],uint256[],uint256[],uint256[],uint256,uint256," \
    "bytes32)"
#define DISPUTE_TYPE "(bytes32,uint256,bytes32,uint256,uint256)"

/* CoreChannelState's fields, by index. */
enum {
    CCS_CHANNEL_ADDRESS,
    CCS_ALICE,
    CCS_BOB,
    CCS_ASSET_IDS,
    CCS_BALANCES,
    CCS_PROCESSED_A,
    CCS_PROCESSED_B,
    CCS_DEFUND_NONCES,
    CCS_TIMEOUT,
    CCS_NONCE,
    CCS_MERKLE_ROOT,
    CCS_FIELDS
};

const char l2w_vector_channel_disputed_signature[] = "ChannelDisputed(address," CCS_TYPE "," DISPUTE_TYPE ")";

/* The prefix LibChannelCrypto.toChannelSignedMessage puts before the
 * commitment: a 0x16 byte, the text, and "32" (the commitment's length). */
static const char channel_message_prefix[] = "\x16Vector Signed Message:\n32";

/* ---- state storage ---- */

l2w_status l2w_vector_state_alloc(l2w_vector_state *s, size_t n_assets, l2w_err *err)
{
    memset(s, 0, sizeof *s);
    if (n_assets > L2W_VECTOR_MAX_ASSETS) {
        l2w_err_set(err, "vector state: %zu assets exceeds the cap of %d", n_assets, L2W_VECTOR_MAX_ASSETS);
        return L2W_ERR_RANGE;
    }
    if (n_assets == 0)
        return L2W_OK;
    s->n_assets = n_assets;
    s->asset_ids = calloc(n_assets, sizeof *s->asset_ids);
    s->balances = calloc(n_assets, sizeof *s->balances);
    s->processed_deposits_a = calloc(n_assets, sizeof *s->processed_deposits_a);
    s->processed_deposits_b = calloc(n_assets, sizeof *s->processed_deposits_b);
    s->defund_nonces = calloc(n_assets, sizeof *s->defund_nonces);
    if (!s->asset_ids || !s->balances || !s->processed_deposits_a || !s->processed_deposits_b || !s->defund_nonces) {
        l2w_vector_state_free(s);
        l2w_err_set(err, "vector state: out of memory");
        return L2W_ERR_NOMEM;
    }
    return L2W_OK;
}

void l2w_vector_state_free(l2w_vector_state *s)
{
    if (!s)
        return;
    free(s->asset_ids);
    free(s->balances);
    free(s->processed_deposits_a);
    free(s->processed_deposits_b);
    free(s->defund_nonces);
    memset(s, 0, sizeof *s);
}

static bool u256_eq(const l2w_u256 *a, const l2w_u256 *b)
{
    return l2w_u256_cmp(a, b) == 0;
}

static bool balance_eq(const l2w_vector_balance *a, const l2w_vector_balance *b)
{
    for (int i = 0; i < 2; i++)
        if (!u256_eq(&a->amount[i], &b->amount[i]) || !l2w_addr_eq(&a->to[i], &b->to[i]))
            return false;
    return true;
}

bool l2w_vector_state_eq(const l2w_vector_state *a, const l2w_vector_state *b)
{
    if (!l2w_addr_eq(&a->channel_address, &b->channel_address) || !l2w_addr_eq(&a->alice, &b->alice) ||
        !l2w_addr_eq(&a->bob, &b->bob) || a->n_assets != b->n_assets || !u256_eq(&a->timeout, &b->timeout) ||
        !u256_eq(&a->nonce, &b->nonce) || !l2w_hash_eq(&a->merkle_root, &b->merkle_root))
        return false;
    for (size_t i = 0; i < a->n_assets; i++) {
        if (!l2w_addr_eq(&a->asset_ids[i], &b->asset_ids[i]) || !balance_eq(&a->balances[i], &b->balances[i]) ||
            !u256_eq(&a->processed_deposits_a[i], &b->processed_deposits_a[i]) ||
            !u256_eq(&a->processed_deposits_b[i], &b->processed_deposits_b[i]) ||
            !u256_eq(&a->defund_nonces[i], &b->defund_nonces[i]))
            return false;
    }
    return true;
}

/* ---- ABI value tree of a state ---- */

/* The value tree of a CoreChannelState borrows s and lives in one block:
 * 11 fields, then per asset its id, balance tuple, the tuple's two fixed
 * arrays and their 2 + 2 items, and the three uint256 array items. */
typedef struct {
    l2w_abi_value ccs;
    l2w_abi_value *block;
} ccs_tree;

/* 1 id + 1 balance tuple + 2 fixed arrays + 4 items + 3 uint256 items */
enum { PER_ASSET = 11 };

static l2w_status ccs_tree_build(ccs_tree *t, const l2w_vector_state *s, l2w_err *err)
{
    size_t n = s->n_assets;
    t->block = calloc(CCS_FIELDS + PER_ASSET * n, sizeof *t->block);
    if (!t->block) {
        l2w_err_set(err, "vector state: out of memory");
        return L2W_ERR_NOMEM;
    }
    l2w_abi_value *f = t->block;
    l2w_abi_value *ids = f + CCS_FIELDS;
    l2w_abi_value *bal = ids + n;
    l2w_abi_value *bal_parts = bal + n;     /* 2 per asset: amount[2], to[2] */
    l2w_abi_value *bal_items = bal_parts + 2 * n; /* 4 per asset: amount0, amount1, to0, to1 */
    l2w_abi_value *pa = bal_items + 4 * n;
    l2w_abi_value *pb = pa + n;
    l2w_abi_value *dn = pb + n;
    for (size_t i = 0; i < n; i++) {
        const l2w_vector_balance *b = &s->balances[i];
        ids[i] = l2w_abi_val_addr(&s->asset_ids[i]);
        l2w_abi_value *items = bal_items + 4 * i;
        items[0] = l2w_abi_val_uint(&b->amount[0]);
        items[1] = l2w_abi_val_uint(&b->amount[1]);
        items[2] = l2w_abi_val_addr(&b->to[0]);
        items[3] = l2w_abi_val_addr(&b->to[1]);
        bal_parts[2 * i] = l2w_abi_val_fixed_array(items, 2);
        bal_parts[2 * i + 1] = l2w_abi_val_fixed_array(items + 2, 2);
        bal[i] = l2w_abi_val_tuple(bal_parts + 2 * i, 2);
        pa[i] = l2w_abi_val_uint(&s->processed_deposits_a[i]);
        pb[i] = l2w_abi_val_uint(&s->processed_deposits_b[i]);
        dn[i] = l2w_abi_val_uint(&s->defund_nonces[i]);
    }
    f[CCS_CHANNEL_ADDRESS] = l2w_abi_val_addr(&s->channel_address);
    f[CCS_ALICE] = l2w_abi_val_addr(&s->alice);
    f[CCS_BOB] = l2w_abi_val_addr(&s->bob);
    f[CCS_ASSET_IDS] = l2w_abi_val_array(ids, n);
    f[CCS_BALANCES] = l2w_abi_val_array(bal, n);
    f[CCS_PROCESSED_A] = l2w_abi_val_array(pa, n);
    f[CCS_PROCESSED_B] = l2w_abi_val_array(pb, n);
    f[CCS_DEFUND_NONCES] = l2w_abi_val_array(dn, n);
    f[CCS_TIMEOUT] = l2w_abi_val_uint(&s->timeout);
    f[CCS_NONCE] = l2w_abi_val_uint(&s->nonce);
    f[CCS_MERKLE_ROOT] = l2w_abi_val_hash(&s->merkle_root);
    t->ccs = l2w_abi_val_tuple(f, CCS_FIELDS);
    return L2W_OK;
}

/* abi.encode of a tuple of values whose type is type_text. */
static l2w_status encode_text(uint8_t **out, size_t *out_len, const char *type_text, const l2w_abi_value *v,
                              l2w_err *err)
{
    l2w_abi_type *t = NULL;
    l2w_status st = l2w_abi_type_parse(&t, type_text, err);
    if (st == L2W_OK)
        st = l2w_abi_encode(out, out_len, t, v, err);
    l2w_abi_type_free(t);
    return st;
}

l2w_status l2w_vector_state_hash(l2w_hash *out, const l2w_vector_state *s, l2w_err *err)
{
    if (s->n_assets > L2W_VECTOR_MAX_ASSETS) {
        l2w_err_set(err, "vector state: %zu assets exceeds the cap of %d", s->n_assets, L2W_VECTOR_MAX_ASSETS);
        return L2W_ERR_RANGE;
    }
    ccs_tree tree;
    l2w_status st = ccs_tree_build(&tree, s, err);
    if (st != L2W_OK)
        return st;
    /* abi.encode(ccs) of one dynamic struct: the encoding of the one-item
     * tuple (ccs), whose head is the offset of the struct. */
    l2w_abi_value args = l2w_abi_val_tuple(&tree.ccs, 1);
    uint8_t *enc = NULL;
    size_t enc_len = 0;
    st = encode_text(&enc, &enc_len, "(" CCS_TYPE ")", &args, err);
    if (st == L2W_OK)
        l2w_keccak256_hash(out, enc, enc_len);
    free(enc);
    free(tree.block);
    return st;
}

void l2w_vector_commitment(l2w_hash *out, const l2w_hash *state_hash)
{
    /* abi.encode(CommitmentType.ChannelState, ccsHash): the enum is a uint8
     * word holding 0, then the hash. */
    uint8_t buf[64] = {0};
    memcpy(buf + 32, state_hash->b, 32);
    l2w_keccak256_hash(out, buf, sizeof buf);
}

void l2w_vector_signed_digest(l2w_hash *out, const l2w_hash *commitment)
{
    l2w_keccak_ctx k;
    l2w_keccak_init(&k);
    l2w_keccak_update(&k, (const uint8_t *)channel_message_prefix, sizeof channel_message_prefix - 1);
    l2w_keccak_update(&k, commitment->b, sizeof commitment->b);
    l2w_keccak_final(&k, out->b);
}

l2w_status l2w_vector_state_digest(l2w_hash *out, const l2w_vector_state *s, l2w_err *err)
{
    l2w_hash h, c;
    l2w_status st = l2w_vector_state_hash(&h, s, err);
    if (st != L2W_OK)
        return st;
    l2w_vector_commitment(&c, &h);
    l2w_vector_signed_digest(out, &c);
    return L2W_OK;
}

/* ---- signatures ---- */

static const char *const party_name[2] = {"alice", "bob"};

/* ECDSA.recover's checks in its order, then the comparison with the party. */
static l2w_vector_sig_fault check_signature(l2w_addr *recovered, const l2w_hash *digest, const uint8_t *sig,
                                            size_t sig_len, const l2w_addr *expected, l2w_err *err)
{
    if (!sig || sig_len != L2W_VECTOR_SIG_LEN) {
        l2w_err_set(err, "length %zu, expected %d bytes (r || s || v)", sig ? sig_len : 0, L2W_VECTOR_SIG_LEN);
        return L2W_VECTOR_SIG_LENGTH;
    }
    if (memcmp(sig + 32, l2w_secp_half_order, 32) > 0) {
        l2w_err_set(err, "s is above n/2 (the malleable form OpenZeppelin ECDSA refuses)");
        return L2W_VECTOR_SIG_HIGH_S;
    }
    uint8_t v = sig[64];
    if (v != 27 && v != 28) {
        l2w_err_set(err, "v is %u, expected 27 or 28", v);
        return L2W_VECTOR_SIG_BAD_V;
    }
    l2w_signature parsed;
    memcpy(parsed.r, sig, 32);
    memcpy(parsed.s, sig + 32, 32);
    parsed.recid = v - 27;
    l2w_err inner = {{0}};
    if (l2w_secp_recover(recovered, digest->b, &parsed, &inner) != L2W_OK) {
        l2w_err_set(err, "recovers no signer (%s)", inner.msg);
        return L2W_VECTOR_SIG_UNRECOVERABLE;
    }
    if (!l2w_addr_eq(recovered, expected))
        return L2W_VECTOR_SIG_WRONG_SIGNER;
    return L2W_VECTOR_SIG_OK;
}

l2w_status l2w_vector_verify(l2w_vector_verdict *verdict, const l2w_vector_state *s, const uint8_t *alice_sig,
                             size_t alice_sig_len, const uint8_t *bob_sig, size_t bob_sig_len, l2w_err *err)
{
    l2w_vector_verdict local;
    if (!verdict)
        verdict = &local;
    memset(verdict, 0, sizeof *verdict);
    verdict->party = -1;
    l2w_hash digest;
    l2w_status st = l2w_vector_state_digest(&digest, s, err);
    if (st != L2W_OK)
        return st;
    const uint8_t *sigs[2] = {alice_sig, bob_sig};
    const size_t lens[2] = {alice_sig_len, bob_sig_len};
    const l2w_addr *parties[2] = {&s->alice, &s->bob};
    for (int p = 0; p < 2; p++) {
        l2w_addr who;
        l2w_vector_sig_fault f = check_signature(&who, &digest, sigs[p], lens[p], parties[p], err);
        if (f == L2W_VECTOR_SIG_OK)
            continue;
        verdict->fault = f;
        verdict->party = p;
        if (f == L2W_VECTOR_SIG_WRONG_SIGNER) {
            verdict->recovered = who;
            char got[L2W_ADDR_HEX_LEN], want[L2W_ADDR_HEX_LEN];
            l2w_addr_to_hex(got, &who);
            l2w_addr_to_hex(want, parties[p]);
            const l2w_addr *other = parties[1 - p];
            l2w_err_set(err, "recovers to %s%s, not %s %s", got,
                        l2w_addr_eq(&who, other) ? (p == 0 ? " (bob)" : " (alice)") : "", party_name[p], want);
        }
        l2w_err_prefix(err, "%s signature", party_name[p]);
        return L2W_ERR_INVALID;
    }
    return L2W_OK;
}

/* ---- JSON intake ---- */

static const json_t *member(const json_t *obj, const char *key, const char *path, l2w_err *err)
{
    const json_t *v = json_object_get(obj, key);
    if (!v)
        l2w_err_set(err, "%s.%s: missing", path, key);
    return v;
}

/* The array member key of obj, with its length; NULL (and err) otherwise. */
static const json_t *array_member(size_t *len, const json_t *obj, const char *key, const char *path, l2w_err *err)
{
    const json_t *v = member(obj, key, path, err);
    if (!v)
        return NULL;
    if (!json_is_array(v)) {
        l2w_err_set(err, "%s.%s: expected an array, got %s", path, key, l2w_jpath_kind(v));
        return NULL;
    }
    *len = json_array_size(v);
    return v;
}

static l2w_status member_u256(l2w_u256 *out, const json_t *obj, const char *key, const char *path, l2w_err *err)
{
    const json_t *v = member(obj, key, path, err);
    if (!v)
        return L2W_ERR_INVALID;
    char sub[96];
    snprintf(sub, sizeof sub, "%s.%s", path, key);
    return l2w_jpath_u256(out, v, sub, err);
}

static l2w_status member_addr(l2w_addr *out, const json_t *obj, const char *key, const char *path, l2w_err *err)
{
    const json_t *v = member(obj, key, path, err);
    if (!v)
        return L2W_ERR_INVALID;
    char sub[96];
    snprintf(sub, sizeof sub, "%s.%s", path, key);
    return l2w_jpath_addr(out, v, sub, err);
}

static l2w_status parse_pair(const json_t *bal, const char *key, const char *path, l2w_u256 *amounts, l2w_addr *tos,
                             l2w_err *err)
{
    size_t n;
    const json_t *arr = array_member(&n, bal, key, path, err);
    if (!arr)
        return L2W_ERR_INVALID;
    char sub[96];
    snprintf(sub, sizeof sub, "%s.%s", path, key);
    if (n != 2) {
        l2w_err_set(err, "%s: expected 2 entries [alice, bob], got %zu", sub, n);
        return L2W_ERR_INVALID;
    }
    for (size_t i = 0; i < 2; i++) {
        char item[112];
        snprintf(item, sizeof item, "%s[%zu]", sub, i);
        l2w_status st = amounts ? l2w_jpath_u256(&amounts[i], json_array_get(arr, i), item, err)
                                : l2w_jpath_addr(&tos[i], json_array_get(arr, i), item, err);
        if (st != L2W_OK)
            return st;
    }
    return L2W_OK;
}

static l2w_status parse_balance(l2w_vector_balance *out, const json_t *v, const char *path, l2w_err *err)
{
    if (!json_is_object(v)) {
        l2w_err_set(err, "%s: expected an object {amount, to}, got %s", path, l2w_jpath_kind(v));
        return L2W_ERR_INVALID;
    }
    static const char *const names[] = {"amount", "to"};
    l2w_status st = l2w_jpath_only_fields(v, names, 2, path, err);
    if (st == L2W_OK)
        st = parse_pair(v, "amount", path, out->amount, NULL, err);
    if (st == L2W_OK)
        st = parse_pair(v, "to", path, NULL, out->to, err);
    return st;
}

/* Per-asset arrays, in the struct's order. */
static const char *const asset_arrays[] = {"assetIds", "balances", "processedDepositsA", "processedDepositsB",
                                           "defundNonces"};
enum { N_ASSET_ARRAYS = sizeof asset_arrays / sizeof asset_arrays[0] };

static l2w_status parse_asset_item(l2w_vector_state *s, int which, size_t i, const json_t *v, const char *path,
                                   l2w_err *err)
{
    switch (which) {
    case 0:
        return l2w_jpath_addr(&s->asset_ids[i], v, path, err);
    case 1:
        return parse_balance(&s->balances[i], v, path, err);
    case 2:
        return l2w_jpath_u256(&s->processed_deposits_a[i], v, path, err);
    case 3:
        return l2w_jpath_u256(&s->processed_deposits_b[i], v, path, err);
    default:
        return l2w_jpath_u256(&s->defund_nonces[i], v, path, err);
    }
}

static l2w_status parse_state(l2w_vector_state *s, const json_t *json, l2w_err *err)
{
    static const char path[] = "state";
    static const char *const names[] = {"channelAddress", "alice", "bob", "assetIds", "balances",
                                        "processedDepositsA", "processedDepositsB", "defundNonces", "timeout",
                                        "nonce", "merkleRoot"};
    if (!json_is_object(json)) {
        l2w_err_set(err, "state: expected an object, got %s", json ? l2w_jpath_kind(json) : "nothing");
        return L2W_ERR_INVALID;
    }
    l2w_status st = l2w_jpath_only_fields(json, names, sizeof names / sizeof names[0], path, err);
    if (st != L2W_OK)
        return st;
    /* The arrays first: their common length sizes the state. */
    const json_t *arrays[N_ASSET_ARRAYS];
    size_t n = 0;
    for (int a = 0; a < N_ASSET_ARRAYS; a++) {
        size_t len;
        arrays[a] = array_member(&len, json, asset_arrays[a], path, err);
        if (!arrays[a])
            return L2W_ERR_INVALID;
        if (len > L2W_VECTOR_MAX_ASSETS) {
            l2w_err_set(err, "state.%s: %zu entries exceeds the cap of %d assets", asset_arrays[a], len,
                        L2W_VECTOR_MAX_ASSETS);
            return L2W_ERR_INVALID;
        }
        if (a == 0) {
            n = len;
        } else if (len != n) {
            l2w_err_set(err, "state.%s: %zu entries, but state.assetIds has %zu", asset_arrays[a], len, n);
            return L2W_ERR_INVALID;
        }
    }
    st = l2w_vector_state_alloc(s, n, err);
    if (st != L2W_OK)
        return st;
    for (int a = 0; a < N_ASSET_ARRAYS && st == L2W_OK; a++) {
        for (size_t i = 0; i < n && st == L2W_OK; i++) {
            char item[64];
            snprintf(item, sizeof item, "state.%s[%zu]", asset_arrays[a], i);
            st = parse_asset_item(s, a, i, json_array_get(arrays[a], i), item, err);
        }
    }
    if (st == L2W_OK)
        st = member_addr(&s->channel_address, json, "channelAddress", path, err);
    if (st == L2W_OK)
        st = member_addr(&s->alice, json, "alice", path, err);
    if (st == L2W_OK)
        st = member_addr(&s->bob, json, "bob", path, err);
    if (st == L2W_OK)
        st = member_u256(&s->timeout, json, "timeout", path, err);
    if (st == L2W_OK)
        st = member_u256(&s->nonce, json, "nonce", path, err);
    if (st == L2W_OK) {
        const json_t *v = member(json, "merkleRoot", path, err);
        st = v ? l2w_jpath_hash(&s->merkle_root, v, "state.merkleRoot", err) : L2W_ERR_INVALID;
    }
    return st;
}

l2w_status l2w_vector_state_from_json(l2w_vector_state *s, const json_t *json, l2w_err *err)
{
    memset(s, 0, sizeof *s);
    l2w_status st = parse_state(s, json, err);
    if (st != L2W_OK)
        l2w_vector_state_free(s);
    return st;
}

static json_t *json_u256_text(const l2w_u256 *v)
{
    char dec[L2W_U256_DEC_LEN];
    l2w_u256_to_dec(dec, v);
    return json_string(dec);
}

/* Appends item to arr, counting a failure (json_array_append_new releases
 * item itself when it cannot append). */
static void append(json_t *arr, json_t *item, bool *ok)
{
    if (!item || json_array_append_new(arr, item) != 0)
        *ok = false;
}

static void set(json_t *obj, const char *key, json_t *v, bool *ok)
{
    if (!v || json_object_set_new(obj, key, v) != 0)
        *ok = false;
}

static json_t *balance_json(const l2w_vector_balance *b, bool *ok)
{
    json_t *amount = json_array(), *to = json_array();
    for (int i = 0; i < 2 && amount && to; i++) {
        append(amount, json_u256_text(&b->amount[i]), ok);
        append(to, l2w_json_addr(&b->to[i]), ok);
    }
    json_t *o = json_object();
    set(o, "amount", amount, ok);
    set(o, "to", to, ok);
    if (!o)
        *ok = false;
    return o;
}

l2w_status l2w_vector_state_to_json(json_t **out, const l2w_vector_state *s, l2w_err *err)
{
    bool ok = true;
    json_t *o = json_object();
    json_t *arrays[N_ASSET_ARRAYS];
    for (int a = 0; a < N_ASSET_ARRAYS; a++)
        arrays[a] = json_array();
    for (size_t i = 0; i < s->n_assets; i++) {
        if (arrays[0])
            append(arrays[0], l2w_json_addr(&s->asset_ids[i]), &ok);
        if (arrays[1])
            append(arrays[1], balance_json(&s->balances[i], &ok), &ok);
        if (arrays[2])
            append(arrays[2], json_u256_text(&s->processed_deposits_a[i]), &ok);
        if (arrays[3])
            append(arrays[3], json_u256_text(&s->processed_deposits_b[i]), &ok);
        if (arrays[4])
            append(arrays[4], json_u256_text(&s->defund_nonces[i]), &ok);
    }
    if (o) {
        set(o, "channelAddress", l2w_json_addr(&s->channel_address), &ok);
        set(o, "alice", l2w_json_addr(&s->alice), &ok);
        set(o, "bob", l2w_json_addr(&s->bob), &ok);
        for (int a = 0; a < N_ASSET_ARRAYS; a++) {
            set(o, asset_arrays[a], arrays[a], &ok);
            arrays[a] = NULL;
        }
        set(o, "timeout", json_u256_text(&s->timeout), &ok);
        set(o, "nonce", json_u256_text(&s->nonce), &ok);
        set(o, "merkleRoot", l2w_json_hash(&s->merkle_root), &ok);
    }
    for (int a = 0; a < N_ASSET_ARRAYS; a++)
        json_decref(arrays[a]);
    if (!o || !ok) {
        json_decref(o);
        l2w_err_set(err, "vector state to JSON: out of memory");
        return L2W_ERR_NOMEM;
    }
    *out = o;
    return L2W_OK;
}

/* ---- calldata ---- */

l2w_status l2w_vector_dispute_calldata(uint8_t **out, size_t *out_len, const l2w_vector_state *s,
                                       const uint8_t *alice_sig, size_t alice_sig_len, const uint8_t *bob_sig,
                                       size_t bob_sig_len, l2w_err *err)
{
    *out = NULL;
    *out_len = 0;
    if (!alice_sig || !bob_sig || alice_sig_len != L2W_VECTOR_SIG_LEN || bob_sig_len != L2W_VECTOR_SIG_LEN) {
        l2w_err_set(err, "disputeChannel: signatures must be %d bytes (alice %zu, bob %zu)", L2W_VECTOR_SIG_LEN,
                    alice_sig ? alice_sig_len : 0, bob_sig ? bob_sig_len : 0);
        return L2W_ERR_INVALID;
    }
    if (s->n_assets > L2W_VECTOR_MAX_ASSETS) {
        l2w_err_set(err, "disputeChannel: %zu assets exceeds the cap of %d", s->n_assets, L2W_VECTOR_MAX_ASSETS);
        return L2W_ERR_RANGE;
    }
    ccs_tree tree;
    l2w_status st = ccs_tree_build(&tree, s, err);
    if (st != L2W_OK)
        return st;
    l2w_abi_value args[3] = {tree.ccs, l2w_abi_val_bytes(alice_sig, alice_sig_len),
                             l2w_abi_val_bytes(bob_sig, bob_sig_len)};
    l2w_abi_value call = l2w_abi_val_tuple(args, 3);
    st = l2w_abi_encode_call(out, out_len, "disputeChannel(" CCS_TYPE ",bytes,bytes)", &call, err);
    if (st != L2W_OK)
        l2w_err_prefix(err, "disputeChannel");
    free(tree.block);
    return st;
}

/* ---- ChannelDisputed ---- */

void l2w_vector_channel_disputed_topic(l2w_hash *out)
{
    l2w_keccak256_hash(out, (const uint8_t *)l2w_vector_channel_disputed_signature,
                       sizeof l2w_vector_channel_disputed_signature - 1);
}

static void word_hash(l2w_hash *out, const l2w_abi_value *v)
{
    memcpy(out->b, v->fixed, 32);
}

/* Re-encodes the decoded state to hash it as the contract does. */
static l2w_status hash_decoded_state(l2w_hash *out, const l2w_abi_value *ccs, l2w_err *err)
{
    l2w_abi_value args = l2w_abi_val_tuple(ccs, 1);
    uint8_t *enc = NULL;
    size_t enc_len = 0;
    l2w_status st = encode_text(&enc, &enc_len, "(" CCS_TYPE ")", &args, err);
    if (st == L2W_OK)
        l2w_keccak256_hash(out, enc, enc_len);
    free(enc);
    return st;
}

l2w_status l2w_vector_decode_disputed(l2w_vector_disputed *out, const l2w_hash *topics, size_t n_topics,
                                      const uint8_t *data, size_t data_len, l2w_err *err)
{
    memset(out, 0, sizeof *out);
    l2w_hash topic0;
    l2w_vector_channel_disputed_topic(&topic0);
    if (n_topics != 1 || !l2w_hash_eq(&topics[0], &topic0)) {
        l2w_err_set(err, "ChannelDisputed: %s", n_topics == 0 ? "log has no topics"
                                                : n_topics != 1 ? "expected 1 topic (no indexed parameters)"
                                                                : "topic0 is another event's");
        return L2W_ERR_PROTOCOL;
    }
    l2w_abi_type *t = NULL;
    l2w_abi_value *v = NULL;
    l2w_status st = l2w_abi_type_parse(&t, "(address," CCS_TYPE "," DISPUTE_TYPE ")", err);
    if (st != L2W_OK)
        goto out;
    st = l2w_abi_decode(&v, t, data, data_len, err);
    if (st == L2W_ERR_INVALID || st == L2W_ERR_RANGE) {
        l2w_err_prefix(err, "ChannelDisputed data");
        st = L2W_ERR_PROTOCOL;
    }
    if (st != L2W_OK)
        goto out;
    const l2w_abi_value *ccs = v->items[1].items;
    const l2w_abi_value *d = v->items[2].items;
    out->disputer = v->items[0].addr;
    out->channel_address = ccs[CCS_CHANNEL_ADDRESS].addr;
    out->alice = ccs[CCS_ALICE].addr;
    out->bob = ccs[CCS_BOB].addr;
    out->n_assets = ccs[CCS_ASSET_IDS].len;
    out->timeout = ccs[CCS_TIMEOUT].word;
    out->nonce = ccs[CCS_NONCE].word;
    word_hash(&out->merkle_root, &ccs[CCS_MERKLE_ROOT]);
    word_hash(&out->dispute.channel_state_hash, &d[0]);
    out->dispute.nonce = d[1].word;
    word_hash(&out->dispute.merkle_root, &d[2]);
    out->dispute.consensus_expiry = d[3].word;
    out->dispute.defund_expiry = d[4].word;
    st = hash_decoded_state(&out->state_hash, &v->items[1], err);
out:
    l2w_abi_value_free(v);
    l2w_abi_type_free(t);
    if (st != L2W_OK)
        memset(out, 0, sizeof *out);
    return st;
}
