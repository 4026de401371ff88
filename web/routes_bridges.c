/* GET /api/v1/bridges: every configured bridge with its tokens' escrow,
 * bridged supply, drawdown and outflow figures, pause state and open
 * findings; GET /api/v1/bridges/{name}/escrow: one token's escrow samples,
 * paged forward by block.
 *
 * The list joins the config (names, thresholds, decimals) with the
 * database, so unlike the other routes its document is built here rather
 * than in SQL; the figures come from the same loader as the dashboard's. */

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/json.h"
#include "web/params.h"
#include "web/routes.h"
#include "web/routes_dashboard_bridges.h"

#define ESCROW_DEFAULT_LIMIT 500
#define ESCROW_MAX_LIMIT 1000

/* ---- GET /api/v1/bridges ---- */

/* Each setter returns false when the value could not be made or set, so a
 * document is either whole or reported out of memory. */
static bool set(json_t *obj, const char *key, json_t *v)
{
    return json_object_set_new(obj, key, v) == 0;
}

static json_t *text_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *int_or_null(const char *s)
{
    return s ? json_integer((json_int_t)strtoll(s, NULL, 10)) : json_null();
}

/* A ratio in 1/10^places as decimal text ("0.9500", "4.20"), or null. */
static json_t *scaled_or_null(const char *digits, unsigned places)
{
    if (!digits)
        return json_null();
    char text[L2W_WB_DECIMAL_LEN];
    l2w_web_decimal_point(text, sizeof text, digits, places, false);
    return json_string(text);
}

/* {"kind": count}, as the loader's query wrote it. */
static json_t *findings_or_empty(const char *doc)
{
    json_t *v = doc ? json_loads(doc, JSON_REJECT_DUPLICATES, NULL) : NULL;
    if (json_is_object(v))
        return v;
    json_decref(v);
    return json_object();
}

