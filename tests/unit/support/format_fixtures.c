#include "tests/unit/support/format_fixtures.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/harness.h"

/* As state_root's detector writes it: block_number is the L2 block (on
 * op-mainnet), tx_hash the L1 transaction that proposed the output (on
 * ethereum). */
static const char invalid_output_root_doc[] =
    "{\"id\": 17, \"kind\": \"invalid_output_root\", \"severity\": \"critical\", \"chain\": \"op-mainnet\","
    " \"title\": \"Invalid output root at index 4211 (L2 block 120961800)\","
    " \"summary\": \"L2OutputOracle 0xdfe97868233d1aa22e815a266982f2cf17685a27 on ethereum holds output root"
    " 0x5d3a0c4f4f6b2f0a9c1e8d6b7a39f2e1c0d4b5a6978877665544332211000fed for op-mainnet block 120961800, but the"
    " L2 itself gives 0x9f1c2b3a4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8. Withdrawals proven"
    " against this output are not backed by the L2 state; challenge or delete it before its finalization period"
    " ends.\","
    " \"evidence\": {\"output_index\": \"4211\", \"l2_block_number\": \"120961800\","
    " \"posted_output_root\": \"0x5d3a0c4f4f6b2f0a9c1e8d6b7a39f2e1c0d4b5a6978877665544332211000fed\","
    " \"recomputed_output_root\": \"0x9f1c2b3a4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8\","
    " \"l2_block_hash\": \"0x2b8e1f0c7a6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f\","
    " \"l2_state_root\": \"0x0c1d2e3f405162738495a6b7c8d9eafb0c1d2e3f405162738495a6b7c8d9eafb\","
    " \"message_passer_storage_root\": \"0x8ed4baae3a927be3dea54996b4d5899f8c01e7594bf50b17dc1e741388ce3d12\","
    " \"l2_output_oracle\": \"0xdfe97868233d1aa22e815a266982f2cf17685a27\", \"l2_chain\": \"op-mainnet\","
    " \"l1_chain\": \"ethereum\","
    " \"l1_block_hash\": \"0x7c4f0e1d2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5\","
    " \"l1_block_number\": 19780012,"
    " \"l1_tx_hash\": \"0xa1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90\","
    " \"l1_timestamp\": \"1714566011\", \"l1_log_index\": 137},"
    " \"block_number\": \"120961800\", \"block_chain\": \"op-mainnet\","
    " \"tx_hash\": \"0xa1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90\","
    " \"tx_chain\": \"ethereum\","
    " \"detected_at\": \"2024-05-01T12:20:31.418Z\", \"status\": \"open\", \"response\": null}";

/* As data_withheld's detector writes it for a keccak commitment nobody
 * serves: the finding is base's, its block and transaction ethereum's. */
static const char data_withheld_doc[] =
    "{\"kind\": \"data_withheld\", \"severity\": \"high\", \"chain\": \"base\","
    " \"title\": \"base: a batch's data cannot be fetched\","
    " \"summary\": \"The batcher of base posted Alt-DA commitment"
    " 0x01c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470 in ethereum block 19780044 (tx"
    " 0x3e1f5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081); after 3 round(s) no source served data"
    " matching it (unretrievable: HTTP 500 after 3 ms).\","
    " \"evidence\": {\"chain\": \"base\", \"l1_chain\": \"ethereum\", \"l1_block\": 19780044,"
    " \"l1_block_hash\": \"0x44d0b2f8e3c1a9b7d5f3e1c9a7b5d3f1e9c7a5b3d1f9e7c5a3b1d9f7e5c3a1b9\","
    " \"l1_block_timestamp\": 1714566395,"
    " \"tx_hash\": \"0x3e1f5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081\","
    " \"commitment\": \"0x01c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470\","
    " \"commitment_kind\": \"keccak\", \"blob_index\": 0, \"reason\": \"unretrievable\","
    " \"detail\": \"HTTP 500 after 3 ms\", \"attempts\": 3, \"deadline\": 1714567595,"
    " \"challenge\": {\"status\": \"active\", \"block\": 19780101, \"tx\": null}},"
    " \"block_number\": \"19780044\", \"block_chain\": \"ethereum\","
    " \"detected_at\": \"2024-05-01T12:26:35.002Z\", \"status\": \"open\","
    " \"response\": {\"action\": \"da_challenge\", \"status\": \"dry_run\", \"tx_hash\": null}}";

