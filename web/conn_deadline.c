#include "web/conn_deadline.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "core/log.h"
#include "core/metrics.h"

/* How often the watchdog looks: a connection lives at most this much past
 * its deadline. */
#define SCAN_INTERVAL_MS 250
/* At most one log line per this many seconds, however many are cut. */
#define LOG_INTERVAL_S 60

typedef struct entry {
    struct entry *prev, *next;
    int fd;
    int64_t deadline_ms; /* monotonic */
    bool cut;
} entry;

struct l2w_conn_deadlines {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_t thread;
    bool stopping;
    int64_t limit_ms;
    entry *head;
    l2w_counter *cut_total;
    int64_t logged_at_ms;
    uint64_t cut_unlogged;
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* With d->lock held. */
static void cut_overdue(l2w_conn_deadlines *d, int64_t now)
{
    for (entry *e = d->head; e; e = e->next) {
        if (e->cut || now < e->deadline_ms)
            continue;
        /* The socket is still open: its entry goes before libmicrohttpd
         * closes it, and that takes this lock. */
        shutdown(e->fd, SHUT_RDWR);
        e->cut = true;
        l2w_counter_add(d->cut_total, 1);
        d->cut_unlogged++;
    }
    if (d->cut_unlogged && now - d->logged_at_ms >= LOG_INTERVAL_S * 1000) {
        L2W_UNUSUAL("web", NULL,
                    "closed %llu connection(s) that took over %lld ms on one request (web.request_timeout_ms)",
                    (unsigned long long)d->cut_unlogged, (long long)d->limit_ms);
        d->cut_unlogged = 0;
        d->logged_at_ms = now;
    }
}

static void *watch(void *arg)
{
    l2w_conn_deadlines *d = arg;
    pthread_mutex_lock(&d->lock);
    while (!d->stopping) {
        cut_overdue(d, now_ms());
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_nsec += SCAN_INTERVAL_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        int rc;
        do
            rc = pthread_cond_timedwait(&d->wake, &d->lock, &until);
        while (rc == EINTR);
    }
    pthread_mutex_unlock(&d->lock);
    return NULL;
}

l2w_status l2w_conn_deadlines_start(l2w_conn_deadlines **out, uint32_t limit_ms, l2w_err *err)
{
    *out = NULL;
    l2w_conn_deadlines *d = calloc(1, sizeof *d);
    if (!d) {
        l2w_err_set(err, "web: request deadlines: out of memory");
        return L2W_ERR_NOMEM;
    }
    pthread_condattr_t attr;
    bool attr_ok = pthread_condattr_init(&attr) == 0;
    bool ok = attr_ok && pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) == 0;
    bool lock_ok = ok && pthread_mutex_init(&d->lock, NULL) == 0;
    bool cond_ok = lock_ok && pthread_cond_init(&d->wake, &attr) == 0;
    if (attr_ok)
        pthread_condattr_destroy(&attr);
    d->limit_ms = limit_ms;
    d->logged_at_ms = now_ms() - LOG_INTERVAL_S * 1000;
    d->cut_total = l2w_counter_get("l2watch_http_connections_cut_total",
                                   "Connections closed because one request took longer than web.request_timeout_ms.",
                                   NULL);
    if (cond_ok && pthread_create(&d->thread, NULL, watch, d) == 0) {
        *out = d;
        return L2W_OK;
    }
    if (cond_ok)
        pthread_cond_destroy(&d->wake);
    if (lock_ok)
        pthread_mutex_destroy(&d->lock);
    free(d);
    l2w_err_set(err, "web: cannot start the request deadline watchdog");
    return L2W_ERR_NOMEM;
}

void l2w_conn_deadlines_stop(l2w_conn_deadlines *d)
{
    if (!d)
        return;
    pthread_mutex_lock(&d->lock);
    d->stopping = true;
    pthread_cond_signal(&d->wake);
    pthread_mutex_unlock(&d->lock);
    pthread_join(d->thread, NULL);
    while (d->head) { /* none after MHD_stop_daemon; kept safe anyway */
        entry *e = d->head;
        d->head = e->next;
        free(e);
    }
    pthread_cond_destroy(&d->wake);
    pthread_mutex_destroy(&d->lock);
    free(d);
}

static void add(l2w_conn_deadlines *d, struct MHD_Connection *conn, void **socket_context)
{
    const union MHD_ConnectionInfo *fd = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    entry *e = fd ? calloc(1, sizeof *e) : NULL;
    *socket_context = e;
    if (!e)
        return; /* out of memory: the connection has only the idle timeout */
    e->fd = fd->connect_fd;
    pthread_mutex_lock(&d->lock);
    e->deadline_ms = now_ms() + d->limit_ms;
    e->next = d->head;
    if (d->head)
        d->head->prev = e;
    d->head = e;
    pthread_mutex_unlock(&d->lock);
}

static void drop(l2w_conn_deadlines *d, void **socket_context)
{
    entry *e = *socket_context;
    if (!e)
        return;
    pthread_mutex_lock(&d->lock);
    if (e->prev)
        e->prev->next = e->next;
    else
        d->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    pthread_mutex_unlock(&d->lock);
    free(e);
    *socket_context = NULL;
}

void l2w_conn_deadlines_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                               enum MHD_ConnectionNotificationCode code)
{
    l2w_conn_deadlines *d = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED)
        add(d, conn, socket_context);
    else if (code == MHD_CONNECTION_NOTIFY_CLOSED)
        drop(d, socket_context);
}

void l2w_conn_deadlines_request_done(l2w_conn_deadlines *d, struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    entry *e = info ? info->socket_context : NULL;
    if (!e)
        return;
    pthread_mutex_lock(&d->lock);
    e->deadline_ms = now_ms() + d->limit_ms;
    pthread_mutex_unlock(&d->lock);
}
