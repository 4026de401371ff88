#include "collector/rpc.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collector/rpc_health.h"
#include "collector/rpc_url.h"
#include "core/json.h"
#include "core/log.h"
#include "core/metrics.h"

#define DEFAULT_MAX_RESPONSE (32u * 1024u * 1024u)
#define MAX_BATCH 1000
/* How often the heads of the endpoints not in use are read, at most. */
#define PROBE_INTERVAL_MS 3000u
/* Not a fault: the kind of a JSON-RPC error every honest endpoint gives alike. */
#define NOT_A_FAULT L2W_RPC_FAULT_COUNT

typedef struct {
    char *url; /* may hold an API key: handed to curl, never shown */
    char shown[L2W_RPC_URL_SHOWN_MAX];
    char label[L2W_RPC_URL_LABEL_MAX];
    l2w_counter *requests;
    l2w_counter *rotations; /* calls moved away from this endpoint */
    l2w_counter *errors[L2W_RPC_FAULT_COUNT];
    l2w_counter *rejected;  /* JSON-RPC errors that are not the endpoint's fault */
    l2w_histogram *latency;
    l2w_gauge *score;
    l2w_gauge *head;
    bool lag_reported;      /* its current lagging spell was counted and logged */
} endpoint;

struct l2w_rpc {
    char *chain;
    endpoint *ep;
    size_t n;
    size_t current;    /* where unpinned calls go while it is usable */
    size_t last_ok;    /* answered the last successful call */
    size_t last_tried; /* the endpoint of the last request, for messages */
    bool pinned;
    size_t pin;
    uint64_t expected_chain_id;
    l2w_rpc_health health;
    uint64_t last_probe_ms;
    uint32_t timeout_ms;
    size_t max_response;
    CURL *curl;
    struct curl_slist *headers;
    uint64_t next_id;
};

typedef struct {
    char *data;
    size_t len;
    size_t cap;
    size_t max;
    int overflow;
} body_buf;

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_result;

static void init_curl(void)
{
    curl_init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    body_buf *b = userdata;
    size_t n = size * nmemb;
    if (n > b->max - b->len) {
        b->overflow = 1;
        return 0; /* makes curl abort with CURLE_WRITE_ERROR */
    }
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 16384;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *nd = realloc(b->data, cap);
        if (!nd)
            return 0;
        b->data = nd;
        b->cap = cap;
    }
    memcpy(b->data + b->len, ptr, n);
    b->len += n;
    b->data[b->len] = '\0';
    return n;
}

/* ------------------------------------------------------------ lifecycle */

void l2w_rpc_destroy(l2w_rpc *rpc)
{
    if (!rpc)
        return;
    if (rpc->curl)
        curl_easy_cleanup(rpc->curl);
    curl_slist_free_all(rpc->headers);
    for (size_t i = 0; rpc->ep && i < rpc->n; i++)
        free(rpc->ep[i].url);
    free(rpc->ep);
    free(rpc->chain);
    free(rpc);
}

