#ifndef L2W_WEB_CHANNEL_STORE_H
#define L2W_WEB_CHANNEL_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/channel_intake.h"
#include "core/db.h"
#include "core/status.h"

/* Holding checked submissions in channel_states, inside the caller's
 * transaction. Only a strictly higher version replaces the held state
 * (the upsert's WHERE clause, so replicas racing cannot go backwards); a
 * client's new channels count against its max_channels in channel_clients. */

typedef enum {
    L2W_HOLD_NEW = 0,       /* first state of the channel */
    L2W_HOLD_NEWER = 1,     /* replaced a lower version */
    L2W_HOLD_SAME = 2,      /* the held state already is this one: *held_receipt is its receipt */
    L2W_HOLD_STALE = 3,     /* a higher version is held: *held_version says which */
    L2W_HOLD_CONFLICT = 4,  /* the same version is held with another state hash */
    L2W_HOLD_QUOTA = 5,     /* a new channel beyond the client's max_channels: nothing stored */
} l2w_hold_outcome;

typedef struct {
    l2w_hold_outcome outcome;
    l2w_u256 held_version;    /* SAME, STALE, CONFLICT */
    uint8_t held_receipt[65]; /* SAME */
} l2w_hold_result;

typedef struct {
    const l2w_channel_submission *sub; /* checked by l2w_channel_intake_check */
    const uint8_t *receipt;            /* the tower's 65-byte signature for it */
    l2w_hold_result result;            /* set by l2w_channel_hold */
} l2w_hold_item;

/* Holds items[0..n), in any order, with one upsert for the batch and one
 * counter update for the client's new channels, which are admitted in
 * channel order while max_channels has room. When a channel comes more than
 * once, its highest version is the one held and the others are judged
 * against what is held after it (stale, duplicate or conflicting). */
L2W_MUST_CHECK l2w_status l2w_channel_hold(l2w_db *db, const char *chain, const char *client, uint32_t max_channels,
                                           l2w_hold_item *items, size_t n, l2w_err *err);

#endif
