#ifndef L2W_APP_DA_GUARD_INTERNAL_H
#define L2W_APP_DA_GUARD_INTERNAL_H

/* Internal to the DA guard (app/da_*.c): one context per da: entry, and the
 * three steps its thread runs: scan, check, challenges. */

#include <stdbool.h>
#include <stdint.h>

#include "collector/da_challenge_reads.h"
#include "collector/da_fetch.h"
#include "collector/rpc.h"
#include "core/config.h"
#include "core/db.h"
#include "core/metrics.h"
#include "detectors/data_withheld.h"

typedef struct {
    const l2w_config *cfg;
    const l2w_da_config *da;
    const l2w_chain_config *l2;
    const l2w_chain_config *l1;
    l2w_rpc *rpc;                   /* the L1 */
    l2w_da_http *http;              /* DA servers and beacon endpoints */
    /* DataAvailabilityChallenge's parameters, read once at start (and again
     * when a read failed): its windows and bond. */
    bool have_params;
    l2w_dac_params params;
    /* Per beacon endpoint: its genesis time, once read (slot numbering). */
    bool have_genesis[L2W_MAX_DA_SERVERS];
    uint64_t genesis_time[L2W_MAX_DA_SERVERS];
    bool raised;                    /* a finding was raised this step (a response may wait) */
    l2w_counter *checks_passed;
    l2w_counter *checks_failed;
    l2w_counter *postings;
    l2w_gauge *scanned_block;
    l2w_gauge *last_posting;
} da_ctx;

/* Reads the next blocks of the L1 (up to the follower's checkpoint, so only
 * blocks as final as every other fact) and stores the batcher's postings,
 * their liveness events and the challenge contract's events.
 * *more when blocks wait beyond this step (app/da_scan.c). */
/* A commitment waiting to be checked (a da_commitments row). */
typedef struct {
    char id[24];
    bool blob;
    uint8_t commitment[33];            /* 33 bytes (keccak) or 32 (a blob's versioned hash) */
    size_t commitment_len;
    uint64_t block_number;
    l2w_hash block_hash;
    uint64_t block_timestamp;
    l2w_hash tx_hash;
    uint32_t attempts;                 /* rounds so far */
    uint32_t blob_index;
} da_pending;

/* The outcomes of a round (app/da_check.c): served and verified; not yet
 * (retried later, the delay doubling); withheld, with its finding, in one
 * transaction. */
L2W_MUST_CHECK l2w_status l2w_da_mark_available(l2w_db *db, const da_pending *r, const char *server, size_t bytes,
                                                l2w_err *err);
L2W_MUST_CHECK l2w_status l2w_da_schedule_retry(da_ctx *c, l2w_db *db, const da_pending *r, const char *why,
                                                l2w_err *err);
L2W_MUST_CHECK l2w_status l2w_da_mark_withheld(da_ctx *c, l2w_db *db, const da_pending *r,
                                               l2w_withheld_reason reason, const char *detail, l2w_err *err);

/* One round for a blob over the beacon endpoints (app/da_blobs.c). */
L2W_MUST_CHECK l2w_status l2w_da_check_blob(da_ctx *c, l2w_db *db, const da_pending *r, l2w_err *err);

/* Reads the challenge contract's parameters once (c->params). */
L2W_MUST_CHECK l2w_status l2w_da_load_params(da_ctx *c, l2w_err *err);

L2W_MUST_CHECK l2w_status l2w_da_scan_step(da_ctx *c, l2w_db *db, bool *more, l2w_err *err);

/* Fetches and verifies the commitments that are due; raises data_withheld
 * for one that no server served correctly by its deadline
 * (app/da_check.c). */
L2W_MUST_CHECK l2w_status l2w_da_check_step(da_ctx *c, l2w_db *db, l2w_err *err);

/* Follows the challenges: ChallengeStatusChanged events alerted or raised
 * as findings, active challenges read for expiry (app/da_challenges.c). */
L2W_MUST_CHECK l2w_status l2w_da_challenges_step(da_ctx *c, l2w_db *db, l2w_err *err);

#endif
