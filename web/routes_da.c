/* GET /api/v1/da: every configured da: entry with its scan position,
 * commitment counts, last posting and open findings; GET
 * /api/v1/da/commitments: the commitments seen, newest first, paged back
 * by id.
 *
 * Both join the config (servers, addresses) or sanitise stored text (a
 * server URL may carry a key), so their documents are built here rather
 * than in SQL; the figures come from the loaders the dashboard's DA page
 * uses (web/routes_dashboard_da.h). */

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collector/rpc_url.h"
#include "core/json.h"
#include "web/json_doc.h"
#include "web/params.h"
#include "web/routes.h"
#include "web/routes_dashboard_da.h"

#define COMMITMENTS_DEFAULT_LIMIT 100
#define COMMITMENTS_MAX_LIMIT 1000

static json_t *shown_url(const char *url)
{
    if (!url)
        return json_null();
    char shown[L2W_RPC_URL_SHOWN_MAX];
    l2w_rpc_url_shown(shown, sizeof shown, url);
    return json_string(shown);
}

static json_t *shown_urls(char *const *urls, size_t n)
{
    json_t *list = json_array();
    for (size_t j = 0; list && j < n; j++) {
        if (json_array_append_new(list, shown_url(urls[j])) != 0) {
            json_decref(list);
            return NULL;
        }
    }
    return list;
}

/* ---- GET /api/v1/da ---- */

static json_t *scan_doc(const PGresult *res, int row)
{
    const char *next = l2w_doc_value(res, row, L2W_WD_SCAN_NEXT);
    long long n = next ? strtoll(next, NULL, 10) : 0;
    json_t *doc = json_object();
    bool ok = doc != NULL;
    ok = ok && l2w_doc_set(doc, "next_block", l2w_doc_int(next));
    ok = ok && l2w_doc_set(doc, "scanned_through", next && n > 0 ? json_integer((json_int_t)(n - 1)) : json_null());
    ok = ok && l2w_doc_set(doc, "updated_at", l2w_doc_text(l2w_doc_value(res, row, L2W_WD_SCAN_UPDATED)));
    return l2w_doc_done(doc, ok);
}

static json_t *counts_doc(const PGresult *res, int row)
{
    json_t *doc = json_object(), *by_status = json_object(), *by_kind = json_object();
    bool ok = doc && by_status && by_kind;
    ok = ok && l2w_doc_set(by_status, "pending", l2w_doc_count(res, row, L2W_WD_PENDING));
    ok = ok && l2w_doc_set(by_status, "available", l2w_doc_count(res, row, L2W_WD_AVAILABLE));
    ok = ok && l2w_doc_set(by_status, "withheld", l2w_doc_count(res, row, L2W_WD_WITHHELD));
    ok = ok && l2w_doc_set(by_status, "expired", l2w_doc_count(res, row, L2W_WD_EXPIRED));
    ok = ok && l2w_doc_set(by_kind, "keccak", l2w_doc_count(res, row, L2W_WD_KECCAK));
    ok = ok && l2w_doc_set(by_kind, "blob", l2w_doc_count(res, row, L2W_WD_BLOB));
    ok = ok && l2w_doc_set(doc, "total", l2w_doc_count(res, row, L2W_WD_TOTAL));
    ok = l2w_doc_set(doc, "by_status", by_status) && ok;
    ok = l2w_doc_set(doc, "by_kind", by_kind) && ok;
    return l2w_doc_done(doc, ok);
}

static json_t *challenges_doc(const PGresult *res, int row)
{
    json_t *doc = json_object();
    bool ok = doc != NULL;
    ok = ok && l2w_doc_set(doc, "active", l2w_doc_count(res, row, L2W_WD_CH_ACTIVE));
    ok = ok && l2w_doc_set(doc, "resolved", l2w_doc_count(res, row, L2W_WD_CH_RESOLVED));
    ok = ok && l2w_doc_set(doc, "expired", l2w_doc_count(res, row, L2W_WD_CH_EXPIRED));
    return l2w_doc_done(doc, ok);
}

static json_t *last_posting_doc(const PGresult *res, int row)
{
    if (!l2w_doc_value(res, row, L2W_WD_LAST_TS))
        return json_null();
    json_t *doc = json_object();
    bool ok = doc != NULL;
    ok = ok && l2w_doc_set(doc, "block_number", l2w_doc_int(l2w_doc_value(res, row, L2W_WD_LAST_BLOCK)));
    ok = ok && l2w_doc_set(doc, "timestamp", l2w_doc_int(l2w_doc_value(res, row, L2W_WD_LAST_TS)));
    ok = ok && l2w_doc_set(doc, "tx_hash", l2w_doc_text(l2w_doc_value(res, row, L2W_WD_LAST_TX)));
    return l2w_doc_done(doc, ok);
}

