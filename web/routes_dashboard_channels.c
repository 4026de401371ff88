/* GET /channels: the watchtower. Every channel held (protocol, id, the
 * newest state version held, its standing on chain: no dispute, a dispute
 * whose window is open, or one whose window has ended), paged by the
 * primary key so a million channels cost a page's worth; the disputes seen
 * with the tower's verdict; the punishment responses (counter-disputes)
 * and their outcome. Without a channels: section the page says so. */

#include <stdio.h>
#include <string.h>

#include "core/db.h"
#include "web/page_cache.h"
#include "web/html.h"
#include "web/html_page.h"
#include "web/routes.h"

#define PAGE_ROWS 50
#define PAGE_ROWS_TEXT "50"
#define DASH_DISPUTES "20"
#define DASH_RESPONSES "20"
#define TS_FMT "'YYYY-MM-DD HH24:MI:SS\"Z\"'"

/* A dispute's deadline as a time; NULL for a number that is no time of the
 * years 1970 to 9999 (to_timestamp would fail the whole page on it). */
#define DEADLINE_TEXT                                                                                                 \
    "CASE WHEN d.deadline BETWEEN 0 AND 253402300799 THEN"                                                           \
    " to_char(to_timestamp(d.deadline) AT TIME ZONE 'UTC', " TS_FMT ") END"

/* Channels watched come from the per-client counters, not a count over
 * channel_states: the page stays cheap with a million channels held. */
static const char summary_sql[] =
    "SELECT (SELECT coalesce(sum(channels), 0) FROM channel_clients)::text,"
    " (SELECT count(*) FROM channel_disputes)::text,"
    " (SELECT count(*) FROM channel_disputes WHERE check_status = 2)::text,"
    " (SELECT count(*) FROM responses WHERE action = 'channel_dispute' AND status = 'verified')::text,"
    " (SELECT count(*) FROM responses WHERE action = 'channel_dispute'"
    "   AND status IN ('failed', 'reverted'))::text,"
    " (SELECT count(*) FROM responses WHERE action = 'channel_dispute'"
    "   AND status IN ('planned', 'nonce_assigned', 'sent', 'mined'))::text";

/* A page of held channels in primary-key order after ($2, $3, $4), with
 * their latest dispute (channel_disputes_channel_idx), its window judged
 * against the time of the newest block stored of the channel's chain (as
 * the detectors judge it, not the wall clock), and the latest
 * response to that dispute's finding. */
static const char channels_sql[] =
    "SELECT s.chain, s.protocol, '0x' || encode(s.channel, 'hex'), s.version::text, s.client, s.updates::text,"
    " to_char(s.updated_at AT TIME ZONE 'UTC', " TS_FMT "),"
    " (SELECT count(*) FROM channel_disputes x WHERE x.chain = s.chain AND x.protocol = s.protocol"
    "   AND x.channel = s.channel)::text,"
    " CASE WHEN d.block_number IS NULL THEN 'no dispute' WHEN tip.ts IS NULL THEN 'disputed'"
    "      WHEN d.deadline > tip.ts THEN 'disputed, window open' ELSE 'disputed, window ended' END,"
    " d.version::text,"
    " CASE d.check_status WHEN 0 THEN 'pending' WHEN 1 THEN 'current' WHEN 2 THEN 'stale' WHEN 3 THEN 'not watched'"
    " END,"
    " " DEADLINE_TEXT ","
    " d.finding_id::text,"
    " (SELECT r.status FROM responses r WHERE r.finding_id = d.finding_id ORDER BY r.id DESC LIMIT 1)"
    " FROM channel_states s LEFT JOIN LATERAL (SELECT * FROM channel_disputes x WHERE x.chain = s.chain"
    "   AND x.protocol = s.protocol AND x.channel = s.channel ORDER BY x.block_number DESC, x.log_index DESC"
    "   LIMIT 1) d ON true"
    " LEFT JOIN LATERAL (SELECT b.timestamp AS ts FROM blocks b WHERE b.chain = s.chain"
    "   ORDER BY b.number DESC LIMIT 1) tip ON true"
    " WHERE ($2::text IS NULL OR (s.chain, s.protocol, s.channel) > ($2::text, $3::text, decode($4::text, 'hex')))"
    " ORDER BY s.chain, s.protocol, s.channel LIMIT $1::integer";

