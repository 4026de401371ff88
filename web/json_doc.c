#include "web/json_doc.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

bool l2w_doc_set(json_t *obj, const char *key, json_t *v)
{
    return json_object_set_new(obj, key, v) == 0;
}

json_t *l2w_doc_done(json_t *obj, bool ok)
{
    if (ok)
        return obj;
    json_decref(obj);
    return NULL;
}

const char *l2w_doc_value(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

json_t *l2w_doc_text(const char *s)
{
    return s ? json_string(s) : json_null();
}

json_t *l2w_doc_int(const char *s)
{
    return s ? json_integer((json_int_t)strtoll(s, NULL, 10)) : json_null();
}

json_t *l2w_doc_count(const PGresult *res, int row, int col)
{
    const char *s = l2w_doc_value(res, row, col);
    return json_integer(s ? (json_int_t)strtoll(s, NULL, 10) : 0);
}

static json_t *uint_doc(const char *s)
{
    if (!s)
        return json_null();
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno == 0 && *s >= '0' && *s <= '9' && *end == '\0' && v <= INT64_MAX)
        return json_integer((json_int_t)v);
    return json_string(s);
}

static json_t *field_doc(const char *s, l2w_doc_kind kind)
{
    switch (kind) {
    case L2W_DOC_TEXT: return l2w_doc_text(s);
    case L2W_DOC_INT: return l2w_doc_int(s);
    case L2W_DOC_UINT: return uint_doc(s);
    }
    return NULL;
}

json_t *l2w_doc_row(const PGresult *res, int row, const l2w_doc_field *fields, size_t n)
{
    json_t *doc = json_object();
    bool ok = doc != NULL;
    for (size_t i = 0; ok && i < n; i++)
        ok = l2w_doc_set(doc, fields[i].key, field_doc(l2w_doc_value(res, row, fields[i].col), fields[i].kind));
    return l2w_doc_done(doc, ok);
}

l2w_status l2w_doc_respond(l2w_web_response *resp, json_t *doc, bool ok, const char *what, l2w_err *err)
{
    char *text = ok ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    if (!text) {
        l2w_err_set(err, "%s: out of memory building the document", what);
        return L2W_ERR_NOMEM;
    }
    l2w_web_respond_take(resp, 200, L2W_CT_JSON, text, strlen(text));
    return L2W_OK;
}
