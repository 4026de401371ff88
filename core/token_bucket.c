#include "core/token_bucket.h"

void l2w_token_bucket_init(l2w_token_bucket *b, double burst)
{
    b->tokens = burst;
    b->last = -1;
}

bool l2w_token_bucket_take(l2w_token_bucket *b, double now, double rate, double burst, double *retry_after_s)
{
    if (retry_after_s)
        *retry_after_s = 0;
    if (b->last >= 0 && now > b->last) {
        b->tokens += (now - b->last) * rate;
        if (b->tokens > burst)
            b->tokens = burst;
    }
    if (b->last < 0 || now > b->last)
        b->last = now;
    if (b->tokens >= 1.0) {
        b->tokens -= 1.0;
        return true;
    }
    if (retry_after_s)
        *retry_after_s = (1.0 - b->tokens) / rate;
    return false;
}
