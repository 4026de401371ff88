#ifndef L2W_CORE_KECCAK_H
#define L2W_CORE_KECCAK_H

#include <stddef.h>
#include <stdint.h>

#include "core/eth_types.h"

/* Keccak-256 as Ethereum uses it (original Keccak padding 0x01, not SHA3-256's 0x06). */
typedef struct {
    uint64_t state[25];
    size_t pos; /* bytes absorbed into the current block */
} l2w_keccak_ctx;

void l2w_keccak_init(l2w_keccak_ctx *ctx);
void l2w_keccak_update(l2w_keccak_ctx *ctx, const uint8_t *in, size_t len);
void l2w_keccak_final(l2w_keccak_ctx *ctx, uint8_t out[32]);

void l2w_keccak256(uint8_t out[32], const uint8_t *in, size_t len);
void l2w_keccak256_hash(l2w_hash *out, const uint8_t *in, size_t len);

#endif
