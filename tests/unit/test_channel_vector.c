/* core/channel_vector.c: Connext Vector (CMCAdjudicator 0.2.3) states.
 * Hashes, commitments, digests, signatures and disputeChannel calldata of
 * random states are compared with cast (abi-encode, keccak, calldata,
 * wallet sign); the ChannelDisputed decoder reads data cast encodes; the
 * selector and topic0 are also pinned to the values the package's compiled
 * ABI gives; signature faults and malformed intake bodies are each refused
 * with their own reason. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/channel_vector.h"
#include "core/hex.h"
#include "core/json.h"
#include "core/keccak.h"
#include "core/secp.h"
#include "tests/unit/harness.h"
#include "tests/unit/support/cast_support.h"
#include "tests/unit/support/channel_keys.h"
#include "tests/unit/support/crypto_support.h"
#include "tests/unit/support/json_text.h"

#define CCS                                                                                                    \
    "(address,address,address,address[],(uint256[2],address[2])[],uint256[],uint256[],uint256[],uint256,uint256," \
    "bytes32)"
#define DISPUTE "(bytes32,uint256,bytes32,uint256,uint256)"

/* From the compiled ABI in @connext/vector-contracts 0.2.3
 * (artifacts/src.sol/CMCAdjudicator.sol/CMCAdjudicator.json). */
static const char disputed_topic0[] = "0xef03cf86f2e77e1a0ae5cb25b50519e55b94788b920ace71f92341df2dab97ed";
static const uint8_t dispute_selector[4] = {0xc6, 0x09, 0x39, 0xbe};
/* "\x16Vector Signed Message:\n32", read off LibChannelCrypto.sol by hand. */
static const char channel_prefix_hex[] = "16566563746f72205369676e6564204d6573736167653a0a3332";

static bool have_cast;

/* ---- random states ---- */

static l2w_u256 random_u256(void)
{
    l2w_u256 v = l2w_u256_from_u64(0);
    switch (rnd(6)) {
    case 0:
        break;
    case 1:
        v = l2w_u256_from_u64(rnd(1000));
        break;
    case 2:
        v = l2w_u256_from_u64(l2w_test_rand());
        break;
    case 3:
        for (int i = 0; i < 4; i++)
            v.w[i] = UINT64_MAX;
        break;
    default:
        for (int i = 0; i < 4; i++)
            v.w[i] = l2w_test_rand();
        v.w[3] >>= rnd(64);
        break;
    }
    return v;
}

static void random_addr(l2w_addr *a)
{
    l2w_test_fill_random(a->b, sizeof a->b);
}

static void random_state(l2w_vector_state *s, size_t n, const l2w_addr *alice, const l2w_addr *bob)
{
    l2w_err err = {{0}};
    l2w_status st = l2w_vector_state_alloc(s, n, &err);
    CHECK_MSG(st == L2W_OK, "%s", err.msg);
    random_addr(&s->channel_address);
    s->alice = *alice;
    s->bob = *bob;
    for (size_t i = 0; i < s->n_assets; i++) {
        if (rnd(4) == 0)
            memset(&s->asset_ids[i], 0, sizeof s->asset_ids[i]); /* the native asset */
        else
            random_addr(&s->asset_ids[i]);
        for (int k = 0; k < 2; k++) {
            s->balances[i].amount[k] = random_u256();
            s->balances[i].to[k] = k == 0 ? *alice : *bob;
            if (rnd(3) == 0)
                random_addr(&s->balances[i].to[k]);
        }
        s->processed_deposits_a[i] = random_u256();
        s->processed_deposits_b[i] = random_u256();
        s->defund_nonces[i] = random_u256();
    }
    s->timeout = random_u256();
    s->nonce = random_u256();
    l2w_test_fill_random(s->merkle_root.b, 32);
}

/* ---- cast's view of a state ---- */

static void put_u256(text *t, const l2w_u256 *v)
{
    char dec[L2W_U256_DEC_LEN];
    l2w_u256_to_dec(dec, v);
    put(t, dec);
}

static void put_addr(text *t, const l2w_addr *a)
{
    char hex[L2W_ADDR_HEX_LEN];
    l2w_addr_to_hex(hex, a);
    put(t, hex);
}

static void put_hash(text *t, const l2w_hash *h)
{
    char hex[L2W_HASH_HEX_LEN];
    l2w_hash_to_hex(hex, h);
    put(t, hex);
}

static void put_u256_list(text *t, const l2w_u256 *v, size_t n)
{
    put(t, "[");
    for (size_t i = 0; i < n; i++) {
        if (i)
            put(t, ",");
        put_u256(t, &v[i]);
    }
    put(t, "]");
}

/* The state in cast's argument syntax, written from the struct field by
 * field (not through the module's ABI tree). */