/* Looks the endpoint's series up once; the registry keeps them for good. */
static l2w_status register_metrics(endpoint *e, const char *chain, l2w_err *err)
{
    char chain_v[96], ep_v[2 * L2W_RPC_URL_LABEL_MAX], labels[384];
    if (l2w_metrics_escape_label(chain_v, sizeof chain_v, chain) != L2W_OK ||
        l2w_metrics_escape_label(ep_v, sizeof ep_v, e->label) != L2W_OK) {
        l2w_err_set(err, "rpc %s: endpoint %s: name too long for a metric label", chain, e->label);
        return L2W_ERR_RANGE;
    }
    snprintf(labels, sizeof labels, "chain=\"%s\",endpoint=\"%s\"", chain_v, ep_v);
    e->requests = l2w_counter_get("l2watch_rpc_requests_total", "JSON-RPC HTTP requests sent", labels);
    e->rotations = l2w_counter_get("l2watch_rpc_rotations_total",
                                   "Times calls moved away from this endpoint to another", labels);
    static const double buckets[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    e->latency = l2w_histogram_get("l2watch_rpc_request_duration_seconds", "JSON-RPC request latency", labels,
                                   buckets, sizeof buckets / sizeof buckets[0]);
    e->score = l2w_gauge_get("l2watch_rpc_endpoint_score",
                             "Endpoint health at its last request: 1 is spotless, toward 0 failing", labels);
    e->head = l2w_gauge_get("l2watch_rpc_endpoint_head_block", "Latest head block the endpoint reported", labels);
    l2w_gauge_set(e->score, 1.0);
    for (int k = 0; k <= L2W_RPC_FAULT_COUNT; k++) {
        char kinded[448];
        const char *kind = k == NOT_A_FAULT ? "rpc_rejected" : l2w_rpc_fault_name((l2w_rpc_fault)k);
        snprintf(kinded, sizeof kinded, "%s,kind=\"%s\"", labels, kind);
        l2w_counter *c = l2w_counter_get("l2watch_rpc_errors_total", "JSON-RPC failures by endpoint and kind", kinded);
        if (k == NOT_A_FAULT)
            e->rejected = c;
        else
            e->errors[k] = c;
    }
    return L2W_OK;
}

l2w_status l2w_rpc_create(l2w_rpc **out, const l2w_rpc_options *opt, l2w_err *err)
{
    *out = NULL;
    pthread_once(&curl_once, init_curl);
    if (curl_init_result != CURLE_OK) {
        l2w_err_set(err, "libcurl initialisation failed: %s", curl_easy_strerror(curl_init_result));
        return L2W_ERR_IO;
    }
    if (opt->n_urls == 0 || opt->n_urls > L2W_RPC_MAX_ENDPOINTS) {
        l2w_err_set(err, "rpc %s: %zu URLs configured, 1..%d supported", opt->chain, opt->n_urls,
                    L2W_RPC_MAX_ENDPOINTS);
        return L2W_ERR_CONFIG;
    }
    l2w_status st = L2W_ERR_NOMEM;
    l2w_rpc *rpc = calloc(1, sizeof *rpc);
    if (!rpc)
        goto fail;
    rpc->chain = strdup(opt->chain);
    rpc->ep = calloc(opt->n_urls, sizeof *rpc->ep);
    if (!rpc->chain || !rpc->ep)
        goto fail;
    rpc->n = opt->n_urls;
    for (size_t i = 0; i < rpc->n; i++) {
        endpoint *e = &rpc->ep[i];
        if (!(e->url = strdup(opt->urls[i])))
            goto fail;
        l2w_rpc_url_shown(e->shown, sizeof e->shown, e->url);
        l2w_rpc_url_label(e->label, sizeof e->label, i, e->url);
        if ((st = register_metrics(e, opt->chain, err)) != L2W_OK)
            goto fail;
    }
    st = L2W_ERR_NOMEM;
    rpc->timeout_ms = opt->timeout_ms ? opt->timeout_ms : 10000;
    rpc->max_response = opt->max_response_bytes ? opt->max_response_bytes : DEFAULT_MAX_RESPONSE;
    rpc->expected_chain_id = opt->expected_chain_id;
    l2w_rpc_health_init(&rpc->health, rpc->n, opt->max_head_lag_blocks, opt->expected_chain_id != 0);
    /* The first probe waits one interval: a client made for one question
     * (the start-up chain check) should not ask every endpoint first. */
    rpc->last_probe_ms = now_ms();
    rpc->curl = curl_easy_init();
    rpc->headers = curl_slist_append(NULL, "Content-Type: application/json");
    if (!rpc->curl || !rpc->headers)
        goto fail;
    rpc->next_id = 1;
    *out = rpc;
    return L2W_OK;
fail:
    l2w_rpc_destroy(rpc);
    if (st == L2W_ERR_NOMEM)
        l2w_err_set(err, "rpc %s: out of memory", opt->chain);
    return st;
}

/* ------------------------------------------------------------ health bookkeeping */

static bool several(const l2w_rpc *rpc)
{
    return rpc->n > 1;
}

static void show_score(l2w_rpc *rpc, size_t i, uint64_t now)
{
    l2w_gauge_set(rpc->ep[i].score, l2w_rpc_health_score(&rpc->health, i, now));
}

/* Holds a failure against endpoint i. Logged when it starts failing (the
 * caller reports the error itself when there is only one endpoint). */
static void blame(l2w_rpc *rpc, size_t i, l2w_rpc_fault fault, const l2w_err *err)
{
    endpoint *e = &rpc->ep[i];
    uint64_t now = now_ms();
    bool was_failing = rpc->health.ep[i].failures_in_row > 0;
    l2w_counter_add(e->errors[fault], 1);
    uint64_t rest = l2w_rpc_health_failure(&rpc->health, i, fault, now);
    show_score(rpc, i, now);
    if (!several(rpc))
        return;
    const char *why = err->msg;
    if (was_failing)
        L2W_DEBUG("rpc", rpc->chain, "endpoint %s: %s; resting %llu ms", e->label, why, (unsigned long long)rest);
    else
        L2W_UNUSUAL("rpc", rpc->chain, "endpoint %s: %s; avoiding it for %llu ms", e->label, why,
                    (unsigned long long)rest);
}

static void credit(l2w_rpc *rpc, size_t i)
{
    uint64_t now = now_ms();
    bool was_failing = rpc->health.ep[i].failures_in_row > 0;
    l2w_rpc_health_success(&rpc->health, i, now);
    show_score(rpc, i, now);
    if (was_failing && several(rpc))
        L2W_INFO("rpc", rpc->chain, "endpoint %s answers again", rpc->ep[i].label);
}

/* Counts and logs each endpoint's lagging spells once, as heads move. */
static void review_lag(l2w_rpc *rpc, uint64_t now)
{
    uint64_t best = 0;
    bool have_best = l2w_rpc_health_best_head(&rpc->health, now, &best);
    for (size_t i = 0; i < rpc->n; i++) {
        endpoint *e = &rpc->ep[i];
        bool lagging = l2w_rpc_health_lagging(&rpc->health, i, now);
        if (lagging && !e->lag_reported) {
            e->lag_reported = true;
            l2w_counter_add(e->errors[L2W_RPC_FAULT_HEAD_LAG], 1);
            (void)l2w_rpc_health_failure(&rpc->health, i, L2W_RPC_FAULT_HEAD_LAG, now);
            show_score(rpc, i, now);
            L2W_UNUSUAL("rpc", rpc->chain, "endpoint %s lags: head %llu, best %llu, more than %llu behind; avoiding it",
                        e->label, (unsigned long long)rpc->health.ep[i].head,
                        (unsigned long long)(have_best ? best : 0), (unsigned long long)rpc->health.max_head_lag);
        } else if (!lagging && e->lag_reported) {
            e->lag_reported = false;
            L2W_INFO("rpc", rpc->chain, "endpoint %s caught up", e->label);
        }
    }
}

static void note_head(l2w_rpc *rpc, size_t i, uint64_t head)
{
    if (rpc->health.max_head_lag == 0)
        return;
    uint64_t now = now_ms();
    l2w_rpc_health_head(&rpc->health, i, head, now);
    l2w_gauge_set(rpc->ep[i].head, (double)head);
    review_lag(rpc, now);
}

/* Endpoint i just answered a call: it is the one in use from now on. */
static void settle_on(l2w_rpc *rpc, size_t i)
{
    rpc->last_ok = i;
    if (rpc->pinned || i == rpc->current)
        return;
    l2w_counter_add(rpc->ep[rpc->current].rotations, 1);
    L2W_UNUSUAL("rpc", rpc->chain, "switched from endpoint %s to %s", rpc->ep[rpc->current].label, rpc->ep[i].label);
    rpc->current = i;
}

/* ------------------------------------------------------------ one exchange */

/* POSTs body to endpoint i; on success *answer holds the parsed JSON. On
 * failure *fault says how the endpoint failed. */
static l2w_status exchange(l2w_rpc *rpc, size_t i, const char *body, const char *what, json_t **answer,
                           l2w_rpc_fault *fault, l2w_err *err)
{
    endpoint *e = &rpc->ep[i];
    rpc->last_tried = i;
    body_buf buf = {.max = rpc->max_response};
    CURL *c = rpc->curl;
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, e->url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)rpc->timeout_ms);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)(rpc->timeout_ms < 5000 ? rpc->timeout_ms : 5000));
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, rpc->headers);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "l2watch/" L2W_VERSION);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &buf);
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");

    l2w_counter_add(e->requests, 1);
    double start = now_seconds();
    CURLcode rc = curl_easy_perform(c);
    l2w_histogram_observe(e->latency, now_seconds() - start);
    l2w_status st = L2W_OK;
    long code = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);

    if (buf.overflow) {
        *fault = L2W_RPC_FAULT_OVERSIZE;
        l2w_err_set(err, "rpc %s %s: %s: response larger than %zu bytes", rpc->chain, e->shown, what,
                    rpc->max_response);
        st = L2W_ERR_PROTOCOL;
    } else if (rc == CURLE_OPERATION_TIMEDOUT) {
        *fault = L2W_RPC_FAULT_TIMEOUT;
        l2w_err_set(err, "rpc %s %s: %s: timed out after %u ms", rpc->chain, e->shown, what, rpc->timeout_ms);
        st = L2W_ERR_TIMEOUT;
    } else if (rc != CURLE_OK) {
        *fault = L2W_RPC_FAULT_TRANSPORT;
        l2w_err_set(err, "rpc %s %s: %s: %s", rpc->chain, e->shown, what, curl_easy_strerror(rc));
        st = L2W_ERR_IO;
    } else if (code < 200 || code > 299) {
        *fault = code == 429 ? L2W_RPC_FAULT_RATE_LIMITED : L2W_RPC_FAULT_HTTP_STATUS;
        l2w_err_set(err, "rpc %s %s: %s: HTTP status %ld", rpc->chain, e->shown, what, code);
        st = L2W_ERR_IO;
    } else if ((st = l2w_json_parse(answer, buf.data ? buf.data : "", buf.len, err)) != L2W_OK) {
        *fault = L2W_RPC_FAULT_MALFORMED;
        l2w_err_prefix(err, "rpc %s %s: %s: answer is not JSON", rpc->chain, e->shown, what);
    }
    free(buf.data);
    return st;
}

