#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/abi_event.h"
#include "core/config_parse.h"
#include "core/hex.h"

/* bridges: the escrows l2watch watches, how their movements are read, the
 * thresholds of the bridge detectors and the circuit breaker. Keys whose
 * values become something other than a string (kind, the event signatures,
 * pause.method) are read by the field tables as text into a bridge_item and
 * converted afterwards, so that every message still names its key and line. */

enum { EV_MESSAGE_ID = 0, EV_TOKEN = 1, EV_RECIPIENT = 2, EV_AMOUNT = 3, N_EV_FIELDS = 4 };

static const char *const ev_keys[N_EV_FIELDS] = {"message_id", "token", "recipient", "amount"};

/* Without release_fields/initiation_fields naming it, a field is the first
 * parameter with one of these exact names. */
static const char *const ev_defaults[N_EV_FIELDS][3] = {
    {"messageId", "message_id", "id"},
    {"token", NULL, NULL},
    {"recipient", "to", NULL},
    {"amount", "value", NULL},
};

/* The finding kinds a bridge's breaker may answer (the bridge detectors'). */
static const char *const pause_kinds[] = {"forged_withdrawal", "supply_exceeds_escrow", "escrow_drawdown",
                                          "outflow_anomaly"};
/* Only the two that cannot be innocent pull the breaker unless told otherwise:
 * a drawdown or an unusual outflow may be a whale. */
static const char *const default_pause_on[] = {"forged_withdrawal", "supply_exceeds_escrow"};

typedef struct {
    char *names[N_EV_FIELDS];
} field_names;

typedef struct {
    char *symbol;
    bool has_address;
    l2w_addr address;
    bool has_remote;
    l2w_addr remote;
    uint32_t decimals;
} token_item;

typedef struct {
    l2w_bridge_config b;          /* moved into cfg->bridges[i] once read */
    char *kind;
    char *release_event;
    char *initiation_event;
    char *pause_method;
    field_names release_names;
    field_names initiation_names;
    token_item tokens[L2W_MAX_BRIDGE_TOKENS];
    size_t n_tokens;
} bridge_item;

#define BOFF(f) (offsetof(bridge_item, b) + offsetof(l2w_bridge_config, f))
#define IOFF(f) offsetof(bridge_item, f)
#define NAMEOFF(k) (offsetof(field_names, names) + (k) * sizeof(char *))

static const cfg_field bridge_fields[] = {
    {"name", F_NAME, BOFF(name), NO_HAS, 0, 0, NULL, true},
    {"kind", F_STRING, IOFF(kind), NO_HAS, 0, 0, NULL, true},
    {"chain", F_NAME, BOFF(chain), NO_HAS, 0, 0, NULL, false},
    {"remote_chain", F_NAME, BOFF(remote_chain), NO_HAS, 0, 0, NULL, true},
    {"escrow", F_ADDR, BOFF(escrow), BOFF(has_escrow), 0, 0, NULL, false},
    {"release_event", F_STRING, IOFF(release_event), NO_HAS, 0, 0, NULL, false},
    {"source_contract", F_ADDR, BOFF(source_contract), BOFF(has_source_contract), 0, 0, NULL, false},
    {"initiation_event", F_STRING, IOFF(initiation_event), NO_HAS, 0, 0, NULL, false},
    /* a week: a relayer slower than that is an incident of its own */
    {"source_grace_seconds", F_U32, BOFF(source_grace_s), NO_HAS, 0, 604800, "600", false},
    /* a day: a release normally follows its initiation within hours */
    {"source_history_seconds", F_U32, BOFF(source_history_s), NO_HAS, 0, 31536000, "86400", false},
};
static const char *const bridge_subs[] = {"tokens",  "release_fields", "initiation_fields", "drawdown",
                                          "outflow", "pause",          NULL};
/* Keys that describe a lock-release bridge; an op-stack bridge's contracts
 * come from its L2 chain, so these there would be a misunderstanding. */
static const char *const lock_release_keys[] = {"escrow",          "release_event",    "release_fields",
                                                "source_contract", "initiation_event", "initiation_fields",
                                                "source_grace_seconds", "source_history_seconds"};

