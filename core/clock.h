#ifndef L2W_CORE_CLOCK_H
#define L2W_CORE_CLOCK_H

#include <time.h>

/* The CLOCK_MONOTONIC time ms milliseconds from now, as an absolute deadline
 * for pthread_cond_timedwait on a condition variable set to that clock. */
struct timespec l2w_deadline_after_ms(unsigned ms);

#endif
