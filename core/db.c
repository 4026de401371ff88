#include "core/db.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/db_conn.h"
#include "core/hex.h"
#include "core/keccak.h"

static void silence_notices(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* JIT is off in every l2watch session. Our statements are short, but the
 * planner's estimate for a few of them (a set-returning function joined to
 * a JSON list, say) passes jit_above_cost; then the first such statement in
 * a backend loads LLVM and compiles, which took seconds for /api/v1/tvl (a
 * statement of about a millisecond) and passed the web's 5 s statement
 * timeout under load. */
static l2w_status session_settings(l2w_db *db, l2w_err *err)
{
    PGresult *res = PQexec(db->conn, "SET jit = off");
    bool ok = res && PQresultStatus(res) == PGRES_COMMAND_OK;
    if (!ok) {
        const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(db->conn);
        l2w_err_set(err, "database: cannot turn JIT off for the session: %.*s", (int)strcspn(msg, "\n"), msg);
    }
    PQclear(res);
    if (ok)
        return L2W_OK;
    PQfinish(db->conn);
    db->conn = NULL;
    return L2W_ERR_DB_RETRY;
}

static l2w_status open_conn(l2w_db *db, l2w_err *err)
{
    db->n_prepared = 0;
    db->conn = PQconnectdb(db->url);
    if (!db->conn) {
        l2w_err_set(err, "database: out of memory connecting");
        return L2W_ERR_NOMEM;
    }
    if (PQstatus(db->conn) != CONNECTION_OK) {
        const char *msg = PQerrorMessage(db->conn);
        l2w_err_set(err, "database: cannot connect: %.*s", (int)strcspn(msg, "\n"), msg);
        PQfinish(db->conn);
        db->conn = NULL;
        return L2W_ERR_DB_RETRY;
    }
    PQsetNoticeProcessor(db->conn, silence_notices, NULL);
    return session_settings(db, err);
}

l2w_status l2w_db_connect(l2w_db **out, const char *url, l2w_err *err)
{
    *out = NULL;
    l2w_db *db = calloc(1, sizeof *db);
    if (!db || !(db->url = strdup(url))) {
        free(db);
        l2w_err_set(err, "database: out of memory");
        return L2W_ERR_NOMEM;
    }
    l2w_status st = open_conn(db, err);
    if (st != L2W_OK) {
        l2w_db_close(db);
        return st;
    }
    *out = db;
    return L2W_OK;
}

void l2w_db_close(l2w_db *db)
{
    if (!db)
        return;
    l2w_db_drop_conn(db);
    free(db->prepared);
    free(db->url);
    free(db);
}

l2w_status l2w_db_ensure_conn(l2w_db *db, l2w_err *err)
{
    return db->conn ? L2W_OK : open_conn(db, err);
}

void l2w_db_drop_conn(l2w_db *db)
{
    if (db->conn)
        PQfinish(db->conn);
    db->conn = NULL;
    db->n_prepared = 0;
}

l2w_status l2w_db_classify(l2w_db *db, const PGresult *res, l2w_err *err)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(db->conn);
    l2w_err_set(err, "database: %.*s%s%s%s", (int)strcspn(msg, "\n"), msg, state ? " (SQLSTATE " : "",
                state ? state : "", state ? ")" : "");
    if (PQstatus(db->conn) != CONNECTION_OK) {
        l2w_db_drop_conn(db);
        return L2W_ERR_DB_RETRY;
    }
    /* 40001 serialization_failure, 40P01 deadlock_detected, class 08
     * connection, but not 08P01 protocol_violation: the server's verdict on
     * malformed binary parameters, which would fail the same way again. */
    if (state && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
                  (strncmp(state, "08", 2) == 0 && strcmp(state, "08P01") != 0)))
        return L2W_ERR_DB_RETRY;
    return L2W_ERR_DB;
}

/* Hands a successful result to the caller (or frees it when res is NULL);
 * classifies a failed one. */
static l2w_status take_result(l2w_db *db, PGresult **res, PGresult *r, l2w_err *err)
{
    ExecStatusType status = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        l2w_status st = l2w_db_classify(db, r, err);
        PQclear(r);
        return st;
    }
    if (res)
        *res = r;
    else
        PQclear(r);
    return L2W_OK;
}

l2w_status l2w_db_exec(l2w_db *db, PGresult **res, const char *sql, int nparams, const char *const *params,
                       l2w_err *err)
{
    if (res)
        *res = NULL;
    l2w_status st = l2w_db_ensure_conn(db, err);
    if (st != L2W_OK)
        return st;
    return take_result(db, res, PQexecParams(db->conn, sql, nparams, NULL, params, NULL, NULL, 0), err);
}

static bool is_prepared(const l2w_db *db, const l2w_db_stmt *stmt)
{
    for (size_t i = 0; i < db->n_prepared; i++)
        if (db->prepared[i] == stmt)
            return true;
    return false;
}

