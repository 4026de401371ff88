#include "responder/response_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"

#define ID_TEXT(buf, v) snprintf(buf, sizeof buf, "%lld", (long long)(v))

void l2w_response_clear(l2w_response *r)
{
    l2w_bytes_free(&r->calldata);
    json_decref(r->params);
    r->params = NULL;
}

static l2w_status exec_ok(l2w_db *db, const char *sql, int n, const char *const *params, l2w_err *err)
{
    return l2w_db_exec(db, NULL, sql, n, params, err);
}

static void copy_text(char *dst, size_t cap, PGresult *res, int col)
{
    snprintf(dst, cap, "%s", PQgetisnull(res, 0, col) ? "" : PQgetvalue(res, 0, col));
}

static bool parse_opt_u64(PGresult *res, int col, uint64_t *out)
{
    if (PQgetisnull(res, 0, col))
        return false;
    *out = strtoull(PQgetvalue(res, 0, col), NULL, 10);
    return true;
}

static l2w_status parse_opt_bytes(PGresult *res, int col, uint8_t *out, size_t len, bool *has)
{
    *has = !PQgetisnull(res, 0, col);
    return *has ? l2w_db_bytea_parse(out, len, PQgetvalue(res, 0, col)) : L2W_OK;
}

static l2w_status parse_response(PGresult *res, l2w_response *r, l2w_err *err)
{
    memset(r, 0, sizeof *r);
    r->id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    r->finding_id = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
    copy_text(r->action, sizeof r->action, res, 2);
    copy_text(r->chain, sizeof r->chain, res, 3);
    copy_text(r->mode, sizeof r->mode, res, 4);
    copy_text(r->signer, sizeof r->signer, res, 5);
    copy_text(r->status, sizeof r->status, res, 6);
    bool has_to, has_block_hash;
    l2w_status st = parse_opt_bytes(res, 7, r->to.b, 20, &has_to);
    if (st == L2W_OK)
        st = l2w_db_bytea_parse_bytes(&r->calldata, PQgetvalue(res, 0, 8));
    if (st == L2W_OK)
        st = l2w_json_parse(&r->params, PQgetvalue(res, 0, 9), strlen(PQgetvalue(res, 0, 9)), err);
    if (st == L2W_OK)
        st = parse_opt_bytes(res, 10, r->sender.b, 20, &r->has_sender);
    r->has_nonce = parse_opt_u64(res, 11, &r->nonce);
    (void)parse_opt_u64(res, 12, &r->gas_limit);
    r->bumps = atoi(PQgetvalue(res, 0, 13));
    if (st == L2W_OK)
        st = parse_opt_bytes(res, 14, r->tx_hash.b, 32, &r->has_tx_hash);
    r->has_mined = parse_opt_u64(res, 15, &r->mined_block);
    if (st == L2W_OK)
        st = parse_opt_bytes(res, 16, r->mined_block_hash.b, 32, &has_block_hash);
    r->age_seconds = strtod(PQgetvalue(res, 0, 17), NULL);
    r->deadline = PQgetisnull(res, 0, 18) ? 0 : strtoll(PQgetvalue(res, 0, 18), NULL, 10);
    r->window_start = PQgetisnull(res, 0, 19) ? 0 : strtoll(PQgetvalue(res, 0, 19), NULL, 10);
    if (st == L2W_OK && l2w_u256_from_dec(&r->value, PQgetvalue(res, 0, 20)) != L2W_OK) {
        l2w_err_set(err, "value \"%.80s\" is no uint256", PQgetvalue(res, 0, 20));
        st = L2W_ERR_DB;
    }
    if (st != L2W_OK) {
        l2w_response_clear(r);
        l2w_err_prefix(err, "response row is malformed");
        return L2W_ERR_DB;
    }
    return L2W_OK;
}

l2w_status l2w_responses_next_open(l2w_db *db, const char *chain, int64_t after_id, l2w_response *out, l2w_err *err)
{
    char after[24];
    ID_TEXT(after, after_id);
    const char *params[] = {chain, after};
    PGresult *res;
    l2w_status st = l2w_db_exec(
        db, &res,
        "SELECT r.id, r.finding_id, r.action, r.chain, r.mode, r.signer, r.status, r.to_addr, r.calldata, "
        "r.params::text, r.sender, r.nonce, r.gas_limit, r.bumps, r.tx_hash, r.mined_block, r.mined_block_hash, "
        "extract(epoch FROM now() - f.detected_at)::float8, r.deadline, r.window_start, r.value "
        "FROM responses r JOIN findings f ON f.id = r.finding_id "
        "WHERE r.chain = $1 AND r.id > $2::bigint AND r.status IN ('planned', 'nonce_assigned', 'sent', 'mined') "
        "ORDER BY r.id LIMIT 1",
        2, params, err);
    if (st != L2W_OK)
        return st;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return L2W_ERR_NOT_FOUND;
    }
    st = parse_response(res, out, err);
    PQclear(res);
    return st;
}

