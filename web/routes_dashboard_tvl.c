/* GET /bridges, "Bridges & TVL": the bridge guard's table (escrow, remote
 * supply, backing, drawdown and outflow against their limits, pause state,
 * open findings; web/routes_dashboard_bridges.c), then each watched token's
 * escrow TVL now in token units and in USD (or why there is no USD figure)
 * with its change over 24 h, 7 d and 30 d, and its TVL over the last 30 days
 * as a chart and a table. TVL figures come from tvl_samples
 * (sql/0012_analytics.sql) through its (bridge, token, sampled_at) index:
 * one probe a token for now, three for the changes and one per day for the
 * chart, so the page costs the same after a year as after a day. Amounts
 * are numeric text from PostgreSQL; USD is floored to the cent there. */

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/db.h"
#include "web/page_cache.h"
#include "web/html.h"
#include "web/html_chart.h"
#include "web/html_page.h"
#include "web/routes.h"
#include "web/routes_dashboard_bridges.h"

#define TS_FMT "'YYYY-MM-DD HH24:MI:SS\"Z\"'"
/* Dollars floored to the cent, grouped by thousands. */
#define USD(x) "to_char(trunc(" x ", 2), 'FM999,999,999,999,999,999,999,990.00')"
/* A signed change without trailing zeros: "+1.5", "-0.25", "0". */
#define SIGNED(x) "(CASE WHEN " x " > 0 THEN '+' ELSE '' END || trim_scale(" x ")::text)"
#define CHANGE_PCT(n, p) "CASE WHEN " p ".usd > 0 AND " n ".usd IS NOT NULL THEN round((" n ".usd - " p ".usd) * 100 / " p ".usd, 2) END::text"
#define BEFORE(alias, days)                                                                                           \
    " LEFT JOIN LATERAL (SELECT t.sampled_at, t.amount, t.usd FROM tvl_samples t"                                     \
    "  WHERE t.bridge = c.bridge AND t.token = c.token AND n.sampled_at IS NOT NULL"                                  \
    "  AND t.sampled_at <= n.sampled_at - interval '" days " days'"                                                   \
    "  ORDER BY t.sampled_at DESC, t.id DESC LIMIT 1) " alias " ON true"

/* Per configured token, the latest TVL sample and the latest at least 1, 7
 * and 30 days older than it (as tvl_windows compares them). */
enum {
    T_ROW = 0,
    T_SAMPLED,
    T_BLOCK,
    T_AMOUNT,
    T_USD,
    T_USD_EXACT,
    T_PRICE_STATUS,
    T_PRICE_AGE,
    T_PRICE_READ,
    T_CHANGES,           /* then per window: amount change, USD change in percent, when the older sample was */
    T_COLUMNS = T_CHANGES + 9
};
static const char tvl_sql[] =
    "SELECT (c.i - 1)::text, to_char(n.sampled_at AT TIME ZONE 'UTC', " TS_FMT "), n.block_number::text,"
    " trim_scale(n.amount)::text, " USD("n.usd") ", n.usd::text, n.price_status, ps.age_s::text,"
    " to_char(ps.read_at AT TIME ZONE 'UTC', " TS_FMT "),"
    " " SIGNED("n.amount - p1.amount") ", " CHANGE_PCT("n", "p1") ", to_char(p1.sampled_at AT TIME ZONE 'UTC', " TS_FMT "),"
    " " SIGNED("n.amount - p7.amount") ", " CHANGE_PCT("n", "p7") ", to_char(p7.sampled_at AT TIME ZONE 'UTC', " TS_FMT "),"
    " " SIGNED("n.amount - p30.amount") ", " CHANGE_PCT("n", "p30") ", to_char(p30.sampled_at AT TIME ZONE 'UTC', " TS_FMT ")"
    " FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS c(bridge, token, i)"
    " LEFT JOIN LATERAL (SELECT t.* FROM tvl_samples t WHERE t.bridge = c.bridge AND t.token = c.token"
    "  ORDER BY t.sampled_at DESC, t.id DESC LIMIT 1) n ON true"
    " LEFT JOIN price_samples ps ON ps.id = n.price_id"
    BEFORE("p1", "1") BEFORE("p7", "7") BEFORE("p30", "30")
    " ORDER BY c.i";

/* The chart: per token and UTC day of the last 31 (today included), the
 * day's last sample. */
