#include "core/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hex.h"
#include "core/chain_presets.h"
#include "core/config_parse.h"
#include "core/yaml_tree.h"

/* Every key l2watch accepts is declared in a table below (key, type, bounds,
 * default, required). Unknown keys are errors: in a security tool a typo that
 * silently disables a check is worse than refusing to start. */

#define MAX_CONFIG_BYTES (1024 * 1024)

static const cfg_field top_fields[] = {
    {"log_level", F_LEVEL, offsetof(l2w_config, log_level), NO_HAS, 0, 0, "info", false},
};
static const cfg_field database_fields[] = {
    {"url", F_DBURL, offsetof(l2w_config, database_url), NO_HAS, 0, 0, NULL, true},
};
static const cfg_field web_fields[] = {
    {"listen", F_LISTEN, 0, NO_HAS, 0, 0, "127.0.0.1:8080", false},
    {"read_auth", F_STRING, offsetof(l2w_config, web_read_auth), NO_HAS, 0, 0, "open", false},
    {"page_cache_ms", F_U32, offsetof(l2w_config, web_page_cache_ms), NO_HAS, 0, 60000, "1000", false},
    {"request_timeout_ms", F_U32, offsetof(l2w_config, web_request_timeout_ms), NO_HAS, 1000, 3600000, "30000",
     false},
};
static const cfg_field chain_fields[] = {
    {"name", F_NAME, offsetof(l2w_chain_config, name), NO_HAS, 0, 0, NULL, true},
    {"preset", F_NAME, offsetof(l2w_chain_config, preset), NO_HAS, 0, 0, NULL, false},
    {"role", F_ROLE, offsetof(l2w_chain_config, role), offsetof(l2w_chain_config, has_role), 0, 0, NULL, false},
    {"chain_id", F_U64, offsetof(l2w_chain_config, chain_id), offsetof(l2w_chain_config, has_chain_id), 1, UINT64_MAX,
     NULL, false},
    {"rpc", F_URLS, offsetof(l2w_chain_config, rpc_urls), offsetof(l2w_chain_config, n_rpc_urls), 0,
     L2W_MAX_RPC_URLS, "RPC URLs", true},
    {"rpc_timeout_ms", F_U32, offsetof(l2w_chain_config, rpc_timeout_ms), NO_HAS, 100, 600000, "10000", false},
    {"poll_interval_ms", F_U32, offsetof(l2w_chain_config, poll_interval_ms), NO_HAS, 50, 3600000, "1000", false},
    {"confirmations", F_U32, offsetof(l2w_chain_config, confirmations), NO_HAS, 0, 10000, "2", false},
    {"start_block", F_U64, offsetof(l2w_chain_config, start_block), offsetof(l2w_chain_config, has_start_block), 0,
     UINT64_MAX, NULL, false},
    {"max_blocks_per_poll", F_U32, offsetof(l2w_chain_config, max_blocks_per_poll), NO_HAS, 1, 10000, "100", false},
    {"log_range_blocks", F_U32, offsetof(l2w_chain_config, log_range_blocks), NO_HAS, 1, 100000, "10000", false},
    {"max_reorg_depth", F_U32, offsetof(l2w_chain_config, max_reorg_depth), NO_HAS, 1, 100000, "64", false},
    {"max_head_lag_blocks", F_U32, offsetof(l2w_chain_config, max_head_lag_blocks), NO_HAS, 1, 1000000, "20", false},
    {"l1", F_NAME, offsetof(l2w_chain_config, l1), NO_HAS, 0, 0, NULL, false},
    {"explorer_url", F_URL, offsetof(l2w_chain_config, explorer_url), NO_HAS, 0, 0, NULL, false},
    {"l2_output_oracle", F_ADDR, offsetof(l2w_chain_config, l2_output_oracle),
     offsetof(l2w_chain_config, has_l2_output_oracle), 0, 0, NULL, false},
    {"optimism_portal", F_ADDR, offsetof(l2w_chain_config, optimism_portal),
     offsetof(l2w_chain_config, has_optimism_portal), 0, 0, NULL, false},
    {"l1_standard_bridge", F_ADDR, offsetof(l2w_chain_config, l1_standard_bridge),
     offsetof(l2w_chain_config, has_l1_standard_bridge), 0, 0, NULL, false},
    {"system_config", F_ADDR, offsetof(l2w_chain_config, system_config), offsetof(l2w_chain_config, has_system_config),
     0, 0, NULL, false},
    {"dispute_game_factory", F_ADDR, offsetof(l2w_chain_config, dispute_game_factory),
     offsetof(l2w_chain_config, has_dispute_game_factory), 0, 0, NULL, false},
    {"superchain_config", F_ADDR, offsetof(l2w_chain_config, superchain_config),
     offsetof(l2w_chain_config, has_superchain_config), 0, 0, NULL, false},
};

