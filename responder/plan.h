#ifndef L2W_RESPONDER_PLAN_H
#define L2W_RESPONDER_PLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "core/config.h"
#include "core/db.h"
#include "core/finding.h"

/* Inside the transaction that raises a finding: if an action answers its
 * kind and the policy for (kind, chain) is not off, write the response row
 * (status planned) keyed by the action's idempotency key. A key already
 * present means the fact was answered before: nothing is added. *planned
 * tells whether a row was written. */
L2W_MUST_CHECK l2w_status l2w_response_plan(l2w_db *db, const l2w_finding *f, int64_t finding_id,
                                            const l2w_config *cfg, bool *planned, l2w_err *err);

#endif
