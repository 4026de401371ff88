/* Keccak-256 as used by Ethereum, written from the Keccak reference
 * (Bertoni, Daemen, Peeters, Van Assche) and FIPS 202 section 3:
 * Keccak-f[1600] with 24 rounds of theta, rho, pi, chi, iota over a 5x5 state
 * of 64-bit lanes; sponge with rate 1088 bits (136 bytes) and capacity 512;
 * the original Keccak pad10*1 with domain byte 0x01, which is what Ethereum
 * adopted before NIST changed it to 0x06 for SHA3-256.
 *
 * Lane (x, y) is state[x + 5*y]; bytes enter lanes little-endian (FIPS 202
 * section B.1), so byte i of a block is byte i%8 of lane i/8. */
#include "core/keccak.h"

#include <string.h>

enum {
    KECCAK_RATE = 136, /* bytes: (1600 - 2*256) / 8 */
    KECCAK_ROUNDS = 24,
};

/* Round constants RC[i] of the iota step: bit 2^j - 1 of RC[i] is rc(j + 7i),
 * where rc is the output of the LFSR x^8 + x^6 + x^5 + x^4 + 1 (FIPS 202
 * algorithms 5 and 6). Listed rather than regenerated at run time; any wrong
 * bit breaks every known-answer test. */
static const uint64_t round_constants[KECCAK_ROUNDS] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL,
    0x8000000080008000ULL, 0x000000000000808bULL, 0x0000000080000001ULL,
    0x8000000080008081ULL, 0x8000000000008009ULL, 0x000000000000008aULL,
    0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
    0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL,
    0x8000000000008003ULL, 0x8000000000008002ULL, 0x8000000000000080ULL,
    0x000000000000800aULL, 0x800000008000000aULL, 0x8000000080008081ULL,
    0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};

/* rho offsets r[x][y] = (t+1)(t+2)/2 mod 64 where (x, y) is reached from
 * (1, 0) after t steps of (x, y) -> (y, 2x + 3y mod 5); r[0][0] = 0.
 * Indexed by lane x + 5y, like the state. */
static const unsigned rho_offsets[25] = {
    0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14,
};

/* pi moves lane (x, y) to (y, 2x + 3y mod 5): pi_dest[x + 5y] is that lane's
 * new index. Flat tables keep the modulo arithmetic out of the rounds. */
static const unsigned pi_dest[25] = {
    0, 10, 20, 5, 15, 16, 1, 11, 21, 6, 7, 17, 2, 12, 22, 23, 8, 18, 3, 13, 14, 24, 9, 19, 4,
};

static uint64_t rotl64(uint64_t v, unsigned n)
{
    /* n is in 0..63; the mask keeps the n == 0 case free of a 64-bit shift. */
    return (v << n) | (v >> ((64 - n) & 63));
}

static void theta(uint64_t a[25])
{
    uint64_t c[5], d[5];
    for (int x = 0; x < 5; x++)
        c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
    d[0] = c[4] ^ rotl64(c[1], 1);
    d[1] = c[0] ^ rotl64(c[2], 1);
    d[2] = c[1] ^ rotl64(c[3], 1);
    d[3] = c[2] ^ rotl64(c[4], 1);
    d[4] = c[3] ^ rotl64(c[0], 1);
    for (int i = 0; i < 25; i += 5) {
        a[i] ^= d[0];
        a[i + 1] ^= d[1];
        a[i + 2] ^= d[2];
        a[i + 3] ^= d[3];
        a[i + 4] ^= d[4];
    }
}

/* rho and pi together into b, so no lane is overwritten before it is read. */
static void rho_pi(uint64_t b[25], const uint64_t a[25])
{
    for (int i = 0; i < 25; i++)
        b[pi_dest[i]] = rotl64(a[i], rho_offsets[i]);
}

static void chi(uint64_t a[25], const uint64_t b[25])
{
    for (int i = 0; i < 25; i += 5) {
        a[i] = b[i] ^ (~b[i + 1] & b[i + 2]);
        a[i + 1] = b[i + 1] ^ (~b[i + 2] & b[i + 3]);
        a[i + 2] = b[i + 2] ^ (~b[i + 3] & b[i + 4]);
        a[i + 3] = b[i + 3] ^ (~b[i + 4] & b[i]);
        a[i + 4] = b[i + 4] ^ (~b[i] & b[i + 1]);
    }
}

static void keccak_f1600(uint64_t a[25])
{
    uint64_t b[25];
    for (int round = 0; round < KECCAK_ROUNDS; round++) {
        theta(a);
        rho_pi(b, a);
        chi(a, b);
        a[0] ^= round_constants[round]; /* iota */
    }
}

static void xor_byte(uint64_t state[25], size_t i, uint8_t v)
{
    state[i / 8] ^= (uint64_t)v << (8 * (i % 8));
}

static uint64_t load64_le(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

void l2w_keccak_init(l2w_keccak_ctx *ctx)
{
    memset(ctx, 0, sizeof *ctx);
}

void l2w_keccak_update(l2w_keccak_ctx *ctx, const uint8_t *in, size_t len)
{
    /* Finish a partly filled block byte by byte. */
    while (len > 0 && ctx->pos != 0) {
        xor_byte(ctx->state, ctx->pos++, *in++);
        len--;
        if (ctx->pos == KECCAK_RATE) {
            keccak_f1600(ctx->state);
            ctx->pos = 0;
        }
    }
    /* Whole blocks a lane at a time: the common case for long inputs. */
    while (len >= KECCAK_RATE) {
        for (size_t lane = 0; lane < KECCAK_RATE / 8; lane++)
            ctx->state[lane] ^= load64_le(in + 8 * lane);
        keccak_f1600(ctx->state);
        in += KECCAK_RATE;
        len -= KECCAK_RATE;
    }
    /* pos is 0 here (or len is 0), and the rest is shorter than a block. */
    while (len > 0) {
        xor_byte(ctx->state, ctx->pos++, *in++);
        len--;
    }
}

void l2w_keccak_final(l2w_keccak_ctx *ctx, uint8_t out[32])
{
    /* pad10*1 with the Keccak domain bit: 0x01 after the message, 0x80 in the
     * last byte of the block; both land in the same byte when pos == 135. */
    xor_byte(ctx->state, ctx->pos, 0x01);
    xor_byte(ctx->state, KECCAK_RATE - 1, 0x80);
    keccak_f1600(ctx->state);
    for (size_t i = 0; i < 32; i++)
        out[i] = (uint8_t)(ctx->state[i / 8] >> (8 * (i % 8)));
    /* Leave the context ready for reuse rather than in a squeezed state. */
    l2w_keccak_init(ctx);
}

void l2w_keccak256(uint8_t out[32], const uint8_t *in, size_t len)
{
    l2w_keccak_ctx ctx;
    l2w_keccak_init(&ctx);
    l2w_keccak_update(&ctx, in, len);
    l2w_keccak_final(&ctx, out);
}

void l2w_keccak256_hash(l2w_hash *out, const uint8_t *in, size_t len)
{
    l2w_keccak256(out->b, in, len);
}
