#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/da_guard_internal.h"
#include "app/finding_store.h"
#include "collector/chain_store.h"
#include "core/hex.h"
#include "core/log.h"
#include "detectors/data_withheld.h"

/* A challenge's life on DataAvailabilityChallenge, as the findings see it:
 *   Active    our data_withheld finding gets a "challenge_active" alert; a
 *             challenge of anything else raises da_challenged;
 *   Resolved  the data is on-chain now: both findings resolve, and the
 *             commitment counts as available;
 *   Expired   no event: read from getChallengeStatus once resolveWindow
 *             blocks passed. The data never came, op-node drops the batch:
 *             data_withheld stays open with a "challenge_expired" alert
 *             (people must look at what the L2 lost), da_challenged
 *             resolves. */

#define EVENTS_PER_STEP 64
#define ACTIVE_PER_STEP 32

typedef struct {
    char block_hash[2 * 32 + 3];
    char log_index[16];
    uint64_t block_number;
    l2w_hash block_hash_bin;
    l2w_hash tx_hash;
    uint64_t challenged_block;
    uint8_t commitment[64];
    size_t commitment_len;
    int status;
} challenge_event;

static l2w_status parse_event(PGresult *res, int i, challenge_event *e, l2w_err *err)
{
    memset(e, 0, sizeof *e);
    snprintf(e->block_hash, sizeof e->block_hash, "%s", PQgetvalue(res, i, 0));
    snprintf(e->log_index, sizeof e->log_index, "%s", PQgetvalue(res, i, 1));
    e->block_number = strtoull(PQgetvalue(res, i, 2), NULL, 10);
    e->challenged_block = strtoull(PQgetvalue(res, i, 4), NULL, 10);
    e->status = atoi(PQgetvalue(res, i, 6));
    l2w_bytes com = L2W_BYTES_INIT;
    l2w_status st = l2w_db_bytea_parse(e->block_hash_bin.b, 32, e->block_hash);
    if (st == L2W_OK)
        st = l2w_db_bytea_parse(e->tx_hash.b, 32, PQgetvalue(res, i, 3));
    if (st == L2W_OK)
        st = l2w_db_bytea_parse_bytes(&com, PQgetvalue(res, i, 5));
    if (st == L2W_OK && (com.len == 0 || com.len > sizeof e->commitment))
        st = L2W_ERR_RANGE;
    if (st == L2W_OK) {
        memcpy(e->commitment, com.data, com.len);
        e->commitment_len = com.len;
    }
    l2w_bytes_free(&com);
    if (st != L2W_OK) {
        l2w_err_set(err, "da_challenge_events: malformed row");
        return L2W_ERR_DB;
    }
    return L2W_OK;
}

/* The open finding of kind about subject: *id 0 when there is none. */
static l2w_status open_finding(l2w_db *db, const char *kind, const char *subject, int64_t *id, l2w_err *err)
{
    const char *params[] = {kind, subject};
    PGresult *res;
    l2w_status st = l2w_db_exec(db, &res,
                                "SELECT id FROM findings WHERE kind = $1 AND subject = $2 AND status = 'open' "
                                "ORDER BY id LIMIT 1",
                                2, params, err);
    if (st != L2W_OK)
        return st;
    *id = PQntuples(res) ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
    PQclear(res);
    return L2W_OK;
}

/* Records the challenge's state in the finding's evidence, then alerts
 * event with the document that now carries it. */
