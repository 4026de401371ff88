/* Merkle-Patricia proofs: the test trie builder must reproduce the roots
 * Ethereum's published trie vectors give (which shows it builds real tries),
 * then every proof it hands out must verify with core/mpt.c, absent keys must
 * verify as absent, and every tampered proof must be refused as a protocol
 * fault naming a node. Random tries (seeded) cover inline nodes, branch
 * values and deep paths; hand-made nodes cover each malformation. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "collector/eth.h"
#include "core/bytes.h"
#include "core/hex.h"
#include "core/json.h"
#include "core/keccak.h"
#include "core/mpt.h"
#include "core/rlp.h"
#include "tests/unit/harness.h"
#include "tests/unit/support/trie_builder.h"

enum { MAX_PROOF = 80, MAX_BYTES = 256 };

/* ---- one proof, copied so it can be tampered with ---- */

typedef struct {
    uint8_t *data[MAX_PROOF + 1];
    l2w_mpt_node nodes[MAX_PROOF + 1];
    size_t n;
} owned_proof;

static void proof_copy(owned_proof *dst, const l2w_mpt_node *src, size_t n)
{
    dst->n = n;
    for (size_t i = 0; i < n; i++) {
        dst->data[i] = malloc(src[i].len);
        memcpy(dst->data[i], src[i].data, src[i].len);
        dst->nodes[i] = (l2w_mpt_node){dst->data[i], src[i].len};
    }
}

static void proof_free(owned_proof *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->data[i]);
    p->n = 0;
}

/* What a key is asked with: raw bytes, and whether the trie is secure. */
typedef struct {
    const uint8_t *key;
    size_t key_len;
    bool secure;
} query;

static l2w_status verify(const uint8_t **v, size_t *vlen, const l2w_hash *root, const query *q,
                         const l2w_mpt_node *nodes, size_t n, l2w_err *err)
{
    if (q->secure)
        return l2w_mpt_verify_secure(v, vlen, root, q->key, q->key_len, nodes, n, err);
    return l2w_mpt_verify(v, vlen, root, q->key, q->key_len, nodes, n, err);
}

static l2w_status prove(test_trie *t, const query *q, l2w_mpt_node *nodes, size_t *n)
{
    uint8_t path[32];
    if (q->secure) {
        l2w_keccak256(path, q->key, q->key_len);
        return test_trie_prove(t, path, 32, nodes, MAX_PROOF, n);
    }
    return test_trie_prove(t, q->key, q->key_len, nodes, MAX_PROOF, n);
}

static int tampered_checked;

static void expect_rejected(const char *what, const char *how, const l2w_hash *root, const query *q,
                            const owned_proof *p)
{
    const uint8_t *v;
    size_t vlen;
    l2w_err err = {{0}};
    l2w_status st = verify(&v, &vlen, root, q, p->nodes, p->n, &err);
    tampered_checked++;
    CHECK_MSG(st == L2W_ERR_PROTOCOL && strstr(err.msg, "node") != NULL, "%s: %s proof gave %s (%s)", what, how,
              l2w_status_str(st), err.msg);
}

/* Flip a bit in each node, drop each node, swap each neighbour pair, add a
 * node: none of these may verify. */
static void check_tampering(const char *what, const l2w_hash *root, const query *q, const l2w_mpt_node *nodes,
                            size_t n)
{
    owned_proof p;
    for (size_t i = 0; i < n; i++) {
        proof_copy(&p, nodes, n);
        size_t at = (size_t)(l2w_test_rand() % p.nodes[i].len);
        p.data[i][at] ^= (uint8_t)(1u << (l2w_test_rand() % 8));
        expect_rejected(what, "bit-flipped", root, q, &p);
        proof_free(&p);

        proof_copy(&p, nodes, n);
        free(p.data[i]);
        memmove(&p.data[i], &p.data[i + 1], (n - i - 1) * sizeof p.data[0]);
        memmove(&p.nodes[i], &p.nodes[i + 1], (n - i - 1) * sizeof p.nodes[0]);
        p.n--;
        if (p.n > 0 || !l2w_hash_eq(root, &l2w_mpt_empty_root))
            expect_rejected(what, "node-dropped", root, q, &p);
        proof_free(&p);

        if (i + 1 < n && (nodes[i].len != nodes[i + 1].len || memcmp(nodes[i].data, nodes[i + 1].data, nodes[i].len))) {
            proof_copy(&p, nodes, n);
            l2w_mpt_node tmp = p.nodes[i];
            p.nodes[i] = p.nodes[i + 1];
            p.nodes[i + 1] = tmp;
            expect_rejected(what, "nodes-swapped", root, q, &p);
            /* data[] still owns the buffers, in their old order: free is fine. */
            proof_free(&p);
        }
    }
    if (n > 0) {
        proof_copy(&p, nodes, n);
        size_t extra = (size_t)(l2w_test_rand() % n);
        p.data[n] = malloc(nodes[extra].len);
        memcpy(p.data[n], nodes[extra].data, nodes[extra].len);
        p.nodes[n] = (l2w_mpt_node){p.data[n], nodes[extra].len};
        p.n = n + 1;
        expect_rejected(what, "extra-node", root, q, &p);
        proof_free(&p);
    }
}

