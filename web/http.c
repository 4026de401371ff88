#include "web/http.h"

#include <jansson.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *l2w_web_query(const l2w_web_request *req, const char *key)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, key);
}

json_t *l2w_web_json_body(l2w_web_response *resp, const l2w_web_request *req, l2w_status *st)
{
    *st = L2W_OK;
    json_error_t jerr;
    json_t *body = json_loadb(req->body ? req->body : "", req->body_len, JSON_REJECT_DUPLICATES, &jerr);
    if (!body) {
        char msg[256];
        snprintf(msg, sizeof msg, "body is not JSON: line %d column %d: %s", jerr.line, jerr.column, jerr.text);
        *st = l2w_web_respond_error_code(resp, 400, "malformed_json", NULL, msg);
    }
    return body;
}

void l2w_web_response_clear(l2w_web_response *resp)
{
    if (!resp->body_static)
        free(resp->body);
    memset(resp, 0, sizeof *resp);
}

static void set_body(l2w_web_response *resp, unsigned code, const char *content_type, char *body, size_t len,
                     bool is_static)
{
    if (!resp->body_static)
        free(resp->body);
    resp->code = code;
    resp->content_type = content_type;
    resp->body = body;
    resp->body_len = len;
    resp->body_static = is_static;
}

void l2w_web_respond_take(l2w_web_response *resp, unsigned code, const char *content_type, char *body, size_t len)
{
    set_body(resp, code, content_type, body, len, false);
}

l2w_status l2w_web_respond_copy(l2w_web_response *resp, unsigned code, const char *content_type, const char *body,
                                size_t len)
{
    char *copy = malloc(len + 1);
    if (!copy)
        return L2W_ERR_NOMEM;
    memcpy(copy, body, len);
    copy[len] = '\0';
    set_body(resp, code, content_type, copy, len, false);
    return L2W_OK;
}

void l2w_web_respond_static(l2w_web_response *resp, unsigned code, const char *content_type, const char *body,
                            size_t len)
{
    /* The server never writes to or frees a static body. */
    set_body(resp, code, content_type, (char *)body, len, true);
}

const char *l2w_web_error_code(unsigned http_code)
{
    switch (http_code) {
    case 400:
        return "bad_request";
    case 401:
        return "unauthorized";
    case 403:
        return "forbidden";
    case 404:
        return "not_found";
    case 405:
        return "method_not_allowed";
    case 409:
        return "conflict";
    case 413:
        return "body_too_large";
    case 415:
        return "unsupported_media_type";
    case 429:
        return "rate_limited";
    case 503:
        return "unavailable";
    default:
        return http_code >= 500 ? "internal" : "bad_request";
    }
}

l2w_status l2w_web_respond_error(l2w_web_response *resp, unsigned code, const char *param, const char *message)
{
    return l2w_web_respond_error_code(resp, code, l2w_web_error_code(code), param, message);
}

l2w_status l2w_web_respond_error_code(l2w_web_response *resp, unsigned http_code, const char *code,
                                      const char *param, const char *message)
{
    json_t *obj = json_object();
    if (!obj)
        return L2W_ERR_NOMEM;
    int rc = json_object_set_new(obj, "code", json_string(code));
    if (rc == 0)
        rc = json_object_set_new(obj, "message", json_string(message));
    if (rc == 0 && param)
        rc = json_object_set_new(obj, "param", json_string(param));
    char *text = rc == 0 ? json_dumps(obj, JSON_COMPACT) : NULL;
    json_decref(obj);
    if (!text)
        return L2W_ERR_NOMEM;
    l2w_web_respond_take(resp, http_code, L2W_CT_JSON, text, strlen(text));
    return L2W_OK;
}
