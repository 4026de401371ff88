#include "core/mpt.h"

#include <stdio.h>
#include <string.h>

#include "core/hex.h"
#include "core/keccak.h"
#include "core/rlp.h"

enum { BRANCH_ITEMS = 17, SHORT_ITEMS = 2, BRANCH_VALUE = 16 };

const l2w_hash l2w_mpt_empty_root = {{0x56, 0xe8, 0x1f, 0x17, 0x1b, 0xcc, 0x55, 0xa6, 0xff, 0x83, 0x45,
                                      0xe6, 0x92, 0xc0, 0xf8, 0x6e, 0x5b, 0x48, 0xe0, 0x1b, 0x99, 0x6c,
                                      0xad, 0xc0, 0x01, 0x62, 0x2f, 0xb5, 0xe3, 0x63, 0xb4, 0x21}};
const l2w_hash l2w_mpt_empty_code_hash = {{0xc5, 0xd2, 0x46, 0x01, 0x86, 0xf7, 0x23, 0x3c, 0x92, 0x7e, 0x7d,
                                           0xb2, 0xdc, 0xc7, 0x03, 0xc0, 0xe5, 0x00, 0xb6, 0x53, 0xca, 0x82,
                                           0x27, 0x3b, 0x7b, 0xfa, 0xd8, 0x04, 0x5d, 0x85, 0xa4, 0x70}};

/* Where the walk is: the key's nibbles, how many are consumed, and which
 * proof node holds the node being read (inline nodes live inside it). */
typedef struct {
    const uint8_t *key;
    size_t key_nibbles;
    size_t pos;
    const l2w_mpt_node *nodes;
    size_t n_nodes;
    size_t index;
    bool inlined;
} walk_state;

static unsigned nibble_at(const uint8_t *bytes, size_t i)
{
    return (i % 2 == 0) ? bytes[i / 2] >> 4 : bytes[i / 2] & 0x0f;
}

/* Every fault names the proof node it is in, so a bad answer can be traced. */
static l2w_status fault(walk_state *w, l2w_err *err, const char *why)
{
    l2w_err_set(err, "mpt proof: node %zu%s: %s", w->index, w->inlined ? " (in a node embedded in it)" : "",
                why);
    return L2W_ERR_PROTOCOL;
}

static l2w_status load_hashed(walk_state *w, l2w_rlp_item *node, const uint8_t *expect, l2w_err *err)
{
    const l2w_mpt_node *n = &w->nodes[w->index];
    w->inlined = false;
    if (!n->data || n->len == 0)
        return fault(w, err, "empty node");
    uint8_t got[32];
    l2w_keccak256(got, n->data, n->len);
    if (memcmp(got, expect, 32) != 0) {
        char want_hex[L2W_HASH_HEX_LEN], got_hex[L2W_HASH_HEX_LEN], why[200];
        l2w_hex_encode(want_hex, expect, 32);
        l2w_hex_encode(got_hex, got, 32);
        snprintf(why, sizeof why, "hashes to %s, but %s commits to %s", got_hex,
                 w->index == 0 ? "the root" : "its parent", want_hex);
        return fault(w, err, why);
    }
    /* The root is hashed whatever its size; any other node under 32 bytes
     * is embedded in its parent, so a hash reference to one is not a trie. */
    if (w->index > 0 && n->len < 32)
        return fault(w, err, "a node under 32 bytes referenced by hash instead of embedded");
    l2w_err rlp_err;
    if (l2w_rlp_decode(node, n->data, n->len, &rlp_err) != L2W_OK)
        return fault(w, err, rlp_err.msg);
    return L2W_OK;
}

/* A child slot holds nothing (empty string), a 32-byte hash, or a node
 * embedded whole because its encoding is under 32 bytes. */
static bool valid_reference(const l2w_rlp_item *ref)
{
    if (ref->is_list)
        return ref->raw_len < 32;
    return ref->len == 0 || ref->len == 32;
}

static bool is_empty_ref(const l2w_rlp_item *ref)
{
    return !ref->is_list && ref->len == 0;
}

