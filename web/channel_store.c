#include "web/channel_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One round trip for the common cases: the upsert says whether it wrote
 * (and whether it inserted); when it did not, the second branch returns the
 * held row it lost to. */
static const char hold_sql[] =
    "WITH up AS ("
    " INSERT INTO channel_states AS c (chain, protocol, channel, version, state_hash, state, receipt, client)"
    " VALUES ($1, $2, $3::bytea, $4::numeric, $5::bytea, $6::jsonb, $7::bytea, $8)"
    " ON CONFLICT (chain, protocol, channel) DO UPDATE SET version = EXCLUDED.version,"
    "   state_hash = EXCLUDED.state_hash, state = EXCLUDED.state, receipt = EXCLUDED.receipt,"
    "   updates = c.updates + 1, updated_at = now()"
    " WHERE c.version < EXCLUDED.version"
    " RETURNING (xmax = 0) AS inserted)"
    " SELECT inserted, NULL::text, NULL::bytea, NULL::bytea FROM up"
    " UNION ALL"
    " SELECT NULL, version::text, state_hash, receipt FROM channel_states"
    " WHERE chain = $1 AND protocol = $2 AND channel = $3::bytea AND NOT EXISTS (SELECT 1 FROM up)";

/* Counts a new channel against the client's quota; no row means full (or
 * no counter row yet, which count_first creates). */
static const char count_sql[] =
    "UPDATE channel_clients SET channels = channels + 1, updated_at = now()"
    " WHERE client = $1 AND channels < $2::bigint RETURNING channels";
static const char count_first_sql[] =
    "INSERT INTO channel_clients (client, channels) VALUES ($1, 1) ON CONFLICT (client) DO NOTHING RETURNING 1";
static const char unhold_sql[] =
    "DELETE FROM channel_states WHERE chain = $1 AND protocol = $2 AND channel = $3::bytea";

static l2w_status count_new_channel(l2w_db *db, const char *client, uint32_t max_channels, bool *admitted,
                                    l2w_err *err)
{
    char max_text[16];
    snprintf(max_text, sizeof max_text, "%u", max_channels);
    const char *params[] = {client, max_text};
    PGresult *res;
    l2w_status st = l2w_db_exec(db, &res, count_sql, 2, params, err);
    if (st != L2W_OK)
        return st;
    *admitted = PQntuples(res) == 1;
    PQclear(res);
    if (*admitted)
        return L2W_OK;
    if ((st = l2w_db_exec(db, &res, count_first_sql, 1, params, err)) != L2W_OK)
        return st;
    *admitted = PQntuples(res) == 1;
    PQclear(res);
    return L2W_OK;
}

static l2w_status parse_held(l2w_hold_result *out, const l2w_channel_submission *s, PGresult *res, l2w_err *err)
{
    uint8_t held_hash[32];
    if (l2w_u256_from_dec(&out->held_version, PQgetvalue(res, 0, 1)) != L2W_OK ||
        l2w_db_bytea_parse(held_hash, 32, PQgetvalue(res, 0, 2)) != L2W_OK ||
        l2w_db_bytea_parse(out->held_receipt, 65, PQgetvalue(res, 0, 3)) != L2W_OK) {
        l2w_err_set(err, "channel_states: a held row does not parse");
        return L2W_ERR_DB;
    }
    int cmp = l2w_u256_cmp(&out->held_version, &s->version);
    if (cmp > 0)
        out->outcome = L2W_HOLD_STALE;
    else if (cmp == 0 && memcmp(held_hash, s->state_hash.b, 32) == 0)
        out->outcome = L2W_HOLD_SAME;
    else if (cmp == 0)
        out->outcome = L2W_HOLD_CONFLICT;
    else {
        /* Lower version held, yet the upsert did not write: it cannot be. */
        l2w_err_set(err, "channel_states: upsert skipped a lower held version");
        return L2W_ERR_DB;
    }
    return L2W_OK;
}

l2w_status l2w_channel_hold(l2w_db *db, const char *chain, const char *client, uint32_t max_channels,
                            const l2w_channel_submission *s, const uint8_t receipt[65], l2w_hold_result *out,
                            l2w_err *err)
{
    memset(out, 0, sizeof *out);
    char channel[2 * 32 + 3], version[L2W_U256_DEC_LEN], hash[2 * 32 + 3], receipt_text[2 * 65 + 3];
    l2w_db_bytea_text(channel, s->channel, s->channel_len);
    l2w_u256_to_dec(version, &s->version);
    l2w_db_bytea_text(hash, s->state_hash.b, 32);
    l2w_db_bytea_text(receipt_text, receipt, 65);
    char *doc = json_dumps(s->doc, JSON_COMPACT | JSON_SORT_KEYS);
    if (!doc) {
        l2w_err_set(err, "channel state: out of memory");
        return L2W_ERR_NOMEM;
    }
    const char *protocol = l2w_channel_protocol_name(s->protocol);
    const char *params[] = {chain, protocol, channel, version, hash, doc, receipt_text, client};
    PGresult *res;
    l2w_status st = l2w_db_exec(db, &res, hold_sql, 8, params, err);
    free(doc);
    if (st != L2W_OK)
        return st;
    if (PQntuples(res) != 1) {
        PQclear(res);
        l2w_err_set(err, "channel_states: the upsert returned no row");
        return L2W_ERR_DB;
    }
    if (PQgetisnull(res, 0, 0)) {
        st = parse_held(out, s, res, err);
        PQclear(res);
        return st;
    }
    bool inserted = PQgetvalue(res, 0, 0)[0] == 't';
    PQclear(res);
    out->outcome = inserted ? L2W_HOLD_NEW : L2W_HOLD_NEWER;
    if (!inserted)
        return L2W_OK;
    bool admitted = false;
    if ((st = count_new_channel(db, client, max_channels, &admitted, err)) != L2W_OK)
        return st;
    if (admitted)
        return L2W_OK;
    /* Over quota: take back the row this transaction inserted. */
    out->outcome = L2W_HOLD_QUOTA;
    const char *key[] = {chain, protocol, channel};
    return l2w_db_exec(db, NULL, unhold_sql, 3, key, err);
}
