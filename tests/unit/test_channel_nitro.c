/* core/channel_nitro.c: statechannels Nitro (ForceMove 0.17.3) states.
 * channelId, appPartHash, outcome and state hashes, signatures and
 * checkpoint calldata of random channels are compared with cast
 * (abi-encode, keccak, wallet sign, calldata); the ChallengeRegistered
 * decoder reads data cast encodes; the selector and topic0 are also pinned
 * to the values the package's compiled ABI gives; signature faults and
 * malformed intake bodies are each refused with their own reason. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/channel_nitro.h"
#include "core/hex.h"
#include "core/json.h"
#include "core/keccak.h"
#include "core/secp.h"
#include "tests/unit/harness.h"
#include "tests/unit/support/cast_support.h"
#include "tests/unit/support/channel_keys.h"
#include "tests/unit/support/crypto_support.h"
#include "tests/unit/support/json_text.h"

#define FIXED_PART "(uint256,address[],uint48,address,uint48)"
#define EVENT_DATA "uint48,uint48,bool," FIXED_PART ",(bytes,bytes)[],(uint8,bytes32,bytes32)[],uint8[]"

/* From the compiled ABI in @statechannels/nitro-protocol 0.17.3
 * (lib/artifacts/contracts/ForceMove.sol/ForceMove.json). */
static const char challenge_topic0[] = "0xf6c285d62578fdf94d2e5c698650728f1d64a497add9bba112b4ac4d5c489cee";
static const uint8_t checkpoint_selector[4] = {0x01, 0x49, 0xb7, 0x62};

#define N_KEYS 20
static uint8_t keys[N_KEYS][32];
static l2w_addr key_addrs[N_KEYS];
static bool have_cast;

/* ---- random channels ---- */

static l2w_u256 random_chain_id(void)
{
    l2w_u256 v = l2w_u256_from_u64(0);
    switch (rnd(4)) {
    case 0:
        v = l2w_u256_from_u64(1 + rnd(100000));
        break;
    case 1:
        v = l2w_u256_from_u64(l2w_test_rand());
        break;
    case 2:
        for (int i = 0; i < 4; i++)
            v.w[i] = UINT64_MAX;
        break;
    default:
        for (int i = 0; i < 4; i++)
            v.w[i] = l2w_test_rand();
        break;
    }
    return v;
}

static uint64_t random_u48(void)
{
    switch (rnd(4)) {
    case 0:
        return 0;
    case 1:
        return rnd(100);
    case 2:
        return L2W_NITRO_UINT48_MAX;
    default:
        return l2w_test_rand() & L2W_NITRO_UINT48_MAX;
    }
}

/* Participants are test keys first..first+n-1. */
static void random_channel(l2w_nitro_fixed *f, l2w_nitro_state *s, size_t n, unsigned first)
{
    l2w_err err = {{0}};
    CHECK(l2w_nitro_fixed_alloc(f, n, &err) == L2W_OK);
    f->chain_id = random_chain_id();
    for (size_t i = 0; i < n; i++)
        f->participants[i] = key_addrs[(first + i) % N_KEYS];
    f->channel_nonce = random_u48();
    l2w_test_fill_random(f->app_definition.b, 20);
    f->challenge_duration = random_u48();
    size_t app_len = rnd(3) == 0 ? 0 : rnd(200);
    size_t out_len = rnd(4) == 0 ? 0 : rnd(300);
    uint8_t app[200], out[300];
    l2w_test_fill_random(app, app_len);
    l2w_test_fill_random(out, out_len);
    CHECK(l2w_nitro_state_set_data(s, app, app_len, out, out_len, &err) == L2W_OK);
    s->turn_num = random_u48();
    s->is_final = rnd(2) == 0;
}

static void sign_all(l2w_nitro_sig *sigs, const l2w_nitro_fixed *f, const l2w_nitro_state *s, unsigned first)
{
    l2w_hash h, d;
    l2w_err err = {{0}};
    CHECK(l2w_nitro_state_hash(&h, f, s, &err) == L2W_OK);
    l2w_nitro_signed_digest(&d, &h);
    for (size_t i = 0; i < f->n_participants; i++) {
        uint8_t raw[65];
        l2w_test_sign_digest(raw, keys[(first + i) % N_KEYS], &d);
        l2w_nitro_sig_from_bytes(&sigs[i], raw);
    }
}

/* ---- cast's view ---- */

static void put_u256(text *t, const l2w_u256 *v)
{
    char dec[L2W_U256_DEC_LEN];
    l2w_u256_to_dec(dec, v);
    put(t, dec);
}

static void put_u64(text *t, uint64_t v)
{
    char dec[24];
    snprintf(dec, sizeof dec, "%llu", (unsigned long long)v);
    put(t, dec);
}

static void put_addr(text *t, const l2w_addr *a)
{
    char hex[L2W_ADDR_HEX_LEN];
    l2w_addr_to_hex(hex, a);
    put(t, hex);
}

static void put_hex(text *t, const uint8_t *b, size_t n)
{
    char *hex = l2w_hex_encode_alloc(b, n);
    put(t, hex ? hex : "0x");
    free(hex);
}

