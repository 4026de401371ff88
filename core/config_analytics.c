/* prices: (USD price feeds for the tokens the bridges watch) and
 * analytics: (how often TVL is sampled, which chains' fees are summed,
 * whose batch postings are costed). Read by the field tables, then checked
 * against the chains, bridges and da: entries they name. */

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config_parse.h"
#include "core/hex.h"

#define PR_OFF(f) offsetof(l2w_price_config, f)
#define FE_OFF(f) offsetof(l2w_fee_chain_config, f)
#define BC_OFF(f) offsetof(l2w_batch_cost_config, f)

static const cfg_field price_fields[] = {
    {"token", F_STRING, PR_OFF(token), NO_HAS, 0, 0, NULL, true},
    {"chain", F_NAME, PR_OFF(chain), NO_HAS, 0, 0, NULL, true},
    {"aggregator", F_ADDR, PR_OFF(aggregator), NO_HAS, 0, 0, NULL, true},
    /* An hour: the heartbeat of most Chainlink USD feeds on Ethereum. */
    {"max_age_seconds", F_U32, PR_OFF(max_age_s), NO_HAS, 1, 604800, "3600", false},
    {"poll_seconds", F_U32, PR_OFF(poll_s), NO_HAS, 1, 86400, "60", false},
};

static const cfg_field analytics_fields[] = {
    {"tvl_interval_seconds", F_U32, offsetof(l2w_analytics_config, tvl_interval_s), NO_HAS, 1, 86400, "300", false},
};
static const char *const analytics_subs[] = {"fees", "batch_costs", NULL};

static const cfg_field fee_fields[] = {
    {"chain", F_NAME, FE_OFF(chain), NO_HAS, 0, 0, NULL, true},
    {"start_block", F_U64, FE_OFF(start_block), FE_OFF(has_start_block), 0, UINT64_MAX, NULL, false},
    /* Each block costs two requests of one batch; receipts of a busy L2
     * block run to a megabyte. */
    {"blocks_per_pass", F_U32, FE_OFF(blocks_per_pass), NO_HAS, 1, 500, "20", false},
};

static const cfg_field batch_cost_fields[] = {
    {"chain", F_NAME, BC_OFF(chain), NO_HAS, 0, 0, NULL, true},
    {"batch_inbox", F_ADDR, BC_OFF(batch_inbox), BC_OFF(has_batch_inbox), 0, 0, NULL, false},
    {"batcher", F_ADDR, BC_OFF(batcher), BC_OFF(has_batcher), 0, 0, NULL, false},
    {"start_block", F_U64, BC_OFF(start_block), BC_OFF(has_start_block), 0, UINT64_MAX, NULL, false},
};

/* ---- prices ---- */

/* Whether price p names bridge token t: by its address when p's token is
 * one, else by its symbol. */
static bool names_token(const l2w_price_config *p, const l2w_bridge_token *t)
{
    l2w_addr addr;
    if (strncmp(p->token, "0x", 2) == 0 && l2w_addr_from_hex(&addr, p->token) == L2W_OK)
        return !t->native && l2w_addr_eq(&addr, &t->address);
    return strcmp(p->token, t->symbol) == 0;
}

/* The symbol of the first bridge token the price names becomes the
 * price's; no token is priced twice, and no two prices share a symbol
 * (their samples and metrics are named by it). */
static l2w_status resolve_token(cfg_ctx *c, l2w_config *cfg, size_t i, int line, const char *prefix)
{
    l2w_price_config *p = &cfg->prices[i];
    char path[96];
    snprintf(path, sizeof path, "%stoken", prefix);
    for (size_t b = 0; b < cfg->n_bridges; b++) {
        const l2w_bridge_config *br = &cfg->bridges[b];
        for (size_t t = 0; t < br->n_tokens; t++) {
            if (!names_token(p, &br->tokens[t]))
                continue;
            for (size_t j = 0; j < i; j++)
                if (names_token(&cfg->prices[j], &br->tokens[t]))
                    return cfg_fail(c, line, path, "bridge %s's token %s already has a price (prices[%zu])",
                                    br->name, br->tokens[t].symbol, j);
            if (!p->symbol && cfg_set_string(&p->symbol, br->tokens[t].symbol) != L2W_OK)
                return L2W_ERR_NOMEM;
        }
    }
    if (!p->symbol)
        return cfg_fail(c, line, path, "\"%.60s\" is neither the symbol nor the address of a token in bridges",
                        p->token);
    for (size_t j = 0; j < i; j++)
        if (strcmp(cfg->prices[j].symbol, p->symbol) == 0)
            return cfg_fail(c, line, path, "prices[%zu] already prices a token named %s", j, p->symbol);
    return L2W_OK;
}

static l2w_status check_price(cfg_ctx *c, l2w_config *cfg, size_t i, int line, const char *prefix)
{
    const l2w_price_config *p = &cfg->prices[i];
    char path[96];
    snprintf(path, sizeof path, "%schain", prefix);
    if (!l2w_config_chain(cfg, p->chain))
        return cfg_fail(c, line, path, "chain \"%s\" is not defined in chains", p->chain);
    return resolve_token(c, cfg, i, line, prefix);
}

