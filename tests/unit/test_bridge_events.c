/* bridge_events (collector/bridge_events.c): logs of every watched bridge
 * event built by hand (topics and ABI-encoded data) decode into the fields
 * the bridge detectors read; a log without the event's shape is refused
 * with a message naming the event, and random logs never crash the decoder
 * (this test runs under ASan and UBSan; every log's data is its own
 * allocation of exactly its length, so a read past it is caught). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/bridge_events.h"
#include "collector/watch_list.h"
#include "core/config.h"
#include "core/hex.h"
#include "core/u256.h"
#include "tests/unit/harness.h"
#include "tests/unit/support/bridge_config.h"

#define A(last) "\"0x00000000000000000000000000000000000000" last "\""

/* An OP Stack L2 with its bridge; "lr", a lock-release bridge from the L2
 * with a token field in both events; "solo", a lock-release bridge of one
 * native coin whose release event does not name the token. */
static const char config_text[] =
    TEST_BRIDGE_CHAINS TEST_BRIDGES_OP_AND_LR
    "  - name: solo\n"
    "    kind: lock-release\n"
    "    chain: l1\n"
    "    remote_chain: side\n"
    "    escrow: " A("e1") "\n"
    "    release_event: \"Unlocked(uint256 indexed id, address recipient, uint256 amount)\"\n"
    "    source_contract: " A("51") "\n"
    "    initiation_event: \"Sent(uint256 indexed id, address recipient, uint256 amount)\"\n"
    "    tokens:\n"
    "      - symbol: ETH\n";

static l2w_config *cfg;
static l2w_watch l1_watches[L2W_MAX_WATCHES], op_watches[L2W_MAX_WATCHES];
static size_t n_l1_watches, n_op_watches;

enum { BLOCK = 1234567, LOG_INDEX = 7 };
static const uint64_t TIMESTAMP = 1700000000;

static const l2w_watch *watch(l2w_watch_kind kind, const char *bridge)
{
    const l2w_watch *lists[2] = {l1_watches, op_watches};
    size_t counts[2] = {n_l1_watches, n_op_watches};
    for (size_t l = 0; l < 2; l++)
        for (size_t i = 0; i < counts[l]; i++) {
            const l2w_watch *w = &lists[l][i];
            if (w->kind == kind && (!bridge || (w->bridge && strcmp(w->bridge->name, bridge) == 0)))
                return w;
        }
    CHECK_MSG(false, "no watch of kind %d for %s", (int)kind, bridge ? bridge : "-");
    return NULL;
}

/* ---- building logs ---- */

typedef struct {
    l2w_hash topics[L2W_LOG_MAX_TOPICS];
    size_t n_topics;
    uint8_t data[1024];
    size_t data_len;
} log_spec;

static void spec_init(log_spec *s, const l2w_watch *w)
{
    memset(s, 0, sizeof *s);
    s->topics[0] = w->topic0;
    s->n_topics = 1;
}

static void fill_addr(l2w_addr *a, uint8_t first)
{
    for (int i = 0; i < 20; i++)
        a->b[i] = (uint8_t)(first + i);
}

static void word_of_addr(uint8_t w[32], const l2w_addr *a)
{
    memset(w, 0, 32);
    memcpy(w + 12, a->b, 20);
}

static void word_of_u64(uint8_t w[32], uint64_t v)
{
    memset(w, 0, 32);
    for (int i = 0; i < 8; i++)
        w[31 - i] = (uint8_t)(v >> (8 * i));
}

static void topic_addr(log_spec *s, const l2w_addr *a)
{
    word_of_addr(s->topics[s->n_topics++].b, a);
}

static void topic_hash(log_spec *s, const l2w_hash *h)
{
    s->topics[s->n_topics++] = *h;
}

static void topic_u64(log_spec *s, uint64_t v)
{
    word_of_u64(s->topics[s->n_topics++].b, v);
}

static void data_word(log_spec *s, const uint8_t w[32])
{
    memcpy(s->data + s->data_len, w, 32);
    s->data_len += 32;
}

static void data_addr(log_spec *s, const l2w_addr *a)
{
    uint8_t w[32];
    word_of_addr(w, a);
    data_word(s, w);
}

static void data_u64(log_spec *s, uint64_t v)
{
    uint8_t w[32];
    word_of_u64(w, v);
    data_word(s, w);
}

