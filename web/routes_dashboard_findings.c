/* GET /findings: the findings table with filters (a plain GET form, so it
 * works without JavaScript) and paging back by id; GET /findings/{id}: one
 * finding with its evidence, its response and every alert delivery. Both
 * read what the JSON API reads; every value is escaped (titles and
 * evidence carry text from chains anyone can write to). */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/db.h"
#include "core/finding.h"
#include "web/html.h"
#include "web/html_page.h"
#include "web/params.h"
#include "web/routes.h"
#include "web/routes_dashboard_findings.h"

#define PAGE_ROWS 50
#define TS_FMT "'YYYY-MM-DD HH24:MI:SS\"Z\"'"

static const char list_sql[] =
    "SELECT f.id::text, severity, kind, chain, title, to_char(detected_at AT TIME ZONE 'UTC', " TS_FMT "), status"
    " FROM findings f WHERE ($2::text IS NULL OR status = $2::text) AND ($3::text IS NULL OR kind = $3::text)"
    " AND ($4::text IS NULL OR severity = $4::text) AND ($5::text IS NULL OR chain = $5::text)"
    " AND ($6::bigint IS NULL OR f.id < $6::bigint)"
    /* f.id, not id: a bare name would order by the text column of that name. */
    " ORDER BY f.id DESC LIMIT $1::integer";

static const char kinds_sql[] = "SELECT DISTINCT kind FROM findings ORDER BY kind LIMIT 200";

static const char detail_sql[] =
    "SELECT f.id::text, f.severity, f.kind, f.chain, f.title, f.summary, f.status,"
    " to_char(f.detected_at AT TIME ZONE 'UTC', " TS_FMT "), to_char(f.updated_at AT TIME ZONE 'UTC', " TS_FMT "),"
    " f.block_number::text, CASE WHEN f.tx_hash IS NULL THEN NULL ELSE '0x' || encode(f.tx_hash, 'hex') END,"
    " f.tx_chain, f.subject, f.block_chain,"
    " CASE WHEN f.ack_at IS NOT NULL THEN f.ack_author || ' (client ' || f.ack_client || ') at '"
    "   || to_char(f.ack_at AT TIME ZONE 'UTC', " TS_FMT ") || coalesce(': ' || f.ack_note, '') END"
    " FROM findings f WHERE f.id = $1::bigint";
static const char evidence_sql[] =
    "SELECT e.key, e.value FROM findings f, jsonb_each_text(f.evidence) e WHERE f.id = $1::bigint ORDER BY e.key";
static const char response_sql[] =
    "SELECT e.key, e.value FROM finding_documents d, jsonb_each_text(d.doc->'response') e"
    " WHERE d.id = $1::bigint AND jsonb_typeof(d.doc->'response') = 'object' ORDER BY e.key";
static const char alerts_sql[] =
    "SELECT o.id::text, o.event, o.seq::text, o.sink, CASE WHEN o.silence_id IS NOT NULL THEN 'silenced'"
    " WHEN o.delivered_at IS NOT NULL THEN 'delivered' WHEN o.dead_at IS NOT NULL THEN 'dead' ELSE 'pending' END,"
    " o.attempts::text, o.last_error, to_char(o.created_at AT TIME ZONE 'UTC', " TS_FMT "),"
    " to_char(coalesce(o.delivered_at, o.dead_at) AT TIME ZONE 'UTC', " TS_FMT ")"
    " FROM alert_outbox o WHERE o.finding_id = $1::bigint ORDER BY o.id";

static void badge(FILE *f, const char *cls, const char *text)
{
    fprintf(f, "<span class=\"%s\">", cls);
    l2w_html_put(f, text);
    fputs("</span>", f);
}

/* ---- the list ---- */

typedef struct {
    const char *status, *kind, *severity, *chain, *before; /* NULL: no filter */
    unsigned limit;
} list_filter;

/* One <select> of the filter form; value selected when it equals current. */
static void select_of(FILE *f, const char *name, const char *label, const char *const *values, size_t n,
                      const char *current)
{
    fprintf(f, "<label>%s <select name=\"%s\"><option value=\"\">any</option>", label, name);
    for (size_t i = 0; i < n; i++) {
        fputs(current && strcmp(current, values[i]) == 0 ? "<option selected>" : "<option>", f);
        l2w_html_put(f, values[i]);
        fputs("</option>", f);
    }
    fputs("</select></label>", f);
}

