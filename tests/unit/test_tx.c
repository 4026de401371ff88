/* Transactions: the EIP-155 example from the shared vectors (signing hash
 * and bytes); random transactions of each type survive sign -> decode ->
 * re-encode and give back their sender; pre-EIP-155 legacy decodes too; the
 * decoder refuses truncated, trailing, non-canonical, wrong-type and high-s
 * inputs, naming the field. cast compares all of this on random inputs in
 * tests/diff/test_diff_tx.py. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "core/eth_sign.h"
#include "core/hex.h"
#include "core/keccak.h"
#include "core/rlp.h"
#include "core/secp.h"
#include "core/tx.h"
#include "tests/unit/harness.h"
#include "tests/unit/support/crypto_support.h"

/* ------------------------------------------------------------ EIP-155 KAT */

static void test_eip155_example(void)
{
    json_t *root = l2w_test_load_json(l2w_test_vector_path("ethereum.json"));
    const json_t *v = json_object_get(root, "eip155_legacy_tx");
    CHECK(v != NULL);
    if (!v) {
        json_decref(root);
        return;
    }
    uint8_t key[32];
    l2w_tx tx = {.type = L2W_TX_LEGACY, .has_to = true};
    tx.nonce = (uint64_t)json_integer_value(json_object_get(v, "nonce"));
    tx.gas_limit = (uint64_t)json_integer_value(json_object_get(v, "gas_limit"));
    tx.chain_id = (uint64_t)json_integer_value(json_object_get(v, "chain_id"));
    CHECK(l2w_hex_decode_exact(key, 32, l2w_test_json_str(v, "private_key")) == L2W_OK);
    CHECK(l2w_u256_from_dec(&tx.gas_price, l2w_test_json_str(v, "gas_price")) == L2W_OK);
    CHECK(l2w_u256_from_dec(&tx.value, l2w_test_json_str(v, "value")) == L2W_OK);
    CHECK(l2w_addr_from_hex(&tx.to, l2w_test_json_str(v, "to")) == L2W_OK);
    l2w_hash h, tx_hash;
    l2w_err err = {{0}};
    CHECK(l2w_tx_signing_hash(&h, &tx, &err) == L2W_OK);
    CHECK(l2w_test_hex_equals(h.b, 32, l2w_test_json_str(v, "signing_hash")));
    l2w_bytes raw = L2W_BYTES_INIT;
    CHECK_MSG(l2w_tx_sign(&raw, &tx_hash, &tx, key, &err) == L2W_OK, "%s", err.msg);
    CHECK(l2w_test_hex_equals(raw.data, raw.len, l2w_test_json_str(v, "signed_raw")));
    l2w_hash want_hash;
    l2w_keccak256_hash(&want_hash, raw.data, raw.len);
    CHECK(l2w_hash_eq(&tx_hash, &want_hash));
    l2w_bytes_free(&raw);
    json_decref(root);
}

/* ------------------------------------------------------------ random transactions */

/* Backing storage for a random transaction's views. */
typedef struct {
    uint8_t data[700];
    l2w_access_entry entries[4];
    l2w_hash keys[4][3];
} tx_storage;

static l2w_u256 random_u256(unsigned max_bits)
{
    l2w_u256 v = {{l2w_test_rand(), l2w_test_rand(), l2w_test_rand(), l2w_test_rand()}};
    unsigned bits = (unsigned)(l2w_test_rand() % (max_bits + 1));
    for (unsigned limb = 0; limb < 4; limb++) {
        unsigned lo = limb * 64;
        if (bits <= lo)
            v.w[limb] = 0;
        else if (bits < lo + 64)
            v.w[limb] &= (UINT64_C(1) << (bits - lo)) - 1;
    }
    return v;
}

static uint64_t random_u64(void)
{
    return l2w_test_rand() >> (l2w_test_rand() % 65 == 64 ? 63 : l2w_test_rand() % 64);
}

