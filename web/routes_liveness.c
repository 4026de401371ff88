/* GET /api/v1/liveness: every configured liveness: series with its limits,
 * last event, the band of normal intervals and its open liveness_gap
 * finding; GET /api/v1/liveness/intervals: one series' last intervals, for
 * a chart, with the same band.
 *
 * The band is the rule's own (l2w_liveness_band_get) over a tracker
 * rebuilt per request from the stored events, as the guard rebuilds its
 * own (app/liveness_events.h), so it is what the guard judges by without
 * asking the guard, which may run on another replica. */

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/liveness_events.h"
#include "web/params.h"
#include "web/json_doc.h"
#include "web/routes.h"
#include "web/routes_dashboard_da.h"

#define INTERVALS_DEFAULT_LIMIT 100

static bool set(json_t *obj, const char *key, json_t *v)
{
    return json_object_set_new(obj, key, v) == 0;
}

static json_t *object_or_null(json_t *obj, bool ok)
{
    if (ok)
        return obj;
    json_decref(obj);
    return NULL;
}

static json_t *limits_doc(const l2w_liveness_config *r)
{
    json_t *doc = json_object();
    bool ok = doc != NULL;
    ok = ok && set(doc, "max_interval_s", json_integer((json_int_t)r->max_interval_s));
    ok = ok && set(doc, "min_gap_s", json_integer((json_int_t)r->min_gap_s));
    ok = ok && set(doc, "min_samples", json_integer(r->min_samples));
    ok = ok && set(doc, "window", json_integer(r->window));
    ok = ok && set(doc, "z_threshold", json_real(r->z_threshold));
    return object_or_null(doc, ok);
}

static json_t *defaulted_doc(const l2w_liveness_series_config *sc)
{
    unsigned bits = l2w_web_liveness_defaulted(sc);
    json_t *list = json_array();
    for (unsigned i = 0; list && i < 5; i++) {
        if ((bits & (1u << i)) && json_array_append_new(list, json_string(l2w_web_liveness_limit_names[i])) != 0) {
            json_decref(list);
            return NULL;
        }
    }
    return list;
}

/* mean and low once an interval is known, stddev once two are (the rule's
 * own: floored at 1 s); high always (max_interval_s until statistical). */
static json_t *band_doc(const l2w_liveness_band *b)
{
    json_t *doc = json_object();
    bool ok = doc != NULL;
    ok = ok && set(doc, "statistical", json_boolean(b->statistical));
    ok = ok && set(doc, "samples", json_integer(b->samples));
    ok = ok && set(doc, "mean_s", b->samples >= 1 ? json_real(b->mean) : json_null());
    ok = ok && set(doc, "stddev_s", b->samples >= 2 ? json_real(b->stddev) : json_null());
    ok = ok && set(doc, "low_s", b->samples >= 1 ? json_real(b->low) : json_null());
    ok = ok && set(doc, "high_s", json_real(b->high));
    return object_or_null(doc, ok);
}

static json_t *int_text_or_null(const PGresult *res, int col)
{
    if (PQgetisnull(res, 0, col))
        return json_null();
    const char *s = PQgetvalue(res, 0, col);
    char *end;
    long long v = strtoll(s, &end, 10);
    return *s && *end == '\0' ? json_integer((json_int_t)v) : json_null();
}

static json_t *finding_doc(const PGresult *res)
{
    if (!res || PQntuples(res) == 0)
        return json_null();
    json_t *doc = json_object();
    bool ok = doc != NULL;
    ok = ok && set(doc, "id", int_text_or_null(res, L2W_WL_F_ID));
    ok = ok && set(doc, "severity", json_string(PQgetvalue(res, 0, L2W_WL_F_SEVERITY)));
    ok = ok && set(doc, "title", json_string(PQgetvalue(res, 0, L2W_WL_F_TITLE)));
    ok = ok && set(doc, "detected_at", json_string(PQgetvalue(res, 0, L2W_WL_F_DETECTED_AT)));
    ok = ok && set(doc, "last_event_ts", int_text_or_null(res, L2W_WL_F_LAST_EVENT_TS));
    ok = ok && set(doc, "gap_s", int_text_or_null(res, L2W_WL_F_GAP_S));
    return object_or_null(doc, ok);
}

/* The fields a series document and an intervals document share. */
static bool series_fields(json_t *doc, const l2w_web_liveness_series *s, long long now)
{
    long long age = s->has_last ? now - (long long)s->last_ts : 0;
    bool ok = set(doc, "chain", json_string(s->scfg->chain));
    ok = ok && set(doc, "kind", json_string(s->scfg->kind));
    ok = ok && set(doc, "limits", limits_doc(&s->rule));
    ok = ok && set(doc, "last_event_ts", s->has_last ? json_integer((json_int_t)s->last_ts) : json_null());
    ok = ok && set(doc, "seconds_since_last_event", s->has_last ? json_integer(age > 0 ? age : 0) : json_null());
    ok = ok && set(doc, "band", band_doc(&s->band));
    return ok;
}