/* Proves q from t and checks the verdict: want == NULL means absent. */
static void check_key(test_trie *t, const l2w_hash *root, const query *q, const uint8_t *want, size_t want_len,
                      const char *what, bool tamper)
{
    l2w_mpt_node nodes[MAX_PROOF];
    size_t n = 0;
    CHECK_MSG(prove(t, q, nodes, &n) == L2W_OK, "%s: builder could not prove", what);
    const uint8_t *v = NULL;
    size_t vlen = 0;
    l2w_err err = {{0}};
    l2w_status st = verify(&v, &vlen, root, q, nodes, n, &err);
    if (want) {
        CHECK_MSG(st == L2W_OK && vlen == want_len && memcmp(v, want, vlen) == 0,
                  "%s: inclusion proof gave %s (%s)", what, l2w_status_str(st), err.msg);
    } else {
        CHECK_MSG(st == L2W_ERR_NOT_FOUND, "%s: absence proof gave %s (%s)", what, l2w_status_str(st), err.msg);
    }
    if (tamper)
        check_tampering(what, root, q, nodes, n);
}

/* ---- the published vectors ---- */

typedef struct {
    uint8_t key[MAX_BYTES];
    size_t key_len;
    uint8_t value[MAX_BYTES];
    size_t value_len; /* 0: deleted */
} vector_op;

/* "0x..." is hex, anything else the string's own bytes (the vectors' rule). */
static bool vector_bytes(uint8_t *out, size_t *out_len, const json_t *v)
{
    if (json_is_null(v)) {
        *out_len = 0;
        return true;
    }
    const char *s = json_string_value(v);
    if (!s)
        return false;
    size_t len = strlen(s);
    if (len >= 2 && s[0] == '0' && s[1] == 'x')
        return l2w_hex_decode(out, MAX_BYTES, out_len, s, len) == L2W_OK;
    if (len > MAX_BYTES)
        return false;
    memcpy(out, s, len);
    *out_len = len;
    return true;
}

static size_t read_ops(const json_t *in, vector_op *ops, size_t cap)
{
    size_t n = 0;
    if (json_is_array(in)) {
        size_t i;
        const json_t *pair;
        json_array_foreach(in, i, pair) {
            if (n == cap || !vector_bytes(ops[n].key, &ops[n].key_len, json_array_get(pair, 0)) ||
                !vector_bytes(ops[n].value, &ops[n].value_len, json_array_get(pair, 1)))
                return 0;
            n++;
        }
    } else {
        const char *k;
        const json_t *v;
        json_object_foreach((json_t *)in, k, v) {
            json_t *key = json_string(k);
            bool ok = n < cap && vector_bytes(ops[n].key, &ops[n].key_len, key) &&
                      vector_bytes(ops[n].value, &ops[n].value_len, v);
            json_decref(key);
            if (!ok)
                return 0;
            n++;
        }
    }
    return n;
}

/* The last value written to ops[k]'s key, or NULL if it ends deleted. */
static const vector_op *final_op(const vector_op *ops, size_t n, size_t k)
{
    for (size_t i = n; i-- > 0;)
        if (ops[i].key_len == ops[k].key_len && memcmp(ops[i].key, ops[k].key, ops[k].key_len) == 0)
            return ops[i].value_len ? &ops[i] : NULL;
    return NULL;
}

static int vectors_run, vector_keys_proved;

static void run_vector(const char *file, const char *name, const json_t *test, bool secure)
{
    enum { MAX_OPS = 64 };
    vector_op *ops = calloc(MAX_OPS, sizeof *ops);
    size_t n = read_ops(json_object_get(test, "in"), ops, MAX_OPS);
    l2w_hash want_root;
    CHECK_MSG(n > 0 && l2w_hash_from_hex(&want_root, json_string_value(json_object_get(test, "root"))) == L2W_OK,
              "%s %s: unreadable", file, name);
    test_trie *t = test_trie_create();
    for (size_t i = 0; i < n; i++) {
        uint8_t path[32];
        const uint8_t *k = ops[i].key;
        size_t klen = ops[i].key_len;
        if (secure) {
            l2w_keccak256(path, k, klen);
            k = path;
            klen = 32;
        }
        CHECK(test_trie_put(t, k, klen, ops[i].value, ops[i].value_len) == L2W_OK);
    }
    l2w_hash root;
    CHECK(test_trie_root(t, &root) == L2W_OK);
    char got_hex[L2W_HASH_HEX_LEN];
    l2w_hash_to_hex(got_hex, &root);
    CHECK_MSG(l2w_hash_eq(&root, &want_root), "%s %s: root %s, published %s", file, name, got_hex,
              json_string_value(json_object_get(test, "root")));
    char what[160];
    for (size_t i = 0; i < n; i++) {
        const vector_op *fin = final_op(ops, n, i);
        query q = {ops[i].key, ops[i].key_len, secure};
        snprintf(what, sizeof what, "%s %s key %zu", file, name, i);
        check_key(t, &root, &q, fin ? fin->value : NULL, fin ? fin->value_len : 0, what, true);
        vector_keys_proved++;
        /* The key with one more byte is absent, unless it is a key too. */
        uint8_t longer[MAX_BYTES + 1];
        size_t longer_len = ops[i].key_len + 1;
        memcpy(longer, ops[i].key, ops[i].key_len);
        longer[ops[i].key_len] = 0x7f;
        bool also_key = false;
        for (size_t j = 0; j < n; j++)
            if (ops[j].key_len == longer_len && memcmp(ops[j].key, longer, longer_len) == 0)
                also_key = true;
        if (!also_key) {
            query absent = {longer, longer_len, secure};
            snprintf(what, sizeof what, "%s %s key %zu + 1 byte", file, name, i);
            check_key(t, &root, &absent, NULL, 0, what, i == 0);
        }
    }
    test_trie_destroy(t);
    free(ops);
    vectors_run++;
}