static const char *status_for(const char *event)
{
    return strcmp(event, "resolved") == 0 ? "resolved" : strcmp(event, "retracted") == 0 ? "retracted" : "open";
}

static json_t *load(const char *text, const char *event)
{
    json_error_t e;
    json_t *doc = json_loads(text, JSON_REJECT_DUPLICATES, &e);
    if (!doc) {
        fprintf(stderr, "fixture: %s at %d\n", e.text, e.position);
        abort();
    }
    json_object_set_new(doc, "event", json_string(event));
    json_object_set_new(doc, "status", json_string(status_for(event)));
    return doc;
}

json_t *fx_invalid_output_root(const char *event)
{
    return load(invalid_output_root_doc, event);
}

json_t *fx_data_withheld(long long id, const char *event, bool with_tx)
{
    json_t *doc = load(data_withheld_doc, event);
    json_object_set_new(doc, "id", json_integer(id));
    json_object_set_new(doc, "tx_hash",
                        with_tx ? json_string("0x3e1f5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081")
                                : json_null());
    json_object_set_new(doc, "tx_chain", with_tx ? json_string("ethereum") : json_null());
    return doc;
}

json_t **fx_group_docs(size_t n)
{
    json_t **docs = calloc(n, sizeof *docs);
    for (size_t i = 0; docs && i < n; i++)
        docs[i] = fx_data_withheld(100 + (long long)i, "raised", i % 2 == 0);
    return docs;
}

void fx_free_docs(json_t **docs, size_t n)
{
    for (size_t i = 0; docs && i < n; i++)
        json_decref(docs[i]);
    free(docs);
}

char *fx_repeat(const char *unit, size_t times)
{
    size_t n = strlen(unit);
    char *s = malloc(n * times + 1);
    for (size_t i = 0; s && i < times; i++)
        memcpy(s + i * n, unit, n);
    if (s)
        s[n * times] = 0;
    return s;
}

void fx_bloat(json_t *doc, const char *text, int n_extra)
{
    json_object_set_new(doc, "summary", json_string(text));
    json_t *ev = json_object_get(doc, "evidence");
    for (int i = 0; i < n_extra; i++) {
        char key[24];
        snprintf(key, sizeof key, "extra_%02d", i);
        json_object_set_new(ev, key, json_string(text));
    }
}

const char *const fx_explorers[] = {"ethereum", FX_L1_EXPLORER, "op-mainnet", FX_EXPLORER, "base", FX_EXPLORER,
                                    NULL};

const char *const fx_l1_only_explorers[] = {"ethereum", FX_L1_EXPLORER, "op-mainnet", NULL, NULL};

const char *fx_explorer(const void *ctx, const char *chain)
{
    for (const char *const *p = ctx; p && p[0]; p += 2)
        if (strcmp(p[0], chain) == 0)
            return p[1];
    return NULL;
}

l2w_alert_batch fx_batch(const json_t *const *alerts, size_t n, bool links)
{
    l2w_alert_batch b = {.alerts = alerts,
                         .n = n,
                         .dashboard_url = links ? FX_DASHBOARD : NULL,
                         .explorers = links ? fx_explorer : NULL,
                         .explorers_ctx = fx_explorers,
                         .now = FX_NOW};
    return b;
}

json_t *fx_parse(const char *body)
{
    return body ? json_loads(body, JSON_REJECT_DUPLICATES, NULL) : NULL;
}

size_t fx_units(const char *utf8)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)utf8; *p; p++) {
        if ((*p & 0xc0) != 0x80)
            n++;
        if ((*p & 0xf8) == 0xf0)
            n++; /* a 4-byte sequence is a surrogate pair */
    }
    return n;
}