static void data_u256(log_spec *s, const l2w_u256 *v)
{
    uint8_t w[32];
    l2w_u256_to_be32(w, v);
    data_word(s, w);
}

/* Appends n raw bytes, then zeros up to a word boundary (ABI bytes tail). */
static void data_padded(log_spec *s, const uint8_t *p, size_t n)
{
    memcpy(s->data + s->data_len, p, n);
    s->data_len += n;
    while (s->data_len % 32)
        s->data[s->data_len++] = 0;
}

/* The log as the follower hands it over: data in its own allocation of
 * exactly data_len bytes (none when empty). Free with free_log. */
static l2w_evm_log make_log(const l2w_watch *w, const log_spec *s)
{
    l2w_evm_log log;
    memset(&log, 0, sizeof log);
    log.block_number = BLOCK;
    memset(log.block_hash.b, 0xbb, 32);
    memset(log.tx_hash.b, 0xcc, 32);
    log.tx_hash.b[0] = 0x01;
    log.log_index = LOG_INDEX;
    log.address = w->address;
    memcpy(log.topics, s->topics, sizeof log.topics);
    log.n_topics = s->n_topics;
    if (s->data_len) {
        log.data = malloc(s->data_len);
        CHECK(log.data != NULL);
        if (log.data)
            memcpy(log.data, s->data, s->data_len);
    }
    log.data_len = log.data ? s->data_len : 0;
    return log;
}

static void free_log(l2w_evm_log *log)
{
    free(log->data);
    log->data = NULL;
}

static l2w_status decode_spec(l2w_bridge_event *e, const l2w_watch *w, const log_spec *s, l2w_err *err)
{
    l2w_evm_log log = make_log(w, s);
    memset(err, 0, sizeof *err);
    l2w_status st = l2w_bridge_event_decode(e, w, &log, TIMESTAMP, err);
    free_log(&log);
    return st;
}

/* Decodes a log that must decode, with block, tx, log index and timestamp carried. */
static bool decode_ok(l2w_bridge_event *e, const l2w_watch *w, const log_spec *s, const char *what)
{
    l2w_err err;
    l2w_status st = decode_spec(e, w, s, &err);
    CHECK_MSG(st == L2W_OK, "%s: %s", what, err.msg);
    if (st != L2W_OK)
        return false;
    l2w_hash bh, tx;
    memset(bh.b, 0xbb, 32);
    memset(tx.b, 0xcc, 32);
    tx.b[0] = 0x01;
    CHECK_MSG(e->t.block_number == BLOCK && l2w_hash_eq(&e->t.block_hash, &bh), "%s", what);
    CHECK_MSG(l2w_hash_eq(&e->t.tx_hash, &tx) && e->t.log_index == LOG_INDEX, "%s", what);
    CHECK_MSG(e->t.timestamp == TIMESTAMP, "%s", what);
    CHECK_MSG(e->bridge && strcmp(e->bridge, w->bridge->name) == 0, "%s", what);
    return true;
}

/* A log that must be refused, with a message naming the event. */
static void decode_invalid(const l2w_watch *w, const log_spec *s, const char *event, const char *what)
{
    l2w_bridge_event e;
    l2w_err err;
    l2w_status st = decode_spec(&e, w, s, &err);
    CHECK_MSG(st == L2W_ERR_INVALID, "%s: status %d", what, (int)st);
    CHECK_MSG(strstr(err.msg, event) != NULL, "%s: message \"%s\" does not name %s", what, err.msg, event);
}

static void key_of(char out[43], const l2w_addr *a)
{
    l2w_token_key(out, false, a);
}

/* ---- the OptimismPortal ---- */

static void proven_spec(log_spec *s, const l2w_watch *w, const l2w_hash *hash, const l2w_addr *from,
                        const l2w_addr *to)
{
    spec_init(s, w);
    topic_hash(s, hash);
    topic_addr(s, from);
    topic_addr(s, to);
}

