#include "core/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/embedded.h"
#include "core/hex.h"
#include "core/keccak.h"
#include "core/log.h"

/* Arbitrary constant: the advisory-lock key serialising migrations. */
#define L2W_MIGRATION_LOCK_KEY 0x6c32776d69677261LL

struct l2w_db {
    PGconn *conn;
    char *url;
};

static void silence_notices(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

static l2w_status open_conn(l2w_db *db, l2w_err *err)
{
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
    return L2W_OK;
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
    if (db->conn)
        PQfinish(db->conn);
    free(db->url);
    free(db);
}

static l2w_status classify(l2w_db *db, const PGresult *res, l2w_err *err)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(db->conn);
    l2w_err_set(err, "database: %.*s%s%s%s", (int)strcspn(msg, "\n"), msg, state ? " (SQLSTATE " : "",
                state ? state : "", state ? ")" : "");
    if (PQstatus(db->conn) != CONNECTION_OK) {
        PQfinish(db->conn);
        db->conn = NULL;
        return L2W_ERR_DB_RETRY;
    }
    /* 40001 serialization_failure, 40P01 deadlock_detected, class 08 connection. */
    if (state && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 || strncmp(state, "08", 2) == 0))
        return L2W_ERR_DB_RETRY;
    return L2W_ERR_DB;
}

l2w_status l2w_db_exec(l2w_db *db, PGresult **res, const char *sql, int nparams, const char *const *params,
                       l2w_err *err)
{
    if (res)
        *res = NULL;
    if (!db->conn) {
        l2w_status st = open_conn(db, err);
        if (st != L2W_OK)
            return st;
    }
    PGresult *r = PQexecParams(db->conn, sql, nparams, NULL, params, NULL, NULL, 0);
    ExecStatusType status = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        l2w_status st = classify(db, r, err);
        PQclear(r);
        return st;
    }
    if (res)
        *res = r;
    else
        PQclear(r);
    return L2W_OK;
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
    if (!r || PQresultStatus(r) != PGRES_COMMAND_OK) {
        PQfinish(db->conn);
        db->conn = NULL;
    }
    PQclear(r);
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

/* ---- COPY in the binary format ------------------------------------------ */

/* What is built is sent once it passes this size: large enough that the
 * per-message cost vanishes, small enough that a range of any size streams
 * through a fixed buffer while the server is already inserting. */
#define COPY_SEND_AT (256u * 1024u)

/* PostgreSQL's type oid of bytea, which a binary array names for its
 * elements (pg_type.dat; stable since the oids were fixed in 1997). */
#define BYTEA_OID 17u

static void copy_fail(l2w_db_copy *c, l2w_status st, const char *what)
{
    if (c->st == L2W_OK) {
        c->st = st;
        c->what = what;
    }
}

static void put_be(l2w_db_copy *c, uint64_t v, size_t size)
{
    uint8_t b[8];
    for (size_t i = 0; i < size; i++)
        b[i] = (uint8_t)(v >> (8 * (size - 1 - i)));
    l2w_bytes_append(&c->buf, b, size);
}

/* A field's length word: -1 for NULL. */
static void put_len(l2w_db_copy *c, int64_t len)
{
    if (len > INT32_MAX) {
        copy_fail(c, L2W_ERR_RANGE, "a field over 2 GiB");
        return;
    }
    put_be(c, (uint32_t)(int32_t)len, 4);
}

static l2w_status copy_send(l2w_db_copy *c, l2w_err *err)
{
    if (l2w_bytes_status(&c->buf) != L2W_OK)
        copy_fail(c, L2W_ERR_NOMEM, "out of memory");
    if (c->st != L2W_OK) {
        l2w_err_set(err, "database: COPY: %s", c->what);
        return c->st;
    }
    if (c->buf.len == 0)
        return L2W_OK;
    if (PQputCopyData(c->db->conn, (const char *)c->buf.data, (int)c->buf.len) != 1)
        return classify(c->db, NULL, err);
    c->buf.len = 0;
    return L2W_OK;
}

l2w_status l2w_db_copy_begin(l2w_db *db, l2w_db_copy *c, const char *sql, l2w_err *err)
{
    *c = (l2w_db_copy){.db = db, .buf = L2W_BYTES_INIT, .st = L2W_OK, .what = NULL};
    if (!db->conn) {
        l2w_status st = open_conn(db, err);
        if (st != L2W_OK)
            return st;
    }
    PGresult *r = PQexec(db->conn, sql);
    if (!r || PQresultStatus(r) != PGRES_COPY_IN) {
        l2w_status st = classify(db, r, err);
        PQclear(r);
        return st;
    }
    PQclear(r);
    /* Signature, flags (no oids), header extension length. */
    static const uint8_t header[] = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', 0xff, '\r', '\n', 0, 0, 0, 0, 0, 0, 0, 0, 0};
    l2w_bytes_append(&c->buf, header, sizeof header);
    return L2W_OK;
}

