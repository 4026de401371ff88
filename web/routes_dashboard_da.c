/* Data availability and liveness on the web: the figures of the da:
 * entries and liveness: series read from the store (shared with the JSON
 * API in web/routes_da.c and web/routes_liveness.c), and the dashboard's
 * "DA & liveness" page, GET /da, drawn from them and from the committees'
 * figures (web/routes_committees.h). Rendered on the server
 * like the overview: no script, no inline style (the CSP forbids both), the
 * interval chart an SVG coloured by the stylesheet. Every value from the
 * database is escaped; a server URL is shown only through
 * l2w_rpc_url_shown, which drops credentials, path and query. */

#include "web/page_cache.h"
#include "web/routes_dashboard_da.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/liveness_events.h"
#include "collector/rpc_url.h"
#include "web/html.h"
#include "web/html_page.h"
#include "web/routes.h"
#include "web/routes_committees.h"

#define ISO_FMT "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'"

/* ---- loading: da: entries ---- */

/* Counts scan the chain's commitments: one a batch, some hundred thousand
 * a year, which PostgreSQL counts in milliseconds. */
static const char entries_sql[] =
    "SELECT s.next_block::text, to_char(s.updated_at AT TIME ZONE 'UTC', " ISO_FMT "),"
    " c.total::text, c.pending::text, c.available::text, c.withheld::text, c.expired::text,"
    " c.keccak::text, c.blob::text, c.ch_active::text, c.ch_resolved::text, c.ch_expired::text,"
    " l.block_number::text, l.block_timestamp::text, '0x' || encode(l.tx_hash, 'hex'),"
    " (SELECT count(*) FROM findings f WHERE f.kind = 'data_withheld' AND f.chain = d.chain"
    "   AND f.status = 'open')::text,"
    " (SELECT count(*) FROM findings f WHERE f.kind = 'da_challenged' AND f.chain = d.chain"
    "   AND f.status = 'open')::text"
    " FROM unnest($1::text[]) WITH ORDINALITY AS d(chain, i)"
    " LEFT JOIN da_scan s ON s.chain = d.chain"
    " CROSS JOIN LATERAL (SELECT count(*) AS total,"
    "   count(*) FILTER (WHERE x.status = 'pending') AS pending,"
    "   count(*) FILTER (WHERE x.status = 'available') AS available,"
    "   count(*) FILTER (WHERE x.status = 'withheld') AS withheld,"
    "   count(*) FILTER (WHERE x.status = 'expired') AS expired,"
    "   count(*) FILTER (WHERE x.kind = 'keccak') AS keccak,"
    "   count(*) FILTER (WHERE x.kind = 'blob') AS blob,"
    "   count(*) FILTER (WHERE x.challenge_status = 1) AS ch_active,"
    "   count(*) FILTER (WHERE x.challenge_status = 2) AS ch_resolved,"
    "   count(*) FILTER (WHERE x.challenge_status = 3) AS ch_expired"
    "   FROM da_commitments x WHERE x.chain = d.chain) c"
    " LEFT JOIN LATERAL (SELECT x.block_number, x.block_timestamp, x.tx_hash FROM da_commitments x"
    "   WHERE x.chain = d.chain ORDER BY x.block_timestamp DESC, x.block_number DESC, x.id DESC LIMIT 1) l ON true"
    " ORDER BY d.i";

static l2w_status names_literal(char **out, const l2w_config *cfg)
{
    const char *names[L2W_MAX_DA];
    for (size_t i = 0; i < cfg->n_da; i++)
        names[i] = cfg->da[i].chain;
    return l2w_db_text_array_literal(out, names, cfg->n_da);
}

l2w_status l2w_web_da_load(l2w_web_da_data *out, l2w_db *db, const l2w_config *cfg, l2w_err *err)
{
    memset(out, 0, sizeof *out);
    if (cfg->n_da == 0)
        return L2W_OK;
    char *names;
    if (names_literal(&names, cfg) != L2W_OK) {
        l2w_err_set(err, "da: out of memory");
        return L2W_ERR_NOMEM;
    }
    const char *params[] = {names};
    l2w_status st = l2w_db_exec(db, &out->entries, entries_sql, 1, params, err);
    free(names);
    if (st == L2W_OK &&
        (PQntuples(out->entries) != (int)cfg->n_da || PQnfields(out->entries) != L2W_WD_COLUMNS)) {
        /* Anything else would pair a figure with the wrong chain. */
        l2w_err_set(err, "da: entries query answered %d rows of %d columns, expected %zu of %d",
                    PQntuples(out->entries), PQnfields(out->entries), cfg->n_da, L2W_WD_COLUMNS);
        st = L2W_ERR_DB;
    }
    if (st != L2W_OK)
        l2w_web_da_clear(out);
    return st;
}