static void random_access_list(l2w_tx *tx, tx_storage *st)
{
    tx->access_list_len = (size_t)(l2w_test_rand() % 4);
    for (size_t i = 0; i < tx->access_list_len; i++) {
        l2w_access_entry *e = &st->entries[i];
        l2w_test_fill_random(e->address.b, 20);
        e->storage_keys_len = (size_t)(l2w_test_rand() % 4);
        for (size_t k = 0; k < e->storage_keys_len; k++)
            l2w_test_fill_random(st->keys[i][k].b, 32);
        e->storage_keys = st->keys[i];
    }
    tx->access_list = st->entries;
}

static void random_tx(l2w_tx *tx, l2w_tx_type type, tx_storage *st)
{
    memset(tx, 0, sizeof *tx);
    tx->type = type;
    tx->chain_id = random_u64();
    tx->nonce = random_u64();
    tx->gas_limit = random_u64();
    tx->value = random_u256(256);
    tx->has_to = l2w_test_rand() % 5 != 0;
    if (tx->has_to)
        l2w_test_fill_random(tx->to.b, 20);
    tx->data_len = (size_t)(l2w_test_rand() % 3 == 0 ? 0 : l2w_test_rand() % sizeof st->data);
    l2w_test_fill_random(st->data, tx->data_len);
    tx->data = st->data;
    if (type == L2W_TX_EIP1559) {
        tx->max_priority_fee_per_gas = random_u256(256);
        tx->max_fee_per_gas = random_u256(256);
    } else {
        tx->gas_price = random_u256(256);
    }
    if (type != L2W_TX_LEGACY)
        random_access_list(tx, st);
}

static bool access_lists_equal(const l2w_tx *a, const l2w_tx *b)
{
    if (a->access_list_len != b->access_list_len)
        return false;
    for (size_t i = 0; i < a->access_list_len; i++) {
        const l2w_access_entry *x = &a->access_list[i], *y = &b->access_list[i];
        if (!l2w_addr_eq(&x->address, &y->address) || x->storage_keys_len != y->storage_keys_len)
            return false;
        for (size_t k = 0; k < x->storage_keys_len; k++)
            if (!l2w_hash_eq(&x->storage_keys[k], &y->storage_keys[k]))
                return false;
    }
    return true;
}

static bool txs_equal(const l2w_tx *a, const l2w_tx *b)
{
    return a->type == b->type && a->chain_id == b->chain_id && a->nonce == b->nonce &&
           l2w_u256_cmp(&a->gas_price, &b->gas_price) == 0 &&
           l2w_u256_cmp(&a->max_priority_fee_per_gas, &b->max_priority_fee_per_gas) == 0 &&
           l2w_u256_cmp(&a->max_fee_per_gas, &b->max_fee_per_gas) == 0 && a->gas_limit == b->gas_limit &&
           a->has_to == b->has_to && (!a->has_to || l2w_addr_eq(&a->to, &b->to)) &&
           l2w_u256_cmp(&a->value, &b->value) == 0 && a->data_len == b->data_len &&
           (a->data_len == 0 || memcmp(a->data, b->data, a->data_len) == 0) && access_lists_equal(a, b);
}

/* Sign, decode, compare, re-encode, recover. */
static void check_round_trip(const l2w_tx *tx, const uint8_t key[32], int round)
{
    l2w_bytes raw = L2W_BYTES_INIT, again = L2W_BYTES_INIT;
    l2w_hash tx_hash;
    l2w_err err = {{0}};
    CHECK_MSG(l2w_tx_sign(&raw, &tx_hash, tx, key, &err) == L2W_OK, "round %d: %s", round, err.msg);
    l2w_tx back;
    l2w_signature sig;
    l2w_status st = l2w_tx_decode(&back, &sig, raw.data, raw.len, &err);
    CHECK_MSG(st == L2W_OK, "round %d (%s): %s", round, l2w_tx_type_name(tx->type), err.msg);
    if (st == L2W_OK) {
        CHECK_MSG(txs_equal(tx, &back), "round %d (%s): decoded fields differ", round, l2w_tx_type_name(tx->type));
        CHECK(l2w_tx_encode_signed(&again, &back, &sig, &err) == L2W_OK);
        CHECK_MSG(again.len == raw.len && memcmp(again.data, raw.data, raw.len) == 0, "round %d: re-encoding",
                  round);
        l2w_addr want, sender;
        CHECK(l2w_secp_address(&want, key, &err) == L2W_OK);
        CHECK_MSG(l2w_tx_sender(&sender, &back, &sig, &err) == L2W_OK && l2w_addr_eq(&want, &sender),
                  "round %d: sender", round);
        l2w_tx_free(&back);
    }
    l2w_bytes_free(&raw);
    l2w_bytes_free(&again);
}

