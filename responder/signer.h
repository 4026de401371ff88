#ifndef L2W_RESPONDER_SIGNER_H
#define L2W_RESPONDER_SIGNER_H

#include <stdint.h>

#include "core/bytes.h"
#include "core/config.h"
#include "core/eth_types.h"
#include "core/status.h"
#include "core/tx.h"

/* The only holder of private keys. A local signer keeps its key in locked
 * memory and wipes it on close; a remote signer asks a web3signer/clef-style
 * endpoint with eth_signTransaction and checks that what comes back is the
 * transaction it asked for, signed by the configured address. Keys are never
 * logged, never put in an error message, never stored in the database. */
typedef struct l2w_signer l2w_signer;

/* Loads the key (refusing a key file others can read) or prepares the
 * remote client. A configured address must match the key's. */
L2W_MUST_CHECK l2w_status l2w_signer_open(l2w_signer **out, const l2w_signer_config *cfg, l2w_err *err);
void l2w_signer_close(l2w_signer *s);
const char *l2w_signer_name(const l2w_signer *s);
const l2w_addr *l2w_signer_address(const l2w_signer *s);

/* Signs tx; raw receives the network encoding, hash the transaction hash.
 * Safe to call from several threads. */
L2W_MUST_CHECK l2w_status l2w_signer_sign_tx(l2w_signer *s, const l2w_tx *tx, l2w_bytes *raw, l2w_hash *hash,
                                             l2w_err *err);

/* Signs a 32-byte digest (already hashed, e.g. an EIP-191 digest): r || s
 * || v with v 27 or 28 and a low s, as ecrecover and OpenZeppelin ECDSA
 * accept. Local keys only: L2W_ERR_CONFIG for a remote signer, whose
 * protocol here is eth_signTransaction. Safe from several threads. */
L2W_MUST_CHECK l2w_status l2w_signer_sign_digest(l2w_signer *s, uint8_t out[65], const l2w_hash *digest,
                                                 l2w_err *err);

/* Every signer of a config, opened at start so a bad key stops l2watch
 * before it watches anything. */
typedef struct {
    l2w_signer *items[L2W_MAX_SIGNERS];
    size_t n;
} l2w_signers;

L2W_MUST_CHECK l2w_status l2w_signers_open(l2w_signers *out, const l2w_config *cfg, l2w_err *err);
void l2w_signers_close(l2w_signers *s);
l2w_signer *l2w_signers_find(const l2w_signers *s, const char *name);

#endif
