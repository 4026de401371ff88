/* Test helper for the database tests: core/db.h's binary COPY against a
 * real PostgreSQL.
 *   l2w_copycheck DATABASE_URL SEED
 * Copies thousands of rows of every field kind the collector writes
 * (numeric(78,0) from u256 edge cases and random values, bytea, bytea[] of
 * 0..4 elements, int4, int8, NULL, text) through several buffer sends, reads
 * them back as text and compares; then checks that a COPY failed by the
 * client (a malformed numeric) or by the server (a duplicate key) stores
 * nothing and leaves the connection usable. Then the same values go as
 * binary array parameters of a prepared statement (l2w_db_run), unnested
 * and read back; the statement is run again after its connection is killed
 * (prepared anew on the next one), and a malformed array fails the
 * statement without harming the connection. Exit 0 on success; what differs
 * on stderr otherwise. */

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/db.h"
#include "core/hex.h"
#include "core/u256.h"

#define ROWS 4000

static uint64_t rng;

static uint64_t next_random(void)
{
    /* xorshift64*: reproducible from the seed the test prints. */
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545F4914F6CDD1DULL;
}

typedef struct {
    char numeric[L2W_U256_DEC_LEN];
    uint8_t bytes[200];
    size_t n_bytes;
    uint8_t elems[4][32];
    size_t n_elems;
    int32_t i4;
    int64_t i8;
    bool i8_null;
    char text[16];
} row;

/* u256 values around the base-10 000 digit boundaries and the type's ends,
 * then random ones with runs of zero bytes (zero digit groups inside). */
static void make_numeric(char out[L2W_U256_DEC_LEN], size_t k)
{
    static const char *const edges[] = {
        "0", "1", "9999", "10000", "10001", "99990000", "100000000", "1000000000000",
        "340282366920938463463374607431768211456", /* 2^128 */
        "115792089237316195423570985008687907853269984665640564039457584007913129639935", /* 2^256 - 1 */
        "100000000000000000000000000000000000000000000000000000000000000000000000000000", /* 10^77 */
    };
    if (k < sizeof edges / sizeof edges[0]) {
        snprintf(out, L2W_U256_DEC_LEN, "%s", edges[k]);
        return;
    }
    uint8_t be[32] = {0};
    size_t len = 1 + next_random() % 32;
    for (size_t i = 32 - len; i < 32; i++)
        be[i] = next_random() % 3 == 0 ? 0 : (uint8_t)next_random();
    l2w_u256 v;
    l2w_u256_from_be32(&v, be);
    l2w_u256_to_dec(out, &v);
}

static void make_row(row *r, size_t k)
{
    memset(r, 0, sizeof *r);
    make_numeric(r->numeric, k);
    r->n_bytes = next_random() % sizeof r->bytes;
    for (size_t i = 0; i < r->n_bytes; i++)
        r->bytes[i] = (uint8_t)next_random();
    r->n_elems = next_random() % 5;
    for (size_t e = 0; e < r->n_elems; e++)
        for (size_t i = 0; i < 32; i++)
            r->elems[e][i] = (uint8_t)next_random();
    r->i4 = (int32_t)(uint32_t)next_random();
    r->i8 = (int64_t)next_random();
    r->i8_null = next_random() % 7 == 0;
    snprintf(r->text, sizeof r->text, "chain-%zu", k % 97);
}

static void write_row(l2w_db_copy *c, const row *r, size_t k)
{
    l2w_db_copy_int4(c, (int32_t)k);
    l2w_db_copy_numeric(c, r->numeric);
    l2w_db_copy_bytea(c, r->bytes, r->n_bytes);
    l2w_db_copy_bytea_array(c, r->elems[0], r->n_elems, 32, sizeof r->elems[0]);
    l2w_db_copy_int4(c, r->i4);
    if (r->i8_null)
        l2w_db_copy_null(c);
    else
        l2w_db_copy_int8(c, r->i8);
    l2w_db_copy_text(c, r->text);
}

