/* The libmicrohttpd side of the web server: listening, limits, dispatch
 * through the route table, security headers, request metrics. */

#include "web/server.h"

#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "core/log.h"
#include "core/metrics.h"
#include "responder/signer.h"
#include "web/api_clients.h"
#include "web/page_cache.h"
#include "web/read_auth.h"
#include "web/conninfo.h"
#include "web/db_pool.h"
#include "web/conn_deadline.h"
#include "web/routes.h"

/* Database connections shared by the request threads: as many as the
 * handlers that can usefully run statements at once on a small machine; a
 * handler does its CPU work (signature checks, JSON) before it takes one. */
#define WEB_DB_CONNECTIONS 4
/* One thread per connection: a handler that waits for the database or
 * checks a batch of signatures then blocks only its own client. (With a
 * fixed pool, connections land on pool threads at random, and two busy
 * clients on one thread wait for each other while a core idles.) The
 * connection limit bounds the threads; libmicrohttpd frees closed
 * connections lazily, so it needs headroom over the clients expected at once. */
#define WEB_MAX_CONNECTIONS 256
#define WEB_MAX_CONNECTIONS_PER_IP 64
#define WEB_IDLE_TIMEOUT_S 15
/* Per-connection memory caps the request line and headers: far above any
 * legitimate GET, small enough that 256 connections cost 8 MiB. */
#define WEB_CONNECTION_MEMORY (32 * 1024)
#define WEB_DB_CONNECT_TIMEOUT_S 3
#define WEB_DB_STATEMENT_TIMEOUT_MS 5000

struct l2w_web {
    const l2w_config *cfg;
    struct MHD_Daemon *daemon;
    l2w_db_pool *pool;
    l2w_api_clients *clients;
    l2w_read_auth *read_auth; /* NULL when reading is open */
    l2w_page_cache *page_cache;
    l2w_conn_deadlines *deadlines;
    l2w_signer *receipt_signer;
    uint16_t port;
    pthread_mutex_t log_lock;
    char last_mhd_error[256]; /* for the start error message */
    time_t log_window;        /* rate limit of libmicrohttpd's messages */
    unsigned log_in_window;
    unsigned log_suppressed;
};

/* A flood of bad connections must not become a flood of log lines. */
#define WEB_LOG_WINDOW_S 10
#define WEB_LOG_PER_WINDOW 10

static const double duration_buckets[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};

__attribute__((format(printf, 2, 0))) static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    l2w_web *web = cls;
    char msg[256];
    vsnprintf(msg, sizeof msg, fmt, ap);
    msg[strcspn(msg, "\n")] = '\0';
    time_t now = time(NULL);
    unsigned suppressed = 0;
    bool emit;
    pthread_mutex_lock(&web->log_lock);
    snprintf(web->last_mhd_error, sizeof web->last_mhd_error, "%s", msg);
    if (now - web->log_window >= WEB_LOG_WINDOW_S) {
        suppressed = web->log_suppressed;
        web->log_window = now;
        web->log_in_window = 0;
        web->log_suppressed = 0;
    }
    emit = web->log_in_window < WEB_LOG_PER_WINDOW;
    if (emit)
        web->log_in_window++;
    else
        web->log_suppressed++;
    pthread_mutex_unlock(&web->log_lock);
    if (suppressed)
        L2W_UNUSUAL("web", NULL, "microhttpd: %u similar message(s) suppressed", suppressed);
    /* Client misbehaviour (resets, oversized headers, connection floods)
     * lands here: a peer problem, not ours. */
    if (emit)
        L2W_UNUSUAL("web", NULL, "microhttpd: %s", msg);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void count_request(const char *route, unsigned code, double seconds)
{
    char labels[160];
    snprintf(labels, sizeof labels, "route=\"%s\",code=\"%u\"", route, code);
    l2w_counter_add(l2w_counter_get("l2watch_http_requests_total", "HTTP requests answered, by route and status.",
                                    labels),
                    1);
    snprintf(labels, sizeof labels, "route=\"%s\"", route);
    l2w_histogram_observe(l2w_histogram_get("l2watch_http_request_duration_seconds",
                                            "Time to build an HTTP response, by route.", labels, duration_buckets,
                                            sizeof duration_buckets / sizeof duration_buckets[0]),
                          seconds);
}

