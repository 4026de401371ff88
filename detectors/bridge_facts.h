#ifndef L2W_DETECTORS_BRIDGE_FACTS_H
#define L2W_DETECTORS_BRIDGE_FACTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/eth_types.h"
#include "core/status.h"
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

/* ---- what every bridge finding says the same way (detectors/bridge_facts.c) ---- */

/* The token as findings and subjects name it: its address in lowercase
 * 0x-hex, or "native". */
void l2w_bridge_token_label(char out[L2W_ADDR_HEX_LEN], const l2w_bridge_subject *s);

/* An amount for people, in token units with the subject's decimals and
 * symbol and then in base units: "12.5 ETH (12500000000000000000 base
 * units)". A symbol too long to fit is cut short. */
#define L2W_BRIDGE_AMOUNT_LEN 400
void l2w_bridge_amount(char out[L2W_BRIDGE_AMOUNT_LEN], const l2w_bridge_subject *s, const l2w_u256 *amount);

/* The subject of a lasting bridge condition, "bridge:<bridge>:<token label>";
 * L2W_ERR_RANGE if it does not fit in out_len. */
L2W_MUST_CHECK l2w_status l2w_bridge_subject_key(char *out, size_t out_len, const l2w_bridge_subject *s,
                                                 l2w_err *err);

/* The evidence of a bridge finding: what names the escrow (bridge, chain,
 * remote_chain, token label, symbol, decimals, escrow) merged with the
 * rule's own fields in extra, which it takes over. A new object the caller
 * owns; NULL when out of memory, including when extra is NULL (so a failed
 * json_pack can be passed straight in). */
json_t *l2w_bridge_evidence(const l2w_bridge_subject *s, json_t *extra);

#endif
