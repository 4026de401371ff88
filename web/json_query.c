/* The shared shape of a JSON API route: one query builds the whole document
 * in PostgreSQL (jsonb_build_object / jsonb_agg), which also gets numeric,
 * bytea and timestamp formatting right in one place. */

#include "core/db.h"
#include "web/routes.h"

l2w_status l2w_web_db_exec(const l2w_web_request *req, PGresult **res, const char *sql, int nparams,
                           const char *const *params, l2w_err *err)
{
    l2w_db *db;
    l2w_status st = l2w_db_pool_acquire(req->pool, &db, L2W_WEB_DB_WAIT_MS, err);
    if (st != L2W_OK)
        return st;
    st = l2w_db_exec(db, res, sql, nparams, params, err);
    l2w_db_pool_release(req->pool, db);
    return st;
}

l2w_status l2w_web_json_query(l2w_web_response *resp, const l2w_web_request *req, const char *sql, int nparams,
                              const char *const *params, const char *not_found_message, l2w_err *err)
{
    return l2w_web_json_query_param(resp, req, sql, nparams, params, NULL, not_found_message, err);
}

l2w_status l2w_web_json_query_param(l2w_web_response *resp, const l2w_web_request *req, const char *sql, int nparams,
                                    const char *const *params, const char *not_found_param,
                                    const char *not_found_message, l2w_err *err)
{
    PGresult *res;
    l2w_status st = l2w_web_db_exec(req, &res, sql, nparams, params, err);
    if (st != L2W_OK)
        return st;
    if (PQntuples(res) == 0 || PQgetisnull(res, 0, 0)) {
        PQclear(res);
        return l2w_web_respond_error(resp, 404, not_found_param, not_found_message);
    }
    st = l2w_web_respond_copy(resp, 200, L2W_CT_JSON, PQgetvalue(res, 0, 0), (size_t)PQgetlength(res, 0, 0));
    PQclear(res);
    return st;
}
