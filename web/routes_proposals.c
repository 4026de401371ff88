/* GET /api/v1/output-proposals: recent L2 output proposals and the
 * state_root detector's verdict on each. */

#include <stdio.h>

#include "web/params.h"
#include "web/routes.h"

#define PROPOSALS_DEFAULT_LIMIT 100
#define PROPOSALS_MAX_LIMIT 1000

/* check_status codes are pinned by the schema: 0 pending, 1 match, 2 mismatch.
 * uint256 values (index, block numbers, timestamp) are strings: they do not
 * fit a JSON number safely. */
static const char proposals_sql[] =
    "SELECT coalesce(jsonb_agg(jsonb_build_object("
    " 'l1_chain', l1_chain,"
    " 'l2_chain', l2_chain,"
    " 'oracle', '0x' || encode(oracle, 'hex'),"
    " 'output_index', output_index::text,"
    " 'l2_block_number', l2_block_number::text,"
    " 'output_root', '0x' || encode(output_root, 'hex'),"
    " 'check_status', CASE check_status WHEN 0 THEN 'pending' WHEN 1 THEN 'match' WHEN 2 THEN 'mismatch' END,"
    " 'recomputed_root', CASE WHEN recomputed_root IS NULL THEN NULL"
    "                    ELSE '0x' || encode(recomputed_root, 'hex') END,"
    " 'checked_at', to_char(checked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),"
    " 'check_note', check_note,"
    " 'l1_block_number', l1_block_number,"
    " 'l1_timestamp', l1_timestamp::text,"
    " 'tx_hash', '0x' || encode(tx_hash, 'hex')"
    ") ORDER BY l1_block_number DESC, log_index DESC), '[]'::jsonb)::text"
    " FROM (SELECT * FROM output_proposals ORDER BY l1_block_number DESC, log_index DESC LIMIT $1::integer) p";

l2w_status l2w_route_proposals(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err)
{
    unsigned limit;
    if (l2w_web_parse_limit(&limit, l2w_web_query(req, "limit"), PROPOSALS_DEFAULT_LIMIT, PROPOSALS_MAX_LIMIT) !=
        L2W_OK)
        return l2w_web_respond_error(resp, 400, "limit", "limit must be an integer from 1 to 1000");
    char limit_text[16];
    snprintf(limit_text, sizeof limit_text, "%u", limit);
    const char *params[] = {limit_text};
    return l2w_web_json_query(resp, req, proposals_sql, 1, params, "no output proposals", err);
}