/* A preset address fills a key the file left out; one the file gives wins. */
static void preset_addr(bool *has, l2w_addr *dst, const char *hex)
{
    if (*has || !hex)
        return;
    *has = l2w_addr_from_hex(dst, hex) == L2W_OK;
}

static l2w_status apply_preset(cfg_ctx *c, l2w_chain_config *ch, int line, const char *prefix)
{
    char path[96];
    if (!ch->preset) {
        snprintf(path, sizeof path, "%s%s", prefix, ch->has_role ? "chain_id" : "role");
        if (!ch->has_role || !ch->has_chain_id)
            return cfg_fail(c, line, path, "required key is missing (or name a preset: %s)", l2w_chain_preset_names());
        return L2W_OK;
    }
    snprintf(path, sizeof path, "%spreset", prefix);
    const l2w_chain_preset *p = l2w_chain_preset_find(ch->preset);
    if (!p)
        return cfg_fail(c, line, path, "unknown preset \"%s\"; known: %s", ch->preset, l2w_chain_preset_names());
    if (ch->has_role && ch->role != p->role)
        return cfg_fail(c, line, path, "preset %s is an %s chain, but role says otherwise", p->name,
                        p->role == L2W_CHAIN_L1 ? "l1" : "l2");
    if (ch->has_chain_id && ch->chain_id != p->chain_id)
        return cfg_fail(c, line, path, "preset %s has chain id %llu, but chain_id says %llu", p->name,
                        (unsigned long long)p->chain_id, (unsigned long long)ch->chain_id);
    ch->role = p->role;
    ch->chain_id = p->chain_id;
    ch->has_role = ch->has_chain_id = true;
    preset_addr(&ch->has_l2_output_oracle, &ch->l2_output_oracle, p->l2_output_oracle);
    preset_addr(&ch->has_optimism_portal, &ch->optimism_portal, p->optimism_portal);
    preset_addr(&ch->has_l1_standard_bridge, &ch->l1_standard_bridge, p->l1_standard_bridge);
    preset_addr(&ch->has_system_config, &ch->system_config, p->system_config);
    preset_addr(&ch->has_dispute_game_factory, &ch->dispute_game_factory, p->dispute_game_factory);
    preset_addr(&ch->has_superchain_config, &ch->superchain_config, p->superchain_config);
    return L2W_OK;
}

