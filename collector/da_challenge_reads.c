#include "collector/da_challenge_reads.h"

#include <stdlib.h>
#include <string.h>

#include "collector/eth_tx.h"
#include "core/abi.h"

/* Commitments are 33 bytes today; a future type might be longer, but never
 * this long in a call l2watch makes. */
#define MAX_COMMITMENT 4096

const char *l2w_dac_status_name(l2w_dac_status s)
{
    switch (s) {
    case L2W_DAC_UNINITIALIZED:
        return "uninitialized";
    case L2W_DAC_ACTIVE:
        return "active";
    case L2W_DAC_RESOLVED:
        return "resolved";
    case L2W_DAC_EXPIRED:
        return "expired";
    }
    return "?";
}

/* A call of signature(uint256, bytes) answering at least words words. */
static l2w_status call_block_commitment(l2w_rpc *rpc, const l2w_addr *contract, const char *signature,
                                        const char *block_tag, uint64_t challenged_block, const uint8_t *commitment,
                                        size_t len, size_t words, uint8_t *out, l2w_err *err)
{
    if (len > MAX_COMMITMENT) {
        l2w_err_set(err, "%s: a commitment of %zu bytes is longer than any known type", signature, len);
        return L2W_ERR_INVALID;
    }
    l2w_abi_value items[2] = {l2w_abi_val_uint64(challenged_block), l2w_abi_val_bytes(commitment, len)};
    l2w_abi_value args = l2w_abi_val_tuple(items, 2);
    uint8_t *data = NULL, *answer = NULL;
    size_t data_len = 0, answer_len = 0;
    l2w_status st = l2w_abi_encode_call(&data, &data_len, signature, &args, err);
    if (st != L2W_OK)
        return st;
    l2w_eth_call_args call = {.to = contract, .data = data, .data_len = data_len};
    st = l2w_eth_call(rpc, &call, block_tag, &answer, &answer_len, err);
    free(data);
    if (st != L2W_OK)
        return st;
    if (answer_len != words * 32) {
        l2w_err_set(err, "%s: answer of %zu bytes, expected %zu (is the address a DataAvailabilityChallenge?)",
                    signature, answer_len, words * 32);
        st = L2W_ERR_PROTOCOL;
    } else {
        memcpy(out, answer, answer_len);
    }
    free(answer);
    return st;
}

/* A word holding a value below limit, else L2W_ERR_PROTOCOL. */
static l2w_status small_word(const uint8_t *w, uint64_t limit, const char *what, uint64_t *out, l2w_err *err)
{
    for (int i = 0; i < 24; i++)
        if (w[i]) {
            l2w_err_set(err, "%s: value out of range", what);
            return L2W_ERR_PROTOCOL;
        }
    uint64_t v = 0;
    for (int i = 24; i < 32; i++)
        v = v << 8 | w[i];
    if (v >= limit) {
        l2w_err_set(err, "%s: value %llu out of range", what, (unsigned long long)v);
        return L2W_ERR_PROTOCOL;
    }
    *out = v;
    return L2W_OK;
}

l2w_status l2w_dac_read_status(l2w_rpc *rpc, const l2w_addr *contract, const char *block_tag,
                               uint64_t challenged_block, const uint8_t *commitment, size_t len, l2w_dac_status *out,
                               l2w_err *err)
{
    uint8_t w[32];
    uint64_t v;
    l2w_status st = call_block_commitment(rpc, contract, "getChallengeStatus(uint256,bytes)", block_tag,
                                          challenged_block, commitment, len, 1, w, err);
    if (st == L2W_OK)
        st = small_word(w, 4, "getChallengeStatus", &v, err);
    if (st == L2W_OK)
        *out = (l2w_dac_status)v;
    return st;
}

