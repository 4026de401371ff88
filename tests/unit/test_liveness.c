/* liveness (detectors/liveness.c): seeded jittered series polled every
 * second raise nothing, then a stop opens a gap exactly where the rules say
 * (computed here independently, without a square root: z >= k is
 * (gap - mean)^2 >= k^2 var for gap > mean), escalates once past the
 * maximum and recovers once with the gap's length; the maximum with no
 * history; refused events leave the tracker byte for byte as it was; a
 * perfectly regular series; the statistics against a two-pass computation
 * with timestamps from 2^31 to 2^48; the band, the findings and the note. */
#include <string.h>

#include "detectors/liveness.h"
#include "tests/unit/harness.h"

typedef l2w_liveness_report report;

static l2w_liveness_config make_cfg(uint64_t max, double z, uint32_t min_samples, uint64_t min_gap, uint32_t window)
{
    l2w_liveness_config c = {.max_interval_s = max, .z_threshold = z, .min_samples = min_samples,
                             .min_gap_s = min_gap, .window = window};
    return c;
}

/* The last `window` intervals, kept by the test to recompute everything. */
typedef struct {
    uint64_t v[L2W_LIVENESS_WINDOW_MAX];
    uint32_t window, count, head;
} ref_window;

static void ref_push(ref_window *w, uint64_t interval)
{
    w->v[w->head] = interval;
    w->head = (w->head + 1) % w->window;
    if (w->count < w->window)
        w->count++;
}

/* Two-pass mean and population variance in long double. */
static void ref_stats(const ref_window *w, long double *mean, long double *var)
{
    long double s = 0;
    for (uint32_t i = 0; i < w->count; i++)
        s += (long double)w->v[i];
    *mean = s / w->count;
    long double q = 0;
    for (uint32_t i = 0; i < w->count; i++) {
        long double d = (long double)w->v[i] - *mean;
        q += d * d;
    }
    *var = q / w->count;
}

static bool rel_close(long double got, long double want, long double tol)
{
    long double diff = got > want ? got - want : want - got;
    long double scale = want < 0 ? -want : want;
    return diff <= tol * (scale > 1 ? scale : 1);
}

/* The first whole gap at which either rule holds, with the z test's
 * variance (floored at 1 s^2) scaled by slack, so that a threshold that
 * lands within rounding of a whole second is bracketed. */
static uint64_t ref_first_gap(const ref_window *w, const l2w_liveness_config *c, long double slack)
{
    long double mean = 0, var = 0;
    if (w->count > 0)
        ref_stats(w, &mean, &var);
    if (var < 1)
        var = 1;
    long double z2v = (long double)c->z_threshold * c->z_threshold * var * slack;
    for (uint64_t g = 1;; g++) {
        if (g > c->max_interval_s)
            return g;
        long double d = (long double)g - mean;
        if (w->count >= c->min_samples && d > 0 && g >= c->min_gap_s && d * d >= z2v)
            return g;
    }
}

static void observe_ok(l2w_liveness *t, uint64_t ts, l2w_liveness_transition want)
{
    report r;
    l2w_err err = {{0}};
    CHECK_MSG(l2w_liveness_observe(t, &r, ts, &err) == L2W_OK, "%s", err.msg);
    CHECK_MSG(r.transition == want, "event at %llu: %s, wanted %s", (unsigned long long)ts,
              l2w_liveness_transition_name(r.transition), l2w_liveness_transition_name(want));
}

static l2w_liveness_transition check_at(l2w_liveness *t, report *r, uint64_t now)
{
    l2w_err err = {{0}};
    CHECK_MSG(l2w_liveness_check(t, r, now, &err) == L2W_OK, "%s", err.msg);
    return r->transition;
}

/* A tracker fed n intervals of exactly period seconds from start. */
static void regular(l2w_liveness *t, const l2w_liveness_config *c, uint64_t start, uint64_t period, unsigned n)
{
    l2w_err err = {{0}};
    CHECK(l2w_liveness_init(t, L2W_LIVENESS_BATCHES, c, &err) == L2W_OK);
    for (unsigned i = 0; i <= n; i++)
        observe_ok(t, start + i * period, L2W_LIVENESS_NONE);
}

