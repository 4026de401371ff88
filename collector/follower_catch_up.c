#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collector/chain_store.h"
#include "collector/eth.h"
#include "collector/follower_internal.h"
#include "collector/log_ranges.h"
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
 * blocks are ingested whole (every header, linked by parent hash) as the
 * near-head path does, so the parent-hash chain that reorgs are compared
 * with is always complete where they can happen; their headers and logs
 * ride in the batch that reads the last range's headers, which saves the
 * near-head path's round trips at the end of a catch-up.
 *
 * Fetching a range (the node's time) and storing it (PostgreSQL's) take
 * similar times, so one call works through ranges as a pipeline: while a
 * second thread stores range N in its transaction, this one sends one batch
 * with the headers range N+1 needs and the eth_getLogs of range N+2 (one
 * round trip per range, which is what a remote provider charges for).
 * Range N+1's stored tip is N's last header, read again in that batch. The
 * stores still happen one after another in order, each moving the
 * checkpoint only over what it stored, and nothing fetched outlives the
 * call: a crash, a reorg found at a tip or a failed store leaves nothing
 * behind that a later call could take for current. */

/* How long one call keeps the pipeline going before it returns to the step
 * (which reads the head again): long enough that refilling the pipeline and
 * the step's own round trip are a small part of it, short enough that a
 * stop waits little (at most this, one request and one store). */
#define CATCH_UP_CALL_MS 5000.0

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

/* One range: next..to, its logs, and the headers read for it in ascending
 * order, the stored tip's first when there is one (below every block of the
 * range). */
typedef struct {
    uint64_t next, to;
    bool has_tip;
    stored_tip tip;
    l2w_evm_log *logs;
    size_t n_logs;
    uint64_t *numbers; /* the heights of h, while they are asked for */
    l2w_block_header *h;
    size_t n;
    double logs_ms, headers_ms;
} fetched_range;

static void range_free(fetched_range *r)
{
    l2w_logs_free(r->logs, r->n_logs);
    free(r->numbers);
    free(r->h);
    memset(r, 0, sizeof *r);
}

/* The headers of the range to store: without the stored tip's. */
static const l2w_block_header *range_headers(const fetched_range *r, size_t *n)
{
    *n = r->n - (r->has_tip ? 1 : 0);
    return r->h + (r->has_tip ? 1 : 0);
}

/* The heights whose headers a range with its logs in hand needs: the stored
 * tip, every block with a log, the new checkpoint. */
static l2w_status range_numbers(const l2w_follower *f, fetched_range *r, l2w_err *err)
{
    if (r->numbers)
        return L2W_OK; /* asked for already, in a batch that failed as a whole */
    r->numbers = malloc((r->n_logs + 2) * sizeof *r->numbers);
    r->h = calloc(r->n_logs + 2, sizeof *r->h);
    if (!r->numbers || !r->h) {
        l2w_err_set(err, "follower %s: catch-up of %zu log(s): out of memory", f->chain->name, r->n_logs);
        return L2W_ERR_NOMEM;
    }
    size_t n = 0;
    if (r->has_tip)
        r->numbers[n++] = r->tip.number;
    for (size_t i = 0; i < r->n_logs; i++)
        r->numbers[n++] = r->logs[i].block_number;
    r->numbers[n++] = r->to;
    r->n = sort_unique(r->numbers, n);
    return L2W_OK;
}

/* Whether a range may be stored: its tip still the node's (else the reorg
 * is unwound) and every log from a header just read (else the chain moved:
 * the step tries again). *usable false with L2W_OK in both cases. */
static l2w_status check_range(l2w_follower *f, l2w_db *db, l2w_rpc *rpc, const fetched_range *r, bool *usable,
                              l2w_err *err)
{
    *usable = false;
    if (r->has_tip && !l2w_hash_eq(&r->h[0].hash, &r->tip.hash))
        return l2w_follower_unwind_reorg(f, db, rpc, r->tip.number, err);
    size_t n;
    const l2w_block_header *h = range_headers(r, &n);
    if (!logs_match_sparse_headers(h, n, r->logs, r->n_logs)) {
        L2W_UNUSUAL("follower", f->chain->name,
                    "logs of %llu..%llu from a block hash not in the headers just read; chain moved, retrying",
                    (unsigned long long)r->next, (unsigned long long)r->to);
        return L2W_OK;
    }
    *usable = true;
    return L2W_OK;
}

