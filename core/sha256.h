#ifndef L2W_CORE_SHA256_H
#define L2W_CORE_SHA256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* SHA-256 (FIPS 180-4), HMAC-SHA256 (RFC 2104) and a constant-time byte
 * comparison. Uses: EIP-4844 blob versioned hashes (0x01 followed by bytes
 * 1..31 of sha256(kzg_commitment)), webhook signatures, and hashing API tokens
 * so that they are compared as fixed-size digests in constant time.
 *
 * Nothing here allocates or fails. A data pointer may be NULL when its length
 * is 0. Contexts live wherever the caller puts them (stack is fine); a _final
 * call wipes its context, because after absorbing a secret (an HMAC key, an
 * API token) the context is as sensitive as the secret itself. */

enum {
    L2W_SHA256_DIGEST_LEN = 32,
    L2W_SHA256_BLOCK_LEN = 64,
};

typedef struct {
    uint32_t h[8];                       /* chaining value H(i) */
    uint64_t total;                      /* bytes absorbed so far */
    uint8_t block[L2W_SHA256_BLOCK_LEN]; /* the current, partly filled block */
    size_t pos;                          /* bytes in block, 0..63 */
} l2w_sha256_ctx;

void l2w_sha256_init(l2w_sha256_ctx *ctx);
void l2w_sha256_update(l2w_sha256_ctx *ctx, const void *data, size_t len);
/* Writes the digest, then wipes ctx and re-initialises it, so the same
 * context can start a new message without another _init. */
void l2w_sha256_final(l2w_sha256_ctx *ctx, uint8_t out[32]);

void l2w_sha256(uint8_t out[32], const void *data, size_t len);

/* HMAC-SHA256. A key longer than the 64-byte block is hashed first, as
 * RFC 2104 section 2 says; any key length, including 0, is accepted. Whether
 * a key is long enough to be safe is the caller's policy (RFC 2104 advises at
 * least 32 bytes for SHA-256). */
typedef struct {
    l2w_sha256_ctx inner; /* has absorbed K0 ^ ipad */
    l2w_sha256_ctx outer; /* has absorbed K0 ^ opad */
} l2w_hmac_sha256_ctx;

void l2w_hmac_sha256_init(l2w_hmac_sha256_ctx *ctx, const void *key, size_t key_len);
void l2w_hmac_sha256_update(l2w_hmac_sha256_ctx *ctx, const void *msg, size_t msg_len);
/* Writes the MAC and wipes ctx; unlike l2w_sha256_final the context is not
 * reusable afterwards (it forgot the key): call _init again. */
void l2w_hmac_sha256_final(l2w_hmac_sha256_ctx *ctx, uint8_t out[32]);

void l2w_hmac_sha256(uint8_t out[32], const void *key, size_t key_len, const void *msg,
                     size_t msg_len);

/* True when the n bytes at a and b are equal, in time that depends only on n.
 * It always reads all n bytes and folds every difference into one
 * accumulator, with no early exit: a memcmp that stops at the first
 * mismatching byte tells an attacker, through response time, how long a
 * prefix of a forged MAC or token is right, letting them find it a byte at a
 * time. n itself is not secret: compare fixed-size values (MACs, digests of
 * tokens), never a secret of secret length. n == 0 is true. */
bool l2w_ct_equal(const void *a, const void *b, size_t n);

#endif
