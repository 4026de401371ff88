/* The eth_getLogs scanner (collector/eth_logs.c) against the path it
 * replaces: jansson with JSON_REJECT_DUPLICATES, then
 * l2w_eth_logs_from_json. On every text both give the same logs, or refuse
 * with the same status: well-formed answers in random shapes (field order,
 * whitespace, escapes, unknown fields of any kind), every field broken in
 * every way, JSON that jansson refuses (bad UTF-8, escapes, numbers,
 * nesting, duplicate keys, trailing bytes), truncations and random byte
 * mutations of all of these. */

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/eth.h"
#include "collector/eth_logs.h"
#include "core/hex.h"
#include "tests/unit/harness.h"
#include "tests/unit/support/json_text.h"

#define FROM 1000u
#define TO 5000u

/* ---- the two paths ---- */

static l2w_status by_jansson(const text *t, l2w_evm_log **logs, size_t *n, l2w_err *err)
{
    *logs = NULL;
    *n = 0;
    json_error_t jerr;
    json_t *res = json_loadb(t->p ? t->p : "", t->len, JSON_REJECT_DUPLICATES, &jerr);
    if (!res) {
        l2w_err_set(err, "jansson: %s", jerr.text);
        return L2W_ERR_PROTOCOL;
    }
    l2w_status st = l2w_eth_logs_from_json(res, FROM, TO, logs, n, err);
    json_decref(res);
    return st;
}

static bool same_log(const l2w_evm_log *a, const l2w_evm_log *b)
{
    if (a->block_number != b->block_number || a->log_index != b->log_index || a->n_topics != b->n_topics ||
        a->data_len != b->data_len || !l2w_hash_eq(&a->block_hash, &b->block_hash) ||
        !l2w_hash_eq(&a->tx_hash, &b->tx_hash) || !l2w_addr_eq(&a->address, &b->address))
        return false;
    for (size_t i = 0; i < a->n_topics; i++)
        if (!l2w_hash_eq(&a->topics[i], &b->topics[i]))
            return false;
    return a->data_len == 0 || memcmp(a->data, b->data, a->data_len) == 0;
}

static int compared;
static int accepted;

/* Both paths on t: the same outcome, or a failure that prints the text. */
static void differential(const text *t, const char *what)
{
    l2w_evm_log *a, *b;
    size_t na, nb;
    l2w_err ea = {{0}}, eb = {{0}};
    l2w_status sa = by_jansson(t, &a, &na, &ea);
    l2w_status sb = l2w_eth_logs_scan(t->p ? t->p : "", t->len, FROM, TO, &b, &nb, &eb);
    compared++;
    bool same = sa == sb;
    if (same && sa == L2W_OK) {
        accepted++;
        same = na == nb;
        for (size_t i = 0; same && i < na; i++)
            same = same_log(&a[i], &b[i]);
    }
    CHECK_MSG(same, "%s: jansson %s (%s), scanner %s (%s) on %zu bytes: %.400s", what, l2w_status_str(sa), ea.msg,
              l2w_status_str(sb), eb.msg, t->len, t->p ? t->p : "");
    if (sa == L2W_OK)
        l2w_logs_free(a, na);
    if (sb == L2W_OK)
        l2w_logs_free(b, nb);
}

/* ---- well-formed logs in random shapes ---- */

/* A hex string of n bytes, "0x"-prefixed, with random case and, now and
 * then, characters written as escapes (which decode to the same string). */
static void hex_string(text *t, size_t n, bool may_escape)
{
    static const char lower[] = "0123456789abcdef", upper[] = "0123456789ABCDEF";
    bool up = one_in(8);
    put(t, "\"");
    put(t, may_escape && one_in(20) ? "\\u0030x" : "0x");
    for (size_t i = 0; i < 2 * n; i++) {
        char c = (up ? upper : lower)[rnd(16)];
        if (may_escape && one_in(200)) {
            char e[8];
            snprintf(e, sizeof e, "\\u%04x", (unsigned)c);
            put(t, e);
        } else {
            put_n(t, &c, 1);
        }
    }
    put(t, "\"");
}

