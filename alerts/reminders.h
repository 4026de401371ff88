#ifndef L2W_ALERTS_REMINDERS_H
#define L2W_ALERTS_REMINDERS_H

#include "core/config.h"
#include "core/db.h"
#include "core/status.h"

/* Reminders of findings still open: for every route with a
 * repeat_interval_s and each of its sinks, a finding the route matches that
 * is open, has nothing waiting for that sink, and was last delivered there
 * longer ago than the interval gets a "repeat" alert (seq one above the
 * last). Replicas may run it at once: the (finding, event, sink, seq) key
 * lets one insert win. *queued counts the reminders written. */
L2W_MUST_CHECK l2w_status l2w_alert_reminders_queue(l2w_db *db, const l2w_config *cfg, size_t *queued, l2w_err *err);

#endif
