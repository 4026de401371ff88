/* EIP-712 type graph: a document's types parsed and checked once (names,
 * fields, references, cycles, depth), then encodeType and typeHash. */

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/eip712_internal.h"
#include "core/keccak.h"

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

l2w_status l2w_eip712_split_array(l2w_eip712_walker *w, const char *type, size_t n, size_t *elem_len, size_t *dim,
                                  bool *is_array)
{
    *is_array = n > 0 && type[n - 1] == ']';
    if (!*is_array)
        return L2W_OK;
    size_t open = n - 1;
    while (open > 0 && type[open - 1] != '[')
        open--;
    if (open == 0)
        return l2w_eip712_fail(w, L2W_ERR_INVALID, "\"%.*s\" has a ']' without '['", (int)n, type);
    *elem_len = open - 1;
    *dim = 0;
    const char *d = type + open;
    size_t digits = n - 1 - open;
    if (digits > 0 && (d[0] == '0' || digits > 9))
        return l2w_eip712_fail(w, L2W_ERR_INVALID,
                               "array length in \"%.*s\" must be 1..999999999 without leading zeros", (int)n, type);
    for (size_t i = 0; i < digits; i++) {
        if (d[i] < '0' || d[i] > '9')
            return l2w_eip712_fail(w, L2W_ERR_INVALID, "array length in \"%.*s\" is not a number", (int)n,
                                   type);
        *dim = *dim * 10 + (size_t)(d[i] - '0');
    }
    if (*elem_len == 0)
        return l2w_eip712_fail(w, L2W_ERR_INVALID, "array type \"%.*s\" has no element type", (int)n, type);
    return L2W_OK;
}

int l2w_eip712_find_struct(const l2w_eip712_type_graph *g, const char *name, size_t n)
{
    for (size_t i = 0; i < g->n; i++)
        if (strncmp(g->names[i], name, n) == 0 && g->names[i][n] == '\0')
            return (int)i;
    return -1;
}

/* Parses an atomic type name with the ABI parser; tuples are not atomic. */
l2w_status l2w_eip712_parse_atomic(l2w_eip712_walker *w, const char *name, size_t n, l2w_abi_type **out)
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
    return l2w_eip712_fail(w, L2W_ERR_INVALID,
                           "unknown type \"%.*s\" (neither a struct in types nor an atomic type)",
                           (int)(n > 80 ? 80 : n), name);
}

/* A field type's array depth and base: a struct index, or -1 for atomic. */
typedef struct {
    unsigned dims;
    int struct_idx;
} type_shape;

static l2w_status shape_of(l2w_eip712_walker *w, const char *type, type_shape *out)
{
    size_t n = strlen(type), dim;
    bool is_array = true;
    out->dims = 0;
    while (is_array) {
        size_t elem = 0;
        l2w_status st = l2w_eip712_split_array(w, type, n, &elem, &dim, &is_array);
        if (st != L2W_OK)
            return st;
        if (is_array) {
            n = elem;
            out->dims++;
        }
    }
    out->struct_idx = l2w_eip712_find_struct(w->g, type, n);
    if (out->struct_idx >= 0)
        return L2W_OK;
    l2w_abi_type *atomic;
    l2w_status st = l2w_eip712_parse_atomic(w, type, n, &atomic);
    l2w_abi_type_free(atomic);
    return st;
}

/* ------------------------------------------------------------ checking types */

void l2w_eip712_field_at(const json_t *fields, size_t i, const char **name, const char **type)
{
    const json_t *f = json_array_get(fields, i);
    *name = json_string_value(json_object_get(f, "name"));
    *type = json_string_value(json_object_get(f, "type"));
}

static l2w_status check_field(l2w_eip712_walker *w, const json_t *fields, size_t i)
{
    const json_t *f = json_array_get(fields, i);
    const json_t *name = json_object_get(f, "name"), *type = json_object_get(f, "type");
    if (!json_is_object(f) || !json_is_string(name) || !json_is_string(type))
        return l2w_eip712_fail(w, L2W_ERR_INVALID, "expected {\"name\": string, \"type\": string}");
    if (!is_identifier(json_string_value(name)))
        return l2w_eip712_fail(w, L2W_ERR_INVALID, "field name \"%.80s\" is not an identifier",
                               json_string_value(name));
    for (size_t j = 0; j < i; j++) {
        const char *other, *ignored;
        l2w_eip712_field_at(fields, j, &other, &ignored);
        if (strcmp(other, json_string_value(name)) == 0)
            return l2w_eip712_fail(w, L2W_ERR_INVALID, "field name \"%s\" appears twice", other);
    }
    type_shape shape;
    return shape_of(w, json_string_value(type), &shape);
}

static l2w_status check_struct(l2w_eip712_walker *w, size_t idx)
{
    const char *name = w->g->names[idx];
    const json_t *fields = w->g->fields[idx];
    if (!is_identifier(name))
        return l2w_eip712_fail(w, L2W_ERR_INVALID, "type name is not an identifier");
    l2w_abi_type *atomic;
    l2w_err ignored;
    if (l2w_abi_type_parse(&atomic, name, &ignored) == L2W_OK) {
        l2w_abi_type_free(atomic);
        return l2w_eip712_fail(w, L2W_ERR_INVALID, "\"%s\" is an atomic type and cannot name a struct", name);
    }
    if (!json_is_array(fields))
        return l2w_eip712_fail(w, L2W_ERR_INVALID, "expected an array of fields");
    for (size_t i = 0; i < json_array_size(fields); i++) {
        size_t mark = l2w_eip712_path_push(w, "[%zu]", i);
        l2w_status st = check_field(w, fields, i);
        if (st != L2W_OK)
            return st;
        l2w_eip712_path_pop(w, mark);
    }
    return L2W_OK;
}

