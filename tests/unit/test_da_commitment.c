/* da_commitment (detectors/da_commitment.c): batcher calldata of every kind
 * the OP Alt-DA spec and op-node's decoder distinguish, malformed inputs at
 * each boundary (empty, a version byte alone, keccak hashes of 31/32/33
 * bytes, a generic commitment without its DA layer byte, unknown commitment
 * types), the keccak check, the DA server path, and EIP-4844 versioned
 * hashes.
 *
 * Expected hashes were computed outside this code base and pasted:
 *   keccak: `cast keccak 0x0068656c6c6f206672616d6573` (the input
 *           "\x00hello frames", a version-0 batch as a DA server stores it)
 *   sha256: python3 -c 'import hashlib; c=bytes([0xc0])+bytes(47);
 *           print((b"\x01"+hashlib.sha256(c).digest()[1:]).hex())'
 *           and the same with c=bytes(range(48)). 0xc0 followed by 47 zero
 *           bytes is the compressed point at infinity, the KZG commitment of
 *           an all-zero blob, so its versioned hash is the one seen on chain
 *           for empty blobs. */
#include <stdlib.h>
#include <string.h>

#include "core/hex.h"
#include "detectors/da_commitment.h"
#include "tests/unit/harness.h"

#define INPUT_HEX "0x0068656c6c6f206672616d6573"
#define INPUT_KECCAK "82f4b4cec8b958aef7bcabda80eb2d2043f4d558d98917b93bd50adca2dca08e"

/* Decodes hex into a malloc'd buffer (the harness checks the decode). */
static uint8_t *from_hex(const char *hex, size_t *len)
{
    size_t n = strlen(hex);
    uint8_t *b = malloc(n / 2 + 1);
    CHECK(b != NULL);
    *len = 0;
    CHECK(l2w_hex_decode(b, n / 2 + 1, len, hex, n) == L2W_OK);
    return b;
}

static void decode_hex(l2w_da_calldata *out, const char *hex, uint8_t **keep)
{
    size_t len;
    *keep = from_hex(hex, &len);
    l2w_da_decode_calldata(out, *keep, len);
}

static void test_frames(void)
{
    uint8_t *buf;
    l2w_da_calldata d;
    decode_hex(&d, "0x00deadbeef", &buf);
    CHECK(d.kind == L2W_DA_KIND_FRAMES);
    CHECK(d.version == 0);
    CHECK(d.encoded == NULL && d.encoded_len == 0);
    CHECK(d.why == NULL);
    free(buf);
    /* A version byte alone is still version 0; the frame decoder judges the rest. */
    decode_hex(&d, "0x00", &buf);
    CHECK(d.kind == L2W_DA_KIND_FRAMES);
    free(buf);
}

static void test_keccak(void)
{
    uint8_t *buf;
    l2w_da_calldata d;
    decode_hex(&d, "0x0100" INPUT_KECCAK, &buf);
    CHECK(d.kind == L2W_DA_KIND_KECCAK);
    CHECK(d.version == 1);
    CHECK(d.encoded == buf + 1); /* borrowed from the calldata, type byte first */
    CHECK(d.encoded_len == 33);
    l2w_hash want;
    CHECK(l2w_hash_from_hex(&want, "0x" INPUT_KECCAK) == L2W_OK);
    CHECK(l2w_hash_eq(&d.keccak, &want));

    size_t in_len;
    uint8_t *input = from_hex(INPUT_HEX, &in_len);
    CHECK(l2w_da_keccak_matches(d.encoded, input, in_len));
    /* One bit off in the data, or the input without its version byte. */
    input[in_len - 1] ^= 1;
    CHECK(!l2w_da_keccak_matches(d.encoded, input, in_len));
    input[in_len - 1] ^= 1;
    CHECK(!l2w_da_keccak_matches(d.encoded, input + 1, in_len - 1));
    /* The right hash behind a generic type byte is no keccak commitment. */
    uint8_t generic[33];
    memcpy(generic, d.encoded, 33);
    generic[0] = L2W_DA_COMMITMENT_GENERIC;
    CHECK(!l2w_da_keccak_matches(generic, input, in_len));
    free(input);

    /* Empty input: keccak256("") (cast keccak 0x). */
    uint8_t empty_comm[33];
    size_t n;
    CHECK(l2w_hex_decode(empty_comm, sizeof empty_comm, &n,
                         "0x00c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470", 68) == L2W_OK);
    CHECK(l2w_da_keccak_matches(empty_comm, NULL, 0));
    free(buf);
}

static void test_generic(void)
{
    uint8_t *buf;
    l2w_da_calldata d;
    decode_hex(&d, "0x01010c01020304", &buf);
    CHECK(d.kind == L2W_DA_KIND_GENERIC);
    CHECK(d.da_layer == 0x0c);
    CHECK(d.encoded == buf + 1 && d.encoded_len == 6);
    free(buf);
    /* The DA layer byte alone is a (degenerate) commitment op-node accepts. */
    decode_hex(&d, "0x0101ff", &buf);
    CHECK(d.kind == L2W_DA_KIND_GENERIC);
    CHECK(d.da_layer == 0xff);
    CHECK(d.encoded_len == 2);
    free(buf);
    /* A generic payload that happens to be 32 bytes stays generic. */
    decode_hex(&d, "0x0101" INPUT_KECCAK, &buf);
    CHECK(d.kind == L2W_DA_KIND_GENERIC);
    CHECK(d.encoded_len == 33);
    free(buf);
}