static void quantity(text *t, uint64_t v)
{
    char q[19];
    l2w_u64_to_quantity(q, v);
    put(t, "\"");
    put(t, q);
    put(t, "\"");
}

/* How a field may be broken: BROKEN_NONE writes it well-formed. */
typedef enum {
    BROKEN_NONE,
    BROKEN_MISSING,
    BROKEN_NULL,
    BROKEN_TYPE,
    BROKEN_VALUE,
} broken;

enum { K_REMOVED, K_BLOCK_NUMBER, K_BLOCK_HASH, K_TX_HASH, K_LOG_INDEX, K_ADDRESS, K_TOPICS, K_DATA, K_TX_INDEX,
       K_TIMESTAMP, N_KEYS };
static const char *const key_names[N_KEYS] = {"removed", "blockNumber", "blockHash", "transactionHash", "logIndex",
                                              "address", "topics", "data", "transactionIndex", "blockTimestamp"};

static void bad_value(text *t, int key)
{
    switch (key) {
    case K_BLOCK_NUMBER:
    case K_LOG_INDEX: {
        static const char *const bad[] = {"\"0x\"", "\"0x01\"", "\"12\"", "\"0xg\"", "\"0x10000000000000000\"",
                                          "\"0x80000000\"", "\"0x7fffffff\"", "\"0x1\"", "\"0xFFFF\""};
        put(t, bad[rnd(sizeof bad / sizeof bad[0])]);
        break;
    }
    case K_BLOCK_HASH:
    case K_TX_HASH:
    case K_ADDRESS:
        switch (rnd(4)) {
        case 0:
            hex_string(t, key == K_ADDRESS ? 32 : 20, false);
            break;
        case 1:
            hex_string(t, key == K_ADDRESS ? 21 : 31, false);
            break;
        case 2:
            put(t, "\"0x" "zz" "\"");
            break;
        default:
            put(t, key == K_ADDRESS ? "\"0X00112233445566778899aabbccddeeff00112233\""
                                    : "\"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\"");
            break;
        }
        break;
    case K_TOPICS: {
        static const char *const bad[] = {
            "[1]", "[null]", "[\"0x00\"]", "{}", "\"0x\"",
            "[\"0x0000000000000000000000000000000000000000000000000000000000000001\","
            "\"0x0000000000000000000000000000000000000000000000000000000000000002\","
            "\"0x0000000000000000000000000000000000000000000000000000000000000003\","
            "\"0x0000000000000000000000000000000000000000000000000000000000000004\","
            "\"0x0000000000000000000000000000000000000000000000000000000000000005\"]",
            "[\"0x0000000000000000000000000000000000000000000000000000000000000001\", [], 7, 8, 9]",
        };
        put(t, bad[rnd(sizeof bad / sizeof bad[0])]);
        break;
    }
    case K_DATA: {
        static const char *const bad[] = {"\"\"", "\"0\"", "\"0x0\"", "\"0X00\"", "\"0xgg\"", "\"00\"", "\"0x123\""};
        put(t, bad[rnd(sizeof bad / sizeof bad[0])]);
        break;
    }
    case K_REMOVED: {
        static const char *const values[] = {"true", "false", "null", "\"true\"", "1", "[]"};
        put(t, values[rnd(sizeof values / sizeof values[0])]);
        break;
    }
    default:
        any_value(t, 2);
        break;
    }
}

static void good_value(text *t, int key, uint64_t block, uint32_t index)
{
    switch (key) {
    case K_REMOVED:
        put(t, "false");
        break;
    case K_BLOCK_NUMBER:
        quantity(t, block);
        break;
    case K_BLOCK_HASH:
    case K_TX_HASH:
        hex_string(t, 32, true);
        break;
    case K_LOG_INDEX:
        quantity(t, index);
        break;
    case K_ADDRESS:
        hex_string(t, 20, true);
        break;
    case K_TOPICS: {
        put(t, "[");
        size_t n = rnd(5);
        for (size_t i = 0; i < n; i++) {
            if (i)
                put(t, ",");
            ws(t);
            hex_string(t, 32, true);
        }
        put(t, "]");
        break;
    }
    case K_DATA:
        hex_string(t, one_in(4) ? 0 : rnd(200), true);
        break;
    case K_TX_INDEX:
        quantity(t, rnd(100));
        break;
    default:
        quantity(t, 1700000000 + rnd(1000000));
        break;
    }
}

