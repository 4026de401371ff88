#include "core/secret_file.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/bytes.h"

static l2w_status check_mode(int fd, const char *path, const char *what, l2w_err *err)
{
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        l2w_err_set(err, "%s %s: cannot stat: %s", what, path, strerror(errno));
        return L2W_ERR_IO;
    }
    if (!S_ISREG(sb.st_mode)) {
        l2w_err_set(err, "%s %s: not a regular file", what, path);
        return L2W_ERR_CONFIG;
    }
    if (sb.st_mode & (S_IRWXG | S_IRWXO)) {
        l2w_err_set(err, "%s %s has mode %04o: it must not be accessible to group or others; run chmod 600 %s",
                    what, path, (unsigned)(sb.st_mode & 07777), path);
        return L2W_ERR_CONFIG;
    }
    return L2W_OK;
}

l2w_status l2w_secret_file_read(const char *path, const char *what, char *buf, size_t cap, size_t *len,
                                l2w_err *err)
{
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        l2w_err_set(err, "%s %s: cannot open: %s", what, path, strerror(errno));
        return L2W_ERR_CONFIG;
    }
    l2w_status st = check_mode(fd, path, what, err);
    ssize_t n = 0;
    if (st == L2W_OK) {
        n = read(fd, buf, cap);
        if (n < 0 || (size_t)n >= cap) {
            l2w_err_set(err, "%s %s: %s", what, path, n < 0 ? strerror(errno) : "too long");
            st = L2W_ERR_CONFIG;
        }
    }
    close(fd);
    if (st != L2W_OK) {
        l2w_wipe(buf, cap);
        return st;
    }
    size_t start = 0, end = (size_t)n;
    while (start < end && isspace((unsigned char)buf[start]))
        start++;
    while (end > start && isspace((unsigned char)buf[end - 1]))
        end--;
    memmove(buf, buf + start, end - start);
    l2w_wipe(buf + (end - start), cap - (end - start));
    *len = end - start;
    return L2W_OK;
}
