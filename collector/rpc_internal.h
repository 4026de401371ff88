#ifndef L2W_COLLECTOR_RPC_INTERNAL_H
#define L2W_COLLECTOR_RPC_INTERNAL_H

/* Internal to the JSON-RPC client (collector/rpc*.c): its state and the
 * pieces its files share.
 *   rpc.c                 lifecycle, metrics registration, the endpoint API
 *   rpc_endpoint_state.c  health bookkeeping: blame, credit, heads, rotation
 *   rpc_exchange.c        one HTTP exchange and one JSON-RPC call on an endpoint
 *   rpc_heads.c           chain-id checks, head observation and probes
 *   rpc_call.c            l2w_rpc_call and l2w_rpc_batch: routing and failover
 *   rpc_snapshot.c        l2w_rpc_snapshot: the endpoints' health for the store */

#include <curl/curl.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "collector/rpc.h"
#include "collector/rpc_health.h"
#include "collector/rpc_url.h"
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
    /* For l2w_rpc_snapshot: the metrics above are write-only. */
    uint64_t n_requests;
    uint64_t n_faults;
    bool has_fault;
    l2w_rpc_fault last_fault;
    uint64_t last_fault_wall_ms;
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

/* Monotonic clock in milliseconds and seconds. */
uint64_t l2w_rpc_now_ms(void);
double l2w_rpc_now_seconds(void);
/* True when the client has more than one endpoint. */
bool l2w_rpc_several(const l2w_rpc *rpc);
/* Publishes endpoint i's score gauge. */
void l2w_rpc_show_score(l2w_rpc *rpc, size_t i, uint64_t now);
/* Counts a fault of endpoint i (metric, snapshot); the callers below do the rest. */
void l2w_rpc_count_fault(l2w_rpc *rpc, size_t i, l2w_rpc_fault fault);
/* Records a fault of endpoint i (score, backoff, metric, log). */
void l2w_rpc_blame(l2w_rpc *rpc, size_t i, l2w_rpc_fault fault, const l2w_err *err);
/* Records a success of endpoint i. */
void l2w_rpc_credit(l2w_rpc *rpc, size_t i);
/* Records the head endpoint i reported. */
void l2w_rpc_note_head(l2w_rpc *rpc, size_t i, uint64_t head);
/* Makes endpoint i the one unpinned calls go to (counting a rotation). */
void l2w_rpc_settle_on(l2w_rpc *rpc, size_t i);
/* One HTTP POST of body to endpoint i; *text (malloc'd, NUL-terminated,
 * *len bytes before the NUL) is the answer's body. */
L2W_MUST_CHECK l2w_status l2w_rpc_exchange_text(l2w_rpc *rpc, size_t i, const char *body, const char *what,
                                                char **text, size_t *len, l2w_rpc_fault *fault, l2w_err *err);
/* One HTTP POST of body to endpoint i; *answer is the parsed JSON. */
L2W_MUST_CHECK l2w_status l2w_rpc_exchange(l2w_rpc *rpc, size_t i, const char *body, const char *what, json_t **answer,
                                           l2w_rpc_fault *fault, l2w_err *err);
/* Unwraps one JSON-RPC response object into *result or an error. */
L2W_MUST_CHECK l2w_status l2w_rpc_take_response(l2w_rpc *rpc, size_t i, json_t *resp, const char *method,
                                                json_t **result, l2w_rpc_fault *fault, l2w_err *err);
/* A JSON-RPC request object (steals params). */
json_t *l2w_rpc_make_request(uint64_t id, const char *method, json_t *params);
/* A single call on endpoint i; *blamed when the endpoint was at fault. */
L2W_MUST_CHECK l2w_status l2w_rpc_call_on(l2w_rpc *rpc, size_t i, const char *body, uint64_t id, const char *method,
                                          json_t **result, bool *blamed, l2w_err *err);
/* A parameterless call on endpoint i (eth_chainId, eth_blockNumber). */
L2W_MUST_CHECK l2w_status l2w_rpc_ask(l2w_rpc *rpc, size_t i, const char *method, json_t **result, bool *blamed,
                                      l2w_err *err);
/* Checks endpoint i's chain id when it is due. */
L2W_MUST_CHECK l2w_status l2w_rpc_check_chain(l2w_rpc *rpc, size_t i, bool *blamed, l2w_err *err);
/* Looks at a result for what it says about endpoint i (its head); may move the call. */
L2W_MUST_CHECK l2w_status l2w_rpc_observe(l2w_rpc *rpc, size_t i, const char *method, const json_t *result,
                                          bool may_move, bool *blamed, l2w_err *err);
/* Reads the heads of the endpoints not in use, at most every PROBE_INTERVAL_MS. */
void l2w_rpc_probe_heads(l2w_rpc *rpc);

#endif
