#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config_parse.h"

/* The responder's part of the configuration: who signs (signers), what is
 * answered and how (responses), and how transactions are sent on a chain
 * (chains[i].txmgr). */

const char *l2w_response_mode_name(l2w_response_mode mode)
{
    switch (mode) {
    case L2W_RESPONSE_OFF:
        return "off";
    case L2W_RESPONSE_DRY_RUN:
        return "dry-run";
    case L2W_RESPONSE_ON:
        return "on";
    }
    return "?";
}

static const cfg_field txmgr_fields[] = {
    {"fee_cap_gwei", F_U64, offsetof(l2w_txmgr_config, fee_cap_gwei), NO_HAS, 1, 1000000, "500", false},
    {"min_priority_fee_wei", F_U64, offsetof(l2w_txmgr_config, min_priority_fee_wei), NO_HAS, 0,
     1000000000000000ULL, "1000000", false},
    {"resubmit_after_ms", F_U32, offsetof(l2w_txmgr_config, resubmit_after_ms), NO_HAS, 100, 3600000, "24000", false},
    {"confirmations", F_U32, offsetof(l2w_txmgr_config, confirmations), NO_HAS, 0, 1000, "3", false},
    {"receipt_poll_ms", F_U32, offsetof(l2w_txmgr_config, receipt_poll_ms), NO_HAS, 50, 60000, "1000", false},
    {"gas_margin_percent", F_U32, offsetof(l2w_txmgr_config, gas_margin_percent), NO_HAS, 0, 400, "25", false},
};

static const cfg_field signer_fields[] = {
    {"name", F_NAME, offsetof(l2w_signer_config, name), NO_HAS, 0, 0, NULL, true},
    {"key_file", F_STRING, offsetof(l2w_signer_config, key_file), NO_HAS, 0, 0, NULL, false},
    {"key_env", F_STRING, offsetof(l2w_signer_config, key_env), NO_HAS, 0, 0, NULL, false},
    {"remote_url", F_URL, offsetof(l2w_signer_config, remote_url), NO_HAS, 0, 0, NULL, false},
    {"address", F_ADDR, offsetof(l2w_signer_config, address), offsetof(l2w_signer_config, has_address), 0, 0, NULL,
     false},
};

static const cfg_field responses_fields[] = {
    {"default_mode", F_MODE, offsetof(l2w_config, default_response_mode), NO_HAS, 0, 0, "dry-run", false},
};

static const cfg_field rule_fields[] = {
    {"kind", F_STRING, offsetof(l2w_response_rule, kind), NO_HAS, 0, 0, NULL, true},
    {"chain", F_NAME, offsetof(l2w_response_rule, chain), NO_HAS, 0, 0, NULL, false},
    {"mode", F_MODE, offsetof(l2w_response_rule, mode), NO_HAS, 0, 0, NULL, true},
    {"signer", F_NAME, offsetof(l2w_response_rule, signer), NO_HAS, 0, 0, NULL, false},
};

l2w_status cfg_parse_txmgr(cfg_ctx *c, const l2w_yaml_node *chain_map, const char *prefix, l2w_chain_config *chain)
{
    const l2w_yaml_node *map;
    char path[96];
    snprintf(path, sizeof path, "%stxmgr", prefix);
    const l2w_yaml_node *n = l2w_yaml_get(chain_map, "txmgr");
    if (n && n->kind != L2W_YAML_MAP)
        return cfg_fail(c, n->line, path, "expected a mapping");
    l2w_status st = cfg_optional_map(c, chain_map, "txmgr", &map);
    if (st != L2W_OK)
        return st;
    snprintf(path, sizeof path, "%stxmgr.", prefix);
    return cfg_parse_section(c, map, path, txmgr_fields, CFG_COUNT(txmgr_fields), NULL, &chain->txmgr, NULL);
}

