/* Checked 256-bit unsigned arithmetic on four 64-bit limbs (w[0] least
 * significant). Every operation computes into a local and stores only on
 * success, so a failed operation leaves *out unchanged and out may alias an
 * input. */
#include "core/u256.h"

#include "core/hex.h"

#include <string.h>

/* GCC and Clang provide a 128-bit type; __extension__ keeps strict-standard
 * modes quiet about it. It gives exact 64x64->128 products and 128/64 division. */
__extension__ typedef unsigned __int128 u128;

enum { LIMBS = 4 };

bool l2w_u256_is_zero(const l2w_u256 *a)
{
    return (a->w[0] | a->w[1] | a->w[2] | a->w[3]) == 0;
}

int l2w_u256_cmp(const l2w_u256 *a, const l2w_u256 *b)
{
    for (int i = LIMBS - 1; i >= 0; i--) {
        if (a->w[i] != b->w[i])
            return a->w[i] < b->w[i] ? -1 : 1;
    }
    return 0;
}

l2w_status l2w_u256_add(l2w_u256 *out, const l2w_u256 *a, const l2w_u256 *b)
{
    l2w_u256 r;
    uint64_t carry = 0;
    for (int i = 0; i < LIMBS; i++) {
        u128 s = (u128)a->w[i] + b->w[i] + carry;
        r.w[i] = (uint64_t)s;
        carry = (uint64_t)(s >> 64);
    }
    if (carry)
        return L2W_ERR_RANGE;
    *out = r;
    return L2W_OK;
}

/* a - b modulo 2^256; returns the final borrow (1 if b > a). */
static uint64_t sub_borrow(l2w_u256 *r, const l2w_u256 *a, const l2w_u256 *b)
{
    uint64_t borrow = 0;
    for (int i = 0; i < LIMBS; i++) {
        uint64_t ai = a->w[i], bi = b->w[i];
        uint64_t d = ai - bi - borrow;
        /* A borrow happens when bi + borrow exceeds ai; written without adding
         * bi + borrow, which could itself wrap when bi is UINT64_MAX. */
        borrow = (ai < bi) || (ai == bi && borrow);
        r->w[i] = d;
    }
    return borrow;
}

l2w_status l2w_u256_sub(l2w_u256 *out, const l2w_u256 *a, const l2w_u256 *b)
{
    l2w_u256 r;
    if (sub_borrow(&r, a, b))
        return L2W_ERR_RANGE;
    *out = r;
    return L2W_OK;
}

l2w_status l2w_u256_mul(l2w_u256 *out, const l2w_u256 *a, const l2w_u256 *b)
{
    /* Schoolbook product into eight limbs; the result fits iff the top four
     * are zero. */
    uint64_t p[2 * LIMBS] = {0};
    for (int i = 0; i < LIMBS; i++) {
        uint64_t carry = 0;
        for (int j = 0; j < LIMBS; j++) {
            u128 t = (u128)a->w[i] * b->w[j] + p[i + j] + carry;
            p[i + j] = (uint64_t)t;
            carry = (uint64_t)(t >> 64);
        }
        p[i + LIMBS] = carry;
    }
    if (p[4] | p[5] | p[6] | p[7])
        return L2W_ERR_RANGE;
    l2w_u256 r = {{p[0], p[1], p[2], p[3]}};
    *out = r;
    return L2W_OK;
}

unsigned l2w_u256_bit_length(const l2w_u256 *a)
{
    for (int i = LIMBS - 1; i >= 0; i--) {
        if (a->w[i])
            return (unsigned)(64 * i + 64 - __builtin_clzll(a->w[i]));
    }
    return 0;
}

static bool bit_is_set(const l2w_u256 *a, unsigned bit)
{
    return (a->w[bit / 64] >> (bit % 64)) & 1;
}

static void shl1(l2w_u256 *a)
{
    for (int i = LIMBS - 1; i > 0; i--)
        a->w[i] = a->w[i] << 1 | a->w[i - 1] >> 63;
    a->w[0] <<= 1;
}

/* Division by a single limb: each step divides a 128-bit partial remainder
 * (always < d * 2^64) by d, so the quotient digit fits in 64 bits. */
static void divmod_limb(l2w_u256 *q, uint64_t *r, const l2w_u256 *a, uint64_t d)
{
    uint64_t rem = 0;
    for (int i = LIMBS - 1; i >= 0; i--) {
        u128 cur = (u128)rem << 64 | a->w[i];
        q->w[i] = (uint64_t)(cur / d);
        rem = (uint64_t)(cur % d);
    }
    *r = rem;
}

/* Restoring binary long division, one bit at a time from a's top bit. Plain
 * and obviously correct; 256 iterations at most, which is cheap next to
 * anything l2watch does with the result. The remainder stays below b, so
 * shifting it left cannot overflow 256 bits unless b has its top bit set; in
 * that case the bit shifted out is remembered and forces a subtraction. */
