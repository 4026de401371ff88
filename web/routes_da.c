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
#include "web/params.h"
#include "web/routes.h"
#include "web/routes_dashboard_da.h"

#define COMMITMENTS_DEFAULT_LIMIT 100
#define COMMITMENTS_MAX_LIMIT 1000

/* Each setter returns false when the value could not be made or set; a
 * sub-document handed to set() is taken over even then, so none leaks. */
static bool set(json_t *obj, const char *key, json_t *v)
{
    return json_object_set_new(obj, key, v) == 0;
}

static const char *value(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

static json_t *text_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *int_or_null(const char *s)
{
    return s ? json_integer((json_int_t)strtoll(s, NULL, 10)) : json_null();
}

/* A count column: never NULL, 0 if it were. */
static json_t *count(const PGresult *res, int row, int col)
{
    const char *s = value(res, row, col);
    return json_integer(s ? (json_int_t)strtoll(s, NULL, 10) : 0);
}

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

static json_t *object_or_null(json_t *obj, bool ok)
{
    if (ok)
        return obj;
    json_decref(obj);
    return NULL;
}

/* ---- GET /api/v1/da ---- */

static json_t *scan_doc(const PGresult *res, int row)
{
    const char *next = value(res, row, L2W_WD_SCAN_NEXT);
    long long n = next ? strtoll(next, NULL, 10) : 0;
    json_t *doc = json_object();
    bool ok = doc != NULL;
    ok = ok && set(doc, "next_block", int_or_null(next));
    ok = ok && set(doc, "scanned_through", next && n > 0 ? json_integer((json_int_t)(n - 1)) : json_null());
    ok = ok && set(doc, "updated_at", text_or_null(value(res, row, L2W_WD_SCAN_UPDATED)));
    return object_or_null(doc, ok);
}

static json_t *counts_doc(const PGresult *res, int row)
{
    json_t *doc = json_object(), *by_status = json_object(), *by_kind = json_object();
    bool ok = doc && by_status && by_kind;
    ok = ok && set(by_status, "pending", count(res, row, L2W_WD_PENDING));
    ok = ok && set(by_status, "available", count(res, row, L2W_WD_AVAILABLE));
    ok = ok && set(by_status, "withheld", count(res, row, L2W_WD_WITHHELD));
    ok = ok && set(by_status, "expired", count(res, row, L2W_WD_EXPIRED));
    ok = ok && set(by_kind, "keccak", count(res, row, L2W_WD_KECCAK));
    ok = ok && set(by_kind, "blob", count(res, row, L2W_WD_BLOB));
    ok = ok && set(doc, "total", count(res, row, L2W_WD_TOTAL));
    ok = set(doc, "by_status", by_status) && ok;
    ok = set(doc, "by_kind", by_kind) && ok;
    return object_or_null(doc, ok);
}

static json_t *challenges_doc(const PGresult *res, int row)
{
    json_t *doc = json_object();
    bool ok = doc != NULL;
    ok = ok && set(doc, "active", count(res, row, L2W_WD_CH_ACTIVE));
    ok = ok && set(doc, "resolved", count(res, row, L2W_WD_CH_RESOLVED));
    ok = ok && set(doc, "expired", count(res, row, L2W_WD_CH_EXPIRED));
    return object_or_null(doc, ok);
}

static json_t *last_posting_doc(const PGresult *res, int row)
{
    if (!value(res, row, L2W_WD_LAST_TS))
        return json_null();
    json_t *doc = json_object();
    bool ok = doc != NULL;
    ok = ok && set(doc, "block_number", int_or_null(value(res, row, L2W_WD_LAST_BLOCK)));
    ok = ok && set(doc, "timestamp", int_or_null(value(res, row, L2W_WD_LAST_TS)));
    ok = ok && set(doc, "tx_hash", text_or_null(value(res, row, L2W_WD_LAST_TX)));
    return object_or_null(doc, ok);
}

static json_t *open_findings_doc(const PGresult *res, int row)
{
    json_t *doc = json_object();
    bool ok = doc != NULL;
    ok = ok && set(doc, "data_withheld", count(res, row, L2W_WD_OPEN_WITHHELD));
    ok = ok && set(doc, "da_challenged", count(res, row, L2W_WD_OPEN_CHALLENGED));
    return object_or_null(doc, ok);
}

static json_t *entry_doc(const l2w_config *cfg, const l2w_da_config *da, const PGresult *res, int row, long long now)
{
    const l2w_chain_config *ch = l2w_config_chain(cfg, da->chain);
    const char *last = value(res, row, L2W_WD_LAST_TS);
    long long age = last ? now - strtoll(last, NULL, 10) : 0;
    json_t *doc = json_object();
    bool ok = doc != NULL;
    ok = ok && set(doc, "chain", json_string(da->chain));
    ok = ok && set(doc, "l1_chain", ch && ch->l1 ? json_string(ch->l1) : json_null());
    ok = ok && set(doc, "batch_inbox", l2w_json_addr(&da->batch_inbox));
    ok = ok && set(doc, "batcher", l2w_json_addr(&da->batcher));
    ok = ok && set(doc, "servers", shown_urls(da->servers, da->n_servers));
    ok = ok && set(doc, "beacon_urls", shown_urls(da->beacon_urls, da->n_beacon_urls));
    ok = ok && set(doc, "challenge_contract",
                   da->has_challenge_contract ? l2w_json_addr(&da->challenge_contract) : json_null());
    ok = ok && set(doc, "fetch_deadline_s", json_integer(da->fetch_deadline_s));
    ok = ok && set(doc, "scan", scan_doc(res, row));
    ok = ok && set(doc, "commitments", counts_doc(res, row));
    ok = ok && set(doc, "challenges", challenges_doc(res, row));
    ok = ok && set(doc, "last_posting", last_posting_doc(res, row));
    ok = ok && set(doc, "seconds_since_last_posting", last ? json_integer(age > 0 ? age : 0) : json_null());
    ok = ok && set(doc, "open_findings", open_findings_doc(res, row));
    return object_or_null(doc, ok);
}

static l2w_status respond_doc(l2w_web_response *resp, json_t *doc, bool ok, const char *what, l2w_err *err)
{
    char *text = ok ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    if (!text) {
        l2w_err_set(err, "%s: out of memory building the document", what);
        return L2W_ERR_NOMEM;
    }
    l2w_web_respond_take(resp, 200, L2W_CT_JSON, text, strlen(text));
    return L2W_OK;
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
    ok = ok && set(doc, "now", json_integer(now));
    ok = set(doc, "da", list) && ok;
    return respond_doc(resp, doc, ok, "da", err);
}

/* ---- GET /api/v1/da/commitments ---- */

static json_t *commitment_doc(const PGresult *res, int row)
{
    const char *ch = value(res, row, L2W_WC_CHALLENGE);
    const char *ch_name = ch ? l2w_web_challenge_name(atoi(ch)) : NULL;
    json_t *doc = json_object();
    bool ok = doc != NULL;
    ok = ok && set(doc, "id", int_or_null(value(res, row, L2W_WC_ID)));
    ok = ok && set(doc, "chain", text_or_null(value(res, row, L2W_WC_CHAIN)));
    ok = ok && set(doc, "l1_chain", text_or_null(value(res, row, L2W_WC_L1_CHAIN)));
    ok = ok && set(doc, "block_number", int_or_null(value(res, row, L2W_WC_BLOCK)));
    ok = ok && set(doc, "block_hash", text_or_null(value(res, row, L2W_WC_BLOCK_HASH)));
    ok = ok && set(doc, "block_timestamp", int_or_null(value(res, row, L2W_WC_BLOCK_TS)));
    ok = ok && set(doc, "tx_hash", text_or_null(value(res, row, L2W_WC_TX)));
    ok = ok && set(doc, "tx_index", int_or_null(value(res, row, L2W_WC_TX_INDEX)));
    ok = ok && set(doc, "kind", text_or_null(value(res, row, L2W_WC_KIND)));
    ok = ok && set(doc, "commitment", text_or_null(value(res, row, L2W_WC_COMMITMENT)));
    ok = ok && set(doc, "blob_index", int_or_null(value(res, row, L2W_WC_BLOB_INDEX)));
    ok = ok && set(doc, "status", text_or_null(value(res, row, L2W_WC_STATUS)));
    ok = ok && set(doc, "attempts", int_or_null(value(res, row, L2W_WC_ATTEMPTS)));
    ok = ok && set(doc, "data_bytes", int_or_null(value(res, row, L2W_WC_DATA_BYTES)));
    ok = ok && set(doc, "served_by", shown_url(value(res, row, L2W_WC_SERVED_BY)));
    ok = ok && set(doc, "last_error", text_or_null(value(res, row, L2W_WC_LAST_ERROR)));
    ok = ok && set(doc, "finding_id", int_or_null(value(res, row, L2W_WC_FINDING)));
    ok = ok && set(doc, "challenge_status", text_or_null(ch_name));
    ok = ok && set(doc, "challenge_block", int_or_null(value(res, row, L2W_WC_CHALLENGE_BLOCK)));
    ok = ok && set(doc, "seen_at", text_or_null(value(res, row, L2W_WC_SEEN_AT)));
    ok = ok && set(doc, "checked_at", text_or_null(value(res, row, L2W_WC_CHECKED_AT)));
    return object_or_null(doc, ok);
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
    ok = set(doc, "commitments", list) && ok;
    ok = ok && set(doc, "next_before", more ? int_or_null(value(res, shown - 1, L2W_WC_ID)) : json_null());
    PQclear(res);
    return respond_doc(resp, doc, ok, "da commitments", err);
}
