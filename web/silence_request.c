/* Checking a silence before it is stored: a silence hides findings from
 * every sink, so a typo must be an error with the field's name, not a
 * silence that hides the wrong thing or nothing. */

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/finding.h"
#include "core/rfc3339.h"
#include "web/silence_request.h"
#include "web/text_field.h"

#define KIND_MAX 64
#define SUBJECT_MAX 256
#define AUTHOR_MAX 200
#define REASON_MAX 2000

typedef struct {
    char *field;
    size_t cap;
    l2w_err *err;
} ctx;

L2W_PRINTF(3, 4) static l2w_status refuse(ctx *c, const char *field, const char *fmt, ...)
{
    snprintf(c->field, c->cap, "%s", field);
    va_list ap;
    va_start(ap, fmt);
    char msg[sizeof c->err->msg];
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    l2w_err_set(c->err, "%s: %s", *field ? field : "body", msg);
    return L2W_ERR_INVALID;
}

/* A free-text field (web/text_field.h), refused under its name. */
static l2w_status text_field(ctx *c, const char **out, const json_t *v, const char *field, size_t max,
                             bool multiline)
{
    char why[96];
    if (l2w_text_field(out, v, max, multiline, why, sizeof why) != L2W_OK)
        return refuse(c, field, "%s", why);
    return L2W_OK;
}

static l2w_status kind_matcher(ctx *c, l2w_silence_request *r, const json_t *v)
{
    l2w_status st = text_field(c, &r->kind, v, "matchers.kind", KIND_MAX, false);
    for (const char *p = r->kind; st == L2W_OK && *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return refuse(c, "matchers.kind", "a finding kind is lower-case letters, digits and '_' "
                                              "(e.g. invalid_output_root)");
    return st;
}

static l2w_status chain_matcher(ctx *c, l2w_silence_request *r, const json_t *v, const l2w_config *cfg)
{
    l2w_status st = text_field(c, &r->chain, v, "matchers.chain", KIND_MAX, false);
    if (st == L2W_OK && !l2w_config_chain(cfg, r->chain))
        return refuse(c, "matchers.chain", "\"%s\" is not a chain in this l2watch's config", r->chain);
    return st;
}

static l2w_status severity_matcher(ctx *c, l2w_silence_request *r, const json_t *v)
{
    l2w_status st = text_field(c, &r->severity, v, "matchers.severity", KIND_MAX, false);
    if (st == L2W_OK && l2w_severity_from_name(r->severity) < 0)
        return refuse(c, "matchers.severity", "expected info, low, medium, high or critical");
    return st;
}

static l2w_status subject_matcher(ctx *c, l2w_silence_request *r, const json_t *v)
{
    l2w_status st = text_field(c, &r->subject, v, "matchers.subject", SUBJECT_MAX, false);
    if (st != L2W_OK)
        return st;
    const char *star = strchr(r->subject, '*');
    if (star && star[1] != '\0')
        return refuse(c, "matchers.subject", "'*' may only end the subject (a prefix match)");
    if (strcmp(r->subject, "*") == 0)
        return refuse(c, "matchers.subject", "\"*\" alone matches every subject: leave subject out instead");
    return L2W_OK;
}

static l2w_status matchers(ctx *c, l2w_silence_request *r, const json_t *m, const l2w_config *cfg)
{
    if (!json_is_object(m))
        return refuse(c, "matchers", "expected an object of kind, chain, severity and subject");
    if (json_object_size(m) == 0)
        return refuse(c, "matchers", "at least one matcher is needed: a silence of everything is not allowed");
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)m, key, v) {
        l2w_status st;
        if (strcmp(key, "kind") == 0)
            st = kind_matcher(c, r, v);
        else if (strcmp(key, "chain") == 0)
            st = chain_matcher(c, r, v, cfg);
        else if (strcmp(key, "severity") == 0)
            st = severity_matcher(c, r, v);
        else if (strcmp(key, "subject") == 0)
            st = subject_matcher(c, r, v);
        else {
            char field[80];
            snprintf(field, sizeof field, "matchers.%.60s", key);
            st = refuse(c, field, "unknown matcher; the matchers are kind, chain, severity and subject");
        }
        if (st != L2W_OK)
            return st;
    }
    return L2W_OK;
}

static l2w_status expiry(ctx *c, l2w_silence_request *r, const json_t *body, int64_t now)
{
    const json_t *at = json_object_get(body, "expires_at");
    const json_t *dur = json_object_get(body, "duration_s");
    if (at && dur)
        return refuse(c, "expires_at", "give expires_at or duration_s, not both");
    if (!at && !dur)
        return refuse(c, "expires_at", "a silence needs an end: expires_at (RFC 3339) or duration_s");
    const char *field = at ? "expires_at" : "duration_s";
    if (at) {
        if (!json_is_string(at))
            return refuse(c, field, "expected an RFC 3339 time string such as 2026-11-22T18:00:00Z");
        l2w_err why = {{0}};
        if (l2w_rfc3339_parse(&r->expires_at, json_string_value(at), &why) != L2W_OK)
            return refuse(c, field, "%s", why.msg);
    } else {
        if (!json_is_integer(dur))
            return refuse(c, field, "expected a whole number of seconds");
        json_int_t s = json_integer_value(dur);
        if (s < L2W_SILENCE_MIN_S || s > L2W_SILENCE_MAX_S)
            return refuse(c, field, "expected %d to %d seconds", L2W_SILENCE_MIN_S, L2W_SILENCE_MAX_S);
        r->expires_at = now + (int64_t)s;
    }
    if (r->expires_at < now + L2W_SILENCE_MIN_S)
        return refuse(c, field, "must be at least %d seconds from now", L2W_SILENCE_MIN_S);
    if (r->expires_at > now + L2W_SILENCE_MAX_S)
        return refuse(c, field, "must be at most 90 days from now");
    return L2W_OK;
}

l2w_status l2w_silence_request_parse(l2w_silence_request *out, const json_t *body, const l2w_config *cfg,
                                     int64_t now, char *field, size_t field_cap, l2w_err *err)
{
    memset(out, 0, sizeof *out);
    ctx c = {field, field_cap, err};
    if (field_cap)
        field[0] = '\0';
    if (!json_is_object(body))
        return refuse(&c, "", "expected a JSON object");
    static const char *const known[] = {"matchers", "expires_at", "duration_s", "author", "reason"};
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)body, key, v) {
        size_t k = 0;
        while (k < sizeof known / sizeof known[0] && strcmp(key, known[k]) != 0)
            k++;
        if (k == sizeof known / sizeof known[0]) {
            char name[64];
            snprintf(name, sizeof name, "%.60s", key);
            return refuse(&c, name, "unknown field; the fields are matchers, expires_at or duration_s, author "
                                    "and reason");
        }
    }
    l2w_status st = matchers(&c, out, json_object_get(body, "matchers"), cfg);
    if (st == L2W_OK)
        st = expiry(&c, out, body, now);
    const json_t *author = json_object_get(body, "author");
    if (st == L2W_OK && author)
        st = text_field(&c, &out->author, author, "author", AUTHOR_MAX, false);
    const json_t *reason = json_object_get(body, "reason");
    if (st == L2W_OK && !reason)
        st = refuse(&c, "reason", "a silence needs a reason (1 to %d bytes)", REASON_MAX);
    if (st == L2W_OK)
        st = text_field(&c, &out->reason, reason, "reason", REASON_MAX, true);
    return st;
}
