#ifndef L2W_CORE_TX_H
#define L2W_CORE_TX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"
#include "core/eth_types.h"
#include "core/secp.h"
#include "core/status.h"
#include "core/u256.h"

/* Ethereum transactions: the three envelopes a responder sends and a
 * watchtower reads, their signing hashes, signing, and a strict decoder.
 *
 *   legacy    rlp([nonce, gasPrice, gas, to, value, data, v, r, s])
 *             signing hash keccak(rlp([nonce, gasPrice, gas, to, value, data,
 *             chainId, 0, 0])) with v = 35 + 2*chainId + yParity (EIP-155),
 *             or, for chain_id 0, keccak(rlp([... data])) with v = 27 + yParity
 *   EIP-2930  0x01 || rlp([chainId, nonce, gasPrice, gas, to, value, data,
 *             accessList, yParity, r, s])
 *   EIP-1559  0x02 || rlp([chainId, nonce, maxPriorityFeePerGas, maxFeePerGas,
 *             gas, to, value, data, accessList, yParity, r, s])
 *   typed signing hash: keccak(type || rlp([the fields before yParity]))
 *
 * Ownership: data, access_list and the storage keys are borrowed views. A
 * transaction a caller builds points them at its own memory (owned stays
 * NULL). A transaction from l2w_tx_decode points them into one block the
 * decoder allocated and keeps in owned; release it with l2w_tx_free. The
 * decoded transaction does not borrow from the raw input. */

typedef enum {
    L2W_TX_LEGACY = 0,
    L2W_TX_EIP2930 = 1,
    L2W_TX_EIP1559 = 2,
} l2w_tx_type;

typedef struct {
    l2w_addr address;
    const l2w_hash *storage_keys;
    size_t storage_keys_len;
} l2w_access_entry;

typedef struct {
    l2w_tx_type type;
    uint64_t chain_id; /* legacy: 0 means pre-EIP-155 (v = 27/28) */
    uint64_t nonce;
    l2w_u256 gas_price;                /* LEGACY and EIP2930 only */
    l2w_u256 max_priority_fee_per_gas; /* EIP1559 only */
    l2w_u256 max_fee_per_gas;          /* EIP1559 only */
    uint64_t gas_limit;
    bool has_to; /* false: contract creation, to is ignored */
    l2w_addr to;
    l2w_u256 value;
    const uint8_t *data;
    size_t data_len;
    const l2w_access_entry *access_list; /* EIP2930 and EIP1559 only */
    size_t access_list_len;
    void *owned; /* the decoder's block behind the views; NULL if caller-built */
} l2w_tx;

/* "legacy", "eip2930", "eip1559". */
const char *l2w_tx_type_name(l2w_tx_type type);

/* The hash the sender signs. Fails with L2W_ERR_INVALID for an unknown type
 * or a legacy transaction with an access list. */
L2W_MUST_CHECK l2w_status l2w_tx_signing_hash(l2w_hash *out, const l2w_tx *tx, l2w_err *err);

/* Appends the signed raw transaction (what eth_sendRawTransaction takes) to
 * out. sig->recid must be 0 or 1: only the parity travels in v. */
L2W_MUST_CHECK l2w_status l2w_tx_encode_signed(l2w_bytes *out, const l2w_tx *tx, const l2w_signature *sig,
                                               l2w_err *err);

/* Signs tx with seckey: appends the raw bytes to raw and sets *tx_hash to
 * their keccak (the transaction hash nodes report). */
L2W_MUST_CHECK l2w_status l2w_tx_sign(l2w_bytes *raw, l2w_hash *tx_hash, const l2w_tx *tx,
                                      const uint8_t seckey[32], l2w_err *err);

/* Decodes a signed raw transaction of any of the three types. Strict: the
 * input must be exactly one canonical encoding (no trailing bytes, no leading
 * zeros in integers, addresses of 20 bytes, storage keys of 32), v or
 * yParity must be well formed and the signature acceptable to
 * l2w_secp_signature_check (so high s is refused). Errors name the type and
 * the field. On success free *tx with l2w_tx_free; on failure nothing is
 * left to free. */
L2W_MUST_CHECK l2w_status l2w_tx_decode(l2w_tx *tx, l2w_signature *sig, const uint8_t *raw, size_t len,
                                        l2w_err *err);

/* The address that signed tx (recovered from its signing hash). */
L2W_MUST_CHECK l2w_status l2w_tx_sender(l2w_addr *out, const l2w_tx *tx, const l2w_signature *sig,
                                        l2w_err *err);

/* Frees what l2w_tx_decode allocated and clears the views; a no-op for a
 * caller-built transaction. */
void l2w_tx_free(l2w_tx *tx);

#endif
