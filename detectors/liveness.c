#include "detectors/liveness.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

typedef l2w_liveness_u128 u128;

/* Timestamps have whole-second resolution: a window whose spread is below
 * that is measuring rounding, and without a floor a perfectly regular
 * series would turn any late event into an infinite z. */
#define SD_FLOOR_S 1.0

const char *l2w_liveness_kind_name(l2w_liveness_kind kind)
{
    switch (kind) {
    case L2W_LIVENESS_BATCHES:
        return "batches";
    case L2W_LIVENESS_PROPOSALS:
        return "proposals";
    case L2W_LIVENESS_PROOFS:
        return "proofs";
    case L2W_LIVENESS_L2_HEAD:
        return "l2_head";
    }
    return "unknown";
}

/* For people: "no batches", "batches resumed". */
static const char *kind_plural(l2w_liveness_kind kind)
{
    switch (kind) {
    case L2W_LIVENESS_BATCHES:
        return "batches";
    case L2W_LIVENESS_PROPOSALS:
        return "output proposals";
    case L2W_LIVENESS_PROOFS:
        return "proofs";
    case L2W_LIVENESS_L2_HEAD:
        return "L2 blocks";
    }
    return "events";
}

static const char *kind_singular(l2w_liveness_kind kind)
{
    switch (kind) {
    case L2W_LIVENESS_BATCHES:
        return "batch";
    case L2W_LIVENESS_PROPOSALS:
        return "output proposal";
    case L2W_LIVENESS_PROOFS:
        return "proof";
    case L2W_LIVENESS_L2_HEAD:
        return "new L2 head";
    }
    return "event";
}

/* Where to look first, so the page tells the reader more than "it stopped". */
static const char *kind_hint(l2w_liveness_kind kind)
{
    switch (kind) {
    case L2W_LIVENESS_BATCHES:
        return "Check the batcher: its node, its L1 balance and the DA layer. Transactions not yet in a batch are "
               "not final on L1, and a stall that outlasts the chain's sequencing window changes what the chain "
               "derives.";
    case L2W_LIVENESS_PROPOSALS:
        return "Check the proposer: its node and its L1 balance. Withdrawals cannot be proven until an output "
               "covering them is proposed.";
    case L2W_LIVENESS_PROOFS:
        return "Check the prover and the verifier contract's recent calls. State is not final on L1 until it is "
               "proven.";
    case L2W_LIVENESS_L2_HEAD:
        return "Check the sequencer and the L2 endpoints: the chain may have halted, or only the tower's view of it.";
    }
    return "";
}

const char *l2w_liveness_transition_name(l2w_liveness_transition t)
{
    switch (t) {
    case L2W_LIVENESS_NONE:
        return "none";
    case L2W_LIVENESS_GAP_OPENED:
        return "gap_opened";
    case L2W_LIVENESS_GAP_ESCALATED:
        return "gap_escalated";
    case L2W_LIVENESS_RECOVERED:
        return "recovered";
    }
    return "unknown";
}

void l2w_liveness_config_default(l2w_liveness_config *out, l2w_liveness_kind kind)
{
    memset(out, 0, sizeof *out);
    out->z_threshold = 15.0;
    out->min_samples = 20;
    out->window = L2W_LIVENESS_WINDOW_MAX;
    switch (kind) {
    case L2W_LIVENESS_BATCHES:
        /* Arbitrum's own batch-poster monitor defaults to 4 h; OP Stack
         * batchers post every few minutes. */
        out->max_interval_s = 4 * 3600;
        out->min_gap_s = 600;
        return;
    case L2W_LIVENESS_PROPOSALS:
        /* op-proposer and Arbitrum validators propose about hourly. */
        out->max_interval_s = 4 * 3600;
        out->min_gap_s = 1800;
        return;
    case L2W_LIVENESS_PROOFS:
        out->max_interval_s = 24 * 3600;
        out->min_gap_s = 3600;
        return;
    case L2W_LIVENESS_L2_HEAD:
        out->max_interval_s = 600;
        out->min_gap_s = 60;
        return;
    }
    out->max_interval_s = 3600;
    out->min_gap_s = 600;
}

