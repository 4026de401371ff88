/* beacon_blobs (collector/beacon_blobs.c), the pure half: a synthetic
 * blob_sidecars answer with two real-size sidecars parses, their versioned
 * hashes match constants computed outside l2watch, and the hashes a
 * transaction lists are reported present or missing; then every way the
 * answer can be wrong is refused with the field named: malformed JSON,
 * duplicate keys (at the top and inside a sidecar), missing fields, wrong
 * hex lengths, numbers where the API writes decimal strings, a repeated
 * index, sidecars of two blocks. Also genesis_time parsing and the
 * timestamp-to-slot mapping.
 *
 * Expected versioned hashes (0x01 ++ sha256(commitment)[1..31]), from
 *   python3 -c 'import hashlib; c=bytes(range(48));
 *               print((b"\x01"+hashlib.sha256(c).digest()[1:]).hex())'
 * and the same with c=bytes([0xc0])+bytes(47) (the commitment of the all-zero
 * blob, so sidecar 1 is a consistent blob/commitment pair). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/beacon_blobs.h"
#include "core/hex.h"
#include "tests/unit/harness.h"

#define VH_RANGE48 "0x01bdc2b2b62cb00749785bc84202236dbc3777d74660611b8e58812f0cfde6c3"
#define VH_ZERO_BLOB "0x010657f37554c781402a22917dee2f75def7ab966d7b770905398eba3c444014"

#define COMMIT_RANGE48                                                                                             \
    "0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f"
#define COMMIT_ZERO_BLOB                                                                                           \
    "0xc00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
#define PROOF "0xc00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
#define PARENT "0x1111111111111111111111111111111111111111111111111111111111111111"
#define ROOT2 "0x2222222222222222222222222222222222222222222222222222222222222222"

static char *zero_blob_hex; /* "0x" + 262144 '0' */
static char *blob_hex_of_len(size_t digits)
{
    char *s = malloc(digits + 3);
    CHECK(s != NULL);
    s[0] = '0';
    s[1] = 'x';
    memset(s + 2, '0', digits);
    s[digits + 2] = '\0';
    return s;
}

/* One sidecar's fields; a NULL field is left out, raw values are pasted as
 * JSON (so a test can put a number or a quoted string). */
typedef struct {
    const char *index;      /* JSON value, e.g. "\"0\"" */
    const char *blob;       /* hex text, quoted by the builder */
    const char *commitment; /* hex text */
    const char *proof;      /* hex text */
    const char *slot;       /* JSON value */
    const char *parent;     /* hex text */
    bool no_header;
} sidecar_fields;

static sidecar_fields good_fields(int which)
{
    sidecar_fields f = {
        .index = which == 0 ? "\"0\"" : "\"1\"",
        .blob = zero_blob_hex,
        .commitment = which == 0 ? COMMIT_RANGE48 : COMMIT_ZERO_BLOB,
        .proof = PROOF,
        .slot = "\"8626176\"",
        .parent = PARENT,
    };
    return f;
}

/* Appends printf output to a malloc'd string. */
static void append(char **s, const char *fmt, ...) L2W_PRINTF(2, 3);
static void append(char **s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *piece = NULL;
    CHECK(vasprintf(&piece, fmt, ap) >= 0);
    va_end(ap);
    size_t old = *s ? strlen(*s) : 0;
    char *n = realloc(*s, old + strlen(piece) + 1);
    CHECK(n != NULL);
    memcpy(n + old, piece, strlen(piece) + 1);
    *s = n;
    free(piece);
}

static void append_sidecar(char **s, const sidecar_fields *f)
{
    append(s, "{");
    const char *sep = "";
    if (f->index) {
        append(s, "%s\"index\": %s", sep, f->index);
        sep = ", ";
    }
    if (f->blob) {
        append(s, "%s\"blob\": \"%s\"", sep, f->blob);
        sep = ", ";
    }
    if (f->commitment) {
        append(s, "%s\"kzg_commitment\": \"%s\"", sep, f->commitment);
        sep = ", ";
    }
    if (f->proof) {
        append(s, "%s\"kzg_proof\": \"%s\"", sep, f->proof);
        sep = ", ";
    }
    if (!f->no_header) {
        append(s, "%s\"signed_block_header\": {\"message\": {", sep);
        const char *hsep = "";
        if (f->slot) {
            append(s, "\"slot\": %s", f->slot);
            hsep = ", ";
        }
        append(s, "%s\"proposer_index\": \"4242\"", hsep);
        if (f->parent)
            append(s, ", \"parent_root\": \"%s\"", f->parent);
        append(s, ", \"state_root\": \"%s\", \"body_root\": \"%s\"}, \"signature\": \"0x%0192d\"}", ROOT2, ROOT2, 0);
        sep = ", ";
    }
    /* The inclusion proof is not read; it is here because real answers have it. */
    append(s, "%s\"kzg_commitment_inclusion_proof\": [\"%s\", \"%s\"]}", sep, ROOT2, ROOT2);
}

