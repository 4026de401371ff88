#ifndef L2W_APP_FINDING_STORE_H
#define L2W_APP_FINDING_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/config.h"
#include "core/db.h"
#include "core/finding.h"

/* Inside the caller's transaction: inserts the finding unless one with the
 * same dedup key exists, and for a new one queues a "raised" alert for every
 * configured sink in the same transaction. *created tells which happened;
 * *id is the finding's id either way. */
L2W_MUST_CHECK l2w_status l2w_finding_raise(l2w_db *db, const l2w_finding *f, const l2w_config *cfg, int64_t *id,
                                            bool *created, l2w_err *err);

/* Inside the caller's transaction: queues alert event (raised, retracted,
 * resolved, response_*) for finding id to every sink, with the finding's
 * current document (its response included) as the payload. */
L2W_MUST_CHECK l2w_status l2w_finding_alert(l2w_db *db, int64_t id, const char *event, const l2w_config *cfg,
                                            l2w_err *err);

#endif
