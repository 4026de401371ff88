#ifndef L2W_COLLECTOR_OP_OUTPUTS_H
#define L2W_COLLECTOR_OP_OUTPUTS_H

#include "collector/eth.h"
#include "core/status.h"
#include "detectors/state_root.h"

/* OP Stack L2OutputOracle events. */

/* topic0 of OutputProposed(bytes32 indexed outputRoot, uint256 indexed
 * l2OutputIndex, uint256 indexed l2BlockNumber, uint256 l1Timestamp). */
const l2w_hash *l2w_output_proposed_topic(void);

/* Decodes an OutputProposed log into p (chain names are left to the caller).
 * L2W_ERR_INVALID with a reason if the log does not have the event's shape. */
L2W_MUST_CHECK l2w_status l2w_decode_output_proposed(l2w_output_proposal *p, const l2w_evm_log *log, l2w_err *err);

#endif
