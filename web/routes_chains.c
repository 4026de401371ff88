/* GET /api/v1/chains: every watched chain with its sync position and the
 * health of its RPC endpoints (chain_endpoints, written by the chain's
 * worker every few seconds; sql/0018). */

#include "web/routes.h"

#define TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

/* healthy is the state a reader asks about first: in use or ready to take
 * over. The rows come in rpc: order. */
#define ENDPOINTS_JSON                                                                                         \
    "(SELECT coalesce(jsonb_agg(jsonb_build_object("                                                           \
    " 'index', e.endpoint_index,"                                                                             \
    " 'label', e.label,"                                                                                      \
    " 'state', e.state,"                                                                                      \
    " 'healthy', e.state IN ('in_use', 'standby'),"                                                           \
    " 'score', e.score,"                                                                                      \
    " 'head_number', e.head_number,"                                                                          \
    " 'head_seen_at', " TS("e.head_seen_at") ","                                                              \
    " 'resting_until', " TS("e.resting_until") ","                                                            \
    " 'last_fault', e.last_fault,"                                                                            \
    " 'last_fault_at', " TS("e.last_fault_at") ","                                                            \
    " 'requests', e.requests,"                                                                                \
    " 'faults', e.faults,"                                                                                    \
    " 'updated_at', " TS("e.updated_at") ""                                                                   \
    ") ORDER BY e.endpoint_index), '[]'::jsonb) FROM chain_endpoints e WHERE e.chain = c.name)"

/* lag is head minus synced, floored at 0: an endpoint that reports a head
 * below our checkpoint (a lagging replica) is not negative lag. */
static const char chains_sql[] =
    "SELECT coalesce(jsonb_agg(jsonb_build_object("
    " 'name', c.name,"
    " 'chain_id', c.chain_id,"
    " 'role', c.role,"
    " 'l1', c.l1,"
    " 'head_number', c.head_number,"
    " 'synced_number', c.synced_number,"
    " 'lag', CASE WHEN c.head_number IS NULL OR c.synced_number IS NULL THEN NULL"
    "        ELSE greatest(c.head_number - c.synced_number, 0) END,"
    " 'head_seen_at', " TS("c.head_seen_at") ","
    " 'updated_at', " TS("c.updated_at") ","
    " 'endpoints', " ENDPOINTS_JSON
    ") ORDER BY c.role, c.name), '[]'::jsonb)::text FROM chains c";

l2w_status l2w_route_chains(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err)
{
    return l2w_web_json_query(resp, req, chains_sql, 0, NULL, "no chains", err);
}