/* {"version": "deneb", "execution_optimistic": false, "finalized": true, "data": [n sidecars]} */
static char *answer_of(const sidecar_fields *f, size_t n)
{
    char *s = NULL;
    append(&s, "{\"version\": \"deneb\", \"execution_optimistic\": false, \"finalized\": true, \"data\": [");
    for (size_t i = 0; i < n; i++) {
        if (i)
            append(&s, ", ");
        append_sidecar(&s, &f[i]);
    }
    append(&s, "]}");
    return s;
}

static l2w_status parse_text(l2w_beacon_sidecars *set, const char *text, l2w_err *err)
{
    return l2w_beacon_parse_sidecars(set, text, strlen(text), err);
}

static void hash_of(l2w_hash *h, const char *hex)
{
    CHECK(l2w_hash_from_hex(h, hex) == L2W_OK);
}

static void test_good_answer(void)
{
    sidecar_fields f[2] = {good_fields(0), good_fields(1)};
    char *text = answer_of(f, 2);
    /* Two real-size blobs fit the cap for two sidecars. */
    CHECK(strlen(text) <= l2w_beacon_sidecars_cap(2));
    l2w_beacon_sidecars set;
    l2w_err err = {{0}};
    CHECK_MSG(parse_text(&set, text, &err) == L2W_OK, "%s", err.msg);
    CHECK(set.n == 2);
    CHECK(set.slot == 8626176);
    l2w_hash parent;
    hash_of(&parent, PARENT);
    CHECK(l2w_hash_eq(&set.parent_root, &parent));
    CHECK(set.finalized);
    CHECK(!set.execution_optimistic);
    if (set.n == 2) {
        CHECK(set.items[0].index == 0 && set.items[1].index == 1);
        l2w_hash vh0, vh1;
        hash_of(&vh0, VH_RANGE48);
        hash_of(&vh1, VH_ZERO_BLOB);
        CHECK(l2w_hash_eq(&set.items[0].versioned_hash, &vh0));
        CHECK(l2w_hash_eq(&set.items[1].versioned_hash, &vh1));
        CHECK(set.items[0].kzg_commitment[47] == 47);
        CHECK(set.items[1].kzg_proof[0] == 0xc0);
        static const uint8_t zeros[L2W_BLOB_BYTES];
        CHECK(set.items[1].blob && memcmp(set.items[1].blob, zeros, sizeof zeros) == 0);

        /* A transaction listing both, plus one no sidecar has. */
        l2w_hash wanted[3];
        hash_of(&wanted[0], VH_ZERO_BLOB);
        hash_of(&wanted[1], "0x01" "00000000000000000000000000000000000000000000000000000000000000");
        hash_of(&wanted[2], VH_RANGE48);
        bool present[3];
        CHECK(l2w_beacon_sidecars_match(&set, present, wanted, 3) == 1);
        CHECK(present[0] && !present[1] && present[2]);
        CHECK(l2w_beacon_sidecars_find(&set, &wanted[0]) == &set.items[1]);
        CHECK(l2w_beacon_sidecars_find(&set, &wanted[1]) == NULL);
        CHECK(l2w_beacon_sidecars_match(&set, present, wanted, 0) == 0);
    }
    l2w_beacon_sidecars_free(&set);
    CHECK(set.n == 0 && set.items == NULL);
    l2w_beacon_sidecars_free(&set); /* twice is harmless */
    l2w_beacon_sidecars_free(NULL);
    free(text);
}

