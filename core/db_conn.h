#ifndef L2W_CORE_DB_CONN_H
#define L2W_CORE_DB_CONN_H

/* Inside core/db*.c only: the connection behind an l2w_db, shared by the
 * statement, COPY and migration files. */

#include "core/db.h"

struct l2w_db {
    PGconn *conn; /* NULL after a lost connection: the next call reconnects */
    char *url;
    /* The statements prepared on conn (by identity); forgotten with conn. */
    const l2w_db_stmt **prepared;
    size_t n_prepared, cap_prepared;
};

/* Connects when the last connection was dropped. */
L2W_MUST_CHECK l2w_status l2w_db_ensure_conn(l2w_db *db, l2w_err *err);
/* Closes conn; the next call reconnects and prepares again. */
void l2w_db_drop_conn(l2w_db *db);
/* Sets err from res (or the connection) and says whether a retry can help;
 * drops a connection that is no longer usable. */
L2W_MUST_CHECK l2w_status l2w_db_classify(l2w_db *db, const PGresult *res, l2w_err *err);

#endif
