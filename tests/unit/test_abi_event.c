/* core/abi_event.c: event declarations to log layouts, and words of logs.
 * topic0 is checked against known values and, on random declarations from
 * a printed seed, against `cast sig-event` (skipped when cast is missing). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/abi_event.h"
#include "core/hex.h"
#include "tests/unit/harness.h"
#include "tests/unit/support/cast_support.h"

#define RELEASED \
    "Released(bytes32 indexed messageId, address indexed token, address indexed recipient, uint256 amount)"

static bool topic_is(const l2w_event_layout *l, const char *hex)
{
    l2w_hash want;
    return l2w_hash_from_hex(&want, hex) == L2W_OK && l2w_hash_eq(&l->topic0, &want);
}

static void test_released(void)
{
    l2w_event_layout l;
    l2w_err err = {{0}};
    l2w_status st = l2w_event_layout_parse(&l, RELEASED, &err);
    CHECK_MSG(st == L2W_OK, "%s", err.msg);
    if (st != L2W_OK)
        return;
    CHECK(strcmp(l.signature, RELEASED) == 0);
    CHECK(strcmp(l.canonical, "Released(bytes32,address,address,uint256)") == 0);
    /* cast sig-event of the declaration */
    CHECK(topic_is(&l, "0xf841af1340fe1d6814e6ec7893c8cc8939c12ee8d084afe073c5b10dc8fc794c"));
    CHECK(l.n_params == 4);
    CHECK(strcmp(l.params[0].name, "messageId") == 0 && strcmp(l.params[0].type, "bytes32") == 0);
    CHECK(l.params[0].indexed && l.params[0].position == 1 && l.params[0].is_static);
    CHECK(l.params[1].indexed && l.params[1].position == 2 && strcmp(l.params[1].type, "address") == 0);
    CHECK(l.params[2].indexed && l.params[2].position == 3 && strcmp(l.params[2].name, "recipient") == 0);
    CHECK(!l.params[3].indexed && l.params[3].position == 0 && strcmp(l.params[3].type, "uint256") == 0);
    /* fields are the caller's to choose */
    CHECK(l.token == -1 && l.recipient == -1 && l.amount == -1 && l.message_id == -1);
    CHECK(l2w_event_param_find(&l, "amount") == 3 && l2w_event_param_find(&l, "Amount") == -1);
    l2w_event_layout_free(&l);
}

static void test_aliases_tuples_and_positions(void)
{
    l2w_event_layout l;
    l2w_err err = {{0}};
    /* ERC-20 Transfer as often written, with the uint alias */
    CHECK(l2w_event_layout_parse(&l, "Transfer(address indexed from, address indexed to, uint value)", &err) == L2W_OK);
    CHECK(l.canonical && strcmp(l.canonical, "Transfer(address,address,uint256)") == 0);
    CHECK(topic_is(&l, "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"));
    l2w_event_layout_free(&l);

    /* Data positions count head words: a dynamic type takes one (its
     * offset), a static array its whole length. */
    l2w_status st = l2w_event_layout_parse(
        &l, "  E ( (uint256, address) indexed s , bytes data,uint8[2] pair, uint after, int[] indexed xs, bool)  ",
        &err);
    CHECK_MSG(st == L2W_OK, "%s", err.msg);
    if (st == L2W_OK) {
        CHECK(strcmp(l.canonical, "E((uint256,address),bytes,uint8[2],uint256,int256[],bool)") == 0);
        CHECK(l.n_params == 6);
        CHECK(l.params[0].indexed && l.params[0].position == 1 && !l.params[0].is_static);
        CHECK(!l.params[1].indexed && l.params[1].position == 0 && !l.params[1].is_static);
        CHECK(l.params[2].position == 1 && !l.params[2].is_static);
        CHECK(l.params[3].position == 3 && l.params[3].is_static && strcmp(l.params[3].type, "uint256") == 0);
        CHECK(l.params[4].indexed && l.params[4].position == 2 && strcmp(l.params[4].type, "int256[]") == 0);
        CHECK(l.params[5].position == 4 && l.params[5].name == NULL && l.params[5].is_static);
        l2w_event_layout_free(&l);
    }

    CHECK(l2w_event_layout_parse(&l, "Ping()", &err) == L2W_OK);
    CHECK(l.n_params == 0 && l.canonical && strcmp(l.canonical, "Ping()") == 0);
    l2w_event_layout_free(&l);
}

static void expect_error(const char *sig, const char *want)
{
    l2w_event_layout l;
    l2w_err err = {{0}};
    l2w_status st = l2w_event_layout_parse(&l, sig, &err);
    CHECK_MSG(st == L2W_ERR_INVALID, "accepted: %s", sig);
    CHECK_MSG(strstr(err.msg, want) != NULL, "message \"%s\" lacks \"%s\"", err.msg, want);
    /* nothing left to free, fields unset */
    CHECK(l.n_params == 0 && l.signature == NULL && l.canonical == NULL && l.amount == -1);
    if (st == L2W_OK)
        l2w_event_layout_free(&l);
}

