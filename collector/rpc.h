#ifndef L2W_COLLECTOR_RPC_H
#define L2W_COLLECTOR_RPC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "collector/rpc_health.h"
#include "collector/rpc_url.h"
#include "core/status.h"

/* A JSON-RPC 2.0 client for one chain over HTTP(S), built on libcurl, with
 * several endpoints. One client is used by one thread at a time (it owns a
 * curl handle, which keeps the connection alive between calls).
 *
 * A call goes to the endpoint in use while it stays usable. A timeout, an
 * HTTP 429/5xx, a malformed answer, a JSON-RPC error that is the endpoint's
 * own (not a revert), a wrong chain id or a head more than max_head_lag_blocks
 * behind the best endpoint's moves the call to the healthiest usable other
 * endpoint, each endpoint at most once per call; the failing one rests in
 * backoff (collector/rpc_health.h has the rules). With nothing usable the
 * least bad endpoint is still tried, so a call is never refused unasked.
 *
 * The chain id is checked (eth_chainId) before an endpoint is first used and
 * again whenever it comes back after failing. Heads are learned from the
 * eth_blockNumber answers that pass through and from a probe of the other
 * endpoints, made from within a call at most every few seconds.
 *
 * URLs often carry API keys, so they never reach a log, a message or a
 * metric: messages show scheme://host[:port], metrics the label "index:host". */
typedef struct l2w_rpc l2w_rpc;

typedef struct {
    const char *chain;              /* name for logs and metric labels */
    const char *const *urls;
    size_t n_urls;                  /* 1..16 */
    uint32_t timeout_ms;            /* whole request, connect included */
    size_t max_response_bytes;      /* 0 = default 32 MiB */
    uint64_t expected_chain_id;     /* 0 = not checked (a remote signer has none) */
    uint64_t max_head_lag_blocks;   /* 0 = heads are neither compared nor probed */
} l2w_rpc_options;

L2W_MUST_CHECK l2w_status l2w_rpc_create(l2w_rpc **out, const l2w_rpc_options *opt, l2w_err *err);
void l2w_rpc_destroy(l2w_rpc *rpc);
/* The client for a configured chain: its endpoints, timeout, chain id and
 * head-lag bound. */
L2W_MUST_CHECK l2w_status l2w_rpc_create_for_chain(l2w_rpc **out, const l2w_chain_config *chain, l2w_err *err);

/* Calls method with params (a JSON array; the reference is stolen, NULL means
 * []). On success *result is a new reference to the "result" member (JSON null
 * included). A JSON-RPC error object gives L2W_ERR_RPC with its code and
 * message in err; a transport failure L2W_ERR_IO / L2W_ERR_TIMEOUT; an answer
 * that is not valid JSON-RPC L2W_ERR_PROTOCOL; an endpoint serving another
 * chain (when no endpoint served the right one) L2W_ERR_CONFIG. */
L2W_MUST_CHECK l2w_status l2w_rpc_call(l2w_rpc *rpc, json_t **result, const char *method, json_t *params,
                                       l2w_err *err);

/* One request of a batch. The caller sets method and params (stolen by
 * l2w_rpc_batch); the batch fills status, result (new reference, or NULL) and err.
 * With raw_result set, a successful item's result comes as its JSON text
 * instead (raw, raw_len; checked as JSON, owned by the item until
 * l2w_rpc_batch_clear) and result stays NULL: for answers too large to be
 * worth a jansson tree (collector/rpc_answer.h). */
typedef struct {
    const char *method;
    json_t *params;
    bool raw_result;
    l2w_status status;
    json_t *result;
    char *raw;
    size_t raw_len;
    l2w_err err;
} l2w_rpc_batch_item;

/* Sends all items as one JSON-RPC batch. Returns non-OK only when the batch as
 * a whole failed (transport, malformed answer, missing or duplicated ids); an
 * individual JSON-RPC error is reported in that item's status. A batch in
 * which some item got an error that is the endpoint's fault is sent again to
 * another endpoint, like a failed call. */
L2W_MUST_CHECK l2w_status l2w_rpc_batch(l2w_rpc *rpc, l2w_rpc_batch_item *items, size_t n, l2w_err *err);
/* Releases the results of a batch. */
void l2w_rpc_batch_clear(l2w_rpc_batch_item *items, size_t n);

/* Endpoints are numbered 0..count-1 in the order of the configured URLs. */
size_t l2w_rpc_endpoint_count(const l2w_rpc *rpc);
/* While pinned, every call and batch goes to endpoint index only, with no
 * failover and no probing: to ask a second endpoint the same question with
 * the typed helpers of collector/eth.h. Its chain id is still checked first.
 * An index past the end makes calls fail with L2W_ERR_INVALID. */
void l2w_rpc_pin(l2w_rpc *rpc, size_t index);
void l2w_rpc_unpin(l2w_rpc *rpc);
/* The endpoint that answered the last successful call or batch (0 before any). */
size_t l2w_rpc_last_endpoint(const l2w_rpc *rpc);
/* The healthiest usable endpoint other than exclude (not known to serve
 * another chain, not known to lag beyond the bound, not in backoff); false
 * if there is none. No I/O. */
bool l2w_rpc_pick_other(l2w_rpc *rpc, size_t exclude, size_t *index);
/* "index:host", the endpoint's metric label: safe to log, never a key.
 * Owned by the client; "?" for an index past the end. */
const char *l2w_rpc_endpoint_label(const l2w_rpc *rpc, size_t index);

/* One endpoint's health at the moment of a snapshot. Times are wall-clock
 * milliseconds since the Unix epoch (0: none). Counts are since the client
 * was made. No URL: label is "index:host". */
typedef struct {
    size_t index;
    char label[L2W_RPC_URL_LABEL_MAX];
    l2w_rpc_endpoint_state state;  /* collector/rpc_health.h */
    double score;                /* (0, 1], 1 spotless */
    bool head_known;
    uint64_t head;               /* the last head it reported */
    uint64_t head_at_ms;
    uint64_t resting_until_ms;   /* backoff end while RESTING or WRONG_CHAIN, else 0 */
    bool has_fault;
    l2w_rpc_fault last_fault;    /* when has_fault */
    uint64_t last_fault_at_ms;
    uint64_t requests;           /* HTTP requests sent */
    uint64_t faults;             /* requests it failed, lag and wrong-chain spells included */
} l2w_rpc_endpoint_snapshot;

/* Fills out[0..*n) with every endpoint's health, *n = min(count, cap).
 * No I/O. Call it from the thread that uses the client (see above: the
 * client is not shared), e.g. between two calls. */
void l2w_rpc_snapshot(const l2w_rpc *rpc, l2w_rpc_endpoint_snapshot *out, size_t cap, size_t *n);

/* For messages: scheme://host[:port] of the endpoint of the last request
 * (a "/..." suffix marks a path or query left out). Never the full URL,
 * whose path or query may hold an API key. */
const char *l2w_rpc_current_url(const l2w_rpc *rpc);

#endif