static json_t *open_findings_doc(const PGresult *res, int row)
{
    json_t *doc = json_object();
    bool ok = doc != NULL;
    ok = ok && l2w_doc_set(doc, "data_withheld", l2w_doc_count(res, row, L2W_WD_OPEN_WITHHELD));
    ok = ok && l2w_doc_set(doc, "da_challenged", l2w_doc_count(res, row, L2W_WD_OPEN_CHALLENGED));
    return l2w_doc_done(doc, ok);
}

static json_t *entry_doc(const l2w_config *cfg, const l2w_da_config *da, const PGresult *res, int row, long long now)
{
    const l2w_chain_config *ch = l2w_config_chain(cfg, da->chain);
    const char *last = l2w_doc_value(res, row, L2W_WD_LAST_TS);
    long long age = last ? now - strtoll(last, NULL, 10) : 0;
    json_t *doc = json_object();
    bool ok = doc != NULL;
    ok = ok && l2w_doc_set(doc, "chain", json_string(da->chain));
    ok = ok && l2w_doc_set(doc, "l1_chain", ch && ch->l1 ? json_string(ch->l1) : json_null());
    ok = ok && l2w_doc_set(doc, "batch_inbox", l2w_json_addr(&da->batch_inbox));
    ok = ok && l2w_doc_set(doc, "batcher", l2w_json_addr(&da->batcher));
    ok = ok && l2w_doc_set(doc, "servers", shown_urls(da->servers, da->n_servers));
    ok = ok && l2w_doc_set(doc, "beacon_urls", shown_urls(da->beacon_urls, da->n_beacon_urls));
    ok = ok && l2w_doc_set(doc, "challenge_contract",
                   da->has_challenge_contract ? l2w_json_addr(&da->challenge_contract) : json_null());
    ok = ok && l2w_doc_set(doc, "fetch_deadline_s", json_integer(da->fetch_deadline_s));
    ok = ok && l2w_doc_set(doc, "scan", scan_doc(res, row));
    ok = ok && l2w_doc_set(doc, "commitments", counts_doc(res, row));
    ok = ok && l2w_doc_set(doc, "challenges", challenges_doc(res, row));
    ok = ok && l2w_doc_set(doc, "last_posting", last_posting_doc(res, row));
    ok = ok && l2w_doc_set(doc, "seconds_since_last_posting", last ? json_integer(age > 0 ? age : 0) : json_null());
    ok = ok && l2w_doc_set(doc, "open_findings", open_findings_doc(res, row));
    return l2w_doc_done(doc, ok);
}

l2w_status l2w_route_da(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err)
{
    l2w_web_da_data data;
    l2w_db *db;
    l2w_status st = l2w_db_pool_acquire(req->pool, &db, L2W_WEB_DB_WAIT_MS, err);
    if (st != L2W_OK)
        return st;
    st = l2w_web_da_load(&data, db, req->cfg, err);
    l2w_db_pool_release(req->pool, db);
    if (st != L2W_OK)
        return st;
    long long now = (long long)time(NULL);
    json_t *doc = json_object(), *list = json_array();
    bool ok = doc && list;
    for (size_t i = 0; ok && i < req->cfg->n_da; i++)
        ok = json_array_append_new(list, entry_doc(req->cfg, &req->cfg->da[i], data.entries, (int)i, now)) == 0;
    l2w_web_da_clear(&data);
    ok = ok && l2w_doc_set(doc, "now", json_integer(now));
    ok = l2w_doc_set(doc, "da", list) && ok;
    return l2w_doc_respond(resp, doc, ok, "da", err);
}

/* ---- GET /api/v1/da/commitments ---- */

