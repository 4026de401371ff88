#ifndef L2W_CORE_ETH_TYPES_H
#define L2W_CORE_ETH_TYPES_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* Fixed-size Ethereum values as raw big-endian bytes. */
typedef struct {
    uint8_t b[32];
} l2w_hash;

typedef struct {
    uint8_t b[20];
} l2w_addr;

static inline bool l2w_hash_eq(const l2w_hash *a, const l2w_hash *b)
{
    return memcmp(a->b, b->b, sizeof a->b) == 0;
}

static inline bool l2w_addr_eq(const l2w_addr *a, const l2w_addr *b)
{
    return memcmp(a->b, b->b, sizeof a->b) == 0;
}

/* "0x" + 64 hex digits + NUL, and "0x" + 40 + NUL. */
#define L2W_HASH_HEX_LEN 67
#define L2W_ADDR_HEX_LEN 43

#endif
