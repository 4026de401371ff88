#include "responder/plan.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/hex.h"
#include "core/log.h"
#include "responder/action.h"

static const l2w_db_stmt insert_response_stmt = {
    "response_insert",
    "INSERT INTO responses (idempotency_key, finding_id, action, chain, mode, signer, to_addr, calldata, params,"
    " deadline, window_start, value, status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'planned')"
    " ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
    12};

static l2w_status insert_row(l2w_db *db, const l2w_action *a, const l2w_action_plan *p, int64_t finding_id,
                             l2w_response_mode mode, const char *signer, bool *planned, l2w_err *err)
{
    char fid[24], to[2 * 20 + 3];
    snprintf(fid, sizeof fid, "%lld", (long long)finding_id);
    l2w_db_bytea_text(to, p->to.b, 20);
    char *calldata = malloc(2 * p->calldata.len + 3);
    char *params = json_dumps(p->params, JSON_COMPACT | JSON_SORT_KEYS);
    if (!calldata || !params) {
        free(calldata);
        free(params);
        l2w_err_set(err, "response %s: out of memory", p->idempotency_key);
        return L2W_ERR_NOMEM;
    }
    l2w_db_bytea_text(calldata, p->calldata.data, p->calldata.len);
    char deadline[24], window_start[24], value[L2W_U256_DEC_LEN];
    l2w_u256_to_dec(value, &p->value);
    snprintf(deadline, sizeof deadline, "%lld", (long long)p->deadline);
    snprintf(window_start, sizeof window_start, "%lld", (long long)p->window_start);
    const char *values[] = {p->idempotency_key, fid,      a->name, p->chain, l2w_response_mode_name(mode),
                            signer,             to,       calldata, params,
                            p->deadline ? deadline : NULL, p->deadline ? window_start : NULL, value};
    PGresult *res;
    l2w_status st = l2w_db_run(db, &res, &insert_response_stmt, values, NULL, NULL, err);
    free(calldata);
    free(params);
    if (st != L2W_OK)
        return st;
    *planned = PQntuples(res) == 1;
    PQclear(res);
    return L2W_OK;
}

void l2w_response_policy(const l2w_action *a, const l2w_finding *f, const l2w_config *cfg, l2w_response_mode *mode,
                         const char **signer)
{
    const l2w_response_rule *rule = l2w_config_response_rule(cfg, f->kind, f->chain);
    if (rule) {
        *mode = rule->mode;
        *signer = rule->signer;
    } else if (a->mode_for) {
        a->mode_for(f, cfg, mode, signer);
    } else {
        *mode = cfg->default_response_mode;
        *signer = NULL;
    }
}

l2w_status l2w_response_plan(l2w_db *db, const l2w_finding *f, int64_t finding_id, const l2w_config *cfg,
                             bool *planned, l2w_err *err)
{
    *planned = false;
    const l2w_action *a = l2w_action_for(f, cfg);
    if (!a)
        return L2W_OK;
    l2w_response_mode mode;
    const char *signer;
    l2w_response_policy(a, f, cfg, &mode, &signer);
    if (mode == L2W_RESPONSE_OFF)
        return L2W_OK;
    l2w_action_plan p;
    l2w_status st = a->plan(f, cfg, &p, err);
    if (st != L2W_OK)
        return st;
    if (!l2w_config_chain(cfg, p.chain)) {
        l2w_err_set(err, "response %s: chain %s is not configured", p.idempotency_key, p.chain);
        st = L2W_ERR_CONFIG;
    }
    if (st == L2W_OK)
        st = insert_row(db, a, &p, finding_id, mode, signer, planned, err);
    if (st == L2W_OK && *planned)
        L2W_INFO("responder", p.chain, "planned (%s): %s", l2w_response_mode_name(mode), p.summary);
    l2w_action_plan_clear(&p);
    return st;
}
