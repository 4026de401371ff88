#ifndef L2W_APP_DA_GUARD_H
#define L2W_APP_DA_GUARD_H

#include "app/wakeup.h"
#include "core/config.h"
#include "core/status.h"

/* The DA guard: one thread per da: entry. Each pass it
 *   - scans the L1 blocks the follower has made final for the batcher's
 *     postings to the batch inbox (Alt-DA commitments, blobs; each posting
 *     is also a liveness event) and the challenge contract's events;
 *   - fetches the pending commitments from the DA servers and checks them
 *     (data_withheld when none serves the right bytes by the deadline);
 *   - follows challenges to resolved or expired.
 * One replica works an entry at a time (an advisory lock per entry). */
typedef struct l2w_da_guard l2w_da_guard;

/* Starts a thread per da: entry (none when there are none). */
L2W_MUST_CHECK l2w_status l2w_da_guard_start(l2w_da_guard **out, const l2w_config *cfg, l2w_wakeup *wakeup,
                                             l2w_err *err);
/* Joins the threads (the wakeup must be stopping). NULL is fine. */
void l2w_da_guard_stop(l2w_da_guard *g);

#endif
