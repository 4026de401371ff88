/* committee_signatures (detectors/committee_signatures.c): signaturesAndAddrs
 * judged as PolygonDataCommittee.verifyMessage judges it, with keys made
 * here from fixed labels, plus the configured threshold on top; the
 * committeeHash of those keys against Foundry's cast; and the
 * committee_threshold_missed finding. */
#include <stdlib.h>
#include <string.h>

#include "core/eth_sign.h"
#include "core/hex.h"
#include "core/keccak.h"
#include "core/secp.h"
#include "detectors/committee_signatures.h"
#include "tests/unit/harness.h"
#include "tests/unit/support/crypto_support.h"

#define N_MEMBERS 5
#define THRESHOLD 3
#define MAX_BLOB (65 * (N_MEMBERS + 1) + 20 * N_MEMBERS + 1)

typedef struct {
    uint8_t key[32];
    l2w_addr addr;
} test_key;

/* Members in contract order (sorted by address), and one key outside. */
static test_key members[N_MEMBERS];
static l2w_addr member_addrs[N_MEMBERS];
static test_key outsider;
static l2w_hash signed_hash;

static void key_from_label(test_key *k, const char *label)
{
    l2w_keccak256(k->key, (const uint8_t *)label, strlen(label));
    l2w_err err = {{0}};
    CHECK_MSG(l2w_secp_address(&k->addr, k->key, &err) == L2W_OK, "%s: %s", label, err.msg);
}

static int by_addr(const void *a, const void *b)
{
    return memcmp(((const test_key *)a)->addr.b, ((const test_key *)b)->addr.b, 20);
}

static int by_raw_addr(const void *a, const void *b)
{
    return memcmp(((const l2w_addr *)a)->b, ((const l2w_addr *)b)->b, 20);
}

static void make_keys(void)
{
    for (int i = 0; i < N_MEMBERS; i++) {
        char label[40];
        snprintf(label, sizeof label, "l2watch dac member %d", i);
        key_from_label(&members[i], label);
    }
    qsort(members, N_MEMBERS, sizeof members[0], by_addr);
    for (int i = 0; i < N_MEMBERS; i++)
        member_addrs[i] = members[i].addr;
    key_from_label(&outsider, "l2watch dac outsider");
    const char *batch = "l2watch dac batch";
    l2w_keccak256_hash(&signed_hash, (const uint8_t *)batch, strlen(batch));
}

static l2w_committee committee(void)
{
    l2w_committee c = {.members = member_addrs, .n_members = N_MEMBERS, .threshold = THRESHOLD};
    return c;
}

/* r ‖ s ‖ v with v = 27 + recovery id, as the contract reads it. */
static void sign65(uint8_t out[65], const uint8_t key[32], const l2w_hash *digest)
{
    l2w_signature sig;
    l2w_err err = {{0}};
    CHECK_MSG(l2w_secp_sign(&sig, key, digest->b, &err) == L2W_OK, "%s", err.msg);
    memcpy(out, sig.r, 32);
    memcpy(out + 32, sig.s, 32);
    out[64] = (uint8_t)(27 + sig.recid);
}

/* A blob of the signatures of keys[0..n) over signed_hash followed by the
 * addresses addrs[0..n_addrs); returns its length. */
static size_t build(uint8_t *out, const test_key *const *keys, size_t n, const l2w_addr *addrs, size_t n_addrs)
{
    for (size_t i = 0; i < n; i++)
        sign65(out + 65 * i, keys[i]->key, &signed_hash);
    for (size_t j = 0; j < n_addrs; j++)
        memcpy(out + 65 * n + 20 * j, addrs[j].b, 20);
    return 65 * n + 20 * n_addrs;
}

/* The blob signed by members idx[0..n) in that order, with the members' addresses. */
static size_t build_members(uint8_t *out, const int *idx, size_t n)
{
    const test_key *keys[N_MEMBERS + 1];
    for (size_t i = 0; i < n; i++)
        keys[i] = &members[idx[i]];
    return build(out, keys, n, member_addrs, N_MEMBERS);
}

