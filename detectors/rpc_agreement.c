#include "detectors/rpc_agreement.h"

#include <stdio.h>
#include <string.h>

#include "core/hex.h"
#include "core/json.h"

bool l2w_answers_agree(const l2w_endpoint_answer *a, const l2w_endpoint_answer *b)
{
    return a->in.number == b->in.number && l2w_hash_eq(&a->in.block_hash, &b->in.block_hash) &&
           l2w_hash_eq(&a->in.state_root, &b->in.state_root) &&
           l2w_hash_eq(&a->in.message_passer_storage_root, &b->in.message_passer_storage_root);
}

static json_t *answer_json(const l2w_endpoint_answer *a)
{
    l2w_hash root;
    l2w_output_root_v0(&root, &a->in.state_root, &a->in.message_passer_storage_root, &a->in.block_hash);
    return json_pack("{s:s, s:o, s:o, s:o, s:o}", "endpoint", a->endpoint, "l2_block_hash",
                     l2w_json_hash(&a->in.block_hash), "l2_state_root", l2w_json_hash(&a->in.state_root),
                     "message_passer_storage_root", l2w_json_hash(&a->in.message_passer_storage_root),
                     "implied_output_root", l2w_json_hash(&root));
}

l2w_status l2w_rpc_disagreement_finding(l2w_finding *out, const l2w_output_proposal *p, const l2w_endpoint_answer *a,
                                        const l2w_endpoint_answer *b, l2w_err *err)
{
    memset(out, 0, sizeof *out);
    char index[L2W_U256_DEC_LEN], block[L2W_U256_DEC_LEN], l1_block[L2W_HASH_HEX_LEN], posted[L2W_HASH_HEX_LEN];
    l2w_u256_to_dec(index, &p->output_index);
    l2w_u256_to_dec(block, &p->l2_block_number);
    l2w_hash_to_hex(l1_block, &p->l1_block_hash);
    l2w_hash_to_hex(posted, &p->output_root);
    out->kind = "rpc_disagreement";
    out->severity = L2W_SEV_MEDIUM;
    snprintf(out->chain, sizeof out->chain, "%s", p->l2_chain);
    /* One finding per proposal whatever the endpoints answer next: the
     * disagreement is about this fact. */
    snprintf(out->dedup_key, sizeof out->dedup_key, "rpc_disagreement:%s:%s:%s:%u", p->l2_chain, index, l1_block,
             (unsigned)p->l1_log_index);
    snprintf(out->title, sizeof out->title, "RPC endpoints disagree about %s block %s", p->l2_chain, block);
    snprintf(out->summary, sizeof out->summary,
             "Endpoints %s and %s give different data for %s block %s, which output %s (root %s) is about. "
             "The output root is not judged until they agree; check which endpoint is wrong.",
             a->endpoint, b->endpoint, p->l2_chain, block, index, posted);
    out->evidence = json_pack("{s:s, s:s, s:o, s:s, s:o, s:o}", "output_index", index, "l2_block_number", block,
                              "posted_output_root", l2w_json_hash(&p->output_root), "l1_chain", p->l1_chain,
                              "l1_block_hash", l2w_json_hash(&p->l1_block_hash), "answers",
                              json_pack("[o, o]", answer_json(a), answer_json(b)));
    if (!out->evidence) {
        l2w_err_set(err, "rpc_agreement: out of memory building evidence");
        return L2W_ERR_NOMEM;
    }
    out->has_block_number = true;
    out->block_number = p->l2_block_number;
    out->block_on = L2W_ON_FINDING_CHAIN; /* the L2 block the endpoints disagree about */
    out->has_anchor = true;
    snprintf(out->anchor_chain, sizeof out->anchor_chain, "%s", p->l1_chain);
    out->anchor_block_hash = p->l1_block_hash;
    return L2W_OK;
}
