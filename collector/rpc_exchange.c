#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collector/rpc_internal.h"
#include "core/json.h"
#include "core/log.h"

typedef struct {
    char *data;
    size_t len;
    size_t cap;
    size_t max;
    int overflow;
} body_buf;

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

/* ------------------------------------------------------------ one exchange */

/* POSTs body to endpoint i; on success *text holds the answer's body. On
 * failure *fault says how the endpoint failed. */
l2w_status l2w_rpc_exchange_text(l2w_rpc *rpc, size_t i, const char *body, const char *what, char **text,
                                 size_t *len, l2w_rpc_fault *fault, l2w_err *err)
{
    *text = NULL;
    *len = 0;
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
    e->n_requests++;
    double start = l2w_rpc_now_seconds();
    CURLcode rc = curl_easy_perform(c);
    l2w_histogram_observe(e->latency, l2w_rpc_now_seconds() - start);
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
    } else if (!buf.data && !(buf.data = calloc(1, 1))) {
        *fault = L2W_RPC_FAULT_TRANSPORT;
        l2w_err_set(err, "rpc %s %s: %s: out of memory", rpc->chain, e->shown, what);
        st = L2W_ERR_NOMEM;
    }
    if (st == L2W_OK) {
        *text = buf.data;
        *len = buf.len;
    } else {
        free(buf.data);
    }
    return st;
}

l2w_status l2w_rpc_exchange(l2w_rpc *rpc, size_t i, const char *body, const char *what, json_t **answer,
                           l2w_rpc_fault *fault, l2w_err *err)
{
    char *text;
    size_t len;
    l2w_status st = l2w_rpc_exchange_text(rpc, i, body, what, &text, &len, fault, err);
    if (st != L2W_OK)
        return st;
    if ((st = l2w_json_parse(answer, text, len, err)) != L2W_OK) {
        *fault = L2W_RPC_FAULT_MALFORMED;
        l2w_err_prefix(err, "rpc %s %s: %s: answer is not JSON", rpc->chain, rpc->ep[i].shown, what);
    }
    free(text);
    return st;
}

/* Checks one response object and takes its result. On failure *fault says
 * whether the endpoint is to blame (NOT_A_FAULT when it is not). */
l2w_status l2w_rpc_take_response(l2w_rpc *rpc, size_t i, json_t *resp, const char *method, json_t **result,
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

json_t *l2w_rpc_make_request(uint64_t id, const char *method, json_t *params)
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
l2w_status l2w_rpc_call_on(l2w_rpc *rpc, size_t i, const char *body, uint64_t id, const char *method, json_t **result,
                          bool *blamed, l2w_err *err)
{
    *result = NULL;
    *blamed = false;
    json_t *answer = NULL;
    l2w_rpc_fault fault = NOT_A_FAULT;
    l2w_status st = l2w_rpc_exchange(rpc, i, body, method, &answer, &fault, err);
    if (st == L2W_OK) {
        if (json_is_object(answer) && !id_matches(answer, id) && json_object_get(answer, "error") == NULL) {
            fault = L2W_RPC_FAULT_MALFORMED;
            l2w_err_set(err, "rpc %s %s: %s: answer id does not match the request", rpc->chain, rpc->ep[i].shown,
                        method);
            st = L2W_ERR_PROTOCOL;
        } else {
            st = l2w_rpc_take_response(rpc, i, answer, method, result, &fault, err);
        }
        json_decref(answer);
    }
    if (st == L2W_OK)
        return st;
    if (fault == NOT_A_FAULT) {
        l2w_counter_add(rpc->ep[i].rejected, 1);
    } else {
        l2w_rpc_blame(rpc, i, fault, err);
        *blamed = true;
    }
    return st;
}

/* A call of our own (chain check, probe) with no parameters. */
l2w_status l2w_rpc_ask(l2w_rpc *rpc, size_t i, const char *method, json_t **result, bool *blamed, l2w_err *err)
{
    uint64_t id = rpc->next_id++;
    json_t *req = l2w_rpc_make_request(id, method, NULL);
    char *body = req ? json_dumps(req, JSON_COMPACT) : NULL;
    json_decref(req);
    if (!body) {
        *blamed = false;
        l2w_err_set(err, "rpc %s: %s: out of memory", rpc->chain, method);
        return L2W_ERR_NOMEM;
    }
    l2w_status st = l2w_rpc_call_on(rpc, i, body, id, method, result, blamed, err);
    free(body);
    return st;
}