static const char *value(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

static const char *kind_name(l2w_bridge_kind k)
{
    switch (k) {
    case L2W_BRIDGE_OP_STACK: return "op-stack";
    case L2W_BRIDGE_LOCK_RELEASE: return "lock-release";
    }
    return "unknown";
}

static const char *pause_method_name(l2w_pause_method m)
{
    switch (m) {
    case L2W_PAUSE_NONE: return "none";
    case L2W_PAUSE_SUPERCHAIN: return "superchain";
    case L2W_PAUSE_PAUSABLE: return "pausable";
    }
    return "unknown";
}

/* The window's figures: the detector's thresholds beside what the samples
 * say now. */
static json_t *drawdown_doc(const l2w_bridge_config *b, const PGresult *res, int row)
{
    json_t *dd = json_object();
    bool ok = dd != NULL;
    ok = ok && set(dd, "window_seconds", json_integer(b->drawdown_window_s));
    ok = ok && set(dd, "limit_percent", json_integer(b->drawdown_percent));
    ok = ok && set(dd, "single_release_percent", json_integer(b->single_release_percent));
    ok = ok && set(dd, "peak", text_or_null(value(res, row, L2W_WB_PEAK)));
    ok = ok && set(dd, "latest", text_or_null(value(res, row, L2W_WB_LATEST)));
    ok = ok && set(dd, "latest_block", int_or_null(value(res, row, L2W_WB_LATEST_BLOCK)));
    ok = ok && set(dd, "latest_timestamp", int_or_null(value(res, row, L2W_WB_LATEST_TIME)));
    ok = ok && set(dd, "fall_percent", scaled_or_null(value(res, row, L2W_WB_FALL_BP), 2));
    if (!ok) {
        json_decref(dd);
        return NULL;
    }
    return dd;
}

static json_t *outflow_doc(const l2w_bridge_config *b, const PGresult *res, int row)
{
    json_t *of = json_object();
    bool ok = of != NULL;
    ok = ok && set(of, "interval_seconds", json_integer(b->outflow_interval_s));
    ok = ok && set(of, "interval_start", int_or_null(value(res, row, L2W_WB_INTERVAL_START)));
    ok = ok && set(of, "amount", text_or_null(value(res, row, L2W_WB_OUTFLOW)));
    if (!ok) {
        json_decref(of);
        return NULL;
    }
    return of;
}

/* Sub-documents are built before the test of ok and always handed to set()
 * (which takes them over even when it fails), so none can leak. */
static json_t *token_doc(const l2w_bridge_config *b, const l2w_bridge_token *t, const PGresult *res, int row)
{
    char key[L2W_WB_TOKEN_KEY_LEN];
    l2w_web_bridge_token_key(key, t);
    json_t *doc = json_object();
    bool ok = doc != NULL;
    ok = ok && set(doc, "symbol", json_string(t->symbol));
    ok = ok && set(doc, "token", json_string(key));
    ok = ok && set(doc, "decimals", json_integer(t->decimals));
    ok = ok && set(doc, "escrow_contract", l2w_json_addr(&t->escrow));
    ok = ok && set(doc, "escrow", text_or_null(value(res, row, L2W_WB_ESCROW)));
    ok = ok && set(doc, "escrow_block", int_or_null(value(res, row, L2W_WB_ESCROW_BLOCK)));
    ok = ok && set(doc, "supply", text_or_null(value(res, row, L2W_WB_SUPPLY)));
    ok = ok && set(doc, "supply_block", int_or_null(value(res, row, L2W_WB_SUPPLY_BLOCK)));
    ok = ok && set(doc, "backing_ratio", scaled_or_null(value(res, row, L2W_WB_BACKING_BP), 4));
    ok = set(doc, "drawdown", drawdown_doc(b, res, row)) && ok;
    ok = set(doc, "outflow", outflow_doc(b, res, row)) && ok;
    ok = set(doc, "open_findings", findings_or_empty(value(res, row, L2W_WB_FINDINGS))) && ok;
    if (!ok) {
        json_decref(doc);
        return NULL;
    }
    return doc;
}

static json_t *bridge_doc(const l2w_bridge_config *b, const l2w_web_bridge_data *data, int bridge_row,
                          int first_token_row)
{
    const char *paused = value(data->bridges, bridge_row, L2W_WB_PAUSED);
    json_t *doc = json_object(), *tokens = json_array();
    bool ok = doc && tokens;
    ok = ok && set(doc, "name", json_string(b->name));
    ok = ok && set(doc, "kind", json_string(kind_name(b->kind)));
    ok = ok && set(doc, "chain", json_string(b->chain));
    ok = ok && set(doc, "remote_chain", json_string(b->remote_chain));
    ok = ok && set(doc, "paused", paused ? json_boolean(strcmp(paused, "t") == 0) : json_null());
    ok = ok && set(doc, "pause_method", json_string(pause_method_name(b->pause_method)));
    ok = ok && set(doc, "pause_mode", json_string(l2w_response_mode_name(b->pause_mode)));
    ok = ok && set(doc, "pause_contract", b->has_pause_contract ? l2w_json_addr(&b->pause_contract) : json_null());
    ok = set(doc, "open_findings", findings_or_empty(value(data->bridges, bridge_row, L2W_WB_BRIDGE_FINDINGS))) &&
         ok;
    for (size_t j = 0; ok && j < b->n_tokens; j++)
        ok = json_array_append_new(tokens, token_doc(b, &b->tokens[j], data->tokens, first_token_row + (int)j)) ==
             0;
    ok = set(doc, "tokens", tokens) && ok; /* takes tokens over in every case */
    if (!ok) {
        json_decref(doc);
        return NULL;
    }
    return doc;
}

l2w_status l2w_route_bridges(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err)
{
    l2w_web_bridge_data data;
    l2w_db *db;
    l2w_status st = l2w_db_pool_acquire(req->pool, &db, L2W_WEB_DB_WAIT_MS, err);
    if (st != L2W_OK)
        return st;
    st = l2w_web_bridges_load(&data, db, req->cfg, false, err);
    l2w_db_pool_release(req->pool, db);
    if (st != L2W_OK)
        return st;

    json_t *list = json_array();
    bool ok = list != NULL;
    int token_row = 0;
    for (size_t i = 0; ok && i < req->cfg->n_bridges; i++) {
        const l2w_bridge_config *b = &req->cfg->bridges[i];
        ok = json_array_append_new(list, bridge_doc(b, &data, (int)i, token_row)) == 0;
        token_row += (int)b->n_tokens;
    }
    l2w_web_bridges_clear(&data);
    char *text = ok ? json_dumps(list, JSON_COMPACT) : NULL;
    json_decref(list);
    if (!text) {
        l2w_err_set(err, "bridges: out of memory building the document");
        return L2W_ERR_NOMEM;
    }
    l2w_web_respond_take(resp, 200, L2W_CT_JSON, text, strlen(text));
    return L2W_OK;
}

/* ---- GET /api/v1/bridges/{name}/escrow ---- */

/* One more row than the page is read, so the answer can say whether there
 * is a next page (next_after_block) without a second query. The caller
 * continues with after_block=<next_after_block>: block numbers are unique
 * per escrow and token, so no cursor is needed. */
static const char escrow_sql[] =
    "SELECT json_build_object("
    " 'bridge', $1::text, 'token', $2::text, 'symbol', $3::text, 'decimals', $4::integer,"
    " 'samples', coalesce(json_agg(json_build_object("
    "   'block_number', block_number,"
    "   'block_hash', '0x' || encode(block_hash, 'hex'),"
    "   'timestamp', block_timestamp,"
    "   'balance', balance::text,"
    "   'outflow', outflow::text) ORDER BY block_number) FILTER (WHERE rn <= $7::integer), '[]'::json),"
    " 'next_after_block', CASE WHEN count(*) > $7::integer"
    "                     THEN max(block_number) FILTER (WHERE rn <= $7::integer) END"
    ")::text"
    " FROM (SELECT block_number, block_hash, block_timestamp, balance, outflow,"
    "        row_number() OVER (ORDER BY block_number) AS rn"
    "       FROM escrow_samples WHERE bridge = $1 AND token = $2 AND block_timestamp >= $5::bigint"
    "       AND ($6::bigint IS NULL OR block_number > $6::bigint)"
    "       ORDER BY block_number LIMIT $7::integer + 1) s";

/* Unix seconds or a block number: 0 or a canonical positive integer. */
static l2w_status parse_nonnegative(int64_t *out, const char *text)
{
    if (text && strcmp(text, "0") == 0) {
        *out = 0;
        return L2W_OK;
    }
    return l2w_web_parse_id(out, text);
}

const l2w_bridge_token *l2w_web_bridge_token_find(const l2w_bridge_config *b, const char *text)
{
    if (!text)
        return b->n_tokens == 1 ? &b->tokens[0] : NULL;
    for (size_t j = 0; j < b->n_tokens; j++) {
        char key[L2W_WB_TOKEN_KEY_LEN];
        l2w_web_bridge_token_key(key, &b->tokens[j]);
        if (strcasecmp(key, text) == 0 || strcmp(b->tokens[j].symbol, text) == 0)
            return &b->tokens[j];
    }
    return NULL;
}

l2w_status l2w_route_bridge_escrow(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err)
{
    /* tail is "{name}/escrow" */
    const char *slash = strchr(req->tail, '/');
    if (!slash || strcmp(slash, "/escrow") != 0)
        return l2w_web_respond_error(resp, 404, NULL, "not found");
    size_t name_len = (size_t)(slash - req->tail);
    const l2w_bridge_config *b = NULL;
    for (size_t i = 0; !b && i < req->cfg->n_bridges; i++) {
        const char *name = req->cfg->bridges[i].name;
        if (strlen(name) == name_len && strncmp(name, req->tail, name_len) == 0)
            b = &req->cfg->bridges[i];
    }
    if (!b)
        return l2w_web_respond_error(resp, 404, "name", "no such bridge");

    const char *token_text = l2w_web_query(req, "token");
    const l2w_bridge_token *t = l2w_web_bridge_token_find(b, token_text);
    if (!t)
        return l2w_web_respond_error(resp, 400, "token",
                                     token_text ? "token must be native, a token address or a symbol this bridge "
                                                  "watches"
                                                : "token is required: this bridge watches several tokens");
    int64_t since = 0, after = 0;
    const char *since_text = l2w_web_query(req, "since");
    if (since_text && parse_nonnegative(&since, since_text) != L2W_OK)
        return l2w_web_respond_error(resp, 400, "since", "since must be unix seconds, an integer from 0");
    const char *after_text = l2w_web_query(req, "after_block");
    if (after_text && parse_nonnegative(&after, after_text) != L2W_OK)
        return l2w_web_respond_error(resp, 400, "after_block", "after_block must be a block number, an integer "
                                                               "from 0");
    unsigned limit;
    if (l2w_web_parse_limit(&limit, l2w_web_query(req, "limit"), ESCROW_DEFAULT_LIMIT, ESCROW_MAX_LIMIT) != L2W_OK)
        return l2w_web_respond_error(resp, 400, "limit", "limit must be an integer from 1 to 1000");

    char key[L2W_WB_TOKEN_KEY_LEN], decimals[8], since_s[24], after_s[24], limit_s[16];
    l2w_web_bridge_token_key(key, t);
    snprintf(decimals, sizeof decimals, "%u", (unsigned)t->decimals);
    snprintf(since_s, sizeof since_s, "%lld", (long long)since);
    snprintf(after_s, sizeof after_s, "%lld", (long long)after);
    snprintf(limit_s, sizeof limit_s, "%u", limit);
    const char *params[] = {b->name, key, t->symbol, decimals, since_s, after_text ? after_s : NULL, limit_s};
    return l2w_web_json_query(resp, req, escrow_sql, 7, params, "no such bridge", err);
}
