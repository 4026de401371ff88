/* u256: edge cases (max, overflow, underflow, division by zero, failures
 * leaving the output alone, aliasing), strict text parsing, conversions, and
 * random tests: against unsigned __int128 for values below 2^127, and
 * algebraic identities over the full 256 bits. Compared with cast and Python
 * integers in tests/diff. */
#include <stdio.h>
#include <string.h>

#include "core/u256.h"
#include "tests/unit/harness.h"

__extension__ typedef unsigned __int128 u128;

/* 2^256 - 1 and 2^256, a known constant rather than anything computed here. */
static const char max_dec[] =
    "115792089237316195423570985008687907853269984665640564039457584007913129639935";
static const char two256_dec[] =
    "115792089237316195423570985008687907853269984665640564039457584007913129639936";

static l2w_u256 u256_max(void)
{
    l2w_u256 m = {{UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX}};
    return m;
}

static l2w_u256 from_u128(u128 v)
{
    l2w_u256 r = {{(uint64_t)v, (uint64_t)(v >> 64), 0, 0}};
    return r;
}

static bool equals_u128(const l2w_u256 *a, u128 v)
{
    return a->w[0] == (uint64_t)v && a->w[1] == (uint64_t)(v >> 64) && a->w[2] == 0 && a->w[3] == 0;
}

/* Decimal text of a u128, by the schoolbook method: the reference for to_dec. */
static void u128_to_dec(char *out, u128 v)
{
    char tmp[48];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + (int)(v % 10));
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = '\0';
}

/* A random value with a random bit length: small and large values both appear. */
static l2w_u256 rand_u256(void)
{
    l2w_u256 r;
    for (int i = 0; i < 4; i++)
        r.w[i] = l2w_test_rand();
    unsigned keep = (unsigned)(l2w_test_rand() % 257);
    for (unsigned b = keep; b < 256; b++)
        r.w[b / 64] &= ~(1ULL << (b % 64));
    return r;
}

static u128 rand_u127(void)
{
    u128 v = ((u128)l2w_test_rand() << 64) | l2w_test_rand();
    return v >> (1 + l2w_test_rand() % 127);
}

static void test_basics(void)
{
    l2w_u256 z = l2w_u256_from_u64(0), one = l2w_u256_from_u64(1), max = u256_max();
    CHECK(l2w_u256_is_zero(&z) && !l2w_u256_is_zero(&one));
    CHECK(l2w_u256_cmp(&z, &one) == -1 && l2w_u256_cmp(&one, &z) == 1 && l2w_u256_cmp(&max, &max) == 0);
    l2w_u256 hi = {{0, 0, 0, 1}}, lo = {{UINT64_MAX, UINT64_MAX, UINT64_MAX, 0}};
    CHECK(l2w_u256_cmp(&hi, &lo) == 1);
    CHECK(l2w_u256_bit_length(&z) == 0 && l2w_u256_bit_length(&one) == 1);
    CHECK(l2w_u256_bit_length(&max) == 256 && l2w_u256_bit_length(&hi) == 193);

    uint64_t v = 5;
    CHECK(l2w_u256_to_u64(&v, &hi) == L2W_ERR_RANGE && v == 5);
    l2w_u256 m64 = l2w_u256_from_u64(UINT64_MAX);
    CHECK(l2w_u256_to_u64(&v, &m64) == L2W_OK && v == UINT64_MAX);

    uint8_t be[32];
    l2w_u256 x = {{0x0807060504030201ULL, 0x100f0e0d0c0b0a09ULL, 0x1817161514131211ULL, 0x201f1e1d1c1b1a19ULL}};
    l2w_u256_to_be32(be, &x);
    for (int i = 0; i < 32; i++)
        CHECK_MSG(be[i] == 32 - i, "byte %d is %u", i, be[i]);
    l2w_u256 back;
    l2w_u256_from_be32(&back, be);
    CHECK(l2w_u256_cmp(&back, &x) == 0);
}