static void put_state(text *t, const l2w_vector_state *s)
{
    put(t, "(");
    put_addr(t, &s->channel_address);
    put(t, ",");
    put_addr(t, &s->alice);
    put(t, ",");
    put_addr(t, &s->bob);
    put(t, ",[");
    for (size_t i = 0; i < s->n_assets; i++) {
        if (i)
            put(t, ",");
        put_addr(t, &s->asset_ids[i]);
    }
    put(t, "],[");
    for (size_t i = 0; i < s->n_assets; i++) {
        const l2w_vector_balance *b = &s->balances[i];
        put(t, i ? ",([" : "([");
        put_u256(t, &b->amount[0]);
        put(t, ",");
        put_u256(t, &b->amount[1]);
        put(t, "],[");
        put_addr(t, &b->to[0]);
        put(t, ",");
        put_addr(t, &b->to[1]);
        put(t, "])");
    }
    put(t, "],");
    put_u256_list(t, s->processed_deposits_a, s->n_assets);
    put(t, ",");
    put_u256_list(t, s->processed_deposits_b, s->n_assets);
    put(t, ",");
    put_u256_list(t, s->defund_nonces, s->n_assets);
    put(t, ",");
    put_u256(t, &s->timeout);
    put(t, ",");
    put_u256(t, &s->nonce);
    put(t, ",");
    put_hash(t, &s->merkle_root);
    put(t, ")");
}

/* cast <args> where args is built in t; NULL when cast fails. */
static char *cast_text(text *t)
{
    put_n(t, "", 1); /* NUL */
    char *out = l2w_test_cast_output(t->p);
    t->len = 0;
    return out;
}

static void hex_of(char *out, const uint8_t *b, size_t n)
{
    l2w_hex_encode(out, b, n);
}

static bool hash_is(const l2w_hash *h, const char *hex, const char *what)
{
    char mine[L2W_HASH_HEX_LEN];
    l2w_hash_to_hex(mine, h);
    bool ok = hex && strcmp(mine, hex) == 0;
    if (!ok)
        fprintf(stderr, "  %s: mine %s, cast %s\n", what, mine, hex ? hex : "(failed)");
    return ok;
}

/* ---- hashes, digest, signing and calldata against cast ---- */

static void check_state_against_cast(const l2w_vector_state *s, const uint8_t alice_key[32],
                                     const uint8_t bob_key[32])
{
    l2w_err err = {{0}};
    l2w_hash h, c, d;
    l2w_status st = l2w_vector_state_hash(&h, s, &err);
    CHECK_MSG(st == L2W_OK, "%s", err.msg);
    l2w_vector_commitment(&c, &h);
    l2w_vector_signed_digest(&d, &c);
    l2w_hash d2;
    CHECK(l2w_vector_state_digest(&d2, s, &err) == L2W_OK && l2w_hash_eq(&d, &d2));

    uint8_t sa[65], sb[65];
    l2w_test_sign_digest(sa, alice_key, &d);
    l2w_test_sign_digest(sb, bob_key, &d);
    l2w_vector_verdict v;
    st = l2w_vector_verify(&v, s, sa, 65, sb, 65, &err);
    CHECK_MSG(st == L2W_OK && v.fault == L2W_VECTOR_SIG_OK && v.party == -1, "%s", err.msg);

    uint8_t *cd = NULL;
    size_t cd_len = 0;
    st = l2w_vector_dispute_calldata(&cd, &cd_len, s, sa, 65, sb, 65, &err);
    CHECK_MSG(st == L2W_OK, "%s", err.msg);
    CHECK(st != L2W_OK || (cd_len > 4 && memcmp(cd, dispute_selector, 4) == 0));
    if (!have_cast) {
        free(cd);
        return;
    }
    const char *cast = l2w_test_cast_path();
    text t = {0};
    /* hashChannelState: keccak256(abi.encode(ccs)) */
    put(&t, "keccak $('");
    put(&t, cast);
    put(&t, "' abi-encode 'f(" CCS ")' '");
    put_state(&t, s);
    put(&t, "')");
    char *want = cast_text(&t);
    CHECK(hash_is(&h, want, "state hash"));
    free(want);
    /* keccak256(abi.encode(CommitmentType.ChannelState, ccsHash)) */
    put(&t, "keccak $('");
    put(&t, cast);
    put(&t, "' abi-encode 'f(uint8,bytes32)' 0 ");
    put_hash(&t, &h);
    put(&t, ")");
    want = cast_text(&t);
    CHECK(hash_is(&c, want, "commitment"));
    free(want);
    /* toChannelSignedMessage */
    char chex[L2W_HASH_HEX_LEN];
    l2w_hash_to_hex(chex, &c);
    put(&t, "keccak 0x");
    put(&t, channel_prefix_hex);
    put(&t, chex + 2);
    want = cast_text(&t);
    CHECK(hash_is(&d, want, "signed digest"));
    free(want);
    /* the same signature from cast's signer */
    char khex[67], dhex[L2W_HASH_HEX_LEN], mine[2 * 65 + 3];
    l2w_test_key_hex(khex, alice_key);
    l2w_hash_to_hex(dhex, &d);
    put(&t, "wallet sign --no-hash --private-key ");
    put(&t, khex);
    put(&t, " ");
    put(&t, dhex);
    want = cast_text(&t);
    hex_of(mine, sa, 65);
    CHECK_MSG(want && strcmp(want, mine) == 0, "signature: mine %s, cast %s", mine, want ? want : "(failed)");
    free(want);
    /* disputeChannel calldata */
    put(&t, "calldata 'disputeChannel(" CCS ",bytes,bytes)' '");
    put_state(&t, s);
    put(&t, "' ");
    hex_of(mine, sa, 65);
    put(&t, mine);
    put(&t, " ");
    hex_of(mine, sb, 65);
    put(&t, mine);
    want = cast_text(&t);
    char *cd_hex = l2w_hex_encode_alloc(cd, cd_len);
    CHECK_MSG(want && cd_hex && strcmp(want, cd_hex) == 0, "calldata: mine %.80s..., cast %.80s...",
              cd_hex ? cd_hex : "(oom)", want ? want : "(failed)");
    free(want);
    free(cd_hex);
    free(cd);
    free(t.p);
}