static l2w_committee_verdict judge(const l2w_committee *c, const uint8_t *blob, size_t len)
{
    l2w_committee_verdict v;
    l2w_err err = {{0}};
    l2w_status st = l2w_committee_verify(&v, c, &signed_hash, blob, len, &err);
    CHECK_MSG(st == L2W_OK, "%s", err.msg);
    if (st != L2W_OK)
        memset(&v, 0, sizeof v);
    return v;
}

static l2w_committee_verdict judge_default(const uint8_t *blob, size_t len)
{
    l2w_committee c = committee();
    return judge(&c, blob, len);
}

#define CHECK_VERDICT(v, want, want_index)                                                                     \
    CHECK_MSG((v).result == (want) && (v).has_index && (v).index == (want_index), "got %s at %s%zu: %s",     \
              l2w_committee_result_name((v).result), (v).has_index ? "" : "no index ", (v).index, (v).why.msg)

#define CHECK_VERDICT_NO_INDEX(v, want)                                                                        \
    CHECK_MSG((v).result == (want) && !(v).has_index && !(v).has_recovered, "got %s: %s",                      \
              l2w_committee_result_name((v).result), (v).why.msg)

static void test_threshold_met(void)
{
    uint8_t blob[MAX_BLOB];
    const int exact[] = {0, 2, 4};
    l2w_committee_verdict v = judge_default(blob, build_members(blob, exact, 3));
    CHECK_VERDICT_NO_INDEX(v, L2W_COMMITTEE_OK);
    CHECK(v.signatures == 3 && v.valid == 3 && v.why.msg[0] == '\0');

    const int above[] = {0, 1, 3, 4};
    v = judge_default(blob, build_members(blob, above, 4));
    CHECK_VERDICT_NO_INDEX(v, L2W_COMMITTEE_OK);
    CHECK(v.signatures == 4 && v.valid == 4);

    const int all[] = {0, 1, 2, 3, 4};
    v = judge_default(blob, build_members(blob, all, 5));
    CHECK_VERDICT_NO_INDEX(v, L2W_COMMITTEE_OK);
    CHECK(v.valid == 5);

    /* with the committeeHash configured as well */
    l2w_hash h;
    l2w_committee_hash(&h, member_addrs, N_MEMBERS);
    l2w_committee c = committee();
    c.committee_hash = &h;
    v = judge(&c, blob, build_members(blob, exact, 3));
    CHECK_VERDICT_NO_INDEX(v, L2W_COMMITTEE_OK);
}

/* The contract accepts whatever requiredAmountOfSignatures it holds; fewer
 * than the configured threshold is still a finding. */
static void test_below_threshold(void)
{
    uint8_t blob[MAX_BLOB];
    const int two[] = {1, 3};
    l2w_committee_verdict v = judge_default(blob, build_members(blob, two, 2));
    CHECK_VERDICT_NO_INDEX(v, L2W_COMMITTEE_BELOW_THRESHOLD);
    CHECK(v.signatures == 2 && v.valid == 2);
    CHECK(strstr(v.why.msg, "threshold is 3") != NULL);

    /* requiredAmountOfSignatures 0: the addresses alone */
    v = judge_default(blob, build_members(blob, NULL, 0));
    CHECK_VERDICT_NO_INDEX(v, L2W_COMMITTEE_BELOW_THRESHOLD);
    CHECK(v.signatures == 0 && v.valid == 0);
}