static void render_filter_form(FILE *f, const l2w_config *cfg, const PGresult *kinds, const list_filter *q)
{
    static const char *const statuses[] = {"open", "resolved", "retracted"};
    static const char *const severities[] = {"critical", "high", "medium", "low", "info"};
    const char *chains[L2W_MAX_CHAINS];
    for (size_t i = 0; i < cfg->n_chains; i++)
        chains[i] = cfg->chains[i].name;
    const char *kind_names[200];
    size_t nk = 0;
    for (int i = 0; i < PQntuples(kinds) && nk < 200; i++)
        kind_names[nk++] = PQgetvalue(kinds, i, 0);
    fputs("<form class=\"panel filters\" method=\"get\" action=\"/findings\"><div class=\"fields\">", f);
    select_of(f, "status", "Status", statuses, 3, q->status);
    select_of(f, "severity", "Severity", severities, 5, q->severity);
    select_of(f, "kind", "Kind", kind_names, nk, q->kind);
    select_of(f, "chain", "Chain", chains, cfg->n_chains, q->chain);
    fputs("</div><button type=\"submit\">Filter</button> <a href=\"/findings\">clear</a></form>\n", f);
}

/* The link to the next (older) page: the same filters, before the last id. */
static void render_older_link(FILE *f, const list_filter *q, const char *last_id)
{
    fputs("<p class=\"pager\"><a id=\"older\" href=\"/findings?", f);
    const char *keys[] = {"status", "kind", "severity", "chain"};
    const char *vals[] = {q->status, q->kind, q->severity, q->chain};
    for (size_t i = 0; i < 4; i++)
        if (vals[i]) {
            fprintf(f, "%s=", keys[i]);
            l2w_html_put(f, vals[i]); /* names only: [a-z0-9_-], nothing to percent-encode */
            fputs("&amp;", f);
        }
    fputs("before=", f);
    l2w_html_put(f, last_id);
    fputs("\">Older findings &rarr;</a></p>\n", f);
}

void l2w_web_findings_rows(FILE *f, const PGresult *res, bool with_id)
{
    int n = PQntuples(res);
    for (int i = 0; i < n; i++) {
        fputs("<tr>", f);
        if (with_id)
            l2w_html_cell(f, res, i, 0, "num");
        fputs("<td>", f);
        badge(f, l2w_html_severity_class(PQgetvalue(res, i, 1)), PQgetvalue(res, i, 1));
        fputs("</td>", f);
        l2w_html_cell(f, res, i, 2, NULL);
        l2w_html_cell(f, res, i, 3, NULL);
        fputs("<td><a href=\"/findings/", f);
        l2w_html_put(f, PQgetvalue(res, i, 0));
        fputs("\">", f);
        l2w_html_put(f, PQgetvalue(res, i, 4));
        fputs("</a></td>", f);
        l2w_html_cell(f, res, i, 5, NULL);
        l2w_html_cell(f, res, i, 6, NULL);
        fputs("</tr>\n", f);
    }
}

static void render_list(FILE *f, const PGresult *res, const list_filter *q)
{
    fputs("<section><h2>Findings</h2><div class=\"scroll\"><table id=\"findings\">\n<thead><tr>"
          "<th class=\"num\">ID</th><th>Severity</th><th>Kind</th><th>Chain</th><th>Title</th><th>Detected</th>"
          "<th>Status</th></tr></thead><tbody>\n",
          f);
    int n = PQntuples(res);
    l2w_web_findings_rows(f, res, true);
    if (n == 0)
        l2w_html_empty_row(f, 7, "No findings match.");
    fputs("</tbody></table></div>\n", f);
    if (n == (int)q->limit)
        render_older_link(f, q, PQgetvalue(res, n - 1, 0));
    fputs("</section>\n", f);
}

/* The filters from the query; false (and resp holds a 400) when one is bad. */
static bool read_filter(l2w_web_response *resp, const l2w_web_request *req, list_filter *q, l2w_status *st)
{
    memset(q, 0, sizeof *q);
    q->limit = PAGE_ROWS;
    /* An empty value is what the form sends for "any". */
    const char *keys[] = {"status", "kind", "severity", "chain", "before"};
    const char **outs[] = {&q->status, &q->kind, &q->severity, &q->chain, &q->before};
    for (size_t i = 0; i < 5; i++) {
        const char *v = l2w_web_query(req, keys[i]);
        *outs[i] = v && *v ? v : NULL;
    }
    const char *bad = NULL;
    int64_t id;
    const char *status;
    if (l2w_web_parse_finding_status(&status, q->status) != L2W_OK)
        bad = "status";
    else if (q->severity && l2w_severity_from_name(q->severity) < 0)
        bad = "severity";
    else if (q->before && l2w_web_parse_id(&id, q->before) != L2W_OK)
        bad = "before";
    for (size_t i = 1; !bad && i < 4; i += 2) { /* kind and chain: names */
        const char *v = *outs[i];
        for (const char *p = v; p && *p && !bad; p++)
            if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
                bad = keys[i];
        if (v && strlen(v) > 64)
            bad = keys[i];
    }
    if (!bad)
        return true;
    *st = l2w_web_respond_error(resp, 400, bad, "not a value this filter takes");
    return false;
}

