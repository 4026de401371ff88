#ifndef L2W_RESPONDER_PLAN_H
#define L2W_RESPONDER_PLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "core/config.h"
#include "core/db.h"
#include "core/finding.h"

#include "responder/action.h"

/* The policy for answering f with action a: a responses.rules entry for the
 * finding's kind and chain wins; otherwise the action's own default
 * (a->mode_for: a bridge's pause section), else responses.default_mode with
 * no signer. *signer is borrowed from cfg (NULL = none). */
void l2w_response_policy(const l2w_action *a, const l2w_finding *f, const l2w_config *cfg, l2w_response_mode *mode,
                         const char **signer);

/* Inside the transaction that raises a finding: if an action answers it and
 * the policy (l2w_response_policy) is not off, write the response row
 * (status planned) keyed by the action's idempotency key. A key already
 * present means the fact was answered before: nothing is added. *planned
 * tells whether a row was written. */
L2W_MUST_CHECK l2w_status l2w_response_plan(l2w_db *db, const l2w_finding *f, int64_t finding_id,
                                            const l2w_config *cfg, bool *planned, l2w_err *err);

#endif
