#ifndef L2W_COLLECTOR_BRIDGE_EVENTS_H
#define L2W_COLLECTOR_BRIDGE_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "collector/eth.h"
#include "collector/watch_list.h"
#include "core/db.h"
#include "core/status.h"
#include "detectors/bridge_facts.h"

/* A watched bridge's event, decoded into what the bridge detectors use and
 * stored in bridge_events. */

typedef struct {
    const char *bridge;        /* the config's name */
    const char *kind;          /* withdrawal_proven | withdrawal_finalized | deposit | release | initiation */
    char token[43];            /* "native", a 0x-address, or "" when the event does not say */
    l2w_bridge_transfer t;     /* block, tx, log and the message id, token, recipient, amount found */
    bool has_sender;
    l2w_addr sender;
    bool has_success;
    bool success;
    int check_status;          /* 0: forged_withdrawal must judge it; 3: nothing to judge */
} l2w_bridge_event;

/* Decodes log (matched to watch w, a bridge kind) from a block with
 * timestamp. L2W_ERR_INVALID with the reason when the log does not have the
 * event's shape: the caller logs it and keeps going. */
L2W_MUST_CHECK l2w_status l2w_bridge_event_decode(l2w_bridge_event *out, const l2w_watch *w, const l2w_evm_log *log,
                                                  uint64_t timestamp, l2w_err *err);

/* Inside a transaction: stores n events of chain. */
L2W_MUST_CHECK l2w_status l2w_store_bridge_events(l2w_db *db, const char *chain, const l2w_bridge_event *e, size_t n,
                                                  l2w_err *err);

/* "native" or the lowercase 0x-address, for the token columns and subjects. */
void l2w_token_key(char out[43], bool native, const l2w_addr *token);

#endif