/* Depth-first over struct references: finds cycles and measures nesting
 * (each struct and each array level is one level). */
static l2w_status visit(l2w_eip712_walker *w, size_t idx, unsigned depth)
{
    l2w_eip712_type_graph *g = w->g;
    g->state[idx] = 1;
    for (size_t i = 0; i < json_array_size(g->fields[idx]); i++) {
        const char *fname, *ftype;
        l2w_eip712_field_at(g->fields[idx], i, &fname, &ftype);
        type_shape shape;
        l2w_status st = shape_of(w, ftype, &shape);
        if (st != L2W_OK)
            return st;
        unsigned below = 1;
        if (shape.struct_idx >= 0) {
            size_t j = (size_t)shape.struct_idx;
            if (g->state[j] == 1)
                return l2w_eip712_fail(w, L2W_ERR_INVALID,
                                       "struct %s reaches itself through field %s.%s (cyclic types)", g->names[j],
                                       g->names[idx], fname);
            if (g->state[j] == 0 && (st = visit(w, j, depth + 1)) != L2W_OK)
                return st;
            below = g->height[j];
        }
        if (g->height[idx] < 1 + shape.dims + below)
            g->height[idx] = 1 + shape.dims + below;
        if (g->height[idx] > L2W_EIP712_MAX_DEPTH || depth > L2W_EIP712_MAX_DEPTH)
            return l2w_eip712_fail(w, L2W_ERR_RANGE, "struct %s nests deeper than %d levels", g->names[idx],
                                   L2W_EIP712_MAX_DEPTH);
    }
    g->state[idx] = 2;
    return L2W_OK;
}

l2w_status l2w_eip712_load_types(l2w_eip712_walker *w, const json_t *types)
{
    size_t mark = l2w_eip712_path_push(w, "types");
    if (!json_is_object(types))
        return l2w_eip712_fail(w, L2W_ERR_INVALID, "expected an object");
    if (json_object_size(types) > L2W_EIP712_MAX_TYPES)
        return l2w_eip712_fail(w, L2W_ERR_RANGE, "more than %d types", L2W_EIP712_MAX_TYPES);
    const char *name;
    const json_t *fields;
    json_object_foreach((json_t *)types, name, fields) {
        w->g->names[w->g->n] = name;
        w->g->fields[w->g->n] = fields;
        w->g->n++;
    }
    for (size_t i = 0; i < w->g->n; i++) {
        size_t inner = l2w_eip712_path_push(w, ".%s", w->g->names[i]);
        l2w_status st = check_struct(w, i);
        if (st != L2W_OK)
            return st;
        l2w_eip712_path_pop(w, inner);
    }
    for (size_t i = 0; i < w->g->n; i++) {
        l2w_status st = w->g->state[i] ? L2W_OK : visit(w, i, 1);
        if (st != L2W_OK)
            return st;
    }
    l2w_eip712_path_pop(w, mark);
    return L2W_OK;
}

/* ------------------------------------------------------------ encodeType */

void l2w_eip712_put_struct_signature(l2w_bytes *out, const char *name, const json_t *fields)
{
    l2w_bytes_append(out, (const uint8_t *)name, strlen(name));
    l2w_bytes_append_byte(out, '(');
    for (size_t i = 0; i < json_array_size(fields); i++) {
        const char *fname, *ftype;
        l2w_eip712_field_at(fields, i, &fname, &ftype);
        if (i)
            l2w_bytes_append_byte(out, ',');
        l2w_bytes_append(out, (const uint8_t *)ftype, strlen(ftype));
        l2w_bytes_append_byte(out, ' ');
        l2w_bytes_append(out, (const uint8_t *)fname, strlen(fname));
    }
    l2w_bytes_append_byte(out, ')');
}

static l2w_status mark_deps(l2w_eip712_walker *w, size_t idx, bool *used)
{
    const json_t *fields = w->g->fields[idx];
    for (size_t i = 0; i < json_array_size(fields); i++) {
        const char *fname, *ftype;
        l2w_eip712_field_at(fields, i, &fname, &ftype);
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
l2w_status l2w_eip712_append_encode_type(l2w_eip712_walker *w, size_t idx, l2w_bytes *out)
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
    l2w_eip712_put_struct_signature(out, w->g->names[idx], w->g->fields[idx]);
    for (size_t i = 0; i < n; i++) {
        int j = l2w_eip712_find_struct(w->g, deps[i], strlen(deps[i]));
        l2w_eip712_put_struct_signature(out, deps[i], w->g->fields[j]);
    }
    if (l2w_bytes_status(out) != L2W_OK)
        return l2w_eip712_fail(w, L2W_ERR_NOMEM, "out of memory building encodeType");
    return L2W_OK;
}

l2w_status l2w_eip712_type_hash(l2w_eip712_walker *w, size_t idx, l2w_hash *out)
{
    l2w_eip712_type_graph *g = w->g;
    if (!g->hashed[idx]) {
        l2w_bytes text = L2W_BYTES_INIT;
        l2w_status st = l2w_eip712_append_encode_type(w, idx, &text);
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

