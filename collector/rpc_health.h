#ifndef L2W_COLLECTOR_RPC_HEALTH_H
#define L2W_COLLECTOR_RPC_HEALTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Health of the endpoints of one chain, and the choice of which to use. Pure:
 * no I/O and no clock, the caller passes the time in milliseconds (any
 * monotonic origin), so every rule here is a unit test away.
 *
 * Each endpoint carries a penalty: every fault adds its weight, a success
 * takes a fifth off, and time halves it every L2W_RPC_PENALTY_HALF_LIFE_MS,
 * so an endpoint that stopped failing recovers even while it is not used.
 * The score shown to operators is 1 / (1 + penalty): 1 is spotless.
 *
 * An endpoint is usable when it is not known to serve another chain, not in
 * backoff after failures in a row (1 s doubling up to 30 s), and not lagging:
 * its head, seen recently, is more than max_head_lag blocks behind the best
 * head seen recently on any endpoint of the right chain. */

#define L2W_RPC_MAX_ENDPOINTS 16
#define L2W_RPC_BACKOFF_BASE_MS 1000u
#define L2W_RPC_BACKOFF_MAX_MS 30000u
#define L2W_RPC_WRONG_CHAIN_RETRY_MS 60000u
#define L2W_RPC_PENALTY_HALF_LIFE_MS 30000u
/* A head older than this says nothing about lag any more. */
#define L2W_RPC_HEAD_FRESH_MS 30000u

/* Why an endpoint failed a request; also the "kind" label of the errors metric. */
typedef enum {
    L2W_RPC_FAULT_TIMEOUT = 0,
    L2W_RPC_FAULT_TRANSPORT,    /* connect refused, reset, TLS */
    L2W_RPC_FAULT_RATE_LIMITED, /* HTTP 429 or a JSON-RPC "limit exceeded" */
    L2W_RPC_FAULT_HTTP_STATUS,  /* any other non-2xx status */
    L2W_RPC_FAULT_MALFORMED,    /* not JSON, not JSON-RPC, wrong ids, truncated */
    L2W_RPC_FAULT_OVERSIZE,     /* larger than the response cap */
    L2W_RPC_FAULT_RPC_ERROR,    /* a JSON-RPC error that is the endpoint's own (internal error, missing method) */
    L2W_RPC_FAULT_WRONG_CHAIN,  /* eth_chainId is not the configured chain id */
    L2W_RPC_FAULT_HEAD_LAG,     /* its head is too far behind the others' */
    L2W_RPC_FAULT_COUNT
} l2w_rpc_fault;

/* The metric label of a fault kind ("timeout", "rate_limited", ...). */
const char *l2w_rpc_fault_name(l2w_rpc_fault fault);

typedef enum {
    L2W_RPC_CHAIN_UNCHECKED = 0, /* never checked, or failed since: check before use */
    L2W_RPC_CHAIN_RIGHT,
    L2W_RPC_CHAIN_WRONG,
} l2w_rpc_chain_state;

typedef struct {
    double penalty;
    uint64_t penalty_at_ms;     /* when penalty was last brought up to date */
    uint32_t failures_in_row;
    uint64_t backoff_until_ms;  /* not usable before this */
    l2w_rpc_chain_state chain;
    bool head_known;
    uint64_t head;
    uint64_t head_at_ms;
} l2w_rpc_endpoint_health;

typedef struct {
    size_t n;
    uint64_t max_head_lag;      /* 0: heads are not compared */
    l2w_rpc_endpoint_health ep[L2W_RPC_MAX_ENDPOINTS];
} l2w_rpc_health;

/* n must be 1..L2W_RPC_MAX_ENDPOINTS (larger n is clamped). When
 * check_chain is false every endpoint starts as RIGHT (nothing to check). */
void l2w_rpc_health_init(l2w_rpc_health *h, size_t n, uint64_t max_head_lag, bool check_chain);

/* Outcomes of requests to endpoint i at now_ms. */
void l2w_rpc_health_success(l2w_rpc_health *h, size_t i, uint64_t now_ms);
/* A fault with a backoff (every kind but HEAD_LAG, which is a state derived
 * from heads, and WRONG_CHAIN, see below). The endpoint's chain must be
 * checked again when it comes back. Returns the backoff in ms. */
