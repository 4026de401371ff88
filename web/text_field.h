#ifndef L2W_WEB_TEXT_FIELD_H
#define L2W_WEB_TEXT_FIELD_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/status.h"

/* A free-text field of a request body (an author, a reason, a note) as it
 * may be stored and shown: a JSON string of 1..max bytes, without NUL or
 * control characters (newline and tab allowed when multiline). On
 * L2W_ERR_INVALID, why says what is wrong ("expected 1 to 200 bytes, got
 * 0"), without the field's name. *out points into v. */
L2W_MUST_CHECK l2w_status l2w_text_field(const char **out, const json_t *v, size_t max, bool multiline, char *why,
                                         size_t why_cap);

#endif
