/* How long checking an account proof takes on one core, for a proof shaped
 * like a mainnet one: seven full branch nodes (16 hashed children each, 532
 * bytes) above an account leaf, eight nodes in all. Times both the bare
 * verification (l2w_mpt_verify_account on decoded nodes) and what the
 * collector does per eth_getProof answer (l2w_eth_check_proof: hex decoding
 * of the JSON proof, verification, and the summary-field comparison).
 * Usage: bench_mpt [iterations] */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collector/eth.h"
#include "core/bytes.h"
#include "core/hex.h"
#include "core/json.h"
#include "core/keccak.h"
#include "core/mpt.h"
#include "core/rlp.h"

enum { BRANCHES = 7, NODES = BRANCHES + 1 };

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static unsigned nibble(const uint8_t *b, size_t i)
{
    return (i % 2 == 0) ? b[i / 2] >> 4 : b[i / 2] & 0x0f;
}

/* Deterministic filler for the sibling hashes (their values do not matter). */
static uint64_t fill_state = 0x9e3779b97f4a7c15ULL;
static void fill(uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        fill_state ^= fill_state << 13;
        fill_state ^= fill_state >> 7;
        fill_state ^= fill_state << 17;
        b[i] = (uint8_t)fill_state;
    }
}

static void encode_account(l2w_bytes *out, const l2w_mpt_account *a)
{
    size_t list = l2w_rlp_list_begin(out);
    l2w_rlp_put_u64(out, a->nonce);
    l2w_rlp_put_u256(out, &a->balance);
    l2w_rlp_put_bytes(out, a->storage_root.b, 32);
    l2w_rlp_put_bytes(out, a->code_hash.b, 32);
    l2w_rlp_list_end(out, list);
}

/* The leaf keeps the path's last 64 - BRANCHES nibbles (odd: flag 3). */
static void encode_leaf(l2w_bytes *out, const uint8_t path[32], const l2w_mpt_account *a)
{
    uint8_t hp[33];
    size_t n = 0, i = BRANCHES;
    hp[n++] = (uint8_t)(0x30 | nibble(path, i++));
    for (; i < 64; i += 2)
        hp[n++] = (uint8_t)((nibble(path, i) << 4) | nibble(path, i + 1));
    l2w_bytes value = L2W_BYTES_INIT;
    encode_account(&value, a);
    size_t list = l2w_rlp_list_begin(out);
    l2w_rlp_put_bytes(out, hp, n);
    l2w_rlp_put_bytes(out, value.data, value.len);
    l2w_rlp_list_end(out, list);
    l2w_bytes_free(&value);
}

static void encode_branch(l2w_bytes *out, unsigned on_path, const uint8_t child_hash[32])
{
    size_t list = l2w_rlp_list_begin(out);
    for (unsigned c = 0; c < 16; c++) {
        uint8_t h[32];
        if (c == on_path)
            memcpy(h, child_hash, 32);
        else
            fill(h, 32);
        l2w_rlp_put_bytes(out, h, 32);
    }
    l2w_rlp_put_bytes(out, NULL, 0);
    l2w_rlp_list_end(out, list);
}

/* Builds nodes[0..NODES) root first, and the state root over them. */
static int build_proof(l2w_bytes nodes[NODES], l2w_hash *root, const l2w_addr *addr, const l2w_mpt_account *a)
{
    uint8_t path[32], h[32];
    l2w_keccak256(path, addr->b, 20);
    encode_leaf(&nodes[BRANCHES], path, a);
    l2w_keccak256(h, nodes[BRANCHES].data, nodes[BRANCHES].len);
    for (int d = BRANCHES - 1; d >= 0; d--) {
        encode_branch(&nodes[d], nibble(path, (size_t)d), h);
        l2w_keccak256(h, nodes[d].data, nodes[d].len);
    }
    memcpy(root->b, h, 32);
    for (int i = 0; i < NODES; i++)
        if (l2w_bytes_status(&nodes[i]) != L2W_OK)
            return -1;
    return 0;
}

static json_t *proof_json(const l2w_bytes nodes[NODES], const l2w_addr *addr, const l2w_mpt_account *a)
{
    json_t *arr = json_array();
    for (int i = 0; i < NODES; i++) {
        char *hex = l2w_hex_encode_alloc(nodes[i].data, nodes[i].len);
        json_array_append_new(arr, json_string(hex));
        free(hex);
    }
    char nonce[19], balance[L2W_U256_HEX_LEN];
    l2w_u64_to_quantity(nonce, a->nonce);
    l2w_u256_to_hex(balance, &a->balance);
    return json_pack("{s:o, s:o, s:s, s:s, s:o, s:o, s:[]}", "address", l2w_json_addr(addr), "accountProof", arr,
                     "nonce", nonce, "balance", balance, "storageHash", l2w_json_hash(&a->storage_root), "codeHash",
                     l2w_json_hash(&a->code_hash), "storageProof");
}

int main(int argc, char **argv)
{
    long iterations = argc > 1 ? atol(argv[1]) : 100000;
    l2w_addr addr;
    fill(addr.b, 20);
    l2w_mpt_account want = {.exists = true, .nonce = 1234};
    fill(want.storage_root.b, 32);
    fill(want.code_hash.b, 32);
    if (l2w_u256_from_dec(&want.balance, "123456789000000000000") != L2W_OK)
        return 1;
    l2w_bytes nodes[NODES];
    for (int i = 0; i < NODES; i++)
        nodes[i] = (l2w_bytes)L2W_BYTES_INIT;
    l2w_hash root;
    if (build_proof(nodes, &root, &addr, &want) != 0)
        return 1;
    l2w_mpt_node view[NODES];
    size_t total = 0;
    for (int i = 0; i < NODES; i++) {
        view[i] = (l2w_mpt_node){nodes[i].data, nodes[i].len};
        total += nodes[i].len;
    }
    json_t *answer = proof_json(nodes, &addr, &want);
    if (!answer)
        return 1;

    l2w_mpt_account got;
    l2w_err err;
    double t0 = now();
    for (long i = 0; i < iterations; i++) {
        if (l2w_mpt_verify_account(&got, &root, &addr, view, NODES, &err) != L2W_OK || got.nonce != want.nonce) {
            fprintf(stderr, "verify failed: %s\n", err.msg);
            return 1;
        }
    }
    double t1 = now();
    for (long i = 0; i < iterations; i++) {
        if (l2w_eth_check_proof(answer, &addr, NULL, 0, &root, &got, NULL, &err) != L2W_OK) {
            fprintf(stderr, "check failed: %s\n", err.msg);
            return 1;
        }
    }
    double t2 = now();
    printf("iterations: %ld\n", iterations);
    printf("account proof: %d nodes, %zu bytes\n", NODES, total);
    printf("l2w_mpt_verify_account (8-node proof): %.0f ns/op\n", (t1 - t0) / (double)iterations);
    printf("l2w_eth_check_proof (JSON hex decode + verify + field checks): %.0f ns/op\n",
           (t2 - t1) / (double)iterations);
    json_decref(answer);
    for (int i = 0; i < NODES; i++)
        l2w_bytes_free(&nodes[i]);
    return 0;
}
