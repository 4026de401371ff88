#include "alerts/route.h"

#include <string.h>

static bool listed(char *const *names, size_t n, const char *name)
{
    if (n == 0)
        return true; /* no list: everything */
    for (size_t i = 0; i < n; i++)
        if (name && strcmp(names[i], name) == 0)
            return true;
    return false;
}

bool l2w_alert_route_matches(const l2w_alert_route *r, const char *kind, const char *chain, int severity)
{
    int sev = severity < 0 ? 0 : severity;
    return listed(r->kinds, r->n_kinds, kind) && listed(r->chains, r->n_chains, chain) && sev >= r->min_severity;
}

size_t l2w_alert_route_sinks(const l2w_config *cfg, const char *kind, const char *chain, int severity, size_t *out)
{
    size_t n = 0;
    if (cfg->n_alert_routes == 0) {
        for (size_t i = 0; i < cfg->n_sinks; i++)
            out[n++] = i;
        return n;
    }
    bool chosen[L2W_MAX_SINKS] = {false};
    for (size_t r = 0; r < cfg->n_alert_routes; r++) {
        const l2w_alert_route *route = &cfg->alert_routes[r];
        if (!l2w_alert_route_matches(route, kind, chain, severity))
            continue;
        for (size_t k = 0; k < route->n_sinks; k++)
            for (size_t i = 0; i < cfg->n_sinks; i++)
                if (strcmp(cfg->sinks[i].name, route->sinks[k]) == 0)
                    chosen[i] = true;
    }
    for (size_t i = 0; i < cfg->n_sinks; i++)
        if (chosen[i])
            out[n++] = i;
    return n;
}
