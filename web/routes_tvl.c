/* GET /api/v1/tvl: every configured bridge token's latest TVL sample (the
 * escrow balance in base and token units, and in USD when the token's
 * price was fresh, with price_status saying why it is not) and its change
 * over 1, 7 and 30 days (tvl_windows of sql/0012_analytics.sql); GET
 * /api/v1/tvl/series: one token's samples over time, oldest first.
 *
 * The bridge tokens come from the config (names, keys, symbols, decimals),
 * handed to the query as one JSON parameter; the figures come from
 * tvl_samples. Amounts are decimal strings. */

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web/json_doc.h"
#include "web/params.h"
#include "web/routes.h"
#include "web/routes_dashboard_bridges.h"

#define SERIES_DEFAULT_LIMIT 500
#define SERIES_MAX_LIMIT 1000

/* The sample's own fields, in both documents. */
#define SAMPLE_FIELDS(s)                                                                                             \
    "'id', " s ".id, 'sampled_at', " L2W_SQL_UTC_MILLIS(s ".sampled_at") ", 'block_number', " s ".block_number,"     \
    " 'block_hash', '0x' || encode(" s ".block_hash, 'hex'), 'balance', " s ".balance::text,"                         \
    " 'amount', " s ".amount::text, 'usd', " s ".usd::text, 'price_status', " s ".price_status"

/* $1 the tokens ([{bridge, chain, token, symbol, decimals}], config
 * order), $2 the time asked about (Unix seconds; NULL: now). The latest
 * sample is the one tvl_windows calls latest: the newest at or before it.
 * w is MATERIALIZED: inlined into the per-token subquery, tvl_windows ran
 * once per token, every bridge token's windows each time. */
static const char tvl_sql[] =
    "WITH a AS (SELECT coalesce(to_timestamp($2::bigint), now()) AS t),"
    " k AS (SELECT k.* FROM ROWS FROM (json_to_recordset($1::json) AS (bridge text, chain text, token text,"
    "   symbol text, decimals integer)) WITH ORDINALITY AS k(bridge, chain, token, symbol, decimals, i)),"
    " w AS MATERIALIZED (SELECT w.* FROM a CROSS JOIN LATERAL tvl_windows(a.t) w)"
    " SELECT jsonb_build_object('at', (SELECT " L2W_SQL_UTC_MILLIS("a.t") " FROM a), 'tvl', coalesce(("
    "  SELECT jsonb_agg(jsonb_build_object('bridge', k.bridge, 'chain', k.chain, 'token', k.token, 'symbol', k.symbol,"
    "    'decimals', k.decimals,"
    "    'latest', CASE WHEN s.id IS NOT NULL THEN jsonb_build_object(" SAMPLE_FIELDS("s") ") END,"
    "    'changes', coalesce((SELECT jsonb_agg(jsonb_build_object('days', w.days,"
    "        'previous_at', " L2W_SQL_UTC_MILLIS("w.previous_at") ", 'previous_amount', w.previous_amount::text,"
    "        'previous_usd', w.previous_usd::text, 'amount_change', w.amount_change::text,"
    "        'usd_change', w.usd_change::text, 'usd_change_percent', w.usd_change_percent::text) ORDER BY w.days)"
    "      FROM w WHERE w.bridge = k.bridge AND w.token = k.token), '[]'::jsonb))"
    "    ORDER BY k.i)"
    "  FROM a CROSS JOIN k LEFT JOIN LATERAL (SELECT t.* FROM tvl_samples t"
    "    WHERE t.bridge = k.bridge AND t.token = k.token AND t.sampled_at <= a.t"
    "    ORDER BY t.sampled_at DESC, t.id DESC LIMIT 1) s ON true), '[]'::jsonb))::text";

/* $1 bridge, $2 token key, $3 since and $4 until (Unix seconds, NULL for
 * none), $5 after (a sample id, NULL for none), $6 symbol, $7 decimals, $8
 * a page. Oldest first by (sampled_at, id); the cursor is the last sample's
 * id, so samples of one second never fall between pages. NULL (a 404) when
 * after names no sample of this series (a reorg's unwind removes samples). */
static const char series_sql[] =
    "SELECT CASE WHEN $5::bigint IS NOT NULL AND NOT EXISTS (SELECT 1 FROM tvl_samples c"
    "   WHERE c.id = $5::bigint AND c.bridge = $1 AND c.token = $2) THEN NULL ELSE ("
    " SELECT jsonb_build_object('bridge', $1::text, 'token', $2::text, 'symbol', $6::text, 'decimals', $7::integer,"
    "  'samples', coalesce(jsonb_agg(jsonb_build_object(" SAMPLE_FIELDS("s") ") ORDER BY s.sampled_at, s.id)"
    "    FILTER (WHERE s.rn <= $8::integer), '[]'::jsonb),"
    "  'next_after', CASE WHEN count(*) > $8::integer THEN max(s.id) FILTER (WHERE s.rn = $8::integer) END)::text"
    " FROM (SELECT t.*, row_number() OVER (ORDER BY t.sampled_at, t.id) AS rn FROM tvl_samples t"
    "   WHERE t.bridge = $1 AND t.token = $2"
    "   AND ($3::bigint IS NULL OR t.sampled_at >= to_timestamp($3::bigint))"
    "   AND ($4::bigint IS NULL OR t.sampled_at < to_timestamp($4::bigint))"
    "   AND ($5::bigint IS NULL OR (t.sampled_at, t.id) >"
    "        (SELECT c.sampled_at, c.id FROM tvl_samples c WHERE c.id = $5::bigint))"
    "   ORDER BY t.sampled_at, t.id LIMIT $8::integer + 1) s) END";