static void test_random_round_trips(void)
{
    static const l2w_tx_type types[] = {L2W_TX_LEGACY, L2W_TX_EIP2930, L2W_TX_EIP1559};
    tx_storage st;
    for (int round = 0; round < 600; round++) {
        l2w_tx tx;
        uint8_t key[32];
        l2w_test_random_seckey(key);
        random_tx(&tx, types[round % 3], &st);
        if (round % 50 == 0)
            tx.chain_id = round % 100 == 0 ? 0 : UINT64_MAX; /* pre-EIP-155, and the 65-bit v */
        check_round_trip(&tx, key, round);
    }
}

static void test_pre_eip155(void)
{
    l2w_tx tx = {.type = L2W_TX_LEGACY, .nonce = 1, .gas_limit = 21000, .has_to = true};
    tx.gas_price = l2w_u256_from_u64(1000);
    uint8_t key[32];
    l2w_test_random_seckey(key);
    l2w_bytes raw = L2W_BYTES_INIT;
    l2w_hash h;
    l2w_err err = {{0}};
    CHECK(l2w_tx_sign(&raw, &h, &tx, key, &err) == L2W_OK);
    /* v is the last-but-two item: 0x1b or 0x1c right before r's header. */
    l2w_rlp_item list, items[9];
    size_t n;
    CHECK(l2w_rlp_decode(&list, raw.data, raw.len, &err) == L2W_OK);
    CHECK(l2w_rlp_list_items(&list, items, 9, &n, &err) == L2W_OK && n == 9);
    CHECK(items[6].len == 1 && (items[6].p[0] == 27 || items[6].p[0] == 28));
    l2w_tx back;
    l2w_signature sig;
    CHECK(l2w_tx_decode(&back, &sig, raw.data, raw.len, &err) == L2W_OK && back.chain_id == 0);
    l2w_tx_free(&back);
    l2w_bytes_free(&raw);
}

/* ------------------------------------------------------------ decoder refusals */

/* raw with field `index` replaced by the encoded item repl (repl NULL:
 * the field is dropped; index past the end: repl is appended). */
static void replace_field(l2w_bytes *out, const l2w_bytes *raw, size_t index, const uint8_t *repl, size_t repl_len)
{
    size_t skip = raw->data[0] < 0xc0 ? 1 : 0;
    l2w_rlp_item list, items[16];
    size_t n = 0;
    l2w_err err;
    CHECK(l2w_rlp_decode(&list, raw->data + skip, raw->len - skip, &err) == L2W_OK);
    CHECK(l2w_rlp_list_items(&list, items, 16, &n, &err) == L2W_OK);
    l2w_bytes_append(out, raw->data, skip);
    size_t begin = l2w_rlp_list_begin(out);
    for (size_t i = 0; i < n; i++) {
        if (i != index)
            l2w_rlp_put_raw(out, items[i].raw, items[i].raw_len);
        else if (repl)
            l2w_rlp_put_raw(out, repl, repl_len);
    }
    if (index >= n && repl)
        l2w_rlp_put_raw(out, repl, repl_len);
    l2w_rlp_list_end(out, begin);
}

static void expect_refusal(const l2w_bytes *raw, const char *needle, const char *what)
{
    l2w_tx tx;
    l2w_signature sig;
    l2w_err err = {{0}};
    l2w_status st = l2w_tx_decode(&tx, &sig, raw->data, raw->len, &err);
    CHECK_MSG(st != L2W_OK, "%s: accepted", what);
    CHECK_MSG(st == L2W_OK || strstr(err.msg, needle), "%s: message \"%s\" lacks \"%s\"", what, err.msg, needle);
    if (st == L2W_OK)
        l2w_tx_free(&tx);
}

