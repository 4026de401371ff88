#include "web/params.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core/rfc3339.h"

/* Canonical unsigned decimal up to max: digits only, no leading zero. */
static l2w_status parse_decimal(uint64_t *out, const char *text, uint64_t max)
{
    if (!text || text[0] == '\0' || (text[0] == '0' && text[1] != '\0'))
        return L2W_ERR_INVALID;
    uint64_t v = 0;
    for (const char *p = text; *p; p++) {
        if (*p < '0' || *p > '9')
            return L2W_ERR_INVALID;
        uint64_t d = (uint64_t)(*p - '0');
        if (d > max || v > (max - d) / 10)
            return L2W_ERR_INVALID;
        v = v * 10 + d;
    }
    *out = v;
    return L2W_OK;
}

l2w_status l2w_web_parse_limit(unsigned *out, const char *text, unsigned def, unsigned max)
{
    if (!text) {
        *out = def;
        return L2W_OK;
    }
    uint64_t v;
    if (parse_decimal(&v, text, max) != L2W_OK || v == 0)
        return L2W_ERR_INVALID;
    *out = (unsigned)v;
    return L2W_OK;
}

l2w_status l2w_web_parse_id(int64_t *out, const char *text)
{
    uint64_t v;
    if (parse_decimal(&v, text, INT64_MAX) != L2W_OK || v == 0)
        return L2W_ERR_INVALID;
    *out = (int64_t)v;
    return L2W_OK;
}

l2w_status l2w_web_parse_finding_status(const char **out, const char *text)
{
    static const char *const statuses[] = {"open", "resolved", "retracted"};
    *out = NULL;
    if (!text)
        return L2W_OK;
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
        if (strcmp(text, statuses[i]) == 0) {
            *out = statuses[i];
            return L2W_OK;
        }
    }
    return L2W_ERR_INVALID;
}

l2w_status l2w_web_parse_time(int64_t *out, const char *text)
{
    /* What is wrong is not kept: the routes answer with the parameter and its form. */
    return l2w_rfc3339_parse(out, text, NULL);
}

l2w_status l2w_web_parse_day(int64_t *out, const char *text)
{
    char full[sizeof "YYYY-MM-DDT00:00:00Z"];
    if (!text || strlen(text) != 10)
        return L2W_ERR_INVALID;
    snprintf(full, sizeof full, "%sT00:00:00Z", text);
    return l2w_web_parse_time(out, full);
}
