#include "app/bridge_guard.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/bridge_guard_internal.h"
#include "collector/bridge_events.h"
#include "collector/bridge_reads.h"
#include "core/log.h"

#define RETRY_MS 1000
#define REPEAT_LOG_SECONDS 60

typedef struct {
    bridge_ctx ctx;
    l2w_wakeup *wakeup;
    pthread_t thread;
    bool started;
} bridge_thread;

struct l2w_bridge_guard {
    bridge_thread threads[L2W_MAX_BRIDGES];
    size_t n;
};

void l2w_bridge_subject_of(l2w_bridge_subject *s, const bridge_ctx *c, const l2w_bridge_token *t)
{
    memset(s, 0, sizeof *s);
    s->bridge = c->bridge->name;
    s->chain = c->bridge->chain;
    s->remote_chain = c->bridge->remote_chain;
    s->symbol = t->symbol;
    s->native = t->native;
    s->token = t->address;
    s->escrow = t->escrow;
    s->decimals = t->decimals;
}

l2w_status l2w_bridge_token_subject(char *out, size_t size, const bridge_ctx *c, const l2w_bridge_token *t,
                                    l2w_err *err)
{
    l2w_bridge_subject s;
    l2w_bridge_subject_of(&s, c, t);
    return l2w_bridge_subject_key(out, size, &s, err);
}

static void make_metrics(bridge_ctx *c)
{
    char labels[160];
    const l2w_bridge_config *b = c->bridge;
    for (size_t i = 0; i < b->n_tokens; i++) {
        /* Token symbols label the series (bounded by the config), never addresses. */
        snprintf(labels, sizeof labels, "bridge=\"%s\",token=\"%s\"", b->name, b->tokens[i].symbol);
        c->tokens[i].escrow = l2w_gauge_get("l2watch_bridge_escrow_balance",
                                            "Escrow balance at the last sample, in the token's base units", labels);
        c->tokens[i].supply = l2w_gauge_get("l2watch_bridge_remote_supply",
                                            "Bridged token's supply on the other chain, in base units", labels);
        c->tokens[i].drawdown_ratio = l2w_gauge_get(
            "l2watch_bridge_drawdown_ratio", "Escrow fall within the drawdown window as a share of its peak", labels);
    }
    snprintf(labels, sizeof labels, "bridge=\"%s\"", b->name);
    c->paused = l2w_gauge_get("l2watch_bridge_paused", "1 when the bridge's pause switch is on", labels);
    snprintf(labels, sizeof labels, "bridge=\"%s\",result=\"backed\"", b->name);
    c->judged_backed = l2w_counter_get("l2watch_bridge_withdrawals_judged_total",
                                       "Withdrawals and releases judged by forged_withdrawal", labels);
    snprintf(labels, sizeof labels, "bridge=\"%s\",result=\"forged\"", b->name);
    c->judged_forged = l2w_counter_get("l2watch_bridge_withdrawals_judged_total",
                                       "Withdrawals and releases judged by forged_withdrawal", labels);
}

static l2w_status update_pause_state(bridge_ctx *c, l2w_db *db, l2w_err *err)
{
    if (c->bridge->pause_method == L2W_PAUSE_NONE || !c->bridge->has_pause_contract)
        return L2W_OK;
    bool paused;
    l2w_status st = l2w_read_paused(c->rpc, &c->bridge->pause_contract, "latest", &paused, err);
    if (st != L2W_OK)
        return st;
    l2w_gauge_set(c->paused, paused ? 1 : 0);
    const char *params[] = {c->bridge->name, paused ? "true" : "false"};
    return l2w_db_exec(db, NULL,
                       "INSERT INTO bridge_status (bridge, token, paused) VALUES ($1, '*', $2) "
                       "ON CONFLICT (bridge, token) DO UPDATE SET paused = $2, updated_at = now()",
                       2, params, err);
}

/* One pass; each part runs even when an earlier one failed (a slow remote
 * chain must not stop the drawdown check), and the first error is reported. */
