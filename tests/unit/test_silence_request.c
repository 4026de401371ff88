/* The checks a silence passes before it is stored (web/silence_request.c)
 * and the RFC 3339 reader its expiry uses (core/rfc3339.c). */

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/rfc3339.h"
#include "tests/unit/harness.h"
#include "web/silence_request.h"

/* 2026-11-22T12:00:00Z */
#define NOW 1795348800

static l2w_config *config(void)
{
    static const char text[] = "database:\n  url: \"postgresql://localhost/x\"\n"
                               "chains:\n  - name: l1\n    role: l1\n    chain_id: 1\n    rpc: [\"http://127.0.0.1:9\"]\n"
                               "  - name: op-main\n    role: l2\n    l1: l1\n    chain_id: 10\n"
                               "    rpc: [\"http://127.0.0.1:9\"]\n    l2_output_oracle: \"0x1111111111111111111111111111111111111111\"\n";
    l2w_config *cfg = NULL;
    l2w_err err = {{0}};
    CHECK_MSG(l2w_config_parse(&cfg, text, strlen(text), "t.yaml", &err) == L2W_OK, "%s", err.msg);
    return cfg;
}

static void test_rfc3339(void)
{
    static const struct {
        const char *text;
        int64_t want;
    } good[] = {
        {"1970-01-01T00:00:00Z", 0},
        {"2026-11-22T12:00:00Z", NOW},
        {"2026-11-22t12:00:00z", NOW},
        {"2026-11-22T14:00:00+02:00", NOW},
        {"2026-11-22T06:30:00-05:30", NOW},
        {"2026-11-22T12:00:00.999999Z", NOW},
        {"2024-02-29T00:00:00Z", 1709164800},  /* a leap day */
        {"2000-02-29T23:59:59Z", 951868799},   /* 2000 is a leap year */
        {"9999-12-31T23:59:59Z", 253402300799},
        {"1969-12-31T23:59:59Z", -1},
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        int64_t t = 0;
        l2w_err err = {{0}};
        CHECK_MSG(l2w_rfc3339_parse(&t, good[i].text, &err) == L2W_OK && t == good[i].want, "%s -> %lld (%s)",
                  good[i].text, (long long)t, err.msg);
    }
    static const char *const bad[] = {
        "",                          "2026-11-22",                "2026-11-22 12:00:00Z", "2026-11-22T12:00:00",
        "2026-11-22T12:00Z",         "2026-13-01T00:00:00Z",      "2026-00-01T00:00:00Z", "2026-02-29T00:00:00Z",
        "1900-02-29T00:00:00Z",      "2026-04-31T00:00:00Z",      "2026-11-22T24:00:00Z", "2026-11-22T12:60:00Z",
        "2026-11-22T23:59:60Z",      "2026-11-22T12:00:00+2:00",  "2026-11-22T12:00:00+0200",
        "2026-11-22T12:00:00.Z",     "2026-11-22T12:00:00Z ",     "0000-01-01T00:00:00Z", "+2026-11-22T12:00:00Z",
        "2026-11-22T12:00:00+24:00", "1795348800",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t t = 0;
        l2w_err err = {{0}};
        CHECK_MSG(l2w_rfc3339_parse(&t, bad[i], &err) == L2W_ERR_INVALID && err.msg[0], "\"%s\" accepted", bad[i]);
    }
    int64_t t;
    l2w_err err = {{0}};
    CHECK(l2w_rfc3339_parse(&t, NULL, &err) == L2W_ERR_INVALID);
}

/* Parses body; on success the request, on failure the field and message. */
static l2w_status parse(const l2w_config *cfg, const char *body, l2w_silence_request *r, char *field,
                        l2w_err *err)
{
    json_error_t jerr;
    /* NUL allowed here (the server refuses it while parsing) to reach the check behind. */
    json_t *doc = json_loads(body, JSON_ALLOW_NUL, &jerr);
    CHECK_MSG(doc != NULL, "test body does not parse: %s", body);
    l2w_status st = l2w_silence_request_parse(r, doc, cfg, NOW, field, 80, err);
    /* The strings point into doc: copy out what the checks read. */
    static char kind[80], chain[80], severity[80], subject[300], author[300], reason[2100];
    const char **outs[] = {&r->kind, &r->chain, &r->severity, &r->subject, &r->author, &r->reason};
    char *bufs[] = {kind, chain, severity, subject, author, reason};
    size_t caps[] = {sizeof kind, sizeof chain, sizeof severity, sizeof subject, sizeof author, sizeof reason};
    for (size_t i = 0; i < 6; i++)
        if (*outs[i]) {
            snprintf(bufs[i], caps[i], "%s", *outs[i]);
            *outs[i] = bufs[i];
        }
    json_decref(doc);
    return st;
}

