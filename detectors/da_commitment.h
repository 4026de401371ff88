#ifndef L2W_DETECTORS_DA_COMMITMENT_H
#define L2W_DETECTORS_DA_COMMITMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/eth_types.h"
#include "core/status.h"

/* Data-availability commitments, pure decoding (no I/O, no allocation).
 *
 * OP Stack batcher transactions (specs.optimism.io, protocol/derivation
 * "batcher transaction format" and experimental/alt-da) start their calldata
 * with a derivation version byte:
 *
 *   0x00  ordinary channel frames follow: the data is on L1 itself.
 *   0x01  Alt-DA: an encoded commitment follows, commitment_type ++ bytes:
 *           type 0x00  keccak256(input): exactly 32 bytes, so the encoded
 *                      commitment is 33 bytes. This 33-byte form (type byte
 *                      included) is what DataAvailabilityChallenge.challenge
 *                      and .resolve take, what ChallengeStatusChanged indexes,
 *                      and what the DA server's URL carries.
 *           type 0x01  generic ("da-service"): da_layer_byte ++ payload, opaque
 *                      to the OP Stack; only the DA layer's own server can
 *                      check data against it.
 *         op-node's decoder knows these two types only: any other type byte,
 *         a keccak commitment of another length, or a type byte with nothing
 *         after it is skipped by derivation as an invalid commitment.
 *   other op-node hands the data to the frame decoder, which drops it.
 *
 * The input the keccak commits to is what the DA server stores and serves:
 * the batch data including its own leading derivation version byte 0x00.
 *
 * A type-3 (blob) batcher transaction usually has empty calldata; its data is
 * in blobs (see collector/beacon_blobs.h), so a caller decodes calldata only
 * for transactions that carry their data in calldata. */

enum {
    L2W_DA_DERIVATION_FRAMES = 0x00, /* derivation version 0: frames */
    L2W_DA_DERIVATION_ALT_DA = 0x01, /* derivation version 1: a commitment */
    L2W_DA_COMMITMENT_KECCAK = 0x00, /* commitment type byte */
    L2W_DA_COMMITMENT_GENERIC = 0x01,
    L2W_DA_KECCAK_COMMITMENT_LEN = 33, /* type byte + 32-byte hash */
    L2W_KZG_COMMITMENT_LEN = 48,
    L2W_BLOB_VERSIONED_HASH_VERSION_KZG = 0x01, /* EIP-4844 VERSIONED_HASH_VERSION_KZG */
};

/* Alt-DA inputs behind a keccak commitment longer than this are skipped by
 * derivation (131072, geth's largest transaction, less 400 bytes of
 * overhead): a challenge must be resolvable in one L1 transaction. Generic
 * commitments are exempt. */
#define L2W_DA_MAX_KECCAK_INPUT 130672u

typedef enum {
    L2W_DA_KIND_FRAMES,          /* version 0x00: frames on L1, nothing to fetch */
    L2W_DA_KIND_KECCAK,          /* version 0x01, type 0x00, 32-byte hash */
    L2W_DA_KIND_GENERIC,         /* version 0x01, type 0x01, at least the da-layer byte */
    L2W_DA_KIND_UNKNOWN_VERSION, /* a version byte other than 0x00/0x01 */
    L2W_DA_KIND_MALFORMED,       /* empty, or version 0x01 with a commitment op-node rejects */
} l2w_da_kind;

typedef struct {
    l2w_da_kind kind;
    /* KECCAK and GENERIC: the encoded commitment (type byte included), a
     * pointer INTO the calldata given to l2w_da_decode_calldata: valid only as
     * long as that buffer is. NULL and 0 for the other kinds. */
    const uint8_t *encoded;
    size_t encoded_len;
    l2w_hash keccak;  /* KECCAK: the committed hash (encoded[1..32]) */
    uint8_t da_layer; /* GENERIC: the DA layer byte (encoded[1]). The spec asks
                         for [0, 127) but op-node does not enforce it, so
                         neither does this decoder. */
    uint8_t version;  /* the derivation version byte (0 when calldata is empty) */
    const char *why;  /* MALFORMED and UNKNOWN_VERSION: a static reason; else NULL */
} l2w_da_calldata;

/* Classifies batcher calldata. Never fails: malformed input is a kind, not an
 * error, because a batcher posting garbage is an observation worth keeping. */
void l2w_da_decode_calldata(l2w_da_calldata *out, const uint8_t *calldata, size_t len);

const char *l2w_da_kind_name(l2w_da_kind kind);

/* True when commitment33 is a keccak commitment (type byte 0x00) of data. */
bool l2w_da_keccak_matches(const uint8_t commitment33[L2W_DA_KECCAK_COMMITMENT_LEN], const uint8_t *data,
                           size_t len);

/* The path a DA server serves an encoded commitment under, as op-node's
 * client asks for it: "/get/0x" + lowercase hex of the encoded commitment
 * (type byte included) + NUL. l2w_da_get_path_size(len) is the buffer size
 * needed; L2W_ERR_RANGE when out_cap is smaller (out is then ""). */
static inline size_t l2w_da_get_path_size(size_t encoded_len)
{
    return sizeof "/get/0x" - 1 + 2 * encoded_len + 1;
}
L2W_MUST_CHECK l2w_status l2w_da_get_path(char *out, size_t out_cap, const uint8_t *encoded, size_t encoded_len);

/* EIP-4844 versioned hash of a KZG commitment:
 * 0x01 ++ sha256(commitment)[1..31], what a type-3 transaction lists in
 * blob_versioned_hashes and what the BLOBHASH opcode returns. */
void l2w_da_blob_versioned_hash(l2w_hash *out, const uint8_t commitment[L2W_KZG_COMMITMENT_LEN]);

#endif
