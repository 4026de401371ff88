/* watch_list (collector/watch_list.c): which (address, topic0) pairs each
 * chain's follower collects, from a config with an OP Stack L2, its
 * op-stack bridge and a lock-release bridge whose source is that L2; the
 * topic0s are compared with values computed outside this code base. */
#include <stdio.h>
#include <string.h>

#include "collector/watch_list.h"
#include "core/channel_nitro.h"
#include "core/channel_vector.h"
#include "core/config.h"
#include "core/hex.h"
#include "tests/unit/harness.h"
#include "tests/unit/support/bridge_config.h"

#define A(last) "\"0x00000000000000000000000000000000000000" last "\""

static const char config_text[] =
    TEST_BRIDGE_CHAINS TEST_BRIDGES_OP_AND_LR;

/* Known topic0s (keccak-256 of the canonical signatures). */
#define T_OUTPUT_PROPOSED "0xa7aaf2512769da4e444e3de247be2564225c2e7a8f74cfe528e46e17d24868e2"
#define T_WITHDRAWAL_PROVEN "0x67a6208cfcc0801d50f6cbe764733f4fddf66ac0b04442061a8a8c0cb6b63f62"
#define T_WITHDRAWAL_FINALIZED "0xdb5c7652857aa163daadd670e116628fb42e869d8ac4251ef8971d9e5727df1b"
#define T_TRANSACTION_DEPOSITED "0xb3813568d9991fc951961fcb4c784893574240a28925604d09fc577c55bb7c32"
#define T_ERC20_BRIDGE_FINALIZED "0xd59c65b35445225835c83f50b6ede06a7be047d22e357073e250d9af537518cd"
#define T_ETH_BRIDGE_FINALIZED "0x31b2166ff604fc5672ea5df08a78081d2bc6d746cadce880747f3643d819e83d"
/* From Foundry's `cast sig-event
 * "ERC20BridgeInitiated(address,address,address,address,uint256,bytes)"`. */
#define T_ERC20_BRIDGE_INITIATED "0x7ff126db8024424bbfd9826e8ab82ff59136289ea440b04b39a0df1b03b9cabf"
#define T_RELEASED "0xf841af1340fe1d6814e6ec7893c8cc8939c12ee8d084afe073c5b10dc8fc794c"
#define T_BURN_INITIATED "0xc0fcd5c6e41bdc07ed5eabfb9bcf698272b8dcdb7a327ef3300a4d2e65c7787b"

typedef struct {
    l2w_watch_kind kind;
    uint8_t address_last;
    const char *topic0;
} expected_watch;

static l2w_config *load(void)
{
    l2w_config *cfg = NULL;
    l2w_err err = {{0}};
    l2w_status st = l2w_config_parse(&cfg, config_text, strlen(config_text), "t.yaml", &err);
    CHECK_MSG(st == L2W_OK, "%s", err.msg);
    return st == L2W_OK ? cfg : NULL;
}

static l2w_addr addr_ending(uint8_t last)
{
    l2w_addr a = {{0}};
    a.b[19] = last;
    return a;
}

static l2w_hash hash_of(const char *hex)
{
    l2w_hash h = {{0}};
    l2w_status st = l2w_hash_from_hex(&h, hex);
    CHECK_MSG(st == L2W_OK, "bad test vector %s", hex);
    return h;
}

