#include "detectors/state_root.h"

#include <stdio.h>
#include <string.h>

#include "core/hex.h"
#include "core/json.h"
#include "core/keccak.h"

const l2w_addr l2w_message_passer_address = {
    {0x42, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x16}};

void l2w_output_root_v0(l2w_hash *out, const l2w_hash *state_root, const l2w_hash *message_passer_storage_root,
                        const l2w_hash *block_hash)
{
    uint8_t preimage[128] = {0}; /* first word: the output version, 0 */
    memcpy(preimage + 32, state_root->b, 32);
    memcpy(preimage + 64, message_passer_storage_root->b, 32);
    memcpy(preimage + 96, block_hash->b, 32);
    l2w_keccak256(out->b, preimage, sizeof preimage);
}

bool l2w_state_root_checkable(const l2w_output_proposal *p, uint64_t l2_head)
{
    uint64_t block;
    if (l2w_u256_to_u64(&block, &p->l2_block_number) != L2W_OK)
        return false;
    return block <= l2_head;
}

l2w_status l2w_state_root_judge(l2w_sr_verdict *verdict, l2w_hash *recomputed, const l2w_output_proposal *p,
                                const l2w_l2_output_inputs *in, l2w_err *err)
{
    uint64_t block;
    if (l2w_u256_to_u64(&block, &p->l2_block_number) != L2W_OK || block != in->number) {
        char want[L2W_U256_DEC_LEN];
        l2w_u256_to_dec(want, &p->l2_block_number);
        l2w_err_set(err, "state_root: L2 data is for block %llu, the proposal is for block %s",
                    (unsigned long long)in->number, want);
        return L2W_ERR_INVALID;
    }
    l2w_output_root_v0(recomputed, &in->state_root, &in->message_passer_storage_root, &in->block_hash);
    *verdict = l2w_hash_eq(recomputed, &p->output_root) ? L2W_SR_MATCH : L2W_SR_MISMATCH;
    return L2W_OK;
}

static json_t *dec_json(const l2w_u256 *v)
{
    char dec[L2W_U256_DEC_LEN];
    l2w_u256_to_dec(dec, v);
    return json_string(dec);
}

static json_t *evidence_json(const l2w_output_proposal *p, const l2w_l2_output_inputs *in, const l2w_hash *recomputed)
{
    /* Integers that are uint256 on-chain are strings so no JSON reader rounds them. */
    return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:s, s:s, s:o, s:I, s:o, s:o, s:I}",
                     "output_index", dec_json(&p->output_index),
                     "l2_block_number", dec_json(&p->l2_block_number),
                     "posted_output_root", l2w_json_hash(&p->output_root),
                     "recomputed_output_root", l2w_json_hash(recomputed),
                     "l2_block_hash", l2w_json_hash(&in->block_hash),
                     "l2_state_root", l2w_json_hash(&in->state_root),
                     "message_passer_storage_root", l2w_json_hash(&in->message_passer_storage_root),
                     "l2_output_oracle", l2w_json_addr(&p->oracle),
                     "l2_chain", p->l2_chain,
                     "l1_chain", p->l1_chain,
                     "l1_block_hash", l2w_json_hash(&p->l1_block_hash),
                     "l1_block_number", (json_int_t)p->l1_block_number,
                     "l1_tx_hash", l2w_json_hash(&p->l1_tx_hash),
                     "l1_timestamp", dec_json(&p->l1_timestamp),
                     "l1_log_index", (json_int_t)p->l1_log_index);
}

l2w_status l2w_state_root_finding(l2w_finding *out, const l2w_output_proposal *p, const l2w_l2_output_inputs *in,
                                  const l2w_hash *recomputed, l2w_err *err)
{
    memset(out, 0, sizeof *out);
    char index[L2W_U256_DEC_LEN], block[L2W_U256_DEC_LEN];
    char posted[L2W_HASH_HEX_LEN], correct[L2W_HASH_HEX_LEN], oracle[L2W_ADDR_HEX_LEN];
    l2w_u256_to_dec(index, &p->output_index);
    l2w_u256_to_dec(block, &p->l2_block_number);
    l2w_hash_to_hex(posted, &p->output_root);
    l2w_hash_to_hex(correct, recomputed);
    l2w_addr_to_hex(oracle, &p->oracle);

    out->kind = "invalid_output_root";
    out->severity = L2W_SEV_CRITICAL;
    snprintf(out->chain, sizeof out->chain, "%s", p->l2_chain);
    /* The fact is the OutputProposed log: its block hash and index. The same
     * wrong root proposed again is a new fact needing a new answer; the same
     * transaction re-mined on another branch after a reorg is a new fact too,
     * while the finding on the abandoned branch is retracted. */
    char l1_block[L2W_HASH_HEX_LEN];
    l2w_hash_to_hex(l1_block, &p->l1_block_hash);
    snprintf(out->dedup_key, sizeof out->dedup_key, "invalid_output_root:%s:%s:%s:%s:%s:%u", p->l2_chain, oracle,
             index, posted, l1_block, (unsigned)p->l1_log_index);
    snprintf(out->title, sizeof out->title, "Invalid output root at index %s (L2 block %s)", index, block);
    snprintf(out->summary, sizeof out->summary,
             "L2OutputOracle %s on %s holds output root %s for %s block %s, but the L2 itself gives %s. "
             "Withdrawals proven against this output are not backed by the L2 state; challenge or delete it "
             "before its finalization period ends.",
             oracle, p->l1_chain, posted, p->l2_chain, block, correct);
    out->evidence = evidence_json(p, in, recomputed);
    /* The L2 block the output is about, on the L2; the proposal's
     * transaction is on the L1 (the anchor's chain). */
    out->has_block_number = true;
    out->block_number = p->l2_block_number;
    out->block_on = L2W_ON_FINDING_CHAIN;
    out->has_tx_hash = true;
    out->tx_hash = p->l1_tx_hash;
    out->has_anchor = true;
    snprintf(out->anchor_chain, sizeof out->anchor_chain, "%s", p->l1_chain);
    out->anchor_block_hash = p->l1_block_hash;
    if (!out->evidence) {
        l2w_err_set(err, "state_root: out of memory building evidence");
        return L2W_ERR_NOMEM;
    }
    return L2W_OK;
}
