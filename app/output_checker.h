#ifndef L2W_APP_OUTPUT_CHECKER_H
#define L2W_APP_OUTPUT_CHECKER_H

#include <stddef.h>

#include "collector/rpc.h"
#include "core/config.h"
#include "core/db.h"

/* Runs the state_root rule for one L2: takes the stored output proposals that
 * are not yet judged, reads the proposal's block from the L2 (header, then the
 * message passer's storage root at that block's hash), judges, and stores the
 * verdict together with any finding and its alerts in one transaction.
 * A proposal for a block the L2 node does not have yet stays pending. */
typedef struct l2w_output_checker l2w_output_checker;

L2W_MUST_CHECK l2w_status l2w_output_checker_create(l2w_output_checker **out, const l2w_config *cfg,
                                                    const l2w_chain_config *l2, l2w_err *err);
void l2w_output_checker_destroy(l2w_output_checker *c);

/* One pass over pending proposals (at most a page of them). *judged counts
 * proposals that received a verdict. */
L2W_MUST_CHECK l2w_status l2w_output_checker_step(l2w_output_checker *c, l2w_db *db, l2w_rpc *l2rpc, size_t *judged,
                                                  l2w_err *err);

#endif
