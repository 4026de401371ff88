#include "collector/rpc_health.h"

#include <ctype.h>
#include <string.h>

/* What one fault costs. A rate limit is the endpoint asking us to slow down,
 * not breaking: half a point. Everything else that fails a request is one. */
#define WEIGHT_FULL 1.0
#define WEIGHT_RATE_LIMITED 0.5
/* Each success keeps this share of the penalty. */
#define SUCCESS_KEEPS 0.8

const char *l2w_rpc_fault_name(l2w_rpc_fault fault)
{
    switch (fault) {
    case L2W_RPC_FAULT_TIMEOUT:
        return "timeout";
    case L2W_RPC_FAULT_TRANSPORT:
        return "transport";
    case L2W_RPC_FAULT_RATE_LIMITED:
        return "rate_limited";
    case L2W_RPC_FAULT_HTTP_STATUS:
        return "http_status";
    case L2W_RPC_FAULT_MALFORMED:
        return "malformed";
    case L2W_RPC_FAULT_OVERSIZE:
        return "oversize";
    case L2W_RPC_FAULT_RPC_ERROR:
        return "rpc_error";
    case L2W_RPC_FAULT_WRONG_CHAIN:
        return "wrong_chain";
    case L2W_RPC_FAULT_HEAD_LAG:
        return "head_lag";
    case L2W_RPC_FAULT_COUNT:
        break;
    }
    return "unknown";
}

static double fault_weight(l2w_rpc_fault fault)
{
    switch (fault) {
    case L2W_RPC_FAULT_RATE_LIMITED:
        return WEIGHT_RATE_LIMITED;
    case L2W_RPC_FAULT_TIMEOUT:
    case L2W_RPC_FAULT_TRANSPORT:
    case L2W_RPC_FAULT_HTTP_STATUS:
    case L2W_RPC_FAULT_MALFORMED:
    case L2W_RPC_FAULT_OVERSIZE:
    case L2W_RPC_FAULT_RPC_ERROR:
    case L2W_RPC_FAULT_WRONG_CHAIN:
    case L2W_RPC_FAULT_HEAD_LAG:
    case L2W_RPC_FAULT_COUNT:
        break;
    }
    return WEIGHT_FULL;
}

/* 2^-x for x >= 0 without pulling in libm: whole halvings, then the Taylor
 * series of e^-(f ln 2) for the fraction f, whose terms past the tenth are
 * below 1e-9. */
static double half_power(double x)
{
    double r = 1.0;
    while (x >= 1.0) {
        if (r < 1e-12)
            return 0.0;
        r *= 0.5;
        x -= 1.0;
    }
    double y = x * 0.69314718055994531, term = 1.0, sum = 1.0;
    for (int k = 1; k <= 10; k++) {
        term *= -y / k;
        sum += term;
    }
    return r * sum;
}

static double decayed_penalty(const l2w_rpc_endpoint_health *e, uint64_t now_ms)
{
    if (e->penalty <= 0.0 || now_ms <= e->penalty_at_ms)
        return e->penalty;
    return e->penalty * half_power((double)(now_ms - e->penalty_at_ms) / L2W_RPC_PENALTY_HALF_LIFE_MS);
}

static void bring_up_to_date(l2w_rpc_endpoint_health *e, uint64_t now_ms)
{
    e->penalty = decayed_penalty(e, now_ms);
    if (now_ms > e->penalty_at_ms)
        e->penalty_at_ms = now_ms;
}

void l2w_rpc_health_init(l2w_rpc_health *h, size_t n, uint64_t max_head_lag, bool check_chain)
{
    memset(h, 0, sizeof *h);
    h->n = n > L2W_RPC_MAX_ENDPOINTS ? L2W_RPC_MAX_ENDPOINTS : n;
    h->max_head_lag = max_head_lag;
    for (size_t i = 0; i < h->n; i++)
        h->ep[i].chain = check_chain ? L2W_RPC_CHAIN_UNCHECKED : L2W_RPC_CHAIN_RIGHT;
}

void l2w_rpc_health_success(l2w_rpc_health *h, size_t i, uint64_t now_ms)
{
    if (i >= h->n)
        return;
    l2w_rpc_endpoint_health *e = &h->ep[i];
    bring_up_to_date(e, now_ms);
    e->penalty *= SUCCESS_KEEPS;
    e->failures_in_row = 0;
    e->backoff_until_ms = 0;
}

