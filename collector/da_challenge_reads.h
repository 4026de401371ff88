#ifndef L2W_COLLECTOR_DA_CHALLENGE_READS_H
#define L2W_COLLECTOR_DA_CHALLENGE_READS_H

#include <stddef.h>
#include <stdint.h>

#include "collector/eth.h"
#include "collector/rpc.h"
#include "core/eth_types.h"
#include "core/status.h"
#include "core/u256.h"

/* Reads of OP Stack's DataAvailabilityChallenge (contracts-bedrock,
 * src/L1/DataAvailabilityChallenge.sol), at block_tag ("latest" or a 0x
 * number). A commitment is the 33-byte keccak256 encoding the contract
 * takes (type byte 0x00, then the hash). */

/* The contract's ChallengeStatus enum; the values are the ABI's. */
typedef enum {
    L2W_DAC_UNINITIALIZED = 0,
    L2W_DAC_ACTIVE = 1,
    L2W_DAC_RESOLVED = 2,
    L2W_DAC_EXPIRED = 3,
} l2w_dac_status;

const char *l2w_dac_status_name(l2w_dac_status s);

/* "ChallengeStatusChanged(uint256,bytes,uint8)": emitted on Active and
 * Resolved only. Expiry emits nothing: it is a status read after
 * resolveWindow blocks. */
#define L2W_DAC_STATUS_EVENT "ChallengeStatusChanged(uint256,bytes,uint8)"

typedef struct {
    l2w_addr challenger;       /* zero when uninitialized */
    l2w_u256 locked_bond;
    uint64_t start_block;
    uint64_t resolved_block;   /* 0 while not resolved */
} l2w_dac_challenge;

/* getChallengeStatus(challengedBlockNumber, challengedCommitment). */
L2W_MUST_CHECK l2w_status l2w_dac_read_status(l2w_rpc *rpc, const l2w_addr *contract, const char *block_tag,
                                              uint64_t challenged_block, const uint8_t *commitment, size_t len,
                                              l2w_dac_status *out, l2w_err *err);
/* getChallenge(challengedBlockNumber, challengedCommitment). */
L2W_MUST_CHECK l2w_status l2w_dac_read_challenge(l2w_rpc *rpc, const l2w_addr *contract, const char *block_tag,
                                                 uint64_t challenged_block, const uint8_t *commitment, size_t len,
                                                 l2w_dac_challenge *out, l2w_err *err);

/* The contract's parameters at block_tag. */
typedef struct {
    uint64_t challenge_window;  /* blocks after the commitment's block in which it may be challenged */
    uint64_t resolve_window;    /* blocks after a challenge in which it may be resolved */
    l2w_u256 bond_size;         /* wei locked by a challenge */
} l2w_dac_params;

L2W_MUST_CHECK l2w_status l2w_dac_read_params(l2w_rpc *rpc, const l2w_addr *contract, const char *block_tag,
                                              l2w_dac_params *out, l2w_err *err);

/* A ChallengeStatusChanged log's fields (topic1 and data); a malformed one
 * is L2W_ERR_PROTOCOL. *commitment is malloc'd. */
L2W_MUST_CHECK l2w_status l2w_dac_decode_status_event(const l2w_evm_log *log, uint64_t *challenged_block,
                                                      uint8_t **commitment, size_t *len, l2w_dac_status *status,
                                                      l2w_err *err);

#endif
