/* outflow_anomaly: Welford against a two-pass computation on seeded random
 * data, the warm-up, the sd floor, z exactly at the threshold, and the
 * finding. Baselines are chosen so the doubles involved are exact. */
#include <stdlib.h>
#include <string.h>

#include "core/hex.h"
#include "detectors/outflow_anomaly.h"
#include "tests/unit/harness.h"

static double rel_diff(double a, double b)
{
    double d = a > b ? a - b : b - a;
    double m = a > 0 ? a : -a;
    return m > 0 ? d / m : d;
}

static void test_welford_against_two_pass(void)
{
    /* Known answer: 1, 3, 5 has mean 3 and squared deviations 4 + 0 + 4 = 8,
     * sample variance 8 / 2 = 4. */
    l2w_welford w = {0, 0.0, 0.0};
    CHECK(l2w_welford_variance(&w) == 0.0);
    l2w_welford_add(&w, 1);
    CHECK(w.n == 1 && w.mean == 1.0 && l2w_welford_variance(&w) == 0.0);
    l2w_welford_add(&w, 3);
    l2w_welford_add(&w, 5);
    CHECK(w.mean == 3.0 && w.m2 == 8.0 && l2w_welford_variance(&w) == 4.0);

    /* Random flows of wei-sized magnitudes, some on a large common offset
     * (where a naive sum of squares loses every digit). */
    enum { MAX = 3000 };
    static double xs[MAX];
    for (int trial = 0; trial < 20; trial++) {
        size_t n = 2 + l2w_test_rand() % (MAX - 1);
        double offset = trial % 2 ? 1e21 : 0.0;
        l2w_welford acc = {0, 0.0, 0.0};
        double sum = 0;
        for (size_t i = 0; i < n; i++) {
            xs[i] = offset + (double)(l2w_test_rand() % 1000000000000ULL) * 1e6;
            l2w_welford_add(&acc, xs[i]);
            sum += xs[i];
        }
        double mean = sum / (double)n, ss = 0;
        for (size_t i = 0; i < n; i++)
            ss += (xs[i] - mean) * (xs[i] - mean);
        double var = ss / (double)(n - 1);
        CHECK(acc.n == n);
        CHECK_MSG(rel_diff(acc.mean, mean) < 1e-12, "trial %d: mean %.17g vs %.17g", trial, acc.mean, mean);
        CHECK_MSG(rel_diff(l2w_welford_variance(&acc), var) < 1e-9, "trial %d: variance %.17g vs %.17g", trial,
                  l2w_welford_variance(&acc), var);
    }
}

/* n copies of v in base units */
static l2w_u256 *constant_baseline(size_t n, uint64_t v)
{
    l2w_u256 *b = calloc(n ? n : 1, sizeof *b);
    CHECK(b != NULL);
    for (size_t i = 0; b && i < n; i++)
        b[i] = l2w_u256_from_u64(v);
    return b;
}

static void judge(l2w_outflow_verdict *v, const l2w_outflow_params *p, const l2w_u256 *base, size_t n,
                  uint64_t current)
{
    l2w_u256 cur = l2w_u256_from_u64(current);
    l2w_err err = {{0}};
    CHECK(l2w_outflow_judge(v, p, base, n, &cur, &err) == L2W_OK);
}

static void test_warmup(void)
{
    /* 167 hours of 100 base units against a warm-up of 168: no verdict, however
     * large the hour. sd floor 10 (a tenth of the mean), z = 999900 / 10. */
    l2w_outflow_params p = {3600, 8, 168};
    l2w_u256 *base = constant_baseline(168, 100);
    l2w_outflow_verdict v;
    judge(&v, &p, base, 167, 1000000);
    CHECK(v.warming_up && !v.anomalous && v.baseline_intervals == 167);
    CHECK(v.mean == 100.0 && v.sd == 10.0 && v.z == 99990.0);
    judge(&v, &p, base, 168, 1000000);
    CHECK(!v.warming_up && v.anomalous && v.baseline_intervals == 168);
    /* No baseline at all, no warm-up asked: z is the outflow in base units. */
    p.warmup_intervals = 0;
    judge(&v, &p, NULL, 0, 9);
    CHECK(!v.warming_up && v.anomalous && v.mean == 0.0 && v.sd == 1.0 && v.z == 9.0);
    free(base);
}