static void test_against_cast(void)
{
    uint8_t ka[32], kb[32];
    l2w_addr alice, bob;
    l2w_test_channel_key(ka, &alice, 0);
    l2w_test_channel_key(kb, &bob, 1);
    static const size_t counts[] = {0, 1, 2, 3, 5, 8, L2W_VECTOR_MAX_ASSETS};
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        for (int rep = 0; rep < 2; rep++) {
            l2w_vector_state s;
            random_state(&s, counts[i], &alice, &bob);
            check_state_against_cast(&s, ka, kb);
            l2w_vector_state_free(&s);
        }
    }
    if (!have_cast)
        fprintf(stderr, "skipped: cast comparisons (cast not found)\n");
}

static void test_known_answers(void)
{
    l2w_hash topic;
    l2w_vector_channel_disputed_topic(&topic);
    CHECK(hash_is(&topic, disputed_topic0, "ChannelDisputed topic0"));
    char sig[512];
    snprintf(sig, sizeof sig, "sig-event '%s'", l2w_vector_channel_disputed_signature);
    char line[128];
    if (l2w_test_cast_line(sig, line, sizeof line))
        CHECK(hash_is(&topic, line, "cast sig-event"));
    /* The prefix: one byte 0x16, then the text (not "\x19Ethereum ..."). */
    l2w_hash c, d, want;
    memset(c.b, 0xab, 32);
    l2w_vector_signed_digest(&d, &c);
    uint8_t buf[26 + 32];
    size_t n = 0;
    CHECK(l2w_hex_decode(buf, sizeof buf, &n, channel_prefix_hex, strlen(channel_prefix_hex)) == L2W_OK && n == 26);
    memcpy(buf + 26, c.b, 32);
    l2w_keccak256_hash(&want, buf, sizeof buf);
    CHECK(l2w_hash_eq(&d, &want));
    /* a state with no assets: abi.encode(ccs) is the offset word, the
     * struct's 11 head words and the five empty arrays' length words */
    l2w_vector_state s;
    l2w_err err = {{0}};
    CHECK(l2w_vector_state_alloc(&s, 0, &err) == L2W_OK);
    uint8_t enc[(1 + 11 + 5) * 32] = {0};
    enc[31] = 0x20;
    /* offsets of the five arrays inside the struct: 11 words of head, then
     * one length word each */
    for (int a = 0; a < 5; a++) {
        unsigned off = (11u + (unsigned)a) * 32;
        enc[32 + (3 + a) * 32 + 30] = (uint8_t)(off >> 8);
        enc[32 + (3 + a) * 32 + 31] = (uint8_t)off;
    }
    l2w_hash h;
    l2w_keccak256_hash(&want, enc, sizeof enc);
    CHECK(l2w_vector_state_hash(&h, &s, &err) == L2W_OK && l2w_hash_eq(&h, &want));
    l2w_vector_state_free(&s);
    CHECK(l2w_vector_state_alloc(&s, L2W_VECTOR_MAX_ASSETS + 1, &err) == L2W_ERR_RANGE && s.n_assets == 0);
}

/* ---- signatures ---- */

static void expect_fault(const l2w_vector_state *s, const uint8_t *sa, size_t la, const uint8_t *sb, size_t lb,
                         l2w_vector_sig_fault fault, int party, const char *needle, char *msg_out)
{
    l2w_vector_verdict v;
    l2w_err err = {{0}};
    l2w_status st = l2w_vector_verify(&v, s, sa, la, sb, lb, &err);
    CHECK_MSG(st == L2W_ERR_INVALID && v.fault == fault && v.party == party && strstr(err.msg, needle),
              "status %d fault %d party %d: %s (wanted fault %d party %d \"%s\")", st, v.fault, v.party, err.msg,
              fault, party, needle);
    if (msg_out)
        snprintf(msg_out, 512, "%s", err.msg);
}