l2w_status l2w_route_dashboard_findings(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err)
{
    list_filter q;
    l2w_status st;
    if (!read_filter(resp, req, &q, &st))
        return st;
    char limit_text[16];
    snprintf(limit_text, sizeof limit_text, "%u", q.limit);
    const char *params[] = {limit_text, q.status, q.kind, q.severity, q.chain, q.before};
    PGresult *rows = NULL, *kinds = NULL;
    st = l2w_web_db_exec(req, &rows, list_sql, 6, params, err);
    if (st == L2W_OK)
        st = l2w_web_db_exec(req, &kinds, kinds_sql, 0, NULL, err);
    bool db_down = l2w_html_page_db_unavailable(st);
    l2w_html_page page;
    if ((st == L2W_OK || db_down) && (st = l2w_html_page_open(&page, "findings", "/findings", NULL, false)) == L2W_OK) {
        if (db_down) {
            l2w_html_page_db_down(&page);
        } else {
            render_filter_form(page.f, req->cfg, kinds, &q);
            render_list(page.f, rows, &q);
        }
        st = l2w_html_page_respond(&page, resp, db_down, err);
    }
    PQclear(rows);
    PQclear(kinds);
    return st;
}

/* ---- one finding ---- */

typedef struct {
    PGresult *finding, *evidence, *response, *alerts;
} detail_data;

static void key_value_table(FILE *f, const char *id, const PGresult *res, const char *empty)
{
    fprintf(f, "<div class=\"scroll\"><table id=\"%s\" class=\"kv\"><tbody>\n", id);
    for (int i = 0; i < PQntuples(res); i++) {
        fputs("<tr><th>", f);
        l2w_html_put(f, PQgetvalue(res, i, 0));
        fputs("</th>", f);
        l2w_html_cell(f, res, i, 1, "hash");
        fputs("</tr>\n", f);
    }
    if (PQntuples(res) == 0)
        l2w_html_empty_row(f, 2, empty);
    fputs("</tbody></table></div>\n", f);
}

/* The block or transaction (column col, its chain at chain_col), linked to
 * the explorer of the chain it is on when one is configured: an L2 finding
 * may rest on an L1 transaction, and an output root's block is the L2's
 * while its proposal is the L1's (sql/0019). kind is "tx" or "block", the
 * explorer's path. */
static void ref_row(FILE *f, const l2w_config *cfg, const PGresult *res, const char *label, int col, int chain_col,
                    const char *kind)
{
    fprintf(f, "<tr><th>%s</th><td class=\"%s\">", label, strcmp(kind, "tx") == 0 ? "hash" : "num");
    if (PQgetisnull(res, 0, col)) {
        fputs("<span class=\"muted\">&mdash;</span></td></tr>\n", f);
        return;
    }
    /* A chain the row does not say (written outside l2watch) is not guessed. */
    const char *chain = PQgetisnull(res, 0, chain_col) ? NULL : PQgetvalue(res, 0, chain_col);
    const l2w_chain_config *ch = chain ? l2w_config_chain(cfg, chain) : NULL;
    if (ch && ch->explorer_url) {
        fputs("<a rel=\"noreferrer\" href=\"", f);
        l2w_html_put(f, ch->explorer_url);
        fprintf(f, "/%s/", kind);
        l2w_html_put(f, PQgetvalue(res, 0, col));
        fputs("\">", f);
        l2w_html_put(f, PQgetvalue(res, 0, col));
        fputs("</a>", f);
    } else {
        l2w_html_put(f, PQgetvalue(res, 0, col));
    }
    if (chain) {
        fputs(" <span class=\"muted\">on ", f);
        l2w_html_put(f, chain);
        fputs("</span>", f);
    }
    fputs("</td></tr>\n", f);
}

