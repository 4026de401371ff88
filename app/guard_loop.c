#include "app/guard_loop.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"

#define REPEAT_LOG_SECONDS 60

struct l2w_guard_loop {
    l2w_guard_spec spec;
    char component[24];
    char subject[64];
    char lock_name[96];
    char *database_url;
    pthread_t thread;
    char last_error[sizeof(((l2w_err *)0)->msg)];
    time_t last_error_at;
};

static void report(l2w_guard_loop *g, const l2w_err *err)
{
    time_t now = time(NULL);
    if (strcmp(err->msg, g->last_error) == 0 && now - g->last_error_at < REPEAT_LOG_SECONDS)
        return;
    L2W_UNUSUAL(g->component, g->subject, "%s", err->msg);
    snprintf(g->last_error, sizeof g->last_error, "%s", err->msg);
    g->last_error_at = now;
}

static l2w_status lead(l2w_guard_loop *g, l2w_db **db, bool *leader, l2w_err *err)
{
    if (!*db) {
        l2w_status st = l2w_db_connect(db, g->database_url, err);
        if (st != L2W_OK)
            return st;
        *leader = false;
    }
    if (*leader)
        return L2W_OK;
    int acquired = 0;
    l2w_status st = l2w_db_try_lock(*db, l2w_db_lock_key(g->lock_name), &acquired, err);
    if (st == L2W_OK && acquired) {
        *leader = true;
        L2W_INFO(g->component, g->subject, "this replica now leads %s", g->lock_name);
    }
    return st;
}

static void *loop_main(void *arg)
{
    l2w_guard_loop *g = arg;
    l2w_db *db = NULL;
    bool leader = false;
    l2w_err err = {{0}};
    uint64_t seen = l2w_wakeup_generation(g->spec.wakeup);
    while (!l2w_wakeup_stopping(g->spec.wakeup)) {
        bool more = false, raised = false;
        l2w_status st = lead(g, &db, &leader, &err);
        if (st == L2W_OK && leader)
            st = g->spec.step(g->spec.ctx, db, &more, &raised, &err);
        if (raised)
            l2w_wakeup_notify(g->spec.wakeup); /* a response may wait */
        if (st == L2W_ERR_DB_RETRY || st == L2W_ERR_DB) {
            l2w_db_close(db);
            db = NULL;
            leader = false;
        }
        if (st != L2W_OK) {
            report(g, &err);
        } else if (g->last_error[0]) {
            L2W_INFO(g->component, g->subject, "recovered");
            g->last_error[0] = '\0';
        }
        if (st == L2W_OK && more)
            continue;
        l2w_wakeup_wait(g->spec.wakeup, &seen, st != L2W_OK ? g->spec.retry_ms : g->spec.idle_ms);
    }
    l2w_db_close(db);
    return NULL;
}

l2w_status l2w_guard_loop_start(l2w_guard_loop **out, const l2w_guard_spec *spec, l2w_err *err)
{
    *out = NULL;
    l2w_guard_loop *g = calloc(1, sizeof *g);
    char *url = g ? strdup(spec->database_url) : NULL;
    if (!url) {
        free(g);
        l2w_err_set(err, "%s %s: out of memory", spec->component, spec->subject);
        return L2W_ERR_NOMEM;
    }
    g->spec = *spec;
    snprintf(g->component, sizeof g->component, "%s", spec->component);
    snprintf(g->subject, sizeof g->subject, "%s", spec->subject);
    snprintf(g->lock_name, sizeof g->lock_name, "%s", spec->lock_name);
    g->database_url = url;
    if (pthread_create(&g->thread, NULL, loop_main, g) != 0) {
        free(url);
        free(g);
        l2w_err_set(err, "%s %s: cannot start its thread", spec->component, spec->subject);
        return L2W_ERR_NOMEM;
    }
    *out = g;
    return L2W_OK;
}

void l2w_guard_loop_join(l2w_guard_loop *g)
{
    if (!g)
        return;
    pthread_join(g->thread, NULL);
    free(g->database_url);
    free(g);
}