void l2w_web_da_clear(l2w_web_da_data *d)
{
    PQclear(d->entries);
    memset(d, 0, sizeof *d);
}

/* ---- loading: commitments ---- */

/* The primary key serves both the order and the cursor. */
static const char commitments_sql[] =
    "SELECT id::text, chain, l1_chain, block_number::text, '0x' || encode(block_hash, 'hex'),"
    " block_timestamp::text, '0x' || encode(tx_hash, 'hex'), tx_index::text, kind,"
    " '0x' || encode(commitment, 'hex'), blob_index::text, status, attempts::text, data_bytes::text,"
    " served_by, last_error, finding_id::text, challenge_status::text, challenge_block::text,"
    " to_char(seen_at AT TIME ZONE 'UTC', " ISO_FMT "), to_char(checked_at AT TIME ZONE 'UTC', " ISO_FMT ")"
    " FROM da_commitments WHERE ($1::text IS NULL OR chain = $1::text) AND ($2::text IS NULL OR status = $2::text)"
    " AND ($3::bigint IS NULL OR id < $3::bigint)"
    " ORDER BY da_commitments.id DESC LIMIT $4::bigint + 1"; /* the column, not the text output named id */

l2w_status l2w_web_da_commitments_load(PGresult **out, l2w_db *db, const char *chain, const char *status,
                                       const int64_t *before, unsigned limit, l2w_err *err)
{
    *out = NULL;
    char before_text[24], limit_text[16];
    if (before)
        snprintf(before_text, sizeof before_text, "%lld", (long long)*before);
    snprintf(limit_text, sizeof limit_text, "%u", limit);
    const char *params[] = {chain, status, before ? before_text : NULL, limit_text};
    l2w_status st = l2w_db_exec(db, out, commitments_sql, 4, params, err);
    if (st == L2W_OK && PQnfields(*out) != L2W_WC_COLUMNS) {
        l2w_err_set(err, "da: commitments query answered %d columns", PQnfields(*out));
        PQclear(*out);
        *out = NULL;
        st = L2W_ERR_DB;
    }
    return st;
}

const char *l2w_web_challenge_name(int status)
{
    /* DataAvailabilityChallenge's ChallengeStatus, as sql/0008 pins it. */
    switch (status) {
    case 1: return "active";
    case 2: return "resolved";
    case 3: return "expired";
    }
    return NULL;
}

/* ---- loading: liveness series ---- */

const char *const l2w_web_liveness_limit_names[5] = {"max_interval_s", "min_gap_s", "min_samples", "window",
                                                     "z_threshold"};

unsigned l2w_web_liveness_defaulted(const l2w_liveness_series_config *sc)
{
    return (sc->max_interval_s ? 0u : 1u) | (sc->min_gap_s ? 0u : 2u) | (sc->min_samples ? 0u : 4u) |
           (sc->window ? 0u : 8u) | (sc->z_threshold ? 0u : 16u);
}

static const char open_gap_sql[] =
    "SELECT id::text, severity, title, to_char(detected_at AT TIME ZONE 'UTC', " ISO_FMT "),"
    " evidence->>'last_event_ts', evidence->>'gap_s'"
    " FROM findings WHERE kind = 'liveness_gap' AND subject = $1 AND status = 'open'"
    " ORDER BY findings.id DESC LIMIT 1";

void l2w_web_liveness_clear(l2w_web_liveness_series *s)
{
    free(s->intervals);
    PQclear(s->finding);
    memset(s, 0, sizeof *s);
}

/* The last want intervals of the replayed events, oldest first. */
static l2w_status take_intervals(l2w_web_liveness_series *out, const l2w_liveness_event *ev, size_t n, size_t want,
                                 l2w_err *err)
{
    size_t have = 0, from = n;
    while (from > 0 && have < want) {
        from--;
        have += ev[from].has_interval ? 1 : 0;
    }
    if (have == 0)
        return L2W_OK;
    out->intervals = calloc(have, sizeof *out->intervals);
    if (!out->intervals) {
        l2w_err_set(err, "liveness %s %s: out of memory", out->scfg->chain, out->scfg->kind);
        return L2W_ERR_NOMEM;
    }
    for (size_t i = from; i < n; i++) {
        if (!ev[i].has_interval)
            continue;
        out->intervals[out->n_intervals].ts = ev[i].ts;
        out->intervals[out->n_intervals].interval_s = ev[i].interval_s;
        out->n_intervals++;
    }
    return L2W_OK;
}

