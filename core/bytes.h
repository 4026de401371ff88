#ifndef L2W_CORE_BYTES_H
#define L2W_CORE_BYTES_H

#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

/* A growable byte buffer. Appends never fail silently: after an allocation
 * failure the buffer is marked failed, further appends are ignored, and
 * l2w_bytes_status reports L2W_ERR_NOMEM, so a builder can append many
 * pieces and check once at the end. */
typedef struct {
    uint8_t *data;
    size_t len;
    size_t cap;
    int failed;
} l2w_bytes;

#define L2W_BYTES_INIT {NULL, 0, 0, 0}

void l2w_bytes_free(l2w_bytes *b);
/* Wipes the contents before freeing: for buffers that held secrets. */
void l2w_bytes_free_secure(l2w_bytes *b);
void l2w_bytes_append(l2w_bytes *b, const uint8_t *p, size_t n);
void l2w_bytes_append_byte(l2w_bytes *b, uint8_t v);
/* Insert n bytes at offset at (at <= len), shifting the tail right. */
void l2w_bytes_insert(l2w_bytes *b, size_t at, const uint8_t *p, size_t n);
L2W_MUST_CHECK l2w_status l2w_bytes_status(const l2w_bytes *b);

/* Overwrite memory in a way the compiler may not elide. */
void l2w_wipe(void *p, size_t n);

#endif