static void expect_field_refusal(const l2w_bytes *raw, size_t index, const uint8_t *repl, size_t repl_len,
                                 const char *needle, const char *what)
{
    l2w_bytes bad = L2W_BYTES_INIT;
    replace_field(&bad, raw, index, repl, repl_len);
    expect_refusal(&bad, needle, what);
    l2w_bytes_free(&bad);
}

static void signed_random(l2w_bytes *raw, l2w_tx_type type, tx_storage *st)
{
    l2w_tx tx;
    uint8_t key[32];
    random_tx(&tx, type, st);
    tx.chain_id |= 1;
    tx.has_to = true;
    tx.nonce |= 0x100; /* at least two bytes, so a leading zero can be added */
    l2w_test_random_seckey(key);
    l2w_hash h;
    l2w_err err;
    CHECK(l2w_tx_sign(raw, &h, &tx, key, &err) == L2W_OK);
}

static void test_refuses_truncated_and_trailing(void)
{
    tx_storage st;
    for (int type = 0; type <= 2; type++) {
        l2w_bytes raw = L2W_BYTES_INIT;
        signed_random(&raw, (l2w_tx_type)type, &st);
        for (size_t cut = 0; cut < raw.len; cut += 1 + cut / 8) {
            l2w_bytes part = L2W_BYTES_INIT;
            l2w_bytes_append(&part, raw.data, cut);
            expect_refusal(&part, "tx", "truncated");
            l2w_bytes_free(&part);
        }
        l2w_bytes_append_byte(&raw, 0);
        expect_refusal(&raw, "trailing", "trailing byte");
        l2w_bytes_free(&raw);
    }
}

static void test_refuses_wrong_type(void)
{
    tx_storage st;
    l2w_bytes raw = L2W_BYTES_INIT;
    signed_random(&raw, L2W_TX_EIP1559, &st);
    raw.data[0] = 0x03;
    expect_refusal(&raw, "unsupported transaction type 0x03", "type 3");
    raw.data[0] = 0x01; /* a 1559 body under the 2930 type byte */
    expect_refusal(&raw, "has 12 fields, expected 11", "type 1 with 12 fields");
    raw.data[0] = 0x00;
    expect_refusal(&raw, "unsupported transaction type 0x00", "type 0");
    raw.data[0] = 0x85;
    expect_refusal(&raw, "RLP string", "string");
    l2w_tx tx;
    l2w_signature sig;
    l2w_err err;
    CHECK(l2w_tx_decode(&tx, &sig, NULL, 0, &err) == L2W_ERR_INVALID && strstr(err.msg, "empty"));
    l2w_bytes_free(&raw);
}

/* [[address, [a 31-byte key]]] */
static void access_list_with_short_key(l2w_bytes *out)
{
    uint8_t addr[20] = {1}, key[31] = {2};
    size_t list = l2w_rlp_list_begin(out), entry = l2w_rlp_list_begin(out);
    l2w_rlp_put_bytes(out, addr, sizeof addr);
    size_t keys = l2w_rlp_list_begin(out);
    l2w_rlp_put_bytes(out, key, sizeof key);
    l2w_rlp_list_end(out, keys);
    l2w_rlp_list_end(out, entry);
    l2w_rlp_list_end(out, list);
}

