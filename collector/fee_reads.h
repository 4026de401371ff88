#ifndef L2W_COLLECTOR_FEE_READS_H
#define L2W_COLLECTOR_FEE_READS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collector/eth.h"
#include "collector/rpc.h"
#include "core/status.h"
#include "core/u256.h"

/* What a block's transactions paid: from the block (eth_getBlockByNumber
 * with transaction hashes) and its receipts (eth_getBlockReceipts), asked in
 * one batch. Every receipt is checked to be the block's, in order, and the
 * receipts' gas to add up to the block's gasUsed, so a sum is never made of
 * another block's receipts or of a partial list. */

/* The fee fields of one receipt. */
typedef struct {
    l2w_hash tx_hash;
    l2w_hash block_hash;
    uint64_t block_number;
    uint64_t tx_index;
    uint64_t gas_used;
    l2w_u256 effective_gas_price;
    l2w_u256 fee;                  /* gas_used x effective_gas_price */
    bool has_l1_fee;
    l2w_u256 l1_fee;               /* OP Stack: the L1 data fee charged besides */
    bool has_blob_gas_used;
    uint64_t blob_gas_used;        /* EIP-4844 */
    bool has_blob_gas_price;
    l2w_u256 blob_gas_price;
} l2w_fee_receipt;

/* One receipt object (borrowed). transactionHash, blockHash, blockNumber,
 * transactionIndex, gasUsed and effectiveGasPrice are required; l1Fee,
 * blobGasUsed and blobGasPrice optional (absent or null: not there). A
 * missing or malformed field is L2W_ERR_PROTOCOL naming it. */
L2W_MUST_CHECK l2w_status l2w_fee_receipt_parse(l2w_fee_receipt *out, const json_t *receipt, l2w_err *err);

typedef struct {
    l2w_block_header header;
    uint32_t txs;
    uint64_t gas_used;          /* the block's gasUsed, equal to the receipts' sum */
    l2w_u256 execution_fee;     /* sum of gasUsed x effectiveGasPrice, wei */
    l2w_u256 l1_fee;            /* sum of the l1Fee OP Stack receipts report, wei */
    uint32_t l1_fee_txs;        /* receipts that reported one (deposits do not) */
} l2w_block_fees;

/* Most transactions a block may have here: a bound on what a node can
 * make l2watch hold, far above any chain's gas limit allows. */
#define L2W_FEE_MAX_BLOCK_TXS 100000

/* Parses block (the eth_getBlockByNumber answer without full transactions)
 * and receipts (eth_getBlockReceipts' answer) of block expect_number,
 * both borrowed. A missing or malformed field is L2W_ERR_PROTOCOL with err
 * naming the receipt and the field; JSON null for the block or the receipts
 * is L2W_ERR_NOT_FOUND. l1Fee is optional (absent or null: none). *out is
 * written only on success. */
L2W_MUST_CHECK l2w_status l2w_block_fees_parse(l2w_block_fees *out, const json_t *block, const json_t *receipts,
                                               uint64_t expect_number, l2w_err *err);

/* Blocks first..first+count-1 into out[0..count), one batch request of
 * 2 x count calls. */
L2W_MUST_CHECK l2w_status l2w_block_fees_read(l2w_rpc *rpc, uint64_t first, size_t count, l2w_block_fees *out,
                                              l2w_err *err);

#endif
