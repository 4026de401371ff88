#ifndef L2W_CORE_CHANNEL_INTAKE_H
#define L2W_CORE_CHANNEL_INTAKE_H

/* What the watchtower checks of a submitted channel state before it holds
 * it, without the database: the JSON shape, that the channel is one of the
 * watched adjudicators' channels, and every participant's signature. Also
 * the receipt digest the tower signs for an accepted state.
 *
 * A submission is
 *   {"protocol": "vector", "state": {CoreChannelState}, "signatures": [alice, bob]}
 *   {"protocol": "nitro", "fixedPart": {...}, "state": {...}, "signatures": [...]}
 * (the state forms are those of core/channel_vector.h and core/channel_nitro.h).
 *
 * Refusals carry a stable code (the API's "code" field):
 *   malformed_json    not JSON, or not a submission of the form above (err names the field)
 *   unknown_channel   a Vector channelAddress that the configured factory would not create for
 *                     (alice, bob) on the configured chain, a Nitro chainId other than the
 *                     configured chain's, or a protocol the config does not watch
 *   bad_signature     a signature that is malformed, that the contract would refuse (Vector: high s),
 *                     or that recovers to another participant than its slot's
 *   not_participant   a well-formed signature of someone who is not a participant of the channel
 *                     (signed by an outsider, or over other data)
 */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/channel_nitro.h"
#include "core/config.h"
#include "core/eth_types.h"
#include "core/status.h"
#include "core/u256.h"

typedef enum {
    L2W_CHANNEL_VECTOR = 1,
    L2W_CHANNEL_NITRO = 2,
} l2w_channel_protocol;

/* "vector" / "nitro", as stored in the database. */
const char *l2w_channel_protocol_name(l2w_channel_protocol p);

typedef struct {
    l2w_channel_protocol protocol;
    uint8_t channel[32];  /* Vector: the 20-byte address; Nitro: the 32-byte channel id */
    size_t channel_len;
    l2w_u256 version;     /* Vector nonce, Nitro turnNum */
    l2w_hash state_hash;  /* hashChannelState / _hashState */
    json_t *doc;          /* the submission in canonical form (owned), as stored and as a response replays it */
} l2w_channel_submission;

void l2w_channel_submission_clear(l2w_channel_submission *s);

/* The watched chain's facts the checks need. */
typedef struct {
    const l2w_channels_config *cfg;
    uint64_t chain_id;
} l2w_channel_intake_ctx;

/* Checks one submission. L2W_OK with *out filled; L2W_ERR_INVALID with
 * *code one of the codes above and err saying what and where; other
 * statuses (L2W_ERR_NOMEM) are failures of l2watch, not of the input. */
L2W_MUST_CHECK l2w_status l2w_channel_intake_check(l2w_channel_submission *out, const char **code,
                                                   const l2w_channel_intake_ctx *ctx, const json_t *item,
                                                   l2w_err *err);

/* Reads a Nitro submission (l2w_nitro_from_json's form plus "protocol"),
 * without checking its channel or signatures. */
L2W_MUST_CHECK l2w_status l2w_nitro_from_submission(l2w_nitro_fixed *f, l2w_nitro_state *s,
                                                    l2w_nitro_sig sigs[L2W_NITRO_MAX_PARTICIPANTS], size_t *n_sigs,
                                                    const json_t *item, l2w_err *err);

/* The Vector channel address ChannelFactory.getChannelAddress(alice, bob)
 * returns: CREATE2 by the factory with salt keccak256(alice || bob ||
 * chainId) and the EIP-1167 proxy of the mastercopy as init code. */
void l2w_vector_channel_address(l2w_addr *out, const l2w_addr *factory, const l2w_addr *mastercopy,
                                uint64_t chain_id, const l2w_addr *alice, const l2w_addr *bob);

/* What the tower signs for an accepted state, so a client can later prove
 * what the tower held:
 *   receipt = keccak256(abi.encode(keccak256("l2watch channel state receipt v1"),
 *                                  uint256 chainId, uint8 protocol, bytes32 channel,
 *                                  uint256 version, bytes32 stateHash))
 * with the channel left-padded to 32 bytes; the signature is over its
 * EIP-191 digest (personal_sign of the 32 bytes), as l2w_channel_receipt_digest
 * gives. The same state always gives the same receipt (RFC 6979 signing), so a
 * resubmission gets the receipt it got before. */
void l2w_channel_receipt_hash(l2w_hash *out, uint64_t chain_id, const l2w_channel_submission *s);
void l2w_channel_receipt_digest(l2w_hash *out, const l2w_hash *receipt_hash);

#endif
