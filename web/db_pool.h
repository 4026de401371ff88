#ifndef L2W_WEB_DB_POOL_H
#define L2W_WEB_DB_POOL_H

#include <stddef.h>

#include "core/db.h"
#include "core/status.h"

/* A fixed set of database connections shared by the HTTP worker threads. A
 * connection is opened on first use (so the server starts while the database
 * is down) and reopened by l2w_db itself after a loss. */
typedef struct l2w_db_pool l2w_db_pool;

/* conninfo is copied. *out is freed by l2w_db_pool_destroy. */
L2W_MUST_CHECK l2w_status l2w_db_pool_create(l2w_db_pool **out, const char *conninfo, size_t size, l2w_err *err);
/* Closes every connection; none may be acquired. NULL is a no-op. */
void l2w_db_pool_destroy(l2w_db_pool *pool);

/* Takes a free connection, waiting at most wait_ms for one (L2W_ERR_TIMEOUT),
 * connecting it if needed (L2W_ERR_DB_RETRY when the database is down). On
 * success the caller owns *db until l2w_db_pool_release. */
L2W_MUST_CHECK l2w_status l2w_db_pool_acquire(l2w_db_pool *pool, l2w_db **db, unsigned wait_ms, l2w_err *err);
void l2w_db_pool_release(l2w_db_pool *pool, l2w_db *db);

#endif