static void put_participants(text *t, const l2w_nitro_fixed *f)
{
    put(t, "[");
    for (size_t i = 0; i < f->n_participants; i++) {
        if (i)
            put(t, ",");
        put_addr(t, &f->participants[i]);
    }
    put(t, "]");
}

static void put_fixed(text *t, const l2w_nitro_fixed *f)
{
    put(t, "(");
    put_u256(t, &f->chain_id);
    put(t, ",");
    put_participants(t, f);
    put(t, ",");
    put_u64(t, f->channel_nonce);
    put(t, ",");
    put_addr(t, &f->app_definition);
    put(t, ",");
    put_u64(t, f->challenge_duration);
    put(t, ")");
}

static void put_sigs(text *t, const l2w_nitro_sig *sigs, size_t n)
{
    put(t, "[");
    for (size_t i = 0; i < n; i++) {
        put(t, i ? ",(" : "(");
        put_u64(t, sigs[i].v);
        put(t, ",");
        put_hex(t, sigs[i].r, 32);
        put(t, ",");
        put_hex(t, sigs[i].s, 32);
        put(t, ")");
    }
    put(t, "]");
}

static char *cast_text(text *t)
{
    put_n(t, "", 1);
    char *out = l2w_test_cast_output(t->p);
    t->len = 0;
    return out;
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

/* ---- hashes, signatures, calldata against cast ---- */

static void check_against_cast(const l2w_nitro_fixed *f, const l2w_nitro_state *s, unsigned first)
{
    l2w_err err = {{0}};
    l2w_hash cid, app, h, d;
    CHECK(l2w_nitro_channel_id(&cid, f, &err) == L2W_OK);
    CHECK(l2w_nitro_app_part_hash(&app, f, s, &err) == L2W_OK);
    CHECK(l2w_nitro_state_hash(&h, f, s, &err) == L2W_OK);
    l2w_nitro_signed_digest(&d, &h);
    l2w_nitro_sig sigs[L2W_NITRO_MAX_PARTICIPANTS];
    sign_all(sigs, f, s, first);
    l2w_nitro_verdict v;
    l2w_status st = l2w_nitro_verify(&v, f, s, sigs, f->n_participants, &err);
    CHECK_MSG(st == L2W_OK && v.fault == L2W_NITRO_SIG_OK, "%s", err.msg);
    uint8_t *cd = NULL;
    size_t cd_len = 0;
    st = l2w_nitro_checkpoint_calldata(&cd, &cd_len, f, s, sigs, f->n_participants, &err);
    CHECK_MSG(st == L2W_OK, "%s", err.msg);
    CHECK(st != L2W_OK || (cd_len > 4 && memcmp(cd, checkpoint_selector, 4) == 0));
    if (!have_cast) {
        free(cd);
        return;
    }
    const char *cast = l2w_test_cast_path();
    text t = {0};
    /* _getChannelId: abi.encode(chainId, participants, channelNonce) */
    put(&t, "keccak $('");
    put(&t, cast);
    put(&t, "' abi-encode 'f(uint256,address[],uint48)' ");
    put_u256(&t, &f->chain_id);
    put(&t, " '");
    put_participants(&t, f);
    put(&t, "' ");
    put_u64(&t, f->channel_nonce);
    put(&t, ")");
    char *want = cast_text(&t);
    CHECK(hash_is(&cid, want, "channelId"));
    free(want);
    /* appPartHash: abi.encode(challengeDuration, appDefinition, appData) */
    put(&t, "keccak $('");
    put(&t, cast);
    put(&t, "' abi-encode 'f(uint48,address,bytes)' ");
    put_u64(&t, f->challenge_duration);
    put(&t, " ");
    put_addr(&t, &f->app_definition);
    put(&t, " ");
    put_hex(&t, s->app_data, s->app_data_len);
    put(&t, ")");
    want = cast_text(&t);
    CHECK(hash_is(&app, want, "appPartHash"));
    free(want);
    /* outcomeHash = keccak256(outcome bytes), then State as a tuple */
    put(&t, "keccak ");
    put_hex(&t, s->outcome, s->outcome_len);
    char *outcome_hash = cast_text(&t);
    CHECK(outcome_hash != NULL);
    char cid_hex[L2W_HASH_HEX_LEN], app_hex[L2W_HASH_HEX_LEN];
    l2w_hash_to_hex(cid_hex, &cid);
    l2w_hash_to_hex(app_hex, &app);
    put(&t, "keccak $('");
    put(&t, cast);
    put(&t, "' abi-encode 'f((uint48,bool,bytes32,bytes32,bytes32))' '(");
    put_u64(&t, s->turn_num);
    put(&t, s->is_final ? ",true," : ",false,");
    put(&t, cid_hex);
    put(&t, ",");
    put(&t, app_hex);
    put(&t, ",");
    put(&t, outcome_hash ? outcome_hash : "0x00");
    put(&t, ")')");
    free(outcome_hash);
    want = cast_text(&t);
    CHECK(hash_is(&h, want, "stateHash"));
    free(want);
    /* cast signs stateHash with the "\x19Ethereum Signed Message:\n32"
     * prefix itself: the same signature as ours over our digest */
    char khex[67], hhex[L2W_HASH_HEX_LEN];
    l2w_test_key_hex(khex, keys[first % N_KEYS]);
    l2w_hash_to_hex(hhex, &h);
    put(&t, "wallet sign --private-key ");
    put(&t, khex);
    put(&t, " ");
    put(&t, hhex);
    want = cast_text(&t);
    uint8_t raw[65];
    char mine[2 * 65 + 3];
    l2w_nitro_sig_to_bytes(raw, &sigs[0]);
    l2w_hex_encode(mine, raw, 65);
    CHECK_MSG(want && strcmp(want, mine) == 0, "signature: mine %s, cast %s", mine, want ? want : "(failed)");
    free(want);
    /* checkpoint calldata */
    put(&t, "calldata 'checkpoint(" FIXED_PART ",uint48,(bytes,bytes)[],uint8,(uint8,bytes32,bytes32)[],uint8[])' '");
    put_fixed(&t, f);
    put(&t, "' ");
    put_u64(&t, s->turn_num);
    put(&t, " '[(");
    put_hex(&t, s->outcome, s->outcome_len);
    put(&t, ",");
    put_hex(&t, s->app_data, s->app_data_len);
    put(&t, s->is_final ? ")]' 1 '" : ")]' 0 '");
    put_sigs(&t, sigs, f->n_participants);
    put(&t, "' '[");
    for (size_t i = 0; i < f->n_participants; i++)
        put(&t, i ? ",0" : "0");
    put(&t, "]'");
    want = cast_text(&t);
    char *cd_hex = l2w_hex_encode_alloc(cd, cd_len);
    CHECK_MSG(want && cd_hex && strcmp(want, cd_hex) == 0, "calldata: mine %.100s..., cast %.100s...",
              cd_hex ? cd_hex : "(oom)", want ? want : "(failed)");
    free(want);
    free(cd_hex);
    free(cd);
    free(t.p);
}

static void test_against_cast(void)
{
    static const size_t counts[] = {1, 2, 2, 3, 5, L2W_NITRO_MAX_PARTICIPANTS};
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        for (int rep = 0; rep < 2; rep++) {
            l2w_nitro_fixed f;
            l2w_nitro_state s;
            unsigned first = (unsigned)rnd(N_KEYS);
            random_channel(&f, &s, counts[i], first);
            check_against_cast(&f, &s, first);
            l2w_nitro_fixed_free(&f);
            l2w_nitro_state_free(&s);
        }
    }
    if (!have_cast)
        fprintf(stderr, "skipped: cast comparisons (cast not found)\n");
}