static void expect_malformed(const char *hex, const char *why_part)
{
    uint8_t *buf;
    l2w_da_calldata d;
    decode_hex(&d, hex, &buf);
    CHECK_MSG(d.kind == L2W_DA_KIND_MALFORMED, "%s: kind %s", hex, l2w_da_kind_name(d.kind));
    CHECK(d.encoded == NULL && d.encoded_len == 0);
    CHECK_MSG(d.why && strstr(d.why, why_part), "%s: why %s", hex, d.why ? d.why : "(null)");
    free(buf);
}

static void test_malformed(void)
{
    l2w_da_calldata d;
    l2w_da_decode_calldata(&d, NULL, 0);
    CHECK(d.kind == L2W_DA_KIND_MALFORMED);
    CHECK(d.why && strstr(d.why, "empty"));

    expect_malformed("0x01", "no commitment");
    expect_malformed("0x0100", "not 32 bytes");
    /* 31, 32 and 33 bytes after the type byte: only 32 is a keccak commitment. */
    expect_malformed("0x0100" "82f4b4cec8b958aef7bcabda80eb2d2043f4d558d98917b93bd50adca2dca0", "not 32 bytes");
    expect_malformed("0x0100" INPUT_KECCAK "00", "not 32 bytes");
    expect_malformed("0x0101", "no DA layer byte");
    expect_malformed("0x0102" INPUT_KECCAK, "unknown commitment type");
    expect_malformed("0x017f00", "unknown commitment type");
    expect_malformed("0x01ff00", "unknown commitment type");
}

static void test_unknown_version(void)
{
    for (unsigned v = 2; v <= 0xff; v++) {
        uint8_t data[34] = {(uint8_t)v, 0x00};
        l2w_da_calldata d;
        l2w_da_decode_calldata(&d, data, sizeof data);
        CHECK(d.kind == L2W_DA_KIND_UNKNOWN_VERSION);
        CHECK(d.version == v);
        CHECK(d.encoded == NULL);
        CHECK(d.why != NULL);
    }
}

static void test_get_path(void)
{
    size_t n;
    uint8_t *comm = from_hex("0x00" INPUT_KECCAK, &n);
    CHECK(n == 33);
    char path[80];
    CHECK(l2w_da_get_path_size(33) == 7 + 66 + 1);
    CHECK(l2w_da_get_path(path, sizeof path, comm, n) == L2W_OK);
    CHECK(strcmp(path, "/get/0x00" INPUT_KECCAK) == 0);
    /* Exactly big enough, then one byte short. */
    CHECK(l2w_da_get_path(path, l2w_da_get_path_size(33), comm, n) == L2W_OK);
    CHECK(strlen(path) == 73);
    CHECK(l2w_da_get_path(path, l2w_da_get_path_size(33) - 1, comm, n) == L2W_ERR_RANGE);
    CHECK(path[0] == '\0');
    CHECK(l2w_da_get_path(path, sizeof path, NULL, 0) == L2W_OK);
    CHECK(strcmp(path, "/get/0x") == 0);
    free(comm);
}

static void check_versioned(const uint8_t commitment[48], const char *want_hex)
{
    l2w_hash got, want;
    l2w_da_blob_versioned_hash(&got, commitment);
    CHECK(l2w_hash_from_hex(&want, want_hex) == L2W_OK);
    char got_hex[L2W_HASH_HEX_LEN];
    l2w_hash_to_hex(got_hex, &got);
    CHECK_MSG(l2w_hash_eq(&got, &want), "got %s want %s", got_hex, want_hex);
}

static void test_versioned_hash(void)
{
    uint8_t c[48] = {0xc0};
    check_versioned(c, "0x010657f37554c781402a22917dee2f75def7ab966d7b770905398eba3c444014");
    for (unsigned i = 0; i < 48; i++)
        c[i] = (uint8_t)i;
    /* sha256 is 0x4dbdc2b2...: the first byte is replaced by the version. */
    check_versioned(c, "0x01bdc2b2b62cb00749785bc84202236dbc3777d74660611b8e58812f0cfde6c3");
}

static void test_kind_names(void)
{
    CHECK(strcmp(l2w_da_kind_name(L2W_DA_KIND_FRAMES), "frames") == 0);
    CHECK(strcmp(l2w_da_kind_name(L2W_DA_KIND_KECCAK), "keccak") == 0);
    CHECK(strcmp(l2w_da_kind_name(L2W_DA_KIND_GENERIC), "generic") == 0);
    CHECK(strcmp(l2w_da_kind_name(L2W_DA_KIND_UNKNOWN_VERSION), "unknown_version") == 0);
    CHECK(strcmp(l2w_da_kind_name(L2W_DA_KIND_MALFORMED), "malformed") == 0);
}

int main(void)
{
    RUN(test_frames);
    RUN(test_keccak);
    RUN(test_generic);
    RUN(test_malformed);
    RUN(test_unknown_version);
    RUN(test_get_path);
    RUN(test_versioned_hash);
    RUN(test_kind_names);
    return l2w_test_finish();
}
