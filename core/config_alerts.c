/* alerts: where findings are told. The section's own keys, the webhooks
 * (the first sink kind, kept as its own list for old configs), the sinks of
 * every kind, and the routes that pick sinks by kind, severity and chain.
 * Secrets (HMAC keys, routing keys, tokens, passwords) are named by file
 * and read when delivery starts, never written into the config. */

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config_parse.h"
#include "core/finding.h"

#define AL_OFF(f) offsetof(l2w_config, f)
#define SK_OFF(f) offsetof(l2w_sink_config, f)
#define RT_OFF(f) offsetof(l2w_alert_route, f)

static const cfg_field alerts_fields[] = {
    {"max_backoff_ms", F_U32, AL_OFF(alert_max_backoff_ms), NO_HAS, 100, 86400000, "300000", false},
    /* With the default backoff cap, 100 attempts span about eight hours. */
    {"max_attempts", F_U32, AL_OFF(alert_max_attempts), NO_HAS, 1, 100000, "100", false},
    {"group_window_s", F_U32, AL_OFF(alert_group_window_s), NO_HAS, 0, 3600, "30", false},
    {"dashboard_url", F_URL, AL_OFF(dashboard_url), NO_HAS, 0, 0, NULL, false},
};

static const cfg_field webhook_fields[] = {
    {"name", F_NAME, SK_OFF(name), NO_HAS, 0, 0, NULL, true},
    {"url", F_URL, SK_OFF(url), NO_HAS, 0, 0, NULL, true},
    {"timeout_ms", F_U32, SK_OFF(timeout_ms), NO_HAS, 100, 120000, "10000", false},
    {"secret_file", F_STRING, SK_OFF(secret_file), NO_HAS, 0, 0, NULL, false},
    {"rate_per_minute", F_U32, SK_OFF(rate_per_minute), NO_HAS, 0, 100000, "0", false},
};

static const cfg_field sink_fields[] = {
    {"name", F_NAME, SK_OFF(name), NO_HAS, 0, 0, NULL, true},
    {"kind", F_NAME, SK_OFF(kind_name), NO_HAS, 0, 0, NULL, true},
    /* ${ENV} is expanded and the scheme checked per kind (email takes smtp). */
    {"url", F_STRING, SK_OFF(url), NO_HAS, 0, 0, NULL, false},
    {"secret_file", F_STRING, SK_OFF(secret_file), NO_HAS, 0, 0, NULL, false},
    {"timeout_ms", F_U32, SK_OFF(timeout_ms), NO_HAS, 100, 120000, "10000", false},
    {"rate_per_minute", F_U32, SK_OFF(rate_per_minute), NO_HAS, 0, 100000, "0", false},
    {"from", F_STRING, SK_OFF(from), NO_HAS, 0, 0, NULL, false},
    {"to", F_STRINGS, SK_OFF(to), SK_OFF(n_to), 0, L2W_MAX_EMAIL_TO, "recipients", false},
    {"username", F_STRING, SK_OFF(username), NO_HAS, 0, 0, NULL, false},
    {"ca_file", F_STRING, SK_OFF(ca_file), NO_HAS, 0, 0, NULL, false},
    {"chat_id", F_STRING, SK_OFF(chat_id), NO_HAS, 0, 0, NULL, false},
};

static const cfg_field route_fields[] = {
    {"sinks", F_NAMES, RT_OFF(sinks), RT_OFF(n_sinks), 0, L2W_MAX_SINKS, "sink names", true},
    {"kinds", F_NAMES, RT_OFF(kinds), RT_OFF(n_kinds), 0, L2W_MAX_ROUTE_ITEMS, "finding kinds", false},
    {"chains", F_NAMES, RT_OFF(chains), RT_OFF(n_chains), 0, L2W_MAX_ROUTE_ITEMS, "chain names", false},
    {"min_severity", F_NAME, RT_OFF(min_severity_name), NO_HAS, 0, 0, "info", false},
    {"repeat_interval_s", F_U32, RT_OFF(repeat_interval_s), NO_HAS, 0, 31536000, "0", false},
};

