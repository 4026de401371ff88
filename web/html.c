#include "web/html.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

void l2w_html_put(FILE *f, const char *s)
{
    if (!s)
        return;
    for (const char *p = s; *p; p++) {
        switch (*p) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: fputc(*p, f); break;
        }
    }
}

l2w_status l2w_html_escape(char **out, const char *s)
{
    *out = NULL;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return L2W_ERR_NOMEM;
    l2w_html_put(f, s);
    bool failed = ferror(f) != 0;
    if (fclose(f) != 0 || failed) {
        free(buf);
        return L2W_ERR_NOMEM;
    }
    *out = buf;
    return L2W_OK;
}

void l2w_html_cell(FILE *f, const PGresult *res, int row, int col, const char *cls)
{
    fputs(cls ? "<td class=\"" : "<td>", f);
    if (cls) {
        fputs(cls, f);
        fputs("\">", f);
    }
    if (PQgetisnull(res, row, col))
        fputs("<span class=\"muted\">&mdash;</span>", f);
    else
        l2w_html_put(f, PQgetvalue(res, row, col));
    fputs("</td>", f);
}

void l2w_html_empty_row(FILE *f, int cols, const char *text)
{
    fprintf(f, "<tr><td colspan=\"%d\" class=\"muted\">%s</td></tr>\n", cols, text);
}

const char *l2w_html_severity_class(const char *severity)
{
    static const char *const names[] = {"critical", "high", "medium", "low", "info"};
    static const char *const classes[] = {"badge sev-critical", "badge sev-high", "badge sev-medium",
                                          "badge sev-low", "badge sev-info"};
    for (size_t i = 0; severity && i < sizeof names / sizeof names[0]; i++)
        if (strcmp(severity, names[i]) == 0)
            return classes[i];
    return "badge";
}
