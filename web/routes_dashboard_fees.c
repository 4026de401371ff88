/* GET /fees: what the chains in analytics.fees earn in fees (execution and
 * the L1 data fee) over 24 h, 7 d and 30 d against the window before, per
 * day as a chart and a table, what the batchers in analytics.batch_costs
 * pay their L1 per day (calldata, blob gas at the blob base fee), and the
 * latest blocks' fees. Every figure is read from the daily and block rows
 * of sql/0012_analytics.sql through their primary keys or indexes, at most
 * 31 days or DASH_BLOCKS blocks a chain. Amounts are converted from wei to
 * ETH by PostgreSQL in numeric (multiplied by 10^-18, which is exact) and
 * arrive as text: nothing is ever a double here. */

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

#define DASH_BLOCKS "10"
/* wei as ETH, exact, without trailing zeros. */
#define ETH(x) "trim_scale((" x ") * 0.000000000000000001)::text"
#define TODAY "(now() AT TIME ZONE 'UTC')::date"
#define TS_FMT "'YYYY-MM-DD HH24:MI:SS\"Z\"'"

/* Per chain, the windows of analytics_windows: "today" is the UTC day so
 * far (the 1-day window ending today); 1, 7 and 30 are whole UTC days ending
 * yesterday, each against as many days just before it, so that a change
 * compares like with like. Columns: chain row, window (0 = today), execution
 * fee, L1 data fee, total, previous total, change of the total in ETH and
 * in percent, batch cost, its previous window, its change in percent. */
enum {
    W_ROW = 0,
    W_DAYS,
    W_EXECUTION,
    W_L1,
    W_TOTAL,
    W_PREVIOUS,
    W_CHANGE,
    W_CHANGE_PCT,
    W_BATCH,
    W_BATCH_PREVIOUS,
    W_BATCH_PCT,
    W_FIRST_DAY,
    W_LAST_DAY,
    W_COLUMNS
};
static const char windows_sql[] =
    "WITH c AS (SELECT * FROM unnest($1::text[]) WITH ORDINALITY AS c(chain, i)),"
    " w AS ("
    "  SELECT 0 AS win, * FROM analytics_windows(" TODAY ") WHERE days = 1"
    "  UNION ALL SELECT days, * FROM analytics_windows(" TODAY " - 1)"
    " ), v AS ("
    "  SELECT c.i, d.win, w.metric, w.value, w.previous, w.change, w.change_percent, w.first_day, w.last_day"
    "  FROM c CROSS JOIN (VALUES (0), (1), (7), (30)) d(win)"
    "  LEFT JOIN w ON w.chain = c.chain AND w.win = d.win"
    "   AND w.metric IN ('l2_execution_fee_wei', 'l2_l1_fee_wei', 'l2_fee_wei', 'batch_cost_wei')"
    " )"
    " SELECT (i - 1)::text, win::text,"
    "  " ETH("coalesce(max(value) FILTER (WHERE metric = 'l2_execution_fee_wei'), 0)") ","
    "  " ETH("coalesce(max(value) FILTER (WHERE metric = 'l2_l1_fee_wei'), 0)") ","
    "  " ETH("coalesce(max(value) FILTER (WHERE metric = 'l2_fee_wei'), 0)") ","
    "  " ETH("coalesce(max(previous) FILTER (WHERE metric = 'l2_fee_wei'), 0)") ","
    "  CASE WHEN coalesce(max(change) FILTER (WHERE metric = 'l2_fee_wei'), 0) > 0 THEN '+' ELSE '' END ||"
    "   " ETH("coalesce(max(change) FILTER (WHERE metric = 'l2_fee_wei'), 0)") ","
    "  max(change_percent) FILTER (WHERE metric = 'l2_fee_wei')::text,"
    "  " ETH("coalesce(max(value) FILTER (WHERE metric = 'batch_cost_wei'), 0)") ","
    "  " ETH("coalesce(max(previous) FILTER (WHERE metric = 'batch_cost_wei'), 0)") ","
    "  max(change_percent) FILTER (WHERE metric = 'batch_cost_wei')::text,"
    "  (CASE win WHEN 0 THEN " TODAY " ELSE " TODAY " - win END)::text,"
    "  (CASE win WHEN 0 THEN " TODAY " ELSE " TODAY " - 1 END)::text"
    " FROM v GROUP BY v.i, v.win ORDER BY v.i, v.win"; /* the columns, not the text of the same name */