/* What each kind needs besides a name: an URL with its default, a secret. */
static const struct {
    const char *name;
    l2w_sink_kind kind;
    const char *default_url;  /* NULL: url is required */
    bool needs_secret;
    const char *secret_what;  /* for messages */
    bool groups;
} sink_kinds[] = {
    {"webhook", L2W_SINK_WEBHOOK, NULL, false, "HMAC key", false},
    {"slack", L2W_SINK_SLACK, NULL, false, NULL, true},
    {"pagerduty", L2W_SINK_PAGERDUTY, "https://events.pagerduty.com/v2/enqueue", true, "routing key", false},
    {"alertmanager", L2W_SINK_ALERTMANAGER, NULL, false, NULL, false},
    {"email", L2W_SINK_EMAIL, NULL, false, "SMTP password", true},
    {"discord", L2W_SINK_DISCORD, NULL, false, NULL, true},
    {"telegram", L2W_SINK_TELEGRAM, "https://api.telegram.org", true, "bot token", true},
};

static int key_line(const l2w_yaml_node *map, const char *key)
{
    const l2w_yaml_node *n = l2w_yaml_get(map, key);
    return n ? n->line : map->line;
}

static l2w_status check_unique_name(cfg_ctx *c, const l2w_config *cfg, size_t i, const l2w_yaml_node *map,
                                    const char *prefix)
{
    char path[64];
    snprintf(path, sizeof path, "%sname", prefix);
    for (size_t j = 0; j < i; j++)
        if (strcmp(cfg->sinks[j].name, cfg->sinks[i].name) == 0)
            return cfg_fail(c, key_line(map, "name"), path, "duplicate sink name \"%s\"", cfg->sinks[i].name);
    return L2W_OK;
}

/* Keys that only some kinds read are refused on the others: a to: on a
 * Slack sink is a mistake to say, not to ignore. */
static l2w_status check_kind_keys(cfg_ctx *c, const l2w_sink_config *s, const l2w_yaml_node *map,
                                  const char *prefix)
{
    static const struct {
        const char *key;
        l2w_sink_kind kind;
    } only[] = {{"from", L2W_SINK_EMAIL},     {"to", L2W_SINK_EMAIL}, {"username", L2W_SINK_EMAIL},
                {"ca_file", L2W_SINK_EMAIL}, {"chat_id", L2W_SINK_TELEGRAM}};
    char path[64];
    for (size_t k = 0; k < sizeof only / sizeof only[0]; k++) {
        if (l2w_yaml_get(map, only[k].key) && s->kind != only[k].kind) {
            snprintf(path, sizeof path, "%s%s", prefix, only[k].key);
            return cfg_fail(c, key_line(map, only[k].key), path, "only a sink of kind %s takes this key",
                            only[k].kind == L2W_SINK_EMAIL ? "email" : "telegram");
        }
    }
    return L2W_OK;
}

static l2w_status check_email(cfg_ctx *c, const l2w_sink_config *s, const l2w_yaml_node *map, const char *prefix)
{
    char path[64];
    snprintf(path, sizeof path, "%surl", prefix);
    if (strncmp(s->url, "smtp://", 7) != 0 && strncmp(s->url, "smtps://", 8) != 0)
        return cfg_fail(c, key_line(map, "url"), path,
                        "an email sink needs an smtp:// (STARTTLS required) or smtps:// URL");
    snprintf(path, sizeof path, "%sfrom", prefix);
    if (!s->from || !strchr(s->from, '@'))
        return cfg_fail(c, key_line(map, "from"), path, "an email sink needs a from address (user@host)");
    snprintf(path, sizeof path, "%sto", prefix);
    if (s->n_to == 0)
        return cfg_fail(c, key_line(map, "to"), path, "an email sink needs at least one recipient");
    for (size_t k = 0; k < s->n_to; k++) {
        if (!strchr(s->to[k], '@') || strpbrk(s->to[k], "\r\n<>,")) {
            snprintf(path, sizeof path, "%sto[%zu]", prefix, k);
            return cfg_fail(c, key_line(map, "to"), path, "\"%.60s\" is not a plain address (user@host)", s->to[k]);
        }
    }
    snprintf(path, sizeof path, "%susername", prefix);
    if ((s->username != NULL) != (s->secret_file != NULL))
        return cfg_fail(c, key_line(map, s->username ? "username" : "secret_file"), path,
                        "SMTP AUTH needs both username and secret_file (the password), or neither");
    return L2W_OK;
}

/* The URL with ${ENV} expanded (a Slack or Discord URL is itself a
 * secret, better kept in the environment), checked as http(s) except for
 * email, whose smtp(s) scheme check_email checks. */
