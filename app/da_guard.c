#include "app/da_guard.h"

#include <stdio.h>
#include <stdlib.h>

#include "app/da_guard_internal.h"
#include "app/guard_loop.h"
#include "core/log.h"

/* Fetch retries are due at their own times: look at least this often. */
#define MAX_WAIT_MS 500

typedef struct {
    da_ctx ctx;
    l2w_guard_loop *loop;
} da_thread;

struct l2w_da_guard {
    da_thread threads[L2W_MAX_DA];
    size_t n;
};

l2w_status l2w_da_load_params(da_ctx *c, l2w_err *err)
{
    l2w_status st = l2w_dac_read_params(c->rpc, &c->da->challenge_contract, "latest", &c->params, err);
    if (st != L2W_OK) {
        l2w_err_prefix(err, "DataAvailabilityChallenge at the configured challenge_contract");
        return st;
    }
    c->have_params = true;
    uint64_t window_s = c->params.challenge_window * c->da->l1_block_time_s;
    char bond[L2W_U256_DEC_LEN];
    l2w_u256_to_dec(bond, &c->params.bond_size);
    L2W_INFO("da", c->da->chain, "challenge window %llu blocks (about %llu s), resolve window %llu blocks, bond %s wei",
             (unsigned long long)c->params.challenge_window, (unsigned long long)window_s,
             (unsigned long long)c->params.resolve_window, bond);
    if (c->da->fetch_deadline_s >= window_s)
        L2W_UNUSUAL("da", c->da->chain,
                    "fetch_deadline_s %u is not shorter than the challenge window (about %llu s): withheld data "
                    "would be found too late to challenge",
                    (unsigned)c->da->fetch_deadline_s, (unsigned long long)window_s);
    return L2W_OK;
}

static void make_metrics(da_ctx *c)
{
    char labels[96];
    snprintf(labels, sizeof labels, "chain=\"%s\",result=\"passed\"", c->da->chain);
    c->checks_passed = l2w_counter_get("l2watch_da_checks_total", "DA commitments checked, by result", labels);
    snprintf(labels, sizeof labels, "chain=\"%s\",result=\"failed\"", c->da->chain);
    c->checks_failed = l2w_counter_get("l2watch_da_checks_total", "DA commitments checked, by result", labels);
    snprintf(labels, sizeof labels, "chain=\"%s\"", c->da->chain);
    c->postings = l2w_counter_get("l2watch_da_batcher_postings_total",
                                  "Batcher transactions to the batch inbox seen on the L1", labels);
    c->scanned_block = l2w_gauge_get("l2watch_da_scanned_block", "Last L1 block scanned for batcher postings", labels);
    c->last_posting = l2w_gauge_get("l2watch_da_last_posting_timestamp_seconds",
                                    "L1 block time of the last batcher posting seen", labels);
}

/* Each part runs even when an earlier one failed (a DA server that is down
 * must not stop the scan), and the first error is reported. */
static l2w_status guard_step(da_ctx *c, l2w_db *db, bool *more, l2w_err *err)
{
    l2w_err e = {{0}};
    l2w_status first = l2w_da_scan_step(c, db, more, err);
    l2w_status st = l2w_da_check_step(c, db, first == L2W_OK ? err : &e);
    if (first == L2W_OK)
        first = st;
    st = l2w_da_challenges_step(c, db, first == L2W_OK ? err : &e);
    return first == L2W_OK ? st : first;
}

static l2w_status guard_pass(void *arg, l2w_db *db, bool *more, bool *raised, l2w_err *err)
{
    da_ctx *c = arg;
    c->raised = false;
    l2w_status st = guard_step(c, db, more, err);
    *raised = c->raised;
    return st;
}

l2w_status l2w_da_guard_start(l2w_da_guard **out, const l2w_config *cfg, l2w_wakeup *wakeup, l2w_err *err)
{
    *out = NULL;
    if (cfg->n_da == 0)
        return L2W_OK;
    l2w_da_guard *g = calloc(1, sizeof *g);
    if (!g) {
        l2w_err_set(err, "da guard: out of memory");
        return L2W_ERR_NOMEM;
    }
    *out = g;
    for (size_t i = 0; i < cfg->n_da; i++) {
        da_thread *t = &g->threads[g->n++];
        da_ctx *c = &t->ctx;
        c->cfg = cfg;
        c->da = &cfg->da[i];
        c->l2 = l2w_config_chain(cfg, c->da->chain);
        c->l1 = c->l2 ? l2w_config_chain(cfg, c->l2->l1) : NULL;
        if (!c->l1) {
            l2w_err_set(err, "da %s: the chain or its l1 is not configured", c->da->chain);
            return L2W_ERR_CONFIG;
        }
        l2w_status st = l2w_rpc_create_for_chain(&c->rpc, c->l1, err);
        if (st == L2W_OK)
            st = l2w_da_http_create(&c->http, err);
        if (st != L2W_OK)
            return st;
        make_metrics(c);
        char lock[64];
        snprintf(lock, sizeof lock, "l2watch-da:%s", c->da->chain);
        uint32_t idle = c->l1->poll_interval_ms < MAX_WAIT_MS ? c->l1->poll_interval_ms : MAX_WAIT_MS;
        const l2w_guard_spec spec = {.component = "da",
                                     .subject = c->da->chain,
                                     .lock_name = lock,
                                     .database_url = cfg->database_url,
                                     .idle_ms = idle,
                                     .retry_ms = MAX_WAIT_MS,
                                     .step = guard_pass,
                                     .ctx = c,
                                     .wakeup = wakeup};
        if ((st = l2w_guard_loop_start(&t->loop, &spec, err)) != L2W_OK)
            return st;
    }
    return L2W_OK;
}

void l2w_da_guard_stop(l2w_da_guard *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->n; i++) {
        l2w_guard_loop_join(g->threads[i].loop);
        l2w_rpc_destroy(g->threads[i].ctx.rpc);
        l2w_da_http_destroy(g->threads[i].ctx.http);
    }
    free(g);
}
