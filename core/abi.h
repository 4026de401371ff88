#ifndef L2W_CORE_ABI_H
#define L2W_CORE_ABI_H

/* Solidity contract ABI (docs.soliditylang.org, "Contract ABI Specification"):
 * types parsed from their canonical text, values as a tree, head/tail
 * encoding and a decoder that treats its input as hostile.
 *
 * Supported: uintN and intN (N = 8..256, step 8), address, bool, bytesN
 * (N = 1..32), bytes, string, T[], T[k], tuples (nested). Not supported:
 * fixed/ufixed and function (no contract l2watch reads uses them).
 *
 * Ownership: a type from l2w_abi_type_parse is freed with l2w_abi_type_free.
 * A value tree returned by l2w_abi_decode or l2w_abi_value_parse is owned by
 * the caller and freed with l2w_abi_value_free. A value tree a caller builds
 * itself with the l2w_abi_val_* helpers below lives in the caller's storage,
 * borrows its byte buffers and item arrays, and is never passed to
 * l2w_abi_value_free. Buffers from l2w_abi_encode, l2w_abi_encode_call,
 * l2w_abi_type_to_string and l2w_abi_value_format are freed with free(). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <string.h>

#include "core/eth_types.h"
#include "core/status.h"
#include "core/u256.h"

/* Types nest at most this deep (each tuple and each array suffix is a level);
 * it bounds recursion in every function here. Real contract types use < 6. */
#define L2W_ABI_MAX_DEPTH 16
/* Longest type or signature text accepted. */
#define L2W_ABI_MAX_TYPE_TEXT 4096
/* Largest static (head) size of a type in bytes, e.g. uint256[k]: bounds what
 * a type alone can demand from the encoder and decoder. */
#define L2W_ABI_MAX_STATIC_SIZE (16u * 1024 * 1024)
/* The decoder accepts encodings whose tails overlap (the spec allows offsets
 * to point anywhere) but charges every region it reads against a budget of
 * this many times the input length, so a few kilobytes whose offsets all point
 * at the same tail cannot expand into gigabytes of decoded values. A canonical
 * encoding, as Solidity produces, uses at most 1x. */
#define L2W_ABI_DECODE_BUDGET_FACTOR 4

typedef enum {
    L2W_ABI_UINT,        /* uintN */
    L2W_ABI_INT,         /* intN */
    L2W_ABI_ADDRESS,     /* address */
    L2W_ABI_BOOL,        /* bool */
    L2W_ABI_FIXED_BYTES, /* bytesN */
    L2W_ABI_BYTES,       /* bytes */
    L2W_ABI_STRING,      /* string */
    L2W_ABI_ARRAY,       /* T[] */
    L2W_ABI_FIXED_ARRAY, /* T[k] */
    L2W_ABI_TUPLE,       /* (T1,...,Tn) */
} l2w_abi_kind;

/* A parsed type. Read-only for callers. */
typedef struct l2w_abi_type l2w_abi_type;
struct l2w_abi_type {
    l2w_abi_kind kind;
    unsigned bits;           /* UINT, INT: 8..256 */
    size_t len;              /* FIXED_BYTES: N; FIXED_ARRAY: k (>= 1); TUPLE: field count */
    l2w_abi_type *elem;      /* ARRAY, FIXED_ARRAY: element type */
    l2w_abi_type **fields;   /* TUPLE: len field types */
    bool dynamic;            /* encoded out of line (behind an offset) */
    size_t head_size;        /* bytes in the enclosing head: 32 if dynamic, else the static size */
    unsigned depth;          /* levels in this type tree: 1 for a scalar */
};

/* Parses canonical type text: "uint256", "bytes32[]", "(address,(bool,bytes)[2])".
 * No whitespace and no aliases ("uint" must be written "uint256"), because
 * this text is what selectors and event topics hash: a non-canonical spelling
 * would silently hash to a different selector. A zero-field tuple "()" is
 * accepted only at the top level (a function without arguments). */
