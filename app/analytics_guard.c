#include "app/analytics_guard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/analytics_internal.h"
#include "collector/eth.h"
#include "core/hex.h"
#include "core/log.h"

#define RETRY_MS 1000
/* Schedules are checked this often. */
#define PRICES_TICK_MS 1000
/* A feed whose read failed is tried again after this long (or its poll
 * interval, when shorter), not on every pass. */
#define FEED_RETRY_S 10
/* Feeds and TVL are sampled in one thread, "l2watch-analytics:prices". */
#define PRICES_LOCK_PREFIX "l2watch-analytics:"

struct l2w_analytics_guard {
    bool has_prices;
    prices_ctx prices;
    fees_ctx fees[L2W_MAX_FEE_CHAINS];
    size_t n_fees;
    batch_costs_ctx batches[L2W_MAX_BATCH_COSTS];
    size_t n_batches;
};

/* Starts one collector's thread; its lock is "<lock_prefix><subject>". */
static l2w_status start_loop(l2w_guard_loop **loop, const l2w_config *cfg, const char *component, const char *subject,
                             const char *lock_prefix, uint32_t idle_ms, l2w_guard_step_fn step, void *ctx,
                             l2w_wakeup *wakeup, l2w_err *err)
{
    char lock[96];
    snprintf(lock, sizeof lock, "%s%s", lock_prefix, subject);
    const l2w_guard_spec spec = {.component = component,
                                 .subject = subject,
                                 .lock_name = lock,
                                 .database_url = cfg->database_url,
                                 .idle_ms = idle_ms,
                                 .retry_ms = RETRY_MS,
                                 .step = step,
                                 .ctx = ctx,
                                 .wakeup = wakeup};
    return l2w_guard_loop_start(loop, &spec, err);
}

/* ---- prices ---- */

static l2w_status store_reading(price_feed_ctx *f, l2w_db *db, const l2w_block_header *h, const l2w_price_round *r,
                                time_t now, uint64_t age, l2w_price_verdict v, l2w_err *err)
{
    char agg[2 * 20 + 3], hash[2 * 32 + 3], number[24], round[L2W_U256_DEC_LEN], answer[L2W_PRICE_ANSWER_DEC_LEN],
        decimals[8], started[24], updated[24], in_round[L2W_U256_DEC_LEN], read_at[24], age_s[24];
    l2w_db_bytea_text(agg, f->p->aggregator.b, 20);
    l2w_db_bytea_text(hash, h->hash.b, 32);
    snprintf(number, sizeof number, "%llu", (unsigned long long)h->number);
    l2w_u256_to_dec(round, &r->round_id);
    l2w_price_answer_dec(answer, r);
    snprintf(decimals, sizeof decimals, "%u", (unsigned)r->decimals);
    snprintf(started, sizeof started, "%llu", (unsigned long long)r->started_at);
    snprintf(updated, sizeof updated, "%llu", (unsigned long long)r->updated_at);
    l2w_u256_to_dec(in_round, &r->answered_in_round);
    snprintf(read_at, sizeof read_at, "%lld", (long long)now);
    snprintf(age_s, sizeof age_s, "%llu", (unsigned long long)age);
    const char *params[] = {f->p->symbol, f->p->chain, agg,      number,   hash,   round, answer,
                            decimals,     started,     updated, in_round, read_at, age_s, l2w_price_verdict_name(v)};
    return l2w_db_exec(db, NULL,
                       "INSERT INTO price_samples (token, chain, aggregator, block_number, block_hash, round_id, "
                       "answer, decimals, started_at, updated_at, answered_in_round, read_at, age_s, status) "
                       "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, to_timestamp($12), $13, $14)",
                       14, params, err);
}

/* Logs a change of verdict, not every read of the same one. */
static void report_verdict(price_feed_ctx *f, const l2w_price_round *r, uint64_t age, l2w_price_verdict v)
{
    if ((int)v == f->last_verdict)
        return;
    char round[L2W_U256_DEC_LEN], answer[L2W_PRICE_ANSWER_DEC_LEN];
    l2w_u256_to_dec(round, &r->round_id);
    l2w_price_answer_dec(answer, r);
    if (v == L2W_PRICE_FRESH)
        L2W_INFO("prices", f->p->symbol, "round %s: answer %s, updated %llu s ago: fresh, used", round, answer,
                 (unsigned long long)age);
    else
        L2W_UNUSUAL("prices", f->p->symbol, "round %s: answer %s, updated %llu s ago (max %u s): %s, not used",
                    round, answer, (unsigned long long)age, (unsigned)f->p->max_age_s, l2w_price_verdict_name(v));
    f->last_verdict = (int)v;
}

