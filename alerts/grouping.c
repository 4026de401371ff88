#include "alerts/grouping.h"

#include <stdio.h>

static const char hold_sql[] =
    "UPDATE alert_outbox SET next_attempt_at = g.last + $5::bigint * interval '1 second' "
    "FROM (SELECT max(delivered_at) AS last FROM alert_outbox WHERE sink = $2 AND kind = $3 AND chain = $4 "
    "      AND event = 'raised' AND delivered_at > clock_timestamp() - $5::bigint * interval '1 second') g "
    "WHERE id = $1::bigint AND g.last IS NOT NULL RETURNING id";

static const char companions_sql[] =
    "SELECT id::text, payload::text FROM alert_outbox WHERE sink = $2 AND kind = $3 AND chain = $4 "
    "AND event = 'raised' AND id <> $1::bigint AND delivered_at IS NULL AND dead_at IS NULL AND silence_id IS NULL "
    /* alert_outbox.id: a bare id would order by the text column id::text. */
    "ORDER BY alert_outbox.id LIMIT $5::integer FOR UPDATE SKIP LOCKED";

static const char mark_sql[] =
    "UPDATE alert_outbox SET delivered_at = clock_timestamp(), attempts = attempts + 1, last_error = NULL, "
    "sent_with = $1::bigint WHERE id = ANY($2::bigint[])";

l2w_status l2w_group_hold(l2w_db *db, const char *leader_id, const char *sink, const char *kind, const char *chain,
                          unsigned window_s, bool *held, l2w_err *err)
{
    char window[16];
    snprintf(window, sizeof window, "%u", window_s);
    const char *params[] = {leader_id, sink, kind, chain, window};
    PGresult *res;
    l2w_status st = l2w_db_exec(db, &res, hold_sql, 5, params, err);
    if (st != L2W_OK)
        return st;
    *held = PQntuples(res) > 0;
    PQclear(res);
    return L2W_OK;
}

l2w_status l2w_group_companions(l2w_db *db, PGresult **res, const char *leader_id, const char *sink,
                                const char *kind, const char *chain, int max_rows, l2w_err *err)
{
    char limit[12];
    snprintf(limit, sizeof limit, "%d", max_rows);
    const char *params[] = {leader_id, sink, kind, chain, limit};
    return l2w_db_exec(db, res, companions_sql, 5, params, err);
}

l2w_status l2w_group_mark_sent(l2w_db *db, const char *leader_id, const char *ids_literal, l2w_err *err)
{
    const char *params[] = {leader_id, ids_literal};
    return l2w_db_exec(db, NULL, mark_sql, 2, params, err);
}
