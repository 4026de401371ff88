/* da:, liveness: and committees: in the config (core/config_da.c,
 * core/config_committees.c): every key read back,
 * the defaults, the bounds, and one message per mistake naming the file,
 * the line and the key. Run under ASan, the failure cases also show that
 * nothing allocated on the way to an error leaks. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "detectors/committee_signatures.h"
#include "detectors/liveness.h"
#include "tests/unit/harness.h"

#define ADDR(last) "\"0x00000000000000000000000000000000000000" last "\""

/* An L1 and two OP Stack L2s on it. */
#define CHAINS                                                                                                        \
    "database:\n"                                                                                                     \
    "  url: postgresql://u@h/d\n"                                                                                     \
    "chains:\n"                                                                                                       \
    "  - name: l1\n"                                                                                                  \
    "    role: l1\n"                                                                                                  \
    "    chain_id: 900\n"                                                                                             \
    "    rpc: [\"http://127.0.0.1:8545\"]\n"                                                                          \
    "  - name: op\n"                                                                                                  \
    "    role: l2\n"                                                                                                  \
    "    chain_id: 901\n"                                                                                             \
    "    l1: l1\n"                                                                                                    \
    "    rpc: [\"http://127.0.0.1:9545\"]\n"                                                                          \
    "    l2_output_oracle: " ADDR("01") "\n"                                                                          \
    "  - name: op2\n"                                                                                                 \
    "    role: l2\n"                                                                                                  \
    "    chain_id: 902\n"                                                                                             \
    "    l1: l1\n"                                                                                                    \
    "    rpc: [\"http://127.0.0.1:9546\"]\n"                                                                          \
    "    l2_output_oracle: " ADDR("02") "\n"

/* The smallest valid da entry for op: blobs only. */
#define DA_OP                                                                                                         \
    "da:\n"                                                                                                           \
    "  - chain: op\n"                                                                                                 \
    "    batch_inbox: " ADDR("a0") "\n"                                                                               \
    "    batcher: " ADDR("b0") "\n"                                                                                   \
    "    beacon_urls: [\"http://127.0.0.1:5052\"]\n"

/* The detector's bounds and defaults that core/config_da.c repeats (core
 * does not include detectors). */
static_assert(L2W_LIVENESS_WINDOW_MAX == 1024, "liveness.window bound in core/config_da.c");
static_assert(L2W_MAX_COMMITTEE_MEMBERS == L2W_COMMITTEE_MAX_MEMBERS, "committee size bound in core/config.h");

static char text[32768];

static l2w_status parse(const char *tail, l2w_config **cfg, l2w_err *err)
{
    int n = snprintf(text, sizeof text, "%s%s", CHAINS, tail);
    if (n < 0 || (size_t)n >= sizeof text) {
        fprintf(stderr, "test text too long\n");
        abort();
    }
    return l2w_config_parse(cfg, text, strlen(text), "t.yaml", err);
}

static bool addr_is(const l2w_addr *a, uint8_t last)
{
    l2w_addr want = {{0}};
    want.b[19] = last;
    return l2w_addr_eq(a, &want);
}

static int line_of(const char *p)
{
    int line = 1;
    for (const char *q = text; q < p; q++)
        line += *q == '\n';
    return line;
}

/* Expects tail to be refused with "t.yaml:LINE: want", LINE being that of
 * the first occurrence of at within tail. */
static void expect_error(const char *tail, const char *at, const char *want)
{
    l2w_config *cfg = NULL;
    l2w_err err = {{0}};
    l2w_status st = parse(tail, &cfg, &err);
    CHECK_MSG(st == L2W_ERR_CONFIG, "accepted (status %d): %s", (int)st, tail);
    CHECK(cfg == NULL);
    if (st == L2W_OK) {
        l2w_config_free(cfg);
        return;
    }
    const char *p = strstr(text + strlen(CHAINS), at);
    CHECK_MSG(p != NULL, "fixture lacks \"%s\"", at);
    if (!p)
        return;
    char full[512];
    snprintf(full, sizeof full, "t.yaml:%d: %s", line_of(p), want);
    CHECK_MSG(strstr(err.msg, full) != NULL, "message \"%s\" lacks \"%s\"", err.msg, full);
    CHECK_MSG(strchr(err.msg, '\n') == NULL, "message is not one line: %s", err.msg);
}

