#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/hex.h"
#include "tests/unit/harness.h"

static const char good[] =
    "# comment\n"
    "log_level: debug\n"
    "database:\n"
    "  url: postgresql://u@127.0.0.1:5432/l2watch\n"
    "web:\n"
    "  listen: 127.0.0.1:0\n"
    "alerts:\n"
    "  webhooks:\n"
    "    - name: ops\n"
    "      url: http://127.0.0.1:9999/hook\n"
    "chains:\n"
    "  - name: l1\n"
    "    role: l1\n"
    "    chain_id: 900\n"
    "    rpc: [\"http://127.0.0.1:8545\", \"${L2W_TEST_RPC}\"]\n"
    "    confirmations: 3\n"
    "    start_block: 7\n"
    "  - name: op-local\n"
    "    role: l2\n"
    "    chain_id: 901\n"
    "    l1: l1\n"
    "    rpc: [\"http://127.0.0.1:9545\"]\n"
    "    l2_output_oracle: \"0x00000000000000000000000000000000000000Aa\"\n";

static l2w_status parse(const char *text, l2w_config **cfg, l2w_err *err)
{
    return l2w_config_parse(cfg, text, strlen(text), "t.yaml", err);
}

static void test_good_config(void)
{
    setenv("L2W_TEST_RPC", "https://backup.example/key", 1);
    l2w_config *cfg = NULL;
    l2w_err err = {{0}};
    l2w_status st = parse(good, &cfg, &err);
    CHECK_MSG(st == L2W_OK, "%s", err.msg);
    if (st != L2W_OK)
        return;
    CHECK(cfg->log_level == L2W_LOG_DEBUG);
    CHECK(strcmp(cfg->database_url, "postgresql://u@127.0.0.1:5432/l2watch") == 0);
    CHECK(strcmp(cfg->web_listen_host, "127.0.0.1") == 0 && cfg->web_listen_port == 0);
    CHECK(cfg->n_sinks == 1 && cfg->sinks[0].timeout_ms == 10000 && cfg->sinks[0].kind == L2W_SINK_WEBHOOK);
    CHECK(cfg->n_chains == 2);
    const l2w_chain_config *l1 = l2w_config_chain(cfg, "l1");
    CHECK(l1 && l1->role == L2W_CHAIN_L1 && l1->chain_id == 900 && l1->confirmations == 3);
    CHECK(l1 && l1->has_start_block && l1->start_block == 7);
    CHECK(l1 && l1->n_rpc_urls == 2 && strcmp(l1->rpc_urls[1], "https://backup.example/key") == 0);
    const l2w_chain_config *l2 = l2w_config_chain(cfg, "op-local");
    CHECK(l2 && l2->role == L2W_CHAIN_L2 && l2->has_l2_output_oracle && l2->l2_output_oracle.b[19] == 0xaa);
    CHECK(l2 && !l2->has_start_block && l2->poll_interval_ms == 1000);
    l2w_config_free(cfg);
}

/* Replaces the first occurrence of from with to in good and expects an error
 * that names line and key. */
static void expect_error(const char *from, const char *to, const char *want_in_msg)
{
    char text[4096];
    const char *at = strstr(good, from);
    CHECK_MSG(at != NULL, "fixture lacks %s", from);
    if (!at)
        return;
    snprintf(text, sizeof text, "%.*s%s%s", (int)(at - good), good, to, at + strlen(from));
    l2w_config *cfg = NULL;
    l2w_err err = {{0}};
    l2w_status st = parse(text, &cfg, &err);
    CHECK_MSG(st == L2W_ERR_CONFIG, "replacing '%s' was accepted", from);
    CHECK_MSG(strstr(err.msg, want_in_msg) != NULL, "message \"%s\" lacks \"%s\"", err.msg, want_in_msg);
    CHECK_MSG(strchr(err.msg, '\n') == NULL, "message is not one line: %s", err.msg);
    CHECK(cfg == NULL);
}

