/* GET /: the overview, rendered on the server so it works without
 * JavaScript and needs no external assets (the CSP allows only our own
 * stylesheet). What an on-call engineer checks first: are the chains
 * followed, what is open and how bad, what was alerted, what the responder
 * is doing; the rest has a page of its own (/findings, /rollups, /channels,
 * /bridges, /fees, /da, /alerts), summed up here in a line each.
 *
 * The page is read at 1 000 requests a second over 100 000 findings
 * (bench/bench_web.py): every statement reads an index (sql/0017), counts
 * included. Every value from the database is HTML-escaped: titles and
 * notes can carry text an attacker put on chain. */

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/db.h"
#include "web/page_cache.h"
#include "web/html.h"
#include "web/html_page.h"
#include "web/routes.h"
#include "web/routes_dashboard_endpoints.h"

/* Rows shown; the pages and the JSON API page further. */
#define DASH_ALERTS "20"
#define DASH_IN_FLIGHT "10"
#define TS_FMT "'YYYY-MM-DD HH24:MI:SS\"Z\"'"

static const char chains_sql[] =
    "SELECT name, role, chain_id::text, head_number::text, synced_number::text,"
    " CASE WHEN head_number IS NULL OR synced_number IS NULL THEN NULL"
    "      ELSE greatest(head_number - synced_number, 0)::text END,"
    " to_char(updated_at AT TIME ZONE 'UTC', " TS_FMT ")"
    " FROM chains ORDER BY role, name";

/* One count per severity, each an index-only scan of
 * findings_open_severity_idx; every severity is listed, zeros included. */
static const char open_sql[] =
    "SELECT s.name, (SELECT count(*) FROM findings f WHERE f.status = 'open' AND f.severity = s.name)::text"
    " FROM unnest(ARRAY['critical', 'high', 'medium', 'low', 'info']) WITH ORDINALITY s(name, ord)"
    " ORDER BY s.ord";

/* The latest deliveries (the primary key walked back), with their finding. */
static const char alerts_sql[] =
    "SELECT o.id::text, o.finding_id::text, f.title, o.severity, o.event, o.sink,"
    " CASE WHEN o.silence_id IS NOT NULL THEN 'silenced' WHEN o.delivered_at IS NOT NULL THEN 'delivered'"
    "      WHEN o.dead_at IS NOT NULL THEN 'dead' ELSE 'pending' END,"
    " o.attempts::text, to_char(o.created_at AT TIME ZONE 'UTC', " TS_FMT ")"
    " FROM (SELECT * FROM alert_outbox ORDER BY id DESC LIMIT " DASH_ALERTS ") o"
    " JOIN findings f ON f.id = o.finding_id ORDER BY o.id DESC";

/* Every status, zeros included, in the order a response goes through them;
 * each an index-only scan of responses_status_idx. */
static const char responder_sql[] =
    "SELECT s.name, (SELECT count(*) FROM responses r WHERE r.status = s.name)::text"
    " FROM unnest(ARRAY['planned', 'nonce_assigned', 'sent', 'mined', 'verified', 'dry_run', 'not_needed',"
    " 'reverted', 'failed']) WITH ORDINALITY s(name, ord) ORDER BY s.ord";

/* Responses still on their way (responses_open_idx), newest first. */
static const char in_flight_sql[] =
    "SELECT r.finding_id::text, r.action, r.chain, r.mode, r.status, r.nonce::text,"
    " CASE WHEN r.tx_hash IS NULL THEN NULL ELSE '0x' || encode(r.tx_hash, 'hex') END, r.bumps::text, r.note,"
    " to_char(r.updated_at AT TIME ZONE 'UTC', " TS_FMT ")"
    " FROM responses r WHERE r.status IN ('planned', 'nonce_assigned', 'sent', 'mined')"
    " ORDER BY r.id DESC LIMIT " DASH_IN_FLIGHT;

/* The response mined last (responses_mined_idx). */
static const char mined_sql[] =
    "SELECT r.finding_id::text, r.action, r.chain, r.status, '0x' || encode(r.tx_hash, 'hex'),"
    " r.mined_block::text, to_char(r.mined_at AT TIME ZONE 'UTC', " TS_FMT ")"
    " FROM responses r WHERE r.mined_at IS NOT NULL ORDER BY r.mined_at DESC LIMIT 1";

/* The lines about the other pages. Proposals: output_proposals_pending_idx,
 * output_proposals_mismatch_idx, output_proposals_recent_idx. */
static const char rollups_sql[] =
    "SELECT (SELECT count(*) FROM output_proposals WHERE check_status = 0)::text,"
    " (SELECT count(*) FROM output_proposals WHERE check_status = 2)::text,"
    " (SELECT l1_block_number FROM output_proposals ORDER BY l1_block_number DESC, log_index DESC LIMIT 1)::text";