L2W_MUST_CHECK l2w_status l2w_abi_type_parse(l2w_abi_type **out, const char *text, l2w_err *err);
void l2w_abi_type_free(l2w_abi_type *t);
/* Canonical text of t (what l2w_abi_type_parse accepts). */
L2W_MUST_CHECK l2w_status l2w_abi_type_to_string(char **out, const l2w_abi_type *t);

/* Parses a function or event signature "name(T1,...,Tn)" (canonical types as
 * above) into its argument tuple type. */
L2W_MUST_CHECK l2w_status l2w_abi_signature_parse(l2w_abi_type **args, const char *signature, l2w_err *err);

/* A value. Which member is valid follows kind. */
typedef struct l2w_abi_value l2w_abi_value;
struct l2w_abi_value {
    l2w_abi_kind kind;
    union {
        l2w_u256 word;               /* UINT; INT as 256-bit two's complement (sign-extended) */
        bool boolean;                /* BOOL */
        l2w_addr addr;               /* ADDRESS */
        uint8_t fixed[32];           /* FIXED_BYTES: len bytes used, the rest zero */
        const uint8_t *data;         /* BYTES, STRING: len bytes, no NUL terminator, no encoding check */
        const l2w_abi_value *items;  /* ARRAY, FIXED_ARRAY, TUPLE: len items */
    };
    size_t len; /* FIXED_BYTES, BYTES, STRING: byte count; ARRAY, FIXED_ARRAY, TUPLE: item count */
};

/* Builders for caller-owned value trees (no allocation, cannot fail; the
 * encoder checks the tree against the type). */
static inline l2w_abi_value l2w_abi_val_uint(const l2w_u256 *v)
{
    l2w_abi_value r = {.kind = L2W_ABI_UINT, .word = *v};
    return r;
}

static inline l2w_abi_value l2w_abi_val_uint64(uint64_t v)
{
    l2w_abi_value r = {.kind = L2W_ABI_UINT, .word = l2w_u256_from_u64(v)};
    return r;
}

static inline l2w_abi_value l2w_abi_val_int64(int64_t v)
{
    uint64_t ext = v < 0 ? UINT64_MAX : 0;
    l2w_abi_value r = {.kind = L2W_ABI_INT, .word = {{(uint64_t)v, ext, ext, ext}}};
    return r;
}

/* v is the 256-bit two's complement of the intended signed value. */
static inline l2w_abi_value l2w_abi_val_int(const l2w_u256 *v)
{
    l2w_abi_value r = {.kind = L2W_ABI_INT, .word = *v};
    return r;
}

static inline l2w_abi_value l2w_abi_val_bool(bool v)
{
    l2w_abi_value r = {.kind = L2W_ABI_BOOL, .boolean = v};
    return r;
}

static inline l2w_abi_value l2w_abi_val_addr(const l2w_addr *a)
{
    l2w_abi_value r = {.kind = L2W_ABI_ADDRESS, .addr = *a};
    return r;
}

/* bytesN from n bytes; n above 32 is kept as the length (only 32 bytes are
 * copied) so that encoding reports the mismatch instead of truncating. */
static inline l2w_abi_value l2w_abi_val_fixed_bytes(const uint8_t *b, size_t n)
{
    l2w_abi_value r = {.kind = L2W_ABI_FIXED_BYTES, .len = n};
    if (n)
        memcpy(r.fixed, b, n < 32 ? n : 32);
    return r;
}

static inline l2w_abi_value l2w_abi_val_hash(const l2w_hash *h)
{
    return l2w_abi_val_fixed_bytes(h->b, sizeof h->b);
}

static inline l2w_abi_value l2w_abi_val_bytes(const uint8_t *data, size_t len)
{
    l2w_abi_value r = {.kind = L2W_ABI_BYTES, .data = data, .len = len};
    return r;
}

static inline l2w_abi_value l2w_abi_val_string(const char *s)
{
    l2w_abi_value r = {.kind = L2W_ABI_STRING, .data = (const uint8_t *)s, .len = strlen(s)};
    return r;
}