/* Compact (hex-prefix) path of an extension or leaf: the first nibble's
 * bit 1 marks a leaf, bit 0 an odd nibble count whose first nibble shares
 * the flag byte; an even path pads that byte's low nibble with zero. */
typedef struct {
    const uint8_t *bytes;
    size_t first; /* nibble index in bytes where the path starts */
    size_t count;
    bool leaf;
} hp_path;

static l2w_status decode_hp(walk_state *w, hp_path *out, const l2w_rlp_item *it, l2w_err *err)
{
    if (it->is_list || it->len == 0)
        return fault(w, err, "path of a short node is not a non-empty string");
    unsigned flag = it->p[0] >> 4;
    if (flag > 3)
        return fault(w, err, "hex-prefix flag nibble above 3");
    bool odd = flag & 1;
    if (!odd && (it->p[0] & 0x0f) != 0)
        return fault(w, err, "even hex-prefix path with a non-zero pad nibble");
    out->bytes = it->p;
    out->first = odd ? 1 : 2;
    out->count = 2 * (it->len - 1) + (odd ? 1 : 0);
    out->leaf = flag & 2;
    return L2W_OK;
}

/* Does the node's path continue the key from w->pos? exact also demands
 * that it ends the key. */
static bool path_matches(const walk_state *w, const hp_path *hp, bool exact)
{
    size_t left = w->key_nibbles - w->pos;
    if (hp->count > left || (exact && hp->count != left))
        return false;
    for (size_t i = 0; i < hp->count; i++)
        if (nibble_at(hp->bytes, hp->first + i) != nibble_at(w->key, w->pos + i))
            return false;
    return true;
}

typedef enum { STEP_FOLLOW, STEP_FOUND, STEP_ABSENT } step_result;

static l2w_status step_branch(walk_state *w, const l2w_rlp_item *items, l2w_rlp_item *child,
                              l2w_rlp_item *value, step_result *res, l2w_err *err)
{
    for (int i = 0; i < 16; i++)
        if (!valid_reference(&items[i]))
            return fault(w, err, "branch child is neither empty, a hash, nor an embedded node under 32 bytes");
    if (items[BRANCH_VALUE].is_list)
        return fault(w, err, "branch value is a list");
    if (w->pos == w->key_nibbles) {
        *value = items[BRANCH_VALUE];
        *res = value->len ? STEP_FOUND : STEP_ABSENT;
        return L2W_OK;
    }
    *child = items[nibble_at(w->key, w->pos)];
    w->pos++;
    *res = STEP_FOLLOW;
    return L2W_OK;
}

static l2w_status step_short(walk_state *w, const l2w_rlp_item *items, l2w_rlp_item *child, l2w_rlp_item *value,
                             step_result *res, l2w_err *err)
{
    hp_path hp;
    l2w_status st = decode_hp(w, &hp, &items[0], err);
    if (st != L2W_OK)
        return st;
    if (hp.leaf) {
        if (items[1].is_list || items[1].len == 0)
            return fault(w, err, "leaf value is not a non-empty string");
        /* A leaf on the key's way whose path differs proves the key absent:
         * the key would have to live where this leaf is. */
        *res = path_matches(w, &hp, true) ? STEP_FOUND : STEP_ABSENT;
        *value = items[1];
        return L2W_OK;
    }
    if (hp.count == 0)
        return fault(w, err, "extension with an empty path");
    if (!valid_reference(&items[1]) || is_empty_ref(&items[1]))
        return fault(w, err, "extension child is neither a hash nor an embedded node under 32 bytes");
    if (!path_matches(w, &hp, false)) {
        *res = STEP_ABSENT;
        return L2W_OK;
    }
    w->pos += hp.count;
    *child = items[1];
    *res = STEP_FOLLOW;
    return L2W_OK;
}