/* Channels: the per-client counters (one row a client), the stale disputes
 * (channel_disputes_stale_idx) and the channel responses under way
 * (responses_open_idx). */
static const char channels_sql[] =
    "SELECT (SELECT coalesce(sum(channels), 0) FROM channel_clients)::text,"
    " (SELECT count(*) FROM channel_disputes WHERE check_status = 2)::text,"
    " (SELECT count(*) FROM responses WHERE status IN ('planned', 'nonce_assigned', 'sent', 'mined')"
    "   AND action = 'channel_dispute')::text";

typedef struct {
    PGresult *chains;
    PGresult *endpoints;
    PGresult *open;
    PGresult *alerts;
    PGresult *responder;
    PGresult *in_flight;
    PGresult *mined;
    PGresult *rollups;
    PGresult *channels; /* NULL without a channels: section */
} overview_data;

static void data_clear(overview_data *d)
{
    PQclear(d->chains);
    PQclear(d->endpoints);
    PQclear(d->open);
    PQclear(d->alerts);
    PQclear(d->responder);
    PQclear(d->in_flight);
    PQclear(d->mined);
    PQclear(d->rollups);
    PQclear(d->channels);
    memset(d, 0, sizeof *d);
}

static l2w_status load(overview_data *d, const l2w_web_request *req, l2w_err *err)
{
    l2w_db *db;
    l2w_status st = l2w_db_pool_acquire(req->pool, &db, L2W_WEB_DB_WAIT_MS, err);
    if (st != L2W_OK)
        return st;
    const struct {
        PGresult **out;
        const char *sql;
    } reads[] = {
        {&d->chains, chains_sql},       {&d->open, open_sql},           {&d->alerts, alerts_sql},
        {&d->responder, responder_sql}, {&d->in_flight, in_flight_sql}, {&d->mined, mined_sql},
        {&d->rollups, rollups_sql},
    };
    for (size_t i = 0; st == L2W_OK && i < sizeof reads / sizeof reads[0]; i++)
        st = l2w_db_exec(db, reads[i].out, reads[i].sql, 0, NULL, err);
    if (st == L2W_OK)
        st = l2w_dash_endpoints_load(db, &d->endpoints, err);
    if (st == L2W_OK && req->cfg->channels.enabled)
        st = l2w_db_exec(db, &d->channels, channels_sql, 0, NULL, err);
    l2w_db_pool_release(req->pool, db);
    return st;
}

static void render_chains(FILE *f, const PGresult *res, const PGresult *endpoints)
{
    fputs("<section><h2>Chains</h2><div class=\"scroll\"><table id=\"chains\">\n<thead><tr><th>Name</th>"
          "<th>Role</th><th>Chain ID</th><th class=\"num\">Head</th><th class=\"num\">Checkpoint</th>"
          "<th class=\"num\">Lag</th><th>Updated</th><th>Endpoints</th></tr></thead><tbody>\n",
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
        l2w_dash_endpoints_cell(f, endpoints, PQgetvalue(res, i, 0));
        fputs("</tr>\n", f);
    }
    if (n == 0)
        l2w_html_empty_row(f, 8, "No chains yet.");
    fputs("</tbody></table></div></section>\n", f);
}

/* Severity names come from the statement's fixed list, so they go into
 * the link as they are (escaped all the same). */
static void render_open(FILE *f, const PGresult *res)
{
    fputs("<section><h2>Open findings</h2><table id=\"open-findings\">\n<thead><tr><th>Severity</th>"
          "<th class=\"num\">Open</th></tr></thead><tbody>\n",
          f);
    for (int i = 0; i < PQntuples(res); i++) {
        const char *sev = PQgetvalue(res, i, 0);
        fputs("<tr data-severity=\"", f);
        l2w_html_put(f, sev);
        fprintf(f, "\"><td><span class=\"%s\">", l2w_html_severity_class(sev));
        l2w_html_put(f, sev);
        fputs("</span></td><td class=\"num\"><a href=\"/findings?status=open&amp;severity=", f);
        l2w_html_put(f, sev);
        fputs("\">", f);
        l2w_html_put(f, PQgetvalue(res, i, 1));
        fputs("</a></td></tr>\n", f);
    }
    fputs("</tbody></table><p class=\"pager\"><a href=\"/findings?status=open\">Every open finding &rarr;</a>"
          "</p></section>\n",
          f);
}

static const char *alert_state_class(const char *state)
{
    if (strcmp(state, "delivered") == 0)
        return "badge ok";
    if (strcmp(state, "dead") == 0)
        return "badge sev-critical";
    if (strcmp(state, "pending") == 0)
        return "badge sev-medium";
    return "badge muted";
}