static l2w_status note_on_finding(da_ctx *c, l2w_db *db, int64_t id, const char *status, uint64_t block,
                                  const l2w_hash *tx, const char *event, l2w_err *err)
{
    char idt[24], blk[24], txh[L2W_HASH_HEX_LEN] = "";
    snprintf(idt, sizeof idt, "%lld", (long long)id);
    snprintf(blk, sizeof blk, "%llu", (unsigned long long)block);
    if (tx)
        l2w_hash_to_hex(txh, tx);
    const char *params[] = {idt, status, blk, tx ? txh : NULL};
    l2w_status st = l2w_db_exec(db, NULL,
                                "UPDATE findings SET updated_at = now(), evidence = evidence || jsonb_build_object("
                                "'challenge', jsonb_build_object('status', $2::text, 'block', $3::bigint, 'tx', "
                                "$4::text)) WHERE id = $1::bigint",
                                4, params, err);
    return st == L2W_OK ? l2w_finding_alert(db, id, event, c->cfg, err) : st;
}

static l2w_status set_commitment_status(da_ctx *c, l2w_db *db, const challenge_event *e, int status,
                                        const char *data_status, const char *served_by, l2w_err *err)
{
    char chal[24], st_text[4], blk[24];
    snprintf(chal, sizeof chal, "%llu", (unsigned long long)e->challenged_block);
    snprintf(st_text, sizeof st_text, "%d", status);
    snprintf(blk, sizeof blk, "%llu", (unsigned long long)e->block_number);
    char *com = l2w_db_bytea_text_alloc(e->commitment, e->commitment_len);
    if (!com) {
        l2w_err_set(err, "da: out of memory");
        return L2W_ERR_NOMEM;
    }
    const char *params[] = {c->l1->name, chal, com, st_text, blk, data_status, served_by};
    l2w_status st = l2w_db_exec(
        db, NULL,
        "UPDATE da_commitments SET challenge_status = $4::smallint, "
        "challenge_block = CASE WHEN $4::smallint = 1 THEN $5::bigint ELSE challenge_block END, "
        "status = COALESCE($6, status), served_by = COALESCE($7, served_by), "
        "checked_at = CASE WHEN $6 IS NULL THEN checked_at ELSE now() END "
        "WHERE l1_chain = $1 AND block_number = $2::bigint AND commitment = $3 AND kind = 'keccak'",
        7, params, err);
    free(com);
    return st;
}

/* Every Active event of this challenge stops waiting for expiry. */
static l2w_status settle(da_ctx *c, l2w_db *db, const challenge_event *e, l2w_err *err)
{
    char chal[24], contract[2 * 20 + 3];
    snprintf(chal, sizeof chal, "%llu", (unsigned long long)e->challenged_block);
    l2w_db_bytea_text(contract, c->da->challenge_contract.b, 20);
    char *com = l2w_db_bytea_text_alloc(e->commitment, e->commitment_len);
    if (!com) {
        l2w_err_set(err, "da: out of memory");
        return L2W_ERR_NOMEM;
    }
    const char *params[] = {c->l1->name, contract, chal, com};
    l2w_status st = l2w_db_exec(db, NULL,
                                "UPDATE da_challenge_events SET settled = true WHERE l1_chain = $1 AND contract = $2 "
                                "AND challenged_block = $3::numeric AND commitment = $4 AND status = 1",
                                4, params, err);
    free(com);
    return st;
}

static l2w_status on_active(da_ctx *c, l2w_db *db, const challenge_event *e, const char *subject, l2w_err *err)
{
    int64_t id;
    l2w_status st = set_commitment_status(c, db, e, 1, NULL, NULL, err);
    if (st == L2W_OK)
        st = open_finding(db, "data_withheld", subject, &id, err);
    if (st != L2W_OK)
        return st;
    if (id) {
        L2W_INFO("da", c->da->chain, "challenge of %s active from block %llu", subject,
                 (unsigned long long)e->block_number);
        return note_on_finding(c, db, id, "active", e->block_number, &e->tx_hash, "challenge_active", err);
    }
    l2w_finding f;
    st = l2w_da_challenged_finding(&f, c->da->chain, c->l1->name, e->challenged_block, e->commitment,
                                   e->commitment_len, e->block_number, &e->block_hash_bin, &e->tx_hash,
                                   c->have_params ? c->params.resolve_window : 0, err);
    bool created = false;
    if (st == L2W_OK)
        st = l2w_finding_raise(db, &f, c->cfg, &id, &created, err);
    if (st == L2W_OK && created) {
        c->raised = true;
        L2W_UNUSUAL("da", c->da->chain, "%s", f.title);
    }
    l2w_finding_clear(&f);
    return st;
}