/* Every expected watch appears exactly once, and nothing else does. */
static void check_exactly(const l2w_watch *w, size_t n, const expected_watch *want, size_t n_want, const char *chain)
{
    CHECK_MSG(n == n_want, "%s: %zu watches, expected %zu", chain, n, n_want);
    bool used[L2W_MAX_WATCHES] = {false};
    for (size_t i = 0; i < n_want; i++) {
        l2w_addr a = addr_ending(want[i].address_last);
        l2w_hash t = hash_of(want[i].topic0);
        size_t found = 0;
        for (size_t j = 0; j < n; j++) {
            if (w[j].kind == want[i].kind && l2w_addr_eq(&w[j].address, &a) && l2w_hash_eq(&w[j].topic0, &t)) {
                found++;
                used[j] = true;
            }
        }
        CHECK_MSG(found == 1, "%s: watch kind %d at ...%02x with %s found %zu times", chain, (int)want[i].kind,
                  want[i].address_last, want[i].topic0, found);
    }
    for (size_t j = 0; j < n; j++)
        CHECK_MSG(used[j], "%s: unexpected watch %zu of kind %d", chain, j, (int)w[j].kind);
}

static void test_l1_watches(void)
{
    l2w_config *cfg = load();
    if (!cfg)
        return;
    static const expected_watch want[] = {
        {L2W_WATCH_OUTPUT_PROPOSED, 0x01, T_OUTPUT_PROPOSED},
        {L2W_WATCH_PORTAL_PROVEN, 0x02, T_WITHDRAWAL_PROVEN},
        {L2W_WATCH_PORTAL_FINALIZED, 0x02, T_WITHDRAWAL_FINALIZED},
        {L2W_WATCH_PORTAL_DEPOSIT, 0x02, T_TRANSACTION_DEPOSITED},
        {L2W_WATCH_ERC20_FINALIZED, 0x03, T_ERC20_BRIDGE_FINALIZED},
        {L2W_WATCH_ETH_FINALIZED, 0x03, T_ETH_BRIDGE_FINALIZED},
        {L2W_WATCH_ERC20_INITIATED, 0x03, T_ERC20_BRIDGE_INITIATED},
        {L2W_WATCH_RELEASE, 0xe0, T_RELEASED},
    };
    l2w_watch w[L2W_MAX_WATCHES];
    size_t n = l2w_watches_for_chain(cfg, "l1", w);
    check_exactly(w, n, want, sizeof want / sizeof want[0], "l1");

    const l2w_bridge_config *op_main = l2w_config_bridge(cfg, "op-main"), *lr = l2w_config_bridge(cfg, "lr");
    CHECK(op_main && lr);
    for (size_t i = 0; i < n; i++) {
        switch (w[i].kind) {
        case L2W_WATCH_OUTPUT_PROPOSED:
            /* the oracle's watch names its L2 and no bridge */
            CHECK(w[i].l2_chain && strcmp(w[i].l2_chain, "op") == 0 && w[i].bridge == NULL);
            break;
        case L2W_WATCH_PORTAL_PROVEN:
        case L2W_WATCH_PORTAL_FINALIZED:
        case L2W_WATCH_PORTAL_DEPOSIT:
        case L2W_WATCH_ERC20_FINALIZED:
        case L2W_WATCH_ETH_FINALIZED:
        case L2W_WATCH_ERC20_INITIATED:
            CHECK_MSG(w[i].bridge == op_main && w[i].l2_chain == NULL, "kind %d", (int)w[i].kind);
            break;
        case L2W_WATCH_RELEASE:
            CHECK(w[i].bridge == lr && w[i].l2_chain == NULL);
            break;
        case L2W_WATCH_INITIATION:
            CHECK_MSG(false, "an initiation watch on the L1");
            break;
        case L2W_WATCH_VECTOR_DISPUTED:
        case L2W_WATCH_NITRO_CHALLENGE:
            CHECK_MSG(false, "a channel watch without a channels: section");
            break;
        case L2W_WATCH_VALIDIUM_SEQUENCED:
            CHECK_MSG(false, "a validium watch without a committees: section");
            break;
        }
    }
    l2w_config_free(cfg);
}

