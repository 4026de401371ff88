#ifndef L2W_COLLECTOR_BEACON_BLOBS_H
#define L2W_COLLECTOR_BEACON_BLOBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collector/da_fetch.h"
#include "core/eth_types.h"
#include "core/status.h"

/* EIP-4844 blob sidecars from a beacon node's REST API:
 *   GET <base>/eth/v1/beacon/blob_sidecars/{block_id}
 * answers {"data": [{"index", "blob", "kzg_commitment", "kzg_proof",
 * "signed_block_header", "kzg_commitment_inclusion_proof"}, ...]} plus, from
 * newer nodes, "version", "execution_optimistic" and "finalized".
 *
 * What is checked, and what is not. Each sidecar's versioned hash is
 * computed from its kzg_commitment (0x01 ++ sha256(commitment)[1..31]) and
 * compared with the hashes the type-3 transaction lists: that shows the blob
 * a transaction committed to exists and is served. The blob bytes are NOT
 * checked against the KZG commitment: that needs a KZG library and the
 * trusted setup, which l2watch does not carry. This is acceptable because a
 * beacon node verifies every sidecar's KZG proof (and its commitment's
 * inclusion proof in the block) before accepting it from gossip or storing
 * it, so a sidecar served by a node we chose to trust is one it verified;
 * l2watch's question is whether the data exists and matches the
 * transaction's commitment, not whether the node lies about its own store.
 *
 * Which block. block_id is a slot number or a beacon block root. An
 * execution block's parentBeaconBlockRoot (EIP-4788) is the root of the
 * PREVIOUS beacon block, not of the block carrying it, so asking by that
 * root returns the wrong block's sidecars. Ask by slot instead:
 *   slot = (execution block timestamp - genesis_time) / seconds_per_slot
 * (l2w_beacon_slot_at; genesis_time from GET /eth/v1/beacon/genesis,
 * seconds_per_slot 12 on Ethereum mainnet and its public testnets, also in
 * GET /eth/v1/config/spec as SECONDS_PER_SLOT). Then cross-check: the
 * sidecars' signed_block_header.message.parent_root must equal the execution
 * block's parentBeaconBlockRoot; a mismatch means the node's block at that
 * slot is not the one carrying our execution block (a reorg, or a node on
 * another fork).
 *
 * Availability over time: beacon nodes keep sidecars for
 * MIN_EPOCHS_FOR_BLOB_SIDECARS_REQUESTS (4096 epochs, about 18 days) and
 * then prune them; a slot with no block answers 404. The endpoint is
 * deprecated from Fulu (PeerDAS), where nodes store data columns and only
 * supernodes can rebuild every blob; GET /eth/v1/beacon/blobs/{block_id}
 * replaces it. */

enum {
    L2W_BLOB_BYTES = 131072, /* 4096 field elements of 32 bytes */
    L2W_KZG_PROOF_LEN = 48,
    /* The JSON of one sidecar: the blob's 2 + 262144 hex digits plus the rest
     * (commitment, proof, header, 17-hash inclusion proof: about 2.5 KiB). */
    L2W_BEACON_SIDECAR_JSON_MAX = 2 + 2 * L2W_BLOB_BYTES + 4096,
};

/* A cap for an answer of up to max_blobs sidecars, with 4 KiB for the
 * envelope. Deneb allows 6 blobs a block, Electra (Pectra) 9, and Fulu's
 * blob-parameter-only forks raise the maximum further: size it for the chain
 * watched, e.g. l2w_beacon_sidecars_cap(9) is about 2.3 MiB. */
static inline size_t l2w_beacon_sidecars_cap(size_t max_blobs)
{
    return max_blobs * (size_t)L2W_BEACON_SIDECAR_JSON_MAX + 4096;
}

typedef struct {
    uint64_t index;                       /* position in the block's blob list */
    uint8_t kzg_commitment[48];
    uint8_t kzg_proof[L2W_KZG_PROOF_LEN];
    l2w_hash versioned_hash;              /* computed from kzg_commitment */
    uint8_t *blob;                        /* L2W_BLOB_BYTES, owned by the set */
} l2w_beacon_sidecar;

typedef struct {
    l2w_beacon_sidecar *items; /* n of them, in the answer's order (the API promises none) */
    size_t n;
    /* From signed_block_header.message, the same in every sidecar (checked).
     * Meaningless when n == 0: a block without blobs has no sidecar to say. */
    uint64_t slot;
    l2w_hash parent_root;
    bool execution_optimistic; /* false when the field is absent */
    bool finalized;            /* false when the field is absent */
} l2w_beacon_sidecars;