static void test_known_answers(void)
{
    l2w_hash topic;
    l2w_nitro_challenge_registered_topic(&topic);
    CHECK(hash_is(&topic, challenge_topic0, "ChallengeRegistered topic0"));
    char args[512], line[128];
    snprintf(args, sizeof args, "sig-event '%s'", l2w_nitro_challenge_registered_signature);
    if (l2w_test_cast_line(args, line, sizeof line))
        CHECK(hash_is(&topic, line, "cast sig-event"));
    /* channelId depends on chainId, participants and channelNonce only */
    l2w_nitro_fixed f;
    l2w_nitro_state s;
    random_channel(&f, &s, 2, 0);
    l2w_hash a, b, sa, sb;
    l2w_err err = {{0}};
    CHECK(l2w_nitro_channel_id(&a, &f, &err) == L2W_OK && l2w_nitro_state_hash(&sa, &f, &s, &err) == L2W_OK);
    f.app_definition.b[0] ^= 1;
    f.challenge_duration ^= 1;
    CHECK(l2w_nitro_channel_id(&b, &f, &err) == L2W_OK && l2w_hash_eq(&a, &b));
    CHECK(l2w_nitro_state_hash(&sb, &f, &s, &err) == L2W_OK && !l2w_hash_eq(&sa, &sb));
    f.channel_nonce ^= 1;
    CHECK(l2w_nitro_channel_id(&b, &f, &err) == L2W_OK && !l2w_hash_eq(&a, &b));
    /* out-of-type values are refused, not truncated */
    f.channel_nonce = L2W_NITRO_UINT48_MAX + 1;
    CHECK(l2w_nitro_channel_id(&b, &f, &err) == L2W_ERR_RANGE);
    f.channel_nonce = 0;
    s.turn_num = L2W_NITRO_UINT48_MAX + 1;
    CHECK(l2w_nitro_state_hash(&b, &f, &s, &err) == L2W_ERR_RANGE);
    l2w_nitro_fixed_free(&f);
    l2w_nitro_state_free(&s);
    CHECK(l2w_nitro_fixed_alloc(&f, L2W_NITRO_MAX_PARTICIPANTS + 1, &err) == L2W_ERR_RANGE && !f.participants);
}

/* ---- signatures ---- */