const char *fx_str(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

void fx_check_strings(const json_t *obj, const char *const *kv, const char *where)
{
    for (; kv[0]; kv += 2) {
        const char *v = fx_str(obj, kv[0]);
        CHECK_MSG(v && strcmp(v, kv[1]) == 0, "%s.%s: \"%s\", want \"%s\"", where, kv[0], v ? v : "(not a string)",
                  kv[1]);
    }
}

/* ---- malformed payloads ---- */

/* Runs fn on one batch expecting a refusal naming want. */
static void expect_invalid(fx_format_fn fn, void *ctx, const l2w_alert_batch *b, const char *want, const char *what)
{
    char *out = (char *)"untouched";
    l2w_err err = {{0}};
    l2w_status st = fn(&out, b, ctx, &err);
    CHECK_MSG(st == L2W_ERR_INVALID, "%s: status %s", what, l2w_status_str(st));
    CHECK_MSG(out == NULL, "%s: a body on failure", what);
    CHECK_MSG(strstr(err.msg, want) != NULL, "%s: message \"%s\" does not name %s", what, err.msg, want);
    if (st == L2W_OK)
        free(out);
}

typedef struct {
    const char *what;
    const char *key;   /* the member changed */
    const char *value; /* its new JSON value, NULL to remove it */
    const char *want;  /* what the message must name */
} malformation;

static const malformation malformations[] = {
    {"missing kind", "kind", NULL, "alerts[0].kind"},
    {"kind null", "kind", "null", "alerts[0].kind"},
    {"kind with a space", "kind", "\"invalid output\"", "alerts[0].kind"},
    {"id as a string", "id", "\"17\"", "alerts[0].id"},
    {"id zero", "id", "0", "alerts[0].id"},
    {"missing id", "id", NULL, "alerts[0].id"},
    {"evidence an array", "evidence", "[1, 2]", "alerts[0].evidence"},
    {"evidence a string", "evidence", "\"{}\"", "alerts[0].evidence"},
    {"missing evidence", "evidence", NULL, "alerts[0].evidence"},
    {"unknown severity", "severity", "\"urgent\"", "alerts[0].severity"},
    {"severity a number", "severity", "4", "alerts[0].severity"},
    {"unknown event", "event", "\"exploded\"", "alerts[0].event"},
    {"missing event", "event", NULL, "alerts[0].event"},
    {"unknown status", "status", "\"closed\"", "alerts[0].status"},
    {"short tx_hash", "tx_hash", "\"0x1234\"", "alerts[0].tx_hash"},
    {"block_number a number", "block_number", "120961800", "alerts[0].block_number"},
    {"block_number negative", "block_number", "\"-5\"", "alerts[0].block_number"},
    {"detected_at prose", "detected_at", "\"yesterday\"", "alerts[0].detected_at"},
    {"detected_at 30 Feb", "detected_at", "\"2024-02-30T10:00:00Z\"", "alerts[0].detected_at"},
    {"chain empty", "chain", "\"\"", "alerts[0].chain"},
    {"chain with a newline", "chain", "\"op\\nmainnet\"", "alerts[0].chain"},
    {"title a number", "title", "7", "alerts[0].title"},
    {"missing summary", "summary", NULL, "alerts[0].summary"},
    {"response a string", "response", "\"sent\"", "alerts[0].response"},
    {"tx_chain a number", "tx_chain", "1", "alerts[0].tx_chain"},
    {"tx_chain empty", "tx_chain", "\"\"", "alerts[0].tx_chain"},
    {"block_chain with a newline", "block_chain", "\"op\\nmainnet\"", "alerts[0].block_chain"},
};

void fx_check_malformed(fx_format_fn fn, void *ctx, bool groups)
{
    for (size_t i = 0; i < sizeof malformations / sizeof *malformations; i++) {
        const malformation *m = &malformations[i];
        json_t *doc = fx_invalid_output_root("raised");
        if (m->value)
            json_object_set_new(doc, m->key, json_loads(m->value, JSON_DECODE_ANY, NULL));
        else
            json_object_del(doc, m->key);
        const json_t *alerts[] = {doc};
        l2w_alert_batch b = fx_batch(alerts, 1, true);
        expect_invalid(fn, ctx, &b, m->want, m->what);
        json_decref(doc);
    }

    json_t *good = fx_invalid_output_root("raised");
    json_t *array = json_array();
    const json_t *not_object[] = {array};
    l2w_alert_batch b = fx_batch(not_object, 1, true);
    expect_invalid(fn, ctx, &b, "alerts[0]", "a payload that is an array");
    const json_t *null_doc[] = {NULL};
    b = fx_batch(null_doc, 1, true);
    expect_invalid(fn, ctx, &b, "alerts[0]", "a NULL payload");
    const json_t *one[] = {good};
    b = fx_batch(one, 0, true);
    expect_invalid(fn, ctx, &b, "n = 0", "n = 0");
    b = fx_batch(NULL, 1, true);
    expect_invalid(fn, ctx, &b, "alerts", "alerts NULL");
    json_t *other = fx_data_withheld(18, "raised", true);
    const json_t *mixed[] = {good, other};
    b = fx_batch(mixed, 2, true);
    if (groups)
        expect_invalid(fn, ctx, &b, "alerts[1]", "a group of two kinds");
    b = fx_batch(one, 1, true);
    b.dashboard_url = "https://l2watch.example.org/x|<!channel>";
    expect_invalid(fn, ctx, &b, "dashboard_url", "a dashboard_url that breaks markup");
    /* The explorer of the chain the transaction is on, not the finding's. */
    static const char *const bad_l1[] = {"ethereum", "javascript:alert(1)", "op-mainnet", FX_EXPLORER, NULL};
    b = fx_batch(one, 1, true);
    b.explorers_ctx = bad_l1;
    expect_invalid(fn, ctx, &b, "tx_chain: the explorer_url of ethereum", "an explorer_url that is not http(s)");
    json_decref(other);
    json_decref(array);
    json_decref(good);
}

static json_t *random_value(void)
{
    switch (l2w_test_rand() % 9) {
    case 0: return json_null();
    case 1: return json_true();
    case 2: return json_integer((json_int_t)(l2w_test_rand() % 2000) - 1000);
    case 3: return json_real(-1.5);
    case 4: return json_string("");
    case 5: return json_string("0x");
    case 6: return json_array();
    case 7: return json_object();
    default: return json_string("a \xe2\x80\xa6 <b>&amp;</b> \r\n. line");
    }
}

void fx_check_random_payloads(fx_format_fn fn, void *ctx, int iterations)
{
    static const char *const keys[] = {"id", "kind", "severity", "chain", "title", "summary", "evidence",
                                       "block_number", "tx_hash", "detected_at", "status", "event", "response"};
    const size_t n_keys = sizeof keys / sizeof *keys;
    l2w_test_seed();
    for (int it = 0; it < iterations; it++) {
        json_t *doc = it % 2 ? fx_invalid_output_root("raised") : fx_data_withheld(5 + it, "resolved", it % 3);
        for (uint64_t k = 1 + l2w_test_rand() % 3; k > 0; k--) {
            const char *key = keys[l2w_test_rand() % n_keys];
            if (l2w_test_rand() % 3 == 0)
                json_object_del(doc, key);
            else
                json_object_set_new(doc, key, random_value());
        }
        const json_t *alerts[] = {doc, doc};
        l2w_alert_batch b = fx_batch(alerts, 1 + l2w_test_rand() % 2, l2w_test_rand() % 2);
        char *out = NULL;
        l2w_err err = {{0}};
        l2w_status st = fn(&out, &b, ctx, &err);
        CHECK_MSG(st == L2W_OK || st == L2W_ERR_INVALID, "iteration %d: %s", it, l2w_status_str(st));
        CHECK_MSG(st == L2W_OK ? out != NULL : out == NULL && err.msg[0], "iteration %d: body or message", it);
        free(out);
        json_decref(doc);
    }
}
