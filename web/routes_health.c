/* Liveness and readiness probes. */

#include <stdio.h>
#include <stdlib.h>
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

/* A chain is followed when a head was seen lately and the stored facts
 * keep up with it. The bounds come from the chain's own settings, so a slow
 * poll or a deep confirmation depth is not called lagging: a head within 20
 * polls (at least a minute), and no more than confirmations plus
 * max_head_lag_blocks (how far behind an endpoint may be before it is
 * avoided) between the head and the checkpoint. */
static const char chains_sql[] =
    "SELECT w.name, c.name IS NULL, extract(epoch FROM now() - c.head_seen_at)::bigint::text,"
    " (c.head_number - c.synced_number)::text"
    " FROM unnest($1::text[]) AS w(name) LEFT JOIN chains c ON c.name = w.name ORDER BY w.name";

/* The first chain that is not followed, described in why; why empty when all are. */
static void judge_chains(const l2w_config *cfg, const PGresult *res, char *why, size_t cap)
{
    why[0] = '\0';
    for (int i = 0; i < PQntuples(res) && !why[0]; i++) {
        const char *name = PQgetvalue(res, i, 0);
        const l2w_chain_config *ch = l2w_config_chain(cfg, name);
        if (!ch)
            continue;
        if (strcmp(PQgetvalue(res, i, 1), "t") == 0) {
            snprintf(why, cap, "chain %s: never followed (no row in chains)", name);
            return;
        }
        unsigned long long stale_bound = 20ULL * ch->poll_interval_ms / 1000;
        if (stale_bound < 60)
            stale_bound = 60;
        long long lag_bound = (long long)ch->confirmations + ch->max_head_lag_blocks;
        if (PQgetisnull(res, i, 2)) {
            snprintf(why, cap, "chain %s: no head seen yet", name);
        } else if (strtoll(PQgetvalue(res, i, 2), NULL, 10) > (long long)stale_bound) {
            snprintf(why, cap, "chain %s: last head seen %s s ago (bound %llu s)", name, PQgetvalue(res, i, 2),
                     stale_bound);
        } else if (PQgetisnull(res, i, 3)) {
            snprintf(why, cap, "chain %s: nothing stored yet", name);
        } else if (strtoll(PQgetvalue(res, i, 3), NULL, 10) > lag_bound) {
            snprintf(why, cap, "chain %s: %s blocks behind its head (bound %lld)", name, PQgetvalue(res, i, 3),
                     lag_bound);
        }
    }
}

/* Ready means the store answers and every configured chain is followed
 * within its bounds. ?scope=database asks only the first: the Helm chart's
 * readiness probe uses it, so that while a chain's RPC is down the replicas
 * stay in the Service and the dashboard shows the outage instead of
 * vanishing with it. */
l2w_status l2w_route_readyz(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err)
{
    const char *scope = l2w_web_query(req, "scope");
    if (scope && strcmp(scope, "database") != 0)
        return l2w_web_respond_error(resp, 400, "scope", "scope must be database (or left out for everything)");
    l2w_err why = {{0}};
    l2w_db *db;
    l2w_status st = l2w_db_pool_acquire(req->pool, &db, L2W_WEB_DB_WAIT_MS, &why);
    if (st != L2W_OK)
        return not_ready(resp, why.msg);
    PGresult *res;
    st = l2w_db_exec(db, &res, "SELECT 1", 0, NULL, &why);
    bool one = st == L2W_OK && PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "1") == 0;
    if (st == L2W_OK)
        PQclear(res);
    char *names_literal = NULL;
    PGresult *chains = NULL;
    if (one && !scope) {
        const char *names[L2W_MAX_CHAINS];
        for (size_t i = 0; i < req->cfg->n_chains; i++)
            names[i] = req->cfg->chains[i].name;
        if (l2w_db_text_array_literal(&names_literal, names, req->cfg->n_chains) != L2W_OK) {
            l2w_db_pool_release(req->pool, db);
            l2w_err_set(err, "readyz: out of memory");
            return L2W_ERR_NOMEM;
        }
        const char *params[] = {names_literal};
        st = l2w_db_exec(db, &chains, chains_sql, 1, params, &why);
    }
    l2w_db_pool_release(req->pool, db);
    free(names_literal);
    if (st != L2W_OK)
        return not_ready(resp, why.msg);
    if (!one)
        return not_ready(resp, "database answered SELECT 1 unexpectedly");
    char lagging[300] = "";
    if (chains) {
        judge_chains(req->cfg, chains, lagging, sizeof lagging);
        PQclear(chains);
    }
    if (lagging[0])
        return not_ready(resp, lagging);
    static const char ready[] = "ready\n";
    l2w_web_respond_static(resp, 200, L2W_CT_TEXT, ready, sizeof ready - 1);
    return L2W_OK;
}