static const cfg_field event_field_fields[] = {
    {"message_id", F_STRING, NAMEOFF(EV_MESSAGE_ID), NO_HAS, 0, 0, NULL, false},
    {"token", F_STRING, NAMEOFF(EV_TOKEN), NO_HAS, 0, 0, NULL, false},
    {"recipient", F_STRING, NAMEOFF(EV_RECIPIENT), NO_HAS, 0, 0, NULL, false},
    {"amount", F_STRING, NAMEOFF(EV_AMOUNT), NO_HAS, 0, 0, NULL, false},
};

/* decimals: 10^77 is the largest power of ten a uint256 holds */
static const cfg_field token_fields[] = {
    {"symbol", F_STRING, offsetof(token_item, symbol), NO_HAS, 0, 0, NULL, true},
    {"address", F_ADDR, offsetof(token_item, address), offsetof(token_item, has_address), 0, 0, NULL, false},
    {"remote", F_ADDR, offsetof(token_item, remote), offsetof(token_item, has_remote), 0, 0, NULL, false},
    {"decimals", F_U32, offsetof(token_item, decimals), NO_HAS, 0, 77, "18", false},
};

static const cfg_field drawdown_fields[] = {
    {"window_seconds", F_U32, offsetof(l2w_bridge_config, drawdown_window_s), NO_HAS, 60, 2592000, "14400", false},
    {"percent", F_U32, offsetof(l2w_bridge_config, drawdown_percent), NO_HAS, 1, 100, "30", false},
    {"single_release_percent", F_U32, offsetof(l2w_bridge_config, single_release_percent), NO_HAS, 1, 100, "10",
     false},
};

static const cfg_field outflow_fields[] = {
    {"interval_seconds", F_U32, offsetof(l2w_bridge_config, outflow_interval_s), NO_HAS, 60, 86400, "3600", false},
    {"baseline_days", F_U32, offsetof(l2w_bridge_config, outflow_baseline_days), NO_HAS, 1, 365, "30", false},
    {"z", F_U32, offsetof(l2w_bridge_config, outflow_z), NO_HAS, 1, 1000, "8", false},
    {"warmup_intervals", F_U32, offsetof(l2w_bridge_config, outflow_warmup_intervals), NO_HAS, 1, 525600, "168",
     false},
};

static const cfg_field pause_fields[] = {
    {"method", F_STRING, IOFF(pause_method), NO_HAS, 0, 0, NULL, false},
    {"contract", F_ADDR, BOFF(pause_contract), BOFF(has_pause_contract), 0, 0, NULL, false},
    {"signer", F_NAME, BOFF(pause_signer), NO_HAS, 0, 0, NULL, false},
    {"mode", F_MODE, BOFF(pause_mode), NO_HAS, 0, 0, "dry-run", false},
};
static const char *const pause_subs[] = {"on", NULL};

/* ---- reading the tables ---- */

/* The mapping under key, or an empty one standing at the bridge's line (so
 * that a default is reported there); *storage backs the empty one. */
static l2w_status sub_map(cfg_ctx *c, const l2w_yaml_node *map, const char *prefix, const char *key,
                          l2w_yaml_node *storage, const l2w_yaml_node **out)
{
    const l2w_yaml_node *n = l2w_yaml_get(map, key);
    if (n && n->kind != L2W_YAML_MAP) {
        char path[96];
        snprintf(path, sizeof path, "%s%s", prefix, key);
        return cfg_fail(c, n->line, path, "expected a mapping");
    }
    memset(storage, 0, sizeof *storage);
    storage->kind = L2W_YAML_MAP;
    storage->line = map->line;
    *out = n ? n : storage;
    return L2W_OK;
}

static l2w_status read_sub(cfg_ctx *c, const l2w_yaml_node *map, const char *prefix, const char *key,
                           const cfg_field *specs, size_t n_specs, const char *const *subs, void *obj,
                           l2w_config *cfg)
{
    l2w_yaml_node storage;
    const l2w_yaml_node *sub = NULL;
    char path[96];
    snprintf(path, sizeof path, "%s%s.", prefix, key);
    l2w_status st = sub_map(c, map, prefix, key, &storage, &sub);
    if (st == L2W_OK)
        st = cfg_parse_section(c, sub, path, specs, n_specs, subs, obj, cfg);
    return st;
}

