/* The eth_getLogs span during catch-up: grows after successes, halves on a
 * refusal, settles under a provider's limit, forgets old refusals, and the
 * ranges it yields cover a gap exactly once whatever the provider does. And
 * which eth_getLogs failures are a provider refusing the range. */

#include <stdio.h>

#include "collector/eth.h"
#include "collector/log_ranges.h"
#include "tests/unit/harness.h"

static void test_init_clamps(void)
{
    l2w_log_ranges r;
    l2w_log_ranges_init(&r, 0, 0);
    CHECK(r.span == 1 && r.max == 1);
    l2w_log_ranges_init(&r, 5000, 1000);
    CHECK(r.span == 1000 && r.max == 1000);
    l2w_log_ranges_init(&r, L2W_LOG_RANGE_INITIAL, L2W_LOG_RANGE_MAX);
    CHECK(r.span == L2W_LOG_RANGE_INITIAL && r.good == 0 && r.refused == 0);
}

static void test_end_clamps_and_never_overflows(void)
{
    l2w_log_ranges r;
    l2w_log_ranges_init(&r, 100, 1000);
    CHECK(l2w_log_ranges_end(&r, 0, 1000000) == 99);
    CHECK(l2w_log_ranges_end(&r, 50, 120) == 120);
    CHECK(l2w_log_ranges_end(&r, 7, 7) == 7);
    CHECK(l2w_log_ranges_end(&r, 1, 100) == 100);
    CHECK(l2w_log_ranges_end(&r, 1, 101) == 100);
    CHECK(l2w_log_ranges_end(&r, UINT64_MAX - 10, UINT64_MAX) == UINT64_MAX);
    CHECK(l2w_log_ranges_end(&r, UINT64_MAX - 200, UINT64_MAX) == UINT64_MAX - 101);
}

static void test_grows_after_successes_up_to_max(void)
{
    l2w_log_ranges r;
    l2w_log_ranges_init(&r, 1000, 5000);
    l2w_log_ranges_success(&r, 1000);
    CHECK(r.span == 1000); /* one success is not a streak */
    l2w_log_ranges_success(&r, 1000);
    CHECK(r.span == 2000);
    l2w_log_ranges_success(&r, 2000);
    l2w_log_ranges_success(&r, 2000);
    CHECK(r.span == 4000);
    l2w_log_ranges_success(&r, 4000);
    l2w_log_ranges_success(&r, 4000);
    CHECK(r.span == 5000);
    for (int i = 0; i < 10; i++)
        l2w_log_ranges_success(&r, 5000);
    CHECK(r.span == 5000);
    l2w_log_ranges_init(&r, UINT64_MAX / 2 + 7, UINT64_MAX);
    l2w_log_ranges_success(&r, r.span);
    l2w_log_ranges_success(&r, r.span);
    CHECK(r.span == UINT64_MAX); /* doubling saturates at max */
}

static void test_clamped_success_does_not_grow(void)
{
    l2w_log_ranges r;
    l2w_log_ranges_init(&r, 1000, 100000);
    for (int i = 0; i < 10; i++)
        l2w_log_ranges_success(&r, 10); /* the tail end of a catch-up */
    CHECK(r.span == 1000);
    CHECK(r.good == 1000 || r.good == 10);
}

static void test_refusal_halves_and_single_block_is_not_a_range_problem(void)
{
    l2w_log_ranges r;
    l2w_log_ranges_init(&r, 1000, 100000);
    CHECK(l2w_log_ranges_refused(&r, 1000));
    CHECK(r.span == 500 && r.refused == 1000);
    CHECK(l2w_log_ranges_refused(&r, 500));
    CHECK(l2w_log_ranges_refused(&r, 250));
    CHECK(r.span == 125);
    for (int i = 0; i < 20 && r.span > 1; i++)
        CHECK(l2w_log_ranges_refused(&r, r.span));
    CHECK(r.span == 1);
    CHECK(!l2w_log_ranges_refused(&r, 1));
    CHECK(r.span == 1);
}