l2w_status l2w_liveness_init(l2w_liveness *t, l2w_liveness_kind kind, const l2w_liveness_config *cfg, l2w_err *err)
{
    memset(t, 0, sizeof *t);
    const char *bad = NULL;
    if (cfg->max_interval_s == 0 || cfg->max_interval_s > L2W_LIVENESS_MAX_TS)
        bad = "max_interval_s must be 1..2^48";
    /* Written as !(a > b) so that a NaN is refused too. */
    else if (!(cfg->z_threshold > 0.0) || !(cfg->z_threshold <= 1e6))
        bad = "z_threshold must be above 0 and at most 1e6";
    else if (cfg->window < 2 || cfg->window > L2W_LIVENESS_WINDOW_MAX)
        bad = "window must be 2..1024 intervals";
    /* A variance needs two values; more than the window never arrive. */
    else if (cfg->min_samples < 2 || cfg->min_samples > cfg->window)
        bad = "min_samples must be 2..window";
    else if (cfg->min_gap_s > L2W_LIVENESS_MAX_TS)
        bad = "min_gap_s must be at most 2^48";
    if (bad) {
        l2w_err_set(err, "liveness %s: %s", l2w_liveness_kind_name(kind), bad);
        return L2W_ERR_CONFIG;
    }
    t->cfg = *cfg;
    t->kind = kind;
    t->state = L2W_LIVENESS_OK;
    t->gap_severity = L2W_SEV_INFO;
    return L2W_OK;
}

/* The 128-bit value through long double (64 bits of mantissa) and one
 * correctly rounded square root. */
static double root_u128(u128 d)
{
    return (double)sqrtl((long double)d);
}

/* Mean and standard deviation (as used: floored) of the window. The
 * variance is n*sum_sq - sum^2 over n^2 with the numerator exact in 128
 * bits: intervals below 2^48 s and at most 2^10 of them keep both terms
 * below 2^116. It is rounded once, so a series of day-long intervals with a
 * few seconds of spread keeps its spread, with none of the cancellation a
 * floating sum of squares suffers, nor the drift of a Welford update that
 * also removes values. */
static void window_stats(const l2w_liveness *t, double *mean, double *sd)
{
    *mean = 0.0;
    *sd = 0.0;
    if (t->count == 0)
        return;
    *mean = (double)t->sum / (double)t->count;
    if (t->count < 2)
        return;
    u128 num = (u128)t->count * t->sum_sq - (u128)t->sum * t->sum;
    double raw = root_u128(num) / (double)t->count;
    *sd = raw > SD_FLOOR_S ? raw : SD_FLOOR_S;
}

/* The rules for a gap of gap_s after the last event; the state is not
 * touched. */
static void judge(l2w_liveness_report *r, const l2w_liveness *t, uint64_t gap_s)
{
    memset(r, 0, sizeof *r);
    r->transition = L2W_LIVENESS_NONE;
    r->severity = t->state == L2W_LIVENESS_GAP_OPEN ? t->gap_severity : L2W_SEV_INFO;
    r->has_last = t->has_last;
    r->last_event_ts = t->last_ts;
    r->max_interval_s = t->cfg.max_interval_s;
    r->samples = t->count;
    window_stats(t, &r->mean, &r->stddev);
    if (!t->has_last)
        return;
    r->gap_s = gap_s;
    r->over_max = gap_s > t->cfg.max_interval_s;
    if (t->count >= 2)
        r->z = ((double)gap_s - r->mean) / r->stddev;
    /* gap > mean is implied by z >= z_threshold > 0 (init refuses a
     * threshold of 0 or less); it is stated so the rule does not rest on
     * that check alone. */
    r->z_fired = t->count >= t->cfg.min_samples && (double)gap_s > r->mean && r->z >= t->cfg.z_threshold &&
                 gap_s >= t->cfg.min_gap_s;
}