static void test_accepted(void)
{
    l2w_config *cfg = config();
    l2w_silence_request r;
    char field[80];
    l2w_err err = {{0}};
    CHECK_MSG(parse(cfg,
                    "{\"matchers\": {\"kind\": \"invalid_output_root\", \"chain\": \"op-main\", \"severity\": "
                    "\"critical\", \"subject\": \"0xabc*\"}, \"expires_at\": \"2026-11-22T14:00:00+01:00\", "
                    "\"author\": \"alice@example.org\", \"reason\": \"known incident\\nticket SEC-12\"}",
                    &r, field, &err) == L2W_OK,
              "%s", err.msg);
    CHECK(strcmp(r.kind, "invalid_output_root") == 0 && strcmp(r.chain, "op-main") == 0);
    CHECK(strcmp(r.severity, "critical") == 0 && strcmp(r.subject, "0xabc*") == 0);
    CHECK(strcmp(r.author, "alice@example.org") == 0 && strcmp(r.reason, "known incident\nticket SEC-12") == 0);
    CHECK(r.expires_at == NOW + 3600);

    CHECK(parse(cfg, "{\"matchers\": {\"chain\": \"l1\"}, \"duration_s\": 60, \"reason\": \"r\"}", &r, field,
                &err) == L2W_OK);
    CHECK(r.kind == NULL && r.severity == NULL && r.subject == NULL && r.author == NULL);
    CHECK(r.expires_at == NOW + 60);
    CHECK(parse(cfg, "{\"matchers\": {\"kind\": \"k\"}, \"duration_s\": 7776000, \"reason\": \"r\"}", &r, field,
                &err) == L2W_OK);
    CHECK(r.expires_at == NOW + 90 * 86400);
    l2w_config_free(cfg);
}

