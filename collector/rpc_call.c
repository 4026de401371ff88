#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collector/rpc_answer.h"
#include "collector/rpc_internal.h"
#include "core/json.h"
#include "core/log.h"

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
        uint64_t now = l2w_rpc_now_ms();
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
    return l2w_rpc_check_chain(rpc, i, blamed, err);
}

static l2w_status attempt_call(l2w_rpc *rpc, size_t i, const char *body, uint64_t id, const char *method,
                               json_t **result, bool *blamed, l2w_err *err)
{
    l2w_status st = prepare_endpoint(rpc, i, method, blamed, err);
    if (st == L2W_OK)
        st = l2w_rpc_call_on(rpc, i, body, id, method, result, blamed, err);
    if (st == L2W_OK && (st = l2w_rpc_observe(rpc, i, method, *result, !rpc->pinned, blamed, err)) != L2W_OK) {
        json_decref(*result);
        *result = NULL;
    }
    if (st == L2W_OK)
        l2w_rpc_credit(rpc, i);
    return st;
}

l2w_status l2w_rpc_call(l2w_rpc *rpc, json_t **result, const char *method, json_t *params, l2w_err *err)
{
    l2w_err scratch; /* the endpoints' faults are logged from err: it must exist */
    if (!err)
        err = &scratch;
    *result = NULL;
    uint64_t id = rpc->next_id++;
    json_t *req = l2w_rpc_make_request(id, method, params);
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
        l2w_rpc_probe_heads(rpc);
    route r = {{false}, 0, false};
    size_t i;
    l2w_status st = L2W_ERR_IO;
    while (next_endpoint(rpc, &r, &i)) {
        bool blamed;
        st = attempt_call(rpc, i, body, id, method, result, &blamed, err);
        if (st == L2W_OK)
            l2w_rpc_settle_on(rpc, i);
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
        free(items[i].raw);
        items[i].raw = NULL;
        items[i].raw_len = 0;
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
        items[k].status =
            l2w_rpc_take_response(rpc, ep, resp, items[k].method, &items[k].result, &item_fault, &items[k].err);
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

/* The answer to a batch with some results wanted as text: parsed with those
 * left out, then each one copied out of the text into its item. */
static l2w_status exchange_raw(l2w_rpc *rpc, size_t i, const char *body, const char *what, l2w_rpc_batch_item *items,
                               size_t n, uint64_t first_id, json_t **answer, l2w_rpc_raw_span *spans,
                               l2w_rpc_fault *fault, l2w_err *err)
{
    char *text;
    size_t len;
    l2w_status st = l2w_rpc_exchange_text(rpc, i, body, what, &text, &len, fault, err);
    if (st != L2W_OK)
        return st;
    bool *keep = calloc(n, sizeof *keep);
    if (!keep) {
        free(text);
        *fault = NOT_A_FAULT;
        l2w_err_set(err, "rpc %s: %s: out of memory", rpc->chain, what);
        return L2W_ERR_NOMEM;
    }
    for (size_t k = 0; k < n; k++)
        keep[k] = items[k].raw_result;
    st = l2w_rpc_parse_answer(text, len, first_id, keep, n, answer, spans, err);
    free(keep);
    if (st == L2W_ERR_PROTOCOL) {
        *fault = L2W_RPC_FAULT_MALFORMED;
        l2w_err_prefix(err, "rpc %s %s: %s: answer is not JSON", rpc->chain, rpc->ep[i].shown, what);
    } else if (st != L2W_OK) {
        *fault = NOT_A_FAULT;
    }
    for (size_t k = 0; st == L2W_OK && k < n; k++) {
        if (!spans[k].found)
            continue;
        if (!(items[k].raw = malloc(spans[k].len + 1))) {
            *fault = NOT_A_FAULT;
            l2w_err_set(err, "rpc %s: %s: out of memory", rpc->chain, what);
            st = L2W_ERR_NOMEM;
            break;
        }
        memcpy(items[k].raw, text + spans[k].offset, spans[k].len);
        items[k].raw[spans[k].len] = '\0';
        items[k].raw_len = spans[k].len;
    }
    free(text);
    if (st != L2W_OK) {
        json_decref(*answer);
        *answer = NULL;
    }
    return st;
}

/* Gives each item wanted as text its result's text, or refuses it when the
 * answer had none for it. */
static void settle_raw(l2w_rpc *rpc, size_t ep, l2w_rpc_batch_item *items, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        if (!items[k].raw_result || items[k].status != L2W_OK)
            continue;
        json_decref(items[k].result); /* the 0 standing in for the text */
        items[k].result = NULL;
        if (!items[k].raw) {
            /* Not reached: an item's result is taken only from a response with its id. */
            items[k].status = L2W_ERR_PROTOCOL;
            l2w_err_set(&items[k].err, "rpc %s %s: %s: result not found in the answer", rpc->chain,
                        rpc->ep[ep].shown, items[k].method);
        }
    }
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
    bool any_raw = false;
    for (size_t k = 0; k < n; k++) {
        items[k].result = NULL;
        items[k].raw = NULL;
        items[k].raw_len = 0;
        items[k].status = L2W_ERR_PROTOCOL;
        any_raw = any_raw || items[k].raw_result;
    }
    json_t *answer = NULL;
    l2w_rpc_fault fault = NOT_A_FAULT;
    l2w_rpc_raw_span *spans = any_raw ? calloc(n, sizeof *spans) : NULL;
    if (any_raw && !spans) {
        l2w_err_set(err, "rpc %s: %s: out of memory", rpc->chain, what);
        return L2W_ERR_NOMEM;
    }
    if (any_raw)
        st = exchange_raw(rpc, i, body, what, items, n, first_id, &answer, spans, &fault, err);
    else
        st = l2w_rpc_exchange(rpc, i, body, what, &answer, &fault, err);
    free(spans);
    if (st == L2W_OK) {
        st = match_batch(rpc, i, answer, items, n, first_id, &fault, err);
        json_decref(answer);
        if (st == L2W_OK && any_raw)
            settle_raw(rpc, i, items, n);
    }
    if (fault != NOT_A_FAULT) {
        l2w_rpc_blame(rpc, i, fault, err);
        *blamed = true;
    } else if (st == L2W_OK) {
        l2w_rpc_credit(rpc, i);
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
    for (size_t k = 0; k < n; k++) {
        items[k].result = NULL;
        items[k].raw = NULL;
    }
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
        items[i].raw = NULL;
        items[i].raw_len = 0;
        items[i].status = L2W_ERR_PROTOCOL;
        json_t *one = l2w_rpc_make_request(first_id + i, items[i].method, items[i].params);
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
        l2w_rpc_probe_heads(rpc);
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
        l2w_rpc_settle_on(rpc, answered);
    free(body);
    return st;
}

