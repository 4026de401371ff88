#ifndef L2W_COLLECTOR_ETH_LOGS_H
#define L2W_COLLECTOR_ETH_LOGS_H

#include <stddef.h>
#include <stdint.h>

#include "collector/eth.h"
#include "core/status.h"

/* A strict scanner for the result of eth_getLogs: the JSON text of the
 * array, straight to l2w_evm_log values, with no JSON tree in between.
 *
 * Catch-up reads answers of many megabytes; building a jansson tree of
 * them, then walking it, costs several times what the node took to send
 * them (bench/README.md). The scanner gives the same answer as jansson
 * (JSON_REJECT_DUPLICATES) followed by l2w_eth_logs_from_json on every
 * input, which tests/unit/test_log_scan.c checks on random and adversarial
 * texts: the same logs, or a refusal with the same status. So it refuses
 * what jansson refuses (invalid UTF-8, control characters and \u0000 in
 * strings, lone surrogates, duplicate keys after unescaping, integers
 * beyond 64 bits, reals beyond a double, nesting deeper than 2048 values,
 * anything after the array), and what the typed walk refuses (a missing,
 * null or mistyped field, bad hex, a wrong length, more than 4 topics, data
 * over L2W_LOG_MAX_DATA, a log outside from..to, "removed": true as
 * L2W_ERR_NOT_READY, more than L2W_ETH_MAX_LOGS_PER_CALL logs as
 * L2W_ERR_RANGE). Unknown fields are checked and skipped. A refusal's
 * message names the log's index and field, or the byte offset of a syntax
 * error.
 *
 * On success *out holds *n_out logs, freed with l2w_logs_free. */
L2W_MUST_CHECK l2w_status l2w_eth_logs_scan(const char *text, size_t len, uint64_t from, uint64_t to,
                                            l2w_evm_log **out, size_t *n_out, l2w_err *err);

#endif
