#include "collector/rpc.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collector/rpc_internal.h"
#include "core/json.h"
#include "core/log.h"

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_result;

static void init_curl(void)
{
    curl_init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
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
    rpc->last_probe_ms = l2w_rpc_now_ms();
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

l2w_status l2w_rpc_create_for_chain(l2w_rpc **out, const l2w_chain_config *chain, l2w_err *err)
{
    l2w_rpc_options opt = {
        .chain = chain->name,
        .urls = (const char *const *)chain->rpc_urls,
        .n_urls = chain->n_rpc_urls,
        .timeout_ms = chain->rpc_timeout_ms,
        .expected_chain_id = chain->chain_id,
        .max_head_lag_blocks = chain->max_head_lag_blocks,
    };
    return l2w_rpc_create(out, &opt, err);
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
    return l2w_rpc_health_pick(&rpc->health, l2w_rpc_now_ms(), SIZE_MAX, skip, index);
}

const char *l2w_rpc_endpoint_label(const l2w_rpc *rpc, size_t index)
{
    return index < rpc->n ? rpc->ep[index].label : "?";
}

const char *l2w_rpc_current_url(const l2w_rpc *rpc)
{
    return rpc->ep[rpc->last_tried].shown;
}

