#include <stdio.h>
#include <string.h>

#include "collector/op_outputs.h"
#include "core/hex.h"
#include "core/keccak.h"
#include "detectors/state_root.h"
#include "tests/unit/harness.h"

static void random_hash(l2w_hash *h)
{
    for (size_t i = 0; i < 32; i += 8) {
        uint64_t r = l2w_test_rand();
        memcpy(h->b + i, &r, 8);
    }
}

static l2w_l2_output_inputs random_inputs(uint64_t number)
{
    l2w_l2_output_inputs in = {.number = number};
    random_hash(&in.block_hash);
    random_hash(&in.state_root);
    random_hash(&in.message_passer_storage_root);
    return in;
}

static l2w_output_proposal proposal_for(const l2w_l2_output_inputs *in, uint64_t index)
{
    l2w_output_proposal p;
    memset(&p, 0, sizeof p);
    strcpy(p.l2_chain, "op-local");
    strcpy(p.l1_chain, "l1");
    p.output_index = l2w_u256_from_u64(index);
    p.l2_block_number = l2w_u256_from_u64(in->number);
    p.l1_timestamp = l2w_u256_from_u64(1700000000);
    p.l1_block_number = 77;
    random_hash(&p.l1_block_hash);
    random_hash(&p.l1_tx_hash);
    p.oracle.b[19] = 0x42;
    l2w_output_root_v0(&p.output_root, &in->state_root, &in->message_passer_storage_root, &in->block_hash);
    return p;
}

static void test_root_is_keccak_of_the_four_words(void)
{
    l2w_l2_output_inputs in = random_inputs(10);
    uint8_t preimage[128] = {0};
    memcpy(preimage + 32, in.state_root.b, 32);
    memcpy(preimage + 64, in.message_passer_storage_root.b, 32);
    memcpy(preimage + 96, in.block_hash.b, 32);
    l2w_hash want, got;
    l2w_keccak256(want.b, preimage, sizeof preimage);
    l2w_output_root_v0(&got, &in.state_root, &in.message_passer_storage_root, &in.block_hash);
    CHECK(l2w_hash_eq(&want, &got));
    /* Each input matters, and so does its position. */
    l2w_hash swapped;
    l2w_output_root_v0(&swapped, &in.message_passer_storage_root, &in.state_root, &in.block_hash);
    CHECK(!l2w_hash_eq(&swapped, &got));
}