static void test_signatures(void)
{
    uint8_t ka[32], kb[32], kc[32];
    l2w_addr alice, bob, carol;
    l2w_test_channel_key(ka, &alice, 0);
    l2w_test_channel_key(kb, &bob, 1);
    l2w_test_channel_key(kc, &carol, 2);
    l2w_vector_state s;
    random_state(&s, 2, &alice, &bob);
    l2w_hash d;
    l2w_err err = {{0}};
    CHECK(l2w_vector_state_digest(&d, &s, &err) == L2W_OK);
    uint8_t sa[66], sb[65], sc[65], bad[65];
    l2w_test_sign_digest(sa, ka, &d);
    l2w_test_sign_digest(sb, kb, &d);
    l2w_test_sign_digest(sc, kc, &d);
    CHECK(l2w_vector_verify(NULL, &s, sa, 65, sb, 65, &err) == L2W_OK);

    enum { FLIPPED, WRONG, SWAPPED, HIGH_S, BAD_V, SHORT, N_CASES };
    char msgs[N_CASES][512];

    /* a flipped bit in the signed state: alice's signature recovers to some
     * unrelated address */
    l2w_vector_state flipped = s;
    flipped.nonce.w[0] ^= 1;
    expect_fault(&flipped, sa, 65, sb, 65, L2W_VECTOR_SIG_WRONG_SIGNER, 0, "alice signature: recovers to 0x",
                 msgs[FLIPPED]);
    /* a flipped bit in r: no point, or another signer; never alice */
    memcpy(bad, sa, 65);
    bad[7] ^= 0x10;
    l2w_vector_verdict v;
    l2w_status st = l2w_vector_verify(&v, &s, bad, 65, sb, 65, &err);
    CHECK(st == L2W_ERR_INVALID && v.party == 0 &&
          (v.fault == L2W_VECTOR_SIG_UNRECOVERABLE ||
           (v.fault == L2W_VECTOR_SIG_WRONG_SIGNER && !l2w_addr_eq(&v.recovered, &alice))));
    /* a non-participant signs for bob */
    char carol_hex[L2W_ADDR_HEX_LEN], needle[128];
    l2w_addr_to_hex(carol_hex, &carol);
    snprintf(needle, sizeof needle, "bob signature: recovers to %s, not bob", carol_hex);
    expect_fault(&s, sa, 65, sc, 65, L2W_VECTOR_SIG_WRONG_SIGNER, 1, needle, msgs[WRONG]);
    st = l2w_vector_verify(&v, &s, sa, 65, sc, 65, &err);
    CHECK(st == L2W_ERR_INVALID && l2w_addr_eq(&v.recovered, &carol));
    /* alice's and bob's signatures swapped */
    expect_fault(&s, sb, 65, sa, 65, L2W_VECTOR_SIG_WRONG_SIGNER, 0, "(bob), not alice", msgs[SWAPPED]);
    /* the high-s twin of bob's signature (valid for ecrecover, refused by
     * OpenZeppelin) */
    l2w_signature twin;
    memcpy(twin.r, sb, 32);
    memcpy(twin.s, sb + 32, 32);
    twin.recid = sb[64] - 27;
    l2w_test_flip_s(&twin);
    memcpy(bad, twin.r, 32);
    memcpy(bad + 32, twin.s, 32);
    bad[64] = (uint8_t)(27 + twin.recid);
    expect_fault(&s, sa, 65, bad, 65, L2W_VECTOR_SIG_HIGH_S, 1, "bob signature: s is above n/2", msgs[HIGH_S]);
    /* v outside 27/28, including the 0/1 some signers write */
    const uint8_t vs[] = {0, 1, 26, 29, 255};
    for (size_t i = 0; i < sizeof vs; i++) {
        memcpy(bad, sa, 65);
        bad[64] = vs[i];
        snprintf(needle, sizeof needle, "alice signature: v is %u, expected 27 or 28", vs[i]);
        expect_fault(&s, bad, 65, sb, 65, L2W_VECTOR_SIG_BAD_V, 0, needle, msgs[BAD_V]);
    }
    /* truncated and overlong */
    expect_fault(&s, sa, 64, sb, 65, L2W_VECTOR_SIG_LENGTH, 0, "alice signature: length 64, expected 65",
                 msgs[SHORT]);
    sa[65] = 0;
    expect_fault(&s, sa, 65, sb, 64, L2W_VECTOR_SIG_LENGTH, 1, "bob signature: length 64", NULL);
    expect_fault(&s, sa, 66, sb, 65, L2W_VECTOR_SIG_LENGTH, 0, "length 66", NULL);
    expect_fault(&s, NULL, 0, sb, 65, L2W_VECTOR_SIG_LENGTH, 0, "length 0", NULL);
    /* r or s zero, r not below n: ecrecover gives the zero address */
    memcpy(bad, sa, 65);
    memset(bad, 0, 32);
    expect_fault(&s, bad, 65, sb, 65, L2W_VECTOR_SIG_UNRECOVERABLE, 0, "alice signature: recovers no signer", NULL);
    memcpy(bad, sa, 65);
    memset(bad + 32, 0, 32);
    expect_fault(&s, bad, 65, sb, 65, L2W_VECTOR_SIG_UNRECOVERABLE, 0, "recovers no signer", NULL);
    memcpy(bad, sa, 65);
    memcpy(bad, l2w_test_curve_order, 32);
    expect_fault(&s, bad, 65, sb, 65, L2W_VECTOR_SIG_UNRECOVERABLE, 0, "recovers no signer", NULL);

    for (int i = 0; i < N_CASES; i++)
        for (int j = i + 1; j < N_CASES; j++)
            CHECK_MSG(strcmp(msgs[i], msgs[j]) != 0, "cases %d and %d give the same error: %s", i, j, msgs[i]);
    l2w_vector_state_free(&s);

    /* calldata refuses signatures that cannot be right */
    uint8_t *cd = NULL;
    size_t cd_len = 0;
    l2w_vector_state empty;
    CHECK(l2w_vector_state_alloc(&empty, 0, &err) == L2W_OK);
    CHECK(l2w_vector_dispute_calldata(&cd, &cd_len, &empty, sa, 64, sb, 65, &err) == L2W_ERR_INVALID && !cd);
}

