#include "collector/endpoint_store.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

/* The rows travel as one jsonb array, so any number of endpoints is one
 * round trip. Times are epoch milliseconds, turned into timestamps by
 * interval arithmetic, which is exact where to_timestamp's double is not. */
static const l2w_db_stmt store_endpoints_stmt = {
    "l2w_store_endpoints",
    "WITH gone AS (DELETE FROM chain_endpoints WHERE chain = $1 AND endpoint_index >= $2::int) "
    "INSERT INTO chain_endpoints AS c (chain, endpoint_index, label, state, score, head_number, head_seen_at, "
    " resting_until, last_fault, last_fault_at, requests, faults, updated_at) "
    "SELECT $1, r.i, r.label, r.state, r.score, r.head, "
    " timestamptz 'epoch' + r.head_at * interval '1 millisecond', "
    " timestamptz 'epoch' + r.until * interval '1 millisecond', r.fault, "
    " timestamptz 'epoch' + r.fault_at * interval '1 millisecond', r.requests, r.faults, now() "
    "FROM jsonb_to_recordset($3::jsonb) AS r(i int, label text, state text, score float8, head bigint, "
    " head_at bigint, until bigint, fault text, fault_at bigint, requests bigint, faults bigint) "
    "ON CONFLICT (chain, endpoint_index) DO UPDATE SET label = excluded.label, state = excluded.state, "
    " score = excluded.score, head_number = excluded.head_number, head_seen_at = excluded.head_seen_at, "
    " resting_until = excluded.resting_until, last_fault = excluded.last_fault, "
    " last_fault_at = excluded.last_fault_at, requests = excluded.requests, faults = excluded.faults, "
    " updated_at = excluded.updated_at",
    3,
};

/* A bigint that fits, or JSON null for "none". Heads and counts above
 * INT64_MAX would fail the insert: clamped instead, they are no less true. */
static json_t *opt_int(bool has, uint64_t v)
{
    if (!has)
        return json_null();
    return json_integer(v > INT64_MAX ? INT64_MAX : (json_int_t)v);
}

static json_t *row_json(const l2w_rpc_endpoint_snapshot *e)
{
    json_t *row = json_object();
    if (!row)
        return NULL;
    int bad = 0;
    bad |= json_object_set_new(row, "i", json_integer((json_int_t)e->index));
    bad |= json_object_set_new(row, "label", json_string(e->label));
    bad |= json_object_set_new(row, "state", json_string(l2w_rpc_endpoint_state_name(e->state)));
    bad |= json_object_set_new(row, "score", json_real(e->score));
    bad |= json_object_set_new(row, "head", opt_int(e->head_known, e->head));
    bad |= json_object_set_new(row, "head_at", opt_int(e->head_known && e->head_at_ms, e->head_at_ms));
    bad |= json_object_set_new(row, "until", opt_int(e->resting_until_ms != 0, e->resting_until_ms));
    bad |= json_object_set_new(row, "fault",
                               e->has_fault ? json_string(l2w_rpc_fault_name(e->last_fault)) : json_null());
    bad |= json_object_set_new(row, "fault_at", opt_int(e->has_fault, e->last_fault_at_ms));
    bad |= json_object_set_new(row, "requests", opt_int(true, e->requests));
    bad |= json_object_set_new(row, "faults", opt_int(true, e->faults));
    if (bad) {
        json_decref(row);
        return NULL;
    }
    return row;
}

l2w_status l2w_store_endpoints(l2w_db *db, const char *chain, const l2w_rpc_endpoint_snapshot *ep, size_t n,
                               l2w_err *err)
{
    l2w_status st = L2W_ERR_NOMEM;
    char *text = NULL;
    json_t *rows = json_array();
    if (!rows)
        goto out;
    for (size_t i = 0; i < n; i++) {
        if (json_array_append_new(rows, row_json(&ep[i])) != 0)
            goto out;
    }
    if (!(text = json_dumps(rows, JSON_COMPACT | JSON_REAL_PRECISION(17))))
        goto out;
    char count[24];
    snprintf(count, sizeof count, "%zu", n);
    const char *params[] = {chain, count, text};
    st = l2w_db_run(db, NULL, &store_endpoints_stmt, params, NULL, NULL, err);
out:
    if (st == L2W_ERR_NOMEM)
        l2w_err_set(err, "chain %s: endpoint health: out of memory", chain);
    free(text);
    json_decref(rows);
    return st;
}