l2w_status l2w_dac_read_challenge(l2w_rpc *rpc, const l2w_addr *contract, const char *block_tag,
                                  uint64_t challenged_block, const uint8_t *commitment, size_t len,
                                  l2w_dac_challenge *out, l2w_err *err)
{
    uint8_t w[4 * 32];
    l2w_status st = call_block_commitment(rpc, contract, "getChallenge(uint256,bytes)", block_tag, challenged_block,
                                          commitment, len, 4, w, err);
    if (st != L2W_OK)
        return st;
    for (int i = 0; i < 12; i++)
        if (w[i]) {
            l2w_err_set(err, "getChallenge: challenger is not an address");
            return L2W_ERR_PROTOCOL;
        }
    memcpy(out->challenger.b, w + 12, 20);
    l2w_u256_from_be32(&out->locked_bond, w + 32);
    st = small_word(w + 64, UINT64_MAX, "getChallenge.startBlock", &out->start_block, err);
    if (st == L2W_OK)
        st = small_word(w + 96, UINT64_MAX, "getChallenge.resolvedBlock", &out->resolved_block, err);
    return st;
}

static l2w_status read_word(l2w_rpc *rpc, const l2w_addr *contract, const char *signature, const char *block_tag,
                            uint8_t *w, l2w_err *err)
{
    return l2w_eth_call_words(rpc, contract, signature, NULL, block_tag, NULL, 1, w, err);
}

l2w_status l2w_dac_read_params(l2w_rpc *rpc, const l2w_addr *contract, const char *block_tag, l2w_dac_params *out,
                               l2w_err *err)
{
    uint8_t w[32];
    l2w_status st = read_word(rpc, contract, "challengeWindow()", block_tag, w, err);
    if (st == L2W_OK)
        st = small_word(w, UINT32_MAX, "challengeWindow", &out->challenge_window, err);
    if (st == L2W_OK)
        st = read_word(rpc, contract, "resolveWindow()", block_tag, w, err);
    if (st == L2W_OK)
        st = small_word(w, UINT32_MAX, "resolveWindow", &out->resolve_window, err);
    if (st == L2W_OK)
        st = read_word(rpc, contract, "bondSize()", block_tag, w, err);
    if (st == L2W_OK)
        l2w_u256_from_be32(&out->bond_size, w);
    return st;
}

l2w_status l2w_dac_decode_status_event(const l2w_evm_log *log, uint64_t *challenged_block, uint8_t **commitment,
                                       size_t *len, l2w_dac_status *status, l2w_err *err)
{
    *commitment = NULL;
    *len = 0;
    if (log->n_topics != 2) {
        l2w_err_set(err, "ChallengeStatusChanged: %zu topics, expected 2", log->n_topics);
        return L2W_ERR_PROTOCOL;
    }
    uint64_t v;
    l2w_status st = small_word(log->topics[1].b, UINT64_MAX, "ChallengeStatusChanged.challengedBlockNumber",
                               challenged_block, err);
    if (st != L2W_OK)
        return st;
    l2w_abi_type *t = NULL;
    l2w_abi_value *val = NULL;
    st = l2w_abi_type_parse(&t, "(bytes,uint8)", err);
    if (st == L2W_OK)
        st = l2w_abi_decode(&val, t, log->data, log->data_len, err);
    if (st == L2W_OK) {
        const l2w_abi_value *c = &val->items[0];
        uint8_t w[32];
        l2w_u256_to_be32(w, &val->items[1].word);
        st = small_word(w, 4, "ChallengeStatusChanged.status", &v, err);
        if (st == L2W_OK && (c->len == 0 || c->len > MAX_COMMITMENT)) {
            l2w_err_set(err, "ChallengeStatusChanged: a commitment of %zu bytes", c->len);
            st = L2W_ERR_PROTOCOL;
        }
        if (st == L2W_OK && !(*commitment = malloc(c->len))) {
            l2w_err_set(err, "ChallengeStatusChanged: out of memory");
            st = L2W_ERR_NOMEM;
        }
        if (st == L2W_OK) {
            memcpy(*commitment, c->data, c->len);
            *len = c->len;
            *status = (l2w_dac_status)v;
        }
    } else if (st == L2W_ERR_INVALID) {
        st = L2W_ERR_PROTOCOL;
    }
    l2w_abi_value_free(val);
    l2w_abi_type_free(t);
    return st;
}
