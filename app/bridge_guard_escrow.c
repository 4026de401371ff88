#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/bridge_guard_internal.h"
#include "app/finding_store.h"
#include "collector/bridge_events.h"
#include "collector/bridge_reads.h"
#include "collector/eth.h"
#include "core/log.h"
#include "detectors/bridge_backing.h"
#include "detectors/escrow_drawdown.h"
#include "detectors/outflow_anomaly.h"

/* ---- escrow samples ---- */

#define EVENT_BLOCKS_PER_PASS 500

static const l2w_bridge_token *token_by_key(const bridge_ctx *c, const char *key, size_t *index)
{
    for (size_t i = 0; i < c->bridge->n_tokens; i++) {
        char k[43];
        l2w_token_key(k, c->bridge->tokens[i].native, &c->bridge->tokens[i].address);
        if (strcmp(k, key) == 0) {
            *index = i;
            return &c->bridge->tokens[i];
        }
    }
    return NULL;
}

/* The configured tokens' keys as a PostgreSQL text[] literal. */
static void token_keys_array(const bridge_ctx *c, char *out, size_t size)
{
    size_t len = (size_t)snprintf(out, size, "{");
    for (size_t i = 0; i < c->bridge->n_tokens && len < size; i++) {
        char k[43];
        l2w_token_key(k, c->bridge->tokens[i].native, &c->bridge->tokens[i].address);
        len += (size_t)snprintf(out + len, size - len, "%s%s", i ? "," : "", k);
    }
    if (len < size)
        snprintf(out + len, size - len, "}");
}

/* outflow = the fall from the previous sample (0 when the balance rose). */
static l2w_status store_sample(bridge_ctx *c, l2w_db *db, size_t token, uint64_t number, const char *hash_bytea,
                               uint64_t timestamp, const l2w_u256 *balance, l2w_err *err)
{
    const l2w_bridge_token *t = &c->bridge->tokens[token];
    char key[43], n[24], ts[24], bal[L2W_U256_DEC_LEN];
    l2w_token_key(key, t->native, &t->address);
    snprintf(n, sizeof n, "%llu", (unsigned long long)number);
    snprintf(ts, sizeof ts, "%llu", (unsigned long long)timestamp);
    l2w_u256_to_dec(bal, balance);
    const char *params[] = {c->bridge->chain, hash_bytea, n, ts, c->bridge->name, key, bal};
    l2w_status st = l2w_db_exec(
        db, NULL,
        "INSERT INTO escrow_samples (chain, block_hash, block_number, block_timestamp, bridge, token, balance, outflow) "
        "SELECT $1, $2, $3, $4, $5, $6, $7::numeric, GREATEST(coalesce((SELECT balance FROM escrow_samples "
        "WHERE bridge = $5 AND token = $6 AND block_number < $3::bigint ORDER BY block_number DESC LIMIT 1), "
        "$7::numeric) - $7::numeric, 0) ON CONFLICT DO NOTHING",
        7, params, err);
    const char *status[] = {c->bridge->name, key, bal, n};
    if (st == L2W_OK)
        st = l2w_db_exec(db, NULL,
                         "INSERT INTO bridge_status (bridge, token, escrow, escrow_block) VALUES ($1, $2, $3, $4) "
                         "ON CONFLICT (bridge, token) DO UPDATE SET escrow = $3, escrow_block = $4, updated_at = now() "
                         "WHERE bridge_status.escrow_block IS NULL OR bridge_status.escrow_block <= $4::bigint",
                         4, status, err);
    if (st == L2W_OK)
        l2w_gauge_set(c->tokens[token].escrow, l2w_u256_to_double(balance));
    return st;
}

