#ifndef L2W_APP_GUARD_LOOP_H
#define L2W_APP_GUARD_LOOP_H

#include <stdbool.h>
#include <stdint.h>

#include "app/wakeup.h"
#include "core/db.h"
#include "core/status.h"

/* The thread a guard runs in: take the guard's advisory lock (so one replica
 * works it), run its step while leading, reconnect when the database drops
 * (which also drops the lock), log an error once a minute rather than every
 * pass, and sleep until woken or the next poll. The step is all the guard
 * itself writes. */

/* One pass. *more: work is waiting, run again at once. *raised: a finding
 * was written (the responder is woken). */
typedef l2w_status (*l2w_guard_step_fn)(void *ctx, l2w_db *db, bool *more, bool *raised, l2w_err *err);

typedef struct {
    const char *component;             /* log component: "da", "committee" */
    const char *subject;               /* log subject: the chain worked */
    const char *lock_name;             /* advisory lock, e.g. "l2watch-da:<chain>" */
    const char *database_url;
    uint32_t idle_ms;                  /* the wait after a pass with nothing more to do */
    uint32_t retry_ms;                 /* the wait after a failed pass */
    l2w_guard_step_fn step;
    void *ctx;                         /* the step's, borrowed for the thread's life */
    l2w_wakeup *wakeup;
} l2w_guard_spec;

typedef struct l2w_guard_loop l2w_guard_loop;

/* Starts the thread. The strings in spec are copied. */
L2W_MUST_CHECK l2w_status l2w_guard_loop_start(l2w_guard_loop **out, const l2w_guard_spec *spec, l2w_err *err);
/* Joins the thread (the wakeup must be stopping) and frees. NULL is fine. */
void l2w_guard_loop_join(l2w_guard_loop *g);

#endif
