#include "collector/bridge_events.h"

#include <stdio.h>
#include <string.h>

#include "core/abi_event.h"
#include "core/hex.h"

void l2w_token_key(char out[43], bool native, const l2w_addr *token)
{
    if (native)
        snprintf(out, 43, "native");
    else
        l2w_addr_to_hex(out, token);
}

static l2w_status shape(const l2w_evm_log *log, const char *event, size_t topics, size_t min_data, l2w_err *err)
{
    if (log->n_topics != topics || log->data_len < min_data) {
        l2w_err_set(err, "%s: expected %zu topics and at least %zu data bytes, got %zu and %zu", event, topics,
                    min_data, log->n_topics, log->data_len);
        return L2W_ERR_INVALID;
    }
    return L2W_OK;
}

/* An address in a 32-byte word must have 12 zero bytes before it. */
static l2w_status word_addr(l2w_addr *out, const uint8_t w[32], const char *what, l2w_err *err)
{
    for (int i = 0; i < 12; i++)
        if (w[i]) {
            l2w_err_set(err, "%s: not an address (high bytes set)", what);
            return L2W_ERR_INVALID;
        }
    memcpy(out->b, w + 12, 20);
    return L2W_OK;
}

/* TransactionDeposited's data is abi.encode(bytes opaqueData): the offset
 * 32, the length, the bytes. The mint is read from the first word of
 * opaqueData only when the head says that word is there. */
static l2w_status deposit_head(const l2w_evm_log *log, l2w_err *err)
{
    uint8_t want_offset[32] = {0};
    want_offset[31] = 32;
    if (memcmp(log->data, want_offset, 32) != 0) {
        l2w_err_set(err, "TransactionDeposited: opaqueData offset is not 32");
        return L2W_ERR_INVALID;
    }
    const uint8_t *len_word = log->data + 32;
    for (int i = 0; i < 24; i++)
        if (len_word[i]) {
            l2w_err_set(err, "TransactionDeposited: opaqueData length out of range");
            return L2W_ERR_INVALID;
        }
    uint64_t len = 0;
    for (int i = 24; i < 32; i++)
        len = len << 8 | len_word[i];
    if (len < 32 || len > log->data_len - 64) {
        l2w_err_set(err, "TransactionDeposited: opaqueData is %llu bytes, need at least 32 (the mint) and at most %zu",
                    (unsigned long long)len, log->data_len - 64);
        return L2W_ERR_INVALID;
    }
    return L2W_OK;
}

static l2w_status decode_portal(l2w_bridge_event *e, const l2w_watch *w, const l2w_evm_log *log, l2w_err *err)
{
    l2w_status st;
    snprintf(e->token, sizeof e->token, "native");
    e->t.has_token = false;
    switch (w->kind) {
    case L2W_WATCH_PORTAL_PROVEN:
        if ((st = shape(log, "WithdrawalProven", 4, 0, err)) != L2W_OK)
            return st;
        e->kind = "withdrawal_proven";
        e->check_status = 0;
        e->t.has_message_id = true;
        e->t.message_id = log->topics[1];
        e->has_sender = word_addr(&e->sender, log->topics[2].b, "WithdrawalProven from", err) == L2W_OK;
        e->t.has_recipient = word_addr(&e->t.recipient, log->topics[3].b, "WithdrawalProven to", err) == L2W_OK;
        if (!e->has_sender || !e->t.has_recipient)
            return L2W_ERR_INVALID;
        return L2W_OK;
    case L2W_WATCH_PORTAL_FINALIZED:
        if ((st = shape(log, "WithdrawalFinalized", 2, 32, err)) != L2W_OK)
            return st;
        e->kind = "withdrawal_finalized";
        e->t.has_message_id = true;
        e->t.message_id = log->topics[1];
        /* A bool word is 0 or 1 and nothing else: anything else is not
         * what the Portal emits. */
        for (int i = 0; i < 31; i++)
            if (log->data[i]) {
                l2w_err_set(err, "WithdrawalFinalized: success is not a bool");
                return L2W_ERR_INVALID;
            }
        if (log->data[31] > 1) {
            l2w_err_set(err, "WithdrawalFinalized: success is not a bool");
            return L2W_ERR_INVALID;
        }
        e->has_success = true;
        e->success = log->data[31] != 0;
        return L2W_OK;
    case L2W_WATCH_PORTAL_DEPOSIT:
        /* data = abi.encode(bytes opaqueData); opaqueData starts with the
         * uint256 mint: the ETH that entered the Portal. */
        if ((st = shape(log, "TransactionDeposited", 4, 96, err)) != L2W_OK ||
            (st = deposit_head(log, err)) != L2W_OK)
            return st;
        e->kind = "deposit";
        e->has_sender = word_addr(&e->sender, log->topics[1].b, "TransactionDeposited from", err) == L2W_OK;
        e->t.has_recipient = word_addr(&e->t.recipient, log->topics[2].b, "TransactionDeposited to", err) == L2W_OK;
        if (!e->has_sender || !e->t.has_recipient)
            return L2W_ERR_INVALID;
        e->t.has_amount = true;
        l2w_u256_from_be32(&e->t.amount, log->data + 64);
        return L2W_OK;
    case L2W_WATCH_OUTPUT_PROPOSED:
    case L2W_WATCH_ERC20_FINALIZED:
    case L2W_WATCH_ETH_FINALIZED:
    case L2W_WATCH_ERC20_INITIATED:
    case L2W_WATCH_RELEASE:
    case L2W_WATCH_INITIATION:
    case L2W_WATCH_VECTOR_DISPUTED:
    case L2W_WATCH_NITRO_CHALLENGE:
    case L2W_WATCH_VALIDIUM_SEQUENCED:
        break;
    }
    l2w_err_set(err, "not an OptimismPortal event");
    return L2W_ERR_INVALID;
}

