#include "collector/price_feed.h"

#include <stdio.h>
#include <string.h>

#include "collector/eth_tx.h"

#define USD_DECIMALS 6

const char *l2w_price_verdict_name(l2w_price_verdict v)
{
    switch (v) {
    case L2W_PRICE_FRESH:
        return "fresh";
    case L2W_PRICE_STALE:
        return "stale";
    case L2W_PRICE_NON_POSITIVE:
        return "non_positive";
    case L2W_PRICE_INCOMPLETE_ROUND:
        return "incomplete_round";
    }
    return "?";
}

/* A word that must hold an unsigned integer of at most bits bits. */
static l2w_status bounded_word(l2w_u256 *out, const uint8_t word[32], unsigned bits, const char *field, l2w_err *err)
{
    l2w_u256_from_be32(out, word);
    if (l2w_u256_bit_length(out) > bits) {
        char hex[L2W_U256_HEX_LEN];
        l2w_u256_to_hex(hex, out);
        l2w_err_set(err, "latestRoundData: field %s: %s is wider than %u bits", field, hex, bits);
        return L2W_ERR_PROTOCOL;
    }
    return L2W_OK;
}

static l2w_status time_word(uint64_t *out, const uint8_t word[32], const char *field, l2w_err *err)
{
    l2w_u256 v;
    l2w_status st = bounded_word(&v, word, 64, field, err);
    if (st == L2W_OK)
        st = l2w_u256_to_u64(out, &v);
    return st;
}

l2w_status l2w_price_round_decode(l2w_price_round *out, const uint8_t words[160], l2w_err *err)
{
    memset(out, 0, sizeof *out);
    l2w_status st = bounded_word(&out->round_id, words, 80, "roundId", err);
    if (st == L2W_OK)
        st = time_word(&out->started_at, words + 64, "startedAt", err);
    if (st == L2W_OK)
        st = time_word(&out->updated_at, words + 96, "updatedAt", err);
    if (st == L2W_OK)
        st = bounded_word(&out->answered_in_round, words + 128, 80, "answeredInRound", err);
    if (st != L2W_OK)
        return st;
    l2w_u256_from_be32(&out->answer, words + 32);
    out->negative = (words[32] & 0x80) != 0;
    if (out->negative)
        l2w_u256_neg(&out->answer, &out->answer);
    return L2W_OK;
}

l2w_status l2w_price_decimals_decode(uint8_t *out, const uint8_t word[32], l2w_err *err)
{
    for (int i = 0; i < 31; i++) {
        if (word[i] != 0) {
            l2w_err_set(err, "decimals(): the answer is not a uint8");
            return L2W_ERR_PROTOCOL;
        }
    }
    *out = word[31];
    return L2W_OK;
}

l2w_price_verdict l2w_price_judge(const l2w_price_round *r, uint64_t now, uint32_t max_age_s, uint64_t *age_s)
{
    *age_s = now > r->updated_at ? now - r->updated_at : 0;
    if (r->updated_at == 0 || l2w_u256_cmp(&r->answered_in_round, &r->round_id) < 0)
        return L2W_PRICE_INCOMPLETE_ROUND;
    if (r->negative || l2w_u256_is_zero(&r->answer))
        return L2W_PRICE_NON_POSITIVE;
    if (*age_s > max_age_s)
        return L2W_PRICE_STALE;
    return L2W_PRICE_FRESH;
}

void l2w_price_answer_dec(char out[L2W_PRICE_ANSWER_DEC_LEN], const l2w_price_round *r)
{
    char digits[L2W_U256_DEC_LEN];
    l2w_u256_to_dec(digits, &r->answer);
    snprintf(out, L2W_PRICE_ANSWER_DEC_LEN, "%s%s", r->negative && !l2w_u256_is_zero(&r->answer) ? "-" : "",
             digits);
}

l2w_status l2w_price_read(l2w_rpc *rpc, const l2w_addr *aggregator, const l2w_hash *block_hash, l2w_price_round *out,
                          l2w_err *err)
{
    uint8_t words[160], word[32];
    uint8_t decimals = 0;
    l2w_status st = l2w_eth_call_words(rpc, aggregator, L2W_PRICE_LATEST_ROUND_DATA, NULL, "latest", block_hash, 5,
                                       words, err);
    if (st == L2W_OK)
        st = l2w_price_round_decode(out, words, err);
    if (st == L2W_OK)
        st = l2w_eth_call_words(rpc, aggregator, L2W_PRICE_DECIMALS, NULL, "latest", block_hash, 1, word, err);
    if (st == L2W_OK)
        st = l2w_price_decimals_decode(&decimals, word, err);
    if (st == L2W_OK)
        out->decimals = decimals;
    return st;
}

/* 10^n, or L2W_ERR_RANGE past 2^256 (n > 77). */
static l2w_status pow10_u256(l2w_u256 *out, unsigned n)
{
    const l2w_u256 ten = l2w_u256_from_u64(10);
    l2w_u256 v = l2w_u256_from_u64(1);
    for (unsigned i = 0; i < n; i++)
        if (l2w_u256_mul(&v, &v, &ten) != L2W_OK)
            return L2W_ERR_RANGE;
    *out = v;
    return L2W_OK;
}

l2w_status l2w_price_usd_micro(l2w_u256 *out, const l2w_u256 *amount, uint8_t amount_decimals,
                               const l2w_u256 *answer, uint8_t price_decimals, l2w_err *err)
{
    l2w_u256 product, scale;
    if (l2w_u256_mul(&product, amount, answer) != L2W_OK) {
        l2w_err_set(err, "USD value: amount x price passes 2^256");
        return L2W_ERR_RANGE;
    }
    unsigned decimals = (unsigned)amount_decimals + price_decimals;
    if (decimals < USD_DECIMALS) {
        if (pow10_u256(&scale, USD_DECIMALS - decimals) != L2W_OK || l2w_u256_mul(out, &product, &scale) != L2W_OK) {
            l2w_err_set(err, "USD value: the amount in micro-dollars passes 2^256");
            return L2W_ERR_RANGE;
        }
        return L2W_OK;
    }
    if (pow10_u256(&scale, decimals - USD_DECIMALS) != L2W_OK) {
        *out = l2w_u256_from_u64(0); /* a divisor past 2^256 exceeds any product */
        return L2W_OK;
    }
    return l2w_u256_divmod(out, NULL, &product, &scale);
}
