#include "tests/unit/support/cast_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *l2w_test_cast_path(void)
{
    static char path[4096];
    const char *src = getenv("L2W_SOURCE_DIR");
    snprintf(path, sizeof path, "%s/tools/npm/node_modules/.bin/cast", src ? src : ".");
    return access(path, X_OK) == 0 ? path : NULL;
}

bool l2w_test_cast_line(const char *args, char *out, size_t cap)
{
    const char *cast = l2w_test_cast_path();
    if (!cast)
        return false;
    char cmd[8192];
    int n = snprintf(cmd, sizeof cmd, "'%s' %s 2>/dev/null", cast, args);
    if (n < 0 || (size_t)n >= sizeof cmd)
        return false;
    FILE *p = popen(cmd, "r");
    if (!p)
        return false;
    bool ok = fgets(out, (int)cap, p) != NULL;
    ok &= pclose(p) == 0;
    out[strcspn(out, "\n")] = '\0';
    return ok;
}