static l2w_status check_signer(cfg_ctx *c, l2w_config *cfg, size_t i, int line, const char *path)
{
    l2w_signer_config *s = &cfg->signers[i];
    int sources = (s->key_file != NULL) + (s->key_env != NULL) + (s->remote_url != NULL);
    if (sources != 1)
        return cfg_fail(c, line, path, "give exactly one of key_file, key_env or remote_url");
    s->source = s->key_file ? L2W_SIGNER_KEY_FILE : s->key_env ? L2W_SIGNER_KEY_ENV : L2W_SIGNER_REMOTE;
    if (s->remote_url && !s->has_address)
        return cfg_fail(c, line, path, "a remote signer needs address: (the account it signs for)");
    for (size_t j = 0; j < i; j++)
        if (strcmp(cfg->signers[j].name, s->name) == 0)
            return cfg_fail(c, line, path, "duplicate signer name \"%s\"", s->name);
    return L2W_OK;
}

l2w_status cfg_parse_signers(cfg_ctx *c, const l2w_yaml_node *root, l2w_config *cfg)
{
    return cfg_parse_list(c, l2w_yaml_get(root, "signers"), "signers", "signers", L2W_MAX_SIGNERS, signer_fields,
                          CFG_COUNT(signer_fields), cfg->signers, sizeof cfg->signers[0], &cfg->n_signers, cfg,
                          check_signer);
}

static l2w_status check_rule(cfg_ctx *c, l2w_config *cfg, size_t i, int line, const char *path)
{
    const l2w_response_rule *r = &cfg->response_rules[i];
    if (r->chain && !l2w_config_chain(cfg, r->chain))
        return cfg_fail(c, line, path, "chain \"%s\" is not defined in chains", r->chain);
    if (r->signer && !l2w_config_signer(cfg, r->signer))
        return cfg_fail(c, line, path, "signer \"%s\" is not defined in signers", r->signer);
    if (r->mode == L2W_RESPONSE_ON && !r->signer)
        return cfg_fail(c, line, path, "mode on needs signer: (the key that sends the response)");
    return L2W_OK;
}

l2w_status cfg_parse_responses(cfg_ctx *c, const l2w_yaml_node *root, l2w_config *cfg)
{
    const l2w_yaml_node *map;
    l2w_status st = cfg_optional_map(c, root, "responses", &map);
    static const char *const subs[] = {"rules", NULL};
    if (st == L2W_OK)
        st = cfg_parse_section(c, map, "responses.", responses_fields, CFG_COUNT(responses_fields), subs, cfg, cfg);
    if (st == L2W_OK && cfg->default_response_mode == L2W_RESPONSE_ON)
        return cfg_fail(c, l2w_yaml_get(map, "default_mode")->line, "responses.default_mode",
                        "on needs a signer: turn responses on per kind with rules[].signer");
    if (st != L2W_OK)
        return st;
    return cfg_parse_list(c, l2w_yaml_get(map, "rules"), "responses.rules", "rules", L2W_MAX_RESPONSE_RULES,
                          rule_fields, CFG_COUNT(rule_fields), cfg->response_rules, sizeof cfg->response_rules[0],
                          &cfg->n_response_rules, cfg, check_rule);
}

void cfg_free_responder(l2w_config *cfg)
{
    for (size_t i = 0; i < cfg->n_signers; i++) {
        free(cfg->signers[i].name);
        free(cfg->signers[i].key_file);
        free(cfg->signers[i].key_env);
        free(cfg->signers[i].remote_url);
    }
    for (size_t i = 0; i < cfg->n_response_rules; i++) {
        free(cfg->response_rules[i].kind);
        free(cfg->response_rules[i].chain);
        free(cfg->response_rules[i].signer);
    }
}

const l2w_signer_config *l2w_config_signer(const l2w_config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->n_signers; i++)
        if (strcmp(cfg->signers[i].name, name) == 0)
            return &cfg->signers[i];
    return NULL;
}

const l2w_response_rule *l2w_config_response_rule(const l2w_config *cfg, const char *kind, const char *chain)
{
    const l2w_response_rule *any = NULL;
    for (size_t i = 0; i < cfg->n_response_rules; i++) {
        const l2w_response_rule *r = &cfg->response_rules[i];
        if (strcmp(r->kind, kind) != 0)
            continue;
        if (r->chain && strcmp(r->chain, chain) == 0)
            return r;
        if (!r->chain && !any)
            any = r;
    }
    return any;
}