/* ---- analytics ---- */

static l2w_status check_fee_chain(cfg_ctx *c, l2w_config *cfg, size_t i, int line, const char *prefix)
{
    const l2w_fee_chain_config *f = &cfg->analytics.fees[i];
    char path[96];
    snprintf(path, sizeof path, "%schain", prefix);
    if (!l2w_config_chain(cfg, f->chain))
        return cfg_fail(c, line, path, "chain \"%s\" is not defined in chains", f->chain);
    for (size_t j = 0; j < i; j++)
        if (strcmp(cfg->analytics.fees[j].chain, f->chain) == 0)
            return cfg_fail(c, line, path, "chain \"%s\" is listed twice (analytics.fees[%zu])", f->chain, j);
    return L2W_OK;
}

static l2w_status check_batch_costs(cfg_ctx *c, l2w_config *cfg, size_t i, int line, const char *prefix)
{
    l2w_batch_cost_config *b = &cfg->analytics.batch_costs[i];
    char path[96];
    snprintf(path, sizeof path, "%schain", prefix);
    const l2w_chain_config *ch = l2w_config_chain(cfg, b->chain);
    if (!ch)
        return cfg_fail(c, line, path, "chain \"%s\" is not defined in chains", b->chain);
    if (ch->role != L2W_CHAIN_L2)
        return cfg_fail(c, line, path, "\"%s\" is an l1 chain: name the L2 whose batches are posted to its l1",
                        b->chain);
    for (size_t j = 0; j < i; j++)
        if (strcmp(cfg->analytics.batch_costs[j].chain, b->chain) == 0)
            return cfg_fail(c, line, path, "chain \"%s\" is listed twice (analytics.batch_costs[%zu])", b->chain, j);
    const l2w_da_config *da = l2w_config_da(cfg, b->chain);
    if (!b->has_batch_inbox && da) {
        b->batch_inbox = da->batch_inbox;
        b->has_batch_inbox = true;
    }
    if (!b->has_batcher && da) {
        b->batcher = da->batcher;
        b->has_batcher = true;
    }
    if (!b->has_batch_inbox || !b->has_batcher) {
        snprintf(path, sizeof path, "%s%s", prefix, b->has_batch_inbox ? "batcher" : "batch_inbox");
        return cfg_fail(c, line, path, "required key is missing (chain \"%s\" has no da: entry to take it from)",
                        b->chain);
    }
    return L2W_OK;
}

l2w_status cfg_parse_analytics(cfg_ctx *c, const l2w_yaml_node *root, l2w_config *cfg)
{
    l2w_status st = cfg_parse_list(c, l2w_yaml_get(root, "prices"), "prices", "prices", L2W_MAX_PRICES,
                                   price_fields, CFG_COUNT(price_fields), cfg->prices, sizeof cfg->prices[0],
                                   &cfg->n_prices, cfg, check_price);
    const l2w_yaml_node *map = NULL;
    l2w_analytics_config *a = &cfg->analytics;
    if (st == L2W_OK)
        st = cfg_optional_map(c, root, "analytics", &map);
    if (st == L2W_OK)
        st = cfg_parse_section(c, map, "analytics.", analytics_fields, CFG_COUNT(analytics_fields), analytics_subs, a,
                               cfg);
    if (st == L2W_OK)
        st = cfg_parse_list(c, l2w_yaml_get(map, "fees"), "analytics.fees", "chains", L2W_MAX_FEE_CHAINS, fee_fields,
                            CFG_COUNT(fee_fields), a->fees, sizeof a->fees[0], &a->n_fees, cfg, check_fee_chain);
    if (st == L2W_OK)
        st = cfg_parse_list(c, l2w_yaml_get(map, "batch_costs"), "analytics.batch_costs", "chains",
                            L2W_MAX_BATCH_COSTS, batch_cost_fields, CFG_COUNT(batch_cost_fields), a->batch_costs,
                            sizeof a->batch_costs[0], &a->n_batch_costs, cfg, check_batch_costs);
    return st;
}

const l2w_price_config *l2w_config_price(const l2w_config *cfg, const l2w_bridge_token *t)
{
    for (size_t i = 0; i < cfg->n_prices; i++)
        if (names_token(&cfg->prices[i], t))
            return &cfg->prices[i];
    return NULL;
}

void cfg_free_analytics(l2w_config *cfg)
{
    for (size_t i = 0; i < cfg->n_prices; i++) {
        free(cfg->prices[i].token);
        free(cfg->prices[i].symbol);
        free(cfg->prices[i].chain);
    }
    cfg->n_prices = 0;
    for (size_t i = 0; i < cfg->analytics.n_fees; i++)
        free(cfg->analytics.fees[i].chain);
    cfg->analytics.n_fees = 0;
    for (size_t i = 0; i < cfg->analytics.n_batch_costs; i++)
        free(cfg->analytics.batch_costs[i].chain);
    cfg->analytics.n_batch_costs = 0;
}