uint64_t l2w_rpc_health_failure(l2w_rpc_health *h, size_t i, l2w_rpc_fault fault, uint64_t now_ms)
{
    if (i >= h->n)
        return 0;
    l2w_rpc_endpoint_health *e = &h->ep[i];
    bring_up_to_date(e, now_ms);
    e->penalty += fault_weight(fault);
    if (fault == L2W_RPC_FAULT_HEAD_LAG)
        return 0; /* the heads decide when it is usable again, not a clock */
    if (fault == L2W_RPC_FAULT_WRONG_CHAIN) {
        l2w_rpc_health_chain_checked(h, i, false, now_ms);
        return L2W_RPC_WRONG_CHAIN_RETRY_MS;
    }
    if (e->failures_in_row < UINT32_MAX)
        e->failures_in_row++;
    uint64_t backoff = L2W_RPC_BACKOFF_BASE_MS;
    for (uint32_t k = 1; k < e->failures_in_row && backoff < L2W_RPC_BACKOFF_MAX_MS; k++)
        backoff *= 2;
    if (backoff > L2W_RPC_BACKOFF_MAX_MS)
        backoff = L2W_RPC_BACKOFF_MAX_MS;
    e->backoff_until_ms = now_ms + backoff;
    /* What answers after an outage may be another node: check it again. */
    if (e->chain == L2W_RPC_CHAIN_RIGHT)
        e->chain = L2W_RPC_CHAIN_UNCHECKED;
    return backoff;
}

void l2w_rpc_health_chain_checked(l2w_rpc_health *h, size_t i, bool right, uint64_t now_ms)
{
    if (i >= h->n)
        return;
    l2w_rpc_endpoint_health *e = &h->ep[i];
    if (right) {
        e->chain = L2W_RPC_CHAIN_RIGHT;
        return;
    }
    e->chain = L2W_RPC_CHAIN_WRONG;
    e->backoff_until_ms = now_ms + L2W_RPC_WRONG_CHAIN_RETRY_MS;
    e->head_known = false; /* another chain's head says nothing about ours */
}

bool l2w_rpc_health_needs_chain_check(const l2w_rpc_health *h, size_t i)
{
    return i < h->n && h->ep[i].chain != L2W_RPC_CHAIN_RIGHT;
}

void l2w_rpc_health_head(l2w_rpc_health *h, size_t i, uint64_t head, uint64_t now_ms)
{
    if (i >= h->n)
        return;
    h->ep[i].head_known = true;
    h->ep[i].head = head;
    h->ep[i].head_at_ms = now_ms;
}

static bool head_fresh(const l2w_rpc_endpoint_health *e, uint64_t now_ms)
{
    return e->head_known && e->chain != L2W_RPC_CHAIN_WRONG &&
           (now_ms < e->head_at_ms || now_ms - e->head_at_ms <= L2W_RPC_HEAD_FRESH_MS);
}

bool l2w_rpc_health_best_head(const l2w_rpc_health *h, uint64_t now_ms, uint64_t *head)
{
    bool any = false;
    uint64_t best = 0;
    for (size_t i = 0; i < h->n; i++) {
        if (head_fresh(&h->ep[i], now_ms) && (!any || h->ep[i].head > best)) {
            best = h->ep[i].head;
            any = true;
        }
    }
    if (any)
        *head = best;
    return any;
}

bool l2w_rpc_health_lagging(const l2w_rpc_health *h, size_t i, uint64_t now_ms)
{
    uint64_t best;
    if (i >= h->n || h->max_head_lag == 0 || !head_fresh(&h->ep[i], now_ms) ||
        !l2w_rpc_health_best_head(h, now_ms, &best))
        return false;
    return best - h->ep[i].head > h->max_head_lag;
}

bool l2w_rpc_health_in_backoff(const l2w_rpc_health *h, size_t i, uint64_t now_ms)
{
    return i < h->n && now_ms < h->ep[i].backoff_until_ms;
}

bool l2w_rpc_health_usable(const l2w_rpc_health *h, size_t i, uint64_t now_ms)
{
    return i < h->n && h->ep[i].chain != L2W_RPC_CHAIN_WRONG && !l2w_rpc_health_in_backoff(h, i, now_ms) &&
           !l2w_rpc_health_lagging(h, i, now_ms);
}

double l2w_rpc_health_score(const l2w_rpc_health *h, size_t i, uint64_t now_ms)
{
    if (i >= h->n)
        return 0.0;
    return 1.0 / (1.0 + decayed_penalty(&h->ep[i], now_ms));
}

static bool skipped(const bool *skip, size_t i)
{
    return skip && skip[i];
}

