/* GET /rollups: per L2, the output proposals its L1 oracle holds against
 * the roots l2watch recomputed (match, mismatch, pending), the mismatches
 * with their invalid_output_root finding and the response to it, and the
 * proposals newest first, filtered by L2 and verdict, paged back.
 *
 * A mismatch finds its finding by the state_root detector's dedup key
 * (detectors/state_root.c, pinned by tests/unit/test_state_root.c): one
 * lookup in the findings' unique index, whatever became of the finding.
 * Every statement reads an index (sql/0001, 0014, 0017). */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/db.h"
#include "web/page_cache.h"
#include "web/html.h"
#include "web/html_page.h"
#include "web/routes.h"

#define PAGE_ROWS 50
#define PAGE_ROWS_TEXT "50"
#define DASH_MISMATCHES "20"
#define TS_FMT "'YYYY-MM-DD HH24:MI:SS\"Z\"'"

/* The invalid_output_root finding of proposal p, by its dedup key. */
#define FINDING_OF_P                                                                                                  \
    "(SELECT f.id FROM findings f WHERE f.dedup_key = 'invalid_output_root:' || p.l2_chain || ':0x'"                 \
    " || encode(p.oracle, 'hex') || ':' || p.output_index::text || ':0x' || encode(p.output_root, 'hex')"            \
    " || ':0x' || encode(p.block_hash, 'hex') || ':' || p.log_index::text)"

/* Per L2 (chains of role l2, whatever their proposals): counts by verdict
 * (output_proposals_chain_status_idx), the latest proposal
 * (output_proposals_chain_recent_idx) and the lowest L2 block still
 * waiting for a verdict (output_proposals_pending_idx). */
static const char chains_sql[] =
    "SELECT c.name, c.head_number::text,"
    " (SELECT count(*) FROM output_proposals p WHERE p.l2_chain = c.name)::text,"
    " (SELECT count(*) FROM output_proposals p WHERE p.l2_chain = c.name AND p.check_status = 1)::text,"
    " (SELECT count(*) FROM output_proposals p WHERE p.l2_chain = c.name AND p.check_status = 2)::text,"
    " (SELECT count(*) FROM output_proposals p WHERE p.l2_chain = c.name AND p.check_status = 0)::text,"
    " l.output_index::text, l.l2_block_number::text, l.l1_block_number::text,"
    " CASE WHEN l.l1_timestamp BETWEEN 0 AND 253402300799 THEN"
    "   to_char(to_timestamp(l.l1_timestamp::double precision) AT TIME ZONE 'UTC', " TS_FMT ") END,"
    " (SELECT min(p.l2_block_number) FROM output_proposals p WHERE p.l2_chain = c.name AND p.check_status = 0)::text"
    " FROM chains c LEFT JOIN LATERAL (SELECT p.output_index, p.l2_block_number, p.l1_block_number, p.l1_timestamp"
    "   FROM output_proposals p WHERE p.l2_chain = c.name"
    "   ORDER BY p.l1_block_number DESC, p.log_index DESC LIMIT 1) l ON true"
    " WHERE c.role = 'l2' ORDER BY c.name";

/* The mismatches, newest first (output_proposals_mismatch_idx), with the
 * finding, its status and the latest response to it (responses_finding_idx). */
static const char mismatches_sql[] =
    "SELECT p.l2_chain, p.output_index::text, p.l2_block_number::text, '0x' || encode(p.output_root, 'hex'),"
    " CASE WHEN p.recomputed_root IS NULL THEN NULL ELSE '0x' || encode(p.recomputed_root, 'hex') END,"
    " p.l1_block_number::text, f.id::text, f.status, r.action, r.status,"
    " CASE WHEN r.tx_hash IS NULL THEN NULL ELSE '0x' || encode(r.tx_hash, 'hex') END"
    " FROM (SELECT p.*, " FINDING_OF_P " AS finding_id FROM output_proposals p WHERE p.check_status = 2"
    "   AND ($1::text IS NULL OR p.l2_chain = $1::text)"
    "   ORDER BY p.l1_block_number DESC, p.log_index DESC LIMIT " DASH_MISMATCHES ") p"
    " LEFT JOIN findings f ON f.id = p.finding_id"
    " LEFT JOIN LATERAL (SELECT r.action, r.status, r.tx_hash FROM responses r WHERE r.finding_id = f.id"
    "   ORDER BY r.id DESC LIMIT 1) r ON true"
    " ORDER BY p.l1_block_number DESC, p.log_index DESC";

