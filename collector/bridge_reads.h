#ifndef L2W_COLLECTOR_BRIDGE_READS_H
#define L2W_COLLECTOR_BRIDGE_READS_H

#include <stdbool.h>

#include "collector/eth.h"
#include "collector/rpc.h"
#include "core/config.h"
#include "core/eth_types.h"
#include "core/status.h"
#include "core/u256.h"

/* Contract state the bridge guard reads. block_hash names the block (EIP-1898)
 * so a reading belongs to the block it is stored with; NULL = latest. An
 * answer of the wrong size is L2W_ERR_PROTOCOL. */

/* The escrow's balance of token: eth_getBalance for the native coin, else
 * ERC-20 balanceOf(escrow). */
L2W_MUST_CHECK l2w_status l2w_read_escrow_balance(l2w_rpc *rpc, const l2w_bridge_token *token,
                                                  const l2w_hash *block_hash, l2w_u256 *out, l2w_err *err);
/* ERC-20 totalSupply() at block number (the caller's consistent view). */
L2W_MUST_CHECK l2w_status l2w_read_total_supply(l2w_rpc *rpc, const l2w_addr *token, uint64_t block_number,
                                                l2w_u256 *out, l2w_err *err);
/* paused() of a SuperchainConfig or an OpenZeppelin Pausable at block_tag
 * ("latest" or a 0x number); a word that is not a bool is L2W_ERR_PROTOCOL. */
L2W_MUST_CHECK l2w_status l2w_read_paused(l2w_rpc *rpc, const l2w_addr *contract, const char *block_tag, bool *paused,
                                          l2w_err *err);

/* OptimismPortal.provenWithdrawals(hash) at the block: the output root and
 * index the withdrawal was proven against. L2W_ERR_NOT_FOUND when it is
 * not proven there (timestamp 0). */
L2W_MUST_CHECK l2w_status l2w_read_proven_withdrawal(l2w_rpc *rpc, const l2w_addr *portal, const l2w_hash *hash,
                                                     const l2w_hash *block_hash, l2w_hash *output_root,
                                                     l2w_u256 *output_index, l2w_err *err);
/* L2OutputOracle.getL2Output(index) at the block: root and L2 block number. */
L2W_MUST_CHECK l2w_status l2w_read_l2_output(l2w_rpc *rpc, const l2w_addr *oracle, const l2w_u256 *index,
                                             const l2w_hash *block_hash, l2w_hash *output_root,
                                             l2w_u256 *l2_block_number, l2w_err *err);
/* L2ToL1MessagePasser.sentMessages(hash) at the L2 block header, from a
 * storage proof checked against the header's state root. */
L2W_MUST_CHECK l2w_status l2w_read_message_sent(l2w_rpc *rpc, const l2w_hash *withdrawal_hash,
                                                const l2w_block_header *header, bool *sent, l2w_err *err);
/* keccak256(withdrawal_hash ‖ uint256(0)): the sentMessages slot. */
void l2w_message_passer_slot(l2w_hash *out, const l2w_hash *withdrawal_hash);

#endif
