/* prices: and analytics: in the config (core/config_analytics.c): every key
 * read back with its defaults, a price found by symbol or by address,
 * batch costs taking their inbox from the da: entry, and one message per
 * mistake naming the file, line and key. Under ASan the refusals also show
 * that nothing allocated on the way leaks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "tests/unit/harness.h"
#include "tests/unit/support/bridge_config.h"

#define BASE TEST_BRIDGE_CHAINS TEST_BRIDGES_OP_AND_LR

/* Parses BASE followed by tail; the caller frees. */
static l2w_status load(const char *tail, l2w_config **cfg, l2w_err *err)
{
    static char text[16384];
    int n = snprintf(text, sizeof text, "%s%s", BASE, tail);
    if (n < 0 || (size_t)n >= sizeof text) {
        fprintf(stderr, "fixture too long\n");
        abort();
    }
    return l2w_config_parse(cfg, text, (size_t)n, "a.yaml", err);
}

static int lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

static void test_defaults_and_keys(void)
{
    l2w_config *cfg = NULL;
    l2w_err err = {{0}};
    CHECK(load("", &cfg, &err) == L2W_OK);
    if (cfg) {
        CHECK(cfg->n_prices == 0 && cfg->analytics.n_fees == 0 && cfg->analytics.n_batch_costs == 0);
        CHECK(cfg->analytics.tvl_interval_s == 300);
        l2w_config_free(cfg);
    }
    cfg = NULL;
    CHECK_MSG(load("da:\n"
                   "  - chain: op\n"
                   "    batch_inbox: " TEST_ADDR("a0") "\n"
                   "    batcher: " TEST_ADDR("b0") "\n"
                   "    beacon_urls: [\"http://127.0.0.1:5052\"]\n"
                   "prices:\n"
                   "  - token: ETH\n"
                   "    chain: l1\n"
                   "    aggregator: " TEST_ADDR("f0") "\n"
                   "  - token: \"0x00000000000000000000000000000000000000C0\"\n"
                   "    chain: side\n"
                   "    aggregator: " TEST_ADDR("f1") "\n"
                   "    max_age_seconds: 90000\n"
                   "    poll_seconds: 5\n"
                   "analytics:\n"
                   "  tvl_interval_seconds: 60\n"
                   "  fees:\n"
                   "    - chain: op\n"
                   "      start_block: 7\n"
                   "    - chain: l1\n"
                   "      blocks_per_pass: 100\n"
                   "  batch_costs:\n"
                   "    - chain: op\n",
                   &cfg, &err) == L2W_OK,
              "%s", err.msg);
    if (!cfg)
        return;
    CHECK(cfg->n_prices == 2);
    CHECK(strcmp(cfg->prices[0].symbol, "ETH") == 0 && strcmp(cfg->prices[0].chain, "l1") == 0);
    CHECK(cfg->prices[0].aggregator.b[19] == 0xf0);
    CHECK(cfg->prices[0].max_age_s == 3600 && cfg->prices[0].poll_s == 60);
    /* by address (either case): the token's symbol */
    CHECK(strcmp(cfg->prices[1].symbol, "WETH") == 0);
    CHECK(cfg->prices[1].max_age_s == 90000 && cfg->prices[1].poll_s == 5);
    /* Both ETHs (the op-stack bridge's, added for it, and lr's) take the one price. */
    const l2w_bridge_config *op = l2w_config_bridge(cfg, "op-main"), *lr = l2w_config_bridge(cfg, "lr");
    CHECK(op && lr);
    if (op && lr) {
        CHECK(l2w_config_price(cfg, &op->tokens[op->n_tokens - 1]) == &cfg->prices[0]);
        CHECK(l2w_config_price(cfg, &lr->tokens[1]) == &cfg->prices[0]);
        CHECK(l2w_config_price(cfg, &lr->tokens[0]) == &cfg->prices[1]);
    }
    CHECK(cfg->analytics.tvl_interval_s == 60);
    CHECK(cfg->analytics.n_fees == 2);
    CHECK(cfg->analytics.fees[0].has_start_block && cfg->analytics.fees[0].start_block == 7);
    CHECK(cfg->analytics.fees[0].blocks_per_pass == 20);
    CHECK(!cfg->analytics.fees[1].has_start_block && cfg->analytics.fees[1].blocks_per_pass == 100);
    CHECK(cfg->analytics.n_batch_costs == 1);
    const l2w_batch_cost_config *b = &cfg->analytics.batch_costs[0];
    CHECK(b->has_batch_inbox && b->batch_inbox.b[19] == 0xa0); /* from the da: entry */
    CHECK(b->has_batcher && b->batcher.b[19] == 0xb0);
    CHECK(!b->has_start_block);
    l2w_config_free(cfg);
}