static void test_sd_floor(void)
{
    l2w_outflow_params p = {3600, 8, 168};
    /* A week of quiet hours: mean 0, sd 0, floored to one base unit, so z is
     * the outflow in base units: 7 wei stays quiet, 8 reaches the threshold. */
    l2w_u256 *zeros = constant_baseline(200, 0);
    l2w_outflow_verdict v;
    judge(&v, &p, zeros, 200, 7);
    CHECK(v.sd == 1.0 && v.z == 7.0 && !v.anomalous);
    judge(&v, &p, zeros, 200, 8);
    CHECK(v.sd == 1.0 && v.z == 8.0 && v.anomalous);
    /* 1 ETH out of a dormant escrow: a finite z of 1e18, reported. */
    judge(&v, &p, zeros, 200, 1000000000000000000ULL);
    CHECK(v.z == 1e18 && v.anomalous);
    free(zeros);

    /* A perfectly steady 1000 an hour: sd 0, floored to 100, so 1799 is
     * z 7.99 and 1800 is z 8: it takes 1.8 times the steady rate. */
    l2w_u256 *steady = constant_baseline(200, 1000);
    judge(&v, &p, steady, 200, 1799);
    CHECK(v.sd == 100.0 && !v.anomalous);
    judge(&v, &p, steady, 200, 1800);
    CHECK(v.sd == 100.0 && v.z == 8.0 && v.anomalous);
    free(steady);

    /* A spread baseline keeps its own sd: 0 and 2 have variance 2 (sum of
     * squared deviations 1 + 1, over n - 1 = 1), sd sqrt(2), above both
     * floors (0.1 and 1). */
    l2w_u256 two[2] = {l2w_u256_from_u64(0), l2w_u256_from_u64(2)};
    p.warmup_intervals = 2;
    judge(&v, &p, two, 2, 100);
    CHECK_MSG(v.sd == 1.4142135623730951, "sd %.17g", v.sd);
}

static void test_z_at_threshold(void)
{
    /* Baseline 1, 3, 5: mean 3, sd 2 (above the floors 0.3 and 1). 19 is
     * (19 - 3) / 2 = 8 exactly: anomalous at z_threshold 8; 18 is 7.5. */
    l2w_outflow_params p = {3600, 8, 3};
    l2w_u256 base[3] = {l2w_u256_from_u64(1), l2w_u256_from_u64(3), l2w_u256_from_u64(5)};
    l2w_outflow_verdict v;
    judge(&v, &p, base, 3, 19);
    CHECK(v.mean == 3.0 && v.sd == 2.0 && v.z == 8.0 && v.anomalous && !v.warming_up);
    judge(&v, &p, base, 3, 18);
    CHECK(v.z == 7.5 && !v.anomalous);
    /* The verdict keeps the outflow itself. */
    CHECK(v.outflow.w[0] == 18 && v.outflow.w[1] == 0);
    /* A threshold of 0 still needs an outflow above the mean: 3 is z 0. */
    p.z_threshold = 0;
    judge(&v, &p, base, 3, 3);
    CHECK(v.z == 0.0 && !v.anomalous);
    judge(&v, &p, base, 3, 0);
    CHECK(v.z == -1.5 && !v.anomalous);
    judge(&v, &p, base, 3, 4);
    CHECK(v.z == 0.5 && v.anomalous);
}

static void test_square_root(void)
{
    /* The sd against squares on random baselines, including amounts far
     * beyond 2^64 (where a double carries only the leading digits). */
    l2w_outflow_params p = {3600, 8, 0};
    l2w_u256 base[64];
    for (int trial = 0; trial < 200; trial++) {
        size_t n = 2 + l2w_test_rand() % 62;
        unsigned shift = (unsigned)(l2w_test_rand() % 3) * 64;
        for (size_t i = 0; i < n; i++) {
            memset(&base[i], 0, sizeof base[i]);
            base[i].w[shift / 64] = l2w_test_rand() >> (l2w_test_rand() % 64);
        }
        l2w_welford w = {0, 0.0, 0.0};
        for (size_t i = 0; i < n; i++)
            l2w_welford_add(&w, l2w_u256_to_double(&base[i]));
        double var = l2w_welford_variance(&w);
        l2w_outflow_verdict v;
        l2w_u256 cur = l2w_u256_from_u64(0);
        l2w_err err = {{0}};
        CHECK(l2w_outflow_judge(&v, &p, base, n, &cur, &err) == L2W_OK);
        /* Unless a floor applies, sd * sd is the variance to a few ulps. */
        double least = w.mean / 10 > 1 ? w.mean / 10 : 1;
        if (v.sd > least)
            CHECK_MSG(rel_diff(v.sd * v.sd, var) < 1e-14, "trial %d: sd %.17g variance %.17g", trial, v.sd, var);
        else
            CHECK(v.sd == least && var <= least * least * (1 + 1e-14));
    }
    /* 0, 2k, 4k: mean 2k, squared deviations 4k² + 0 + 4k², sample
     * variance 4k², sd exactly 2k (every figure an integer below 2^53). */
    for (int trial = 0; trial < 1000; trial++) {
        uint64_t k = 1 + l2w_test_rand() % (1ULL << 25);
        l2w_u256 three[3] = {l2w_u256_from_u64(0), l2w_u256_from_u64(2 * k), l2w_u256_from_u64(4 * k)};
        l2w_outflow_verdict v3;
        judge(&v3, &p, three, 3, 0);
        CHECK_MSG(v3.sd == (double)(2 * k), "k %llu: sd %.17g", (unsigned long long)k, v3.sd);
    }
    /* 0 and 2000000: variance 2e12, sd 1414213.562373095 (to 16 digits). */
    l2w_u256 sq[2] = {l2w_u256_from_u64(0), l2w_u256_from_u64(2000000)};
    l2w_outflow_verdict v;
    judge(&v, &p, sq, 2, 0);
    CHECK(rel_diff(v.sd, 1414213.562373095) < 1e-15);
}

