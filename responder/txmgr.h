#ifndef L2W_RESPONDER_TXMGR_H
#define L2W_RESPONDER_TXMGR_H

#include <stdbool.h>

#include "collector/rpc.h"
#include "core/config.h"
#include "core/db.h"
#include "core/status.h"
#include "responder/signer.h"

/* The transaction manager of one chain: drives every open response on that
 * chain through planned -> nonce_assigned -> sent -> mined -> verified.
 *
 * Exactly once: a response gets one nonce, from a per-(chain, sender)
 * counter in the database, before anything is signed; every transaction
 * signed for it (the first and each fee bump) uses that nonce and is stored
 * before it is broadcast; after a crash the stored bytes are broadcast again,
 * never re-signed with new values. So all transactions of one response are
 * replacements of each other, at most one can be mined, and no nonce is
 * skipped. Run it on one replica at a time (the caller holds the chain's
 * advisory lock). */
typedef struct l2w_txmgr l2w_txmgr;

L2W_MUST_CHECK l2w_status l2w_txmgr_create(l2w_txmgr **out, const l2w_config *cfg, const l2w_chain_config *chain,
                                           const l2w_signers *signers, l2w_err *err);
void l2w_txmgr_destroy(l2w_txmgr *m);

/* Advances every open response as far as it can go now. *in_flight is set
 * when some response waits on the chain (poll again soon). An error is about
 * one response; the others were still advanced. */
L2W_MUST_CHECK l2w_status l2w_txmgr_step(l2w_txmgr *m, l2w_db *db, l2w_rpc *rpc, bool *in_flight, l2w_err *err);

#endif
