/* forged_withdrawal: every branch of the OP Stack verdict, the storage slot
 * of the evidence, release matching for each mismatch, the grace period at
 * its boundary, and both findings. */
#include <stdlib.h>
#include <string.h>

#include "core/hex.h"
#include "detectors/forged_withdrawal.h"
#include "tests/unit/harness.h"

static l2w_hash filled(uint8_t byte)
{
    l2w_hash h;
    memset(h.b, byte, sizeof h.b);
    return h;
}

static l2w_addr addr(uint8_t byte)
{
    l2w_addr a;
    memset(a.b, byte, sizeof a.b);
    return a;
}

static const char *str_at(const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s ? s : "(missing)";
}

static json_t *reparse(const json_t *evidence)
{
    char *text = json_dumps(evidence, JSON_COMPACT);
    json_error_t jerr;
    json_t *back = text ? json_loads(text, JSON_REJECT_DUPLICATES, &jerr) : NULL;
    free(text);
    CHECK(back != NULL);
    return back;
}

/* ---- OP Stack ---- */

static l2w_proven_withdrawal proven(void)
{
    l2w_proven_withdrawal w;
    memset(&w, 0, sizeof w);
    snprintf(w.l2_chain, sizeof w.l2_chain, "op-local");
    CHECK(l2w_addr_from_hex(&w.portal, "0xbEb5Fc579115071764c7423A4f12eDde41f106Ed") == L2W_OK);
    for (int i = 0; i < 32; i++)
        w.withdrawal_hash.b[i] = (uint8_t)(i + 1); /* 0x0102...20 */
    w.from = addr(0xf1);
    w.to = addr(0x70);
    w.l1_block_number = 5000;
    w.l1_block_hash = filled(0xab);
    w.l1_tx_hash = filled(0xcd);
    w.l1_log_index = 3;
    w.output_root = filled(0xee);
    w.output_index = l2w_u256_from_u64(7);
    w.l2_block_number = l2w_u256_from_u64(100);
    return w;
}

static l2w_l2_message_check check(uint64_t head, uint64_t checked, bool sent)
{
    l2w_l2_message_check c = {head, checked, filled(0x42), sent, false};
    return c;
}

static void test_op_verdicts(void)
{
    l2w_proven_withdrawal w = proven(); /* claims L2 block 100 */
    l2w_fw_verdict v;
    l2w_err err = {{0}};
    struct {
        uint64_t head, checked;
        bool sent;
        l2w_status st;
        l2w_fw_verdict want;
    } cases[] = {
        {150, 100, true, L2W_OK, L2W_FW_BACKED},      /* past the block, message there */
        {150, 100, false, L2W_OK, L2W_FW_FORGED},     /* past the block, message missing */
        {100, 100, false, L2W_OK, L2W_FW_FORGED},     /* head exactly at the claimed block */
        {100, 100, true, L2W_OK, L2W_FW_BACKED},
        {99, 99, false, L2W_OK, L2W_FW_PENDING},      /* one block short: may still come */
        {90, 90, true, L2W_OK, L2W_FW_BACKED},        /* already sent below: an entry never goes */
        {150, 150, false, L2W_ERR_INVALID, 0},        /* checked at the head, past the claim */
        {150, 120, false, L2W_ERR_INVALID, 0},
        {90, 80, false, L2W_ERR_INVALID, 0},          /* below the claim but not at the head */
        {90, 100, false, L2W_ERR_INVALID, 0},         /* the claimed block, beyond the head */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        l2w_l2_message_check c = check(cases[i].head, cases[i].checked, cases[i].sent);
        err.msg[0] = '\0';
        l2w_status st = l2w_fw_judge_op(&v, &w, &c, &err);
        CHECK_MSG(st == cases[i].st, "case %zu: %s", i, l2w_status_str(st));
        if (st == L2W_OK)
            CHECK_MSG(v == cases[i].want, "case %zu: verdict %d", i, (int)v);
        else
            CHECK_MSG(strstr(err.msg, "op-local") != NULL, "case %zu: %s", i, err.msg);
    }
    /* A claimed block beyond 64 bits is never reached: pending at the head. */
    w.l2_block_number.w[1] = 1;
    l2w_l2_message_check c = check(UINT64_MAX, UINT64_MAX, false);
    CHECK(l2w_fw_judge_op(&v, &w, &c, &err) == L2W_OK && v == L2W_FW_PENDING);
    c = check(UINT64_MAX, 100, false);
    CHECK(l2w_fw_judge_op(&v, &w, &c, &err) == L2W_ERR_INVALID);
}

