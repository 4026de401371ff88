#ifndef L2W_CORE_CHANNEL_NITRO_H
#define L2W_CORE_CHANNEL_NITRO_H

/* statechannels Nitro states (@statechannels/nitro-protocol 0.17.3,
 * ForceMove.sol, solc 0.7.4): channel id, state hash and the digest every
 * participant signs, the check of those signatures as the adjudicator makes
 * it, the JSON form the state intake accepts, calldata for checkpoint and the
 * ChallengeRegistered event.
 *
 * What the contract does, and this module repeats:
 *   channelId   = keccak256(abi.encode(chainId, participants, channelNonce))
 *                 (uint256, address[], uint48: appDefinition and
 *                 challengeDuration are not part of it)
 *   appPartHash = keccak256(abi.encode(challengeDuration, appDefinition, appData))
 *                 (uint48, address, bytes)
 *   outcomeHash = keccak256(outcome): the raw bytes, not an encoding of them
 *   stateHash   = keccak256(abi.encode(State(turnNum, isFinal, channelId,
 *                 appPartHash, outcomeHash))) (a static struct: five words)
 *   digest      = keccak256("\x19Ethereum Signed Message:\n32" || stateHash)
 *   signatures are (v, r, s) structs given to ecrecover as they are: v must be
 *   27 or 28, r and s in 1..n-1 (a high s is accepted, ecrecover does not
 *   care), and the recovered address must not be zero.
 *
 * Ownership: a fixed part's participants and a state's appData and outcome
 * are malloc'd and owned by their struct; release them with
 * l2w_nitro_fixed_free / l2w_nitro_state_free (which accept zeroed structs).
 * Calldata buffers are freed with free(); JSON from l2w_nitro_to_json is a
 * new reference (json_decref). */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/eth_types.h"
#include "core/status.h"
#include "core/u256.h"

/* Caps on what the intake accepts (the contract allows 255 participants and
 * any size of bytes; the tower bounds the work one submission can cause). */
#define L2W_NITRO_MAX_PARTICIPANTS 16
#define L2W_NITRO_MAX_APP_DATA (64u * 1024)
#define L2W_NITRO_MAX_OUTCOME (64u * 1024)
/* Largest uint48. */
#define L2W_NITRO_UINT48_MAX ((UINT64_C(1) << 48) - 1)

/* IForceMove.FixedPart. */
typedef struct {
    l2w_u256 chain_id;
    size_t n_participants;
    l2w_addr *participants;
    uint64_t channel_nonce;      /* uint48 */
    l2w_addr app_definition;
    uint64_t challenge_duration; /* uint48, seconds */
} l2w_nitro_fixed;

/* The variable part of a state with its turn number and finality. */
typedef struct {
    uint64_t turn_num; /* uint48 */
    bool is_final;
    uint8_t *app_data;
    size_t app_data_len;
    uint8_t *outcome;
    size_t outcome_len;
} l2w_nitro_state;

/* IForceMove.Signature; in JSON and in eth_sign output r || s || v. */
typedef struct {
    uint8_t v;
    uint8_t r[32];
    uint8_t s[32];
} l2w_nitro_sig;

/* Zeroes *f and gives it n zeroed participants; L2W_ERR_RANGE above the cap.
 * On failure *f is zeroed. */
L2W_MUST_CHECK l2w_status l2w_nitro_fixed_alloc(l2w_nitro_fixed *f, size_t n_participants, l2w_err *err);
void l2w_nitro_fixed_free(l2w_nitro_fixed *f);
/* Copies app_data and outcome into *s (owned), zeroing the rest first;
 * L2W_ERR_RANGE above the caps. On failure *s is zeroed. */
L2W_MUST_CHECK l2w_status l2w_nitro_state_set_data(l2w_nitro_state *s, const uint8_t *app_data, size_t app_data_len,
                                                   const uint8_t *outcome, size_t outcome_len, l2w_err *err);
void l2w_nitro_state_free(l2w_nitro_state *s);
bool l2w_nitro_fixed_eq(const l2w_nitro_fixed *a, const l2w_nitro_fixed *b);
bool l2w_nitro_state_eq(const l2w_nitro_state *a, const l2w_nitro_state *b);

/* ForceMove._getChannelId (the adjudicator also requires chainId to be the
 * chain's own). L2W_ERR_RANGE when a field is out of its type or cap. */
L2W_MUST_CHECK l2w_status l2w_nitro_channel_id(l2w_hash *out, const l2w_nitro_fixed *f, l2w_err *err);
/* keccak256(abi.encode(challengeDuration, appDefinition, appData)). */
L2W_MUST_CHECK l2w_status l2w_nitro_app_part_hash(l2w_hash *out, const l2w_nitro_fixed *f, const l2w_nitro_state *s,
                                                  l2w_err *err);
/* ForceMove._hashState for the state (channel id computed from f). */
L2W_MUST_CHECK l2w_status l2w_nitro_state_hash(l2w_hash *out, const l2w_nitro_fixed *f, const l2w_nitro_state *s,
                                               l2w_err *err);
/* keccak256("\x19Ethereum Signed Message:\n32" || state_hash) (_recoverSigner). */
void l2w_nitro_signed_digest(l2w_hash *out, const l2w_hash *state_hash);

/* Why a signature was refused. */
typedef enum {
    L2W_NITRO_SIG_OK = 0,
    L2W_NITRO_SIG_COUNT,         /* not one signature per participant */
    L2W_NITRO_SIG_BAD_V,         /* v is neither 27 nor 28 */
    L2W_NITRO_SIG_UNRECOVERABLE, /* ecrecover answers zero: r or s zero or >= n, or no point */
    L2W_NITRO_SIG_WRONG_SIGNER,  /* recovers to an address other than participants[index] */
} l2w_nitro_sig_fault;

