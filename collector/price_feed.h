#ifndef L2W_COLLECTOR_PRICE_FEED_H
#define L2W_COLLECTOR_PRICE_FEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collector/rpc.h"
#include "core/eth_types.h"
#include "core/status.h"
#include "core/u256.h"

/* Chainlink price feeds (AggregatorV3Interface, usually read through the
 * feed's proxy): the latest round and its verdict, and the USD value of an
 * amount at its answer. Decoding and judging are pure; only
 * l2w_price_read does I/O. */

/* The views read (their selectors are feaf968c and 313ce567). */
#define L2W_PRICE_LATEST_ROUND_DATA "latestRoundData()"
#define L2W_PRICE_DECIMALS "decimals()"

/* latestRoundData() returns (uint80 roundId, int256 answer, uint256
 * startedAt, uint256 updatedAt, uint80 answeredInRound); decimals() a
 * uint8. */
typedef struct {
    l2w_u256 round_id;
    bool negative;                 /* answer < 0 */
    l2w_u256 answer;               /* |answer| */
    uint64_t started_at;           /* unix seconds */
    uint64_t updated_at;
    l2w_u256 answered_in_round;
    uint8_t decimals;              /* of the answer */
} l2w_price_round;

/* The verdict on a round; the values are stored (price_samples.status). */
typedef enum {
    L2W_PRICE_FRESH = 0,
    L2W_PRICE_STALE = 1,            /* updatedAt older than the allowed age */
    L2W_PRICE_NON_POSITIVE = 2,     /* answer <= 0 */
    L2W_PRICE_INCOMPLETE_ROUND = 3, /* updatedAt 0, or answeredInRound < roundId */
} l2w_price_verdict;
#define L2W_PRICE_VERDICTS 4

const char *l2w_price_verdict_name(l2w_price_verdict v);

/* The five words of latestRoundData's answer (160 bytes). A word that
 * breaks its type (a roundId past 80 bits, a time past 64) is
 * L2W_ERR_PROTOCOL naming the field. */
L2W_MUST_CHECK l2w_status l2w_price_round_decode(l2w_price_round *out, const uint8_t words[160], l2w_err *err);
/* decimals()'s word: a uint8, else L2W_ERR_PROTOCOL. */
L2W_MUST_CHECK l2w_status l2w_price_decimals_decode(uint8_t *out, const uint8_t word[32], l2w_err *err);

/* Judges r read at unix time now: incomplete first, then non-positive, then
 * stale (now - updatedAt > max_age_s). *age_s is now - updatedAt, 0 when
 * updatedAt is ahead of now. */
l2w_price_verdict l2w_price_judge(const l2w_price_round *r, uint64_t now, uint32_t max_age_s, uint64_t *age_s);

/* The answer as signed decimal text ("-5", "300012345678"). */
#define L2W_PRICE_ANSWER_DEC_LEN (L2W_U256_DEC_LEN + 1)
void l2w_price_answer_dec(char out[L2W_PRICE_ANSWER_DEC_LEN], const l2w_price_round *r);

/* latestRoundData() and decimals() of aggregator at the block with this
 * hash (EIP-1898), decoded. */
L2W_MUST_CHECK l2w_status l2w_price_read(l2w_rpc *rpc, const l2w_addr *aggregator, const l2w_hash *block_hash,
                                         l2w_price_round *out, l2w_err *err);

/* The USD value, in micro-dollars rounded down, of amount base units of a
 * token with amount_decimals at a price of answer (USD per whole token,
 * with price_decimals): floor(amount * answer * 10^6 / 10^(amount_decimals +
 * price_decimals)), exact. L2W_ERR_RANGE when amount * answer (or, for
 * fewer than 6 decimals in all, the scaled product) passes 2^256. */
L2W_MUST_CHECK l2w_status l2w_price_usd_micro(l2w_u256 *out, const l2w_u256 *amount, uint8_t amount_decimals,
                                              const l2w_u256 *answer, uint8_t price_decimals, l2w_err *err);

#endif
