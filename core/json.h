#ifndef L2W_CORE_JSON_H
#define L2W_CORE_JSON_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/eth_types.h"
#include "core/status.h"
#include "core/u256.h"

/* Helpers over jansson for JSON that comes from outside (RPC answers, HTTP
 * bodies). Parsing rejects duplicate keys and NUL bytes in strings; getters
 * check type and format and name the field in the error. */

/* Parse len bytes; *out is a new reference the caller releases with json_decref. */
L2W_MUST_CHECK l2w_status l2w_json_parse(json_t **out, const char *buf, size_t len, l2w_err *err);

/* Field getters on an object. A missing field, JSON null or a wrong type is
 * L2W_ERR_PROTOCOL with "field <key>: ..." in err. */
L2W_MUST_CHECK l2w_status l2w_json_get_quantity(uint64_t *out, const json_t *obj, const char *key, l2w_err *err);
L2W_MUST_CHECK l2w_status l2w_json_get_u256(l2w_u256 *out, const json_t *obj, const char *key, l2w_err *err);
L2W_MUST_CHECK l2w_status l2w_json_get_hash(l2w_hash *out, const json_t *obj, const char *key, l2w_err *err);
L2W_MUST_CHECK l2w_status l2w_json_get_addr(l2w_addr *out, const json_t *obj, const char *key, l2w_err *err);
/* Hex data of at most max_len bytes into a malloc'd buffer (freed by caller;
 * a non-NULL pointer even for zero bytes). */
L2W_MUST_CHECK l2w_status l2w_json_get_data(uint8_t **out, size_t *out_len, const json_t *obj, const char *key,
                                            size_t max_len, l2w_err *err);

/* Value conversions for array elements and bare results. what names the value in errors. */
L2W_MUST_CHECK l2w_status l2w_json_to_quantity(uint64_t *out, const json_t *v, const char *what, l2w_err *err);
L2W_MUST_CHECK l2w_status l2w_json_to_hash(l2w_hash *out, const json_t *v, const char *what, l2w_err *err);

/* New JSON strings for hashes/addresses ("0x..." lowercase); NULL on OOM. */
json_t *l2w_json_hash(const l2w_hash *h);
json_t *l2w_json_addr(const l2w_addr *a);
/* "0x" + lowercase hex of len bytes ("0x" for none); NULL on OOM. */
json_t *l2w_json_hex(const uint8_t *data, size_t len);

#endif
