/* GET /api/v1/fees, /api/v1/fees/daily and /api/v1/fees/blocks: what the
 * chains of analytics.fees collected in fees (sums over 1, 7 and 30 UTC
 * days against the window before, the day rows, the block rows); GET
 * /api/v1/batch-costs, /api/v1/batch-costs/daily and
 * /api/v1/batch-costs/postings: the same of what the batchers of
 * analytics.batch_costs paid on their L1s, down to each posting.
 *
 * Each document is built in one query (sql/0012_analytics.sql's tables,
 * analytics_windows for the windows). Wei amounts and every windowed
 * figure are decimal strings: sums of wei pass 2^53 quickly. A chain is
 * one the config lists for that ledger; the day and block rows of a chain
 * no longer listed are kept but not served. */

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/db.h"
#include "web/params.h"
#include "web/routes.h"

#define DAYS_DEFAULT_LIMIT 30
#define DAYS_MAX_LIMIT 1000
#define ROWS_DEFAULT_LIMIT 100
#define ROWS_MAX_LIMIT 1000

/* ---- windows ---- */

/* $1 the chains (text[], in config order), $2 the last day (NULL: today,
 * UTC), $3 the metric prefix in analytics_daily, $4 the metric names
 * without it. Every chain has every window and every figure: a sum over
 * days without rows is 0, and change_percent is null when the window
 * before sums to 0 (as analytics_windows says). */
static const char windows_sql[] =
    "WITH e AS (SELECT coalesce($2::date, (now() AT TIME ZONE 'UTC')::date) AS d),"
    " w AS (SELECT a.* FROM e CROSS JOIN LATERAL analytics_windows(e.d) a WHERE a.chain = ANY($1::text[]))"
    " SELECT jsonb_build_object('end', (SELECT to_char(d, 'YYYY-MM-DD') FROM e), 'chains', coalesce(("
    "  SELECT jsonb_agg(jsonb_build_object('chain', c.chain, 'windows', ("
    "    SELECT jsonb_agg(jsonb_build_object('days', n.days,"
    "      'first_day', to_char(e.d - n.days + 1, 'YYYY-MM-DD'), 'last_day', to_char(e.d, 'YYYY-MM-DD'),"
    "      'figures', (SELECT jsonb_object_agg(m.name, jsonb_build_object("
    "          'value', coalesce(w.value, 0)::text, 'previous', coalesce(w.previous, 0)::text,"
    "          'change', coalesce(w.change, 0)::text, 'change_percent', w.change_percent::text))"
    "        FROM unnest($4::text[]) m(name)"
    "        LEFT JOIN w ON w.chain = c.chain AND w.days = n.days AND w.metric = $3::text || m.name))"
    "      ORDER BY n.days) FROM e CROSS JOIN (VALUES (1), (7), (30)) n(days)))"
    "    ORDER BY c.i) FROM unnest($1::text[]) WITH ORDINALITY c(chain, i)), '[]'::jsonb))::text";

/* ---- day rows ---- */

/* Newest day first from $3 (until, inclusive) back to $2 (since): days
 * with at least one stored row. One row more than the page is read to say
 * whether older days follow: next_until is the day before the last shown. */
#define DAYS_PAGE_SQL(fields, table)                                                                                   \
    "SELECT jsonb_build_object('chain', $1::text,"                                                                     \
    " 'days', coalesce(jsonb_agg(jsonb_build_object('day', to_char(d.day, 'YYYY-MM-DD'), " fields ")"                  \
    "   ORDER BY d.day DESC) FILTER (WHERE d.rn <= $4::integer), '[]'::jsonb),"                                        \
    " 'next_until', CASE WHEN count(*) > $4::integer"                                                                  \
    "   THEN to_char(min(d.day) FILTER (WHERE d.rn <= $4::integer) - 1, 'YYYY-MM-DD') END)::text"                      \
    " FROM (SELECT t.*, row_number() OVER (ORDER BY t.day DESC) AS rn FROM " table " t"                                \
    "       WHERE t.chain = $1 AND ($2::date IS NULL OR t.day >= $2::date)"                                            \
    "       AND ($3::date IS NULL OR t.day <= $3::date)"                                                               \
    "       ORDER BY t.day DESC LIMIT $4::integer + 1) d"

