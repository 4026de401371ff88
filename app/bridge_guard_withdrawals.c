#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/bridge_guard_internal.h"
#include "app/finding_store.h"
#include "collector/bridge_events.h"
#include "collector/bridge_reads.h"
#include "collector/eth.h"
#include "core/hex.h"
#include "core/log.h"
#include "detectors/forged_withdrawal.h"

#define PENDING_PER_PASS 100

/* Columns: block_hash, log_index, block_number, block_timestamp, tx_hash,
 * kind, message_id, token, sender, recipient, amount. */
#define EVENT_COLUMNS                                                                                                 \
    "block_hash, log_index, block_number, block_timestamp, tx_hash, kind, message_id, token, sender, recipient, "     \
    "amount::text"

static l2w_status parse_event(PGresult *res, int row, l2w_bridge_transfer *t, l2w_addr *sender, bool *has_sender)
{
    memset(t, 0, sizeof *t);
    l2w_status st = l2w_db_bytea_parse(t->block_hash.b, 32, PQgetvalue(res, row, 0));
    t->log_index = (uint32_t)strtoul(PQgetvalue(res, row, 1), NULL, 10);
    t->block_number = strtoull(PQgetvalue(res, row, 2), NULL, 10);
    t->timestamp = strtoull(PQgetvalue(res, row, 3), NULL, 10);
    if (st == L2W_OK)
        st = l2w_db_bytea_parse(t->tx_hash.b, 32, PQgetvalue(res, row, 4));
    if (st == L2W_OK && !PQgetisnull(res, row, 6)) {
        t->has_message_id = true;
        st = l2w_db_bytea_parse(t->message_id.b, 32, PQgetvalue(res, row, 6));
    }
    const char *token = PQgetvalue(res, row, 7);
    if (st == L2W_OK && !PQgetisnull(res, row, 7) && strcmp(token, "native") != 0) {
        t->has_token = true;
        st = l2w_addr_from_hex(&t->token, token);
    }
    *has_sender = false;
    if (st == L2W_OK && sender && !PQgetisnull(res, row, 8)) {
        *has_sender = true;
        st = l2w_db_bytea_parse(sender->b, 20, PQgetvalue(res, row, 8));
    }
    if (st == L2W_OK && !PQgetisnull(res, row, 9)) {
        t->has_recipient = true;
        st = l2w_db_bytea_parse(t->recipient.b, 20, PQgetvalue(res, row, 9));
    }
    if (st == L2W_OK && !PQgetisnull(res, row, 10)) {
        t->has_amount = true;
        st = l2w_u256_from_dec(&t->amount, PQgetvalue(res, row, 10));
    }
    return st;
}

/* Stores the verdict (and the finding, when forged) in one transaction. */
static l2w_status record(bridge_ctx *c, l2w_db *db, const l2w_bridge_transfer *t, l2w_fw_verdict v, const char *note,
                         l2w_finding *f, l2w_err *err)
{
    char bh[67], li[16], status[4];
    l2w_db_bytea_text(bh, t->block_hash.b, 32);
    snprintf(li, sizeof li, "%u", (unsigned)t->log_index);
    snprintf(status, sizeof status, "%d", v == L2W_FW_FORGED ? 2 : v == L2W_FW_BACKED ? 1 : 3);
    const char *params[] = {c->bridge->chain, bh, li, status, note};
    l2w_status st = l2w_db_begin(db, err);
    if (st == L2W_OK)
        st = l2w_db_exec(db, NULL,
                         "UPDATE bridge_events SET check_status = $4::smallint, checked_at = now(), check_note = $5 "
                         "WHERE chain = $1 AND block_hash = $2 AND log_index = $3::int",
                         5, params, err);
    int64_t id = 0;
    bool created = false;
    if (st == L2W_OK && f)
        st = l2w_finding_raise(db, f, c->cfg, &id, &created, err);
    if ((st = l2w_db_end(db, st, err)) != L2W_OK)
        return st;
    if (v != L2W_FW_PENDING)
        l2w_counter_add(v == L2W_FW_FORGED ? c->judged_forged : c->judged_backed, 1);
    if (created) {
        c->raised = true;
        L2W_UNUSUAL("bridge_guard", c->bridge->name, "forged_withdrawal finding %lld: %s", (long long)id, f->title);
    }
    return L2W_OK;
}

static const l2w_bridge_token *native_token(const bridge_ctx *c)
{
    for (size_t i = 0; i < c->bridge->n_tokens; i++)
        if (c->bridge->tokens[i].native)
            return &c->bridge->tokens[i];
    return NULL;
}

