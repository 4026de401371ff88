/* bridges: in the config (core/config_bridges.c): every key and default of
 * an op-stack and a lock-release bridge, and one message per mistake, naming
 * the file, line and key. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/hex.h"
#include "tests/unit/harness.h"
#include "tests/unit/support/bridge_config.h"

#define A(last) "\"0x00000000000000000000000000000000000000" last "\""

static const char good[] =
    TEST_BRIDGE_CHAINS
    "signers:\n"
    "  - name: guardian\n"
    "    key_file: /etc/l2watch/guardian.key\n"
    "bridges:\n"
    "  - name: op-main\n"
    "    kind: op-stack\n"
    "    remote_chain: op\n"
    "    tokens:\n"
    "      - symbol: USDC\n"
    "        address: " A("a0") "\n"
    "        remote: " A("a1") "\n"
    "        decimals: 6\n"
    "    pause:\n"
    "      mode: on\n"
    "      signer: guardian\n"
    "  - name: ronin\n"
    "    kind: lock-release\n"
    "    chain: l1\n"
    "    remote_chain: side\n"
    "    escrow: " A("e0") "\n"
    "    release_event: \"Released(bytes32 indexed messageId, address indexed token, address indexed recipient, "
    "uint256 amount)\"\n"
    "    source_contract: " A("50") "\n"
    "    initiation_event: \"Burned(uint256 indexed nonce, address indexed token, address from, address to, uint256 "
    "value)\"\n"
    "    initiation_fields:\n"
    "      message_id: nonce\n"
    "    source_grace_seconds: 900\n"
    "    tokens:\n"
    "      - symbol: WETH\n"
    "        address: " A("c0") "\n"
    "        remote: " A("c1") "\n"
    "      - symbol: ETH\n"
    "    drawdown:\n"
    "      window_seconds: 7200\n"
    "      percent: 20\n"
    "      single_release_percent: 5\n"
    "    outflow:\n"
    "      interval_seconds: 600\n"
    "      baseline_days: 14\n"
    "      z: 6\n"
    "      warmup_intervals: 144\n"
    "    pause:\n"
    "      on: [forged_withdrawal, escrow_drawdown]\n";

static l2w_status parse(const char *text, l2w_config **cfg, l2w_err *err)
{
    return l2w_config_parse(cfg, text, strlen(text), "t.yaml", err);
}

static bool addr_is(const l2w_addr *a, uint8_t last)
{
    l2w_addr want = {{0}};
    want.b[19] = last;
    return l2w_addr_eq(a, &want);
}

static void test_op_stack_bridge(void)
{
    l2w_config *cfg = NULL;
    l2w_err err = {{0}};
    l2w_status st = parse(good, &cfg, &err);
    CHECK_MSG(st == L2W_OK, "%s", err.msg);
    if (st != L2W_OK)
        return;
    CHECK(cfg->n_bridges == 2);
    const l2w_bridge_config *b = l2w_config_bridge(cfg, "op-main");
    CHECK(b == &cfg->bridges[0]);
    if (!b) {
        l2w_config_free(cfg);
        return;
    }
    CHECK(b->kind == L2W_BRIDGE_OP_STACK);
    CHECK(strcmp(b->chain, "l1") == 0 && strcmp(b->remote_chain, "op") == 0); /* chain defaults to the L2's l1 */
    CHECK(!b->has_escrow && !b->has_source_contract && b->source_grace_s == 600);
    CHECK(b->release.n_params == 0 && b->release.amount == -1 && b->release.message_id == -1);
    CHECK(b->initiation.n_params == 0 && b->initiation.token == -1 && b->initiation.recipient == -1);
    /* USDC in the L1StandardBridge, and ETH in the portal although not listed */
    CHECK(b->n_tokens == 2);
    const l2w_bridge_token *usdc = &b->tokens[0], *eth = &b->tokens[1];
    CHECK(strcmp(usdc->symbol, "USDC") == 0 && !usdc->native && addr_is(&usdc->address, 0xa0));
    CHECK(usdc->has_remote && addr_is(&usdc->remote, 0xa1) && usdc->decimals == 6 && addr_is(&usdc->escrow, 0x03));
    CHECK(strcmp(eth->symbol, "ETH") == 0 && eth->native && !eth->has_remote && eth->decimals == 18);
    CHECK(addr_is(&eth->escrow, 0x02));
    CHECK(b->drawdown_window_s == 14400 && b->drawdown_percent == 30 && b->single_release_percent == 10);
    CHECK(b->outflow_interval_s == 3600 && b->outflow_baseline_days == 30 && b->outflow_z == 8);
    CHECK(b->outflow_warmup_intervals == 168);
    CHECK(b->pause_method == L2W_PAUSE_SUPERCHAIN && b->has_pause_contract && addr_is(&b->pause_contract, 0x04));
    CHECK(b->pause_mode == L2W_RESPONSE_ON && b->pause_signer && strcmp(b->pause_signer, "guardian") == 0);
    CHECK(b->n_pause_on == 2 && strcmp(b->pause_on[0], "forged_withdrawal") == 0);
    CHECK(b->n_pause_on == 2 && strcmp(b->pause_on[1], "supply_exceeds_escrow") == 0);
    const l2w_chain_config *op = l2w_config_chain(cfg, "op");
    CHECK(op && op->has_superchain_config && addr_is(&op->superchain_config, 0x04));
    CHECK(l2w_config_bridge(cfg, "nope") == NULL);
    l2w_config_free(cfg);
}

