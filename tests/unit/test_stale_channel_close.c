/* stale_channel_close (detectors/stale_channel_close.c) and the channel
 * facts it stands on: the verdict on each side of the held version, the
 * findings' keys, subject, evidence and anchor; and the Vector channel
 * address the intake checks (core/channel_intake.c) against a CREATE2
 * address computed by Foundry's cast. */
#include <string.h>

#include "core/channel_intake.h"
#include "core/hex.h"
#include "detectors/stale_channel_close.h"
#include "tests/unit/harness.h"

static l2w_channel_dispute nitro_dispute(uint64_t turn)
{
    l2w_channel_dispute d;
    memset(&d, 0, sizeof d);
    d.protocol = L2W_CHANNEL_NITRO;
    d.channel_len = 32;
    memset(d.channel, 0xab, 32);
    d.version = l2w_u256_from_u64(turn);
    d.deadline = 1700003600;
    d.block_number = 77;
    d.block_timestamp = 1700000000;
    memset(d.block_hash.b, 0x11, 32);
    memset(d.tx_hash.b, 0x22, 32);
    d.log_index = 3;
    return d;
}

static void test_verdicts(void)
{
    l2w_channel_dispute d = nitro_dispute(4);
    l2w_channel_held h = {0};
    CHECK(l2w_stale_channel_close_judge(&d, &h) == L2W_CHANNEL_NOT_WATCHED);
    h.held = true;
    h.version = l2w_u256_from_u64(6);
    CHECK(l2w_stale_channel_close_judge(&d, &h) == L2W_CHANNEL_STALE);
    h.version = l2w_u256_from_u64(4);
    CHECK(l2w_stale_channel_close_judge(&d, &h) == L2W_CHANNEL_CURRENT); /* the held state itself */
    h.version = l2w_u256_from_u64(3);
    CHECK(l2w_stale_channel_close_judge(&d, &h) == L2W_CHANNEL_CURRENT); /* newer than held */
    /* versions beyond 64 bits compare as numbers */
    l2w_u256 big = {{0, 0, 0, 1}};
    d.version = big;
    h.version = (l2w_u256){{0, 0, 1, 1}};
    CHECK(l2w_stale_channel_close_judge(&d, &h) == L2W_CHANNEL_STALE);
}

static void test_findings(void)
{
    l2w_channel_dispute d = nitro_dispute(4);
    json_t *doc = json_pack("{s:s}", "protocol", "nitro");
    l2w_channel_held h = {.held = true, .version = l2w_u256_from_u64(6), .doc = doc};
    memset(h.state_hash.b, 0x33, 32);
    l2w_finding f;
    l2w_err err = {{0}};
    CHECK(l2w_stale_channel_close_finding(&f, "l1", &d, &h, &err) == L2W_OK);
    CHECK(strcmp(f.kind, "stale_channel_close") == 0 && f.severity == L2W_SEV_CRITICAL);
    CHECK(strcmp(f.dedup_key, "stale_channel_close:l1:0x1111111111111111111111111111111111111111111111111111111111111111:3")
          == 0);
    CHECK(strncmp(f.subject, "channel:nitro:0xabab", 20) == 0 && strlen(f.subject) == strlen("channel:nitro:") + 66);
    CHECK(f.has_anchor && strcmp(f.anchor_chain, "l1") == 0 && f.anchor_block_hash.b[0] == 0x11);
    CHECK(f.has_tx_hash && f.tx_hash.b[31] == 0x22);
    const json_t *ev = f.evidence;
    CHECK(strcmp(json_string_value(json_object_get(ev, "onchainVersion")), "4") == 0);
    CHECK(strcmp(json_string_value(json_object_get(ev, "heldVersion")), "6") == 0);
    CHECK(json_integer_value(json_object_get(ev, "deadline")) == 1700003600);
    CHECK(json_integer_value(json_object_get(ev, "windowStart")) == 1700000000);
    CHECK(json_object_get(ev, "held") == doc); /* the held submission, for the response */
    CHECK(json_object_get(ev, "disputer") == NULL);
    CHECK(strstr(f.summary, "finalizesAt 1700003600") != NULL);
    l2w_finding_clear(&f);

    /* a current dispute is no finding */
    h.version = l2w_u256_from_u64(4);
    CHECK(l2w_stale_channel_close_finding(&f, "l1", &d, &h, &err) == L2W_ERR_INVALID);
    l2w_finding_clear(&f);

    CHECK(l2w_channel_window_closing_finding(&f, "l1", &d, 42, 120, "sent", &err) == L2W_OK);
    CHECK(strcmp(f.kind, "channel_window_closing") == 0 && f.severity == L2W_SEV_CRITICAL && f.subject[0] == '\0');
    CHECK(strncmp(f.dedup_key, "channel_window_closing:l1:0x11", 30) == 0);
    CHECK(json_integer_value(json_object_get(f.evidence, "staleFinding")) == 42);
    CHECK(json_integer_value(json_object_get(f.evidence, "secondsLeft")) == 120);
    CHECK(strcmp(json_string_value(json_object_get(f.evidence, "response")), "sent") == 0);
    l2w_finding_clear(&f);
    json_decref(doc);
}

