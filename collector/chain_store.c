#include "collector/chain_store.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hex.h"


static void u64_text(char out[24], uint64_t v)
{
    snprintf(out, 24, "%llu", (unsigned long long)v);
}

l2w_status l2w_store_upsert_chains(l2w_db *db, const l2w_config *cfg, l2w_err *err)
{
    /* L1s first so an L2's foreign key to its L1 is satisfied. */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < cfg->n_chains; i++) {
            const l2w_chain_config *ch = &cfg->chains[i];
            if ((pass == 0) != (ch->role == L2W_CHAIN_L1))
                continue;
            char id[24];
            u64_text(id, ch->chain_id);
            const char *params[] = {ch->name, id, ch->role == L2W_CHAIN_L1 ? "l1" : "l2", ch->l1};
            l2w_status st = l2w_db_exec(db, NULL,
                                        "INSERT INTO chains (name, chain_id, role, l1) VALUES ($1, $2, $3, $4) "
                                        "ON CONFLICT (name) DO UPDATE SET chain_id = $2, role = $3, l1 = $4, "
                                        "updated_at = now()",
                                        4, params, err);
            if (st != L2W_OK)
                return st;
        }
    }
    return L2W_OK;
}

l2w_status l2w_store_set_head(l2w_db *db, const char *chain, uint64_t head, l2w_err *err)
{
    char h[24];
    u64_text(h, head);
    const char *params[] = {chain, h};
    return l2w_db_exec(db, NULL,
                       "UPDATE chains SET head_number = $2, head_seen_at = now(), updated_at = now() WHERE name = $1",
                       2, params, err);
}

l2w_status l2w_store_set_synced(l2w_db *db, const char *chain, uint64_t number, l2w_err *err)
{
    char n[24];
    u64_text(n, number);
    const char *params[] = {chain, n};
    return l2w_db_exec(db, NULL, "UPDATE chains SET synced_number = $2, updated_at = now() WHERE name = $1", 2, params,
                       err);
}

l2w_status l2w_store_checkpoint(l2w_db *db, const char *chain, bool *has, uint64_t *number, l2w_hash *hash,
                                l2w_err *err)
{
    const char *params[] = {chain};
    PGresult *res;
    l2w_status st = l2w_db_exec(db, &res,
                                "SELECT c.synced_number, b.hash FROM chains c "
                                "LEFT JOIN blocks b ON b.chain = c.name AND b.number = c.synced_number "
                                "WHERE c.name = $1",
                                1, params, err);
    if (st != L2W_OK)
        return st;
    *has = false;
    if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0) && !PQgetisnull(res, 0, 1)) {
        *number = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
        st = l2w_db_bytea_parse(hash->b, 32, PQgetvalue(res, 0, 1));
        if (st != L2W_OK)
            l2w_err_set(err, "database: stored block hash of %s is malformed", chain);
        *has = st == L2W_OK;
    }
    PQclear(res);
    return st;
}

l2w_status l2w_store_block_hash(l2w_db *db, const char *chain, uint64_t number, l2w_hash *out, l2w_err *err)
{
    char n[24];
    u64_text(n, number);
    const char *params[] = {chain, n};
    PGresult *res;
    l2w_status st = l2w_db_exec(db, &res, "SELECT hash FROM blocks WHERE chain = $1 AND number = $2", 2, params, err);
    if (st != L2W_OK)
        return st;
    if (PQntuples(res) != 1)
        st = L2W_ERR_NOT_FOUND;
    else if (l2w_db_bytea_parse(out->b, 32, PQgetvalue(res, 0, 0)) != L2W_OK) {
        l2w_err_set(err, "database: stored block hash of %s #%s is malformed", chain, n);
        st = L2W_ERR_DB;
    }
    PQclear(res);
    return st;
}