static void test_refused(void)
{
    l2w_config *cfg = config();
    static const struct {
        const char *body, *field, *says;
    } cases[] = {
        {"[]", "", "expected a JSON object"},
        {"{\"duration_s\": 600, \"reason\": \"r\"}", "matchers", "expected an object"},
        {"{\"matchers\": {}, \"duration_s\": 600, \"reason\": \"r\"}", "matchers", "at least one matcher"},
        {"{\"matchers\": [\"kind\"], \"duration_s\": 600, \"reason\": \"r\"}", "matchers", "expected an object"},
        {"{\"matchers\": {\"kinds\": \"x\"}, \"duration_s\": 600, \"reason\": \"r\"}", "matchers.kinds",
         "unknown matcher"},
        {"{\"matchers\": {\"kind\": \"Invalid-Root\"}, \"duration_s\": 600, \"reason\": \"r\"}", "matchers.kind",
         "lower-case"},
        {"{\"matchers\": {\"kind\": \"\"}, \"duration_s\": 600, \"reason\": \"r\"}", "matchers.kind", "1 to 64"},
        {"{\"matchers\": {\"kind\": 5}, \"duration_s\": 600, \"reason\": \"r\"}", "matchers.kind",
         "expected a string"},
        {"{\"matchers\": {\"chain\": \"base\"}, \"duration_s\": 600, \"reason\": \"r\"}", "matchers.chain",
         "\"base\" is not a chain"},
        {"{\"matchers\": {\"severity\": \"urgent\"}, \"duration_s\": 600, \"reason\": \"r\"}", "matchers.severity",
         "info, low, medium, high or critical"},
        {"{\"matchers\": {\"subject\": \"*\"}, \"duration_s\": 600, \"reason\": \"r\"}", "matchers.subject",
         "leave subject out"},
        {"{\"matchers\": {\"subject\": \"a*b\"}, \"duration_s\": 600, \"reason\": \"r\"}", "matchers.subject",
         "may only end"},
        {"{\"matchers\": {\"subject\": \"a\\u0000b\"}, \"duration_s\": 600, \"reason\": \"r\"}", "matchers.subject",
         "NUL"},
        {"{\"matchers\": {\"subject\": \"a\\nb\"}, \"duration_s\": 600, \"reason\": \"r\"}", "matchers.subject",
         "control character at byte 1"},
        {"{\"matchers\": {\"kind\": \"k\"}, \"reason\": \"r\"}", "expires_at", "needs an end"},
        {"{\"matchers\": {\"kind\": \"k\"}, \"duration_s\": 600, \"expires_at\": \"2026-11-22T14:00:00Z\", "
         "\"reason\": \"r\"}",
         "expires_at", "not both"},
        {"{\"matchers\": {\"kind\": \"k\"}, \"duration_s\": 59, \"reason\": \"r\"}", "duration_s", "60 to 7776000"},
        {"{\"matchers\": {\"kind\": \"k\"}, \"duration_s\": 7776001, \"reason\": \"r\"}", "duration_s",
         "60 to 7776000"},
        {"{\"matchers\": {\"kind\": \"k\"}, \"duration_s\": 600.5, \"reason\": \"r\"}", "duration_s",
         "whole number"},
        {"{\"matchers\": {\"kind\": \"k\"}, \"duration_s\": \"600\", \"reason\": \"r\"}", "duration_s",
         "whole number"},
        {"{\"matchers\": {\"kind\": \"k\"}, \"expires_at\": \"2026-11-22T12:00:30Z\", \"reason\": \"r\"}",
         "expires_at", "at least 60 seconds from now"},
        {"{\"matchers\": {\"kind\": \"k\"}, \"expires_at\": \"2026-11-22T11:00:00Z\", \"reason\": \"r\"}",
         "expires_at", "at least 60 seconds from now"},
        {"{\"matchers\": {\"kind\": \"k\"}, \"expires_at\": \"2027-03-01T00:00:00Z\", \"reason\": \"r\"}",
         "expires_at", "at most 90 days"},
        {"{\"matchers\": {\"kind\": \"k\"}, \"expires_at\": \"tomorrow\", \"reason\": \"r\"}", "expires_at",
         "YYYY-MM-DD"},
        {"{\"matchers\": {\"kind\": \"k\"}, \"expires_at\": 1795352400, \"reason\": \"r\"}", "expires_at",
         "RFC 3339 time string"},
        {"{\"matchers\": {\"kind\": \"k\"}, \"duration_s\": 600}", "reason", "needs a reason"},
        {"{\"matchers\": {\"kind\": \"k\"}, \"duration_s\": 600, \"reason\": \"\"}", "reason", "1 to 2000"},
        {"{\"matchers\": {\"kind\": \"k\"}, \"duration_s\": 600, \"reason\": \"a\\u0007\"}", "reason",
         "control character"},
        {"{\"matchers\": {\"kind\": \"k\"}, \"duration_s\": 600, \"reason\": \"r\", \"author\": 7}", "author",
         "expected a string"},
        {"{\"matchers\": {\"kind\": \"k\"}, \"duration_s\": 600, \"reason\": \"r\", \"author\": \"a\\nb\"}",
         "author", "control character"},
        {"{\"matchers\": {\"kind\": \"k\"}, \"duration_s\": 600, \"reason\": \"r\", \"starts_at\": \"x\"}",
         "starts_at", "unknown field"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        l2w_silence_request r;
        char field[80] = "unset";
        l2w_err err = {{0}};
        l2w_status st = parse(cfg, cases[i].body, &r, field, &err);
        CHECK_MSG(st == L2W_ERR_INVALID, "accepted: %s", cases[i].body);
        CHECK_MSG(strcmp(field, cases[i].field) == 0, "%s: field \"%s\", want \"%s\"", cases[i].body, field,
                  cases[i].field);
        CHECK_MSG(strstr(err.msg, cases[i].says) != NULL, "%s: message \"%s\" lacks \"%s\"", cases[i].body, err.msg,
                  cases[i].says);
    }
    /* A reason of 2001 bytes is one too many. */
    char *body = malloc(2100);
    char *reason = malloc(2002);
    memset(reason, 'x', 2001);
    reason[2001] = '\0';
    snprintf(body, 2100, "{\"matchers\": {\"kind\": \"k\"}, \"duration_s\": 600, \"reason\": \"%s\"}", reason);
    l2w_silence_request r;
    char field[80];
    l2w_err err = {{0}};
    CHECK(parse(cfg, body, &r, field, &err) == L2W_ERR_INVALID && strcmp(field, "reason") == 0);
    reason[2000] = '\0';
    snprintf(body, 2100, "{\"matchers\": {\"kind\": \"k\"}, \"duration_s\": 600, \"reason\": \"%s\"}", reason);
    CHECK(parse(cfg, body, &r, field, &err) == L2W_OK && strlen(r.reason) == 2000);
    free(reason);
    free(body);
    l2w_config_free(cfg);
}

int main(void)
{
    RUN(test_rfc3339);
    RUN(test_accepted);
    RUN(test_refused);
    return l2w_test_finish();
}