static void test_errors(void)
{
    expect_error("E(address indexed a, address indexed b, address indexed c, uint256 indexed d)",
                 "at most 3 parameters can be indexed");
    expect_error("E(uint7 x)", "parameter 1");
    expect_error("E(uint256 x, MyStruct s)", "parameter 2");
    expect_error("E(uint256 a, uint256 a)", "two parameters are called \"a\"");
    expect_error("E(uint256 a) anonymous", "anonymous event");
    expect_error("E(uint256 a) x", "unexpected text after ')'");
    expect_error("E(uint256 a", "expected ',' or ')'");
    expect_error("E(uint256 a,)", "expected a parameter type");
    expect_error("E(uint256 a b)", "expected ',' or ')'");
    expect_error("E(uint256 indexed indexed)", "\"indexed\" is not a parameter name");
    expect_error("E((uint256 a, address b) s)", "parameter 1");
    expect_error("E((uint256,address", "unbalanced parentheses");
    expect_error("E uint256", "expected '('");
    expect_error("(uint256 a)", "expected the event's name");
    expect_error("", "expected the event's name");
    expect_error("E(uint256 1a)", "expected ',' or ')'");
    /* the column points at the problem */
    expect_error("Released(bytes32 indexed id, address indexed a, address indexed b, uint256 indexed c)",
                 "column 68:");
    char many[1024] = "E(";
    for (int i = 0; i < L2W_MAX_EVENT_PARAMS + 1; i++)
        snprintf(many + strlen(many), sizeof many - strlen(many), "%suint256 p%d", i ? ", " : "", i);
    strcat(many, ")");
    expect_error(many, "more than 16 parameters");
    char huge[5000];
    memset(huge, 'a', sizeof huge - 1);
    huge[sizeof huge - 1] = '\0';
    expect_error(huge, "longer than");
}

/* A Released log: topics [topic0, id, token, recipient], data [amount]. */
typedef struct {
    l2w_hash topics[4];
    uint8_t data[32];
} released_log;

static void make_released(released_log *g, const l2w_event_layout *l)
{
    memset(g, 0, sizeof *g);
    g->topics[0] = l->topic0;
    memset(g->topics[1].b, 0x11, 32);
    memset(g->topics[2].b + 12, 0x22, 20);
    memset(g->topics[3].b + 12, 0x33, 20);
    g->data[31] = 0x2a;
}

static void test_event_word(void)
{
    l2w_event_layout l;
    l2w_err err = {{0}};
    if (l2w_event_layout_parse(&l, RELEASED, &err) != L2W_OK) {
        CHECK_MSG(false, "%s", err.msg);
        return;
    }
    released_log g;
    make_released(&g, &l);
    uint8_t w[32];
    CHECK(l2w_event_word(&l, 0, g.topics, 4, g.data, 32, w, &err) == L2W_OK && memcmp(w, g.topics[1].b, 32) == 0);
    CHECK(l2w_event_word(&l, 2, g.topics, 4, g.data, 32, w, &err) == L2W_OK && memcmp(w, g.topics[3].b, 32) == 0);
    CHECK(l2w_event_word(&l, 3, g.topics, 4, g.data, 32, w, &err) == L2W_OK && w[31] == 0x2a);
    /* trailing data beyond the head is allowed */
    uint8_t longer[64] = {0};
    longer[31] = 7;
    CHECK(l2w_event_word(&l, 3, g.topics, 4, longer, 64, w, &err) == L2W_OK && w[31] == 7);

    CHECK(l2w_event_word(&l, 3, g.topics, 3, g.data, 32, w, &err) == L2W_ERR_INVALID);
    CHECK_MSG(strstr(err.msg, "3 topics, expected 4") != NULL, "%s", err.msg);
    CHECK(l2w_event_word(&l, 3, g.topics, 4, g.data, 31, w, &err) == L2W_ERR_INVALID);
    CHECK_MSG(strstr(err.msg, "too short for amount") != NULL, "%s", err.msg);
    CHECK(l2w_event_word(&l, 4, g.topics, 4, g.data, 32, w, &err) == L2W_ERR_INVALID);
    CHECK(l2w_event_word(&l, -1, g.topics, 4, g.data, 32, w, &err) == L2W_ERR_INVALID);
    released_log other = g;
    other.topics[0].b[0] ^= 1;
    CHECK(l2w_event_word(&l, 1, other.topics, 4, g.data, 32, w, &err) == L2W_ERR_INVALID);
    CHECK_MSG(strstr(err.msg, "another event") != NULL, "%s", err.msg);
    /* an address with dirty upper bytes is not a log of this layout */
    other = g;
    other.topics[2].b[0] = 1;
    CHECK(l2w_event_word(&l, 1, other.topics, 4, g.data, 32, w, &err) == L2W_ERR_INVALID);
    CHECK_MSG(strstr(err.msg, "canonically padded address") != NULL, "%s", err.msg);
    l2w_event_layout_free(&l);

    /* padding rules of the other value types, and a dynamic parameter */
    CHECK(l2w_event_layout_parse(&l, "E(uint8 a, int16 b, bool c, bytes4 d, string s)", &err) == L2W_OK);
    l2w_hash t0 = l.topic0;
    uint8_t data[5 * 32] = {0};
    data[31] = 0xff;                         /* uint8 255 */
    memset(data + 32, 0xff, 32);             /* int16 -1 */
    data[95] = 1;                            /* true */
    memcpy(data + 96, "\xde\xad\xbe\xef", 4); /* bytes4 */
    for (int p = 0; p < 4; p++)
        CHECK_MSG(l2w_event_word(&l, p, &t0, 1, data, sizeof data, w, &err) == L2W_OK, "param %d: %s", p, err.msg);
    CHECK(l2w_event_word(&l, 4, &t0, 1, data, sizeof data, w, &err) == L2W_ERR_INVALID);
    CHECK_MSG(strstr(err.msg, "not a one-word value") != NULL, "%s", err.msg);
    data[30] = 1; /* uint8 with a bit above 8 */
    CHECK(l2w_event_word(&l, 0, &t0, 1, data, sizeof data, w, &err) == L2W_ERR_INVALID);
    data[32] = 0x7f; /* int16 -1 with a wrong sign extension */
    CHECK(l2w_event_word(&l, 1, &t0, 1, data, sizeof data, w, &err) == L2W_ERR_INVALID);
    data[95] = 2; /* bool 2 */
    CHECK(l2w_event_word(&l, 2, &t0, 1, data, sizeof data, w, &err) == L2W_ERR_INVALID);
    data[100] = 1; /* bytes4 with a fifth byte */
    CHECK(l2w_event_word(&l, 3, &t0, 1, data, sizeof data, w, &err) == L2W_ERR_INVALID);
    l2w_event_layout_free(&l);
}