static void run_vector_file(const char *file, bool secure)
{
    char path[4096];
    const char *src = getenv("L2W_SOURCE_DIR");
    snprintf(path, sizeof path, "%s/tests/vectors/ethereum-tests/%s", src ? src : ".", file);
    char *text = l2w_test_read_file(path);
    CHECK_MSG(text != NULL, "cannot read %s", path);
    if (!text)
        return;
    json_error_t jerr;
    json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
    free(text);
    CHECK_MSG(json_is_object(root), "%s: %s", file, jerr.text);
    const char *name;
    const json_t *test;
    json_object_foreach(root, name, test)
        run_vector(file, name, test, secure);
    json_decref(root);
}

static void test_published_vectors(void)
{
    run_vector_file("trieanyorder.json", false);
    run_vector_file("trietest.json", false);
    run_vector_file("trieanyorder_secureTrie.json", true);
    run_vector_file("trietest_secureTrie.json", true);
    run_vector_file("hex_encoded_securetrie_test.json", true);
    CHECK_MSG(vectors_run == 25, "ran %d vectors", vectors_run);
    fprintf(stderr, "  %d published tries, %d keys proved\n", vectors_run, vector_keys_proved);
}

/* The hex-encoded secure-trie vectors are real state tries: their values
 * are accounts, so the account helper can be checked on them. */
static void test_account_vectors(void)
{
    static const char *const addrs[] = {"0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b",
                                        "0x095e7baea6a6c7c4c2dfeb977efac326af552d87",
                                        "0xd2571607e241ecf590ed94b12d87c94babe36db6",
                                        "0x62c01474f089b07dae603491675dc5b5748f7049",
                                        "0x2adc25665018aa1fe0e6bc666dac8fc2697ff9ba"};
    static const char *const values[] = {
        "0xf848018405f446a7a056e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421a0c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470",
        "0xf8440101a056e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421a004bccc5d94f4d1f99aab44369a910179931772f2a5c001c3229f57831c102769",
        "0xf8440180a0ba4b47865c55a341a4a78759bb913cd15c3ee8eaf30a62fa8d1c8863113d84e8a0c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470",
        "0xf8448080a056e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421a0c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470",
        "0xf8478083019a59a056e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421a0c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"};
    test_trie *t = test_trie_create();
    l2w_addr a[5];
    for (int i = 0; i < 5; i++) {
        uint8_t v[MAX_BYTES], path[32];
        size_t vlen;
        CHECK(l2w_addr_from_hex(&a[i], addrs[i]) == L2W_OK);
        CHECK(l2w_hex_decode(v, sizeof v, &vlen, values[i], strlen(values[i])) == L2W_OK);
        l2w_keccak256(path, a[i].b, 20);
        CHECK(test_trie_put(t, path, 32, v, vlen) == L2W_OK);
    }
    l2w_hash root, want;
    CHECK(test_trie_root(t, &root) == L2W_OK);
    CHECK(l2w_hash_from_hex(&want, "0x730a444e08ab4b8dee147c9b232fc52d34a223d600031c1e9d25bfc985cbd797") == L2W_OK);
    CHECK(l2w_hash_eq(&root, &want));

    l2w_mpt_node nodes[MAX_PROOF];
    size_t n;
    l2w_mpt_account acct;
    l2w_err err = {{0}};
    uint8_t path[32];
    l2w_keccak256(path, a[0].b, 20);
    CHECK(test_trie_prove(t, path, 32, nodes, MAX_PROOF, &n) == L2W_OK);
    CHECK_MSG(l2w_mpt_verify_account(&acct, &root, &a[0], nodes, n, &err) == L2W_OK, "%s", err.msg);
    l2w_u256 want_balance = l2w_u256_from_u64(0x05f446a7);
    CHECK(acct.exists && acct.nonce == 1 && l2w_u256_cmp(&acct.balance, &want_balance) == 0);
    CHECK(l2w_hash_eq(&acct.storage_root, &l2w_mpt_empty_root));
    CHECK(l2w_hash_eq(&acct.code_hash, &l2w_mpt_empty_code_hash));

    l2w_keccak256(path, a[1].b, 20);
    CHECK(test_trie_prove(t, path, 32, nodes, MAX_PROOF, &n) == L2W_OK);
    CHECK(l2w_mpt_verify_account(&acct, &root, &a[1], nodes, n, &err) == L2W_OK);
    l2w_hash code;
    CHECK(l2w_hash_from_hex(&code, "0x04bccc5d94f4d1f99aab44369a910179931772f2a5c001c3229f57831c102769") == L2W_OK);
    CHECK(acct.exists && acct.nonce == 1 && l2w_hash_eq(&acct.code_hash, &code));

    /* The address from another test of the file is absent here: empty account. */
    l2w_addr absent;
    CHECK(l2w_addr_from_hex(&absent, "0x0000000000000000000000000000000000000001") == L2W_OK);
    l2w_keccak256(path, absent.b, 20);
    CHECK(test_trie_prove(t, path, 32, nodes, MAX_PROOF, &n) == L2W_OK);
    acct.nonce = 99;
    CHECK(l2w_mpt_verify_account(&acct, &root, &absent, nodes, n, &err) == L2W_OK);
    CHECK(!acct.exists && acct.nonce == 0 && l2w_u256_is_zero(&acct.balance));
    CHECK(l2w_hash_eq(&acct.storage_root, &l2w_mpt_empty_root) && l2w_hash_eq(&acct.code_hash, &l2w_mpt_empty_code_hash));
    /* The proof of a[0] does not prove anything about a[1]'s leaf. */
    l2w_keccak256(path, a[0].b, 20);
    CHECK(test_trie_prove(t, path, 32, nodes, MAX_PROOF, &n) == L2W_OK);
    l2w_status st = l2w_mpt_verify_account(&acct, &root, &a[1], nodes, n, &err);
    CHECK(st == L2W_ERR_PROTOCOL || (st == L2W_OK && acct.exists && l2w_hash_eq(&acct.code_hash, &code)));
    test_trie_destroy(t);
}

