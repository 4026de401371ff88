#ifndef L2W_CORE_BASE64_H
#define L2W_CORE_BASE64_H

#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

/* Decodes standard base64 (RFC 4648 section 4: A-Z a-z 0-9 + /, padded
 * with '=' to a multiple of 4 characters). Strict: no whitespace, no
 * URL-safe alphabet, no missing padding and no non-zero bits in the
 * padding, so that one byte string has exactly one accepted spelling.
 * L2W_ERR_INVALID on any other text, L2W_ERR_RANGE when the bytes do not
 * fit in out_cap. */
L2W_MUST_CHECK l2w_status l2w_base64_decode(uint8_t *out, size_t out_cap, size_t *out_len, const char *in,
                                            size_t in_len);

#endif
