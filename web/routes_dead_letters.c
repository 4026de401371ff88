/* Dead letters: GET /api/v1/alerts/dead lists the alerts that failed
 * alerts.max_attempts times; POST /api/v1/alerts/requeue sends chosen ones
 * again (a sink that was misconfigured for a day, now fixed).
 *
 * A requeued alert starts its attempts from zero and is sent in its turn:
 * the claim keeps the order per finding and sink. One whose finding has
 * since reached the sink with a later alert is "superseded": sending it now
 * would show the receiver an old state after a newer one (a PagerDuty
 * incident triggered again after it was resolved), so it is refused unless
 * the caller says force. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/db.h"
#include "core/log.h"
#include "web/params.h"
#include "web/routes.h"

#define DEAD_DEFAULT_LIMIT 100
#define DEAD_MAX_LIMIT 1000
#define REQUEUE_MAX_IDS 1000
/* A whole sink's dead letters at once: enough for a day-long outage of a
 * busy sink, bounded so one request stays one short transaction. */
#define REQUEUE_SINK_MAX "10000"

static const char list_sql[] =
    "SELECT coalesce(jsonb_agg(d.doc ORDER BY d.id DESC), '[]'::jsonb)::text FROM ("
    " SELECT o.id FROM alert_outbox o WHERE o.dead_at IS NOT NULL"
    "   AND ($2::bigint IS NULL OR o.id < $2::bigint) AND ($3::text IS NULL OR o.sink = $3::text)"
    " ORDER BY o.id DESC LIMIT $1::integer) p JOIN dead_letter_documents d ON d.id = p.id";

static const char sink_ids_sql[] =
    "SELECT coalesce(array_agg(id ORDER BY id), '{}')::text FROM ("
    " SELECT id FROM alert_outbox WHERE dead_at IS NOT NULL AND sink = $1 ORDER BY id LIMIT " REQUEUE_SINK_MAX ") s";

/* $1 ids, $2 the configured sinks, $3 force, $4 the client. The result of
 * every id, in the order given; the last SELECT reads the rows as they were
 * before the UPDATE, which is what tells a refusal's reason. */
static const char requeue_sql[] =
    "WITH want AS ("
    "  SELECT o.id FROM alert_outbox o"
    "  WHERE o.id = ANY($1::bigint[]) AND o.dead_at IS NOT NULL AND o.sink = ANY($2::text[])"
    "    AND ($3::boolean OR NOT EXISTS (SELECT 1 FROM alert_outbox l WHERE l.finding_id = o.finding_id"
    "         AND l.sink = o.sink AND l.id > o.id AND l.delivered_at IS NOT NULL))"
    "  FOR UPDATE OF o),"
    " up AS ("
    "  UPDATE alert_outbox o SET dead_at = NULL, attempts = 0, next_attempt_at = now(), last_error = NULL,"
    "   requeues = o.requeues + 1, requeued_at = now(), requeued_by = $4"
    "  FROM want WHERE o.id = want.id RETURNING o.id),"
    " r AS ("
    "  SELECT i.n, i.id, CASE WHEN up.id IS NOT NULL THEN 'requeued' WHEN o.id IS NULL THEN 'not_found'"
    "   WHEN o.dead_at IS NULL THEN 'not_dead' WHEN NOT (o.sink = ANY($2::text[])) THEN 'sink_unknown'"
    "   ELSE 'superseded' END AS result"
    "  FROM unnest($1::bigint[]) WITH ORDINALITY AS i(id, n)"
    "  LEFT JOIN up ON up.id = i.id LEFT JOIN alert_outbox o ON o.id = i.id)"
    "SELECT jsonb_build_object('requeued', count(*) FILTER (WHERE result = 'requeued'),"
    "  'refused', count(*) FILTER (WHERE result <> 'requeued'),"
    "  'results', coalesce(jsonb_agg(jsonb_build_object('id', id, 'result', result) ORDER BY n), '[]'::jsonb))::text,"
    " count(*) FILTER (WHERE result = 'requeued')::text FROM r";

l2w_status l2w_route_dead_letters(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err)
{
    unsigned limit;
    if (l2w_web_parse_limit(&limit, l2w_web_query(req, "limit"), DEAD_DEFAULT_LIMIT, DEAD_MAX_LIMIT) != L2W_OK)
        return l2w_web_respond_error(resp, 400, "limit", "limit must be an integer from 1 to 1000");
    const char *before = l2w_web_query(req, "before");
    int64_t id;
    if (before && l2w_web_parse_id(&id, before) != L2W_OK)
        return l2w_web_respond_error(resp, 400, "before", "before must be an alert id (a positive integer)");
    char limit_text[16];
    snprintf(limit_text, sizeof limit_text, "%u", limit);
    const char *params[] = {limit_text, before, l2w_web_query(req, "sink")};
    return l2w_web_json_query(resp, req, list_sql, 3, params, "no dead letters", err);
}

static bool sink_configured(const l2w_config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->n_sinks; i++)
        if (strcmp(cfg->sinks[i].name, name) == 0)
            return true;
    return false;
}

typedef struct {
    char *ids;        /* a bigint[] literal, malloc'd */
    const char *sink; /* into the body */
    bool force;
} requeue_body;