static void test_lock_release_bridge(void)
{
    l2w_config *cfg = NULL;
    l2w_err err = {{0}};
    l2w_status st = parse(good, &cfg, &err);
    CHECK_MSG(st == L2W_OK, "%s", err.msg);
    if (st != L2W_OK)
        return;
    const l2w_bridge_config *b = l2w_config_bridge(cfg, "ronin");
    CHECK(b != NULL);
    if (!b) {
        l2w_config_free(cfg);
        return;
    }
    CHECK(b->kind == L2W_BRIDGE_LOCK_RELEASE && strcmp(b->chain, "l1") == 0 && strcmp(b->remote_chain, "side") == 0);
    CHECK(b->has_escrow && addr_is(&b->escrow, 0xe0) && b->has_source_contract && addr_is(&b->source_contract, 0x50));
    CHECK(b->source_grace_s == 900);
    const l2w_event_layout *r = &b->release;
    CHECK(strcmp(r->canonical, "Released(bytes32,address,address,uint256)") == 0);
    CHECK(strstr(r->signature, "indexed messageId") != NULL);
    /* every field by its default name */
    CHECK(r->message_id == 0 && r->token == 1 && r->recipient == 2 && r->amount == 3);
    const l2w_event_layout *in = &b->initiation;
    CHECK(strcmp(in->canonical, "Burned(uint256,address,address,address,uint256)") == 0);
    /* message_id named in initiation_fields; recipient is "to" and amount is
     * "value" by default, the first names tried ("recipient", "amount")
     * being absent */
    CHECK(in->message_id == 0 && in->token == 1 && in->recipient == 3 && in->amount == 4);
    CHECK(in->params[4].position == 2 && !in->params[4].indexed);
    CHECK(b->n_tokens == 2);
    CHECK(strcmp(b->tokens[0].symbol, "WETH") == 0 && !b->tokens[0].native && b->tokens[0].decimals == 18);
    CHECK(addr_is(&b->tokens[0].escrow, 0xe0) && b->tokens[0].has_remote && addr_is(&b->tokens[0].remote, 0xc1));
    CHECK(b->tokens[1].native && addr_is(&b->tokens[1].escrow, 0xe0) && !b->tokens[1].has_remote);
    CHECK(b->drawdown_window_s == 7200 && b->drawdown_percent == 20 && b->single_release_percent == 5);
    CHECK(b->outflow_interval_s == 600 && b->outflow_baseline_days == 14 && b->outflow_z == 6);
    CHECK(b->outflow_warmup_intervals == 144);
    /* pause defaults of a lock-release bridge: pause() on the escrow, dry run */
    CHECK(b->pause_method == L2W_PAUSE_PAUSABLE && b->has_pause_contract && addr_is(&b->pause_contract, 0xe0));
    CHECK(b->pause_mode == L2W_RESPONSE_DRY_RUN && b->pause_signer == NULL);
    CHECK(b->n_pause_on == 2 && strcmp(b->pause_on[1], "escrow_drawdown") == 0);
    l2w_config_free(cfg);
}

