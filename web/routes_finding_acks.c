/* POST and DELETE /api/v1/findings/{id}/ack: an open finding acknowledged
 * (someone is on it), and that taken back. Writes need a web.clients token;
 * the client's name is stored beside the author the caller gives, as for
 * silences. The finding's document then carries "acknowledgement"
 * (sql/0020); alerts are not changed by it. */

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "web/params.h"
#include "web/routes.h"
#include "web/text_field.h"

#define ACK_AUTHOR_MAX 200
#define ACK_NOTE_MAX 2000

/* Only an open finding nobody has acknowledged; the first acknowledgement
 * stands until taken back, so the record says who really took it. */
static const char ack_sql[] =
    "UPDATE findings SET ack_at = now(), ack_client = $2, ack_author = coalesce($3, $2), ack_note = $4"
    " WHERE id = $1::bigint AND status = 'open' AND ack_at IS NULL RETURNING id";

static const char unack_sql[] =
    "UPDATE findings SET ack_at = NULL, ack_client = NULL, ack_author = NULL, ack_note = NULL"
    " WHERE id = $1::bigint AND ack_at IS NOT NULL RETURNING id";

/* Why a write changed nothing. */
static const char state_sql[] =
    "SELECT status, ack_author, ack_client,"
    " to_char(ack_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') FROM findings WHERE id = $1::bigint";

static const char doc_sql[] = "SELECT doc FROM finding_doc_texts WHERE finding_id = $1::bigint";

/* The id of "{id}/ack", the route's tail; false when it is not one. */
static bool finding_id(const l2w_web_request *req, char id_text[24])
{
    const char *slash = strchr(req->tail, '/');
    size_t n = slash ? (size_t)(slash - req->tail) : 0;
    char part[24];
    int64_t id;
    if (!slash || strcmp(slash, "/ack") != 0 || n == 0 || n >= sizeof part)
        return false;
    memcpy(part, req->tail, n);
    part[n] = '\0';
    if (l2w_web_parse_id(&id, part) != L2W_OK)
        return false;
    snprintf(id_text, 24, "%" PRId64, id);
    return true;
}

/* The body's author and note, both optional; an empty body is none. A
 * refusal is answered here (422 naming the field) and *answered set. */
static l2w_status read_body(l2w_web_response *resp, const l2w_web_request *req, json_t **body, const char **author,
                            const char **note, bool *answered)
{
    *body = NULL;
    *author = *note = NULL;
    *answered = false;
    if (req->body_len == 0)
        return L2W_OK;
    l2w_status st;
    if (!(*body = l2w_web_json_body(resp, req, &st))) {
        *answered = true;
        return st;
    }
    const char *key, *field = NULL;
    json_t *v;
    char why[128] = "";
    if (!json_is_object(*body)) {
        field = "";
        snprintf(why, sizeof why, "the body must be a JSON object: {\"author\": ..., \"note\": ...}");
    } else {
        json_object_foreach(*body, key, v) {
            if (strcmp(key, "author") == 0 && l2w_text_field(author, v, ACK_AUTHOR_MAX, false, why, sizeof why) != L2W_OK)
                field = "author";
            else if (strcmp(key, "note") == 0 && l2w_text_field(note, v, ACK_NOTE_MAX, true, why, sizeof why) != L2W_OK)
                field = "note";
            else if (strcmp(key, "author") != 0 && strcmp(key, "note") != 0) {
                field = key;
                snprintf(why, sizeof why, "unknown field; the fields are author and note");
            }
            if (field)
                break;
        }
    }
    if (!field)
        return L2W_OK;
    /* field may be a key of the body: copied before the body goes. */
    char name[64], msg[256];
    snprintf(name, sizeof name, "%s", field);
    snprintf(msg, sizeof msg, "%s: %s", *name ? name : "body", why);
    *answered = true;
    json_decref(*body);
    *body = NULL;
    return l2w_web_respond_error_code(resp, 422, "invalid_acknowledgement", *name ? name : NULL, msg);
}

/* 404 for an unknown finding, else 409 saying why the write changed nothing. */
static l2w_status respond_unchanged(l2w_web_response *resp, const l2w_web_request *req, const char *id_text,
                                    bool acking, l2w_err *err)
{
    const char *params[] = {id_text};
    PGresult *res;
    l2w_status st = l2w_web_db_exec(req, &res, state_sql, 1, params, err);
    if (st != L2W_OK)
        return st;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return l2w_web_respond_error(resp, 404, "id", "no such finding");
    }
    char msg[512];
    const char *code;
    if (!acking) {
        code = "not_acknowledged";
        snprintf(msg, sizeof msg, "finding %s is not acknowledged", id_text);
    } else if (!PQgetisnull(res, 0, 1)) {
        code = "already_acknowledged";
        snprintf(msg, sizeof msg, "finding %s was acknowledged by %.200s (client %.64s) at %s", id_text,
                 PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2), PQgetvalue(res, 0, 3));
    } else {
        code = "finding_not_open";
        snprintf(msg, sizeof msg, "finding %s is %s; only an open finding is acknowledged", id_text,
                 PQgetvalue(res, 0, 0));
    }
    PQclear(res);
    return l2w_web_respond_error_code(resp, 409, code, "id", msg);
}

static l2w_status respond_changed(l2w_web_response *resp, const l2w_web_request *req, const char *id_text,
                                  const char *what, l2w_err *err)
{
    L2W_INFO("web", "findings", "finding %s %s by client %s", id_text, what, req->client->name);
    const char *params[] = {id_text};
    return l2w_web_json_query(resp, req, doc_sql, 1, params, "no such finding", err);
}

l2w_status l2w_route_finding_ack(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err)
{
    char id_text[24];
    if (!finding_id(req, id_text))
        return l2w_web_respond_error(resp, 404, "id", "no such finding");
    json_t *body;
    const char *author, *note;
    bool answered;
    l2w_status st = read_body(resp, req, &body, &author, &note, &answered);
    if (answered)
        return st;
    const char *params[] = {id_text, req->client->name, author, note};
    PGresult *res;
    st = l2w_web_db_exec(req, &res, ack_sql, 4, params, err);
    json_decref(body);
    if (st != L2W_OK)
        return st;
    bool changed = PQntuples(res) == 1;
    PQclear(res);
    return changed ? respond_changed(resp, req, id_text, "acknowledged", err)
                   : respond_unchanged(resp, req, id_text, true, err);
}

l2w_status l2w_route_finding_unack(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err)
{
    char id_text[24];
    if (!finding_id(req, id_text))
        return l2w_web_respond_error(resp, 404, "id", "no such finding");
    const char *params[] = {id_text};
    PGresult *res;
    l2w_status st = l2w_web_db_exec(req, &res, unack_sql, 1, params, err);
    if (st != L2W_OK)
        return st;
    bool changed = PQntuples(res) == 1;
    PQclear(res);
    return changed ? respond_changed(resp, req, id_text, "no longer acknowledged", err)
                   : respond_unchanged(resp, req, id_text, false, err);
}