static void test_overflow_and_failures(void)
{
    l2w_u256 max = u256_max(), one = l2w_u256_from_u64(1), two = l2w_u256_from_u64(2), z = l2w_u256_from_u64(0);
    l2w_u256 out = l2w_u256_from_u64(42), keep = out;
    CHECK(l2w_u256_add(&out, &max, &one) == L2W_ERR_RANGE && l2w_u256_cmp(&out, &keep) == 0);
    CHECK(l2w_u256_sub(&out, &z, &one) == L2W_ERR_RANGE && l2w_u256_cmp(&out, &keep) == 0);
    CHECK(l2w_u256_mul(&out, &max, &two) == L2W_ERR_RANGE && l2w_u256_cmp(&out, &keep) == 0);
    l2w_u256 q = keep, r = keep;
    CHECK(l2w_u256_divmod(&q, &r, &max, &z) == L2W_ERR_RANGE);
    CHECK(l2w_u256_cmp(&q, &keep) == 0 && l2w_u256_cmp(&r, &keep) == 0);

    CHECK(l2w_u256_add(&out, &max, &z) == L2W_OK && l2w_u256_cmp(&out, &max) == 0);
    CHECK(l2w_u256_sub(&out, &max, &max) == L2W_OK && l2w_u256_is_zero(&out));
    CHECK(l2w_u256_mul(&out, &max, &one) == L2W_OK && l2w_u256_cmp(&out, &max) == 0);
    /* 2^128 * 2^128 overflows by exactly one bit; 2^128 * (2^127) does not. */
    l2w_u256 p128 = {{0, 0, 1, 0}}, p127 = {{0, 1ULL << 63, 0, 0}};
    CHECK(l2w_u256_mul(&out, &p128, &p128) == L2W_ERR_RANGE);
    CHECK(l2w_u256_mul(&out, &p128, &p127) == L2W_OK && out.w[3] == 1ULL << 63 && out.w[0] == 0);
    /* A borrow that must ripple through every limb. */
    l2w_u256 p192 = {{0, 0, 0, 1}};
    CHECK(l2w_u256_sub(&out, &p192, &one) == L2W_OK && out.w[0] == UINT64_MAX && out.w[1] == UINT64_MAX &&
          out.w[2] == UINT64_MAX && out.w[3] == 0);
    /* Subtrahend limb UINT64_MAX with an incoming borrow. */
    l2w_u256 a = {{0, 0, 1, 0}}, b = {{1, UINT64_MAX, 0, 0}};
    CHECK(l2w_u256_sub(&out, &a, &b) == L2W_OK && out.w[0] == UINT64_MAX && out.w[1] == 0 && out.w[2] == 0);

    /* Aliasing: out may be an input. */
    l2w_u256 x = l2w_u256_from_u64(7);
    CHECK(l2w_u256_add(&x, &x, &x) == L2W_OK && x.w[0] == 14);
    CHECK(l2w_u256_mul(&x, &x, &x) == L2W_OK && x.w[0] == 196);
    CHECK(l2w_u256_divmod(&x, NULL, &x, &two) == L2W_OK && x.w[0] == 98);
    l2w_u256 y = l2w_u256_from_u64(100);
    CHECK(l2w_u256_divmod(NULL, &y, &y, &x) == L2W_OK && y.w[0] == 2);
    CHECK(l2w_u256_divmod(NULL, NULL, &y, &x) == L2W_OK);

    l2w_u256 n;
    l2w_u256_neg(&n, &one);
    CHECK(l2w_u256_cmp(&n, &max) == 0);
    l2w_u256_neg(&n, &z);
    CHECK(l2w_u256_is_zero(&n));
}

static void test_division_edges(void)
{
    l2w_u256 max = u256_max(), q, r;
    /* Divisor with its top bit set: the shift in long division overflows. */
    l2w_u256 top = {{0, 0, 0, 1ULL << 63}};
    CHECK(l2w_u256_divmod(&q, &r, &max, &top) == L2W_OK);
    CHECK(q.w[0] == 1 && q.w[1] == 0 && q.w[3] == 0);
    CHECK(r.w[3] == (1ULL << 63) - 1 && r.w[0] == UINT64_MAX);
    CHECK(l2w_u256_divmod(&q, &r, &max, &max) == L2W_OK && q.w[0] == 1 && l2w_u256_is_zero(&r));
    l2w_u256 small = l2w_u256_from_u64(3);
    CHECK(l2w_u256_divmod(&q, &r, &small, &max) == L2W_OK && l2w_u256_is_zero(&q) && r.w[0] == 3);
    /* 2^256-1 = 3 * 5 * 17 * 257 * 641 * 65537 * ...: divisible by 3 and by 2^64+1. */
    CHECK(l2w_u256_divmod(&q, &r, &max, &small) == L2W_OK && l2w_u256_is_zero(&r));
    l2w_u256 f = {{1, 1, 0, 0}};
    CHECK(l2w_u256_divmod(&q, &r, &max, &f) == L2W_OK && l2w_u256_is_zero(&r));
}

