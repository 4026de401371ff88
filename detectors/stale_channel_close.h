#ifndef L2W_DETECTORS_STALE_CHANNEL_CLOSE_H
#define L2W_DETECTORS_STALE_CHANNEL_CLOSE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "collector/channel_events.h"
#include "core/finding.h"
#include "core/status.h"

/* stale_channel_close (critical): a dispute opened on chain with a state
 * older than the one the tower holds for that channel: a Vector
 * ChannelDisputed whose nonce, or a Nitro ChallengeRegistered whose
 * turnNumRecord, is below the held version. Left alone, the channel
 * settles on the old state when the window (consensusExpiry /
 * finalizesAt) closes. A pure rule: the dispute and the held state in, a
 * verdict and a finding out.
 *
 * channel_window_closing (critical): a stale close still unanswered (no
 * verified response) this near its deadline: people must act by hand. */

typedef enum {
    L2W_CHANNEL_NOT_WATCHED = 3, /* no state held for the channel (values as channel_disputes.check_status) */
    L2W_CHANNEL_CURRENT = 1,     /* the dispute carries the held version or a newer one */
    L2W_CHANNEL_STALE = 2,       /* the held version is newer */
} l2w_channel_verdict;

/* What the tower holds for the disputed channel. */
typedef struct {
    bool held;
    l2w_u256 version;
    l2w_hash state_hash;
    const json_t *doc;           /* the held submission (borrowed), for the response */
} l2w_channel_held;

l2w_channel_verdict l2w_stale_channel_close_judge(const l2w_channel_dispute *d, const l2w_channel_held *h);

/* The finding for a STALE verdict: dedup key by the dispute's log, subject
 * "channel:<protocol>:0x<channel>" (one open finding per channel), evidence
 * {protocol, channel, onchainVersion, heldVersion, deadline, windowStart,
 * disputeTx, disputeBlock, disputer?, held}. chain is where the adjudicator
 * is. *f is cleared first; the caller clears it after. */
L2W_MUST_CHECK l2w_status l2w_stale_channel_close_finding(l2w_finding *f, const char *chain,
                                                          const l2w_channel_dispute *d, const l2w_channel_held *h,
                                                          l2w_err *err);

/* The channel_window_closing finding for the stale close finding_id about
 * the same dispute, seconds_left before deadline (at chain time now). */
L2W_MUST_CHECK l2w_status l2w_channel_window_closing_finding(l2w_finding *f, const char *chain,
                                                             const l2w_channel_dispute *d, int64_t finding_id,
                                                             int64_t seconds_left, const char *response_status,
                                                             l2w_err *err);

#endif
