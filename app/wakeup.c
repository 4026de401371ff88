#include "app/wakeup.h"
#include "core/clock.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

struct l2w_wakeup {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    uint64_t generation;
    bool stopping;
};

l2w_wakeup *l2w_wakeup_create(void)
{
    l2w_wakeup *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->cond, &attr);
    pthread_condattr_destroy(&attr);
    return w;
}

void l2w_wakeup_destroy(l2w_wakeup *w)
{
    if (!w)
        return;
    pthread_cond_destroy(&w->cond);
    pthread_mutex_destroy(&w->lock);
    free(w);
}

void l2w_wakeup_notify(l2w_wakeup *w)
{
    pthread_mutex_lock(&w->lock);
    w->generation++;
    pthread_cond_broadcast(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

void l2w_wakeup_stop(l2w_wakeup *w)
{
    pthread_mutex_lock(&w->lock);
    w->stopping = true;
    pthread_cond_broadcast(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

bool l2w_wakeup_stopping(l2w_wakeup *w)
{
    pthread_mutex_lock(&w->lock);
    bool s = w->stopping;
    pthread_mutex_unlock(&w->lock);
    return s;
}

uint64_t l2w_wakeup_generation(l2w_wakeup *w)
{
    pthread_mutex_lock(&w->lock);
    uint64_t g = w->generation;
    pthread_mutex_unlock(&w->lock);
    return g;
}

void l2w_wakeup_wait(l2w_wakeup *w, uint64_t *seen, uint32_t timeout_ms)
{
    struct timespec deadline = l2w_deadline_after_ms(timeout_ms);
    pthread_mutex_lock(&w->lock);
    while (!w->stopping && w->generation == *seen) {
        if (pthread_cond_timedwait(&w->cond, &w->lock, &deadline) != 0)
            break;
    }
    *seen = w->generation;
    pthread_mutex_unlock(&w->lock);
}