/* A page of proposals, newest L1 block first, filtered by L2 ($2) and
 * verdict ($3), before the position ($4, $5) of the last row of the page
 * before. The columns, not the text of the select list's same names. */
static const char list_sql[] =
    "SELECT p.l2_chain, p.output_index::text, p.l2_block_number::text, '0x' || encode(p.output_root, 'hex'),"
    " CASE p.check_status WHEN 0 THEN 'pending' WHEN 1 THEN 'match' WHEN 2 THEN 'mismatch' END,"
    " CASE WHEN p.recomputed_root IS NULL THEN NULL ELSE '0x' || encode(p.recomputed_root, 'hex') END,"
    " p.l1_block_number::text, p.log_index::text, to_char(p.checked_at AT TIME ZONE 'UTC', " TS_FMT "), p.check_note,"
    " CASE WHEN p.check_status = 2 THEN " FINDING_OF_P "::text END"
    " FROM output_proposals p WHERE ($2::text IS NULL OR p.l2_chain = $2::text)"
    " AND ($3::smallint IS NULL OR p.check_status = $3::smallint)"
    " AND ($4::bigint IS NULL OR (p.l1_block_number, p.log_index) < ($4::bigint, $5::integer))"
    " ORDER BY p.l1_block_number DESC, p.log_index DESC LIMIT $1::integer";

typedef struct {
    const char *chain;  /* NULL: every L2 */
    const char *check;  /* "match", "mismatch", "pending" or NULL */
    const char *status; /* check as the column's number, "0".."2", or NULL */
    char before_block[24], before_log[16];
    bool has_before;
} list_filter;

typedef struct {
    PGresult *chains, *mismatches, *list;
} page_data;

static void data_clear(page_data *d)
{
    PQclear(d->chains);
    PQclear(d->mismatches);
    PQclear(d->list);
    memset(d, 0, sizeof *d);
}

