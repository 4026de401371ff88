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

/* A statement on a hot path: each connection prepares it once, under its
 * name, and from then on only binds and runs it, skipping the parse and
 * plan that l2w_db_exec pays on every call. One static const per statement;
 * names are unique in the program (a clash fails the second prepare). */
typedef struct {
    const char *name;
    const char *sql;
    int nparams;
} l2w_db_stmt;

/* Runs stmt with stmt->nparams parameters, preparing it on this connection
 * first when needed. Parameters are text (NULL entries are SQL NULL) unless
 * formats[i] is 1: then params[i] is lengths[i] bytes in the type's binary
 * format (an array from l2w_db_array_begin). lengths and formats may be NULL
 * when every parameter is text. *res as for l2w_db_exec. */
L2W_MUST_CHECK l2w_status l2w_db_run(l2w_db *db, PGresult **res, const l2w_db_stmt *stmt, const char *const *params,
                                     const int *lengths, const int *formats, l2w_err *err);

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

/* An advisory-lock key for a role named by text (e.g.
 * "l2watch-responder:<chain>"): the first 8 bytes of its keccak256, so each
 * role, and each chain's, may lead on a different replica. */
int64_t l2w_db_lock_key(const char *name);
/* Session-level advisory lock for leadership: *acquired is set when this
 * connection now holds the lock. */
L2W_MUST_CHECK l2w_status l2w_db_try_lock(l2w_db *db, int64_t key, int *acquired, l2w_err *err);

/* A text[] literal {"a","b"} of items[0..n) (each quoted, '"' and '\\'
 * escaped), malloc'd into *out; L2W_ERR_NOMEM. For a fixed list of names
 * passed as one parameter. */
L2W_MUST_CHECK l2w_status l2w_db_text_array_literal(char **out, const char *const *items, size_t n);
/* bytea in text format: out must hold 2*len+3 bytes ("\x" + hex + NUL). */
void l2w_db_bytea_text(char *out, const uint8_t *in, size_t len);
/* Parse a bytea text value ("\x...") of exactly out_len bytes. */
L2W_MUST_CHECK l2w_status l2w_db_bytea_parse(uint8_t *out, size_t out_len, const char *text);
/* Parse a bytea text value of any length, appending it to out. */
L2W_MUST_CHECK l2w_status l2w_db_bytea_parse_bytes(l2w_bytes *out, const char *text);
/* bytea text of in, malloc'd (NULL on allocation failure). */
char *l2w_db_bytea_text_alloc(const uint8_t *in, size_t len);

/* ---- COPY ... FROM STDIN (FORMAT binary) ----
 * For many rows at once (a catch-up range holds thousands): one statement
 * per table, the rows streamed to the server in pieces while they are
 * built, and no text for the server to parse (hex bytea, array literals).
 *
 *   l2w_db_copy c;
 *   st = l2w_db_copy_begin(db, &c, "COPY t (a, b) FROM STDIN (FORMAT binary)", err);
 *   if (st != L2W_OK) return st;
 *   for (each row) {
 *       if ((st = l2w_db_copy_row(&c, 2, err)) != L2W_OK) break;
 *       l2w_db_copy_int8(&c, a); l2w_db_copy_bytes(&c, b, n);
 *   }
 *   return l2w_db_copy_end(&c, st, err);
 *
 * The field writers append to a buffer and never fail on their own: an
 * allocation failure or a malformed numeric is kept in the l2w_db_copy and
 * reported by the next l2w_db_copy_row or by l2w_db_copy_end. Each field
 * must have the column's exact type (int8 for bigint, int4 for integer). */
typedef struct {
    l2w_db *db;
    l2w_bytes buf;    /* built, not yet sent */
    l2w_status st;    /* the first field writer failure */
    const char *what; /* failure of that writer, for the message */
} l2w_db_copy;

/* Sends sql (a COPY ... FROM STDIN (FORMAT binary)) and the format's
 * header. On failure nothing is left to end. */
L2W_MUST_CHECK l2w_status l2w_db_copy_begin(l2w_db *db, l2w_db_copy *c, const char *sql, l2w_err *err);
/* Starts a row of nfields fields, first sending what was built when it is
 * large enough. */
L2W_MUST_CHECK l2w_status l2w_db_copy_row(l2w_db_copy *c, uint16_t nfields, l2w_err *err);
void l2w_db_copy_null(l2w_db_copy *c);
void l2w_db_copy_int4(l2w_db_copy *c, int32_t v);
void l2w_db_copy_int8(l2w_db_copy *c, int64_t v);
/* text: s in the client encoding (l2watch's names are ASCII). */
void l2w_db_copy_text(l2w_db_copy *c, const char *s);
void l2w_db_copy_bytea(l2w_db_copy *c, const uint8_t *p, size_t len);
/* bytea[] of n elements of elem_len bytes each, the i-th at first + i * stride
 * (a field of an array of structs); an empty array when n is 0. */
void l2w_db_copy_bytea_array(l2w_db_copy *c, const uint8_t *first, size_t n, size_t elem_len, size_t stride);
/* jsonb from JSON text (the server parses it; invalid JSON fails the statement). */
void l2w_db_copy_jsonb(l2w_db_copy *c, const char *text, size_t len);
/* numeric from an unsigned decimal integer ("0", "1234", up to 78 digits in
 * numeric(78,0) columns); anything else fails the COPY with L2W_ERR_INVALID. */
void l2w_db_copy_numeric(l2w_db_copy *c, const char *digits);
/* Ends the COPY begun by l2w_db_copy_begin: when st is L2W_OK and every
 * field was written, sends the rest and returns the server's verdict;
 * otherwise aborts the COPY (nothing of it is stored) and returns the
 * failure (st first). Frees the buffer either way. */
L2W_MUST_CHECK l2w_status l2w_db_copy_end(l2w_db_copy *c, l2w_status st, l2w_err *err);

/* ---- binary array parameters ----
 * A one-dimensional array of n elements of type elem_oid for l2w_db_run
 * (format 1): its elements are laid out as COPY fields are, so they are
 * written with the l2w_db_copy_* field writers, exactly n of them. The
 * parameter is a.buf.data, a.buf.len bytes once l2w_db_array_check passes;
 * free it with l2w_bytes_free(&a.buf) either way. */
#define L2W_OID_INT8 20u
#define L2W_OID_INT4 23u
#define L2W_OID_BYTEA 17u
#define L2W_OID_TEXT 25u
#define L2W_OID_NUMERIC 1700u
#define L2W_OID_JSONB 3802u
void l2w_db_array_begin(l2w_db_copy *a, uint32_t elem_oid, size_t n);
/* The first writer failure (what names the parameter in err), or L2W_OK. */
L2W_MUST_CHECK l2w_status l2w_db_array_check(l2w_db_copy *a, const char *what, l2w_err *err);

#endif
