#ifndef L2W_APP_RESPONDER_WORKER_H
#define L2W_APP_RESPONDER_WORKER_H

#include "app/wakeup.h"
#include "core/config.h"
#include "core/status.h"
#include "responder/signer.h"

/* One thread per L1 chain running that chain's transaction manager. Only the
 * replica holding the chain's advisory lock sends; the others wait to take
 * over. The thread wakes when a finding is committed (through wakeup) and
 * polls receipts while a transaction is in flight. */
typedef struct l2w_responder l2w_responder;

L2W_MUST_CHECK l2w_status l2w_responder_start(l2w_responder **out, const l2w_config *cfg,
                                              const l2w_signers *signers, l2w_wakeup *wakeup, l2w_err *err);
/* Joins the threads (the caller has stopped wakeup) and frees. NULL is a no-op. */
void l2w_responder_stop(l2w_responder *r);

#endif
