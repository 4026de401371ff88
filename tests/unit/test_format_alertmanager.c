/* The Alertmanager formatter against the API v2 postableAlerts schema: an
 * array of alerts, each with labels and annotations whose names match
 * [a-zA-Z_][a-zA-Z0-9_]* and whose values are non-empty strings, RFC 3339
 * startsAt and endsAt (endsAt never before startsAt), generatorURL; an open
 * finding's endsAt 30 days ahead, a resolved or retracted one's now; groups
 * as one alert per finding; malformed payloads. */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alerts/alert_format.h"
#include "tests/unit/harness.h"
#include "tests/unit/support/format_fixtures.h"

static bool eq(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

static bool label_name(const char *k)
{
    if (!k || !((k[0] >= 'a' && k[0] <= 'z') || (k[0] >= 'A' && k[0] <= 'Z') || k[0] == '_'))
        return false;
    for (const char *p = k + 1; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return false;
    return true;
}

/* An RFC 3339 date-time (full-date "T" full-time, fraction optional, Z or
 * an offset) as unix seconds; -1 when it is not one. */
static int64_t rfc3339(const char *s)
{
    struct tm tm = {0};
    int n = 0;
    if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
                     &tm.tm_sec, &n) != 6 || n != 19)
        return -1;
    const char *p = s + 19;
    if (*p == '.') {
        const char *d = ++p;
        while (*p >= '0' && *p <= '9')
            p++;
        if (p == d)
            return -1;
    }
    int off = 0;
    if (p[0] == 'Z' && p[1] == 0)
        off = 0;
    else if ((p[0] == '+' || p[0] == '-') && strlen(p) == 6 && p[3] == ':')
        off = (p[0] == '-' ? -1 : 1) * ((p[1] - '0') * 600 + (p[2] - '0') * 60 + (p[4] - '0') * 10 + (p[5] - '0')) * 60;
    else
        return -1;
    if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
        tm.tm_sec > 60)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (int64_t)timegm(&tm) - off;
}

/* Every member of a label set: a valid name, a non-empty string value. */
static void check_label_set(const json_t *set, const char *where)
{
    CHECK_MSG(json_is_object(set) && json_object_size(set) > 0, "%s: not a non-empty object", where);
    const char *k;
    json_t *v;
    json_object_foreach ((json_t *)set, k, v) {
        CHECK_MSG(label_name(k), "%s: name \"%s\"", where, k);
        CHECK_MSG(json_is_string(v) && json_string_length(v) > 0, "%s.%s: not a non-empty string", where, k);
    }
}

/* Checks the body against the schema; returns the parsed array. */
static json_t *format(const json_t *const *alerts, size_t n, bool links, int64_t now)
{
    l2w_alert_batch b = fx_batch(alerts, n, links);
    b.now = now;
    char *body = NULL;
    l2w_err err = {{0}};
    l2w_status st = l2w_format_alertmanager(&body, &b, &err);
    CHECK_MSG(st == L2W_OK, "%s: %s", l2w_status_str(st), err.msg);
    json_t *arr = fx_parse(body);
    free(body);
    CHECK(json_is_array(arr) && json_array_size(arr) == n);
    size_t i;
    json_t *a;
    json_array_foreach (arr, i, a) {
        CHECK(json_object_size(a) == (links ? 5u : 4u));
        check_label_set(json_object_get(a, "labels"), "labels");
        check_label_set(json_object_get(a, "annotations"), "annotations");
        CHECK(eq(fx_str(json_object_get(a, "labels"), "alertname"), "l2watch_invalid_output_root") ||
              eq(fx_str(json_object_get(a, "labels"), "alertname"), "l2watch_data_withheld"));
        int64_t start = rfc3339(fx_str(a, "startsAt")), end = rfc3339(fx_str(a, "endsAt"));
        CHECK_MSG(start > 0 && end > 0, "times %s %s", fx_str(a, "startsAt"), fx_str(a, "endsAt"));
        CHECK_MSG(end >= start, "endsAt %s before startsAt %s", fx_str(a, "endsAt"), fx_str(a, "startsAt"));
        /* Same second: the fractions must not put the end first either. */
        CHECK(end != start || strcmp(fx_str(a, "endsAt"), fx_str(a, "startsAt")) >= 0);
        const char *g = fx_str(a, "generatorURL");
        CHECK(links ? g && strncmp(g, "https://", 8) == 0 : json_object_get(a, "generatorURL") == NULL);
    }
    return arr;
}

static void test_open_finding(void)
{
    json_t *doc = fx_invalid_output_root("raised");
    const json_t *alerts[] = {doc};
    json_t *arr = format(alerts, 1, true, FX_NOW);
    const json_t *a = json_array_get(arr, 0);
    const json_t *labels = json_object_get(a, "labels");
    CHECK(json_object_size(labels) == 6);
    fx_check_strings(labels,
                     (const char *const[]){"alertname", "l2watch_invalid_output_root", "kind", "invalid_output_root",
                                           "severity", "critical", "chain", "op-mainnet", "finding_id", "17",
                                           "source", "l2watch", NULL},
                     "labels");
    const json_t *ann = json_object_get(a, "annotations");
    CHECK(json_object_size(ann) == 8);
    fx_check_strings(ann,
                     (const char *const[]){"summary", "Invalid output root at index 4211 (L2 block 120961800)",
                                           "event", "raised", "dashboard", FX_DASHBOARD "/findings/17", "tx",
                                           FX_L1_EXPLORER
                                           "/tx/0xa1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90",
                                           "tx_chain", "ethereum", "block", FX_EXPLORER "/block/120961800",
                                           "block_chain", "op-mainnet", NULL},
                     "annotations");
    CHECK(eq(fx_str(ann, "description"), fx_str(doc, "summary")));
    CHECK(eq(fx_str(a, "startsAt"), "2024-05-01T12:20:31.418Z"));
    /* Open: active for 30 days unless l2watch says otherwise. */
    CHECK(eq(fx_str(a, "endsAt"), "2024-05-31T12:40:00Z"));
    CHECK(rfc3339(fx_str(a, "endsAt")) == FX_NOW + 30 * 86400);
    CHECK(eq(fx_str(a, "generatorURL"), FX_DASHBOARD "/findings/17"));
    json_decref(arr);
    json_decref(doc);
}

