#include "app/channel_guard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/finding_store.h"
#include "core/hex.h"
#include "core/log.h"
#include "detectors/stale_channel_close.h"

/* Disputes judged per step: a burst beyond this waits for the next poll,
 * which comes at once (the caller steps again while work is left). */
#define GUARD_BATCH "200"

static const char pending_sql[] =
    "SELECT d.block_hash, d.log_index, d.block_number, d.block_timestamp, d.tx_hash, d.protocol, d.channel,"
    " d.version::text, d.deadline, d.disputer, s.version::text, s.state_hash, s.state::text"
    " FROM channel_disputes d LEFT JOIN channel_states s"
    "   ON s.chain = d.chain AND s.protocol = d.protocol AND s.channel = d.channel"
    " WHERE d.chain = $1 AND d.check_status = 0 ORDER BY d.block_number, d.log_index LIMIT " GUARD_BATCH;

static const char judged_sql[] =
    "UPDATE channel_disputes SET check_status = $4::smallint, held_version = $5::numeric, finding_id = $6::bigint,"
    " checked_at = now() WHERE chain = $1 AND block_hash = $2::bytea AND log_index = $3::integer";

/* Stale closes not yet warned about, with their finding's newest response. */
static const char unwarned_sql[] =
    "SELECT d.block_hash, d.log_index, d.block_number, d.block_timestamp, d.tx_hash, d.protocol, d.channel,"
    " d.version::text, d.deadline, d.finding_id,"
    " (SELECT r.status FROM responses r WHERE r.finding_id = d.finding_id ORDER BY r.id DESC LIMIT 1),"
    " (SELECT b.timestamp FROM blocks b WHERE b.chain = d.chain ORDER BY b.number DESC LIMIT 1)"
    " FROM channel_disputes d JOIN findings f ON f.id = d.finding_id"
    " WHERE d.chain = $1 AND d.check_status = 2 AND d.warned_at IS NULL AND f.status = 'open'"
    /* only those already inside the warning time, so a quiet step reads nothing */
    " AND d.deadline <= (SELECT b.timestamp FROM blocks b WHERE b.chain = $1 ORDER BY b.number DESC LIMIT 1)"
    "   + $2::bigint"
    " ORDER BY d.deadline LIMIT " GUARD_BATCH;

static const char warned_sql[] =
    "UPDATE channel_disputes SET warned_at = now() WHERE chain = $1 AND block_hash = $2::bytea"
    " AND log_index = $3::integer";

static l2w_status row_dispute(l2w_channel_dispute *d, PGresult *res, int i, l2w_err *err)
{
    memset(d, 0, sizeof *d);
    const char *protocol = PQgetvalue(res, i, 5);
    d->protocol = strcmp(protocol, "vector") == 0 ? L2W_CHANNEL_VECTOR : L2W_CHANNEL_NITRO;
    d->channel_len = d->protocol == L2W_CHANNEL_VECTOR ? 20 : 32;
    d->log_index = (uint32_t)strtoul(PQgetvalue(res, i, 1), NULL, 10);
    d->block_number = strtoull(PQgetvalue(res, i, 2), NULL, 10);
    d->block_timestamp = strtoull(PQgetvalue(res, i, 3), NULL, 10);
    d->deadline = strtoull(PQgetvalue(res, i, 8), NULL, 10);
    if (l2w_db_bytea_parse(d->block_hash.b, 32, PQgetvalue(res, i, 0)) != L2W_OK ||
        l2w_db_bytea_parse(d->tx_hash.b, 32, PQgetvalue(res, i, 4)) != L2W_OK ||
        l2w_db_bytea_parse(d->channel, d->channel_len, PQgetvalue(res, i, 6)) != L2W_OK ||
        l2w_u256_from_dec(&d->version, PQgetvalue(res, i, 7)) != L2W_OK) {
        l2w_err_set(err, "channel_disputes: a row does not parse");
        return L2W_ERR_DB;
    }
    return L2W_OK;
}

