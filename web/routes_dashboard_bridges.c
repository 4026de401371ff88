/* The bridge guard on the web: the figures of every configured bridge read
 * in three queries, and the dashboard's Bridges section drawn from them
 * (the JSON API in web/routes_bridges.c reads the same figures). Everything
 * from the database is escaped; so is the config's token symbol, which may
 * hold any printable character but a quote. */

#include "web/routes_dashboard_bridges.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/hex.h"
#include "web/html.h"

/* ---- loading ---- */

/* Per token: the bridge_status row, the latest sample, the window's peak
 * and this interval's outflow. The window is the detector's
 * (detectors/escrow_drawdown.h): it ends at the latest sample, and the last
 * sample at or before its start stands for the balance when it opened (with
 * none that old, the oldest sample does). Intervals are aligned to the unix
 * epoch, as the outflow detector counts them. Open findings count when
 * their subject or their evidence names the bridge and token. */
static const char tokens_sql[] =
    "WITH c AS ("
    " SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[])"
    "  WITH ORDINALITY AS c(bridge, token, window_s, interval_s, i)"
    "), l AS ("
    " SELECT c.*, s.block_number AS last_block, s.block_timestamp AS last_ts, s.balance AS latest"
    " FROM c LEFT JOIN LATERAL (SELECT e.block_number, e.block_timestamp, e.balance FROM escrow_samples e"
    "  WHERE e.bridge = c.bridge AND e.token = c.token ORDER BY e.block_number DESC LIMIT 1) s ON true"
    "), w AS ("
    " SELECT l.*,"
    "  (SELECT max(e.balance) FROM escrow_samples e WHERE e.bridge = l.bridge AND e.token = l.token"
    "   AND e.block_number >= coalesce((SELECT max(o.block_number) FROM escrow_samples o"
    "    WHERE o.bridge = l.bridge AND o.token = l.token"
    "    AND o.block_timestamp <= greatest(l.last_ts - l.window_s, 0)), 0)) AS peak,"
    "  l.last_ts / nullif(l.interval_s, 0) * l.interval_s AS interval_start"
    " FROM l"
    ")"
    " SELECT st.escrow::text, st.escrow_block::text, st.supply::text, st.supply_block::text,"
    "  CASE WHEN st.escrow > 0 THEN div(st.supply * 10000, st.escrow) END::text,"
    "  w.last_block::text, w.last_ts::text, w.latest::text, w.peak::text,"
    "  CASE WHEN w.peak > 0 THEN div((w.peak - w.latest) * 10000, w.peak)"
    "       WHEN w.peak IS NOT NULL THEN 0 END::text,"
    "  w.interval_start::text,"
    "  (SELECT sum(e.outflow) FROM escrow_samples e WHERE e.bridge = w.bridge AND e.token = w.token"
    "   AND e.block_timestamp >= w.interval_start AND e.block_timestamp < w.interval_start + w.interval_s)::text,"
    "  (SELECT coalesce(json_object_agg(k.kind, k.n ORDER BY k.kind), '{}'::json) FROM"
    "   (SELECT f.kind, count(*) AS n FROM findings f WHERE f.status = 'open'"
    "    AND (f.subject = 'bridge:' || w.bridge || ':' || w.token"
    "         OR (f.evidence->>'bridge' = w.bridge AND f.evidence->>'token' = w.token))"
    "    GROUP BY f.kind) k)::text"
    " FROM w LEFT JOIN bridge_status st ON st.bridge = w.bridge AND st.token = w.token"
    " ORDER BY w.i";

/* The bridge guard keeps the pause state in the row of token '*'. A finding
 * about a token the config does not list (a forged release of something
 * else) still counts for its bridge here. */
static const char bridges_sql[] =
    "SELECT st.paused,"
    " (SELECT coalesce(json_object_agg(k.kind, k.n ORDER BY k.kind), '{}'::json) FROM"
    "  (SELECT f.kind, count(*) AS n FROM findings f WHERE f.status = 'open'"
    "   AND (f.evidence->>'bridge' = b.name OR starts_with(f.subject, 'bridge:' || b.name || ':'))"
    "   GROUP BY f.kind) k)::text"
    " FROM unnest($1::text[]) WITH ORDINALITY AS b(name, i)"
    " LEFT JOIN bridge_status st ON st.bridge = b.name AND st.token = '*'"
    " ORDER BY b.i";

