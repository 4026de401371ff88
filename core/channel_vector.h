#ifndef L2W_CORE_CHANNEL_VECTOR_H
#define L2W_CORE_CHANNEL_VECTOR_H

/* Connext Vector channel states (@connext/vector-contracts 0.2.3,
 * CMCAdjudicator): the hash, commitment and digest both parties sign, the
 * check of their signatures as the contract makes it, the JSON form the
 * state intake accepts, calldata for disputeChannel and the ChannelDisputed
 * event.
 *
 * What the contract does, and this module repeats:
 *   ccsHash    = keccak256(abi.encode(ccs)): ccs is a dynamic struct, so the
 *                encoding starts with its offset word (0x20)
 *   commitment = keccak256(abi.encode(CommitmentType.ChannelState (= 0), ccsHash))
 *   digest     = keccak256("\x16Vector Signed Message:\n32" || commitment)
 *   alice and bob each sign digest; disputeChannel recovers each signature
 *   with OpenZeppelin 3.2 ECDSA.recover: exactly 65 bytes r || s || v,
 *   s <= n/2, v 27 or 28, and a recovered address that is not zero.
 *
 * Ownership: a state's arrays are malloc'd and owned by the state; release
 * them with l2w_vector_state_free (which also accepts a zeroed state).
 * Buffers from the calldata encoder are freed with free(); JSON from
 * l2w_vector_state_to_json is a new reference (json_decref). */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/eth_types.h"
#include "core/status.h"
#include "core/u256.h"

/* The intake refuses states with more assets than this: it bounds the work
 * and storage one submission can cause. */
#define L2W_VECTOR_MAX_ASSETS 64
/* Signatures are r || s || v. */
#define L2W_VECTOR_SIG_LEN 65

/* Balance in Types.sol: amounts and payees, [alice, bob]. */
typedef struct {
    l2w_u256 amount[2];
    l2w_addr to[2];
} l2w_vector_balance;

/* ICMCAdjudicator.CoreChannelState, fields in the struct's order. The five
 * per-asset arrays have n_assets entries each (the contract does not check
 * this, Vector's off-chain code keeps them in step, and the intake insists). */
typedef struct {
    l2w_addr channel_address;
    l2w_addr alice;
    l2w_addr bob;
    size_t n_assets;
    l2w_addr *asset_ids;
    l2w_vector_balance *balances;
    l2w_u256 *processed_deposits_a;
    l2w_u256 *processed_deposits_b;
    l2w_u256 *defund_nonces;
    l2w_u256 timeout;
    l2w_u256 nonce;
    l2w_hash merkle_root;
} l2w_vector_state;

/* Zeroes *s and gives it n_assets zeroed entries in every array (none for
 * 0). L2W_ERR_RANGE above L2W_VECTOR_MAX_ASSETS. On failure *s is zeroed. */
L2W_MUST_CHECK l2w_status l2w_vector_state_alloc(l2w_vector_state *s, size_t n_assets, l2w_err *err);
/* Frees the arrays and zeroes *s; NULL and a zeroed state are no-ops. */
void l2w_vector_state_free(l2w_vector_state *s);
/* Deep equality. */
bool l2w_vector_state_eq(const l2w_vector_state *a, const l2w_vector_state *b);

/* keccak256(abi.encode(ccs)), as CMCAdjudicator.hashChannelState. */
L2W_MUST_CHECK l2w_status l2w_vector_state_hash(l2w_hash *out, const l2w_vector_state *s, l2w_err *err);
/* keccak256(abi.encode(uint8(CommitmentType.ChannelState), state_hash)). */
void l2w_vector_commitment(l2w_hash *out, const l2w_hash *state_hash);
/* keccak256("\x16Vector Signed Message:\n32" || commitment)
 * (LibChannelCrypto.toChannelSignedMessage). */
void l2w_vector_signed_digest(l2w_hash *out, const l2w_hash *commitment);
/* The three above in a row: what alice and bob sign for s. */
L2W_MUST_CHECK l2w_status l2w_vector_state_digest(l2w_hash *out, const l2w_vector_state *s, l2w_err *err);

/* Why a signature was refused, in the order the contract checks. */
typedef enum {
    L2W_VECTOR_SIG_OK = 0,
    L2W_VECTOR_SIG_LENGTH,        /* not 65 bytes */
    L2W_VECTOR_SIG_HIGH_S,        /* s > n/2: the malleable twin OpenZeppelin refuses */
    L2W_VECTOR_SIG_BAD_V,         /* v is neither 27 nor 28 */
    L2W_VECTOR_SIG_UNRECOVERABLE, /* ecrecover would answer the zero address: r or s zero or >= n, no point */
    L2W_VECTOR_SIG_WRONG_SIGNER,  /* recovers to an address other than the party's */
} l2w_vector_sig_fault;

