#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/da_guard_internal.h"
#include "collector/chain_store.h"
#include "collector/eth.h"
#include "collector/eth_block_txs.h"
#include "core/abi.h"
#include "core/hex.h"
#include "core/log.h"
#include "detectors/da_commitment.h"

/* Full blocks are large (hundreds of kB of JSON on a busy L1): a batch of
 * this many stays well under the RPC answer cap. */
#define SCAN_BLOCKS 16

static l2w_status read_next_block(da_ctx *c, l2w_db *db, bool *has, uint64_t *next, l2w_err *err)
{
    const char *params[] = {c->da->chain};
    PGresult *res;
    l2w_status st = l2w_db_exec(db, &res, "SELECT next_block FROM da_scan WHERE chain = $1", 1, params, err);
    if (st != L2W_OK)
        return st;
    *has = PQntuples(res) == 1;
    if (*has)
        *next = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return L2W_OK;
}

/* Where a scan with no checkpoint starts: the entry's start_block, else the
 * L1's, else the follower's checkpoint (watch from now on). */
static l2w_status first_block(da_ctx *c, bool has_synced, uint64_t synced, bool *ready, uint64_t *out)
{
    *ready = true;
    if (c->da->has_start_block)
        *out = c->da->start_block;
    else if (c->l1->has_start_block)
        *out = c->l1->start_block;
    else if (has_synced)
        *out = synced;
    else
        *ready = false;
    return L2W_OK;
}

/* h holds consecutive blocks from h[0].number. */
static const l2w_block_header *header_at(const l2w_block_header *h, size_t n, uint64_t number)
{
    return number >= h[0].number && number - h[0].number < n ? &h[number - h[0].number] : NULL;
}

/* The follower's headers for the blocks read: one that differs means the
 * chain reorganised under the scan, and the follower's unwind must run
 * first. */
static l2w_status agrees_with_follower(da_ctx *c, l2w_db *db, const l2w_block_header *h, size_t n, bool *agrees,
                                       l2w_err *err)
{
    char from[24], to[24];
    snprintf(from, sizeof from, "%llu", (unsigned long long)h[0].number);
    snprintf(to, sizeof to, "%llu", (unsigned long long)h[n - 1].number);
    const char *params[] = {c->l1->name, from, to};
    PGresult *res;
    l2w_status st = l2w_db_exec(db, &res,
                                "SELECT number, hash FROM blocks WHERE chain = $1 AND number BETWEEN $2::bigint AND "
                                "$3::bigint",
                                3, params, err);
    if (st != L2W_OK)
        return st;
    *agrees = true;
    for (int i = 0; i < PQntuples(res) && *agrees; i++) {
        uint64_t number = strtoull(PQgetvalue(res, i, 0), NULL, 10);
        l2w_hash stored;
        if (l2w_db_bytea_parse(stored.b, 32, PQgetvalue(res, i, 1)) != L2W_OK) {
            l2w_err_set(err, "blocks: malformed hash at %llu", (unsigned long long)number);
            st = L2W_ERR_DB;
            break;
        }
        const l2w_block_header *mine = header_at(h, n, number);
        *agrees = !mine || l2w_hash_eq(&mine->hash, &stored);
    }
    PQclear(res);
    return st;
}

static l2w_status insert_commitment(da_ctx *c, l2w_db *db, const l2w_inbox_tx *tx, const char *kind,
                                    const uint8_t *commitment, size_t len, uint32_t blob_index, l2w_err *err)
{
    char block[24], ts[24], index[16], bidx[16], hash[2 * 32 + 3], txh[2 * 32 + 3], com[2 * 33 + 3];
    snprintf(block, sizeof block, "%llu", (unsigned long long)tx->block_number);
    snprintf(ts, sizeof ts, "%llu", (unsigned long long)tx->block_timestamp);
    snprintf(index, sizeof index, "%u", (unsigned)tx->tx_index);
    snprintf(bidx, sizeof bidx, "%u", (unsigned)blob_index);
    l2w_db_bytea_text(hash, tx->block_hash.b, 32);
    l2w_db_bytea_text(txh, tx->tx_hash.b, 32);
    l2w_db_bytea_text(com, commitment, len);
    const char *params[] = {c->da->chain, c->l1->name, block, hash, ts, txh, index, kind, com, bidx};
    return l2w_db_exec(db, NULL,
                       "INSERT INTO da_commitments (chain, l1_chain, block_number, block_hash, block_timestamp, "
                       "tx_hash, tx_index, kind, commitment, blob_index) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
                       "$10) ON CONFLICT (l1_chain, tx_hash, kind, blob_index) DO NOTHING",
                       10, params, err);
}

