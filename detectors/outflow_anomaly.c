#include "detectors/outflow_anomaly.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/hex.h"
#include "core/json.h"

void l2w_welford_add(l2w_welford *w, double x)
{
    /* Welford's update: no sum of squares that cancels catastrophically when
     * the flows are large and alike. */
    w->n++;
    double delta = x - w->mean;
    w->mean += delta / (double)w->n;
    w->m2 += delta * (x - w->mean);
}

double l2w_welford_variance(const l2w_welford *w)
{
    return w->n < 2 ? 0.0 : w->m2 / (double)(w->n - 1);
}

/* The floor on the standard deviation, so that z stays meaningful when the
 * baseline has (almost) no spread:
 *   - sd itself when the flows vary;
 *   - a tenth of the mean: a steady flow (a market maker's hourly
 *     rebalance) has sd close to 0 and would turn a 1% larger hour into an
 *     enormous z. Flooring the coefficient of variation at 10% means that at
 *     the default z of 8 an hour must reach 1.8 times the steady rate before
 *     it is unusual;
 *   - one base unit: a baseline of nothing but quiet intervals has mean and
 *     sd 0, and z would be infinite for any outflow, even a single wei. With
 *     the floor z is the outflow in base units, so dust below z_threshold
 *     base units stays quiet while a dormant escrow that starts paying out
 *     anything real is reported, which is what a reader of this finding
 *     wants to know. The unit is the smallest amount that exists, so this
 *     floor assumes nothing about the token's value. */
static double sd_floor(double sd, double mean)
{
    double least = mean / 10.0;
    if (least < 1.0)
        least = 1.0;
    return sd > least ? sd : least;
}

l2w_status l2w_outflow_judge(l2w_outflow_verdict *out, const l2w_outflow_params *p, const l2w_u256 *baseline,
                             size_t n, const l2w_u256 *current, l2w_err *err)
{
    if (n > 0 && !baseline) {
        l2w_err_set(err, "outflow_anomaly: %zu baseline intervals but no values", n);
        return L2W_ERR_INVALID;
    }
    l2w_welford w = {0, 0.0, 0.0};
    for (size_t i = 0; i < n; i++)
        l2w_welford_add(&w, l2w_u256_to_double(&baseline[i]));
    l2w_outflow_verdict v;
    memset(&v, 0, sizeof v);
    v.baseline_intervals = w.n;
    v.warming_up = w.n < p->warmup_intervals;
    v.mean = w.mean;
    v.sd = sd_floor(sqrt(l2w_welford_variance(&w)), w.mean);
    v.outflow = *current;
    double x = l2w_u256_to_double(current);
    v.z = (x - v.mean) / v.sd;
    /* x > mean as well as z: with a z_threshold of 0 an ordinary interval
     * would otherwise qualify. */
    v.anomalous = !v.warming_up && x > v.mean && v.z >= (double)p->z_threshold;
    *out = v;
    return L2W_OK;
}

/* A statistic in base units shown in token units: "1.5 ETH". Rounded for
 * reading; the evidence keeps the base-unit figure. */
static void units_text(char *out, size_t out_len, double base_units, const l2w_bridge_subject *s)
{
    double units = base_units;
    for (unsigned i = 0; i < s->decimals; i++)
        units /= 10.0;
    snprintf(out, out_len, "%.6g %s", units, s->symbol);
}

static void utc_text(char out[32], uint64_t unix_s)
{
    time_t t = (time_t)unix_s;
    struct tm tm;
    if (unix_s > (uint64_t)INT64_MAX || !gmtime_r(&t, &tm) || strftime(out, 32, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
        snprintf(out, 32, "unix time %llu", (unsigned long long)unix_s);
}

l2w_status l2w_outflow_finding(l2w_finding *out, const l2w_bridge_subject *s, const l2w_outflow_params *p,
                               uint64_t interval_start, const l2w_outflow_verdict *v, l2w_err *err)
{
    memset(out, 0, sizeof *out);
    if (!v->anomalous) {
        l2w_err_set(err, "outflow_anomaly: bridge %s: the interval at %llu is not anomalous", s->bridge,
                    (unsigned long long)interval_start);
        return L2W_ERR_INVALID;
    }
    char token[L2W_ADDR_HEX_LEN], escrow[L2W_ADDR_HEX_LEN];
    l2w_bridge_token_label(token, s);
    l2w_addr_to_hex(escrow, &s->escrow);
    /* One finding per interval: the interval's outflow keeps growing while
     * it runs, and a second look at the same hour is the same finding. */
    int n = snprintf(out->dedup_key, sizeof out->dedup_key, "outflow_anomaly:%s:%s:%llu", s->bridge, token,
                     (unsigned long long)interval_start);
    if (n < 0 || (size_t)n >= sizeof out->dedup_key) {
        l2w_err_set(err, "outflow_anomaly: bridge %s: dedup key too long", s->bridge);
        return L2W_ERR_RANGE;
    }
    out->kind = "outflow_anomaly";
    out->severity = L2W_SEV_MEDIUM;
    snprintf(out->chain, sizeof out->chain, "%s", s->chain);

    uint64_t interval_end = interval_start > UINT64_MAX - p->interval_s ? UINT64_MAX : interval_start + p->interval_s;
    char start[32], end[32], units[L2W_U256_UNITS_LEN], amount[L2W_BRIDGE_AMOUNT_LEN], mean[96], sd[96];
    utc_text(start, interval_start);
    utc_text(end, interval_end);
    l2w_u256_to_units(units, &v->outflow, s->decimals);
    l2w_bridge_amount(amount, s, &v->outflow);
    units_text(mean, sizeof mean, v->mean, s);
    units_text(sd, sizeof sd, v->sd, s);
    l2w_finding_text(out->title, sizeof out->title, "Bridge %s: unusual outflow of %s %s from the escrow on %s (z %.1f)",
             s->bridge, units, s->symbol, s->chain, v->z);
    l2w_finding_text(out->summary, sizeof out->summary,
             "Between %s and %s the %s escrow %s of bridge %s on %s paid out %s. Over the previous %llu intervals "
             "of %u s it paid out %s on average (standard deviation as used %s), so this interval is %.1f "
             "standard deviations above the mean, at or above the threshold of %u. Unusual is not necessarily "
             "theft: check the releases in the interval.",
             start, end, s->symbol, escrow, s->bridge, s->chain, amount, (unsigned long long)v->baseline_intervals,
             p->interval_s, mean, sd, v->z, p->z_threshold);
    char outflow[L2W_U256_DEC_LEN];
    l2w_u256_to_dec(outflow, &v->outflow);
    out->evidence = l2w_bridge_evidence(
        s, json_pack("{s:I, s:I, s:I, s:s, s:f, s:f, s:f, s:I, s:I, s:I}", "interval_start",
                     (json_int_t)interval_start, "interval_end", (json_int_t)interval_end, "interval_s",
                     (json_int_t)p->interval_s, "outflow", outflow, "mean", v->mean, "sd", v->sd, "z", v->z,
                     "baseline_intervals", (json_int_t)v->baseline_intervals, "z_threshold", (json_int_t)p->z_threshold,
                     "warmup_intervals", (json_int_t)p->warmup_intervals));
    if (!out->evidence) {
        l2w_err_set(err, "outflow_anomaly: out of memory building evidence");
        return L2W_ERR_NOMEM;
    }
    /* No anchor and no block: an interval spans many blocks, and a reorg
     * inside it changes the outflow the next look computes, not this fact. */
    return L2W_OK;
}
