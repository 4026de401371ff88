#include "core/eth_sign.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/abi.h"
#include "core/bytes.h"
#include "core/hex.h"
#include "core/json.h"
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

/* ------------------------------------------------------------ EIP-712 state */

#define DOMAIN_TYPE "EIP712Domain"

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
} type_graph;

/* Walks the document carrying the JSON path of what it looks at, so every
 * error can say where. */
typedef struct {
    type_graph *g;
    char path[256];
    size_t path_len;
    l2w_err *err;
} walker;

static size_t path_push(walker *w, const char *fmt, ...) L2W_PRINTF(2, 3);

static size_t path_push(walker *w, const char *fmt, ...)
{
    size_t mark = w->path_len;
    size_t room = sizeof w->path - w->path_len;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(w->path + w->path_len, room, fmt, ap);
    va_end(ap);
    /* A path too long for the buffer is kept truncated: still useful. */
    if (n > 0)
        w->path_len += (size_t)n < room ? (size_t)n : room - 1;
    return mark;
}

static void path_pop(walker *w, size_t mark)
{
    w->path_len = mark;
    w->path[mark] = '\0';
}

static l2w_status fail(walker *w, l2w_status st, const char *fmt, ...) L2W_PRINTF(3, 4);

static l2w_status fail(walker *w, l2w_status st, const char *fmt, ...)
{
    char msg[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    l2w_err_set(w->err, "eip712: %s: %s", w->path, msg);
    return st;
}

/* An error from a lower layer (abi, hex), prefixed with where it happened. */
static l2w_status pass(walker *w, l2w_status st)
{
    l2w_err_prefix(w->err, "eip712: %s", w->path);
    return st;
}

/* ------------------------------------------------------------ type texts */

static bool is_identifier(const char *s)
{
    if (!s[0] || (s[0] >= '0' && s[0] <= '9'))
        return false;
    for (; *s; s++) {
        char c = *s;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$';
        if (!ok)
            return false;
    }
    return true;
}

/* If type[0..n) ends in an array suffix, *elem_len is the element type's
 * length and *dim the fixed length (0 for T[]); *is_array says which. */
static l2w_status split_array(walker *w, const char *type, size_t n, size_t *elem_len, size_t *dim, bool *is_array)
{
    *is_array = n > 0 && type[n - 1] == ']';
    if (!*is_array)
        return L2W_OK;
    size_t open = n - 1;
    while (open > 0 && type[open - 1] != '[')
        open--;
    if (open == 0)
        return fail(w, L2W_ERR_INVALID, "\"%.*s\" has a ']' without '['", (int)n, type);
    *elem_len = open - 1;
    *dim = 0;
    const char *d = type + open;
    size_t digits = n - 1 - open;
    if (digits > 0 && (d[0] == '0' || digits > 9))
        return fail(w, L2W_ERR_INVALID, "array length in \"%.*s\" must be 1..999999999 without leading zeros",
                    (int)n, type);
    for (size_t i = 0; i < digits; i++) {
        if (d[i] < '0' || d[i] > '9')
            return fail(w, L2W_ERR_INVALID, "array length in \"%.*s\" is not a number", (int)n, type);
        *dim = *dim * 10 + (size_t)(d[i] - '0');
    }
    if (*elem_len == 0)
        return fail(w, L2W_ERR_INVALID, "array type \"%.*s\" has no element type", (int)n, type);
    return L2W_OK;
}

static int find_struct(const type_graph *g, const char *name, size_t n)
{
    for (size_t i = 0; i < g->n; i++)
        if (strncmp(g->names[i], name, n) == 0 && g->names[i][n] == '\0')
            return (int)i;
    return -1;
}

/* Parses an atomic type name with the ABI parser; tuples are not atomic. */
static l2w_status parse_atomic(walker *w, const char *name, size_t n, l2w_abi_type **out)
{
    char text[64];
    l2w_err ignored;
    *out = NULL;
    if (n < sizeof text) {
        memcpy(text, name, n);
        text[n] = '\0';
        if (l2w_abi_type_parse(out, text, &ignored) == L2W_OK && (*out)->kind != L2W_ABI_TUPLE)
            return L2W_OK;
        l2w_abi_type_free(*out);
        *out = NULL;
    }
    return fail(w, L2W_ERR_INVALID, "unknown type \"%.*s\" (neither a struct in types nor an atomic type)",
                (int)(n > 80 ? 80 : n), name);
}

/* A field type's array depth and base: a struct index, or -1 for atomic. */
typedef struct {
    unsigned dims;
    int struct_idx;
} type_shape;

static l2w_status shape_of(walker *w, const char *type, type_shape *out)
{
    size_t n = strlen(type), dim;
    bool is_array = true;
    out->dims = 0;
    while (is_array) {
        size_t elem = 0;
        l2w_status st = split_array(w, type, n, &elem, &dim, &is_array);
        if (st != L2W_OK)
            return st;
        if (is_array) {
            n = elem;
            out->dims++;
        }
    }
    out->struct_idx = find_struct(w->g, type, n);
    if (out->struct_idx >= 0)
        return L2W_OK;
    l2w_abi_type *atomic;
    l2w_status st = parse_atomic(w, type, n, &atomic);
    l2w_abi_type_free(atomic);
    return st;
}

/* ------------------------------------------------------------ checking types */

static void field_at(const json_t *fields, size_t i, const char **name, const char **type)
{
    const json_t *f = json_array_get(fields, i);
    *name = json_string_value(json_object_get(f, "name"));
    *type = json_string_value(json_object_get(f, "type"));
}

static l2w_status check_field(walker *w, const json_t *fields, size_t i)
{
    const json_t *f = json_array_get(fields, i);
    const json_t *name = json_object_get(f, "name"), *type = json_object_get(f, "type");
    if (!json_is_object(f) || !json_is_string(name) || !json_is_string(type))
        return fail(w, L2W_ERR_INVALID, "expected {\"name\": string, \"type\": string}");
    if (!is_identifier(json_string_value(name)))
        return fail(w, L2W_ERR_INVALID, "field name \"%.80s\" is not an identifier", json_string_value(name));
    for (size_t j = 0; j < i; j++) {
        const char *other, *ignored;
        field_at(fields, j, &other, &ignored);
        if (strcmp(other, json_string_value(name)) == 0)
            return fail(w, L2W_ERR_INVALID, "field name \"%s\" appears twice", other);
    }
    type_shape shape;
    return shape_of(w, json_string_value(type), &shape);
}

static l2w_status check_struct(walker *w, size_t idx)
{
    const char *name = w->g->names[idx];
    const json_t *fields = w->g->fields[idx];
    if (!is_identifier(name))
        return fail(w, L2W_ERR_INVALID, "type name is not an identifier");
    l2w_abi_type *atomic;
    l2w_err ignored;
    if (l2w_abi_type_parse(&atomic, name, &ignored) == L2W_OK) {
        l2w_abi_type_free(atomic);
        return fail(w, L2W_ERR_INVALID, "\"%s\" is an atomic type and cannot name a struct", name);
    }
    if (!json_is_array(fields))
        return fail(w, L2W_ERR_INVALID, "expected an array of fields");
    for (size_t i = 0; i < json_array_size(fields); i++) {
        size_t mark = path_push(w, "[%zu]", i);
        l2w_status st = check_field(w, fields, i);
        if (st != L2W_OK)
            return st;
        path_pop(w, mark);
    }
    return L2W_OK;
}

/* Depth-first over struct references: finds cycles and measures nesting
 * (each struct and each array level is one level). */
static l2w_status visit(walker *w, size_t idx, unsigned depth)
{
    type_graph *g = w->g;
    g->state[idx] = 1;
    for (size_t i = 0; i < json_array_size(g->fields[idx]); i++) {
        const char *fname, *ftype;
        field_at(g->fields[idx], i, &fname, &ftype);
        type_shape shape;
        l2w_status st = shape_of(w, ftype, &shape);
        if (st != L2W_OK)
            return st;
        unsigned below = 1;
        if (shape.struct_idx >= 0) {
            size_t j = (size_t)shape.struct_idx;
            if (g->state[j] == 1)
                return fail(w, L2W_ERR_INVALID, "struct %s reaches itself through field %s.%s (cyclic types)",
                            g->names[j], g->names[idx], fname);
            if (g->state[j] == 0 && (st = visit(w, j, depth + 1)) != L2W_OK)
                return st;
            below = g->height[j];
        }
        if (g->height[idx] < 1 + shape.dims + below)
            g->height[idx] = 1 + shape.dims + below;
        if (g->height[idx] > L2W_EIP712_MAX_DEPTH || depth > L2W_EIP712_MAX_DEPTH)
            return fail(w, L2W_ERR_RANGE, "struct %s nests deeper than %d levels", g->names[idx],
                        L2W_EIP712_MAX_DEPTH);
    }
    g->state[idx] = 2;
    return L2W_OK;
}

static l2w_status load_types(walker *w, const json_t *types)
{
    size_t mark = path_push(w, "types");
    if (!json_is_object(types))
        return fail(w, L2W_ERR_INVALID, "expected an object");
    if (json_object_size(types) > L2W_EIP712_MAX_TYPES)
        return fail(w, L2W_ERR_RANGE, "more than %d types", L2W_EIP712_MAX_TYPES);
    const char *name;
    const json_t *fields;
    json_object_foreach((json_t *)types, name, fields) {
        w->g->names[w->g->n] = name;
        w->g->fields[w->g->n] = fields;
        w->g->n++;
    }
    for (size_t i = 0; i < w->g->n; i++) {
        size_t inner = path_push(w, ".%s", w->g->names[i]);
        l2w_status st = check_struct(w, i);
        if (st != L2W_OK)
            return st;
        path_pop(w, inner);
    }
    for (size_t i = 0; i < w->g->n; i++) {
        l2w_status st = w->g->state[i] ? L2W_OK : visit(w, i, 1);
        if (st != L2W_OK)
            return st;
    }
    path_pop(w, mark);
    return L2W_OK;
}

/* ------------------------------------------------------------ encodeType */

static void put_struct_signature(l2w_bytes *out, const char *name, const json_t *fields)
{
    l2w_bytes_append(out, (const uint8_t *)name, strlen(name));
    l2w_bytes_append_byte(out, '(');
    for (size_t i = 0; i < json_array_size(fields); i++) {
        const char *fname, *ftype;
        field_at(fields, i, &fname, &ftype);
        if (i)
            l2w_bytes_append_byte(out, ',');
        l2w_bytes_append(out, (const uint8_t *)ftype, strlen(ftype));
        l2w_bytes_append_byte(out, ' ');
        l2w_bytes_append(out, (const uint8_t *)fname, strlen(fname));
    }
    l2w_bytes_append_byte(out, ')');
}

static l2w_status mark_deps(walker *w, size_t idx, bool *used)
{
    const json_t *fields = w->g->fields[idx];
    for (size_t i = 0; i < json_array_size(fields); i++) {
        const char *fname, *ftype;
        field_at(fields, i, &fname, &ftype);
        type_shape shape;
        l2w_status st = shape_of(w, ftype, &shape);
        if (st != L2W_OK)
            return st;
        if (shape.struct_idx >= 0 && !used[shape.struct_idx]) {
            used[shape.struct_idx] = true;
            if ((st = mark_deps(w, (size_t)shape.struct_idx, used)) != L2W_OK)
                return st;
        }
    }
    return L2W_OK;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* encodeType(primary): the primary's signature, then its dependencies
 * sorted by name (plain byte order, as the EIP's reference does). */
static l2w_status encode_type(walker *w, size_t idx, l2w_bytes *out)
{
    bool used[L2W_EIP712_MAX_TYPES] = {false};
    l2w_status st = mark_deps(w, idx, used);
    if (st != L2W_OK)
        return st;
    const char *deps[L2W_EIP712_MAX_TYPES];
    size_t n = 0;
    for (size_t i = 0; i < w->g->n; i++)
        if (used[i] && i != idx)
            deps[n++] = w->g->names[i];
    qsort(deps, n, sizeof deps[0], by_name);
    put_struct_signature(out, w->g->names[idx], w->g->fields[idx]);
    for (size_t i = 0; i < n; i++) {
        int j = find_struct(w->g, deps[i], strlen(deps[i]));
        put_struct_signature(out, deps[i], w->g->fields[j]);
    }
    if (l2w_bytes_status(out) != L2W_OK)
        return fail(w, L2W_ERR_NOMEM, "out of memory building encodeType");
    return L2W_OK;
}

static l2w_status type_hash(walker *w, size_t idx, l2w_hash *out)
{
    type_graph *g = w->g;
    if (!g->hashed[idx]) {
        l2w_bytes text = L2W_BYTES_INIT;
        l2w_status st = encode_type(w, idx, &text);
        if (st == L2W_OK)
            l2w_keccak256_hash(&g->type_hash[idx], text.data, text.len);
        l2w_bytes_free(&text);
        if (st != L2W_OK)
            return st;
        g->hashed[idx] = true;
    }
    *out = g->type_hash[idx];
    return L2W_OK;
}

/* ------------------------------------------------------------ encodeData */

static l2w_status hash_struct(walker *w, const char *name, const json_t *fields, const l2w_hash *th,
                              const json_t *value, unsigned depth, uint8_t out[32]);
static l2w_status encode_value(walker *w, const char *type, size_t n, const json_t *v, unsigned depth,
                               uint8_t word[32]);

static l2w_status encode_array(walker *w, const char *type, size_t elem_len, size_t dim, const json_t *v,
                               unsigned depth, uint8_t word[32])
{
    if (!json_is_array(v))
        return fail(w, L2W_ERR_INVALID, "expected an array");
    if (dim && json_array_size(v) != dim)
        return fail(w, L2W_ERR_INVALID, "has %zu elements, expected %zu", json_array_size(v), dim);
    l2w_keccak_ctx ctx;
    l2w_keccak_init(&ctx);
    for (size_t i = 0; i < json_array_size(v); i++) {
        size_t mark = path_push(w, "[%zu]", i);
        uint8_t item[32];
        l2w_status st = encode_value(w, type, elem_len, json_array_get(v, i), depth + 1, item);
        if (st != L2W_OK)
            return st;
        l2w_keccak_update(&ctx, item, sizeof item);
        path_pop(w, mark);
    }
    l2w_keccak_final(&ctx, word);
    return L2W_OK;
}

static l2w_status hash_hex_bytes(walker *w, const json_t *v, uint8_t word[32])
{
    const char *s = json_string_value(v);
    if (!s || strncmp(s, "0x", 2) != 0)
        return fail(w, L2W_ERR_INVALID, "expected 0x-prefixed hex bytes");
    size_t n = json_string_length(v), cap = n / 2, len;
    uint8_t *buf = malloc(cap ? cap : 1);
    if (!buf)
        return fail(w, L2W_ERR_NOMEM, "out of memory decoding bytes");
    l2w_status st = l2w_hex_decode(buf, cap, &len, s, n);
    if (st == L2W_OK)
        l2w_keccak256(word, buf, len);
    free(buf);
    return st == L2W_OK ? L2W_OK : fail(w, st, "not valid hex bytes");
}

/* uintN, intN, address, bytesN through the ABI value parser, which checks
 * range and length, then the ABI encoder, which pads them into one word. */
static l2w_status encode_word(walker *w, const l2w_abi_type *t, const json_t *v, uint8_t word[32])
{
    char number[32];
    const char *text = json_string_value(v);
    bool integral = t->kind == L2W_ABI_UINT || t->kind == L2W_ABI_INT;
    if (integral && json_is_integer(v)) {
        snprintf(number, sizeof number, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        text = number;
    }
    if (!text)
        return fail(w, L2W_ERR_INVALID, integral ? "expected an integer or a string" : "expected a string");
    l2w_abi_value *parsed = NULL;
    uint8_t *enc = NULL;
    size_t len = 0;
    l2w_status st = l2w_abi_value_parse(&parsed, t, text, w->err);
    if (st == L2W_OK)
        st = l2w_abi_encode(&enc, &len, t, parsed, w->err);
    if (st == L2W_OK && len != 32)
        st = fail(w, L2W_ERR_INVALID, "encodes to %zu bytes, not one word", len);
    else if (st != L2W_OK)
        st = pass(w, st);
    else
        memcpy(word, enc, 32);
    free(enc);
    l2w_abi_value_free(parsed);
    return st;
}

static l2w_status encode_atomic(walker *w, const l2w_abi_type *t, const json_t *v, uint8_t word[32])
{
    switch (t->kind) {
    case L2W_ABI_BOOL:
        if (!json_is_boolean(v))
            return fail(w, L2W_ERR_INVALID, "expected true or false");
        memset(word, 0, 32);
        word[31] = json_is_true(v);
        return L2W_OK;
    case L2W_ABI_STRING:
        if (!json_is_string(v))
            return fail(w, L2W_ERR_INVALID, "expected a string");
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
    return fail(w, L2W_ERR_INVALID, "not an atomic type");
}

/* The 32-byte encodeData item of one value of type[0..n). */
static l2w_status encode_value(walker *w, const char *type, size_t n, const json_t *v, unsigned depth,
                               uint8_t word[32])
{
    if (depth > 2 * L2W_EIP712_MAX_DEPTH)
        return fail(w, L2W_ERR_RANGE, "nested too deep");
    size_t elem_len = 0, dim = 0;
    bool is_array;
    l2w_status st = split_array(w, type, n, &elem_len, &dim, &is_array);
    if (st != L2W_OK)
        return st;
    if (is_array)
        return encode_array(w, type, elem_len, dim, v, depth, word);
    int idx = find_struct(w->g, type, n);
    if (idx >= 0) {
        l2w_hash th;
        if ((st = type_hash(w, (size_t)idx, &th)) != L2W_OK)
            return st;
        return hash_struct(w, w->g->names[idx], w->g->fields[idx], &th, v, depth + 1, word);
    }
    l2w_abi_type *t;
    if ((st = parse_atomic(w, type, n, &t)) != L2W_OK)
        return st;
    st = encode_atomic(w, t, v, word);
    l2w_abi_type_free(t);
    return st;
}

static bool has_field(const json_t *fields, const char *key)
{
    for (size_t i = 0; i < json_array_size(fields); i++) {
        const char *fname, *ftype;
        field_at(fields, i, &fname, &ftype);
        if (strcmp(fname, key) == 0)
            return true;
    }
    return false;
}

/* Refuses keys the type does not declare: they would look signed but not be. */
static l2w_status check_no_extra_keys(walker *w, const char *name, const json_t *fields, const json_t *value)
{
    const char *key;
    const json_t *ignored;
    json_object_foreach((json_t *)value, key, ignored) {
        if (!has_field(fields, key)) {
            path_push(w, ".%s", key);
            return fail(w, L2W_ERR_INVALID, "is not a field of %s", name);
        }
    }
    return L2W_OK;
}

static l2w_status hash_struct(walker *w, const char *name, const json_t *fields, const l2w_hash *th,
                              const json_t *value, unsigned depth, uint8_t out[32])
{
    if (!json_is_object(value))
        return fail(w, L2W_ERR_INVALID, "expected an object (struct %s)", name);
    l2w_status st = check_no_extra_keys(w, name, fields, value);
    if (st != L2W_OK)
        return st;
    l2w_keccak_ctx ctx;
    l2w_keccak_init(&ctx);
    l2w_keccak_update(&ctx, th->b, sizeof th->b);
    for (size_t i = 0; i < json_array_size(fields); i++) {
        const char *fname, *ftype;
        field_at(fields, i, &fname, &ftype);
        size_t mark = path_push(w, ".%s", fname);
        const json_t *v = json_object_get(value, fname);
        if (!v)
            return fail(w, L2W_ERR_INVALID, "missing (a field of %s)", name);
        uint8_t word[32];
        if ((st = encode_value(w, ftype, strlen(ftype), v, depth, word)) != L2W_OK)
            return st;
        l2w_keccak_update(&ctx, word, sizeof word);
        path_pop(w, mark);
    }
    l2w_keccak_final(&ctx, out);
    return L2W_OK;
}

/* ------------------------------------------------------------ the domain */

/* The EIP's domain fields in its order, for documents that do not declare
 * EIP712Domain themselves. */
static const struct {
    const char *name;
    const char *type;
} domain_fields[] = {
    {"name", "string"},
    {"version", "string"},
    {"chainId", "uint256"},
    {"verifyingContract", "address"},
    {"salt", "bytes32"},
};

static l2w_status implied_domain_fields(walker *w, const json_t *domain, json_t **out)
{
    const char *key;
    const json_t *ignored;
    json_object_foreach((json_t *)domain, key, ignored) {
        bool known = false;
        for (size_t i = 0; i < sizeof domain_fields / sizeof domain_fields[0]; i++)
            known = known || strcmp(key, domain_fields[i].name) == 0;
        if (!known) {
            path_push(w, ".%s", key);
            return fail(w, L2W_ERR_INVALID, "is not an EIP712Domain field (declare types.EIP712Domain to use it)");
        }
    }
    json_t *fields = json_array();
    for (size_t i = 0; fields && i < sizeof domain_fields / sizeof domain_fields[0]; i++) {
        if (!json_object_get(domain, domain_fields[i].name))
            continue;
        json_t *f = json_pack("{s:s,s:s}", "name", domain_fields[i].name, "type", domain_fields[i].type);
        if (!f || json_array_append_new(fields, f) != 0) {
            json_decref(fields);
            fields = NULL;
        }
    }
    if (!fields)
        return fail(w, L2W_ERR_NOMEM, "out of memory");
    *out = fields;
    return L2W_OK;
}

static l2w_status implied_domain_separator(walker *w, const json_t *domain, l2w_hash *out)
{
    json_t *fields;
    l2w_status st = implied_domain_fields(w, domain, &fields);
    if (st != L2W_OK)
        return st;
    l2w_bytes text = L2W_BYTES_INIT;
    put_struct_signature(&text, DOMAIN_TYPE, fields);
    if (l2w_bytes_status(&text) != L2W_OK) {
        st = fail(w, L2W_ERR_NOMEM, "out of memory");
    } else {
        l2w_hash th;
        l2w_keccak256_hash(&th, text.data, text.len);
        st = hash_struct(w, DOMAIN_TYPE, fields, &th, domain, 1, out->b);
    }
    l2w_bytes_free(&text);
    json_decref(fields);
    return st;
}

static l2w_status domain_separator(walker *w, const json_t *domain, l2w_hash *out)
{
    size_t mark = path_push(w, "domain");
    if (!json_is_object(domain))
        return fail(w, L2W_ERR_INVALID, "expected an object");
    int idx = find_struct(w->g, DOMAIN_TYPE, strlen(DOMAIN_TYPE));
    l2w_status st;
    if (idx < 0) {
        st = implied_domain_separator(w, domain, out);
    } else {
        l2w_hash th;
        st = type_hash(w, (size_t)idx, &th);
        if (st == L2W_OK)
            st = hash_struct(w, DOMAIN_TYPE, w->g->fields[idx], &th, domain, 1, out->b);
    }
    if (st == L2W_OK)
        path_pop(w, mark);
    return st;
}

/* ------------------------------------------------------------ entry points */

static l2w_status new_walker(walker *w, l2w_err *err)
{
    memset(w, 0, sizeof *w);
    w->err = err;
    w->g = calloc(1, sizeof *w->g);
    if (!w->g) {
        l2w_err_set(err, "eip712: out of memory");
        return L2W_ERR_NOMEM;
    }
    return L2W_OK;
}

static l2w_status primary_index(walker *w, const json_t *doc, size_t *idx)
{
    size_t mark = path_push(w, "primaryType");
    const json_t *p = json_object_get(doc, "primaryType");
    if (!json_is_string(p))
        return fail(w, L2W_ERR_INVALID, "missing or not a string");
    int i = find_struct(w->g, json_string_value(p), json_string_length(p));
    if (i < 0)
        return fail(w, L2W_ERR_INVALID, "\"%.80s\" is not defined in types", json_string_value(p));
    path_pop(w, mark);
    *idx = (size_t)i;
    return L2W_OK;
}

static l2w_status message_hash(walker *w, const json_t *doc, size_t primary, l2w_hash *out)
{
    size_t mark = path_push(w, "message");
    const json_t *message = json_object_get(doc, "message");
    if (!message)
        return fail(w, L2W_ERR_INVALID, "missing");
    l2w_hash th;
    l2w_status st = type_hash(w, primary, &th);
    if (st == L2W_OK)
        st = hash_struct(w, w->g->names[primary], w->g->fields[primary], &th, message, 1, out->b);
    if (st == L2W_OK)
        path_pop(w, mark);
    return st;
}

static l2w_status hash_document(walker *w, l2w_eip712_hashes *out, const json_t *doc)
{
    if (!json_is_object(doc))
        return fail(w, L2W_ERR_INVALID, "the document must be a JSON object");
    size_t primary = 0;
    l2w_status st = load_types(w, json_object_get(doc, "types"));
    if (st == L2W_OK)
        st = primary_index(w, doc, &primary);
    if (st == L2W_OK)
        st = domain_separator(w, json_object_get(doc, "domain"), &out->domain_separator);
    bool has_message = st == L2W_OK && strcmp(w->g->names[primary], DOMAIN_TYPE) != 0;
    if (has_message)
        st = message_hash(w, doc, primary, &out->message_hash);
    if (st != L2W_OK)
        return st;
    l2w_keccak_ctx ctx;
    l2w_keccak_init(&ctx);
    l2w_keccak_update(&ctx, (const uint8_t *)"\x19\x01", 2);
    l2w_keccak_update(&ctx, out->domain_separator.b, 32);
    if (has_message)
        l2w_keccak_update(&ctx, out->message_hash.b, 32);
    l2w_keccak_final(&ctx, out->digest.b);
    return L2W_OK;
}

l2w_status l2w_eip712_hash(l2w_eip712_hashes *out, const json_t *doc, l2w_err *err)
{
    memset(out, 0, sizeof *out);
    walker w;
    l2w_status st = new_walker(&w, err);
    if (st != L2W_OK)
        return st;
    st = hash_document(&w, out, doc);
    free(w.g);
    return st;
}

l2w_status l2w_eip712_hash_text(l2w_eip712_hashes *out, const char *text, size_t len, l2w_err *err)
{
    json_t *doc;
    l2w_status st = l2w_json_parse(&doc, text, len, err);
    if (st != L2W_OK) {
        l2w_err_prefix(err, "eip712");
        return L2W_ERR_INVALID;
    }
    st = l2w_eip712_hash(out, doc, err);
    json_decref(doc);
    return st;
}

l2w_status l2w_eip712_encode_type(char **out, const json_t *types, const char *primary, l2w_err *err)
{
    *out = NULL;
    walker w;
    l2w_status st = new_walker(&w, err);
    if (st != L2W_OK)
        return st;
    l2w_bytes text = L2W_BYTES_INIT;
    st = load_types(&w, types);
    int idx = st == L2W_OK ? find_struct(w.g, primary, strlen(primary)) : -1;
    if (st == L2W_OK && idx < 0)
        st = fail(&w, L2W_ERR_INVALID, "\"%.80s\" is not defined in types", primary);
    if (st == L2W_OK)
        st = encode_type(&w, (size_t)idx, &text);
    l2w_bytes_append_byte(&text, '\0');
    if (st == L2W_OK && l2w_bytes_status(&text) != L2W_OK)
        st = fail(&w, L2W_ERR_NOMEM, "out of memory");
    if (st == L2W_OK) {
        *out = (char *)text.data;
        text.data = NULL;
    }
    l2w_bytes_free(&text);
    free(w.g);
    return st;
}
