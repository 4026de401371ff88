/* Fees per block (analytics.fees) and the L1 cost of batch postings
 * (analytics.batch_costs). Each pass reads a run of blocks, checks it
 * against what is stored, and stores it whole in one transaction or not at
 * all. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/analytics_internal.h"
#include "collector/chain_store.h"
#include "collector/eth.h"
#include "collector/eth_block_txs.h"
#include "collector/fee_batch.h"
#include "collector/fee_reads.h"
#include "core/log.h"

/* Full L1 blocks are large: a batch of this many stays well under the RPC
 * answer cap (as the DA scan reads them). */
#define BATCH_SCAN_BLOCKS 16

static void u64_text(char out[24], uint64_t v)
{
    snprintf(out, 24, "%llu", (unsigned long long)v);
}

/* ---- fees per block ---- */

static l2w_status fee_tip(fees_ctx *c, l2w_db *db, bool *has, uint64_t *number, l2w_hash *hash, l2w_err *err)
{
    const char *params[] = {c->f->chain};
    PGresult *res;
    l2w_status st = l2w_db_exec(db, &res,
                                "SELECT block_number, block_hash FROM fee_blocks WHERE chain = $1 "
                                "ORDER BY block_number DESC LIMIT 1",
                                1, params, err);
    if (st != L2W_OK)
        return st;
    *has = PQntuples(res) == 1;
    if (*has) {
        *number = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
        if (l2w_db_bytea_parse(hash->b, 32, PQgetvalue(res, 0, 1)) != L2W_OK) {
            l2w_err_set(err, "fee_blocks: malformed hash at %llu", (unsigned long long)*number);
            st = L2W_ERR_DB;
        }
    }
    PQclear(res);
    return st;
}

static l2w_status store_fee_blocks(fees_ctx *c, l2w_db *db, const l2w_block_fees *b, size_t n, l2w_err *err)
{
    l2w_status st = l2w_db_begin(db, err);
    l2w_db_copy cp;
    if (st == L2W_OK)
        st = l2w_db_copy_begin(db, &cp,
                               "COPY fee_blocks (chain, block_hash, block_number, parent_hash, block_timestamp, txs, "
                               "gas_used, execution_fee, l1_fee, l1_fee_txs) FROM STDIN (FORMAT binary)",
                               err);
    if (st == L2W_OK) {
        for (size_t i = 0; i < n && (st = l2w_db_copy_row(&cp, 10, err)) == L2W_OK; i++) {
            char exec_fee[L2W_U256_DEC_LEN], l1_fee[L2W_U256_DEC_LEN];
            l2w_u256_to_dec(exec_fee, &b[i].execution_fee);
            l2w_u256_to_dec(l1_fee, &b[i].l1_fee);
            l2w_db_copy_text(&cp, c->f->chain);
            l2w_db_copy_bytea(&cp, b[i].header.hash.b, 32);
            l2w_db_copy_int8(&cp, (int64_t)b[i].header.number);
            l2w_db_copy_bytea(&cp, b[i].header.parent_hash.b, 32);
            l2w_db_copy_int8(&cp, (int64_t)b[i].header.timestamp);
            l2w_db_copy_int4(&cp, (int32_t)b[i].txs); /* at most L2W_FEE_MAX_BLOCK_TXS */
            l2w_db_copy_int8(&cp, (int64_t)b[i].gas_used);
            l2w_db_copy_numeric(&cp, exec_fee);
            l2w_db_copy_numeric(&cp, l1_fee);
            l2w_db_copy_int4(&cp, (int32_t)b[i].l1_fee_txs);
        }
        st = l2w_db_copy_end(&cp, st, err);
    }
    return l2w_db_end(db, st, err);
}

/* The stored tip is not the parent of the next block: the chain left it.
 * It goes (the day rows follow by trigger) and the next pass reads its
 * height again, one block further back each time until the parents meet. */
