/* The alert retry schedule: doubling from 1 s, the cap as a hard ceiling,
 * and jitter within +-20% that actually varies. */

#include "alerts/backoff.h"
#include "tests/unit/harness.h"

static void test_schedule_without_jitter(void)
{
    /* rnd % 401 == 200 is the exact middle: factor 1.0. */
    const uint64_t mid = 200;
    CHECK(l2w_alert_backoff_ms(1, 300000, mid) == 1000);
    CHECK(l2w_alert_backoff_ms(2, 300000, mid) == 2000);
    CHECK(l2w_alert_backoff_ms(3, 300000, mid) == 4000);
    CHECK(l2w_alert_backoff_ms(4, 300000, mid) == 8000);
    CHECK(l2w_alert_backoff_ms(9, 300000, mid) == 256000);
    CHECK(l2w_alert_backoff_ms(10, 300000, mid) == 300000); /* 512 s capped */
    CHECK(l2w_alert_backoff_ms(4000000000u, 300000, mid) == 300000);
    CHECK(l2w_alert_backoff_ms(0, 300000, mid) == 1000); /* treated as the first failure */
    CHECK(l2w_alert_backoff_ms(1, 100, mid) == 100);     /* cap below the base */
    CHECK(l2w_alert_backoff_ms(1, 0, mid) == 1);         /* never 0 */
}

static void test_jitter_bounds(void)
{
    l2w_test_seed();
    uint64_t lo = UINT64_MAX, hi = 0;
    for (int i = 0; i < 20000; i++) {
        uint32_t failures = 1 + (uint32_t)(l2w_test_rand() % 40);
        uint32_t cap = 100 + (uint32_t)(l2w_test_rand() % 86400000);
        uint64_t d = l2w_alert_backoff_ms(failures, cap, l2w_test_rand());
        uint64_t base = 1000;
        for (uint32_t k = 1; k < failures && base < cap; k++)
            base *= 2;
        if (base > cap)
            base = cap;
        CHECK_MSG(d >= base * 8 / 10 && d <= base * 12 / 10 && d <= cap, "failures %u cap %u -> %llu", failures,
                  cap, (unsigned long long)d);
        if (failures == 1 && cap >= 2000) {
            lo = d < lo ? d : lo;
            hi = d > hi ? d : hi;
        }
    }
    /* The first retry spreads over most of 800..1200 ms. */
    CHECK(lo <= 850 && hi >= 1150);
    CHECK(l2w_alert_backoff_ms(1, 300000, 0) == 800);
    CHECK(l2w_alert_backoff_ms(1, 300000, 400) == 1200);
    /* At the cap the jitter can only go down. */
    CHECK(l2w_alert_backoff_ms(30, 5000, 400) == 5000);
    CHECK(l2w_alert_backoff_ms(30, 5000, 0) == 4000);
}

int main(void)
{
    RUN(test_schedule_without_jitter);
    RUN(test_jitter_bounds);
    return l2w_test_finish();
}
