/* l2w_rpc_parse_answer (collector/rpc_answer.c), the JSON-RPC answer read
 * with some results left as text, against what it stands for: jansson with
 * JSON_REJECT_DUPLICATES on the whole answer. On every text both accept or
 * both refuse; when they accept, the tree is jansson's with each kept
 * result replaced by 0, and each kept result's text loads to the value
 * jansson read there. Texts: batches and single answers in random shapes
 * (member order, whitespace, ids repeated, out of range, negative or not
 * integers, results of every kind, error objects), their truncations and
 * random byte mutations. */

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/rpc_answer.h"
#include "tests/unit/harness.h"
#include "tests/unit/support/json_text.h"

#define FIRST_ID 41u
#define N_ITEMS 6u

static int compared, accepted, cut;

/* jansson's tree with the kept results replaced by 0, and the results
 * taken out (borrowed from tree), as l2w_rpc_parse_answer describes it. */
static json_t *expected(json_t *tree, const bool *keep, json_t **results)
{
    json_t *copy = json_deep_copy(tree);
    if (!copy)
        abort();
    size_t n = json_is_array(copy) ? json_array_size(copy) : 1;
    for (size_t i = 0; i < n; i++) {
        json_t *resp = json_is_array(copy) ? json_array_get(copy, i) : copy;
        json_t *orig = json_is_array(tree) ? json_array_get(tree, i) : tree;
        json_t *id = json_is_object(resp) ? json_object_get(resp, "id") : NULL;
        if (!json_is_integer(id) || !json_object_get(resp, "result"))
            continue;
        json_int_t v = json_integer_value(id);
        if (v < (json_int_t)FIRST_ID || v >= (json_int_t)(FIRST_ID + N_ITEMS))
            continue;
        size_t k = (size_t)(v - (json_int_t)FIRST_ID);
        if (!keep[k] || results[k])
            continue;
        results[k] = json_object_get(orig, "result");
        json_object_set_new(resp, "result", json_integer(0));
    }
    return copy;
}

