#include "tests/unit/support/crypto_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hex.h"
#include "core/u256.h"
#include "tests/unit/harness.h"

const uint8_t l2w_test_curve_order[32] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                          0xff, 0xff, 0xff, 0xff, 0xfe, 0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48,
                                          0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};

void l2w_test_fill_random(uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)l2w_test_rand();
}

void l2w_test_random_seckey(uint8_t key[32])
{
    l2w_err err;
    do
        l2w_test_fill_random(key, 32);
    while (l2w_secp_seckey_check(key, &err) != L2W_OK);
}

json_t *l2w_test_load_json(const char *path)
{
    char *text = l2w_test_read_file(path);
    CHECK_MSG(text != NULL, "cannot read %s", path);
    json_error_t jerr;
    json_t *root = text ? json_loads(text, JSON_REJECT_DUPLICATES, &jerr) : NULL;
    CHECK_MSG(!text || root, "%s: %s", path, jerr.text);
    free(text);
    return root;
}

const char *l2w_test_json_str(const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    CHECK_MSG(s != NULL, "missing string %s", key);
    return s ? s : "";
}

bool l2w_test_hex_equals(const uint8_t *b, size_t n, const char *hex)
{
    char *mine = l2w_hex_encode_alloc(b, n);
    bool eq = mine && strcmp(mine, hex) == 0;
    if (!eq)
        fprintf(stderr, "  got  %s\n  want %s\n", mine ? mine : "(oom)", hex);
    free(mine);
    return eq;
}

void l2w_test_flip_s(l2w_signature *sig)
{
    l2w_u256 n, s, t;
    l2w_u256_from_be32(&n, l2w_test_curve_order);
    l2w_u256_from_be32(&s, sig->s);
    CHECK(l2w_u256_sub(&t, &n, &s) == L2W_OK);
    l2w_u256_to_be32(sig->s, &t);
    sig->recid ^= 1;
}