static l2w_status read_bridge(cfg_ctx *c, const l2w_yaml_node *map, const char *prefix, bridge_item *item,
                              l2w_config *cfg)
{
    char path[96];
    l2w_status st = cfg_parse_section(c, map, prefix, bridge_fields, CFG_COUNT(bridge_fields), bridge_subs, item, cfg);
    if (st == L2W_OK)
        st = read_sub(c, map, prefix, "release_fields", event_field_fields, CFG_COUNT(event_field_fields), NULL,
                      &item->release_names, cfg);
    if (st == L2W_OK)
        st = read_sub(c, map, prefix, "initiation_fields", event_field_fields, CFG_COUNT(event_field_fields), NULL,
                      &item->initiation_names, cfg);
    if (st == L2W_OK)
        st = read_sub(c, map, prefix, "drawdown", drawdown_fields, CFG_COUNT(drawdown_fields), NULL, &item->b, cfg);
    if (st == L2W_OK)
        st = read_sub(c, map, prefix, "outflow", outflow_fields, CFG_COUNT(outflow_fields), NULL, &item->b, cfg);
    if (st == L2W_OK)
        st = read_sub(c, map, prefix, "pause", pause_fields, CFG_COUNT(pause_fields), pause_subs, item, cfg);
    snprintf(path, sizeof path, "%stokens", prefix);
    if (st == L2W_OK)
        st = cfg_parse_list(c, l2w_yaml_get(map, "tokens"), path, "tokens", L2W_MAX_BRIDGE_TOKENS, token_fields,
                            CFG_COUNT(token_fields), item->tokens, sizeof item->tokens[0], &item->n_tokens, cfg,
                            NULL);
    return st;
}

/* Hands what was read to the config (which frees it from then on, whatever
 * happens next) and frees the text that only served the conversions. */
static void move_bridge(bridge_item *item, l2w_bridge_config *b)
{
    *b = item->b;
    for (size_t t = 0; t < item->n_tokens; t++) {
        const token_item *ti = &item->tokens[t];
        l2w_bridge_token *tok = &b->tokens[t];
        memset(tok, 0, sizeof *tok);
        tok->symbol = ti->symbol;
        tok->native = !ti->has_address;
        tok->address = ti->address;
        tok->has_remote = ti->has_remote;
        tok->remote = ti->remote;
        tok->decimals = (uint8_t)ti->decimals;
    }
    b->n_tokens = item->n_tokens;
}

static void free_item_text(bridge_item *item)
{
    free(item->kind);
    free(item->release_event);
    free(item->initiation_event);
    free(item->pause_method);
    for (size_t k = 0; k < N_EV_FIELDS; k++) {
        free(item->release_names.names[k]);
        free(item->initiation_names.names[k]);
    }
}

/* ---- checks and conversions ---- */

static int key_line(const l2w_yaml_node *map, const char *key)
{
    const l2w_yaml_node *n = l2w_yaml_get(map, key);
    return n ? n->line : map->line;
}

static l2w_status fail_key(cfg_ctx *c, const l2w_yaml_node *map, const char *prefix, const char *key,
                           const char *what)
{
    char path[128];
    snprintf(path, sizeof path, "%s%s", prefix, key);
    return cfg_fail(c, key_line(map, key), path, "%s", what);
}

