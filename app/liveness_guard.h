#ifndef L2W_APP_LIVENESS_GUARD_H
#define L2W_APP_LIVENESS_GUARD_H

#include "app/wakeup.h"
#include "core/config.h"
#include "core/status.h"

/* The liveness guard: one thread for every configured liveness: series
 * (detectors/liveness.h holds the rule). Each series has a tracker fed
 * with its events, in order:
 *   - batches: liveness_events rows of kind 'batches' for the chain (the
 *     DA scan writes them), read by id;
 *   - proposals: the chain's output_proposals (stored by its L1's
 *     follower), at their L1 block time, in (l1_block_number, log_index)
 *     order;
 *   - l2_head: the guard asks the L2 for its head (eth_blockNumber) every
 *     min(poll_interval_ms, 1 s); a head above the highest seen is an event
 *     at the wall clock second, stored as a liveness_events row (kind
 *     'l2_head', block_number the head) so a restart knows both the series
 *     and the head it had reached. A head that goes back (a reorg) is no
 *     event; neither is a return to a height already seen.
 * Each look (about once a second, at once when a stage notifies) judges the
 * new events (check at the event's time, then observe, so a gap that opened
 * and closed between looks is still raised) and then the open interval, in
 * one transaction per series:
 *   GAP_OPENED    liveness_gap raised (medium, or high past max_interval_s)
 *   GAP_ESCALATED the open finding becomes high, with an "escalated" alert
 *   RECOVERED     the open finding is resolved with the recovery note.
 * The open interval is judged on the clock of the chain that stamps the
 * events: wall clock for l2_head; for proposals and batches the time of the
 * newest L1 block the tower has read (its follower's checkpoint, and for
 * batches also the DA scan's progress), so a tower that is catching up or
 * cannot reach its L1 reports no gap it has not seen. No response: a
 * liveness gap has no on-chain answer.
 *
 * One replica judges: the thread holds a PostgreSQL advisory lock and works
 * only while it does. On taking the lock (at start, or after another replica
 * stopped) it rebuilds each tracker from the store: the last window + 1
 * events up to the open finding's gap (when one is open), observed without
 * findings, then the later events as new ones; an ongoing gap therefore
 * folds into the open finding (same dedup key) and a gap that closed
 * meanwhile resolves it.
 *
 * Metrics, labels chain and kind: l2watch_liveness_seconds_since_last_event,
 * l2watch_liveness_band_high_seconds (the gap at which an alert starts),
 * l2watch_liveness_mean_interval_seconds (NaN while unknown or on a replica
 * that does not lead) and the counter l2watch_liveness_gaps_total (gaps
 * raised by this process). */

typedef struct l2w_liveness_guard l2w_liveness_guard;

/* Starts the thread (none when cfg has no liveness series). A series whose
 * chain is not configured, whose kind is unknown or whose limits break the
 * rule's bounds is L2W_ERR_CONFIG naming it. cfg and wakeup must outlive
 * the guard. On failure *out may still hold a guard to stop. */
L2W_MUST_CHECK l2w_status l2w_liveness_guard_start(l2w_liveness_guard **out, const l2w_config *cfg,
                                                   l2w_wakeup *wakeup, l2w_err *err);
/* Joins the thread (the wakeup must be stopping) and frees the guard. NULL
 * is fine. */
void l2w_liveness_guard_stop(l2w_liveness_guard *g);

#endif