static void test_withdrawal_proven(void)
{
    const l2w_watch *w = watch(L2W_WATCH_PORTAL_PROVEN, "op-main");
    if (!w)
        return;
    l2w_hash hash;
    memset(hash.b, 0x77, 32);
    hash.b[0] = 0x12;
    l2w_addr from, to;
    fill_addr(&from, 0xa0);
    fill_addr(&to, 0x30);
    log_spec s;
    proven_spec(&s, w, &hash, &from, &to);
    l2w_bridge_event e;
    if (decode_ok(&e, w, &s, "WithdrawalProven")) {
        CHECK(strcmp(e.kind, "withdrawal_proven") == 0 && strcmp(e.token, "native") == 0 && !e.t.has_token);
        CHECK(e.t.has_message_id && l2w_hash_eq(&e.t.message_id, &hash));
        CHECK(e.has_sender && l2w_addr_eq(&e.sender, &from));
        CHECK(e.t.has_recipient && l2w_addr_eq(&e.t.recipient, &to));
        CHECK(!e.t.has_amount && !e.has_success);
        CHECK(e.check_status == 0);
    }
    /* wrong topic counts */
    s.n_topics = 3;
    decode_invalid(w, &s, "WithdrawalProven", "3 topics");
    s.n_topics = 1;
    decode_invalid(w, &s, "WithdrawalProven", "1 topic");
    s.n_topics = 0;
    decode_invalid(w, &s, "WithdrawalProven", "no topics");
    /* an address word with high bytes set, in either place */
    proven_spec(&s, w, &hash, &from, &to);
    s.topics[2].b[0] = 1;
    decode_invalid(w, &s, "WithdrawalProven", "from with high bytes");
    proven_spec(&s, w, &hash, &from, &to);
    s.topics[3].b[11] = 0x80;
    decode_invalid(w, &s, "WithdrawalProven", "to with high bytes");
}

static void test_withdrawal_finalized(void)
{
    const l2w_watch *w = watch(L2W_WATCH_PORTAL_FINALIZED, "op-main");
    if (!w)
        return;
    l2w_hash hash;
    memset(hash.b, 0x5a, 32);
    for (int success = 0; success <= 1; success++) {
        log_spec s;
        spec_init(&s, w);
        topic_hash(&s, &hash);
        data_u64(&s, (uint64_t)success);
        l2w_bridge_event e;
        if (decode_ok(&e, w, &s, "WithdrawalFinalized")) {
            CHECK(strcmp(e.kind, "withdrawal_finalized") == 0 && strcmp(e.token, "native") == 0);
            CHECK(e.t.has_message_id && l2w_hash_eq(&e.t.message_id, &hash));
            CHECK(e.has_success && e.success == (success == 1));
            CHECK(!e.has_sender && !e.t.has_recipient && !e.t.has_amount && !e.t.has_token);
            CHECK(e.check_status == 3);
        }
    }
    log_spec s;
    spec_init(&s, w);
    topic_hash(&s, &hash);
    data_u64(&s, 1);
    s.data_len = 31;
    decode_invalid(w, &s, "WithdrawalFinalized", "31 data bytes");
    s.data_len = 0;
    decode_invalid(w, &s, "WithdrawalFinalized", "no data");
    s.data_len = 32;
    s.n_topics = 3;
    decode_invalid(w, &s, "WithdrawalFinalized", "3 topics");
    s.n_topics = 1;
    decode_invalid(w, &s, "WithdrawalFinalized", "1 topic");
    /* a bool word is 0 or 1 with nothing else set */
    s.n_topics = 2;
    s.data[31] = 2;
    decode_invalid(w, &s, "WithdrawalFinalized", "bool 2");
    s.data[31] = 0;
    s.data[0] = 1;
    decode_invalid(w, &s, "WithdrawalFinalized", "bool with a high byte");
}

/* TransactionDeposited's data: abi.encode(bytes opaqueData), opaqueData =
 * abi.encodePacked(uint256 mint, uint256 value, uint64 gasLimit, bool
 * isCreation, bytes data). */
static void deposit_spec(log_spec *s, const l2w_watch *w, const l2w_addr *from, const l2w_addr *to,
                         const l2w_u256 *mint, const l2w_u256 *value, size_t calldata_len)
{
    spec_init(s, w);
    topic_addr(s, from);
    topic_addr(s, to);
    topic_u64(s, 0); /* version */
    uint8_t opaque[32 + 32 + 8 + 1 + 64];
    size_t n = 0;
    l2w_u256_to_be32(opaque, mint);
    l2w_u256_to_be32(opaque + 32, value);
    n = 64;
    for (int i = 0; i < 8; i++)
        opaque[n++] = (uint8_t)((uint64_t)100000 >> (8 * (7 - i)));
    opaque[n++] = 0; /* isCreation */
    for (size_t i = 0; i < calldata_len && i < 64; i++)
        opaque[n++] = (uint8_t)(0xd0 + i);
    data_u64(s, 32);
    data_u64(s, n);
    data_padded(s, opaque, n);
}

