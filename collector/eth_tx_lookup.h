#ifndef L2W_COLLECTOR_ETH_TX_LOOKUP_H
#define L2W_COLLECTOR_ETH_TX_LOOKUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collector/rpc.h"
#include "core/eth_types.h"
#include "core/status.h"

/* One mined transaction as eth_getTransactionByHash answers it: what a log
 * alone does not say (its calldata, sender and target). */
typedef struct {
    l2w_hash block_hash;
    uint64_t block_number;
    l2w_addr from;
    bool has_to;                       /* false for a contract creation */
    l2w_addr to;
    uint8_t *input;                    /* owned: l2w_eth_tx_seen_clear */
    size_t input_len;
} l2w_eth_tx_seen;

/* L2W_ERR_NOT_FOUND when the node does not know the transaction or has it
 * pending; L2W_ERR_PROTOCOL when the answer is for another transaction, is
 * malformed, or carries more than max_input bytes of input. */
L2W_MUST_CHECK l2w_status l2w_eth_transaction(l2w_rpc *rpc, const l2w_hash *tx_hash, size_t max_input,
                                              l2w_eth_tx_seen *out, l2w_err *err);

void l2w_eth_tx_seen_clear(l2w_eth_tx_seen *t);

#endif
