#include "collector/l1_follower.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/finding_store.h"
#include "collector/chain_store.h"
#include "collector/eth.h"
#include "collector/op_outputs.h"
#include "core/hex.h"
#include "core/log.h"
#include "core/metrics.h"

/* A contract watched on this L1 and the L2 it belongs to. */
typedef struct {
    l2w_addr address;
    const char *l2_chain;
} watched;

struct l2w_l1_follower {
    const l2w_config *cfg;
    const l2w_chain_config *chain;
    watched contracts[L2W_MAX_CHAINS];
    l2w_addr addresses[L2W_MAX_CHAINS];
    size_t n_contracts;
    l2w_gauge *head_gauge;
    l2w_gauge *synced_gauge;
    l2w_counter *reorgs;
    l2w_counter *logs_counter;
};

l2w_status l2w_l1_follower_create(l2w_l1_follower **out, const l2w_config *cfg, const l2w_chain_config *l1,
                                  l2w_err *err)
{
    l2w_l1_follower *f = calloc(1, sizeof *f);
    if (!f) {
        l2w_err_set(err, "follower %s: out of memory", l1->name);
        return L2W_ERR_NOMEM;
    }
    f->cfg = cfg;
    f->chain = l1;
    for (size_t i = 0; i < cfg->n_chains; i++) {
        const l2w_chain_config *ch = &cfg->chains[i];
        if (ch->role != L2W_CHAIN_L2 || strcmp(ch->l1, l1->name) != 0 || !ch->has_l2_output_oracle)
            continue;
        f->contracts[f->n_contracts].address = ch->l2_output_oracle;
        f->contracts[f->n_contracts].l2_chain = ch->name;
        f->addresses[f->n_contracts] = ch->l2_output_oracle;
        f->n_contracts++;
    }
    char labels[64];
    snprintf(labels, sizeof labels, "chain=\"%s\"", l1->name);
    f->head_gauge = l2w_gauge_get("l2watch_chain_head_block", "Latest block number an endpoint reported", labels);
    f->synced_gauge = l2w_gauge_get("l2watch_chain_synced_block", "Highest block whose facts are stored", labels);
    f->reorgs = l2w_counter_get("l2watch_chain_reorgs_total", "Reorganisations unwound", labels);
    f->logs_counter = l2w_counter_get("l2watch_chain_logs_total", "Watched contract logs stored", labels);
    *out = f;
    return L2W_OK;
}

void l2w_l1_follower_destroy(l2w_l1_follower *f)
{
    free(f);
}

static const char *l2_of(const l2w_l1_follower *f, const l2w_addr *a)
{
    for (size_t i = 0; i < f->n_contracts; i++)
        if (l2w_addr_eq(&f->contracts[i].address, a))
            return f->contracts[i].l2_chain;
    return NULL;
}

/* Walks back from the stored tip until the stored hash equals the node's
 * hash at the same height, then deletes everything above that fork point. */
static l2w_status unwind_reorg(l2w_l1_follower *f, l2w_db *db, l2w_rpc *rpc, uint64_t tip, l2w_err *err)
{
    const char *name = f->chain->name;
    bool has_fork = false;
    uint64_t fork = 0;
    const uint64_t max_depth = f->chain->max_reorg_depth;
    for (uint64_t depth = 0; depth <= max_depth && depth <= tip; depth++) {
        uint64_t k = tip - depth;
        l2w_hash stored;
        l2w_status st = l2w_store_block_hash(db, name, k, &stored, err);
        if (st == L2W_ERR_NOT_FOUND)
            break; /* below the first stored block: unwind everything */
        if (st != L2W_OK)
            return st;
        l2w_block_header h;
        if ((st = l2w_eth_header_by_number(rpc, k, &h, err)) != L2W_OK)
            return st;
        if (l2w_hash_eq(&h.hash, &stored)) {
            has_fork = true;
            fork = k;
            break;
        }
        if (depth == max_depth) {
            L2W_BROKEN("follower", name,
                       "reorg deeper than %llu blocks (max_reorg_depth) below %llu; refusing to unwind automatically",
                       (unsigned long long)max_depth, (unsigned long long)tip);
            l2w_err_set(err, "follower %s: reorg deeper than %llu blocks", name, (unsigned long long)max_depth);
            return L2W_ERR_PROTOCOL;
        }
    }
    l2w_status st = l2w_db_begin(db, err);
    if (st != L2W_OK)
        return st;
    size_t retracted = 0;
    st = l2w_findings_retract_unwound(db, f->cfg, name, has_fork, fork, &retracted, err);
    if (st == L2W_OK)
        st = l2w_store_unwind(db, name, has_fork, fork, err);
    if (st != L2W_OK) {
        l2w_db_rollback(db);
        return st;
    }
    if ((st = l2w_db_commit(db, err)) != L2W_OK)
        return st;
    l2w_counter_add(f->reorgs, 1);
    if (has_fork)
        L2W_UNUSUAL("follower", name, "reorg: unwound %llu block(s) above fork point %llu, retracted %zu finding(s)",
                    (unsigned long long)(tip - fork), (unsigned long long)fork, retracted);
    else
        L2W_UNUSUAL("follower", name, "reorg below the first stored block; re-ingesting from the start");
    return L2W_OK;
}

/* Number of leading headers that form one chain (each the parent of the next). */
static size_t linked_prefix(const l2w_block_header *h, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (!l2w_hash_eq(&h[i].parent_hash, &h[i - 1].hash))
            return i;
    return n;
}