static void test_config(void)
{
    static l2w_liveness tr;
    l2w_err err = {{0}};
    const l2w_liveness_kind kinds[] = {L2W_LIVENESS_BATCHES, L2W_LIVENESS_PROPOSALS, L2W_LIVENESS_PROOFS,
                                       L2W_LIVENESS_L2_HEAD};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        l2w_liveness_config c;
        l2w_liveness_config_default(&c, kinds[i]);
        CHECK(c.z_threshold == 15.0 && c.min_samples == 20 && c.window == 1024);
        CHECK(c.max_interval_s > c.min_gap_s && c.min_gap_s > 0);
        CHECK(l2w_liveness_init(&tr, kinds[i], &c, &err) == L2W_OK);
    }
    CHECK(strcmp(l2w_liveness_kind_name(L2W_LIVENESS_L2_HEAD), "l2_head") == 0);
    struct {
        l2w_liveness_config c;
        const char *names;
    } bad[] = {
        {make_cfg(0, 15, 20, 0, 64), "max_interval_s"},
        {make_cfg(L2W_LIVENESS_MAX_TS + 1, 15, 20, 0, 64), "max_interval_s"},
        {make_cfg(600, 0, 20, 0, 64), "z_threshold"},
        {make_cfg(600, -1, 20, 0, 64), "z_threshold"},
        {make_cfg(600, __builtin_nan(""), 20, 0, 64), "z_threshold"},
        {make_cfg(600, 15, 20, 0, 1), "window"},
        {make_cfg(600, 15, 20, 0, L2W_LIVENESS_WINDOW_MAX + 1), "window"},
        {make_cfg(600, 15, 1, 0, 64), "min_samples"},
        {make_cfg(600, 15, 65, 0, 64), "min_samples"},
        {make_cfg(600, 15, 20, L2W_LIVENESS_MAX_TS + 1, 64), "min_gap_s"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err.msg[0] = '\0';
        CHECK(l2w_liveness_init(&tr, L2W_LIVENESS_BATCHES, &bad[i].c, &err) == L2W_ERR_CONFIG);
        CHECK_MSG(strstr(err.msg, bad[i].names) != NULL, "case %zu: %s", i, err.msg);
    }
}

/* Before the first event there is no gap, however late it is. */
static void test_no_event_yet(void)
{
    static l2w_liveness t;
    l2w_liveness_config c = make_cfg(60, 15, 20, 0, 64);
    l2w_err err = {{0}};
    CHECK(l2w_liveness_init(&t, L2W_LIVENESS_PROOFS, &c, &err) == L2W_OK);
    report r;
    CHECK(check_at(&t, &r, 1700000000) == L2W_LIVENESS_NONE);
    CHECK(!r.has_last && r.gap_s == 0 && r.samples == 0 && !r.over_max);
    /* the first event is no interval */
    observe_ok(&t, 1700000000, L2W_LIVENESS_NONE);
    l2w_liveness_band b;
    l2w_liveness_band_get(&b, &t);
    CHECK(b.samples == 0 && !b.statistical && b.high == 60.0);
}

/* period +-10% jitter for n intervals, check() every second in between:
 * nothing. Then the events stop: GAP_OPENED exactly at the first gap the
 * rules allow (medium), quiet, ESCALATED once at max_interval_s + 1,
 * quiet, and the event at stop_gap recovers once with that length, which
 * then enters the window. */