static l2w_status unwind_tip(fees_ctx *c, l2w_db *db, uint64_t tip, l2w_err *err)
{
    if (c->unwound >= c->chain->max_reorg_depth) {
        l2w_err_set(err, "block %llu: a reorg deeper than max_reorg_depth (%u): fee rows left as they are",
                    (unsigned long long)tip + 1, (unsigned)c->chain->max_reorg_depth);
        return L2W_ERR_PROTOCOL;
    }
    char n[24];
    u64_text(n, tip);
    const char *params[] = {c->f->chain, n};
    l2w_status st = l2w_db_exec(db, NULL, "DELETE FROM fee_blocks WHERE chain = $1 AND block_number >= $2::bigint", 2,
                                params, err);
    if (st != L2W_OK)
        return st;
    c->unwound++;
    l2w_counter_add(c->reorgs, 1);
    L2W_INFO("fees", c->f->chain, "block %llu is no longer on the chain: its fee row is unwound",
             (unsigned long long)tip);
    return L2W_OK;
}

/* Where the pass starts: after the stored tip, else start_block, else the
 * safe head (summing from now on). */
static uint64_t first_block(const fees_ctx *c, bool has_tip, uint64_t tip, uint64_t safe)
{
    if (has_tip)
        return tip + 1;
    return c->f->has_start_block ? c->f->start_block : safe;
}

/* blocks[0..n) follow each other (the chain did not move during the read). */
static bool linked(const l2w_block_fees *b, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (!l2w_hash_eq(&b[i].header.parent_hash, &b[i - 1].header.hash))
            return false;
    return true;
}

static l2w_status fees_range(fees_ctx *c, l2w_db *db, uint64_t next, size_t count, bool has_tip, uint64_t tip,
                             const l2w_hash *tip_hash, l2w_err *err)
{
    l2w_block_fees *b = calloc(count, sizeof *b);
    if (!b) {
        l2w_err_set(err, "fees: out of memory");
        return L2W_ERR_NOMEM;
    }
    l2w_status st = l2w_block_fees_read(c->rpc, next, count, b, err);
    if (st == L2W_OK && has_tip && !l2w_hash_eq(&b[0].header.parent_hash, tip_hash))
        st = unwind_tip(c, db, tip, err);
    else if (st == L2W_OK && !linked(b, count))
        st = L2W_ERR_NOT_READY; /* read again */
    else if (st == L2W_OK && (st = store_fee_blocks(c, db, b, count, err)) == L2W_OK) {
        uint64_t txs = 0;
        for (size_t i = 0; i < count; i++)
            txs += b[i].txs;
        c->unwound = 0;
        l2w_counter_add(c->blocks, count);
        l2w_counter_add(c->txs, txs);
        l2w_gauge_set(c->block, (double)(next + count - 1));
    }
    free(b);
    return st;
}

l2w_status l2w_analytics_fees_step(void *arg, l2w_db *db, bool *more, bool *raised, l2w_err *err)
{
    fees_ctx *c = arg;
    *more = *raised = false;
    bool has_tip = false;
    uint64_t tip = 0, head = 0;
    l2w_hash tip_hash;
    l2w_status st = fee_tip(c, db, &has_tip, &tip, &tip_hash, err);
    if (st == L2W_OK)
        st = l2w_eth_block_number(c->rpc, &head, err);
    if (st != L2W_OK || head < c->chain->confirmations)
        return st;
    uint64_t safe = head - c->chain->confirmations;
    uint64_t next = first_block(c, has_tip, tip, safe);
    if (next > safe)
        return L2W_OK;
    size_t count = safe - next + 1 > c->f->blocks_per_pass ? c->f->blocks_per_pass : (size_t)(safe - next + 1);
    st = fees_range(c, db, next, count, has_tip, tip, &tip_hash, err);
    if (st == L2W_ERR_NOT_READY) {
        L2W_DEBUG("fees", c->f->chain, "blocks %llu..%llu moved while read: read again next pass",
                  (unsigned long long)next, (unsigned long long)(next + count - 1));
        return L2W_OK;
    }
    *more = st == L2W_OK;
    return st;
}

/* ---- batch posting costs ---- */

static l2w_status batch_next(batch_costs_ctx *c, l2w_db *db, bool *has, uint64_t *next, l2w_err *err)
{
    const char *params[] = {c->b->chain};
    PGresult *res;
    l2w_status st = l2w_db_exec(db, &res, "SELECT next_block FROM batch_cost_scan WHERE chain = $1", 1, params, err);
    if (st != L2W_OK)
        return st;
    *has = PQntuples(res) == 1;
    if (*has)
        *next = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return L2W_OK;
}

