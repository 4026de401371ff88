/* eth_getProof, trusted only as far as its proofs go: the account is taken
 * from the account proof checked against the block's state root, storage
 * values from storage proofs checked against that account's storage root.
 * The node's own summary fields (balance, storageHash, ...) are compared
 * with what the proofs show and are never used. */
#include "collector/eth.h"

#include <stdlib.h>
#include <string.h>

#include "core/hex.h"
#include "core/json.h"

/* Proof nodes decoded from JSON hex strings into one owned buffer. */
typedef struct {
    uint8_t *buf;
    l2w_mpt_node nodes[L2W_MPT_MAX_PROOF_NODES];
    size_t n;
} proof_nodes;

static void proof_nodes_free(proof_nodes *p)
{
    free(p->buf);
    p->buf = NULL;
    p->n = 0;
}

static l2w_status read_proof(proof_nodes *out, const json_t *arr, const char *what, l2w_err *err)
{
    out->buf = NULL;
    out->n = 0;
    if (!json_is_array(arr)) {
        l2w_err_set(err, "%s: expected an array of hex nodes", what);
        return L2W_ERR_PROTOCOL;
    }
    size_t n = json_array_size(arr);
    if (n > L2W_MPT_MAX_PROOF_NODES) {
        l2w_err_set(err, "%s: %zu nodes, more than any 32-byte path needs (%d)", what, n,
                    L2W_MPT_MAX_PROOF_NODES);
        return L2W_ERR_PROTOCOL;
    }
    out->buf = malloc(n ? n * L2W_MPT_MAX_NODE_LEN : 1);
    if (!out->buf) {
        l2w_err_set(err, "%s: out of memory", what);
        return L2W_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        const char *s = json_string_value(json_array_get(arr, i));
        uint8_t *dst = out->buf + i * L2W_MPT_MAX_NODE_LEN;
        size_t len;
        if (!s || strncmp(s, "0x", 2) != 0 ||
            l2w_hex_decode(dst, L2W_MPT_MAX_NODE_LEN, &len, s, strlen(s)) != L2W_OK) {
            proof_nodes_free(out);
            l2w_err_set(err, "%s[%zu]: expected 0x hex of at most %d bytes", what, i, L2W_MPT_MAX_NODE_LEN);
            return L2W_ERR_PROTOCOL;
        }
        out->nodes[i] = (l2w_mpt_node){dst, len};
    }
    out->n = n;
    return L2W_OK;
}

/* A node whose summary disagrees with its own proof is broken or lying;
 * either way its answer is not used. */
static l2w_status check_claims(const json_t *res, const l2w_mpt_account *acct, l2w_err *err)
{
    uint64_t nonce;
    l2w_u256 balance;
    l2w_hash storage_hash, code_hash;
    l2w_status st = l2w_json_get_quantity(&nonce, res, "nonce", err);
    if (st == L2W_OK)
        st = l2w_json_get_u256(&balance, res, "balance", err);
    if (st == L2W_OK)
        st = l2w_json_get_hash(&storage_hash, res, "storageHash", err);
    if (st == L2W_OK)
        st = l2w_json_get_hash(&code_hash, res, "codeHash", err);
    if (st != L2W_OK)
        return st;
    const char *differs = nonce != acct->nonce                                 ? "nonce"
                          : l2w_u256_cmp(&balance, &acct->balance) != 0          ? "balance"
                          : !l2w_hash_eq(&storage_hash, &acct->storage_root)     ? "storageHash"
                          : !l2w_hash_eq(&code_hash, &acct->code_hash)           ? "codeHash"
                                                                                 : NULL;
    if (differs) {
        l2w_err_set(err, "field %s differs from what the account proof proves", differs);
        return L2W_ERR_PROTOCOL;
    }
    return L2W_OK;
}

static l2w_status check_account(const json_t *res, const l2w_addr *account, const l2w_hash *state_root,
                                l2w_mpt_account *out, l2w_err *err)
{
    l2w_addr answered;
    l2w_status st = l2w_json_get_addr(&answered, res, "address", err);
    if (st != L2W_OK)
        return st;
    if (!l2w_addr_eq(&answered, account)) {
        char want[L2W_ADDR_HEX_LEN], got[L2W_ADDR_HEX_LEN];
        l2w_addr_to_hex(want, account);
        l2w_addr_to_hex(got, &answered);
        l2w_err_set(err, "asked about account %s, answered about %s", want, got);
        return L2W_ERR_PROTOCOL;
    }
    proof_nodes proof;
    st = read_proof(&proof, json_object_get(res, "accountProof"), "accountProof", err);
    if (st != L2W_OK)
        return st;
    st = l2w_mpt_verify_account(out, state_root, account, proof.nodes, proof.n, err);
    proof_nodes_free(&proof);
    if (st != L2W_OK) {
        l2w_err_prefix(err, "accountProof");
        return st;
    }
    /* For an absent account nodes disagree on the summary (zero hashes or
     * the empty ones); the proof of absence is what counts. */
    return out->exists ? check_claims(res, out, err) : L2W_OK;
}