static void scenario(uint64_t period, uint32_t window, unsigned n, uint64_t min_gap)
{
    static l2w_liveness t;
    static ref_window ref;
    memset(&ref, 0, sizeof ref);
    ref.window = window;
    l2w_liveness_config c = make_cfg(10 * period, 15, 20, min_gap, window);
    l2w_err err = {{0}};
    CHECK(l2w_liveness_init(&t, L2W_LIVENESS_BATCHES, &c, &err) == L2W_OK);
    uint64_t last = 1700000000;
    observe_ok(&t, last, L2W_LIVENESS_NONE);
    uint64_t jitter = period / 10;
    unsigned transitions = 0;
    report r;
    for (unsigned i = 0; i < n; i++) {
        uint64_t next = last + period - jitter + l2w_test_rand() % (2 * jitter + 1);
        for (uint64_t now = last + 1; now <= next; now++)
            if (check_at(&t, &r, now) != L2W_LIVENESS_NONE)
                transitions++;
        observe_ok(&t, next, L2W_LIVENESS_NONE);
        ref_push(&ref, next - last);
        last = next;
    }
    CHECK_MSG(transitions == 0, "period %llu: %u transitions on a healthy series", (unsigned long long)period,
              transitions);

    uint64_t lo = ref_first_gap(&ref, &c, 1.0L - 1e-9L), hi = ref_first_gap(&ref, &c, 1.0L + 1e-9L);
    CHECK(lo < c.max_interval_s); /* the z rule comes first in these series */
    uint64_t stop_gap = 2 * c.max_interval_s, opened_at = 0, escalated_at = 0;
    unsigned opened = 0, escalated = 0, other = 0;
    for (uint64_t g = 1; g < stop_gap; g++) {
        switch (check_at(&t, &r, last + g)) {
        case L2W_LIVENESS_NONE:
            break;
        case L2W_LIVENESS_GAP_OPENED:
            opened++;
            opened_at = g;
            CHECK(r.severity == L2W_SEV_MEDIUM && r.z_fired && !r.over_max && r.z >= 15.0 && r.gap_s == g);
            CHECK(r.last_event_ts == last && r.samples == ref.count);
            break;
        case L2W_LIVENESS_GAP_ESCALATED:
            escalated++;
            escalated_at = g;
            CHECK(r.severity == L2W_SEV_HIGH && r.over_max);
            break;
        case L2W_LIVENESS_RECOVERED:
            other++;
            break;
        }
        if (opened && g > opened_at)
            CHECK(r.severity == (escalated ? L2W_SEV_HIGH : L2W_SEV_MEDIUM));
    }
    CHECK_MSG(opened == 1 && opened_at >= lo && opened_at <= hi,
              "period %llu: opened %u times, at gap %llu; rules say %llu..%llu", (unsigned long long)period, opened, (unsigned long long)opened_at, (unsigned long long)lo,
              (unsigned long long)hi);
    CHECK(min_gap == 0 || opened_at >= min_gap);
    CHECK_MSG(escalated == 1 && escalated_at == c.max_interval_s + 1, "escalated %u times, at gap %llu", escalated,
              (unsigned long long)escalated_at);
    CHECK(other == 0);

    CHECK(l2w_liveness_observe(&t, &r, last + stop_gap, &err) == L2W_OK);
    CHECK(r.transition == L2W_LIVENESS_RECOVERED && r.gap_s == stop_gap && r.severity == L2W_SEV_HIGH &&
          r.last_event_ts == last);
    ref_push(&ref, stop_gap);
    last += stop_gap;
    /* recovered once: the next look and the next event are ordinary */
    CHECK(check_at(&t, &r, last + 1) == L2W_LIVENESS_NONE && r.severity == L2W_SEV_INFO);
    observe_ok(&t, last + period, L2W_LIVENESS_NONE);
    ref_push(&ref, period);
    /* the gap is in the window */
    long double mean, var;
    ref_stats(&ref, &mean, &var);
    l2w_liveness_band b;
    l2w_liveness_band_get(&b, &t);
    CHECK(b.samples == ref.count && rel_close(b.mean, mean, 1e-14L));
    CHECK(rel_close((long double)b.stddev * b.stddev, var, 1e-12L));
}

static void test_jittered_series_then_stop(void)
{
    scenario(60, 256, 500, 0);     /* batches about every minute; the z rule alone */
    scenario(12, 1024, 1500, 60);  /* L1-paced, sd below the floor; min_gap_s decides */
    scenario(3600, 128, 300, 0);   /* hourly proposals */
}

/* max_interval_s holds with no history at all, high at once, never
 * escalated; the z rule waits for min_samples intervals. */