static void test_transaction_deposited(void)
{
    const l2w_watch *w = watch(L2W_WATCH_PORTAL_DEPOSIT, "op-main");
    if (!w)
        return;
    l2w_addr from, to;
    fill_addr(&from, 0x11);
    fill_addr(&to, 0xe8);
    /* mint above 2^64, so all of the word is read; value differs from mint */
    l2w_u256 mint, value = l2w_u256_from_u64(42), big = l2w_u256_from_u64(UINT64_MAX);
    CHECK(l2w_u256_add(&mint, &big, &value) == L2W_OK);
    for (size_t calldata = 0; calldata <= 40; calldata += 20) {
        log_spec s;
        deposit_spec(&s, w, &from, &to, &mint, &value, calldata);
        l2w_bridge_event e;
        if (decode_ok(&e, w, &s, "TransactionDeposited")) {
            CHECK(strcmp(e.kind, "deposit") == 0 && strcmp(e.token, "native") == 0 && !e.t.has_token);
            CHECK(e.has_sender && l2w_addr_eq(&e.sender, &from));
            CHECK(e.t.has_recipient && l2w_addr_eq(&e.t.recipient, &to));
            CHECK_MSG(e.t.has_amount && l2w_u256_cmp(&e.t.amount, &mint) == 0, "the amount is the mint");
            CHECK(!e.t.has_message_id && !e.has_success && e.check_status == 3);
        }
    }
    log_spec s;
    deposit_spec(&s, w, &from, &to, &mint, &value, 0);
    s.n_topics = 3;
    decode_invalid(w, &s, "TransactionDeposited", "3 topics");
    deposit_spec(&s, w, &from, &to, &mint, &value, 0);
    s.data_len = 95;
    decode_invalid(w, &s, "TransactionDeposited", "95 data bytes");
    s.data_len = 64;
    decode_invalid(w, &s, "TransactionDeposited", "64 data bytes");
    deposit_spec(&s, w, &from, &to, &mint, &value, 0);
    s.topics[1].b[3] = 9;
    decode_invalid(w, &s, "TransactionDeposited", "from with high bytes");
    deposit_spec(&s, w, &from, &to, &mint, &value, 0);
    s.topics[2].b[0] = 0xff;
    decode_invalid(w, &s, "TransactionDeposited", "to with high bytes");
    /* the head must be abi.encode(bytes) with at least the mint inside it */
    deposit_spec(&s, w, &from, &to, &mint, &value, 0);
    s.data[31] = 64;
    decode_invalid(w, &s, "TransactionDeposited", "offset 64");
    deposit_spec(&s, w, &from, &to, &mint, &value, 0);
    s.data[63] = 31;
    decode_invalid(w, &s, "TransactionDeposited", "opaqueData shorter than the mint");
    deposit_spec(&s, w, &from, &to, &mint, &value, 0);
    s.data[62] = 1; /* 256 + 73 bytes: past the end of the data */
    decode_invalid(w, &s, "TransactionDeposited", "opaqueData past the data");
    deposit_spec(&s, w, &from, &to, &mint, &value, 0);
    s.data[32] = 1; /* a length no uint64 holds */
    decode_invalid(w, &s, "TransactionDeposited", "huge opaqueData length");
}

/* ---- the L1StandardBridge ---- */

/* ERC20BridgeFinalized / ERC20BridgeInitiated(address indexed localToken,
 * address indexed remoteToken, address indexed from, address to, uint256
 * amount, bytes extraData) */
static void erc20_spec(log_spec *s, const l2w_watch *w, const l2w_addr *local, const l2w_addr *remote,
                       const l2w_addr *from, const l2w_addr *to, const l2w_u256 *amount)
{
    spec_init(s, w);
    topic_addr(s, local);
    topic_addr(s, remote);
    topic_addr(s, from);
    data_addr(s, to);
    data_u256(s, amount);
    data_u64(s, 96);
    data_u64(s, 3);
    data_padded(s, (const uint8_t *)"abc", 3);
}