/* ---- JSON intake ---- */

static json_t *state_json(const l2w_vector_state *s)
{
    json_t *j = NULL;
    l2w_err err = {{0}};
    CHECK(l2w_vector_state_to_json(&j, s, &err) == L2W_OK);
    return j;
}

static void test_round_trip(void)
{
    l2w_addr alice, bob;
    random_addr(&alice);
    random_addr(&bob);
    static const size_t counts[] = {0, 1, 3, 7, L2W_VECTOR_MAX_ASSETS};
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        l2w_vector_state s, back;
        random_state(&s, counts[i], &alice, &bob);
        json_t *j = state_json(&s);
        char *textj = j ? json_dumps(j, JSON_COMPACT) : NULL;
        json_t *parsed = NULL;
        l2w_err err = {{0}};
        CHECK(textj && l2w_json_parse(&parsed, textj, strlen(textj), &err) == L2W_OK);
        l2w_status st = l2w_vector_state_from_json(&back, parsed, &err);
        CHECK_MSG(st == L2W_OK, "%s", err.msg);
        CHECK(st != L2W_OK || l2w_vector_state_eq(&s, &back));
        l2w_hash h1, h2;
        CHECK(st != L2W_OK || (l2w_vector_state_hash(&h1, &s, &err) == L2W_OK &&
                               l2w_vector_state_hash(&h2, &back, &err) == L2W_OK && l2w_hash_eq(&h1, &h2)));
        l2w_vector_state_free(&back);
        json_decref(parsed);
        free(textj);
        json_decref(j);
        l2w_vector_state_free(&s);
    }
    /* numbers in every accepted spelling, addresses in any case */
    const char *body =
        "{\"channelAddress\":\"0xABCDEF0000000000000000000000000000000001\","
        "\"alice\":\"0x0000000000000000000000000000000000000002\","
        "\"bob\":\"0x0000000000000000000000000000000000000003\","
        "\"assetIds\":[\"0x0000000000000000000000000000000000000000\"],"
        "\"balances\":[{\"amount\":[\"0x0de0b6b3a7640000\",1000000000000000000],\"to\":["
        "\"0x0000000000000000000000000000000000000002\",\"0x0000000000000000000000000000000000000003\"]}],"
        "\"processedDepositsA\":[\"007\"],\"processedDepositsB\":[\"0X10\"],\"defundNonces\":[1],"
        "\"timeout\":\"86400\",\"nonce\":\"0x5\","
        "\"merkleRoot\":\"0x0000000000000000000000000000000000000000000000000000000000000000\"}";
    json_t *j = NULL;
    l2w_err err = {{0}};
    l2w_vector_state s;
    CHECK(l2w_json_parse(&j, body, strlen(body), &err) == L2W_OK);
    l2w_status st = l2w_vector_state_from_json(&s, j, &err);
    CHECK_MSG(st == L2W_OK, "%s", err.msg);
    if (st == L2W_OK) {
        l2w_u256 eth = l2w_u256_from_u64(1000000000000000000ULL);
        CHECK(s.n_assets == 1 && l2w_u256_cmp(&s.balances[0].amount[0], &eth) == 0 &&
              l2w_u256_cmp(&s.balances[0].amount[1], &eth) == 0);
        CHECK(s.processed_deposits_a[0].w[0] == 7 && s.processed_deposits_b[0].w[0] == 16 &&
              s.defund_nonces[0].w[0] == 1 && s.nonce.w[0] == 5 && s.timeout.w[0] == 86400);
        CHECK(s.channel_address.b[0] == 0xab && s.channel_address.b[19] == 1);
    }
    l2w_vector_state_free(&s);
    json_decref(j);
}

