#ifndef L2W_WEB_CONN_DEADLINE_H
#define L2W_WEB_CONN_DEADLINE_H

#include <microhttpd.h>
#include <stdint.h>

#include "core/status.h"

/* A deadline on each request of a connection: its request line, headers
 * and body must arrive and its answer must be read within limit_ms,
 * counted from the connection's start or the end of its previous request.
 *
 * libmicrohttpd only times out a connection that is silent for its idle
 * timeout; a client that sends or reads a byte every few seconds would keep
 * its connection (a thread, with one thread per connection) forever, and a
 * few of them the whole connection limit. A watchdog thread shuts down the
 * socket of a connection past its deadline; its thread then sees the peer
 * gone and closes it the usual way.
 *
 * The table's entries are added and removed by libmicrohttpd's connection
 * notifications, which it calls before it closes the socket, so the
 * watchdog never shuts down a descriptor that was closed and reused. */

typedef struct l2w_conn_deadlines l2w_conn_deadlines;

/* Starts the watchdog thread. */
L2W_MUST_CHECK l2w_status l2w_conn_deadlines_start(l2w_conn_deadlines **out, uint32_t limit_ms, l2w_err *err);
/* Stops it; after MHD_stop_daemon, when no connection is left. */
void l2w_conn_deadlines_stop(l2w_conn_deadlines *d);

/* MHD_OPTION_NOTIFY_CONNECTION's callback, cls the table. */
void l2w_conn_deadlines_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                               enum MHD_ConnectionNotificationCode code);
/* A request of conn was answered: the clock of the next one starts now. */
void l2w_conn_deadlines_request_done(l2w_conn_deadlines *d, struct MHD_Connection *conn);

#endif
