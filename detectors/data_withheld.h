#ifndef L2W_DETECTORS_DATA_WITHHELD_H
#define L2W_DETECTORS_DATA_WITHHELD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/eth_types.h"
#include "core/finding.h"
#include "core/status.h"
#include "core/u256.h"

/* data_withheld (high): a rollup's batcher posted a commitment to data that
 * nobody can get. With an Alt-DA commitment, no one can derive the chain
 * past it nor prove a withdrawal from it until the data is published; the
 * commitment can be challenged on the L1 (DataAvailabilityChallenge) within
 * its window, which forces the data on-chain or drops the batch. With a
 * blob, the batch cannot be re-derived by anyone who did not fetch it in
 * time.
 *
 * da_challenged (medium): someone challenged a commitment of a watched
 * chain (not l2watch for one it found withheld): the batcher must resolve it
 * within resolveWindow blocks or op-node drops the batch and the L2 reorgs.
 *
 * Both are about one commitment, their subject
 * "da:<l1 chain>:<l1 block>:0x<commitment>", which the challenge's status
 * changes resolve. */

typedef enum {
    L2W_WITHHELD_WRONG_DATA = 0,   /* a server answered bytes whose hash is not the commitment */
    L2W_WITHHELD_UNRETRIEVABLE = 1, /* no server answered the data before the deadline */
    L2W_WITHHELD_BLOB_MISSING = 2,  /* no beacon endpoint has the blob within its retention */
    L2W_WITHHELD_BLOB_MISMATCH = 3, /* the beacon's blobs of the block do not include this versioned hash */
} l2w_withheld_reason;

const char *l2w_withheld_reason_name(l2w_withheld_reason r);

typedef struct {
    const char *chain;             /* the L2 */
    const char *l1_chain;
    uint64_t l1_block;
    l2w_hash l1_block_hash;
    uint64_t l1_block_timestamp;
    l2w_hash tx_hash;
    bool blob;                     /* a blob's versioned hash, else an Alt-DA keccak commitment */
    const uint8_t *commitment;     /* 33 bytes (keccak) or 32 (versioned hash) */
    size_t commitment_len;
    uint32_t blob_index;
    l2w_withheld_reason reason;
    const char *detail;            /* what each server or endpoint answered last, for people */
    uint32_t attempts;             /* rounds over the servers */
    uint64_t deadline;             /* unix seconds the data had to be verified by */
    /* The challenge (keccak commitments with a configured contract). */
    bool challengeable;
    l2w_addr challenge_contract;
    l2w_u256 bond_size;
    uint64_t challenge_window;     /* blocks */
    uint32_t l1_block_time_s;      /* to estimate when the window closes */
} l2w_withheld_facts;

/* "da:<l1_chain>:<block>:0x<hex>". L2W_ERR_RANGE when out_len is too small. */
L2W_MUST_CHECK l2w_status l2w_da_subject(char *out, size_t out_len, const char *l1_chain, uint64_t l1_block,
                                         const uint8_t *commitment, size_t len, l2w_err *err);

/* The data_withheld finding: dedup key "data_withheld:<l1>:<tx>:<blob index>",
 * anchored at the L1 block, with evidence {chain, l1_chain, l1_block,
 * l1_block_hash, l1_block_timestamp, tx_hash, commitment, commitment_kind
 * (keccak | blob), blob_index, reason, detail, attempts, deadline} and, when
 * challengeable, {challenge_contract, bond_size (decimal wei),
 * challenge_window, challenge_deadline (unix estimate of the window's last
 * block)}: what responder/action_da_challenge.c reads. *f is cleared first;
 * the caller clears it after. */
L2W_MUST_CHECK l2w_status l2w_data_withheld_finding(l2w_finding *f, const l2w_withheld_facts *w, l2w_err *err);

/* The da_challenged finding for an Active ChallengeStatusChanged on chain's
 * commitment, seen in l1 block event_block (tx event_tx) against the
 * commitment posted in challenged_block. */
L2W_MUST_CHECK l2w_status l2w_da_challenged_finding(l2w_finding *f, const char *chain, const char *l1_chain,
                                                    uint64_t challenged_block, const uint8_t *commitment, size_t len,
                                                    uint64_t event_block, const l2w_hash *event_block_hash,
                                                    const l2w_hash *event_tx, uint64_t resolve_window,
                                                    l2w_err *err);

#endif