static l2w_bridge_subject portal_subject(void)
{
    l2w_bridge_subject s;
    memset(&s, 0, sizeof s);
    s.bridge = "op";
    s.chain = "l1";
    s.remote_chain = "op-local";
    s.symbol = "ETH";
    s.native = true;
    s.decimals = 18;
    CHECK(l2w_addr_from_hex(&s.escrow, "0xbEb5Fc579115071764c7423A4f12eDde41f106Ed") == L2W_OK);
    return s;
}

/* The claimed block could not be read (pruned state, a deleted output):
 * the head decides, both ways, whatever the claimed block. */
static void test_op_head_fallback(void)
{
    l2w_proven_withdrawal w = proven();
    l2w_fw_verdict v;
    l2w_err err;
    l2w_l2_message_check c = check(500, 500, false);
    c.at_head_fallback = true;
    CHECK(l2w_fw_judge_op(&v, &w, &c, &err) == L2W_OK && v == L2W_FW_FORGED);
    c.sent = true;
    CHECK(l2w_fw_judge_op(&v, &w, &c, &err) == L2W_OK && v == L2W_FW_BACKED);
    /* claimed block unknown (beyond any head) */
    memset(&w.l2_block_number, 0xff, sizeof w.l2_block_number);
    c = check(50, 50, false);
    c.at_head_fallback = true;
    CHECK(l2w_fw_judge_op(&v, &w, &c, &err) == L2W_OK && v == L2W_FW_FORGED);
    /* a fallback check not made at the head is refused */
    c = check(500, 100, false);
    c.at_head_fallback = true;
    CHECK(l2w_fw_judge_op(&v, &w, &c, &err) == L2W_ERR_INVALID && strstr(err.msg, "head") != NULL);
    /* and the finding says where it looked */
    c = check(500, 500, false);
    c.at_head_fallback = true;
    w = proven();
    l2w_bridge_subject s;
    memset(&s, 0, sizeof s);
    s.bridge = "op";
    s.chain = "l1";
    s.remote_chain = "op-local";
    s.symbol = "ETH";
    s.native = true;
    s.decimals = 18;
    l2w_finding f;
    CHECK(l2w_fw_finding_op(&f, &s, &w, &c, &err) == L2W_OK);
    CHECK(json_is_true(json_object_get(f.evidence, "checked_at_head")));
    CHECK(json_integer_value(json_object_get(f.evidence, "l2_checked_block")) == 500);
    l2w_finding_clear(&f);
}

