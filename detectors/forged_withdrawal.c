#include "detectors/forged_withdrawal.h"

#include <stdio.h>
#include <string.h>

#include "core/hex.h"
#include "core/json.h"
#include "core/keccak.h"
#include "detectors/state_root.h"

/* ---- OP Stack ---- */

l2w_status l2w_fw_judge_op(l2w_fw_verdict *out, const l2w_proven_withdrawal *w, const l2w_l2_message_check *c,
                           l2w_err *err)
{
    if (c->at_head_fallback) {
        if (c->checked_block != c->l2_head) {
            l2w_err_set(err, "forged_withdrawal: %s: a check at the head must be at the head %llu, not %llu",
                        w->l2_chain, (unsigned long long)c->l2_head, (unsigned long long)c->checked_block);
            return L2W_ERR_INVALID;
        }
        /* The claimed block could not be read. A message the Portal accepted
         * a proof of but the L2 does not have even now was never sent by the
         * claimed block either (entries are never removed), unless the
         * output claimed a block not yet made — which is no honest output. */
        *out = c->sent ? L2W_FW_BACKED : L2W_FW_FORGED;
        return L2W_OK;
    }
    uint64_t claimed;
    bool reached = l2w_u256_to_u64(&claimed, &w->l2_block_number) == L2W_OK && c->l2_head >= claimed;
    if (reached) {
        if (c->checked_block != claimed) {
            l2w_err_set(err, "forged_withdrawal: %s is at %llu, past the claimed block %llu, but was checked at %llu",
                        w->l2_chain, (unsigned long long)c->l2_head, (unsigned long long)claimed,
                        (unsigned long long)c->checked_block);
            return L2W_ERR_INVALID;
        }
        *out = c->sent ? L2W_FW_BACKED : L2W_FW_FORGED;
        return L2W_OK;
    }
    if (c->checked_block != c->l2_head) {
        char want[L2W_U256_DEC_LEN];
        l2w_u256_to_dec(want, &w->l2_block_number);
        l2w_err_set(err,
                    "forged_withdrawal: %s head %llu is below the claimed block %s, so the check belongs at the "
                    "head, not at %llu",
                    w->l2_chain, (unsigned long long)c->l2_head, want, (unsigned long long)c->checked_block);
        return L2W_ERR_INVALID;
    }
    /* sentMessages only gains entries: a message present below the claimed
     * block is present at it; one absent may still be sent before it. */
    *out = c->sent ? L2W_FW_BACKED : L2W_FW_PENDING;
    return L2W_OK;
}

/* sentMessages is the L2ToL1MessagePasser's first state variable, so the
 * entry for a withdrawal hash lives at keccak256(hash ‖ uint256(0)): the
 * slot an eth_getProof or eth_getStorageAt check reads. */
static void sent_messages_slot(l2w_hash *out, const l2w_hash *withdrawal_hash)
{
    uint8_t preimage[64] = {0};
    memcpy(preimage, withdrawal_hash->b, 32);
    l2w_keccak256_hash(out, preimage, sizeof preimage);
}

static json_t *dec_json(const l2w_u256 *v)
{
    char dec[L2W_U256_DEC_LEN];
    l2w_u256_to_dec(dec, v);
    return json_string(dec);
}

static json_t *op_json(const l2w_bridge_subject *s, const l2w_proven_withdrawal *w, const l2w_l2_message_check *c,
                       const l2w_hash *slot)
{
    return json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:o, s:I, s:o, s:o, s:b, s:s, s:I, s:o, s:o, "
                     "s:I, s:b}",
                     "l2_chain", w->l2_chain, "portal", l2w_json_addr(&w->portal), "withdrawal_hash",
                     l2w_json_hash(&w->withdrawal_hash), "from", l2w_json_addr(&w->from), "to",
                     l2w_json_addr(&w->to), "output_index", dec_json(&w->output_index), "output_root",
                     l2w_json_hash(&w->output_root), "l2_block_number", dec_json(&w->l2_block_number),
                     "l2_checked_block", (json_int_t)c->checked_block, "l2_checked_block_hash",
                     l2w_json_hash(&c->checked_block_hash), "l2_head", (json_int_t)c->l2_head, "message_passer",
                     l2w_json_addr(&l2w_message_passer_address), "storage_slot", l2w_json_hash(slot), "sent", 0,
                     "l1_chain", s->chain, "l1_block_number", (json_int_t)w->l1_block_number, "l1_block_hash",
                     l2w_json_hash(&w->l1_block_hash), "l1_tx_hash", l2w_json_hash(&w->l1_tx_hash), "l1_log_index",
                     (json_int_t)w->l1_log_index, "checked_at_head", c->at_head_fallback ? 1 : 0);
}

