#ifndef L2W_COLLECTOR_VALIDIUM_CALLDATA_H
#define L2W_COLLECTOR_VALIDIUM_CALLDATA_H

#include <stddef.h>
#include <stdint.h>

#include "core/eth_types.h"
#include "core/status.h"

/* A Polygon CDK validium's sequenceBatchesValidium call, read for what its
 * data-availability committee signed. Three forks of PolygonValidiumEtrog
 * (zkevm-contracts) name the call alike with different arguments:
 *   etrog       (ValidiumBatchData[], address, bytes)
 *   elderberry  (ValidiumBatchData[], uint64, uint64, address, bytes)
 *   banana      (ValidiumBatchData[], uint32, uint64, bytes32, address, bytes)
 * with ValidiumBatchData = (bytes32 transactionsHash, bytes32
 * forcedGlobalExitRoot, uint64 forcedTimestamp, bytes32 forcedBlockHashL1).
 * In each the batches come first and the committee's signaturesAndAddrs
 * last, and the contract calls verifyMessage with the hash accumulated over
 * the batches that are not forced (forcedTimestamp 0):
 *   acc = 0; for each such batch: acc = keccak256(acc ‖ transactionsHash).
 * A sequence of forced batches only is not shown to the committee. */

/* More batches than any fork accepts in one sequence (_MAX_VERIFY_BATCHES is
 * 1000): a call carrying more is refused before any hashing. */
#define L2W_VALIDIUM_MAX_BATCHES 1000

typedef struct {
    const char *fork;                  /* "etrog", "elderberry", "banana" (static) */
    size_t n_batches;
    size_t n_non_forced;               /* 0: the committee was not asked */
    l2w_hash signed_hash;              /* what verifyMessage was called with (zero when n_non_forced is 0) */
    uint8_t *da_message;               /* signaturesAndAddrs, owned: l2w_validium_sequence_clear */
    size_t da_message_len;
} l2w_validium_sequence;

/* Decodes a transaction's input. L2W_ERR_NOT_FOUND when the selector is
 * none of the three (the caller says which it saw); L2W_ERR_INVALID, saying
 * what and at which byte, when the arguments do not decode, there are no
 * batches or more than L2W_VALIDIUM_MAX_BATCHES. *out is set on L2W_OK only. */
L2W_MUST_CHECK l2w_status l2w_validium_sequence_decode(l2w_validium_sequence *out, const uint8_t *input,
                                                       size_t len, l2w_err *err);

void l2w_validium_sequence_clear(l2w_validium_sequence *s);

#endif
