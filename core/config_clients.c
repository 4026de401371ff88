/* web.clients: the write API's clients, their token hashes and quotas. */

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config_parse.h"
#include "core/hex.h"

static const cfg_field client_fields[] = {
    {"name", F_NAME, offsetof(l2w_api_client, name), NO_HAS, 0, 0, NULL, true},
    {"token_sha256", F_STRING, offsetof(l2w_api_client, token_sha256_hex), NO_HAS, 0, 0, NULL, true},
    {"requests_per_minute", F_U32, offsetof(l2w_api_client, requests_per_minute), NO_HAS, 1, 1000000, "600", false},
    {"max_channels", F_U32, offsetof(l2w_api_client, max_channels), NO_HAS, 1, 100000000, "100000", false},
};

l2w_status cfg_token_sha256(cfg_ctx *c, int line, const char *prefix, const char *hex, uint8_t out[32])
{
    size_t n = 0;
    if (strncmp(hex, "0x", 2) == 0)
        hex += 2;
    if (strlen(hex) != 64 || l2w_hex_decode(out, 32, &n, hex, 64) != L2W_OK || n != 32) {
        char path[96];
        snprintf(path, sizeof path, "%stoken_sha256", prefix);
        return cfg_fail(c, line, path,
                        "expected the 64 hex digits of the SHA-256 of the token "
                        "(printf %%s \"$TOKEN\" | sha256sum)");
    }
    return L2W_OK;
}

static l2w_status check_client(cfg_ctx *c, l2w_config *cfg, size_t i, int line, const char *prefix)
{
    l2w_api_client *k = &cfg->api_clients[i];
    l2w_status st = cfg_token_sha256(c, line, prefix, k->token_sha256_hex, k->token_sha256);
    if (st != L2W_OK)
        return st;
    for (size_t j = 0; j < i; j++) {
        if (strcmp(cfg->api_clients[j].name, k->name) == 0)
            return cfg_fail(c, line, prefix, "duplicate client name \"%s\"", k->name);
        if (memcmp(cfg->api_clients[j].token_sha256, k->token_sha256, 32) == 0)
            return cfg_fail(c, line, prefix, "client \"%s\" has the same token as \"%s\"", k->name,
                            cfg->api_clients[j].name);
    }
    return L2W_OK;
}

l2w_status cfg_parse_api_clients(cfg_ctx *c, const l2w_yaml_node *web, l2w_config *cfg)
{
    return cfg_parse_list(c, l2w_yaml_get(web, "clients"), "web.clients", "clients", L2W_MAX_API_CLIENTS,
                          client_fields, CFG_COUNT(client_fields), cfg->api_clients, sizeof cfg->api_clients[0],
                          &cfg->n_api_clients, cfg, check_client);
}

void cfg_free_api_clients(l2w_config *cfg)
{
    for (size_t i = 0; i < cfg->n_api_clients; i++) {
        free(cfg->api_clients[i].name);
        free(cfg->api_clients[i].token_sha256_hex);
    }
    cfg->n_api_clients = 0;
}
