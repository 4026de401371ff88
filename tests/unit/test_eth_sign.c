/* Message digests: EIP-191, the EIP-712 Mail example
 * (tests/vectors/eip712/mail.json, with its published hashes and signature)
 * and malformed typed-data documents, each refused with its path. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "core/eth_sign.h"
#include "core/hex.h"
#include "core/keccak.h"
#include "core/rlp.h"
#include "core/secp.h"
#include "core/tx.h"
#include "tests/unit/harness.h"
#include "tests/unit/support/crypto_support.h"

/* ------------------------------------------------------------ EIP-191 / EIP-712 */

static void test_eip191(void)
{
    l2w_hash h;
    /* personal_sign("hello"), the value every wallet library documents. */
    l2w_eip191_digest(&h, (const uint8_t *)"hello", 5);
    CHECK(l2w_test_hex_equals(h.b, 32, "0x50b2c43fd39106bafbba0da34fc430e1f91e3c96ea2acee2bc34119f92b37750"));
    /* A 1000-byte message: the length is written in decimal, four digits. */
    uint8_t msg[1000], full[26 + 4 + 1000];
    l2w_test_fill_random(msg, sizeof msg);
    memcpy(full, "\x19" "Ethereum Signed Message:\n1000", 30);
    memcpy(full + 30, msg, sizeof msg);
    l2w_hash want;
    l2w_keccak256_hash(&want, full, sizeof full);
    l2w_eip191_digest(&h, msg, sizeof msg);
    CHECK(l2w_hash_eq(&h, &want));
}

static char *mail_path(void)
{
    static char path[4096];
    const char *src = getenv("L2W_SOURCE_DIR");
    snprintf(path, sizeof path, "%s/tests/vectors/eip712/mail.json", src ? src : ".");
    return path;
}

static void test_eip712_mail(void)
{
    json_t *root = l2w_test_load_json(mail_path());
    const json_t *doc = json_object_get(root, "typed_data");
    l2w_eip712_hashes h;
    l2w_err err = {{0}};
    CHECK_MSG(l2w_eip712_hash(&h, doc, &err) == L2W_OK, "%s", err.msg);
    CHECK(l2w_test_hex_equals(h.domain_separator.b, 32, l2w_test_json_str(root, "domain_separator")));
    CHECK(l2w_test_hex_equals(h.message_hash.b, 32, l2w_test_json_str(root, "message_hash")));
    CHECK(l2w_test_hex_equals(h.digest.b, 32, l2w_test_json_str(root, "digest")));
    char *type_text = NULL;
    CHECK(l2w_eip712_encode_type(&type_text, json_object_get(doc, "types"), "Mail", &err) == L2W_OK);
    CHECK_MSG(type_text && strcmp(type_text, l2w_test_json_str(root, "encode_type")) == 0, "%s", type_text);
    free(type_text);

    uint8_t key[32];
    l2w_signature sig;
    const json_t *want = json_object_get(root, "signature");
    CHECK(l2w_hex_decode_exact(key, 32, l2w_test_json_str(root, "private_key")) == L2W_OK);
    CHECK(l2w_secp_sign(&sig, key, h.digest.b, &err) == L2W_OK);
    CHECK(l2w_test_hex_equals(sig.r, 32, l2w_test_json_str(want, "r")) && l2w_test_hex_equals(sig.s, 32, l2w_test_json_str(want, "s")));
    CHECK(27 + sig.recid == json_integer_value(json_object_get(want, "v")));
    l2w_addr a;
    CHECK(l2w_secp_recover(&a, h.digest.b, &sig, &err) == L2W_OK && l2w_test_hex_equals(a.b, 20, l2w_test_json_str(root, "address")));

    /* Without types.EIP712Domain the domain type is implied from its fields. */
    json_t *implied = json_deep_copy(doc);
    json_object_del(json_object_get(implied, "types"), "EIP712Domain");
    l2w_eip712_hashes h2;
    CHECK_MSG(l2w_eip712_hash(&h2, implied, &err) == L2W_OK, "%s", err.msg);
    CHECK(l2w_hash_eq(&h.digest, &h2.digest));
    json_decref(implied);
    json_decref(root);
}

static void test_eip712_domain_only(void)
{
    json_t *root = l2w_test_load_json(mail_path());
    json_t *doc = json_deep_copy(json_object_get(root, "typed_data"));
    json_object_set_new(doc, "primaryType", json_string("EIP712Domain"));
    l2w_eip712_hashes h;
    l2w_err err = {{0}};
    CHECK_MSG(l2w_eip712_hash(&h, doc, &err) == L2W_OK, "%s", err.msg);
    uint8_t buf[34] = {0x19, 0x01};
    memcpy(buf + 2, h.domain_separator.b, 32);
    l2w_hash want, zero = {{0}};
    l2w_keccak256_hash(&want, buf, sizeof buf);
    CHECK(l2w_hash_eq(&h.digest, &want) && l2w_hash_eq(&h.message_hash, &zero));
    json_decref(doc);
    json_decref(root);
}

