#include "collector/follower.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/finding_store.h"
#include "collector/chain_store.h"
#include "collector/eth.h"
#include "collector/follower_internal.h"
#include "collector/log_ranges.h"
#include "collector/op_outputs.h"
#include "core/hex.h"
#include "core/log.h"
#include "core/metrics.h"

l2w_status l2w_follower_create(l2w_follower **out, const l2w_config *cfg, const l2w_chain_config *l1,
                                  l2w_err *err)
{
    l2w_follower *f = calloc(1, sizeof *f);
    if (!f) {
        l2w_err_set(err, "follower %s: out of memory", l1->name);
        return L2W_ERR_NOMEM;
    }
    f->cfg = cfg;
    f->chain = l1;
    f->n_watches = l2w_watches_for_chain(cfg, l1->name, f->watches);
    for (size_t i = 0; i < f->n_watches; i++) {
        const l2w_watch *w = &f->watches[i];
        bool seen_address = false, seen_topic = false;
        for (size_t j = 0; j < f->n_addresses; j++)
            seen_address = seen_address || l2w_addr_eq(&f->addresses[j], &w->address);
        for (size_t j = 0; j < f->n_topics; j++)
            seen_topic = seen_topic || l2w_hash_eq(&f->topics[j], &w->topic0);
        f->any_address = f->any_address || w->any_address;
        if (!seen_address && !w->any_address)
            f->addresses[f->n_addresses++] = w->address;
        if (!seen_topic)
            f->topics[f->n_topics++] = w->topic0;
    }
    char labels[64];
    snprintf(labels, sizeof labels, "chain=\"%s\"", l1->name);
    f->head_gauge = l2w_gauge_get("l2watch_chain_head_block", "Latest block number an endpoint reported", labels);
    f->synced_gauge = l2w_gauge_get("l2watch_chain_synced_block", "Highest block whose facts are stored", labels);
    f->reorgs = l2w_counter_get("l2watch_chain_reorgs_total", "Reorganisations unwound", labels);
    f->logs_counter = l2w_counter_get("l2watch_chain_logs_total", "Watched contract logs stored", labels);
    f->range_refusals = l2w_counter_get("l2watch_chain_log_range_refusals_total",
                                        "eth_getLogs ranges the provider refused as too large (then split)", labels);
    f->range_gauge = l2w_gauge_get("l2watch_chain_log_range_blocks", "Blocks asked per eth_getLogs during catch-up",
                                   labels);
    l2w_log_ranges_init(&f->ranges, l1->log_range_blocks, L2W_LOG_RANGE_MAX);
    l2w_gauge_set(f->range_gauge, (double)f->ranges.span);
    *out = f;
    return L2W_OK;
}

void l2w_follower_destroy(l2w_follower *f)
{
    free(f);
}

bool l2w_follower_watches(const l2w_follower *f)
{
    return f->n_watches > 0;
}

/* The filter asks for every watched address with every watched topic0; a
 * pair nobody watches (contract A's topic on contract B) is dropped here. */
void l2w_follower_keep_watched(const l2w_follower *f, l2w_evm_log *logs, size_t *n_logs)
{
    size_t k = 0;
    for (size_t i = 0; i < *n_logs; i++) {
        l2w_evm_log *log = &logs[i];
        if (log->n_topics > 0 && l2w_watch_find(f->watches, f->n_watches, &log->address, &log->topics[0])) {
            if (k != i) {
                logs[k] = *log;
                log->data = NULL;
            }
            k++;
        } else {
            free(log->data);
            log->data = NULL;
        }
    }
    *n_logs = k;
}

/* Number of leading headers that form one chain (each the parent of the next). */
static size_t linked_prefix(const l2w_block_header *h, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (!l2w_hash_eq(&h[i].parent_hash, &h[i - 1].hash))
            return i;
    return n;
}

/* Every log must belong to one of the headers just read; a log from another
 * block hash means the chain moved between the two calls. */
