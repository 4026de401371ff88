#ifndef L2W_WEB_API_CLIENTS_H
#define L2W_WEB_API_CLIENTS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"
#include "core/status.h"

/* Who calls the write API (web.clients), and whether they may call now.
 *
 * A client presents "Authorization: Bearer <token>"; the config holds only
 * the token's SHA-256, compared in constant time against every client so
 * the answer's timing says nothing about which hash came close. Each client
 * has a token bucket of requests_per_minute: a full minute's worth may come
 * at once (a client catching up after being offline), then the bucket
 * refills at requests_per_minute / 60 per second. Buckets live in this
 * process: with several replicas behind one address, a client gets each
 * replica's quota (the README says so). */

typedef struct l2w_api_clients l2w_api_clients;

typedef enum {
    L2W_AUTH_OK,
    L2W_AUTH_MISSING,   /* no Authorization header */
    L2W_AUTH_MALFORMED, /* not "Bearer <token>" with a token of visible ASCII */
    L2W_AUTH_UNKNOWN,   /* a token no client has */
} l2w_auth_result;

L2W_MUST_CHECK l2w_status l2w_api_clients_create(l2w_api_clients **out, const l2w_config *cfg, l2w_err *err);
void l2w_api_clients_destroy(l2w_api_clients *c);

/* The client whose token the Authorization header value (NULL when absent)
 * carries: its index in cfg->api_clients. */
l2w_auth_result l2w_api_clients_identify(const l2w_api_clients *c, const char *authorization, size_t *index);

/* Takes one request from client index's bucket at time now (seconds, any
 * monotonic origin). False when the bucket is empty, with the seconds until
 * the next request is allowed in *retry_after_s. Thread-safe. */
bool l2w_api_clients_admit(l2w_api_clients *c, size_t index, double now, double *retry_after_s);

#endif
