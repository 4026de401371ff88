#ifndef L2W_CORE_RFC3339_H
#define L2W_CORE_RFC3339_H

#include <stdint.h>

#include "core/status.h"

/* Reads an RFC 3339 date-time, "2026-11-22T14:05:00Z" or with an offset
 * ("+02:00", "-05:30") and optional fractional seconds, into Unix seconds
 * (the fraction is dropped). Only the profile RFC 3339 defines: a 'T' or
 * 't' between date and time, 'Z' or 'z' or a numeric offset, no leap
 * second, years 0001 to 9999. L2W_ERR_INVALID with what is wrong in err. */
L2W_MUST_CHECK l2w_status l2w_rfc3339_parse(int64_t *out, const char *text, l2w_err *err);

#endif