/* Decimal digits with no sign and no leading zero, below 2^63. */
static bool canonical_u63(const char *s, size_t len)
{
    if (len == 0 || len > 18 || (len > 1 && s[0] == '0'))
        return false;
    for (size_t i = 0; i < len; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* The filters from the query; false (and resp holds a 400) when one is bad.
 * before is "L1BLOCK-LOGINDEX", the position of the last row seen. */
static bool read_filter(l2w_web_response *resp, const l2w_web_request *req, list_filter *q, l2w_status *st)
{
    memset(q, 0, sizeof *q);
    const char *chain = l2w_web_query(req, "chain");
    const char *check = l2w_web_query(req, "check");
    const char *before = l2w_web_query(req, "before");
    const char *bad = NULL;
    if (chain && *chain) {
        size_t n = strlen(chain);
        if (n > 64 || strspn(chain, "abcdefghijklmnopqrstuvwxyz0123456789_-") != n)
            bad = "chain";
        q->chain = chain;
    }
    if (!bad && check && *check) {
        static const char *const names[] = {"pending", "match", "mismatch"};
        static const char *const numbers[] = {"0", "1", "2"};
        for (size_t i = 0; i < 3; i++)
            if (strcmp(check, names[i]) == 0) {
                q->check = names[i];
                q->status = numbers[i];
            }
        if (!q->check)
            bad = "check";
    }
    if (!bad && before && *before) {
        const char *dash = strchr(before, '-');
        size_t block_len = dash ? (size_t)(dash - before) : 0;
        size_t log_len = dash ? strlen(dash + 1) : 0;
        if (!dash || !canonical_u63(before, block_len) || log_len > 9 || !canonical_u63(dash + 1, log_len)) {
            bad = "before";
        } else {
            memcpy(q->before_block, before, block_len);
            memcpy(q->before_log, dash + 1, log_len);
            q->has_before = true;
        }
    }
    if (!bad)
        return true;
    *st = l2w_web_respond_error(resp, 400, bad,
                                strcmp(bad, "before") == 0 ? "before must be <L1 block>-<log index>"
                                                           : "not a value this filter takes");
    return false;
}

static l2w_status load(page_data *d, const l2w_web_request *req, const list_filter *q, l2w_err *err)
{
    l2w_db *db;
    l2w_status st = l2w_db_pool_acquire(req->pool, &db, L2W_WEB_DB_WAIT_MS, err);
    if (st != L2W_OK)
        return st;
    const char *mismatch_params[] = {q->chain};
    const char *list_params[] = {PAGE_ROWS_TEXT, q->chain, q->status, q->has_before ? q->before_block : NULL,
                                 q->has_before ? q->before_log : NULL};
    st = l2w_db_exec(db, &d->chains, chains_sql, 0, NULL, err);
    if (st == L2W_OK)
        st = l2w_db_exec(db, &d->mismatches, mismatches_sql, 1, mismatch_params, err);
    if (st == L2W_OK)
        st = l2w_db_exec(db, &d->list, list_sql, 5, list_params, err);
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

static void badge_cell(FILE *f, const char *cls, const char *text)
{
    fprintf(f, "<td><span class=\"%s\">", cls);
    l2w_html_put(f, text);
    fputs("</span></td>", f);
}

/* A link to this page with chain and check (both [a-z0-9_-], nothing to
 * percent-encode) and, when given, before. */
static void page_href(FILE *f, const char *chain, const char *check, const char *before_block,
                      const char *before_log)
{
    fputs("/rollups", f);
    char sep = '?';
    if (chain) {
        fprintf(f, "%cchain=", sep);
        l2w_html_put(f, chain);
        sep = '&';
    }
    if (check) {
        fputs(sep == '&' ? "&amp;" : "?", f);
        fprintf(f, "check=%s", check);
        sep = '&';
    }
    if (before_block) {
        fputs(sep == '&' ? "&amp;" : "?", f);
        fputs("before=", f);
        l2w_html_put(f, before_block);
        fputc('-', f);
        l2w_html_put(f, before_log);
    }
}

/* A count that links to the proposals it counts, or a plain 0. */
static void count_link(FILE *f, const PGresult *res, int row, int col, const char *chain, const char *check,
                       const char *cls)
{
    const char *n = PQgetvalue(res, row, col);
    fputs("<td class=\"num\">", f);
    if (strcmp(n, "0") == 0) {
        fputs("0", f);
    } else {
        fputs("<a href=\"", f);
        page_href(f, chain, check, NULL, NULL);
        fputs("\">", f);
        if (cls)
            fprintf(f, "<span class=\"%s\">", cls);
        l2w_html_put(f, n);
        if (cls)
            fputs("</span>", f);
        fputs("</a>", f);
    }
    fputs("</td>", f);
}

static void render_chains(FILE *f, const PGresult *res)
{
    fputs("<section><h2>Rollups</h2><div class=\"scroll\"><table id=\"rollups\">\n<thead><tr><th>L2</th>"
          "<th class=\"num\">L2 head</th><th class=\"num\">Proposals</th><th class=\"num\">Match</th>"
          "<th class=\"num\">Mismatch</th><th class=\"num\">Pending</th><th class=\"num\">Latest index</th>"
          "<th class=\"num\">Latest L2 block</th><th class=\"num\">Latest L1 block</th><th>Proposed</th>"
          "<th class=\"num\">Oldest pending L2 block</th></tr></thead><tbody>\n",
          f);
    int n = PQntuples(res);
    for (int i = 0; i < n; i++) {
        const char *chain = PQgetvalue(res, i, 0);
        fputs("<tr data-chain=\"", f);
        l2w_html_put(f, chain);
        fputs("\"><td><a href=\"", f);
        page_href(f, chain, NULL, NULL, NULL);
        fputs("\">", f);
        l2w_html_put(f, chain);
        fputs("</a></td>", f);
        l2w_html_cell(f, res, i, 1, "num");
        count_link(f, res, i, 2, chain, NULL, NULL);
        count_link(f, res, i, 3, chain, "match", NULL);
        count_link(f, res, i, 4, chain, "mismatch", "badge sev-critical");
        count_link(f, res, i, 5, chain, "pending", NULL);
        for (int c = 6; c <= 8; c++)
            l2w_html_cell(f, res, i, c, "num");
        l2w_html_cell(f, res, i, 9, NULL);
        l2w_html_cell(f, res, i, 10, "num");
        fputs("</tr>\n", f);
    }
    if (n == 0)
        l2w_html_empty_row(f, 11, "No L2 followed yet.");
    fputs("</tbody></table></div>\n<p class=\"muted\">A proposal is pending until the L2 block it names is "
          "reached and judged; dispute games are not followed by this release.</p></section>\n",
          f);
}

static void render_mismatches(FILE *f, const PGresult *res)
{
    fputs("<section><h2>Mismatches</h2><div class=\"scroll\"><table id=\"mismatches\">\n<thead><tr><th>L2</th>"
          "<th class=\"num\">Index</th><th class=\"num\">L2 block</th><th>Posted root</th><th>Recomputed root</th>"
          "<th class=\"num\">L1 block</th><th>Finding</th><th>Response</th></tr></thead><tbody>\n",
          f);
    int n = PQntuples(res);
    for (int i = 0; i < n; i++) {
        fputs("<tr>", f);
        l2w_html_cell(f, res, i, 0, NULL);
        l2w_html_cell(f, res, i, 1, "num");
        l2w_html_cell(f, res, i, 2, "num");
        l2w_html_cell(f, res, i, 3, "hash");
        l2w_html_cell(f, res, i, 4, "hash");
        l2w_html_cell(f, res, i, 5, "num");
        if (PQgetisnull(res, i, 6)) {
            l2w_html_cell(f, res, i, 6, NULL);
        } else {
            fputs("<td><a href=\"/findings/", f);
            l2w_html_put(f, PQgetvalue(res, i, 6));
            fputs("\">#", f);
            l2w_html_put(f, PQgetvalue(res, i, 6));
            fputs("</a> ", f);
            l2w_html_put(f, PQgetvalue(res, i, 7));
            fputs("</td>", f);
        }
        if (PQgetisnull(res, i, 8)) {
            l2w_html_cell(f, res, i, 8, NULL);
        } else {
            fputs("<td>", f);
            l2w_html_put(f, PQgetvalue(res, i, 8));
            fputs(" ", f);
            l2w_html_put(f, PQgetvalue(res, i, 9));
            if (!PQgetisnull(res, i, 10)) {
                fputs(" <span class=\"hash\">", f);
                l2w_html_put(f, PQgetvalue(res, i, 10));
                fputs("</span>", f);
            }
            fputs("</td>", f);
        }
        fputs("</tr>\n", f);
    }
    if (n == 0)
        l2w_html_empty_row(f, 8, "No mismatch: every judged root matched.");
    fputs("</tbody></table></div></section>\n", f);
}

/* The L2s offered are those of the Rollups table (chains_sql). */
static void render_filter_form(FILE *f, const PGresult *chains, const list_filter *q)
{
    static const char *const checks[] = {"match", "mismatch", "pending"};
    fputs("<form class=\"panel filters\" method=\"get\" action=\"/rollups\"><div class=\"fields\">"
          "<label>L2 <select name=\"chain\"><option value=\"\">any</option>",
          f);
    for (int i = 0; i < PQntuples(chains); i++) {
        const char *name = PQgetvalue(chains, i, 0);
        fputs(q->chain && strcmp(q->chain, name) == 0 ? "<option selected>" : "<option>", f);
        l2w_html_put(f, name);
        fputs("</option>", f);
    }
    fputs("</select></label><label>Check <select name=\"check\"><option value=\"\">any</option>", f);
    for (size_t i = 0; i < 3; i++)
        fprintf(f, "<option%s>%s</option>", q->check && strcmp(q->check, checks[i]) == 0 ? " selected" : "",
                checks[i]);
    fputs("</select></label></div><button type=\"submit\">Filter</button> <a href=\"/rollups\">clear</a></form>\n",
          f);
}

static void render_list(FILE *f, const PGresult *chains, const PGresult *res, const list_filter *q)
{
    fputs("<section><h2>Output proposals</h2>\n", f);
    render_filter_form(f, chains, q);
    fputs("<div class=\"scroll\"><table id=\"proposals\">\n<thead><tr><th>L2</th><th class=\"num\">Index</th>"
          "<th class=\"num\">L2 block</th><th>Output root</th><th>Check</th><th>Recomputed root</th>"
          "<th class=\"num\">L1 block</th><th>Checked</th><th>Note</th></tr></thead><tbody>\n",
          f);
    int n = PQntuples(res);
    for (int i = 0; i < n; i++) {
        fputs("<tr>", f);
        l2w_html_cell(f, res, i, 0, NULL);
        l2w_html_cell(f, res, i, 1, "num");
        l2w_html_cell(f, res, i, 2, "num");
        l2w_html_cell(f, res, i, 3, "hash");
        const char *check = PQgetvalue(res, i, 4);
        if (PQgetisnull(res, i, 10)) {
            badge_cell(f, check_class(check), check);
        } else {
            /* A mismatch links to its finding. */
            fputs("<td><a href=\"/findings/", f);
            l2w_html_put(f, PQgetvalue(res, i, 10));
            fprintf(f, "\"><span class=\"%s\">", check_class(check));
            l2w_html_put(f, check);
            fputs("</span></a></td>", f);
        }
        l2w_html_cell(f, res, i, 5, "hash");
        l2w_html_cell(f, res, i, 6, "num");
        l2w_html_cell(f, res, i, 8, NULL);
        l2w_html_cell(f, res, i, 9, NULL);
        fputs("</tr>\n", f);
    }
    if (n == 0)
        l2w_html_empty_row(f, 9, "No output proposals match.");
    fputs("</tbody></table></div>\n", f);
    if (n == PAGE_ROWS) {
        fputs("<p class=\"pager\"><a id=\"older\" href=\"", f);
        page_href(f, q->chain, q->check, PQgetvalue(res, n - 1, 6), PQgetvalue(res, n - 1, 7));
        fputs("\">Older proposals &rarr;</a></p>\n", f);
    }
    fputs("</section>\n", f);
}

static l2w_status render_page(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err)
{
    list_filter q;
    l2w_status st;
    if (!read_filter(resp, req, &q, &st))
        return st;
    page_data d = {0};
    st = load(&d, req, &q, err);
    bool db_down = l2w_html_page_db_unavailable(st);
    l2w_html_page page;
    if ((st == L2W_OK || db_down) && (st = l2w_html_page_open(&page, "rollups", "/rollups", NULL, true)) == L2W_OK) {
        if (db_down) {
            l2w_html_page_db_down(&page);
        } else {
            render_chains(page.f, d.chains);
            render_mismatches(page.f, d.mismatches);
            render_list(page.f, d.chains, d.list, &q);
        }
        st = l2w_html_page_respond(&page, resp, db_down, err);
    } else if (st == L2W_ERR_NOMEM && !err->msg[0]) {
        l2w_err_set(err, "rollups page: out of memory");
    }
    data_clear(&d);
    return st;
}

/* Kept for web.page_cache_ms when asked without a query string. */
l2w_status l2w_route_dashboard_rollups(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err)
{
    return l2w_page_cached(resp, req, render_page, err);
}
