#include <arpa/inet.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collector/rpc.h"
#include "collector/rpc_health.h"
#include "collector/rpc_url.h"
#include "core/log.h"
#include "tests/unit/harness.h"

#define T0 1000000u /* an arbitrary origin: the module never reads a clock */

static bool near(double a, double b)
{
    double d = a - b;
    return d < 1e-3 && d > -1e-3;
}

static void test_fresh_endpoints_are_spotless_and_the_first_is_picked(void)
{
    l2w_rpc_health h;
    l2w_rpc_health_init(&h, 3, 20, true);
    size_t i = 99;
    CHECK(l2w_rpc_health_pick(&h, T0, 99, NULL, &i) && i == 0);
    for (size_t k = 0; k < 3; k++) {
        CHECK(near(l2w_rpc_health_score(&h, k, T0), 1.0));
        CHECK(l2w_rpc_health_usable(&h, k, T0));
        CHECK(l2w_rpc_health_needs_chain_check(&h, k));
    }
    /* Without a chain id to check, nothing needs checking. */
    l2w_rpc_health_init(&h, 2, 0, false);
    CHECK(!l2w_rpc_health_needs_chain_check(&h, 0) && !l2w_rpc_health_needs_chain_check(&h, 1));
}

static void test_score_falls_with_faults_and_recovers(void)
{
    l2w_rpc_health h;
    l2w_rpc_health_init(&h, 2, 20, false);
    l2w_rpc_health_failure(&h, 0, L2W_RPC_FAULT_TIMEOUT, T0);
    CHECK(near(l2w_rpc_health_score(&h, 0, T0), 0.5));
    l2w_rpc_health_failure(&h, 0, L2W_RPC_FAULT_HTTP_STATUS, T0);
    CHECK(near(l2w_rpc_health_score(&h, 0, T0), 1.0 / 3.0));
    /* A rate limit costs half a point. */
    l2w_rpc_health_failure(&h, 1, L2W_RPC_FAULT_RATE_LIMITED, T0);
    CHECK(near(l2w_rpc_health_score(&h, 1, T0), 1.0 / 1.5));

    /* Time alone halves the penalty every half-life... */
    uint64_t later = T0 + L2W_RPC_PENALTY_HALF_LIFE_MS;
    CHECK(near(l2w_rpc_health_score(&h, 0, later), 0.5));
    CHECK(near(l2w_rpc_health_score(&h, 0, T0 + L2W_RPC_PENALTY_HALF_LIFE_MS / 2), 1.0 / (1.0 + 2.0 * 0.70710678)));
    CHECK(l2w_rpc_health_score(&h, 0, T0 + 20 * L2W_RPC_PENALTY_HALF_LIFE_MS) > 0.999);
    /* ...and each success takes a fifth off what is left. */
    l2w_rpc_health_success(&h, 0, later);
    CHECK(near(l2w_rpc_health_score(&h, 0, later), 1.0 / 1.8));
    for (int k = 0; k < 40; k++)
        l2w_rpc_health_success(&h, 0, later);
    CHECK(l2w_rpc_health_score(&h, 0, later) > 0.999);

    /* The score never rises by itself in the past (a clock that stepped back). */
    CHECK(near(l2w_rpc_health_score(&h, 1, T0 - 5000), 1.0 / 1.5));
}

static void test_backoff_doubles_to_a_cap_and_success_clears_it(void)
{
    l2w_rpc_health h;
    l2w_rpc_health_init(&h, 2, 20, false);
    uint64_t expect = L2W_RPC_BACKOFF_BASE_MS;
    uint64_t now = T0;
    for (int k = 0; k < 10; k++) {
        uint64_t got = l2w_rpc_health_failure(&h, 0, L2W_RPC_FAULT_TIMEOUT, now);
        CHECK_MSG(got == expect, "failure %d: backoff %llu, expected %llu", k + 1, (unsigned long long)got,
                  (unsigned long long)expect);
        CHECK(l2w_rpc_health_in_backoff(&h, 0, now + got - 1));
        CHECK(!l2w_rpc_health_usable(&h, 0, now + got - 1));
        CHECK(!l2w_rpc_health_in_backoff(&h, 0, now + got));
        now += got;
        expect = expect * 2 > L2W_RPC_BACKOFF_MAX_MS ? L2W_RPC_BACKOFF_MAX_MS : expect * 2;
    }
    CHECK(expect == L2W_RPC_BACKOFF_MAX_MS);
    l2w_rpc_health_success(&h, 0, now);
    CHECK(!l2w_rpc_health_in_backoff(&h, 0, now));
    CHECK(l2w_rpc_health_failure(&h, 0, L2W_RPC_FAULT_MALFORMED, now) == L2W_RPC_BACKOFF_BASE_MS);

    /* A head lag is a state, not an outage: no backoff. */
    CHECK(l2w_rpc_health_failure(&h, 1, L2W_RPC_FAULT_HEAD_LAG, now) == 0);
    CHECK(!l2w_rpc_health_in_backoff(&h, 1, now));
}

static void test_failure_means_the_chain_is_checked_again(void)
{
    l2w_rpc_health h;
    l2w_rpc_health_init(&h, 2, 20, true);
    l2w_rpc_health_chain_checked(&h, 0, true, T0);
    CHECK(!l2w_rpc_health_needs_chain_check(&h, 0));
    l2w_rpc_health_success(&h, 0, T0);
    CHECK(!l2w_rpc_health_needs_chain_check(&h, 0));
    /* After an outage the thing answering may be another node. */
    l2w_rpc_health_failure(&h, 0, L2W_RPC_FAULT_TRANSPORT, T0);
    CHECK(l2w_rpc_health_needs_chain_check(&h, 0));
}