static l2w_status store_log_facts(l2w_l1_follower *f, l2w_db *db, const l2w_evm_log *log, bool *new_facts,
                                  l2w_err *err)
{
    l2w_status st = l2w_store_log(db, f->chain->name, log, err);
    if (st != L2W_OK)
        return st;
    const char *l2 = l2_of(f, &log->address);
    if (!l2)
        return L2W_OK;
    l2w_output_proposal p;
    memset(&p, 0, sizeof p);
    l2w_err derr;
    if (l2w_decode_output_proposed(&p, log, &derr) != L2W_OK) {
        char tx[L2W_HASH_HEX_LEN];
        l2w_hash_to_hex(tx, &log->tx_hash);
        L2W_UNUSUAL("follower", f->chain->name, "log %u of tx %s not decoded: %s", log->log_index, tx, derr.msg);
        return L2W_OK;
    }
    snprintf(p.l1_chain, sizeof p.l1_chain, "%s", f->chain->name);
    snprintf(p.l2_chain, sizeof p.l2_chain, "%s", l2);
    *new_facts = true;
    return l2w_store_output_proposal(db, &p, err);
}

/* Stores headers [0, n) and their logs in one transaction and advances the checkpoint. */
static l2w_status commit_range(l2w_l1_follower *f, l2w_db *db, const l2w_block_header *h, size_t n,
                               const l2w_evm_log *logs, size_t n_logs, bool *new_facts, l2w_err *err)
{
    const char *name = f->chain->name;
    l2w_status st = l2w_db_begin(db, err);
    for (size_t i = 0; st == L2W_OK && i < n; i++)
        st = l2w_store_block(db, name, &h[i], err);
    for (size_t i = 0; st == L2W_OK && i < n_logs; i++)
        st = store_log_facts(f, db, &logs[i], new_facts, err);
    if (st == L2W_OK)
        st = l2w_store_set_synced(db, name, h[n - 1].number, err);
    if (st != L2W_OK) {
        l2w_db_rollback(db);
        return st;
    }
    return l2w_db_commit(db, err);
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

static l2w_status ingest(l2w_l1_follower *f, l2w_db *db, l2w_rpc *rpc, uint64_t next, uint64_t target,
                         const l2w_hash *prev_hash, size_t *ingested, bool *new_facts, l2w_err *err)
{
    const char *name = f->chain->name;
    uint64_t count = target - next + 1;
    if (count > f->chain->max_blocks_per_poll)
        count = f->chain->max_blocks_per_poll;
    l2w_block_header *h = calloc((size_t)count, sizeof *h);
    if (!h)
        return L2W_ERR_NOMEM;
    l2w_status st = l2w_eth_headers(rpc, next, (size_t)count, h, err);
    if (st != L2W_OK)
        goto out;
    if (prev_hash && !l2w_hash_eq(&h[0].parent_hash, prev_hash)) {
        st = unwind_reorg(f, db, rpc, next - 1, err);
        goto out;
    }
    size_t n = linked_prefix(h, (size_t)count);
    l2w_evm_log *logs = NULL;
    size_t n_logs = 0;
    if (f->n_contracts > 0) {
        st = l2w_eth_get_logs(rpc, h[0].number, h[n - 1].number, f->addresses, f->n_contracts,
                              l2w_output_proposed_topic(), 1, &logs, &n_logs, err);
        if (st == L2W_ERR_NOT_READY) {
            L2W_UNUSUAL("follower", name, "%s; retrying", err->msg);
            st = L2W_OK;
            goto out;
        }
        if (st != L2W_OK)
            goto out;
        if (!logs_match_headers(h, n, logs, n_logs)) {
            L2W_UNUSUAL("follower", name, "logs from a block hash not in the headers just read; chain moved, retrying");
            l2w_logs_free(logs, n_logs);
            goto out;
        }
    }
    st = commit_range(f, db, h, n, logs, n_logs, new_facts, err);
    l2w_logs_free(logs, n_logs);
    if (st == L2W_OK) {
        *ingested = n;
        l2w_counter_add(f->logs_counter, n_logs);
        l2w_gauge_set(f->synced_gauge, (double)h[n - 1].number);
        L2W_DEBUG("follower", name, "stored blocks %llu..%llu with %zu log(s)", (unsigned long long)h[0].number,
                  (unsigned long long)h[n - 1].number, n_logs);
    }
out:
    free(h);
    return st;
}

/* When caught up, a same-height reorg of the tip is only visible by re-reading it. */
static l2w_status check_tip(l2w_l1_follower *f, l2w_db *db, l2w_rpc *rpc, uint64_t tip, const l2w_hash *tip_hash,
                            l2w_err *err)
{
    l2w_block_header h;
    l2w_status st = l2w_eth_header_by_number(rpc, tip, &h, err);
    if (st != L2W_OK)
        return st;
    return l2w_hash_eq(&h.hash, tip_hash) ? L2W_OK : unwind_reorg(f, db, rpc, tip, err);
}

l2w_status l2w_l1_follower_step(l2w_l1_follower *f, l2w_db *db, l2w_rpc *rpc, size_t *ingested, bool *new_facts,
                                l2w_err *err)
{
    *ingested = 0;
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
        return ingest(f, db, rpc, start, target, NULL, ingested, new_facts, err);
    }
    if (synced > target)
        return L2W_OK; /* the endpoint is behind what we stored: lagging, not a reorg */
    if (synced == target)
        return check_tip(f, db, rpc, synced, &tip_hash, err);
    return ingest(f, db, rpc, synced + 1, target, &tip_hash, ingested, new_facts, err);
}