/* The held state joined to pending row i, if any; *doc is a new reference. */
static l2w_status row_held(l2w_channel_held *h, json_t **doc, PGresult *res, int i, l2w_err *err)
{
    memset(h, 0, sizeof *h);
    *doc = NULL;
    if (PQgetisnull(res, i, 10))
        return L2W_OK;
    json_error_t jerr;
    *doc = json_loads(PQgetvalue(res, i, 12), 0, &jerr);
    if (!*doc || l2w_u256_from_dec(&h->version, PQgetvalue(res, i, 10)) != L2W_OK ||
        l2w_db_bytea_parse(h->state_hash.b, 32, PQgetvalue(res, i, 11)) != L2W_OK) {
        json_decref(*doc);
        *doc = NULL;
        l2w_err_set(err, "channel_states: a held row does not parse");
        return L2W_ERR_DB;
    }
    h->held = true;
    h->doc = *doc;
    return L2W_OK;
}

static l2w_status mark_judged(l2w_db *db, const char *chain, const l2w_channel_dispute *d, l2w_channel_verdict v,
                              const l2w_channel_held *h, int64_t finding_id, l2w_err *err)
{
    char bh[67], li[16], status[4], held[L2W_U256_DEC_LEN], fid[24];
    l2w_db_bytea_text(bh, d->block_hash.b, 32);
    snprintf(li, sizeof li, "%u", (unsigned)d->log_index);
    snprintf(status, sizeof status, "%d", (int)v);
    if (h->held)
        l2w_u256_to_dec(held, &h->version);
    snprintf(fid, sizeof fid, "%lld", (long long)finding_id);
    const char *params[] = {chain, bh, li, status, h->held ? held : NULL, finding_id > 0 ? fid : NULL};
    return l2w_db_exec(db, NULL, judged_sql, 6, params, err);
}

static l2w_status judge_one(l2w_db *db, const l2w_config *cfg, const l2w_channel_dispute *d,
                            const l2w_channel_held *h, size_t *raised, l2w_err *err)
{
    const char *chain = cfg->channels.chain;
    l2w_channel_verdict v = l2w_stale_channel_close_judge(d, h);
    l2w_finding f = {0};
    int64_t id = 0;
    bool created = false;
    l2w_status st = l2w_db_begin(db, err);
    if (st != L2W_OK)
        return st;
    switch (v) {
    case L2W_CHANNEL_STALE:
        st = l2w_stale_channel_close_finding(&f, chain, d, h, err);
        if (st == L2W_OK)
            st = l2w_finding_raise(db, &f, cfg, &id, &created, err);
        break;
    case L2W_CHANNEL_CURRENT: {
        /* The newest state is what the chain now holds: the incident is over. */
        char subject[160], channel[2 * 32 + 3], version[L2W_U256_DEC_LEN], note[256];
        l2w_hex_encode(channel, d->channel, d->channel_len);
        snprintf(subject, sizeof subject, "channel:%s:%s", l2w_channel_protocol_name(d->protocol), channel);
        l2w_u256_to_dec(version, &d->version);
        snprintf(note, sizeof note, "a dispute in block %llu registered version %s, the newest the tower holds",
                 (unsigned long long)d->block_number, version);
        size_t resolved = 0;
        st = l2w_findings_resolve_subject(db, cfg, "stale_channel_close", subject, note, &resolved, err);
        break;
    }
    case L2W_CHANNEL_NOT_WATCHED:
        break;
    }
    if (st == L2W_OK)
        st = mark_judged(db, chain, d, v, h, id, err);
    st = l2w_db_end(db, st, err);
    if (st == L2W_OK && created) {
        (*raised)++;
        L2W_INFO("channels", chain, "%s", f.title);
    }
    l2w_finding_clear(&f);
    return st;
}