static void finding_link(FILE *f, const char *id, const char *text)
{
    fputs("<a href=\"/findings/", f);
    l2w_html_put(f, id);
    fputs("\">", f);
    l2w_html_put(f, text);
    fputs("</a>", f);
}

static void render_alerts(FILE *f, const PGresult *res)
{
    fputs("<section><h2>Recent alerts</h2><div class=\"scroll\"><table id=\"recent-alerts\">\n<thead><tr>"
          "<th class=\"num\">Alert</th><th>Finding</th><th>Severity</th><th>Event</th><th>Sink</th><th>State</th>"
          "<th class=\"num\">Attempts</th><th>Queued</th></tr></thead><tbody>\n",
          f);
    int n = PQntuples(res);
    for (int i = 0; i < n; i++) {
        fputs("<tr>", f);
        l2w_html_cell(f, res, i, 0, "num");
        fputs("<td>", f);
        finding_link(f, PQgetvalue(res, i, 1), PQgetvalue(res, i, 2));
        fputs("</td>", f);
        if (PQgetisnull(res, i, 3)) {
            l2w_html_cell(f, res, i, 3, NULL);
        } else {
            fprintf(f, "<td><span class=\"%s\">", l2w_html_severity_class(PQgetvalue(res, i, 3)));
            l2w_html_put(f, PQgetvalue(res, i, 3));
            fputs("</span></td>", f);
        }
        l2w_html_cell(f, res, i, 4, NULL);
        l2w_html_cell(f, res, i, 5, NULL);
        fprintf(f, "<td><span class=\"%s\">", alert_state_class(PQgetvalue(res, i, 6)));
        l2w_html_put(f, PQgetvalue(res, i, 6));
        fputs("</span></td>", f);
        l2w_html_cell(f, res, i, 7, "num");
        l2w_html_cell(f, res, i, 8, NULL);
        fputs("</tr>\n", f);
    }
    if (n == 0)
        l2w_html_empty_row(f, 8, "No alerts yet.");
    fputs("</tbody></table></div><p class=\"pager\"><a href=\"/alerts\">Waiting, dead and silenced alerts "
          "&rarr;</a></p></section>\n",
          f);
}

static void render_responder(FILE *f, const overview_data *d)
{
    fputs("<section><h2>Responder</h2><div class=\"scroll\"><table id=\"responses-by-status\">\n<thead><tr>", f);
    int ns = PQntuples(d->responder);
    for (int i = 0; i < ns; i++) {
        fputs("<th class=\"num\">", f);
        l2w_html_put(f, PQgetvalue(d->responder, i, 0));
        fputs("</th>", f);
    }
    fputs("</tr></thead><tbody><tr>", f);
    for (int i = 0; i < ns; i++)
        l2w_html_cell(f, d->responder, i, 1, "num");
    fputs("</tr></tbody></table></div>\n", f);

    fputs("<h3>In flight</h3><div class=\"scroll\"><table id=\"in-flight\">\n<thead><tr><th>Finding</th>"
          "<th>Action</th><th>Chain</th><th>Mode</th><th>Status</th><th class=\"num\">Nonce</th>"
          "<th>Transaction</th><th class=\"num\">Bumps</th><th>Note</th><th>Updated</th></tr></thead><tbody>\n",
          f);
    int n = PQntuples(d->in_flight);
    for (int i = 0; i < n; i++) {
        fputs("<tr><td>", f);
        finding_link(f, PQgetvalue(d->in_flight, i, 0), PQgetvalue(d->in_flight, i, 0));
        fputs("</td>", f);
        for (int c = 1; c <= 9; c++)
            l2w_html_cell(f, d->in_flight, i, c, c == 6 ? "hash" : (c == 5 || c == 7) ? "num" : NULL);
        fputs("</tr>\n", f);
    }
    if (n == 0)
        l2w_html_empty_row(f, 10, "Nothing in flight.");
    fputs("</tbody></table></div>\n", f);

    fputs("<h3>Latest mined</h3><div class=\"scroll\"><table id=\"latest-mined\">\n<thead><tr><th>Finding</th>"
          "<th>Action</th><th>Chain</th><th>Status</th><th>Transaction</th><th class=\"num\">Block</th>"
          "<th>Mined</th></tr></thead><tbody>\n",
          f);
    if (PQntuples(d->mined) == 1) {
        fputs("<tr><td>", f);
        finding_link(f, PQgetvalue(d->mined, 0, 0), PQgetvalue(d->mined, 0, 0));
        fputs("</td>", f);
        for (int c = 1; c <= 6; c++)
            l2w_html_cell(f, d->mined, 0, c, c == 4 ? "hash" : c == 5 ? "num" : NULL);
        fputs("</tr>\n", f);
    } else {
        l2w_html_empty_row(f, 7, "No response mined yet.");
    }
    fputs("</tbody></table></div></section>\n", f);
}

