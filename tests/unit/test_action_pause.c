/* responder/action_pause.c and the registry around it: which findings the
 * breaker answers, the policy (rule, else the bridge's pause section), the
 * planned call (bytes checked against `cast calldata` when cast is there),
 * and still_needed / verify against a fake node that answers paused() and
 * eth_getLogs as a test sets them. */
#include <arpa/inet.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collector/rpc.h"
#include "core/abi.h"
#include "core/config.h"
#include "core/hex.h"
#include "core/keccak.h"
#include "responder/action.h"
#include "responder/plan.h"
#include "tests/unit/harness.h"
#include "tests/unit/support/cast_support.h"

#define A(last) "\"0x00000000000000000000000000000000000000" last "\""

static const char config_text[] =
    "database:\n  url: postgresql://u@h/d\n"
    "chains:\n"
    "  - name: l1\n    role: l1\n    chain_id: 900\n    rpc: [\"http://127.0.0.1:8545\"]\n"
    "  - name: op\n    role: l2\n    chain_id: 901\n    l1: l1\n    rpc: [\"http://127.0.0.1:9545\"]\n"
    "    l2_output_oracle: " A("01") "\n    optimism_portal: " A("02") "\n    l1_standard_bridge: " A("03") "\n"
    "    superchain_config: " A("04") "\n"
    "  - name: side\n    role: l1\n    chain_id: 902\n    rpc: [\"http://127.0.0.1:7545\"]\n"
    "signers:\n"
    "  - name: guardian\n    key_file: /k/guardian\n"
    "  - name: ops\n    key_file: /k/ops\n"
    "responses:\n"
    "  default_mode: off\n"
    "  rules:\n"
    "    - kind: supply_exceeds_escrow\n      chain: l1\n      mode: dry-run\n"
    "    - kind: escrow_drawdown\n      mode: on\n      signer: ops\n"
    "bridges:\n"
    "  - name: op-main\n    kind: op-stack\n    remote_chain: op\n"
    "    pause:\n      mode: on\n      signer: guardian\n"
    "  - name: escrow\n    kind: lock-release\n    chain: side\n    remote_chain: l1\n    escrow: " A("e0") "\n"
    "    release_event: \"Released(bytes32 indexed messageId, address indexed token, address indexed recipient, "
    "uint256 amount)\"\n"
    "    source_contract: " A("50") "\n"
    "    initiation_event: \"Locked(bytes32 indexed messageId, address indexed token, address indexed sender, "
    "address recipient, uint256 amount)\"\n"
    "    tokens:\n      - symbol: TT\n        address: " A("c0") "\n"
    "    pause:\n      on: [forged_withdrawal, outflow_anomaly]\n"
    "  - name: quiet\n    kind: op-stack\n    remote_chain: op\n    pause:\n      method: none\n";

static l2w_config *load(void)
{
    l2w_config *cfg = NULL;
    l2w_err err = {{0}};
    l2w_status st = l2w_config_parse(&cfg, config_text, strlen(config_text), "t.yaml", &err);
    CHECK_MSG(st == L2W_OK, "%s", err.msg);
    return st == L2W_OK ? cfg : NULL;
}

static void finding(l2w_finding *f, const char *kind, const char *chain, const char *bridge, const char *key)
{
    memset(f, 0, sizeof *f);
    f->kind = kind;
    snprintf(f->chain, sizeof f->chain, "%s", chain);
    snprintf(f->dedup_key, sizeof f->dedup_key, "%s", key);
    f->evidence = bridge ? json_pack("{s:s}", "bridge", bridge) : json_object();
}

static const char *action_name(const l2w_config *cfg, const char *kind, const char *bridge)
{
    l2w_finding f;
    finding(&f, kind, "l1", bridge, "k");
    const l2w_action *a = l2w_action_for(&f, cfg);
    l2w_finding_clear(&f);
    return a ? a->name : "(none)";
}

