/* Liveness and readiness probes. */

#include <stdio.h>
#include <string.h>

#include "core/db.h"
#include "web/routes.h"

/* Alive means this thread could answer; it deliberately checks nothing else,
 * so an orchestrator restarts l2watch only when it is truly wedged. */
l2w_status l2w_route_healthz(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err)
{
    (void)req;
    (void)err;
    static const char ok[] = "ok\n";
    l2w_web_respond_static(resp, 200, L2W_CT_TEXT, ok, sizeof ok - 1);
    return L2W_OK;
}

static l2w_status not_ready(l2w_web_response *resp, const char *reason)
{
    char body[600];
    int n = snprintf(body, sizeof body, "not ready: %s\n", reason);
    size_t len = n < 0 ? 0 : ((size_t)n < sizeof body ? (size_t)n : sizeof body - 1);
    return l2w_web_respond_copy(resp, 503, L2W_CT_TEXT, body, len);
}

/* Ready means the store answers: every other endpoint needs it. */
l2w_status l2w_route_readyz(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err)
{
    (void)err;
    l2w_err why = {{0}};
    l2w_db *db;
    l2w_status st = l2w_db_pool_acquire(req->pool, &db, L2W_WEB_DB_WAIT_MS, &why);
    if (st != L2W_OK)
        return not_ready(resp, why.msg);
    PGresult *res;
    st = l2w_db_exec(db, &res, "SELECT 1", 0, NULL, &why);
    l2w_db_pool_release(req->pool, db);
    if (st != L2W_OK)
        return not_ready(resp, why.msg);
    bool one = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "1") == 0;
    PQclear(res);
    if (!one)
        return not_ready(resp, "database answered SELECT 1 unexpectedly");
    static const char ready[] = "ready\n";
    l2w_web_respond_static(resp, 200, L2W_CT_TEXT, ready, sizeof ready - 1);
    return L2W_OK;
}