static void test_max_without_history(void)
{
    static l2w_liveness t;
    l2w_liveness_config c = make_cfg(600, 15, 20, 0, 64);
    l2w_err err = {{0}};
    CHECK(l2w_liveness_init(&t, L2W_LIVENESS_L2_HEAD, &c, &err) == L2W_OK);
    uint64_t t0 = 1700000000;
    observe_ok(&t, t0, L2W_LIVENESS_NONE);
    report r;
    for (uint64_t g = 1; g <= 600; g++)
        CHECK(check_at(&t, &r, t0 + g) == L2W_LIVENESS_NONE);
    CHECK(check_at(&t, &r, t0 + 601) == L2W_LIVENESS_GAP_OPENED);
    CHECK(r.severity == L2W_SEV_HIGH && r.over_max && !r.z_fired && r.samples == 0 && r.gap_s == 601);
    for (uint64_t g = 602; g <= 2000; g++)
        CHECK(check_at(&t, &r, t0 + g) == L2W_LIVENESS_NONE);
    CHECK(l2w_liveness_observe(&t, &r, t0 + 2000, &err) == L2W_OK);
    CHECK(r.transition == L2W_LIVENESS_RECOVERED && r.gap_s == 2000 && r.severity == L2W_SEV_HIGH);

    /* 19 intervals of 10 s: a 500 s gap is z 49 but below min_samples */
    regular(&t, &c, t0, 10, 19);
    uint64_t last = t0 + 190;
    CHECK(check_at(&t, &r, last + 500) == L2W_LIVENESS_NONE && r.samples == 19 && !r.z_fired);
    CHECK(check_at(&t, &r, last + 601) == L2W_LIVENESS_GAP_OPENED && r.severity == L2W_SEV_HIGH);
    /* with the twentieth it counts */
    regular(&t, &c, t0, 10, 20);
    last = t0 + 200;
    CHECK(check_at(&t, &r, last + 500) == L2W_LIVENESS_GAP_OPENED && r.severity == L2W_SEV_MEDIUM);
}

/* Duplicates, older events and timestamps past 2^48 are refused with a
 * status and the tracker is unchanged to the byte. */
static void test_refused_events(void)
{
    static l2w_liveness t, before;
    l2w_liveness_config c = make_cfg(600, 15, 20, 0, 64);
    regular(&t, &c, 1700000000, 60, 30);
    uint64_t last = 1700000000 + 30 * 60;
    report r;
    CHECK(check_at(&t, &r, last + 200) == L2W_LIVENESS_GAP_OPENED); /* refusals must not close a gap either */
    memcpy(&before, &t, sizeof t);
    l2w_err err = {{0}};
    CHECK(l2w_liveness_observe(&t, &r, last, &err) == L2W_ERR_INVALID && strstr(err.msg, "same second"));
    CHECK(memcmp(&before, &t, sizeof t) == 0);
    CHECK(l2w_liveness_observe(&t, &r, last - 1, &err) == L2W_ERR_INVALID && strstr(err.msg, "older"));
    CHECK(memcmp(&before, &t, sizeof t) == 0);
    CHECK(l2w_liveness_observe(&t, &r, 0, &err) == L2W_ERR_INVALID);
    CHECK(memcmp(&before, &t, sizeof t) == 0);
    CHECK(l2w_liveness_observe(&t, &r, L2W_LIVENESS_MAX_TS + 1, &err) == L2W_ERR_RANGE);
    CHECK(memcmp(&before, &t, sizeof t) == 0);
    CHECK(l2w_liveness_check(&t, &r, UINT64_MAX, &err) == L2W_ERR_RANGE);
    CHECK(memcmp(&before, &t, sizeof t) == 0);
    /* a look with a clock behind the last event is no gap, and changes nothing */
    CHECK(check_at(&t, &r, last - 5) == L2W_LIVENESS_NONE && r.gap_s == 0);
    CHECK(memcmp(&before, &t, sizeof t) == 0);
    /* the series goes on as if nothing had come */
    CHECK(l2w_liveness_observe(&t, &r, last + 300, &err) == L2W_OK);
    CHECK(r.transition == L2W_LIVENESS_RECOVERED && r.gap_s == 300 && r.samples == 30);
}

