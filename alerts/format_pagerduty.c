/* PagerDuty Events API v2 events for alerts. */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts/alert_format.h"
#include "alerts/format_common.h"

#define PD_ROUTING_KEY_LEN 32 /* "the 32 character Integration Key" */
#define PD_SUMMARY_MAX 1024
#define CHAIN_IN_SUMMARY_MAX 64

/* critical -> critical, high -> error, medium -> warning, low and info -> info. */
static const char *pd_severity(l2w_severity sev)
{
    switch (sev) {
    case L2W_SEV_CRITICAL: return "critical";
    case L2W_SEV_HIGH: return "error";
    case L2W_SEV_MEDIUM: return "warning";
    case L2W_SEV_LOW: return "info";
    case L2W_SEV_INFO: return "info";
    }
    return "info";
}

static l2w_status check_routing_key(const char *key, l2w_err *err)
{
    /* The key is a secret: say what is wrong, never what it is. */
    size_t len = key ? strlen(key) : 0;
    if (len != PD_ROUTING_KEY_LEN) {
        l2w_err_set(err, "pagerduty: routing_key must be the service's %d-character integration key, got %zu "
                         "characters", PD_ROUTING_KEY_LEN, len);
        return L2W_ERR_INVALID;
    }
    for (size_t i = 0; i < len; i++)
        if (key[i] <= 0x20 || key[i] >= 0x7f) {
            l2w_err_set(err, "pagerduty: routing_key holds a space, control or non-ASCII character at %zu", i);
            return L2W_ERR_INVALID;
        }
    return L2W_OK;
}

/* "[<chain>] <SEVERITY> <prefix><title>", at most 1024 characters. */
static l2w_status summary_text(char **out, const l2w_fmt_alert *a)
{
    l2w_fmt_str s = L2W_FMT_STR_INIT;
    l2w_fmt_raw(&s, "[");
    l2w_fmt_text(&s, a->chain, L2W_FMT_ONE_LINE, CHAIN_IN_SUMMARY_MAX);
    l2w_fmt_rawf(&s, "] %s %s", l2w_fmt_severity_upper(a->severity), l2w_fmt_event_prefix(a->event));
    l2w_fmt_text(&s, a->title, L2W_FMT_ONE_LINE, PD_SUMMARY_MAX - s.units);
    return l2w_fmt_take(out, &s);
}

static json_t *custom_details(const l2w_fmt_alert *a)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s*, s:s*, s:s*, s:s*, s:s, s:O, s:O*}", "finding_id",
                     (json_int_t)a->id, "kind", a->kind, "event", a->event_name, "status", a->status_name, "summary",
                     a->summary, "block_number", a->block_number, "block_chain", a->block_chain, "tx_hash",
                     a->tx_hash, "tx_chain", a->tx_chain, "detected_at", a->detected_at, "evidence", a->evidence,
                     "response", a->response);
}

/* {"href": url, "text": "<what> on the [<chain> ]explorer"}, the chain
 * named when it is not the finding's. */
static json_t *explorer_link(const char *url, const char *what, const char *other)
{
    char *text = NULL;
    if (asprintf(&text, "%s on the %s%sexplorer", what, other ? other : "", other ? " " : "") < 0)
        return NULL;
    json_t *o = json_pack("{s:s, s:s}", "href", url, "text", text);
    free(text);
    return o;
}

static json_t *links(const l2w_fmt_alert *a)
{
    json_t *l = json_array();
    if (l && a->finding_url &&
        json_array_append_new(l, json_pack("{s:s, s:s}", "href", a->finding_url, "text", "Finding on the l2watch "
                                                                                          "dashboard")))
        goto fail;
    if (l && a->tx_url &&
        json_array_append_new(l, explorer_link(a->tx_url, "Transaction", l2w_fmt_other_chain(a, a->tx_chain))))
        goto fail;
    if (l && a->block_url &&
        json_array_append_new(l, explorer_link(a->block_url, "Block", l2w_fmt_other_chain(a, a->block_chain))))
        goto fail;
    return l;
fail:
    json_decref(l);
    return NULL;
}

static json_t *trigger(const l2w_fmt_batch *fb, const char *routing_key, const char *dedup_key)
{
    const l2w_fmt_alert *a = &fb->a[0];
    char *summary = NULL, source[160];
    json_t *l = links(a);
    if (!l || summary_text(&summary, a) != L2W_OK) {
        json_decref(l);
        return NULL;
    }
    if (json_array_size(l) == 0) {
        json_decref(l); /* no URLs known: no links member */
        l = NULL;
    }
    snprintf(source, sizeof source, "l2watch/%s", a->chain);
    json_t *payload =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "summary", summary, "source", source, "severity",
                  pd_severity(a->severity), "timestamp", a->detected_at, "component", a->chain, "group", a->kind,
                  "class", a->kind, "custom_details", custom_details(a));
    free(summary);
    return json_pack("{s:s, s:s, s:s, s:o, s:o*, s:s, s:s*}", "routing_key", routing_key, "event_action", "trigger",
                     "dedup_key", dedup_key, "payload", payload, "links", l, "client", "l2watch", "client_url",
                     fb->dashboard_url);
}

l2w_status l2w_format_pagerduty(char **body, const l2w_alert_batch *b, const char *routing_key, l2w_err *err)
{
    *body = NULL;
    l2w_status st = check_routing_key(routing_key, err);
    if (st != L2W_OK)
        return st;
    if (b && b->n > 1) {
        l2w_err_set(err, "pagerduty: %zu alerts in one event; PagerDuty takes one alert at a time (n must be 1)",
                    b->n);
        return L2W_ERR_INVALID;
    }
    l2w_fmt_batch fb;
    if ((st = l2w_fmt_batch_read(&fb, b, err)) != L2W_OK)
        return st;
    char dedup_key[48];
    snprintf(dedup_key, sizeof dedup_key, "l2watch-finding-%" PRId64, fb.a[0].id);
    json_t *ev = l2w_fmt_alert_ends(&fb.a[0])
                     ? json_pack("{s:s, s:s, s:s}", "routing_key", routing_key, "event_action", "resolve",
                                 "dedup_key", dedup_key)
                     : trigger(&fb, routing_key, dedup_key);
    st = l2w_fmt_dump(body, ev, err);
    l2w_fmt_batch_free(&fb);
    return st;
}
