#ifndef L2W_WEB_ROUTES_H
#define L2W_WEB_ROUTES_H

#include <stdbool.h>
#include <stddef.h>

#include "web/http.h"

/* The route table. A new endpoint is one handler in a routes_*.c file and one
 * line in web/routes.c; the server matches method and path and does the rest
 * (405 with Allow for a known path and wrong method, 404 otherwise, metrics). */
typedef struct {
    const char *method;    /* "GET"; HEAD is served by GET routes */
    const char *path;      /* exact path, or a prefix when prefix is set; in an exact path, a '*' stands for
                            * one path segment, and the tail starts there */
    bool prefix;
    const char *label;     /* low-cardinality route name for metrics labels */
    l2w_web_handler handler;
    size_t max_body;       /* largest request body accepted (413 above); 0 = none accepted */
    bool write;            /* needs a web.clients bearer token (401) and admits by its quota (429) */
} l2w_web_route;

extern const l2w_web_route l2w_web_routes[];
extern const size_t l2w_web_routes_count;

/* Handlers, by file. */
l2w_status l2w_route_healthz(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err);
l2w_status l2w_route_readyz(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err);
l2w_status l2w_route_metrics(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err);
l2w_status l2w_route_chains(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err);
l2w_status l2w_route_findings(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err);
l2w_status l2w_route_finding(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err);
l2w_status l2w_route_proposals(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err);
l2w_status l2w_route_bridges(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err);
l2w_status l2w_route_bridge_escrow(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err);
l2w_status l2w_route_dashboard(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err);
l2w_status l2w_route_channels(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err);
l2w_status l2w_route_channel(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err);
l2w_status l2w_route_channel_disputes(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err);
l2w_status l2w_route_channel_states(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err);
/* A batch of 256 Nitro states with large app data fits; one request cannot
 * hold more of the server's memory than this. */
#define L2W_CHANNEL_STATES_MAX_BODY (4u * 1024 * 1024)
l2w_status l2w_route_static(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err);
l2w_status l2w_route_da(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err);
l2w_status l2w_route_da_commitments(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err);
l2w_status l2w_route_liveness(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err);
l2w_status l2w_route_liveness_intervals(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err);
l2w_status l2w_route_committees(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err);
l2w_status l2w_route_committee_checks(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err);
l2w_status l2w_route_dashboard_da(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err);
l2w_status l2w_route_silences(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err);
l2w_status l2w_route_silence(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err);
l2w_status l2w_route_silence_create(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err);
l2w_status l2w_route_silence_delete(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err);
/* A silence is a few kilobytes at most (reason up to 2000 bytes). */
#define L2W_SILENCE_MAX_BODY (16u * 1024)
l2w_status l2w_route_finding_ack(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err);
l2w_status l2w_route_finding_unack(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err);
/* An author and a note of up to 2000 bytes, JSON-escaped. */
#define L2W_FINDING_ACK_MAX_BODY (16u * 1024)
l2w_status l2w_route_dead_letters(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err);
l2w_status l2w_route_requeue(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err);
/* Up to 1000 ids of 19 digits. */
#define L2W_REQUEUE_MAX_BODY (32u * 1024)
l2w_status l2w_route_dashboard_findings(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err);
l2w_status l2w_route_dashboard_finding(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err);
l2w_status l2w_route_dashboard_alerts(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err);
l2w_status l2w_route_dashboard_rollups(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err);
l2w_status l2w_route_dashboard_channels(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err);
l2w_status l2w_route_dashboard_bridges(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err);
l2w_status l2w_route_dashboard_fees(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err);
/* Analytics (issue 9): web/routes_fees.c (fees and batch costs), web/routes_tvl.c, web/routes_prices.c. */
l2w_status l2w_route_fees(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err);
l2w_status l2w_route_fee_days(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err);
l2w_status l2w_route_fee_blocks(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err);
l2w_status l2w_route_batch_costs(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err);
l2w_status l2w_route_batch_cost_days(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err);
l2w_status l2w_route_batch_postings(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err);
l2w_status l2w_route_tvl(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err);
l2w_status l2w_route_tvl_series(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err);
l2w_status l2w_route_prices(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err);

/* A bridge's token named by a query parameter: its key (native or its
 * address, in any case) or its symbol; with no text, the bridge's only
 * token. NULL when none (web/routes_bridges.c; the escrow and TVL routes). */
const l2w_bridge_token *l2w_web_bridge_token_find(const l2w_bridge_config *b, const char *text);

/* One statement on a pooled connection, in its own transaction (a write
 * route's single INSERT or UPDATE commits here). *res as for l2w_db_exec. */
L2W_MUST_CHECK l2w_status l2w_web_db_exec(const l2w_web_request *req, PGresult **res, const char *sql, int nparams,
                                          const char *const *params, l2w_err *err);

/* Runs one read-only query whose single row and column is a JSON document
 * and answers 200 with it, or 404 with not_found_message when there is no
 * row. The building block of the JSON API routes. */
L2W_MUST_CHECK l2w_status l2w_web_json_query(l2w_web_response *resp, const l2w_web_request *req, const char *sql,
                                             int nparams, const char *const *params, const char *not_found_message,
                                             l2w_err *err);
/* The same, with the 404 naming the parameter at fault (NULL for none). */
L2W_MUST_CHECK l2w_status l2w_web_json_query_param(l2w_web_response *resp, const l2w_web_request *req,
                                                   const char *sql, int nparams, const char *const *params,
                                                   const char *not_found_param, const char *not_found_message,
                                                   l2w_err *err);

/* SQL text of a timestamptz expression as the API writes times: UTC,
 * YYYY-MM-DDTHH:MM:SS.mmmZ. */
#define L2W_SQL_UTC_MILLIS(ts) "to_char((" ts ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
/* The same of a bigint of Unix seconds from a chain, NULL for one that
 * is no time of years 1970 to 9999 (to_timestamp would fail the whole
 * statement on a value past its range). */
#define L2W_SQL_UNIX_MILLIS(secs)                                                                                    \
    "CASE WHEN (" secs ") BETWEEN 0 AND 253402300799 THEN " L2W_SQL_UTC_MILLIS("to_timestamp(" secs ")") " END"

#endif