static void test_no_blobs(void)
{
    l2w_beacon_sidecars set;
    l2w_err err = {{0}};
    /* Old nodes send only "data". */
    CHECK(parse_text(&set, "{\"data\": []}", &err) == L2W_OK);
    CHECK(set.n == 0 && !set.finalized);
    l2w_hash wanted[1];
    hash_of(&wanted[0], VH_RANGE48);
    bool present[1] = {true};
    CHECK(l2w_beacon_sidecars_match(&set, present, wanted, 1) == 1);
    CHECK(!present[0]);
    l2w_beacon_sidecars_free(&set);
}

/* The answer must be refused with err containing want. */
static void expect_refused_text(const char *text, const char *want, const char *what)
{
    l2w_beacon_sidecars set;
    set.n = 99; /* must be reset on failure */
    l2w_err err = {{0}};
    l2w_status st = parse_text(&set, text, &err);
    CHECK_MSG(st == L2W_ERR_PROTOCOL, "%s: status %s", what, l2w_status_str(st));
    CHECK_MSG(strstr(err.msg, want) != NULL, "%s: message '%s' lacks '%s'", what, err.msg, want);
    CHECK(set.n == 0 && set.items == NULL);
}

/* Two sidecars, the second (data[1]) altered by edit. */
static void expect_refused(void (*edit)(sidecar_fields *), const char *want, const char *what)
{
    sidecar_fields f[2] = {good_fields(0), good_fields(1)};
    edit(&f[1]);
    char *text = answer_of(f, 2);
    expect_refused_text(text, want, what);
    free(text);
}

static char *short_blob, *long_blob, *bad_digit_blob;

static void no_index(sidecar_fields *f) { f->index = NULL; }
static void no_blob(sidecar_fields *f) { f->blob = NULL; }
static void no_commitment(sidecar_fields *f) { f->commitment = NULL; }
static void no_proof(sidecar_fields *f) { f->proof = NULL; }
static void no_header(sidecar_fields *f) { f->no_header = true; }
static void no_slot(sidecar_fields *f) { f->slot = NULL; }
static void no_parent(sidecar_fields *f) { f->parent = NULL; }
static void blob_short(sidecar_fields *f) { f->blob = short_blob; }
static void blob_long(sidecar_fields *f) { f->blob = long_blob; }
static void blob_bad_digit(sidecar_fields *f) { f->blob = bad_digit_blob; }
static void blob_no_prefix(sidecar_fields *f) { f->blob = zero_blob_hex + 2; }
/* 47 bytes: 94 digits. */
static void commitment_47(sidecar_fields *f)
{
    f->commitment = "0xc0"
                    "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
                    "0000";
}
static void commitment_49(sidecar_fields *f) { f->commitment = COMMIT_ZERO_BLOB "00"; }
static void commitment_odd(sidecar_fields *f) { f->commitment = COMMIT_ZERO_BLOB "0"; }
static void proof_47(sidecar_fields *f) { f->proof = "0x00"; }
static void index_number(sidecar_fields *f) { f->index = "1"; }
static void index_leading_zero(sidecar_fields *f) { f->index = "\"01\""; }
static void index_overflow(sidecar_fields *f) { f->index = "\"18446744073709551616\""; }
static void index_negative(sidecar_fields *f) { f->index = "\"-1\""; }
static void index_repeated(sidecar_fields *f) { f->index = "\"0\""; }
static void slot_other(sidecar_fields *f) { f->slot = "\"8626177\""; }
static void slot_number(sidecar_fields *f) { f->slot = "8626176"; }
static void parent_other(sidecar_fields *f) { f->parent = ROOT2; }