/* ---- OP Stack: WithdrawalProven against the real L2 ---- */

/* sentMessages on the L2 at the claimed block (or the head, when lower). */
static l2w_status check_on_l2(l2w_rpc *rpc, const l2w_proven_withdrawal *w, l2w_l2_message_check *out, l2w_err *err)
{
    memset(out, 0, sizeof *out);
    l2w_status st = l2w_eth_block_number(rpc, &out->l2_head, err);
    if (st != L2W_OK)
        return st;
    uint64_t claimed;
    if (l2w_u256_to_u64(&claimed, &w->l2_block_number) != L2W_OK)
        claimed = UINT64_MAX; /* beyond any L2: checked at the head, never reached */
    out->checked_block = claimed < out->l2_head ? claimed : out->l2_head;
    l2w_block_header h;
    if ((st = l2w_eth_header_by_number(rpc, out->checked_block, &h, err)) == L2W_OK)
        st = l2w_read_message_sent(rpc, &w->withdrawal_hash, &h, &out->sent, err);
    if (st == L2W_OK || out->checked_block == out->l2_head)
        goto done;
    /* An output is often older than the state a full node keeps. sentMessages
     * only ever gains entries, so a message missing at the head was missing
     * at the claimed block too; one present at the head is taken as sent. */
    out->checked_block = out->l2_head;
    if ((st = l2w_eth_header_by_number(rpc, out->checked_block, &h, err)) == L2W_OK)
        st = l2w_read_message_sent(rpc, &w->withdrawal_hash, &h, &out->sent, err);
    out->at_head_fallback = true;
done:
    if (st == L2W_OK)
        out->checked_block_hash = h.hash;
    return st;
}

static l2w_status judge_op(bridge_ctx *c, l2w_db *db, const l2w_bridge_transfer *t, const l2w_addr *sender,
                           l2w_err *err)
{
    const l2w_chain_config *l2 = c->remote;
    if (l2->has_dispute_game_factory)
        return record(c, db, t, L2W_FW_PENDING, "a fault-proof portal (dispute games): not judged yet", NULL, err);
    l2w_proven_withdrawal w;
    memset(&w, 0, sizeof w);
    snprintf(w.l2_chain, sizeof w.l2_chain, "%s", l2->name);
    w.portal = l2->optimism_portal;
    w.withdrawal_hash = t->message_id;
    w.from = *sender;
    w.to = t->recipient;
    w.l1_block_number = t->block_number;
    w.l1_block_hash = t->block_hash;
    w.l1_tx_hash = t->tx_hash;
    w.l1_log_index = t->log_index;
    /* What the Portal recorded for this proof, read in the proof's own block. */
    l2w_status st = l2w_read_proven_withdrawal(c->rpc, &l2->optimism_portal, &w.withdrawal_hash, &t->block_hash,
                                               &w.output_root, &w.output_index, err);
    /* The output may be gone already at the end of that block: a challenger
     * (l2watch itself) can delete it in the very block the proof landed in.
     * Then its L2 block is unknown and the message is looked for at the L2
     * head, which is as good a test: sentMessages only ever gains entries. */
    bool output_gone = false;
    if (st == L2W_OK) {
        l2w_err oerr = {{0}};
        st = l2w_read_l2_output(c->rpc, &l2->l2_output_oracle, &w.output_index, &t->block_hash, &w.output_root,
                                &w.l2_block_number, &oerr);
        if (st == L2W_ERR_RPC) {
            output_gone = true;
            memset(&w.l2_block_number, 0xff, sizeof w.l2_block_number); /* beyond any head */
            st = L2W_OK;
        } else if (st != L2W_OK) {
            *err = oerr;
        }
    }
    if (st != L2W_OK)
        return st;
    l2w_l2_message_check check;
    if ((st = check_on_l2(c->remote_rpc, &w, &check, err)) != L2W_OK)
        return st;
    check.at_head_fallback = check.at_head_fallback || output_gone;
    l2w_fw_verdict v;
    if ((st = l2w_fw_judge_op(&v, &w, &check, err)) != L2W_OK)
        return st;
    if (v == L2W_FW_PENDING)
        return L2W_OK;
    if (v == L2W_FW_BACKED)
        return record(c, db, t, v, "sent on the L2", NULL, err);
    /* A critical verdict from one endpoint is asked again of another. */
    size_t other;
    if (l2w_rpc_pick_other(c->remote_rpc, l2w_rpc_last_endpoint(c->remote_rpc), &other)) {
        l2w_l2_message_check again;
        l2w_rpc_pin(c->remote_rpc, other);
        st = check_on_l2(c->remote_rpc, &w, &again, err);
        l2w_rpc_unpin(c->remote_rpc);
        if (st != L2W_OK)
            return st;
        if (again.sent || !l2w_hash_eq(&again.checked_block_hash, &check.checked_block_hash)) {
            L2W_UNUSUAL("bridge_guard", c->bridge->name,
                        "endpoints of %s disagree about a proven withdrawal's message; not judged yet", l2->name);
            return L2W_OK;
        }
    }
    const l2w_bridge_token *native = native_token(c);
    l2w_bridge_token portal_eth = {.symbol = "ETH", .native = true, .decimals = 18, .escrow = l2->optimism_portal};
    l2w_bridge_subject s;
    l2w_bridge_subject_of(&s, c, native ? native : &portal_eth);
    l2w_finding f;
    st = l2w_fw_finding_op(&f, &s, &w, &check, err);
    if (st == L2W_OK)
        st = record(c, db, t, v, "not in the L2's sentMessages", &f, err);
    l2w_finding_clear(&f);
    return st;
}