static void test_switching_away_from_a_failing_endpoint_and_stickiness(void)
{
    l2w_rpc_health h;
    l2w_rpc_health_init(&h, 3, 20, false);
    size_t i;
    l2w_rpc_health_failure(&h, 0, L2W_RPC_FAULT_TIMEOUT, T0);
    CHECK(l2w_rpc_health_pick(&h, T0, 0, NULL, &i) && i == 1);
    /* Endpoint 2 failed longer ago than 1: 1 scores lower, 2 is chosen. */
    l2w_rpc_health_failure(&h, 2, L2W_RPC_FAULT_TIMEOUT, T0 - 60000);
    l2w_rpc_health_failure(&h, 1, L2W_RPC_FAULT_RATE_LIMITED, T0 - 1000);
    l2w_rpc_health_success(&h, 1, T0 - 900);
    l2w_rpc_health_success(&h, 2, T0 - 59000);
    CHECK(l2w_rpc_health_pick(&h, T0, 0, NULL, &i) && i == 2);
    /* The current one is kept while usable, even if another scores better. */
    CHECK(l2w_rpc_health_pick(&h, T0, 1, NULL, &i) && i == 1);
    /* Skipped endpoints (already tried in this call) are not picked again. */
    bool skip[3] = {false, true, true};
    CHECK(!l2w_rpc_health_pick(&h, T0, 1, skip, &i));
    /* Once the backoff is over the first one is usable again. */
    CHECK(l2w_rpc_health_pick(&h, T0 + L2W_RPC_BACKOFF_BASE_MS, 1, skip, &i) && i == 0);
}

static void test_lagging_endpoint_is_avoided_while_another_is_healthy(void)
{
    l2w_rpc_health h;
    l2w_rpc_health_init(&h, 3, 20, false);
    uint64_t best;
    CHECK(!l2w_rpc_health_best_head(&h, T0, &best));
    l2w_rpc_health_head(&h, 0, 1000, T0);
    l2w_rpc_health_head(&h, 1, 950, T0);
    l2w_rpc_health_head(&h, 2, 980, T0);
    CHECK(l2w_rpc_health_best_head(&h, T0, &best) && best == 1000);
    CHECK(!l2w_rpc_health_lagging(&h, 0, T0));
    CHECK(l2w_rpc_health_lagging(&h, 1, T0));  /* 50 behind */
    CHECK(!l2w_rpc_health_lagging(&h, 2, T0)); /* exactly the bound is fine */
    size_t i;
    CHECK(l2w_rpc_health_pick(&h, T0, 1, NULL, &i) && i == 0);

    /* It catches up: usable again. */
    l2w_rpc_health_head(&h, 1, 999, T0 + 100);
    CHECK(l2w_rpc_health_usable(&h, 1, T0 + 100));

    /* A head not heard of for a while no longer says the endpoint lags... */
    l2w_rpc_health_head(&h, 1, 900, T0);
    uint64_t stale = T0 + L2W_RPC_HEAD_FRESH_MS + 1;
    l2w_rpc_health_head(&h, 0, 1010, stale);
    CHECK(!l2w_rpc_health_lagging(&h, 1, stale));
    /* ...nor raises the bar for the others. */
    l2w_rpc_health_init(&h, 2, 20, false);
    l2w_rpc_health_head(&h, 0, 5000, T0);
    l2w_rpc_health_head(&h, 1, 1000, stale);
    CHECK(!l2w_rpc_health_lagging(&h, 1, stale));

    /* max_head_lag 0 turns the comparison off. */
    l2w_rpc_health_init(&h, 2, 0, false);
    l2w_rpc_health_head(&h, 0, 1000, T0);
    l2w_rpc_health_head(&h, 1, 1, T0);
    CHECK(!l2w_rpc_health_lagging(&h, 1, T0));
}

static void test_wrong_chain_is_excluded_and_its_head_ignored(void)
{
    l2w_rpc_health h;
    l2w_rpc_health_init(&h, 2, 20, true);
    l2w_rpc_health_head(&h, 0, 1000000, T0);
    l2w_rpc_health_chain_checked(&h, 0, false, T0);
    l2w_rpc_health_chain_checked(&h, 1, true, T0);
    l2w_rpc_health_head(&h, 1, 100, T0);
    CHECK(!l2w_rpc_health_usable(&h, 0, T0));
    CHECK(l2w_rpc_health_needs_chain_check(&h, 0));
    /* Another chain's head does not make ours look behind. */
    CHECK(!l2w_rpc_health_lagging(&h, 1, T0));
    size_t i;
    CHECK(l2w_rpc_health_pick(&h, T0, 0, NULL, &i) && i == 1);
    /* Even after its retry time it is not picked unasked: only a check brings it back. */
    CHECK(!l2w_rpc_health_usable(&h, 0, T0 + L2W_RPC_WRONG_CHAIN_RETRY_MS));
    CHECK(l2w_rpc_health_in_backoff(&h, 0, T0 + L2W_RPC_WRONG_CHAIN_RETRY_MS - 1));
    CHECK(!l2w_rpc_health_in_backoff(&h, 0, T0 + L2W_RPC_WRONG_CHAIN_RETRY_MS));
    l2w_rpc_health_chain_checked(&h, 0, true, T0 + L2W_RPC_WRONG_CHAIN_RETRY_MS);
    CHECK(l2w_rpc_health_usable(&h, 0, T0 + L2W_RPC_WRONG_CHAIN_RETRY_MS));

    /* A failure counted as WRONG_CHAIN does the same as a failed check. */
    l2w_rpc_health_init(&h, 1, 20, true);
    CHECK(l2w_rpc_health_failure(&h, 0, L2W_RPC_FAULT_WRONG_CHAIN, T0) == L2W_RPC_WRONG_CHAIN_RETRY_MS);
    CHECK(h.ep[0].chain == L2W_RPC_CHAIN_WRONG && !l2w_rpc_health_usable(&h, 0, T0));
    /* An outage while known wrong keeps it known wrong. */
    l2w_rpc_health_failure(&h, 0, L2W_RPC_FAULT_TIMEOUT, T0 + L2W_RPC_WRONG_CHAIN_RETRY_MS);
    CHECK(h.ep[0].chain == L2W_RPC_CHAIN_WRONG);
}

