#include "collector/channel_events.h"

#include <stdio.h>
#include <string.h>

#include "core/channel_nitro.h"
#include "core/channel_vector.h"
#include "core/hex.h"

/* A deadline from a uint256 that only garbage makes large: stored as bigint. */
static uint64_t capped_seconds(const l2w_u256 *v)
{
    uint64_t s;
    if (l2w_u256_to_u64(&s, v) != L2W_OK || s > (uint64_t)INT64_MAX)
        return (uint64_t)INT64_MAX;
    return s;
}

static l2w_status decode_vector(l2w_channel_dispute *out, const l2w_evm_log *log, l2w_err *err)
{
    l2w_vector_disputed d;
    l2w_status st = l2w_vector_decode_disputed(&d, log->topics, log->n_topics, log->data, log->data_len, err);
    if (st != L2W_OK)
        return st;
    if (!l2w_addr_eq(&d.channel_address, &log->address)) {
        char a[L2W_ADDR_HEX_LEN], b[L2W_ADDR_HEX_LEN];
        l2w_addr_to_hex(a, &log->address);
        l2w_addr_to_hex(b, &d.channel_address);
        l2w_err_set(err, "ChannelDisputed from %s names channel %s: not a Vector channel", a, b);
        return L2W_ERR_PROTOCOL;
    }
    out->protocol = L2W_CHANNEL_VECTOR;
    memcpy(out->channel, log->address.b, 20);
    out->channel_len = 20;
    out->version = d.dispute.nonce;
    out->deadline = capped_seconds(&d.dispute.consensus_expiry);
    out->has_disputer = true;
    out->disputer = d.disputer;
    return L2W_OK;
}

static l2w_status decode_nitro(l2w_channel_dispute *out, const l2w_evm_log *log, l2w_err *err)
{
    l2w_nitro_challenge c;
    l2w_status st =
        l2w_nitro_decode_challenge_registered(&c, log->topics, log->n_topics, log->data, log->data_len, err);
    if (st != L2W_OK)
        return st;
    out->protocol = L2W_CHANNEL_NITRO;
    memcpy(out->channel, c.channel_id.b, 32);
    out->channel_len = 32;
    out->version = l2w_u256_from_u64(c.turn_num_record);
    out->deadline = c.finalizes_at;
    out->has_is_final = true;
    out->is_final = c.is_final;
    return L2W_OK;
}

l2w_status l2w_channel_dispute_decode(l2w_channel_dispute *out, const l2w_watch *w, const l2w_evm_log *log,
                                      uint64_t block_timestamp, l2w_err *err)
{
    memset(out, 0, sizeof *out);
    l2w_status st = L2W_ERR_INVALID;
    switch (w->kind) {
    case L2W_WATCH_VECTOR_DISPUTED:
        st = decode_vector(out, log, err);
        break;
    case L2W_WATCH_NITRO_CHALLENGE:
        st = decode_nitro(out, log, err);
        break;
    case L2W_WATCH_OUTPUT_PROPOSED:
    case L2W_WATCH_PORTAL_PROVEN:
    case L2W_WATCH_PORTAL_FINALIZED:
    case L2W_WATCH_PORTAL_DEPOSIT:
    case L2W_WATCH_ERC20_FINALIZED:
    case L2W_WATCH_ETH_FINALIZED:
    case L2W_WATCH_ERC20_INITIATED:
    case L2W_WATCH_RELEASE:
    case L2W_WATCH_INITIATION:
    case L2W_WATCH_VALIDIUM_SEQUENCED:
        l2w_err_set(err, "not a channel dispute");
        return L2W_ERR_INVALID;
    }
    if (st != L2W_OK)
        return st;
    out->block_number = log->block_number;
    out->block_hash = log->block_hash;
    out->block_timestamp = block_timestamp;
    out->tx_hash = log->tx_hash;
    out->log_index = log->log_index;
    return L2W_OK;
}

static l2w_status store_one(l2w_db *db, const char *chain, const l2w_channel_dispute *d, l2w_err *err)
{
    char bh[67], tx[67], channel[67], disputer[43], number[24], ts[24], li[16], version[L2W_U256_DEC_LEN],
        deadline[24];
    l2w_db_bytea_text(bh, d->block_hash.b, 32);
    l2w_db_bytea_text(tx, d->tx_hash.b, 32);
    l2w_db_bytea_text(channel, d->channel, d->channel_len);
    if (d->has_disputer)
        l2w_db_bytea_text(disputer, d->disputer.b, 20);
    l2w_u256_to_dec(version, &d->version);
    snprintf(number, sizeof number, "%llu", (unsigned long long)d->block_number);
    snprintf(ts, sizeof ts, "%llu", (unsigned long long)d->block_timestamp);
    snprintf(li, sizeof li, "%u", (unsigned)d->log_index);
    snprintf(deadline, sizeof deadline, "%llu", (unsigned long long)d->deadline);
    const char *params[] = {chain,    bh,      li,      number, ts, tx, l2w_channel_protocol_name(d->protocol),
                            channel,  version, deadline, d->has_disputer ? disputer : NULL,
                            d->has_is_final ? (d->is_final ? "true" : "false") : NULL};
    return l2w_db_exec(db, NULL,
                       "INSERT INTO channel_disputes (chain, block_hash, log_index, block_number, block_timestamp, "
                       "tx_hash, protocol, channel, version, deadline, disputer, is_final) "
                       "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING",
                       12, params, err);
}

l2w_status l2w_store_channel_disputes(l2w_db *db, const char *chain, const l2w_channel_dispute *d, size_t n,
                                      l2w_err *err)
{
    l2w_status st = L2W_OK;
    for (size_t i = 0; st == L2W_OK && i < n; i++)
        st = store_one(db, chain, &d[i], err);
    return st;
}