bool l2w_rpc_health_pick(const l2w_rpc_health *h, uint64_t now_ms, size_t prefer, const bool *skip, size_t *out)
{
    if (prefer < h->n && !skipped(skip, prefer) && l2w_rpc_health_usable(h, prefer, now_ms)) {
        *out = prefer;
        return true;
    }
    bool found = false;
    double best = 0.0;
    for (size_t i = 0; i < h->n; i++) {
        if (skipped(skip, i) || !l2w_rpc_health_usable(h, i, now_ms))
            continue;
        double s = l2w_rpc_health_score(h, i, now_ms);
        if (!found || s > best) {
            best = s;
            *out = i;
            found = true;
        }
    }
    return found;
}

/* 0: only lagging, 1: in backoff, 2: another chain. */
static int badness_class(const l2w_rpc_health *h, size_t i, uint64_t now_ms)
{
    if (h->ep[i].chain == L2W_RPC_CHAIN_WRONG)
        return 2;
    return l2w_rpc_health_in_backoff(h, i, now_ms) ? 1 : 0;
}

static bool less_bad(const l2w_rpc_health *h, uint64_t now_ms, size_t a, size_t b)
{
    int ca = badness_class(h, a, now_ms), cb = badness_class(h, b, now_ms);
    if (ca != cb)
        return ca < cb;
    double sa = l2w_rpc_health_score(h, a, now_ms), sb = l2w_rpc_health_score(h, b, now_ms);
    if (sa != sb)
        return sa > sb;
    if (h->ep[a].backoff_until_ms != h->ep[b].backoff_until_ms)
        return h->ep[a].backoff_until_ms < h->ep[b].backoff_until_ms;
    return a < b;
}

bool l2w_rpc_health_least_bad(const l2w_rpc_health *h, uint64_t now_ms, const bool *skip, size_t *out)
{
    bool found = false;
    for (size_t i = 0; i < h->n; i++) {
        if (skipped(skip, i))
            continue;
        if (!found || less_bad(h, now_ms, i, *out)) {
            *out = i;
            found = true;
        }
    }
    return found;
}

/* Case-insensitive substring search; messages come from many node brands. */
static bool mentions(const char *haystack, const char *needle)
{
    size_t n = strlen(needle);
    for (const char *p = haystack; *p; p++) {
        size_t k = 0;
        while (k < n && p[k] && tolower((unsigned char)p[k]) == needle[k])
            k++;
        if (k == n)
            return true;
    }
    return false;
}

bool l2w_rpc_error_is_endpoint_fault(long long code, const char *message, l2w_rpc_fault *fault)
{
    static const char *const rate_words[] = {"rate limit", "too many requests", "limit exceeded",
                                             "exceeded its", "capacity", "throttl"};
    static const char *const node_words[] = {"internal error", "timeout", "timed out", "unavailable",
                                             "missing trie node", "pruned", "not supported", "not available",
                                             "does not exist", "backend", "upstream", "overloaded", "try again"};
    static const char *const range_words[] = {"query returned more than", "block range", "range too large",
                                              "range is too large", "response size", "too many results"};
    const char *msg = message ? message : "";
    /* Reverts and refused transactions: every honest node says the same. */
    if (code == 3 || code == -32602 || code == -32003 || mentions(msg, "revert"))
        return false;
    /* An eth_getLogs range over the provider's limit is a question too big,
     * not a sick endpoint (Infura uses -32005 for it, as for rate limits):
     * the caller splits the range, rotating would only move the problem. */
    for (size_t k = 0; k < sizeof range_words / sizeof range_words[0]; k++)
        if (mentions(msg, range_words[k]))
            return false;
    if (code == 429 || code == -32005) {
        *fault = L2W_RPC_FAULT_RATE_LIMITED;
        return true;
    }
    for (size_t k = 0; k < sizeof rate_words / sizeof rate_words[0]; k++) {
        if (mentions(msg, rate_words[k])) {
            *fault = L2W_RPC_FAULT_RATE_LIMITED;
            return true;
        }
    }
    /* Parse error, invalid request (we send valid ones), missing method,
     * unavailable resource, internal error. */
    if (code == -32700 || code == -32600 || code == -32601 || code == -32004 || code == -32002 || code == -32603) {
        *fault = L2W_RPC_FAULT_RPC_ERROR;
        return true;
    }
    for (size_t k = 0; k < sizeof node_words / sizeof node_words[0]; k++) {
        if (mentions(msg, node_words[k])) {
            *fault = L2W_RPC_FAULT_RPC_ERROR;
            return true;
        }
    }
    return false;
}