/* ---- lock/release: a release must match an initiation ---- */

/* The source chain's followed history: the newest stored block's time and
 * the oldest stored block's number and time. */
typedef struct {
    uint64_t synced_timestamp;
    uint64_t first_number;
    uint64_t first_timestamp;
    bool any;
} source_history;

static l2w_status read_source_history(bridge_ctx *c, l2w_db *db, source_history *out, l2w_err *err)
{
    const char *params[] = {c->bridge->remote_chain};
    PGresult *res;
    l2w_status st = l2w_db_exec(db, &res,
                                "SELECT (SELECT b.timestamp FROM chains c JOIN blocks b ON b.chain = c.name "
                                "AND b.number = c.synced_number WHERE c.name = $1), f.number, f.timestamp "
                                "FROM (SELECT number, timestamp FROM blocks WHERE chain = $1 ORDER BY number "
                                "LIMIT 1) f",
                                1, params, err);
    if (st != L2W_OK)
        return st;
    memset(out, 0, sizeof *out);
    if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0)) {
        out->any = true;
        out->synced_timestamp = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
        out->first_number = strtoull(PQgetvalue(res, 0, 1), NULL, 10);
        out->first_timestamp = strtoull(PQgetvalue(res, 0, 2), NULL, 10);
    }
    PQclear(res);
    return L2W_OK;
}

/* Could the release's initiation predate what l2watch followed of the
 * source chain? Then its absence proves nothing. */
static bool initiation_may_predate_history(const bridge_ctx *c, const source_history *h,
                                           const l2w_bridge_transfer *release)
{
    if (!h->any)
        return true;
    if (h->first_number == 0)
        return false; /* followed from genesis */
    uint64_t lookback = c->bridge->source_history_s;
    uint64_t earliest = release->timestamp > lookback ? release->timestamp - lookback : 0;
    return h->first_timestamp > earliest;
}

/* An initiation may name the token as it is on its own chain (the bridged
 * form); the release names the escrow chain's. */
static void map_remote_token(const bridge_ctx *c, l2w_bridge_transfer *initiation)
{
    if (!initiation->has_token)
        return;
    for (size_t i = 0; i < c->bridge->n_tokens; i++) {
        const l2w_bridge_token *k = &c->bridge->tokens[i];
        if (k->has_remote && l2w_addr_eq(&k->remote, &initiation->token)) {
            initiation->has_token = !k->native;
            initiation->token = k->address;
            return;
        }
    }
}

static const l2w_bridge_token *token_of(const bridge_ctx *c, const l2w_bridge_transfer *t)
{
    for (size_t i = 0; i < c->bridge->n_tokens; i++) {
        const l2w_bridge_token *k = &c->bridge->tokens[i];
        if (t->has_token ? !k->native && l2w_addr_eq(&k->address, &t->token) : k->native)
            return k;
    }
    return c->bridge->n_tokens == 1 ? &c->bridge->tokens[0] : NULL;
}