static void test_errors_name_line_and_key(void)
{
    setenv("L2W_TEST_RPC", "https://backup.example/key", 1);
    expect_error("chain_id: 900", "chain_id: nine", "t.yaml:14: chains[0].chain_id: expected an integer");
    expect_error("chain_id: 900", "chain_id: 0", "chains[0].chain_id");
    expect_error("confirmations: 3", "confirmations: 3\n    confirmation: 4", "t.yaml:17: chains[0].confirmation: unknown key");
    expect_error("role: l1", "role: l3", "chains[0].role: expected l1 or l2");
    expect_error("\"0x00000000000000000000000000000000000000Aa\"", "\"0x1234\"", "t.yaml:23: chains[1].l2_output_oracle");
    expect_error("l1: l1\n", "l1: nowhere\n", "\"nowhere\" is not an l1 chain");
    expect_error("    l2_output_oracle:", "    x_output_oracle:", "unknown key");
    expect_error("http://127.0.0.1:9999/hook", "ftp://x", "alerts.webhooks[0].url: expected an http");
    expect_error("${L2W_TEST_RPC}", "${L2W_NOT_SET_ANYWHERE}", "environment variable L2W_NOT_SET_ANYWHERE is not set");
    expect_error("listen: 127.0.0.1:0", "listen: 127.0.0.1:99999", "web.listen");
    expect_error("log_level: debug", "log_level: loud", "t.yaml:2: log_level");
    expect_error("  - name: op-local", "  - name: l1", "duplicate chain name");
    expect_error("database:\n  url: postgresql://u@127.0.0.1:5432/l2watch\n", "", "database.url: required key is missing");
    expect_error("log_level: debug", "log_level: debug\nlog_level: info", "t.yaml:3: duplicate key");
    expect_error("log_level: debug", "log_level: [unclosed", "YAML syntax error");
    expect_error("log_level: debug", "x: &a 1\ny: *a", "anchors");
}

static const char responder_part[] =
    "signers:\n"
    "  - name: challenger\n"
    "    key_file: /etc/l2watch/challenger.key\n"
    "  - name: guardian\n"
    "    remote_url: http://127.0.0.1:9000\n"
    "    address: \"0x00000000000000000000000000000000000000Bb\"\n"
    "responses:\n"
    "  default_mode: off\n"
    "  rules:\n"
    "    - kind: invalid_output_root\n"
    "      mode: on\n"
    "      signer: challenger\n"
    "    - kind: invalid_output_root\n"
    "      chain: op-local\n"
    "      mode: dry-run\n";

static l2w_status parse_with_responder(const char *part, const char *l1_txmgr, l2w_config **cfg, l2w_err *err)
{
    char text[8192];
    const char *cut = strstr(good, "    confirmations: 3\n");
    snprintf(text, sizeof text, "%.*s%s%s%s", (int)(cut - good), good, l1_txmgr, cut, part);
    return parse(text, cfg, err);
}

static void test_responder_sections(void)
{
    setenv("L2W_TEST_RPC", "https://backup.example/key", 1);
    l2w_config *cfg = NULL;
    l2w_err err = {{0}};
    l2w_status st = parse_with_responder(responder_part, "    txmgr:\n      fee_cap_gwei: 50\n      confirmations: 5\n",
                                         &cfg, &err);
    CHECK_MSG(st == L2W_OK, "%s", err.msg);
    if (st != L2W_OK)
        return;
    CHECK(cfg->n_signers == 2 && cfg->default_response_mode == L2W_RESPONSE_OFF);
    const l2w_signer_config *ch = l2w_config_signer(cfg, "challenger");
    CHECK(ch && ch->source == L2W_SIGNER_KEY_FILE && strcmp(ch->key_file, "/etc/l2watch/challenger.key") == 0);
    const l2w_signer_config *g = l2w_config_signer(cfg, "guardian");
    CHECK(g && g->source == L2W_SIGNER_REMOTE && g->has_address && g->address.b[19] == 0xbb);
    /* A chain-specific rule wins over the rule for every chain. */
    const l2w_response_rule *r = l2w_config_response_rule(cfg, "invalid_output_root", "op-local");
    CHECK(r && r->mode == L2W_RESPONSE_DRY_RUN && r->chain);
    r = l2w_config_response_rule(cfg, "invalid_output_root", "other");
    CHECK(r && r->mode == L2W_RESPONSE_ON && strcmp(r->signer, "challenger") == 0);
    CHECK(l2w_config_response_rule(cfg, "stale_channel_close", "op-local") == NULL);
    const l2w_chain_config *l1 = l2w_config_chain(cfg, "l1");
    CHECK(l1 && l1->txmgr.fee_cap_gwei == 50 && l1->txmgr.confirmations == 5);
    CHECK(l1 && l1->txmgr.resubmit_after_ms == 24000 && l1->txmgr.gas_margin_percent == 25);
    l2w_config_free(cfg);

    /* Without a responses section every response is a dry run. */
    CHECK(parse(good, &cfg, &err) == L2W_OK);
    CHECK(cfg && cfg->default_response_mode == L2W_RESPONSE_DRY_RUN && cfg->n_signers == 0);
    l2w_config_free(cfg);
}

