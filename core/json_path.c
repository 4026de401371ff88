#include "core/json_path.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hex.h"

const char *l2w_jpath_kind(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a fractional number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        return "null";
    }
    return "an unknown value";
}

l2w_status l2w_jpath_invalid(l2w_err *err, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return L2W_ERR_INVALID;
}

const char *l2w_jpath_text(const json_t *v, const char *path, const char *want, l2w_err *err)
{
    if (!json_is_string(v)) {
        l2w_jpath_invalid(err, "%s: expected %s, got %s", path, want, l2w_jpath_kind(v));
        return NULL;
    }
    const char *t = json_string_value(v);
    if (strlen(t) != json_string_length(v)) {
        l2w_jpath_invalid(err, "%s: NUL byte in string", path);
        return NULL;
    }
    return t;
}

l2w_status l2w_jpath_u256(l2w_u256 *out, const json_t *v, const char *path, l2w_err *err)
{
    if (json_is_integer(v)) {
        json_int_t i = json_integer_value(v);
        if (i < 0)
            return l2w_jpath_invalid(err, "%s: negative number", path);
        *out = l2w_u256_from_u64((uint64_t)i);
        return L2W_OK;
    }
    const char *t = l2w_jpath_text(v, path, "a number (decimal string, 0x quantity or integer)", err);
    if (!t)
        return L2W_ERR_INVALID;
    if (t[0] == '-')
        return l2w_jpath_invalid(err, "%s: negative number \"%.80s\"", path, t);
    bool hex = t[0] == '0' && (t[1] == 'x' || t[1] == 'X');
    l2w_status st = hex ? l2w_u256_from_hex(out, t) : l2w_u256_from_dec(out, t);
    if (st == L2W_ERR_RANGE)
        return l2w_jpath_invalid(err, "%s: \"%.80s\" exceeds 2^256 - 1", path, t);
    if (st != L2W_OK)
        return l2w_jpath_invalid(err, "%s: %s \"%.80s\"", path, hex ? "bad hex quantity" : "not a decimal number", t);
    return L2W_OK;
}

l2w_status l2w_jpath_addr(l2w_addr *out, const json_t *v, const char *path, l2w_err *err)
{
    const char *t = l2w_jpath_text(v, path, "an address string", err);
    if (!t)
        return L2W_ERR_INVALID;
    if (l2w_addr_from_hex(out, t) != L2W_OK)
        return l2w_jpath_invalid(err, "%s: expected 0x and 40 hex digits, got \"%.80s\"", path, t);
    return L2W_OK;
}

l2w_status l2w_jpath_hash(l2w_hash *out, const json_t *v, const char *path, l2w_err *err)
{
    const char *t = l2w_jpath_text(v, path, "a bytes32 string", err);
    if (!t)
        return L2W_ERR_INVALID;
    if (l2w_hash_from_hex(out, t) != L2W_OK)
        return l2w_jpath_invalid(err, "%s: expected 0x and 64 hex digits, got \"%.80s\"", path, t);
    return L2W_OK;
}

l2w_status l2w_jpath_data(uint8_t **out, size_t *out_len, const json_t *v, size_t cap, const char *path,
                            l2w_err *err)
{
    const char *t = l2w_jpath_text(v, path, "a 0x hex string", err);
    if (!t)
        return L2W_ERR_INVALID;
    size_t len = strlen(t);
    if (len < 2 || t[0] != '0' || t[1] != 'x')
        return l2w_jpath_invalid(err, "%s: expected 0x hex data", path);
    if (len % 2 != 0)
        return l2w_jpath_invalid(err, "%s: odd number of hex digits", path);
    size_t n = (len - 2) / 2;
    if (n > cap)
        return l2w_jpath_invalid(err, "%s: %zu bytes exceeds the cap of %zu", path, n, cap);
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf) {
        l2w_err_set(err, "%s: out of memory", path);
        return L2W_ERR_NOMEM;
    }
    size_t got = 0;
    if (l2w_hex_decode(buf, n, &got, t, len) != L2W_OK) {
        free(buf);
        return l2w_jpath_invalid(err, "%s: bad hex digit", path);
    }
    *out = buf;
    *out_len = got;
    return L2W_OK;
}

l2w_status l2w_jpath_only_fields(const json_t *obj, const char *const *names, size_t n, const char *path, l2w_err *err)
{
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        bool known = false;
        for (size_t i = 0; i < n && !known; i++)
            known = strcmp(key, names[i]) == 0;
        if (!known)
            return l2w_jpath_invalid(err, "%s%s%.64s: unknown field", path, *path ? "." : "", key);
    }
    return L2W_OK;
}
