/* escrow_drawdown: hand-computed series at and around both thresholds, the
 * window boundary, bursts, deposits, bad input, and the finding. Unless a
 * test says otherwise the parameters are the defaults: 30% within 4 h, 10%
 * in one block. */
#include <stdlib.h>
#include <string.h>

#include "core/hex.h"
#include "detectors/escrow_drawdown.h"
#include "tests/unit/harness.h"

static const l2w_drawdown_params defaults = {14400, 30, 10};

/* whole ETH plus a (possibly negative) number of wei */
static l2w_u256 eth(uint64_t whole, int64_t wei)
{
    l2w_u256 r, e18 = l2w_u256_from_u64(1000000000000000000ULL), w = l2w_u256_from_u64(whole);
    CHECK(l2w_u256_mul(&r, &w, &e18) == L2W_OK);
    l2w_u256 d = l2w_u256_from_u64(wei < 0 ? (uint64_t)-wei : (uint64_t)wei);
    CHECK((wei < 0 ? l2w_u256_sub(&r, &r, &d) : l2w_u256_add(&r, &r, &d)) == L2W_OK);
    return r;
}

/* Block hashes the tests can write down: 24 bytes of 0xbb, then the block
 * number as 8 big-endian bytes. */
static l2w_hash block_hash(uint64_t number)
{
    l2w_hash h;
    memset(h.b, 0xbb, sizeof h.b);
    for (int i = 0; i < 8; i++)
        h.b[31 - i] = (uint8_t)(number >> (8 * i));
    return h;
}

static l2w_escrow_sample sample(uint64_t number, uint64_t timestamp, l2w_u256 balance)
{
    l2w_escrow_sample s = {number, block_hash(number), timestamp, balance};
    return s;
}

/* One sample a block, 12 s apart, block numbers from 1, balances in ETH. */
static size_t series(l2w_escrow_sample *out, const uint64_t *balances_eth, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = sample(i + 1, 12 * (i + 1), eth(balances_eth[i], 0));
    return n;
}

static bool u256_is(const l2w_u256 *v, const char *dec)
{
    char got[L2W_U256_DEC_LEN];
    l2w_u256_to_dec(got, v);
    if (strcmp(got, dec) != 0) {
        fprintf(stderr, "  got %s, want %s\n", got, dec);
        return false;
    }
    return true;
}

static l2w_bridge_subject native_subject(void)
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
    return s;
}

static void test_threshold_exact(void)
{
    /* 1000 -> 930 -> 860 -> 790 -> 720 -> 700 ETH: falls of 70, 70, 70, 70,
     * 20, each at most 70/790 = 8.9% of the balance before it (no single
     * breach). The window fell 300 of 1000 = exactly 30%: 300*100 = 30000
     * is not above 30*1000 = 30000, so no breach. */
    const uint64_t bal[] = {1000, 930, 860, 790, 720, 700};
    l2w_escrow_sample s[6];
    size_t n = series(s, bal, 6);
    l2w_drawdown_verdict v;
    l2w_err err = {{0}};
    CHECK(l2w_drawdown_judge(&v, &defaults, s, n, &err) == L2W_OK);
    CHECK(v.reason == L2W_DRAWDOWN_NONE);
    CHECK(u256_is(&v.fall, "300000000000000000000") && v.fall_bps == 3000);
    CHECK(v.falls == 5 && u256_is(&v.window_outflow, "300000000000000000000"));
    CHECK(v.peak.block_number == 1 && v.last.block_number == 6 && v.fell_to.block_number == 6);
    /* Four falls of 70 tie for the largest: the first one stands. */
    CHECK(v.largest.block_number == 2 && u256_is(&v.largest_fall, "70000000000000000000"));
    l2w_bridge_subject subj = native_subject();
    l2w_finding f;
    CHECK(l2w_drawdown_finding(&f, &subj, &defaults, &v, &err) == L2W_ERR_INVALID && f.evidence == NULL);

    /* One wei lower: 300 ETH + 1 wei is above 30%. 3000.000...0001 bps
     * rounds down to 3000. */
    s[5].balance = eth(700, -1);
    CHECK(l2w_drawdown_judge(&v, &defaults, s, n, &err) == L2W_OK);
    CHECK(v.reason == L2W_DRAWDOWN_WINDOW);
    CHECK(u256_is(&v.fall, "300000000000000000001") && v.fall_bps == 3000);
    CHECK(v.falls == 5 && u256_is(&v.window_outflow, "300000000000000000001"));
}

