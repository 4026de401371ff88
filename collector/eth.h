#ifndef L2W_COLLECTOR_ETH_H
#define L2W_COLLECTOR_ETH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collector/rpc.h"
#include "core/eth_types.h"
#include "core/mpt.h"
#include "core/status.h"
#include "core/u256.h"

/* Typed Ethereum JSON-RPC reads. Every answer is validated: a node that
 * answers for the wrong block, or with malformed fields, is a protocol error,
 * never a value that reaches a detector. */

typedef struct {
    uint64_t number;
    l2w_hash hash;
    l2w_hash parent_hash;
    l2w_hash state_root;
    uint64_t timestamp;
} l2w_block_header;

#define L2W_LOG_MAX_TOPICS 4
#define L2W_LOG_MAX_DATA (1024 * 1024)

typedef struct {
    uint64_t block_number;
    l2w_hash block_hash;
    l2w_hash tx_hash;
    uint32_t log_index;
    l2w_addr address;
    l2w_hash topics[L2W_LOG_MAX_TOPICS];
    size_t n_topics;
    uint8_t *data; /* owned; freed by l2w_logs_free */
    size_t data_len;
} l2w_evm_log;

/* A call whose answer is one QUANTITY (params stolen, NULL = []). */
L2W_MUST_CHECK l2w_status l2w_eth_quantity_call(l2w_rpc *rpc, const char *method, json_t *params, uint64_t *out,
                                                l2w_err *err);
L2W_MUST_CHECK l2w_status l2w_eth_chain_id(l2w_rpc *rpc, uint64_t *out, l2w_err *err);
L2W_MUST_CHECK l2w_status l2w_eth_block_number(l2w_rpc *rpc, uint64_t *out, l2w_err *err);
/* L2W_ERR_NOT_FOUND if the node does not have the block. */
L2W_MUST_CHECK l2w_status l2w_eth_header_by_number(l2w_rpc *rpc, uint64_t number, l2w_block_header *out,
                                                   l2w_err *err);
/* An eth_getBlockByNumber answer (obj borrowed) checked to be block
 * expect_number: JSON null is L2W_ERR_NOT_FOUND, a malformed or wrong block
 * L2W_ERR_PROTOCOL. */
L2W_MUST_CHECK l2w_status l2w_eth_parse_header(const json_t *obj, uint64_t expect_number, l2w_block_header *out,
                                               l2w_err *err);
/* Headers first..first+count-1 in one batch request. */
L2W_MUST_CHECK l2w_status l2w_eth_headers(l2w_rpc *rpc, uint64_t first, size_t count, l2w_block_header *out,
                                          l2w_err *err);
/* Headers of blocks numbers[0..count) (any order) into out[0..count), in
 * batches of at most L2W_ETH_HEADERS_PER_BATCH requests. */
#define L2W_ETH_HEADERS_PER_BATCH 500
L2W_MUST_CHECK l2w_status l2w_eth_headers_at(l2w_rpc *rpc, const uint64_t *numbers, size_t count,
                                             l2w_block_header *out, l2w_err *err);
/* ---- eth_getProof, checked (collector/eth_proof.c) ----
 * The block is named by hash (EIP-1898), and every value is taken from the
 * proofs checked against header->state_root, never from the node's summary
 * fields; a summary that disagrees with the proofs, a proof for another
 * account or slot, or a proof that does not verify is L2W_ERR_PROTOCOL with
 * err naming the proof and node index. */

#define L2W_ETH_MAX_PROOF_SLOTS 256

/* The account's storage root at the block (the empty trie's root for an
 * account that does not exist). */
L2W_MUST_CHECK l2w_status l2w_eth_storage_hash(l2w_rpc *rpc, const l2w_addr *account,
                                               const l2w_block_header *header, l2w_hash *out, l2w_err *err);