static void test_op_finding(void)
{
    l2w_proven_withdrawal w = proven();
    l2w_l2_message_check c = check(150, 100, false);
    l2w_bridge_subject s = portal_subject();
    l2w_finding f;
    l2w_err err = {{0}};
    CHECK(l2w_fw_finding_op(&f, &s, &w, &c, &err) == L2W_OK);
    CHECK(f.kind && strcmp(f.kind, "forged_withdrawal") == 0 && f.severity == L2W_SEV_CRITICAL && strcmp(f.chain, "l1") == 0);
    CHECK(f.subject[0] == '\0');
    CHECK_MSG(strcmp(f.dedup_key, "forged_withdrawal:l1:0xbeb5fc579115071764c7423a4f12edde41f106ed:"
                                  "0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20:"
                                  "0xabababababababababababababababababababababababababababababababab:3") == 0,
              "%s", f.dedup_key);
    CHECK(f.has_anchor && strcmp(f.anchor_chain, "l1") == 0 && l2w_hash_eq(&f.anchor_block_hash, &w.l1_block_hash));
    CHECK(f.has_tx_hash && l2w_hash_eq(&f.tx_hash, &w.l1_tx_hash));
    uint64_t block = 0;
    CHECK(f.has_block_number && l2w_u256_to_u64(&block, &f.block_number) == L2W_OK && block == 5000);
    CHECK(strstr(f.title, "0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20 was never sent on "
                          "op-local") != NULL);
    json_t *ev = reparse(f.evidence);
    /* keccak256(0x0102..20 ‖ 32 zero bytes), computed with an independent
     * Keccak implementation; the same layout gives the known
     * keccak256(64 zero bytes) = 0xad3228b6... for a zero hash below. */
    CHECK(strcmp(str_at(ev, "storage_slot"), "0x506fecd382403ae0a419388b64adab18ca99d6f0438781fd0e64887a242cf560") ==
          0);
    CHECK(strcmp(str_at(ev, "message_passer"), "0x4200000000000000000000000000000000000016") == 0);
    CHECK(json_is_false(json_object_get(ev, "sent")));
    CHECK(strcmp(str_at(ev, "withdrawal_hash"), "0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20") ==
          0);
    CHECK(strcmp(str_at(ev, "portal"), "0xbeb5fc579115071764c7423a4f12edde41f106ed") == 0);
    CHECK(strcmp(str_at(ev, "from"), "0xf1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1") == 0);
    CHECK(strcmp(str_at(ev, "l2_block_number"), "100") == 0 && strcmp(str_at(ev, "output_index"), "7") == 0);
    CHECK(strcmp(str_at(ev, "l2_chain"), "op-local") == 0 && strcmp(str_at(ev, "l1_chain"), "l1") == 0);
    CHECK(json_integer_value(json_object_get(ev, "l2_checked_block")) == 100);
    CHECK(strcmp(str_at(ev, "l2_checked_block_hash"), "0x4242424242424242424242424242424242424242424242424242424242424242") ==
          0);
    CHECK(json_integer_value(json_object_get(ev, "l1_log_index")) == 3);
    CHECK(json_integer_value(json_object_get(ev, "l1_block_number")) == 5000);
    CHECK(strcmp(str_at(ev, "token"), "native") == 0 && strcmp(str_at(ev, "bridge"), "op") == 0);
    json_decref(ev);
    l2w_finding_clear(&f);

    memset(w.withdrawal_hash.b, 0, sizeof w.withdrawal_hash.b);
    CHECK(l2w_fw_finding_op(&f, &s, &w, &c, &err) == L2W_OK);
    CHECK(strcmp(str_at(f.evidence, "storage_slot"),
                 "0xad3228b676f7d3cd4284a5443f17f1962b36e491b30a40b2405849e597ba5fb5") == 0);
    l2w_finding_clear(&f);

    /* Only a FORGED check makes a finding. */
    c = check(150, 100, true);
    CHECK(l2w_fw_finding_op(&f, &s, &w, &c, &err) == L2W_ERR_INVALID && f.evidence == NULL);
    c = check(90, 90, false);
    CHECK(l2w_fw_finding_op(&f, &s, &w, &c, &err) == L2W_ERR_INVALID && f.evidence == NULL);
    c = check(150, 150, false);
    CHECK(l2w_fw_finding_op(&f, &s, &w, &c, &err) == L2W_ERR_INVALID && f.evidence == NULL);
}

/* ---- lock/release ---- */

