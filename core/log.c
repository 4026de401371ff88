#include "core/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>

static atomic_int min_level = L2W_LOG_INFO;
static atomic_ulong broken_count;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const level_names[] = {"DEBUG", "INFO", "UNUSUAL", "BROKEN"};

void l2w_log_set_level(l2w_log_level level)
{
    atomic_store(&min_level, (int)level);
}

l2w_status l2w_log_level_parse(l2w_log_level *out, const char *name)
{
    for (int i = 0; i < 4; i++) {
        if (strcasecmp(name, level_names[i]) == 0) {
            *out = (l2w_log_level)i;
            return L2W_OK;
        }
    }
    return L2W_ERR_INVALID;
}

unsigned long l2w_log_broken_count(void)
{
    return atomic_load(&broken_count);
}

void l2w_log(l2w_log_level level, const char *component, const char *where, const char *fmt, ...)
{
    if (level == L2W_LOG_BROKEN)
        atomic_fetch_add(&broken_count, 1);
    if ((int)level < atomic_load(&min_level))
        return;

    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* One record is one line, whatever a peer put in the message. */
    for (char *p = msg; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';

    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    gmtime_r(&tv.tv_sec, &tm);
    char ts[32];
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);

    pthread_mutex_lock(&log_lock);
    if (where && *where)
        fprintf(stderr, "%s.%03ldZ %s %s[%s] %s\n", ts, (long)(tv.tv_usec / 1000), level_names[level],
                component, where, msg);
    else
        fprintf(stderr, "%s.%03ldZ %s %s %s\n", ts, (long)(tv.tv_usec / 1000), level_names[level],
                component, msg);
    fflush(stderr);
    pthread_mutex_unlock(&log_lock);
}
