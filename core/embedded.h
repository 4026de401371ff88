#ifndef L2W_CORE_EMBEDDED_H
#define L2W_CORE_EMBEDDED_H

#include <stddef.h>

/* A file compiled into the binary by cmake/Embed.cmake. data is NUL-terminated
 * (size excludes the NUL). Tables end with a {NULL, NULL, 0} entry. */
struct l2w_embedded_file {
    const char *name;
    const unsigned char *data;
    size_t size;
};

extern const struct l2w_embedded_file l2w_migrations[];
extern const size_t l2w_migrations_count;
extern const struct l2w_embedded_file l2w_static_files[];
extern const size_t l2w_static_files_count;

#endif
