#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/eth.h"
#include "collector/eth_tx.h"
#include "core/channel_intake.h"
#include "core/channel_nitro.h"
#include "core/channel_vector.h"
#include "core/hex.h"
#include "core/json_path.h"
#include "responder/action.h"

/* channel_dispute: the watchtower's answer to stale_channel_close. The
 * finding's evidence carries the held state with every signature; the
 * answer registers it on chain before the window closes:
 *   - Vector: disputeChannel(state, aliceSig, bobSig) on the channel itself,
 *     which CMCAdjudicator accepts in the consensus phase for any higher
 *     nonce; getChannelDispute() then shows the held nonce and state hash;
 *   - Nitro: checkpoint(fixedPart, turnNum, [state], isFinal, sigs, [0...])
 *     on the NitroAdjudicator, which accepts a supported state with a higher
 *     turn and clears the challenge; statusOf(channelId) then shows the held
 *     turn with finalizesAt 0.
 * Anyone may send either call: the tower's key pays gas and needs no role. */

static bool answers(const l2w_finding *f, const l2w_config *cfg)
{
    return cfg->channels.enabled && strcmp(f->kind, "stale_channel_close") == 0;
}

static l2w_status vector_calldata(l2w_bytes *out, const json_t *held, l2w_err *err)
{
    l2w_vector_state s;
    l2w_status st = l2w_vector_state_from_json(&s, json_object_get(held, "state"), err);
    if (st != L2W_OK)
        return st;
    const json_t *sigs = json_object_get(held, "signatures");
    uint8_t *sig[2] = {NULL, NULL};
    size_t len[2] = {0, 0};
    for (size_t i = 0; st == L2W_OK && i < 2; i++)
        st = l2w_jpath_data(&sig[i], &len[i], json_array_get(sigs, i), L2W_VECTOR_SIG_LEN, "held.signatures", err);
    uint8_t *data = NULL;
    size_t data_len = 0;
    if (st == L2W_OK)
        st = l2w_vector_dispute_calldata(&data, &data_len, &s, sig[0], len[0], sig[1], len[1], err);
    if (st == L2W_OK) {
        l2w_bytes_append(out, data, data_len);
        st = l2w_bytes_status(out);
    }
    free(data);
    free(sig[0]);
    free(sig[1]);
    l2w_vector_state_free(&s);
    return st;
}

static l2w_status nitro_calldata(l2w_bytes *out, const json_t *held, l2w_err *err)
{
    l2w_nitro_fixed f;
    l2w_nitro_state s;
    l2w_nitro_sig sigs[L2W_NITRO_MAX_PARTICIPANTS];
    size_t n = 0;
    l2w_status st = l2w_nitro_from_submission(&f, &s, sigs, &n, held, err);
    if (st != L2W_OK)
        return st;
    uint8_t *data = NULL;
    size_t data_len = 0;
    st = l2w_nitro_checkpoint_calldata(&data, &data_len, &f, &s, sigs, n, err);
    if (st == L2W_OK) {
        l2w_bytes_append(out, data, data_len);
        st = l2w_bytes_status(out);
    }
    free(data);
    l2w_nitro_fixed_free(&f);
    l2w_nitro_state_free(&s);
    return st;
}

static l2w_status plan(const l2w_finding *f, const l2w_config *cfg, l2w_action_plan *out, l2w_err *err)
{
    memset(out, 0, sizeof *out);
    const json_t *ev = f->evidence;
    const char *protocol = json_string_value(json_object_get(ev, "protocol"));
    const char *channel = json_string_value(json_object_get(ev, "channel"));
    const char *version = json_string_value(json_object_get(ev, "heldVersion"));
    const char *hash = json_string_value(json_object_get(ev, "heldStateHash"));
    const json_t *held = json_object_get(ev, "held");
    if (!protocol || !channel || !version || !hash || !json_is_object(held)) {
        l2w_err_set(err, "finding %s: evidence lacks the held state", f->dedup_key);
        return L2W_ERR_INVALID;
    }
    bool vector = strcmp(protocol, "vector") == 0;
    l2w_status st;
    if (vector) {
        st = l2w_addr_from_hex(&out->to, channel);
        if (st == L2W_OK)
            st = vector_calldata(&out->calldata, held, err);
    } else {
        out->to = cfg->channels.nitro_adjudicator;
        st = nitro_calldata(&out->calldata, held, err);
    }
    if (st == L2W_OK && !(out->params = json_pack("{s:s, s:s, s:s, s:s}", "protocol", protocol, "channel", channel,
                                                  "version", version, "stateHash", hash)))
        st = L2W_ERR_NOMEM;
    if (st != L2W_OK) {
        l2w_err_prefix(err, "finding %s", f->dedup_key);
        l2w_action_plan_clear(out);
        return st;
    }
    json_int_t deadline = json_integer_value(json_object_get(ev, "deadline"));
    json_int_t start = json_integer_value(json_object_get(ev, "windowStart"));
    out->deadline = deadline;
    out->window_start = start;
    snprintf(out->idempotency_key, sizeof out->idempotency_key, "channel:%s", f->dedup_key);
    snprintf(out->chain, sizeof out->chain, "%s", cfg->channels.chain);
    snprintf(out->summary, sizeof out->summary, "%s with the held %s state version %s of channel %s, before %lld",
             vector ? "disputeChannel" : "checkpoint", protocol, version, channel, (long long)deadline);
    return L2W_OK;
}

/* What the chain holds now for the channel: the registered version, and
 * for Nitro the challenge's finalizesAt (0 when none), for Vector the
 * consensusExpiry and the registered state hash. */
typedef struct {
    l2w_u256 version;
    uint64_t deadline;
    l2w_hash state_hash; /* Vector only */
} onchain_status;

