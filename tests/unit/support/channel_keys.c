#include "tests/unit/support/channel_keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hex.h"
#include "core/keccak.h"
#include "core/secp.h"
#include "tests/unit/harness.h"
#include "tests/unit/support/cast_support.h"

void l2w_test_channel_key(uint8_t key[32], l2w_addr *addr, unsigned i)
{
    char seed[64];
    int n = snprintf(seed, sizeof seed, "l2watch channel test key %u", i);
    l2w_keccak256(key, (const uint8_t *)seed, (size_t)n);
    l2w_err err = {{0}};
    l2w_status st = l2w_secp_address(addr, key, &err);
    CHECK_MSG(st == L2W_OK, "test key %u: %s", i, err.msg);
}

void l2w_test_key_hex(char out[67], const uint8_t key[32])
{
    l2w_hex_encode(out, key, 32);
}

void l2w_test_sign_digest(uint8_t out[65], const uint8_t key[32], const l2w_hash *digest)
{
    l2w_signature sig;
    l2w_err err = {{0}};
    l2w_status st = l2w_secp_sign(&sig, key, digest->b, &err);
    CHECK_MSG(st == L2W_OK, "sign: %s", err.msg);
    memcpy(out, sig.r, 32);
    memcpy(out + 32, sig.s, 32);
    out[64] = (uint8_t)(27 + sig.recid);
}

char *l2w_test_cast_output(const char *args)
{
    const char *cast = l2w_test_cast_path();
    if (!cast)
        return NULL;
    size_t cmd_len = strlen(cast) + strlen(args) + 32;
    char *cmd = malloc(cmd_len);
    if (!cmd)
        return NULL;
    snprintf(cmd, cmd_len, "'%s' %s 2>/dev/null", cast, args);
    FILE *p = popen(cmd, "r");
    free(cmd);
    if (!p)
        return NULL;
    size_t cap = 4096, len = 0;
    char *out = malloc(cap);
    int c;
    while (out && (c = fgetc(p)) != EOF && c != '\n') {
        if (len + 1 >= cap) {
            char *grown = realloc(out, cap * 2);
            if (!grown) {
                free(out);
                out = NULL;
                break;
            }
            out = grown;
            cap *= 2;
        }
        out[len++] = (char)c;
    }
    while (fgetc(p) != EOF) /* drain, so pclose reports cast's status */
        ;
    int rc = pclose(p);
    if (!out)
        return NULL;
    out[len] = '\0';
    if (rc != 0 || len == 0) {
        free(out);
        return NULL;
    }
    return out;
}