static l2w_status insert_liveness(da_ctx *c, l2w_db *db, const l2w_inbox_tx *tx, l2w_err *err)
{
    char block[24], ts[24];
    snprintf(block, sizeof block, "%llu", (unsigned long long)tx->block_number);
    snprintf(ts, sizeof ts, "%llu", (unsigned long long)tx->block_timestamp);
    const char *params[] = {c->da->chain, ts, c->l1->name, block};
    /* Two postings in one block (or one second) are one liveness event. */
    return l2w_db_exec(db, NULL,
                       "INSERT INTO liveness_events (chain, kind, ts, l1_chain, block_number) "
                       "VALUES ($1, 'batches', $2, $3, $4) ON CONFLICT (chain, kind, ts) DO NOTHING",
                       4, params, err);
}

/* One batcher transaction: its commitments, and a liveness event whatever
 * it carries (frames on L1 are a posting too). */
static l2w_status store_posting(da_ctx *c, l2w_db *db, const l2w_inbox_tx *tx, l2w_err *err)
{
    l2w_status st = insert_liveness(c, db, tx, err);
    if (st != L2W_OK)
        return st;
    l2w_counter_add(c->postings, 1);
    l2w_gauge_set(c->last_posting, (double)tx->block_timestamp);
    char txh[L2W_HASH_HEX_LEN];
    l2w_hash_to_hex(txh, &tx->tx_hash);
    if (tx->type == 3) {
        if (c->da->n_beacon_urls == 0)
            return L2W_OK;
        for (size_t i = 0; st == L2W_OK && i < tx->n_blobs; i++)
            st = insert_commitment(c, db, tx, "blob", tx->blob_hashes[i].b, 32, (uint32_t)i, err);
        return st;
    }
    l2w_da_calldata d;
    l2w_da_decode_calldata(&d, tx->input, tx->input_len);
    switch (d.kind) {
    case L2W_DA_KIND_FRAMES:
        return L2W_OK;
    case L2W_DA_KIND_KECCAK:
        if (c->da->n_servers == 0)
            return L2W_OK;
        return insert_commitment(c, db, tx, "keccak", d.encoded, d.encoded_len, 0, err);
    case L2W_DA_KIND_GENERIC:
        /* Opaque to the OP Stack: only the DA layer's own client can check
         * it, and the challenge contract does not take it. */
        L2W_DEBUG("da", c->da->chain, "tx %s: generic commitment (DA layer 0x%02x): not checked", txh, d.da_layer);
        return L2W_OK;
    case L2W_DA_KIND_UNKNOWN_VERSION:
    case L2W_DA_KIND_MALFORMED:
        L2W_UNUSUAL("da", c->da->chain, "tx %s in block %llu: the batcher posted data op-node skips: %s", txh,
                    (unsigned long long)tx->block_number, d.why ? d.why : "?");
        return L2W_OK;
    }
    return L2W_OK;
}

static l2w_status store_challenge_event(da_ctx *c, l2w_db *db, const l2w_evm_log *log, l2w_err *err)
{
    uint64_t challenged;
    uint8_t *commitment = NULL;
    size_t len = 0;
    l2w_dac_status status;
    l2w_status st = l2w_dac_decode_status_event(log, &challenged, &commitment, &len, &status, err);
    if (st == L2W_ERR_PROTOCOL) {
        /* The contract is configured; a log it cannot have emitted is the
         * node's fault or a wrong address, never a reason to stop the scan. */
        L2W_UNUSUAL("da", c->da->chain, "ChallengeStatusChanged in block %llu skipped: %s",
                    (unsigned long long)log->block_number, err->msg);
        return L2W_OK;
    }
    if (st != L2W_OK)
        return st;
    char block[24], index[16], chal[24], status_text[4], hash[2 * 32 + 3], txh[2 * 32 + 3], contract[2 * 20 + 3];
    snprintf(block, sizeof block, "%llu", (unsigned long long)log->block_number);
    snprintf(index, sizeof index, "%u", (unsigned)log->log_index);
    snprintf(chal, sizeof chal, "%llu", (unsigned long long)challenged);
    snprintf(status_text, sizeof status_text, "%d", (int)status);
    l2w_db_bytea_text(hash, log->block_hash.b, 32);
    l2w_db_bytea_text(txh, log->tx_hash.b, 32);
    l2w_db_bytea_text(contract, log->address.b, 20);
    char *com = l2w_db_bytea_text_alloc(commitment, len);
    free(commitment);
    if (!com) {
        l2w_err_set(err, "da: out of memory");
        return L2W_ERR_NOMEM;
    }
    const char *params[] = {c->l1->name, block, hash, index, txh, contract, chal, com, status_text};
    st = l2w_db_exec(db, NULL,
                     "INSERT INTO da_challenge_events (l1_chain, block_number, block_hash, log_index, tx_hash, "
                     "contract, challenged_block, commitment, status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
                     "ON CONFLICT DO NOTHING",
                     9, params, err);
    free(com);
    return st;
}

