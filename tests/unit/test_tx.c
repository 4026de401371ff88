/* Transactions, secp256k1 and message digests.
 *
 *  - the EIP-155 example from the shared vectors: signing hash and bytes;
 *  - secp: recover(sign(d)) is the key's address, signatures are low-s, and
 *    bad keys and signatures are refused (also from two threads at once);
 *  - random transactions of each type survive sign -> decode -> re-encode
 *    and give back their sender; pre-EIP-155 legacy decodes too;
 *  - the decoder refuses truncated, trailing, non-canonical, wrong-type and
 *    high-s inputs, naming the field;
 *  - EIP-191 and the EIP-712 Mail example (tests/vectors/eip712/mail.json,
 *    with its published hashes and signature), and malformed documents.
 * cast compares all of this on random inputs in tests/diff/test_diff_tx.py. */
#include <jansson.h>
#include <pthread.h>
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

/* The curve order n, big-endian. */
static const uint8_t CURVE_N[32] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                    0xff, 0xff, 0xff, 0xff, 0xfe, 0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48,
                                    0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};

static void fill_random(uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)l2w_test_rand();
}

static void random_key(uint8_t key[32])
{
    l2w_err err;
    do
        fill_random(key, 32);
    while (l2w_secp_seckey_check(key, &err) != L2W_OK);
}

static json_t *load_json(const char *path)
{
    char *text = l2w_test_read_file(path);
    CHECK_MSG(text != NULL, "cannot read %s", path);
    json_error_t jerr;
    json_t *root = text ? json_loads(text, JSON_REJECT_DUPLICATES, &jerr) : NULL;
    CHECK_MSG(!text || root, "%s: %s", path, jerr.text);
    free(text);
    return root;
}

static const char *str_at(const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    CHECK_MSG(s != NULL, "missing string %s", key);
    return s ? s : "";
}

static bool bytes_eq_hex(const uint8_t *b, size_t n, const char *hex)
{
    char *mine = l2w_hex_encode_alloc(b, n);
    bool eq = mine && strcmp(mine, hex) == 0;
    if (!eq)
        fprintf(stderr, "  got  %s\n  want %s\n", mine ? mine : "(oom)", hex);
    free(mine);
    return eq;
}

/* ------------------------------------------------------------ EIP-155 KAT */

static void test_eip155_example(void)
{
    json_t *root = load_json(l2w_test_vector_path("ethereum.json"));
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
    CHECK(l2w_hex_decode_exact(key, 32, str_at(v, "private_key")) == L2W_OK);
    CHECK(l2w_u256_from_dec(&tx.gas_price, str_at(v, "gas_price")) == L2W_OK);
    CHECK(l2w_u256_from_dec(&tx.value, str_at(v, "value")) == L2W_OK);
    CHECK(l2w_addr_from_hex(&tx.to, str_at(v, "to")) == L2W_OK);
    l2w_hash h, tx_hash;
    l2w_err err = {{0}};
    CHECK(l2w_tx_signing_hash(&h, &tx, &err) == L2W_OK);
    CHECK(bytes_eq_hex(h.b, 32, str_at(v, "signing_hash")));
    l2w_bytes raw = L2W_BYTES_INIT;
    CHECK_MSG(l2w_tx_sign(&raw, &tx_hash, &tx, key, &err) == L2W_OK, "%s", err.msg);
    CHECK(bytes_eq_hex(raw.data, raw.len, str_at(v, "signed_raw")));
    l2w_hash want_hash;
    l2w_keccak256_hash(&want_hash, raw.data, raw.len);
    CHECK(l2w_hash_eq(&tx_hash, &want_hash));
    l2w_bytes_free(&raw);
    json_decref(root);
}

/* ------------------------------------------------------------ secp */

