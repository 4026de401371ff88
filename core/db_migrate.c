/* The embedded sql/NNNN_*.sql migrations, applied in order under an
 * advisory lock. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/db_conn.h"
#include "core/embedded.h"
#include "core/hex.h"
#include "core/keccak.h"
#include "core/log.h"

/* Arbitrary constant: the advisory-lock key serialising migrations. */
#define L2W_MIGRATION_LOCK_KEY 0x6c32776d69677261LL

static l2w_status migration_version(int *version, const char *name)
{
    if (strlen(name) < 6 || name[4] != '_')
        return L2W_ERR_INVALID;
    int v = 0;
    for (int i = 0; i < 4; i++) {
        if (name[i] < '0' || name[i] > '9')
            return L2W_ERR_INVALID;
        v = v * 10 + (name[i] - '0');
    }
    *version = v;
    return L2W_OK;
}

static l2w_status apply_one(l2w_db *db, const struct l2w_embedded_file *f, int version, const char *digest,
                            l2w_err *err)
{
    l2w_status st = l2w_db_begin(db, err);
    if (st != L2W_OK)
        return st;
    /* Simple query protocol: a migration file holds several statements. */
    PGresult *r = PQexec(db->conn, (const char *)f->data);
    if (!r || PQresultStatus(r) != PGRES_COMMAND_OK) {
        st = l2w_db_classify(db, r, err);
        l2w_err_prefix(err, "migration %s", f->name);
        PQclear(r);
        l2w_db_rollback(db);
        return st;
    }
    PQclear(r);
    char vtext[16];
    snprintf(vtext, sizeof vtext, "%d", version);
    const char *params[] = {vtext, f->name, digest};
    st = l2w_db_exec(db, NULL, "INSERT INTO schema_migrations (version, name, digest) VALUES ($1, $2, $3)", 3,
                     params, err);
    if (st != L2W_OK) {
        l2w_db_rollback(db);
        return st;
    }
    st = l2w_db_commit(db, err);
    if (st == L2W_OK)
        L2W_INFO("db", NULL, "applied migration %s", f->name);
    return st;
}

static l2w_status check_or_apply(l2w_db *db, const struct l2w_embedded_file *f, l2w_err *err)
{
    int version;
    if (migration_version(&version, f->name) != L2W_OK) {
        l2w_err_set(err, "migration file name %s does not start with NNNN_", f->name);
        return L2W_ERR_INVALID;
    }
    uint8_t h[32];
    l2w_keccak256(h, f->data, f->size);
    char digest[67];
    l2w_hex_encode(digest, h, sizeof h);

    char vtext[16];
    snprintf(vtext, sizeof vtext, "%d", version);
    const char *params[] = {vtext};
    PGresult *res;
    l2w_status st = l2w_db_exec(db, &res, "SELECT digest FROM schema_migrations WHERE version = $1", 1, params, err);
    if (st != L2W_OK)
        return st;
    int applied = PQntuples(res) == 1;
    int same = applied && strcmp(PQgetvalue(res, 0, 0), digest) == 0;
    PQclear(res);
    if (applied && !same) {
        l2w_err_set(err, "migration %s was applied with different content; the database and this binary disagree",
                    f->name);
        return L2W_ERR_DB;
    }
    return applied ? L2W_OK : apply_one(db, f, version, digest, err);
}

static l2w_status refuse_newer_schema(l2w_db *db, l2w_err *err)
{
    int known = 0;
    for (size_t i = 0; i < l2w_migrations_count; i++) {
        int v;
        if (migration_version(&v, l2w_migrations[i].name) == L2W_OK && v > known)
            known = v;
    }
    PGresult *res;
    l2w_status st = l2w_db_exec(db, &res, "SELECT coalesce(max(version), 0) FROM schema_migrations", 0, NULL, err);
    if (st != L2W_OK)
        return st;
    int newest = atoi(PQgetvalue(res, 0, 0));
    PQclear(res);
    if (newest > known) {
        l2w_err_set(err, "database schema is at migration %d but this l2watch knows only up to %d; upgrade l2watch",
                    newest, known);
        return L2W_ERR_DB;
    }
    return L2W_OK;
}

static l2w_status migrate_locked(l2w_db *db, l2w_err *err)
{
    l2w_status st = l2w_db_exec(db, NULL,
                                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                                " version integer PRIMARY KEY, name text NOT NULL, digest text NOT NULL,"
                                " applied_at timestamptz NOT NULL DEFAULT now())",
                                0, NULL, err);
    if (st == L2W_OK)
        st = refuse_newer_schema(db, err);
    for (size_t i = 0; st == L2W_OK && i < l2w_migrations_count; i++)
        st = check_or_apply(db, &l2w_migrations[i], err);
    return st;
}

l2w_status l2w_db_migrate(l2w_db *db, l2w_err *err)
{
    char key[24];
    snprintf(key, sizeof key, "%lld", (long long)L2W_MIGRATION_LOCK_KEY);
    const char *params[] = {key};
    /* Blocking lock: a replica starting beside another waits for its migrations. */
    l2w_status st = l2w_db_exec(db, NULL, "SELECT pg_advisory_lock($1::bigint)", 1, params, err);
    if (st != L2W_OK)
        return st;
    st = migrate_locked(db, err);
    l2w_err unlock_err;
    if (l2w_db_exec(db, NULL, "SELECT pg_advisory_unlock($1::bigint)", 1, params, &unlock_err) != L2W_OK)
        L2W_UNUSUAL("db", NULL, "advisory unlock failed: %s", unlock_err.msg);
    return st;
}