static void test_window_boundary(void)
{
    /* Window 3600 s, latest sample at t=4600: the window starts at 1000.
     *   block 1 t=100  5000   (before the window: ignored)
     *   block 2 t=1000 1000   (exactly at window_start: the opening balance)
     *   block 3 t=2000  900   (fall 100 = 10.00% of 1000: not above 10%)
     *   block 4 t=4600  690   (fall 210 = 23.3% of 900: a single breach too)
     * Peak 1000, fall 310 = 31% > 30%: WINDOW, which wins over SINGLE.
     * Falls 2 (the 4000 from block 1 to 2 is outside), outflow 310. */
    l2w_drawdown_params p = {3600, 30, 10};
    l2w_escrow_sample s[4] = {sample(1, 100, eth(5000, 0)), sample(2, 1000, eth(1000, 0)),
                              sample(3, 2000, eth(900, 0)), sample(4, 4600, eth(690, 0))};
    l2w_drawdown_verdict v;
    l2w_err err = {{0}};
    CHECK(l2w_drawdown_judge(&v, &p, s, 4, &err) == L2W_OK);
    CHECK(v.window_start == 1000);
    CHECK(v.reason == L2W_DRAWDOWN_WINDOW && v.peak.block_number == 2);
    CHECK(u256_is(&v.fall, "310000000000000000000") && v.fall_bps == 3100);
    CHECK(v.falls == 2 && u256_is(&v.window_outflow, "310000000000000000000"));
    CHECK(v.largest.block_number == 4 && u256_is(&v.largest_fall, "210000000000000000000"));

    /* Block 2 one second later: the latest sample at or before 1000 is now
     * block 1, whose 5000 opens the window: fall 4310 of 5000 = 86.2%,
     * three falls (4000 + 100 + 210). */
    s[1].timestamp = 1001;
    CHECK(l2w_drawdown_judge(&v, &p, s, 4, &err) == L2W_OK);
    CHECK(v.reason == L2W_DRAWDOWN_WINDOW && v.peak.block_number == 1 && v.fall_bps == 8620);
    CHECK(v.falls == 3 && u256_is(&v.window_outflow, "4310000000000000000000"));

    /* No sample as old as the window: the oldest one opens it. 1000 -> 950
     * -> 900 is exactly 10% in total, 5.26% at most per block: NONE. */
    l2w_escrow_sample t[3] = {sample(7, 2000, eth(1000, 0)), sample(8, 3000, eth(950, 0)),
                              sample(9, 4600, eth(900, 0))};
    CHECK(l2w_drawdown_judge(&v, &p, t, 3, &err) == L2W_OK);
    CHECK(v.reason == L2W_DRAWDOWN_NONE && v.peak.block_number == 7 && v.fall_bps == 1000 && v.falls == 2);

    /* A window longer than the chain's clock: it starts at 0, not at a
     * wrapped-around time. */
    p.window_s = 10000;
    CHECK(l2w_drawdown_judge(&v, &p, t, 3, &err) == L2W_OK && v.window_start == 0 && v.peak.block_number == 7);
}