static const char *const COPY_SQL = "COPY copy_check (k, n, b, a, i4, i8, t) FROM STDIN (FORMAT binary)";

static l2w_status copy_rows(l2w_db *db, const row *rows, size_t n, l2w_err *err)
{
    l2w_db_copy c;
    l2w_status st = l2w_db_copy_begin(db, &c, COPY_SQL, err);
    if (st != L2W_OK)
        return st;
    for (size_t k = 0; k < n && (st = l2w_db_copy_row(&c, 7, err)) == L2W_OK; k++)
        write_row(&c, &rows[k], k);
    return l2w_db_copy_end(&c, st, err);
}

static void hex_of(char *out, const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

static int compare(const row *r, size_t k, PGresult *res, int i)
{
    char want[512];
    int bad = 0;
#define FIELD(col, expect)                                                                          \
    do {                                                                                            \
        const char *got_ = PQgetvalue(res, i, col);                                                 \
        if (strcmp(got_, (expect)) != 0) {                                                          \
            fprintf(stderr, "row %zu column %d: got %s, wrote %s\n", k, col, got_, (expect));       \
            bad = 1;                                                                                \
        }                                                                                           \
    } while (0)
    FIELD(1, r->numeric);
    hex_of(want, r->bytes, r->n_bytes);
    FIELD(2, want);
    size_t at = 0;
    for (size_t e = 0; e < r->n_elems; e++) {
        if (e)
            want[at++] = ',';
        hex_of(want + at, r->elems[e], 32);
        at += 64;
    }
    want[at] = '\0';
    FIELD(3, want);
    snprintf(want, sizeof want, "%" PRId32, r->i4);
    FIELD(4, want);
    snprintf(want, sizeof want, "%" PRId64, r->i8);
    FIELD(5, r->i8_null ? "null" : want);
    FIELD(6, r->text);
#undef FIELD
    return bad;
}

static l2w_status read_back(l2w_db *db, const row *rows, size_t n, int *bad, l2w_err *err)
{
    PGresult *res;
    l2w_status st = l2w_db_exec(db, &res,
                                "SELECT k, n::text, encode(b, 'hex'), "
                                "array_to_string(ARRAY(SELECT encode(x, 'hex') FROM unnest(a) x), ','), "
                                "i4, coalesce(i8::text, 'null'), t FROM copy_check ORDER BY k",
                                0, NULL, err);
    if (st != L2W_OK)
        return st;
    if ((size_t)PQntuples(res) != n) {
        fprintf(stderr, "read back %d rows, wrote %zu\n", PQntuples(res), n);
        *bad = 1;
    }
    for (int i = 0; i < PQntuples(res) && (size_t)i < n; i++)
        *bad |= compare(&rows[i], (size_t)i, res, i);
    PQclear(res);
    return L2W_OK;
}

static l2w_status count_rows(l2w_db *db, long *n, l2w_err *err)
{
    PGresult *res;
    l2w_status st = l2w_db_exec(db, &res, "SELECT count(*) FROM copy_check", 0, NULL, err);
    if (st == L2W_OK) {
        *n = atol(PQgetvalue(res, 0, 0));
        PQclear(res);
    }
    return st;
}

/* A COPY failed on the client's side (a numeric that is not one) and one
 * failed on the server's (a key already there): neither stores a row, and
 * the connection goes on. */
static l2w_status failures(l2w_db *db, const row *rows, int *bad, l2w_err *err)
{
    l2w_db_copy c;
    l2w_err copy_err;
    l2w_status st = l2w_db_copy_begin(db, &c, COPY_SQL, err);
    if (st != L2W_OK)
        return st;
    for (size_t k = 0; k < 10 && (st = l2w_db_copy_row(&c, 7, &copy_err)) == L2W_OK; k++) {
        row r = rows[k];
        if (k == 5)
            snprintf(r.numeric, sizeof r.numeric, "12a4");
        write_row(&c, &r, ROWS + k);
    }
    st = l2w_db_copy_end(&c, st, &copy_err);
    if (st != L2W_ERR_INVALID || !strstr(copy_err.msg, "numeric")) {
        fprintf(stderr, "a malformed numeric ended the COPY with %s: %s\n", l2w_status_str(st), copy_err.msg);
        *bad = 1;
    }
    st = copy_rows(db, rows, 3, &copy_err); /* keys 0..2 exist */
    if (st != L2W_ERR_DB || !strstr(copy_err.msg, "duplicate key")) {
        fprintf(stderr, "a duplicate key ended the COPY with %s: %s\n", l2w_status_str(st), copy_err.msg);
        *bad = 1;
    }
    long n;
    if ((st = count_rows(db, &n, err)) != L2W_OK)
        return st;
    if (n != ROWS) {
        fprintf(stderr, "after the failed COPYs the table has %ld rows, not %d\n", n, ROWS);
        *bad = 1;
    }
    return L2W_OK;
}

static const l2w_db_stmt unnest_stmt = {
    "copycheck_unnest",
    "SELECT u.ord, u.n::text, encode(u.b, 'hex'), '', u.i4, coalesce(u.i8::text, 'null'), u.t, u.j::text"
    " FROM unnest($1::numeric[], $2::bytea[], $3::integer[], $4::bigint[], $5::text[], $6::jsonb[])"
    "   WITH ORDINALITY AS u(n, b, i4, i8, t, j, ord) ORDER BY u.ord",
    6};

/* rows as the six array parameters of unnest_stmt. */
static l2w_status build_arrays(l2w_db_copy a[6], const row *rows, size_t n, l2w_err *err)
{
    static const uint32_t oids[] = {L2W_OID_NUMERIC, L2W_OID_BYTEA, L2W_OID_INT4, L2W_OID_INT8, L2W_OID_TEXT,
                                    L2W_OID_JSONB};
    for (size_t i = 0; i < 6; i++)
        l2w_db_array_begin(&a[i], oids[i], n);
    for (size_t k = 0; k < n; k++) {
        l2w_db_copy_numeric(&a[0], rows[k].numeric);
        l2w_db_copy_bytea(&a[1], rows[k].bytes, rows[k].n_bytes);
        l2w_db_copy_int4(&a[2], rows[k].i4);
        if (rows[k].i8_null)
            l2w_db_copy_null(&a[3]);
        else
            l2w_db_copy_int8(&a[3], rows[k].i8);
        l2w_db_copy_text(&a[4], rows[k].text);
        char doc[64];
        int len = snprintf(doc, sizeof doc, "{\"k\": %zu, \"t\": \"%s\"}", k, rows[k].text);
        l2w_db_copy_jsonb(&a[5], doc, (size_t)len);
    }
    l2w_status st = L2W_OK;
    for (size_t i = 0; st == L2W_OK && i < 6; i++)
        st = l2w_db_array_check(&a[i], "copycheck array", err);
    return st;
}

static l2w_status run_unnest(l2w_db *db, l2w_db_copy a[6], PGresult **res, l2w_err *err)
{
    const char *params[6];
    int lengths[6], formats[6];
    for (size_t i = 0; i < 6; i++) {
        params[i] = (const char *)a[i].buf.data;
        lengths[i] = (int)a[i].buf.len;
        formats[i] = 1;
    }
    return l2w_db_run(db, res, &unnest_stmt, params, lengths, formats, err);
}

static int compare_unnest(const row *rows, size_t n, PGresult *res)
{
    int bad = 0;
    if ((size_t)PQntuples(res) != n) {
        fprintf(stderr, "unnest returned %d rows, sent %zu\n", PQntuples(res), n);
        return 1;
    }
    for (size_t k = 0; k < n; k++) {
        row r = rows[k];
        r.n_elems = 0; /* column 3 is empty in this statement */
        bad |= compare(&r, k, res, (int)k);
        char want[64];
        snprintf(want, sizeof want, "{\"k\": %zu, \"t\": \"%s\"}", k, r.text);
        if (strcmp(PQgetvalue(res, (int)k, 7), want) != 0) {
            fprintf(stderr, "row %zu jsonb: got %s, sent %s\n", k, PQgetvalue(res, (int)k, 7), want);
            bad = 1;
        }
    }
    return bad;
}

static l2w_status arrays(l2w_db *db, const row *rows, int *bad, l2w_err *err)
{
    l2w_db_copy a[6];
    l2w_status st = build_arrays(a, rows, ROWS, err);
    PGresult *res = NULL;
    /* Prepared on first use; the second run only binds it. */
    for (int round = 0; st == L2W_OK && round < 2; round++) {
        if ((st = run_unnest(db, a, &res, err)) == L2W_OK)
            *bad |= compare_unnest(rows, ROWS, res);
        PQclear(res);
        res = NULL;
    }
    /* A killed connection forgets its prepared statements: the call after
     * the failure reconnects and prepares again. */
    l2w_err kill_err;
    l2w_status killed = l2w_db_exec(db, NULL, "SELECT pg_terminate_backend(pg_backend_pid())", 0, NULL, &kill_err);
    if (st == L2W_OK && killed != L2W_ERR_DB_RETRY) {
        fprintf(stderr, "terminating the backend returned %s: %s\n", l2w_status_str(killed), kill_err.msg);
        *bad = 1;
    }
    if (st == L2W_OK && (st = run_unnest(db, a, &res, err)) == L2W_OK)
        *bad |= compare_unnest(rows, ROWS, res);
    PQclear(res);
    res = NULL;
    /* An array claiming more elements than it holds: the server refuses the
     * statement, and the connection goes on. */
    if (st == L2W_OK) {
        l2w_db_copy short_array;
        l2w_db_array_begin(&short_array, L2W_OID_INT4, 3);
        l2w_db_copy_int4(&short_array, 1);
        l2w_db_copy saved = a[2];
        a[2] = short_array;
        l2w_err refused;
        l2w_status got = run_unnest(db, a, &res, &refused);
        a[2] = saved;
        l2w_bytes_free(&short_array.buf);
        if (got != L2W_ERR_DB) {
            fprintf(stderr, "a short array ended the statement with %s: %s\n", l2w_status_str(got), refused.msg);
            *bad = 1;
        }
        PQclear(res);
        res = NULL;
        if ((st = run_unnest(db, a, &res, err)) == L2W_OK)
            *bad |= compare_unnest(rows, ROWS, res);
        PQclear(res);
    }
    for (size_t i = 0; i < 6; i++)
        l2w_bytes_free(&a[i].buf);
    return st;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s DATABASE_URL SEED\n", argv[0]);
        return 2;
    }
    rng = strtoull(argv[2], NULL, 10) | 1;
    row *rows = calloc(ROWS, sizeof *rows);
    if (!rows)
        return 1;
    for (size_t k = 0; k < ROWS; k++)
        make_row(&rows[k], k);
    l2w_err err = {{0}};
    l2w_db *db = NULL;
    int bad = 0;
    l2w_status st = l2w_db_connect(&db, argv[1], &err);
    if (st == L2W_OK)
        st = l2w_db_exec(db, NULL,
                         "CREATE TEMP TABLE copy_check (k integer PRIMARY KEY, n numeric(78,0) NOT NULL, "
                         "b bytea NOT NULL, a bytea[] NOT NULL, i4 integer NOT NULL, i8 bigint, t text NOT NULL)",
                         0, NULL, &err);
    if (st == L2W_OK)
        st = copy_rows(db, rows, ROWS, &err);
    if (st == L2W_OK)
        st = read_back(db, rows, ROWS, &bad, &err);
    if (st == L2W_OK)
        st = failures(db, rows, &bad, &err);
    if (st == L2W_OK)
        st = arrays(db, rows, &bad, &err);
    l2w_db_close(db);
    free(rows);
    if (st != L2W_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    if (!bad)
        printf("ok: %d rows\n", ROWS);
    return bad;
}
