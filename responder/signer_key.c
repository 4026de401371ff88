#include "responder/signer_key.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "core/hex.h"
#include "core/secret_file.h"

#define MAX_KEY_FILE 256

l2w_status l2w_key_parse_hex(uint8_t key[32], const char *text, size_t len)
{
    while (len && isspace((unsigned char)text[0])) {
        text++;
        len--;
    }
    while (len && isspace((unsigned char)text[len - 1]))
        len--;
    if (len >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        text += 2;
        len -= 2;
    }
    size_t got = 0;
    if (len != 64 || l2w_hex_decode(key, 32, &got, text, len) != L2W_OK || got != 32) {
        l2w_wipe(key, 32);
        return L2W_ERR_INVALID;
    }
    return L2W_OK;
}

l2w_status l2w_key_load_file(uint8_t key[32], const char *path, l2w_err *err)
{
    char buf[MAX_KEY_FILE];
    size_t n = 0;
    l2w_status st = l2w_secret_file_read(path, "key file", buf, sizeof buf, &n, err);
    if (st == L2W_OK && l2w_key_parse_hex(key, buf, n) != L2W_OK) {
        l2w_err_set(err, "key file %s: expected 64 hex digits (optionally 0x-prefixed)", path);
        st = L2W_ERR_CONFIG;
    }
    l2w_wipe(buf, sizeof buf);
    return st;
}

l2w_status l2w_key_load_env(uint8_t key[32], const char *name, l2w_err *err)
{
    char *val = getenv(name);
    if (!val) {
        l2w_err_set(err, "environment variable %s (signer key) is not set", name);
        return L2W_ERR_CONFIG;
    }
    l2w_status st = l2w_key_parse_hex(key, val, strlen(val));
    l2w_wipe(val, strlen(val));
    unsetenv(name);
    if (st != L2W_OK) {
        l2w_err_set(err, "environment variable %s: expected 64 hex digits (optionally 0x-prefixed)", name);
        return L2W_ERR_CONFIG;
    }
    return L2W_OK;
}
