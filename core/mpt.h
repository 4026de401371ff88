#ifndef L2W_CORE_MPT_H
#define L2W_CORE_MPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/eth_types.h"
#include "core/status.h"
#include "core/u256.h"

/* Merkle-Patricia trie proofs (Yellow Paper, appendix D), as eth_getProof
 * returns them. A proof lets l2watch take a value from an untrusted node and
 * still know it is what the trie under a trusted root holds: every node is
 * checked against the hash its parent (or the root) commits to.
 *
 * Results of the verifiers:
 *   L2W_OK             the key is in the trie; the value is returned
 *   L2W_ERR_NOT_FOUND  a valid proof that the key is absent
 *   L2W_ERR_PROTOCOL   the proof does not prove anything: err names the node
 *                      index (0 = root) and the fault (hash mismatch,
 *                      malformed node, proof too short, nodes left over)
 *   L2W_ERR_INVALID    the caller's own arguments are unusable */

/* One RLP-encoded node, not owned: the caller keeps the bytes alive. */
typedef struct {
    const uint8_t *data;
    size_t len;
} l2w_mpt_node;

/* A path of 64 nibbles has at most 65 nodes referenced by hash; more can
 * never verify, so callers may refuse longer proofs before decoding them. */
#define L2W_MPT_MAX_PROOF_NODES 65
/* A full branch node is 532 bytes; leaves of the state and storage tries are
 * smaller. Anything much bigger in a state proof is garbage. */
#define L2W_MPT_MAX_NODE_LEN 1024

/* keccak256(rlp("")): the root of a trie with no keys. */
extern const l2w_hash l2w_mpt_empty_root;
/* keccak256(""): the code hash of an account without code. */
extern const l2w_hash l2w_mpt_empty_code_hash;

/* Verify a proof for the raw key key[0..key_len) (the trie path is the key's
 * nibbles). On L2W_OK, *value points at the leaf's value bytes inside nodes
 * (valid while the caller's node bytes are) and *value_len is its length. */
L2W_MUST_CHECK l2w_status l2w_mpt_verify(const uint8_t **value, size_t *value_len, const l2w_hash *root,
                                         const uint8_t *key, size_t key_len, const l2w_mpt_node *nodes,
                                         size_t n_nodes, l2w_err *err);

/* The same for a secure trie (the state and storage tries), whose path is
 * keccak256(key). */
L2W_MUST_CHECK l2w_status l2w_mpt_verify_secure(const uint8_t **value, size_t *value_len, const l2w_hash *root,
                                                const uint8_t *key, size_t key_len, const l2w_mpt_node *nodes,
                                                size_t n_nodes, l2w_err *err);

/* An account as the state trie holds it. An account absent from the trie is
 * the empty account (exists = false, nonce 0, balance 0, empty storage root,
 * empty code hash), as Ethereum treats it. */
typedef struct {
    bool exists;
    uint64_t nonce;
    l2w_u256 balance;
    l2w_hash storage_root;
    l2w_hash code_hash;
} l2w_mpt_account;

/* Verify an account proof against a state root. Absence is L2W_OK with
 * out->exists = false; a malformed account leaf is L2W_ERR_PROTOCOL. */
L2W_MUST_CHECK l2w_status l2w_mpt_verify_account(l2w_mpt_account *out, const l2w_hash *state_root,
                                                 const l2w_addr *address, const l2w_mpt_node *nodes,
                                                 size_t n_nodes, l2w_err *err);

/* Verify a storage proof for the 32-byte slot against an account's storage
 * root. An absent slot is L2W_OK with *out = 0, and so is a leaf holding
 * zero (anvil keeps cleared slots as such leaves). */
L2W_MUST_CHECK l2w_status l2w_mpt_verify_storage(l2w_u256 *out, const l2w_hash *storage_root,
                                                 const l2w_hash *slot, const l2w_mpt_node *nodes, size_t n_nodes,
                                                 l2w_err *err);

#endif