static l2w_status check_kind_and_chains(cfg_ctx *c, const l2w_yaml_node *map, const char *prefix,
                                        const bridge_item *item, l2w_config *cfg, l2w_bridge_config *b)
{
    char path[128];
    snprintf(path, sizeof path, "%skind", prefix);
    if (strcmp(item->kind, "op-stack") == 0)
        b->kind = L2W_BRIDGE_OP_STACK;
    else if (strcmp(item->kind, "lock-release") == 0)
        b->kind = L2W_BRIDGE_LOCK_RELEASE;
    else
        return cfg_fail(c, key_line(map, "kind"), path, "expected op-stack or lock-release, got \"%.60s\"",
                        item->kind);

    snprintf(path, sizeof path, "%sremote_chain", prefix);
    const l2w_chain_config *remote = l2w_config_chain(cfg, b->remote_chain);
    if (!remote)
        return cfg_fail(c, key_line(map, "remote_chain"), path, "chain \"%s\" is not defined in chains",
                        b->remote_chain);
    switch (b->kind) {
    case L2W_BRIDGE_OP_STACK:
        if (remote->role != L2W_CHAIN_L2)
            return cfg_fail(c, key_line(map, "remote_chain"), path,
                            "an op-stack bridge's remote_chain is its OP Stack L2; \"%s\" is an l1 chain",
                            remote->name);
        if (!remote->has_optimism_portal || !remote->has_l1_standard_bridge)
            return cfg_fail(c, key_line(map, "remote_chain"), path,
                            "chain \"%s\" has no %s (set it on the chain, or use a preset)", remote->name,
                            !remote->has_optimism_portal ? "optimism_portal" : "l1_standard_bridge");
        snprintf(path, sizeof path, "%schain", prefix);
        if (!b->chain)
            return cfg_set_string(&b->chain, remote->l1);
        if (strcmp(b->chain, remote->l1) != 0)
            return cfg_fail(c, key_line(map, "chain"), path,
                            "an op-stack bridge's escrow is on its L2's l1 \"%s\", not on \"%s\"", remote->l1,
                            b->chain);
        return L2W_OK;
    case L2W_BRIDGE_LOCK_RELEASE:
        snprintf(path, sizeof path, "%schain", prefix);
        if (!b->chain)
            return cfg_fail(c, map->line, path, "required key is missing (the chain the escrow is on)");
        if (!l2w_config_chain(cfg, b->chain))
            return cfg_fail(c, key_line(map, "chain"), path, "chain \"%s\" is not defined in chains", b->chain);
        if (strcmp(b->chain, b->remote_chain) == 0)
            return fail_key(c, map, prefix, "remote_chain", "must be another chain than chain");
        return L2W_OK;
    }
    return cfg_fail(c, map->line, prefix, "internal: unhandled bridge kind");
}

static bool uint_type(const char *type)
{
    return strncmp(type, "uint", 4) == 0;
}

/* Whether a parameter of this type can carry field k. */
static bool field_type_ok(int k, const char *type)
{
    switch (k) {
    case EV_MESSAGE_ID:
        return strcmp(type, "bytes32") == 0 || uint_type(type);
    case EV_TOKEN:
    case EV_RECIPIENT:
        return strcmp(type, "address") == 0;
    case EV_AMOUNT:
        return uint_type(type);
    }
    return false;
}

static const char *const ev_expected[N_EV_FIELDS] = {"bytes32 or uintN", "address", "address", "uintN"};

static int *layout_field(l2w_event_layout *l, int k)
{
    switch (k) {
    case EV_MESSAGE_ID:
        return &l->message_id;
    case EV_TOKEN:
        return &l->token;
    case EV_RECIPIENT:
        return &l->recipient;
    case EV_AMOUNT:
        return &l->amount;
    }
    return NULL;
}

/* Parses the event at key (release_event or initiation_event) and picks its
 * fields from fields_key (release_fields or initiation_fields) or the
 * default names. The amount and the message id are required: a release is
 * matched to its initiation by id, and judged by amount. */
static l2w_status resolve_event(cfg_ctx *c, const l2w_yaml_node *map, const char *prefix, const char *key,
                                const char *fields_key, const char *signature, const field_names *names,
                                l2w_event_layout *l)
{
    char path[128], fpath[160];
    snprintf(path, sizeof path, "%s%s", prefix, key);
    l2w_err perr = {{0}};
    if (l2w_event_layout_parse(l, signature, &perr) != L2W_OK)
        return cfg_fail(c, key_line(map, key), path, "%s", perr.msg);
    const l2w_yaml_node *fmap = l2w_yaml_get(map, fields_key);
    for (int k = 0; k < N_EV_FIELDS; k++) {
        const char *name = names->names[k];
        int idx = -1;
        snprintf(fpath, sizeof fpath, "%s%s.%s", prefix, fields_key, ev_keys[k]);
        int line = name ? key_line(fmap, ev_keys[k]) : key_line(map, key);
        if (name) {
            idx = l2w_event_param_find(l, name);
            if (idx < 0)
                return cfg_fail(c, line, fpath, "%s has no parameter called \"%.60s\"", l->canonical, name);
        } else {
            for (size_t d = 0; d < 3 && ev_defaults[k][d] && idx < 0; d++)
                idx = l2w_event_param_find(l, ev_defaults[k][d]);
        }
        if (idx < 0) {
            if (k == EV_AMOUNT || k == EV_MESSAGE_ID)
                return cfg_fail(c, line, path, "no parameter is the %s (none is called %s%s%s; name it with %s.%s)",
                                ev_keys[k], ev_defaults[k][0], ev_defaults[k][1] ? " or " : "",
                                ev_defaults[k][1] ? ev_defaults[k][1] : "", fields_key, ev_keys[k]);
            continue;
        }
        const l2w_event_param *p = &l->params[idx];
        const char *where = name ? fpath : path;
        if (!p->is_static)
            return cfg_fail(c, line, where,
                            "parameter \"%s\" (the %s) has type %s: only a one-word value (address, bool, "
                            "uintN, intN, bytesN) can be read from a log",
                            p->name, ev_keys[k], p->type);
        if (!field_type_ok(k, p->type))
            return cfg_fail(c, line, where, "parameter \"%s\" (the %s) has type %s, expected %s", p->name, ev_keys[k],
                            p->type, ev_expected[k]);
        for (int j = 0; j < k; j++)
            if (*layout_field(l, j) == idx)
                return cfg_fail(c, line, where, "parameter \"%s\" cannot be both the %s and the %s", p->name,
                                ev_keys[j], ev_keys[k]);
        *layout_field(l, k) = idx;
    }
    return L2W_OK;
}

