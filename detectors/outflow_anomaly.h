#ifndef L2W_DETECTORS_OUTFLOW_ANOMALY_H
#define L2W_DETECTORS_OUTFLOW_ANOMALY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/finding.h"
#include "core/status.h"
#include "detectors/bridge_facts.h"

/* outflow_anomaly (medium): the outflow of one interval far above the
 * escrow's own baseline: z = (x - mean) / sd over the previous intervals'
 * outflows (Welford's running mean and variance), with a warm-up before it
 * may fire. Statistics are doubles: they rank flows, they never move money. */

typedef struct {
    uint64_t n;
    double mean;
    double m2;   /* sum of squared deviations from the mean */
} l2w_welford;

void l2w_welford_add(l2w_welford *w, double x);
/* Sample variance (n - 1); 0 below two values. */
double l2w_welford_variance(const l2w_welford *w);

typedef struct {
    uint32_t interval_s;         /* default 3600 */
    uint32_t z_threshold;        /* default 8 */
    uint32_t warmup_intervals;   /* default 168 (a week of hours) */
} l2w_outflow_params;

typedef struct {
    bool anomalous;
    bool warming_up;             /* fewer baseline intervals than warmup_intervals */
    uint64_t baseline_intervals;
    double mean;                 /* of the baseline, base units */
    double sd;                   /* as used: max(the baseline's, mean / 10, 1 base unit); why in the .c */
    double z;
    l2w_u256 outflow;            /* this interval's */
} l2w_outflow_verdict;

/* baseline[0..n): outflow of each previous interval (oldest first, zeros
 * included: a quiet hour is part of the baseline); current: this interval's
 * outflow so far. Anomalous when not warming up, the outflow is above the
 * mean and z >= z_threshold (at the threshold counts). L2W_ERR_INVALID only
 * for n > 0 with no baseline. */
L2W_MUST_CHECK l2w_status l2w_outflow_judge(l2w_outflow_verdict *out, const l2w_outflow_params *p,
                                            const l2w_u256 *baseline, size_t n, const l2w_u256 *current,
                                            l2w_err *err);

/* The finding for an anomalous verdict, for the interval starting at
 * interval_start (unix seconds): evidence with the interval, outflow, mean,
 * sd, z, baseline size and thresholds; dedup key naming bridge, token and
 * interval (one finding per interval); no anchor (an interval spans blocks).
 * L2W_ERR_INVALID when the verdict is not anomalous. */
L2W_MUST_CHECK l2w_status l2w_outflow_finding(l2w_finding *out, const l2w_bridge_subject *s,
                                              const l2w_outflow_params *p, uint64_t interval_start,
                                              const l2w_outflow_verdict *v, l2w_err *err);

#endif