static void test_registry(void)
{
    l2w_config *cfg = load();
    if (!cfg)
        return;
    /* by default the breaker answers the two kinds that cannot be innocent */
    CHECK(strcmp(action_name(cfg, "forged_withdrawal", "op-main"), "pause_bridge") == 0);
    CHECK(strcmp(action_name(cfg, "supply_exceeds_escrow", "op-main"), "pause_bridge") == 0);
    CHECK(strcmp(action_name(cfg, "escrow_drawdown", "op-main"), "(none)") == 0);
    CHECK(strcmp(action_name(cfg, "outflow_anomaly", "op-main"), "(none)") == 0);
    /* pause.on decides per bridge */
    CHECK(strcmp(action_name(cfg, "outflow_anomaly", "escrow"), "pause_bridge") == 0);
    CHECK(strcmp(action_name(cfg, "supply_exceeds_escrow", "escrow"), "(none)") == 0);
    /* method none, an unknown bridge, no bridge in the evidence */
    CHECK(strcmp(action_name(cfg, "forged_withdrawal", "quiet"), "(none)") == 0);
    CHECK(strcmp(action_name(cfg, "forged_withdrawal", "ghost"), "(none)") == 0);
    CHECK(strcmp(action_name(cfg, "forged_withdrawal", NULL), "(none)") == 0);
    /* the output-root action is unchanged */
    CHECK(strcmp(action_name(cfg, "invalid_output_root", NULL), "delete_l2_outputs") == 0);
    CHECK(strcmp(action_name(cfg, "invalid_output_root", "op-main"), "delete_l2_outputs") == 0);
    CHECK(l2w_action_by_name("pause_bridge") && l2w_action_by_name("delete_l2_outputs"));
    CHECK(l2w_action_by_name("pause") == NULL);
    l2w_config_free(cfg);
}

static void policy(const l2w_config *cfg, const char *kind, const char *chain, const char *bridge,
                   l2w_response_mode *mode, const char **signer)
{
    l2w_finding f;
    finding(&f, kind, chain, bridge, "k");
    const l2w_action *a = l2w_action_for(&f, cfg);
    *mode = L2W_RESPONSE_OFF;
    *signer = "unset";
    if (a)
        l2w_response_policy(a, &f, cfg, mode, signer);
    l2w_finding_clear(&f);
}

static void test_policy(void)
{
    l2w_config *cfg = load();
    if (!cfg)
        return;
    l2w_response_mode mode;
    const char *signer;
    /* no rule: the bridge's pause section */
    policy(cfg, "forged_withdrawal", "l1", "op-main", &mode, &signer);
    CHECK(mode == L2W_RESPONSE_ON && signer && strcmp(signer, "guardian") == 0);
    /* a rule for the kind on the finding's chain wins, signer and all */
    policy(cfg, "supply_exceeds_escrow", "l1", "op-main", &mode, &signer);
    CHECK(mode == L2W_RESPONSE_DRY_RUN && signer == NULL);
    /* ...but only on that chain */
    policy(cfg, "supply_exceeds_escrow", "op", "op-main", &mode, &signer);
    CHECK(mode == L2W_RESPONSE_ON && signer && strcmp(signer, "guardian") == 0);
    /* a lock-release bridge without a pause mode: dry run, no signer */
    policy(cfg, "forged_withdrawal", "side", "escrow", &mode, &signer);
    CHECK(mode == L2W_RESPONSE_DRY_RUN && signer == NULL);
    /* a rule for a kind the bridge does not list changes nothing: the
     * breaker does not answer it at all */
    policy(cfg, "escrow_drawdown", "l1", "op-main", &mode, &signer);
    CHECK(mode == L2W_RESPONSE_OFF && strcmp(signer, "unset") == 0);
    /* an action without its own default falls back to responses.default_mode */
    l2w_finding f;
    finding(&f, "invalid_output_root", "op", NULL, "k");
    l2w_response_policy(l2w_action_for(&f, cfg), &f, cfg, &mode, &signer);
    CHECK(mode == L2W_RESPONSE_OFF && signer == NULL);
    l2w_finding_clear(&f);
    l2w_config_free(cfg);
}

/* ---- plan ---- */

/* `cast calldata <args>` as hex, or false. */
static bool cast_calldata(const char *args, char *out, size_t cap)
{
    char line[8192];
    snprintf(line, sizeof line, "calldata %s", args);
    return l2w_test_cast_line(line, out, cap);
}

static void calldata_hex(const l2w_action_plan *p, char *out)
{
    l2w_hex_encode(out, p->calldata.data, p->calldata.len);
}

