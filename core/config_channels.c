/* channels: the watchtower's adjudicators and its receipt key. */

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config_parse.h"

static const cfg_field channel_fields[] = {
    {"chain", F_NAME, offsetof(l2w_channels_config, chain), NO_HAS, 0, 0, NULL, true},
    {"receipt_signer", F_NAME, offsetof(l2w_channels_config, receipt_signer), NO_HAS, 0, 0, NULL, true},
    {"vector_channel_factory", F_ADDR, offsetof(l2w_channels_config, vector_channel_factory),
     offsetof(l2w_channels_config, has_vector_channel_factory), 0, 0, NULL, false},
    {"vector_mastercopy", F_ADDR, offsetof(l2w_channels_config, vector_mastercopy),
     offsetof(l2w_channels_config, has_vector_mastercopy), 0, 0, NULL, false},
    {"nitro_adjudicator", F_ADDR, offsetof(l2w_channels_config, nitro_adjudicator),
     offsetof(l2w_channels_config, has_nitro_adjudicator), 0, 0, NULL, false},
    /* Long enough for a person to act by hand when the automatic answer is
     * stuck; Vector and Nitro windows are hours to days. */
    {"warn_before_s", F_U32, offsetof(l2w_channels_config, warn_before_s), NO_HAS, 1, 30u * 86400, "900", false},
};

static l2w_status fail_at(cfg_ctx *c, const l2w_yaml_node *map, const char *key, const char *what)
{
    const l2w_yaml_node *n = l2w_yaml_get(map, key);
    char path[64];
    snprintf(path, sizeof path, "channels.%s", key);
    return cfg_fail(c, n ? n->line : map->line, path, "%s", what);
}

static l2w_status check_channels(cfg_ctx *c, const l2w_yaml_node *map, l2w_config *cfg)
{
    l2w_channels_config *ch = &cfg->channels;
    const l2w_chain_config *chain = l2w_config_chain(cfg, ch->chain);
    char what[160];
    if (!chain) {
        snprintf(what, sizeof what, "chain \"%s\" is not defined in chains", ch->chain);
        return fail_at(c, map, "chain", what);
    }
    const l2w_signer_config *s = l2w_config_signer(cfg, ch->receipt_signer);
    if (!s) {
        snprintf(what, sizeof what, "signer \"%s\" is not defined in signers", ch->receipt_signer);
        return fail_at(c, map, "receipt_signer", what);
    }
    if (s->source == L2W_SIGNER_REMOTE)
        return fail_at(c, map, "receipt_signer",
                       "receipts are signed by the web server itself: use a signer with key_file or key_env");
    if (ch->has_vector_channel_factory != ch->has_vector_mastercopy)
        return fail_at(c, map, ch->has_vector_channel_factory ? "vector_mastercopy" : "vector_channel_factory",
                       "Vector needs both vector_channel_factory and vector_mastercopy "
                       "(channel addresses are derived from the pair)");
    if (!ch->has_vector_channel_factory && !ch->has_nitro_adjudicator)
        return cfg_fail(c, map->line, "channels",
                        "nothing to watch: set vector_channel_factory and vector_mastercopy, nitro_adjudicator, "
                        "or both");
    return L2W_OK;
}

l2w_status cfg_parse_channels(cfg_ctx *c, const l2w_yaml_node *root, l2w_config *cfg)
{
    const l2w_yaml_node *map = l2w_yaml_get(root, "channels");
    if (!map)
        return L2W_OK;
    if (map->kind != L2W_YAML_MAP)
        return cfg_fail(c, map->line, "channels", "expected a mapping");
    cfg->channels.enabled = true;
    l2w_status st = cfg_parse_section(c, map, "channels.", channel_fields, CFG_COUNT(channel_fields), NULL,
                                      &cfg->channels, cfg);
    return st == L2W_OK ? check_channels(c, map, cfg) : st;
}

void cfg_free_channels(l2w_config *cfg)
{
    free(cfg->channels.chain);
    free(cfg->channels.receipt_signer);
    memset(&cfg->channels, 0, sizeof cfg->channels);
}