static l2w_status check_slot(const json_t *entry, size_t i, const l2w_hash *slot, const l2w_hash *storage_root,
                             l2w_u256 *out, l2w_err *err)
{
    char what[48];
    snprintf(what, sizeof what, "storageProof[%zu]", i);
    l2w_u256 key, want_key, claimed;
    l2w_u256_from_be32(&want_key, slot->b);
    l2w_status st = l2w_json_get_u256(&key, entry, "key", err);
    if (st == L2W_OK && l2w_u256_cmp(&key, &want_key) != 0) {
        l2w_err_set(err, "key is not the slot asked for");
        st = L2W_ERR_PROTOCOL;
    }
    if (st == L2W_OK)
        st = l2w_json_get_u256(&claimed, entry, "value", err);
    proof_nodes proof = {0};
    if (st == L2W_OK)
        st = read_proof(&proof, json_object_get(entry, "proof"), "proof", err);
    if (st == L2W_OK) {
        st = l2w_mpt_verify_storage(out, storage_root, slot, proof.nodes, proof.n, err);
        proof_nodes_free(&proof);
    }
    if (st == L2W_OK && l2w_u256_cmp(&claimed, out) != 0) {
        l2w_err_set(err, "field value differs from what the storage proof proves");
        st = L2W_ERR_PROTOCOL;
    }
    if (st != L2W_OK)
        l2w_err_prefix(err, "%s", what);
    return st;
}

l2w_status l2w_eth_check_proof(const json_t *result, const l2w_addr *account, const l2w_hash *slots,
                               size_t n_slots, const l2w_hash *state_root, l2w_mpt_account *account_out,
                               l2w_u256 *values, l2w_err *err)
{
    if (!json_is_object(result)) {
        l2w_err_set(err, "answer is not an object");
        return L2W_ERR_PROTOCOL;
    }
    l2w_status st = check_account(result, account, state_root, account_out, err);
    if (st != L2W_OK)
        return st;
    const json_t *storage = json_object_get(result, "storageProof");
    if (!json_is_array(storage) || json_array_size(storage) != n_slots) {
        l2w_err_set(err, "field storageProof: expected an array of %zu entries", n_slots);
        return L2W_ERR_PROTOCOL;
    }
    for (size_t i = 0; i < n_slots && st == L2W_OK; i++)
        st = check_slot(json_array_get(storage, i), i, &slots[i], &account_out->storage_root, &values[i], err);
    return st;
}

json_t *l2w_eth_proof_params(const l2w_addr *account, const l2w_hash *slots, size_t n_slots,
                             const l2w_hash *block_hash)
{
    json_t *keys = json_array();
    for (size_t i = 0; keys && i < n_slots; i++)
        json_array_append_new(keys, l2w_json_hash(&slots[i]));
    /* EIP-1898: naming the block by hash keeps a reorg from answering for
     * another block with the same number. */
    return json_pack("[o, o, {s:o}]", l2w_json_addr(account), keys, "blockHash", l2w_json_hash(block_hash));
}

l2w_status l2w_eth_get_proof(l2w_rpc *rpc, const l2w_addr *account, const l2w_hash *slots, size_t n_slots,
                             const l2w_block_header *header, l2w_mpt_account *account_out, l2w_u256 *values,
                             l2w_err *err)
{
    if (n_slots > L2W_ETH_MAX_PROOF_SLOTS) {
        l2w_err_set(err, "eth_getProof: %zu slots asked, at most %d", n_slots, L2W_ETH_MAX_PROOF_SLOTS);
        return L2W_ERR_INVALID;
    }
    json_t *res;
    l2w_status st =
        l2w_rpc_call(rpc, &res, "eth_getProof", l2w_eth_proof_params(account, slots, n_slots, &header->hash), err);
    if (st != L2W_OK)
        return st;
    st = l2w_eth_check_proof(res, account, slots, n_slots, &header->state_root, account_out, values, err);
    json_decref(res);
    if (st != L2W_OK)
        l2w_err_prefix(err, "rpc %s: eth_getProof at block %llu", l2w_rpc_current_url(rpc),
                       (unsigned long long)header->number);
    return st;
}

l2w_status l2w_eth_storage_hash(l2w_rpc *rpc, const l2w_addr *account, const l2w_block_header *header,
                                l2w_hash *out, l2w_err *err)
{
    l2w_mpt_account acct;
    l2w_status st = l2w_eth_get_proof(rpc, account, NULL, 0, header, &acct, NULL, err);
    if (st == L2W_OK)
        *out = acct.storage_root;
    return st;
}