static void test_plan_superchain(void)
{
    l2w_config *cfg = load();
    if (!cfg)
        return;
    const l2w_action *a = l2w_action_by_name("pause_bridge");
    l2w_finding f;
    finding(&f, "forged_withdrawal", "l1", "op-main", "forged_withdrawal:l1:0xportal:0xabc:0xblock:7");
    l2w_action_plan p;
    l2w_err err = {{0}};
    l2w_status st = a->plan(&f, cfg, &p, &err);
    CHECK_MSG(st == L2W_OK, "%s", err.msg);
    if (st == L2W_OK) {
        const char *id = "l2watch:forged_withdrawal:op-main";
        CHECK(strcmp(p.chain, "l1") == 0);
        CHECK(p.to.b[19] == 0x04); /* the L2's superchain_config */
        CHECK(strcmp(p.idempotency_key, "pause:op-main:forged_withdrawal:l1:0xportal:0xabc:0xblock:7") == 0);
        CHECK(strcmp(json_string_value(json_object_get(p.params, "bridge")), "op-main") == 0);
        CHECK(strcmp(json_string_value(json_object_get(p.params, "method")), "superchain") == 0);
        CHECK(strcmp(json_string_value(json_object_get(p.params, "identifier")), id) == 0);
        CHECK_MSG(strstr(p.summary, "pause(\"l2watch:forged_withdrawal:op-main\") on SuperchainConfig") != NULL,
                  "%s", p.summary);
        /* selector, offset, length, the text padded to a word */
        CHECK(p.calldata.len == 4 + 2 * 32 + (strlen(id) + 31) / 32 * 32);
        CHECK(memcmp(p.calldata.data, "\x6d\xa6\x63\x55", 4) == 0);
        CHECK(p.calldata.data[4 + 31] == 0x20 && p.calldata.data[4 + 63] == strlen(id));
        CHECK(memcmp(p.calldata.data + 4 + 64, id, strlen(id)) == 0);
        char mine[2 + 2 * 256 + 1], cast[600];
        calldata_hex(&p, mine);
        char args[256];
        snprintf(args, sizeof args, "'pause(string)' '%s'", id);
        if (cast_calldata(args, cast, sizeof cast))
            CHECK_MSG(strcmp(mine, cast) == 0, "mine %s, cast %s", mine, cast);
        else
            fprintf(stderr, "skipped: cast calldata (cast not found)\n");
        l2w_action_plan_clear(&p);
    }
    l2w_finding_clear(&f);

    /* another finding on the same bridge: its own key, the same call */
    finding(&f, "supply_exceeds_escrow", "l1", "op-main", "supply:op-main:USDC:0xblock");
    st = a->plan(&f, cfg, &p, &err);
    CHECK_MSG(st == L2W_OK, "%s", err.msg);
    if (st == L2W_OK) {
        CHECK(strcmp(p.idempotency_key, "pause:op-main:supply:op-main:USDC:0xblock") == 0);
        CHECK(strcmp(json_string_value(json_object_get(p.params, "identifier")),
                     "l2watch:supply_exceeds_escrow:op-main") == 0);
        l2w_action_plan_clear(&p);
    }
    l2w_finding_clear(&f);

    /* a finding that names no pausable bridge cannot be planned */
    finding(&f, "forged_withdrawal", "l1", "quiet", "k");
    CHECK(a->plan(&f, cfg, &p, &err) == L2W_ERR_INVALID && strstr(err.msg, "no bridge with a pause contract"));
    l2w_finding_clear(&f);
    finding(&f, "forged_withdrawal", "l1", NULL, "k");
    CHECK(a->plan(&f, cfg, &p, &err) == L2W_ERR_INVALID);
    l2w_finding_clear(&f);
    l2w_config_free(cfg);
}

static void test_plan_pausable(void)
{
    l2w_config *cfg = load();
    if (!cfg)
        return;
    const l2w_action *a = l2w_action_by_name("pause_bridge");
    l2w_finding f;
    finding(&f, "outflow_anomaly", "side", "escrow", "outflow:escrow:TT:1700000000");
    l2w_action_plan p;
    l2w_err err = {{0}};
    l2w_status st = a->plan(&f, cfg, &p, &err);
    CHECK_MSG(st == L2W_OK, "%s", err.msg);
    if (st == L2W_OK) {
        CHECK(strcmp(p.chain, "side") == 0 && p.to.b[19] == 0xe0); /* pause() on the escrow itself */
        CHECK(p.calldata.len == 4 && memcmp(p.calldata.data, "\x84\x56\xcb\x59", 4) == 0);
        char mine[16], cast[64];
        calldata_hex(&p, mine);
        if (cast_calldata("'pause()'", cast, sizeof cast))
            CHECK_MSG(strcmp(mine, cast) == 0, "mine %s, cast %s", mine, cast);
        CHECK(strcmp(p.idempotency_key, "pause:escrow:outflow:escrow:TT:1700000000") == 0);
        CHECK(strcmp(json_string_value(json_object_get(p.params, "method")), "pausable") == 0);
        CHECK_MSG(strstr(p.summary, "pause() on 0x00000000000000000000000000000000000000e0 (side)") != NULL, "%s",
                  p.summary);
        l2w_action_plan_clear(&p);
    }
    l2w_finding_clear(&f);
    l2w_config_free(cfg);
}