uint64_t l2w_rpc_health_failure(l2w_rpc_health *h, size_t i, l2w_rpc_fault fault, uint64_t now_ms);
/* The result of an eth_chainId check. A wrong chain keeps the endpoint out
 * for L2W_RPC_WRONG_CHAIN_RETRY_MS, after which it may be checked again. */
void l2w_rpc_health_chain_checked(l2w_rpc_health *h, size_t i, bool right, uint64_t now_ms);
bool l2w_rpc_health_needs_chain_check(const l2w_rpc_health *h, size_t i);
/* An eth_blockNumber answer of endpoint i. */
void l2w_rpc_health_head(l2w_rpc_health *h, size_t i, uint64_t head, uint64_t now_ms);

/* The highest fresh head of an endpoint not known to serve another chain;
 * false if there is none. */
bool l2w_rpc_health_best_head(const l2w_rpc_health *h, uint64_t now_ms, uint64_t *head);
bool l2w_rpc_health_lagging(const l2w_rpc_health *h, size_t i, uint64_t now_ms);
bool l2w_rpc_health_in_backoff(const l2w_rpc_health *h, size_t i, uint64_t now_ms);
bool l2w_rpc_health_usable(const l2w_rpc_health *h, size_t i, uint64_t now_ms);
/* 1 / (1 + penalty decayed to now_ms), in (0, 1]. */
double l2w_rpc_health_score(const l2w_rpc_health *h, size_t i, uint64_t now_ms);

/* The endpoint to use next among those not in skip (an array of n flags, or
 * NULL): prefer stays when usable, so a working endpoint is not left for a
 * marginally better one (prefer >= n: no preference); otherwise the usable
 * one with the best score, the earlier in the list on a tie. False if no
 * endpoint outside skip is usable. */
bool l2w_rpc_health_pick(const l2w_rpc_health *h, uint64_t now_ms, size_t prefer, const bool *skip, size_t *out);
/* When nothing is usable: the least bad endpoint outside skip, so a call is
 * always tried somewhere. Lagging beats in backoff beats wrong chain; then
 * the better score, the earlier backoff end, the earlier in the list. False
 * only if every endpoint is in skip. */
bool l2w_rpc_health_least_bad(const l2w_rpc_health *h, uint64_t now_ms, const bool *skip, size_t *out);

/* What an endpoint is doing now, as a snapshot shows it. Stored in
 * chain_endpoints.state by name (l2w_rpc_endpoint_state_name), so a new
 * state needs the migration's CHECK and the API's enum too. */
typedef enum {
    L2W_RPC_EP_IN_USE = 0,   /* unpinned calls go here */
    L2W_RPC_EP_STANDBY,      /* usable, would take over on a fault */
    L2W_RPC_EP_RESTING,      /* in backoff after failures, until resting_until */
    L2W_RPC_EP_BEHIND,       /* head more than max_head_lag_blocks behind the best */
    L2W_RPC_EP_WRONG_CHAIN,  /* serves another chain id; re-checked a minute later */
    L2W_RPC_EP_UNCHECKED,    /* chain id not checked yet, or not since its last fault */
    L2W_RPC_EP_STATE_COUNT
} l2w_rpc_endpoint_state;

/* "in_use", "standby", "resting", "behind", "wrong_chain", "unchecked". */
const char *l2w_rpc_endpoint_state_name(l2w_rpc_endpoint_state state);

/* Endpoint i's state at now_ms, in_use being the endpoint unpinned calls go
 * to. The first that holds: wrong chain, resting, behind, unchecked, in use,
 * standby. */
l2w_rpc_endpoint_state l2w_rpc_health_state(const l2w_rpc_health *h, size_t i, size_t in_use, uint64_t now_ms);

/* Whether a JSON-RPC error object is the endpoint's fault, so another
 * endpoint may well answer: internal errors, unsupported methods, rate
 * limits, pruned state. Not an execution revert, bad parameters or a
 * transaction the chain refuses, which every honest endpoint gives alike.
 * Sets *fault to RATE_LIMITED or RPC_ERROR when true. message may be NULL. */
bool l2w_rpc_error_is_endpoint_fault(long long code, const char *message, l2w_rpc_fault *fault);

#endif
