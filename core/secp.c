#include "core/secp.h"

#include <errno.h>
#include <pthread.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>
#include <string.h>
#include <sys/random.h>

#include "core/bytes.h"
#include "core/keccak.h"

const uint8_t l2w_secp_order[32] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                    0xff, 0xff, 0xff, 0xff, 0xfe, 0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48,
                                    0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};
const uint8_t l2w_secp_half_order[32] = {0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                         0xff, 0xff, 0xff, 0xff, 0xff, 0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4,
                                         0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0};

/* The thread's context lives in a _Thread_local for quick access and in a
 * pthread key only so that its destructor runs when the thread exits. */
static _Thread_local secp256k1_context *tls_ctx;
static pthread_key_t ctx_key;
static pthread_once_t ctx_key_once = PTHREAD_ONCE_INIT;
static int ctx_key_ok;

static void destroy_ctx(void *ctx)
{
    secp256k1_context_destroy(ctx);
}

static void make_key(void)
{
    ctx_key_ok = pthread_key_create(&ctx_key, destroy_ctx) == 0;
}

static l2w_status fill_random(uint8_t *buf, size_t len, l2w_err *err)
{
    size_t got = 0;
    while (got < len) {
        ssize_t n = getrandom(buf + got, len - got, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            l2w_err_set(err, "secp: getrandom failed: %s", strerror(errno));
            return L2W_ERR_IO;
        }
        got += (size_t)n;
    }
    return L2W_OK;
}

static l2w_status new_ctx(secp256k1_context **out, l2w_err *err)
{
    uint8_t seed[32];
    l2w_status st = fill_random(seed, sizeof seed, err);
    if (st != L2W_OK)
        return st;
    secp256k1_context *ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    if (!ctx) {
        l2w_wipe(seed, sizeof seed);
        l2w_err_set(err, "secp: cannot allocate a context");
        return L2W_ERR_NOMEM;
    }
    int ok = secp256k1_context_randomize(ctx, seed);
    l2w_wipe(seed, sizeof seed);
    if (!ok) {
        secp256k1_context_destroy(ctx);
        l2w_err_set(err, "secp: context randomization failed");
        return L2W_ERR_INVALID;
    }
    *out = ctx;
    return L2W_OK;
}

static l2w_status thread_ctx(secp256k1_context **out, l2w_err *err)
{
    if (tls_ctx) {
        *out = tls_ctx;
        return L2W_OK;
    }
    if (pthread_once(&ctx_key_once, make_key) != 0 || !ctx_key_ok) {
        l2w_err_set(err, "secp: cannot create the per-thread context key");
        return L2W_ERR_NOMEM;
    }
    secp256k1_context *ctx;
    l2w_status st = new_ctx(&ctx, err);
    if (st != L2W_OK)
        return st;
    if (pthread_setspecific(ctx_key, ctx) != 0) {
        secp256k1_context_destroy(ctx);
        l2w_err_set(err, "secp: cannot register the per-thread context");
        return L2W_ERR_NOMEM;
    }
    tls_ctx = ctx;
    *out = ctx;
    return L2W_OK;
}

void l2w_secp_thread_cleanup(void)
{
    if (!tls_ctx)
        return;
    /* Cleared first so the key's destructor cannot free it a second time. */
    (void)pthread_setspecific(ctx_key, NULL);
    secp256k1_context_destroy(tls_ctx);
    tls_ctx = NULL;
}

l2w_status l2w_secp_seckey_check(const uint8_t seckey[32], l2w_err *err)
{
    secp256k1_context *ctx;
    l2w_status st = thread_ctx(&ctx, err);
    if (st != L2W_OK)
        return st;
    if (!secp256k1_ec_seckey_verify(ctx, seckey)) {
        l2w_err_set(err, "secp: private key is zero or not below the curve order");
        return L2W_ERR_INVALID;
    }
    return L2W_OK;
}

static void serialize_pubkey(uint8_t pub[64], const secp256k1_context *ctx, const secp256k1_pubkey *pk)
{
    uint8_t full[65];
    size_t len = sizeof full;
    /* Cannot fail for a valid key and a 65-byte buffer. */
    (void)secp256k1_ec_pubkey_serialize(ctx, full, &len, pk, SECP256K1_EC_UNCOMPRESSED);
    memcpy(pub, full + 1, 64);
}

l2w_status l2w_secp_pubkey(uint8_t pub[64], const uint8_t seckey[32], l2w_err *err)
{
    secp256k1_context *ctx;
    l2w_status st = thread_ctx(&ctx, err);
    if (st != L2W_OK)
        return st;
    secp256k1_pubkey pk;
    if (!secp256k1_ec_pubkey_create(ctx, &pk, seckey)) {
        l2w_err_set(err, "secp: private key is zero or not below the curve order");
        return L2W_ERR_INVALID;
    }
    serialize_pubkey(pub, ctx, &pk);
    return L2W_OK;
}

