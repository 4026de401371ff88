#include "web/routes.h"

/* Order matters only for prefixes: the first match wins. */
const l2w_web_route l2w_web_routes[] = {
    {"GET", "/", false, "/", l2w_route_dashboard},
    {"GET", "/healthz", false, "/healthz", l2w_route_healthz},
    {"GET", "/readyz", false, "/readyz", l2w_route_readyz},
    {"GET", "/metrics", false, "/metrics", l2w_route_metrics},
    {"GET", "/api/v1/chains", false, "/api/v1/chains", l2w_route_chains},
    {"GET", "/api/v1/findings", false, "/api/v1/findings", l2w_route_findings},
    {"GET", "/api/v1/findings/", true, "/api/v1/findings/{id}", l2w_route_finding},
    {"GET", "/api/v1/output-proposals", false, "/api/v1/output-proposals", l2w_route_proposals},
    {"GET", "/api/v1/bridges", false, "/api/v1/bridges", l2w_route_bridges},
    {"GET", "/api/v1/bridges/", true, "/api/v1/bridges/{name}/escrow", l2w_route_bridge_escrow},
    {"GET", "/static/", true, "/static/{name}", l2w_route_static},
};

const size_t l2w_web_routes_count = sizeof l2w_web_routes / sizeof l2w_web_routes[0];
