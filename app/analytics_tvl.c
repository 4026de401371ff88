/* TVL samples: each bridge token's latest escrow balance (escrow_samples,
 * kept by the bridge guard) in token units and, when the token's latest
 * price read is fresh at the sampling time, in USD. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/analytics_internal.h"
#include "collector/bridge_events.h"
#include "core/log.h"

/* What the token's price comes to at the sampling time. */
typedef struct {
    const char *status;            /* price_samples.status, or unpriced / no_reading */
    char id[24];                   /* the price_samples row used (status fresh) */
    l2w_u256 answer;
    uint8_t decimals;
} price_view;

static l2w_status db_fault(l2w_err *err, const char *what, const char *bridge)
{
    l2w_err_set(err, "tvl %s: stored %s is malformed", bridge, what);
    return L2W_ERR_DB;
}

/* The latest read of p: its verdict, and a fresh one that has aged past
 * max_age_seconds since it was read is stale now. */
static l2w_status price_at(l2w_db *db, const l2w_price_config *p, time_t now, price_view *out, l2w_err *err)
{
    memset(out, 0, sizeof *out);
    if (!p) {
        out->status = "unpriced";
        return L2W_OK;
    }
    const char *params[] = {p->symbol};
    PGresult *res;
    l2w_status st = l2w_db_exec(db, &res,
                                "SELECT id, answer, decimals, updated_at, status FROM price_samples WHERE token = $1 "
                                "ORDER BY id DESC LIMIT 1",
                                1, params, err);
    if (st != L2W_OK)
        return st;
    if (PQntuples(res) == 0) {
        out->status = "no_reading";
    } else if (strcmp(PQgetvalue(res, 0, 4), "fresh") != 0) {
        static const char *const verdicts[] = {"stale", "non_positive", "incomplete_round"};
        out->status = "stale";
        for (size_t i = 0; i < sizeof verdicts / sizeof verdicts[0]; i++)
            if (strcmp(PQgetvalue(res, 0, 4), verdicts[i]) == 0)
                out->status = verdicts[i];
    } else if ((uint64_t)now > strtoull(PQgetvalue(res, 0, 3), NULL, 10) + p->max_age_s) {
        out->status = "stale";
    } else if (l2w_u256_from_dec(&out->answer, PQgetvalue(res, 0, 1)) != L2W_OK) {
        st = db_fault(err, "price answer", p->symbol);
    } else {
        out->status = "fresh";
        out->decimals = (uint8_t)atoi(PQgetvalue(res, 0, 2));
        snprintf(out->id, sizeof out->id, "%s", PQgetvalue(res, 0, 0));
    }
    PQclear(res);
    return st;
}

static l2w_status insert_sample(l2w_db *db, const l2w_bridge_config *b, const l2w_bridge_token *t, const char *key,
                                PGresult *es, const l2w_u256 *balance, const price_view *pv, const char *usd,
                                time_t now, l2w_err *err)
{
    char at[24], decimals[8], amount[L2W_U256_UNITS_LEN];
    snprintf(at, sizeof at, "%lld", (long long)now);
    snprintf(decimals, sizeof decimals, "%u", (unsigned)t->decimals);
    l2w_u256_to_units(amount, balance, t->decimals);
    const char *params[] = {at,
                            b->name,
                            key,
                            t->symbol,
                            PQgetvalue(es, 0, 0),
                            PQgetvalue(es, 0, 1),
                            PQgetvalue(es, 0, 2),
                            PQgetvalue(es, 0, 3),
                            decimals,
                            amount,
                            pv->id[0] ? pv->id : NULL,
                            pv->status,
                            usd};
    return l2w_db_exec(db, NULL,
                       "INSERT INTO tvl_samples (sampled_at, bridge, token, symbol, chain, block_hash, block_number, "
                       "balance, decimals, amount, price_id, price_status, usd) VALUES (to_timestamp($1), $2, $3, $4, "
                       "$5, $6, $7, $8, $9, $10, $11, $12, $13)",
                       13, params, err);
}

static void set_gauges(const l2w_bridge_config *b, const l2w_bridge_token *t, const char *amount, const char *usd)
{
    char sym[96], labels[192];
    if (l2w_metrics_escape_label(sym, sizeof sym, t->symbol) != L2W_OK)
        return; /* checked at start for priced tokens; an unlabelled series is only a gauge lost */
    snprintf(labels, sizeof labels, "bridge=\"%s\",token=\"%s\"", b->name, sym);
    l2w_gauge_set(l2w_gauge_get("l2watch_tvl_tokens", "Escrowed value in whole tokens (display figure)", labels),
                  strtod(amount, NULL));
    if (usd)
        l2w_gauge_set(l2w_gauge_get("l2watch_tvl_usd", "Escrowed value in USD at a fresh price (display figure)",
                                    labels),
                      strtod(usd, NULL));
}

static l2w_status sample_token(prices_ctx *c, l2w_db *db, const l2w_bridge_config *b, const l2w_bridge_token *t,
                               time_t now, l2w_err *err)
{
    char key[43];
    l2w_token_key(key, t->native, &t->address);
    const char *params[] = {b->name, key};
    PGresult *es;
    l2w_status st = l2w_db_exec(db, &es,
                                "SELECT chain, block_hash, block_number, balance FROM escrow_samples "
                                "WHERE bridge = $1 AND token = $2 ORDER BY block_number DESC LIMIT 1",
                                2, params, err);
    if (st != L2W_OK)
        return st;
    l2w_u256 balance, usd_micro;
    price_view pv;
    char usd[L2W_U256_UNITS_LEN], amount[L2W_U256_UNITS_LEN];
    bool priced = false;
    if (PQntuples(es) == 0) {
        PQclear(es);
        return L2W_OK; /* no balance read yet */
    }
    if (l2w_u256_from_dec(&balance, PQgetvalue(es, 0, 3)) != L2W_OK)
        st = db_fault(err, "escrow balance", b->name);
    if (st == L2W_OK)
        st = price_at(db, l2w_config_price(c->cfg, t), now, &pv, err);
    if (st == L2W_OK && strcmp(pv.status, "fresh") == 0) {
        st = l2w_price_usd_micro(&usd_micro, &balance, t->decimals, &pv.answer, pv.decimals, err);
        l2w_u256_to_units(usd, &usd_micro, 6);
        priced = st == L2W_OK;
    }
    if (st == L2W_OK)
        st = insert_sample(db, b, t, key, es, &balance, &pv, priced ? usd : NULL, now, err);
    PQclear(es);
    if (st != L2W_OK) {
        l2w_err_prefix(err, "tvl of %s on bridge %s", t->symbol, b->name);
        return st;
    }
    l2w_u256_to_units(amount, &balance, t->decimals);
    set_gauges(b, t, amount, priced ? usd : NULL);
    return L2W_OK;
}

l2w_status l2w_analytics_sample_tvl(prices_ctx *c, l2w_db *db, time_t now, l2w_err *err)
{
    /* One transaction: the samples of a pass share their time. */
    l2w_status st = l2w_db_begin(db, err);
    for (size_t i = 0; st == L2W_OK && i < c->cfg->n_bridges; i++) {
        const l2w_bridge_config *b = &c->cfg->bridges[i];
        for (size_t t = 0; st == L2W_OK && t < b->n_tokens; t++)
            st = sample_token(c, db, b, &b->tokens[t], now, err);
    }
    return l2w_db_end(db, st, err);
}