static void test_least_bad_when_nothing_is_usable(void)
{
    l2w_rpc_health h;
    l2w_rpc_health_init(&h, 4, 20, true);
    size_t i;
    /* 0: wrong chain; 1: in backoff, two faults; 2: in backoff, one fault; 3: lagging. */
    l2w_rpc_health_chain_checked(&h, 0, false, T0);
    l2w_rpc_health_failure(&h, 1, L2W_RPC_FAULT_TIMEOUT, T0);
    l2w_rpc_health_failure(&h, 1, L2W_RPC_FAULT_TIMEOUT, T0);
    l2w_rpc_health_failure(&h, 2, L2W_RPC_FAULT_TIMEOUT, T0);
    l2w_rpc_health_head(&h, 2, 1000, T0);
    l2w_rpc_health_head(&h, 3, 900, T0);
    CHECK(!l2w_rpc_health_pick(&h, T0, 3, NULL, &i));
    CHECK(l2w_rpc_health_least_bad(&h, T0, NULL, &i) && i == 3); /* it answers, if late */
    bool skip[4] = {false, false, false, true};
    CHECK(l2w_rpc_health_least_bad(&h, T0, skip, &i) && i == 2); /* fewer faults */
    skip[2] = true;
    CHECK(l2w_rpc_health_least_bad(&h, T0, skip, &i) && i == 1);
    skip[1] = true;
    CHECK(l2w_rpc_health_least_bad(&h, T0, skip, &i) && i == 0); /* never give up entirely */
    skip[0] = true;
    CHECK(!l2w_rpc_health_least_bad(&h, T0, skip, &i));

    /* Equal scores: the one whose backoff ends first, then list order. */
    l2w_rpc_health_init(&h, 3, 20, false);
    l2w_rpc_health_failure(&h, 0, L2W_RPC_FAULT_TIMEOUT, T0 + 10);
    l2w_rpc_health_failure(&h, 1, L2W_RPC_FAULT_TIMEOUT, T0);
    l2w_rpc_health_failure(&h, 2, L2W_RPC_FAULT_TIMEOUT, T0);
    h.ep[0].penalty_at_ms = h.ep[1].penalty_at_ms = h.ep[2].penalty_at_ms = T0 + 10;
    CHECK(l2w_rpc_health_least_bad(&h, T0 + 10, NULL, &i) && i == 1);
}

static void test_which_json_rpc_errors_are_the_endpoints_fault(void)
{
    l2w_rpc_fault f = L2W_RPC_FAULT_COUNT;
    CHECK(l2w_rpc_error_is_endpoint_fault(-32603, "internal error", &f) && f == L2W_RPC_FAULT_RPC_ERROR);
    CHECK(l2w_rpc_error_is_endpoint_fault(-32601, "the method eth_getProof does not exist/is not available", &f) &&
          f == L2W_RPC_FAULT_RPC_ERROR);
    CHECK(l2w_rpc_error_is_endpoint_fault(-32005, "daily request count exceeded", &f) &&
          f == L2W_RPC_FAULT_RATE_LIMITED);
    CHECK(l2w_rpc_error_is_endpoint_fault(429, NULL, &f) && f == L2W_RPC_FAULT_RATE_LIMITED);
    /* Range refusals are answered by splitting the range, not by rotating. */
    CHECK(!l2w_rpc_error_is_endpoint_fault(-32005, "query returned more than 10000 results", &f));
    CHECK(!l2w_rpc_error_is_endpoint_fault(-32000, "block range is too large", &f));
    CHECK(!l2w_rpc_error_is_endpoint_fault(-32602, "Log response size exceeded. You can make eth_getLogs requests "
                                                   "with up to a 2K block range", &f));
    CHECK(!l2w_rpc_error_is_endpoint_fault(-32600, "exceed maximum block range: 5000", &f));
    CHECK(l2w_rpc_error_is_endpoint_fault(-32000, "Your app has exceeded its compute units per second capacity",
                                          &f) && f == L2W_RPC_FAULT_RATE_LIMITED);
    CHECK(l2w_rpc_error_is_endpoint_fault(-32000, "missing trie node 4a5b (path )", &f) &&
          f == L2W_RPC_FAULT_RPC_ERROR);
    CHECK(l2w_rpc_error_is_endpoint_fault(-32000, "Request Timeout", &f) && f == L2W_RPC_FAULT_RPC_ERROR);

    /* What every honest node answers alike is not held against one. */
    CHECK(!l2w_rpc_error_is_endpoint_fault(3, "execution reverted: not challenger", &f));
    CHECK(!l2w_rpc_error_is_endpoint_fault(-32000, "execution reverted", &f));
    CHECK(!l2w_rpc_error_is_endpoint_fault(-32003, "transaction rejected", &f));
    CHECK(!l2w_rpc_error_is_endpoint_fault(-32602, "invalid argument 0: hex string without 0x prefix", &f));
    CHECK(!l2w_rpc_error_is_endpoint_fault(-32000, "nonce too low", &f));
    CHECK(!l2w_rpc_error_is_endpoint_fault(-32000, "replacement transaction underpriced", &f));
    CHECK(!l2w_rpc_error_is_endpoint_fault(-32000, "already known", &f));
    CHECK(!l2w_rpc_error_is_endpoint_fault(-32000, "header not found", &f));
    CHECK(!l2w_rpc_error_is_endpoint_fault(-32000, NULL, &f));
}

static void test_fault_names_are_metric_labels(void)
{
    const char *seen[L2W_RPC_FAULT_COUNT];
    for (int k = 0; k < L2W_RPC_FAULT_COUNT; k++) {
        const char *name = l2w_rpc_fault_name((l2w_rpc_fault)k);
        CHECK(strcmp(name, "unknown") != 0);
        for (const char *p = name; *p; p++)
            CHECK((*p >= 'a' && *p <= 'z') || *p == '_');
        for (int j = 0; j < k; j++)
            CHECK(strcmp(seen[j], name) != 0);
        seen[k] = name;
    }
    CHECK(strcmp(l2w_rpc_fault_name(L2W_RPC_FAULT_RATE_LIMITED), "rate_limited") == 0);
}

