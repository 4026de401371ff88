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
static l2w_status fetch_logs(l2w_follower *f, l2w_rpc *rpc, uint64_t next, uint64_t last, uint64_t *to,
                             l2w_evm_log **logs, size_t *n_logs, l2w_err *err)
{
    *logs = NULL;
    *n_logs = 0;
    if (f->n_watches == 0) {
        *to = last; /* nothing to fetch: only the checkpoint's header is needed */
        return L2W_OK;
    }
    for (;;) {
        *to = l2w_log_ranges_end(&f->ranges, next, last);
        uint64_t span = *to - next + 1;
        l2w_status st = l2w_follower_get_logs(f, rpc, next, *to, logs, n_logs, err);
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

/* Every log's block hash must be the hash of the header read at its height;
 * anything else means the chain moved between the two calls. */
static bool logs_match_sparse_headers(const l2w_block_header *h, size_t n, const l2w_evm_log *logs, size_t n_logs)
{
    for (size_t i = 0; i < n_logs; i++) {
        const l2w_block_header *b = l2w_follower_header_at(h, n, logs[i].block_number);
        if (!b || !l2w_hash_eq(&b->hash, &logs[i].block_hash))
            return false;
    }
    return true;
}

/* Ingests next..(at most) last, all of it final enough, with one eth_getLogs
 * and the headers it needs, in one transaction. */
l2w_status l2w_follower_catch_up(l2w_follower *f, l2w_db *db, l2w_rpc *rpc, uint64_t next, uint64_t last,
                           const stored_tip *prev, bool *more, bool *new_facts, l2w_err *err)
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
            st = l2w_follower_unwind_reorg(f, db, rpc, prev->number, err);
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
    if ((st = l2w_follower_commit_range(f, db, stored, n_stored, logs, n_logs, new_facts, err)) != L2W_OK)
        goto out;
    *more = true; /* the last max_reorg_depth blocks always remain */
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