static l2w_status save_next(da_ctx *c, l2w_db *db, uint64_t next, l2w_err *err)
{
    char n[24];
    snprintf(n, sizeof n, "%llu", (unsigned long long)next);
    const char *params[] = {c->da->chain, c->l1->name, n};
    return l2w_db_exec(db, NULL,
                       "INSERT INTO da_scan (chain, l1_chain, next_block) VALUES ($1, $2, $3) "
                       "ON CONFLICT (chain) DO UPDATE SET next_block = $3, l1_chain = $2, updated_at = now()",
                       3, params, err);
}

static l2w_status challenge_logs(da_ctx *c, uint64_t from, uint64_t to, const l2w_block_header *h, size_t n,
                                 l2w_evm_log **logs, size_t *n_logs, l2w_err *err)
{
    *logs = NULL;
    *n_logs = 0;
    if (!c->da->has_challenge_contract)
        return L2W_OK;
    l2w_hash topic;
    l2w_status st = l2w_abi_event_topic(&topic, L2W_DAC_STATUS_EVENT, err);
    if (st == L2W_OK)
        st = l2w_eth_get_logs(c->rpc, from, to, &c->da->challenge_contract, 1, &topic, 1, logs, n_logs, err);
    for (size_t i = 0; st == L2W_OK && i < *n_logs; i++) {
        const l2w_block_header *b = header_at(h, n, (*logs)[i].block_number);
        if (!b || !l2w_hash_eq(&b->hash, &(*logs)[i].block_hash)) {
            /* The chain moved between the two reads: read both again. */
            l2w_err_set(err, "da scan: a challenge log's block %llu is not the block read; retrying",
                         (unsigned long long)(*logs)[i].block_number);
            st = L2W_ERR_NOT_READY;
        }
    }
    if (st != L2W_OK) {
        l2w_logs_free(*logs, *n_logs);
        *logs = NULL;
        *n_logs = 0;
    }
    return st;
}

static l2w_status store_range(da_ctx *c, l2w_db *db, const l2w_inbox_tx *txs, size_t n_txs, const l2w_evm_log *logs,
                              size_t n_logs, uint64_t next, l2w_err *err)
{
    l2w_status st = l2w_db_begin(db, err);
    for (size_t i = 0; st == L2W_OK && i < n_txs; i++)
        st = store_posting(c, db, &txs[i], err);
    for (size_t i = 0; st == L2W_OK && i < n_logs; i++)
        st = store_challenge_event(c, db, &logs[i], err);
    if (st == L2W_OK)
        st = save_next(c, db, next, err);
    return l2w_db_end(db, st, err);
}

l2w_status l2w_da_scan_step(da_ctx *c, l2w_db *db, bool *more, l2w_err *err)
{
    *more = false;
    bool has_synced, has_next, ready;
    uint64_t synced = 0, next = 0;
    l2w_hash synced_hash;
    l2w_status st = l2w_store_checkpoint(db, c->l1->name, &has_synced, &synced, &synced_hash, err);
    if (st == L2W_OK)
        st = read_next_block(c, db, &has_next, &next, err);
    if (st == L2W_OK && !has_next)
        st = first_block(c, has_synced, synced, &ready, &next);
    if (st != L2W_OK || (!has_next && !ready) || !has_synced || next > synced)
        return st;
    size_t count = synced - next + 1 > SCAN_BLOCKS ? SCAN_BLOCKS : (size_t)(synced - next + 1);
    l2w_block_header h[SCAN_BLOCKS];
    l2w_inbox_tx *txs = NULL;
    size_t n_txs = 0, n_logs = 0;
    l2w_evm_log *logs = NULL;
    bool agrees = true;
    st = l2w_eth_inbox_txs(c->rpc, next, count, &c->da->batch_inbox, &c->da->batcher, h, &txs, &n_txs, err);
    if (st == L2W_OK)
        st = agrees_with_follower(c, db, h, count, &agrees, err);
    if (st == L2W_OK && agrees)
        st = challenge_logs(c, next, next + count - 1, h, count, &logs, &n_logs, err);
    if (st == L2W_OK && agrees)
        st = store_range(c, db, txs, n_txs, logs, n_logs, next + count, err);
    l2w_inbox_txs_free(txs, n_txs);
    l2w_logs_free(logs, n_logs);
    if (st == L2W_ERR_NOT_READY)
        return L2W_OK; /* the next step reads again */
    if (st != L2W_OK)
        return st;
    if (!agrees) {
        L2W_INFO("da", c->da->chain, "blocks %llu..%llu differ from the follower's: waiting for its reorg handling",
                 (unsigned long long)next, (unsigned long long)(next + count - 1));
        return L2W_OK;
    }
    l2w_gauge_set(c->scanned_block, (double)(next + count - 1));
    *more = next + count <= synced;
    return L2W_OK;
}