/* Checks one response object and takes its result. On failure *fault says
 * whether the endpoint is to blame (NOT_A_FAULT when it is not). */
static l2w_status take_response(l2w_rpc *rpc, size_t i, json_t *resp, const char *method, json_t **result,
                                l2w_rpc_fault *fault, l2w_err *err)
{
    *result = NULL;
    *fault = L2W_RPC_FAULT_MALFORMED;
    const char *shown = rpc->ep[i].shown;
    if (!json_is_object(resp)) {
        l2w_err_set(err, "rpc %s %s: %s: answer is not a JSON-RPC object", rpc->chain, shown, method);
        return L2W_ERR_PROTOCOL;
    }
    json_t *version = json_object_get(resp, "jsonrpc");
    if (!json_is_string(version) || strcmp(json_string_value(version), "2.0") != 0) {
        l2w_err_set(err, "rpc %s %s: %s: answer lacks \"jsonrpc\": \"2.0\"", rpc->chain, shown, method);
        return L2W_ERR_PROTOCOL;
    }
    json_t *error = json_object_get(resp, "error");
    json_t *res = json_object_get(resp, "result");
    if (error && !json_is_null(error)) {
        json_t *msg = json_object_get(error, "message");
        json_t *code = json_object_get(error, "code");
        long long code_v = json_is_integer(code) ? (long long)json_integer_value(code) : 0LL;
        const char *msg_v = json_is_string(msg) ? json_string_value(msg) : NULL;
        l2w_err_set(err, "rpc %s %s: %s: error %lld: %.200s", rpc->chain, shown, method, code_v,
                    msg_v ? msg_v : "(no message)");
        if (!l2w_rpc_error_is_endpoint_fault(code_v, msg_v, fault))
            *fault = NOT_A_FAULT;
        return L2W_ERR_RPC;
    }
    if (!res) {
        l2w_err_set(err, "rpc %s %s: %s: answer has neither result nor error", rpc->chain, shown, method);
        return L2W_ERR_PROTOCOL;
    }
    *fault = NOT_A_FAULT;
    *result = json_incref(res);
    return L2W_OK;
}