static void expect_fault(const l2w_nitro_fixed *f, const l2w_nitro_state *s, const l2w_nitro_sig *sigs, size_t n,
                         l2w_nitro_sig_fault fault, size_t index, const char *needle, char *msg_out)
{
    l2w_nitro_verdict v;
    l2w_err err = {{0}};
    l2w_status st = l2w_nitro_verify(&v, f, s, sigs, n, &err);
    CHECK_MSG(st == L2W_ERR_INVALID && v.fault == fault && v.index == index && strstr(err.msg, needle),
              "status %d fault %d index %zu: %s (wanted fault %d index %zu \"%s\")", st, v.fault, v.index, err.msg,
              fault, index, needle);
    if (msg_out)
        snprintf(msg_out, 512, "%s", err.msg);
}

static void test_signatures(void)
{
    l2w_nitro_fixed f;
    l2w_nitro_state s;
    random_channel(&f, &s, 3, 0);
    l2w_nitro_sig sigs[3], bad[3];
    sign_all(sigs, &f, &s, 0);
    l2w_err err = {{0}};
    CHECK(l2w_nitro_verify(NULL, &f, &s, sigs, 3, &err) == L2W_OK);

    enum { FLIPPED, WRONG, SWAPPED, BAD_V, COUNT, ZERO_R, N_CASES };
    char msgs[N_CASES][512];
    char needle[160], hex[L2W_ADDR_HEX_LEN];

    /* a flipped bit in the state: every signature recovers elsewhere; the
     * first is reported */
    l2w_nitro_state flipped = s;
    flipped.turn_num ^= 1;
    expect_fault(&f, &flipped, sigs, 3, L2W_NITRO_SIG_WRONG_SIGNER, 0, "signatures[0]: recovers to 0x",
                 msgs[FLIPPED]);
    flipped = s;
    flipped.is_final = !s.is_final;
    expect_fault(&f, &flipped, sigs, 3, L2W_NITRO_SIG_WRONG_SIGNER, 0, "not participants[0]", NULL);
    /* a flipped bit in s of signature 1: no point or another signer */
    memcpy(bad, sigs, sizeof bad);
    bad[1].s[20] ^= 0x04;
    l2w_nitro_verdict v;
    CHECK(l2w_nitro_verify(&v, &f, &s, bad, 3, &err) == L2W_ERR_INVALID && v.index == 1 &&
          (v.fault == L2W_NITRO_SIG_UNRECOVERABLE ||
           (v.fault == L2W_NITRO_SIG_WRONG_SIGNER && !l2w_addr_eq(&v.recovered, &f.participants[1]))));
    /* a non-participant (key 10) signs in place of participant 1 */
    l2w_hash h, d;
    CHECK(l2w_nitro_state_hash(&h, &f, &s, &err) == L2W_OK);
    l2w_nitro_signed_digest(&d, &h);
    uint8_t raw[65];
    l2w_test_sign_digest(raw, keys[10], &d);
    memcpy(bad, sigs, sizeof bad);
    l2w_nitro_sig_from_bytes(&bad[1], raw);
    l2w_addr_to_hex(hex, &key_addrs[10]);
    snprintf(needle, sizeof needle, "signatures[1]: recovers to %s, not participants[1]", hex);
    expect_fault(&f, &s, bad, 3, L2W_NITRO_SIG_WRONG_SIGNER, 1, needle, msgs[WRONG]);
    CHECK(l2w_nitro_verify(&v, &f, &s, bad, 3, &err) == L2W_ERR_INVALID && l2w_addr_eq(&v.recovered, &key_addrs[10]));
    /* participants 0 and 1 swapped */
    memcpy(bad, sigs, sizeof bad);
    bad[0] = sigs[1];
    bad[1] = sigs[0];
    expect_fault(&f, &s, bad, 3, L2W_NITRO_SIG_WRONG_SIGNER, 0, "(participant 1), not participants[0]",
                 msgs[SWAPPED]);
    /* the high-s twin: ecrecover takes it, and so does the tower */
    memcpy(bad, sigs, sizeof bad);
    l2w_signature twin;
    memcpy(twin.r, sigs[2].r, 32);
    memcpy(twin.s, sigs[2].s, 32);
    twin.recid = sigs[2].v - 27;
    l2w_test_flip_s(&twin);
    memcpy(bad[2].s, twin.s, 32);
    bad[2].v = (uint8_t)(27 + twin.recid);
    CHECK(memcmp(bad[2].s, sigs[2].s, 32) != 0);
    CHECK(l2w_nitro_verify(&v, &f, &s, bad, 3, &err) == L2W_OK);
    /* ...but only with the matching v */
    bad[2].v = sigs[2].v;
    CHECK(l2w_nitro_verify(&v, &f, &s, bad, 3, &err) == L2W_ERR_INVALID && v.index == 2 &&
          (v.fault == L2W_NITRO_SIG_WRONG_SIGNER || v.fault == L2W_NITRO_SIG_UNRECOVERABLE));
    /* v outside 27/28 */
    const uint8_t vs[] = {0, 1, 26, 29, 255};
    for (size_t i = 0; i < sizeof vs; i++) {
        memcpy(bad, sigs, sizeof bad);
        bad[2].v = vs[i];
        snprintf(needle, sizeof needle, "signatures[2]: v is %u, expected 27 or 28", vs[i]);
        expect_fault(&f, &s, bad, 3, L2W_NITRO_SIG_BAD_V, 2, needle, msgs[BAD_V]);
    }
    /* too few / too many signatures */
    expect_fault(&f, &s, sigs, 2, L2W_NITRO_SIG_COUNT, 2, "signatures: 2 given for 3 participants", msgs[COUNT]);
    expect_fault(&f, &s, sigs, 0, L2W_NITRO_SIG_COUNT, 0, "0 given", NULL);
    /* r or s zero or not below n */
    memcpy(bad, sigs, sizeof bad);
    memset(bad[1].r, 0, 32);
    expect_fault(&f, &s, bad, 3, L2W_NITRO_SIG_UNRECOVERABLE, 1, "signatures[1]: recovers no signer", msgs[ZERO_R]);
    memcpy(bad, sigs, sizeof bad);
    memcpy(bad[1].s, l2w_test_curve_order, 32);
    expect_fault(&f, &s, bad, 3, L2W_NITRO_SIG_UNRECOVERABLE, 1, "not below the curve order", NULL);
    memcpy(bad, sigs, sizeof bad);
    memcpy(bad[0].r, l2w_test_curve_order, 32);
    expect_fault(&f, &s, bad, 3, L2W_NITRO_SIG_UNRECOVERABLE, 0, "recovers no signer", NULL);

    for (int i = 0; i < N_CASES; i++)
        for (int j = i + 1; j < N_CASES; j++)
            CHECK_MSG(strcmp(msgs[i], msgs[j]) != 0, "cases %d and %d give the same error: %s", i, j, msgs[i]);

    /* calldata wants one signature per participant */
    uint8_t *cd = NULL;
    size_t cd_len = 0;
    CHECK(l2w_nitro_checkpoint_calldata(&cd, &cd_len, &f, &s, sigs, 2, &err) == L2W_ERR_INVALID && !cd);
    l2w_nitro_fixed_free(&f);
    l2w_nitro_state_free(&s);
}