static void test_parse_rejects(void)
{
    l2w_u256 out = l2w_u256_from_u64(9), keep = out;
    const char *bad_dec[] = {"", "-1", "+1", " 1", "1 ", "1a", "0x1", "1_000", "1.0", "１", "\t1", "1\n", "1e3"};
    for (size_t i = 0; i < sizeof bad_dec / sizeof *bad_dec; i++)
        CHECK_MSG(l2w_u256_from_dec(&out, bad_dec[i]) == L2W_ERR_INVALID, "dec \"%s\"", bad_dec[i]);
    CHECK(l2w_u256_from_dec(&out, NULL) == L2W_ERR_INVALID);
    CHECK(l2w_u256_from_dec(&out, two256_dec) == L2W_ERR_RANGE);
    CHECK(l2w_u256_from_dec(&out, "1000000000000000000000000000000000000000000000000000000000000000000000000000000") ==
          L2W_ERR_RANGE);
    const char *bad_hex[] = {"", "0x", "1", "ff", "0xg", "0x-1", "-0x1", " 0x1", "0x1 ", "x1", "0x+1", "00x1"};
    for (size_t i = 0; i < sizeof bad_hex / sizeof *bad_hex; i++)
        CHECK_MSG(l2w_u256_from_hex(&out, bad_hex[i]) == L2W_ERR_INVALID, "hex \"%s\"", bad_hex[i]);
    char long_hex[2 + 65 + 1] = "0x";
    memset(long_hex + 2, '0', 65);
    long_hex[67] = '\0';
    CHECK(l2w_u256_from_hex(&out, long_hex) == L2W_ERR_RANGE);
    CHECK(l2w_u256_cmp(&out, &keep) == 0);
}

static void test_parse_accepts(void)
{
    l2w_u256 out, max = u256_max();
    CHECK(l2w_u256_from_dec(&out, max_dec) == L2W_OK && l2w_u256_cmp(&out, &max) == 0);
    CHECK(l2w_u256_from_dec(&out, "0") == L2W_OK && l2w_u256_is_zero(&out));
    CHECK(l2w_u256_from_dec(&out, "000000000000000000000000000000000000000000000000000000000000000000000000000000000012") ==
          L2W_OK && out.w[0] == 12);
    CHECK(l2w_u256_from_dec(&out, "18446744073709551616") == L2W_OK && out.w[0] == 0 && out.w[1] == 1);
    char hex_max[67] = "0x";
    memset(hex_max + 2, 'F', 64);
    hex_max[66] = '\0';
    CHECK(l2w_u256_from_hex(&out, hex_max) == L2W_OK && l2w_u256_cmp(&out, &max) == 0);
    CHECK(l2w_u256_from_hex(&out, "0X0") == L2W_OK && l2w_u256_is_zero(&out));
    CHECK(l2w_u256_from_hex(&out, "0x0001") == L2W_OK && out.w[0] == 1);
    CHECK(l2w_u256_from_hex(&out, "0x10000000000000000") == L2W_OK && out.w[0] == 0 && out.w[1] == 1);

    char dec[L2W_U256_DEC_LEN], hex[L2W_U256_HEX_LEN];
    l2w_u256_to_dec(dec, &max);
    CHECK(strcmp(dec, max_dec) == 0);
    l2w_u256 z = l2w_u256_from_u64(0);
    l2w_u256_to_dec(dec, &z);
    l2w_u256_to_hex(hex, &z);
    CHECK(strcmp(dec, "0") == 0 && strcmp(hex, "0x0") == 0);
    /* 10^19 is exactly one chunk of the decimal conversion: zeros must survive. */
    l2w_u256 e19 = l2w_u256_from_u64(10000000000000000000ULL);
    l2w_u256_to_dec(dec, &e19);
    CHECK(strcmp(dec, "10000000000000000000") == 0);
}

