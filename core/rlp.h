#ifndef L2W_CORE_RLP_H
#define L2W_CORE_RLP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"
#include "core/status.h"
#include "core/u256.h"

/* Recursive Length Prefix, Ethereum's serialization (Yellow Paper,
 * appendix B). Integers are big-endian with no leading zero bytes; zero is
 * the empty string. */

/* ---- encoding ---- */
void l2w_rlp_put_bytes(l2w_bytes *out, const uint8_t *p, size_t n);
void l2w_rlp_put_u64(l2w_bytes *out, uint64_t v);
void l2w_rlp_put_u256(l2w_bytes *out, const l2w_u256 *v);
/* Lists: remember the offset l2w_rlp_list_begin returns, append the items,
 * then l2w_rlp_list_end(out, offset) prefixes them with the list header. */
size_t l2w_rlp_list_begin(const l2w_bytes *out);
void l2w_rlp_list_end(l2w_bytes *out, size_t begin);
/* Append an already-encoded item verbatim. */
void l2w_rlp_put_raw(l2w_bytes *out, const uint8_t *p, size_t n);

/* ---- decoding ---- */
/* A view into the input: for a string, p/len are its bytes; for a list,
 * p/len are the concatenated encodings of its items. */
typedef struct {
    const uint8_t *p;
    size_t len;
    bool is_list;
    const uint8_t *raw; /* the whole encoding of this item, header included */
    size_t raw_len;
} l2w_rlp_item;

/* Decode exactly one item that spans all of in[0..len). Non-canonical
 * encodings (a single byte below 0x80 wrapped as a string, long forms for
 * short payloads, leading zeros in lengths) and trailing bytes are
 * rejected with L2W_ERR_INVALID and a message giving the offset. */
L2W_MUST_CHECK l2w_status l2w_rlp_decode(l2w_rlp_item *out, const uint8_t *in, size_t len,
                                         l2w_err *err);

/* Iterate a list: start a cursor with l2w_rlp_cursor(list), then call
 * l2w_rlp_next until it returns L2W_ERR_NOT_FOUND (end of list). */
typedef struct {
    const uint8_t *p;
    size_t left;
    size_t base_offset; /* for error messages */
} l2w_rlp_cursor_t;

l2w_rlp_cursor_t l2w_rlp_cursor(const l2w_rlp_item *list);
L2W_MUST_CHECK l2w_status l2w_rlp_next(l2w_rlp_cursor_t *cur, l2w_rlp_item *out, l2w_err *err);

/* Decode all items of a list into items[0..cap); fails with L2W_ERR_RANGE
 * if there are more than cap. */
L2W_MUST_CHECK l2w_status l2w_rlp_list_items(const l2w_rlp_item *list, l2w_rlp_item *items,
                                             size_t cap, size_t *count, l2w_err *err);

/* Read a string item as a canonical integer (no leading zeros). */
L2W_MUST_CHECK l2w_status l2w_rlp_get_u64(const l2w_rlp_item *it, uint64_t *out, l2w_err *err);
L2W_MUST_CHECK l2w_status l2w_rlp_get_u256(const l2w_rlp_item *it, l2w_u256 *out, l2w_err *err);

#endif
