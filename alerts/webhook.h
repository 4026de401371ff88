#ifndef L2W_ALERTS_WEBHOOK_H
#define L2W_ALERTS_WEBHOOK_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/status.h"

/* An HTTP client for webhook sinks: POSTs a JSON document and reports whether
 * the receiver accepted it. One client per thread (it wraps a libcurl easy
 * handle, which keeps connections to the sinks alive between sends). */
typedef struct l2w_webhook_client l2w_webhook_client;

/* cancel, if not NULL, is polled during a send (about once a second and on
 * every network event); when it becomes true the send is abandoned. The
 * caller must have called curl_global_init. *out is freed with
 * l2w_webhook_client_destroy. */
L2W_MUST_CHECK l2w_status l2w_webhook_client_create(l2w_webhook_client **out, const atomic_bool *cancel,
                                                    l2w_err *err);
void l2w_webhook_client_destroy(l2w_webhook_client *client);

/* Where a POST goes: the URL (it may carry a token: never logged), extra
 * header lines ("Name: value", NULL-terminated list or NULL) and the time
 * allowed. */
typedef struct {
    const char *url;
    const char *const *headers;
    uint32_t timeout_ms;
} l2w_http_target;

/* POSTs payload (payload_len bytes of JSON) to t->url within t->timeout_ms,
 * with Content-Type: application/json, User-Agent: l2watch/<version>,
 * Idempotency-Key: idempotency_key and t->headers. Redirects are not followed (a moved
 * receiver is a configuration problem to surface, not to guess around) and
 * the response body is read up to a cap and ignored.
 * L2W_OK: the receiver answered 2xx. L2W_ERR_PROTOCOL: it answered another
 * status. L2W_ERR_TIMEOUT / L2W_ERR_IO: no answer. err gets one line that
 * never includes the URL (it may carry a token). */
L2W_MUST_CHECK l2w_status l2w_webhook_post(l2w_webhook_client *client, const l2w_http_target *t,
                                           const char *idempotency_key, const char *payload, size_t payload_len,
                                           l2w_err *err);

#endif