/* Chart coordinates are scaled here, in numeric, because balances can pass
 * what a double holds exactly and the chart must not invent a movement. */
#define STR_(x) #x
#define STR(x) STR_(x)
static const char series_sql[] =
    "WITH c AS (SELECT * FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS c(bridge, token, i)),"
    " s AS ("
    " SELECT c.i, e.block_number, e.block_timestamp, e.balance FROM c CROSS JOIN LATERAL ("
    "  SELECT x.block_number, x.block_timestamp, x.balance FROM escrow_samples x"
    "  WHERE x.bridge = c.bridge AND x.token = c.token AND x.block_timestamp >= ("
    "   SELECT m.block_timestamp FROM escrow_samples m WHERE m.bridge = c.bridge AND m.token = c.token"
    "   ORDER BY m.block_number DESC LIMIT 1) - " STR(L2W_WB_SERIES_SECONDS)
    "  ORDER BY x.block_number DESC LIMIT " STR(L2W_WB_SERIES_MAX) ") e"
    "), r AS ("
    " SELECT s.*, min(block_timestamp) OVER p AS t0, max(block_timestamp) OVER p AS t1,"
    "  min(balance) OVER p AS lo, max(balance) OVER p AS hi FROM s WINDOW p AS (PARTITION BY i)"
    ")"
    " SELECT (i - 1)::text, block_number::text, balance::text,"
    "  CASE WHEN t1 > t0 THEN (block_timestamp - t0) * 1000 / (t1 - t0) ELSE 1000 END::text,"
    "  CASE WHEN hi > lo THEN div((balance - lo) * 1000, hi - lo) END::text"
    " FROM r ORDER BY i, block_number";

void l2w_web_bridge_token_key(char out[L2W_WB_TOKEN_KEY_LEN], const l2w_bridge_token *t)
{
    if (t->native)
        snprintf(out, L2W_WB_TOKEN_KEY_LEN, "native");
    else
        l2w_addr_to_hex(out, &t->address);
}

/* A PostgreSQL array literal of the strings produced by item(cfg, i, j, buf)
 * for every token (per_token) or every bridge. Elements are quoted so no
 * value can change the array's shape. */
typedef void (*array_item)(char *buf, size_t size, const l2w_bridge_config *b, size_t token);

static l2w_status array_literal(char **out, const l2w_config *cfg, bool per_token, array_item item)
{
    *out = NULL;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return L2W_ERR_NOMEM;
    fputc('{', f);
    bool first = true;
    for (size_t i = 0; i < cfg->n_bridges; i++) {
        const l2w_bridge_config *b = &cfg->bridges[i];
        for (size_t j = 0; j < (per_token ? b->n_tokens : 1); j++) {
            char v[64];
            item(v, sizeof v, b, j);
            fputs(first ? "\"" : ",\"", f);
            for (const char *p = v; *p; p++) {
                if (*p == '"' || *p == '\\')
                    fputc('\\', f);
                fputc(*p, f);
            }
            fputc('"', f);
            first = false;
        }
    }
    fputc('}', f);
    bool failed = ferror(f) != 0;
    if (fclose(f) != 0 || failed) {
        free(buf);
        return L2W_ERR_NOMEM;
    }
    *out = buf;
    return L2W_OK;
}

static void item_name(char *buf, size_t size, const l2w_bridge_config *b, size_t token)
{
    (void)token;
    snprintf(buf, size, "%s", b->name);
}

static void item_token(char *buf, size_t size, const l2w_bridge_config *b, size_t token)
{
    char key[L2W_WB_TOKEN_KEY_LEN];
    l2w_web_bridge_token_key(key, &b->tokens[token]);
    snprintf(buf, size, "%s", key);
}

static void item_window(char *buf, size_t size, const l2w_bridge_config *b, size_t token)
{
    (void)token;
    snprintf(buf, size, "%u", (unsigned)b->drawdown_window_s);
}

static void item_interval(char *buf, size_t size, const l2w_bridge_config *b, size_t token)
{
    (void)token;
    snprintf(buf, size, "%u", (unsigned)b->outflow_interval_s);
}

