#ifndef L2W_COLLECTOR_RPC_H
#define L2W_COLLECTOR_RPC_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

/* A JSON-RPC 2.0 client for one chain over HTTP(S), built on libcurl. One
 * client is used by one thread at a time (it owns a curl handle, which keeps
 * the connection alive between calls). With several URLs, a transport failure,
 * an HTTP 429/5xx or a malformed answer moves to the next URL and the call is
 * tried there, each URL at most once per call. */
typedef struct l2w_rpc l2w_rpc;

typedef struct {
    const char *chain;              /* name for logs and metric labels */
    const char *const *urls;
    size_t n_urls;
    uint32_t timeout_ms;            /* whole request, connect included */
    size_t max_response_bytes;      /* 0 = default 32 MiB */
} l2w_rpc_options;

L2W_MUST_CHECK l2w_status l2w_rpc_create(l2w_rpc **out, const l2w_rpc_options *opt, l2w_err *err);
void l2w_rpc_destroy(l2w_rpc *rpc);

/* Calls method with params (a JSON array; the reference is stolen, NULL means
 * []). On success *result is a new reference to the "result" member (JSON null
 * included). A JSON-RPC error object gives L2W_ERR_RPC with its code and
 * message in err; a transport failure L2W_ERR_IO / L2W_ERR_TIMEOUT; an answer
 * that is not valid JSON-RPC L2W_ERR_PROTOCOL. */
L2W_MUST_CHECK l2w_status l2w_rpc_call(l2w_rpc *rpc, json_t **result, const char *method, json_t *params,
                                       l2w_err *err);

/* One request of a batch. The caller sets method and params (stolen by
 * l2w_rpc_batch); the batch fills status, result (new reference, or NULL) and err. */
typedef struct {
    const char *method;
    json_t *params;
    l2w_status status;
    json_t *result;
    l2w_err err;
} l2w_rpc_batch_item;

/* Sends all items as one JSON-RPC batch. Returns non-OK only when the batch as
 * a whole failed (transport, malformed answer, missing or duplicated ids); an
 * individual JSON-RPC error is reported in that item's status. */
L2W_MUST_CHECK l2w_status l2w_rpc_batch(l2w_rpc *rpc, l2w_rpc_batch_item *items, size_t n, l2w_err *err);
/* Releases the results of a batch. */
void l2w_rpc_batch_clear(l2w_rpc_batch_item *items, size_t n);

/* The URL the client will use next (for messages). */
const char *l2w_rpc_current_url(const l2w_rpc *rpc);

#endif
