#ifndef L2W_ALERTS_ALERT_FORMAT_H
#define L2W_ALERTS_ALERT_FORMAT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

/* What each sink sends, built from the alert payloads in the outbox. Pure:
 * JSON in, a body out; the transport (alerts/sink_*.c) sends it.
 *
 * An alert payload is the finding document (the finding_documents view:
 * id, kind, severity, chain, title, summary, evidence{...}, block_number
 * (decimal text or null), tx_hash (0x hex or null), detected_at (ISO 8601
 * UTC), status (open|resolved|retracted), response (object or null)) plus
 * "event": raised, retracted, resolved, escalated, repeat, challenge_active,
 * challenge_expired, response_dry_run, response_sent, response_landed,
 * response_failed. Payloads come from the database and are treated as
 * untrusted: a missing or mistyped field is an L2W_ERR_INVALID naming it,
 * never a crash. */

typedef struct {
    /* Payloads, at least one. More than one only for a group: "raised"
     * alerts of one kind on one chain that came within the group window. */
    const json_t *const *alerts;
    size_t n;
    const char *dashboard_url;  /* NULL, or the dashboard's base URL without a trailing '/' */
    const char *explorer_url;   /* NULL, or the block explorer of the alerts' chain (tx: <base>/tx/<hash>,
                                   block: <base>/block/<number>) */
    int64_t now;                /* unix seconds: "now" where a format needs it (Alertmanager endsAt) */
} l2w_alert_batch;

/* A finding's page: <dashboard_url>/api/v1/findings/<id>. */
#define L2W_ALERT_FINDING_PATH "/api/v1/findings/"

#endif
