/* GET /api/v1/chains: every watched chain with its sync position. */

#include "web/routes.h"

/* lag is head minus synced, floored at 0: an endpoint that reports a head
 * below our checkpoint (a lagging replica) is not negative lag. */
static const char chains_sql[] =
    "SELECT coalesce(jsonb_agg(jsonb_build_object("
    " 'name', name,"
    " 'chain_id', chain_id,"
    " 'role', role,"
    " 'l1', l1,"
    " 'head_number', head_number,"
    " 'synced_number', synced_number,"
    " 'lag', CASE WHEN head_number IS NULL OR synced_number IS NULL THEN NULL"
    "        ELSE greatest(head_number - synced_number, 0) END,"
    " 'head_seen_at', to_char(head_seen_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),"
    " 'updated_at', to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
    ") ORDER BY role, name), '[]'::jsonb)::text FROM chains";

l2w_status l2w_route_chains(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err)
{
    return l2w_web_json_query(resp, req, chains_sql, 0, NULL, "no chains", err);
}