static void test_sign_recover_random(void)
{
    for (int round = 0; round < 300; round++) {
        uint8_t key[32], digest[32];
        random_key(key);
        fill_random(digest, sizeof digest);
        l2w_addr addr, got;
        l2w_signature sig;
        l2w_err err = {{0}};
        CHECK(l2w_secp_address(&addr, key, &err) == L2W_OK);
        CHECK(l2w_secp_sign(&sig, key, digest, &err) == L2W_OK);
        CHECK(sig.recid == 0 || sig.recid == 1);
        CHECK_MSG(l2w_secp_signature_check(&sig, &err) == L2W_OK, "low-s: %s", err.msg);
        CHECK_MSG(l2w_secp_recover(&got, digest, &sig, &err) == L2W_OK, "%s", err.msg);
        CHECK_MSG(l2w_addr_eq(&addr, &got), "round %d: recovered another address", round);
        l2w_signature again;
        CHECK(l2w_secp_sign(&again, key, digest, &err) == L2W_OK);
        CHECK_MSG(memcmp(&again, &sig, sizeof sig) == 0, "RFC 6979 must be deterministic");
        digest[0] ^= 1;
        CHECK(l2w_secp_recover(&got, digest, &sig, &err) != L2W_OK || !l2w_addr_eq(&addr, &got));
    }
}

static void test_known_address(void)
{
    /* The EIP-155 example key; its address is the one every wallet shows. */
    uint8_t key[32];
    memset(key, 0x46, sizeof key);
    l2w_addr a;
    l2w_err err;
    CHECK(l2w_secp_address(&a, key, &err) == L2W_OK);
    CHECK(bytes_eq_hex(a.b, 20, "0x9d8a62f656a8d1615c1294fd71e9cfb3e4855a4f"));
}

static void test_bad_keys(void)
{
    uint8_t zero[32] = {0}, n[32], n_plus_1[32], ones[32];
    memcpy(n, CURVE_N, 32);
    memcpy(n_plus_1, CURVE_N, 32);
    n_plus_1[31]++;
    memset(ones, 0xff, sizeof ones);
    const uint8_t *bad[] = {zero, n, n_plus_1, ones};
    uint8_t digest[32] = {1};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        l2w_err err = {{0}};
        l2w_signature sig;
        l2w_addr a;
        CHECK(l2w_secp_seckey_check(bad[i], &err) == L2W_ERR_INVALID && err.msg[0]);
        CHECK(l2w_secp_sign(&sig, bad[i], digest, &err) == L2W_ERR_INVALID);
        CHECK(l2w_secp_address(&a, bad[i], &err) == L2W_ERR_INVALID);
    }
    uint8_t n_minus_1[32];
    memcpy(n_minus_1, CURVE_N, 32);
    n_minus_1[31]--;
    l2w_err err;
    CHECK(l2w_secp_seckey_check(n_minus_1, &err) == L2W_OK);
}

/* s -> n - s: the other valid signature of the same digest, with s high. */
static void flip_s(l2w_signature *sig)
{
    l2w_u256 n, s, t;
    l2w_u256_from_be32(&n, CURVE_N);
    l2w_u256_from_be32(&s, sig->s);
    CHECK(l2w_u256_sub(&t, &n, &s) == L2W_OK);
    l2w_u256_to_be32(sig->s, &t);
    sig->recid ^= 1;
}

static void test_bad_signatures(void)
{
    uint8_t key[32], digest[32];
    random_key(key);
    fill_random(digest, sizeof digest);
    l2w_signature good, sig;
    l2w_addr a;
    l2w_err err = {{0}};
    CHECK(l2w_secp_sign(&good, key, digest, &err) == L2W_OK);

    sig = good;
    flip_s(&sig);
    CHECK(l2w_secp_recover(&a, digest, &sig, &err) == L2W_ERR_INVALID && strstr(err.msg, "n/2"));
    int recids[] = {-1, 4, 27};
    for (size_t i = 0; i < sizeof recids / sizeof recids[0]; i++) {
        sig = good;
        sig.recid = recids[i];
        CHECK(l2w_secp_recover(&a, digest, &sig, &err) == L2W_ERR_INVALID && strstr(err.msg, "recovery id"));
    }
    sig = good;
    memset(sig.r, 0, 32);
    CHECK(l2w_secp_recover(&a, digest, &sig, &err) == L2W_ERR_INVALID);
    sig = good;
    memcpy(sig.r, CURVE_N, 32);
    CHECK(l2w_secp_recover(&a, digest, &sig, &err) == L2W_ERR_INVALID);
}

