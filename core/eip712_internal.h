#ifndef L2W_CORE_EIP712_INTERNAL_H
#define L2W_CORE_EIP712_INTERNAL_H

/* Internal to the EIP-712 hasher (core/eip712*.c); the public API is
 * core/eth_sign.h. The hasher is split by job, one file each:
 *   eip712_types.c  the type graph: type texts, checking, encodeType, typeHash
 *   eip712_data.c   encodeData / hashStruct of values
 *   eip712.c        the walker's path and errors, the domain separator, the
 *                   entry points */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/abi.h"
#include "core/bytes.h"
#include "core/eth_sign.h"

/* The document's struct types, checked once; type hashes are computed on
 * first use and kept, since arrays of structs ask for the same ones often. */
typedef struct {
    size_t n;
    const char *names[L2W_EIP712_MAX_TYPES];
    const json_t *fields[L2W_EIP712_MAX_TYPES];
    unsigned char state[L2W_EIP712_MAX_TYPES]; /* 0 unvisited, 1 on the DFS path, 2 done */
    unsigned height[L2W_EIP712_MAX_TYPES];     /* nesting levels below and including the struct */
    bool hashed[L2W_EIP712_MAX_TYPES];
    l2w_hash type_hash[L2W_EIP712_MAX_TYPES];
} l2w_eip712_type_graph;

/* Walks the document carrying the JSON path of what it looks at, so every
 * error can say where. */
typedef struct {
    l2w_eip712_type_graph *g;
    char path[256];
    size_t path_len;
    l2w_err *err;
} l2w_eip712_walker;

/* ---- eip712.c */

/* Appends to the path; returns the mark to pop back to. */
size_t l2w_eip712_path_push(l2w_eip712_walker *w, const char *fmt, ...) L2W_PRINTF(2, 3);
void l2w_eip712_path_pop(l2w_eip712_walker *w, size_t mark);
/* Sets the error, naming the current path; returns st. */
l2w_status l2w_eip712_fail(l2w_eip712_walker *w, l2w_status st, const char *fmt, ...) L2W_PRINTF(3, 4);
/* An error from a lower layer (abi, hex), prefixed with where it happened. */
l2w_status l2w_eip712_pass(l2w_eip712_walker *w, l2w_status st);

/* ---- eip712_types.c */

/* If type[0..n) ends in an array suffix, *elem_len is the element type's
 * length and *dim the fixed length (0 for T[]); *is_array says which. */
L2W_MUST_CHECK l2w_status l2w_eip712_split_array(l2w_eip712_walker *w, const char *type, size_t n,
                                                 size_t *elem_len, size_t *dim, bool *is_array);
/* The index of the struct named name[0..n), or -1. */
int l2w_eip712_find_struct(const l2w_eip712_type_graph *g, const char *name, size_t n);
/* Parses an atomic type name; *out is the caller's to free. */
L2W_MUST_CHECK l2w_status l2w_eip712_parse_atomic(l2w_eip712_walker *w, const char *name, size_t n,
                                                  l2w_abi_type **out);
/* Field i of a checked struct's fields array. */
void l2w_eip712_field_at(const json_t *fields, size_t i, const char **name, const char **type);
/* Fills and checks w->g from the document's types. */
L2W_MUST_CHECK l2w_status l2w_eip712_load_types(l2w_eip712_walker *w, const json_t *types);

/* "Name(type1 name1,...)" for one struct. */
void l2w_eip712_put_struct_signature(l2w_bytes *out, const char *name, const json_t *fields);
/* Appends encodeType of struct idx to *out. */
L2W_MUST_CHECK l2w_status l2w_eip712_append_encode_type(l2w_eip712_walker *w, size_t idx, l2w_bytes *out);
/* typeHash of struct idx, cached in w->g. */
L2W_MUST_CHECK l2w_status l2w_eip712_type_hash(l2w_eip712_walker *w, size_t idx, l2w_hash *out);

/* ---- eip712_data.c */

/* hashStruct of value as the struct name with these fields and type hash
 * th; depth counts nesting levels so far. */
L2W_MUST_CHECK l2w_status l2w_eip712_hash_struct(l2w_eip712_walker *w, const char *name, const json_t *fields,
                                                 const l2w_hash *th, const json_t *value, unsigned depth,
                                                 uint8_t out[32]);

#endif