/* Which signature failed and how; filled by l2w_vector_verify. */
typedef struct {
    l2w_vector_sig_fault fault;
    int party;          /* 0 alice, 1 bob; -1 when fault is OK */
    l2w_addr recovered; /* WRONG_SIGNER: the address the signature recovers to */
} l2w_vector_verdict;

/* Checks both signatures over s as disputeChannel does (alice's first).
 * L2W_OK when both recover to their party. Otherwise L2W_ERR_INVALID, with
 * err naming the party and the reason ("bob signature: recovers to
 * 0x... (alice), not bob 0x...") and *verdict (NULL allowed) saying the
 * same as values. Other statuses (L2W_ERR_NOMEM) come from hashing. */
L2W_MUST_CHECK l2w_status l2w_vector_verify(l2w_vector_verdict *verdict, const l2w_vector_state *s,
                                            const uint8_t *alice_sig, size_t alice_sig_len, const uint8_t *bob_sig,
                                            size_t bob_sig_len, l2w_err *err);

/* The intake's JSON for a state:
 *   {"channelAddress", "alice", "bob", "assetIds": [address...],
 *    "balances": [{"amount": [a, b], "to": [x, y]}...],
 *    "processedDepositsA": [...], "processedDepositsB": [...], "defundNonces": [...],
 *    "timeout", "nonce", "merkleRoot"}
 * Every field required and no others. Numbers are decimal strings, 0x hex
 * quantities (1 to 64 digits) or non-negative JSON integers; addresses 0x +
 * 40 hex digits (any case, no checksum check); merkleRoot 0x + 64 hex
 * digits. The five per-asset arrays have the same length, at most
 * L2W_VECTOR_MAX_ASSETS. Errors are L2W_ERR_INVALID naming the field from
 * the root "state" ("state.balances[1].amount[0]: ..."). On success *s owns
 * new arrays; on failure *s is zeroed. */
L2W_MUST_CHECK l2w_status l2w_vector_state_from_json(l2w_vector_state *s, const json_t *json, l2w_err *err);
/* The same form back: numbers as decimal strings, hex in lowercase, so
 * from_json(to_json(s)) equals s. L2W_ERR_NOMEM is the only failure. */
L2W_MUST_CHECK l2w_status l2w_vector_state_to_json(json_t **out, const l2w_vector_state *s, l2w_err *err);

/* Calldata for disputeChannel(CoreChannelState,bytes,bytes) into a malloc'd
 * buffer. Signatures must be 65 bytes (L2W_ERR_INVALID otherwise); they are
 * not checked against the state here (l2w_vector_verify does that). */
L2W_MUST_CHECK l2w_status l2w_vector_dispute_calldata(uint8_t **out, size_t *out_len, const l2w_vector_state *s,
                                                      const uint8_t *alice_sig, size_t alice_sig_len,
                                                      const uint8_t *bob_sig, size_t bob_sig_len, l2w_err *err);

/* ICMCAdjudicator.ChannelDispute. */
typedef struct {
    l2w_hash channel_state_hash;
    l2w_u256 nonce;
    l2w_hash merkle_root;
    l2w_u256 consensus_expiry;
    l2w_u256 defund_expiry;
} l2w_vector_dispute;

/* What a ChannelDisputed log says. The state is summarised (a dispute must
 * be answered whatever shape its arrays have, so they are not copied). */
typedef struct {
    l2w_addr disputer;
    l2w_addr channel_address; /* the disputed state's fields */
    l2w_addr alice;
    l2w_addr bob;
    size_t n_assets;          /* length of its assetIds */
    l2w_u256 timeout;
    l2w_u256 nonce;
    l2w_hash merkle_root;
    l2w_hash state_hash;      /* hashChannelState of the state in the log */
    l2w_vector_dispute dispute;
} l2w_vector_disputed;

/* The canonical signature of ChannelDisputed(address disputer,
 * CoreChannelState state, ChannelDispute dispute) (no indexed parameter),
 * and its topic0. */
extern const char l2w_vector_channel_disputed_signature[];
void l2w_vector_channel_disputed_topic(l2w_hash *out);

/* Decodes a ChannelDisputed log: topics must be exactly [topic0], data the
 * ABI encoding of (disputer, state, dispute). Anything else (another event,
 * truncated or garbage data, offsets out of range) is L2W_ERR_PROTOCOL with
 * the reason; never reads past data_len. Other statuses: L2W_ERR_NOMEM. */
L2W_MUST_CHECK l2w_status l2w_vector_decode_disputed(l2w_vector_disputed *out, const l2w_hash *topics,
                                                     size_t n_topics, const uint8_t *data, size_t data_len,
                                                     l2w_err *err);

#endif