static l2w_config *expect_ok(const char *tail)
{
    l2w_config *cfg = NULL;
    l2w_err err = {{0}};
    l2w_status st = parse(tail, &cfg, &err);
    CHECK_MSG(st == L2W_OK, "refused: %s\n%s", err.msg, tail);
    return st == L2W_OK ? cfg : NULL;
}

static void test_full(void)
{
    setenv("L2W_TEST_DA_SERVER", "https://da.example/key", 1);
    l2w_config *cfg = expect_ok("da:\n"
                                "  - chain: op\n"
                                "    batch_inbox: " ADDR("a0") "\n"
                                "    batcher: " ADDR("b0") "\n"
                                "    servers: [\"http://127.0.0.1:3100\", \"${L2W_TEST_DA_SERVER}\"]\n"
                                "    challenge_contract: " ADDR("c0") "\n"
                                "    beacon_urls: [http://127.0.0.1:5052]\n"
                                "    fetch_deadline_s: 120\n"
                                "    fetch_timeout_ms: 5000\n"
                                "    retry_ms: 1000\n"
                                "    retry_max_ms: 30000\n"
                                "    max_data_bytes: 1048576\n"
                                "    blob_retention_s: 86400\n"
                                "    l1_block_time_s: 2\n"
                                "    start_block: 123\n"
                                "  - chain: op2\n"
                                "    batch_inbox: " ADDR("a1") "\n"
                                "    batcher: " ADDR("b1") "\n"
                                "    servers:\n"
                                "      - https://da2.example\n"
                                "liveness:\n"
                                "  - chain: op\n"
                                "    kind: batches\n"
                                "    max_interval_s: 3600\n"
                                "    min_gap_s: 60\n"
                                "    min_samples: 30\n"
                                "    window: 512\n"
                                "    z_threshold: 12\n"
                                "  - chain: op\n"
                                "    kind: proposals\n"
                                "  - chain: op\n"
                                "    kind: l2_head\n"
                                "  - chain: op2\n"
                                "    kind: l2_head\n"
                                "  - chain: op2\n"
                                "    kind: batches\n");
    if (!cfg)
        return;
    CHECK(cfg->n_da == 2);
    const l2w_da_config *d = l2w_config_da(cfg, "op");
    CHECK(d == &cfg->da[0]);
    if (d) {
        CHECK(strcmp(d->chain, "op") == 0);
        CHECK(addr_is(&d->batch_inbox, 0xa0) && addr_is(&d->batcher, 0xb0));
        CHECK(d->n_servers == 2 && strcmp(d->servers[0], "http://127.0.0.1:3100") == 0 &&
              strcmp(d->servers[1], "https://da.example/key") == 0);
        CHECK(d->has_challenge_contract && addr_is(&d->challenge_contract, 0xc0));
        CHECK(d->n_beacon_urls == 1 && strcmp(d->beacon_urls[0], "http://127.0.0.1:5052") == 0);
        CHECK(d->fetch_deadline_s == 120 && d->fetch_timeout_ms == 5000);
        CHECK(d->retry_ms == 1000 && d->retry_max_ms == 30000);
        CHECK(d->max_data_bytes == 1048576 && d->blob_retention_s == 86400 && d->l1_block_time_s == 2);
        CHECK(d->has_start_block && d->start_block == 123);
    }
    d = l2w_config_da(cfg, "op2");
    CHECK(d == &cfg->da[1]);
    if (d) {
        CHECK(d->n_servers == 1 && strcmp(d->servers[0], "https://da2.example") == 0);
        CHECK(d->n_beacon_urls == 0 && !d->has_challenge_contract && !d->has_start_block);
    }
    CHECK(l2w_config_da(cfg, "l1") == NULL && l2w_config_da(cfg, "mars") == NULL);

    CHECK(cfg->n_liveness == 5);
    const l2w_liveness_series_config *s = &cfg->liveness[0];
    CHECK(strcmp(s->chain, "op") == 0 && strcmp(s->kind, "batches") == 0);
    CHECK(s->max_interval_s == 3600 && s->min_gap_s == 60 && s->min_samples == 30 && s->window == 512 &&
          s->z_threshold == 12);
    CHECK(strcmp(cfg->liveness[1].kind, "proposals") == 0 && strcmp(cfg->liveness[2].kind, "l2_head") == 0);
    CHECK(strcmp(cfg->liveness[3].chain, "op2") == 0 && strcmp(cfg->liveness[4].kind, "batches") == 0);
    l2w_config_free(cfg);
}

