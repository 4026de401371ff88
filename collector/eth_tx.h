#ifndef L2W_COLLECTOR_ETH_TX_H
#define L2W_COLLECTOR_ETH_TX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collector/rpc.h"
#include "core/eth_types.h"
#include "core/status.h"
#include "core/u256.h"

/* The JSON-RPC calls a transaction sender needs: nonces, fee market, gas
 * estimation, calls, broadcast and receipts. Answers are validated like the
 * collector's reads; an RPC error keeps the node's message in err (a revert
 * reason from eth_estimateGas is the most useful thing an operator sees). */

L2W_MUST_CHECK l2w_status l2w_eth_nonce(l2w_rpc *rpc, const l2w_addr *account, bool pending, uint64_t *out,
                                        l2w_err *err);

/* Fee market from eth_feeHistory over the last blocks: the base fee of the
 * next block and the median tip paid recently. */
typedef struct {
    l2w_u256 next_base_fee;
    l2w_u256 tip;
} l2w_fee_market;

L2W_MUST_CHECK l2w_status l2w_eth_fee_market(l2w_rpc *rpc, l2w_fee_market *out, l2w_err *err);

typedef struct {
    const l2w_addr *from; /* may be NULL */
    const l2w_addr *to;
    const uint8_t *data;
    size_t data_len;
    const l2w_u256 *value; /* may be NULL: none */
} l2w_eth_call_args;

L2W_MUST_CHECK l2w_status l2w_eth_estimate_gas(l2w_rpc *rpc, const l2w_eth_call_args *args, uint64_t *gas,
                                               l2w_err *err);
/* eth_call at block_tag ("latest", or a 0x quantity). *out is malloc'd. */
L2W_MUST_CHECK l2w_status l2w_eth_call(l2w_rpc *rpc, const l2w_eth_call_args *args, const char *block_tag,
                                       uint8_t **out, size_t *out_len, l2w_err *err);

/* The same at a block named by hash (EIP-1898, canonical required) when
 * block_hash is not NULL, else at block_tag. */
L2W_MUST_CHECK l2w_status l2w_eth_call_at(l2w_rpc *rpc, const l2w_eth_call_args *args, const char *block_tag,
                                          const l2w_hash *block_hash, uint8_t **out, size_t *out_len, l2w_err *err);
/* A view call of signature with one 32-byte argument (arg, or none when
 * NULL) answering exactly words 32-byte words into out; another size is
 * L2W_ERR_PROTOCOL. At block_hash when not NULL, else at block_tag. */
L2W_MUST_CHECK l2w_status l2w_eth_call_words(l2w_rpc *rpc, const l2w_addr *to, const char *signature,
                                             const uint8_t *arg, const char *block_tag, const l2w_hash *block_hash,
                                             size_t words, uint8_t *out, l2w_err *err);
/* eth_getBalance, at block_hash when not NULL, else at block_tag. */
L2W_MUST_CHECK l2w_status l2w_eth_balance_at(l2w_rpc *rpc, const l2w_addr *account, const char *block_tag,
                                             const l2w_hash *block_hash, l2w_u256 *out, l2w_err *err);

/* How a node took a raw transaction. Only ACCEPTED and KNOWN mean the
 * transaction is in the node's pool; NONCE_USED means some transaction with
 * that nonce is already mined (maybe this one), UNDERPRICED that a pending
 * transaction with the same nonce pays more. */
typedef enum {
    L2W_SEND_ACCEPTED = 0,
    L2W_SEND_KNOWN = 1,
    L2W_SEND_NONCE_USED = 2,
    L2W_SEND_UNDERPRICED = 3,
} l2w_send_outcome;

const char *l2w_send_outcome_name(l2w_send_outcome o);

/* eth_sendRawTransaction. A hash in the answer that differs from
 * expect_hash is a protocol error. Other RPC errors are L2W_ERR_RPC. */
L2W_MUST_CHECK l2w_status l2w_eth_send_raw(l2w_rpc *rpc, const uint8_t *raw, size_t len, const l2w_hash *expect_hash,
                                           l2w_send_outcome *outcome, l2w_err *err);

typedef struct {
    bool success;
    uint64_t block_number;
    l2w_hash block_hash;
    uint64_t gas_used;
} l2w_receipt;

/* L2W_ERR_NOT_FOUND while the transaction is not mined (or unknown). */
L2W_MUST_CHECK l2w_status l2w_eth_receipt(l2w_rpc *rpc, const l2w_hash *tx_hash, l2w_receipt *out, l2w_err *err);

#endif