/* Every interval exactly 60 s: the spread is 0, floored at 1 s. */
static void test_perfectly_regular(void)
{
    static l2w_liveness t, late, z1;
    l2w_liveness_config c = make_cfg(3600, 15, 20, 0, 1024);
    regular(&t, &c, 1700000000, 60, 100);
    uint64_t last = 1700000000 + 100 * 60;
    report r;
    l2w_liveness_band b;
    l2w_liveness_band_get(&b, &t);
    CHECK(b.mean == 60.0 && b.stddev == 1.0 && b.high == 75.0);

    /* one second late: z 1, nothing, and the event is no recovery */
    memcpy(&late, &t, sizeof t);
    for (uint64_t g = 1; g <= 61; g++)
        CHECK(check_at(&late, &r, last + g) == L2W_LIVENESS_NONE);
    CHECK(r.z == 1.0);
    observe_ok(&late, last + 61, L2W_LIVENESS_NONE);

    /* the z rule at mean + 15 * 1 s, not a second before */
    CHECK(check_at(&t, &r, last + 74) == L2W_LIVENESS_NONE);
    CHECK(check_at(&t, &r, last + 75) == L2W_LIVENESS_GAP_OPENED && r.z == 15.0);

    /* min_gap_s is the floor under the z rule: with z_threshold 0.5 the
     * 1 s late look would be z 1 >= 0.5; min_gap_s 120 holds it to 120 */
    c = make_cfg(3600, 0.5, 20, 0, 1024);
    regular(&z1, &c, 1700000000, 60, 100);
    CHECK(check_at(&z1, &r, last + 61) == L2W_LIVENESS_GAP_OPENED);
    c = make_cfg(3600, 0.5, 20, 120, 1024);
    regular(&z1, &c, 1700000000, 60, 100);
    for (uint64_t g = 1; g < 120; g++)
        CHECK(check_at(&z1, &r, last + g) == L2W_LIVENESS_NONE);
    CHECK(check_at(&z1, &r, last + 120) == L2W_LIVENESS_GAP_OPENED && r.severity == L2W_SEV_MEDIUM);
}

/* Feeds n events from start with intervals drawn by next_interval and
 * compares the window's mean and variance with the two-pass ones. */
static void stability_run(uint64_t start, unsigned n, uint32_t window, uint64_t min_iv, uint64_t spread)
{
    static l2w_liveness t;
    static ref_window ref;
    memset(&ref, 0, sizeof ref);
    ref.window = window;
    l2w_liveness_config c = make_cfg(L2W_LIVENESS_MAX_TS, 15, 2, 0, window);
    l2w_err err = {{0}};
    CHECK(l2w_liveness_init(&t, L2W_LIVENESS_PROPOSALS, &c, &err) == L2W_OK);
    uint64_t ts = start;
    observe_ok(&t, ts, L2W_LIVENESS_NONE);
    bool ok = true;
    for (unsigned i = 0; i < n; i++) {
        uint64_t iv = min_iv + l2w_test_rand() % spread;
        ts += iv;
        report r;
        ok &= l2w_liveness_observe(&t, &r, ts, &err) == L2W_OK;
        ref_push(&ref, iv);
    }
    CHECK_MSG(ok, "start %llu: %s", (unsigned long long)start, err.msg);
    long double mean, var;
    ref_stats(&ref, &mean, &var);
    l2w_liveness_band b;
    l2w_liveness_band_get(&b, &t);
    CHECK_MSG(rel_close(b.mean, mean, 1e-15L), "start %llu: mean %.17g, two-pass %.17Lg", (unsigned long long)start,
              b.mean, mean);
    long double want = var < 1 ? 1 : var;
    CHECK_MSG(rel_close((long double)b.stddev * b.stddev, want, 1e-13L), "start %llu: sd^2 %.17g, two-pass var %.17Lg",
              (unsigned long long)start, b.stddev * b.stddev, var);
}

static void test_numeric_stability(void)
{
    /* across 2^31 (a signed 32-bit time_t's end) with minute intervals */
    stability_run((UINT64_C(1) << 31) - 3000, 200, 64, 54, 13);
    /* near 2^40: seconds to days, and days with a few seconds of spread
     * (a sum of squares in doubles would cancel there) */
    stability_run(UINT64_C(1) << 40, 3000, 1024, 1, 3 * 86400);
    stability_run(UINT64_C(1) << 40, 3000, 1024, 86400 - 3, 7);
    /* a long run through a small ring: the sums never drift */
    stability_run((UINT64_C(1) << 40) + 12345, 100000, 64, 1, 86400);
    /* 1024 intervals of about 2^38 end just below 2^48: the largest sums */
    stability_run(0, 1024, 1024, (UINT64_C(1) << 38) - 1000, 1000);

    /* a constant series at 2^40 is exactly constant */
    static l2w_liveness t;
    l2w_liveness_config c = make_cfg(3600, 15, 20, 0, 256);
    uint64_t start = UINT64_C(1) << 40;
    regular(&t, &c, start, 12, 2000);
    l2w_liveness_band b;
    l2w_liveness_band_get(&b, &t);
    CHECK(b.mean == 12.0 && b.stddev == 1.0 && b.samples == 256);
    report r;
    CHECK(check_at(&t, &r, start + 2000 * 12 + 13) == L2W_LIVENESS_NONE && r.z == 1.0);

    /* the last accepted second */
    l2w_err err = {{0}};
    CHECK(l2w_liveness_observe(&t, &r, L2W_LIVENESS_MAX_TS, &err) == L2W_OK);
    CHECK(r.gap_s == L2W_LIVENESS_MAX_TS - (start + 2000 * 12));
}