/* The body's ids as a bigint[] literal; *refused when resp holds a 422. */
static l2w_status ids_literal(l2w_web_response *resp, const json_t *ids, requeue_body *b, bool *refused)
{
    size_t n = json_array_size(ids);
    if (!json_is_array(ids) || n == 0 || n > REQUEUE_MAX_IDS) {
        *refused = true;
        return l2w_web_respond_error_code(resp, 422, "invalid_requeue", "ids",
                                          "ids: expected an array of 1 to 1000 alert ids");
    }
    b->ids = malloc(n * 21 + 3);
    if (!b->ids)
        return L2W_ERR_NOMEM;
    size_t used = 0;
    b->ids[used++] = '{';
    for (size_t i = 0; i < n; i++) {
        const json_t *v = json_array_get(ids, i);
        if (!json_is_integer(v) || json_integer_value(v) < 1) {
            char msg[96];
            snprintf(msg, sizeof msg, "ids[%zu]: expected a positive integer alert id", i);
            *refused = true;
            return l2w_web_respond_error_code(resp, 422, "invalid_requeue", "ids", msg);
        }
        used += (size_t)sprintf(b->ids + used, "%s%lld", i ? "," : "", (long long)json_integer_value(v));
    }
    b->ids[used++] = '}';
    b->ids[used] = '\0';
    return L2W_OK;
}

static l2w_status read_body(l2w_web_response *resp, const l2w_config *cfg, const json_t *body, requeue_body *b,
                            bool *refused)
{
    *refused = true;
    if (!json_is_object(body))
        return l2w_web_respond_error_code(resp, 422, "invalid_requeue", NULL, "expected a JSON object");
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)body, key, v) {
        if (strcmp(key, "ids") != 0 && strcmp(key, "sink") != 0 && strcmp(key, "force") != 0) {
            char msg[128];
            snprintf(msg, sizeof msg, "%.60s: unknown field; the fields are ids or sink, and force", key);
            return l2w_web_respond_error_code(resp, 422, "invalid_requeue", key, msg);
        }
    }
    const json_t *ids = json_object_get(body, "ids"), *sink = json_object_get(body, "sink");
    const json_t *force = json_object_get(body, "force");
    if (!ids == !sink)
        return l2w_web_respond_error_code(resp, 422, "invalid_requeue", "ids",
                                          "give ids (a list of alert ids) or sink (every dead letter of one sink)");
    if (force && !json_is_boolean(force))
        return l2w_web_respond_error_code(resp, 422, "invalid_requeue", "force", "force: expected true or false");
    b->force = json_is_true(force);
    if (sink) {
        if (!json_is_string(sink) || !sink_configured(cfg, json_string_value(sink)))
            return l2w_web_respond_error_code(resp, 422, "invalid_requeue", "sink",
                                              "sink: expected the name of a sink in alerts.sinks");
        b->sink = json_string_value(sink);
        *refused = false;
        return L2W_OK;
    }
    *refused = false;
    return ids_literal(resp, ids, b, refused);
}

/* The ids of every dead letter of b->sink, oldest first. */
static l2w_status sink_ids(const l2w_web_request *req, requeue_body *b, l2w_err *err)
{
    const char *params[] = {b->sink};
    PGresult *res;
    l2w_status st = l2w_web_db_exec(req, &res, sink_ids_sql, 1, params, err);
    if (st != L2W_OK)
        return st;
    b->ids = strdup(PQgetvalue(res, 0, 0));
    PQclear(res);
    if (!b->ids) {
        l2w_err_set(err, "requeue: out of memory");
        return L2W_ERR_NOMEM;
    }
    return L2W_OK;
}

static l2w_status requeue(l2w_web_response *resp, const l2w_web_request *req, const requeue_body *b, l2w_err *err)
{
    const char *names[L2W_MAX_SINKS];
    for (size_t i = 0; i < req->cfg->n_sinks; i++)
        names[i] = req->cfg->sinks[i].name;
    char *sinks = NULL;
    if (l2w_db_text_array_literal(&sinks, names, req->cfg->n_sinks) != L2W_OK) {
        l2w_err_set(err, "requeue: out of memory");
        return L2W_ERR_NOMEM;
    }
    const char *params[] = {b->ids, sinks, b->force ? "true" : "false", req->client->name};
    PGresult *res;
    l2w_status st = l2w_web_db_exec(req, &res, requeue_sql, 4, params, err);
    free(sinks);
    if (st != L2W_OK)
        return st;
    L2W_INFO("web", "requeue", "client %s requeued %s dead letters%s", req->client->name, PQgetvalue(res, 0, 1),
             b->force ? " (force)" : "");
    st = l2w_web_respond_copy(resp, 200, L2W_CT_JSON, PQgetvalue(res, 0, 0), (size_t)PQgetlength(res, 0, 0));
    PQclear(res);
    return st;
}

l2w_status l2w_route_requeue(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err)
{
    l2w_status bst;
    json_t *body = l2w_web_json_body(resp, req, &bst);
    if (!body)
        return bst;
    requeue_body b = {0};
    bool refused = false;
    l2w_status st = read_body(resp, req->cfg, body, &b, &refused);
    if (st == L2W_OK && !refused && b.sink)
        st = sink_ids(req, &b, err);
    if (st == L2W_OK && !refused)
        st = requeue(resp, req, &b, err);
    if (st == L2W_ERR_NOMEM && !err->msg[0])
        l2w_err_set(err, "requeue: out of memory");
    free(b.ids);
    json_decref(body);
    return st;
}