static l2w_status read_feed(price_feed_ctx *f, l2w_db *db, time_t now, l2w_err *err)
{
    uint64_t head = 0;
    l2w_block_header h;
    l2w_price_round r;
    l2w_status st = l2w_eth_block_number(f->rpc, &head, err);
    if (st == L2W_OK)
        st = l2w_eth_header_by_number(f->rpc, head, &h, err);
    if (st == L2W_OK)
        st = l2w_price_read(f->rpc, &f->p->aggregator, &h.hash, &r, err);
    if (st != L2W_OK) {
        l2w_counter_add(f->errors, 1);
        l2w_err_prefix(err, "price of %s", f->p->symbol);
        return st;
    }
    uint64_t age;
    l2w_price_verdict v = l2w_price_judge(&r, (uint64_t)now, f->p->max_age_s, &age);
    if ((st = store_reading(f, db, &h, &r, now, age, v, err)) != L2W_OK)
        return st;
    l2w_counter_add(f->reads[v], 1);
    l2w_gauge_set(f->age, (double)age);
    if (v == L2W_PRICE_FRESH) {
        char units[L2W_U256_UNITS_LEN];
        l2w_u256_to_units(units, &r.answer, r.decimals);
        l2w_gauge_set(f->usd, strtod(units, NULL)); /* a display figure; money stays exact in the store */
    }
    report_verdict(f, &r, age, v);
    return L2W_OK;
}

/* The first failure of a pass is the one reported; the others still run. */
static void keep_first(l2w_status *first, l2w_err *err, l2w_status st, const l2w_err *e)
{
    if (st != L2W_OK && *first == L2W_OK) {
        *first = st;
        *err = *e;
    }
}

static l2w_status prices_step(void *arg, l2w_db *db, bool *more, bool *raised, l2w_err *err)
{
    prices_ctx *c = arg;
    *more = *raised = false;
    time_t now = time(NULL);
    l2w_status first = L2W_OK;
    for (size_t i = 0; i < c->n_feeds; i++) {
        price_feed_ctx *f = &c->feeds[i];
        if (now < f->next_read)
            continue;
        l2w_err e = {{0}};
        l2w_status st = read_feed(f, db, now, &e);
        f->next_read = now + (st == L2W_OK || f->p->poll_s < FEED_RETRY_S ? f->p->poll_s : FEED_RETRY_S);
        keep_first(&first, err, st, &e);
    }
    if (now >= c->next_tvl) {
        l2w_err e = {{0}};
        l2w_status st = l2w_analytics_sample_tvl(c, db, now, &e);
        c->next_tvl = now + (st == L2W_OK ? c->cfg->analytics.tvl_interval_s : FEED_RETRY_S);
        keep_first(&first, err, st, &e);
    }
    return first;
}

static l2w_status setup_feed(price_feed_ctx *f, const l2w_config *cfg, const l2w_price_config *p, l2w_err *err)
{
    f->p = p;
    f->last_verdict = -1;
    char sym[96], labels[160];
    if (l2w_metrics_escape_label(sym, sizeof sym, p->symbol) != L2W_OK) {
        l2w_err_set(err, "prices: token %s: the label does not fit", p->token);
        return L2W_ERR_CONFIG;
    }
    for (int v = 0; v < L2W_PRICE_VERDICTS; v++) {
        snprintf(labels, sizeof labels, "token=\"%s\",result=\"%s\"", sym, l2w_price_verdict_name(v));
        f->reads[v] = l2w_counter_get("l2watch_price_reads_total",
                                      "Reads of price feeds, by verdict (only fresh answers are used) or error",
                                      labels);
    }
    snprintf(labels, sizeof labels, "token=\"%s\",result=\"error\"", sym);
    f->errors = l2w_counter_get("l2watch_price_reads_total",
                                "Reads of price feeds, by verdict (only fresh answers are used) or error", labels);
    snprintf(labels, sizeof labels, "token=\"%s\"", sym);
    f->usd = l2w_gauge_get("l2watch_price_usd", "Last fresh price of a whole token, in USD", labels);
    f->age = l2w_gauge_get("l2watch_price_age_seconds", "Age of the last price read (now - updatedAt)", labels);
    const l2w_chain_config *ch = l2w_config_chain(cfg, p->chain);
    if (!ch) {
        l2w_err_set(err, "prices: token %s: chain \"%s\" is not configured", p->symbol, p->chain);
        return L2W_ERR_CONFIG;
    }
    return l2w_rpc_create_for_chain(&f->rpc, ch, err);
}

static l2w_status start_prices(l2w_analytics_guard *g, const l2w_config *cfg, l2w_wakeup *wakeup, l2w_err *err)
{
    prices_ctx *c = &g->prices;
    c->cfg = cfg;
    g->has_prices = true;
    for (size_t i = 0; i < cfg->n_prices; i++) {
        l2w_status st = setup_feed(&c->feeds[c->n_feeds++], cfg, &cfg->prices[i], err);
        if (st != L2W_OK)
            return st;
    }
    return start_loop(&c->loop, cfg, "analytics", "prices", PRICES_LOCK_PREFIX, PRICES_TICK_MS, prices_step, c, wakeup,
                      err);
}

