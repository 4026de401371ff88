#ifndef L2W_APP_COMMITTEE_GUARD_H
#define L2W_APP_COMMITTEE_GUARD_H

#include "app/wakeup.h"
#include "core/config.h"
#include "core/status.h"

/* The committee guard: one thread per committees: entry. The L1 follower
 * stores the rollup contract's SequenceBatches logs; each pass the guard
 * takes the logs it has not judged, reads each one's transaction, decodes
 * its sequenceBatchesValidium call (collector/validium_calldata.h), checks
 * the committee signatures against the configured members and threshold
 * (detectors/committee_signatures.h), and stores the verdict, raising
 * committee_threshold_missed when they fall short. One replica works an
 * entry at a time (an advisory lock per entry). */
typedef struct l2w_committee_guard l2w_committee_guard;

/* Starts a thread per committees: entry (none when there are none). */
L2W_MUST_CHECK l2w_status l2w_committee_guard_start(l2w_committee_guard **out, const l2w_config *cfg,
                                                    l2w_wakeup *wakeup, l2w_err *err);
/* Joins the threads (the wakeup must be stopping). NULL is fine. */
void l2w_committee_guard_stop(l2w_committee_guard *g);

#endif