/* The account (absent = the empty account, exists = false) and the values
 * of n_slots storage slots into values[0..n_slots) (absent = 0). slots and
 * values may be NULL when n_slots is 0. */
L2W_MUST_CHECK l2w_status l2w_eth_get_proof(l2w_rpc *rpc, const l2w_addr *account, const l2w_hash *slots,
                                            size_t n_slots, const l2w_block_header *header,
                                            l2w_mpt_account *account_out, l2w_u256 *values, l2w_err *err);
/* The same checks on an eth_getProof answer already in hand (for tools and
 * tests that fetch or alter it themselves). */
L2W_MUST_CHECK l2w_status l2w_eth_check_proof(const json_t *result, const l2w_addr *account, const l2w_hash *slots,
                                              size_t n_slots, const l2w_hash *state_root,
                                              l2w_mpt_account *account_out, l2w_u256 *values, l2w_err *err);
/* eth_getProof's params for those slots at the block with this hash; a new
 * reference, NULL on allocation failure. */
json_t *l2w_eth_proof_params(const l2w_addr *account, const l2w_hash *slots, size_t n_slots,
                             const l2w_hash *block_hash);
/* Logs in [from, to] emitted by any of addresses with topic0 in topic0s.
 * *out is an array of *n_out logs freed with l2w_logs_free. Logs flagged
 * "removed" are refused (the caller retries on the new chain). More logs
 * than one call may return is L2W_ERR_RANGE. */
L2W_MUST_CHECK l2w_status l2w_eth_get_logs(l2w_rpc *rpc, uint64_t from, uint64_t to, const l2w_addr *addresses,
                                           size_t n_addresses, const l2w_hash *topic0s, size_t n_topic0s,
                                           l2w_evm_log **out, size_t *n_out, l2w_err *err);
void l2w_logs_free(l2w_evm_log *logs, size_t n);
/* More logs than one eth_getLogs answer may hold: L2W_ERR_RANGE. */
#define L2W_ETH_MAX_LOGS_PER_CALL 100000
/* The logs of an eth_getLogs result already parsed (res borrowed), checked
 * as l2w_eth_get_logs checks them; err without the endpoint's name. */
L2W_MUST_CHECK l2w_status l2w_eth_logs_from_json(const json_t *res, uint64_t from, uint64_t to, l2w_evm_log **out,
                                                 size_t *n_out, l2w_err *err);

/* An eth_getLogs filter: blocks from..to, emitted by any of addresses with
 * topic0 in topic0s. */
typedef struct {
    uint64_t from, to;
    const l2w_addr *addresses;
    size_t n_addresses;
    const l2w_hash *topic0s;
    size_t n_topic0s;
} l2w_log_filter;

/* Headers of numbers[0..count) (count may be 0) into headers[0..count) and,
 * when filter is not NULL, the logs it selects, the eth_getLogs riding in
 * the first batch of headers: one round trip where catch-up, which reads
 * one range's headers while it asks for the next range's logs, would pay
 * two. The return value is the headers' status (a batch that failed as a
 * whole included). The logs' outcome is apart, since a provider may refuse
 * the range and still answer the headers: *logs_st with logs_err, L2W_OK
 * with *logs and *n_logs as l2w_eth_get_logs gives them, or its failure
 * (also set when the first batch failed as a whole). */
L2W_MUST_CHECK l2w_status l2w_eth_headers_and_logs(l2w_rpc *rpc, const uint64_t *numbers, size_t count,
                                                   l2w_block_header *headers, const l2w_log_filter *filter,
                                                   l2w_evm_log **logs, size_t *n_logs, l2w_status *logs_st,
                                                   l2w_err *logs_err, l2w_err *err);
/* True when a failed l2w_eth_get_logs was the provider refusing the range as
 * too large: too many results, too many blocks, an answer over the size
 * cap, or a timeout. A narrower range may then succeed. */
bool l2w_eth_logs_range_refused(l2w_status st, const l2w_err *err);

#endif
