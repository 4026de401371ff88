#include "core/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hex.h"
#include "core/yaml_tree.h"

/* Every key l2watch accepts is declared in a table below (key, type, bounds,
 * default, required). Unknown keys are errors: in a security tool a typo that
 * silently disables a check is worse than refusing to start. */

#define MAX_CONFIG_BYTES (1024 * 1024)

typedef enum {
    F_STRING = 0, /* any non-empty string */
    F_URL = 1,    /* http(s) URL with ${ENV} expansion */
    F_DBURL = 2,  /* libpq URL or keyword string with ${ENV} expansion */
    F_U64 = 3,
    F_U32 = 4,
    F_ADDR = 5,
    F_NAME = 6,   /* [a-z0-9_-]{1,32} */
    F_ROLE = 7,
    F_LEVEL = 8,
    F_LISTEN = 9, /* host:port */
    F_URLS = 10,  /* list of F_URL */
} field_type;

typedef struct {
    const char *key;
    field_type type;
    size_t offset;    /* into the struct being filled */
    size_t has_offset; /* offset of a bool "has_X" flag, or 0 */
    uint64_t min, max;
    const char *def;  /* default as text, NULL = none */
    bool required;
} field_spec;

typedef struct {
    const char *file;
    l2w_err *err;
} ctx;

#define NO_HAS 0

static const field_spec top_fields[] = {
    {"log_level", F_LEVEL, offsetof(l2w_config, log_level), NO_HAS, 0, 0, "info", false},
};
static const field_spec database_fields[] = {
    {"url", F_DBURL, offsetof(l2w_config, database_url), NO_HAS, 0, 0, NULL, true},
};
static const field_spec web_fields[] = {
    {"listen", F_LISTEN, 0, NO_HAS, 0, 0, "127.0.0.1:8080", false},
};
static const field_spec alerts_fields[] = {
    {"max_backoff_ms", F_U32, offsetof(l2w_config, alert_max_backoff_ms), NO_HAS, 100, 86400000, "300000", false},
};
static const field_spec webhook_fields[] = {
    {"name", F_NAME, offsetof(l2w_webhook_config, name), NO_HAS, 0, 0, NULL, true},
    {"url", F_URL, offsetof(l2w_webhook_config, url), NO_HAS, 0, 0, NULL, true},
    {"timeout_ms", F_U32, offsetof(l2w_webhook_config, timeout_ms), NO_HAS, 100, 120000, "10000", false},
};
static const field_spec chain_fields[] = {
    {"name", F_NAME, offsetof(l2w_chain_config, name), NO_HAS, 0, 0, NULL, true},
    {"role", F_ROLE, offsetof(l2w_chain_config, role), NO_HAS, 0, 0, NULL, true},
    {"chain_id", F_U64, offsetof(l2w_chain_config, chain_id), NO_HAS, 1, UINT64_MAX, NULL, true},
    {"rpc", F_URLS, 0, NO_HAS, 0, 0, NULL, true},
    {"rpc_timeout_ms", F_U32, offsetof(l2w_chain_config, rpc_timeout_ms), NO_HAS, 100, 600000, "10000", false},
    {"poll_interval_ms", F_U32, offsetof(l2w_chain_config, poll_interval_ms), NO_HAS, 50, 3600000, "1000", false},
    {"confirmations", F_U32, offsetof(l2w_chain_config, confirmations), NO_HAS, 0, 10000, "2", false},
    {"start_block", F_U64, offsetof(l2w_chain_config, start_block), offsetof(l2w_chain_config, has_start_block), 0,
     UINT64_MAX, NULL, false},
    {"max_blocks_per_poll", F_U32, offsetof(l2w_chain_config, max_blocks_per_poll), NO_HAS, 1, 10000, "100", false},
    {"l1", F_NAME, offsetof(l2w_chain_config, l1), NO_HAS, 0, 0, NULL, false},
    {"l2_output_oracle", F_ADDR, offsetof(l2w_chain_config, l2_output_oracle),
     offsetof(l2w_chain_config, has_l2_output_oracle), 0, 0, NULL, false},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

L2W_PRINTF(4, 5) static l2w_status fail(ctx *c, int line, const char *path, const char *fmt, ...)
{
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    l2w_err_set(c->err, "%s:%d: %s: %s", c->file, line, path, what);
    return L2W_ERR_CONFIG;
}

/* Replaces each ${NAME} with the environment variable NAME. */
static l2w_status expand_env(ctx *c, int line, const char *path, const char *in, char **out)
{
    size_t cap = strlen(in) + 1, len = 0;
    char *buf = malloc(cap);
    if (!buf)
        return L2W_ERR_NOMEM;
    for (const char *p = in; *p;) {
        const char *val = NULL;
        size_t val_len = 1;
        const char *next = p + 1;
        if (p[0] == '$' && p[1] == '{') {
            const char *end = strchr(p + 2, '}');
            if (!end || end == p + 2) {
                free(buf);
                return fail(c, line, path, "unterminated or empty ${...} in value");
            }
            char var[128];
            snprintf(var, sizeof var, "%.*s", (int)(end - p - 2), p + 2);
            val = getenv(var);
            if (!val) {
                free(buf);
                return fail(c, line, path, "environment variable %s is not set", var);
            }
            val_len = strlen(val);
            next = end + 1;
        } else {
            val = p;
        }
        if (len + val_len + 1 > cap) {
            cap = (len + val_len + 1) * 2;
            char *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                return L2W_ERR_NOMEM;
            }
            buf = nb;
        }
        memcpy(buf + len, val, val_len);
        len += val_len;
        p = next;
    }
    buf[len] = '\0';
    *out = buf;
    return L2W_OK;
}

