/* GET /: the dashboard, rendered on the server so it works without
 * JavaScript and needs no external assets (the CSP allows only our own
 * stylesheet). Every value from the database is HTML-escaped: titles and
 * evidence can carry text an attacker put on chain. */

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/db.h"
#include "web/html.h"
#include "web/html_page.h"
#include "web/routes.h"
#include "web/routes_dashboard_bridges.h"
#include "web/routes_dashboard_channels.h"
#include "web/routes_dashboard_findings.h"

/* Rows shown; the JSON API pages further. */
#define DASH_FINDINGS "50"
#define DASH_PROPOSALS "20"
#define DASH_RESPONSES "20"
#define TS_FMT "'YYYY-MM-DD HH24:MI:SS\"Z\"'"

static const char chains_sql[] =
    "SELECT name, role, chain_id::text, head_number::text, synced_number::text,"
    " CASE WHEN head_number IS NULL OR synced_number IS NULL THEN NULL"
    "      ELSE greatest(head_number - synced_number, 0)::text END,"
    " to_char(updated_at AT TIME ZONE 'UTC', " TS_FMT ")"
    " FROM chains ORDER BY role, name";

static const char findings_sql[] =
    "SELECT id::text, severity, kind, chain, title,"
    " to_char(detected_at AT TIME ZONE 'UTC', " TS_FMT "), status"
    " FROM findings ORDER BY detected_at DESC, findings.id DESC LIMIT " DASH_FINDINGS; /* the column, not the text */

static const char proposals_sql[] =
    "SELECT l2_chain, output_index::text, l2_block_number::text, '0x' || encode(output_root, 'hex'),"
    " CASE check_status WHEN 0 THEN 'pending' WHEN 1 THEN 'match' WHEN 2 THEN 'mismatch' END,"
    " CASE WHEN recomputed_root IS NULL THEN NULL ELSE '0x' || encode(recomputed_root, 'hex') END,"
    " l1_block_number::text"
    /* The column, not the text of the same name in the select list (it would sort as text). */
    " FROM output_proposals ORDER BY output_proposals.l1_block_number DESC, log_index DESC LIMIT " DASH_PROPOSALS;

static const char responses_sql[] =
    "SELECT finding_id::text, action, chain, mode, status, nonce::text,"
    " CASE WHEN tx_hash IS NULL THEN NULL ELSE '0x' || encode(tx_hash, 'hex') END, bumps::text, note,"
    " to_char(updated_at AT TIME ZONE 'UTC', " TS_FMT ")"
    " FROM responses ORDER BY id DESC LIMIT " DASH_RESPONSES;

typedef struct {
    PGresult *chains;
    PGresult *findings;
    PGresult *proposals;
    PGresult *responses;
    l2w_web_bridge_data bridges;
    l2w_web_channel_data channels;
} dashboard_data;

static void data_clear(dashboard_data *d)
{
    PQclear(d->chains);
    PQclear(d->findings);
    PQclear(d->proposals);
    PQclear(d->responses);
    l2w_web_bridges_clear(&d->bridges);
    l2w_web_channels_clear(&d->channels);
    memset(d, 0, sizeof *d);
}

static l2w_status load(dashboard_data *d, const l2w_web_request *req, l2w_err *err)
{
    l2w_db *db;
    l2w_status st = l2w_db_pool_acquire(req->pool, &db, L2W_WEB_DB_WAIT_MS, err);
    if (st != L2W_OK)
        return st;
    st = l2w_db_exec(db, &d->chains, chains_sql, 0, NULL, err);
    if (st == L2W_OK)
        st = l2w_db_exec(db, &d->findings, findings_sql, 0, NULL, err);
    if (st == L2W_OK)
        st = l2w_db_exec(db, &d->proposals, proposals_sql, 0, NULL, err);
    if (st == L2W_OK)
        st = l2w_db_exec(db, &d->responses, responses_sql, 0, NULL, err);
    if (st == L2W_OK)
        st = l2w_web_bridges_load(&d->bridges, db, req->cfg, true, err);
    if (st == L2W_OK)
        st = l2w_web_channels_load(&d->channels, db, req->cfg, err);
    l2w_db_pool_release(req->pool, db);
    return st;
}

static const char *check_class(const char *status)
{
    if (strcmp(status, "match") == 0)
        return "badge ok";
    if (strcmp(status, "mismatch") == 0)
        return "badge sev-critical";
    return "badge muted";
}

