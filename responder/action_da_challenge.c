#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/da_challenge_reads.h"
#include "collector/eth.h"
#include "core/abi.h"
#include "core/hex.h"
#include "core/json.h"
#include "responder/action.h"

/* da_challenge: a data_withheld finding about an Alt-DA keccak commitment is
 * answered with DataAvailabilityChallenge.challenge(blockNumber,
 * commitment). The call is payable and deposits what it carries before it
 * checks the bond, so the bond goes with the challenge in one transaction:
 * there is no state in which a deposit landed and the challenge did not.
 * The value is the bondSize read when the finding was raised; what is left
 * of it after a resolution returns to the challenger's balance in the
 * contract (withdraw() pays it out).
 *
 * The challenge must be mined within challengeWindow blocks of the
 * commitment's block: the response's deadline is that block's estimated
 * time, so the transaction manager pays more as it nears. */

#define CHALLENGE_CALL "challenge(uint256,bytes)"

static bool answers(const l2w_finding *f, const l2w_config *cfg)
{
    (void)cfg;
    const json_t *kind = json_object_get(f->evidence, "commitment_kind");
    return strcmp(f->kind, "data_withheld") == 0 && json_is_string(json_object_get(f->evidence, "challenge_contract")) &&
           json_is_string(kind) && strcmp(json_string_value(kind), "keccak") == 0;
}

static l2w_status evidence_string(const l2w_finding *f, const char *key, const char **out, l2w_err *err)
{
    const json_t *v = json_object_get(f->evidence, key);
    if (!json_is_string(v)) {
        l2w_err_set(err, "finding %s: evidence.%s missing", f->dedup_key, key);
        return L2W_ERR_INVALID;
    }
    *out = json_string_value(v);
    return L2W_OK;
}

static l2w_status evidence_u64(const l2w_finding *f, const char *key, uint64_t *out, l2w_err *err)
{
    const json_t *v = json_object_get(f->evidence, key);
    if (!json_is_integer(v) || json_integer_value(v) < 0) {
        l2w_err_set(err, "finding %s: evidence.%s missing", f->dedup_key, key);
        return L2W_ERR_INVALID;
    }
    *out = (uint64_t)json_integer_value(v);
    return L2W_OK;
}

typedef struct {
    const char *l1_chain, *contract_hex, *commitment_hex, *bond;
    uint64_t block, block_time, deadline;
    l2w_addr contract;
    uint8_t commitment[33];
    l2w_u256 bond_size;
} challenge_facts;

static l2w_status read_facts(const l2w_finding *f, challenge_facts *c, l2w_err *err)
{
    l2w_status st = evidence_string(f, "l1_chain", &c->l1_chain, err);
    if (st == L2W_OK)
        st = evidence_string(f, "challenge_contract", &c->contract_hex, err);
    if (st == L2W_OK)
        st = evidence_string(f, "commitment", &c->commitment_hex, err);
    if (st == L2W_OK)
        st = evidence_string(f, "bond_size", &c->bond, err);
    if (st == L2W_OK)
        st = evidence_u64(f, "l1_block", &c->block, err);
    if (st == L2W_OK)
        st = evidence_u64(f, "l1_block_timestamp", &c->block_time, err);
    if (st == L2W_OK)
        st = evidence_u64(f, "challenge_deadline", &c->deadline, err);
    if (st != L2W_OK)
        return st;
    if (l2w_addr_from_hex(&c->contract, c->contract_hex) != L2W_OK ||
        l2w_hex_decode_exact(c->commitment, sizeof c->commitment, c->commitment_hex) != L2W_OK ||
        l2w_u256_from_dec(&c->bond_size, c->bond) != L2W_OK) {
        l2w_err_set(err, "finding %s: evidence holds a malformed contract, commitment or bond", f->dedup_key);
        return L2W_ERR_INVALID;
    }
    return L2W_OK;
}