static void test_unknown_signer(void)
{
    uint8_t blob[MAX_BLOB];
    const test_key *keys[] = {&members[0], &outsider, &members[3]};
    l2w_committee_verdict v = judge_default(blob, build(blob, keys, 3, member_addrs, N_MEMBERS));
    CHECK_VERDICT(v, L2W_COMMITTEE_UNKNOWN_SIGNER, 1);
    CHECK(v.has_recovered && l2w_addr_eq(&v.recovered, &outsider.addr));
    CHECK(v.valid == 2);
    char hex[L2W_ADDR_HEX_LEN];
    l2w_addr_to_hex(hex, &outsider.addr);
    CHECK_MSG(strstr(v.why.msg, "signature 1 of 3 recovers") && strstr(v.why.msg, hex), "%s", v.why.msg);

    /* Members signing another hash recover other addresses: the contract
     * recovers over the signed hash as it is, without the EIP-191 prefix. */
    l2w_hash prefixed;
    l2w_eip191_digest(&prefixed, signed_hash.b, 32);
    const int idx[] = {0, 1, 2};
    size_t len = build_members(blob, idx, 3);
    sign65(blob, members[0].key, &prefixed);
    v = judge_default(blob, len);
    CHECK_VERDICT(v, L2W_COMMITTEE_UNKNOWN_SIGNER, 0);
}

static void test_malformed_length(void)
{
    uint8_t blob[MAX_BLOB];
    const int idx[] = {0, 1, 2};
    size_t len = build_members(blob, idx, 3);
    l2w_committee_verdict v = judge_default(blob, len - 1);
    CHECK_VERDICT_NO_INDEX(v, L2W_COMMITTEE_MALFORMED);
    CHECK(v.signatures == 0 && v.valid == 0);
    blob[len] = 0;
    v = judge_default(blob, len + 1);
    CHECK_VERDICT_NO_INDEX(v, L2W_COMMITTEE_MALFORMED);
    /* shorter than the addresses alone */
    v = judge_default(blob, 20 * N_MEMBERS - 20);
    CHECK_VERDICT_NO_INDEX(v, L2W_COMMITTEE_MALFORMED);
    v = judge_default(NULL, 0);
    CHECK_VERDICT_NO_INDEX(v, L2W_COMMITTEE_MALFORMED);
    /* more signatures than members */
    const int six[] = {0, 1, 2, 3, 4, 4};
    v = judge_default(blob, build_members(blob, six, 6));
    CHECK_VERDICT_NO_INDEX(v, L2W_COMMITTEE_MALFORMED);
    CHECK(strstr(v.why.msg, "6 signatures for a committee of 5") != NULL);
}

