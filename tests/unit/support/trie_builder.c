#include "tests/unit/support/trie_builder.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "core/keccak.h"
#include "core/rlp.h"

typedef struct {
    uint8_t *key;
    size_t key_len;
    uint8_t *value;
    size_t value_len;
} kv_pair;

typedef enum { NODE_LEAF, NODE_EXTENSION, NODE_BRANCH } node_kind;

typedef struct tnode {
    node_kind kind;
    struct tnode *child[16]; /* branch children; child[0] is an extension's child */
    const kv_pair *value;    /* leaf value, or a branch's own value (may be NULL) */
    size_t path_from;        /* extension / leaf path: nibbles [path_from, path_to) of */
    size_t path_to;          /* ... the key of pair path_key */
    const kv_pair *path_key;
    l2w_bytes enc;
} tnode;

struct test_trie {
    kv_pair *pairs; /* sorted by key bytes, which is nibble order too */
    size_t n, cap;
    tnode *root;    /* built lazily, dropped by every put */
};

static unsigned nib(const uint8_t *key, size_t i)
{
    return (i % 2 == 0) ? key[i / 2] >> 4 : key[i / 2] & 0x0f;
}

static void free_tree(tnode *n)
{
    if (!n)
        return;
    for (int i = 0; i < 16; i++)
        free_tree(n->child[i]);
    l2w_bytes_free(&n->enc);
    free(n);
}

test_trie *test_trie_create(void)
{
    return calloc(1, sizeof(test_trie));
}

void test_trie_destroy(test_trie *t)
{
    if (!t)
        return;
    free_tree(t->root);
    for (size_t i = 0; i < t->n; i++) {
        free(t->pairs[i].key);
        free(t->pairs[i].value);
    }
    free(t->pairs);
    free(t);
}

size_t test_trie_size(const test_trie *t)
{
    return t->n;
}

static int key_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    size_t m = alen < blen ? alen : blen;
    int c = m ? memcmp(a, b, m) : 0;
    if (c)
        return c;
    return alen < blen ? -1 : alen > blen ? 1 : 0;
}

/* Index of key, or where it would go; *found says which. */
static size_t find(const test_trie *t, const uint8_t *key, size_t key_len, bool *found)
{
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = key_cmp(t->pairs[mid].key, t->pairs[mid].key_len, key, key_len);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = false;
    return lo;
}

static uint8_t *dup_bytes(const uint8_t *p, size_t n)
{
    uint8_t *d = malloc(n ? n : 1);
    if (d && n)
        memcpy(d, p, n);
    return d;
}

l2w_status test_trie_put(test_trie *t, const uint8_t *key, size_t key_len, const uint8_t *value, size_t value_len)
{
    if (key_len > TEST_TRIE_MAX_KEY)
        return L2W_ERR_RANGE;
    free_tree(t->root);
    t->root = NULL;
    bool found;
    size_t at = find(t, key, key_len, &found);
    if (value_len == 0) {
        if (found) {
            free(t->pairs[at].key);
            free(t->pairs[at].value);
            memmove(&t->pairs[at], &t->pairs[at + 1], (t->n - at - 1) * sizeof *t->pairs);
            t->n--;
        }
        return L2W_OK;
    }
    uint8_t *v = dup_bytes(value, value_len);
    if (!v)
        return L2W_ERR_NOMEM;
    if (found) {
        free(t->pairs[at].value);
        t->pairs[at].value = v;
        t->pairs[at].value_len = value_len;
        return L2W_OK;
    }
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 16;
        kv_pair *np = realloc(t->pairs, cap * sizeof *np);
        if (!np) {
            free(v);
            return L2W_ERR_NOMEM;
        }
        t->pairs = np;
        t->cap = cap;
    }
    uint8_t *k = dup_bytes(key, key_len);
    if (!k) {
        free(v);
        return L2W_ERR_NOMEM;
    }
    memmove(&t->pairs[at + 1], &t->pairs[at], (t->n - at) * sizeof *t->pairs);
    t->pairs[at] = (kv_pair){k, key_len, v, value_len};
    t->n++;
    return L2W_OK;
}

/* ---- building the node tree ---- */

static void put_hex_prefix(l2w_bytes *out, const tnode *n, bool leaf)
{
    size_t count = n->path_to - n->path_from;
    bool odd = count % 2;
    uint8_t buf[1 + TEST_TRIE_MAX_KEY];
    size_t len = 0, i = n->path_from;
    unsigned flag = (leaf ? 2u : 0u) + (odd ? 1u : 0u);
    buf[len++] = (uint8_t)((flag << 4) | (odd ? nib(n->path_key->key, i++) : 0));
    for (; i < n->path_to; i += 2)
        buf[len++] = (uint8_t)((nib(n->path_key->key, i) << 4) | nib(n->path_key->key, i + 1));
    l2w_rlp_put_bytes(out, buf, len);
}

/* How a parent refers to a child: embedded when under 32 bytes, else by hash. */
static void put_reference(l2w_bytes *out, const tnode *child)
{
    if (!child) {
        l2w_rlp_put_bytes(out, NULL, 0);
    } else if (child->enc.len < 32) {
        l2w_rlp_put_raw(out, child->enc.data, child->enc.len);
    } else {
        uint8_t h[32];
        l2w_keccak256(h, child->enc.data, child->enc.len);
        l2w_rlp_put_bytes(out, h, 32);
    }
}