/* ---- fees and batch costs ---- */

static l2w_status start_fees(l2w_analytics_guard *g, const l2w_config *cfg, const l2w_fee_chain_config *f,
                             l2w_wakeup *wakeup, l2w_err *err)
{
    fees_ctx *c = &g->fees[g->n_fees++];
    c->f = f;
    c->chain = l2w_config_chain(cfg, f->chain);
    if (!c->chain) {
        l2w_err_set(err, "analytics.fees: chain \"%s\" is not configured", f->chain);
        return L2W_ERR_CONFIG;
    }
    char labels[64];
    snprintf(labels, sizeof labels, "chain=\"%s\"", f->chain);
    c->block = l2w_gauge_get("l2watch_fees_block", "Last block whose fees were summed", labels);
    c->blocks = l2w_counter_get("l2watch_fee_blocks_total", "Blocks whose fees were summed and stored", labels);
    c->txs = l2w_counter_get("l2watch_fee_transactions_total", "Transactions in the blocks whose fees were summed",
                             labels);
    c->reorgs = l2w_counter_get("l2watch_fee_blocks_unwound_total",
                                "Fee rows removed because their block left the chain", labels);
    l2w_status st = l2w_rpc_create_for_chain(&c->rpc, c->chain, err);
    if (st != L2W_OK)
        return st;
    return start_loop(&c->loop, cfg, "fees", f->chain, "l2watch-fees:", c->chain->poll_interval_ms,
                      l2w_analytics_fees_step, c, wakeup, err);
}

static l2w_status start_batch_costs(l2w_analytics_guard *g, const l2w_config *cfg, const l2w_batch_cost_config *b,
                                    l2w_wakeup *wakeup, l2w_err *err)
{
    batch_costs_ctx *c = &g->batches[g->n_batches++];
    c->b = b;
    const l2w_chain_config *l2 = l2w_config_chain(cfg, b->chain);
    c->l1 = l2 && l2->l1 ? l2w_config_chain(cfg, l2->l1) : NULL;
    if (!c->l1) {
        l2w_err_set(err, "analytics.batch_costs: chain \"%s\" has no configured l1", b->chain);
        return L2W_ERR_CONFIG;
    }
    char labels[64];
    snprintf(labels, sizeof labels, "chain=\"%s\"", b->chain);
    c->block = l2w_gauge_get("l2watch_batch_costs_block", "Last L1 block scanned for batch postings", labels);
    c->postings = l2w_counter_get("l2watch_batch_cost_postings_total", "Batch postings whose L1 cost was stored",
                                  labels);
    l2w_status st = l2w_rpc_create_for_chain(&c->rpc, c->l1, err);
    if (st != L2W_OK)
        return st;
    return start_loop(&c->loop, cfg, "batch_costs", b->chain, "l2watch-batch-costs:", c->l1->poll_interval_ms,
                      l2w_analytics_batch_costs_step, c, wakeup, err);
}

l2w_status l2w_analytics_guard_start(l2w_analytics_guard **out, const l2w_config *cfg, l2w_wakeup *wakeup,
                                     l2w_err *err)
{
    *out = NULL;
    bool prices = cfg->n_prices > 0 || cfg->n_bridges > 0;
    if (!prices && cfg->analytics.n_fees == 0 && cfg->analytics.n_batch_costs == 0)
        return L2W_OK;
    l2w_analytics_guard *g = calloc(1, sizeof *g);
    if (!g) {
        l2w_err_set(err, "analytics: out of memory");
        return L2W_ERR_NOMEM;
    }
    *out = g;
    l2w_status st = prices ? start_prices(g, cfg, wakeup, err) : L2W_OK;
    for (size_t i = 0; st == L2W_OK && i < cfg->analytics.n_fees; i++)
        st = start_fees(g, cfg, &cfg->analytics.fees[i], wakeup, err);
    for (size_t i = 0; st == L2W_OK && i < cfg->analytics.n_batch_costs; i++)
        st = start_batch_costs(g, cfg, &cfg->analytics.batch_costs[i], wakeup, err);
    return st;
}

void l2w_analytics_guard_stop(l2w_analytics_guard *g)
{
    if (!g)
        return;
    if (g->has_prices) {
        l2w_guard_loop_join(g->prices.loop);
        for (size_t i = 0; i < g->prices.n_feeds; i++)
            l2w_rpc_destroy(g->prices.feeds[i].rpc);
    }
    for (size_t i = 0; i < g->n_fees; i++) {
        l2w_guard_loop_join(g->fees[i].loop);
        l2w_rpc_destroy(g->fees[i].rpc);
    }
    for (size_t i = 0; i < g->n_batches; i++) {
        l2w_guard_loop_join(g->batches[i].loop);
        l2w_rpc_destroy(g->batches[i].rpc);
    }
    free(g);
}
