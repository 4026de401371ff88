#ifndef L2W_TEST_TRIE_BUILDER_H
#define L2W_TEST_TRIE_BUILDER_H

/* TEST ONLY: an in-memory Merkle-Patricia trie that computes its root and
 * hands out proofs in eth_getProof's shape, so the verifier in core/mpt.c can
 * be checked against tries whose contents the test knows. It favours being
 * obviously right over being fast: it keeps the sorted (key, value) set and
 * rebuilds the node tree from it, since a trie's shape depends only on that
 * set, never on the order of insertions and deletions. */

#include <stddef.h>
#include <stdint.h>

#include "core/mpt.h"
#include "core/status.h"

typedef struct test_trie test_trie;

/* NULL on allocation failure. Keys are raw (the caller hashes them for a
 * secure trie). */
test_trie *test_trie_create(void);
void test_trie_destroy(test_trie *t);

/* Sets key to value (copied); value_len 0 deletes the key, as Ethereum's
 * tries treat an empty value. Keys longer than TEST_TRIE_MAX_KEY bytes are
 * L2W_ERR_RANGE. */
#define TEST_TRIE_MAX_KEY 128
L2W_MUST_CHECK l2w_status test_trie_put(test_trie *t, const uint8_t *key, size_t key_len, const uint8_t *value,
                                        size_t value_len);

L2W_MUST_CHECK l2w_status test_trie_root(test_trie *t, l2w_hash *root);

/* The hashed nodes on key's path, root first; embedded nodes stay inside
 * their parent. The node bytes belong to the trie and stay valid until the
 * next test_trie_put or test_trie_destroy. An empty trie gives no nodes.
 * L2W_ERR_RANGE if more than cap nodes. */
L2W_MUST_CHECK l2w_status test_trie_prove(test_trie *t, const uint8_t *key, size_t key_len, l2w_mpt_node *nodes,
                                          size_t cap, size_t *n_nodes);

/* How many keys the trie holds. */
size_t test_trie_size(const test_trie *t);

#endif