static void test_burst(void)
{
    /* 1000 ETH, then ten releases of 50 ETH (5% of the start), one a block.
     * After k releases the window fell 50k of 1000: 5000k > 30000 from k = 7
     * on (k = 6 is exactly 30%: no breach). No single release is above 10%:
     * the largest share is 50/550 = 9.1%. Judged after every sample as the
     * caller does, the verdict turns to WINDOW once and stays there. */
    l2w_escrow_sample s[11];
    for (uint64_t i = 0; i < 11; i++)
        s[i] = sample(i + 1, 100 + 12 * i, eth(1000 - 50 * i, 0));
    l2w_bridge_subject subj = native_subject();
    l2w_err err = {{0}};
    int turned = 0;
    l2w_drawdown_reason before = L2W_DRAWDOWN_NONE;
    char first_subject[160] = "", first_key[400] = "";
    l2w_drawdown_verdict v;
    for (size_t k = 0; k <= 10; k++) {
        CHECK(l2w_drawdown_judge(&v, &defaults, s, k + 1, &err) == L2W_OK);
        CHECK_MSG(v.reason == (k >= 7 ? L2W_DRAWDOWN_WINDOW : L2W_DRAWDOWN_NONE), "after %zu releases", k);
        if (v.reason != before && before == L2W_DRAWDOWN_NONE)
            turned++;
        before = v.reason;
        if (v.reason == L2W_DRAWDOWN_WINDOW) {
            l2w_finding f;
            CHECK(l2w_drawdown_finding(&f, &subj, &defaults, &v, &err) == L2W_OK);
            /* Every look at the same incident names the same subject (the
             * caller keeps one finding open), each its own block. */
            if (!first_subject[0]) {
                snprintf(first_subject, sizeof first_subject, "%s", f.subject);
                snprintf(first_key, sizeof first_key, "%s", f.dedup_key);
            } else {
                CHECK(strcmp(first_subject, f.subject) == 0 && strcmp(first_key, f.dedup_key) != 0);
            }
            l2w_finding_clear(&f);
        }
    }
    CHECK(turned == 1);
    CHECK(v.falls == 10 && u256_is(&v.window_outflow, "500000000000000000000"));
    CHECK(u256_is(&v.fall, "500000000000000000000") && v.fall_bps == 5000 && v.peak.block_number == 1);
    CHECK(v.largest.block_number == 2 && u256_is(&v.largest_fall, "50000000000000000000"));
}

static void test_single_release(void)
{
    /* 1000 -> 890: one block fell 110 = 11% > 10%; the window's 11% is not
     * above 30%. SINGLE from the sample before the fall. */
    const uint64_t bal[] = {1000, 890};
    l2w_escrow_sample s[5];
    size_t n = series(s, bal, 2);
    l2w_drawdown_verdict v;
    l2w_err err = {{0}};
    CHECK(l2w_drawdown_judge(&v, &defaults, s, n, &err) == L2W_OK);
    CHECK(v.reason == L2W_DRAWDOWN_SINGLE && v.peak.block_number == 1 && v.fell_to.block_number == 2);
    CHECK(u256_is(&v.fall, "110000000000000000000") && v.fall_bps == 1100);
    /* Exactly 10% is not above it. */
    s[1].balance = eth(900, 0);
    CHECK(l2w_drawdown_judge(&v, &defaults, s, n, &err) == L2W_OK && v.reason == L2W_DRAWDOWN_NONE);

    /* 10000 -> 9000 -> 8000 -> 7900 -> 7000:
     *   block 2: fall 1000 = 10.00% of 10000 (not above)
     *   block 3: fall 1000 = 11.11% of 9000  (above)
     *   block 4: fall  100 =  1.27% of 8000
     *   block 5: fall  900 = 11.39% of 7900  (above)
     * Window: 3000 of 10000 = exactly 30%, no breach. Two blocks breach; the
     * larger in base units is reported: block 3, 1111 bps (1000/9000
     * rounded down). The window's largest fall is block 2's (the earlier
     * of two 1000s), which did not breach. */
    const uint64_t bal2[] = {10000, 9000, 8000, 7900, 7000};
    n = series(s, bal2, 5);
    CHECK(l2w_drawdown_judge(&v, &defaults, s, n, &err) == L2W_OK);
    CHECK(v.reason == L2W_DRAWDOWN_SINGLE);
    CHECK(v.peak.block_number == 2 && v.fell_to.block_number == 3 && v.last.block_number == 5);
    CHECK(u256_is(&v.fall, "1000000000000000000000") && v.fall_bps == 1111);
    CHECK(v.largest.block_number == 2 && v.falls == 4 && u256_is(&v.window_outflow, "3000000000000000000000"));
}

