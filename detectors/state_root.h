#ifndef L2W_DETECTORS_STATE_ROOT_H
#define L2W_DETECTORS_STATE_ROOT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/eth_types.h"
#include "core/finding.h"
#include "core/status.h"
#include "core/u256.h"

/* state_root: an L2OutputOracle output root must equal the v0 output root
 * recomputed from the L2 itself:
 *   keccak256(bytes32(0) ‖ stateRoot ‖ storageHash(L2ToL1MessagePasser) ‖ blockHash)
 * A pure rule: facts in, verdict and finding out. */

/* The L2ToL1MessagePasser predeploy, whose storage root is part of the output. */
extern const l2w_addr l2w_message_passer_address;

/* One OutputProposed event, decoded, with where it was seen on the L1. */
typedef struct {
    char l2_chain[40];
    char l1_chain[40];
    l2w_addr oracle;
    l2w_u256 output_index;
    l2w_u256 l2_block_number;
    l2w_hash output_root;
    l2w_u256 l1_timestamp;
    uint64_t l1_block_number;
    l2w_hash l1_block_hash;
    l2w_hash l1_tx_hash;
    uint32_t l1_log_index;
} l2w_output_proposal;

/* What the L2 says about the proposal's block. */
typedef struct {
    uint64_t number;
    l2w_hash block_hash;
    l2w_hash state_root;
    l2w_hash message_passer_storage_root;
} l2w_l2_output_inputs;

typedef enum {
    L2W_SR_NOT_YET_CHECKABLE = 0, /* the L2 has not reached the proposal's block */
    L2W_SR_MATCH = 1,
    L2W_SR_MISMATCH = 2,
} l2w_sr_verdict;

void l2w_output_root_v0(l2w_hash *out, const l2w_hash *state_root, const l2w_hash *message_passer_storage_root,
                        const l2w_hash *block_hash);

/* True when an L2 whose head is l2_head has the proposal's block. A block
 * number beyond 64 bits is never checkable. */
bool l2w_state_root_checkable(const l2w_output_proposal *p, uint64_t l2_head);

/* Compares the posted root with the one recomputed from in (which must be the
 * proposal's block: L2W_ERR_INVALID otherwise). */
L2W_MUST_CHECK l2w_status l2w_state_root_judge(l2w_sr_verdict *verdict, l2w_hash *recomputed,
                                               const l2w_output_proposal *p, const l2w_l2_output_inputs *in,
                                               l2w_err *err);

/* Builds the invalid_output_root finding for a mismatch. */
L2W_MUST_CHECK l2w_status l2w_state_root_finding(l2w_finding *out, const l2w_output_proposal *p,
                                                 const l2w_l2_output_inputs *in, const l2w_hash *recomputed,
                                                 l2w_err *err);

#endif