void l2w_web_bridges_clear(l2w_web_bridge_data *d)
{
    PQclear(d->tokens);
    PQclear(d->bridges);
    PQclear(d->series);
    memset(d, 0, sizeof *d);
}

/* The query answered one row per configured token or bridge: anything else
 * would pair a figure with the wrong name. */
static l2w_status check_rows(const PGresult *res, size_t want, int columns, const char *what, l2w_err *err)
{
    if (PQntuples(res) == (int)want && PQnfields(res) == columns)
        return L2W_OK;
    l2w_err_set(err, "bridges: %s query answered %d rows of %d columns, expected %zu of %d", what, PQntuples(res),
                PQnfields(res), want, columns);
    return L2W_ERR_DB;
}

l2w_status l2w_web_bridges_load(l2w_web_bridge_data *out, l2w_db *db, const l2w_config *cfg, bool with_series,
                                l2w_err *err)
{
    memset(out, 0, sizeof *out);
    if (cfg->n_bridges == 0)
        return L2W_OK;
    size_t n_tokens = 0;
    for (size_t i = 0; i < cfg->n_bridges; i++)
        n_tokens += cfg->bridges[i].n_tokens;
    char *names = NULL, *token_bridges = NULL, *tokens = NULL, *windows = NULL, *intervals = NULL;
    l2w_status st = array_literal(&names, cfg, false, item_name);
    if (st == L2W_OK)
        st = array_literal(&token_bridges, cfg, true, item_name);
    if (st == L2W_OK)
        st = array_literal(&tokens, cfg, true, item_token);
    if (st == L2W_OK)
        st = array_literal(&windows, cfg, true, item_window);
    if (st == L2W_OK)
        st = array_literal(&intervals, cfg, true, item_interval);
    if (st != L2W_OK)
        l2w_err_set(err, "bridges: out of memory");
    const char *tparams[] = {token_bridges, tokens, windows, intervals};
    const char *bparams[] = {names};
    if (st == L2W_OK)
        st = l2w_db_exec(db, &out->tokens, tokens_sql, 4, tparams, err);
    if (st == L2W_OK)
        st = check_rows(out->tokens, n_tokens, L2W_WB_TOKEN_COLUMNS, "token", err);
    if (st == L2W_OK)
        st = l2w_db_exec(db, &out->bridges, bridges_sql, 1, bparams, err);
    if (st == L2W_OK)
        st = check_rows(out->bridges, cfg->n_bridges, L2W_WB_BRIDGE_COLUMNS, "bridge", err);
    if (st == L2W_OK && with_series) {
        st = l2w_db_exec(db, &out->series, series_sql, 2, tparams, err);
        if (st == L2W_OK && PQnfields(out->series) != L2W_WB_SERIES_COLUMNS) {
            l2w_err_set(err, "bridges: series query answered %d columns", PQnfields(out->series));
            st = L2W_ERR_DB;
        }
    }
    if (st != L2W_OK)
        l2w_web_bridges_clear(out);
    free(names);
    free(token_bridges);
    free(tokens);
    free(windows);
    free(intervals);
    return st;
}

/* ---- text ---- */

void l2w_web_decimal_point(char *out, size_t size, const char *digits, unsigned places, bool trim)
{
    if (size == 0)
        return;
    size_t n = strlen(digits);
    bool plain = n > 0 && strspn(digits, "0123456789") == n;
    if (!plain || places == 0) {
        snprintf(out, size, "%s", digits);
        return;
    }
    /* Leading zeros of the integer part go ("0042" is 42), the last one stays. */
    size_t int_len = n > places ? n - places : 0;
    const char *p = digits;
    while (int_len > 1 && *p == '0') {
        p++;
        int_len--;
    }
    size_t pad = n > places ? 0 : places - n; /* zeros between the point and the digits */
    const char *frac = p + int_len;
    size_t frac_len = places - pad;
    size_t keep = places; /* fraction digits written, padding included */
    if (trim) {
        while (frac_len > 0 && frac[frac_len - 1] == '0') {
            frac_len--;
            keep--;
        }
        if (frac_len == 0)
            keep = 0;
    }
    size_t o = 0;
#define PUT(c)                                                                                                        \
    do {                                                                                                              \
        if (o + 1 < size)                                                                                             \
            out[o++] = (c);                                                                                           \
    } while (0)
    if (int_len == 0)
        PUT('0');
    for (size_t i = 0; i < int_len; i++)
        PUT(p[i]);
    if (keep > 0) {
        PUT('.');
        for (size_t i = 0; i < pad && i < keep; i++)
            PUT('0');
        for (size_t i = 0; i < frac_len; i++)
            PUT(frac[i]);
    }
#undef PUT
    out[o] = '\0';
}