static void test_random_against_u128(void)
{
    for (int iter = 0; iter < 20000; iter++) {
        u128 a = rand_u127(), b = rand_u127();
        l2w_u256 A = from_u128(a), B = from_u128(b), r;
        CHECK(l2w_u256_add(&r, &A, &B) == L2W_OK && equals_u128(&r, a + b));
        l2w_status st = l2w_u256_sub(&r, &A, &B);
        CHECK(a >= b ? (st == L2W_OK && equals_u128(&r, a - b)) : st == L2W_ERR_RANGE);
        /* Products of 64-bit halves fit in 128 bits. */
        u128 a64 = a >> 63, b64 = b >> 64;
        l2w_u256 A64 = from_u128(a64), B64 = from_u128(b64);
        CHECK(l2w_u256_mul(&r, &A64, &B64) == L2W_OK && equals_u128(&r, a64 * b64));
        l2w_u256 q, m;
        st = l2w_u256_divmod(&q, &m, &A, &B);
        CHECK(b == 0 ? st == L2W_ERR_RANGE : (st == L2W_OK && equals_u128(&q, a / b) && equals_u128(&m, a % b)));
        CHECK(l2w_u256_cmp(&A, &B) == (a < b ? -1 : a > b));

        char want[48], got[L2W_U256_DEC_LEN], hex[L2W_U256_HEX_LEN], want_hex[40];
        u128_to_dec(want, a);
        l2w_u256_to_dec(got, &A);
        CHECK_MSG(strcmp(want, got) == 0, "dec %s vs %s", got, want);
        if ((uint64_t)(a >> 64))
            snprintf(want_hex, sizeof want_hex, "0x%llx%016llx", (unsigned long long)(a >> 64),
                     (unsigned long long)a);
        else
            snprintf(want_hex, sizeof want_hex, "0x%llx", (unsigned long long)a);
        l2w_u256_to_hex(hex, &A);
        CHECK_MSG(strcmp(want_hex, hex) == 0, "hex %s vs %s", hex, want_hex);
        l2w_u256 back;
        CHECK(l2w_u256_from_dec(&back, want) == L2W_OK && equals_u128(&back, a));
    }
}

static void test_random_identities(void)
{
    for (int iter = 0; iter < 20000; iter++) {
        l2w_u256 a = rand_u256(), b = rand_u256(), s, d, p, q, r, t;
        if (l2w_u256_add(&s, &a, &b) == L2W_OK) {
            CHECK(l2w_u256_sub(&d, &s, &b) == L2W_OK && l2w_u256_cmp(&d, &a) == 0);
            CHECK(l2w_u256_cmp(&s, &a) >= 0);
        } else {
            /* Overflow exactly when b > max - a. */
            l2w_u256 max = u256_max(), room;
            CHECK(l2w_u256_sub(&room, &max, &a) == L2W_OK && l2w_u256_cmp(&b, &room) > 0);
        }
        if (l2w_u256_mul(&p, &a, &b) == L2W_OK && !l2w_u256_is_zero(&b)) {
            CHECK(l2w_u256_divmod(&q, &r, &p, &b) == L2W_OK && l2w_u256_cmp(&q, &a) == 0 && l2w_u256_is_zero(&r));
        }
        l2w_u256 p2;
        l2w_status s1 = l2w_u256_mul(&p, &a, &b), s2 = l2w_u256_mul(&p2, &b, &a);
        CHECK(s1 == s2 && (s1 != L2W_OK || l2w_u256_cmp(&p, &p2) == 0));
        if (!l2w_u256_is_zero(&b)) {
            /* a = q*b + r with r < b. */
            CHECK(l2w_u256_divmod(&q, &r, &a, &b) == L2W_OK);
            CHECK(l2w_u256_cmp(&r, &b) < 0);
            CHECK(l2w_u256_mul(&t, &q, &b) == L2W_OK && l2w_u256_add(&t, &t, &r) == L2W_OK &&
                  l2w_u256_cmp(&t, &a) == 0);
        }
        l2w_u256 n, nn;
        l2w_u256_neg(&n, &a);
        l2w_u256_neg(&nn, &n);
        CHECK(l2w_u256_cmp(&nn, &a) == 0);

        char dec[L2W_U256_DEC_LEN], hex[L2W_U256_HEX_LEN];
        l2w_u256 back;
        l2w_u256_to_dec(dec, &a);
        CHECK(l2w_u256_from_dec(&back, dec) == L2W_OK && l2w_u256_cmp(&back, &a) == 0);
        CHECK(dec[0] != '0' || dec[1] == '\0');
        l2w_u256_to_hex(hex, &a);
        CHECK(l2w_u256_from_hex(&back, hex) == L2W_OK && l2w_u256_cmp(&back, &a) == 0);
        CHECK(hex[2] != '0' || hex[3] == '\0');
    }
}