/* ---- JSON intake ---- */

static json_t *body_json(const l2w_nitro_fixed *f, const l2w_nitro_state *s, const l2w_nitro_sig *sigs, size_t n)
{
    json_t *j = NULL;
    l2w_err err = {{0}};
    CHECK(l2w_nitro_to_json(&j, f, s, sigs, n, &err) == L2W_OK);
    return j;
}

static void test_round_trip(void)
{
    static const size_t counts[] = {1, 2, 4, L2W_NITRO_MAX_PARTICIPANTS};
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        l2w_nitro_fixed f, f2;
        l2w_nitro_state s, s2;
        l2w_nitro_sig sigs[L2W_NITRO_MAX_PARTICIPANTS], sigs2[L2W_NITRO_MAX_PARTICIPANTS];
        random_channel(&f, &s, counts[i], 0);
        sign_all(sigs, &f, &s, 0);
        json_t *j = body_json(&f, &s, sigs, counts[i]);
        char *textj = j ? json_dumps(j, JSON_COMPACT) : NULL;
        json_t *parsed = NULL;
        l2w_err err = {{0}};
        CHECK(textj && l2w_json_parse(&parsed, textj, strlen(textj), &err) == L2W_OK);
        size_t n2 = 99;
        l2w_status st = l2w_nitro_from_json(&f2, &s2, sigs2, &n2, parsed, &err);
        CHECK_MSG(st == L2W_OK, "%s", err.msg);
        CHECK(st != L2W_OK || (l2w_nitro_fixed_eq(&f, &f2) && l2w_nitro_state_eq(&s, &s2) && n2 == counts[i] &&
                               memcmp(sigs, sigs2, n2 * sizeof sigs[0]) == 0));
        CHECK(st != L2W_OK || l2w_nitro_verify(NULL, &f2, &s2, sigs2, n2, &err) == L2W_OK);
        l2w_nitro_fixed_free(&f2);
        l2w_nitro_state_free(&s2);
        /* the state alone, without signatures */
        json_t *bare = body_json(&f, &s, NULL, 0);
        st = l2w_nitro_from_json(&f2, &s2, NULL, NULL, bare, &err);
        CHECK_MSG(st == L2W_OK && l2w_nitro_fixed_eq(&f, &f2) && l2w_nitro_state_eq(&s, &s2), "%s", err.msg);
        l2w_nitro_fixed_free(&f2);
        l2w_nitro_state_free(&s2);
        json_decref(bare);
        json_decref(parsed);
        free(textj);
        json_decref(j);
        l2w_nitro_fixed_free(&f);
        l2w_nitro_state_free(&s);
    }
    /* the spellings a client may use */
    const char *body = "{\"fixedPart\":{\"chainId\":\"0x7A69\",\"participants\":["
                       "\"0x00000000000000000000000000000000000000AA\",\"0x00000000000000000000000000000000000000bb\"],"
                       "\"channelNonce\":\"281474976710655\",\"appDefinition\":"
                       "\"0x0000000000000000000000000000000000000001\",\"challengeDuration\":86400},"
                       "\"state\":{\"turnNum\":\"0x10\",\"isFinal\":false,\"appData\":\"0x\","
                       "\"outcome\":\"0xC0FFEE\"}}";
    json_t *j = NULL;
    l2w_err err = {{0}};
    CHECK(l2w_json_parse(&j, body, strlen(body), &err) == L2W_OK);
    l2w_nitro_fixed f;
    l2w_nitro_state s;
    l2w_status st = l2w_nitro_from_json(&f, &s, NULL, NULL, j, &err);
    CHECK_MSG(st == L2W_OK, "%s", err.msg);
    if (st == L2W_OK) {
        CHECK(f.chain_id.w[0] == 31337 && f.n_participants == 2 && f.participants[0].b[19] == 0xaa);
        CHECK(f.channel_nonce == L2W_NITRO_UINT48_MAX && f.challenge_duration == 86400 && s.turn_num == 16);
        CHECK(!s.is_final && s.app_data_len == 0 && s.outcome_len == 3 && s.outcome[0] == 0xc0);
    }
    l2w_nitro_fixed_free(&f);
    l2w_nitro_state_free(&s);
    json_decref(j);
}

