/* EIP-712 encodeData / hashStruct: values checked against their declared
 * types and hashed word by word. */

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/eip712_internal.h"
#include "core/hex.h"
#include "core/keccak.h"

/* Values nest: arrays and structs hash their items through this. */
static l2w_status encode_value(l2w_eip712_walker *w, const char *type, size_t n, const json_t *v, unsigned depth,
                               uint8_t word[32]);

static l2w_status encode_array(l2w_eip712_walker *w, const char *type, size_t elem_len, size_t dim,
                               const json_t *v, unsigned depth, uint8_t word[32])
{
    if (!json_is_array(v))
        return l2w_eip712_fail(w, L2W_ERR_INVALID, "expected an array");
    if (dim && json_array_size(v) != dim)
        return l2w_eip712_fail(w, L2W_ERR_INVALID, "has %zu elements, expected %zu", json_array_size(v), dim);
    l2w_keccak_ctx ctx;
    l2w_keccak_init(&ctx);
    for (size_t i = 0; i < json_array_size(v); i++) {
        size_t mark = l2w_eip712_path_push(w, "[%zu]", i);
        uint8_t item[32];
        l2w_status st = encode_value(w, type, elem_len, json_array_get(v, i), depth + 1, item);
        if (st != L2W_OK)
            return st;
        l2w_keccak_update(&ctx, item, sizeof item);
        l2w_eip712_path_pop(w, mark);
    }
    l2w_keccak_final(&ctx, word);
    return L2W_OK;
}

static l2w_status hash_hex_bytes(l2w_eip712_walker *w, const json_t *v, uint8_t word[32])
{
    const char *s = json_string_value(v);
    if (!s || strncmp(s, "0x", 2) != 0)
        return l2w_eip712_fail(w, L2W_ERR_INVALID, "expected 0x-prefixed hex bytes");
    size_t n = json_string_length(v), cap = n / 2, len;
    uint8_t *buf = malloc(cap ? cap : 1);
    if (!buf)
        return l2w_eip712_fail(w, L2W_ERR_NOMEM, "out of memory decoding bytes");
    l2w_status st = l2w_hex_decode(buf, cap, &len, s, n);
    if (st == L2W_OK)
        l2w_keccak256(word, buf, len);
    free(buf);
    return st == L2W_OK ? L2W_OK : l2w_eip712_fail(w, st, "not valid hex bytes");
}

/* uintN, intN, address, bytesN through the ABI value parser, which checks
 * range and length, then the ABI encoder, which pads them into one word. */
