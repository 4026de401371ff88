#include "core/rlp.h"

#include <string.h>

static size_t be_len(uint64_t v)
{
    size_t n = 0;
    while (v) {
        n++;
        v >>= 8;
    }
    return n;
}

/* Header for a payload of n bytes: offset 0x80 for strings, 0xc0 for lists. */
static size_t header(uint8_t hdr[9], size_t n, uint8_t offset)
{
    if (n <= 55) {
        hdr[0] = (uint8_t)(offset + n);
        return 1;
    }
    size_t ll = be_len(n);
    hdr[0] = (uint8_t)(offset + 55 + ll);
    for (size_t i = 0; i < ll; i++)
        hdr[1 + i] = (uint8_t)(n >> (8 * (ll - 1 - i)));
    return 1 + ll;
}

void l2w_rlp_put_bytes(l2w_bytes *out, const uint8_t *p, size_t n)
{
    if (n == 1 && p[0] < 0x80) {
        l2w_bytes_append_byte(out, p[0]);
        return;
    }
    uint8_t hdr[9];
    size_t h = header(hdr, n, 0x80);
    l2w_bytes_append(out, hdr, h);
    l2w_bytes_append(out, p, n);
}

void l2w_rlp_put_u64(l2w_bytes *out, uint64_t v)
{
    uint8_t be[8];
    size_t n = be_len(v);
    for (size_t i = 0; i < n; i++)
        be[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
    l2w_rlp_put_bytes(out, be, n);
}

void l2w_rlp_put_u256(l2w_bytes *out, const l2w_u256 *v)
{
    uint8_t be[32];
    l2w_u256_to_be32(be, v);
    size_t skip = 0;
    while (skip < 32 && be[skip] == 0)
        skip++;
    l2w_rlp_put_bytes(out, be + skip, 32 - skip);
}

size_t l2w_rlp_list_begin(const l2w_bytes *out)
{
    return out->len;
}

void l2w_rlp_list_end(l2w_bytes *out, size_t begin)
{
    if (out->failed)
        return;
    uint8_t hdr[9];
    size_t h = header(hdr, out->len - begin, 0xc0);
    l2w_bytes_insert(out, begin, hdr, h);
}

void l2w_rlp_put_raw(l2w_bytes *out, const uint8_t *p, size_t n)
{
    l2w_bytes_append(out, p, n);
}

/* Parse one item header at in[0..len); base is in's offset in the outer
 * input, for messages. Sets the payload view and the total encoded size. */
static l2w_status parse_one(l2w_rlp_item *it, size_t *total, const uint8_t *in, size_t len,
                            size_t base, l2w_err *err)
{
    if (len == 0) {
        l2w_err_set(err, "rlp: empty input at offset %zu", base);
        return L2W_ERR_INVALID;
    }
    uint8_t b0 = in[0];
    size_t hdr_len, payload;
    bool is_list = b0 >= 0xc0;
    uint8_t offset = is_list ? 0xc0 : 0x80;

    if (b0 < 0x80) {
        it->p = in;
        it->len = 1;
        it->is_list = false;
        it->raw = in;
        it->raw_len = 1;
        *total = 1;
        return L2W_OK;
    }
    if (b0 - offset <= 55) {
        hdr_len = 1;
        payload = (size_t)(b0 - offset);
    } else {
        size_t ll = (size_t)(b0 - offset - 55);
        if (len < 1 + ll) {
            l2w_err_set(err, "rlp: length-of-length runs past the end at offset %zu", base);
            return L2W_ERR_INVALID;
        }
        if (in[1] == 0) {
            l2w_err_set(err, "rlp: length with a leading zero byte at offset %zu", base);
            return L2W_ERR_INVALID;
        }
        if (ll > sizeof(size_t)) {
            l2w_err_set(err, "rlp: length of %zu bytes is too large at offset %zu", ll, base);
            return L2W_ERR_INVALID;
        }
        payload = 0;
        for (size_t i = 0; i < ll; i++)
            payload = (payload << 8) | in[1 + i];
        if (payload <= 55) {
            l2w_err_set(err, "rlp: long form used for a %zu-byte payload at offset %zu", payload,
                        base);
            return L2W_ERR_INVALID;
        }
        hdr_len = 1 + ll;
    }
    if (payload > len - hdr_len) {
        l2w_err_set(err, "rlp: item at offset %zu claims %zu bytes but only %zu remain", base,
                    payload, len - hdr_len);
        return L2W_ERR_INVALID;
    }
    if (!is_list && payload == 1 && in[hdr_len] < 0x80) {
        l2w_err_set(err, "rlp: single byte 0x%02x wrapped as a string at offset %zu",
                    in[hdr_len], base);
        return L2W_ERR_INVALID;
    }
    it->p = in + hdr_len;
    it->len = payload;
    it->is_list = is_list;
    it->raw = in;
    it->raw_len = hdr_len + payload;
    *total = hdr_len + payload;
    return L2W_OK;
}

l2w_status l2w_rlp_decode(l2w_rlp_item *out, const uint8_t *in, size_t len, l2w_err *err)
{
    size_t total;
    l2w_status st = parse_one(out, &total, in, len, 0, err);
    if (st != L2W_OK)
        return st;
    if (total != len) {
        l2w_err_set(err, "rlp: %zu trailing bytes after the item", len - total);
        return L2W_ERR_INVALID;
    }
    return L2W_OK;
}

l2w_rlp_cursor_t l2w_rlp_cursor(const l2w_rlp_item *list)
{
    l2w_rlp_cursor_t c = {list->p, list->is_list ? list->len : 0,
                          list->raw ? (size_t)(list->p - list->raw) : 0};
    return c;
}

l2w_status l2w_rlp_next(l2w_rlp_cursor_t *cur, l2w_rlp_item *out, l2w_err *err)
{
    if (cur->left == 0)
        return L2W_ERR_NOT_FOUND;
    size_t total;
    l2w_status st = parse_one(out, &total, cur->p, cur->left, cur->base_offset, err);
    if (st != L2W_OK)
        return st;
    cur->p += total;
    cur->left -= total;
    cur->base_offset += total;
    return L2W_OK;
}

l2w_status l2w_rlp_list_items(const l2w_rlp_item *list, l2w_rlp_item *items, size_t cap,
                              size_t *count, l2w_err *err)
{
    if (!list->is_list) {
        l2w_err_set(err, "rlp: expected a list, found a string");
        return L2W_ERR_INVALID;
    }
    l2w_rlp_cursor_t cur = l2w_rlp_cursor(list);
    size_t n = 0;
    for (;;) {
        l2w_rlp_item it;
        l2w_status st = l2w_rlp_next(&cur, &it, err);
        if (st == L2W_ERR_NOT_FOUND)
            break;
        if (st != L2W_OK)
            return st;
        if (n == cap) {
            l2w_err_set(err, "rlp: list has more than %zu items", cap);
            return L2W_ERR_RANGE;
        }
        items[n++] = it;
    }
    *count = n;
    return L2W_OK;
}

static l2w_status check_int(const l2w_rlp_item *it, size_t max, l2w_err *err)
{
    if (it->is_list) {
        l2w_err_set(err, "rlp: expected an integer, found a list");
        return L2W_ERR_INVALID;
    }
    if (it->len > max) {
        l2w_err_set(err, "rlp: integer of %zu bytes exceeds %zu", it->len, max);
        return L2W_ERR_RANGE;
    }
    if (it->len > 0 && it->p[0] == 0) {
        l2w_err_set(err, "rlp: integer with a leading zero byte");
        return L2W_ERR_INVALID;
    }
    return L2W_OK;
}

l2w_status l2w_rlp_get_u64(const l2w_rlp_item *it, uint64_t *out, l2w_err *err)
{
    l2w_status st = check_int(it, 8, err);
    if (st != L2W_OK)
        return st;
    uint64_t v = 0;
    for (size_t i = 0; i < it->len; i++)
        v = (v << 8) | it->p[i];
    *out = v;
    return L2W_OK;
}

l2w_status l2w_rlp_get_u256(const l2w_rlp_item *it, l2w_u256 *out, l2w_err *err)
{
    l2w_status st = check_int(it, 32, err);
    if (st != L2W_OK)
        return st;
    uint8_t be[32] = {0};
    memcpy(be + 32 - it->len, it->p, it->len);
    l2w_u256_from_be32(out, be);
    return L2W_OK;
}
