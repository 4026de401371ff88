#ifndef L2W_RESPONDER_SIGNER_REMOTE_H
#define L2W_RESPONDER_SIGNER_REMOTE_H

#include "core/bytes.h"
#include "core/eth_types.h"
#include "core/status.h"
#include "core/tx.h"

/* A remote signer speaking eth_signTransaction (web3signer, clef, a node
 * with an unlocked account). Its answer is not trusted: the raw transaction
 * is decoded and must carry exactly the fields asked for and recover to the
 * configured address, or it is refused. */
typedef struct l2w_remote_signer l2w_remote_signer;

L2W_MUST_CHECK l2w_status l2w_remote_signer_create(l2w_remote_signer **out, const char *url, const l2w_addr *address,
                                                   l2w_err *err);
void l2w_remote_signer_destroy(l2w_remote_signer *s);
L2W_MUST_CHECK l2w_status l2w_remote_signer_sign_tx(l2w_remote_signer *s, const l2w_tx *tx, l2w_bytes *raw,
                                                    l2w_hash *hash, l2w_err *err);

#endif