/* Intervals that were themselves gaps enter the window too, as L2BEAT's
 * do. Leaving them out would keep the baseline "healthy", but a series
 * that legitimately changes cadence (a batcher reconfigured from every
 * minute to every ten) would then never learn the new one: each interval
 * would be flagged, excluded, and flagged again, for ever. The price is
 * that one long outage widens the band until it leaves the window, so a
 * second outage soon after needs to be longer to be seen; max_interval_s
 * does not move and still catches it. */
static void push_interval(l2w_liveness *t, uint64_t interval)
{
    if (t->count == t->cfg.window) {
        uint64_t old = t->ring[t->head];
        t->sum -= old;
        t->sum_sq -= (u128)old * old;
    } else {
        t->count++;
    }
    t->ring[t->head] = interval;
    t->sum += interval;
    t->sum_sq += (u128)interval * interval;
    t->head = (t->head + 1) % t->cfg.window;
}

l2w_status l2w_liveness_observe(l2w_liveness *t, l2w_liveness_report *out, uint64_t event_ts, l2w_err *err)
{
    const char *kind = l2w_liveness_kind_name(t->kind);
    if (event_ts > L2W_LIVENESS_MAX_TS) {
        l2w_err_set(err, "liveness %s: event at %llu is past 2^48", kind, (unsigned long long)event_ts);
        return L2W_ERR_RANGE;
    }
    if (t->has_last && event_ts <= t->last_ts) {
        l2w_err_set(err, "liveness %s: event at %llu ignored: %s the last event at %llu", kind,
                    (unsigned long long)event_ts, event_ts == t->last_ts ? "same second as" : "older than",
                    (unsigned long long)t->last_ts);
        return L2W_ERR_INVALID;
    }
    uint64_t interval = t->has_last ? event_ts - t->last_ts : 0;
    judge(out, t, interval);
    if (t->state == L2W_LIVENESS_GAP_OPEN) {
        out->transition = L2W_LIVENESS_RECOVERED;
        t->state = L2W_LIVENESS_OK;
        t->gap_severity = L2W_SEV_INFO;
    }
    if (t->has_last)
        push_interval(t, interval);
    t->has_last = true;
    t->last_ts = event_ts;
    return L2W_OK;
}

l2w_status l2w_liveness_check(l2w_liveness *t, l2w_liveness_report *out, uint64_t now_ts, l2w_err *err)
{
    if (now_ts > L2W_LIVENESS_MAX_TS) {
        l2w_err_set(err, "liveness %s: now %llu is past 2^48", l2w_liveness_kind_name(t->kind),
                    (unsigned long long)now_ts);
        return L2W_ERR_RANGE;
    }
    /* A clock a little behind the chain that stamped the last event is no
     * gap at all. */
    uint64_t gap = t->has_last && now_ts > t->last_ts ? now_ts - t->last_ts : 0;
    judge(out, t, gap);
    if (!t->has_last)
        return L2W_OK;
    switch (t->state) {
    case L2W_LIVENESS_OK:
        if (out->over_max || out->z_fired) {
            t->state = L2W_LIVENESS_GAP_OPEN;
            t->gap_severity = out->over_max ? L2W_SEV_HIGH : L2W_SEV_MEDIUM;
            out->transition = L2W_LIVENESS_GAP_OPENED;
        }
        break;
    case L2W_LIVENESS_GAP_OPEN:
        if (t->gap_severity < L2W_SEV_HIGH && out->over_max) {
            t->gap_severity = L2W_SEV_HIGH;
            out->transition = L2W_LIVENESS_GAP_ESCALATED;
        }
        break;
    }
    out->severity = t->gap_severity;
    return L2W_OK;
}