static void test_refusal_falls_back_to_the_widest_good_span(void)
{
    l2w_log_ranges r;
    l2w_log_ranges_init(&r, 8000, 100000);
    l2w_log_ranges_success(&r, 8000);
    l2w_log_ranges_success(&r, 8000);
    CHECK(r.span == 16000);
    CHECK(l2w_log_ranges_refused(&r, 16000));
    CHECK(r.span == 8000);
    l2w_log_ranges_success(&r, 8000);
    l2w_log_ranges_success(&r, 8000);
    CHECK(r.span == 12000); /* bisects towards the refusal instead of doubling into it */
    CHECK(l2w_log_ranges_refused(&r, 12000));
    CHECK(r.span == 8000); /* not 6000: 8000 is known to work */
}

static void test_good_span_refused_later_is_dropped(void)
{
    l2w_log_ranges r;
    l2w_log_ranges_init(&r, 4000, 100000);
    l2w_log_ranges_success(&r, 4000);
    CHECK(l2w_log_ranges_refused(&r, 4000)); /* denser blocks: 4000 no longer works */
    CHECK(r.span == 2000 && r.good == 0);
}

/* A provider that refuses any range wider than limit blocks: the span
 * settles at exactly the limit, and refusals become rare. */
static void test_settles_at_a_block_range_limit(void)
{
    const uint64_t limits[] = {1, 7, 1000, 2000, 2001, 3333, 10000, 99999, 100000, 250000};
    for (size_t k = 0; k < sizeof limits / sizeof limits[0]; k++) {
        uint64_t limit = limits[k];
        l2w_log_ranges r;
        l2w_log_ranges_init(&r, L2W_LOG_RANGE_INITIAL, L2W_LOG_RANGE_MAX);
        uint64_t refusals_late = 0, requests_late = 0;
        for (int i = 0; i < 400; i++) {
            uint64_t span = r.span;
            bool refused = span > limit;
            if (refused)
                CHECK(l2w_log_ranges_refused(&r, span));
            else
                l2w_log_ranges_success(&r, span);
            if (i >= 100) {
                requests_late++;
                refusals_late += refused;
            }
        }
        uint64_t best = limit < L2W_LOG_RANGE_MAX ? limit : L2W_LOG_RANGE_MAX;
        CHECK_MSG(r.span <= best && r.span * 10 >= best * 9, "limit %llu: span %llu", (unsigned long long)limit,
                  (unsigned long long)r.span);
        /* After settling, at most a handful of probes per forget period. */
        CHECK_MSG(refusals_late * 10 <= requests_late, "limit %llu: %llu refusals in %llu requests",
                  (unsigned long long)limit, (unsigned long long)refusals_late, (unsigned long long)requests_late);
    }
}

static void test_forgets_a_refusal_after_enough_successes(void)
{
    l2w_log_ranges r;
    l2w_log_ranges_init(&r, 1000, 100000);
    CHECK(l2w_log_ranges_refused(&r, 1000));
    for (uint32_t i = 0; i < 2 * L2W_LOG_RANGE_FORGET_AFTER; i++)
        l2w_log_ranges_success(&r, r.span);
    CHECK(r.refused == 0);
    CHECK(r.span > 1000); /* free to probe wider again */
}

/* A provider whose limit is a result count over blocks of random density:
 * walking a gap with the span, every block is covered exactly once, in
 * order, and the walk finishes without ever giving up. */
static void test_random_density_covers_the_gap_exactly_once(void)
{
    l2w_test_seed();
    for (int round = 0; round < 20; round++) {
        const uint64_t gap = 200000 + l2w_test_rand() % 300000;
        const uint64_t max_results = 1 + l2w_test_rand() % 10000;
        /* logs per block: piecewise constant, 0..20, changing every ~5000 blocks */
        uint64_t density_seed = l2w_test_rand();
        l2w_log_ranges r;
        l2w_log_ranges_init(&r, L2W_LOG_RANGE_INITIAL, L2W_LOG_RANGE_MAX);
        uint64_t next = 1000, last = 1000 + gap - 1, requests = 0;
        while (next <= last && requests < 1000000) {
            uint64_t to = l2w_log_ranges_end(&r, next, last);
            CHECK(to >= next && to <= last);
            uint64_t results = 0;
            for (uint64_t b = next; b <= to && results <= max_results; b++)
                results += ((b / 5000) * 2654435761u ^ density_seed) % 21;
            requests++;
            if (results > max_results && to > next) {
                CHECK(l2w_log_ranges_refused(&r, to - next + 1));
                continue;
            }
            l2w_log_ranges_success(&r, to - next + 1);
            next = to + 1;
        }
        CHECK_MSG(next == last + 1, "round %d: stopped at %llu of %llu", round, (unsigned long long)next,
                  (unsigned long long)last);
    }
}