static l2w_status check_lock_release(cfg_ctx *c, const l2w_yaml_node *map, const char *prefix,
                                     const bridge_item *item, l2w_bridge_config *b)
{
    static const char *const required[] = {"escrow", "release_event", "source_contract", "initiation_event"};
    for (size_t k = 0; k < CFG_COUNT(required); k++)
        if (!l2w_yaml_get(map, required[k]))
            return fail_key(c, map, prefix, required[k], "required key is missing for a lock-release bridge");
    l2w_status st = resolve_event(c, map, prefix, "release_event", "release_fields", item->release_event,
                                  &item->release_names, &b->release);
    if (st == L2W_OK)
        st = resolve_event(c, map, prefix, "initiation_event", "initiation_fields", item->initiation_event,
                           &item->initiation_names, &b->initiation);
    return st;
}

static bool symbol_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 32)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] <= ' ' || s[i] > '~' || s[i] == '"' || s[i] == '\\')
            return false;
    return true;
}

/* Checks the tokens and sets where each is escrowed; an op-stack bridge
 * always watches ETH in its OptimismPortal (deposits of ETH land there), so
 * ETH is added when the file does not list it. */
static l2w_status check_tokens(cfg_ctx *c, const l2w_yaml_node *map, const char *prefix, l2w_config *cfg,
                               l2w_bridge_config *b)
{
    const l2w_yaml_node *list = l2w_yaml_get(map, "tokens");
    const l2w_chain_config *remote = l2w_config_chain(cfg, b->remote_chain);
    char path[128];
    bool has_native = false;
    for (size_t t = 0; t < b->n_tokens; t++) {
        l2w_bridge_token *tok = &b->tokens[t];
        int line = list->items[t]->line;
        snprintf(path, sizeof path, "%stokens[%zu].", prefix, t);
        if (!symbol_ok(tok->symbol))
            return cfg_fail(c, line, path,
                            "symbol: expected 1-32 printable characters without spaces or quotes, got \"%.40s\"",
                            tok->symbol);
        for (size_t u = 0; u < t; u++) {
            if (strcmp(b->tokens[u].symbol, tok->symbol) == 0)
                return cfg_fail(c, line, path, "duplicate symbol \"%s\"", tok->symbol);
            if (tok->native && b->tokens[u].native)
                return cfg_fail(c, line, path, "a second native coin (a token without address)");
            if (!tok->native && !b->tokens[u].native && l2w_addr_eq(&tok->address, &b->tokens[u].address))
                return cfg_fail(c, line, path, "address: the same token as tokens[%zu]", u);
        }
        has_native |= tok->native;
        switch (b->kind) {
        case L2W_BRIDGE_OP_STACK:
            if (tok->native && tok->has_remote)
                return cfg_fail(c, line, path,
                                "remote: ETH on an OP Stack L2 is the chain's coin, it has no token address");
            tok->escrow = tok->native ? remote->optimism_portal : remote->l1_standard_bridge;
            break;
        case L2W_BRIDGE_LOCK_RELEASE:
            tok->escrow = b->escrow;
            break;
        }
    }
    snprintf(path, sizeof path, "%stokens", prefix);
    switch (b->kind) {
    case L2W_BRIDGE_OP_STACK:
        if (has_native)
            return L2W_OK;
        if (b->n_tokens == L2W_MAX_BRIDGE_TOKENS)
            return cfg_fail(c, list->line, path,
                            "at most %d tokens besides ETH on an op-stack bridge (ETH in the OptimismPortal is "
                            "always watched)",
                            L2W_MAX_BRIDGE_TOKENS - 1);
        l2w_bridge_token *eth = &b->tokens[b->n_tokens];
        memset(eth, 0, sizeof *eth);
        if (cfg_set_string(&eth->symbol, "ETH") != L2W_OK)
            return L2W_ERR_NOMEM;
        b->n_tokens++;
        eth->native = true;
        eth->decimals = 18;
        eth->escrow = remote->optimism_portal;
        return L2W_OK;
    case L2W_BRIDGE_LOCK_RELEASE:
        if (b->n_tokens == 0)
            return cfg_fail(c, list ? list->line : map->line, path,
                            "a lock-release bridge needs at least one token to watch");
        return L2W_OK;
    }
    return L2W_OK;
}

