/* price_feed (collector/price_feed.c): the selectors read, latestRoundData
 * and decimals decoded from words `cast abi-encode` makes, each field past
 * its type refused by name, the verdicts (fresh, stale, non-positive,
 * incomplete round) at their edges and in their order, and the USD value of
 * an amount checked against `cast format-units` of the exact product on
 * random inputs. Without cast the cast checks fail (it is installed with
 * the npm tools). */
#include <stdio.h>
#include <string.h>

#include "collector/price_feed.h"
#include "core/abi.h"
#include "core/hex.h"
#include "tests/unit/harness.h"
#include "tests/unit/support/cast_support.h"

/* The five words of `cast abi-encode "f(uint80,int256,uint256,uint256,uint80)" <args>`. */
static bool encode_round(const char *args, uint8_t words[160])
{
    char cmd[512], hex[2 + 320 + 8];
    snprintf(cmd, sizeof cmd, "abi-encode \"f(uint80,int256,uint256,uint256,uint80)\" %s", args);
    if (!l2w_test_cast_line(cmd, hex, sizeof hex))
        return false;
    return l2w_hex_decode_exact(words, 160, hex) == L2W_OK;
}

static bool u256_is(const l2w_u256 *v, const char *dec)
{
    char got[L2W_U256_DEC_LEN];
    l2w_u256_to_dec(got, v);
    return strcmp(got, dec) == 0;
}

static void test_selectors(void)
{
    static const struct {
        const char *sig;
    } views[] = {{L2W_PRICE_LATEST_ROUND_DATA}, {L2W_PRICE_DECIMALS}};
    for (size_t i = 0; i < sizeof views / sizeof views[0]; i++) {
        uint8_t sel[4];
        char mine[11], theirs[16], args[64];
        CHECK(l2w_abi_selector(sel, views[i].sig, NULL) == L2W_OK);
        snprintf(mine, sizeof mine, "0x%02x%02x%02x%02x", sel[0], sel[1], sel[2], sel[3]);
        snprintf(args, sizeof args, "sig \"%s\"", views[i].sig);
        CHECK(l2w_test_cast_line(args, theirs, sizeof theirs));
        CHECK_MSG(strcmp(mine, theirs) == 0, "%s: %s, cast says %s", views[i].sig, mine, theirs);
    }
}

static void test_decode_round(void)
{
    uint8_t w[160];
    l2w_price_round r;
    /* A phase-2 round id (phase in the top 16 of the 80 bits), as proxies number them. */
    CHECK(encode_round("36893488147419103533 300012345678 1700000000 1700000012 36893488147419103533", w));
    CHECK(l2w_price_round_decode(&r, w, NULL) == L2W_OK);
    CHECK(u256_is(&r.round_id, "36893488147419103533"));
    CHECK(!r.negative && u256_is(&r.answer, "300012345678"));
    CHECK(r.started_at == 1700000000 && r.updated_at == 1700000012);
    CHECK(u256_is(&r.answered_in_round, "36893488147419103533"));
    char dec[L2W_PRICE_ANSWER_DEC_LEN];
    l2w_price_answer_dec(dec, &r);
    CHECK(strcmp(dec, "300012345678") == 0);

    /* int256 answers are two's complement: -5 is |5| with the sign kept. */
    CHECK(encode_round("7 -5 1 2 7", w));
    CHECK(l2w_price_round_decode(&r, w, NULL) == L2W_OK);
    CHECK(r.negative && u256_is(&r.answer, "5"));
    l2w_price_answer_dec(dec, &r);
    CHECK(strcmp(dec, "-5") == 0);
    /* The most negative int256. */
    CHECK(encode_round("7 \"-57896044618658097711785492504343953926634992332820282019728792003956564819968\" 1 2 7",
                       w));
    CHECK(l2w_price_round_decode(&r, w, NULL) == L2W_OK);
    l2w_price_answer_dec(dec, &r);
    CHECK(strcmp(dec, "-57896044618658097711785492504343953926634992332820282019728792003956564819968") == 0);
}