static l2w_status on_resolved(da_ctx *c, l2w_db *db, const challenge_event *e, const char *subject, l2w_err *err)
{
    char note[320], tx[L2W_HASH_HEX_LEN], by[96];
    l2w_hash_to_hex(tx, &e->tx_hash);
    snprintf(note, sizeof note,
             "resolved on-chain: the data was published with DataAvailabilityChallenge.resolve in %s block %llu "
             "(tx %s)",
             c->l1->name, (unsigned long long)e->block_number, tx);
    snprintf(by, sizeof by, "resolve() in block %llu", (unsigned long long)e->block_number);
    size_t n1 = 0, n2 = 0;
    l2w_status st = set_commitment_status(c, db, e, 2, "available", by, err);
    if (st == L2W_OK)
        st = settle(c, db, e, err);
    if (st == L2W_OK)
        st = l2w_findings_resolve_subject(db, c->cfg, "data_withheld", subject, note, &n1, err);
    if (st == L2W_OK)
        st = l2w_findings_resolve_subject(db, c->cfg, "da_challenged", subject, note, &n2, err);
    if (st == L2W_OK)
        L2W_INFO("da", c->da->chain, "challenge of %s resolved in block %llu (%zu finding(s) resolved)", subject,
                 (unsigned long long)e->block_number, n1 + n2);
    return st;
}

static l2w_status mark_handled(l2w_db *db, const char *l1, const challenge_event *e, l2w_err *err)
{
    const char *params[] = {l1, e->block_hash, e->log_index};
    return l2w_db_exec(db, NULL,
                       "UPDATE da_challenge_events SET handled = true WHERE l1_chain = $1 AND block_hash = $2 "
                       "AND log_index = $3::integer",
                       3, params, err);
}

static l2w_status handle_event(da_ctx *c, l2w_db *db, const challenge_event *e, l2w_err *err)
{
    char subject[160];
    l2w_status st = l2w_da_subject(subject, sizeof subject, c->l1->name, e->challenged_block, e->commitment,
                                   e->commitment_len, err);
    if (st != L2W_OK)
        return st;
    if ((st = l2w_db_begin(db, err)) != L2W_OK)
        return st;
    switch (e->status) {
    case L2W_DAC_ACTIVE:
        st = on_active(c, db, e, subject, err);
        break;
    case L2W_DAC_RESOLVED:
        st = on_resolved(c, db, e, subject, err);
        break;
    default:
        L2W_UNUSUAL("da", c->da->chain, "ChallengeStatusChanged with status %d for %s: not emitted by this contract "
                    "version; ignored", e->status, subject);
        break;
    }
    if (st == L2W_OK)
        st = mark_handled(db, c->l1->name, e, err);
    return l2w_db_end(db, st, err);
}

/* This contract's events that match filter (SQL after WHERE ... AND), in
 * block order, at most limit. */
static l2w_status select_events(da_ctx *c, l2w_db *db, const char *filter, int limit, PGresult **res, l2w_err *err)
{
    char contract[2 * 20 + 3], sql[512], lim[8];
    l2w_db_bytea_text(contract, c->da->challenge_contract.b, 20);
    snprintf(lim, sizeof lim, "%d", limit);
    snprintf(sql, sizeof sql,
             "SELECT block_hash, log_index::text, block_number, tx_hash, challenged_block::text, commitment, status "
             "FROM da_challenge_events WHERE l1_chain = $1 AND contract = $2 AND %s "
             "ORDER BY block_number, log_index LIMIT $3::integer",
             filter);
    const char *params[] = {c->l1->name, contract, lim};
    return l2w_db_exec(db, res, sql, 3, params, err);
}