static const char fee_days_sql[] = DAYS_PAGE_SQL(
    "'blocks', d.blocks, 'txs', d.txs, 'gas_used', d.gas_used, 'execution_fee_wei', d.execution_fee::text,"
    " 'l1_fee_wei', d.l1_fee::text, 'fee_wei', (d.execution_fee + d.l1_fee)::text",
    "fee_days");

static const char batch_cost_days_sql[] = DAYS_PAGE_SQL(
    "'txs', d.txs, 'blobs', d.blobs, 'calldata_bytes', d.calldata_bytes, 'calldata_gas', d.calldata_gas,"
    " 'calldata_fee_wei', d.calldata_fee::text, 'gas_used', d.gas_used, 'fee_wei', d.fee::text,"
    " 'blob_gas_used', d.blob_gas_used, 'blob_fee_wei', d.blob_fee::text, 'cost_wei', (d.fee + d.blob_fee)::text",
    "batch_cost_days");

/* ---- block rows and postings ---- */

/* Newest block first below $2 (before), $3 a page; block numbers are
 * unique per chain, so the last one shown is the cursor. */
static const char fee_blocks_sql[] =
    "SELECT jsonb_build_object('chain', $1::text,"
    " 'blocks', coalesce(jsonb_agg(jsonb_build_object("
    "   'block_number', b.block_number, 'block_hash', '0x' || encode(b.block_hash, 'hex'),"
    "   'parent_hash', '0x' || encode(b.parent_hash, 'hex'),"
    "   'block_time', " L2W_SQL_UNIX_MILLIS("b.block_timestamp") ","
    "   'txs', b.txs, 'gas_used', b.gas_used, 'execution_fee_wei', b.execution_fee::text,"
    "   'l1_fee_wei', b.l1_fee::text, 'l1_fee_txs', b.l1_fee_txs, 'fee_wei', (b.execution_fee + b.l1_fee)::text)"
    "   ORDER BY b.block_number DESC) FILTER (WHERE b.rn <= $3::integer), '[]'::jsonb),"
    " 'next_before', CASE WHEN count(*) > $3::integer THEN min(b.block_number) FILTER (WHERE b.rn <= $3::integer) END"
    ")::text"
    " FROM (SELECT f.*, row_number() OVER (ORDER BY f.block_number DESC) AS rn FROM fee_blocks f"
    "       WHERE f.chain = $1 AND ($2::bigint IS NULL OR f.block_number < $2::bigint)"
    "       ORDER BY f.block_number DESC LIMIT $3::integer + 1) b";

#define POSTINGS_FILTER(t) " " t ".chain = $1 AND ($2::bigint IS NULL OR " t ".block_number < $2::bigint)"

/* An L1 block may hold several postings of one batcher, and the cursor is
 * a block number, so a page holds whole blocks: those of its first $3
 * postings, the last of them (cut) taken whole even past $3. next_before
 * is cut when a posting of a lower block exists. The index of sql/0016
 * serves each part. */
static const char postings_sql[] =
    "WITH cut AS (SELECT p.block_number FROM batch_costs p WHERE" POSTINGS_FILTER("p")
    "   ORDER BY p.block_number DESC, p.tx_index DESC OFFSET $3::integer - 1 LIMIT 1)"
    " SELECT jsonb_build_object('chain', $1::text,"
    " 'postings', coalesce((SELECT jsonb_agg(jsonb_build_object("
    "   'l1_chain', p.l1_chain, 'block_number', p.block_number, 'block_hash', '0x' || encode(p.block_hash, 'hex'),"
    "   'block_time', " L2W_SQL_UNIX_MILLIS("p.block_timestamp") ", 'tx_hash', '0x' || encode(p.tx_hash, 'hex'),"
    "   'tx_index', p.tx_index, 'tx_type', p.tx_type, 'calldata_bytes', p.calldata_bytes,"
    "   'calldata_zero_bytes', p.calldata_zero_bytes, 'calldata_gas', p.calldata_gas,"
    "   'calldata_fee_wei', p.calldata_fee::text, 'gas_used', p.gas_used,"
    "   'effective_gas_price_wei', p.effective_gas_price::text, 'fee_wei', p.fee::text, 'blobs', p.blobs,"
    "   'blob_gas_used', p.blob_gas_used, 'blob_gas_price_wei', p.blob_gas_price::text,"
    "   'blob_fee_wei', p.blob_fee::text, 'cost_wei', (p.fee + p.blob_fee)::text)"
    "   ORDER BY p.block_number DESC, p.tx_index DESC)"
    "   FROM batch_costs p WHERE" POSTINGS_FILTER("p")
    "   AND p.block_number >= coalesce((SELECT block_number FROM cut), 0)), '[]'::jsonb),"
    " 'next_before', (SELECT c.block_number FROM cut c WHERE EXISTS ("
    "   SELECT 1 FROM batch_costs p WHERE" POSTINGS_FILTER("p") " AND p.block_number < c.block_number)))::text";

