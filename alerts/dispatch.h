#ifndef L2W_ALERTS_DISPATCH_H
#define L2W_ALERTS_DISPATCH_H

#include <stdatomic.h>
#include <stddef.h>

#include "alerts/alert_format.h"
#include "alerts/webhook.h"
#include "core/config.h"
#include "core/status.h"

/* One send to one sink: its body formatted for its kind (alerts/format_*.c)
 * and carried by HTTP or SMTP. */

/* The sinks' secrets (secret_file), read once when delivery starts:
 * secrets[i] belongs to cfg->sinks[i], NULL when it has none. */
typedef struct {
    char *secrets[L2W_MAX_SINKS];
} l2w_sink_secrets;

L2W_MUST_CHECK l2w_status l2w_sink_secrets_load(l2w_sink_secrets *out, const l2w_config *cfg, l2w_err *err);
/* Wipes and frees them. */
void l2w_sink_secrets_clear(l2w_sink_secrets *s);

/* The generic webhook's signature headers: X-L2watch-Timestamp: <unix> and
 * X-L2watch-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<body>" under
 * key>. Receivers recompute it and refuse a timestamp far from their clock,
 * so a captured request cannot be replayed later. */
#define L2W_SIGNATURE_HEADER_LEN 96
void l2w_webhook_signature_headers(char timestamp_header[L2W_SIGNATURE_HEADER_LEN],
                                   char signature_header[L2W_SIGNATURE_HEADER_LEN], const char *key, size_t key_len,
                                   long long timestamp, const char *body, size_t body_len);

/* Sends batch to sink: the generic webhook posts raw (the single alert's
 * stored payload) as it is, signed; the other kinds post their own format
 * (alerts/alert_format.h) or, for email, send it over SMTP with message id
 * "<idempotency_key>@l2watch" (a resend is the same message). cancel aborts
 * an SMTP send at shutdown. L2W_OK when the sink accepted it;
 * otherwise the transport's status with err saying why. */
L2W_MUST_CHECK l2w_status l2w_alert_send(l2w_webhook_client *http, const l2w_sink_config *sink, const char *secret,
                                         const l2w_alert_batch *batch, const char *raw, size_t raw_len,
                                         const char *idempotency_key, const atomic_bool *cancel, l2w_err *err);

#endif