l2w_status l2w_responses_in_flight(l2w_db *db, const char *chain, int64_t *count, l2w_err *err)
{
    const char *params[] = {chain};
    PGresult *res;
    l2w_status st = l2w_db_exec(db, &res,
                                "SELECT count(*) FROM responses WHERE chain = $1 AND status IN "
                                "('nonce_assigned', 'sent', 'mined')",
                                1, params, err);
    if (st != L2W_OK)
        return st;
    *count = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return L2W_OK;
}

l2w_status l2w_response_finish(l2w_db *db, int64_t id, const char *status, const char *note, l2w_err *err)
{
    char idt[24];
    ID_TEXT(idt, id);
    const char *params[] = {idt, status, note};
    return exec_ok(db,
                   "UPDATE responses SET status = $2, note = $3, finished_at = now(), updated_at = now() "
                   "WHERE id = $1::bigint",
                   3, params, err);
}

l2w_status l2w_response_note(l2w_db *db, int64_t id, const char *note, l2w_err *err)
{
    char idt[24];
    ID_TEXT(idt, id);
    const char *params[] = {idt, note};
    return exec_ok(db, "UPDATE responses SET note = $2, updated_at = now() WHERE id = $1::bigint AND note IS DISTINCT FROM $2",
                   2, params, err);
}

l2w_status l2w_response_set_gas(l2w_db *db, int64_t id, const l2w_addr *sender, uint64_t gas_limit, l2w_err *err)
{
    char idt[24], gas[24], from[2 * 20 + 3];
    ID_TEXT(idt, id);
    snprintf(gas, sizeof gas, "%llu", (unsigned long long)gas_limit);
    if (sender)
        l2w_db_bytea_text(from, sender->b, 20);
    const char *params[] = {idt, gas, sender ? from : NULL};
    return exec_ok(db,
                   "UPDATE responses SET gas_limit = $2::bigint, sender = COALESCE($3::bytea, sender), "
                   "updated_at = now() WHERE id = $1::bigint",
                   3, params, err);
}

l2w_status l2w_response_assign_nonce(l2w_db *db, int64_t id, const char *chain, const l2w_addr *sender,
                                     uint64_t chain_pending, uint64_t *nonce, l2w_err *err)
{
    char idt[24], pending[24], from[2 * 20 + 3];
    ID_TEXT(idt, id);
    snprintf(pending, sizeof pending, "%llu", (unsigned long long)chain_pending);
    l2w_db_bytea_text(from, sender->b, 20);
    const char *params[] = {chain, from, pending};
    PGresult *res;
    /* The upsert takes the row lock, so two replicas (or two threads) can
     * never hand out the same nonce. */
    l2w_status st = l2w_db_exec(db, &res,
                                "INSERT INTO tx_nonces AS t (chain, sender, next_nonce) VALUES ($1, $2, $3::bigint + 1) "
                                "ON CONFLICT (chain, sender) DO UPDATE SET next_nonce = "
                                "GREATEST(t.next_nonce, EXCLUDED.next_nonce - 1) + 1 "
                                "RETURNING next_nonce - 1",
                                3, params, err);
    if (st != L2W_OK)
        return st;
    *nonce = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    char n[24];
    snprintf(n, sizeof n, "%llu", (unsigned long long)*nonce);
    const char *upd[] = {idt, n, from};
    st = l2w_db_exec(db, &res,
                     "UPDATE responses SET nonce = $2::bigint, sender = $3, status = 'nonce_assigned', "
                     "updated_at = now() WHERE id = $1::bigint AND status = 'planned'",
                     3, upd, err);
    if (st != L2W_OK)
        return st;
    /* Anything but exactly one row means the response moved on under us; the
     * caller rolls back, which also returns the nonce. */
    bool one = strcmp(PQcmdTuples(res), "1") == 0;
    PQclear(res);
    if (!one) {
        l2w_err_set(err, "response %s: no longer planned when its nonce was assigned", idt);
        return L2W_ERR_DB_RETRY;
    }
    return L2W_OK;
}

void l2w_attempts_free(l2w_attempt *a, size_t n)
{
    for (size_t i = 0; a && i < n; i++)
        l2w_bytes_free(&a[i].raw);
    free(a);
}

static l2w_status parse_attempt(PGresult *res, int row, l2w_attempt *a)
{
    a->attempt = atoi(PQgetvalue(res, row, 0));
    l2w_status st = l2w_db_bytea_parse(a->tx_hash.b, 32, PQgetvalue(res, row, 1));
    if (st == L2W_OK)
        st = l2w_db_bytea_parse_bytes(&a->raw, PQgetvalue(res, row, 2));
    if (st == L2W_OK)
        st = l2w_u256_from_dec(&a->fees.max_fee, PQgetvalue(res, row, 3));
    if (st == L2W_OK)
        st = l2w_u256_from_dec(&a->fees.tip, PQgetvalue(res, row, 4));
    a->sent = PQgetvalue(res, row, 5)[0] == 't';
    a->age_seconds = strtod(PQgetvalue(res, row, 6), NULL);
    return st;
}

