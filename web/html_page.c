#include "web/html_page.h"

#include <stdlib.h>
#include <string.h>

static const struct {
    const char *path;
    const char *label;
} nav[] = {
    {"/", "overview"},
    {"/findings", "findings"},
    {"/rollups", "rollups"},
    {"/channels", "channels"},
    {"/da", "DA &amp; liveness"},
    {"/bridges", "Bridges &amp; TVL"},
    {"/fees", "fees"},
    {"/alerts", "alerts &amp; silences"},
};

l2w_status l2w_html_page_open(l2w_html_page *p, const char *title, const char *path, const char *script,
                              bool refresh)
{
    memset(p, 0, sizeof *p);
    p->f = open_memstream(&p->buf, &p->len);
    if (!p->f)
        return L2W_ERR_NOMEM;
    fprintf(p->f,
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            "<meta name=\"color-scheme\" content=\"light dark\">%s"
            "<title>l2watch &middot; %s</title><link rel=\"stylesheet\" href=\"/static/dashboard.css\">"
            "<link rel=\"icon\" href=\"/static/favicon.svg\" type=\"image/svg+xml\">",
            refresh ? "<meta http-equiv=\"refresh\" content=\"5\">" : "", title);
    if (script)
        fprintf(p->f, "<script defer src=\"/static/%s\"></script>", script);
    fprintf(p->f, "</head>\n<body><header><h1>l2watch</h1><span class=\"muted\">v" L2W_VERSION " &middot; %s",
            refresh ? "refreshes every 5 s" : "reload to update");
    for (size_t i = 0; i < sizeof nav / sizeof nav[0]; i++) {
        if (strcmp(nav[i].path, path) == 0)
            fprintf(p->f, " &middot; %s", nav[i].label);
        else
            fprintf(p->f, " &middot; <a href=\"%s\">%s</a>", nav[i].path, nav[i].label);
    }
    fputs(" &middot; <a href=\"/api/v1/findings\">API</a> &middot; <a href=\"/metrics\">metrics</a>"
          "</span></header>\n<main>\n",
          p->f);
    return L2W_OK;
}

void l2w_html_page_db_down(l2w_html_page *p)
{
    fputs("<p class=\"banner\">The database is unavailable; this page retries every 5 s.</p>\n", p->f);
}

l2w_status l2w_html_page_respond(l2w_html_page *p, l2w_web_response *resp, bool db_down, l2w_err *err)
{
    fputs("</main></body></html>\n", p->f);
    bool failed = ferror(p->f) != 0;
    if (fclose(p->f) != 0 || failed) {
        free(p->buf);
        memset(p, 0, sizeof *p);
        l2w_err_set(err, "dashboard page: out of memory");
        return L2W_ERR_NOMEM;
    }
    l2w_web_respond_take(resp, db_down ? 503 : 200, L2W_CT_HTML, p->buf, p->len);
    memset(p, 0, sizeof *p);
    return L2W_OK;
}

bool l2w_html_page_db_unavailable(l2w_status st)
{
    return st == L2W_ERR_DB_RETRY || st == L2W_ERR_TIMEOUT;
}