static void encode(tnode *n)
{
    size_t list = l2w_rlp_list_begin(&n->enc);
    switch (n->kind) {
    case NODE_LEAF:
        put_hex_prefix(&n->enc, n, true);
        l2w_rlp_put_bytes(&n->enc, n->value->value, n->value->value_len);
        break;
    case NODE_EXTENSION:
        put_hex_prefix(&n->enc, n, false);
        put_reference(&n->enc, n->child[0]);
        break;
    case NODE_BRANCH:
        for (int i = 0; i < 16; i++)
            put_reference(&n->enc, n->child[i]);
        l2w_rlp_put_bytes(&n->enc, n->value ? n->value->value : NULL, n->value ? n->value->value_len : 0);
        break;
    }
    l2w_rlp_list_end(&n->enc, list);
}

static tnode *build(const kv_pair *p, size_t lo, size_t hi, size_t depth);

static tnode *build_branch(const kv_pair *p, size_t lo, size_t hi, size_t depth)
{
    tnode *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    n->kind = NODE_BRANCH;
    /* Sorted order puts a key that ends here first. */
    if (2 * p[lo].key_len == depth)
        n->value = &p[lo++];
    while (lo < hi) {
        unsigned d = nib(p[lo].key, depth);
        size_t end = lo;
        while (end < hi && nib(p[end].key, depth) == d)
            end++;
        n->child[d] = build(p, lo, end, depth + 1);
        if (!n->child[d]) {
            free_tree(n);
            return NULL;
        }
        lo = end;
    }
    encode(n);
    return n;
}

/* The node for pairs [lo, hi), all sharing their first depth nibbles. */
static tnode *build(const kv_pair *p, size_t lo, size_t hi, size_t depth)
{
    if (hi - lo == 1) {
        tnode *leaf = calloc(1, sizeof *leaf);
        if (!leaf)
            return NULL;
        *leaf = (tnode){.kind = NODE_LEAF, .value = &p[lo], .path_from = depth, .path_to = 2 * p[lo].key_len,
                        .path_key = &p[lo]};
        encode(leaf);
        return leaf;
    }
    /* Keys are sorted, so what the first and last share, all share. */
    const kv_pair *a = &p[lo], *b = &p[hi - 1];
    size_t end = 2 * (a->key_len < b->key_len ? a->key_len : b->key_len), common = depth;
    while (common < end && nib(a->key, common) == nib(b->key, common))
        common++;
    if (common == depth)
        return build_branch(p, lo, hi, depth);
    tnode *ext = calloc(1, sizeof *ext);
    if (!ext)
        return NULL;
    *ext = (tnode){.kind = NODE_EXTENSION, .path_from = depth, .path_to = common, .path_key = a};
    ext->child[0] = build_branch(p, lo, hi, common);
    if (!ext->child[0]) {
        free(ext);
        return NULL;
    }
    encode(ext);
    return ext;
}

static bool tree_ok(const tnode *n)
{
    if (!n)
        return true;
    for (int i = 0; i < 16; i++)
        if (!tree_ok(n->child[i]))
            return false;
    return l2w_bytes_status(&n->enc) == L2W_OK;
}

static l2w_status ensure_tree(test_trie *t)
{
    if (t->root || t->n == 0)
        return L2W_OK;
    t->root = build(t->pairs, 0, t->n, 0);
    if (!t->root || !tree_ok(t->root)) {
        free_tree(t->root);
        t->root = NULL;
        return L2W_ERR_NOMEM;
    }
    return L2W_OK;
}

l2w_status test_trie_root(test_trie *t, l2w_hash *root)
{
    l2w_status st = ensure_tree(t);
    if (st != L2W_OK)
        return st;
    if (!t->root) {
        *root = l2w_mpt_empty_root;
        return L2W_OK;
    }
    l2w_keccak256(root->b, t->root->enc.data, t->root->enc.len);
    return L2W_OK;
}

static bool path_continues(const tnode *n, const uint8_t *key, size_t key_nibbles, size_t pos)
{
    size_t count = n->path_to - n->path_from;
    if (count > key_nibbles - pos)
        return false;
    for (size_t i = 0; i < count; i++)
        if (nib(n->path_key->key, n->path_from + i) != nib(key, pos + i))
            return false;
    return true;
}

l2w_status test_trie_prove(test_trie *t, const uint8_t *key, size_t key_len, l2w_mpt_node *nodes, size_t cap,
                           size_t *n_nodes)
{
    l2w_status st = ensure_tree(t);
    if (st != L2W_OK)
        return st;
    size_t count = 0, pos = 0, key_nibbles = 2 * key_len;
    for (const tnode *n = t->root; n;) {
        if (n == t->root || n->enc.len >= 32) {
            if (count == cap)
                return L2W_ERR_RANGE;
            nodes[count++] = (l2w_mpt_node){n->enc.data, n->enc.len};
        }
        const tnode *next = NULL;
        switch (n->kind) {
        case NODE_LEAF:
            break;
        case NODE_EXTENSION:
            if (path_continues(n, key, key_nibbles, pos)) {
                pos += n->path_to - n->path_from;
                next = n->child[0];
            }
            break;
        case NODE_BRANCH:
            if (pos < key_nibbles)
                next = n->child[nib(key, pos++)];
            break;
        }
        n = next;
    }
    *n_nodes = count;
    return L2W_OK;
}
