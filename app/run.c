#include "app/run.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alerts/outbox.h"
#include "app/analytics_guard.h"
#include "app/bridge_guard.h"
#include "app/committee_guard.h"
#include "app/da_guard.h"
#include "app/channel_guard.h"
#include "app/liveness_guard.h"
#include "app/output_checker.h"
#include "app/responder_worker.h"
#include "app/wakeup.h"
#include "collector/chain_store.h"
#include "collector/endpoint_store.h"
#include "collector/eth.h"
#include "collector/follower.h"
#include "core/db.h"
#include "core/log.h"
#include "web/server.h"

#define RETRY_MS 1000
/* How often a worker stores its endpoints' health (chain_endpoints), at
 * most: a few seconds is fresh enough for a page, and costs one statement. */
#define ENDPOINTS_EVERY_MS 2000
#define REPEAT_LOG_SECONDS 60

typedef struct chain_worker chain_worker;

struct chain_worker {
    const l2w_config *cfg;
    const l2w_chain_config *chain;
    l2w_wakeup *wakeup;
    pthread_t thread;
    bool started;
    l2w_follower *follower;
    l2w_output_checker *checker;
    char last_error[sizeof(((l2w_err *)0)->msg)];
    time_t last_error_at;
    struct timespec endpoints_at; /* the last store of the endpoints' health */
};

static const char *component(const chain_worker *w)
{
    return w->chain->role == L2W_CHAIN_L1 ? "follower" : "state_root";
}

/* A failing endpoint would otherwise log the same line every poll. */
static void report(chain_worker *w, const l2w_err *err)
{
    time_t now = time(NULL);
    if (strcmp(err->msg, w->last_error) == 0 && now - w->last_error_at < REPEAT_LOG_SECONDS)
        return;
    L2W_UNUSUAL(component(w), w->chain->name, "%s", err->msg);
    snprintf(w->last_error, sizeof w->last_error, "%s", err->msg);
    w->last_error_at = now;
}

static void recovered(chain_worker *w)
{
    if (w->last_error[0])
        L2W_INFO(component(w), w->chain->name, "recovered");
    w->last_error[0] = '\0';
}

static l2w_status check_chain_id(const l2w_chain_config *ch, l2w_rpc *rpc, l2w_err *err)
{
    uint64_t id;
    l2w_status st = l2w_eth_chain_id(rpc, &id, err);
    if (st != L2W_OK)
        return st;
    if (id != ch->chain_id) {
        l2w_err_set(err, "chain %s: endpoint %s serves chain id %llu, the config says %llu", ch->name,
                    l2w_rpc_current_url(rpc), (unsigned long long)id, (unsigned long long)ch->chain_id);
        return L2W_ERR_CONFIG;
    }
    return L2W_OK;
}

static l2w_status worker_step(chain_worker *w, l2w_db *db, l2w_rpc *rpc, bool *more, l2w_err *err)
{
    *more = false;
    /* Every L1 is followed; an L2 only when contract events are watched on
     * it (a lock/release bridge's source side). */
    if (w->chain->role == L2W_CHAIN_L1 || l2w_follower_watches(w->follower)) {
        bool new_facts;
        l2w_status st = l2w_follower_step(w->follower, db, rpc, more, &new_facts, err);
        if (st == L2W_OK && new_facts)
            l2w_wakeup_notify(w->wakeup);
        *more = *more && st == L2W_OK;
        if (st == L2W_OK && w->cfg->channels.enabled && strcmp(w->cfg->channels.chain, w->chain->name) == 0) {
            size_t raised = 0;
            bool backlog = false;
            st = l2w_channel_guard_step(db, w->cfg, &raised, &backlog, err);
            if (raised > 0)
                l2w_wakeup_notify(w->wakeup); /* a response waits */
            *more = *more || (st == L2W_OK && backlog);
        }
        if (st != L2W_OK || w->chain->role == L2W_CHAIN_L1)
            return st;
    }
    size_t judged = 0;
    l2w_status st = l2w_output_checker_step(w->checker, db, rpc, &judged, err);
    if (judged > 0)
        l2w_wakeup_notify(w->wakeup); /* a finding may wait for its response */
    return st;
}

/* Stores the endpoints' health every ENDPOINTS_EVERY_MS, whatever the step
 * did: a failing endpoint is exactly what a reader wants to see. The worker
 * owns rpc, so its snapshot is taken on its own thread. A failed store is
 * reported like a failed step and tried again next time. */
