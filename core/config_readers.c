/* web.read_auth and web.readers: who may read the dashboard, the API and
 * /metrics when reading is not open to everyone who can reach the port. */

#include <crypt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config_parse.h"

static const cfg_field reader_fields[] = {
    {"name", F_NAME, offsetof(l2w_web_reader, name), NO_HAS, 0, 0, NULL, true},
    {"password_hash", F_STRING, offsetof(l2w_web_reader, password_hash), NO_HAS, 0, 0, NULL, false},
    {"token_sha256", F_STRING, offsetof(l2w_web_reader, token_sha256_hex), NO_HAS, 0, 0, NULL, false},
};

/* Slow, salted crypt(3) methods only: MD5-crypt and DES would let a copy of
 * the config file give the passwords away. */
static bool slow_method(const char *hash)
{
    static const char *const prefixes[] = {"$y$", "$gy$", "$7$", "$2b$", "$2y$", "$6$", "$5$"};
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
        if (strncmp(hash, prefixes[i], strlen(prefixes[i])) == 0)
            return true;
    return false;
}

/* The hash is one libcrypt can verify against: hashing any phrase with it
 * as the setting must succeed (a truncated or mistyped hash fails here, at
 * start-up, rather than refusing every sign-in). */
static l2w_status check_password_hash(cfg_ctx *c, int line, const char *prefix, const char *hash)
{
    char path[96];
    snprintf(path, sizeof path, "%spassword_hash", prefix);
    if (!slow_method(hash))
        return cfg_fail(c, line, path,
                        "expected a yescrypt, bcrypt or SHA-crypt hash ($y$, $2b$, $6$...), as made by "
                        "mkpasswd -m yescrypt or openssl passwd -6");
    struct crypt_data *data = calloc(1, sizeof *data);
    if (!data)
        return cfg_fail(c, line, path, "out of memory");
    const char *out = crypt_r("l2watch-config-check", hash, data);
    bool ok = out && out[0] == '$';
    free(data);
    if (!ok)
        return cfg_fail(c, line, path, "not a valid crypt(3) hash (truncated, or parameters out of range?)");
    return L2W_OK;
}

static l2w_status check_reader(cfg_ctx *c, l2w_config *cfg, size_t i, int line, const char *prefix)
{
    l2w_web_reader *r = &cfg->readers[i];
    if (!r->password_hash == !r->token_sha256_hex)
        return cfg_fail(c, line, prefix, "a reader has either password_hash (HTTP Basic) or token_sha256 (bearer)");
    l2w_status st = r->password_hash ? check_password_hash(c, line, prefix, r->password_hash)
                                     : cfg_token_sha256(c, line, prefix, r->token_sha256_hex, r->token_sha256);
    if (st != L2W_OK)
        return st;
    for (size_t j = 0; j < i; j++) {
        const l2w_web_reader *o = &cfg->readers[j];
        if (strcmp(o->name, r->name) == 0)
            return cfg_fail(c, line, prefix, "duplicate reader name \"%s\"", r->name);
        if (r->token_sha256_hex && o->token_sha256_hex && memcmp(o->token_sha256, r->token_sha256, 32) == 0)
            return cfg_fail(c, line, prefix, "reader \"%s\" has the same token as \"%s\"", r->name, o->name);
    }
    return L2W_OK;
}

l2w_status cfg_parse_readers(cfg_ctx *c, const l2w_yaml_node *web, l2w_config *cfg)
{
    const l2w_yaml_node *mode = l2w_yaml_get(web, "read_auth");
    int mode_line = mode ? mode->line : web->line;
    if (strcmp(cfg->web_read_auth, "required") == 0)
        cfg->read_auth_required = true;
    else if (strcmp(cfg->web_read_auth, "open") != 0)
        return cfg_fail(c, mode_line, "web.read_auth", "expected open or required, not \"%s\"", cfg->web_read_auth);
    const l2w_yaml_node *list = l2w_yaml_get(web, "readers");
    l2w_status st = cfg_parse_list(c, list, "web.readers", "readers", L2W_MAX_READERS, reader_fields,
                                   CFG_COUNT(reader_fields), cfg->readers, sizeof cfg->readers[0], &cfg->n_readers,
                                   cfg, check_reader);
    if (st != L2W_OK)
        return st;
    if (cfg->read_auth_required && cfg->n_readers == 0 && cfg->n_api_clients == 0)
        return cfg_fail(c, mode_line, "web.read_auth",
                        "required, but there is nobody to let in: add web.readers (or web.clients)");
    if (!cfg->read_auth_required && cfg->n_readers > 0)
        return cfg_fail(c, list->line, "web.readers",
                        "readers are only asked for with web.read_auth: required (it is open)");
    return L2W_OK;
}

void cfg_free_readers(l2w_config *cfg)
{
    for (size_t i = 0; i < cfg->n_readers; i++) {
        free(cfg->readers[i].name);
        free(cfg->readers[i].password_hash);
        free(cfg->readers[i].token_sha256_hex);
    }
    cfg->n_readers = 0;
}
