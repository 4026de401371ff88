/* GET /alerts: what is kept from the operators' phones and what could not
 * reach them. The silences (live ones first, then the latest that ended)
 * and the dead letters, with the counts an on-call engineer checks first.
 * Changes go through the API with a web.clients token: the page's form
 * (driven by static/alerts.js) sends it in the Authorization header as any
 * API client would, so the page itself holds no write power. */

#include <stdio.h>
#include <string.h>

#include "core/db.h"
#include "web/html.h"
#include "web/html_page.h"
#include "web/routes.h"

#define DASH_ENDED "20"
#define DASH_DEAD "50"
#define TS_FMT "'YYYY-MM-DD HH24:MI:SS\"Z\"'"

static const char counts_sql[] =
    "SELECT (SELECT count(*) FROM alert_outbox WHERE delivered_at IS NULL AND dead_at IS NULL"
    "        AND silence_id IS NULL)::text,"
    " (SELECT count(*) FROM alert_outbox WHERE dead_at IS NOT NULL)::text,"
    " (SELECT count(*) FROM alert_outbox WHERE silence_id IS NOT NULL)::text,"
    " (SELECT count(*) FROM alert_silences WHERE deleted_at IS NULL AND expires_at > now())::text";

/* Live silences, all of them (each one hides findings: none may be out of
 * sight), then the latest that ended. */
static const char silences_sql[] =
    "SELECT d.doc->>'id', d.doc->>'state', z.kind, z.chain, z.severity, z.subject, z.author, z.created_by,"
    " z.reason, to_char(z.created_at AT TIME ZONE 'UTC', " TS_FMT "),"
    " to_char(coalesce(z.deleted_at, z.expires_at) AT TIME ZONE 'UTC', " TS_FMT "), d.doc->>'alerts_held'"
    " FROM (SELECT id FROM alert_silences WHERE deleted_at IS NULL AND expires_at > now()"
    "       UNION ALL (SELECT id FROM alert_silences WHERE deleted_at IS NOT NULL OR expires_at <= now()"
    "                  ORDER BY id DESC LIMIT " DASH_ENDED ")) p"
    " JOIN alert_silences z ON z.id = p.id JOIN silence_documents d ON d.id = p.id"
    " ORDER BY (d.doc->>'state') = 'live' DESC, z.id DESC";

static const char dead_sql[] =
    "SELECT o.id::text, o.finding_id::text, o.event, o.sink, o.kind, o.chain, o.attempts::text, o.last_error,"
    " to_char(o.dead_at AT TIME ZONE 'UTC', " TS_FMT "), CASE WHEN (d.doc->>'superseded')::boolean"
    " THEN 'superseded' ELSE 'can requeue' END, o.requeues::text"
    " FROM (SELECT id FROM alert_outbox WHERE dead_at IS NOT NULL ORDER BY id DESC LIMIT " DASH_DEAD ") p"
    " JOIN alert_outbox o ON o.id = p.id JOIN dead_letter_documents d ON d.id = p.id ORDER BY o.id DESC";

typedef struct {
    PGresult *counts, *silences, *dead;
} page_data;

static void page_clear(page_data *d)
{
    PQclear(d->counts);
    PQclear(d->silences);
    PQclear(d->dead);
    memset(d, 0, sizeof *d);
}

static l2w_status page_load(page_data *d, const l2w_web_request *req, l2w_err *err)
{
    l2w_db *db;
    l2w_status st = l2w_db_pool_acquire(req->pool, &db, L2W_WEB_DB_WAIT_MS, err);
    if (st != L2W_OK)
        return st;
    st = l2w_db_exec(db, &d->counts, counts_sql, 0, NULL, err);
    if (st == L2W_OK)
        st = l2w_db_exec(db, &d->silences, silences_sql, 0, NULL, err);
    if (st == L2W_OK)
        st = l2w_db_exec(db, &d->dead, dead_sql, 0, NULL, err);
    l2w_db_pool_release(req->pool, db);
    return st;
}