void l2w_liveness_band_get(l2w_liveness_band *out, const l2w_liveness *t)
{
    memset(out, 0, sizeof *out);
    out->samples = t->count;
    out->statistical = t->count >= t->cfg.min_samples;
    window_stats(t, &out->mean, &out->stddev);
    out->low = out->mean;
    double max = (double)t->cfg.max_interval_s, high = max;
    if (out->statistical) {
        high = out->mean + t->cfg.z_threshold * out->stddev;
        if (high < (double)t->cfg.min_gap_s)
            high = (double)t->cfg.min_gap_s;
        if (high > max)
            high = max;
    }
    out->high = high;
}

l2w_status l2w_liveness_subject(char *out, size_t out_len, const char *chain, l2w_liveness_kind kind, l2w_err *err)
{
    int n = snprintf(out, out_len, "liveness:%s:%s", chain, l2w_liveness_kind_name(kind));
    if (n < 0 || (size_t)n >= out_len) {
        l2w_err_set(err, "liveness %s: subject for chain %.40s too long", l2w_liveness_kind_name(kind), chain);
        return L2W_ERR_RANGE;
    }
    return L2W_OK;
}

/* "45 s", "20 min 34 s", "4 h 0 min", "2 d 3 h": the exact seconds are
 * always beside it. */
static void duration_text(char out[48], uint64_t s)
{
    unsigned long long v = s;
    if (v < 60)
        snprintf(out, 48, "%llu s", v);
    else if (v < 3600)
        snprintf(out, 48, "%llu min %llu s", v / 60, v % 60);
    else if (v < 86400)
        snprintf(out, 48, "%llu h %llu min", v / 3600, v % 3600 / 60);
    else
        snprintf(out, 48, "%llu d %llu h", v / 86400, v % 86400 / 3600);
}

static const char *rule_name(const l2w_liveness_report *r)
{
    if (r->over_max && r->z_fired)
        return "statistical+max_interval";
    return r->over_max ? "max_interval" : "statistical";
}

/* Sets key to value, or to null when !known; false when out of memory. */
static bool set_real(json_t *obj, const char *key, bool known, double value)
{
    return json_object_set_new(obj, key, known ? json_real(value) : json_null()) == 0;
}

static void gap_text(l2w_finding *f, const char *chain, const l2w_liveness *t, const l2w_liveness_report *r)
{
    char gap[48], max[48], stats[400] = "";
    duration_text(gap, r->gap_s);
    duration_text(max, r->max_interval_s);
    const char *plural = kind_plural(t->kind);
    if (r->over_max)
        l2w_finding_text(f->title, sizeof f->title, "%s: no %s for %llu s (%s), past the %llu s limit", chain, plural,
                         (unsigned long long)r->gap_s, gap, (unsigned long long)r->max_interval_s);
    else
        l2w_finding_text(f->title, sizeof f->title, "%s: no %s for %llu s (%s), z %.1f over a usual %.0f s", chain,
                         plural, (unsigned long long)r->gap_s, gap, r->z, r->mean);
    if (r->samples >= 2)
        snprintf(stats, sizeof stats,
                 "Over the last %u intervals the mean was %.1f s and the standard deviation %.1f s (at least 1 s), "
                 "so the gap is %.1f standard deviations above the mean; the threshold is %.1f, from %llu s on%s. ",
                 (unsigned)r->samples, r->mean, r->stddev, r->z, t->cfg.z_threshold,
                 (unsigned long long)t->cfg.min_gap_s,
                 r->samples < t->cfg.min_samples ? ", not yet in force with so few intervals" : "");
    else
        snprintf(stats, sizeof stats, "There is no history of intervals yet. ");
    l2w_finding_text(f->summary, sizeof f->summary,
                     "The last %s on %s was at unix time %llu, %llu s (%s) ago. %sThe limit for any gap is %llu s "
                     "(%s)%s. %s",
                     kind_singular(t->kind), chain, (unsigned long long)r->last_event_ts, (unsigned long long)r->gap_s,
                     gap, stats, (unsigned long long)r->max_interval_s, max,
                     r->over_max ? " and this gap is past it" : "", kind_hint(t->kind));
}

