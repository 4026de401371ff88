#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collector/rpc_internal.h"
#include "core/json.h"
#include "core/log.h"

uint64_t l2w_rpc_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

double l2w_rpc_now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------ health bookkeeping */

bool l2w_rpc_several(const l2w_rpc *rpc)
{
    return rpc->n > 1;
}

void l2w_rpc_show_score(l2w_rpc *rpc, size_t i, uint64_t now)
{
    l2w_gauge_set(rpc->ep[i].score, l2w_rpc_health_score(&rpc->health, i, now));
}

void l2w_rpc_count_fault(l2w_rpc *rpc, size_t i, l2w_rpc_fault fault)
{
    endpoint *e = &rpc->ep[i];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    l2w_counter_add(e->errors[fault], 1);
    e->n_faults++;
    e->has_fault = true;
    e->last_fault = fault;
    e->last_fault_wall_ms = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Holds a failure against endpoint i. Logged when it starts failing (the
 * caller reports the error itself when there is only one endpoint). */
void l2w_rpc_blame(l2w_rpc *rpc, size_t i, l2w_rpc_fault fault, const l2w_err *err)
{
    endpoint *e = &rpc->ep[i];
    uint64_t now = l2w_rpc_now_ms();
    bool was_failing = rpc->health.ep[i].failures_in_row > 0;
    l2w_rpc_count_fault(rpc, i, fault);
    uint64_t rest = l2w_rpc_health_failure(&rpc->health, i, fault, now);
    l2w_rpc_show_score(rpc, i, now);
    if (!l2w_rpc_several(rpc))
        return;
    const char *why = err->msg;
    if (was_failing)
        L2W_DEBUG("rpc", rpc->chain, "endpoint %s: %s; resting %llu ms", e->label, why, (unsigned long long)rest);
    else
        L2W_UNUSUAL("rpc", rpc->chain, "endpoint %s: %s; avoiding it for %llu ms", e->label, why,
                    (unsigned long long)rest);
}

void l2w_rpc_credit(l2w_rpc *rpc, size_t i)
{
    uint64_t now = l2w_rpc_now_ms();
    bool was_failing = rpc->health.ep[i].failures_in_row > 0;
    l2w_rpc_health_success(&rpc->health, i, now);
    l2w_rpc_show_score(rpc, i, now);
    if (was_failing && l2w_rpc_several(rpc))
        L2W_INFO("rpc", rpc->chain, "endpoint %s answers again", rpc->ep[i].label);
}

/* Counts and logs each endpoint's lagging spells once, as heads move. */
static void review_lag(l2w_rpc *rpc, uint64_t now)
{
    uint64_t best = 0;
    bool have_best = l2w_rpc_health_best_head(&rpc->health, now, &best);
    for (size_t i = 0; i < rpc->n; i++) {
        endpoint *e = &rpc->ep[i];
        bool lagging = l2w_rpc_health_lagging(&rpc->health, i, now);
        if (lagging && !e->lag_reported) {
            e->lag_reported = true;
            l2w_rpc_count_fault(rpc, i, L2W_RPC_FAULT_HEAD_LAG);
            (void)l2w_rpc_health_failure(&rpc->health, i, L2W_RPC_FAULT_HEAD_LAG, now);
            l2w_rpc_show_score(rpc, i, now);
            L2W_UNUSUAL("rpc", rpc->chain, "endpoint %s lags: head %llu, best %llu, more than %llu behind; avoiding it",
                        e->label, (unsigned long long)rpc->health.ep[i].head,
                        (unsigned long long)(have_best ? best : 0), (unsigned long long)rpc->health.max_head_lag);
        } else if (!lagging && e->lag_reported) {
            e->lag_reported = false;
            L2W_INFO("rpc", rpc->chain, "endpoint %s caught up", e->label);
        }
    }
}

void l2w_rpc_note_head(l2w_rpc *rpc, size_t i, uint64_t head)
{
    if (rpc->health.max_head_lag == 0)
        return;
    uint64_t now = l2w_rpc_now_ms();
    l2w_rpc_health_head(&rpc->health, i, head, now);
    l2w_gauge_set(rpc->ep[i].head, (double)head);
    review_lag(rpc, now);
}

/* Endpoint i just answered a call: it is the one in use from now on. */
void l2w_rpc_settle_on(l2w_rpc *rpc, size_t i)
{
    rpc->last_ok = i;
    if (rpc->pinned || i == rpc->current)
        return;
    l2w_counter_add(rpc->ep[rpc->current].rotations, 1);
    L2W_UNUSUAL("rpc", rpc->chain, "switched from endpoint %s to %s", rpc->ep[rpc->current].label, rpc->ep[i].label);
    rpc->current = i;
}

