#ifndef L2W_DETECTORS_FORGED_WITHDRAWAL_H
#define L2W_DETECTORS_FORGED_WITHDRAWAL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/finding.h"
#include "core/status.h"
#include "detectors/bridge_facts.h"

/* forged_withdrawal (critical): a withdrawal proven or released on the
 * escrow chain whose message was never initiated on the source chain. */

typedef enum {
    L2W_FW_PENDING = 0,   /* not yet checkable: the source chain is not far enough yet */
    L2W_FW_BACKED = 1,    /* initiated as claimed */
    L2W_FW_FORGED = 2,
} l2w_fw_verdict;

/* ---- OP Stack: OptimismPortal.WithdrawalProven ----
 * The Portal accepted a proof that withdrawal_hash is in the
 * L2ToL1MessagePasser's sentMessages at the output's L2 block. sentMessages
 * only ever gains entries, so the message is forged when the real L2 does
 * not have it at that block. */

typedef struct {
    char l2_chain[40];
    l2w_addr portal;
    l2w_hash withdrawal_hash;
    l2w_addr from;               /* WithdrawalProven's indexed from and to */
    l2w_addr to;
    uint64_t l1_block_number;
    l2w_hash l1_block_hash;
    l2w_hash l1_tx_hash;
    uint32_t l1_log_index;
    /* provenWithdrawals(withdrawal_hash) and getL2Output(index), read at the L1 block */
    l2w_hash output_root;
    l2w_u256 output_index;
    l2w_u256 l2_block_number;
} l2w_proven_withdrawal;

/* What the L2 says: sentMessages[withdrawal_hash] at checked_block (which
 * must be the claimed block, or the L2 head when that is lower). */
typedef struct {
    uint64_t l2_head;
    uint64_t checked_block;
    l2w_hash checked_block_hash;
    bool sent;
    /* The claimed block's state could not be read (pruned), so the head was
     * checked instead: not sent there means never sent by the claimed block. */
    bool at_head_fallback;
} l2w_l2_message_check;

/* With at_head_fallback (the check had to be made at the head): BACKED when
 * sent, FORGED when not. Otherwise: PENDING when the L2 has not reached the claimed block and the message is
 * not there yet at its head; BACKED when it is there (at a head below the
 * claimed block too: an entry never goes away); FORGED when the claimed
 * block is reached and the message is not in it. L2W_ERR_INVALID when
 * checked_block is neither the claimed block (with the head at or past it)
 * nor (below it) the head. A claimed block beyond 64 bits is never reached. */
L2W_MUST_CHECK l2w_status l2w_fw_judge_op(l2w_fw_verdict *out, const l2w_proven_withdrawal *w,
                                          const l2w_l2_message_check *c, l2w_err *err);

/* Evidence: l2_chain, portal, withdrawal_hash, from, to, output_index,
 * output_root, l2_block_number, the L2 block checked and its hash,
 * message_passer, storage_slot (keccak256(hash ‖ 0)), sent=false, the L1
 * block, tx and log; anchored at the L1 block; dedup key naming the L1
 * chain, portal, withdrawal hash and the L1 block hash and log index.
 * s names the bridge (its escrow is the Portal). L2W_ERR_INVALID unless w
 * and c judge FORGED. */
L2W_MUST_CHECK l2w_status l2w_fw_finding_op(l2w_finding *out, const l2w_bridge_subject *s,
                                            const l2w_proven_withdrawal *w, const l2w_l2_message_check *c,
                                            l2w_err *err);

/* ---- lock/release bridges: a release must match an initiation ----
 * Matching is by message id; the initiation's token (when both events name
 * one), recipient (likewise) and amount (the release may not pay more;
 * compared when both name one) must agree, checked in that order with the
 * first mismatch reported. Tokens are compared as given: a bridge whose
 * initiation names the source chain's token address needs the caller to
 * map it to the escrow chain's first. */

typedef enum {
    L2W_FW_MISMATCH_NONE = 0,
    L2W_FW_NO_INITIATION = 1,
    L2W_FW_TOKEN_DIFFERS = 2,
    L2W_FW_RECIPIENT_DIFFERS = 3,
    L2W_FW_AMOUNT_EXCEEDS = 4,
} l2w_fw_mismatch;

/* initiation NULL = none with the release's message id is stored.
 * source_synced_timestamp: the timestamp of the newest source-chain block
 * whose facts are stored; a release without an initiation is PENDING until
 * that passes the release's timestamp plus grace_s (PENDING while equal),
 * FORGED after. A release without a message id is FORGED (NO_INITIATION)
 * at once. *why is NONE unless the verdict is FORGED. L2W_ERR_INVALID when
 * the initiation given does not carry the release's message id. */
L2W_MUST_CHECK l2w_status l2w_fw_judge_release(l2w_fw_verdict *out, l2w_fw_mismatch *why,
                                               const l2w_bridge_transfer *release,
                                               const l2w_bridge_transfer *initiation,
                                               uint64_t source_synced_timestamp, uint32_t grace_s, l2w_err *err);

/* Evidence: bridge, chains, escrow, the release (message id, token,
 * recipient, amount, block, tx, log), why, and the initiation when one was
 * found; anchored at the release's block; dedup key naming bridge, message
 * id ("none" without one), release block hash and log index.
 * L2W_ERR_INVALID when why is NONE. */
L2W_MUST_CHECK l2w_status l2w_fw_finding_release(l2w_finding *out, const l2w_bridge_subject *s,
                                                 const l2w_bridge_transfer *release,
                                                 const l2w_bridge_transfer *initiation, l2w_fw_mismatch why,
                                                 l2w_err *err);

#endif