static void test_random_histories_keep_the_invariants(void)
{
    uint64_t seed = l2w_test_seed();
    (void)seed;
    for (int round = 0; round < 200; round++) {
        l2w_rpc_health h;
        size_t n = 1 + l2w_test_rand() % 6;
        l2w_rpc_health_init(&h, n, 1 + l2w_test_rand() % 40, l2w_test_rand() % 2);
        uint64_t now = T0;
        for (int step = 0; step < 100; step++) {
            now += l2w_test_rand() % 3000;
            size_t i = l2w_test_rand() % n;
            switch (l2w_test_rand() % 5) {
            case 0:
                l2w_rpc_health_success(&h, i, now);
                break;
            case 1:
                l2w_rpc_health_failure(&h, i, (l2w_rpc_fault)(l2w_test_rand() % L2W_RPC_FAULT_COUNT), now);
                break;
            case 2:
                l2w_rpc_health_chain_checked(&h, i, l2w_test_rand() % 4 != 0, now);
                break;
            default:
                l2w_rpc_health_head(&h, i, 1000 + l2w_test_rand() % 100, now);
                break;
            }
            size_t picked, fallback;
            bool any = l2w_rpc_health_pick(&h, now, l2w_test_rand() % (n + 1), NULL, &picked);
            CHECK(l2w_rpc_health_least_bad(&h, now, NULL, &fallback) && fallback < n);
            if (any)
                CHECK(picked < n && l2w_rpc_health_usable(&h, picked, now));
            /* Something usable exists exactly when pick finds it. */
            bool usable = false;
            for (size_t k = 0; k < n; k++) {
                double s = l2w_rpc_health_score(&h, k, now);
                CHECK(s > 0.0 && s <= 1.0);
                usable = usable || l2w_rpc_health_usable(&h, k, now);
            }
            CHECK(any == usable);
            /* The best head's endpoint never lags. */
            uint64_t best;
            if (l2w_rpc_health_best_head(&h, now, &best))
                for (size_t k = 0; k < n; k++)
                    if (h.ep[k].head_known && h.ep[k].head == best && h.ep[k].chain != L2W_RPC_CHAIN_WRONG)
                        CHECK(!l2w_rpc_health_lagging(&h, k, now));
        }
    }
}

static void check_forms(const char *url, size_t index, const char *shown, const char *label)
{
    char s[L2W_RPC_URL_SHOWN_MAX], l[L2W_RPC_URL_LABEL_MAX];
    l2w_rpc_url_shown(s, sizeof s, url);
    l2w_rpc_url_label(l, sizeof l, index, url);
    CHECK_MSG(strcmp(s, shown) == 0, "%s: shown %s, expected %s", url, s, shown);
    CHECK_MSG(strcmp(l, label) == 0, "%s: label %s, expected %s", url, l, label);
}

static void test_url_forms_never_carry_the_key(void)
{
    check_forms("https://eth-mainnet.example/v2/SECRETKEY", 1, "https://eth-mainnet.example/...",
                "1:eth-mainnet.example");
    check_forms("https://user:SECRET@rpc.example:8545/", 0, "https://rpc.example:8545", "0:rpc.example");
    check_forms("http://127.0.0.1:8545", 3, "http://127.0.0.1:8545", "3:127.0.0.1");
    check_forms("http://[::1]:8545/?apikey=SECRET", 2, "http://[::1]:8545/...", "2:[::1]");
    check_forms("https://rpc.example?key=SECRET", 0, "https://rpc.example/...", "0:rpc.example");
    check_forms("https://rpc.example#SECRET", 0, "https://rpc.example/...", "0:rpc.example");
    /* Nothing that could close a label or a log field survives. */
    check_forms("http://a\"b}c@evil\"host\n:1/x", 4, "http://evil_host_:1/...", "4:evil_host_");
    check_forms("no-scheme.example/path", 5, "no-scheme.example/...", "5:no-scheme.example");
    /* Small buffers truncate, always terminated. */
    char tiny[8];
    l2w_rpc_url_shown(tiny, sizeof tiny, "https://eth-mainnet.example/v2/KEY");
    CHECK(strcmp(tiny, "https:/") == 0);
    l2w_rpc_url_label(tiny, sizeof tiny, 12, "https://eth-mainnet.example/v2/KEY");
    CHECK(strcmp(tiny, "12:eth-") == 0);
}

/* ---- the client over fake endpoints: in-process HTTP servers whose
 * behaviour a test sets, so failover, pinning and chain checks are seen
 * from outside the client without a node. */

enum { FAKE_OK, FAKE_HTTP_500, FAKE_INTERNAL_ERROR };

typedef struct {
    struct MHD_Daemon *daemon;
    char url[96];
    int index;
    _Atomic int mode;
    _Atomic unsigned long long chain_id;
    _Atomic unsigned long long head;
    _Atomic int requests;
} fake_endpoint;

typedef struct {
    char *data;
    size_t len;
} upload;

static json_t *fake_answer(fake_endpoint *f, const json_t *req)
{
    json_t *id = json_object_get(req, "id");
    const char *method = json_string_value(json_object_get(req, "method"));
    json_t *out = json_pack("{s:s, s:O}", "jsonrpc", "2.0", "id", id ? id : json_null());
    char q[32];
    if (atomic_load(&f->mode) == FAKE_INTERNAL_ERROR) {
        json_object_set_new(out, "error", json_pack("{s:i, s:s}", "code", -32603, "message", "internal error"));
    } else if (method && strcmp(method, "eth_chainId") == 0) {
        snprintf(q, sizeof q, "0x%llx", atomic_load(&f->chain_id));
        json_object_set_new(out, "result", json_string(q));
    } else if (method && strcmp(method, "eth_blockNumber") == 0) {
        snprintf(q, sizeof q, "0x%llx", atomic_load(&f->head));
        json_object_set_new(out, "result", json_string(q));
    } else if (method && strcmp(method, "test_whoami") == 0) {
        json_object_set_new(out, "result", json_integer(f->index));
    } else if (method && strcmp(method, "test_revert") == 0) {
        json_object_set_new(out, "error", json_pack("{s:i, s:s}", "code", 3, "message", "execution reverted"));
    } else {
        json_object_set_new(out, "error", json_pack("{s:i, s:s}", "code", -32601, "message", "no such method"));
    }
    return out;
}

