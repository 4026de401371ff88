#ifndef L2W_WEB_ROUTES_DASHBOARD_ENDPOINTS_H
#define L2W_WEB_ROUTES_DASHBOARD_ENDPOINTS_H

#include <libpq-fe.h>
#include <stdio.h>

#include "core/db.h"
#include "core/status.h"

/* The overview's Endpoints column: each chain's RPC endpoints' health as
 * the chain workers stored it (chain_endpoints, sql/0018), summed up as
 * "2 of 3 healthy" with each endpoint in a <details> below. */

/* Every chain's endpoints, by chain then index; *res is the caller's to PQclear. */
L2W_MUST_CHECK l2w_status l2w_dash_endpoints_load(l2w_db *db, PGresult **res, l2w_err *err);
/* The <td> of chain, from the rows l2w_dash_endpoints_load returned. */
void l2w_dash_endpoints_cell(FILE *f, const PGresult *res, const char *chain);

#endif