static void test_bad_signatures(void)
{
    uint8_t blob[MAX_BLOB];
    const int idx[] = {0, 2, 4};
    size_t len = build_members(blob, idx, 3);
    uint8_t good[MAX_BLOB];
    memcpy(good, blob, len);

    blob[65 + 64] = 29;
    l2w_committee_verdict v = judge_default(blob, len);
    CHECK_VERDICT(v, L2W_COMMITTEE_BAD_SIGNATURE, 1);
    CHECK(!v.has_recovered && v.valid == 2 && strstr(v.why.msg, "v is 29") != NULL);
    blob[65 + 64] = good[65 + 64] - 27; /* recovery id as v: ecrecover answers zero */
    v = judge_default(blob, len);
    CHECK_VERDICT(v, L2W_COMMITTEE_BAD_SIGNATURE, 1);
    memcpy(blob, good, len);

    /* The high-s twin: ecrecover recovers the same member from it, but
     * ECDSA.recover refuses it. */
    l2w_signature sig;
    memcpy(sig.r, blob + 130, 32);
    memcpy(sig.s, blob + 162, 32);
    sig.recid = blob[194] - 27;
    l2w_test_flip_s(&sig);
    memcpy(blob + 162, sig.s, 32);
    blob[194] = (uint8_t)(27 + sig.recid);
    v = judge_default(blob, len);
    CHECK_VERDICT(v, L2W_COMMITTEE_BAD_SIGNATURE, 2);
    CHECK(strstr(v.why.msg, "above n/2") != NULL && v.valid == 2);
    memcpy(blob, good, len);

    memset(blob, 0, 32); /* r = 0 */
    v = judge_default(blob, len);
    CHECK_VERDICT(v, L2W_COMMITTEE_BAD_SIGNATURE, 0);
    memcpy(blob, l2w_secp_order, 32); /* r = n */
    v = judge_default(blob, len);
    CHECK_VERDICT(v, L2W_COMMITTEE_BAD_SIGNATURE, 0);
    memcpy(blob, good, len);
    memset(blob + 32, 0, 32); /* s = 0 */
    v = judge_default(blob, len);
    CHECK_VERDICT(v, L2W_COMMITTEE_BAD_SIGNATURE, 0);
    memcpy(blob, good, len);

    /* An r in range that is no point's x coordinate: found by trying small
     * values (half of all x have no point). */
    uint8_t r[32] = {0};
    for (uint8_t x = 1; x < 64; x++) {
        r[31] = x;
        l2w_signature probe;
        memcpy(probe.r, r, 32);
        memcpy(probe.s, good + 32, 32);
        probe.recid = 0;
        l2w_addr ignored;
        if (l2w_secp_recover(&ignored, signed_hash.b, &probe, NULL) != L2W_OK)
            break;
    }
    memcpy(blob + 65, r, 32);
    blob[65 + 64] = 27;
    v = judge_default(blob, len);
    CHECK_VERDICT(v, L2W_COMMITTEE_BAD_SIGNATURE, 1);
    CHECK_MSG(strstr(v.why.msg, "no key recovers") != NULL, "%s", v.why.msg);
    memcpy(blob, good, len);

    /* the first breach is the verdict; good signatures after it still count */
    blob[64] = 31;
    blob[65 + 64] = 31;
    v = judge_default(blob, len);
    CHECK_VERDICT(v, L2W_COMMITTEE_BAD_SIGNATURE, 0);
    CHECK(v.valid == 1);
}

static void test_member_twice(void)
{
    uint8_t blob[MAX_BLOB];
    const int twice[] = {0, 0, 2};
    l2w_committee_verdict v = judge_default(blob, build_members(blob, twice, 3));
    CHECK_VERDICT(v, L2W_COMMITTEE_OUT_OF_ORDER, 1);
    CHECK(v.has_recovered && l2w_addr_eq(&v.recovered, &members[0].addr));
    CHECK(v.valid == 2 && strstr(v.why.msg, "again") != NULL);

    /* enough distinct signers, one of them twice at the end */
    const int tail[] = {1, 2, 3, 3};
    v = judge_default(blob, build_members(blob, tail, 4));
    CHECK_VERDICT(v, L2W_COMMITTEE_OUT_OF_ORDER, 3);
    CHECK(v.valid == 3);
}

static void test_out_of_order(void)
{
    uint8_t blob[MAX_BLOB];
    const int swapped[] = {2, 0, 4};
    l2w_committee_verdict v = judge_default(blob, build_members(blob, swapped, 3));
    CHECK_VERDICT(v, L2W_COMMITTEE_OUT_OF_ORDER, 1);
    CHECK(v.has_recovered && l2w_addr_eq(&v.recovered, &members[0].addr));
    /* every one of them signed: the fault is the order alone */
    CHECK(v.valid == 3);
    CHECK_MSG(strstr(v.why.msg, "member 0") && strstr(v.why.msg, "member 2"), "%s", v.why.msg);

    const int late[] = {0, 3, 1};
    v = judge_default(blob, build_members(blob, late, 3));
    CHECK_VERDICT(v, L2W_COMMITTEE_OUT_OF_ORDER, 2);
}