static void divmod_bits(l2w_u256 *q, l2w_u256 *r, const l2w_u256 *a, const l2w_u256 *b)
{
    l2w_u256 quot = {{0}}, rem = {{0}};
    for (int bit = (int)l2w_u256_bit_length(a) - 1; bit >= 0; bit--) {
        bool overflow = bit_is_set(&rem, 255);
        shl1(&rem);
        rem.w[0] |= bit_is_set(a, (unsigned)bit);
        if (overflow || l2w_u256_cmp(&rem, b) >= 0) {
            (void)sub_borrow(&rem, &rem, b);
            quot.w[bit / 64] |= 1ULL << (bit % 64);
        }
    }
    *q = quot;
    *r = rem;
}

l2w_status l2w_u256_divmod(l2w_u256 *quot, l2w_u256 *rem, const l2w_u256 *a, const l2w_u256 *b)
{
    if (l2w_u256_is_zero(b))
        return L2W_ERR_RANGE;
    l2w_u256 q, r;
    if ((b->w[1] | b->w[2] | b->w[3]) == 0) {
        uint64_t r64;
        divmod_limb(&q, &r64, a, b->w[0]);
        r = l2w_u256_from_u64(r64);
    } else {
        divmod_bits(&q, &r, a, b);
    }
    if (quot)
        *quot = q;
    if (rem)
        *rem = r;
    return L2W_OK;
}

void l2w_u256_neg(l2w_u256 *out, const l2w_u256 *a)
{
    l2w_u256 zero = {{0}}, r;
    (void)sub_borrow(&r, &zero, a);
    *out = r;
}

void l2w_u256_from_be32(l2w_u256 *out, const uint8_t in[32])
{
    l2w_u256 r;
    for (int i = 0; i < LIMBS; i++) {
        uint64_t v = 0;
        for (int j = 0; j < 8; j++)
            v = v << 8 | in[8 * (LIMBS - 1 - i) + j];
        r.w[i] = v;
    }
    *out = r;
}

void l2w_u256_to_be32(uint8_t out[32], const l2w_u256 *a)
{
    for (int i = 0; i < LIMBS; i++) {
        uint64_t v = a->w[i];
        for (int j = 7; j >= 0; j--) {
            out[8 * (LIMBS - 1 - i) + j] = (uint8_t)v;
            v >>= 8;
        }
    }
}

l2w_status l2w_u256_to_u64(uint64_t *out, const l2w_u256 *a)
{
    if (a->w[1] | a->w[2] | a->w[3])
        return L2W_ERR_RANGE;
    *out = a->w[0];
    return L2W_OK;
}

/* r = r * mul + add, failing on overflow. */
static l2w_status mul_small_add(l2w_u256 *r, uint64_t mul, uint64_t add)
{
    uint64_t carry = add;
    for (int i = 0; i < LIMBS; i++) {
        u128 t = (u128)r->w[i] * mul + carry;
        r->w[i] = (uint64_t)t;
        carry = (uint64_t)(t >> 64);
    }
    return carry ? L2W_ERR_RANGE : L2W_OK;
}

/* Checks the whole text before converting, so a malformed string is always
 * L2W_ERR_INVALID even when it is also long (the caller can tell "not a
 * number" from "too big"). */
static bool all_digits(const char *s, size_t n, bool hex)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool ok = (c >= '0' && c <= '9') || (hex && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')));
        if (!ok)
            return false;
    }
    return true;
}

l2w_status l2w_u256_from_dec(l2w_u256 *out, const char *s)
{
    if (!s)
        return L2W_ERR_INVALID;
    size_t n = strlen(s);
    if (n == 0 || !all_digits(s, n, false))
        return L2W_ERR_INVALID;
    l2w_u256 r = {{0}};
    for (size_t i = 0; i < n; i++) {
        if (mul_small_add(&r, 10, (uint64_t)(s[i] - '0')) != L2W_OK)
            return L2W_ERR_RANGE;
    }
    *out = r;
    return L2W_OK;
}