static void test_refuses_bad_fields(void)
{
    static const uint8_t nonce_leading_zero[] = {0x83, 0x00, 0x01, 0x23};
    static const uint8_t to_19[20] = {0x93};
    static const uint8_t a_list[] = {0xc0};
    static const uint8_t two[] = {0x02};
    static const uint8_t v29[] = {0x1d};
    static const uint8_t nine_byte_int[] = {0x89, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    tx_storage st;
    l2w_bytes legacy = L2W_BYTES_INIT, typed = L2W_BYTES_INIT;
    signed_random(&legacy, L2W_TX_LEGACY, &st);
    signed_random(&typed, L2W_TX_EIP1559, &st);
    expect_field_refusal(&legacy, 0, nonce_leading_zero, sizeof nonce_leading_zero, "field nonce", "nonce 00");
    expect_field_refusal(&typed, 1, nonce_leading_zero, sizeof nonce_leading_zero, "field nonce", "nonce 00");
    expect_field_refusal(&legacy, 3, to_19, sizeof to_19, "field to", "19-byte to");
    expect_field_refusal(&typed, 7, a_list, sizeof a_list, "field data", "data as list");
    expect_field_refusal(&typed, 9, two, sizeof two, "field yParity", "yParity 2");
    expect_field_refusal(&legacy, 6, v29, sizeof v29, "field v", "v 29");
    expect_field_refusal(&typed, 4, nine_byte_int, sizeof nine_byte_int, "field gas", "9-byte gas");
    expect_field_refusal(&typed, 0, nine_byte_int, sizeof nine_byte_int, "field chainId", "9-byte chainId");
    l2w_bytes short_key = L2W_BYTES_INIT;
    access_list_with_short_key(&short_key);
    expect_field_refusal(&typed, 8, short_key.data, short_key.len, "storage key 0", "31-byte key");
    l2w_bytes_free(&short_key);
    expect_field_refusal(&typed, 8, two, sizeof two, "field accessList", "access list as string");
    expect_field_refusal(&legacy, 99, two, sizeof two, "has 10 fields, expected 9", "extra field");
    expect_field_refusal(&typed, 5, NULL, 0, "has 11 fields, expected 12", "missing field");
    l2w_bytes_free(&legacy);
    l2w_bytes_free(&typed);
}

static void test_refuses_high_s(void)
{
    tx_storage st;
    for (int type = 0; type <= 2; type++) {
        l2w_tx tx;
        uint8_t key[32];
        random_tx(&tx, (l2w_tx_type)type, &st);
        l2w_test_random_seckey(key);
        l2w_hash digest;
        l2w_signature sig;
        l2w_err err = {{0}};
        CHECK(l2w_tx_signing_hash(&digest, &tx, &err) == L2W_OK);
        CHECK(l2w_secp_sign(&sig, key, digest.b, &err) == L2W_OK);
        l2w_test_flip_s(&sig);
        l2w_bytes raw = L2W_BYTES_INIT;
        CHECK(l2w_tx_encode_signed(&raw, &tx, &sig, &err) == L2W_OK);
        expect_refusal(&raw, "n/2", "high s");
        l2w_bytes_free(&raw);
    }
}

static void test_encoder_refusals(void)
{
    l2w_access_entry entry = {{{0}}, NULL, 0};
    l2w_tx tx = {.type = L2W_TX_LEGACY, .access_list = &entry, .access_list_len = 1};
    l2w_hash h;
    l2w_err err = {{0}};
    CHECK(l2w_tx_signing_hash(&h, &tx, &err) == L2W_ERR_INVALID && strstr(err.msg, "access list"));
    tx.access_list_len = 0;
    tx.type = (l2w_tx_type)7;
    CHECK(l2w_tx_signing_hash(&h, &tx, &err) == L2W_ERR_INVALID && strstr(err.msg, "unknown type"));
    tx.type = L2W_TX_EIP1559;
    l2w_signature sig = {.recid = 2};
    l2w_bytes raw = L2W_BYTES_INIT;
    CHECK(l2w_tx_encode_signed(&raw, &tx, &sig, &err) == L2W_ERR_INVALID);
    l2w_bytes_free(&raw);
}

int main(void)
{
    (void)l2w_test_seed();
    RUN(test_eip155_example);
    RUN(test_random_round_trips);
    RUN(test_pre_eip155);
    RUN(test_refuses_truncated_and_trailing);
    RUN(test_refuses_wrong_type);
    RUN(test_refuses_bad_fields);
    RUN(test_refuses_high_s);
    RUN(test_encoder_refusals);
    l2w_secp_thread_cleanup();
    return l2w_test_finish();
}
