#include "collector/validium_calldata.h"

#include <stdlib.h>
#include <string.h>

#include "core/abi.h"
#include "core/keccak.h"

#define BATCH "(bytes32,bytes32,uint64,bytes32)[]"

static const struct {
    const char *fork;
    const char *signature;
} forks[] = {
    {"etrog", "sequenceBatchesValidium(" BATCH ",address,bytes)"},
    {"elderberry", "sequenceBatchesValidium(" BATCH ",uint64,uint64,address,bytes)"},
    {"banana", "sequenceBatchesValidium(" BATCH ",uint32,uint64,bytes32,address,bytes)"},
};

void l2w_validium_sequence_clear(l2w_validium_sequence *s)
{
    free(s->da_message);
    memset(s, 0, sizeof *s);
}

/* The hash the contract hands verifyMessage, over the batches that are not
 * forced; each item is a decoded ValidiumBatchData tuple. */
static void accumulate(l2w_validium_sequence *s, const l2w_abi_value *batches)
{
    uint8_t pair[64] = {0};
    for (size_t i = 0; i < batches->len; i++) {
        const l2w_abi_value *b = &batches->items[i];
        if (!l2w_u256_is_zero(&b->items[2].word))
            continue; /* forced: checked against forcedBatches, not by the committee */
        memcpy(pair + 32, b->items[0].fixed, 32);
        l2w_keccak256(pair, pair, sizeof pair);
        s->n_non_forced++;
    }
    if (s->n_non_forced)
        memcpy(s->signed_hash.b, pair, 32);
}

static l2w_status decode_args(l2w_validium_sequence *out, const char *fork, const char *signature,
                              const uint8_t *args, size_t len, l2w_err *err)
{
    l2w_abi_type *t = NULL;
    l2w_abi_value *v = NULL;
    l2w_status st = l2w_abi_signature_parse(&t, signature, err);
    if (st == L2W_OK)
        st = l2w_abi_decode(&v, t, args, len, err);
    if (st != L2W_OK) {
        l2w_err_prefix(err, "sequenceBatchesValidium (%s) arguments", fork);
        l2w_abi_type_free(t);
        return st;
    }
    const l2w_abi_value *batches = &v->items[0];
    const l2w_abi_value *message = &v->items[v->len - 1];
    if (batches->len == 0 || batches->len > L2W_VALIDIUM_MAX_BATCHES) {
        l2w_err_set(err, "sequenceBatchesValidium (%s): %zu batches, expected 1..%d", fork, batches->len,
                    L2W_VALIDIUM_MAX_BATCHES);
        st = L2W_ERR_INVALID;
    } else {
        memset(out, 0, sizeof *out);
        out->fork = fork;
        out->n_batches = batches->len;
        accumulate(out, batches);
        out->da_message = malloc(message->len ? message->len : 1);
        if (!out->da_message) {
            l2w_err_set(err, "sequenceBatchesValidium: out of memory");
            st = L2W_ERR_NOMEM;
        } else {
            if (message->len)
                memcpy(out->da_message, message->data, message->len);
            out->da_message_len = message->len;
        }
    }
    l2w_abi_value_free(v);
    l2w_abi_type_free(t);
    return st;
}

l2w_status l2w_validium_sequence_decode(l2w_validium_sequence *out, const uint8_t *input, size_t len, l2w_err *err)
{
    if (len < 4) {
        l2w_err_set(err, "input of %zu bytes carries no selector", len);
        return L2W_ERR_NOT_FOUND;
    }
    for (size_t i = 0; i < sizeof forks / sizeof forks[0]; i++) {
        uint8_t selector[4];
        l2w_status st = l2w_abi_selector(selector, forks[i].signature, err);
        if (st != L2W_OK)
            return st;
        if (memcmp(selector, input, 4) == 0)
            return decode_args(out, forks[i].fork, forks[i].signature, input + 4, len - 4, err);
    }
    l2w_err_set(err, "selector 0x%02x%02x%02x%02x is no sequenceBatchesValidium", input[0], input[1], input[2],
                input[3]);
    return L2W_ERR_NOT_FOUND;
}