static void render_counts(FILE *f, const PGresult *res)
{
    static const char *const labels[] = {"alerts waiting to be sent", "dead letters", "alerts held by silences",
                                         "live silences"};
    fputs("<section><h2>Alert delivery</h2><div class=\"tiles\">", f);
    for (int c = 0; c < 4; c++) {
        fprintf(f, "<div class=\"tile\" id=\"count-%d\"><span class=\"num big\">", c);
        l2w_html_put(f, PQgetvalue(res, 0, c));
        fprintf(f, "</span> <span class=\"muted\">%s</span></div>", labels[c]);
    }
    fputs("</div></section>\n", f);
}

static const char *state_class(const char *state)
{
    if (strcmp(state, "live") == 0)
        return "badge sev-medium";
    return "badge muted";
}

/* The matchers as "kind = x, chain = y"; a silence has at least one. */
static void matcher_cell(FILE *f, const PGresult *res, int row)
{
    static const char *const names[] = {"kind", "chain", "severity", "subject"};
    fputs("<td class=\"matchers\">", f);
    bool first = true;
    for (int c = 2; c <= 5; c++) {
        if (PQgetisnull(res, row, c))
            continue;
        fprintf(f, "%s%s = <code>", first ? "" : ", ", names[c - 2]);
        l2w_html_put(f, PQgetvalue(res, row, c));
        fputs("</code>", f);
        first = false;
    }
    fputs("</td>", f);
}

/* The form alerts.js shows and sends (it needs the token in a header,
 * which a plain HTML form cannot set); hidden until the script runs. */
static void render_silence_form(FILE *f, const l2w_config *cfg)
{
    fputs("<form id=\"silence-form\" class=\"panel\" hidden><h3>New silence</h3><div class=\"fields\">"
          "<label>Kind <input id=\"sf-kind\" placeholder=\"any\" autocomplete=\"off\"></label>"
          "<label>Chain <select id=\"sf-chain\"><option value=\"\">any</option>",
          f);
    for (size_t i = 0; i < cfg->n_chains; i++) {
        fputs("<option>", f);
        l2w_html_put(f, cfg->chains[i].name);
        fputs("</option>", f);
    }
    fputs("</select></label><label>Severity <select id=\"sf-severity\"><option value=\"\">any</option>"
          "<option>critical</option><option>high</option><option>medium</option><option>low</option>"
          "<option>info</option></select></label>"
          "<label>Subject <input id=\"sf-subject\" placeholder=\"any; a trailing * matches a prefix\" "
          "autocomplete=\"off\"></label>"
          "<label>For <select id=\"sf-duration\"><option value=\"3600\">1 hour</option>"
          "<option value=\"7200\" selected>2 hours</option><option value=\"14400\">4 hours</option>"
          "<option value=\"86400\">1 day</option><option value=\"604800\">7 days</option></select></label>"
          "<label>Author <input id=\"sf-author\" placeholder=\"you, a ticket\" autocomplete=\"off\"></label>"
          "<label class=\"wide\">Reason <textarea id=\"sf-reason\" rows=\"2\" required></textarea></label>"
          "<label>Token <input id=\"sf-token\" type=\"password\" autocomplete=\"off\" "
          "placeholder=\"a web.clients bearer token\"></label></div>"
          "<button type=\"submit\">Create silence</button> <span id=\"sf-result\" role=\"status\"></span>"
          "</form>\n",
          f);
}