/* Every block where an event moved a configured token's escrow. */
static l2w_status sample_event_blocks(bridge_ctx *c, l2w_db *db, l2w_err *err)
{
    char keys[L2W_MAX_BRIDGE_TOKENS * 44 + 4], limit[16];
    token_keys_array(c, keys, sizeof keys);
    snprintf(limit, sizeof limit, "%d", EVENT_BLOCKS_PER_PASS);
    const char *params[] = {c->bridge->name, c->bridge->chain, keys, limit};
    PGresult *res;
    l2w_status st = l2w_db_exec(
        db, &res,
        "SELECT DISTINCT e.block_number, e.block_hash, e.block_timestamp, e.token FROM bridge_events e "
        "WHERE e.bridge = $1 AND e.chain = $2 AND e.token = ANY($3::text[]) "
        "AND e.kind IN ('withdrawal_finalized', 'deposit', 'release') AND NOT EXISTS (SELECT 1 FROM escrow_samples s "
        "WHERE s.chain = e.chain AND s.block_hash = e.block_hash AND s.bridge = e.bridge AND s.token = e.token) "
        "ORDER BY e.block_number LIMIT $4::int",
        4, params, err);
    if (st != L2W_OK)
        return st;
    for (int i = 0; st == L2W_OK && i < PQntuples(res); i++) {
        size_t token;
        if (!token_by_key(c, PQgetvalue(res, i, 3), &token))
            continue;
        l2w_hash hash;
        if (l2w_db_bytea_parse(hash.b, 32, PQgetvalue(res, i, 1)) != L2W_OK) {
            l2w_err_set(err, "bridge %s: stored block hash is malformed", c->bridge->name);
            st = L2W_ERR_DB;
            break;
        }
        l2w_u256 balance;
        st = l2w_read_escrow_balance(c->rpc, &c->bridge->tokens[token], &hash, &balance, err);
        if (st == L2W_OK)
            st = store_sample(c, db, token, strtoull(PQgetvalue(res, i, 0), NULL, 10), PQgetvalue(res, i, 1),
                              strtoull(PQgetvalue(res, i, 2), NULL, 10), &balance, err);
    }
    PQclear(res);
    return st;
}

/* The synced tip of the escrow chain, so a fall without a watched event
 * (a drain through some other path) is seen within one pass. Stored only
 * when the balance moved since the last sample. */
static l2w_status sample_tip(bridge_ctx *c, l2w_db *db, l2w_err *err)
{
    const char *params[] = {c->bridge->chain};
    PGresult *tip;
    l2w_status st = l2w_db_exec(db, &tip,
                                "SELECT b.number, b.hash, b.timestamp FROM chains c JOIN blocks b "
                                "ON b.chain = c.name AND b.number = c.synced_number WHERE c.name = $1",
                                1, params, err);
    if (st != L2W_OK)
        return st;
    if (PQntuples(tip) != 1) {
        PQclear(tip);
        return L2W_OK; /* nothing followed yet */
    }
    l2w_hash hash;
    if (l2w_db_bytea_parse(hash.b, 32, PQgetvalue(tip, 0, 1)) != L2W_OK) {
        PQclear(tip);
        l2w_err_set(err, "bridge %s: stored tip hash is malformed", c->bridge->name);
        return L2W_ERR_DB;
    }
    uint64_t number = strtoull(PQgetvalue(tip, 0, 0), NULL, 10);
    for (size_t i = 0; st == L2W_OK && i < c->bridge->n_tokens; i++) {
        const l2w_bridge_token *t = &c->bridge->tokens[i];
        l2w_u256 balance;
        if ((st = l2w_read_escrow_balance(c->rpc, t, &hash, &balance, err)) != L2W_OK)
            break;
        char key[43], bal[L2W_U256_DEC_LEN];
        l2w_token_key(key, t->native, &t->address);
        l2w_u256_to_dec(bal, &balance);
        const char *q[] = {c->bridge->name, key, bal, PQgetvalue(tip, 0, 0)};
        PGresult *last;
        st = l2w_db_exec(db, &last,
                         "SELECT 1 FROM (SELECT balance, block_number FROM escrow_samples WHERE bridge = $1 AND "
                         "token = $2 ORDER BY block_number DESC LIMIT 1) s "
                         "WHERE s.balance = $3::numeric OR s.block_number >= $4::bigint",
                         4, q, err);
        if (st != L2W_OK)
            break;
        bool unchanged = PQntuples(last) > 0;
        PQclear(last);
        if (!unchanged)
            st = store_sample(c, db, i, number, PQgetvalue(tip, 0, 1), strtoull(PQgetvalue(tip, 0, 2), NULL, 10),
                              &balance, err);
    }
    PQclear(tip);
    return st;
}

l2w_status l2w_bridge_sample_escrow(bridge_ctx *c, l2w_db *db, l2w_err *err)
{
    /* The tip is sampled even when an event block could not be (a node
     * without that block's state): a drain must stay visible. */
    l2w_err tip_err = {{0}};
    l2w_status st = sample_event_blocks(c, db, err);
    l2w_status tip = sample_tip(c, db, &tip_err);
    if (st == L2W_OK && tip != L2W_OK) {
        st = tip;
        *err = tip_err;
    }
    return st;
}

/* ---- raising and resolving lasting conditions ---- */