static l2w_status replay_series(l2w_web_liveness_series *out, l2w_db *db, size_t want, l2w_liveness *t,
                                l2w_liveness_event *ev, size_t max, l2w_err *err)
{
    const l2w_liveness_series_config *sc = out->scfg;
    size_t n = 0;
    l2w_status st = l2w_liveness_init(t, out->kind, &out->rule, err);
    if (st == L2W_OK)
        st = l2w_liveness_events_tail(db, ev, max, &n, sc->chain, out->kind, NULL, err);
    if (st != L2W_OK)
        return st;
    /* The band: the last window + 1 events, the guard's rebuild. */
    size_t tail = (size_t)out->rule.window + 1;
    size_t from = n > tail ? n - tail : 0;
    l2w_liveness_replay(t, ev + from, n - from);
    l2w_liveness_band_get(&out->band, t);
    for (size_t i = from; i < n; i++) {
        if (ev[i].observed) {
            out->has_last = true;
            out->last_ts = ev[i].ts;
        }
    }
    if (want == 0)
        return L2W_OK;
    /* Intervals from further back than the band's events: every event
     * read, replayed from the first. */
    if (from > 0) {
        if ((st = l2w_liveness_init(t, out->kind, &out->rule, err)) != L2W_OK)
            return st;
        l2w_liveness_replay(t, ev, n);
    }
    return take_intervals(out, ev, n, want, err);
}

l2w_status l2w_web_liveness_load(l2w_web_liveness_series *out, l2w_db *db, const l2w_liveness_series_config *sc,
                                 size_t want_intervals, l2w_err *err)
{
    memset(out, 0, sizeof *out);
    out->scfg = sc;
    if (!l2w_liveness_kind_parse(&out->kind, sc->kind)) {
        l2w_err_set(err, "liveness %s: kind %s has no stored events", sc->chain, sc->kind);
        return L2W_ERR_CONFIG;
    }
    l2w_liveness_series_rule(&out->rule, sc, out->kind);
    if (want_intervals > L2W_LIVENESS_WINDOW_MAX)
        want_intervals = L2W_LIVENESS_WINDOW_MAX;
    size_t max = (want_intervals > out->rule.window ? want_intervals : (size_t)out->rule.window) + 1;
    /* The tracker is some 8 KiB and the events up to 1025 rows: heap. */
    l2w_liveness *t = malloc(sizeof *t);
    l2w_liveness_event *ev = calloc(max, sizeof *ev);
    l2w_status st = L2W_OK;
    if (!t || !ev) {
        l2w_err_set(err, "liveness %s %s: out of memory", sc->chain, sc->kind);
        st = L2W_ERR_NOMEM;
    }
    if (st == L2W_OK)
        st = replay_series(out, db, want_intervals, t, ev, max, err);
    free(t);
    free(ev);
    char subject[160];
    if (st == L2W_OK)
        st = l2w_liveness_subject(subject, sizeof subject, sc->chain, out->kind, err);
    if (st == L2W_OK) {
        const char *params[] = {subject};
        st = l2w_db_exec(db, &out->finding, open_gap_sql, 1, params, err);
    }
    if (st == L2W_OK && PQnfields(out->finding) != L2W_WL_F_COLUMNS) {
        l2w_err_set(err, "liveness: open gap query answered %d columns", PQnfields(out->finding));
        st = L2W_ERR_DB;
    }
    if (st != L2W_OK)
        l2w_web_liveness_clear(out);
    return st;
}

/* ---- rendering ---- */

#define DASH_COMMITMENTS 20u
#define DASH_INTERVALS 60u

