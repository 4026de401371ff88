#ifndef L2W_ALERTS_OUTBOX_H
#define L2W_ALERTS_OUTBOX_H

#include <stdbool.h>
#include <stdint.h>

#include "core/config.h"
#include "core/db.h"
#include "core/status.h"

/* The alert outbox. A finding's alerts are rows of alert_outbox written in the
 * same transaction as the finding (l2w_alerts_enqueue); a worker thread
 * (l2w_alerts_start) delivers them to the configured webhooks and records the
 * outcome.
 *
 * Delivery is at-least-once. A row is claimed with FOR UPDATE SKIP LOCKED in a
 * transaction that lasts exactly one send, so replicas never send the same row
 * concurrently; but if the process dies (or the database connection drops)
 * after the receiver answered and before delivered_at is committed, the row is
 * still due and is sent again. Every request carries the header
 * `Idempotency-Key: <finding_id>-<event>-<sink>`, stable across resends, so a
 * receiver that remembers keys sees each alert exactly once.
 *
 * Failed sends are retried with exponential backoff (1 s, 2 s, 4 s, ... capped
 * at cfg->alert_max_backoff_ms, +-20% jitter so replicas and sinks do not
 * retry in lockstep). A row whose sink is no longer configured is skipped
 * (logged UNUSUAL) and kept, so re-adding the sink delivers it. */

typedef struct l2w_alerts l2w_alerts;

/* Starts the worker thread with its own database connection (to
 * cfg->database_url). cfg must outlive the worker. On success *out is stopped
 * and freed by l2w_alerts_stop. The database need not be up yet: the worker
 * retries its connection. */
L2W_MUST_CHECK l2w_status l2w_alerts_start(l2w_alerts **out, const l2w_config *cfg, l2w_err *err);
/* Stops the worker (aborting a send in flight, whose row then stays due) and
 * frees it. NULL is a no-op. */
void l2w_alerts_stop(l2w_alerts *alerts);

/* Queues one outbox row per sink the routes choose (alerts/route.h) for
 * (finding_id, event), marked silenced when a live silence matches;
 * event is "raised", "retracted", "resolved", "escalated" (a lasting
 * condition got worse), "challenge_active" / "challenge_expired" (the
 * on-chain challenge of withheld data changed) or one of the response
 * events (response_dry_run,
 * response_sent, response_landed, response_failed) and payload_json the
 * document to POST. Rows already queued for the same (finding, event, sink) are left
 * as they are, so raising the same finding twice alerts once. Run it inside
 * the transaction that writes the finding. */
L2W_MUST_CHECK l2w_status l2w_alerts_enqueue(l2w_db *db, int64_t finding_id, const char *event,
                                             const char *payload_json, const l2w_config *cfg, l2w_err *err);
/* The same with a sequence number: the n-th "repeat" reminder of a finding
 * (every other event has 0). */
L2W_MUST_CHECK l2w_status l2w_alerts_enqueue_seq(l2w_db *db, int64_t finding_id, const char *event, uint32_t seq,
                                                 const char *payload_json, const l2w_config *cfg, l2w_err *err);
/* The same to the named sinks, without routing (a reminder goes to the
 * sink whose route asked for it). */
L2W_MUST_CHECK l2w_status l2w_alerts_enqueue_to(l2w_db *db, int64_t finding_id, const char *event, uint32_t seq,
                                                const char *payload_json, const char *const *sinks, size_t n_sinks,
                                                l2w_err *err);
/* raised, retracted, resolved, escalated, repeat, challenge_*, response_*. */
bool l2w_alert_event_valid(const char *event);

#endif