static l2w_status encode_word(l2w_eip712_walker *w, const l2w_abi_type *t, const json_t *v, uint8_t word[32])
{
    char number[32];
    const char *text = json_string_value(v);
    bool integral = t->kind == L2W_ABI_UINT || t->kind == L2W_ABI_INT;
    if (integral && json_is_integer(v)) {
        snprintf(number, sizeof number, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        text = number;
    }
    if (!text)
        return l2w_eip712_fail(w, L2W_ERR_INVALID, integral ? "expected an integer or a string" : "expected a string");
    l2w_abi_value *parsed = NULL;
    uint8_t *enc = NULL;
    size_t len = 0;
    l2w_status st = l2w_abi_value_parse(&parsed, t, text, w->err);
    if (st == L2W_OK)
        st = l2w_abi_encode(&enc, &len, t, parsed, w->err);
    if (st == L2W_OK && len != 32)
        st = l2w_eip712_fail(w, L2W_ERR_INVALID, "encodes to %zu bytes, not one word", len);
    else if (st != L2W_OK)
        st = l2w_eip712_pass(w, st);
    else
        memcpy(word, enc, 32);
    free(enc);
    l2w_abi_value_free(parsed);
    return st;
}

static l2w_status encode_atomic(l2w_eip712_walker *w, const l2w_abi_type *t, const json_t *v, uint8_t word[32])
{
    switch (t->kind) {
    case L2W_ABI_BOOL:
        if (!json_is_boolean(v))
            return l2w_eip712_fail(w, L2W_ERR_INVALID, "expected true or false");
        memset(word, 0, 32);
        word[31] = json_is_true(v);
        return L2W_OK;
    case L2W_ABI_STRING:
        if (!json_is_string(v))
            return l2w_eip712_fail(w, L2W_ERR_INVALID, "expected a string");
        l2w_keccak256(word, (const uint8_t *)json_string_value(v), json_string_length(v));
        return L2W_OK;
    case L2W_ABI_BYTES:
        return hash_hex_bytes(w, v, word);
    case L2W_ABI_UINT:
    case L2W_ABI_INT:
    case L2W_ABI_ADDRESS:
    case L2W_ABI_FIXED_BYTES:
        return encode_word(w, t, v, word);
    case L2W_ABI_ARRAY:
    case L2W_ABI_FIXED_ARRAY:
    case L2W_ABI_TUPLE:
        break;
    }
    return l2w_eip712_fail(w, L2W_ERR_INVALID, "not an atomic type");
}

/* The 32-byte encodeData item of one value of type[0..n). */
static l2w_status encode_value(l2w_eip712_walker *w, const char *type, size_t n, const json_t *v, unsigned depth,
                               uint8_t word[32])
{
    if (depth > 2 * L2W_EIP712_MAX_DEPTH)
        return l2w_eip712_fail(w, L2W_ERR_RANGE, "nested too deep");
    size_t elem_len = 0, dim = 0;
    bool is_array;
    l2w_status st = l2w_eip712_split_array(w, type, n, &elem_len, &dim, &is_array);
    if (st != L2W_OK)
        return st;
    if (is_array)
        return encode_array(w, type, elem_len, dim, v, depth, word);
    int idx = l2w_eip712_find_struct(w->g, type, n);
    if (idx >= 0) {
        l2w_hash th;
        if ((st = l2w_eip712_type_hash(w, (size_t)idx, &th)) != L2W_OK)
            return st;
        return l2w_eip712_hash_struct(w, w->g->names[idx], w->g->fields[idx], &th, v, depth + 1, word);
    }
    l2w_abi_type *t;
    if ((st = l2w_eip712_parse_atomic(w, type, n, &t)) != L2W_OK)
        return st;
    st = encode_atomic(w, t, v, word);
    l2w_abi_type_free(t);
    return st;
}

static bool has_field(const json_t *fields, const char *key)
{
    for (size_t i = 0; i < json_array_size(fields); i++) {
        const char *fname, *ftype;
        l2w_eip712_field_at(fields, i, &fname, &ftype);
        if (strcmp(fname, key) == 0)
            return true;
    }
    return false;
}

/* Refuses keys the type does not declare: they would look signed but not be. */
static l2w_status check_no_extra_keys(l2w_eip712_walker *w, const char *name, const json_t *fields, const json_t *value)
{
    const char *key;
    const json_t *ignored;
    json_object_foreach((json_t *)value, key, ignored) {
        if (!has_field(fields, key)) {
            l2w_eip712_path_push(w, ".%s", key);
            return l2w_eip712_fail(w, L2W_ERR_INVALID, "is not a field of %s", name);
        }
    }
    return L2W_OK;
}

l2w_status l2w_eip712_hash_struct(l2w_eip712_walker *w, const char *name, const json_t *fields,
                                  const l2w_hash *th, const json_t *value, unsigned depth, uint8_t out[32])
{
    if (!json_is_object(value))
        return l2w_eip712_fail(w, L2W_ERR_INVALID, "expected an object (struct %s)", name);
    l2w_status st = check_no_extra_keys(w, name, fields, value);
    if (st != L2W_OK)
        return st;
    l2w_keccak_ctx ctx;
    l2w_keccak_init(&ctx);
    l2w_keccak_update(&ctx, th->b, sizeof th->b);
    for (size_t i = 0; i < json_array_size(fields); i++) {
        const char *fname, *ftype;
        l2w_eip712_field_at(fields, i, &fname, &ftype);
        size_t mark = l2w_eip712_path_push(w, ".%s", fname);
        const json_t *v = json_object_get(value, fname);
        if (!v)
            return l2w_eip712_fail(w, L2W_ERR_INVALID, "missing (a field of %s)", name);
        uint8_t word[32];
        if ((st = encode_value(w, ftype, strlen(ftype), v, depth, word)) != L2W_OK)
            return st;
        l2w_keccak_update(&ctx, word, sizeof word);
        l2w_eip712_path_pop(w, mark);
    }
    l2w_keccak_final(&ctx, out);
    return L2W_OK;
}
