#ifndef L2W_TEST_CRYPTO_SUPPORT_H
#define L2W_TEST_CRYPTO_SUPPORT_H

/* Helpers shared by the transaction, secp256k1 and message-digest tests. */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/secp.h"

/* The secp256k1 group order n, big-endian. */
extern const uint8_t l2w_test_curve_order[32];

void l2w_test_fill_random(uint8_t *b, size_t n);
/* A random valid private key. */
void l2w_test_random_seckey(uint8_t key[32]);
/* Parses a JSON file (a CHECK fails when it cannot); NULL on failure. */
json_t *l2w_test_load_json(const char *path);
/* The string member key of obj, or "" (and a failed CHECK) when missing. */
const char *l2w_test_json_str(const json_t *obj, const char *key);
/* Whether b[0..n) prints as hex (0x, lowercase); prints both when not. */
bool l2w_test_hex_equals(const uint8_t *b, size_t n, const char *hex);
/* s -> n - s (and the other recovery id): the high-s twin of a signature. */
void l2w_test_flip_s(l2w_signature *sig);

#endif
