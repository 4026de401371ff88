#ifndef L2W_COLLECTOR_FEE_BATCH_H
#define L2W_COLLECTOR_FEE_BATCH_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "collector/eth_block_txs.h"
#include "collector/rpc.h"
#include "core/status.h"
#include "core/u256.h"

/* What a rollup batcher's posting cost on the L1: its calldata priced by
 * the EIP-2028 rule, what its receipt says it paid for execution, and for a
 * blob transaction its blob gas at the block's blob base fee. */

/* EIP-2028: 16 gas per non-zero byte of calldata, 4 per zero byte. */
#define L2W_CALLDATA_GAS_NONZERO 16
#define L2W_CALLDATA_GAS_ZERO 4
/* EIP-4844: the blob gas one blob uses. */
#define L2W_GAS_PER_BLOB 131072

typedef struct {
    uint32_t calldata_bytes;
    uint32_t calldata_zero_bytes;
    uint64_t calldata_gas;          /* by the 16/4 rule */
    l2w_u256 calldata_fee;          /* calldata_gas x effective_gas_price */
    uint64_t gas_used;
    l2w_u256 effective_gas_price;
    l2w_u256 fee;                   /* gas_used x effective_gas_price: what the sender paid for execution */
    uint32_t blobs;
    uint64_t blob_gas_used;
    l2w_u256 blob_gas_price;
    l2w_u256 blob_fee;              /* blob_gas_used x blob_gas_price */
} l2w_batch_cost;

/* The 16/4 gas of data[0..len), and how many of its bytes are zero. */
uint64_t l2w_calldata_gas(const uint8_t *data, size_t len, size_t *zero_bytes);

/* The cost of posting tx from its receipt (borrowed). The receipt must be
 * tx's (transactionHash), in tx's block (blockHash: another block is
 * L2W_ERR_NOT_READY, the chain moved since the block was read); a type-3
 * posting needs blobGasUsed (GAS_PER_BLOB for each of its blobs) and
 * blobGasPrice. A missing or malformed field is L2W_ERR_PROTOCOL naming
 * it; JSON null (not mined there) L2W_ERR_NOT_READY. */
L2W_MUST_CHECK l2w_status l2w_batch_cost_parse(l2w_batch_cost *out, const l2w_inbox_tx *tx, const json_t *receipt,
                                               l2w_err *err);

/* The receipts of txs[0..n) in one batch (eth_getTransactionReceipt), each
 * parsed into out[i]. */
L2W_MUST_CHECK l2w_status l2w_batch_costs_read(l2w_rpc *rpc, const l2w_inbox_tx *txs, size_t n, l2w_batch_cost *out,
                                               l2w_err *err);

#endif
