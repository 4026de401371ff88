#include "collector/chain_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hex.h"

#define BYTEA_HASH_LEN (2 * 32 + 3)
#define BYTEA_ADDR_LEN (2 * 20 + 3)

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

l2w_status l2w_store_block(l2w_db *db, const char *chain, const l2w_block_header *h, l2w_err *err)
{
    char num[24], ts[24], hash[BYTEA_HASH_LEN], parent[BYTEA_HASH_LEN];
    u64_text(num, h->number);
    u64_text(ts, h->timestamp);
    l2w_db_bytea_text(hash, h->hash.b, 32);
    l2w_db_bytea_text(parent, h->parent_hash.b, 32);
    const char *params[] = {chain, num, hash, parent, ts};
    return l2w_db_exec(db, NULL,
                       "INSERT INTO blocks (chain, number, hash, parent_hash, timestamp) VALUES ($1, $2, $3, $4, $5)",
                       5, params, err);
}

/* A bytea[] literal: {"\\x..","\\x.."} (backslash doubled inside array quotes). */
static char *topics_literal(const l2w_evm_log *log)
{
    size_t cap = 3 + log->n_topics * (4 + 64 + 4);
    char *out = malloc(cap);
    if (!out)
        return NULL;
    size_t len = 0;
    out[len++] = '{';
    for (size_t i = 0; i < log->n_topics; i++) {
        char hex[L2W_HASH_HEX_LEN];
        l2w_hash_to_hex(hex, &log->topics[i]);
        len += (size_t)snprintf(out + len, cap - len, "%s\"\\\\x%s\"", i ? "," : "", hex + 2);
    }
    out[len++] = '}';
    out[len] = '\0';
    return out;
}

l2w_status l2w_store_log(l2w_db *db, const char *chain, const l2w_evm_log *log, l2w_err *err)
{
    char num[24], idx[24], bhash[BYTEA_HASH_LEN], tx[BYTEA_HASH_LEN], addr[BYTEA_ADDR_LEN];
    u64_text(num, log->block_number);
    u64_text(idx, log->log_index);
    l2w_db_bytea_text(bhash, log->block_hash.b, 32);
    l2w_db_bytea_text(tx, log->tx_hash.b, 32);
    l2w_db_bytea_text(addr, log->address.b, 20);
    char *topics = topics_literal(log);
    char *data = malloc(2 * log->data_len + 3);
    l2w_status st = L2W_ERR_NOMEM;
    if (topics && data) {
        l2w_db_bytea_text(data, log->data, log->data_len);
        const char *params[] = {chain, bhash, num, idx, tx, addr, topics, data};
        st = l2w_db_exec(db, NULL,
                         "INSERT INTO logs (chain, block_hash, block_number, log_index, tx_hash, address, topics, data) "
                         "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                         8, params, err);
    } else {
        l2w_err_set(err, "store log: out of memory");
    }
    free(topics);
    free(data);
    return st;
}

l2w_status l2w_store_output_proposal(l2w_db *db, const l2w_output_proposal *p, l2w_err *err)
{
    char index[L2W_U256_DEC_LEN], block[L2W_U256_DEC_LEN], ts[L2W_U256_DEC_LEN], l1num[24], logidx[24];
    char bhash[BYTEA_HASH_LEN], root[BYTEA_HASH_LEN], tx[BYTEA_HASH_LEN], oracle[BYTEA_ADDR_LEN];
    l2w_u256_to_dec(index, &p->output_index);
    l2w_u256_to_dec(block, &p->l2_block_number);
    l2w_u256_to_dec(ts, &p->l1_timestamp);
    u64_text(l1num, p->l1_block_number);
    u64_text(logidx, p->l1_log_index);
    l2w_db_bytea_text(bhash, p->l1_block_hash.b, 32);
    l2w_db_bytea_text(root, p->output_root.b, 32);
    l2w_db_bytea_text(tx, p->l1_tx_hash.b, 32);
    l2w_db_bytea_text(oracle, p->oracle.b, 20);
    const char *params[] = {p->l1_chain, bhash, logidx, p->l2_chain, oracle, index, block, root, ts, l1num, tx};
    return l2w_db_exec(db, NULL,
                       "INSERT INTO output_proposals (l1_chain, block_hash, log_index, l2_chain, oracle, output_index, "
                       "l2_block_number, output_root, l1_timestamp, l1_block_number, tx_hash) "
                       "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                       11, params, err);
}
