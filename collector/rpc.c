#include "collector/rpc.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/json.h"
#include "core/log.h"
#include "core/metrics.h"

#define DEFAULT_MAX_RESPONSE (32u * 1024u * 1024u)
#define MAX_BATCH 1000

struct l2w_rpc {
    char *chain;
    char **urls;
    size_t n_urls;
    size_t current;
    uint32_t timeout_ms;
    size_t max_response;
    CURL *curl;
    struct curl_slist *headers;
    uint64_t next_id;
    l2w_counter *requests;
    l2w_histogram *latency;
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

void l2w_rpc_destroy(l2w_rpc *rpc)
{
    if (!rpc)
        return;
    if (rpc->curl)
        curl_easy_cleanup(rpc->curl);
    curl_slist_free_all(rpc->headers);
    for (size_t i = 0; i < rpc->n_urls; i++)
        free(rpc->urls[i]);
    free(rpc->urls);
    free(rpc->chain);
    free(rpc);
}

l2w_status l2w_rpc_create(l2w_rpc **out, const l2w_rpc_options *opt, l2w_err *err)
{
    *out = NULL;
    pthread_once(&curl_once, init_curl);
    if (curl_init_result != CURLE_OK) {
        l2w_err_set(err, "libcurl initialisation failed: %s", curl_easy_strerror(curl_init_result));
        return L2W_ERR_IO;
    }
    if (opt->n_urls == 0) {
        l2w_err_set(err, "rpc %s: no URL configured", opt->chain);
        return L2W_ERR_CONFIG;
    }
    l2w_rpc *rpc = calloc(1, sizeof *rpc);
    if (!rpc)
        goto oom;
    rpc->chain = strdup(opt->chain);
    rpc->urls = calloc(opt->n_urls, sizeof *rpc->urls);
    if (!rpc->chain || !rpc->urls)
        goto oom;
    for (size_t i = 0; i < opt->n_urls; i++) {
        if (!(rpc->urls[i] = strdup(opt->urls[i])))
            goto oom;
        rpc->n_urls = i + 1;
    }
    rpc->timeout_ms = opt->timeout_ms ? opt->timeout_ms : 10000;
    rpc->max_response = opt->max_response_bytes ? opt->max_response_bytes : DEFAULT_MAX_RESPONSE;
    rpc->curl = curl_easy_init();
    rpc->headers = curl_slist_append(NULL, "Content-Type: application/json");
    if (!rpc->curl || !rpc->headers)
        goto oom;
    rpc->next_id = 1;

    char labels[96];
    snprintf(labels, sizeof labels, "chain=\"%s\"", opt->chain);
    rpc->requests = l2w_counter_get("l2watch_rpc_requests_total", "JSON-RPC HTTP requests sent", labels);
    static const double buckets[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    rpc->latency = l2w_histogram_get("l2watch_rpc_request_duration_seconds", "JSON-RPC request latency", labels,
                                     buckets, sizeof buckets / sizeof buckets[0]);
    *out = rpc;
    return L2W_OK;
oom:
    l2w_rpc_destroy(rpc);
    l2w_err_set(err, "rpc %s: out of memory", opt->chain);
    return L2W_ERR_NOMEM;
}

const char *l2w_rpc_current_url(const l2w_rpc *rpc)
{
    return rpc->urls[rpc->current];
}

static void count_error(const l2w_rpc *rpc, const char *kind)
{
    char labels[128];
    snprintf(labels, sizeof labels, "chain=\"%s\",kind=\"%s\"", rpc->chain, kind);
    l2w_counter_add(l2w_counter_get("l2watch_rpc_errors_total", "JSON-RPC failures by kind", labels), 1);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* POSTs body to the current URL; on success *answer holds the parsed JSON. */
static l2w_status post_once(l2w_rpc *rpc, const char *body, const char *what, json_t **answer, l2w_err *err)
{
    const char *url = rpc->urls[rpc->current];
    body_buf buf = {.max = rpc->max_response};
    CURL *c = rpc->curl;
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
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

    l2w_counter_add(rpc->requests, 1);
    double start = now_seconds();
    CURLcode rc = curl_easy_perform(c);
    l2w_histogram_observe(rpc->latency, now_seconds() - start);
    l2w_status st = L2W_OK;
    long code = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);

    if (buf.overflow) {
        count_error(rpc, "oversize");
        l2w_err_set(err, "rpc %s %s: %s: response larger than %zu bytes", rpc->chain, url, what, rpc->max_response);
        st = L2W_ERR_PROTOCOL;
    } else if (rc == CURLE_OPERATION_TIMEDOUT) {
        count_error(rpc, "timeout");
        l2w_err_set(err, "rpc %s %s: %s: timed out after %u ms", rpc->chain, url, what, rpc->timeout_ms);
        st = L2W_ERR_TIMEOUT;
    } else if (rc != CURLE_OK) {
        count_error(rpc, "transport");
        l2w_err_set(err, "rpc %s %s: %s: %s", rpc->chain, url, what, curl_easy_strerror(rc));
        st = L2W_ERR_IO;
    } else if (code < 200 || code > 299) {
        count_error(rpc, code == 429 ? "rate_limited" : "http_status");
        l2w_err_set(err, "rpc %s %s: %s: HTTP status %ld", rpc->chain, url, what, code);
        st = L2W_ERR_IO;
    } else if ((st = l2w_json_parse(answer, buf.data ? buf.data : "", buf.len, err)) != L2W_OK) {
        count_error(rpc, "malformed");
        l2w_err_prefix(err, "rpc %s %s: %s: answer is not JSON", rpc->chain, url, what);
    }
    free(buf.data);
    return st;
}

/* Transport-level failures move to the next URL; JSON-RPC errors do not, since
 * another endpoint of the same chain would give the same answer. */
static l2w_status post(l2w_rpc *rpc, const char *body, const char *what, json_t **answer, l2w_err *err)
{
    l2w_status st = L2W_ERR_IO;
    for (size_t attempt = 0; attempt < rpc->n_urls; attempt++) {
        st = post_once(rpc, body, what, answer, err);
        if (st == L2W_OK)
            return st;
        if (rpc->n_urls > 1) {
            L2W_UNUSUAL("rpc", rpc->chain, "%s; trying the next endpoint", err ? err->msg : "request failed");
            rpc->current = (rpc->current + 1) % rpc->n_urls;
        }
    }
    return st;
}

/* Checks one response object against the request id; takes its result. */
static l2w_status take_response(l2w_rpc *rpc, json_t *resp, const char *method, json_t **result, l2w_err *err)
{
    *result = NULL;
    const char *url = rpc->urls[rpc->current];
    if (!json_is_object(resp)) {
        l2w_err_set(err, "rpc %s %s: %s: answer is not a JSON-RPC object", rpc->chain, url, method);
        return L2W_ERR_PROTOCOL;
    }
    json_t *version = json_object_get(resp, "jsonrpc");
    if (!json_is_string(version) || strcmp(json_string_value(version), "2.0") != 0) {
        l2w_err_set(err, "rpc %s %s: %s: answer lacks \"jsonrpc\": \"2.0\"", rpc->chain, url, method);
        return L2W_ERR_PROTOCOL;
    }
    json_t *error = json_object_get(resp, "error");
    json_t *res = json_object_get(resp, "result");
    if (error && !json_is_null(error)) {
        json_t *msg = json_object_get(error, "message");
        json_t *code = json_object_get(error, "code");
        l2w_err_set(err, "rpc %s %s: %s: error %lld: %.200s", rpc->chain, url, method,
                    json_is_integer(code) ? (long long)json_integer_value(code) : 0LL,
                    json_is_string(msg) ? json_string_value(msg) : "(no message)");
        return L2W_ERR_RPC;
    }
    if (!res) {
        l2w_err_set(err, "rpc %s %s: %s: answer has neither result nor error", rpc->chain, url, method);
        return L2W_ERR_PROTOCOL;
    }
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

l2w_status l2w_rpc_call(l2w_rpc *rpc, json_t **result, const char *method, json_t *params, l2w_err *err)
{
    *result = NULL;
    uint64_t id = rpc->next_id++;
    json_t *req = make_request(id, method, params);
    char *body = req ? json_dumps(req, JSON_COMPACT) : NULL;
    json_decref(req);
    if (!body) {
        l2w_err_set(err, "rpc %s: %s: out of memory", rpc->chain, method);
        return L2W_ERR_NOMEM;
    }
    json_t *answer = NULL;
    l2w_status st = post(rpc, body, method, &answer, err);
    free(body);
    if (st != L2W_OK)
        return st;
    if (json_is_object(answer) && !id_matches(answer, id) && json_object_get(answer, "error") == NULL) {
        count_error(rpc, "malformed");
        l2w_err_set(err, "rpc %s %s: %s: answer id does not match the request", rpc->chain, l2w_rpc_current_url(rpc),
                    method);
        st = L2W_ERR_PROTOCOL;
    } else {
        st = take_response(rpc, answer, method, result, err);
        if (st == L2W_ERR_PROTOCOL)
            count_error(rpc, "malformed");
        else if (st == L2W_ERR_RPC)
            count_error(rpc, "rpc_error");
    }
    json_decref(answer);
    return st;
}

void l2w_rpc_batch_clear(l2w_rpc_batch_item *items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        json_decref(items[i].result);
        items[i].result = NULL;
    }
}

static l2w_status match_batch(l2w_rpc *rpc, json_t *answer, l2w_rpc_batch_item *items, size_t n, uint64_t first_id,
                              l2w_err *err)
{
    const char *url = l2w_rpc_current_url(rpc);
    if (!json_is_array(answer) || json_array_size(answer) != n) {
        l2w_err_set(err, "rpc %s %s: batch of %zu: answer is not an array of %zu responses", rpc->chain, url, n, n);
        return L2W_ERR_PROTOCOL;
    }
    bool *seen = calloc(n, sizeof *seen);
    if (!seen)
        return L2W_ERR_NOMEM;
    l2w_status st = L2W_OK;
    for (size_t i = 0; i < n && st == L2W_OK; i++) {
        json_t *resp = json_array_get(answer, i);
        json_t *idv = json_is_object(resp) ? json_object_get(resp, "id") : NULL;
        uint64_t id = json_is_integer(idv) ? (uint64_t)json_integer_value(idv) : 0;
        if (id < first_id || id >= first_id + n || seen[id - first_id]) {
            l2w_err_set(err, "rpc %s %s: batch: response %zu has an unknown or repeated id", rpc->chain, url, i);
            st = L2W_ERR_PROTOCOL;
            break;
        }
        size_t k = id - first_id;
        seen[k] = true;
        items[k].status = take_response(rpc, resp, items[k].method, &items[k].result, &items[k].err);
    }
    free(seen);
    if (st != L2W_OK)
        l2w_rpc_batch_clear(items, n);
    return st;
}

l2w_status l2w_rpc_batch(l2w_rpc *rpc, l2w_rpc_batch_item *items, size_t n, l2w_err *err)
{
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
    char what[64];
    snprintf(what, sizeof what, "batch of %zu %s", n, items[0].method);
    json_t *answer = NULL;
    l2w_status st = post(rpc, body, what, &answer, err);
    free(body);
    if (st != L2W_OK)
        return st;
    st = match_batch(rpc, answer, items, n, first_id, err);
    if (st == L2W_ERR_PROTOCOL)
        count_error(rpc, "malformed");
    json_decref(answer);
    return st;
}