static void check_erc20(l2w_watch_kind kind, const char *event, const char *want_kind)
{
    const l2w_watch *w = watch(kind, "op-main");
    if (!w)
        return;
    l2w_addr local, remote, from, to;
    fill_addr(&local, 0xa1);
    fill_addr(&remote, 0xb2);
    fill_addr(&from, 0xc3);
    fill_addr(&to, 0xd4);
    l2w_u256 amount;
    CHECK(l2w_u256_from_dec(&amount, "123456789012345678901234567890") == L2W_OK);
    char want_token[43];
    key_of(want_token, &local);
    CHECK(strcmp(want_token, "0xa1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4") == 0); /* lowercase */
    log_spec s;
    erc20_spec(&s, w, &local, &remote, &from, &to, &amount);
    l2w_bridge_event e;
    if (decode_ok(&e, w, &s, event)) {
        CHECK_MSG(strcmp(e.kind, want_kind) == 0, "%s: kind %s", event, e.kind);
        CHECK_MSG(strcmp(e.token, want_token) == 0, "%s: token %s", event, e.token);
        CHECK(e.t.has_token && l2w_addr_eq(&e.t.token, &local));
        CHECK(e.has_sender && l2w_addr_eq(&e.sender, &from));
        CHECK(e.t.has_recipient && l2w_addr_eq(&e.t.recipient, &to));
        CHECK(e.t.has_amount && l2w_u256_cmp(&e.t.amount, &amount) == 0);
        /* judged through the Portal's WithdrawalProven, not here */
        CHECK(!e.t.has_message_id && !e.has_success && e.check_status == 3);
    }
    s.n_topics = 3;
    decode_invalid(w, &s, event, "3 topics");
    s.n_topics = 2;
    decode_invalid(w, &s, event, "2 topics");
    erc20_spec(&s, w, &local, &remote, &from, &to, &amount);
    s.data_len = 63;
    decode_invalid(w, &s, event, "63 data bytes");
    s.data_len = 0;
    decode_invalid(w, &s, event, "no data");
    erc20_spec(&s, w, &local, &remote, &from, &to, &amount);
    s.topics[1].b[5] = 1;
    decode_invalid(w, &s, event, "localToken with high bytes");
    erc20_spec(&s, w, &local, &remote, &from, &to, &amount);
    s.topics[3].b[11] = 1;
    decode_invalid(w, &s, event, "from with high bytes");
    erc20_spec(&s, w, &local, &remote, &from, &to, &amount);
    s.data[0] = 1;
    decode_invalid(w, &s, event, "to with high bytes");
}

static void test_erc20_bridge_finalized(void)
{
    check_erc20(L2W_WATCH_ERC20_FINALIZED, "ERC20BridgeFinalized", "release");
}

static void test_erc20_bridge_initiated(void)
{
    check_erc20(L2W_WATCH_ERC20_INITIATED, "ERC20BridgeInitiated", "deposit");
}

/* ETHBridgeFinalized(address indexed from, address indexed to, uint256 amount, bytes extraData) */
static void eth_spec(log_spec *s, const l2w_watch *w, const l2w_addr *from, const l2w_addr *to, uint64_t amount)
{
    spec_init(s, w);
    topic_addr(s, from);
    topic_addr(s, to);
    data_u64(s, amount);
    data_u64(s, 64);
    data_u64(s, 0);
}

static void test_eth_bridge_finalized(void)
{
    const l2w_watch *w = watch(L2W_WATCH_ETH_FINALIZED, "op-main");
    if (!w)
        return;
    l2w_addr from, to;
    fill_addr(&from, 0x40);
    fill_addr(&to, 0x90);
    log_spec s;
    eth_spec(&s, w, &from, &to, 5000000000000000000ULL);
    l2w_bridge_event e;
    if (decode_ok(&e, w, &s, "ETHBridgeFinalized")) {
        l2w_u256 want = l2w_u256_from_u64(5000000000000000000ULL);
        CHECK(strcmp(e.kind, "release") == 0 && strcmp(e.token, "native") == 0 && !e.t.has_token);
        CHECK(e.has_sender && l2w_addr_eq(&e.sender, &from));
        CHECK(e.t.has_recipient && l2w_addr_eq(&e.t.recipient, &to));
        CHECK(e.t.has_amount && l2w_u256_cmp(&e.t.amount, &want) == 0);
        CHECK(!e.t.has_message_id && !e.has_success && e.check_status == 3);
    }
    s.n_topics = 4;
    decode_invalid(w, &s, "ETHBridgeFinalized", "4 topics");
    s.n_topics = 2;
    decode_invalid(w, &s, "ETHBridgeFinalized", "2 topics");
    eth_spec(&s, w, &from, &to, 1);
    s.data_len = 31;
    decode_invalid(w, &s, "ETHBridgeFinalized", "31 data bytes");
    eth_spec(&s, w, &from, &to, 1);
    s.topics[1].b[0] = 1;
    decode_invalid(w, &s, "ETHBridgeFinalized", "from with high bytes");
    eth_spec(&s, w, &from, &to, 1);
    s.topics[2].b[10] = 1;
    decode_invalid(w, &s, "ETHBridgeFinalized", "to with high bytes");
}