/* ---- random tries ---- */

typedef struct {
    uint8_t key[40];
    size_t key_len;
    uint8_t value[48];
    size_t value_len;
} rand_pair;

static void random_trie(bool secure, size_t n_keys, size_t max_key, size_t max_value, bool tamper)
{
    rand_pair *pairs = calloc(n_keys, sizeof *pairs);
    test_trie *t = test_trie_create();
    size_t n = 0;
    for (size_t i = 0; i < n_keys; i++) {
        rand_pair *p = &pairs[n];
        p->key_len = secure ? 20 : (size_t)(l2w_test_rand() % max_key);
        /* A small alphabet makes shared prefixes, so extensions and branch
         * values appear; the empty key is a key too. */
        for (size_t j = 0; j < p->key_len; j++)
            p->key[j] = secure ? (uint8_t)l2w_test_rand() : (uint8_t)(0x11 * (l2w_test_rand() % 3));
        p->value_len = 1 + (size_t)(l2w_test_rand() % max_value);
        for (size_t j = 0; j < p->value_len; j++)
            p->value[j] = (uint8_t)l2w_test_rand();
        bool dup = false;
        for (size_t j = 0; j < n; j++)
            if (pairs[j].key_len == p->key_len && memcmp(pairs[j].key, p->key, p->key_len) == 0)
                dup = true;
        if (dup)
            continue;
        uint8_t path[32];
        if (secure)
            l2w_keccak256(path, p->key, p->key_len);
        CHECK(test_trie_put(t, secure ? path : p->key, secure ? 32 : p->key_len, p->value, p->value_len) == L2W_OK);
        n++;
    }
    l2w_hash root;
    CHECK(test_trie_root(t, &root) == L2W_OK);
    char what[96];
    for (size_t i = 0; i < n; i++) {
        query q = {pairs[i].key, pairs[i].key_len, secure};
        snprintf(what, sizeof what, "random %s trie of %zu, key %zu", secure ? "secure" : "plain", n, i);
        check_key(t, &root, &q, pairs[i].value, pairs[i].value_len, what, tamper && i < 8);
    }
    /* Absent keys; and a proof for one key used for another may only ever
     * say the truth about the other key. */
    for (int k = 0; k < 16; k++) {
        uint8_t key[40];
        size_t key_len = secure ? 20 : (size_t)(l2w_test_rand() % (max_key + 1));
        for (size_t j = 0; j < key_len; j++)
            key[j] = secure ? (uint8_t)l2w_test_rand() : (uint8_t)(0x11 * (l2w_test_rand() % 3));
        const rand_pair *present = NULL;
        for (size_t j = 0; j < n; j++)
            if (pairs[j].key_len == key_len && memcmp(pairs[j].key, key, key_len) == 0)
                present = &pairs[j];
        query q = {key, key_len, secure};
        snprintf(what, sizeof what, "random %s trie of %zu, probe %d", secure ? "secure" : "plain", n, k);
        check_key(t, &root, &q, present ? present->value : NULL, present ? present->value_len : 0, what,
                  tamper && k < 4);
        if (n == 0)
            continue;
        const rand_pair *other = &pairs[l2w_test_rand() % n];
        query oq = {other->key, other->key_len, secure};
        l2w_mpt_node nodes[MAX_PROOF];
        size_t nn;
        CHECK(prove(t, &oq, nodes, &nn) == L2W_OK);
        const uint8_t *v;
        size_t vlen;
        l2w_err err;
        l2w_status st = verify(&v, &vlen, &root, &q, nodes, nn, &err);
        if (st == L2W_OK)
            CHECK_MSG(present && vlen == present->value_len && memcmp(v, present->value, vlen) == 0,
                      "%s: another key's proof verified to a wrong value", what);
        else if (st == L2W_ERR_NOT_FOUND)
            CHECK_MSG(!present, "%s: another key's proof made a present key absent", what);
        else
            CHECK_MSG(st == L2W_ERR_PROTOCOL, "%s: %s", what, l2w_status_str(st));
    }
    test_trie_destroy(t);
    free(pairs);
}

static void test_random_tries(void)
{
    /* Short keys and values: many nodes under 32 bytes, embedded inline. */
    for (int i = 0; i < 60; i++)
        random_trie(false, 1 + (size_t)(l2w_test_rand() % 40), 5, 3, true);
    /* Longer values: hashed nodes throughout. */
    for (int i = 0; i < 20; i++)
        random_trie(false, 1 + (size_t)(l2w_test_rand() % 60), 8, 40, true);
    /* State-trie shaped: 32-byte hashed paths. */
    for (int i = 0; i < 10; i++)
        random_trie(true, 1 + (size_t)(l2w_test_rand() % 300), 20, 40, i < 4);
    random_trie(true, 3000, 20, 8, false);
    fprintf(stderr, "  %d tampered proofs rejected\n", tampered_checked);
}

/* ---- hand-made nodes: each malformation on its own ---- */

typedef struct {
    l2w_bytes nodes[4];
    size_t n;
} crafted;