/* ---- still_needed and verify against a fake node ---- */

typedef struct {
    struct MHD_Daemon *daemon;
    char url[64];
    pthread_mutex_t lock;
    bool paused_latest;
    bool paused_mined;
    json_t *logs;          /* eth_getLogs answer */
    char last_tag[32];     /* block of the last paused() call */
    json_t *last_filter;   /* params of the last eth_getLogs */
} fake_node;

typedef struct {
    char *data;
    size_t len;
} upload;

static const char *word_hex(bool v)
{
    return v ? "0x0000000000000000000000000000000000000000000000000000000000000001"
             : "0x0000000000000000000000000000000000000000000000000000000000000000";
}

static json_t *fake_answer(fake_node *n, const json_t *req)
{
    const char *method = json_string_value(json_object_get(req, "method"));
    json_t *params = json_object_get(req, "params");
    json_t *out = json_pack("{s:s, s:O}", "jsonrpc", "2.0", "id", json_object_get(req, "id"));
    pthread_mutex_lock(&n->lock);
    if (method && strcmp(method, "eth_call") == 0) {
        const char *data = json_string_value(json_object_get(json_array_get(params, 0), "data"));
        const char *tag = json_string_value(json_array_get(params, 1));
        snprintf(n->last_tag, sizeof n->last_tag, "%s", tag ? tag : "?");
        if (data && strcmp(data, "0x5c975abb") == 0) /* paused() */
            json_object_set_new(out, "result",
                                json_string(word_hex(tag && strcmp(tag, "latest") == 0 ? n->paused_latest
                                                                                        : n->paused_mined)));
        else
            json_object_set_new(out, "error", json_pack("{s:i, s:s}", "code", 3, "message", "execution reverted"));
    } else if (method && strcmp(method, "eth_getLogs") == 0) {
        json_decref(n->last_filter);
        n->last_filter = json_deep_copy(params);
        json_object_set_new(out, "result", json_deep_copy(n->logs));
    } else {
        json_object_set_new(out, "error", json_pack("{s:i, s:s}", "code", -32601, "message", "no such method"));
    }
    pthread_mutex_unlock(&n->lock);
    return out;
}

static enum MHD_Result fake_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                    const char *version, const char *data, size_t *data_len, void **state)
{
    (void)url;
    (void)method;
    (void)version;
    upload *u = *state;
    if (!u) {
        *state = calloc(1, sizeof *u);
        return *state ? MHD_YES : MHD_NO;
    }
    if (*data_len > 0) {
        char *grown = realloc(u->data, u->len + *data_len + 1);
        if (!grown)
            return MHD_NO;
        memcpy(grown + u->len, data, *data_len);
        u->data = grown;
        u->len += *data_len;
        u->data[u->len] = '\0';
        *data_len = 0;
        return MHD_YES;
    }
    json_t *req = json_loadb(u->data ? u->data : "", u->len, 0, NULL);
    json_t *answer = fake_answer(cls, req);
    json_decref(req);
    char *text = json_dumps(answer, JSON_COMPACT);
    json_decref(answer);
    if (!text)
        return MHD_NO;
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
    enum MHD_Result ret = MHD_queue_response(conn, 200, r);
    MHD_destroy_response(r);
    return ret;
}

static void fake_done(void *cls, struct MHD_Connection *conn, void **state, enum MHD_RequestTerminationCode why)
{
    (void)cls;
    (void)conn;
    (void)why;
    upload *u = *state;
    if (u) {
        free(u->data);
        free(u);
    }
    *state = NULL;
}

