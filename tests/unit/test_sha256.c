/* SHA-256, HMAC-SHA256 and l2w_ct_equal.
 *
 * Known answers: the SHA-256 examples of the NIST FIPS 180-4 example document
 * and CAVP ("", "abc", the 448-bit and 896-bit messages, one million 'a'),
 * and RFC 4231 section 4 test cases 1-7 for HMAC-SHA256. They are written
 * here because ../shared/vectors holds none for SHA-256.
 *
 * Differential: random data of every length 0..200 against the sha256sum
 * command, and HMAC over random keys of every length 0..140 (both sides of
 * the 64-byte block) against Python's hmac module; each is skipped, loudly,
 * when its tool is missing. Buffering: any split of the input into update
 * calls must give the one-shot digest. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/hex.h"
#include "core/sha256.h"
#include "tests/unit/harness.h"

enum { BLOCK = 64 };

static void fill_random(uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)l2w_test_rand();
}

/* Compares the first n bytes of got with the hex string want (n <= 32). */
static void check_hex(const uint8_t *got, size_t n, const char *want_hex, const char *what)
{
    uint8_t want[32];
    size_t want_len = 0;
    CHECK(l2w_hex_decode(want, sizeof want, &want_len, want_hex, strlen(want_hex)) == L2W_OK);
    CHECK(want_len == n);
    char got_hex[2 * 32 + 3];
    l2w_hex_encode(got_hex, got, n);
    CHECK_MSG(want_len == n && memcmp(got, want, n) == 0, "%s: got %s want %s", what, got_hex,
              want_hex);
}

/* Feeds in in chunks whose sizes come from the PRNG (0 included). */
static void sha256_random_chunks(uint8_t out[32], const uint8_t *in, size_t len)
{
    l2w_sha256_ctx ctx;
    l2w_sha256_init(&ctx);
    size_t pos = 0;
    while (pos < len) {
        size_t chunk = (size_t)(l2w_test_rand() % (2 * BLOCK + 2));
        if (chunk > len - pos)
            chunk = len - pos;
        l2w_sha256_update(&ctx, in + pos, chunk);
        pos += chunk;
    }
    l2w_sha256_final(&ctx, out);
}

static void sha256_bytewise(uint8_t out[32], const uint8_t *in, size_t len)
{
    l2w_sha256_ctx ctx;
    l2w_sha256_init(&ctx);
    for (size_t i = 0; i < len; i++)
        l2w_sha256_update(&ctx, in + i, 1);
    l2w_sha256_final(&ctx, out);
}