static void publish_endpoints(chain_worker *w, l2w_db *db, const l2w_rpc *rpc)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    int64_t since_ms = (int64_t)(now.tv_sec - w->endpoints_at.tv_sec) * 1000 +
                       (now.tv_nsec - w->endpoints_at.tv_nsec) / 1000000;
    if (!db || (w->endpoints_at.tv_sec != 0 && since_ms < ENDPOINTS_EVERY_MS))
        return;
    l2w_rpc_endpoint_snapshot snap[L2W_RPC_MAX_ENDPOINTS];
    size_t n;
    l2w_rpc_snapshot(rpc, snap, L2W_RPC_MAX_ENDPOINTS, &n);
    l2w_err err = {{0}};
    if (l2w_store_endpoints(db, w->chain->name, snap, n, &err) != L2W_OK) {
        report(w, &err);
        return;
    }
    w->endpoints_at = now;
}

static void *worker_main(void *arg)
{
    chain_worker *w = arg;
    l2w_rpc *rpc = NULL;
    l2w_db *db = NULL;
    l2w_err err = {{0}};
    uint64_t seen = l2w_wakeup_generation(w->wakeup);
    bool chain_ok = false;

    if (l2w_rpc_create_for_chain(&rpc, w->chain, &err) != L2W_OK) {
        L2W_BROKEN(component(w), w->chain->name, "%s", err.msg);
        return NULL;
    }
    while (!l2w_wakeup_stopping(w->wakeup)) {
        l2w_status st = L2W_OK;
        bool more = false;
        if (!db)
            st = l2w_db_connect(&db, w->cfg->database_url, &err);
        if (st == L2W_OK && !chain_ok && (st = check_chain_id(w->chain, rpc, &err)) == L2W_OK)
            chain_ok = true;
        if (st == L2W_OK)
            st = worker_step(w, db, rpc, &more, &err);
        if (st == L2W_OK)
            recovered(w);
        else
            report(w, &err);
        publish_endpoints(w, db, rpc);
        if (more)
            continue;
        uint32_t wait = st == L2W_OK ? w->chain->poll_interval_ms : RETRY_MS;
        if (wait > w->chain->poll_interval_ms)
            wait = w->chain->poll_interval_ms;
        l2w_wakeup_wait(w->wakeup, &seen, wait);
    }
    l2w_db_close(db);
    l2w_rpc_destroy(rpc);
    return NULL;
}

static l2w_status start_workers(const l2w_config *cfg, chain_worker *workers, l2w_wakeup *wakeup, l2w_err *err)
{
    for (size_t i = 0; i < cfg->n_chains; i++) {
        chain_worker *w = &workers[i];
        w->cfg = cfg;
        w->chain = &cfg->chains[i];
        w->wakeup = wakeup;
        l2w_status st = l2w_follower_create(&w->follower, cfg, w->chain, err);
        if (st == L2W_OK && w->chain->role == L2W_CHAIN_L2)
            st = l2w_output_checker_create(&w->checker, cfg, w->chain, err);
        if (st != L2W_OK)
            return st;
        if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
            l2w_err_set(err, "cannot start the thread for chain %s", w->chain->name);
            return L2W_ERR_NOMEM;
        }
        w->started = true;
    }
    return L2W_OK;
}

static void stop_workers(const l2w_config *cfg, chain_worker *workers, l2w_wakeup *wakeup)
{
    l2w_wakeup_stop(wakeup);
    for (size_t i = 0; i < cfg->n_chains; i++) {
        if (workers[i].started)
            pthread_join(workers[i].thread, NULL);
        l2w_follower_destroy(workers[i].follower);
        l2w_output_checker_destroy(workers[i].checker);
    }
}

/* Startup check: a wrong chain behind an endpoint is a configuration error and
 * stops l2watch; an unreachable endpoint is only logged (the worker retries). */
static l2w_status startup_chain_checks(const l2w_config *cfg, l2w_err *err)
{
    for (size_t i = 0; i < cfg->n_chains; i++) {
        const l2w_chain_config *ch = &cfg->chains[i];
        l2w_rpc *rpc;
        l2w_status st = l2w_rpc_create_for_chain(&rpc, ch, err);
        if (st != L2W_OK)
            return st;
        st = check_chain_id(ch, rpc, err);
        l2w_rpc_destroy(rpc);
        if (st == L2W_ERR_CONFIG)
            return st;
        if (st != L2W_OK)
            L2W_UNUSUAL("run", ch->name, "%s; will keep retrying", err->msg);
    }
    return L2W_OK;
}

