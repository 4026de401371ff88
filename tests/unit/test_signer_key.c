#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/hex.h"
#include "core/secp.h"
#include "responder/signer.h"
#include "responder/signer_key.h"
#include "tests/unit/harness.h"

/* anvil's first dev account: a well-known test key and its address. */
static const char dev_key[] = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
static const char dev_addr[] = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";

static void write_file(const char *path, const char *text, mode_t mode)
{
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f)
        return;
    fputs(text, f);
    fclose(f);
    CHECK(chmod(path, mode) == 0);
}

static void temp_path(char *out, size_t cap, const char *name)
{
    const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(out, cap, "%s/l2w-key-%d-%s", dir, (int)getpid(), name);
}

static void test_parse_hex(void)
{
    uint8_t key[32];
    char text[80];
    snprintf(text, sizeof text, "  0x%s\n", dev_key);
    CHECK(l2w_key_parse_hex(key, text, strlen(text)) == L2W_OK && key[0] == 0xac && key[31] == 0x80);
    CHECK(l2w_key_parse_hex(key, dev_key, strlen(dev_key)) == L2W_OK);
    CHECK(l2w_key_parse_hex(key, dev_key, 62) == L2W_ERR_INVALID);
    snprintf(text, sizeof text, "%.63sz", dev_key);
    CHECK(l2w_key_parse_hex(key, text, strlen(text)) == L2W_ERR_INVALID);
    CHECK(l2w_key_parse_hex(key, "", 0) == L2W_ERR_INVALID);
}

static void test_key_file_modes(void)
{
    char path[512];
    temp_path(path, sizeof path, "k");
    uint8_t key[32];
    l2w_err err = {{0}};
    write_file(path, dev_key, 0600);
    CHECK_MSG(l2w_key_load_file(key, path, &err) == L2W_OK, "%s", err.msg);
    l2w_addr a;
    char hex[L2W_ADDR_HEX_LEN];
    CHECK(l2w_secp_address(&a, key, &err) == L2W_OK);
    l2w_addr_to_hex(hex, &a);
    CHECK(strcmp(hex, dev_addr) == 0);

    static const mode_t refused[] = {0644, 0640, 0604, 0660, 0602};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        CHECK(chmod(path, refused[i]) == 0);
        CHECK(l2w_key_load_file(key, path, &err) == L2W_ERR_CONFIG);
        char want[32];
        snprintf(want, sizeof want, "mode %04o", (unsigned)refused[i]);
        CHECK_MSG(strstr(err.msg, want) && strstr(err.msg, "chmod 600"), "%s", err.msg);
        CHECK_MSG(!strstr(err.msg, dev_key), "the key leaked into: %s", err.msg);
    }
    CHECK(chmod(path, 0400) == 0);
    CHECK(l2w_key_load_file(key, path, &err) == L2W_OK);

    write_file(path, "not a key\n", 0600);
    CHECK(l2w_key_load_file(key, path, &err) == L2W_ERR_CONFIG && strstr(err.msg, "64 hex digits"));
    unlink(path);
    CHECK(l2w_key_load_file(key, path, &err) == L2W_ERR_CONFIG && strstr(err.msg, "cannot open"));
}

static void test_key_env_is_wiped(void)
{
    uint8_t key[32];
    l2w_err err = {{0}};
    setenv("L2W_TEST_SIGNER_KEY", dev_key, 1);
    CHECK(l2w_key_load_env(key, "L2W_TEST_SIGNER_KEY", &err) == L2W_OK && key[0] == 0xac);
    CHECK(getenv("L2W_TEST_SIGNER_KEY") == NULL);
    CHECK(l2w_key_load_env(key, "L2W_TEST_SIGNER_KEY", &err) == L2W_ERR_CONFIG && strstr(err.msg, "is not set"));
}

static void test_signer_checks_configured_address(void)
{
    char path[512];
    temp_path(path, sizeof path, "s");
    write_file(path, dev_key, 0600);
    l2w_signer_config cfg = {.name = "ch", .source = L2W_SIGNER_KEY_FILE, .key_file = path};
    l2w_signer *s = NULL;
    l2w_err err = {{0}};
    CHECK(l2w_addr_from_hex(&cfg.address, dev_addr) == L2W_OK);
    cfg.has_address = true;
    CHECK_MSG(l2w_signer_open(&s, &cfg, &err) == L2W_OK, "%s", err.msg);
    char hex[L2W_ADDR_HEX_LEN];
    if (s) {
        l2w_addr_to_hex(hex, l2w_signer_address(s));
        CHECK(strcmp(hex, dev_addr) == 0);
    }
    l2w_signer_close(s);
    cfg.address.b[0] ^= 1;
    s = NULL;
    CHECK(l2w_signer_open(&s, &cfg, &err) == L2W_ERR_CONFIG && s == NULL);
    CHECK_MSG(strstr(err.msg, "signer ch") && strstr(err.msg, "address: says"), "%s", err.msg);
    unlink(path);
}

int main(void)
{
    RUN(test_parse_hex);
    RUN(test_key_file_modes);
    RUN(test_key_env_is_wiped);
    RUN(test_signer_checks_configured_address);
    l2w_secp_thread_cleanup();
    return l2w_test_finish();
}
