#include "core/finding.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *l2w_severity_name(l2w_severity sev)
{
    switch (sev) {
    case L2W_SEV_INFO: return "info";
    case L2W_SEV_LOW: return "low";
    case L2W_SEV_MEDIUM: return "medium";
    case L2W_SEV_HIGH: return "high";
    case L2W_SEV_CRITICAL: return "critical";
    }
    return "unknown";
}

int l2w_severity_from_name(const char *name)
{
    for (int s = L2W_SEV_INFO; name && s <= L2W_SEV_CRITICAL; s++)
        if (strcmp(l2w_severity_name((l2w_severity)s), name) == 0)
            return s;
    return -1;
}

const char *l2w_finding_ref_chain(const l2w_finding *f, l2w_ref_chain on)
{
    switch (on) {
    case L2W_ON_ANCHOR_CHAIN: return f->has_anchor ? f->anchor_chain : f->chain;
    case L2W_ON_FINDING_CHAIN: return f->chain;
    }
    return f->chain;
}

void l2w_finding_clear(l2w_finding *f)
{
    json_decref(f->evidence);
    f->evidence = NULL;
}

void l2w_finding_text(char *out, size_t out_len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(out, out_len, fmt, ap);
    va_end(ap);
}
