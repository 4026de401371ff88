#ifndef L2W_APP_FINDING_STORE_H
#define L2W_APP_FINDING_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/config.h"
#include "core/db.h"
#include "core/finding.h"

/* Inside the caller's transaction: inserts the finding unless one with the
 * same dedup key exists (or, for a finding with a subject, one of its kind
 * about that subject is open), and for a new one queues a "raised" alert for every
 * configured sink in the same transaction. *created tells which happened;
 * *id is the finding's id either way. */
L2W_MUST_CHECK l2w_status l2w_finding_raise(l2w_db *db, const l2w_finding *f, const l2w_config *cfg, int64_t *id,
                                            bool *created, l2w_err *err);

/* Inside the caller's transaction: queues alert event (raised, retracted,
 * resolved, escalated, response_*) for finding id to every sink, with the finding's
 * current document (its response included) as the payload. */
L2W_MUST_CHECK l2w_status l2w_finding_alert(l2w_db *db, int64_t id, const char *event, const l2w_config *cfg,
                                            l2w_err *err);

/* Inside the caller's transaction: the open finding of kind about subject
 * (a lasting condition that has ended) becomes resolved, with note in its
 * evidence and a "resolved" alert. *count is how many (0 or 1). */
L2W_MUST_CHECK l2w_status l2w_findings_resolve_subject(l2w_db *db, const l2w_config *cfg, const char *kind,
                                                       const char *subject, const char *note, size_t *count,
                                                       l2w_err *err);
/* Inside the caller's transaction: the open finding of kind about subject
 * (a lasting condition that got worse, e.g. a liveness gap past its hard
 * limit) takes severity when that is higher than its own (a severity is never
 * lowered), evidence (an object, or NULL) merged over its evidence key by
 * key with "escalated_from" set to the severity it had, and an "escalated"
 * alert for every sink. l2w_finding_raise cannot carry this: a finding of
 * the same kind and subject folds into the open one unchanged. *count is
 * how many were escalated (0 when none is open or it is already at least as
 * severe: then nothing changes). A finding alerts "escalated" once: a
 * second escalation (high, then critical) updates it but queues no alert. */
L2W_MUST_CHECK l2w_status l2w_finding_escalate(l2w_db *db, const l2w_config *cfg, const char *kind,
                                               const char *subject, l2w_severity severity, const json_t *evidence,
                                               size_t *count, l2w_err *err);

/* Whether a finding of kind about subject is open. */
L2W_MUST_CHECK l2w_status l2w_findings_open_subject(l2w_db *db, const char *kind, const char *subject, bool *open,
                                                    l2w_err *err);

/* Inside the caller's transaction, before the chain's blocks above fork (all
 * blocks when !has_fork) are deleted by a reorg: every open finding anchored
 * in one of them becomes retracted, with a "retracted" alert, and a response
 * still only planned for it ends not_needed. *count is how many. */
L2W_MUST_CHECK l2w_status l2w_findings_retract_unwound(l2w_db *db, const l2w_config *cfg, const char *chain,
                                                       bool has_fork, uint64_t fork, size_t *count, l2w_err *err);

#endif
