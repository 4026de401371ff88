/* Hex text: decoding rules (prefix, case, odd length, bad digits, capacity),
 * exact-length helpers that leave their output alone on failure, encoding
 * round trips, and JSON-RPC QUANTITY parsing and formatting. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hex.h"
#include "tests/unit/harness.h"

static l2w_status decode_str(uint8_t *out, size_t cap, size_t *n, const char *s)
{
    return l2w_hex_decode(out, cap, n, s, strlen(s));
}

static void test_decode_accepts(void)
{
    uint8_t b[8];
    size_t n = 99;
    CHECK(decode_str(b, sizeof b, &n, "0x") == L2W_OK && n == 0);
    CHECK(decode_str(b, sizeof b, &n, "") == L2W_OK && n == 0);
    CHECK(decode_str(b, sizeof b, &n, "0xaBcD") == L2W_OK && n == 2 && b[0] == 0xab && b[1] == 0xcd);
    CHECK(decode_str(b, sizeof b, &n, "0X00ff") == L2W_OK && n == 2 && b[0] == 0x00 && b[1] == 0xff);
    CHECK(decode_str(b, sizeof b, &n, "1234") == L2W_OK && n == 2 && b[0] == 0x12 && b[1] == 0x34);
    /* hex_len bounds the text: the NUL is not needed and bytes past it are ignored. */
    CHECK(l2w_hex_decode(b, sizeof b, &n, "0x12zz", 4) == L2W_OK && n == 1 && b[0] == 0x12);
    CHECK(decode_str(b, 8, &n, "0x0102030405060708") == L2W_OK && n == 8 && b[7] == 8);
}

static void test_decode_rejects(void)
{
    uint8_t b[4];
    size_t n;
    CHECK(decode_str(b, sizeof b, &n, "0x1") == L2W_ERR_INVALID);
    CHECK(decode_str(b, sizeof b, &n, "abc") == L2W_ERR_INVALID);
    CHECK(decode_str(b, sizeof b, &n, "0xgg") == L2W_ERR_INVALID);
    CHECK(decode_str(b, sizeof b, &n, "0x 1") == L2W_ERR_INVALID);
    CHECK(decode_str(b, sizeof b, &n, " 0x12") == L2W_ERR_INVALID);
    CHECK(decode_str(b, sizeof b, &n, "0x0x12") == L2W_ERR_INVALID);
    CHECK(decode_str(b, sizeof b, &n, "0x-1") == L2W_ERR_INVALID);
    CHECK(decode_str(b, sizeof b, &n, "0x0102030405") == L2W_ERR_RANGE);
    CHECK(l2w_hex_decode(b, sizeof b, &n, NULL, 2) == L2W_ERR_INVALID);
    /* Non-hex characters just outside the ranges 0-9, a-f, A-F. */
    const char edges[] = {'/', ':', '@', 'G', '`', 'g'};
    for (size_t i = 0; i < sizeof edges; i++) {
        char s[3] = {'1', edges[i], '\0'};
        CHECK_MSG(decode_str(b, sizeof b, &n, s) == L2W_ERR_INVALID, "digit '%c'", edges[i]);
    }
}

static void test_exact(void)
{
    uint8_t b[2];
    CHECK(l2w_hex_decode_exact(b, 2, "0xbeef") == L2W_OK && b[0] == 0xbe && b[1] == 0xef);
    CHECK(l2w_hex_decode_exact(b, 2, "beef") == L2W_ERR_INVALID);
    CHECK(l2w_hex_decode_exact(b, 2, "0xbee") == L2W_ERR_INVALID);
    CHECK(l2w_hex_decode_exact(b, 2, "0xbeef00") == L2W_ERR_INVALID);
    CHECK(l2w_hex_decode_exact(b, 2, "0xbe") == L2W_ERR_INVALID);
    CHECK(l2w_hex_decode_exact(b, 0, "0x") == L2W_OK);
    CHECK(l2w_hex_decode_exact(b, 2, NULL) == L2W_ERR_INVALID);
    CHECK(l2w_hex_decode_exact(b, SIZE_MAX, "0x00") == L2W_ERR_INVALID);

    l2w_addr a;
    memset(a.b, 0x5a, sizeof a.b);
    l2w_addr before = a;
    CHECK(l2w_addr_from_hex(&a, "0xDFE97868233D1AA22E815A266982F2CF17685A2") == L2W_ERR_INVALID);
    CHECK(l2w_addr_eq(&a, &before));
    CHECK(l2w_addr_from_hex(&a, "0xDFE97868233D1AA22E815A266982F2CF17685A27") == L2W_OK);
    CHECK(a.b[0] == 0xdf && a.b[19] == 0x27);

    l2w_hash h;
    memset(h.b, 0x11, sizeof h.b);
    l2w_hash hb = h;
    CHECK(l2w_hash_from_hex(&h, "0x00") == L2W_ERR_INVALID);
    CHECK(l2w_hash_eq(&h, &hb));
}