/* ---- the two ledgers ---- */

typedef enum { LEDGER_FEES, LEDGER_BATCH_COSTS } ledger_kind;

typedef struct {
    const char *prefix;     /* of its metrics in analytics_daily */
    const char *metrics;    /* a text[] literal of their names without it */
    const char *days_sql;
    const char *not_listed; /* the 404 of a chain the ledger does not list */
    const char *what;       /* for err */
} ledger;

static const ledger ledgers[] = {
    [LEDGER_FEES] = {"l2_", "{blocks,txs,gas_used,execution_fee_wei,l1_fee_wei,fee_wei}", fee_days_sql,
                     "no analytics.fees entry sums this chain's fees", "fees"},
    [LEDGER_BATCH_COSTS] = {"batch_",
                            "{txs,blobs,calldata_bytes,calldata_gas,calldata_fee_wei,gas_used,fee_wei,blob_gas_used,"
                            "blob_fee_wei,cost_wei}",
                            batch_cost_days_sql, "no analytics.batch_costs entry costs this chain's batches",
                            "batch costs"},
};

/* The chains the ledger lists, in config order, into names (room for
 * L2W_MAX_FEE_CHAINS, which is the larger list). */
static size_t ledger_chains(const l2w_config *cfg, ledger_kind k, const char **names)
{
    const l2w_analytics_config *a = &cfg->analytics;
    switch (k) {
    case LEDGER_FEES:
        for (size_t i = 0; i < a->n_fees; i++)
            names[i] = a->fees[i].chain;
        return a->n_fees;
    case LEDGER_BATCH_COSTS:
        for (size_t i = 0; i < a->n_batch_costs; i++)
            names[i] = a->batch_costs[i].chain;
        return a->n_batch_costs;
    }
    return 0;
}

static_assert(L2W_MAX_BATCH_COSTS <= L2W_MAX_FEE_CHAINS, "ledger_chains fills one array of either size");

static bool ledger_lists(const l2w_config *cfg, ledger_kind k, const char *chain)
{
    const char *names[L2W_MAX_FEE_CHAINS];
    size_t n = ledger_chains(cfg, k, names);
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], chain) == 0)
            return true;
    return false;
}

/* The chain a day or row route is about: given, and listed. False when it
 * answered the refusal (*st its status). */
static bool one_chain(l2w_web_response *resp, const l2w_web_request *req, ledger_kind k, const char **chain,
                      l2w_status *st)
{
    *chain = l2w_web_query(req, "chain");
    if (!*chain) {
        *st = l2w_web_respond_error(resp, 400, "chain", k == LEDGER_FEES
                                                            ? "chain is required: a chain of analytics.fees"
                                                            : "chain is required: a chain of analytics.batch_costs");
        return false;
    }
    if (!ledger_lists(req->cfg, k, *chain)) {
        *st = l2w_web_respond_error(resp, 404, "chain", ledgers[k].not_listed);
        return false;
    }
    return true;
}