/* A config without bridges has none, and the presets carry the Superchain's
 * pause switch. */
static void test_presets_and_no_bridges(void)
{
    static const char text[] =
        "database:\n  url: postgresql://u@h/d\n"
        "chains:\n"
        "  - name: eth\n    preset: ethereum\n    rpc: [\"http://a\"]\n"
        "  - name: base\n    preset: base\n    l1: eth\n    rpc: [\"http://b\"]\n"
        "  - name: op\n    preset: op-mainnet\n    l1: eth\n    rpc: [\"http://c\"]\n"
        "  - name: zora\n    preset: zora\n    l1: eth\n    rpc: [\"http://d\"]\n";
    l2w_config *cfg = NULL;
    l2w_err err = {{0}};
    l2w_status st = parse(text, &cfg, &err);
    CHECK_MSG(st == L2W_OK, "%s", err.msg);
    if (st != L2W_OK)
        return;
    CHECK(cfg->n_bridges == 0);
    l2w_addr want;
    CHECK(l2w_addr_from_hex(&want, "0x95703e0982140D16f8ebA6d158FccEde42f04a4C") == L2W_OK);
    static const char *const l2s[] = {"base", "op", "zora"};
    for (size_t i = 0; i < 3; i++) {
        const l2w_chain_config *ch = l2w_config_chain(cfg, l2s[i]);
        CHECK_MSG(ch && ch->has_superchain_config && l2w_addr_eq(&ch->superchain_config, &want), "%s", l2s[i]);
    }
    CHECK(!l2w_config_chain(cfg, "eth")->has_superchain_config);
    l2w_config_free(cfg);

    /* an op-stack bridge on a preset chain needs nothing but its name */
    char with[2048];
    snprintf(with, sizeof with,
             "%sbridges:\n  - name: base-bridge\n    kind: op-stack\n    remote_chain: base\n", text);
    st = parse(with, &cfg, &err);
    CHECK_MSG(st == L2W_OK, "%s", err.msg);
    if (st != L2W_OK)
        return;
    const l2w_bridge_config *b = l2w_config_bridge(cfg, "base-bridge");
    CHECK(b && strcmp(b->chain, "eth") == 0 && b->n_tokens == 1 && b->tokens[0].native);
    CHECK(b && b->pause_mode == L2W_RESPONSE_DRY_RUN && l2w_addr_eq(&b->pause_contract, &want));
    CHECK(l2w_addr_from_hex(&want, "0x49048044D57e1C92A77f79988d21Fa8fAF74E97e") == L2W_OK);
    CHECK(b && l2w_addr_eq(&b->tokens[0].escrow, &want));
    l2w_config_free(cfg);
}

static int line_of(const char *text, const char *at)
{
    int line = 1;
    for (const char *p = text; p < at; p++)
        line += *p == '\n';
    return line;
}

/* Replaces the first occurrence of from with to and expects an error whose
 * message holds want; with at_from, also the line where from stood. */
static void expect_error_at(const char *from, const char *to, const char *want, bool at_from)
{
    static char text[16384];
    const char *at = strstr(good, from);
    CHECK_MSG(at != NULL, "fixture lacks %s", from);
    if (!at)
        return;
    snprintf(text, sizeof text, "%.*s%s%s", (int)(at - good), good, to, at + strlen(from));
    l2w_config *cfg = NULL;
    l2w_err err = {{0}};
    l2w_status st = parse(text, &cfg, &err);
    CHECK_MSG(st == L2W_ERR_CONFIG, "replacing '%s' was accepted", from);
    CHECK_MSG(strstr(err.msg, want) != NULL, "message \"%s\" lacks \"%s\"", err.msg, want);
    CHECK_MSG(strchr(err.msg, '\n') == NULL, "message is not one line: %s", err.msg);
    if (at_from) {
        char where[32];
        snprintf(where, sizeof where, "t.yaml:%d: ", line_of(good, at));
        CHECK_MSG(strncmp(err.msg, where, strlen(where)) == 0, "message \"%s\" is not at %s", err.msg, where);
    }
    CHECK(cfg == NULL);
}