static l2w_status prepare(l2w_db *db, const l2w_db_stmt *stmt, l2w_err *err)
{
    if (db->n_prepared == db->cap_prepared) {
        size_t cap = db->cap_prepared ? 2 * db->cap_prepared : 16;
        const l2w_db_stmt **grown = realloc(db->prepared, cap * sizeof *grown);
        if (!grown) {
            l2w_err_set(err, "database: out of memory preparing %s", stmt->name);
            return L2W_ERR_NOMEM;
        }
        db->prepared = grown;
        db->cap_prepared = cap;
    }
    l2w_status st = take_result(db, NULL, PQprepare(db->conn, stmt->name, stmt->sql, stmt->nparams, NULL), err);
    if (st != L2W_OK) {
        l2w_err_prefix(err, "preparing %s", stmt->name);
        return st;
    }
    db->prepared[db->n_prepared++] = stmt;
    return L2W_OK;
}

l2w_status l2w_db_run(l2w_db *db, PGresult **res, const l2w_db_stmt *stmt, const char *const *params,
                      const int *lengths, const int *formats, l2w_err *err)
{
    if (res)
        *res = NULL;
    l2w_status st = l2w_db_ensure_conn(db, err);
    if (st == L2W_OK && !is_prepared(db, stmt))
        st = prepare(db, stmt, err);
    if (st != L2W_OK)
        return st;
    return take_result(db, res,
                       PQexecPrepared(db->conn, stmt->name, stmt->nparams, params, lengths, formats, 0), err);
}

l2w_status l2w_db_begin(l2w_db *db, l2w_err *err)
{
    return l2w_db_exec(db, NULL, "BEGIN", 0, NULL, err);
}

l2w_status l2w_db_commit(l2w_db *db, l2w_err *err)
{
    return l2w_db_exec(db, NULL, "COMMIT", 0, NULL, err);
}

l2w_status l2w_db_end(l2w_db *db, l2w_status st, l2w_err *err)
{
    if (st != L2W_OK) {
        l2w_db_rollback(db);
        return st;
    }
    return l2w_db_commit(db, err);
}

void l2w_db_rollback(l2w_db *db)
{
    if (!db->conn)
        return;
    PGresult *r = PQexec(db->conn, "ROLLBACK");
    if (!r || PQresultStatus(r) != PGRES_COMMAND_OK)
        l2w_db_drop_conn(db);
    PQclear(r);
}

int64_t l2w_db_lock_key(const char *name)
{
    uint8_t h[32];
    l2w_keccak256(h, (const uint8_t *)name, strlen(name));
    int64_t k = 0;
    for (int i = 0; i < 8; i++)
        k = (int64_t)(((uint64_t)k << 8) | h[i]);
    return k;
}

l2w_status l2w_db_try_lock(l2w_db *db, int64_t key, int *acquired, l2w_err *err)
{
    char keytext[24];
    snprintf(keytext, sizeof keytext, "%lld", (long long)key);
    const char *params[] = {keytext};
    PGresult *res;
    l2w_status st = l2w_db_exec(db, &res, "SELECT pg_try_advisory_lock($1::bigint)", 1, params, err);
    if (st != L2W_OK)
        return st;
    *acquired = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    PQclear(res);
    return L2W_OK;
}

l2w_status l2w_db_text_array_literal(char **out, const char *const *items, size_t n)
{
    *out = NULL;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return L2W_ERR_NOMEM;
    fputc('{', f);
    for (size_t i = 0; i < n; i++) {
        fputs(i ? ",\"" : "\"", f);
        for (const char *p = items[i]; *p; p++) {
            if (*p == '"' || *p == '\\')
                fputc('\\', f);
            fputc(*p, f);
        }
        fputc('"', f);
    }
    fputc('}', f);
    bool failed = ferror(f) != 0;
    if (fclose(f) != 0 || failed) {
        free(buf);
        return L2W_ERR_NOMEM;
    }
    *out = buf;
    return L2W_OK;
}

void l2w_db_bytea_text(char *out, const uint8_t *in, size_t len)
{
    /* l2w_hex_encode writes "0x..."; PostgreSQL's bytea hex format is "\x...". */
    l2w_hex_encode(out, in, len);
    out[0] = '\\';
}

l2w_status l2w_db_bytea_parse(uint8_t *out, size_t out_len, const char *text)
{
    size_t n = strlen(text);
    if (n != 2 + 2 * out_len || text[0] != '\\' || text[1] != 'x')
        return L2W_ERR_INVALID;
    size_t got;
    l2w_status st = l2w_hex_decode(out, out_len, &got, text + 2, n - 2);
    if (st != L2W_OK)
        return st;
    return got == out_len ? L2W_OK : L2W_ERR_INVALID;
}

l2w_status l2w_db_bytea_parse_bytes(l2w_bytes *out, const char *text)
{
    size_t n = strlen(text);
    if (n < 2 || n % 2 != 0 || text[0] != '\\' || text[1] != 'x')
        return L2W_ERR_INVALID;
    size_t len = (n - 2) / 2, got = 0;
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf)
        return L2W_ERR_NOMEM;
    l2w_status st = l2w_hex_decode(buf, len, &got, text + 2, n - 2);
    if (st == L2W_OK) {
        l2w_bytes_append(out, buf, got);
        st = l2w_bytes_status(out);
    }
    l2w_wipe(buf, len);
    free(buf);
    return st;
}

char *l2w_db_bytea_text_alloc(const uint8_t *in, size_t len)
{
    char *out = malloc(2 * len + 3);
    if (out)
        l2w_db_bytea_text(out, in, len);
    return out;
}

