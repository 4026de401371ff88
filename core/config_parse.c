#include "core/config_parse.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hex.h"


l2w_status cfg_fail(cfg_ctx *c, int line, const char *path, const char *fmt, ...)
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
l2w_status cfg_expand_env(cfg_ctx *c, int line, const char *path, const char *in, char **out)
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
                return cfg_fail(c, line, path, "unterminated or empty ${...} in value");
            }
            char var[128];
            snprintf(var, sizeof var, "%.*s", (int)(end - p - 2), p + 2);
            val = getenv(var);
            if (!val) {
                free(buf);
                return cfg_fail(c, line, path, "environment variable %s is not set", var);
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

l2w_status cfg_parse_uint(cfg_ctx *c, const l2w_yaml_node *n, const char *path, uint64_t min, uint64_t max,
                             uint64_t *out)
{
    const char *s = n->scalar;
    errno = 0;
    char *end = NULL;
    unsigned long long v = isdigit((unsigned char)s[0]) ? strtoull(s, &end, 10) : 0;
    if (!end || *end || errno == ERANGE || v < min || v > max)
        return cfg_fail(c, n->line, path, "expected an integer from %llu to %llu, got \"%.60s\"", (unsigned long long)min,
                    (unsigned long long)max, s);
    *out = v;
    return L2W_OK;
}

l2w_status cfg_check_url(cfg_ctx *c, int line, const char *path, const char *url)
{
    if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
        return cfg_fail(c, line, path, "expected an http:// or https:// URL, got \"%.80s\"", url);
    return L2W_OK;
}

bool cfg_valid_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 32)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '_' || s[i] == '-'))
            return false;
    return true;
}

static l2w_status parse_listen(cfg_ctx *c, const l2w_yaml_node *n, const char *path, l2w_config *cfg)
{
    const char *colon = strrchr(n->scalar, ':');
    if (!colon || colon == n->scalar)
        return cfg_fail(c, n->line, path, "expected host:port, got \"%s\"", n->scalar);
    uint64_t port;
    l2w_yaml_node tmp = *n;
    tmp.scalar = (char *)colon + 1;
    l2w_status st = cfg_parse_uint(c, &tmp, path, 0, 65535, &port);
    if (st != L2W_OK)
        return st;
    cfg->web_listen_host = strndup(n->scalar, (size_t)(colon - n->scalar));
    if (!cfg->web_listen_host)
        return L2W_ERR_NOMEM;
    cfg->web_listen_port = (uint16_t)port;
    return L2W_OK;
}

l2w_status cfg_set_string(char **dst, const char *s)
{
    *dst = strdup(s);
    return *dst ? L2W_OK : L2W_ERR_NOMEM;
}

/* The list fields (F_URLS, F_ADDRS, F_NAMES; see cfg_field): a non-empty
 * sequence of at most f->max scalars, each read by its item parser into slot
 * i, the count following the items read so a failure part-way still frees
 * them. */
typedef l2w_status (*list_item_fn)(cfg_ctx *c, const cfg_field *f, const l2w_yaml_node *item, const char *path,
                                   void *obj, size_t i);

static l2w_status parse_list_field(cfg_ctx *c, const cfg_field *f, const l2w_yaml_node *n, const char *path,
                                   void *obj, list_item_fn item_fn)
{
    if (n->kind != L2W_YAML_SEQ || n->n == 0)
        return cfg_fail(c, n->line, path, "expected a non-empty list of %s", f->def);
    if (n->n > f->max)
        return cfg_fail(c, n->line, path, "at most %llu %s", (unsigned long long)f->max, f->def);
    for (size_t i = 0; i < n->n; i++) {
        char ipath[192];
        snprintf(ipath, sizeof ipath, "%s[%zu]", path, i);
        l2w_status st = item_fn(c, f, n->items[i], ipath, obj, i);
        if (st != L2W_OK)
            return st;
    }
    return L2W_OK;
}

static void count_item(const cfg_field *f, void *obj, size_t i)
{
    *(size_t *)((char *)obj + f->has_offset) = i + 1;
}

/* Each URL ${ENV}-expanded and checked. */
static l2w_status url_item(cfg_ctx *c, const cfg_field *f, const l2w_yaml_node *u, const char *path, void *obj,
                           size_t i)
{
    char **urls = (char **)((char *)obj + f->offset);
    if (u->kind != L2W_YAML_SCALAR)
        return cfg_fail(c, u->line, path, "expected a URL string");
    l2w_status st = cfg_expand_env(c, u->line, path, u->scalar, &urls[i]);
    if (st != L2W_OK)
        return st;
    count_item(f, obj, i);
    return cfg_check_url(c, u->line, path, urls[i]);
}

