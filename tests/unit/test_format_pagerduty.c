/* The PagerDuty formatter against the Events API v2 schema, field by field:
 * a trigger's members and types, the severity and event_action enums, a
 * dedup_key shared by every event of a finding, summary <= 1024 characters,
 * a resolve carrying only routing_key, event_action and dedup_key, the
 * 32-character routing key, one alert only, and malformed payloads. */

#include <stdlib.h>
#include <string.h>

#include "alerts/alert_format.h"
#include "tests/unit/harness.h"
#include "tests/unit/support/format_fixtures.h"

#define KEY "R0UTINGKEY0123456789ABCDEFGHIJKL"

static bool eq(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

static bool only_members(const json_t *obj, const char *const *names, size_t n)
{
    if (!json_is_object(obj) || json_object_size(obj) != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!json_object_get(obj, names[i]))
            return false;
    return true;
}

static bool in_enum(const char *v, const char *const *names, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        if (strcmp(v, names[i]) == 0)
            return true;
    return false;
}

static json_t *format(json_t *doc, bool links)
{
    const json_t *alerts[] = {doc};
    l2w_alert_batch b = fx_batch(alerts, 1, links);
    char *body = NULL;
    l2w_err err = {{0}};
    l2w_status st = l2w_format_pagerduty(&body, &b, KEY, &err);
    CHECK_MSG(st == L2W_OK, "%s: %s", l2w_status_str(st), err.msg);
    json_t *ev = fx_parse(body);
    CHECK_MSG(ev != NULL, "not JSON: %s", body ? body : "(null)");
    free(body);
    /* What every event has. */
    static const char *const actions[] = {"trigger", "acknowledge", "resolve"};
    CHECK(eq(fx_str(ev, "routing_key"), KEY));
    CHECK(in_enum(fx_str(ev, "event_action"), actions, 3));
    const char *dk = fx_str(ev, "dedup_key");
    CHECK(dk && strlen(dk) >= 1 && strlen(dk) <= 255);
    return ev;
}

/* A trigger's required and optional members, with their types and limits. */
static void check_trigger_schema(const json_t *ev)
{
    static const char *const severities[] = {"critical", "error", "warning", "info"};
    CHECK(eq(fx_str(ev, "event_action"), "trigger"));
    const json_t *p = json_object_get(ev, "payload");
    CHECK(json_is_object(p));
    const char *summary = fx_str(p, "summary");
    CHECK(summary && summary[0] && fx_units(summary) <= 1024);
    CHECK(fx_str(p, "source") && fx_str(p, "source")[0]);
    CHECK(in_enum(fx_str(p, "severity"), severities, 4));
    for (const char *const *k = (const char *const[]){"timestamp", "component", "group", "class", NULL}; *k; k++)
        CHECK_MSG(json_is_string(json_object_get(p, *k)), "payload.%s", *k);
    CHECK(json_is_object(json_object_get(p, "custom_details")));
    const json_t *links = json_object_get(ev, "links");
    CHECK(links == NULL || (json_is_array(links) && json_array_size(links) > 0));
    size_t i;
    const json_t *l;
    json_array_foreach (links, i, l) {
        CHECK(json_object_size(l) == 2);
        CHECK(fx_str(l, "href") && strncmp(fx_str(l, "href"), "https://", 8) == 0);
        CHECK(fx_str(l, "text") && fx_str(l, "text")[0]);
    }
}

static void test_trigger(void)
{
    json_t *doc = fx_invalid_output_root("raised");
    json_t *ev = format(doc, true);
    static const char *const members[] = {"routing_key", "event_action", "dedup_key", "payload",
                                          "links",       "client",       "client_url"};
    CHECK(only_members(ev, members, 7));
    check_trigger_schema(ev);
    CHECK(eq(fx_str(ev, "dedup_key"), "l2watch-finding-17"));
    CHECK(eq(fx_str(ev, "client"), "l2watch"));
    CHECK(eq(fx_str(ev, "client_url"), FX_DASHBOARD));
    const json_t *p = json_object_get(ev, "payload");
    static const char *const payload_members[] = {"summary",   "source", "severity", "timestamp",
                                                  "component", "group",  "class",    "custom_details"};
    CHECK(only_members(p, payload_members, 8));
    fx_check_strings(p,
                     (const char *const[]){"summary",
                                           "[op-mainnet] CRITICAL Invalid output root at index 4211 (L2 block 120961800)",
                                           "source", "l2watch/op-mainnet", "severity", "critical", "timestamp",
                                           "2024-05-01T12:20:31.418Z", "component", "op-mainnet", "group",
                                           "invalid_output_root", "class", "invalid_output_root", NULL},
                     "payload");
    const json_t *cd = json_object_get(p, "custom_details");
    CHECK(json_integer_value(json_object_get(cd, "finding_id")) == 17);
    fx_check_strings(cd,
                     (const char *const[]){"kind", "invalid_output_root", "event", "raised", "status", "open",
                                           "block_number", "120961800", "block_chain", "op-mainnet", "tx_hash",
                                           "0xa1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90",
                                           "tx_chain", "ethereum", "detected_at", "2024-05-01T12:20:31.418Z", NULL},
                     "custom_details");
    CHECK(eq(fx_str(cd, "summary"), fx_str(doc, "summary")));
    CHECK(json_equal(json_object_get(cd, "evidence"), json_object_get(doc, "evidence")));
    CHECK(json_object_get(cd, "response") == NULL); /* null in the payload */
    const json_t *links = json_object_get(ev, "links");
    CHECK(json_array_size(links) == 3);
    CHECK(eq(fx_str(json_array_get(links, 0), "href"), FX_DASHBOARD "/findings/17"));
    /* The L1 proposal transaction on ethereum's explorer, the L2 block on op-mainnet's. */
    CHECK(eq(fx_str(json_array_get(links, 1), "href"),
             FX_L1_EXPLORER "/tx/0xa1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"));
    CHECK(eq(fx_str(json_array_get(links, 1), "text"), "Transaction on the ethereum explorer"));
    CHECK(eq(fx_str(json_array_get(links, 2), "href"), FX_EXPLORER "/block/120961800"));
    CHECK(eq(fx_str(json_array_get(links, 2), "text"), "Block on the explorer"));
    json_decref(ev);
    json_decref(doc);
}

static void test_explorer_per_chain(void)
{
    json_t *doc = fx_invalid_output_root("raised");
    const json_t *alerts[] = {doc};
    l2w_alert_batch b = fx_batch(alerts, 1, true);
    b.explorers_ctx = fx_l1_only_explorers;
    char *body = NULL;
    l2w_err err = {{0}};
    CHECK(l2w_format_pagerduty(&body, &b, KEY, &err) == L2W_OK);
    json_t *ev = fx_parse(body);
    const json_t *links = json_object_get(ev, "links");
    CHECK(json_array_size(links) == 2);
    CHECK(eq(fx_str(json_array_get(links, 1), "href"),
             FX_L1_EXPLORER "/tx/0xa1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"));
    CHECK(body && !strstr(body, "/block/"));
    json_decref(ev);
    free(body);
    json_decref(doc);
}

static void test_trigger_without_links(void)
{
    json_t *doc = fx_data_withheld(31, "raised", false);
    json_t *ev = format(doc, false);
    static const char *const members[] = {"routing_key", "event_action", "dedup_key", "payload", "client"};
    CHECK(only_members(ev, members, 5));
    check_trigger_schema(ev);
    const json_t *cd = json_object_get(json_object_get(ev, "payload"), "custom_details");
    CHECK(json_object_get(cd, "tx_hash") == NULL);
    CHECK(eq(fx_str(json_object_get(cd, "response"), "action"), "da_challenge"));
    CHECK(json_is_object(json_object_get(json_object_get(cd, "evidence"), "challenge")));
    json_decref(ev);
    json_decref(doc);
}

static void test_severity_map(void)
{
    static const char *const ours[] = {"critical", "high", "medium", "low", "info"};
    static const char *const theirs[] = {"critical", "error", "warning", "info", "info"};
    for (size_t i = 0; i < 5; i++) {
        json_t *doc = fx_invalid_output_root("raised");
        json_object_set_new(doc, "severity", json_string(ours[i]));
        json_t *ev = format(doc, true);
        check_trigger_schema(ev);
        CHECK_MSG(eq(fx_str(json_object_get(ev, "payload"), "severity"), theirs[i]), "%s", ours[i]);
        json_decref(ev);
        json_decref(doc);
    }
}

/* Every event of one finding is one incident: the same dedup_key; resolved
 * and retracted resolve it, with nothing but the three members. */
static void test_actions(void)
{
    static const struct {
        const char *event, *status, *action, *prefix;
    } cases[] = {
        {"raised", "open", "trigger", ""},
        {"escalated", "open", "trigger", "Escalated: "},
        {"repeat", "open", "trigger", "Still open: "},
        {"challenge_active", "open", "trigger", "Challenge active: "},
        {"challenge_expired", "open", "trigger", "Challenge expired: "},
        {"response_dry_run", "open", "trigger", "Response (dry run): "},
        {"response_sent", "open", "trigger", "Response sent: "},
        {"response_landed", "open", "trigger", "Response landed: "},
        {"response_failed", "open", "trigger", "Response failed: "},
        {"resolved", "resolved", "resolve", NULL},
        {"retracted", "retracted", "resolve", NULL},
        /* A response that lands after the finding was resolved must not reopen it. */
        {"response_landed", "resolved", "resolve", NULL},
        {"response_failed", "retracted", "resolve", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        json_t *doc = fx_data_withheld(4242, cases[i].event, true);
        json_object_set_new(doc, "status", json_string(cases[i].status));
        json_t *ev = format(doc, true);
        CHECK_MSG(eq(fx_str(ev, "event_action"), cases[i].action), "%s/%s", cases[i].event, cases[i].status);
        CHECK(eq(fx_str(ev, "dedup_key"), "l2watch-finding-4242"));
        if (cases[i].prefix) {
            check_trigger_schema(ev);
            char want[200];
            snprintf(want, sizeof want, "[base] HIGH %sbase: a batch's data cannot be fetched", cases[i].prefix);
            CHECK_MSG(eq(fx_str(json_object_get(ev, "payload"), "summary"), want), "%s", cases[i].event);
        } else {
            static const char *const members[] = {"routing_key", "event_action", "dedup_key"};
            CHECK_MSG(only_members(ev, members, 3), "%s: a resolve carries only three members", cases[i].event);
        }
        json_decref(ev);
        json_decref(doc);
    }
}

static void test_summary_limit(void)
{
    json_t *doc = fx_invalid_output_root("raised");
    size_t n = 3000;
    char *title = malloc(n * 4 + 1);
    for (size_t i = 0; i < n; i++)
        memcpy(title + 4 * i, "\xf0\x9f\x94\xa5", 4); /* U+1F525: two UTF-16 units each */
    title[n * 4] = 0;
    json_object_set_new(doc, "title", json_string(title));
    json_object_set_new(doc, "chain", json_string("op-mainnet"));
    json_t *ev = format(doc, true);
    check_trigger_schema(ev);
    const char *s = fx_str(json_object_get(ev, "payload"), "summary");
    CHECK(s && fx_units(s) <= 1024 && fx_units(s) >= 1022);
    CHECK(s && strncmp(s, "[op-mainnet] CRITICAL \xf0\x9f\x94\xa5", 26) == 0);
    json_decref(ev);
    json_decref(doc);
    free(title);
}

static void test_routing_key(void)
{
    json_t *doc = fx_invalid_output_root("raised");
    const json_t *alerts[] = {doc};
    l2w_alert_batch b = fx_batch(alerts, 1, true);
    static const char *const bad[] = {"", "R0UTINGKEY0123456789ABCDEFGHIJK", "R0UTINGKEY0123456789ABCDEFGHIJKLM",
                                      "R0UTINGKEY 123456789ABCDEFGHIJKL", NULL};
    for (size_t i = 0; i < 5; i++) {
        char *body = (char *)"x";
        l2w_err err = {{0}};
        CHECK(l2w_format_pagerduty(&body, &b, bad[i], &err) == L2W_ERR_INVALID);
        CHECK(body == NULL);
        CHECK_MSG(strstr(err.msg, "routing_key") != NULL, "%s", err.msg);
        CHECK_MSG(!bad[i] || !bad[i][0] || !strstr(err.msg, bad[i]), "the key is in the message: %s", err.msg);
    }
    json_decref(doc);
}

/* PagerDuty dedups by dedup_key: a group would hide all but one finding. */
static void test_one_alert_only(void)
{
    json_t *a = fx_data_withheld(1, "raised", true), *c = fx_data_withheld(2, "raised", true);
    const json_t *alerts[] = {a, c};
    l2w_alert_batch b = fx_batch(alerts, 2, true);
    char *body = (char *)"x";
    l2w_err err = {{0}};
    CHECK(l2w_format_pagerduty(&body, &b, KEY, &err) == L2W_ERR_INVALID);
    CHECK(body == NULL && strstr(err.msg, "n must be 1"));
    json_decref(a);
    json_decref(c);
}

static l2w_status pd_fn(char **out, const l2w_alert_batch *b, void *ctx, l2w_err *err)
{
    return l2w_format_pagerduty(out, b, (const char *)ctx, err);
}

static void test_malformed(void)
{
    fx_check_malformed(pd_fn, (void *)KEY, false); /* no groups: test_one_alert_only */
}

static void test_random_payloads(void)
{
    fx_check_random_payloads(pd_fn, (void *)KEY, 3000);
}

int main(void)
{
    RUN(test_trigger);
    RUN(test_explorer_per_chain);
    RUN(test_trigger_without_links);
    RUN(test_severity_map);
    RUN(test_actions);
    RUN(test_summary_limit);
    RUN(test_routing_key);
    RUN(test_one_alert_only);
    RUN(test_malformed);
    RUN(test_random_payloads);
    return l2w_test_finish();
}