static void test_defaults(void)
{
    /* Neither section: nothing configured. */
    l2w_config *cfg = expect_ok("");
    if (cfg) {
        CHECK(cfg->n_da == 0 && cfg->n_liveness == 0 && l2w_config_da(cfg, "op") == NULL);
        l2w_config_free(cfg);
    }
    /* liveness may come before da in the file: da is read first. */
    cfg = expect_ok("liveness:\n  - chain: op\n    kind: batches\n" DA_OP);
    if (!cfg)
        return;
    const l2w_da_config *d = l2w_config_da(cfg, "op");
    CHECK(cfg->n_da == 1 && d != NULL);
    if (d) {
        CHECK(d->n_servers == 0 && !d->has_challenge_contract && !d->has_start_block);
        CHECK(d->fetch_deadline_s == 600 && d->fetch_timeout_ms == 10000);
        CHECK(d->retry_ms == 2000 && d->retry_max_ms == 60000);
        CHECK(d->max_data_bytes == 16777216 && d->blob_retention_s == 1572864 && d->l1_block_time_s == 12);
        CHECK(d->blob_retention_s == 4096u * 32 * 12);
    }
    CHECK(cfg->n_liveness == 1);
    const l2w_liveness_series_config *s = &cfg->liveness[0];
    CHECK(s->max_interval_s == 0 && s->min_gap_s == 0 && s->min_samples == 0 && s->window == 0 &&
          s->z_threshold == 0);
    l2w_config_free(cfg);

    /* The defaults core/config_da.c checks window against are the detector's. */
    l2w_liveness_config lc;
    l2w_liveness_config_default(&lc, L2W_LIVENESS_BATCHES);
    CHECK(lc.min_samples == 20 && lc.window == L2W_LIVENESS_WINDOW_MAX);
}

/* da entries for op with one line changed or added. */
static void da_error(const char *extra, const char *at, const char *want)
{
    char tail[2048];
    snprintf(tail, sizeof tail, DA_OP "%s", extra);
    expect_error(tail, at, want);
}

static void test_da_cross_checks(void)
{
    expect_error("da:\n  - chain: mars\n    batch_inbox: " ADDR("a0") "\n    batcher: " ADDR("b0") "\n"
                 "    beacon_urls: [\"http://b\"]\n",
                 "chain: mars", "da[0].chain: chain \"mars\" is not defined in chains");
    expect_error("da:\n  - chain: l1\n    batch_inbox: " ADDR("a0") "\n    batcher: " ADDR("b0") "\n"
                 "    beacon_urls: [\"http://b\"]\n",
                 "chain: l1", "da[0].chain: \"l1\" is an l1 chain");
    da_error("  - chain: op  # again\n    batch_inbox: " ADDR("a1") "\n    batcher: " ADDR("b1") "\n"
             "    servers: [\"http://s\"]\n",
             "chain: op  # again", "da[1].chain: chain \"op\" already has a da entry (da[0]); one per chain");
    expect_error("da:\n  - chain: op\n    batch_inbox: " ADDR("a0") "\n    batcher: " ADDR("b0") "\n",
                 "- chain: op", "da[0]: nothing to check: set servers (Alt-DA commitments), beacon_urls (blobs)");
    da_error("    challenge_contract: " ADDR("c0") "\n", "challenge_contract",
             "da[0].challenge_contract: only Alt-DA commitments are challenged: set servers");
    da_error("    retry_ms: 5000\n    retry_max_ms: 4000\n", "retry_max_ms",
             "da[0].retry_max_ms: retry_max_ms (4000) is below retry_ms (5000)");
    da_error("    retry_ms: 100000\n", "retry_ms",
             "da[0].retry_ms: retry_max_ms (60000, the default) is below retry_ms (100000)");
    /* equal is fine: a constant delay */
    l2w_config *cfg = expect_ok(DA_OP "    retry_ms: 5000\n    retry_max_ms: 5000\n");
    l2w_config_free(cfg);
}