static void differential(const text *t, const bool *keep, const char *what)
{
    const char *p = t->p ? t->p : "";
    json_error_t jerr;
    json_t *tree = json_loadb(p, t->len, JSON_REJECT_DUPLICATES, &jerr);
    json_t *answer = NULL;
    l2w_rpc_raw_span spans[N_ITEMS];
    l2w_err err = {{0}};
    l2w_status st = l2w_rpc_parse_answer(p, t->len, FIRST_ID, keep, N_ITEMS, &answer, spans, &err);
    compared++;
    CHECK_MSG((tree != NULL) == (st == L2W_OK), "%s: jansson %s (%s), split %s (%s) on %zu bytes: %.300s", what,
              tree ? "accepts" : "refuses", tree ? "" : jerr.text, l2w_status_str(st), err.msg, t->len, p);
    if (tree && st == L2W_OK) {
        accepted++;
        json_t *results[N_ITEMS] = {NULL};
        json_t *want = expected(tree, keep, results);
        CHECK_MSG(json_equal(want, answer), "%s: tree differs on %.300s", what, p);
        for (size_t k = 0; k < N_ITEMS; k++) {
            CHECK_MSG(spans[k].found == (results[k] != NULL), "%s: item %zu found %d on %.300s", what, k,
                      spans[k].found, p);
            if (!spans[k].found || !results[k])
                continue;
            cut++;
            CHECK(spans[k].offset + spans[k].len <= t->len);
            json_t *v = json_loadb(p + spans[k].offset, spans[k].len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
            CHECK_MSG(v && json_equal(v, results[k]), "%s: item %zu text \"%.*s\"", what, k, (int)spans[k].len,
                      p + spans[k].offset);
            json_decref(v);
        }
        json_decref(want);
    }
    json_decref(tree);
    json_decref(answer);
}

/* ---- answers in random shapes ---- */

static void id_value(text *t)
{
    char id[40];
    switch (rnd(10)) {
    case 0:
        put(t, "\"42\""); /* a string id: never matched */
        return;
    case 1:
        put(t, one_in(2) ? "-1" : "-0");
        return;
    case 2:
        put(t, one_in(2) ? "42.0" : "4.2e1");
        return;
    case 3:
        put(t, one_in(2) ? "9223372036854775807" : "null");
        return;
    default:
        snprintf(id, sizeof id, "%u", FIRST_ID - 1 + (unsigned)rnd(N_ITEMS + 2));
        put(t, id);
    }
}

static void response(text *t)
{
    /* The members in a random order, some left out or doubled. */
    enum { M_JSONRPC, M_ID, M_RESULT, M_ERROR, M_OTHER, N_MEMBERS };
    int order[N_MEMBERS] = {M_JSONRPC, M_ID, M_RESULT, M_ERROR, M_OTHER};
    for (int i = N_MEMBERS - 1; i > 0; i--) {
        int j = (int)rnd((uint64_t)i + 1), x = order[i];
        order[i] = order[j];
        order[j] = x;
    }
    put(t, "{");
    bool first = true;
    for (int i = 0; i < N_MEMBERS; i++) {
        int m = order[i];
        bool present = m == M_ID || m == M_RESULT ? !one_in(10) : m == M_JSONRPC ? !one_in(20) : one_in(5);
        for (int twice = one_in(40) ? 2 : 1; present && twice > 0; twice--) {
            if (!first)
                put(t, ",");
            first = false;
            ws(t);
            switch (m) {
            case M_JSONRPC:
                put(t, "\"jsonrpc\":\"2.0\"");
                break;
            case M_ID:
                put(t, one_in(30) ? "\"\\u0069d\":" : "\"id\":"); /* an escaped key is the same key */
                ws(t);
                id_value(t);
                break;
            case M_RESULT:
                put(t, one_in(30) ? "\"res\\u0075lt\":" : "\"result\":");
                ws(t);
                any_value(t, 0);
                break;
            case M_ERROR:
                put(t, "\"error\":{\"code\":-32000,\"message\":\"nope\"}");
                break;
            default:
                put(t, "\"extra\":");
                any_value(t, 1);
            }
            ws(t);
        }
    }
    put(t, "}");
}

static void answer_text(text *t)
{
    ws(t);
    if (one_in(6)) {
        response(t); /* a single call's answer */
    } else if (one_in(20)) {
        any_value(t, 0); /* not an answer at all */
    } else {
        put(t, "[");
        size_t n = rnd(N_ITEMS + 2);
        for (size_t i = 0; i < n; i++) {
            if (i)
                put(t, ",");
            ws(t);
            if (one_in(15))
                any_value(t, 1);
            else
                response(t);
        }
        put(t, "]");
    }
    ws(t);
}

static void random_keep(bool *keep)
{
    for (size_t k = 0; k < N_ITEMS; k++)
        keep[k] = !one_in(3);
}

/* ---- the tests ---- */

static void test_random_answers(void)
{
    for (int i = 0; i < 4000; i++) {
        text t = {NULL, 0, 0};
        bool keep[N_ITEMS];
        random_keep(keep);
        answer_text(&t);
        differential(&t, keep, "well-formed");
        free(t.p);
    }
}

static void test_mutations_and_truncations(void)
{
    for (int i = 0; i < 6000; i++) {
        text t = {NULL, 0, 0};
        bool keep[N_ITEMS];
        random_keep(keep);
        answer_text(&t);
        if (one_in(3) && t.len > 0)
            t.len = rnd(t.len); /* an answer cut off mid-way */
        else
            mutate(&t);
        differential(&t, keep, "mutated");
        free(t.p);
    }
}

/* A batch answer in the shape nodes send: the kept result's exact text,
 * the other results in the tree, in any order of responses. */
static void test_batch_shape(void)
{
    static const char answer[] = "[{\"jsonrpc\":\"2.0\",\"id\":42,\"result\":{\"number\":\"0x1\"}},"
                                 " {\"jsonrpc\":\"2.0\",\"id\":41,\"result\":[{\"a\":1}, {\"b\":[2,3]}]},\n"
                                 "{\"id\":43,\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32005,\"message\":\"limit\"}}]";
    bool keep[N_ITEMS] = {true, false, true};
    json_t *tree;
    l2w_rpc_raw_span spans[N_ITEMS];
    l2w_err err;
    CHECK(l2w_rpc_parse_answer(answer, strlen(answer), FIRST_ID, keep, N_ITEMS, &tree, spans, &err) == L2W_OK);
    CHECK(spans[0].found && spans[0].len == strlen("[{\"a\":1}, {\"b\":[2,3]}]") &&
          memcmp(answer + spans[0].offset, "[{\"a\":1}, {\"b\":[2,3]}]", spans[0].len) == 0);
    CHECK(!spans[1].found); /* not kept */
    CHECK(!spans[2].found); /* kept, but answered with an error */
    json_t *kept = json_object_get(json_array_get(tree, 1), "result");
    CHECK(json_is_integer(kept) && json_integer_value(kept) == 0);
    json_t *other = json_object_get(json_array_get(tree, 0), "result");
    CHECK(json_is_object(other) && json_is_string(json_object_get(other, "number")));
    json_decref(tree);
}

/* Refusals name the byte where the text went wrong, and leave nothing. */
static void test_refusals(void)
{
    static const char *const bad[] = {
        "[{\"id\":41,\"result\":[1,2,]}]",       /* a syntax error inside the kept result */
        "[{\"id\":41,\"result\":[],\"result\":1}]", /* a repeated key around it */
        "[{\"id\":41,\"result\":\"\xff\"}]",      /* invalid UTF-8 inside it */
        "[{\"id\":41,\"result\":[]}] x",          /* trailing bytes */
        "",
    };
    bool keep[N_ITEMS] = {true};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *tree = (json_t *)1;
        l2w_rpc_raw_span spans[N_ITEMS];
        l2w_err err = {{0}};
        CHECK(l2w_rpc_parse_answer(bad[i], strlen(bad[i]), FIRST_ID, keep, N_ITEMS, &tree, spans, &err) ==
              L2W_ERR_PROTOCOL);
        CHECK(tree == NULL && !spans[0].found);
        CHECK_MSG(strstr(err.msg, "at byte") != NULL, "%s", err.msg);
    }
}

int main(void)
{
    l2w_test_seed();
    RUN(test_batch_shape);
    RUN(test_refusals);
    RUN(test_random_answers);
    RUN(test_mutations_and_truncations);
    fprintf(stderr, "%d texts compared, %d accepted by both, %d results kept as text\n", compared, accepted, cut);
    return l2w_test_finish();
}