static void expect_error(const char *from, const char *to, const char *want)
{
    expect_error_at(from, to, want, false);
}

#define RELEASED_PREFIX "Released(bytes32 indexed messageId, address indexed token, address indexed recipient, "

static void test_kind_and_chain_errors(void)
{
    expect_error_at("kind: lock-release", "kind: bridge", "bridges[1].kind: expected op-stack or lock-release",
                    true);
    expect_error("    kind: lock-release\n", "", "bridges[1].kind: required key is missing");
    expect_error_at("remote_chain: side", "remote_chain: mars",
                    "bridges[1].remote_chain: chain \"mars\" is not defined in chains", true);
    expect_error("    optimism_portal: " A("02") "\n", "",
                 "bridges[0].remote_chain: chain \"op\" has no optimism_portal");
    expect_error("    l1_standard_bridge: " A("03") "\n", "", "chain \"op\" has no l1_standard_bridge");
    expect_error("remote_chain: op", "remote_chain: l1", "an op-stack bridge's remote_chain is its OP Stack L2");
    expect_error("    remote_chain: op\n", "    remote_chain: op\n    chain: side\n",
                 "bridges[0].chain: an op-stack bridge's escrow is on its L2's l1 \"l1\", not on \"side\"");
    expect_error("    remote_chain: op\n", "    remote_chain: op\n    escrow: " A("e1") "\n",
                 "bridges[0].escrow: only a lock-release bridge takes this key");
    expect_error("    remote_chain: op\n", "    remote_chain: op\n    source_grace_seconds: 10\n",
                 "bridges[0].source_grace_seconds: only a lock-release bridge");
    expect_error("    chain: l1\n", "", "bridges[1].chain: required key is missing (the chain the escrow is on)");
    expect_error("    chain: l1\n", "    chain: moon\n", "bridges[1].chain: chain \"moon\" is not defined");
    expect_error("remote_chain: side", "remote_chain: l1", "bridges[1].remote_chain: must be another chain");
    expect_error_at("  - name: ronin", "  - name: op-main", "bridges[1].name: duplicate bridge name \"op-main\"",
                    true);
    expect_error("  - name: ronin", "  - name: Ronin", "bridges[1].name: expected 1-32 characters");
    expect_error("    escrow: " A("e0") "\n", "", "bridges[1].escrow: required key is missing for a lock-release");
    expect_error("    source_contract: " A("50") "\n", "", "bridges[1].source_contract: required key is missing");
    expect_error("    escrow: " A("e0") "\n", "    escrow: 0x12\n", "bridges[1].escrow: expected a 0x-prefixed");
    expect_error("    escrow: " A("e0") "\n", "    escrow: " A("e0") "\n    escrov: 1\n",
                 "bridges[1].escrov: unknown key");
    static char text[16384];
    snprintf(text, sizeof text, "%.*sbridges: 5\n", (int)(strstr(good, "bridges:") - good), good);
    l2w_config *cfg = NULL;
    l2w_err err = {{0}};
    CHECK(parse(text, &cfg, &err) == L2W_ERR_CONFIG && cfg == NULL);
    CHECK_MSG(strstr(err.msg, ": bridges: expected a list") != NULL, "%s", err.msg);

    size_t n = (size_t)(strstr(good, "bridges:") - good);
    snprintf(text, sizeof text, "%.*sbridges:\n  - op-main\n", (int)n, good);
    CHECK(parse(text, &cfg, &err) == L2W_ERR_CONFIG);
    CHECK_MSG(strstr(err.msg, "bridges[0].: expected a mapping") != NULL, "%s", err.msg);
    snprintf(text, sizeof text, "%.*sbridges:\n", (int)n, good);
    for (int i = 0; i < L2W_MAX_BRIDGES + 1; i++)
        snprintf(text + strlen(text), sizeof text - strlen(text),
                 "  - name: b%d\n    kind: op-stack\n    remote_chain: op\n", i);
    CHECK(parse(text, &cfg, &err) == L2W_ERR_CONFIG);
    CHECK_MSG(strstr(err.msg, "bridges: at most 16 bridges") != NULL, "%s", err.msg);
    /* sixteen are fine */
    *strstr(text, "  - name: b16\n") = '\0';
    l2w_status st = parse(text, &cfg, &err);
    CHECK_MSG(st == L2W_OK && cfg->n_bridges == 16, "%s", err.msg);
    l2w_config_free(cfg);
}