static void test_verdicts(void)
{
    l2w_l2_output_inputs in = random_inputs(1000);
    l2w_output_proposal p = proposal_for(&in, 5);
    l2w_sr_verdict v;
    l2w_hash recomputed;
    l2w_err err;
    CHECK(l2w_state_root_judge(&v, &recomputed, &p, &in, &err) == L2W_OK);
    CHECK(v == L2W_SR_MATCH && l2w_hash_eq(&recomputed, &p.output_root));

    for (int bit = 0; bit < 256; bit += 37) {
        l2w_l2_output_inputs changed = in;
        changed.message_passer_storage_root.b[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        CHECK(l2w_state_root_judge(&v, &recomputed, &p, &changed, &err) == L2W_OK);
        CHECK(v == L2W_SR_MISMATCH && !l2w_hash_eq(&recomputed, &p.output_root));
    }

    l2w_l2_output_inputs other_block = in;
    other_block.number = 999;
    CHECK(l2w_state_root_judge(&v, &recomputed, &p, &other_block, &err) == L2W_ERR_INVALID);
    CHECK(strstr(err.msg, "block 999") != NULL);
}

static void test_not_yet_checkable(void)
{
    l2w_l2_output_inputs in = random_inputs(500);
    l2w_output_proposal p = proposal_for(&in, 1);
    CHECK(!l2w_state_root_checkable(&p, 0));
    CHECK(!l2w_state_root_checkable(&p, 499));
    CHECK(l2w_state_root_checkable(&p, 500));
    CHECK(l2w_state_root_checkable(&p, UINT64_MAX));
    /* A block number past 64 bits can never be on the L2 node. */
    p.l2_block_number.w[1] = 1;
    CHECK(!l2w_state_root_checkable(&p, UINT64_MAX));
}

static void test_finding(void)
{
    l2w_l2_output_inputs in = random_inputs(1234);
    l2w_output_proposal p = proposal_for(&in, 12);
    l2w_hash correct = p.output_root;
    random_hash(&p.output_root); /* the posted root is now wrong */
    l2w_finding f;
    l2w_err err;
    CHECK(l2w_state_root_finding(&f, &p, &in, &correct, &err) == L2W_OK);
    CHECK(strcmp(f.kind, "invalid_output_root") == 0);
    CHECK(f.severity == L2W_SEV_CRITICAL);
    CHECK(strcmp(f.chain, "op-local") == 0);
    CHECK(strstr(f.title, "index 12") && strstr(f.title, "1234"));
    char posted[L2W_HASH_HEX_LEN], want[L2W_HASH_HEX_LEN], tx[L2W_HASH_HEX_LEN];
    l2w_hash_to_hex(posted, &p.output_root);
    l2w_hash_to_hex(want, &correct);
    l2w_hash_to_hex(tx, &p.l1_tx_hash);
    CHECK(strcmp(json_string_value(json_object_get(f.evidence, "output_index")), "12") == 0);
    CHECK(strcmp(json_string_value(json_object_get(f.evidence, "l2_block_number")), "1234") == 0);
    CHECK(strcmp(json_string_value(json_object_get(f.evidence, "posted_output_root")), posted) == 0);
    CHECK(strcmp(json_string_value(json_object_get(f.evidence, "recomputed_output_root")), want) == 0);
    CHECK(strcmp(json_string_value(json_object_get(f.evidence, "l1_tx_hash")), tx) == 0);
    CHECK(json_integer_value(json_object_get(f.evidence, "l1_block_number")) == 77);
    CHECK(strstr(f.summary, posted) && strstr(f.summary, want));

    /* The dedup key names the fact, the log, not when it was seen: the same
     * log judged again gives the same key; the same proposal on another block
     * (re-mined after a reorg) or another index is another fact. */
    l2w_finding same;
    CHECK(l2w_state_root_finding(&same, &p, &in, &correct, &err) == L2W_OK);
    CHECK(strcmp(f.dedup_key, same.dedup_key) == 0);
    l2w_finding_clear(&same);
    /* Its exact form: the dashboard's /rollups finds a mismatch's finding by
     * this text, built in SQL from the proposal's columns
     * (web/routes_dashboard_rollups.c). */
    char oracle[L2W_ADDR_HEX_LEN], l1_block[L2W_HASH_HEX_LEN], key[sizeof f.dedup_key];
    l2w_addr_to_hex(oracle, &p.oracle);
    l2w_hash_to_hex(l1_block, &p.l1_block_hash);
    snprintf(key, sizeof key, "invalid_output_root:op-local:%s:12:%s:%s:%u", oracle, posted, l1_block,
             (unsigned)p.l1_log_index);
    CHECK(strcmp(f.dedup_key, key) == 0);
    CHECK(f.has_anchor && l2w_hash_eq(&f.anchor_block_hash, &p.l1_block_hash));
    /* The block is the L2's, the proposing transaction the L1's: links to
     * them go to different explorers. */
    CHECK(strcmp(l2w_finding_ref_chain(&f, f.block_on), "op-local") == 0);
    CHECK(strcmp(l2w_finding_ref_chain(&f, f.tx_on), "l1") == 0);
    l2w_output_proposal again = p;
    random_hash(&again.l1_block_hash);
    again.l1_block_number = 78;
    l2w_finding g;
    CHECK(l2w_state_root_finding(&g, &again, &in, &correct, &err) == L2W_OK);
    CHECK(strcmp(f.dedup_key, g.dedup_key) != 0);
    again = p;
    again.output_index = l2w_u256_from_u64(13);
    l2w_finding h;
    CHECK(l2w_state_root_finding(&h, &again, &in, &correct, &err) == L2W_OK);
    CHECK(strcmp(f.dedup_key, h.dedup_key) != 0);
    l2w_finding_clear(&f);
    l2w_finding_clear(&g);
    l2w_finding_clear(&h);
}

static l2w_evm_log output_log(void)
{
    static uint8_t data[32];
    l2w_evm_log log;
    memset(&log, 0, sizeof log);
    log.n_topics = 4;
    log.topics[0] = *l2w_output_proposed_topic();
    random_hash(&log.topics[1]);
    memset(&log.topics[2], 0, 32);
    log.topics[2].b[31] = 7;
    memset(&log.topics[3], 0, 32);
    log.topics[3].b[30] = 0x01; /* 256 */
    memset(data, 0, sizeof data);
    data[31] = 99;
    log.data = data;
    log.data_len = 32;
    log.block_number = 55;
    log.log_index = 3;
    return log;
}

static void test_decode_output_proposed(void)
{
    /* topic0 is keccak256 of the canonical event signature */
    const char *sig = "OutputProposed(bytes32,uint256,uint256,uint256)";
    l2w_hash topic;
    l2w_keccak256(topic.b, (const uint8_t *)sig, strlen(sig));
    CHECK(l2w_hash_eq(&topic, l2w_output_proposed_topic()));
    char hex[L2W_HASH_HEX_LEN];
    l2w_hash_to_hex(hex, &topic);
    CHECK(strncmp(hex, "0xa7aaf251", 10) == 0);

    l2w_evm_log log = output_log();
    l2w_output_proposal p;
    l2w_err err;
    CHECK(l2w_decode_output_proposed(&p, &log, &err) == L2W_OK);
    uint64_t v;
    CHECK(l2w_u256_to_u64(&v, &p.output_index) == L2W_OK && v == 7);
    CHECK(l2w_u256_to_u64(&v, &p.l2_block_number) == L2W_OK && v == 256);
    CHECK(l2w_u256_to_u64(&v, &p.l1_timestamp) == L2W_OK && v == 99);
    CHECK(l2w_hash_eq(&p.output_root, &log.topics[1]));
    CHECK(p.l1_block_number == 55 && p.l1_log_index == 3);

    l2w_evm_log bad = output_log();
    bad.n_topics = 3;
    CHECK(l2w_decode_output_proposed(&p, &bad, &err) == L2W_ERR_INVALID);
    bad = output_log();
    bad.data_len = 31;
    CHECK(l2w_decode_output_proposed(&p, &bad, &err) == L2W_ERR_INVALID);
    CHECK(strstr(err.msg, "32 bytes") != NULL);
    bad = output_log();
    bad.topics[0].b[0] ^= 1;
    CHECK(l2w_decode_output_proposed(&p, &bad, &err) == L2W_ERR_INVALID);
}

int main(void)
{
    (void)l2w_test_seed();
    RUN(test_root_is_keccak_of_the_four_words);
    RUN(test_verdicts);
    RUN(test_not_yet_checkable);
    RUN(test_finding);
    RUN(test_decode_output_proposed);
    return l2w_test_finish();
}