/* The last 30 UTC days of each chain's fees (today, so far, included). */
enum { FD_ROW = 0, FD_DAY, FD_X, FD_BLOCKS, FD_TXS, FD_EXECUTION, FD_L1, FD_TOTAL, FD_COLUMNS };
static const char fee_days_sql[] =
    "SELECT (c.i - 1)::text, f.day::text, extract(epoch FROM f.day::timestamp)::bigint::text, f.blocks::text,"
    " f.txs::text, " ETH("f.execution_fee") ", " ETH("f.l1_fee") ", " ETH("f.execution_fee + f.l1_fee")
    " FROM unnest($1::text[]) WITH ORDINALITY AS c(chain, i)"
    " JOIN fee_days f ON f.chain = c.chain AND f.day > " TODAY " - 30"
    " ORDER BY c.i, f.day";

/* The same days of each batcher's postings on its L1: fee is the receipts'
 * gasUsed x effectiveGasPrice (calldata and execution), blob_fee their
 * blobGasUsed x blobGasPrice. */
enum {
    BD_ROW = 0,
    BD_DAY,
    BD_X,
    BD_TXS,
    BD_BLOBS,
    BD_CALLDATA_BYTES,
    BD_CALLDATA_GAS,
    BD_FEE,
    BD_BLOB_GAS,
    BD_BLOB_FEE,
    BD_TOTAL,
    BD_COLUMNS
};
static const char batch_days_sql[] =
    "SELECT (c.i - 1)::text, b.day::text, extract(epoch FROM b.day::timestamp)::bigint::text, b.txs::text,"
    " b.blobs::text, b.calldata_bytes::text, b.calldata_gas::text, " ETH("b.fee") ", b.blob_gas_used::text, "
    ETH("b.blob_fee") ", " ETH("b.fee + b.blob_fee")
    " FROM unnest($1::text[]) WITH ORDINALITY AS c(chain, i)"
    " JOIN batch_cost_days b ON b.chain = c.chain AND b.day > " TODAY " - 30"
    " ORDER BY c.i, b.day";

/* The newest blocks of each chain, by the (chain, block_number) key. */
enum { FB_ROW = 0, FB_NUMBER, FB_TIME, FB_TXS, FB_GAS, FB_EXECUTION, FB_L1, FB_TOTAL, FB_COLUMNS };
static const char fee_blocks_sql[] =
    "SELECT (c.i - 1)::text, b.block_number::text,"
    " to_char(to_timestamp(b.block_timestamp) AT TIME ZONE 'UTC', " TS_FMT "), b.txs::text, b.gas_used::text, "
    ETH("b.execution_fee") ", " ETH("b.l1_fee") ", " ETH("b.execution_fee + b.l1_fee")
    " FROM unnest($1::text[]) WITH ORDINALITY AS c(chain, i)"
    " CROSS JOIN LATERAL (SELECT * FROM fee_blocks x WHERE x.chain = c.chain"
    "  ORDER BY x.block_number DESC LIMIT " DASH_BLOCKS ") b"
    " ORDER BY c.i, b.block_number DESC";

/* The chains of analytics.fees, then those of analytics.batch_costs not
 * already listed, in the config's order. */
typedef struct {
    const char *name[L2W_MAX_FEE_CHAINS + L2W_MAX_BATCH_COSTS];
    bool fees[L2W_MAX_FEE_CHAINS + L2W_MAX_BATCH_COSTS];
    bool batches[L2W_MAX_FEE_CHAINS + L2W_MAX_BATCH_COSTS];
    size_t n;
} chain_list;

