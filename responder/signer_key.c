#include "responder/signer_key.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/bytes.h"
#include "core/hex.h"

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

static l2w_status check_mode(int fd, const char *path, l2w_err *err)
{
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        l2w_err_set(err, "key file %s: cannot stat: %s", path, strerror(errno));
        return L2W_ERR_IO;
    }
    if (!S_ISREG(sb.st_mode)) {
        l2w_err_set(err, "key file %s: not a regular file", path);
        return L2W_ERR_CONFIG;
    }
    if (sb.st_mode & (S_IRWXG | S_IRWXO)) {
        l2w_err_set(err,
                    "key file %s has mode %04o: it must not be accessible to group or others; run chmod 600 %s",
                    path, (unsigned)(sb.st_mode & 07777), path);
        return L2W_ERR_CONFIG;
    }
    return L2W_OK;
}

l2w_status l2w_key_load_file(uint8_t key[32], const char *path, l2w_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        l2w_err_set(err, "key file %s: cannot open: %s", path, strerror(errno));
        return L2W_ERR_CONFIG;
    }
    l2w_status st = check_mode(fd, path, err);
    char buf[MAX_KEY_FILE];
    ssize_t n = 0;
    if (st == L2W_OK) {
        n = read(fd, buf, sizeof buf);
        if (n < 0 || n == (ssize_t)sizeof buf) {
            l2w_err_set(err, "key file %s: %s", path, n < 0 ? strerror(errno) : "too long for one hex key");
            st = L2W_ERR_CONFIG;
        }
    }
    close(fd);
    if (st == L2W_OK && l2w_key_parse_hex(key, buf, (size_t)n) != L2W_OK) {
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
