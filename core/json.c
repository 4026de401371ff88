#include "core/json.h"

#include <stdlib.h>
#include <string.h>

#include "core/hex.h"

l2w_status l2w_json_parse(json_t **out, const char *buf, size_t len, l2w_err *err)
{
    json_error_t jerr;
    *out = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!*out) {
        l2w_err_set(err, "invalid JSON at line %d column %d: %s", jerr.line, jerr.column, jerr.text);
        return L2W_ERR_PROTOCOL;
    }
    return L2W_OK;
}

static const char *string_field(const json_t *obj, const char *key, l2w_err *err)
{
    const json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
    if (!v || json_is_null(v)) {
        l2w_err_set(err, "field %s: missing", key);
        return NULL;
    }
    if (!json_is_string(v)) {
        l2w_err_set(err, "field %s: expected a string", key);
        return NULL;
    }
    return json_string_value(v);
}

l2w_status l2w_json_to_quantity(uint64_t *out, const json_t *v, const char *what, l2w_err *err)
{
    if (!json_is_string(v)) {
        l2w_err_set(err, "%s: expected a hex quantity string", what);
        return L2W_ERR_PROTOCOL;
    }
    if (l2w_quantity_to_u64(out, json_string_value(v)) != L2W_OK) {
        l2w_err_set(err, "%s: not a 64-bit hex quantity: \"%.40s\"", what, json_string_value(v));
        return L2W_ERR_PROTOCOL;
    }
    return L2W_OK;
}

l2w_status l2w_json_to_hash(l2w_hash *out, const json_t *v, const char *what, l2w_err *err)
{
    if (!json_is_string(v) || l2w_hash_from_hex(out, json_string_value(v)) != L2W_OK) {
        l2w_err_set(err, "%s: expected a 32-byte 0x hex string", what);
        return L2W_ERR_PROTOCOL;
    }
    return L2W_OK;
}

l2w_status l2w_json_get_quantity(uint64_t *out, const json_t *obj, const char *key, l2w_err *err)
{
    const char *s = string_field(obj, key, err);
    if (!s)
        return L2W_ERR_PROTOCOL;
    if (l2w_quantity_to_u64(out, s) != L2W_OK) {
        l2w_err_set(err, "field %s: not a 64-bit hex quantity: \"%.40s\"", key, s);
        return L2W_ERR_PROTOCOL;
    }
    return L2W_OK;
}

l2w_status l2w_json_get_u256(l2w_u256 *out, const json_t *obj, const char *key, l2w_err *err)
{
    const char *s = string_field(obj, key, err);
    if (!s)
        return L2W_ERR_PROTOCOL;
    if (l2w_u256_from_hex(out, s) != L2W_OK) {
        l2w_err_set(err, "field %s: not a 256-bit hex quantity: \"%.70s\"", key, s);
        return L2W_ERR_PROTOCOL;
    }
    return L2W_OK;
}

l2w_status l2w_json_get_hash(l2w_hash *out, const json_t *obj, const char *key, l2w_err *err)
{
    const char *s = string_field(obj, key, err);
    if (!s)
        return L2W_ERR_PROTOCOL;
    if (l2w_hash_from_hex(out, s) != L2W_OK) {
        l2w_err_set(err, "field %s: expected a 32-byte 0x hex string, got \"%.70s\"", key, s);
        return L2W_ERR_PROTOCOL;
    }
    return L2W_OK;
}

l2w_status l2w_json_get_addr(l2w_addr *out, const json_t *obj, const char *key, l2w_err *err)
{
    const char *s = string_field(obj, key, err);
    if (!s)
        return L2W_ERR_PROTOCOL;
    if (l2w_addr_from_hex(out, s) != L2W_OK) {
        l2w_err_set(err, "field %s: expected a 20-byte 0x hex address, got \"%.50s\"", key, s);
        return L2W_ERR_PROTOCOL;
    }
    return L2W_OK;
}

l2w_status l2w_json_get_data(uint8_t **out, size_t *out_len, const json_t *obj, const char *key, size_t max_len,
                             l2w_err *err)
{
    *out = NULL;
    *out_len = 0;
    const char *s = string_field(obj, key, err);
    if (!s)
        return L2W_ERR_PROTOCOL;
    size_t text_len = strlen(s);
    if (text_len < 2 || s[0] != '0' || s[1] != 'x') {
        l2w_err_set(err, "field %s: expected 0x hex data", key);
        return L2W_ERR_PROTOCOL;
    }
    size_t n = (text_len - 2) / 2;
    if (n > max_len) {
        l2w_err_set(err, "field %s: %zu bytes exceeds the cap of %zu", key, n, max_len);
        return L2W_ERR_PROTOCOL;
    }
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf) {
        l2w_err_set(err, "field %s: out of memory", key);
        return L2W_ERR_NOMEM;
    }
    if (l2w_hex_decode(buf, n, out_len, s, text_len) != L2W_OK) {
        free(buf);
        l2w_err_set(err, "field %s: invalid hex data", key);
        return L2W_ERR_PROTOCOL;
    }
    *out = buf;
    return L2W_OK;
}

json_t *l2w_json_hash(const l2w_hash *h)
{
    char hex[L2W_HASH_HEX_LEN];
    l2w_hash_to_hex(hex, h);
    return json_string(hex);
}

json_t *l2w_json_addr(const l2w_addr *a)
{
    char hex[L2W_ADDR_HEX_LEN];
    l2w_addr_to_hex(hex, a);
    return json_string(hex);
}

json_t *l2w_json_hex(const uint8_t *data, size_t len)
{
    char *s = l2w_hex_encode_alloc(data, len);
    json_t *j = s ? json_string(s) : NULL;
    free(s);
    return j;
}