static void test_da_keys_and_shape(void)
{
    expect_error("da:\n  - batch_inbox: " ADDR("a0") "\n    batcher: " ADDR("b0") "\n    beacon_urls: [\"http://b\"]\n",
                 "- batch_inbox", "da[0].chain: required key is missing");
    expect_error("da:\n  - chain: op\n    batcher: " ADDR("b0") "\n    beacon_urls: [\"http://b\"]\n", "- chain: op",
                 "da[0].batch_inbox: required key is missing");
    expect_error("da:\n  - chain: op\n    batch_inbox: " ADDR("a0") "\n    beacon_urls: [\"http://b\"]\n",
                 "- chain: op",
                 "da[0].batcher: required key is missing");
    expect_error("da:\n  - chain: op\n    batch_inbox: 0x12\n    batcher: " ADDR("b0") "\n", "batch_inbox",
                 "da[0].batch_inbox: expected a 0x-prefixed 20-byte address");
    da_error("    challenge_contract: nope\n", "challenge_contract",
             "da[0].challenge_contract: expected a 0x-prefixed 20-byte address");
    expect_error("da:\n  - chain: OP\n", "chain: OP", "da[0].chain: expected 1-32 characters");
    da_error("    server: [\"http://s\"]\n", "server:", "da[0].server: unknown key");
    da_error("    start_block: [1]\n", "start_block", "da[0].start_block: expected a single value");
    expect_error("da:\n  chain: op\n", "chain: op", "da: expected a list");
    expect_error("da:\n  - http://x\n", "- http", "da[0].: expected a mapping");

    /* a list's line is that of its first item */
    char tail[4096] = "da:\n";
    for (int i = 0; i < L2W_MAX_DA + 1; i++)
        strcat(tail, "  - chain: op\n");
    expect_error(tail, "- chain: op", "da: at most 8 da entries");
}

static void test_da_urls(void)
{
    da_error("    servers: [\"ftp://s\"]\n", "servers", "da[0].servers[0]: expected an http:// or https:// URL");
    /* the first URL is already copied when the second fails: ASan sees it freed */
    da_error("    servers: [\"http://s\", \"s\"]\n", "servers",
             "da[0].servers[1]: expected an http:// or https:// URL");
    da_error("    servers:\n      - http://s\n      - [x]\n", "[x]", "da[0].servers[1]: expected a URL string");
    da_error("    servers: []\n", "servers", "da[0].servers: expected a non-empty list of Alt-DA server URLs");
    da_error("    servers: http://s\n", "servers", "da[0].servers: expected a non-empty list of Alt-DA server URLs");
    da_error("    servers: [\"http://s\", \"${L2W_NOT_SET_ANYWHERE}\"]\n", "servers",
             "da[0].servers[1]: environment variable L2W_NOT_SET_ANYWHERE is not set");
    da_error("    servers: [\"http://1\", \"http://2\", \"http://3\", \"http://4\", \"http://5\", \"http://6\", "
             "\"http://7\", \"http://8\", \"http://9\"]\n",
             "servers", "da[0].servers: at most 8 Alt-DA server URLs");
    expect_error("da:\n  - chain: op\n    batch_inbox: " ADDR("a0") "\n    batcher: " ADDR("b0") "\n"
                 "    beacon_urls: [\"http://b\", \"file:///etc/passwd\"]\n",
                 "beacon_urls", "da[0].beacon_urls[1]: expected an http:// or https:// URL");
    expect_error("da:\n  - chain: op\n    batch_inbox: " ADDR("a0") "\n    batcher: " ADDR("b0") "\n"
                 "    beacon_urls: []\n",
                 "beacon_urls", "da[0].beacon_urls: expected a non-empty list of beacon API URLs");
    /* eight is the limit, not less */
    l2w_config *cfg = expect_ok(DA_OP "    servers: [\"http://1\", \"http://2\", \"http://3\", \"http://4\", "
                                      "\"http://5\", \"http://6\", \"http://7\", \"http://8\"]\n");
    if (cfg)
        CHECK(cfg->da[0].n_servers == 8 && strcmp(cfg->da[0].servers[7], "http://8") == 0);
    l2w_config_free(cfg);
}

