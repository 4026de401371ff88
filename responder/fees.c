#include "responder/fees.h"

static const l2w_u256 *max_of(const l2w_u256 *a, const l2w_u256 *b)
{
    return l2w_u256_cmp(a, b) >= 0 ? a : b;
}

static l2w_status cap_wei(const l2w_txmgr_config *cfg, l2w_u256 *out)
{
    l2w_u256 gwei = l2w_u256_from_u64(1000000000ULL), cap = l2w_u256_from_u64(cfg->fee_cap_gwei);
    return l2w_u256_mul(out, &cap, &gwei);
}

/* Applies the cap to both fields and keeps tip <= max fee. */
static l2w_status clamp(l2w_fees *f, const l2w_txmgr_config *cfg, bool *capped)
{
    l2w_u256 cap;
    l2w_status st = cap_wei(cfg, &cap);
    if (st != L2W_OK)
        return st;
    *capped = false;
    if (l2w_u256_cmp(&f->max_fee, &cap) > 0) {
        f->max_fee = cap;
        *capped = true;
    }
    if (l2w_u256_cmp(&f->tip, &f->max_fee) > 0)
        f->tip = f->max_fee;
    return L2W_OK;
}

static l2w_status market_fees(const l2w_fee_market *m, const l2w_txmgr_config *cfg, l2w_fees *out)
{
    l2w_u256 floor = l2w_u256_from_u64(cfg->min_priority_fee_wei);
    out->tip = *max_of(&m->tip, &floor);
    l2w_u256 twice;
    l2w_status st = l2w_u256_add(&twice, &m->next_base_fee, &m->next_base_fee);
    if (st == L2W_OK)
        st = l2w_u256_add(&out->max_fee, &twice, &out->tip);
    return st;
}

l2w_status l2w_fees_initial(const l2w_fee_market *m, const l2w_txmgr_config *cfg, l2w_fees *out, bool *capped)
{
    l2w_fees f;
    l2w_status st = market_fees(m, cfg, &f);
    if (st == L2W_OK)
        st = clamp(&f, cfg, capped);
    if (st == L2W_OK)
        *out = f;
    return st;
}

/* v + ceil(v / 10), and at least v + 1 so a zero tip still rises. */
static l2w_status plus_ten_percent(const l2w_u256 *v, l2w_u256 *out)
{
    l2w_u256 ten = l2w_u256_from_u64(10), nine = l2w_u256_from_u64(9), one = l2w_u256_from_u64(1), t, inc;
    l2w_status st = l2w_u256_add(&t, v, &nine);
    if (st == L2W_OK)
        st = l2w_u256_divmod(&inc, NULL, &t, &ten);
    if (st == L2W_OK && l2w_u256_is_zero(&inc))
        inc = one;
    if (st == L2W_OK)
        st = l2w_u256_add(out, v, &inc);
    return st;
}

l2w_status l2w_fees_bump(const l2w_fees *prev, const l2w_fee_market *m, const l2w_txmgr_config *cfg, l2w_fees *out,
                         bool *capped)
{
    l2w_fees market, bumped;
    l2w_status st = market_fees(m, cfg, &market);
    if (st == L2W_OK)
        st = plus_ten_percent(&prev->max_fee, &bumped.max_fee);
    if (st == L2W_OK)
        st = plus_ten_percent(&prev->tip, &bumped.tip);
    if (st != L2W_OK)
        return st;
    bumped.max_fee = *max_of(&bumped.max_fee, &market.max_fee);
    bumped.tip = *max_of(&bumped.tip, &market.tip);
    if ((st = clamp(&bumped, cfg, capped)) != L2W_OK)
        return st;
    /* A capped replacement that is not 10% above the previous one would be
     * refused by every node: report that instead of sending it. */
    l2w_u256 need_fee, need_tip;
    if ((st = plus_ten_percent(&prev->max_fee, &need_fee)) != L2W_OK ||
        (st = plus_ten_percent(&prev->tip, &need_tip)) != L2W_OK)
        return st;
    if (l2w_u256_cmp(&bumped.max_fee, &need_fee) < 0 || l2w_u256_cmp(&bumped.tip, &need_tip) < 0)
        return L2W_ERR_RANGE;
    *out = bumped;
    return L2W_OK;
}

unsigned l2w_fees_urgency(int64_t window_start, int64_t deadline, int64_t now)
{
    if (deadline <= 0)
        return 0;
    if (now >= deadline)
        return 1000;
    if (window_start >= deadline || now <= window_start)
        return 0;
    int64_t window = deadline - window_start, used = now - window_start;
    return (unsigned)(used * 1000 / window);
}

l2w_status l2w_fees_urgent(l2w_fees *f, const l2w_fee_market *m, const l2w_txmgr_config *cfg, unsigned urgency,
                           bool *capped)
{
    if (urgency > 1000)
        urgency = 1000;
    l2w_u256 cap, twice_base;
    l2w_status st = cap_wei(cfg, &cap);
    if (st == L2W_OK)
        st = l2w_u256_add(&twice_base, &m->next_base_fee, &m->next_base_fee);
    if (st != L2W_OK)
        return st;
    l2w_fees out = *f;
    if (l2w_u256_cmp(&cap, &twice_base) > 0 && urgency > 0) {
        l2w_u256 headroom, scaled, tip, million = l2w_u256_from_u64(1000000);
        l2w_u256 sq = l2w_u256_from_u64((uint64_t)urgency * urgency);
        if ((st = l2w_u256_sub(&headroom, &cap, &twice_base)) == L2W_OK &&
            (st = l2w_u256_mul(&scaled, &headroom, &sq)) == L2W_OK &&
            (st = l2w_u256_divmod(&tip, NULL, &scaled, &million)) == L2W_OK) {
            out.tip = *max_of(&out.tip, &tip);
            l2w_u256 need;
            if ((st = l2w_u256_add(&need, &twice_base, &out.tip)) == L2W_OK)
                out.max_fee = *max_of(&out.max_fee, &need);
        }
        if (st != L2W_OK)
            return st;
    }
    if ((st = clamp(&out, cfg, capped)) != L2W_OK)
        return st;
    *f = out;
    return L2W_OK;
}

uint32_t l2w_fees_resubmit_ms(const l2w_txmgr_config *cfg, int64_t deadline, int64_t now)
{
    uint32_t wait = cfg->resubmit_after_ms;
    if (deadline <= 0)
        return wait;
    int64_t left_ms = deadline > now ? (deadline - now) * 1000 : 0;
    int64_t sixth = left_ms / 6;
    if (sixth < 1000)
        sixth = 1000;
    return sixth < (int64_t)wait ? (uint32_t)sixth : wait;
}