static l2w_status plan(const l2w_finding *f, const l2w_config *cfg, l2w_action_plan *out, l2w_err *err)
{
    (void)cfg;
    memset(out, 0, sizeof *out);
    challenge_facts c;
    l2w_status st = read_facts(f, &c, err);
    if (st != L2W_OK)
        return st;
    l2w_abi_value items[2] = {l2w_abi_val_uint64(c.block), l2w_abi_val_bytes(c.commitment, sizeof c.commitment)};
    l2w_abi_value args = l2w_abi_val_tuple(items, 2);
    out->to = c.contract;
    out->value = c.bond_size;
    st = l2w_action_calldata(&out->calldata, CHALLENGE_CALL, &args, err);
    if (st == L2W_OK && !(out->params = json_pack("{s:I, s:s, s:s}", "challenged_block", (json_int_t)c.block,
                                                  "commitment", c.commitment_hex, "bond_size", c.bond))) {
        l2w_err_set(err, "finding %s: out of memory", f->dedup_key);
        st = L2W_ERR_NOMEM;
    }
    if (st != L2W_OK) {
        l2w_action_plan_clear(out);
        return st;
    }
    /* One challenge per (block, commitment), ever: the contract refuses a
     * second one, and so does this key. */
    snprintf(out->idempotency_key, sizeof out->idempotency_key, "da_challenge:%s:%s:%llu:%s", c.l1_chain,
             c.contract_hex, (unsigned long long)c.block, c.commitment_hex);
    snprintf(out->chain, sizeof out->chain, "%s", c.l1_chain);
    out->deadline = (int64_t)c.deadline;
    out->window_start = (int64_t)c.block_time;
    snprintf(out->summary, sizeof out->summary,
             "challenge(%llu, %.20s...) on DataAvailabilityChallenge %s (%s) with a bond of %s wei: %s",
             (unsigned long long)c.block, c.commitment_hex, c.contract_hex, c.l1_chain, c.bond, f->kind);
    return L2W_OK;
}

static l2w_status target_facts(const l2w_action_target *t, uint64_t *block, uint8_t commitment[33], l2w_err *err)
{
    const json_t *b = json_object_get(t->params, "challenged_block");
    const json_t *c = json_object_get(t->params, "commitment");
    if (!json_is_integer(b) || json_integer_value(b) < 0 || !json_is_string(c) ||
        l2w_hex_decode_exact(commitment, 33, json_string_value(c)) != L2W_OK) {
        l2w_err_set(err, "response params: challenged_block or commitment missing or malformed");
        return L2W_ERR_INVALID;
    }
    *block = (uint64_t)json_integer_value(b);
    return L2W_OK;
}

static l2w_status still_needed(l2w_rpc *rpc, const l2w_action_target *t, bool *needed, char *note, size_t note_len,
                               l2w_err *err)
{
    uint64_t block, head;
    uint8_t commitment[33];
    l2w_dac_status status;
    l2w_dac_params params;
    l2w_status st = target_facts(t, &block, commitment, err);
    if (st == L2W_OK)
        st = l2w_dac_read_status(rpc, &t->to, "latest", block, commitment, sizeof commitment, &status, err);
    if (st == L2W_OK)
        st = l2w_dac_read_params(rpc, &t->to, "latest", &params, err);
    if (st == L2W_OK)
        st = l2w_eth_block_number(rpc, &head, err);
    if (st != L2W_OK)
        return st;
    *needed = false;
    if (status != L2W_DAC_UNINITIALIZED)
        snprintf(note, note_len, "already challenged: the contract reports the challenge %s",
                 l2w_dac_status_name(status));
    else if (head + 1 > block + params.challenge_window)
        snprintf(note, note_len,
                 "too late: the challenge window closed at block %llu and the next block is %llu",
                 (unsigned long long)(block + params.challenge_window), (unsigned long long)(head + 1));
    else
        *needed = true;
    return L2W_OK;
}

static l2w_status verify(l2w_rpc *rpc, const l2w_action_target *t, bool *effective, char *note, size_t note_len,
                         l2w_err *err)
{
    uint64_t block;
    uint8_t commitment[33];
    l2w_dac_challenge c;
    char tag[19];
    l2w_u64_to_quantity(tag, t->mined_block);
    l2w_status st = target_facts(t, &block, commitment, err);
    if (st == L2W_OK)
        st = l2w_dac_read_challenge(rpc, &t->to, tag, block, commitment, sizeof commitment, &c, err);
    if (st != L2W_OK)
        return st;
    *effective = t->has_sender && l2w_addr_eq(&c.challenger, &t->sender) && c.start_block == t->mined_block;
    char challenger[L2W_ADDR_HEX_LEN];
    l2w_addr_to_hex(challenger, &c.challenger);
    if (*effective)
        snprintf(note, note_len, "challenge active from block %llu, challenger %s", (unsigned long long)c.start_block,
                 challenger);
    else
        snprintf(note, note_len, "the contract's challenge is by %s from block %llu, not this transaction", challenger,
                 (unsigned long long)c.start_block);
    return L2W_OK;
}

const l2w_action l2w_action_da_challenge = {
    .name = "da_challenge",
    .answers = answers,
    .plan = plan,
    .still_needed = still_needed,
    .verify = verify,
};