static json_t *make_request(uint64_t id, const char *method, json_t *params)
{
    return json_pack("{s:s, s:I, s:s, s:o}", "jsonrpc", "2.0", "id", (json_int_t)id, "method", method, "params",
                     params ? params : json_array());
}

static bool id_matches(const json_t *resp, uint64_t id)
{
    const json_t *v = json_is_object(resp) ? json_object_get(resp, "id") : NULL;
    return json_is_integer(v) && (uint64_t)json_integer_value(v) == id;
}

/* One call on endpoint i, no judgement of the result yet. *blamed tells
 * whether a failure was the endpoint's (and was held against it). */
static l2w_status call_on(l2w_rpc *rpc, size_t i, const char *body, uint64_t id, const char *method, json_t **result,
                          bool *blamed, l2w_err *err)
{
    *result = NULL;
    *blamed = false;
    json_t *answer = NULL;
    l2w_rpc_fault fault = NOT_A_FAULT;
    l2w_status st = exchange(rpc, i, body, method, &answer, &fault, err);
    if (st == L2W_OK) {
        if (json_is_object(answer) && !id_matches(answer, id) && json_object_get(answer, "error") == NULL) {
            fault = L2W_RPC_FAULT_MALFORMED;
            l2w_err_set(err, "rpc %s %s: %s: answer id does not match the request", rpc->chain, rpc->ep[i].shown,
                        method);
            st = L2W_ERR_PROTOCOL;
        } else {
            st = take_response(rpc, i, answer, method, result, &fault, err);
        }
        json_decref(answer);
    }
    if (st == L2W_OK)
        return st;
    if (fault == NOT_A_FAULT) {
        l2w_counter_add(rpc->ep[i].rejected, 1);
    } else {
        blame(rpc, i, fault, err);
        *blamed = true;
    }
    return st;
}