/* Sets or deletes one member of a valid body: "obj.key=json", "-obj.key",
 * "obj.key[i]=json", "key=json" (root), "-key". */
static void apply_edit(json_t *root, const char *edit)
{
    bool del = edit[0] == '-';
    const char *spec = del ? edit + 1 : edit;
    char path[96];
    const char *eq = strchr(spec, '=');
    snprintf(path, sizeof path, "%.*s", (int)(eq ? (size_t)(eq - spec) : strlen(spec)), spec);
    json_t *parent = root;
    char *key = path;
    char *dot = strchr(path, '.');
    if (dot) {
        *dot = '\0';
        parent = json_object_get(root, path);
        key = dot + 1;
    }
    json_t *value = NULL;
    if (eq) {
        json_error_t jerr;
        value = json_loads(eq + 1, JSON_DECODE_ANY, &jerr);
        CHECK_MSG(value != NULL, "bad edit value %s", eq + 1);
    }
    char *br = strchr(key, '[');
    if (br) {
        *br = '\0';
        json_t *arr = json_object_get(parent, key);
        size_t idx = strtoul(br + 1, NULL, 10);
        if (del)
            json_array_remove(arr, idx);
        else
            json_array_set_new(arr, idx, value);
    } else if (del) {
        json_object_del(parent, key);
    } else {
        json_object_set_new(parent, key, value);
    }
}

static void expect_refused(const json_t *body, bool with_sigs, const char *needle, const char *what)
{
    l2w_nitro_fixed f;
    l2w_nitro_state s;
    l2w_nitro_sig sigs[L2W_NITRO_MAX_PARTICIPANTS];
    size_t n = 7;
    l2w_err err = {{0}};
    l2w_status st = l2w_nitro_from_json(&f, &s, with_sigs ? sigs : NULL, with_sigs ? &n : NULL, body, &err);
    CHECK_MSG(st == L2W_ERR_INVALID && strstr(err.msg, needle) != NULL, "%s: status %d, error \"%s\", wanted \"%s\"",
              what, st, err.msg, needle);
    CHECK(f.participants == NULL && s.app_data == NULL && s.outcome == NULL && (!with_sigs || n == 0));
    if (st == L2W_OK) {
        l2w_nitro_fixed_free(&f);
        l2w_nitro_state_free(&s);
    }
}