static bool add_header(struct MHD_Response *r, const char *name, const char *value)
{
    return MHD_add_response_header(r, name, value) == MHD_YES;
}

/* Queues resp (consuming its body) with the headers every answer carries. */
static enum MHD_Result send_response(struct MHD_Connection *conn, l2w_web_response *resp, const char *allow,
                                     const char *retry_after, const char *www_authenticate)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(
        resp->body_len, resp->body, resp->body_static ? MHD_RESPMEM_PERSISTENT : MHD_RESPMEM_MUST_FREE);
    if (!r) {
        l2w_web_response_clear(resp);
        return MHD_NO; /* drops the connection: nothing better to do without memory */
    }
    resp->body = NULL; /* MHD owns it now */
    bool ok = add_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, resp->content_type ? resp->content_type : L2W_CT_TEXT) &&
              add_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, resp->cache_control ? resp->cache_control : "no-store") &&
              add_header(r, "X-Content-Type-Options", "nosniff") &&
              /* Only our own stylesheet and scripts (no inline script, so
               * injected markup cannot run), requests only to ourselves, and
               * no one may frame us. */
              add_header(r, "Content-Security-Policy",
                         "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
                         "img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'") &&
              add_header(r, "X-Frame-Options", "DENY") && add_header(r, "Referrer-Policy", "no-referrer") &&
              (!allow || add_header(r, MHD_HTTP_HEADER_ALLOW, allow)) &&
              (!retry_after || !*retry_after || add_header(r, MHD_HTTP_HEADER_RETRY_AFTER, retry_after)) &&
              (!www_authenticate || !*www_authenticate ||
               add_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, www_authenticate));
    enum MHD_Result ret = ok ? MHD_queue_response(conn, resp->code, r) : MHD_NO;
    MHD_destroy_response(r);
    return ret;
}

static bool has_body(struct MHD_Connection *conn)
{
    const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    const char *te = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
    return te != NULL || (cl != NULL && strcmp(cl, "0") != 0);
}

/* The declared Content-Length, when there is one that parses. */
static bool content_length(struct MHD_Connection *conn, uint64_t *out)
{
    const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (!cl || !*cl)
        return false;
    char *end = NULL;
    unsigned long long v = strtoull(cl, &end, 10);
    if (*end != '\0')
        return false;
    *out = v;
    return true;
}

/* An exact path with a '*' segment: the segment (no '/', not empty) and
 * everything after it must match; the tail is the path from the segment on. */
static bool segment_matches(const char *pattern, const char *star, const char *path, const char **tail)
{
    size_t head = (size_t)(star - pattern);
    if (strncmp(pattern, path, head) != 0)
        return false;
    const char *segment = path + head;
    size_t n = strcspn(segment, "/");
    if (n == 0 || strcmp(star + 1, segment + n) != 0)
        return false;
    *tail = segment;
    return true;
}

static bool path_matches(const l2w_web_route *r, const char *path, const char **tail)
{
    if (!r->prefix) {
        *tail = "";
        const char *star = strchr(r->path, '*');
        return star ? segment_matches(r->path, star, path, tail) : strcmp(r->path, path) == 0;
    }
    size_t n = strlen(r->path);
    *tail = path + n;
    return strncmp(r->path, path, n) == 0;
}

typedef struct {
    const l2w_web_route *route; /* path and method match */
    const char *label;          /* metrics label; "unmatched" when no path matched */
    const char *tail;
    char allow[64];             /* methods the path accepts, for 405 */
} dispatch;