/* One log; with probability 1/corrupt one field is broken in one way. */
static void log_object(text *t, uint64_t block, uint32_t index, int corrupt)
{
    int order[N_KEYS];
    for (int i = 0; i < N_KEYS; i++)
        order[i] = i;
    if (!one_in(3))
        for (int i = N_KEYS - 1; i > 0; i--) {
            int j = (int)rnd((uint64_t)i + 1), x = order[i];
            order[i] = order[j];
            order[j] = x;
        }
    int bad_key = corrupt && one_in((uint64_t)corrupt) ? (int)rnd(N_KEYS) : -1;
    broken how = bad_key >= 0 ? (broken)(1 + rnd(4)) : BROKEN_NONE;
    put(t, "{");
    ws(t);
    bool first = true;
    for (int i = 0; i < N_KEYS; i++) {
        int k = order[i];
        if (k == bad_key && how == BROKEN_MISSING)
            continue;
        if ((k == K_REMOVED || k == K_TX_INDEX || k == K_TIMESTAMP) && one_in(4))
            continue; /* optional for the walk */
        if (!first)
            put(t, ",");
        first = false;
        ws(t);
        put(t, "\"");
        put(t, key_names[k]);
        put(t, "\"");
        ws(t);
        put(t, ":");
        ws(t);
        if (k != bad_key)
            good_value(t, k, block, index);
        else if (how == BROKEN_NULL)
            put(t, "null");
        else if (how == BROKEN_TYPE)
            put(t, one_in(2) ? "12" : "{\"a\":[]}");
        else
            bad_value(t, k);
        if (one_in(6)) {
            char extra[48];
            snprintf(extra, sizeof extra, ",\"x%d\":", i);
            put(t, extra);
            any_value(t, 2);
        }
    }
    ws(t);
    put(t, "}");
}

static void logs_answer(text *t, size_t n, int corrupt)
{
    put(t, "[");
    ws(t);
    uint64_t block = FROM + rnd(TO - FROM);
    for (size_t i = 0; i < n; i++) {
        if (i)
            put(t, ",");
        ws(t);
        /* Now and then one block outside the range asked for. */
        uint64_t b = corrupt && one_in((uint64_t)corrupt * 4) ? (one_in(2) ? FROM - 1 : TO + 1) : block;
        log_object(t, b, (uint32_t)i, corrupt);
        block += rnd(3);
        if (block > TO)
            block = TO;
    }
    ws(t);
    put(t, "]");
    ws(t);
}

/* ---- the tests ---- */

static void test_random_answers(void)
{
    for (int i = 0; i < 3000; i++) {
        text t = {NULL, 0, 0};
        logs_answer(&t, rnd(6), 0);
        differential(&t, "well-formed");
        free(t.p);
    }
}

static void test_broken_fields(void)
{
    for (int i = 0; i < 6000; i++) {
        text t = {NULL, 0, 0};
        logs_answer(&t, 1 + rnd(4), 2);
        differential(&t, "broken field");
        free(t.p);
    }
}

static void test_mutations_and_truncations(void)
{
    for (int i = 0; i < 20000; i++) {
        text t = {NULL, 0, 0};
        logs_answer(&t, 1 + rnd(3), one_in(2) ? 0 : 3);
        if (one_in(4)) {
            t.len = rnd(t.len + 1);
            t.p[t.len] = '\0';
        } else {
            mutate(&t);
        }
        differential(&t, "mutated");
        free(t.p);
    }
}

static const char LOG[] = "{\"address\":\"0x00112233445566778899aabbccddeeff00112233\","
                          "\"topics\":[\"0x0000000000000000000000000000000000000000000000000000000000000001\"],"
                          "\"data\":\"0x0102\",\"blockNumber\":\"0x3e8\","
                          "\"blockHash\":\"0x1111111111111111111111111111111111111111111111111111111111111111\","
                          "\"transactionHash\":\"0x2222222222222222222222222222222222222222222222222222222222222222\","
                          "\"logIndex\":\"0x0\"";