/* One row of the Elsewhere table: the page's link, then its line. */
static void elsewhere_row(FILE *f, const char *key, const char *path, const char *label)
{
    fprintf(f, "<tr data-page=\"%s\"><td><a href=\"%s\">%s</a></td><td>", key, path, label);
}

static void put_count(FILE *f, const char *n, const char *one, const char *many)
{
    l2w_html_put(f, n);
    fprintf(f, " %s", strcmp(n, "1") == 0 ? one : many);
}

static void render_elsewhere(FILE *f, const l2w_config *cfg, const overview_data *d)
{
    fputs("<section><h2>Elsewhere</h2><table id=\"elsewhere\">\n<thead><tr><th>Page</th><th>Summary</th>"
          "</tr></thead><tbody>\n",
          f);
    size_t l2s = 0;
    for (size_t i = 0; i < cfg->n_chains; i++)
        l2s += cfg->chains[i].role == L2W_CHAIN_L2;
    elsewhere_row(f, "rollups", "/rollups", "Rollups");
    fprintf(f, "%zu L2%s &middot; ", l2s, l2s == 1 ? "" : "s");
    put_count(f, PQgetvalue(d->rollups, 0, 0), "proposal pending", "proposals pending");
    fputs(" &middot; ", f);
    put_count(f, PQgetvalue(d->rollups, 0, 1), "mismatch", "mismatches");
    if (!PQgetisnull(d->rollups, 0, 2)) {
        fputs(" &middot; latest at L1 block ", f);
        l2w_html_put(f, PQgetvalue(d->rollups, 0, 2));
    }
    fputs("</td></tr>\n", f);

    elsewhere_row(f, "channels", "/channels", "Channels");
    if (d->channels) {
        put_count(f, PQgetvalue(d->channels, 0, 0), "channel watched", "channels watched");
        fputs(" &middot; ", f);
        put_count(f, PQgetvalue(d->channels, 0, 1), "stale close", "stale closes");
        fputs(" &middot; ", f);
        put_count(f, PQgetvalue(d->channels, 0, 2), "response in flight", "responses in flight");
    } else {
        fputs("<span class=\"muted\">no channels: section configured</span>", f);
    }
    fputs("</td></tr>\n", f);

    elsewhere_row(f, "bridges", "/bridges", "Bridges &amp; TVL");
    fprintf(f, "%zu bridge%s watched</td></tr>\n", cfg->n_bridges, cfg->n_bridges == 1 ? "" : "s");
    elsewhere_row(f, "fees", "/fees", "Fees");
    fprintf(f, "%zu chain%s with fees summed &middot; %zu batch cost%s</td></tr>\n", cfg->analytics.n_fees,
            cfg->analytics.n_fees == 1 ? "" : "s", cfg->analytics.n_batch_costs,
            cfg->analytics.n_batch_costs == 1 ? "" : "s");
    elsewhere_row(f, "da", "/da", "DA &amp; liveness");
    fprintf(f, "%zu DA entr%s &middot; %zu committee%s &middot; %zu liveness series</td></tr>\n", cfg->n_da,
            cfg->n_da == 1 ? "y" : "ies", cfg->n_committees, cfg->n_committees == 1 ? "" : "s", cfg->n_liveness);
    fputs("</tbody></table></section>\n", f);
}

static l2w_status render_page(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err)
{
    overview_data d = {0};
    l2w_status st = load(&d, req, err);
    bool db_down = l2w_html_page_db_unavailable(st);
    l2w_html_page page;
    if ((st == L2W_OK || db_down) && (st = l2w_html_page_open(&page, "overview", "/", NULL, true)) == L2W_OK) {
        if (db_down) {
            l2w_html_page_db_down(&page);
        } else {
            render_chains(page.f, d.chains, d.endpoints);
            render_open(page.f, d.open);
            render_alerts(page.f, d.alerts);
            render_responder(page.f, &d);
            render_elsewhere(page.f, req->cfg, &d);
        }
        st = l2w_html_page_respond(&page, resp, db_down, err);
    } else if (st == L2W_ERR_NOMEM && !err->msg[0]) {
        l2w_err_set(err, "dashboard: out of memory");
    }
    data_clear(&d);
    return st;
}

/* Kept for web.page_cache_ms when asked without a query string. */
l2w_status l2w_route_dashboard(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err)
{
    return l2w_page_cached(resp, req, render_page, err);
}