l2w_status l2w_u256_from_hex(l2w_u256 *out, const char *s)
{
    if (!s || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
        return L2W_ERR_INVALID;
    const char *d = s + 2;
    size_t n = strlen(d);
    if (n == 0 || !all_digits(d, n, true))
        return L2W_ERR_INVALID;
    if (n > 64)
        return L2W_ERR_RANGE;
    l2w_u256 r = {{0}};
    for (size_t i = 0; i < n; i++) {
        size_t nibble = n - 1 - i; /* position counted from the least significant digit */
        r.w[nibble / 16] |= (uint64_t)l2w_hex_digit_value(d[i]) /* validated above */ << (4 * (nibble % 16));
    }
    *out = r;
    return L2W_OK;
}

void l2w_u256_to_dec(char out[L2W_U256_DEC_LEN], const l2w_u256 *a)
{
    /* Peel off 19 decimal digits at a time (10^19 is the largest power of ten
     * below 2^64), least significant chunk first, then reverse. */
    const uint64_t chunk = 10000000000000000000ULL;
    char tmp[L2W_U256_DEC_LEN];
    size_t n = 0;
    l2w_u256 v = *a;
    do {
        uint64_t r;
        l2w_u256 q;
        divmod_limb(&q, &r, &v, chunk);
        bool last = l2w_u256_is_zero(&q);
        for (int i = 0; i < 19 && (!last || r != 0 || i == 0); i++) {
            tmp[n++] = (char)('0' + r % 10);
            r /= 10;
        }
        v = q;
    } while (!l2w_u256_is_zero(&v));
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = '\0';
}

void l2w_u256_to_hex(char out[L2W_U256_HEX_LEN], const l2w_u256 *a)
{
    static const char digits[] = "0123456789abcdef";
    out[0] = '0';
    out[1] = 'x';
    unsigned bits = l2w_u256_bit_length(a);
    unsigned ndigits = bits ? (bits + 3) / 4 : 1;
    for (unsigned i = 0; i < ndigits; i++) {
        unsigned nibble = ndigits - 1 - i;
        out[2 + i] = digits[(a->w[nibble / 16] >> (4 * (nibble % 16))) & 0xf];
    }
    out[2 + ndigits] = '\0';
}

/* a * m in five limbs, least significant first: never overflows. */
static void mul_small_wide(uint64_t out[LIMBS + 1], const l2w_u256 *a, uint64_t m)
{
    uint64_t carry = 0;
    for (int i = 0; i < LIMBS; i++) {
        u128 t = (u128)a->w[i] * m + carry;
        out[i] = (uint64_t)t;
        carry = (uint64_t)(t >> 64);
    }
    out[LIMBS] = carry;
}

int l2w_u256_cmp_mul(const l2w_u256 *a, uint64_t ma, const l2w_u256 *b, uint64_t mb)
{
    uint64_t pa[LIMBS + 1], pb[LIMBS + 1];
    mul_small_wide(pa, a, ma);
    mul_small_wide(pb, b, mb);
    for (int i = LIMBS; i >= 0; i--) {
        if (pa[i] != pb[i])
            return pa[i] < pb[i] ? -1 : 1;
    }
    return 0;
}

l2w_status l2w_u256_ratio_scaled(uint32_t *out, const l2w_u256 *num, const l2w_u256 *den, uint32_t scale)
{
    if (l2w_u256_is_zero(den) || l2w_u256_cmp(num, den) > 0)
        return L2W_ERR_RANGE;
    /* The answer is the largest k in [0, scale] with den * k <= num * scale
     * (num <= den bounds it by scale). A binary search on the exact wide
     * comparison needs no 320-bit division: at most 32 comparisons. */
    uint64_t lo = 0, hi = scale;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo + 1) / 2;
        if (l2w_u256_cmp_mul(den, mid, num, scale) <= 0)
            lo = mid;
        else
            hi = mid - 1;
    }
    *out = (uint32_t)lo;
    return L2W_OK;
}

double l2w_u256_to_double(const l2w_u256 *a)
{
    /* Horner over the limbs: one rounding per step, so a few ulps at most. */
    double r = 0.0;
    for (int i = LIMBS - 1; i >= 0; i--)
        r = r * 18446744073709551616.0 /* 2^64 */ + (double)a->w[i];
    return r;
}

void l2w_u256_to_units(char out[L2W_U256_UNITS_LEN], const l2w_u256 *a, uint8_t decimals)
{
    char dec[L2W_U256_DEC_LEN];
    l2w_u256_to_dec(dec, a);
    size_t n = strlen(dec);
    /* Digits left of the point, and zeros between the point and the first
     * digit when the value is below one unit. */
    size_t int_len = n > decimals ? n - decimals : 0;
    size_t lead_zeros = n > decimals ? 0 : (size_t)decimals - n;
    const char *frac = dec + int_len;
    size_t frac_len = n - int_len;
    while (frac_len > 0 && frac[frac_len - 1] == '0')
        frac_len--;
    size_t pos = 0;
    if (int_len > 0) {
        memcpy(out, dec, int_len);
        pos = int_len;
    } else {
        out[pos++] = '0';
    }
    if (frac_len > 0) {
        out[pos++] = '.';
        memset(out + pos, '0', lead_zeros);
        pos += lead_zeros;
        memcpy(out + pos, frac, frac_len);
        pos += frac_len;
    }
    out[pos] = '\0';
}