/* A mutation of a valid body (2 assets) and the text the error must hold. */
typedef struct {
    const char *edit; /* "key=json" at the root, "key[i]=json", "key[i].sub=json", "-key" to delete, "+key=json" */
    const char *needle;
} bad_case;

static json_t *navigate(json_t *root, const char *path, const char **last)
{
    /* path: name, name[i], name[i].name, name[i].name[j] ; returns the parent
     * container and sets *last to the final component */
    json_t *cur = root;
    char buf[128];
    snprintf(buf, sizeof buf, "%s", path);
    char *p = buf;
    static char final[128];
    for (;;) {
        char *dot = strchr(p, '.');
        char *br = strchr(p, '[');
        if (!dot && !br) {
            snprintf(final, sizeof final, "%s", p);
            *last = final;
            return cur;
        }
        if (br && (!dot || br < dot)) {
            *br = '\0';
            json_t *next = json_object_get(cur, p);
            size_t idx = strtoul(br + 1, NULL, 10);
            char *close = strchr(br + 1, ']');
            if (close[1] == '\0') {
                snprintf(final, sizeof final, "#%zu", idx);
                *last = final;
                return next;
            }
            cur = json_array_get(next, idx);
            p = close + 2;
        } else {
            *dot = '\0';
            cur = json_object_get(cur, p);
            p = dot + 1;
        }
    }
}

static void apply_edit(json_t *root, const char *edit)
{
    bool del = edit[0] == '-';
    const char *spec = del || edit[0] == '+' ? edit + 1 : edit;
    char path[128];
    const char *eq = strchr(spec, '=');
    size_t plen = eq ? (size_t)(eq - spec) : strlen(spec);
    snprintf(path, sizeof path, "%.*s", (int)plen, spec);
    const char *last;
    json_t *parent = navigate(root, path, &last);
    CHECK_MSG(parent != NULL, "bad edit path %s", path);
    if (!parent)
        return;
    json_t *value = NULL;
    if (eq) {
        json_error_t jerr;
        value = json_loads(eq + 1, JSON_DECODE_ANY, &jerr);
        CHECK_MSG(value != NULL, "bad edit value %s: %s", eq + 1, jerr.text);
    }
    if (last[0] == '#') {
        size_t idx = strtoul(last + 1, NULL, 10);
        if (del)
            json_array_remove(parent, idx);
        else if (idx == json_array_size(parent))
            json_array_append_new(parent, value);
        else
            json_array_set_new(parent, idx, value);
    } else if (del) {
        json_object_del(parent, last);
    } else {
        json_object_set_new(parent, last, value);
    }
}

static void expect_refused(const json_t *body, const char *needle, const char *what)
{
    l2w_vector_state s;
    memset(&s, 0x5a, sizeof s);
    l2w_err err = {{0}};
    l2w_status st = l2w_vector_state_from_json(&s, body, &err);
    CHECK_MSG(st == L2W_ERR_INVALID && strstr(err.msg, needle) != NULL, "%s: status %d, error \"%s\", wanted \"%s\"",
              what, st, err.msg, needle);
    CHECK(s.n_assets == 0 && s.asset_ids == NULL && s.balances == NULL);
    if (st == L2W_OK)
        l2w_vector_state_free(&s);
}

