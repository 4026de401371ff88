/* supply_exceeds_escrow: honest flows racing the two supply reads never
 * breach, a real excess does with its exact size, and the finding. */
#include <stdlib.h>
#include <string.h>

#include "core/hex.h"
#include "detectors/bridge_backing.h"
#include "tests/unit/harness.h"

static l2w_backing_reading reading(uint64_t before, uint64_t escrow, uint64_t after)
{
    l2w_backing_reading r;
    memset(&r, 0, sizeof r);
    r.supply_before = l2w_u256_from_u64(before);
    r.remote_block_before = 500;
    r.escrow = l2w_u256_from_u64(escrow);
    r.escrow_block = 1000;
    memset(r.escrow_block_hash.b, 0xe5, sizeof r.escrow_block_hash.b);
    r.supply_after = l2w_u256_from_u64(after);
    r.remote_block_after = 502;
    return r;
}

static void test_races(void)
{
    l2w_backing_verdict v;
    /* A deposit locked after the first supply read and minted before the
     * second: supply 100 -> 150, the escrow read in between sees 150 or
     * (lock after the escrow read) still 100. The lower supply, 100, is
     * backed either way; a single read after the escrow would see 150
     * against 100. */
    l2w_backing_reading r = reading(100, 150, 150);
    l2w_backing_judge(&v, &r);
    CHECK(!v.exceeds && v.supply.w[0] == 100 && l2w_u256_is_zero(&v.excess));
    r = reading(100, 100, 150);
    l2w_backing_judge(&v, &r);
    CHECK(!v.exceeds && v.supply.w[0] == 100 && l2w_u256_is_zero(&v.excess));
    /* A withdrawal burnt and released between the reads: supply 150 -> 100,
     * escrow already down to 100. A single read before the escrow would see
     * 150 against 100; the lower read, 100, is backed. */
    r = reading(150, 100, 100);
    l2w_backing_judge(&v, &r);
    CHECK(!v.exceeds && v.supply.w[0] == 100);
    /* Burnt before the escrow read, released after it: escrow still 150. */
    r = reading(150, 150, 100);
    l2w_backing_judge(&v, &r);
    CHECK(!v.exceeds && v.supply.w[0] == 100);
    /* Fully backed to the unit: equal is no excess. */
    r = reading(150, 150, 150);
    l2w_backing_judge(&v, &r);
    CHECK(!v.exceeds && l2w_u256_is_zero(&v.excess));
}

