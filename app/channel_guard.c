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

static const l2w_db_stmt pending_stmt = {
    "channel_guard_pending",
    "SELECT d.block_hash, d.log_index, d.block_number, d.block_timestamp, d.tx_hash, d.protocol, d.channel,"
    " d.version::text, d.deadline, d.disputer, s.version::text, s.state_hash, s.state::text"
    " FROM channel_disputes d LEFT JOIN channel_states s"
    "   ON s.chain = d.chain AND s.protocol = d.protocol AND s.channel = d.channel"
    " WHERE d.chain = $1 AND d.check_status = 0 ORDER BY d.block_number, d.log_index LIMIT " GUARD_BATCH,
    1};

/* Every verdict of a step in one statement. */
static const l2w_db_stmt judged_stmt = {
    "channel_guard_judged",
    "UPDATE channel_disputes d SET check_status = u.status::smallint, held_version = u.held,"
    " finding_id = u.finding, checked_at = now()"
    " FROM unnest($2::bytea[], $3::integer[], $4::integer[], $5::numeric[], $6::bigint[])"
    "   AS u(block_hash, log_index, status, held, finding)"
    " WHERE d.chain = $1 AND d.block_hash = u.block_hash AND d.log_index = u.log_index",
    6};

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

/* The verdicts of a step, as the columns of judged_stmt. */
typedef struct {
    l2w_db_copy cols[5];
    size_t n;
} verdicts;

static void verdicts_begin(verdicts *v, size_t n)
{
    static const uint32_t oids[] = {L2W_OID_BYTEA, L2W_OID_INT4, L2W_OID_INT4, L2W_OID_NUMERIC, L2W_OID_INT8};
    for (size_t i = 0; i < 5; i++)
        l2w_db_array_begin(&v->cols[i], oids[i], n);
    v->n = n;
}

static void verdicts_add(verdicts *v, const l2w_channel_dispute *d, l2w_channel_verdict verdict,
                         const l2w_channel_held *h, int64_t finding_id)
{
    l2w_db_copy_bytea(&v->cols[0], d->block_hash.b, 32);
    l2w_db_copy_int4(&v->cols[1], (int32_t)d->log_index);
    l2w_db_copy_int4(&v->cols[2], (int32_t)verdict);
    if (h->held) {
        char held[L2W_U256_DEC_LEN];
        l2w_u256_to_dec(held, &h->version);
        l2w_db_copy_numeric(&v->cols[3], held);
    } else {
        l2w_db_copy_null(&v->cols[3]);
    }
    if (finding_id > 0)
        l2w_db_copy_int8(&v->cols[4], finding_id);
    else
        l2w_db_copy_null(&v->cols[4]);
}

static l2w_status verdicts_store(l2w_db *db, const char *chain, verdicts *v, l2w_err *err)
{
    static const char *const names[] = {"block hashes", "log indexes", "verdicts", "held versions", "findings"};
    const char *params[6] = {chain};
    int lengths[6] = {0}, formats[6] = {0};
    for (size_t i = 0; i < 5; i++) {
        l2w_status st = l2w_db_array_check(&v->cols[i], names[i], err);
        if (st != L2W_OK)
            return st;
        params[1 + i] = (const char *)v->cols[i].buf.data;
        lengths[1 + i] = (int)v->cols[i].buf.len;
        formats[1 + i] = 1;
    }
    return l2w_db_run(db, NULL, &judged_stmt, params, lengths, formats, err);
}

static void verdicts_free(verdicts *v)
{
    for (size_t i = 0; i < 5; i++)
        l2w_bytes_free(&v->cols[i].buf);
}

/* Judges d inside the step's transaction; a stale close's finding (and its
 * response) is written here, its title kept in *raised_title for the log
 * once the step commits. */
static l2w_status judge_one(l2w_db *db, const l2w_config *cfg, const l2w_channel_dispute *d,
                            const l2w_channel_held *h, verdicts *v, char **raised_title, l2w_err *err)
{
    const char *chain = cfg->channels.chain;
    l2w_channel_verdict verdict = l2w_stale_channel_close_judge(d, h);
    l2w_finding f = {0};
    int64_t id = 0;
    bool created = false;
    l2w_status st = L2W_OK;
    switch (verdict) {
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
        verdicts_add(v, d, verdict, h, id);
    if (st == L2W_OK && created && !(*raised_title = strdup(f.title))) {
        l2w_err_set(err, "channel guard: out of memory");
        st = L2W_ERR_NOMEM;
    }
    l2w_finding_clear(&f);
    return st;
}

static l2w_status judge_rows(l2w_db *db, const l2w_config *cfg, PGresult *res, char **titles, l2w_err *err)
{
    verdicts v;
    verdicts_begin(&v, (size_t)PQntuples(res));
    l2w_status st = L2W_OK;
    for (int i = 0; st == L2W_OK && i < PQntuples(res); i++) {
        l2w_channel_dispute d;
        l2w_channel_held h;
        json_t *doc = NULL;
        st = row_dispute(&d, res, i, err);
        if (st == L2W_OK)
            st = row_held(&h, &doc, res, i, err);
        if (st == L2W_OK)
            st = judge_one(db, cfg, &d, &h, &v, &titles[i], err);
        json_decref(doc);
    }
    if (st == L2W_OK)
        st = verdicts_store(db, cfg->channels.chain, &v, err);
    verdicts_free(&v);
    return st;
}

/* One transaction for the step's pending disputes: a block of disputes is
 * one commit, and a failure leaves them all pending for the next step.
 * The read is outside it: only this step moves a dispute out of pending. */
static l2w_status judge_pending(l2w_db *db, const l2w_config *cfg, size_t *raised, bool *more, l2w_err *err)
{
    const char *chain = cfg->channels.chain;
    PGresult *res;
    const char *params[] = {chain};
    l2w_status st = l2w_db_run(db, &res, &pending_stmt, params, NULL, NULL, err);
    if (st != L2W_OK)
        return st;
    int n = PQntuples(res);
    char **titles = n > 0 ? calloc((size_t)n, sizeof *titles) : NULL;
    if (n > 0 && !titles) {
        l2w_err_set(err, "channel guard: out of memory");
        st = L2W_ERR_NOMEM;
    } else if (n > 0 && (st = l2w_db_begin(db, err)) == L2W_OK) {
        st = l2w_db_end(db, judge_rows(db, cfg, res, titles, err), err);
    }
    PQclear(res);
    *more = st == L2W_OK && n == atoi(GUARD_BATCH); /* a full batch: more may wait */
    for (int i = 0; titles && i < n; i++) {
        if (st == L2W_OK && titles[i]) {
            (*raised)++;
            L2W_INFO("channels", chain, "%s", titles[i]);
        }
        free(titles[i]);
    }
    free(titles);
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