static enum MHD_Result fake_reply(struct MHD_Connection *conn, unsigned code, char *body)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
    enum MHD_Result ret = MHD_queue_response(conn, code, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result fake_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                    const char *version, const char *data, size_t *data_len, void **state)
{
    (void)url;
    (void)method;
    (void)version;
    fake_endpoint *f = cls;
    upload *u = *state;
    if (!u) {
        *state = calloc(1, sizeof *u);
        return *state ? MHD_YES : MHD_NO;
    }
    if (*data_len > 0) {
        char *grown = realloc(u->data, u->len + *data_len + 1);
        if (!grown)
            return MHD_NO;
        memcpy(grown + u->len, data, *data_len);
        u->data = grown;
        u->len += *data_len;
        u->data[u->len] = '\0';
        *data_len = 0;
        return MHD_YES;
    }
    atomic_fetch_add(&f->requests, 1);
    if (atomic_load(&f->mode) == FAKE_HTTP_500)
        return fake_reply(conn, 500, strdup("boom"));
    json_t *req = json_loadb(u->data ? u->data : "", u->len, 0, NULL);
    json_t *out;
    if (json_is_array(req)) {
        out = json_array();
        size_t k;
        json_t *one;
        json_array_foreach(req, k, one)
            json_array_append_new(out, fake_answer(f, one));
    } else {
        out = fake_answer(f, req);
    }
    json_decref(req);
    char *text = json_dumps(out, JSON_COMPACT);
    json_decref(out);
    return text ? fake_reply(conn, 200, text) : MHD_NO;
}

static void fake_done(void *cls, struct MHD_Connection *conn, void **state, enum MHD_RequestTerminationCode why)
{
    (void)cls;
    (void)conn;
    (void)why;
    upload *u = *state;
    if (u) {
        free(u->data);
        free(u);
    }
    *state = NULL;
}

static bool fake_start(fake_endpoint *f, int index, unsigned long long chain_id)
{
    memset(f, 0, sizeof *f);
    f->index = index;
    atomic_store(&f->chain_id, chain_id);
    atomic_store(&f->head, 1000);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    f->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO, 0, NULL, NULL, fake_request, f,
                                 MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_NOTIFY_COMPLETED,
                                 fake_done, f, MHD_OPTION_END);
    if (!f->daemon)
        return false;
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(f->daemon, MHD_DAEMON_INFO_BIND_PORT);
    /* A key in the path, as hosted endpoints have: it must never come out. */
    snprintf(f->url, sizeof f->url, "http://127.0.0.1:%u/v2/SECRETKEY", (unsigned)info->port);
    return true;
}

#define N_FAKES 3
#define CHAIN 900

typedef struct {
    fake_endpoint fake[N_FAKES];
    l2w_rpc *rpc;
} fake_world;

static bool fake_world_start(fake_world *w, uint64_t max_lag)
{
    const char *urls[N_FAKES];
    for (int i = 0; i < N_FAKES; i++) {
        if (!fake_start(&w->fake[i], i, CHAIN))
            return false;
        urls[i] = w->fake[i].url;
    }
    l2w_rpc_options opt = {.chain = "unit", .urls = urls, .n_urls = N_FAKES, .timeout_ms = 2000,
                           .expected_chain_id = CHAIN, .max_head_lag_blocks = max_lag};
    l2w_err err = {{0}};
    return l2w_rpc_create(&w->rpc, &opt, &err) == L2W_OK;
}

static void fake_world_stop(fake_world *w)
{
    l2w_rpc_destroy(w->rpc);
    for (int i = 0; i < N_FAKES; i++)
        if (w->fake[i].daemon)
            MHD_stop_daemon(w->fake[i].daemon);
}

/* Calls test_whoami; returns the index that answered, or -1. */
static int whoami(l2w_rpc *rpc, l2w_status *status, l2w_err *err)
{
    json_t *res = NULL;
    *status = l2w_rpc_call(rpc, &res, "test_whoami", NULL, err);
    int who = *status == L2W_OK && json_is_integer(res) ? (int)json_integer_value(res) : -1;
    json_decref(res);
    return who;
}

static void test_client_fails_over_pins_and_picks(void)
{
    fake_world w;
    if (!fake_world_start(&w, 20)) {
        CHECK_MSG(false, "cannot start the fake endpoints");
        fake_world_stop(&w);
        return;
    }
    l2w_rpc *rpc = w.rpc;
    l2w_status st;
    l2w_err err = {{0}};
    CHECK(l2w_rpc_endpoint_count(rpc) == N_FAKES);
    CHECK(strcmp(l2w_rpc_endpoint_label(rpc, 0), "0:127.0.0.1") == 0);
    CHECK(strcmp(l2w_rpc_endpoint_label(rpc, 7), "?") == 0);

    /* The first endpoint is checked (eth_chainId) and used. */
    CHECK(whoami(rpc, &st, &err) == 0 && st == L2W_OK);
    CHECK(atomic_load(&w.fake[0].requests) == 2 && atomic_load(&w.fake[1].requests) == 0);
    CHECK(l2w_rpc_last_endpoint(rpc) == 0);

    /* A revert is the same everywhere: no failover. */
    json_t *res = NULL;
    CHECK(l2w_rpc_call(rpc, &res, "test_revert", NULL, &err) == L2W_ERR_RPC && !res);
    CHECK(strstr(err.msg, "execution reverted") != NULL);
    CHECK(atomic_load(&w.fake[1].requests) == 0);

    /* An HTTP 500 is the endpoint's fault: the call moves on and stays there. */
    atomic_store(&w.fake[0].mode, FAKE_HTTP_500);
    CHECK(whoami(rpc, &st, &err) == 1 && st == L2W_OK);
    CHECK(l2w_rpc_last_endpoint(rpc) == 1);
    atomic_store(&w.fake[0].mode, FAKE_OK);
    CHECK(whoami(rpc, &st, &err) == 1);

    /* Endpoint 0 rests in backoff; the healthiest other than 1 is 2. */
    size_t other = 99;
    CHECK(l2w_rpc_pick_other(rpc, 1, &other) && other == 2);
    CHECK(l2w_rpc_pick_other(rpc, 2, &other) && other == 1);

    /* Pinned: that endpoint only, checked first, no failover. */
    l2w_rpc_pin(rpc, 2);
    CHECK(whoami(rpc, &st, &err) == 2 && l2w_rpc_last_endpoint(rpc) == 2);
    atomic_store(&w.fake[2].mode, FAKE_INTERNAL_ERROR);
    int before = atomic_load(&w.fake[1].requests);
    CHECK(whoami(rpc, &st, &err) == -1 && st == L2W_ERR_RPC);
    CHECK(atomic_load(&w.fake[1].requests) == before);
    CHECK(l2w_rpc_last_endpoint(rpc) == 2);
    l2w_rpc_pin(rpc, 5);
    CHECK(whoami(rpc, &st, &err) == -1 && st == L2W_ERR_INVALID);
    l2w_rpc_unpin(rpc);
    /* Unpinned, calls go back to the endpoint in use. */
    CHECK(whoami(rpc, &st, &err) == 1);
    /* 0 and 2 rest: nothing else to pick. */
    CHECK(!l2w_rpc_pick_other(rpc, 1, &other));

    /* Every endpoint failing: each tried once, then the error. */
    for (int i = 0; i < N_FAKES; i++)
        atomic_store(&w.fake[i].mode, FAKE_HTTP_500);
    CHECK(whoami(rpc, &st, &err) == -1 && st == L2W_ERR_IO);
    CHECK(strstr(err.msg, "HTTP status 500") != NULL);
    /* All in backoff now, yet a call is still tried on the least bad one. */
    int total = 0;
    for (int i = 0; i < N_FAKES; i++)
        total += atomic_load(&w.fake[i].requests);
    CHECK(whoami(rpc, &st, &err) == -1 && st == L2W_ERR_IO);
    int after = 0;
    for (int i = 0; i < N_FAKES; i++)
        after += atomic_load(&w.fake[i].requests);
    CHECK(after == total + 1);

    /* No message ever carries the key in the URL's path. */
    CHECK(strstr(err.msg, "SECRETKEY") == NULL);
    CHECK(strstr(l2w_rpc_current_url(rpc), "SECRETKEY") == NULL);
    CHECK(strstr(l2w_rpc_current_url(rpc), "http://127.0.0.1:") == l2w_rpc_current_url(rpc));
    fake_world_stop(&w);
}

