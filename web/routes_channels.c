/* GET /api/v1/channels (watched channels, newest activity first, with a
 * summary), /api/v1/channels/{protocol}/{0x channel} (one channel: its held
 * state and its disputes) and /api/v1/channel-disputes (disputes seen, with
 * what the tower made of each and its response). */

#include <stdio.h>
#include <string.h>

#include "web/params.h"
#include "web/routes.h"

#define CHANNELS_DEFAULT_LIMIT 100
#define CHANNELS_MAX_LIMIT 1000

static const char channels_sql[] =
    "SELECT jsonb_build_object("
    " 'summary', (SELECT jsonb_build_object("
    "   'watched', (SELECT count(*) FROM channel_states),"
    "   'vector', (SELECT count(*) FROM channel_states WHERE protocol = 'vector'),"
    "   'nitro', (SELECT count(*) FROM channel_states WHERE protocol = 'nitro'),"
    "   'disputes', (SELECT count(*) FROM channel_disputes),"
    "   'stale_disputes', (SELECT count(*) FROM channel_disputes WHERE check_status = 2))),"
    " 'channels', coalesce((SELECT jsonb_agg(c.doc ORDER BY c.updated_at DESC) FROM ("
    "   SELECT updated_at, jsonb_build_object('protocol', protocol, 'chain', chain,"
    "     'channel', '0x' || encode(channel, 'hex'), 'version', version::text,"
    "     'stateHash', '0x' || encode(state_hash, 'hex'), 'client', client, 'updates', updates,"
    "     'firstSeen', first_seen, 'updatedAt', updated_at) AS doc"
    "   FROM channel_states WHERE $2::text IS NULL OR protocol = $2::text"
    "   ORDER BY updated_at DESC LIMIT $1::integer) c), '[]'::jsonb))::text";

/* A dispute with the response of the finding it raised, if any. */
#define DISPUTE_DOC                                                                                                   \
    "jsonb_build_object('chain', d.chain, 'protocol', d.protocol, 'channel', '0x' || encode(d.channel, 'hex'),"     \
    " 'blockNumber', d.block_number, 'blockTimestamp', d.block_timestamp,"                                           \
    " 'txHash', '0x' || encode(d.tx_hash, 'hex'), 'version', d.version::text, 'deadline', d.deadline,"               \
    " 'heldVersion', d.held_version::text,"                                                                          \
    " 'verdict', CASE d.check_status WHEN 0 THEN 'pending' WHEN 1 THEN 'current' WHEN 2 THEN 'stale'"               \
    "   ELSE 'not_watched' END,"                                                                                     \
    " 'finding', (SELECT jsonb_build_object('id', f.id, 'status', f.status, 'response',"                            \
    "     (SELECT rd.doc FROM response_documents rd WHERE rd.finding_id = f.id ORDER BY rd.id DESC LIMIT 1))"        \
    "   FROM findings f WHERE f.id = d.finding_id))"

static const char disputes_sql[] =
    "SELECT coalesce(jsonb_agg(" DISPUTE_DOC " ORDER BY d.block_number DESC, d.log_index DESC), '[]'::jsonb)::text"
    " FROM (SELECT * FROM channel_disputes ORDER BY block_number DESC, log_index DESC LIMIT $1::integer) d";

static const char channel_sql[] =
    "SELECT jsonb_build_object('protocol', s.protocol, 'chain', s.chain, 'channel', '0x' || encode(s.channel, 'hex'),"
    " 'version', s.version::text, 'stateHash', '0x' || encode(s.state_hash, 'hex'), 'client', s.client,"
    " 'updates', s.updates, 'firstSeen', s.first_seen, 'updatedAt', s.updated_at, 'state', s.state,"
    " 'receipt', '0x' || encode(s.receipt, 'hex'),"
    " 'disputes', coalesce((SELECT jsonb_agg(" DISPUTE_DOC " ORDER BY d.block_number DESC)"
    "   FROM channel_disputes d WHERE d.chain = s.chain AND d.protocol = s.protocol AND d.channel = s.channel),"
    "   '[]'::jsonb))::text"
    " FROM channel_states s WHERE s.protocol = $1 AND s.channel = decode($2, 'hex')";

static l2w_status parse_limit(l2w_web_response *resp, const l2w_web_request *req, char *out, size_t out_len,
                              bool *refused)
{
    unsigned limit;
    *refused = l2w_web_parse_limit(&limit, l2w_web_query(req, "limit"), CHANNELS_DEFAULT_LIMIT,
                                   CHANNELS_MAX_LIMIT) != L2W_OK;
    if (*refused)
        return l2w_web_respond_error(resp, 400, "limit", "limit must be an integer from 1 to 1000");
    snprintf(out, out_len, "%u", limit);
    return L2W_OK;
}

static bool valid_protocol(const char *p)
{
    return strcmp(p, "vector") == 0 || strcmp(p, "nitro") == 0;
}

l2w_status l2w_route_channels(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err)
{
    char limit[16];
    bool refused;
    l2w_status st = parse_limit(resp, req, limit, sizeof limit, &refused);
    if (st != L2W_OK || refused)
        return st;
    const char *protocol = l2w_web_query(req, "protocol");
    if (protocol && !valid_protocol(protocol))
        return l2w_web_respond_error(resp, 400, "protocol", "protocol must be vector or nitro");
    const char *params[] = {limit, protocol};
    return l2w_web_json_query(resp, req, channels_sql, 2, params, "no channels", err);
}

l2w_status l2w_route_channel_disputes(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err)
{
    char limit[16];
    bool refused;
    l2w_status st = parse_limit(resp, req, limit, sizeof limit, &refused);
    if (st != L2W_OK || refused)
        return st;
    const char *params[] = {limit};
    return l2w_web_json_query(resp, req, disputes_sql, 1, params, "no disputes", err);
}

/* tail: "{vector|nitro}/0x{40 or 64 hex digits}". */
l2w_status l2w_route_channel(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err)
{
    const char *slash = strchr(req->tail, '/');
    char protocol[8] = "";
    if (slash && (size_t)(slash - req->tail) < sizeof protocol)
        memcpy(protocol, req->tail, (size_t)(slash - req->tail));
    const char *hex = slash ? slash + 1 : "";
    size_t n = strlen(hex);
    bool hex_ok = strncmp(hex, "0x", 2) == 0 && (n == 42 || n == 66) && strspn(hex + 2, "0123456789abcdefABCDEF") == n - 2;
    if (!valid_protocol(protocol) || !hex_ok)
        return l2w_web_respond_error(resp, 404, NULL,
                                     "no such channel (expected /api/v1/channels/{vector|nitro}/0x<address or id>)");
    char lower[67];
    for (size_t i = 2; i <= n; i++)
        lower[i - 2] = (char)(hex[i] >= 'A' && hex[i] <= 'F' ? hex[i] - 'A' + 'a' : hex[i]);
    const char *params[] = {protocol, lower};
    return l2w_web_json_query(resp, req, channel_sql, 2, params, "no such channel", err);
}