/* ---- configured lock/release events ---- */

/* Released(bytes32 indexed messageId, address indexed token, address indexed recipient, uint256 amount) */
static void released_spec(log_spec *s, const l2w_watch *w, const l2w_hash *id, const l2w_addr *token,
                          const l2w_addr *recipient, const l2w_u256 *amount)
{
    spec_init(s, w);
    topic_hash(s, id);
    topic_addr(s, token);
    topic_addr(s, recipient);
    data_u256(s, amount);
}

static void test_released(void)
{
    const l2w_watch *w = watch(L2W_WATCH_RELEASE, "lr");
    if (!w)
        return;
    l2w_hash id;
    memset(id.b, 0x3c, 32);
    l2w_addr token, recipient;
    fill_addr(&token, 0xe5);
    fill_addr(&recipient, 0x07);
    l2w_u256 amount;
    CHECK(l2w_u256_from_hex(&amount, "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff") == L2W_OK);
    char want_token[43];
    key_of(want_token, &token);
    log_spec s;
    released_spec(&s, w, &id, &token, &recipient, &amount);
    l2w_bridge_event e;
    if (decode_ok(&e, w, &s, "Released")) {
        CHECK(strcmp(e.kind, "release") == 0 && strcmp(e.token, want_token) == 0);
        CHECK(e.t.has_token && l2w_addr_eq(&e.t.token, &token));
        CHECK(e.t.has_message_id && l2w_hash_eq(&e.t.message_id, &id));
        CHECK(e.t.has_recipient && l2w_addr_eq(&e.t.recipient, &recipient));
        CHECK(e.t.has_amount && l2w_u256_cmp(&e.t.amount, &amount) == 0);
        CHECK(!e.has_sender && !e.has_success);
        CHECK(e.check_status == 0);
    }
    s.n_topics = 3;
    decode_invalid(w, &s, "Released", "3 topics");
    s.n_topics = 0;
    decode_invalid(w, &s, "Released", "no topics");
    released_spec(&s, w, &id, &token, &recipient, &amount);
    s.data_len = 31;
    decode_invalid(w, &s, "Released", "31 data bytes");
    s.data_len = 0;
    decode_invalid(w, &s, "Released", "no data");
    released_spec(&s, w, &id, &token, &recipient, &amount);
    s.topics[2].b[0] = 1;
    decode_invalid(w, &s, "Released", "token with high bytes");
    released_spec(&s, w, &id, &token, &recipient, &amount);
    s.topics[3].b[11] = 1;
    decode_invalid(w, &s, "Released", "recipient with high bytes");
    /* a log of the same shape but another event (the initiation's topic0) */
    const l2w_watch *other = watch(L2W_WATCH_INITIATION, "lr");
    if (other) {
        released_spec(&s, w, &id, &token, &recipient, &amount);
        s.topics[0] = other->topic0;
        decode_invalid(w, &s, "Released", "the initiation's topic0");
        s.topics[0] = watch(L2W_WATCH_PORTAL_PROVEN, "op-main")->topic0;
        decode_invalid(w, &s, "Released", "WithdrawalProven's topic0");
    }
}

/* BurnInitiated(bytes32 indexed messageId, address indexed token, address
 * indexed from, address to, uint256 amount), emitted on the L2. */
static void burn_spec(log_spec *s, const l2w_watch *w, const l2w_hash *id, const l2w_addr *token,
                      const l2w_addr *from, const l2w_addr *to, uint64_t amount)
{
    spec_init(s, w);
    topic_hash(s, id);
    topic_addr(s, token);
    topic_addr(s, from);
    data_addr(s, to);
    data_u64(s, amount);
}

