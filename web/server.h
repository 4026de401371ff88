#ifndef L2W_WEB_SERVER_H
#define L2W_WEB_SERVER_H

#include <stdint.h>

#include "core/config.h"
#include "core/status.h"

/* The HTTP server: dashboard, JSON API, /metrics, /healthz, /readyz. It reads
 * only the database (a small pool of its own connections to
 * cfg->database_url), never the chains, and serves from an internal pool of
 * libmicrohttpd threads. */

typedef struct l2w_web l2w_web;

/* Listens on cfg->web_listen_host:cfg->web_listen_port (port 0 picks a free
 * port; see l2w_web_port). cfg must outlive the server. The database need not
 * be up: /readyz reports 503 until it answers. *out is freed by l2w_web_stop. */
struct l2w_signer;
/* receipt_signer (borrowed, may be NULL) signs the channel intake's
 * receipts; without it the intake answers 503. */
L2W_MUST_CHECK l2w_status l2w_web_start(l2w_web **out, const l2w_config *cfg, struct l2w_signer *receipt_signer,
                                        l2w_err *err);
/* Stops serving (finishing requests in flight) and frees. NULL is a no-op. */
void l2w_web_stop(l2w_web *web);
/* The port actually bound. */
uint16_t l2w_web_port(const l2w_web *web);

#endif