/* One request's progress, kept in *con_cls from its first call to
 * on_completed. */
typedef struct {
    dispatch d;
    double started;
    bool expects_body;
    bool answered;
    bool too_large;     /* more body arrived than the route takes */
    char *body;         /* NUL-terminated */
    size_t body_len, body_cap;
    bool has_client;
    size_t client;      /* index in cfg->api_clients */
} conn_state;

static void find_route(dispatch *d, const char *method, const char *path)
{
    memset(d, 0, sizeof *d);
    d->label = "unmatched";
    /* HEAD is GET without the body (libmicrohttpd drops it). */
    const char *as = strcmp(method, MHD_HTTP_METHOD_HEAD) == 0 ? MHD_HTTP_METHOD_GET : method;
    for (size_t i = 0; i < l2w_web_routes_count; i++) {
        const l2w_web_route *r = &l2w_web_routes[i];
        const char *tail;
        if (!path_matches(r, path, &tail))
            continue;
        if (!d->route)
            d->label = r->label;
        size_t used = strlen(d->allow);
        snprintf(d->allow + used, sizeof d->allow - used, "%s%s%s", used ? ", " : "", r->method,
                 strcmp(r->method, MHD_HTTP_METHOD_GET) == 0 ? ", HEAD" : "");
        if (!d->route && strcmp(r->method, as) == 0) {
            d->route = r;
            d->label = r->label;
            d->tail = tail;
        }
    }
}

static unsigned failure_code(l2w_status st)
{
    switch (st) {
    case L2W_ERR_DB:
    case L2W_ERR_DB_RETRY:
    case L2W_ERR_TIMEOUT:
        return 503;
    case L2W_OK:
    case L2W_ERR_INVALID:
    case L2W_ERR_RANGE:
    case L2W_ERR_NOMEM:
    case L2W_ERR_IO:
    case L2W_ERR_PROTOCOL:
    case L2W_ERR_RPC:
    case L2W_ERR_NOT_FOUND:
    case L2W_ERR_NOT_READY:
    case L2W_ERR_CONFIG:
        return 500;
    }
    return 500;
}

static void answer(l2w_web *web, l2w_web_response *resp, const dispatch *d, const conn_state *c,
                   struct MHD_Connection *conn, const char *method, const char *path)
{
    l2w_web_request req = {conn, path, d->tail, web->cfg, web->pool, NULL, 0, NULL, web->receipt_signer,
                           web->page_cache};
    if (c->body) {
        req.body = c->body;
        req.body_len = c->body_len;
    }
    if (c->has_client)
        req.client = &web->cfg->api_clients[c->client];
    l2w_err err = {{0}};
    l2w_status st = d->route->handler(resp, &req, &err);
    if (st == L2W_OK)
        return;
    /* The detail goes to the log only: clients may be anyone. */
    L2W_UNUSUAL("web", d->label, "%s %s failed: %s: %s", method, d->label, l2w_status_str(st), err.msg);
    unsigned code = failure_code(st);
    if (l2w_web_respond_error(resp, code, NULL, code == 503 ? "database unavailable" : "internal error") != L2W_OK)
        l2w_web_respond_static(resp, code, L2W_CT_TEXT, "", 0);
}

static bool respond_error(l2w_web_response *resp, unsigned code, const char *message)
{
    if (l2w_web_respond_error(resp, code, NULL, message) != L2W_OK)
        l2w_web_respond_static(resp, code, L2W_CT_TEXT, "", 0);
    return true;
}

/* With web.read_auth: required, a read needs a reader's or a client's
 * credentials; the probes stay open, since the kubelet has none. Both
 * schemes are offered, so a browser asks for a password and a program
 * knows a token will do. */
