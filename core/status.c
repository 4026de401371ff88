#include "core/status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *l2w_status_str(l2w_status st)
{
    switch (st) {
    case L2W_OK: return "ok";
    case L2W_ERR_INVALID: return "invalid input";
    case L2W_ERR_RANGE: return "out of range";
    case L2W_ERR_NOMEM: return "out of memory";
    case L2W_ERR_IO: return "I/O error";
    case L2W_ERR_TIMEOUT: return "timeout";
    case L2W_ERR_PROTOCOL: return "protocol error";
    case L2W_ERR_RPC: return "JSON-RPC error";
    case L2W_ERR_DB: return "database error";
    case L2W_ERR_DB_RETRY: return "retryable database error";
    case L2W_ERR_NOT_FOUND: return "not found";
    case L2W_ERR_NOT_READY: return "not ready";
    case L2W_ERR_CONFIG: return "configuration error";
    }
    return "unknown status";
}

void l2w_err_set(l2w_err *err, const char *fmt, ...)
{
    if (!err)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
}

void l2w_err_prefix(l2w_err *err, const char *fmt, ...)
{
    if (!err)
        return;
    char prefix[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    char old[sizeof err->msg];
    memcpy(old, err->msg, sizeof old);
    /* Truncation is acceptable: the message stays one bounded line. */
    size_t n = strlen(prefix);
    if (n > sizeof err->msg - 3)
        n = sizeof err->msg - 3;
    memcpy(err->msg, prefix, n);
    memcpy(err->msg + n, ": ", 2);
    size_t room = sizeof err->msg - n - 3;
    size_t m = strnlen(old, room);
    memcpy(err->msg + n + 2, old, m);
    err->msg[n + 2 + m] = '\0';
}