#define L2W_BEACON_SIDECARS_INIT {NULL, 0, 0, {{0}}, false, false}

/* Parses a blob_sidecars answer strictly: duplicate keys, a missing or
 * mistyped field, a hex string of the wrong length, a duplicate index,
 * sidecars from different blocks, or more entries than an answer of len bytes
 * could hold (refused before allocating for them) are L2W_ERR_PROTOCOL, with err naming the
 * field ("data[2].kzg_commitment: ..."). Unknown extra fields are allowed (the
 * API adds fields over time). On success *out owns its items and blobs (free
 * with l2w_beacon_sidecars_free); on failure *out is empty. */
L2W_MUST_CHECK l2w_status l2w_beacon_parse_sidecars(l2w_beacon_sidecars *out, const char *json, size_t len,
                                                    l2w_err *err);
void l2w_beacon_sidecars_free(l2w_beacon_sidecars *set); /* leaves it empty; NULL is fine */

/* The sidecar whose versioned hash is h, or NULL. */
const l2w_beacon_sidecar *l2w_beacon_sidecars_find(const l2w_beacon_sidecars *set, const l2w_hash *h);

/* For each of the n_wanted versioned hashes a transaction lists,
 * present[i] says whether a sidecar has it. Returns how many are missing. */
size_t l2w_beacon_sidecars_match(const l2w_beacon_sidecars *set, bool *present, const l2w_hash *wanted,
                                 size_t n_wanted);

/* data.genesis_time of a GET /eth/v1/beacon/genesis answer (a decimal
 * string, as the beacon API writes every uint64). */
L2W_MUST_CHECK l2w_status l2w_beacon_parse_genesis_time(uint64_t *out, const char *json, size_t len, l2w_err *err);

/* slot = (timestamp - genesis_time) / seconds_per_slot. Execution block
 * timestamps fall exactly on slot starts, so a timestamp before genesis or
 * between two slot starts means the wrong genesis or slot length for this
 * chain: L2W_ERR_INVALID. seconds_per_slot 0 is L2W_ERR_INVALID. */
L2W_MUST_CHECK l2w_status l2w_beacon_slot_at(uint64_t *slot, uint64_t timestamp, uint64_t genesis_time,
                                             uint32_t seconds_per_slot, l2w_err *err);

/* ------------------------------------------------------------- fetching */

/* GET the sidecars of the block at slot (by_slot) or with block root root
 * (by_root) from one beacon node, capped by lim (l2w_beacon_sidecars_cap),
 * and parse them. Returns:
 *   L2W_OK              *out filled (it may hold zero sidecars: a block without blobs)
 *   L2W_ERR_NOT_FOUND   404: no block at that slot, an unknown root, or pruned
 *   L2W_ERR_TIMEOUT     no complete answer in time
 *   L2W_ERR_RANGE       the answer went past lim->max_bytes
 *   L2W_ERR_IO          another status, or no HTTP answer at all
 *   L2W_ERR_PROTOCOL    200 with an answer that is not a valid sidecar list
 *   L2W_ERR_INVALID, L2W_ERR_NOMEM  our side: a bad base URL or limits, memory
 * err always names the server (shown without path or credentials). */
L2W_MUST_CHECK l2w_status l2w_beacon_get_sidecars_by_slot(l2w_da_http *http, l2w_beacon_sidecars *out,
                                                          const char *base, uint64_t slot, const l2w_da_limits *lim,
                                                          l2w_err *err);
L2W_MUST_CHECK l2w_status l2w_beacon_get_sidecars_by_root(l2w_da_http *http, l2w_beacon_sidecars *out,
                                                          const char *base, const l2w_hash *root,
                                                          const l2w_da_limits *lim, l2w_err *err);

/* GET /eth/v1/beacon/genesis and parse genesis_time; the answer is small,
 * so the cap used is the smaller of lim->max_bytes and 64 KiB. Same
 * statuses as the sidecar fetch. */
L2W_MUST_CHECK l2w_status l2w_beacon_get_genesis_time(l2w_da_http *http, uint64_t *genesis_time, const char *base,
                                                      const l2w_da_limits *lim, l2w_err *err);

#endif