l2w_status l2w_liveness_gap_finding(l2w_finding *f, const char *chain, const l2w_liveness *t,
                                    const l2w_liveness_report *r, l2w_err *err)
{
    memset(f, 0, sizeof *f);
    const char *kind = l2w_liveness_kind_name(t->kind);
    if (r->transition != L2W_LIVENESS_GAP_OPENED && r->transition != L2W_LIVENESS_GAP_ESCALATED) {
        l2w_err_set(err, "liveness %s on %s: a %s report is no gap finding", kind, chain,
                    l2w_liveness_transition_name(r->transition));
        return L2W_ERR_INVALID;
    }
    l2w_status st = l2w_liveness_subject(f->subject, sizeof f->subject, chain, t->kind, err);
    if (st != L2W_OK)
        return st;
    /* The gap is named by the event it follows, so a restart that opens the
     * same gap again produces the same key. The severity is in it so that
     * an escalation is a distinct fact from the medium finding before it. */
    int n = snprintf(f->dedup_key, sizeof f->dedup_key, "liveness_gap:%s:%s:%llu:%s", chain, kind,
                     (unsigned long long)r->last_event_ts, l2w_severity_name(r->severity));
    if (n < 0 || (size_t)n >= sizeof f->dedup_key) {
        l2w_err_set(err, "liveness %s: dedup key for chain %.40s too long", kind, chain);
        return L2W_ERR_RANGE;
    }
    f->kind = "liveness_gap";
    f->severity = r->severity;
    snprintf(f->chain, sizeof f->chain, "%s", chain);
    gap_text(f, chain, t, r);
    f->evidence = json_pack("{s:s, s:s, s:I, s:I, s:f, s:I, s:I, s:I, s:I}", "kind", kind, "rule", rule_name(r),
                            "last_event_ts", (json_int_t)r->last_event_ts, "gap_s", (json_int_t)r->gap_s,
                            "z_threshold", t->cfg.z_threshold, "min_gap_s", (json_int_t)t->cfg.min_gap_s,
                            "max_interval_s", (json_int_t)r->max_interval_s, "samples", (json_int_t)r->samples,
                            "min_samples", (json_int_t)t->cfg.min_samples);
    if (f->evidence && !(set_real(f->evidence, "mean_s", r->samples >= 1, r->mean) &&
                         set_real(f->evidence, "stddev_s", r->samples >= 2, r->stddev) &&
                         set_real(f->evidence, "z", r->samples >= 2, r->z))) {
        json_decref(f->evidence);
        f->evidence = NULL;
    }
    if (!f->evidence) {
        l2w_err_set(err, "liveness %s on %s: out of memory building evidence", kind, chain);
        return L2W_ERR_NOMEM;
    }
    return L2W_OK;
}

l2w_status l2w_liveness_recovery_note(char *out, size_t out_len, const l2w_liveness *t, const l2w_liveness_report *r,
                                      l2w_err *err)
{
    const char *kind = l2w_liveness_kind_name(t->kind);
    if (r->transition != L2W_LIVENESS_RECOVERED) {
        l2w_err_set(err, "liveness %s: a %s report is no recovery", kind, l2w_liveness_transition_name(r->transition));
        return L2W_ERR_INVALID;
    }
    char gap[48];
    duration_text(gap, r->gap_s);
    int n = snprintf(out, out_len, "%s resumed after a %llu s gap (%s) following the event at unix %llu",
                     kind_plural(t->kind), (unsigned long long)r->gap_s, gap, (unsigned long long)r->last_event_ts);
    if (n < 0 || (size_t)n >= out_len) {
        l2w_err_set(err, "liveness %s: recovery note does not fit in %zu bytes", kind, out_len);
        return L2W_ERR_RANGE;
    }
    return L2W_OK;
}
