/* secp256k1: recover(sign(d)) is the key's address, signatures are low-s and
 * deterministic (RFC 6979), bad keys and signatures are refused, and each
 * thread's context works and goes away with its thread. */
#include <jansson.h>
#include <pthread.h>
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

/* ------------------------------------------------------------ secp */

static void test_sign_recover_random(void)
{
    for (int round = 0; round < 300; round++) {
        uint8_t key[32], digest[32];
        l2w_test_random_seckey(key);
        l2w_test_fill_random(digest, sizeof digest);
        l2w_addr addr, got;
        l2w_signature sig;
        l2w_err err = {{0}};
        CHECK(l2w_secp_address(&addr, key, &err) == L2W_OK);
        CHECK(l2w_secp_sign(&sig, key, digest, &err) == L2W_OK);
        CHECK(sig.recid == 0 || sig.recid == 1);
        CHECK_MSG(l2w_secp_signature_check(&sig, &err) == L2W_OK, "low-s: %s", err.msg);
        CHECK_MSG(l2w_secp_recover(&got, digest, &sig, &err) == L2W_OK, "%s", err.msg);
        CHECK_MSG(l2w_addr_eq(&addr, &got), "round %d: recovered another address", round);
        l2w_signature again;
        CHECK(l2w_secp_sign(&again, key, digest, &err) == L2W_OK);
        CHECK_MSG(memcmp(&again, &sig, sizeof sig) == 0, "RFC 6979 must be deterministic");
        digest[0] ^= 1;
        CHECK(l2w_secp_recover(&got, digest, &sig, &err) != L2W_OK || !l2w_addr_eq(&addr, &got));
    }
}

static void test_known_address(void)
{
    /* The EIP-155 example key; its address is the one every wallet shows. */
    uint8_t key[32];
    memset(key, 0x46, sizeof key);
    l2w_addr a;
    l2w_err err;
    CHECK(l2w_secp_address(&a, key, &err) == L2W_OK);
    CHECK(l2w_test_hex_equals(a.b, 20, "0x9d8a62f656a8d1615c1294fd71e9cfb3e4855a4f"));
}

static void test_bad_keys(void)
{
    uint8_t zero[32] = {0}, n[32], n_plus_1[32], ones[32];
    memcpy(n, l2w_test_curve_order, 32);
    memcpy(n_plus_1, l2w_test_curve_order, 32);
    n_plus_1[31]++;
    memset(ones, 0xff, sizeof ones);
    const uint8_t *bad[] = {zero, n, n_plus_1, ones};
    uint8_t digest[32] = {1};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        l2w_err err = {{0}};
        l2w_signature sig;
        l2w_addr a;
        CHECK(l2w_secp_seckey_check(bad[i], &err) == L2W_ERR_INVALID && err.msg[0]);
        CHECK(l2w_secp_sign(&sig, bad[i], digest, &err) == L2W_ERR_INVALID);
        CHECK(l2w_secp_address(&a, bad[i], &err) == L2W_ERR_INVALID);
    }
    uint8_t n_minus_1[32];
    memcpy(n_minus_1, l2w_test_curve_order, 32);
    n_minus_1[31]--;
    l2w_err err;
    CHECK(l2w_secp_seckey_check(n_minus_1, &err) == L2W_OK);
}

static void test_bad_signatures(void)
{
    uint8_t key[32], digest[32];
    l2w_test_random_seckey(key);
    l2w_test_fill_random(digest, sizeof digest);
    l2w_signature good, sig;
    l2w_addr a;
    l2w_err err = {{0}};
    CHECK(l2w_secp_sign(&good, key, digest, &err) == L2W_OK);

    sig = good;
    l2w_test_flip_s(&sig);
    CHECK(l2w_secp_recover(&a, digest, &sig, &err) == L2W_ERR_INVALID && strstr(err.msg, "n/2"));
    int recids[] = {-1, 4, 27};
    for (size_t i = 0; i < sizeof recids / sizeof recids[0]; i++) {
        sig = good;
        sig.recid = recids[i];
        CHECK(l2w_secp_recover(&a, digest, &sig, &err) == L2W_ERR_INVALID && strstr(err.msg, "recovery id"));
    }
    sig = good;
    memset(sig.r, 0, 32);
    CHECK(l2w_secp_recover(&a, digest, &sig, &err) == L2W_ERR_INVALID);
    sig = good;
    memcpy(sig.r, l2w_test_curve_order, 32);
    CHECK(l2w_secp_recover(&a, digest, &sig, &err) == L2W_ERR_INVALID);
}

static void *sign_in_thread(void *arg)
{
    int *failures = arg;
    for (int i = 0; i < 20; i++) {
        uint8_t key[32], digest[32];
        memset(key, 0x11 + i, sizeof key);
        memset(digest, i, sizeof digest);
        l2w_signature sig;
        l2w_addr want, got;
        l2w_err err;
        if (l2w_secp_address(&want, key, &err) != L2W_OK || l2w_secp_sign(&sig, key, digest, &err) != L2W_OK ||
            l2w_secp_recover(&got, digest, &sig, &err) != L2W_OK || !l2w_addr_eq(&want, &got))
            (*failures)++;
    }
    /* No cleanup call: the context must go with the thread (LeakSanitizer
     * reports it otherwise). */
    return NULL;
}

static void test_threads(void)
{
    pthread_t t[2];
    int failures[2] = {0, 0};
    for (int i = 0; i < 2; i++)
        CHECK(pthread_create(&t[i], NULL, sign_in_thread, &failures[i]) == 0);
    for (int i = 0; i < 2; i++)
        CHECK(pthread_join(t[i], NULL) == 0);
    CHECK(failures[0] == 0 && failures[1] == 0);
    /* Cleanup, then use again: a new context is made. */
    l2w_secp_thread_cleanup();
    l2w_secp_thread_cleanup();
    uint8_t key[32];
    l2w_test_random_seckey(key);
}

int main(void)
{
    (void)l2w_test_seed();
    RUN(test_sign_recover_random);
    RUN(test_known_address);
    RUN(test_bad_keys);
    RUN(test_bad_signatures);
    RUN(test_threads);
    l2w_secp_thread_cleanup();
    return l2w_test_finish();
}
