#ifndef L2W_ALERTS_ROUTE_H
#define L2W_ALERTS_ROUTE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"

/* Which sinks hear a finding: every route it matches (its kind listed or no
 * kinds given, its chain likewise, its severity at least the route's
 * minimum) adds its sinks, each once; with no routes configured every sink
 * hears everything. Pure: the same answer on every replica. */

/* Fills out[] (room for L2W_MAX_SINKS) with indexes into cfg->sinks in
 * config order; returns how many. severity is a l2w_severity; an unknown
 * one (-1) matches only routes with no minimum above info. */
size_t l2w_alert_route_sinks(const l2w_config *cfg, const char *kind, const char *chain, int severity,
                             size_t *out);

/* Whether route r matches the finding. */
bool l2w_alert_route_matches(const l2w_alert_route *r, const char *kind, const char *chain, int severity);

#endif
