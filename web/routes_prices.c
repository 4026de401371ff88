/* GET /api/v1/prices: every prices: entry with the latest read of its
 * token's feed (price_samples) and the verdict on it now: the read's own
 * verdict, except that a fresh read whose updatedAt has aged past
 * max_age_seconds since is stale now (the rule TVL sampling applies,
 * app/analytics_tvl.c), and no_reading before the first read.
 *
 * The entries come from the config, handed to the query as one JSON
 * parameter. Chain integers (rounds, answers) are decimal strings, and the
 * price is the answer scaled by its decimals, exactly. */

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "web/json_doc.h"
#include "web/routes.h"

/* $1 the entries ([{token, configured_as, chain, aggregator, max_age,
 * poll}], config order). updated_at is compared as numeric: a feed's
 * updatedAt near 2^63 must not overflow the statement.
 *
 * The latest read is the first row of a backward scan of (token, id) from
 * the token's end, kept when it is the token's: written as "token = $1
 * ORDER BY id DESC LIMIT 1", the planner walks the primary key backwards
 * filtering on token, which reads the whole table for a token with no
 * reads (90 ms at a year of one feed's minutely reads; 1 ms this way). */
static const char prices_sql[] =
    "WITH k AS (SELECT k.* FROM ROWS FROM (json_to_recordset($1::json) AS (token text, configured_as text,"
    "   chain text, aggregator text, max_age bigint, poll bigint))"
    "   WITH ORDINALITY AS k(token, configured_as, chain, aggregator, max_age, poll, i))"
    " SELECT jsonb_build_object('now', " L2W_SQL_UTC_MILLIS("now()") ", 'prices', coalesce((SELECT jsonb_agg("
    "  jsonb_build_object('token', k.token, 'configured_as', k.configured_as, 'chain', k.chain,"
    "   'aggregator', k.aggregator, 'max_age_seconds', k.max_age, 'poll_seconds', k.poll,"
    "   'verdict', CASE WHEN r.id IS NULL THEN 'no_reading'"
    "     WHEN r.status = 'fresh' AND floor(extract(epoch FROM now())) > r.updated_at::numeric + k.max_age"
    "     THEN 'stale' ELSE r.status END,"
    "   'age_seconds', CASE WHEN r.id IS NOT NULL"
    "     THEN greatest(0, floor(extract(epoch FROM now())) - r.updated_at::numeric)::bigint END,"
    "   'latest', CASE WHEN r.id IS NOT NULL THEN jsonb_build_object("
    "     'id', r.id, 'read_at', " L2W_SQL_UTC_MILLIS("r.read_at") ", 'chain', r.chain,"
    "     'aggregator', '0x' || encode(r.aggregator, 'hex'), 'block_number', r.block_number,"
    "     'block_hash', '0x' || encode(r.block_hash, 'hex'), 'round_id', r.round_id::text,"
    "     'answered_in_round', r.answered_in_round::text, 'answer', r.answer::text, 'decimals', r.decimals,"
    "     'price', trim_scale(r.answer * ('1e-' || r.decimals)::numeric)::text,"
    "     'started_at', " L2W_SQL_UNIX_MILLIS("r.started_at") ", 'updated_at', " L2W_SQL_UNIX_MILLIS("r.updated_at") ","
    "     'age_seconds', r.age_s, 'status', r.status) END) ORDER BY k.i)"
    "  FROM k LEFT JOIN LATERAL (SELECT p.* FROM price_samples p"
    "    WHERE (p.token, p.id) <= (k.token, 9223372036854775807)"
    "    ORDER BY p.token DESC, p.id DESC LIMIT 1) r ON r.token = k.token), '[]'::jsonb))::text";

static json_t *entry_doc(const l2w_price_config *p)
{
    json_t *e = json_object();
    bool ok = e != NULL;
    ok = ok && l2w_doc_set(e, "token", json_string(p->symbol));
    ok = ok && l2w_doc_set(e, "configured_as", json_string(p->token));
    ok = ok && l2w_doc_set(e, "chain", json_string(p->chain));
    ok = ok && l2w_doc_set(e, "aggregator", l2w_json_addr(&p->aggregator));
    ok = ok && l2w_doc_set(e, "max_age", json_integer(p->max_age_s));
    ok = ok && l2w_doc_set(e, "poll", json_integer(p->poll_s));
    return l2w_doc_done(e, ok);
}

l2w_status l2w_route_prices(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err)
{
    json_t *list = json_array();
    bool ok = list != NULL;
    for (size_t i = 0; ok && i < req->cfg->n_prices; i++)
        ok = json_array_append_new(list, entry_doc(&req->cfg->prices[i])) == 0;
    char *entries = ok ? json_dumps(list, JSON_COMPACT) : NULL;
    json_decref(list);
    if (!entries) {
        l2w_err_set(err, "prices: out of memory");
        return L2W_ERR_NOMEM;
    }
    const char *params[] = {entries};
    l2w_status st = l2w_web_json_query(resp, req, prices_sql, 1, params, "no prices", err);
    free(entries);
    return st;
}