static void test_members_mismatch(void)
{
    uint8_t blob[MAX_BLOB];
    const test_key *keys[] = {&members[0], &members[1], &members[2]};

    /* one member replaced (the list kept increasing for the contract's sake) */
    l2w_addr other[N_MEMBERS];
    memcpy(other, member_addrs, sizeof other);
    other[4] = outsider.addr;
    qsort(other, N_MEMBERS, sizeof other[0], by_raw_addr);
    l2w_committee_verdict v = judge_default(blob, build(blob, keys, 3, other, N_MEMBERS));
    CHECK_VERDICT_NO_INDEX(v, L2W_COMMITTEE_MEMBERS_MISMATCH);
    CHECK(v.signatures == 3 && v.valid == 3);

    /* the members in another order */
    memcpy(other, member_addrs, sizeof other);
    other[1] = member_addrs[3];
    other[3] = member_addrs[1];
    v = judge_default(blob, build(blob, keys, 3, other, N_MEMBERS));
    CHECK_VERDICT_NO_INDEX(v, L2W_COMMITTEE_MEMBERS_MISMATCH);
    CHECK_MSG(strstr(v.why.msg, "address 1 of signaturesAndAddrs") != NULL, "%s", v.why.msg);

    /* The contract checks committeeHash before any signature, so a bad
     * signature behind a wrong address part is still a mismatch. */
    blob[64] = 29;
    v = judge_default(blob, 65 * 3 + 20 * N_MEMBERS);
    CHECK_VERDICT_NO_INDEX(v, L2W_COMMITTEE_MEMBERS_MISMATCH);

    /* Bytes made for a committee of four: read against our five members
     * their length does not split into signatures and addresses. */
    const test_key *four[] = {&members[0], &members[1], &members[2], &members[3]};
    v = judge_default(blob, build(blob, four, 4, member_addrs, N_MEMBERS - 1));
    CHECK_VERDICT_NO_INDEX(v, L2W_COMMITTEE_MALFORMED);
}

static void test_bad_configuration(void)
{
    uint8_t blob[MAX_BLOB];
    const int idx[] = {0, 1, 2};
    size_t len = build_members(blob, idx, 3);
    l2w_committee_verdict v;
    l2w_err err = {{0}};

    l2w_committee c = committee();
    c.threshold = 0;
    CHECK(l2w_committee_verify(&v, &c, &signed_hash, blob, len, &err) == L2W_ERR_INVALID);
    c.threshold = N_MEMBERS + 1;
    CHECK(l2w_committee_verify(&v, &c, &signed_hash, blob, len, &err) == L2W_ERR_INVALID);
    CHECK(strstr(err.msg, "threshold 6") != NULL);

    l2w_addr unsorted[N_MEMBERS];
    memcpy(unsorted, member_addrs, sizeof unsorted);
    unsorted[2] = member_addrs[3];
    unsorted[3] = member_addrs[2];
    c = committee();
    c.members = unsorted;
    CHECK(l2w_committee_check(&c, &err) == L2W_ERR_INVALID);
    CHECK_MSG(strstr(err.msg, "member 3") != NULL, "%s", err.msg);
    unsorted[3] = member_addrs[2];
    unsorted[2] = member_addrs[2]; /* a repeat */
    CHECK(l2w_committee_check(&c, &err) == L2W_ERR_INVALID);
    memset(&unsorted[0], 0, sizeof unsorted[0]);
    memcpy(&unsorted[1], &member_addrs[1], sizeof unsorted - sizeof unsorted[0]);
    CHECK(l2w_committee_check(&c, &err) == L2W_ERR_INVALID);
    CHECK(strstr(err.msg, "zero address") != NULL);

    /* a committeeHash that is not the members' */
    l2w_hash h;
    l2w_committee_hash(&h, member_addrs, N_MEMBERS - 1);
    c = committee();
    c.committee_hash = &h;
    CHECK(l2w_committee_verify(&v, &c, &signed_hash, blob, len, &err) == L2W_ERR_INVALID);
    CHECK(strstr(err.msg, "committeeHash") != NULL);
    c.committee_hash = NULL;
    c.n_members = 0;
    CHECK(l2w_committee_check(&c, &err) == L2W_ERR_INVALID);
}

