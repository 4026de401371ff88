/* GET /api/v1/committees: every configured committees: entry with its
 * checks counted by result, its last check and its open findings; GET
 * /api/v1/committees/checks: the checks stored, newest first, paged back by
 * L1 block.
 *
 * The first joins the config (members, threshold) to the store, so its
 * documents are built here rather than in SQL; its figures come from
 * l2w_web_committees_load, which the dashboard's DA page reads too. */

#include "web/routes_committees.h"

#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/json.h"
#include "web/json_doc.h"
#include "web/params.h"
#include "web/routes.h"

#define CHECKS_DEFAULT_LIMIT 100
#define CHECKS_MAX_LIMIT 500

#define RESULT_ENTRY(id, name, failed) [L2W_WEB_CR_##id] = {name, failed},
#define RESULT_COUNT_SQL(id, name, failed) ", count(*) FILTER (WHERE x.result = '" name "')::text"
#define RESULT_NAME_TEXT(id, name, failed) " " name

const l2w_web_committee_result l2w_web_committee_results[L2W_WEB_COMMITTEE_RESULTS] = {
    L2W_WEB_COMMITTEE_RESULT_LIST(RESULT_ENTRY)};

/* ---- loading ---- */

/* The counts scan the chain's checks: one a sequence, some tens of
 * thousands a year, which PostgreSQL counts in milliseconds. The last
 * check is the newest by the order the checks route pages in. */
static const char committees_sql[] =
    "SELECT c.*, l.batch::text, l.result, l.block_number::text, '0x' || encode(l.tx_hash, 'hex'),"
    " floor(extract(epoch FROM l.checked_at))::bigint::text,"
    " (SELECT count(*) FROM findings f WHERE f.kind = 'committee_threshold_missed' AND f.chain = d.chain"
    "   AND f.status = 'open')::text"
    " FROM unnest($1::text[]) WITH ORDINALITY AS d(chain, i)"
    " CROSS JOIN LATERAL (SELECT count(*)::text AS total" L2W_WEB_COMMITTEE_RESULT_LIST(RESULT_COUNT_SQL)
    "   FROM committee_checks x WHERE x.chain = d.chain) c"
    " LEFT JOIN LATERAL (SELECT x.batch, x.result, x.block_number, x.tx_hash, x.checked_at FROM committee_checks x"
    "   WHERE x.chain = d.chain ORDER BY x.block_number DESC, x.log_index DESC LIMIT 1) l ON true"
    " ORDER BY d.i";

l2w_status l2w_web_committees_load(PGresult **out, l2w_db *db, const l2w_config *cfg, l2w_err *err)
{
    *out = NULL;
    if (cfg->n_committees == 0)
        return L2W_OK;
    const char *names[L2W_MAX_COMMITTEES];
    for (size_t i = 0; i < cfg->n_committees; i++)
        names[i] = cfg->committees[i].chain;
    char *literal;
    if (l2w_db_text_array_literal(&literal, names, cfg->n_committees) != L2W_OK) {
        l2w_err_set(err, "committees: out of memory");
        return L2W_ERR_NOMEM;
    }
    const char *params[] = {literal};
    l2w_status st = l2w_db_exec(db, out, committees_sql, 1, params, err);
    free(literal);
    if (st != L2W_OK)
        return st;
    if (PQntuples(*out) != (int)cfg->n_committees || PQnfields(*out) != L2W_WK_COLUMNS) {
        /* Anything else would pair a figure with the wrong committee. */
        l2w_err_set(err, "committees: query answered %d rows of %d columns, expected %zu of %d", PQntuples(*out),
                    PQnfields(*out), cfg->n_committees, L2W_WK_COLUMNS);
        PQclear(*out);
        *out = NULL;
        return L2W_ERR_DB;
    }
    return L2W_OK;
}

/* ---- GET /api/v1/committees ---- */