l2w_status l2w_probe_rpcs(const l2w_config *cfg, l2w_err *err)
{
    for (size_t i = 0; i < cfg->n_chains; i++) {
        const l2w_chain_config *ch = &cfg->chains[i];
        for (size_t u = 0; u < ch->n_rpc_urls; u++) {
            l2w_chain_config one = *ch;
            one.rpc_urls[0] = ch->rpc_urls[u];
            one.n_rpc_urls = 1;
            l2w_rpc *rpc;
            l2w_status st = l2w_rpc_create_for_chain(&rpc, &one, err);
            if (st == L2W_OK) {
                st = check_chain_id(&one, rpc, err);
                l2w_rpc_destroy(rpc);
            }
            if (st != L2W_OK)
                return st;
        }
    }
    return L2W_OK;
}

static l2w_status prepare_database(const l2w_config *cfg, l2w_err *err)
{
    l2w_db *db;
    l2w_status st = l2w_db_connect(&db, cfg->database_url, err);
    if (st != L2W_OK)
        return st;
    st = l2w_db_migrate(db, err);
    if (st == L2W_OK)
        st = l2w_store_upsert_chains(db, cfg, err);
    l2w_db_close(db);
    return st;
}

static int wait_for_signal(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    int sig = 0;
    sigwait(&set, &sig);
    return sig;
}

l2w_status l2w_run(const l2w_config *cfg, l2w_err *err)
{
    /* Block the stop signals in every thread; the main thread takes them with sigwait. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    /* Keys first: a signer that cannot load is a configuration error that
     * must stop l2watch before it watches anything. */
    l2w_signers signers;
    l2w_status st = l2w_signers_open(&signers, cfg, err);
    if (st != L2W_OK)
        return st;
    st = prepare_database(cfg, err);
    if (st == L2W_OK)
        st = startup_chain_checks(cfg, err);
    if (st != L2W_OK) {
        l2w_signers_close(&signers);
        return st;
    }

    l2w_web *web = NULL;
    l2w_alerts *alerts = NULL;
    l2w_responder *responder = NULL;
    l2w_bridge_guard *guard = NULL;
    l2w_da_guard *da = NULL;
    l2w_committee_guard *committees = NULL;
    l2w_liveness_guard *liveness = NULL;
    l2w_analytics_guard *analytics = NULL;
    chain_worker workers[L2W_MAX_CHAINS];
    memset(workers, 0, sizeof workers);
    l2w_wakeup *wakeup = l2w_wakeup_create();
    if (!wakeup) {
        l2w_signers_close(&signers);
        l2w_err_set(err, "out of memory");
        return L2W_ERR_NOMEM;
    }
    st = l2w_web_start(&web, cfg,
                          cfg->channels.enabled ? l2w_signers_find(&signers, cfg->channels.receipt_signer) : NULL,
                          err);
    if (st == L2W_OK)
        st = l2w_alerts_start(&alerts, cfg, err);
    if (st == L2W_OK)
        st = start_workers(cfg, workers, wakeup, err);
    if (st == L2W_OK)
        st = l2w_bridge_guard_start(&guard, cfg, wakeup, err);
    if (st == L2W_OK)
        st = l2w_da_guard_start(&da, cfg, wakeup, err);
    if (st == L2W_OK)
        st = l2w_committee_guard_start(&committees, cfg, wakeup, err);
    if (st == L2W_OK)
        st = l2w_liveness_guard_start(&liveness, cfg, wakeup, err);
    if (st == L2W_OK)
        st = l2w_analytics_guard_start(&analytics, cfg, wakeup, err);
    if (st == L2W_OK)
        st = l2w_responder_start(&responder, cfg, &signers, wakeup, err);
    if (st == L2W_OK) {
        L2W_INFO("run", NULL, "l2watch %s watching %zu chain(s); dashboard on http://%s:%u/", L2W_VERSION,
                 cfg->n_chains, cfg->web_listen_host, (unsigned)l2w_web_port(web));
        int sig = wait_for_signal();
        L2W_INFO("run", NULL, "signal %d: stopping", sig);
    }
    stop_workers(cfg, workers, wakeup);
    l2w_bridge_guard_stop(guard);
    l2w_da_guard_stop(da);
    l2w_committee_guard_stop(committees);
    l2w_liveness_guard_stop(liveness);
    l2w_analytics_guard_stop(analytics);
    l2w_responder_stop(responder);
    l2w_signers_close(&signers);
    l2w_alerts_stop(alerts);
    l2w_web_stop(web);
    l2w_wakeup_destroy(wakeup);
    return st;
}
