/* SHA-256 written from FIPS 180-4: the functions of section 4.1.2, the
 * constants of 4.2.2 and 5.3.3, padding per 5.1.1, and the computation of
 * 6.2.2 (message schedule W[0..63], eight working variables, 64 rounds, add
 * into H). Words are big-endian (section 3.1). HMAC written from RFC 2104
 * section 2: H((K0 ^ opad) || H((K0 ^ ipad) || text)), where K0 is the key
 * (hashed first if longer than the block) padded with zeros to 64 bytes. */
#include "core/sha256.h"

#include <string.h>

#include "core/bytes.h"

enum {
    BLOCK = L2W_SHA256_BLOCK_LEN,
    LEN_FIELD = 8, /* the message length in bits, big-endian, ends the last block */
};

/* K[t]: the first 32 bits of the fractional parts of the cube roots of the
 * first 64 primes (section 4.2.2). Listed rather than computed; a wrong bit
 * breaks every known-answer test. */
static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

/* H(0): the first 32 bits of the fractional parts of the square roots of the
 * first 8 primes (section 5.3.3). */
static const uint32_t H0[8] = {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

static uint32_t rotr32(uint32_t x, unsigned n)
{
    /* n is 1..31 at every call site, so neither shift is by 32. */
    return (x >> n) | (x << (32 - n));
}

static uint32_t ch(uint32_t x, uint32_t y, uint32_t z)
{
    return (x & y) ^ (~x & z);
}

static uint32_t maj(uint32_t x, uint32_t y, uint32_t z)
{
    return (x & y) ^ (x & z) ^ (y & z);
}

static uint32_t big_sigma0(uint32_t x)
{
    return rotr32(x, 2) ^ rotr32(x, 13) ^ rotr32(x, 22);
}

static uint32_t big_sigma1(uint32_t x)
{
    return rotr32(x, 6) ^ rotr32(x, 11) ^ rotr32(x, 25);
}

static uint32_t small_sigma0(uint32_t x)
{
    return rotr32(x, 7) ^ rotr32(x, 18) ^ (x >> 3);
}

static uint32_t small_sigma1(uint32_t x)
{
    return rotr32(x, 17) ^ rotr32(x, 19) ^ (x >> 10);
}

static uint32_t load32_be(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void store32_be(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* One block of section 6.2.2. */
static void compress(uint32_t h[8], const uint8_t block[BLOCK])
{
    uint32_t w[64];
    for (int t = 0; t < 16; t++)
        w[t] = load32_be(block + 4 * t);
    for (int t = 16; t < 64; t++)
        w[t] = small_sigma1(w[t - 2]) + w[t - 7] + small_sigma0(w[t - 15]) + w[t - 16];

    uint32_t a = h[0], b = h[1], c = h[2], d = h[3];
    uint32_t e = h[4], f = h[5], g = h[6], hh = h[7];
    for (int t = 0; t < 64; t++) {
        uint32_t t1 = hh + big_sigma1(e) + ch(e, f, g) + K[t] + w[t];
        uint32_t t2 = big_sigma0(a) + maj(a, b, c);
        hh = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += hh;
    /* The schedule is derived from message bytes that may be a secret. */
    l2w_wipe(w, sizeof w);
}

void l2w_sha256_init(l2w_sha256_ctx *ctx)
{
    memcpy(ctx->h, H0, sizeof ctx->h);
    ctx->total = 0;
    memset(ctx->block, 0, sizeof ctx->block);
    ctx->pos = 0;
}

void l2w_sha256_update(l2w_sha256_ctx *ctx, const void *data, size_t len)
{
    /* Also keeps a NULL data pointer away from memcpy when len is 0. */
    if (len == 0)
        return;
    const uint8_t *in = data;
    /* Wraps only after 2^64 bytes; FIPS 180-4 caps messages at 2^64 bits. */
    ctx->total += len;
    if (ctx->pos > 0) {
        size_t take = BLOCK - ctx->pos;
        if (take > len)
            take = len;
        memcpy(ctx->block + ctx->pos, in, take);
        ctx->pos += take;
        in += take;
        len -= take;
        if (ctx->pos < BLOCK)
            return;
        compress(ctx->h, ctx->block);
        ctx->pos = 0;
    }
    /* Whole blocks straight from the input, without a copy. */
    while (len >= BLOCK) {
        compress(ctx->h, in);
        in += BLOCK;
        len -= BLOCK;
    }
    memcpy(ctx->block, in, len);
    ctx->pos = len;
}

void l2w_sha256_final(l2w_sha256_ctx *ctx, uint8_t out[32])
{
    /* Section 5.1.1: a 1 bit (0x80), zeros up to 56 mod 64 bytes, then the
     * length in bits as 64 big-endian bits. With 56 or more bytes already in
     * the block the length does not fit, and the padding runs into a second
     * block. Bits beyond 2^64 are dropped, as the length is mod 2^64. */
    uint64_t bits = ctx->total << 3;
    ctx->block[ctx->pos++] = 0x80;
    if (ctx->pos > BLOCK - LEN_FIELD) {
        memset(ctx->block + ctx->pos, 0, BLOCK - ctx->pos);
        compress(ctx->h, ctx->block);
        ctx->pos = 0;
    }
    memset(ctx->block + ctx->pos, 0, BLOCK - LEN_FIELD - ctx->pos);
    for (int i = 0; i < LEN_FIELD; i++)
        ctx->block[BLOCK - 1 - i] = (uint8_t)(bits >> (8 * i));
    compress(ctx->h, ctx->block);
    for (int i = 0; i < 8; i++)
        store32_be(out + 4 * i, ctx->h[i]);
    l2w_wipe(ctx, sizeof *ctx);
    l2w_sha256_init(ctx);
}

void l2w_sha256(uint8_t out[32], const void *data, size_t len)
{
    l2w_sha256_ctx ctx;
    l2w_sha256_init(&ctx);
    l2w_sha256_update(&ctx, data, len);
    l2w_sha256_final(&ctx, out);
}

void l2w_hmac_sha256_init(l2w_hmac_sha256_ctx *ctx, const void *key, size_t key_len)
{
    /* K0: the key, or its digest when longer than a block, zero-padded. */
    uint8_t k0[BLOCK] = {0};
    if (key_len > BLOCK)
        l2w_sha256(k0, key, key_len);
    else if (key_len > 0)
        memcpy(k0, key, key_len);

    uint8_t pad[BLOCK];
    for (size_t i = 0; i < BLOCK; i++)
        pad[i] = k0[i] ^ 0x36; /* ipad */
    l2w_sha256_init(&ctx->inner);
    l2w_sha256_update(&ctx->inner, pad, BLOCK);
    for (size_t i = 0; i < BLOCK; i++)
        pad[i] = k0[i] ^ 0x5c; /* opad */
    l2w_sha256_init(&ctx->outer);
    l2w_sha256_update(&ctx->outer, pad, BLOCK);

    l2w_wipe(k0, sizeof k0);
    l2w_wipe(pad, sizeof pad);
}

void l2w_hmac_sha256_update(l2w_hmac_sha256_ctx *ctx, const void *msg, size_t msg_len)
{
    l2w_sha256_update(&ctx->inner, msg, msg_len);
}

void l2w_hmac_sha256_final(l2w_hmac_sha256_ctx *ctx, uint8_t out[32])
{
    uint8_t inner[L2W_SHA256_DIGEST_LEN];
    l2w_sha256_final(&ctx->inner, inner);
    l2w_sha256_update(&ctx->outer, inner, sizeof inner);
    l2w_sha256_final(&ctx->outer, out);
    l2w_wipe(inner, sizeof inner);
    /* Both halves were re-initialised by their finals: the key is gone. */
}

void l2w_hmac_sha256(uint8_t out[32], const void *key, size_t key_len, const void *msg,
                     size_t msg_len)
{
    l2w_hmac_sha256_ctx ctx;
    l2w_hmac_sha256_init(&ctx, key, key_len);
    l2w_hmac_sha256_update(&ctx, msg, msg_len);
    l2w_hmac_sha256_final(&ctx, out);
}

bool l2w_ct_equal(const void *a, const void *b, size_t n)
{
    const uint8_t *x = a, *y = b;
    /* OR of XORs: a difference in any byte sets a bit that later bytes
     * cannot clear (a plain XOR or a sum of differences could cancel out).
     * The accumulator is volatile so the compiler cannot turn the loop into
     * one that returns as soon as the value is known to be non-zero. */
    volatile uint8_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= (uint8_t)(x[i] ^ y[i]);
    return acc == 0;
}