static void test_event_errors(void)
{
    expect_error("uint256 amount)", "uint256 sum)",
                 "bridges[1].release_event: no parameter is the amount (none is called amount or value; name it "
                 "with release_fields.amount)");
    expect_error("uint256 amount)", "address amount)",
                 "bridges[1].release_event: parameter \"amount\" (the amount) has type address, expected uintN");
    expect_error("bytes32 indexed messageId", "string indexed messageId",
                 "bridges[1].release_event: parameter \"messageId\" (the message_id) has type string: only a "
                 "one-word value");
    expect_error("bytes32 indexed messageId", "address indexed messageId",
                 "(the message_id) has type address, expected bytes32 or uintN");
    expect_error("bytes32 indexed messageId", "bytes32 indexed mid",
                 "bridges[1].release_event: no parameter is the message_id");
    expect_error("uint256 amount)", "uint256 indexed amount)",
                 "bridges[1].release_event: column 87: at most 3 parameters can be indexed");
    expect_error("address indexed recipient, uint256 amount", "bytes32 recipient, uint256 amount",
                 "parameter \"recipient\" (the recipient) has type bytes32, expected address");
    expect_error("Burned(uint256", "Burned(uint7", "bridges[1].initiation_event: column 8: parameter 1");
    expect_error("      message_id: nonce\n", "      message_id: nonc\n",
                 "bridges[1].initiation_fields.message_id: Burned(uint256,address,address,address,uint256) has no "
                 "parameter called \"nonc\"");
    /* a field named explicitly is checked under its own key, on its line */
    expect_error_at("      message_id: nonce\n", "      message_id: nonce\n      amount: from\n",
                    "bridges[1].initiation_fields.amount: parameter \"from\" (the amount) has type address", false);
    expect_error("      message_id: nonce\n", "      message_id: nonce\n      token: to\n",
                 "parameter \"to\" cannot be both the token and the recipient");
    expect_error("      message_id: nonce\n", "      message_id: nonce\n      sender: from\n",
                 "bridges[1].initiation_fields.sender: unknown key");
    expect_error("    initiation_fields:\n      message_id: nonce\n", "",
                 "bridges[1].initiation_event: no parameter is the message_id");
    expect_error("uint256 amount)\"", "uint256 amount) anonymous\"",
                 "bridges[1].release_event: column 103: an anonymous event");
}