void l2w_secp_pubkey_address(l2w_addr *out, const uint8_t pub[64])
{
    uint8_t h[32];
    l2w_keccak256(h, pub, 64);
    memcpy(out->b, h + 12, sizeof out->b);
}

l2w_status l2w_secp_address(l2w_addr *out, const uint8_t seckey[32], l2w_err *err)
{
    uint8_t pub[64];
    l2w_status st = l2w_secp_pubkey(pub, seckey, err);
    if (st != L2W_OK)
        return st;
    l2w_secp_pubkey_address(out, pub);
    return L2W_OK;
}

l2w_status l2w_secp_sign(l2w_signature *out, const uint8_t seckey[32], const uint8_t digest[32], l2w_err *err)
{
    secp256k1_context *ctx;
    l2w_status st = thread_ctx(&ctx, err);
    if (st != L2W_OK)
        return st;
    secp256k1_ecdsa_recoverable_signature sig;
    /* NULL nonce function: RFC 6979, so the same key and digest always give
     * the same signature (what cast and every other Ethereum signer do). */
    int ok = secp256k1_ecdsa_sign_recoverable(ctx, &sig, digest, seckey, NULL, NULL);
    if (!ok) {
        l2w_err_set(err, "secp: cannot sign: private key is zero or not below the curve order");
        return L2W_ERR_INVALID;
    }
    uint8_t rs[64];
    (void)secp256k1_ecdsa_recoverable_signature_serialize_compact(ctx, rs, &out->recid, &sig);
    memcpy(out->r, rs, 32);
    memcpy(out->s, rs + 32, 32);
    return L2W_OK;
}

static bool is_zero32(const uint8_t b[32])
{
    uint8_t acc = 0;
    for (size_t i = 0; i < 32; i++)
        acc |= b[i];
    return acc == 0;
}

/* Parses sig after the checks libsecp256k1 leaves to the caller: a recid
 * outside 0..3 is an API misuse it answers by aborting the process. */
static l2w_status parse_signature(secp256k1_ecdsa_recoverable_signature *out, const secp256k1_context *ctx,
                                  const l2w_signature *sig, l2w_err *err)
{
    if (sig->recid < 0 || sig->recid > 3) {
        l2w_err_set(err, "secp: recovery id %d is not 0..3", sig->recid);
        return L2W_ERR_INVALID;
    }
    if (is_zero32(sig->r) || is_zero32(sig->s)) {
        l2w_err_set(err, "secp: signature has r or s zero");
        return L2W_ERR_INVALID;
    }
    uint8_t rs[64];
    memcpy(rs, sig->r, 32);
    memcpy(rs + 32, sig->s, 32);
    if (!secp256k1_ecdsa_recoverable_signature_parse_compact(ctx, out, rs, sig->recid)) {
        l2w_err_set(err, "secp: signature r or s is not below the curve order");
        return L2W_ERR_INVALID;
    }
    secp256k1_ecdsa_signature plain;
    (void)secp256k1_ecdsa_recoverable_signature_convert(ctx, &plain, out);
    /* normalize returns 1 when it had to lower s, i.e. s was high. */
    if (secp256k1_ecdsa_signature_normalize(ctx, NULL, &plain)) {
        l2w_err_set(err, "secp: signature s is above n/2 (EIP-2 forbids the malleable form)");
        return L2W_ERR_INVALID;
    }
    return L2W_OK;
}

l2w_status l2w_secp_signature_check(const l2w_signature *sig, l2w_err *err)
{
    secp256k1_context *ctx;
    l2w_status st = thread_ctx(&ctx, err);
    if (st != L2W_OK)
        return st;
    secp256k1_ecdsa_recoverable_signature parsed;
    return parse_signature(&parsed, ctx, sig, err);
}

l2w_status l2w_secp_recover(l2w_addr *out, const uint8_t digest[32], const l2w_signature *sig, l2w_err *err)
{
    secp256k1_context *ctx;
    l2w_status st = thread_ctx(&ctx, err);
    if (st != L2W_OK)
        return st;
    secp256k1_ecdsa_recoverable_signature parsed;
    st = parse_signature(&parsed, ctx, sig, err);
    if (st != L2W_OK)
        return st;
    secp256k1_pubkey pk;
    if (!secp256k1_ecdsa_recover(ctx, &pk, &parsed, digest)) {
        l2w_err_set(err, "secp: no public key recovers from this signature and digest");
        return L2W_ERR_INVALID;
    }
    uint8_t pub[64];
    serialize_pubkey(pub, ctx, &pk);
    l2w_secp_pubkey_address(out, pub);
    return L2W_OK;
}
