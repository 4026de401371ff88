#ifndef L2W_RESPONDER_RESPONSE_STORE_H
#define L2W_RESPONDER_RESPONSE_STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/bytes.h"
#include "core/db.h"
#include "core/eth_types.h"
#include "core/status.h"
#include "core/u256.h"
#include "responder/fees.h"

/* The responses and response_attempts tables, and the per-sender nonce
 * counter. Every state change is one statement the caller wraps in a
 * transaction together with the alert it raises. */

typedef struct {
    int64_t id;
    int64_t finding_id;
    char action[48];
    char chain[40];
    char mode[8];
    char signer[40];           /* "" when none */
    char status[16];
    l2w_addr to;
    l2w_bytes calldata;        /* owned */
    l2w_u256 value;            /* wei sent with the call */
    json_t *params;            /* owned */
    bool has_sender;
    l2w_addr sender;
    bool has_nonce;
    uint64_t nonce;
    uint64_t gas_limit;
    int bumps;
    bool has_tx_hash;
    l2w_hash tx_hash;
    bool has_mined;
    uint64_t mined_block;
    l2w_hash mined_block_hash;
    double age_seconds;        /* since the finding was detected */
    int64_t deadline;          /* unix seconds after which the response is useless; 0 = none */
    int64_t window_start;      /* when that window opened */
} l2w_response;

void l2w_response_clear(l2w_response *r);

/* The open response (planned, nonce_assigned, sent, mined) on chain with the
 * smallest id above after_id; L2W_ERR_NOT_FOUND when there is none. */
L2W_MUST_CHECK l2w_status l2w_responses_next_open(l2w_db *db, const char *chain, int64_t after_id, l2w_response *out,
                                                  l2w_err *err);
/* Count of responses on chain in a state where a transaction is in flight. */
L2W_MUST_CHECK l2w_status l2w_responses_in_flight(l2w_db *db, const char *chain, int64_t *count, l2w_err *err);

/* Moves a response to a final status (dry_run, not_needed, verified,
 * reverted, failed) with a note. */
L2W_MUST_CHECK l2w_status l2w_response_finish(l2w_db *db, int64_t id, const char *status, const char *note,
                                              l2w_err *err);
/* Sets the note of an open response: the latest problem it waits on, shown
 * on the dashboard and in the API while it retries. */
L2W_MUST_CHECK l2w_status l2w_response_note(l2w_db *db, int64_t id, const char *note, l2w_err *err);
/* Records the gas limit and sender planned for a dry run or a send. */
L2W_MUST_CHECK l2w_status l2w_response_set_gas(l2w_db *db, int64_t id, const l2w_addr *sender, uint64_t gas_limit,
                                               l2w_err *err);

/* In the caller's transaction: takes the next nonce for (chain, sender) —
 * the larger of the stored counter and chain_pending (so transactions sent
 * with this key by someone else are skipped) — gives it to response id and
 * moves it to nonce_assigned. */
L2W_MUST_CHECK l2w_status l2w_response_assign_nonce(l2w_db *db, int64_t id, const char *chain, const l2w_addr *sender,
                                                    uint64_t chain_pending, uint64_t *nonce, l2w_err *err);

typedef struct {
    int attempt;
    l2w_hash tx_hash;
    l2w_bytes raw;             /* owned */
    l2w_fees fees;
    bool sent;
    double age_seconds;        /* since it was signed */
} l2w_attempt;

/* All attempts of a response, oldest first; *out is freed with l2w_attempts_free. */
L2W_MUST_CHECK l2w_status l2w_response_attempts(l2w_db *db, int64_t id, l2w_attempt **out, size_t *n, l2w_err *err);
void l2w_attempts_free(l2w_attempt *a, size_t n);
/* Stores a signed transaction before it is broadcast. */
L2W_MUST_CHECK l2w_status l2w_response_add_attempt(l2w_db *db, int64_t id, int attempt, const l2w_hash *tx_hash,
                                                   const l2w_bytes *raw, const l2w_fees *fees, l2w_err *err);
/* The attempt with tx_hash was accepted by a node: status sent. */
L2W_MUST_CHECK l2w_status l2w_response_mark_sent(l2w_db *db, int64_t id, const l2w_hash *tx_hash, bool bumped,
                                                 l2w_err *err);
L2W_MUST_CHECK l2w_status l2w_response_mark_mined(l2w_db *db, int64_t id, const l2w_hash *tx_hash, uint64_t block,
                                                  const l2w_hash *block_hash, l2w_err *err);
/* The mined transaction left the canonical chain: back to sent. */
L2W_MUST_CHECK l2w_status l2w_response_mark_reorged(l2w_db *db, int64_t id, l2w_err *err);

#endif
