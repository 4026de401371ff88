#ifndef L2W_CORE_TOKEN_BUCKET_H
#define L2W_CORE_TOKEN_BUCKET_H

#include <stdbool.h>

/* A token bucket on a clock the caller gives (seconds, any monotonic
 * origin): full at first, refilled at rate per second up to burst. A clock
 * going backwards neither refills nor breaks it. Not locked: the caller
 * holds whatever lock guards the bucket. */
typedef struct {
    double tokens;
    double last; /* when tokens was last brought up to date; < 0 before the first take */
} l2w_token_bucket;

void l2w_token_bucket_init(l2w_token_bucket *b, double burst);

/* Takes one token at now. False when none is left, with the seconds until
 * one will be in *retry_after_s (which may be NULL). */
bool l2w_token_bucket_take(l2w_token_bucket *b, double now, double rate, double burst, double *retry_after_s);

#endif