enum { S_ROW = 0, S_DAY, S_X, S_AMOUNT, S_USD, S_COLUMNS };
static const char series_sql[] =
    "SELECT (c.i - 1)::text, g.day::date::text, extract(epoch FROM d.sampled_at)::bigint::text,"
    " trim_scale(d.amount)::text, " USD("d.usd")
    " FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS c(bridge, token, i)"
    " CROSS JOIN generate_series((now() AT TIME ZONE 'UTC')::date - 30, (now() AT TIME ZONE 'UTC')::date,"
    "  interval '1 day') g(day)"
    " CROSS JOIN LATERAL (SELECT t.sampled_at, t.amount, t.usd FROM tvl_samples t"
    "  WHERE t.bridge = c.bridge AND t.token = c.token AND t.sampled_at >= g.day AT TIME ZONE 'UTC'"
    "  AND t.sampled_at < (g.day + interval '1 day') AT TIME ZONE 'UTC'"
    "  ORDER BY t.sampled_at DESC, t.id DESC LIMIT 1) d"
    " ORDER BY c.i, g.day";

typedef struct {
    l2w_web_bridge_data bridges;
    PGresult *tvl;
    PGresult *series;
} page_data;

static void data_clear(page_data *d)
{
    l2w_web_bridges_clear(&d->bridges);
    PQclear(d->tvl);
    PQclear(d->series);
    d->tvl = d->series = NULL;
}

/* {bridge of token 0, bridge of token 1, ...} and {token key 0, ...}. */
static l2w_status token_arrays(char **bridges, char **tokens, const l2w_config *cfg)
{
    *bridges = *tokens = NULL;
    size_t n = 0;
    for (size_t i = 0; i < cfg->n_bridges; i++)
        n += cfg->bridges[i].n_tokens;
    const char **b = calloc(n ? n : 1, sizeof *b);
    char(*keys)[L2W_WB_TOKEN_KEY_LEN] = calloc(n ? n : 1, sizeof *keys);
    const char **t = calloc(n ? n : 1, sizeof *t);
    l2w_status st = b && keys && t ? L2W_OK : L2W_ERR_NOMEM;
    for (size_t i = 0, k = 0; st == L2W_OK && i < cfg->n_bridges; i++) {
        for (size_t j = 0; j < cfg->bridges[i].n_tokens; j++, k++) {
            b[k] = cfg->bridges[i].name;
            l2w_web_bridge_token_key(keys[k], &cfg->bridges[i].tokens[j]);
            t[k] = keys[k];
        }
    }
    if (st == L2W_OK)
        st = l2w_db_text_array_literal(bridges, b, n);
    if (st == L2W_OK)
        st = l2w_db_text_array_literal(tokens, t, n);
    if (st != L2W_OK) {
        free(*bridges);
        *bridges = NULL;
    }
    free(b);
    free(keys);
    free(t);
    return st;
}

static l2w_status load(page_data *d, const l2w_web_request *req, l2w_err *err)
{
    const l2w_config *cfg = req->cfg;
    if (cfg->n_bridges == 0)
        return L2W_OK;
    size_t n_tokens = 0;
    for (size_t i = 0; i < cfg->n_bridges; i++)
        n_tokens += cfg->bridges[i].n_tokens;
    char *bridges, *tokens;
    if (token_arrays(&bridges, &tokens, cfg) != L2W_OK) {
        l2w_err_set(err, "bridges page: out of memory");
        return L2W_ERR_NOMEM;
    }
    const char *params[] = {bridges, tokens};
    l2w_db *db;
    l2w_status st = l2w_db_pool_acquire(req->pool, &db, L2W_WEB_DB_WAIT_MS, err);
    if (st == L2W_OK) {
        st = l2w_web_bridges_load(&d->bridges, db, cfg, true, err);
        if (st == L2W_OK)
            st = l2w_db_exec(db, &d->tvl, tvl_sql, 2, params, err);
        if (st == L2W_OK && (PQntuples(d->tvl) != (int)n_tokens || PQnfields(d->tvl) != T_COLUMNS)) {
            l2w_err_set(err, "bridges page: TVL query answered %d rows of %d columns, expected %zu of %d",
                        PQntuples(d->tvl), PQnfields(d->tvl), n_tokens, (int)T_COLUMNS);
            st = L2W_ERR_DB;
        }
        if (st == L2W_OK)
            st = l2w_db_exec(db, &d->series, series_sql, 2, params, err);
        if (st == L2W_OK && PQnfields(d->series) != S_COLUMNS) {
            l2w_err_set(err, "bridges page: TVL series query answered %d columns", PQnfields(d->series));
            st = L2W_ERR_DB;
        }
        l2w_db_pool_release(req->pool, db);
    }
    free(bridges);
    free(tokens);
    if (st != L2W_OK)
        data_clear(d);
    return st;
}

/* ---- rendering ---- */