static l2w_status judge_pending(l2w_db *db, const l2w_config *cfg, size_t *raised, bool *more, l2w_err *err)
{
    const char *params[] = {cfg->channels.chain};
    PGresult *res;
    l2w_status st = l2w_db_exec(db, &res, pending_sql, 1, params, err);
    if (st != L2W_OK)
        return st;
    *more = PQntuples(res) == atoi(GUARD_BATCH); /* a full batch: more may wait */
    for (int i = 0; st == L2W_OK && i < PQntuples(res); i++) {
        l2w_channel_dispute d;
        l2w_channel_held h;
        json_t *doc = NULL;
        st = row_dispute(&d, res, i, err);
        if (st == L2W_OK)
            st = row_held(&h, &doc, res, i, err);
        if (st == L2W_OK)
            st = judge_one(db, cfg, &d, &h, raised, err);
        json_decref(doc);
    }
    PQclear(res);
    return st;
}

static l2w_status warn_one(l2w_db *db, const l2w_config *cfg, const l2w_channel_dispute *d, int64_t finding_id,
                           int64_t seconds_left, const char *response, size_t *raised, l2w_err *err)
{
    const char *chain = cfg->channels.chain;
    l2w_finding f;
    int64_t id;
    bool created = false;
    l2w_status st = l2w_channel_window_closing_finding(&f, chain, d, finding_id, seconds_left, response, err);
    if (st != L2W_OK)
        return st;
    if ((st = l2w_db_begin(db, err)) == L2W_OK) {
        st = l2w_finding_raise(db, &f, cfg, &id, &created, err);
        char bh[67], li[16];
        l2w_db_bytea_text(bh, d->block_hash.b, 32);
        snprintf(li, sizeof li, "%u", (unsigned)d->log_index);
        const char *params[] = {chain, bh, li};
        if (st == L2W_OK)
            st = l2w_db_exec(db, NULL, warned_sql, 3, params, err);
        st = l2w_db_end(db, st, err);
    }
    if (st == L2W_OK && created) {
        (*raised)++;
        L2W_UNUSUAL("channels", chain, "%s", f.title);
    }
    l2w_finding_clear(&f);
    return st;
}

static l2w_status warn_closing(l2w_db *db, const l2w_config *cfg, size_t *raised, l2w_err *err)
{
    char warn[16];
    snprintf(warn, sizeof warn, "%u", cfg->channels.warn_before_s);
    const char *params[] = {cfg->channels.chain, warn};
    PGresult *res;
    l2w_status st = l2w_db_exec(db, &res, unwarned_sql, 2, params, err);
    if (st != L2W_OK)
        return st;
    for (int i = 0; st == L2W_OK && i < PQntuples(res); i++) {
        const char *response = PQgetisnull(res, i, 10) ? NULL : PQgetvalue(res, i, 10);
        if (response && strcmp(response, "verified") == 0)
            continue; /* answered on chain */
        if (PQgetisnull(res, i, 11))
            continue;
        l2w_channel_dispute d;
        if ((st = row_dispute(&d, res, i, err)) != L2W_OK)
            break;
        int64_t now = strtoll(PQgetvalue(res, i, 11), NULL, 10);
        int64_t left = (int64_t)d.deadline - now;
        if (left > (int64_t)cfg->channels.warn_before_s)
            continue;
        st = warn_one(db, cfg, &d, strtoll(PQgetvalue(res, i, 9), NULL, 10), left, response, raised, err);
    }
    PQclear(res);
    return st;
}

l2w_status l2w_channel_guard_step(l2w_db *db, const l2w_config *cfg, size_t *raised, bool *more, l2w_err *err)
{
    *raised = 0;
    *more = false;
    if (!cfg->channels.enabled)
        return L2W_OK;
    l2w_status st = judge_pending(db, cfg, raised, more, err);
    if (st == L2W_OK)
        st = warn_closing(db, cfg, raised, err);
    return st;
}