/* A call of our own (chain check, probe) with no parameters. */
static l2w_status ask(l2w_rpc *rpc, size_t i, const char *method, json_t **result, bool *blamed, l2w_err *err)
{
    uint64_t id = rpc->next_id++;
    json_t *req = make_request(id, method, NULL);
    char *body = req ? json_dumps(req, JSON_COMPACT) : NULL;
    json_decref(req);
    if (!body) {
        *blamed = false;
        l2w_err_set(err, "rpc %s: %s: out of memory", rpc->chain, method);
        return L2W_ERR_NOMEM;
    }
    l2w_status st = call_on(rpc, i, body, id, method, result, blamed, err);
    free(body);
    return st;
}

/* ------------------------------------------------------------ chain and head */

static l2w_status judge_chain_id(l2w_rpc *rpc, size_t i, uint64_t id, bool *blamed, l2w_err *err)
{
    if (id == rpc->expected_chain_id) {
        l2w_rpc_health_chain_checked(&rpc->health, i, true, now_ms());
        return L2W_OK;
    }
    endpoint *e = &rpc->ep[i];
    bool known = rpc->health.ep[i].chain == L2W_RPC_CHAIN_WRONG;
    l2w_err_set(err, "rpc %s %s: endpoint %s serves chain id %llu, the config says %llu", rpc->chain, e->shown,
                e->label, (unsigned long long)id, (unsigned long long)rpc->expected_chain_id);
    l2w_counter_add(e->errors[L2W_RPC_FAULT_WRONG_CHAIN], 1);
    (void)l2w_rpc_health_failure(&rpc->health, i, L2W_RPC_FAULT_WRONG_CHAIN, now_ms());
    show_score(rpc, i, now_ms());
    if (several(rpc) && !known)
        L2W_UNUSUAL("rpc", rpc->chain, "%s; skipping it", err->msg);
    *blamed = true;
    return L2W_ERR_CONFIG;
}

/* Asks endpoint i its chain id before it is trusted: when first used and
 * after every outage, since what answers after one may be another node. */
static l2w_status check_chain(l2w_rpc *rpc, size_t i, bool *blamed, l2w_err *err)
{
    json_t *res;
    l2w_status st = ask(rpc, i, "eth_chainId", &res, blamed, err);
    if (st != L2W_OK)
        return st;
    uint64_t id;
    st = l2w_json_to_quantity(&id, res, "eth_chainId", err);
    json_decref(res);
    if (st != L2W_OK) {
        l2w_err_prefix(err, "rpc %s %s", rpc->chain, rpc->ep[i].shown);
        blame(rpc, i, L2W_RPC_FAULT_MALFORMED, err);
        *blamed = true;
        return st;
    }
    return judge_chain_id(rpc, i, id, blamed, err);
}

static bool another_usable(l2w_rpc *rpc, size_t i)
{
    bool skip[L2W_RPC_MAX_ENDPOINTS] = {false};
    skip[i] = true;
    size_t other;
    return l2w_rpc_health_pick(&rpc->health, now_ms(), SIZE_MAX, skip, &other);
}

/* Learns from answers that pass through: an eth_chainId answer is a chain
 * check, an eth_blockNumber answer a head. A wrong chain fails the call; so
 * does a lagging head when another endpoint could answer (may_move). */
static l2w_status observe(l2w_rpc *rpc, size_t i, const char *method, const json_t *result, bool may_move,
                          bool *blamed, l2w_err *err)
{
    uint64_t v;
    if (rpc->expected_chain_id && strcmp(method, "eth_chainId") == 0) {
        /* An unreadable answer is left to the caller, who names it precisely. */
        if (l2w_json_to_quantity(&v, result, method, NULL) != L2W_OK)
            return L2W_OK;
        return judge_chain_id(rpc, i, v, blamed, err);
    }
    if (rpc->health.max_head_lag == 0 || strcmp(method, "eth_blockNumber") != 0 ||
        l2w_json_to_quantity(&v, result, method, NULL) != L2W_OK)
        return L2W_OK;
    note_head(rpc, i, v);
    if (!may_move || !l2w_rpc_health_lagging(&rpc->health, i, now_ms()) || !another_usable(rpc, i))
        return L2W_OK;
    l2w_err_set(err, "rpc %s %s: eth_blockNumber: head %llu is more than %llu blocks behind another endpoint's",
                rpc->chain, rpc->ep[i].shown, (unsigned long long)v, (unsigned long long)rpc->health.max_head_lag);
    *blamed = true;
    return L2W_ERR_NOT_READY;
}

/* Reads the heads of the endpoints not in use, at most every
 * PROBE_INTERVAL_MS, from within a call: there is no thread to do it, and a
 * client that makes no calls needs no heads. An endpoint back from backoff
 * is re-checked here too, so it need not fail a real call to come back. */
