#ifndef L2W_APP_CHANNEL_GUARD_H
#define L2W_APP_CHANNEL_GUARD_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"
#include "core/db.h"
#include "core/status.h"

/* The watchtower's breach check, run by the adjudicator chain's worker right
 * after the follower stored a step, so a stale close is judged in the poll
 * that saw its block. Each pending dispute is one index lookup of the held
 * state (channel_states' primary key), however many channels are held:
 *   - older than the held state: stale_channel_close, with the response
 *     (disputeChannel / checkpoint with the held state) planned in the same
 *     transaction;
 *   - the held version or newer: nothing, and an open stale_channel_close of
 *     that channel is resolved (the newest state is on chain now);
 *   - a channel without a held state: noted, nothing raised.
 * Then every stale close still without a verified response whose deadline
 * is within channels.warn_before_s of the latest block's time raises
 * channel_window_closing, once. *raised counts findings created; *more is
 * set when a full batch was judged and more disputes may wait (step again
 * at once). */
L2W_MUST_CHECK l2w_status l2w_channel_guard_step(l2w_db *db, const l2w_config *cfg, size_t *raised, bool *more,
                                                 l2w_err *err);

#endif