static void test_client_skips_another_chain_and_a_lagging_head(void)
{
    fake_world w;
    if (!fake_world_start(&w, 20)) {
        CHECK_MSG(false, "cannot start the fake endpoints");
        fake_world_stop(&w);
        return;
    }
    l2w_rpc *rpc = w.rpc;
    l2w_status st;
    l2w_err err = {{0}};
    /* Endpoint 0 serves another chain: skipped, with the reason logged. */
    atomic_store(&w.fake[0].chain_id, 5);
    CHECK(whoami(rpc, &st, &err) == 1 && st == L2W_OK);
    size_t other;
    CHECK(l2w_rpc_pick_other(rpc, 1, &other) && other == 2);
    l2w_rpc_pin(rpc, 0);
    CHECK(whoami(rpc, &st, &err) == -1 && st == L2W_ERR_CONFIG);
    CHECK(strstr(err.msg, "serves chain id 5, the config says 900") != NULL);
    l2w_rpc_unpin(rpc);

    /* An eth_chainId call is its own check, and never answers another chain's id. */
    json_t *res = NULL;
    CHECK(l2w_rpc_call(rpc, &res, "eth_chainId", NULL, &err) == L2W_OK);
    CHECK(json_is_string(res) && strcmp(json_string_value(res), "0x384") == 0);
    json_decref(res);

    /* Heads learned from eth_blockNumber answers: 2 is 50 behind 1. */
    atomic_store(&w.fake[1].head, 1000);
    atomic_store(&w.fake[2].head, 950);
    l2w_rpc_pin(rpc, 2);
    res = NULL;
    CHECK(l2w_rpc_call(rpc, &res, "eth_blockNumber", NULL, &err) == L2W_OK); /* pinned: answered as is */
    json_decref(res);
    l2w_rpc_unpin(rpc);
    res = NULL;
    CHECK(l2w_rpc_call(rpc, &res, "eth_blockNumber", NULL, &err) == L2W_OK);
    CHECK(json_is_string(res) && strcmp(json_string_value(res), "0x3e8") == 0);
    json_decref(res);
    CHECK(!l2w_rpc_pick_other(rpc, 1, &other)); /* 0: another chain, 2: lagging */

    /* With 1 failing, the lagging endpoint is the least bad: it answers. */
    atomic_store(&w.fake[1].mode, FAKE_HTTP_500);
    res = NULL;
    CHECK(l2w_rpc_call(rpc, &res, "eth_blockNumber", NULL, &err) == L2W_OK);
    CHECK(json_is_string(res) && strcmp(json_string_value(res), "0x3b6") == 0);
    json_decref(res);
    CHECK(l2w_rpc_last_endpoint(rpc) == 2);

    /* When no endpoint serves the chain, the call says so. */
    atomic_store(&w.fake[1].mode, FAKE_OK);
    for (int i = 0; i < N_FAKES; i++)
        atomic_store(&w.fake[i].chain_id, 7);
    fake_world_stop(&w);
    CHECK(fake_world_start(&w, 20));
    for (int i = 0; i < N_FAKES; i++)
        atomic_store(&w.fake[i].chain_id, 7);
    res = NULL;
    CHECK(l2w_rpc_call(w.rpc, &res, "eth_chainId", NULL, &err) == L2W_ERR_CONFIG && !res);
    CHECK(strstr(err.msg, "serves chain id 7, the config says 900") != NULL);
    CHECK(whoami(w.rpc, &st, &err) == -1 && st == L2W_ERR_CONFIG);
    /* A caller may not want the message at all. */
    CHECK(l2w_rpc_call(w.rpc, &res, "eth_chainId", NULL, NULL) == L2W_ERR_CONFIG);
    fake_world_stop(&w);
}

/* A batch of test_whoami (and test_revert when revert is set) calls. */
static l2w_status batch_of_two(l2w_rpc *rpc, l2w_rpc_batch_item *items, bool revert, l2w_err *err)
{
    memset(items, 0, 2 * sizeof *items);
    items[0].method = "test_whoami";
    items[1].method = revert ? "test_revert" : "test_whoami";
    return l2w_rpc_batch(rpc, items, 2, err);
}

static int batch_answerer(const l2w_rpc_batch_item *items)
{
    return items[0].status == L2W_OK && json_is_integer(items[0].result) ? (int)json_integer_value(items[0].result)
                                                                          : -1;
}

