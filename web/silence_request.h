#ifndef L2W_WEB_SILENCE_REQUEST_H
#define L2W_WEB_SILENCE_REQUEST_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/status.h"

/* The body of POST /api/v1/silences, checked before anything is stored:
 *
 *   {"matchers": {"kind": "...", "chain": "...", "severity": "...", "subject": "..."},
 *    "expires_at": "2026-11-22T18:00:00Z"   or   "duration_s": 7200,
 *    "author": "...", "reason": "..."}
 *
 * At least one matcher; a matcher left out matches anything. subject may end
 * in '*' to match a prefix. author is optional (the client's name is kept
 * anyway). The strings point into the body, which must outlive this. */
typedef struct {
    const char *kind, *chain, *severity, *subject; /* NULL: not matched on */
    const char *author;                            /* NULL: none given */
    const char *reason;
    int64_t expires_at;                            /* Unix seconds */
} l2w_silence_request;

/* A silence ends between one minute and 90 days from now: shorter ones
 * would race the clock, longer ones are forgotten. */
#define L2W_SILENCE_MIN_S 60
#define L2W_SILENCE_MAX_S (90 * 86400)

/* Checks body against cfg (a chain matcher must name a configured chain) at
 * time now. On L2W_ERR_INVALID, field holds the offending field's path
 * ("matchers.severity", "expires_at", "" for the body itself) and err says
 * what is wrong with it. */
L2W_MUST_CHECK l2w_status l2w_silence_request_parse(l2w_silence_request *out, const json_t *body,
                                                    const l2w_config *cfg, int64_t now, char *field,
                                                    size_t field_cap, l2w_err *err);

#endif