static void test_deposits_between(void)
{
    /* 1000 -> 1500 (deposit) -> 1200 -> 1600 (deposit) -> 1100: the peak is
     * the later 1600; fall 500 = 31.25% > 30%. Outflow counts falls only:
     * 300 + 500. */
    const uint64_t a[] = {1000, 1500, 1200, 1600, 1100};
    l2w_escrow_sample s[6];
    size_t n = series(s, a, 5);
    l2w_drawdown_verdict v;
    l2w_err err = {{0}};
    CHECK(l2w_drawdown_judge(&v, &defaults, s, n, &err) == L2W_OK);
    CHECK(v.reason == L2W_DRAWDOWN_WINDOW && v.peak.block_number == 4 && v.fall_bps == 3125);
    CHECK(v.falls == 2 && u256_is(&v.window_outflow, "800000000000000000000"));
    CHECK(v.largest.block_number == 5 && u256_is(&v.largest_fall, "500000000000000000000"));

    /* 1000 -> 950 -> 1200 -> 1140 -> 1300 -> 1235: every fall is 5% of the
     * balance before it, and the fall from the peak (1300) is 65 = 5%.
     * Deposits refill the escrow: no breach, though 175 ETH went out. */
    /* A plateau: 1000, 1000, 1000, 600. The peak is where the plateau
     * starts (block 1), the fall 400 = 40%. */
    const uint64_t plateau[] = {1000, 1000, 1000, 600};
    n = series(s, plateau, 4);
    CHECK(l2w_drawdown_judge(&v, &defaults, s, n, &err) == L2W_OK);
    CHECK(v.reason == L2W_DRAWDOWN_WINDOW && v.peak.block_number == 1 && v.fall_bps == 4000 && v.falls == 1);

    const uint64_t b[] = {1000, 950, 1200, 1140, 1300, 1235};
    n = series(s, b, 6);
    CHECK(l2w_drawdown_judge(&v, &defaults, s, n, &err) == L2W_OK);
    CHECK(v.reason == L2W_DRAWDOWN_NONE && v.peak.block_number == 5 && v.fall_bps == 500);
    CHECK(v.falls == 3 && u256_is(&v.window_outflow, "175000000000000000000"));
}

static void test_empty_escrow(void)
{
    l2w_escrow_sample s[3] = {sample(1, 12, l2w_u256_from_u64(0)), sample(2, 24, l2w_u256_from_u64(0)),
                              sample(3, 36, l2w_u256_from_u64(0))};
    l2w_drawdown_verdict v;
    l2w_err err = {{0}};
    /* Even a 0% threshold: nothing ever fell from a peak of 0. */
    l2w_drawdown_params zero = {14400, 0, 0};
    CHECK(l2w_drawdown_judge(&v, &zero, s, 3, &err) == L2W_OK);
    CHECK(v.reason == L2W_DRAWDOWN_NONE && v.fall_bps == 0 && v.falls == 0);
    CHECK(v.largest.block_number == 0 && l2w_u256_is_zero(&v.largest_fall));
    /* One sample: nothing to compare. */
    s[0].balance = eth(5, 0);
    CHECK(l2w_drawdown_judge(&v, &defaults, s, 1, &err) == L2W_OK && v.reason == L2W_DRAWDOWN_NONE);
    /* A drained escrow is a 100% fall. */
    CHECK(l2w_drawdown_judge(&v, &defaults, s, 2, &err) == L2W_OK);
    CHECK(v.reason == L2W_DRAWDOWN_WINDOW && v.fall_bps == 10000);
    /* Amounts near 2^256: the percent comparison must not overflow. */
    l2w_u256 max = {{UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX}}, seventy = max;
    CHECK(l2w_u256_divmod(&seventy, NULL, &max, &(l2w_u256){{10, 0, 0, 0}}) == L2W_OK);
    CHECK(l2w_u256_mul(&seventy, &seventy, &(l2w_u256){{7, 0, 0, 0}}) == L2W_OK); /* 70% of max, rounded down */
    s[0].balance = max;
    s[1].balance = seventy;
    CHECK(l2w_drawdown_judge(&v, &defaults, s, 2, &err) == L2W_OK);
    CHECK(v.reason == L2W_DRAWDOWN_WINDOW && v.fall_bps == 3000);
}