static size_t chain_slot(chain_list *c, const char *name)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->name[i], name) == 0)
            return i;
    c->name[c->n] = name;
    return c->n++;
}

static void chains_of(chain_list *c, const l2w_config *cfg)
{
    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < cfg->analytics.n_fees; i++)
        c->fees[chain_slot(c, cfg->analytics.fees[i].chain)] = true;
    for (size_t i = 0; i < cfg->analytics.n_batch_costs; i++)
        c->batches[chain_slot(c, cfg->analytics.batch_costs[i].chain)] = true;
}

typedef struct {
    chain_list chains;
    PGresult *windows;
    PGresult *fee_days;
    PGresult *batch_days;
    PGresult *blocks;
} fees_data;

static void data_clear(fees_data *d)
{
    PQclear(d->windows);
    PQclear(d->fee_days);
    PQclear(d->batch_days);
    PQclear(d->blocks);
    d->windows = d->fee_days = d->batch_days = d->blocks = NULL;
}

static l2w_status check_columns(const PGresult *res, int columns, const char *what, l2w_err *err)
{
    if (PQnfields(res) == columns)
        return L2W_OK;
    l2w_err_set(err, "fees page: %s query answered %d columns, expected %d", what, PQnfields(res), columns);
    return L2W_ERR_DB;
}

static l2w_status load(fees_data *d, const l2w_web_request *req, l2w_err *err)
{
    chains_of(&d->chains, req->cfg);
    if (d->chains.n == 0)
        return L2W_OK;
    char *names;
    if (l2w_db_text_array_literal(&names, d->chains.name, d->chains.n) != L2W_OK) {
        l2w_err_set(err, "fees page: out of memory");
        return L2W_ERR_NOMEM;
    }
    const char *params[] = {names};
    l2w_db *db;
    l2w_status st = l2w_db_pool_acquire(req->pool, &db, L2W_WEB_DB_WAIT_MS, err);
    if (st == L2W_OK) {
        st = l2w_db_exec(db, &d->windows, windows_sql, 1, params, err);
        if (st == L2W_OK)
            st = check_columns(d->windows, W_COLUMNS, "windows", err);
        /* Four windows a chain, always: anything else would pair a figure
         * with the wrong chain. */
        if (st == L2W_OK && PQntuples(d->windows) != (int)(4 * d->chains.n)) {
            l2w_err_set(err, "fees page: windows query answered %d rows for %zu chains", PQntuples(d->windows),
                        d->chains.n);
            st = L2W_ERR_DB;
        }
        if (st == L2W_OK)
            st = l2w_db_exec(db, &d->fee_days, fee_days_sql, 1, params, err);
        if (st == L2W_OK)
            st = check_columns(d->fee_days, FD_COLUMNS, "fee days", err);
        if (st == L2W_OK)
            st = l2w_db_exec(db, &d->batch_days, batch_days_sql, 1, params, err);
        if (st == L2W_OK)
            st = check_columns(d->batch_days, BD_COLUMNS, "batch days", err);
        if (st == L2W_OK)
            st = l2w_db_exec(db, &d->blocks, fee_blocks_sql, 1, params, err);
        if (st == L2W_OK)
            st = check_columns(d->blocks, FB_COLUMNS, "fee blocks", err);
        l2w_db_pool_release(req->pool, db);
    }
    free(names);
    if (st != L2W_OK)
        data_clear(d);
    return st;
}

/* ---- rendering ---- */

