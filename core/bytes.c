#include "core/bytes.h"

#include <stdlib.h>
#include <string.h>

void l2w_wipe(void *p, size_t n)
{
    volatile uint8_t *v = p;
    while (n--)
        *v++ = 0;
}

void l2w_bytes_free(l2w_bytes *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->failed = 0;
}

void l2w_bytes_free_secure(l2w_bytes *b)
{
    if (b->data)
        l2w_wipe(b->data, b->cap);
    l2w_bytes_free(b);
}

static int reserve(l2w_bytes *b, size_t extra)
{
    if (b->failed)
        return 0;
    if (extra > SIZE_MAX / 2 - b->len) {
        b->failed = 1;
        return 0;
    }
    size_t need = b->len + extra;
    if (need <= b->cap)
        return 1;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    /* Copy rather than realloc so a secret-holding buffer never leaves an
     * unwiped copy behind in freed memory. */
    uint8_t *p = malloc(cap);
    if (!p) {
        b->failed = 1;
        return 0;
    }
    if (b->len)
        memcpy(p, b->data, b->len);
    if (b->data) {
        l2w_wipe(b->data, b->cap);
        free(b->data);
    }
    b->data = p;
    b->cap = cap;
    return 1;
}

void l2w_bytes_append(l2w_bytes *b, const uint8_t *p, size_t n)
{
    if (n == 0 || !reserve(b, n))
        return;
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

void l2w_bytes_append_byte(l2w_bytes *b, uint8_t v)
{
    l2w_bytes_append(b, &v, 1);
}

void l2w_bytes_insert(l2w_bytes *b, size_t at, const uint8_t *p, size_t n)
{
    if (at > b->len) {
        b->failed = 1;
        return;
    }
    if (n == 0 || !reserve(b, n))
        return;
    memmove(b->data + at + n, b->data + at, b->len - at);
    memcpy(b->data + at, p, n);
    b->len += n;
}

l2w_status l2w_bytes_status(const l2w_bytes *b)
{
    return b->failed ? L2W_ERR_NOMEM : L2W_OK;
}
