#ifndef L2W_APP_BRIDGE_GUARD_H
#define L2W_APP_BRIDGE_GUARD_H

#include "app/wakeup.h"
#include "core/config.h"
#include "core/status.h"

/* The bridge guard: one thread per configured bridge. Each pass it samples
 * the escrow at the blocks where the follower stored bridge events (and at
 * the synced tip when the balance moved), judges the withdrawals and
 * releases waiting for a verdict (forged_withdrawal), compares the bridged
 * supply with the escrow (supply_exceeds_escrow), and checks the escrow's
 * fall over the window (escrow_drawdown) and each interval's outflow against
 * its baseline (outflow_anomaly). Findings go through the finding store, so
 * the circuit breaker's response is planned in the same transaction. */

typedef struct l2w_bridge_guard l2w_bridge_guard;

/* Starts a thread per bridge (none when there are none). */
L2W_MUST_CHECK l2w_status l2w_bridge_guard_start(l2w_bridge_guard **out, const l2w_config *cfg, l2w_wakeup *wakeup,
                                                 l2w_err *err);
/* Joins the threads (the wakeup must be stopping). NULL is fine. */
void l2w_bridge_guard_stop(l2w_bridge_guard *g);

#endif