static l2w_status check_outflow(cfg_ctx *c, const l2w_yaml_node *map, const char *prefix,
                                const l2w_bridge_config *b)
{
    uint64_t baseline = (uint64_t)b->outflow_baseline_days * 86400 / b->outflow_interval_s;
    if (b->outflow_warmup_intervals <= baseline)
        return L2W_OK;
    const l2w_yaml_node *o = l2w_yaml_get(map, "outflow");
    char path[128];
    snprintf(path, sizeof path, "%soutflow.warmup_intervals", prefix);
    return cfg_fail(c, o ? key_line(o, "warmup_intervals") : map->line, path,
                    "%u is more than the %llu intervals of the baseline (baseline_days x 86400 / "
                    "interval_seconds): the detector would never leave its warm-up",
                    b->outflow_warmup_intervals, (unsigned long long)baseline);
}

static l2w_status parse_pause_on(cfg_ctx *c, const l2w_yaml_node *pause, const char *prefix, l2w_bridge_config *b)
{
    char path[128];
    snprintf(path, sizeof path, "%spause.on", prefix);
    const l2w_yaml_node *on = l2w_yaml_get(pause, "on");
    if (!on) {
        for (size_t k = 0; k < CFG_COUNT(default_pause_on); k++) {
            if (cfg_set_string(&b->pause_on[k], default_pause_on[k]) != L2W_OK)
                return L2W_ERR_NOMEM;
            b->n_pause_on = k + 1;
        }
        return L2W_OK;
    }
    if (on->kind != L2W_YAML_SEQ)
        return cfg_fail(c, on->line, path, "expected a list of finding kinds");
    if (on->n > L2W_MAX_PAUSE_KINDS)
        return cfg_fail(c, on->line, path, "at most %d finding kinds", L2W_MAX_PAUSE_KINDS);
    for (size_t i = 0; i < on->n; i++) {
        const l2w_yaml_node *k = on->items[i];
        snprintf(path, sizeof path, "%spause.on[%zu]", prefix, i);
        bool known = false;
        for (size_t j = 0; k->kind == L2W_YAML_SCALAR && j < CFG_COUNT(pause_kinds) && !known; j++)
            known = strcmp(k->scalar, pause_kinds[j]) == 0;
        if (!known)
            return cfg_fail(c, k->line, path,
                            "expected forged_withdrawal, supply_exceeds_escrow, escrow_drawdown or "
                            "outflow_anomaly, got \"%.60s\"",
                            k->kind == L2W_YAML_SCALAR ? k->scalar : "(not a scalar)");
        for (size_t j = 0; j < b->n_pause_on; j++)
            if (strcmp(b->pause_on[j], k->scalar) == 0)
                return cfg_fail(c, k->line, path, "%s is listed twice", k->scalar);
        if (cfg_set_string(&b->pause_on[i], k->scalar) != L2W_OK)
            return L2W_ERR_NOMEM;
        b->n_pause_on = i + 1;
    }
    return L2W_OK;
}

