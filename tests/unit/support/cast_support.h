#ifndef L2W_TESTS_UNIT_SUPPORT_CAST_SUPPORT_H
#define L2W_TESTS_UNIT_SUPPORT_CAST_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>

/* Foundry's cast, the oracle of the differential unit tests: the npm copy in
 * $L2W_SOURCE_DIR/tools/npm (the current directory when unset), or NULL
 * when it is not installed. */
const char *l2w_test_cast_path(void);

/* The first line of `cast <args>` into out, without its newline; false when
 * cast is missing, fails, prints nothing or the command does not fit. args
 * go to the shell as written (so they must not hold a single quote). */
bool l2w_test_cast_line(const char *args, char *out, size_t cap);

#endif