l2w_status l2w_fw_finding_op(l2w_finding *out, const l2w_bridge_subject *s, const l2w_proven_withdrawal *w,
                             const l2w_l2_message_check *c, l2w_err *err)
{
    memset(out, 0, sizeof *out);
    l2w_fw_verdict verdict;
    l2w_status st = l2w_fw_judge_op(&verdict, w, c, err);
    if (st != L2W_OK)
        return st;
    switch (verdict) {
    case L2W_FW_PENDING:
    case L2W_FW_BACKED:
        l2w_err_set(err, "forged_withdrawal: %s: the withdrawal is not shown forged by this check", w->l2_chain);
        return L2W_ERR_INVALID;
    case L2W_FW_FORGED:
        break;
    }
    char portal[L2W_ADDR_HEX_LEN], hash[L2W_HASH_HEX_LEN], l1_block[L2W_HASH_HEX_LEN], l1_tx[L2W_HASH_HEX_LEN];
    char from[L2W_ADDR_HEX_LEN], to[L2W_ADDR_HEX_LEN], root[L2W_HASH_HEX_LEN], slot_hex[L2W_HASH_HEX_LEN];
    char l2_block_hash[L2W_HASH_HEX_LEN], index[L2W_U256_DEC_LEN], l2_block[L2W_U256_DEC_LEN];
    l2w_hash slot;
    sent_messages_slot(&slot, &w->withdrawal_hash);
    l2w_addr_to_hex(portal, &w->portal);
    l2w_hash_to_hex(hash, &w->withdrawal_hash);
    l2w_hash_to_hex(l1_block, &w->l1_block_hash);
    l2w_hash_to_hex(l1_tx, &w->l1_tx_hash);
    l2w_addr_to_hex(from, &w->from);
    l2w_addr_to_hex(to, &w->to);
    l2w_hash_to_hex(root, &w->output_root);
    l2w_hash_to_hex(slot_hex, &slot);
    l2w_hash_to_hex(l2_block_hash, &c->checked_block_hash);
    l2w_u256_to_dec(index, &w->output_index);
    l2w_u256_to_dec(l2_block, &w->l2_block_number);
    /* The fact is the WithdrawalProven log: a proof of the same hash in
     * another log (proven again, or re-mined after a reorg) is a new fact. */
    int n = snprintf(out->dedup_key, sizeof out->dedup_key, "forged_withdrawal:%s:%s:%s:%s:%u", s->chain, portal,
                     hash, l1_block, (unsigned)w->l1_log_index);
    if (n < 0 || (size_t)n >= sizeof out->dedup_key) {
        l2w_err_set(err, "forged_withdrawal: dedup key too long for chain %s", s->chain);
        return L2W_ERR_RANGE;
    }
    out->kind = "forged_withdrawal";
    out->severity = L2W_SEV_CRITICAL;
    snprintf(out->chain, sizeof out->chain, "%s", s->chain);
    l2w_finding_text(out->title, sizeof out->title, "Forged withdrawal proven on %s: %s was never sent on %s", s->chain, hash,
             w->l2_chain);
    l2w_finding_text(out->summary, sizeof out->summary,
             "OptimismPortal %s on %s accepted a proof (tx %s, block %llu, log %u) that withdrawal %s from %s to %s "
             "was sent on %s by block %s (output %s, root %s). The L2 has no such message: sentMessages[%s] of "
             "the L2ToL1MessagePasser (slot %s) is unset at block %s (%s). The output it was proven against "
             "cannot be honest; pause the Portal before the withdrawal can be finalized.",
             portal, s->chain, l1_tx, (unsigned long long)w->l1_block_number, (unsigned)w->l1_log_index, hash, from,
             to, w->l2_chain, l2_block, index, root, hash, slot_hex, l2_block, l2_block_hash);
    out->evidence = l2w_bridge_evidence(s, op_json(s, w, c, &slot));
    if (!out->evidence) {
        l2w_err_set(err, "forged_withdrawal: out of memory building evidence");
        return L2W_ERR_NOMEM;
    }
    out->has_block_number = true;
    out->block_number = l2w_u256_from_u64(w->l1_block_number);
    out->has_tx_hash = true;
    out->tx_hash = w->l1_tx_hash;
    out->has_anchor = true;
    snprintf(out->anchor_chain, sizeof out->anchor_chain, "%s", s->chain);
    out->anchor_block_hash = w->l1_block_hash;
    return L2W_OK;
}