static l2w_status parse_uint(ctx *c, const l2w_yaml_node *n, const char *path, uint64_t min, uint64_t max,
                             uint64_t *out)
{
    const char *s = n->scalar;
    errno = 0;
    char *end = NULL;
    unsigned long long v = isdigit((unsigned char)s[0]) ? strtoull(s, &end, 10) : 0;
    if (!end || *end || errno == ERANGE || v < min || v > max)
        return fail(c, n->line, path, "expected an integer from %llu to %llu, got \"%.60s\"", (unsigned long long)min,
                    (unsigned long long)max, s);
    *out = v;
    return L2W_OK;
}

static l2w_status check_url(ctx *c, int line, const char *path, const char *url)
{
    if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
        return fail(c, line, path, "expected an http:// or https:// URL, got \"%.80s\"", url);
    return L2W_OK;
}

static bool valid_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 32)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '_' || s[i] == '-'))
            return false;
    return true;
}

static l2w_status parse_listen(ctx *c, const l2w_yaml_node *n, const char *path, l2w_config *cfg)
{
    const char *colon = strrchr(n->scalar, ':');
    if (!colon || colon == n->scalar)
        return fail(c, n->line, path, "expected host:port, got \"%s\"", n->scalar);
    uint64_t port;
    l2w_yaml_node tmp = *n;
    tmp.scalar = (char *)colon + 1;
    l2w_status st = parse_uint(c, &tmp, path, 0, 65535, &port);
    if (st != L2W_OK)
        return st;
    cfg->web_listen_host = strndup(n->scalar, (size_t)(colon - n->scalar));
    if (!cfg->web_listen_host)
        return L2W_ERR_NOMEM;
    cfg->web_listen_port = (uint16_t)port;
    return L2W_OK;
}

static l2w_status set_string(char **dst, const char *s)
{
    *dst = strdup(s);
    return *dst ? L2W_OK : L2W_ERR_NOMEM;
}

