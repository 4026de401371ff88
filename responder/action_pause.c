#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/bridge_reads.h"
#include "collector/eth.h"
#include "core/abi.h"
#include "core/hex.h"
#include "core/json.h"
#include "responder/action.h"

/* pause_bridge: the circuit breaker. A finding about a bridge (its evidence
 * names it: "bridge": "<name>") whose kind the bridge's pause.on lists stops
 * the bridge's withdrawals, through
 *   - SuperchainConfig.pause(string identifier), guardian only: every OP
 *     Stack chain of the Superchain at once; emits Paused(string);
 *   - pause() of an OpenZeppelin Pausable contract (a lock-release escrow),
 *     caller per the contract's access control; emits Paused(address).
 * Both expose paused(), which is what still_needed and verify read. One
 * response per finding, but a paused contract needs no second pause: the
 * second finding's response ends as not_needed. */

#define SUPERCHAIN_PAUSE "pause(string)"
#define PAUSABLE_PAUSE "pause()"
#define SUPERCHAIN_PAUSED_EVENT "Paused(string)"
#define PAUSABLE_PAUSED_EVENT "Paused(address)"
/* The identifier is for people reading the guardian's transactions; the
 * kinds and bridge names that make it are short, so the cap only guards
 * against a future kind with a long name. */
#define MAX_IDENTIFIER 96

static const l2w_bridge_config *finding_bridge(const l2w_finding *f, const l2w_config *cfg)
{
    const json_t *v = json_object_get(f->evidence, "bridge");
    return json_is_string(v) ? l2w_config_bridge(cfg, json_string_value(v)) : NULL;
}

static bool pause_listed(const l2w_bridge_config *b, const char *kind)
{
    for (size_t i = 0; i < b->n_pause_on; i++)
        if (strcmp(b->pause_on[i], kind) == 0)
            return true;
    return false;
}

static bool can_pause(const l2w_bridge_config *b)
{
    switch (b->pause_method) {
    case L2W_PAUSE_NONE:
        return false;
    case L2W_PAUSE_SUPERCHAIN:
    case L2W_PAUSE_PAUSABLE:
        return b->has_pause_contract;
    }
    return false;
}

static bool answers(const l2w_finding *f, const l2w_config *cfg)
{
    const l2w_bridge_config *b = finding_bridge(f, cfg);
    return b && can_pause(b) && pause_listed(b, f->kind);
}

/* Without a responses.rules entry, the bridge's own pause section decides:
 * a breaker is configured where the bridge is. */
static void mode_for(const l2w_finding *f, const l2w_config *cfg, l2w_response_mode *mode, const char **signer)
{
    const l2w_bridge_config *b = finding_bridge(f, cfg);
    *mode = b ? b->pause_mode : L2W_RESPONSE_OFF;
    *signer = b ? b->pause_signer : NULL;
}

static const char *method_name(l2w_pause_method m)
{
    switch (m) {
    case L2W_PAUSE_NONE:
        return "none";
    case L2W_PAUSE_SUPERCHAIN:
        return "superchain";
    case L2W_PAUSE_PAUSABLE:
        return "pausable";
    }
    return "?";
}

static l2w_status encode_pause(l2w_pause_method method, const char *identifier, l2w_bytes *out, l2w_err *err)
{
    l2w_abi_value arg = l2w_abi_val_string(identifier);
    bool superchain = method == L2W_PAUSE_SUPERCHAIN;
    l2w_abi_value args = l2w_abi_val_tuple(&arg, superchain ? 1 : 0);
    return l2w_action_calldata(out, superchain ? SUPERCHAIN_PAUSE : PAUSABLE_PAUSE, &args, err);
}

static l2w_status plan(const l2w_finding *f, const l2w_config *cfg, l2w_action_plan *out, l2w_err *err)
{
    memset(out, 0, sizeof *out);
    const l2w_bridge_config *b = finding_bridge(f, cfg);
    if (!b || !can_pause(b)) {
        l2w_err_set(err, "finding %s: evidence names no bridge with a pause contract", f->dedup_key);
        return L2W_ERR_INVALID;
    }
    char identifier[MAX_IDENTIFIER + 1] = "";
    if (b->pause_method == L2W_PAUSE_SUPERCHAIN)
        snprintf(identifier, sizeof identifier, "l2watch:%s:%s", f->kind, b->name);
    out->to = b->pause_contract;
    l2w_status st = encode_pause(b->pause_method, identifier, &out->calldata, err);
    if (st == L2W_OK && !(out->params = json_pack("{s:s, s:s, s:s}", "bridge", b->name, "method",
                                                  method_name(b->pause_method), "identifier", identifier))) {
        l2w_err_set(err, "finding %s: out of memory", f->dedup_key);
        st = L2W_ERR_NOMEM;
    }
    if (st != L2W_OK) {
        l2w_action_plan_clear(out);
        return st;
    }
    /* One response per finding; a second finding on the same bridge gets a
     * row of its own, which still_needed ends once the first pause holds. */
    snprintf(out->idempotency_key, sizeof out->idempotency_key, "pause:%s:%s", b->name, f->dedup_key);
    snprintf(out->chain, sizeof out->chain, "%s", b->chain);
    char contract[L2W_ADDR_HEX_LEN];
    l2w_addr_to_hex(contract, &b->pause_contract);
    if (b->pause_method == L2W_PAUSE_SUPERCHAIN)
        snprintf(out->summary, sizeof out->summary, "pause(\"%s\") on SuperchainConfig %s (%s): %s on bridge %s",
                 identifier, contract, b->chain, f->kind, b->name);
    else
        snprintf(out->summary, sizeof out->summary, "pause() on %s (%s): %s on bridge %s", contract, b->chain, f->kind,
                 b->name);
    return L2W_OK;
}