static void test_encode_round_trip(void)
{
    for (int iter = 0; iter < 500; iter++) {
        uint8_t in[64], back[64];
        size_t len = (size_t)(l2w_test_rand() % sizeof in);
        for (size_t i = 0; i < len; i++)
            in[i] = (uint8_t)l2w_test_rand();
        char *s = l2w_hex_encode_alloc(in, len);
        CHECK(s != NULL);
        if (!s)
            return;
        CHECK(strlen(s) == 2 + 2 * len && s[0] == '0' && s[1] == 'x');
        /* Lowercase, and each byte is its two digits in order. */
        for (size_t i = 0; i < len; i++) {
            char two[3];
            snprintf(two, sizeof two, "%02x", in[i]);
            CHECK(s[2 + 2 * i] == two[0] && s[3 + 2 * i] == two[1]);
        }
        size_t n;
        CHECK(decode_str(back, sizeof back, &n, s) == L2W_OK && n == len && memcmp(in, back, len) == 0);
        free(s);
    }
    l2w_addr a;
    memset(a.b, 0xab, sizeof a.b);
    char ah[L2W_ADDR_HEX_LEN];
    l2w_addr_to_hex(ah, &a);
    CHECK(strlen(ah) == 42);
    CHECK(l2w_hex_encode_alloc(NULL, SIZE_MAX / 2) == NULL);
}

static void test_quantity(void)
{
    uint64_t v = 7;
    CHECK(l2w_quantity_to_u64(&v, "0x0") == L2W_OK && v == 0);
    CHECK(l2w_quantity_to_u64(&v, "0x1a2B") == L2W_OK && v == 0x1a2b);
    CHECK(l2w_quantity_to_u64(&v, "0xffffffffffffffff") == L2W_OK && v == UINT64_MAX);
    v = 7;
    CHECK(l2w_quantity_to_u64(&v, "0x10000000000000000") == L2W_ERR_RANGE);
    CHECK(l2w_quantity_to_u64(&v, "0x") == L2W_ERR_INVALID);
    CHECK(l2w_quantity_to_u64(&v, "0x00") == L2W_ERR_INVALID);
    CHECK(l2w_quantity_to_u64(&v, "0x01") == L2W_ERR_INVALID);
    CHECK(l2w_quantity_to_u64(&v, "10") == L2W_ERR_INVALID);
    CHECK(l2w_quantity_to_u64(&v, "0xz") == L2W_ERR_INVALID);
    CHECK(l2w_quantity_to_u64(&v, "0x1 ") == L2W_ERR_INVALID);
    CHECK(l2w_quantity_to_u64(&v, "-0x1") == L2W_ERR_INVALID);
    CHECK(l2w_quantity_to_u64(&v, NULL) == L2W_ERR_INVALID);
    CHECK(v == 7);

    char q[19];
    l2w_u64_to_quantity(q, 0);
    CHECK(strcmp(q, "0x0") == 0);
    for (int iter = 0; iter < 1000; iter++) {
        uint64_t x = l2w_test_rand() >> (l2w_test_rand() % 64);
        char want[19];
        snprintf(want, sizeof want, "0x%" PRIx64, x);
        l2w_u64_to_quantity(q, x);
        CHECK_MSG(strcmp(q, want) == 0, "%s vs %s", q, want);
        uint64_t back;
        CHECK(l2w_quantity_to_u64(&back, q) == L2W_OK && back == x);
    }
}

int main(void)
{
    (void)l2w_test_seed();
    RUN(test_decode_accepts);
    RUN(test_decode_rejects);
    RUN(test_exact);
    RUN(test_encode_round_trip);
    RUN(test_quantity);
    return l2w_test_finish();
}