static void test_bad_input(void)
{
    l2w_drawdown_verdict v, keep;
    memset(&v, 0x5a, sizeof v);
    keep = v;
    l2w_err err = {{0}};
    CHECK(l2w_drawdown_judge(&v, &defaults, NULL, 0, &err) == L2W_ERR_INVALID);
    CHECK(strstr(err.msg, "no samples") != NULL);
    l2w_escrow_sample s[3] = {sample(5, 60, eth(10, 0)), sample(4, 72, eth(9, 0)), sample(6, 84, eth(8, 0))};
    err.msg[0] = '\0';
    CHECK(l2w_drawdown_judge(&v, &defaults, s, 3, &err) == L2W_ERR_INVALID);
    CHECK_MSG(strstr(err.msg, "sample 1 (block 4") != NULL, "%s", err.msg);
    /* The same block twice. */
    s[1].block_number = 5;
    CHECK(l2w_drawdown_judge(&v, &defaults, s, 3, &err) == L2W_ERR_INVALID);
    /* Rising blocks whose clock goes back. */
    s[1].block_number = 6;
    s[2].block_number = 7;
    s[2].timestamp = 71;
    err.msg[0] = '\0';
    CHECK(l2w_drawdown_judge(&v, &defaults, s, 3, &err) == L2W_ERR_INVALID);
    CHECK_MSG(strstr(err.msg, "sample 2") != NULL, "%s", err.msg);
    CHECK(memcmp(&v, &keep, sizeof v) == 0);
    /* Equal timestamps are fine (chains with several blocks a second). */
    s[2].timestamp = 72;
    CHECK(l2w_drawdown_judge(&v, &defaults, s, 3, &err) == L2W_OK);
}

static json_t *reparse(const json_t *evidence)
{
    char *text = json_dumps(evidence, JSON_COMPACT);
    CHECK(text != NULL);
    json_error_t jerr;
    json_t *back = text ? json_loads(text, JSON_REJECT_DUPLICATES, &jerr) : NULL;
    free(text);
    CHECK(back != NULL);
    return back;
}

static const char *str_at(const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s ? s : "(missing)";
}