/* A range's store, on its own thread while the pipeline asks for more. The
 * thread is the only user of db until it is joined; it reads f's chain and
 * watches, which nothing changes during a catch-up. */
typedef struct {
    l2w_follower *f;
    l2w_db *db;
    fetched_range r; /* owned */
    bool new_facts;
    l2w_status st;
    l2w_err err;
    double ms;
    double joined_at;
    pthread_t thread;
    bool running;
    bool threaded;
} store_job;

static void store_run(store_job *j)
{
    double t0 = now_ms();
    size_t n;
    const l2w_block_header *h = range_headers(&j->r, &n);
    j->st = l2w_follower_commit_range(j->f, j->db, h, n, j->r.logs, j->r.n_logs, &j->new_facts, &j->err);
    j->ms = now_ms() - t0;
}

static void *store_main(void *arg)
{
    store_run(arg);
    return NULL;
}

/* Takes r over and stores it. */
static void store_start(store_job *j, fetched_range *r)
{
    j->r = *r;
    memset(r, 0, sizeof *r);
    j->new_facts = false;
    j->running = true;
    /* Without a thread the store runs here: slower, never wrong. */
    j->threaded = pthread_create(&j->thread, NULL, store_main, j) == 0;
    if (!j->threaded)
        store_run(j);
}

/* Waits for the store started last (if any) and reports it. */
static l2w_status store_wait(store_job *j, bool *more, bool *new_facts, l2w_err *err)
{
    if (!j->running)
        return L2W_OK;
    double t0 = now_ms();
    if (j->threaded)
        pthread_join(j->thread, NULL);
    j->running = false;
    l2w_status st = j->st;
    if (st == L2W_OK) {
        l2w_follower *f = j->f;
        size_t n_stored;
        (void)range_headers(&j->r, &n_stored);
        *more = true; /* the last max_reorg_depth blocks always remain */
        *new_facts = *new_facts || j->new_facts;
        l2w_counter_add(f->logs_counter, j->r.n_logs);
        l2w_gauge_set(f->synced_gauge, (double)j->r.to);
        L2W_DEBUG("follower", f->chain->name,
                  "caught up %llu..%llu: %zu log(s), %zu header(s) stored (logs %.0f ms, headers %.0f ms, "
                  "store %.0f ms, %.0f ms of it waited for)",
                  (unsigned long long)j->r.next, (unsigned long long)j->r.to, j->r.n_logs, n_stored, j->r.logs_ms,
                  j->r.headers_ms, j->ms, now_ms() - t0);
    } else {
        *err = j->err;
    }
    range_free(&j->r);
    return st;
}

/* The pipeline of one call. Each request carries the headers of the range
 * whose logs are in hand (cur) and the logs of the next range (got), while
 * the range before cur is stored. */
typedef struct {
    l2w_follower *f;
    uint64_t last;
    uint64_t tail_to; /* the blocks after last, up to this, come with the last range's headers */
    uint64_t from;   /* first block of the next range to ask logs for */
    stored_tip tip;  /* what the next range follows */
    bool has_tip;
    fetched_range cur;
    bool has_cur;    /* logs in hand, headers not yet */
    store_job job;
    fetched_range tail; /* consecutive headers and their logs, stored after the last range */
    bool tail_asked;
    l2w_status tail_logs_st;
    l2w_err tail_logs_err;
} pipeline;

/* Appends the tail's heights to cur's, so that one request reads the last
 * range's headers and the tail's: last+1.., at most one near-head batch. */
static l2w_status add_tail(pipeline *p, l2w_err *err)
{
    l2w_follower *f = p->f;
    fetched_range *t = &p->tail;
    t->next = p->last + 1;
    t->to = p->tail_to - p->last > f->chain->max_blocks_per_poll ? p->last + f->chain->max_blocks_per_poll
                                                                 : p->tail_to;
    size_t k = (size_t)(t->to - t->next + 1);
    size_t n = p->cur.n;
    uint64_t *numbers = realloc(p->cur.numbers, (n + k) * sizeof *numbers);
    if (numbers)
        p->cur.numbers = numbers;
    l2w_block_header *h = numbers ? realloc(p->cur.h, (n + k) * sizeof *h) : NULL;
    if (h)
        p->cur.h = h;
    if (!numbers || !h) {
        l2w_err_set(err, "follower %s: catch-up tail of %zu block(s): out of memory", f->chain->name, k);
        return L2W_ERR_NOMEM;
    }
    for (size_t i = 0; i < k; i++)
        numbers[n + i] = t->next + i;
    t->n = k;
    p->cur.n = n + k;
    return L2W_OK;
}