static bool logs_match_headers(const l2w_block_header *h, size_t n, const l2w_evm_log *logs, size_t n_logs)
{
    for (size_t i = 0; i < n_logs; i++) {
        uint64_t k = logs[i].block_number - h[0].number;
        if (logs[i].block_number < h[0].number || k >= n || !l2w_hash_eq(&logs[i].block_hash, &h[k].hash))
            return false;
    }
    return true;
}

l2w_log_filter l2w_follower_filter(const l2w_follower *f, uint64_t from, uint64_t to)
{
    return (l2w_log_filter){.from = from,
                            .to = to,
                            .addresses = f->addresses,
                            /* one watch of any address makes the filter ask for all */
                            .n_addresses = f->any_address ? 0 : f->n_addresses,
                            .topic0s = f->topics,
                            .n_topic0s = f->n_topics};
}

/* Drops the logs of blocks above last (read in the same batch as headers
 * that turned out not to link up to them). */
static void drop_logs_above(l2w_evm_log *logs, size_t *n_logs, uint64_t last)
{
    size_t k = 0;
    for (size_t i = 0; i < *n_logs; i++) {
        if (logs[i].block_number <= last)
            logs[k++] = logs[i];
        else
            free(logs[i].data);
    }
    *n_logs = k;
}

l2w_status l2w_follower_settle_dense(l2w_follower *f, l2w_db *db, l2w_rpc *rpc, const l2w_block_header *h,
                                     size_t count, l2w_evm_log *logs, size_t *n_logs, l2w_status logs_st,
                                     const l2w_err *logs_err, const l2w_hash *prev_hash, bool *more,
                                     bool *new_facts, l2w_err *err)
{
    const char *name = f->chain->name;
    *more = false;
    if (prev_hash && !l2w_hash_eq(&h[0].parent_hash, prev_hash))
        return l2w_follower_unwind_reorg(f, db, rpc, h[0].number - 1, err);
    if (logs_st == L2W_ERR_NOT_READY) {
        L2W_UNUSUAL("follower", name, "%s; retrying", logs_err->msg);
        return L2W_OK;
    }
    if (logs_st != L2W_OK) {
        *err = *logs_err;
        return logs_st;
    }
    size_t n = linked_prefix(h, count);
    l2w_follower_keep_watched(f, logs, n_logs);
    drop_logs_above(logs, n_logs, h[n - 1].number);
    if (!logs_match_headers(h, n, logs, *n_logs)) {
        L2W_UNUSUAL("follower", name, "logs from a block hash not in the headers just read; chain moved, retrying");
        return L2W_OK;
    }
    l2w_status st = l2w_follower_commit_range(f, db, h, n, logs, *n_logs, new_facts, err);
    if (st != L2W_OK)
        return st;
    *more = n == f->chain->max_blocks_per_poll;
    if (f->catching_up) {
        f->catching_up = false;
        L2W_INFO("follower", name, "catch-up done; following block by block from %llu", (unsigned long long)h[0].number);
    }
    l2w_counter_add(f->logs_counter, *n_logs);
    l2w_gauge_set(f->synced_gauge, (double)h[n - 1].number);
    L2W_DEBUG("follower", name, "stored blocks %llu..%llu with %zu log(s)", (unsigned long long)h[0].number,
              (unsigned long long)h[n - 1].number, *n_logs);
    return L2W_OK;
}

/* Near the head: the headers of next.. and their logs in one batch, one
 * round trip per step after the head read. */
