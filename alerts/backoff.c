#include "alerts/backoff.h"

#define BASE_MS 1000u

uint64_t l2w_alert_backoff_ms(uint32_t failures, uint32_t max_ms, uint64_t rnd)
{
    uint64_t cap = max_ms ? max_ms : 1;
    uint64_t base = BASE_MS;
    /* Doubling stops once the cap is reached, so no shift can overflow. */
    for (uint32_t i = 1; i < failures && base < cap; i++)
        base *= 2;
    if (base > cap)
        base = cap;
    /* Per-mille factor 800..1200; base <= 2^32 so the product fits. */
    uint64_t delay = base * (800 + rnd % 401) / 1000;
    if (delay > cap)
        delay = cap;
    return delay ? delay : 1;
}
