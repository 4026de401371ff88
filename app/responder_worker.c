#include "app/responder_worker.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collector/rpc.h"
#include "core/db.h"
#include "core/log.h"
#include "core/secp.h"
#include "responder/txmgr.h"

#define RETRY_MS 1000
#define IDLE_MS 5000
#define REPEAT_LOG_SECONDS 60

typedef struct {
    const l2w_config *cfg;
    const l2w_chain_config *chain;
    l2w_wakeup *wakeup;
    l2w_txmgr *txmgr;
    pthread_t thread;
    bool started;
    char last_error[sizeof(((l2w_err *)0)->msg)];
    time_t last_error_at;
} chain_responder;

struct l2w_responder {
    chain_responder chains[L2W_MAX_CHAINS];
    size_t n;
};

static int64_t lock_key(const char *chain)
{
    char text[64];
    snprintf(text, sizeof text, "l2watch-responder:%s", chain);
    return l2w_db_lock_key(text);
}

static void report(chain_responder *c, const l2w_err *err)
{
    time_t now = time(NULL);
    if (strcmp(err->msg, c->last_error) == 0 && now - c->last_error_at < REPEAT_LOG_SECONDS)
        return;
    L2W_UNUSUAL("responder", c->chain->name, "%s", err->msg);
    snprintf(c->last_error, sizeof c->last_error, "%s", err->msg);
    c->last_error_at = now;
}

static l2w_status lead(chain_responder *c, l2w_db **db, bool *leader, l2w_err *err)
{
    if (!*db) {
        l2w_status st = l2w_db_connect(db, c->cfg->database_url, err);
        if (st != L2W_OK)
            return st;
        *leader = false;
    }
    if (*leader)
        return L2W_OK;
    int acquired = 0;
    l2w_status st = l2w_db_try_lock(*db, lock_key(c->chain->name), &acquired, err);
    if (st == L2W_OK && acquired) {
        *leader = true;
        L2W_INFO("responder", c->chain->name, "this replica now sends responses on %s", c->chain->name);
    }
    return st;
}

static void *responder_main(void *arg)
{
    chain_responder *c = arg;
    l2w_rpc *rpc = NULL;
    l2w_db *db = NULL;
    bool leader = false;
    l2w_err err = {{0}};
    uint64_t seen = l2w_wakeup_generation(c->wakeup);
    if (l2w_rpc_create_for_chain(&rpc, c->chain, &err) != L2W_OK) {
        L2W_BROKEN("responder", c->chain->name, "%s", err.msg);
        return NULL;
    }
    while (!l2w_wakeup_stopping(c->wakeup)) {
        bool in_flight = false;
        l2w_status st = lead(c, &db, &leader, &err);
        if (st == L2W_OK && leader)
            st = l2w_txmgr_step(c->txmgr, db, rpc, &in_flight, &err);
        if (st == L2W_ERR_DB_RETRY || st == L2W_ERR_DB) {
            /* A dropped connection also dropped the lock: re-acquire it. */
            l2w_db_close(db);
            db = NULL;
            leader = false;
        }
        if (st != L2W_OK)
            report(c, &err);
        uint32_t wait = st != L2W_OK ? RETRY_MS : in_flight ? c->chain->txmgr.receipt_poll_ms : IDLE_MS;
        l2w_wakeup_wait(c->wakeup, &seen, wait);
    }
    l2w_db_close(db);
    l2w_rpc_destroy(rpc);
    l2w_secp_thread_cleanup();
    return NULL;
}

l2w_status l2w_responder_start(l2w_responder **out, const l2w_config *cfg, const l2w_signers *signers,
                               l2w_wakeup *wakeup, l2w_err *err)
{
    l2w_responder *r = calloc(1, sizeof *r);
    if (!r) {
        l2w_err_set(err, "responder: out of memory");
        return L2W_ERR_NOMEM;
    }
    *out = r;
    for (size_t i = 0; i < cfg->n_chains; i++) {
        if (cfg->chains[i].role != L2W_CHAIN_L1)
            continue;
        chain_responder *c = &r->chains[r->n++];
        c->cfg = cfg;
        c->chain = &cfg->chains[i];
        c->wakeup = wakeup;
        l2w_status st = l2w_txmgr_create(&c->txmgr, cfg, c->chain, signers, err);
        if (st != L2W_OK)
            return st;
        if (pthread_create(&c->thread, NULL, responder_main, c) != 0) {
            l2w_err_set(err, "cannot start the responder thread for chain %s", c->chain->name);
            return L2W_ERR_NOMEM;
        }
        c->started = true;
    }
    return L2W_OK;
}

void l2w_responder_stop(l2w_responder *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++) {
        if (r->chains[i].started)
            pthread_join(r->chains[i].thread, NULL);
        l2w_txmgr_destroy(r->chains[i].txmgr);
    }
    free(r);
}
