#ifndef L2W_RESPONDER_ACTION_H
#define L2W_RESPONDER_ACTION_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "collector/eth_tx.h"
#include "collector/rpc.h"
#include "core/abi.h"
#include "core/bytes.h"
#include "core/config.h"
#include "core/eth_types.h"
#include "core/finding.h"
#include "core/status.h"

/* A response action: an on-chain answer to findings. Each action knows
 * which findings it answers, how to build its call from one, whether it is
 * still needed just before a nonce is spent on it, and whether it took
 * effect once mined. */

typedef struct {
    char idempotency_key[480]; /* names the fact answered; one action per key, ever */
    char chain[40];            /* the chain the transaction goes to */
    l2w_addr to;
    l2w_bytes calldata;        /* owned */
    l2w_u256 value;            /* wei sent with the call (a bond); zero for most actions */
    json_t *params;            /* owned: what still_needed and verify read */
    char summary[256];         /* one line for logs and alerts */
    /* When the answer stops mattering and when its window opened (unix
     * seconds; 0 = no deadline): fees rise as the rest of the window
     * shrinks (responder/fees.h). */
    int64_t deadline;
    int64_t window_start;
} l2w_action_plan;

void l2w_action_plan_clear(l2w_action_plan *p);
/* Appends the ABI-encoded call of signature with args to out (a plan's calldata). */
L2W_MUST_CHECK l2w_status l2w_action_calldata(l2w_bytes *out, const char *signature, const l2w_abi_value *args,
                                              l2w_err *err);

/* What the checks see of a stored response. */
typedef struct {
    l2w_addr to;
    const json_t *params;
    bool has_sender;
    l2w_addr sender;
    l2w_hash tx_hash;          /* verify: the mined transaction */
    uint64_t mined_block;      /* verify: its block */
} l2w_action_target;

typedef struct {
    const char *name;
    /* Whether this action answers f. Most answer one kind; some look at
     * what the finding is about in cfg (pause_bridge: the bridge its
     * evidence names, and whether that bridge's pause.on lists the kind). */
    bool (*answers)(const l2w_finding *f, const l2w_config *cfg);
    /* Optional: the mode and signer when no responses.rules entry names the
     * finding's kind and chain (pause_bridge: the bridge's pause.mode and
     * pause.signer). NULL = responses.default_mode and no signer. *signer
     * is borrowed from cfg. */
    void (*mode_for)(const l2w_finding *f, const l2w_config *cfg, l2w_response_mode *mode, const char **signer);
    L2W_MUST_CHECK l2w_status (*plan)(const l2w_finding *f, const l2w_config *cfg, l2w_action_plan *out,
                                      l2w_err *err);
    /* *needed false with a note when the chain no longer needs the call
     * (someone else answered first, the target moved on). */
    L2W_MUST_CHECK l2w_status (*still_needed)(l2w_rpc *rpc, const l2w_action_target *t, bool *needed, char *note,
                                              size_t note_len, l2w_err *err);
    /* After the transaction is mined successfully and confirmed: did the
     * state change it was sent for happen, in that transaction? */
    L2W_MUST_CHECK l2w_status (*verify)(l2w_rpc *rpc, const l2w_action_target *t, bool *effective, char *note,
                                        size_t note_len, l2w_err *err);
} l2w_action;

/* The action answering f, or NULL. At most one action answers a finding. */
const l2w_action *l2w_action_for(const l2w_finding *f, const l2w_config *cfg);
/* The action called name (as stored in responses.action), or NULL. */
const l2w_action *l2w_action_by_name(const char *name);

#endif
