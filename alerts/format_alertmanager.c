/* Prometheus Alertmanager API v2 alerts (POST /api/v2/alerts). */

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "alerts/alert_format.h"
#include "alerts/format_common.h"

/* endsAt for the alert: now when the alert ends the finding, else now plus
 * L2W_ALERTMANAGER_OPEN_S; never before startsAt, which Alertmanager
 * refuses ("start time must be before end time"). When now is not past
 * detected_at (a clock behind the database's), startsAt itself is the end. */
static l2w_status ends_at(char out[32], const l2w_fmt_alert *a, int64_t now, l2w_err *err)
{
    int64_t end = now;
    if (!l2w_fmt_alert_ends(a)) {
        if (now > INT64_MAX - L2W_ALERTMANAGER_OPEN_S) {
            l2w_err_set(err, "now: %" PRId64 " is not a time l2watch can write", now);
            return L2W_ERR_INVALID;
        }
        end += L2W_ALERTMANAGER_OPEN_S;
    }
    if (end <= a->detected_unix) {
        snprintf(out, 32, "%s", a->detected_at);
        return L2W_OK;
    }
    return l2w_fmt_rfc3339(out, end, err);
}

static json_t *alert_json(const l2w_fmt_alert *a, const char *ends)
{
    char alertname[80], id[24];
    snprintf(alertname, sizeof alertname, "l2watch_%s", a->kind);
    snprintf(id, sizeof id, "%" PRId64, a->id);
    /* Label names are fixed here ([a-zA-Z_][a-zA-Z0-9_]*); their values are
     * never empty, as an empty value would drop the label. */
    json_t *labels = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "alertname", alertname, "kind", a->kind,
                               "severity", l2w_severity_name(a->severity), "chain", a->chain, "finding_id", id,
                               "source", "l2watch");
    /* Annotations are not part of the alert's identity: the newest wins. */
    /* tx and block link to the explorer of the chain each is on, which
     * tx_chain and block_chain name (the chain label is the finding's). */
    json_t *annotations =
        json_pack("{s:s, s:s, s:s, s:s*, s:s*, s:s*, s:s*, s:s*}", "summary", a->title[0] ? a->title : a->kind,
                  "description", a->summary, "event", a->event_name, "dashboard", a->finding_url, "tx", a->tx_url,
                  "tx_chain", a->tx_hash ? a->tx_chain : NULL, "block", a->block_url, "block_chain",
                  a->block_number ? a->block_chain : NULL);
    return json_pack("{s:o, s:o, s:s, s:s, s:s*}", "labels", labels, "annotations", annotations, "startsAt",
                     a->detected_at, "endsAt", ends, "generatorURL", a->finding_url);
}

l2w_status l2w_format_alertmanager(char **body, const l2w_alert_batch *b, l2w_err *err)
{
    *body = NULL;
    l2w_fmt_batch fb;
    l2w_status st = l2w_fmt_batch_read(&fb, b, err);
    if (st != L2W_OK)
        return st;
    json_t *alerts = json_array();
    for (size_t i = 0; i < fb.n && alerts; i++) {
        char ends[32];
        if ((st = ends_at(ends, &fb.a[i], b->now, err)) != L2W_OK)
            break;
        if (json_array_append_new(alerts, alert_json(&fb.a[i], ends))) {
            json_decref(alerts);
            alerts = NULL;
        }
    }
    if (st == L2W_OK)
        st = l2w_fmt_dump(body, alerts, err);
    else
        json_decref(alerts);
    l2w_fmt_batch_free(&fb);
    return st;
}
