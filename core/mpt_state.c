/* The state and storage tries' leaves: what the value bytes a proof yields
 * mean, and what absence means (the empty account, the zero slot). */
#include "core/mpt.h"

#include <string.h>

#include "core/rlp.h"

enum { ACCOUNT_FIELDS = 4 };

static l2w_status get_hash_field(l2w_hash *out, const l2w_rlp_item *it, const char *name, l2w_err *err)
{
    if (it->is_list || it->len != 32) {
        l2w_err_set(err, "%s is not 32 bytes", name);
        return L2W_ERR_INVALID;
    }
    memcpy(out->b, it->p, 32);
    return L2W_OK;
}

/* rlp([nonce, balance, storageRoot, codeHash]) */
static l2w_status decode_account(l2w_mpt_account *out, const uint8_t *value, size_t len, l2w_err *err)
{
    l2w_rlp_item list, f[ACCOUNT_FIELDS];
    size_t n;
    l2w_status st = l2w_rlp_decode(&list, value, len, err);
    if (st == L2W_OK)
        st = l2w_rlp_list_items(&list, f, ACCOUNT_FIELDS, &n, err);
    if (st == L2W_OK && n != ACCOUNT_FIELDS) {
        l2w_err_set(err, "%zu fields instead of 4", n);
        st = L2W_ERR_INVALID;
    }
    if (st == L2W_OK)
        st = l2w_rlp_get_u64(&f[0], &out->nonce, err);
    if (st == L2W_OK)
        st = l2w_rlp_get_u256(&f[1], &out->balance, err);
    if (st == L2W_OK)
        st = get_hash_field(&out->storage_root, &f[2], "storage root", err);
    if (st == L2W_OK)
        st = get_hash_field(&out->code_hash, &f[3], "code hash", err);
    return st;
}

static void empty_account(l2w_mpt_account *out)
{
    out->exists = false;
    out->nonce = 0;
    out->balance = l2w_u256_from_u64(0);
    out->storage_root = l2w_mpt_empty_root;
    out->code_hash = l2w_mpt_empty_code_hash;
}

l2w_status l2w_mpt_verify_account(l2w_mpt_account *out, const l2w_hash *state_root, const l2w_addr *address,
                                  const l2w_mpt_node *nodes, size_t n_nodes, l2w_err *err)
{
    const uint8_t *value;
    size_t len;
    l2w_status st = l2w_mpt_verify_secure(&value, &len, state_root, address->b, sizeof address->b, nodes,
                                          n_nodes, err);
    if (st == L2W_ERR_NOT_FOUND) {
        empty_account(out);
        return L2W_OK;
    }
    if (st != L2W_OK)
        return st;
    /* The leaf is under the proven root, so a bad account in it means the
     * proof is of some other trie, not of Ethereum state. */
    if (decode_account(out, value, len, err) != L2W_OK) {
        l2w_err_prefix(err, "mpt proof: account leaf");
        return L2W_ERR_PROTOCOL;
    }
    out->exists = true;
    return L2W_OK;
}

l2w_status l2w_mpt_verify_storage(l2w_u256 *out, const l2w_hash *storage_root, const l2w_hash *slot,
                                  const l2w_mpt_node *nodes, size_t n_nodes, l2w_err *err)
{
    const uint8_t *value;
    size_t len;
    l2w_status st =
        l2w_mpt_verify_secure(&value, &len, storage_root, slot->b, sizeof slot->b, nodes, n_nodes, err);
    if (st == L2W_ERR_NOT_FOUND) {
        *out = l2w_u256_from_u64(0);
        return L2W_OK;
    }
    if (st != L2W_OK)
        return st;
    l2w_rlp_item item;
    st = l2w_rlp_decode(&item, value, len, err);
    if (st == L2W_OK)
        st = l2w_rlp_get_u256(&item, out, err);
    /* Ethereum deletes a slot set to zero, so geth and reth never prove a
     * zero leaf; anvil (1.7) keeps one in its tries. The root commits to it
     * all the same, so it proves zero, which is the slot's value. */
    if (st != L2W_OK) {
        l2w_err_prefix(err, "mpt proof: storage leaf");
        return L2W_ERR_PROTOCOL;
    }
    return L2W_OK;
}