static void test_burn_initiated(void)
{
    const l2w_watch *w = watch(L2W_WATCH_INITIATION, "lr");
    if (!w)
        return;
    CHECK(w >= op_watches && w < op_watches + n_op_watches); /* the L2's watch */
    l2w_hash id;
    memset(id.b, 0, 32);
    id.b[31] = 9;
    l2w_addr token, from, to;
    fill_addr(&token, 0x61);
    fill_addr(&from, 0x62);
    fill_addr(&to, 0x63);
    char want_token[43];
    key_of(want_token, &token);
    log_spec s;
    burn_spec(&s, w, &id, &token, &from, &to, 777);
    l2w_bridge_event e;
    if (decode_ok(&e, w, &s, "BurnInitiated")) {
        l2w_u256 want = l2w_u256_from_u64(777);
        CHECK(strcmp(e.kind, "initiation") == 0 && strcmp(e.token, want_token) == 0);
        CHECK(e.t.has_token && l2w_addr_eq(&e.t.token, &token));
        CHECK(e.t.has_message_id && l2w_hash_eq(&e.t.message_id, &id));
        CHECK_MSG(e.t.has_recipient && l2w_addr_eq(&e.t.recipient, &to), "the recipient is `to`, not `from`");
        CHECK(e.t.has_amount && l2w_u256_cmp(&e.t.amount, &want) == 0);
        CHECK(!e.has_sender && !e.has_success && e.check_status == 3);
    }
    s.n_topics = 2;
    decode_invalid(w, &s, "BurnInitiated", "2 topics");
    burn_spec(&s, w, &id, &token, &from, &to, 777);
    s.data_len = 63;
    decode_invalid(w, &s, "BurnInitiated", "63 data bytes");
    s.data_len = 32;
    decode_invalid(w, &s, "BurnInitiated", "32 data bytes");
    burn_spec(&s, w, &id, &token, &from, &to, 777);
    s.data[4] = 1;
    decode_invalid(w, &s, "BurnInitiated", "to with high bytes");
    burn_spec(&s, w, &id, &token, &from, &to, 777);
    s.topics[2].b[0] = 1;
    decode_invalid(w, &s, "BurnInitiated", "token with high bytes");
    burn_spec(&s, w, &id, &token, &from, &to, 777);
    s.topics[0] = watch(L2W_WATCH_RELEASE, "lr")->topic0;
    decode_invalid(w, &s, "BurnInitiated", "Released's topic0");
}

/* Unlocked(uint256 indexed id, address recipient, uint256 amount): no token
 * field, the bridge's one token (native) is the event's. */
static void test_single_token_release(void)
{
    const l2w_watch *w = watch(L2W_WATCH_RELEASE, "solo");
    if (!w)
        return;
    l2w_addr recipient;
    fill_addr(&recipient, 0x21);
    log_spec s;
    spec_init(&s, w);
    topic_u64(&s, 0x0102030405060708ULL);
    data_addr(&s, &recipient);
    data_u64(&s, 1000);
    l2w_bridge_event e;
    if (decode_ok(&e, w, &s, "Unlocked")) {
        l2w_hash want_id;
        word_of_u64(want_id.b, 0x0102030405060708ULL);
        l2w_u256 want = l2w_u256_from_u64(1000);
        CHECK(strcmp(e.kind, "release") == 0 && strcmp(e.token, "native") == 0 && !e.t.has_token);
        CHECK(e.t.has_message_id && l2w_hash_eq(&e.t.message_id, &want_id));
        CHECK(e.t.has_recipient && l2w_addr_eq(&e.t.recipient, &recipient));
        CHECK(e.t.has_amount && l2w_u256_cmp(&e.t.amount, &want) == 0);
        CHECK(e.check_status == 0);
    }
    s.data_len = 32;
    decode_invalid(w, &s, "Unlocked", "32 data bytes");
}

/* The oracle's watch is not a bridge event. */
static void test_not_a_bridge_watch(void)
{
    const l2w_watch *w = watch(L2W_WATCH_OUTPUT_PROPOSED, NULL);
    if (!w)
        return;
    log_spec s;
    spec_init(&s, w);
    topic_u64(&s, 1);
    topic_u64(&s, 2);
    topic_u64(&s, 3);
    data_u64(&s, 4);
    l2w_bridge_event e;
    l2w_err err;
    CHECK(decode_spec(&e, w, &s, &err) == L2W_ERR_INVALID && err.msg[0]);
}

/* ---- random logs ---- */

