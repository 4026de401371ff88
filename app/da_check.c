#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/da_guard_internal.h"
#include "app/finding_store.h"
#include "collector/rpc_url.h"
#include "core/hex.h"
#include "core/log.h"
#include "detectors/data_withheld.h"

/* A commitment is pending until one round over the DA servers serves bytes
 * whose keccak256 is the commitment. Servers that time out, answer 500 or
 * 404 or refuse the connection are asked again, later each time (retry_ms
 * doubling up to retry_max_ms), until the block's time plus
 * fetch_deadline_s: then the data is withheld. A server that answers other
 * bytes settles it at once: nothing will make that answer right, and the
 * challenge window is running. */

#define CHECKS_PER_STEP 8


static l2w_status parse_row(PGresult *res, int i, da_pending *r, l2w_err *err)
{
    memset(r, 0, sizeof *r);
    snprintf(r->id, sizeof r->id, "%s", PQgetvalue(res, i, 0));
    r->blob = strcmp(PQgetvalue(res, i, 1), "blob") == 0;
    r->commitment_len = r->blob ? 32 : 33;
    r->block_number = strtoull(PQgetvalue(res, i, 3), NULL, 10);
    r->block_timestamp = strtoull(PQgetvalue(res, i, 5), NULL, 10);
    r->attempts = (uint32_t)strtoul(PQgetvalue(res, i, 7), NULL, 10);
    r->blob_index = (uint32_t)strtoul(PQgetvalue(res, i, 8), NULL, 10);
    if (l2w_db_bytea_parse(r->commitment, r->commitment_len, PQgetvalue(res, i, 2)) != L2W_OK ||
        l2w_db_bytea_parse(r->block_hash.b, 32, PQgetvalue(res, i, 4)) != L2W_OK ||
        l2w_db_bytea_parse(r->tx_hash.b, 32, PQgetvalue(res, i, 6)) != L2W_OK) {
        l2w_err_set(err, "da_commitments %s: malformed row", r->id);
        return L2W_ERR_DB;
    }
    return L2W_OK;
}

static uint64_t retry_delay_ms(const l2w_da_config *da, uint32_t attempts)
{
    uint64_t d = da->retry_ms;
    for (uint32_t i = 1; i < attempts && d < da->retry_max_ms; i++)
        d *= 2;
    return d < da->retry_max_ms ? d : da->retry_max_ms;
}

l2w_status l2w_da_mark_available(l2w_db *db, const da_pending *r, const char *server, size_t bytes, l2w_err *err)
{
    /* A configured URL may carry a key; the database gets its shown form. */
    char n[24], shown[L2W_RPC_URL_SHOWN_MAX];
    snprintf(n, sizeof n, "%zu", bytes);
    l2w_rpc_url_shown(shown, sizeof shown, server);
    const char *params[] = {r->id, shown, n};
    return l2w_db_exec(db, NULL,
                       "UPDATE da_commitments SET status = 'available', attempts = attempts + 1, served_by = $2, "
                       "data_bytes = $3::integer, checked_at = now(), last_error = NULL WHERE id = $1::bigint",
                       3, params, err);
}

l2w_status l2w_da_schedule_retry(da_ctx *c, l2w_db *db, const da_pending *r, const char *why, l2w_err *err)
{
    char delay[24];
    snprintf(delay, sizeof delay, "%llu", (unsigned long long)retry_delay_ms(c->da, r->attempts + 1));
    const char *params[] = {r->id, delay, why};
    return l2w_db_exec(db, NULL,
                       "UPDATE da_commitments SET attempts = attempts + 1, last_error = $3, "
                       "next_try_at = now() + make_interval(secs => $2::bigint / 1000.0) WHERE id = $1::bigint",
                       3, params, err);
}

static void withheld_facts(da_ctx *c, const da_pending *r, l2w_withheld_reason reason, const char *detail,
                           l2w_withheld_facts *w)
{
    memset(w, 0, sizeof *w);
    w->chain = c->da->chain;
    w->l1_chain = c->l1->name;
    w->l1_block = r->block_number;
    w->l1_block_hash = r->block_hash;
    w->l1_block_timestamp = r->block_timestamp;
    w->tx_hash = r->tx_hash;
    w->blob = r->blob;
    w->commitment = r->commitment;
    w->commitment_len = r->commitment_len;
    w->blob_index = r->blob_index;
    w->reason = reason;
    w->detail = detail;
    w->attempts = r->attempts + 1;
    w->deadline = r->block_timestamp + c->da->fetch_deadline_s;
    w->challengeable = !r->blob && c->da->has_challenge_contract && c->have_params;
    if (w->challengeable) {
        w->challenge_contract = c->da->challenge_contract;
        w->bond_size = c->params.bond_size;
        w->challenge_window = c->params.challenge_window;
        w->l1_block_time_s = c->da->l1_block_time_s;
    }
}