/* A log with extra text spliced before its closing brace. */
static void one(const char *extra, const char *what)
{
    text t = {NULL, 0, 0};
    put(&t, "[");
    put(&t, LOG);
    put(&t, extra);
    put(&t, "}]");
    differential(&t, what);
    free(t.p);
}

static void test_adversarial_json(void)
{
    static const char *const extras[] = {
        "", ",\"removed\":true", ",\"removed\":false", ",\"blockHash\":\"0x11\"", ",\"block\\u0048ash\":1",
        ",\"x\":\"\\u0000\"", ",\"\\u0000\":1", ",\"x\":\"\\ud800\"", ",\"x\":\"\\udc00\"", ",\"x\":\"\\ud800\\u0041\"",
        ",\"x\":\"\\ud83d\\ude00\"", ",\"x\":\"\\x\"", ",\"x\":\"\\u12\"", ",\"x\":\"\\u12g4\"", ",\"x\":\"a\x01\"",
        ",\"x\":\"a\nb\"", ",\"x\":\"\xc0\xaf\"", ",\"x\":\"\xe0\x80\xaf\"", ",\"x\":\"\xed\xa0\x80\"",
        ",\"x\":\"\xf4\x90\x80\x80\"", ",\"x\":\"\xf0\x9f\x98\"", ",\"x\":\"\x80\"", ",\"x\":\"\xff\"",
        ",\"x\":01", ",\"x\":-", ",\"x\":1.", ",\"x\":.5", ",\"x\":1e", ",\"x\":1e+", ",\"x\":-01",
        ",\"x\":9223372036854775808", ",\"x\":-9223372036854775809", ",\"x\":99999999999999999999",
        ",\"x\":1e309", ",\"x\":-1e309", ",\"x\":1e-999", ",\"x\":tru", ",\"x\":True", ",\"x\":nulll",
        ",\"x\":[1,]", ",\"x\":{\"a\":1,}", ",\"x\":{\"a\" 1}", ",\"x\":{\"a\":1,\"a\":2}",
        ",\"x\":{\"a\":1,\"\\u0061\":2}", ",\"x\":[}", ",\"x\":\xc3\xa9", ",", ",\"x\"", ",\"x\":",
        ",\"logIndex\":\"0x1\"", ",\"topics\":[]", ",\"data\":null", ",\"x\":\"\x7f\"", ",\"x\":[[[[[]]]]]",
        ",\"x\":\"\\/\\b\\f\\n\\r\\t\\\"\\\\\"", ",\"x\":1E400", ",\"x\":0e0", ",\"x\":-0.0e-0",
    };
    for (size_t i = 0; i < sizeof extras / sizeof extras[0]; i++)
        one(extras[i], extras[i]);

    /* Objects of many keys (sorted to find repeats) with and without one. */
    for (int repeat = 0; repeat < 2; repeat++) {
        text extra = {NULL, 0, 0};
        put(&extra, ",\"x\":{");
        for (int k = 0; k < 40; k++) {
            char key[32];
            snprintf(key, sizeof key, "%s\"k%d\":%d", k ? "," : "", k, k);
            put(&extra, key);
        }
        put(&extra, repeat ? ",\"k\\u0031\":1}" : "}");
        one(extra.p, repeat ? "forty keys and a repeat" : "forty keys");
        free(extra.p);
    }
    /* A field's own name written with escapes is that field. */
    static const char *const renamed[] = {"\"\\u0064ata\"", "\"d\\u0061ta\"", "\"\\u0064\\u0061\\u0074\\u0061\""};
    for (size_t i = 0; i < sizeof renamed / sizeof renamed[0]; i++) {
        text t = {NULL, 0, 0};
        put(&t, "[");
        put(&t, LOG);
        put(&t, "}]");
        char *data = strstr(t.p, "\"data\"");
        text u = {NULL, 0, 0};
        put_n(&u, t.p, (size_t)(data - t.p));
        put(&u, renamed[i]);
        put(&u, data + 6);
        differential(&u, renamed[i]);
        free(u.p);
        free(t.p);
    }

    static const char *const whole[] = {
        "", " ", "[]", " [ ] ", "{}", "{\"a\":1}", "null", "1", "\"x\"", "[] x", "[]]", "[", "[1]", "[null]",
        "[[]]", "[{}]", "[\"log\"]", "[{},{}]", "\xef\xbb\xbf[]", "[]\x00", "\t\r\n[]\t\r\n",
    };
    for (size_t i = 0; i < sizeof whole / sizeof whole[0]; i++) {
        text t = {NULL, 0, 0};
        put_n(&t, whole[i], strlen(whole[i]) + (strcmp(whole[i], "[]\x00") == 0 ? 1 : 0));
        differential(&t, whole[i]);
        free(t.p);
    }
}