static bool refuse_reader(l2w_web *web, const l2w_web_route *r, struct MHD_Connection *conn,
                          l2w_web_response *resp, char *retry_after, size_t retry_after_len, char *www_authenticate,
                          size_t www_len)
{
    if (!web->read_auth || strcmp(r->label, "/healthz") == 0 || strcmp(r->label, "/readyz") == 0)
        return false;
    const char *authz = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    const char *message = NULL;
    switch (l2w_read_auth_check(web->read_auth, authz, now_seconds())) {
    case L2W_READ_OK:
        return false;
    case L2W_READ_MISSING:
        message = "sign in: HTTP Basic as a web.readers entry, or a bearer token";
        break;
    case L2W_READ_MALFORMED:
        message = "the Authorization header is neither \"Basic <base64 of user:password>\" nor \"Bearer <token>\"";
        break;
    case L2W_READ_DENIED:
        message = "unknown user or token, or a wrong password";
        break;
    case L2W_READ_THROTTLED:
        snprintf(retry_after, retry_after_len, "1");
        return respond_error(resp, 429, "too many password checks; see Retry-After");
    }
    snprintf(www_authenticate, www_len, "Basic realm=\"l2watch\", charset=\"UTF-8\", Bearer realm=\"l2watch\"");
    return respond_error(resp, 401, message);
}

/* Refusals decided from the headers alone, before any body byte is read:
 * unknown route, a body where none is taken or larger than the route's cap,
 * and for write routes a missing or unknown token or an empty quota. True
 * when resp holds the refusal. */
static bool refuse_early(l2w_web *web, conn_state *c, struct MHD_Connection *conn, l2w_web_response *resp,
                         char *retry_after, size_t retry_after_len, char *www_authenticate, size_t www_len)
{
    const l2w_web_route *r = c->d.route;
    if (!r) {
        bool known = c->d.allow[0] != '\0';
        return respond_error(resp, known ? 405 : 404, known ? "method not allowed" : "not found");
    }
    if (c->expects_body) {
        uint64_t declared;
        if (r->max_body == 0)
            return respond_error(resp, 413, "this route takes no request body");
        if (content_length(conn, &declared) && declared > r->max_body) {
            char msg[96];
            snprintf(msg, sizeof msg, "request body over the limit of %zu bytes", r->max_body);
            return respond_error(resp, 413, msg);
        }
    }
    if (!r->write)
        return refuse_reader(web, r, conn, resp, retry_after, retry_after_len, www_authenticate, www_len);
    const char *authz = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    size_t index = 0;
    switch (l2w_api_clients_identify(web->clients, authz, &index)) {
    case L2W_AUTH_OK:
        break;
    case L2W_AUTH_MISSING:
        snprintf(www_authenticate, www_len, "Bearer realm=\"l2watch\"");
        return respond_error(resp, 401, "a bearer token is required (Authorization: Bearer <token>)");
    case L2W_AUTH_MALFORMED:
        snprintf(www_authenticate, www_len, "Bearer realm=\"l2watch\", error=\"invalid_request\"");
        return respond_error(resp, 401, "the Authorization header is not \"Bearer <token>\"");
    case L2W_AUTH_UNKNOWN:
        snprintf(www_authenticate, www_len, "Bearer realm=\"l2watch\", error=\"invalid_token\"");
        return respond_error(resp, 401, "unknown token");
    }
    double wait = 0;
    if (!l2w_api_clients_admit(web->clients, index, now_seconds(), &wait)) {
        snprintf(retry_after, retry_after_len, "%.0f", wait < 1 ? 1.0 : wait + 0.999);
        return respond_error(resp, 429, "request quota exhausted; see Retry-After");
    }
    c->has_client = true;
    c->client = index;
    return false;
}

/* Appends a chunk of body; past the route's cap the rest is counted, not
 * kept, and the request is answered 413 once complete. */
