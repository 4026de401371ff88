#include "alerts/reminders.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts/outbox.h"
#include "core/finding.h"

/* Per pass and route sink: a backlog of reminders drains over passes. */
#define REMINDERS_PER_PASS 50

static const char due_sql[] =
    "SELECT f.id::text, (d.doc || jsonb_build_object('event', 'repeat'))::text, (max(o.seq) + 1)::text "
    "FROM findings f JOIN finding_documents d ON d.id = f.id "
    "JOIN alert_outbox o ON o.finding_id = f.id AND o.sink = $1 "
    "WHERE f.status = 'open' AND (cardinality($2::text[]) = 0 OR f.kind = ANY($2::text[])) "
    "AND (cardinality($3::text[]) = 0 OR f.chain = ANY($3::text[])) AND f.severity = ANY($4::text[]) "
    "GROUP BY f.id, d.doc "
    "HAVING bool_and(o.delivered_at IS NOT NULL OR o.dead_at IS NOT NULL OR o.silence_id IS NOT NULL) "
    "AND max(o.delivered_at) < now() - $5::bigint * interval '1 second' "
    "ORDER BY f.id LIMIT $6::integer";

static l2w_status severities_at_least(char **out, int min)
{
    const char *names[5];
    size_t n = 0;
    for (int s = min < 0 ? 0 : min; s <= L2W_SEV_CRITICAL; s++)
        names[n++] = l2w_severity_name((l2w_severity)s);
    return l2w_db_text_array_literal(out, names, n);
}

static l2w_status queue_for(l2w_db *db, const l2w_alert_route *r, const char *sink, size_t *queued, l2w_err *err)
{
    char *kinds = NULL, *chains = NULL, *sevs = NULL;
    l2w_status st = l2w_db_text_array_literal(&kinds, (const char *const *)r->kinds, r->n_kinds);
    if (st == L2W_OK)
        st = l2w_db_text_array_literal(&chains, (const char *const *)r->chains, r->n_chains);
    if (st == L2W_OK)
        st = severities_at_least(&sevs, r->min_severity);
    char interval[24], limit[12];
    snprintf(interval, sizeof interval, "%u", (unsigned)r->repeat_interval_s);
    snprintf(limit, sizeof limit, "%d", REMINDERS_PER_PASS);
    PGresult *res = NULL;
    if (st == L2W_OK) {
        const char *params[] = {sink, kinds, chains, sevs, interval, limit};
        st = l2w_db_exec(db, &res, due_sql, 6, params, err);
    } else {
        l2w_err_set(err, "alerts: out of memory");
    }
    free(kinds);
    free(chains);
    free(sevs);
    for (int i = 0; st == L2W_OK && i < PQntuples(res); i++) {
        unsigned long seq = strtoul(PQgetvalue(res, i, 2), NULL, 10);
        const char *sinks[] = {sink};
        st = l2w_alerts_enqueue_to(db, strtoll(PQgetvalue(res, i, 0), NULL, 10), "repeat", (uint32_t)seq,
                                   PQgetvalue(res, i, 1), sinks, 1, err);
        if (st == L2W_OK)
            (*queued)++;
    }
    PQclear(res);
    return st;
}

l2w_status l2w_alert_reminders_queue(l2w_db *db, const l2w_config *cfg, size_t *queued, l2w_err *err)
{
    *queued = 0;
    l2w_status st = L2W_OK;
    for (size_t i = 0; st == L2W_OK && i < cfg->n_alert_routes; i++) {
        const l2w_alert_route *r = &cfg->alert_routes[i];
        for (size_t k = 0; st == L2W_OK && r->repeat_interval_s && k < r->n_sinks; k++)
            st = queue_for(db, r, r->sinks[k], queued, err);
    }
    return st;
}