static const char disputes_sql[] =
    "SELECT d.block_number::text, d.protocol, '0x' || encode(d.channel, 'hex'), d.version::text,"
    " d.held_version::text,"
    " CASE d.check_status WHEN 0 THEN 'pending' WHEN 1 THEN 'current' WHEN 2 THEN 'stale' ELSE 'not watched' END,"
    " " DEADLINE_TEXT ","
    " (SELECT r.status FROM responses r WHERE r.finding_id = d.finding_id ORDER BY r.id DESC LIMIT 1),"
    " d.finding_id::text"
    " FROM channel_disputes d ORDER BY d.block_number DESC, d.log_index DESC LIMIT " DASH_DISPUTES;

/* The counter-disputes: what the tower sent (or would send) on chain. */
static const char responses_sql[] =
    "SELECT r.finding_id::text, r.chain, r.mode, r.status, r.nonce::text,"
    " CASE WHEN r.tx_hash IS NULL THEN NULL ELSE '0x' || encode(r.tx_hash, 'hex') END, r.mined_block::text,"
    " r.bumps::text, r.note, to_char(r.updated_at AT TIME ZONE 'UTC', " TS_FMT ")"
    " FROM responses r WHERE r.action = 'channel_dispute' ORDER BY r.id DESC LIMIT " DASH_RESPONSES;

typedef struct {
    char chain[65], protocol[8], channel_hex[65];
    bool has_after;
} page_cursor;

typedef struct {
    PGresult *summary, *channels, *disputes, *responses;
} page_data;

static void data_clear(page_data *d)
{
    PQclear(d->summary);
    PQclear(d->channels);
    PQclear(d->disputes);
    PQclear(d->responses);
    memset(d, 0, sizeof *d);
}

/* after=<chain>:<vector|nitro>:0x<40 or 64 lowercase hex digits>, the
 * last channel of the page before. False when malformed. */
static bool read_cursor(page_cursor *c, const char *after)
{
    memset(c, 0, sizeof *c);
    if (!after || !*after)
        return true;
    const char *p1 = strchr(after, ':');
    const char *p2 = p1 ? strchr(p1 + 1, ':') : NULL;
    if (!p1 || !p2)
        return false;
    size_t chain_len = (size_t)(p1 - after), proto_len = (size_t)(p2 - p1 - 1);
    const char *hex = p2 + 1;
    size_t hex_len = strlen(hex);
    if (chain_len == 0 || chain_len > 64 || strspn(after, "abcdefghijklmnopqrstuvwxyz0123456789_-") != chain_len)
        return false;
    if (!((proto_len == 6 && strncmp(p1 + 1, "vector", 6) == 0) || (proto_len == 5 && strncmp(p1 + 1, "nitro", 5) == 0)))
        return false;
    if (strncmp(hex, "0x", 2) != 0 || (hex_len != 42 && hex_len != 66) || strspn(hex + 2, "0123456789abcdef") != hex_len - 2)
        return false;
    memcpy(c->chain, after, chain_len);
    memcpy(c->protocol, p1 + 1, proto_len);
    memcpy(c->channel_hex, hex + 2, hex_len - 2);
    c->has_after = true;
    return true;
}

static l2w_status load(page_data *d, const l2w_web_request *req, const page_cursor *c, l2w_err *err)
{
    l2w_db *db;
    l2w_status st = l2w_db_pool_acquire(req->pool, &db, L2W_WEB_DB_WAIT_MS, err);
    if (st != L2W_OK)
        return st;
    const char *params[] = {PAGE_ROWS_TEXT, c->has_after ? c->chain : NULL, c->has_after ? c->protocol : NULL,
                            c->has_after ? c->channel_hex : NULL};
    st = l2w_db_exec(db, &d->summary, summary_sql, 0, NULL, err);
    if (st == L2W_OK)
        st = l2w_db_exec(db, &d->channels, channels_sql, 4, params, err);
    if (st == L2W_OK)
        st = l2w_db_exec(db, &d->disputes, disputes_sql, 0, NULL, err);
    if (st == L2W_OK)
        st = l2w_db_exec(db, &d->responses, responses_sql, 0, NULL, err);
    l2w_db_pool_release(req->pool, db);
    return st;
}

static const char *verdict_class(const char *v)
{
    if (strcmp(v, "stale") == 0)
        return "badge sev-critical";
    if (strcmp(v, "current") == 0)
        return "badge ok";
    return "badge muted";
}

