#ifndef L2W_CORE_ABI_EVENT_H
#define L2W_CORE_ABI_EVENT_H

/* Event signatures as people write them in a config, in Solidity's
 * declaration syntax with parameter names and `indexed`:
 *
 *   Released(bytes32 indexed messageId, address indexed token, address indexed recipient, uint256 amount)
 *
 * parsed into an l2w_event_layout (core/config.h): the canonical signature
 * "Released(bytes32,address,address,uint256)", its topic0, and where each
 * parameter sits in a log (a topic when indexed, else a word of the data
 * head). Types are canonicalised through core/abi.h, so `uint` and `int`
 * are read as uint256 and int256 and a tuple may be written with spaces
 * ("(uint256, address)"); struct and enum names cannot be resolved and are
 * refused. Anonymous events have no topic0 to filter on and are refused.
 *
 * Ownership: the strings of a layout filled by l2w_event_layout_parse are
 * freed by l2w_event_layout_free (which also accepts a zeroed layout). */

#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/eth_types.h"
#include "core/status.h"

/* A log has topic0 plus at most three indexed parameters. */
#define L2W_EVENT_MAX_INDEXED 3

/* Fills *out from signature; the field indices (token, recipient, amount,
 * message_id) are set to -1 for the caller to choose. On failure *out is
 * left zeroed with indices -1 (nothing to free) and err says which
 * parameter or column is wrong. */
L2W_MUST_CHECK l2w_status l2w_event_layout_parse(l2w_event_layout *out, const char *signature, l2w_err *err);
void l2w_event_layout_free(l2w_event_layout *l);

/* Index of the parameter called name, or -1. */
int l2w_event_param_find(const l2w_event_layout *l, const char *name);

/* The 32-byte word of parameter param of a log of this event: its topic when
 * indexed, else its word in the data head. Only a one-word value type
 * (is_static) has its value in one word. L2W_ERR_INVALID with a message when
 * param is not such a parameter, the topic count is not 1 + the indexed
 * count, topic0 is another event's, the data is too short to hold the word,
 * or the word is not a canonically padded value of the parameter's type. */
L2W_MUST_CHECK l2w_status l2w_event_word(const l2w_event_layout *l, int param, const l2w_hash *topics,
                                         size_t n_topics, const uint8_t *data, size_t data_len, uint8_t out[32],
                                         l2w_err *err);

#endif
