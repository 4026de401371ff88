#include "web/text_field.h"

#include <stdio.h>
#include <string.h>

l2w_status l2w_text_field(const char **out, const json_t *v, size_t max, bool multiline, char *why, size_t why_cap)
{
    *out = NULL;
    if (!json_is_string(v)) {
        snprintf(why, why_cap, "expected a string");
        return L2W_ERR_INVALID;
    }
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (n == 0 || n > max) {
        snprintf(why, why_cap, "expected 1 to %zu bytes, got %zu", max, n);
        return L2W_ERR_INVALID;
    }
    if (strlen(s) != n) {
        snprintf(why, why_cap, "contains a NUL character");
        return L2W_ERR_INVALID;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if ((ch < 0x20 && !(multiline && (ch == '\n' || ch == '\t'))) || ch == 0x7f) {
            snprintf(why, why_cap, "contains a control character at byte %zu", i);
            return L2W_ERR_INVALID;
        }
    }
    *out = s;
    return L2W_OK;
}