l2w_status l2w_store_block_at_or_below(l2w_db *db, const char *chain, uint64_t number, uint64_t *found,
                                       l2w_hash *hash, l2w_err *err)
{
    char n[24];
    u64_text(n, number);
    const char *params[] = {chain, n};
    PGresult *res;
    l2w_status st = l2w_db_exec(db, &res,
                                "SELECT number, hash FROM blocks WHERE chain = $1 AND number <= $2 "
                                "ORDER BY number DESC LIMIT 1",
                                2, params, err);
    if (st != L2W_OK)
        return st;
    if (PQntuples(res) != 1) {
        st = L2W_ERR_NOT_FOUND;
    } else {
        *found = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
        if (l2w_db_bytea_parse(hash->b, 32, PQgetvalue(res, 0, 1)) != L2W_OK) {
            l2w_err_set(err, "database: stored block hash of %s at or below #%s is malformed", chain, n);
            st = L2W_ERR_DB;
        }
    }
    PQclear(res);
    return st;
}

l2w_status l2w_store_unwind(l2w_db *db, const char *chain, bool has_fork, uint64_t fork, l2w_err *err)
{
    char n[24];
    u64_text(n, fork);
    const char *params[] = {chain, has_fork ? n : "-1"};
    l2w_status st = l2w_db_exec(db, NULL, "DELETE FROM blocks WHERE chain = $1 AND number > $2", 2, params, err);
    if (st != L2W_OK)
        return st;
    return l2w_db_exec(db, NULL,
                       "UPDATE chains SET synced_number = CASE WHEN $2::bigint < 0 THEN NULL ELSE $2::bigint END, "
                       "updated_at = now() WHERE name = $1",
                       2, params, err);
}

/* ---- many rows in one statement ----
 * Rows go to PostgreSQL as one array literal per column and come out of
 * unnest(): one round trip per table instead of one per row, which is what
 * makes a catch-up over thousands of logs fast. */

/* Rows per statement: bounds the size of one query's parameters (a log's
 * row is under a kilobyte unless its data is large). */
#define ROWS_PER_STATEMENT 2000

/* The text of one array literal, built element by element. A plain
 * growable string: these buffers hold public chain data, and megabytes of
 * them, so l2w_bytes' wipe on every growth is not worth its cost here. */
typedef struct {
    char *p;
    size_t len;
    size_t cap;
    size_t n;     /* elements so far */
    bool failed;
} array_text;

#define ARRAY_TEXT_INIT {NULL, 0, 0, 0, false}

/* Room for extra more bytes; false (and failed set) on allocation failure. */
static bool array_room(array_text *a, size_t extra)
{
    if (a->failed)
        return false;
    if (a->cap - a->len >= extra)
        return true;
    size_t cap = a->cap ? a->cap : 4096;
    while (cap - a->len < extra)
        cap *= 2;
    char *p = realloc(a->p, cap);
    if (!p) {
        a->failed = true;
        return false;
    }
    a->p = p;
    a->cap = cap;
    return true;
}

/* Starts an element: the opening brace or a comma; extra is the element's size. */
static bool array_next(array_text *a, size_t extra)
{
    if (!array_room(a, extra + 1))
        return false;
    a->p[a->len++] = a->n++ ? ',' : '{';
    return true;
}

static void array_add_raw(array_text *a, const char *s)
{
    size_t n = strlen(s);
    if (array_next(a, n)) {
        memcpy(a->p + a->len, s, n);
        a->len += n;
    }
}

static void array_add_u64(array_text *a, uint64_t v)
{
    char t[24];
    u64_text(t, v);
    array_add_raw(a, t);
}

/* A quoted element; the caller guarantees s holds no quote or backslash. */
static void array_add_quoted(array_text *a, const char *s)
{
    size_t n = strlen(s);
    if (array_next(a, n + 2)) {
        a->p[a->len++] = '"';
        memcpy(a->p + a->len, s, n);
        a->len += n;
        a->p[a->len++] = '"';
    }
}