static l2w_status parse_urls(ctx *c, const l2w_yaml_node *n, const char *path, l2w_chain_config *chain)
{
    if (n->kind != L2W_YAML_SEQ || n->n == 0)
        return fail(c, n->line, path, "expected a non-empty list of RPC URLs");
    if (n->n > L2W_MAX_RPC_URLS)
        return fail(c, n->line, path, "at most %d RPC URLs per chain", L2W_MAX_RPC_URLS);
    for (size_t i = 0; i < n->n; i++) {
        const l2w_yaml_node *u = n->items[i];
        char upath[192];
        snprintf(upath, sizeof upath, "%s[%zu]", path, i);
        if (u->kind != L2W_YAML_SCALAR)
            return fail(c, u->line, upath, "expected a URL string");
        l2w_status st = expand_env(c, u->line, upath, u->scalar, &chain->rpc_urls[i]);
        if (st != L2W_OK)
            return st;
        chain->n_rpc_urls = i + 1;
        if ((st = check_url(c, u->line, upath, chain->rpc_urls[i])) != L2W_OK)
            return st;
    }
    return L2W_OK;
}

static l2w_status parse_scalar_field(ctx *c, const field_spec *f, const l2w_yaml_node *n, const char *path,
                                     void *obj, l2w_config *cfg)
{
    char *field = (char *)obj + f->offset;
    l2w_status st = L2W_OK;
    uint64_t v = 0;
    switch (f->type) {
    case F_STRING:
        if (!*n->scalar)
            return fail(c, n->line, path, "must not be empty");
        return set_string((char **)field, n->scalar);
    case F_URL:
        if ((st = expand_env(c, n->line, path, n->scalar, (char **)field)) != L2W_OK)
            return st;
        return check_url(c, n->line, path, *(char **)field);
    case F_DBURL:
        if ((st = expand_env(c, n->line, path, n->scalar, (char **)field)) != L2W_OK)
            return st;
        return **(char **)field ? L2W_OK : fail(c, n->line, path, "must not be empty");
    case F_U64:
        if ((st = parse_uint(c, n, path, f->min, f->max, &v)) == L2W_OK)
            *(uint64_t *)field = v;
        return st;
    case F_U32:
        if ((st = parse_uint(c, n, path, f->min, f->max, &v)) == L2W_OK)
            *(uint32_t *)field = (uint32_t)v;
        return st;
    case F_ADDR:
        if (l2w_addr_from_hex((l2w_addr *)field, n->scalar) != L2W_OK)
            return fail(c, n->line, path, "expected a 0x-prefixed 20-byte address, got \"%.60s\"", n->scalar);
        return L2W_OK;
    case F_NAME:
        if (!valid_name(n->scalar))
            return fail(c, n->line, path, "expected 1-32 characters of a-z, 0-9, _ or -, got \"%.60s\"", n->scalar);
        return set_string((char **)field, n->scalar);
    case F_ROLE:
        if (strcmp(n->scalar, "l1") == 0)
            *(l2w_chain_role *)field = L2W_CHAIN_L1;
        else if (strcmp(n->scalar, "l2") == 0)
            *(l2w_chain_role *)field = L2W_CHAIN_L2;
        else
            return fail(c, n->line, path, "expected l1 or l2, got \"%.60s\"", n->scalar);
        return L2W_OK;
    case F_LEVEL:
        if (l2w_log_level_parse((l2w_log_level *)field, n->scalar) != L2W_OK)
            return fail(c, n->line, path, "expected debug, info, unusual or broken, got \"%.60s\"", n->scalar);
        return L2W_OK;
    case F_LISTEN:
        return parse_listen(c, n, path, cfg);
    case F_URLS:
        break;
    }
    return fail(c, n->line, path, "internal: unhandled field type");
}