static const char *value(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

static void dash(FILE *f)
{
    fputs("<span class=\"muted\">&mdash;</span>", f);
}

/* Why a sample has no USD figure, in words, from its stored price_status. */
static const char *no_usd_reason(const char *status)
{
    static const struct {
        const char *status;
        const char *reason;
    } reasons[] = {
        {"unpriced", "unpriced: no price feed configured"},
        {"no_reading", "no price read yet"},
        {"stale", "stale price"},
        {"non_positive", "price feed answered zero or less"},
        {"incomplete_round", "price round incomplete"},
    };
    for (size_t i = 0; status && i < sizeof reasons / sizeof reasons[0]; i++)
        if (strcmp(status, reasons[i].status) == 0)
            return reasons[i].reason;
    return "no USD figure";
}

static void usd_cell(FILE *f, const PGresult *res, int row)
{
    const char *usd = value(res, row, T_USD);
    if (usd) {
        fputs("<td class=\"num\" title=\"", f);
        l2w_html_put(f, value(res, row, T_USD_EXACT));
        fputs(" USD at a fresh price\">$", f);
        l2w_html_put(f, usd);
        fputs("</td>", f);
        return;
    }
    const char *status = value(res, row, T_PRICE_STATUS);
    if (!status) {
        fputs("<td class=\"num\">", f);
        dash(f);
        fputs("</td>", f);
        return;
    }
    /* The price read behind a stale or refused figure, when it is kept. */
    const char *age = value(res, row, T_PRICE_AGE), *read = value(res, row, T_PRICE_READ);
    fputs("<td class=\"num\"", f);
    if (age && read) {
        fputs(" title=\"price read ", f);
        l2w_html_put(f, read);
        fputs(", updated ", f);
        l2w_html_put(f, age);
        fputs(" s before\"", f);
    }
    fputs("><span class=\"badge muted no-usd\">", f);
    fputs(no_usd_reason(status), f);
    fputs("</span></td>", f);
}

static void change_cell(FILE *f, const PGresult *res, int row, int window, const char *symbol)
{
    int col = T_CHANGES + 3 * window;
    const char *amount = value(res, row, col), *pct = value(res, row, col + 1), *since = value(res, row, col + 2);
    if (!amount) {
        fputs("<td class=\"num\" title=\"no sample that old\">", f);
        dash(f);
        fputs("</td>", f);
        return;
    }
    fputs("<td class=\"num\" title=\"against the sample of ", f);
    l2w_html_put(f, since);
    fprintf(f, "\"><span class=\"%s\">", amount[0] == '-' ? "change-down" : (amount[0] == '+' ? "change-up"
                                                                                                 : "change-flat"));
    l2w_html_put(f, amount);
    fputs("</span> <span class=\"unit\">", f);
    l2w_html_put(f, symbol);
    fputs("</span>", f);
    if (pct) {
        fputs("<br><span class=\"muted\">", f);
        if (pct[0] != '-')
            fputc('+', f);
        l2w_html_put(f, pct);
        fputs("% USD</span>", f);
    }
    fputs("</td>", f);
}

static void render_tvl(FILE *f, const l2w_config *cfg, const PGresult *res)
{
    fputs("<section><h2>TVL</h2><p class=\"muted\">Escrowed value per bridge and token, sampled every "
          "analytics.tvl_interval_seconds; USD only at a fresh price. Changes compare the latest sample with the "
          "latest one at least 24 h, 7 d and 30 d older.</p>"
          "<div class=\"scroll\"><table class=\"amounts\" id=\"tvl\">\n<thead><tr><th>Bridge</th><th>Token</th>"
          "<th class=\"num\">TVL</th><th class=\"num\">USD</th><th>Sampled</th><th class=\"num\">24 h</th>"
          "<th class=\"num\">7 d</th><th class=\"num\">30 d</th></tr></thead><tbody>\n",
          f);
    int row = 0;
    for (size_t i = 0; i < cfg->n_bridges; i++) {
        const l2w_bridge_config *b = &cfg->bridges[i];
        for (size_t j = 0; j < b->n_tokens; j++, row++) {
            const l2w_bridge_token *t = &b->tokens[j];
            char key[L2W_WB_TOKEN_KEY_LEN];
            l2w_web_bridge_token_key(key, t);
            fputs("<tr data-bridge=\"", f);
            l2w_html_put(f, b->name);
            fputs("\" data-token=\"", f);
            l2w_html_put(f, key);
            fputs("\"><td>", f);
            l2w_html_put(f, b->name);
            fputs("</td><td title=\"", f);
            l2w_html_put(f, key);
            fputs("\">", f);
            l2w_html_put(f, t->symbol);
            fputs("</td>", f);
            const char *amount = value(res, row, T_AMOUNT);
            if (!amount) {
                fputs("<td class=\"num\" colspan=\"6\"><span class=\"muted\">no TVL sample yet</span></td></tr>\n",
                      f);
                continue;
            }
            fputs("<td class=\"num\">", f);
            l2w_html_put(f, amount);
            fputs(" <span class=\"unit\">", f);
            l2w_html_put(f, t->symbol);
            fputs("</span></td>", f);
            usd_cell(f, res, row);
            fputs("<td title=\"block ", f);
            l2w_html_put(f, value(res, row, T_BLOCK));
            fputs("\">", f);
            l2w_html_put(f, value(res, row, T_SAMPLED));
            fputs("</td>", f);
            for (int w = 0; w < 3; w++)
                change_cell(f, res, row, w, t->symbol);
            fputs("</tr>\n", f);
        }
    }
    fputs("</tbody></table></div></section>\n", f);
}

static void render_series(FILE *f, const l2w_config *cfg, const PGresult *res)
{
    fputs("<section><h2>TVL over 30 days</h2>", f);
    int row = 0, cursor = 0, total = PQntuples(res);
    for (size_t i = 0; i < cfg->n_bridges; i++) {
        const l2w_bridge_config *b = &cfg->bridges[i];
        for (size_t j = 0; j < b->n_tokens; j++, row++) {
            const l2w_bridge_token *t = &b->tokens[j];
            int from = cursor;
            while (cursor < total && atoi(PQgetvalue(res, cursor, S_ROW)) == row)
                cursor++;
            int n = cursor - from;
            fputs("<h3>", f);
            l2w_html_put(f, b->name);
            fputs(" &middot; ", f);
            l2w_html_put(f, t->symbol);
            fputs("</h3>", f);
            if (n == 0) {
                fputs("<p class=\"muted\">No TVL sample in the last 30 days.</p>\n", f);
                continue;
            }
            char id[48];
            snprintf(id, sizeof id, "chart-tvl-%d", row);
            const l2w_html_chart_series series[] = {{t->symbol, "--chart-1", S_AMOUNT}};
            l2w_html_chart(f, id, "Escrow at the end of each UTC day (the latest sample today)", t->symbol, res, from,
                           n, S_X, series, 1);
            fprintf(f, "<div class=\"scroll figures\"><table class=\"amounts\" id=\"tvl-days-%d\">\n"
                       "<thead><tr><th>Day (UTC)</th><th class=\"num\">TVL</th><th class=\"num\">USD</th></tr>"
                       "</thead><tbody>\n",
                    row);
            for (int k = cursor - 1; k >= from; k--) {
                fputs("<tr>", f);
                l2w_html_cell(f, res, k, S_DAY, NULL);
                fputs("<td class=\"num\">", f);
                l2w_html_put(f, PQgetvalue(res, k, S_AMOUNT));
                fputs(" <span class=\"unit\">", f);
                l2w_html_put(f, t->symbol);
                fputs("</span></td><td class=\"num\">", f);
                if (PQgetisnull(res, k, S_USD)) {
                    dash(f);
                } else {
                    fputc('$', f);
                    l2w_html_put(f, PQgetvalue(res, k, S_USD));
                }
                fputs("</td></tr>\n", f);
            }
            fputs("</tbody></table></div>\n", f);
        }
    }
    fputs("</section>\n", f);
}

static l2w_status render_page(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err)
{
    page_data d = {0};
    l2w_status st = load(&d, req, err);
    bool db_down = l2w_html_page_db_unavailable(st);
    l2w_html_page page;
    /* TVL is sampled every few minutes: no 5 s refresh redrawing the
     * charts, except to retry while the database is down. */
    if ((st == L2W_OK || db_down) &&
        (st = l2w_html_page_open(&page, "Bridges &amp; TVL", "/bridges", NULL, db_down)) == L2W_OK) {
        const l2w_config *cfg = req->cfg;
        if (db_down) {
            l2w_html_page_db_down(&page);
        } else if (cfg->n_bridges == 0) {
            fputs("<section><h2>Bridges</h2><p class=\"muted\">No bridge is configured under bridges.</p>"
                  "</section>\n",
                  page.f);
        } else {
            l2w_html_chart_assets(page.f);
            l2w_web_bridges_render(page.f, cfg, &d.bridges);
            render_tvl(page.f, cfg, d.tvl);
            render_series(page.f, cfg, d.series);
        }
        st = l2w_html_page_respond(&page, resp, db_down, err);
    } else if (st == L2W_ERR_NOMEM && !err->msg[0]) {
        l2w_err_set(err, "bridges page: out of memory");
    }
    data_clear(&d);
    return st;
}

/* Kept for web.page_cache_ms when asked without a query string. */
l2w_status l2w_route_dashboard_bridges(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err)
{
    return l2w_page_cached(resp, req, render_page, err);
}