static const l2w_bridge_config *bridge_named(const l2w_config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->n_bridges; i++)
        if (strcmp(cfg->bridges[i].name, name) == 0)
            return &cfg->bridges[i];
    return NULL;
}

static bool add_tokens(json_t *list, const l2w_bridge_config *b)
{
    bool ok = true;
    for (size_t j = 0; ok && j < b->n_tokens; j++) {
        char key[L2W_WB_TOKEN_KEY_LEN];
        l2w_web_bridge_token_key(key, &b->tokens[j]);
        json_t *t = json_object();
        ok = t != NULL;
        ok = ok && l2w_doc_set(t, "bridge", json_string(b->name));
        ok = ok && l2w_doc_set(t, "chain", json_string(b->chain));
        ok = ok && l2w_doc_set(t, "token", json_string(key));
        ok = ok && l2w_doc_set(t, "symbol", json_string(b->tokens[j].symbol));
        ok = ok && l2w_doc_set(t, "decimals", json_integer(b->tokens[j].decimals));
        ok = json_array_append_new(list, l2w_doc_done(t, ok)) == 0 && ok;
    }
    return ok;
}

/* The tokens of bridge b, or of every bridge when b is NULL, as the JSON
 * parameter of tvl_sql (malloc'd into *out). */
static l2w_status tokens_param(char **out, const l2w_config *cfg, const l2w_bridge_config *b, l2w_err *err)
{
    json_t *list = json_array();
    bool ok = list != NULL;
    for (size_t i = 0; ok && i < cfg->n_bridges; i++)
        if (!b || b == &cfg->bridges[i])
            ok = add_tokens(list, &cfg->bridges[i]);
    *out = ok ? json_dumps(list, JSON_COMPACT) : NULL;
    json_decref(list);
    if (!*out) {
        l2w_err_set(err, "tvl: out of memory");
        return L2W_ERR_NOMEM;
    }
    return L2W_OK;
}

l2w_status l2w_route_tvl(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err)
{
    const char *name = l2w_web_query(req, "bridge");
    const l2w_bridge_config *b = name ? bridge_named(req->cfg, name) : NULL;
    if (name && !b)
        return l2w_web_respond_error(resp, 404, "bridge", "no such bridge");
    const char *at_text = l2w_web_query(req, "at");
    int64_t at;
    char at_s[24];
    if (at_text && l2w_web_parse_time(&at, at_text) != L2W_OK)
        return l2w_web_respond_error(resp, 400, "at", "at must be an RFC 3339 time such as 2026-11-22T00:00:00Z");
    if (at_text)
        snprintf(at_s, sizeof at_s, "%lld", (long long)at);
    char *tokens;
    l2w_status st = tokens_param(&tokens, req->cfg, b, err);
    if (st != L2W_OK)
        return st;
    const char *params[] = {tokens, at_text ? at_s : NULL};
    st = l2w_web_json_query(resp, req, tvl_sql, 2, params, "no tvl", err);
    free(tokens);
    return st;
}

l2w_status l2w_route_tvl_series(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err)
{
    const char *name = l2w_web_query(req, "bridge");
    if (!name)
        return l2w_web_respond_error(resp, 400, "bridge", "bridge is required: a bridges: entry's name");
    const l2w_bridge_config *b = bridge_named(req->cfg, name);
    if (!b)
        return l2w_web_respond_error(resp, 404, "bridge", "no such bridge");
    const char *token_text = l2w_web_query(req, "token");
    const l2w_bridge_token *t = l2w_web_bridge_token_find(b, token_text);
    if (!t)
        return l2w_web_respond_error(resp, 400, "token",
                                     token_text ? "token must be native, a token address or a symbol this bridge "
                                                  "watches"
                                                : "token is required: this bridge watches several tokens");
    const char *since_text = l2w_web_query(req, "since"), *until_text = l2w_web_query(req, "until");
    int64_t since, until, after;
    if (since_text && l2w_web_parse_time(&since, since_text) != L2W_OK)
        return l2w_web_respond_error(resp, 400, "since", "since must be an RFC 3339 time such as 2026-11-22T00:00:00Z");
    if (until_text && l2w_web_parse_time(&until, until_text) != L2W_OK)
        return l2w_web_respond_error(resp, 400, "until", "until must be an RFC 3339 time such as 2026-11-22T00:00:00Z");
    const char *after_text = l2w_web_query(req, "after");
    if (after_text && l2w_web_parse_id(&after, after_text) != L2W_OK)
        return l2w_web_respond_error(resp, 400, "after", "after must be a sample id (next_after of a page)");
    unsigned limit;
    if (l2w_web_parse_limit(&limit, l2w_web_query(req, "limit"), SERIES_DEFAULT_LIMIT, SERIES_MAX_LIMIT) != L2W_OK)
        return l2w_web_respond_error(resp, 400, "limit", "limit must be an integer from 1 to 1000");

    char key[L2W_WB_TOKEN_KEY_LEN], since_s[24], until_s[24], decimals[8], limit_s[16];
    l2w_web_bridge_token_key(key, t);
    if (since_text)
        snprintf(since_s, sizeof since_s, "%lld", (long long)since);
    if (until_text)
        snprintf(until_s, sizeof until_s, "%lld", (long long)until);
    snprintf(decimals, sizeof decimals, "%u", (unsigned)t->decimals);
    snprintf(limit_s, sizeof limit_s, "%u", limit);
    const char *params[] = {b->name,    key,      since_text ? since_s : NULL, until_text ? until_s : NULL,
                            after_text, t->symbol, decimals,                    limit_s};
    return l2w_web_json_query_param(resp, req, series_sql, 8, params, "after",
                                    "after names no sample of this series (a reorg may have removed it)", err);
}