static bool refused_with(l2w_status st, const char *msg)
{
    l2w_err e;
    snprintf(e.msg, sizeof e.msg, "%s", msg);
    return l2w_eth_logs_range_refused(st, &e);
}

static void test_which_failures_are_range_refusals(void)
{
    /* What providers say, as the RPC client reports it. */
    static const char *const refusals[] = {
        "rpc l1 https://eth.example: eth_getLogs: error -32005: query returned more than 10000 results",
        "rpc l1 https://eth.example: eth_getLogs: error -32602: block range too large",
        "rpc l1 https://eth.example: eth_getLogs: error -32000: exceed maximum block range: 50000",
        "rpc l1 https://eth.example: eth_getLogs: error -32602: Log response size exceeded. You can make "
        "eth_getLogs requests with up to a 2K block range",
        "rpc l1 https://eth.example: eth_getLogs: error -32000: query timeout exceeded",
        "rpc l1 https://eth.example: eth_getLogs: error -32600: eth_getLogs is limited to a 10,000 blocks range",
        "rpc l1 https://eth.example: eth_getLogs: error -32000: Too Many Results",
    };
    for (size_t i = 0; i < sizeof refusals / sizeof refusals[0]; i++)
        CHECK_MSG(refused_with(L2W_ERR_RPC, refusals[i]), "%s", refusals[i]);
    CHECK(refused_with(L2W_ERR_PROTOCOL, "rpc l1 http://n:8545: eth_getLogs: response larger than 33554432 bytes"));
    CHECK(refused_with(L2W_ERR_TIMEOUT, "rpc l1 http://n:8545: eth_getLogs: timed out after 10000 ms"));
    CHECK(refused_with(L2W_ERR_RANGE, "rpc l1 http://n:8545: eth_getLogs 1..9: more than 100000 logs"));

    /* Failures a narrower range would not cure. */
    CHECK(!refused_with(L2W_ERR_RPC, "rpc l1 http://n:8545: eth_getLogs: error -32000: header not found"));
    CHECK(!refused_with(L2W_ERR_RPC, "rpc l1 http://n:8545: eth_getLogs: error -32602: invalid argument 0"));
    CHECK(!refused_with(L2W_ERR_PROTOCOL, "rpc l1 http://n:8545: eth_getLogs: answer is not an array"));
    CHECK(!refused_with(L2W_ERR_IO, "rpc l1 http://n:8545: eth_getLogs: Couldn't connect to server"));
    CHECK(!refused_with(L2W_ERR_NOT_READY, "log flagged removed (chain reorganised during the call)"));
    CHECK(!refused_with(L2W_OK, ""));
    /* Words before the method (a chain or host name) are not the node's. */
    CHECK(!refused_with(L2W_ERR_RPC, "rpc too-many-results https://limit.example: eth_getLogs: error 1: nope"));
    CHECK(!refused_with(L2W_ERR_RPC, "rpc l1 https://limit.example: error 1: block range too large"));
    CHECK(!l2w_eth_logs_range_refused(L2W_ERR_RPC, NULL));
    CHECK(l2w_eth_logs_range_refused(L2W_ERR_TIMEOUT, NULL));
}

int main(void)
{
    RUN(test_init_clamps);
    RUN(test_end_clamps_and_never_overflows);
    RUN(test_grows_after_successes_up_to_max);
    RUN(test_clamped_success_does_not_grow);
    RUN(test_refusal_halves_and_single_block_is_not_a_range_problem);
    RUN(test_refusal_falls_back_to_the_widest_good_span);
    RUN(test_good_span_refused_later_is_dropped);
    RUN(test_settles_at_a_block_range_limit);
    RUN(test_forgets_a_refusal_after_enough_successes);
    RUN(test_random_density_covers_the_gap_exactly_once);
    RUN(test_which_failures_are_range_refusals);
    return l2w_test_finish();
}