/* Moves the tail's headers, read after cur's, out of cur. */
static l2w_status take_tail(pipeline *p, l2w_err *err)
{
    fetched_range *t = &p->tail;
    size_t n = p->cur.n - t->n;
    t->h = malloc(t->n * sizeof *t->h);
    if (!t->h) {
        l2w_err_set(err, "follower %s: catch-up tail: out of memory", p->f->chain->name);
        return L2W_ERR_NOMEM;
    }
    memcpy(t->h, p->cur.h + n, t->n * sizeof *t->h);
    p->cur.n = n;
    p->tail_asked = true;
    return L2W_OK;
}

/* Whether a failed eth_getLogs was the provider refusing the range; if so
 * the span is split and the range asked again with the next request. */
static bool split_refused(pipeline *p, uint64_t to, l2w_status st, const l2w_err *err)
{
    uint64_t span = to - p->from + 1;
    if (!l2w_eth_logs_range_refused(st, err) || !l2w_log_ranges_refused(&p->f->ranges, span))
        return false;
    l2w_follower *f = p->f;
    l2w_counter_add(f->range_refusals, 1);
    l2w_gauge_set(f->range_gauge, (double)f->ranges.span);
    L2W_INFO("follower", f->chain->name, "eth_getLogs over %llu blocks (%llu..%llu) refused: %s; split to %llu",
             (unsigned long long)span, (unsigned long long)p->from, (unsigned long long)to, err->msg,
             (unsigned long long)f->ranges.span);
    return true;
}

/* One request: cur's headers if cur is in hand, the next range's logs if
 * ask; then the store before it is awaited, cur checked and its store
 * started, and the logs become cur. *stop when cur may not be stored (a
 * reorg unwound, or the chain moved): the step starts again from the
 * checkpoint. */
static l2w_status pipeline_step(pipeline *p, l2w_db *db, l2w_rpc *rpc, bool ask, bool *more, bool *new_facts,
                                bool *stop, l2w_err *err)
{
    l2w_follower *f = p->f;
    fetched_range got = {0};
    l2w_status st = L2W_OK;
    if (p->has_cur)
        st = range_numbers(f, &p->cur, err);
    bool tail = st == L2W_OK && !ask && p->has_cur && p->from > p->last && p->tail_to > p->last && !p->tail_asked;
    if (tail)
        st = add_tail(p, err);
    l2w_log_filter filter = {0};
    bool logs_asked = ask && f->n_watches > 0 && st == L2W_OK;
    if (logs_asked) {
        filter = l2w_follower_filter(f, p->from, l2w_log_ranges_end(&f->ranges, p->from, p->last));
    } else if (ask) {
        filter.to = p->last; /* nothing watched: only the checkpoint's header is needed */
    } else if (tail) {
        filter = l2w_follower_filter(f, p->tail.next, p->tail.to);
    }
    bool tail_logs = tail && f->n_watches > 0;
    l2w_status logs_st = L2W_OK;
    l2w_err logs_err = {{0}};
    double t0 = now_ms();
    if (st == L2W_OK && (p->has_cur || logs_asked))
        st = l2w_eth_headers_and_logs(rpc, p->cur.numbers, p->has_cur ? p->cur.n : 0, p->cur.h,
                                      logs_asked || tail_logs ? &filter : NULL,
                                      tail_logs ? &p->tail.logs : &got.logs,
                                      tail_logs ? &p->tail.n_logs : &got.n_logs, &logs_st, &logs_err, err);
    double took = now_ms() - t0;
    if (tail && st == L2W_OK) {
        p->tail_logs_st = logs_st;
        p->tail_logs_err = logs_err;
        logs_st = L2W_OK;
        st = take_tail(p, err);
    }

    /* The store of the range before cur ran meanwhile; it must be done
     * before cur is checked (a reorg at its tip is unwound with db). */
    l2w_status store_st = store_wait(&p->job, more, new_facts, err);
    if (store_st != L2W_OK) {
        range_free(&got);
        return store_st;
    }
    bool retry = false;
    if (logs_asked && logs_st != L2W_OK) {
        range_free(&got);
        if (!split_refused(p, filter.to, logs_st, &logs_err)) {
            *err = logs_err;
            return logs_st;
        }
        retry = st != L2W_OK; /* the whole batch failed over the logs: ask cur's headers again */
    }
    if (st != L2W_OK && !retry) {
        range_free(&got);
        return st;
    }
    if (p->has_cur && !retry) {
        p->cur.headers_ms += logs_asked && logs_st == L2W_OK ? 0 : took;
        bool usable;
        if ((st = check_range(f, db, rpc, &p->cur, &usable, err)) != L2W_OK || !usable) {
            range_free(&got);
            *stop = true;
            return st;
        }
        p->tip = (stored_tip){.number = p->cur.to, .hash = p->cur.h[p->cur.n - 1].hash};
        p->has_tip = true;
        store_start(&p->job, &p->cur);
        p->has_cur = false;
    }
    if (ask && logs_st == L2W_OK && !retry) {
        if (logs_asked) {
            l2w_follower_keep_watched(f, got.logs, &got.n_logs);
            l2w_log_ranges_success(&f->ranges, filter.to - filter.from + 1);
            l2w_gauge_set(f->range_gauge, (double)f->ranges.span);
        }
        got.next = p->from;
        got.to = filter.to;
        got.has_tip = p->has_tip;
        got.tip = p->tip;
        got.logs_ms = logs_asked ? took : 0;
        p->cur = got;
        p->has_cur = true;
        p->from = filter.to + 1;
    }
    return L2W_OK;
}