/* Whether the follower holds a block in the range that is not the one
 * read: the chain reorganised under the scan, and the follower's unwind
 * (which resets this scan) must run first. */
static l2w_status follower_disagrees(batch_costs_ctx *c, l2w_db *db, const l2w_block_header *h, size_t n,
                                     bool *disagrees, l2w_err *err)
{
    static const l2w_db_stmt stmt = {"analytics_batch_costs_disagree",
                                     "SELECT 1 FROM blocks WHERE chain = $1 AND number BETWEEN $2::bigint AND "
                                     "$3::bigint AND NOT (hash = ANY($4::bytea[])) LIMIT 1",
                                     4};
    l2w_db_copy hashes;
    l2w_db_array_begin(&hashes, L2W_OID_BYTEA, n);
    for (size_t i = 0; i < n; i++)
        l2w_db_copy_bytea(&hashes, h[i].hash.b, 32);
    l2w_status st = l2w_db_array_check(&hashes, "block hashes", err);
    char from[24], to[24];
    u64_text(from, h[0].number);
    u64_text(to, h[n - 1].number);
    const char *params[] = {c->l1->name, from, to, (const char *)hashes.buf.data};
    const int lengths[] = {0, 0, 0, (int)hashes.buf.len};
    const int formats[] = {0, 0, 0, 1};
    PGresult *res = NULL;
    if (st == L2W_OK)
        st = l2w_db_run(db, &res, &stmt, params, lengths, formats, err);
    if (st == L2W_OK) {
        *disagrees = PQntuples(res) > 0;
        PQclear(res);
    }
    l2w_bytes_free(&hashes.buf);
    return st;
}

static void copy_u256(l2w_db_copy *cp, const l2w_u256 *v)
{
    char dec[L2W_U256_DEC_LEN];
    l2w_u256_to_dec(dec, v);
    l2w_db_copy_numeric(cp, dec);
}

static l2w_status insert_costs(batch_costs_ctx *c, l2w_db *db, const l2w_inbox_tx *txs, const l2w_batch_cost *k,
                               size_t n, l2w_err *err)
{
    if (n == 0)
        return L2W_OK;
    l2w_db_copy cp;
    l2w_status st = l2w_db_copy_begin(db, &cp,
                                      "COPY batch_costs (chain, l1_chain, block_hash, block_number, block_timestamp, "
                                      "tx_hash, tx_index, tx_type, calldata_bytes, calldata_zero_bytes, calldata_gas, "
                                      "calldata_fee, gas_used, effective_gas_price, fee, blobs, blob_gas_used, "
                                      "blob_gas_price, blob_fee) FROM STDIN (FORMAT binary)",
                                      err);
    if (st != L2W_OK)
        return st;
    for (size_t i = 0; i < n && (st = l2w_db_copy_row(&cp, 19, err)) == L2W_OK; i++) {
        l2w_db_copy_text(&cp, c->b->chain);
        l2w_db_copy_text(&cp, c->l1->name);
        l2w_db_copy_bytea(&cp, txs[i].block_hash.b, 32);
        l2w_db_copy_int8(&cp, (int64_t)txs[i].block_number);
        l2w_db_copy_int8(&cp, (int64_t)txs[i].block_timestamp);
        l2w_db_copy_bytea(&cp, txs[i].tx_hash.b, 32);
        l2w_db_copy_int4(&cp, (int32_t)txs[i].tx_index);
        l2w_db_copy_int4(&cp, txs[i].type);
        l2w_db_copy_int4(&cp, (int32_t)k[i].calldata_bytes);
        l2w_db_copy_int4(&cp, (int32_t)k[i].calldata_zero_bytes);
        l2w_db_copy_int8(&cp, (int64_t)k[i].calldata_gas);
        copy_u256(&cp, &k[i].calldata_fee);
        l2w_db_copy_int8(&cp, (int64_t)k[i].gas_used);
        copy_u256(&cp, &k[i].effective_gas_price);
        copy_u256(&cp, &k[i].fee);
        l2w_db_copy_int4(&cp, (int32_t)k[i].blobs);
        l2w_db_copy_int8(&cp, (int64_t)k[i].blob_gas_used);
        copy_u256(&cp, &k[i].blob_gas_price);
        copy_u256(&cp, &k[i].blob_fee);
    }
    return l2w_db_copy_end(&cp, st, err);
}