/* The pause contract when the file names none: the Superchain's switch for
 * an OP Stack chain, the escrow itself for a lock-release bridge. Other
 * combinations have no default. */
static void default_pause_contract(const l2w_config *cfg, l2w_bridge_config *b)
{
    if (b->has_pause_contract)
        return;
    const l2w_chain_config *remote = l2w_config_chain(cfg, b->remote_chain);
    if (b->kind == L2W_BRIDGE_OP_STACK && b->pause_method == L2W_PAUSE_SUPERCHAIN && remote->has_superchain_config) {
        b->pause_contract = remote->superchain_config;
        b->has_pause_contract = true;
    } else if (b->kind == L2W_BRIDGE_LOCK_RELEASE && b->pause_method == L2W_PAUSE_PAUSABLE) {
        b->pause_contract = b->escrow;
        b->has_pause_contract = true;
    }
}

static l2w_status check_pause(cfg_ctx *c, const l2w_yaml_node *map, const char *prefix, const bridge_item *item,
                              l2w_config *cfg, l2w_bridge_config *b)
{
    /* Without a pause section, messages point at the bridge. */
    const l2w_yaml_node *pause = l2w_yaml_get(map, "pause") ? l2w_yaml_get(map, "pause") : map;
    char pprefix[96];
    snprintf(pprefix, sizeof pprefix, "%spause.", prefix);
    const char *method = item->pause_method;
    if (!method)
        b->pause_method = b->kind == L2W_BRIDGE_OP_STACK ? L2W_PAUSE_SUPERCHAIN : L2W_PAUSE_PAUSABLE;
    else if (strcmp(method, "superchain") == 0)
        b->pause_method = L2W_PAUSE_SUPERCHAIN;
    else if (strcmp(method, "pausable") == 0)
        b->pause_method = L2W_PAUSE_PAUSABLE;
    else if (strcmp(method, "none") == 0)
        b->pause_method = L2W_PAUSE_NONE;
    else
        return fail_key(c, pause, pprefix, "method", "expected superchain, pausable or none");

    l2w_status st = parse_pause_on(c, pause, prefix, b);
    if (st != L2W_OK)
        return st;
    if (b->pause_signer && !l2w_config_signer(cfg, b->pause_signer)) {
        char what[96];
        snprintf(what, sizeof what, "signer \"%s\" is not defined in signers", b->pause_signer);
        return fail_key(c, pause, pprefix, "signer", what);
    }
    switch (b->pause_method) {
    case L2W_PAUSE_NONE:
        if (b->has_pause_contract)
            return fail_key(c, pause, pprefix, "contract", "method none pauses nothing: remove contract");
        if (l2w_yaml_get(pause, "mode") && b->pause_mode != L2W_RESPONSE_OFF)
            return fail_key(c, pause, pprefix, "mode", "method none cannot pause: mode must be off");
        b->pause_mode = L2W_RESPONSE_OFF;
        return L2W_OK;
    case L2W_PAUSE_SUPERCHAIN:
    case L2W_PAUSE_PAUSABLE:
        break;
    }
    default_pause_contract(cfg, b);
    if (b->pause_mode == L2W_RESPONSE_OFF)
        return L2W_OK;
    if (!b->has_pause_contract) {
        char what[200];
        if (b->kind == L2W_BRIDGE_OP_STACK && b->pause_method == L2W_PAUSE_SUPERCHAIN)
            snprintf(what, sizeof what,
                     "required key is missing: chain \"%s\" has no superchain_config (set it on the chain, use a "
                     "preset, or set pause.mode: off)",
                     b->remote_chain);
        else
            snprintf(what, sizeof what, "required key is missing for method %s on a %s bridge",
                     b->pause_method == L2W_PAUSE_SUPERCHAIN ? "superchain" : "pausable",
                     b->kind == L2W_BRIDGE_OP_STACK ? "op-stack" : "lock-release");
        return fail_key(c, pause, pprefix, "contract", what);
    }
    /* dry-run without a signer still estimates and reports the call (from no
     * account); sending needs the key. */
    if (b->pause_mode == L2W_RESPONSE_ON && !b->pause_signer)
        return fail_key(c, pause, pprefix, "signer", "mode on needs signer: (the key that sends the pause)");
    return L2W_OK;
}