/* F_URLS, now shared with da, still reads chains' rpc as before. */
static void test_rpc_unchanged(void)
{
    static const char base[] = "database:\n  url: postgresql://u@h/d\nchains:\n  - name: l1\n    role: l1\n"
                               "    chain_id: 900\n";
    const struct {
        const char *rpc;
        const char *want;
    } cases[] = {
        {"    rpc: []\n", "t.yaml:7: chains[0].rpc: expected a non-empty list of RPC URLs"},
        {"    rpc: [\"http://a\", \"b\"]\n", "t.yaml:7: chains[0].rpc[1]: expected an http:// or https:// URL"},
        {"    rpc: [\"http://1\", \"http://2\", \"http://3\", \"http://4\", \"http://5\", \"http://6\", \"http://7\", "
         "\"http://8\", \"http://9\"]\n",
         "t.yaml:7: chains[0].rpc: at most 8 RPC URLs"},
        {"", "t.yaml:4: chains[0].rpc: required key is missing"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char t[1024];
        snprintf(t, sizeof t, "%s%s", base, cases[i].rpc);
        l2w_config *cfg = NULL;
        l2w_err err = {{0}};
        l2w_status st = l2w_config_parse(&cfg, t, strlen(t), "t.yaml", &err);
        CHECK_MSG(st == L2W_ERR_CONFIG && strstr(err.msg, cases[i].want), "case %zu: \"%s\"", i, err.msg);
        l2w_config_free(cfg);
    }
    char t[1024];
    snprintf(t, sizeof t, "%s    rpc: [\"http://a\", \"https://b\"]\n", base);
    l2w_config *cfg = NULL;
    l2w_err err = {{0}};
    CHECK_MSG(l2w_config_parse(&cfg, t, strlen(t), "t.yaml", &err) == L2W_OK, "%s", err.msg);
    if (cfg)
        CHECK(cfg->chains[0].n_rpc_urls == 2 && strcmp(cfg->chains[0].rpc_urls[1], "https://b") == 0);
    l2w_config_free(cfg);
}

typedef struct {
    const char *key;
    const char *bad_low, *ok_low, *ok_high, *bad_high;
    size_t offset;          /* of the uint32_t field, or SIZE_MAX for start_block */
    const char *extra;      /* added to the entry so ok values pass the cross-checks */
} bound_case;

static void check_bounds(const char *section, const char *entry, const bound_case *b, size_t n, bool is_da)
{
    for (size_t i = 0; i < n; i++) {
        const char *vals[4] = {b[i].bad_low, b[i].ok_low, b[i].ok_high, b[i].bad_high};
        for (int v = 0; v < 4; v++) {
            if (!vals[v])
                continue;
            char tail[2048], key[64], want[128];
            snprintf(tail, sizeof tail, "%s%s%s    %s: %s\n", section, entry, b[i].extra ? b[i].extra : "", b[i].key,
                     vals[v]);
            snprintf(key, sizeof key, "    %s:", b[i].key);
            snprintf(want, sizeof want, "%s[0].%s: expected an integer from", is_da ? "da" : "liveness", b[i].key);
            if (v == 0 || v == 3) {
                expect_error(tail, key, want);
                continue;
            }
            l2w_config *cfg = expect_ok(tail);
            if (!cfg)
                continue;
            uint64_t got;
            if (b[i].offset == SIZE_MAX)
                got = cfg->da[0].start_block;
            else
                got = *(const uint32_t *)((const char *)(is_da ? (const void *)&cfg->da[0]
                                                               : (const void *)&cfg->liveness[0]) +
                                          b[i].offset);
            CHECK_MSG(got == strtoull(vals[v], NULL, 10), "%s: %s read back as %llu", b[i].key, vals[v],
                      (unsigned long long)got);
            l2w_config_free(cfg);
        }
    }
}

#define DOFF(f) offsetof(l2w_da_config, f)
#define LOFF(f) offsetof(l2w_liveness_series_config, f)

static void test_bounds(void)
{
    static const bound_case da[] = {
        {"fetch_deadline_s", "0", "1", "86400", "86401", DOFF(fetch_deadline_s), NULL},
        {"fetch_timeout_ms", "99", "100", "120000", "120001", DOFF(fetch_timeout_ms), NULL},
        {"retry_ms", "9", "10", "600000", "600001", DOFF(retry_ms), "    retry_max_ms: 600000\n"},
        {"retry_max_ms", "9", "10", "600000", "600001", DOFF(retry_max_ms), "    retry_ms: 10\n"},
        {"max_data_bytes", "0", "1", "1073741824", "1073741825", DOFF(max_data_bytes), NULL},
        {"blob_retention_s", "0", "1", "2147483648", "2147483649", DOFF(blob_retention_s), NULL},
        {"l1_block_time_s", "0", "1", "600", "601", DOFF(l1_block_time_s), NULL},
        {"start_block", "-1", "0", "18446744073709551615", "18446744073709551616", SIZE_MAX, NULL},
    };
    check_bounds("da:\n", DA_OP + strlen("da:\n"), da, sizeof da / sizeof da[0], true);

    static const bound_case lv[] = {
        {"max_interval_s", "x", "0", "31536000", "31536001", LOFF(max_interval_s), NULL},
        {"min_gap_s", "-5", "0", "31536000", "31536001", LOFF(min_gap_s), NULL},
        {"min_samples", "1", "2", "1024", "1025", LOFF(min_samples), NULL},
        {"window", "1", "2", "1024", "1025", LOFF(window), "    min_samples: 2\n"},
        {"z_threshold", "0", "1", "1000", "1001", LOFF(z_threshold), NULL},
    };
    check_bounds(DA_OP "liveness:\n", "  - chain: op\n    kind: l2_head\n", lv, sizeof lv / sizeof lv[0], false);
}

static void lv_error(const char *series, const char *at, const char *want)
{
    char tail[2048];
    snprintf(tail, sizeof tail, DA_OP "liveness:\n%s", series);
    expect_error(tail, at, want);
}

static void test_liveness_checks(void)
{
    lv_error("  - chain: mars\n    kind: l2_head\n", "chain: mars",
             "liveness[0].chain: chain \"mars\" is not defined in chains");
    lv_error("  - chain: op2\n    kind: batches\n", "kind: batches",
             "liveness[0].kind: kind batches needs a da: entry for chain \"op2\"");
    lv_error("  - chain: l1\n    kind: proposals\n", "kind: proposals",
             "liveness[0].kind: kind proposals needs an l2 chain with l2_output_oracle; \"l1\" is not one");
    lv_error("  - chain: l1\n    kind: l2_head\n", "kind: l2_head",
             "liveness[0].kind: kind l2_head needs an l2 chain; \"l1\" is an l1 chain");
    lv_error("  - chain: op\n    kind: proofs\n", "kind: proofs", "liveness[0].kind: no collector feeds proofs yet");
    lv_error("  - chain: op\n    kind: blocks\n", "kind: blocks",
             "liveness[0].kind: expected batches, proposals or l2_head, got \"blocks\"");
    lv_error("  - chain: op\n    kind: l2_head\n  - chain: op2\n    kind: l2_head\n"
             "  - chain: op  # again\n    kind: l2_head\n",
             "- chain: op  # again",
             "liveness[2]: duplicate series: liveness[0] already watches l2_head on chain \"op\"");
    lv_error("  - chain: op\n    kind: l2_head\n    min_samples: 40\n    window: 30\n", "window",
             "liveness[0].window: 30 is below min_samples (40)");
    lv_error("  - chain: op\n    kind: l2_head\n    window: 10\n", "window",
             "liveness[0].window: 10 is below min_samples (20, the default)");
    lv_error("  - chain: op\n    kind: l2_head\n    max_interval_s: 600\n    min_gap_s: 601\n", "min_gap_s",
             "liveness[0].min_gap_s: 601 is above max_interval_s (600)");
    lv_error("  - kind: l2_head\n", "- kind", "liveness[0].chain: required key is missing");
    lv_error("  - chain: op  # no kind\n", "- chain: op  # no kind", "liveness[0].kind: required key is missing");
    lv_error("  - chain: op\n    kind: l2_head\n    z: 3\n", "z: 3", "liveness[0].z: unknown key");
    lv_error("  - chain: op\n    kind: \"\"\n", "kind:", "liveness[0].kind: must not be empty");
    expect_error("liveness: {chain: op}\n", "liveness", "liveness: expected a list");

    char tail[8192] = DA_OP "liveness:\n";
    for (int i = 0; i < L2W_MAX_LIVENESS + 1; i++)
        strcat(tail, "  - chain: op2\n");
    expect_error(tail, "- chain: op2", "liveness: at most 64 liveness series");

    /* Right at the edges: window == min_samples, min_gap_s == max_interval_s,
     * and the same kind on two chains or two kinds on one chain. */
    l2w_config *cfg = expect_ok(DA_OP "liveness:\n"
                                      "  - chain: op\n    kind: l2_head\n    min_samples: 30\n    window: 30\n"
                                      "    max_interval_s: 600\n    min_gap_s: 600\n"
                                      "  - chain: op2\n    kind: l2_head\n"
                                      "  - chain: op\n    kind: batches\n"
                                      "  - chain: op\n    kind: proposals\n"
                                      "  - chain: op2\n    kind: proposals\n");
    if (cfg)
        CHECK(cfg->n_liveness == 5);
    l2w_config_free(cfg);
}

/* A failure in liveness after a full da: section, and one in da after a
 * full liveness list in the text: both free everything (ASan). */
static void test_late_failures_free(void)
{
    expect_error("da:\n"
                 "  - chain: op\n"
                 "    batch_inbox: " ADDR("a0") "\n"
                 "    batcher: " ADDR("b0") "\n"
                 "    servers: [\"http://s1\", \"http://s2\"]\n"
                 "    beacon_urls: [\"http://b1\"]\n"
                 "liveness:\n"
                 "  - chain: op\n    kind: batches\n"
                 "  - chain: op\n    kind: nope\n",
                 "kind: nope", "liveness[1].kind: expected batches");
    expect_error("liveness:\n"
                 "  - chain: op\n    kind: l2_head\n"
                 "da:\n"
                 "  - chain: op\n"
                 "    batch_inbox: " ADDR("a0") "\n"
                 "    batcher: " ADDR("b0") "\n"
                 "    servers: [\"http://s1\", \"http://s2\"]\n"
                 "    beacon_urls: [\"http://b1\", \"http://b2\"]\n"
                 "    l1_block_time_s: 0\n",
                 "l1_block_time_s", "da[0].l1_block_time_s: expected an integer from 1 to 600");
    /* top-level key check still rejects near misses */
    expect_error(DA_OP "livenes:\n  - chain: op  # typo\n", "- chain: op  # typo", "livenes: unknown key");
}

/* A committee of three on l1; tail adds keys to the entry. */
#define COMMITTEE(tail)                                                                                               \
    "committees:\n  - chain: cdk\n    l1: l1\n    rollup: " ADDR("c0") "\n"                                           \
    "    members: [" ADDR("a1") ", " ADDR("a2") ", " ADDR("a3") "]\n" tail

static void test_committees(void)
{
    l2w_config *cfg = expect_ok(COMMITTEE("    threshold: 2\n"));
    if (cfg) {
        CHECK(cfg->n_committees == 1);
        const l2w_committee_config *m = &cfg->committees[0];
        CHECK(strcmp(m->chain, "cdk") == 0 && strcmp(m->l1, "l1") == 0 && addr_is(&m->rollup, 0xc0));
        CHECK(m->n_members == 3 && addr_is(&m->members[0], 0xa1) && addr_is(&m->members[2], 0xa3));
        CHECK(m->threshold == 2);
        l2w_config_free(cfg);
    }
    expect_error(COMMITTEE(""), "- chain: cdk", "committees[0].threshold: required key is missing");
    expect_error(COMMITTEE("    threshold: 4\n"), "threshold", "committees[0].threshold: 4 is more than the 3 members");
    expect_error(COMMITTEE("    threshold: 0\n"), "threshold", "committees[0].threshold: expected an integer from 1");
    expect_error("committees:\n  - chain: cdk\n    l1: op\n    rollup: " ADDR("c0") "\n    members: [" ADDR("a1")
                 "]\n    threshold: 1\n",
                 "l1: op", "committees[0].l1: \"op\" is an l2 chain");
    expect_error("committees:\n  - chain: cdk\n    l1: mars\n    rollup: " ADDR("c0") "\n    members: [" ADDR("a1")
                 "]\n    threshold: 1\n",
                 "l1: mars", "committees[0].l1: chain \"mars\" is not defined in chains");
    /* members: increasing, non-zero, addresses, a non-empty list */
    expect_error("committees:\n  - chain: cdk\n    l1: l1\n    rollup: " ADDR("c0") "\n    members:\n      - " ADDR(
                     "a2") "\n      - " ADDR("a1") "  # lower\n    threshold: 1\n",
                 "  # lower", "committees[0].members[1]: 0x00000000000000000000000000000000000000a1 is not above members[0]");
    expect_error("committees:\n  - chain: cdk\n    l1: l1\n    rollup: " ADDR("c0") "\n    members:\n      - " ADDR(
                     "a1") "\n      - " ADDR("a1") "  # again\n    threshold: 1\n",
                 "  # again", "committees[0].members[1]: 0x00000000000000000000000000000000000000a1 is not above");
    expect_error("committees:\n  - chain: cdk\n    l1: l1\n    rollup: " ADDR("c0") "\n    members:\n      - " ADDR(
                     "00") "  # zero\n    threshold: 1\n",
                 "  # zero", "committees[0].members[0]: the zero address cannot be a member");
    expect_error("committees:\n  - chain: cdk\n    l1: l1\n    rollup: " ADDR("c0") "\n    members:\n      - " ADDR(
                     "a1") "\n      - 0x12  # short\n    threshold: 1\n",
                 "  # short", "committees[0].members[1]: expected a 0x-prefixed 20-byte address, got \"0x12\"");
    expect_error("committees:\n  - chain: cdk\n    l1: l1\n    rollup: " ADDR("c0") "\n    members: []\n"
                 "    threshold: 1\n",
                 "members", "committees[0].members: expected a non-empty list of member addresses");
    /* one entry per validium, one per rollup contract */
    expect_error(COMMITTEE("    threshold: 1\n") "  - chain: cdk\n    l1: l1\n    rollup: " ADDR("c1") "  # other\n"
                 "    members: [" ADDR("a1") "]\n    threshold: 1\n",
                 "  - chain: cdk\n    l1: l1\n    rollup: " ADDR("c1"),
                 "committees[1].chain: \"cdk\" already has a committee (committees[0])");
    expect_error(COMMITTEE("    threshold: 1\n") "  - chain: cdk2\n    l1: l1\n    rollup: " ADDR("c0") "  # same\n"
                 "    members: [" ADDR("a1") "]\n    threshold: 1\n",
                 "  # same", "committees[1].rollup: committees[0] already watches this rollup contract");
    expect_error(COMMITTEE("    threshold: 1\n    treshold: 1\n"), "treshold", "committees[0].treshold: unknown key");
}

int main(void)
{
    RUN(test_committees);
    RUN(test_full);
    RUN(test_defaults);
    RUN(test_da_cross_checks);
    RUN(test_da_keys_and_shape);
    RUN(test_da_urls);
    RUN(test_rpc_unchanged);
    RUN(test_bounds);
    RUN(test_liveness_checks);
    RUN(test_late_failures_free);
    return l2w_test_finish();
}