static l2w_status params_string(const l2w_action_target *t, const char *key, const char **out, l2w_err *err)
{
    const json_t *v = json_object_get(t->params, key);
    if (!json_is_string(v)) {
        l2w_err_set(err, "response params: %s missing", key);
        return L2W_ERR_INVALID;
    }
    *out = json_string_value(v);
    return L2W_OK;
}

static l2w_status still_needed(l2w_rpc *rpc, const l2w_action_target *t, bool *needed, char *note, size_t note_len,
                               l2w_err *err)
{
    bool paused = false;
    l2w_status st = l2w_read_paused(rpc, &t->to, "latest", &paused, err);
    if (st != L2W_OK)
        return st;
    *needed = !paused;
    if (paused) {
        char contract[L2W_ADDR_HEX_LEN];
        l2w_addr_to_hex(contract, &t->to);
        snprintf(note, note_len, "already paused: paused() on %s is true at the latest block", contract);
    }
    return L2W_OK;
}

/* The data our Paused event must carry: the identifier sent (Paused(string))
 * or the sender (Paused(address account)). */
static l2w_status expected_event(const l2w_action_target *t, const char *method, l2w_hash *topic, l2w_bytes *data,
                                 bool *check_data, l2w_err *err)
{
    *check_data = true;
    if (strcmp(method, "superchain") == 0) {
        const char *identifier = ""; /* filled by params_string; the encoding below runs either way */
        l2w_status st = params_string(t, "identifier", &identifier, err);
        if (st == L2W_OK)
            st = l2w_abi_event_topic(topic, SUPERCHAIN_PAUSED_EVENT, err);
        l2w_abi_type *type = NULL;
        if (st == L2W_OK)
            st = l2w_abi_type_parse(&type, "(string)", err);
        l2w_abi_value arg = l2w_abi_val_string(identifier);
        l2w_abi_value args = l2w_abi_val_tuple(&arg, 1);
        uint8_t *enc = NULL;
        size_t len = 0;
        if (st == L2W_OK)
            st = l2w_abi_encode(&enc, &len, type, &args, err);
        l2w_abi_type_free(type);
        if (st == L2W_OK)
            l2w_bytes_append(data, enc, len);
        free(enc);
        return st == L2W_OK ? l2w_bytes_status(data) : st;
    }
    if (strcmp(method, "pausable") == 0) {
        uint8_t word[32] = {0};
        memcpy(word + 12, t->sender.b, 20);
        /* a dry run's row has no sender; verify only runs on sent ones */
        *check_data = t->has_sender;
        l2w_bytes_append(data, word, sizeof word);
        l2w_status st = l2w_abi_event_topic(topic, PAUSABLE_PAUSED_EVENT, err);
        return st == L2W_OK ? l2w_bytes_status(data) : st;
    }
    l2w_err_set(err, "response params: unknown pause method \"%.40s\"", method);
    return L2W_ERR_INVALID;
}

static bool is_our_event(const l2w_evm_log *log, const l2w_action_target *t, const l2w_bytes *data, bool check_data)
{
    if (!l2w_hash_eq(&log->tx_hash, &t->tx_hash) || !l2w_addr_eq(&log->address, &t->to) || log->n_topics != 1)
        return false;
    return !check_data || (log->data_len == data->len && memcmp(log->data, data->data, data->len) == 0);
}

static l2w_status paused_event_in_block(l2w_rpc *rpc, const l2w_action_target *t, const char *method, bool *found,
                                        l2w_err *err)
{
    l2w_hash topic;
    l2w_bytes data = {0};
    bool check_data = true;
    l2w_status st = expected_event(t, method, &topic, &data, &check_data, err);
    l2w_evm_log *logs = NULL;
    size_t n = 0;
    if (st == L2W_OK)
        st = l2w_eth_get_logs(rpc, t->mined_block, t->mined_block, &t->to, 1, &topic, 1, &logs, &n, err);
    *found = false;
    for (size_t i = 0; st == L2W_OK && i < n && !*found; i++)
        *found = is_our_event(&logs[i], t, &data, check_data);
    l2w_logs_free(logs, n);
    l2w_bytes_free(&data);
    return st;
}

static l2w_status verify(l2w_rpc *rpc, const l2w_action_target *t, bool *effective, char *note, size_t note_len,
                         l2w_err *err)
{
    const char *method;
    bool paused = false, found = false;
    char tag[19];
    l2w_u64_to_quantity(tag, t->mined_block);
    l2w_status st = params_string(t, "method", &method, err);
    if (st == L2W_OK)
        st = paused_event_in_block(rpc, t, method, &found, err);
    if (st == L2W_OK)
        st = l2w_read_paused(rpc, &t->to, tag, &paused, err);
    if (st != L2W_OK)
        return st;
    const char *event = strcmp(method, "superchain") == 0 ? SUPERCHAIN_PAUSED_EVENT : PAUSABLE_PAUSED_EVENT;
    *effective = found && paused;
    if (!found)
        snprintf(note, note_len, "no %s from the pause contract in this transaction", event);
    else if (!paused)
        snprintf(note, note_len, "%s emitted, but paused() is false at the mined block", event);
    else
        snprintf(note, note_len, "%s: paused() is true at the mined block", event);
    return L2W_OK;
}

const l2w_action l2w_action_pause_bridge = {
    .name = "pause_bridge",
    .answers = answers,
    .mode_for = mode_for,
    .plan = plan,
    .still_needed = still_needed,
    .verify = verify,
};