static l2w_status read_status(l2w_rpc *rpc, const l2w_action_target *t, const char *block_tag,
                              onchain_status *out, l2w_err *err)
{
    memset(out, 0, sizeof *out);
    const char *protocol = json_string_value(json_object_get(t->params, "protocol"));
    const char *channel = json_string_value(json_object_get(t->params, "channel"));
    if (!protocol || !channel) {
        l2w_err_set(err, "response params: protocol or channel missing");
        return L2W_ERR_INVALID;
    }
    if (strcmp(protocol, "vector") == 0) {
        /* ChannelDispute: channelStateHash, nonce, merkleRoot, consensusExpiry, defundExpiry */
        uint8_t w[5 * 32];
        l2w_status st = l2w_eth_call_words(rpc, &t->to, "getChannelDispute()", NULL, block_tag, NULL, 5, w, err);
        if (st != L2W_OK)
            return st;
        memcpy(out->state_hash.b, w, 32);
        l2w_u256_from_be32(&out->version, w + 32);
        l2w_u256 expiry;
        l2w_u256_from_be32(&expiry, w + 96);
        return l2w_u256_to_u64(&out->deadline, &expiry) == L2W_OK ? L2W_OK : L2W_ERR_PROTOCOL;
    }
    l2w_hash id;
    if (l2w_hash_from_hex(&id, channel) != L2W_OK) {
        l2w_err_set(err, "response params: channel is not a channel id");
        return L2W_ERR_INVALID;
    }
    uint8_t w[32];
    l2w_status st = l2w_eth_call_words(rpc, &t->to, "statusOf(bytes32)", id.b, block_tag, NULL, 1, w, err);
    if (st != L2W_OK)
        return st;
    /* StatusManager packs turnNumRecord (48 bits), finalizesAt (48 bits), fingerprint (160 bits). */
    uint64_t turn = 0, finalizes = 0;
    for (int i = 0; i < 6; i++) {
        turn = turn << 8 | w[i];
        finalizes = finalizes << 8 | w[6 + i];
    }
    out->version = l2w_u256_from_u64(turn);
    out->deadline = finalizes;
    return L2W_OK;
}

static l2w_status held_version(const l2w_action_target *t, l2w_u256 *out, l2w_err *err)
{
    const char *v = json_string_value(json_object_get(t->params, "version"));
    if (!v || l2w_u256_from_dec(out, v) != L2W_OK) {
        l2w_err_set(err, "response params: version missing");
        return L2W_ERR_INVALID;
    }
    return L2W_OK;
}

static l2w_status still_needed(l2w_rpc *rpc, const l2w_action_target *t, bool *needed, char *note, size_t note_len,
                               l2w_err *err)
{
    l2w_u256 held;
    onchain_status now;
    l2w_status st = held_version(t, &held, err);
    if (st == L2W_OK)
        st = read_status(rpc, t, "latest", &now, err);
    uint64_t head = 0;
    l2w_block_header h;
    if (st == L2W_OK)
        st = l2w_eth_block_number(rpc, &head, err);
    if (st == L2W_OK)
        st = l2w_eth_header_by_number(rpc, head, &h, err);
    if (st != L2W_OK)
        return st;
    char onchain[L2W_U256_DEC_LEN];
    l2w_u256_to_dec(onchain, &now.version);
    *needed = false;
    if (l2w_u256_cmp(&now.version, &held) >= 0)
        snprintf(note, note_len, "the chain already holds version %s, not older than the tower's", onchain);
    else if (now.deadline != 0 && now.deadline <= h.timestamp)
        snprintf(note, note_len, "too late: the window closed at %llu, the latest block is at %llu",
                 (unsigned long long)now.deadline, (unsigned long long)h.timestamp);
    else
        *needed = true;
    return L2W_OK;
}

static l2w_status verify(l2w_rpc *rpc, const l2w_action_target *t, bool *effective, char *note, size_t note_len,
                         l2w_err *err)
{
    l2w_u256 held;
    l2w_hash held_hash;
    onchain_status after;
    char tag[19];
    l2w_u64_to_quantity(tag, t->mined_block);
    l2w_status st = held_version(t, &held, err);
    const char *hash = json_string_value(json_object_get(t->params, "stateHash"));
    if (st == L2W_OK && (!hash || l2w_hash_from_hex(&held_hash, hash) != L2W_OK)) {
        l2w_err_set(err, "response params: stateHash missing");
        st = L2W_ERR_INVALID;
    }
    if (st == L2W_OK)
        st = read_status(rpc, t, tag, &after, err);
    if (st != L2W_OK)
        return st;
    bool vector = strcmp(json_string_value(json_object_get(t->params, "protocol")), "vector") == 0;
    char onchain[L2W_U256_DEC_LEN];
    l2w_u256_to_dec(onchain, &after.version);
    bool same_version = l2w_u256_cmp(&after.version, &held) == 0;
    *effective = same_version && (vector ? l2w_hash_eq(&after.state_hash, &held_hash) : after.deadline == 0);
    if (*effective)
        snprintf(note, note_len, "%s holds the tower's state (version %s)%s", vector ? "the channel" : "the adjudicator",
                 onchain, vector ? "" : " and the challenge is cleared");
    else
        snprintf(note, note_len, "at the mined block the chain holds version %s%s", onchain,
                 vector ? (same_version ? " with another state hash" : "") : (same_version ? " but still challenged" : ""));
    return L2W_OK;
}

const l2w_action l2w_action_channel_dispute = {
    .name = "channel_dispute",
    .answers = answers,
    .mode_for = NULL,
    .plan = plan,
    .still_needed = still_needed,
    .verify = verify,
};