static void probe_heads(l2w_rpc *rpc)
{
    if (!several(rpc) || rpc->health.max_head_lag == 0)
        return;
    uint64_t now = now_ms();
    if (now - rpc->last_probe_ms < PROBE_INTERVAL_MS)
        return;
    rpc->last_probe_ms = now;
    for (size_t i = 0; i < rpc->n; i++) {
        const l2w_rpc_endpoint_health *h = &rpc->health.ep[i];
        if (l2w_rpc_health_in_backoff(&rpc->health, i, now))
            continue;
        if (i == rpc->current && h->head_known && now - h->head_at_ms < PROBE_INTERVAL_MS)
            continue; /* its own answers keep its head fresh */
        l2w_err err = {{0}};
        bool blamed;
        if (l2w_rpc_health_needs_chain_check(&rpc->health, i) && rpc->expected_chain_id &&
            check_chain(rpc, i, &blamed, &err) != L2W_OK)
            continue;
        json_t *res;
        if (ask(rpc, i, "eth_blockNumber", &res, &blamed, &err) != L2W_OK)
            continue;
        uint64_t head;
        if (l2w_json_to_quantity(&head, res, "eth_blockNumber", &err) != L2W_OK) {
            l2w_err_prefix(&err, "rpc %s %s: probe", rpc->chain, rpc->ep[i].shown);
            blame(rpc, i, L2W_RPC_FAULT_MALFORMED, &err);
        } else {
            note_head(rpc, i, head);
            credit(rpc, i);
        }
        json_decref(res);
    }
}

/* ------------------------------------------------------------ calls */

static bool pinned_out_of_range(const l2w_rpc *rpc, l2w_err *err)
{
    if (!rpc->pinned || rpc->pin < rpc->n)
        return false;
    l2w_err_set(err, "rpc %s: pinned to endpoint %zu of %zu", rpc->chain, rpc->pin, rpc->n);
    return true;
}

/* The endpoints one call has tried. */
typedef struct {
    bool tried[L2W_RPC_MAX_ENDPOINTS];
    size_t n_tried;
    bool fell_back;
} route;

/* Chooses the next endpoint of a call: the pinned one, once; else the usable
 * one to prefer; else, once per call, the least bad of the rest, so that a
 * call is tried somewhere even when every endpoint looks bad. */
static bool next_endpoint(l2w_rpc *rpc, route *r, size_t *i)
{
    if (rpc->pinned) {
        *i = rpc->pin;
        if (r->n_tried > 0)
            return false;
    } else {
        uint64_t now = now_ms();
        if (!l2w_rpc_health_pick(&rpc->health, now, rpc->current, r->tried, i)) {
            if (r->fell_back || !l2w_rpc_health_least_bad(&rpc->health, now, r->tried, i))
                return false;
            r->fell_back = true;
        }
    }
    r->tried[*i] = true;
    r->n_tried++;
    return true;
}

static l2w_status prepare_endpoint(l2w_rpc *rpc, size_t i, const char *method, bool *blamed, l2w_err *err)
{
    *blamed = false;
    if (!rpc->expected_chain_id || !l2w_rpc_health_needs_chain_check(&rpc->health, i) ||
        (method && strcmp(method, "eth_chainId") == 0))
        return L2W_OK; /* an eth_chainId call is its own check (observe) */
    return check_chain(rpc, i, blamed, err);
}

static l2w_status attempt_call(l2w_rpc *rpc, size_t i, const char *body, uint64_t id, const char *method,
                               json_t **result, bool *blamed, l2w_err *err)
{
    l2w_status st = prepare_endpoint(rpc, i, method, blamed, err);
    if (st == L2W_OK)
        st = call_on(rpc, i, body, id, method, result, blamed, err);
    if (st == L2W_OK && (st = observe(rpc, i, method, *result, !rpc->pinned, blamed, err)) != L2W_OK) {
        json_decref(*result);
        *result = NULL;
    }
    if (st == L2W_OK)
        credit(rpc, i);
    return st;
}