/* ---- GET /api/v1/liveness ---- */

static json_t *series_doc(const l2w_web_liveness_series *s, long long now)
{
    json_t *doc = json_object();
    bool ok = doc != NULL;
    ok = ok && series_fields(doc, s, now);
    ok = ok && set(doc, "limits_defaulted", defaulted_doc(s->scfg));
    ok = ok && set(doc, "open_finding", finding_doc(s->finding));
    return object_or_null(doc, ok);
}

l2w_status l2w_route_liveness(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err)
{
    const l2w_config *cfg = req->cfg;
    json_t *doc = json_object(), *list = json_array();
    if (!doc || !list) {
        json_decref(doc);
        json_decref(list);
        l2w_err_set(err, "liveness: out of memory");
        return L2W_ERR_NOMEM;
    }
    l2w_db *db;
    l2w_status st = l2w_db_pool_acquire(req->pool, &db, L2W_WEB_DB_WAIT_MS, err);
    if (st != L2W_OK) {
        json_decref(doc);
        json_decref(list);
        return st;
    }
    long long now = (long long)time(NULL);
    bool ok = true;
    for (size_t i = 0; ok && st == L2W_OK && i < cfg->n_liveness; i++) {
        l2w_web_liveness_series s;
        st = l2w_web_liveness_load(&s, db, &cfg->liveness[i], 0, err);
        if (st == L2W_OK) {
            ok = json_array_append_new(list, series_doc(&s, now)) == 0;
            l2w_web_liveness_clear(&s);
        }
    }
    l2w_db_pool_release(req->pool, db);
    if (st != L2W_OK) {
        json_decref(doc);
        json_decref(list);
        return st;
    }
    ok = ok && set(doc, "now", json_integer(now));
    ok = set(doc, "series", list) && ok;
    return l2w_doc_respond(resp, doc, ok, "liveness", err);
}

/* ---- GET /api/v1/liveness/intervals ---- */

static json_t *intervals_doc(const l2w_web_liveness_series *s)
{
    json_t *list = json_array();
    for (size_t i = 0; list && i < s->n_intervals; i++) {
        json_t *iv = json_object();
        bool ok = iv != NULL;
        ok = ok && set(iv, "ts", json_integer((json_int_t)s->intervals[i].ts));
        ok = ok && set(iv, "interval_s", json_integer((json_int_t)s->intervals[i].interval_s));
        if (json_array_append_new(list, object_or_null(iv, ok)) != 0) {
            json_decref(list);
            return NULL;
        }
    }
    return list;
}

l2w_status l2w_route_liveness_intervals(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err)
{
    const l2w_config *cfg = req->cfg;
    const char *chain = l2w_web_query(req, "chain");
    if (!chain || !*chain)
        return l2w_web_respond_error(resp, 400, "chain", "chain is required: a chain with a liveness: series");
    const char *kind = l2w_web_query(req, "kind");
    l2w_liveness_kind k;
    if (!kind || !l2w_liveness_kind_parse(&k, kind))
        return l2w_web_respond_error(resp, 400, "kind", "kind must be batches, proposals or l2_head");
    unsigned limit;
    if (l2w_web_parse_limit(&limit, l2w_web_query(req, "limit"), INTERVALS_DEFAULT_LIMIT, L2W_LIVENESS_WINDOW_MAX) !=
        L2W_OK)
        return l2w_web_respond_error(resp, 400, "limit", "limit must be an integer from 1 to 1024");
    const l2w_liveness_series_config *sc = NULL;
    bool chain_known = false;
    for (size_t i = 0; !sc && i < cfg->n_liveness; i++) {
        if (strcmp(cfg->liveness[i].chain, chain) != 0)
            continue;
        chain_known = true;
        if (strcmp(cfg->liveness[i].kind, kind) == 0)
            sc = &cfg->liveness[i];
    }
    if (!sc)
        return l2w_web_respond_error(resp, 404, chain_known ? "kind" : "chain",
                                     chain_known ? "this chain has no liveness: series of that kind"
                                                 : "no liveness: series watches this chain");

    l2w_db *db;
    l2w_status st = l2w_db_pool_acquire(req->pool, &db, L2W_WEB_DB_WAIT_MS, err);
    if (st != L2W_OK)
        return st;
    l2w_web_liveness_series s;
    st = l2w_web_liveness_load(&s, db, sc, limit, err);
    l2w_db_pool_release(req->pool, db);
    if (st != L2W_OK)
        return st;
    long long now = (long long)time(NULL);
    json_t *doc = json_object();
    bool ok = doc != NULL;
    ok = ok && series_fields(doc, &s, now);
    ok = ok && set(doc, "now", json_integer(now));
    ok = ok && set(doc, "intervals", intervals_doc(&s));
    l2w_web_liveness_clear(&s);
    return l2w_doc_respond(resp, doc, ok, "liveness intervals", err);
}