static bool keep_body(conn_state *c, const char *data, size_t len)
{
    size_t cap = c->d.route->max_body;
    if (c->too_large || len > cap - c->body_len) {
        c->too_large = true;
        return true;
    }
    if (c->body_len + len + 1 > c->body_cap) {
        size_t want = c->body_cap ? c->body_cap : 4096;
        while (want < c->body_len + len + 1)
            want *= 2;
        if (want > cap + 1)
            want = cap + 1;
        char *grown = realloc(c->body, want);
        if (!grown)
            return false;
        c->body = grown;
        c->body_cap = want;
    }
    memcpy(c->body + c->body_len, data, len);
    c->body_len += len;
    c->body[c->body_len] = '\0';
    return true;
}

static enum MHD_Result finish(conn_state *c, struct MHD_Connection *conn, l2w_web_response *resp,
                              const char *retry_after, const char *www_authenticate)
{
    c->answered = true;
    unsigned code = resp->code;
    enum MHD_Result ret = send_response(conn, resp, code == 405 ? c->d.allow : NULL, retry_after, www_authenticate);
    count_request(c->d.label, code, now_seconds() - c->started);
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)version;
    l2w_web *web = cls;
    conn_state *c = *con_cls;
    if (!c) {
        /* First call: headers only. Refusals that need no body are sent
         * now, so a client streaming a body nobody will read is cut off
         * (libmicrohttpd closes the connection after the answer). */
        if (!(c = calloc(1, sizeof *c)))
            return MHD_NO;
        *con_cls = c;
        c->started = now_seconds();
        c->expects_body = has_body(conn);
        find_route(&c->d, method, url);
        l2w_web_response resp = {0};
        char retry_after[24] = "", www[96] = "";
        if (refuse_early(web, c, conn, &resp, retry_after, sizeof retry_after, www, sizeof www))
            return finish(c, conn, &resp, retry_after, www);
        return MHD_YES;
    }
    if (c->answered) {
        *upload_data_size = 0; /* body bytes after the answer are discarded */
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        if (!keep_body(c, upload_data, *upload_data_size))
            return MHD_NO; /* out of memory: drop the connection */
        *upload_data_size = 0;
        return MHD_YES;
    }
    /* The request is complete. */
    l2w_web_response resp = {0};
    if (c->too_large) {
        char msg[96];
        snprintf(msg, sizeof msg, "request body over the limit of %zu bytes", c->d.route->max_body);
        respond_error(&resp, 413, msg);
    } else {
        answer(web, &resp, &c->d, c, conn, method, url);
    }
    return finish(c, conn, &resp, NULL, NULL);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    l2w_web *web = cls;
    (void)toe;
    l2w_conn_deadlines_request_done(web->deadlines, conn);
    conn_state *c = *con_cls;
    if (c) {
        free(c->body);
        free(c);
        *con_cls = NULL;
    }
}

static l2w_status resolve_listen(struct sockaddr_storage *addr, const l2w_config *cfg, l2w_err *err)
{
    char port[8];
    snprintf(port, sizeof port, "%u", (unsigned)cfg->web_listen_port);
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    int rc = getaddrinfo(cfg->web_listen_host, port, &hints, &res);
    if (rc != 0 || !res) {
        l2w_err_set(err, "web.listen: cannot resolve %s: %s", cfg->web_listen_host, gai_strerror(rc));
        if (res)
            freeaddrinfo(res);
        return L2W_ERR_CONFIG;
    }
    memset(addr, 0, sizeof *addr);
    memcpy(addr, res->ai_addr, res->ai_addrlen);
    freeaddrinfo(res);
    return L2W_OK;
}

