#include "core/hex.h"

#include <stdlib.h>
#include <string.h>

static const char hex_digits[] = "0123456789abcdef";

/* Written as ranges rather than a table so the accepted alphabet is obvious. */
int l2w_hex_digit_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int has_prefix(const char *s, size_t len)
{
    return len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
}

l2w_status l2w_hex_decode(uint8_t *out, size_t out_cap, size_t *out_len, const char *hex, size_t hex_len)
{
    if (!hex && hex_len)
        return L2W_ERR_INVALID;
    if (has_prefix(hex, hex_len)) {
        hex += 2;
        hex_len -= 2;
    }
    if (hex_len % 2 != 0)
        return L2W_ERR_INVALID;
    size_t n = hex_len / 2;
    if (n > out_cap)
        return L2W_ERR_RANGE;
    for (size_t i = 0; i < n; i++) {
        int hi = l2w_hex_digit_value(hex[2 * i]);
        int lo = l2w_hex_digit_value(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return L2W_ERR_INVALID;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    if (out_len)
        *out_len = n;
    return L2W_OK;
}

l2w_status l2w_hex_decode_exact(uint8_t *out, size_t out_len, const char *hex)
{
    if (!hex)
        return L2W_ERR_INVALID;
    size_t len = strlen(hex);
    if (!has_prefix(hex, len))
        return L2W_ERR_INVALID;
    /* Compare lengths before doing arithmetic on out_len so a huge out_len
     * cannot wrap. */
    if ((len - 2) / 2 != out_len || (len - 2) % 2 != 0)
        return L2W_ERR_INVALID;
    size_t got;
    return l2w_hex_decode(out, out_len, &got, hex, len);
}

l2w_status l2w_hash_from_hex(l2w_hash *out, const char *hex)
{
    /* Decode into a temporary so *out is untouched on failure. */
    l2w_hash tmp;
    l2w_status st = l2w_hex_decode_exact(tmp.b, sizeof tmp.b, hex);
    if (st == L2W_OK)
        *out = tmp;
    return st;
}

l2w_status l2w_addr_from_hex(l2w_addr *out, const char *hex)
{
    l2w_addr tmp;
    l2w_status st = l2w_hex_decode_exact(tmp.b, sizeof tmp.b, hex);
    if (st == L2W_OK)
        *out = tmp;
    return st;
}

void l2w_hex_encode(char *out, const uint8_t *in, size_t len)
{
    out[0] = '0';
    out[1] = 'x';
    for (size_t i = 0; i < len; i++) {
        out[2 + 2 * i] = hex_digits[in[i] >> 4];
        out[3 + 2 * i] = hex_digits[in[i] & 0x0f];
    }
    out[2 + 2 * len] = '\0';
}

char *l2w_hex_encode_alloc(const uint8_t *in, size_t len)
{
    if (len > (SIZE_MAX - 3) / 2)
        return NULL;
    char *out = malloc(2 * len + 3);
    if (out)
        l2w_hex_encode(out, in, len);
    return out;
}

void l2w_hash_to_hex(char out[L2W_HASH_HEX_LEN], const l2w_hash *h)
{
    l2w_hex_encode(out, h->b, sizeof h->b);
}

void l2w_addr_to_hex(char out[L2W_ADDR_HEX_LEN], const l2w_addr *a)
{
    l2w_hex_encode(out, a->b, sizeof a->b);
}

l2w_status l2w_quantity_to_u64(uint64_t *out, const char *s)
{
    if (!s)
        return L2W_ERR_INVALID;
    size_t len = strlen(s);
    if (!has_prefix(s, len) || len == 2)
        return L2W_ERR_INVALID;
    const char *d = s + 2;
    size_t n = len - 2;
    /* JSON-RPC QUANTITY is the minimal encoding: "0x0" is zero, "0x01" is not valid. */
    if (d[0] == '0' && n > 1)
        return L2W_ERR_INVALID;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        int dv = l2w_hex_digit_value(d[i]);
        if (dv < 0)
            return L2W_ERR_INVALID;
        if (i >= 16)
            return L2W_ERR_RANGE;
        v = v << 4 | (uint64_t)dv;
    }
    *out = v;
    return L2W_OK;
}

void l2w_u64_to_quantity(char out[19], uint64_t v)
{
    char tmp[16];
    size_t n = 0;
    do {
        tmp[n++] = hex_digits[v & 0x0f];
        v >>= 4;
    } while (v);
    out[0] = '0';
    out[1] = 'x';
    for (size_t i = 0; i < n; i++)
        out[2 + i] = tmp[n - 1 - i];
    out[2 + n] = '\0';
}