static l2w_status check_bridge(cfg_ctx *c, const l2w_yaml_node *map, const char *prefix, const bridge_item *item,
                               l2w_config *cfg, size_t i)
{
    l2w_bridge_config *b = &cfg->bridges[i];
    for (size_t j = 0; j < i; j++)
        if (strcmp(cfg->bridges[j].name, b->name) == 0) {
            char what[96];
            snprintf(what, sizeof what, "duplicate bridge name \"%s\"", b->name);
            return fail_key(c, map, prefix, "name", what);
        }
    l2w_status st = check_kind_and_chains(c, map, prefix, item, cfg, b);
    if (st != L2W_OK)
        return st;
    switch (b->kind) {
    case L2W_BRIDGE_OP_STACK:
        for (size_t k = 0; k < CFG_COUNT(lock_release_keys); k++)
            if (l2w_yaml_get(map, lock_release_keys[k]))
                return fail_key(c, map, prefix, lock_release_keys[k],
                                "only a lock-release bridge takes this key (an op-stack bridge's contracts come "
                                "from its L2 chain)");
        break;
    case L2W_BRIDGE_LOCK_RELEASE:
        st = check_lock_release(c, map, prefix, item, b);
        break;
    }
    if (st == L2W_OK)
        st = check_tokens(c, map, prefix, cfg, b);
    if (st == L2W_OK)
        st = check_outflow(c, map, prefix, b);
    if (st == L2W_OK)
        st = check_pause(c, map, prefix, item, cfg, b);
    return st;
}

static l2w_status parse_bridge(cfg_ctx *c, const l2w_yaml_node *map, const char *prefix, l2w_config *cfg, size_t i)
{
    bridge_item item;
    memset(&item, 0, sizeof item);
    /* unused layouts (op-stack) have no fields either */
    item.b.release.token = item.b.release.recipient = item.b.release.amount = item.b.release.message_id = -1;
    item.b.initiation = item.b.release;
    l2w_status st = read_bridge(c, map, prefix, &item, cfg);
    move_bridge(&item, &cfg->bridges[i]);
    cfg->n_bridges = i + 1;
    if (st == L2W_OK)
        st = check_bridge(c, map, prefix, &item, cfg, i);
    free_item_text(&item);
    if (st == L2W_ERR_NOMEM)
        l2w_err_set(c->err, "%s: out of memory", c->file);
    return st;
}

l2w_status cfg_parse_bridges(cfg_ctx *c, const l2w_yaml_node *root, l2w_config *cfg)
{
    const l2w_yaml_node *list = l2w_yaml_get(root, "bridges");
    if (!list)
        return L2W_OK;
    if (list->kind != L2W_YAML_SEQ)
        return cfg_fail(c, list->line, "bridges", "expected a list");
    if (list->n > L2W_MAX_BRIDGES)
        return cfg_fail(c, list->line, "bridges", "at most %d bridges", L2W_MAX_BRIDGES);
    for (size_t i = 0; i < list->n; i++) {
        const l2w_yaml_node *item = list->items[i];
        char prefix[48];
        snprintf(prefix, sizeof prefix, "bridges[%zu].", i);
        if (item->kind != L2W_YAML_MAP)
            return cfg_fail(c, item->line, prefix, "expected a mapping");
        l2w_status st = parse_bridge(c, item, prefix, cfg, i);
        if (st != L2W_OK)
            return st;
    }
    return L2W_OK;
}

void cfg_free_bridges(l2w_config *cfg)
{
    for (size_t i = 0; i < cfg->n_bridges; i++) {
        l2w_bridge_config *b = &cfg->bridges[i];
        free(b->name);
        free(b->chain);
        free(b->remote_chain);
        free(b->pause_signer);
        l2w_event_layout_free(&b->release);
        l2w_event_layout_free(&b->initiation);
        for (size_t t = 0; t < b->n_tokens; t++)
            free(b->tokens[t].symbol);
        for (size_t k = 0; k < b->n_pause_on; k++)
            free(b->pause_on[k]);
    }
}

const l2w_bridge_config *l2w_config_bridge(const l2w_config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->n_bridges; i++)
        if (cfg->bridges[i].name && strcmp(cfg->bridges[i].name, name) == 0)
            return &cfg->bridges[i];
    return NULL;
}