static void test_client_batches_move_on_endpoint_faults_only(void)
{
    fake_world w;
    if (!fake_world_start(&w, 20)) {
        CHECK_MSG(false, "cannot start the fake endpoints");
        fake_world_stop(&w);
        return;
    }
    l2w_err err = {{0}};
    l2w_rpc_batch_item items[2];
    CHECK(batch_of_two(w.rpc, items, false, &err) == L2W_OK && batch_answerer(items) == 0);
    l2w_rpc_batch_clear(items, 2);

    /* A revert inside a batch is that item's answer; the batch stays put. */
    CHECK(batch_of_two(w.rpc, items, true, &err) == L2W_OK && batch_answerer(items) == 0);
    CHECK(items[1].status == L2W_ERR_RPC && strstr(items[1].err.msg, "execution reverted"));
    CHECK(atomic_load(&w.fake[1].requests) == 0);
    l2w_rpc_batch_clear(items, 2);

    /* Items failed by the endpoint itself: the batch is asked again elsewhere. */
    atomic_store(&w.fake[0].mode, FAKE_INTERNAL_ERROR);
    CHECK(batch_of_two(w.rpc, items, false, &err) == L2W_OK && batch_answerer(items) == 1);
    CHECK(l2w_rpc_last_endpoint(w.rpc) == 1);
    l2w_rpc_batch_clear(items, 2);

    /* When every endpoint does that, the last answer is returned as it is. */
    for (int i = 0; i < N_FAKES; i++)
        atomic_store(&w.fake[i].mode, FAKE_INTERNAL_ERROR);
    CHECK(batch_of_two(w.rpc, items, false, &err) == L2W_OK);
    CHECK(items[0].status == L2W_ERR_RPC && items[1].status == L2W_ERR_RPC && !items[0].result);
    CHECK(strstr(items[0].err.msg, "internal error") != NULL);
    l2w_rpc_batch_clear(items, 2);
    fake_world_stop(&w);
}

/* ---- the snapshot (l2w_rpc_snapshot): what the API and dashboard show ---- */

static void test_states_through_checks_faults_rest_and_recovery(void)
{
    l2w_rpc_health h;
    l2w_rpc_health_init(&h, 3, 20, true);
    for (size_t k = 0; k < 3; k++)
        CHECK(l2w_rpc_health_state(&h, k, 0, T0) == L2W_RPC_EP_UNCHECKED);
    l2w_rpc_health_chain_checked(&h, 0, true, T0);
    l2w_rpc_health_chain_checked(&h, 1, true, T0);
    CHECK(l2w_rpc_health_state(&h, 0, 0, T0) == L2W_RPC_EP_IN_USE);
    CHECK(l2w_rpc_health_state(&h, 1, 0, T0) == L2W_RPC_EP_STANDBY);
    CHECK(l2w_rpc_health_state(&h, 1, 1, T0) == L2W_RPC_EP_IN_USE);
    /* A fault rests it for 1 s; then its chain is to be checked again. */
    (void)l2w_rpc_health_failure(&h, 1, L2W_RPC_FAULT_TIMEOUT, T0);
    CHECK(l2w_rpc_health_state(&h, 1, 0, T0 + 999) == L2W_RPC_EP_RESTING);
    CHECK(l2w_rpc_health_state(&h, 1, 1, T0 + 999) == L2W_RPC_EP_RESTING); /* even the one in use */
    CHECK(l2w_rpc_health_state(&h, 1, 0, T0 + 1000) == L2W_RPC_EP_UNCHECKED);
    l2w_rpc_health_chain_checked(&h, 1, true, T0 + 1000);
    l2w_rpc_health_success(&h, 1, T0 + 1000);
    CHECK(l2w_rpc_health_state(&h, 1, 0, T0 + 1000) == L2W_RPC_EP_STANDBY);
    /* Behind while its head is more than 20 blocks short, back when it catches up. */
    l2w_rpc_health_head(&h, 0, 1000, T0 + 1000);
    l2w_rpc_health_head(&h, 1, 979, T0 + 1000);
    CHECK(l2w_rpc_health_state(&h, 1, 0, T0 + 1000) == L2W_RPC_EP_BEHIND);
    l2w_rpc_health_head(&h, 1, 980, T0 + 1001);
    CHECK(l2w_rpc_health_state(&h, 1, 0, T0 + 1001) == L2W_RPC_EP_STANDBY);
    /* Another chain: wrong_chain, past its minute too, until checked again. */
    l2w_rpc_health_chain_checked(&h, 2, false, T0);
    CHECK(l2w_rpc_health_state(&h, 2, 0, T0 + 1) == L2W_RPC_EP_WRONG_CHAIN);
    CHECK(l2w_rpc_health_state(&h, 2, 0, T0 + L2W_RPC_WRONG_CHAIN_RETRY_MS + 1) == L2W_RPC_EP_WRONG_CHAIN);
    l2w_rpc_health_chain_checked(&h, 2, true, T0 + L2W_RPC_WRONG_CHAIN_RETRY_MS + 1);
    CHECK(l2w_rpc_health_state(&h, 2, 0, T0 + L2W_RPC_WRONG_CHAIN_RETRY_MS + 1) == L2W_RPC_EP_STANDBY);
    CHECK(l2w_rpc_health_state(&h, 7, 0, T0) == L2W_RPC_EP_UNCHECKED); /* past the end: no crash */
    /* The names are the database's CHECK list (sql/0018). */
    const char *names[] = {"in_use", "standby", "resting", "behind", "wrong_chain", "unchecked"};
    for (int k = 0; k < L2W_RPC_EP_STATE_COUNT; k++)
        CHECK(strcmp(l2w_rpc_endpoint_state_name((l2w_rpc_endpoint_state)k), names[k]) == 0);
}

static uint64_t wall_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static bool label_is_safe(const char *label)
{
    return !strstr(label, "SECRET") && !strstr(label, "KEY") && !strstr(label, "/") && !strstr(label, "?") &&
           !strstr(label, "pw") && !strstr(label, "@");
}

