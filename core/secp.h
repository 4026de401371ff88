#ifndef L2W_CORE_SECP_H
#define L2W_CORE_SECP_H

#include <stdint.h>

#include "core/eth_types.h"
#include "core/status.h"

/* secp256k1 as Ethereum uses it, over libsecp256k1.
 *
 * Each thread gets its own context, created on first use and randomized
 * from getrandom() (blinding against side channels); it is destroyed when
 * the thread exits, or earlier by l2w_secp_thread_cleanup(). The main
 * thread's context is not destroyed by exit(), so long-lived programs and
 * tests call l2w_secp_thread_cleanup() before returning from main.
 *
 * Private keys are 32 big-endian bytes. Copies this module makes of a key
 * are wiped before it returns; the caller owns (and wipes) its own. */

/* An ECDSA signature with its recovery id. Signatures this module makes
 * always have s <= n/2 (EIP-2) and recid 0 or 1. */
typedef struct {
    uint8_t r[32];
    uint8_t s[32];
    int recid;
} l2w_signature;

/* The curve order n and n/2, big-endian: the bounds contracts check on
 * signatures themselves (OpenZeppelin ECDSA: s <= n/2; ecrecover: r, s < n). */
extern const uint8_t l2w_secp_order[32];
extern const uint8_t l2w_secp_half_order[32];

/* L2W_ERR_INVALID unless 0 < key < n (the curve order). */
L2W_MUST_CHECK l2w_status l2w_secp_seckey_check(const uint8_t seckey[32], l2w_err *err);

/* The uncompressed public key without its 0x04 prefix: X || Y. */
L2W_MUST_CHECK l2w_status l2w_secp_pubkey(uint8_t pub[64], const uint8_t seckey[32], l2w_err *err);
/* The last 20 bytes of keccak256(X || Y). */
void l2w_secp_pubkey_address(l2w_addr *out, const uint8_t pub[64]);
L2W_MUST_CHECK l2w_status l2w_secp_address(l2w_addr *out, const uint8_t seckey[32], l2w_err *err);

/* Deterministic (RFC 6979) recoverable signature of a 32-byte digest. */
L2W_MUST_CHECK l2w_status l2w_secp_sign(l2w_signature *out, const uint8_t seckey[32], const uint8_t digest[32],
                                        l2w_err *err);

/* Checks what Ethereum requires of a signature before recovery: recid 0..3,
 * 0 < r < n, 0 < s <= n/2 (a high s is the malleable twin EIP-2 forbids). */
L2W_MUST_CHECK l2w_status l2w_secp_signature_check(const l2w_signature *sig, l2w_err *err);

/* The address whose key made sig over digest; fails on a signature that
 * l2w_secp_signature_check rejects or from which no key can be recovered. */
L2W_MUST_CHECK l2w_status l2w_secp_recover(l2w_addr *out, const uint8_t digest[32], const l2w_signature *sig,
                                           l2w_err *err);

/* Destroys the calling thread's context now (a later call makes a new one). */
void l2w_secp_thread_cleanup(void);

#endif
