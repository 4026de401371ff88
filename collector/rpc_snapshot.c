/* l2w_rpc_snapshot: each endpoint's health as plain values, for the chain
 * worker to store (collector/endpoint_store.h) where the web server, which
 * never talks to chains, can read it. */

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "collector/rpc_internal.h"

static uint64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* The health keeps monotonic times; a reader wants wall-clock ones. */
static uint64_t mono_to_wall(uint64_t mono, uint64_t now_mono, uint64_t now_wall)
{
    if (mono >= now_mono)
        return now_wall + (mono - now_mono);
    uint64_t ago = now_mono - mono;
    return ago < now_wall ? now_wall - ago : 0;
}

void l2w_rpc_snapshot(const l2w_rpc *rpc, l2w_rpc_endpoint_snapshot *out, size_t cap, size_t *n)
{
    uint64_t now = l2w_rpc_now_ms(), now_wall = wall_ms();
    size_t count = rpc->n < cap ? rpc->n : cap;
    for (size_t i = 0; i < count; i++) {
        const endpoint *e = &rpc->ep[i];
        const l2w_rpc_endpoint_health *h = &rpc->health.ep[i];
        l2w_rpc_endpoint_snapshot *s = &out[i];
        memset(s, 0, sizeof *s);
        s->index = i;
        snprintf(s->label, sizeof s->label, "%s", e->label);
        s->state = l2w_rpc_health_state(&rpc->health, i, rpc->current, now);
        s->score = l2w_rpc_health_score(&rpc->health, i, now);
        s->head_known = h->head_known;
        if (h->head_known) {
            s->head = h->head;
            s->head_at_ms = mono_to_wall(h->head_at_ms, now, now_wall);
        }
        if (s->state == L2W_RPC_EP_RESTING || s->state == L2W_RPC_EP_WRONG_CHAIN)
            s->resting_until_ms = mono_to_wall(h->backoff_until_ms, now, now_wall);
        s->has_fault = e->has_fault;
        s->last_fault = e->last_fault;
        s->last_fault_at_ms = e->last_fault_wall_ms;
        s->requests = e->n_requests;
        s->faults = e->n_faults;
    }
    *n = count;
}
