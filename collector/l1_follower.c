#include "collector/l1_follower.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/finding_store.h"
#include "collector/chain_store.h"
#include "collector/eth.h"
#include "collector/log_ranges.h"
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
    l2w_log_ranges ranges;       /* eth_getLogs span during catch-up */
    l2w_counter *range_refusals;
    l2w_gauge *range_gauge;
    bool catching_up;            /* a catch-up was announced and has not ended */
};

/* The stored block the next one must follow. */
typedef struct {
    uint64_t number;
    l2w_hash hash;
} stored_tip;

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
    f->range_refusals = l2w_counter_get("l2watch_chain_log_range_refusals_total",
                                        "eth_getLogs ranges the provider refused as too large (then split)", labels);
    f->range_gauge = l2w_gauge_get("l2watch_chain_log_range_blocks", "Blocks asked per eth_getLogs during catch-up",
                                   labels);
    l2w_log_ranges_init(&f->ranges, L2W_LOG_RANGE_INITIAL, L2W_LOG_RANGE_MAX);
    l2w_gauge_set(f->range_gauge, (double)f->ranges.span);
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

/* Walks back over the stored blocks from the tip until a stored hash equals
 * the node's hash at the same height, then deletes everything above that fork
 * point. Heights with no stored header (catch-up keeps only the blocks that
 * carry logs) are skipped, not counted as mismatches: the fork is the highest
 * stored block still on the node's chain. */
