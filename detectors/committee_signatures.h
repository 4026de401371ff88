#ifndef L2W_DETECTORS_COMMITTEE_SIGNATURES_H
#define L2W_DETECTORS_COMMITTEE_SIGNATURES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/eth_types.h"
#include "core/finding.h"
#include "core/status.h"

/* committee_threshold_missed (high): a validium batch whose
 * data-availability committee signatures do not show the configured number
 * of members attesting that they hold its data. Without that, the batch's
 * transactions may be unavailable to anyone who wants to leave the chain.
 *
 * The rules are those of Polygon CDK's PolygonDataCommittee.verifyMessage
 * (zkevm-contracts, contracts/v2/consensus/validium), called by
 * PolygonValidiumEtrog.sequenceBatchesValidium with the hash accumulated
 * over the sequence's non-forced transactionsHash values as the signed hash
 * (collector/validium_calldata.h):
 *  - signaturesAndAddrs is requiredAmountOfSignatures signatures of 65
 *    bytes (r ‖ s ‖ v) followed by every member's 20-byte address, in the
 *    committee's order (increasing, as setupCommittee enforces);
 *  - keccak256 of the address part must be committeeHash;
 *  - each signature is checked by OpenZeppelin's ECDSA.recover over the
 *    signed hash as it is (no EIP-191 prefix): v 27 or 28, 0 < r < n,
 *    0 < s <= n/2, a key must recover and its address must not be zero;
 *  - signature i must come from a member listed after the member of
 *    signature i-1, so no member counts twice and signers are in member
 *    order.
 * The contract reverts on the first breach. The verifier below mirrors it
 * and adds one rule of its own: the configured threshold, which is what the
 * operator trusts and may be above the contract's requiredAmountOfSignatures.
 *
 * Pure and database-free: the committee, the signed hash and the bytes in,
 * a verdict out. */

/* A committee larger than any deployed one (they have a handful of members);
 * it bounds the work one signaturesAndAddrs can cause. */
#define L2W_COMMITTEE_MAX_MEMBERS 256

typedef enum {
    L2W_COMMITTEE_OK = 0,              /* the contract accepts, with at least the threshold */
    L2W_COMMITTEE_BELOW_THRESHOLD = 1, /* the contract may accept, but fewer members signed than configured */
    L2W_COMMITTEE_UNKNOWN_SIGNER = 2,  /* a signature recovers an address that is no member */
    L2W_COMMITTEE_OUT_OF_ORDER = 3,    /* a member signs again, or before the previous signer's member */
    L2W_COMMITTEE_BAD_SIGNATURE = 4,   /* ECDSA.recover reverts on it */
    L2W_COMMITTEE_MALFORMED = 5,       /* the length is not signatures followed by the members' addresses */
    L2W_COMMITTEE_MEMBERS_MISMATCH = 6, /* the addresses are not the configured members */
} l2w_committee_result;

/* The configured committee. Borrowed by the functions below. */
typedef struct {
    const l2w_addr *members;         /* in contract order: strictly increasing, none zero */
    size_t n_members;                /* 1..L2W_COMMITTEE_MAX_MEMBERS */
    size_t threshold;                /* signatures required: 1..n_members */
    const l2w_hash *committee_hash;  /* the contract's committeeHash when configured, else NULL */
} l2w_committee;

typedef struct {
    l2w_committee_result result;
    size_t signatures;               /* how many the bytes carry (0 when MALFORMED) */
    /* Members with a good signature over the hash, each counted once, found
     * in every signature the bytes carry (not only those before a fault):
     * how far the batch is from the threshold. */
    size_t valid;
    bool has_index;                  /* UNKNOWN_SIGNER, OUT_OF_ORDER, BAD_SIGNATURE: */
    size_t index;                    /* the first offending signature, from 0 as in the contract */
    bool has_recovered;              /* UNKNOWN_SIGNER, OUT_OF_ORDER: */
    l2w_addr recovered;              /* the address that signature recovers */
    l2w_err why;                     /* what is wrong and where; empty when OK */
} l2w_committee_verdict;

/* "ok", "below_threshold", "unknown_signer", "out_of_order",
 * "bad_signature", "malformed", "members_mismatch". */
const char *l2w_committee_result_name(l2w_committee_result r);

/* committeeHash as setupCommittee computes it: keccak256 of the addresses
 * packed at 20 bytes each. */
void l2w_committee_hash(l2w_hash *out, const l2w_addr *members, size_t n_members);

/* L2W_ERR_INVALID when c breaks a rule of its struct, or when its
 * committee_hash is not the hash of its members: such a configuration can
 * never match the contract, which is a fault of the configuration and not
 * of any batch. */
L2W_MUST_CHECK l2w_status l2w_committee_check(const l2w_committee *c, l2w_err *err);

/* Judges sigs_and_addrs (the contract's signaturesAndAddrs, untrusted, any
 * length) for signed_hash. The number of signatures follows from the length
 * and the configured member count; checks run in the contract's order
 * (length, addresses, each signature) and the first breach is the verdict;
 * BELOW_THRESHOLD only when there is none. The contract's
 * requiredAmountOfSignatures is not an input: OK says every signature
 * carried is good and in order and there are at least threshold of them,
 * and a contract requiring another count would refuse the length.
 * *out is filled on L2W_OK. Fails
 * with l2w_committee_check's errors, or when the secp256k1 context cannot
 * be made. */
L2W_MUST_CHECK l2w_status l2w_committee_verify(l2w_committee_verdict *out, const l2w_committee *c,
                                               const l2w_hash *signed_hash, const uint8_t *sigs_and_addrs,
                                               size_t len, l2w_err *err);

/* Where the signatures were seen. */
typedef struct {
    const char *chain;               /* the validium's name in the config */
    bool has_batch;
    uint64_t batch;                  /* the last batch of the sequence they sign */
    /* The L1 transaction that carried them (sequenceBatchesValidium): a
     * reorg that drops its block retracts the finding. */
    bool has_anchor;
    const char *anchor_chain;
    uint64_t block_number;
    l2w_hash block_hash;
    l2w_hash tx_hash;
} l2w_committee_batch;

/* The committee_threshold_missed finding for a verdict other than OK:
 * subject "committee:<chain>:<batch>" (or the signed hash without a batch
 * number), dedup key by chain, signed hash and (when anchored) block hash,
 * evidence {signedHash, verdict, detail, signatures, valid, threshold,
 * members, committeeHash?, batch?, index?, recovered?}. *f is cleared
 * first; the caller clears it after. L2W_ERR_INVALID for an OK verdict. */
L2W_MUST_CHECK l2w_status l2w_committee_threshold_missed_finding(l2w_finding *f, const l2w_committee_batch *b,
                                                                 const l2w_committee *c,
                                                                 const l2w_hash *signed_hash,
                                                                 const l2w_committee_verdict *v, l2w_err *err);

#endif
