#ifndef L2W_CORE_HEX_H
#define L2W_CORE_HEX_H

#include <stddef.h>
#include <stdint.h>

#include "core/eth_types.h"
#include "core/status.h"

/* Value of one hex digit (either case), or -1. */
int l2w_hex_digit_value(char c);

/* Decode hex text (optional "0x"/"0X" prefix, even number of digits, either
 * case) into out. hex_len is the text length (no NUL needed). Fails with
 * L2W_ERR_INVALID on a bad digit or odd length, L2W_ERR_RANGE if the bytes
 * do not fit in out_cap. */
L2W_MUST_CHECK l2w_status l2w_hex_decode(uint8_t *out, size_t out_cap, size_t *out_len,
                                         const char *hex, size_t hex_len);

/* Decode exactly out_len bytes from a NUL-terminated "0x..." string: the prefix
 * is required and the digit count must be exactly 2*out_len. */
L2W_MUST_CHECK l2w_status l2w_hex_decode_exact(uint8_t *out, size_t out_len, const char *hex);

L2W_MUST_CHECK l2w_status l2w_hash_from_hex(l2w_hash *out, const char *hex);
/* Accepts any case; does not enforce the EIP-55 checksum. */
L2W_MUST_CHECK l2w_status l2w_addr_from_hex(l2w_addr *out, const char *hex);

/* Write "0x" + lowercase hex + NUL into out, which must hold 2*len+3 bytes. */
void l2w_hex_encode(char *out, const uint8_t *in, size_t len);
/* Same, into a malloc'd string the caller frees; NULL on allocation failure. */
char *l2w_hex_encode_alloc(const uint8_t *in, size_t len);

void l2w_hash_to_hex(char out[L2W_HASH_HEX_LEN], const l2w_hash *h);
void l2w_addr_to_hex(char out[L2W_ADDR_HEX_LEN], const l2w_addr *a);

/* Parse a JSON-RPC QUANTITY ("0x0", "0x1a2b"): prefix required, at least one
 * digit, no leading zeros unless the value is zero, must fit in 64 bits. */
L2W_MUST_CHECK l2w_status l2w_quantity_to_u64(uint64_t *out, const char *s);
/* Format a QUANTITY ("0x0", "0x1a"); out must hold at least 19 bytes. */
void l2w_u64_to_quantity(char out[19], uint64_t v);

#endif