l2w_status l2w_response_attempts(l2w_db *db, int64_t id, l2w_attempt **out, size_t *n, l2w_err *err)
{
    char idt[24];
    ID_TEXT(idt, id);
    const char *params[] = {idt};
    PGresult *res;
    l2w_status st = l2w_db_exec(db, &res,
                                "SELECT attempt, tx_hash, raw_tx, max_fee_per_gas::text, "
                                "max_priority_fee_per_gas::text, sent_at IS NOT NULL, "
                                "extract(epoch FROM now() - created_at)::float8 "
                                "FROM response_attempts WHERE response_id = $1::bigint ORDER BY attempt",
                                1, params, err);
    if (st != L2W_OK)
        return st;
    int rows = PQntuples(res);
    l2w_attempt *a = calloc((size_t)rows + 1, sizeof *a);
    if (!a) {
        PQclear(res);
        l2w_err_set(err, "response %s: out of memory", idt);
        return L2W_ERR_NOMEM;
    }
    for (int i = 0; i < rows && st == L2W_OK; i++)
        st = parse_attempt(res, i, &a[i]);
    PQclear(res);
    if (st != L2W_OK) {
        l2w_attempts_free(a, (size_t)rows);
        l2w_err_set(err, "response %s: malformed attempt row", idt);
        return L2W_ERR_DB;
    }
    *out = a;
    *n = (size_t)rows;
    return L2W_OK;
}

l2w_status l2w_response_add_attempt(l2w_db *db, int64_t id, int attempt, const l2w_hash *tx_hash,
                                    const l2w_bytes *raw, const l2w_fees *fees, l2w_err *err)
{
    char idt[24], at[16], hash[2 * 32 + 3], fee[L2W_U256_DEC_LEN], tip[L2W_U256_DEC_LEN];
    ID_TEXT(idt, id);
    snprintf(at, sizeof at, "%d", attempt);
    l2w_db_bytea_text(hash, tx_hash->b, 32);
    l2w_u256_to_dec(fee, &fees->max_fee);
    l2w_u256_to_dec(tip, &fees->tip);
    char *rawtext = l2w_db_bytea_text_alloc(raw->data, raw->len);
    if (!rawtext) {
        l2w_err_set(err, "response %s: out of memory", idt);
        return L2W_ERR_NOMEM;
    }
    const char *params[] = {idt, at, hash, rawtext, fee, tip};
    l2w_status st = exec_ok(db,
                            "INSERT INTO response_attempts (response_id, attempt, tx_hash, raw_tx, max_fee_per_gas, "
                            "max_priority_fee_per_gas) VALUES ($1::bigint, $2::int, $3, $4, $5::numeric, $6::numeric)",
                            6, params, err);
    free(rawtext);
    return st;
}

l2w_status l2w_response_mark_sent(l2w_db *db, int64_t id, const l2w_hash *tx_hash, bool bumped, l2w_err *err)
{
    char idt[24], hash[2 * 32 + 3];
    ID_TEXT(idt, id);
    l2w_db_bytea_text(hash, tx_hash->b, 32);
    const char *params[] = {idt, hash, bumped ? "1" : "0"};
    l2w_status st = exec_ok(db,
                            "UPDATE response_attempts SET sent_at = COALESCE(sent_at, now()) "
                            "WHERE response_id = $1::bigint AND tx_hash = $2",
                            2, params, err);
    if (st == L2W_OK)
        st = exec_ok(db,
                     "UPDATE responses SET status = 'sent', tx_hash = $2, sent_at = COALESCE(sent_at, now()), "
                     "bumps = bumps + $3::int, updated_at = now() WHERE id = $1::bigint",
                     3, params, err);
    return st;
}

l2w_status l2w_response_mark_mined(l2w_db *db, int64_t id, const l2w_hash *tx_hash, uint64_t block,
                                   const l2w_hash *block_hash, l2w_err *err)
{
    char idt[24], hash[2 * 32 + 3], bh[2 * 32 + 3], num[24];
    ID_TEXT(idt, id);
    l2w_db_bytea_text(hash, tx_hash->b, 32);
    l2w_db_bytea_text(bh, block_hash->b, 32);
    snprintf(num, sizeof num, "%llu", (unsigned long long)block);
    const char *params[] = {idt, hash, num, bh};
    return exec_ok(db,
                   "UPDATE responses SET status = 'mined', tx_hash = $2, mined_block = $3::bigint, "
                   "mined_block_hash = $4, mined_at = COALESCE(mined_at, now()), updated_at = now() "
                   "WHERE id = $1::bigint",
                   4, params, err);
}

l2w_status l2w_response_mark_reorged(l2w_db *db, int64_t id, l2w_err *err)
{
    char idt[24];
    ID_TEXT(idt, id);
    const char *params[] = {idt};
    return exec_ok(db,
                   "UPDATE responses SET status = 'sent', mined_block = NULL, mined_block_hash = NULL, "
                   "mined_at = NULL, reorgs = reorgs + 1, updated_at = now() WHERE id = $1::bigint",
                   1, params, err);
}