/* Nesting around jansson's limit of 2048 values deep, inside a log. */
static void test_nesting_limit(void)
{
    for (int depth = 2040; depth <= 2050; depth++) {
        text t = {NULL, 0, 0};
        put(&t, "[");
        put(&t, LOG);
        put(&t, ",\"x\":");
        for (int i = 0; i < depth - 3; i++) /* the top array, the log and the innermost value count too */
            put(&t, "[");
        put(&t, "1");
        for (int i = 0; i < depth - 3; i++)
            put(&t, "]");
        put(&t, "}]");
        char what[32];
        snprintf(what, sizeof what, "nesting %d", depth);
        differential(&t, what);
        free(t.p);
    }
}

/* Data at the cap and one byte over it; more logs than one answer may hold. */
static void test_limits(void)
{
    for (size_t bytes = L2W_LOG_MAX_DATA; bytes <= L2W_LOG_MAX_DATA + 1; bytes++) {
        text t = {NULL, 0, 0};
        put(&t, "[");
        put(&t, LOG);
        put(&t, ",\"x\":1}]");
        char *at = strstr(t.p, "\"0x0102\"");
        size_t head = (size_t)(at - t.p) + 3;
        text big = {NULL, 0, 0};
        put_n(&big, t.p, head);
        for (size_t i = 0; i < bytes; i++)
            put(&big, "ab");
        put(&big, t.p + head + 4);
        differential(&big, bytes == L2W_LOG_MAX_DATA ? "data at the cap" : "data over the cap");
        free(big.p);
        free(t.p);
    }
    for (int variant = 0; variant < 3; variant++) {
        text t = {NULL, 0, 0};
        put(&t, "[");
        for (size_t i = 0; i <= L2W_ETH_MAX_LOGS_PER_CALL; i++)
            put(&t, i ? ",{}" : "{}");
        put(&t, variant == 1 ? "]x" : "]");
        if (variant == 2) /* a bad log first: still too many */
            memcpy(t.p + 1, "[]", 2);
        differential(&t, "too many logs");
        free(t.p);
    }
}

/* What the scanner says when it refuses: the log's index and field. */
static void test_messages(void)
{
    text t = {NULL, 0, 0};
    put(&t, "[");
    put(&t, LOG);
    put(&t, "},");
    put(&t, LOG);
    put(&t, "}]");
    char *second = strstr(t.p + strlen(LOG) + 2, "\"blockHash\":\"0x11");
    second[15] = 'z';
    l2w_evm_log *logs;
    size_t n;
    l2w_err err = {{0}};
    CHECK(l2w_eth_logs_scan(t.p, t.len, FROM, TO, &logs, &n, &err) == L2W_ERR_PROTOCOL);
    CHECK_MSG(strstr(err.msg, "log 1: field blockHash") != NULL, "%s", err.msg);
    free(t.p);
}

int main(void)
{
    l2w_test_seed();
    RUN(test_random_answers);
    RUN(test_broken_fields);
    RUN(test_mutations_and_truncations);
    RUN(test_adversarial_json);
    RUN(test_nesting_limit);
    RUN(test_limits);
    RUN(test_messages);
    fprintf(stderr, "%d texts compared, %d accepted by both\n", compared, accepted);
    return l2w_test_finish();
}
