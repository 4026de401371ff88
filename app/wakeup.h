#ifndef L2W_APP_WAKEUP_H
#define L2W_APP_WAKEUP_H

#include <stdbool.h>
#include <stdint.h>

/* Lets a stage wake the next one as soon as it committed new facts, instead of
 * waiting for the next poll, and lets the process stop every thread promptly. */
typedef struct l2w_wakeup l2w_wakeup;

l2w_wakeup *l2w_wakeup_create(void);
void l2w_wakeup_destroy(l2w_wakeup *w);
/* Wakes every waiter. */
void l2w_wakeup_notify(l2w_wakeup *w);
/* Asks every waiter to stop; later waits return at once. */
void l2w_wakeup_stop(l2w_wakeup *w);
bool l2w_wakeup_stopping(l2w_wakeup *w);
/* Waits until notified after *seen, stopped, or timeout_ms passes; updates *seen. */
void l2w_wakeup_wait(l2w_wakeup *w, uint64_t *seen, uint32_t timeout_ms);
uint64_t l2w_wakeup_generation(l2w_wakeup *w);

#endif
