#include "core/finding.h"

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

void l2w_finding_clear(l2w_finding *f)
{
    json_decref(f->evidence);
    f->evidence = NULL;
}
