#include <string.h>

#include "core/hex.h"
#include "detectors/rpc_agreement.h"
#include "tests/unit/harness.h"

static void random_hash(l2w_hash *h)
{
    for (size_t i = 0; i < sizeof h->b; i++)
        h->b[i] = (uint8_t)l2w_test_rand();
}

static void answer(l2w_endpoint_answer *a, const char *label)
{
    memset(a, 0, sizeof *a);
    snprintf(a->endpoint, sizeof a->endpoint, "%s", label);
    a->in.number = 42;
    random_hash(&a->in.block_hash);
    random_hash(&a->in.state_root);
    random_hash(&a->in.message_passer_storage_root);
}

static void test_agreement(void)
{
    l2w_endpoint_answer a, b;
    answer(&a, "0:a.example");
    b = a;
    snprintf(b.endpoint, sizeof b.endpoint, "1:b.example");
    CHECK(l2w_answers_agree(&a, &b));
    /* Any one field that differs is a disagreement. */
    l2w_hash *fields[] = {&b.in.block_hash, &b.in.state_root, &b.in.message_passer_storage_root};
    for (size_t i = 0; i < 3; i++) {
        l2w_hash saved = *fields[i];
        fields[i]->b[31] ^= 1;
        CHECK(!l2w_answers_agree(&a, &b));
        *fields[i] = saved;
    }
    b.in.number = 43;
    CHECK(!l2w_answers_agree(&a, &b));
}

static void test_finding(void)
{
    l2w_output_proposal p;
    memset(&p, 0, sizeof p);
    snprintf(p.l2_chain, sizeof p.l2_chain, "op-local");
    snprintf(p.l1_chain, sizeof p.l1_chain, "l1");
    p.output_index = l2w_u256_from_u64(7);
    p.l2_block_number = l2w_u256_from_u64(42);
    random_hash(&p.output_root);
    random_hash(&p.l1_block_hash);
    l2w_endpoint_answer a, b;
    answer(&a, "0:a.example");
    answer(&b, "1:b.example");
    l2w_finding f;
    l2w_err err = {{0}};
    CHECK(l2w_rpc_disagreement_finding(&f, &p, &a, &b, &err) == L2W_OK);
    CHECK(strcmp(f.kind, "rpc_disagreement") == 0 && f.severity == L2W_SEV_MEDIUM);
    CHECK(strstr(f.summary, "0:a.example") && strstr(f.summary, "1:b.example"));
    CHECK(f.has_anchor && l2w_hash_eq(&f.anchor_block_hash, &p.l1_block_hash));
    CHECK(f.has_block_number && strcmp(l2w_finding_ref_chain(&f, f.block_on), "op-local") == 0);
    const json_t *answers = json_object_get(f.evidence, "answers");
    CHECK(json_array_size(answers) == 2);
    l2w_hash want;
    l2w_output_root_v0(&want, &b.in.state_root, &b.in.message_passer_storage_root, &b.in.block_hash);
    char hex[L2W_HASH_HEX_LEN];
    l2w_hash_to_hex(hex, &want);
    CHECK(strcmp(json_string_value(json_object_get(json_array_get(answers, 1), "implied_output_root")), hex) == 0);
    /* Same proposal, other answers: the same finding. */
    l2w_finding g;
    answer(&b, "2:c.example");
    CHECK(l2w_rpc_disagreement_finding(&g, &p, &a, &b, &err) == L2W_OK);
    CHECK(strcmp(f.dedup_key, g.dedup_key) == 0);
    l2w_finding_clear(&f);
    l2w_finding_clear(&g);
}

int main(void)
{
    l2w_test_seed();
    RUN(test_agreement);
    RUN(test_finding);
    return l2w_test_finish();
}