void l2w_web_duration(char out[32], unsigned long s)
{
    if (s != 0 && s % 3600 == 0)
        snprintf(out, 32, "%lu h", s / 3600);
    else if (s != 0 && s % 60 == 0)
        snprintf(out, 32, "%lu min", s / 60);
    else
        snprintf(out, 32, "%lu s", s);
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

/* An amount in token units with the symbol; the base units (and where they
 * were read) in the title, for copying into a query. */
static void amount_cell(FILE *f, const char *base, const l2w_bridge_token *t, const char *where, const char *block)
{
    if (!base) {
        fputs("<td class=\"num\">", f);
        dash(f);
        fputs("</td>", f);
        return;
    }
    char units[L2W_WB_DECIMAL_LEN];
    l2w_web_decimal_point(units, sizeof units, base, t->decimals, true);
    fputs("<td class=\"num\" title=\"", f);
    l2w_html_put(f, base);
    fputs(" base units", f);
    if (block) {
        fputs(" at block ", f);
        l2w_html_put(f, block);
    }
    if (where) {
        fputs(" on ", f);
        l2w_html_put(f, where);
    }
    fputs("\">", f);
    l2w_html_put(f, units);
    fputs(" <span class=\"unit\">", f);
    l2w_html_put(f, t->symbol);
    fputs("</span></td>", f);
}

static void backing_cell(FILE *f, const char *bp)
{
    if (!bp) {
        fputs("<td class=\"num\" title=\"needs both the escrow and the remote supply\">", f);
        dash(f);
        fputs("</td>", f);
        return;
    }
    char ratio[L2W_WB_DECIMAL_LEN];
    l2w_web_decimal_point(ratio, sizeof ratio, bp, 4, false);
    /* Above 1 the other chain holds more than the escrow backs. */
    bool over = strlen(bp) > 5 || (strlen(bp) == 5 && strcmp(bp, "10000") > 0);
    fprintf(f, "<td class=\"num\" title=\"bridged supply / escrow\"><span class=\"%s\">", over ? "badge sev-critical"
                                                                                               : "ratio");
    l2w_html_put(f, ratio);
    fputs("</span></td>", f);
}

/* "4.20% of 30% in 4 h"; a badge when over the limit (strictly, as the
 * detector judges). */
static void drawdown_cell(FILE *f, const PGresult *res, int row, const l2w_bridge_config *b,
                          const l2w_bridge_token *t)
{
    char window[32];
    l2w_web_duration(window, b->drawdown_window_s);
    const char *bp = value(res, row, L2W_WB_FALL_BP);
    if (!bp) {
        fputs("<td class=\"num\">", f);
        dash(f);
        fprintf(f, " <span class=\"muted\">of %u%% in %s</span></td>", (unsigned)b->drawdown_percent, window);
        return;
    }
    char pct[L2W_WB_DECIMAL_LEN];
    l2w_web_decimal_point(pct, sizeof pct, bp, 2, false);
    unsigned long long fall_bp = strtoull(bp, NULL, 10);
    bool over = fall_bp > (unsigned long long)b->drawdown_percent * 100;
    char peak[L2W_WB_DECIMAL_LEN], latest[L2W_WB_DECIMAL_LEN];
    l2w_web_decimal_point(peak, sizeof peak, PQgetvalue(res, row, L2W_WB_PEAK), t->decimals, true);
    l2w_web_decimal_point(latest, sizeof latest, PQgetvalue(res, row, L2W_WB_LATEST), t->decimals, true);
    fputs("<td class=\"num\" title=\"peak ", f);
    l2w_html_put(f, peak);
    fputs(", latest ", f);
    l2w_html_put(f, latest);
    fputs(" at block ", f);
    l2w_html_put(f, PQgetvalue(res, row, L2W_WB_LATEST_BLOCK));
    fprintf(f, "\"><span class=\"%s\">", over ? "badge sev-high" : "drawdown");
    l2w_html_put(f, pct);
    fprintf(f, "%%</span> <span class=\"muted\">of %u%% in %s</span></td>", (unsigned)b->drawdown_percent, window);
}

static void outflow_cell(FILE *f, const PGresult *res, int row, const l2w_bridge_config *b,
                         const l2w_bridge_token *t)
{
    char interval[32];
    l2w_web_duration(interval, b->outflow_interval_s);
    const char *sum = value(res, row, L2W_WB_OUTFLOW);
    if (!sum) {
        fputs("<td class=\"num\">", f);
        dash(f);
        fputs("</td>", f);
        return;
    }
    char units[L2W_WB_DECIMAL_LEN], since[32] = "";
    l2w_web_decimal_point(units, sizeof units, sum, t->decimals, true);
    time_t start = (time_t)strtoll(PQgetvalue(res, row, L2W_WB_INTERVAL_START), NULL, 10);
    struct tm tm;
    if (gmtime_r(&start, &tm))
        strftime(since, sizeof since, "%Y-%m-%d %H:%M:%SZ", &tm);
    fputs("<td class=\"num\" title=\"", f);
    l2w_html_put(f, sum);
    fputs(" base units since ", f);
    l2w_html_put(f, since);
    fputs(" (block time)\">", f);
    l2w_html_put(f, units);
    fputs(" <span class=\"unit\">", f);
    l2w_html_put(f, t->symbol);
    fprintf(f, "</span> <span class=\"muted\">this %s</span></td>", interval);
}

static const char *pause_method_name(l2w_pause_method m)
{
    switch (m) {
    case L2W_PAUSE_NONE: return "no pause switch";
    case L2W_PAUSE_SUPERCHAIN: return "SuperchainConfig pause";
    case L2W_PAUSE_PAUSABLE: return "Pausable pause()";
    }
    return "unknown method";
}

static void pause_cell(FILE *f, const char *paused, const l2w_bridge_config *b, size_t rows)
{
    const char *cls = "badge muted", *text = "unknown";
    if (paused && strcmp(paused, "t") == 0) {
        cls = "badge sev-critical";
        text = "paused";
    } else if (paused && strcmp(paused, "f") == 0) {
        cls = "badge ok";
        text = "active";
    }
    fprintf(f, "<td rowspan=\"%zu\" title=\"%s, response %s\"><span class=\"%s\">%s</span></td>", rows,
            pause_method_name(b->pause_method), l2w_response_mode_name(b->pause_mode), cls, text);
}

/* The open findings as "kind ×n" badges; the JSON comes from our own query. */
static void findings_cell(FILE *f, const char *doc)
{
    fputs("<td>", f);
    json_t *obj = doc ? json_loads(doc, 0, NULL) : NULL;
    const char *kind;
    json_t *n;
    bool any = false;
    if (json_is_object(obj)) {
        json_object_foreach(obj, kind, n) {
            fputs("<a class=\"badge sev-high\" href=\"/api/v1/findings?status=open\">", f);
            l2w_html_put(f, kind);
            fprintf(f, " &times;%lld</a> ", (long long)json_integer_value(n));
            any = true;
        }
    }
    json_decref(obj);
    if (!any)
        dash(f);
    fputs("</td>", f);
}

/* The chart's size in pixels and its margin, so the line's ends and the
 * dot for the latest sample are not cut. */
#define CHART_W 160
#define CHART_H 36
#define CHART_PAD 3

/* Tenths of a pixel along an axis of len pixels for a position in 0..1000. */
static long chart_pos(long permille, long len)
{
    return CHART_PAD * 10 + permille * (len - 2 * CHART_PAD) * 10 / 1000;
}

/* The escrow over the last day as a polyline, one point per sample; no
 * script, no inline style (the stylesheet colours it). */
static void chart_cell(FILE *f, const PGresult *series, int *cursor, int row, const l2w_bridge_token *t)
{
    int from = *cursor, n = 0;
    int total = series ? PQntuples(series) : 0;
    while (from + n < total && atoi(PQgetvalue(series, from + n, L2W_WB_S_ROW)) == row)
        n++;
    *cursor = from + n;
    fputs("<td class=\"chart\">", f);
    if (n == 0) {
        dash(f);
        fputs("</td>", f);
        return;
    }
    fprintf(f, "<svg class=\"spark\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" "
               "aria-label=\"escrow of ",
            CHART_W, CHART_H, CHART_W, CHART_H);
    l2w_html_put(f, t->symbol);
    fputs(", last 24 h\"><title>", f);
    fprintf(f, "%d sample%s to block ", n, n == 1 ? "" : "s");
    l2w_html_put(f, PQgetvalue(series, from + n - 1, L2W_WB_S_BLOCK));
    fputs("</title><polyline class=\"spark-line\" points=\"", f);
    long x = 0, y = 0;
    for (int i = from; i < from + n; i++) {
        x = chart_pos(strtol(PQgetvalue(series, i, L2W_WB_S_X), NULL, 10), CHART_W);
        /* A flat series sits in the middle; higher balances draw higher. */
        long level = PQgetisnull(series, i, L2W_WB_S_Y) ? 500 : strtol(PQgetvalue(series, i, L2W_WB_S_Y), NULL, 10);
        y = chart_pos(1000 - level, CHART_H);
        fprintf(f, "%s%ld.%ld,%ld.%ld", i == from ? "" : " ", x / 10, x % 10, y / 10, y % 10);
    }
    fprintf(f, "\"/><circle class=\"spark-dot\" cx=\"%ld.%ld\" cy=\"%ld.%ld\" r=\"2\"/></svg></td>", x / 10, x % 10,
            y / 10, y % 10);
}

void l2w_web_bridges_render(FILE *f, const l2w_config *cfg, const l2w_web_bridge_data *data)
{
    if (cfg->n_bridges == 0 || !data->tokens || !data->bridges)
        return;
    fputs("<section><h2>Bridges</h2><table class=\"bridges\">\n<thead><tr><th>Bridge</th><th>Token</th>"
          "<th class=\"num\">Escrow</th><th class=\"num\">Remote supply</th><th class=\"num\">Backing</th>"
          "<th class=\"num\">Drawdown</th><th class=\"num\">Outflow</th><th>Pause</th><th>Open findings</th>"
          "<th>Escrow, 24 h</th></tr></thead><tbody>\n",
          f);
    int row = 0, cursor = 0;
    for (size_t i = 0; i < cfg->n_bridges; i++) {
        const l2w_bridge_config *b = &cfg->bridges[i];
        for (size_t j = 0; j < b->n_tokens; j++, row++) {
            const l2w_bridge_token *t = &b->tokens[j];
            const PGresult *res = data->tokens;
            char key[L2W_WB_TOKEN_KEY_LEN];
            l2w_web_bridge_token_key(key, t);
            fputs("<tr data-bridge=\"", f);
            l2w_html_put(f, b->name);
            fputs("\" data-token=\"", f);
            l2w_html_put(f, key);
            fputs("\">", f);
            if (j == 0) {
                fprintf(f, "<td rowspan=\"%zu\"><strong>", b->n_tokens);
                l2w_html_put(f, b->name);
                fprintf(f, "</strong><br><span class=\"muted\">%s &middot; escrow on ",
                        b->kind == L2W_BRIDGE_OP_STACK ? "op-stack" : "lock-release");
                l2w_html_put(f, b->chain);
                fputs(" &harr; ", f);
                l2w_html_put(f, b->remote_chain);
                fputs("</span></td>", f);
            }
            fputs("<td title=\"", f);
            l2w_html_put(f, key);
            fputs("\">", f);
            l2w_html_put(f, t->symbol);
            fputs("</td>", f);
            amount_cell(f, value(res, row, L2W_WB_ESCROW), t, b->chain, value(res, row, L2W_WB_ESCROW_BLOCK));
            amount_cell(f, value(res, row, L2W_WB_SUPPLY), t, b->remote_chain,
                        value(res, row, L2W_WB_SUPPLY_BLOCK));
            backing_cell(f, value(res, row, L2W_WB_BACKING_BP));
            drawdown_cell(f, res, row, b, t);
            outflow_cell(f, res, row, b, t);
            if (j == 0)
                pause_cell(f, value(data->bridges, (int)i, L2W_WB_PAUSED), b, b->n_tokens);
            findings_cell(f, value(res, row, L2W_WB_FINDINGS));
            chart_cell(f, data->series, &cursor, row, t);
            fputs("</tr>\n", f);
        }
    }
    fputs("</tbody></table></section>\n", f);
}