/* Fills obj from map according to specs; keys in map but not in specs are errors. */
static l2w_status parse_section(ctx *c, const l2w_yaml_node *map, const char *prefix, const field_spec *specs,
                                size_t n_specs, const char *const *sub_keys, void *obj, l2w_config *cfg)
{
    for (size_t i = 0; i < map->n; i++) {
        bool known = false;
        for (size_t s = 0; s < n_specs && !known; s++)
            known = strcmp(map->keys[i], specs[s].key) == 0;
        for (size_t s = 0; sub_keys && sub_keys[s] && !known; s++)
            known = strcmp(map->keys[i], sub_keys[s]) == 0;
        if (!known) {
            char path[160];
            snprintf(path, sizeof path, "%s%s", prefix, map->keys[i]);
            return fail(c, map->items[i]->line, path, "unknown key");
        }
    }
    for (size_t s = 0; s < n_specs; s++) {
        const field_spec *f = &specs[s];
        char path[160];
        snprintf(path, sizeof path, "%s%s", prefix, f->key);
        const l2w_yaml_node *n = l2w_yaml_get(map, f->key);
        l2w_yaml_node def_node = {.kind = L2W_YAML_SCALAR, .line = map->line, .scalar = (char *)f->def};
        if (!n) {
            if (f->required)
                return fail(c, map->line, path, "required key is missing");
            if (!f->def)
                continue;
            n = &def_node;
        }
        l2w_status st;
        if (f->type == F_URLS) {
            st = parse_urls(c, n, path, obj);
        } else if (n->kind != L2W_YAML_SCALAR) {
            st = fail(c, n->line, path, "expected a single value, not a list or mapping");
        } else {
            st = parse_scalar_field(c, f, n, path, obj, cfg);
            if (st == L2W_OK && f->has_offset)
                *(bool *)((char *)obj + f->has_offset) = true;
        }
        if (st == L2W_ERR_NOMEM)
            l2w_err_set(c->err, "%s: out of memory", c->file);
        if (st != L2W_OK)
            return st;
    }
    return L2W_OK;
}

static l2w_status optional_map(ctx *c, const l2w_yaml_node *root, const char *key, const l2w_yaml_node **out)
{
    static const l2w_yaml_node empty = {.kind = L2W_YAML_MAP};
    const l2w_yaml_node *n = l2w_yaml_get(root, key);
    if (n && n->kind != L2W_YAML_MAP)
        return fail(c, n->line, key, "expected a mapping");
    *out = n ? n : &empty;
    return L2W_OK;
}

static l2w_status check_chain(ctx *c, const l2w_config *cfg, size_t i, int line)
{
    const l2w_chain_config *ch = &cfg->chains[i];
    char path[64];
    snprintf(path, sizeof path, "chains[%zu]", i);
    for (size_t j = 0; j < i; j++)
        if (strcmp(cfg->chains[j].name, ch->name) == 0)
            return fail(c, line, path, "duplicate chain name \"%s\"", ch->name);
    if (ch->role == L2W_CHAIN_L1) {
        if (ch->l1 || ch->has_l2_output_oracle)
            return fail(c, line, path, "an l1 chain takes no l1 or l2_output_oracle key");
        return L2W_OK;
    }
    if (!ch->l1)
        return fail(c, line, path, "an l2 chain needs \"l1:\" naming the L1 chain it settles on");
    const l2w_chain_config *l1 = l2w_config_chain(cfg, ch->l1);
    if (!l1 || l1->role != L2W_CHAIN_L1)
        return fail(c, line, path, "l1: \"%s\" is not an l1 chain defined in this file", ch->l1);
    if (!ch->has_l2_output_oracle)
        return fail(c, line, path, "an l2 chain needs l2_output_oracle (the L2OutputOracle address on its L1)");
    return L2W_OK;
}