/* Reads one node (hashed or embedded) and says where the key goes next. */
static l2w_status step(walk_state *w, const l2w_rlp_item *node, l2w_rlp_item *child, l2w_rlp_item *value,
                       step_result *res, l2w_err *err)
{
    if (!node->is_list) {
        /* rlp("") is the whole trie when it has no keys. */
        if (node->len == 0 && w->index == 0 && !w->inlined) {
            *res = STEP_ABSENT;
            return L2W_OK;
        }
        return fault(w, err, "node is a string, not a list");
    }
    l2w_rlp_item items[BRANCH_ITEMS];
    size_t count;
    l2w_err rlp_err;
    l2w_status st = l2w_rlp_list_items(node, items, BRANCH_ITEMS, &count, &rlp_err);
    if (st != L2W_OK)
        return fault(w, err, rlp_err.msg);
    if (count == BRANCH_ITEMS)
        return step_branch(w, items, child, value, res, err);
    if (count == SHORT_ITEMS)
        return step_short(w, items, child, value, res, err);
    char why[64];
    snprintf(why, sizeof why, "list of %zu items; a node has 2 or 17", count);
    return fault(w, err, why);
}

static l2w_status follow(walk_state *w, const l2w_rlp_item *child, l2w_rlp_item *node, l2w_err *err)
{
    if (child->is_list) {
        *node = *child;
        w->inlined = true;
        return L2W_OK;
    }
    if (w->index + 1 >= w->n_nodes)
        return fault(w, err, "proof ends here, but the key's path goes on to a node referenced by hash");
    w->index++;
    return load_hashed(w, node, child->p, err);
}

static l2w_status walk(const uint8_t **value_out, size_t *value_len, walk_state *w, const l2w_hash *root,
                       l2w_err *err)
{
    if (w->n_nodes == 0) {
        if (l2w_hash_eq(root, &l2w_mpt_empty_root)) {
            l2w_err_set(err, "mpt proof: key absent (the trie is empty)");
            return L2W_ERR_NOT_FOUND;
        }
        l2w_err_set(err, "mpt proof: no nodes, but the root is not the empty trie's");
        return L2W_ERR_PROTOCOL;
    }
    l2w_rlp_item node, child, value;
    l2w_status st = load_hashed(w, &node, root->b, err);
    step_result res = STEP_FOLLOW;
    while (st == L2W_OK) {
        st = step(w, &node, &child, &value, &res, err);
        if (st != L2W_OK || res != STEP_FOLLOW)
            break;
        if (is_empty_ref(&child)) {
            res = STEP_ABSENT;
            break;
        }
        st = follow(w, &child, &node, err);
    }
    if (st != L2W_OK)
        return st;
    if (w->index + 1 < w->n_nodes) {
        char why[96];
        snprintf(why, sizeof why, "the key's path ends here, but %zu more node(s) follow", w->n_nodes - w->index - 1);
        return fault(w, err, why);
    }
    if (res == STEP_ABSENT) {
        l2w_err_set(err, "mpt proof: key absent (proof of absence checked)");
        return L2W_ERR_NOT_FOUND;
    }
    *value_out = value.p;
    *value_len = value.len;
    return L2W_OK;
}

l2w_status l2w_mpt_verify(const uint8_t **value, size_t *value_len, const l2w_hash *root, const uint8_t *key,
                          size_t key_len, const l2w_mpt_node *nodes, size_t n_nodes, l2w_err *err)
{
    if ((!key && key_len) || (!nodes && n_nodes) || key_len > SIZE_MAX / 2) {
        l2w_err_set(err, "mpt proof: bad arguments");
        return L2W_ERR_INVALID;
    }
    walk_state w = {key, 2 * key_len, 0, nodes, n_nodes, 0, false};
    return walk(value, value_len, &w, root, err);
}

l2w_status l2w_mpt_verify_secure(const uint8_t **value, size_t *value_len, const l2w_hash *root,
                                 const uint8_t *key, size_t key_len, const l2w_mpt_node *nodes, size_t n_nodes,
                                 l2w_err *err)
{
    if (!key && key_len) {
        l2w_err_set(err, "mpt proof: bad arguments");
        return L2W_ERR_INVALID;
    }
    uint8_t path[32];
    l2w_keccak256(path, key, key_len);
    return l2w_mpt_verify(value, value_len, root, path, sizeof path, nodes, n_nodes, err);
}