/* ---- differential: topic0 against `cast sig-event` ---- */

static void random_declaration(char *out, size_t cap)
{
    static const char *const types[] = {
        "uint256", "uint",   "uint8",   "int",         "int64",      "address",           "bool",
        "bytes32", "bytes4", "bytes",   "string",      "uint256[]",  "address[3]",        "(uint256,address)",
        "(bool, bytes)[]",   "uint128", "bytes32[2][]", "int24",     "(address,(uint8,string))"};
    size_t n = l2w_test_rand() % 7, indexed = 0;
    snprintf(out, cap, "Ev%u(", (unsigned)(l2w_test_rand() % 1000));
    for (size_t i = 0; i < n; i++) {
        bool ix = indexed < 3 && l2w_test_rand() % 3 == 0;
        indexed += ix;
        snprintf(out + strlen(out), cap - strlen(out), "%s%s%s p%zu", i ? ", " : "",
                 types[l2w_test_rand() % (sizeof types / sizeof types[0])], ix ? " indexed" : "", i);
    }
    snprintf(out + strlen(out), cap - strlen(out), ")");
}

static void test_topic0_vs_cast(void)
{
    if (!l2w_test_cast_path()) {
        fprintf(stderr, "skipped: cast not found (run scripts/install-deps.sh)\n");
        return;
    }
    (void)l2w_test_seed();
    for (int i = 0; i < 60; i++) {
        char decl[512], args[600], want[128];
        if (i == 0)
            snprintf(decl, sizeof decl, "%s", RELEASED);
        else
            random_declaration(decl, sizeof decl);
        snprintf(args, sizeof args, "sig-event '%s'", decl);
        bool ok = l2w_test_cast_line(args, want, sizeof want);
        CHECK_MSG(ok, "cast sig-event failed on %s", decl);
        l2w_event_layout l;
        l2w_err err = {{0}};
        l2w_status st = l2w_event_layout_parse(&l, decl, &err);
        CHECK_MSG(st == L2W_OK, "%s: %s", decl, err.msg);
        if (st != L2W_OK || !ok)
            continue;
        char mine[L2W_HASH_HEX_LEN];
        l2w_hash_to_hex(mine, &l.topic0);
        CHECK_MSG(strcmp(mine, want) == 0, "%s: mine %s (%s), cast %s", decl, mine, l.canonical, want);
        l2w_event_layout_free(&l);
    }
}

int main(void)
{
    RUN(test_released);
    RUN(test_aliases_tuples_and_positions);
    RUN(test_errors);
    RUN(test_event_word);
    RUN(test_topic0_vs_cast);
    return l2w_test_finish();
}
