/* sequenceBatchesValidium calldata (collector/validium_calldata.c): the fork
 * told by its selector, the hash the committee signs accumulated over the
 * batches that are not forced, the signatures and addresses carried out, and
 * clear refusals for input that is no such call. The calldata vectors come
 * from Foundry's `cast calldata`, the hashes from `cast keccak`. */
#include <stdlib.h>
#include <string.h>

#include "collector/validium_calldata.h"
#include "core/hex.h"
#include "tests/unit/harness.h"

/* elderberry: batches T1 (not forced), T2 (forced, timestamp 1700000000),
 * T3 (not forced); maxSequenceTimestamp 1700000100, initSequencedBatch 7,
 * l2Coinbase 0x..c0, dataAvailabilityMessage 0xdeadbeef. */
static const char elderberry_call[] =
    "0xdb5b0ed700000000000000000000000000000000000000000000000000000000000000a000000000000000000000000000000000000000"
    "0000000000000000006553f16400000000000000000000000000000000000000000000000000000000000000070000000000000000000000"
    "0000000000000000000000000000000000000000c00000000000000000000000000000000000000000000000000000000000000240000000"
    "0000000000000000000000000000000000000000000000000000000003111111111111111111111111111111111111111111111111111111"
    "1111111111000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000002222222222222222222222"
    "2222222222222222222222222222222222222222224444444444444444444444444444444444444444444444444444444444444444000000"
    "000000000000000000000000000000000000000000000000006553f100444444444444444444444444444444444444444444444444444444"
    "4444444444333333333333333333333333333333333333333333333333333333333333333300000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000004deadbe"
    "ef00000000000000000000000000000000000000000000000000000000";
/* keccak256(keccak256(0^32 ‖ T1) ‖ T3) */
static const char elderberry_signed[] = "0x98b79d14795de18b3fd454c46fa45f3d8a3048369d06d024bbfdbb390a2cce70";

/* banana: one batch T1 (not forced), indexL1InfoRoot 5, maxSequenceTimestamp
 * 1700000100, expectedFinalAccInputHash 0x55..55, l2Coinbase 0x..c0, an
 * empty dataAvailabilityMessage. */
static const char banana_call[] =
    "0x165e8a8d00000000000000000000000000000000000000000000000000000000000000c000000000000000000000000000000000000000"
    "00000000000000000000000005000000000000000000000000000000000000000000000000000000006553f1645555555555555555555555"
    "55555555555555555555555555555555555555555500000000000000000000000000000000000000000000000000000000000000c0000000"
    "0000000000000000000000000000000000000000000000000000000160000000000000000000000000000000000000000000000000000000"
    "0000000001111111111111111111111111111111111111111111111111111111111111111100000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000";
/* keccak256(0^32 ‖ T1) */
static const char banana_signed[] = "0x8e4b8e18156a1c7271055ce5b7ef53bb370294ebd631a3b95418a92da46e681f";

static uint8_t *from_hex(const char *hex, size_t *len)
{
    size_t cap = strlen(hex) / 2 + 1;
    uint8_t *out = malloc(cap);
    if (!out || l2w_hex_decode(out, cap, len, hex, strlen(hex)) != L2W_OK) {
        CHECK_MSG(false, "bad test vector");
        free(out);
        return NULL;
    }
    return out;
}

static bool hash_is(const l2w_hash *h, const char *hex)
{
    l2w_hash want;
    return l2w_hash_from_hex(&want, hex) == L2W_OK && l2w_hash_eq(h, &want);
}

/* Decodes a cast-made call and checks what it says. */
static void check_call(const char *hex, const char *fork, size_t n_batches, size_t n_non_forced,
                       const char *signed_hash, const uint8_t *message, size_t message_len)
{
    size_t len;
    uint8_t *in = from_hex(hex, &len);
    if (!in)
        return;
    l2w_validium_sequence s;
    l2w_err err = {{0}};
    l2w_status st = l2w_validium_sequence_decode(&s, in, len, &err);
    CHECK_MSG(st == L2W_OK, "%s: %s", fork, err.msg);
    if (st == L2W_OK) {
        CHECK(strcmp(s.fork, fork) == 0);
        CHECK(s.n_batches == n_batches && s.n_non_forced == n_non_forced);
        CHECK(hash_is(&s.signed_hash, signed_hash));
        CHECK(s.da_message_len == message_len && (message_len == 0 || memcmp(s.da_message, message, message_len) == 0));
        l2w_validium_sequence_clear(&s);
        CHECK(s.da_message == NULL);
    }
    free(in);
}

