/* COPY ... FROM STDIN in the binary format, and binary array parameters,
 * which lay out their elements as COPY lays out fields. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/db_conn.h"

/* What is built is sent once it passes this size: large enough that the
 * per-message cost vanishes, small enough that a range of any size streams
 * through a fixed buffer while the server is already inserting. */
#define COPY_SEND_AT (256u * 1024u)

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
        return l2w_db_classify(c->db, NULL, err);
    c->buf.len = 0;
    return L2W_OK;
}

l2w_status l2w_db_copy_begin(l2w_db *db, l2w_db_copy *c, const char *sql, l2w_err *err)
{
    *c = (l2w_db_copy){.db = db, .buf = L2W_BYTES_INIT, .st = L2W_OK, .what = NULL};
    l2w_status ready = l2w_db_ensure_conn(db, err);
    if (ready != L2W_OK)
        return ready;
    PGresult *r = PQexec(db->conn, sql);
    if (!r || PQresultStatus(r) != PGRES_COPY_IN) {
        l2w_status st = l2w_db_classify(db, r, err);
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

void l2w_db_copy_jsonb(l2w_db_copy *c, const char *text, size_t len)
{
    put_len(c, 1 + (int64_t)len);
    put_be(c, 1, 1); /* jsonb's binary format version */
    l2w_bytes_append(&c->buf, (const uint8_t *)text, len);
}

void l2w_db_copy_bytea_array(l2w_db_copy *c, const uint8_t *first, size_t n, size_t elem_len, size_t stride)
{
    if (n == 0) {
        /* No dimensions at all: how PostgreSQL writes '{}'. */
        put_len(c, 12);
        put_be(c, 0, 4);
        put_be(c, 0, 4);
        put_be(c, L2W_OID_BYTEA, 4);
        return;
    }
    /* dimensions, has-nulls flag, element type, then the one dimension's
     * size and lower bound (1), then each element with its length. */
    put_len(c, 20 + (int64_t)n * (4 + (int64_t)elem_len));
    put_be(c, 1, 4);
    put_be(c, 0, 4);
    put_be(c, L2W_OID_BYTEA, 4);
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
        st = l2w_db_classify(c->db, NULL, err);
    PGresult *r;
    while (c->db->conn && (r = PQgetResult(c->db->conn)) != NULL) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK && st == L2W_OK)
            st = l2w_db_classify(c->db, r, err);
        PQclear(r);
    }
    return st;
}


void l2w_db_array_begin(l2w_db_copy *a, uint32_t elem_oid, size_t n)
{
    *a = (l2w_db_copy){.db = NULL, .buf = L2W_BYTES_INIT, .st = L2W_OK, .what = NULL};
    /* dimensions (1), has-nulls flag, element type, then the dimension's
     * size and lower bound (1); the elements follow, each with its length. */
    put_be(a, 1, 4);
    put_be(a, 0, 4);
    put_be(a, elem_oid, 4);
    put_be(a, n, 4);
    put_be(a, 1, 4);
}

l2w_status l2w_db_array_check(l2w_db_copy *a, const char *what, l2w_err *err)
{
    if (l2w_bytes_status(&a->buf) != L2W_OK)
        copy_fail(a, L2W_ERR_NOMEM, "out of memory");
    if (a->buf.len > INT32_MAX)
        copy_fail(a, L2W_ERR_RANGE, "an array over 2 GiB");
    if (a->st != L2W_OK)
        l2w_err_set(err, "database: %s: %s", what, a->what);
    return a->st;
}
