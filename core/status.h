#ifndef L2W_CORE_STATUS_H
#define L2W_CORE_STATUS_H

#include <stddef.h>

/* Every fallible function in l2watch returns an l2w_status and is marked
 * L2W_MUST_CHECK, so an ignored failure is a compile error under -Werror. */
#define L2W_MUST_CHECK __attribute__((warn_unused_result))
#define L2W_PRINTF(fmt_idx, arg_idx) __attribute__((format(printf, fmt_idx, arg_idx)))

typedef enum {
    L2W_OK = 0,
    L2W_ERR_INVALID,   /* malformed input: parse error, bad format, bad argument */
    L2W_ERR_RANGE,     /* value out of range: overflow, too long, index past end */
    L2W_ERR_NOMEM,     /* allocation failed */
    L2W_ERR_IO,        /* file or network I/O failed (connect refused, reset) */
    L2W_ERR_TIMEOUT,   /* an operation ran out of time */
    L2W_ERR_PROTOCOL,  /* a peer answered something that breaks its protocol */
    L2W_ERR_RPC,       /* a JSON-RPC peer answered with an error object */
    L2W_ERR_DB,        /* hard database error: do not retry */
    L2W_ERR_DB_RETRY,  /* retryable database error: serialization, deadlock, lost connection */
    L2W_ERR_NOT_FOUND, /* the thing asked for does not exist (yet) */
    L2W_ERR_NOT_READY, /* the answer cannot be known yet (e.g. an L2 node behind a proposal) */
    L2W_ERR_CONFIG,    /* configuration is invalid */
} l2w_status;

const char *l2w_status_str(l2w_status st);

/* A one-line, human-readable description of what failed and where.
 * Functions that take an l2w_err * fill it on failure; NULL is allowed. */
typedef struct {
    char msg[512];
} l2w_err;

void l2w_err_set(l2w_err *err, const char *fmt, ...) L2W_PRINTF(2, 3);
/* Prefix an existing message with context: "context: old message". */
void l2w_err_prefix(l2w_err *err, const char *fmt, ...) L2W_PRINTF(2, 3);

#endif
