#include "core/base64.h"

#include <stdbool.h>

static int sextet(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

l2w_status l2w_base64_decode(uint8_t *out, size_t out_cap, size_t *out_len, const char *in, size_t in_len)
{
    *out_len = 0;
    if (in_len % 4 != 0)
        return L2W_ERR_INVALID;
    size_t pad = 0;
    if (in_len >= 4 && in[in_len - 1] == '=')
        pad = in[in_len - 2] == '=' ? 2 : 1;
    size_t n = in_len / 4 * 3 - pad;
    if (n > out_cap)
        return L2W_ERR_RANGE;
    size_t w = 0;
    for (size_t i = 0; i < in_len; i += 4) {
        bool last = i + 4 == in_len;
        size_t real = last ? 4 - pad : 4;
        uint32_t v = 0;
        for (size_t k = 0; k < 4; k++) {
            int s = k < real ? sextet(in[i + k]) : 0;
            if (s < 0 || (k >= real && in[i + k] != '='))
                return L2W_ERR_INVALID;
            v = v << 6 | (uint32_t)s;
        }
        /* The bits a padded group leaves over must be zero. */
        if ((real == 2 && (v & 0xffffu)) || (real == 3 && (v & 0xffu)))
            return L2W_ERR_INVALID;
        uint8_t bytes[3] = {(uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
        for (size_t k = 0; k + 1 < real; k++)
            out[w++] = bytes[k];
    }
    *out_len = w;
    return L2W_OK;
}
