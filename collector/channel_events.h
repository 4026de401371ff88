#ifndef L2W_COLLECTOR_CHANNEL_EVENTS_H
#define L2W_COLLECTOR_CHANNEL_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collector/eth.h"
#include "collector/watch_list.h"
#include "core/channel_intake.h"
#include "core/db.h"
#include "core/status.h"

/* Disputes opened on a channel adjudicator, as facts (channel_disputes):
 * Vector ChannelDisputed from a channel contract, Nitro ChallengeRegistered
 * from the NitroAdjudicator. Whether the tower holds a newer state is
 * decided later, by the channel guard. */

typedef struct {
    l2w_channel_protocol protocol;
    uint8_t channel[32];       /* Vector: the emitting channel's address (20 bytes); Nitro: channel id */
    size_t channel_len;
    l2w_u256 version;          /* the disputed nonce / turnNumRecord */
    uint64_t deadline;         /* consensusExpiry / finalizesAt, unix seconds (capped at INT64_MAX) */
    bool has_disputer;
    l2w_addr disputer;         /* Vector only */
    bool has_is_final;
    bool is_final;             /* Nitro only */
    uint64_t block_number;
    l2w_hash block_hash;
    uint64_t block_timestamp;
    l2w_hash tx_hash;
    uint32_t log_index;
} l2w_channel_dispute;

/* Decodes log (matched by watch w of kind VECTOR_DISPUTED or
 * NITRO_CHALLENGE). L2W_ERR_PROTOCOL with the reason for a log that does
 * not decode; L2W_ERR_INVALID for another watch kind. A Vector dispute
 * whose state names another channel than the emitting contract is refused
 * too: a real channel only ever disputes itself. */
L2W_MUST_CHECK l2w_status l2w_channel_dispute_decode(l2w_channel_dispute *out, const l2w_watch *w,
                                                     const l2w_evm_log *log, uint64_t block_timestamp,
                                                     l2w_err *err);
/* Inside the caller's transaction. A row already stored is left alone. */
L2W_MUST_CHECK l2w_status l2w_store_channel_disputes(l2w_db *db, const char *chain, const l2w_channel_dispute *d,
                                                     size_t n, l2w_err *err);

#endif