static l2w_status verify_crafted(const crafted *c, const uint8_t *key, size_t key_len, l2w_err *err)
{
    l2w_mpt_node nodes[4];
    for (size_t i = 0; i < c->n; i++)
        nodes[i] = (l2w_mpt_node){c->nodes[i].data, c->nodes[i].len};
    l2w_hash root;
    l2w_keccak256(root.b, nodes[0].data, nodes[0].len);
    const uint8_t *v;
    size_t vlen;
    return l2w_mpt_verify(&v, &vlen, &root, key, key_len, nodes, c->n, err);
}

static void crafted_free(crafted *c)
{
    for (size_t i = 0; i < c->n; i++)
        l2w_bytes_free(&c->nodes[i]);
}

static void expect_crafted_fault(crafted *c, const char *fragment, const char *what)
{
    static const uint8_t key[] = {0x12, 0x34};
    l2w_err err = {{0}};
    l2w_status st = verify_crafted(c, key, sizeof key, &err);
    CHECK_MSG(st == L2W_ERR_PROTOCOL && strstr(err.msg, fragment) != NULL, "%s: %s (%s)", what,
              l2w_status_str(st), err.msg);
    crafted_free(c);
}

static void put_short(l2w_bytes *b, const uint8_t *hp, size_t hp_len, const uint8_t *v, size_t vlen)
{
    size_t list = l2w_rlp_list_begin(b);
    l2w_rlp_put_bytes(b, hp, hp_len);
    l2w_rlp_put_bytes(b, v, vlen);
    l2w_rlp_list_end(b, list);
}

static void test_malformed_nodes(void)
{
    static const uint8_t v[] = {'v', 'a', 'l'};
    crafted c = {{L2W_BYTES_INIT, L2W_BYTES_INIT, L2W_BYTES_INIT, L2W_BYTES_INIT}, 1};

    size_t list = l2w_rlp_list_begin(&c.nodes[0]);
    for (int i = 0; i < 3; i++)
        l2w_rlp_put_u64(&c.nodes[0], 1);
    l2w_rlp_list_end(&c.nodes[0], list);
    expect_crafted_fault(&c, "node 0: list of 3 items", "three-item node");

    c.n = 1;
    put_short(&c.nodes[0], (const uint8_t[]){0x41, 0x23}, 2, v, sizeof v);
    expect_crafted_fault(&c, "node 0: hex-prefix flag", "flag nibble 4");

    c.n = 1;
    put_short(&c.nodes[0], (const uint8_t[]){0x21, 0x23}, 2, v, sizeof v);
    expect_crafted_fault(&c, "node 0: even hex-prefix", "non-zero pad nibble");

    c.n = 1;
    put_short(&c.nodes[0], (const uint8_t[]){0x20, 0x12, 0x34}, 3, NULL, 0);
    expect_crafted_fault(&c, "leaf value", "empty leaf value");

    c.n = 1;
    put_short(&c.nodes[0], (const uint8_t[]){0x00}, 1, (const uint8_t[32]){1}, 32);
    expect_crafted_fault(&c, "extension with an empty path", "empty extension");

    c.n = 1;
    list = l2w_rlp_list_begin(&c.nodes[0]);
    l2w_rlp_put_bytes(&c.nodes[0], (const uint8_t[5]){1, 2, 3, 4, 5}, 5);
    for (int i = 1; i < 17; i++)
        l2w_rlp_put_bytes(&c.nodes[0], NULL, 0);
    l2w_rlp_list_end(&c.nodes[0], list);
    expect_crafted_fault(&c, "branch child", "5-byte child reference");

    c.n = 1;
    put_short(&c.nodes[0], (const uint8_t[]){0x20, 0x12, 0x34}, 3, v, sizeof v);
    l2w_bytes_append_byte(&c.nodes[0], 0x00);
    expect_crafted_fault(&c, "node 0: rlp", "trailing byte");

    c.n = 1;
    l2w_rlp_put_bytes(&c.nodes[0], v, sizeof v);
    expect_crafted_fault(&c, "node 0: node is a string", "string node");

    /* Extension to a leaf whose encoding is under 32 bytes, given by hash. */
    c.n = 2;
    put_short(&c.nodes[1], (const uint8_t[]){0x32, 0x34}, 2, v, sizeof v);
    uint8_t h[32];
    l2w_keccak256(h, c.nodes[1].data, c.nodes[1].len);
    put_short(&c.nodes[0], (const uint8_t[]){0x11}, 1, h, 32);
    expect_crafted_fault(&c, "node 1: a node under 32 bytes", "small node by hash");

    /* The same leaf embedded is right, and listing it as well is an extra node. */
    c.n = 2;
    put_short(&c.nodes[1], (const uint8_t[]){0x32, 0x34}, 2, v, sizeof v);
    list = l2w_rlp_list_begin(&c.nodes[0]);
    l2w_rlp_put_bytes(&c.nodes[0], (const uint8_t[]){0x11}, 1);
    l2w_rlp_put_raw(&c.nodes[0], c.nodes[1].data, c.nodes[1].len);
    l2w_rlp_list_end(&c.nodes[0], list);
    l2w_err err = {{0}};
    static const uint8_t key[] = {0x12, 0x34};
    c.n = 1;
    CHECK_MSG(verify_crafted(&c, key, sizeof key, &err) == L2W_OK, "inline leaf: %s", err.msg);
    c.n = 2;
    expect_crafted_fault(&c, "the key's path ends here, but 1 more", "inline node listed separately");

    /* A hashed child the proof does not carry. */
    c.n = 1;
    put_short(&c.nodes[0], (const uint8_t[]){0x11}, 1, (const uint8_t[32]){7}, 32);
    expect_crafted_fault(&c, "proof ends here", "missing node");
}

