/* GET /api/v1/findings and /api/v1/findings/{id}, in the one finding shape
 * defined by the finding_documents view (shared with alert payloads). */

#include <stdio.h>

#include "web/params.h"
#include "web/routes.h"

#define FINDINGS_DEFAULT_LIMIT 100
#define FINDINGS_MAX_LIMIT 1000

/* The LIMIT applies before the join so the view is evaluated for the page
 * only; findings_recent_idx serves the ORDER BY. */
static const char findings_sql[] =
    "SELECT coalesce(jsonb_agg(d.doc ORDER BY f.detected_at DESC, f.id DESC), '[]'::jsonb)::text"
    " FROM (SELECT id, detected_at FROM findings"
    "       WHERE $2::text IS NULL OR status = $2::text"
    "       ORDER BY detected_at DESC, id DESC LIMIT $1::integer) f"
    " JOIN finding_documents d ON d.id = f.id";

static const char finding_sql[] = "SELECT doc::text FROM finding_documents WHERE id = $1::bigint";

l2w_status l2w_route_findings(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err)
{
    unsigned limit;
    if (l2w_web_parse_limit(&limit, l2w_web_query(req, "limit"), FINDINGS_DEFAULT_LIMIT, FINDINGS_MAX_LIMIT) !=
        L2W_OK)
        return l2w_web_respond_error(resp, 400, "limit", "limit must be an integer from 1 to 1000");
    const char *status;
    if (l2w_web_parse_finding_status(&status, l2w_web_query(req, "status")) != L2W_OK)
        return l2w_web_respond_error(resp, 400, "status", "status must be open, resolved or retracted");
    char limit_text[16];
    snprintf(limit_text, sizeof limit_text, "%u", limit);
    const char *params[] = {limit_text, status};
    return l2w_web_json_query(resp, req, findings_sql, 2, params, "no findings", err);
}

l2w_status l2w_route_finding(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err)
{
    int64_t id;
    if (l2w_web_parse_id(&id, req->tail) != L2W_OK)
        return l2w_web_respond_error(resp, 404, "id", "no such finding");
    char id_text[24];
    snprintf(id_text, sizeof id_text, "%lld", (long long)id);
    const char *params[] = {id_text};
    return l2w_web_json_query(resp, req, finding_sql, 1, params, "no such finding", err);
}