static inline l2w_abi_value l2w_abi_val_tuple(const l2w_abi_value *items, size_t n)
{
    l2w_abi_value r = {.kind = L2W_ABI_TUPLE, .items = items, .len = n};
    return r;
}

static inline l2w_abi_value l2w_abi_val_array(const l2w_abi_value *items, size_t n)
{
    l2w_abi_value r = {.kind = L2W_ABI_ARRAY, .items = items, .len = n};
    return r;
}

static inline l2w_abi_value l2w_abi_val_fixed_array(const l2w_abi_value *items, size_t n)
{
    l2w_abi_value r = {.kind = L2W_ABI_FIXED_ARRAY, .items = items, .len = n};
    return r;
}

/* Frees a tree returned by l2w_abi_decode or l2w_abi_value_parse; NULL is a no-op. */
void l2w_abi_value_free(l2w_abi_value *v);
/* Deep equality (kinds, lengths, contents). */
bool l2w_abi_value_eq(const l2w_abi_value *a, const l2w_abi_value *b);

/* enc(v) as the spec defines it, into a malloc'd buffer. For a tuple type this
 * is exactly the encoding of function arguments and of event data; a bare
 * dynamic type ("string") encodes without a leading offset, as the spec says,
 * so wrap it in a tuple ("(string)") to match calldata. Fails with
 * L2W_ERR_INVALID if v does not fit t (kind, length, value range). */
L2W_MUST_CHECK l2w_status l2w_abi_encode(uint8_t **out, size_t *out_len, const l2w_abi_type *t,
                                         const l2w_abi_value *v, l2w_err *err);

/* Decodes data as enc(t) (the inverse of l2w_abi_encode). Every offset and
 * length is checked against the input; words of address, bool, uintN, intN
 * and bytesN must be canonically padded (as Solidity's decoder requires);
 * trailing bytes after the encoding are ignored (calldata may carry them).
 * Errors are L2W_ERR_INVALID with the path, the problem and its byte offset. */
L2W_MUST_CHECK l2w_status l2w_abi_decode(l2w_abi_value **out, const l2w_abi_type *t, const uint8_t *data,
                                         size_t len, l2w_err *err);

/* keccak256(signature)[0..4] and keccak256(signature), after checking the
 * signature is canonical ("transfer(address,uint256)"). */
L2W_MUST_CHECK l2w_status l2w_abi_selector(uint8_t out[4], const char *signature, l2w_err *err);
L2W_MUST_CHECK l2w_status l2w_abi_event_topic(l2w_hash *out, const char *signature, l2w_err *err);

/* Calldata: selector of signature followed by the encoding of args, a tuple
 * value matching the signature's argument list. */
L2W_MUST_CHECK l2w_status l2w_abi_encode_call(uint8_t **out, size_t *out_len, const char *signature,
                                              const l2w_abi_value *args, l2w_err *err);

/* Values as text, in the argument syntax of `cast abi-encode`:
 *   uintN   decimal or 0x hex          intN   same, with an optional leading '-'
 *   bool    true | false               address 0x + 40 hex digits
 *   bytesN  0x + 2N hex digits         bytes  0x + an even number of hex digits
 *   string  "quoted" with escapes \" \\ \n \r \t \xHH, or bare text: at the
 *           top level the whole text, inside a list the text up to the next
 *           ',' ')' or ']' with surrounding spaces trimmed
 *   T[] / T[k]  [v1, v2]               tuple  (v1, v2)
 * Spaces are allowed around list items. */
L2W_MUST_CHECK l2w_status l2w_abi_value_parse(l2w_abi_value **out, const l2w_abi_type *t, const char *text,
                                              l2w_err *err);
/* The same syntax back (strings always quoted, integers decimal, hex in
 * lowercase), so that parse(format(v)) equals v. */
L2W_MUST_CHECK l2w_status l2w_abi_value_format(char **out, const l2w_abi_type *t, const l2w_abi_value *v,
                                               l2w_err *err);

#endif