/* ERC20BridgeFinalized / ERC20BridgeInitiated: localToken, remoteToken,
 * from indexed; data = (to, amount, extraData). */
static l2w_status decode_erc20(l2w_bridge_event *e, const l2w_evm_log *log, const char *event, l2w_err *err)
{
    l2w_status st = shape(log, event, 4, 64, err);
    if (st != L2W_OK)
        return st;
    l2w_addr local;
    if ((st = word_addr(&local, log->topics[1].b, event, err)) != L2W_OK ||
        (st = word_addr(&e->sender, log->topics[3].b, event, err)) != L2W_OK ||
        (st = word_addr(&e->t.recipient, log->data, event, err)) != L2W_OK)
        return st;
    e->t.has_token = true;
    e->t.token = local;
    l2w_token_key(e->token, false, &local);
    e->has_sender = true;
    e->t.has_recipient = true;
    e->t.has_amount = true;
    l2w_u256_from_be32(&e->t.amount, log->data + 32);
    return L2W_OK;
}

static l2w_status decode_standard_bridge(l2w_bridge_event *e, const l2w_watch *w, const l2w_evm_log *log,
                                         l2w_err *err)
{
    l2w_status st;
    switch (w->kind) {
    case L2W_WATCH_ERC20_FINALIZED:
        e->kind = "release";
        return decode_erc20(e, log, "ERC20BridgeFinalized", err);
    case L2W_WATCH_ERC20_INITIATED:
        e->kind = "deposit";
        return decode_erc20(e, log, "ERC20BridgeInitiated", err);
    case L2W_WATCH_ETH_FINALIZED:
        /* The ETH comes out of the Portal (whose own events sample it); kept
         * for the record of who received what. */
        if ((st = shape(log, "ETHBridgeFinalized", 3, 32, err)) != L2W_OK)
            return st;
        e->kind = "release";
        snprintf(e->token, sizeof e->token, "native");
        if ((st = word_addr(&e->sender, log->topics[1].b, "ETHBridgeFinalized from", err)) != L2W_OK ||
            (st = word_addr(&e->t.recipient, log->topics[2].b, "ETHBridgeFinalized to", err)) != L2W_OK)
            return st;
        e->has_sender = true;
        e->t.has_recipient = true;
        e->t.has_amount = true;
        l2w_u256_from_be32(&e->t.amount, log->data);
        return L2W_OK;
    case L2W_WATCH_OUTPUT_PROPOSED:
    case L2W_WATCH_PORTAL_PROVEN:
    case L2W_WATCH_PORTAL_FINALIZED:
    case L2W_WATCH_PORTAL_DEPOSIT:
    case L2W_WATCH_RELEASE:
    case L2W_WATCH_INITIATION:
    case L2W_WATCH_VECTOR_DISPUTED:
    case L2W_WATCH_NITRO_CHALLENGE:
    case L2W_WATCH_VALIDIUM_SEQUENCED:
        break;
    }
    l2w_err_set(err, "not an L1StandardBridge event");
    return L2W_ERR_INVALID;
}

/* A configured event: the fields the layout names. */
static l2w_status decode_layout(l2w_bridge_event *e, const l2w_bridge_config *b, const l2w_event_layout *l,
                                const l2w_evm_log *log, l2w_err *err)
{
    uint8_t word[32];
    l2w_status st;
    if (l->message_id >= 0) {
        if ((st = l2w_event_word(l, l->message_id, log->topics, log->n_topics, log->data, log->data_len, word, err)) !=
            L2W_OK)
            return st;
        e->t.has_message_id = true;
        memcpy(e->t.message_id.b, word, 32);
    }
    if (l->token >= 0) {
        if ((st = l2w_event_word(l, l->token, log->topics, log->n_topics, log->data, log->data_len, word, err)) !=
                L2W_OK ||
            (st = word_addr(&e->t.token, word, "token field", err)) != L2W_OK)
            return st;
        e->t.has_token = true;
        l2w_token_key(e->token, false, &e->t.token);
    } else if (b->n_tokens == 1) {
        l2w_token_key(e->token, b->tokens[0].native, &b->tokens[0].address);
        e->t.has_token = !b->tokens[0].native;
        e->t.token = b->tokens[0].address;
    }
    if (l->recipient >= 0) {
        if ((st = l2w_event_word(l, l->recipient, log->topics, log->n_topics, log->data, log->data_len, word, err)) !=
                L2W_OK ||
            (st = word_addr(&e->t.recipient, word, "recipient field", err)) != L2W_OK)
            return st;
        e->t.has_recipient = true;
    }
    if (l->amount >= 0) {
        if ((st = l2w_event_word(l, l->amount, log->topics, log->n_topics, log->data, log->data_len, word, err)) !=
            L2W_OK)
            return st;
        e->t.has_amount = true;
        l2w_u256_from_be32(&e->t.amount, word);
    }
    return L2W_OK;
}

