#include "detectors/stale_channel_close.h"

#include <stdio.h>
#include <string.h>

#include "core/hex.h"

l2w_channel_verdict l2w_stale_channel_close_judge(const l2w_channel_dispute *d, const l2w_channel_held *h)
{
    if (!h->held)
        return L2W_CHANNEL_NOT_WATCHED;
    return l2w_u256_cmp(&d->version, &h->version) < 0 ? L2W_CHANNEL_STALE : L2W_CHANNEL_CURRENT;
}

static void channel_hex(char out[2 * 32 + 3], const l2w_channel_dispute *d)
{
    l2w_hex_encode(out, d->channel, d->channel_len);
}

static const char *version_word(l2w_channel_protocol p)
{
    return p == L2W_CHANNEL_VECTOR ? "nonce" : "turn";
}

static const char *deadline_word(l2w_channel_protocol p)
{
    return p == L2W_CHANNEL_VECTOR ? "consensusExpiry" : "finalizesAt";
}

/* The dispute's key, shared by both findings about it. */
static l2w_status dispute_key(char *out, size_t len, const char *kind, const char *chain,
                              const l2w_channel_dispute *d, l2w_err *err)
{
    char block[L2W_HASH_HEX_LEN];
    l2w_hash_to_hex(block, &d->block_hash);
    int n = snprintf(out, len, "%s:%s:%s:%u", kind, chain, block, (unsigned)d->log_index);
    if (n < 0 || (size_t)n >= len) {
        l2w_err_set(err, "%s: dedup key too long", kind);
        return L2W_ERR_RANGE;
    }
    return L2W_OK;
}

static void anchor(l2w_finding *f, const char *chain, const l2w_channel_dispute *d)
{
    f->has_block_number = true;
    f->block_number = l2w_u256_from_u64(d->block_number);
    f->has_tx_hash = true;
    f->tx_hash = d->tx_hash;
    /* The dispute is the fact: a reorg that drops its block retracts both findings. */
    f->has_anchor = true;
    snprintf(f->anchor_chain, sizeof f->anchor_chain, "%s", chain);
    f->anchor_block_hash = d->block_hash;
}

l2w_status l2w_stale_channel_close_finding(l2w_finding *f, const char *chain, const l2w_channel_dispute *d,
                                           const l2w_channel_held *h, l2w_err *err)
{
    memset(f, 0, sizeof *f);
    if (l2w_stale_channel_close_judge(d, h) != L2W_CHANNEL_STALE) {
        l2w_err_set(err, "stale_channel_close: the dispute is not older than the held state");
        return L2W_ERR_INVALID;
    }
    l2w_status st = dispute_key(f->dedup_key, sizeof f->dedup_key, "stale_channel_close", chain, d, err);
    if (st != L2W_OK)
        return st;
    char channel[2 * 32 + 3], onchain[L2W_U256_DEC_LEN], held[L2W_U256_DEC_LEN], tx[L2W_HASH_HEX_LEN],
        hash[L2W_HASH_HEX_LEN], disputer[L2W_ADDR_HEX_LEN] = "";
    channel_hex(channel, d);
    l2w_u256_to_dec(onchain, &d->version);
    l2w_u256_to_dec(held, &h->version);
    l2w_hash_to_hex(tx, &d->tx_hash);
    l2w_hash_to_hex(hash, &h->state_hash);
    if (d->has_disputer)
        l2w_addr_to_hex(disputer, &d->disputer);
    const char *protocol = l2w_channel_protocol_name(d->protocol);
    f->kind = "stale_channel_close";
    f->severity = L2W_SEV_CRITICAL;
    snprintf(f->chain, sizeof f->chain, "%s", chain);
    snprintf(f->subject, sizeof f->subject, "channel:%s:%s", protocol, channel);
    l2w_finding_text(f->title, sizeof f->title, "%s channel %s disputed with %s %s; the tower holds %s", protocol, channel,
             version_word(d->protocol), onchain, held);
    l2w_finding_text(f->summary, sizeof f->summary,
             "A dispute on %s (tx %s, block %llu) put %s channel %s at %s %s, but the tower holds a state signed by "
             "every participant at %s %s. Unless the newer state is registered before %s %llu (unix seconds), the "
             "channel settles on the old one and its funds are split as that state says.",
             chain, tx, (unsigned long long)d->block_number, protocol, channel, version_word(d->protocol), onchain,
             version_word(d->protocol), held, deadline_word(d->protocol), (unsigned long long)d->deadline);
    f->evidence = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:s, s:I, s:s, s:O}", "protocol", protocol, "channel",
                            channel, "onchainVersion", onchain, "heldVersion", held, "deadline",
                            (json_int_t)d->deadline, "windowStart", (json_int_t)d->block_timestamp, "disputeTx", tx,
                            "disputeBlock", (json_int_t)d->block_number, "heldStateHash", hash, "held",
                            (json_t *)h->doc);
    if (f->evidence && d->has_disputer && json_object_set_new(f->evidence, "disputer", json_string(disputer)) != 0) {
        json_decref(f->evidence);
        f->evidence = NULL;
    }
    if (!f->evidence) {
        l2w_err_set(err, "stale_channel_close: out of memory building evidence");
        return L2W_ERR_NOMEM;
    }
    anchor(f, chain, d);
    return L2W_OK;
}

l2w_status l2w_channel_window_closing_finding(l2w_finding *f, const char *chain, const l2w_channel_dispute *d,
                                              int64_t finding_id, int64_t seconds_left, const char *response_status,
                                              l2w_err *err)
{
    memset(f, 0, sizeof *f);
    l2w_status st = dispute_key(f->dedup_key, sizeof f->dedup_key, "channel_window_closing", chain, d, err);
    if (st != L2W_OK)
        return st;
    char channel[2 * 32 + 3];
    channel_hex(channel, d);
    const char *protocol = l2w_channel_protocol_name(d->protocol);
    f->kind = "channel_window_closing";
    f->severity = L2W_SEV_CRITICAL;
    snprintf(f->chain, sizeof f->chain, "%s", chain);
    l2w_finding_text(f->title, sizeof f->title, "UNANSWERED: %s channel %s settles on a stale state in %lld s", protocol,
             channel, (long long)seconds_left);
    l2w_finding_text(f->summary, sizeof f->summary,
             "The stale close of %s channel %s (finding %lld) is still not answered on chain (response: %s) and its "
             "window closes at %s %llu, %lld seconds from the latest block. Register the held state by hand now: "
             "the finding's evidence carries it with every signature.",
             protocol, channel, (long long)finding_id, response_status ? response_status : "none",
             deadline_word(d->protocol), (unsigned long long)d->deadline, (long long)seconds_left);
    f->evidence = json_pack("{s:s, s:s, s:I, s:I, s:I, s:s?}", "protocol", protocol, "channel", channel,
                            "staleFinding", (json_int_t)finding_id, "deadline", (json_int_t)d->deadline,
                            "secondsLeft", (json_int_t)seconds_left, "response", response_status);
    if (!f->evidence) {
        l2w_err_set(err, "channel_window_closing: out of memory building evidence");
        return L2W_ERR_NOMEM;
    }
    anchor(f, chain, d);
    return L2W_OK;
}