/* bytea as "\\x...": the backslash doubled inside array quotes. */
static void array_add_bytea(array_text *a, const uint8_t *p, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    if (!array_next(a, 5 + 2 * len))
        return;
    char *o = a->p + a->len;
    memcpy(o, "\"\\\\x", 4);
    o += 4;
    for (size_t i = 0; i < len; i++) {
        *o++ = digits[p[i] >> 4];
        *o++ = digits[p[i] & 15];
    }
    *o++ = '"';
    a->len = (size_t)(o - a->p);
}

/* Closes the literal and NUL-terminates it; the text is a->p. */
static void array_close(array_text *a)
{
    if (!array_room(a, 3))
        return;
    if (a->n == 0)
        a->p[a->len++] = '{';
    a->p[a->len++] = '}';
    a->p[a->len] = '\0';
}

static void arrays_free(array_text *a, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(a[i].p);
}

/* Closes n arrays and runs sql with params[0] = first, then the arrays. */
static l2w_status exec_arrays(l2w_db *db, const char *sql, const char *first, array_text *a, size_t n,
                              const char *what, l2w_err *err)
{
    const char *params[16];
    params[0] = first;
    for (size_t i = 0; i < n; i++) {
        array_close(&a[i]);
        if (a[i].failed) {
            l2w_err_set(err, "store %s: out of memory", what);
            return L2W_ERR_NOMEM;
        }
        params[i + 1] = a[i].p;
    }
    return l2w_db_exec(db, NULL, sql, (int)n + 1, params, err);
}

static l2w_status store_blocks_chunk(l2w_db *db, const char *chain, const l2w_block_header *h, size_t n,
                                     l2w_err *err)
{
    array_text a[4] = {ARRAY_TEXT_INIT, ARRAY_TEXT_INIT, ARRAY_TEXT_INIT, ARRAY_TEXT_INIT};
    for (size_t i = 0; i < n; i++) {
        array_add_u64(&a[0], h[i].number);
        array_add_bytea(&a[1], h[i].hash.b, 32);
        array_add_bytea(&a[2], h[i].parent_hash.b, 32);
        array_add_u64(&a[3], h[i].timestamp);
    }
    l2w_status st = exec_arrays(db,
                                "INSERT INTO blocks (chain, number, hash, parent_hash, timestamp) "
                                "SELECT $1, * FROM unnest($2::bigint[], $3::bytea[], $4::bytea[], $5::bigint[])",
                                chain, a, 4, "blocks", err);
    arrays_free(a, 4);
    return st;
}

static l2w_status store_logs_chunk(l2w_db *db, const char *chain, const l2w_evm_log *logs, size_t n, l2w_err *err)
{
    /* block_hash, block_number, log_index, tx_hash, address, topic0..3, data */
    array_text a[10];
    for (size_t k = 0; k < 10; k++)
        a[k] = (array_text)ARRAY_TEXT_INIT;
    for (size_t i = 0; i < n; i++) {
        const l2w_evm_log *log = &logs[i];
        array_add_bytea(&a[0], log->block_hash.b, 32);
        array_add_u64(&a[1], log->block_number);
        array_add_u64(&a[2], log->log_index);
        array_add_bytea(&a[3], log->tx_hash.b, 32);
        array_add_bytea(&a[4], log->address.b, 20);
        for (size_t t = 0; t < L2W_LOG_MAX_TOPICS; t++) {
            if (t < log->n_topics)
                array_add_bytea(&a[5 + t], log->topics[t].b, 32);
            else
                array_add_raw(&a[5 + t], "NULL");
        }
        array_add_bytea(&a[9], log->data, log->data_len);
    }
    /* A log's topics are a prefix of t0..t3, so dropping the NULLs keeps their order. */
    l2w_status st = exec_arrays(db,
                                "INSERT INTO logs (chain, block_hash, block_number, log_index, tx_hash, address, topics, "
                                "data) SELECT $1, u.bh, u.bn, u.li, u.tx, u.addr, "
                                "array_remove(ARRAY[u.t0, u.t1, u.t2, u.t3], NULL), u.data "
                                "FROM unnest($2::bytea[], $3::bigint[], $4::int[], $5::bytea[], $6::bytea[], "
                                "$7::bytea[], $8::bytea[], $9::bytea[], $10::bytea[], $11::bytea[]) "
                                "AS u(bh, bn, li, tx, addr, t0, t1, t2, t3, data)",
                                chain, a, 10, "logs", err);
    arrays_free(a, 10);
    return st;
}