static void test_token_errors(void)
{
    expect_error("      - symbol: WETH\n", "      - symbl: WETH\n", "bridges[1].tokens[0].symbl: unknown key");
    expect_error("      - symbol: ETH\n", "      - symbol: WETH\n", "bridges[1].tokens[1].: duplicate symbol \"WETH\"");
    expect_error("      - symbol: ETH\n", "      - symbol: ETH\n      - symbol: ETH2\n",
                 "bridges[1].tokens[2].: a second native coin");
    expect_error("      - symbol: ETH\n", "      - symbol: W2\n        address: " A("c0") "\n",
                 "bridges[1].tokens[1].: address: the same token as tokens[0]");
    expect_error("      - symbol: ETH\n", "      - symbol: \"E T H\"\n",
                 "bridges[1].tokens[1].: symbol: expected 1-32 printable characters");
    expect_error("        decimals: 6\n", "        decimals: 78\n",
                 "bridges[0].tokens[0].decimals: expected an integer from 0 to 77");
    expect_error("        decimals: 6\n", "        decimals: 6\n      - symbol: ETH\n        remote: " A("99") "\n",
                 "bridges[0].tokens[1].: remote: ETH on an OP Stack L2 is the chain's coin");
    expect_error("    tokens:\n      - symbol: WETH\n        address: " A("c0") "\n        remote: " A("c1")
                 "\n      - symbol: ETH\n",
                 "", "bridges[1].tokens: a lock-release bridge needs at least one token");

    /* 17 tokens on a lock-release bridge; 16 ERC-20s on an op-stack one
     * leave no room for ETH */
    char many[4096] = "    tokens:\n";
    for (int i = 0; i < 17; i++)
        snprintf(many + strlen(many), sizeof many - strlen(many),
                 "      - symbol: T%d\n        address: \"0x00000000000000000000000000000000000001%02x\"\n", i, i);
    expect_error("    tokens:\n      - symbol: WETH\n        address: " A("c0") "\n        remote: " A("c1")
                 "\n      - symbol: ETH\n",
                 many, "bridges[1].tokens: at most 16 tokens");
    char sixteen[4096];
    snprintf(sixteen, sizeof sixteen, "%s", many);
    *strstr(sixteen, "      - symbol: T16") = '\0';
    expect_error("    tokens:\n      - symbol: USDC\n        address: " A("a0") "\n        remote: " A("a1")
                 "\n        decimals: 6\n",
                 sixteen, "bridges[0].tokens: at most 15 tokens besides ETH on an op-stack bridge");
}

static void test_threshold_errors(void)
{
    expect_error_at("percent: 20", "percent: 0", "bridges[1].drawdown.percent: expected an integer from 1 to 100",
                    true);
    expect_error("percent: 20", "percent: 101", "bridges[1].drawdown.percent: expected an integer from 1 to 100");
    expect_error("single_release_percent: 5", "single_release_percent: 0", "drawdown.single_release_percent");
    expect_error("window_seconds: 7200", "window_seconds: 59", "bridges[1].drawdown.window_seconds");
    expect_error("interval_seconds: 600", "interval_seconds: 86401", "bridges[1].outflow.interval_seconds");
    expect_error("baseline_days: 14", "baseline_days: 0", "bridges[1].outflow.baseline_days");
    expect_error("z: 6", "z: 0", "bridges[1].outflow.z: expected an integer from 1 to 1000");
    expect_error_at("warmup_intervals: 144", "warmup_intervals: 100000",
                    "bridges[1].outflow.warmup_intervals: 100000 is more than the 2016 intervals of the baseline",
                    true);
    expect_error("source_grace_seconds: 900", "source_grace_seconds: 604801", "bridges[1].source_grace_seconds");
    expect_error("    drawdown:\n      window_seconds: 7200\n      percent: 20\n      single_release_percent: 5\n",
                 "    drawdown: 5\n", "bridges[1].drawdown: expected a mapping");
    expect_error("      percent: 20\n", "      percent: 20\n      pct: 1\n", "bridges[1].drawdown.pct: unknown key");
}

static void test_pause_errors(void)
{
    expect_error_at("      signer: guardian\n", "", "bridges[0].pause.signer: mode on needs signer", false);
    expect_error_at("signer: guardian", "signer: ghost",
                    "bridges[0].pause.signer: signer \"ghost\" is not defined in signers", true);
    expect_error_at("on: [forged_withdrawal, escrow_drawdown]", "on: [forged_withdrawal, whale]",
                    "bridges[1].pause.on[1]: expected forged_withdrawal, supply_exceeds_escrow, escrow_drawdown or "
                    "outflow_anomaly, got \"whale\"",
                    true);
    expect_error("on: [forged_withdrawal, escrow_drawdown]", "on: [escrow_drawdown, escrow_drawdown]",
                 "bridges[1].pause.on[1]: escrow_drawdown is listed twice");
    expect_error("on: [forged_withdrawal, escrow_drawdown]", "on: forged_withdrawal",
                 "bridges[1].pause.on: expected a list of finding kinds");
    expect_error("      mode: on\n", "      mode: on\n      method: switch\n",
                 "bridges[0].pause.method: expected superchain, pausable or none");
    expect_error("      mode: on\n", "      mode: on\n      method: none\n",
                 "bridges[0].pause.mode: method none cannot pause: mode must be off");
    expect_error("      mode: on\n", "      mode: sometimes\n", "bridges[0].pause.mode: expected off, dry-run or on");
    expect_error("      on: [forged", "      method: none\n      contract: " A("77") "\n      on: [forged",
                 "bridges[1].pause.contract: method none pauses nothing");
    expect_error("    superchain_config: " A("04") "\n", "",
                 "bridges[0].pause.contract: required key is missing: chain \"op\" has no superchain_config");
    expect_error("      mode: on\n", "      mode: on\n      method: pausable\n",
                 "bridges[0].pause.contract: required key is missing for method pausable on a op-stack bridge");
    expect_error("      mode: on\n", "      mode: on\n      when: now\n", "bridges[0].pause.when: unknown key");
}