static void test_malformed(void)
{
    l2w_nitro_fixed f;
    l2w_nitro_state s;
    l2w_nitro_sig sigs[2];
    random_channel(&f, &s, 2, 0);
    sign_all(sigs, &f, &s, 0);
    json_t *good = body_json(&f, &s, sigs, 2);
    l2w_nitro_fixed_free(&f);
    l2w_nitro_state_free(&s);
    if (!good)
        return;
    static const struct {
        const char *edit;
        const char *needle;
    } cases[] = {
        {"-fixedPart", "fixedPart: missing"},
        {"fixedPart=[]", "fixedPart: expected an object, got an array"},
        {"-state", "state: missing"},
        {"state=\"x\"", "state: expected an object, got a string"},
        {"-signatures", "signatures: missing"},
        {"extra=1", "extra: unknown field"},
        {"fixedPart.chainID=1", "fixedPart.chainID: unknown field"},
        {"state.turnNumber=1", "state.turnNumber: unknown field"},
        {"-fixedPart.chainId", "fixedPart.chainId: missing"},
        {"fixedPart.chainId=true", "fixedPart.chainId: expected a number"},
        {"fixedPart.chainId="
         "\"115792089237316195423570985008687907853269984665640564039457584007913129639936\"",
         "fixedPart.chainId: \"115792089237316195423570985008687907853269984665640564039457584007913129639936\" "
         "exceeds 2^256 - 1"},
        {"fixedPart.participants=\"0x00\"", "fixedPart.participants: expected an array, got a string"},
        {"fixedPart.participants=[]", "fixedPart.participants: no participants"},
        {"fixedPart.participants[1]=\"0xg000000000000000000000000000000000000000\"",
         "fixedPart.participants[1]: expected 0x and 40 hex digits"},
        {"fixedPart.participants[0]=17", "fixedPart.participants[0]: expected an address string, got an integer"},
        {"fixedPart.channelNonce=281474976710656", "fixedPart.channelNonce: 281474976710656 exceeds uint48"},
        {"fixedPart.channelNonce=-1", "fixedPart.channelNonce: negative number"},
        {"-fixedPart.appDefinition", "fixedPart.appDefinition: missing"},
        {"fixedPart.appDefinition=\"0x01\"", "fixedPart.appDefinition: expected 0x and 40 hex digits"},
        {"fixedPart.challengeDuration=\"0x1000000000000\"",
         "fixedPart.challengeDuration: 281474976710656 exceeds uint48"},
        {"fixedPart.challengeDuration=3.5", "fixedPart.challengeDuration: expected a number"},
        {"state.turnNum=\"281474976710656\"", "state.turnNum: 281474976710656 exceeds uint48"},
        {"state.turnNum=\"-3\"", "state.turnNum: negative number"},
        {"state.turnNum=\"ten\"", "state.turnNum: not a decimal number"},
        {"-state.turnNum", "state.turnNum: missing"},
        {"state.isFinal=\"true\"", "state.isFinal: expected true or false, got a string"},
        {"-state.isFinal", "state.isFinal: missing"},
        {"state.appData=\"0xabc\"", "state.appData: odd number of hex digits"},
        {"state.appData=\"abcd\"", "state.appData: expected 0x hex data"},
        {"state.appData=\"0xzz\"", "state.appData: bad hex digit"},
        {"state.outcome=12", "state.outcome: expected a 0x hex string, got an integer"},
        {"-state.outcome", "state.outcome: missing"},
        {"signatures={}", "signatures: expected an array, got an object"},
        {"-signatures[1]", "signatures: 1 given for 2 participants"},
        {"signatures[0]=null", "signatures[0]: expected a 0x signature string, got null"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *body = json_deep_copy(good);
        apply_edit(body, cases[i].edit);
        expect_refused(body, true, cases[i].needle, cases[i].edit);
        json_decref(body);
    }
    /* a truncated signature and one with a bad digit */
    json_t *body = json_deep_copy(good);
    char sig_text[2 * 65 + 3];
    json_t *body_sigs = json_object_get(body, "signatures");
    snprintf(sig_text, sizeof sig_text, "%s", json_string_value(json_array_get(body_sigs, 1)));
    sig_text[2 + 128] = '\0';
    json_array_set_new(body_sigs, 1, json_string(sig_text));
    expect_refused(body, true, "signatures[1]: expected 0x and 130 hex digits (65 bytes r || s || v), got 130",
                   "truncated signature");
    sig_text[2 + 128] = 'q';
    sig_text[2 + 129] = '0';
    sig_text[2 + 130] = '\0';
    json_array_set_new(body_sigs, 1, json_string(sig_text));
    expect_refused(body, true, "signatures[1]: bad hex in signature", "bad signature hex");
    json_decref(body);
    /* an outcome one byte over the cap */
    body = json_deep_copy(good);
    size_t big = L2W_NITRO_MAX_OUTCOME + 1;
    char *hex = malloc(2 * big + 3);
    memset(hex, 'a', 2 * big + 2);
    hex[0] = '0';
    hex[1] = 'x';
    hex[2 * big + 2] = '\0';
    json_object_set_new(json_object_get(body, "state"), "outcome", json_string(hex));
    free(hex);
    expect_refused(body, true, "state.outcome: 65537 bytes exceeds the cap of 65536", "outcome over the cap");
    json_decref(body);
    /* seventeen participants */
    body = json_deep_copy(good);
    json_t *parts = json_object_get(json_object_get(body, "fixedPart"), "participants");
    while (json_array_size(parts) < L2W_NITRO_MAX_PARTICIPANTS + 1)
        json_array_append(parts, json_array_get(parts, 0));
    expect_refused(body, true, "fixedPart.participants: 17 participants exceeds the cap of 16", "17 participants");
    json_decref(body);
    /* signatures where the caller asked for none; a body that is not an object */
    expect_refused(good, false, "signatures: unknown field", "unexpected signatures");
    json_t *arr = json_array();
    expect_refused(arr, true, "body: expected an object, got an array", "array body");
    json_decref(arr);
    json_decref(good);
}

/* ---- ChallengeRegistered ---- */

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

static void test_challenge_event(void)
{
    if (!have_cast) {
        fprintf(stderr, "skipped: ChallengeRegistered from cast (cast not found)\n");
        return;
    }
    l2w_hash topics[2];
    l2w_nitro_challenge_registered_topic(&topics[0]);
    for (int rep = 0; rep < 4; rep++) {
        l2w_nitro_fixed f;
        l2w_nitro_state s;
        size_t n = 1 + rnd(4);
        random_channel(&f, &s, n, 0);
        l2w_nitro_sig sigs[L2W_NITRO_MAX_PARTICIPANTS];
        sign_all(sigs, &f, &s, 0);
        l2w_err err = {{0}};
        CHECK(l2w_nitro_channel_id(&topics[1], &f, &err) == L2W_OK);
        uint64_t finalizes = random_u48();
        text t = {0};
        put(&t, "abi-encode 'f(" EVENT_DATA ")' ");
        put_u64(&t, s.turn_num);
        put(&t, " ");
        put_u64(&t, finalizes);
        put(&t, s.is_final ? " true '" : " false '");
        put_fixed(&t, &f);
        put(&t, "' '[(");
        put_hex(&t, s.outcome, s.outcome_len);
        put(&t, ",");
        put_hex(&t, s.app_data, s.app_data_len);
        put(&t, ")]' '");
        put_sigs(&t, sigs, n);
        put(&t, "' '[");
        for (size_t i = 0; i < n; i++)
            put(&t, i ? ",0" : "0");
        put(&t, "]'");
        char *hex = cast_text(&t);
        free(t.p);
        size_t len = 0;
        uint8_t *data = hex ? decode_hex_alloc(hex, &len) : NULL;
        free(hex);
        CHECK(data != NULL);
        if (data) {
            l2w_nitro_challenge ev;
            l2w_status st = l2w_nitro_decode_challenge_registered(&ev, topics, 2, data, len, &err);
            CHECK_MSG(st == L2W_OK, "%s", err.msg);
            CHECK(l2w_hash_eq(&ev.channel_id, &topics[1]) && ev.turn_num_record == s.turn_num &&
                  ev.finalizes_at == finalizes && ev.is_final == s.is_final && ev.n_participants == n &&
                  ev.n_variable_parts == 1);
            /* truncations */
            int refused = 0, tried = 0;
            for (size_t cut = 0; cut < len; cut += (cut < 96 ? 1 : 29)) {
                tried++;
                refused += l2w_nitro_decode_challenge_registered(&ev, topics, 2, data, cut, &err) == L2W_ERR_PROTOCOL;
            }
            CHECK_MSG(refused == tried, "%d of %d truncations refused", refused, tried);
            uint8_t *bad = malloc(len);
            /* turnNumRecord above uint48 */
            memcpy(bad, data, len);
            bad[25] = 0x01;
            CHECK(l2w_nitro_decode_challenge_registered(&ev, topics, 2, bad, len, &err) == L2W_ERR_PROTOCOL);
            /* isFinal neither 0 nor 1 */
            memcpy(bad, data, len);
            bad[64 + 31] = 2;
            CHECK(l2w_nitro_decode_challenge_registered(&ev, topics, 2, bad, len, &err) == L2W_ERR_PROTOCOL);
            for (int k = 0; k < 20; k++) {
                l2w_test_fill_random(bad, len);
                CHECK(l2w_nitro_decode_challenge_registered(&ev, topics, 2, bad, len, &err) == L2W_ERR_PROTOCOL);
            }
            free(bad);
            /* topic1 not the fixed part's channel; topics missing or foreign */
            l2w_hash wrong[3] = {topics[0], topics[1], topics[1]};
            wrong[1].b[31] ^= 1;
            CHECK(l2w_nitro_decode_challenge_registered(&ev, wrong, 2, data, len, &err) == L2W_ERR_PROTOCOL &&
                  strstr(err.msg, "channelId (topic1)"));
            CHECK(l2w_nitro_decode_challenge_registered(&ev, topics, 1, data, len, &err) == L2W_ERR_PROTOCOL);
            CHECK(l2w_nitro_decode_challenge_registered(&ev, wrong, 3, data, len, &err) == L2W_ERR_PROTOCOL);
            CHECK(l2w_nitro_decode_challenge_registered(&ev, topics + 1, 1, data, len, &err) == L2W_ERR_PROTOCOL &&
                  strstr(err.msg, "another event"));
            CHECK(l2w_nitro_decode_challenge_registered(&ev, topics, 0, data, len, &err) == L2W_ERR_PROTOCOL);
            free(data);
        }
        l2w_nitro_fixed_free(&f);
        l2w_nitro_state_free(&s);
    }
}

int main(void)
{
    (void)l2w_test_seed();
    have_cast = l2w_test_cast_path() != NULL;
    for (unsigned i = 0; i < N_KEYS; i++)
        l2w_test_channel_key(keys[i], &key_addrs[i], 100 + i);
    RUN(test_known_answers);
    RUN(test_against_cast);
    RUN(test_signatures);
    RUN(test_round_trip);
    RUN(test_malformed);
    RUN(test_challenge_event);
    l2w_secp_thread_cleanup();
    return l2w_test_finish();
}