l2w_status l2w_bridge_event_decode(l2w_bridge_event *out, const l2w_watch *w, const l2w_evm_log *log,
                                   uint64_t timestamp, l2w_err *err)
{
    memset(out, 0, sizeof *out);
    out->bridge = w->bridge ? w->bridge->name : "";
    out->check_status = 3;
    out->t.block_number = log->block_number;
    out->t.block_hash = log->block_hash;
    out->t.timestamp = timestamp;
    out->t.tx_hash = log->tx_hash;
    out->t.log_index = log->log_index;
    switch (w->kind) {
    case L2W_WATCH_PORTAL_PROVEN:
    case L2W_WATCH_PORTAL_FINALIZED:
    case L2W_WATCH_PORTAL_DEPOSIT:
        return decode_portal(out, w, log, err);
    case L2W_WATCH_ERC20_FINALIZED:
    case L2W_WATCH_ETH_FINALIZED:
    case L2W_WATCH_ERC20_INITIATED:
        return decode_standard_bridge(out, w, log, err);
    case L2W_WATCH_RELEASE:
        out->kind = "release";
        out->check_status = 0;
        return decode_layout(out, w->bridge, &w->bridge->release, log, err);
    case L2W_WATCH_INITIATION:
        out->kind = "initiation";
        return decode_layout(out, w->bridge, &w->bridge->initiation, log, err);
    case L2W_WATCH_OUTPUT_PROPOSED:
    case L2W_WATCH_VECTOR_DISPUTED:
    case L2W_WATCH_NITRO_CHALLENGE:
    case L2W_WATCH_VALIDIUM_SEQUENCED:
        break;
    }
    l2w_err_set(err, "not a bridge event");
    return L2W_ERR_INVALID;
}

static l2w_status store_one(l2w_db *db, const char *chain, const l2w_bridge_event *e, l2w_err *err)
{
    char bh[67], tx[67], mid[67], sender[43], recipient[43], number[24], ts[24], li[16], amount[L2W_U256_DEC_LEN],
        status[4];
    l2w_db_bytea_text(bh, e->t.block_hash.b, 32);
    l2w_db_bytea_text(tx, e->t.tx_hash.b, 32);
    if (e->t.has_message_id)
        l2w_db_bytea_text(mid, e->t.message_id.b, 32);
    if (e->has_sender)
        l2w_db_bytea_text(sender, e->sender.b, 20);
    if (e->t.has_recipient)
        l2w_db_bytea_text(recipient, e->t.recipient.b, 20);
    if (e->t.has_amount)
        l2w_u256_to_dec(amount, &e->t.amount);
    snprintf(number, sizeof number, "%llu", (unsigned long long)e->t.block_number);
    snprintf(ts, sizeof ts, "%llu", (unsigned long long)e->t.timestamp);
    snprintf(li, sizeof li, "%u", (unsigned)e->t.log_index);
    snprintf(status, sizeof status, "%d", e->check_status);
    const char *params[] = {chain,
                            bh,
                            li,
                            number,
                            ts,
                            tx,
                            e->bridge,
                            e->kind,
                            e->token[0] ? e->token : NULL,
                            e->t.has_message_id ? mid : NULL,
                            e->has_sender ? sender : NULL,
                            e->t.has_recipient ? recipient : NULL,
                            e->t.has_amount ? amount : NULL,
                            e->has_success ? (e->success ? "true" : "false") : NULL,
                            status};
    return l2w_db_exec(db, NULL,
                       "INSERT INTO bridge_events (chain, block_hash, log_index, block_number, block_timestamp, "
                       "tx_hash, bridge, kind, token, message_id, sender, recipient, amount, success, check_status) "
                       "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) "
                       "ON CONFLICT DO NOTHING",
                       15, params, err);
}

l2w_status l2w_store_bridge_events(l2w_db *db, const char *chain, const l2w_bridge_event *e, size_t n, l2w_err *err)
{
    l2w_status st = L2W_OK;
    for (size_t i = 0; st == L2W_OK && i < n; i++)
        st = store_one(db, chain, &e[i], err);
    return st;
}