static l2w_bridge_transfer transfer(void)
{
    l2w_bridge_transfer t;
    memset(&t, 0, sizeof t);
    t.block_number = 900;
    t.block_hash = filled(0x90);
    t.timestamp = 10000;
    t.tx_hash = filled(0x77);
    t.log_index = 2;
    t.has_message_id = true;
    t.message_id = filled(0x11);
    t.has_token = true;
    CHECK(l2w_addr_from_hex(&t.token, "0xA0b86991c6218b36c1D19D4a2e9Eb0cE3606eB48") == L2W_OK);
    t.has_recipient = true;
    t.recipient = addr(0x3e);
    t.has_amount = true;
    t.amount = l2w_u256_from_u64(100000000); /* 100 USDC */
    return t;
}

static void expect_release(const l2w_bridge_transfer *rel, const l2w_bridge_transfer *init, uint64_t synced,
                           uint32_t grace, l2w_fw_verdict want, l2w_fw_mismatch want_why, int line)
{
    l2w_fw_verdict v = (l2w_fw_verdict)99;
    l2w_fw_mismatch why = (l2w_fw_mismatch)99;
    l2w_err err = {{0}};
    l2w_status st = l2w_fw_judge_release(&v, &why, rel, init, synced, grace, &err);
    CHECK_MSG(st == L2W_OK && v == want && why == want_why, "line %d: status %s verdict %d why %d (%s)", line,
              l2w_status_str(st), (int)v, (int)why, err.msg);
}

static void test_release_timing(void)
{
    l2w_bridge_transfer rel = transfer(); /* at t=10000 */
    /* No initiation stored; grace 600 s: forged only once the source chain
     * is followed past 10600. */
    expect_release(&rel, NULL, 0, 600, L2W_FW_PENDING, L2W_FW_MISMATCH_NONE, __LINE__);
    expect_release(&rel, NULL, 10000, 600, L2W_FW_PENDING, L2W_FW_MISMATCH_NONE, __LINE__);
    expect_release(&rel, NULL, 10600, 600, L2W_FW_PENDING, L2W_FW_MISMATCH_NONE, __LINE__);
    expect_release(&rel, NULL, 10601, 600, L2W_FW_FORGED, L2W_FW_NO_INITIATION, __LINE__);
    expect_release(&rel, NULL, 10001, 0, L2W_FW_FORGED, L2W_FW_NO_INITIATION, __LINE__);
    /* A release time near the end of the clock does not wrap into the past. */
    rel.timestamp = UINT64_MAX - 10;
    expect_release(&rel, NULL, UINT64_MAX, 600, L2W_FW_PENDING, L2W_FW_MISMATCH_NONE, __LINE__);
    /* No message id: nothing could ever match, forged at once. */
    rel = transfer();
    rel.has_message_id = false;
    expect_release(&rel, NULL, 0, 600, L2W_FW_FORGED, L2W_FW_NO_INITIATION, __LINE__);
}