static void test_empty_trie(void)
{
    static const uint8_t key[] = {0xab};
    const uint8_t *v;
    size_t vlen;
    l2w_err err = {{0}};
    CHECK(l2w_mpt_verify(&v, &vlen, &l2w_mpt_empty_root, key, 1, NULL, 0, &err) == L2W_ERR_NOT_FOUND);
    l2w_hash other = l2w_mpt_empty_root;
    other.b[0] ^= 1;
    CHECK(l2w_mpt_verify(&v, &vlen, &other, key, 1, NULL, 0, &err) == L2W_ERR_PROTOCOL);
    static const uint8_t empty_node[] = {0x80};
    l2w_mpt_node nodes[2] = {{empty_node, 1}, {empty_node, 1}};
    CHECK(l2w_mpt_verify(&v, &vlen, &l2w_mpt_empty_root, key, 1, nodes, 1, &err) == L2W_ERR_NOT_FOUND);
    CHECK(l2w_mpt_verify(&v, &vlen, &l2w_mpt_empty_root, key, 1, nodes, 2, &err) == L2W_ERR_PROTOCOL);
    CHECK(l2w_mpt_verify(&v, &vlen, &l2w_mpt_empty_root, key, 1, NULL, 2, &err) == L2W_ERR_INVALID);
    uint8_t h[32];
    l2w_keccak256(h, NULL, 0);
    CHECK(memcmp(h, l2w_mpt_empty_code_hash.b, 32) == 0);
    l2w_keccak256(h, empty_node, 1);
    CHECK(memcmp(h, l2w_mpt_empty_root.b, 32) == 0);
}

/* ---- storage and account leaves ---- */

static void put_storage(test_trie *t, uint64_t slot, const l2w_u256 *value, bool raw_zero)
{
    l2w_hash s = {{0}};
    l2w_u256 sv = l2w_u256_from_u64(slot);
    l2w_u256_to_be32(s.b, &sv);
    uint8_t path[32];
    l2w_keccak256(path, s.b, 32);
    l2w_bytes enc = L2W_BYTES_INIT;
    if (raw_zero)
        l2w_rlp_put_bytes(&enc, NULL, 0);
    else
        l2w_rlp_put_u256(&enc, value);
    CHECK(test_trie_put(t, path, 32, enc.data, enc.len) == L2W_OK);
    l2w_bytes_free(&enc);
}

static l2w_status storage_at(test_trie *t, const l2w_hash *root, uint64_t slot, l2w_u256 *out, l2w_err *err)
{
    l2w_hash s = {{0}};
    l2w_u256 sv = l2w_u256_from_u64(slot);
    l2w_u256_to_be32(s.b, &sv);
    uint8_t path[32];
    l2w_keccak256(path, s.b, 32);
    l2w_mpt_node nodes[MAX_PROOF];
    size_t n;
    if (test_trie_prove(t, path, 32, nodes, MAX_PROOF, &n) != L2W_OK)
        return L2W_ERR_NOMEM;
    return l2w_mpt_verify_storage(out, root, &s, nodes, n, err);
}

static void test_storage_leaves(void)
{
    test_trie *t = test_trie_create();
    l2w_u256 big;
    CHECK(l2w_u256_from_hex(&big, "0xff00000000000000000000000000000000000000000000000000000000000001") == L2W_OK);
    l2w_u256 small = l2w_u256_from_u64(42);
    put_storage(t, 0, &small, false);
    put_storage(t, 1, &big, false);
    l2w_hash root;
    CHECK(test_trie_root(t, &root) == L2W_OK);
    l2w_u256 got;
    l2w_err err = {{0}};
    CHECK(storage_at(t, &root, 0, &got, &err) == L2W_OK && l2w_u256_cmp(&got, &small) == 0);
    CHECK(storage_at(t, &root, 1, &got, &err) == L2W_OK && l2w_u256_cmp(&got, &big) == 0);
    got = small;
    CHECK(storage_at(t, &root, 2, &got, &err) == L2W_OK && l2w_u256_is_zero(&got));
    /* An empty storage trie: every slot is zero. */
    got = small;
    CHECK(l2w_mpt_verify_storage(&got, &l2w_mpt_empty_root, &root, NULL, 0, &err) == L2W_OK && l2w_u256_is_zero(&got));

    /* A leaf holding zero (anvil keeps cleared slots so) proves zero; a
     * leaf holding a list or a non-canonical integer proves nothing. */
    put_storage(t, 3, NULL, true);
    CHECK(test_trie_root(t, &root) == L2W_OK);
    got = small;
    l2w_status st = storage_at(t, &root, 3, &got, &err);
    CHECK_MSG(st == L2W_OK && l2w_u256_is_zero(&got), "zero leaf: %s", err.msg);
    static const uint8_t bad_values[][3] = {{0xc1, 0x01, 0}, {0x82, 0x00, 0x01}};
    static const size_t bad_lens[] = {2, 3};
    for (int i = 0; i < 2; i++) {
        l2w_hash s = {{0}};
        s.b[31] = 9;
        uint8_t path[32];
        l2w_keccak256(path, s.b, 32);
        CHECK(test_trie_put(t, path, 32, bad_values[i], bad_lens[i]) == L2W_OK);
        CHECK(test_trie_root(t, &root) == L2W_OK);
        st = storage_at(t, &root, 9, &got, &err);
        CHECK_MSG(st == L2W_ERR_PROTOCOL && strstr(err.msg, "storage leaf"), "bad storage leaf %d: %s", i, err.msg);
    }
    test_trie_destroy(t);

    /* An account leaf that is not four fields is no state trie. */
    t = test_trie_create();
    l2w_addr a = {{0xaa}};
    uint8_t path[32];
    l2w_keccak256(path, a.b, 20);
    l2w_bytes enc = L2W_BYTES_INIT;
    size_t list = l2w_rlp_list_begin(&enc);
    l2w_rlp_put_u64(&enc, 1);
    l2w_rlp_put_u64(&enc, 2);
    l2w_rlp_put_bytes(&enc, l2w_mpt_empty_root.b, 32);
    l2w_rlp_list_end(&enc, list);
    CHECK(test_trie_put(t, path, 32, enc.data, enc.len) == L2W_OK);
    l2w_bytes_free(&enc);
    CHECK(test_trie_root(t, &root) == L2W_OK);
    l2w_mpt_node nodes[MAX_PROOF];
    size_t n;
    CHECK(test_trie_prove(t, path, 32, nodes, MAX_PROOF, &n) == L2W_OK);
    l2w_mpt_account acct;
    st = l2w_mpt_verify_account(&acct, &root, &a, nodes, n, &err);
    CHECK_MSG(st == L2W_ERR_PROTOCOL && strstr(err.msg, "account leaf"), "3-field account: %s", err.msg);
    test_trie_destroy(t);
}