static l2w_status check_chain(cfg_ctx *c, const l2w_config *cfg, size_t i, int line)
{
    const l2w_chain_config *ch = &cfg->chains[i];
    char path[64];
    snprintf(path, sizeof path, "chains[%zu]", i);
    for (size_t j = 0; j < i; j++)
        if (strcmp(cfg->chains[j].name, ch->name) == 0)
            return cfg_fail(c, line, path, "duplicate chain name \"%s\"", ch->name);
    if (ch->role == L2W_CHAIN_L1) {
        if (ch->l1 || ch->has_l2_output_oracle)
            return cfg_fail(c, line, path, "an l1 chain takes no l1 or l2_output_oracle key");
        return L2W_OK;
    }
    if (!ch->l1)
        return cfg_fail(c, line, path, "an l2 chain needs \"l1:\" naming the L1 chain it settles on");
    const l2w_chain_config *l1 = l2w_config_chain(cfg, ch->l1);
    if (!l1 || l1->role != L2W_CHAIN_L1)
        return cfg_fail(c, line, path, "l1: \"%s\" is not an l1 chain defined in this file", ch->l1);
    if (!ch->has_l2_output_oracle)
        return cfg_fail(c, line, path, "an l2 chain needs l2_output_oracle (the L2OutputOracle address on its L1)");
    return L2W_OK;
}

static l2w_status parse_chains(cfg_ctx *c, const l2w_yaml_node *root, l2w_config *cfg)
{
    const l2w_yaml_node *list = l2w_yaml_get(root, "chains");
    if (!list)
        return cfg_fail(c, root->line, "chains", "required key is missing");
    if (list->kind != L2W_YAML_SEQ || list->n == 0)
        return cfg_fail(c, list->line, "chains", "expected a non-empty list of chains");
    if (list->n > L2W_MAX_CHAINS)
        return cfg_fail(c, list->line, "chains", "at most %d chains", L2W_MAX_CHAINS);
    for (size_t i = 0; i < list->n; i++) {
        const l2w_yaml_node *item = list->items[i];
        char prefix[64];
        snprintf(prefix, sizeof prefix, "chains[%zu].", i);
        if (item->kind != L2W_YAML_MAP)
            return cfg_fail(c, item->line, prefix, "expected a mapping");
        cfg->n_chains = i + 1;
        static const char *const chain_subs[] = {"txmgr", NULL};
        l2w_status st =
            cfg_parse_section(c, item, prefix, chain_fields, CFG_COUNT(chain_fields), chain_subs, &cfg->chains[i], cfg);
        if (st == L2W_OK)
            st = cfg_parse_txmgr(c, item, prefix, &cfg->chains[i]);
        if (st == L2W_OK)
            st = apply_preset(c, &cfg->chains[i], item->line, prefix);
        if (st != L2W_OK)
            return st;
    }
    for (size_t i = 0; i < cfg->n_chains; i++) {
        l2w_status st = check_chain(c, cfg, i, list->items[i]->line);
        if (st != L2W_OK)
            return st;
    }
    return L2W_OK;
}

static l2w_status parse_root(cfg_ctx *c, const l2w_yaml_node *root, l2w_config *cfg)
{
    if (root->kind != L2W_YAML_MAP)
        return cfg_fail(c, root->line, "(top level)", "expected a mapping");
    static const char *const top_subs[] = {"database",  "web",     "chains",   "alerts", "signers",
                                           "responses", "bridges", "channels", "da",     "liveness",
                                           "committees", "prices",  "analytics", NULL};
    l2w_status st = cfg_parse_section(c, root, "", top_fields, CFG_COUNT(top_fields), top_subs, cfg, cfg);
    const l2w_yaml_node *db = NULL, *web = NULL;
    static const char *const web_subs[] = {"clients", "readers", NULL};
    if (st == L2W_OK)
        st = cfg_optional_map(c, root, "database", &db);
    if (st == L2W_OK)
        st = cfg_parse_section(c, db, "database.", database_fields, CFG_COUNT(database_fields), NULL, cfg, cfg);
    if (st == L2W_OK)
        st = cfg_optional_map(c, root, "web", &web);
    if (st == L2W_OK)
        st = cfg_parse_section(c, web, "web.", web_fields, CFG_COUNT(web_fields), web_subs, cfg, cfg);
    if (st == L2W_OK)
        st = cfg_parse_api_clients(c, web, cfg);
    if (st == L2W_OK)
        st = cfg_parse_readers(c, web, cfg);
    if (st == L2W_OK)
        st = parse_chains(c, root, cfg);
    if (st == L2W_OK)
        st = cfg_parse_signers(c, root, cfg);
    if (st == L2W_OK)
        st = cfg_parse_responses(c, root, cfg);
    if (st == L2W_OK)
        st = cfg_parse_bridges(c, root, cfg);
    if (st == L2W_OK)
        st = cfg_parse_channels(c, root, cfg);
    if (st == L2W_OK)
        st = cfg_parse_da(c, root, cfg);
    if (st == L2W_OK)
        st = cfg_parse_liveness(c, root, cfg);
    if (st == L2W_OK)
        st = cfg_parse_committees(c, root, cfg);
    if (st == L2W_OK)
        st = cfg_parse_analytics(c, root, cfg);
    if (st == L2W_OK)
        st = cfg_parse_alerts(c, root, cfg); /* routes name chains */
    return st;
}