/* ---- lock/release ---- */

l2w_status l2w_fw_judge_release(l2w_fw_verdict *out, l2w_fw_mismatch *why, const l2w_bridge_transfer *release,
                                const l2w_bridge_transfer *initiation, uint64_t source_synced_timestamp,
                                uint32_t grace_s, l2w_err *err)
{
    /* Nothing could ever match it, so there is nothing to wait for. */
    if (!release->has_message_id) {
        *out = L2W_FW_FORGED;
        *why = L2W_FW_NO_INITIATION;
        return L2W_OK;
    }
    if (!initiation) {
        /* The source chain is followed with a lag and its clock is not the
         * escrow chain's: only once it is followed past the release time
         * plus the grace period is a missing initiation evidence. */
        uint64_t deadline =
            release->timestamp > UINT64_MAX - grace_s ? UINT64_MAX : release->timestamp + grace_s;
        bool forged = source_synced_timestamp > deadline;
        *out = forged ? L2W_FW_FORGED : L2W_FW_PENDING;
        *why = forged ? L2W_FW_NO_INITIATION : L2W_FW_MISMATCH_NONE;
        return L2W_OK;
    }
    if (!initiation->has_message_id || !l2w_hash_eq(&initiation->message_id, &release->message_id)) {
        char want[L2W_HASH_HEX_LEN];
        l2w_hash_to_hex(want, &release->message_id);
        l2w_err_set(err, "forged_withdrawal: the initiation given does not carry the release's message id %s", want);
        return L2W_ERR_INVALID;
    }
    l2w_fw_mismatch m = L2W_FW_MISMATCH_NONE;
    if (release->has_token && initiation->has_token && !l2w_addr_eq(&release->token, &initiation->token))
        m = L2W_FW_TOKEN_DIFFERS;
    else if (release->has_recipient && initiation->has_recipient &&
             !l2w_addr_eq(&release->recipient, &initiation->recipient))
        m = L2W_FW_RECIPIENT_DIFFERS;
    /* Paying less is allowed: bridges take fees out of the released amount. */
    else if (release->has_amount && initiation->has_amount && l2w_u256_cmp(&release->amount, &initiation->amount) > 0)
        m = L2W_FW_AMOUNT_EXCEEDS;
    *out = m == L2W_FW_MISMATCH_NONE ? L2W_FW_BACKED : L2W_FW_FORGED;
    *why = m;
    return L2W_OK;
}

static const char *mismatch_name(l2w_fw_mismatch m)
{
    switch (m) {
    case L2W_FW_MISMATCH_NONE: return "none";
    case L2W_FW_NO_INITIATION: return "no_initiation";
    case L2W_FW_TOKEN_DIFFERS: return "token_differs";
    case L2W_FW_RECIPIENT_DIFFERS: return "recipient_differs";
    case L2W_FW_AMOUNT_EXCEEDS: return "amount_exceeds";
    }
    return "unknown";
}

