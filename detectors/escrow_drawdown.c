#include "detectors/escrow_drawdown.h"

#include <stdio.h>
#include <string.h>

#include "core/hex.h"
#include "core/json.h"

static l2w_status check_series(const l2w_escrow_sample *samples, size_t n, l2w_err *err)
{
    if (n == 0) {
        l2w_err_set(err, "escrow_drawdown: no samples");
        return L2W_ERR_INVALID;
    }
    for (size_t i = 1; i < n; i++) {
        const l2w_escrow_sample *a = &samples[i - 1], *b = &samples[i];
        /* The window is cut by timestamp and the falls are read in block
         * order: a series that goes back in either would give figures about
         * no real history. */
        if (b->block_number <= a->block_number || b->timestamp < a->timestamp) {
            l2w_err_set(err,
                        "escrow_drawdown: sample %zu (block %llu, time %llu) does not follow sample %zu "
                        "(block %llu, time %llu)",
                        i, (unsigned long long)b->block_number, (unsigned long long)b->timestamp, i - 1,
                        (unsigned long long)a->block_number, (unsigned long long)a->timestamp);
            return L2W_ERR_INVALID;
        }
    }
    return L2W_OK;
}

/* fall * 100 > percent * base, exactly: the products may pass 2^256. A base
 * of 0 can only pair with a fall of 0, which is never above it. */
static bool above_percent(const l2w_u256 *fall, const l2w_u256 *base, uint32_t percent)
{
    return l2w_u256_cmp_mul(fall, 100, base, percent) > 0;
}

static l2w_status basis_points(uint32_t *out, const l2w_u256 *fall, const l2w_u256 *base, l2w_err *err)
{
    if (l2w_u256_is_zero(base)) {
        *out = 0;
        return L2W_OK;
    }
    l2w_status st = l2w_u256_ratio_scaled(out, fall, base, 10000);
    if (st != L2W_OK)
        l2w_err_set(err, "escrow_drawdown: a fall larger than the balance it fell from");
    return st;
}

l2w_status l2w_drawdown_judge(l2w_drawdown_verdict *out, const l2w_drawdown_params *p,
                              const l2w_escrow_sample *samples, size_t n, l2w_err *err)
{
    l2w_status st = check_series(samples, n, err);
    if (st != L2W_OK)
        return st;
    const l2w_escrow_sample *last = &samples[n - 1];
    uint64_t window_start = last->timestamp > p->window_s ? last->timestamp - p->window_s : 0;
    /* The latest sample at or before window_start is the balance the escrow
     * held when the window opened; the ones before it are history the
     * window does not cover. */
    size_t open = 0;
    for (size_t i = n; i-- > 0;) {
        if (samples[i].timestamp <= window_start) {
            open = i;
            break;
        }
    }

    l2w_drawdown_verdict v;
    memset(&v, 0, sizeof v);
    v.window_start = window_start;
    v.last = *last;
    const l2w_escrow_sample *peak = &samples[open];
    const l2w_escrow_sample *single_before = NULL, *single_after = NULL;
    l2w_u256 single_fall = l2w_u256_from_u64(0);
    for (size_t i = open + 1; i < n; i++) {
        const l2w_escrow_sample *prev = &samples[i - 1], *cur = &samples[i];
        /* Strictly higher: on a tie the earlier sample stays the peak, the
         * start of the plateau the escrow fell from. */
        if (l2w_u256_cmp(&cur->balance, &peak->balance) > 0)
            peak = cur;
        if (l2w_u256_cmp(&cur->balance, &prev->balance) >= 0)
            continue; /* a deposit or no movement */
        l2w_u256 fall;
        st = l2w_u256_sub(&fall, &prev->balance, &cur->balance);
        if (st != L2W_OK) {
            l2w_err_set(err, "escrow_drawdown: fall at block %llu", (unsigned long long)cur->block_number);
            return st;
        }
        v.falls++;
        st = l2w_u256_add(&v.window_outflow, &v.window_outflow, &fall);
        if (st != L2W_OK) {
            l2w_err_set(err, "escrow_drawdown: window outflow passes 2^256 at block %llu",
                        (unsigned long long)cur->block_number);
            return st;
        }
        if (v.falls == 1 || l2w_u256_cmp(&fall, &v.largest_fall) > 0) {
            v.largest = *cur;
            v.largest_fall = fall;
        }
        if (above_percent(&fall, &prev->balance, p->single_release_percent) &&
            (!single_after || l2w_u256_cmp(&fall, &single_fall) > 0)) {
            single_before = prev;
            single_after = cur;
            single_fall = fall;
        }
    }

    l2w_u256 window_fall;
    st = l2w_u256_sub(&window_fall, &peak->balance, &last->balance);
    if (st != L2W_OK) {
        l2w_err_set(err, "escrow_drawdown: latest balance above the window's peak");
        return st;
    }
    /* The window's fall wins over one block's: it is the larger picture and
     * includes that block. */
    if (above_percent(&window_fall, &peak->balance, p->drawdown_percent)) {
        v.reason = L2W_DRAWDOWN_WINDOW;
    } else if (single_after) {
        v.reason = L2W_DRAWDOWN_SINGLE;
    } else {
        v.reason = L2W_DRAWDOWN_NONE;
    }
    switch (v.reason) {
    case L2W_DRAWDOWN_NONE:
    case L2W_DRAWDOWN_WINDOW:
        v.peak = *peak;
        v.fell_to = *last;
        v.fall = window_fall;
        break;
    case L2W_DRAWDOWN_SINGLE:
        v.peak = *single_before;
        v.fell_to = *single_after;
        v.fall = single_fall;
        break;
    }
    st = basis_points(&v.fall_bps, &v.fall, &v.peak.balance, err);
    if (st != L2W_OK)
        return st;
    *out = v;
    return L2W_OK;
}

