#include "web/html_chart.h"

#include <stdbool.h>
#include <string.h>

#include "web/html.h"

void l2w_html_chart_assets(FILE *f)
{
    fputs("<link rel=\"stylesheet\" href=\"/static/uplot.min.css\">"
          "<script defer src=\"/static/uplot.min.js\"></script>"
          "<script defer src=\"/static/charts.js\"></script>\n",
          f);
}

void l2w_html_json_string(FILE *f, const char *s)
{
    if (!s) {
        fputs("null", f);
        return;
    }
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || strchr("<>&'\"\\", *p))
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

/* A plain decimal, as PostgreSQL writes a numeric: -?digits(.digits)?.
 * Only such text goes into the data block as a number. */
static bool plain_decimal(const char *s)
{
    if (*s == '-')
        s++;
    size_t whole = strspn(s, "0123456789");
    if (whole == 0)
        return false;
    s += whole;
    if (*s == '.') {
        s++;
        size_t frac = strspn(s, "0123456789");
        if (frac == 0)
            return false;
        s += frac;
    }
    return *s == '\0';
}

static void number(FILE *f, const PGresult *res, int row, int col)
{
    const char *v = PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
    fputs(v && plain_decimal(v) ? v : "null", f);
}

void l2w_html_chart(FILE *f, const char *id, const char *title, const char *unit, const PGresult *res, int from,
                    int n, int x_column, const l2w_html_chart_series *series, size_t n_series)
{
    if (n <= 0)
        return;
    fprintf(f, "<figure class=\"chart\" id=\"%s\" data-chart=\"%s\"><figcaption>", id, id);
    l2w_html_put(f, title);
    fputs(" <span class=\"muted\">(", f);
    l2w_html_put(f, unit);
    fputs(")</span></figcaption><ul class=\"chart-key\">", f);
    for (size_t s = 0; s < n_series; s++) {
        /* "--chart-1" names the swatch class "chart-1". */
        fprintf(f, "<li><span class=\"swatch %s\"></span>", series[s].color + 2);
        l2w_html_put(f, series[s].label);
        fputs("</li>", f);
    }
    fputs("</ul><div class=\"chart-plot\" role=\"img\" aria-label=\"", f);
    l2w_html_put(f, title);
    fputs("\"></div>\n<script type=\"application/json\" class=\"chart-data\">{\"unit\":", f);
    l2w_html_json_string(f, unit);
    fputs(",\"x\":[", f);
    for (int i = 0; i < n; i++) {
        if (i)
            fputc(',', f);
        number(f, res, from + i, x_column);
    }
    fputs("],\"series\":[", f);
    for (size_t s = 0; s < n_series; s++) {
        fputs(s ? ",{\"label\":" : "{\"label\":", f);
        l2w_html_json_string(f, series[s].label);
        fputs(",\"color\":", f);
        l2w_html_json_string(f, series[s].color);
        fputs(",\"values\":[", f);
        for (int i = 0; i < n; i++) {
            if (i)
                fputc(',', f);
            number(f, res, from + i, series[s].column);
        }
        fputs("]}", f);
    }
    fputs("]}</script></figure>\n", f);
}