static void expect_responder_error(const char *part, const char *txmgr, const char *want)
{
    l2w_config *cfg = NULL;
    l2w_err err = {{0}};
    l2w_status st = parse_with_responder(part, txmgr, &cfg, &err);
    CHECK_MSG(st == L2W_ERR_CONFIG, "accepted: %s", part);
    CHECK_MSG(strstr(err.msg, want) != NULL, "message \"%s\" lacks \"%s\"", err.msg, want);
    CHECK(cfg == NULL);
}

static void test_responder_errors(void)
{
    setenv("L2W_TEST_RPC", "https://backup.example/key", 1);
    expect_responder_error("signers:\n  - name: a\n", "", "signers[0].: give exactly one of key_file");
    expect_responder_error("signers:\n  - name: a\n    key_file: /k\n    key_env: K\n", "", "exactly one");
    expect_responder_error("signers:\n  - name: a\n    remote_url: http://x\n", "", "needs address");
    expect_responder_error("signers:\n  - name: a\n    key_file: /k\n  - name: a\n    key_file: /j\n", "",
                           "duplicate signer name");
    expect_responder_error("responses:\n  rules:\n    - kind: invalid_output_root\n      mode: on\n", "",
                           "responses.rules[0].: mode on needs signer");
    expect_responder_error("responses:\n  rules:\n    - kind: k\n      mode: maybe\n", "",
                           "responses.rules[0].mode: expected off, dry-run or on");
    expect_responder_error("responses:\n  rules:\n    - kind: k\n      mode: on\n      signer: ghost\n", "",
                           "signer \"ghost\" is not defined");
    expect_responder_error("responses:\n  rules:\n    - kind: k\n      chain: mars\n      mode: off\n", "",
                           "chain \"mars\" is not defined");
    expect_responder_error("responses:\n  default_mode: sometimes\n", "", "responses.default_mode");
    expect_responder_error("responses:\n  default_mode: on\n", "", "responses.default_mode: on needs a signer");
    expect_responder_error("", "    txmgr:\n      fee_cap: 5\n", "chains[0].txmgr.fee_cap: unknown key");
    expect_responder_error("", "    txmgr:\n      confirmations: -1\n", "chains[0].txmgr.confirmations");
    expect_responder_error("", "    txmgr: 5\n", "chains[0].txmgr: expected a mapping");
}