static l2w_status handle_new_events(da_ctx *c, l2w_db *db, l2w_err *err)
{
    PGresult *res;
    l2w_status st = select_events(c, db, "NOT handled", EVENTS_PER_STEP, &res, err);
    if (st != L2W_OK)
        return st;
    for (int i = 0; st == L2W_OK && i < PQntuples(res); i++) {
        challenge_event e;
        st = parse_event(res, i, &e, err);
        if (st == L2W_OK)
            st = handle_event(c, db, &e, err);
    }
    PQclear(res);
    return st;
}

static l2w_status on_expired(da_ctx *c, l2w_db *db, const challenge_event *e, l2w_err *err)
{
    char subject[160], note[256];
    l2w_status st = l2w_da_subject(subject, sizeof subject, c->l1->name, e->challenged_block, e->commitment,
                                   e->commitment_len, err);
    if (st != L2W_OK)
        return st;
    snprintf(note, sizeof note,
             "challenge expired: the data was never published; op-node drops the batch and %s reorgs past it",
             c->da->chain);
    int64_t id = 0;
    size_t n = 0;
    if ((st = l2w_db_begin(db, err)) != L2W_OK)
        return st;
    st = set_commitment_status(c, db, e, 3, "expired", NULL, err);
    if (st == L2W_OK)
        st = settle(c, db, e, err);
    if (st == L2W_OK)
        st = open_finding(db, "data_withheld", subject, &id, err);
    if (st == L2W_OK && id)
        st = note_on_finding(c, db, id, "expired", e->block_number, NULL, "challenge_expired", err);
    if (st == L2W_OK)
        st = l2w_findings_resolve_subject(db, c->cfg, "da_challenged", subject, note, &n, err);
    st = l2w_db_end(db, st, err);
    if (st == L2W_OK)
        L2W_UNUSUAL("da", c->da->chain, "%s: %s", subject, note);
    return st;
}

/* Active challenges whose resolve window may have run out. */
static l2w_status check_expiry(da_ctx *c, l2w_db *db, l2w_err *err)
{
    /* A challenge cannot have expired before resolveWindow blocks passed
     * its start (the event's block): only those are read from the chain. */
    bool has_tip = false;
    uint64_t tip = 0;
    l2w_hash tip_hash;
    l2w_status st = l2w_store_checkpoint(db, c->l1->name, &has_tip, &tip, &tip_hash, err);
    if (st != L2W_OK || !has_tip)
        return st;
    char filter[160];
    snprintf(filter, sizeof filter, "status = 1 AND handled AND NOT settled AND block_number + %llu < %llu",
             (unsigned long long)(c->have_params ? c->params.resolve_window : 0), (unsigned long long)tip);
    PGresult *res;
    st = select_events(c, db, filter, ACTIVE_PER_STEP, &res, err);
    if (st != L2W_OK)
        return st;
    for (int i = 0; st == L2W_OK && i < PQntuples(res); i++) {
        challenge_event e;
        l2w_dac_status now;
        st = parse_event(res, i, &e, err);
        if (st == L2W_OK)
            st = l2w_dac_read_status(c->rpc, &c->da->challenge_contract, "latest", e.challenged_block, e.commitment,
                                     e.commitment_len, &now, err);
        if (st == L2W_OK && now == L2W_DAC_EXPIRED)
            st = on_expired(c, db, &e, err);
    }
    PQclear(res);
    return st;
}

l2w_status l2w_da_challenges_step(da_ctx *c, l2w_db *db, l2w_err *err)
{
    if (!c->da->has_challenge_contract)
        return L2W_OK;
    l2w_status st = handle_new_events(c, db, err);
    return st == L2W_OK ? check_expiry(c, db, err) : st;
}