/* Known answer from Foundry's cast:
 *   for i in 0 1 2 3 4; do
 *     cast wallet address --private-key $(cast keccak "l2watch dac member $i"); done
 * gives the five addresses below (here sorted, as setupCommittee wants them), and
 *   cast keccak 0x<the five addresses concatenated, without their 0x>
 * gives the committeeHash. */
static void test_committee_hash_known_answer(void)
{
    static const char *want_addrs[N_MEMBERS] = {
        "0x3d4532ce6c5baab7e2433814f26a387b47ff6bb4", /* "l2watch dac member 1" */
        "0x4267cf9de7eaffec22e11d9dacbe6d5b5f9ca964", /* 4 */
        "0x5b4ba6465e3415c19aaf35a9f6a617e7d4dc0fcd", /* 3 */
        "0xc36465704812f65b63f510536d7f52a7e6d51a97", /* 0 */
        "0xc44d7f08be2eb78904070303475a9b169ae731c7", /* 2 */
    };
    for (int i = 0; i < N_MEMBERS; i++) {
        l2w_addr a;
        CHECK(l2w_addr_from_hex(&a, want_addrs[i]) == L2W_OK);
        CHECK_MSG(l2w_addr_eq(&a, &member_addrs[i]), "member %d", i);
    }
    l2w_hash got, want;
    l2w_committee_hash(&got, member_addrs, N_MEMBERS);
    CHECK(l2w_hash_from_hex(&want, "0x06a728f232c7e0c6041ad005237a773c66dbdf3a8d29e98738dea59af427c961") == L2W_OK);
    CHECK(l2w_hash_eq(&got, &want));
}

/* Any in-order subset of members is what the contract accepts; it is ok
 * exactly when it reaches the threshold. */
static void test_random_subsets(void)
{
    (void)l2w_test_seed();
    uint8_t blob[MAX_BLOB];
    for (int round = 0; round < 40; round++) {
        unsigned mask = (unsigned)(l2w_test_rand() % (1u << N_MEMBERS));
        int idx[N_MEMBERS];
        size_t n = 0;
        for (int i = 0; i < N_MEMBERS; i++)
            if (mask & (1u << i))
                idx[n++] = i;
        l2w_committee_verdict v = judge_default(blob, build_members(blob, idx, n));
        l2w_committee_result want = n >= THRESHOLD ? L2W_COMMITTEE_OK : L2W_COMMITTEE_BELOW_THRESHOLD;
        CHECK_MSG(v.result == want && v.valid == n, "mask %#x: %s", mask, v.why.msg);
    }
}