static l2w_status judge_release(bridge_ctx *c, l2w_db *db, const l2w_bridge_transfer *t, l2w_err *err)
{
    l2w_bridge_transfer initiation;
    bool found = false;
    l2w_status st = L2W_OK;
    if (t->has_message_id) {
        char mid[67];
        l2w_db_bytea_text(mid, t->message_id.b, 32);
        const char *params[] = {c->bridge->name, mid};
        PGresult *res;
        st = l2w_db_exec(db, &res,
                         "SELECT " EVENT_COLUMNS " FROM bridge_events WHERE bridge = $1 AND kind = 'initiation' "
                         "AND message_id = $2 ORDER BY block_number LIMIT 1",
                         2, params, err);
        if (st != L2W_OK)
            return st;
        bool has_sender;
        if (PQntuples(res) == 1) {
            found = true;
            if (parse_event(res, 0, &initiation, NULL, &has_sender) != L2W_OK) {
                l2w_err_set(err, "bridge %s: stored initiation is malformed", c->bridge->name);
                st = L2W_ERR_DB;
            }
        }
        PQclear(res);
        if (st != L2W_OK)
            return st;
    }
    source_history history;
    if ((st = read_source_history(c, db, &history, err)) != L2W_OK)
        return st;
    if (found)
        map_remote_token(c, &initiation);
    else if (initiation_may_predate_history(c, &history, t))
        return record(c, db, t, L2W_FW_PENDING,
                      "not judged: its initiation may predate the source chain's followed history "
                      "(see source_history_seconds and the source chain's start_block)",
                      NULL, err);
    l2w_fw_verdict v;
    l2w_fw_mismatch why;
    st = l2w_fw_judge_release(&v, &why, t, found ? &initiation : NULL, history.synced_timestamp,
                              c->bridge->source_grace_s, err);
    if (st != L2W_OK || v == L2W_FW_PENDING)
        return st;
    if (v == L2W_FW_BACKED)
        return record(c, db, t, v, "matches its initiation", NULL, err);
    const l2w_bridge_token *token = token_of(c, t);
    l2w_bridge_token unknown = {.symbol = "?", .decimals = 18, .escrow = c->bridge->escrow};
    if (t->has_token)
        unknown.address = t->token;
    l2w_bridge_subject s;
    l2w_bridge_subject_of(&s, c, token ? token : &unknown);
    l2w_finding f;
    st = l2w_fw_finding_release(&f, &s, t, found ? &initiation : NULL, why, err);
    if (st == L2W_OK)
        st = record(c, db, t, v, found ? "does not match its initiation" : "no initiation", &f, err);
    l2w_finding_clear(&f);
    return st;
}

l2w_status l2w_bridge_judge_pending(bridge_ctx *c, l2w_db *db, l2w_err *err)
{
    char limit[16];
    snprintf(limit, sizeof limit, "%d", PENDING_PER_PASS);
    const char *params[] = {c->bridge->name, c->bridge->chain, limit};
    PGresult *res;
    l2w_status st = l2w_db_exec(db, &res,
                                "SELECT " EVENT_COLUMNS " FROM bridge_events WHERE bridge = $1 AND chain = $2 "
                                "AND check_status = 0 ORDER BY block_number, log_index LIMIT $3::int",
                                3, params, err);
    if (st != L2W_OK)
        return st;
    /* One event that cannot be judged now (a node without that block's
     * state, a slow endpoint) must not hold up the ones after it: its error
     * is kept for the caller and the next event is judged. A database error
     * ends the pass. */
    l2w_status first = L2W_OK;
    for (int i = 0; i < PQntuples(res); i++) {
        l2w_bridge_transfer t;
        l2w_addr sender;
        bool has_sender;
        if (parse_event(res, i, &t, &sender, &has_sender) != L2W_OK) {
            l2w_err_set(err, "bridge %s: stored event is malformed", c->bridge->name);
            first = L2W_ERR_DB;
            break;
        }
        const char *kind = PQgetvalue(res, i, 5);
        l2w_err e = {{0}};
        if (strcmp(kind, "withdrawal_proven") == 0 && c->bridge->kind == L2W_BRIDGE_OP_STACK)
            st = has_sender && t.has_message_id && t.has_recipient ? judge_op(c, db, &t, &sender, &e) : L2W_OK;
        else if (strcmp(kind, "release") == 0)
            st = judge_release(c, db, &t, &e);
        else
            st = L2W_OK;
        if (st != L2W_OK && first == L2W_OK) {
            first = st;
            *err = e;
        }
        if (st == L2W_ERR_DB || st == L2W_ERR_DB_RETRY)
            break;
    }
    PQclear(res);
    return first;
}