static const char *standing_class(const char *s)
{
    if (strcmp(s, "disputed, window open") == 0)
        return "badge sev-high";
    if (strcmp(s, "no dispute") == 0)
        return "badge ok";
    return "badge muted";
}

static const char *response_class(const char *s)
{
    if (strcmp(s, "verified") == 0)
        return "badge ok";
    if (strcmp(s, "failed") == 0 || strcmp(s, "reverted") == 0)
        return "badge sev-critical";
    if (strcmp(s, "dry_run") == 0 || strcmp(s, "not_needed") == 0)
        return "badge muted";
    return "badge sev-medium";
}

static void badge_cell(FILE *f, const PGresult *res, int row, int col, const char *(*cls)(const char *))
{
    if (PQgetisnull(res, row, col)) {
        l2w_html_cell(f, res, row, col, NULL);
        return;
    }
    const char *v = PQgetvalue(res, row, col);
    fprintf(f, "<td><span class=\"%s\">", cls(v));
    l2w_html_put(f, v);
    fputs("</span></td>", f);
}

/* The finding's link, its text the response's status when there is one. */
static void finding_cell(FILE *f, const PGresult *res, int row, int finding_col, int status_col)
{
    if (PQgetisnull(res, row, finding_col)) {
        l2w_html_cell(f, res, row, status_col, NULL);
        return;
    }
    fputs("<td><a href=\"/findings/", f);
    l2w_html_put(f, PQgetvalue(res, row, finding_col));
    fputs("\">", f);
    l2w_html_put(f, PQgetisnull(res, row, status_col) ? "finding" : PQgetvalue(res, row, status_col));
    fputs("</a></td>", f);
}

static void render_summary(FILE *f, const PGresult *s)
{
    static const char *const labels[] = {"Channels watched", "Disputes seen",     "Stale closes",
                                         "Answered on chain", "Responses failed", "Responses in flight"};
    fputs("<section><h2>Channels</h2><div class=\"scroll\"><table id=\"channel-summary\">\n<thead><tr>", f);
    for (int c = 0; c < 6; c++)
        fprintf(f, "<th class=\"num\">%s</th>", labels[c]);
    fputs("</tr></thead><tbody><tr>", f);
    for (int c = 0; c < 6; c++)
        l2w_html_cell(f, s, 0, c, "num");
    fputs("</tr></tbody></table></div></section>\n", f);
}

static void render_channels(FILE *f, const PGresult *res)
{
    fputs("<section><h2>Watched channels</h2><div class=\"scroll\"><table id=\"channels\">\n<thead><tr>"
          "<th>Chain</th><th>Protocol</th><th>Channel</th><th class=\"num\">Held version</th><th>Client</th>"
          "<th class=\"num\">Updates</th><th>Updated</th><th class=\"num\">Disputes</th><th>On chain</th>"
          "<th class=\"num\">Disputed version</th><th>Verdict</th><th>Deadline</th><th>Response</th>"
          "</tr></thead><tbody>\n",
          f);
    int n = PQntuples(res);
    for (int i = 0; i < n; i++) {
        fputs("<tr>", f);
        l2w_html_cell(f, res, i, 0, NULL);
        l2w_html_cell(f, res, i, 1, NULL);
        l2w_html_cell(f, res, i, 2, "hash");
        l2w_html_cell(f, res, i, 3, "num");
        l2w_html_cell(f, res, i, 4, NULL);
        l2w_html_cell(f, res, i, 5, "num");
        l2w_html_cell(f, res, i, 6, NULL);
        l2w_html_cell(f, res, i, 7, "num");
        badge_cell(f, res, i, 8, standing_class);
        l2w_html_cell(f, res, i, 9, "num");
        badge_cell(f, res, i, 10, verdict_class);
        l2w_html_cell(f, res, i, 11, NULL);
        finding_cell(f, res, i, 12, 13);
        fputs("</tr>\n", f);
    }
    if (n == 0)
        l2w_html_empty_row(f, 13, "No channels held.");
    fputs("</tbody></table></div>\n", f);
    if (n == PAGE_ROWS) {
        fputs("<p class=\"pager\"><a id=\"next\" href=\"/channels?after=", f);
        l2w_html_put(f, PQgetvalue(res, n - 1, 0));
        fputc(':', f);
        l2w_html_put(f, PQgetvalue(res, n - 1, 1));
        fputc(':', f);
        l2w_html_put(f, PQgetvalue(res, n - 1, 2));
        fputs("\">Next channels &rarr;</a></p>\n", f);
    }
    fputs("</section>\n", f);
}