static void test_fips_examples(void)
{
    static const struct {
        const char *msg;
        const char *digest;
    } kats[] = {
        {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        /* 448 bits: the padding's 0x80 fits the first block, the length not. */
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
        /* 896 bits, the SHA-512 family's two-block example. */
        {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmno"
         "pqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
    };
    for (size_t i = 0; i < sizeof kats / sizeof kats[0]; i++) {
        const uint8_t *m = (const uint8_t *)kats[i].msg;
        size_t len = strlen(kats[i].msg);
        uint8_t got[32];
        char what[64];
        l2w_sha256(got, m, len);
        snprintf(what, sizeof what, "example %zu (%zu bytes) one-shot", i, len);
        check_hex(got, 32, kats[i].digest, what);
        sha256_bytewise(got, m, len);
        snprintf(what, sizeof what, "example %zu (%zu bytes) bytewise", i, len);
        check_hex(got, 32, kats[i].digest, what);
    }
}

/* n bytes of 'a' at the padding boundaries: at 55 the 0x80 and the length
 * field just fit one block, at 56 they need a second, at 63/64 the block is
 * (nearly) full. Digests from sha256sum and Python's hashlib (they agreed)
 * when this test was written, pinned so the boundaries stay covered on a
 * machine without those tools. */
static void test_padding_boundaries_pinned(void)
{
    static const struct {
        size_t n;
        const char *digest;
    } kats[] = {
        {55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
        {56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
        {63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"},
        {64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
    };
    uint8_t a[64];
    memset(a, 'a', sizeof a);
    for (size_t i = 0; i < sizeof kats / sizeof kats[0]; i++) {
        uint8_t got[32];
        char what[32];
        snprintf(what, sizeof what, "%zu x 'a'", kats[i].n);
        l2w_sha256(got, a, kats[i].n);
        check_hex(got, 32, kats[i].digest, what);
    }
}

static void test_million_a(void)
{
    static const char want[] = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
    enum { N = 1000000 };
    uint8_t *a = malloc(N);
    CHECK(a != NULL);
    if (!a)
        return;
    memset(a, 'a', N);
    uint8_t got[32];

    l2w_sha256(got, a, N);
    check_hex(got, 32, want, "1e6 'a' one-shot");

    /* Uneven chunks that land on, before and after block boundaries. */
    static const size_t sizes[] = {1, 63, 64, 65, 0, 127, 3, 128, 1000, 55, 56, 4095, 7, 9};
    l2w_sha256_ctx ctx;
    l2w_sha256_init(&ctx);
    size_t pos = 0;
    for (size_t i = 0; pos < N; i++) {
        size_t chunk = sizes[i % (sizeof sizes / sizeof sizes[0])];
        if (chunk > N - pos)
            chunk = N - pos;
        l2w_sha256_update(&ctx, a + pos, chunk);
        pos += chunk;
    }
    l2w_sha256_final(&ctx, got);
    check_hex(got, 32, want, "1e6 'a' in fixed uneven chunks");

    sha256_random_chunks(got, a, N);
    check_hex(got, 32, want, "1e6 'a' in random chunks");
    free(a);
}

/* Runs sh_cmd and says whether it exited 0 (used to look for a tool). */
static bool shell_ok(const char *sh_cmd)
{
    FILE *p = popen(sh_cmd, "r");
    if (!p)
        return false;
    char sink[256];
    while (fgets(sink, sizeof sink, p))
        ;
    return pclose(p) == 0;
}

static bool write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return false;
    bool ok = fwrite(data, 1, len, f) == len;
    ok &= fclose(f) == 0;
    return ok;
}

/* Random data of every length 0..MAX_LEN, one file each, and one sha256sum
 * process over all of them; its lines come back in argument order. */
static void test_against_sha256sum(void)
{
    enum { MAX_LEN = 200 };
    if (!shell_ok("command -v sha256sum")) {
        fprintf(stderr, "skipped: sha256sum not found\n");
        return;
    }
    char dir[] = "/tmp/l2w_test_sha256_XXXXXX";
    bool made = mkdtemp(dir) != NULL;
    CHECK_MSG(made, "mkdtemp %s failed", dir);
    if (!made)
        return;
    static uint8_t data[MAX_LEN + 1][MAX_LEN];
    char path[128];
    char cmd[4096];
    size_t cmd_len = (size_t)snprintf(cmd, sizeof cmd, "cd '%s' && sha256sum", dir);
    for (size_t len = 0; len <= MAX_LEN; len++) {
        fill_random(data[len], len);
        snprintf(path, sizeof path, "%s/%zu", dir, len);
        CHECK_MSG(write_file(path, data[len], len), "cannot write %s", path);
        cmd_len += (size_t)snprintf(cmd + cmd_len, sizeof cmd - cmd_len, " %zu", len);
    }
    CHECK(cmd_len < sizeof cmd);

    FILE *p = popen(cmd, "r");
    CHECK(p != NULL);
    size_t compared = 0;
    char line[256];
    while (p && fgets(line, sizeof line, p)) {
        /* "<64 hex digits>  <file name>\n" */
        line[strcspn(line, "\n")] = '\0';
        CHECK_MSG(strlen(line) > 66, "short sha256sum line: %s", line);
        if (strlen(line) <= 66)
            continue;
        size_t len = (size_t)strtoul(line + 66, NULL, 10);
        CHECK_MSG(len == compared, "line %zu names file %zu", compared, len);
        line[64] = '\0';
        if (len <= MAX_LEN) {
            uint8_t got[32];
            char what[32];
            snprintf(what, sizeof what, "sha256sum, len %zu", len);
            l2w_sha256(got, data[len], len);
            check_hex(got, 32, line, what);
        }
        compared++;
    }
    CHECK(p && pclose(p) == 0);
    CHECK_MSG(compared == MAX_LEN + 1, "compared %zu of %d digests", compared, MAX_LEN + 1);

    for (size_t len = 0; len <= MAX_LEN; len++) {
        snprintf(path, sizeof path, "%s/%zu", dir, len);
        unlink(path);
    }
    rmdir(dir);
}

static void test_incremental_matches_one_shot(void)
{
    uint8_t buf[4 * BLOCK + 8];
    fill_random(buf, sizeof buf);
    /* Every length up to three blocks and a bit: 55/56 (whether the length
     * field fits after the 0x80), 63/64/65, and the same a block or two on. */
    for (size_t len = 0; len <= 3 * BLOCK + 3; len++) {
        uint8_t one[32], split[32], bytewise[32];
        l2w_sha256(one, buf, len);
        sha256_random_chunks(split, buf, len);
        sha256_bytewise(bytewise, buf, len);
        CHECK_MSG(memcmp(one, split, 32) == 0, "len %zu: chunked differs", len);
        CHECK_MSG(memcmp(one, bytewise, 32) == 0, "len %zu: bytewise differs", len);
    }
}

static void test_every_split_at_padding_boundaries(void)
{
    static const size_t lens[] = {55, 56, 57, 63, 64, 65, 119, 120, 128};
    uint8_t buf[2 * BLOCK + 2];
    fill_random(buf, sizeof buf);
    for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
        size_t len = lens[k];
        uint8_t want[32];
        l2w_sha256(want, buf, len);
        for (size_t cut = 0; cut <= len; cut++) {
            uint8_t got[32];
            l2w_sha256_ctx ctx;
            l2w_sha256_init(&ctx);
            l2w_sha256_update(&ctx, buf, cut);
            l2w_sha256_update(&ctx, buf + cut, len - cut);
            l2w_sha256_final(&ctx, got);
            CHECK_MSG(memcmp(want, got, 32) == 0, "len %zu cut %zu", len, cut);
        }
    }
}

static void test_distinct_lengths_distinct_digests(void)
{
    /* Zero bytes of different lengths must differ: catches a length field
     * that is missing, in bytes instead of bits, or in the wrong place. */
    uint8_t zeros[3 * BLOCK] = {0};
    uint8_t prev[32] = {0};
    for (size_t len = 0; len <= sizeof zeros; len++) {
        uint8_t h[32];
        l2w_sha256(h, zeros, len);
        CHECK_MSG(len == 0 || memcmp(h, prev, 32) != 0, "len %zu equals len %zu", len, len - 1);
        memcpy(prev, h, 32);
    }
}

static void test_context_reusable_after_final(void)
{
    uint8_t a[32], b[32], want[32];
    l2w_sha256_ctx ctx;
    l2w_sha256_init(&ctx);
    static const char first[] = "a first message longer than one 64-byte block, to leave state behind";
    l2w_sha256_update(&ctx, first, strlen(first));
    l2w_sha256_final(&ctx, a);
    l2w_sha256_update(&ctx, "abc", 3);
    l2w_sha256_final(&ctx, b);
    l2w_sha256(want, "abc", 3);
    CHECK(memcmp(b, want, 32) == 0);
    CHECK(memcmp(a, b, 32) != 0);
}

static void test_null_with_zero_length(void)
{
    uint8_t got[32], want[32];
    l2w_sha256(got, NULL, 0);
    check_hex(got, 32, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
              "sha256(NULL, 0)");

    l2w_sha256_ctx ctx;
    l2w_sha256_init(&ctx);
    l2w_sha256_update(&ctx, "ab", 2);
    l2w_sha256_update(&ctx, NULL, 0);
    l2w_sha256_update(&ctx, "c", 1);
    l2w_sha256_final(&ctx, got);
    l2w_sha256(want, "abc", 3);
    CHECK(memcmp(got, want, 32) == 0);

    /* HMAC with an empty key and an empty message (checked against Python's
     * hmac when this test was written). */
    l2w_hmac_sha256(got, NULL, 0, NULL, 0);
    check_hex(got, 32, "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad",
              "hmac(NULL, 0, NULL, 0)");
}

/* RFC 4231 section 4. */
static void test_rfc4231(void)
{
    uint8_t key_0b[20], key_aa20[20], key_0c[20], key_aa131[131], key_seq[25];
    uint8_t data_dd[50], data_cd[50];
    memset(key_0b, 0x0b, sizeof key_0b);
    memset(key_aa20, 0xaa, sizeof key_aa20);
    memset(key_0c, 0x0c, sizeof key_0c);
    memset(key_aa131, 0xaa, sizeof key_aa131);
    for (size_t i = 0; i < sizeof key_seq; i++)
        key_seq[i] = (uint8_t)(i + 1); /* 0x01..0x19 */
    memset(data_dd, 0xdd, sizeof data_dd);
    memset(data_cd, 0xcd, sizeof data_cd);

    static const char case6_data[] = "Test Using Larger Than Block-Size Key - Hash Key First";
    static const char case7_data[] =
        "This is a test using a larger than block-size key and a larger than block-size data. "
        "The key needs to be hashed before being used by the HMAC algorithm.";
    const struct {
        const void *key;
        size_t key_len;
        const void *data;
        size_t data_len;
        const char *mac; /* case 5 is truncated to 128 bits */
    } cases[] = {
        {key_0b, sizeof key_0b, "Hi There", 8,
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
        {"Jefe", 4, "what do ya want for nothing?", 28,
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
        {key_aa20, sizeof key_aa20, data_dd, sizeof data_dd,
         "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
        {key_seq, sizeof key_seq, data_cd, sizeof data_cd,
         "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
        {key_0c, sizeof key_0c, "Test With Truncation", 20, "a3b6167473100ee06e0c796c2955552b"},
        {key_aa131, sizeof key_aa131, case6_data, sizeof case6_data - 1,
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
        {key_aa131, sizeof key_aa131, case7_data, sizeof case7_data - 1,
         "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
    };
    CHECK(sizeof case6_data - 1 == 54 && sizeof case7_data - 1 == 152);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t mac_len = strlen(cases[i].mac) / 2;
        char what[48];
        uint8_t got[32];
        l2w_hmac_sha256(got, cases[i].key, cases[i].key_len, cases[i].data, cases[i].data_len);
        snprintf(what, sizeof what, "RFC 4231 case %zu one-shot", i + 1);
        check_hex(got, mac_len, cases[i].mac, what);

        /* Incremental, the message in random chunks. */
        const uint8_t *d = cases[i].data;
        l2w_hmac_sha256_ctx ctx;
        l2w_hmac_sha256_init(&ctx, cases[i].key, cases[i].key_len);
        size_t pos = 0;
        while (pos < cases[i].data_len) {
            size_t chunk = (size_t)(l2w_test_rand() % 70);
            if (chunk > cases[i].data_len - pos)
                chunk = cases[i].data_len - pos;
            l2w_hmac_sha256_update(&ctx, d + pos, chunk);
            pos += chunk;
        }
        l2w_hmac_sha256_final(&ctx, got);
        snprintf(what, sizeof what, "RFC 4231 case %zu incremental", i + 1);
        check_hex(got, mac_len, cases[i].mac, what);
    }
}

static void test_hmac_long_key_is_hashed(void)
{
    /* RFC 2104: a key longer than the block is replaced by its digest, so
     * the two give the same MAC. At exactly 64 bytes it is used as it is. */
    uint8_t key[2 * BLOCK + 12], msg[40];
    fill_random(key, sizeof key);
    fill_random(msg, sizeof msg);
    for (size_t key_len = BLOCK; key_len <= sizeof key; key_len++) {
        uint8_t digest[32], a[32], b[32];
        l2w_sha256(digest, key, key_len);
        l2w_hmac_sha256(a, key, key_len, msg, sizeof msg);
        l2w_hmac_sha256(b, digest, sizeof digest, msg, sizeof msg);
        if (key_len > BLOCK)
            CHECK_MSG(memcmp(a, b, 32) == 0, "key_len %zu: not hashed first", key_len);
        else
            CHECK_MSG(memcmp(a, b, 32) != 0, "key_len %zu: hashed but should not be", key_len);
    }
}

static void put_hex(FILE *f, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%02x", b[i]);
}

/* Random keys of every length 0..MAX_KEY and random messages, one
 * "key:msg" hex line each, MACed by one python3 process. */
static void test_hmac_against_python(void)
{
    enum { MAX_KEY = 140, MAX_MSG = 200 };
    if (!shell_ok("command -v python3")) {
        fprintf(stderr, "skipped: python3 not found\n");
        return;
    }
    char path[] = "/tmp/l2w_test_hmac_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    CHECK(f != NULL);
    if (!f)
        return;
    static uint8_t keys[MAX_KEY + 1][MAX_KEY], msgs[MAX_KEY + 1][MAX_MSG];
    size_t msg_lens[MAX_KEY + 1];
    for (size_t k = 0; k <= MAX_KEY; k++) {
        fill_random(keys[k], k);
        msg_lens[k] = (size_t)(l2w_test_rand() % (MAX_MSG + 1));
        fill_random(msgs[k], msg_lens[k]);
        put_hex(f, keys[k], k);
        fputc(':', f);
        put_hex(f, msgs[k], msg_lens[k]);
        fputc('\n', f);
    }
    CHECK(fclose(f) == 0);

    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "python3 -c 'import sys, hmac, hashlib\n"
             "for line in open(sys.argv[1]):\n"
             "    k, m = line.strip().split(\":\")\n"
             "    print(hmac.new(bytes.fromhex(k), bytes.fromhex(m), hashlib.sha256).hexdigest())' "
             "'%s'",
             path);
    FILE *p = popen(cmd, "r");
    CHECK(p != NULL);
    size_t k = 0;
    char line[256];
    while (p && fgets(line, sizeof line, p) && k <= MAX_KEY) {
        line[strcspn(line, "\n")] = '\0';
        uint8_t got[32];
        char what[48];
        snprintf(what, sizeof what, "python hmac, key_len %zu msg_len %zu", k, msg_lens[k]);
        l2w_hmac_sha256(got, keys[k], k, msgs[k], msg_lens[k]);
        check_hex(got, 32, line, what);
        k++;
    }
    CHECK(p && pclose(p) == 0);
    CHECK_MSG(k == MAX_KEY + 1, "compared %zu of %d MACs", k, MAX_KEY + 1);
    unlink(path);
}

static void test_ct_equal(void)
{
    uint8_t a[32], b[32];
    fill_random(a, sizeof a);
    memcpy(b, a, sizeof a);
    CHECK(l2w_ct_equal(a, b, sizeof a));
    CHECK(l2w_ct_equal(a, a, sizeof a));

    b[0] ^= 0x01;
    CHECK(!l2w_ct_equal(a, b, sizeof a));
    b[0] = a[0];
    b[31] ^= 0x80;
    CHECK(!l2w_ct_equal(a, b, sizeof a));
    CHECK(l2w_ct_equal(a, b, 31)); /* the differing byte is outside n */
    b[31] = a[31];

    CHECK(l2w_ct_equal(a, b, 0));
    b[0] ^= 0xff;
    CHECK(l2w_ct_equal(a, b, 0)); /* n == 0: nothing differs */
    CHECK(l2w_ct_equal(NULL, NULL, 0));
    b[0] = a[0];

    /* Every single-bit difference at every position. */
    for (size_t i = 0; i < sizeof a; i++) {
        for (unsigned bit = 0; bit < 8; bit++) {
            b[i] ^= (uint8_t)(1u << bit);
            CHECK_MSG(!l2w_ct_equal(a, b, sizeof a), "byte %zu bit %u", i, bit);
            b[i] = a[i];
        }
    }

    /* Differences that cancel under XOR or a sum of differences must still
     * be seen: x ^ y is 0x03 in both bytes, and (x - y) is -1 then +1. */
    const uint8_t x[2] = {0x01, 0x02}, y[2] = {0x02, 0x01};
    CHECK(!l2w_ct_equal(x, y, 2));
}

int main(void)
{
    (void)l2w_test_seed();
    RUN(test_fips_examples);
    RUN(test_padding_boundaries_pinned);
    RUN(test_million_a);
    RUN(test_against_sha256sum);
    RUN(test_incremental_matches_one_shot);
    RUN(test_every_split_at_padding_boundaries);
    RUN(test_distinct_lengths_distinct_digests);
    RUN(test_context_reusable_after_final);
    RUN(test_null_with_zero_length);
    RUN(test_rfc4231);
    RUN(test_hmac_long_key_is_hashed);
    RUN(test_hmac_against_python);
    RUN(test_ct_equal);
    return l2w_test_finish();
}