l2w_status l2w_config_parse(l2w_config **out, const char *text, size_t len, const char *name, l2w_err *err)
{
    *out = NULL;
    cfg_ctx c = {.file = name, .err = err};
    l2w_yaml_node *root = NULL;
    l2w_status st = l2w_yaml_parse(&root, text, len, name, err);
    if (st != L2W_OK)
        return st;
    l2w_config *cfg = calloc(1, sizeof *cfg);
    if (!cfg) {
        l2w_yaml_free(root);
        l2w_err_set(err, "%s: out of memory", name);
        return L2W_ERR_NOMEM;
    }
    st = parse_root(&c, root, cfg);
    if (st == L2W_OK && !(cfg->source_path = strdup(name)))
        st = L2W_ERR_NOMEM;
    l2w_yaml_free(root);
    if (st != L2W_OK) {
        l2w_config_free(cfg);
        return st == L2W_ERR_NOMEM ? st : L2W_ERR_CONFIG;
    }
    *out = cfg;
    return L2W_OK;
}

l2w_status l2w_config_load(l2w_config **out, const char *path, l2w_err *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        l2w_err_set(err, "%s: cannot open config: %s", path, strerror(errno));
        return L2W_ERR_CONFIG;
    }
    char *buf = malloc(MAX_CONFIG_BYTES + 1);
    size_t n = buf ? fread(buf, 1, MAX_CONFIG_BYTES + 1, f) : 0;
    int read_error = ferror(f);
    fclose(f);
    if (!buf || read_error || n > MAX_CONFIG_BYTES) {
        free(buf);
        l2w_err_set(err, "%s: %s", path, !buf ? "out of memory" : read_error ? "read error" : "larger than 1 MiB");
        return L2W_ERR_CONFIG;
    }
    l2w_status st = l2w_config_parse(out, buf, n, path, err);
    free(buf);
    return st;
}

void l2w_config_free(l2w_config *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; i < cfg->n_chains; i++) {
        l2w_chain_config *ch = &cfg->chains[i];
        free(ch->name);
        free(ch->preset);
        free(ch->l1);
        free(ch->explorer_url);
        for (size_t j = 0; j < ch->n_rpc_urls; j++)
            free(ch->rpc_urls[j]);
    }
    cfg_free_api_clients(cfg);
    cfg_free_readers(cfg);
    cfg_free_alerts(cfg);
    cfg_free_responder(cfg);
    cfg_free_bridges(cfg);
    cfg_free_channels(cfg);
    cfg_free_da(cfg);
    cfg_free_committees(cfg);
    cfg_free_analytics(cfg);
    free(cfg->database_url);
    free(cfg->web_listen_host);
    free(cfg->web_read_auth);
    free(cfg->source_path);
    free(cfg);
}

const l2w_chain_config *l2w_config_chain(const l2w_config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->n_chains; i++)
        if (cfg->chains[i].name && strcmp(cfg->chains[i].name, name) == 0)
            return &cfg->chains[i];
    return NULL;
}