/* What the messages above leave out: combinations that are fine. */
static void test_pause_variants(void)
{
    static char text[16384];
    /* dry-run without a signer, method none (mode off), a named contract */
    const char *at = strstr(good, "    pause:\n      mode: on\n      signer: guardian\n");
    snprintf(text, sizeof text, "%.*s    pause:\n      method: none\n%s", (int)(at - good), good,
             at + strlen("    pause:\n      mode: on\n      signer: guardian\n"));
    l2w_config *cfg = NULL;
    l2w_err err = {{0}};
    l2w_status st = parse(text, &cfg, &err);
    CHECK_MSG(st == L2W_OK, "%s", err.msg);
    if (st == L2W_OK) {
        const l2w_bridge_config *b = l2w_config_bridge(cfg, "op-main");
        CHECK(b->pause_method == L2W_PAUSE_NONE && b->pause_mode == L2W_RESPONSE_OFF && !b->has_pause_contract);
        l2w_config_free(cfg);
    }
    snprintf(text, sizeof text, "%.*s    pause:\n      contract: " A("88") "\n      on: []\n%s", (int)(at - good),
             good, at + strlen("    pause:\n      mode: on\n      signer: guardian\n"));
    st = parse(text, &cfg, &err);
    CHECK_MSG(st == L2W_OK, "%s", err.msg);
    if (st == L2W_OK) {
        const l2w_bridge_config *b = l2w_config_bridge(cfg, "op-main");
        CHECK(b->pause_method == L2W_PAUSE_SUPERCHAIN && addr_is(&b->pause_contract, 0x88));
        CHECK(b->pause_mode == L2W_RESPONSE_DRY_RUN && !b->pause_signer && b->n_pause_on == 0);
        l2w_config_free(cfg);
    }
    /* mode off needs no contract even where none can be found */
    const char *sc = strstr(good, "    superchain_config: ");
    snprintf(text, sizeof text, "%.*s%s", (int)(sc - good), good, strchr(sc, '\n') + 1);
    char *mode = strstr(text, "      mode: on\n      signer: guardian\n");
    memcpy(mode, "      mode: off\n", strlen("      mode: off\n"));
    memmove(mode + strlen("      mode: off\n"), mode + strlen("      mode: on\n      signer: guardian\n"),
            strlen(mode + strlen("      mode: on\n      signer: guardian\n")) + 1);
    st = parse(text, &cfg, &err);
    CHECK_MSG(st == L2W_OK, "%s", err.msg);
    if (st == L2W_OK) {
        const l2w_bridge_config *b = l2w_config_bridge(cfg, "op-main");
        CHECK(b->pause_mode == L2W_RESPONSE_OFF && !b->has_pause_contract);
        l2w_config_free(cfg);
    }
}

int main(void)
{
    RUN(test_op_stack_bridge);
    RUN(test_lock_release_bridge);
    RUN(test_presets_and_no_bridges);
    RUN(test_kind_and_chain_errors);
    RUN(test_event_errors);
    RUN(test_token_errors);
    RUN(test_threshold_errors);
    RUN(test_pause_errors);
    RUN(test_pause_variants);
    return l2w_test_finish();
}