static void test_true_excess(void)
{
    l2w_backing_verdict v;
    /* 200 and 210 against 150: even the lower read is 50 over. */
    l2w_backing_reading r = reading(200, 150, 210);
    l2w_backing_judge(&v, &r);
    CHECK(v.exceeds && v.supply.w[0] == 200 && v.excess.w[0] == 50 && v.excess.w[1] == 0);
    /* The later read lower (a burn between them): 300 -> 180 against 150,
     * excess 30 from the 180. */
    r = reading(300, 150, 180);
    l2w_backing_judge(&v, &r);
    CHECK(v.exceeds && v.supply.w[0] == 180 && v.excess.w[0] == 30);
    /* One unit over. */
    r = reading(151, 150, 151);
    l2w_backing_judge(&v, &r);
    CHECK(v.exceeds && v.excess.w[0] == 1);
    /* Beyond 64 bits: 2^200 + 7 and 2^201 against 2^200, excess exactly 7. */
    memset(&r.supply_before, 0, sizeof r.supply_before);
    r.supply_before.w[3] = 1ULL << 8;
    r.supply_before.w[0] = 7;
    r.escrow = r.supply_before;
    r.escrow.w[0] = 0;
    r.supply_after = r.escrow;
    r.supply_after.w[3] = 1ULL << 9;
    l2w_backing_judge(&v, &r);
    CHECK(v.exceeds && v.excess.w[0] == 7 && v.excess.w[1] == 0 && v.excess.w[2] == 0 && v.excess.w[3] == 0);
    CHECK(l2w_u256_cmp(&v.supply, &r.supply_before) == 0);
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
    s.bridge = "usdc-bridge";
    s.chain = "l1";
    s.remote_chain = "side";
    s.symbol = "USDC";
    s.decimals = 6;
    CHECK(l2w_addr_from_hex(&s.token, "0xA0b86991c6218b36c1D19D4a2e9Eb0cE3606eB48") == L2W_OK);
    CHECK(l2w_addr_from_hex(&s.escrow, "0x00000000000000000000000000000000000000E5") == L2W_OK);
    /* 1000.5 and 1001 USDC minted against 1000 held: 0.5 USDC unbacked. */
    l2w_backing_reading r = reading(1000500000, 1000000000, 1001000000);
    l2w_backing_verdict v;
    l2w_backing_judge(&v, &r);
    CHECK(v.exceeds && v.excess.w[0] == 500000);
    l2w_finding f;
    l2w_err err = {{0}};
    CHECK(l2w_backing_finding(&f, &s, &r, &v, &err) == L2W_OK);
    CHECK(f.kind && strcmp(f.kind, "supply_exceeds_escrow") == 0 && f.severity == L2W_SEV_CRITICAL);
    CHECK(strcmp(f.chain, "l1") == 0);
    CHECK(strcmp(f.subject, "bridge:usdc-bridge:0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48") == 0);
    CHECK_MSG(strcmp(f.dedup_key, "supply_exceeds_escrow:usdc-bridge:0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48:"
                                  "0xe5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5") == 0,
              "%s", f.dedup_key);
    CHECK(f.has_anchor && strcmp(f.anchor_chain, "l1") == 0 && l2w_hash_eq(&f.anchor_block_hash, &r.escrow_block_hash));
    uint64_t block = 0;
    CHECK(f.has_block_number && l2w_u256_to_u64(&block, &f.block_number) == L2W_OK && block == 1000);
    CHECK(!f.has_tx_hash);
    CHECK_MSG(strstr(f.title, "USDC supply on side exceeds the escrow on l1 by 0.5 USDC") != NULL, "%s", f.title);
    CHECK(strstr(f.summary, "by 0.5 USDC (500000 base units)") != NULL);
    CHECK(strstr(f.summary, "1000.5 USDC (1000500000 base units) at block 500") != NULL);

    char *text = json_dumps(f.evidence, JSON_COMPACT);
    json_error_t jerr;
    json_t *ev = text ? json_loads(text, JSON_REJECT_DUPLICATES, &jerr) : NULL;
    free(text);
    CHECK(ev != NULL);
    CHECK(strcmp(str_at(ev, "excess"), "500000") == 0 && strcmp(str_at(ev, "supply"), "1000500000") == 0);
    CHECK(strcmp(str_at(ev, "supply_before"), "1000500000") == 0);
    CHECK(strcmp(str_at(ev, "supply_after"), "1001000000") == 0);
    CHECK(strcmp(str_at(ev, "escrow_balance"), "1000000000") == 0);
    CHECK(json_integer_value(json_object_get(ev, "escrow_block_number")) == 1000);
    CHECK(json_integer_value(json_object_get(ev, "remote_block_before")) == 500);
    CHECK(json_integer_value(json_object_get(ev, "remote_block_after")) == 502);
    CHECK(strcmp(str_at(ev, "token"), "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48") == 0);
    CHECK(strcmp(str_at(ev, "escrow"), "0x00000000000000000000000000000000000000e5") == 0);
    CHECK(strcmp(str_at(ev, "symbol"), "USDC") == 0 && strcmp(str_at(ev, "bridge"), "usdc-bridge") == 0);
    json_decref(ev);
    l2w_finding_clear(&f);

    /* A backed reading is no finding. */
    r = reading(100, 150, 150);
    l2w_backing_judge(&v, &r);
    CHECK(l2w_backing_finding(&f, &s, &r, &v, &err) == L2W_ERR_INVALID && f.evidence == NULL);
}

int main(void)
{
    (void)l2w_test_seed();
    RUN(test_races);
    RUN(test_true_excess);
    RUN(test_finding);
    return l2w_test_finish();
}
