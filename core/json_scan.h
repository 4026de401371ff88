#ifndef L2W_CORE_JSON_SCAN_H
#define L2W_CORE_JSON_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

/* A strict JSON scanner over text in memory: it walks the text once and
 * hands the caller the members and elements it asks for, with no tree in
 * between. It refuses exactly what jansson's json_loadb with
 * JSON_REJECT_DUPLICATES refuses (invalid UTF-8, control characters and
 * \u0000 in strings, lone surrogates, duplicate keys after unescaping,
 * integers beyond 64 bits, reals beyond a double, nesting deeper than 2048
 * values), so a reader built on it accepts the same answers as one built on
 * jansson (tests/unit/test_log_scan.c and test_rpc_answer.c compare them).
 *
 * Large JSON-RPC answers (eth_getLogs over thousands of blocks) are read
 * this way: building a jansson tree of them costs several times what the
 * node took to send them (bench/README.md). */

typedef struct {
    const uint8_t *start;
    const uint8_t *p;
    const uint8_t *end;
    size_t depth;
    l2w_err *err; /* a syntax error's message: what, and the byte offset */
} l2w_jscan;

typedef enum { L2W_J_NULL, L2W_J_TRUE, L2W_J_FALSE, L2W_J_STRING, L2W_J_NUMBER, L2W_J_ARRAY, L2W_J_OBJECT } l2w_jkind;

/* A string's content: a span of the text when it has no escapes, else a
 * decoded copy (owned, freed by l2w_jspan_free). */
typedef struct {
    const char *p;
    size_t len;
    char *owned;
} l2w_jspan;

void l2w_jscan_init(l2w_jscan *s, const char *text, size_t len, l2w_err *err);
void l2w_jspan_free(l2w_jspan *t);
/* Sets err to a syntax error at the current offset; L2W_ERR_PROTOCOL. */
L2W_MUST_CHECK l2w_status l2w_jscan_syntax(l2w_jscan *s, const char *what);
/* Skips whitespace. */
void l2w_jscan_ws(l2w_jscan *s);
/* Whether the next byte is c. */
bool l2w_jscan_at(const l2w_jscan *s, uint8_t c);
/* The byte offset of the scan in the text. */
size_t l2w_jscan_offset(const l2w_jscan *s);

/* One value at the current position (no whitespace before it), checked and
 * passed over: its kind, and a string's content in *str when str is not
 * NULL. */
L2W_MUST_CHECK l2w_status l2w_jscan_value(l2w_jscan *s, l2w_jkind *kind, l2w_jspan *str);

/* The object at the current position ('{'), each member's value handed to
 * member with its key (unescaped), positioned at the value; member must
 * pass over exactly one value (l2w_jscan_value does). Repeated keys are a
 * syntax error, found at the closing '}'. */
typedef l2w_status (*l2w_jscan_member_fn)(l2w_jscan *s, void *ctx, const l2w_jspan *key);
L2W_MUST_CHECK l2w_status l2w_jscan_object(l2w_jscan *s, l2w_jscan_member_fn member, void *ctx);

/* The array at the current position ('['), each element handed to element
 * with its index; element must pass over exactly one value. */
typedef l2w_status (*l2w_jscan_element_fn)(l2w_jscan *s, void *ctx, size_t index);
L2W_MUST_CHECK l2w_status l2w_jscan_array(l2w_jscan *s, l2w_jscan_element_fn element, void *ctx);

/* Whitespace, then the end of the text, or a syntax error. */
L2W_MUST_CHECK l2w_status l2w_jscan_end(l2w_jscan *s);

#endif