/* A caller catching up on history looks at each event's time before
 * observing it, so a gap that opened and closed between two looks is still
 * reported and resolved. */
static void test_catch_up(void)
{
    static l2w_liveness t;
    l2w_liveness_config c = make_cfg(3600, 15, 20, 0, 1024);
    regular(&t, &c, 1700000000, 60, 50);
    uint64_t next = 1700000000 + 50 * 60 + 1000;
    report r;
    CHECK(check_at(&t, &r, next) == L2W_LIVENESS_GAP_OPENED && r.severity == L2W_SEV_MEDIUM);
    l2w_err err = {{0}};
    CHECK(l2w_liveness_observe(&t, &r, next, &err) == L2W_OK);
    CHECK(r.transition == L2W_LIVENESS_RECOVERED && r.gap_s == 1000);
}

static void test_band(void)
{
    static l2w_liveness t;
    l2w_liveness_band b;
    l2w_liveness_config c = make_cfg(3600, 15, 20, 300, 1024);
    regular(&t, &c, 1700000000, 60, 100);
    l2w_liveness_band_get(&b, &t);
    CHECK(b.statistical && b.low == 60.0 && b.high == 300.0); /* min_gap_s above mean + 15 sd */
    c = make_cfg(70, 15, 20, 0, 1024);
    regular(&t, &c, 1700000000, 60, 100);
    l2w_liveness_band_get(&b, &t);
    CHECK(b.high == 70.0); /* capped by the maximum */
    c = make_cfg(3600, 15, 20, 0, 1024);
    regular(&t, &c, 1700000000, 60, 19);
    l2w_liveness_band_get(&b, &t);
    CHECK(!b.statistical && b.samples == 19 && b.high == 3600.0);
}