static l2w_status expand_url(cfg_ctx *c, l2w_sink_config *s, const l2w_yaml_node *map, const char *path)
{
    int line = key_line(map, "url");
    char *expanded = NULL;
    l2w_status st = cfg_expand_env(c, line, path, s->url, &expanded);
    if (st != L2W_OK)
        return st;
    free(s->url);
    s->url = expanded;
    return s->kind == L2W_SINK_EMAIL ? L2W_OK : cfg_check_url(c, line, path, s->url);
}

static l2w_status check_sink_map(cfg_ctx *c, l2w_config *cfg, size_t i, const l2w_yaml_node *map, const char *prefix)
{
    l2w_sink_config *s = &cfg->sinks[i];
    l2w_status st = check_unique_name(c, cfg, i, map, prefix);
    if (st != L2W_OK)
        return st;
    char path[64];
    size_t k = 0;
    while (k < sizeof sink_kinds / sizeof sink_kinds[0] && strcmp(sink_kinds[k].name, s->kind_name) != 0)
        k++;
    snprintf(path, sizeof path, "%skind", prefix);
    if (k == sizeof sink_kinds / sizeof sink_kinds[0])
        return cfg_fail(c, key_line(map, "kind"), path,
                        "expected webhook, slack, pagerduty, alertmanager, email, discord or telegram, got \"%.40s\"",
                        s->kind_name);
    s->kind = sink_kinds[k].kind;
    s->groups = sink_kinds[k].groups;
    snprintf(path, sizeof path, "%surl", prefix);
    if (!s->url && !sink_kinds[k].default_url)
        return cfg_fail(c, map->line, path, "a %s sink needs a url", s->kind_name);
    if (!s->url && (st = cfg_set_string(&s->url, sink_kinds[k].default_url)) != L2W_OK)
        return st;
    if ((st = expand_url(c, s, map, path)) != L2W_OK)
        return st;
    snprintf(path, sizeof path, "%ssecret_file", prefix);
    if (sink_kinds[k].needs_secret && !s->secret_file)
        return cfg_fail(c, map->line, path, "a %s sink needs secret_file (the file holding its %s)", s->kind_name,
                        sink_kinds[k].secret_what);
    if (s->secret_file && !sink_kinds[k].secret_what)
        return cfg_fail(c, key_line(map, "secret_file"), path, "a %s sink takes no secret (its URL is the secret)",
                        s->kind_name);
    if ((st = check_kind_keys(c, s, map, prefix)) != L2W_OK)
        return st;
    snprintf(path, sizeof path, "%schat_id", prefix);
    if (s->kind == L2W_SINK_TELEGRAM && !s->chat_id)
        return cfg_fail(c, map->line, path, "a telegram sink needs the chat_id to post to");
    return s->kind == L2W_SINK_EMAIL ? check_email(c, s, map, prefix) : L2W_OK;
}

static l2w_status parse_sinks(cfg_ctx *c, const l2w_yaml_node *alerts, l2w_config *cfg)
{
    const l2w_yaml_node *webhooks = l2w_yaml_get(alerts, "webhooks");
    l2w_status st = cfg_parse_list(c, webhooks, "alerts.webhooks", "webhooks", L2W_MAX_SINKS, webhook_fields,
                                   CFG_COUNT(webhook_fields), cfg->sinks, sizeof cfg->sinks[0], &cfg->n_sinks, cfg,
                                   NULL);
    size_t n_webhooks = cfg->n_sinks;
    for (size_t i = 0; st == L2W_OK && i < n_webhooks; i++) {
        char prefix[40];
        snprintf(prefix, sizeof prefix, "alerts.webhooks[%zu].", i);
        if ((st = cfg_set_string(&cfg->sinks[i].kind_name, "webhook")) == L2W_OK)
            st = check_sink_map(c, cfg, i, webhooks->items[i], prefix);
    }
    const l2w_yaml_node *sinks = l2w_yaml_get(alerts, "sinks");
    size_t n_more = 0;
    if (st == L2W_OK && sinks && sinks->kind == L2W_YAML_SEQ && n_webhooks + sinks->n > L2W_MAX_SINKS)
        return cfg_fail(c, sinks->line, "alerts.sinks", "at most %d sinks, webhooks included", L2W_MAX_SINKS);
    if (st == L2W_OK)
        st = cfg_parse_list(c, sinks, "alerts.sinks", "sinks", L2W_MAX_SINKS - n_webhooks, sink_fields,
                            CFG_COUNT(sink_fields), cfg->sinks + n_webhooks, sizeof cfg->sinks[0], &n_more, cfg,
                            NULL);
    /* Counted before checking, so whatever was parsed is freed on failure. */
    cfg->n_sinks = n_webhooks + n_more;
    for (size_t i = 0; st == L2W_OK && i < n_more; i++) {
        char prefix[40];
        snprintf(prefix, sizeof prefix, "alerts.sinks[%zu].", i);
        st = check_sink_map(c, cfg, n_webhooks + i, sinks->items[i], prefix);
    }
    return st;
}