static json_t *transfer_json(const l2w_bridge_transfer *t)
{
    char amount[L2W_U256_DEC_LEN];
    l2w_u256_to_dec(amount, &t->amount);
    return json_pack("{s:o?, s:o?, s:o?, s:s?, s:I, s:o, s:I, s:o, s:I}", "message_id",
                     t->has_message_id ? l2w_json_hash(&t->message_id) : NULL, "token",
                     t->has_token ? l2w_json_addr(&t->token) : NULL, "recipient",
                     t->has_recipient ? l2w_json_addr(&t->recipient) : NULL, "amount",
                     t->has_amount ? amount : NULL, "block_number", (json_int_t)t->block_number, "block_hash",
                     l2w_json_hash(&t->block_hash), "timestamp", (json_int_t)t->timestamp, "tx_hash",
                     l2w_json_hash(&t->tx_hash), "log_index", (json_int_t)t->log_index);
}

static json_t *release_json(const l2w_bridge_transfer *release, const l2w_bridge_transfer *initiation,
                            l2w_fw_mismatch why)
{
    json_t *ev = json_pack("{s:s, s:o}", "why", mismatch_name(why), "release", transfer_json(release));
    if (ev && initiation && json_object_set_new(ev, "initiation", transfer_json(initiation)) != 0) {
        json_decref(ev);
        return NULL;
    }
    return ev;
}

/* The amount in the subject's units when the transfer is in the subject's
 * token (or names none); otherwise the symbol would lie, so base units and
 * the token it names. */
static void transfer_amount_text(char out[L2W_BRIDGE_AMOUNT_LEN], const l2w_bridge_subject *s,
                                 const l2w_bridge_transfer *t)
{
    if (!t->has_amount) {
        snprintf(out, L2W_BRIDGE_AMOUNT_LEN, "an amount the event does not give");
        return;
    }
    if (!t->has_token || (!s->native && l2w_addr_eq(&t->token, &s->token))) {
        l2w_bridge_amount(out, s, &t->amount);
        return;
    }
    char base[L2W_U256_DEC_LEN], token[L2W_ADDR_HEX_LEN];
    l2w_u256_to_dec(base, &t->amount);
    l2w_addr_to_hex(token, &t->token);
    snprintf(out, L2W_BRIDGE_AMOUNT_LEN, "%s base units of token %s", base, token);
}

static void mismatch_text(char *out, size_t out_len, const l2w_bridge_subject *s, const l2w_bridge_transfer *release,
                          const l2w_bridge_transfer *initiation, l2w_fw_mismatch why)
{
    char a[L2W_ADDR_HEX_LEN], b[L2W_ADDR_HEX_LEN], tx[L2W_HASH_HEX_LEN] = "?";
    if (initiation)
        l2w_hash_to_hex(tx, &initiation->tx_hash);
    switch (why) {
    case L2W_FW_MISMATCH_NONE:
        snprintf(out, out_len, "It matches its initiation.");
        break;
    case L2W_FW_NO_INITIATION:
        if (!release->has_message_id)
            snprintf(out, out_len, "The release names no message id, so no initiation can back it.");
        else
            snprintf(out, out_len,
                     "No initiation with this message id was seen on %s, followed past the release time plus the "
                     "grace period.",
                     s->remote_chain);
        break;
    case L2W_FW_TOKEN_DIFFERS:
        l2w_addr_to_hex(a, &initiation->token);
        l2w_addr_to_hex(b, &release->token);
        snprintf(out, out_len, "Its initiation on %s (tx %s) locked token %s; the release pays token %s.",
                 s->remote_chain, tx, a, b);
        break;
    case L2W_FW_RECIPIENT_DIFFERS:
        l2w_addr_to_hex(a, &initiation->recipient);
        l2w_addr_to_hex(b, &release->recipient);
        snprintf(out, out_len, "Its initiation on %s (tx %s) was for recipient %s; the release pays %s.",
                 s->remote_chain, tx, a, b);
        break;
    case L2W_FW_AMOUNT_EXCEEDS: {
        char locked[L2W_BRIDGE_AMOUNT_LEN];
        transfer_amount_text(locked, s, initiation);
        snprintf(out, out_len, "Its initiation on %s (tx %s) was for %s; the release pays more.", s->remote_chain, tx,
                 locked);
        break;
    }
    }
}