static void test_cmp_mul(void)
{
    /* Products that need the fifth limb: (2^256-1)*2 against 2^255*4 = 2^257. */
    l2w_u256 max = u256_max(), p255 = {{0, 0, 0, 1ULL << 63}};
    CHECK(l2w_u256_cmp_mul(&max, 2, &p255, 4) == -1);
    CHECK(l2w_u256_cmp_mul(&max, 3, &max, 3) == 0);
    CHECK(l2w_u256_cmp_mul(&max, 3, &max, 2) == 1);
    CHECK(l2w_u256_cmp_mul(&max, 1, &p255, 2) == -1); /* 2^256-1 < 2^256 */
    l2w_u256 z = l2w_u256_from_u64(0), one = l2w_u256_from_u64(1);
    CHECK(l2w_u256_cmp_mul(&max, 0, &z, UINT64_MAX) == 0);
    CHECK(l2w_u256_cmp_mul(&one, UINT64_MAX, &max, 0) == 1);
    /* A drawdown threshold at 30%: 300 of 1000 is not above it, 301 is. */
    l2w_u256 fall = l2w_u256_from_u64(300), peak = l2w_u256_from_u64(1000);
    CHECK(l2w_u256_cmp_mul(&fall, 100, &peak, 30) == 0);
    fall = l2w_u256_from_u64(301);
    CHECK(l2w_u256_cmp_mul(&fall, 100, &peak, 30) == 1);
    for (int i = 0; i < 2000; i++) {
        uint64_t a = l2w_test_rand() >> (l2w_test_rand() % 64), b = l2w_test_rand() >> (l2w_test_rand() % 64);
        uint64_t ma = l2w_test_rand() >> (l2w_test_rand() % 64), mb = l2w_test_rand() >> (l2w_test_rand() % 64);
        u128 pa = (u128)a * ma, pb = (u128)b * mb;
        int want = pa < pb ? -1 : pa > pb ? 1 : 0;
        l2w_u256 ua = l2w_u256_from_u64(a), ub = l2w_u256_from_u64(b);
        CHECK_MSG(l2w_u256_cmp_mul(&ua, ma, &ub, mb) == want, "%llu*%llu vs %llu*%llu", (unsigned long long)a,
                  (unsigned long long)ma, (unsigned long long)b, (unsigned long long)mb);
    }
}

static void test_ratio_scaled(void)
{
    uint32_t r = 77;
    l2w_u256 one = l2w_u256_from_u64(1), two = l2w_u256_from_u64(2), three = l2w_u256_from_u64(3);
    l2w_u256 z = l2w_u256_from_u64(0), max = u256_max();
    CHECK(l2w_u256_ratio_scaled(&r, &one, &three, 100) == L2W_OK && r == 33);
    CHECK(l2w_u256_ratio_scaled(&r, &two, &three, 100) == L2W_OK && r == 66);
    CHECK(l2w_u256_ratio_scaled(&r, &z, &three, 10000) == L2W_OK && r == 0);
    CHECK(l2w_u256_ratio_scaled(&r, &three, &three, 10000) == L2W_OK && r == 10000);
    CHECK(l2w_u256_ratio_scaled(&r, &one, &three, 0) == L2W_OK && r == 0);
    CHECK(l2w_u256_ratio_scaled(&r, &max, &max, UINT32_MAX) == L2W_OK && r == UINT32_MAX);
    /* 300 ETH + 1 wei of 1000 ETH: 3000.00000...1 bps, rounded down. */
    l2w_u256 fall, peak, e18 = l2w_u256_from_u64(1000000000000000000ULL), k;
    k = l2w_u256_from_u64(300);
    CHECK(l2w_u256_mul(&fall, &k, &e18) == L2W_OK && l2w_u256_add(&fall, &fall, &one) == L2W_OK);
    k = l2w_u256_from_u64(1000);
    CHECK(l2w_u256_mul(&peak, &k, &e18) == L2W_OK);
    CHECK(l2w_u256_ratio_scaled(&r, &fall, &peak, 10000) == L2W_OK && r == 3000);
    /* Values whose products overflow 256 bits: 2^255 of 2^256-1 is just over one half. */
    l2w_u256 p255 = {{0, 0, 0, 1ULL << 63}}, max_1 = max;
    CHECK(l2w_u256_ratio_scaled(&r, &p255, &max, 10000) == L2W_OK && r == 5000);
    max_1.w[0]--;
    CHECK(l2w_u256_ratio_scaled(&r, &max_1, &max, 10000) == L2W_OK && r == 9999);
    r = 77;
    CHECK(l2w_u256_ratio_scaled(&r, &one, &z, 100) == L2W_ERR_RANGE && r == 77);
    CHECK(l2w_u256_ratio_scaled(&r, &three, &two, 100) == L2W_ERR_RANGE && r == 77);
    for (int i = 0; i < 2000; i++) {
        uint64_t den = l2w_test_rand() >> (l2w_test_rand() % 64);
        if (den == 0)
            den = 1;
        uint64_t num = l2w_test_rand() % den + (l2w_test_rand() % 8 == 0 ? 1 : 0); /* sometimes num == den */
        uint32_t scale = (uint32_t)l2w_test_rand();
        uint32_t want = (uint32_t)((u128)num * scale / den);
        l2w_u256 n = l2w_u256_from_u64(num), d = l2w_u256_from_u64(den);
        CHECK_MSG(l2w_u256_ratio_scaled(&r, &n, &d, scale) == L2W_OK && r == want, "%llu * %u / %llu",
                  (unsigned long long)num, scale, (unsigned long long)den);
    }
}