static l2w_status ingest(l2w_follower *f, l2w_db *db, l2w_rpc *rpc, uint64_t next, uint64_t target,
                         const l2w_hash *prev_hash, bool *more, bool *new_facts, l2w_err *err)
{
    uint64_t count = target - next + 1;
    if (count > f->chain->max_blocks_per_poll)
        count = f->chain->max_blocks_per_poll;
    l2w_block_header *h = calloc((size_t)count, sizeof *h);
    uint64_t *numbers = malloc((size_t)count * sizeof *numbers);
    l2w_evm_log *logs = NULL;
    size_t n_logs = 0;
    l2w_status st = L2W_ERR_NOMEM;
    if (!h || !numbers) {
        l2w_err_set(err, "follower %s: %llu header(s): out of memory", f->chain->name, (unsigned long long)count);
        goto out;
    }
    for (uint64_t i = 0; i < count; i++)
        numbers[i] = next + i;
    l2w_log_filter filter = l2w_follower_filter(f, next, next + count - 1);
    l2w_status logs_st = L2W_OK;
    l2w_err logs_err = {{0}};
    st = l2w_eth_headers_and_logs(rpc, numbers, (size_t)count, h, f->n_watches > 0 ? &filter : NULL, &logs, &n_logs,
                                  &logs_st, &logs_err, err);
    if (st == L2W_OK)
        st = l2w_follower_settle_dense(f, db, rpc, h, (size_t)count, logs, &n_logs, logs_st, &logs_err, prev_hash,
                                       more, new_facts, err);
out:
    l2w_logs_free(logs, n_logs);
    free(numbers);
    free(h);
    return st;
}

/* Catch-up for the final-enough part of next..target, block by block for the rest. */
static l2w_status advance(l2w_follower *f, l2w_db *db, l2w_rpc *rpc, uint64_t next, uint64_t target,
                          const stored_tip *prev, bool *more, bool *new_facts, l2w_err *err)
{
    uint64_t depth = f->chain->max_reorg_depth;
    if (target > depth && next < target - depth)
        return l2w_follower_catch_up(f, db, rpc, next, target - depth - 1, target, prev, more, new_facts, err);
    return ingest(f, db, rpc, next, target, prev ? &prev->hash : NULL, more, new_facts, err);
}

/* When caught up, a same-height reorg of the tip is only visible by re-reading it. */
static l2w_status check_tip(l2w_follower *f, l2w_db *db, l2w_rpc *rpc, uint64_t tip, const l2w_hash *tip_hash,
                            l2w_err *err)
{
    l2w_block_header h;
    l2w_status st = l2w_eth_header_by_number(rpc, tip, &h, err);
    if (st != L2W_OK)
        return st;
    return l2w_hash_eq(&h.hash, tip_hash) ? L2W_OK : l2w_follower_unwind_reorg(f, db, rpc, tip, err);
}

l2w_status l2w_follower_step(l2w_follower *f, l2w_db *db, l2w_rpc *rpc, bool *more, bool *new_facts,
                                l2w_err *err)
{
    *more = false;
    *new_facts = false;
    const l2w_chain_config *ch = f->chain;
    uint64_t head;
    l2w_status st = l2w_eth_block_number(rpc, &head, err);
    if (st != L2W_OK)
        return st;
    l2w_gauge_set(f->head_gauge, (double)head);
    if ((st = l2w_store_set_head(db, ch->name, head, err)) != L2W_OK)
        return st;
    if (head < ch->confirmations)
        return L2W_OK;
    uint64_t target = head - ch->confirmations;

    bool has;
    uint64_t synced = 0;
    l2w_hash tip_hash;
    if ((st = l2w_store_checkpoint(db, ch->name, &has, &synced, &tip_hash, err)) != L2W_OK)
        return st;
    if (!has) {
        uint64_t start = ch->has_start_block ? ch->start_block : target;
        if (start > target)
            return L2W_OK; /* the configured start block is not there yet */
        return advance(f, db, rpc, start, target, NULL, more, new_facts, err);
    }
    if (synced > target)
        return L2W_OK; /* the endpoint is behind what we stored: lagging, not a reorg */
    if (synced == target)
        return check_tip(f, db, rpc, synced, &tip_hash, err);
    stored_tip tip = {.number = synced, .hash = tip_hash};
    return advance(f, db, rpc, synced + 1, target, &tip, more, new_facts, err);
}