/* Known answer from
 *   cast create2 --deployer F --salt $(cast keccak $(cast concat-hex A B $(cast to-uint256 31337)))
 *     --init-code $(cast concat-hex 0x3d602d80600a3d3981f3363d3d373d3d3d363d73 M 0x5af43d82803e903d91602b57fd5bf3)
 * with the addresses below. */
static void test_vector_channel_address(void)
{
    l2w_addr f, m, a, b, got, want;
    CHECK(l2w_addr_from_hex(&f, "0x5FbDB2315678afecb367f032d93F642f64180aa3") == L2W_OK);
    CHECK(l2w_addr_from_hex(&m, "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512") == L2W_OK);
    CHECK(l2w_addr_from_hex(&a, "0x14dC79964da2C08b23698B3D3cc7Ca32193d9955") == L2W_OK);
    CHECK(l2w_addr_from_hex(&b, "0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f") == L2W_OK);
    CHECK(l2w_addr_from_hex(&want, "0x4285aB2d7d04959E24cB400A061324144CFCA249") == L2W_OK);
    l2w_vector_channel_address(&got, &f, &m, 31337, &a, &b);
    CHECK(l2w_addr_eq(&got, &want));
    /* the pair is ordered, and the chain id is in the salt */
    l2w_vector_channel_address(&got, &f, &m, 31337, &b, &a);
    CHECK(!l2w_addr_eq(&got, &want));
    l2w_vector_channel_address(&got, &f, &m, 1, &a, &b);
    CHECK(!l2w_addr_eq(&got, &want));
}

/* The receipt hash commits to every field: changing any one changes it. */
static void test_receipt_hash(void)
{
    l2w_channel_submission s;
    memset(&s, 0, sizeof s);
    s.protocol = L2W_CHANNEL_VECTOR;
    s.channel_len = 20;
    memset(s.channel, 0x44, 20);
    s.version = l2w_u256_from_u64(5);
    memset(s.state_hash.b, 0x55, 32);
    l2w_hash base, h;
    l2w_channel_receipt_hash(&base, 900, &s);
    l2w_channel_receipt_hash(&h, 900, &s);
    CHECK(l2w_hash_eq(&h, &base));
    l2w_channel_receipt_hash(&h, 901, &s);
    CHECK(!l2w_hash_eq(&h, &base));
    s.version = l2w_u256_from_u64(6);
    l2w_channel_receipt_hash(&h, 900, &s);
    CHECK(!l2w_hash_eq(&h, &base));
    s.version = l2w_u256_from_u64(5);
    s.state_hash.b[31] ^= 1;
    l2w_channel_receipt_hash(&h, 900, &s);
    CHECK(!l2w_hash_eq(&h, &base));
    s.state_hash.b[31] ^= 1;
    s.protocol = L2W_CHANNEL_NITRO;
    l2w_channel_receipt_hash(&h, 900, &s);
    CHECK(!l2w_hash_eq(&h, &base));
    l2w_hash d1, d2;
    l2w_channel_receipt_digest(&d1, &base);
    l2w_channel_receipt_digest(&d2, &h);
    CHECK(!l2w_hash_eq(&d1, &d2) && !l2w_hash_eq(&d1, &base));
}

int main(void)
{
    RUN(test_verdicts);
    RUN(test_findings);
    RUN(test_vector_channel_address);
    RUN(test_receipt_hash);
    return l2w_test_finish();
}