static json_t *commitment_doc(const PGresult *res, int row)
{
    const char *ch = l2w_doc_value(res, row, L2W_WC_CHALLENGE);
    const char *ch_name = ch ? l2w_web_challenge_name(atoi(ch)) : NULL;
    json_t *doc = json_object();
    bool ok = doc != NULL;
    ok = ok && l2w_doc_set(doc, "id", l2w_doc_int(l2w_doc_value(res, row, L2W_WC_ID)));
    ok = ok && l2w_doc_set(doc, "chain", l2w_doc_text(l2w_doc_value(res, row, L2W_WC_CHAIN)));
    ok = ok && l2w_doc_set(doc, "l1_chain", l2w_doc_text(l2w_doc_value(res, row, L2W_WC_L1_CHAIN)));
    ok = ok && l2w_doc_set(doc, "block_number", l2w_doc_int(l2w_doc_value(res, row, L2W_WC_BLOCK)));
    ok = ok && l2w_doc_set(doc, "block_hash", l2w_doc_text(l2w_doc_value(res, row, L2W_WC_BLOCK_HASH)));
    ok = ok && l2w_doc_set(doc, "block_timestamp", l2w_doc_int(l2w_doc_value(res, row, L2W_WC_BLOCK_TS)));
    ok = ok && l2w_doc_set(doc, "tx_hash", l2w_doc_text(l2w_doc_value(res, row, L2W_WC_TX)));
    ok = ok && l2w_doc_set(doc, "tx_index", l2w_doc_int(l2w_doc_value(res, row, L2W_WC_TX_INDEX)));
    ok = ok && l2w_doc_set(doc, "kind", l2w_doc_text(l2w_doc_value(res, row, L2W_WC_KIND)));
    ok = ok && l2w_doc_set(doc, "commitment", l2w_doc_text(l2w_doc_value(res, row, L2W_WC_COMMITMENT)));
    ok = ok && l2w_doc_set(doc, "blob_index", l2w_doc_int(l2w_doc_value(res, row, L2W_WC_BLOB_INDEX)));
    ok = ok && l2w_doc_set(doc, "status", l2w_doc_text(l2w_doc_value(res, row, L2W_WC_STATUS)));
    ok = ok && l2w_doc_set(doc, "attempts", l2w_doc_int(l2w_doc_value(res, row, L2W_WC_ATTEMPTS)));
    ok = ok && l2w_doc_set(doc, "data_bytes", l2w_doc_int(l2w_doc_value(res, row, L2W_WC_DATA_BYTES)));
    ok = ok && l2w_doc_set(doc, "served_by", shown_url(l2w_doc_value(res, row, L2W_WC_SERVED_BY)));
    ok = ok && l2w_doc_set(doc, "last_error", l2w_doc_text(l2w_doc_value(res, row, L2W_WC_LAST_ERROR)));
    ok = ok && l2w_doc_set(doc, "finding_id", l2w_doc_int(l2w_doc_value(res, row, L2W_WC_FINDING)));
    ok = ok && l2w_doc_set(doc, "challenge_status", l2w_doc_text(ch_name));
    ok = ok && l2w_doc_set(doc, "challenge_block", l2w_doc_int(l2w_doc_value(res, row, L2W_WC_CHALLENGE_BLOCK)));
    ok = ok && l2w_doc_set(doc, "seen_at", l2w_doc_text(l2w_doc_value(res, row, L2W_WC_SEEN_AT)));
    ok = ok && l2w_doc_set(doc, "checked_at", l2w_doc_text(l2w_doc_value(res, row, L2W_WC_CHECKED_AT)));
    return l2w_doc_done(doc, ok);
}

static bool parse_commitment_status(const char **out, const char *text)
{
    static const char *const statuses[] = {"pending", "available", "withheld", "expired"};
    for (size_t i = 0; text && i < sizeof statuses / sizeof statuses[0]; i++) {
        if (strcmp(text, statuses[i]) == 0) {
            *out = statuses[i];
            return true;
        }
    }
    return false;
}

l2w_status l2w_route_da_commitments(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err)
{
    const char *chain = l2w_web_query(req, "chain");
    if (chain && !l2w_config_da(req->cfg, chain))
        return l2w_web_respond_error(resp, 400, "chain", "chain must name a chain with a da: entry");
    const char *status = NULL, *status_text = l2w_web_query(req, "status");
    if (status_text && !parse_commitment_status(&status, status_text))
        return l2w_web_respond_error(resp, 400, "status", "status must be pending, available, withheld or expired");
    unsigned limit;
    if (l2w_web_parse_limit(&limit, l2w_web_query(req, "limit"), COMMITMENTS_DEFAULT_LIMIT, COMMITMENTS_MAX_LIMIT) !=
        L2W_OK)
        return l2w_web_respond_error(resp, 400, "limit", "limit must be an integer from 1 to 1000");
    int64_t before = 0;
    const char *before_text = l2w_web_query(req, "before");
    if (before_text && l2w_web_parse_id(&before, before_text) != L2W_OK)
        return l2w_web_respond_error(resp, 400, "before", "before must be a commitment id, an integer from 1");

    l2w_db *db;
    l2w_status st = l2w_db_pool_acquire(req->pool, &db, L2W_WEB_DB_WAIT_MS, err);
    if (st != L2W_OK)
        return st;
    PGresult *res;
    st = l2w_web_da_commitments_load(&res, db, chain, status, before_text ? &before : NULL, limit, err);
    l2w_db_pool_release(req->pool, db);
    if (st != L2W_OK)
        return st;
    /* The query reads one row past the page: its presence says there is a
     * next page, which continues below the page's last id. */
    int rows = PQntuples(res);
    bool more = rows > (int)limit;
    int shown = more ? (int)limit : rows;
    json_t *doc = json_object(), *list = json_array();
    bool ok = doc && list;
    for (int i = 0; ok && i < shown; i++)
        ok = json_array_append_new(list, commitment_doc(res, i)) == 0;
    ok = l2w_doc_set(doc, "commitments", list) && ok;
    ok = ok &&
         l2w_doc_set(doc, "next_before", more ? l2w_doc_int(l2w_doc_value(res, shown - 1, L2W_WC_ID)) : json_null());
    PQclear(res);
    return l2w_doc_respond(resp, doc, ok, "da commitments", err);
}
