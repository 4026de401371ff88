/* EIP-191 version 0x45 (personal_sign) digest. */

#include "core/eth_sign.h"

#include <stdio.h>

#include "core/keccak.h"

void l2w_eip191_digest(l2w_hash *out, const uint8_t *msg, size_t len)
{
    /* Split so the compiler does not read "\x19E" as one hex escape. */
    static const char prefix[] = "\x19"
                                 "Ethereum Signed Message:\n";
    char decimal[24];
    int n = snprintf(decimal, sizeof decimal, "%zu", len);
    l2w_keccak_ctx ctx;
    l2w_keccak_init(&ctx);
    l2w_keccak_update(&ctx, (const uint8_t *)prefix, sizeof prefix - 1);
    l2w_keccak_update(&ctx, (const uint8_t *)decimal, (size_t)n);
    l2w_keccak_update(&ctx, msg, len);
    l2w_keccak_final(&ctx, out->b);
}