l2w_status l2w_rpc_call(l2w_rpc *rpc, json_t **result, const char *method, json_t *params, l2w_err *err)
{
    l2w_err scratch; /* the endpoints' faults are logged from err: it must exist */
    if (!err)
        err = &scratch;
    *result = NULL;
    uint64_t id = rpc->next_id++;
    json_t *req = make_request(id, method, params);
    char *body = req ? json_dumps(req, JSON_COMPACT) : NULL;
    json_decref(req);
    if (!body) {
        l2w_err_set(err, "rpc %s: %s: out of memory", rpc->chain, method);
        return L2W_ERR_NOMEM;
    }
    if (pinned_out_of_range(rpc, err)) {
        free(body);
        return L2W_ERR_INVALID;
    }
    if (!rpc->pinned)
        probe_heads(rpc);
    route r = {{false}, 0, false};
    size_t i;
    l2w_status st = L2W_ERR_IO;
    while (next_endpoint(rpc, &r, &i)) {
        bool blamed;
        st = attempt_call(rpc, i, body, id, method, result, &blamed, err);
        if (st == L2W_OK)
            settle_on(rpc, i);
        if (st == L2W_OK || !blamed)
            break;
    }
    free(body);
    return st;
}

void l2w_rpc_batch_clear(l2w_rpc_batch_item *items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        json_decref(items[i].result);
        items[i].result = NULL;
    }
}

/* Matches the answers to the items. *fault is the first fault of the
 * endpoint found in the answer (NOT_A_FAULT if none), with its message in
 * err: a malformed answer, or an item error that is the endpoint's own. */
static l2w_status match_batch(l2w_rpc *rpc, size_t ep, json_t *answer, l2w_rpc_batch_item *items, size_t n,
                              uint64_t first_id, l2w_rpc_fault *fault, l2w_err *err)
{
    const char *shown = rpc->ep[ep].shown;
    *fault = L2W_RPC_FAULT_MALFORMED;
    if (!json_is_array(answer) || json_array_size(answer) != n) {
        l2w_err_set(err, "rpc %s %s: batch of %zu: answer is not an array of %zu responses", rpc->chain, shown, n, n);
        return L2W_ERR_PROTOCOL;
    }
    bool *seen = calloc(n, sizeof *seen);
    if (!seen) {
        *fault = NOT_A_FAULT;
        l2w_err_set(err, "rpc %s: batch: out of memory", rpc->chain);
        return L2W_ERR_NOMEM;
    }
    l2w_status st = L2W_OK;
    *fault = NOT_A_FAULT;
    for (size_t i = 0; i < n; i++) {
        json_t *resp = json_array_get(answer, i);
        json_t *idv = json_is_object(resp) ? json_object_get(resp, "id") : NULL;
        uint64_t id = json_is_integer(idv) ? (uint64_t)json_integer_value(idv) : 0;
        if (id < first_id || id >= first_id + n || seen[id - first_id]) {
            l2w_err_set(err, "rpc %s %s: batch: response %zu has an unknown or repeated id", rpc->chain, shown, i);
            *fault = L2W_RPC_FAULT_MALFORMED;
            st = L2W_ERR_PROTOCOL;
            break;
        }
        size_t k = id - first_id;
        seen[k] = true;
        l2w_rpc_fault item_fault;
        items[k].status = take_response(rpc, ep, resp, items[k].method, &items[k].result, &item_fault, &items[k].err);
        if (items[k].status == L2W_OK)
            continue;
        if (item_fault == NOT_A_FAULT) {
            l2w_counter_add(rpc->ep[ep].rejected, 1);
        } else if (*fault == NOT_A_FAULT) {
            *fault = item_fault;
            *err = items[k].err;
        }
    }
    free(seen);
    if (st != L2W_OK)
        l2w_rpc_batch_clear(items, n);
    return st;
}

/* One batch on endpoint i. An answer in which the endpoint failed some items
 * (rate limit, internal error) is kept, with *blamed set: the caller tries
 * another endpoint if there is one, else returns it as it is. */
static l2w_status attempt_batch(l2w_rpc *rpc, size_t i, const char *body, const char *what, l2w_rpc_batch_item *items,
                                size_t n, uint64_t first_id, bool *blamed, l2w_err *err)
{
    l2w_status st = prepare_endpoint(rpc, i, NULL, blamed, err);
    if (st != L2W_OK)
        return st;
    for (size_t k = 0; k < n; k++) {
        items[k].result = NULL;
        items[k].status = L2W_ERR_PROTOCOL;
    }
    json_t *answer = NULL;
    l2w_rpc_fault fault = NOT_A_FAULT;
    st = exchange(rpc, i, body, what, &answer, &fault, err);
    if (st == L2W_OK) {
        st = match_batch(rpc, i, answer, items, n, first_id, &fault, err);
        json_decref(answer);
    }
    if (fault != NOT_A_FAULT) {
        blame(rpc, i, fault, err);
        *blamed = true;
    } else if (st == L2W_OK) {
        credit(rpc, i);
    }
    return st;
}

/* A batch answer in which the endpoint failed some items, kept while other
 * endpoints are asked. */
typedef struct {
    l2w_rpc_batch_item *items;
    size_t from;
} partial_answer;

