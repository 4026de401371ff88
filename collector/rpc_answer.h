#ifndef L2W_COLLECTOR_RPC_ANSWER_H
#define L2W_COLLECTOR_RPC_ANSWER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

/* Reading a JSON-RPC answer while leaving some results as text.
 *
 * An eth_getLogs answer can be megabytes; its reader (collector/eth_logs.h)
 * scans the text straight into logs. The rest of the answer (the envelope,
 * the other items of a batch) is still parsed with jansson, as every other
 * answer is, so the client's checks (ids, errors, "jsonrpc") stay the same. */

/* Where one response's result lies in the answer's text. */
typedef struct {
    size_t offset;
    size_t len;
    bool found;
} l2w_rpc_raw_span;

/* Parses an answer as l2w_json_parse would (the same texts accepted and
 * refused, with JSON_REJECT_DUPLICATES), except that the "result" value of
 * each response object whose "id" is the integer first_id + k with
 * keep_raw[k] set is checked but left out of the tree: *answer holds the
 * integer 0 in its place and spans[k] where its text lies. A response
 * object is the answer itself or an element of the top-level array (a
 * batch). spans[0..n) are all set (found false for those not kept). */
L2W_MUST_CHECK l2w_status l2w_rpc_parse_answer(const char *text, size_t len, uint64_t first_id, const bool *keep_raw,
                                               size_t n, json_t **answer, l2w_rpc_raw_span *spans, l2w_err *err);

#endif