static void test_to_double(void)
{
    l2w_u256 v = l2w_u256_from_u64(0);
    CHECK(l2w_u256_to_double(&v) == 0.0);
    v = l2w_u256_from_u64(1);
    CHECK(l2w_u256_to_double(&v) == 1.0);
    v = l2w_u256_from_u64(9007199254740993ULL); /* 2^53 + 1: ties to even, 2^53 */
    CHECK(l2w_u256_to_double(&v) == 9007199254740992.0);
    v = l2w_u256_from_u64(UINT64_MAX);
    CHECK(l2w_u256_to_double(&v) == 0x1p64);
    l2w_u256 p255 = {{0, 0, 0, 1ULL << 63}}, max = u256_max();
    CHECK(l2w_u256_to_double(&p255) == 0x1p255);
    CHECK(l2w_u256_to_double(&max) == 0x1p256);
    for (int i = 0; i < 1000; i++) {
        u128 x = rand_u127();
        double want = (double)x, got = l2w_u256_to_double(&(l2w_u256){{(uint64_t)x, (uint64_t)(x >> 64), 0, 0}});
        double diff = got > want ? got - want : want - got;
        CHECK_MSG(diff <= want * 0x1p-51, "%.17g vs %.17g", got, want);
    }
}

static void test_to_units(void)
{
    struct {
        uint64_t v;
        uint8_t decimals;
        const char *want;
    } cases[] = {
        {0, 18, "0"},
        {1, 18, "0.000000000000000001"},
        {12500000000000000000ULL, 18, "12.5"},
        {1000000000000000000ULL, 18, "1"},
        {12500, 0, "12500"},
        {120, 2, "1.2"},
        {100, 2, "1"},
        {5, 1, "0.5"},
        {1234567, 6, "1.234567"},
        {0, 0, "0"},
    };
    char out[L2W_U256_UNITS_LEN];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        l2w_u256 v = l2w_u256_from_u64(cases[i].v);
        l2w_u256_to_units(out, &v, cases[i].decimals);
        CHECK_MSG(strcmp(out, cases[i].want) == 0, "%llu / 10^%u: %s", (unsigned long long)cases[i].v,
                  cases[i].decimals, out);
    }
    l2w_u256 max = u256_max();
    l2w_u256_to_units(out, &max, 18);
    CHECK(strcmp(out, "115792089237316195423570985008687907853269984665640564039457.584007913129639935") == 0);
    /* The longest text: 78 digits after 177 zeros. */
    l2w_u256_to_units(out, &max, 255);
    CHECK(strlen(out) == 257 && strncmp(out, "0.000", 5) == 0 && strcmp(out + 179, max_dec) == 0);
}

int main(void)
{
    (void)l2w_test_seed();
    RUN(test_basics);
    RUN(test_overflow_and_failures);
    RUN(test_division_edges);
    RUN(test_parse_rejects);
    RUN(test_parse_accepts);
    RUN(test_random_against_u128);
    RUN(test_random_identities);
    RUN(test_cmp_mul);
    RUN(test_ratio_scaled);
    RUN(test_to_double);
    RUN(test_to_units);
    return l2w_test_finish();
}