/* Ingests next..(at most) last, all of it final enough, range after range
 * for up to CATCH_UP_CALL_MS; each range is one eth_getLogs, the headers it
 * needs (in the same batch as the next range's eth_getLogs) and one
 * transaction. */
l2w_status l2w_follower_catch_up(l2w_follower *f, l2w_db *db, l2w_rpc *rpc, uint64_t next, uint64_t last,
                                 uint64_t tail_to, const stored_tip *prev, bool *more, bool *new_facts, l2w_err *err)
{
    const char *name = f->chain->name;
    if (!f->catching_up) {
        f->catching_up = true;
        L2W_INFO("follower", name,
                 "catching up %llu..%llu with logs and the headers they need, then the last %u block(s) whole",
                 (unsigned long long)next, (unsigned long long)last, f->chain->max_reorg_depth + 1);
    }
    double stop_at = now_ms() + CATCH_UP_CALL_MS;
    pipeline p = {.f = f, .last = last, .tail_to = tail_to, .from = next, .has_tip = prev != NULL};
    if (prev)
        p.tip = *prev;
    p.job.f = f;
    p.job.db = db;
    l2w_status st = L2W_OK;
    bool stop = false;
    while (st == L2W_OK && !stop) {
        /* The first range is always asked for; more while time remains. */
        bool ask = p.from <= last && (p.from == next || now_ms() < stop_at);
        if (!ask && !p.has_cur)
            break;
        st = pipeline_step(&p, db, rpc, ask, more, new_facts, &stop, err);
    }
    range_free(&p.cur);
    /* The last store is always awaited: its thread uses db. */
    l2w_err store_err;
    l2w_status store_st = store_wait(&p.job, more, new_facts, &store_err);
    if (st == L2W_OK && store_st != L2W_OK) {
        st = store_st;
        *err = store_err;
    }
    if (st == L2W_OK && !stop && p.tail_asked) {
        bool tail_more;
        st = l2w_follower_settle_dense(f, db, rpc, p.tail.h, p.tail.n, p.tail.logs, &p.tail.n_logs, p.tail_logs_st,
                                       &p.tail_logs_err, &p.tip.hash, &tail_more, new_facts, err);
        *more = tail_more || p.tail.to < tail_to;
    }
    range_free(&p.tail);
    if (st == L2W_ERR_NOT_READY) {
        L2W_UNUSUAL("follower", name, "%s; retrying", err->msg);
        return L2W_OK;
    }
    return st;
}
