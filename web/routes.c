#include "web/routes.h"

/* Order matters only for prefixes: the first match wins. */
const l2w_web_route l2w_web_routes[] = {
    {"GET", "/", false, "/", l2w_route_dashboard, 0, false},
    {"GET", "/healthz", false, "/healthz", l2w_route_healthz, 0, false},
    {"GET", "/readyz", false, "/readyz", l2w_route_readyz, 0, false},
    {"GET", "/metrics", false, "/metrics", l2w_route_metrics, 0, false},
    {"GET", "/api/v1/chains", false, "/api/v1/chains", l2w_route_chains, 0, false},
    {"GET", "/api/v1/findings", false, "/api/v1/findings", l2w_route_findings, 0, false},
    {"GET", "/api/v1/findings/", true, "/api/v1/findings/{id}", l2w_route_finding, 0, false},
    {"GET", "/api/v1/output-proposals", false, "/api/v1/output-proposals", l2w_route_proposals, 0, false},
    {"GET", "/api/v1/bridges", false, "/api/v1/bridges", l2w_route_bridges, 0, false},
    {"GET", "/api/v1/bridges/", true, "/api/v1/bridges/{name}/escrow", l2w_route_bridge_escrow, 0, false},
    {"GET", "/api/v1/channels", false, "/api/v1/channels", l2w_route_channels, 0, false},
    {"GET", "/api/v1/channels/", true, "/api/v1/channels/{protocol}/{channel}", l2w_route_channel, 0, false},
    {"POST", "/api/v1/channels/states", false, "/api/v1/channels/states", l2w_route_channel_states,
     L2W_CHANNEL_STATES_MAX_BODY, true},
    {"GET", "/api/v1/channel-disputes", false, "/api/v1/channel-disputes", l2w_route_channel_disputes, 0, false},
    {"GET", "/api/v1/da", false, "/api/v1/da", l2w_route_da, 0, false},
    {"GET", "/api/v1/da/commitments", false, "/api/v1/da/commitments", l2w_route_da_commitments, 0, false},
    {"GET", "/api/v1/liveness", false, "/api/v1/liveness", l2w_route_liveness, 0, false},
    {"GET", "/api/v1/liveness/intervals", false, "/api/v1/liveness/intervals", l2w_route_liveness_intervals, 0,
     false},
    {"GET", "/api/v1/committees", false, "/api/v1/committees", l2w_route_committees, 0, false},
    {"GET", "/api/v1/committees/checks", false, "/api/v1/committees/checks", l2w_route_committee_checks, 0, false},
    {"GET", "/api/v1/silences", false, "/api/v1/silences", l2w_route_silences, 0, false},
    {"POST", "/api/v1/silences", false, "/api/v1/silences", l2w_route_silence_create, L2W_SILENCE_MAX_BODY, true},
    {"GET", "/api/v1/silences/", true, "/api/v1/silences/{id}", l2w_route_silence, 0, false},
    {"DELETE", "/api/v1/silences/", true, "/api/v1/silences/{id}", l2w_route_silence_delete, 0, true},
    {"GET", "/api/v1/alerts/dead", false, "/api/v1/alerts/dead", l2w_route_dead_letters, 0, false},
    {"POST", "/api/v1/alerts/requeue", false, "/api/v1/alerts/requeue", l2w_route_requeue, L2W_REQUEUE_MAX_BODY,
     true},
    {"GET", "/alerts", false, "/alerts", l2w_route_dashboard_alerts, 0, false},
    {"GET", "/da", false, "/da", l2w_route_dashboard_da, 0, false},
    {"GET", "/static/", true, "/static/{name}", l2w_route_static, 0, false},
};

const size_t l2w_web_routes_count = sizeof l2w_web_routes / sizeof l2w_web_routes[0];
