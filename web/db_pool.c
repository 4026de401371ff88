#include "web/db_pool.h"
#include "core/clock.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    l2w_db *db; /* NULL until first connected */
    bool busy;
} slot;

struct l2w_db_pool {
    pthread_mutex_t lock;
    pthread_cond_t freed;
    char *conninfo;
    size_t size;
    slot *slots;
};

l2w_status l2w_db_pool_create(l2w_db_pool **out, const char *conninfo, size_t size, l2w_err *err)
{
    *out = NULL;
    l2w_db_pool *pool = calloc(1, sizeof *pool);
    if (!pool)
        goto nomem;
    pool->size = size;
    pool->conninfo = strdup(conninfo);
    pool->slots = calloc(size ? size : 1, sizeof *pool->slots);
    if (!pool->conninfo || !pool->slots)
        goto nomem;
    pthread_condattr_t attr;
    if (pthread_condattr_init(&attr) != 0)
        goto nomem;
    /* Waits are measured on the monotonic clock: a wall-clock jump must not
     * turn a 2 s wait into an hour. */
    int rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    if (rc == 0)
        rc = pthread_cond_init(&pool->freed, &attr);
    pthread_condattr_destroy(&attr);
    if (rc != 0)
        goto nomem;
    if (pthread_mutex_init(&pool->lock, NULL) != 0) {
        pthread_cond_destroy(&pool->freed);
        goto nomem;
    }
    *out = pool;
    return L2W_OK;
nomem:
    if (pool) {
        free(pool->conninfo);
        free(pool->slots);
        free(pool);
    }
    l2w_err_set(err, "database pool: out of memory");
    return L2W_ERR_NOMEM;
}

void l2w_db_pool_destroy(l2w_db_pool *pool)
{
    if (!pool)
        return;
    for (size_t i = 0; i < pool->size; i++)
        l2w_db_close(pool->slots[i].db);
    pthread_cond_destroy(&pool->freed);
    pthread_mutex_destroy(&pool->lock);
    free(pool->conninfo);
    free(pool->slots);
    free(pool);
}

/* A free slot, preferring one already connected; NULL if all are busy. */
static slot *take_free_slot(l2w_db_pool *pool)
{
    slot *unconnected = NULL;
    for (size_t i = 0; i < pool->size; i++) {
        slot *s = &pool->slots[i];
        if (s->busy)
            continue;
        if (s->db) {
            s->busy = true;
            return s;
        }
        if (!unconnected)
            unconnected = s;
    }
    if (unconnected)
        unconnected->busy = true;
    return unconnected;
}

l2w_status l2w_db_pool_acquire(l2w_db_pool *pool, l2w_db **db, unsigned wait_ms, l2w_err *err)
{
    *db = NULL;
    struct timespec deadline = l2w_deadline_after_ms(wait_ms);
    pthread_mutex_lock(&pool->lock);
    slot *s;
    while (!(s = take_free_slot(pool))) {
        if (pthread_cond_timedwait(&pool->freed, &pool->lock, &deadline) == ETIMEDOUT) {
            pthread_mutex_unlock(&pool->lock);
            l2w_err_set(err, "database pool: no free connection within %u ms", wait_ms);
            return L2W_ERR_TIMEOUT;
        }
    }
    pthread_mutex_unlock(&pool->lock);
    /* Connect outside the lock: the slot is ours, and a slow connect must not
     * block threads that could use another slot. */
    if (!s->db) {
        l2w_status st = l2w_db_connect(&s->db, pool->conninfo, err);
        if (st != L2W_OK) {
            pthread_mutex_lock(&pool->lock);
            s->busy = false;
            pthread_cond_signal(&pool->freed);
            pthread_mutex_unlock(&pool->lock);
            return st;
        }
    }
    *db = s->db;
    return L2W_OK;
}

void l2w_db_pool_release(l2w_db_pool *pool, l2w_db *db)
{
    if (!db)
        return;
    pthread_mutex_lock(&pool->lock);
    for (size_t i = 0; i < pool->size; i++) {
        if (pool->slots[i].db == db) {
            pool->slots[i].busy = false;
            break;
        }
    }
    pthread_cond_signal(&pool->freed);
    pthread_mutex_unlock(&pool->lock);
}