l2w_status l2w_db_copy_row(l2w_db_copy *c, uint16_t nfields, l2w_err *err)
{
    if (c->buf.len >= COPY_SEND_AT || c->st != L2W_OK) {
        l2w_status st = copy_send(c, err);
        if (st != L2W_OK)
            return st;
    }
    put_be(c, nfields, 2);
    return L2W_OK;
}

void l2w_db_copy_null(l2w_db_copy *c)
{
    put_len(c, -1);
}

void l2w_db_copy_int4(l2w_db_copy *c, int32_t v)
{
    put_len(c, 4);
    put_be(c, (uint32_t)v, 4);
}

void l2w_db_copy_int8(l2w_db_copy *c, int64_t v)
{
    put_len(c, 8);
    put_be(c, (uint64_t)v, 8);
}

void l2w_db_copy_text(l2w_db_copy *c, const char *s)
{
    l2w_db_copy_bytea(c, (const uint8_t *)s, strlen(s));
}

void l2w_db_copy_bytea(l2w_db_copy *c, const uint8_t *p, size_t len)
{
    put_len(c, (int64_t)len);
    l2w_bytes_append(&c->buf, p, len);
}

void l2w_db_copy_bytea_array(l2w_db_copy *c, const uint8_t *first, size_t n, size_t elem_len, size_t stride)
{
    if (n == 0) {
        /* No dimensions at all: how PostgreSQL writes '{}'. */
        put_len(c, 12);
        put_be(c, 0, 4);
        put_be(c, 0, 4);
        put_be(c, BYTEA_OID, 4);
        return;
    }
    /* dimensions, has-nulls flag, element type, then the one dimension's
     * size and lower bound (1), then each element with its length. */
    put_len(c, 20 + (int64_t)n * (4 + (int64_t)elem_len));
    put_be(c, 1, 4);
    put_be(c, 0, 4);
    put_be(c, BYTEA_OID, 4);
    put_be(c, n, 4);
    put_be(c, 1, 4);
    for (size_t i = 0; i < n; i++) {
        put_len(c, (int64_t)elem_len);
        l2w_bytes_append(&c->buf, first + i * stride, elem_len);
    }
}

/* The binary numeric is base 10 000 digits, most significant first, with
 * the weight (power of 10 000) of the first; trailing zero digits are left
 * out, as PostgreSQL itself sends them. */
void l2w_db_copy_numeric(l2w_db_copy *c, const char *digits)
{
    size_t len = strlen(digits);
    if (len == 0 || len > 1000 || strspn(digits, "0123456789") != len) {
        copy_fail(c, L2W_ERR_INVALID, "a numeric that is not an unsigned decimal integer");
        return;
    }
    while (len > 1 && *digits == '0') {
        digits++;
        len--;
    }
    uint16_t groups[250];
    size_t n = (len + 3) / 4;
    size_t first = len - 4 * (n - 1); /* digits in the first group: 1..4 */
    for (size_t g = 0, at = 0; g < n; g++) {
        size_t k = g == 0 ? first : 4;
        uint16_t v = 0;
        for (size_t i = 0; i < k; i++)
            v = (uint16_t)(v * 10 + (uint16_t)(digits[at + i] - '0'));
        groups[g] = v;
        at += k;
    }
    size_t weight = n - 1;
    while (n > 0 && groups[n - 1] == 0)
        n--;
    if (n == 0)
        weight = 0; /* zero: no digits */
    put_len(c, 8 + 2 * (int64_t)n);
    put_be(c, n, 2);
    put_be(c, weight, 2);
    put_be(c, 0, 2); /* sign: positive */
    put_be(c, 0, 2); /* display scale: an integer */
    for (size_t g = 0; g < n; g++)
        put_be(c, groups[g], 2);
}

l2w_status l2w_db_copy_end(l2w_db_copy *c, l2w_status st, l2w_err *err)
{
    if (st == L2W_OK) {
        put_be(c, 0xffff, 2); /* the trailer: a row of -1 fields */
        st = copy_send(c, err);
    }
    l2w_bytes_free(&c->buf);
    if (!c->db->conn)
        return st; /* the connection was lost and dropped by classify */
    /* An abort makes the server fail the COPY, which rolls the statement
     * back; its error is expected and not reported over st. */
    if (PQputCopyEnd(c->db->conn, st == L2W_OK ? NULL : "aborted by l2watch") != 1 && st == L2W_OK)
        st = classify(c->db, NULL, err);
    PGresult *r;
    while (c->db->conn && (r = PQgetResult(c->db->conn)) != NULL) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK && st == L2W_OK)
            st = classify(c->db, r, err);
        PQclear(r);
    }
    return st;
}

/* ---- migrations ---------------------------------------------------------- */

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
        st = classify(db, r, err);
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