static l2w_status store_costs(batch_costs_ctx *c, l2w_db *db, const l2w_inbox_tx *txs, const l2w_batch_cost *k,
                              size_t n, uint64_t next, l2w_err *err)
{
    char n_text[24];
    u64_text(n_text, next);
    const char *params[] = {c->b->chain, c->l1->name, n_text};
    l2w_status st = l2w_db_begin(db, err);
    if (st == L2W_OK)
        st = insert_costs(c, db, txs, k, n, err);
    if (st == L2W_OK)
        st = l2w_db_exec(db, NULL,
                         "INSERT INTO batch_cost_scan (chain, l1_chain, next_block) VALUES ($1, $2, $3) "
                         "ON CONFLICT (chain) DO UPDATE SET next_block = $3, l1_chain = $2, updated_at = now()",
                         3, params, err);
    return l2w_db_end(db, st, err);
}

static l2w_status batch_range(batch_costs_ctx *c, l2w_db *db, uint64_t next, size_t count, bool *stored,
                              l2w_err *err)
{
    l2w_block_header h[BATCH_SCAN_BLOCKS];
    l2w_inbox_tx *txs = NULL;
    size_t n = 0;
    bool disagrees = false;
    l2w_batch_cost *costs = NULL;
    *stored = false;
    l2w_status st = l2w_eth_inbox_txs(c->rpc, next, count, &c->b->batch_inbox, &c->b->batcher, h, &txs, &n, err);
    if (st == L2W_OK)
        st = follower_disagrees(c, db, h, count, &disagrees, err);
    if (st == L2W_OK && !disagrees && n > 0 && !(costs = calloc(n, sizeof *costs))) {
        l2w_err_set(err, "batch costs: out of memory");
        st = L2W_ERR_NOMEM;
    }
    if (st == L2W_OK && !disagrees)
        st = l2w_batch_costs_read(c->rpc, txs, n, costs, err);
    if (st == L2W_OK && !disagrees)
        st = store_costs(c, db, txs, costs, n, next + count, err);
    if (st == L2W_OK && !disagrees) {
        *stored = true;
        l2w_counter_add(c->postings, n);
        l2w_gauge_set(c->block, (double)(next + count - 1));
    } else if (st == L2W_OK) {
        L2W_INFO("batch_costs", c->b->chain,
                 "blocks %llu..%llu differ from the follower's: waiting for its reorg handling",
                 (unsigned long long)next, (unsigned long long)(next + count - 1));
    }
    free(costs);
    l2w_inbox_txs_free(txs, n);
    return st;
}

l2w_status l2w_analytics_batch_costs_step(void *arg, l2w_db *db, bool *more, bool *raised, l2w_err *err)
{
    batch_costs_ctx *c = arg;
    *more = *raised = false;
    bool has_synced = false, has_next = false;
    uint64_t synced = 0, next = 0;
    l2w_hash synced_hash;
    l2w_status st = l2w_store_checkpoint(db, c->l1->name, &has_synced, &synced, &synced_hash, err);
    if (st == L2W_OK)
        st = batch_next(c, db, &has_next, &next, err);
    if (st != L2W_OK || !has_synced)
        return st;
    if (!has_next)
        next = c->b->has_start_block ? c->b->start_block : c->l1->has_start_block ? c->l1->start_block : synced;
    if (next > synced)
        return L2W_OK;
    size_t count = synced - next + 1 > BATCH_SCAN_BLOCKS ? BATCH_SCAN_BLOCKS : (size_t)(synced - next + 1);
    bool stored = false;
    st = batch_range(c, db, next, count, &stored, err);
    if (st == L2W_ERR_NOT_READY)
        return L2W_OK; /* the chain moved between the reads: the next pass reads again */
    *more = st == L2W_OK && stored && next + count <= synced;
    return st;
}