static const char *value(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

/* Rows [*from, *from + n) of res that belong to chain row; advances *from. */
static int rows_of(const PGresult *res, int *from, size_t row)
{
    int start = *from, total = PQntuples(res);
    while (*from < total && strtoul(PQgetvalue(res, *from, 0), NULL, 10) == row)
        (*from)++;
    return *from - start;
}

static void eth_cell(FILE *f, const PGresult *res, int row, int col)
{
    const char *v = value(res, row, col);
    fputs("<td class=\"num\">", f);
    if (v) {
        l2w_html_put(f, v);
        fputs(" <span class=\"unit\">ETH</span>", f);
    } else {
        fputs("<span class=\"muted\">&mdash;</span>", f);
    }
    fputs("</td>", f);
}

/* "+12.34%" / "-5.00%", a badge-free colour hint; a dash, with the reason
 * in the title, when the window before had nothing to compare with. */
static void percent_cell(FILE *f, const char *pct, const char *title)
{
    if (!pct) {
        fputs("<td class=\"num\" title=\"nothing in the window before\"><span class=\"muted\">&mdash;</span></td>", f);
        return;
    }
    bool down = pct[0] == '-';
    bool zero = strspn(pct, "0.") == strlen(pct);
    fprintf(f, "<td class=\"num\"%s", title ? " title=\"" : "");
    if (title) {
        l2w_html_put(f, title);
        fputc('"', f);
    }
    fprintf(f, "><span class=\"%s\">%s", down ? "change-down" : (zero ? "change-flat" : "change-up"),
            down || zero ? "" : "+");
    l2w_html_put(f, pct);
    fputs("%</span></td>", f);
}

static void render_windows(FILE *f, const fees_data *d)
{
    fputs("<section><h2>Fees</h2><p class=\"muted\">Fees paid on each chain (execution and the L1 data fee) and "
          "what its batcher paid the L1, in ETH. The 24 h, 7 d and 30 d windows are whole UTC days ending "
          "yesterday, each against as many days just before it; today is the UTC day so far.</p>"
          "<div class=\"scroll\"><table class=\"amounts\" id=\"fee-windows\">\n<thead><tr><th>Chain</th><th>Window</th>"
          "<th class=\"num\">Execution</th><th class=\"num\">L1 data fee</th><th class=\"num\">Total fees</th>"
          "<th class=\"num\">Window before</th><th class=\"num\">Change</th>"
          "<th class=\"num\">Batch cost on L1</th><th class=\"num\">Change</th></tr></thead><tbody>\n",
          f);
    static const char *const labels[] = {"today", "24 h", "7 d", "30 d"};
    const PGresult *res = d->windows;
    for (size_t c = 0; c < d->chains.n; c++) {
        for (int w = 0; w < 4; w++) {
            int row = (int)c * 4 + w;
            fputs("<tr data-chain=\"", f);
            l2w_html_put(f, d->chains.name[c]);
            fprintf(f, "\" data-window=\"%s\">", PQgetvalue(res, row, W_DAYS));
            if (w == 0) {
                fputs("<td rowspan=\"4\"><strong>", f);
                l2w_html_put(f, d->chains.name[c]);
                fputs("</strong></td>", f);
            }
            fputs("<td title=\"", f);
            l2w_html_put(f, PQgetvalue(res, row, W_FIRST_DAY));
            fputs(" to ", f);
            l2w_html_put(f, PQgetvalue(res, row, W_LAST_DAY));
            fprintf(f, " (UTC)\">%s</td>", labels[w]);
            if (!d->chains.fees[c]) {
                fputs("<td class=\"num muted\" colspan=\"5\">not in analytics.fees</td>", f);
            } else {
                eth_cell(f, res, row, W_EXECUTION);
                eth_cell(f, res, row, W_L1);
                eth_cell(f, res, row, W_TOTAL);
                if (w == 0) {
                    fputs("<td class=\"num muted\" colspan=\"2\">so far</td>", f);
                } else {
                    eth_cell(f, res, row, W_PREVIOUS);
                    char title[96];
                    snprintf(title, sizeof title, "%s ETH", PQgetvalue(res, row, W_CHANGE));
                    percent_cell(f, value(res, row, W_CHANGE_PCT), title);
                }
            }
            if (!d->chains.batches[c]) {
                fputs("<td class=\"num muted\" colspan=\"2\">not in analytics.batch_costs</td>", f);
            } else {
                eth_cell(f, res, row, W_BATCH);
                if (w == 0) {
                    fputs("<td class=\"num muted\">so far</td>", f);
                } else {
                    char title[96];
                    snprintf(title, sizeof title, "window before: %s ETH", PQgetvalue(res, row, W_BATCH_PREVIOUS));
                    percent_cell(f, value(res, row, W_BATCH_PCT), title);
                }
            }
            fputs("</tr>\n", f);
        }
    }
    fputs("</tbody></table></div></section>\n", f);
}

static void render_fee_days(FILE *f, const PGresult *res, int from, int n, size_t c)
{
    char id[48];
    snprintf(id, sizeof id, "chart-fees-%zu", c);
    static const l2w_html_chart_series series[] = {
        {"Execution", "--chart-1", FD_EXECUTION},
        {"L1 data fee", "--chart-2", FD_L1},
        {"Total", "--chart-3", FD_TOTAL},
    };
    fputs("<h3>Fees per day</h3>", f);
    l2w_html_chart(f, id, "Fees per UTC day, last 30 days", "ETH", res, from, n, FD_X, series, 3);
    fprintf(f, "<div class=\"scroll figures\"><table class=\"amounts\" id=\"fee-days-%zu\">\n<thead><tr><th>Day (UTC)</th>"
               "<th class=\"num\">Blocks</th><th class=\"num\">Transactions</th><th class=\"num\">Execution</th>"
               "<th class=\"num\">L1 data fee</th><th class=\"num\">Total</th></tr></thead><tbody>\n",
            c);
    /* Newest first in the table, as a reader scans it; the chart runs left to right. */
    for (int i = from + n - 1; i >= from; i--) {
        fputs("<tr>", f);
        l2w_html_cell(f, res, i, FD_DAY, NULL);
        l2w_html_cell(f, res, i, FD_BLOCKS, "num");
        l2w_html_cell(f, res, i, FD_TXS, "num");
        eth_cell(f, res, i, FD_EXECUTION);
        eth_cell(f, res, i, FD_L1);
        eth_cell(f, res, i, FD_TOTAL);
        fputs("</tr>\n", f);
    }
    if (n == 0)
        l2w_html_empty_row(f, 6, "No fees stored in the last 30 days.");
    fputs("</tbody></table></div>\n", f);
}

static void render_batch_days(FILE *f, const PGresult *res, int from, int n, size_t c)
{
    char id[48];
    snprintf(id, sizeof id, "chart-batches-%zu", c);
    static const l2w_html_chart_series series[] = {
        {"Calldata and execution", "--chart-1", BD_FEE},
        {"Blobs", "--chart-2", BD_BLOB_FEE},
        {"Total", "--chart-3", BD_TOTAL},
    };
    fputs("<h3>L1 batch posting costs per day</h3>", f);
    l2w_html_chart(f, id, "What the batcher paid its L1 per UTC day, last 30 days", "ETH", res, from, n, BD_X,
                   series, 3);
    fprintf(f, "<div class=\"scroll figures\"><table class=\"amounts\" id=\"batch-days-%zu\">\n<thead><tr><th>Day (UTC)</th>"
               "<th class=\"num\">Postings</th><th class=\"num\">Blobs</th><th class=\"num\">Calldata bytes</th>"
               "<th class=\"num\">Calldata gas</th><th class=\"num\">Execution fee</th>"
               "<th class=\"num\">Blob gas</th><th class=\"num\">Blob fee</th><th class=\"num\">Total</th>"
               "</tr></thead><tbody>\n",
            c);
    for (int i = from + n - 1; i >= from; i--) {
        fputs("<tr>", f);
        l2w_html_cell(f, res, i, BD_DAY, NULL);
        l2w_html_cell(f, res, i, BD_TXS, "num");
        l2w_html_cell(f, res, i, BD_BLOBS, "num");
        l2w_html_cell(f, res, i, BD_CALLDATA_BYTES, "num");
        l2w_html_cell(f, res, i, BD_CALLDATA_GAS, "num");
        eth_cell(f, res, i, BD_FEE);
        l2w_html_cell(f, res, i, BD_BLOB_GAS, "num");
        eth_cell(f, res, i, BD_BLOB_FEE);
        eth_cell(f, res, i, BD_TOTAL);
        fputs("</tr>\n", f);
    }
    if (n == 0)
        l2w_html_empty_row(f, 9, "No batch postings stored in the last 30 days.");
    fputs("</tbody></table></div>\n", f);
}

static void render_blocks(FILE *f, const PGresult *res, int from, int n, size_t c)
{
    fprintf(f, "<h3>Latest blocks</h3><div class=\"scroll\"><table class=\"amounts\" id=\"fee-blocks-%zu\">\n<thead><tr>"
               "<th class=\"num\">Block</th><th>Time (UTC)</th><th class=\"num\">Transactions</th>"
               "<th class=\"num\">Gas used</th><th class=\"num\">Execution</th><th class=\"num\">L1 data fee</th>"
               "<th class=\"num\">Total</th></tr></thead><tbody>\n",
            c);
    for (int i = from; i < from + n; i++) {
        fputs("<tr>", f);
        l2w_html_cell(f, res, i, FB_NUMBER, "num");
        l2w_html_cell(f, res, i, FB_TIME, NULL);
        l2w_html_cell(f, res, i, FB_TXS, "num");
        l2w_html_cell(f, res, i, FB_GAS, "num");
        eth_cell(f, res, i, FB_EXECUTION);
        eth_cell(f, res, i, FB_L1);
        eth_cell(f, res, i, FB_TOTAL);
        fputs("</tr>\n", f);
    }
    if (n == 0)
        l2w_html_empty_row(f, 7, "No blocks summed yet.");
    fputs("</tbody></table></div>\n", f);
}

static void render(FILE *f, const fees_data *d)
{
    if (d->chains.n == 0) {
        fputs("<section><h2>Fees</h2><p class=\"muted\">No chain is configured under analytics.fees or "
              "analytics.batch_costs.</p></section>\n",
              f);
        return;
    }
    l2w_html_chart_assets(f);
    render_windows(f, d);
    int fd = 0, bd = 0, fb = 0;
    for (size_t c = 0; c < d->chains.n; c++) {
        int n_fd = rows_of(d->fee_days, &fd, c);
        int n_bd = rows_of(d->batch_days, &bd, c);
        int n_fb = rows_of(d->blocks, &fb, c);
        fputs("<section class=\"chain-fees\"><h2>", f);
        l2w_html_put(f, d->chains.name[c]);
        fputs("</h2>", f);
        if (d->chains.fees[c])
            render_fee_days(f, d->fee_days, fd - n_fd, n_fd, c);
        if (d->chains.batches[c])
            render_batch_days(f, d->batch_days, bd - n_bd, n_bd, c);
        if (d->chains.fees[c])
            render_blocks(f, d->blocks, fb - n_fb, n_fb, c);
        fputs("</section>\n", f);
    }
}

static l2w_status render_page(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err)
{
    fees_data d = {0};
    l2w_status st = load(&d, req, err);
    bool db_down = l2w_html_page_db_unavailable(st);
    l2w_html_page page;
    /* Day rows change every few minutes: no refresh that would redraw the
     * charts every 5 s, except to retry while the database is down. */
    if ((st == L2W_OK || db_down) && (st = l2w_html_page_open(&page, "fees", "/fees", NULL, db_down)) == L2W_OK) {
        if (db_down)
            l2w_html_page_db_down(&page);
        else
            render(page.f, &d);
        st = l2w_html_page_respond(&page, resp, db_down, err);
    } else if (st == L2W_ERR_NOMEM && !err->msg[0]) {
        l2w_err_set(err, "fees page: out of memory");
    }
    data_clear(&d);
    return st;
}

/* Kept for web.page_cache_ms when asked without a query string. */
l2w_status l2w_route_dashboard_fees(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err)
{
    return l2w_page_cached(resp, req, render_page, err);
}