static l2w_status windows(l2w_web_response *resp, const l2w_web_request *req, ledger_kind k, l2w_err *err)
{
    const char *chain = l2w_web_query(req, "chain");
    if (chain && !ledger_lists(req->cfg, k, chain))
        return l2w_web_respond_error(resp, 404, "chain", ledgers[k].not_listed);
    const char *end = l2w_web_query(req, "end");
    int64_t end_midnight;
    if (end && l2w_web_parse_day(&end_midnight, end) != L2W_OK)
        return l2w_web_respond_error(resp, 400, "end", "end must be a UTC day such as 2026-11-22");
    const char *names[L2W_MAX_FEE_CHAINS];
    size_t n = chain ? 1 : ledger_chains(req->cfg, k, names);
    if (chain)
        names[0] = chain;
    char *chains;
    if (l2w_db_text_array_literal(&chains, names, n) != L2W_OK) {
        l2w_err_set(err, "%s: out of memory", ledgers[k].what);
        return L2W_ERR_NOMEM;
    }
    const char *params[] = {chains, end, ledgers[k].prefix, ledgers[k].metrics};
    l2w_status st = l2w_web_json_query(resp, req, windows_sql, 4, params, "no windows", err);
    free(chains);
    return st;
}

static l2w_status days(l2w_web_response *resp, const l2w_web_request *req, ledger_kind k, l2w_err *err)
{
    const char *chain;
    l2w_status st;
    if (!one_chain(resp, req, k, &chain, &st))
        return st;
    const char *since = l2w_web_query(req, "since"), *until = l2w_web_query(req, "until");
    int64_t midnight;
    if (since && l2w_web_parse_day(&midnight, since) != L2W_OK)
        return l2w_web_respond_error(resp, 400, "since", "since must be a UTC day such as 2026-11-22");
    if (until && l2w_web_parse_day(&midnight, until) != L2W_OK)
        return l2w_web_respond_error(resp, 400, "until", "until must be a UTC day such as 2026-11-22");
    unsigned limit;
    if (l2w_web_parse_limit(&limit, l2w_web_query(req, "limit"), DAYS_DEFAULT_LIMIT, DAYS_MAX_LIMIT) != L2W_OK)
        return l2w_web_respond_error(resp, 400, "limit", "limit must be an integer from 1 to 1000");
    char limit_text[16];
    snprintf(limit_text, sizeof limit_text, "%u", limit);
    const char *params[] = {chain, since, until, limit_text};
    return l2w_web_json_query(resp, req, ledgers[k].days_sql, 4, params, "no days", err);
}

/* Block rows (fees) or postings (batch costs), newest first, paged back by block. */
static l2w_status rows(l2w_web_response *resp, const l2w_web_request *req, ledger_kind k, l2w_err *err)
{
    const char *chain;
    l2w_status st;
    if (!one_chain(resp, req, k, &chain, &st))
        return st;
    const char *before = l2w_web_query(req, "before");
    int64_t before_block; /* only checked: the text goes to the query, canonical once it parses */
    if (before && l2w_web_parse_id(&before_block, before) != L2W_OK)
        return l2w_web_respond_error(resp, 400, "before", "before must be a block number, an integer from 1");
    unsigned limit;
    if (l2w_web_parse_limit(&limit, l2w_web_query(req, "limit"), ROWS_DEFAULT_LIMIT, ROWS_MAX_LIMIT) != L2W_OK)
        return l2w_web_respond_error(resp, 400, "limit", "limit must be an integer from 1 to 1000");
    char limit_text[16];
    snprintf(limit_text, sizeof limit_text, "%u", limit);
    const char *params[] = {chain, before, limit_text};
    return l2w_web_json_query(resp, req, k == LEDGER_FEES ? fee_blocks_sql : postings_sql, 3, params, "no rows",
                              err);
}

l2w_status l2w_route_fees(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err)
{
    return windows(resp, req, LEDGER_FEES, err);
}

l2w_status l2w_route_fee_days(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err)
{
    return days(resp, req, LEDGER_FEES, err);
}

l2w_status l2w_route_fee_blocks(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err)
{
    return rows(resp, req, LEDGER_FEES, err);
}

l2w_status l2w_route_batch_costs(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err)
{
    return windows(resp, req, LEDGER_BATCH_COSTS, err);
}

l2w_status l2w_route_batch_cost_days(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err)
{
    return days(resp, req, LEDGER_BATCH_COSTS, err);
}

l2w_status l2w_route_batch_postings(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err)
{
    return rows(resp, req, LEDGER_BATCH_COSTS, err);
}