static void test_finding(void)
{
    uint8_t blob[MAX_BLOB];
    const test_key *keys[] = {&members[1], &outsider, &members[3]};
    l2w_committee c = committee();
    l2w_hash h;
    l2w_committee_hash(&h, member_addrs, N_MEMBERS);
    c.committee_hash = &h;
    l2w_committee_verdict v = judge(&c, blob, build(blob, keys, 3, member_addrs, N_MEMBERS));
    CHECK(v.result == L2W_COMMITTEE_UNKNOWN_SIGNER);

    l2w_committee_batch b = {.chain = "cdkv", .has_batch = true, .batch = 1234, .has_anchor = true,
                             .anchor_chain = "l1", .block_number = 99};
    memset(b.block_hash.b, 0x11, 32);
    memset(b.tx_hash.b, 0x22, 32);
    l2w_finding f;
    l2w_err err = {{0}};
    CHECK_MSG(l2w_committee_threshold_missed_finding(&f, &b, &c, &signed_hash, &v, &err) == L2W_OK, "%s",
              err.msg);
    CHECK(strcmp(f.kind, "committee_threshold_missed") == 0 && f.severity == L2W_SEV_HIGH);
    CHECK(strcmp(f.chain, "cdkv") == 0 && strcmp(f.subject, "committee:cdkv:1234") == 0);
    char hash_hex[L2W_HASH_HEX_LEN], want_key[400];
    l2w_hash_to_hex(hash_hex, &signed_hash);
    snprintf(want_key, sizeof want_key, "committee_threshold_missed:cdkv:%s:0x%064d", hash_hex, 0);
    memset(want_key + strlen(want_key) - 64, '1', 64);
    CHECK_MSG(strcmp(f.dedup_key, want_key) == 0, "%s", f.dedup_key);
    CHECK(f.has_anchor && strcmp(f.anchor_chain, "l1") == 0 && f.anchor_block_hash.b[0] == 0x11);
    CHECK(f.has_tx_hash && f.tx_hash.b[31] == 0x22 && f.has_block_number);
    const json_t *ev = f.evidence;
    CHECK(strcmp(json_string_value(json_object_get(ev, "signedHash")), hash_hex) == 0);
    CHECK(strcmp(json_string_value(json_object_get(ev, "verdict")), "unknown_signer") == 0);
    CHECK(json_integer_value(json_object_get(ev, "signatures")) == 3);
    CHECK(json_integer_value(json_object_get(ev, "valid")) == 2);
    CHECK(json_integer_value(json_object_get(ev, "threshold")) == THRESHOLD);
    CHECK(json_integer_value(json_object_get(ev, "members")) == N_MEMBERS);
    CHECK(json_integer_value(json_object_get(ev, "index")) == 1);
    char out_hex[L2W_ADDR_HEX_LEN];
    l2w_addr_to_hex(out_hex, &outsider.addr);
    CHECK(strcmp(json_string_value(json_object_get(ev, "recovered")), out_hex) == 0);
    CHECK(json_integer_value(json_object_get(ev, "batch")) == 1234);
    CHECK(json_object_get(ev, "committeeHash") != NULL);
    CHECK(strstr(json_string_value(json_object_get(ev, "detail")), "not a committee member") != NULL);
    CHECK(strstr(f.title, "batch 1234") != NULL);
    l2w_finding_clear(&f);

    /* without a batch number or an anchor: the signed hash names it */
    const int two[] = {0, 1};
    v = judge(&c, blob, build_members(blob, two, 2));
    CHECK(v.result == L2W_COMMITTEE_BELOW_THRESHOLD);
    l2w_committee_batch bare = {.chain = "cdkv"};
    CHECK(l2w_committee_threshold_missed_finding(&f, &bare, &c, &signed_hash, &v, &err) == L2W_OK);
    char subject[160];
    snprintf(subject, sizeof subject, "committee:cdkv:%s", hash_hex);
    CHECK(strcmp(f.subject, subject) == 0 && !f.has_anchor && !f.has_tx_hash);
    CHECK(json_object_get(f.evidence, "index") == NULL && json_object_get(f.evidence, "recovered") == NULL);
    CHECK(json_object_get(f.evidence, "batch") == NULL);
    l2w_finding_clear(&f);

    /* signatures that meet the threshold are no finding */
    const int three[] = {0, 1, 2};
    v = judge(&c, blob, build_members(blob, three, 3));
    CHECK(l2w_committee_threshold_missed_finding(&f, &bare, &c, &signed_hash, &v, &err) == L2W_ERR_INVALID);
    l2w_finding_clear(&f);
}

int main(void)
{
    make_keys();
    RUN(test_threshold_met);
    RUN(test_below_threshold);
    RUN(test_unknown_signer);
    RUN(test_malformed_length);
    RUN(test_bad_signatures);
    RUN(test_member_twice);
    RUN(test_out_of_order);
    RUN(test_members_mismatch);
    RUN(test_bad_configuration);
    RUN(test_committee_hash_known_answer);
    RUN(test_random_subsets);
    RUN(test_finding);
    l2w_secp_thread_cleanup();
    return l2w_test_finish();
}