static l2w_status guard_step(bridge_ctx *c, l2w_db *db, l2w_err *err)
{
    l2w_status (*const parts[])(bridge_ctx *, l2w_db *, l2w_err *) = {
        l2w_bridge_sample_escrow, l2w_bridge_judge_pending, l2w_bridge_check_backing, l2w_bridge_check_limits,
        update_pause_state,
    };
    l2w_status first = L2W_OK;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        l2w_err e = {{0}};
        l2w_status st = parts[i](c, db, &e);
        if (st != L2W_OK && first == L2W_OK) {
            first = st;
            *err = e;
        }
    }
    return first;
}

static void *guard_main(void *arg)
{
    bridge_thread *t = arg;
    bridge_ctx *c = &t->ctx;
    l2w_db *db = NULL;
    l2w_err err = {{0}};
    char last_error[sizeof err.msg] = "";
    time_t last_error_at = 0;
    uint64_t seen = l2w_wakeup_generation(t->wakeup);
    while (!l2w_wakeup_stopping(t->wakeup)) {
        l2w_status st = db ? L2W_OK : l2w_db_connect(&db, c->cfg->database_url, &err);
        c->raised = false;
        if (st == L2W_OK)
            st = guard_step(c, db, &err);
        if (c->raised)
            l2w_wakeup_notify(t->wakeup); /* a response may wait */
        if (st != L2W_OK) {
            time_t now = time(NULL);
            if (strcmp(err.msg, last_error) != 0 || now - last_error_at >= REPEAT_LOG_SECONDS) {
                L2W_UNUSUAL("bridge_guard", c->bridge->name, "%s", err.msg);
                snprintf(last_error, sizeof last_error, "%s", err.msg);
                last_error_at = now;
            }
        } else if (last_error[0]) {
            L2W_INFO("bridge_guard", c->bridge->name, "recovered");
            last_error[0] = '\0';
        }
        uint32_t wait = c->chain->poll_interval_ms;
        if (st != L2W_OK && wait > RETRY_MS)
            wait = RETRY_MS;
        l2w_wakeup_wait(t->wakeup, &seen, wait);
    }
    l2w_db_close(db);
    return NULL;
}

static void close_ctx(bridge_ctx *c)
{
    l2w_rpc_destroy(c->rpc);
    l2w_rpc_destroy(c->remote_rpc);
    c->rpc = c->remote_rpc = NULL;
}

l2w_status l2w_bridge_guard_start(l2w_bridge_guard **out, const l2w_config *cfg, l2w_wakeup *wakeup, l2w_err *err)
{
    *out = NULL;
    if (cfg->n_bridges == 0)
        return L2W_OK;
    l2w_bridge_guard *g = calloc(1, sizeof *g);
    if (!g) {
        l2w_err_set(err, "bridge guard: out of memory");
        return L2W_ERR_NOMEM;
    }
    *out = g;
    for (size_t i = 0; i < cfg->n_bridges; i++) {
        bridge_thread *t = &g->threads[g->n++];
        bridge_ctx *c = &t->ctx;
        c->cfg = cfg;
        c->bridge = &cfg->bridges[i];
        c->chain = l2w_config_chain(cfg, c->bridge->chain);
        c->remote = l2w_config_chain(cfg, c->bridge->remote_chain);
        t->wakeup = wakeup;
        if (!c->chain || !c->remote) {
            l2w_err_set(err, "bridge %s: chain %s or %s is not configured", c->bridge->name, c->bridge->chain,
                        c->bridge->remote_chain);
            return L2W_ERR_CONFIG;
        }
        l2w_status st = l2w_rpc_create_for_chain(&c->rpc, c->chain, err);
        if (st == L2W_OK)
            st = l2w_rpc_create_for_chain(&c->remote_rpc, c->remote, err);
        if (st != L2W_OK)
            return st;
        make_metrics(c);
        if (pthread_create(&t->thread, NULL, guard_main, t) != 0) {
            l2w_err_set(err, "bridge %s: cannot start its thread", c->bridge->name);
            return L2W_ERR_NOMEM;
        }
        t->started = true;
    }
    return L2W_OK;
}

void l2w_bridge_guard_stop(l2w_bridge_guard *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->n; i++) {
        if (g->threads[i].started)
            pthread_join(g->threads[i].thread, NULL);
        close_ctx(&g->threads[i].ctx);
    }
    free(g);
}