/* ---- an eth_getProof answer, as the collector checks it ---- */

static json_t *hex_nodes(const l2w_mpt_node *nodes, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        char *hex = l2w_hex_encode_alloc(nodes[i].data, nodes[i].len);
        json_array_append_new(arr, json_string(hex));
        free(hex);
    }
    return arr;
}

typedef struct {
    test_trie *state, *storage;
    l2w_hash state_root;
    l2w_addr addr;
    l2w_mpt_account acct;
    l2w_hash slots[2];
    l2w_u256 values[2];
} proof_world;

static void proof_world_build(proof_world *w)
{
    w->storage = test_trie_create();
    w->state = test_trie_create();
    w->values[0] = l2w_u256_from_u64(0xabcdef);
    w->values[1] = l2w_u256_from_u64(0);
    memset(w->slots, 0, sizeof w->slots);
    w->slots[0].b[31] = 5;
    w->slots[1].b[31] = 6; /* never written: proves zero */
    for (int i = 0; i < 40; i++) {
        l2w_hash slot = {{0}};
        slot.b[30] = (uint8_t)i;
        slot.b[31] = i == 0 ? 5 : (uint8_t)(100 + i);
        l2w_u256 v = i == 0 ? w->values[0] : l2w_u256_from_u64((uint64_t)i * 7919);
        uint8_t path[32];
        l2w_keccak256(path, slot.b, 32);
        l2w_bytes enc = L2W_BYTES_INIT;
        l2w_rlp_put_u256(&enc, &v);
        CHECK(test_trie_put(w->storage, path, 32, enc.data, enc.len) == L2W_OK);
        l2w_bytes_free(&enc);
    }
    w->acct = (l2w_mpt_account){.exists = true, .nonce = 7, .code_hash = l2w_mpt_empty_code_hash};
    CHECK(l2w_u256_from_dec(&w->acct.balance, "1000000000000000000000") == L2W_OK);
    CHECK(test_trie_root(w->storage, &w->acct.storage_root) == L2W_OK);
    memset(w->addr.b, 0x42, 20);
    for (int i = 0; i < 30; i++) {
        l2w_addr a;
        memset(a.b, i, 20);
        const l2w_mpt_account *acct = i == 0 ? &w->acct : NULL;
        if (i == 0)
            a = w->addr;
        l2w_bytes enc = L2W_BYTES_INIT;
        size_t list = l2w_rlp_list_begin(&enc);
        l2w_rlp_put_u64(&enc, acct ? acct->nonce : (uint64_t)i);
        l2w_u256 bal = l2w_u256_from_u64((uint64_t)i);
        l2w_rlp_put_u256(&enc, acct ? &acct->balance : &bal);
        l2w_rlp_put_bytes(&enc, acct ? acct->storage_root.b : l2w_mpt_empty_root.b, 32);
        l2w_rlp_put_bytes(&enc, l2w_mpt_empty_code_hash.b, 32);
        l2w_rlp_list_end(&enc, list);
        uint8_t path[32];
        l2w_keccak256(path, a.b, 20);
        CHECK(test_trie_put(w->state, path, 32, enc.data, enc.len) == L2W_OK);
        l2w_bytes_free(&enc);
    }
    CHECK(test_trie_root(w->state, &w->state_root) == L2W_OK);
}

/* The answer an honest node gives for w->addr and w->slots. */
static json_t *honest_answer(proof_world *w)
{
    l2w_mpt_node nodes[MAX_PROOF];
    size_t n;
    uint8_t path[32];
    l2w_keccak256(path, w->addr.b, 20);
    CHECK(test_trie_prove(w->state, path, 32, nodes, MAX_PROOF, &n) == L2W_OK);
    char nonce[19], balance[L2W_U256_HEX_LEN];
    l2w_u64_to_quantity(nonce, w->acct.nonce);
    l2w_u256_to_hex(balance, &w->acct.balance);
    json_t *storage = json_array();
    for (int i = 0; i < 2; i++) {
        l2w_mpt_node sn[MAX_PROOF];
        size_t sn_n;
        l2w_keccak256(path, w->slots[i].b, 32);
        CHECK(test_trie_prove(w->storage, path, 32, sn, MAX_PROOF, &sn_n) == L2W_OK);
        char value[L2W_U256_HEX_LEN];
        l2w_u256_to_hex(value, &w->values[i]);
        json_array_append_new(storage, json_pack("{s:o, s:s, s:o}", "key", l2w_json_hash(&w->slots[i]), "value",
                                                 value, "proof", hex_nodes(sn, sn_n)));
    }
    return json_pack("{s:o, s:o, s:s, s:s, s:o, s:o, s:o}", "address", l2w_json_addr(&w->addr), "accountProof",
                     hex_nodes(nodes, n), "nonce", nonce, "balance", balance, "storageHash",
                     l2w_json_hash(&w->acct.storage_root), "codeHash", l2w_json_hash(&w->acct.code_hash),
                     "storageProof", storage);
}