static json_t *sample_json(const l2w_escrow_sample *s)
{
    char balance[L2W_U256_DEC_LEN];
    l2w_u256_to_dec(balance, &s->balance);
    return json_pack("{s:I, s:o, s:I, s:s}", "block_number", (json_int_t)s->block_number, "block_hash",
                     l2w_json_hash(&s->block_hash), "timestamp", (json_int_t)s->timestamp, "balance", balance);
}

/* "4 h", "90 min", "45 s": the window as an operator configured it. */
static void duration_text(char out[32], uint32_t s)
{
    if (s != 0 && s % 3600 == 0)
        snprintf(out, 32, "%u h", s / 3600);
    else if (s != 0 && s % 60 == 0)
        snprintf(out, 32, "%u min", s / 60);
    else
        snprintf(out, 32, "%u s", s);
}

static const char *reason_name(l2w_drawdown_reason r)
{
    switch (r) {
    case L2W_DRAWDOWN_NONE: return "none";
    case L2W_DRAWDOWN_WINDOW: return "window";
    case L2W_DRAWDOWN_SINGLE: return "single";
    }
    return "unknown";
}

/* "from" and "to" are the two ends of the fall: the window's peak and the
 * latest sample, or the two sides of the block that fell too far. */
static json_t *drawdown_json(const l2w_drawdown_params *p, const l2w_drawdown_verdict *v, const char *percent)
{
    char fall[L2W_U256_DEC_LEN], outflow[L2W_U256_DEC_LEN], largest_fall[L2W_U256_DEC_LEN];
    l2w_u256_to_dec(fall, &v->fall);
    l2w_u256_to_dec(outflow, &v->window_outflow);
    l2w_u256_to_dec(largest_fall, &v->largest_fall);
    return json_pack("{s:s, s:o, s:o, s:o, s:s, s:I, s:s, s:s, s:I, s:I, s:I, s:I, s:o?, s:s, s:I, s:I}",
                     "reason", reason_name(v->reason), "from", sample_json(&v->peak), "to",
                     sample_json(&v->fell_to), "last", sample_json(&v->last), "fall", fall, "fall_bps",
                     (json_int_t)v->fall_bps, "fall_percent", percent, "window_outflow", outflow, "falls",
                     (json_int_t)v->falls, "window_s", (json_int_t)p->window_s, "window_start",
                     (json_int_t)v->window_start, "window_end", (json_int_t)v->last.timestamp, "largest",
                     v->falls ? sample_json(&v->largest) : NULL, "largest_fall", largest_fall,
                     "drawdown_percent", (json_int_t)p->drawdown_percent, "single_release_percent",
                     (json_int_t)p->single_release_percent);
}