static void test_elderberry(void)
{
    static const uint8_t msg[] = {0xde, 0xad, 0xbe, 0xef};
    check_call(elderberry_call, "elderberry", 3, 2, elderberry_signed, msg, sizeof msg);
}

static void test_banana(void)
{
    check_call(banana_call, "banana", 1, 1, banana_signed, NULL, 0);
}

/* Every batch forced: the contract does not call verifyMessage, and the
 * decoder says so with no non-forced batches and a zero hash. Built by
 * editing the elderberry vector: T1 and T3 get a forced timestamp. */
static void test_all_forced(void)
{
    size_t len;
    uint8_t *in = from_hex(elderberry_call, &len);
    if (!in)
        return;
    /* batch i's forcedTimestamp word: selector, 5 head words, the length
     * word, then 4 words per batch; the timestamp is word 2 of a batch. */
    for (size_t b = 0; b < 3; b += 2)
        in[4 + 32 * (5 + 1 + 4 * b + 2) + 31] = 1;
    l2w_validium_sequence s;
    l2w_err err = {{0}};
    l2w_status st = l2w_validium_sequence_decode(&s, in, len, &err);
    CHECK_MSG(st == L2W_OK, "%s", err.msg);
    if (st == L2W_OK) {
        static const l2w_hash zero;
        CHECK(s.n_batches == 3 && s.n_non_forced == 0 && l2w_hash_eq(&s.signed_hash, &zero));
        l2w_validium_sequence_clear(&s);
    }
    free(in);
}

static void expect_refused(const uint8_t *in, size_t len, l2w_status want_st, const char *want)
{
    l2w_validium_sequence s;
    memset(&s, 0x5a, sizeof s);
    l2w_err err = {{0}};
    l2w_status st = l2w_validium_sequence_decode(&s, in, len, &err);
    CHECK_MSG(st == want_st, "status %d, want %d (%s)", (int)st, (int)want_st, err.msg);
    CHECK_MSG(strstr(err.msg, want) != NULL, "message \"%s\" lacks \"%s\"", err.msg, want);
}

static void test_refusals(void)
{
    size_t len;
    uint8_t *in = from_hex(elderberry_call, &len);
    if (!in)
        return;
    expect_refused(in, 3, L2W_ERR_NOT_FOUND, "carries no selector");
    /* the Etrog rollup's plain sequenceBatches is no validium call */
    static const uint8_t other[] = {0xec, 0xef, 0x3f, 0x99, 0, 0};
    expect_refused(other, sizeof other, L2W_ERR_NOT_FOUND, "selector 0xecef3f99 is no sequenceBatchesValidium");
    /* cut inside the batches' tail */
    expect_refused(in, len - 200, L2W_ERR_INVALID, "sequenceBatchesValidium (elderberry) arguments");
    /* a length word claiming 2^32 batches */
    uint8_t *big = malloc(len);
    if (big) {
        memcpy(big, in, len);
        big[4 + 32 * 5 + 27] = 1;
        expect_refused(big, len, L2W_ERR_INVALID, "sequenceBatchesValidium (elderberry) arguments");
        /* zero batches decode, and are refused as the contract refuses them */
        memset(big + 4 + 32 * 5, 0, 32);
        expect_refused(big, len, L2W_ERR_INVALID, "0 batches, expected 1..1000");
        free(big);
    }
    free(in);
}

int main(void)
{
    RUN(test_elderberry);
    RUN(test_banana);
    RUN(test_all_forced);
    RUN(test_refusals);
    return l2w_test_finish();
}
