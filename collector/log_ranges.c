#include "collector/log_ranges.h"

void l2w_log_ranges_init(l2w_log_ranges *r, uint64_t initial, uint64_t max)
{
    if (max < 1)
        max = 1;
    if (initial < 1)
        initial = 1;
    if (initial > max)
        initial = max;
    *r = (l2w_log_ranges){.span = initial, .max = max};
}

uint64_t l2w_log_ranges_end(const l2w_log_ranges *r, uint64_t from, uint64_t last)
{
    if (last - from < r->span)
        return last;
    return from + (r->span - 1);
}

/* The span after a successful streak: double, capped by max, and kept
 * strictly under a remembered refusal by bisecting towards it. The bisection
 * stops within 1/16 of the refusal: each step closer costs a refused request
 * for a few percent more blocks. */
static uint64_t grown(const l2w_log_ranges *r)
{
    uint64_t next = r->span > r->max / 2 ? r->max : r->span * 2;
    if (r->refused > r->span && next >= r->refused) {
        if (r->refused - r->span <= r->span / 16)
            return r->span;
        next = r->span + (r->refused - r->span) / 2;
    }
    return next;
}

void l2w_log_ranges_success(l2w_log_ranges *r, uint64_t span)
{
    if (span > r->good)
        r->good = span;
    if (r->successes_since_refusal < UINT32_MAX)
        r->successes_since_refusal++;
    if (r->refused && (r->successes_since_refusal >= L2W_LOG_RANGE_FORGET_AFTER || r->refused <= r->span))
        r->refused = 0;
    if (span < r->span)
        return;
    if (++r->successes_in_row < L2W_LOG_RANGE_GROW_AFTER)
        return;
    r->successes_in_row = 0;
    r->span = grown(r);
}

bool l2w_log_ranges_refused(l2w_log_ranges *r, uint64_t span)
{
    if (span <= 1)
        return false;
    uint64_t next = span / 2;
    if (r->good >= span)
        r->good = 0; /* it worked further back, on emptier blocks: no longer evidence */
    else if (r->good > next)
        next = r->good;
    r->refused = span;
    r->span = next;
    r->successes_in_row = 0;
    r->successes_since_refusal = 0;
    return true;
}