static l2w_status raise_finding(bridge_ctx *c, l2w_db *db, l2w_finding *f, l2w_err *err)
{
    l2w_status st = l2w_db_begin(db, err);
    int64_t id = 0;
    bool created = false;
    if (st == L2W_OK)
        st = l2w_finding_raise(db, f, c->cfg, &id, &created, err);
    if ((st = l2w_db_end(db, st, err)) != L2W_OK)
        return st;
    if (created) {
        c->raised = true;
        L2W_UNUSUAL("bridge_guard", c->bridge->name, "%s finding %lld: %s", f->kind, (long long)id, f->title);
    }
    return L2W_OK;
}

static l2w_status resolve(bridge_ctx *c, l2w_db *db, const char *kind, const char *subject, const char *note,
                          l2w_err *err)
{
    l2w_status st = l2w_db_begin(db, err);
    size_t n = 0;
    if (st == L2W_OK)
        st = l2w_findings_resolve_subject(db, c->cfg, kind, subject, note, &n, err);
    st = l2w_db_end(db, st, err);
    if (st == L2W_OK && n > 0)
        c->raised = true;
    return st;
}

/* ---- escrow_drawdown ---- */

static l2w_status parse_sample(PGresult *res, int row, l2w_escrow_sample *s)
{
    memset(s, 0, sizeof *s);
    s->block_number = strtoull(PQgetvalue(res, row, 0), NULL, 10);
    s->timestamp = strtoull(PQgetvalue(res, row, 2), NULL, 10);
    l2w_status st = l2w_db_bytea_parse(s->block_hash.b, 32, PQgetvalue(res, row, 1));
    if (st == L2W_OK)
        st = l2w_u256_from_dec(&s->balance, PQgetvalue(res, row, 3));
    return st;
}

static l2w_status check_drawdown(bridge_ctx *c, l2w_db *db, size_t token, const l2w_escrow_sample *latest,
                                 l2w_err *err)
{
    const l2w_bridge_config *b = c->bridge;
    const l2w_bridge_token *t = &b->tokens[token];
    char key[43], start[24];
    l2w_token_key(key, t->native, &t->address);
    uint64_t window_start = latest->timestamp > b->drawdown_window_s ? latest->timestamp - b->drawdown_window_s : 0;
    snprintf(start, sizeof start, "%llu", (unsigned long long)window_start);
    const char *params[] = {b->name, key, start};
    PGresult *res;
    l2w_status st = l2w_db_exec(db, &res,
                                "SELECT block_number, block_hash, block_timestamp, balance::text FROM escrow_samples "
                                "WHERE bridge = $1 AND token = $2 AND block_number >= coalesce((SELECT max(block_number) "
                                "FROM escrow_samples WHERE bridge = $1 AND token = $2 AND block_timestamp <= "
                                "$3::bigint), 0) ORDER BY block_number",
                                3, params, err);
    if (st != L2W_OK)
        return st;
    size_t n = (size_t)PQntuples(res);
    l2w_escrow_sample *samples = calloc(n ? n : 1, sizeof *samples);
    if (!samples) {
        PQclear(res);
        l2w_err_set(err, "bridge %s: out of memory", b->name);
        return L2W_ERR_NOMEM;
    }
    for (size_t i = 0; st == L2W_OK && i < n; i++)
        if (parse_sample(res, (int)i, &samples[i]) != L2W_OK) {
            l2w_err_set(err, "bridge %s: stored escrow sample is malformed", b->name);
            st = L2W_ERR_DB;
        }
    PQclear(res);
    l2w_drawdown_params p = {b->drawdown_window_s, b->drawdown_percent, b->single_release_percent};
    l2w_drawdown_verdict v;
    if (st == L2W_OK && n > 0)
        st = l2w_drawdown_judge(&v, &p, samples, n, err);
    free(samples);
    if (st != L2W_OK || n == 0)
        return st;
    l2w_gauge_set(c->tokens[token].drawdown_ratio, v.reason == L2W_DRAWDOWN_SINGLE ? 0.0 : v.fall_bps / 10000.0);
    char subject[160];
    bool open;
    if ((st = l2w_bridge_token_subject(subject, sizeof subject, c, t, err)) != L2W_OK ||
        (st = l2w_findings_open_subject(db, "escrow_drawdown", subject, &open, err)) != L2W_OK)
        return st;
    if (v.reason == L2W_DRAWDOWN_NONE)
        return open ? resolve(c, db, "escrow_drawdown", subject, "the escrow's fall within the window is back "
                              "under the limits", err)
                    : L2W_OK;
    if (open)
        return L2W_OK;
    l2w_bridge_subject s;
    l2w_bridge_subject_of(&s, c, t);
    l2w_finding f;
    st = l2w_drawdown_finding(&f, &s, &p, &v, err);
    if (st == L2W_OK)
        st = raise_finding(c, db, &f, err);
    l2w_finding_clear(&f);
    return st;
}

