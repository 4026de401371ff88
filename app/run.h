#ifndef L2W_APP_RUN_H
#define L2W_APP_RUN_H

#include "core/config.h"
#include "core/status.h"

/* `l2watch run`: migrates the database, checks every chain's RPC chain id,
 * then runs one follower thread per L1, one output checker per L2, the alert
 * worker and the web server until SIGINT or SIGTERM. Returns non-OK (with err)
 * only for failures that make running pointless: a database that cannot be
 * reached or migrated, an RPC endpoint serving a different chain than
 * configured, a web port that cannot be bound. An unreachable RPC endpoint is
 * not one of them: it is logged and retried, and the other chains go on. */
L2W_MUST_CHECK l2w_status l2w_run(const l2w_config *cfg, l2w_err *err);

/* `l2watch check-config --rpc`: asks every endpoint for its chain id. */
L2W_MUST_CHECK l2w_status l2w_probe_rpcs(const l2w_config *cfg, l2w_err *err);

#endif