/* One mistake each: tail, the line of the mistake counted from the end of
 * BASE (1 = the tail's first line), and what the message says. */
static const struct {
    const char *tail;
    int line;
    const char *says;
} mistakes[] = {
    {"prices:\n  - token: DAI\n    chain: l1\n    aggregator: " TEST_ADDR("f0") "\n", 2,
     "prices[0].token: \"DAI\" is neither the symbol nor the address of a token in bridges"},
    {"prices:\n  - token: \"0x00000000000000000000000000000000000000c1\"\n    chain: l1\n    aggregator: " TEST_ADDR(
         "f0") "\n",
     2, "prices[0].token: \"0x00000000000000000000000000000000000000c1\" is neither"},
    {"prices:\n  - token: ETH\n    chain: mars\n    aggregator: " TEST_ADDR("f0") "\n", 2,
     "prices[0].chain: chain \"mars\" is not defined in chains"},
    {"prices:\n  - token: ETH\n    chain: l1\n", 2, "prices[0].aggregator: required key is missing"},
    {"prices:\n  - token: ETH\n    chain: l1\n    aggregator: " TEST_ADDR("f0") "\n    max_age_seconds: 0\n", 5,
     "prices[0].max_age_seconds"},
    {"prices:\n  - token: ETH\n    chain: l1\n    aggregator: " TEST_ADDR("f0") "\n    colour: red\n", 5,
     "prices[0].colour"},
    {"prices:\n  - token: WETH\n    chain: l1\n    aggregator: " TEST_ADDR("f0") "\n"
     "  - token: \"0x00000000000000000000000000000000000000c0\"\n    chain: l1\n    aggregator: " TEST_ADDR("f1") "\n",
     5, "prices[1].token: bridge lr's token WETH already has a price (prices[0])"},
    {"analytics:\n  fees:\n    - chain: mars\n", 3, "analytics.fees[0].chain: chain \"mars\" is not defined"},
    {"analytics:\n  fees:\n    - chain: op\n    - chain: op\n", 4,
     "analytics.fees[1].chain: chain \"op\" is listed twice (analytics.fees[0])"},
    {"analytics:\n  fees:\n    - chain: op\n      blocks_per_pass: 501\n", 4, "analytics.fees[0].blocks_per_pass"},
    {"analytics:\n  tvl_interval_seconds: 0\n", 2, "analytics.tvl_interval_seconds"},
    {"analytics:\n  batch_costs:\n    - chain: op\n", 3,
     "analytics.batch_costs[0].batch_inbox: required key is missing (chain \"op\" has no da: entry"},
    {"analytics:\n  batch_costs:\n    - chain: op\n      batch_inbox: " TEST_ADDR("a0") "\n", 3,
     "analytics.batch_costs[0].batcher: required key is missing"},
    {"analytics:\n  batch_costs:\n    - chain: l1\n      batch_inbox: " TEST_ADDR("a0") "\n      batcher: " TEST_ADDR(
         "b0") "\n",
     3, "analytics.batch_costs[0].chain: \"l1\" is an l1 chain"},
    {"analytics:\n  sampling: 3\n", 2, "analytics.sampling"},
};

static void test_mistakes(void)
{
    const int base = lines(BASE);
    for (size_t i = 0; i < sizeof mistakes / sizeof mistakes[0]; i++) {
        l2w_config *cfg = NULL;
        l2w_err err = {{0}};
        l2w_status st = load(mistakes[i].tail, &cfg, &err);
        CHECK_MSG(st == L2W_ERR_CONFIG && cfg == NULL, "accepted: %s", mistakes[i].tail);
        if (st == L2W_OK) {
            l2w_config_free(cfg);
            continue;
        }
        char where[32];
        snprintf(where, sizeof where, "a.yaml:%d: ", base + mistakes[i].line);
        CHECK_MSG(strncmp(err.msg, where, strlen(where)) == 0 && strstr(err.msg, mistakes[i].says),
                  "case %zu: \"%s\" is not at %s or lacks \"%s\"", i, err.msg, where, mistakes[i].says);
    }
}

int main(void)
{
    RUN(test_defaults_and_keys);
    RUN(test_mistakes);
    return l2w_test_finish();
}
