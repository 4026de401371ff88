/* Queueing a finding's alert: one outbox row per sink its routes choose,
 * written in the caller's transaction (the one that writes the finding), so
 * an alert exists exactly when its finding does. A live silence that
 * matches the finding is recorded on the row, which is then never sent. */

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts/outbox.h"
#include "alerts/route.h"
#include "core/finding.h"

static const char insert_sql[] =
    "INSERT INTO alert_outbox (finding_id, event, sink, payload, kind, chain, severity, seq, silence_id) "
    "SELECT f.id, $2, s.sink, $3::jsonb, f.kind, f.chain, f.severity, $5::integer, "
    "  (SELECT z.id FROM alert_silences z WHERE z.deleted_at IS NULL AND z.expires_at > now() "
    "     AND (z.kind IS NULL OR z.kind = f.kind) AND (z.chain IS NULL OR z.chain = f.chain) "
    "     AND (z.severity IS NULL OR z.severity = f.severity) "
    "     AND (z.subject IS NULL OR z.subject = f.subject OR (right(z.subject, 1) = '*' "
    "          AND starts_with(coalesce(f.subject, ''), left(z.subject, -1)))) "
    "   ORDER BY z.id LIMIT 1) "
    "FROM findings f CROSS JOIN unnest($4::text[]) AS s(sink) WHERE f.id = $1::bigint "
    "ON CONFLICT (finding_id, event, sink, seq) DO NOTHING";

bool l2w_alert_event_valid(const char *event)
{
    static const char *const events[] = {"raised",           "retracted",        "resolved",
                                         "escalated",        "repeat",           "challenge_active",
                                         "challenge_expired", "response_dry_run", "response_sent",
                                         "response_landed",  "response_failed"};
    for (size_t i = 0; event && i < sizeof events / sizeof events[0]; i++)
        if (strcmp(event, events[i]) == 0)
            return true;
    return false;
}

/* The finding's kind, chain and severity from its own document. */
static l2w_status read_doc(const char *payload_json, char *kind, char *chain, int *severity, size_t cap,
                           l2w_err *err)
{
    json_error_t jerr;
    json_t *doc = json_loads(payload_json, 0, &jerr);
    const char *k = doc ? json_string_value(json_object_get(doc, "kind")) : NULL;
    const char *c = doc ? json_string_value(json_object_get(doc, "chain")) : NULL;
    const char *s = doc ? json_string_value(json_object_get(doc, "severity")) : NULL;
    l2w_status st = L2W_OK;
    if (!k || !s || strlen(k) >= cap || (c && strlen(c) >= cap)) {
        l2w_err_set(err, "alerts: the finding document has no kind or severity (or they are too long)");
        st = L2W_ERR_INVALID;
    } else {
        snprintf(kind, cap, "%s", k);
        snprintf(chain, cap, "%s", c ? c : "");
        *severity = l2w_severity_from_name(s);
    }
    json_decref(doc);
    return st;
}

l2w_status l2w_alerts_enqueue_to(l2w_db *db, int64_t finding_id, const char *event, uint32_t seq,
                                 const char *payload_json, const char *const *sinks, size_t n_sinks, l2w_err *err)
{
    char *literal = NULL;
    l2w_status st = l2w_db_text_array_literal(&literal, sinks, n_sinks);
    if (st != L2W_OK) {
        l2w_err_set(err, "alerts: out of memory");
        return st;
    }
    char id_text[24], seq_text[16];
    snprintf(id_text, sizeof id_text, "%lld", (long long)finding_id);
    snprintf(seq_text, sizeof seq_text, "%u", (unsigned)seq);
    const char *params[] = {id_text, event, payload_json, literal, seq_text};
    st = l2w_db_exec(db, NULL, insert_sql, 5, params, err);
    free(literal);
    if (st != L2W_OK)
        l2w_err_prefix(err, "alerts: queueing %s of finding %s", event, id_text);
    return st;
}

l2w_status l2w_alerts_enqueue_seq(l2w_db *db, int64_t finding_id, const char *event, uint32_t seq,
                                  const char *payload_json, const l2w_config *cfg, l2w_err *err)
{
    if (finding_id <= 0 || !l2w_alert_event_valid(event) || !payload_json) {
        l2w_err_set(err, "alerts: enqueue: bad finding id %lld or event %s", (long long)finding_id,
                    event ? event : "(null)");
        return L2W_ERR_INVALID;
    }
    char kind[128], chain[128];
    int severity;
    l2w_status st = read_doc(payload_json, kind, chain, &severity, sizeof kind, err);
    if (st != L2W_OK)
        return st;
    size_t chosen[L2W_MAX_SINKS];
    size_t n = l2w_alert_route_sinks(cfg, kind, chain, severity, chosen);
    if (n == 0)
        return L2W_OK; /* no route wants it: the finding itself is the record */
    const char *names[L2W_MAX_SINKS];
    for (size_t i = 0; i < n; i++)
        names[i] = cfg->sinks[chosen[i]].name;
    return l2w_alerts_enqueue_to(db, finding_id, event, seq, payload_json, names, n, err);
}

l2w_status l2w_alerts_enqueue(l2w_db *db, int64_t finding_id, const char *event, const char *payload_json,
                              const l2w_config *cfg, l2w_err *err)
{
    return l2w_alerts_enqueue_seq(db, finding_id, event, 0, payload_json, cfg, err);
}