static void render_silences(FILE *f, const l2w_config *cfg, const PGresult *res)
{
    fputs("<section><h2>Silences</h2><p class=\"muted\">A silence keeps the alerts of the findings it matches "
          "from every sink while it is live; the findings are still stored and shown. Create one here or with "
          "<code>POST /api/v1/silences</code>, end it here or with <code>DELETE /api/v1/silences/{id}</code> "
          "(both need a web.clients token).</p>\n",
          f);
    render_silence_form(f, cfg);
    fputs("<div class=\"scroll\"><table id=\"silences\">\n"
          "<thead><tr><th class=\"num\">ID</th><th>State</th><th>Matchers</th><th>Author</th><th>Client</th>"
          "<th>Reason</th><th>Created</th><th>Ends / ended</th><th class=\"num\">Alerts held</th><th></th></tr>"
          "</thead><tbody>\n",
          f);
    int n = PQntuples(res);
    for (int i = 0; i < n; i++) {
        fputs("<tr>", f);
        l2w_html_cell(f, res, i, 0, "num");
        const char *state = PQgetvalue(res, i, 1);
        fprintf(f, "<td><span class=\"%s\">", state_class(state));
        l2w_html_put(f, state);
        fputs("</span></td>", f);
        matcher_cell(f, res, i);
        for (int c = 6; c <= 10; c++)
            l2w_html_cell(f, res, i, c, NULL);
        l2w_html_cell(f, res, i, 11, "num");
        if (strcmp(state, "live") == 0) {
            fputs("<td><button type=\"button\" class=\"end-silence\" hidden data-id=\"", f);
            l2w_html_put(f, PQgetvalue(res, i, 0));
            fputs("\">End</button></td>", f);
        } else {
            fputs("<td></td>", f);
        }
        fputs("</tr>\n", f);
    }
    if (n == 0)
        l2w_html_empty_row(f, 10, "No silences.");
    fputs("</tbody></table></div></section>\n", f);
}

static void render_dead(FILE *f, const PGresult *res, unsigned max_attempts)
{
    fprintf(f,
            "<section><h2>Dead letters</h2><p class=\"muted\">Alerts that failed alerts.max_attempts (%u) times "
            "and are no longer retried. Send them again with <code>POST /api/v1/alerts/requeue</code> and "
            "<code>{\"ids\": [...]}</code> or <code>{\"sink\": \"name\"}</code>; a superseded one (a later alert "
            "of its finding reached the sink) needs <code>\"force\": true</code>.</p><div class=\"scroll\">"
            "<table id=\"dead\">\n"
            "<thead><tr><th class=\"num\">Alert</th><th>Finding</th><th>Event</th><th>Sink</th><th>Kind</th>"
            "<th>Chain</th><th class=\"num\">Attempts</th><th>Last error</th><th>Dead since</th><th>Requeue</th>"
            "<th class=\"num\">Requeued</th></tr></thead><tbody>\n",
            max_attempts);
    int n = PQntuples(res);
    for (int i = 0; i < n; i++) {
        fputs("<tr>", f);
        l2w_html_cell(f, res, i, 0, "num");
        fputs("<td><a href=\"/findings/", f);
        l2w_html_put(f, PQgetvalue(res, i, 1));
        fputs("\">", f);
        l2w_html_put(f, PQgetvalue(res, i, 1));
        fputs("</a></td>", f);
        for (int c = 2; c <= 5; c++)
            l2w_html_cell(f, res, i, c, NULL);
        l2w_html_cell(f, res, i, 6, "num");
        l2w_html_cell(f, res, i, 7, NULL);
        l2w_html_cell(f, res, i, 8, NULL);
        l2w_html_cell(f, res, i, 9, NULL);
        l2w_html_cell(f, res, i, 10, "num");
        fputs("</tr>\n", f);
    }
    if (n == 0)
        l2w_html_empty_row(f, 11, "No dead letters.");
    fputs("</tbody></table></div></section>\n", f);
}

l2w_status l2w_route_dashboard_alerts(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err)
{
    page_data d = {0};
    l2w_status st = page_load(&d, req, err);
    bool db_down = l2w_html_page_db_unavailable(st);
    l2w_html_page page;
    if ((st == L2W_OK || db_down) && (st = l2w_html_page_open(&page, "alerts &amp; silences", "/alerts", "alerts.js", false)) == L2W_OK) {
        if (db_down) {
            l2w_html_page_db_down(&page);
        } else {
            render_counts(page.f, d.counts);
            render_silences(page.f, req->cfg, d.silences);
            render_dead(page.f, d.dead, req->cfg->alert_max_attempts);
        }
        st = l2w_html_page_respond(&page, resp, db_down, err);
    } else if (st == L2W_ERR_NOMEM && !err->msg[0]) {
        l2w_err_set(err, "alerts page: out of memory");
    }
    page_clear(&d);
    return st;
}
