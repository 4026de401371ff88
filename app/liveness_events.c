#include "app/liveness_events.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool l2w_liveness_kind_parse(l2w_liveness_kind *out, const char *name)
{
    static const l2w_liveness_kind kinds[] = {L2W_LIVENESS_BATCHES, L2W_LIVENESS_PROPOSALS, L2W_LIVENESS_L2_HEAD};
    for (size_t i = 0; name && i < sizeof kinds / sizeof kinds[0]; i++) {
        if (strcmp(name, l2w_liveness_kind_name(kinds[i])) == 0) {
            *out = kinds[i];
            return true;
        }
    }
    return false;
}

void l2w_liveness_series_rule(l2w_liveness_config *out, const l2w_liveness_series_config *sc,
                              l2w_liveness_kind kind)
{
    l2w_liveness_config_default(out, kind);
    if (sc->max_interval_s)
        out->max_interval_s = sc->max_interval_s;
    if (sc->min_gap_s)
        out->min_gap_s = sc->min_gap_s;
    if (sc->window)
        out->window = sc->window;
    if (sc->min_samples)
        out->min_samples = sc->min_samples;
    else if (out->min_samples > out->window)
        out->min_samples = out->window; /* the default asks no more than a smaller window holds */
    if (sc->z_threshold)
        out->z_threshold = (double)sc->z_threshold;
}

/* Newest first: the caller turns them around. Times are read as text so a
 * numeric(78,0) too large for a bigint is a row without a time, not a
 * failed query. */
static const l2w_db_stmt events_tail_stmt = {
    "liveness_series_events_tail",
    "SELECT id, ts::text, block_number FROM liveness_events WHERE chain = $1 AND kind = $2 "
    "AND ($4::bigint IS NULL OR ts <= $4::bigint) ORDER BY id DESC LIMIT $3::bigint",
    4};

static const l2w_db_stmt proposals_tail_stmt = {
    "liveness_series_proposals_tail",
    "SELECT l1_block_number, log_index, l1_timestamp::text FROM output_proposals WHERE l2_chain = $1 "
    "AND ($3::numeric IS NULL OR l1_timestamp <= $3::numeric) ORDER BY l1_block_number DESC, log_index DESC "
    "LIMIT $2::bigint",
    3};

/* A decimal column from 0 to 2^64 - 1; false when NULL or anything else. */
static bool cell_u64(const PGresult *res, int row, int col, uint64_t *out)
{
    if (PQgetisnull(res, row, col))
        return false;
    const char *v = PQgetvalue(res, row, col);
    if (v[0] < '0' || v[0] > '9')
        return false;
    char *end;
    errno = 0;
    unsigned long long x = strtoull(v, &end, 10);
    if (*end != '\0' || errno == ERANGE)
        return false;
    *out = x;
    return true;
}

static int64_t cell_i64(const PGresult *res, int row, int col, int64_t if_null)
{
    return PQgetisnull(res, row, col) ? if_null : (int64_t)strtoll(PQgetvalue(res, row, col), NULL, 10);
}

l2w_status l2w_liveness_events_tail(l2w_db *db, l2w_liveness_event *out, size_t max, size_t *n, const char *chain,
                                    l2w_liveness_kind kind, const uint64_t *upto, l2w_err *err)
{
    *n = 0;
    if (max == 0)
        return L2W_OK;
    char limit[24], upto_text[24];
    snprintf(limit, sizeof limit, "%zu", max);
    if (upto)
        snprintf(upto_text, sizeof upto_text, "%llu", (unsigned long long)*upto);
    PGresult *res = NULL;
    l2w_status st = L2W_ERR_INVALID;
    bool ran = false;
    switch (kind) {
    case L2W_LIVENESS_PROPOSALS: {
        const char *params[] = {chain, limit, upto ? upto_text : NULL};
        st = l2w_db_run(db, &res, &proposals_tail_stmt, params, NULL, NULL, err);
        ran = true;
        break;
    }
    case L2W_LIVENESS_BATCHES:
    case L2W_LIVENESS_L2_HEAD: {
        const char *params[] = {chain, l2w_liveness_kind_name(kind), limit, upto ? upto_text : NULL};
        st = l2w_db_run(db, &res, &events_tail_stmt, params, NULL, NULL, err);
        ran = true;
        break;
    }
    case L2W_LIVENESS_PROOFS:
        break;
    }
    if (!ran) {
        l2w_err_set(err, "liveness %s: no stored events for kind %s", chain, l2w_liveness_kind_name(kind));
        return L2W_ERR_INVALID;
    }
    if (st != L2W_OK)
        return st;
    int rows = PQntuples(res);
    if (rows < 0 || (size_t)rows > max)
        rows = (int)max; /* LIMIT holds it; this keeps out's bound local */
    for (int r = 0; r < rows; r++) {
        l2w_liveness_event *e = &out[rows - 1 - r];
        memset(e, 0, sizeof *e);
        if (kind == L2W_LIVENESS_PROPOSALS) {
            e->block = cell_i64(res, r, 0, -1);
            e->log_index = cell_i64(res, r, 1, -1);
            e->has_ts = cell_u64(res, r, 2, &e->ts);
        } else {
            e->id = cell_i64(res, r, 0, 0);
            e->has_ts = cell_u64(res, r, 1, &e->ts);
            e->block = cell_i64(res, r, 2, -1);
            e->log_index = -1;
        }
    }
    PQclear(res);
    *n = (size_t)rows;
    return L2W_OK;
}

size_t l2w_liveness_replay(l2w_liveness *t, l2w_liveness_event *ev, size_t n)
{
    size_t observed = 0;
    bool has_prev = false;
    uint64_t prev = 0;
    for (size_t i = 0; i < n; i++) {
        l2w_liveness_event *e = &ev[i];
        e->observed = false;
        e->has_interval = false;
        e->interval_s = 0;
        if (!e->has_ts)
            continue;
        l2w_liveness_report r;
        l2w_err ignored = {{0}};
        if (l2w_liveness_observe(t, &r, e->ts, &ignored) != L2W_OK)
            continue;
        e->observed = true;
        if (has_prev) {
            e->has_interval = true;
            e->interval_s = e->ts - prev;
        }
        has_prev = true;
        prev = e->ts;
        observed++;
    }
    return observed;
}
