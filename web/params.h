#ifndef L2W_WEB_PARAMS_H
#define L2W_WEB_PARAMS_H

#include <stdint.h>

#include "core/status.h"

/* Parsers for values taken from URLs. They accept only the canonical form
 * (plain decimal digits, no sign, space or leading zero) so that every
 * accepted value has one spelling, and L2W_ERR_INVALID otherwise. */

/* A row limit: text NULL gives def; otherwise an integer in [1, max]. */
L2W_MUST_CHECK l2w_status l2w_web_parse_limit(unsigned *out, const char *text, unsigned def, unsigned max);

/* A positive database id (1 .. INT64_MAX). */
L2W_MUST_CHECK l2w_status l2w_web_parse_id(int64_t *out, const char *text);

/* A finding status filter: NULL text gives *out NULL (no filter); otherwise
 * one of open, resolved, retracted, returned as a static string. */
L2W_MUST_CHECK l2w_status l2w_web_parse_finding_status(const char **out, const char *text);

/* An RFC 3339 time (core/rfc3339.h: a zone required, a fraction of a second
 * dropped) as Unix seconds. */
L2W_MUST_CHECK l2w_status l2w_web_parse_time(int64_t *out, const char *text);

/* A UTC calendar day, exactly YYYY-MM-DD (0001-01-01 to 9999-12-31, a day
 * the month has), as the Unix seconds of its midnight. An accepted text is
 * also a PostgreSQL date literal. */
L2W_MUST_CHECK l2w_status l2w_web_parse_day(int64_t *out, const char *text);

#endif