static l2w_status unwind_reorg(l2w_l1_follower *f, l2w_db *db, l2w_rpc *rpc, uint64_t tip, l2w_err *err)
{
    const char *name = f->chain->name;
    bool has_fork = false;
    uint64_t fork = 0;
    const uint64_t max_depth = f->chain->max_reorg_depth;
    for (uint64_t k = tip;;) {
        uint64_t number;
        l2w_hash stored;
        l2w_status st = l2w_store_block_at_or_below(db, name, k, &number, &stored, err);
        if (st == L2W_ERR_NOT_FOUND)
            break; /* below the first stored block: unwind everything */
        if (st != L2W_OK)
            return st;
        bool too_deep = tip - number > max_depth;
        if (!too_deep) {
            l2w_block_header h;
            if ((st = l2w_eth_header_by_number(rpc, number, &h, err)) != L2W_OK)
                return st;
            if (l2w_hash_eq(&h.hash, &stored)) {
                has_fork = true;
                fork = number;
                break;
            }
        }
        if (too_deep || tip - number == max_depth) {
            L2W_BROKEN("follower", name,
                       "reorg deeper than %llu blocks (max_reorg_depth) below %llu; refusing to unwind automatically",
                       (unsigned long long)max_depth, (unsigned long long)tip);
            l2w_err_set(err, "follower %s: reorg deeper than %llu blocks", name, (unsigned long long)max_depth);
            return L2W_ERR_PROTOCOL;
        }
        if (number == 0)
            break; /* even the first block differs: unwind everything */
        k = number - 1;
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

/* Decodes the watched oracles' OutputProposed logs into out (room for
 * n_logs); returns how many. A log that does not decode is logged and
 * skipped: it stays stored as a log, never becomes a proposal. */
static size_t decode_proposals(l2w_l1_follower *f, const l2w_evm_log *logs, size_t n_logs, l2w_output_proposal *out)
{
    size_t n = 0;
    for (size_t i = 0; i < n_logs; i++) {
        const l2w_evm_log *log = &logs[i];
        const char *l2 = l2_of(f, &log->address);
        if (!l2)
            continue;
        l2w_output_proposal *p = &out[n];
        memset(p, 0, sizeof *p);
        l2w_err derr;
        if (l2w_decode_output_proposed(p, log, &derr) != L2W_OK) {
            char tx[L2W_HASH_HEX_LEN];
            l2w_hash_to_hex(tx, &log->tx_hash);
            L2W_UNUSUAL("follower", f->chain->name, "log %u of tx %s not decoded: %s", log->log_index, tx, derr.msg);
            continue;
        }
        snprintf(p->l1_chain, sizeof p->l1_chain, "%s", f->chain->name);
        snprintf(p->l2_chain, sizeof p->l2_chain, "%s", l2);
        n++;
    }
    return n;
}

/* Stores headers [0, n) and their logs in one transaction and advances the
 * checkpoint to the last header. The headers are in ascending order and need
 * not be consecutive (catch-up stores only the blocks that carry logs). */
static l2w_status commit_range(l2w_l1_follower *f, l2w_db *db, const l2w_block_header *h, size_t n,
                               const l2w_evm_log *logs, size_t n_logs, bool *new_facts, l2w_err *err)
{
    const char *name = f->chain->name;
    l2w_output_proposal *proposals = calloc(n_logs ? n_logs : 1, sizeof *proposals);
    if (!proposals) {
        l2w_err_set(err, "follower %s: %zu log(s): out of memory", name, n_logs);
        return L2W_ERR_NOMEM;
    }
    size_t n_proposals = decode_proposals(f, logs, n_logs, proposals);
    l2w_status st = l2w_db_begin(db, err);
    if (st == L2W_OK)
        st = l2w_store_blocks(db, name, h, n, err);
    if (st == L2W_OK)
        st = l2w_store_logs(db, name, logs, n_logs, err);
    if (st == L2W_OK)
        st = l2w_store_output_proposals(db, name, proposals, n_proposals, err);
    if (st == L2W_OK)
        st = l2w_store_set_synced(db, name, h[n - 1].number, err);
    free(proposals);
    if (st != L2W_OK) {
        l2w_db_rollback(db);
        return st;
    }
    if ((st = l2w_db_commit(db, err)) == L2W_OK && n_proposals > 0)
        *new_facts = true;
    return st;
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
        if (f->catching_up) {
            f->catching_up = false;
            L2W_INFO("follower", name, "catch-up done; following block by block from %llu",
                     (unsigned long long)h[0].number);
        }
        l2w_counter_add(f->logs_counter, n_logs);
        l2w_gauge_set(f->synced_gauge, (double)h[n - 1].number);
        L2W_DEBUG("follower", name, "stored blocks %llu..%llu with %zu log(s)", (unsigned long long)h[0].number,
                  (unsigned long long)h[n - 1].number, n_logs);
    }
out:
    free(h);
    return st;
}

/* ---- catch-up: far behind, only logs and the headers they need ----
 *
 * Blocks more than max_reorg_depth below the target are final enough that
 * their parent-hash chain is not needed to see a reorg. For those, one
 * eth_getLogs covers a wide range (its span adapting to what the provider
 * accepts) and only the headers of the blocks carrying logs are read, plus
 * the range's last block (the new checkpoint) and the stored tip (still on
 * the node's chain, or the downtime hid a reorg). The last max_reorg_depth
 * blocks are ingested block by block as before, so the parent-hash chain
 * that reorgs are compared with is always complete where they can happen. */

/* eth_getLogs from next over as many blocks as the provider accepts, up to
 * last; *to is the last block covered. A refusal halves the range and asks
 * again at once. */
static l2w_status fetch_logs(l2w_l1_follower *f, l2w_rpc *rpc, uint64_t next, uint64_t last, uint64_t *to,
                             l2w_evm_log **logs, size_t *n_logs, l2w_err *err)
{
    *logs = NULL;
    *n_logs = 0;
    if (f->n_contracts == 0) {
        *to = last; /* nothing to fetch: only the checkpoint's header is needed */
        return L2W_OK;
    }
    for (;;) {
        *to = l2w_log_ranges_end(&f->ranges, next, last);
        uint64_t span = *to - next + 1;
        l2w_status st = l2w_eth_get_logs(rpc, next, *to, f->addresses, f->n_contracts, l2w_output_proposed_topic(),
                                         1, logs, n_logs, err);
        if (st == L2W_OK) {
            l2w_log_ranges_success(&f->ranges, span);
            l2w_gauge_set(f->range_gauge, (double)f->ranges.span);
            return L2W_OK;
        }
        if (!l2w_eth_logs_range_refused(st, err) || !l2w_log_ranges_refused(&f->ranges, span))
            return st;
        l2w_counter_add(f->range_refusals, 1);
        l2w_gauge_set(f->range_gauge, (double)f->ranges.span);
        L2W_INFO("follower", f->chain->name, "eth_getLogs over %llu blocks (%llu..%llu) refused: %s; split to %llu",
                 (unsigned long long)span, (unsigned long long)next, (unsigned long long)*to, err->msg,
                 (unsigned long long)f->ranges.span);
    }
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Sorts numbers and drops repeats; returns the count left. */
static size_t sort_unique(uint64_t *numbers, size_t n)
{
    qsort(numbers, n, sizeof *numbers, cmp_u64);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (k == 0 || numbers[i] != numbers[k - 1])
            numbers[k++] = numbers[i];
    return k;
}

/* The header at number among h[0..n) (ascending), or NULL. */
static const l2w_block_header *header_at(const l2w_block_header *h, size_t n, uint64_t number)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (h[mid].number < number)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && h[lo].number == number ? &h[lo] : NULL;
}

/* Every log's block hash must be the hash of the header read at its height;
 * anything else means the chain moved between the two calls. */
static bool logs_match_sparse_headers(const l2w_block_header *h, size_t n, const l2w_evm_log *logs, size_t n_logs)
{
    for (size_t i = 0; i < n_logs; i++) {
        const l2w_block_header *b = header_at(h, n, logs[i].block_number);
        if (!b || !l2w_hash_eq(&b->hash, &logs[i].block_hash))
            return false;
    }
    return true;
}

/* Ingests next..(at most) last, all of it final enough, with one eth_getLogs
 * and the headers it needs, in one transaction. */
static l2w_status catch_up(l2w_l1_follower *f, l2w_db *db, l2w_rpc *rpc, uint64_t next, uint64_t last,
                           const stored_tip *prev, size_t *ingested, bool *new_facts, l2w_err *err)
{
    const char *name = f->chain->name;
    if (!f->catching_up) {
        f->catching_up = true;
        L2W_INFO("follower", name,
                 "catching up %llu..%llu with logs and the headers they need, then the last %u block(s) one by one",
                 (unsigned long long)next, (unsigned long long)last, f->chain->max_reorg_depth + 1);
    }
    uint64_t to;
    l2w_evm_log *logs = NULL;
    size_t n_logs = 0;
    double t_start = now_ms();
    l2w_status st = fetch_logs(f, rpc, next, last, &to, &logs, &n_logs, err);
    double t_logs = now_ms();
    if (st == L2W_ERR_NOT_READY) {
        L2W_UNUSUAL("follower", name, "%s; retrying", err->msg);
        return L2W_OK;
    }
    if (st != L2W_OK)
        return st;

    /* Heights to read: the stored tip, every block with a log, the new checkpoint. */
    size_t n = 0;
    uint64_t *numbers = malloc((n_logs + 2) * sizeof *numbers);
    l2w_block_header *h = calloc(n_logs + 2, sizeof *h);
    if (!numbers || !h) {
        l2w_err_set(err, "follower %s: catch-up of %zu log(s): out of memory", name, n_logs);
        st = L2W_ERR_NOMEM;
        goto out;
    }
    if (prev)
        numbers[n++] = prev->number;
    for (size_t i = 0; i < n_logs; i++)
        numbers[n++] = logs[i].block_number;
    numbers[n++] = to;
    n = sort_unique(numbers, n);
    if ((st = l2w_eth_headers_at(rpc, numbers, n, h, err)) != L2W_OK)
        goto out;
    double t_headers = now_ms();

    const l2w_block_header *stored = h;
    size_t n_stored = n;
    if (prev) {
        /* numbers[0] is the stored tip: below every block of the range. */
        if (!l2w_hash_eq(&h[0].hash, &prev->hash)) {
            st = unwind_reorg(f, db, rpc, prev->number, err);
            goto out;
        }
        stored++;
        n_stored--;
    }
    if (!logs_match_sparse_headers(stored, n_stored, logs, n_logs)) {
        L2W_UNUSUAL("follower", name, "logs of %llu..%llu from a block hash not in the headers just read; chain moved, "
                    "retrying", (unsigned long long)next, (unsigned long long)to);
        goto out;
    }
    if ((st = commit_range(f, db, stored, n_stored, logs, n_logs, new_facts, err)) != L2W_OK)
        goto out;
    /* The last max_reorg_depth blocks always remain: say "more" (see the header). */
    *ingested = f->chain->max_blocks_per_poll;
    l2w_counter_add(f->logs_counter, n_logs);
    l2w_gauge_set(f->synced_gauge, (double)to);
    L2W_DEBUG("follower", name,
              "caught up %llu..%llu: %zu log(s), %zu header(s) stored (logs %.0f ms, headers %.0f ms, store %.0f ms)",
              (unsigned long long)next, (unsigned long long)to, n_logs, n_stored, t_logs - t_start,
              t_headers - t_logs, now_ms() - t_headers);
out:
    free(numbers);
    free(h);
    l2w_logs_free(logs, n_logs);
    return st;
}

/* Catch-up for the final-enough part of next..target, block by block for the rest. */
static l2w_status advance(l2w_l1_follower *f, l2w_db *db, l2w_rpc *rpc, uint64_t next, uint64_t target,
                          const stored_tip *prev, size_t *ingested, bool *new_facts, l2w_err *err)
{
    uint64_t depth = f->chain->max_reorg_depth;
    if (target > depth && next < target - depth)
        return catch_up(f, db, rpc, next, target - depth - 1, prev, ingested, new_facts, err);
    return ingest(f, db, rpc, next, target, prev ? &prev->hash : NULL, ingested, new_facts, err);
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
        return advance(f, db, rpc, start, target, NULL, ingested, new_facts, err);
    }
    if (synced > target)
        return L2W_OK; /* the endpoint is behind what we stored: lagging, not a reorg */
    if (synced == target)
        return check_tip(f, db, rpc, synced, &tip_hash, err);
    stored_tip tip = {.number = synced, .hash = tip_hash};
    return advance(f, db, rpc, synced + 1, target, &tip, ingested, new_facts, err);
}