static void test_ends(void)
{
    static const struct {
        const char *event, *status;
        bool ends;
    } cases[] = {
        {"resolved", "resolved", true},       {"retracted", "retracted", true},
        {"response_landed", "resolved", true}, {"escalated", "open", false},
        {"repeat", "open", false},            {"challenge_expired", "open", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        json_t *doc = fx_data_withheld(77, cases[i].event, true);
        json_object_set_new(doc, "status", json_string(cases[i].status));
        const json_t *alerts[] = {doc};
        json_t *arr = format(alerts, 1, true, FX_NOW);
        const json_t *a = json_array_get(arr, 0);
        CHECK_MSG(rfc3339(fx_str(a, "endsAt")) == FX_NOW + (cases[i].ends ? 0 : 30 * 86400), "%s: endsAt %s",
                  cases[i].event, fx_str(a, "endsAt"));
        CHECK(eq(fx_str(json_object_get(a, "annotations"), "event"), cases[i].event));
        CHECK(eq(fx_str(json_object_get(a, "labels"), "severity"), "high"));
        CHECK(eq(fx_str(json_object_get(a, "labels"), "finding_id"), "77"));
        json_decref(arr);
        json_decref(doc);
    }
}

/* A clock behind the database's must not make endsAt precede startsAt. */
static void test_end_not_before_start(void)
{
    json_t *doc = fx_invalid_output_root("retracted");
    const json_t *alerts[] = {doc};
    int64_t detected = rfc3339("2024-05-01T12:20:31Z");
    for (int64_t now = detected - 100; now <= detected + 1; now++) {
        json_t *arr = format(alerts, 1, true, now); /* checks endsAt >= startsAt */
        const char *end = fx_str(json_array_get(arr, 0), "endsAt");
        CHECK_MSG(now <= detected ? eq(end, "2024-05-01T12:20:31.418Z") : eq(end, "2024-05-01T12:20:32Z"),
                  "now %lld: %s", (long long)now, end ? end : "(none)");
        json_decref(arr);
    }
    json_decref(doc);
}

static void test_without_links(void)
{
    json_t *doc = fx_data_withheld(9, "raised", true);
    const json_t *alerts[] = {doc};
    json_t *arr = format(alerts, 1, false, FX_NOW);
    const json_t *ann = json_object_get(json_array_get(arr, 0), "annotations");
    CHECK(json_object_size(ann) == 5);
    CHECK(!json_object_get(ann, "dashboard") && !json_object_get(ann, "tx") && !json_object_get(ann, "block"));
    CHECK(eq(fx_str(ann, "tx_chain"), "ethereum") && eq(fx_str(ann, "block_chain"), "ethereum"));
    json_decref(arr);
    json_decref(doc);
}

/* A group is one alert per finding: distinct label sets, so none replaces another. */
static void test_group(void)
{
    json_t *docs[3];
    for (size_t i = 0; i < 3; i++)
        docs[i] = fx_data_withheld(200 + (long long)i, "raised", i != 1);
    json_t *arr = format((const json_t *const *)docs, 3, true, FX_NOW);
    for (size_t i = 0; i < 3; i++) {
        const json_t *a = json_array_get(arr, i);
        char id[8];
        snprintf(id, sizeof id, "%zu", 200 + i);
        CHECK(eq(fx_str(json_object_get(a, "labels"), "finding_id"), id));
        CHECK((i != 1) == (json_object_get(json_object_get(a, "annotations"), "tx") != NULL));
        for (size_t j = 0; j < i; j++)
            CHECK(!json_equal(json_object_get(a, "labels"), json_object_get(json_array_get(arr, j), "labels")));
    }
    json_decref(arr);
    for (size_t i = 0; i < 3; i++)
        json_decref(docs[i]);
}

static void test_now_out_of_range(void)
{
    json_t *doc = fx_invalid_output_root("raised");
    const json_t *alerts[] = {doc};
    l2w_alert_batch b = fx_batch(alerts, 1, true);
    b.now = INT64_MAX - 1;
    char *body = (char *)"x";
    l2w_err err = {{0}};
    CHECK(l2w_format_alertmanager(&body, &b, &err) == L2W_ERR_INVALID);
    CHECK(body == NULL && strstr(err.msg, "now"));
    json_decref(doc);
}

static l2w_status am_fn(char **out, const l2w_alert_batch *b, void *ctx, l2w_err *err)
{
    (void)ctx;
    return l2w_format_alertmanager(out, b, err);
}

static void test_malformed(void)
{
    fx_check_malformed(am_fn, NULL, true);
}

static void test_random_payloads(void)
{
    fx_check_random_payloads(am_fn, NULL, 3000);
}

int main(void)
{
    RUN(test_open_finding);
    RUN(test_ends);
    RUN(test_end_not_before_start);
    RUN(test_without_links);
    RUN(test_group);
    RUN(test_now_out_of_range);
    RUN(test_malformed);
    RUN(test_random_payloads);
    return l2w_test_finish();
}