static void test_l2_and_other_watches(void)
{
    l2w_config *cfg = load();
    if (!cfg)
        return;
    static const expected_watch want[] = {{L2W_WATCH_INITIATION, 0x50, T_BURN_INITIATED}};
    l2w_watch w[L2W_MAX_WATCHES];
    size_t n = l2w_watches_for_chain(cfg, "op", w);
    check_exactly(w, n, want, 1, "op");
    CHECK(n == 1 && w[0].bridge == l2w_config_bridge(cfg, "lr") && w[0].l2_chain == NULL);
    /* a chain no bridge or L2 touches watches nothing; nor does an unknown name */
    CHECK(l2w_watches_for_chain(cfg, "side", w) == 0);
    CHECK(l2w_watches_for_chain(cfg, "nope", w) == 0);
    l2w_config_free(cfg);
}

/* l2w_event_topic hashes a canonical signature. */
static void test_event_topic(void)
{
    l2w_hash got, want = hash_of(T_ERC20_BRIDGE_INITIATED);
    l2w_event_topic(&got, "ERC20BridgeInitiated(address,address,address,address,uint256,bytes)");
    CHECK(l2w_hash_eq(&got, &want));
    want = hash_of(T_RELEASED);
    l2w_event_topic(&got, "Released(bytes32,address,address,uint256)");
    CHECK(l2w_hash_eq(&got, &want));
}

/* Only an exact (address, topic0) pair finds its watch: a watched topic0 at
 * another watched address, or a watched address with another watched
 * topic0, finds nothing. */
static void test_find_exact_pairs(void)
{
    l2w_config *cfg = load();
    if (!cfg)
        return;
    l2w_watch w[L2W_MAX_WATCHES];
    size_t n = l2w_watches_for_chain(cfg, "l1", w);
    for (size_t i = 0; i < n; i++) {
        const l2w_watch *got = l2w_watch_find(w, n, &w[i].address, &w[i].topic0);
        CHECK_MSG(got == &w[i], "watch %zu", i);
        for (size_t j = 0; j < n; j++) {
            bool same_pair = l2w_addr_eq(&w[i].address, &w[j].address) && l2w_hash_eq(&w[i].topic0, &w[j].topic0);
            const l2w_watch *cross = l2w_watch_find(w, n, &w[i].address, &w[j].topic0);
            if (same_pair)
                CHECK(cross == &w[i]);
            else if (l2w_addr_eq(&w[i].address, &w[j].address))
                CHECK_MSG(cross && cross->kind == w[j].kind, "address of %zu, topic of %zu", i, j);
            else
                CHECK_MSG(cross == NULL, "address of %zu with topic of %zu", i, j);
        }
    }
    /* one byte off either way */
    l2w_addr a = w[0].address;
    l2w_hash t = w[0].topic0;
    a.b[0] ^= 1;
    CHECK(l2w_watch_find(w, n, &a, &t) == NULL);
    a = w[0].address;
    t.b[31] ^= 1;
    CHECK(l2w_watch_find(w, n, &a, &t) == NULL);
    /* the L2's initiation pair is not watched on the L1, and vice versa */
    l2w_addr source = addr_ending(0x50), escrow = addr_ending(0xe0);
    l2w_hash burn = hash_of(T_BURN_INITIATED), released = hash_of(T_RELEASED);
    CHECK(l2w_watch_find(w, n, &source, &burn) == NULL);
    CHECK(l2w_watch_find(w, n, &escrow, &burn) == NULL);
    CHECK(l2w_watch_find(w, n, &escrow, &released) != NULL);
    l2w_watch w2[L2W_MAX_WATCHES];
    size_t n2 = l2w_watches_for_chain(cfg, "op", w2);
    CHECK(l2w_watch_find(w2, n2, &source, &burn) == &w2[0]);
    CHECK(l2w_watch_find(w2, n2, &escrow, &released) == NULL);
    CHECK(l2w_watch_find(w2, n2, &source, &released) == NULL);
    CHECK(l2w_watch_find(w2, 0, &source, &burn) == NULL);
    l2w_config_free(cfg);
}

/* channels: on l1 adds ChannelDisputed from any address and
 * ChallengeRegistered from the adjudicator, and nothing on other chains. */
