#include "responder/signer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "core/hex.h"
#include "core/secp.h"
#include "responder/signer_key.h"
#include "responder/signer_remote.h"

/* A local key lives in its own page, locked out of swap and left out of core
 * dumps, and is wiped before the page is returned. */
typedef struct {
    uint8_t key[32];
} key_page;

struct l2w_signer {
    char name[40];
    l2w_addr address;
    key_page *local;            /* NULL for a remote signer */
    l2w_remote_signer *remote;  /* NULL for a local signer */
};

static l2w_status key_page_new(key_page **out, l2w_err *err)
{
    void *p = mmap(NULL, sizeof(key_page), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        l2w_err_set(err, "cannot map memory for a key");
        return L2W_ERR_NOMEM;
    }
    /* Both are best effort: an unprivileged container may refuse mlock. */
    (void)mlock(p, sizeof(key_page));
    (void)madvise(p, sizeof(key_page), MADV_DONTDUMP);
    *out = p;
    return L2W_OK;
}

static void key_page_free(key_page *k)
{
    if (!k)
        return;
    l2w_wipe(k->key, sizeof k->key);
    munlock(k, sizeof *k);
    munmap(k, sizeof *k);
}

static l2w_status open_local(l2w_signer *s, const l2w_signer_config *cfg, l2w_err *err)
{
    l2w_status st = key_page_new(&s->local, err);
    if (st != L2W_OK)
        return st;
    st = cfg->source == L2W_SIGNER_KEY_FILE ? l2w_key_load_file(s->local->key, cfg->key_file, err)
                                            : l2w_key_load_env(s->local->key, cfg->key_env, err);
    if (st == L2W_OK && l2w_secp_address(&s->address, s->local->key, err) != L2W_OK) {
        l2w_err_set(err, "the key is not a valid secp256k1 private key");
        st = L2W_ERR_CONFIG;
    }
    if (st == L2W_OK && cfg->has_address && !l2w_addr_eq(&cfg->address, &s->address)) {
        char want[L2W_ADDR_HEX_LEN], got[L2W_ADDR_HEX_LEN];
        l2w_addr_to_hex(want, &cfg->address);
        l2w_addr_to_hex(got, &s->address);
        l2w_err_set(err, "the key belongs to %s, but address: says %s", got, want);
        st = L2W_ERR_CONFIG;
    }
    return st;
}

l2w_status l2w_signer_open(l2w_signer **out, const l2w_signer_config *cfg, l2w_err *err)
{
    l2w_signer *s = calloc(1, sizeof *s);
    if (!s) {
        l2w_err_set(err, "signer %s: out of memory", cfg->name);
        return L2W_ERR_NOMEM;
    }
    snprintf(s->name, sizeof s->name, "%s", cfg->name);
    l2w_status st;
    if (cfg->source == L2W_SIGNER_REMOTE) {
        s->address = cfg->address;
        st = l2w_remote_signer_create(&s->remote, cfg->remote_url, &cfg->address, err);
    } else {
        st = open_local(s, cfg, err);
    }
    if (st != L2W_OK) {
        l2w_err_prefix(err, "signer %s", cfg->name);
        l2w_signer_close(s);
        return st;
    }
    *out = s;
    return L2W_OK;
}

void l2w_signer_close(l2w_signer *s)
{
    if (!s)
        return;
    key_page_free(s->local);
    l2w_remote_signer_destroy(s->remote);
    free(s);
}

const char *l2w_signer_name(const l2w_signer *s)
{
    return s->name;
}

const l2w_addr *l2w_signer_address(const l2w_signer *s)
{
    return &s->address;
}

l2w_status l2w_signer_sign_tx(l2w_signer *s, const l2w_tx *tx, l2w_bytes *raw, l2w_hash *hash, l2w_err *err)
{
    l2w_status st = s->remote ? l2w_remote_signer_sign_tx(s->remote, tx, raw, hash, err)
                              : l2w_tx_sign(raw, hash, tx, s->local->key, err);
    if (st != L2W_OK)
        l2w_err_prefix(err, "signer %s", s->name);
    return st;
}

l2w_status l2w_signer_sign_digest(l2w_signer *s, uint8_t out[65], const l2w_hash *digest, l2w_err *err)
{
    if (s->remote) {
        l2w_err_set(err, "signer %s: a remote signer signs transactions only", s->name);
        return L2W_ERR_CONFIG;
    }
    l2w_signature sig;
    l2w_status st = l2w_secp_sign(&sig, s->local->key, digest->b, err);
    if (st != L2W_OK) {
        l2w_err_prefix(err, "signer %s", s->name);
        return st;
    }
    memcpy(out, sig.r, 32);
    memcpy(out + 32, sig.s, 32);
    out[64] = (uint8_t)(27 + sig.recid);
    return L2W_OK;
}

l2w_status l2w_signers_open(l2w_signers *out, const l2w_config *cfg, l2w_err *err)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < cfg->n_signers; i++) {
        l2w_status st = l2w_signer_open(&out->items[i], &cfg->signers[i], err);
        if (st != L2W_OK) {
            l2w_signers_close(out);
            return st;
        }
        out->n = i + 1;
    }
    return L2W_OK;
}

void l2w_signers_close(l2w_signers *s)
{
    for (size_t i = 0; i < s->n; i++)
        l2w_signer_close(s->items[i]);
    s->n = 0;
}

l2w_signer *l2w_signers_find(const l2w_signers *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->items[i]->name, name) == 0)
            return s->items[i];
    return NULL;
}