static bool fake_start(fake_node *n, l2w_rpc **rpc)
{
    memset(n, 0, sizeof *n);
    pthread_mutex_init(&n->lock, NULL);
    n->logs = json_array();
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    n->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO, 0, NULL, NULL, fake_request, n,
                                 MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_NOTIFY_COMPLETED,
                                 fake_done, n, MHD_OPTION_END);
    if (!n->daemon)
        return false;
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(n->daemon, MHD_DAEMON_INFO_BIND_PORT);
    snprintf(n->url, sizeof n->url, "http://127.0.0.1:%u/", (unsigned)info->port);
    const char *urls[] = {n->url};
    l2w_rpc_options opt = {.chain = "unit", .urls = urls, .n_urls = 1, .timeout_ms = 5000};
    l2w_err err = {{0}};
    return l2w_rpc_create(rpc, &opt, &err) == L2W_OK;
}

static void fake_stop(fake_node *n, l2w_rpc *rpc)
{
    l2w_rpc_destroy(rpc);
    if (n->daemon)
        MHD_stop_daemon(n->daemon);
    json_decref(n->logs);
    json_decref(n->last_filter);
    pthread_mutex_destroy(&n->lock);
}

static void set_state(fake_node *n, bool latest, bool mined, json_t *logs)
{
    pthread_mutex_lock(&n->lock);
    n->paused_latest = latest;
    n->paused_mined = mined;
    json_decref(n->logs);
    n->logs = logs;
    pthread_mutex_unlock(&n->lock);
}

static const char *const CONTRACT = "0x0000000000000000000000000000000000000004";
static const char *const TX = "0x1111111111111111111111111111111111111111111111111111111111111111";
static const char *const OTHER_TX = "0x2222222222222222222222222222222222222222222222222222222222222222";
static const char *const BLOCK_HASH = "0x3333333333333333333333333333333333333333333333333333333333333333";

static json_t *paused_log(const char *event, const char *address, const char *tx, const char *data_hex)
{
    l2w_hash topic;
    char topic_hex[L2W_HASH_HEX_LEN];
    l2w_keccak256(topic.b, (const uint8_t *)event, strlen(event));
    l2w_hash_to_hex(topic_hex, &topic);
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:[s], s:s, s:b}", "blockNumber", "0x2a", "blockHash", BLOCK_HASH,
                     "transactionHash", tx, "logIndex", "0x0", "address", address, "topics", topic_hex, "data",
                     data_hex, "removed", 0);
}

/* The data of Paused(string) for text. */
static char *string_data(const char *text)
{
    l2w_abi_type *t = NULL;
    l2w_err err = {{0}};
    l2w_abi_value v = l2w_abi_val_string(text);
    l2w_abi_value args = l2w_abi_val_tuple(&v, 1);
    uint8_t *enc = NULL;
    size_t len = 0;
    char *hex = NULL;
    if (l2w_abi_type_parse(&t, "(string)", &err) == L2W_OK && l2w_abi_encode(&enc, &len, t, &args, &err) == L2W_OK)
        hex = l2w_hex_encode_alloc(enc, len);
    l2w_abi_type_free(t);
    free(enc);
    return hex;
}