static void test_bad_input(void)
{
    l2w_outflow_params p = {3600, 8, 168};
    l2w_u256 cur = l2w_u256_from_u64(1);
    l2w_outflow_verdict v;
    l2w_err err = {{0}};
    CHECK(l2w_outflow_judge(&v, &p, NULL, 3, &cur, &err) == L2W_ERR_INVALID && err.msg[0] != '\0');
}

static const char *str_at(const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s ? s : "(missing)";
}

static void test_finding(void)
{
    l2w_bridge_subject s;
    memset(&s, 0, sizeof s);
    s.bridge = "op";
    s.chain = "l1";
    s.remote_chain = "op-local";
    s.symbol = "ETH";
    s.native = true;
    s.decimals = 18;
    CHECK(l2w_addr_from_hex(&s.escrow, "0xbEb5Fc579115071764c7423A4f12eDde41f106Ed") == L2W_OK);
    /* A steady 1 ETH an hour for a week, then 500 ETH in one hour: sd
     * floored to 0.1 ETH, z = 499 / 0.1 = 4990. */
    l2w_outflow_params p = {3600, 8, 168};
    l2w_u256 *base = constant_baseline(168, 1000000000000000000ULL);
    l2w_u256 cur;
    CHECK(l2w_u256_from_dec(&cur, "500000000000000000000") == L2W_OK);
    l2w_outflow_verdict v;
    l2w_err err = {{0}};
    CHECK(l2w_outflow_judge(&v, &p, base, 168, &cur, &err) == L2W_OK);
    CHECK(v.anomalous && v.z == 4990.0 && v.sd == 1e17);
    l2w_finding f;
    CHECK(l2w_outflow_finding(&f, &s, &p, 1700000000, &v, &err) == L2W_OK);
    CHECK(f.kind && strcmp(f.kind, "outflow_anomaly") == 0 && f.severity == L2W_SEV_MEDIUM && strcmp(f.chain, "l1") == 0);
    CHECK(f.subject[0] == '\0');
    CHECK_MSG(strcmp(f.dedup_key, "outflow_anomaly:op:native:1700000000") == 0, "%s", f.dedup_key);
    CHECK(!f.has_anchor && !f.has_block_number && !f.has_tx_hash);
    CHECK_MSG(strstr(f.title, "unusual outflow of 500 ETH") != NULL && strstr(f.title, "z 4990.0") != NULL, "%s",
              f.title);
    CHECK_MSG(strstr(f.summary, "Between 2023-11-14 22:13:20 UTC and 2023-11-14 23:13:20 UTC") != NULL, "%s",
              f.summary);
    CHECK(strstr(f.summary, "paid out 500 ETH (500000000000000000000 base units)") != NULL);
    CHECK(strstr(f.summary, "1 ETH on average") != NULL);

    char *text = json_dumps(f.evidence, JSON_COMPACT);
    json_error_t jerr;
    json_t *ev = text ? json_loads(text, JSON_REJECT_DUPLICATES, &jerr) : NULL;
    free(text);
    CHECK(ev != NULL);
    CHECK(strcmp(str_at(ev, "outflow"), "500000000000000000000") == 0);
    CHECK(strcmp(str_at(ev, "token"), "native") == 0 && strcmp(str_at(ev, "bridge"), "op") == 0);
    CHECK(strcmp(str_at(ev, "escrow"), "0xbeb5fc579115071764c7423a4f12edde41f106ed") == 0);
    CHECK(json_real_value(json_object_get(ev, "z")) == 4990.0);
    CHECK(json_real_value(json_object_get(ev, "mean")) == 1e18);
    CHECK(json_integer_value(json_object_get(ev, "interval_start")) == 1700000000);
    CHECK(json_integer_value(json_object_get(ev, "interval_end")) == 1700003600);
    CHECK(json_integer_value(json_object_get(ev, "baseline_intervals")) == 168);
    CHECK(json_integer_value(json_object_get(ev, "z_threshold")) == 8);
    json_decref(ev);
    l2w_finding_clear(&f);

    /* A quiet hour is no finding. */
    cur = l2w_u256_from_u64(1000000000000000000ULL);
    CHECK(l2w_outflow_judge(&v, &p, base, 168, &cur, &err) == L2W_OK && !v.anomalous);
    CHECK(l2w_outflow_finding(&f, &s, &p, 1700003600, &v, &err) == L2W_ERR_INVALID && f.evidence == NULL);
    free(base);
}

int main(void)
{
    (void)l2w_test_seed();
    RUN(test_welford_against_two_pass);
    RUN(test_warmup);
    RUN(test_sd_floor);
    RUN(test_z_at_threshold);
    RUN(test_square_root);
    RUN(test_bad_input);
    RUN(test_finding);
    return l2w_test_finish();
}