/* A word past its type is refused, and the message names the field. */
static void test_decode_bounds(void)
{
    static const struct {
        int word;
        const char *field;
    } cases[] = {{0, "roundId"}, {2, "startedAt"}, {3, "updatedAt"}, {4, "answeredInRound"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t w[160];
        CHECK(encode_round("1 2 3 4 5", w));
        /* one bit above the type's width: bit 80 of a uint80, bit 64 of a time */
        int bit = cases[i].word == 0 || cases[i].word == 4 ? 80 : 64;
        w[cases[i].word * 32 + 31 - bit / 8] |= (uint8_t)(1u << (bit % 8));
        l2w_price_round r;
        l2w_err err = {{0}};
        CHECK(l2w_price_round_decode(&r, w, &err) == L2W_ERR_PROTOCOL);
        CHECK_MSG(strstr(err.msg, cases[i].field) != NULL, "%s: %s", cases[i].field, err.msg);
        /* exactly at the width is fine */
        w[cases[i].word * 32 + 31 - bit / 8] &= (uint8_t)~(1u << (bit % 8));
        w[cases[i].word * 32 + 31 - (bit - 1) / 8] |= (uint8_t)(1u << ((bit - 1) % 8));
        CHECK(l2w_price_round_decode(&r, w, NULL) == L2W_OK);
    }
    uint8_t word[32] = {0};
    uint8_t d = 0;
    word[31] = 8;
    CHECK(l2w_price_decimals_decode(&d, word, NULL) == L2W_OK && d == 8);
    word[30] = 1; /* 264: no uint8 */
    l2w_err err = {{0}};
    CHECK(l2w_price_decimals_decode(&d, word, &err) == L2W_ERR_PROTOCOL);
    CHECK(strstr(err.msg, "decimals") != NULL);
}

static l2w_price_round round_of(uint64_t id, int64_t answer, uint64_t updated, uint64_t in_round)
{
    l2w_price_round r;
    memset(&r, 0, sizeof r);
    r.round_id = l2w_u256_from_u64(id);
    r.negative = answer < 0;
    r.answer = l2w_u256_from_u64(answer < 0 ? (uint64_t)(-answer) : (uint64_t)answer);
    r.updated_at = updated;
    r.started_at = updated;
    r.answered_in_round = l2w_u256_from_u64(in_round);
    r.decimals = 8;
    return r;
}

static void test_verdicts(void)
{
    const uint64_t now = 1700003600;
    uint64_t age;
    l2w_price_round r = round_of(10, 300000000000, now - 3600, 10);
    CHECK(l2w_price_judge(&r, now, 3600, &age) == L2W_PRICE_FRESH && age == 3600); /* at the edge: fresh */
    CHECK(l2w_price_judge(&r, now, 3599, &age) == L2W_PRICE_STALE && age == 3600);
    r.updated_at = now + 30; /* ahead of this clock: age 0, fresh */
    CHECK(l2w_price_judge(&r, now, 60, &age) == L2W_PRICE_FRESH && age == 0);

    r = round_of(10, 0, now, 10);
    CHECK(l2w_price_judge(&r, now, 3600, &age) == L2W_PRICE_NON_POSITIVE);
    r = round_of(10, -1, now, 10);
    CHECK(l2w_price_judge(&r, now, 3600, &age) == L2W_PRICE_NON_POSITIVE);

    r = round_of(10, 5, now, 9); /* answered in an older round: carried over */
    CHECK(l2w_price_judge(&r, now, 3600, &age) == L2W_PRICE_INCOMPLETE_ROUND);
    r = round_of(10, 5, 0, 10); /* never updated */
    CHECK(l2w_price_judge(&r, now, 3600, &age) == L2W_PRICE_INCOMPLETE_ROUND);
    r = round_of(10, 5, now, 11); /* answeredInRound past roundId is no reason to refuse */
    CHECK(l2w_price_judge(&r, now, 3600, &age) == L2W_PRICE_FRESH);

    /* Order: an incomplete round says so before its answer or age does. */
    r = round_of(10, -3, now - 99999, 9);
    CHECK(l2w_price_judge(&r, now, 3600, &age) == L2W_PRICE_INCOMPLETE_ROUND);
    r = round_of(10, -3, now - 99999, 10);
    CHECK(l2w_price_judge(&r, now, 3600, &age) == L2W_PRICE_NON_POSITIVE);

    CHECK(strcmp(l2w_price_verdict_name(L2W_PRICE_FRESH), "fresh") == 0);
    CHECK(strcmp(l2w_price_verdict_name(L2W_PRICE_STALE), "stale") == 0);
    CHECK(strcmp(l2w_price_verdict_name(L2W_PRICE_NON_POSITIVE), "non_positive") == 0);
    CHECK(strcmp(l2w_price_verdict_name(L2W_PRICE_INCOMPLETE_ROUND), "incomplete_round") == 0);
}

/* "12.5000" -> "12.5", "3.000" -> "3": cast's text as l2w_u256_to_units writes it. */
static void trim(char *s)
{
    char *dot = strchr(s, '.');
    if (!dot)
        return;
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == '0')
        s[--n] = '\0';
    if (n > 0 && s[n - 1] == '.')
        s[n - 1] = '\0';
}