static void test_refused_sidecars(void)
{
    short_blob = blob_hex_of_len(2 * L2W_BLOB_BYTES - 2);
    long_blob = blob_hex_of_len(2 * L2W_BLOB_BYTES + 2);
    bad_digit_blob = blob_hex_of_len(2 * L2W_BLOB_BYTES);
    bad_digit_blob[1000] = 'g';

    expect_refused(no_index, "data[1].index: missing", "no index");
    expect_refused(no_blob, "data[1].blob: missing", "no blob");
    expect_refused(no_commitment, "data[1].kzg_commitment: missing", "no commitment");
    expect_refused(no_proof, "data[1].kzg_proof: missing", "no proof");
    expect_refused(no_header, "data[1].signed_block_header: missing", "no header");
    expect_refused(no_slot, "data[1].signed_block_header.message.slot: missing", "no slot");
    expect_refused(no_parent, "data[1].signed_block_header.message.parent_root: missing", "no parent");
    expect_refused(blob_short, "data[1].blob: expected 0x and 262144 hex digits (131072 bytes), got 262144 characters",
                   "blob 131071 bytes");
    expect_refused(blob_long, "got 262148 characters", "blob 131073 bytes");
    expect_refused(blob_bad_digit, "data[1].blob: not 0x-prefixed hex", "blob bad digit");
    expect_refused(blob_no_prefix, "data[1].blob: expected 0x", "blob without 0x");
    expect_refused(commitment_47, "data[1].kzg_commitment: expected 0x and 96 hex digits", "commitment 47 bytes");
    expect_refused(commitment_49, "data[1].kzg_commitment: expected 0x and 96 hex digits", "commitment 49 bytes");
    expect_refused(commitment_odd, "data[1].kzg_commitment", "commitment odd digits");
    expect_refused(proof_47, "data[1].kzg_proof: expected 0x and 96", "short proof");
    expect_refused(index_number, "data[1].index: expected a decimal uint64 string", "index as a number");
    expect_refused(index_leading_zero, "data[1].index: expected a decimal", "index 01");
    expect_refused(index_overflow, "data[1].index: expected a decimal", "index 2^64");
    expect_refused(index_negative, "data[1].index: expected a decimal", "index -1");
    expect_refused(index_repeated, "data[1].index: 0 repeats data[0]'s", "repeated index");
    expect_refused(slot_other, "data[1]: from another block", "two slots");
    expect_refused(slot_number, "data[1].signed_block_header.message.slot: expected a decimal", "slot number");
    expect_refused(parent_other, "data[1]: from another block", "two parents");

    free(short_blob);
    free(long_blob);
    free(bad_digit_blob);
}

static void test_index_max(void)
{
    sidecar_fields f = good_fields(0);
    f.index = "\"18446744073709551615\"";
    char *text = answer_of(&f, 1);
    l2w_beacon_sidecars set;
    l2w_err err = {{0}};
    CHECK_MSG(parse_text(&set, text, &err) == L2W_OK, "%s", err.msg);
    CHECK(set.n == 1 && set.items[0].index == UINT64_MAX);
    l2w_beacon_sidecars_free(&set);
    free(text);
}

static void test_refused_documents(void)
{
    expect_refused_text("", "invalid JSON", "empty");
    expect_refused_text("{\"data\": [", "invalid JSON", "truncated");
    expect_refused_text("[]", "answer: expected an object", "top-level array");
    expect_refused_text("{}", "data: missing", "no data");
    expect_refused_text("{\"data\": {}}", "data: expected an array", "data an object");
    expect_refused_text("{\"data\": null}", "data: expected an array", "data null");
    expect_refused_text("{\"data\": [{}, {}, {}]}", "data: 3 entries cannot be sidecars in a 22-byte answer",
                        "more entries than the answer could hold");
    /* Padded to the size of one sidecar, so the entry itself is judged. */
    char *padded = NULL;
    append(&padded, "{\"data\": [1], \"pad\": \"%s\"}", zero_blob_hex);
    expect_refused_text(padded, "data[0]: expected an object", "item a number");
    free(padded);
    expect_refused_text("{\"data\": [], \"data\": []}", "duplicate", "duplicate top-level key");
    expect_refused_text("{\"data\": [], \"finalized\": \"true\"}", "finalized: expected true or false",
                        "finalized a string");
    expect_refused_text("{\"data\": [], \"execution_optimistic\": 0}", "execution_optimistic", "optimistic a number");
    expect_refused_text("{\"data\": [{\"index\": \"0\", \"index\": \"1\"}]}", "duplicate",
                        "duplicate key in a sidecar");
    /* A NUL inside a string is refused by the parser, not cut short. */
    static const char nul[] = "{\"data\": [], \"version\": \"de\\u0000neb\"}";
    expect_refused_text(nul, "invalid JSON", "escaped NUL");

    /* A whole good sidecar with a duplicate key spliced into it. */
    sidecar_fields f = good_fields(0);
    char *text = answer_of(&f, 1);
    char *at = strstr(text, "\"kzg_proof\"");
    CHECK(at != NULL);
    char *dup = NULL;
    append(&dup, "%.*s\"kzg_proof\": \"%s\", %s", (int)(at - text), text, PROOF, at);
    expect_refused_text(dup, "duplicate", "duplicate kzg_proof");
    free(dup);
    free(text);
}

