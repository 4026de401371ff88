/* Keccak-256: known answers from the shared vectors file, and the sponge's
 * buffering (any split of the input into update calls, in particular around
 * the 136-byte rate) must give the one-shot digest. Random digests are
 * compared with cast in tests/diff. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/hex.h"
#include "core/keccak.h"
#include "tests/unit/harness.h"

enum { RATE = 136 };

static void fill_random(uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)l2w_test_rand();
}

static void check_one_kat(const json_t *kat, size_t index)
{
    const char *in_hex = json_string_value(json_object_get(kat, "input_hex"));
    const char *in_utf8 = json_string_value(json_object_get(kat, "input_utf8"));
    const char *want_hex = json_string_value(json_object_get(kat, "hash"));
    CHECK_MSG(want_hex && (in_hex || in_utf8), "vector %zu lacks fields", index);
    if (!want_hex || !(in_hex || in_utf8))
        return;
    uint8_t input[1024];
    size_t n = 0;
    if (in_hex) {
        CHECK(l2w_hex_decode(input, sizeof input, &n, in_hex, strlen(in_hex)) == L2W_OK);
    } else {
        n = strlen(in_utf8);
        CHECK(n <= sizeof input);
        memcpy(input, in_utf8, n);
    }
    l2w_hash want, got;
    CHECK(l2w_hash_from_hex(&want, want_hex) == L2W_OK);
    l2w_keccak256_hash(&got, input, n);
    char hex[L2W_HASH_HEX_LEN];
    l2w_hash_to_hex(hex, &got);
    CHECK_MSG(l2w_hash_eq(&want, &got), "vector %zu: got %s want %s", index, hex, want_hex);
}

static void test_known_answers(void)
{
    char *text = l2w_test_read_file(l2w_test_vector_path("ethereum.json"));
    CHECK_MSG(text != NULL, "cannot read %s", l2w_test_vector_path("ethereum.json"));
    if (!text)
        return;
    json_error_t jerr;
    json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
    free(text);
    CHECK_MSG(root != NULL, "ethereum.json: %s", jerr.text);
    const json_t *kats = json_object_get(root, "keccak256");
    CHECK(json_is_array(kats) && json_array_size(kats) >= 2);
    for (size_t i = 0; i < json_array_size(kats); i++)
        check_one_kat(json_array_get(kats, i), i);
    json_decref(root);
}

/* Feeds in in chunks whose sizes come from the PRNG (0 included). */
static void digest_in_random_chunks(uint8_t out[32], const uint8_t *in, size_t len)
{
    l2w_keccak_ctx ctx;
    l2w_keccak_init(&ctx);
    size_t pos = 0;
    while (pos < len) {
        size_t chunk = (size_t)(l2w_test_rand() % (2 * RATE + 2));
        if (chunk > len - pos)
            chunk = len - pos;
        l2w_keccak_update(&ctx, in + pos, chunk);
        pos += chunk;
    }
    l2w_keccak_final(&ctx, out);
}

static void test_incremental_matches_one_shot(void)
{
    uint8_t buf[4 * RATE + 8];
    fill_random(buf, sizeof buf);
    /* Every length up to three blocks and a bit: covers 135, 136, 137 (the
     * padding bytes 0x01 and 0x80 in one byte, a block that is exactly full,
     * one byte into the next) and the same at 2*136 and 3*136. */
    for (size_t len = 0; len <= 3 * RATE + 3; len++) {
        uint8_t one[32], split[32], bytewise[32];
        l2w_keccak256(one, buf, len);
        digest_in_random_chunks(split, buf, len);
        l2w_keccak_ctx ctx;
        l2w_keccak_init(&ctx);
        for (size_t i = 0; i < len; i++)
            l2w_keccak_update(&ctx, buf + i, 1);
        l2w_keccak_final(&ctx, bytewise);
        CHECK_MSG(memcmp(one, split, 32) == 0, "len %zu: chunked differs", len);
        CHECK_MSG(memcmp(one, bytewise, 32) == 0, "len %zu: bytewise differs", len);
    }
}

static void test_every_split_around_rate(void)
{
    uint8_t buf[2 * RATE + 2];
    fill_random(buf, sizeof buf);
    for (size_t len = RATE - 1; len <= RATE + 1; len++) {
        uint8_t want[32];
        l2w_keccak256(want, buf, len);
        for (size_t cut = 0; cut <= len; cut++) {
            uint8_t got[32];
            l2w_keccak_ctx ctx;
            l2w_keccak_init(&ctx);
            l2w_keccak_update(&ctx, buf, cut);
            l2w_keccak_update(&ctx, buf + cut, len - cut);
            l2w_keccak_final(&ctx, got);
            CHECK_MSG(memcmp(want, got, 32) == 0, "len %zu cut %zu", len, cut);
        }
    }
}

static void test_distinct_lengths_distinct_digests(void)
{
    /* Zero bytes of different lengths must differ: catches padding that
     * ignores the message length (e.g. 0x01 written at a fixed place). */
    uint8_t zeros[2 * RATE] = {0};
    uint8_t prev[32] = {0};
    for (size_t len = 0; len <= sizeof zeros; len++) {
        uint8_t h[32];
        l2w_keccak256(h, zeros, len);
        CHECK_MSG(len == 0 || memcmp(h, prev, 32) != 0, "len %zu equals len %zu", len, len - 1);
        memcpy(prev, h, 32);
    }
}

static void test_context_reusable_after_final(void)
{
    uint8_t a[32], b[32];
    l2w_keccak_ctx ctx;
    l2w_keccak_init(&ctx);
    l2w_keccak_update(&ctx, (const uint8_t *)"first", 5);
    l2w_keccak_final(&ctx, a);
    l2w_keccak_update(&ctx, (const uint8_t *)"abc", 3);
    l2w_keccak_final(&ctx, b);
    uint8_t want[32];
    l2w_keccak256(want, (const uint8_t *)"abc", 3);
    CHECK(memcmp(b, want, 32) == 0);
    CHECK(memcmp(a, b, 32) != 0);
}

int main(void)
{
    (void)l2w_test_seed();
    RUN(test_known_answers);
    RUN(test_incremental_matches_one_shot);
    RUN(test_every_split_around_rate);
    RUN(test_distinct_lengths_distinct_digests);
    RUN(test_context_reusable_after_final);
    return l2w_test_finish();
}