static void test_release_matching(void)
{
    l2w_bridge_transfer rel = transfer(), init = transfer();
    init.block_number = 40;
    init.tx_hash = filled(0x55);
    expect_release(&rel, &init, 0, 600, L2W_FW_BACKED, L2W_FW_MISMATCH_NONE, __LINE__);

    l2w_bridge_transfer other = init;
    other.token = addr(0xbb);
    expect_release(&rel, &other, 0, 600, L2W_FW_FORGED, L2W_FW_TOKEN_DIFFERS, __LINE__);
    other.has_token = false; /* only one side names a token: nothing to compare */
    expect_release(&rel, &other, 0, 600, L2W_FW_BACKED, L2W_FW_MISMATCH_NONE, __LINE__);

    other = init;
    other.recipient = addr(0x3f);
    expect_release(&rel, &other, 0, 600, L2W_FW_FORGED, L2W_FW_RECIPIENT_DIFFERS, __LINE__);
    other.token = addr(0xbb); /* token and recipient both differ: token first */
    expect_release(&rel, &other, 0, 600, L2W_FW_FORGED, L2W_FW_TOKEN_DIFFERS, __LINE__);
    l2w_bridge_transfer no_recipient = rel;
    no_recipient.has_recipient = false;
    other = init;
    other.recipient = addr(0x3f);
    expect_release(&no_recipient, &other, 0, 600, L2W_FW_BACKED, L2W_FW_MISMATCH_NONE, __LINE__);
    other.has_recipient = false; /* and the other way round */
    expect_release(&rel, &other, 0, 600, L2W_FW_BACKED, L2W_FW_MISMATCH_NONE, __LINE__);

    /* The release may pay less (fees), not more: 100 USDC against 99.999999. */
    other = init;
    other.amount = l2w_u256_from_u64(99999999);
    expect_release(&rel, &other, 0, 600, L2W_FW_FORGED, L2W_FW_AMOUNT_EXCEEDS, __LINE__);
    other.amount = l2w_u256_from_u64(100000001);
    expect_release(&rel, &other, 0, 600, L2W_FW_BACKED, L2W_FW_MISMATCH_NONE, __LINE__);
    other.amount = l2w_u256_from_u64(1); /* a value that would mismatch, were it given */
    other.has_amount = false;
    expect_release(&rel, &other, 0, 600, L2W_FW_BACKED, L2W_FW_MISMATCH_NONE, __LINE__);

    /* An initiation for another message is the caller's mistake. */
    l2w_fw_verdict v;
    l2w_fw_mismatch why;
    l2w_err err = {{0}};
    other = init;
    other.message_id.b[31] ^= 1;
    CHECK(l2w_fw_judge_release(&v, &why, &rel, &other, 0, 600, &err) == L2W_ERR_INVALID);
    CHECK_MSG(strstr(err.msg, "0x1111") != NULL, "%s", err.msg);
    other.has_message_id = false;
    CHECK(l2w_fw_judge_release(&v, &why, &rel, &other, 0, 600, &err) == L2W_ERR_INVALID);
}

static l2w_bridge_subject usdc_subject(void)
{
    l2w_bridge_subject s;
    memset(&s, 0, sizeof s);
    s.bridge = "lr";
    s.chain = "l1";
    s.remote_chain = "side";
    s.symbol = "USDC";
    s.decimals = 6;
    CHECK(l2w_addr_from_hex(&s.token, "0xA0b86991c6218b36c1D19D4a2e9Eb0cE3606eB48") == L2W_OK);
    s.escrow = addr(0xe5);
    return s;
}