/* One malformed variant of the Mail document: a JSON patch applied with
 * json_object_update_recursive, and the words its error must contain. */
typedef struct {
    const char *patch;
    const char *needle;
} bad_doc;

static const bad_doc bad_docs[] = {
    {"{\"types\": {\"Person\": [{\"name\": \"name\", \"type\": \"string\"}, {\"name\": \"wallet\", \"type\": \"adress\"}]}}",
     "types.Person[1]: unknown type \"adress\""},
    {"{\"types\": {\"Person\": [{\"name\": \"name\", \"type\": \"string\"}, {\"name\": \"wallet\", \"type\": \"address\"},"
     " {\"name\": \"age\", \"type\": \"uint8\"}]}}",
     "message.from.age: missing"},
    {"{\"message\": {\"contents\": 5}}", "message.contents: expected a string"},
    {"{\"message\": {\"extra\": \"x\"}}", "message.extra: is not a field of Mail"},
    {"{\"primaryType\": \"Letter\"}", "primaryType: \"Letter\" is not defined"},
    {"{\"types\": {\"Person\": [{\"name\": \"name\", \"type\": \"string\"}, {\"name\": \"boss\", \"type\": \"Mail\"}]}}",
     "cyclic"},
    {"{\"types\": {\"Person\": [{\"name\": \"name\", \"type\": \"uint8\"}, {\"name\": \"wallet\", \"type\": \"address\"}]},"
     " \"message\": {\"from\": {\"name\": 256}}}",
     "message.from.name"},
    {"{\"types\": {\"Person\": [{\"name\": \"name\", \"type\": \"int8\"}, {\"name\": \"wallet\", \"type\": \"address\"}]},"
     " \"message\": {\"from\": {\"name\": \"-129\"}}}",
     "message.from.name"},
    {"{\"types\": {\"Mail\": [{\"name\": \"from\", \"type\": \"Person\"}, {\"name\": \"to\", \"type\": \"Person\"},"
     " {\"name\": \"contents\", \"type\": \"string[2]\"}]}, \"message\": {\"contents\": [\"a\"]}}",
     "message.contents: has 1 elements, expected 2"},
    {"{\"types\": {\"Mail\": [{\"name\": \"from\", \"type\": \"Person\"}, {\"name\": \"to\", \"type\": \"Person\"},"
     " {\"name\": \"contents\", \"type\": \"bytes32\"}]}, \"message\": {\"contents\": \"0x1234\"}}",
     "message.contents"},
    {"{\"message\": {\"to\": {\"wallet\": \"0x1234\"}}}", "message.to.wallet"},
    {"{\"domain\": {\"salt\": \"0x00\"}}", "domain.salt: is not a field of EIP712Domain"},
    {"{\"types\": {\"Person\": [{\"name\": \"name\", \"type\": \"string\"}, {\"name\": \"name\", \"type\": \"address\"}]}}",
     "appears twice"},
    {"{\"types\": {\"uint256\": [{\"name\": \"x\", \"type\": \"bool\"}]}}", "atomic type"},
    {"{\"types\": {\"Mail\": [{\"name\": \"from\", \"type\": \"Person[0]\"}]}}", "array length"},
    {"{\"types\": {\"Mail\": [{\"name\": \"from\", \"type\": \"uint\"}]}}", "unknown type \"uint\""},
    {"{\"types\": {\"Mail\": [{\"name\": \"bad name\", \"type\": \"bool\"}]}}", "not an identifier"},
    {"{\"types\": 3}", "types: expected an object"},
};

static void test_eip712_refusals(void)
{
    json_t *root = l2w_test_load_json(mail_path());
    for (size_t i = 0; i < sizeof bad_docs / sizeof bad_docs[0]; i++) {
        json_t *doc = json_deep_copy(json_object_get(root, "typed_data"));
        json_error_t jerr;
        json_t *patch = json_loads(bad_docs[i].patch, 0, &jerr);
        CHECK_MSG(patch != NULL, "patch %zu: %s", i, jerr.text);
        json_object_update_recursive(doc, patch);
        l2w_eip712_hashes h;
        l2w_err err = {{0}};
        l2w_status st = l2w_eip712_hash(&h, doc, &err);
        CHECK_MSG(st != L2W_OK, "bad doc %zu accepted", i);
        CHECK_MSG(strstr(err.msg, bad_docs[i].needle), "bad doc %zu: \"%s\" lacks \"%s\"", i, err.msg,
                  bad_docs[i].needle);
        json_decref(patch);
        json_decref(doc);
    }
    l2w_eip712_hashes h;
    l2w_err err = {{0}};
    const char *dup = "{\"types\": {}, \"types\": {}}";
    CHECK(l2w_eip712_hash_text(&h, dup, strlen(dup), &err) != L2W_OK);
    json_decref(root);
}

int main(void)
{
    (void)l2w_test_seed();
    RUN(test_eip191);
    RUN(test_eip712_mail);
    RUN(test_eip712_domain_only);
    RUN(test_eip712_refusals);
    l2w_secp_thread_cleanup();
    return l2w_test_finish();
}