/* usd_micro against cast: the exact product formatted by cast, cut to six
 * decimals, is what l2watch stores. */
static void check_usd_against_cast(const l2w_u256 *amount, uint8_t ad, const l2w_u256 *answer, uint8_t pd)
{
    l2w_u256 product, usd;
    CHECK(l2w_u256_mul(&product, amount, answer) == L2W_OK);
    char dec[L2W_U256_DEC_LEN], args[160], exact[160], mine[L2W_U256_UNITS_LEN];
    l2w_u256_to_dec(dec, &product);
    snprintf(args, sizeof args, "format-units %s %u", dec, (unsigned)(ad + pd));
    CHECK(l2w_test_cast_line(args, exact, sizeof exact));
    char *dot = strchr(exact, '.');
    if (dot && strlen(dot) > 7)
        dot[7] = '\0';
    trim(exact);
    CHECK(l2w_price_usd_micro(&usd, amount, ad, answer, pd, NULL) == L2W_OK);
    l2w_u256_to_units(mine, &usd, 6);
    CHECK_MSG(strcmp(mine, exact) == 0, "amount x answer = %s at %u decimals: mine %s, cast %s", dec,
              (unsigned)(ad + pd), mine, exact);
}

static l2w_u256 random_below_bits(unsigned bits)
{
    l2w_u256 v = {{0, 0, 0, 0}};
    for (unsigned i = 0; i < 4 && i * 64 < bits; i++) {
        unsigned width = bits - i * 64 >= 64 ? 64 : bits - i * 64;
        v.w[i] = l2w_test_rand() & (width == 64 ? UINT64_MAX : (UINT64_C(1) << width) - 1);
    }
    return v;
}

static void test_usd_value(void)
{
    /* 5 ETH at 3000.12345678 USD (8 decimals): 15000.6172839, floored. */
    l2w_u256 amount, answer, usd;
    CHECK(l2w_u256_from_dec(&amount, "5000000000000000000") == L2W_OK);
    answer = l2w_u256_from_u64(300012345678);
    CHECK(l2w_price_usd_micro(&usd, &amount, 18, &answer, 8, NULL) == L2W_OK);
    CHECK(u256_is(&usd, "15000617283"));
    check_usd_against_cast(&amount, 18, &answer, 8);
    /* Fewer than six decimals in all: scaled up, not down. */
    amount = l2w_u256_from_u64(5);
    answer = l2w_u256_from_u64(3);
    CHECK(l2w_price_usd_micro(&usd, &amount, 0, &answer, 2, NULL) == L2W_OK);
    CHECK(u256_is(&usd, "150000")); /* 5 x 0.03 = 0.15 USD */
    /* A divisor past 2^256 leaves nothing. */
    amount = l2w_u256_from_u64(UINT64_MAX);
    CHECK(l2w_price_usd_micro(&usd, &amount, 77, &answer, 77, NULL) == L2W_OK && l2w_u256_is_zero(&usd));
    /* amount x answer past 2^256 is refused, never wrapped. */
    l2w_u256 big = {{0, 0, 0, UINT64_C(1) << 40}};
    l2w_u256 pricey = {{0, 0, 1, 0}};
    l2w_err err = {{0}};
    CHECK(l2w_price_usd_micro(&usd, &big, 18, &pricey, 8, &err) == L2W_ERR_RANGE);
    CHECK(strstr(err.msg, "2^256") != NULL);

    l2w_test_seed();
    for (int i = 0; i < 40; i++) {
        l2w_u256 a = random_below_bits(1 + (unsigned)(l2w_test_rand() % 128));
        l2w_u256 p = random_below_bits(1 + (unsigned)(l2w_test_rand() % 80));
        uint8_t ad = (uint8_t)(l2w_test_rand() % 25), pd = (uint8_t)(l2w_test_rand() % 19);
        check_usd_against_cast(&a, ad, &p, pd);
    }
}

int main(void)
{
    RUN(test_selectors);
    RUN(test_decode_round);
    RUN(test_decode_bounds);
    RUN(test_verdicts);
    RUN(test_usd_value);
    return l2w_test_finish();
}