static void test_release_finding(void)
{
    l2w_bridge_subject s = usdc_subject();
    l2w_bridge_transfer rel = transfer();
    l2w_finding f;
    l2w_err err = {{0}};
    CHECK(l2w_fw_finding_release(&f, &s, &rel, NULL, L2W_FW_NO_INITIATION, &err) == L2W_OK);
    CHECK(f.kind && strcmp(f.kind, "forged_withdrawal") == 0 && f.severity == L2W_SEV_CRITICAL && strcmp(f.chain, "l1") == 0);
    CHECK(f.subject[0] == '\0');
    CHECK_MSG(strcmp(f.dedup_key, "forged_withdrawal:lr:"
                                  "0x1111111111111111111111111111111111111111111111111111111111111111:"
                                  "0x9090909090909090909090909090909090909090909090909090909090909090:2") == 0,
              "%s", f.dedup_key);
    CHECK(f.has_anchor && strcmp(f.anchor_chain, "l1") == 0 && l2w_hash_eq(&f.anchor_block_hash, &rel.block_hash));
    CHECK(f.has_tx_hash && l2w_hash_eq(&f.tx_hash, &rel.tx_hash));
    uint64_t block = 0;
    CHECK(f.has_block_number && l2w_u256_to_u64(&block, &f.block_number) == L2W_OK && block == 900);
    CHECK_MSG(strstr(f.title, "release on l1 at block 900 has no initiation") != NULL, "%s", f.title);
    CHECK_MSG(strstr(f.summary, "released 100 USDC (100000000 base units) to 0x3e3e") != NULL, "%s", f.summary);
    CHECK(strstr(f.summary, "No initiation with this message id was seen on side") != NULL);
    json_t *ev = reparse(f.evidence);
    CHECK(strcmp(str_at(ev, "why"), "no_initiation") == 0);
    CHECK(json_object_get(ev, "initiation") == NULL);
    const json_t *r = json_object_get(ev, "release");
    CHECK(strcmp(str_at(r, "amount"), "100000000") == 0);
    CHECK(strcmp(str_at(r, "message_id"), "0x1111111111111111111111111111111111111111111111111111111111111111") == 0);
    CHECK(strcmp(str_at(r, "token"), "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48") == 0);
    CHECK(json_integer_value(json_object_get(r, "log_index")) == 2);
    CHECK(strcmp(str_at(ev, "escrow"), "0xe5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5") == 0);
    CHECK(strcmp(str_at(ev, "remote_chain"), "side") == 0);
    json_decref(ev);
    l2w_finding_clear(&f);

    /* Without a message id the key says so and the evidence has null. */
    rel.has_message_id = false;
    CHECK(l2w_fw_finding_release(&f, &s, &rel, NULL, L2W_FW_NO_INITIATION, &err) == L2W_OK);
    CHECK_MSG(strcmp(f.dedup_key,
                     "forged_withdrawal:lr:none:0x9090909090909090909090909090909090909090909090909090909090909090:2") ==
                  0,
              "%s", f.dedup_key);
    CHECK(json_is_null(json_object_get(json_object_get(f.evidence, "release"), "message_id")));
    CHECK(strstr(f.summary, "names no message id") != NULL);
    l2w_finding_clear(&f);

    /* Paying more than was locked: the initiation is in the evidence. */
    rel = transfer();
    l2w_bridge_transfer init = transfer();
    init.amount = l2w_u256_from_u64(90000000);
    CHECK(l2w_fw_finding_release(&f, &s, &rel, &init, L2W_FW_AMOUNT_EXCEEDS, &err) == L2W_OK);
    ev = reparse(f.evidence);
    CHECK(strcmp(str_at(ev, "why"), "amount_exceeds") == 0);
    CHECK(strcmp(str_at(json_object_get(ev, "initiation"), "amount"), "90000000") == 0);
    CHECK(strstr(f.summary, "was for 90 USDC (90000000 base units); the release pays more") != NULL);
    CHECK(strstr(f.title, "pays more than its initiation") != NULL);
    json_decref(ev);
    l2w_finding_clear(&f);

    /* A release paying another token than the subject's: no USDC label on
     * it, base units and the token instead. */
    rel.token = addr(0xbb);
    CHECK(l2w_fw_finding_release(&f, &s, &rel, &init, L2W_FW_TOKEN_DIFFERS, &err) == L2W_OK);
    CHECK_MSG(strstr(f.summary, "released 100000000 base units of token 0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb") !=
                  NULL,
              "%s", f.summary);
    CHECK(strstr(f.summary, "locked token 0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48") != NULL);
    CHECK(strcmp(str_at(f.evidence, "why"), "token_differs") == 0);
    l2w_finding_clear(&f);

    CHECK(l2w_fw_finding_release(&f, &s, &rel, &init, L2W_FW_MISMATCH_NONE, &err) == L2W_ERR_INVALID);
    CHECK(f.evidence == NULL);
    CHECK(l2w_fw_finding_release(&f, &s, &rel, NULL, L2W_FW_RECIPIENT_DIFFERS, &err) == L2W_ERR_INVALID);
    CHECK(f.evidence == NULL);
}

int main(void)
{
    (void)l2w_test_seed();
    RUN(test_op_verdicts);
    RUN(test_op_head_fallback);
    RUN(test_op_finding);
    RUN(test_release_timing);
    RUN(test_release_matching);
    RUN(test_release_finding);
    return l2w_test_finish();
}
