#ifndef L2W_CORE_SECRET_FILE_H
#define L2W_CORE_SECRET_FILE_H

#include <stddef.h>

#include "core/status.h"

/* Reads a file holding a secret (a signing key, an HMAC key, a routing key,
 * a password) into buf: it must be a regular file no group or other user can
 * access, opened without following a link, shorter than cap bytes. Leading
 * and trailing whitespace (the newline an editor adds) is dropped and the
 * text NUL-terminated in buf; *len is its length. what names the secret in
 * messages ("key file", "secret_file of sink pd"). The caller wipes buf. */
L2W_MUST_CHECK l2w_status l2w_secret_file_read(const char *path, const char *what, char *buf, size_t cap,
                                               size_t *len, l2w_err *err);

#endif