static void test_presets(void)
{
    static const char text[] =
        "database:\n  url: postgresql://u@h/d\n"
        "chains:\n"
        "  - name: eth\n    preset: ethereum\n    rpc: [\"http://a\"]\n"
        "  - name: base\n    preset: base\n    l1: eth\n    rpc: [\"http://b\"]\n"
        "  - name: zora\n    preset: zora\n    l1: eth\n    rpc: [\"http://c\"]\n"
        "    l2_output_oracle: \"0x00000000000000000000000000000000000000Cc\"\n";
    l2w_config *cfg = NULL;
    l2w_err err = {{0}};
    l2w_status st = parse(text, &cfg, &err);
    CHECK_MSG(st == L2W_OK, "%s", err.msg);
    if (st != L2W_OK)
        return;
    const l2w_chain_config *eth = l2w_config_chain(cfg, "eth");
    CHECK(eth && eth->role == L2W_CHAIN_L1 && eth->chain_id == 1);
    const l2w_chain_config *base = l2w_config_chain(cfg, "base");
    l2w_addr want;
    CHECK(l2w_addr_from_hex(&want, "0x56315b90c40730925ec5485cf004d835058518A0") == L2W_OK);
    CHECK(base && base->role == L2W_CHAIN_L2 && base->chain_id == 8453 && l2w_addr_eq(&base->l2_output_oracle, &want));
    CHECK(l2w_addr_from_hex(&want, "0x49048044D57e1C92A77f79988d21Fa8fAF74E97e") == L2W_OK);
    CHECK(base && base->has_optimism_portal && l2w_addr_eq(&base->optimism_portal, &want));
    CHECK(base && base->has_dispute_game_factory);
    /* A key the file gives wins over the preset's. */
    const l2w_chain_config *zora = l2w_config_chain(cfg, "zora");
    CHECK(zora && zora->chain_id == 7777777 && zora->l2_output_oracle.b[19] == 0xcc);
    CHECK(zora && !zora->has_dispute_game_factory);
    l2w_config_free(cfg);
}

static void test_preset_errors(void)
{
    setenv("L2W_TEST_RPC", "https://backup.example/key", 1);
    expect_error("    role: l1\n    chain_id: 900\n", "    preset: mars\n", "chains[0].preset: unknown preset \"mars\"");
    expect_error("    role: l1\n    chain_id: 900\n", "    role: l1\n    preset: base\n", "preset base is an l2 chain");
    expect_error("    role: l1\n    chain_id: 900\n", "    preset: ethereum\n    chain_id: 900\n",
                 "preset ethereum has chain id 1, but chain_id says 900");
    expect_error("    role: l1\n    chain_id: 900\n", "    role: l1\n", "chains[0].chain_id: required key is missing");
}

static void test_missing_file(void)
{
    l2w_config *cfg = NULL;
    l2w_err err = {{0}};
    CHECK(l2w_config_load(&cfg, "/nonexistent/l2watch.yaml", &err) == L2W_ERR_CONFIG);
    CHECK(strstr(err.msg, "/nonexistent/l2watch.yaml: cannot open config") != NULL);
}

static void test_example_configs_parse(void)
{
    /* The shipped example for a real network must stay valid. */
    setenv("L2WATCH_DATABASE_URL", "postgresql://x@localhost/l2watch", 1);
    setenv("L2WATCH_WEBHOOK_URL", "https://hooks.example/x", 1);
    setenv("ETH_RPC_URL", "https://eth.example", 1);
    setenv("ETH_RPC_URL_BACKUP", "https://eth2.example", 1);
    setenv("OP_RPC_URL", "https://op.example", 1);
    char path[4096];
    snprintf(path, sizeof path, "%s/config/op-mainnet.yaml", getenv("L2W_SOURCE_DIR") ? getenv("L2W_SOURCE_DIR") : ".");
    l2w_config *cfg = NULL;
    l2w_err err = {{0}};
    l2w_status st = l2w_config_load(&cfg, path, &err);
    CHECK_MSG(st == L2W_OK, "%s", err.msg);
    if (st == L2W_OK) {
        const l2w_chain_config *op = l2w_config_chain(cfg, "op-mainnet");
        l2w_addr want;
        CHECK(l2w_addr_from_hex(&want, "0xdfe97868233d1aa22e815a266982f2cf17685a27") == L2W_OK);
        CHECK(op && op->chain_id == 10 && l2w_addr_eq(&op->l2_output_oracle, &want));
    }
    l2w_config_free(cfg);
}

int main(void)
{
    RUN(test_good_config);
    RUN(test_errors_name_line_and_key);
    RUN(test_responder_sections);
    RUN(test_responder_errors);
    RUN(test_presets);
    RUN(test_preset_errors);
    RUN(test_missing_file);
    RUN(test_example_configs_parse);
    return l2w_test_finish();
}
