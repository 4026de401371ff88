/* Silences: GET /api/v1/silences (newest first, by state), GET and DELETE
 * /api/v1/silences/{id}, POST /api/v1/silences. Writes need a web.clients
 * token; the client's name is stored with the change, beside the author the
 * caller gives, so the audit trail does not rest on what callers claim. A
 * silence applies to alerts queued while it is live; the findings
 * themselves are always stored. */

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "web/params.h"
#include "web/routes.h"
#include "web/silence_request.h"

#define SILENCES_DEFAULT_LIMIT 100
#define SILENCES_MAX_LIMIT 1000

static const char list_sql[] =
    "SELECT coalesce(jsonb_agg(d.doc ORDER BY d.id DESC), '[]'::jsonb)::text FROM ("
    " SELECT z.id FROM alert_silences z"
    " WHERE ($2::bigint IS NULL OR z.id < $2::bigint)"
    "   AND CASE $3::text WHEN 'live' THEN z.deleted_at IS NULL AND z.expires_at > now()"
    "                     WHEN 'expired' THEN z.deleted_at IS NULL AND z.expires_at <= now()"
    "                     WHEN 'deleted' THEN z.deleted_at IS NOT NULL ELSE true END"
    " ORDER BY z.id DESC LIMIT $1::integer) p JOIN silence_documents d ON d.id = p.id";

static const char one_sql[] = "SELECT doc::text FROM silence_documents WHERE id = $1::bigint";

static const char insert_sql[] =
    "INSERT INTO alert_silences (kind, chain, severity, subject, author, reason, expires_at, created_by)"
    " VALUES ($1, $2, $3, $4, coalesce($5, $7), $6, to_timestamp($8::bigint), $7) RETURNING id::text";

/* Only a live silence is ended; an ended one is left as it was, so the
 * record says how it really ended. */
static const char delete_sql[] =
    "UPDATE alert_silences SET deleted_at = now(), deleted_by = $2"
    " WHERE id = $1::bigint AND deleted_at IS NULL AND expires_at > now() RETURNING id";

static const char state_sql[] =
    "SELECT doc->>'state', coalesce(doc->>'deleted_at', doc->>'expires_at') FROM silence_documents"
    " WHERE id = $1::bigint";

l2w_status l2w_route_silences(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err)
{
    unsigned limit;
    if (l2w_web_parse_limit(&limit, l2w_web_query(req, "limit"), SILENCES_DEFAULT_LIMIT, SILENCES_MAX_LIMIT) !=
        L2W_OK)
        return l2w_web_respond_error(resp, 400, "limit", "limit must be an integer from 1 to 1000");
    const char *before = l2w_web_query(req, "before");
    int64_t id;
    if (before && l2w_web_parse_id(&id, before) != L2W_OK)
        return l2w_web_respond_error(resp, 400, "before", "before must be a silence id (a positive integer)");
    const char *state = l2w_web_query(req, "state");
    if (!state)
        state = "all";
    if (strcmp(state, "live") != 0 && strcmp(state, "expired") != 0 && strcmp(state, "deleted") != 0 &&
        strcmp(state, "all") != 0)
        return l2w_web_respond_error(resp, 400, "state", "state must be live, expired, deleted or all");
    char limit_text[16];
    snprintf(limit_text, sizeof limit_text, "%u", limit);
    const char *params[] = {limit_text, before, state};
    return l2w_web_json_query(resp, req, list_sql, 3, params, "no silences", err);
}

/* The silence whose id is the route's tail, or a 404 already answered. */
static bool silence_id(l2w_web_response *resp, const l2w_web_request *req, char id_text[24], l2w_status *st)
{
    int64_t id;
    if (l2w_web_parse_id(&id, req->tail) == L2W_OK) {
        snprintf(id_text, 24, "%" PRId64, id);
        return true;
    }
    *st = l2w_web_respond_error(resp, 404, "id", "no such silence");
    return false;
}

l2w_status l2w_route_silence(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err)
{
    char id_text[24];
    l2w_status st;
    if (!silence_id(resp, req, id_text, &st))
        return st;
    const char *params[] = {id_text};
    return l2w_web_json_query(resp, req, one_sql, 1, params, "no such silence", err);
}

static l2w_status respond_silence(l2w_web_response *resp, const l2w_web_request *req, const char *id_text,
                                  unsigned code, l2w_err *err)
{
    const char *params[] = {id_text};
    l2w_status st = l2w_web_json_query(resp, req, one_sql, 1, params, "no such silence", err);
    if (st == L2W_OK && resp->code == 200)
        resp->code = code;
    return st;
}

l2w_status l2w_route_silence_create(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err)
{
    l2w_status bst;
    json_t *body = l2w_web_json_body(resp, req, &bst);
    if (!body)
        return bst;
    l2w_silence_request s;
    char field[80];
    l2w_err why = {{0}};
    if (l2w_silence_request_parse(&s, body, req->cfg, (int64_t)time(NULL), field, sizeof field, &why) != L2W_OK) {
        l2w_status st = l2w_web_respond_error_code(resp, 422, "invalid_silence", field, why.msg);
        json_decref(body);
        return st;
    }
    char expires[24];
    snprintf(expires, sizeof expires, "%" PRId64, s.expires_at);
    const char *params[] = {s.kind, s.chain, s.severity, s.subject, s.author, s.reason, req->client->name, expires};
    PGresult *res;
    l2w_status st = l2w_web_db_exec(req, &res, insert_sql, 8, params, err);
    json_decref(body);
    if (st != L2W_OK)
        return st;
    char id_text[24];
    snprintf(id_text, sizeof id_text, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    L2W_INFO("web", "silences", "silence %s created by client %s, until %s", id_text, req->client->name, expires);
    return respond_silence(resp, req, id_text, 201, err);
}

l2w_status l2w_route_silence_delete(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err)
{
    char id_text[24];
    l2w_status st;
    if (!silence_id(resp, req, id_text, &st))
        return st;
    const char *params[] = {id_text, req->client->name};
    PGresult *res;
    st = l2w_web_db_exec(req, &res, delete_sql, 2, params, err);
    if (st != L2W_OK)
        return st;
    bool ended_now = PQntuples(res) == 1;
    PQclear(res);
    if (ended_now) {
        L2W_INFO("web", "silences", "silence %s deleted by client %s", id_text, req->client->name);
        return respond_silence(resp, req, id_text, 200, err);
    }
    st = l2w_web_db_exec(req, &res, state_sql, 1, params, err);
    if (st != L2W_OK)
        return st;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return l2w_web_respond_error(resp, 404, "id", "no such silence");
    }
    char msg[160];
    snprintf(msg, sizeof msg, "silence %s has already ended (%s at %s)", id_text, PQgetvalue(res, 0, 0),
             PQgetvalue(res, 0, 1));
    PQclear(res);
    return l2w_web_respond_error_code(resp, 409, "silence_ended", "id", msg);
}
