#ifndef L2W_COLLECTOR_ETH_BLOCK_TXS_H
#define L2W_COLLECTOR_ETH_BLOCK_TXS_H

#include <stddef.h>
#include <stdint.h>

#include "collector/eth.h"
#include "collector/rpc.h"
#include "core/eth_types.h"
#include "core/status.h"

/* The transactions one sender sent to one address in a run of blocks: a
 * rollup batcher's postings to its batch inbox, which is an account without
 * code, so no log marks them and whole blocks must be read
 * (eth_getBlockByNumber with full transactions). */

/* Blobs one transaction may carry (EIP-4844 allows 6 per block; later forks
 * raise the block's target, never a transaction's bound past this). */
#define L2W_INBOX_TX_MAX_BLOBS 16
/* Calldata larger than this is no batcher posting (a frame is at most
 * 128 KiB; an Alt-DA commitment is a few dozen bytes). */
#define L2W_INBOX_TX_MAX_INPUT (1024 * 1024)

typedef struct {
    uint64_t block_number;
    l2w_hash block_hash;
    uint64_t block_timestamp;
    l2w_hash tx_hash;
    uint32_t tx_index;
    uint8_t type;                      /* 0, 1, 2, 3 (blob), ... */
    uint8_t *input;                    /* owned; freed by l2w_inbox_txs_free */
    size_t input_len;
    l2w_hash blob_hashes[L2W_INBOX_TX_MAX_BLOBS]; /* type 3: blobVersionedHashes */
    size_t n_blobs;
} l2w_inbox_tx;

/* Headers of blocks first..first+count-1 into headers[0..count) and the
 * transactions from `from` to `to` in them, in block and index order, into
 * *txs (freed with l2w_inbox_txs_free; NULL when there are none). One batch
 * request. Every transaction is checked to belong to the block it came in
 * (blockHash, blockNumber, transactionIndex in position); a node answering
 * otherwise is L2W_ERR_PROTOCOL, a block it does not have
 * L2W_ERR_NOT_FOUND. */
L2W_MUST_CHECK l2w_status l2w_eth_inbox_txs(l2w_rpc *rpc, uint64_t first, size_t count, const l2w_addr *to,
                                            const l2w_addr *from, l2w_block_header *headers, l2w_inbox_tx **txs,
                                            size_t *n_txs, l2w_err *err);

/* The same for one eth_getBlockByNumber answer already parsed (block
 * borrowed): appends to *txs / *n_txs (capacity *cap, grown as needed). */
L2W_MUST_CHECK l2w_status l2w_inbox_txs_from_block(const json_t *block, uint64_t expect_number, const l2w_addr *to,
                                                   const l2w_addr *from, l2w_block_header *header,
                                                   l2w_inbox_tx **txs, size_t *n_txs, size_t *cap, l2w_err *err);

void l2w_inbox_txs_free(l2w_inbox_tx *txs, size_t n);

#endif