static json_t *members_doc(const l2w_committee_config *m)
{
    json_t *list = json_array();
    for (size_t j = 0; list && j < m->n_members; j++) {
        if (json_array_append_new(list, l2w_json_addr(&m->members[j])) != 0) {
            json_decref(list);
            return NULL;
        }
    }
    return list;
}

static json_t *counts_doc(const PGresult *res, int row)
{
    json_t *doc = json_object();
    bool ok = doc != NULL;
    for (int i = 0; ok && i < L2W_WEB_COMMITTEE_RESULTS; i++)
        ok = l2w_doc_set(doc, l2w_web_committee_results[i].name, l2w_doc_count(res, row, L2W_WK_COUNT + i));
    return l2w_doc_done(doc, ok);
}

static json_t *last_check_doc(const PGresult *res, int row)
{
    static const l2w_doc_field fields[] = {
        {"batch", L2W_WK_LAST_BATCH, L2W_DOC_UINT},
        {"result", L2W_WK_LAST_RESULT, L2W_DOC_TEXT},
        {"block_number", L2W_WK_LAST_BLOCK, L2W_DOC_INT},
        {"tx_hash", L2W_WK_LAST_TX, L2W_DOC_TEXT},
        {"checked_at", L2W_WK_LAST_CHECKED, L2W_DOC_INT},
    };
    if (!l2w_doc_value(res, row, L2W_WK_LAST_BLOCK))
        return json_null();
    return l2w_doc_row(res, row, fields, sizeof fields / sizeof fields[0]);
}

static json_t *committee_doc(const l2w_committee_config *m, const PGresult *res, int row)
{
    json_t *doc = json_object();
    bool ok = doc != NULL;
    ok = ok && l2w_doc_set(doc, "chain", json_string(m->chain));
    ok = ok && l2w_doc_set(doc, "l1", json_string(m->l1));
    ok = ok && l2w_doc_set(doc, "rollup", l2w_json_addr(&m->rollup));
    ok = ok && l2w_doc_set(doc, "members", members_doc(m));
    ok = ok && l2w_doc_set(doc, "threshold", json_integer(m->threshold));
    ok = ok && l2w_doc_set(doc, "checks", counts_doc(res, row));
    ok = ok && l2w_doc_set(doc, "last_check", last_check_doc(res, row));
    ok = ok && l2w_doc_set(doc, "open_findings", l2w_doc_count(res, row, L2W_WK_OPEN_FINDINGS));
    return l2w_doc_done(doc, ok);
}

l2w_status l2w_route_committees(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err)
{
    const l2w_config *cfg = req->cfg;
    l2w_db *db;
    l2w_status st = l2w_db_pool_acquire(req->pool, &db, L2W_WEB_DB_WAIT_MS, err);
    if (st != L2W_OK)
        return st;
    PGresult *res;
    st = l2w_web_committees_load(&res, db, cfg, err);
    l2w_db_pool_release(req->pool, db);
    if (st != L2W_OK)
        return st;
    json_t *doc = json_object(), *list = json_array();
    bool ok = doc && list;
    for (size_t i = 0; ok && i < cfg->n_committees; i++)
        ok = json_array_append_new(list, committee_doc(&cfg->committees[i], res, (int)i)) == 0;
    PQclear(res);
    ok = ok && l2w_doc_set(doc, "now", json_integer((json_int_t)time(NULL)));
    ok = l2w_doc_set(doc, "committees", list) && ok;
    return l2w_doc_respond(resp, doc, ok, "committees", err);
}

/* ---- GET /api/v1/committees/checks ---- */

enum {
    CK_CHAIN = 0,
    CK_L1_CHAIN,
    CK_BLOCK,
    CK_BLOCK_HASH,
    CK_LOG_INDEX,
    CK_TX,
    CK_BATCH,
    CK_FORK,
    CK_BATCHES,
    CK_SIGNED_HASH,
    CK_RESULT,
    CK_SIGNATURES,
    CK_VALID,
    CK_THRESHOLD,
    CK_DETAIL,
    CK_FINDING,
    CK_CHECKED_AT,
    CK_COLUMNS
};