static l2w_status check_route(cfg_ctx *c, l2w_config *cfg, size_t i, const l2w_yaml_node *map)
{
    l2w_alert_route *r = &cfg->alert_routes[i];
    char path[64];
    snprintf(path, sizeof path, "alerts.routes[%zu].min_severity", i);
    if ((r->min_severity = l2w_severity_from_name(r->min_severity_name)) < 0)
        return cfg_fail(c, key_line(map, "min_severity"), path,
                        "expected info, low, medium, high or critical, got \"%.40s\"", r->min_severity_name);
    for (size_t k = 0; k < r->n_sinks; k++) {
        snprintf(path, sizeof path, "alerts.routes[%zu].sinks[%zu]", i, k);
        if (!l2w_config_sink(cfg, r->sinks[k]))
            return cfg_fail(c, key_line(map, "sinks"), path, "no sink is named \"%s\"", r->sinks[k]);
    }
    for (size_t k = 0; k < r->n_chains; k++) {
        snprintf(path, sizeof path, "alerts.routes[%zu].chains[%zu]", i, k);
        bool known = l2w_config_chain(cfg, r->chains[k]) != NULL;
        for (size_t m = 0; !known && m < cfg->n_committees; m++)
            known = strcmp(cfg->committees[m].chain, r->chains[k]) == 0; /* a validium's findings name it */
        if (!known)
            return cfg_fail(c, key_line(map, "chains"), path, "chain \"%s\" is not defined in chains or committees",
                            r->chains[k]);
    }
    return L2W_OK;
}

l2w_status cfg_parse_alerts(cfg_ctx *c, const l2w_yaml_node *root, l2w_config *cfg)
{
    const l2w_yaml_node *alerts = NULL;
    static const char *const subs[] = {"webhooks", "sinks", "routes", NULL};
    l2w_status st = cfg_optional_map(c, root, "alerts", &alerts);
    if (st == L2W_OK)
        st = cfg_parse_section(c, alerts, "alerts.", alerts_fields, CFG_COUNT(alerts_fields), subs, cfg, cfg);
    if (st == L2W_OK)
        st = parse_sinks(c, alerts, cfg);
    const l2w_yaml_node *routes = l2w_yaml_get(alerts, "routes");
    if (st == L2W_OK)
        st = cfg_parse_list(c, routes, "alerts.routes", "routes", L2W_MAX_ALERT_ROUTES, route_fields,
                            CFG_COUNT(route_fields), cfg->alert_routes, sizeof cfg->alert_routes[0],
                            &cfg->n_alert_routes, cfg, NULL);
    for (size_t i = 0; st == L2W_OK && i < cfg->n_alert_routes; i++)
        st = check_route(c, cfg, i, routes->items[i]);
    return st;
}

const l2w_sink_config *l2w_config_sink(const l2w_config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->n_sinks; i++)
        if (cfg->sinks[i].name && strcmp(cfg->sinks[i].name, name) == 0)
            return &cfg->sinks[i];
    return NULL;
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
}

void cfg_free_alerts(l2w_config *cfg)
{
    for (size_t i = 0; i < cfg->n_sinks; i++) {
        l2w_sink_config *s = &cfg->sinks[i];
        free(s->name);
        free(s->kind_name);
        free(s->url);
        free(s->secret_file);
        free(s->from);
        free_names(s->to, s->n_to);
        free(s->username);
        free(s->ca_file);
        free(s->chat_id);
    }
    cfg->n_sinks = 0;
    for (size_t i = 0; i < cfg->n_alert_routes; i++) {
        l2w_alert_route *r = &cfg->alert_routes[i];
        free_names(r->sinks, r->n_sinks);
        free_names(r->kinds, r->n_kinds);
        free_names(r->chains, r->n_chains);
        free(r->min_severity_name);
    }
    cfg->n_alert_routes = 0;
    free(cfg->dashboard_url);
    cfg->dashboard_url = NULL;
}