static const char *mismatch_title(l2w_fw_mismatch m)
{
    switch (m) {
    case L2W_FW_MISMATCH_NONE: return "matches its initiation";
    case L2W_FW_NO_INITIATION: return "has no initiation";
    case L2W_FW_TOKEN_DIFFERS: return "pays another token than its initiation";
    case L2W_FW_RECIPIENT_DIFFERS: return "pays another recipient than its initiation";
    case L2W_FW_AMOUNT_EXCEEDS: return "pays more than its initiation";
    }
    return "does not match";
}

l2w_status l2w_fw_finding_release(l2w_finding *out, const l2w_bridge_subject *s, const l2w_bridge_transfer *release,
                                  const l2w_bridge_transfer *initiation, l2w_fw_mismatch why, l2w_err *err)
{
    memset(out, 0, sizeof *out);
    switch (why) {
    case L2W_FW_MISMATCH_NONE:
        l2w_err_set(err, "forged_withdrawal: bridge %s: no mismatch to report", s->bridge);
        return L2W_ERR_INVALID;
    case L2W_FW_NO_INITIATION:
        break;
    case L2W_FW_TOKEN_DIFFERS:
    case L2W_FW_RECIPIENT_DIFFERS:
    case L2W_FW_AMOUNT_EXCEEDS:
        if (!initiation) {
            l2w_err_set(err, "forged_withdrawal: bridge %s: %s without the initiation", s->bridge, mismatch_name(why));
            return L2W_ERR_INVALID;
        }
        break;
    }
    char id[L2W_HASH_HEX_LEN] = "none", block[L2W_HASH_HEX_LEN], tx[L2W_HASH_HEX_LEN], escrow[L2W_ADDR_HEX_LEN];
    char recipient[L2W_ADDR_HEX_LEN] = "an unnamed recipient";
    if (release->has_message_id)
        l2w_hash_to_hex(id, &release->message_id);
    if (release->has_recipient)
        l2w_addr_to_hex(recipient, &release->recipient);
    l2w_hash_to_hex(block, &release->block_hash);
    l2w_hash_to_hex(tx, &release->tx_hash);
    l2w_addr_to_hex(escrow, &s->escrow);
    /* The fact is the release log: its block hash and index. */
    int n = snprintf(out->dedup_key, sizeof out->dedup_key, "forged_withdrawal:%s:%s:%s:%u", s->bridge, id, block,
                     (unsigned)release->log_index);
    if (n < 0 || (size_t)n >= sizeof out->dedup_key) {
        l2w_err_set(err, "forged_withdrawal: bridge %s: dedup key too long", s->bridge);
        return L2W_ERR_RANGE;
    }
    out->kind = "forged_withdrawal";
    out->severity = L2W_SEV_CRITICAL;
    snprintf(out->chain, sizeof out->chain, "%s", s->chain);

    char amount[L2W_BRIDGE_AMOUNT_LEN], detail[600];
    transfer_amount_text(amount, s, release);
    mismatch_text(detail, sizeof detail, s, release, initiation, why);
    l2w_finding_text(out->title, sizeof out->title, "Bridge %s: release on %s at block %llu %s", s->bridge, s->chain,
             (unsigned long long)release->block_number, mismatch_title(why));
    l2w_finding_text(out->summary, sizeof out->summary,
             "The escrow %s of bridge %s on %s released %s to %s in tx %s (block %llu, log %u), message %s. %s "
             "Funds may be leaving the escrow without backing: pause the bridge.",
             escrow, s->bridge, s->chain, amount, recipient, tx, (unsigned long long)release->block_number,
             (unsigned)release->log_index, id, detail);
    out->evidence = l2w_bridge_evidence(s, release_json(release, initiation, why));
    if (!out->evidence) {
        l2w_err_set(err, "forged_withdrawal: out of memory building evidence");
        return L2W_ERR_NOMEM;
    }
    out->has_block_number = true;
    out->block_number = l2w_u256_from_u64(release->block_number);
    out->has_tx_hash = true;
    out->tx_hash = release->tx_hash;
    out->has_anchor = true;
    snprintf(out->anchor_chain, sizeof out->anchor_chain, "%s", s->chain);
    out->anchor_block_hash = release->block_hash;
    return L2W_OK;
}