static l2w_status name_item(cfg_ctx *c, const cfg_field *f, const l2w_yaml_node *a, const char *path, void *obj,
                            size_t i)
{
    char **names = (char **)((char *)obj + f->offset);
    if (a->kind != L2W_YAML_SCALAR || !cfg_valid_name(a->scalar))
        return cfg_fail(c, a->line, path, "expected 1-32 characters of a-z, 0-9, _ or -, got \"%.60s\"",
                        a->kind == L2W_YAML_SCALAR ? a->scalar : "(a list or mapping)");
    if (cfg_set_string(&names[i], a->scalar) != L2W_OK)
        return L2W_ERR_NOMEM;
    count_item(f, obj, i);
    return L2W_OK;
}

static l2w_status string_item(cfg_ctx *c, const cfg_field *f, const l2w_yaml_node *a, const char *path, void *obj,
                              size_t i)
{
    char **strings = (char **)((char *)obj + f->offset);
    if (a->kind != L2W_YAML_SCALAR || !*a->scalar)
        return cfg_fail(c, a->line, path, "expected a non-empty string");
    if (cfg_set_string(&strings[i], a->scalar) != L2W_OK)
        return L2W_ERR_NOMEM;
    count_item(f, obj, i);
    return L2W_OK;
}

static l2w_status addr_item(cfg_ctx *c, const cfg_field *f, const l2w_yaml_node *a, const char *path, void *obj,
                            size_t i)
{
    l2w_addr *addrs = (l2w_addr *)((char *)obj + f->offset);
    if (a->kind != L2W_YAML_SCALAR || l2w_addr_from_hex(&addrs[i], a->scalar) != L2W_OK)
        return cfg_fail(c, a->line, path, "expected a 0x-prefixed 20-byte address, got \"%.60s\"",
                        a->kind == L2W_YAML_SCALAR ? a->scalar : "(a list or mapping)");
    count_item(f, obj, i);
    return L2W_OK;
}

static l2w_status parse_scalar_field(cfg_ctx *c, const cfg_field *f, const l2w_yaml_node *n, const char *path,
                                     void *obj, l2w_config *cfg)
{
    char *field = (char *)obj + f->offset;
    l2w_status st = L2W_OK;
    uint64_t v = 0;
    switch (f->type) {
    case F_STRING:
        if (!*n->scalar)
            return cfg_fail(c, n->line, path, "must not be empty");
        return cfg_set_string((char **)field, n->scalar);
    case F_URL:
        if ((st = cfg_expand_env(c, n->line, path, n->scalar, (char **)field)) != L2W_OK)
            return st;
        return cfg_check_url(c, n->line, path, *(char **)field);
    case F_DBURL:
        if ((st = cfg_expand_env(c, n->line, path, n->scalar, (char **)field)) != L2W_OK)
            return st;
        return **(char **)field ? L2W_OK : cfg_fail(c, n->line, path, "must not be empty");
    case F_U64:
        if ((st = cfg_parse_uint(c, n, path, f->min, f->max, &v)) == L2W_OK)
            *(uint64_t *)field = v;
        return st;
    case F_U32:
        if ((st = cfg_parse_uint(c, n, path, f->min, f->max, &v)) == L2W_OK)
            *(uint32_t *)field = (uint32_t)v;
        return st;
    case F_ADDR:
        if (l2w_addr_from_hex((l2w_addr *)field, n->scalar) != L2W_OK)
            return cfg_fail(c, n->line, path, "expected a 0x-prefixed 20-byte address, got \"%.60s\"", n->scalar);
        return L2W_OK;
    case F_NAME:
        if (!cfg_valid_name(n->scalar))
            return cfg_fail(c, n->line, path, "expected 1-32 characters of a-z, 0-9, _ or -, got \"%.60s\"", n->scalar);
        return cfg_set_string((char **)field, n->scalar);
    case F_ROLE:
        if (strcmp(n->scalar, "l1") == 0)
            *(l2w_chain_role *)field = L2W_CHAIN_L1;
        else if (strcmp(n->scalar, "l2") == 0)
            *(l2w_chain_role *)field = L2W_CHAIN_L2;
        else
            return cfg_fail(c, n->line, path, "expected l1 or l2, got \"%.60s\"", n->scalar);
        return L2W_OK;
    case F_LEVEL:
        if (l2w_log_level_parse((l2w_log_level *)field, n->scalar) != L2W_OK)
            return cfg_fail(c, n->line, path, "expected debug, info, unusual or broken, got \"%.60s\"", n->scalar);
        return L2W_OK;
    case F_LISTEN:
        return parse_listen(c, n, path, cfg);
    case F_MODE:
        if (strcmp(n->scalar, "off") == 0)
            *(l2w_response_mode *)field = L2W_RESPONSE_OFF;
        else if (strcmp(n->scalar, "dry-run") == 0)
            *(l2w_response_mode *)field = L2W_RESPONSE_DRY_RUN;
        else if (strcmp(n->scalar, "on") == 0)
            *(l2w_response_mode *)field = L2W_RESPONSE_ON;
        else
            return cfg_fail(c, n->line, path, "expected off, dry-run or on, got \"%.60s\"", n->scalar);
        return L2W_OK;
    case F_URLS:
    case F_ADDRS:
    case F_NAMES:
    case F_STRINGS:
        break;
    }
    return cfg_fail(c, n->line, path, "internal: unhandled field type");
}

