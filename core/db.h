#ifndef L2W_CORE_DB_H
#define L2W_CORE_DB_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"
#include "core/status.h"

/* One PostgreSQL connection, owned by one thread. Errors are classified the
 * GNU Taler way: L2W_ERR_DB_RETRY for serialization failures, deadlocks and a
 * lost connection (the next call reconnects), L2W_ERR_DB for everything else. */
typedef struct l2w_db l2w_db;

/* Connects with a libpq URL or keyword string. *out is freed with l2w_db_close. */
L2W_MUST_CHECK l2w_status l2w_db_connect(l2w_db **out, const char *url, l2w_err *err);
void l2w_db_close(l2w_db *db);

/* Runs one statement with text parameters (NULL entries are SQL NULL).
 * On success *res (if res is not NULL) holds the result, which the caller frees
 * with PQclear; with res NULL the result is discarded. */
L2W_MUST_CHECK l2w_status l2w_db_exec(l2w_db *db, PGresult **res, const char *sql, int nparams,
                                      const char *const *params, l2w_err *err);

L2W_MUST_CHECK l2w_status l2w_db_begin(l2w_db *db, l2w_err *err);
L2W_MUST_CHECK l2w_status l2w_db_commit(l2w_db *db, l2w_err *err);
/* Never fails from the caller's point of view: a failed rollback drops the connection. */
void l2w_db_rollback(l2w_db *db);
/* Ends the transaction the caller began: commits when st is L2W_OK (and
 * returns the commit's status), otherwise rolls back and returns st. */
L2W_MUST_CHECK l2w_status l2w_db_end(l2w_db *db, l2w_status st, l2w_err *err);

/* Applies the embedded sql/NNNN_*.sql migrations not yet recorded, in order,
 * each in its own transaction, under an advisory lock so replicas starting
 * together do not race. Refuses to run if an applied migration's text changed
 * or if the database has a newer migration than this binary knows. */
L2W_MUST_CHECK l2w_status l2w_db_migrate(l2w_db *db, l2w_err *err);

/* Session-level advisory lock for leadership: *acquired is set when this
 * connection now holds the lock. */
L2W_MUST_CHECK l2w_status l2w_db_try_lock(l2w_db *db, int64_t key, int *acquired, l2w_err *err);

/* bytea in text format: out must hold 2*len+3 bytes ("\x" + hex + NUL). */
void l2w_db_bytea_text(char *out, const uint8_t *in, size_t len);
/* Parse a bytea text value ("\x...") of exactly out_len bytes. */
L2W_MUST_CHECK l2w_status l2w_db_bytea_parse(uint8_t *out, size_t out_len, const char *text);
/* Parse a bytea text value of any length, appending it to out. */
L2W_MUST_CHECK l2w_status l2w_db_bytea_parse_bytes(l2w_bytes *out, const char *text);
/* bytea text of in, malloc'd (NULL on allocation failure). */
char *l2w_db_bytea_text_alloc(const uint8_t *in, size_t len);

#endif