static l2w_status parse_chains(ctx *c, const l2w_yaml_node *root, l2w_config *cfg)
{
    const l2w_yaml_node *list = l2w_yaml_get(root, "chains");
    if (!list)
        return fail(c, root->line, "chains", "required key is missing");
    if (list->kind != L2W_YAML_SEQ || list->n == 0)
        return fail(c, list->line, "chains", "expected a non-empty list of chains");
    if (list->n > L2W_MAX_CHAINS)
        return fail(c, list->line, "chains", "at most %d chains", L2W_MAX_CHAINS);
    for (size_t i = 0; i < list->n; i++) {
        const l2w_yaml_node *item = list->items[i];
        char prefix[64];
        snprintf(prefix, sizeof prefix, "chains[%zu].", i);
        if (item->kind != L2W_YAML_MAP)
            return fail(c, item->line, prefix, "expected a mapping");
        cfg->n_chains = i + 1;
        l2w_status st = parse_section(c, item, prefix, chain_fields, COUNT(chain_fields), NULL, &cfg->chains[i], cfg);
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

static l2w_status parse_webhooks(ctx *c, const l2w_yaml_node *alerts, l2w_config *cfg)
{
    const l2w_yaml_node *list = l2w_yaml_get(alerts, "webhooks");
    if (!list)
        return L2W_OK;
    if (list->kind != L2W_YAML_SEQ)
        return fail(c, list->line, "alerts.webhooks", "expected a list");
    if (list->n > L2W_MAX_WEBHOOKS)
        return fail(c, list->line, "alerts.webhooks", "at most %d webhooks", L2W_MAX_WEBHOOKS);
    for (size_t i = 0; i < list->n; i++) {
        char prefix[64];
        snprintf(prefix, sizeof prefix, "alerts.webhooks[%zu].", i);
        if (list->items[i]->kind != L2W_YAML_MAP)
            return fail(c, list->items[i]->line, prefix, "expected a mapping");
        cfg->n_webhooks = i + 1;
        l2w_status st = parse_section(c, list->items[i], prefix, webhook_fields, COUNT(webhook_fields), NULL,
                                      &cfg->webhooks[i], cfg);
        if (st != L2W_OK)
            return st;
        for (size_t j = 0; j < i; j++)
            if (strcmp(cfg->webhooks[j].name, cfg->webhooks[i].name) == 0)
                return fail(c, list->items[i]->line, prefix, "duplicate webhook name \"%s\"", cfg->webhooks[i].name);
    }
    return L2W_OK;
}

static l2w_status parse_root(ctx *c, const l2w_yaml_node *root, l2w_config *cfg)
{
    if (root->kind != L2W_YAML_MAP)
        return fail(c, root->line, "(top level)", "expected a mapping");
    static const char *const top_subs[] = {"database", "web", "chains", "alerts", NULL};
    l2w_status st = parse_section(c, root, "", top_fields, COUNT(top_fields), top_subs, cfg, cfg);
    const l2w_yaml_node *db = NULL, *web = NULL, *alerts = NULL;
    if (st == L2W_OK)
        st = optional_map(c, root, "database", &db);
    if (st == L2W_OK)
        st = parse_section(c, db, "database.", database_fields, COUNT(database_fields), NULL, cfg, cfg);
    if (st == L2W_OK)
        st = optional_map(c, root, "web", &web);
    if (st == L2W_OK)
        st = parse_section(c, web, "web.", web_fields, COUNT(web_fields), NULL, cfg, cfg);
    if (st == L2W_OK)
        st = optional_map(c, root, "alerts", &alerts);
    static const char *const alert_subs[] = {"webhooks", NULL};
    if (st == L2W_OK)
        st = parse_section(c, alerts, "alerts.", alerts_fields, COUNT(alerts_fields), alert_subs, cfg, cfg);
    if (st == L2W_OK)
        st = parse_webhooks(c, alerts, cfg);
    if (st == L2W_OK)
        st = parse_chains(c, root, cfg);
    return st;
}

l2w_status l2w_config_parse(l2w_config **out, const char *text, size_t len, const char *name, l2w_err *err)
{
    *out = NULL;
    ctx c = {.file = name, .err = err};
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
        free(ch->l1);
        for (size_t j = 0; j < ch->n_rpc_urls; j++)
            free(ch->rpc_urls[j]);
    }
    for (size_t i = 0; i < cfg->n_webhooks; i++) {
        free(cfg->webhooks[i].name);
        free(cfg->webhooks[i].url);
    }
    free(cfg->database_url);
    free(cfg->web_listen_host);
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