static void test_snapshot_labels_never_carry_the_key(void)
{
    const char *urls[] = {"https://user:pw@rpc.example:8545/v2/KEY?apikey=QKEY#frag",
                          "http://127.0.0.1:1/?key=KEY", "wss://node.example/KEY"};
    l2w_rpc_options opt = {.chain = "unit", .urls = urls, .n_urls = 3, .timeout_ms = 500, .expected_chain_id = 1};
    l2w_rpc *rpc = NULL;
    l2w_err err = {{0}};
    CHECK(l2w_rpc_create(&rpc, &opt, &err) == L2W_OK);
    if (!rpc)
        return;
    l2w_rpc_endpoint_snapshot snap[L2W_RPC_MAX_ENDPOINTS];
    size_t n = 0;
    l2w_rpc_snapshot(rpc, snap, 2, &n);
    CHECK(n == 2); /* capped */
    l2w_rpc_snapshot(rpc, snap, L2W_RPC_MAX_ENDPOINTS, &n);
    CHECK(n == 3);
    CHECK(strcmp(snap[0].label, "0:rpc.example") == 0);
    CHECK(strcmp(snap[1].label, "1:127.0.0.1") == 0);
    CHECK(strcmp(snap[2].label, "2:node.example") == 0);
    for (size_t i = 0; i < n; i++) {
        CHECK_MSG(label_is_safe(snap[i].label), "%s", snap[i].label);
        CHECK(snap[i].index == i && snap[i].state == L2W_RPC_EP_UNCHECKED && !snap[i].has_fault);
        CHECK(snap[i].requests == 0 && snap[i].faults == 0 && snap[i].score == 1.0 && !snap[i].head_known);
    }
    l2w_rpc_destroy(rpc);
}

static const l2w_rpc_endpoint_snapshot *snap_of(l2w_rpc *rpc, l2w_rpc_endpoint_snapshot *snap, size_t i)
{
    size_t n = 0;
    l2w_rpc_snapshot(rpc, snap, L2W_RPC_MAX_ENDPOINTS, &n);
    return i < n ? &snap[i] : NULL;
}

static void test_client_snapshot_after_a_fault_rest_and_recovery(void)
{
    fake_world w;
    if (!fake_world_start(&w, 20)) {
        CHECK_MSG(false, "cannot start the fake endpoints");
        fake_world_stop(&w);
        return;
    }
    l2w_status st;
    l2w_err err = {{0}};
    l2w_rpc_endpoint_snapshot snap[L2W_RPC_MAX_ENDPOINTS];
    CHECK(whoami(w.rpc, &st, &err) == 0);
    const l2w_rpc_endpoint_snapshot *s0 = snap_of(w.rpc, snap, 0);
    CHECK(s0 && s0->state == L2W_RPC_EP_IN_USE && s0->requests == 2 && s0->faults == 0); /* chain id, call */
    CHECK(snap[1].state == L2W_RPC_EP_UNCHECKED && snap[1].requests == 0);

    /* 0 fails: the call moves to 1, and 0 rests with its fault on record. */
    atomic_store(&w.fake[0].mode, FAKE_HTTP_500);
    uint64_t before = wall_now_ms();
    CHECK(whoami(w.rpc, &st, &err) == 1);
    uint64_t after = wall_now_ms();
    s0 = snap_of(w.rpc, snap, 0);
    CHECK(s0->state == L2W_RPC_EP_RESTING && s0->has_fault && s0->last_fault == L2W_RPC_FAULT_HTTP_STATUS);
    CHECK(s0->last_fault_at_ms >= before && s0->last_fault_at_ms <= after);
    CHECK(s0->resting_until_ms >= before + 900 && s0->resting_until_ms <= after + 1100);
    CHECK(s0->faults == 1 && s0->score < 1.0);
    CHECK(snap[1].state == L2W_RPC_EP_IN_USE && !snap[1].has_fault && snap[1].score == 1.0);
    CHECK(snap[2].state == L2W_RPC_EP_UNCHECKED);

    /* The rest ends: not trusted until its chain is checked again. */
    atomic_store(&w.fake[0].mode, FAKE_OK);
    struct timespec pause = {1, 150 * 1000 * 1000};
    nanosleep(&pause, NULL);
    s0 = snap_of(w.rpc, snap, 0);
    CHECK(s0->state == L2W_RPC_EP_UNCHECKED && s0->resting_until_ms == 0);
    /* Asked again (pinned, as the agreement check does), it is healthy on standby. */
    l2w_rpc_pin(w.rpc, 0);
    CHECK(whoami(w.rpc, &st, &err) == 0);
    l2w_rpc_unpin(w.rpc);
    s0 = snap_of(w.rpc, snap, 0);
    CHECK(s0->state == L2W_RPC_EP_STANDBY && s0->has_fault && s0->faults == 1);
    CHECK(snap[1].state == L2W_RPC_EP_IN_USE);
    /* Heads seen through eth_blockNumber answers are reported. */
    json_t *res = NULL;
    CHECK(l2w_rpc_call(w.rpc, &res, "eth_blockNumber", NULL, &err) == L2W_OK);
    json_decref(res);
    CHECK(snap_of(w.rpc, snap, 1)->head_known && snap[1].head == 1000 && snap[1].head_at_ms >= before);
    for (size_t i = 0; i < N_FAKES; i++)
        CHECK_MSG(label_is_safe(snap[i].label), "%s", snap[i].label);
    fake_world_stop(&w);
}

int main(void)
{
    RUN(test_fresh_endpoints_are_spotless_and_the_first_is_picked);
    RUN(test_score_falls_with_faults_and_recovers);
    RUN(test_backoff_doubles_to_a_cap_and_success_clears_it);
    RUN(test_failure_means_the_chain_is_checked_again);
    RUN(test_switching_away_from_a_failing_endpoint_and_stickiness);
    RUN(test_lagging_endpoint_is_avoided_while_another_is_healthy);
    RUN(test_wrong_chain_is_excluded_and_its_head_ignored);
    RUN(test_least_bad_when_nothing_is_usable);
    RUN(test_which_json_rpc_errors_are_the_endpoints_fault);
    RUN(test_fault_names_are_metric_labels);
    RUN(test_random_histories_keep_the_invariants);
    RUN(test_url_forms_never_carry_the_key);
    RUN(test_states_through_checks_faults_rest_and_recovery);
    RUN(test_snapshot_labels_never_carry_the_key);
    l2w_log_set_level(L2W_LOG_BROKEN); /* the skipped endpoints' lines are expected */
    RUN(test_client_fails_over_pins_and_picks);
    RUN(test_client_skips_another_chain_and_a_lagging_head);
    RUN(test_client_batches_move_on_endpoint_faults_only);
    RUN(test_client_snapshot_after_a_fault_rest_and_recovery);
    return l2w_test_finish();
}
