#ifndef L2W_RESPONDER_TXMGR_INTERNAL_H
#define L2W_RESPONDER_TXMGR_INTERNAL_H

/* Internal to the transaction manager (responder/txmgr*.c): its state and
 * the stages of a response, one file per stage:
 *   txmgr_plan.c     planned -> dry_run | not_needed | failed | nonce_assigned
 *   txmgr_send.c     nonce_assigned -> sent, and sent -> mined (receipts, bumps)
 *   txmgr_confirm.c  mined -> verified | reverted | failed, or back to sent on a reorg
 *   txmgr.c          creation, outcomes shared by the stages, the driver. */

#include "collector/eth_tx.h"
#include "core/metrics.h"
#include "responder/action.h"
#include "responder/response_store.h"
#include "responder/txmgr.h"

#define NOTE_LEN 512

struct l2w_txmgr {
    const l2w_config *cfg;
    const l2w_chain_config *chain;
    const l2w_signers *signers;
    l2w_gauge *pending;
    l2w_counter *sent;
    l2w_counter *confirmed;
    l2w_counter *bumps;
    l2w_counter *reorged;
    l2w_counter *failed;
    l2w_histogram *latency;
};


/* One transaction: the response's final status and, for events worth
 * telling, its alert. */
L2W_MUST_CHECK l2w_status l2w_txmgr_finish(l2w_txmgr *m, l2w_db *db, const l2w_response *r, const char *status,
                                          const char *note, const char *event, l2w_err *err);
l2w_action_target l2w_txmgr_target_of(const l2w_response *r);
/* eth_estimateGas plus the chain's margin. */
L2W_MUST_CHECK l2w_status l2w_txmgr_gas_limit_for(l2w_txmgr *m, l2w_rpc *rpc, const l2w_response *r,
                                                 const l2w_addr *from, uint64_t *gas, l2w_err *err);
/* Broadcasts a stored attempt and records that a node has it. */
L2W_MUST_CHECK l2w_status l2w_txmgr_broadcast(l2w_txmgr *m, l2w_db *db, l2w_rpc *rpc, const l2w_response *r,
                                             const l2w_attempt *a, bool bumped, l2w_err *err);

/* The stages; each may move r->status on so the driver continues at once. */
L2W_MUST_CHECK l2w_status l2w_txmgr_on_planned(l2w_txmgr *m, l2w_db *db, l2w_rpc *rpc, l2w_response *r,
                                              l2w_err *err);
L2W_MUST_CHECK l2w_status l2w_txmgr_on_nonce_assigned(l2w_txmgr *m, l2w_db *db, l2w_rpc *rpc, l2w_response *r,
                                                     l2w_err *err);
L2W_MUST_CHECK l2w_status l2w_txmgr_on_sent(l2w_txmgr *m, l2w_db *db, l2w_rpc *rpc, l2w_response *r, l2w_err *err);
L2W_MUST_CHECK l2w_status l2w_txmgr_on_mined(l2w_txmgr *m, l2w_db *db, l2w_rpc *rpc, l2w_response *r, bool *waiting,
                                            l2w_err *err);

#endif