static void render_disputes(FILE *f, const PGresult *res)
{
    fputs("<section><h2>Disputes</h2><div class=\"scroll\"><table id=\"disputes\">\n<thead><tr>"
          "<th class=\"num\">Block</th><th>Protocol</th><th>Channel</th><th class=\"num\">On chain</th>"
          "<th class=\"num\">Held</th><th>Verdict</th><th>Deadline</th><th>Response</th></tr></thead><tbody>\n",
          f);
    int n = PQntuples(res);
    for (int i = 0; i < n; i++) {
        fputs("<tr>", f);
        l2w_html_cell(f, res, i, 0, "num");
        l2w_html_cell(f, res, i, 1, NULL);
        l2w_html_cell(f, res, i, 2, "hash");
        l2w_html_cell(f, res, i, 3, "num");
        l2w_html_cell(f, res, i, 4, "num");
        badge_cell(f, res, i, 5, verdict_class);
        l2w_html_cell(f, res, i, 6, NULL);
        finding_cell(f, res, i, 8, 7);
        fputs("</tr>\n", f);
    }
    if (n == 0)
        l2w_html_empty_row(f, 8, "No disputes seen.");
    fputs("</tbody></table></div></section>\n", f);
}

static void render_responses(FILE *f, const PGresult *res)
{
    fputs("<section><h2>Punishment responses</h2><div class=\"scroll\"><table id=\"channel-responses\">\n"
          "<thead><tr><th>Finding</th><th>Chain</th><th>Mode</th><th>Status</th><th class=\"num\">Nonce</th>"
          "<th>Transaction</th><th class=\"num\">Mined block</th><th class=\"num\">Bumps</th><th>Note</th>"
          "<th>Updated</th></tr></thead><tbody>\n",
          f);
    int n = PQntuples(res);
    for (int i = 0; i < n; i++) {
        fputs("<tr><td><a href=\"/findings/", f);
        l2w_html_put(f, PQgetvalue(res, i, 0));
        fputs("\">", f);
        l2w_html_put(f, PQgetvalue(res, i, 0));
        fputs("</a></td>", f);
        l2w_html_cell(f, res, i, 1, NULL);
        l2w_html_cell(f, res, i, 2, NULL);
        badge_cell(f, res, i, 3, response_class);
        l2w_html_cell(f, res, i, 4, "num");
        l2w_html_cell(f, res, i, 5, "hash");
        l2w_html_cell(f, res, i, 6, "num");
        l2w_html_cell(f, res, i, 7, "num");
        l2w_html_cell(f, res, i, 8, NULL);
        l2w_html_cell(f, res, i, 9, NULL);
        fputs("</tr>\n", f);
    }
    if (n == 0)
        l2w_html_empty_row(f, 10, "No counter-dispute sent.");
    fputs("</tbody></table></div></section>\n", f);
}

static l2w_status render_page(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err)
{
    page_cursor c;
    if (!read_cursor(&c, l2w_web_query(req, "after")))
        return l2w_web_respond_error(resp, 400, "after", "after must be <chain>:<vector|nitro>:0x<channel>");
    page_data d = {0};
    l2w_status st = req->cfg->channels.enabled ? load(&d, req, &c, err) : L2W_OK;
    bool db_down = l2w_html_page_db_unavailable(st);
    l2w_html_page page;
    if ((st == L2W_OK || db_down) &&
        (st = l2w_html_page_open(&page, "channels", "/channels", NULL, true)) == L2W_OK) {
        if (db_down) {
            l2w_html_page_db_down(&page);
        } else if (!req->cfg->channels.enabled) {
            fputs("<section><h2>Channels</h2><p class=\"muted\">The watchtower is off: the config has no "
                  "<code>channels:</code> section.</p></section>\n",
                  page.f);
        } else {
            render_summary(page.f, d.summary);
            render_channels(page.f, d.channels);
            render_disputes(page.f, d.disputes);
            render_responses(page.f, d.responses);
        }
        st = l2w_html_page_respond(&page, resp, db_down, err);
    } else if (st == L2W_ERR_NOMEM && !err->msg[0]) {
        l2w_err_set(err, "channels page: out of memory");
    }
    data_clear(&d);
    return st;
}

/* Kept for web.page_cache_ms when asked without a query string. */
l2w_status l2w_route_dashboard_channels(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err)
{
    return l2w_page_cached(resp, req, render_page, err);
}