static l2w_status start_daemon(l2w_web *web, l2w_err *err)
{
    struct sockaddr_storage addr;
    l2w_status st = resolve_listen(&addr, web->cfg, err);
    if (st != L2W_OK)
        return st;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_AUTO |
                     MHD_USE_ERROR_LOG;
    if (addr.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    web->daemon = MHD_start_daemon(
        flags, web->cfg->web_listen_port, NULL, NULL, on_request, web, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, web,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_CONNECTION_LIMIT, (unsigned)WEB_MAX_CONNECTIONS, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
        (unsigned)WEB_MAX_CONNECTIONS_PER_IP, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)WEB_IDLE_TIMEOUT_S,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)WEB_CONNECTION_MEMORY, MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, web, MHD_OPTION_NOTIFY_CONNECTION, l2w_conn_deadlines_notify, web->deadlines,
        /* Reject malformed requests rather than guess what they meant. */
        MHD_OPTION_STRICT_FOR_CLIENT, (int)1, MHD_OPTION_END);
    if (!web->daemon) {
        pthread_mutex_lock(&web->log_lock);
        l2w_err_set(err, "web: cannot listen on %s:%u: %s", web->cfg->web_listen_host,
                    (unsigned)web->cfg->web_listen_port,
                    web->last_mhd_error[0] ? web->last_mhd_error : "libmicrohttpd refused to start");
        pthread_mutex_unlock(&web->log_lock);
        return L2W_ERR_IO;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(web->daemon, MHD_DAEMON_INFO_BIND_PORT);
    web->port = info ? info->port : web->cfg->web_listen_port;
    return L2W_OK;
}

l2w_status l2w_web_start(l2w_web **out, const l2w_config *cfg, l2w_signer *receipt_signer, l2w_err *err)
{
    *out = NULL;
    l2w_web *web = calloc(1, sizeof *web);
    if (!web) {
        l2w_err_set(err, "web: out of memory");
        return L2W_ERR_NOMEM;
    }
    web->cfg = cfg;
    web->receipt_signer = receipt_signer;
    if (pthread_mutex_init(&web->log_lock, NULL) != 0) {
        free(web);
        l2w_err_set(err, "web: cannot create a mutex");
        return L2W_ERR_NOMEM;
    }
    char *conninfo = NULL;
    l2w_status st = l2w_conninfo_derive(&conninfo, cfg->database_url, "l2watch-web", WEB_DB_CONNECT_TIMEOUT_S,
                                        WEB_DB_STATEMENT_TIMEOUT_MS, err);
    if (st == L2W_OK)
        st = l2w_db_pool_create(&web->pool, conninfo, WEB_DB_CONNECTIONS, err);
    free(conninfo);
    if (st == L2W_OK)
        st = l2w_api_clients_create(&web->clients, cfg, err);
    if (st == L2W_OK)
        st = l2w_page_cache_create(&web->page_cache, cfg->web_page_cache_ms, err);
    if (st == L2W_OK && cfg->read_auth_required)
        st = l2w_read_auth_create(&web->read_auth, cfg, web->clients, err);
    if (st == L2W_OK)
        st = l2w_conn_deadlines_start(&web->deadlines, cfg->web_request_timeout_ms, err);

    if (st == L2W_OK)
        st = start_daemon(web, err);
    if (st != L2W_OK) {
        l2w_web_stop(web);
        return st;
    }
    l2w_gauge_set(l2w_gauge_get("l2watch_build_info", "l2watch build; the value is always 1.",
                                "version=\"" L2W_VERSION "\""),
                  1);
    L2W_INFO("web", NULL, "listening on %s:%u", cfg->web_listen_host, (unsigned)web->port);
    *out = web;
    return L2W_OK;
}

void l2w_web_stop(l2w_web *web)
{
    if (!web)
        return;
    /* Stopping the daemon joins its threads, so no handler holds a pooled
     * connection when the pool goes. */
    if (web->daemon)
        MHD_stop_daemon(web->daemon);
    l2w_conn_deadlines_stop(web->deadlines);
    l2w_db_pool_destroy(web->pool);
    l2w_read_auth_destroy(web->read_auth);
    l2w_page_cache_destroy(web->page_cache);
    l2w_api_clients_destroy(web->clients);
    pthread_mutex_destroy(&web->log_lock);
    free(web);
}

uint16_t l2w_web_port(const l2w_web *web)
{
    return web->port;
}
