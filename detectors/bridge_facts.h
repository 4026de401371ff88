#ifndef L2W_DETECTORS_BRIDGE_FACTS_H
#define L2W_DETECTORS_BRIDGE_FACTS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/eth_types.h"
#include "core/u256.h"

/* The facts the bridge detectors judge, as the collector stores them. */

/* Which escrow and token a bridge finding is about. Strings and pointers are
 * borrowed from the config for the duration of a call. */
typedef struct {
    const char *bridge;        /* bridges[].name */
    const char *chain;         /* the escrow's chain */
    const char *remote_chain;  /* the other side */
    const char *symbol;        /* token label */
    bool native;               /* the chain's coin; token unused */
    l2w_addr token;
    l2w_addr escrow;
    uint8_t decimals;
} l2w_bridge_subject;

/* The escrow's balance of one token at one block. */
typedef struct {
    uint64_t block_number;
    l2w_hash block_hash;
    uint64_t timestamp;        /* the block's */
    l2w_u256 balance;
} l2w_escrow_sample;

/* One bridge movement event: a release on the escrow chain or an
 * initiation on the source chain, as decoded by the event layout. Absent
 * fields stay zero with their has_ flag false. */
typedef struct {
    uint64_t block_number;
    l2w_hash block_hash;
    uint64_t timestamp;
    l2w_hash tx_hash;
    uint32_t log_index;
    bool has_message_id;
    l2w_hash message_id;       /* bytes32, or a uint as 32 big-endian bytes */
    bool has_token;
    l2w_addr token;
    bool has_recipient;
    l2w_addr recipient;
    bool has_amount;
    l2w_u256 amount;
} l2w_bridge_transfer;

#endif