static void test_malformed(void)
{
    l2w_addr alice, bob;
    random_addr(&alice);
    random_addr(&bob);
    l2w_vector_state s;
    random_state(&s, 2, &alice, &bob);
    json_t *good = state_json(&s);
    l2w_vector_state_free(&s);
    if (!good)
        return;
    static const bad_case cases[] = {
        {"-channelAddress", "state.channelAddress: missing"},
        {"-merkleRoot", "state.merkleRoot: missing"},
        {"-balances", "state.balances: missing"},
        {"-defundNonces", "state.defundNonces: missing"},
        {"+foo=1", "state.foo: unknown field"},
        {"+processedDepositA=[]", "state.processedDepositA: unknown field"},
        {"channelAddress=5", "state.channelAddress: expected an address string, got an integer"},
        {"alice=\"0xzz00000000000000000000000000000000000000\"", "state.alice: expected 0x and 40 hex digits"},
        {"bob=\"0x000000000000000000000000000000000000001\"", "state.bob: expected 0x and 40 hex digits"},
        {"bob=\"000000000000000000000000000000000000000001\"", "state.bob: expected 0x"},
        {"assetIds={}", "state.assetIds: expected an array, got an object"},
        {"assetIds[1]=\"0x12\"", "state.assetIds[1]: expected 0x and 40 hex digits"},
        {"-balances[1]", "state.balances: 1 entries, but state.assetIds has 2"},
        {"-processedDepositsB[0]", "state.processedDepositsB: 1 entries, but state.assetIds has 2"},
        {"defundNonces[2]=\"1\"", "state.defundNonces: 3 entries, but state.assetIds has 2"},
        {"balances[1]=[1,2]", "state.balances[1]: expected an object {amount, to}, got an array"},
        {"balances[1].amount=[\"1\",\"2\",\"3\"]", "state.balances[1].amount: expected 2 entries"},
        {"balances[1].amount[0]=\"-1\"", "state.balances[1].amount[0]: negative number"},
        {"balances[0].amount[1]=-1", "state.balances[0].amount[1]: negative number"},
        {"balances[0].amount=\"12\"", "state.balances[0].amount: expected an array, got a string"},
        {"balances[0].to[1]=\"0x00\"", "state.balances[0].to[1]: expected 0x and 40 hex digits"},
        {"-balances[0].to", "state.balances[0].to: missing"},
        {"balances[0].extra=true", "state.balances[0].extra: unknown field"},
        {"processedDepositsA[0]="
         "\"115792089237316195423570985008687907853269984665640564039457584007913129639936\"",
         "state.processedDepositsA[0]: \"1157920892373161954235709850086879078532699846656405640394575840079131296399"
         "36\" exceeds 2^256 - 1"},
        {"processedDepositsA[1]=\"0x10000000000000000000000000000000000000000000000000000000000000000\"",
         "state.processedDepositsA[1]: \"0x1000000000000000000000000000000000000000000000000000000000000000"},
        {"timeout=1.5", "state.timeout: expected a number (decimal string, 0x quantity or integer), got a fractional"},
        {"nonce=true", "state.nonce: expected a number (decimal string, 0x quantity or integer), got a boolean"},
        {"nonce=\"\"", "state.nonce: not a decimal number"},
        {"nonce=\"0x\"", "state.nonce: bad hex quantity"},
        {"nonce=\"12a\"", "state.nonce: not a decimal number"},
        {"nonce=\" 1\"", "state.nonce: not a decimal number"},
        {"nonce=-5", "state.nonce: negative number"},
        {"defundNonces[0]=\"1e3\"", "state.defundNonces[0]: not a decimal number"},
        {"merkleRoot=\"0x00000000000000000000000000000000000000000000000000000000000000\"",
         "state.merkleRoot: expected 0x and 64 hex digits"},
        {"merkleRoot=null", "state.merkleRoot: expected a bytes32 string, got null"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *body = json_deep_copy(good);
        apply_edit(body, cases[i].edit);
        expect_refused(body, cases[i].needle, cases[i].edit);
        json_decref(body);
    }
    /* not an object at all */
    json_t *arr = json_array();
    expect_refused(arr, "state: expected an object, got an array", "array body");
    json_decref(arr);
    expect_refused(NULL, "state: expected an object", "no body");
    /* one asset too many */
    json_t *body = json_deep_copy(good);
    for (int a = 0; a < 5; a++) {
        static const char *const keys[] = {"assetIds", "balances", "processedDepositsA", "processedDepositsB",
                                           "defundNonces"};
        json_t *list = json_object_get(body, keys[a]);
        while (json_array_size(list) < L2W_VECTOR_MAX_ASSETS + 1)
            json_array_append(list, json_array_get(list, 0));
    }
    expect_refused(body, "state.assetIds: 65 entries exceeds the cap of 64 assets", "too many assets");
    json_decref(body);
    json_decref(good);
}

/* ---- ChannelDisputed ---- */

static uint8_t *decode_hex_alloc(const char *hex, size_t *len)
{
    size_t cap = strlen(hex) / 2 + 1;
    uint8_t *b = malloc(cap);
    if (b && l2w_hex_decode(b, cap, len, hex, strlen(hex)) != L2W_OK) {
        free(b);
        b = NULL;
    }
    return b;
}

static void test_disputed_event(void)
{
    if (!have_cast) {
        fprintf(stderr, "skipped: ChannelDisputed from cast (cast not found)\n");
        return;
    }
    l2w_hash topic;
    l2w_vector_channel_disputed_topic(&topic);
    l2w_addr alice, bob, disputer;
    random_addr(&alice);
    random_addr(&bob);
    random_addr(&disputer);
    for (size_t n = 0; n < 4; n++) {
        l2w_vector_state s;
        random_state(&s, n * 2, &alice, &bob);
        l2w_vector_dispute d;
        l2w_err err = {{0}};
        CHECK(l2w_vector_state_hash(&d.channel_state_hash, &s, &err) == L2W_OK);
        d.nonce = s.nonce;
        d.merkle_root = s.merkle_root;
        d.consensus_expiry = random_u256();
        d.defund_expiry = random_u256();
        text t = {0};
        put(&t, "abi-encode 'f(address," CCS "," DISPUTE ")' ");
        put_addr(&t, &disputer);
        put(&t, " '");
        put_state(&t, &s);
        put(&t, "' '(");
        put_hash(&t, &d.channel_state_hash);
        put(&t, ",");
        put_u256(&t, &d.nonce);
        put(&t, ",");
        put_hash(&t, &d.merkle_root);
        put(&t, ",");
        put_u256(&t, &d.consensus_expiry);
        put(&t, ",");
        put_u256(&t, &d.defund_expiry);
        put(&t, ")'");
        char *hex = cast_text(&t);
        free(t.p);
        size_t len = 0;
        uint8_t *data = hex ? decode_hex_alloc(hex, &len) : NULL;
        free(hex);
        CHECK(data != NULL);
        if (!data) {
            l2w_vector_state_free(&s);
            continue;
        }
        l2w_vector_disputed ev;
        l2w_status st = l2w_vector_decode_disputed(&ev, &topic, 1, data, len, &err);
        CHECK_MSG(st == L2W_OK, "%s", err.msg);
        CHECK(l2w_addr_eq(&ev.disputer, &disputer) && l2w_addr_eq(&ev.channel_address, &s.channel_address) &&
              l2w_addr_eq(&ev.alice, &alice) && l2w_addr_eq(&ev.bob, &bob) && ev.n_assets == s.n_assets);
        CHECK(l2w_u256_cmp(&ev.nonce, &s.nonce) == 0 && l2w_u256_cmp(&ev.timeout, &s.timeout) == 0 &&
              l2w_hash_eq(&ev.merkle_root, &s.merkle_root));
        CHECK(l2w_hash_eq(&ev.state_hash, &d.channel_state_hash));
        CHECK(l2w_hash_eq(&ev.dispute.channel_state_hash, &d.channel_state_hash) &&
              l2w_u256_cmp(&ev.dispute.nonce, &d.nonce) == 0 &&
              l2w_hash_eq(&ev.dispute.merkle_root, &d.merkle_root) &&
              l2w_u256_cmp(&ev.dispute.consensus_expiry, &d.consensus_expiry) == 0 &&
              l2w_u256_cmp(&ev.dispute.defund_expiry, &d.defund_expiry) == 0);

        /* every truncation is refused */
        int refused = 0, tried = 0;
        for (size_t cut = 0; cut < len; cut += (cut < 64 ? 1 : 31)) {
            tried++;
            refused += l2w_vector_decode_disputed(&ev, &topic, 1, data, cut, &err) == L2W_ERR_PROTOCOL;
        }
        CHECK_MSG(refused == tried, "%d of %d truncations refused", refused, tried);
        /* the state's offset pointing past the end; a length word blown up */
        uint8_t *bad = malloc(len);
        memcpy(bad, data, len);
        bad[32 + 28] = 0x7f;
        CHECK(l2w_vector_decode_disputed(&ev, &topic, 1, bad, len, &err) == L2W_ERR_PROTOCOL &&
              strstr(err.msg, "ChannelDisputed data"));
        memcpy(bad, data, len);
        bad[11] = 0x01; /* the disputer's word is not a padded address */
        CHECK(l2w_vector_decode_disputed(&ev, &topic, 1, bad, len, &err) == L2W_ERR_PROTOCOL);
        /* random garbage of the same length */
        for (int k = 0; k < 20; k++) {
            l2w_test_fill_random(bad, len);
            CHECK(l2w_vector_decode_disputed(&ev, &topic, 1, bad, len, &err) == L2W_ERR_PROTOCOL);
        }
        free(bad);
        /* wrong topics */
        l2w_hash topics[2] = {topic, topic};
        topics[0].b[0] ^= 1;
        CHECK(l2w_vector_decode_disputed(&ev, topics, 1, data, len, &err) == L2W_ERR_PROTOCOL &&
              strstr(err.msg, "another event"));
        CHECK(l2w_vector_decode_disputed(&ev, topics + 1, 1, data, len, &err) == L2W_OK);
        CHECK(l2w_vector_decode_disputed(&ev, topics, 0, data, len, &err) == L2W_ERR_PROTOCOL);
        topics[0] = topic;
        CHECK(l2w_vector_decode_disputed(&ev, topics, 2, data, len, &err) == L2W_ERR_PROTOCOL);
        free(data);
        l2w_vector_state_free(&s);
    }
    l2w_vector_disputed ev;
    l2w_err err = {{0}};
    CHECK(l2w_vector_decode_disputed(&ev, &topic, 1, NULL, 0, &err) == L2W_ERR_PROTOCOL);
}

int main(void)
{
    (void)l2w_test_seed();
    have_cast = l2w_test_cast_path() != NULL;
    RUN(test_known_answers);
    RUN(test_against_cast);
    RUN(test_signatures);
    RUN(test_round_trip);
    RUN(test_malformed);
    RUN(test_disputed_event);
    l2w_secp_thread_cleanup();
    return l2w_test_finish();
}
