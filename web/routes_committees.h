#ifndef L2W_WEB_ROUTES_COMMITTEES_H
#define L2W_WEB_ROUTES_COMMITTEES_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "core/config.h"
#include "core/db.h"
#include "core/status.h"

/* Validium committees on the web: the figures of every committees: entry,
 * read here once and shown by GET /api/v1/committees (web/routes_committees.c)
 * and the dashboard's DA page (web/routes_dashboard_da.c), so both say the
 * same numbers. */

/* The results a committee_checks row holds, in the order of the CHECK list
 * of sql/0009_committees.sql: (id, name, failed), failed for a verdict on
 * the signatures, one that raises committee_threshold_missed. The one list:
 * the ids, the names, the counting columns and the refusal of an unknown
 * result are all made from it. */
#define L2W_WEB_COMMITTEE_RESULT_LIST(X)                                                                               \
    X(OK, "ok", false)                                                                                                 \
    X(BELOW_THRESHOLD, "below_threshold", true)                                                                        \
    X(UNKNOWN_SIGNER, "unknown_signer", true)                                                                          \
    X(OUT_OF_ORDER, "out_of_order", true)                                                                              \
    X(BAD_SIGNATURE, "bad_signature", true)                                                                            \
    X(MALFORMED, "malformed", true)                                                                                    \
    X(MEMBERS_MISMATCH, "members_mismatch", true)                                                                      \
    X(NOT_SIGNED, "not_signed", false)                                                                                 \
    X(UNREADABLE, "unreadable", false)

#define L2W_WEB_CR_ID(id, name, failed) L2W_WEB_CR_##id,
enum { L2W_WEB_COMMITTEE_RESULT_LIST(L2W_WEB_CR_ID) L2W_WEB_COMMITTEE_RESULTS };
#undef L2W_WEB_CR_ID

typedef struct {
    const char *name;
    bool failed;
} l2w_web_committee_result;

/* By id (L2W_WEB_CR_OK ...). */
extern const l2w_web_committee_result l2w_web_committee_results[L2W_WEB_COMMITTEE_RESULTS];

/* Columns of l2w_web_committees_load's result: one row per
 * cfg->committees[], in order. Counts are never NULL; the last check's
 * columns are NULL while the chain has none. */
enum {
    L2W_WK_TOTAL = 0,        /* checks stored for the chain */
    L2W_WK_COUNT,            /* column L2W_WK_COUNT + id: checks of result id (L2W_WEB_CR_...) */
    L2W_WK_LAST_BATCH = L2W_WK_COUNT + L2W_WEB_COMMITTEE_RESULTS, /* the newest check (by block, log): its batch, */
    L2W_WK_LAST_RESULT,      /* result, */
    L2W_WK_LAST_BLOCK,       /* L1 block, */
    L2W_WK_LAST_TX,          /* transaction (0x hex) */
    L2W_WK_LAST_CHECKED,     /* and when it was checked (unix s) */
    L2W_WK_OPEN_FINDINGS,    /* open committee_threshold_missed findings of the chain */
    L2W_WK_COLUMNS
};

/* Reads the figures of cfg's committees on db into *out (freed with
 * PQclear); *out is NULL when cfg has none, and on failure. */
L2W_MUST_CHECK l2w_status l2w_web_committees_load(PGresult **out, l2w_db *db, const l2w_config *cfg, l2w_err *err);

#endif