static void test_channel_watches(void)
{
    static const char text[] = TEST_BRIDGE_CHAINS "signers:\n  - name: tower\n    key_file: /k\n"
                                                  "channels:\n  chain: l1\n  receipt_signer: tower\n"
                                                  "  vector_channel_factory: " A("f1") "\n"
                                                  "  vector_mastercopy: " A("f2") "\n"
                                                  "  nitro_adjudicator: " A("f3") "\n";
    l2w_config *cfg = NULL;
    l2w_err err = {{0}};
    l2w_status st = l2w_config_parse(&cfg, text, strlen(text), "t.yaml", &err);
    CHECK_MSG(st == L2W_OK, "%s", err.msg);
    if (st != L2W_OK)
        return;
    l2w_watch w[L2W_MAX_WATCHES];
    size_t n = l2w_watches_for_chain(cfg, "l1", w);
    l2w_hash disputed, challenge;
    l2w_vector_channel_disputed_topic(&disputed);
    l2w_nitro_challenge_registered_topic(&challenge);
    CHECK(n == 3); /* the oracle of op, and the two channel watches */
    l2w_addr anywhere = addr_ending(0x77), adjudicator = addr_ending(0xf3);
    const l2w_watch *v = l2w_watch_find(w, n, &anywhere, &disputed);
    CHECK(v && v->kind == L2W_WATCH_VECTOR_DISPUTED && v->any_address);
    const l2w_watch *nitro = l2w_watch_find(w, n, &adjudicator, &challenge);
    CHECK(nitro && nitro->kind == L2W_WATCH_NITRO_CHALLENGE && !nitro->any_address);
    /* ChallengeRegistered only from the adjudicator */
    CHECK(l2w_watch_find(w, n, &anywhere, &challenge) == NULL);
    CHECK(l2w_watches_for_chain(cfg, "side", w) == 0);
    l2w_config_free(cfg);
}

/* From `cast sig-event "SequenceBatches(uint64,bytes32)"`. */
#define T_SEQUENCE_BATCHES "0x3e54d0825ed78523037d00a81759237eb436ce774bd546993ee67a1b67b6e766"

/* committees: a validium's rollup contract is watched on its l1 for
 * SequenceBatches, the watch naming its committee; other chains do not. */
static void test_committee_watches(void)
{
    static const char text[] = TEST_BRIDGE_CHAINS "committees:\n"
                                                  "  - chain: cdk\n    l1: side\n    rollup: " A("c1") "\n"
                                                  "    members: [" A("a1") ", " A("a2") "]\n    threshold: 2\n";
    l2w_config *cfg = NULL;
    l2w_err err = {{0}};
    l2w_status st = l2w_config_parse(&cfg, text, strlen(text), "t.yaml", &err);
    CHECK_MSG(st == L2W_OK, "%s", err.msg);
    if (st != L2W_OK)
        return;
    static const expected_watch want[] = {{L2W_WATCH_VALIDIUM_SEQUENCED, 0xc1, T_SEQUENCE_BATCHES}};
    l2w_watch w[L2W_MAX_WATCHES];
    size_t n = l2w_watches_for_chain(cfg, "side", w);
    check_exactly(w, n, want, 1, "side");
    CHECK(n == 1 && w[0].committee == &cfg->committees[0] && strcmp(w[0].l2_chain, "cdk") == 0);
    n = l2w_watches_for_chain(cfg, "l1", w);
    for (size_t i = 0; i < n; i++)
        CHECK_MSG(w[i].kind != L2W_WATCH_VALIDIUM_SEQUENCED, "the validium watched on l1");
    l2w_config_free(cfg);
}

int main(void)
{
    RUN(test_committee_watches);
    RUN(test_channel_watches);
    RUN(test_l1_watches);
    RUN(test_l2_and_other_watches);
    RUN(test_event_topic);
    RUN(test_find_exact_pairs);
    return l2w_test_finish();
}