static void test_finding(void)
{
    const uint64_t bal[] = {1000, 930, 860, 790, 720, 700};
    l2w_escrow_sample s[6];
    size_t n = series(s, bal, 6);
    s[5].balance = eth(700, -1);
    l2w_drawdown_verdict v;
    l2w_err err = {{0}};
    CHECK(l2w_drawdown_judge(&v, &defaults, s, n, &err) == L2W_OK && v.reason == L2W_DRAWDOWN_WINDOW);
    l2w_bridge_subject subj = native_subject();
    l2w_finding f;
    CHECK(l2w_drawdown_finding(&f, &subj, &defaults, &v, &err) == L2W_OK);
    CHECK(f.kind && strcmp(f.kind, "escrow_drawdown") == 0 && f.severity == L2W_SEV_HIGH && strcmp(f.chain, "l1") == 0);
    CHECK(strcmp(f.subject, "bridge:op:native") == 0);
    CHECK_MSG(strcmp(f.dedup_key, "escrow_drawdown:op:native:"
                                  "0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb0000000000000006") == 0,
              "%s", f.dedup_key);
    CHECK(f.has_anchor && strcmp(f.anchor_chain, "l1") == 0 && l2w_hash_eq(&f.anchor_block_hash, &s[5].block_hash));
    uint64_t block = 0;
    CHECK(f.has_block_number && l2w_u256_to_u64(&block, &f.block_number) == L2W_OK && block == 6);
    CHECK(!f.has_tx_hash);
    CHECK_MSG(strstr(f.title, "fell 30.00% within 4 h") != NULL, "%s", f.title);
    CHECK_MSG(strstr(f.summary, "300.000000000000000001 ETH (300000000000000000001 base units)") != NULL, "%s",
              f.summary);
    CHECK(strstr(f.summary, "from 1000 ETH (1000000000000000000000 base units) at block 1") != NULL);

    json_t *ev = reparse(f.evidence);
    CHECK(strcmp(str_at(ev, "bridge"), "op") == 0 && strcmp(str_at(ev, "token"), "native") == 0);
    CHECK(strcmp(str_at(ev, "symbol"), "ETH") == 0);
    CHECK(strcmp(str_at(ev, "escrow"), "0xbeb5fc579115071764c7423a4f12edde41f106ed") == 0);
    CHECK(strcmp(str_at(ev, "reason"), "window") == 0);
    CHECK(strcmp(str_at(ev, "fall"), "300000000000000000001") == 0);
    CHECK(strcmp(str_at(ev, "window_outflow"), "300000000000000000001") == 0);
    CHECK(strcmp(str_at(ev, "fall_percent"), "30.00%") == 0);
    CHECK(json_integer_value(json_object_get(ev, "fall_bps")) == 3000);
    CHECK(json_integer_value(json_object_get(ev, "falls")) == 5);
    CHECK(json_integer_value(json_object_get(ev, "window_start")) == 0); /* 72 - 14400, floored at 0 */
    CHECK(json_integer_value(json_object_get(ev, "window_end")) == 72);
    CHECK(json_integer_value(json_object_get(ev, "drawdown_percent")) == 30);
    const json_t *from = json_object_get(ev, "from"), *to = json_object_get(ev, "to");
    CHECK(strcmp(str_at(from, "balance"), "1000000000000000000000") == 0);
    CHECK(json_integer_value(json_object_get(from, "block_number")) == 1);
    CHECK(strcmp(str_at(to, "balance"), "699999999999999999999") == 0);
    CHECK(strcmp(str_at(to, "block_hash"), "0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb0000000000000006") == 0);
    CHECK(json_integer_value(json_object_get(json_object_get(ev, "largest"), "block_number")) == 2);
    json_decref(ev);
    l2w_finding_clear(&f);

    /* An ERC-20 escrow: the subject and key name the token in lowercase. */
    l2w_bridge_subject usdc = subj;
    usdc.native = false;
    usdc.symbol = "USDC";
    usdc.decimals = 6;
    CHECK(l2w_addr_from_hex(&usdc.token, "0xA0b86991c6218b36c1D19D4a2e9Eb0cE3606eB48") == L2W_OK);
    const uint64_t single[] = {1000, 890};
    n = series(s, single, 2);
    s[0].balance = l2w_u256_from_u64(1000000000); /* 1000 USDC */
    s[1].balance = l2w_u256_from_u64(887500000);  /* 887.5: one block took 112.5 = 11.25% */
    CHECK(l2w_drawdown_judge(&v, &defaults, s, n, &err) == L2W_OK && v.reason == L2W_DRAWDOWN_SINGLE);
    CHECK(l2w_drawdown_finding(&f, &usdc, &defaults, &v, &err) == L2W_OK);
    CHECK(strcmp(f.subject, "bridge:op:0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48") == 0);
    const char *key_start = "escrow_drawdown:op:0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48:0xbbbb";
    CHECK(strncmp(f.dedup_key, key_start, strlen(key_start)) == 0);
    CHECK_MSG(strstr(f.title, "lost 11.25% in one block (2)") != NULL, "%s", f.title);
    CHECK(strstr(f.summary, "released 112.5 USDC (112500000 base units)") != NULL);
    ev = reparse(f.evidence);
    CHECK(strcmp(str_at(ev, "reason"), "single") == 0 && strcmp(str_at(ev, "fall"), "112500000") == 0);
    CHECK(strcmp(str_at(ev, "token"), "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48") == 0);
    CHECK(json_integer_value(json_object_get(json_object_get(ev, "to"), "block_number")) == 2);
    json_decref(ev);
    l2w_finding_clear(&f);

    /* A bridge name too long for the subject column is refused, not cut. */
    char longname[200];
    memset(longname, 'x', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    usdc.bridge = longname;
    CHECK(l2w_drawdown_finding(&f, &usdc, &defaults, &v, &err) == L2W_ERR_RANGE && f.evidence == NULL);
}

int main(void)
{
    (void)l2w_test_seed();
    RUN(test_threshold_exact);
    RUN(test_window_boundary);
    RUN(test_burst);
    RUN(test_single_release);
    RUN(test_deposits_between);
    RUN(test_empty_escrow);
    RUN(test_bad_input);
    RUN(test_finding);
    return l2w_test_finish();
}