/* Fills obj from map according to specs; keys in map but not in specs are errors. */
l2w_status cfg_parse_section(cfg_ctx *c, const l2w_yaml_node *map, const char *prefix, const cfg_field *specs,
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
            return cfg_fail(c, map->items[i]->line, path, "unknown key");
        }
    }
    for (size_t s = 0; s < n_specs; s++) {
        const cfg_field *f = &specs[s];
        char path[160];
        snprintf(path, sizeof path, "%s%s", prefix, f->key);
        const l2w_yaml_node *n = l2w_yaml_get(map, f->key);
        l2w_yaml_node def_node = {.kind = L2W_YAML_SCALAR, .line = map->line, .scalar = (char *)f->def};
        if (!n) {
            if (f->required)
                return cfg_fail(c, map->line, path, "required key is missing");
            bool list = f->type == F_URLS || f->type == F_ADDRS || f->type == F_NAMES || f->type == F_STRINGS;
            if (!f->def || list) /* a list's def is its noun, not a default */
                continue;
            n = &def_node;
        }
        l2w_status st;
        list_item_fn item = f->type == F_URLS      ? url_item
                            : f->type == F_ADDRS   ? addr_item
                            : f->type == F_NAMES   ? name_item
                            : f->type == F_STRINGS ? string_item
                                                   : NULL;
        if (item) {
            st = parse_list_field(c, f, n, path, obj, item);
        } else if (n->kind != L2W_YAML_SCALAR) {
            st = cfg_fail(c, n->line, path, "expected a single value, not a list or mapping");
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

l2w_status cfg_optional_map(cfg_ctx *c, const l2w_yaml_node *root, const char *key, const l2w_yaml_node **out)
{
    static const l2w_yaml_node empty = {.kind = L2W_YAML_MAP};
    const l2w_yaml_node *n = l2w_yaml_get(root, key);
    if (n && n->kind != L2W_YAML_MAP)
        return cfg_fail(c, n->line, key, "expected a mapping");
    *out = n ? n : &empty;
    return L2W_OK;
}


l2w_status cfg_parse_list(cfg_ctx *c, const l2w_yaml_node *list, const char *path, const char *what, size_t max,
                          const cfg_field *specs, size_t n_specs, void *items, size_t elem_size, size_t *count,
                          l2w_config *cfg, cfg_item_check check)
{
    if (!list)
        return L2W_OK;
    if (list->kind != L2W_YAML_SEQ)
        return cfg_fail(c, list->line, path, "expected a list");
    if (list->n > max)
        return cfg_fail(c, list->line, path, "at most %zu %s", max, what);
    for (size_t i = 0; i < list->n; i++) {
        char prefix[64];
        snprintf(prefix, sizeof prefix, "%s[%zu].", path, i);
        const l2w_yaml_node *item = list->items[i];
        if (item->kind != L2W_YAML_MAP)
            return cfg_fail(c, item->line, prefix, "expected a mapping");
        *count = i + 1;
        l2w_status st = cfg_parse_section(c, item, prefix, specs, n_specs, NULL, (char *)items + i * elem_size, cfg);
        if (st == L2W_OK && check)
            st = check(c, cfg, i, item->line, prefix);
        if (st != L2W_OK)
            return st;
    }
    return L2W_OK;
}
