/* GET /api/v1/findings and /api/v1/findings/{id}, in the one finding shape
 * defined by the finding_documents view (shared with alert payloads) and
 * read from its stored text (sql/0015). */

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/finding.h"

#include "web/params.h"
#include "web/routes.h"

#define FINDINGS_DEFAULT_LIMIT 100
#define FINDINGS_MAX_LIMIT 1000

/* Newest first by id (the order findings are stored in), paged back with
 * before=<the last id seen>. The LIMIT applies before the join, so only the
 * page's stored document texts (sql/0015) are read and joined as a JSON
 * array, with the separator jsonb's own array text uses; each filter has an
 * index in that order (sql/0013). A NULL parameter is no filter: the
 * statement is planned with the values, so those tests cost nothing. */
static const char findings_sql[] =
    "SELECT coalesce('[' || string_agg(d.doc, ', ' ORDER BY f.id DESC) || ']', '[]')"
    " FROM (SELECT id FROM findings"
    "       WHERE ($2::text IS NULL OR status = $2::text) AND ($3::text IS NULL OR kind = $3::text)"
    "         AND ($4::text IS NULL OR severity = $4::text) AND ($5::text IS NULL OR chain = $5::text)"
    "         AND ($6::bigint IS NULL OR detected_at >= to_timestamp($6::bigint))"
    "         AND ($7::bigint IS NULL OR detected_at < to_timestamp($7::bigint))"
    "         AND ($8::bigint IS NULL OR id < $8::bigint)"
    "         AND ($9::boolean IS NULL OR (ack_at IS NOT NULL) = $9::boolean)"
    "       ORDER BY id DESC LIMIT $1::integer) f"
    " JOIN finding_doc_texts d ON d.finding_id = f.id";

/* Every alert of the finding, by sink and in the order they were queued. */
static const char finding_alerts_sql[] =
    "SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM findings WHERE id = $1::bigint) THEN NULL ELSE"
    " coalesce((SELECT jsonb_agg(jsonb_build_object("
    "   'id', o.id, 'event', o.event, 'seq', o.seq, 'sink', o.sink, 'attempts', o.attempts,"
    "   'state', CASE WHEN o.silence_id IS NOT NULL THEN 'silenced' WHEN o.delivered_at IS NOT NULL THEN 'delivered'"
    "                 WHEN o.dead_at IS NOT NULL THEN 'dead' ELSE 'pending' END,"
    "   'silence_id', o.silence_id, 'sent_with', o.sent_with, 'last_error', o.last_error,"
    "   'created_at', to_char(o.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),"
    "   'delivered_at', to_char(o.delivered_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),"
    "   'dead_at', to_char(o.dead_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'))"
    "   ORDER BY o.id) FROM alert_outbox o WHERE o.finding_id = $1::bigint), '[]'::jsonb)::text END";

static const char finding_sql[] = "SELECT doc FROM finding_doc_texts WHERE finding_id = $1::bigint";

/* A filter value that is a name (kind, chain): 1..64 of [a-z0-9_-]. */
static bool name_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 64)
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
            return false;
    return true;
}

/* An RFC 3339 time parameter as Unix seconds text, or NULL when absent.
 * False when present and not a time. */
static bool time_param(const l2w_web_request *req, const char *key, char out[24], const char **param)
{
    const char *text = l2w_web_query(req, key);
    *param = NULL;
    if (!text)
        return true;
    int64_t t;
    if (l2w_web_parse_time(&t, text) != L2W_OK)
        return false;
    snprintf(out, 24, "%" PRId64, t);
    *param = out;
    return true;
}

l2w_status l2w_route_findings(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err)
{
    unsigned limit;
    if (l2w_web_parse_limit(&limit, l2w_web_query(req, "limit"), FINDINGS_DEFAULT_LIMIT, FINDINGS_MAX_LIMIT) !=
        L2W_OK)
        return l2w_web_respond_error(resp, 400, "limit", "limit must be an integer from 1 to 1000");
    const char *status;
    if (l2w_web_parse_finding_status(&status, l2w_web_query(req, "status")) != L2W_OK)
        return l2w_web_respond_error(resp, 400, "status", "status must be open, resolved or retracted");
    const char *kind = l2w_web_query(req, "kind"), *chain = l2w_web_query(req, "chain");
    if (kind && !name_ok(kind))
        return l2w_web_respond_error(resp, 400, "kind", "kind must be a finding kind such as invalid_output_root");
    if (chain && !name_ok(chain))
        return l2w_web_respond_error(resp, 400, "chain", "chain must be a chain name");
    const char *severity = l2w_web_query(req, "severity");
    if (severity && l2w_severity_from_name(severity) < 0)
        return l2w_web_respond_error(resp, 400, "severity", "severity must be info, low, medium, high or critical");
    char since_text[24], until_text[24];
    const char *since, *until;
    if (!time_param(req, "since", since_text, &since))
        return l2w_web_respond_error(resp, 400, "since", "since must be an RFC 3339 time such as 2026-11-22T00:00:00Z");
    if (!time_param(req, "until", until_text, &until))
        return l2w_web_respond_error(resp, 400, "until", "until must be an RFC 3339 time such as 2026-11-22T00:00:00Z");
    const char *before = l2w_web_query(req, "before");
    int64_t before_id;
    if (before && l2w_web_parse_id(&before_id, before) != L2W_OK)
        return l2w_web_respond_error(resp, 400, "before", "before must be a finding id (a positive integer)");
    const char *acked = l2w_web_query(req, "acknowledged");
    if (acked && strcmp(acked, "true") != 0 && strcmp(acked, "false") != 0)
        return l2w_web_respond_error(resp, 400, "acknowledged", "acknowledged must be true or false");
    char limit_text[16];
    snprintf(limit_text, sizeof limit_text, "%u", limit);
    const char *params[] = {limit_text, status, kind, severity, chain, since, until, before, acked};
    return l2w_web_json_query(resp, req, findings_sql, 9, params, "no findings", err);
}

/* /api/v1/findings/{id} and /api/v1/findings/{id}/alerts. */
l2w_status l2w_route_finding(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err)
{
    char id_part[32];
    const char *slash = strchr(req->tail, '/');
    size_t id_len = slash ? (size_t)(slash - req->tail) : strlen(req->tail);
    bool alerts = slash && strcmp(slash, "/alerts") == 0;
    int64_t id;
    if ((slash && !alerts) || id_len >= sizeof id_part)
        return l2w_web_respond_error(resp, 404, NULL, "not found");
    memcpy(id_part, req->tail, id_len);
    id_part[id_len] = '\0';
    if (l2w_web_parse_id(&id, id_part) != L2W_OK)
        return l2w_web_respond_error(resp, 404, "id", "no such finding");
    char id_text[24];
    snprintf(id_text, sizeof id_text, "%" PRId64, id);
    const char *params[] = {id_text};
    return l2w_web_json_query(resp, req, alerts ? finding_alerts_sql : finding_sql, 1, params, "no such finding",
                              err);
}