static void test_genesis(void)
{
    uint64_t t = 0;
    l2w_err err = {{0}};
    const char *mainnet = "{\"data\": {\"genesis_time\": \"1606824023\", \"genesis_validators_root\": "
                          "\"0x4b363db94e286120d76eb905340fdd4e54bfe9f06bf33ff6cf5ad27f511bfe95\", "
                          "\"genesis_fork_version\": \"0x00000000\"}}";
    CHECK(l2w_beacon_parse_genesis_time(&t, mainnet, strlen(mainnet), &err) == L2W_OK);
    CHECK(t == 1606824023);
    static const char *const bad[] = {
        "{\"data\": {\"genesis_time\": 1606824023}}",
        "{\"data\": {}}",
        "{\"data\": []}",
        "{\"genesis_time\": \"1606824023\"}",
        "{\"data\": {\"genesis_time\": \"1\", \"genesis_time\": \"2\"}}",
        "not json",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err.msg[0] = '\0';
        CHECK_MSG(l2w_beacon_parse_genesis_time(&t, bad[i], strlen(bad[i]), &err) == L2W_ERR_PROTOCOL, "%s", bad[i]);
        CHECK(err.msg[0] != '\0');
    }
}

static void test_slot_at(void)
{
    uint64_t slot = 0;
    l2w_err err = {{0}};
    /* Mainnet: Dencun activated at epoch 269568 = slot 8626176, whose block
     * has timestamp 1710338135 = 1606824023 + 8626176 * 12. */
    CHECK(l2w_beacon_slot_at(&slot, 1710338135, 1606824023, 12, &err) == L2W_OK);
    CHECK(slot == 8626176);
    CHECK(l2w_beacon_slot_at(&slot, 1606824023, 1606824023, 12, &err) == L2W_OK);
    CHECK(slot == 0);
    CHECK(l2w_beacon_slot_at(&slot, 1710338136, 1606824023, 12, &err) == L2W_ERR_INVALID);
    CHECK(strstr(err.msg, "not on a slot start") != NULL);
    CHECK(l2w_beacon_slot_at(&slot, 1606824022, 1606824023, 12, &err) == L2W_ERR_INVALID);
    CHECK(strstr(err.msg, "before beacon genesis") != NULL);
    CHECK(l2w_beacon_slot_at(&slot, 1710338135, 1606824023, 0, &err) == L2W_ERR_INVALID);
    CHECK(l2w_beacon_slot_at(&slot, UINT64_MAX, 0, 1, &err) == L2W_OK);
    CHECK(slot == UINT64_MAX);
}

static void test_cap(void)
{
    /* Six real-size sidecars fit the cap for six; they would not fit five. */
    sidecar_fields f[6];
    static const char *const idx[6] = {"\"0\"", "\"1\"", "\"2\"", "\"3\"", "\"4\"", "\"5\""};
    for (int i = 0; i < 6; i++) {
        f[i] = good_fields(1);
        f[i].index = idx[i];
    }
    char *text = answer_of(f, 6);
    size_t len = strlen(text);
    CHECK(len <= l2w_beacon_sidecars_cap(6));
    CHECK(len > l2w_beacon_sidecars_cap(5));
    l2w_beacon_sidecars set;
    l2w_err err = {{0}};
    CHECK_MSG(l2w_beacon_parse_sidecars(&set, text, len, &err) == L2W_OK, "%s", err.msg);
    CHECK(set.n == 6);
    l2w_beacon_sidecars_free(&set);
    free(text);
}

int main(void)
{
    zero_blob_hex = blob_hex_of_len(2 * L2W_BLOB_BYTES);
    RUN(test_good_answer);
    RUN(test_no_blobs);
    RUN(test_refused_sidecars);
    RUN(test_index_max);
    RUN(test_refused_documents);
    RUN(test_genesis);
    RUN(test_slot_at);
    RUN(test_cap);
    free(zero_blob_hex);
    return l2w_test_finish();
}
