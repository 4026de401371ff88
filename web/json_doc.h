#ifndef L2W_WEB_JSON_DOC_H
#define L2W_WEB_JSON_DOC_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>

#include "core/status.h"
#include "web/http.h"

/* Building a JSON API document in C, for the routes whose documents join
 * the config or clean stored text and so cannot come whole from SQL
 * (web/routes_da.c, web/routes_committees.c). The makers return NULL when
 * jansson is out of memory, and a NULL handed to l2w_doc_set makes it
 * fail, so a document is built as a chain of
 * `ok = ok && l2w_doc_set(...)` and checked once, at the end. */

/* obj[key] = v. v is taken over even when this fails, so none leaks;
 * false when v is NULL or it could not be set. */
bool l2w_doc_set(json_t *obj, const char *key, json_t *v);

/* obj when ok; otherwise NULL, obj freed. */
json_t *l2w_doc_done(json_t *obj, bool ok);

/* The value of a result's cell, NULL for SQL NULL. */
const char *l2w_doc_value(const PGresult *res, int row, int col);

/* A string, or JSON null for NULL. */
json_t *l2w_doc_text(const char *s);

/* A decimal integer column's text as a number, or JSON null for NULL. */
json_t *l2w_doc_int(const char *s);

/* A count column: never NULL, 0 if it were. */
json_t *l2w_doc_count(const PGresult *res, int row, int col);

/* How a column becomes a JSON value; SQL NULL is JSON null in each. */
typedef enum {
    L2W_DOC_TEXT,    /* a string */
    L2W_DOC_INT,     /* a bigint or smaller column's decimal text, as a number */
    L2W_DOC_UINT,    /* an unsigned numeric (a uint64): a number up to INT64_MAX, which is as far as a JSON
                        integer goes here, and its digits as a string above */
} l2w_doc_kind;

typedef struct {
    const char *key;
    int col;
    l2w_doc_kind kind;
} l2w_doc_field;

/* An object of row's columns, one key a field, for the documents that
 * show columns as they are; NULL when out of memory. */
json_t *l2w_doc_row(const PGresult *res, int row, const l2w_doc_field *fields, size_t n);

/* Answers 200 with doc, compact, when ok; frees doc either way. Otherwise,
 * or when it cannot be serialised, L2W_ERR_NOMEM with what in err. */
L2W_MUST_CHECK l2w_status l2w_doc_respond(l2w_web_response *resp, json_t *doc, bool ok, const char *what,
                                          l2w_err *err);

#endif