static void expect_answer_refused(proof_world *w, json_t *answer, const char *fragment, const char *what)
{
    l2w_mpt_account acct;
    l2w_u256 values[2];
    l2w_err err = {{0}};
    l2w_status st = l2w_eth_check_proof(answer, &w->addr, w->slots, 2, &w->state_root, &acct, values, &err);
    CHECK_MSG(st == L2W_ERR_PROTOCOL && strstr(err.msg, fragment), "%s: %s (%s)", what, l2w_status_str(st), err.msg);
    json_decref(answer);
}

static void test_eth_proof_answers(void)
{
    proof_world w;
    proof_world_build(&w);
    json_t *answer = honest_answer(&w);
    l2w_mpt_account acct;
    l2w_u256 values[2];
    l2w_err err = {{0}};
    CHECK_MSG(l2w_eth_check_proof(answer, &w.addr, w.slots, 2, &w.state_root, &acct, values, &err) == L2W_OK, "%s",
              err.msg);
    CHECK(acct.exists && acct.nonce == 7 && l2w_hash_eq(&acct.storage_root, &w.acct.storage_root));
    CHECK(l2w_u256_cmp(&values[0], &w.values[0]) == 0 && l2w_u256_is_zero(&values[1]));
    json_decref(answer);

    /* Another block's state root: the proof does not lead there. */
    l2w_hash other_root = w.state_root;
    other_root.b[5] ^= 0x10;
    answer = honest_answer(&w);
    CHECK(l2w_eth_check_proof(answer, &w.addr, w.slots, 2, &other_root, &acct, values, &err) == L2W_ERR_PROTOCOL);
    CHECK_MSG(strstr(err.msg, "accountProof: mpt proof: node 0: hashes to"), "%s", err.msg);
    json_decref(answer);

    answer = honest_answer(&w);
    l2w_addr other = w.addr;
    other.b[19] ^= 1;
    json_object_set_new(answer, "address", l2w_json_addr(&other));
    expect_answer_refused(&w, answer, "answered about", "answer about another account");

    answer = honest_answer(&w);
    json_object_set_new(answer, "balance", json_string("0x1"));
    expect_answer_refused(&w, answer, "field balance differs", "summary balance that the proof contradicts");

    answer = honest_answer(&w);
    json_object_set_new(answer, "storageHash", l2w_json_hash(&l2w_mpt_empty_root));
    expect_answer_refused(&w, answer, "field storageHash differs", "summary storageHash that the proof contradicts");

    answer = honest_answer(&w);
    json_object_set_new(json_array_get(json_object_get(answer, "storageProof"), 0), "value", json_string("0x2"));
    expect_answer_refused(&w, answer, "storageProof[0]: field value differs", "storage value the proof contradicts");

    /* The proof of slot 5 offered for slot 6: the key gives it away, and
     * with the key changed too the proof does not verify for slot 6. */
    answer = honest_answer(&w);
    json_t *sp = json_object_get(answer, "storageProof");
    json_object_set(json_array_get(sp, 1), "proof", json_object_get(json_array_get(sp, 0), "proof"));
    json_object_set(json_array_get(sp, 1), "value", json_object_get(json_array_get(sp, 0), "value"));
    json_t *forged = json_deep_copy(answer);
    json_object_set(json_array_get(sp, 1), "key", json_object_get(json_array_get(sp, 0), "key"));
    expect_answer_refused(&w, answer, "storageProof[1]: key is not the slot", "proof for another slot");
    expect_answer_refused(&w, forged, "storageProof[1]: ", "another slot's proof under this slot's key");

    answer = honest_answer(&w);
    json_array_remove(json_object_get(answer, "storageProof"), 1);
    expect_answer_refused(&w, answer, "expected an array of 2", "one storage proof missing");

    answer = honest_answer(&w);
    json_array_set_new(json_object_get(answer, "accountProof"), 0, json_string("0xzz"));
    expect_answer_refused(&w, answer, "accountProof[0]: expected 0x hex", "non-hex node");

    answer = honest_answer(&w);
    json_t *long_proof = json_array();
    for (int i = 0; i <= L2W_MPT_MAX_PROOF_NODES; i++)
        json_array_append_new(long_proof, json_string("0x80"));
    json_object_set_new(answer, "accountProof", long_proof);
    expect_answer_refused(&w, answer, "more than any 32-byte path needs", "too many nodes");

    test_trie_destroy(w.state);
    test_trie_destroy(w.storage);
}

int main(void)
{
    l2w_test_seed();
    RUN(test_published_vectors);
    RUN(test_account_vectors);
    RUN(test_empty_trie);
    RUN(test_malformed_nodes);
    RUN(test_storage_leaves);
    RUN(test_eth_proof_answers);
    RUN(test_random_tries);
    return l2w_test_finish();
}
