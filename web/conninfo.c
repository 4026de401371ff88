#include "web/conninfo.h"

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Keyword values are single-quoted with \ and ' backslash-escaped, which
 * libpq accepts for every value. */
static void put_escaped(FILE *f, const char *s)
{
    for (const char *p = s; *p; p++) {
        if (*p == '\\' || *p == '\'')
            fputc('\\', f);
        fputc(*p, f);
    }
}

/* keyword='value suffix' (suffix may be NULL). */
static void put_value(FILE *f, const char *keyword, const char *value, const char *suffix)
{
    fprintf(f, "%s='", keyword);
    put_escaped(f, value);
    if (suffix) {
        fputc(' ', f);
        put_escaped(f, suffix);
    }
    fputs("' ", f);
}

l2w_status l2w_conninfo_derive(char **out, const char *url, const char *application_name,
                               unsigned connect_timeout_s, unsigned statement_timeout_ms, l2w_err *err)
{
    *out = NULL;
    char *perr = NULL;
    PQconninfoOption *opts = PQconninfoParse(url, &perr);
    if (!opts) {
        /* perr may quote the URL, password included: say only that it is malformed. */
        PQfreemem(perr);
        l2w_err_set(err, "database.url is not a valid libpq connection string");
        return L2W_ERR_CONFIG;
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) {
        PQconninfoFree(opts);
        l2w_err_set(err, "out of memory");
        return L2W_ERR_NOMEM;
    }
    bool has_timeout = false, has_options = false;
    char extra[64];
    snprintf(extra, sizeof extra, "-c statement_timeout=%u", statement_timeout_ms);
    for (const PQconninfoOption *o = opts; o->keyword; o++) {
        if (!o->val)
            continue;
        if (strcmp(o->keyword, "application_name") == 0)
            continue; /* ours names the component in pg_stat_activity */
        if (strcmp(o->keyword, "connect_timeout") == 0)
            has_timeout = true;
        if (strcmp(o->keyword, "options") == 0) {
            has_options = true;
            put_value(f, o->keyword, o->val, extra);
            continue;
        }
        put_value(f, o->keyword, o->val, NULL);
    }
    PQconninfoFree(opts);
    if (!has_options)
        put_value(f, "options", extra, NULL);
    if (!has_timeout) {
        char t[16];
        snprintf(t, sizeof t, "%u", connect_timeout_s);
        put_value(f, "connect_timeout", t, NULL);
    }
    put_value(f, "application_name", application_name, NULL);
    bool failed = ferror(f) != 0;
    if (fclose(f) != 0 || failed) {
        free(buf);
        l2w_err_set(err, "out of memory");
        return L2W_ERR_NOMEM;
    }
    *out = buf;
    return L2W_OK;
}
