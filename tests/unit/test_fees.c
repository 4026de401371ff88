#include <string.h>

#include "responder/fees.h"
#include "tests/unit/harness.h"

static l2w_txmgr_config cfg_with_cap(uint64_t cap_gwei)
{
    l2w_txmgr_config c = {.fee_cap_gwei = cap_gwei, .min_priority_fee_wei = 1000000};
    return c;
}

static l2w_u256 gwei(uint64_t n)
{
    return l2w_u256_from_u64(n * 1000000000ULL);
}

static bool eq(const l2w_u256 *a, uint64_t b)
{
    l2w_u256 v = l2w_u256_from_u64(b);
    return l2w_u256_cmp(a, &v) == 0;
}

static void test_initial_fees(void)
{
    l2w_txmgr_config c = cfg_with_cap(500);
    l2w_fee_market m = {.next_base_fee = gwei(10), .tip = gwei(2)};
    l2w_fees f;
    bool capped = true;
    CHECK(l2w_fees_initial(&m, &c, &f, &capped) == L2W_OK);
    CHECK(!capped && eq(&f.tip, 2000000000ULL) && eq(&f.max_fee, 22000000000ULL));

    /* A quiet chain's zero tip is raised to the configured floor. */
    m.tip = l2w_u256_from_u64(0);
    CHECK(l2w_fees_initial(&m, &c, &f, &capped) == L2W_OK);
    CHECK(eq(&f.tip, 1000000) && eq(&f.max_fee, 20001000000ULL));

    /* Above the cap both fields are held at it, and the tip never exceeds the fee. */
    c = cfg_with_cap(15);
    m.tip = gwei(20);
    CHECK(l2w_fees_initial(&m, &c, &f, &capped) == L2W_OK);
    CHECK(capped && eq(&f.max_fee, 15000000000ULL) && eq(&f.tip, 15000000000ULL));
}

static void test_bump_is_at_least_ten_percent(void)
{
    l2w_txmgr_config c = cfg_with_cap(1000);
    l2w_fee_market quiet = {.next_base_fee = l2w_u256_from_u64(1), .tip = l2w_u256_from_u64(0)};
    l2w_fees prev = {.max_fee = l2w_u256_from_u64(1000000001), .tip = l2w_u256_from_u64(1000001)};
    l2w_fees next;
    bool capped;
    CHECK(l2w_fees_bump(&prev, &quiet, &c, &next, &capped) == L2W_OK);
    /* ceil(10%): nodes reject 10% rounded down. */
    CHECK(eq(&next.max_fee, 1100000002ULL) && eq(&next.tip, 1100002ULL));

    /* When the market moved more than 10%, the bump follows the market. */
    l2w_fee_market busy = {.next_base_fee = gwei(40), .tip = gwei(3)};
    CHECK(l2w_fees_bump(&prev, &busy, &c, &next, &capped) == L2W_OK);
    CHECK(eq(&next.max_fee, 83000000000ULL) && eq(&next.tip, 3000000000ULL));

    /* Random: every bump is >= 110% of the previous attempt in both fields. */
    for (int i = 0; i < 2000; i++) {
        l2w_fees p = {.max_fee = l2w_u256_from_u64(l2w_test_rand() % 100000000000ULL + 1)};
        p.tip = l2w_u256_from_u64(l2w_test_rand() % 2000000000ULL);
        l2w_fee_market m = {.next_base_fee = l2w_u256_from_u64(l2w_test_rand() % 50000000000ULL),
                            .tip = l2w_u256_from_u64(l2w_test_rand() % 3000000000ULL)};
        if (l2w_u256_cmp(&p.tip, &p.max_fee) > 0)
            p.tip = p.max_fee;
        l2w_status st = l2w_fees_bump(&p, &m, &c, &next, &capped);
        CHECK(st == L2W_OK);
        uint64_t pf, pt, nf, nt;
        CHECK(l2w_u256_to_u64(&pf, &p.max_fee) == L2W_OK && l2w_u256_to_u64(&pt, &p.tip) == L2W_OK);
        CHECK(l2w_u256_to_u64(&nf, &next.max_fee) == L2W_OK && l2w_u256_to_u64(&nt, &next.tip) == L2W_OK);
        CHECK_MSG(nf * 10 >= pf * 11 && nt * 10 >= pt * 11, "prev %llu/%llu next %llu/%llu",
                  (unsigned long long)pf, (unsigned long long)pt, (unsigned long long)nf, (unsigned long long)nt);
        CHECK(nt <= nf);
    }
}

static void test_no_bump_past_the_cap(void)
{
    l2w_txmgr_config c = cfg_with_cap(10);
    l2w_fee_market m = {.next_base_fee = gwei(9), .tip = gwei(1)};
    l2w_fees at_cap = {.max_fee = gwei(10), .tip = gwei(1)};
    l2w_fees next;
    bool capped;
    CHECK(l2w_fees_bump(&at_cap, &m, &c, &next, &capped) == L2W_ERR_RANGE);
    /* Close to the cap a full 10% still fits only if the cap allows it. */
    l2w_fees near = {.max_fee = gwei(9), .tip = gwei(1)};
    CHECK(l2w_fees_bump(&near, &m, &c, &next, &capped) == L2W_OK);
    CHECK(capped && eq(&next.max_fee, 10000000000ULL));
}

int main(void)
{
    l2w_test_seed();
    RUN(test_initial_fees);
    RUN(test_bump_is_at_least_ten_percent);
    RUN(test_no_bump_past_the_cap);
    return l2w_test_finish();
}
