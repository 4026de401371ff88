#ifndef L2W_CORE_U256_H
#define L2W_CORE_U256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

/* Unsigned 256-bit integer; w[0] is the least significant 64-bit limb.
 * Money and on-chain integers are always this type, never double.
 * Arithmetic is checked: overflow, underflow and division by zero return
 * L2W_ERR_RANGE and leave *out unchanged. out may alias an input. */
typedef struct {
    uint64_t w[4];
} l2w_u256;

/* Longest decimal text: 78 digits + NUL. Hex: "0x" + 64 + NUL. */
#define L2W_U256_DEC_LEN 79
#define L2W_U256_HEX_LEN 67

static inline l2w_u256 l2w_u256_from_u64(uint64_t v)
{
    l2w_u256 r = {{v, 0, 0, 0}};
    return r;
}

bool l2w_u256_is_zero(const l2w_u256 *a);
/* -1, 0, 1 */
int l2w_u256_cmp(const l2w_u256 *a, const l2w_u256 *b);

L2W_MUST_CHECK l2w_status l2w_u256_add(l2w_u256 *out, const l2w_u256 *a, const l2w_u256 *b);
L2W_MUST_CHECK l2w_status l2w_u256_sub(l2w_u256 *out, const l2w_u256 *a, const l2w_u256 *b);
L2W_MUST_CHECK l2w_status l2w_u256_mul(l2w_u256 *out, const l2w_u256 *a, const l2w_u256 *b);
/* quot and/or rem may be NULL. */
L2W_MUST_CHECK l2w_status l2w_u256_divmod(l2w_u256 *quot, l2w_u256 *rem, const l2w_u256 *a,
                                          const l2w_u256 *b);

/* 32 big-endian bytes, as in ABI words and storage slots. */
void l2w_u256_from_be32(l2w_u256 *out, const uint8_t in[32]);
void l2w_u256_to_be32(uint8_t out[32], const l2w_u256 *a);

/* Fails with L2W_ERR_RANGE if the value exceeds UINT64_MAX. */
L2W_MUST_CHECK l2w_status l2w_u256_to_u64(uint64_t *out, const l2w_u256 *a);

/* Decimal text: digits only, no sign, no spaces, at least one digit, leading
 * zeros allowed; L2W_ERR_RANGE if >= 2^256. */
L2W_MUST_CHECK l2w_status l2w_u256_from_dec(l2w_u256 *out, const char *s);
/* Hex text with required "0x" prefix, 1..64 digits, either case, leading zeros allowed. */
L2W_MUST_CHECK l2w_status l2w_u256_from_hex(l2w_u256 *out, const char *s);
/* Two's complement negation modulo 2^256 (never fails): ABI intN values are
 * carried as 256-bit two's complement words. */
void l2w_u256_neg(l2w_u256 *out, const l2w_u256 *a);
/* Number of significant bits: 0 for zero, 256 when the top bit is set. */
unsigned l2w_u256_bit_length(const l2w_u256 *a);

/* Write decimal / minimal "0x" hex ("0x0" for zero) with NUL. */
void l2w_u256_to_dec(char out[L2W_U256_DEC_LEN], const l2w_u256 *a);
void l2w_u256_to_hex(char out[L2W_U256_HEX_LEN], const l2w_u256 *a);

/* Compares a * ma with b * mb exactly, although the products may need more
 * than 256 bits: -1, 0, 1. Thresholds in percent or basis points compare
 * this way without an overflow to handle. */
int l2w_u256_cmp_mul(const l2w_u256 *a, uint64_t ma, const l2w_u256 *b, uint64_t mb);

/* floor(num * scale / den) for num <= den: a share in parts per scale (100
 * for percent, 10000 for basis points), exact for any values.
 * L2W_ERR_RANGE if den is 0 or num > den. */
L2W_MUST_CHECK l2w_status l2w_u256_ratio_scaled(uint32_t *out, const l2w_u256 *num, const l2w_u256 *den,
                                                uint32_t scale);

/* The nearest double, give or take a few units in the last place (exact
 * below 2^53): for statistics that rank amounts, never for money. */
double l2w_u256_to_double(const l2w_u256 *a);

/* Decimal text in token units: the value divided by 10^decimals, with a
 * point only when there is a fraction and no trailing zeros ("12.5",
 * "0.000000000000000001", "3"). Longest: "0." + 255 digits + NUL. */
#define L2W_U256_UNITS_LEN 258
void l2w_u256_to_units(char out[L2W_U256_UNITS_LEN], const l2w_u256 *a, uint8_t decimals);

#endif