l2w_status l2w_drawdown_finding(l2w_finding *out, const l2w_bridge_subject *s, const l2w_drawdown_params *p,
                                const l2w_drawdown_verdict *v, l2w_err *err)
{
    memset(out, 0, sizeof *out);
    switch (v->reason) {
    case L2W_DRAWDOWN_NONE:
        l2w_err_set(err, "escrow_drawdown: bridge %s: no drawdown to report", s->bridge);
        return L2W_ERR_INVALID;
    case L2W_DRAWDOWN_WINDOW:
    case L2W_DRAWDOWN_SINGLE:
        break;
    }
    char token[L2W_ADDR_HEX_LEN], last_hash[L2W_HASH_HEX_LEN], escrow[L2W_ADDR_HEX_LEN];
    l2w_bridge_token_label(token, s);
    l2w_hash_to_hex(last_hash, &v->last.block_hash);
    l2w_addr_to_hex(escrow, &s->escrow);
    l2w_status st = l2w_bridge_subject_key(out->subject, sizeof out->subject, s, err);
    if (st != L2W_OK)
        return st;
    /* The caller keeps one finding open per subject; the key names the
     * sample the verdict was reached on, so the same verdict on the same
     * block is the same row after a restart, and a reorg that drops the
     * block retracts it. */
    int n = snprintf(out->dedup_key, sizeof out->dedup_key, "escrow_drawdown:%s:%s:%s", s->bridge, token, last_hash);
    if (n < 0 || (size_t)n >= sizeof out->dedup_key) {
        l2w_err_set(err, "escrow_drawdown: bridge %s: dedup key too long", s->bridge);
        return L2W_ERR_RANGE;
    }
    out->kind = "escrow_drawdown";
    out->severity = L2W_SEV_HIGH;
    snprintf(out->chain, sizeof out->chain, "%s", s->chain);

    char percent[16], window[32];
    snprintf(percent, sizeof percent, "%u.%02u%%", v->fall_bps / 100, v->fall_bps % 100);
    duration_text(window, p->window_s);
    char peak_amt[L2W_BRIDGE_AMOUNT_LEN], to_amt[L2W_BRIDGE_AMOUNT_LEN], fall_amt[L2W_BRIDGE_AMOUNT_LEN];
    l2w_bridge_amount(peak_amt, s, &v->peak.balance);
    l2w_bridge_amount(to_amt, s, &v->fell_to.balance);
    l2w_bridge_amount(fall_amt, s, &v->fall);
    switch (v->reason) {
    case L2W_DRAWDOWN_NONE: /* refused above */
        break;
    case L2W_DRAWDOWN_WINDOW: {
        char outflow_amt[L2W_BRIDGE_AMOUNT_LEN], largest_amt[L2W_BRIDGE_AMOUNT_LEN];
        l2w_bridge_amount(outflow_amt, s, &v->window_outflow);
        l2w_bridge_amount(largest_amt, s, &v->largest_fall);
        l2w_finding_text(out->title, sizeof out->title, "Bridge %s: %s escrow on %s fell %s within %s", s->bridge, s->symbol,
                 s->chain, percent, window);
        l2w_finding_text(out->summary, sizeof out->summary,
                 "The %s escrow %s of bridge %s on %s fell from %s at block %llu to %s at block %llu: %s, %s of "
                 "its peak within %s, above the %u%% limit. %zu falls took out %s in the window; the largest, "
                 "%s, at block %llu. Check the releases behind them and pause the bridge if they are not "
                 "legitimate.",
                 s->symbol, escrow, s->bridge, s->chain, peak_amt, (unsigned long long)v->peak.block_number, to_amt,
                 (unsigned long long)v->fell_to.block_number, fall_amt, percent, window, p->drawdown_percent,
                 v->falls, outflow_amt, largest_amt, (unsigned long long)v->largest.block_number);
        break;
    }
    case L2W_DRAWDOWN_SINGLE:
        l2w_finding_text(out->title, sizeof out->title, "Bridge %s: %s escrow on %s lost %s in one block (%llu)", s->bridge,
                 s->symbol, s->chain, percent, (unsigned long long)v->fell_to.block_number);
        l2w_finding_text(out->summary, sizeof out->summary,
                 "The %s escrow %s of bridge %s on %s fell from %s at block %llu to %s at block %llu: one block "
                 "released %s, %s of the escrow, above the %u%% single-release limit. Check the release in "
                 "block %llu and pause the bridge if it is not legitimate.",
                 s->symbol, escrow, s->bridge, s->chain, peak_amt, (unsigned long long)v->peak.block_number, to_amt,
                 (unsigned long long)v->fell_to.block_number, fall_amt, percent, p->single_release_percent,
                 (unsigned long long)v->fell_to.block_number);
        break;
    }
    out->evidence = l2w_bridge_evidence(s, drawdown_json(p, v, percent));
    if (!out->evidence) {
        l2w_err_set(err, "escrow_drawdown: out of memory building evidence");
        return L2W_ERR_NOMEM;
    }
    out->has_block_number = true;
    out->block_number = l2w_u256_from_u64(v->last.block_number);
    /* A drawdown stands on the latest balance: a reorg that removes that
     * block takes the verdict with it. */
    out->has_anchor = true;
    snprintf(out->anchor_chain, sizeof out->anchor_chain, "%s", s->chain);
    out->anchor_block_hash = v->last.block_hash;
    return L2W_OK;
}