static void render_chains(FILE *f, const PGresult *res)
{
    fputs("<section><h2>Chains</h2><table>\n<thead><tr><th>Name</th><th>Role</th><th>Chain ID</th>"
          "<th class=\"num\">Head</th><th class=\"num\">Synced</th><th class=\"num\">Lag</th>"
          "<th>Last update</th></tr></thead><tbody>\n",
          f);
    int n = PQntuples(res);
    for (int i = 0; i < n; i++) {
        fputs("<tr>", f);
        l2w_html_cell(f, res, i, 0, NULL);
        l2w_html_cell(f, res, i, 1, NULL);
        l2w_html_cell(f, res, i, 2, "num");
        l2w_html_cell(f, res, i, 3, "num");
        l2w_html_cell(f, res, i, 4, "num");
        l2w_html_cell(f, res, i, 5, "num");
        l2w_html_cell(f, res, i, 6, NULL);
        fputs("</tr>\n", f);
    }
    if (n == 0)
        l2w_html_empty_row(f, 7, "No chains yet.");
    fputs("</tbody></table></section>\n", f);
}

static void render_findings(FILE *f, const PGresult *res)
{
    fputs("<section><h2>Findings</h2><table>\n<thead><tr><th>Severity</th><th>Kind</th><th>Chain</th>"
          "<th>Title</th><th>Detected</th><th>Status</th></tr></thead><tbody>\n",
          f);
    int n = PQntuples(res);
    l2w_web_findings_rows(f, res, false);
    if (n == 0)
        l2w_html_empty_row(f, 6, "No findings.");
    fputs("</tbody></table></section>\n", f);
}

static void render_proposals(FILE *f, const PGresult *res)
{
    fputs("<section><h2>Output proposals</h2><table>\n<thead><tr><th>L2</th><th class=\"num\">Index</th>"
          "<th class=\"num\">L2 block</th><th>Output root</th><th>Check</th><th>Recomputed root</th>"
          "<th class=\"num\">L1 block</th></tr></thead><tbody>\n",
          f);
    int n = PQntuples(res);
    for (int i = 0; i < n; i++) {
        fputs("<tr>", f);
        l2w_html_cell(f, res, i, 0, NULL);
        l2w_html_cell(f, res, i, 1, "num");
        l2w_html_cell(f, res, i, 2, "num");
        l2w_html_cell(f, res, i, 3, "hash");
        const char *check = PQgetvalue(res, i, 4);
        fprintf(f, "<td><span class=\"%s\">", check_class(check));
        l2w_html_put(f, check);
        fputs("</span></td>", f);
        l2w_html_cell(f, res, i, 5, "hash");
        l2w_html_cell(f, res, i, 6, "num");
        fputs("</tr>\n", f);
    }
    if (n == 0)
        l2w_html_empty_row(f, 7, "No output proposals yet.");
    fputs("</tbody></table></section>\n", f);
}

static void render_responses(FILE *f, const PGresult *res)
{
    fputs("<section><h2>Responses</h2><table>\n<thead><tr><th>Finding</th><th>Action</th><th>Chain</th>"
          "<th>Mode</th><th>Status</th><th>Nonce</th><th>Transaction</th><th>Bumps</th><th>Note</th>"
          "<th>Updated</th></tr></thead><tbody>\n",
          f);
    int n = PQntuples(res);
    for (int i = 0; i < n; i++) {
        fputs("<tr><td><a href=\"/findings/", f);
        l2w_html_put(f, PQgetvalue(res, i, 0));
        fputs("\">", f);
        l2w_html_put(f, PQgetvalue(res, i, 0));
        fputs("</a></td>", f);
        for (int c = 1; c <= 9; c++)
            l2w_html_cell(f, res, i, c, c == 6 ? "hash" : NULL);
        fputs("</tr>\n", f);
    }
    if (n == 0)
        l2w_html_empty_row(f, 10, "No responses.");
    fputs("</tbody></table></section>\n", f);
}

l2w_status l2w_route_dashboard(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err)
{
    dashboard_data d = {0};
    l2w_status st = load(&d, req, err);
    bool db_down = l2w_html_page_db_unavailable(st);
    l2w_html_page page;
    if ((st == L2W_OK || db_down) && (st = l2w_html_page_open(&page, "overview", "/", NULL, true)) == L2W_OK) {
        if (db_down) {
            l2w_html_page_db_down(&page);
        } else {
            render_chains(page.f, d.chains);
            render_findings(page.f, d.findings);
            l2w_web_bridges_render(page.f, req->cfg, &d.bridges);
            l2w_web_channels_render(page.f, req->cfg, &d.channels);
            render_responses(page.f, d.responses);
            render_proposals(page.f, d.proposals);
        }
        st = l2w_html_page_respond(&page, resp, db_down, err);
    } else if (st == L2W_ERR_NOMEM && !err->msg[0]) {
        l2w_err_set(err, "dashboard: out of memory");
    }
    data_clear(&d);
    return st;
}
