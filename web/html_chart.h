#ifndef L2W_WEB_HTML_CHART_H
#define L2W_WEB_HTML_CHART_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdio.h>

/* Charts on dashboard pages. The server writes each chart as a <figure>
 * holding its key and its figures as a JSON data block
 * (<script type="application/json">, which browsers never run, so the CSP's
 * script-src 'self' holds); /static/charts.js draws every such figure with
 * uPlot (/static/uplot.min.js) in the colours of the stylesheet's
 * variables, light or dark. A page shows the same figures in a table next
 * to the chart, so nothing depends on the script. */

/* One line of a chart: its label (literal text, escaped here), the
 * stylesheet variable that colours it ("--chart-1".."--chart-3", also the
 * key's swatch class without its dashes) and the result column holding its
 * values as decimal text (SQL NULL, or anything but a plain decimal, is a
 * gap). */
typedef struct {
    const char *label;
    const char *color;
    int column;
} l2w_html_chart_series;

/* Writes the assets a page with charts loads: uPlot's stylesheet and
 * script and /static/charts.js, all deferred. Written once, inside <main>
 * (a stylesheet link is allowed in the body). */
void l2w_html_chart_assets(FILE *f);

/* Writes one chart of rows [from, from + n) of res: x_column holds unix
 * seconds (ascending), each series its values. id is the figure's id (a
 * fixed name from the page, not escaped); title and unit are literal text
 * (escaped). Writes nothing when n is 0. */
void l2w_html_chart(FILE *f, const char *id, const char *title, const char *unit, const PGresult *res, int from,
                    int n, int x_column, const l2w_html_chart_series *series, size_t n_series);

/* s as a JSON string, quotes included, with every character that could end
 * a <script> data block or an attribute (< > & ' ") and every control
 * character written as \u00XX. NULL writes null. */
void l2w_html_json_string(FILE *f, const char *s);

#endif