static const l2w_doc_field check_fields[] = {
    {"chain", CK_CHAIN, L2W_DOC_TEXT},
    {"l1_chain", CK_L1_CHAIN, L2W_DOC_TEXT},
    {"block_number", CK_BLOCK, L2W_DOC_INT},
    {"block_hash", CK_BLOCK_HASH, L2W_DOC_TEXT},
    {"log_index", CK_LOG_INDEX, L2W_DOC_INT},
    {"tx_hash", CK_TX, L2W_DOC_TEXT},
    {"batch", CK_BATCH, L2W_DOC_UINT},
    {"fork", CK_FORK, L2W_DOC_TEXT},
    {"batches", CK_BATCHES, L2W_DOC_INT},
    {"signed_hash", CK_SIGNED_HASH, L2W_DOC_TEXT},
    {"result", CK_RESULT, L2W_DOC_TEXT},
    {"signatures", CK_SIGNATURES, L2W_DOC_INT},
    {"valid", CK_VALID, L2W_DOC_INT},
    {"threshold", CK_THRESHOLD, L2W_DOC_INT},
    {"detail", CK_DETAIL, L2W_DOC_TEXT},
    {"finding_id", CK_FINDING, L2W_DOC_INT},
    {"checked_at", CK_CHECKED_AT, L2W_DOC_INT},
};
static_assert(sizeof check_fields / sizeof check_fields[0] == CK_COLUMNS, "a key for every column");

/* $1 chain, $2 result, $3 before: each NULL for no filter. */
#define CHECKS_FILTER(t)                                                                                               \
    " (($1::text IS NULL OR " t ".chain = $1::text) AND ($2::text IS NULL OR " t ".result = $2::text)"                \
    " AND ($3::bigint IS NULL OR " t ".block_number < $3::bigint))"

/* The cursor is an L1 block number, and one block may hold several checks
 * (two validiums, or two sequences, in one block), so a page holds whole
 * blocks: those of its first $4 checks (cut: the block of the $4-th), and
 * then the newest check below them, if any, to say that a next page
 * exists. page_end() makes the page from that. */
static const char checks_sql[] =
    "WITH cut AS (SELECT x.block_number FROM committee_checks x WHERE" CHECKS_FILTER("x")
    "   ORDER BY x.block_number DESC, x.log_index DESC OFFSET $4::bigint - 1 LIMIT 1),"
    " page AS (SELECT c.* FROM committee_checks c WHERE" CHECKS_FILTER("c")
    "   AND c.block_number >= coalesce((SELECT block_number FROM cut), 0)"
    "  UNION ALL"
    "  (SELECT c.* FROM committee_checks c WHERE" CHECKS_FILTER("c")
    "   AND c.block_number < (SELECT block_number FROM cut)"
    "   ORDER BY c.block_number DESC, c.log_index DESC LIMIT 1))"
    " SELECT chain, l1_chain, block_number::text, '0x' || encode(block_hash, 'hex'), log_index::text,"
    " '0x' || encode(tx_hash, 'hex'), batch::text, fork, batches::text, '0x' || encode(signed_hash, 'hex'), result,"
    " signatures::text, valid::text, threshold::text, detail, finding_id::text,"
    " floor(extract(epoch FROM checked_at))::bigint::text"
    " FROM page ORDER BY page.block_number DESC, page.log_index DESC"; /* the columns, not the text outputs */

static bool same_block(const PGresult *res, int a, int b)
{
    return strcmp(PQgetvalue(res, a, CK_BLOCK), PQgetvalue(res, b, CK_BLOCK)) == 0;
}

/* How many of the rows checks_sql answered make the page, and whether
 * older checks follow. The rows are whole blocks, then perhaps one check
 * of an older block, there only to say that more follow. When the whole
 * blocks pass limit, the last of them is left to the next page, which
 * starts below the last block shown; a single block of more than limit
 * checks cannot be split, and makes a page longer than limit. */