typedef struct {
    l2w_nitro_sig_fault fault;
    size_t index;       /* the failing signature (COUNT: the count given) */
    l2w_addr recovered; /* WRONG_SIGNER: the address it recovers to */
} l2w_nitro_verdict;

/* Checks that sigs[i] is participants[i]'s signature over the state, for
 * every i (a state signed by everyone, as checkpoint with one variable part
 * and whoSignedWhat all 0 needs). L2W_OK, or L2W_ERR_INVALID with err naming
 * the index and reason ("signatures[1]: recovers to 0x... (participant 0),
 * not participants[1] 0x...") and *verdict (NULL allowed) filled. */
L2W_MUST_CHECK l2w_status l2w_nitro_verify(l2w_nitro_verdict *verdict, const l2w_nitro_fixed *f,
                                           const l2w_nitro_state *s, const l2w_nitro_sig *sigs, size_t n_sigs,
                                           l2w_err *err);

/* Signatures as 65 bytes r || s || v and back. */
void l2w_nitro_sig_from_bytes(l2w_nitro_sig *out, const uint8_t in[65]);
void l2w_nitro_sig_to_bytes(uint8_t out[65], const l2w_nitro_sig *sig);

/* The intake's JSON:
 *   {"fixedPart": {"chainId", "participants": [address...], "channelNonce",
 *                  "appDefinition", "challengeDuration"},
 *    "state": {"turnNum", "isFinal", "appData", "outcome"},
 *    "signatures": ["0x" + 130 hex digits (r || s || v)...]}
 * Every field required and no others. Numbers are decimal strings, 0x hex
 * quantities or non-negative JSON integers; channelNonce, challengeDuration
 * and turnNum must fit in 48 bits; isFinal is a JSON boolean; appData and
 * outcome are 0x hex ("0x" for none) within their caps; 1 to
 * L2W_NITRO_MAX_PARTICIPANTS participants; as many signatures as
 * participants. When sigs is NULL, "signatures" is neither required nor
 * allowed. Errors are L2W_ERR_INVALID naming the field
 * ("fixedPart.participants[2]: ..."). On success the structs own new memory
 * and *n_sigs is the participant count; on failure they are zeroed. */
L2W_MUST_CHECK l2w_status l2w_nitro_from_json(l2w_nitro_fixed *f, l2w_nitro_state *s,
                                              l2w_nitro_sig sigs[L2W_NITRO_MAX_PARTICIPANTS], size_t *n_sigs,
                                              const json_t *json, l2w_err *err);
/* The same form back (chainId as a decimal string, the uint48 fields as JSON
 * integers, hex in lowercase; "signatures" only when sigs is not NULL), so
 * from_json(to_json(x)) equals x. L2W_ERR_NOMEM is the only failure. */
L2W_MUST_CHECK l2w_status l2w_nitro_to_json(json_t **out, const l2w_nitro_fixed *f, const l2w_nitro_state *s,
                                            const l2w_nitro_sig *sigs, size_t n_sigs, l2w_err *err);

/* Calldata for checkpoint(FixedPart, uint48 largestTurnNum,
 * VariablePart[] variableParts, uint8 isFinalCount, Signature[] sigs,
 * uint8[] whoSignedWhat) with the one state s: largestTurnNum = turnNum,
 * variableParts = [(outcome, appData)], isFinalCount = isFinal ? 1 : 0,
 * whoSignedWhat = [0, ...]. n_sigs must equal the participant count
 * (L2W_ERR_INVALID otherwise); the signatures are not checked here. */
L2W_MUST_CHECK l2w_status l2w_nitro_checkpoint_calldata(uint8_t **out, size_t *out_len, const l2w_nitro_fixed *f,
                                                        const l2w_nitro_state *s, const l2w_nitro_sig *sigs,
                                                        size_t n_sigs, l2w_err *err);

/* What a ChallengeRegistered log says that the tower acts on. */
typedef struct {
    l2w_hash channel_id;     /* topic1 */
    uint64_t turn_num_record; /* uint48 */
    uint64_t finalizes_at;    /* uint48, unix seconds */
    bool is_final;
    size_t n_participants;    /* of the fixed part in the log */
    size_t n_variable_parts;
} l2w_nitro_challenge;

/* The canonical signature of IForceMove.ChallengeRegistered(bytes32 indexed
 * channelId, uint48 turnNumRecord, uint48 finalizesAt, bool isFinal,
 * FixedPart fixedPart, VariablePart[] variableParts, Signature[] sigs,
 * uint8[] whoSignedWhat), and its topic0. */
extern const char l2w_nitro_challenge_registered_signature[];
void l2w_nitro_challenge_registered_topic(l2w_hash *out);

/* Decodes a ChallengeRegistered log: topics must be [topic0, channelId], the
 * data the ABI encoding of the non-indexed parameters, and the channel id
 * of the fixed part in the data must be topic1. Anything else is
 * L2W_ERR_PROTOCOL with the reason; never reads past data_len. Other
 * statuses: L2W_ERR_NOMEM. */
L2W_MUST_CHECK l2w_status l2w_nitro_decode_challenge_registered(l2w_nitro_challenge *out, const l2w_hash *topics,
                                                                size_t n_topics, const uint8_t *data,
                                                                size_t data_len, l2w_err *err);

#endif