static void test_findings(void)
{
    static l2w_liveness t;
    l2w_liveness_config c = make_cfg(3600, 15, 20, 0, 1024);
    regular(&t, &c, 1700000000, 60, 100);
    uint64_t last = 1700000000 + 100 * 60;
    report r;
    l2w_finding f;
    l2w_err err = {{0}};
    CHECK(check_at(&t, &r, last + 70) == L2W_LIVENESS_NONE); /* z 10 */
    CHECK(l2w_liveness_gap_finding(&f, "op", &t, &r, &err) == L2W_ERR_INVALID);
    l2w_finding_clear(&f);

    CHECK(check_at(&t, &r, last + 130) == L2W_LIVENESS_GAP_OPENED);
    CHECK(l2w_liveness_gap_finding(&f, "op", &t, &r, &err) == L2W_OK);
    CHECK(strcmp(f.kind, "liveness_gap") == 0 && f.severity == L2W_SEV_MEDIUM && strcmp(f.chain, "op") == 0);
    CHECK(strcmp(f.subject, "liveness:op:batches") == 0);
    CHECK(strcmp(f.dedup_key, "liveness_gap:op:batches:1700006000:medium") == 0);
    CHECK(!f.has_anchor && !f.has_block_number && !f.has_tx_hash);
    CHECK_MSG(strncmp(f.title, "op: no batches for 130 s (2 min 10 s), z 70.0", 45) == 0, "%s", f.title);
    CHECK(strstr(f.summary, "unix time 1700006000") != NULL && strstr(f.summary, "batcher") != NULL);
    const json_t *ev = f.evidence;
    CHECK(strcmp(json_string_value(json_object_get(ev, "kind")), "batches") == 0);
    CHECK(strcmp(json_string_value(json_object_get(ev, "rule")), "statistical") == 0);
    CHECK(json_integer_value(json_object_get(ev, "last_event_ts")) == 1700006000);
    CHECK(json_integer_value(json_object_get(ev, "gap_s")) == 130);
    CHECK(json_real_value(json_object_get(ev, "mean_s")) == 60.0);
    CHECK(json_real_value(json_object_get(ev, "stddev_s")) == 1.0);
    CHECK(json_real_value(json_object_get(ev, "z")) == 70.0);
    CHECK(json_real_value(json_object_get(ev, "z_threshold")) == 15.0);
    CHECK(json_integer_value(json_object_get(ev, "max_interval_s")) == 3600);
    CHECK(json_integer_value(json_object_get(ev, "min_gap_s")) == 0);
    CHECK(json_integer_value(json_object_get(ev, "samples")) == 100);
    CHECK(json_integer_value(json_object_get(ev, "min_samples")) == 20);
    l2w_finding_clear(&f);

    /* the same gap after a restart: the same key */
    static l2w_liveness again;
    regular(&again, &c, 1700000000, 60, 100);
    CHECK(check_at(&again, &r, last + 500) == L2W_LIVENESS_GAP_OPENED);
    CHECK(l2w_liveness_gap_finding(&f, "op", &again, &r, &err) == L2W_OK);
    CHECK(strcmp(f.dedup_key, "liveness_gap:op:batches:1700006000:medium") == 0);
    l2w_finding_clear(&f);

    CHECK(check_at(&t, &r, last + 3601) == L2W_LIVENESS_GAP_ESCALATED);
    CHECK(l2w_liveness_gap_finding(&f, "op", &t, &r, &err) == L2W_OK);
    CHECK(f.severity == L2W_SEV_HIGH && strcmp(f.dedup_key, "liveness_gap:op:batches:1700006000:high") == 0);
    CHECK(strcmp(json_string_value(json_object_get(f.evidence, "rule")), "statistical+max_interval") == 0);
    CHECK_MSG(strstr(f.title, "past the 3600 s limit") != NULL, "%s", f.title);
    l2w_finding_clear(&f);

    char note[160];
    CHECK(l2w_liveness_recovery_note(note, sizeof note, &t, &r, &err) == L2W_ERR_INVALID);
    CHECK(l2w_liveness_observe(&t, &r, last + 4000, &err) == L2W_OK && r.transition == L2W_LIVENESS_RECOVERED);
    CHECK(l2w_liveness_recovery_note(note, sizeof note, &t, &r, &err) == L2W_OK);
    CHECK_MSG(strcmp(note, "batches resumed after a 4000 s gap (1 h 6 min) following the event at unix 1700006000")
                  == 0,
              "%s", note);
    CHECK(l2w_liveness_recovery_note(note, 20, &t, &r, &err) == L2W_ERR_RANGE);

    /* no history: the figures that do not exist yet are null */
    l2w_liveness_config h = make_cfg(600, 15, 20, 60, 64);
    CHECK(l2w_liveness_init(&t, L2W_LIVENESS_L2_HEAD, &h, &err) == L2W_OK);
    observe_ok(&t, 1700000000, L2W_LIVENESS_NONE);
    CHECK(check_at(&t, &r, 1700000601) == L2W_LIVENESS_GAP_OPENED);
    CHECK(l2w_liveness_gap_finding(&f, "base", &t, &r, &err) == L2W_OK);
    CHECK(f.severity == L2W_SEV_HIGH && strcmp(f.subject, "liveness:base:l2_head") == 0);
    CHECK(strcmp(json_string_value(json_object_get(f.evidence, "rule")), "max_interval") == 0);
    CHECK(json_is_null(json_object_get(f.evidence, "mean_s")) && json_is_null(json_object_get(f.evidence, "z")) &&
          json_is_null(json_object_get(f.evidence, "stddev_s")));
    CHECK(strstr(f.summary, "no history") != NULL);
    l2w_finding_clear(&f);

    char chain[200];
    memset(chain, 'x', sizeof chain - 1);
    chain[sizeof chain - 1] = '\0';
    CHECK(l2w_liveness_gap_finding(&f, chain, &t, &r, &err) == L2W_ERR_RANGE);
    l2w_finding_clear(&f);
    char subject[16];
    CHECK(l2w_liveness_subject(subject, sizeof subject, "optimism", L2W_LIVENESS_PROOFS, &err) == L2W_ERR_RANGE);
}

int main(void)
{
    (void)l2w_test_seed();
    RUN(test_config);
    RUN(test_no_event_yet);
    RUN(test_jittered_series_then_stop);
    RUN(test_max_without_history);
    RUN(test_refused_events);
    RUN(test_perfectly_regular);
    RUN(test_numeric_stability);
    RUN(test_catch_up);
    RUN(test_band);
    RUN(test_findings);
    return l2w_test_finish();
}