static void *sign_in_thread(void *arg)
{
    int *failures = arg;
    for (int i = 0; i < 20; i++) {
        uint8_t key[32], digest[32];
        memset(key, 0x11 + i, sizeof key);
        memset(digest, i, sizeof digest);
        l2w_signature sig;
        l2w_addr want, got;
        l2w_err err;
        if (l2w_secp_address(&want, key, &err) != L2W_OK || l2w_secp_sign(&sig, key, digest, &err) != L2W_OK ||
            l2w_secp_recover(&got, digest, &sig, &err) != L2W_OK || !l2w_addr_eq(&want, &got))
            (*failures)++;
    }
    /* No cleanup call: the context must go with the thread (LeakSanitizer
     * reports it otherwise). */
    return NULL;
}

static void test_threads(void)
{
    pthread_t t[2];
    int failures[2] = {0, 0};
    for (int i = 0; i < 2; i++)
        CHECK(pthread_create(&t[i], NULL, sign_in_thread, &failures[i]) == 0);
    for (int i = 0; i < 2; i++)
        CHECK(pthread_join(t[i], NULL) == 0);
    CHECK(failures[0] == 0 && failures[1] == 0);
    /* Cleanup, then use again: a new context is made. */
    l2w_secp_thread_cleanup();
    l2w_secp_thread_cleanup();
    uint8_t key[32];
    random_key(key);
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
        fill_random(e->address.b, 20);
        e->storage_keys_len = (size_t)(l2w_test_rand() % 4);
        for (size_t k = 0; k < e->storage_keys_len; k++)
            fill_random(st->keys[i][k].b, 32);
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
        fill_random(tx->to.b, 20);
    tx->data_len = (size_t)(l2w_test_rand() % 3 == 0 ? 0 : l2w_test_rand() % sizeof st->data);
    fill_random(st->data, tx->data_len);
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
        random_key(key);
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
    random_key(key);
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
    random_key(key);
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
        random_key(key);
        l2w_hash digest;
        l2w_signature sig;
        l2w_err err = {{0}};
        CHECK(l2w_tx_signing_hash(&digest, &tx, &err) == L2W_OK);
        CHECK(l2w_secp_sign(&sig, key, digest.b, &err) == L2W_OK);
        flip_s(&sig);
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

/* ------------------------------------------------------------ EIP-191 / EIP-712 */

static void test_eip191(void)
{
    l2w_hash h;
    /* personal_sign("hello"), the value every wallet library documents. */
    l2w_eip191_digest(&h, (const uint8_t *)"hello", 5);
    CHECK(bytes_eq_hex(h.b, 32, "0x50b2c43fd39106bafbba0da34fc430e1f91e3c96ea2acee2bc34119f92b37750"));
    /* A 1000-byte message: the length is written in decimal, four digits. */
    uint8_t msg[1000], full[26 + 4 + 1000];
    fill_random(msg, sizeof msg);
    memcpy(full, "\x19" "Ethereum Signed Message:\n1000", 30);
    memcpy(full + 30, msg, sizeof msg);
    l2w_hash want;
    l2w_keccak256_hash(&want, full, sizeof full);
    l2w_eip191_digest(&h, msg, sizeof msg);
    CHECK(l2w_hash_eq(&h, &want));
}

static char *mail_path(void)
{
    static char path[4096];
    const char *src = getenv("L2W_SOURCE_DIR");
    snprintf(path, sizeof path, "%s/tests/vectors/eip712/mail.json", src ? src : ".");
    return path;
}

static void test_eip712_mail(void)
{
    json_t *root = load_json(mail_path());
    const json_t *doc = json_object_get(root, "typed_data");
    l2w_eip712_hashes h;
    l2w_err err = {{0}};
    CHECK_MSG(l2w_eip712_hash(&h, doc, &err) == L2W_OK, "%s", err.msg);
    CHECK(bytes_eq_hex(h.domain_separator.b, 32, str_at(root, "domain_separator")));
    CHECK(bytes_eq_hex(h.message_hash.b, 32, str_at(root, "message_hash")));
    CHECK(bytes_eq_hex(h.digest.b, 32, str_at(root, "digest")));
    char *type_text = NULL;
    CHECK(l2w_eip712_encode_type(&type_text, json_object_get(doc, "types"), "Mail", &err) == L2W_OK);
    CHECK_MSG(type_text && strcmp(type_text, str_at(root, "encode_type")) == 0, "%s", type_text);
    free(type_text);

    uint8_t key[32];
    l2w_signature sig;
    const json_t *want = json_object_get(root, "signature");
    CHECK(l2w_hex_decode_exact(key, 32, str_at(root, "private_key")) == L2W_OK);
    CHECK(l2w_secp_sign(&sig, key, h.digest.b, &err) == L2W_OK);
    CHECK(bytes_eq_hex(sig.r, 32, str_at(want, "r")) && bytes_eq_hex(sig.s, 32, str_at(want, "s")));
    CHECK(27 + sig.recid == json_integer_value(json_object_get(want, "v")));
    l2w_addr a;
    CHECK(l2w_secp_recover(&a, h.digest.b, &sig, &err) == L2W_OK && bytes_eq_hex(a.b, 20, str_at(root, "address")));

    /* Without types.EIP712Domain the domain type is implied from its fields. */
    json_t *implied = json_deep_copy(doc);
    json_object_del(json_object_get(implied, "types"), "EIP712Domain");
    l2w_eip712_hashes h2;
    CHECK_MSG(l2w_eip712_hash(&h2, implied, &err) == L2W_OK, "%s", err.msg);
    CHECK(l2w_hash_eq(&h.digest, &h2.digest));
    json_decref(implied);
    json_decref(root);
}

static void test_eip712_domain_only(void)
{
    json_t *root = load_json(mail_path());
    json_t *doc = json_deep_copy(json_object_get(root, "typed_data"));
    json_object_set_new(doc, "primaryType", json_string("EIP712Domain"));
    l2w_eip712_hashes h;
    l2w_err err = {{0}};
    CHECK_MSG(l2w_eip712_hash(&h, doc, &err) == L2W_OK, "%s", err.msg);
    uint8_t buf[34] = {0x19, 0x01};
    memcpy(buf + 2, h.domain_separator.b, 32);
    l2w_hash want, zero = {{0}};
    l2w_keccak256_hash(&want, buf, sizeof buf);
    CHECK(l2w_hash_eq(&h.digest, &want) && l2w_hash_eq(&h.message_hash, &zero));
    json_decref(doc);
    json_decref(root);
}

/* One malformed variant of the Mail document: a JSON patch applied with
 * json_object_update_recursive, and the words its error must contain. */
typedef struct {
    const char *patch;
    const char *needle;
} bad_doc;

static const bad_doc bad_docs[] = {
    {"{\"types\": {\"Person\": [{\"name\": \"name\", \"type\": \"string\"}, {\"name\": \"wallet\", \"type\": \"adress\"}]}}",
     "types.Person[1]: unknown type \"adress\""},
    {"{\"types\": {\"Person\": [{\"name\": \"name\", \"type\": \"string\"}, {\"name\": \"wallet\", \"type\": \"address\"},"
     " {\"name\": \"age\", \"type\": \"uint8\"}]}}",
     "message.from.age: missing"},
    {"{\"message\": {\"contents\": 5}}", "message.contents: expected a string"},
    {"{\"message\": {\"extra\": \"x\"}}", "message.extra: is not a field of Mail"},
    {"{\"primaryType\": \"Letter\"}", "primaryType: \"Letter\" is not defined"},
    {"{\"types\": {\"Person\": [{\"name\": \"name\", \"type\": \"string\"}, {\"name\": \"boss\", \"type\": \"Mail\"}]}}",
     "cyclic"},
    {"{\"types\": {\"Person\": [{\"name\": \"name\", \"type\": \"uint8\"}, {\"name\": \"wallet\", \"type\": \"address\"}]},"
     " \"message\": {\"from\": {\"name\": 256}}}",
     "message.from.name"},
    {"{\"types\": {\"Person\": [{\"name\": \"name\", \"type\": \"int8\"}, {\"name\": \"wallet\", \"type\": \"address\"}]},"
     " \"message\": {\"from\": {\"name\": \"-129\"}}}",
     "message.from.name"},
    {"{\"types\": {\"Mail\": [{\"name\": \"from\", \"type\": \"Person\"}, {\"name\": \"to\", \"type\": \"Person\"},"
     " {\"name\": \"contents\", \"type\": \"string[2]\"}]}, \"message\": {\"contents\": [\"a\"]}}",
     "message.contents: has 1 elements, expected 2"},
    {"{\"types\": {\"Mail\": [{\"name\": \"from\", \"type\": \"Person\"}, {\"name\": \"to\", \"type\": \"Person\"},"
     " {\"name\": \"contents\", \"type\": \"bytes32\"}]}, \"message\": {\"contents\": \"0x1234\"}}",
     "message.contents"},
    {"{\"message\": {\"to\": {\"wallet\": \"0x1234\"}}}", "message.to.wallet"},
    {"{\"domain\": {\"salt\": \"0x00\"}}", "domain.salt: is not a field of EIP712Domain"},
    {"{\"types\": {\"Person\": [{\"name\": \"name\", \"type\": \"string\"}, {\"name\": \"name\", \"type\": \"address\"}]}}",
     "appears twice"},
    {"{\"types\": {\"uint256\": [{\"name\": \"x\", \"type\": \"bool\"}]}}", "atomic type"},
    {"{\"types\": {\"Mail\": [{\"name\": \"from\", \"type\": \"Person[0]\"}]}}", "array length"},
    {"{\"types\": {\"Mail\": [{\"name\": \"from\", \"type\": \"uint\"}]}}", "unknown type \"uint\""},
    {"{\"types\": {\"Mail\": [{\"name\": \"bad name\", \"type\": \"bool\"}]}}", "not an identifier"},
    {"{\"types\": 3}", "types: expected an object"},
};

static void test_eip712_refusals(void)
{
    json_t *root = load_json(mail_path());
    for (size_t i = 0; i < sizeof bad_docs / sizeof bad_docs[0]; i++) {
        json_t *doc = json_deep_copy(json_object_get(root, "typed_data"));
        json_error_t jerr;
        json_t *patch = json_loads(bad_docs[i].patch, 0, &jerr);
        CHECK_MSG(patch != NULL, "patch %zu: %s", i, jerr.text);
        json_object_update_recursive(doc, patch);
        l2w_eip712_hashes h;
        l2w_err err = {{0}};
        l2w_status st = l2w_eip712_hash(&h, doc, &err);
        CHECK_MSG(st != L2W_OK, "bad doc %zu accepted", i);
        CHECK_MSG(strstr(err.msg, bad_docs[i].needle), "bad doc %zu: \"%s\" lacks \"%s\"", i, err.msg,
                  bad_docs[i].needle);
        json_decref(patch);
        json_decref(doc);
    }
    l2w_eip712_hashes h;
    l2w_err err = {{0}};
    const char *dup = "{\"types\": {}, \"types\": {}}";
    CHECK(l2w_eip712_hash_text(&h, dup, strlen(dup), &err) != L2W_OK);
    json_decref(root);
}

int main(void)
{
    (void)l2w_test_seed();
    RUN(test_eip155_example);
    RUN(test_sign_recover_random);
    RUN(test_known_address);
    RUN(test_bad_keys);
    RUN(test_bad_signatures);
    RUN(test_threads);
    RUN(test_random_round_trips);
    RUN(test_pre_eip155);
    RUN(test_refuses_truncated_and_trailing);
    RUN(test_refuses_wrong_type);
    RUN(test_refuses_bad_fields);
    RUN(test_refuses_high_s);
    RUN(test_encoder_refusals);
    RUN(test_eip191);
    RUN(test_eip712_mail);
    RUN(test_eip712_domain_only);
    RUN(test_eip712_refusals);
    l2w_secp_thread_cleanup();
    return l2w_test_finish();
}