static int page_end(const PGresult *res, unsigned limit, bool *more)
{
    int n = PQntuples(res);
    *more = false;
    if (n > (int)limit && !same_block(res, n - 1, n - 2)) {
        *more = true;
        n--;
    }
    if (n > (int)limit) {
        int first = n - 1; /* of the last block */
        while (first > 0 && same_block(res, first - 1, n - 1))
            first--;
        if (first > 0) {
            *more = true;
            n = first;
        }
    }
    return n;
}

static const l2w_committee_config *committee_of(const l2w_config *cfg, const char *chain)
{
    for (size_t i = 0; i < cfg->n_committees; i++)
        if (strcmp(cfg->committees[i].chain, chain) == 0)
            return &cfg->committees[i];
    return NULL;
}

static bool known_result(const char *text)
{
    for (size_t i = 0; i < L2W_WEB_COMMITTEE_RESULTS; i++)
        if (strcmp(text, l2w_web_committee_results[i].name) == 0)
            return true;
    return false;
}

static l2w_status checks_load(PGresult **out, const l2w_web_request *req, const char *chain, const char *result,
                              const char *before, unsigned limit, l2w_err *err)
{
    char limit_text[16];
    snprintf(limit_text, sizeof limit_text, "%u", limit);
    const char *params[] = {chain, result, before, limit_text};
    l2w_db *db;
    l2w_status st = l2w_db_pool_acquire(req->pool, &db, L2W_WEB_DB_WAIT_MS, err);
    if (st != L2W_OK)
        return st;
    st = l2w_db_exec(db, out, checks_sql, 4, params, err);
    l2w_db_pool_release(req->pool, db);
    if (st == L2W_OK && PQnfields(*out) != CK_COLUMNS) {
        l2w_err_set(err, "committee checks: query answered %d columns", PQnfields(*out));
        PQclear(*out);
        *out = NULL;
        st = L2W_ERR_DB;
    }
    return st;
}

l2w_status l2w_route_committee_checks(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err)
{
    const char *chain = l2w_web_query(req, "chain");
    if (chain && !committee_of(req->cfg, chain))
        return l2w_web_respond_error(resp, 400, "chain", "chain must name a chain with a committees: entry");
    const char *result = l2w_web_query(req, "result");
    if (result && !known_result(result))
        return l2w_web_respond_error(resp, 400, "result",
                                     "result must be one of:" L2W_WEB_COMMITTEE_RESULT_LIST(RESULT_NAME_TEXT));
    unsigned limit;
    if (l2w_web_parse_limit(&limit, l2w_web_query(req, "limit"), CHECKS_DEFAULT_LIMIT, CHECKS_MAX_LIMIT) != L2W_OK)
        return l2w_web_respond_error(resp, 400, "limit", "limit must be an integer from 1 to 500");
    int64_t before; /* only checked: the text goes to the query, canonical once it parses */
    const char *before_text = l2w_web_query(req, "before");
    if (before_text && l2w_web_parse_id(&before, before_text) != L2W_OK)
        return l2w_web_respond_error(resp, 400, "before", "before must be an L1 block number, an integer from 1");

    PGresult *res;
    l2w_status st = checks_load(&res, req, chain, result, before_text, limit, err);
    if (st != L2W_OK)
        return st;
    bool more;
    int shown = page_end(res, limit, &more);
    json_t *doc = json_object(), *list = json_array();
    bool ok = doc && list;
    for (int i = 0; ok && i < shown; i++)
        ok = json_array_append_new(list, l2w_doc_row(res, i, check_fields, CK_COLUMNS)) == 0;
    ok = l2w_doc_set(doc, "checks", list) && ok;
    /* Checks below the last block shown: that block is whole on this page. */
    ok = ok && l2w_doc_set(doc, "next_before", more ? l2w_doc_int(PQgetvalue(res, shown - 1, CK_BLOCK)) : json_null());
    PQclear(res);
    return l2w_doc_respond(resp, doc, ok, "committee checks", err);
}