static void render_detail(FILE *f, const l2w_config *cfg, const detail_data *d)
{
    const PGresult *r = d->finding;
    fputs("<section><h2>Finding ", f);
    l2w_html_put(f, PQgetvalue(r, 0, 0));
    fputs("</h2><p class=\"title\">", f);
    badge(f, l2w_html_severity_class(PQgetvalue(r, 0, 1)), PQgetvalue(r, 0, 1));
    fputs(" <strong id=\"finding-title\">", f);
    l2w_html_put(f, PQgetvalue(r, 0, 4));
    fputs("</strong></p><p id=\"finding-summary\">", f);
    l2w_html_put(f, PQgetvalue(r, 0, 5));
    fputs("</p><div class=\"scroll\"><table id=\"finding\" class=\"kv\"><tbody>\n", f);
    static const struct {
        const char *label;
        int col;
    } rows[] = {{"Kind", 2}, {"Chain", 3}, {"Status", 6}, {"Detected", 7}, {"Updated", 8}, {"Subject", 12},
                  {"Acknowledged", 14}};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        fprintf(f, "<tr><th>%s</th>", rows[i].label);
        l2w_html_cell(f, r, 0, rows[i].col, NULL);
        fputs("</tr>\n", f);
    }
    ref_row(f, cfg, r, "Block", 9, 13, "block");
    ref_row(f, cfg, r, "Transaction", 10, 11, "tx");
    fputs("</tbody></table></div>\n<h3>Evidence</h3>\n", f);
    key_value_table(f, "evidence", d->evidence, "No evidence recorded.");
    fputs("<h3>Response</h3>\n", f);
    key_value_table(f, "response", d->response, "No response: this kind is not answered on chain, or the policy "
                                                "did not choose one.");
    fputs("<h3>Alert deliveries</h3><div class=\"scroll\"><table id=\"deliveries\">\n<thead><tr>"
          "<th class=\"num\">Alert</th><th>Event</th><th class=\"num\">Seq</th><th>Sink</th><th>State</th>"
          "<th class=\"num\">Attempts</th><th>Last error</th><th>Queued</th><th>Delivered / dead</th></tr></thead>"
          "<tbody>\n",
          f);
    const PGresult *a = d->alerts;
    for (int i = 0; i < PQntuples(a); i++) {
        fputs("<tr>", f);
        for (int c = 0; c <= 8; c++)
            l2w_html_cell(f, a, i, c, c == 0 || c == 2 || c == 5 ? "num" : NULL);
        fputs("</tr>\n", f);
    }
    if (PQntuples(a) == 0)
        l2w_html_empty_row(f, 9, "No alerts: no route chose a sink for this finding.");
    fputs("</tbody></table></div>\n<p><a href=\"/api/v1/findings/", f);
    l2w_html_put(f, PQgetvalue(r, 0, 0));
    fputs("\">as JSON</a> &middot; <a href=\"/findings\">all findings</a></p></section>\n", f);
}

static l2w_status detail_load(detail_data *d, const l2w_web_request *req, const char *id, l2w_err *err)
{
    l2w_db *db;
    l2w_status st = l2w_db_pool_acquire(req->pool, &db, L2W_WEB_DB_WAIT_MS, err);
    if (st != L2W_OK)
        return st;
    const char *params[] = {id};
    st = l2w_db_exec(db, &d->finding, detail_sql, 1, params, err);
    if (st == L2W_OK)
        st = l2w_db_exec(db, &d->evidence, evidence_sql, 1, params, err);
    if (st == L2W_OK)
        st = l2w_db_exec(db, &d->response, response_sql, 1, params, err);
    if (st == L2W_OK)
        st = l2w_db_exec(db, &d->alerts, alerts_sql, 1, params, err);
    l2w_db_pool_release(req->pool, db);
    return st;
}

l2w_status l2w_route_dashboard_finding(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err)
{
    int64_t id;
    if (l2w_web_parse_id(&id, req->tail) != L2W_OK)
        return l2w_web_respond_error(resp, 404, "id", "no such finding");
    char id_text[24];
    snprintf(id_text, sizeof id_text, "%" PRId64, id);
    detail_data d = {0};
    l2w_status st = detail_load(&d, req, id_text, err);
    bool db_down = l2w_html_page_db_unavailable(st);
    if (st == L2W_OK && PQntuples(d.finding) == 0) {
        st = l2w_web_respond_error(resp, 404, "id", "no such finding");
    } else if (st == L2W_OK || db_down) {
        l2w_html_page page;
        if ((st = l2w_html_page_open(&page, "finding", "/findings/", NULL, false)) == L2W_OK) {
            if (db_down)
                l2w_html_page_db_down(&page);
            else
                render_detail(page.f, req->cfg, &d);
            st = l2w_html_page_respond(&page, resp, db_down, err);
        }
    }
    PQclear(d.finding);
    PQclear(d.evidence);
    PQclear(d.response);
    PQclear(d.alerts);
    return st;
}
