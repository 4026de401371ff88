#ifndef L2W_WEB_HTTP_H
#define L2W_WEB_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"
#include "core/status.h"
#include "web/db_pool.h"

/* What a route handler sees and fills. The server (web/server.c) owns the
 * libmicrohttpd side; handlers only read the request and build a response,
 * so they stay small and need no knowledge of the HTTP library. */

struct MHD_Connection;
struct l2w_signer;

typedef struct {
    struct MHD_Connection *conn;
    const char *path;      /* decoded URL path, without the query string */
    const char *tail;      /* for a prefix route, the path after the prefix; else "" */
    const l2w_config *cfg;
    l2w_db_pool *pool;
    const char *body;      /* the request body for routes that take one (NUL-terminated), else NULL */
    size_t body_len;
    const l2w_api_client *client; /* write routes: the authenticated client; else NULL */
    struct l2w_signer *receipt_signer; /* channels.receipt_signer, when channels are configured */
    struct l2w_page_cache *page_cache;  /* web/page_cache.h; NULL keeps nothing */
} l2w_web_request;

typedef struct {
    unsigned code;
    const char *content_type;  /* static string */
    const char *cache_control; /* static string; NULL means "no-store" */
    char *body;                /* malloc'd (freed by the server) unless body_static */
    size_t body_len;
    bool body_static;          /* body points to data that lives for the process */
} l2w_web_response;

/* A handler fills resp and returns L2W_OK for any answer it chose, 4xx
 * included. Any other status means it could not answer: the server replies
 * 503 for database errors and 500 otherwise, and logs err (never sent to the
 * client, which may be anyone on the network). */
typedef l2w_status (*l2w_web_handler)(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err);

/* The value of query parameter key, or NULL. */
const char *l2w_web_query(const l2w_web_request *req, const char *key);

/* The request body as JSON, duplicate keys refused; NULL when it is not
 * JSON, with resp holding a 400 malformed_json that says where, and *st
 * the status of building that answer. The caller frees the result. */
json_t *l2w_web_json_body(l2w_web_response *resp, const l2w_web_request *req, l2w_status *st);

/* Response builders. Each replaces resp's body (freeing a previous malloc'd
 * one). L2W_ERR_NOMEM if a copy fails. */
/* Takes ownership of body (malloc'd, len bytes). */
void l2w_web_respond_take(l2w_web_response *resp, unsigned code, const char *content_type, char *body, size_t len);
L2W_MUST_CHECK l2w_status l2w_web_respond_copy(l2w_web_response *resp, unsigned code, const char *content_type,
                                               const char *body, size_t len);
/* body is a string literal or other process-lifetime data. */
void l2w_web_respond_static(l2w_web_response *resp, unsigned code, const char *content_type, const char *body,
                            size_t len);
/* {"code": code, "error": message, "param": param} (param omitted when
 * NULL); code is a stable machine-readable name, message is for people. */
L2W_MUST_CHECK l2w_status l2w_web_respond_error_code(l2w_web_response *resp, unsigned http_code, const char *code,
                                                     const char *param, const char *message);
/* The same with the code named after the HTTP status (l2w_web_error_code). */
L2W_MUST_CHECK l2w_status l2w_web_respond_error(l2w_web_response *resp, unsigned code, const char *param,
                                                const char *message);
/* "not_found" for 404, "body_too_large" for 413, ... */
const char *l2w_web_error_code(unsigned http_code);
/* Frees a malloc'd body and clears resp. */
void l2w_web_response_clear(l2w_web_response *resp);

#define L2W_CT_JSON "application/json"
#define L2W_CT_TEXT "text/plain; charset=utf-8"
#define L2W_CT_HTML "text/html; charset=utf-8"
#define L2W_CT_METRICS "text/plain; version=0.0.4; charset=utf-8"

/* How long a handler waits for a pooled database connection. */
#define L2W_WEB_DB_WAIT_MS 2000

#endif