static void test_still_needed_and_verify_superchain(void)
{
    fake_node n;
    l2w_rpc *rpc = NULL;
    if (!fake_start(&n, &rpc)) {
        CHECK_MSG(false, "fake node did not start");
        fake_stop(&n, rpc);
        return;
    }
    const l2w_action *a = l2w_action_by_name("pause_bridge");
    const char *id = "l2watch:forged_withdrawal:op-main";
    json_t *params = json_pack("{s:s, s:s, s:s}", "bridge", "op-main", "method", "superchain", "identifier", id);
    l2w_action_target t = {.params = params, .mined_block = 42};
    CHECK(l2w_addr_from_hex(&t.to, CONTRACT) == L2W_OK && l2w_hash_from_hex(&t.tx_hash, TX) == L2W_OK);
    l2w_err err = {{0}};
    char note[256] = "";
    bool needed = false, effective = true;

    /* not paused yet: needed; paused (by anyone, an earlier finding's
     * response included): not needed, whatever this finding is */
    set_state(&n, false, false, json_array());
    CHECK(a->still_needed(rpc, &t, &needed, note, sizeof note, &err) == L2W_OK && needed);
    CHECK(strcmp(n.last_tag, "latest") == 0);
    set_state(&n, true, true, json_array());
    CHECK(a->still_needed(rpc, &t, &needed, note, sizeof note, &err) == L2W_OK && !needed);
    CHECK_MSG(strstr(note, "already paused") != NULL, "%s", note);

    /* landed: our transaction's Paused(identifier) and paused() at its block */
    char *data = string_data(id);
    set_state(&n, true, true, json_pack("[o]", paused_log("Paused(string)", CONTRACT, TX, data)));
    CHECK(a->verify(rpc, &t, &effective, note, sizeof note, &err) == L2W_OK && effective);
    CHECK_MSG(strstr(note, "paused() is true at the mined block") != NULL, "%s", note);
    CHECK(strcmp(n.last_tag, "0x2a") == 0);
    const json_t *filter = json_array_get(n.last_filter, 0);
    CHECK(strcmp(json_string_value(json_object_get(filter, "fromBlock")), "0x2a") == 0);
    CHECK(strcmp(json_string_value(json_object_get(filter, "toBlock")), "0x2a") == 0);

    /* the event, but paused() false at the block */
    set_state(&n, false, false, json_pack("[o]", paused_log("Paused(string)", CONTRACT, TX, data)));
    CHECK(a->verify(rpc, &t, &effective, note, sizeof note, &err) == L2W_OK && !effective);
    CHECK_MSG(strstr(note, "paused() is false") != NULL, "%s", note);
    /* paused, by someone else's transaction */
    set_state(&n, true, true, json_pack("[o]", paused_log("Paused(string)", CONTRACT, OTHER_TX, data)));
    CHECK(a->verify(rpc, &t, &effective, note, sizeof note, &err) == L2W_OK && !effective);
    CHECK_MSG(strstr(note, "no Paused(string)") != NULL, "%s", note);
    /* our transaction, but another identifier or another contract */
    char *other = string_data("someone:else");
    set_state(&n, true, true, json_pack("[o]", paused_log("Paused(string)", CONTRACT, TX, other)));
    CHECK(a->verify(rpc, &t, &effective, note, sizeof note, &err) == L2W_OK && !effective);
    set_state(&n, true, true,
              json_pack("[o]", paused_log("Paused(string)", "0x0000000000000000000000000000000000000005", TX, data)));
    CHECK(a->verify(rpc, &t, &effective, note, sizeof note, &err) == L2W_OK && !effective);
    free(other);
    free(data);

    json_decref(params);
    fake_stop(&n, rpc);
}

static void test_verify_pausable(void)
{
    fake_node n;
    l2w_rpc *rpc = NULL;
    if (!fake_start(&n, &rpc)) {
        CHECK_MSG(false, "fake node did not start");
        fake_stop(&n, rpc);
        return;
    }
    const l2w_action *a = l2w_action_by_name("pause_bridge");
    json_t *params = json_pack("{s:s, s:s, s:s}", "bridge", "escrow", "method", "pausable", "identifier", "");
    l2w_action_target t = {.params = params, .mined_block = 42, .has_sender = true};
    CHECK(l2w_addr_from_hex(&t.to, CONTRACT) == L2W_OK && l2w_hash_from_hex(&t.tx_hash, TX) == L2W_OK);
    t.sender.b[19] = 0x99;
    l2w_err err = {{0}};
    char note[256] = "";
    bool effective = false;
    const char *ours = "0x0000000000000000000000000000000000000000000000000000000000000099";
    const char *theirs = "0x0000000000000000000000000000000000000000000000000000000000000098";
    set_state(&n, true, true, json_pack("[o]", paused_log("Paused(address)", CONTRACT, TX, ours)));
    CHECK(a->verify(rpc, &t, &effective, note, sizeof note, &err) == L2W_OK && effective);
    CHECK_MSG(strstr(note, "Paused(address)") != NULL, "%s", note);
    set_state(&n, true, true, json_pack("[o]", paused_log("Paused(address)", CONTRACT, TX, theirs)));
    CHECK(a->verify(rpc, &t, &effective, note, sizeof note, &err) == L2W_OK && !effective);
    /* the other event's topic is not asked for, so it is not found */
    const json_t *filter = json_array_get(n.last_filter, 0);
    l2w_hash want;
    l2w_keccak256(want.b, (const uint8_t *)"Paused(address)", strlen("Paused(address)"));
    char want_hex[L2W_HASH_HEX_LEN];
    l2w_hash_to_hex(want_hex, &want);
    CHECK(strcmp(json_string_value(json_array_get(json_array_get(json_object_get(filter, "topics"), 0), 0)),
                 want_hex) == 0);
    json_decref(params);
    fake_stop(&n, rpc);
}

int main(void)
{
    RUN(test_registry);
    RUN(test_policy);
    RUN(test_plan_superchain);
    RUN(test_plan_pausable);
    RUN(test_still_needed_and_verify_superchain);
    RUN(test_verify_pausable);
    return l2w_test_finish();
}
