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

/* Urgency is the share of the window used, in thousandths. */
static void test_urgency(void)
{
    CHECK(l2w_fees_urgency(0, 0, 5000) == 0);          /* no deadline */
    CHECK(l2w_fees_urgency(1000, 4600, 1000) == 0);    /* just opened */
    CHECK(l2w_fees_urgency(1000, 4600, 900) == 0);     /* clock behind the window */
    CHECK(l2w_fees_urgency(1000, 4600, 2800) == 500);
    CHECK(l2w_fees_urgency(1000, 4600, 4240) == 900);
    CHECK(l2w_fees_urgency(1000, 4600, 4600) == 1000); /* at and past the deadline */
    CHECK(l2w_fees_urgency(1000, 4600, 9999) == 1000);
    CHECK(l2w_fees_urgency(5000, 4600, 4000) == 0);    /* a window that ends before it starts */
}

/* The tip grows with the square of urgency toward the headroom under the
 * cap; nothing is ever lowered and the cap holds. */
static void test_urgent_fees_rise_toward_the_cap(void)
{
    l2w_txmgr_config c = cfg_with_cap(110);
    l2w_fee_market m = {.next_base_fee = gwei(5), .tip = gwei(1)};
    l2w_fees base;
    bool capped;
    CHECK(l2w_fees_initial(&m, &c, &base, &capped) == L2W_OK);
    l2w_fees f = base;
    CHECK(l2w_fees_urgent(&f, &m, &c, 0, &capped) == L2W_OK);
    CHECK(l2w_u256_cmp(&f.tip, &base.tip) == 0 && l2w_u256_cmp(&f.max_fee, &base.max_fee) == 0);
    /* headroom = 110 - 2 * 5 = 100 gwei; at half the window a quarter of it */
    f = base;
    CHECK(l2w_fees_urgent(&f, &m, &c, 500, &capped) == L2W_OK);
    CHECK(eq(&f.tip, 25000000000ULL) && eq(&f.max_fee, 35000000000ULL) && !capped);
    f = base;
    CHECK(l2w_fees_urgent(&f, &m, &c, 900, &capped) == L2W_OK);
    CHECK(eq(&f.tip, 81000000000ULL) && eq(&f.max_fee, 91000000000ULL));
    /* at the deadline: everything under the cap */
    f = base;
    CHECK(l2w_fees_urgent(&f, &m, &c, 1000, &capped) == L2W_OK);
    CHECK(eq(&f.tip, 100000000000ULL) && eq(&f.max_fee, 110000000000ULL));
    /* a higher tip already paid is kept */
    f = base;
    f.tip = gwei(90);
    f.max_fee = gwei(100);
    CHECK(l2w_fees_urgent(&f, &m, &c, 500, &capped) == L2W_OK);
    CHECK(eq(&f.tip, 90000000000ULL) && eq(&f.max_fee, 100000000000ULL));
    /* a base fee above the cap leaves no headroom: the cap holds */
    m.next_base_fee = gwei(80);
    f = base;
    CHECK(l2w_fees_urgent(&f, &m, &c, 1000, &capped) == L2W_OK);
    CHECK(l2w_u256_cmp(&f.max_fee, &(l2w_u256){0}) > 0);
    l2w_u256 cap = gwei(110);
    CHECK(l2w_u256_cmp(&f.max_fee, &cap) <= 0 && l2w_u256_cmp(&f.tip, &f.max_fee) <= 0);
}

static void test_resubmit_interval_shrinks(void)
{
    l2w_txmgr_config c = cfg_with_cap(100);
    c.resubmit_after_ms = 60000;
    CHECK(l2w_fees_resubmit_ms(&c, 0, 1000) == 60000);        /* no deadline */
    CHECK(l2w_fees_resubmit_ms(&c, 10000, 1000) == 60000);    /* 9000 s left: a sixth is longer */
    CHECK(l2w_fees_resubmit_ms(&c, 1120, 1000) == 20000);     /* 120 s left */
    CHECK(l2w_fees_resubmit_ms(&c, 1003, 1000) == 1000);      /* floor */
    CHECK(l2w_fees_resubmit_ms(&c, 900, 1000) == 1000);       /* past it */
}

int main(void)
{
    RUN(test_urgency);
    RUN(test_urgent_fees_rise_toward_the_cap);
    RUN(test_resubmit_interval_shrinks);
    l2w_test_seed();
    RUN(test_initial_fees);
    RUN(test_bump_is_at_least_ten_percent);
    RUN(test_no_bump_past_the_cap);
    return l2w_test_finish();
}