/* Moves the answer in items to kept (replacing what it held), leaving items
 * empty for the next attempt. Without memory the answer is dropped. */
static void keep_partial(partial_answer *kept, l2w_rpc_batch_item *items, size_t n, size_t from)
{
    if (kept->items)
        l2w_rpc_batch_clear(kept->items, n);
    else
        kept->items = malloc(n * sizeof *items);
    if (!kept->items) {
        l2w_rpc_batch_clear(items, n);
        return;
    }
    memcpy(kept->items, items, n * sizeof *items);
    kept->from = from;
    for (size_t k = 0; k < n; k++)
        items[k].result = NULL;
}

l2w_status l2w_rpc_batch(l2w_rpc *rpc, l2w_rpc_batch_item *items, size_t n, l2w_err *err)
{
    l2w_err scratch; /* the endpoints' faults are logged from err: it must exist */
    if (!err)
        err = &scratch;
    json_t *req = json_array();
    if (n == 0 || n > MAX_BATCH) {
        for (size_t i = 0; i < n; i++)
            json_decref(items[i].params);
        json_decref(req);
        l2w_err_set(err, "rpc %s: batch size %zu outside 1..%d", rpc->chain, n, MAX_BATCH);
        return L2W_ERR_INVALID;
    }
    uint64_t first_id = rpc->next_id;
    rpc->next_id += n;
    for (size_t i = 0; i < n; i++) {
        items[i].result = NULL;
        items[i].status = L2W_ERR_PROTOCOL;
        json_t *one = make_request(first_id + i, items[i].method, items[i].params);
        items[i].params = NULL;
        if (!req || !one || json_array_append_new(req, one) != 0) {
            for (size_t j = i + 1; j < n; j++)
                json_decref(items[j].params);
            json_decref(req);
            l2w_err_set(err, "rpc %s: batch: out of memory", rpc->chain);
            return L2W_ERR_NOMEM;
        }
    }
    char *body = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    if (!body) {
        l2w_err_set(err, "rpc %s: batch: out of memory", rpc->chain);
        return L2W_ERR_NOMEM;
    }
    if (pinned_out_of_range(rpc, err)) {
        free(body);
        return L2W_ERR_INVALID;
    }
    char what[64];
    snprintf(what, sizeof what, "batch of %zu %s", n, items[0].method);
    if (!rpc->pinned)
        probe_heads(rpc);
    route r = {{false}, 0, false};
    size_t i;
    l2w_status st = L2W_ERR_IO;
    size_t answered = SIZE_MAX;
    partial_answer kept = {NULL, SIZE_MAX};
    while (next_endpoint(rpc, &r, &i)) {
        if (answered != SIZE_MAX)
            keep_partial(&kept, items, n, answered);
        bool blamed;
        st = attempt_batch(rpc, i, body, what, items, n, first_id, &blamed, err);
        answered = st == L2W_OK ? i : SIZE_MAX;
        if (!blamed)
            break;
    }
    if (answered == SIZE_MAX && kept.items) {
        /* Nobody did better than an answer with some items failed: that one. */
        memcpy(items, kept.items, n * sizeof *items);
        answered = kept.from;
        st = L2W_OK;
    } else if (kept.items) {
        l2w_rpc_batch_clear(kept.items, n);
    }
    free(kept.items);
    if (answered != SIZE_MAX)
        settle_on(rpc, answered);
    free(body);
    return st;
}

/* ------------------------------------------------------------ endpoints */

size_t l2w_rpc_endpoint_count(const l2w_rpc *rpc)
{
    return rpc->n;
}

void l2w_rpc_pin(l2w_rpc *rpc, size_t index)
{
    rpc->pinned = true;
    rpc->pin = index;
}

void l2w_rpc_unpin(l2w_rpc *rpc)
{
    rpc->pinned = false;
}

size_t l2w_rpc_last_endpoint(const l2w_rpc *rpc)
{
    return rpc->last_ok;
}

bool l2w_rpc_pick_other(l2w_rpc *rpc, size_t exclude, size_t *index)
{
    bool skip[L2W_RPC_MAX_ENDPOINTS] = {false};
    if (exclude < rpc->n)
        skip[exclude] = true;
    return l2w_rpc_health_pick(&rpc->health, now_ms(), SIZE_MAX, skip, index);
}

const char *l2w_rpc_endpoint_label(const l2w_rpc *rpc, size_t index)
{
    return index < rpc->n ? rpc->ep[index].label : "?";
}

const char *l2w_rpc_current_url(const l2w_rpc *rpc)
{
    return rpc->ep[rpc->last_tried].shown;
}