static l2w_status store_proposals_chunk(l2w_db *db, const char *l1_chain, const l2w_output_proposal *p, size_t n,
                                        l2w_err *err)
{
    /* block_hash, log_index, l2_chain, oracle, output_index, l2_block_number,
     * output_root, l1_timestamp, l1_block_number, tx_hash */
    array_text a[10];
    for (size_t k = 0; k < 10; k++)
        a[k] = (array_text)ARRAY_TEXT_INIT;
    for (size_t i = 0; i < n; i++) {
        char index[L2W_U256_DEC_LEN], block[L2W_U256_DEC_LEN], ts[L2W_U256_DEC_LEN];
        l2w_u256_to_dec(index, &p[i].output_index);
        l2w_u256_to_dec(block, &p[i].l2_block_number);
        l2w_u256_to_dec(ts, &p[i].l1_timestamp);
        array_add_bytea(&a[0], p[i].l1_block_hash.b, 32);
        array_add_u64(&a[1], p[i].l1_log_index);
        array_add_quoted(&a[2], p[i].l2_chain); /* a config name: [a-z0-9_-] */
        array_add_bytea(&a[3], p[i].oracle.b, 20);
        array_add_raw(&a[4], index);
        array_add_raw(&a[5], block);
        array_add_bytea(&a[6], p[i].output_root.b, 32);
        array_add_raw(&a[7], ts);
        array_add_u64(&a[8], p[i].l1_block_number);
        array_add_bytea(&a[9], p[i].l1_tx_hash.b, 32);
    }
    l2w_status st = exec_arrays(db,
                                "INSERT INTO output_proposals (l1_chain, block_hash, log_index, l2_chain, oracle, "
                                "output_index, l2_block_number, output_root, l1_timestamp, l1_block_number, tx_hash) "
                                "SELECT $1, * FROM unnest($2::bytea[], $3::int[], $4::text[], $5::bytea[], "
                                "$6::numeric[], $7::numeric[], $8::bytea[], $9::numeric[], $10::bigint[], $11::bytea[])",
                                l1_chain, a, 10, "output proposals", err);
    arrays_free(a, 10);
    return st;
}

l2w_status l2w_store_blocks(l2w_db *db, const char *chain, const l2w_block_header *h, size_t n, l2w_err *err)
{
    l2w_status st = L2W_OK;
    for (size_t i = 0; st == L2W_OK && i < n; i += ROWS_PER_STATEMENT)
        st = store_blocks_chunk(db, chain, h + i, n - i < ROWS_PER_STATEMENT ? n - i : ROWS_PER_STATEMENT, err);
    return st;
}

l2w_status l2w_store_logs(l2w_db *db, const char *chain, const l2w_evm_log *logs, size_t n, l2w_err *err)
{
    l2w_status st = L2W_OK;
    for (size_t i = 0; st == L2W_OK && i < n; i += ROWS_PER_STATEMENT)
        st = store_logs_chunk(db, chain, logs + i, n - i < ROWS_PER_STATEMENT ? n - i : ROWS_PER_STATEMENT, err);
    return st;
}

l2w_status l2w_store_output_proposals(l2w_db *db, const char *l1_chain, const l2w_output_proposal *p, size_t n,
                                      l2w_err *err)
{
    l2w_status st = L2W_OK;
    for (size_t i = 0; st == L2W_OK && i < n; i += ROWS_PER_STATEMENT)
        st = store_proposals_chunk(db, l1_chain, p + i, n - i < ROWS_PER_STATEMENT ? n - i : ROWS_PER_STATEMENT,
                                   err);
    return st;
}
