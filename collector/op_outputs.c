#include "collector/op_outputs.h"

#include <pthread.h>
#include <string.h>

#include "core/keccak.h"

static l2w_hash output_proposed_topic;
static pthread_once_t topic_once = PTHREAD_ONCE_INIT;

static void compute_topic(void)
{
    static const char sig[] = "OutputProposed(bytes32,uint256,uint256,uint256)";
    l2w_keccak256(output_proposed_topic.b, (const uint8_t *)sig, sizeof sig - 1);
}

const l2w_hash *l2w_output_proposed_topic(void)
{
    pthread_once(&topic_once, compute_topic);
    return &output_proposed_topic;
}

l2w_status l2w_decode_output_proposed(l2w_output_proposal *p, const l2w_evm_log *log, l2w_err *err)
{
    if (log->n_topics != 4 || !l2w_hash_eq(&log->topics[0], l2w_output_proposed_topic())) {
        l2w_err_set(err, "OutputProposed: expected 4 topics starting with the event topic, got %zu", log->n_topics);
        return L2W_ERR_INVALID;
    }
    if (log->data_len != 32) {
        l2w_err_set(err, "OutputProposed: expected 32 bytes of data (l1Timestamp), got %zu", log->data_len);
        return L2W_ERR_INVALID;
    }
    p->oracle = log->address;
    p->output_root = log->topics[1];
    l2w_u256_from_be32(&p->output_index, log->topics[2].b);
    l2w_u256_from_be32(&p->l2_block_number, log->topics[3].b);
    l2w_u256_from_be32(&p->l1_timestamp, log->data);
    p->l1_block_number = log->block_number;
    p->l1_block_hash = log->block_hash;
    p->l1_tx_hash = log->tx_hash;
    p->l1_log_index = log->log_index;
    return L2W_OK;
}
