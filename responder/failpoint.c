#include "responder/failpoint.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"

void l2w_failpoint(const char *point)
{
    const char *want = getenv("L2W_FAILPOINT");
    if (!want || strcmp(want, point) != 0)
        return;
    L2W_UNUSUAL("failpoint", point, "L2W_FAILPOINT: killing the process here");
    raise(SIGKILL);
}