static const char *value(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

static void dash(FILE *f)
{
    fputs("<span class=\"muted\">&mdash;</span>", f);
}

/* "45 s", "20 min 34 s", "4 h 0 min", "2 d 3 h": an age at a glance; the
 * exact seconds go in the title beside it. */
static void age_text(char out[48], uint64_t s)
{
    unsigned long long v = s;
    if (v < 60)
        snprintf(out, 48, "%llu s", v);
    else if (v < 3600)
        snprintf(out, 48, "%llu min %llu s", v / 60, v % 60);
    else if (v < 86400)
        snprintf(out, 48, "%llu h %llu min", v / 3600, v % 3600 / 60);
    else
        snprintf(out, 48, "%llu d %llu h", v / 86400, v % 86400 / 3600);
}

static void unix_text(char out[32], uint64_t ts)
{
    time_t t = (time_t)ts;
    struct tm tm;
    out[0] = '\0';
    if (ts <= (uint64_t)INT64_MAX && gmtime_r(&t, &tm))
        strftime(out, 32, "%Y-%m-%d %H:%M:%SZ", &tm);
}

static uint64_t since(uint64_t now, uint64_t ts)
{
    return now > ts ? now - ts : 0;
}

/* A block time as a date, and the age beside it. */
static void time_and_age_cells(FILE *f, const char *ts_text, uint64_t now)
{
    if (!ts_text) {
        fputs("<td>", f);
        dash(f);
        fputs("</td><td class=\"num\">", f);
        dash(f);
        fputs("</td>", f);
        return;
    }
    uint64_t ts = strtoull(ts_text, NULL, 10);
    char when[32], age[48];
    unix_text(when, ts);
    age_text(age, since(now, ts));
    fputs("<td title=\"unix ", f);
    l2w_html_put(f, ts_text);
    fputs("\">", f);
    l2w_html_put(f, when);
    fprintf(f, "</td><td class=\"num age\" title=\"%llu s\">%s</td>", (unsigned long long)since(now, ts), age);
}

static void count_cell(FILE *f, const char *n, const char *alarm_cls)
{
    bool alarm = alarm_cls && n && strcmp(n, "0") != 0;
    fputs("<td class=\"num\">", f);
    if (alarm)
        fprintf(f, "<span class=\"%s\">", alarm_cls);
    l2w_html_put(f, n ? n : "0");
    if (alarm)
        fputs("</span>", f);
    fputs("</td>", f);
}

static void shown_urls(FILE *f, char *const *urls, size_t n)
{
    for (size_t j = 0; j < n; j++) {
        char shown[L2W_RPC_URL_SHOWN_MAX];
        l2w_rpc_url_shown(shown, sizeof shown, urls[j]);
        fputs(j ? "<br>" : "", f);
        l2w_html_put(f, shown);
    }
}

static void render_da(FILE *f, const l2w_config *cfg, const l2w_web_da_data *d, uint64_t now)
{
    fputs("<section><h2>Data availability</h2>\n", f);
    if (cfg->n_da == 0 || !d->entries) {
        fputs("<p class=\"muted\">No da: entries configured.</p></section>\n", f);
        return;
    }
    fputs("<table class=\"da\">\n<thead><tr><th>Chain</th><th>Sources</th><th class=\"num\">Scanned through</th>"
          "<th class=\"num\">Commitments</th><th class=\"num\">Pending</th><th class=\"num\">Available</th>"
          "<th class=\"num\">Withheld</th><th class=\"num\">Expired</th><th class=\"num\">Keccak</th>"
          "<th class=\"num\">Blob</th><th class=\"num\">Challenged</th><th class=\"num\">Last posting</th>"
          "<th>Posted</th><th class=\"num\">Age</th><th>Open findings</th></tr></thead><tbody>\n",
          f);
    const PGresult *res = d->entries;
    for (size_t i = 0; i < cfg->n_da; i++) {
        const l2w_da_config *da = &cfg->da[i];
        const l2w_chain_config *ch = l2w_config_chain(cfg, da->chain);
        int row = (int)i;
        fputs("<tr data-da=\"", f);
        l2w_html_put(f, da->chain);
        fputs("\"><td><strong>", f);
        l2w_html_put(f, da->chain);
        fputs("</strong><br><span class=\"muted\">inbox on ", f);
        l2w_html_put(f, ch && ch->l1 ? ch->l1 : "?");
        fputs("</span></td><td class=\"hash\">", f);
        shown_urls(f, da->servers, da->n_servers);
        fputs(da->n_servers && da->n_beacon_urls ? "<br>" : "", f);
        shown_urls(f, da->beacon_urls, da->n_beacon_urls);
        fputs("</td>", f);
        const char *next = value(res, row, L2W_WD_SCAN_NEXT);
        if (next && strcmp(next, "0") != 0) {
            fprintf(f, "<td class=\"num\" title=\"next block %lld\">%lld</td>", strtoll(next, NULL, 10),
                    strtoll(next, NULL, 10) - 1);
        } else {
            fputs("<td class=\"num\">", f);
            dash(f);
            fputs("</td>", f);
        }
        count_cell(f, value(res, row, L2W_WD_TOTAL), NULL);
        count_cell(f, value(res, row, L2W_WD_PENDING), NULL);
        count_cell(f, value(res, row, L2W_WD_AVAILABLE), NULL);
        count_cell(f, value(res, row, L2W_WD_WITHHELD), "badge sev-critical");
        count_cell(f, value(res, row, L2W_WD_EXPIRED), NULL);
        count_cell(f, value(res, row, L2W_WD_KECCAK), NULL);
        count_cell(f, value(res, row, L2W_WD_BLOB), NULL);
        count_cell(f, value(res, row, L2W_WD_CH_ACTIVE), "badge sev-high");
        l2w_html_cell(f, res, row, L2W_WD_LAST_BLOCK, "num");
        time_and_age_cells(f, value(res, row, L2W_WD_LAST_TS), now);
        fputs("<td>", f);
        bool any = false;
        static const struct {
            int col;
            const char *kind;
        } open[] = {{L2W_WD_OPEN_WITHHELD, "data_withheld"}, {L2W_WD_OPEN_CHALLENGED, "da_challenged"}};
        for (size_t k = 0; k < sizeof open / sizeof open[0]; k++) {
            const char *n = value(res, row, open[k].col);
            if (!n || strcmp(n, "0") == 0)
                continue;
            fprintf(f, "<a class=\"badge sev-high\" href=\"/api/v1/findings?status=open\">%s &times;", open[k].kind);
            l2w_html_put(f, n);
            fputs("</a> ", f);
            any = true;
        }
        if (!any)
            dash(f);
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody></table></section>\n", f);
}

static const char *status_class(const char *status)
{
    if (strcmp(status, "withheld") == 0)
        return "badge sev-critical";
    if (strcmp(status, "available") == 0)
        return "badge ok";
    if (strcmp(status, "expired") == 0)
        return "badge sev-medium";
    return "badge muted";
}

static void render_commitments(FILE *f, const l2w_config *cfg, const PGresult *res)
{
    if (cfg->n_da == 0 && PQntuples(res) == 0)
        return;
    fputs("<section><h2>Recent commitments</h2><table class=\"commitments\">\n<thead><tr><th>Chain</th>"
          "<th class=\"num\">L1 block</th><th>Posted</th><th>Transaction</th><th>Commitment</th><th>Kind</th>"
          "<th>Status</th><th class=\"num\">Attempts</th><th>Served by</th><th>Last error</th><th>Challenge</th>"
          "<th>Finding</th></tr></thead><tbody>\n",
          f);
    int n = PQntuples(res);
    if (n > (int)DASH_COMMITMENTS)
        n = (int)DASH_COMMITMENTS; /* the page's extra row */
    for (int i = 0; i < n; i++) {
        const char *status = PQgetvalue(res, i, L2W_WC_STATUS);
        bool withheld = strcmp(status, "withheld") == 0;
        fputs("<tr data-commitment=\"", f);
        l2w_html_put(f, PQgetvalue(res, i, L2W_WC_ID));
        fputs(withheld ? "\" class=\"withheld\">" : "\">", f);
        l2w_html_cell(f, res, i, L2W_WC_CHAIN, NULL);
        l2w_html_cell(f, res, i, L2W_WC_BLOCK, "num");
        char when[32];
        unix_text(when, strtoull(PQgetvalue(res, i, L2W_WC_BLOCK_TS), NULL, 10));
        fputs("<td>", f);
        l2w_html_put(f, when);
        fputs("</td>", f);
        l2w_html_cell(f, res, i, L2W_WC_TX, "hash");
        l2w_html_cell(f, res, i, L2W_WC_COMMITMENT, "hash");
        fputs("<td>", f);
        l2w_html_put(f, PQgetvalue(res, i, L2W_WC_KIND));
        if (strcmp(PQgetvalue(res, i, L2W_WC_KIND), "blob") == 0) {
            fputs(" #", f);
            l2w_html_put(f, PQgetvalue(res, i, L2W_WC_BLOB_INDEX));
        }
        fprintf(f, "</td><td><span class=\"%s\">", status_class(status));
        l2w_html_put(f, status);
        fputs("</span></td>", f);
        l2w_html_cell(f, res, i, L2W_WC_ATTEMPTS, "num");
        const char *served = value(res, i, L2W_WC_SERVED_BY);
        fputs("<td class=\"hash\">", f);
        if (served) {
            char shown[L2W_RPC_URL_SHOWN_MAX];
            l2w_rpc_url_shown(shown, sizeof shown, served);
            l2w_html_put(f, shown);
        } else {
            dash(f);
        }
        fputs("</td>", f);
        l2w_html_cell(f, res, i, L2W_WC_LAST_ERROR, NULL);
        const char *ch = value(res, i, L2W_WC_CHALLENGE);
        const char *ch_name = ch ? l2w_web_challenge_name(atoi(ch)) : NULL;
        fputs("<td>", f);
        if (ch_name) {
            fprintf(f, "<span class=\"%s\">%s</span>",
                    strcmp(ch_name, "active") == 0 ? "badge sev-high" : "badge muted", ch_name);
            const char *cb = value(res, i, L2W_WC_CHALLENGE_BLOCK);
            if (cb) {
                fputs(" <span class=\"muted\">block ", f);
                l2w_html_put(f, cb);
                fputs("</span>", f);
            }
        } else {
            dash(f);
        }
        fputs("</td>", f);
        const char *finding = value(res, i, L2W_WC_FINDING);
        fputs("<td>", f);
        if (finding) {
            fputs("<a href=\"/findings/", f);
            l2w_html_put(f, finding);
            fputs("\">#", f);
            l2w_html_put(f, finding);
            fputs("</a>", f);
        } else {
            dash(f);
        }
        fputs("</td></tr>\n", f);
    }
    if (n == 0)
        l2w_html_empty_row(f, 12, "No commitments seen yet.");
    fputs("</tbody></table></section>\n", f);
}

static const char *committee_result_class(const char *result)
{
    for (size_t i = 0; i < L2W_WEB_COMMITTEE_RESULTS; i++)
        if (l2w_web_committee_results[i].failed && strcmp(result, l2w_web_committee_results[i].name) == 0)
            return "badge sev-high";
    if (strcmp(result, "ok") == 0)
        return "badge ok";
    if (strcmp(result, "unreadable") == 0)
        return "badge sev-medium";
    return "badge muted";
}

/* Failed: every verdict that raises committee_threshold_missed, summed
 * from the list so that a verdict added to it is counted here too. */
static void committee_count_cells(FILE *f, const PGresult *res, int row)
{
    unsigned long long failed = 0;
    for (int i = 0; i < L2W_WEB_COMMITTEE_RESULTS; i++) {
        const char *n = value(res, row, L2W_WK_COUNT + i);
        if (l2w_web_committee_results[i].failed && n)
            failed += strtoull(n, NULL, 10);
    }
    char failed_text[24];
    snprintf(failed_text, sizeof failed_text, "%llu", failed);
    count_cell(f, value(res, row, L2W_WK_TOTAL), NULL);
    count_cell(f, value(res, row, L2W_WK_COUNT + L2W_WEB_CR_OK), NULL);
    count_cell(f, failed_text, "badge sev-high");
    count_cell(f, value(res, row, L2W_WK_COUNT + L2W_WEB_CR_NOT_SIGNED), NULL);
    count_cell(f, value(res, row, L2W_WK_COUNT + L2W_WEB_CR_UNREADABLE), "badge sev-medium");
}

static void render_committees(FILE *f, const l2w_config *cfg, const PGresult *res, uint64_t now)
{
    fputs("<section><h2>Committees</h2>\n", f);
    if (cfg->n_committees == 0 || !res) {
        fputs("<p class=\"muted\">No committees configured.</p></section>\n", f);
        return;
    }
    fputs("<table class=\"committees\">\n<thead><tr><th>Chain</th><th class=\"num\">Signatures required</th>"
          "<th class=\"num\">Checks</th><th class=\"num\">OK</th><th class=\"num\">Failed</th>"
          "<th class=\"num\">Not signed</th><th class=\"num\">Unreadable</th><th class=\"num\">Last batch</th>"
          "<th>Result</th><th>Checked</th><th class=\"num\">Age</th><th>Open findings</th></tr></thead><tbody>\n",
          f);
    for (size_t i = 0; i < cfg->n_committees; i++) {
        const l2w_committee_config *m = &cfg->committees[i];
        int row = (int)i;
        fputs("<tr data-committee=\"", f);
        l2w_html_put(f, m->chain);
        fputs("\"><td><strong>", f);
        l2w_html_put(f, m->chain);
        fputs("</strong><br><span class=\"muted\">on ", f);
        l2w_html_put(f, m->l1);
        fprintf(f, "</span></td><td class=\"num\">%u <span class=\"muted\">of %zu</span></td>", m->threshold,
                m->n_members);
        committee_count_cells(f, res, row);
        l2w_html_cell(f, res, row, L2W_WK_LAST_BATCH, "num");
        const char *result = value(res, row, L2W_WK_LAST_RESULT);
        fputs("<td>", f);
        if (result) {
            fprintf(f, "<span class=\"%s\">", committee_result_class(result));
            l2w_html_put(f, result);
            fputs("</span>", f);
        } else {
            dash(f);
        }
        fputs("</td>", f);
        time_and_age_cells(f, value(res, row, L2W_WK_LAST_CHECKED), now);
        const char *open = value(res, row, L2W_WK_OPEN_FINDINGS);
        fputs("<td>", f);
        if (open && strcmp(open, "0") != 0) {
            fputs("<a class=\"badge sev-high\" href=\"/api/v1/findings?status=open\">committee_threshold_missed "
                  "&times;",
                  f);
            l2w_html_put(f, open);
            fputs("</a>", f);
        } else {
            dash(f);
        }
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody></table></section>\n", f);
}

/* The interval chart's size in pixels and its margin. */
#define CHART_W 240
#define CHART_H 48
#define CHART_PAD 2

/* Whether an interval this long would have raised an alert: the band's
 * high is reached (z rule) or passed (max_interval_s). */
static bool over_band(const l2w_web_liveness_series *s, uint64_t interval)
{
    double v = (double)interval;
    return v > s->band.high || (v >= s->band.high && s->band.high < (double)s->rule.max_interval_s);
}

/* One bar per interval, oldest at the left, on a scale that holds the
 * largest of them and the band's high; the band (mean to high) a shaded
 * strip behind them, high a dashed line. Coordinates are computed here;
 * the stylesheet colours them (no inline style). */
static void chart_cell(FILE *f, const l2w_web_liveness_series *s)
{
    fputs("<td class=\"chart\">", f);
    if (s->n_intervals == 0) {
        dash(f);
        fputs("</td>", f);
        return;
    }
    double top = s->band.high;
    for (size_t i = 0; i < s->n_intervals; i++)
        if ((double)s->intervals[i].interval_s > top)
            top = (double)s->intervals[i].interval_s;
    top = top > 0 ? top * 1.1 : 1.0;
    double inner_w = CHART_W - 2 * CHART_PAD, inner_h = CHART_H - 2 * CHART_PAD;
    double slot = inner_w / (double)(s->n_intervals > DASH_INTERVALS / 2 ? s->n_intervals : DASH_INTERVALS / 2);
#define Y(v) (CHART_H - CHART_PAD - (v) / top * inner_h)
    fprintf(f, "<svg class=\"intervals\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" "
               "aria-label=\"last intervals against the alert band\"><title>%zu interval%s; mean %.1f s; alert at "
               "%.1f s</title>",
            CHART_W, CHART_H, CHART_W, CHART_H, s->n_intervals, s->n_intervals == 1 ? "" : "s", s->band.mean,
            s->band.high);
    double y_high = Y(s->band.high), y_low = Y(s->band.low);
    /* low is above high only when the mean passes max_interval_s. */
    double y_top = y_high < y_low ? y_high : y_low, y_bottom = y_high < y_low ? y_low : y_high;
    if (s->band.samples > 0)
        fprintf(f, "<rect class=\"iv-band\" x=\"%d\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>", CHART_PAD, y_top,
                inner_w, y_bottom - y_top);
    for (size_t i = 0; i < s->n_intervals; i++) {
        uint64_t v = s->intervals[i].interval_s;
        double y = Y((double)v);
        fprintf(f, "<rect class=\"iv-bar%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"><title>%llu s</title>"
                   "</rect>",
                over_band(s, v) ? " over" : "", CHART_PAD + (double)i * slot + slot * 0.1, y, slot * 0.8,
                CHART_H - CHART_PAD - y, (unsigned long long)v);
    }
    fprintf(f, "<line class=\"iv-high\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>", CHART_PAD, y_high,
            CHART_W - CHART_PAD, y_high);
    if (s->band.samples > 0)
        fprintf(f, "<line class=\"iv-low\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>", CHART_PAD, y_low,
                CHART_W - CHART_PAD, y_low);
#undef Y
    fputs("</svg></td>", f);
}

static void band_cells(FILE *f, const l2w_web_liveness_series *s)
{
    const l2w_liveness_band *b = &s->band;
    if (b->samples > 0)
        fprintf(f, "<td class=\"num mean\" title=\"over the last %u interval%s\">%.1f s</td>", b->samples,
                b->samples == 1 ? "" : "s", b->mean);
    else
        fputs("<td class=\"num mean\"><span class=\"muted\">&mdash;</span></td>", f);
    if (b->statistical)
        fprintf(f, "<td class=\"num threshold\" title=\"mean + %g &times; stddev %.1f s, within min_gap_s %llu and "
                   "max_interval_s %llu\">%.1f s</td>",
                s->rule.z_threshold, b->stddev, (unsigned long long)s->rule.min_gap_s,
                (unsigned long long)s->rule.max_interval_s, b->high);
    else
        fprintf(f, "<td class=\"num threshold\" title=\"max_interval_s: the z rule needs %u intervals\">%.1f s</td>",
                s->rule.min_samples, b->high);
    fprintf(f, "<td class=\"num\">%u <span class=\"muted\">/ %u</span></td>", b->samples, s->rule.min_samples);
}

static void finding_cell(FILE *f, const PGresult *res)
{
    fputs("<td>", f);
    if (!res || PQntuples(res) == 0) {
        dash(f);
        fputs("</td>", f);
        return;
    }
    fprintf(f, "<a class=\"%s\" href=\"/findings/", l2w_html_severity_class(PQgetvalue(res, 0, L2W_WL_F_SEVERITY)));
    l2w_html_put(f, PQgetvalue(res, 0, L2W_WL_F_ID));
    fputs("\" title=\"", f);
    l2w_html_put(f, PQgetvalue(res, 0, L2W_WL_F_TITLE));
    fputs("\">gap ", f);
    l2w_html_put(f, PQgetvalue(res, 0, L2W_WL_F_SEVERITY));
    fputs("</a></td>", f);
}

static void render_liveness(FILE *f, const l2w_config *cfg, const l2w_web_liveness_series *series, uint64_t now)
{
    fputs("<section><h2>Liveness</h2>\n", f);
    if (cfg->n_liveness == 0) {
        fputs("<p class=\"muted\">No liveness: series configured.</p></section>\n", f);
        return;
    }
    fputs("<table class=\"liveness\">\n<thead><tr><th>Chain</th><th>Series</th><th>Last event</th>"
          "<th class=\"num\">Age</th><th class=\"num\">Mean interval</th><th class=\"num\">Alert at</th>"
          "<th class=\"num\">Samples</th><th>Open gap</th><th>Last intervals</th></tr></thead><tbody>\n",
          f);
    for (size_t i = 0; i < cfg->n_liveness; i++) {
        const l2w_web_liveness_series *s = &series[i];
        fputs("<tr data-series=\"", f);
        l2w_html_put(f, s->scfg->chain);
        fputc(':', f);
        l2w_html_put(f, s->scfg->kind);
        fputs("\"><td>", f);
        l2w_html_put(f, s->scfg->chain);
        fputs("</td><td>", f);
        l2w_html_put(f, s->scfg->kind);
        fputs("</td>", f);
        char ts[24];
        snprintf(ts, sizeof ts, "%llu", (unsigned long long)s->last_ts);
        time_and_age_cells(f, s->has_last ? ts : NULL, now);
        band_cells(f, s);
        finding_cell(f, s->finding);
        chart_cell(f, s);
        fputs("</tr>\n", f);
    }
    fputs("</tbody></table></section>\n", f);
}

/* ---- GET /da ---- */

typedef struct {
    l2w_web_da_data da;
    PGresult *commitments;
    PGresult *committees;            /* NULL without committees: entries */
    l2w_web_liveness_series *series; /* cfg->n_liveness of them */
} page_data;

static void page_clear(page_data *d, size_t n_series)
{
    l2w_web_da_clear(&d->da);
    PQclear(d->commitments);
    PQclear(d->committees);
    for (size_t i = 0; d->series && i < n_series; i++)
        l2w_web_liveness_clear(&d->series[i]);
    free(d->series);
    memset(d, 0, sizeof *d);
}

static l2w_status page_load(page_data *d, const l2w_web_request *req, l2w_err *err)
{
    const l2w_config *cfg = req->cfg;
    if (cfg->n_liveness > 0 && !(d->series = calloc(cfg->n_liveness, sizeof *d->series))) {
        l2w_err_set(err, "da page: out of memory");
        return L2W_ERR_NOMEM;
    }
    l2w_db *db;
    l2w_status st = l2w_db_pool_acquire(req->pool, &db, L2W_WEB_DB_WAIT_MS, err);
    if (st != L2W_OK)
        return st;
    st = l2w_web_da_load(&d->da, db, cfg, err);
    if (st == L2W_OK)
        st = l2w_web_da_commitments_load(&d->commitments, db, NULL, NULL, NULL, DASH_COMMITMENTS, err);
    if (st == L2W_OK)
        st = l2w_web_committees_load(&d->committees, db, cfg, err);
    for (size_t i = 0; st == L2W_OK && i < cfg->n_liveness; i++)
        st = l2w_web_liveness_load(&d->series[i], db, &cfg->liveness[i], DASH_INTERVALS, err);
    l2w_db_pool_release(req->pool, db);
    return st;
}

static l2w_status render_page(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err)
{
    page_data d = {0};
    l2w_status st = page_load(&d, req, err);
    bool db_down = l2w_html_page_db_unavailable(st);
    l2w_html_page page;
    if ((st == L2W_OK || db_down) && (st = l2w_html_page_open(&page, "DA &amp; liveness", "/da", NULL, true)) == L2W_OK) {
        const l2w_config *cfg = req->cfg;
        uint64_t now = (uint64_t)time(NULL);
        if (db_down) {
            l2w_html_page_db_down(&page);
        } else {
            render_da(page.f, cfg, &d.da, now);
            render_commitments(page.f, cfg, d.commitments);
            render_committees(page.f, cfg, d.committees, now);
            render_liveness(page.f, cfg, d.series, now);
        }
        st = l2w_html_page_respond(&page, resp, db_down, err);
    } else if (st == L2W_ERR_NOMEM && !err->msg[0]) {
        l2w_err_set(err, "da page: out of memory");
    }
    page_clear(&d, req->cfg->n_liveness);
    return st;
}

/* Kept for web.page_cache_ms when asked without a query string. */
l2w_status l2w_route_dashboard_da(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err)
{
    return l2w_page_cached(resp, req, render_page, err);
}