/* ---- outflow_anomaly ---- */

static l2w_status check_outflow(bridge_ctx *c, l2w_db *db, size_t token, const l2w_escrow_sample *latest,
                                l2w_err *err)
{
    const l2w_bridge_config *b = c->bridge;
    const l2w_bridge_token *t = &b->tokens[token];
    const uint64_t iv = b->outflow_interval_s;
    const uint64_t k_now = latest->timestamp / iv;
    const uint64_t span = (uint64_t)b->outflow_baseline_days * 86400 / iv;
    char key[43], ivs[24], from[24];
    l2w_token_key(key, t->native, &t->address);
    snprintf(ivs, sizeof ivs, "%llu", (unsigned long long)iv);
    snprintf(from, sizeof from, "%llu", (unsigned long long)((k_now > span ? k_now - span : 0) * iv));
    const char *params[] = {b->name, key, ivs, from};
    PGresult *res;
    l2w_status st = l2w_db_exec(db, &res,
                                "SELECT (block_timestamp / $3::bigint)::text, sum(outflow)::text, "
                                "(SELECT min(block_timestamp) FROM escrow_samples WHERE bridge = $1 AND token = $2)::text "
                                "FROM escrow_samples WHERE bridge = $1 AND token = $2 AND block_timestamp >= $4::bigint "
                                "GROUP BY 1 ORDER BY 1",
                                4, params, err);
    if (st != L2W_OK)
        return st;
    int rows = PQntuples(res);
    if (rows == 0) {
        PQclear(res);
        return L2W_OK;
    }
    /* Intervals before the first sample are before monitoring began: not zeros. */
    uint64_t k_first = strtoull(PQgetvalue(res, 0, 2), NULL, 10) / iv;
    if (k_now > span && k_first < k_now - span)
        k_first = k_now - span;
    size_t n = (size_t)(k_now - k_first);
    l2w_u256 *baseline = calloc(n ? n : 1, sizeof *baseline);
    l2w_u256 current;
    memset(&current, 0, sizeof current);
    if (!baseline) {
        PQclear(res);
        l2w_err_set(err, "bridge %s: out of memory", b->name);
        return L2W_ERR_NOMEM;
    }
    for (int i = 0; st == L2W_OK && i < rows; i++) {
        uint64_t k = strtoull(PQgetvalue(res, i, 0), NULL, 10);
        l2w_u256 sum;
        if (l2w_u256_from_dec(&sum, PQgetvalue(res, i, 1)) != L2W_OK) {
            l2w_err_set(err, "bridge %s: stored outflow is malformed", b->name);
            st = L2W_ERR_DB;
        } else if (k == k_now) {
            current = sum;
        } else if (k >= k_first && k < k_now) {
            baseline[k - k_first] = sum;
        }
    }
    PQclear(res);
    l2w_outflow_params p = {(uint32_t)iv, b->outflow_z, b->outflow_warmup_intervals};
    l2w_outflow_verdict v;
    if (st == L2W_OK)
        st = l2w_outflow_judge(&v, &p, baseline, n, &current, err);
    free(baseline);
    if (st != L2W_OK || !v.anomalous)
        return st;
    l2w_bridge_subject s;
    l2w_bridge_subject_of(&s, c, t);
    l2w_finding f;
    st = l2w_outflow_finding(&f, &s, &p, k_now * iv, &v, err);
    if (st == L2W_OK)
        st = raise_finding(c, db, &f, err);
    l2w_finding_clear(&f);
    return st;
}

