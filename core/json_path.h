#ifndef L2W_CORE_JSON_PATH_H
#define L2W_CORE_JSON_PATH_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/eth_types.h"
#include "core/status.h"
#include "core/u256.h"

/* Typed readers of JSON values that clients send (channel states, API
 * bodies), each refusal L2W_ERR_INVALID with a message that starts with the
 * value's path ("state.balances[1].amount[0]: negative number"), so a
 * client sees which field of its body is wrong. Numbers may be decimal
 * strings, 0x quantities or non-negative JSON integers. */

/* "an object", "a string", ...: what v is, for messages. */
const char *l2w_jpath_kind(const json_t *v);
/* Sets err (when not NULL) from fmt; returns L2W_ERR_INVALID. */
l2w_status l2w_jpath_invalid(l2w_err *err, const char *fmt, ...) L2W_PRINTF(2, 3);
/* The string of v, refusing another type (want names what was expected)
 * and embedded NULs; NULL with err set otherwise. */
const char *l2w_jpath_text(const json_t *v, const char *path, const char *want, l2w_err *err);
L2W_MUST_CHECK l2w_status l2w_jpath_u256(l2w_u256 *out, const json_t *v, const char *path, l2w_err *err);
L2W_MUST_CHECK l2w_status l2w_jpath_addr(l2w_addr *out, const json_t *v, const char *path, l2w_err *err);
L2W_MUST_CHECK l2w_status l2w_jpath_hash(l2w_hash *out, const json_t *v, const char *path, l2w_err *err);
/* 0x hex of at most cap bytes into a malloc'd buffer (non-NULL even for none). */
L2W_MUST_CHECK l2w_status l2w_jpath_data(uint8_t **out, size_t *out_len, const json_t *v, size_t cap,
                                         const char *path, l2w_err *err);
/* Refuses members of obj not in names[0..n): a misspelt field would
 * otherwise be dropped silently, and a hash over the rest would not match
 * what was signed. path may be "" for the top level. */
L2W_MUST_CHECK l2w_status l2w_jpath_only_fields(const json_t *obj, const char *const *names, size_t n,
                                                const char *path, l2w_err *err);

#endif