static void random_word(uint8_t w[32], bool small)
{
    for (int i = 0; i < 32; i += 8) {
        uint64_t r = l2w_test_rand();
        memcpy(w + i, &r, 8);
    }
    if (!small)
        return;
    /* an address, a small number or a bool: what gets a decoder further */
    switch (l2w_test_rand() % 3) {
    case 0:
        memset(w, 0, 12);
        break;
    case 1:
        memset(w, 0, 31);
        break;
    default:
        memset(w, 0, 31);
        w[31] &= 1;
        break;
    }
}

static void test_random_logs(void)
{
    (void)l2w_test_seed();
    const l2w_watch *all[2 * L2W_MAX_WATCHES];
    size_t n_all = 0;
    for (size_t i = 0; i < n_l1_watches; i++)
        all[n_all++] = &l1_watches[i];
    for (size_t i = 0; i < n_op_watches; i++)
        all[n_all++] = &op_watches[i];
    CHECK(n_all == 10);
    size_t decoded[16] = {0}, refused = 0;
    enum { ROUNDS = 50000 };
    for (size_t round = 0; round < ROUNDS; round++) {
        const l2w_watch *w = all[l2w_test_rand() % n_all];
        log_spec s;
        spec_init(&s, w);
        s.n_topics = (size_t)(l2w_test_rand() % (L2W_LOG_MAX_TOPICS + 1));
        for (size_t t = 0; t < L2W_LOG_MAX_TOPICS; t++)
            random_word(s.topics[t].b, l2w_test_rand() % 4 != 0);
        if (l2w_test_rand() % 8 != 0)
            s.topics[0] = w->topic0;
        uint64_t r = l2w_test_rand();
        s.data_len = (r & 1) ? (size_t)(r >> 1) % 300 : 32 * ((size_t)(r >> 1) % 9);
        for (size_t i = 0; i + 32 <= sizeof s.data; i += 32)
            random_word(s.data + i, l2w_test_rand() % 3 != 0);
        if (w->kind == L2W_WATCH_PORTAL_DEPOSIT && (l2w_test_rand() & 1)) {
            /* a plausible abi.encode(bytes) head */
            word_of_u64(s.data, 32);
            word_of_u64(s.data + 32, l2w_test_rand() % 300);
        }
        l2w_bridge_event e;
        l2w_err err;
        l2w_status st = decode_spec(&e, w, &s, &err);
        if (st == L2W_OK) {
            decoded[w->kind]++;
            CHECK_MSG(e.kind != NULL && strlen(e.token) < sizeof e.token, "round %zu", round);
            CHECK_MSG(e.check_status == 0 || e.check_status == 3, "round %zu", round);
            CHECK_MSG(w->kind != L2W_WATCH_OUTPUT_PROPOSED, "round %zu: an OutputProposed decoded", round);
        } else {
            refused++;
            CHECK_MSG(st == L2W_ERR_INVALID, "round %zu: status %d", round, (int)st);
            CHECK_MSG(err.msg[0] != '\0', "round %zu: no message", round);
        }
    }
    fprintf(stderr, "random logs: %d rounds, %zu refused; decoded by watch kind:", ROUNDS, refused);
    for (size_t k = 0; k <= L2W_WATCH_INITIATION; k++)
        fprintf(stderr, " %zu", decoded[k]);
    fputc('\n', stderr);
    /* every bridge kind was reached past its checks at least once */
    for (size_t k = L2W_WATCH_PORTAL_PROVEN; k <= L2W_WATCH_INITIATION; k++)
        CHECK_MSG(decoded[k] > 0, "watch kind %zu never decoded", k);
}

int main(void)
{
    l2w_err err = {{0}};
    if (l2w_config_parse(&cfg, config_text, strlen(config_text), "t.yaml", &err) != L2W_OK) {
        fprintf(stderr, "config: %s\n", err.msg);
        return 1;
    }
    n_l1_watches = l2w_watches_for_chain(cfg, "l1", l1_watches);
    n_op_watches = l2w_watches_for_chain(cfg, "op", op_watches);
    RUN(test_withdrawal_proven);
    RUN(test_withdrawal_finalized);
    RUN(test_transaction_deposited);
    RUN(test_erc20_bridge_finalized);
    RUN(test_erc20_bridge_initiated);
    RUN(test_eth_bridge_finalized);
    RUN(test_released);
    RUN(test_burn_initiated);
    RUN(test_single_token_release);
    RUN(test_not_a_bridge_watch);
    RUN(test_random_logs);
    l2w_config_free(cfg);
    return l2w_test_finish();
}
