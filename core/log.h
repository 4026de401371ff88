#ifndef L2W_CORE_LOG_H
#define L2W_CORE_LOG_H

#include "core/status.h"

/* Levels follow Core Lightning: BROKEN means l2watch itself is wrong or a
 * guarantee was lost; tests fail on any BROKEN line. UNUSUAL is a peer or
 * environment misbehaving (RPC garbage, retries). */
typedef enum {
    L2W_LOG_DEBUG = 0,
    L2W_LOG_INFO = 1,
    L2W_LOG_UNUSUAL = 2,
    L2W_LOG_BROKEN = 3,
} l2w_log_level;

/* Global minimum level; default INFO. Thread-safe. */
void l2w_log_set_level(l2w_log_level level);
L2W_MUST_CHECK l2w_status l2w_log_level_parse(l2w_log_level *out, const char *name);
/* Number of BROKEN lines logged by this process so far. */
unsigned long l2w_log_broken_count(void);

/* One line to stderr: "<utc time> <LEVEL> <component>[<where>] message".
 * component names the module ("follower", "state_root"); where names the chain,
 * height or request ("l1", "op-local#1234"), or is NULL. */
void l2w_log(l2w_log_level level, const char *component, const char *where,
             const char *fmt, ...) L2W_PRINTF(4, 5);

#define L2W_DEBUG(c, w, ...) l2w_log(L2W_LOG_DEBUG, c, w, __VA_ARGS__)
#define L2W_INFO(c, w, ...) l2w_log(L2W_LOG_INFO, c, w, __VA_ARGS__)
#define L2W_UNUSUAL(c, w, ...) l2w_log(L2W_LOG_UNUSUAL, c, w, __VA_ARGS__)
#define L2W_BROKEN(c, w, ...) l2w_log(L2W_LOG_BROKEN, c, w, __VA_ARGS__)

#endif