/* The row and its finding in one transaction: a crash leaves either both or
 * the row still pending (and the next round raises the same finding). */
l2w_status l2w_da_mark_withheld(da_ctx *c, l2w_db *db, const da_pending *r, l2w_withheld_reason reason,
                                const char *detail, l2w_err *err)
{
    l2w_withheld_facts w;
    withheld_facts(c, r, reason, detail, &w);
    l2w_finding f;
    l2w_status st = l2w_data_withheld_finding(&f, &w, err);
    if (st != L2W_OK)
        return st;
    int64_t id = 0;
    bool created = false;
    char fid[24];
    if ((st = l2w_db_begin(db, err)) == L2W_OK) {
        st = l2w_finding_raise(db, &f, c->cfg, &id, &created, err);
        snprintf(fid, sizeof fid, "%lld", (long long)id);
        const char *params[] = {r->id, detail, fid};
        if (st == L2W_OK)
            st = l2w_db_exec(db, NULL,
                             "UPDATE da_commitments SET status = 'withheld', attempts = attempts + 1, "
                             "last_error = $2, checked_at = now(), finding_id = $3::bigint WHERE id = $1::bigint",
                             3, params, err);
        st = l2w_db_end(db, st, err);
    }
    if (st == L2W_OK && created) {
        c->raised = true;
        L2W_UNUSUAL("da", c->da->chain, "%s: %s", f.title, detail);
    }
    l2w_finding_clear(&f);
    return st;
}

static l2w_status check_keccak(da_ctx *c, l2w_db *db, const da_pending *r, l2w_err *err)
{
    const l2w_da_limits lim = {.timeout_ms = c->da->fetch_timeout_ms, .max_bytes = c->da->max_data_bytes};
    l2w_da_round round;
    l2w_status st = l2w_da_fetch_round(c->http, &round, c->da->servers, c->da->n_servers, r->commitment,
                                       r->commitment_len, &lim, err);
    if (st != L2W_OK)
        return st;
    bool late = (uint64_t)time(NULL) >= r->block_timestamp + c->da->fetch_deadline_s;
    switch (round.verdict) {
    case L2W_DA_AVAILABLE:
        l2w_counter_add(c->checks_passed, 1);
        st = l2w_da_mark_available(db, r, c->da->servers[round.server], round.data_len, err);
        break;
    case L2W_DA_WRONG_DATA:
        l2w_counter_add(c->checks_failed, 1);
        st = l2w_da_mark_withheld(c, db, r, L2W_WITHHELD_WRONG_DATA, round.evidence, err);
        break;
    case L2W_DA_UNAVAILABLE:
        if (late) {
            l2w_counter_add(c->checks_failed, 1);
            st = l2w_da_mark_withheld(c, db, r, L2W_WITHHELD_UNRETRIEVABLE, round.evidence, err);
        } else {
            L2W_DEBUG("da", c->da->chain, "commitment %s not served yet (round %u): %s", r->id,
                      (unsigned)(r->attempts + 1), round.evidence);
            st = l2w_da_schedule_retry(c, db, r, round.evidence, err);
        }
        break;
    }
    l2w_da_round_clear(&round);
    return st;
}

l2w_status l2w_da_check_step(da_ctx *c, l2w_db *db, l2w_err *err)
{
    if (c->da->has_challenge_contract && !c->have_params) {
        /* A finding raised without them could not be answered. */
        l2w_status st = l2w_da_load_params(c, err);
        if (st != L2W_OK)
            return st;
    }
    char limit[8];
    snprintf(limit, sizeof limit, "%d", CHECKS_PER_STEP);
    const char *params[] = {c->da->chain, limit};
    PGresult *res;
    l2w_status st = l2w_db_exec(db, &res,
                                "SELECT id, kind, commitment, block_number, block_hash, block_timestamp, tx_hash, "
                                "attempts, blob_index FROM da_commitments WHERE chain = $1 AND status = 'pending' "
                                "AND next_try_at <= now() ORDER BY next_try_at, id LIMIT $2::integer",
                                2, params, err);
    if (st != L2W_OK)
        return st;
    for (int i = 0; st == L2W_OK && i < PQntuples(res); i++) {
        da_pending r;
        st = parse_row(res, i, &r, err);
        if (st == L2W_OK)
            st = r.blob ? l2w_da_check_blob(c, db, &r, err) : check_keccak(c, db, &r, err);
    }
    PQclear(res);
    return st;
}
