#ifndef L2W_COLLECTOR_ENDPOINT_STORE_H
#define L2W_COLLECTOR_ENDPOINT_STORE_H

#include <stddef.h>

#include "collector/rpc.h"
#include "core/db.h"

/* The chain_endpoints rows (sql/0018): the latest health of each RPC
 * endpoint of a chain, as l2w_rpc_snapshot saw it, for the web server. */

/* Makes chain's rows exactly ep[0..n): upserts one per endpoint (by index)
 * and deletes those of indexes n and above, which are no longer configured.
 * One statement, so a reader never sees half of it. */
L2W_MUST_CHECK l2w_status l2w_store_endpoints(l2w_db *db, const char *chain, const l2w_rpc_endpoint_snapshot *ep,
                                              size_t n, l2w_err *err);

#endif