l2w_status l2w_bridge_check_limits(bridge_ctx *c, l2w_db *db, l2w_err *err)
{
    l2w_status st = L2W_OK;
    for (size_t i = 0; st == L2W_OK && i < c->bridge->n_tokens; i++) {
        const l2w_bridge_token *t = &c->bridge->tokens[i];
        char key[43];
        l2w_token_key(key, t->native, &t->address);
        const char *params[] = {c->bridge->name, key};
        PGresult *res;
        st = l2w_db_exec(db, &res,
                         "SELECT block_number, block_hash, block_timestamp, balance::text FROM escrow_samples "
                         "WHERE bridge = $1 AND token = $2 ORDER BY block_number DESC LIMIT 1",
                         2, params, err);
        if (st != L2W_OK)
            break;
        l2w_escrow_sample latest;
        bool have = PQntuples(res) == 1;
        if (have && parse_sample(res, 0, &latest) != L2W_OK) {
            l2w_err_set(err, "bridge %s: stored escrow sample is malformed", c->bridge->name);
            st = L2W_ERR_DB;
        }
        PQclear(res);
        if (st != L2W_OK || !have)
            continue;
        st = check_drawdown(c, db, i, &latest, err);
        token_metrics *m = &c->tokens[i];
        if (st == L2W_OK && !(m->outflow_checked && l2w_hash_eq(&m->outflow_checked_hash, &latest.block_hash))) {
            st = check_outflow(c, db, i, &latest, err);
            m->outflow_checked = st == L2W_OK;
            m->outflow_checked_hash = latest.block_hash;
        }
    }
    return st;
}

/* ---- supply_exceeds_escrow ---- */

static l2w_status read_backing(bridge_ctx *c, const l2w_bridge_token *t, l2w_backing_reading *r, l2w_err *err)
{
    memset(r, 0, sizeof *r);
    l2w_status st = l2w_eth_block_number(c->remote_rpc, &r->remote_block_before, err);
    if (st == L2W_OK)
        st = l2w_read_total_supply(c->remote_rpc, &t->remote, r->remote_block_before, &r->supply_before, err);
    l2w_block_header h;
    if (st == L2W_OK)
        st = l2w_eth_block_number(c->rpc, &r->escrow_block, err);
    if (st == L2W_OK)
        st = l2w_eth_header_by_number(c->rpc, r->escrow_block, &h, err);
    if (st == L2W_OK) {
        r->escrow_block_hash = h.hash;
        st = l2w_read_escrow_balance(c->rpc, t, &h.hash, &r->escrow, err);
    }
    if (st == L2W_OK)
        st = l2w_eth_block_number(c->remote_rpc, &r->remote_block_after, err);
    if (st == L2W_OK)
        st = l2w_read_total_supply(c->remote_rpc, &t->remote, r->remote_block_after, &r->supply_after, err);
    return st;
}

l2w_status l2w_bridge_check_backing(bridge_ctx *c, l2w_db *db, l2w_err *err)
{
    l2w_status st = L2W_OK;
    for (size_t i = 0; st == L2W_OK && i < c->bridge->n_tokens; i++) {
        const l2w_bridge_token *t = &c->bridge->tokens[i];
        if (!t->has_remote)
            continue;
        l2w_backing_reading r;
        if ((st = read_backing(c, t, &r, err)) != L2W_OK)
            break;
        l2w_backing_verdict v;
        l2w_backing_judge(&v, &r);
        l2w_gauge_set(c->tokens[i].supply, l2w_u256_to_double(&v.supply));
        char key[43], supply[L2W_U256_DEC_LEN], block[24];
        l2w_token_key(key, t->native, &t->address);
        l2w_u256_to_dec(supply, &v.supply);
        snprintf(block, sizeof block, "%llu", (unsigned long long)r.remote_block_after);
        const char *params[] = {c->bridge->name, key, supply, block};
        st = l2w_db_exec(db, NULL,
                         "INSERT INTO bridge_status (bridge, token, supply, supply_block) VALUES ($1, $2, $3, $4) "
                         "ON CONFLICT (bridge, token) DO UPDATE SET supply = $3, supply_block = $4, updated_at = now()",
                         4, params, err);
        if (st != L2W_OK)
            break;
        char subject[160];
        bool open;
        if ((st = l2w_bridge_token_subject(subject, sizeof subject, c, t, err)) != L2W_OK ||
            (st = l2w_findings_open_subject(db, "supply_exceeds_escrow", subject, &open, err)) != L2W_OK)
            break;
        token_metrics *m = &c->tokens[i];
        if (!v.exceeds) {
            m->backing_strikes = 0;
            if (open)
                st = resolve(c, db, "supply_exceeds_escrow", subject, "the bridged supply is backed again", err);
            continue;
        }
        if (m->backing_strikes == 0 || r.escrow_block != m->backing_last_block) {
            m->backing_strikes++;
            m->backing_last_block = r.escrow_block;
        }
        if (open || m->backing_strikes < 2)
            continue;
        l2w_bridge_subject s;
        l2w_bridge_subject_of(&s, c, t);
        l2w_finding f;
        st = l2w_backing_finding(&f, &s, &r, &v, err);
        if (st == L2W_OK)
            st = raise_finding(c, db, &f, err);
        l2w_finding_clear(&f);
    }
    return st;
}
